"""Enterprise buyers: one NumPy population advanced by one SimPy process (claim 5).

Segments (seeds 000, 002, 004): government/SOE, large digitised firms,
traditional firms, SMEs. Each buyer has a digitisation level, a monthly AI
budget, a hallucination tolerance, a need for private deployment, a
resistance to tools that cut headcount and a price sensitivity.

A buyer values a vendor's model at

    U = value_multiple * sigmoid((capability - midpoint) / width)
        * (1 - headcount_resistance * staff_cut_share) [* api_value_factor]
        - price_sensitivity * price / budget
        - hallucination_rate * (1 - tolerance) * hallucination_cost
        - (1 - digitisation) * integration_cost
        [- switching_cost when leaving the current vendor]

all in units of the buyer's monthly budget; it adopts the best vendor when U > 0.
Buyers who need private deployment (or prefer custom projects) issue tenders
and award the best bid; the rest subscribe to an API. Contracts pay monthly
until their term ends; subscribers churn.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from dataclasses import dataclass, field
from itertools import repeat

import numpy as np
import simpy

from sim.config import MONTHS_PER_YEAR, SEGMENTS, BuyersConfig
from sim.events import ActorType, EventKind
from sim.ledger import CNY_PER_MCNY
from sim.markets.procurement import EnterpriseMarket
from sim.messages import Bid, Offer, by_field
from sim.world import Phase, World

#: A buyer's channel (``BuyerPopulation.channel``): no vendor, an API subscription, a contract.
NONE, API, CONTRACT = 0, 1, 2
#: A payment group's channel, the lowest bit of its index (:meth:`PaymentGroups.key`): not
#: the buyers' codes above, so that a group index is (vendor, segment) * 2 + channel.
GROUP_API, GROUP_CONTRACT = 0, 1
_SEGMENT_NAMES = np.array(SEGMENTS, dtype=object)
_PAYERS_ARRAY = np.array([f"ext:buyers:{segment}" for segment in SEGMENTS], dtype=object)
#: Ledger reason of a payment group, by its channel: GROUP_API, GROUP_CONTRACT.
_PAYMENT_REASONS = np.array(["api_payment", "contract_payment"], dtype=object)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    """The logistic function. Far below the midpoint ``exp(-x)`` overflows to inf and the
    value is 0, its limit: NumPy's overflow warning there would only alarm the user."""
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-x))


def dominators(value: np.ndarray, halluc: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """For each column, how many earlier columns dominate it.

    Column k dominates a later column j when it is worth at least as much, hallucinates
    no more and costs no more. Utility rises with value and falls with hallucination and
    cost for every buyer, and IEEE rounding is monotone, so k's utility is never below
    j's: NumPy's argmax (first maximum) never picks a dominated column, which can be
    left out. A column with two earlier dominators can be left out even when one of
    them is excluded later (a buyer's current vendor, say). NaN never dominates.
    """
    dominated = ((value[:, None] >= value[None, :]) & (halluc[:, None] <= halluc[None, :])
                 & (cost[:, None] <= cost[None, :]))
    order = np.arange(len(value))
    dominated &= order[:, None] < order[None, :]   # only earlier columns count
    return dominated.sum(axis=0)


#: Most dominators a pruning asks about: one (a buyer choosing afresh leaves out a
#: column with one earlier dominator) or two (a subscriber's current vendor is left out).
MOST_RIVALS = 2
#: The smallest segment mean an attribute's noise scales with (attribute_sd times the
#: mean): a segment whose mean is 0 still has buyers spread about it.
ATTRIBUTE_SCALE_FLOOR = 0.05
#: How many of the best columns in value, in hallucination and in cost screen the rest.
SCREEN_PICKS = 8
#: Most columns in the screen: the best in value, in hallucination and in cost.
SCREEN_COLUMNS = 3 * SCREEN_PICKS


def few_dominators(
    value: np.ndarray, halluc: np.ndarray, cost: np.ndarray, cap: int = MOST_RIVALS
) -> np.ndarray:
    """:func:`dominators` where it is below ``cap``, and ``cap`` or more where it is not,
    without comparing every pair of columns.

    A screen of columns (the :data:`SCREEN_PICKS` best in value, in hallucination and in
    cost) is compared with every column; a column that ``cap`` screen columns dominate
    is out. The rest are compared among themselves and the screen. That count is exact
    when below ``cap``: dominance is transitive, so a dominator left out (a column
    ``cap`` screen columns dominate) brings its ``cap`` screen dominators, earlier still,
    which dominate the column too. At 100,000 buyers this is a (24 x 300) and a
    (60 x 60) comparison where every pair would be (300 x 300).
    """
    if value.size <= SCREEN_PICKS:
        return dominators(value, halluc, cost)
    screen = np.zeros(value.size, dtype=bool)
    for key in (-value, halluc, cost):   # any screen gives the same answer, a good one sooner
        screen[np.argpartition(key, SCREEN_PICKS - 1)[:SCREEN_PICKS]] = True
    by = np.flatnonzero(screen)
    counts = ((value[by][:, None] >= value[None, :]) & (halluc[by][:, None] <= halluc[None, :])
              & (cost[by][:, None] <= cost[None, :])
              & (by[:, None] < np.arange(value.size)[None, :])).sum(axis=0)
    pool = np.flatnonzero(screen | (counts < cap))   # in order, so "earlier" is kept
    counts[pool] = dominators(value[pool], halluc[pool], cost[pool])
    return counts


def candidates(
    value: np.ndarray, halluc: np.ndarray, cost: np.ndarray, rivals: int = 1
) -> np.ndarray:
    """Columns (in order) that fewer than ``rivals`` (at most :data:`MOST_RIVALS`)
    earlier columns dominate."""
    return np.flatnonzero(few_dominators(value, halluc, cost) < rivals)


def choose(u: np.ndarray, taste: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Each row's chosen column and its best utility, from a (rows x columns) utility matrix.

    Whether a row signs is decided by its best utility (> 0); which column it takes is,
    with ``taste`` > 0, a logit among the columns worth having, the committee's own
    judgment of each bid: column j with probability ``exp(u_j / taste)`` over the sum of
    ``exp(u_k / taste)`` for the columns with ``u_k > 0``. It is drawn with one uniform
    per row against the cumulative weights (until the twenty-fourth session, as the
    utility plus a Gumbel draw of scale ``taste`` for every cell: the same law, a draw
    per cell). With ``taste`` 0 the first best column wins (NumPy's argmax) and nothing
    is drawn.
    """
    top = u.max(axis=1)
    if taste == 0:
        return u.argmax(axis=1), top
    weight = u - top[:, None]   # scaled by the best: no overflow
    weight /= taste
    np.exp(weight, out=weight)
    weight[u <= 0] = 0.0
    cumulative = np.cumsum(weight, axis=1, out=weight)
    draw = rng.random(u.shape[0]) * cumulative[:, -1]
    # The first column whose cumulative weight passes the draw (a row with nothing worth
    # having has no weight: its pick is the first column, and its top says it signs none).
    return (cumulative > draw[:, None]).argmax(axis=1), top


def bernoulli_positions(rng: np.random.Generator, n: int, p: float,
                        batch: int | None = None) -> np.ndarray:
    """The indices (ascending) among ``0 .. n - 1`` that each come up, independently,
    with probability ``p``: the same law as ``np.flatnonzero(rng.random(n) < p)``, drawn
    as geometric gaps between them, so about ``n * p`` draws instead of ``n``.

    The gaps are drawn in batches of ``batch`` (None: enough to reach ``n`` at once in
    all but about one call in 30,000); the answer does not depend on it."""
    if n <= 0 or p <= 0:
        return np.zeros(0, dtype=np.int64)
    if p >= 1:
        return np.arange(n, dtype=np.int64)
    found: list[np.ndarray] = []
    last = -1   # the last index drawn so far
    while True:
        left = n - 1 - last
        size = batch or int(left * p + 4 * math.sqrt(left * p) + 16)
        at = last + np.cumsum(rng.geometric(p, size=size))
        inside = at[at < n]
        found.append(inside)
        if inside.size < at.size:
            return np.concatenate(found) if len(found) > 1 else inside
        last = int(at[-1])


def worth_pruning(buyers: int, columns: int) -> bool:
    """Prune dominated columns only when there are more buyers than columns in the screen.

    Pruning (:func:`few_dominators`) costs about a (screen x columns) comparison, scoring
    a (buyers x columns) one; the answer is the same either way, so this only decides
    which is cheaper.
    """
    return buyers > min(columns, SCREEN_COLUMNS)


@dataclass(frozen=True)
class OfferTable:
    """This month's API offers: vendor ids, gross value and hallucination by domain
    (vendors x domains), each vendor's API price (CNY per million tokens, and as a
    share of budget), and each vendor's column by name."""

    month: float
    offers: list[Offer]
    ids: np.ndarray
    value: np.ndarray
    halluc: np.ndarray
    price_cny_per_mtok: np.ndarray
    share: np.ndarray
    column: dict[str, int]
    _dominators: dict[int, np.ndarray] = field(default_factory=dict)

    def candidates(self, domain: int, rivals: int) -> np.ndarray:
        """Columns fewer than ``rivals`` (at most :data:`MOST_RIVALS`) earlier columns
        dominate in ``domain``; the counts are kept for the rest of the month."""
        counts = self._dominators.get(domain)
        if counts is None:
            counts = few_dominators(self.value[:, domain], self.halluc[:, domain], self.share)
            self._dominators[domain] = counts
        return np.flatnonzero(counts < rivals)


class PaymentGroups:
    """What the buyers pay their vendors each month, kept as running sums by group.

    A group is one (vendor, segment, channel) of buyers: its members, their summed
    monthly budget (million CNY; what an API group's usage is bought with), contract
    instalments and delivered project value (million CNY per month). Contract clients
    are also counted by (vendor, domain). A buyer joins its group when it signs and
    leaves it when its contract or subscription ends or its vendor is taken over, so
    the month's payments are read off the groups, not summed again over every paying
    buyer. A group whose last member leaves is reset to exact zeros, and no sum is left
    below zero (no rounding residue from the subtractions).
    """

    def __init__(self, segments: int, domains: int) -> None:
        self._segments = segments
        self._domains = domains
        self.vendors = 0   # vendor ids the arrays hold (0 .. vendors - 1)
        self.members = np.zeros(0, dtype=np.int64)
        self.budget = np.zeros(0)
        self.instalments = np.zeros(0)
        self.project_value = np.zeros(0)
        self.contracts = np.zeros(0, dtype=np.int64)   # clients by (vendor, domain)
        self.adopters = np.zeros(segments, dtype=np.int64)   # members by segment

    def key(self, group: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Vendor, segment and channel (:data:`GROUP_CONTRACT` or :data:`GROUP_API`) of each
        group index."""
        vendor, segment = np.divmod(group >> 1, self._segments)
        return vendor, segment, group & 1

    def adopters_by_segment(self) -> np.ndarray:
        """Buyers with a vendor (any channel) in each segment, counted as they move."""
        return self.adopters.copy()

    def _hold(self, vendors: int) -> None:
        """Make room for vendor ids below ``vendors`` (doubling, as vendors are founded)."""
        if vendors <= self.vendors:
            return
        grown = max(vendors, 2 * self.vendors)
        per_group, per_pair = self._segments * 2, self._domains
        for name, per in (("members", per_group), ("budget", per_group),
                          ("instalments", per_group), ("project_value", per_group),
                          ("contracts", per_pair)):
            old = getattr(self, name)
            new = np.zeros(grown * per, dtype=old.dtype)
            new[:old.size] = old
            setattr(self, name, new)
        self.vendors = grown

    def move(self, sign: int, vendor: np.ndarray, segment: np.ndarray, contract: np.ndarray,
             domain: np.ndarray, budget: np.ndarray, instalment: np.ndarray,
             project_value: np.ndarray) -> None:
        """Buyers join (``sign`` +1) or leave (-1) their groups; one entry per buyer."""
        if vendor.size == 0:
            return
        self._hold(int(vendor.max()) + 1)
        keys = (vendor.astype(np.int64) * self._segments + segment) * 2 + contract
        # ufunc.at: a few hundred buyers move at a time, against thousands of groups.
        at = np.add.at if sign > 0 else np.subtract.at
        at(self.members, keys, 1)
        at(self.budget, keys, budget)
        at(self.instalments, keys, instalment)
        at(self.project_value, keys, project_value)
        at(self.adopters, segment, 1)
        if sign < 0:
            # Sums of amounts >= 0: a group left empty holds exact zeros, and one whose
            # members left pay nothing (a zero-price bid) holds zero, not the rounding
            # residue of the subtractions, which can be below zero (0.3 + 0.6 - 0.3 - 0.6).
            emptied = self.members[keys] == 0
            for sums in (self.budget, self.instalments, self.project_value):
                sums[keys] = np.where(emptied, 0.0, np.maximum(sums[keys], 0.0))
        if contract.any():
            pairs = vendor[contract].astype(np.int64) * self._domains + domain[contract]
            at(self.contracts, pairs, 1)


class BuyerPopulation:
    """All enterprise buyers as arrays (one row per buyer)."""

    def __init__(self, world: World, cfg: BuyersConfig) -> None:
        self.world = world
        self._cfg = cfg
        rng = world.streams.get("buyers")
        self._rng = rng
        # Tender committees judge from a stream of their own: how many bids a month brings
        # (and so how many draws) then leaves the buyers' other draws where they were.
        self._judgment_rng = world.streams.get("procurement")
        n = cfg.count
        self.n = n
        self.segment = rng.choice(len(SEGMENTS), size=n, p=cfg.segment_shares).astype(np.int8)
        self.domain = rng.choice(len(cfg.domain_shares), size=n,
                                 p=cfg.domain_shares).astype(np.int16)
        sd = cfg.attribute_sd

        def draw(means: list[float], lo: float = 0.0, hi: float = 1.0) -> np.ndarray:
            m = np.asarray(means)[self.segment]
            return np.clip(m + rng.normal(0, sd, n) * np.maximum(m, ATTRIBUTE_SCALE_FLOOR), lo, hi)

        self.digitization = draw(cfg.digitization)
        self.tolerance = draw(cfg.hallucination_tolerance)
        self.resistance = draw(cfg.headcount_resistance)
        self.price_sensitivity = draw(cfg.price_sensitivity, 0.0, np.inf)
        budget_mean = np.asarray(cfg.budget_mcny_per_month)[self.segment]
        # math.exp, not np.exp: NumPy's AVX-512 exp rounds otherwise (attribute_sd 0.28 gave
        # every buyer another budget on such a CPU), and one number needs no array.
        sigma = cfg.budget_sigma
        # million CNY a month each buyer may spend on AI (lognormal, its segment's mean)
        self.budget = budget_mean * rng.lognormal(0, sigma, n) / math.exp(sigma**2 / 2)
        self.private = rng.random(n) < np.asarray(cfg.privacy_need)[self.segment]
        self.tender_propensity = np.asarray(cfg.tender_propensity)[self.segment]
        self.vendor = np.full(n, -1, dtype=np.int32)
        self.channel = np.zeros(n, dtype=np.int8)
        self.contract_end = np.full(n, np.inf)   # month a contract's term ends (inf: none)
        self.payment = np.zeros(n)         # million CNY a month: a contract's instalment
        self.project_value = np.zeros(n)   # million CNY a month a contract delivers
        self.pending = np.zeros(n, dtype=bool)
        self.previous = np.full(n, -1, dtype=np.int32)
        # buyers who look at the market this month whatever their chance: a project's
        # term is over, or their vendor went bankrupt
        self.looking_again = np.zeros(n, dtype=bool)
        self._domain_names = np.array(world.domains, dtype=object)
        self._table: OfferTable | None = None
        self._departures_seen = 0  # vendors that left, followed so far
        self._segment_size = np.bincount(self.segment, minlength=len(SEGMENTS))
        self._groups = PaymentGroups(len(SEGMENTS), len(world.domains))
        # Work array for the month's lookers, reused: a fresh array of population size
        # each month would be fresh memory from the system (page faults cost more).
        self._chosen = np.empty(n, dtype=bool)

    # ------------------------------------------------------------ valuation
    def usage_growth(self) -> float:
        """How many times the tokens a unit of budget used at month 0 it uses this month
        (usage grows by ``usage_growth_per_year``, compounded)."""
        return (1 + self._cfg.usage_growth_per_year) ** (self.world.now / MONTHS_PER_YEAR)

    def usage_mtok(self, budget_mcny: np.ndarray) -> np.ndarray:
        """Million tokens a month that API buyers with ``budget_mcny`` (million CNY a month,
        one buyer's or several buyers' summed) use this month."""
        return budget_mcny * self._cfg.usage_mtok_per_mcny * self.usage_growth()

    def utility(
        self,
        idx: np.ndarray,
        capability: np.ndarray,
        hallucination: np.ndarray,
        price_share: np.ndarray,
        api: bool,
    ) -> np.ndarray:
        """Value minus price minus hallucination risk minus integration cost (budget units).

        ``capability``, ``hallucination`` and ``price_share`` are (buyers x vendors).
        """
        return self._utility(idx, self._value(capability), hallucination, price_share, api)

    def _value(self, capability: np.ndarray) -> np.ndarray:
        """Gross value of a model of ``capability`` (budget units, before resistance)."""
        c = self._cfg
        return c.value_multiple * _sigmoid((capability - c.capability_midpoint)
                                           / c.capability_width)

    def _utility(
        self,
        idx: np.ndarray,
        value: np.ndarray,
        hallucination: np.ndarray,
        price_share: np.ndarray,
        api: bool,
    ) -> np.ndarray:
        """:meth:`utility` from the gross value (elementwise the same: vendors' value per
        domain is computed once for the small (vendors x domains) table, then gathered)."""
        c = self._cfg
        # The same operations in the same order as the formula, on fresh (buyers x vendors)
        # arrays updated in place: half as many matrices allocated. Buyers' attributes are
        # gathered, then given an axis: x[idx][:, None] is a plain gather, x[idx, None] a
        # mixed index about three times slower, and this runs for every small group of
        # buyers or tenders (thousands of calls a run).
        u = value * (1 - self.resistance[idx][:, None] * c.staff_cut_share)
        if api:
            u *= c.api_value_factor
        risk = hallucination * (1 - self.tolerance[idx][:, None])
        risk *= c.hallucination_cost
        integration = (1 - self.digitization[idx][:, None]) * c.integration_cost
        u -= self.price_sensitivity[idx][:, None] * price_share
        u -= risk
        u -= integration
        return u

    # ------------------------------------------------------------ process
    def run(self) -> Generator[simpy.Event, None, None]:
        """Each month: follow vendors' exits, award tenders, end contracts, churn, adopt, pay."""
        w = self.world
        yield w.env.timeout(Phase.BUYERS)
        while True:
            offers = w.enterprise.offers()
            self.follow_vendor_exits()
            self.award_tenders(offers)
            self.end_contracts()
            self.review_subscriptions(offers)
            self.consider_adoption(offers)
            self.pay_vendors(offers)
            yield w.env.timeout(1)

    def _names(self, idx: np.ndarray) -> dict[str, np.ndarray]:
        """Segment and domain names of buyers ``idx`` (event columns)."""
        return {"segment": _SEGMENT_NAMES[self.segment[idx]],
                "domain": self._domain_names[self.domain[idx]]}

    def _end(self, idx: np.ndarray, reason: str) -> None:
        w = self.world
        w.log.record_batch(
            w.now,
            EventKind.CONTRACT_ENDED,
            "buyer:",
            idx,
            ActorType.BUYER,
            w.enterprise.vendor_names()[self.vendor[idx]],
            channel=np.where(self.channel[idx] == API, "api", "contract"),
            reason=reason,
            **self._names(idx),
        )
        self._regroup(idx, -1)
        self._clear(idx)

    def _regroup(self, idx: np.ndarray, sign: int) -> None:
        """Buyers ``idx`` (each with a vendor) join (``sign`` +1) or leave (-1) their
        payment groups (:class:`PaymentGroups`)."""
        self._groups.move(sign, self.vendor[idx], self.segment[idx],
                          self.channel[idx] == CONTRACT, self.domain[idx], self.budget[idx],
                          self.payment[idx], self.project_value[idx])

    def _clear(self, idx: np.ndarray) -> None:
        """Buyers ``idx`` no longer have a vendor (their payment groups are left by the
        caller: :meth:`_end`, :meth:`_switch`)."""
        self.previous[idx] = self.vendor[idx]
        self.vendor[idx] = -1
        self.channel[idx] = NONE
        self.contract_end[idx] = np.inf
        self.payment[idx] = 0.0
        self.project_value[idx] = 0.0

    def _set_contracts(
        self,
        idx: np.ndarray,
        vendor: np.ndarray,
        price_mcny: np.ndarray,
        term: np.ndarray,
        value_mcny: np.ndarray,
    ) -> None:
        """Buyers ``idx`` (distinct) sign projects: price and value over ``term`` months."""
        self.vendor[idx] = vendor
        self.channel[idx] = CONTRACT
        self.contract_end[idx] = self.world.now + term
        self.payment[idx] = price_mcny / term
        self.project_value[idx] = value_mcny / term
        self.looking_again[idx] = False
        self._regroup(idx, +1)

    def _set_subscriptions(self, idx: np.ndarray, vendor: np.ndarray) -> None:
        """Buyers ``idx`` (distinct) subscribe to ``vendor``'s API."""
        self.vendor[idx] = vendor
        self.channel[idx] = API
        self.contract_end[idx] = np.inf
        self.payment[idx] = 0.0
        self.project_value[idx] = 0.0
        self.looking_again[idx] = False
        self._regroup(idx, +1)

    def _log_signed(self, idx: np.ndarray, vendor: np.ndarray, channel: int,
                    price_mcny: np.ndarray | float) -> None:
        w = self.world
        w.log.record_batch(
            w.now,
            EventKind.CONTRACT_SIGNED,
            "buyer:",
            idx,
            ActorType.BUYER,
            w.enterprise.vendor_names()[vendor],
            price_mcny if channel == CONTRACT else np.nan,
            channel="contract" if channel == CONTRACT else "api",
            **self._names(idx),
        )

    def follow_vendor_exits(self) -> None:
        """Clients of an acquired vendor move to the acquirer; a bankrupt vendor's clients
        leave it and look at the market again at once, as a buyer whose project's term is
        over does (:meth:`end_contracts`). Until 2026-12-07 they waited for a look by chance
        like any non-adopter: two-thirds of the seed-42 baseline's 226 never came back.

        Only vendors that left since last month can have clients: a vendor that left has
        no offer and no bid, so nobody signs with it again once its clients are gone.
        """
        m: EnterpriseMarket = self.world.enterprise
        left = m.departures(self._departures_seen)
        self._departures_seen += len(left)
        for v in sorted(m.vendor_index(name) for name in left if m.has_offered(name)):
            clients = np.flatnonzero(self.vendor == v)
            if clients.size == 0:
                continue
            heir = m.successor(m.vendor_name(v))
            if heir is not None:
                self._regroup(clients, -1)
                self.vendor[clients] = m.vendor_index(heir)
                self._regroup(clients, +1)
            else:
                self._end(clients, "vendor_exit")
                self.looking_again[clients] = True

    def award_tenders(self, offers: list[Offer]) -> None:
        """Award every closing tender whose best bid has a positive utility: to that bid, or
        with ``tender_taste`` to one of the bids worth having, by logit (:func:`choose`).

        Only bids of vendors with an offer among ``offers`` (this month's) count; a bid's
        value and hallucination are its vendor's row of the month's offer table. The
        month's tenders are scored a (domain, privacy) group at a time against the bids
        that could win any of them: a (tenders x bids) matrix per group.
        """
        w = self.world
        m = w.enterprise
        tenders, bids = m.collect_bids()
        if not tenders:
            return
        buyer = tenders.buyer
        self.pending[buyer] = False
        if not offers:
            return
        table = self._offer_table(offers)
        if not bids:
            return
        # The bids field by field (messages are named tuples), then those of vendors with
        # an offer this month (a column of the table), in the order they were put.
        field = by_field(bids, Bid)
        vendors, shares = field["vendor"], field["price_share"]
        listed, private_oks = field["domains"], field["private_ok"]
        column_of = table.column
        column = np.fromiter(map(column_of.get, vendors, repeat(-1)), dtype=np.intp,
                             count=len(vendors))
        live = column >= 0
        if not live.any():
            return
        column = column[live]
        value_table, halluc, vendor = table.value[column], table.halluc[column], table.ids[column]
        share = np.array(shares)[live]
        private_ok = np.array(private_oks)[live]
        # Bids name few distinct sets of domains (None: all): each set's domains served,
        # then every live bid's set (bids x domains).
        kind_of = {ds: k for k, ds in enumerate(dict.fromkeys(listed))}
        served = np.zeros((len(kind_of), value_table.shape[1]), dtype=bool)
        for ds, k in kind_of.items():
            served[k, slice(None) if ds is None else list(ds)] = True
        kind = np.fromiter(map(kind_of.__getitem__, listed), dtype=np.intp, count=len(listed))
        serves = served[kind[live]]
        domain, value, term, private = (tenders.domain, tenders.value_mcny, tenders.term_months,
                                        tenders.private)
        prev = self.previous[buyer]
        best = np.zeros(len(tenders), dtype=np.int64)
        top = np.full(len(tenders), -np.inf)
        # Tenders a (domain, privacy) group at a time, against the eligible bids no
        # earlier one dominates, and the bids of the group's buyers' previous vendors
        # (which escape the switching cost, so they may beat a bid that dominates them).
        group = domain.astype(np.int64) * 2 + private
        for g in np.unique(group).tolist():
            rows = np.flatnonzero(group == g)
            d, needs_private = divmod(g, 2)
            eligible = np.flatnonzero(serves[:, d] & (private_ok | (not needs_private)))
            if eligible.size == 0:
                continue
            cols = eligible
            # With a taste term any qualifying bid may win, so none can be left out.
            if self._cfg.tender_taste == 0 and worth_pruning(rows.size, eligible.size):
                keep = np.zeros(eligible.size, dtype=bool)
                keep[candidates(value_table[eligible, d], halluc[eligible, d],
                                share[eligible])] = True
                keep |= np.isin(vendor[eligible], prev[rows])
                cols = eligible[keep]
            price = (value[rows][:, None] * share[cols][None, :] / term[rows][:, None]
                     / self.budget[buyer[rows]][:, None])
            u = self._utility(buyer[rows], value_table[cols, d][None, :], halluc[cols, d][None, :],
                              price, api=False)
            p = prev[rows][:, None]
            u -= self._cfg.switching_cost * ((p >= 0) & (vendor[cols][None, :] != p))
            pick, top[rows] = choose(u, self._cfg.tender_taste, self._judgment_rng)
            best[rows] = cols[pick]
        won = np.flatnonzero(top > 0)
        if won.size == 0:
            return
        chosen = best[won]
        who, winner, price = buyer[won], vendor[chosen], value[won] * share[chosen]
        self._set_contracts(who, winner, price, term[won], value[won])
        self._log_signed(who, winner, CONTRACT, price)

    def end_contracts(self) -> None:
        """Projects whose term is over end; the buyer will tender again."""
        due = np.flatnonzero((self.channel == CONTRACT) & (self.contract_end <= self.world.now))
        if due.size:
            self._end(due, "term_end")
            self.looking_again[due] = True

    def _offer_table(self, offers: list[Offer]) -> OfferTable:
        """This month's API offers as arrays (vendors x domains, and per vendor)."""
        now = self.world.now
        cached = self._table
        if cached is not None and cached.month == now and cached.offers is offers:
            return cached
        # The offers field by field (messages are named tuples): one pass in C, not one
        # Python loop per field over some 300 offers a month.
        field = by_field(offers, Offer)
        vendors, capability = field["vendor"], field["domain_capability"]
        hallucination, price_of = field["hallucination"], field["api_price_cny_per_mtok"]
        price = np.array(price_of)
        growth = self.usage_growth()
        self._table = OfferTable(
            month=now,
            offers=offers,
            ids=self.world.enterprise.vendor_indices(vendors),
            value=self._value(np.array(capability)),
            halluc=np.array(hallucination),
            price_cny_per_mtok=price,
            share=self._cfg.usage_mtok_per_mcny * growth * price / CNY_PER_MCNY,
            column=dict(zip(vendors, range(len(vendors)), strict=True)),
        )
        return self._table

    def _best_api(
        self, idx: np.ndarray, table: OfferTable, current: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Each buyer's best API offer (a column of ``table``) and its utility.

        With ``current`` (each buyer's column, -1 if none) that column is left out and
        the switching cost is charged on the others. Buyers are scored a domain at a
        time; when that is cheaper (:func:`worth_pruning`), only against the offers no
        earlier offer dominates (no two, with ``current``; see :func:`dominators`),
        which leaves every buyer's first best column unchanged.
        """
        c = self._cfg
        best = np.zeros(idx.size, dtype=np.int64)
        top = np.empty(idx.size)
        domains = self.domain[idx]
        # The domains present by a count, not a sort (np.unique): thousands of buyers.
        for d in np.flatnonzero(np.bincount(domains)).tolist():
            rows = np.flatnonzero(domains == d)
            value, halluc = table.value[:, d], table.halluc[:, d]
            cols = (table.candidates(d, 2 if current is not None else 1)
                    if worth_pruning(rows.size, table.ids.size) else np.arange(table.ids.size))
            u = self._utility(idx[rows], value[cols][None, :], halluc[cols][None, :],
                              table.share[cols][None, :], api=True)
            if current is not None:
                u = np.where(current[rows][:, None] == cols[None, :], -np.inf,
                             u - c.switching_cost)
            k = u.argmax(axis=1)
            best[rows] = cols[k]
            top[rows] = u[np.arange(rows.size), k]
        return best, top

    def review_subscriptions(self, offers: list[Offer]) -> None:
        """API subscribers churn, or switch to a rival better by more than the switching cost."""
        c = self._cfg
        subs = np.flatnonzero(self.channel == API)
        if subs.size == 0 or not offers:
            return
        churn = subs[bernoulli_positions(self._rng, subs.size, c.churn_base)]
        if churn.size:
            self._end(churn, "churn")
        review = subs[bernoulli_positions(self._rng, subs.size, self._consider_rate())]
        review = review[self.channel[review] == API]
        if review.size == 0:
            return
        table = self._offer_table(offers)
        column = np.full(self.world.enterprise.vendor_count, -1)
        column[table.ids] = np.arange(table.ids.size)
        current = column[self.vendor[review]]
        has = np.flatnonzero(current >= 0)
        u_now = np.full(review.size, -np.inf)
        if has.size:
            col, d = current[has], self.domain[review[has]]
            u_now[has] = self._utility(review[has], table.value[col, d][:, None],
                                       table.halluc[col, d][:, None],
                                       table.share[col][:, None], api=True)[:, 0]
        best, gain = self._best_api(review, table, current)
        switch = gain > np.maximum(u_now, 0.0)
        leave = ~switch & (u_now < 0)
        if leave.any():
            self._end(review[leave], "unsatisfied")
        movers = review[switch]
        if movers.size:
            self._switch(movers, table.ids[best[switch]])

    def _switch(self, idx: np.ndarray, vendor: np.ndarray) -> None:
        """Subscribers ``idx`` leave their vendor for ``vendor``: each one's end and new
        subscription are logged one after the other, buyer by buyer."""
        w = self.world
        n = idx.size
        pair = np.repeat(idx, 2)
        kind = np.tile(np.array([str(EventKind.CONTRACT_ENDED), str(EventKind.CONTRACT_SIGNED)],
                                dtype=object), n)
        names = w.enterprise.vendor_names()
        counterparty = np.empty(2 * n, dtype=object)
        counterparty[0::2] = names[self.vendor[idx]]
        counterparty[1::2] = names[vendor]
        channel = np.full(2 * n, "api", dtype=object)
        channel[0::2] = np.where(self.channel[idx] == API, "api", "contract")
        reason = np.full(2 * n, None, dtype=object)
        reason[0::2] = "switched"
        w.log.record_batch(w.now, kind, "buyer:", pair, ActorType.BUYER, counterparty,
                           channel=channel, reason=reason, **self._names(pair))
        self._regroup(idx, -1)
        self._clear(idx)
        self._set_subscriptions(idx, vendor)

    def _consider_rate(self) -> float:
        c = self._cfg
        return min(
            1.0, c.consideration_rate * self.world.hype.level**c.consideration_hype_elasticity
        )

    def _lookers(self) -> np.ndarray:
        """Buyers (ascending) without a vendor or an open tender who look at the market
        this month: each with chance ``consider rate x digitisation``, and every one whose
        contract just ended. Drawn by thinning (about a look's chance times the population
        in draws, not one per buyer): candidates come up at the highest chance any buyer
        has (:func:`bernoulli_positions`), and each stays with its own chance over that."""
        rate = self._consider_rate()
        # read each month: an experiment may raise digitisation during a run
        top = rate * float(self.digitization.max(initial=0.0))
        candidates = bernoulli_positions(self._rng, self.n, top)
        keep = self._rng.random(candidates.size) * top < rate * self.digitization[candidates]
        # Marked on a copy of the flags of buyers looking again (a sort of the two lists
        # costs ten times more).
        chosen = self._chosen
        np.copyto(chosen, self.looking_again)
        chosen[candidates[keep]] = True
        look = np.flatnonzero(chosen)
        return look[(self.vendor[look] < 0) & ~self.pending[look]]

    def consider_adoption(self, offers: list[Offer]) -> None:
        """Non-adopters look at the market (more when hype is high and digitisation deep)."""
        w = self.world
        c = self._cfg
        look = self._lookers()
        if look.size == 0 or not offers:
            return
        # A buyer whose contract ended looks once, as any buyer would after: until
        # 2026-12-07 one whose re-tender found no winner tendered every month after
        # (buyer:1820 of the seed-42 baseline 67 months in a row).
        self.looking_again[look] = False
        tender = self.private[look] | (self._rng.random(look.size) < self.tender_propensity[look])
        calls = look[tender]
        if calls.size:
            t = w.enterprise.issue_tenders(
                calls,
                self.segment[calls],
                self.domain[calls],
                self.budget[calls] * c.project_budget_months,
                c.tender_term_months,
                self.private[calls],
            )
            self.pending[calls] = True
            w.log.record_batch(w.now, EventKind.TENDER, "buyer:", calls, ActorType.BUYER,
                               amount_mcny=t.value_mcny, **self._names(calls))
        api = look[~tender]
        if api.size == 0:
            return
        table = self._offer_table(offers)
        best, top = self._best_api(api, table)
        ok = top > 0
        if ok.any():
            who, vendor = api[ok], table.ids[best[ok]]
            self._set_subscriptions(who, vendor)
            self._log_signed(who, vendor, API, np.nan)

    def pay_vendors(self, offers: list[Offer]) -> None:
        """Monthly payments: contract instalments and API usage at the vendor's price.

        One payment per (vendor, segment, channel) group with members, in that order,
        from the group's running sums (:class:`PaymentGroups`): an API group pays for its
        buyers' summed usage, which is their summed budget times the tokens a budget buys
        this month (:meth:`usage_mtok`), at its vendor's price, and at most their summed
        budget (then using only the tokens it pays for); a contract group pays its
        buyers' summed instalments and delivers their summed monthly project value.
        """
        w = self.world
        m = w.enterprise
        g = self._groups
        group = np.flatnonzero(g.members)   # (vendor, segment, channel) in ascending order
        if group.size == 0:
            return
        price_of = np.zeros(m.vendor_count)  # CNY per million tokens, by vendor id
        if offers:   # the month's table (built once, shared with the rest of the month)
            table = self._offer_table(offers)
            price_of[table.ids] = table.price_cny_per_mtok
        vendor_of, segment_of, channel_of = g.key(group)
        contract = channel_of == GROUP_CONTRACT
        budget = g.budget[group]
        tokens = self.usage_mtok(budget)
        price = price_of[vendor_of]
        bill = tokens * price / CNY_PER_MCNY
        # Spending stops at the budget: where usage has grown faster than the price fell,
        # buyers use the tokens their budget pays for (every buyer of a group pays the
        # same share of its budget, so the group's cap is each buyer's). Until 2026-12-07
        # the bill had no cap: at buyers.usage_growth_per_year 1.5, 5.9 times the budget.
        over = bill > budget
        tokens = np.divide(budget * CNY_PER_MCNY, price, out=tokens, where=over)
        amounts = np.where(contract, g.instalments[group], np.where(over, budget, bill))
        loads = np.where(contract, g.project_value[group], tokens)
        payees = m.vendor_names()[vendor_of].tolist()   # a group is one channel's buyers
        w.ledger.transfer_each(w.now, _PAYERS_ARRAY[segment_of].tolist(), payees, amounts,
                               _PAYMENT_REASONS[channel_of].tolist())
        m.record_monthly_payments(payees, contract, amounts, loads)
        # Contract-months by (vendor, domain): whole numbers, in ascending pair order.
        pairs = np.flatnonzero(g.contracts)
        pair_vendor, pair_domain = np.divmod(pairs, len(self._domain_names))
        m.record_contract_months_each(m.vendor_names()[pair_vendor].tolist(),
                                      pair_domain.tolist(),
                                      g.contracts[pairs].astype(float).tolist())

    # ------------------------------------------------------------ observation
    def adoption_by_segment(self) -> list[float]:
        """Share of each segment's buyers with a live contract or subscription; NaN
        (undefined, null in the outputs) for a segment with no buyers, whose adoption was
        reported as 0 (``buyers.segment_shares`` with a 0, or a population so small that
        the draw leaves a segment empty)."""
        return self._adoption(self._groups.adopters_by_segment())

    def _adoption(self, adopted: np.ndarray) -> list[float]:
        """Each segment's share of adopters from their count (NaN for an empty segment)."""
        return [float(a / n) if n else math.nan
                for a, n in zip(adopted.tolist(), self._segment_size.tolist(), strict=True)]

    def segment_sizes(self) -> list[int]:
        """How many buyers each segment has (in the order of ``SEGMENTS``)."""
        return [int(n) for n in self._segment_size.tolist()]
