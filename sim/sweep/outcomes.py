"""Scalar outcomes of a run as one flat row, and the outcomes and series worth plotting.

Shared by sweep aggregation and ``baimo-compare``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd

from sim.outputs import (
    FUNDS,
    METRICS,
    SUMMARY,
    OutputError,
    parse_json,
    summary_problem,
    table_problem,
)

#: Columns that identify a job in the sweep tables (swept parameters follow as ``param.<key>``).
JOB_KEYS = ("job", "setting", "replication", "seed")
PARAM_PREFIX = "param."
DERIVED_PREFIX = "derived."

#: Key outcomes: summary.json paths (dotted) and a label for tables and plots.
KEY_OUTCOMES: dict[str, str] = {
    "releases.total": "model releases",
    "releases.by_kind.original": "original models released (giants' and startups')",
    "releases.startups_by_kind.original": "original models released by startups",
    "startups.founded": "startups founded",
    "startups.survivors": "surviving startups",
    "startups.independent_builders_final": "independent model builders at the end",
    "startups.share_bought_gpus": "share of startups that bought GPUs",
    "exits.ipo": "IPOs",
    "exits.acquired": "acquisitions",
    "exits.secondary_sale": "secondary sales",
    "exits.bankrupt": "bankruptcies",
    "funding.down_rounds": "down rounds",
    "concentration.hhi_final": "enterprise revenue HHI at the end",
    "concentration.giant_revenue_share_final": "giants' revenue share at the end",
    "compute.giant_share_of_purchases": "giants' share of GPU purchases",
    "compute.gpu_price_peak_first_year_ratio": "year-1 GPU price peak / configured initial price",
    "adoption_final.gov_soe": "gov/SOE adoption at the end",
    "adoption_final.sme": "SME adoption at the end",
    "data.purchases": "data-quality purchases (giants' and startups')",
    "data.quality_mean_final": "mean data quality of firms in business at the end (0-1)",
    f"{DERIVED_PREFIX}fund_tvpi_median": "median fund TVPI",
    f"{DERIVED_PREFIX}fund_tvpi_outcome_median": "median fund TVPI, in-kind stakes at outcome",
    f"{DERIVED_PREFIX}fund_gross_multiple_median": "median fund gross multiple on invested",
    f"{DERIVED_PREFIX}fund_invested_share": "share of LP commitments invested",
}

#: Monthly metrics drawn as fan charts (sweeps) and overlays (compare).
KEY_SERIES: dict[str, str] = {
    "independent_builders": "independent model builders",
    "startups_active": "active startups",
    "releases_total_cum": "models released (cumulative)",
    "funding_raised_mcny": "funding raised (million CNY / month)",
    "hype_index": "hype index",
    "gpu_price_mcny": "GPU price (thousand CNY per A100-eq)",
    "giant_revenue_share": "giants' revenue share",
    "hhi_enterprise_revenue": "enterprise revenue HHI",
    "adoption_gov_soe": "gov/SOE adoption",
    "adoption_sme": "SME adoption",
}


#: Key series drawn in other units than the metrics' own, by this factor: the GPU price in
#: thousand CNY, as the run's plot and the report draw it (read in million CNY, 0.10-0.23,
#: it looked another quantity than the 100-230 of the others).
SERIES_SCALE: dict[str, float] = {"gpu_price_mcny": 1e3}


def series_values(metrics: pd.DataFrame, metric: str) -> pd.DataFrame:
    """``metrics`` with ``metric`` in the units its plot uses (:data:`SERIES_SCALE`)."""
    scale = SERIES_SCALE.get(metric)
    return metrics if scale is None else metrics.assign(**{metric: metrics[metric] * scale})


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Nested dicts and lists as one level of dotted keys (list items by index)."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            out.update(flatten(v, f"{prefix}{k}."))
        return out
    if isinstance(value, list | tuple):
        out = {}
        for i, v in enumerate(value):
            out.update(flatten(v, f"{prefix}{i}."))
        return out
    return {prefix[:-1]: value}


def _median(values: pd.Series) -> float:
    v = pd.to_numeric(values, errors="coerce").dropna()
    return float(v.median()) if not v.empty else math.nan


def derived(funds: pd.DataFrame) -> dict[str, float]:
    """Outcomes not in summary.json: medians over all funds of the run (the gross multiple's
    over the funds that invested), and the share of all LP commitments invested. A column
    an earlier baimo did not write gives NaN."""
    def column(name: str) -> pd.Series:
        return funds[name] if name in funds.columns else pd.Series(math.nan, index=funds.index)

    committed = pd.to_numeric(column("size_mcny"), errors="coerce").sum()
    invested = pd.to_numeric(column("invested_mcny"), errors="coerce").sum(min_count=1)
    return {f"{DERIVED_PREFIX}fund_tvpi_median": _median(column("tvpi")),
            f"{DERIVED_PREFIX}fund_tvpi_outcome_median": _median(column("tvpi_outcome")),
            f"{DERIVED_PREFIX}fund_dpi_median": _median(column("dpi")),
            f"{DERIVED_PREFIX}fund_irr_median": _median(column("irr")),
            f"{DERIVED_PREFIX}fund_gross_multiple_median": _median(column("gross_multiple")),
            f"{DERIVED_PREFIX}fund_invested_share":
                float(invested / committed) if committed > 0 else math.nan}


def read_outcomes(run_dir: Path) -> tuple[dict[str, Any], pd.DataFrame]:
    """(flat summary + derived outcomes, metrics table) of a finished run; OutputError if broken."""
    try:
        summary = parse_json((run_dir / SUMMARY).read_text(encoding="utf-8"))
        metrics = pd.read_parquet(run_dir / METRICS)
        funds = pd.read_parquet(run_dir / FUNDS)
    except (OSError, ValueError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else ""
        raise OutputError(f"{run_dir}: unreadable run output ({type(exc).__name__}: {first})") \
            from None
    problem = (summary_problem(summary) or table_problem(METRICS, metrics)
               or table_problem(FUNDS, funds))
    if problem is not None:
        raise OutputError(f"{run_dir}: {problem}")
    row = flatten(summary)
    row.update(derived(funds))
    return row, metrics


def param_series(values: list[Any]) -> pd.Series:
    """A swept parameter's column: numbers stay numbers, anything else becomes text."""
    if values and all(isinstance(v, bool) for v in values):
        return pd.Series(values, dtype="bool")
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return pd.Series(values, dtype="float64")
    return pd.Series([v if isinstance(v, str) else json.dumps(v) for v in values], dtype="object")


#: Brackets that hold a list, dict or function call's own commas in an override's value.
_OPENING, _CLOSING = "[{(", "]})"
_QUOTES = "'\""


def setting_overrides(setting: str) -> list[str]:
    """A setting's overrides as written (``key=value`` each): ``setting`` split at the
    commas between them, not at those inside a value's brackets or quotes
    (``compute.export_controls=[a,b]`` is one override)."""
    overrides: list[str] = []
    depth, quote, start = 0, "", 0
    for i, char in enumerate(setting):
        if quote:
            quote = "" if char == quote else quote
        elif char in _QUOTES:
            quote = char
        elif char in _OPENING:
            depth += 1
        elif char in _CLOSING:
            depth = max(depth - 1, 0)
        elif char == "," and depth == 0:
            overrides.append(setting[start:i])
            start = i + 1
    return [*overrides, setting[start:]] if setting else []


def setting_label(setting: str) -> str:
    """How a setting is shown: its overrides, ", " between them, or 'default' if only
    replications vary."""
    return ", ".join(setting_overrides(setting)) or "default"
