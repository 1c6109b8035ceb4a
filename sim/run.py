"""One run, end to end: validated config -> model -> tidy tables -> files -> plots."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sim.config import BaimoConfig
from sim.configuration import resolved_dict
from sim.model import MarketModel
from sim.outputs import (
    CONFIG,
    EVENTS,
    FUNDS,
    METRICS,
    PLOTS,
    REVENUE,
    SUMMARY,
    events_frame,
    mark_complete,
    metrics_frame,
    revenue_frame,
    write_json,
    write_parquet,
)
from sim.summary import clean_json, fund_table, summarise


@dataclass
class Tables:
    """The tidy results of one run, in memory."""

    model: MarketModel
    events: pd.DataFrame
    metrics: pd.DataFrame
    funds: pd.DataFrame
    summary: dict[str, Any]
    revenue: pd.DataFrame


def simulate(cfg: BaimoConfig) -> Tables:
    """Run the model and turn its record into tables (writes nothing)."""
    model = MarketModel(cfg)
    result = model.run()
    events = events_frame(result.events.table())
    metrics = metrics_frame(result.metrics, cfg.start_date)
    funds = fund_table(model)
    summary = clean_json(summarise(model, events, metrics, funds))
    revenue = revenue_frame(model.world.enterprise.revenue_record(), model.world.actor_types)
    return Tables(model, events, metrics, funds, summary, revenue)


def write_run(tables: Tables, run_dir: Path, plots: bool = True) -> None:
    """Write the output contract into ``run_dir``; the COMPLETE marker goes last."""
    run_dir.mkdir(parents=True, exist_ok=True)
    write_parquet(tables.events, run_dir / EVENTS)
    write_parquet(tables.metrics, run_dir / METRICS)
    write_parquet(tables.funds, run_dir / FUNDS)
    write_parquet(tables.revenue, run_dir / REVENUE)
    write_json(clean_json(resolved_dict(tables.model.cfg)), run_dir / CONFIG)
    write_json(tables.summary, run_dir / SUMMARY)
    if plots:
        from sim.plots import build_all, save_all

        save_all(build_all(tables.metrics, tables.events, tables.funds), run_dir / PLOTS)
    mark_complete(run_dir)


def run(cfg: BaimoConfig, run_dir: Path, plots: bool = True) -> Tables:
    """Simulate and write one run."""
    tables = simulate(cfg)
    write_run(tables, run_dir, plots)
    return tables
