"""baimo-compare: paired bootstrap differences, written outputs, overlay plots, bad inputs."""

from __future__ import annotations

import io
import json
import math
import shutil
from pathlib import Path

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
import pytest
from broken_runs import corrupted_copy, unfinished_copy
from conftest import hidden_by_keys, small_config
from rich.console import Console
from scipy import stats

from sim.compare import (
    DEFAULT_BOOTSTRAP_SEED,
    META,
    MIN_EXACT_N,
    NO_INTERVAL,
    NO_SPREAD,
    OUTCOMES,
    PAIRED_T,
    SUMMARY_MD,
    T_BELOW_N,
    TABLE,
    UNDEFINED_EVERY_MONTH,
    WELCH_T,
    Arm,
    CompareError,
    bootstrap_ci,
    bootstrap_rng,
    build_overlays,
    chance_note,
    compare,
    compare_table,
    difference_ci,
    display_rows,
    load_arms,
    main,
    pair_seeds,
    pairing_note,
    pairing_notes,
    plot_overlay,
    print_table,
)
from sim.outputs import COMPLETE, METRICS, SUMMARY
from sim.rng import replication_seeds
from sim.run import simulate, write_run
from sim.summary import model_code
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


@pytest.fixture(scope="module")
def grid(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One small sweep of two settings (fund terms of 3 and 10 years), two replications each."""
    d = tmp_path_factory.mktemp("compare_grid") / "patience__grid"
    command = ["+experiment=investor_patience", "funds.term_years=3,10", *TINY, f"sweep_dir={d}"]
    assert run_sweep(start_hydra(), command, Console(file=io.StringIO())) == 0
    return d


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


def synthetic_arm(label: str, seeds: list[int], **outcomes: list[float]) -> Arm:
    """An arm of given per-replication outcomes (no run behind it: the statistics only)."""
    table = pd.DataFrame({"seed": seeds, **outcomes})
    return Arm(label, Path(label), "run", "", table, pd.DataFrame())


def only_row(table: pd.DataFrame, outcome: str, arm: str) -> pd.Series:
    return table[(table["outcome"] == outcome) & (table["arm"] == arm)].iloc[0]


def test_two_replications_get_student_t_intervals_not_the_bootstraps_range() -> None:
    """With 2 values the bootstrap's interval is their range: +1 and +2 over two seeds was
    starred [1, 2]. Below T_BELOW_N replications the interval is paired t (same seeds) or
    Welch's t (other seeds), which at 1 degree of freedom is wide and includes 0."""
    ref = synthetic_arm("ref", [1, 2], x=[10.0, 20.0])
    same = synthetic_arm("same_seeds", [2, 1], x=[22.0, 11.0])        # paired by seed: +1, +2
    other = synthetic_arm("other_seeds", [3, 4], x=[11.0, 22.0])
    table = compare_table([ref, same, other], ["x"], resamples=999)
    row = only_row(table, "x", "same_seeds")
    assert row["paired"] and row["interval"] == PAIRED_T and row["diff"] == 1.5
    ci = stats.ttest_rel([11.0, 22.0], [10.0, 20.0]).confidence_interval(0.95)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((ci.low, ci.high))
    assert row["ci_low"] < 0 < row["ci_high"] and not row["significant"]
    row = only_row(table, "x", "other_seeds")
    assert not row["paired"] and row["interval"] == WELCH_T
    ci = stats.ttest_ind([11.0, 22.0], [10.0, 20.0], equal_var=False).confidence_interval(0.95)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((ci.low, ci.high))
    assert only_row(table, "x", "ref")["interval"] == ""


def test_welch_t_uses_the_welch_satterthwaite_degrees_of_freedom() -> None:
    rng = np.random.default_rng(3)
    a, b = rng.normal(0, 1, size=3), rng.normal(1, 5, size=8)     # unequal sizes and spreads
    arms = [synthetic_arm("a", [1, 2, 3], x=list(a)),
            synthetic_arm("b", list(range(10, 18)), x=list(b))]
    for level in (0.9, 0.95):
        row = only_row(compare_table(arms, ["x"], confidence=level), "x", "b")
        ci = stats.ttest_ind(b, a, equal_var=False).confidence_interval(level)
        assert row["interval"] == WELCH_T
        assert (row["ci_low"], row["ci_high"]) == pytest.approx((ci.low, ci.high))


def test_from_ten_replications_on_the_interval_is_the_bootstrap() -> None:
    seeds = list(range(T_BELOW_N))
    rng = np.random.default_rng(5)
    ref = rng.normal(0, 1, size=T_BELOW_N)
    other = ref + 1 + rng.normal(0, 0.1, size=T_BELOW_N)
    table = compare_table([synthetic_arm("ref", seeds, x=list(ref)),
                           synthetic_arm("other", seeds, x=list(other)),
                           synthetic_arm("short", seeds[:-1], x=list(other[:-1]))],
                          ["x"], resamples=999)
    row = only_row(table, "x", "other")
    expected = bootstrap_ci(ref, other, True, 0.95, 999,
                            bootstrap_rng(DEFAULT_BOOTSTRAP_SEED, "x", "other"))
    assert row["interval"] == "bootstrap BCa"
    assert (row["ci_low"], row["ci_high"]) == pytest.approx(expected)
    # 29 replications, paired over the seeds both ran: t
    assert only_row(table, "x", "short")["interval"] == PAIRED_T


def test_an_outcomes_bootstrap_interval_does_not_move_with_what_else_is_compared() -> None:
    """One generator shared by every (outcome, arm) gave an outcome's interval the draws
    the outcomes and arms before it left: asking for one more outcome moved it."""
    seeds = list(range(T_BELOW_N))
    rng = np.random.default_rng(11)
    ref, noise = rng.normal(0, 1, size=(2, T_BELOW_N))
    arms = [synthetic_arm("ref", seeds, x=list(ref), y=list(ref * 2)),
            synthetic_arm("other", seeds, x=list(ref + 1 + noise), y=list(ref + noise)),
            synthetic_arm("third", seeds, x=list(ref - noise), y=list(ref * 3))]
    alone = only_row(compare_table(arms[:2], ["x"], resamples=999), "x", "other")
    assert alone["interval"] == "bootstrap BCa"
    for table in (compare_table(arms, ["y", "x"], resamples=999),
                  compare_table([arms[0], arms[2], arms[1]], ["x", "y"], resamples=999)):
        row = only_row(table, "x", "other")
        assert (row["ci_low"], row["ci_high"]) == (alone["ci_low"], alone["ci_high"])


@pytest.mark.parametrize("n", [2, MIN_EXACT_N - 1, MIN_EXACT_N, T_BELOW_N])
def test_equal_differences_are_a_point_starred_only_from_min_exact_n(n: int) -> None:
    """Every pair one startup apart: 'startups founded -1 * [-1, -1]' on two replications."""
    seeds = list(range(n))
    founded = [230.0 + 3 * k for k in range(n)]
    table = compare_table([synthetic_arm("ref", seeds, founded=founded),
                           synthetic_arm("other", seeds, founded=[f - 1 for f in founded])],
                          ["founded"], resamples=999)
    row = only_row(table, "founded", "other")
    assert (row["ci_low"], row["ci_high"], row["interval"]) == (-1, -1, NO_SPREAD)
    assert row["significant"] == (n >= MIN_EXACT_N)
    assert (row["note"] != "") == (n < MIN_EXACT_N)


def test_an_arm_whose_difference_is_undefined_is_not_the_reference() -> None:
    """No funds (TVPI undefined) against funds with TVPI 0: the second arm's row said
    "(reference)" in summary.md and showed a bare mean in the terminal."""
    nan = float("nan")
    arms = [synthetic_arm("no_funds", [1, 2], tvpi=[nan, nan], dpi=[0.5, 0.7]),
            synthetic_arm("no_startups", [1, 2], tvpi=[0.0, 0.0], dpi=[nan, 0.2]),
            synthetic_arm("third", [1, 2], tvpi=[0.0, 0.0], dpi=[0.5, 0.8])]
    table = compare_table(arms, ["tvpi", "dpi"], resamples=999)
    cells = {(r[0], r[1]): r[4:] for r in display_rows(table)}
    assert cells["tvpi", "no_funds"] == [
        "(reference; undefined in every replication of no_funds)", "", "", ""]
    assert cells["tvpi", "no_startups"] == [
        "n/a (undefined in every replication of no_funds)", "n/a", "paired", "none"]
    assert cells["dpi", "no_startups"][:2] == [
        "-0.5 (left out 1 of 2 pairs: undefined in 1 of 2 replications of no_startups)",
        "n/a (n<2)"]
    assert cells["dpi", "third"][0] == "+0.05" and cells["dpi", "third"][3] == PAIRED_T
    assert not table["significant"].any()
    printed = io.StringIO()
    print_table(table, 0.95, Console(file=printed, width=300))
    tvpi_line = next(line for line in printed.getvalue().splitlines()
                     if "undefined in every replication of no_funds" in line)
    assert tvpi_line.count("n/a (undefined in every replication of no_funds)") == 2


def test_a_difference_leaves_out_undefined_replications_as_the_mean_does() -> None:
    """An arm's mean skipped a replication with an undefined outcome, but its difference
    was n/a if any one was undefined: 4 of 5 replications said nothing. The difference now
    rests on the seeds defined in both arms (paired) or each arm's defined replications
    (Welch), chosen and starred by the rules for the n it uses, and says what it left out."""
    nan = float("nan")
    seeds = list(range(T_BELOW_N))
    rng = np.random.default_rng(7)
    ref = 50 + rng.normal(0, 10, size=T_BELOW_N)
    other = ref + 1 + rng.normal(0, 0.5, size=T_BELOW_N)
    other[0] = nan
    arms = [synthetic_arm("ref", seeds, x=list(ref), y=list(range(T_BELOW_N))),
            synthetic_arm("paired", seeds, x=list(other), y=[nan, *range(1, T_BELOW_N)]),
            synthetic_arm("welch", [s + 100 for s in seeds], x=list(other),
                          y=[nan] * T_BELOW_N)]
    table = compare_table(arms, ["x", "y"], resamples=999)
    row = only_row(table, "x", "paired")   # one pair fewer than T_BELOW_N: paired t
    assert row["paired"] and row["interval"] == PAIRED_T and row["significant"]
    assert row["mean"] == pytest.approx(np.nanmean(other))
    assert row["diff"] == pytest.approx(np.mean(other[1:] - ref[1:]))
    ci = stats.ttest_rel(other[1:], ref[1:]).confidence_interval(0.95)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((ci.low, ci.high))
    assert row["left_out"] == (f"left out 1 of {T_BELOW_N} pairs: undefined in 1 of "
                               f"{T_BELOW_N} replications of paired")
    row = only_row(table, "x", "welch")    # T_BELOW_N and one fewer: the smaller is below it
    assert not row["paired"] and row["interval"] == WELCH_T
    ci = stats.ttest_ind(other[1:], ref, equal_var=False).confidence_interval(0.95)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((ci.low, ci.high))
    assert row["left_out"] == f"left out: undefined in 1 of {T_BELOW_N} replications of welch"
    assert only_row(table, "y", "paired")["left_out"].startswith(f"left out 1 of {T_BELOW_N} pairs")
    row = only_row(table, "y", "welch")    # nothing left to compare: n/a, and why
    assert np.isnan(row["diff"]) and row["note"] == "undefined in every replication of welch"
    cells = {(r[0], r[1]): r[4] for r in display_rows(table)}
    assert cells["x", "paired"].endswith(f" * (left out 1 of {T_BELOW_N} pairs: undefined in 1 "
                                         f"of {T_BELOW_N} replications of paired)")
    printed = io.StringIO()
    print_table(table, 0.95, Console(file=printed, width=400))
    assert f"left out: undefined in 1 of {T_BELOW_N} replications of welch" in printed.getvalue()


def test_an_undefined_difference_counts_each_arm_s_undefined_replications() -> None:
    """Founding off in B: its revenue share is undefined in all 10 replications, A's in 1
    of 10. The note read "undefined in 1 of 10 replications of A and B", one count for
    both; each arm now has its own, and a single run is named alone."""
    nan = float("nan")
    seeds = list(range(T_BELOW_N))
    arms = [synthetic_arm("A", seeds, x=[nan, *[0.5] * (T_BELOW_N - 1)]),
            synthetic_arm("B", seeds, x=[nan] * T_BELOW_N),
            synthetic_arm("C", [99], x=[nan])]
    table = compare_table(arms, ["x"], resamples=999)
    assert only_row(table, "x", "B")["note"] == \
        f"undefined in 1 of {T_BELOW_N} replications of A and in every replication of B"
    assert only_row(table, "x", "C")["note"] == \
        f"undefined in 1 of {T_BELOW_N} replications of A and in C"
    cells = {(r[0], r[1]): r[4] for r in display_rows(table)}
    assert cells["x", "B"] == f"n/a (undefined in 1 of {T_BELOW_N} replications of A and in " \
        "every replication of B)"


def test_compare_writes_numbers_as_a_reader_would() -> None:
    """A one-month run against a two-month one "covers 1 months"; a mean of 999.7 read
    "1e+03", and a difference of -7.55e-05 so; summary.md and --help gave 9999 resamples
    without a thousands separator."""
    from sim.compare import CompareError, _check_matching, markdown, parser

    def span(label: str, months: int) -> Arm:
        metrics = pd.DataFrame({"seed": 1, "month": range(months),
                                "date": pd.date_range("2022-12-01", periods=months,
                                                      freq="MS")})
        return Arm(label, Path(label), "run", "", pd.DataFrame({"seed": [1]}), metrics)

    with pytest.raises(CompareError) as caught:
        _check_matching([span("one", 1), span("two", 2)])
    assert "two covers 2 months from 2022-12 but one covers 1 month from 2022-12" \
        in str(caught.value)
    arms = [synthetic_arm("ref", [1, 2], x=[999.7, 999.7]),
            synthetic_arm("big", [1, 2], x=[1999.7, 1999.7])]
    table = compare_table(arms, ["x"], resamples=999)
    assert [r[3:5] for r in display_rows(table)] == [["1,000", "(reference)"],
                                                     ["2,000", "+1,000"]]
    assert "The bootstrap draws 9,999 resamples." in markdown(arms, table, 0.95, 9999, [])
    small = [synthetic_arm("ref", [1, 2], x=[1e-4, 1e-4]),
             synthetic_arm("less", [1, 2], x=[2.45e-5, 2.45e-5])]   # .3g: "-7.55e-05"
    rows = display_rows(compare_table(small, ["x"], resamples=999))
    assert [r[3:5] for r in rows] == [["0.0001", "(reference)"], ["0.0000245", "-0.0000755"]]
    assert "(default 9,999)" in " ".join(parser().format_help().split())


def test_the_help_names_the_interval_each_number_of_replications_gets() -> None:
    """--help said "bootstrap confidence intervals" while below T_BELOW_N replications (every
    shipped experiment) the interval is Student's t."""
    from sim.compare import parser

    text = " ".join(parser().format_help().split())
    assert f"Student's t below {T_BELOW_N} replications, the bootstrap from there" in text
    assert "bootstrap confidence intervals" not in text


def test_the_reference_row_says_what_its_mean_left_out() -> None:
    """The reference arm's mean skipped an undefined replication without a word (the other
    arms' rows say it in their difference); its row now says it too, in every table."""
    nan = float("nan")
    arms = [synthetic_arm("ref", [1, 2, 3], x=[1.0, nan, 3.0], y=[1.0, 2.0, 3.0]),
            synthetic_arm("other", [1, 2, 3], x=[2.0, 3.0, 4.0], y=[1.0, 2.0, 3.0])]
    table = compare_table(arms, ["x", "y"], resamples=999)
    row = only_row(table, "x", "ref")
    assert row["mean"] == 2.0
    assert row["left_out"] == "left out of the mean: undefined in 1 of 3 replications of ref"
    assert only_row(table, "y", "ref")["left_out"] == ""     # every replication defined
    cells = {(r[0], r[1]): r[4] for r in display_rows(table)}
    assert cells["x", "ref"] == "(reference; left out of the mean: undefined in 1 of 3 " \
        "replications of ref)"
    assert cells["y", "ref"] == "(reference)"
    printed = io.StringIO()
    print_table(table, 0.95, Console(file=printed, width=400))
    assert "left out of the mean: undefined in 1 of 3 replications of ref" in printed.getvalue()
    # n is what the mean rests on (it said 3 beside a mean of 2 runs); runs, the arm's
    assert (row["n"], row["runs"], only_row(table, "y", "ref")["n"]) == (2, 3, 3)
    assert math.isnan(only_row(synthetic_compare_one(nan), "x", "ref")["sd"])
    assert "ref (n=3)" in printed.getvalue()   # the header counts the arm's runs


def synthetic_compare_one(nan: float) -> pd.DataFrame:
    """Two arms whose reference has one defined value of x: no sd from one value."""
    arms = [synthetic_arm("ref", [1, 2], x=[1.0, nan]),
            synthetic_arm("other", [1, 2], x=[2.0, 3.0])]
    return compare_table(arms, ["x"], resamples=999)


def test_a_point_difference_is_starred_by_the_pairs_left() -> None:
    """+2 in each of 5 seeds, one undefined: 4 pairs, fewer than MIN_EXACT_N, not starred."""
    seeds = list(range(MIN_EXACT_N))
    ref = [10.0 + 3 * k for k in seeds]
    arms = [synthetic_arm("ref", seeds, x=ref),
            synthetic_arm("few", seeds, x=[r + 2 for r in ref[:-1]] + [float("nan")])]
    row = only_row(compare_table(arms, ["x"], resamples=999), "x", "few")
    assert (row["ci_low"], row["ci_high"], row["interval"]) == (2, 2, NO_SPREAD)
    assert not row["significant"] and row["note"] == f"n=4 < {MIN_EXACT_N}: not starred"
    assert row["left_out"] == "left out 1 of 5 pairs: undefined in 1 of 5 replications of few"


def test_paired_arms_with_no_seed_defined_in_both_have_no_difference() -> None:
    nan = float("nan")
    arms = [synthetic_arm("ref", [1, 2], x=[1.0, nan]),
            synthetic_arm("other", [1, 2], x=[nan, 2.0])]
    row = only_row(compare_table(arms, ["x"], resamples=999), "x", "other")
    assert np.isnan(row["diff"]) and row["left_out"] == ""
    assert row["note"] == "no seed defined in both arms (undefined in 1 of 2 replications of " \
        "ref and in 1 of 2 replications of other)"


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
        if np.ptp(d) == 0:
            assert row["interval"] == NO_SPREAD and row["ci_low"] == row["ci_high"] == d[0]
        else:   # two pairs: the paired-t interval, not the bootstrap's (the pairs' range)
            assert row["interval"] == PAIRED_T
            ci = stats.ttest_rel(tb[key], ta.loc[tb.index, key]).confidence_interval(0.95)
            assert (row["ci_low"], row["ci_high"]) == pytest.approx((ci.low, ci.high))
    ref_rows = table[table["arm"] == result.arms[0].label]
    assert ref_rows["diff"].isna().all()


def test_the_startups_originals_and_the_data_outcomes_can_be_compared(
        sweeps: tuple[Path, Path]) -> None:
    """Claim 1's originals counted the giants' too, and summary.json had no data outcome for
    "what if data were protected" (data.spillover): the startups' originals, the data
    purchases and the firms' mean data quality at the end are key outcomes now, and
    baimo-compare takes each as an --outcome."""
    wanted = ["releases.startups_by_kind.original", "data.purchases", "data.quality_mean_final"]
    assert set(wanted) <= set(KEY_OUTCOMES)
    assert "giants'" in KEY_OUTCOMES["releases.by_kind.original"]
    result = compare(list(sweeps), outcomes=wanted, resamples=999, write=False)
    table = result.table
    assert list(dict.fromkeys(table["outcome"])) == wanted
    for arm, sweep in zip(result.arms, sweeps, strict=True):
        jobs = pd.read_parquet(sweep / "sweep.parquet")
        for key in wanted:
            assert only_row(table, key, arm.label)["mean"] == pytest.approx(jobs[key].mean())
    assert table["mean"].notna().all()


def test_one_sweep_compares_its_settings_with_its_first(grid: Path) -> None:
    """A sweep of two settings or more is a comparison on its own: a researcher who swept
    a grid had to run a second, separate sweep to get one."""
    result = compare([grid], resamples=999, write=False)
    # one sweep: its settings name the arms (the directory's name would only make the
    # table's columns wider)
    assert [a.label for a in result.arms] == ["funds.term_years=3", "funds.term_years=10"]
    jobs = pd.read_parquet(grid / "sweep.parquet")
    by_term = {t: rows.set_index("seed") for t, rows in jobs.groupby("param.funds.term_years")}
    row = only_row(result.table, "releases.total", result.arms[1].label)
    assert row["paired"]
    assert row["diff"] == pytest.approx(
        (by_term[10]["releases.total"] - by_term[3]["releases.total"]).mean())


def test_reference_names_the_arm_the_others_are_compared_with(grid: Path) -> None:
    result = compare([grid], resamples=999, write=False, reference="funds.term_years=10")
    assert [a.label for a in result.arms] == ["funds.term_years=10", "funds.term_years=3"]
    jobs = pd.read_parquet(grid / "sweep.parquet")
    by_term = {t: rows.set_index("seed") for t, rows in jobs.groupby("param.funds.term_years")}
    for key in ("releases.total", "exits.bankrupt"):
        row = only_row(result.table, key, "funds.term_years=3")
        assert row["reference"] == "funds.term_years=10"
        assert row["diff"] == pytest.approx((by_term[3][key] - by_term[10][key]).mean())


def test_reference_names_an_arm_of_several_inputs_by_its_label(
        grid: Path, sweeps: tuple[Path, Path]) -> None:
    """Of several inputs an arm's label names its directory too: the reference is named by
    that label, or by its setting where only one input has it."""
    for name in ("patience__grid[funds.term_years=10]", "funds.term_years=10"):
        result = compare([sweeps[0], grid], resamples=999, write=False, reference=name)
        assert [a.label for a in result.arms] == ["patience__grid[funds.term_years=10]",
                                                 "patience__term3",
                                                 "patience__grid[funds.term_years=3]"]
        assert only_row(result.table, "releases.total", "patience__term3")["paired"]


def test_reference_is_a_whole_name_not_a_part_of_one(grid: Path) -> None:
    """``funds.term_years=1`` is part of ``funds.term_years=10``'s name, not that arm's:
    picking it would compare with a setting the user did not ask for."""
    with pytest.raises(CompareError, match=r"--reference funds.term_years=1: names no arm; "
                       r"the arms are: funds.term_years=3; funds.term_years=10$"):
        compare([grid], write=False, reference="funds.term_years=1")


def _rows(intervals: list[str], starred: int) -> pd.DataFrame:
    """A comparison table's interval columns: one reference row, then one row per interval,
    the first ``starred`` of them starred."""
    ref = {"arm": "ref", "reference": "ref", "interval": "", "significant": False}
    rows = [{"arm": "b", "reference": "ref", "interval": kind, "significant": i < starred}
            for i, kind in enumerate(intervals)]
    return pd.DataFrame([ref, *rows])


def test_the_chance_note_counts_the_stars_chance_alone_would_give() -> None:
    """Fifteen key outcomes over two arms are thirty intervals: at 95% about 1.5 of them
    exclude 0 when nothing differs, and a reader seeing one star had no word of it."""
    table = _rows([PAIRED_T] * 12 + [WELCH_T] * 8 + [NO_SPREAD, NO_INTERVAL], starred=3)
    assert chance_note(table, 0.95) == (
        "3 of 20 intervals exclude 0; at 95% about 1.0 would by chance alone if no arm "
        "differed from the reference: a lone * among many is weak evidence (fewer --outcome "
        "keys ask fewer questions)")
    assert chance_note(table, 0.9).startswith("3 of 20 intervals exclude 0; at 90% about 2.0 ")
    # a point (no spread) is no sampled interval: its star is not chance's
    assert chance_note(_rows([NO_SPREAD] * 5 + [PAIRED_T], starred=5), 0.95) is None


def test_the_command_writes_the_reference_it_was_given(
        grid: Path, output_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_main([str(grid), "--reference", "funds.term_years=10", "--no-plots",
                               "--resamples", "999"], capsys)
    assert code == 0, err
    (directory,) = (output_root / "compare").iterdir()
    meta = json.loads((directory / META).read_text())
    assert meta["reference"] == "funds.term_years=10"
    assert [a["label"] for a in meta["arms"]] == ["funds.term_years=10", "funds.term_years=3"]
    assert "funds.term_years=10" in out
    sampled = meta["chance_note"]
    assert sampled is not None and sampled.split(" intervals exclude 0")[0] in out
    assert f"- {sampled}." in (directory / SUMMARY_MD).read_text()


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
    assert "model releases" in out and "95% CI" in out
    assert "paired t CI" in out and f"Below {T_BELOW_N} replications" in out
    for name in (TABLE, OUTCOMES, META, SUMMARY_MD, COMPLETE):
        assert (directory / name).is_file(), name
    written = pd.read_parquet(directory / TABLE)
    assert len(written) == 2 * len(KEY_OUTCOMES)
    others = written[written["arm"] != written["reference"]]
    assert set(others["interval"]) <= {PAIRED_T, NO_SPREAD} and PAIRED_T in set(others["interval"])
    per_rep = pd.read_parquet(directory / OUTCOMES)
    assert len(per_rep) == 4 and set(per_rep["seed"]) == set(replication_seeds(42, 2))
    meta = json.loads((directory / META).read_text())
    assert meta["arms"][1]["paired_with_reference"] is True
    assert meta["arms"][1]["interval"] == PAIRED_T
    # what ran each arm, to audit the comparison from its own directory (it had the typed
    # paths and the seeds alone)
    for arm, source in zip(meta["arms"], (a, b), strict=True):
        assert arm["source_absolute"] == str(source.resolve())
        assert len(arm["config_hashes"]) == 2   # one per replication's seed
        assert arm["model_codes"] == [model_code()] and len(arm["git_commits"]) == 1
        assert "horizon_months=12" in arm["changed_from_defaults"]
    assert meta["arms"][0]["changed_from_defaults"] != meta["arms"][1]["changed_from_defaults"]
    assert meta["interval_rule"]["student_t_below_replications"] == T_BELOW_N
    assert meta["interval_rule"]["point_starred_from_replications"] == MIN_EXACT_N
    md = (directory / SUMMARY_MD).read_text()
    assert "# baimo comparison" in md and "| model releases |" in md and "paired" in md
    assert "| pairing | interval |" in md and "| paired | paired t |" in md
    assert f"Below {T_BELOW_N} replications" in md and "Welch" in md
    assert "| difference | 95% CI |" in md
    run_main([str(a), str(b), "--resamples", "999", "--no-plots", "--confidence", "0.9"], capsys)
    (ninety,) = (d for d in (output_root / "compare").iterdir() if d != directory)
    assert "| difference | 90% CI |" in (ninety / SUMMARY_MD).read_text()   # it said 95%


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
    # matplotlib's "best" place put a key over an arm's peak; no key hides a mean now
    assert {name: hidden_by_keys(f) for name, f in figures.items()} == \
        {name: [] for name in figures}
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


def test_many_arms_and_few_outcomes_read_down_one_table() -> None:
    """A sweep of ten settings asked for one outcome printed it over pages of four narrow
    columns, the interval rule under each (a new user found a single outcome on two pages).
    With fewer outcomes than arms the arms are now the rows; the rule is said once."""
    seeds = [1, 2, 3]
    arms = [synthetic_arm(f"setting={k}", seeds, x=[k + 0.1 * s for s in seeds],
                          y=[2.0 * k + s for s in seeds]) for k in range(6)]
    printed = io.StringIO()
    print_table(compare_table(arms, ["x"], resamples=999), 0.95,
                Console(file=printed, width=100))
    text = printed.getvalue()
    assert "Key outcomes:" in text and "(1/2)" not in text   # one table
    rows = [line for line in text.splitlines() if line.startswith("│ setting=")]
    assert [r.split("│")[1].split()[0] for r in rows] == [f"setting={k}" for k in range(6)]
    lines = text.splitlines()
    assert "5.2" in rows[-1] and "+5" in lines[lines.index(rows[-1]) + 1]   # mean, difference
    assert text.count("Below 30 replications") == 1
    # as many outcomes as arms, or arms that fit: a column per arm, as before
    printed = io.StringIO()
    print_table(compare_table(arms[:3], ["x", "y"], resamples=999), 0.95,
                Console(file=printed, width=200))
    header = next(line for line in printed.getvalue().splitlines() if "outcome" in line)
    assert all(f"setting={k}" in printed.getvalue() for k in range(3)) and "arm" not in header


def _broken_inputs(sweeps: tuple[Path, Path], grid: Path, tmp: Path
                   ) -> dict[str, tuple[list[str], str]]:
    a, b = sweeps
    twin = tmp / "twin__grid"     # the same settings under another name
    shutil.copytree(grid, twin)
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
        "one input": ([str(a)], "only one run or setting: nothing to compare"),
        "unknown reference": ([str(a), str(b), "--reference", "nope"],
                              "--reference nope: names no arm; the arms are: patience__term3; "
                              "patience__term10"),
        "ambiguous reference": ([str(grid), str(twin), "--reference", "funds.term_years=3"],
                                "--reference funds.term_years=3: names 2 arms"),
        "missing": ([str(a), str(tmp / "nowhere")], "no such directory"),
        "symlink loop": ([str(a), str(tmp / "loop_a")], "loop_a: no such directory"),
        "empty": ([str(a), str(empty)], "neither a run directory"),
        "half-written run": ([str(a), str(half)], "not a finished run"),
        "corrupted run": ([str(a), str(corrupt)], "unreadable run output"),
        "unfinished sweep": ([str(a), str(unfinished)], "1 of 2 jobs is not complete"),
        "other horizon": ([str(a), str(short)], "covers 11 months"),
        "same twice": ([str(a), str(a)], "given twice"),
        "unknown outcome": ([str(a), str(b), "--outcome", "nope.nothing"], "--outcome nope"),
        "mistyped outcome": ([str(a), str(b), "--outcome", "startups.survivor"],
                             "not a numeric outcome of every input (did you mean "
                             "startups.survivors?)"),
        # a swept value, compared as an outcome and starred (+1 [1, 1])
        "setting as outcome": ([str(a), str(b), "--outcome", "param.funds.term_years"],
                               "--outcome param.funds.term_years: a swept setting, not an "
                               "outcome"),
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


def test_bad_inputs_give_one_line_and_exit_2(sweeps: tuple[Path, Path], grid: Path,
                                             tmp_path: Path, output_root: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    for case, (args, message) in _broken_inputs(sweeps, grid, tmp_path).items():
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


def test_a_runs_undefined_outcomes_are_compared_as_n_a_not_dropped(
        run_dir: Path, tmp_path: Path, output_root: Path) -> None:
    """One buyer: summary.json writes null for the revenue HHI and the giants' share. A run
    arm was a one-row frame, so that column was None (not numeric) and the outcome vanished
    from the comparison of every arm, with no note."""
    lone = tmp_path / "one_buyer"
    write_run(simulate(small_config("buyers.count=1")), lone, plots=False)
    summary = json.loads((lone / SUMMARY).read_text())
    assert summary["concentration"]["hhi_final"] is None     # what the fix is about
    result = compare([run_dir, lone], resamples=999, plots=False)
    table = result.table
    assert set(table["outcome"]) == set(KEY_OUTCOMES) and result.left_out == {}
    for key in ("concentration.hhi_final", "concentration.giant_revenue_share_final"):
        ref_row, row = table[table["outcome"] == key].to_dict("records")
        assert ref_row["mean"] > 0 and np.isnan(row["mean"]) and np.isnan(row["diff"])
        assert row["note"] == "undefined in one_buyer"
    assert result.directory is not None
    md = (result.directory / SUMMARY_MD).read_text()
    # n counts the runs the mean rests on: none
    assert "| enterprise revenue HHI at the end | one_buyer | 0 | n/a | n/a (undefined in " \
           "one_buyer) |" in md
    assert "## Notes" not in md


def test_key_outcomes_still_left_out_are_named_in_a_note(
        run_dir: Path, tmp_path: Path, output_root: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    older = tmp_path / "older"          # a run of a baimo without the share of GPU buyers
    shutil.copytree(run_dir, older)
    summary = json.loads((older / SUMMARY).read_text())
    del summary["startups"]["share_bought_gpus"]
    (older / SUMMARY).write_text(json.dumps(summary))
    code, out, err = run_main([str(run_dir), str(older), "--no-plots"], capsys)
    assert code == 0, err
    why = "not in older"
    assert f"left out share of startups that bought GPUs (startups.share_bought_gpus): {why}" \
        in out
    (directory,) = (output_root / "compare").iterdir()
    md = (directory / SUMMARY_MD).read_text()
    assert f"- share of startups that bought GPUs (`startups.share_bought_gpus`): {why}" in md
    meta = json.loads((directory / META).read_text())
    assert meta["left_out"] == {"startups.share_bought_gpus": why}


def lesson_copy(sweeps: tuple[Path, Path], lesson: Path, arms: tuple[str, ...]) -> Path:
    """A baimo-teach lesson directory's layout (teach.json, runs/<arm>/rep-<k>), its arms'
    runs copied from the sweeps' jobs (baseline: the first sweep, scenario: the second)."""
    lesson.mkdir(parents=True)
    (lesson / "teach.json").write_text(json.dumps({"pack": "patient_capital"}))
    for arm, sweep in zip(arms, sweeps, strict=False):
        jobs = sorted(p for p in sweep.iterdir() if (p / COMPLETE).exists())
        for k, job in enumerate(jobs):
            shutil.copytree(job, lesson / "runs" / arm / f"rep-{k}")
    return lesson


def test_a_lesson_directory_points_to_its_arms_and_that_command_compares_them(
        sweeps: tuple[Path, Path], tmp_path: Path, output_root: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    """It said 'neither a run directory ... nor a sweep directory'; a lesson's arms are
    directories of runs (runs/<arm>/rep-<k>), which compare now reads as one arm each."""
    lesson = lesson_copy(sweeps, tmp_path / "lesson", ("baseline", "scenario"))
    suggested = f"baimo-compare {lesson}/runs/baseline {lesson}/runs/scenario"
    for given in (lesson, lesson / "runs"):
        code, _, err = run_main([str(given), str(sweeps[0]), "--no-plots"], capsys)
        assert code == 2 and len(err.strip().splitlines()) == 1, err
        assert err.startswith(f"baimo-compare: error: {given}: a baimo-teach ")
        assert err.rstrip().endswith(f"compare its arms with: {suggested}")
    code, out, err = run_main([*suggested.split()[1:], "--resamples", "999", "--no-plots"], capsys)
    assert code == 0, err
    lessons = compare([lesson / "runs" / "baseline", lesson / "runs" / "scenario"],
                      resamples=999, write=False)
    direct = compare(list(sweeps), resamples=999, write=False)
    assert [(a.label, a.kind, a.n) for a in lessons.arms] == \
        [("baseline", "runs", 2), ("scenario", "runs", 2)]
    assert lessons.arms[1].seeds == direct.arms[1].seeds
    pd.testing.assert_frame_equal(
        lessons.table.drop(columns=["arm", "reference"]),
        direct.table.drop(columns=["arm", "reference"]))


def test_a_lesson_without_comparison_or_with_a_broken_run_says_so(
        sweeps: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    single = lesson_copy(sweeps, tmp_path / "single", ("scenario",))
    code, _, err = run_main([str(single), str(sweeps[0]), "--no-plots"], capsys)
    assert code == 2
    assert err.rstrip().endswith(
        f"compare them with another input: baimo-compare {single}/runs/scenario OTHER_DIR")
    (single / "runs" / "scenario" / "rep-2").mkdir()     # a run that never wrote anything
    code, _, err = run_main([str(single / "runs" / "scenario"), str(sweeps[0]), "--no-plots"],
                            capsys)
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert f"{single}/runs/scenario/rep-2: not a run directory" in err


def test_a_one_month_comparison_draws_its_points(tmp_path: Path) -> None:
    """horizon_months=1 (dated shocks cleared): each arm's mean was a line through one
    point, which draws nothing (empty axes); short series now carry a marker at each month."""
    one = tmp_path / "one_month"
    short = ["horizon_months=1", "hype.shocks=[]", "compute.export_controls=[]"]
    write_run(simulate(small_config(*short)), one, plots=False)
    reps = tmp_path / "two_seeds"       # a directory of runs: an arm of two replications
    for seed in (1, 2):
        write_run(simulate(small_config(*short, f"seed={seed}")), reps / f"rep-{seed}",
                  plots=False)
    figures = build_overlays(load_arms([one, reps]))
    assert set(figures) == {f"overlay_{m}" for m in KEY_SERIES}
    for name, fig in figures.items():
        (ax,) = fig.axes
        if name in ("overlay_giant_revenue_share", "overlay_hhi_enterprise_revenue"):
            continue        # no revenue in the first month: undefined, nothing to draw
        for line in ax.get_lines():
            assert len(line.get_xdata()) == 1, name
            assert line.get_marker() == "o" and line.get_markersize() > 0
            y = line.get_ydata()[0]
            assert ax.get_ylim()[0] <= y <= ax.get_ylim()[1]
        (band,) = ax.collections            # the two-seed arm's band: a bar over its month
        ((start, end),) = band.get_segments()
        assert start[0] == end[0]


def test_a_one_month_overlay_undefined_in_every_arm_shows_dates() -> None:
    """Two one-month runs without enterprise revenue: nothing dated was drawn, and the
    limits set around the month in day numbers gave the axis its ticks: 19290 ... 19370.
    The axis now shows the dates around the month."""
    import matplotlib.pyplot as plt

    when = pd.Timestamp("2022-12-01")
    arms = [Arm(f"seed{seed}", Path(f"seed{seed}"), "run", "", pd.DataFrame({"seed": [seed]}),
                pd.DataFrame({"seed": [seed], "month": [0], "date": [when],
                              "hhi_enterprise_revenue": [np.nan]}))
            for seed in (42, 7)]
    fig = plot_overlay(arms, "hhi_enterprise_revenue")
    (ax,) = fig.axes
    fig.canvas.draw()
    shown = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert shown and not any(text.isdigit() for text in shown)
    ticked = pd.to_datetime(shown)
    assert ticked.min() < when < ticked.max()
    assert ticked.max() - ticked.min() < pd.Timedelta(days=100)
    plt.close(fig)


def test_an_overlay_says_which_arm_is_undefined_in_every_month(
        sweeps: tuple[Path, Path]) -> None:
    """An arm with no enterprise revenue has no revenue share in any month: its legend
    entry was a line drawn nowhere, and the axis began where the other arm's data did.
    The legend now says it is undefined, and the axis spans the runs."""
    import dataclasses

    import matplotlib.pyplot as plt

    ref, other = load_arms(list(sweeps))
    metric = "giant_revenue_share"
    blank = dataclasses.replace(ref, metrics=ref.metrics.assign(**{metric: np.nan}))
    late = other.metrics.assign(**{metric: other.metrics[metric].where(
        other.metrics["month"] >= 6)})
    fig = plot_overlay([blank, dataclasses.replace(other, metrics=late)], metric)
    (ax,) = fig.axes
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == [f"{ref.label} (n=2): {UNDEFINED_EVERY_MONTH}", f"{other.label} (n=2)"]
    dates = pd.to_datetime(ref.metrics["date"])
    low, high = (mdates.num2date(x).replace(tzinfo=None) for x in ax.get_xlim())
    assert low <= dates.min() and high >= dates.max()
    assert not ax.texts     # one arm is drawn: no note over it
    nothing = plot_overlay([blank, dataclasses.replace(other, metrics=other.metrics.assign(
        **{metric: np.nan}))], metric)
    assert [t.get_text() for t in nothing.axes[0].texts] == \
        [f"{UNDEFINED_EVERY_MONTH} of every arm"]
    for f in (fig, nothing):
        plt.close(f)


def test_the_terminal_table_shows_long_outcome_names_whole(sweeps: tuple[Path, Path]) -> None:
    """In a narrow terminal outcome names were cut to the column ('funding.raised_by_year…'
    for each year's funding), so two --outcome names could read the same; the outcome
    column now folds: every name is whole."""
    outcomes = ["adoption_month_24.large_digital", "adoption_month_24.traditional"]
    result = compare(list(sweeps), outcomes=outcomes, resamples=999, write=False)
    printed = io.StringIO()
    print_table(result.table, 0.95, Console(file=printed, width=80))
    first = "".join(line.split("│")[1].strip() for line in printed.getvalue().splitlines()
                    if line.startswith("│"))          # the outcome column, row after row
    for name in outcomes:
        assert name in first, name


def test_an_outcome_asked_for_twice_is_compared_once(sweeps: tuple[Path, Path]) -> None:
    """--outcome releases.total twice ended in a traceback (duplicate columns) and left a
    half-written comparison; it is compared once."""
    result = compare(list(sweeps), outcomes=["releases.total", "releases.total"],
                     resamples=999, write=False)
    assert result.table["outcome"].tolist().count("releases.total") == len(result.arms)


def test_twenty_replications_get_student_t_not_the_bootstrap() -> None:
    """The BCa bootstrap's 95% intervals of 10-20 normal differences covered the mean only
    90-93.5% of the time (t: 95%), so from 10 replications baimo-compare starred about
    twice the differences it should (a statistical audit): t is used below 30."""
    rng = np.random.default_rng(3)
    ref = rng.normal(0, 1, size=20)
    other = ref + 0.3 + rng.normal(0, 1, size=20)
    low, high, method = difference_ci(ref, other, True, 0.95, 999, np.random.default_rng(0))
    ci = stats.ttest_rel(other, ref).confidence_interval(0.95)
    assert method == PAIRED_T and (low, high) == pytest.approx((ci.low, ci.high))


def test_a_longer_baseline_is_paired_with_a_shorter_experiment_over_their_shared_seeds() -> None:
    """An analyst compared a 10-replication baseline with a 5-replication experiment of the
    same base seed: seeds 0-4 ran in both, yet every row read "unpaired" (Welch), with
    intervals 3-5 times wider. They are now paired over those 5 seeds, and a note names the
    baseline's runs the differences leave out."""
    rng = np.random.default_rng(3)
    level = rng.normal(100, 20, 10)   # the seed's draw, shared by both arms' runs
    baseline = synthetic_arm("baseline", list(range(10)), x=list(level))
    shorter = synthetic_arm("protected", list(range(5)), x=list(level[:5] + 1.0))
    row = only_row(compare_table([baseline, shorter], ["x"], resamples=999), "x", "protected")
    assert row["paired"] and row["interval"] == NO_SPREAD
    assert (row["diff"], row["ci_low"], row["ci_high"]) == pytest.approx((1.0, 1.0, 1.0))
    assert row["significant"]
    assert pair_seeds(baseline, shorter) == [0, 1, 2, 3, 4] == pair_seeds(shorter, baseline)
    assert pairing_note(baseline, shorter) == (
        "protected is paired with the reference over the 5 seeds both ran: its differences "
        "leave out 5 runs of baseline; its mean is over all its runs")
    assert pairing_note(baseline, baseline) is None
    # an experiment's settings beside the longer baseline: one line for them all, not one each
    open_data = synthetic_arm("open", list(range(5)), x=list(level[:5] - 1.0))
    assert pairing_notes([baseline, shorter, open_data]) == [
        "2 arms (protected; open) are each paired with the reference over the 5 seeds they "
        "all ran: their differences leave out 5 runs of baseline; each arm's mean is over all "
        "its runs"]
    assert pairing_notes([baseline, shorter]) == [pairing_note(baseline, shorter)]


def test_arms_sharing_only_some_seeds_each_are_two_samples() -> None:
    """Seeds 0-4 against 3-7: neither arm's seeds are all the other's, so the arms are two
    independent samples (pairing 2 of 5 runs would throw most of both away); nor is a
    single run paired with a sweep that ran its seed."""
    a = synthetic_arm("a", list(range(5)), x=[1.0, 2.0, 3.0, 4.0, 5.0])
    b = synthetic_arm("b", list(range(3, 8)), x=[2.0, 3.0, 4.0, 5.0, 6.0])
    assert pair_seeds(a, b) == [] and pairing_note(a, b) is None
    row = only_row(compare_table([a, b], ["x"], resamples=999), "x", "b")
    assert not row["paired"] and row["interval"] == WELCH_T
    assert pair_seeds(a, synthetic_arm("one", [2], x=[3.0])) == []


def test_the_runs_a_pairing_leaves_out_are_said_under_the_table_and_in_the_files(
        sweeps: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Three replications beside a sweep of two of the same base seed are paired over those
    two: the terminal, summary.md and compare.json say which run is left out."""
    longer = tmp_path / "term10_thrice"
    command = ["+experiment=investor_patience", "funds.term_years=10", *TINY, "replications=3",
               f"sweep_dir={longer}"]
    assert run_sweep(start_hydra(), command, Console(file=io.StringIO())) == 0
    code, out, _ = run_main([str(sweeps[0]), str(longer), "--no-plots", "--resamples", "999"],
                            capsys)
    assert code == 0
    written = Path(out.strip().splitlines()[-1].split("wrote ", 1)[1])
    ref, arm = json.loads((written / META).read_text())["arms"]
    seeds = replication_seeds(42, 3)
    note = (f"{arm['label']} is paired with the reference over the 2 seeds both ran: its "
            f"differences leave out 1 run of {arm['label']}; its mean is over all its runs")
    assert arm["paired_with_reference"] and arm["pairing_note"] == note
    assert arm["paired_seeds"] == sorted(seeds[:2])
    assert f"baimo-compare: {note}" in " ".join(out.split())
    assert f"- {note}." in (written / SUMMARY_MD).read_text()


def test_reference_defaults_picks_the_setting_that_kept_the_model_s_defaults(
        grid: Path, tmp_path: Path) -> None:
    """An analyst had to type a whole setting of two lists to compare each setting with the
    model's defaults. --reference defaults finds it: the arm that changed only what every
    arm changed (the experiment's and the command's own settings), here 4-year funds."""
    d = tmp_path / "patience__3_4"
    command = ["+experiment=investor_patience", "funds.term_years=3,4", *TINY, f"sweep_dir={d}"]
    assert run_sweep(start_hydra(), command, Console(file=io.StringIO())) == 0
    result = compare([d], reference="defaults", resamples=999, write=False)
    assert [a.label for a in result.arms] == ["funds.term_years=4", "funds.term_years=3"]
    with pytest.raises(CompareError) as info:   # 3 and 10 years: neither is the default 4
        compare([grid], reference="defaults", resamples=999, write=False)
    assert str(info.value) == (
        "--reference defaults: no arm kept the model's defaults where the arms differ (the "
        "arms are: funds.term_years=3; funds.term_years=10); name the reference by its "
        "label or setting")


def test_settings_an_inputs_arms_share_beyond_their_labels_are_named(
        grid: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """investor_patience fixes funds.term_spread_years=0.5 in every job; set beside another
    experiment's arms, its arm labelled funds.term_years=4 read as the baseline, and only
    compare.json's changed_from_defaults said otherwise (found by following the README's
    example as a new user). A note now names it, printed, in summary.md and compare.json;
    the other input, which changes nothing its labels do not show, gets none."""
    d = tmp_path / "protection"
    command = ["+experiment=data_protection", "data.spillover=0.6", *TINY, f"sweep_dir={d}"]
    assert run_sweep(start_hydra(), command, Console(file=io.StringIO())) == 0
    code, out, err = run_main([str(grid), str(d), "--resamples", "999", "--no-plots"], capsys)
    assert code == 0, err
    note = (f"{grid}'s arms also change funds.term_spread_years=0.5 from the defaults, which "
            "their labels do not show and not every other input changes: a difference between "
            "its arms and another input's is partly theirs")
    assert f"baimo-compare: {note}" in " ".join(out.split())
    written = Path(out.split("wrote ")[-1].strip())
    assert json.loads((written / "compare.json").read_text())["setting_notes"] == [note]
    assert note in " ".join((written / SUMMARY_MD).read_text().split())
    # one input alone: its arms share the setting with nothing to be told apart from
    assert compare([grid], resamples=999, write=False).settings == []


def test_a_key_too_wide_for_any_clear_place_in_the_panel_goes_under_it() -> None:
    """Two arms labelled by their 70-character directory names: a key that wide covered the
    peak of one arm's GPU price wherever it stood in the panel. It now stands under the
    panel, and no key is left in it."""
    dates = pd.date_range("2022-12-01", periods=24, freq="MS")
    peak = np.concatenate([np.linspace(1, 2, 12), np.linspace(2, 1, 12)])
    arms = [Arm(label, Path(label), "run", "", pd.DataFrame({"seed": [1]}),
                pd.DataFrame({"seed": 1, "month": range(24), "date": dates,
                              "gpu_price_mcny": peak * scale}))
            for label, scale in (("base", 0.1), ("x" * 70, 0.2))]
    fig = plot_overlay(arms, "gpu_price_mcny")
    (ax,) = fig.axes
    assert ax.get_legend() is None
    (key,) = fig.legends
    assert [t.get_text() for t in key.get_texts()] == ["base (n=1)", f"{'x' * 70} (n=1)"]
    fig.canvas.draw()
    assert key.get_window_extent().y1 <= ax.get_window_extent().y0   # under the panel


def test_an_ad_hoc_sweep_is_labelled_by_its_whole_directory_name(tmp_path: Path) -> None:
    """A one-setting ad-hoc sweep (its fixed overrides in its directory's name) was
    labelled "sweep": the cost and seed that told it from the other arm were not shown."""
    from sim.compare import _short_names

    named = tmp_path / "compute_squeeze__horizon_months=36"
    ad_hoc = tmp_path / "sweep__compute.production_cost_mcny=0.18,seed=7"
    assert _short_names([named, ad_hoc]) == ["compute_squeeze", ad_hoc.name]


def test_arms_that_coincide_stay_visible_and_arms_differ_to_colour_blind_readers() -> None:
    """Three arms of the same GPU price showed as one line, the last drawn, with nothing
    to say the others were under it; and tab10's orange and green, the second and third
    arms, were one colour to a protanope. Each arm now has its own line style too, and
    the colours are Okabe and Ito's."""
    from sim.sweep.plots import DISTINCT_COLOURS

    dates = pd.date_range("2022-12-01", periods=24, freq="MS")
    arms = [Arm(label, Path(label), "run", "", pd.DataFrame({"seed": [1]}),
                pd.DataFrame({"seed": 1, "month": range(24), "date": dates,
                              "gpu_price_mcny": np.linspace(0.1, 0.2, 24)}))
            for label in ("a", "b", "c")]
    fig = plot_overlay(arms, "gpu_price_mcny")
    lines = [ln for ln in fig.axes[0].get_lines() if len(ln.get_xdata()) == 24]
    assert len({ln.get_linestyle() for ln in lines}) == 3
    assert [ln.get_color() for ln in lines] == list(DISTINCT_COLOURS[:3])


def test_the_gpu_price_is_drawn_in_thousand_cny_as_in_every_other_plot() -> None:
    """The run plot and the report draw the GPU price in thousand CNY (100-230); overlays
    and fans drew the metric as stored, million CNY (0.10-0.23), a scale that read as
    another quantity."""
    from sim.sweep.outcomes import KEY_SERIES

    dates = pd.date_range("2022-12-01", periods=12, freq="MS")
    arm = Arm("a", Path("a"), "run", "", pd.DataFrame({"seed": [1]}),
              pd.DataFrame({"seed": 1, "month": range(12), "date": dates,
                            "gpu_price_mcny": np.linspace(0.11, 0.22, 12)}))
    fig = plot_overlay([arm], "gpu_price_mcny")
    (ax,) = fig.axes
    (line,) = [ln for ln in ax.get_lines() if len(ln.get_xdata()) == 12]
    assert max(line.get_ydata()) == pytest.approx(220.0)
    assert ax.get_ylabel() == KEY_SERIES["gpu_price_mcny"] == \
        "GPU price (thousand CNY per A100-eq)"


def test_a_sweep_with_a_job_not_complete_is_compared_without_it_when_asked(
        sweeps: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``--skip-unfinished`` leaves out a sweep's jobs that are not complete (a failed or
    interrupted job) and says which, as ``baimo-report`` does; without it the sweep is
    refused, and the line says the option exists. Until 2026-12-07 a sweep with one failed
    job could not be compared at all. A sweep none of whose jobs is complete is refused
    either way."""
    a, b = sweeps
    unfinished = tmp_path / "unfinished"
    shutil.copytree(b, unfinished)
    job = next(p for p in sorted(unfinished.iterdir()) if (p / COMPLETE).exists())
    (job / COMPLETE).unlink()
    with pytest.raises(CompareError, match="1 of 2 jobs is not complete .*, or pass "
                                           "--skip-unfinished to leave them out"):
        compare([a, unfinished], resamples=999, write=False)
    result = compare([a, unfinished], resamples=999, write=False, skip_unfinished=True)
    assert [arm.n for arm in result.arms] == [2, 1]
    assert len(result.skipped_jobs) == 1 and result.skipped_jobs[0].endswith(
        f"left out: {job.name}")
    main([str(a), str(unfinished), "--skip-unfinished", "--no-plots", "--resamples", "999"])
    assert f"left out: {job.name}" in capsys.readouterr().out
    for other in unfinished.iterdir():
        if other.is_dir():
            (other / COMPLETE).unlink(missing_ok=True)
    with pytest.raises(CompareError, match="2 of 2 jobs are not complete"):
        compare([a, unfinished], resamples=999, write=False, skip_unfinished=True)
