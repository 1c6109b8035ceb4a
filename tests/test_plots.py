"""Plots of runs and sweeps at the edges: one month, nothing to draw, failed jobs,
categorical swept values. Each plot is built and its contents checked."""

from __future__ import annotations

import json
import math
from pathlib import Path

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
import pytest
from conftest import hidden_by_keys, small_config
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from sim.plots import build_all, place_legends
from sim.run import Tables, simulate
from sim.sweep.aggregate import STATUS_COMPLETE, STATUS_FAILED, SweepTables
from sim.sweep.outcomes import PARAM_PREFIX, param_series

#: Time plots of a run (fund_returns is drawn against the fund term).
TIME_PLOTS = ("entry_shakeout", "funding", "compute", "adoption", "concentration_prices")


@pytest.fixture(scope="module")
def one_month() -> Tables:
    """A run of one month (allowed): every monthly series is a single value."""
    return simulate(small_config("horizon_months=1", "buyers.count=50", "hype.shocks=[]",
                                 "compute.export_controls=[]"))


def test_a_one_month_run_draws_its_points_on_a_time_axis_around_its_month(
        one_month: Tables) -> None:
    """A line through one point draws nothing, and matplotlib spans four years
    (2021-2025) around a single date: each value gets a marker, in its legend too, and
    the axis keeps to the months around the run's one month, ticked by month."""
    when = pd.Timestamp(one_month.metrics["date"].iloc[0])
    figs = build_all(one_month.metrics, one_month.events, one_month.funds)
    for name in TIME_PLOTS:
        fig = figs[name]
        fig.canvas.draw()
        drawn = [line for ax in fig.axes for line in ax.get_lines()
                 if pd.notna(pd.Series(line.get_ydata(), dtype=float)).any()]
        assert drawn, name
        assert all(line.get_marker() == "o" for line in drawn), name
        for ax in fig.axes:
            low, high = (mdates.num2date(x).replace(tzinfo=None) for x in ax.get_xlim())
            month = pd.Timedelta(days=30)
            assert low <= when - month and when + month <= high, name
            assert high - low < pd.Timedelta(days=200), name
        # each line's key entry, in whichever key of the figure carries it
        entries = {t.get_text(): handle for ax in fig.axes if ax.get_legend() is not None
                   for t, handle in zip(ax.get_legend().get_texts(),
                                        ax.get_legend().legend_handles, strict=True)}
        keyed = [str(line.get_label()) for line in drawn if str(line.get_label()) in entries]
        assert all(entries[label].get_marker() == "o" for label in keyed), name
        assert keyed or name == "funding", name   # funding's key is of bars
        ticked = [[t.get_text() for t in ax.get_xticklabels() if t.get_text()]
                  for ax in fig.axes]
        assert max(len(labels) for labels in ticked) >= 3, name   # months, not one year


def test_a_long_run_draws_lines_without_markers_and_ticks_years(small_tables: Tables) -> None:
    figs = build_all(small_tables.metrics, small_tables.events, small_tables.funds)
    for name in TIME_PLOTS:
        lines = [line for ax in figs[name].axes for line in ax.get_lines()
                 if len(line.get_xdata()) > 2]
        assert lines and all(line.get_marker() == "None" for line in lines), name


def test_gpu_counts_on_a_log_scale_are_ticked_as_plain_numbers(small_tables: Tables) -> None:
    """The GPU panel spans orders of magnitude (startups' tens, giants' hundreds of
    thousands): its ticks read 0, 1, 10, 100 (a teacher's students met 10^0, 10^1, 10^2)
    and its label says the scale is logarithmic."""
    fig = build_all(small_tables.metrics, small_tables.events, small_tables.funds)["compute"]
    top = fig.axes[0]
    # symmetric log: linear from 0 to 1 (0 shows), which the label says
    assert top.get_yscale() == "symlog" and "(log scale above 1)" in top.get_ylabel()
    shown = [t for t in _shown_ticks(top) if not t[:1].isalpha()]
    numbers = [t for t in shown if t.replace(",", "").replace(".", "").isdigit()]
    assert {"0", "1", "10"} <= set(numbers)
    assert not any("^" in t or "10^" in t or "$" in t for t in shown)


def test_a_fifty_year_run_ticks_every_few_years(small_tables: Tables) -> None:
    """A 600-month run (allowed) got a year label a year apart, fifty of them running
    together into a black band; a long axis is now ticked every few years, a ten-year
    one still every year. (The small run's months are spread over the span: the axis
    is what is tested, and a 600-month run takes seconds.)"""
    from sim.plots import MAX_YEAR_TICKS

    start = pd.Timestamp(small_tables.metrics["date"].iloc[0])
    for years, step in ((10, 1), (50, 5)):
        span = pd.date_range(start, start + pd.DateOffset(years=years),
                             periods=len(small_tables.metrics))
        figs = build_all(small_tables.metrics.assign(date=span), small_tables.events,
                         small_tables.funds)
        for name in TIME_PLOTS:
            fig = figs[name]
            fig.canvas.draw()
            for ax in fig.axes:
                low, high = ax.get_xlim()
                shown = [int(mdates.num2date(x).year) for x in ax.get_xticks()
                         if low <= x <= high]
                assert 1 < len(shown) <= MAX_YEAR_TICKS, (name, years, shown)
                assert {b - a for a, b in zip(shown, shown[1:], strict=False)} == {step}, name


def test_a_time_panel_with_nothing_defined_says_so(one_month: Tables) -> None:
    """No enterprise revenue in the first month: HHI and the giants' share are undefined,
    and their panel says so instead of showing an empty scale."""
    m = one_month.metrics
    assert m["hhi_enterprise_revenue"].isna().all() and m["giant_revenue_share"].isna().all()
    top, bottom = build_all(m, one_month.events, one_month.funds)["concentration_prices"].axes
    assert [t.get_text() for t in top.texts] == ["undefined in every month of the run"]
    assert not any(tick.label1.get_visible() for tick in top.yaxis.get_major_ticks())
    assert len(bottom.texts) == 0   # the MaaS price index has its one value


def test_a_quarter_bar_covers_the_months_it_sums(small_tables: Tables) -> None:
    """Funding per quarter: each bar starts on its quarter's first day and covers the
    quarter's monthly dates (centred on that day, it stood mostly in the quarter before,
    and a one-month run's bar missed its month)."""
    m = small_tables.metrics
    top = build_all(m, small_tables.events, small_tables.funds)["funding"].axes[0]
    quarters = pd.to_datetime(m["date"]).dt.to_period("Q")
    bars = top.patches
    assert len(bars) == quarters.nunique()
    for bar, (quarter, dates) in zip(bars, pd.to_datetime(m["date"]).groupby(quarters),
                                     strict=True):
        start = mdates.num2date(bar.get_x()).replace(tzinfo=None)
        end = mdates.num2date(bar.get_x() + bar.get_width()).replace(tzinfo=None)
        assert start == quarter.start_time
        assert start <= dates.min() and dates.max() < end


def test_a_quarter_only_partly_in_the_run_is_hatched_and_said(small_tables: Tables) -> None:
    """The run starts in December: its first "quarter" is one month, drawn as a quarter's
    bar under "per quarter" (a readers' audit); so may be its last."""
    from sim.plots import PARTIAL_HATCH, PARTIAL_LABEL

    m = small_tables.metrics
    fig = build_all(m, small_tables.events, small_tables.funds)["funding"]
    top, bottom = fig.axes[0], fig.axes[1]
    months = pd.to_datetime(m["date"]).dt.to_period("Q").value_counts().sort_index()
    partial = (months < 3).tolist()
    assert partial[0]   # December alone
    for ax in (top, bottom):
        bars = [p for p in ax.patches]
        hatched = [bar.get_hatch() == PARTIAL_HATCH for bar in bars]
        assert hatched == partial * (len(bars) // len(partial))
        legend = ax.get_legend()
        assert PARTIAL_LABEL in [t.get_text() for t in legend.get_texts()]
        keys = legend.get_patches()   # the series' keys are plain, the last one hatched
        assert [k.get_hatch() for k in keys] == [None] * (len(keys) - 1) + [PARTIAL_HATCH]


def _shown_ticks(ax) -> list[str]:
    ax.figure.canvas.draw()
    return [t.get_text() for t in (*ax.get_xticklabels(), *ax.get_yticklabels())
            if t.get_visible() and t.get_text()]


def test_fund_panels_without_a_fund_say_so_on_bare_axes(small_tables: Tables,
                                                         one_month: Tables) -> None:
    """With no fund, the panels had a -0.04 to 0.04 'fund term' scale, a break-even line
    and a legend for dots that were not there: now a note, and no scale."""
    from sim.plots import plot_fund_returns

    net, gross = plot_fund_returns(small_tables.funds.iloc[:0]).axes
    assert "no fund in this run" in gross.get_title()
    for ax in (net, gross):
        assert [t.get_text() for t in ax.texts] == ["no fund in this run"]
        assert _shown_ticks(ax) == [] and not ax.get_lines() and ax.get_legend() is None
    # the funds of a one-month run that invested nothing yet: fees called (a TVPI), no
    # gross multiple
    funds = one_month.funds[one_month.funds["invested_mcny"] <= 0]
    assert funds["tvpi"].notna().any() and funds["gross_multiple"].isna().all()
    net, gross = plot_fund_returns(funds).axes
    assert len(net.texts) == 0
    assert len(net.collections[0].get_offsets()) == funds["tvpi"].notna().sum()
    assert [t.get_text() for t in gross.texts] == ["no fund has invested yet"]
    assert _shown_ticks(gross) == []


def test_adoption_that_never_started_lies_on_the_floor_of_a_percent_scale(
        one_month: Tables) -> None:
    """No buyer adopted in the first month: a flat 0% line at the bottom of a 0-1% scale
    (it sat in the middle of -0.04% to 0.04%)."""
    from sim.plots import plot_adoption

    m = one_month.metrics
    assert (m.filter(like="adoption_").fillna(0) == 0).all().all()
    (ax,) = plot_adoption(m, one_month.events).axes
    assert ax.get_ylim() == (0.0, 1.0)


def _ticks_within(ax, axis: str = "y") -> list[float]:
    """The tick values ``ax`` shows on ``axis`` (those within its limits)."""
    ax.figure.canvas.draw()
    low, high = ax.get_ylim() if axis == "y" else ax.get_xlim()
    ticks = ax.get_yticks() if axis == "y" else ax.get_xticks()
    return [float(t) for t in ticks if low <= t <= high]


def test_count_and_money_axes_start_at_zero_even_when_nothing_happened(
        small_tables: Tables) -> None:
    """No startup funded (no cash, no fund): money raised, rounds and firms were flat 0
    lines in the middle of a -0.04 to 0.04 scale, negative counts. Counts and money now
    start at 0 and reach 1 at least, counts ticked in whole numbers; a run with something
    to count starts at 0 too (its scale began a little below)."""
    m = small_tables.metrics
    nothing = m.assign(**{c: 0 for c in (
        "startups_active", "independent_builders", "pivoted_startups", "funding_raised_mcny",
        "funding_deals", "down_rounds", *m.filter(like="releases_").columns)})
    for metrics in (m, nothing):
        figs = build_all(metrics, small_tables.events, small_tables.funds)
        releases, firms = figs["entry_shakeout"].axes
        raised, rounds = figs["funding"].axes[:2]    # the third: the hype index's twin
        for ax, counts in ((releases, True), (firms, True), (raised, False), (rounds, True)):
            low, high = ax.get_ylim()
            assert low == 0 and high >= 1, ax.get_ylabel()
            if counts:
                assert all(t.is_integer() for t in _ticks_within(ax)), ax.get_ylabel()
        if metrics is nothing:
            assert all(ax.get_ylim() == (0, 1) for ax in (releases, firms, raised, rounds))


def _sweep_tables(swept: dict[str, list[object]], outcomes: dict[str, list[list[float]]],
                  monthly: dict[str, list[list[list[float]]]] | None = None,
                  failed: frozenset[tuple[int, int]] = frozenset()) -> SweepTables:
    """Tables of a grid sweep over one key, as sim.sweep.aggregate.collect gives them:
    ``swept`` {key: values}; ``outcomes`` {outcome: per setting, one value per
    replication}; ``monthly`` {metric: per setting, per replication, monthly values
    from 2022-12}; ``failed`` (setting, replication) pairs with no outcome."""
    ((key, values),) = swept.items()
    replications = len(next(iter(outcomes.values()))[0]) if outcomes else 1
    jobs, metrics = [], []
    for i, value in enumerate(values):
        setting = f"{key}={json.dumps(value) if not isinstance(value, str) else value}"
        for r in range(replications):
            job = f"{setting},replication={r}"
            done = (i, r) not in failed
            jobs.append({"job": job, "setting": setting, "replication": r, "seed": r,
                         "status": STATUS_COMPLETE if done else STATUS_FAILED,
                         "error": None if done else "told to fail",
                         **{o: v[i][r] if done else math.nan for o, v in outcomes.items()}})
            series = {metric: runs[i][r] for metric, runs in (monthly or {}).items()}
            for month in range(len(next(iter(series.values()))) if series and done else 0):
                metrics.append({"job": job, "setting": setting, "replication": r, "seed": r,
                                "month": month,
                                "date": pd.Timestamp("2022-12-01") + pd.DateOffset(months=month),
                                **{metric: v[month] for metric, v in series.items()}})
    table = pd.DataFrame(jobs)
    table.insert(4, f"{PARAM_PREFIX}{key}",
                 param_series([v for v in values for _ in range(replications)]).to_numpy())
    stacked = pd.DataFrame(metrics)
    manifest = {"swept": [key], "jobs": []}
    return SweepTables(Path("sweep"), manifest, table, stacked)


def test_a_one_month_fan_shows_its_median_and_bands_at_the_month() -> None:
    """One month per job: the median gets a marker, the bands (areas of no width) are
    drawn as bars at the date, and the axis keeps to the months around it (it spanned
    2021-2025); a series undefined everywhere says so."""
    from sim.sweep.plots import plot_fan

    runs = [[[3.0], [5.0], [4.0]], [[7.0], [9.0], [8.0]]]
    nothing = [[[math.nan]] * 3] * 2
    tables = _sweep_tables({"funds.term_years": [3, 6]}, {"releases.total": [[1] * 3] * 2},
                           {"startups_active": runs, "hhi_enterprise_revenue": nothing})
    when = pd.Timestamp("2022-12-01")
    fig = plot_fan(tables, "startups_active")
    fig.canvas.draw()
    for ax, values in zip(fig.axes, runs, strict=True):
        (median,) = ax.get_lines()
        assert median.get_marker() == "o" and list(median.get_ydata()) == [np.median(values)]
        bands = [c.get_segments()[0][:, 1] for c in ax.collections]
        assert [(low, high) for low, high in bands] == [
            tuple(np.quantile(values, [0.05, 0.95])), tuple(np.quantile(values, [0.25, 0.75]))]
        low, high = (mdates.num2date(x).replace(tzinfo=None) for x in ax.get_xlim())
        assert low <= when - pd.Timedelta(days=30) and when + pd.Timedelta(days=30) <= high
        assert high - low < pd.Timedelta(days=200)
        assert len(ax.texts) == 0
    empty = plot_fan(tables, "hhi_enterprise_revenue")
    assert all([t.get_text() for t in ax.texts] == ["undefined in every month of every job"]
               for ax in empty.axes)


def test_a_fan_s_time_axis_spans_the_months_whatever_is_defined() -> None:
    """A series undefined in every month drew nothing dated: its panel spanned matplotlib's
    default, 1 January 1970 from 04:00 to 20:00; one undefined in its first months spanned
    only the others. Every panel now spans the sweep's months, and an empty one says why."""
    from sim.sweep.plots import plot_fan

    months = 36
    late = [[[math.nan] * 5 + [0.5] * (months - 5)] * 2] * 2
    nothing = [[[math.nan] * months] * 2] * 2
    tables = _sweep_tables({"funds.term_years": [3, 6]}, {"releases.total": [[1] * 2] * 2},
                           {"adoption_gov_soe": nothing, "hhi_enterprise_revenue": late})
    first = pd.Timestamp("2022-12-01")
    span = (first, first + pd.DateOffset(months=months - 1))
    for metric in ("adoption_gov_soe", "hhi_enterprise_revenue"):
        fig = plot_fan(tables, metric)
        fig.canvas.draw()
        for ax in fig.axes:
            assert tuple(mdates.num2date(x).replace(tzinfo=None) for x in ax.get_xlim()) \
                == span, metric
            shown = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
            assert {t for t in shown if t.isdigit()} == {"2023", "2024", "2025"}, shown
    assert all([t.get_text() for t in ax.texts] == ["undefined in every month of every job"]
               for ax in plot_fan(tables, "adoption_gov_soe").axes)


def test_a_fan_of_values_none_below_zero_starts_at_zero() -> None:
    """No SME adopted in any job: the fan's scale ran from -0.04 to 0.04, and a count
    from 0 up began a little below 0. A fan of no value below 0 starts at 0; one with
    negative values keeps them in view."""
    from sim.sweep.plots import plot_fan

    months = 12
    runs = {"adoption_sme": [[[0.0] * months] * 2] * 2,
            "startups_active": [[list(range(months))] * 2] * 2,
            "hype_index": [[[1.0 - 0.1 * k for k in range(months)]] * 2] * 2}
    tables = _sweep_tables({"funds.term_years": [3, 6]}, {"releases.total": [[1] * 2] * 2},
                           runs)
    for metric in ("adoption_sme", "startups_active"):
        assert all(ax.get_ylim()[0] == 0 for ax in plot_fan(tables, metric).axes), metric
    assert all(ax.get_ylim()[0] < -0.1 for ax in plot_fan(tables, "hype_index").axes)


def _many_keys(tables: SweepTables, keys: int) -> SweepTables:
    """``tables`` with each setting renamed as if ``keys`` keys had been swept."""
    def renamed(setting: str) -> str:
        return ",".join([setting, *(f"funds.extra_key_{k}={k / 7:.4f}" for k in range(keys))])

    return SweepTables(tables.directory, tables.manifest,
                       tables.jobs.assign(setting=tables.jobs["setting"].map(renamed)),
                       tables.metrics.assign(setting=tables.metrics["setting"].map(renamed)))


def test_a_fan_s_panel_titles_of_many_swept_keys_fit_their_panels() -> None:
    """Six swept keys made each panel's title one line of 160 characters, running over
    its neighbours' titles and off the figure. Titles now wrap at the overrides to their
    column's width, every override whole; past MAX_TITLE_LINES lines the rest is cut,
    the count of runs kept."""
    from sim.sweep.plots import MAX_TITLE_LINES, plot_fan

    runs = [[[3.0, 4.0], [5.0, 6.0]], [[7.0, 8.0], [9.0, 9.5]], [[1.0, 2.0], [2.0, 3.0]]]
    base = _sweep_tables({"funds.term_years": [3, 6, 9]}, {"releases.total": [[1] * 2] * 3},
                         {"startups_active": runs})
    for keys, whole in ((5, True), (40, False)):
        fig = plot_fan(_many_keys(base, keys), "startups_active")
        fig.canvas.draw()
        titles = [ax.title for ax in fig.axes if ax.get_visible()]
        boxes = [t.get_window_extent() for t in titles]
        assert all(b.x0 >= 0 and b.x1 <= fig.bbox.x1 for b in boxes)
        assert all(left.x1 < right.x0 for left, right in zip(boxes, boxes[1:], strict=False))
        for title in titles:
            text = title.get_text()
            assert 1 < text.count("\n") + 1 <= MAX_TITLE_LINES
            assert text.startswith("funds.term_years=")
            last = f"funds.extra_key_{keys - 1}={(keys - 1) / 7:.4f}"
            assert text.endswith(f", {last} (n=2)" if whole else ", … (n=2)")
            lines = text.split("\n")   # no override split over two lines
            assert all(any(f"funds.extra_key_{k}={k / 7:.4f}" in line for line in lines)
                       for k in range(keys) if whole or f"extra_key_{k}=" in text)


def test_a_fan_s_panel_title_keeps_a_list_valued_override_whole() -> None:
    """A setting's label put ", " after every comma, so a list value's own commas were
    doubled and the title wrapped inside the list. Overrides are now split only at the
    commas between them: each list is written as swept, on one line."""
    from sim.sweep.plots import plot_fan

    controls = [["2023-10", "2024-12"], ["2022-10", "2023-10", "2024-12"]]
    runs = [[[3.0, 4.0], [5.0, 6.0]], [[7.0, 8.0], [9.0, 9.5]]]
    base = _sweep_tables({"compute.export_controls": controls},
                         {"releases.total": [[1] * 2] * 2}, {"startups_active": runs})
    fig = plot_fan(_many_keys(base, 5), "startups_active")
    fig.canvas.draw()
    titles = [ax.get_title() for ax in fig.axes if ax.get_visible()]
    for title, value in zip(titles, controls, strict=True):
        override = f"compute.export_controls={json.dumps(value)}"
        assert any(line.startswith(f"{override},") for line in title.split("\n")), title


def test_an_outcome_undefined_in_every_job_says_so_on_its_panel() -> None:
    """No fund in any job: the fund medians were empty panels with an x-axis of -0.04 to
    0.04; they now say the outcome is undefined, with no scale (and no legend)."""
    from sim.sweep.plots import plot_outcomes_vs_param

    tables = _sweep_tables({"funds.term_years": [3, 6]},
                           {"derived.fund_tvpi_median": [[math.nan] * 2] * 2,
                            "releases.total": [[10, 12], [14, 16]]})
    tables.jobs.insert(5, "param.funds.management_fee_per_year", [0.01, 0.02, 0.01, 0.02])
    tables.manifest["swept"].append("funds.management_fee_per_year")
    fig = plot_outcomes_vs_param(tables, "funds.term_years")
    releases, tvpi = (ax for ax in fig.axes if ax.get_visible())
    assert tvpi.get_title() == "median fund TVPI" and releases.get_title() == "model releases"
    assert [t.get_text() for t in tvpi.texts] == ["undefined in every finished job"]
    assert _shown_ticks(tvpi) == [] and not tvpi.get_lines() and tvpi.get_legend() is None
    assert len(releases.texts) == 0 and len(releases.get_lines()) == 2   # one per fee rate


def test_outcomes_against_a_key_count_finished_jobs_and_keep_failed_settings_on_the_axis() \
        -> None:
    """Setting 3 failed: the plot showed one dot at 6 on a 5.7-6.3 axis and nothing said 3
    was swept. The title counts finished jobs and names the setting with none; the axis
    spans every setting."""
    from sim.sweep.plots import plot_outcomes_vs_param

    tables = _sweep_tables({"funds.term_years": [3, 6]}, {"releases.total": [[10], [14]]},
                           failed=frozenset({(0, 0)}))
    fig = plot_outcomes_vs_param(tables, "funds.term_years")
    assert fig._suptitle.get_text().endswith(
        "(mean and 90% of replications; 1 of 2 jobs finished; none at funds.term_years=3)")
    (ax,) = (a for a in fig.axes if a.get_visible())
    (line,) = ax.get_lines()
    assert list(line.get_xdata()) == [6.0] and list(line.get_ydata()) == [14.0]
    low, high = ax.get_xlim()
    assert low < 3.0 and high > 6.0 and high - low < 4


def test_a_numeric_parameter_is_ticked_at_its_swept_values_and_an_empty_one_is_said() -> None:
    """buyers.count=1,3 was ticked 1.25, 1.5, ... (fractions of a whole-number key), and
    the setting whose every run left an outcome undefined simply had no point."""
    from sim.sweep.plots import MOST_VALUE_TICKS, plot_outcomes_vs_param

    tables = _sweep_tables({"buyers.count": [1, 3]},
                           {"concentration.hhi_final": [[math.nan, math.nan], [0.4, 0.6]]})
    (ax,) = _visible(plot_outcomes_vs_param(tables, "buyers.count"))
    assert list(ax.get_xticks()) == [1.0, 3.0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["1", "3"]
    assert [t.get_text() for t in ax.texts] == ["undefined at buyers.count=1"]
    many = list(range(1, MOST_VALUE_TICKS + 3))
    wide = _sweep_tables({"buyers.count": many}, {"releases.total": [[float(v)] for v in many]})
    (ax,) = _visible(plot_outcomes_vs_param(wide, "buyers.count"))
    ax.figure.canvas.draw()
    assert all(float(t).is_integer() for t in ax.get_xticks()) and not ax.texts


def test_a_single_finished_numeric_setting_shows_its_interval() -> None:
    """One numeric setting finished (the other failed, or only one was swept): its 90%
    band was filled over an x-range of no width, so nothing showed. It is now a bar at the
    setting, from the interval's low to its high end."""
    from sim.sweep.plots import plot_outcomes_vs_param

    values = [10.0, 12.0, 20.0]
    for swept, failed in (([3, 6], frozenset({(0, r) for r in range(3)})), ([6], frozenset())):
        outcomes = [[math.nan] * 3] * (len(swept) - 1) + [values]
        tables = _sweep_tables({"funds.term_years": swept}, {"releases.total": outcomes},
                               failed=failed)
        fig = plot_outcomes_vs_param(tables, "funds.term_years")
        (ax,) = (a for a in fig.axes if a.get_visible())
        (band,) = ax.collections
        (segment,) = band.get_segments()
        assert list(segment[:, 0]) == [6.0, 6.0]
        assert list(segment[:, 1]) == pytest.approx(np.quantile(values, [0.05, 0.95]))
        assert band.get_linewidth()[0] > 0 and band.get_alpha() > 0
        low, high = ax.get_xlim()
        assert low < 6.0 < high


def test_a_design_scatter_counts_its_finished_jobs_among_all() -> None:
    """"(lhs design, 2 finished jobs)" left the reader to guess whether a third failed;
    the title now says how many of the design's jobs finished, as a grid's plot does."""
    from sim.sweep.plots import plot_outcomes_vs_param

    tables = _sweep_tables({"hype.decay_per_month": [0.1, 0.2, 0.3]},
                           {"releases.total": [[10], [12], [14]]}, failed=frozenset({(1, 0)}))
    tables.manifest["design"] = {"kind": "lhs", "keys": ["hype.decay_per_month"]}
    fig = plot_outcomes_vs_param(tables, "hype.decay_per_month")
    assert fig._suptitle.get_text() == \
        "Outcomes against hype.decay_per_month (lhs design; 2 of 3 jobs finished)"
    (ax,) = (a for a in fig.axes if a.get_visible())
    assert len(ax.collections[0].get_offsets()) == 2


def test_non_numeric_swept_values_are_categories_with_readable_labels() -> None:
    """Start dates and lists were joined by a line as if numbers, and lists showed as raw
    JSON on the ticks: now a point and its interval per category, no joining line, with
    labels in override syntax, cut when long and told apart."""
    from sim.sweep.plots import plot_outcomes_vs_param

    longest = 32   # characters of a label
    dates = _sweep_tables({"start_date": ["2022-12", "2023-06"]},
                          {"releases.total": [[10, 12, 20], [30, 31, 35]]})
    (ax,) = (a for a in plot_outcomes_vs_param(dates, "start_date").axes if a.get_visible())
    (points,) = ax.get_lines()
    assert points.get_linestyle() == "None" and points.get_marker() == "o"
    assert list(points.get_xdata()) == [0.0, 1.0]
    assert list(points.get_ydata()) == [14.0, 32.0]
    (interval,) = ax.collections
    assert [tuple(seg[:, 1]) for seg in interval.get_segments()] == [
        tuple(np.quantile([10, 12, 20], [0.05, 0.95])),
        tuple(np.quantile([30, 31, 35], [0.05, 0.95]))]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2022-12", "2023-06"]
    assert ax.get_xlim() == (-0.5, 1.5)

    early = {"month": 4.5, "supply_cut": 0.7, "label": "early"}
    late = {"month": 8.5, "supply_cut": 0.95, "label": "late"}
    controls = [[], [early], [early, late]]
    tables = _sweep_tables({"compute.export_controls": controls},
                           {"releases.total": [[1.0], [2.0], [3.0]]})
    assert tables.jobs["param.compute.export_controls"].iloc[1].startswith('[{"month"')
    (ax,) = (a for a in plot_outcomes_vs_param(tables, "compute.export_controls").axes
             if a.get_visible())
    assert [t.get_text() for t in ax.get_xticklabels()] == [
        "[]", "[{month: 4.5, s…, label: early}]", "[{month: 4.5, s…5, label: late}]"]
    assert len("[{month: 4.5, s…, label: early}]") == longest
    # cut alike (the middle differs): numbered, still short
    controls.append([{**early, "supply_cut": 0.9}, late])
    tables = _sweep_tables({"compute.export_controls": controls},
                           {"releases.total": [[1.0], [2.0], [3.0], [4.0]]})
    (ax,) = (a for a in plot_outcomes_vs_param(tables, "compute.export_controls").axes
             if a.get_visible())
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert [label[:3] for label in labels] == ["1: ", "2: ", "3: ", "4: "]
    assert labels[0] == "1: []" and len(set(labels)) == 4
    assert all(len(label) <= longest for label in labels)


def _visible(fig: Figure) -> list[Axes]:
    return [ax for ax in fig.axes if ax.get_visible()]


def test_the_x_axis_names_the_swept_parameter_s_unit() -> None:
    """The x axis named the key alone ("funds.term_years"): the schema's unit
    (sim.config param(lo, hi, unit)) is now beside it, in a grid's and a design's plot."""
    from sim.sweep.plots import axis_label, plot_outcomes_vs_param

    tables = _sweep_tables({"funds.term_years": [3, 6]}, {"releases.total": [[10], [14]]})
    (ax,) = _visible(plot_outcomes_vs_param(tables, "funds.term_years"))
    assert ax.get_xlabel() == "funds.term_years (years)"
    design = _sweep_tables({"hype.decay_per_month": [0.1, 0.2]},
                           {"releases.total": [[10], [12]]})
    design.manifest["design"] = {"kind": "lhs", "keys": ["hype.decay_per_month"]}
    (ax,) = _visible(plot_outcomes_vs_param(design, "hype.decay_per_month"))
    assert ax.get_xlabel() == "hype.decay_per_month (share per month)"
    assert axis_label("start_date") == "start_date"   # no unit: the key alone
    assert axis_label("no.such_key") == "no.such_key"


#: buyer_digitization's values of buyers.digitization (gov/SOE, large digitised,
#: traditional, SME) and of buyers.headcount_resistance.
DIGITIZATION = [[0.35, 0.65, 0.1, 0.2], [0.55, 0.85, 0.3, 0.4], [0.75, 0.95, 0.5, 0.6]]
RESISTANCE = [[0.8, 0.2, 0.4, 0.1], [0.2, 0.05, 0.1, 0.0]]


def _two_lists(key: str, values: list[list[float]], other: str,
               other_values: list[list[float]]) -> SweepTables:
    """A grid of ``key`` x ``other``, two lists per segment, one replication each: startups
    founded 10, 20, ... (plus the other key's index), model releases undefined."""
    tables = _sweep_tables({key: values}, {"releases.total": [[math.nan]] * len(values),
                                           "startups.founded": [[10.0 * (i + 1)]
                                                                for i in range(len(values))]})
    founded = tables.jobs["startups.founded"]
    grid = pd.concat([tables.jobs.assign(**{f"{PARAM_PREFIX}{other}": json.dumps(v),
                                            "startups.founded": founded + j})
                      for j, v in enumerate(other_values)], ignore_index=True)
    return SweepTables(tables.directory, {"swept": [key, other], "jobs": []}, grid,
                       tables.metrics)


def test_a_list_per_segment_is_labelled_value_by_value_with_the_segments_names() -> None:
    """buyers.digitization's categories were ticked as raw lists ("[0.35, 0.65, 0.1, 0.2]"),
    leaving the reader to know the segments' order. Each value now stands on its own line
    after its segment's name, and the axis says the list is per segment."""
    from sim.sweep.plots import plot_outcomes_vs_param

    tables = _two_lists("buyers.digitization", DIGITIZATION, "buyers.headcount_resistance",
                        RESISTANCE)
    founded = _visible(plot_outcomes_vs_param(tables, "buyers.digitization"))[1]
    assert founded.get_xlabel() == "buyers.digitization (index, per buyer segment)"
    assert [t.get_text() for t in founded.get_xticklabels()] == [
        "gov/SOE 0.35\nlarge digitised 0.65\ntraditional 0.1\nSME 0.2",
        "gov/SOE 0.55\nlarge digitised 0.85\ntraditional 0.3\nSME 0.4",
        "gov/SOE 0.75\nlarge digitised 0.95\ntraditional 0.5\nSME 0.6"]
    assert all(t.get_rotation() == 0 for t in founded.get_xticklabels())


def test_the_key_of_the_lines_is_below_the_panels_covering_none() -> None:
    """The key of the other swept key's lines was drawn in the first panel, at "best",
    over its points when they filled it. It is now the figure's, below every panel and
    its tick labels; a key of lists per segment names the segments' order. A first panel
    with no line (an outcome undefined everywhere) no longer leaves the key empty."""
    from sim.sweep.plots import plot_outcomes_vs_param

    tables = _two_lists("buyers.headcount_resistance", RESISTANCE, "buyers.digitization",
                        DIGITIZATION)
    fig = plot_outcomes_vs_param(tables, "buyers.headcount_resistance")
    panels = _visible(fig)
    assert all(ax.get_legend() is None for ax in panels)
    (legend,) = fig.legends
    assert legend.get_title().get_text() == \
        "lists per segment: gov/SOE, large digitised, traditional, SME"
    assert [t.get_text() for t in legend.get_texts()] == [
        f"buyers.digitization={shown}" for shown in
        ("[0.35, 0.65, 0.1, 0.2]", "[0.55, 0.85, 0.3, 0.4]", "[0.75, 0.95, 0.5, 0.6]")]
    fig.canvas.draw()
    key = legend.get_window_extent()
    assert key.y0 >= 0 and key.x0 >= 0 and key.x1 <= fig.bbox.x1
    for ax in panels:
        assert not key.overlaps(ax.get_tightbbox()), ax.get_title()
    assert panels[0].get_title() == "model releases" and not panels[0].get_lines()


def test_categories_of_several_lines_stand_side_by_side() -> None:
    """With a second swept key, each of its values gets points beside the others' at each
    category, not on top of them."""
    from sim.sweep.plots import plot_outcomes_vs_param

    tables = _sweep_tables({"start_date": ["2022-12", "2023-06"]},
                           {"releases.total": [[10, 12], [30, 31]]})
    tables.jobs.insert(5, "param.funds.term_years", [3.0, 6.0, 3.0, 6.0])
    tables.manifest["swept"].append("funds.term_years")
    (ax,) = (a for a in plot_outcomes_vs_param(tables, "start_date").axes if a.get_visible())
    three, six = ax.get_lines()
    x3, x6 = (list(line.get_xdata()) for line in (three, six))
    assert x3[0] < 0 < x6[0] and x3[1] < 1 < x6[1] and x6[0] - x3[0] < 0.5
    assert three.get_label() == "funds.term_years=3" and six.get_label() == "funds.term_years=6"


def test_no_key_stands_over_the_data_of_the_baseline(baseline_tables: Tables) -> None:
    """A key in a fixed corner covered the baseline's GPU price and rent, the giants' GPUs
    and the HHI, and hid a fund's dot: each key now goes where it hides no data point of
    its panel or of the twin drawn over it."""
    figs = build_all(baseline_tables.metrics, baseline_tables.events, baseline_tables.funds)
    assert {name: hidden_by_keys(fig) for name, fig in figs.items()} == \
        {name: [] for name in figs}


def test_a_key_asked_for_a_corner_its_line_crosses_moves_and_one_clear_stays() -> None:
    """The place a key is given is kept while it hides nothing; a line through that
    corner moves the key to a clear one."""
    for ys, moved in (([0.0, 0.1], False), ([1.0, 0.1], True)):
        fig = Figure(figsize=(6, 4))
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        ax.plot([0.0, 1.0], ys, label="a line")
        ax.set_xlim(0, 1), ax.set_ylim(0, 1)
        ax.legend(loc="upper left")
        fig.canvas.draw()
        before = ax.get_legend().get_window_extent()
        place_legends(fig)
        after = ax.get_legend().get_window_extent()
        assert (before.bounds != after.bounds) is moved, ys
        assert hidden_by_keys(fig) == []


def test_a_run_s_shocks_are_numbered_lines_keyed_above_the_plot(small_tables: Tables) -> None:
    """Shock names written beside their lines ran into each other (ChatGPT and GPT-4,
    three months apart) and into the bars and lines. Every time plot of a run now draws
    each shock as a numbered dotted line, named with its month in one key above the top
    panel, as the report does; nothing is written on the panels."""
    shocks = small_tables.events[(small_tables.events["kind"] == "shock")
                                 & (small_tables.events["reason"] != "open_source")]
    assert len(shocks) >= 2
    figs = build_all(small_tables.metrics, small_tables.events, small_tables.funds)
    for name in TIME_PLOTS:
        fig = figs[name]
        fig.canvas.draw()
        top = fig.axes[0]
        key = top._left_title.get_text()   # set_title(loc="left")
        assert key.startswith("dotted lines:"), name
        for k, label in enumerate(sorted(shocks["label"]), 1):
            assert f"{k}: " in key and str(label) in key, name
        assert "(Dec 2022)" in key or "Dec 2022" in key, name   # ChatGPT's month
        assert [t.get_text() for t in top.texts] == [str(k) for k in range(1, len(shocks) + 1)]
        assert top._left_title.get_window_extent().x1 <= fig.bbox.x1
        # the panels, not their twins (a right axis drawn over a panel, made after it)
        panels = [ax for k, ax in enumerate(fig.axes)
                  if all(ax.bbox.bounds != other.bbox.bounds for other in fig.axes[:k])]
        for ax in panels:
            dotted = [ln for ln in ax.get_lines() if ln.get_linestyle() != "-"
                      and len(set(ln.get_xdata())) == 1 and list(ln.get_ydata()) == [0, 1]]
            assert len(dotted) == len(shocks), name
            if ax is not top:
                assert not [t for t in ax.texts if t.get_rotation() == 90], name


def test_the_hype_line_of_the_funding_plot_is_in_its_key(small_tables: Tables) -> None:
    """The hype index, drawn on the funding panel's right axis, had no key entry."""
    fig = build_all(small_tables.metrics, small_tables.events, small_tables.funds)["funding"]
    texts = [t.get_text() for ax in fig.axes if ax.get_legend() is not None
             for t in ax.get_legend().get_texts()]
    assert "hype index (right axis)" in texts


def test_a_log_axis_within_a_decade_labels_its_ticks_as_plain_numbers() -> None:
    """An API price index from 60 to 30 spans less than a decade: matplotlib labels its
    minor ticks, as 6x10^1, 4x10^1, 3x10^1. They now read 60, 40, 30."""
    import matplotlib.pyplot as plt

    from sim.plots import plain_log_axis

    fig, ax = plt.subplots()
    ax.plot([0, 1], [65.0, 28.0])
    plain_log_axis(ax, "index", with_zero=False)
    fig.canvas.draw()
    minor = [t.get_text() for t in ax.yaxis.get_minorticklabels() if t.get_text()]
    assert minor and all(t.replace(",", "").isdigit() for t in minor), minor
    assert "30" in minor and "60" in minor
    plt.close(fig)


def test_outcomes_that_never_go_below_zero_are_drawn_from_zero() -> None:
    """The giants' share of GPU purchases, 0.991 to 0.999 over three fund terms, filled its
    panel as if it fell steeply. An outcome with no negative value is now drawn from 0; one
    that goes below 0 keeps its own scale."""
    from sim.sweep.plots import plot_outcomes_vs_param

    tables = _sweep_tables({"funds.term_years": [3, 5, 10]},
                           {"compute.giant_share_of_purchases": [[0.998], [0.996], [0.991]],
                            "releases.total": [[-3.0], [2.0], [4.0]]})
    fig = plot_outcomes_vs_param(tables, "funds.term_years")
    titled = {ax.get_title(): ax for ax in fig.axes if ax.get_visible()}
    share = titled["giants' share of GPU purchases"]
    assert share.get_ylim()[0] == 0 and share.get_ylim()[1] >= 0.991
    assert titled["model releases"].get_ylim()[0] < -3


def test_numbers_of_close_dated_lines_stand_in_rows_and_a_long_label_is_cut(
        small_tables: Tables) -> None:
    """Side by side, shocks a month apart read "12" (shock twelve) and three shocks of a
    fifty-year run one blob, "123": a number too close to the one before now moves up a
    row. A label wider than the figure ran off its edge (or widened it): it is cut, its
    month kept."""
    e = small_tables.events
    shock = e[(e["kind"] == "shock") & (e["reason"] != "open_source")].iloc[0]
    long = "A very long shock label about a policy change " * 6
    extra = pd.DataFrame([shock.to_dict() | {"month": shock["month"] + dm, "label": label}
                          for dm, label in ((0.0, "same month"), (1.0, long))])
    events = pd.concat([e, extra], ignore_index=True)
    fig = build_all(small_tables.metrics, events, small_tables.funds)["adoption"]
    fig.canvas.draw()
    (ax,) = fig.axes
    numbers = sorted(ax.texts, key=lambda t: int(t.get_text()))
    boxes = [t.get_window_extent() for t in numbers]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not a.overlaps(b), [t.get_text() for t in numbers]
    title = ax._left_title
    assert title.get_window_extent().x1 <= fig.bbox.x1
    assert "…" in title.get_text() and "A very long shock label" in title.get_text()
    assert title.get_window_extent().y0 > max(b.y1 for b in boxes)   # the key above them


def test_a_share_of_one_is_clear_of_the_frame_and_tiny_values_are_plain(
        small_tables: Tables) -> None:
    """The giants' share of revenue is 1 in the first months: it ran along the top frame.
    A log axis read 1e-06 for 0.000001."""
    from sim.plots import _plain_number

    top = build_all(small_tables.metrics, small_tables.events,
                    small_tables.funds)["concentration_prices"].axes[0]
    assert top.get_ylim()[1] > 1.0
    assert _plain_number(1e-6) == "0.000001" and _plain_number(0.5) == "0.5"
    assert _plain_number(1234.0) == "1,234"


def test_a_right_axis_is_ticked_as_large_as_the_left() -> None:
    """The hype index's and the rent's right axes, made outside the plots' style, had
    10-point ticks beside 13-point ones on the left."""
    from conftest import small_config as _small

    tables = simulate(_small("horizon_months=12", "buyers.count=100"))
    figs = build_all(tables.metrics, tables.events, tables.funds)
    for name, panel in (("funding", 0), ("compute", 1)):
        axes = figs[name].axes
        twin = axes[-1]
        left = axes[panel]
        assert twin.yaxis.get_ticklabels()[0].get_fontsize() == \
            left.yaxis.get_ticklabels()[0].get_fontsize(), name


def test_a_panel_drawn_from_zero_leaves_room_over_its_highest_point() -> None:
    """From 0, a panel kept matplotlib's tight top: a share of 0.99 sat on the frame with
    its marker cut in half; an outcome all 0 spanned 0 to 0.05."""
    from sim.sweep.plots import plot_outcomes_vs_param

    tables = _sweep_tables({"funds.term_years": [3, 5, 10]},
                           {"compute.giant_share_of_purchases": [[0.99], [0.995], [0.99]],
                            "exits.ipo": [[0], [0], [0]]})
    fig = plot_outcomes_vs_param(tables, "funds.term_years")
    titled = {ax.get_title(): ax for ax in fig.axes if ax.get_visible()}
    share = titled["giants' share of GPU purchases"]
    assert share.get_ylim()[1] >= 0.995 * 1.05
    assert titled["IPOs"].get_ylim() == (0.0, 1.0)


@pytest.fixture(scope="module")
def a_year() -> Tables:
    """A twelve-month run: its funding and compute keys stand right of their panels."""
    return simulate(small_config("horizon_months=12"))


@pytest.fixture(scope="module")
def a_year_unfunded() -> Tables:
    """A twelve-month run with no fund and one buyer: no startup raises a round."""
    return simulate(small_config("funds.initial_count=0", "funds.vintage_rate_per_month=0",
                                 "buyers.count=1", "horizon_months=12"))


def _right_hand_axes(fig: Figure) -> list[Axes]:
    """The axes of ``fig`` whose y axis stands right of its panel (a twin's)."""
    return [ax for ax in fig.axes if ax.yaxis.get_label_position() == "right"]


def test_a_key_right_of_a_panel_clears_the_right_hand_axis(a_year: Tables,
                                                            a_year_unfunded: Tables) -> None:
    """In a twelve-month run the keys of the funding and compute plots go right of their
    panels, where they stood over the hype index's rotated label and ticks and over the
    rent's ticks: every key now clears every right-hand axis (its ticks, their labels and
    its label) and the keys stand in one column."""
    for tables in (a_year, a_year_unfunded):
        figs = build_all(tables.metrics, tables.events, tables.funds)
        for name in ("funding", "compute"):
            fig = figs[name]
            fig.canvas.draw()
            twins = _right_hand_axes(fig)
            assert twins, name
            keys = [(ax, ax.get_legend().get_window_extent()) for ax in fig.axes
                    if ax.get_legend() is not None]
            outside = [box for ax, box in keys if box.x0 >= ax.get_window_extent().x1]
            if tables is a_year:   # the case the audit found
                assert outside, name
            for twin in twins:
                axis = twin.yaxis.get_tightbbox()
                assert axis.x1 > twin.get_window_extent().x1, name   # ticks, label: right
                for _ax, box in keys:
                    assert not box.overlaps(axis), name
            assert len({round(box.x0) for box in outside}) <= 1, name


def test_a_funding_panel_with_no_bar_says_so_and_keys_no_bar(a_year_unfunded: Tables,
                                                             small_tables: Tables) -> None:
    """No startup raised a round: the funding panels' bars, all of height 0, left bare 0-1
    scales under keys of "raised", "rounds closed" and "down rounds". Each panel now says
    so, as a panel with nothing defined does, draws no bar and keys none; the hype index,
    on the top panel's right axis, keeps its line and key, and the note stands clear of
    the line. No down round among rounds (0 in a panel of bars) is still drawn and keyed."""
    m = a_year_unfunded.metrics
    assert (m[["funding_raised_mcny", "funding_deals", "down_rounds"]] == 0).all().all()
    fig = build_all(m, a_year_unfunded.events, a_year_unfunded.funds)["funding"]
    top, bottom, hype = fig.axes
    fig.canvas.draw()
    for ax, said in ((top, "nothing raised in the run"), (bottom, "no round closed in the run")):
        notes = [t for t in ax.texts if not t.get_text().isdigit()]   # not a shock's number
        assert [t.get_text() for t in notes] == [said]
        assert not ax.patches
        assert not any(tick.label1.get_visible() for tick in ax.yaxis.get_major_ticks())
    assert bottom.get_legend() is None
    assert [t.get_text() for t in top.get_legend().get_texts()] == ["hype index (right axis)"]
    note = next(t for t in top.texts if t.get_text() == "nothing raised in the run")
    box = note.get_window_extent()
    (line,) = [ln for ln in hype.get_lines() if ln.get_label() == "hype index (right axis)"]
    xy = hype.transData.transform(np.asarray(line.get_xydata(), dtype=float))
    steps = np.linspace(0, 1, 50)[:, None, None]   # points along every segment
    x, y = (xy[:-1] + steps * np.diff(xy, axis=0)).reshape(-1, 2).T
    assert not ((box.x0 < x) & (x < box.x1) & (box.y0 < y) & (y < box.y1)).any()
    # rounds but no down round: the zeros are an answer among bars
    funded = small_tables.metrics.assign(down_rounds=0)
    assert funded["funding_deals"].sum() > 0
    top, bottom, _hype = build_all(funded, small_tables.events,
                                   small_tables.funds)["funding"].axes
    for ax in (top, bottom):
        assert ax.patches and not [t for t in ax.texts if not t.get_text().isdigit()]
    assert "down rounds" in [t.get_text() for t in bottom.get_legend().get_texts()]
