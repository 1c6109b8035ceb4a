"""Plots of a sweep: key outcomes against each swept parameter, and fan charts over time.

Each function takes the aggregated tables and returns a ``Figure``.
"""

from __future__ import annotations

import math
from collections import OrderedDict

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from sim.plots import STYLE  # noqa: E402
from sim.sweep.aggregate import SweepTables  # noqa: E402
from sim.sweep.outcomes import KEY_OUTCOMES, KEY_SERIES, PARAM_PREFIX, setting_label  # noqa: E402

#: Interval drawn around means and medians: the central 90% of replications.
LOW_Q, HIGH_Q = 0.05, 0.95
#: Inner band of a fan chart: the central 50%.
INNER_LOW_Q, INNER_HIGH_Q = 0.25, 0.75
PANEL_COLUMNS = 3
#: Room kept above the panels for the figure title (inches).
TITLE_SPACE = 0.6


def colours(n: int) -> list:
    """``n`` distinct colours (tab10, or viridis beyond ten)."""
    cmap = plt.get_cmap("viridis" if n > 10 else "tab10")
    return [cmap(i / max(n - 1, 1)) if n > 10 else cmap(i) for i in range(n)]


def _is_numeric(values: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)


def _grid(n: int, title: str) -> tuple[Figure, list[plt.Axes]]:
    cols = min(PANEL_COLUMNS, n)
    rows = math.ceil(n / cols)
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(rows, cols, figsize=(5.2 * cols, 3.8 * rows), squeeze=False)
    fig.suptitle(title, fontsize=16)
    flat = list(axes.ravel())
    for ax in flat[n:]:
        ax.set_visible(False)
    return fig, flat[:n]


def plot_outcomes_vs_param(tables: SweepTables, key: str) -> Figure:
    """Every key outcome against swept parameter ``key``: mean and 90% interval over replications.

    With several swept parameters, one line per combination of the others.
    """
    done = tables.complete
    outcomes = [c for c in KEY_OUTCOMES if c in done.columns]
    column = f"{PARAM_PREFIX}{key}"
    others = [f"{PARAM_PREFIX}{k}" for k in tables.swept if k != key]
    fig, axes = _grid(len(outcomes), f"Key outcomes against {key} "
                      f"(mean and {round(100 * (HIGH_Q - LOW_Q))}% of replications)")
    numeric = _is_numeric(done[column])
    positions = list(OrderedDict.fromkeys(done[column].tolist()))
    groups = list(done.groupby(others, sort=False)) if others else [((), done)]
    palette = colours(len(groups))
    for ax, outcome in zip(axes, outcomes, strict=True):
        for (label, group), colour in zip(groups, palette, strict=True):
            stats = group.groupby(column, sort=False)[outcome].agg(
                mean="mean", low=lambda s: s.quantile(LOW_Q), high=lambda s: s.quantile(HIGH_Q))
            stats = stats.reindex(positions).dropna(how="all")
            x = stats.index.to_numpy(dtype=float) if numeric else \
                np.array([positions.index(v) for v in stats.index], dtype=float)
            name = _legend(others, label)
            ax.plot(x, stats["mean"], marker="o", lw=2, color=colour, label=name)
            ax.fill_between(x, stats["low"], stats["high"], color=colour, alpha=0.2)
        ax.set_title(KEY_OUTCOMES[outcome], fontsize=12)
        ax.set_xlabel(key)
        ax.grid(alpha=0.3)
        if not numeric:
            ax.set_xticks(range(len(positions)), [str(p) for p in positions], rotation=20,
                          fontsize=8, ha="right")
    if others:
        axes[0].legend(fontsize=8, loc="best")
    fig.tight_layout(rect=(0, 0, 1, 1 - TITLE_SPACE / fig.get_figheight()))
    return fig


def _legend(others: list[str], label: object) -> str | None:
    if not others:
        return None
    values = label if isinstance(label, tuple) else (label,)
    return ", ".join(f"{k[len(PARAM_PREFIX):]}={v}" for k, v in zip(others, values, strict=True))


def plot_fan(tables: SweepTables, metric: str) -> Figure:
    """Monthly ``metric``, one panel per setting (shared axes): median, central 50% and 90%."""
    m = tables.metrics
    settings = list(OrderedDict.fromkeys(m["setting"].tolist()))
    label = KEY_SERIES.get(metric, metric)
    fig, axes = _grid(len(settings), f"{label}: median and "
                      f"{round(100 * (INNER_HIGH_Q - INNER_LOW_Q))}% / "
                      f"{round(100 * (HIGH_Q - LOW_Q))}% of replications")
    low = high = None
    for ax, setting, colour in zip(axes, settings, colours(len(settings)), strict=True):
        data = m[m["setting"] == setting].pivot(index="date", columns="job", values=metric)
        t = pd.to_datetime(data.index)
        ax.fill_between(t, data.quantile(LOW_Q, axis=1), data.quantile(HIGH_Q, axis=1),
                        color=colour, alpha=0.15, lw=0)
        ax.fill_between(t, data.quantile(INNER_LOW_Q, axis=1),
                        data.quantile(INNER_HIGH_Q, axis=1), color=colour, alpha=0.3, lw=0)
        ax.plot(t, data.median(axis=1), color=colour, lw=2)
        ax.set_title(f"{setting_label(setting)} (n={data.shape[1]})", fontsize=10)
        ax.set_xlabel("date")
        ax.set_ylabel(label, fontsize=10)
        locator = mdates.AutoDateLocator(maxticks=6)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        ax.grid(alpha=0.3)
        y0, y1 = ax.get_ylim()
        low = y0 if low is None else min(low, y0)
        high = y1 if high is None else max(high, y1)
    for ax in axes:   # one scale for every setting, so panels compare at a glance
        ax.set_ylim(low, high)
    fig.tight_layout(rect=(0, 0, 1, 1 - TITLE_SPACE / fig.get_figheight()))
    return fig


def build_sweep_plots(tables: SweepTables) -> dict[str, Figure]:
    """All sweep plots by file stem: ``outcomes_vs_<key>`` and ``fan_<metric>``."""
    figures: dict[str, Figure] = {}
    for key in tables.swept:
        figures[f"outcomes_vs_{key}"] = plot_outcomes_vs_param(tables, key)
    for metric in KEY_SERIES:
        if metric in tables.metrics.columns:
            figures[f"fan_{metric}"] = plot_fan(tables, metric)
    return figures
