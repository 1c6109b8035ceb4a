"""The one place money moves: a double-entry ledger in whole CNY.

Every transfer debits one account and credits another, so the sum of all
balances is always exactly zero. Accounts outside the simulated market (LPs,
GPU vendors, payroll, buyers' budgets...) start with ``ext:`` and may go
negative; a firm's account is negative only after it went bankrupt.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import compress, repeat

import numpy as np

from sim.sums import left_sum

CNY_PER_MCNY = 1_000_000
#: Million CNY in a billion CNY (hype's funding impulse is quoted per billion raised).
MCNY_PER_BN_CNY = 1_000
#: One CNY in million CNY: the ledger moves whole CNY, so a smaller amount moves nothing.
ONE_CNY_MCNY = 1 / CNY_PER_MCNY
#: Whole CNY below which a float64 amount converts to an int64 exactly (2**53: every
#: integer up to it is a float64); larger amounts are moved one at a time, as Python ints.
EXACT_CNY_BELOW = 2.0**53


@dataclass(frozen=True, slots=True)
class Transfer:
    """One recorded movement of money (whole CNY)."""

    month: float
    payer: str
    payee: str
    amount_cny: int
    reason: str


class Ledger:
    """Balances in whole CNY; all money moves through :meth:`transfer`."""

    def __init__(self) -> None:
        self._balances: dict[str, int] = defaultdict(int)
        # Transfers are kept as plain tuples (cheap to record, ~200k a run) and turned
        # into Transfer records only when :attr:`transfers` is read.
        self._log: list[tuple[float, str, str, int, str]] = []
        self._transfers: list[Transfer] = []

    def transfer(
        self, month: float, payer: str, payee: str, amount_mcny: float, reason: str
    ) -> int:
        """Move ``amount_mcny`` (million CNY, >= 0) from payer to payee; return whole CNY moved."""
        if not amount_mcny >= 0:
            raise ValueError(f"transfer amount must be >= 0, got {amount_mcny!r} ({reason})")
        cny = round(amount_mcny * CNY_PER_MCNY)
        if cny == 0 or payer == payee:
            return 0
        balances = self._balances
        balances[payer] -= cny
        balances[payee] += cny
        self._log.append((month, payer, payee, cny, reason))
        return cny

    def transfer_each(
        self, month: float, payers: Sequence[str], payees: Sequence[str],
        amounts_mcny: Sequence[float] | np.ndarray, reasons: Sequence[str],
    ) -> None:
        """:meth:`transfer` for each (payer, payee, amount in million CNY, reason), in order,
        in one pass (the buyers' thousands of monthly payments: no method call per payment).

        Amounts are scaled and rounded to whole CNY by NumPy (the same IEEE product and
        round-half-even as :meth:`transfer`); a negative, NaN or huge amount sends the
        whole batch through :meth:`transfer`, which raises at the first bad one.
        """
        amounts = np.asarray(amounts_mcny, dtype=np.float64)
        if not len(payers) == len(payees) == amounts.size == len(reasons):
            raise ValueError("transfer_each needs one payer, payee, amount and reason each")
        scaled = amounts * CNY_PER_MCNY
        if not np.all((amounts >= 0) & (scaled < EXACT_CNY_BELOW)):
            for payer, payee, amount_mcny, reason in zip(payers, payees, amounts.tolist(),
                                                         reasons, strict=True):
                self.transfer(month, payer, payee, amount_mcny, reason)
            return
        cny = np.rint(scaled).astype(np.int64).tolist()
        moved = [c != 0 and payer != payee for payer, payee, c in zip(payers, payees, cny,
                                                                     strict=True)]
        payers, payees = list(compress(payers, moved)), list(compress(payees, moved))
        cny = list(compress(cny, moved))
        balances = self._balances
        for payer, payee, c in zip(payers, payees, cny, strict=True):
            balances[payer] -= c
            balances[payee] += c
        self._log.extend(zip(repeat(month), payers, payees, cny, compress(reasons, moved)))

    def balance(self, account: str) -> float:
        """Balance of ``account`` in million CNY."""
        return self._balances.get(account, 0) / CNY_PER_MCNY

    def balance_cny(self, account: str) -> int:
        """Balance of ``account`` in whole CNY (exact: for sums that must come out to the CNY)."""
        return self._balances.get(account, 0)

    def total_cny(self) -> int:
        """Sum of all balances in CNY: zero whenever money is conserved."""
        return left_sum(self._balances.values())

    def flow(self, month: int, reason: str) -> float:
        """Million CNY moved for ``reason`` during ``month`` (a pass over the log: for tests
        and inspection; no run asks, so transfers keep no running totals)."""
        cny = left_sum(c for m, _, _, c, r in self._log if r == reason and int(m) == month)
        return cny / CNY_PER_MCNY

    @property
    def transfers(self) -> list[Transfer]:
        """All transfers in the order they happened (read-only use)."""
        done = len(self._transfers)
        if done < len(self._log):
            self._transfers.extend(Transfer(*t) for t in self._log[done:])
        return self._transfers

    def accounts(self) -> dict[str, float]:
        """Every account's balance in million CNY."""
        return {k: v / CNY_PER_MCNY for k, v in self._balances.items()}

    def payments(self, payers: set[str]) -> dict[tuple[int, str], int]:
        """Whole CNY that ``payers`` paid out, by (whole month, reason): one pass over the
        log, for :func:`paid_by_reason` to sum over any window."""
        totals: dict[tuple[int, str], int] = defaultdict(int)
        for month, payer, _, cny, reason in self._log:
            if payer in payers:
                totals[(int(month), reason)] += cny
        return dict(totals)

    def flows_by_reason(self, accounts: set[str]) -> dict[str, AccountFlows]:
        """Million CNY each of ``accounts`` paid out and received over the whole run, by
        reason: one pass over the log (accounts that moved no money are left out)."""
        paid: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        received: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for _, payer, payee, cny, reason in self._log:
            if payer in accounts:
                paid[payer][reason] += cny
            if payee in accounts:
                received[payee][reason] += cny

        def in_mcny(totals: dict[str, int]) -> dict[str, float]:
            return {reason: cny / CNY_PER_MCNY for reason, cny in sorted(totals.items())}

        return {account: AccountFlows(in_mcny(paid.get(account, {})),
                                      in_mcny(received.get(account, {})))
                for account in sorted(paid.keys() | received.keys())}


@dataclass(frozen=True)
class AccountFlows:
    """What one account paid out and received over a run (million CNY by reason)."""

    paid_mcny: dict[str, float]
    received_mcny: dict[str, float]

    def paid(self, *reasons: str) -> float:
        """Million CNY paid out for any of ``reasons``."""
        return left_sum(self.paid_mcny.get(r, 0.0) for r in reasons)

    def received(self, *reasons: str) -> float:
        """Million CNY received for any of ``reasons``."""
        return left_sum(self.received_mcny.get(r, 0.0) for r in reasons)


def paid_by_reason(payments: dict[tuple[int, str], int], before_month: int | None = None
                   ) -> dict[str, float]:
    """Million CNY by reason from :meth:`Ledger.payments` (months before ``before_month``,
    if given)."""
    totals: dict[str, int] = defaultdict(int)
    for (month, reason), cny in payments.items():
        if before_month is None or month < before_month:
            totals[reason] += cny
    return {reason: cny / CNY_PER_MCNY for reason, cny in sorted(totals.items())}
