"""The funding market: raise requests, term sheets, rounds, cap tables and exits.

Startups post a :class:`RaiseRequest`; funds answer with :class:`TermSheet`
messages, kept in a plain list until the close (nobody waits on a term sheet,
so a SimPy ``Store`` would only add two events per sheet); once a month the
market closes every request that gathered enough commitments (a
:class:`FundingRound`) and fails the rest. The market owns the cap tables, so
it also carries out exits: secondary sales inside a round (seed 004: sell to a
later-round investor, at a discount), acquisitions, IPOs and write-offs.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Generator, Iterable
from dataclasses import dataclass

import numpy as np
import simpy

from sim.commands import plural
from sim.config import FundingConfig, FundsConfig
from sim.events import (
    INVESTMENT_FOLLOW,
    INVESTMENT_LEAD,
    WRITE_OFF_BANKRUPT,
    WRITE_OFF_IN_KIND,
    ActorType,
    EventKind,
    EventLog,
)
from sim.ledger import CNY_PER_MCNY, Ledger
from sim.messages import RaiseRequest, SaleOffer, TermSheet
from sim.sums import left_sum

FOUNDERS = "ext:founders"
LPS = "ext:lps"
PUBLIC_MARKET = "ext:public_market"


#: The most a fund's whole-CNY payments can exceed its float tickets (:meth:`_pay`):
#: half a CNY for each of up to 200 payments in a month.
ROUNDING_SHORTFALL_CNY = 100


class Outcome:
    """How a startup's independent life ended (strings used in events and summary)."""

    ACTIVE = "active"
    ACQUIRED = "acquired"
    IPO = "ipo"
    BANKRUPT = "bankrupt"


#: The most a company's investors can press it (:meth:`FundingMarket.pressure`).
MAX_PRESSURE = 1.0

#: Outcomes of a startup still in business: independent or listed.
IN_BUSINESS = (Outcome.ACTIVE, Outcome.IPO)


@dataclass(frozen=True, slots=True)
class InKind:
    """Stakes a closing fund could not sell, passed to its LPs in kind (million CNY)."""

    cost_mcny: float    # what the fund paid for them
    value_mcny: float   # at their last rounds' post-money less the secondary discount


@dataclass(frozen=True, slots=True)
class FundingRound:
    """A closed round: who put how much in at what valuation."""

    startup: str
    stage: int
    raised_mcny: float
    pre_money_mcny: float
    post_money_mcny: float
    lead: str
    down_round: bool
    month: float


@dataclass(frozen=True, slots=True)
class FundTerms:
    """What the market knows of a fund: its vintage and term (public)."""

    vintage_month: float
    term_months: float
    exit_window_months: float

    def remaining(self, month: float) -> float:
        """Months left of the fund's term at ``month``."""
        return self.vintage_month + self.term_months - month

    def exiting(self, month: float) -> bool:
        """In the last stretch of the term, when the fund sells what it can."""
        return self.in_exit_window(self.remaining(month))

    def in_exit_window(self, remaining: float) -> bool:
        """With ``remaining`` months of its term left, is the fund in its exit window?"""
        return remaining <= self.exit_window_months


class Commitment:
    """What a fund's LPs have promised and not yet paid in (whole CNY, ``ext:lps``).

    LPs pay in as the fund uses their money, not all at its vintage: the fund calls what
    its cash lacks when it pays for a stake or its fee (a capital call, ledger reason
    ``capital_call``), and passes back what it will not need, cash first, then by
    releasing capital it has not called. The fund's spending power, cash plus capital
    still to call, is what a fund paid in whole at its vintage would hold as cash; its
    paid-in capital, the base of TVPI, DPI and IRR, is only what it called.
    """

    def __init__(self, ledger: Ledger, fund: str, size_mcny: float) -> None:
        self._ledger = ledger
        self.fund = fund
        self._uncalled_cny = round(size_mcny * CNY_PER_MCNY)
        #: (month, million CNY) of each call: the LPs' payments into the fund
        self.calls: list[tuple[float, float]] = []

    @property
    def uncalled_mcny(self) -> float:
        """Million CNY the LPs still owe the fund when called."""
        return self._uncalled_cny / CNY_PER_MCNY

    def available_mcny(self) -> float:
        """Million CNY the fund can spend: cash on its account plus capital still to call."""
        return (self._ledger.balance_cny(self.fund) + self._uncalled_cny) / CNY_PER_MCNY

    def cover(self, month: float, amount_mcny: float) -> None:
        """Call from the LPs what the fund's cash lacks to pay ``amount_mcny`` at ``month``
        (as far as the capital still to call goes)."""
        call = min(round(amount_mcny * CNY_PER_MCNY) - self._ledger.balance_cny(self.fund),
                   self._uncalled_cny)
        if call > 0:
            self._ledger.transfer(month, LPS, self.fund, call / CNY_PER_MCNY, "capital_call")
            self._uncalled_cny -= call
            self.calls.append((month, call / CNY_PER_MCNY))

    def pay_back(self, month: float, amount_mcny: float, reason: str) -> float:
        """Pass ``amount_mcny`` of the fund's spending power back to its LPs at ``month``:
        its cash first (a distribution, ledger ``reason``), the rest by releasing capital
        not yet called. Return the cash distributed (million CNY)."""
        whole = max(round(amount_mcny * CNY_PER_MCNY), 0)
        cash = max(min(whole, self._ledger.balance_cny(self.fund)), 0)
        if cash:
            self._ledger.transfer(month, self.fund, LPS, cash / CNY_PER_MCNY, reason)
        self._uncalled_cny -= min(whole - cash, self._uncalled_cny)
        return cash / CNY_PER_MCNY


@dataclass(frozen=True, slots=True)
class FundsAt:
    """Every registered fund's pull on its companies at one month: the pressure it puts
    on them and whether it sits in its exit window (every startup asks in the same month,
    so this is worked out once a month, not once per holder and company)."""

    month: float
    pressure: dict[str, float]
    exiting: frozenset[str]


@dataclass(slots=True)
class OpenBook:
    """This month's open raise requests in a stable order, with arrays in that order: each
    request's score and target, and the money committed to it so far (million CNY)."""

    requests: list[RaiseRequest]
    scores: np.ndarray
    targets: np.ndarray
    committed: np.ndarray
    position: dict[str, int]

    def rooms(self) -> np.ndarray:
        """Million CNY each request still has room for (its target less what is committed,
        as :meth:`FundingMarket.committed` gives it, value for value)."""
        return self.targets - self.committed


class FundingMarket:
    """Rounds, ownership and exits of startups."""

    def __init__(
        self,
        env: simpy.Environment,
        cfg: FundingConfig,
        funds_cfg: FundsConfig,
        ledger: Ledger,
        log: EventLog,
    ) -> None:
        self._env = env
        self._cfg = cfg
        self._secondary_discount = funds_cfg.secondary_discount
        self._payback_months = funds_cfg.compute_payback_months
        self._ledger = ledger
        self._log = log
        self._term_sheets: list[TermSheet] = []   # in the order committed
        self._requests: dict[str, RaiseRequest] = {}
        # the open requests (OpenBook), kept until a request is opened or dropped
        self._book: OpenBook | None = None
        self._committed: dict[str, float] = defaultdict(float)
        self._has_lead: set[str] = set()
        self._runaway: str | None = None   # the RunawayError's message, once passed
        self._cap: dict[str, dict[str, float]] = {}
        self._cost_basis: dict[tuple[str, str], float] = defaultdict(float)
        # each holder's cost basis summed over the stakes it still holds (million CNY)
        self._held_cost: dict[str, float] = defaultdict(float)
        self._last_post: dict[str, float] = {}
        # Stakes closing funds passed to their LPs in kind, followed to what they came to:
        # for each company, each fund's part of the LPs' stake (parts sum to one: rounds
        # dilute the LPs' stake, not its parts), what acquisitions paid the LPs for the
        # stakes of each fund (million CNY), and the listing price of listed companies.
        self._lp_parts: dict[str, dict[str, float]] = {}
        self._lp_proceeds: dict[str, float] = defaultdict(float)
        self._listed_post: dict[str, float] = {}
        self._stage: dict[str, int] = {}
        self._failed: dict[str, int] = defaultdict(int)
        self._last_failure: dict[str, float] = {}
        self._outcome: dict[str, str] = {}
        self._funds: dict[str, FundTerms] = {}
        self._commitments: dict[str, Commitment] = {}
        self._fee_reserves: dict[str, Callable[[], float]] = {}
        self._settle: dict[str, Callable[[float], None]] = {}
        self._funds_at: FundsAt | None = None
        self._for_sale: dict[str, SaleOffer] = {}
        self._rounds: list[FundingRound] = []
        self._raised_this_month = 0.0
        self._deals_this_month = 0
        self._down_this_month = 0

    # ------------------------------------------------------------ registry
    def register_startup(self, startup: str,
                         settle: Callable[[float], None] | None = None) -> None:
        """A new company: founders own all of it. ``settle(month)``, if given, pays what the
        company owes for work done before a sale (its bills a month in arrears), when it is
        sold, before its cash passes to the buyer."""
        self._cap[startup] = {FOUNDERS: 1.0}
        if settle is not None:
            self._settle[startup] = settle
        self._stage[startup] = 0
        self._outcome[startup] = Outcome.ACTIVE

    def register_fund(self, fund: str, terms: FundTerms,
                      commitment: Commitment | None = None,
                      fee_reserve: Callable[[], float] | None = None) -> None:
        """A new fund's public terms, the capital its LPs will pay in when called (None:
        the fund holds all its money as cash), and what it keeps back for its management
        fees this month (million CNY; None: nothing), which it spends on no stake."""
        self._funds[fund] = terms
        if commitment is not None:
            self._commitments[fund] = commitment
        if fee_reserve is not None:
            self._fee_reserves[fund] = fee_reserve
        self._funds_at = None   # the view of the funds at a month leaves this one out

    def _spending_power(self, fund: str) -> float:
        """Million CNY ``fund`` can pay: its cash plus the capital it can still call."""
        commitment = self._commitments.get(fund)
        return (commitment.available_mcny() if commitment is not None
                else self._ledger.balance(fund))

    def _pay(self, payer: str, payee: str, amount_mcny: float, reason: str) -> None:
        """``payer`` (a fund, for a stake) pays ``amount_mcny`` now, calling from its LPs
        what its cash lacks.

        A fund's tickets are promised in million CNY and paid in whole CNY, each rounded
        to the nearest: tickets that spend a fund to its last CNY (no fee kept back) can
        round to a CNY more than it holds with all its capital called. It pays what it
        holds: the ledger's rounding, not a debt (a larger shortfall is a fault, and the
        fund's cash goes below zero, where the invariants find it)."""
        now = self._env.now
        commitment = self._commitments.get(payer)
        if commitment is not None:
            commitment.cover(now, amount_mcny)
            held = self._ledger.balance_cny(payer)
            short = round(amount_mcny * CNY_PER_MCNY) - held
            if 0 < short <= ROUNDING_SHORTFALL_CNY and commitment.uncalled_mcny == 0:
                amount_mcny = held / CNY_PER_MCNY
        self._ledger.transfer(now, payer, payee, amount_mcny, reason)

    def outcome(self, startup: str) -> str:
        """``active``, ``acquired``, ``ipo`` or ``bankrupt``."""
        return self._outcome[startup]

    def outcomes(self, startups: Iterable[str]) -> list[str]:
        """:meth:`outcome` of each of ``startups``, in order (the monthly census, in one pass)."""
        return list(map(self._outcome.__getitem__, startups))

    def stage(self, startup: str) -> int:
        """Rounds closed so far."""
        return self._stage[startup]

    def failed_rounds(self, startup: str) -> int:
        """Rounds that failed since the last success."""
        return self._failed[startup]

    def last_failure_month(self, startup: str) -> float | None:
        """When (months) the startup's last round failed; None if none ever did."""
        return self._last_failure.get(startup)

    def last_post_money(self, startup: str) -> float:
        """Post-money valuation of the last round (0 before any)."""
        return self._last_post.get(startup, 0.0)

    def cap_table(self, startup: str) -> dict[str, float]:
        """Holder -> share of ``startup`` (founders, funds, giants, public market); a copy."""
        return dict(self._cap.get(startup, {}))

    def holdings(self, fund: str) -> dict[str, float]:
        """Startup -> share held by ``fund`` (active or listed companies)."""
        return {
            s: cap[fund]
            for s, cap in self._cap.items()
            if fund in cap and self._outcome[s] in IN_BUSINESS
        }

    def cost_basis(self, fund: str, startup: str) -> float:
        """Million CNY ``fund`` has put into ``startup`` and not yet realised."""
        return self._cost_basis.get((fund, startup), 0.0)

    def net_invested(self, fund: str) -> float:
        """Million CNY ``fund`` paid for the stakes it still holds: its net invested
        capital, after exits and write-offs (the fee base once its investment period ends)."""
        return max(self._held_cost.get(fund, 0.0), 0.0)

    def _add_cost(self, holder: str, startup: str, amount_mcny: float) -> None:
        """``holder`` paid ``amount_mcny`` more for its stake in ``startup``."""
        self._cost_basis[(holder, startup)] += amount_mcny
        self._held_cost[holder] += amount_mcny

    def _drop_cost(self, holder: str, startup: str) -> float:
        """``holder`` no longer holds ``startup``: its cost basis there leaves its books;
        return it (million CNY)."""
        basis = self._cost_basis.pop((holder, startup), 0.0)
        if basis:
            self._held_cost[holder] -= basis
        return basis

    def pressure(self, startup: str, month: float) -> float:
        """Investor pressure on a company, 0..1 (claim 1; seed 004).

        The most impatient holder sets it: compute spend pays back only after
        ``compute_payback_months``, so each fund holding the company presses by that payback
        over the months of term it has left (at least one), up to :data:`MAX_PRESSURE`: a
        fund with less term left than the payback presses hardest, and a new fund of a
        four-year term already presses at 30/48 (docs/MODEL.md).
        """
        pressure = self.funds_at(month).pressure
        worst = 0.0
        for holder in self._cap.get(startup, {}):
            if holder in pressure:
                worst = max(worst, pressure[holder])
        return worst

    def investors_exiting(self, startup: str, month: float) -> bool:
        """Does any holder of ``startup`` sit in its exit window?"""
        return not self.funds_at(month).exiting.isdisjoint(self._cap[startup])

    def funds_at(self, month: float) -> FundsAt:
        """Each fund's pressure (see :meth:`pressure`) and exit window at ``month``; kept
        until another month is asked for or another fund registers."""
        view = self._funds_at
        if view is None or view.month != month:
            payback = self._payback_months
            pressure: dict[str, float] = {}
            exiting: list[str] = []
            for fund, terms in self._funds.items():
                remaining = terms.remaining(month)   # months; worked out once per fund
                pressure[fund] = min(MAX_PRESSURE, payback / max(remaining, 1.0))
                if terms.in_exit_window(remaining):
                    exiting.append(fund)
            view = FundsAt(month, pressure, frozenset(exiting))
            self._funds_at = view
        return view

    # ------------------------------------------------------------ pricing (seed 004)
    def story_factor(self, releases: int, rank_percentile: float, stage: int,
                     hype: float = 1.0) -> float:
        """Launch events and leaderboard rank lift a company's story. Each round closed
        lifts it too while the wind blows, by ``stage_hype_lift`` of the ``hype`` above
        normal (seed 004: investors push companies through several rounds quickly to lift
        the valuation), and takes ``stage_story_decay`` off it (later rounds need
        revenue): the lift of past rounds lasts only as long as the hype does."""
        c = self._cfg
        per_round = c.stage_story_decay * (1 + c.stage_hype_lift * max(hype - 1.0, 0.0))
        return (
            (1 + c.release_story_bonus * min(releases, c.release_story_cap))
            * (1 + c.rank_story_bonus * rank_percentile)
            * per_round**stage
        )

    def pre_money(
        self,
        hype: float,
        releases: int,
        rank_percentile: float,
        stage: int,
        annual_revenue_mcny: float,
        gpu_asset_share: float,
    ) -> float:
        """Pre-money valuation (million CNY) of a company asking for money now.

        (story value * hype^e + revenue multiple * revenue) * (1 - heavy-asset discount * share
        of assets in GPUs).
        """
        c = self._cfg
        story = c.story_value_mcny * self.story_factor(releases, rank_percentile, stage, hype)
        value = story * hype**c.valuation_hype_elasticity + c.revenue_multiple * annual_revenue_mcny
        return value * (1 - c.heavy_asset_discount * gpu_asset_share)

    def score(
        self,
        hype: float,
        releases: int,
        rank_percentile: float,
        stage: int,
        annual_revenue_mcny: float,
    ) -> float:
        """How attractive a deal looks to funds; each fund compares it with its own hurdle."""
        c = self._cfg
        return (
            c.score_hype_weight * math.log(max(hype, 1e-6))
            + c.score_story_weight * math.log(self.story_factor(releases, rank_percentile, 0))
            + c.score_revenue_weight * math.log1p(annual_revenue_mcny / c.revenue_scale_mcny)
            - c.score_stage_penalty * stage
        )

    def asking_price(self, value_mcny: float, failed_rounds: int) -> float:
        """The pre-money (million CNY) a company asks: its ``value_mcny`` (:meth:`pre_money`)
        cut by ``ask_cut_per_failed_round`` for each of the ``failed_rounds`` since its last
        close. A company that could not raise at its value offers a cheaper deal: in a bust
        that is what makes a down round (claim 6)."""
        cut = self._cfg.ask_cut_per_failed_round
        return value_mcny * (1 - cut) ** failed_rounds if cut and failed_rounds else value_mcny

    def price_appeal(self, value_mcny: float, asking_mcny: float) -> float:
        """What a price below the company's value adds to a deal's :meth:`score`:
        ``score_price_weight * ln(value / asking price)``; nothing at the value."""
        if not asking_mcny < value_mcny or asking_mcny <= 0:
            return 0.0
        return self._cfg.score_price_weight * math.log(value_mcny / asking_mcny)

    def distressed_price(self, valuation_mcny: float) -> float:
        """Asking price (million CNY) of a company that must sell, valued at
        ``valuation_mcny``."""
        return valuation_mcny * (1 - self._cfg.distressed_discount)

    def raise_trigger_months(self, pressure: float, hype: float) -> float:
        """Runway below which a company asks for money: earlier under investor pressure
        and in a boom (seed 004: several rounds in quick succession)."""
        c = self._cfg
        return (
            c.runway_trigger_months
            + pressure * c.pressure_runway_months
            + max(hype - 1.0, 0.0) * c.hype_runway_months
        )

    def ticket_share(self, lead: bool) -> float:
        """Share of a round a lead (or a follower) takes."""
        return self._cfg.lead_share if lead else self._cfg.follower_ticket_share

    def round_target(self, burn_mcny: float, compute_plan_mcny: float) -> float:
        """Million CNY a company asks for: months of burn (``burn_mcny`` a month) plus its
        compute plan."""
        return burn_mcny * self._cfg.round_runway_months + compute_plan_mcny

    # ------------------------------------------------------------ requests and term sheets
    def request(self, req: RaiseRequest) -> None:
        """A startup opens (or replaces) its raise request for this month's close."""
        self._requests[req.startup] = req
        self._book = None

    def may_request(self, startup: str) -> bool:
        """No open request, and long enough since the last failed round."""
        last = self._last_failure.get(startup)
        recent = last is not None and self._env.now - last < self._cfg.retry_after_months
        return startup not in self._requests and not recent

    def open_book(self) -> OpenBook:
        """Requests waiting for this month's close, in a stable order, with their scores
        (:meth:`score`), targets and commitments (one book, shared by every caller until the
        requests change: read it, do not modify it)."""
        # Every fund reads the book each month: sorted once, not once per fund (thousands
        # of funds and requests in a hot market).
        if self._book is None:
            requests = [self._requests[k] for k in sorted(self._requests)]
            self._book = OpenBook(
                requests,
                np.array([r.score for r in requests], dtype=float),
                np.array([r.target_mcny for r in requests], dtype=float),
                np.array([self.committed(r.startup) for r in requests], dtype=float),
                {r.startup: k for k, r in enumerate(requests)})
        return self._book

    def committed(self, startup: str) -> float:
        """Million CNY committed so far to ``startup``'s open request."""
        return self._committed.get(startup, 0.0)

    def has_lead(self, startup: str) -> bool:
        """Whether the open request already has a lead."""
        return startup in self._has_lead

    def commit(self, sheet: TermSheet) -> None:
        """A fund puts a term sheet in (kept until the close). Each may become a position, so
        :meth:`_check_positions` counts them with the positions held: with thousands of
        funds and companies, one month's sheets alone ran to tens of millions (gigabytes,
        minutes) before any round closed."""
        self._term_sheets.append(sheet)
        self._check_positions()
        self._committed[sheet.startup] += sheet.amount_mcny
        if self._book is not None:   # the same sum, in the book's array
            self._book.committed[self._book.position[sheet.startup]] += sheet.amount_mcny
        if sheet.lead:
            self._has_lead.add(sheet.startup)

    def clear(self) -> Generator[simpy.Event, None, None]:
        """Process step: :meth:`close_requests` (it waits for nothing, so the step ends at
        once)."""
        self.close_requests()
        yield from ()   # a generator, as a SimPy process must be

    def close_requests(self) -> None:
        """Close or fail every open request with the term sheets committed to it."""
        sheets: dict[str, list[TermSheet]] = defaultdict(list)
        # What each fund has promised to rounds not yet settled in this close: a lead buying
        # out exiting holders may not spend it (its cash went negative when it did).
        promised: dict[str, float] = defaultdict(float)
        for sheet in self._term_sheets:
            sheets[sheet.startup].append(sheet)
            promised[sheet.fund] += sheet.amount_mcny
        self._term_sheets = []
        self._raised_this_month = 0.0
        self._deals_this_month = 0
        self._down_this_month = 0
        for startup in sorted(self._requests):
            req = self._requests[startup]
            got = sheets.get(startup, [])
            total = left_sum(s.amount_mcny for s in got)
            for sheet in got:   # settled now: paid below, or released by a failed round
                promised[sheet.fund] -= sheet.amount_mcny
            if (
                self._outcome[startup] == Outcome.ACTIVE
                and got
                and total >= self._cfg.min_fill_share * req.target_mcny
            ):
                self._close(req, got, total, promised)
            else:
                self._failed[startup] += 1
                self._last_failure[startup] = self._env.now
                self._log.record(
                    self._env.now,
                    EventKind.ROUND_FAILED,
                    startup,
                    ActorType.STARTUP,
                    amount_mcny=req.target_mcny,
                    stage=req.stage + 1,   # the round it sought, numbered as closed ones are
                )
        self._requests.clear()
        self._book = None
        self._committed.clear()
        self._has_lead.clear()

    def _check_positions(self) -> None:
        """RunawayError past ``max_positions`` (fund, company) positions held at once, term
        sheets waiting for this month's close counted with them (checked as each round
        closes and as each sheet comes in: one month's close can add millions): in a market
        hot enough for every fund to join every round, positions (memory) and the funds'
        monthly work grow as funds times companies, gigabytes within a few months, before
        entry itself passes its limits (``startups.max_founded``, ``funds.max_founded``)."""
        held, sheets = len(self._cost_basis), len(self._term_sheets)
        limit = self._cfg.max_positions
        if held + sheets <= limit:
            return
        from sim.world import RunawayError  # sim.world builds on this module

        # Said once: the run ends only when SimPy reaches the failed process, after every
        # other fund acting this month has put a sheet in and come here too (thousands).
        if self._runaway is None:
            funds = len({f for f, _ in self._cost_basis} | {s.fund for s in self._term_sheets})
            companies = len({c for _, c in self._cost_basis}
                            | {s.startup for s in self._term_sheets})
            waiting = f" and {plural(sheets, 'term sheet')} waiting for the close" \
                if sheets else ""
            self._runaway = (
                f"funding.max_positions={limit} passed in month {int(self._env.now)}: "
                f"{plural(funds, 'fund')} with {plural(held, 'position')}{waiting}, in "
                f"{plural(companies, 'company', 'companies')}; hot rounds "
                "draw every fund in, and entry grows with hype (startups.base_founding_rate, "
                "funds.vintage_rate_per_month and their hype elasticities), which releases "
                "and rounds feed (hype.release_impulse, hype.funding_impulse_per_bn): lower "
                "these, or raise funding.max_positions")
        raise RunawayError(self._runaway)

    def _close(self, req: RaiseRequest, sheets: list[TermSheet], total: float,
               promised: dict[str, float]) -> None:
        """Close ``req`` with its ``sheets`` (``total`` million CNY), then the lead buys out
        exiting holders with cash it has not ``promised`` to later rounds of this close."""
        now = self._env.now
        scale = min(1.0, req.target_mcny / total)
        raised = total * scale
        pre = req.pre_money_mcny
        post = pre + raised
        cap = self._cap[req.startup]
        for holder in cap:
            cap[holder] *= pre / post
        lead = next((s.fund for s in sheets if s.lead), sheets[0].fund)
        tickets: list[tuple[str, float]] = []
        for sheet in sheets:
            amount = sheet.amount_mcny * scale
            self._pay(sheet.fund, req.startup, amount, "investment")
            cap[sheet.fund] = cap.get(sheet.fund, 0.0) + amount / post
            self._add_cost(sheet.fund, req.startup, amount)
            tickets.append((sheet.fund, amount))
        self._check_positions()
        # A down round prices the company below its last valuation: a price per share below
        # the last round's, which is the pre-money below the last post-money (the new
        # money can lift the post-money above it even so).
        down = req.startup in self._last_post and pre < self._last_post[req.startup]
        stage = self._stage[req.startup] + 1
        self._stage[req.startup] = stage
        self._failed[req.startup] = 0
        self._last_post[req.startup] = post
        # a sale offer priced before the round is stale: the company decides again next
        # month (until 2026-12-07 a giant could buy a company that had just raised at its
        # distressed pre-round price, and take the new investors' cash with it)
        self._for_sale.pop(req.startup, None)
        rnd = FundingRound(req.startup, stage, raised, pre, post, lead, down, now)
        self._rounds.append(rnd)
        self._raised_this_month += raised
        self._deals_this_month += 1
        self._down_this_month += int(down)
        self._log.record(
            now,
            EventKind.ROUND_CLOSED,
            req.startup,
            ActorType.STARTUP,
            lead,
            raised,
            valuation_mcny=post,
            stage=stage,
            down_round=down,
        )
        for fund, amount in tickets:   # who put in what: the round names only its lead
            self._log.record(now, EventKind.INVESTMENT, fund, ActorType.FUND, req.startup,
                             amount, valuation_mcny=post, stage=stage,
                             reason=INVESTMENT_LEAD if fund == lead else INVESTMENT_FOLLOW)
        self._secondaries(rnd, promised.get(lead, 0.0))

    def _secondaries(self, rnd: FundingRound, promised_mcny: float) -> None:
        """Exiting funds sell their whole stake to the round's lead at a discount, as far
        as the lead's cash beyond ``promised_mcny`` (its term sheets for rounds still to
        close) and its fee reserve pays for them. When it cannot buy them all, the seller
        with the least of its term left is bought out first (then the larger stake; names
        only break exact ties)."""
        now = self._env.now
        cap = self._cap[rnd.startup]
        funds = self._funds
        sellers = [h for h in cap if h in funds and h != rnd.lead and funds[h].exiting(now)]
        if not sellers:
            return
        sellers.sort(key=lambda h: (funds[h].remaining(now), -cap[h], h))
        fee_reserve = self._fee_reserves.get(rnd.lead)
        kept = promised_mcny + (fee_reserve() if fee_reserve is not None else 0.0)
        for seller in sellers:
            share = cap[seller]
            price = share * rnd.post_money_mcny * (1 - self._secondary_discount)
            if self._spending_power(rnd.lead) - kept < price:
                continue
            self._pay(rnd.lead, seller, price, "secondary_sale")
            cap[rnd.lead] = cap.get(rnd.lead, 0.0) + share
            del cap[seller]
            self._add_cost(rnd.lead, rnd.startup, price)
            self._drop_cost(seller, rnd.startup)
            self._log.record(
                now,
                EventKind.SECONDARY_SALE,
                seller,
                ActorType.FUND,
                rnd.lead,
                price,
                valuation_mcny=rnd.post_money_mcny,
                reason=rnd.startup,
            )

    # ------------------------------------------------------------ monthly statistics
    @property
    def raised_this_month(self) -> float:
        """Million CNY raised in rounds closed this month."""
        return self._raised_this_month

    @property
    def deals_this_month(self) -> int:
        """Rounds closed this month."""
        return self._deals_this_month

    @property
    def down_rounds_this_month(self) -> int:
        """Down rounds closed this month."""
        return self._down_this_month

    @property
    def rounds(self) -> list[FundingRound]:
        """Every closed round."""
        return self._rounds

    # ------------------------------------------------------------ exits
    def offer_for_sale(self, offer: SaleOffer) -> None:
        """A startup puts itself up for sale (replaces an earlier offer)."""
        self._for_sale[offer.startup] = offer

    def withdraw_sale(self, startup: str) -> None:
        """The startup is no longer for sale."""
        self._for_sale.pop(startup, None)

    def for_sale(self) -> list[SaleOffer]:
        """Companies currently for sale, in a stable order."""
        return [
            self._for_sale[k] for k in sorted(self._for_sale) if self._outcome[k] == Outcome.ACTIVE
        ]

    def _pay_holders(
        self,
        startup: str,
        payer: str,
        value_mcny: float,
        reason: str,
        holders: list[str] | None = None,
    ) -> None:
        cap = self._cap[startup]
        for holder in holders if holders is not None else sorted(cap):
            share = cap.get(holder, 0.0)
            self._ledger.transfer(self._env.now, payer, holder, share * value_mcny, reason)
            if holder == LPS:   # the closed funds' stakes, sold for their LPs
                for fund, part in self._lp_parts.pop(startup, {}).items():
                    self._lp_proceeds[fund] += part * share * value_mcny
            self._drop_cost(holder, startup)
            del cap[holder]

    def acquire(self, buyer: str, startup: str, price_mcny: float, distressed: bool) -> bool:
        """A giant buys ``startup``: holders are paid pro rata, the company settles the bills
        it owes (:meth:`register_startup`), and its cash goes to the buyer (who pays what
        that cash does not cover)."""
        if self._outcome[startup] != Outcome.ACTIVE or self._ledger.balance(buyer) < price_mcny:
            return False
        now = self._env.now
        self._pay_holders(startup, buyer, price_mcny, "acquisition")
        settle = self._settle.pop(startup, None)
        if settle is not None:
            settle(now)   # its bills a month in arrears, from its own cash
        leftover = self._ledger.balance(startup)
        if leftover > 0:
            self._ledger.transfer(now, startup, buyer, leftover, "acquired_cash")
        elif leftover < 0:   # the bills took more than its cash: the buyer takes on the rest
            self._ledger.transfer(now, buyer, startup, -leftover, "acquired_debts")
        self._outcome[startup] = Outcome.ACQUIRED
        self._for_sale.pop(startup, None)
        self._log.record(
            now,
            EventKind.ACQUIRED,
            startup,
            ActorType.STARTUP,
            buyer,
            price_mcny,
            valuation_mcny=price_mcny,
            reason="distressed" if distressed else "strategic",
        )
        return True

    def list_on_exchange(self, startup: str, valuation_mcny: float, primary_share: float) -> None:
        """IPO at a pre-money of ``valuation_mcny``: the company sells the public new shares
        for ``primary_share`` of it (fresh money), which dilutes every holder; then the funds
        sell the public their stakes at the listing price, so each gets its stake before the
        listing times the pre-money. Until 2026-12-07 the new money came with no new shares:
        founders and LPs kept their whole stakes, the public paid for nothing."""
        now = self._env.now
        raised = valuation_mcny * primary_share
        self._ledger.transfer(now, PUBLIC_MARKET, startup, raised, "ipo")
        cap = self._cap[startup]
        post = valuation_mcny + raised
        if post > 0:
            for holder in cap:   # diluted by the new shares
                cap[holder] *= valuation_mcny / post
        funds = sorted(h for h in cap if h in self._funds)
        self._pay_holders(startup, PUBLIC_MARKET, post, "ipo_exit", funds)
        cap[PUBLIC_MARKET] = 1.0 - left_sum(cap.values())
        self._listed_post[startup] = post
        self._outcome[startup] = Outcome.IPO
        self._for_sale.pop(startup, None)
        # The listing raised the company's money: a round it asked for this month is
        # dropped, as a bankrupt company's is (funds committed to it and it failed).
        if self._requests.pop(startup, None) is not None:
            self._book = None
        self._log.record(
            now,
            EventKind.IPO,
            startup,
            ActorType.STARTUP,
            PUBLIC_MARKET,
            valuation_mcny * primary_share,
            valuation_mcny=valuation_mcny,
        )

    def in_kind_outcome(self, fund: str) -> float:
        """Million CNY that the stakes ``fund`` passed to its LPs in kind came to by now:
        what acquirers paid the LPs for them, and those still held at the company's last
        round's post-money (a listed company's: its listing), as a fund's NAV values its
        stakes; nothing for a company that went bankrupt. A closing fund values them at
        that post-money less the secondary discount, when it passes them on (its
        ``in_kind_mcny``), and most of the companies fail after (funds.parquet)."""
        value = self._lp_proceeds.get(fund, 0.0)
        for startup, parts in self._lp_parts.items():
            part = parts.get(fund)
            if part is None or self._outcome[startup] not in IN_BUSINESS:
                continue
            mark = (self._listed_post[startup] if self._outcome[startup] == Outcome.IPO
                    else self._last_post.get(startup, 0.0))
            value += part * self._cap[startup].get(LPS, 0.0) * mark
        return value

    def bankrupt(self, startup: str, reason: str) -> None:
        """The company fails: every holder's stake is written off."""
        now = self._env.now
        for holder in sorted(self._cap[startup]):
            if holder in self._funds:
                self._log.record(
                    now,
                    EventKind.WRITE_OFF,
                    holder,
                    ActorType.FUND,
                    startup,
                    self._drop_cost(holder, startup),
                    reason=WRITE_OFF_BANKRUPT,
                )
        self._cap[startup] = {}
        self._outcome[startup] = Outcome.BANKRUPT
        self._settle.pop(startup, None)
        self._for_sale.pop(startup, None)
        if self._requests.pop(startup, None) is not None:
            self._book = None
        self._log.record(
            now,
            EventKind.BANKRUPT,
            startup,
            ActorType.STARTUP,
            amount_mcny=self._ledger.balance(startup),
            reason=reason,
        )

    def distribute_in_kind(self, fund: str) -> InKind:
        """A closing fund passes the stakes it could not sell to its LPs in kind
        (``ext:lps``): the cap table still sums to one, and a later acquisition pays the LPs
        (at an IPO they keep their shares, as the founders do: only funds sell).
        The fund writes them off its books (a ``write_off`` event each, at cost, with the
        company's last post-money); the LPs receive them at that post-money less the
        secondary discount, what an exiting holder gets from a later round's lead."""
        now = self._env.now
        cost = value = 0.0
        keep = 1 - self._secondary_discount
        for startup in sorted(s for s, cap in self._cap.items() if fund in cap):
            cap = self._cap[startup]
            basis = self._drop_cost(fund, startup)
            share = cap.pop(fund)
            post = self._last_post.get(startup, 0.0)
            cost += basis
            value += share * post * keep
            pooled = cap.get(LPS, 0.0)
            if share > 0:   # a stake diluted to nothing passes nothing (a round priced at
                # pre-money 0 takes the whole company: funding.story_value_mcny=0 and a
                # company with no revenue; until 2026-12-07 it divided 0 by 0)
                parts = self._lp_parts.setdefault(startup, {})
                for other in parts:   # the earlier funds' parts of a larger stake
                    parts[other] *= pooled / (pooled + share)
                parts[fund] = parts.get(fund, 0.0) + share / (pooled + share)
                cap[LPS] = pooled + share
            self._log.record(
                now,
                EventKind.WRITE_OFF,
                fund,
                ActorType.FUND,
                startup,
                basis,
                valuation_mcny=post,
                reason=WRITE_OFF_IN_KIND,
            )
        return InKind(cost, value)
