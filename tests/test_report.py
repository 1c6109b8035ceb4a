"""baimo-report on a run and on sweeps (with and without sweep.parquet); report plots."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
from pathlib import Path
from typing import Any

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
import pytest
from broken_runs import corrupted_copy, one_line_error, unfinished_copy
from conftest import hidden_by_keys
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from sim.configuration import compose
from sim.markets.compute import DAYS_PER_MONTH
from sim.outputs import COMPLETE, METRICS, SUMMARY, RunOutputs, read_run
from sim.plots import COLOURS
from sim.report import key_numbers_html, load_source, main
from sim.report_plots import DEFAULT_PLOTS, REPORT_PLOTS
from sim.rng import replication_seeds
from sim.run import Tables, run, write_run
from sim.teaching.arms import Arm, paired

TINY = ["horizon_months=12", "buyers.count=200"]


@pytest.fixture(scope="module")
def sweep_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A sweep laid out as sim.sweep writes it: job directories named by their overrides."""
    path = tmp_path_factory.mktemp("sweep") / "term"
    seeds = replication_seeds(42, 2)
    for term in (3, 5):
        cfg = compose([*TINY, f"funds.term_years={term}"])
        for k, seed in enumerate(seeds):
            run(dataclasses.replace(cfg, seed=seed),
                path / f"funds.term_years={term},replication={k}", plots=False)
    return path


def _report(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[Path, str]:
    main(argv)
    out = capsys.readouterr().out.strip()
    assert out.startswith("baimo-report: wrote ")
    path = Path(out.removeprefix("baimo-report: wrote "))
    return path, path.read_text(encoding="utf-8")


def _self_contained(text: str) -> None:
    assert not re.search(r"(src|href)=\"(https?:)?//", text)
    assert "<script" not in text and "<link" not in text and "@import" not in text


def _sections(text: str) -> list[str]:
    return re.findall(r'<section id="([a-z-]+)">', text)


def test_report_on_a_run(run_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                         capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("BAIMO_OUTPUT_ROOT", str(tmp_path / "out"))
    path, text = _report(capsys, [str(run_dir)])
    assert path.is_relative_to(tmp_path / "out" / "reports")
    _self_contained(text)
    assert _sections(text) == ["key-numbers", "plots", "timeline", "runs"]
    assert text.count("data:image/png;base64,") == len(DEFAULT_PLOTS)
    assert "baimo run report" in text
    first = read_run(run_dir).events
    first_release = first[first["kind"] == "model_release"].iloc[0]
    assert f"<code>{first_release['actor']}</code>" in text
    # what ran it, from summary.json: outputs of the same config and seed match only there
    env = read_run(run_dir).summary["environment"]
    assert (f"Run on Python {env['python']} ({env['system']} {env['machine']}), "
            f"numpy {env['numpy']}, pandas {env['pandas']}, pyarrow {env['pyarrow']}, "
            f"simpy {env['simpy']}, baimo code {env['model_code'][:12]} (") in text
    commit = env["git_commit"]   # 40 hex digits (+ uncommitted changes), or not a checkout
    shown = f"commit {commit[:12]}{commit[40:]}" if re.match("[0-9a-f]{40}", commit) else commit
    assert f"baimo code {env['model_code'][:12]} ({shown})." in text


def test_sweep_without_table_is_grouped_by_config(sweep_dir: Path) -> None:
    """No sweep.parquet: the job directories are read and grouped by the keys that differ."""
    source = load_source(sweep_dir)
    assert source.kind == "sweep"
    assert [a.label for a in source.arms] == ["funds.term_years=3.0", "funds.term_years=5.0"]
    assert [len(a.runs) for a in source.arms] == [2, 2]
    assert paired(*source.arms)  # replication k of both settings shares its seed
    table = key_numbers_html(source.arms, ("releases_total", "startups_founded"))
    assert "paired by seed" in table and table.count("<tr>") == 3


def test_report_on_a_sweep_with_table(sweep_dir: Path, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("BAIMO_OUTPUT_ROOT", str(tmp_path / "out"))
    sweep = tmp_path / "sweep"
    shutil.copytree(sweep_dir, sweep)
    jobs = sorted(p.name for p in sweep.iterdir())
    table = pd.DataFrame({
        "job": jobs, "setting": [j.split(",")[0] for j in jobs],
        "replication": [int(j[-1]) for j in jobs], "seed": 0,
        "status": ["complete", "complete", "complete", "failed"], "error": None})
    table.to_parquet(sweep / "sweep.parquet", index=False)
    (sweep / jobs[-1] / COMPLETE).unlink()
    with pytest.raises(SystemExit) as exc:
        main([str(sweep)])
    assert exc.value.code == 2
    assert "1 of 4 runs are unfinished" in capsys.readouterr().err
    _, text = _report(capsys, [str(sweep), "--skip-unfinished"])
    _self_contained(text)
    assert "baimo sweep report" in text and "2 arm(s), 3 run(s)" in text
    assert "1 unfinished run(s) were left out" in text
    assert '<th>funds.term_years=3<br>' in text  # the table's setting names the arm


def test_a_sweep_stopped_before_its_tables_is_reported_by_its_manifest(
        sweep_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """A sweep killed before its aggregation has sweep.json but no sweep.parquet: read from
    the job directories found, it was reported, exit 0, as a whole sweep of fewer jobs (a
    job killed before it wrote a file, or never started, has no run there). Its jobs are
    now sweep.json's: the missing ones are unfinished, named, and left out only when asked."""
    monkeypatch.setenv("BAIMO_OUTPUT_ROOT", str(tmp_path / "out"))
    sweep = tmp_path / "sweep"
    shutil.copytree(sweep_dir, sweep)
    jobs = sorted(p.name for p in sweep.iterdir())
    listed = [*jobs, "funds.term_years=7,replication=0"]   # never started: no directory
    (sweep / "sweep.json").write_text(json.dumps({"swept": ["funds.term_years"], "jobs": [
        {"name": j, "setting": j.split(",")[0], "replication": 0, "seed": 0,
         "config_hash": "", "params": {}} for j in listed]}))
    with pytest.raises(SystemExit) as exc:
        main([str(sweep)])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert f"1 of {len(listed)} runs are unfinished" in err and listed[-1] in err
    _, text = _report(capsys, [str(sweep), "--skip-unfinished"])
    assert f"{len(jobs)} run(s)" in text and "1 unfinished run(s) were left out" in text


def _error(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    return one_line_error(main, "baimo-report", capsys, argv)


def test_bad_inputs(run_dir: Path, sweep_dir: Path, tmp_path: Path,
                    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("BAIMO_OUTPUT_ROOT", str(tmp_path / "out"))
    assert "no such directory" in _error(capsys, [str(tmp_path / "missing")])
    empty = tmp_path / "empty"
    empty.mkdir()
    assert "no runs found" in _error(capsys, [str(empty)])
    half = unfinished_copy(run_dir, tmp_path / "half")
    assert "not a finished run" in _error(capsys, [str(half)])
    broken = corrupted_copy(run_dir, tmp_path / "broken", METRICS)
    assert "unreadable run output" in _error(capsys, [str(broken)])
    bad_table = tmp_path / "bad_table"
    shutil.copytree(run_dir, bad_table / "job")
    (bad_table / "sweep.parquet").write_bytes(b"garbage")
    assert "unreadable sweep table" in _error(capsys, [str(bad_table)])
    assert "the following arguments are required" in _error(capsys, [])
    # nested deeper than Python's JSON parser goes: a RecursionError traceback, exit 1
    deep = corrupted_copy(run_dir, tmp_path / "deep", METRICS)
    shutil.copy(run_dir / METRICS, deep / METRICS)
    (deep / SUMMARY).write_text('{"a":' * 5000 + "1" + "}" * 5000, encoding="utf-8")
    assert "unreadable run output" in _error(capsys, [str(deep)])
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("*.html"))
    # sweep.json cut short beside a good table: reported from the table alone, while
    # baimo-compare and baimo aggregate refused the directory
    cut = tmp_path / "cut"
    shutil.copytree(sweep_dir, cut)
    jobs = sorted(p.name for p in cut.iterdir())
    (cut / "sweep.json").write_text(json.dumps({"swept": ["funds.term_years"], "jobs": [
        {"name": j, "setting": j.split(",")[0], "replication": int(j[-1]), "seed": 0,
         "config_hash": json.loads((cut / j / "summary.json").read_text())["config_hash"],
         "params": {"funds.term_years": int(j.split("=")[1][0])}} for j in jobs]}))
    from sim.sweep.aggregate import collect, write_tables

    write_tables(collect(cut), plots=False)
    _report(capsys, [str(cut)])   # whole, it is reported
    text = (cut / "sweep.json").read_text(encoding="utf-8")
    (cut / "sweep.json").write_text(text[:len(text) // 2], encoding="utf-8")
    assert "unreadable sweep manifest" in _error(capsys, [str(cut)])


def test_a_report_is_not_written_through_a_link_in_the_outputs_root(
        run_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """outputs/reports/NAME linked elsewhere took the report out of the outputs root."""
    root = tmp_path / "out"
    monkeypatch.setenv("BAIMO_OUTPUT_ROOT", str(root))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (root / "reports").mkdir(parents=True)
    (root / "reports" / run_dir.resolve().name).symlink_to(elsewhere)
    assert "is a symbolic link" in _error(capsys, [str(run_dir)])
    assert not list(elsewhere.iterdir())


def test_runs_are_looked_for_only_as_deep_as_baimo_puts_them(
        run_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """A lesson's runs sit three levels below its directory (runs/<arm>/rep-<k>), a sweep's
    one: found. Deeper is no layout of baimo's, and the search stops there (it walked the
    whole tree: ``baimo-report /`` read the whole file system)."""
    monkeypatch.setenv("BAIMO_OUTPUT_ROOT", str(tmp_path / "out"))
    lesson = tmp_path / "lesson"
    shutil.copytree(run_dir, lesson / "runs" / "scenario" / "rep-0")
    for found in (lesson, lesson / "runs", lesson / "runs" / "scenario"):
        assert load_source(found).runs == 1
    deeper = tmp_path / "deeper"
    shutil.copytree(lesson, deeper / "lessons" / "lesson")   # its run four levels down
    assert "no runs found (no subdirectory down to 3 levels" in _error(
        capsys, [str(deeper / "lessons")])
    assert not (tmp_path / "out").exists()


def test_a_directory_it_may_not_read_is_not_called_unwritable(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """``baimo-report /`` walks into /proc and meets a directory it may not enter: that is a
    read, and the line says so (it blamed the outputs root for not being writable)."""
    from sim import report

    def refused(directory: str, skip_unfinished: bool = False) -> None:
        raise PermissionError(13, "Permission denied", "/proc/1/cwd")

    monkeypatch.setattr(report, "load_source", refused)
    monkeypatch.setenv("BAIMO_OUTPUT_ROOT", str(tmp_path / "out"))
    err = _error(capsys, ["/"])
    assert "cannot read /: /proc/1/cwd: Permission denied" in err and "writable" not in err


@pytest.fixture(scope="module")
def arms(sweep_dir: Path) -> list[Arm]:
    runs = [read_run(p) for p in sorted(sweep_dir.iterdir())]
    return [Arm("a", "3-year funds", runs[:2]), Arm("b", "5-year funds", runs[2:])]


def test_the_key_of_the_dotted_lines_stays_on_the_figure(arms: list[Arm]) -> None:
    """A lesson with a bust in one arm keyed "4: Bust (Feb 2024) (bust in Feb 2024)" after
    three other shocks: one line longer than the figure, cut off at its right edge. The
    key now wraps onto as many lines as it needs, every entry whole."""
    import matplotlib.pyplot as plt

    def relabelled(run: RunOutputs, words: str) -> RunOutputs:
        e = run.events.copy()
        shock = e["kind"] == "shock"
        e.loc[shock, "label"] = e.loc[shock, "label"].astype(str) + words
        return dataclasses.replace(run, events=e)

    long = " and its long, long aftermath in every market"
    busy = [Arm(a.name, a.label, [relabelled(r, long) for r in a.runs]) for a in arms]
    fig = REPORT_PLOTS["funding"].build(busy)
    try:
        fig.canvas.draw()
        title = fig.axes[0]._left_title   # set_title(loc="left")
        text = title.get_text()
        assert text.startswith("dotted lines:") and text.count("\n") >= 1
        assert all(f"{k}: " in text for k in (1, 2, 3)) and text.count(long.strip()) == 3
        assert title.get_window_extent().x1 <= fig.bbox.x1
    finally:
        plt.close(fig)


@pytest.fixture(scope="module")
def baseline_arm(baseline_tables: Tables, tmp_path_factory: pytest.TempPathFactory) -> list[Arm]:
    """The default run as the one arm of a report."""
    path = tmp_path_factory.mktemp("baseline") / "run"
    write_run(baseline_tables, path, plots=False)
    return [Arm("baseline", "baseline", [read_run(path)])]


@pytest.mark.parametrize("name", sorted(REPORT_PLOTS))
def test_no_key_of_a_report_plot_stands_over_the_baseline_s_data(
        name: str, baseline_arm: list[Arm]) -> None:
    """Keys in a fixed corner covered the baseline's active startups (entry and shake-out)
    and its HHI (concentration); each now goes where it hides no data point."""
    assert hidden_by_keys(REPORT_PLOTS[name].build(baseline_arm)) == []


def test_a_key_with_no_clear_place_in_its_panel_goes_right_of_it() -> None:
    """Lines at every height of the panel leave a key no place that hides nothing (the
    seed-42 baseline's adoption by segment since 2026-12-07): it moves right of the panel,
    with its entries, and hides no data point there."""
    import matplotlib.pyplot as plt

    from sim.report_plots import ReportPlot, _figure, _legend

    def draw(_: list[Arm]) -> Figure:
        fig, (ax,) = _figure("full")
        x = np.linspace(0, 10, 200)
        for level in np.linspace(0, 1, 12):
            ax.plot(x, level + 0.05 * np.sin(x * 7 + level * 9), color="grey")
        _legend(ax, [("one", "red"), ("two", "blue"), (setting, "green")], [])
        return fig

    # a sweep's setting as an arm's label: on one line its key took half the figure's
    # width, and the panel's year ticks ran together (an audit's buyer_digitization report)
    setting = "buyers.digitization=[0.35,0.65,0.1,0.2], buyers.headcount_resistance=[0.8,0.2]"
    fig = ReportPlot("full", draw, "").build([])
    try:
        ax = fig.axes[0]
        key = ax.get_legend()
        assert [t.get_text() for t in key.get_texts()] == [
            "one", "two", "buyers.digitization=[0.35,0.65,0.1,0.2],\n"
                          "buyers.headcount_resistance=[0.8,0.2]"]
        assert key.get_window_extent().x0 >= ax.get_window_extent().x1
        assert ax.get_window_extent().width > 0.6 * fig.bbox.width
        assert hidden_by_keys(fig) == []
    finally:
        plt.close(fig)


def test_a_label_breaks_between_overrides_and_never_inside_one() -> None:
    from sim.plots import wrapped

    assert wrapped("funds.term_years=3") == "funds.term_years=3"
    assert wrapped("a=1, b=2, c=3") == "a=1, b=2, c=3"
    assert wrapped("a=1, b=2, c=3", width=9) == "a=1, b=2,\nc=3"
    assert wrapped("x=[1,2,3,4,5,6,7,8,9], y=2", width=10) == "x=[1,2,3,4,5,6,7,8,9],\ny=2"


@pytest.mark.parametrize("name", sorted(REPORT_PLOTS))
def test_report_plots_are_classroom_readable(name: str, arms: list[Arm]) -> None:
    import matplotlib.pyplot as plt

    fig = REPORT_PLOTS[name].build(arms)
    try:
        assert fig._suptitle is not None and fig._suptitle.get_fontsize() >= 18
        legends = [leg for leg in [*fig.legends, *(ax.get_legend() for ax in fig.axes)] if leg]
        assert legends and all(x.get_fontsize() >= 12 for leg in legends for x in leg.get_texts())
        for ax in fig.axes:
            assert ax.yaxis.label.get_fontsize() >= 14
            assert ax.get_ylabel()
        time_axes = [ax for ax in fig.axes if isinstance(ax.xaxis.get_major_formatter(),
                                                         mdates.DateFormatter)]
        fig.canvas.draw()  # renders without error
        if name not in ("kinds", "fund_returns"):
            assert time_axes, "time plots have calendar dates on the x-axis"
            ticks = [t.get_text() for t in time_axes[-1].get_xticklabels() if t.get_text()]
            assert ticks and all(re.fullmatch(r"20\d\d", t) for t in ticks)
            # ChatGPT, GPT-4 and the export controls: a dotted line each on every time axis
            for ax in time_axes:
                vertical = [ln for ln in ax.get_lines() if len(ln.get_xdata()) == 2
                            and len(set(ln.get_xdata())) == 1
                            and list(ln.get_ydata()) == [0, 1]]
                assert len(vertical) == 3
        colours = {ln.get_color() for ax in fig.axes for ln in ax.get_lines()}
        if name in ("releases", "adoption", "compute", "concentration"):
            assert colours & set(COLOURS.values())
        if name == "adoption":
            assert {COLOURS[s] for s in ("gov_soe", "large_digital", "traditional", "sme")} \
                <= colours
        for ax in fig.axes:   # a log axis is ticked 1, 10, 100, not 10^0, 10^1, 10^2
            if ax.get_yscale() != "linear":
                assert "(log scale" in ax.get_ylabel()
                shown = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
                assert shown and not any("$" in t or "^" in t for t in shown), shown
    finally:
        plt.close(fig)


def test_report_fund_returns_show_tvpi_beside_the_gross_multiple(arms: list[Arm]) -> None:
    """Each arm's funds in both panels: TVPI, and the gross multiple of what they invested
    (dots only for the funds that invested)."""
    import matplotlib.pyplot as plt

    fig = REPORT_PLOTS["fund_returns"].build(arms)
    try:
        net, gross = fig.axes
        assert "TVPI" in net.get_ylabel() and "gross multiple" in gross.get_ylabel()
        for ax, column in ((net, "tvpi"), (gross, "gross_multiple")):
            dots = [len(c.get_offsets()) for c in ax.collections]
            wanted = [int(pd.concat([r.funds for r in a.runs])[column].notna().sum())
                      for a in arms]
            assert dots == [n for n in wanted if n]
            labels = [str(ln.get_label()) for ln in ax.get_lines()]
            assert [x for x in labels if x.startswith("median")] == [
                f"median: {a.label}" for a, n in zip(arms, wanted, strict=True) if n]
    finally:
        plt.close(fig)


def _fail_job(job: Path) -> None:
    """Make a finished job look as sim.sweep.task leaves a failed one: a FAILED marker."""
    from sim.sweep.spec import FAILED

    (job / COMPLETE).unlink()
    (job / FAILED).write_text('{"error": "boom", "log": "baimo.log"}', encoding="utf-8")


@pytest.mark.parametrize("with_table", [False, True])
def test_failed_jobs_are_not_called_unfinished(
        with_table: bool, sweep_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """A sweep whose every job failed said "1 of 1 runs are unfinished (no COMPLETE marker)
    ...; finish or resume the sweep, or pass --skip-unfinished", with that flag given or
    not. Failed jobs are now counted apart; the flag is suggested only where it leaves
    something to report, and leaves failed jobs out with a note of their own."""
    monkeypatch.setenv("BAIMO_OUTPUT_ROOT", str(tmp_path / "out"))
    sweep = tmp_path / "sweep"
    shutil.copytree(sweep_dir, sweep)
    jobs = sorted(sweep.iterdir())
    if with_table:
        pd.DataFrame({"job": [j.name for j in jobs], "setting": [j.name.split(",")[0]
                                                                for j in jobs],
                      "replication": [int(j.name[-1]) for j in jobs], "seed": 0,
                      "status": "complete", "error": None}).to_parquet(sweep / "sweep.parquet")
    _fail_job(jobs[0])
    (jobs[1] / COMPLETE).unlink()   # one failed, one unfinished, two finished
    err = _error(capsys, [str(sweep)])
    assert "1 of 4 runs are unfinished (no COMPLETE marker)" in err
    assert f"1 of 4 jobs failed (see their FAILED markers and logs, e.g. {jobs[0]}/FAILED)" in err
    assert err.endswith("pass --skip-unfinished to leave them out\n")
    _, text = _report(capsys, [str(sweep), "--skip-unfinished"])
    assert "2 run(s)" in text and "1 unfinished run(s) were left out." in text
    assert "1 failed job(s) were left out (see their FAILED markers)." in text
    for job in jobs[1:]:
        if (job / COMPLETE).exists():
            _fail_job(job)
        else:
            (job / "FAILED").write_text("{}", encoding="utf-8")
    for argv in ([str(sweep)], [str(sweep), "--skip-unfinished"]):
        err = _error(capsys, argv).removeprefix("baimo-report: error: ")
        assert err.startswith(f"{sweep}: all 4 jobs failed (see their FAILED markers and logs")
        assert err.endswith("nothing to report\n") and "--skip-unfinished" not in err
    assert "the job failed" in _error(capsys, [str(jobs[0])])


def test_stale_jobs_are_not_called_unfinished(
        sweep_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """A job the aggregation found finished with a different configuration than sweep.json
    records ("stale": the experiment, the overrides or conf/ changed) has its COMPLETE
    marker, but the report said "1 of 4 runs are unfinished (no COMPLETE marker)" and "finish
    or resume the sweep", which cannot redo it. It is now named for what it is."""
    monkeypatch.setenv("BAIMO_OUTPUT_ROOT", str(tmp_path / "out"))
    sweep = tmp_path / "sweep"
    shutil.copytree(sweep_dir, sweep)
    jobs = sorted(sweep.iterdir())
    pd.DataFrame({"job": [j.name for j in jobs], "setting": [j.name.split(",")[0] for j in jobs],
                  "replication": [int(j.name[-1]) for j in jobs], "seed": 0,
                  "status": ["stale", "complete", "complete", "complete"],
                  "error": None}).to_parquet(sweep / "sweep.parquet")
    err = _error(capsys, [str(sweep)])
    assert "unfinished" not in err.removesuffix("pass --skip-unfinished to leave them out\n")
    assert (f"1 of 4 jobs are stale: finished with a different configuration than sweep.json "
            f"records (the experiment, the overrides or conf/ changed), e.g. {jobs[0]}") in err
    assert "delete their directories and run the sweep again to redo them" in err
    _, text = _report(capsys, [str(sweep), "--skip-unfinished"])
    assert "3 run(s)" in text and "unfinished" not in text
    assert "1 stale job(s) (finished with a different configuration) were left out." in text
    (jobs[1] / COMPLETE).unlink()   # an unfinished job beside it: each named for itself
    err = _error(capsys, [str(sweep)])
    assert "1 of 4 runs are unfinished (no COMPLETE marker)" in err and "1 of 4 jobs are stale" \
        in err
    for job in jobs[2:]:
        _fail_job(job)
    (jobs[1] / "FAILED").write_text("{}", encoding="utf-8")   # no run left but the stale one
    err = _error(capsys, [str(sweep), "--skip-unfinished"])
    assert "3 of 4 jobs failed" in err and "1 of 4 jobs are stale" in err
    assert err.endswith("; for the stale jobs, delete their directories and run the sweep "
                        "again to redo them; nothing to report\n")


def test_arms_of_different_horizons_are_not_differenced_over_the_whole_run(
        arms: list[Arm]) -> None:
    """A 12-month and an 18-month arm were differenced "paired by seed" on every row
    ("Models released over the whole run 202 vs 252: -50.0"). Now a note says the horizons
    differ, and only measures at a fixed month both arms reached are differenced."""
    def cut(run: RunOutputs, months: int) -> RunOutputs:
        return dataclasses.replace(run, metrics=run.metrics[run.metrics["month"] < months],
                                   events=run.events[run.events["month"] < months])

    short = Arm("b", "8 months", [cut(r, 8) for r in arms[1].runs])
    table = key_numbers_html([arms[0], short],
                             ("releases_total", "releases_by_month_4", "funding_year_1"))
    assert ("The arms cover different horizons (3-year funds: 12 months; 8 months: 8 months). "
            "Counts over the whole run and values at its end are not comparable between them "
            "(difference n/a)") in table
    rows = re.findall(r"<tr><td>(.*?)</td>.*?<td class=\"num\">([^<]*)</td></tr>", table)
    assert len(rows) == 3 and rows[0][1] == rows[2][1] == "n/a (horizons differ)"
    by_4 = [float(r.metrics.loc[r.metrics["month"] == 4, "releases_total_cum"].iloc[0])
            for r in arms[0].runs]
    by_4_short = [float(r.metrics.loc[r.metrics["month"] == 4, "releases_total_cum"].iloc[0])
                  for r in short.runs]
    diff = sum(b - a for a, b in zip(by_4, by_4_short, strict=True)) / len(by_4)
    text = f"{diff:+,.1f}"   # a month both reached: differenced (0 without a sign)
    assert rows[1][1] == (text[1:] if float(text) == 0 else text)
    same = key_numbers_html(arms, ("releases_total",))
    assert "horizons" not in same and "n/a" not in same


def _started(arm: Arm, start: str) -> Arm:
    """``arm`` as if its runs had started in ``start`` (their months unchanged)."""
    runs = [dataclasses.replace(r, summary={**r.summary, "start_date": start}) for r in arm.runs]
    return Arm(arm.name, arm.label, runs)


def test_each_arm_s_shocks_sit_on_its_own_calendar(arms: list[Arm]) -> None:
    """A sweep over start_date=2022-12,2023-06 drew every shock at the 2022-12 dates and
    keyed it so ("ChatGPT (Dec 2022)"): the 2023-06 arm's shocks were nowhere. Each arm's
    marks are now at its own dates, named by arm."""
    import matplotlib.pyplot as plt

    apart = [arms[0], _started(arms[1], "2023-06")]
    fig = REPORT_PLOTS["funding"].build(apart)
    try:
        fig.canvas.draw()
        key = fig.axes[0]._left_title.get_text().replace("\n", "   ")
        for k, text in enumerate(["ChatGPT (Dec 2022) (3-year funds)",
                                  "GPT-4 (Mar 2023) (3-year funds)",
                                  "ChatGPT (Jun 2023) (5-year funds)",
                                  "GPT-4 (Sep 2023) (5-year funds)",
                                  "Export controls (Oct 2023) (3-year funds)",
                                  "Export controls (Oct 2023) at Apr 2024 (5-year funds)"], 1):
            assert f"{k}: {text}" in key
        # logged at the start of the month each takes effect in (dated 0.5, 3.5, 10.5)
        shocks = [(0, "2022-12"), (3, "2022-12"), (0, "2023-06"), (3, "2023-06"),
                  (10, "2022-12"), (10, "2023-06")]
        wanted = [mdates.date2num(pd.Timestamp(f"{start}-01")
                                  + pd.Timedelta(days=DAYS_PER_MONTH * m)) for m, start in shocks]
        for ax in fig.axes:
            lines = [ln.get_xdata()[0] for ln in ax.get_lines() if len(ln.get_xdata()) == 2
                     and list(ln.get_ydata()) == [0, 1]]
            assert [mdates.date2num(x) for x in lines] == pytest.approx(wanted)
    finally:
        plt.close(fig)


def test_report_funding_sums_the_calendar_quarters_the_run_plot_does(arms: list[Arm]) -> None:
    """The report summed 3-month blocks from each run's first month, the run's own plot
    calendar quarters: the same run's funding peaked in Mar-May 2023 in one and Jul-Sep
    2023 in the other. Both now sum calendar quarters; a quarter a run covers only in
    part is left out here (the run plot hatches it)."""
    import matplotlib.pyplot as plt

    from sim.plots import build_all

    run = arms[0].runs[0]
    one = [Arm("a", "one run", [run])]
    fig = REPORT_PLOTS["funding"].build(one)
    try:
        mid = fig.axes[1]
        (line,) = [ln for ln in mid.get_lines() if len(ln.get_xdata()) > 2]
        shown = dict(zip(pd.to_datetime(line.get_xdata()).to_period("Q"),
                         line.get_ydata(), strict=True))
    finally:
        plt.close(fig)
    m = run.metrics.assign(q=pd.to_datetime(run.metrics["date"]).dt.to_period("Q"))
    by_quarter = m.groupby("q")["funding_raised_mcny"].agg(["sum", "size"])
    whole = by_quarter[by_quarter["size"] == 3]["sum"]
    assert list(shown) == list(whole.index)
    assert list(shown.values()) == pytest.approx(list(whole))
    assert pd.Period("2022Q4") not in shown   # December 2022 alone
    bars = build_all(run.metrics, run.events, run.funds)["funding"].axes[0].patches
    assert sorted(round(b.get_height(), 6) for b in bars)[-1] == pytest.approx(max(whole))
    later = [_started(a, "2023-06") for a in arms]
    for group in (arms, later):
        assert REPORT_PLOTS["funding"].caption_for(group).endswith(
            "per calendar quarter (Jan-Mar, Apr-Jun, ...; a quarter a run covers only in "
            "part, its first or last, is left out).")


def _cut(arm: Arm, months: int) -> Arm:
    """``arm`` as if its runs had lasted ``months`` months."""
    runs = [dataclasses.replace(r, metrics=r.metrics[r.metrics["month"] < months],
                                events=r.events[r.events["month"] < months]) for r in arm.runs]
    return Arm(arm.name, arm.label, runs)


TIME_PLOTS = sorted(set(REPORT_PLOTS) - {"kinds", "fund_returns"})


def _stretched(arm: Arm, factor: int) -> Arm:
    """``arm`` with each month of its runs ``factor`` months apart (a long run's span)."""
    runs = [dataclasses.replace(r, metrics=r.metrics.assign(month=r.metrics["month"] * factor),
                                events=r.events.assign(month=r.events["month"] * factor))
            for r in arm.runs]
    return Arm(arm.name, arm.label, runs)


@pytest.mark.parametrize("name", TIME_PLOTS)
def test_a_fifty_year_report_axis_ticks_every_few_years(name: str, arms: list[Arm]) -> None:
    """Over the longest horizon (600 months) a report's time axis got a year label a year
    apart, fifty of them running together; it is ticked every few years, as run plots are."""
    import matplotlib.pyplot as plt

    from sim.plots import MAX_YEAR_TICKS

    months = int(arms[0].runs[0].metrics["month"].max()) + 1
    fig = REPORT_PLOTS[name].build([_stretched(a, 600 // months) for a in arms])
    try:
        fig.canvas.draw()
        for ax in fig.axes:
            low, high = ax.get_xlim()   # panels sharing the axis label only the lowest
            years = [mdates.num2date(x).year for x in ax.get_xticks() if low <= x <= high]
            assert 1 < len(years) <= MAX_YEAR_TICKS, (name, years)
            assert len({b - a for a, b in zip(years, years[1:], strict=False)}) == 1
            assert years[1] - years[0] > 1
    finally:
        plt.close(fig)


@pytest.mark.parametrize("name", TIME_PLOTS)
def test_a_one_month_run_is_drawn(name: str, arms: list[Arm]) -> None:
    """horizon_months=1 drew each series as a line of one point (nothing) on an axis from
    2021 to 2025, matplotlib's span for one date. Few points get markers, one point its
    range over replications, and the axis runs from the month before to the month after."""
    import matplotlib.pyplot as plt

    short = [_cut(a, 1) for a in arms]
    fig = REPORT_PLOTS[name].build(short)
    try:
        fig.canvas.draw()
        for ax in fig.axes:   # data lines (not the dotted shock lines, nor a level's)
            lines = [ln for ln in ax.get_lines()
                     if [0, 1] not in (list(ln.get_xdata()), list(ln.get_ydata()))]
            assert all(ln.get_marker() == "o" for ln in lines if len(ln.get_xdata()) <= 6)
            first, last = (mdates.num2date(x).strftime("%Y-%m-%d") for x in ax.get_xlim())
            # "data" dated a year's purchases at the year's middle month, past the run's end
            assert (first, last) == ("2022-11-01", "2023-01-01")
        ticks = [t.get_text() for t in fig.axes[-1].get_xticklabels()]
        assert ticks[:3] == ["Nov 2022", "Dec 2022", "Jan 2023"]
        if name == "releases":
            (ax,) = fig.axes
            assert len(lines) == 8 and all(len(ln.get_xdata()) == 1 for ln in lines)
            assert len(ax.collections) == 8   # each arm's range: a bar at its one month
        if name == "funding":
            for ax in fig.axes[1:]:
                assert [t.get_text() for t in ax.texts] == [
                    "no whole calendar quarter: these runs are shorter"]
                assert ax.get_legend() is None
    finally:
        plt.close(fig)


def test_the_data_plot_ends_where_the_run_ends(arms: list[Arm]) -> None:
    """A 4-month run's data purchases per year were dated at the year's middle month, June
    2023, and the time axis ran on to July past the run's end in March, where every other
    plot stops. A year is now dated at the middle of the months the run covers of it."""
    import matplotlib.pyplot as plt

    short = [_cut(a, 4) for a in arms]
    data, releases = (REPORT_PLOTS[name].build(short) for name in ("data", "releases"))
    try:
        (end,) = {ax.get_xlim()[1] for ax in releases.axes}
        assert mdates.num2date(end).strftime("%Y-%m") == "2023-04"
        for ax in data.axes:
            assert ax.get_xlim()[1] == end
        purchases = [ln for ln in data.axes[1].get_lines() if ln.get_marker() == "o"]
        assert len(purchases) == 4 and all(   # giants and startups, each arm: one year
            pd.Timestamp(ln.get_xdata()[0]).strftime("%Y-%m") == "2023-02"
            for ln in purchases)
    finally:
        plt.close(data)
        plt.close(releases)


def _texts(ax: Axes) -> list[str]:
    """Texts written on ``ax``, but the numbers of the dotted shock lines."""
    return [t.get_text() for t in ax.texts if not t.get_text().isdigit()]


def test_empty_panels_say_why(arms: list[Arm]) -> None:
    """A run with no fund drew "Fund returns" as two bare 0-1 axes, one with no enterprise
    revenue an empty concentration panel with a legend of its absent lines. Empty panels
    now say why, and legends name only lines that are drawn."""
    import matplotlib.pyplot as plt

    def legend(ax: Axes) -> list[str]:
        leg = ax.get_legend()
        return [t.get_text() for t in leg.get_texts()] if leg else []

    no_funds = [Arm(a.name, a.label, [dataclasses.replace(r, funds=r.funds.iloc[:0])
                                      for r in a.runs]) for a in arms]
    no_invest = [Arm(a.name, a.label, [dataclasses.replace(
        r, funds=r.funds.assign(gross_multiple=float("nan"))) for r in a.runs]) for a in arms]
    no_revenue = [Arm(a.name, a.label, [dataclasses.replace(r, metrics=r.metrics.assign(
        giant_revenue_share=float("nan"), hhi_enterprise_revenue=float("nan")))
        for r in a.runs]) for a in arms]
    no_hhi = [Arm(a.name, a.label, [dataclasses.replace(r, metrics=r.metrics.assign(
        giant_revenue_share=0.5, hhi_enterprise_revenue=float("nan"))) for r in a.runs])
        for a in arms]
    no_contracts = [Arm(a.name, a.label, [dataclasses.replace(
        r, events=r.events[r.events["kind"] != "contract_signed"]) for r in a.runs])
        for a in arms]
    figures = []
    try:
        fig = REPORT_PLOTS["fund_returns"].build(no_funds)
        figures.append(fig)
        for ax in fig.axes:
            assert _texts(ax) == ["no fund\nin these runs"] and not ax.collections
            assert ax.get_legend() is None and not ax.get_yticks().size
        fig = REPORT_PLOTS["fund_returns"].build(no_invest)
        figures.append(fig)
        net, gross = fig.axes
        assert _texts(net) == [] and net.collections and legend(net)
        assert _texts(gross) == ["no fund invested\nin these runs"] and not gross.collections
        fig = REPORT_PLOTS["concentration"].build(no_revenue)
        figures.append(fig)
        top, bottom = fig.axes
        assert _texts(top) == ["no enterprise revenue in these runs"]
        assert top.get_legend() is None
        assert legend(bottom) == ["average API price", "3-year funds", "5-year funds"]
        fig = REPORT_PLOTS["concentration"].build(no_hhi)
        figures.append(fig)
        top, bottom = fig.axes
        assert _texts(top) == []
        assert legend(top) == ["giants' share of enterprise revenue", "3-year funds",
                               "5-year funds"]
        assert legend(bottom) == ["average API price"]
        fig = REPORT_PLOTS["vertical"].build(no_contracts)
        figures.append(fig)
        (ax,) = fig.axes
        assert _texts(ax) == ["no contract signed in a vertical domain in these runs"]
        assert ax.get_legend() is None
        for fig in figures:
            fig.canvas.draw()
    finally:
        for fig in figures:
            plt.close(fig)


#: Report panels of counts, money and shares: (plot, panel, counts: whole-number ticks).
FROM_ZERO = (("releases", 0, True), ("builders", 0, True), ("funding", 1, False),
             ("funding", 2, True), ("adoption", 0, False), ("data", 1, True))
#: Segments with no buyer when only SMEs exist (buyers.segment_shares=[0,0,0,1]).
NO_BUYERS = ("gov_soe", "large_digital", "traditional")


def test_counts_money_and_shares_start_at_zero(arms: list[Arm]) -> None:
    """No startup funded (no cash, no fund): money raised and rounds were flat 0 lines in
    the middle of a -0.04 to 0.04 scale, negative counts, as was the adoption of a sweep
    where no SME adopted, whose legend also named the segments with no buyer. Counts,
    money and shares now start at 0 and reach 1 at least, counts ticked in whole numbers;
    adoption names only the segments that have buyers, as the run's adoption plot does."""
    import matplotlib.pyplot as plt

    def nothing(run: RunOutputs) -> RunOutputs:
        m = run.metrics
        zero = ["funding_raised_mcny", "funding_deals", "down_rounds", "startups_active",
                "independent_builders", "pivoted_startups", "adoption_sme",
                *m.filter(like="releases_").columns]
        return dataclasses.replace(run, metrics=m.assign(
            **dict.fromkeys(zero, 0.0), **{f"adoption_{s}": float("nan") for s in NO_BUYERS}))

    idle = [Arm(a.name, a.label, [nothing(r) for r in a.runs]) for a in arms]
    for given in (arms, idle):
        for name, panel, counts in FROM_ZERO:
            fig = REPORT_PLOTS[name].build(given)
            try:
                ax = fig.axes[panel]
                low, high = ax.get_ylim()
                assert low == 0 and high >= 1, (name, panel)
                if given is idle and name != "data":   # the data plot counts events
                    assert high == 1, (name, panel)
                if counts:
                    fig.canvas.draw()
                    shown = [t for t in ax.get_yticks() if low <= t <= high]
                    assert all(float(t).is_integer() for t in shown), (name, panel)
            finally:
                plt.close(fig)
    fig = REPORT_PLOTS["adoption"].build(idle)
    try:
        (ax,) = fig.axes
        legend = [t.get_text() for t in ax.get_legend().get_texts()]
        assert legend == ["SME", "3-year funds", "5-year funds"]   # it said "sme"
        assert {ln.get_color() for ln in ax.get_lines()} & {COLOURS[s] for s in NO_BUYERS} \
            == set()
    finally:
        plt.close(fig)


# ---------------------------------------------------------------- labels of arms

#: Two hype.shocks settings the same for their first 70-odd characters (a tester's sweep).
LONG_SETTINGS = [
    "hype.shocks=[{month:0.5,size:1.2,label:ChatGPT},{month:3.5,label:GPT-4,size:0.8}]",
    "hype.shocks=[{month:0.5,size:1.2,label:ChatGPT},{month:3.5,label:GPT-4,size:0.1}]",
]


def _legend_texts(fig: Figure) -> list[str]:
    return [t.get_text() for ax in fig.axes if ax.get_legend() is not None
            for t in ax.get_legend().get_texts()]


def test_settings_that_differ_late_get_labels_that_differ(
        sweep_dir: Path, tmp_path: Path) -> None:
    """Labels were cut at 70 characters, so two hype.shocks settings that differ in the
    last shock's size read the same in the key-numbers columns, the "B minus A" header and
    the plot legends. Each label now shows the part that tells it apart."""
    from sim.report import MAX_LABEL

    sweep = tmp_path / "sweep"
    shutil.copytree(sweep_dir, sweep)
    jobs = sorted(p.name for p in sweep.iterdir())
    pd.DataFrame({"job": jobs, "setting": [LONG_SETTINGS[j.startswith("funds.term_years=5")]
                                           for j in jobs],
                  "replication": [int(j[-1]) for j in jobs], "seed": 0, "status": "complete",
                  "error": None}).to_parquet(sweep / "sweep.parquet", index=False)
    arms = load_source(sweep).arms
    labels = [a.label for a in arms]
    assert labels == ["hype.shocks=...size:0.8}]", "hype.shocks=...size:0.1}]"]
    table = key_numbers_html(arms, ("releases_total",))
    assert f"<th>{labels[0]}<br>" in table and f"<th>{labels[1]}<br>" in table
    assert f"{labels[1]} minus {labels[0]}, paired by seed" in table
    fig = REPORT_PLOTS["releases"].build(arms)
    assert _legend_texts(fig)[-2:] == labels
    assert all(len(label) <= MAX_LABEL for label in labels)


def _configured(run: Path, dest: Path, **values: Any) -> None:
    """A copy of ``run`` at ``dest`` whose config.json sets dotted keys to ``values``."""
    shutil.copytree(run, dest)
    config = json.loads((dest / "config.json").read_text(encoding="utf-8"))
    for dotted, value in values.items():
        *parents, last = dotted.split("__")
        node = config
        for key in parents:
            node = node[key]
        node[last] = value
    (dest / "config.json").write_text(json.dumps(config), encoding="utf-8")


def test_runs_grouped_by_config_are_labelled_by_what_sets_them_apart(
        sweep_dir: Path, tmp_path: Path) -> None:
    """Single runs grouped by config were labelled by every key that differs anywhere, in
    order and cut at 70 characters: most columns read "buyers.consideration_rate=0.03,
    buyers.count=200, compute.export_co...". A label now leaves out a key's value that
    most arms have, and a note says which these are."""
    runs = sorted(sweep_dir.iterdir())
    flat = tmp_path / "runs"
    _configured(runs[0], flat / "a")
    _configured(runs[1], flat / "b", compute__export_controls=[])
    _configured(runs[2], flat / "c")
    _configured(runs[3], flat / "d", hype__shocks=[])
    source = load_source(flat)
    assert [a.label for a in source.arms] == [
        "compute.export_controls=[], funds.term_years=3.0", "funds.term_years=3.0",
        "funds.term_years=5.0, hype.shocks=[]", "funds.term_years=5.0"]
    assert source.labels_note.startswith(
        'An arm whose label does not name compute.export_controls or hype.shocks ran with the '
        'value most arms have: compute.export_controls=[{"label":"Export controls (Oct 2023)"')
    flat_runs = [a.overrides for a in source.arms]
    assert all(len(o) == 3 for o in flat_runs)   # the runs table still has every key


@pytest.mark.parametrize("overrides", [
    # the values share everything but one character, with no separator to cut at
    [["k=" + "x" * 90 + "a"], ["k=" + "x" * 90 + "b"], ["k=" + "x" * 40 + "c" + "x" * 50]],
    # a key every arm has, and values that differ at different depths
    [["a.b=1", "c=" + "[{m:1,s:1}," * 8 + "]"], ["a.b=1", "c=" + "[{m:1,s:1}," * 7 + "[]]"],
     ["a.b=1", "c=" + "[{m:1,s:2}," * 8 + "]"]],
    # one arm has every most common value, one a key the others lack
    [["p=1", "q=2"], ["p=1", "q=3"], ["p=4", "q=2"], ["p=1", "q=2", "r=" + "z" * 80]],
])
def test_labels_of_different_arms_never_read_the_same(overrides: list[list[str]]) -> None:
    from sim.report import arm_labels, labels_note

    labels = arm_labels(overrides)
    assert len(set(labels)) == len(labels)
    assert all(labels_note(overrides) or label != "the common settings" for label in labels)


# ---------------------------------------------------------------- key numbers


def _difference_cells(table: str) -> dict[str, str]:
    """Each row's measure title and its last cell (the difference), from key_numbers_html."""
    return dict(re.findall(r"<tr><td>(.*?)</td>.*?<td class=\"num\">([^<]*)</td></tr>", table))


def test_a_difference_is_paired_on_the_seeds_both_arms_ran(arms: list[Arm]) -> None:
    """A sweep reported with --skip-unfinished after one job failed: one arm of two
    replications, the other of one. The header dropped "paired by seed" and differenced
    the means of different seeds (-6.5 releases where the runs of the same seed give 0).
    It now pairs on the seeds both arms ran and names the runs it left out."""
    from sim.teaching.measures import format_difference, measure, values

    names = ("releases_total", "acquisitions")
    one = Arm("b", "5-year funds", arms[1].runs[:1])   # its replication 1 failed
    table = key_numbers_html([arms[0], one], names)
    seed = arms[0].seeds[1]
    assert ("5-year funds minus 3-year funds, paired by seed over the 1 seed both arms ran; "
            f"left out: 1 run of 3-year funds (seed {seed})</small>") in table
    cells = _difference_cells(table)
    for name in names:
        paired_by_seed = values(name, one.runs)[0] - values(name, arms[0].runs[:1])[0]
        assert cells[measure(name).title(None)].lstrip("+") == \
            format_difference("count", paired_by_seed).lstrip("+")
    other = dataclasses.replace(one.runs[0], summary={**one.runs[0].summary, "seed": 7})
    apart = key_numbers_html([arms[0], Arm("b", "5-year funds", [other])], names)
    assert "3-year funds, the difference of the means (no seed ran in both arms)" in apart
    assert "5-year funds minus 3-year funds, paired by seed</small>" in \
        key_numbers_html(arms, names)


def test_the_difference_is_the_second_arm_minus_the_first_as_baimo_compare_takes_it(
        arms: list[Arm]) -> None:
    """baimo-report's difference was the first arm minus the second ("A minus B"), and
    baimo-compare's each arm minus the first (the reference): the same pair read +17.7 in
    one and -17.7 in the other. The report's is now the second minus the first, and its
    header says so."""
    from sim import compare
    from sim.teaching.measures import format_difference, measure, values

    first = _last_value(arms[0], "hhi_enterprise_revenue", [0.2, 0.3])
    second = _last_value(arms[1], "hhi_enterprise_revenue", [0.5, 0.7])
    assert first.seeds == second.seeds
    table = key_numbers_html([first, second], ("hhi_final",))
    assert "<th>difference<br><small>5-year funds minus 3-year funds, paired by seed" in table
    shown = _difference_cells(table)[measure("hhi_final").title(None)]
    assert shown == format_difference("index", 0.35) == "+0.35"
    key = "concentration.hhi_final"
    compared = compare.compare_table(
        [compare.Arm(arm.label, Path(arm.name), "runs", "",
                     pd.DataFrame({"seed": arm.seeds, key: values("hhi_final", arm.runs)}),
                     pd.DataFrame()) for arm in (first, second)], [key])
    (row,) = compared[compared["arm"] == second.label].itertuples()
    assert row.diff == pytest.approx(0.35)


def _last_value(arm: Arm, column: str, values: list[float]) -> Arm:
    """``arm`` with the last month of metrics ``column`` set to ``values`` (one per run)."""
    runs = []
    for one, value in zip(arm.runs, values, strict=True):
        metrics = one.metrics.copy()
        metrics.loc[metrics.index[-1], column] = value
        runs.append(dataclasses.replace(one, metrics=metrics))
    return Arm(arm.name, arm.label, runs)


def test_zero_has_no_sign_and_a_range_that_rounds_to_one_value_is_that_value(
        arms: list[Arm]) -> None:
    """Key numbers printed "-0.0 points" and "-0.00" (a negative zero after rounding) and
    "100%" over a range "100% to 100%" whose ends differed below display precision (a share
    short of all is no longer shown as 100%: measures.percent)."""
    a = _last_value(_last_value(arms[0], "giant_revenue_share", [0.9962, 0.9962]),
                    "hhi_enterprise_revenue", [0.502, 0.502])
    b = _last_value(_last_value(arms[1], "giant_revenue_share", [0.9961, 0.9962]),
                    "hhi_enterprise_revenue", [0.5, 0.5])
    table = key_numbers_html([a, b], ("giant_revenue_share_final", "hhi_final"))
    rows = re.findall(r"<tr><td>[^<]*</td>(.*?)</tr>", table)
    assert rows[0] == ('<td class="num">99.6%</td><td class="num">99.6%</td>'
                       '<td class="num">0.0 points</td>')
    assert rows[1] == ('<td class="num">0.50</td><td class="num">0.50</td>'
                       '<td class="num">0.00</td>')


def test_a_single_run_lists_the_settings_it_changed(run_dir: Path, tmp_path: Path) -> None:
    """The table of runs shows a run's own settings, as it shows each arm's of a directory
    of runs: 'this run | (none)' was shown for every run, whatever it changed."""
    (arm,) = load_source(run_dir).arms
    assert arm.overrides == ["buyers.count=500", "horizon_months=24"]   # conftest.SMALL
    default = tmp_path / "default"
    shutil.copytree(run_dir, default)
    config = json.loads((default / "config.json").read_text(encoding="utf-8"))
    config["buyers"]["count"], config["horizon_months"] = 5000, 120
    (default / "config.json").write_text(json.dumps(config), encoding="utf-8")
    assert load_source(default).arms[0].overrides == []
    # the column was headed "overrides", which they are not: a value changed in conf/
    # since shows there too, though no command overrode it
    from sim.report import _arms_html

    table = _arms_html(load_source(run_dir))
    assert "<th>settings</th>" in table and "<th>overrides</th>" not in table
    assert "the run&#x27;s values away from today&#x27;s defaults" in table


def test_a_key_number_says_when_it_rests_on_fewer_runs(arms: list[Arm]) -> None:
    """general_vs_vertical's 'First vertical-domain contract won by a giant' showed a month
    under '3 run(s)' that only 2 of them had (a teaching audit), and its difference over
    2 pairs, without saying so."""
    from sim.report import _cell

    nan = float("nan")
    start = arms[0].start_date
    assert _cell("count", np.array([2.0, nan, 4.0]), start) == \
        '<td class="num">3 (2 of 3 runs)<span class="range">2 to 4</span></td>'
    assert _cell("count", np.array([2.0, 4.0]), start).startswith('<td class="num">3<span')
    assert _cell("count", np.array([nan, nan]), start) == '<td class="num">n/a (0 of 2 runs)</td>'
    runs = list(arms[0].runs)   # a run whose month-4 row is gone has no value there
    runs[0] = dataclasses.replace(runs[0], metrics=runs[0].metrics[runs[0].metrics["month"] != 4])
    table = key_numbers_html([Arm("a", "3-year funds", runs), arms[1]], ("releases_by_month_4",))
    cells = re.findall(r'<td class="num">([^<]*)', table)
    assert cells[0].endswith(" (1 of 2 runs)") and not cells[1].endswith("runs)")
    assert cells[2].endswith(" (1 of 2 pairs)")


def test_measures_and_plots_name_segments_as_people_do(run_dir: Path) -> None:
    """Key numbers read "Adoption among gov soe buyers" and "sme buyers", and the run's
    adoption plot "gov soe" and "sme": the names of the code, not sim.config.SEGMENT_LABELS."""
    import matplotlib.pyplot as plt

    from sim.config import SEGMENT_LABELS
    from sim.plots import plot_adoption
    from sim.teaching.measures import MEASURES

    titles = [m.title() for m in MEASURES.values()]
    assert not [t for t in titles if re.search(r"gov soe|\bsme\b|_", t)]
    assert "Adoption among SME buyers at month 24" in titles
    assert "Adoption among gov/SOE buyers at the end" in titles
    r = read_run(run_dir)
    fig = plot_adoption(r.metrics, r.events)
    try:
        legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
        assert legend and set(legend) <= set(SEGMENT_LABELS.values())
    finally:
        plt.close(fig)


def test_a_shock_an_arms_label_names_is_not_named_again(arms: list[Arm]) -> None:
    """hype_bust's key read "4: Bust (Feb 2024) (bust in Feb 2024)" and gpu_squeeze's "3:
    Strict export controls (Oct 2023) (strict export controls (95% cut))": a mark in one arm
    only was followed by that arm's label, which already named it. Such a mark is now keyed
    once; a mark the arm's label does not name keeps it."""
    from sim.report_plots import _shock_marks

    def with_bust(run: RunOutputs) -> RunOutputs:
        e = run.events
        bust = e[e["kind"] == "shock"].iloc[[0]].assign(month=14.5, label="Bust (Feb 2024)",
                                                        reason="hype")
        return dataclasses.replace(run, events=pd.concat([e, bust], ignore_index=True))

    bust = Arm("scenario", "bust in Feb 2024", [with_bust(r) for r in arms[0].runs])
    calm = Arm("baseline", "no bust", arms[1].runs)
    keys = [text for _, text in _shock_marks([bust, calm])]
    assert "Bust (Feb 2024)" in keys
    assert not [k for k in keys if "(bust in Feb 2024)" in k]
    other = Arm("scenario", "a harder world", bust.runs)
    assert "Bust (Feb 2024) (a harder world)" in [t for _, t in _shock_marks([other, calm])]


#: Least CIE76 colour difference (Delta E) between two series of one key: the two oranges
#: of startups' owned and rented GPUs were 24 apart.
LEAST_DELTA_E = 30


def _lab(colour: str) -> np.ndarray:
    """``colour`` in CIELAB (D65), from sRGB."""
    from matplotlib.colors import to_rgb

    rgb = np.array(to_rgb(colour))
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722],
                    [0.0193, 0.1192, 0.9505]]) @ linear / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def _told_apart(a: str, b: str) -> bool:
    """Whether colours ``a`` and ``b`` are at least :data:`LEAST_DELTA_E` apart."""
    return float(np.linalg.norm(_lab(a) - _lab(b))) >= LEAST_DELTA_E


@pytest.mark.parametrize("name", sorted(REPORT_PLOTS))
def test_the_series_of_a_report_plot_have_colours_told_apart(name: str,
                                                            arms: list[Arm]) -> None:
    """The compute plot keyed startups' owned and rented GPUs in two oranges, and the
    entry plot builders and active startups: one colour to a reader, with the arms' line
    styles on top. Every two series of a key now differ in lightness or hue."""
    import matplotlib.pyplot as plt
    from matplotlib.colors import to_hex

    fig = REPORT_PLOTS[name].build(arms)
    try:
        for legend in [*fig.legends, *(ax.get_legend() for ax in fig.axes)]:
            if legend is None:
                continue
            colours = [to_hex(h.get_color()) for h in legend.legend_handles
                       if isinstance(h, Line2D) and h.get_linestyle() == "-"
                       and to_hex(h.get_color()) != "#333333"]   # the arms' entries
            for i, a in enumerate(colours):
                for b in colours[i + 1:]:
                    assert _told_apart(a, b), (name, a, b)
    finally:
        plt.close(fig)


def test_the_highest_line_of_a_report_plot_stays_clear_of_its_frame(arms: list[Arm]) -> None:
    """The giants' fleet ran along the top edge of the compute plot's log scale, and the
    giants' share of revenue (100% in the first months) along the concentration plot's."""
    import matplotlib.pyplot as plt

    for name in ("compute", "concentration"):
        fig = REPORT_PLOTS[name].build(arms)
        try:
            top = fig.axes[0]
            highest = max(np.nanmax(ln.get_ydata()) for ln in top.get_lines()
                          if len(ln.get_xdata()) > 2)
            assert highest * 1.02 < top.get_ylim()[1], name
        finally:
            plt.close(fig)
