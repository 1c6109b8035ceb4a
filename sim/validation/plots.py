"""One plot per stylized fact: the measured quantity over replications against its criterion.

Time series show the median over replications and the 10-90% band, with the
criterion's threshold or month marked; counts without a time axis are bars
of the median with 10-90% whiskers. matplotlib is imported only here.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypedDict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from sim.plots import COLOURS, STYLE, save_all  # noqa: E402
from sim.validation import facts as F  # noqa: E402
from sim.validation.replicate import Replication  # noqa: E402
from sim.validation.report import FactResult  # noqa: E402

BAND = (0.1, 0.9)


class LineKwargs(TypedDict):
    """Line2D keywords spread as ``**THRESHOLD``: typed so mypy sees which parameters they fill."""

    color: str
    linestyle: str
    linewidth: float


THRESHOLD: LineKwargs = {"color": "black", "linestyle": "--", "linewidth": 1.2}


def _matrix(reps: Sequence[Replication], column: str, last: int) -> tuple[pd.Series, np.ndarray]:
    """Dates of months 0..last and a (replications x months) array of ``column``."""
    first = reps[0].metrics
    last = min(last, int(first["month"].max()))
    dates = pd.to_datetime(first.loc[first["month"] <= last, "date"]).reset_index(drop=True)
    rows = [r.metrics.loc[r.metrics["month"] <= last, column].to_numpy(dtype=float) for r in reps]
    return dates, np.vstack(rows)


def _band(ax: plt.Axes, dates: pd.Series, values: np.ndarray, label: str, colour: str) -> None:
    with warnings.catch_warnings():   # months where a ratio is undefined in every run
        warnings.simplefilter("ignore", RuntimeWarning)
        med = np.nanmedian(values, axis=0)
        lo = np.nanquantile(values, BAND[0], axis=0)
        hi = np.nanquantile(values, BAND[1], axis=0)
    ax.plot(dates, med, color=colour, linewidth=2.2, label=f"{label} (median)")
    ax.fill_between(dates, lo, hi, color=colour, alpha=0.2)


def _date(reps: Sequence[Replication], month: int) -> pd.Timestamp:
    m = reps[0].metrics
    return pd.Timestamp(m["date"].iloc[0]) + pd.DateOffset(months=month)


def _figure(result: FactResult, ylabel: str) -> tuple[Figure, plt.Axes]:
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(11, 5.2))
    ax.set_title(f"{result.fact.title}: {result.share:.0%} of {result.passed.size} "
                 f"replications pass ({result.verdict})")
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    fig.text(0.01, 0.01, f"criterion: {result.fact.criterion}", fontsize=9, color="dimgrey")
    return fig, ax


def _finish(fig: Figure, ax: plt.Axes, time_axis: bool = True) -> Figure:
    if time_axis:
        ax.set_xlabel("month (calendar date; month 0 = December 2022)")
    ax.legend(loc="best")
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    return fig


def entry_burst(result: FactResult, reps: Sequence[Replication]) -> Figure:
    """Cumulative releases with the three thresholds."""
    fig, ax = _figure(result, "cumulative model releases")
    dates, v = _matrix(reps, "releases_total_cum", 24)
    _band(ax, dates, v, "all releases", COLOURS["startup"])
    thresholds = ((F.RELEASE_MONTH_A, F.RELEASES_BY_MONTH_4),
                  (F.RELEASE_MONTH_MID, F.RELEASES_BY_MONTH_6),
                  (F.RELEASE_MONTH_B, F.RELEASES_BY_END_2023))
    # one key entry for the three, not a label beside each: months 4 and 6 are two
    # months apart, and the first label ran into the second marker
    ax.plot([_date(reps, month) for month, _ in thresholds], [need for _, need in thresholds],
            marker="v", markersize=11, color="black", linestyle="none",
            label="criterion: " + ", ".join(f">= {need} by month {month}"
                                            for month, need in thresholds))
    return _finish(fig, ax)


def giants_buy_gpus(result: FactResult, reps: Sequence[Replication]) -> Figure:
    """Giants' share of cumulative GPU purchases over the first two years."""
    fig, ax = _figure(result, "giants' share of GPUs bought (cumulative)")
    dates, g = _matrix(reps, "gpus_purchased_giants_cum", F.GPU_WINDOW_MONTHS - 1)
    _, s = _matrix(reps, "gpus_purchased_startups_cum", F.GPU_WINDOW_MONTHS - 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(g + s > 0, g / (g + s), np.nan)
    _band(ax, dates, share, "giants' share", COLOURS["giant"])
    ax.axhline(F.GIANT_GPU_SHARE_MIN, label=f"criterion {F.GIANT_GPU_SHARE_MIN:.0%}", **THRESHOLD)
    ax.set_ylim(0, 1.05)
    return _finish(fig, ax)


def original_fewest(result: FactResult, reps: Sequence[Replication]) -> Figure:
    """Cumulative releases by model kind."""
    fig, ax = _figure(result, "cumulative releases by kind")
    for kind in ("original", "shell", "assembled"):
        dates, v = _matrix(reps, f"releases_{kind}_cum", 24)
        _band(ax, dates, v, kind, COLOURS[kind])
    ax.axvline(_date(reps, F.KIND_WINDOW_MONTHS - 1), label="end of the window", **THRESHOLD)
    return _finish(fig, ax)


def funding_cools(result: FactResult, reps: Sequence[Replication]) -> Figure:
    """Rounds closed per month, years 1-3."""
    fig, ax = _figure(result, "funding rounds closed per month")
    dates, v = _matrix(reps, "funding_deals", 35)
    _band(ax, dates, v, "rounds", COLOURS["fund"])
    for year in (1, 2):
        ax.axvline(_date(reps, 12 * year), **THRESHOLD)
    ax.plot([], [], label="year boundaries", **THRESHOLD)
    return _finish(fig, ax)


def shakeout(result: FactResult, reps: Sequence[Replication]) -> Figure:
    """Independent model builders over the run."""
    fig, ax = _figure(result, "independent model builders (startups)")
    dates, v = _matrix(reps, "independent_builders", 10**6)
    _band(ax, dates, v, "independent builders", COLOURS["startup"])
    ax.axvline(_date(reps, F.SHAKEOUT_MONTH), label=f"month {F.SHAKEOUT_MONTH}", **THRESHOLD)
    return _finish(fig, ax)


def adoption_order(result: FactResult, reps: Sequence[Replication]) -> Figure:
    """Adoption share by buyer segment."""
    fig, ax = _figure(result, "share of buyers with a contract or subscription")
    labels = {"large_digital": "large digitised", "gov_soe": "gov/SOE",
              "traditional": "traditional", "sme": "SMEs"}
    for seg, label in labels.items():
        dates, v = _matrix(reps, f"adoption_{seg}", 2 * F.ADOPTION_MONTH)
        _band(ax, dates, v, label, COLOURS[seg])
    ax.axvline(_date(reps, F.ADOPTION_MONTH), label=f"month {F.ADOPTION_MONTH}", **THRESHOLD)
    return _finish(fig, ax)


def exits_not_ipo(result: FactResult, reps: Sequence[Replication]) -> Figure:
    """Fund exits by route over the run."""
    fig, ax = _figure(result, "exits over the run (count)")
    routes = (("secondary_sale", "secondary sales"), ("acquired", "M&A"), ("ipo", "IPO"))
    values = [np.array([r.outcomes[k] for r in reps], dtype=float) for k, _ in routes]
    med = [float(np.median(v)) for v in values]
    lo = [m - float(np.quantile(v, BAND[0])) for m, v in zip(med, values, strict=True)]
    hi = [float(np.quantile(v, BAND[1])) - m for m, v in zip(med, values, strict=True)]
    ax.bar([label for _, label in routes], med, yerr=[lo, hi], capsize=8,
           color=[COLOURS["fund"], COLOURS["giant"], COLOURS["startup"]],
           label="median, 10-90% whiskers")
    ax.set_xlabel("exit route")
    return _finish(fig, ax, time_axis=False)


def valuations_rise(result: FactResult, reps: Sequence[Replication]) -> Figure:
    """Each replication's median price of a boom-year follow-on round against the last
    valuation, with the line the criterion must clear."""
    fig, ax = _figure(result, "median pre-money / last post-money\n(follow-on rounds, year 1)")
    steps = np.array([r.outcomes["valuation_step_y1"] for r in reps], dtype=float)
    ax.scatter(np.arange(1, steps.size + 1), steps, s=60, color=COLOURS["fund"],
               label="one replication")
    ax.axhline(F.VALUATION_STEP_MIN, label="criterion: above the last valuation", **THRESHOLD)
    ax.set_xlabel("replication")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))   # not 1.0, 1.2, ... 2.0
    return _finish(fig, ax, time_axis=False)


PLOTTERS: dict[str, Callable[[FactResult, Sequence[Replication]], Figure]] = {
    "entry_burst": entry_burst,
    "giants_buy_gpus": giants_buy_gpus,
    "original_fewest": original_fewest,
    "funding_cools": funding_cools,
    "shakeout": shakeout,
    "adoption_order": adoption_order,
    "exits_not_ipo": exits_not_ipo,
    "valuations_rise": valuations_rise,
}


def fact_figures(results: Sequence[FactResult], reps: Sequence[Replication],
                 ) -> dict[str, Figure]:
    """One figure per fact, keyed by the fact's key."""
    return {r.fact.key: PLOTTERS[r.fact.key](r, reps) for r in results}


def save(figures: dict[str, Figure], directory: Path) -> dict[str, Path]:
    """Write each figure as ``<key>.png`` (atomically, as every plot: :func:`save_all`);
    close it."""
    return dict(zip(figures, save_all(figures, directory), strict=True))
