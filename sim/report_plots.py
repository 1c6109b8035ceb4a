"""Report plots: one or more arms of replicated runs on the same axes.

Each function takes a list of :class:`~sim.teaching.arms.Arm` and returns a
``Figure``. A line is the mean over an arm's replications and the shaded band
its range (min to max). Colours follow the actor type (giant, startup, fund,
buyer segment, model kind; ``sim.plots.COLOURS``); arms differ by line style.
Calendar dates on the x-axis, hype shocks and export controls marked, fonts
large enough for a classroom projector. matplotlib is imported only here.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.ticker as ticker  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

from sim.config import MONTHS_PER_YEAR, SEGMENT_LABELS, SEGMENTS  # noqa: E402
from sim.markets.compute import CNY_PER_HOUR_PER_MCNY_MONTH, DAYS_PER_MONTH  # noqa: E402
from sim.plots import (  # noqa: E402
    COLOURS,
    FEW_POINTS,
    KEY_RIGHT,
    MIN_ADOPTION_TOP,
    SHARE_TOP,
    STYLE,
    arm_style,
    dated_label,
    draw_band,
    from_zero,
    key_dated_lines,
    keys_right_when_hiding,
    plain_log_axis,
    wrapped,
    write_note,
    year_tick_step,
)
from sim.teaching.arms import Arm  # noqa: E402

if TYPE_CHECKING:
    from matplotlib.typing import LegendLocType, RcKeyType

REPORT_STYLE: dict[RcKeyType, int] = {**STYLE, "font.size": 16, "axes.titlesize": 18,
                                      "axes.labelsize": 16, "legend.fontsize": 13,
                                      "xtick.labelsize": 14, "ytick.labelsize": 14}
LEGEND_SIZE = REPORT_STYLE["legend.fontsize"]
#: How the report's keys are drawn (inside a panel or out of it).
KEY_STYLE: dict[str, Any] = {"framealpha": 0.85, "fontsize": LEGEND_SIZE}
#: A key right of its panel, its top at the panel's top.
KEY_OUTSIDE: dict[str, Any] = {**KEY_RIGHT, **KEY_STYLE}
PANEL_TITLE_SIZE = REPORT_STYLE["axes.titlesize"] - 1
# rented GPUs purple: a light orange beside the startups' own orange was one colour to a
# reader (and more so to a colour-blind one), the arms' line styles on top of both
EXTRA = {"pivoted": "#7f8c8d", "rented": "#8e44ad",
         "total": "#222222", "down": "#b03a2e", "hype": "#222222"}
WIDTH_IN = 12.0
KEY_SIZE = 13     # the dotted lines' key above the top panel (points)
KEY_PAD = 22      # its distance above the panel, room for the lines' numbers (points)
KEY_MARGIN = 0.03  # share of the figure's width kept free right of the key (the layout
                   # may still move the panels a little after the key is wrapped)
ROW_IN = 3.9
PERCENT_TOP = 100 * SHARE_TOP  # a scale of percent ends a little above 100, as of shares
LOG_HEADROOM = 1.8  # a log scale's top over its highest value (a quarter of a decade)
BLOCK_MONTHS = 3
SHORT_MONTHS = 6   # runs spanning fewer months get month ticks and a month's margin


@dataclass(frozen=True)
class ReportPlot:
    """A plot the report can include: its title, builder, and how to read it."""

    title: str
    draw: Callable[[list[Arm]], Figure]
    caption: str | Callable[[list[Arm]], str]   # a function where it depends on the arms

    def build(self, arms: list[Arm]) -> Figure:
        """The plot of ``arms``, each key where it hides nothing of its panel, or right of
        the panels when no place in one is clear (the seed-42 baseline's adoption since
        2026-12-07: four segments' lines fill the panel)."""
        fig = self.draw(arms)
        keys_right_when_hiding(fig, **KEY_STYLE)
        return fig

    def caption_for(self, arms: list[Arm]) -> str:
        """The caption under the plot of ``arms``."""
        return self.caption(arms) if callable(self.caption) else self.caption


# ---------------------------------------------------------------- helpers


def _figure(title: str, rows: int = 1) -> tuple[Figure, list[plt.Axes]]:
    with plt.rc_context(REPORT_STYLE):
        fig, axes = plt.subplots(rows, 1, figsize=(WIDTH_IN, ROW_IN * rows + 1.0), sharex=True,
                                 squeeze=False, layout="constrained")
    fig.suptitle(title, fontsize=REPORT_STYLE["axes.titlesize"] + 2, fontweight="bold")
    return fig, list(axes[:, 0])


def _style(i: int) -> str:
    return arm_style(i)


def _dates(arm: Arm, months: np.ndarray) -> pd.DatetimeIndex:
    start = pd.Timestamp(arm.start_date + "-01")
    return pd.DatetimeIndex([start + pd.DateOffset(months=int(m)) for m in months])


def _stack(arm: Arm, column: str | Callable[[pd.DataFrame], pd.Series]) -> tuple[np.ndarray,
                                                                                  np.ndarray]:
    """(months, values[replication, month]) of a metric, trimmed to the shortest run."""
    series = [np.asarray(column(r.metrics) if callable(column) else r.metrics[column], dtype=float)
              for r in arm.runs]
    n = min(len(s) for s in series)
    months = np.asarray(arm.runs[0].metrics["month"], dtype=float)[:n]
    return months, np.vstack([s[:n] for s in series])


def _line(ax: plt.Axes, arm: Arm, i: int, column: str | Callable[[pd.DataFrame], pd.Series],
          colour: str, scale: float = 1.0, lw: float = 2.6) -> None:
    months, vals = _stack(arm, column)
    vals = vals * scale
    t = _dates(arm, months)
    mean, low, high = _nan_stats(vals)
    few = len(t) <= FEW_POINTS   # a line of one point draws nothing: a marker shows it
    ax.plot(t, mean, color=colour, ls=_style(i), lw=lw, marker="o" if few else None, ms=7)
    if vals.shape[0] > 1:
        draw_band(ax, t, low, high, colour, alpha=0.15, bar_alpha=0.3)


def _nan_stats(vals: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean, min and max over replications (axis 0), NaN where every replication is NaN."""
    with warnings.catch_warnings():  # e.g. revenue shares before anyone has revenue
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(vals, axis=0), np.nanmin(vals, axis=0), np.nanmax(vals, axis=0)


def _quarter_offset(start: str) -> int:
    """Months from the first month of a run starting in ``start`` (YYYY-MM) to the first
    month of a calendar quarter (January, April, July, October)."""
    return -(int(start.split("-")[1]) - 1) % BLOCK_MONTHS


def _blocks(arm: Arm, column: str) -> tuple[pd.DatetimeIndex, np.ndarray]:
    """Sums of a monthly flow over calendar quarters, one row per replication, dated at the
    quarter's middle month; a quarter the run covers only in part (its first or last) is
    left out. The run's own funding plot sums the same quarters: blocks of 3 months from
    the run's first month put the same run's funding peak in Mar-May 2023 here and in
    Jul-Sep 2023 there."""
    months, vals = _stack(arm, column)
    first = _quarter_offset(arm.start_date)
    n = max(len(months) - first, 0) // BLOCK_MONTHS
    whole = vals[:, first:first + n * BLOCK_MONTHS]
    sums = whole.reshape(len(vals), n, BLOCK_MONTHS).sum(axis=2)
    return _dates(arm, months[first:first + n * BLOCK_MONTHS:BLOCK_MONTHS] + 1), sums


def _block_line(ax: plt.Axes, arm: Arm, i: int, column: str, colour: str) -> None:
    t, vals = _blocks(arm, column)
    if not len(t):   # a run shorter than one block
        return
    ax.plot(t, vals.mean(axis=0), color=colour, ls=_style(i), lw=2.6, marker="o", ms=5)
    if vals.shape[0] > 1:
        ax.fill_between(t, vals.min(axis=0), vals.max(axis=0), color=colour, alpha=0.15, lw=0)


def _when(month: float, start: str) -> pd.Timestamp:
    """The date of model month ``month`` (fractions as days) on a run starting in ``start``."""
    return pd.Timestamp(start + "-01") + pd.Timedelta(days=DAYS_PER_MONTH * month)


def _has_values(arms: list[Arm], column: str) -> bool:
    """Whether any run of ``arms`` has a value (not NaN) in metrics ``column``."""
    return any(bool(r.metrics[column].notna().any()) for a in arms for r in a.runs)


def _say_empty(ax: plt.Axes, text: str) -> None:
    """Write on an empty panel why it is empty (and drop its meaningless y ticks)."""
    write_note(ax, text, axes=("y",), size=LEGEND_SIZE + 2)
    ax.set_yticks([])


def _shock_marks(arms: list[Arm]) -> list[tuple[pd.Timestamp, str]]:
    """(date, key text) of the hype shocks and export controls in any arm, each on its own
    arm's calendar: a sweep over ``start_date`` drew every arm's shocks at the first arm's
    dates. A mark not in every arm names the arms it is in."""
    marks: dict[tuple[pd.Timestamp, str], list[str]] = {}
    names: dict[tuple[pd.Timestamp, str], str] = {}
    for arm in arms:
        e = arm.runs[0].events
        s = e[(e["kind"] == "shock") & (e["reason"].isin(["hype", "export_control"]))]
        for month, label in zip(s["month"], s["label"], strict=True):
            key = (_when(float(month), arm.start_date),
                   dated_label(str(label), float(month), arm.start_date))
            marks.setdefault(key, []).append(arm.label)
            names[key] = str(label)
    out = []
    for (when, text), where in sorted(marks.items()):
        named = all(_names_shock(label, names[(when, text)]) for label in where)
        suffix = f" ({', '.join(where)})" if len(arms) > 1 and len(where) < len(arms) \
            and not named else ""
        out.append((when, text + suffix))
    return out


def _names_shock(arm_label: str, shock: str) -> bool:
    """Whether ``arm_label`` already names the shock labelled ``shock`` (its words, without
    the dates in brackets): "bust in Feb 2024" names "Bust (Feb 2024)", so the key need not
    add the arm's label ("Bust (Feb 2024) (bust in Feb 2024)")."""
    core = re.sub(r"\s*\([^)]*\)", "", shock).strip().lower()
    return bool(core) and re.search(rf"\b{re.escape(core)}\b", arm_label.lower()) is not None


def _data_span(axes: list[plt.Axes], arms: list[Arm]) -> tuple[float, float]:
    """The first and last date (matplotlib date numbers) of the arms' months and of what is
    drawn on ``axes`` (a plot of yearly or quarterly points may reach past the months)."""
    spans = [ax.dataLim.intervalx for ax in axes]
    for arm in arms:
        months = np.asarray(arm.runs[0].metrics["month"], dtype=float)
        if len(months):
            spans.append(mdates.date2num(_dates(arm, np.array([months.min(), months.max()]))))
    ok = [(lo, hi) for lo, hi in spans if np.isfinite(lo) and np.isfinite(hi) and lo <= hi]
    if not ok:   # nothing at all: no span to fit
        return 0.0, float("inf")
    return min(lo for lo, _ in ok), max(hi for _, hi in ok)


def _finish_time(axes: list[plt.Axes], arms: list[Arm]) -> None:
    """Calendar years on the x-axis (months, from the month before the first date to the
    month after the last, for runs of a few months: one date alone spanned 2021-2025);
    shocks as numbered dotted lines, keyed above the plot."""
    marks = _shock_marks(arms)
    span = _data_span(axes, arms)
    short = span[1] - span[0] < SHORT_MONTHS * DAYS_PER_MONTH
    for ax in axes:
        if short:
            first, last = (pd.Timestamp(mdates.num2date(x)).tz_localize(None).to_period("M")
                           .to_timestamp() for x in span)
            ax.set_xlim(first - pd.DateOffset(months=1), last + pd.DateOffset(months=1))
            ax.xaxis.set_major_locator(mdates.MonthLocator())
            ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))
            ax.xaxis.set_minor_locator(ticker.NullLocator())
        else:
            step = 1   # nothing drawn: no span (_data_span) to fit
            if np.isfinite(span[1]):
                first, last = (pd.Timestamp(mdates.num2date(x)).tz_localize(None)
                               for x in span)
                step = year_tick_step(first, last)
            ax.xaxis.set_major_locator(mdates.YearLocator(base=step))
            ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
            # quarters between yearly ticks; years between ticks every few years
            ax.xaxis.set_minor_locator(mdates.MonthLocator(bymonth=(4, 7, 10)) if step == 1
                                       else mdates.YearLocator())
        ax.grid(alpha=0.3)
    key_dated_lines(axes, marks, size=KEY_SIZE, pad=KEY_PAD, margin=KEY_MARGIN)
    axes[-1].set_xlabel("date")


def _legend(ax: plt.Axes, series: list[tuple[str, str]], arms: list[Arm],
            loc: LegendLocType = "upper left", outside: bool = False) -> None:
    """Colour key (and line style per arm); ``outside`` puts it right of the axes."""
    handles = [Line2D([], [], color=c, lw=3, label=name) for name, c in series]
    if len(arms) > 1:
        handles += [Line2D([], [], color="#333333", lw=2, ls=_style(i),
                           label=wrapped(a.label) if outside else a.label)
                    for i, a in enumerate(arms)]
    if handles and outside:
        ax.legend(handles=handles, **KEY_OUTSIDE)
    elif handles:
        ax.legend(handles=handles, loc=loc, **KEY_STYLE)


# ---------------------------------------------------------------- plots


def plot_releases(arms: list[Arm]) -> Figure:
    """Cumulative model releases by kind, and in total."""
    fig, (ax,) = _figure("Models released (cumulative)")
    series = [(k, COLOURS[k]) for k in ("original", "shell", "assembled")]
    for i, arm in enumerate(arms):
        for kind, colour in series:
            _line(ax, arm, i, f"releases_{kind}_cum", colour)
        _line(ax, arm, i, "releases_total_cum", EXTRA["total"], lw=3.2)
    ax.set_ylabel("models released")
    from_zero(ax, whole=True)
    _legend(ax, [*series, ("all models", EXTRA["total"])], arms)
    _finish_time([ax], arms)
    return fig


def plot_builders(arms: list[Arm]) -> Figure:
    """Active startups, independent model builders, and startups that pivoted."""
    fig, (ax,) = _figure("Entry and shake-out: who still builds its own model?")
    # as the run's plot: builders black, every active startup orange (two oranges were
    # one colour to a reader)
    series = [("independent model builders", EXTRA["total"]),
              ("all active startups", COLOURS["startup"]),
              ("pivoted to a giant's model", EXTRA["pivoted"])]
    for i, arm in enumerate(arms):
        _line(ax, arm, i, "independent_builders", series[0][1], lw=3.2)
        _line(ax, arm, i, "startups_active", series[1][1])
        _line(ax, arm, i, "pivoted_startups", series[2][1])
    ax.set_ylabel("startups")
    from_zero(ax, whole=True)
    _legend(ax, series, arms)
    _finish_time([ax], arms)
    return fig


def plot_funding(arms: list[Arm]) -> Figure:
    """Hype index; money raised and rounds (and down rounds) per calendar quarter."""
    fig, (top, mid, bottom) = _figure("Hype and funding", rows=3)
    for i, arm in enumerate(arms):
        _line(top, arm, i, "hype_index", EXTRA["hype"])
        _block_line(mid, arm, i, "funding_raised_mcny", COLOURS["fund"])
        _block_line(bottom, arm, i, "funding_deals", COLOURS["startup"])
        _block_line(bottom, arm, i, "down_rounds", EXTRA["down"])
    top.set_ylabel("hype (1 = normal)")
    mid.set_ylabel("million CNY\nper quarter")
    bottom.set_ylabel("rounds\nper quarter")
    from_zero(mid)
    from_zero(bottom, whole=True)
    _legend(top, [("hype index", EXTRA["hype"])], arms, loc="upper right")
    if any(len(_blocks(arm, "funding_deals")[0]) for arm in arms):
        _legend(mid, [("money raised by startups", COLOURS["fund"])], [], loc="upper right")
        _legend(bottom, [("rounds closed", COLOURS["startup"]), ("down rounds", EXTRA["down"])],
                [], loc="upper right")
    else:
        for ax in (mid, bottom):
            _say_empty(ax, "no whole calendar quarter: these runs are shorter")
    _finish_time([top, mid, bottom], arms)
    return fig


def plot_compute(arms: list[Arm]) -> Figure:
    """GPUs owned by giants and startups and rented by startups; GPU and rental prices."""
    fig, (top, mid, bottom) = _figure("Compute: who holds the GPUs, and what they cost", rows=3)
    series = [("owned by giants", COLOURS["giant"]), ("owned by startups", COLOURS["startup"]),
              ("rented by startups", EXTRA["rented"])]
    for i, arm in enumerate(arms):
        _line(top, arm, i, "gpus_owned_giants", series[0][1], scale=1e-3)
        _line(top, arm, i, "gpus_owned_startups", series[1][1], scale=1e-3)
        _line(top, arm, i, "gpus_rented_startups", series[2][1], scale=1e-3)
        _line(mid, arm, i, "gpu_price_mcny", EXTRA["total"], scale=1e3)
        _line(bottom, arm, i, "rental_price_mcny", COLOURS["giant"],
              scale=CNY_PER_HOUR_PER_MCNY_MONTH)
    plain_log_axis(top, "thousand GPUs\n(A100-eq)")
    # room above the highest fleet: the giants' line ran along the panel's top edge
    top.set_ylim(0, max(1.0, top.dataLim.y1) * LOG_HEADROOM)
    mid.set_ylabel("GPU price,\nthousand CNY")
    bottom.set_ylabel("rent, CNY per\nGPU-hour")
    _legend(top, series, arms, outside=True)
    _legend(mid, [("GPU purchase price", EXTRA["total"])], [], loc="upper right")
    _legend(bottom, [("cloud rent (giants' clouds)", COLOURS["giant"])], [], loc="upper right")
    _finish_time([top, mid, bottom], arms)
    return fig


def plot_adoption(arms: list[Arm]) -> Figure:
    """Share of buyers with a live contract or subscription, by segment (a segment with no
    buyers in any run has no adoption, no line and no legend entry), on a scale from 0%
    reaching at least ``MIN_ADOPTION_TOP``, as the run's adoption plot."""
    fig, (ax,) = _figure("Enterprise adoption by buyer segment")
    present = [seg for seg in SEGMENTS if _has_values(arms, f"adoption_{seg}")]
    for i, arm in enumerate(arms):
        for seg in present:
            _line(ax, arm, i, f"adoption_{seg}", COLOURS[seg], scale=100)
    ax.set_ylabel("buyers adopting, %")
    from_zero(ax, MIN_ADOPTION_TOP)
    if present:
        _legend(ax, [(SEGMENT_LABELS[seg], COLOURS[seg]) for seg in present], arms)
    else:
        _say_empty(ax, "no buyer in these runs")
    _finish_time([ax], arms)
    return fig


def plot_concentration(arms: list[Arm]) -> Figure:
    """Giants' share of enterprise revenue and the HHI; the MaaS API price index."""
    fig, (top, bottom) = _figure("Concentration and API prices", rows=2)
    for i, arm in enumerate(arms):
        _line(top, arm, i, "giant_revenue_share", COLOURS["giant"], scale=100)
        _line(top, arm, i, "hhi_enterprise_revenue", EXTRA["total"], scale=100)
        _line(bottom, arm, i, "maas_price_index", COLOURS["giant"])
    top.set_ylim(0, PERCENT_TOP)
    top.set_ylabel("share, %\n(HHI x 100)")
    plain_log_axis(bottom, "API price index\n(first month = 100)", with_zero=False)
    drawn = [(name, colour) for name, colour, column in (
        ("giants' share of enterprise revenue", COLOURS["giant"], "giant_revenue_share"),
        ("HHI x 100 (concentration)", EXTRA["total"], "hhi_enterprise_revenue"))
        if _has_values(arms, column)]
    if drawn:
        _legend(top, drawn, arms, loc="lower left")
    else:   # shares of no revenue are undefined: nothing drawn
        _say_empty(top, "no enterprise revenue in these runs")
    _legend(bottom, [("average API price", COLOURS["giant"])], [] if drawn else arms,
            loc="upper right")
    _finish_time([top, bottom], arms)
    return fig


def _purchases_per_year(arm: Arm, actor_type: str) -> tuple[np.ndarray, np.ndarray]:
    """(the model month each year is dated at, data purchases per year, one row per run).
    A year is dated at the middle of the months the run covers of it: a final year the run
    only began (a 4-month run's first) sat at its calendar middle, past the run's end, and
    stretched the time axis there."""
    horizon = int(arm.runs[0].metrics["month"].max()) + 1
    years = np.arange((horizon + MONTHS_PER_YEAR - 1) // MONTHS_PER_YEAR)
    covered = np.minimum(MONTHS_PER_YEAR, horizon - years * MONTHS_PER_YEAR)
    middle = years * MONTHS_PER_YEAR + covered // 2
    rows = []
    for r in arm.runs:
        d = r.events[(r.events["kind"] == "data_purchase") & (r.events["actor_type"] == actor_type)]
        year = (d["month"] // MONTHS_PER_YEAR).astype(int)
        rows.append(np.bincount(year, minlength=len(years))[:len(years)])
    return middle, np.vstack(rows).astype(float)


def plot_data(arms: list[Arm]) -> Figure:
    """Mean data quality; data-quality purchases per year by giants and startups."""
    fig, axes = _figure("Data: quality and who pays for it", rows=2)
    top, bottom = axes
    for i, arm in enumerate(arms):
        _line(top, arm, i, "data_quality_mean", EXTRA["total"])
        for actor_type in ("giant", "startup"):
            middle, vals = _purchases_per_year(arm, actor_type)
            t = _dates(arm, middle)
            bottom.plot(t, vals.mean(axis=0), color=COLOURS[actor_type], ls=_style(i), lw=2.6,
                        marker="o", ms=7)
    top.set_ylabel("mean quality (0-1)")
    bottom.set_ylabel("purchases\nper year")
    from_zero(bottom, whole=True)
    _legend(top, [("mean data quality of firms in the market", EXTRA["total"])], arms,
            loc="lower right")
    _legend(bottom, [("bought by giants", COLOURS["giant"]),
                     ("bought by startups", COLOURS["startup"])], [], loc="upper left")
    _finish_time([top, bottom], arms)
    return fig


def _vertical_quarterly(arm: Arm) -> tuple[pd.DatetimeIndex, np.ndarray]:
    """Startups' share of vertical-domain contracts per calendar quarter, one row per run."""
    year, mon = (int(x) for x in arm.start_date.split("-")[:2])
    rows = []
    for r in arm.runs:
        c = r.events[(r.events["kind"] == "contract_signed") & (r.events["domain"] != "general")]
        calendar_month = year * 12 + (mon - 1) + (c["month"].to_numpy(float) // 1).astype(int)
        quarter = calendar_month // 3 * 3  # first calendar month of the quarter
        won = c["counterparty"].astype(str).str.startswith("startup:").to_numpy(bool)
        rows.append(pd.Series(won, index=quarter, dtype=float).groupby(level=0).mean())
    index = sorted(set().union(*(s.index for s in rows))) if rows else []
    if not index:
        return pd.DatetimeIndex([]), np.zeros((len(arm.runs), 0))
    dates = pd.DatetimeIndex([pd.Timestamp(year=q // 12, month=q % 12 + 1, day=1) for q in index])
    return dates, np.vstack([s.reindex(index).to_numpy(float) for s in rows])


def plot_vertical(arms: list[Arm]) -> Figure:
    """Startups' share of the contracts signed in vertical domains, per quarter."""
    fig, (ax,) = _figure("Who lands first in the vertical domains?")
    for i, arm in enumerate(arms):
        t, vals = _vertical_quarterly(arm)
        if vals.size == 0:
            continue
        mean, low, high = _nan_stats(vals)
        ax.plot(t, 100 * mean, color=COLOURS["startup"], ls=_style(i), lw=2.8, marker="o", ms=5)
        if vals.shape[0] > 1:
            ax.fill_between(t, 100 * low, 100 * high,
                            color=COLOURS["startup"], alpha=0.15, lw=0)
    ax.axhline(50, color="#888888", lw=1)
    ax.set_ylim(0, 100)
    ax.set_ylabel("% of new vertical\ncontracts won by startups")
    if any(line.get_marker() == "o" for line in ax.get_lines()):
        _legend(ax, [("startups (the rest go to giants)", COLOURS["startup"])], arms,
                loc="lower right")
    else:
        _say_empty(ax, "no contract signed in a vertical domain in these runs")
    _finish_time([ax], arms)
    return fig


def _kind_counts(arm: Arm) -> tuple[np.ndarray, np.ndarray]:
    kinds = ("original", "shell", "assembled")
    releases, survival = [], []
    for r in arm.runs:
        e = r.events
        rel = e[(e["kind"] == "model_release") & (e["actor_type"] == "startup")]
        releases.append([(rel["model_kind"] == k).sum() for k in kinds])
        founded = e[e["kind"] == "founded"]
        ended = set(e.loc[e["kind"].isin(["bankrupt", "acquired"]), "actor"])
        row = []
        for k in kinds:
            ids = set(founded.loc[founded["model_kind"] == k, "actor"])
            row.append(100 * len(ids - ended) / len(ids) if ids else np.nan)
        survival.append(row)
    return np.asarray(releases, float).mean(axis=0), _nan_stats(np.asarray(survival, float))[0]


def plot_kinds(arms: list[Arm]) -> Figure:
    """Startup releases by model kind, and the share of each kind still in business."""
    kinds = ("original", "shell", "assembled")
    with plt.rc_context(REPORT_STYLE):
        fig, (left, right) = plt.subplots(1, 2, figsize=(WIDTH_IN, 5.4), layout="constrained")
    fig.suptitle("Originals, shells and assembled models", fontsize=20, fontweight="bold")
    width = 0.8 / len(arms)
    x = np.arange(len(kinds))
    hatches = ("", "//", "..", "xx")
    for i, arm in enumerate(arms):
        releases, survival = _kind_counts(arm)
        pos = x - 0.4 + width * (i + 0.5)
        for ax, vals in ((left, releases), (right, survival)):
            ax.bar(pos, vals, width=width * 0.95, color=[COLOURS[k] for k in kinds],
                   hatch=hatches[i % len(hatches)], edgecolor="white", label=arm.label)
    for ax in (left, right):
        ax.set_xticks(x, kinds)
        ax.grid(alpha=0.3, axis="y")
    left.set_title("startup models released", fontsize=PANEL_TITLE_SIZE)
    left.set_ylabel("models (mean per run)")
    right.set_title("founded as each kind: still in business at the end", fontsize=PANEL_TITLE_SIZE)
    right.set_ylabel("% of startups of that kind")
    right.set_ylim(0, 100)
    if len(arms) > 1:
        handles = [plt.Rectangle((0, 0), 1, 1, facecolor="#999999", hatch=hatches[i % 4],
                                 edgecolor="white", label=a.label) for i, a in enumerate(arms)]
        fig.legend(handles=handles, loc="outside lower center", ncols=len(arms),
                   fontsize=LEGEND_SIZE)
    return fig


def plot_fund_returns(arms: list[Arm]) -> Figure:
    """Per arm, every fund against its term with the median per term: TVPI (what the LPs
    got back per CNY they paid in) and the gross multiple of what the fund invested (TVPI
    also counts the fees, which LPs pay in as the fund calls them)."""
    with plt.rc_context(REPORT_STYLE):
        fig, (net, gross) = plt.subplots(1, 2, figsize=(WIDTH_IN, 5.4), layout="constrained",
                                         sharex=True)
    fig.suptitle("Fund returns by fund term", fontsize=20, fontweight="bold")
    markers = ("o", "s", "^", "D")
    drawn = {"tvpi": False, "gross_multiple": False}
    for i, arm in enumerate(arms):
        funds = pd.concat([r.funds for r in arm.runs], ignore_index=True)
        for ax, column in ((net, "tvpi"), (gross, "gross_multiple")):
            done = funds.dropna(subset=[column])
            if done.empty:
                continue
            drawn[column] = True
            ax.scatter(done["term_years"], done[column], s=25, alpha=0.35,
                       color=COLOURS["fund"], marker=markers[i % len(markers)])
            med = done.groupby(done["term_years"].round())[column].median()
            ax.plot(med.index, med.values, color="#222222", ls=_style(i), lw=2.6,
                    marker=markers[i % len(markers)], ms=9, label=f"median: {arm.label}")
    any_fund = any(not r.funds.empty for a in arms for r in a.runs)
    for ax, label, column, none in (
            (net, "TVPI (value / paid in)", "tvpi", "no LP paid into a fund"),
            (gross, "gross multiple on invested", "gross_multiple", "no fund invested")):
        ax.set_xlabel("fund term, years")
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
        if not drawn[column]:   # bare 0-1 axes said nothing
            _say_empty(ax, f"{'no fund' if not any_fund else none}\nin these runs")
            if not any(drawn.values()):   # the panels share their x-axis
                ax.set_xticks([])
            continue
        ax.axhline(1.0, color="#888888", ls=":", lw=1.5)
    if net.get_legend_handles_labels()[0]:   # not when no arm had a fund
        net.legend(loc="best", fontsize=LEGEND_SIZE)
    return fig


def _funding_caption(arms: list[Arm]) -> str:
    return ("The hype index; money raised, rounds and down rounds per calendar quarter "
            "(Jan-Mar, Apr-Jun, ...; a quarter a run covers only in part, its first or "
            "last, is left out).")


REPORT_PLOTS: dict[str, ReportPlot] = {
    "releases": ReportPlot("Models released", plot_releases,
                           "Cumulative releases by kind of model (colour); the black line is "
                           "all models."),
    "builders": ReportPlot("Entry and shake-out", plot_builders,
                           "Startups still building their own model (thick), all active "
                           "startups, and those that pivoted onto a giant's model."),
    "funding": ReportPlot("Hype and funding", plot_funding, _funding_caption),
    "compute": ReportPlot("Compute", plot_compute,
                          "GPUs held by giants and startups (log scale), the GPU price and the "
                          "cloud rent."),
    "adoption": ReportPlot("Adoption", plot_adoption,
                           "Share of enterprise buyers in each segment with a live contract or "
                           "subscription."),
    "concentration": ReportPlot("Concentration and prices", plot_concentration,
                                "Giants' share of enterprise revenue, the HHI, and the average "
                                "API price (log scale)."),
    "data": ReportPlot("Data", plot_data,
                       "Mean data quality of the firms in the market, and data-quality "
                       "purchases per year (a last year the runs only began: its months "
                       "so far)."),
    "vertical": ReportPlot("General vs vertical", plot_vertical,
                           "Of the contracts signed each quarter in vertical domains (finance, "
                           "healthcare, ...), the share won by startups."),
    "kinds": ReportPlot("Model kinds", plot_kinds,
                        "Startup models by kind, and the share of startups founded as each kind "
                        "that are still in business at the end (not bankrupt, not acquired; "
                        "a firm that pivoted onto a giant's model counts)."),
    "fund_returns": ReportPlot("Fund returns", plot_fund_returns,
                               "Each dot is a fund; lines are medians per fund term. Left: "
                               "TVPI; below the dotted line, LPs get back less than they paid "
                               "in (they pay in as their fund calls, for stakes and fees: a "
                               "fund with few deals paid in mostly fees). Right: exits and stakes "
                               "(still held, or passed to the LPs in kind at the close) per "
                               "CNY the fund invested (funds that invested nothing left "
                               "out)."),
}
DEFAULT_PLOTS = ("releases", "builders", "funding", "compute", "adoption", "concentration",
                 "fund_returns")
