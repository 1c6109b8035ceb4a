"""baimo-compare: paired bootstrap differences, written outputs, overlay plots, bad inputs."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from broken_runs import corrupted_copy, unfinished_copy
from rich.console import Console

from sim.compare import (
    META,
    OUTCOMES,
    SUMMARY_MD,
    TABLE,
    bootstrap_ci,
    build_overlays,
    compare,
    load_arms,
    main,
    print_table,
)
from sim.outputs import COMPLETE, METRICS
from sim.rng import replication_seeds
from sim.sweep.outcomes import KEY_OUTCOMES, KEY_SERIES
from sim.sweep.runner import run_sweep
from sim.sweep.spec import start_hydra

#: Every test writes under its own temporary output root (conftest.output_root).
pytestmark = pytest.mark.usefixtures("output_root")

TINY = ["horizon_months=12", "buyers.count=200", "replications=2", "hydra/launcher=basic",
        "sweep_plots=false"]


@pytest.fixture(scope="module")
def sweeps(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Two small sweeps of two replications each, same base seed: patient vs impatient funds."""
    base = tmp_path_factory.mktemp("compare")
    dirs = []
    for term in (3, 10):
        d = base / f"patience__term{term}"
        command = ["+experiment=investor_patience", f"funds.term_years={term}", *TINY,
                   f"sweep_dir={d}"]
        code = run_sweep(start_hydra(), command, Console(file=io.StringIO()))
        assert code == 0
        dirs.append(d)
    return dirs[0], dirs[1]


def run_main(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        main(args)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_paired_bootstrap_is_much_tighter_than_unpaired_on_common_random_numbers() -> None:
    rng = np.random.default_rng(1)
    luck = rng.normal(0, 10, size=20)                 # what the shared seed decides
    ref = 50 + luck
    other = 51 + luck + rng.normal(0, 0.1, size=20)   # the treatment adds 1
    lo, hi = bootstrap_ci(ref, other, True, 0.95, 999, np.random.default_rng(0))
    assert 0.9 < lo < 1 < hi < 1.1
    ulo, uhi = bootstrap_ci(ref, other, False, 0.95, 999, np.random.default_rng(0))
    assert ulo < 0 < uhi                               # unpaired: lost in the noise
    assert np.isnan(bootstrap_ci(ref[:1], other[:1], True, 0.95, 999,
                                 np.random.default_rng(0))).all()
    assert bootstrap_ci(np.ones(3), np.ones(3) * 2, True, 0.95, 999,
                        np.random.default_rng(0)) == (1.0, 1.0)


def test_compare_two_sweeps_pairs_replications_and_differences(sweeps: tuple[Path, Path]) -> None:
    a, b = sweeps
    result = compare([a, b], resamples=999, write=False)
    assert [arm.label for arm in result.arms] == ["patience__term3", "patience__term10"]
    assert result.arms[0].seeds == replication_seeds(42, 2) == result.arms[1].seeds
    table = result.table
    assert set(table["outcome"]) == set(KEY_OUTCOMES)
    assert len(table) == 2 * len(KEY_OUTCOMES)
    ta = pd.read_parquet(a / "sweep.parquet").set_index("seed")
    tb = pd.read_parquet(b / "sweep.parquet").set_index("seed")
    for key in ("releases.total", "funding.down_rounds", "exits.secondary_sale"):
        row = table[(table["outcome"] == key) & (table["arm"] == result.arms[1].label)].iloc[0]
        assert row["paired"]
        assert row["mean"] == pytest.approx(tb[key].mean())
        assert row["diff"] == pytest.approx((tb[key] - ta.loc[tb.index, key]).mean())
        d = (tb[key] - ta.loc[tb.index, key]).to_numpy()
        assert row["ci_low"] <= row["diff"] <= row["ci_high"]
        assert d.min() - 1e-9 <= row["ci_low"] and row["ci_high"] <= d.max() + 1e-9
    ref_rows = table[table["arm"] == result.arms[0].label]
    assert ref_rows["diff"].isna().all()


def test_a_single_run_is_compared_unpaired_without_an_interval(sweeps: tuple[Path, Path]) -> None:
    a, b = sweeps
    job = next(p for p in sorted(b.iterdir()) if (p / COMPLETE).exists())
    result = compare([a, job], resamples=999, write=False)
    assert result.arms[1].kind == "run" and result.arms[1].n == 1
    other = result.table[result.table["arm"] == result.arms[1].label]
    assert not other["paired"].any() and other["ci_low"].isna().all()


def test_compare_command_prints_and_writes_under_the_output_root(
        sweeps: tuple[Path, Path], output_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a, b = sweeps
    code, out, err = run_main([str(a), str(b), "--resamples", "999", "--no-plots"], capsys)
    assert code == 0, err
    (directory,) = (output_root / "compare").iterdir()
    assert f"wrote {directory}" in out
    assert "model releases" in out and "bootstrap CI" in out
    for name in (TABLE, OUTCOMES, META, SUMMARY_MD, COMPLETE):
        assert (directory / name).is_file(), name
    written = pd.read_parquet(directory / TABLE)
    assert len(written) == 2 * len(KEY_OUTCOMES)
    per_rep = pd.read_parquet(directory / OUTCOMES)
    assert len(per_rep) == 4 and set(per_rep["seed"]) == set(replication_seeds(42, 2))
    meta = json.loads((directory / META).read_text())
    assert meta["arms"][1]["paired_with_reference"] is True
    md = (directory / SUMMARY_MD).read_text()
    assert "# baimo comparison" in md and "| model releases |" in md and "paired" in md


def test_overlay_plots_draw_each_arm_with_its_band(sweeps: tuple[Path, Path]) -> None:
    import matplotlib.pyplot as plt

    arms = load_arms(list(sweeps))
    figures = build_overlays(arms)
    assert set(figures) == {f"overlay_{m}" for m in KEY_SERIES}
    fig = figures["overlay_independent_builders"]
    (ax,) = fig.axes
    assert len(ax.get_lines()) == 2 and len(ax.collections) == 2
    assert [t.get_text() for t in ax.get_legend().get_texts()] == \
        [f"{arm.label} (n=2)" for arm in arms]
    assert ax.get_ylabel() == KEY_SERIES["independent_builders"]
    for f in figures.values():
        plt.close(f)


def test_terminal_table_has_a_column_per_arm(sweeps: tuple[Path, Path]) -> None:
    result = compare(list(sweeps), resamples=999, write=False)
    printed = io.StringIO()
    print_table(result.table, 0.95, Console(file=printed, width=200))
    text = printed.getvalue()
    for arm in result.arms:
        assert arm.label in text
    assert text.count("model releases") == 1


def _broken_inputs(sweeps: tuple[Path, Path], tmp: Path) -> dict[str, tuple[list[str], str]]:
    a, b = sweeps
    job = next(p for p in sorted(a.iterdir()) if (p / COMPLETE).exists())
    half = unfinished_copy(job, tmp / "half")
    corrupt = corrupted_copy(job, tmp / "corrupt", METRICS)
    short = tmp / "short"
    shutil.copytree(job, short)
    m = pd.read_parquet(short / METRICS)
    m.iloc[:-1].to_parquet(short / METRICS, index=False)
    unfinished = tmp / "unfinished"
    shutil.copytree(b, unfinished)
    next(p for p in sorted(unfinished.iterdir()) if (p / COMPLETE).exists()).joinpath(
        COMPLETE).unlink()
    empty = tmp / "empty"
    empty.mkdir()
    (tmp / "loop_a").symlink_to(tmp / "loop_b")
    (tmp / "loop_b").symlink_to(tmp / "loop_a")
    return {
        "one input": ([str(a)], "at least two"),
        "missing": ([str(a), str(tmp / "nowhere")], "no such directory"),
        "symlink loop": ([str(a), str(tmp / "loop_a")], "loop_a: no such directory"),
        "empty": ([str(a), str(empty)], "neither a run directory"),
        "half-written run": ([str(a), str(half)], "not a finished run"),
        "corrupted run": ([str(a), str(corrupt)], "unreadable run output"),
        "unfinished sweep": ([str(a), str(unfinished)], "1 of 2 jobs are not complete"),
        "other horizon": ([str(a), str(short)], "covers 11 months"),
        "same twice": ([str(a), str(a)], "given twice"),
        "unknown outcome": ([str(a), str(b), "--outcome", "nope.nothing"], "--outcome nope"),
        "text outcome": ([str(a), str(b), "--outcome", "config_hash"],
                         "--outcome config_hash: not a numeric outcome"),
        "seed outcome": ([str(a), str(b), "--outcome", "seed"],   # was a KeyError
                         "--outcome seed: not a numeric outcome"),
        "replication outcome": ([str(a), str(b), "--outcome", "replication"],
                                "--outcome replication: not a numeric outcome"),
        "bad confidence": ([str(a), str(b), "--confidence", "2"], "--confidence"),
        "too few resamples": ([str(a), str(b), "--resamples", "10"], "--resamples=10 is out"),
        "too many resamples": ([str(a), str(b), "--resamples", "100000000000"],
                               "allowed 100 to 1,000,000"),
        "negative seed": ([str(a), str(b), "--seed", "-1"], "--seed=-1 must be 0 or more"),
        "bad option": ([str(a), str(b), "--frobnicate"], "unrecognized arguments"),
    }


def test_bad_inputs_give_one_line_and_exit_2(sweeps: tuple[Path, Path], tmp_path: Path,
                                             output_root: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    for case, (args, message) in _broken_inputs(sweeps, tmp_path).items():
        code, out, err = run_main([*args, "--no-plots"], capsys)
        lines = err.strip().splitlines()
        assert code == 2, case
        assert len(lines) == 1 and lines[0].startswith("baimo-compare: error:"), (case, err)
        assert message in lines[0], (case, lines[0])
    assert not (output_root / "compare").exists()


@pytest.mark.parametrize("key", ["seed", "config_hash"])
def test_a_runs_seed_is_refused_as_an_outcome_as_its_config_hash_is(
        key: str, run_dir: Path, tmp_path: Path, output_root: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    """``--outcome seed`` on two runs stopped with KeyError: 'seed' (the replications are
    indexed by their seed); ``--outcome config_hash`` was refused in one line."""
    other = tmp_path / "other"
    shutil.copytree(run_dir, other)
    code, _, err = run_main(["--outcome", key, "--no-plots", str(run_dir), str(other)], capsys)
    assert code == 2
    assert err == (f"baimo-compare: error: --outcome {key}: not a numeric outcome of every "
                   "input (see the columns of sweep.parquet, e.g. exits.bankrupt)\n")
    assert not (output_root / "compare").exists()
