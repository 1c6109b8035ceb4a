"""Monthly metrics and end-of-run summary: the model's observation layer.

The recorder reads the markets and agents once a month (never writes them).
Column names here are the output contract of ``metrics.parquet``.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import simpy

from sim.config import SEGMENTS
from sim.events import EventKind
from sim.markets.funding import IN_BUSINESS
from sim.messages import ModelKind
from sim.sums import left_sum
from sim.world import Phase

if TYPE_CHECKING:
    from sim.model import MarketModel

RELEASE_KINDS = (ModelKind.ORIGINAL, ModelKind.SHELL, ModelKind.ASSEMBLED)

#: metrics.parquet's columns, in order: the output contract. A snapshot's row holds all but
#: ``date`` (the month as a calendar month), which is added as the table is written.
METRIC_COLUMNS: tuple[str, ...] = (
    "month", "date",
    *(f"releases_{kind}_cum" for kind in RELEASE_KINDS), "releases_total_cum",
    "giants_active", "startups_active", "startups_founded_cum", "independent_builders",
    "pivoted_startups", "gpus_owned_giants", "gpus_owned_startups", "gpus_rented_startups",
    "gpus_in_transit", "gpus_purchased_giants_cum", "gpus_purchased_startups_cum",
    "gpus_retired_cum",
    "gpu_supply", "gpu_backlog", "gpu_price_mcny", "rental_price_mcny", "rental_offered",
    "hype_index", "funding_raised_mcny", "funding_deals", "down_rounds", "funds_active",
    "fund_dry_powder_mcny", *(f"adoption_{segment}" for segment in SEGMENTS),
    "revenue_giants_mcny", "revenue_startups_mcny", "giant_revenue_share",
    "hhi_enterprise_revenue", "maas_price_cny_per_mtok", "maas_price_index",
    "open_source_frontier", "best_capability", "data_quality_mean", "review_queue",
)


def hhi(values: list[float]) -> float:
    """Herfindahl-Hirschman index (0..1) of positive amounts; NaN (undefined, null in the
    outputs) when there are none: a market with no revenue yet is not a perfectly
    competitive one, and an HHI of 0 in the boom's first months read as one."""
    total = left_sum(v for v in values if v > 0)
    if total <= 0:
        return math.nan
    return float(left_sum((v / total) ** 2 for v in values if v > 0))


@dataclass(frozen=True, slots=True)
class StartupCensus:
    """One month's count of the startups ever founded.

    GPUs in A100-eq; each sum adds the startups in founding order, as the
    metrics always have (a float sum depends on its order).
    """

    in_business: int
    independent_builders: int
    pivoted: int
    gpus_owned: float
    gpus_rented: float
    gpus_purchased_cum: float


class MetricsRecorder:
    """Snapshots the market at the end of every month."""

    def __init__(self, model: MarketModel) -> None:
        self._model = model
        self.rows: list[dict[str, Any]] = []
        self._releases: Counter[str] = Counter()
        self._seen_events = 0
        self._first_api_price = math.nan
        # The census's view (see :meth:`startup_census`): founding numbers of the startups
        # in business at the last census and founded since, in founding order, and the
        # GPUs each startup ever founded purchased (A100-eq), by founding number.
        self._census_numbers: list[int] = []
        self._purchased: list[float] = []
        #: Succeeds right after the last month's snapshot: the run ends there, so
        #: no event falls after the final row (metrics agree with the event log).
        self.finished = model.world.env.event()

    def run(self) -> Generator[simpy.Event, None, None]:
        """Record one row per month."""
        env = self._model.world.env
        yield env.timeout(Phase.METRICS)
        while True:
            self.rows.append(self.snapshot())
            if len(self.rows) == self._model.cfg.horizon_months:
                self.finished.succeed()
                return
            yield env.timeout(1)

    def _count_new_releases(self) -> None:
        log = self._model.world.log
        for row in log.rows_since(self._seen_events, EventKind.MODEL_RELEASE):
            self._releases[row["model_kind"]] += 1
        self._seen_events = log.position

    def startup_census(self) -> StartupCensus:
        """The startups' counts and GPUs this month, asking each startup's outcome once.

        Only startups in business (active or listed) count, except the GPUs purchased,
        which every startup ever founded keeps. An independent builder is in business,
        not pivoted (see ``Startup.is_model_builder``) and has released a model.

        Only startups in business at the last census (and those founded since) are
        looked at: an acquired or bankrupt startup never comes back and buys no more
        GPUs, so its purchases as last counted stand (a startup buys only in its own
        month while in business).
        """
        w = self._model.world
        compute = w.compute
        startups = self._model.startups
        for number in range(len(self._purchased), len(startups)):   # founded since
            self._census_numbers.append(number)
            self._purchased.append(0.0)
        numbers = self._census_numbers
        firms = [startups[number].id for number in numbers]
        purchased = self._purchased
        for number, gpus in zip(numbers, compute.purchased_each(firms), strict=True):
            purchased[number] = gpus
        outcomes = w.funding.outcomes(firms)
        numbers = [n for n, out in zip(numbers, outcomes, strict=True) if out in IN_BUSINESS]
        self._census_numbers = numbers
        live = [startups[number] for number in numbers]
        live_firms = [startup.id for startup in live]
        pivoted = left_sum(1 for startup in live if startup.pivoted)
        builders = left_sum(1 for startup in live if not startup.pivoted and startup.releases > 0)
        # each sum in founding order, as the metrics always added them
        return StartupCensus(len(live), builders, pivoted,
                             left_sum(compute.owned_each(live_firms)),
                             left_sum(compute.rented_each(live_firms)), left_sum(purchased))

    def snapshot(self) -> dict[str, Any]:
        """One month's row of metrics.parquet."""
        m = self._model
        w = m.world
        month = w.month
        self._count_new_releases()
        row: dict[str, Any] = {"month": month}
        for kind in RELEASE_KINDS:
            row[f"releases_{kind}_cum"] = self._releases[str(kind)]
        row["releases_total_cum"] = left_sum(self._releases.values())
        census = self.startup_census()
        row["giants_active"] = len(m.giants)
        row["startups_active"] = census.in_business
        row["startups_founded_cum"] = len(m.startups)
        row["independent_builders"] = census.independent_builders
        row["pivoted_startups"] = census.pivoted
        c = w.compute
        row["gpus_owned_giants"] = left_sum(c.owned(g.id) for g in m.giants)
        row["gpus_owned_startups"] = census.gpus_owned
        row["gpus_rented_startups"] = census.gpus_rented
        row["gpus_in_transit"] = left_sum(c.in_transit_each(w.actor_types))
        row["gpus_purchased_giants_cum"] = left_sum(c.purchased(g.id) for g in m.giants)
        row["gpus_purchased_startups_cum"] = census.gpus_purchased_cum
        row["gpus_retired_cum"] = c.total_retired()
        row["gpu_supply"] = c.supply_this_month()
        row["gpu_backlog"] = c.backlog()
        row["gpu_price_mcny"] = c.price_mcny
        row["rental_price_mcny"] = c.rental_price_mcny
        row["rental_offered"] = c.total_offered()
        row["hype_index"] = w.hype.level
        row["funding_raised_mcny"] = w.funding.raised_this_month
        row["funding_deals"] = w.funding.deals_this_month
        row["down_rounds"] = w.funding.down_rounds_this_month
        row["funds_active"] = left_sum(1 for f in m.funds if not f.closed)
        # cash and the capital the funds can still call from their LPs
        row["fund_dry_powder_mcny"] = left_sum(max(f.spending_power(), 0.0)
                                          for f in m.funds if not f.closed)
        for seg, share in zip(SEGMENTS, m.buyers.adoption_by_segment(), strict=True):
            row[f"adoption_{seg}"] = share
        revenue = w.enterprise.revenue_by_vendor(month)
        giant_ids = {g.id for g in m.giants}
        rev_giants = left_sum(v for k, v in revenue.items() if k in giant_ids)
        rev_startups = left_sum(v for k, v in revenue.items() if k not in giant_ids)
        row["revenue_giants_mcny"] = rev_giants
        row["revenue_startups_mcny"] = rev_startups
        total = rev_giants + rev_startups
        row["giant_revenue_share"] = rev_giants / total if total > 0 else math.nan
        row["hhi_enterprise_revenue"] = hhi(list(revenue.values()))
        prices = [g.api_price for g in m.giants]
        row["maas_price_cny_per_mtok"] = left_sum(prices) / len(prices)   # a giant at least
        if math.isnan(self._first_api_price):
            self._first_api_price = row["maas_price_cny_per_mtok"]
        row["maas_price_index"] = 100.0 * row["maas_price_cny_per_mtok"] / self._first_api_price
        row["open_source_frontier"] = w.open_source.capability(w.now)
        row["best_capability"] = w.leaderboard.best()
        row["data_quality_mean"] = w.data.mean_quality()
        row["review_queue"] = w.regulator.waiting
        return row
