"""Seeded replications of one configuration, run in parallel processes.

A worker gets a validated config and a seed, runs :func:`sim.run.simulate`,
and sends back only plain tables and numbers (the model object stays in the
worker). Seeds come from :func:`sim.rng.replication_seeds`, so replication k
has the same seed in every arm of a comparison (common random numbers).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from sim.config import MONTHS_PER_YEAR, BaimoConfig
from sim.markets.compute import CNY_PER_HOUR_PER_MCNY_MONTH
from sim.parallel import process_pool
from sim.rng import replication_seeds
from sim.run import Tables, simulate
from sim.sums import left_sum

YEAR = MONTHS_PER_YEAR


@dataclass
class Replication:
    """What one seeded run hands back: its monthly metrics, summary and scalar outcomes."""

    seed: int
    metrics: pd.DataFrame
    summary: dict[str, Any]
    outcomes: dict[str, float]


def _share(part: float, whole: float) -> float:
    return part / whole if whole > 0 else math.nan


def outcomes(tables: Tables) -> dict[str, float]:
    """Scalar outcomes read from one run's events, metrics and summary.

    Windows are stated in the names: ``_y1`` is months 0-11, ``_y2`` months 12-23,
    ``_24`` months 0-23 for flows and purchases and the month-24 snapshot for shares
    and adoption, ``_y3_4`` months 24-47, no suffix the whole horizon (``_final``: its
    last month).
    """
    ev = tables.events
    m = tables.metrics.set_index("month")
    s = tables.summary
    last = int(m.index.max())
    years_3_4 = (m.index >= 2 * YEAR) & (m.index < 4 * YEAR)

    def at(month: int, column: str) -> float:
        return float(m.loc[min(month, last), column])

    startups = ev[ev["actor_type"] == "startup"]
    founded = startups[startups["kind"] == "founded"]
    buys = startups[startups["kind"] == "gpu_purchase"]
    founded_24 = set(founded.loc[founded["month"] < 2 * YEAR, "actor"])
    buyers_24 = set(buys.loc[buys["month"] < 2 * YEAR, "actor"])
    releases = ev[ev["kind"] == "model_release"]
    startup_releases = releases[releases["actor_type"] == "startup"]
    # training compute of the models released in months 0-23 (A100-eq-months), by who trained
    trained_24 = releases[releases["month"] < 2 * YEAR].groupby("actor_type")["gpus"].sum()
    trained_giants_24 = float(trained_24.get("giant", 0.0))
    trained_startups_24 = float(trained_24.get("startup", 0.0))
    rounds = ev[ev["kind"] == "round_closed"]
    deals = m["funding_deals"]
    # each follow-on round's price against the company's last valuation: its pre-money
    # over the last round's post-money (above 1: the round lifted the valuation)
    ordered = rounds.sort_values("month", kind="stable")
    last_post = ordered.groupby("actor")["valuation_mcny"].shift()
    steps = (ordered["valuation_mcny"] - ordered["amount_mcny"]) / last_post
    steps_y1 = steps[(ordered["month"] < YEAR) & last_post.notna()]
    out: dict[str, float] = {
        "founded": float(len(founded)),
        "founded_y1": float((founded["month"] < YEAR).sum()),
        "founded_24": float(len(founded_24)),
        "share_startups_bought_gpus_24": _share(len(founded_24 & buyers_24), len(founded_24)),
        "share_startups_bought_gpus": float(s["startups"]["share_bought_gpus"] or 0.0),
        "gpus_purchased_giants_24": at(2 * YEAR - 1, "gpus_purchased_giants_cum"),
        "gpus_purchased_startups_24": at(2 * YEAR - 1, "gpus_purchased_startups_cum"),
        "original_releases_startups": float((startup_releases["model_kind"] == "original").sum()),
        "training_compute_startups_24": trained_startups_24,
        "training_share_giants_24": _share(trained_giants_24,
                                           trained_giants_24 + trained_startups_24),
        "original_share_startup_releases": _share(
            float((startup_releases["model_kind"] == "original").sum()), len(startup_releases)),
        "deals_y1": float(deals[deals.index < YEAR].sum()),
        "deals_y2": float(deals[(deals.index >= YEAR) & (deals.index < 2 * YEAR)].sum()),
        "raised_y1_mcny": float(m.loc[m.index < YEAR, "funding_raised_mcny"].sum()),
        "rounds": float(len(rounds)),
        "valuation_step_y1": float(steps_y1.median()) if len(steps_y1) else math.nan,
        "down_rounds": float(m["down_rounds"].sum()),
        "data_purchases": float((ev["kind"] == "data_purchase").sum()),
        "data_purchases_giants": float(((ev["kind"] == "data_purchase")
                                        & (ev["actor_type"] == "giant")).sum()),
        "gpus_owned_giants_final": at(last, "gpus_owned_giants"),
        "gpus_purchased_giants": float(s["compute"]["gpus_purchased_giants"]),
        "gpu_price_peak_y1_ratio": float(s["compute"]["gpu_price_peak_first_year_ratio"]),
        "gpu_price_mean_mcny": float(m["gpu_price_mcny"].mean()),
        "rent_mean_cny_per_hour": float(m["rental_price_mcny"].mean())
        * CNY_PER_HOUR_PER_MCNY_MONTH,
        "rent_cny_per_hour_y1_max": float(m.loc[m.index < YEAR, "rental_price_mcny"].max())
        * CNY_PER_HOUR_PER_MCNY_MONTH,
        "giant_revenue_share_24": at(2 * YEAR, "giant_revenue_share"),
        "startup_revenue_24": float(m.loc[m.index < 2 * YEAR, "revenue_startups_mcny"].sum()),
        "giant_revenue_24": float(m.loc[m.index < 2 * YEAR, "revenue_giants_mcny"].sum()),
        "startup_revenue_y3_4": float(m.loc[years_3_4, "revenue_startups_mcny"].sum()),
        "giant_revenue_y3_4": float(m.loc[years_3_4, "revenue_giants_mcny"].sum()),
        "best_capability_24": at(2 * YEAR, "best_capability"),
        "pivots_24": float(((ev["kind"] == "pivot") & (ev["month"] < 2 * YEAR)).sum()),
        "builders_24": at(2 * YEAR, "independent_builders"),
        "bankrupt": float((ev["kind"] == "bankrupt").sum()),
        "acquired": float((ev["kind"] == "acquired").sum()),
        "ipo": float((ev["kind"] == "ipo").sum()),
        "secondary_sale": float((ev["kind"] == "secondary_sale").sum()),
        "adoption_mean_24": _mean_defined([at(2 * YEAR, c) for c in m.columns
                                           if c.startswith("adoption_")]),
    }
    return out


def _mean_defined(values: list[float]) -> float:
    """The mean of the values that are defined (a segment with no buyers has no adoption);
    NaN if none is."""
    defined = [v for v in values if not math.isnan(v)]
    return float(left_sum(defined) / len(defined)) if defined else math.nan


def replicate_one(cfg: BaimoConfig) -> Replication:
    """Run one seeded replication (the unit of work of a worker process)."""
    tables = simulate(cfg)
    return Replication(cfg.seed, tables.metrics, tables.summary, outcomes(tables))


def with_seed(cfg: BaimoConfig, seed: int) -> BaimoConfig:
    """A copy of ``cfg`` with another seed."""
    return dataclasses.replace(cfg, seed=int(seed))


def run_configs(configs: Sequence[BaimoConfig], jobs: int = 2,
                progress: Callable[[int, int], None] | None = None) -> list[Replication]:
    """Run every config (in order) over ``jobs`` processes; ``jobs=1`` runs in this process."""
    total = len(configs)
    if jobs <= 1 or total <= 1:
        done = []
        for k, cfg in enumerate(configs):
            done.append(replicate_one(cfg))
            if progress:
                progress(k + 1, total)
        return done
    results: list[Replication] = []
    with process_pool(jobs) as pool:
        for k, rep in enumerate(pool.map(replicate_one, configs)):
            results.append(rep)
            if progress:
                progress(k + 1, total)
    return results


def replicate(cfg: BaimoConfig, replications: int, jobs: int = 2,
              progress: Callable[[int, int], None] | None = None) -> list[Replication]:
    """``replications`` runs of ``cfg`` with seeds spawned from ``cfg.seed``."""
    seeds = replication_seeds(cfg.seed, replications)
    return run_configs([with_seed(cfg, s) for s in seeds], jobs, progress)
