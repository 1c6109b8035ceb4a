"""Calibration: the validity loss, and the Optuna study end to end (persistent, resumable).

The study runs tiny trials (37 months, 300 buyers, one replication, one trial
at a time) under pytest's temporary output root.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from cli import baimo

from sim.calibration.loss import PRICE_TERM, fact_term, price_term, validity_loss
from sim.calibration.runner import BEST, REPORT, STUDY_DB, TRIALS_TABLE
from sim.configuration import CalibrationSpec, compose
from sim.validation.facts import FACTS, at_least, at_most, below
from sim.validation.replicate import replicate_one

pytestmark = pytest.mark.usefixtures("output_root")

TINY = ["horizon_months=37", "buyers.count=300", "calibration.replications=1",
        "hydra.sweeper.n_jobs=1", "hydra/launcher=basic"]


# ------------------------------------------------------------------ the loss
def test_margins_are_relative_slack() -> None:
    assert at_least(45, 30) == pytest.approx(0.5)
    assert at_least(15, 30) == pytest.approx(-0.5)
    assert at_most(0.05, 0.25) == pytest.approx(0.8)
    assert below(20, 80) == pytest.approx(0.75) and below(80, 20) < 0
    assert at_least(math.nan, 30) == -1.0 and below(1, 0) == -1.0


def test_fact_and_price_terms() -> None:
    assert fact_term(0.5, 0.1) == 0 and fact_term(0.1, 0.1) == 0
    assert fact_term(0.0, 0.1) == pytest.approx(1) and fact_term(-0.2, 0.1) == pytest.approx(3)
    assert fact_term(math.nan, 0.1) == pytest.approx(11)
    assert price_term(2.0, 1) == 0
    assert price_term(1.0, 1) == pytest.approx(1) == price_term(4.0, 1)
    assert price_term(1.0, 0.5) == pytest.approx(0.5)


def test_validity_loss_sums_its_terms_and_margins_agree_with_verdicts() -> None:
    rep = replicate_one(compose(["horizon_months=37", "buyers.count=500"]))
    loss = validity_loss([rep], CalibrationSpec(margin=0.1))
    assert set(loss.terms) == {f.key for f in FACTS} | {PRICE_TERM}
    assert loss.value == pytest.approx(sum(loss.terms.values()))
    for fact in FACTS:
        m = fact.measure(rep)
        assert (m.margin > 0) == m.passed or m.margin == 0, fact.key
    peak = rep.outcomes["gpu_price_peak_y1_ratio"]
    assert loss.terms[PRICE_TERM] == pytest.approx(price_term(peak, 1.0))


# ------------------------------------------------------------------ the study
def test_calibration_study_resumes_and_writes_its_best_trial_as_a_scenario(
        output_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    directory = output_root / "cal"
    args = ["+experiment=calibrate", f"sweep_dir={directory}", *TINY]
    code, out, err = baimo([*args, "hydra.sweeper.n_trials=3"], capsys)
    assert code == 0, err
    assert (directory / STUDY_DB).is_file() and (directory / REPORT).is_file()
    table = pd.read_parquet(directory / TRIALS_TABLE)
    assert table["trial"].tolist() == [0, 1, 2] and (table["state"] == "COMPLETE").all()
    assert table["is_default"].tolist() == [True, False, False]   # trial 0: the defaults
    assert table[[c for c in table.columns if c.startswith("term.")]].notna().all().all()
    assert table["loss"].nunique() == 3          # the trials tried different values
    assert "1 replication each" in out
    first_best = table.loc[table["loss"].idxmin()]
    assert ("no trial beat the defaults" in out) == bool(first_best["is_default"])
    logs = sorted(directory.glob("jobs/*/*.log"))   # they were empty: "see the job logs"
    assert len(logs) == 3 and all("loss " in p.read_text() for p in logs)
    report = (directory / REPORT).read_text()
    assert not re.search(r"\| \d+\.\d{7,}", report), report   # 4461.080909391434

    # The plan says what a run would find there (it said only "a study of 4 trials")
    code, out, _ = baimo([*args, "hydra.sweeper.n_trials=4", "plan=true"], capsys)
    assert code == 0 and "the study there has 3 complete trials: 1 to run" in out
    # Another sampler seed is another study (it went on with the new seed, and said nothing)
    code, out, err = baimo([*args, "hydra.sweeper.n_trials=4", "hydra.sweeper.sampler.seed=1"],
                           capsys)
    assert code == 2 and "made with another configuration" in err, out + err
    code, out, _ = baimo([*args, "hydra.sweeper.sampler.seed=1", "plan=true"], capsys)
    assert code == 0 and "made with another configuration: a run would be refused" in out

    # Rerun with a larger budget: only the missing trial runs, and it is a new point.
    code, out, err = baimo([*args, "hydra.sweeper.n_trials=4"], capsys)
    assert code == 0, err
    assert "3 complete" in out
    table = pd.read_parquet(directory / TRIALS_TABLE)
    params = [c for c in table.columns if c.startswith("param.")]
    assert len(table) == 4 and not table[params].duplicated().any()
    code, out, _ = baimo([*args, "hydra.sweeper.n_trials=4"], capsys)
    assert code == 0 and "nothing to run" in out and "no record" not in out
    # Records deleted: the loss terms are unknown, and the summary says so (it said nothing)
    records = sorted((directory / "trials").iterdir())
    saved = {r: r.read_bytes() for r in records}
    records[0].unlink()
    code, out, _ = baimo([*args, "hydra.sweeper.n_trials=4"], capsys)
    assert code == 0 and f"complete trials with no record in {directory / 'trials'}: 1;" in out
    for record, data in saved.items():
        record.write_bytes(data)

    # The best trial becomes a scenario: +experiment=calibrated runs it.
    scenario = output_root / "scenarios" / "experiment" / "calibrated.yaml"
    assert scenario.read_text() == (directory / BEST).read_text()
    best = table.loc[table["loss"].idxmin()]
    cfg = compose(["+experiment=calibrated"])
    assert cfg.compute.imported_supply_per_month == best["param.compute.imported_supply_per_month"]
    assert cfg.horizon_months == 120     # only the calibrated values are overridden

    # Another configuration in the same study directory is refused in one line.
    code, _, err = baimo([*args[:-5], "horizon_months=40", *TINY[1:]], capsys)
    assert code == 2 and "made with another configuration" in err
    assert "note: replaced" not in out   # its own scenario, rewritten
    # Another study's scenario of the same name was replaced without a word.
    other = output_root / "other"
    code, out, err = baimo(["+experiment=calibrate", f"sweep_dir={other}", *TINY,
                            "hydra.sweeper.n_trials=1"], capsys)
    assert code == 0, err
    assert f"note: replaced {scenario}, which the calibration study 'calibrate' in " \
           f"{directory} wrote" in out
    # Its one trial is the defaults: the result says so in words, not only "(+0%)"
    assert "(+0%)" in out and "no trial beat the defaults: the scenario holds the defaults' " \
        "values" in out


def test_a_study_killed_mid_batch_resumes_to_the_uninterrupted_study(
        output_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Killed while a batch ran, a study lost the trial that had finished (the sweeper tells
    the study a batch's losses only at its end) and went on with other values (the sampler's
    seed was moved on by the trials so far): the result depended on when it was killed.
    Now the finished trial is recovered from its record, the unfinished one runs again with
    its values, and the study ends as the uninterrupted one does, TPE trials included."""
    import shutil

    import optuna

    from sim.calibration.sampler import INTERRUPTED
    from sim.calibration.task import record_path

    args = ["+experiment=calibrate", *TINY[:-2], "hydra.sweeper.n_jobs=2",
            "hydra/launcher=basic", "hydra.sweeper.sampler.n_startup_trials=3"]
    whole, killed = output_root / "whole", output_root / "killed"
    code, _, err = baimo([*args, f"sweep_dir={whole}", "hydra.sweeper.n_trials=8"], capsys)
    assert code == 0, err
    expected = pd.read_parquet(whole / TRIALS_TABLE)
    params = [c for c in expected.columns if c.startswith("param.")]
    # What a kill during the second batch leaves: trials 0-1 told, 2 finished (its record
    # written), 3 still running; the sweeper had drawn both their values.
    code, _, err = baimo([*args, f"sweep_dir={killed}", "hydra.sweeper.n_trials=2"], capsys)
    assert code == 0, err
    study = optuna.load_study(study_name="calibrate", storage=f"sqlite:///{killed / STUDY_DB}")
    for number in (2, 3):
        values = {c.removeprefix("param."): expected.loc[number, c] for c in params}
        study.enqueue_trial(values)
        trial = study.ask()
        for key, value in values.items():
            trial.suggest_float(key, value, value)
        if number == 2:
            record = record_path(whole, trial.params)
            (killed / record.parent.name).mkdir(exist_ok=True)
            shutil.copy(record, killed / record.parent.name / record.name)
    code, out, err = baimo([*args, f"sweep_dir={killed}", "hydra.sweeper.n_trials=8"], capsys)
    assert code == 0, err
    assert "3 complete (1 of them finished as a run was interrupted), 1 left unfinished" in out
    resumed = pd.read_parquet(killed / TRIALS_TABLE)
    study = optuna.load_study(study_name="calibrate", storage=f"sqlite:///{killed / STUDY_DB}")
    interrupted = [t.number for t in study.get_trials() if t.user_attrs.get(INTERRUPTED)]
    assert interrupted == [3] and resumed.loc[3, "state"] == "FAIL"
    # the table and the summary tell it from a trial that failed (they said "1 failed")
    assert resumed["interrupted"].tolist() == [n == 3 for n in range(len(resumed))]
    assert "1 failed (1 of them interrupted, and run again)" in out
    resumed = resumed.drop(index=3).reset_index(drop=True)
    pd.testing.assert_frame_equal(resumed[["state", "loss", *params]],
                                  expected[["state", "loss", *params]])


def test_bad_calibration_settings_fail_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = baimo(["+experiment=calibrate", "calibration.margin=0", *TINY], capsys)
    assert code == 2 and "calibration.margin=0 is out of range" in err
    assert err.count("\n") == 1
    # +experiment=123 reads a number and finds no file: the scenario would run only quoted
    code, _, err = baimo(["+experiment=calibrate", "calibration.scenario=123", *TINY], capsys)
    assert code == 2 and "starting with a letter" in err and err.count("\n") == 1
    # a scenario named as a shipped experiment would shadow it (or be shadowed)
    code, _, err = baimo(["+experiment=calibrate", "calibration.scenario=hype_bust", *TINY],
                         capsys)
    assert code == 2 and "calibration.scenario='hype_bust' is a shipped experiment's name" in err
    assert err.count("\n") == 1


@pytest.mark.parametrize(("args", "message"), [
    # the sweeper divided by zero (a batch of no trials), or asked for trials in batches
    # of -1 (none) and divided by zero too
    (["hydra.sweeper.n_jobs=0"], "hydra.sweeper.n_jobs=0 is out of range; allowed 1 to 10,000"),
    (["hydra.sweeper.n_jobs=-1"], "hydra.sweeper.n_jobs=-1 is out of range"),
    # the plan said "a study of -5 trials", a run "nothing to run", then "no trial finished"
    (["hydra.sweeper.n_trials=-5", "plan=true"],
     "hydra.sweeper.n_trials=-5 is out of range; allowed 1 to 10,000"),
    (["hydra.sweeper.n_trials=0"], "hydra.sweeper.n_trials=0 is out of range"),
    # the sweeper asserts it is a share
    (["hydra.sweeper.max_failure_rate=2"],
     "hydra.sweeper.max_failure_rate=2 is out of range; allowed 0 to 1"),
    # Optuna searched a list on the command line (trials with seeds 2, 2, 1), outside the
    # space the study records (its header, trials table and best.yaml left it out)
    (["seed=1,2"], "seed=1,2: a calibration searches only hydra.sweeper.params"),
    (["hype.decay_per_month=interval(0.1,0.2)"], "give hype.decay_per_month one value"),
    # a search space the model refuses: multi-line, "no trial finished", or tracebacks
    (['++hydra.sweeper.params={data.spillover:"interval(0,2)"}'],
     "hydra.sweeper.params: data.spillover=interval(0,2) reaches a value the model refuses: "
     "data.spillover=2 is out of range; allowed 0 to 1"),
    (['++hydra.sweeper.params={funds.term_years:"interval(1,5)"}'],
     "funds.term_spread_years=1 must be below funds.term_years=1"),
    (['++hydra.sweeper.params={seed:"interval(1,5)"}'], "seed is not searched"),
    (['++hydra.sweeper.params={job_timeout_s:"interval(1,5)"}'],
     "hydra.sweeper.params: job_timeout_s is not a model parameter"),
    (['++hydra.sweeper.params={data.spillover:"0.5"}'], "data.spillover=0.5 searches nothing"),
    # the facts' measures read months the run never reached (IndexError)
    (["horizon_months=36"], "horizon_months=36 is too short to measure every fact the "
                            "calibration scores; allowed 37 to 600 (months)"),
    # optuna: "Cannot overwrite study direction", which a run hid as "no trial finished"
    (["hydra.sweeper.direction=maximize"],
     "hydra.sweeper.direction=maximize: allowed minimize (the study minimises the validity "
     "loss)"),
    # numpy's RandomState refused it with a traceback, at once or (the seed moved on by
    # the trials so far) only when the study was resumed; -1 passed as a seed
    (["hydra.sweeper.sampler.seed=99999999999"], "hydra.sweeper.sampler.seed=99999999999 is "
                                                 "out of range; allowed 0 to 4,294,967,295"),
    (["hydra.sweeper.sampler.seed=-1"], "hydra.sweeper.sampler.seed=-1 is out of range"),
    # the config's own error, which was put down to the search space's first key
    (["+calibration.unknown=1"], "error: calibration.unknown: no such setting; "
                                 "docs/EXPERIMENTS.md lists the run-control keys"),
    (["calibration.replication=1"], "error: calibration.replication: no such setting (did you "
                                    "mean calibration.replications?); docs/EXPERIMENTS.md"),
    # a bound OmegaConf refuses: its traceback (ValidationError), not a line
    (['++hydra.sweeper.params={compute.price_adjust_speed:"choice(0.15,abc)"}'],
     "compute.price_adjust_speed=choice(0.15,abc) reaches a value the model refuses: "
     "compute.price_adjust_speed=abc is not a number"),
    # an interval draws fractions: every trial of a whole-number key would fail
    (['++hydra.sweeper.params={startups.max_failed_rounds:"interval(1,4)"}'],
     "startups.max_failed_rounds=interval(1,4): an interval draws fractions, and "
     "startups.max_failed_rounds takes whole numbers; search it with range(low, high) or "
     "choice(a, b, ...)"),
    # Optuna refused these only once the study was open, after its header
    (['hydra.sweeper.params={hype.decay_per_month:"interval(0.2,0.1)"}', "plan=true"],
     "hydra.sweeper.params: hype.decay_per_month=interval(0.2,0.1): the low end must be "
     "below the high end"),
    (['hydra.sweeper.params={hype.decay_per_month:"choice(0.1,0.2)"}'],
     "hydra.sweeper.params: hype.decay_per_month=choice(0.1,0.2) leaves out "
     "hype.decay_per_month=0.12, the model as configured: trial 0 scores it"),
    # trial 0 ran a random value in its place, with Optuna's warning, and no defaults row
    (['hydra.sweeper.params={hype.decay_per_month:"interval(0.2,0.3)"}'],
     "hype.decay_per_month=interval(0.2,0.3) leaves out hype.decay_per_month=0.12"),
    # a range of fractions holds 0.12 as 0.12000000000000001: it is inside, and the space
    # is refused for the interval below it, not for leaving out the default
    (['hydra.sweeper.params={hype.decay_per_month:"range(0.1,0.2,0.01)"}',
      '++hydra.sweeper.params={data.spillover:"interval(0.7,0.9)"}'],
     "data.spillover=interval(0.7,0.9) leaves out data.spillover=0.6"),
    (['++hydra.sweeper.params={regulation.reviewers:"range(100,300,50)"}'],
     "regulation.reviewers=range(100,300,50) leaves out regulation.reviewers=10,"),
    # the trials overwrote it: the report named it searched, best nan, scenario unusable
    (["hype.decay_per_month=0.13"], "hype.decay_per_month=0.13: the calibration searches "
                                    "hype.decay_per_month (interval(0.1, 0.15)); drop the "
                                    "override"),
    # the sweep's key, silently ignored: the plan still said 3 replications
    (["replications=5", "plan=true"], "replications=5: a calibration scores each trial on "
                                      "calibration.replications (1) runs; set "
                                      "calibration.replications=5"),
    (["hydra.sweeper.n_trials=5001", "calibration.replications=2", "plan=true"],
     "hydra.sweeper.n_trials=5001 x calibration.replications=2 makes 10,002 runs; allowed "
     "at most 10,000"),
    # a sweep's key, silently ignored: the study ran as if it were not there
    (["design.kind=lhs", "plan=true"], "design.kind=lhs: a calibration searches its space "
                                       "with Optuna; a design is a sweep's"),
    # the basic sweeper for calibrate's Optuna settings: "ConfigKeyError raised while
    # composing config: Key 'direction' not in 'BasicSweeperConf' full_key: ..."
    (["hydra/sweeper=basic"], "In 'experiment/calibrate': hydra.sweeper.direction: the "
                              "sweeper chosen has no such setting; the file is written for "
                              "the sweeper its defaults list chooses: leave hydra/sweeper out"),
])
def test_bad_sweeper_settings_fail_in_one_line_before_the_study_opens(
        args: list[str], message: str, output_root: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    directory = output_root / "cal"
    code, _, err = baimo(["+experiment=calibrate", f"sweep_dir={directory}", *TINY, *args],
                         capsys)
    assert code == 2 and message in err and err.count("\n") == 1, err
    assert not (directory / STUDY_DB).exists()


def test_a_trial_past_job_timeout_s_fails_and_the_study_records_it(
        output_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A trial still running after job_timeout_s is stopped: Optuna records it failed and
    the study goes on while the sweeper's max_failure_rate allows; past it, one line."""
    args = ["+experiment=calibrate", *TINY, "hydra.sweeper.n_trials=2", "job_timeout_s=0.001"]
    directory = output_root / "tolerant"
    code, out, err = baimo([*args, f"sweep_dir={directory}", "hydra.sweeper.max_failure_rate=1"],
                           capsys)
    assert code == 1 and "no trial finished" in out, out + err
    table = pd.read_parquet(directory / TRIALS_TABLE)
    assert table["state"].tolist() == ["FAIL", "FAIL"]
    logs = sorted(directory.glob("jobs/*/*.log"))
    assert logs and all("trial failed" in p.read_text() for p in logs)
    code, out, err = baimo([*args, f"sweep_dir={output_root / 'strict'}"], capsys)
    assert code == 2, out + err
    assert err.strip().splitlines()[-1] == (
        "baimo: error: stopped after job_timeout_s=0.001 s: raise job_timeout_s (or set it "
        "null) and rerun: the study goes on to its n_trials complete trials, drawing new ones "
        "in place of those that failed")   # not "to finish it": Optuna tries them no more
    assert "Traceback" not in out + err


@pytest.mark.parametrize(("searched", "message"), [
    ('hydra.sweeper.params={hype.decay_per_month:"tag(log,interval(0,0.2))"}',
     "The `low` value must be larger than 0 for a log distribution (low=0.0, high=0.2)."),
])
def test_a_search_space_optuna_refuses_is_one_line_not_no_trial_finished(
        searched: str, message: str, output_root: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = baimo(["+experiment=calibrate", f"sweep_dir={output_root / 'cal'}", *TINY,
                            "hydra.sweeper.n_trials=2", searched], capsys)
    assert code == 2 and "no trial finished" not in out
    assert err == ("baimo: error: the calibration's Optuna sweeper refused its settings or "
                   f"search space: {message}\n")
    # the refused command's study (its fingerprint) would have turned the corrected one away
    assert not (output_root / "cal" / STUDY_DB).exists()


def test_a_sampler_hydra_cannot_build_is_one_line_and_leaves_no_study(
        output_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Another sampler's class under the experiment's TPE settings: 53 lines of traceback
    ("unexpected keyword argument 'consider_prior'"), and a study left behind."""
    code, _, err = baimo(["+experiment=calibrate", f"sweep_dir={output_root / 'cal'}", *TINY,
                          "hydra.sweeper.sampler._target_=optuna.samplers.RandomSampler"],
                         capsys)
    assert code == 2 and err.count("\n") == 1, err
    assert err.startswith("baimo: error: hydra.sweeper.sampler: Error in call to target")
    assert "consider_prior" in err and "another sampler needs an experiment file" in err
    assert not (output_root / "cal" / STUDY_DB).exists()


def test_a_scenario_no_calibration_wrote_is_not_replaced(
        output_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """calibration.scenario naming the user's own scenario (here, the calibration's own
    experiment file) replaced it with the calibrated values, silently."""
    from sim.configuration import EXPERIMENTS_DIR

    own = output_root / "scenarios" / "experiment" / "mycal.yaml"
    own.parent.mkdir(parents=True)
    own.write_text((EXPERIMENTS_DIR / "calibrate.yaml").read_text())
    text = own.read_text()
    code, _, err = baimo(["+experiment=mycal", *TINY, "calibration.scenario=mycal"], capsys)
    assert code == 2 and err.count("\n") == 1, err
    assert f"calibration.scenario='mycal': {own} is a scenario no calibration wrote" in err
    assert own.read_text() == text


def test_a_study_database_that_is_not_one_is_named_in_one_line(
        output_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    directory = output_root / "cal"
    directory.mkdir(parents=True)
    (directory / STUDY_DB).write_text("garbage\n")
    code, _, err = baimo(["+experiment=calibrate", f"sweep_dir={directory}", *TINY], capsys)
    assert code == 2
    assert err == (f"baimo: error: {directory / STUDY_DB}: the study's database cannot be used "
                   "(file is not a database); delete it to start the study over, or choose "
                   "another sweep_dir\n")


def test_a_study_into_a_sweeps_directory_is_refused(
        output_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    directory = output_root / "sweep"
    directory.mkdir(parents=True)
    (directory / "sweep.json").write_text("{}")
    code, _, err = baimo(["+experiment=calibrate", f"sweep_dir={directory}", *TINY], capsys)
    assert code == 2 and err == (f"baimo: error: {directory} holds a sweep (sweep.json); "
                                 "choose another directory with sweep_dir=...\n")
    assert not (directory / STUDY_DB).exists()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_the_trials_workers_end_when_the_study_is_killed(output_root: Path) -> None:
    """A study killed with SIGKILL left its two joblib workers running trials (and
    writing their records into the study's directory) for minutes: each trial now
    watches the study's process, as a sweep's workers do."""
    import psutil

    command = [sys.executable, "-m", "sim.cli", "+experiment=calibrate",
               f"sweep_dir={output_root / 'cal'}", *TINY[:3], "hydra.sweeper.n_jobs=2",
               "hydra/launcher=joblib", "hydra.launcher.n_jobs=2", "hydra.sweeper.n_trials=8"]
    study = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])})
    workers: list[psutil.Process] = []
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and study.poll() is None:
            workers = [p for p in psutil.Process(study.pid).children(recursive=True)
                       if "loky" in " ".join(p.cmdline()) and "resource_tracker" not in
                       " ".join(p.cmdline())]
            trials = list((output_root / "cal" / "trials").glob("*.json"))
            if len(workers) == 2 and trials:   # the workers have run a trial: watching
                break
            time.sleep(0.2)
        assert len(workers) == 2, "the study never started its two workers"
        study.kill()
        study.wait()
        _, alive = psutil.wait_procs(workers, timeout=20)
        assert alive == [], "the trials' workers outlived the study"
    finally:
        study.kill()
        for worker in workers:
            with contextlib.suppress(psutil.NoSuchProcess):
                worker.kill()


def test_the_optuna_sweeper_without_a_search_space_says_to_calibrate(
        output_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``baimo -m hydra/sweeper=optuna`` without the calibrate experiment was refused for
    "hydra.sweeper.direction=Direction.minimize: allowed minimize" (the plugin's default,
    compared as text): the problem is that nothing is searched."""
    code, _, err = baimo(["-m", "hydra/sweeper=optuna", *TINY, "horizon_months=40",
                          "plan=true"], capsys)
    assert code == 2 and err.count("\n") == 1, err
    assert "hydra.sweeper.params is empty: the Optuna sweeper calibrates the parameters it " \
           "names; run +experiment=calibrate" in err, err
