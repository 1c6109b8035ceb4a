"""Venture funds with finite terms, and the LPs' new vintages (claims 1 and 6; seed 004).

A fund's LPs commit its size at its vintage and pay it in as the fund calls
it: for the stakes it buys and for its management fee. It invests during its
investment period in deals that clear its hurdle (leading or following),
sells stakes before its term runs out (secondary sales in later rounds, M&A,
IPO), invests its proceeds again while its investment period lasts (recycling:
its fees come out of them too), then passes them to its LPs as they come and
releases commitments it will not need, and at the end of its term passes what it
could not sell to its LPs
in kind, valued as an exiting holder's stake (its last round's post-money less
the secondary discount). Its dated capital calls and distributions, cash and in
kind, give TVPI, DPI and IRR on the capital the LPs paid in; what it paid for
stakes and got back for them gives its gross multiple on invested capital,
free of fees.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator
from dataclasses import dataclass

import numpy as np
import simpy

from sim.config import MONTHS_PER_YEAR, FundsConfig
from sim.events import ActorType, EventKind
from sim.ledger import ONE_CNY_MCNY, AccountFlows
from sim.markets.funding import LPS, Commitment, FundTerms
from sim.messages import TermSheet
from sim.sums import left_sum
from sim.world import Phase, World, entrants

#: Months from a fund's act (:attr:`Phase.FUNDS`) to the close of the rounds it commits to
#: (:attr:`Phase.FUNDING`); sim.config restates it (``FUND_ACT_TO_CLOSE_MONTHS``) to check
#: that an exit window leaves a fund time to invest.
TO_THE_CLOSE_MONTHS = Phase.FUNDING - Phase.FUNDS

GP_FEES = "ext:gp_fees"
BISECTION_STEPS = 200  # at most; the IRR bracket stops shrinking after about 55
#: Ledger reasons of a fund's money going into stakes: a round's ticket, or an exiting
#: fund's stake bought in a secondary sale.
STAKE_PURCHASES = ("investment", "secondary_sale")
#: Ledger reasons of a fund's money coming back from stakes: sold to a later round's lead,
#: to an acquirer, or to the public at an IPO.
STAKE_SALES = ("secondary_sale", "acquisition", "ipo_exit")


@dataclass(frozen=True, slots=True)
class FundReturns:
    """A fund's performance at the end of the run (multiples and annual IRR)."""

    paid_in_mcny: float
    distributed_mcny: float
    nav_mcny: float
    tvpi: float
    dpi: float
    irr: float
    tvpi_outcome: float   # TVPI with the stakes passed in kind at what they came to
    in_kind_outcome_mcny: float   # what those stakes came to (0 for a fund still open)


@dataclass(frozen=True, slots=True)
class PortfolioReturns:
    """What a fund's investments returned, gross of fees."""

    invested_mcny: float       # paid for stakes (rounds and secondaries)
    exit_proceeds_mcny: float  # received for stakes sold (secondaries, M&A, IPO)
    in_kind_mcny: float        # stakes passed to the LPs in kind at the close, at their value
    stakes_mcny: float         # stakes still held, at their last round's post-money
    gross_multiple: float      # (exits + in kind + stakes) / invested; NaN if nothing invested
    invested_share: float      # invested / commitment


def multiple(value_mcny: float, paid_in_mcny: float) -> float:
    """``value_mcny`` per unit the LPs paid in (TVPI, DPI); NaN before they paid anything."""
    return value_mcny / paid_in_mcny if paid_in_mcny else float("nan")


#: The annual IRR of LP flows that paid in and got nothing back: everything lost.
TOTAL_LOSS_IRR = -1.0
#: The annual rates an IRR is searched between (-99.99% to +1,000% a year), and how many
#: rates, evenly spaced in log(1 + rate), are tried when the NPV has the same sign at both.
IRR_LOWEST, IRR_HIGHEST = -0.9999, 10.0
IRR_SCAN_RATES = 64


def _highest_sign_change(
        npv: Callable[[float], float]) -> tuple[tuple[float, float], tuple[float, float]] | None:
    """The highest pair of neighbouring scanned rates between which ``npv`` changes sign,
    each with its NPV, lower first; None if it never does."""
    top, bottom = 1.0 + IRR_HIGHEST, 1.0 + IRR_LOWEST
    steps = IRR_SCAN_RATES - 1
    rates = [top * (bottom / top) ** (i / steps) - 1.0 for i in range(IRR_SCAN_RATES)]
    above = (rates[0], npv(rates[0]))
    for rate in rates[1:]:
        below = (rate, npv(rate))
        if below[1] * above[1] <= 0:
            return below, above
        above = below
    return None


def irr_annual(months: list[float], flows: list[float], stop_early: bool = True) -> float:
    """Annual IRR of dated cash flows (LP view: paid-in negative); -1 (all lost) when
    money went in and nothing came back, or so little that the NPV is negative at every
    rate from -99.99% to +1,000% a year; NaN when nothing went in, or the NPV is positive
    at every such rate.

    A total loss has no rate that zeroes its NPV, but as the returns of a fund it is -100%
    a year, as fund reports count it: left out as undefined (until 2026-12-07), the funds
    that lost everything dropped out of every IRR median, and the median 5-year fund of
    the seed-42 baseline showed -12% a year instead of -35%.
    Bisection on the NPV; ``stop_early=False`` runs all its steps (the same result).
    """
    cash = [float(v) for v in flows]
    if not any(v < 0 for v in cash):
        return float("nan")
    if not any(v > 0 for v in cash):
        return TOTAL_LOSS_IRR
    first = min(months)
    years = [(float(m) - first) / MONTHS_PER_YEAR for m in months]

    def npv(rate: float) -> float:
        # Python floats, not a NumPy array power: NumPy's AVX-512 power rounds otherwise
        # than its other paths, and funds' IRRs changed with the CPU running the model.
        base = 1.0 + rate
        return left_sum([v / base**y for v, y in zip(cash, years, strict=True)])

    lo, hi = IRR_LOWEST, IRR_HIGHEST
    f_lo, f_hi = npv(lo), npv(hi)
    if f_lo * f_hi > 0:
        # The same sign at both ends: calls after the last distribution (a fund that got a
        # little back, then went on paying fees) give two rates or none. The highest rate
        # at which the NPV changes sign is the fund's (at -100% the last calls outweigh
        # everything; until 2026-12-07 such a fund's IRR was left out as undefined).
        bracket = _highest_sign_change(npv)
        if bracket is None:
            # Negative at every rate: what came back is outweighed at any rate by the calls,
            # the last of them after it (a fund that got a few per cent back, then paid
            # fees). Its return is below -99.99% a year, counted as a total loss: until
            # 2026-12-07 it was left out of the IRR medians (an audit found six such funds
            # in one run of 10-year funds, TVPI 0.03-0.06).
            return TOTAL_LOSS_IRR if f_hi < 0 else float("nan")
        (lo, f_lo), (hi, f_hi) = bracket
    for _ in range(BISECTION_STEPS):
        mid = (lo + hi) / 2
        f_mid = npv(mid)
        before = (lo, hi)
        if f_lo * f_mid <= 0:
            hi = mid
        else:
            lo, f_lo = mid, f_mid
        if stop_early and (lo, hi) == before:
            # Floating point has run out of midpoints: every further step would leave the
            # bracket as it is (about 55 of the 200 steps do all the work).
            break
    return (lo + hi) / 2


class Fund:
    """One venture fund, from vintage to close (it acts in :meth:`FundVintages.act`, the
    open funds' one process)."""

    def __init__(
        self,
        world: World,
        cfg: FundsConfig,
        number: int,
        vintage_month: float,
        rng: np.random.Generator,
    ) -> None:
        self.world = world
        self.id = f"fund:{number}"
        self._cfg = cfg
        self._rng = rng
        self.vintage_month = vintage_month
        self.term_years = float(
            rng.uniform(
                cfg.term_years - cfg.term_spread_years, cfg.term_years + cfg.term_spread_years
            )
        )
        self.size_mcny = cfg.size_mcny * float(rng.lognormal(0, cfg.size_sigma))
        self.hurdle = float(rng.normal(cfg.hurdle_mean, cfg.hurdle_sd))
        self.terms = FundTerms(
            vintage_month,
            self.term_years * MONTHS_PER_YEAR,
            cfg.exit_window_years * MONTHS_PER_YEAR,
        )
        self.closed = False
        self.in_kind_mcny = 0.0   # stakes passed to the LPs in kind at the close (value)
        self.commitment = Commitment(world.ledger, self.id, self.size_mcny)
        self._distributions: list[tuple[float, float]] = []   # (month, million CNY) to LPs
        self._reserved = 0.0

    @property
    def cash(self) -> float:
        """Million CNY on the fund's account."""
        return self.world.ledger.balance(self.id)

    def spending_power(self) -> float:
        """Million CNY the fund can spend: its cash plus the capital it can still call."""
        return self.commitment.available_mcny()

    @property
    def end_month(self) -> float:
        """Month the term ends."""
        return self.vintage_month + self.terms.term_months

    @property
    def investing_until_month(self) -> float:
        """Month the fund stops committing to new rounds (:meth:`investing`): the end of its
        investment period or, if earlier, the month only ``min_remaining_years`` of its
        term are left, or the month its exit window would open before the rounds close.
        Before its vintage or its first month in the run when the fund never invests."""
        c = self._cfg
        return min(self.vintage_month + c.investment_period_years * MONTHS_PER_YEAR,
                   self.end_month - c.min_remaining_years * MONTHS_PER_YEAR,
                   self.end_month - self.terms.exit_window_months - TO_THE_CLOSE_MONTHS)

    def raise_from_lps(self) -> None:
        """LPs commit the fund's size at the vintage; they pay it in when it is called."""
        w = self.world
        w.actor_types[self.id] = ActorType.FUND
        w.funding.register_fund(self.id, self.terms, self.commitment, self.fee_reserve)
        w.log.record(
            w.now,
            EventKind.FUND_RAISED,
            self.id,
            ActorType.FUND,
            LPS,
            self.size_mcny,
            reason=f"term {self.term_years:.2f} years, vintage month {self.vintage_month:.1f}",
        )

    def month(self) -> bool:
        """One month of the fund's life; False once its term has ended and it closed."""
        self._reserved = 0.0
        if self.world.now >= self.end_month:
            self.close()
            return False
        self.charge_fee()
        if self.investing():
            self.invest()
        else:
            self.distribute()
        return True

    # ------------------------------------------------------------ activities
    def in_investment_period(self) -> bool:
        """Within its first ``investment_period_years``."""
        return (self.world.now - self.vintage_month
                < self._cfg.investment_period_years * MONTHS_PER_YEAR)

    def investing(self) -> bool:
        """Inside the investment period, with more than ``min_remaining_years`` of its term
        left to exit, and not in its exit window when the rounds it would pay into close
        (:data:`TO_THE_CLOSE_MONTHS` after it acts); false from :attr:`investing_until_month`
        on (at that month itself too: with exactly ``min_remaining_years`` left it still
        invested, until 2026-12-08). A fund that reached its exit window by then sold the
        stake it had just paid for, in the same round, at the secondary discount (until
        2026-12-07; with ``min_remaining_years`` below ``exit_window_years``, most of a
        run's secondary sales)."""
        now = self.world.now
        return (self.in_investment_period()
                and self.terms.remaining(now) > self._cfg.min_remaining_years * MONTHS_PER_YEAR
                and not self.terms.exiting(now + TO_THE_CLOSE_MONTHS))

    def fee_base(self) -> float:
        """Million CNY the management fee is charged on this month: the commitment in the
        investment period; after it, with ``fee_steps_down``, the net invested capital
        (what the fund paid for the stakes it still holds)."""
        if self._cfg.fee_steps_down and not self.in_investment_period():
            return self.world.funding.net_invested(self.id)
        return self.size_mcny

    def charge_fee(self) -> None:
        """Management fee to the general partner (on :meth:`fee_base`), paid from cash or
        called from the LPs."""
        w = self.world
        fee = min(
            self.fee_base() * self._cfg.management_fee_per_year / MONTHS_PER_YEAR,
            max(self.spending_power(), 0.0),
        )
        self.commitment.cover(w.now, fee)
        w.ledger.transfer(w.now, self.id, GP_FEES, fee, "management_fee")

    def fee_reserve(self) -> float:
        """Spending power kept back for the fees of the rest of the term, at this month's
        :meth:`fee_base` (in the investment period the GP cannot know what it will hold
        when the period ends, so it keeps back fees on the whole commitment).

        Read after the month's fee is paid (the fund pays it first thing in its month, and
        the funding market's close comes later in the month), it counts the months the
        fund will still pay for: those that start before the term ends, this one not
        again. Until 2026-12-07 it counted this month too, and the fund kept one month's
        fee it never paid, released to its LPs only at the close."""
        months_left = max(math.ceil(self.terms.remaining(self.world.now)) - 1, 0)
        return self.fee_base() * self._cfg.management_fee_per_year / MONTHS_PER_YEAR * months_left

    def dry_powder(self) -> float:
        """Spending power (cash and capital still to call) free to commit this month."""
        return self.spending_power() - self._reserved - self.fee_reserve()

    def invest(self) -> None:
        """Answer this month's raise requests that clear the hurdle: lead or follow, at most
        ``max_new_deals_per_month`` of them (the partners' bandwidth; None: no limit).

        Every term sheet counts against that limit, a follow-on in a company the fund
        already holds as much as a first ticket: each is a deal its partners work (diligence,
        terms, a board seat). A fund answers a request once a month, so the term sheets it
        commits are the companies it commits to. Without a limit the first fund in the
        month's order led nearly every round clearing its hurdle."""
        w = self.world
        f = w.funding
        c = self._cfg
        book = f.open_book()
        requests = book.requests
        # Requests in a random order of the fund's own, those below its hurdle or already
        # fully committed left out at once (in a hot market most of thousands are; the order
        # of the rest is the same, and a full round would get no ticket below).
        order = self._rng.permutation(len(requests))
        clearing = order[~(book.scores[order] < self.hurdle)
                         & (book.rooms()[order] > 0)].tolist()
        # A term sheet moves no money until the close and the clock stands still, so the
        # spending power and the fee reserve are read once; only what is reserved grows.
        cash, fee_reserve = self.spending_power(), self.fee_reserve()
        max_position = c.max_position_share * self.size_mcny
        deals = 0   # term sheets committed this month
        for k in clearing:
            if c.max_new_deals_per_month is not None and deals >= c.max_new_deals_per_month:
                break   # the partners have no time for another deal this month
            dry_powder = cash - self._reserved - fee_reserve   # :meth:`dry_powder`
            # It only shrinks: no ticket for this or any later request. Below one CNY it is
            # the rounding left of cash less what is kept back, which no ticket can spend
            # (adding 1e-14 to what is reserved leaves it as it was): such a fund led rounds
            # with term sheets of 1e-14, one after another.
            if dry_powder < ONE_CNY_MCNY:
                break
            req = requests[k]
            room = req.target_mcny - f.committed(req.startup)
            lead = not f.has_lead(req.startup)
            share = f.ticket_share(lead)
            position = max_position - f.cost_basis(self.id, req.startup)
            ticket = min(share * req.target_mcny, room, position, dry_powder)
            if ticket < ONE_CNY_MCNY:   # nothing the ledger could move (a full round's residue)
                continue
            f.commit(TermSheet(self.id, req.startup, ticket, lead))
            self._reserved += ticket
            deals += 1

    def distribute(self) -> None:
        """Pass spending power beyond the fee reserve back to the LPs: cash as a
        distribution, the rest by releasing commitments not yet called."""
        w = self.world
        excess = self.spending_power() - self.fee_reserve()
        if excess > 0:
            cash = self.commitment.pay_back(w.now, excess, "distribution")
            if cash:
                self._distributions.append((w.now, cash))

    def close(self) -> None:
        """Term over: pass the unsold stakes to the LPs in kind, return the cash, release
        the commitments never called, close."""
        w = self.world
        in_kind = w.funding.distribute_in_kind(self.id)
        self.in_kind_mcny = in_kind.value_mcny
        cash = self.commitment.pay_back(w.now, max(self.spending_power(), 0.0),
                                        "final_distribution")
        self._distributions.append((w.now, cash))
        if in_kind.value_mcny > 0:   # a distribution like the cash, though no money moves
            self._distributions.append((w.now, in_kind.value_mcny))
        self.closed = True
        w.log.record(
            w.now,
            EventKind.FUND_CLOSED,
            self.id,
            ActorType.FUND,
            LPS,
            cash,
            valuation_mcny=self.tvpi(),
            reason=(f"in kind to LPs: {in_kind.value_mcny:.1f} "
                    f"(cost {in_kind.cost_mcny:.1f})"),
        )

    # ------------------------------------------------------------ performance
    def stakes_value(self) -> float:
        """Stakes still held at their last round's post-money (million CNY; 0 once closed:
        what it could not sell went to its LPs in kind)."""
        if self.closed:
            return 0.0
        f = self.world.funding
        return left_sum(share * f.last_post_money(s) for s, share in f.holdings(self.id).items())

    def nav(self) -> float:
        """Cash plus stakes at their last round's post-money (million CNY)."""
        if self.closed:
            return 0.0
        return max(self.cash, 0.0) + self.stakes_value()

    def _lp_flows(self) -> list[tuple[float, float]]:
        """The LPs' dated flows (month, million CNY): capital calls paid in (negative),
        then distributions (positive)."""
        return [(m, -v) for m, v in self.commitment.calls] + self._distributions

    def _paid_in_and_distributed(self) -> tuple[float, float]:
        """Million CNY the LPs paid in (capital called), and million CNY passed back to
        them so far."""
        paid = left_sum(v for _, v in self.commitment.calls)
        dist = left_sum(v for _, v in self._distributions if v > 0)
        return paid, dist

    def tvpi(self) -> float:
        """Total value (distributions plus NAV) to paid-in: the multiple a closing fund
        reports (without the IRR of :meth:`returns`, a bisection the close does not need)."""
        paid, dist = self._paid_in_and_distributed()
        return multiple(dist + self.nav(), paid)

    def returns(self) -> FundReturns:
        """TVPI, DPI and annual IRR from the LPs' dated cash flows and the NAV; and TVPI
        with the stakes passed in kind at the close valued at what they came to by now
        (:meth:`~sim.markets.funding.FundingMarket.in_kind_outcome`), not at the close."""
        paid, dist = self._paid_in_and_distributed()
        nav = self.nav()
        lp_flows = self._lp_flows()
        months = [m for m, _ in lp_flows]
        flows = [v for _, v in lp_flows]
        if nav > 0:
            months.append(self.world.now)
            flows.append(nav)
        in_kind = self.world.funding.in_kind_outcome(self.id)
        return FundReturns(
            paid,
            dist,
            nav,
            multiple(dist + nav, paid),
            multiple(dist, paid),
            irr_annual(months, flows),
            multiple(dist - self.in_kind_mcny + in_kind + nav, paid),
            in_kind,
        )

    def portfolio(self, flows: AccountFlows | None) -> PortfolioReturns:
        """The gross multiple of what the fund invested, from its ledger ``flows`` over the
        run (None: it moved no money): what it got for stakes sold, passed to its LPs in
        kind and still holds, per CNY it paid for stakes. TVPI also counts the fees, which
        the LPs pay in as the fund calls them: a fund that found few deals paid in mostly
        fees, whatever its deals did."""
        invested = flows.paid(*STAKE_PURCHASES) if flows else 0.0
        proceeds = flows.received(*STAKE_SALES) if flows else 0.0
        stakes = self.stakes_value()
        return PortfolioReturns(invested, proceeds, self.in_kind_mcny, stakes,
                                multiple(proceeds + self.in_kind_mcny + stakes, invested),
                                invested / self.size_mcny)


class FundVintages:
    """The funds alive at the start, then new vintages as hype rises (claim 6); each month
    the open funds act one after another, in a random order.

    The order matters: a round has room for a few tickets, and the first funds to answer
    take it. In a fixed order (each fund its own process, so the oldest first) the same
    dozen funds led and filled every round while most others never invested at all.
    """

    def __init__(self, world: World, cfg: FundsConfig) -> None:
        self._world = world
        self._cfg = cfg
        self._rng = world.streams.get("vintage")
        self._order = world.streams.get("fund_order")
        self.funds: list[Fund] = []
        self._open: list[Fund] = []   # not closed yet, in the order they were started

    def _start(self, vintage_month: float) -> None:
        number = len(self.funds)
        fund = Fund(
            self._world, self._cfg, number, vintage_month, self._world.streams.get("fund", number)
        )
        self.funds.append(fund)
        self._open.append(fund)
        fund.raise_from_lps()

    def month(self) -> None:
        """Every open fund's month (fees, investing or distributing, closing), in an order
        drawn afresh each month."""
        open_funds = self._open
        closed: set[int] = set()
        for k in self._order.permutation(len(open_funds)).tolist():
            if not open_funds[k].month():
                closed.add(k)
        if closed:
            self._open = [f for k, f in enumerate(open_funds) if k not in closed]

    def rate(self) -> float:
        """Expected new funds per month at the current hype."""
        return (
            self._cfg.vintage_rate_per_month
            * self._world.hype.level**self._cfg.vintage_hype_elasticity
        )

    def run(self) -> Generator[simpy.Event, None, None]:
        """Seed the initial funds (vintages over the past ``investment_period_years``), then
        add vintages monthly;
        the open funds act in a process of their own (:meth:`act`)."""
        env = self._world.env
        period = self._cfg.investment_period_years * MONTHS_PER_YEAR
        for _ in range(self._cfg.initial_count):
            self._start(-float(self._rng.uniform(0, period)))
        env.process(self.act())
        yield env.timeout(Phase.ENTRY)
        while True:
            new = entrants(self._rng, self.rate(), len(self.funds), self._cfg.max_founded,
                           "funds.max_founded", self._world, "new funds grow with hype "
                           "(funds.vintage_rate_per_month, funds.vintage_hype_elasticity)")
            for _ in range(new):
                self._start(self._world.now)
            yield env.timeout(1)

    def act(self) -> Generator[simpy.Event, None, None]:
        """The open funds' months, at :attr:`Phase.FUNDS`."""
        env = self._world.env
        yield env.timeout(Phase.FUNDS)
        while True:
            self.month()
            yield env.timeout(1)
