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
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, fields

import numpy as np
import simpy

from sim.config import MONTHS_PER_YEAR
from sim.messages import Bid, Channel, Offer, Tender

CHANNELS = tuple(str(c) for c in Channel)
#: A vendor's revenue is quoted as its run rate: the last this many months, annualised
#: (a quarter's, as revenue is quoted to investors and for a listing).
RUN_RATE_MONTHS = 3
API, CONTRACT = str(Channel.API), str(Channel.CONTRACT)
assert CHANNELS == (API, CONTRACT), "revenue() adds the channels in this order"

#: The flows a month of the revenue record keeps per vendor (rows of :class:`MonthFlows`):
#: million CNY paid through the API, through contracts, through both (in payment order),
#: the monthly value of projects to deliver (million CNY), million tokens served through the
#: vendor's API, and million tokens run on the vendor's model: its own API's and those of
#: the application companies it hosts (:meth:`EnterpriseMarket.host`).
FLOWS = range(6)
API_MCNY, CONTRACT_MCNY, PAID_MCNY, DELIVERY_MCNY, TOKENS_MTOK, SERVED_MTOK = FLOWS
_CHANNEL_FLOW = {API: API_MCNY, CONTRACT: CONTRACT_MCNY}


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


class MonthFlows:
    """One month of the revenue record: a table of flows (rows, see ``FLOWS``) by vendor
    (columns, by the market's stable vendor id: :meth:`EnterpriseMarket.vendor_index`).

    Hundreds of vendors are paid in hundreds of groups a month, so payments land by grouped
    adds (``np.add.at`` adds one value at a time in order, as ``+=`` per payment would);
    vendors read their own cells dozens of thousands of times a run, so reads come from a
    copy as Python floats, made once after each change.
    """

    def __init__(self, vendors: int) -> None:
        self.table = np.zeros((len(FLOWS), vendors))
        self.payees: dict[str, None] = {}   # vendors in the order first paid this month
        self.tokens_mtok = 0.0   # million tokens served by all vendors, in the order served
        self._floats: list[list[float]] | None = None

    def fit(self, vendors: int) -> None:
        """Widen the table to ``vendors`` columns (vendors first seen this month)."""
        missing = vendors - self.table.shape[1]
        if missing > 0:
            self.table = np.hstack([self.table, np.zeros((len(FLOWS), missing))])
            self._floats = None

    def add(self, flow: int, columns: np.ndarray, amounts: np.ndarray) -> None:
        """Add ``amounts`` to ``flow`` of the vendors in ``columns``, one after the other."""
        np.add.at(self.table[flow], columns, amounts)
        self._floats = None

    def values(self, flow: int) -> list[float]:
        """One flow of every vendor column (a vendor seen only after this month has none)."""
        floats = self._floats
        if floats is None:
            floats = self._floats = self.table.tolist()
        return floats[flow]

    def get(self, flow: int, column: int) -> float:
        """One cell as a Python float (0.0 for a vendor seen only after this month)."""
        floats = self._floats   # :meth:`values`, inline: vendors read cells ~100k times a run
        if floats is None:
            floats = self._floats = self.table.tolist()
        cells = floats[flow]
        return cells[column] if column < len(cells) else 0.0

    def revenue(self, width: int) -> np.ndarray:
        """Million CNY paid to each of the first ``width`` vendors, summed as
        :meth:`EnterpriseMarket.revenue` sums its channels (from 0.0, API first)."""
        paid = np.zeros(width)
        mine = min(width, self.table.shape[1])
        paid[:mine] += self.table[API_MCNY, :mine]
        paid[:mine] += self.table[CONTRACT_MCNY, :mine]
        return paid


class EnterpriseMarket:
    """The B-end market's message board and revenue record."""

    def __init__(self, env: simpy.Environment) -> None:
        self._env = env
        self._bids: list[Bid] = []
        self._offers: dict[str, Offer] = {}
        # vendor type -> the same offers, vendor -> offer, in the order of ``_offers``
        self._offers_by_type: dict[str, dict[str, Offer]] = defaultdict(dict)
        # vendor -> its stable integer id (the buyers' vendor arrays and the revenue
        # record's columns), and the vendors by id
        self._vendor_index: dict[str, int] = {}
        self._vendors: list[str] = []
        # by vendor id: the id of the vendor whose model runs its tokens (its own, or its
        # host's once it builds on a giant's model)
        self._server: list[int] = []
        self._names = np.empty(0, dtype=object)
        self._tenders: list[Tenders] = []
        self._open_cache: tuple[float, Tenders] | None = None
        self._any_open: tuple[float, bool] | None = None   # (month asked, any tender open)
        self._next_tender = 0
        # The revenue record: month -> flows by vendor id (a vendor never paid has 0.0).
        self._months: dict[int, MonthFlows] = {}
        # Annualised trailing revenue by vendor column for (month, window), kept until a
        # payment lands in a month before that month.
        self._trailing: tuple[int, int, list[float]] | None = None
        # month -> vendor -> {domain: contract-months}
        self._contract_months: dict[int, dict[str, dict[int, float]]] = {}
        self._successor: dict[str, str] = {}
        self._gone: set[str] = set()
        self._departures: list[str] = []
        self._offers_version: dict[str, int] = {}
        self._best: dict[str, tuple[int, dict[int, float | None]]] = {}

    # ------------------------------------------------------------ offers
    def post_offer(self, offer: Offer) -> None:
        """A vendor's product for this month (replaces its previous offer)."""
        if offer.vendor not in self._vendor_index:
            self._register(offer.vendor)
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

    def _register(self, vendor: str) -> None:
        """Give ``vendor`` the next stable integer id: at its first offer (or, replaying
        payments one by one, at its first payment)."""
        self._server.append(len(self._vendors))
        self._vendor_index[vendor] = len(self._vendors)
        self._vendors.append(vendor)

    def host(self, app: str, host: str) -> None:
        """``app`` builds on ``host``'s model from now on: its API's tokens run on
        ``host``'s model and GPUs (:meth:`served_tokens`)."""
        for vendor in (app, host):
            if vendor not in self._vendor_index:
                self._register(vendor)
        self._server[self._vendor_index[app]] = self._vendor_index[host]

    def model_of(self, vendor: str) -> str:
        """The vendor whose model ``vendor``'s product runs on: its host, for an application
        company (:meth:`host`); itself otherwise. Public, as an app's model is."""
        index = self._vendor_index.get(vendor)
        return vendor if index is None else self._vendors[self._server[index]]

    def vendor_index(self, vendor: str) -> int:
        """Stable integer id of a vendor (assigned at its first offer)."""
        return self._vendor_index[vendor]

    def vendor_indices(self, vendors: Iterable[str]) -> np.ndarray:
        """:meth:`vendor_index` of each of ``vendors``, as an array."""
        return np.fromiter(map(self._vendor_index.__getitem__, vendors), dtype=np.int32)

    def has_offered(self, vendor: str) -> bool:
        """Whether ``vendor`` has a stable integer id: it posted an offer (in the model the
        only way to be paid; a replay of single payments may pay a vendor first)."""
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
    def _this_month(self, vendors: Iterable[str]) -> tuple[MonthFlows, dict[str, int]]:
        """The record of the current month, wide enough for ``vendors`` (one never seen
        gets the next id), and every vendor's id (its column). (A payment in a month
        before the one the trailing revenue was kept for outdates it.)"""
        column = self._vendor_index
        for vendor in vendors:
            if vendor not in column:
                self._register(vendor)
        month = int(self._env.now)
        if self._trailing is not None and month < self._trailing[0]:
            self._trailing = None
        flows = self._months.get(month)
        if flows is None:
            flows = self._months[month] = MonthFlows(len(column))
        flows.fit(len(column))
        return flows, column

    def _record_one(self, flow: int, vendor: str, amount: float) -> MonthFlows:
        """Add ``amount`` to ``vendor``'s ``flow`` this month; return the month's record."""
        flows, column = self._this_month((vendor,))
        flows.add(flow, np.array([column[vendor]]), np.array([amount]))
        return flows

    def record_payment(self, vendor: str, channel: Channel, amount_mcny: float) -> None:
        """Buyers paid ``vendor`` this month through ``channel``."""
        self._record_one(_CHANNEL_FLOW[str(channel)], vendor, amount_mcny)
        self._record_one(PAID_MCNY, vendor, amount_mcny).payees.setdefault(vendor)

    def record_monthly_payments(
        self, vendors: Sequence[str], contract: Sequence[bool] | np.ndarray,
        amounts_mcny: Sequence[float] | np.ndarray, loads: Sequence[float] | np.ndarray,
    ) -> None:
        """The buyers' payments of this month, one per group, in order: what
        :meth:`record_payment` and then :meth:`record_delivery_load` (a contract group,
        ``loads`` the monthly project value) or :meth:`record_tokens` (an API group,
        ``loads`` million tokens) would record one call at a time, in one pass."""
        is_contract = np.asarray(contract, dtype=bool)
        amounts = np.asarray(amounts_mcny, dtype=np.float64)
        served = np.asarray(loads, dtype=np.float64)
        if not len(vendors) == is_contract.size == amounts.size == served.size:
            raise ValueError("record_monthly_payments needs one channel, amount and load "
                             "per vendor")
        payees = dict.fromkeys(vendors)   # in the order first paid
        flows, column = self._this_month(payees)
        flows.payees.update(payees)
        columns = np.fromiter(map(column.__getitem__, vendors), dtype=np.intp,
                              count=len(vendors))
        flows.add(PAID_MCNY, columns, amounts)
        is_api = ~is_contract
        api = columns[is_api]
        flows.add(API_MCNY, api, amounts[is_api])
        flows.add(TOKENS_MTOK, api, served[is_api])
        flows.add(SERVED_MTOK, np.asarray(self._server, dtype=np.intp)[api], served[is_api])
        contract_columns = columns[is_contract]
        flows.add(CONTRACT_MCNY, contract_columns, amounts[is_contract])
        flows.add(DELIVERY_MCNY, contract_columns, served[is_contract])
        tokens_mtok = flows.tokens_mtok
        for mtok in served[is_api].tolist():   # one after the other, as record_tokens
            tokens_mtok += mtok
        flows.tokens_mtok = tokens_mtok

    def record_contract_months(self, vendor: str, domain: int, months: float) -> None:
        """Contract-months delivered this month in a domain (vendors learn domain data)."""
        by_vendor = self._contract_months.setdefault(int(self._env.now), {})
        by_domain = by_vendor.setdefault(vendor, {})
        by_domain[domain] = by_domain.get(domain, 0.0) + months

    def record_delivery_load(self, vendor: str, value_mcny: float) -> None:
        """Monthly value of projects ``vendor`` must deliver this month (drives its costs)."""
        self._record_one(DELIVERY_MCNY, vendor, value_mcny)

    def record_contract_months_each(
        self, vendors: Sequence[str], domains: Sequence[int], months: Sequence[float]
    ) -> None:
        """:meth:`record_contract_months` for each (vendor, domain, months), in order (a
        vendor's table is looked up once for a run of its entries)."""
        by_vendor = self._contract_months.setdefault(int(self._env.now), {})
        last: str | None = None
        by_domain: dict[int, float] = {}
        for vendor, domain, amount in zip(vendors, domains, months, strict=True):
            if vendor != last:
                by_domain, last = by_vendor.setdefault(vendor, {}), vendor
            by_domain[domain] = by_domain.get(domain, 0.0) + amount

    def _flow(self, flow: int, vendor: str, month: int) -> float:
        """One flow of ``vendor`` in ``month`` (0.0 if it has none)."""
        flows = self._months.get(month)
        column = self._vendor_index.get(vendor)
        if flows is None or column is None:
            return 0.0
        return flows.get(flow, column)

    def delivery_load(self, vendor: str, month: int) -> float:
        """Project value (million CNY) ``vendor`` delivered in ``month``."""
        return self._flow(DELIVERY_MCNY, vendor, month)

    def record_tokens(self, vendor: str, mtok: float) -> None:
        """Million tokens served through ``vendor``'s API this month."""
        self._record_one(TOKENS_MTOK, vendor, mtok).tokens_mtok += mtok
        self._record_one(SERVED_MTOK, self.model_of(vendor), mtok)   # registered just above

    def revenue(self, vendor: str, month: int, channel: Channel | None = None) -> float:
        """Million CNY ``vendor`` was paid in ``month`` (one channel or both)."""
        flows = self._months.get(month)
        column = self._vendor_index.get(vendor)
        if flows is None or column is None:
            return 0.0
        if channel is not None:
            return flows.get(_CHANNEL_FLOW[str(channel)], column)
        # sum() over the channels, unrolled: Python's sum adds floats from 0.0 in order.
        return 0.0 + flows.get(API_MCNY, column) + flows.get(CONTRACT_MCNY, column)

    def trailing_annual_revenue(self, vendor: str, month: int,
                                window: int = RUN_RATE_MONTHS) -> float:
        """Annualised revenue over the last ``window`` completed months (vendors keep it for
        the month: :meth:`~sim.agents.vendor.Vendor.annual_revenue`)."""
        first = max(month - window, 0)   # no months before month 0
        column = self._vendor_index.get(vendor)
        if first >= month or column is None:
            return 0.0   # what the sum below gives a vendor never paid, exactly
        trailing = self._trailing
        if trailing is None or trailing[0] != month or trailing[1] != window:
            # Every vendor's at once, each added left to right, from int 0 (the first
            # month's revenue exactly), month by month as revenue() adds them.
            width = len(self._vendors)
            total = np.zeros(width)
            for m in range(first, month):
                flows = self._months.get(m)
                if flows is not None:   # a month nobody was paid adds 0.0
                    total += flows.revenue(width)
            annual = MONTHS_PER_YEAR * total / (month - first)
            trailing = self._trailing = (month, window, annual.tolist())
        values = trailing[2]
        return values[column] if column < len(values) else 0.0

    def contract_months(self, vendor: str, month: int, domain: int) -> float:
        """Contract-months ``vendor`` delivered in ``domain`` during ``month``."""
        return self._contract_months.get(month, {}).get(vendor, {}).get(domain, 0.0)

    def contract_months_by_domain(self, vendor: str, month: int) -> list[tuple[int, float]]:
        """(domain, contract-months) ``vendor`` delivered during ``month``, by domain."""
        by_domain = self._contract_months.get(month, {}).get(vendor)
        return sorted(by_domain.items()) if by_domain else []

    def tokens(self, vendor: str, month: int) -> float:
        """Million tokens ``vendor`` served through its API in ``month``."""
        return self._flow(TOKENS_MTOK, vendor, month)

    def served_tokens(self, vendor: str, month: int) -> float:
        """Million tokens run on ``vendor``'s model in ``month``: its own API's and those of
        the application companies it hosts (:meth:`host`)."""
        return self._flow(SERVED_MTOK, vendor, month)

    def total_tokens(self, month: int) -> float:
        """Million tokens served by all vendors in ``month``."""
        flows = self._months.get(month)
        return flows.tokens_mtok if flows is not None else 0.0

    def revenue_record(self) -> dict[str, list]:
        """Every month's payments by vendor as columns (``month``, ``vendor``, ``api_mcny``,
        ``contract_mcny``, ``revenue_mcny``, ``tokens_mtok``): one row per vendor paid in a
        month, the months in order and each month's vendors in the order first paid. A
        vendor's ``revenue_mcny`` is what :meth:`revenue_by_vendor` gives it."""
        rows: dict[str, list] = {k: [] for k in ("month", "vendor", "api_mcny",
                                                 "contract_mcny", "revenue_mcny",
                                                 "tokens_mtok")}
        for month in sorted(self._months):
            flows = self._months[month]
            column = [self._vendor_index[v] for v in flows.payees]
            rows["month"] += [month] * len(column)
            rows["vendor"] += list(flows.payees)
            for key, flow in (("api_mcny", API_MCNY), ("contract_mcny", CONTRACT_MCNY),
                              ("revenue_mcny", PAID_MCNY), ("tokens_mtok", TOKENS_MTOK)):
                values = flows.values(flow)
                rows[key] += [values[c] for c in column]
        return rows

    def revenue_by_vendor(self, month: int) -> dict[str, float]:
        """Million CNY paid to each vendor in ``month`` (both channels), in the order first paid."""
        flows = self._months.get(month)
        if flows is None:
            return {}
        column, paid = self._vendor_index, flows.values(PAID_MCNY)
        return {vendor: paid[column[vendor]] for vendor in flows.payees}
