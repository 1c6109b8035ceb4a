"""Vertical and application startups, and the entry process that founds them.

Seeds 000, 001, 003, 004: startups are short of capital, compute and data;
they pick a model kind (original, shell on the open frontier, or assembled),
burn cash on salaries and rent, raise when runway runs short, rent or (rarely)
buy compute, launch models for hype and rank, bid for projects (below cost
when revenue is urgent), sell API access, pivot to the application layer
when general models outrun them, and end bankrupt, acquired, listed, or not
at all.
"""

from __future__ import annotations

from collections.abc import Generator

import numpy as np
import simpy

from sim import capability as cap
from sim.agents.vendor import Vendor
from sim.config import GENERAL_DOMAIN, CapabilityConfig, DataConfig, StartupsConfig
from sim.events import ActorType, EventKind
from sim.markets.compute import POWER_ACCOUNT
from sim.markets.funding import FOUNDERS, IN_BUSINESS, MAX_PRESSURE, Outcome
from sim.messages import ModelKind, RaiseRequest, RentalRequest, SaleOffer
from sim.world import Phase, World, entrants

PAYROLL = "ext:payroll"
#: Share of a training run's GPU-months that float rounding may leave undone when its
#: months are added up (1e-16 of it, 1.4e-14 GPU-months, at seed 42): such a run is
#: done. Until 2026-12-07 it rented a whole month more.
RUN_ROUNDING = 1e-12
LANDLORDS = "ext:landlords"

# Per-domain capabilities (points) and hallucination rates (shares of answers) of an offer.
OfferedCapabilities = tuple[tuple[float, ...], tuple[float, ...]]


class HostShares:
    """What application companies take from their host's model: ``share`` of its capability
    in each domain (points) and the hallucination rate (share of answers) of that.

    Outside its home domain an application company's capability is just this share (its own
    domain data adds only at home), so every company on one host offers the same values
    there: they are worked out once per host offer, not once per company and month.
    """

    def __init__(self, capability: CapabilityConfig, share: float) -> None:
        self._capability = capability
        self.share = share
        # host -> (the capabilities of the host offer they come from, shares, rates)
        self._by_host: dict[str, tuple[tuple[float, ...], tuple[float, ...],
                                       tuple[float, ...]]] = {}

    def of(self, host: str, host_capability: tuple[float, ...]) -> OfferedCapabilities:
        """Shares of ``host_capability`` (the host's current offer) by domain, and their
        hallucination rates; kept until the host offers other capabilities (tuples are
        immutable and the one kept is held here, so the same object means the same values).
        """
        known = self._by_host.get(host)
        if known is None or known[0] is not host_capability:
            # `+ 0.0` is what a company's own data adds outside its home domain
            shares = tuple([self.share * c + 0.0 for c in host_capability])
            known = (host_capability, shares, cap.hallucination_rates(self._capability, shares))
            self._by_host[host] = known
        return known[1], known[2]


class Startup(Vendor):
    """One startup, from founding to exit (it acts in its founding cohort's process:
    :meth:`StartupEntry.cohort_life`)."""

    actor_type = ActorType.STARTUP
    #: Builds on a giant's model instead of its own (application layer): set with
    #: :attr:`kind`, read as a plain attribute (several times a month per company).
    pivoted: bool

    def __init__(
        self,
        world: World,
        cfg: StartupsConfig,
        data_cfg: DataConfig,
        number: int,
        rng: np.random.Generator,
        host_shares: HostShares | None = None,
    ) -> None:
        super().__init__(world, f"startup:{number}")
        self._cfg = cfg
        self._host_shares = (
            host_shares
            if host_shares is not None
            else HostShares(world.capability, cfg.app_layer_capability_share)
        )
        self._data_step_cost = data_cfg.step_cost_startup_mcny
        self._rng = rng
        self._review_rng = world.streams.get("review_startup", number)
        self.home_domain = int(rng.choice(len(cfg.domain_weights), p=cfg.domain_weights))
        self.tech_depth = float(rng.beta(cfg.tech_depth_a, cfg.tech_depth_b))
        if self.tech_depth >= cfg.original_depth:
            self.kind = ModelKind.ORIGINAL
        elif self.tech_depth >= cfg.shell_depth:
            self.kind = ModelKind.SHELL
        else:
            self.kind = ModelKind.ASSEMBLED
        self.headcount = {
            ModelKind.ORIGINAL: cfg.headcount_original,
            ModelKind.SHELL: cfg.headcount_shell,
            ModelKind.ASSEMBLED: cfg.headcount_assembled,
        }[self.kind]
        self._burn_factor = 1.0
        self._dev_left = {
            ModelKind.ORIGINAL: cfg.dev_months_original,
            ModelKind.SHELL: cfg.dev_months_shell,
            ModelKind.ASSEMBLED: cfg.dev_months_assembled,
        }[self.kind]
        self._training_need = 0.0
        self._training_months = cfg.training_months
        self._training_done = 0.0
        self._training_kind: ModelKind | None = None
        self._next_generation = 0.0
        self._reviewing = False
        self._serving_request = 0.0   # GPUs it rents to serve its model this month
        self.releases = 0
        self.host: str | None = None
        self._seen_failures = 0
        self.founded_month = world.now
        # The last month it acted in: its bills for the month before are paid by then.
        self._acted_month: int | None = None

    # ------------------------------------------------------------ founding and life
    def found(self) -> None:
        """Register with the markets, receive the founders' money, log the founding."""
        w = self.world
        c = self._cfg
        w.actor_types[self.id] = self.actor_type
        w.funding.register_startup(self.id, settle=self.settle_before_sale)
        cash = c.initial_cash_mcny * float(self._rng.lognormal(0, c.initial_cash_sigma))
        w.ledger.transfer(w.now, FOUNDERS, self.id, cash, "founders_capital")
        w.data.register(self.id, float(self._rng.uniform(0, c.initial_data_quality_max)))
        w.data.set_domain_quality(
            self.id, self.home_domain, float(self._rng.uniform(0, c.initial_data_quality_max))
        )
        w.log.record(
            w.now,
            EventKind.FOUNDED,
            self.id,
            self.actor_type,
            FOUNDERS,
            cash,
            model_kind=str(self.kind),
            domain=w.domains[self.home_domain],
        )

    def act(self) -> bool:
        """One month of the company's independent life; False once that life has ended
        (acquired, bankrupt, or out of cash now)."""
        w = self.world
        outcome = w.funding.outcome(self.id)
        if outcome in (Outcome.ACQUIRED, Outcome.BANKRUPT):
            return False
        now = w.now   # the clock, read once: the whole month's act happens at this moment
        month = int(now)
        self._acted_month = month
        # The fleet's electricity bill, paid now, is the month's: GPUs bought or taken over
        # arrive at other moments, so the runway below counts the same bill.
        power = self.pay_costs(now)
        if self.cash < 0:
            self.go_bankrupt()
            return False
        self.learn_from_contracts(month)
        # A firm that gives up its own model this month rents nothing for it (until
        # 2026-12-07 it pivoted after asking for the month's training rentals, and paid for
        # a run it had dropped).
        self.maybe_pivot()
        self.develop(now)
        # One trailing revenue for the month (it counts completed months only): for the
        # data purchase, the fund raising and the listing.
        revenue = self.annual_revenue(month)
        if not self.pivoted:
            # data quality counts only in a model of the firm's own (MODEL.md 7.2): until
            # 2026-12-07 firms serving a giant's model bought nine in ten of the startups'
            # data steps, for nothing
            self.buy_data(self._data_step_cost, revenue)
        self.set_price(now)
        self.post_offer(private_deployment=not self.pivoted)
        # One runway for the month's bids and its fund raising: bidding moves no cash
        # and no cost (seek_money works it out again if it cuts costs first).
        runway = self.runway_months(power)
        self.bid_for_contracts(runway)
        if outcome == Outcome.ACTIVE:
            self.seek_money(runway, revenue, now)
            self.maybe_ipo(revenue)
        return True

    # ------------------------------------------------------------ costs
    @property
    def kind(self) -> ModelKind:
        """The model the company builds on: its own (original, shell, assembled) or, once
        pivoted, a giant's (application)."""
        return self._kind

    @kind.setter
    def kind(self, kind: ModelKind) -> None:
        self._kind = kind
        self.pivoted = kind is ModelKind.APPLICATION

    @property
    def is_model_builder(self) -> bool:
        """An independent model builder: not pivoted, not acquired, not bankrupt."""
        return not self.pivoted and self.world.funding.outcome(self.id) in IN_BUSINESS

    def monthly_burn(self, power_mcny: float | None = None) -> float:
        """Salaries, rent, electricity and rented compute (million CNY per month).

        ``power_mcny``: the fleet's electricity bill this month, if known (:meth:`pay_costs`
        returns it); None: worked out here.
        """
        w = self.world
        c = self._cfg
        people = self.headcount * self._burn_factor * c.salary_mcny_per_month
        power = w.compute.fleet_electricity_mcny(self.id) if power_mcny is None else power_mcny
        rent = w.compute.rented(self.id) * w.compute.rental_price_mcny
        return people + c.rent_mcny_per_month + power + rent

    def runway_months(self, power_mcny: float | None = None) -> float:
        """Months of cash left at the current burn (``power_mcny``: see :meth:`monthly_burn`)."""
        burn = self.monthly_burn(power_mcny)
        return self.cash / burn if burn > 0 else float("inf")

    def pay_costs(self, now: float) -> float:
        """Salaries, office, electricity, project delivery and the host's fee (at ``now``,
        months); return the electricity bill (million CNY), which the burn counts too."""
        w = self.world
        c = self._cfg
        ledger = w.ledger
        ledger.transfer(
            now,
            self.id,
            PAYROLL,
            self.headcount * self._burn_factor * c.salary_mcny_per_month,
            "salaries",
        )
        ledger.transfer(now, self.id, LANDLORDS, c.rent_mcny_per_month, "office_rent")
        power = w.compute.fleet_electricity_mcny(self.id)
        if power:  # no fleet (most startups): a transfer of nothing would record nothing
            ledger.transfer(now, self.id, POWER_ACCOUNT, power, "electricity")
        self.pay_for_last_month(now)
        return power

    def pay_for_last_month(self, now: float) -> None:
        """The bills that come a month in arrears (at ``now``, months): the experts who
        delivered last month's projects, and the host's fee on last month's revenue."""
        c = self._cfg
        self.pay_delivery(c.delivery_cost_share, now)
        if self.host is not None:
            fee = c.app_layer_fee_share * self.world.enterprise.revenue(self.id, int(now) - 1)
            if fee:  # no revenue last month: a transfer of nothing would record nothing
                self.world.ledger.transfer(now, self.id, self.host, fee, "platform_fee")

    def settle_before_sale(self, now: float) -> None:
        """Sold at ``now`` before acting this month: pay last month's bills from its cash and
        learn from last month's projects, as its month would have, before its cash and
        data pass to the buyer. Until 2026-12-07 nobody paid for an acquired company's last
        month of project delivery (54 of the seed-42 baseline's 101 acquisitions, 75
        million CNY), and the buyer took that money with its cash."""
        if self._acted_month == int(now):   # its month's bills are paid already
            return
        self.pay_for_last_month(now)
        self.learn_from_contracts(int(now))

    def go_bankrupt(self) -> None:
        """Out of cash: close, leave the market, say why."""
        w = self.world
        reasons = ["ran out of cash"]
        last_failure = w.funding.last_failure_month(self.id)
        if w.funding.failed_rounds(self.id) and last_failure is not None:
            # the market's record: a round that failed since the company last looked
            # (its months start with its bills, before it seeks money) counts too
            reasons.append(f"after a failed round in month {int(last_failure)}")
        gap = round(self.general_gap())   # whole points: "0 points ahead" said nothing
        if gap > 0:
            reasons.append(f"while a general model was {gap} points ahead in its domain")
        w.funding.bankrupt(self.id, " ".join(reasons))
        w.compute.close(self.id)
        w.enterprise.leave(self.id, successor=None)
        w.leaderboard.withdraw(self.id)
        w.data.remove(self.id)

    # ------------------------------------------------------------ models
    def pressure(self, now: float | None = None) -> float:
        """Investor pressure to avoid compute and raise fast (claim 1), at ``now`` (months;
        None: the current month)."""
        w = self.world
        return w.funding.pressure(self.id, w.now if now is None else now)

    def compute_budget(self) -> float:
        """Million CNY of its cash the company may put into compute now; investor pressure
        shrinks it (seed 004)."""
        return max(self.cash, 0.0) * self._cfg.compute_cash_share * (1 - self.pressure())

    def develop(self, now: float) -> None:
        """Move development and training on, and rent GPUs for training and serving (at
        ``now``, months)."""
        if self.pivoted:
            # the host giant trains and serves an application company's model: nothing to rent
            self._serving_request = 0.0
            return
        w = self.world
        want, own_training = self._advance_training()
        serving = w.compute.serving_gpus(
            w.enterprise.tokens(self.id, int(now) - 1), cap.efficiency(w.capability, now)
        )
        # its own GPUs not training serve first; it rents the rest (until 2026-12-07 it
        # rented all it served on, its own fleet idle between runs)
        idle = max(w.compute.owned(self.id) - own_training, 0.0)
        self._serving_request = max(serving - idle, 0.0)
        if want + self._serving_request > 0:
            w.compute.request_rental(RentalRequest(self.id, want + self._serving_request))

    def _advance_training(self) -> tuple[float, float]:
        """One month of development or training; return the GPU-months to rent for training
        and how many of its own GPUs train this month.

        A run trains on the firm's own GPUs first and rents what is missing of its monthly
        rate, less the GPUs it has on order: a firm that bought for the run rents only the
        rest, as it planned, and its run goes on at the lower rate until they arrive (until
        2026-12-07 it rented the whole run, and the GPUs it bought, three months in coming,
        arrived after it ended)."""
        w = self.world
        if self.pivoted or self._reviewing:
            return 0.0, 0.0
        if self._dev_left > 0:
            self._dev_left -= 1
            return 0.0, 0.0
        owned = w.compute.owned(self.id)
        if self._training_kind is None:
            if w.now < self._next_generation:
                return 0.0, 0.0
            self._start_training()
            per_month = self._training_need / self._training_months
            on_order = w.compute.in_transit(self.id)   # what it may just have bought
            return max(per_month - owned - on_order, 0.0), min(owned, per_month)
        per_month = self._training_need / self._training_months
        own, on_order = min(owned, per_month), w.compute.in_transit(self.id)
        rented = max(w.compute.rented(self.id) - self._serving_request, 0.0)
        self._training_done += own + rented
        if self._training_done >= self._training_need * (1 - RUN_ROUNDING):
            assert self._training_kind is not None
            self._reviewing = True
            w.env.process(self.release(self._training_kind, self._training_done))
            return 0.0, 0.0
        # Rent by the month at the run's rate until it is done: asking only for what is
        # still missing made a partly filled request (cash short, clouds rationing) shrink
        # month after month, so the run never finished and the startup stalled for good.
        return max(per_month - own - on_order, 0.0), own

    def _start_training(self) -> None:
        """Choose what to train this generation, and buy the compute for it or plan to rent."""
        w = self.world
        c = self._cfg
        kind = self.kind
        need = (
            c.training_gpu_months_original
            if kind == ModelKind.ORIGINAL
            else c.training_gpu_months_other
        )
        self._training_months = (
            c.training_months if kind == ModelKind.ORIGINAL else c.training_months_other
        )
        if kind == ModelKind.ORIGINAL:
            budget = self.compute_budget()
            per_month = need / c.training_months
            rent_cost = need * w.compute.rental_price_mcny
            price = w.compute.price_mcny
            owned, on_order = w.compute.owned(self.id), w.compute.in_transit(self.id)
            if (
                self._rng.random() < c.buy_propensity * (1 - self.pressure())
                and budget >= w.compute.server_gpus * price
                and owned + on_order < per_month
            ):
                # as many of the GPUs the run lacks as the budget pays for (a server at
                # least); the rest is rented. Until 2026-12-07 it bought the run's whole
                # monthly rate again, whatever it owned or had on order already.
                lacking = per_month - owned - on_order
                w.compute.buy(self.id, self.actor_type, min(lacking, budget / price))
            elif budget < rent_cost:
                kind = ModelKind.SHELL
                need = c.training_gpu_months_other
                self._training_months = c.training_months_other
        if kind == ModelKind.SHELL and c.tuning_budget_mcny > 0:
            # A shell budgets its tuning run in money, as its investors would have it
            # (seed 004), so a dearer rent buys fewer GPU-months and a smaller gain.
            need = c.tuning_budget_mcny / w.compute.rental_price_mcny
        self._training_kind = kind
        self._training_need = need
        self._training_done = 0.0

    def release(self, kind: ModelKind, gpu_months: float) -> Generator[simpy.Event, None, None]:
        """Pass review, then release the model (launch event, leaderboard)."""
        w = self.world
        frontier = w.open_source.capability(w.now)
        quality = w.data.quality(self.id)
        if kind == ModelKind.ORIGINAL:
            new = cap.trained_capability(w.capability, gpu_months, quality, w.now)
            new = max(new, cap.shell_capability(w.capability, frontier, quality))
        elif kind == ModelKind.SHELL:
            new = cap.shell_capability(w.capability, frontier, quality, gpu_months)
        else:
            new = cap.assembled_capability(w.capability, frontier)
        yield w.env.process(w.regulator.review(self._review_rng, self._wants_release))
        self._reviewing = False
        self._training_kind = None
        self._next_generation = w.now + self._cfg.generation_interval_months
        if not self._wants_release():
            return
        self.releases += 1
        self.publish_model(new, str(kind), gpu_months, self.releases)

    def _wants_release(self) -> bool:
        """Whether a model of its own, trained and in review, is still to be released: not
        once the firm has pivoted onto a giant's model, been acquired or gone bankrupt."""
        return not self.pivoted and self.world.funding.outcome(self.id) not in (
            Outcome.ACQUIRED, Outcome.BANKRUPT)

    def general_gap(self) -> float:
        """How far the best general model is ahead of this firm in its domain (points)."""
        w = self.world
        theirs = w.enterprise.best_capability(self.home_domain, str(ActorType.GIANT))
        if theirs is None:
            return 0.0
        own = self.domain_capabilities()[self.home_domain] if self.capability > 0 else 0.0
        return theirs - own

    def maybe_pivot(self) -> None:
        """Give up pretraining and build on a giant's model when too far behind (seed 001)."""
        w = self.world
        if self.pivoted or self.releases == 0:
            return
        gap = self.general_gap()
        if gap <= self._cfg.pivot_gap_points:
            return
        host = w.leaderboard.best_general_firm()
        if host is None:
            return
        old_kind = self.kind
        self.kind = ModelKind.APPLICATION
        self.host = host
        w.enterprise.host(self.id, host)
        self._burn_factor *= self._cfg.pivot_burn_factor
        self._training_kind = None
        w.leaderboard.withdraw(self.id)
        w.log.record(
            w.now,
            EventKind.PIVOT,
            self.id,
            self.actor_type,
            host,
            model_kind=str(old_kind),
            domain=w.domains[self.home_domain],
            reason=f"general model {gap:.0f} points ahead",
        )

    def domain_capabilities(self) -> tuple[float, ...]:
        """Own model's capability, or the host's plus own domain data after a pivot."""
        hosted = self._hosted_capabilities()
        return super().domain_capabilities() if hosted is None else hosted[0]

    def offered_capabilities(self) -> OfferedCapabilities:
        """Capabilities and hallucination rates by domain (see :meth:`domain_capabilities`)."""
        hosted = self._hosted_capabilities()
        return super().offered_capabilities() if hosted is None else hosted

    def _hosted_capabilities(self) -> OfferedCapabilities | None:
        """After a pivot, the share of the host's capability in each domain plus own domain
        data in the home domain, and their hallucination rates (None: own model's apply)."""
        if not self.pivoted or self.host is None:
            return None
        w = self.world
        host = w.enterprise.offer(self.host)
        if host is None:
            return None
        shares, rates = self._host_shares.of(self.host, host.domain_capability)
        home = self.home_domain  # a vertical is specialised in its home domain only
        value = cap.domain_capability(w.capability,
                                      self._host_shares.share * host.domain_capability[home],
                                      w.data.domain_quality(self.id, home), specialised=True)
        capabilities, hallucination = list(shares), list(rates)
        capabilities[home] = value
        hallucination[home] = cap.hallucination_rate(w.capability, value)
        return tuple(capabilities), tuple(hallucination)

    # ------------------------------------------------------------ selling
    def set_price(self, now: float) -> None:
        """API price: rented serving cost (or the host's price) plus a markup (at ``now``,
        months)."""
        w = self.world
        host_id = self.host if self.pivoted else None  # the giant whose model it sells
        host = w.enterprise.offer(host_id) if host_id is not None else None
        if host is not None:
            base = host.api_price_cny_per_mtok
        else:
            # its own serving on rented GPUs; also for an app whose host has posted no
            # price yet (a giant in its first release month): until 2026-12-07 that app
            # marked up its own last price, 38 rather than 15 CNY per million tokens
            base = w.compute.serving_cost_cny_per_mtok(
                cap.efficiency(w.capability, now), rented=True
            )
        self.api_price = base * (1 + self._cfg.api_markup)
        if host_id is not None and self.capability == 0:
            self.capability = max(self.domain_capabilities())

    def bid_for_contracts(self, runway: float) -> None:
        """Bid on tenders in the firm's domain; below cost when revenue is urgent (seed 004).

        ``runway``: months of cash left now (:meth:`runway_months`).
        """
        if self.capability <= 0:
            return
        c = self._cfg
        urgent = runway < c.urgent_runway_months
        margin = -c.urgent_discount if urgent else c.bid_markup
        domains = None if self.home_domain == GENERAL_DOMAIN else (self.home_domain,)
        self.bid(c.delivery_cost_share * (1 + margin), domains, private_ok=not self.pivoted)

    # ------------------------------------------------------------ money and exits
    def gpu_asset_share(self) -> float:
        """Share of the company's assets held in GPUs (heavy-asset discount; seed 004)."""
        w = self.world
        gpus = (w.compute.owned(self.id) + w.compute.in_transit(self.id)) * w.compute.price_mcny
        return gpus / (gpus + max(self.cash, 0.0)) if gpus > 0 else 0.0

    def seek_money(self, runway: float, revenue: float, now: float) -> None:
        """Raise when runway is short (earlier under pressure); sell when that fails.

        ``runway``: months of cash left now (:meth:`runway_months`); a cost cut after a
        failed round lengthens it, so it is then worked out again. ``revenue``: million
        CNY a year (:meth:`annual_revenue`); ``now``: months.
        """
        w = self.world
        c = self._cfg
        f = w.funding
        hype = w.hype.level
        failures = f.failed_rounds(self.id)
        if failures > self._seen_failures:
            self._burn_factor *= 1 - c.cost_cut_after_failed_round
            runway = self.runway_months()
        self._seen_failures = failures
        # The company's rank, stage and value this month, worked out when a sale or a raise
        # first needs them (most months neither does).
        value: float | None = None
        if runway < c.distress_runway_months and failures >= 1 or failures >= c.max_failed_rounds:
            rank = w.leaderboard.rank_percentile(self.id)
            stage = f.stage(self.id)
            value = f.pre_money(hype, self.releases, rank, stage, revenue, self.gpu_asset_share())
            f.offer_for_sale(SaleOffer(self.id, f.distressed_price(value), True, now))
        elif f.investors_exiting(self.id, now) and revenue < c.ipo_revenue_mcny_per_year:
            f.offer_for_sale(SaleOffer(self.id, f.last_post_money(self.id), False, now))
        else:
            f.withdraw_sale(self.id)
        # The runway that triggers a raise grows with investor pressure (the config keeps
        # pressure_runway_months >= 0; rounding keeps the order): a company with the
        # trigger at full pressure in hand would not ask whatever its investors press,
        # so most are decided without working out their own pressure.
        if (
            not f.may_request(self.id)
            or runway >= f.raise_trigger_months(MAX_PRESSURE, hype)
            or runway >= f.raise_trigger_months(self.pressure(now), hype)
        ):
            return
        plan = 0.0
        if self.kind == ModelKind.ORIGINAL:
            plan = c.training_gpu_months_original * w.compute.rental_price_mcny
        if value is None:
            rank = w.leaderboard.rank_percentile(self.id)
            stage = f.stage(self.id)
            value = f.pre_money(hype, self.releases, rank, stage, revenue,
                                self.gpu_asset_share())
        target = f.round_target(self.monthly_burn(), plan)
        ask = f.asking_price(value, failures)
        # a cheaper deal draws funds whose hurdle its prospects miss
        score = f.score(hype, self.releases, rank, stage, revenue) + f.price_appeal(value, ask)
        f.request(RaiseRequest(self.id, target, ask, score, stage, now))

    def maybe_ipo(self, revenue: float) -> None:
        """List when revenue (``revenue``: million CNY a year, :meth:`annual_revenue`) is at
        scale and the window is open (seed 004)."""
        w = self.world
        c = self._cfg
        if revenue >= c.ipo_revenue_mcny_per_year and w.hype.level >= c.ipo_window_hype:
            w.funding.list_on_exchange(
                self.id, revenue * c.ipo_revenue_multiple, c.ipo_primary_share
            )


class StartupEntry:
    """Founds startups at a rate driven by hype (claim 6; entry burst, seeds 000, 004)."""

    def __init__(self, world: World, cfg: StartupsConfig, data_cfg: DataConfig) -> None:
        self._world = world
        self._cfg = cfg
        self._data_cfg = data_cfg
        self._rng = world.streams.get("entry")
        self._host_shares = HostShares(world.capability, cfg.app_layer_capability_share)
        self.startups: list[Startup] = []

    def rate(self) -> float:
        """Expected foundings per month at the current hype."""
        return self._cfg.base_founding_rate * self._world.hype.level**self._cfg.hype_elasticity

    def foundings(self) -> int:
        """This month's Poisson number of new startups; a :class:`RunawayError` past
        ``max_founded`` in the run (:func:`~sim.world.entrants`)."""
        return entrants(self._rng, self.rate(), len(self.startups), self._cfg.max_founded,
                        "startups.max_founded", self._world, "startups' entry grows with hype "
                        "(startups.base_founding_rate, startups.hype_elasticity)")

    def run(self) -> Generator[simpy.Event, None, None]:
        """Each month, a Poisson number of new startups: a cohort with its own process."""
        w = self._world
        yield w.env.timeout(Phase.ENTRY)
        while True:
            cohort: list[Startup] = []
            for _ in range(self.foundings()):
                number = len(self.startups)
                startup = Startup(
                    w,
                    self._cfg,
                    self._data_cfg,
                    number,
                    w.streams.get("startup", number),
                    self._host_shares,
                )
                self.startups.append(startup)
                cohort.append(startup)
            if cohort:
                w.env.process(self.cohort_life(cohort))
            yield w.env.timeout(1)

    def cohort_life(self, cohort: list[Startup]) -> Generator[simpy.Event, None, None]:
        """Found the startups of one month, then let each act monthly, in founding order,
        until the last one's independent life has ended.

        One process per cohort, not one per startup, saves SimPy an event per startup-month
        and keeps the order of one process each. A process's clock adds up its own waits in
        floating point, so a cohort shares one clock while another cohort may sit a rounding
        error earlier or later in the month: cohorts act one after the other, as their
        companies did, and within a cohort SimPy ran the companies in founding order. What a
        company starts for itself (a release and its review, a GPU delivery) now takes its
        first step after the whole cohort has acted rather than right after the company;
        that step reads nothing the rest of the cohort changes and changes nothing it reads.
        """
        w = self._world
        for startup in cohort:
            startup.found()
        yield w.env.timeout(Phase.STARTUPS - Phase.ENTRY)
        acting = cohort
        while True:
            acting = [startup for startup in acting if startup.act()]
            if not acting:
                return
            yield w.env.timeout(1)
