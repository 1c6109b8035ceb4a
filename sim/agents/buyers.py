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

from collections.abc import Generator

import numpy as np
import simpy

from sim.config import SEGMENTS, BuyersConfig
from sim.events import ActorType, EventKind
from sim.markets.procurement import EnterpriseMarket
from sim.messages import Channel, Offer
from sim.world import Phase, World

NONE, API, CONTRACT = 0, 1, 2


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


class BuyerPopulation:
    """All enterprise buyers as arrays (one row per buyer)."""

    def __init__(self, world: World, cfg: BuyersConfig, domain_weights: list[float]) -> None:
        self.world = world
        self._cfg = cfg
        rng = world.streams.get("buyers")
        self._rng = rng
        n = cfg.count
        self.n = n
        self.segment = rng.choice(len(SEGMENTS), size=n, p=cfg.segment_shares).astype(np.int8)
        self.domain = rng.choice(len(domain_weights), size=n, p=domain_weights).astype(np.int16)
        sd = cfg.attribute_sd

        def draw(means: list[float], lo: float = 0.0, hi: float = 1.0) -> np.ndarray:
            m = np.asarray(means)[self.segment]
            return np.clip(m + rng.normal(0, sd, n) * np.maximum(m, 0.05), lo, hi)

        self.digitization = draw(cfg.digitization)
        self.tolerance = draw(cfg.hallucination_tolerance)
        self.resistance = draw(cfg.headcount_resistance)
        self.price_sensitivity = draw(cfg.price_sensitivity, 0.0, np.inf)
        budget_mean = np.asarray(cfg.budget_mcny_per_month)[self.segment]
        self.budget = budget_mean * rng.lognormal(0, sd * 4, n) / np.exp((sd * 4) ** 2 / 2)
        self.private = rng.random(n) < np.asarray(cfg.privacy_need)[self.segment]
        self.tender_propensity = np.asarray(cfg.tender_propensity)[self.segment]
        self.vendor = np.full(n, -1, dtype=np.int32)
        self.channel = np.zeros(n, dtype=np.int8)
        self.contract_end = np.full(n, np.inf)
        self.payment = np.zeros(n)
        self.project_value = np.zeros(n)
        self.pending = np.zeros(n, dtype=bool)
        self.previous = np.full(n, -1, dtype=np.int32)
        self.renewing = np.zeros(n, dtype=bool)

    # ------------------------------------------------------------ valuation
    def usage_mtok(self, idx: np.ndarray) -> np.ndarray:
        """Million tokens a month each API buyer uses."""
        growth = (1 + self._cfg.usage_growth_per_year) ** (self.world.now / 12.0)
        return self.budget[idx] * self._cfg.usage_mtok_per_mcny * growth

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
        c = self._cfg
        value = c.value_multiple * _sigmoid(
            (capability - c.capability_midpoint) / c.capability_width
        )
        value = value * (1 - self.resistance[idx, None] * c.staff_cut_share)
        if api:
            value = value * c.api_value_factor
        risk = hallucination * (1 - self.tolerance[idx, None]) * c.hallucination_cost
        integration = (1 - self.digitization[idx, None]) * c.integration_cost
        return value - self.price_sensitivity[idx, None] * price_share - risk - integration

    # ------------------------------------------------------------ process
    def run(self) -> Generator[simpy.Event, None, None]:
        """Each month: follow vendors' exits, award tenders, end contracts, churn, adopt, pay."""
        w = self.world
        yield w.env.timeout(Phase.BUYERS)
        while True:
            offers = w.enterprise.offers()
            self.follow_vendor_exits()
            self.award_tenders()
            self.end_contracts()
            self.review_subscriptions(offers)
            self.consider_adoption(offers)
            self.pay_vendors(offers)
            yield w.env.timeout(1)

    def _end(self, idx: np.ndarray, reason: str) -> None:
        w = self.world
        for i in idx:
            w.log.record(
                w.now,
                EventKind.CONTRACT_ENDED,
                f"buyer:{i}",
                ActorType.BUYER,
                w.enterprise.vendor_name(int(self.vendor[i])),
                segment=SEGMENTS[self.segment[i]],
                domain=w.domains[self.domain[i]],
                channel="api" if self.channel[i] == API else "contract",
                reason=reason,
            )
        self.previous[idx] = self.vendor[idx]
        self.vendor[idx] = -1
        self.channel[idx] = NONE
        self.contract_end[idx] = np.inf
        self.payment[idx] = 0.0
        self.project_value[idx] = 0.0

    def _sign(
        self, i: int, vendor: int, channel: int, price_mcny: float, term: float, value_mcny: float
    ) -> None:
        w = self.world
        self.vendor[i] = vendor
        self.channel[i] = channel
        self.contract_end[i] = w.now + term if channel == CONTRACT else np.inf
        self.payment[i] = price_mcny / term if channel == CONTRACT else 0.0
        self.project_value[i] = value_mcny / term if channel == CONTRACT else 0.0
        self.renewing[i] = False
        w.log.record(
            w.now,
            EventKind.CONTRACT_SIGNED,
            f"buyer:{i}",
            ActorType.BUYER,
            w.enterprise.vendor_name(vendor),
            price_mcny if channel == CONTRACT else np.nan,
            segment=SEGMENTS[self.segment[i]],
            domain=w.domains[self.domain[i]],
            channel="contract" if channel == CONTRACT else "api",
        )

    def follow_vendor_exits(self) -> None:
        """Clients of an acquired vendor move to the acquirer; a bankrupt vendor's clients leave."""
        m: EnterpriseMarket = self.world.enterprise
        active = np.flatnonzero(self.vendor >= 0)
        if active.size == 0:
            return
        for v in np.unique(self.vendor[active]):
            name = m.vendor_name(int(v))
            if not m.is_gone(name):
                continue
            clients = active[self.vendor[active] == v]
            heir = m.successor(name)
            if heir is not None:
                self.vendor[clients] = m.vendor_index(heir)
            else:
                self._end(clients, "vendor_exit")

    def award_tenders(self) -> None:
        """Award every closing tender to the bid with the highest utility, if positive.

        All tenders and bids of the month are scored at once: a (tenders x bids) matrix.
        """
        w = self.world
        m = w.enterprise
        tenders, bids = m.collect_bids()
        if not tenders:
            return
        buyer = np.array([t.buyer for t in tenders])
        self.pending[buyer] = False
        offers = [m.offer(b.vendor) for b in bids]
        live = [k for k, o in enumerate(offers) if o is not None]
        if not live:
            return
        bids = [bids[k] for k in live]
        caps = np.array([offers[k].domain_capability for k in live])  # bids x domains
        halluc = np.array([offers[k].hallucination for k in live])
        vendor = np.array([m.vendor_index(b.vendor) for b in bids])
        share = np.array([b.price_share for b in bids])
        domain = np.array([t.domain for t in tenders])
        value = np.array([t.value_mcny for t in tenders])
        term = np.array([t.term_months for t in tenders])
        private = np.array([t.private for t in tenders])
        serves = np.zeros((len(bids), caps.shape[1]), dtype=bool)  # bids x domains
        for k, b in enumerate(bids):
            serves[k, list(b.domains) if b.domains is not None else slice(None)] = True
        eligible = serves[:, domain].T
        eligible &= ~private[:, None] | np.array([b.private_ok for b in bids])[None, :]
        price = value[:, None] * share[None, :] / term[:, None] / self.budget[buyer][:, None]
        u = self.utility(buyer, caps[:, domain].T, halluc[:, domain].T, price, api=False)
        prev = self.previous[buyer]
        u -= self._cfg.switching_cost * ((prev[:, None] >= 0) & (vendor[None, :] != prev[:, None]))
        u = np.where(eligible, u, -np.inf)
        best = u.argmax(axis=1)
        for k in np.flatnonzero(u[np.arange(len(tenders)), best] > 0):
            t = tenders[k]
            b = int(best[k])
            self._sign(
                t.buyer,
                int(vendor[b]),
                CONTRACT,
                float(value[k] * share[b]),
                t.term_months,
                t.value_mcny,
            )

    def end_contracts(self) -> None:
        """Projects whose term is over end; the buyer will tender again."""
        due = np.flatnonzero((self.channel == CONTRACT) & (self.contract_end <= self.world.now))
        if due.size:
            self._end(due, "term_end")
            self.renewing[due] = True

    def _offer_arrays(
        self,
        offers: list[Offer],
        idx: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Vendor ids, capability, hallucination and API price share for buyers ``idx``."""
        m = self.world.enterprise
        ids = np.array([m.vendor_index(o.vendor) for o in offers], dtype=np.int32)
        domcap = np.array([o.domain_capability for o in offers])
        halluc = np.array([o.hallucination for o in offers])
        price = np.array([o.api_price_cny_per_mtok for o in offers])
        d = self.domain[idx]
        growth = (1 + self._cfg.usage_growth_per_year) ** (self.world.now / 12.0)
        share = np.broadcast_to(
            self._cfg.usage_mtok_per_mcny * growth * price / 1e6, (idx.size, len(offers))
        )
        return ids, domcap[:, d].T, halluc[:, d].T, share

    def review_subscriptions(self, offers: list[Offer]) -> None:
        """API subscribers churn, or switch to a rival better by more than the switching cost."""
        c = self._cfg
        subs = np.flatnonzero(self.channel == API)
        if subs.size == 0 or not offers:
            return
        churn = subs[self._rng.random(subs.size) < c.churn_base]
        if churn.size:
            self._end(churn, "churn")
        review = subs[self._rng.random(subs.size) < self._consider_rate()]
        review = review[self.channel[review] == API]
        if review.size == 0:
            return
        ids, capab, halluc, share = self._offer_arrays(offers, review)
        u = self.utility(review, capab, halluc, share, api=True)
        current = self.vendor[review][:, None] == ids[None, :]
        has_current = current.any(axis=1)
        u_now = np.where(has_current, np.where(current, u, -np.inf).max(axis=1), -np.inf)
        u_alt = np.where(current, -np.inf, u - c.switching_cost)
        best = u_alt.argmax(axis=1)
        gain = u_alt[np.arange(review.size), best]
        switch = gain > np.maximum(u_now, 0.0)
        leave = ~switch & (u_now < 0)
        if leave.any():
            self._end(review[leave], "unsatisfied")
        for k in np.flatnonzero(switch):
            i = int(review[k])
            self._end(np.array([i]), "switched")
            self._sign(i, int(ids[best[k]]), API, 0.0, 1.0, 0.0)

    def _consider_rate(self) -> float:
        c = self._cfg
        return min(
            1.0, c.consideration_rate * self.world.hype.level**c.consideration_hype_elasticity
        )

    def consider_adoption(self, offers: list[Offer]) -> None:
        """Non-adopters look at the market (more when hype is high and digitisation deep)."""
        w = self.world
        c = self._cfg
        free = (self.vendor < 0) & ~self.pending
        p = self._consider_rate() * self.digitization
        look = np.flatnonzero(free & ((self._rng.random(self.n) < p) | self.renewing))
        if look.size == 0 or not offers:
            return
        tender = self.private[look] | (self._rng.random(look.size) < self.tender_propensity[look])
        for i in look[tender]:
            t = w.enterprise.issue_tender(
                int(i),
                int(self.segment[i]),
                int(self.domain[i]),
                float(self.budget[i] * c.project_budget_months),
                c.tender_term_months,
                bool(self.private[i]),
            )
            self.pending[i] = True
            w.log.record(
                w.now,
                EventKind.TENDER,
                f"buyer:{i}",
                ActorType.BUYER,
                amount_mcny=t.value_mcny,
                segment=SEGMENTS[self.segment[i]],
                domain=w.domains[self.domain[i]],
            )
        api = look[~tender]
        self.renewing[api] = False
        if api.size == 0:
            return
        ids, capab, halluc, share = self._offer_arrays(offers, api)
        u = self.utility(api, capab, halluc, share, api=True)
        best = u.argmax(axis=1)
        ok = u[np.arange(api.size), best] > 0
        for k in np.flatnonzero(ok):
            self._sign(int(api[k]), int(ids[best[k]]), API, 0.0, 1.0, 0.0)

    def pay_vendors(self, offers: list[Offer]) -> None:
        """Monthly payments: contract instalments and API usage at the vendor's price."""
        w = self.world
        m = w.enterprise
        prices = {m.vendor_index(o.vendor): o.api_price_cny_per_mtok for o in offers}
        active = np.flatnonzero(self.vendor >= 0)
        if active.size == 0:
            return
        usage = np.zeros(self.n)
        api = active[self.channel[active] == API]
        usage[api] = self.usage_mtok(api)
        price = np.zeros(self.n)
        price[api] = [prices.get(int(v), 0.0) for v in self.vendor[api]]
        spend = np.where(self.channel == API, usage * price / 1e6, self.payment)
        keys = self.vendor[active].astype(np.int64) * len(SEGMENTS) + self.segment[active]
        for key in np.unique(keys):
            rows = active[keys == key]
            v, seg = divmod(int(key), len(SEGMENTS))
            name = m.vendor_name(v)
            for channel, mask in (
                (Channel.API, self.channel[rows] == API),
                (Channel.CONTRACT, self.channel[rows] == CONTRACT),
            ):
                sel = rows[mask]
                if sel.size == 0:
                    continue
                amount = float(spend[sel].sum())
                w.ledger.transfer(
                    w.now, f"ext:buyers:{SEGMENTS[seg]}", name, amount, f"{channel}_payment"
                )
                m.record_payment(name, channel, amount)
                if channel == Channel.API:
                    m.record_tokens(name, float(usage[sel].sum()))
                else:
                    m.record_delivery_load(name, float(self.project_value[sel].sum()))
                    for d in np.unique(self.domain[sel]):
                        m.record_contract_months(name, int(d), float((self.domain[sel] == d).sum()))

    # ------------------------------------------------------------ observation
    def adoption_by_segment(self) -> list[float]:
        """Share of each segment's buyers with a live contract or subscription."""
        adopted = self.vendor >= 0
        return [
            float(adopted[self.segment == s].mean()) if (self.segment == s).any() else 0.0
            for s in range(len(SEGMENTS))
        ]
