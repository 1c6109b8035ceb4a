"""What giants and startups share as vendors to enterprise buyers.

A vendor posts an offer each month, bids for tenders, pays for delivering
the projects it won, learns domain data from them, and may buy data quality.
"""

from __future__ import annotations

from sim import capability as cap
from sim.events import ActorType, EventKind
from sim.messages import Bid, Offer
from sim.world import World

DATA_VENDORS = "ext:data_vendors"
DELIVERY_STAFF = "ext:delivery_staff"


class Vendor:
    """Base of :class:`~sim.agents.giant.Giant` and :class:`~sim.agents.startup.Startup`."""

    actor_type: ActorType
    home_domain: int

    def __init__(self, world: World, firm_id: str) -> None:
        self.world = world
        self.id = firm_id
        self.capability = 0.0   # points, of its best model released so far
        self.api_price = 0.0    # CNY per million tokens (offers' api_price_cny_per_mtok)
        self._vendor_type = str(self.actor_type)   # as offers name it

    # ------------------------------------------------------------ views of own state
    @property
    def cash(self) -> float:
        """Million CNY on the firm's ledger account."""
        return self.world.ledger.balance(self.id)

    def annual_revenue(self, month: int | None = None) -> float:
        """Enterprise revenue, annualised over the
        :data:`~sim.markets.procurement.RUN_RATE_MONTHS` (3) months before ``month`` (None:
        the current month; million CNY)."""
        w = self.world
        return w.enterprise.trailing_annual_revenue(self.id, w.month if month is None else month)

    def specialised_in(self, domain: int) -> bool:
        """General models are specialised in 'general'; verticals in their own domain."""
        return domain == self.home_domain

    def domain_capabilities(self) -> tuple[float, ...]:
        """Capability in every domain (general transfer plus learned domain data);
        specialised in the home domain only (:meth:`specialised_in`)."""
        w = self.world
        return cap.domain_capabilities(w.capability, self.capability,
                                       w.data.domain_qualities(self.id, len(w.domains)),
                                       self.home_domain)

    def offered_capabilities(self) -> tuple[tuple[float, ...], tuple[float, ...]]:
        """:meth:`domain_capabilities` and the hallucination rate (share of answers) of each:
        what an offer shows buyers, domain by domain."""
        domcap = self.domain_capabilities()
        return domcap, cap.hallucination_rates(self.world.capability, domcap)

    # ------------------------------------------------------------ releases
    def publish_model(self, capability: float, model_kind: str, gpu_months: float,
                stage: int) -> None:
        """Put a model out: the firm's capability becomes the better of ``capability``
        (points) and its earlier models', posted on the leaderboard (a giant's as a general
        model), counted by the hype, and recorded with its training compute ``gpu_months``
        (A100-eq-months) and the firm's release number ``stage``."""
        w = self.world
        self.capability = max(self.capability, capability)
        w.leaderboard.post(self.id, self.capability,
                           general=self.actor_type is ActorType.GIANT, month=w.now)
        w.hype.note_releases(1)
        w.log.record(
            w.now,
            EventKind.MODEL_RELEASE,
            self.id,
            self.actor_type,
            model_kind=model_kind,
            domain=w.domains[self.home_domain],
            capability=self.capability,
            gpus=gpu_months,
            stage=stage,
        )

    # ------------------------------------------------------------ monthly acts
    def post_offer(self, private_deployment: bool) -> None:
        """Show buyers what the firm sells this month."""
        if self.capability <= 0:
            return
        domcap, hallucination = self.offered_capabilities()
        # Fields in Offer's order, by position: a NamedTuple built from keywords takes twice
        # as long (~0.25 us more; ~31,000 offers a run).
        self.world.enterprise.post_offer(Offer(self.id, self._vendor_type, domcap, hallucination,
                                               self.api_price, private_deployment,
                                               self.home_domain))

    def pay_delivery(self, cost_share: float, now: float) -> float:
        """Pay the experts delivering last month's projects (at ``now``, months); return
        the cost."""
        w = self.world
        cost = cost_share * w.enterprise.delivery_load(self.id, int(now) - 1)
        if cost:  # nothing delivered last month: a transfer of nothing would record nothing
            w.ledger.transfer(now, self.id, DELIVERY_STAFF, cost, "project_delivery")
        return cost

    def learn_from_contracts(self, month: int) -> None:
        """Projects delivered the month before ``month`` teach domain data."""
        w = self.world
        for d, months in w.enterprise.contract_months_by_domain(self.id, month - 1):
            if months > 0:
                w.data.learn(self.id, d, months)

    def buy_data(self, step_cost_mcny: float, annual_revenue_mcny: float) -> None:
        """Buy a data-quality step if it pays back despite spill-over (claim 3), given the
        firm's :meth:`annual_revenue`."""
        w = self.world
        # Whether a step pays back decides most months (small revenue), so it is asked first:
        # both are questions that move nothing, only the cash one costs a ledger look-up.
        if (not w.data.worth_buying(annual_revenue_mcny, step_cost_mcny,
                                    w.data.quality(self.id))
                or self.cash < step_cost_mcny):
            return
        w.ledger.transfer(w.now, self.id, DATA_VENDORS, step_cost_mcny, "data_purchase")
        quality = w.data.buy_step(self.id)
        w.log.record(
            w.now,
            EventKind.DATA_PURCHASE,
            self.id,
            self.actor_type,
            DATA_VENDORS,
            step_cost_mcny,
            capability=quality,
        )

    def bid(self, price_share: float, domains: tuple[int, ...] | None, private_ok: bool) -> None:
        """Bid ``price_share`` of each open tender's value in ``domains`` (None: all)."""
        if self.world.enterprise.has_open_tenders():
            self.world.enterprise.bid(Bid(self.id, price_share, domains, private_ok))
