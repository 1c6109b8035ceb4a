"""Plots of a sweep: key outcomes against each swept parameter, and fan charts over time.

Each function takes the aggregated tables and returns a ``Figure``.
"""

from __future__ import annotations

import json
import math
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from sim.config import SEGMENT_LABELS, field_metadata, fmt_number  # noqa: E402
from sim.plots import (  # noqa: E402
    STYLE,
    draw_band,
    file_stem,
    frame_dates,
    mark_few_points,
    renderer,
    save_all,
    wrap_to_width,
    write_note,
)
from sim.sweep.aggregate import PLOT_PREFIXES, SweepTables  # noqa: E402
from sim.sweep.outcomes import (  # noqa: E402
    KEY_OUTCOMES,
    KEY_SERIES,
    PARAM_PREFIX,
    series_values,
    setting_overrides,
)
from sim.sweep.sensitivity import NOISE_MULTIPLE, Sensitivity  # noqa: E402

#: Interval drawn around means and medians: the central 90% of replications.
LOW_Q, HIGH_Q = 0.05, 0.95
#: Inner band of a fan chart: the central 50%.
INNER_LOW_Q, INNER_HIGH_Q = 0.25, 0.75
PANEL_COLUMNS = 3
#: Line width (points) of a fan chart's bands when the sweep has a single month.
SINGLE_DATE_BAND_WIDTH = 14
#: Settings with no finished job named in a plot's title (the rest as "...").
MISSING_NAMED = 3
#: Room either side of a numeric swept parameter's range, as a share of it.
X_PAD = 0.05
#: A panel drawn from 0 ends this share above its highest point or band.
FROM_ZERO_HEADROOM = 0.08
#: Most swept values of a numeric parameter ticked each on the x axis (more: automatic ticks,
#: whole numbers for a whole-number parameter).
MOST_VALUE_TICKS = 8
#: Longest label of a non-numeric swept value (tick, legend, title); longer ones are cut.
LABEL_CHARS = 32
#: Width (in categories) the points of one category spread over, one per line of others.
DODGE = 0.4
#: Room kept above the panels for the figure title (inches).
TITLE_SPACE = 0.6
#: A 90% interval drawn as a bar (a category's, or a numeric setting alone): width
#: (points) and opacity.
INTERVAL_BAR_WIDTH = 6
INTERVAL_BAR_ALPHA = 0.35
#: Opacity of a 90% band over a numeric swept parameter.
BAND_ALPHA = 0.2
#: The key of the lines (one per combination of the other swept keys), drawn below the
#: panels: font size (points) and most columns side by side.
LEGEND_SIZE = 8
LEGEND_COLUMNS = 3
#: A fan chart's panel title (its setting): font size (points), most lines (the rest is
#: cut), and the share of its column's width kept free between neighbouring titles.
PANEL_TITLE_SIZE = 10
MAX_TITLE_LINES = 4
TITLE_MARGIN = 0.06


#: Okabe and Ito's colours, told apart by readers with any common colour-blindness (tab10's
#: orange and green, the second and third arm of a comparison, were one colour to a
#: protanope); yellow, the faintest on white, last.
DISTINCT_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9",
                    "#000000", "#F0E442")


def colours(n: int) -> list:
    """``n`` distinct colours (:data:`DISTINCT_COLOURS`, or viridis beyond them)."""
    if n <= len(DISTINCT_COLOURS):
        return list(DISTINCT_COLOURS[:n])
    cmap = plt.get_cmap("viridis")
    return [cmap(i / (n - 1)) for i in range(n)]


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


def design_outcomes(tables: SweepTables) -> list[str]:
    """Outcomes a design sweep plots: the design's own list, else the key outcomes present."""
    done = tables.complete
    named = [c for c in (tables.design or {}).get("outcomes", []) if c in done.columns]
    return named or [c for c in KEY_OUTCOMES if c in done.columns]


def plot_design_scatter(tables: SweepTables, key: str) -> Figure:
    """A design sweep's outcomes against varied parameter ``key``: one dot per finished job.

    The other parameters vary at the same time, so the cloud's slope shows the
    parameter's main effect and its spread everything else.
    """
    done = tables.complete
    outcomes = design_outcomes(tables)
    column = f"{PARAM_PREFIX}{key}"
    design = tables.design
    assert design is not None, "plot_design_scatter needs a design sweep's tables"
    fig, axes = _grid(len(outcomes), f"Outcomes against {key} ({design['kind']} design; "
                      f"{len(done)} of {len(tables.jobs)} jobs finished)")
    x = done[column].to_numpy(dtype=float)
    for ax, outcome in zip(axes, outcomes, strict=True):
        y = pd.to_numeric(done[outcome], errors="coerce").to_numpy(dtype=float)
        ax.scatter(x, y, s=14, alpha=0.7, color=colours(1)[0])
        ax.set_title(KEY_OUTCOMES.get(outcome, outcome), fontsize=12)
        ax.set_xlabel(axis_label(key))
        ax.grid(alpha=0.3)
    fig.tight_layout(rect=(0, 0, 1, 1 - TITLE_SPACE / fig.get_figheight()))
    return fig


def plot_outcomes_vs_param(tables: SweepTables, key: str) -> Figure:
    """Every key outcome against swept parameter ``key``: mean and 90% interval over replications.

    With several swept parameters, one line per combination of the others, keyed below the
    panels (a key inside a panel covered its points). Non-numeric values (dates, lists)
    are categories: a point and its interval each, side by side, no line joining them,
    labelled in override syntax (cut in the middle when long), a list per buyer segment
    value by value with the segments' names. The x axis names the parameter's unit.
    """
    if tables.design:
        return plot_design_scatter(tables, key)
    done = tables.complete
    outcomes = [c for c in KEY_OUTCOMES if c in done.columns]
    column = f"{PARAM_PREFIX}{key}"
    others = [f"{PARAM_PREFIX}{k}" for k in tables.swept if k != key]
    every = tables.jobs[column]   # failed settings too: the axis shows where they were
    numeric = _is_numeric(every)
    positions = list(OrderedDict.fromkeys(every.tolist()))
    missing = [p for p in positions if p not in set(done[column].tolist())]
    told = f"{len(done)} of {len(every)} jobs finished"
    if missing:
        told += f"; none at {key}={_named(missing)}"
    fig, axes = _grid(len(outcomes), f"Key outcomes against {key} "
                      f"(mean and {round(100 * (HIGH_Q - LOW_Q))}% of replications; {told})")
    groups = list(done.groupby(others, sort=False)) if others else [((), done)]
    palette = colours(len(groups))
    for ax, outcome in zip(axes, outcomes, strict=True):
        ax.set_title(KEY_OUTCOMES[outcome], fontsize=12)
        ax.set_xlabel(axis_label(key))
        if done[outcome].isna().all():   # no fund, or one buyer: a bare -0.04..0.04 panel
            write_note(ax, "undefined in every finished job")
            continue
        for i, ((label, group), colour) in enumerate(zip(groups, palette, strict=True)):
            stats = group.groupby(column, sort=False)[outcome].agg(
                mean="mean", low=lambda s: s.quantile(LOW_Q), high=lambda s: s.quantile(HIGH_Q))
            stats = stats.reindex(positions).dropna(how="all")
            name = _legend(others, label)
            if numeric:
                x = stats.index.to_numpy(dtype=float)
                ax.plot(x, stats["mean"], marker="o", lw=2, color=colour, label=name)
                # one setting alone (the others failed) has no width to fill: a bar
                draw_band(ax, x, stats["low"], stats["high"], colour, BAND_ALPHA,
                          bar_alpha=INTERVAL_BAR_ALPHA, bar_width=INTERVAL_BAR_WIDTH)
                continue
            # categories: a point and its interval each, side by side, no line joining them
            dodge = (i - (len(groups) - 1) / 2) * DODGE / len(groups)
            x = np.array([positions.index(v) for v in stats.index], dtype=float) + dodge
            ax.vlines(x, stats["low"], stats["high"], color=colour, alpha=INTERVAL_BAR_ALPHA,
                      lw=INTERVAL_BAR_WIDTH)
            ax.plot(x, stats["mean"], marker="o", ls="none", color=colour, label=name)
        if (done[outcome].dropna() >= 0).all():
            # counts, money, shares and multiples from 0: a tight scale made a change of
            # half a point (the giants' share of GPU purchases, 0.991 to 0.999) fill a panel;
            # the top clear of the highest point or band (an outcome all 0: up to 1)
            highest = float(ax.dataLim.y1)
            ax.set_ylim(0, highest * (1 + FROM_ZERO_HEADROOM) if highest > 0 else 1.0)
        ax.grid(alpha=0.3)
        undefined = [p for p in positions if p not in missing
                     and done.loc[done[column] == p, outcome].isna().all()]
        if undefined:   # a setting whose every job has no value: no point, said so
            ax.text(0.02, 0.02, f"undefined at {key}={_named(undefined)}",
                    transform=ax.transAxes, fontsize=7, color="0.35", va="bottom")
        if numeric:
            _value_ticks(ax, positions)
        if numeric and len(positions) > 1:
            low, high = min(positions), max(positions)
            ax.set_xlim(low - X_PAD * (high - low), high + X_PAD * (high - low))
        if not numeric:
            ax.set_xlim(-0.5, len(positions) - 0.5)
            per_item = bool(list_items(key))
            ax.set_xticks(range(len(positions)), tick_labels(positions, key),
                          rotation=0 if per_item else 20, fontsize=8,
                          ha="center" if per_item else "right")
    legend_height = _key_below(fig, axes, others) if others else 0.0
    height = fig.get_figheight()
    fig.tight_layout(rect=(0, legend_height / height, 1, 1 - TITLE_SPACE / height))
    return fig


def _named(values: list[Any]) -> str:
    """Swept values as a plot names them: the first :data:`MISSING_NAMED`, each cut to
    :data:`LABEL_CHARS`, and "..." for the rest."""
    named = ", ".join(cut(shown(v)) for v in values[:MISSING_NAMED])
    return named + (", ..." if len(values) > MISSING_NAMED else "")


def _value_ticks(ax: plt.Axes, positions: list[Any]) -> None:
    """Tick a numeric parameter's swept values, when few; else let matplotlib choose, in
    whole numbers for a whole-number parameter (buyers.count=1,3 was ticked 1.25, 1.5)."""
    values = sorted(float(p) for p in positions)
    if len(values) <= MOST_VALUE_TICKS:
        ax.set_xticks(values, [fmt_number(v) for v in values])
    elif all(v.is_integer() for v in values):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def _key_below(fig: Figure, axes: list[plt.Axes], others: list[str]) -> float:
    """The key of the lines (their labels: the other swept keys' values) below the panels,
    where it covers none of them; a list per segment's key says the segments' order. The
    figure grows by the key's height (inches), which is returned."""
    handles, labels = next((ax.get_legend_handles_labels() for ax in axes if ax.get_lines()),
                           ([], []))
    if not handles:   # every panel undefined: no line to key
        return 0.0
    orders = {list_items(k[len(PARAM_PREFIX):]) for k in others} - {()}
    title = "; ".join(f"lists per segment: {', '.join(SEGMENT_LABELS.get(s, s) for s in o)}"
                      for o in sorted(orders))
    legend = fig.legend(handles, labels, loc="lower center", bbox_to_anchor=(0.5, 0),
                        ncol=min(len(labels), LEGEND_COLUMNS), fontsize=LEGEND_SIZE,
                        title=title or None, title_fontsize=LEGEND_SIZE, frameon=False)
    box = legend.get_window_extent(renderer(fig))
    grown = box.height / fig.dpi
    fig.set_figheight(fig.get_figheight() + grown)
    return grown


def list_items(key: str) -> tuple[str, ...]:
    """What each element of list parameter ``key`` stands for, in order (the buyer
    segments, :data:`~sim.config.SEGMENTS`); () for any other parameter."""
    return tuple(field_metadata(key).get("per", ()))


def axis_label(key: str) -> str:
    """Swept parameter ``key`` with its unit from the schema: ``funds.term_years (years)``;
    a list per segment says so (its ticks name the segments)."""
    unit = field_metadata(key).get("unit", "")
    if list_items(key):
        unit = f"{unit}, per buyer segment" if unit else "per buyer segment"
    return f"{key} ({unit})" if unit else key


def shown(value: object) -> str:
    """A swept value as a reader would write it: 3, not 3.0; a list or mapping (JSON in the
    sweep tables) in the override syntax, without quotes: ``[{month: 4.5, label: early}]``."""
    if isinstance(value, float):
        return f"{value:g}"
    text = str(value)
    try:
        parsed = json.loads(text)
    except ValueError:
        return text
    return _flow(parsed) if isinstance(parsed, list | dict) else text


def _flow(value: object) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    return value if isinstance(value, str) else json.dumps(value)


def cut(text: str, chars: int = LABEL_CHARS) -> str:
    """``text`` in at most ``chars`` characters, cut in the middle (both ends tell values
    apart: a list's first and last items)."""
    if len(text) <= chars:
        return text
    head = (chars - 1) // 2
    return f"{text[:head]}…{text[len(text) - (chars - 1 - head):]}"


def tick_labels(values: list[object], key: str = "") -> list[str]:
    """Short readable labels of non-numeric swept values, numbered if cutting made two the
    same; the values of a list per segment of ``key`` one per line, each with its
    segment's name ("gov/SOE 0.55")."""
    items = list_items(key)
    named = [_per_item(items, v) for v in values] if items else []
    if named and all(named):
        return named
    labels = [cut(shown(v)) for v in values]
    if len(set(labels)) < len(labels):
        labels = [f"{i + 1}: {cut(shown(v), LABEL_CHARS - len(f'{i + 1}: '))}"
                  for i, v in enumerate(values)]
    return labels


def _per_item(items: tuple[str, ...], value: object) -> str:
    """``value`` (a swept list, JSON in the sweep tables) one element a line, each after
    the name of what it stands for; "" unless it is a list of numbers, one per item."""
    try:
        parsed = json.loads(str(value))
    except ValueError:
        return ""
    if not isinstance(parsed, list) or len(parsed) != len(items) or not all(
            isinstance(x, int | float) and not isinstance(x, bool) for x in parsed):
        return ""
    return "\n".join(f"{SEGMENT_LABELS.get(item, item)} {x:g}"
                     for item, x in zip(items, parsed, strict=True))


def _legend(others: list[str], label: object) -> str | None:
    if not others:
        return None
    values = label if isinstance(label, tuple) else (label,)
    return ", ".join(f"{k[len(PARAM_PREFIX):]}={cut(shown(v))}"
                     for k, v in zip(others, values, strict=True))


def plot_fan(tables: SweepTables, metric: str) -> Figure:
    """Monthly ``metric``, one panel per setting (shared axes): median, central 50% and 90%.

    A design sweep (hundreds of settings) gets one panel over all its jobs: the band
    the varied parameters and the seeds span together.
    """
    m = series_values(tables.metrics, metric)
    if tables.design:
        m = m.assign(setting=f"all {tables.design['kind']} design points")
    settings = list(OrderedDict.fromkeys(m["setting"].tolist()))
    label = KEY_SERIES.get(metric, metric)
    of = "jobs (design points x replications)" if tables.design else "replications"
    fig, axes = _grid(len(settings), f"{label}: median and "
                      f"{round(100 * (INNER_HIGH_Q - INNER_LOW_Q))}% / "
                      f"{round(100 * (HIGH_Q - LOW_Q))}% of {of}")
    low = high = None
    for ax, setting, colour in zip(axes, settings, colours(len(settings)), strict=True):
        data = m[m["setting"] == setting].pivot(index="date", columns="job", values=metric)
        t = pd.to_datetime(data.index)
        for (lo, hi), alpha in (((LOW_Q, HIGH_Q), 0.15), ((INNER_LOW_Q, INNER_HIGH_Q), 0.3)):
            draw_band(ax, t, data.quantile(lo, axis=1), data.quantile(hi, axis=1), colour,
                      alpha, bar_width=SINGLE_DATE_BAND_WIDTH)
        ax.plot(t, data.median(axis=1), color=colour, lw=2)
        mark_few_points(ax)
        frame_dates([ax], pd.Series(t))
        _panel_title(ax, setting_overrides(setting) or ["default"], f"(n={data.shape[1]})",
                     fig.bbox.width / min(PANEL_COLUMNS, len(settings)))
        ax.set_xlabel("date")
        ax.set_ylabel(label, fontsize=10)
        locator = mdates.AutoDateLocator(minticks=3, maxticks=8)   # maxticks=6 fails at 3-4 years
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        ax.grid(alpha=0.3)
        if not data.notna().any().any():
            write_note(ax, "undefined in every month of every job", axes=("y",))
            continue   # its empty scale is not the others'
        y0, y1 = ax.get_ylim()
        low = y0 if low is None else min(low, y0)
        high = y1 if high is None else max(high, y1)
    if low is not None and low < 0 <= m[metric].min():
        low = 0.0   # counts, money and shares: a scale below 0 (all 0: -0.04 to 0.04) misreads
    for ax in axes:   # one scale for every setting, so panels compare at a glance
        ax.set_ylim(low, high)
    fig.tight_layout(rect=(0, 0, 1, 1 - TITLE_SPACE / fig.get_figheight()))
    return fig


def _panel_title(ax: plt.Axes, parts: list[str], count: str, column: float) -> None:
    """``parts`` (a setting's overrides, :func:`~sim.sweep.outcomes.setting_overrides`),
    ", " between them, and ``count`` as the title of ``ax``, wrapped between overrides to
    its ``column`` (display pixels): a setting of many swept keys made one line running
    over its neighbours' titles and off the figure."""
    words = [f"{part}," for part in parts[:-1]] + parts[-1:]
    title = ax.set_title("", fontsize=PANEL_TITLE_SIZE)
    wrap_to_width(title, words, column * (1 - TITLE_MARGIN), max_lines=MAX_TITLE_LINES,
                  tail=count)


def _above_zero(index: pd.Series, half_width: pd.Series) -> np.ndarray:
    """Error bars of ``index`` +/- ``half_width`` cut at 0 below: mu* and Sobol indices are
    not negative, and a symmetric interval drawn below 0 read as a possible negative effect."""
    value = index.to_numpy(dtype=float)
    width = half_width.to_numpy(dtype=float)
    return np.vstack([np.clip(np.minimum(width, value), 0, None), width])


def plot_sensitivity(result: Sensitivity, outcome: str) -> Figure:
    """One outcome's parameters ranked by their index, with confidence intervals."""
    rows = result.table[result.table["outcome"] == outcome].sort_values("rank", ascending=False)
    label = KEY_OUTCOMES.get(outcome, outcome)
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(8, 1.2 + 0.38 * len(rows)))
    y = np.arange(len(rows))
    if result.method == "morris":
        ax.barh(y, rows["mu_star"], xerr=_above_zero(rows["mu_star"], rows["mu_star_conf"]),
                color=colours(1)[0], capsize=3, label="mu*")
        ax.plot(rows["sigma"], y, "kD", markersize=5, label="sigma")
        # a table aggregated before the noise was measured has no such column
        noise = (float(rows["noise_mu_star"].iloc[0])
                 if len(rows) and "noise_mu_star" in rows else math.nan)
        if math.isfinite(noise):
            ax.axvline(NOISE_MULTIPLE * noise, color="grey", ls="--", lw=1.2,
                       label=f"{NOISE_MULTIPLE:g} x seed noise's mu*")
        ax.set_xlabel(f"mu*: mean |elementary effect| per full range\nof the parameter, on "
                      f"{label}")
    else:
        ax.barh(y + 0.2, rows["ST"], height=0.4, xerr=_above_zero(rows["ST"], rows["ST_conf"]),
                capsize=3, color=colours(2)[0], label="ST (total)")
        ax.barh(y - 0.2, rows["S1"], height=0.4, xerr=_above_zero(rows["S1"], rows["S1_conf"]),
                capsize=3, color=colours(2)[1], label="S1 (first order)")
        ax.set_xlabel(f"Sobol index of {label}")
    ax.set_yticks(y, rows["parameter"].tolist(), fontsize=9)
    used = int(rows["points"].iloc[0]) if len(rows) else 0
    what = "trajectories" if result.method == "morris" else "points"
    ax.set_title(f"{label}: parameters ranked\n({result.method}, {used} {what}, "
                 f"{100 * result.confidence:.0f}% confidence intervals)", fontsize=11)
    ax.legend(fontsize=8, loc="lower right")
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    return fig


def plot_sensitivity_overview(result: Sensitivity) -> Figure:
    """Parameters (rows, overall rank) x outcomes: each outcome's index over its largest."""
    order = result.overall()["parameter"].tolist()
    pivot = result.table.pivot(index="parameter", columns="outcome", values="normalised")
    pivot = pivot.reindex(index=order, columns=result.table["outcome"].unique())
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(1.6 + 0.9 * pivot.shape[1], 1.4 + 0.38 * pivot.shape[0]))
    image = ax.imshow(pivot.to_numpy(dtype=float), cmap="viridis", vmin=0, vmax=1, aspect="auto")
    ax.set_yticks(range(len(order)), order, fontsize=9)
    ax.set_xticks(range(pivot.shape[1]), [KEY_OUTCOMES.get(c, c) for c in pivot.columns],
                  rotation=35, ha="right", fontsize=8)
    index = "mu*" if result.method == "morris" else "ST"
    ax.set_title(f"Which parameters matter ({result.method}): {index} / largest {index}",
                 fontsize=11)
    fig.colorbar(image, ax=ax, fraction=0.04)
    fig.tight_layout()
    return fig


Builders = dict[str, Callable[[], Figure]]
#: What :func:`shares` shares out by plot name.
Plot = TypeVar("Plot")


def sensitivity_plots(result: Sensitivity) -> Builders:
    """``sensitivity_overview`` and one ``sensitivity_<outcome>`` per analysed outcome."""
    builders: Builders = {}
    if result.table.empty:
        return builders
    builders["sensitivity_overview"] = partial(plot_sensitivity_overview, result)
    for outcome in OrderedDict.fromkeys(result.table["outcome"].tolist()):
        builders[f"sensitivity_{outcome}"] = partial(plot_sensitivity, result, outcome)
    return builders


def sweep_plots(tables: SweepTables) -> Builders:
    """Every sweep plot by file stem, as a builder: ``outcomes_vs_<key>`` and ``fan_<metric>``.

    Builders, not figures: a design over 18 parameters has dozens of plots, drawn
    and saved one at a time.
    """
    builders: Builders = {}
    for key in tables.swept:
        builders[f"outcomes_vs_{key}"] = partial(plot_outcomes_vs_param, tables, key)
    for metric in KEY_SERIES:
        if metric in tables.metrics.columns:
            builders[f"fan_{metric}"] = partial(plot_fan, tables, metric)
    return builders


#: How much drawing each kind of sweep plot costs, roughly, against a fan chart (a plot of
#: outcomes against a swept key draws a panel per key outcome): the weights that share the
#: plots out among the sweep's workers. Measured drawn and saved: 3.5-4 fan charts at the
#: default 120 months (hype_bust, 25 jobs: 2.3 against 0.6 s); fan charts of short runs
#: cost less (7 at 12 months, 10 at 14). Until 2026-12-07 it was 10, and hype_bust's two
#: workers drew its one such plot (2.3 s) beside ten fan charts (6 s) on the other.
DRAWING_COST = {"outcomes_vs_": 4, "sensitivity_overview": 2}


#: The kind of plot :func:`plot_kind` names a fan chart.
FAN_KIND = "fan_"


def plot_kind(name: str) -> str:
    """The kind of the sweep plot ``name``: ``sensitivity_overview``, else its prefix
    (``outcomes_vs_``, ``fan_``, ``sensitivity_``), else the name itself."""
    if name == "sensitivity_overview":
        return name
    return next((prefix for prefix in PLOT_PREFIXES if name.startswith(prefix)), name)


def drawing_cost(name: str) -> int:
    """:data:`DRAWING_COST` of the plot ``name`` (1 for a plot of none of its kinds)."""
    return next((cost for kind, cost in DRAWING_COST.items() if name.startswith(kind)), 1)


def shares(plots: dict[str, Plot], parts: int) -> list[dict[str, Plot]]:
    """``plots`` (builders, or anything else by plot name) in ``parts`` groups of about equal
    drawing cost (the dearest plot first into the cheapest group), each group in the plots'
    own order; empty groups left out."""
    groups: list[list[str]] = [[] for _ in range(parts)]
    load = [0] * parts
    for name in sorted(plots, key=drawing_cost, reverse=True):
        cheapest = load.index(min(load))
        groups[cheapest].append(name)
        load[cheapest] += drawing_cost(name)
    order = list(plots)
    return [{n: plots[n] for n in sorted(g, key=order.index)} for g in groups if g]


def save_plots(builders: Builders, directory: Path,
               pool: ProcessPoolExecutor | None = None) -> list[Path]:
    """Draw, save and close each plot; return the paths, in the builders' order. With
    ``pool`` (the sweep's workers, idle once its jobs are done) the plots are shared out
    among its workers and this process (:func:`shares`): a small sweep's eleven plots took
    longer than its jobs, one after another. The files are the same either way."""
    if pool is None or len(builders) < 2:
        paths: list[Path] = []
        for name, build in builders.items():
            paths += save_all({name: build()}, directory)
        return paths
    workers = getattr(pool, "_max_workers", 1)
    groups = shares(builders, max(workers, 2))
    here = groups.pop(0) if workers < 2 else {}   # one worker: this process draws too
    futures = [pool.submit(save_plots, group, directory) for group in groups]
    drawn = save_plots(here, directory) if here else []
    for future in futures:
        drawn += future.result()
    by_name = {path.stem: path for path in drawn}
    return [by_name[file_stem(name)] for name in builders]
