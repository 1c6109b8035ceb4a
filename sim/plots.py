"""Outcome plots of one run. Each function takes tables and returns a ``Figure``.

Large fonts for classrooms, calendar dates on the x-axis, shocks marked on
the time axis, one colour per actor type. matplotlib is imported here only.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.artist import Artist  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg  # noqa: E402
from matplotlib.figure import Figure, SubFigure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.text import Text  # noqa: E402
from matplotlib.ticker import Formatter, FuncFormatter, MaxNLocator  # noqa: E402
from matplotlib.transforms import Bbox, ScaledTranslation  # noqa: E402

from sim.config import SEGMENT_LABELS, SEGMENTS  # noqa: E402
from sim.markets.compute import CNY_PER_HOUR_PER_MCNY_MONTH, DAYS_PER_MONTH  # noqa: E402
from sim.teaching.calendar import month_label  # noqa: E402

if TYPE_CHECKING:
    from matplotlib.typing import LegendLocType, RcKeyType

COLOURS = {
    "giant": "#1f4e79",
    "startup": "#e07b00",
    "fund": "#5b8c2a",
    "buyer": "#8e44ad",
    "original": "#1f4e79",
    "shell": "#e07b00",
    "assembled": "#b03a2e",
    "gov_soe": "#b03a2e",
    "large_digital": "#1f4e79",
    "traditional": "#7f8c8d",
    "sme": "#e07b00",
}
#: rcParams for ``plt.rc_context``; typed by key so a misspelt rcParam fails type checking.
STYLE: dict[RcKeyType, int] = {"font.size": 13, "axes.titlesize": 15, "axes.labelsize": 13,
                               "legend.fontsize": 11}
#: A series with at most this many values gets a marker on each (mark_few_points).
FEW_POINTS = 6
#: Room either side of the only date of a one-month run (frame_single_date).
ONE_DATE_MARGIN = pd.Timedelta(days=45)
#: Width of a quarter's bar (days), drawn from the quarter's first day: a bar centred on
#: that day stood mostly in the quarter before, its last month outside it.
QUARTER_BAR_DAYS = 80
MONTHS_PER_QUARTER = 3
#: How a quarter only partly in the run (the first and last) is drawn, and said.
PARTIAL_HATCH = "//"
PARTIAL_LABEL = "quarter partly outside the run (fewer months)"
#: Line styles that tell arms (settings) apart where colour says what a line is (the
#: report), or besides colour (overlays: a later arm's dashes show an earlier arm's line
#: through where the two coincide).
ARM_STYLES = ("-", "--", ":", "-.")
#: Top of a scale of shares (0-1): a little above 1, so a line at 1 is not on the frame.
SHARE_TOP = 1.05
#: Least top of the adoption plot's scale, percent of buyers.
MIN_ADOPTION_TOP = 1.0
#: Least top of a scale of counts or money from 0 (from_zero): one of what it counts, a
#: firm, a round, a million CNY; an all-zero series otherwise got a scale of 0 to 0.04.
MIN_COUNT_TOP = 1.0
#: A time axis spanning at least this long is ticked by year, a shorter one by month.
YEAR_TICKS_FROM = pd.Timedelta(days=2 * 365)
#: Most year ticks on a time axis: a ten-year run keeps one a year (11); a longer one is
#: ticked every few years (YEAR_TICK_STEPS), as fifty labels a year apart ran together.
MAX_YEAR_TICKS = 12
#: Years between ticks, the first that keeps an axis within MAX_YEAR_TICKS.
YEAR_TICK_STEPS = (1, 2, 5, 10, 20, 50, 100)


def arm_style(i: int) -> str:
    """The line style of the ``i``-th arm (:data:`ARM_STYLES`, cycled)."""
    return ARM_STYLES[i % len(ARM_STYLES)]


def _dates(metrics: pd.DataFrame) -> pd.Series:
    return pd.to_datetime(metrics["date"])


def _month_to_date(metrics: pd.DataFrame, month: float) -> pd.Timestamp:
    start = pd.to_datetime(metrics["date"].iloc[0])
    return start + pd.Timedelta(days=DAYS_PER_MONTH * month)


def _shock_marks(metrics: pd.DataFrame, events: pd.DataFrame) -> list[tuple[pd.Timestamp, str]]:
    """(date, key text) of the run's shocks but open-source releases, each with its month."""
    shocks = events[(events["kind"] == "shock") & (events["reason"] != "open_source")]
    start = pd.Timestamp(metrics["date"].iloc[0]).strftime("%Y-%m") if len(metrics) else ""
    return sorted((_month_to_date(metrics, float(month)),
                   dated_label(str(label), float(month), start) if start else str(label))
                  for month, label in zip(shocks["month"], shocks["label"], strict=True))


def dated_label(label: str, month: float, start: str) -> str:
    """``label`` with the calendar month it falls in on a run starting in ``start``; a label
    that carries a date of its own keeps it, and gets this run's where that differs
    ("Export controls (Oct 2023) at Apr 2024" on a run starting in June 2023)."""
    when = month_label(month, start)
    if when in label:
        return label
    if re.search(r"\b(19|20)\d\d\b", label):  # the label carries another date
        return f"{label} at {when}"
    return f"{label} ({when})"


#: The dotted lines of dated events (shocks, export controls) across time panels.
DATED_LINE_COLOUR = "#555555"
DATED_LINE_STYLE = (0, (2, 3))
DATED_LINE_WIDTH = 1.4
#: Their key: "dotted lines:", then each line's number and text, this far apart.
DATED_KEY_GAP = "   "
#: Between two rows of the lines' numbers above a panel (points).
DATED_ROW_GAP = 2
POINTS_PER_INCH = 72
#: Height of a line of the key, in its font size.
DATED_LINE_SPACING = 1.3


#: Least room between two numbers of dated lines in one row above a panel (ems of their
#: size); a number closer to the one before moves up a row.
DATED_NUMBER_GAP_EM = 2.0


def _number_rows(ax: plt.Axes, dates: list[pd.Timestamp], size: float) -> list[int]:
    """The row (0: lowest) of each of ``dates``' numbers above ``ax`` (dates in order): a
    number less than :data:`DATED_NUMBER_GAP_EM` from the last one in a row goes to the
    next row up. Side by side, shocks a month apart read "12" (shock twelve), and three
    shocks in a fifty-year run one blob, "123"."""
    fig = ax.get_figure()
    assert fig is not None
    x0, x1 = ax.get_xlim()
    width_pt = ax.bbox.width / fig.dpi * POINTS_PER_INCH   # before the layout: near enough
    gap = DATED_NUMBER_GAP_EM * size
    last: list[float] = []   # the last number's place (points) in each row
    rows = []
    for when in dates:
        x = (float(mdates.date2num(when)) - x0) / (x1 - x0) * width_pt if x1 > x0 else 0.0
        row = next((r for r, at in enumerate(last) if x - at >= gap), len(last))
        if row == len(last):
            last.append(x)
        last[row] = x
        rows.append(row)
    return rows


def _fitted(text: Text, entry: str, room: float) -> str:
    """``entry`` of a key, cut in its label with :data:`ELLIPSIS` to fit ``room`` (display
    pixels) as ``text`` draws it, its date in brackets kept: a label wider than the figure
    ran off its edge (a report's figure) or widened it (a run's)."""
    fig = text.get_figure()
    assert fig is not None
    agg = renderer(fig)

    def width(candidate: str) -> float:
        text.set_text(candidate)
        return float(text.get_window_extent(agg).width)

    if width(entry) <= room:
        return entry
    dated = re.search(r" \([A-Z][a-z]{2} \d{4}\)$", entry)
    tail = dated.group(0) if dated else ""
    body = entry[:len(entry) - len(tail)]
    low, high = 0, len(body)
    while low < high:   # the longest start of the body that fits with the ellipsis
        mid = (low + high + 1) // 2
        if width(body[:mid].rstrip() + ELLIPSIS + tail) <= room:
            low = mid
        else:
            high = mid - 1
    return body[:low].rstrip() + ELLIPSIS + tail


def key_dated_lines(axes: list[plt.Axes], marks: list[tuple[pd.Timestamp, str]], size: float,
                    pad: float, margin: float) -> None:
    """Each of ``marks`` (date, text; in date order) as a dotted line across every one of
    ``axes``, numbered above the first (numbers close together in rows,
    :func:`_number_rows`), and a key of the numbers above those, wrapped to the figure's
    width less ``margin`` (a share of it), an entry too wide alone cut (:func:`_fitted`):
    ``size`` points, ``pad`` points above the numbers' lowest row. Labels written beside
    the lines ran into each other and into the data when two dates were close (ChatGPT
    and GPT-4, three months apart)."""
    if not marks:
        return
    top = axes[0]
    rows = _number_rows(top, [when for when, _text in marks], size)
    step = size + DATED_ROW_GAP
    for ax in axes:
        for k, ((when, _text), row) in enumerate(zip(marks, rows, strict=True), 1):
            ax.axvline(when, color=DATED_LINE_COLOUR, ls=DATED_LINE_STYLE, lw=DATED_LINE_WIDTH)
            if ax is top:
                ax.annotate(str(k), (when, 1.0), xycoords=("data", "axes fraction"),
                            xytext=(0, 3 + row * step), textcoords="offset points",
                            ha="center", va="bottom", fontsize=size, fontweight="bold",
                            color="#333333")
    title = top.set_title("", loc="left", fontsize=size, color="#333333",
                          pad=pad + max(rows) * step)
    fig = top.get_figure()
    assert fig is not None
    room = fig.bbox.width * (1 - margin) - top.bbox.x0
    entries = [_fitted(title, f"{k}: {text}", room) for k, (_when, text) in enumerate(marks, 1)]
    wrap_to_width(title, ["dotted lines:", *entries], room, DATED_KEY_GAP)
    # the figure grows by the key's lines and rows past one each, so they take no height
    # from the panels (a one-panel plot under a four-line key kept a strip of its data)
    extra = title.get_text().count("\n") + max(rows)
    if isinstance(fig, Figure) and extra:
        fig.set_figheight(fig.get_figheight()
                          + extra * size * DATED_LINE_SPACING / POINTS_PER_INCH)


def mark_few_points(ax: plt.Axes) -> None:
    """Put a marker on each line of ``ax`` with at most ``FEW_POINTS`` finite values and none
    yet, and on its legend entry: a line through one point draws nothing (a one-month run),
    and a few points read better as the months they are. The entry is found by its label
    in any key of the figure (the twin of a panel may carry one key for both)."""
    fig = ax.get_figure()
    legends = [other.get_legend() for other in fig.axes] if fig is not None else []
    shown = {text.get_text(): handle for legend in legends if legend is not None
             for text, handle in zip(legend.get_texts(), legend.legend_handles, strict=True)}
    for line in ax.get_lines():
        y = np.asarray(line.get_ydata(), dtype=float)
        if line.get_marker() in ("None", "", None) and 0 < np.isfinite(y).sum() <= FEW_POINTS:
            for drawn in (line, shown.get(str(line.get_label()))):
                if isinstance(drawn, Line2D):
                    drawn.set_marker("o")
                    drawn.set_markersize(6)


def _timestamp(x: float) -> pd.Timestamp:
    """Matplotlib date number ``x`` as a timestamp without a time zone, as the runs' dates are."""
    return pd.Timestamp(mdates.num2date(x)).tz_localize(None)


def frame_single_date(axes: list[plt.Axes], dates: pd.Series) -> None:
    """When ``dates`` is one date, give the time axis ``ONE_DATE_MARGIN`` either side of it
    (and of whatever else is drawn, bars of a quarter): matplotlib spans four years around
    a single date, which leaves the point lost in blank years."""
    dates = pd.to_datetime(pd.Series(dates))
    if dates.nunique() != 1:
        return
    when = dates.iloc[0]
    low, high = when - ONE_DATE_MARGIN, when + ONE_DATE_MARGIN
    for ax in axes:
        x0, x1 = ax.dataLim.intervalx
        if np.isfinite(x0) and np.isfinite(x1) and x0 <= x1:
            low, high = min(low, _timestamp(x0)), max(high, _timestamp(x1))
    for ax in axes:
        # limits as dates, not day numbers: an axis with nothing dated on it (a series
        # undefined in its one month) takes its units from them, and ticked 19290 ... 19370
        ax.set_xlim(low, high)


def frame_dates(axes: list[plt.Axes], dates: pd.Series) -> None:
    """Span the time axis of each of ``axes`` over ``dates`` (every month of the runs),
    whatever is drawn on it; one date as :func:`frame_single_date` frames it. A series
    undefined in some months spanned only the others, and one undefined in every month
    drew nothing dated: its axis spanned matplotlib's default, the first day of 1970."""
    dates = pd.to_datetime(pd.Series(dates))
    if dates.nunique() == 1:
        frame_single_date(axes, dates)
        return
    for ax in axes:
        ax.set_xlim(dates.min(), dates.max())


def from_zero(ax: plt.Axes, least_top: float = MIN_COUNT_TOP, whole: bool = False) -> None:
    """Start the y scale of ``ax`` at 0 and reach at least ``least_top``; ``whole``: tick
    whole numbers only (counts). For counts, money and shares, which never go below 0:
    matplotlib put a series all 0 in the middle of a -0.04 to 0.04 scale, which read as
    negative counts, and a larger one a little below 0. Call it once all is drawn."""
    ax.set_ylim(0, max(ax.get_ylim()[1], least_top))
    if whole:
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))


def draw_band(ax: plt.Axes, t: pd.DatetimeIndex | np.ndarray, low: pd.Series | np.ndarray,
              high: pd.Series | np.ndarray, colour: str, alpha: float,
              bar_alpha: float | None = None, bar_width: float = 8) -> None:
    """A band from ``low`` to ``high`` over ``t`` (dates, or a swept parameter's values); over
    one date or value, which has no area to fill, a bar ``bar_width`` points wide at it
    (``bar_alpha``: its opacity, if not ``alpha``)."""
    if len(t) == 1:
        ax.vlines(t, low, high, color=colour, lw=bar_width,
                  alpha=alpha if bar_alpha is None else bar_alpha)
    else:
        ax.fill_between(t, low, high, color=colour, alpha=alpha, lw=0)


#: Heights (shares of the panel) a note may stand at, in the order tried: the middle, or,
#: where a twin's line crosses it, the first height the line crosses least.
NOTE_HEIGHTS = (0.5, 0.25, 0.75, 0.1, 0.9)


def write_note(ax: plt.Axes, text: str, axes: tuple[Literal["x", "y"], ...] = ("x", "y"),
               size: float = 12) -> Text:
    """Write ``text`` (font ``size``) across ``ax``, which shows nothing, on white over what
    crosses the panel (a shock's dotted line), clear of what a twin of ``ax`` draws
    (:func:`_clear_of_twins`), and hide the ticks and grid of ``axes``: the range
    matplotlib gives an empty axis (-0.04 to 0.04) reads as data. Returns the note."""
    note = ax.text(0.5, NOTE_HEIGHTS[0], text, transform=ax.transAxes, ha="center",
                   va="center", fontsize=size, color="#555555", wrap=True, zorder=5,
                   bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.9})
    for axis in axes:
        ax.grid(False, axis=axis)
        if axis == "x":
            ax.tick_params(axis="x", which="both", bottom=False, labelbottom=False)
        else:
            ax.tick_params(axis="y", which="both", left=False, labelleft=False)
    _clear_of_twins(ax, note)
    return note


def _clear_of_twins(ax: plt.Axes, note: Text) -> None:
    """Stand ``note`` on ``ax`` at the first of :data:`NOTE_HEIGHTS` where it hides the
    least (:func:`_covered`) of what the axes drawn in the same place show: the hype
    index, on the funding panel's right axis, ran through "nothing raised" in the
    middle. Without such axes the note stays where it is."""
    fig = ax.get_figure()
    assert fig is not None
    twins = [other for other in fig.axes
             if other is not ax and other.get_position().overlaps(ax.get_position())]
    if not twins:
        return
    agg = renderer(fig)
    for twin in twins:
        twin.get_xlim(), twin.get_ylim()  # settle autoscaled limits before measuring
    least: tuple[int, float] | None = None
    for height in NOTE_HEIGHTS:
        note.set_y(height)
        hidden = _covered(note.get_window_extent(agg), twins, [], agg)
        if least is None or hidden < least[0]:
            least = (hidden, height)
        if hidden == 0:
            break
    assert least is not None
    note.set_y(least[1])


#: What ends a text :func:`wrap_to_width` cut short.
ELLIPSIS = "…"


def renderer(fig: Figure | SubFigure) -> RendererAgg:
    """What draws ``fig`` (the plots draw with Agg): for measuring a text or key before
    the figure is laid out."""
    return cast(FigureCanvasAgg, fig.canvas).get_renderer()


def wrap_to_width(text: Text, words: list[str], room: float, gap: str = " ",
                  max_lines: int | None = None, tail: str = "") -> str:
    """``words``, then ``tail``, joined by ``gap`` into lines no wider than ``room`` (display
    pixels) as ``text`` draws them (a word wider alone keeps a line to itself); left on
    ``text`` and returned. Past ``max_lines`` lines the rest is cut: the last line ends in
    :data:`ELLIPSIS`, then ``tail`` (a panel's count of runs stays)."""
    fig = text.get_figure()
    assert fig is not None, "wrap_to_width measures a text drawn on a figure"
    agg = renderer(fig)

    def width(line: list[str]) -> float:
        text.set_text(gap.join(line))
        return float(text.get_window_extent(agg).width)

    lines: list[list[str]] = []
    for word in [*words, tail] if tail else words:
        if lines and width([*lines[-1], word]) <= room:
            lines[-1].append(word)
        else:
            lines.append([word])
    if max_lines is not None and len(lines) > max_lines:
        lines = lines[:max_lines]
        last = [w for w in lines[-1] if w != tail]
        end = [ELLIPSIS, tail] if tail else [ELLIPSIS]
        while len(last) > 1 and width([*last, *end]) > room:
            last.pop()
        lines[-1] = [*last, *end]
    wrapped = "\n".join(gap.join(line) for line in lines)
    text.set_text(wrapped)
    return wrapped


#: Where a key may stand inside its panel, in the order tried when none is asked for.
LEGEND_PLACES: tuple[LegendLocType, ...] = (
    "upper left", "upper right", "lower left", "lower right", "center left", "center right",
    "upper center", "lower center", "center")


def _crossing(box: Bbox, xy: np.ndarray) -> int:
    """How many segments of the polyline ``xy`` (display points, rows of x, y; a single
    point counts as itself) pass through ``box``: Liang-Barsky clipping of every segment
    at once, so a steep line between two months crosses a key it passes through."""
    xy = xy[np.isfinite(xy).all(axis=1)]
    if len(xy) < 2:  # a segment needs two ends
        return _inside(box, xy)
    start, step = xy[:-1], np.diff(xy, axis=0)
    enter, leave = np.zeros(len(step)), np.ones(len(step))
    missed = np.zeros(len(step), dtype=bool)
    for p, q in ((-step[:, 0], start[:, 0] - box.x0), (step[:, 0], box.x1 - start[:, 0]),
                 (-step[:, 1], start[:, 1] - box.y0), (step[:, 1], box.y1 - start[:, 1])):
        with np.errstate(divide="ignore", invalid="ignore"):
            t = q / p
        missed |= (p == 0) & (q < 0)
        enter = np.where(p < 0, np.maximum(enter, t), enter)
        leave = np.where(p > 0, np.minimum(leave, t), leave)
    return int((~missed & (enter <= leave)).sum())


def _inside(box: Bbox, xy: np.ndarray) -> int:
    """How many of the display points ``xy`` (rows of x, y) lie inside ``box``."""
    x, y = xy[:, 0], xy[:, 1]
    return int(((box.x0 < x) & (x < box.x1) & (box.y0 < y) & (y < box.y1)).sum())


def _covered(box: Bbox, axes: list[plt.Axes], others: list[Bbox], agg: RendererAgg) -> int:
    """How much of the panel's drawing a key at ``box`` would hide: the segments of lines
    through it and the dots inside it, plus each bar, text and other key it overlaps."""
    hidden = len([other for other in others if box.overlaps(other)])
    for ax in axes:
        for line in ax.get_lines():
            data = np.asarray(line.get_xydata(), dtype=float)
            hidden += _crossing(box, line.get_transform().transform(data))
        for dots in ax.collections:
            offsets = np.asarray(dots.get_offsets(), dtype=float).reshape(-1, 2)
            hidden += _inside(box, dots.get_offset_transform().transform(offsets))
        hidden += len([artist for artist in (*ax.patches, *ax.texts)
                       if artist.get_visible() and box.overlaps(artist.get_window_extent(agg))])
    return hidden


def place_legends(fig: Figure) -> int:
    """Move each key of ``fig`` to where it hides the least of its panel: the lines,
    dots, bars and labels of every axes drawn in the same place (a twin's too) and the
    keys already placed. A fixed corner suits one run and covers the data of another
    (the GPU price of the baseline ran through its key). The place each key was given
    is tried first and kept on a tie. A key set outside its panel stays there. Returns how
    much the keys still hide (0: nothing), for a caller that can move a key out of the
    panel instead."""
    if fig.get_layout_engine() is not None:
        fig.draw_without_rendering()  # the panels' places, as the layout leaves them
    agg = renderer(fig)
    placed: list[Bbox] = []
    left = 0
    for ax in fig.axes:
        legend = ax.get_legend()
        if legend is None:
            continue
        panel = ax.get_window_extent(agg)
        if not panel.contains(*legend.get_window_extent(agg).p0):
            continue
        here = [other for other in fig.axes
                if other.get_position().overlaps(ax.get_position())]
        for other in here:
            other.get_xlim(), other.get_ylim()  # settle autoscaled limits before measuring
        asked = legend.get_window_extent(agg)
        least = _covered(asked, here, placed, agg)
        if least > 0:   # a key that hides nothing keeps the place it was given, as given
            best: LegendLocType | tuple[float, float] | None = None
            for place in LEGEND_PLACES:
                legend.set_loc(place)
                hidden = _covered(legend.get_window_extent(agg), here, placed, agg)
                if hidden < least:
                    best, least = place, hidden
                if least == 0:
                    break
            if best is None:  # nowhere better: back where it was asked to stand
                x, y = ax.transAxes.inverted().transform((asked.x0, asked.y0))
                best = (float(x), float(y))
            legend.set_loc(best)
        placed.append(legend.get_window_extent(agg))
        left += least
    return left


#: A key right of its panel, its top at the panel's top.
KEY_RIGHT: dict[str, Any] = {"loc": "upper left", "bbox_to_anchor": (1.01, 1.0)}
#: Characters a line of a key right of its panel holds before its label breaks: a sweep's
#: settings (70 characters of overrides) took half the figure's width and squeezed the
#: panel until its year ticks ran together.
KEY_LINE_CHARS = 40


def wrapped(label: str, width: int = KEY_LINE_CHARS) -> str:
    """``label`` broken into lines of at most ``width`` characters after its ", " (one
    override of a setting's from the next), where it has them; a part longer than a line
    stays whole."""
    parts = label.split(", ")
    lines: list[str] = []
    line = ""
    for i, part in enumerate(parts):
        piece = part + ("," if i < len(parts) - 1 else "")
        if line and len(line) + 1 + len(piece) > width:
            lines.append(line)
            line = piece
        else:
            line = f"{line} {piece}" if line else piece
    lines.append(line)
    return "\n".join(lines)


def right_axis_reach(fig: Figure) -> float:
    """How far (points) the widest right-hand y axis of ``fig`` (a twin's ticks, their
    labels and its label) reaches past the right edge of its panel; 0 when no panel has
    one. Measured as ``fig`` is laid out now."""
    agg = renderer(fig)
    reach = 0.0
    for ax in fig.axes:
        box = ax.yaxis.get_tightbbox(agg)
        if box is not None and ax.get_visible():
            reach = max(reach, box.x1 - ax.bbox.x1)
    return reach * POINTS_PER_INCH / fig.dpi


def keys_right_when_hiding(fig: Figure, **style: Any) -> None:
    """Place each key where it hides nothing (:func:`place_legends`) or, when no place in
    some panel is clear, every key still in its panel right of it (``style``: the keys'
    other settings, e.g. ``fontsize``), past the right-hand axis of any panel
    (:func:`right_axis_reach`), so the keys stand in one column clear of every twin's
    ticks and label: right of the panel's frame alone, a short run's key ran over the
    hype index's label and the rent's ticks."""
    if not place_legends(fig):
        return
    beyond = ScaledTranslation(right_axis_reach(fig) / POINTS_PER_INCH, 0,
                               fig.dpi_scale_trans)
    for ax in fig.axes:
        key = ax.get_legend()
        if key is not None and ax.get_window_extent().contains(
                *key.get_window_extent().p0):   # in its panel, as place_legends asks
            ax.legend(handles=key.legend_handles,
                      labels=[wrapped(t.get_text()) for t in key.get_texts()], **KEY_RIGHT,
                      bbox_transform=ax.transAxes + beyond, **style)


def shows_nothing(ax: plt.Axes) -> bool:
    """True if ``ax`` has no finite value on any line or scatter, and no bar."""
    if ax.patches:
        return False
    lines = (np.asarray(line.get_ydata(), dtype=float) for line in ax.get_lines())
    scattered = (np.asarray(c.get_offsets(), dtype=float) for c in ax.collections)
    return not any(np.isfinite(v).any() for v in (*lines, *scattered))


def year_tick_step(first: pd.Timestamp, last: pd.Timestamp) -> int:
    """Years between ticks on an axis from ``first`` to ``last``: 1, or the first of
    :data:`YEAR_TICK_STEPS` that keeps it within :data:`MAX_YEAR_TICKS` ticks."""
    years = last.year - first.year + 1
    return next((s for s in YEAR_TICK_STEPS if -(-years // s) <= MAX_YEAR_TICKS),
                YEAR_TICK_STEPS[-1])


def year_locator(first: pd.Timestamp, last: pd.Timestamp) -> mdates.YearLocator:
    """Ticks on whole years from ``first`` to ``last``, every :func:`year_tick_step` years."""
    return mdates.YearLocator(base=year_tick_step(first, last))


def _format_time(ax: plt.Axes, dates: pd.Series) -> None:
    """A calendar axis: ticks on years (:func:`year_locator`) over ``YEAR_TICKS_FROM`` or
    more, else months (years alone would leave a short run with one tick or none)."""
    dates = pd.to_datetime(dates)
    if dates.max() - dates.min() >= YEAR_TICKS_FROM:
        ax.xaxis.set_major_locator(year_locator(dates.min(), dates.max()))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    else:
        locator = mdates.AutoDateLocator(minticks=3, maxticks=8)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.grid(alpha=0.3)


#: What a time panel that shows nothing (:func:`shows_nothing`) says, unless told why.
UNDEFINED_IN_RUN = "undefined in every month of the run"


def _time_axes(fig: Figure, axes: list[plt.Axes], metrics: pd.DataFrame,
               events: pd.DataFrame, empty: dict[plt.Axes, str] | None = None) -> None:
    """Finish a figure of time axes ``axes`` (twin axes included through ``fig``): markers
    on short series, the range around a single month, calendar ticks, the shocks. A panel
    that shows nothing says so: ``empty``'s text for it where the plot knows why (nothing
    to draw as bars), else that its series are undefined."""
    for ax in fig.axes:
        mark_few_points(ax)
    frame_single_date(fig.axes, metrics["date"])
    for ax in axes:
        _format_time(ax, metrics["date"])
        if shows_nothing(ax):
            write_note(ax, (empty or {}).get(ax, UNDEFINED_IN_RUN), axes=("y",))
    key_dated_lines(axes, _shock_marks(metrics, events), size=DATED_KEY_SIZE,
                    pad=DATED_KEY_PAD, margin=DATED_KEY_MARGIN)
    # right of the panel when no place in it is clear: since 2026-12-07 the seed-42
    # baseline's releases cross every corner of theirs
    keys_right_when_hiding(fig)


#: The run plots' key of dated lines: its size and distance above the top panel (points),
#: and the share of the figure's width kept free right of it.
DATED_KEY_SIZE = 11
DATED_KEY_PAD = 18
DATED_KEY_MARGIN = 0.03


def _figure(title: str, rows: int = 1) -> tuple[Figure, list[plt.Axes]]:
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(rows, 1, figsize=(11, 4.2 * rows), sharex=True, squeeze=False,
                                 layout="constrained")
    fig.suptitle(title, fontsize=16)
    return fig, list(axes[:, 0])


def plot_entry_shakeout(metrics: pd.DataFrame, events: pd.DataFrame) -> Figure:
    """Cumulative releases by model kind; active startups and independent model builders."""
    fig, (top, bottom) = _figure("Entry burst and shake-out", rows=2)
    t = _dates(metrics)
    for kind in ("original", "shell", "assembled"):
        top.plot(t, metrics[f"releases_{kind}_cum"], label=kind, color=COLOURS[kind], lw=2)
    top.plot(t, metrics["releases_total_cum"], label="all releases", color="black", lw=2.5)
    top.set_ylabel("models released (cumulative)")
    top.legend(loc="upper left")
    bottom.plot(
        t, metrics["startups_active"], label="active startups", color=COLOURS["startup"], lw=2
    )
    bottom.plot(
        t,
        metrics["independent_builders"],
        label="independent model builders",
        color="black",
        lw=2.5,
    )
    bottom.plot(
        t, metrics["pivoted_startups"], label="pivoted to applications", color="grey", lw=2, ls="--"
    )
    bottom.set_ylabel("firms")
    bottom.set_xlabel("date")
    bottom.legend(loc="upper right")
    for ax in (top, bottom):
        from_zero(ax, whole=True)
    _time_axes(fig, [top, bottom], metrics, events)
    return fig


#: The funding plot's bar series, per panel: (metrics column, colour, key text).
RAISED_BARS = (("funding_raised_mcny", COLOURS["fund"], "raised (million CNY per quarter)"),)
ROUND_BARS = (("funding_deals", COLOURS["startup"], "rounds closed"),
              ("down_rounds", "#b03a2e", "down rounds"))


def plot_funding(metrics: pd.DataFrame, events: pd.DataFrame) -> Figure:
    """Money raised and deal count per quarter, with the hype index. A panel none of whose
    bars stands above 0 (no startup funded: no fund, no cash) draws no bar and keys none,
    and says so (:func:`_time_axes`): bars of height 0 left a bare 0-1 scale under a key
    of bars that were not there. A series all 0 beside another that is not (no down
    round among the rounds) keeps its bars and key."""
    fig, (top, bottom) = _figure("Funding boom and bust", rows=2)
    q = metrics.assign(quarter=pd.to_datetime(metrics["date"]).dt.to_period("Q").dt.start_time)
    quarters = q.groupby("quarter")
    per_q = quarters[[column for column, _c, _l in (*RAISED_BARS, *ROUND_BARS)]].sum()
    # the run's first and last quarters may hold fewer months: their bars are hatched
    partial = (quarters.size() < MONTHS_PER_QUARTER).to_numpy()
    top.set_ylabel("raised, million CNY")
    with plt.rc_context(STYLE):   # its ticks the size of the left axis's
        hype = top.twinx()
    hype.plot(_dates(metrics), metrics["hype_index"], color="black", lw=2,
              label="hype index (right axis)")
    hype.set_ylabel("hype index (1 = normal)")
    empty: dict[plt.Axes, str] = {}
    for ax, series, none in ((top, RAISED_BARS, "nothing raised in the run"),
                             (bottom, ROUND_BARS, "no round closed in the run")):
        # each series keyed by its colour (a legend drawn from the bars would take the
        # first bar's hatching), and the hatching once, where a quarter is partial
        handles: list[Artist] = []
        if (per_q[[column for column, _c, _l in series]] > 0).to_numpy().any():
            for column, colour, label in series:
                bars = ax.bar(per_q.index, per_q[column], width=QUARTER_BAR_DAYS,
                              align="edge", color=colour, label=label)
                for bar, part in zip(bars, partial, strict=True):
                    if part:
                        bar.set_hatch(PARTIAL_HATCH)
                        bar.set_edgecolor("white")
                handles.append(Patch(facecolor=colour, label=label))
        else:   # no bar would stand: none drawn, and _time_axes writes ``none``
            empty[ax] = none
        if ax is top:   # the hype index's line, on the twin axis, has no key of its own
            handles += hype.get_lines()
        if partial.any() and ax not in empty:
            handles.append(Patch(facecolor="lightgrey", edgecolor="white", hatch=PARTIAL_HATCH,
                                 label=PARTIAL_LABEL))
        if handles:
            ax.legend(handles=handles, loc="upper right")
    bottom.set_ylabel("rounds per quarter")
    bottom.set_xlabel("date")
    from_zero(top)
    from_zero(bottom, whole=True)
    _time_axes(fig, [top, bottom], metrics, events, empty)
    return fig


def plain_log_axis(ax: plt.Axes, label: str, with_zero: bool = True) -> None:
    """A y axis spanning orders of magnitude with ticks a reader reads as they are (0, 1,
    10, 100, 1,000; 0.1 below 1), not as powers of ten (10^2), and ``label`` saying the scale
    is logarithmic. ``with_zero``: symmetric log, linear below 1, so that 0 shows (GPU
    counts); else a plain log scale (a price index)."""
    if with_zero:
        ax.set_yscale("symlog", linthresh=1)
    else:
        ax.set_yscale("log")
    ax.yaxis.set_major_formatter(FuncFormatter(_plain_number))
    # a range within a decade or so is labelled on minor ticks too, as 6x10^1
    ax.yaxis.set_minor_formatter(PlainChoice(ax.yaxis.get_minor_formatter()))
    ax.set_ylabel(f"{label}\n(log scale{' above 1' if with_zero else ''})")


def _plain_number(value: float, _pos: int | None = None) -> str:
    """1,000, 10, 1, 0 and 0.1: a number on a log axis as a reader reads it."""
    if value >= 1 or value == 0:
        return f"{value:,.0f}"
    return np.format_float_positional(value, trim="-")   # 0.000001, not 1e-06


class PlainChoice(Formatter):
    """The ticks ``chooser`` (matplotlib's own log formatter) labels, written as plain
    numbers (:func:`_plain_number`): it labels minor ticks only where a decade is most of
    the axis, but as powers of ten."""

    def __init__(self, chooser: Formatter) -> None:
        self.chooser = chooser

    def set_axis(self, axis: Any) -> None:
        super().set_axis(axis)
        self.chooser.set_axis(axis)

    def set_locs(self, locs: Any) -> None:
        super().set_locs(locs)
        self.chooser.set_locs(locs)

    def __call__(self, x: float, pos: int | None = None) -> str:
        return _plain_number(x) if self.chooser(x, pos) else ""


def plot_compute(metrics: pd.DataFrame, events: pd.DataFrame) -> Figure:
    """GPUs owned by giants and startups, GPUs rented, and GPU purchase and rental prices."""
    fig, (top, bottom) = _figure("Compute: owned vs rented, and prices", rows=2)
    t = _dates(metrics)
    top.plot(
        t, metrics["gpus_owned_giants"] / 1e3, label="owned by giants", color=COLOURS["giant"], lw=2
    )
    top.plot(
        t,
        metrics["gpus_owned_startups"] / 1e3,
        label="owned by startups",
        color=COLOURS["startup"],
        lw=2,
    )
    top.plot(
        t,
        metrics["gpus_rented_startups"] / 1e3,
        label="rented by startups",
        color=COLOURS["startup"],
        lw=2,
        ls="--",
    )
    plain_log_axis(top, "thousand A100-eq")
    top.legend(loc="upper left")
    bottom.plot(
        t,
        metrics["gpu_price_mcny"] * 1e3,
        label="GPU price (left axis)",
        color="black",
        lw=2,
    )
    with plt.rc_context(STYLE):
        rent = bottom.twinx()
    rent.plot(
        t,
        metrics["rental_price_mcny"] * CNY_PER_HOUR_PER_MCNY_MONTH,
        color="#b03a2e",
        lw=2,
        label="rent (right axis)",
    )
    rent.set_ylabel("rent, CNY per A100-hour")
    bottom.set_ylabel("GPU price,\nthousand CNY per A100-eq")
    bottom.set_xlabel("date")
    # one key for both prices, on the twin drawn last, so no line of either crosses it
    rent.legend(handles=[*bottom.get_lines(), *rent.get_lines()], loc="upper right")
    _time_axes(fig, [top, bottom], metrics, events)
    return fig


def plot_adoption(metrics: pd.DataFrame, events: pd.DataFrame) -> Figure:
    """Share of buyers with a live contract or subscription, by segment (a segment with no
    buyers has no adoption, and no line). The scale starts at 0% and reaches at least
    ``MIN_ADOPTION_TOP``: no adoption at all is a flat line on the floor, not the middle
    of a -0.04% to 0.04% scale."""
    fig, (ax,) = _figure("Enterprise adoption by buyer segment")
    t = _dates(metrics)
    for seg in SEGMENTS:
        if metrics[f"adoption_{seg}"].isna().all():
            continue
        ax.plot(
            t,
            100 * metrics[f"adoption_{seg}"],
            label=SEGMENT_LABELS[seg],
            color=COLOURS[seg],
            lw=2.5,
        )
    ax.set_ylabel("buyers adopting, %")
    ax.set_xlabel("date")
    from_zero(ax, MIN_ADOPTION_TOP)
    ax.legend(loc="upper left")
    _time_axes(fig, [ax], metrics, events)
    return fig


def plot_concentration(metrics: pd.DataFrame, events: pd.DataFrame) -> Figure:
    """HHI and giants' share of enterprise revenue; the MaaS price index."""
    fig, (top, bottom) = _figure("Concentration and API prices", rows=2)
    t = _dates(metrics)
    top.plot(
        t, metrics["hhi_enterprise_revenue"], label="HHI of enterprise revenue", color="black", lw=2
    )
    top.plot(
        t,
        metrics["giant_revenue_share"],
        label="giants' revenue share",
        color=COLOURS["giant"],
        lw=2,
    )
    top.set_ylim(0, SHARE_TOP)   # clear of a share of 1 (the giants' in the first months)
    top.set_ylabel("index / share (0-1)")
    top.legend(loc="lower right")
    bottom.plot(
        t,
        metrics["maas_price_index"],
        color=COLOURS["giant"],
        lw=2.5,
        label="API price index (MaaS, first month = 100)",
    )
    plain_log_axis(bottom, "index", with_zero=False)
    bottom.set_xlabel("date")
    bottom.legend(loc="upper right")
    _time_axes(fig, [top, bottom], metrics, events)
    return fig


#: Where a fund-returns key goes when no place in its panel is clear: its top this far
#: below the panel (a share of the panel's height, under the axis label), and the
#: figure's bottom margin that leaves room for it (a share of the figure's height).
KEY_BELOW_Y = -0.13
KEY_BELOW_BOTTOM = 0.2


def plot_fund_returns(funds: pd.DataFrame) -> Figure:
    """Two views of every fund against its term (years), each with its median per term:
    TVPI, what the LPs got back per CNY they paid in (capital called for stakes and
    fees), and the gross multiple of what the fund invested, before fees. A fund that
    found few deals paid in mostly fees and sits near 0 on the left, whatever its deals
    did. The right panel's title counts the funds that invested nothing and gives the
    share of all commitments invested."""
    with plt.rc_context(STYLE):
        fig, (net, gross) = plt.subplots(1, 2, figsize=(14, 6), sharex=True)
    fig.suptitle("Fund returns by term", fontsize=16)
    fig.subplots_adjust(top=0.82, wspace=0.25)
    done = funds.dropna(subset=["tvpi"])
    none = "no fund in this run"
    _by_term(net, done, "tvpi", done["size_mcny"], "one fund (size = commitment)",
             none if funds.empty else "no fund has a TVPI yet\n(nothing paid in)")
    net.set_ylabel("TVPI (total value / paid-in)")
    net.set_title("to the LPs\n(per CNY called from them, net of fees)", fontsize=11)
    invested = funds.dropna(subset=["gross_multiple"])
    _by_term(gross, invested, "gross_multiple", invested["invested_mcny"],
             "one fund (size = invested)", none if funds.empty else "no fund has invested yet")
    gross.set_ylabel("gross multiple (exits + stakes) / invested")
    idle = int((funds["invested_mcny"] <= 0).sum())
    committed = funds["size_mcny"].sum()
    told = (f"{idle} of {len(funds)} funds invested nothing; all together invested "
            f"{funds['invested_mcny'].sum() / committed:.0%} of their commitments"
            if committed > 0 else none)
    gross.set_title(f"on what they invested\n({told})", fontsize=11)
    if place_legends(fig):
        # no place in a panel is clear of funds (the seed-42 baseline since 2026-12-07):
        # the keys go under the panels, below their axis labels
        fig.subplots_adjust(bottom=KEY_BELOW_BOTTOM)
        for ax in (net, gross):
            if ax.get_legend() is not None:
                ax.legend(loc="upper center", bbox_to_anchor=(0.5, KEY_BELOW_Y), ncols=2,
                          frameon=False)
    return fig


def _by_term(ax: plt.Axes, funds: pd.DataFrame, column: str, size_mcny: pd.Series,
             label: str, empty: str) -> None:
    """``column`` of each fund against its term, marker area by ``size_mcny``, the median
    per whole year of term, and the break-even line at 1; with no fund, the note ``empty``
    on bare axes (their scale, -0.04 to 0.04 years, would read as data)."""
    ax.set_xlabel("fund term, years")
    if funds.empty:
        write_note(ax, empty)
        return
    ax.scatter(funds["term_years"], funds[column], s=20 + size_mcny / 50, alpha=0.6,
               color=COLOURS["fund"], label=label)
    med = funds.groupby(funds["term_years"].round())[column].median()
    ax.plot(med.index, med.values, color="black", lw=2.5, marker="o", label="median by term")
    ax.axhline(1.0, color="grey", ls=":", lw=1.2)
    ax.grid(alpha=0.3)
    ax.legend(loc="upper right")


PLOTS: dict[str, Callable[..., Figure]] = {
    "entry_shakeout": plot_entry_shakeout,
    "funding": plot_funding,
    "compute": plot_compute,
    "adoption": plot_adoption,
    "concentration_prices": plot_concentration,
}


def build_all(
    metrics: pd.DataFrame, events: pd.DataFrame, funds: pd.DataFrame
) -> dict[str, Figure]:
    """Every outcome plot of a run, by file stem."""
    figures = {name: fn(metrics, events) for name, fn in PLOTS.items()}
    figures["fund_returns"] = plot_fund_returns(funds)
    return figures


#: Characters a plot's file name keeps; any other run of characters becomes one ``_``.
#: Plot names carry swept config keys (``outcomes_vs_funds.term_years``), which a
#: hand-edited sweep.json could make a path (``../../x``): a name stays one file in
#: its plots directory.
FILE_STEM_UNSAFE = re.compile(r"[^A-Za-z0-9_.=,+-]+")


def file_stem(name: str) -> str:
    """``name`` as the stem of a file inside its directory: no separators, no leading dot."""
    return FILE_STEM_UNSAFE.sub("_", name).lstrip(".") or "_"


def save_all(figures: dict[str, Figure], directory: Path) -> list[Path]:
    """Write figures as PNG (atomically) and close them, each as ``<file_stem(name)>.png``."""
    from sim.outputs import atomic_write

    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, fig in figures.items():
        path = directory / f"{file_stem(name)}.png"
        atomic_write(
            path, lambda tmp, f=fig: f.savefig(tmp, format="png", dpi=110, bbox_inches="tight")
        )
        plt.close(fig)
        paths.append(path)
    return paths
