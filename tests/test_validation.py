"""baimo-validate: facts and their criteria, comparative statics, the report, the command."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim import compare
from sim.configuration import compose
from sim.validation import facts as F
from sim.validation import plots, report, statics
from sim.validation.replicate import (
    Replication,
    outcomes,
    replicate,
    run_configs,
    with_seed,
)
from sim.validation.statics import CLAIMS, Effect, Outcome, paired_ci

MONTHS = 40


def synthetic(good: bool = True, seed: int = 1) -> Replication:
    """A replication that meets every criterion (or, with good=False, none)."""
    t = np.arange(MONTHS, dtype=float)
    releases = 12 * t if good else 2 * t
    builders = np.where(t <= 20, 5 * t, 100 - 3 * (t - 20)) if good else 3 * t
    m = pd.DataFrame({
        "month": t.astype(int),
        "date": pd.date_range("2022-12-01", periods=MONTHS, freq="MS"),
        "releases_total_cum": releases,
        "releases_original_cum": releases * (0.1 if good else 0.5),
        "releases_shell_cum": releases * 0.6,
        "releases_assembled_cum": releases * (0.3 if good else 0.2),
        "gpus_purchased_giants_cum": 1000 * t,
        "gpus_purchased_startups_cum": (10 if good else 1000) * t,
        "funding_deals": np.where(t < 12, 10, 5) if good else np.full(MONTHS, 5),
        "independent_builders": builders,
        "adoption_large_digital": 0.004 * t,
        "adoption_gov_soe": (0.002 if good else 0.005) * t,
        "adoption_traditional": 0.001 * t,
        "adoption_sme": 0.001 * t,
    })
    o = {"gpus_purchased_giants_24": 23000.0,
         "gpus_purchased_startups_24": 230.0 if good else 23000.0,
         "share_startups_bought_gpus_24": 0.01 if good else 0.5,
         "deals_y1": 120.0 if good else 60.0, "deals_y2": 60.0,
         "secondary_sale": 30.0 if good else 1.0, "acquired": 10.0 if good else 1.0,
         "ipo": 2.0 if good else 5.0, "valuation_step_y1": 1.3 if good else 0.7}
    return Replication(seed, m, {}, o)


# ------------------------------------------------------------------ facts
def test_there_is_one_fact_per_stylized_fact_of_domain_s4_and_one_of_seed_004() -> None:
    assert [f.key for f in F.FACTS] == ["entry_burst", "giants_buy_gpus", "original_fewest",
                                        "funding_cools", "shakeout", "adoption_order",
                                        "exits_not_ipo", "valuations_rise"]
    assert all(f.criterion and "seed" in f.statement for f in F.FACTS)


@pytest.mark.parametrize("fact", F.FACTS, ids=lambda f: f.key)
def test_each_criterion_passes_and_fails(fact: F.Fact) -> None:
    assert fact.measure(synthetic(good=True)).passed
    assert not fact.measure(synthetic(good=False)).passed


def nothing_happened(value: float = 0.0) -> Replication:
    """A replication in which nothing the facts count ever happened (every number ``value``:
    0, or NaN for an outcome no run defined)."""
    rep = synthetic()
    metrics = rep.metrics.copy()
    counted = [c for c in metrics.columns if c not in ("month", "date")]
    metrics[counted] = value
    return Replication(rep.seed, metrics, {}, dict.fromkeys(rep.outcomes, value))


@pytest.mark.parametrize("fact", F.FACTS, ids=lambda f: f.key)
def test_pass_and_margin_agree_even_when_nothing_happened(fact: F.Fact) -> None:
    """The verdict and the margin the calibration's loss reads say the same: a passing
    replication never has a negative margin, a failing one never a positive margin. A shake-out
    of builders there never were passed (0 <= 90% of 0) with the margin -1."""
    for rep in (synthetic(True), synthetic(False), nothing_happened(), nothing_happened(math.nan)):
        m = fact.measure(rep)
        if m.passed:
            assert m.margin >= 0, (fact.key, m)
        else:
            assert not m.margin > 0, (fact.key, m)


def test_no_builders_is_no_shakeout() -> None:
    m = F.shakeout(nothing_happened())
    assert not m.passed and m.margin == -1.0
    assert m.values == {"peak independent builders": 0.0, "builders at month 36": 0.0}


def test_entry_burst_thresholds_are_the_sources() -> None:
    rep = synthetic()
    rep.metrics.loc[rep.metrics["month"] == 4, "releases_total_cum"] = 29
    assert not F.entry_burst(rep).passed
    rep.metrics.loc[rep.metrics["month"] == 4, "releases_total_cum"] = 30
    assert F.entry_burst(rep).passed
    rep.metrics.loc[rep.metrics["month"] == 12, "releases_total_cum"] = 129
    assert not F.entry_burst(rep).passed


def test_the_entry_bursts_130_are_counted_by_the_end_of_2023() -> None:
    """Seed 004: "more than 130" in the whole of 2023. Month 12 is December 2023 (month 0
    the start date's December 2022); the count was read at month 13, January 2024."""
    rep = synthetic()
    rep.metrics.loc[rep.metrics["month"] == 12, "releases_total_cum"] = 129
    rep.metrics.loc[rep.metrics["month"] == 13, "releases_total_cum"] = 500
    assert not F.entry_burst(rep).passed
    assert F.entry_burst(rep).values["releases by month 12"] == 129


def test_exits_count_secondary_sales_against_ipos_not_acquisitions() -> None:
    """Seed 004 names M&A with the IPO as the exits that grow harder; the way out it
    describes is a sale of shares to a later investor. Acquisitions no longer make up
    for too few secondary sales."""
    rep = synthetic()
    rep.outcomes.update({"secondary_sale": 2.0, "acquired": 50.0, "ipo": 3.0})
    assert not F.exits_not_ipo(rep).passed
    rep.outcomes.update({"secondary_sale": 4.0})
    assert F.exits_not_ipo(rep).passed


def test_adoption_order_needs_both_inequalities() -> None:
    rep = synthetic()
    rep.metrics["adoption_sme"] = rep.metrics["adoption_gov_soe"] * 1.01
    assert not F.adoption_order(rep).passed


def test_outcomes_from_a_small_run(small_tables) -> None:
    o = outcomes(small_tables)
    ev = small_tables.events
    assert o["ipo"] == (ev["kind"] == "ipo").sum()
    assert o["deals_y1"] == small_tables.metrics.loc[small_tables.metrics["month"] < 12,
                                                      "funding_deals"].sum()
    assert 0 <= o["share_startups_bought_gpus_24"] <= 1
    assert o["founded_y1"] <= o["founded"]
    # the boom year's follow-on rounds: pre-money (post less raised) over the last post-money
    r = ev[ev["kind"] == "round_closed"]
    steps = [(b.valuation_mcny - b.amount_mcny) / a.valuation_mcny
             for _, g in r.groupby("actor")
             for a, b in zip(g.itertuples(), g.iloc[1:].itertuples(), strict=False)
             if b.month < 12]
    assert o["valuation_step_y1"] == pytest.approx(float(np.median(steps)))
    # who trained the models released in months 0-23, in A100-eq-months
    released = ev[(ev["kind"] == "model_release") & (ev["month"] < 24)]
    by_startups = released.loc[released["actor_type"] == "startup", "gpus"].sum()
    by_giants = released.loc[released["actor_type"] == "giant", "gpus"].sum()
    assert by_startups > 0 and by_giants > 0
    assert o["training_compute_startups_24"] == pytest.approx(by_startups)
    assert o["training_share_giants_24"] == pytest.approx(by_giants / (by_giants + by_startups))


# ------------------------------------------------------------------ report and plots
def test_evaluate_and_table() -> None:
    reps = [synthetic(True, 1)] * 9 + [synthetic(False, 2)]
    results = report.evaluate(reps)
    assert all(r.share == pytest.approx(0.9) and r.verdict == "PASS" for r in results)
    rows = report.fact_rows(results)
    assert [r[0] for r in rows] == [f.title for f in F.FACTS]
    assert rows[0][4] == "90% of 10" and rows[0][5] == "PASS"
    assert "releases by month 4: 48;" in rows[0][2]
    worse = report.evaluate([synthetic(True)] * 8 + [synthetic(False)] * 2)
    assert all(r.verdict == "FAIL" for r in worse)
    md = report.markdown_table(report.FACT_HEADERS, rows)
    assert md.count("\n") == len(F.FACTS) + 1 and "share passing" in md


def test_one_plot_per_fact_with_titles_and_axes() -> None:
    reps = [synthetic(True, k) for k in range(5)]
    figures = plots.fact_figures(report.evaluate(reps), reps)
    assert sorted(figures) == sorted(f.key for f in F.FACTS)
    for key, fig in figures.items():
        ax = fig.axes[0]
        assert "replications pass" in ax.get_title(), key
        assert ax.get_ylabel(), key
    assert len(figures["original_fewest"].axes[0].lines) >= 3
    assert len(figures["adoption_order"].axes[0].lines) >= 4
    assert len(figures["exits_not_ipo"].axes[0].patches) == 3
    assert len(figures["valuations_rise"].axes[0].collections[0].get_offsets()) == 5


def test_fact_plots_keep_their_labels_apart_and_count_replications_in_whole_numbers() -> None:
    """The entry-burst plot wrote each threshold beside its marker, and ">= 30 by month 4"
    ran into month 6's marker: the three are now one key entry, no text on the panel. The
    valuation plot ticked its replications 1.0, 1.2, ... 2.0."""
    reps = [synthetic(True, k) for k in range(2)]
    figures = plots.fact_figures(report.evaluate(reps), reps)
    burst = figures["entry_burst"].axes[0]
    assert not burst.texts
    keyed = [t.get_text() for t in burst.get_legend().get_texts()]
    assert any(t.startswith("criterion: >= 30 by month 4, >= 40 by month 6") for t in keyed)
    rise = figures["valuations_rise"]
    rise.canvas.draw()
    ax = rise.axes[0]
    low, high = ax.get_xlim()
    assert all(float(t).is_integer() for t in ax.get_xticks() if low <= t <= high)


# ------------------------------------------------------------------ statics
def test_paired_ci_covers_the_mean_and_detects_signs() -> None:
    rng = np.random.default_rng(0)
    base = rng.normal(5.0, 1.0, 30)
    treated = base + rng.normal(2.0, 1.0, 30)
    lo, hi, interval = paired_ci(base, treated, seed=1)
    assert lo < (treated - base).mean() < hi and lo > 0 and interval == compare.BOOTSTRAP_BCA
    claim = CLAIMS[0]
    boot = compare.BOOTSTRAP_BCA
    up = Effect(claim, Outcome("x", "x", +1), "", 0, 1, 1, 0.5, 1.5, 1.0, 30, boot)
    down = Effect(claim, Outcome("x", "x", +1), "", 1, 0, -1, -1.5, -0.5, 0.0, 30, boot)
    unsure = Effect(claim, Outcome("x", "x", +1), "", 0, 0.1, 0.1, -0.5, 0.7, 0.6, 30, boot)
    assert up.verdict == "expected sign" and up.ok and not up.wrong_sign
    assert down.verdict == "WRONG SIGN" and down.wrong_sign
    assert not unsure.ok and not unsure.wrong_sign
    none = Effect(claim, Outcome("x", "x", -1), "", 0, 0, 0, 0, 0, 0.0, 30, compare.NO_SPREAD)
    assert none.verdict.startswith("NO EFFECT") and not none.ok
    nan = math.nan
    unmeasured = Effect(claim, Outcome("x", "x", +1), "", nan, nan, nan, nan, nan, nan, 0,
                        compare.NO_INTERVAL)
    assert unmeasured.verdict.startswith("NOT MEASURED") and not unmeasured.ok
    assert not unmeasured.wrong_sign and not unmeasured.undecided


@pytest.mark.parametrize("pairs", [2, 3, 9, 10, 40])
def test_the_statics_interval_is_baimo_compares(pairs: int) -> None:
    """Student's t below compare's T_BELOW_N pairs, its bootstrap from there on: a percentile
    bootstrap of 2 differences was just their range, and 2 pairs could fail a validation."""
    rng = np.random.default_rng(pairs)
    base = rng.normal(10.0, 2.0, pairs)
    treated = base + rng.normal(1.0, 1.0, pairs)
    got = paired_ci(base, treated, seed=3)
    assert got == compare.difference_ci(base, treated, True, statics.CONFIDENCE,
                                        statics.BOOTSTRAP_RESAMPLES, np.random.default_rng(3))
    assert got[2] == (compare.PAIRED_T if pairs < compare.T_BELOW_N else compare.BOOTSTRAP_BCA)
    if pairs == 2:
        d = treated - base
        assert got[0] < d.min() and got[1] > d.max()   # wider than their range
    # a pair missing in either arm is left out of the interval
    holes = np.append(base, math.nan), np.append(treated, 1.0)
    assert paired_ci(*holes, seed=3) == got


def _arms(diffs: list[float], key: str = "gpus_owned_giants_final") -> tuple[
        list[Replication], list[Replication]]:
    """A baseline and a treatment arm whose paired differences of ``key`` are ``diffs``."""
    empty = pd.DataFrame()
    baseline = [Replication(k, empty, {}, {key: 100.0 + k}) for k in range(len(diffs))]
    treated = [Replication(k, empty, {}, {key: 100.0 + k + d}) for k, d in enumerate(diffs)]
    return baseline, treated


@pytest.mark.parametrize(("diffs", "verdict"), [
    ([-3.0], "TOO FEW PAIRS (1: an interval needs 2)"),
    ([-3.0, -3.0], "TOO FEW PAIRS (2, every difference the same: a point is judged from 5 "
                   "pairs)"),
    ([-3.0] * 4, "TOO FEW PAIRS (4, every difference the same: a point is judged from 5 "
                 "pairs)"),
    ([-3.0, -1.0], "wrong sign, CI includes 0"),   # t on 1 degree of freedom: +-12.7 se
])
def test_too_few_pairs_give_no_verdict_and_never_fail_the_validation(
        diffs: list[float], verdict: str) -> None:
    """One pair, or a few identical differences, gave 'WRONG SIGN' and exit 1 (and 'expected
    sign' the other way), as their interval was the point or the range of two values."""
    claim = next(c for c in CLAIMS if c.key == "internal_use")   # one outcome, predicted +1
    base = compose([])
    baseline, treated = _arms(diffs)
    (wrong,) = statics.effects(baseline, [treated], [claim], base)
    assert wrong.verdict == verdict and not wrong.wrong_sign
    assert report.Validation([], [wrong], [], {}).ok
    assert wrong.undecided == verdict.startswith("TOO FEW PAIRS")
    baseline, treated = _arms([-d for d in diffs])
    (right,) = statics.effects(baseline, [treated], [claim], base)
    assert not right.ok and right.verdict != "expected sign"


def test_five_identical_pairs_carry_a_verdict_as_in_baimo_compare() -> None:
    claim = next(c for c in CLAIMS if c.key == "internal_use")
    baseline, treated = _arms([-3.0] * compare.MIN_EXACT_N)
    (e,) = statics.effects(baseline, [treated], [claim], compose([]))
    assert e.interval == compare.NO_SPREAD and e.verdict == "WRONG SIGN"
    v = report.Validation([], [e], [], {})
    assert not v.ok and v.wrong_signs == [e] and not v.undecided


def test_a_channel_has_no_predicted_sign_so_it_never_fails_a_claim() -> None:
    claim = CLAIMS[0]
    channel = Outcome("x", "channel: x", 0)
    down = Effect(claim, channel, "", 1, 0, -1, -1.5, -0.5, math.nan, 30, compare.BOOTSTRAP_BCA)
    assert not channel.predicted and Outcome("x", "x", -1).predicted
    assert down.verdict.startswith("channel") and not down.wrong_sign and not down.ok
    (row,) = report.static_rows([down])
    assert row[6] == "n/a of 30" and row[7].startswith("channel")


def test_the_report_counts_one_replication_and_one_process_in_the_singular() -> None:
    claim = next(c for c in CLAIMS if c.key == "internal_use")
    baseline, treated = _arms([-3.0])
    effects = statics.effects(baseline, [treated], [claim], compose([]))
    meta = {"replications": 1, "horizon_months": 40, "seed": 42, "config_hash": "0" * 12,
            "overrides": "", "started": "2026-01-01T00:00:00", "seconds": 1.0, "jobs": 1,
            "statics": {"replications": 1, "horizon_months": 40, "buyers": 2000}}
    md = report.render(report.Validation(report.evaluate([synthetic()]), effects, [], meta), {})
    assert "Baseline: 1 replication of 40 months" in md and "s on 1 process." in md
    assert "over 1 paired replication (replication k" in md
    assert "**No verdict (too few pairs):** 1 of the predicted effects." in md


def test_every_compute_lever_shows_the_channels_it_runs_through() -> None:
    compute = [c for c in CLAIMS if c.title.startswith("2")]
    for claim in compute:
        keys = [o.key for o in claim.outcomes if not o.predicted]
        assert keys == ["original_releases_startups", "best_capability_24", "pivots_24",
                        "builders_24", "giant_revenue_share_24", "giant_revenue_share_y3_4"]
        # claim 2's chain: who can train (startups train less), concentration in giants
        predicted = {o.key: o.expected_sign for o in claim.outcomes if o.predicted}
        assert predicted["training_compute_startups_24"] == -1, claim.key
        assert predicted["gpus_purchased_startups_24"] == -1, claim.key
        assert predicted["training_share_giants_24"] == +1, claim.key
    # each claim predicts something: a claim of channels only could never be checked
    assert all(any(o.predicted for o in c.outcomes) for c in CLAIMS)


def test_every_causal_claim_has_a_lever_and_each_lever_composes() -> None:
    # DOMAIN.md s3 has seven claims; claim 2 names two levers (supply, price): 2a, 2b
    numbers = [claim.title.split(".")[0] for claim in CLAIMS]
    assert sorted({n.rstrip("ab") for n in numbers}) == [str(k) for k in range(1, 8)]
    assert len(set(numbers)) == len(CLAIMS) and {"2a", "2b"} <= set(numbers)
    base = compose([])
    # every lever touches its own keys, so one composition checks all the overrides
    treated = compose([o for claim in CLAIMS for o in claim.overrides(base)])
    for claim in CLAIMS:
        for key, (before, after) in claim.changes(base).items():
            assert before != after, claim.key
            assert statics._get(treated, key) == pytest.approx(after), key
        assert "->" in claim.lever(base)


def test_run_statics_pairs_seeds_end_to_end() -> None:
    claim = next(c for c in CLAIMS if c.key == "data_spillover")
    effects = statics.run_statics(compose, ["buyers.count=300"], replications=2, jobs=1,
                                  claims=[claim], horizon=13, buyers=300)
    (e,) = effects
    assert e.replications == 2 and e.lever == "data.spillover 0.6 -> 0.9"
    assert math.isfinite(e.mean_diff) and e.mean_diff <= 0   # more spill-over, fewer purchases


def test_replications_in_processes_equal_in_process() -> None:
    cfg = compose(["horizon_months=13", "buyers.count=200"])
    serial = replicate(cfg, 2, jobs=1)
    parallel = run_configs([with_seed(cfg, r.seed) for r in serial], jobs=2)
    assert [r.seed for r in serial] == [r.seed for r in parallel]
    for a, b in zip(serial, parallel, strict=True):
        pd.testing.assert_frame_equal(a.metrics, b.metrics)


# ------------------------------------------------------------------ the command
def _run(args: list[str], root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sim.validate", *args], capture_output=True,
                          text=True, env={**os.environ, "BAIMO_OUTPUT_ROOT": str(root)},
                          timeout=300)


def test_reduced_validation_writes_table_report_and_plots(tmp_path: Path) -> None:
    proc = _run(["--replications", "4", "--horizon", "40", "--no-statics", "buyers.count=2000"],
                tmp_path)
    assert proc.returncode in (0, 1), proc.stderr
    for f in F.FACTS:
        assert f.title in proc.stdout
    (out,) = (tmp_path / "validate").iterdir()
    data = json.loads((out / report.RESULTS).read_text())
    assert [x["key"] for x in data["facts"]] == [f.key for f in F.FACTS]
    assert data["meta"]["replications"] == 4 and data["meta"]["horizon_months"] == 40
    assert proc.returncode == (0 if data["ok"] else 1)
    md = (out / report.REPORT).read_text()
    assert md.count("![") == len(F.FACTS)
    assert sorted(p.stem for p in (out / "plots").glob("*.png")) == sorted(f.key for f in F.FACTS)
    table = pd.read_parquet(out / report.PER_REPLICATION)
    assert set(table["replication"]) == {0, 1, 2, 3}


def test_a_failing_fact_exits_non_zero_and_every_file_is_written_atomically(
        tmp_path: Path, monkeypatch, capsys: pytest.CaptureFixture[str]) -> None:
    """Also: every file the validation writes goes to a temporary name first and is renamed
    into place (issue 6), the report and the plots too (they were written in place)."""
    from sim import outputs, validate

    atomic = []
    real = outputs.atomic_write

    def recorded(path: Path, write) -> None:   # noqa: ANN001 - a spy
        atomic.append(path)
        real(path, write)

    monkeypatch.setattr(outputs, "atomic_write", recorded)
    monkeypatch.setenv("BAIMO_OUTPUT_ROOT", str(tmp_path))
    with pytest.raises(SystemExit) as exit_:
        validate.main(["--replications", "2", "--horizon", "37", "--jobs", "1", "--no-statics",
                       "buyers.count=300", "startups.base_founding_rate=0.05"])
    assert exit_.value.code == 1
    assert "baimo-validate: 2 replications x 37 months on 1 process\n" in capsys.readouterr().err
    out = next((tmp_path / "validate").iterdir())
    data = json.loads(out.joinpath(report.RESULTS).read_text())
    assert {x["key"]: x["verdict"] for x in data["facts"]}["entry_burst"] == "FAIL"
    assert sorted(atomic) == sorted(p for p in out.rglob("*") if p.is_file())


@pytest.mark.parametrize(("args", "says"), [
    (["--replications", "0"], "--replications=0 is out of range; allowed 1 to 1000"),
    (["--horizon", "37", "horizon_months=5"], "horizon_months=5 and --horizon 37: give the "
                                              "horizon once"),
    (["--jobs", "999"], "--jobs=999 is out of range; allowed 1 to 64"),
    (["--statics-replications", "1001"], "--statics-replications=1001 is out of range"),
    (["--out", "/dev/null/validation"], "--out=/dev/null/validation cannot be written: "
                                        "/dev/null is not a directory"),
    (["--out", "~nosuchuser_baimo/x"], "no home directory is known for ~nosuchuser_baimo"),
    (["--horizon", "20"], "horizon_months=20 is too short to measure every fact baimo-validate "
                          "checks; allowed 37 to 600 (months)"),
    (["buyers.count=0"], "buyers.count=0 is out of range"),
    (["--bogus"], "unrecognized arguments"),
    (["nokey"], "'nokey' is not an option or a key=value override"),
])
def test_bad_input_is_one_line_and_exit_2(args: list[str], says: str, capsys) -> None:
    from sim import validate

    with pytest.raises(SystemExit) as exit_:
        validate.main(args)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert says in err and len(err.strip().splitlines()) == 1


def test_out_at_a_finished_run_is_refused(run_dir: Path, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    """--out at a finished run's directory wrote validation.json, its tables and plots among
    the run's files, exit 0; refused in one line, before anything runs, the run untouched."""
    import shutil

    from sim import validate

    finished = tmp_path / "finished"
    shutil.copytree(run_dir, finished)
    before = sorted(p.name for p in finished.rglob("*"))
    with pytest.raises(SystemExit) as exit_:
        validate.main(["--out", str(finished), "--replications", "1"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert f"--out={finished} holds a finished run" in err and len(err.strip().splitlines()) == 1
    assert sorted(p.name for p in finished.rglob("*")) == before


def test_an_error_composing_with_no_message_is_one_line_naming_it(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Its handler took the message's first line, and an empty message has none (IndexError)."""
    from hydra.errors import HydraException

    from sim import validate

    def silent(overrides: list[str]) -> None:
        raise HydraException("")

    monkeypatch.setattr(validate, "compose", silent)
    with pytest.raises(SystemExit) as exit_:
        validate.main(["--replications", "1"])
    assert exit_.value.code == 2
    assert capsys.readouterr().err == "baimo-validate: error: HydraException\n"


def test_bad_input_from_the_console_has_no_traceback(tmp_path: Path) -> None:
    proc = _run(["funds.term_years=0"], tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.strip() == ("baimo-validate: error: funds.term_years=0 is out of range; "
                                   "allowed 1 to 30 (years)")


def test_progress_in_a_log_is_a_line_about_every_tenth(
        capsys: pytest.CaptureFixture[str]) -> None:
    """Redirected to a file, 36 counts each ending in a carriage return read as one long
    line: without a terminal the counts are lines, about one per tenth and the last."""
    from sim.validate import _progress

    report = _progress("comparative statics")
    for done in range(1, 37):
        report(done, 36)
    err = capsys.readouterr().err
    assert "\r" not in err
    assert err.splitlines() == [f"  comparative statics: {k}/36" for k in (*range(3, 37, 3),)]
