"""The naive design of the buyer side, for benchmark (e): one SimPy process per buyer.

Each buyer is its own process and every month makes, one buyer at a time in
Python, the decisions that :class:`sim.agents.buyers.BuyerPopulation` makes for
all buyers at once with NumPy: follow its vendor's exit, take its tender's
best bid, end a finished project, churn or switch its API subscription, look at
the market and tender or subscribe, and pay its vendor (one ledger transfer
and one event row per buyer). The buyers' attributes are the population's own
draws, and the utility is the population's formula applied to one buyer's row.

It is not byte-identical to the vectorised model (random draws come per buyer,
events and payments per buyer), only the same logic; it exists to be timed.
What a whole month shares (the offers, this month's bids and tenders) is
prepared once a month by one coordinating step, which makes this naive design
faster than a fully naive one would be: the estimate it gives is conservative.
"""

from __future__ import annotations

from collections.abc import Generator
from unittest import mock

import numpy as np
import simpy

import sim.model
from sim.agents.buyers import API, CONTRACT, BuyerPopulation, choose
from sim.config import SEGMENTS, BaimoConfig
from sim.events import ActorType, EventKind
from sim.messages import Channel
from sim.model import MarketModel
from sim.world import Phase


class NaiveBuyers(BuyerPopulation):
    """Buyers as one SimPy process each (same attributes, same decision rules)."""

    def run(self) -> Generator[simpy.Event, None, None]:
        """Prepare each month's shared market view, then let every buyer act on its own."""
        env = self.world.env
        yield env.timeout(Phase.BUYERS)
        self.prepare_month()
        for i in range(self.n):
            env.process(self.buyer(i))
        while True:
            yield env.timeout(1)
            self.prepare_month()

    def buyer(self, i: int) -> Generator[simpy.Event, None, None]:
        """One buyer's life: a decision step every month."""
        env = self.world.env
        while True:
            self.step(i)
            yield env.timeout(1)

    # ------------------------------------------------------------ what the month shares
    def prepare_month(self) -> None:
        """This month's offers, closing tenders and bids (runs before the buyers act)."""
        w = self.world
        m = w.enterprise
        c = self._cfg
        offers = m.offers()
        self.offer_list = offers
        self.offer_ids = np.array([m.vendor_index(o.vendor) for o in offers], dtype=np.int32)
        self.offer_value = self._value(np.array([o.domain_capability for o in offers]))
        self.offer_halluc = np.array([o.hallucination for o in offers])
        growth = self.usage_growth()
        self.growth = growth
        price = np.array([o.api_price_cny_per_mtok for o in offers])
        self.offer_share = c.usage_mtok_per_mcny * growth * price / 1e6
        self.price_of = {int(v): o.api_price_cny_per_mtok
                         for v, o in zip(self.offer_ids, offers, strict=True)}
        self.rate = self._consider_rate()
        tenders, bids = m.collect_bids()
        self.tender_of = {int(b): k for k, b in enumerate(tenders.buyer)}
        self.tenders = tenders
        live = [b for b in bids if m.offer(b.vendor) is not None]
        self.bids = live
        if live:
            self.bid_value = self._value(np.array([m.offer(b.vendor).domain_capability
                                                   for b in live]))
            self.bid_halluc = np.array([m.offer(b.vendor).hallucination for b in live])
            self.bid_vendor = np.array([m.vendor_index(b.vendor) for b in live])
            self.bid_share = np.array([b.price_share for b in live])
            self.bid_private_ok = np.array([b.private_ok for b in live])

    # ------------------------------------------------------------ one buyer's month
    def step(self, i: int) -> None:
        """Everything buyer ``i`` does this month, in the population's order."""
        w = self.world
        m = w.enterprise
        v = int(self.vendor[i])
        if v >= 0:
            name = m.vendor_name(v)
            if m.is_gone(name):
                heir = m.successor(name)
                if heir is not None:
                    self.vendor[i] = m.vendor_index(heir)
                else:
                    self.end_one(i, "vendor_exit")
                    self.looking_again[i] = True
        k = self.tender_of.get(i)
        if k is not None:
            self.pending[i] = False
            if self.bids:
                self.award(i, k)
        if self.channel[i] == CONTRACT and self.contract_end[i] <= w.now:
            self.end_one(i, "term_end")
            self.looking_again[i] = True
        if self.offer_list:
            if self.channel[i] == API:
                self.review(i)
            if self.vendor[i] < 0 and not self.pending[i]:
                self.consider(i)
        if self.vendor[i] >= 0:
            self.pay(i)

    def award(self, i: int, k: int) -> None:
        """Score every bid for buyer ``i``'s tender ``k``; sign the best if it is worth it."""
        c = self._cfg
        t = self.tenders
        d = int(t.domain[k])
        serves = np.array([b.domains is None or d in b.domains for b in self.bids])
        eligible = serves & np.logical_or(not t.private[k], self.bid_private_ok)
        value, term = float(t.value_mcny[k]), float(t.term_months[k])
        price = value * self.bid_share / term / self.budget[i]
        idx = np.array([i])
        u = self._utility(idx, self.bid_value[:, d][None, :], self.bid_halluc[:, d][None, :],
                          price[None, :], api=False)[0]
        prev = self.previous[i]
        u -= c.switching_cost * ((prev >= 0) & (self.bid_vendor != prev))
        u = np.where(eligible, u, -np.inf)
        chosen, top = choose(u[None, :], c.tender_taste, self._judgment_rng)
        b = int(chosen[0])
        if top[0] > 0:
            self.sign_one(i, int(self.bid_vendor[b]), CONTRACT, value * self.bid_share[b], term,
                          value)

    def review(self, i: int) -> None:
        """An API subscriber churns, or reviews the market and switches or leaves."""
        c = self._cfg
        if self._rng.random() < c.churn_base:
            self.end_one(i, "churn")
            return
        if self._rng.random() >= self.rate:
            return
        u = self.api_utility(i)
        current = self.offer_ids == self.vendor[i]
        u_now = u[current].max() if current.any() else -np.inf
        u_alt = np.where(current, -np.inf, u - c.switching_cost)
        best = int(u_alt.argmax())
        if u_alt[best] > max(u_now, 0.0):
            self.end_one(i, "switched")
            self.sign_one(i, int(self.offer_ids[best]), API, 0.0, 1.0, 0.0)
        elif u_now < 0:
            self.end_one(i, "unsatisfied")

    def consider(self, i: int) -> None:
        """A buyer without a vendor may look at the market: tender, or subscribe to an API."""
        w = self.world
        c = self._cfg
        looks = self._rng.random() < self.rate * self.digitization[i]
        if not (looks or self.looking_again[i]):
            return
        if self.private[i] or self._rng.random() < self.tender_propensity[i]:
            one = np.array([i])
            t = w.enterprise.issue_tenders(one, self.segment[one], self.domain[one],
                                           self.budget[one] * c.project_budget_months,
                                           c.tender_term_months, self.private[one])
            self.pending[i] = True
            w.log.record(w.now, EventKind.TENDER, f"buyer:{i}", ActorType.BUYER,
                         amount_mcny=float(t.value_mcny[0]), segment=SEGMENTS[self.segment[i]],
                         domain=w.domains[self.domain[i]])
            return
        self.looking_again[i] = False
        u = self.api_utility(i)
        best = int(u.argmax())
        if u[best] > 0:
            self.sign_one(i, int(self.offer_ids[best]), API, 0.0, 1.0, 0.0)

    def api_utility(self, i: int) -> np.ndarray:
        """Buyer ``i``'s utility of every API offer."""
        d = int(self.domain[i])
        return self._utility(np.array([i]), self.offer_value[:, d][None, :],
                             self.offer_halluc[:, d][None, :], self.offer_share[None, :],
                             api=True)[0]

    def pay(self, i: int) -> None:
        """Buyer ``i`` pays its vendor this month (one ledger transfer)."""
        w = self.world
        m = w.enterprise
        name = m.vendor_name(int(self.vendor[i]))
        segment = SEGMENTS[self.segment[i]]
        if self.channel[i] == API:
            usage = float(self.budget[i] * self._cfg.usage_mtok_per_mcny * self.growth)
            amount = usage * self.price_of.get(int(self.vendor[i]), 0.0) / 1e6
            w.ledger.transfer(w.now, f"ext:buyers:{segment}", name, amount, "api_payment")
            m.record_payment(name, Channel.API, amount)
            m.record_tokens(name, usage)
        else:
            amount = float(self.payment[i])
            w.ledger.transfer(w.now, f"ext:buyers:{segment}", name, amount, "contract_payment")
            m.record_payment(name, Channel.CONTRACT, amount)
            m.record_delivery_load(name, float(self.project_value[i]))
            m.record_contract_months(name, int(self.domain[i]), 1.0)

    def adoption_by_segment(self) -> list[float]:
        """Adopters counted over the buyers' arrays (this design keeps no payment groups,
        and the census is not what it is about: counted as the population counted it)."""
        return self._adoption(np.bincount(self.segment[self.vendor >= 0],
                                          minlength=len(SEGMENTS)))

    # ------------------------------------------------------------ one buyer's records
    def end_one(self, i: int, reason: str) -> None:
        """Buyer ``i`` leaves its vendor (one event row)."""
        w = self.world
        w.log.record(w.now, EventKind.CONTRACT_ENDED, f"buyer:{i}", ActorType.BUYER,
                     w.enterprise.vendor_name(int(self.vendor[i])),
                     segment=SEGMENTS[self.segment[i]], domain=w.domains[self.domain[i]],
                     channel="api" if self.channel[i] == API else "contract", reason=reason)
        self._clear(i)   # the population's own reset, on one index

    def sign_one(self, i: int, vendor: int, channel: int, price_mcny: float, term: float,
                 value_mcny: float) -> None:
        """Buyer ``i`` signs with ``vendor`` (one event row)."""
        w = self.world
        contract = channel == CONTRACT
        self.vendor[i] = vendor
        self.channel[i] = channel
        self.contract_end[i] = w.now + term if contract else np.inf
        self.payment[i] = price_mcny / term if contract else 0.0
        self.project_value[i] = value_mcny / term if contract else 0.0
        self.looking_again[i] = False
        w.log.record(w.now, EventKind.CONTRACT_SIGNED, f"buyer:{i}", ActorType.BUYER,
                     w.enterprise.vendor_name(vendor), price_mcny if contract else np.nan,
                     segment=SEGMENTS[self.segment[i]], domain=w.domains[self.domain[i]],
                     channel="contract" if contract else "api")


def naive_model(cfg: BaimoConfig) -> MarketModel:
    """The market of ``cfg`` with :class:`NaiveBuyers` in place of the buyer population."""
    with mock.patch.object(sim.model, "BuyerPopulation", NaiveBuyers):
        return MarketModel(cfg)
