"""The one place money moves: a double-entry ledger in whole CNY.

Every transfer debits one account and credits another, so the sum of all
balances is always exactly zero. Accounts outside the simulated market (LPs,
GPU vendors, payroll, buyers' budgets...) start with ``ext:`` and may go
negative; a firm's account is negative only after it went bankrupt.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

CNY_PER_MCNY = 1_000_000


def is_external(account: str) -> bool:
    """True for accounts outside the simulated market (``ext:...``)."""
    return account.startswith("ext:")


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
        self, month: float, payers: list[str], payees: list[str], amounts_mcny: list[float],
        reasons: list[str],
    ) -> None:
        """:meth:`transfer` for each (payer, payee, amount, reason), in order, in one pass
        (the buyers' thousands of monthly payments: no method call per payment)."""
        balances, log = self._balances, self._log
        for payer, payee, amount_mcny, reason in zip(payers, payees, amounts_mcny, reasons,
                                                     strict=True):
            if not amount_mcny >= 0:
                raise ValueError(f"transfer amount must be >= 0, got {amount_mcny!r} ({reason})")
            cny = round(amount_mcny * CNY_PER_MCNY)
            if cny == 0 or payer == payee:
                continue
            balances[payer] -= cny
            balances[payee] += cny
            log.append((month, payer, payee, cny, reason))

    def balance(self, account: str) -> float:
        """Balance of ``account`` in million CNY."""
        return self._balances.get(account, 0) / CNY_PER_MCNY

    def total_cny(self) -> int:
        """Sum of all balances in CNY: zero whenever money is conserved."""
        return sum(self._balances.values())

    def flow(self, month: int, reason: str) -> float:
        """Million CNY moved for ``reason`` during ``month`` (a pass over the log: for tests
        and inspection; no run asks, so transfers keep no running totals)."""
        cny = sum(c for m, _, _, c, r in self._log if r == reason and int(m) == month)
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


def paid_by_reason(payments: dict[tuple[int, str], int], before_month: int | None = None
                   ) -> dict[str, float]:
    """Million CNY by reason from :meth:`Ledger.payments` (months before ``before_month``,
    if given)."""
    totals: dict[str, int] = defaultdict(int)
    for (month, reason), cny in payments.items():
        if before_month is None or month < before_month:
            totals[reason] += cny
    return {reason: cny / CNY_PER_MCNY for reason, cny in sorted(totals.items())}
