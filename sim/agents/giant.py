"""General-model giants: Baidu, Alibaba, Huawei... (seeds 000, 001, 002, 003, 004).

A giant is funded by its core business, buys GPUs for an arms race it can
afford, trains model generations, puts them through review, uses its model
in its own products (which lifts core profit: claim 7), sells API access at
a price it sets monthly, rents spare GPUs through its cloud, bids for
enterprise projects, and buys startups that are for sale.
"""

from __future__ import annotations

from collections.abc import Generator

import numpy as np
import simpy

from sim import capability as cap
from sim.agents.vendor import Vendor
from sim.config import GENERAL_DOMAIN, MONTHS_PER_YEAR, DataConfig, GiantsConfig
from sim.events import ActorType, EventKind
from sim.messages import ModelKind, RentalOffer, SaleOffer
from sim.world import World

CORE_MARKET = "ext:core_market"
CAPABILITY_POINTS = 100.0  # internal_use_lift is quoted per this many points
#: A move of the API price by more than this share of the old price is a price_change event
#: (what is logged only: the price itself moves every month).
PRICE_CHANGE_LOGGED = 0.01


class Giant(Vendor):
    """One general-model giant (it acts in :meth:`~sim.model.MarketModel.giants_act`, the
    giants' one process)."""

    actor_type = ActorType.GIANT
    home_domain = GENERAL_DOMAIN

    def __init__(
        self,
        world: World,
        cfg: GiantsConfig,
        data_cfg: DataConfig,
        index: int,
        rng: np.random.Generator,
    ) -> None:
        super().__init__(world, f"giant:{cfg.names[index]}")
        self.name = cfg.names[index]
        self._cfg = cfg
        self._data_step_cost = data_cfg.step_cost_giant_mcny
        self._index = index
        self._rng = rng
        self._review_rng = world.streams.get("review_giant", index)
        self._training_gpus = 0.0
        self._serving_gpus = 0.0
        self._fleet_shortfall = 0.0  # A100-eq the giant wants but does not yet own
        self._next_generation = float(rng.uniform(
            0, cfg.generation_interval_months * cfg.first_generation_window_share))
        self._generation = 0
        self.api_price = cfg.initial_api_price_cny_per_mtok
        self.core_profit = 0.0   # million CNY this month, from the core business
        self.group_support_mcny = 0.0  # what the group paid of its bills (draw_on_group)
        world.actor_types[self.id] = self.actor_type
        world.ledger.transfer(
            0.0, CORE_MARKET, self.id, cfg.initial_cash_mcny[index], "initial_cash"
        )
        world.compute.grant_initial_fleet(
            self.id, cfg.initial_gpus[index], cfg.initial_domestic_share[index]
        )
        world.data.register(self.id, cfg.initial_data_quality[index])

    # ------------------------------------------------------------ process
    def month(self) -> None:
        """One month of the giant's life (a training generation runs in a process of its
        own)."""
        self.earn_core_profit()
        self.pay_running_costs()
        self.learn_from_contracts(self.world.month)
        self.buy_data(self._data_step_cost, self.annual_revenue())
        self.buy_compute()
        # a generation is due, none is training, and the fleet has GPUs to train it on (a
        # giant with none, its first orders still on their way, waits for them)
        if self.world.now >= self._next_generation and self._training_gpus == 0:
            gpus = self.training_run_gpus()
            if gpus > 0:
                # off the cloud from this month on (offer_cloud below): until 2026-12-07 the
                # run's process took them only after the giant had offered them for rent
                self._training_gpus = gpus
                self.world.env.process(self.train_generation(gpus))
        self.set_price()
        self.post_offer(private_deployment=True)
        self.offer_cloud()
        self.bid_for_contracts()
        self.acquire_startups()

    # ------------------------------------------------------------ core business (claim 7)
    def internal_lift(self) -> float:
        """Share by which the giant's own model lifts its core profit."""
        return self._cfg.internal_use_lift * self.capability / CAPABILITY_POINTS

    def earn_core_profit(self) -> None:
        """Core business profit, lifted by using the giant's own model in its products."""
        w = self.world
        base = self._cfg.core_profit_mcny_per_month[self._index]
        growth = (1 + self._cfg.core_growth_per_year) ** (w.now / MONTHS_PER_YEAR)
        self.core_profit = base * growth * (1 + self.internal_lift())
        w.ledger.transfer(w.now, CORE_MARKET, self.id, self.core_profit, "core_profit")

    def ai_budget(self) -> float:
        """Monthly AI budget (million CNY): a share of core profit (seed 000)."""
        return self._cfg.ai_budget_share * self.core_profit

    def pay_running_costs(self) -> None:
        """Electricity for the fleet and delivery of last month's projects."""
        w = self.world
        owned = w.compute.owned(self.id)
        serving_share = min(1.0, self._serving_gpus / owned) if owned > 0 else 0.0
        bill = w.compute.fleet_electricity_mcny(self.id, serving_share)
        w.ledger.transfer(w.now, self.id, "ext:electricity", bill, "electricity")
        self.pay_delivery(self._cfg.delivery_cost_share, w.now)
        self.draw_on_group()

    def draw_on_group(self) -> None:
        """The group covers bills its AI arm cannot pay (seed 000: giants fund AI from the
        core business): a giant whose core profit no longer pays for its fleet's power and
        its project delivery gets the shortfall from the group, and never goes bankrupt.

        Only these running bills are covered; what the giant chooses to spend (GPUs,
        acquisitions) stays within its own cash.
        """
        w = self.world
        cash = self.cash
        if cash < 0:
            w.ledger.transfer(w.now, CORE_MARKET, self.id, -cash, "group_support")
            self.group_support_mcny += -cash

    # ------------------------------------------------------------ compute
    def buy_compute(self) -> None:
        """Order GPUs towards a fleet target set by budget, hype, price and serving load.

        The target is budgeted at ``fleet_plan_price_mcny``, a price of the giant's plan,
        not of the run: a run that starts at a dearer GPU price moves the target through
        ``gpu_price_elasticity`` alone, as a price rise during the run does.
        """
        w = self.world
        c = self._cfg
        price = w.compute.price_mcny
        plan_price = c.fleet_plan_price_mcny
        efficiency = cap.efficiency(w.capability, w.now)
        # its own API's tokens and its application companies' (until 2026-12-07 nobody's
        # GPUs ran the apps' tokens: three times the giants' own in the first two years)
        self._serving_gpus = w.compute.serving_gpus(
            w.enterprise.served_tokens(self.id, w.month - 1), efficiency
        )
        target = (
            self.ai_budget()
            * c.fleet_target_months_of_budget
            / plan_price
            * w.hype.level**c.hype_fleet_elasticity
            * (price / plan_price) ** -c.gpu_price_elasticity
            + self._serving_gpus
        )
        owned = w.compute.owned(self.id)
        self._fleet_shortfall = max(target - owned, 0.0)
        gap = target - owned - w.compute.in_transit(self.id)
        if gap <= 0:
            return
        order = gap / c.fleet_adjust_months
        if order * price > self.cash:
            return
        w.compute.buy(self.id, self.actor_type, order)

    def offer_cloud(self) -> None:
        """Rent out GPUs not training or serving (seeds 001, 004).

        A giant short of the fleet it wants (orders stuck in a scarce market)
        keeps that shortfall for itself: clouds serve their owners first (claim 2).
        """
        w = self.world
        reserve = self._cfg.cloud_reserve_share * self._fleet_shortfall
        spare = w.compute.owned(self.id) - self._training_gpus - self._serving_gpus - reserve
        if spare > 0:
            w.compute.offer_rental(RentalOffer(self.id, spare))

    # ------------------------------------------------------------ models
    def training_run_gpus(self) -> float:
        """A100-eq for the next training run.

        The run is planned on the fleet the giant has paid for and should have by now:
        what it owns plus orders past their lead time that a short market has not
        delivered. It runs on owned GPUs not serving, taken back from its cloud if need
        be (clouds serve their owners first; an assumption of claim 2). So a late delivery does
        not shrink the run of a giant whose fleet has the GPUs to spare. With
        ``train_on_overdue`` false, the run is ``training_fleet_share`` of the GPUs owned.
        """
        w = self.world
        c = self._cfg
        owned = w.compute.owned(self.id)
        if not c.train_on_overdue:
            return c.training_fleet_share * owned
        planned = c.training_fleet_share * (owned + w.compute.overdue(self.id))
        return max(min(planned, owned - self._serving_gpus), 0.0)

    def train_generation(self, gpus: float) -> Generator[simpy.Event, None, None]:
        """Train the next model on ``gpus`` of the fleet (A100-eq, set aside from the
        giant's month on), pass review, release it."""
        w = self.world
        c = self._cfg
        self._next_generation = w.now + c.generation_interval_months
        yield w.env.timeout(c.training_months)
        self._training_gpus = 0.0
        quality = w.data.quality(self.id)
        new = cap.trained_capability(w.capability, gpus * c.training_months, quality, w.now)
        # an original release takes max(trained, shell), a giant's as a startup's (MODEL.md
        # 7.2): until 2026-12-07 a giant's ignored the open base, and 46 of the seed-42
        # baseline's 193 giant releases scored below the free open frontier
        frontier = w.open_source.capability(w.now)
        new = max(new, cap.shell_capability(w.capability, frontier, quality))
        yield w.env.process(w.regulator.review(self._review_rng))
        self._generation += 1
        # training compute in GPU-months, as a startup's
        self.publish_model(new, str(ModelKind.ORIGINAL), gpus * c.training_months,
                           self._generation)

    # ------------------------------------------------------------ MaaS pricing
    def set_price(self) -> None:
        """Move the API price towards cost-plus, adjusted by share and rivals' prices."""
        w = self.world
        c = self._cfg
        cost = w.compute.serving_cost_cny_per_mtok(cap.efficiency(w.capability, w.now))
        total = w.enterprise.total_tokens(w.month - 1)
        share = w.enterprise.tokens(self.id, w.month - 1) / total if total > 0 else c.share_target
        own = (
            cost
            * (1 + c.target_markup)
            * (max(share, c.pricing_share_floor) / c.share_target) ** c.share_price_elasticity
        )
        rivals = [
            o.api_price_cny_per_mtok
            for o in w.enterprise.offers_by(str(self.actor_type))
            if o.vendor != self.id
        ]
        desired = (
            own
            if not rivals
            else ((1 - c.rival_price_weight) * own + c.rival_price_weight * float(np.mean(rivals)))
        )
        old = self.api_price
        self.api_price = old + c.price_adjust_speed * (desired - old)
        if abs(self.api_price - old) > PRICE_CHANGE_LOGGED * old:
            w.log.record(
                w.now,
                EventKind.PRICE_CHANGE,
                self.id,
                self.actor_type,
                price=self.api_price,
                reason=f"{old:.3f}",
            )

    # ------------------------------------------------------------ tenders and M&A
    def bid_for_contracts(self) -> None:
        """Bid cost-plus on every open tender (giants deliver privately too; seed 001)."""
        if self.capability <= 0:
            return
        c = self._cfg
        self.bid(c.delivery_cost_share * (1 + c.bid_markup), domains=None, private_ok=True)

    def acquire_startups(self) -> None:
        """Now and then look at startups for sale and buy the one worth most to it: of those
        whose model leads its own in their domain by enough and whose price fits the
        budget, the one that leads by most (then the cheaper)."""
        w = self.world
        c = self._cfg
        if self._rng.random() >= c.acquisition_appetite or self.capability <= 0:
            return
        budget = self.cash * c.acquisition_budget_share
        own = self.domain_capabilities()
        worth: list[tuple[float, float, int, SaleOffer, int]] = []
        for k, sale in enumerate(w.funding.for_sale()):
            product = w.enterprise.offer(sale.startup)
            if product is None or sale.asking_mcny > budget:
                continue
            domain = product.domain
            lead = product.domain_capability[domain] - own[domain]
            model = w.enterprise.model_of(sale.startup)
            if model != sale.startup and (host := w.enterprise.offer(model)) is not None:
                # An application company leads by what it adds to the model it runs on, its
                # host's, which a buyer does not get (until 2026-12-08 a giant bought apps
                # that led its own model only because they ran on a rival's better one)
                lead = min(lead, product.domain_capability[domain] - host.domain_capability[domain])
            price = sale.asking_mcny * (1.0 if sale.distressed else 1 + c.strategic_premium)
            if lead < c.acquisition_min_capability_gap or price > budget:
                continue
            worth.append((-lead, price, k, sale, product.domain))
        for _, price, _, sale, domain in sorted(worth, key=lambda x: x[:3]):
            if w.funding.acquire(self.id, sale.startup, price, sale.distressed):
                self._absorb(sale.startup, domain)
                return

    def _absorb(self, startup: str, domain: int) -> None:
        w = self.world
        w.compute.transfer_fleet(startup, self.id, self.actor_type)
        w.enterprise.leave(startup, successor=self.id)
        w.leaderboard.withdraw(startup)
        w.data.set_domain_quality(
            self.id,
            domain,
            max(w.data.domain_quality(self.id, domain), w.data.domain_quality(startup, domain)),
        )
        w.data.remove(startup)
