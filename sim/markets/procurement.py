"""Procurement: vendors' offers, buyers' tenders, bids, and who was paid what.

Vendors (giants and startups) post an :class:`Offer` each month and put
:class:`Bid` messages on the board (a plain list: nobody waits on bids, so a
SimPy ``Store`` would only add an event per bid); buyers post :class:`Tender`
calls and decide awards themselves (see :mod:`sim.agents.buyers`). The
market keeps the public record: open tenders, vendors' revenue and tokens
served per month, and which vendors left or were taken over.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, fields

import numpy as np
import simpy

from sim.messages import Bid, Channel, Offer, Tender

CHANNELS = tuple(str(c) for c in Channel)
API, CONTRACT = str(Channel.API), str(Channel.CONTRACT)
assert CHANNELS == (API, CONTRACT), "revenue() adds the channels in this order"


@dataclass(frozen=True)
class Tenders:
    """Buyers' calls for custom projects as columns, one entry per tender in issue order.

    A month brings thousands of tenders at 100,000 buyers, so they travel as arrays;
    iterating yields one :class:`~sim.messages.Tender` message per tender.
    """

    tender_id: np.ndarray
    buyer: np.ndarray
    segment: np.ndarray
    domain: np.ndarray
    value_mcny: np.ndarray
    term_months: np.ndarray
    private: np.ndarray
    month: np.ndarray

    def __len__(self) -> int:
        return len(self.tender_id)

    def __iter__(self) -> Iterator[Tender]:
        columns = [getattr(self, f.name).tolist() for f in fields(self)]
        return (Tender(*values) for values in zip(*columns, strict=True))

    def select(self, mask: np.ndarray) -> Tenders:
        """The tenders where ``mask`` is true."""
        return Tenders(*(getattr(self, f.name)[mask] for f in fields(self)))

    @staticmethod
    def concat(parts: list[Tenders]) -> Tenders:
        """Tenders of ``parts`` one after the other."""
        if not parts:
            return Tenders(*(np.empty(0) for _ in fields(Tenders)))
        return Tenders(*(np.concatenate([getattr(p, f.name) for p in parts])
                         for f in fields(Tenders)))


class EnterpriseMarket:
    """The B-end market's message board and revenue record."""

    def __init__(self, env: simpy.Environment) -> None:
        self._env = env
        self._bids: list[Bid] = []
        self._offers: dict[str, Offer] = {}
        # vendor type -> the same offers, vendor -> offer, in the order of ``_offers``
        self._offers_by_type: dict[str, dict[str, Offer]] = defaultdict(dict)
        self._vendor_index: dict[str, int] = {}
        self._vendors: list[str] = []
        self._names = np.empty(0, dtype=object)
        self._tenders: list[Tenders] = []
        self._open_cache: tuple[float, Tenders] | None = None
        self._any_open: tuple[float, bool] | None = None   # (month asked, any tender open)
        self._next_tender = 0
        self._revenue: dict[tuple[str, int, str], float] = defaultdict(float)
        self._revenue_month: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        self._paid: set[str] = set()   # vendors ever paid: the others' revenue is 0.0
        self._tokens_month: dict[int, float] = defaultdict(float)
        # (vendor, month) -> {domain: contract-months}
        self._contract_months: dict[tuple[str, int], dict[int, float]] = defaultdict(dict)
        self._tokens: dict[tuple[str, int], float] = defaultdict(float)
        self._delivery: dict[tuple[str, int], float] = defaultdict(float)
        self._successor: dict[str, str] = {}
        self._gone: set[str] = set()
        self._departures: list[str] = []
        self._offers_version: dict[str, int] = {}
        self._best: dict[str, tuple[int, dict[int, float | None]]] = {}

    # ------------------------------------------------------------ offers
    def post_offer(self, offer: Offer) -> None:
        """A vendor's product for this month (replaces its previous offer)."""
        if offer.vendor not in self._vendor_index:
            self._vendor_index[offer.vendor] = len(self._vendors)
            self._vendors.append(offer.vendor)
        previous = self._offers.get(offer.vendor)
        self._offers[offer.vendor] = offer
        if previous is not None and previous.vendor_type != offer.vendor_type:
            # The vendor keeps its place among all offers: rebuild both types' shares of them.
            self._offers_version[previous.vendor_type] += 1
            for vendor_type in (previous.vendor_type, offer.vendor_type):
                self._offers_by_type[vendor_type] = {
                    v: o for v, o in self._offers.items() if o.vendor_type == vendor_type
                }
        else:
            self._offers_by_type[offer.vendor_type][offer.vendor] = offer
        self._offers_version[offer.vendor_type] = self._offers_version.get(offer.vendor_type, 0) + 1

    def offers(self) -> list[Offer]:
        """Current offers of vendors still in the market, by vendor index."""
        return list(self._offers.values())

    def offers_by(self, vendor_type: str) -> list[Offer]:
        """Current offers of ``vendor_type`` firms, in the order of :meth:`offers`."""
        return list(self._offers_by_type.get(vendor_type, {}).values())

    def best_capability(self, domain: int, vendor_type: str) -> float | None:
        """Highest capability in ``domain`` among current offers by ``vendor_type`` firms
        (None if there are none); kept until one of those offers changes."""
        version = self._offers_version.get(vendor_type, 0)
        cached = self._best.get(vendor_type)
        if cached is None or cached[0] != version:
            cached = (version, {})
            self._best[vendor_type] = cached
        known = cached[1]
        if domain not in known:
            theirs = [o.domain_capability[domain] for o in self.offers_by(vendor_type)]
            known[domain] = max(theirs) if theirs else None
        return known[domain]

    def offer(self, vendor: str) -> Offer | None:
        """``vendor``'s current offer, if it has one."""
        return self._offers.get(vendor)

    def vendor_index(self, vendor: str) -> int:
        """Stable integer id of a vendor (assigned at its first offer)."""
        return self._vendor_index[vendor]

    def has_offered(self, vendor: str) -> bool:
        """Whether ``vendor`` ever posted an offer (and so has a stable integer id)."""
        return vendor in self._vendor_index

    def vendor_name(self, index: int) -> str:
        """Vendor name for a stable integer id."""
        return self._vendors[index]

    def vendor_names(self) -> np.ndarray:
        """Every vendor's name as an object array indexed by vendor id."""
        if len(self._names) != len(self._vendors):
            self._names = np.array(self._vendors, dtype=object)
        return self._names

    @property
    def vendor_count(self) -> int:
        """Vendors that ever posted an offer."""
        return len(self._vendors)

    def leave(self, vendor: str, successor: str | None) -> None:
        """A vendor exits (bankrupt) or is taken over by ``successor``."""
        offer = self._offers.pop(vendor, None)
        if offer is not None:
            del self._offers_by_type[offer.vendor_type][vendor]
            self._offers_version[offer.vendor_type] += 1
        self._gone.add(vendor)
        self._departures.append(vendor)
        if successor is not None:
            self._successor[vendor] = successor

    def departures(self, since: int = 0) -> list[str]:
        """Vendors that left the market, in the order they left, from the ``since``-th on."""
        return self._departures[since:]

    def successor(self, vendor: str) -> str | None:
        """Who took over ``vendor``'s clients, if anyone."""
        return self._successor.get(vendor)

    def is_gone(self, vendor: str) -> bool:
        """Whether ``vendor`` left the market."""
        return vendor in self._gone

    # ------------------------------------------------------------ tenders and bids
    def issue_tenders(
        self,
        buyer: np.ndarray,
        segment: np.ndarray,
        domain: np.ndarray,
        value_mcny: np.ndarray,
        term_months: float,
        private: np.ndarray,
    ) -> Tenders:
        """Buyers' calls for projects (one per buyer); open to bids until the next award."""
        n = len(buyer)
        tenders = Tenders(
            np.arange(self._next_tender, self._next_tender + n),
            np.asarray(buyer),
            np.asarray(segment),
            np.asarray(domain),
            np.asarray(value_mcny, dtype=np.float64),
            np.full(n, term_months),
            np.asarray(private, dtype=bool),
            np.full(n, self._env.now),
        )
        self._next_tender += n
        if n:
            self._tenders.append(tenders)
            self._open_cache = self._any_open = None
        return tenders

    def open_tenders(self, domain: int | None = None) -> Tenders:
        """Tenders issued before now and not yet awarded (in one domain, or all)."""
        now = self._env.now
        if self._open_cache is None or self._open_cache[0] != now:
            self._open_cache = (now, Tenders.concat([t.select(t.month < now)
                                                     for t in self._tenders]))
        tenders = self._open_cache[1]
        return tenders if domain is None else tenders.select(tenders.domain == domain)

    def has_open_tenders(self) -> bool:
        """Whether :meth:`open_tenders` has any, without gathering them into one table
        (vendors only ask whether to bid; the award gathers them); kept until the clock
        moves or tenders are issued or taken."""
        now = self._env.now
        if self._any_open is None or self._any_open[0] != now:
            self._any_open = (now, any(bool((t.month < now).any()) for t in self._tenders))
        return self._any_open[1]

    def bid(self, bid: Bid) -> None:
        """A vendor puts its standing bid for the open tenders on the board."""
        self._bids.append(bid)

    def collect_bids(self) -> tuple[Tenders, list[Bid]]:
        """Take the open tenders and the month's bids off the board (award time)."""
        tenders = self.open_tenders()
        now = self._env.now
        self._tenders = [k for t in self._tenders if len(k := t.select(t.month >= now))]
        self._open_cache = self._any_open = None
        bids, self._bids = self._bids, []
        return tenders, bids

    # ------------------------------------------------------------ revenue record
    def record_payment(self, vendor: str, channel: Channel, amount_mcny: float) -> None:
        """Buyers paid ``vendor`` this month through ``channel``."""
        month = int(self._env.now)
        self._paid.add(vendor)
        self._revenue[(vendor, month, str(channel))] += amount_mcny
        self._revenue_month[month][vendor] += amount_mcny

    def record_monthly_payments(
        self, vendors: Sequence[str], contract: Sequence[bool] | np.ndarray,
        amounts_mcny: Sequence[float] | np.ndarray, loads: Sequence[float] | np.ndarray,
    ) -> None:
        """The buyers' payments of this month, one per group, in order: what
        :meth:`record_payment` and then :meth:`record_delivery_load` (a contract group,
        ``loads`` the monthly project value) or :meth:`record_tokens` (an API group,
        ``loads`` million tokens) would record one call at a time, in one pass."""
        month = int(self._env.now)
        revenue, by_vendor = self._revenue, self._revenue_month[month]
        delivery, tokens, all_tokens = self._delivery, self._tokens, self._tokens_month
        self._paid.update(vendors)
        for vendor, is_contract, amount, load in zip(vendors, np.asarray(contract).tolist(),
                                                     np.asarray(amounts_mcny).tolist(),
                                                     np.asarray(loads).tolist(), strict=True):
            revenue[(vendor, month, CONTRACT if is_contract else API)] += amount
            by_vendor[vendor] += amount
            if is_contract:
                delivery[(vendor, month)] += load
            else:
                tokens[(vendor, month)] += load
                all_tokens[month] += load

    def record_contract_months(self, vendor: str, domain: int, months: float) -> None:
        """Contract-months delivered this month in a domain (vendors learn domain data)."""
        by_domain = self._contract_months[(vendor, int(self._env.now))]
        by_domain[domain] = by_domain.get(domain, 0.0) + months

    def record_delivery_load(self, vendor: str, value_mcny: float) -> None:
        """Monthly value of projects ``vendor`` must deliver this month (drives its costs)."""
        self._delivery[(vendor, int(self._env.now))] += value_mcny

    def record_contract_months_each(
        self, vendors: Sequence[str], domains: Sequence[int], months: Sequence[float]
    ) -> None:
        """:meth:`record_contract_months` for each (vendor, domain, months), in order (a
        vendor's table is looked up once for a run of its entries)."""
        month = int(self._env.now)
        table = self._contract_months
        last: str | None = None
        by_domain: dict[int, float] = {}
        for vendor, domain, amount in zip(vendors, domains, months, strict=True):
            if vendor != last:
                by_domain, last = table[(vendor, month)], vendor
            by_domain[domain] = by_domain.get(domain, 0.0) + amount

    def delivery_load(self, vendor: str, month: int) -> float:
        """Monthly project value ``vendor`` delivered in ``month``."""
        return self._delivery.get((vendor, month), 0.0)

    def record_tokens(self, vendor: str, mtok: float) -> None:
        """Million tokens served through ``vendor``'s API this month."""
        self._tokens[(vendor, int(self._env.now))] += mtok
        self._tokens_month[int(self._env.now)] += mtok

    def revenue(self, vendor: str, month: int, channel: Channel | None = None) -> float:
        """Million CNY ``vendor`` was paid in ``month`` (one channel or both)."""
        revenue = self._revenue
        if channel is not None:
            return revenue.get((vendor, month, str(channel)), 0.0)
        # sum() over the channels, unrolled: Python's sum adds floats from 0.0 in order.
        return 0.0 + revenue.get((vendor, month, API), 0.0) + revenue.get(
            (vendor, month, CONTRACT), 0.0)

    def trailing_annual_revenue(self, vendor: str, month: int, window: int = 3) -> float:
        """Annualised revenue over the last ``window`` completed months (vendors keep it for
        the month: :meth:`~sim.agents.vendor.Vendor.annual_revenue`)."""
        first = max(month - window, 0)   # no months before month 0
        if first >= month or vendor not in self._paid:
            return 0.0   # what the sum below gives a vendor never paid, exactly
        get = self._revenue.get
        total: float = 0  # summed as sum() would, from int 0, each month as revenue() adds it
        for m in range(first, month):
            total += 0.0 + get((vendor, m, API), 0.0) + get((vendor, m, CONTRACT), 0.0)
        return 12.0 * total / (month - first)

    def contract_months(self, vendor: str, month: int, domain: int) -> float:
        """Contract-months ``vendor`` delivered in ``domain`` during ``month``."""
        return self._contract_months.get((vendor, month), {}).get(domain, 0.0)

    def contract_months_by_domain(self, vendor: str, month: int) -> list[tuple[int, float]]:
        """(domain, contract-months) ``vendor`` delivered during ``month``, by domain."""
        by_domain = self._contract_months.get((vendor, month))
        return sorted(by_domain.items()) if by_domain else []

    def tokens(self, vendor: str, month: int) -> float:
        """Million tokens ``vendor`` served in ``month``."""
        return self._tokens.get((vendor, month), 0.0)

    def total_tokens(self, month: int) -> float:
        """Million tokens served by all vendors in ``month``."""
        return self._tokens_month.get(month, 0.0)

    def revenue_by_vendor(self, month: int) -> dict[str, float]:
        """Million CNY paid to each vendor in ``month`` (both channels)."""
        return dict(self._revenue_month.get(month, {}))
