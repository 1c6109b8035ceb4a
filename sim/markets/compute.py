"""The compute market: GPU supply, orders, deliveries, prices and cloud rentals.

Units: A100-equivalents (``gpus``), million CNY (``_mcny``), months.

Supply (imported and domestic GPUs, in A100-eq) arrives monthly into one
SimPy ``Container`` stock; an order is paid when placed, waits the lead time,
then takes its GPUs from the stock, oldest shipment first, each month's shipment
carrying the domestic share of that month's supply. The purchase price moves with demand
against supply and reverts towards the production cost, so the 2023 rise
(seed 004) must come from the buyers' orders, not from a schedule. Export
controls cut imported supply from their month on (seed 004).

The market is also the registry of who owns which GPUs, and of this month's
rentals from the giants' clouds.
"""

from __future__ import annotations

import math
from collections import defaultdict, deque
from collections.abc import Generator, Iterable
from itertools import repeat

import simpy

from sim.config import MONTHS_PER_YEAR, ComputeConfig
from sim.events import ActorType, EventKind, EventLog
from sim.ledger import CNY_PER_MCNY, Ledger
from sim.messages import GpuOrder, RentalOffer, RentalRequest
from sim.sums import left_sum

HOURS_PER_DAY = 24.0
DAYS_PER_MONTH = 365.25 / MONTHS_PER_YEAR
#: A rent of one million CNY per A100-eq-month, read in CNY per A100-eq-hour.
CNY_PER_HOUR_PER_MCNY_MONTH = CNY_PER_MCNY / (HOURS_PER_DAY * DAYS_PER_MONTH)
VENDOR_ACCOUNT = "ext:gpu_vendors"
POWER_ACCOUNT = "ext:electricity"
TINY = 1e-9
#: A waiting order takes at least this many GPUs (A100-eq) from the stock at a time, so
#: that a month of tiny arrivals still delivers in whole GPUs.
SMALLEST_DELIVERY_GPUS = 1.0
#: Added to the GPU-months wanted and offered before rent scales with their ratio: no
#: division by 0 when nothing is offered, and no scarcity worth the name in a handful.
SCARCITY_SMOOTHING_GPUS = 1.0


class ComputeMarket:
    """GPU supply, price, deliveries and the rental market (one per run)."""

    def __init__(
        self, env: simpy.Environment, cfg: ComputeConfig, ledger: Ledger, log: EventLog
    ) -> None:
        self._env = env
        self._cfg = cfg
        self._ledger = ledger
        self._log = log
        self.stock = simpy.Container(env)
        # What lies in the stock, by shipment: [A100-eq, domestic share] of each month's
        # arrivals not yet delivered, oldest first (the Container holds the amount only).
        self._lots: deque[list[float]] = deque()
        self._price = cfg.initial_gpu_price_mcny
        self._rent_price = cfg.rental_initial_price_mcny
        self._ordered_this_month = 0.0
        self._arrived_this_month = 0.0
        self._owned: dict[str, float] = defaultdict(float)
        self._owned_domestic: dict[str, float] = defaultdict(float)
        self._in_transit: dict[str, float] = defaultdict(float)
        self._purchased: dict[str, float] = defaultdict(float)
        self._retired: dict[str, float] = defaultdict(float)
        self._overdue: dict[str, float] = defaultdict(float)
        # Orders of firms that failed before delivery, cancelled (GPUs; the vendors kept
        # the payment and the GPUs stay in their stock), and the firms that failed.
        self._cancelled: dict[str, float] = defaultdict(float)
        self._closed: set[str] = set()
        # An acquired firm's orders still in transit go to its acquirer (and type).
        self._successor: dict[str, tuple[str, ActorType]] = {}
        self._rental_offers: list[RentalOffer] = []
        self._rental_requests: list[RentalRequest] = []
        self._rented: dict[str, float] = {}
        self._rented_out: dict[str, float] = {}
        self._supply_cut = 0.0
        self._waiting = 0.0
        # Of the GPUs waiting, those of orders placed since the last reprice, which count in
        # this month's orders already (a lead time under a month), and the reprices so far.
        self._waiting_ordered = 0.0
        self._reprices = 0
        self._unshipped = 0.0
        self._capacity_this_month = 0.0
        # GPUs (A100-eq) in the stocks as the month opened: the unsold stock plus the
        # month's arrivals, before any delivery took from them.
        self._stocked_this_month = 0.0
        self._offered = 0.0

    # ------------------------------------------------------------ read-only views
    @property
    def price_mcny(self) -> float:
        """Purchase price per A100-eq (million CNY)."""
        return self._price

    @property
    def server_gpus(self) -> int:
        """GPUs in one server: the smallest purchase that makes a working machine."""
        return self._cfg.gpus_per_server

    @property
    def rental_price_mcny(self) -> float:
        """Rent per A100-eq-month from the clouds (million CNY)."""
        return self._rent_price

    def owned(self, firm: str) -> float:
        """GPUs (A100-eq) delivered to ``firm``."""
        return self._owned.get(firm, 0.0)

    def in_transit(self, firm: str) -> float:
        """GPUs (A100-eq) paid for but not yet delivered to ``firm``."""
        return self._in_transit.get(firm, 0.0)

    def overdue(self, firm: str) -> float:
        """GPUs (A100-eq) ``firm`` paid for that are past their lead time, waiting for supply."""
        return self._overdue.get(firm, 0.0)

    def purchased(self, firm: str) -> float:
        """GPUs (A100-eq) ever bought by ``firm``."""
        return self._purchased.get(firm, 0.0)

    def rented(self, firm: str) -> float:
        """GPU-months ``firm`` rented at the last rental close (Phase.RENTALS): in the
        month's close and after it, this month's; to a firm acting earlier in the month
        (a startup's development at Phase.STARTUPS), last month's."""
        return self._rented.get(firm, 0.0)

    def retired(self, firm: str) -> float:
        """GPUs (A100-eq) of ``firm``'s fleet worn out so far."""
        return self._retired.get(firm, 0.0)

    def cancelled(self, firm: str) -> float:
        """GPUs (A100-eq) ``firm`` ordered and never received: it failed first."""
        return self._cancelled.get(firm, 0.0)

    def total_retired(self) -> float:
        """GPUs (A100-eq) worn out of every fleet so far."""
        return left_sum(self._retired.values())

    def owned_each(self, firms: Iterable[str]) -> list[float]:
        """:meth:`owned` of each of ``firms``, in order (the monthly census, in one pass)."""
        return list(map(self._owned.get, firms, repeat(0.0)))

    def in_transit_each(self, firms: Iterable[str]) -> list[float]:
        """:meth:`in_transit` of each of ``firms``, in order."""
        return list(map(self._in_transit.get, firms, repeat(0.0)))

    def purchased_each(self, firms: Iterable[str]) -> list[float]:
        """:meth:`purchased` of each of ``firms``, in order."""
        return list(map(self._purchased.get, firms, repeat(0.0)))

    def rented_each(self, firms: Iterable[str]) -> list[float]:
        """:meth:`rented` of each of ``firms``, in order."""
        return list(map(self._rented.get, firms, repeat(0.0)))

    def rented_out(self, cloud: str) -> float:
        """GPU-months ``cloud`` rented out this month."""
        return self._rented_out.get(cloud, 0.0)

    def total_rented(self) -> float:
        """GPU-months rented this month by everyone."""
        return left_sum(self._rented.values())

    def total_offered(self) -> float:
        """GPU-months offered by clouds at the last rental close."""
        return self._offered

    def backlog(self) -> float:
        """GPUs (A100-eq) past their lead time still waiting for supply."""
        return self._waiting

    def supply_this_month(self) -> float:
        """GPUs (A100-eq) that arrived this month."""
        return self._arrived_this_month

    # ------------------------------------------------------------ costs
    def electricity_cny_per_server_day(self) -> float:
        """Electricity for one server at full draw, cooling included (seed 004: ~200 CNY)."""
        c = self._cfg
        return (
            c.server_power_kw * (1 + c.cooling_overhead) * HOURS_PER_DAY * c.electricity_cny_per_kwh
        )

    def electricity_mcny_per_gpu_month(
        self, serving: bool = False, domestic: bool = False
    ) -> float:
        """Electricity for one A100-eq for a month, training (full draw) or serving."""
        c = self._cfg
        per_gpu_day = self.electricity_cny_per_server_day() / c.gpus_per_server
        factor = c.serving_power_factor if serving else 1.0
        perf = c.domestic_performance if domestic else 1.0
        return per_gpu_day * DAYS_PER_MONTH * factor / perf / CNY_PER_MCNY

    def ownership_cost_mcny_per_gpu_month(self, serving: bool = False) -> float:
        """Depreciation at today's price plus electricity, per A100-eq-month."""
        return self._price / self._cfg.depreciation_months + self.electricity_mcny_per_gpu_month(
            serving
        )

    def serving_cost_cny_per_mtok(self, efficiency: float, rented: bool = False) -> float:
        """Cost of serving a million tokens on owned (or rented) A100s at ``efficiency``."""
        per_gpu_month = (
            self._rent_price if rented else self.ownership_cost_mcny_per_gpu_month(serving=True)
        )
        return per_gpu_month * CNY_PER_MCNY / (self._cfg.serving_throughput_mtok * efficiency)

    def serving_gpus(self, mtok: float, efficiency: float) -> float:
        """A100-eq needed to serve ``mtok`` million tokens in a month."""
        return mtok / (self._cfg.serving_throughput_mtok * efficiency)

    def fleet_electricity_mcny(self, firm: str, serving_share: float = 0.0) -> float:
        """A month's electricity bill for ``firm``'s own fleet."""
        total = self._owned.get(firm, 0.0)
        dom = self._owned_domestic.get(firm, 0.0)
        if not total and not dom:
            return 0.0  # no fleet (most startups): the sum below is exactly 0.0
        bill = 0.0
        for gpus, domestic in ((total - dom, False), (dom, True)):
            bill += gpus * (
                serving_share * self.electricity_mcny_per_gpu_month(True, domestic)
                + (1 - serving_share) * self.electricity_mcny_per_gpu_month(False, domestic)
            )
        return bill

    def domestic_share_of_supply(self) -> float:
        """Share of this month's supply that is domestic."""
        imp, dom = self._monthly_supply(self._env.now)
        return dom / (imp + dom) if imp + dom > 0 else 0.0

    # ------------------------------------------------------------ orders and deliveries
    def buy(self, firm: str, actor_type: ActorType, gpus: float) -> GpuOrder:
        """Place and pay for an order; delivery follows after the lead time."""
        now = self._env.now
        order = GpuOrder(firm, gpus, self._price, now)
        cost = gpus * self._price
        self._ledger.transfer(now, firm, VENDOR_ACCOUNT, cost, "gpu_purchase")
        self._in_transit[firm] += gpus
        self._purchased[firm] += gpus
        self._ordered_this_month += gpus
        self._unshipped += gpus
        self._log.record(
            now,
            EventKind.GPU_PURCHASE,
            firm,
            actor_type,
            VENDOR_ACCOUNT,
            cost,
            gpus=gpus,
            price=self._price,
        )
        self._env.process(self._deliver(order, actor_type))
        return order

    def _deliver(
        self, order: GpuOrder, actor_type: ActorType
    ) -> Generator[simpy.Event, None, None]:
        period = self._reprices   # the order counts in the month's orders until the next
        yield self._env.timeout(self._cfg.lead_time_months)
        holder, holder_type = self._current_owner(order.buyer, actor_type)
        if holder in self._closed:   # it failed before its lead time was up
            self._cancel(holder, holder_type, order.gpus, overdue=False)
            return
        self._waiting += order.gpus
        ordered = order.gpus if self._reprices == period else 0.0
        self._waiting_ordered += ordered
        # Past its lead time: what the order still waits for is overdue to its holder
        # (the buyer, or whoever acquired it since).
        self._overdue[holder] += order.gpus
        remaining = order.gpus
        while remaining > TINY:
            # Made to order, the stock holds what was shipped for due orders: take what is
            # there at once (until 2026-12-07 an order asked for at least the month's
            # arrivals, so after an earlier one had taken some it waited, and every order
            # behind it, with GPUs in the stock, for the next shipment). Otherwise
            # deliveries come in chunks of the month's arrivals.
            ready = self.stock.level if self._cfg.made_to_order else self._arrived_this_month
            chunk = min(remaining, max(ready, SMALLEST_DELIVERY_GPUS))
            yield self.stock.get(chunk)
            owner, owner_type = self._current_owner(order.buyer, actor_type)
            if self._reprices != period:
                ordered = 0.0   # the price has counted it: it is backlog now
            if owner in self._closed:   # it failed while the order waited for supply
                self.stock.put(chunk)   # back to the stock, for the orders behind it
                self._cancel(owner, owner_type, remaining, overdue=True)
                self._waiting_ordered -= ordered
                return
            remaining -= chunk
            took = min(chunk, ordered)
            ordered -= took
            self._waiting_ordered -= took
            # Running sums of whole orders less delivered chunks, never below zero but by
            # float rounding (-1e-11 GPUs; -3e-7 with long lead times): kept at zero
            self._waiting = max(self._waiting - chunk, 0.0)
            domestic = self._take_from_lots(chunk)
            self._in_transit[owner] = max(self._in_transit[owner] - chunk, 0.0)
            self._overdue[owner] = max(self._overdue[owner] - chunk, 0.0)
            self._owned[owner] += chunk
            self._owned_domestic[owner] += domestic
            self._log.record(
                self._env.now,
                EventKind.GPU_DELIVERY,
                owner,
                owner_type,
                VENDOR_ACCOUNT,
                gpus=chunk,
                price=domestic / chunk,
            )

    def _take_from_lots(self, gpus: float) -> float:
        """How many of ``gpus`` A100-eq, just taken from the stock, are domestic: taken from
        the oldest shipments first, each at its own month's domestic share. Until
        2026-12-07 every delivery took the share of the month it was delivered in, so GPUs
        shipped before an export control arrived as if shipped after it. A remainder the
        shipments do not hold (float rounding, 1e-9 GPUs) takes this month's share."""
        domestic = 0.0
        while gpus > TINY and self._lots:
            lot = self._lots[0]
            took = min(gpus, lot[0])
            domestic += took * lot[1]
            lot[0] -= took
            gpus -= took
            if lot[0] <= TINY:
                self._lots.popleft()
        return domestic + max(gpus, 0.0) * self.domestic_share_of_supply()

    def close(self, firm: str) -> None:
        """``firm`` failed: its orders not yet delivered are cancelled as they come due (the
        vendors keep what was paid, and the GPUs stay in their stock for other orders).
        Until 2026-12-07 they were delivered to the failed firm's name (156 GPUs to two
        bankrupt startups at seed 42) and idled there. Its own fleet stays where it is,
        counted in no firm in business."""
        self._closed.add(firm)

    def _cancel(self, holder: str, holder_type: ActorType, gpus: float,
                overdue: bool) -> None:
        """Drop ``gpus`` of an order of the failed ``holder`` (``overdue``: past its lead
        time, so counted waiting and overdue too), and log it: until 2026-12-07 no event
        said so, and the GPUs in transit could not be told from the events (159 A100-eq
        paid for and never delivered at seed 42)."""
        if overdue:
            self._waiting = max(self._waiting - gpus, 0.0)
            self._overdue[holder] = max(self._overdue[holder] - gpus, 0.0)
        self._in_transit[holder] = max(self._in_transit[holder] - gpus, 0.0)
        self._cancelled[holder] += gpus
        self._log.record(self._env.now, EventKind.GPU_CANCELLED, holder, holder_type,
                         VENDOR_ACCOUNT, gpus=gpus)
        # Made to order, the vendors ship these GPUs no more; those already shipped lie in
        # the stock and serve the next orders in their place (negative: a surplus that the
        # next orders take before anything is shipped). Until 2026-12-07 the vendors went on
        # shipping a dead firm's order, and the GPUs lay in their stock for good.
        self._unshipped -= gpus

    def grant_initial_fleet(self, firm: str, gpus: float, domestic_share: float) -> None:
        """Record GPUs a firm already owned at month 0 (not a purchase)."""
        self._owned[firm] += gpus
        self._owned_domestic[firm] += gpus * domestic_share

    def _current_owner(self, buyer: str, buyer_type: ActorType) -> tuple[str, ActorType]:
        """Who receives ``buyer``'s delivery now: its acquirer's acquirer, and so on."""
        while buyer in self._successor:
            buyer, buyer_type = self._successor[buyer]
        return buyer, buyer_type

    def transfer_fleet(self, seller: str, acquirer: str, acquirer_type: ActorType) -> float:
        """An acquisition moves the target's GPUs, and its orders still in transit, to the
        acquirer; return the GPUs owned that moved."""
        self._successor[seller] = (acquirer, acquirer_type)
        gpus = self._owned.pop(seller, 0.0)
        dom = self._owned_domestic.pop(seller, 0.0)
        self._owned[acquirer] += gpus
        self._owned_domestic[acquirer] += dom
        in_transit = self._in_transit.pop(seller, 0.0)
        if in_transit:
            self._in_transit[acquirer] += in_transit
        overdue = self._overdue.pop(seller, 0.0)
        if overdue:
            self._overdue[acquirer] += overdue
        return gpus

    # ------------------------------------------------------------ monthly supply and prices
    def export_control(self, supply_cut: float) -> None:
        """From now on, imported supply is cut by ``supply_cut`` (share)."""
        self._supply_cut = 1 - (1 - self._supply_cut) * (1 - supply_cut)

    def _monthly_supply(self, month: float) -> tuple[float, float]:
        """What the vendors can ship this month (imported, domestic): capacity growth,
        export controls, and price (less when the price is below cost). Made to order
        this is their capacity; otherwise it is what they ship."""
        c = self._cfg
        growth = (1 + c.supply_growth_per_year) ** (month / MONTHS_PER_YEAR)
        response = (self._price / c.production_cost_mcny) ** c.supply_price_elasticity
        imported = c.imported_supply_per_month * growth * (1 - self._supply_cut) * response
        return imported, c.domestic_supply_per_month * growth * response

    def wear_out(self) -> None:
        """Start of a month: every fleet loses ``1 / depreciation_months`` of its GPUs, worn
        out or obsolete (geometric depreciation over the life the ownership cost charges
        for), domestic and imported alike; nothing with ``retire_worn_out`` false."""
        if not self._cfg.retire_worn_out:
            return
        rate = 1.0 / self._cfg.depreciation_months
        for firm, gpus in self._owned.items():
            if gpus > 0:
                self._owned[firm] = gpus - gpus * rate
                self._owned_domestic[firm] -= self._owned_domestic[firm] * rate
                self._retired[firm] += gpus * rate

    def supply_month(self) -> None:
        """Start of a month: this month's shipments arrive in the stocks.

        Made to order (``made_to_order``), vendors ship what has been ordered and not yet
        shipped, up to their capacity this month; otherwise they ship their capacity
        whatever the orders, and unsold GPUs wait in the stocks.
        """
        imported, domestic = self._monthly_supply(self._env.now)
        arriving = imported + domestic
        if self._cfg.made_to_order:
            self._capacity_this_month = arriving
            arriving = min(arriving, max(self._unshipped, 0.0))   # in the supply's mix
            self._unshipped -= arriving
        if arriving > 0:
            self.stock.put(arriving)   # deliveries waiting for it take it later
            self._lots.append([arriving, domestic / (imported + domestic)])
        self._arrived_this_month = arriving
        self._stocked_this_month = self.stock.level

    def reprice(self) -> None:
        """After the month's orders: the price moves with demand (new orders and backlog)
        against supply, and reverts to the production cost.

        Made to order, supply is what the vendors can ship this month, and only demand
        beyond it moves the price: a scarcity premium over cost while orders exceed
        capacity, none while capacity is idle (no unsold stock exists to dump). Otherwise
        supply is this month's arrivals plus the unsold stock, which pushes the price
        down for as long as it lies there: the stocks as the month opened (arrivals the
        month's deliveries did not take still lie in the stock, so adding them to its
        level would count them twice).
        """
        c = self._cfg
        # the backlog less the orders of this month already waiting, counted once (with a
        # lead time under a month, until 2026-12-07, twice: month 0 at lead time 0 read
        # 35,078 GPUs ordered as 70,156 wanted)
        demand = self._ordered_this_month + (self._waiting - self._waiting_ordered)
        if c.made_to_order:
            available = min(self._capacity_this_month, demand)
        else:
            available = self._stocked_this_month
        self._price = self._reprice(
            self._price,
            demand,
            available,
            c.price_adjust_speed,
            c.price_reversion,
            c.production_cost_mcny,
        )
        self._ordered_this_month = 0.0
        self._waiting_ordered = 0.0
        self._reprices += 1

    @staticmethod
    def _reprice(
        price: float, demand: float, supply: float, speed: float, reversion: float, anchor: float
    ) -> float:
        """Tatonnement: log price moves with the relative excess demand (D - S) / (D + S),
        which lies in [-1, 1], and reverts towards the anchor (production cost)."""
        excess = (demand - supply) / (demand + supply) if demand + supply > 0 else 0.0
        return price * math.exp(speed * excess - reversion * math.log(price / anchor))

    # ------------------------------------------------------------ rental market
    def _rental_quote(self, wanted: float, offered: float) -> float:
        """Clouds price rent at ownership cost plus margin, scaled by scarcity, and never
        below the electricity it burns (seed 004: rents rose with GPU prices)."""
        c = self._cfg
        anchor = self.ownership_cost_mcny_per_gpu_month() * (1 + c.cloud_margin)
        smooth = SCARCITY_SMOOTHING_GPUS
        scarcity = ((wanted + smooth) / (offered + smooth)) ** c.rental_scarcity_elasticity
        return max(anchor * scarcity, self.electricity_mcny_per_gpu_month())

    def offer_rental(self, offer: RentalOffer) -> None:
        """A cloud offers spare GPU-months for this month."""
        if offer.gpu_months > 0:
            self._rental_offers.append(offer)

    def request_rental(self, request: RentalRequest) -> None:
        """A firm asks for GPU-months this month."""
        if request.gpu_months > 0:
            self._rental_requests.append(request)

    def clear_rentals(self, renter_types: dict[str, ActorType]) -> None:
        """Match requests to offers pro rata, collect rent, reprice for next month (not
        in a month with no requests)."""
        now = self._env.now
        offered = left_sum(o.gpu_months for o in self._rental_offers)
        wanted = left_sum(r.gpu_months for r in self._rental_requests)
        self._offered = offered
        fill = min(1.0, offered / wanted) if wanted > 0 else 0.0
        self._rented = {}
        self._rented_out = {}
        for req in self._rental_requests:
            # Clouds bill in advance: a renter gets no more GPU-months than its cash pays for.
            # (less one CNY per cloud billed: each transfer is rounded to whole CNY)
            cash = self._ledger.balance(req.renter) - len(self._rental_offers) / CNY_PER_MCNY
            affordable = max(cash, 0.0) / self._rent_price
            got = min(req.gpu_months * fill, affordable)
            if got <= TINY:
                continue
            self._rented[req.renter] = self._rented.get(req.renter, 0.0) + got
            for offer in self._rental_offers:
                share = got * offer.gpu_months / offered
                self._ledger.transfer(
                    now, req.renter, offer.cloud, share * self._rent_price, "gpu_rental"
                )
                self._rented_out[offer.cloud] = self._rented_out.get(offer.cloud, 0.0) + share
            self._log.record(
                now,
                EventKind.GPU_RENTAL,
                req.renter,
                renter_types[req.renter],
                "clouds",
                got * self._rent_price,
                gpus=got,
                price=self._rent_price,
            )
        if wanted > 0:
            self._rent_price = self._rental_quote(wanted, offered)
        # A month nobody asked for rent tells the clouds nothing of demand: they keep their
        # price. Until 2026-12-07 it fell to a fifth of the cost-plus anchor, the scarcity
        # term at one GPU wanted against the whole spare fleet: month 0 has no startups, so
        # the first month's renters paid 3.4 CNY an A100-hour, against 10-16 after it.
        self._rental_offers = []
        self._rental_requests = []
