"""The calibration study: persistent, resumable, and what it leaves behind.

``baimo +experiment=calibrate`` composes an experiment whose Hydra sweeper is
Optuna's (``hydra-optuna-sweeper``, the ``calibrate`` extra). Before handing
it to the sweeper, this module opens the study in ``<sweep dir>/study.db``
(SQLite: it outlives the process) and:

- refuses a study made with another configuration (a changed experiment,
  search space or default), as sweeps refuse a finished job's directory;
- settles the trials a killed run left RUNNING: one that had finished (its record is
  there) is complete with its loss; the others are failed, marked interrupted, and run
  again first with the same values, so the study ends as one run in one go would
  (:mod:`sim.calibration.sampler`);
- puts the defaults first in the queue, so trial 0 scores the uncalibrated
  model on the same seeds as every other trial;
- asks the sweeper only for the trials still missing: ``n_trials`` is the
  study's total, so rerunning the command finishes an interrupted study and
  rerunning a finished one runs nothing.

Afterwards it writes ``trials.parquet`` (one row per trial: state, loss, the
searched values, each term of the loss), ``calibration.md``,
``plots/loss_by_trial.png``, ``best.yaml`` and the scenario
``<output root>/scenarios/experiment/<calibration.scenario>.yaml``, which
runs as ``baimo +experiment=<calibration.scenario>``.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
import shlex
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from hydra._internal.hydra import Hydra
from hydra.core.override_parser.types import IntervalSweep
from hydra.errors import InstantiationException
from omegaconf import DictConfig, OmegaConf, open_dict
from omegaconf.errors import OmegaConfBaseException
from rich.console import Console

from sim.calibration.loss import PRICE_TERM
from sim.calibration.task import TRIALS, calibration_task, read_record, record_path
from sim.commands import interrupts_kept, plural
from sim.config import ConfigError, fmt_number, schema_field
from sim.configuration import (
    CONFIG_NAME,
    EXPERIMENTS_DIR,
    MAX_SWEEP_JOBS,
    CalibrationSpec,
    config_hash,
    run_control,
    scenario_experiments,
    to_config,
)
from sim.outputs import write_parquet, write_text
from sim.sweep.design import GRID
from sim.sweep.runner import foreign_output, say, sweep_lock
from sim.sweep.spec import STUDY_DB, Master, SweepError, one_line, parse, quote
from sim.validation.facts import FACTS, horizon_problem

TRIALS_TABLE = "trials.parquet"
REPORT = "calibration.md"
BEST = "best.yaml"
PLOTS = "plots"
FINGERPRINT = "baimo_fingerprint"
#: The sampler whose draws are seeded by each trial's place (sim.calibration.sampler).
PLACE_SEEDED = "TrialSeededTPESampler"
#: How a scenario a calibration wrote says so (:func:`scenario_yaml`): a rerun replaces it.
SCENARIO_MARK = "# Written by the calibration study"
#: What follows the study and its directory on that line (how to run the scenario).
SCENARIO_RUN = "; run it with"
#: The seeds Optuna's samplers take (numpy's RandomState).
SAMPLER_SEEDS = (0, 2**32 - 1)
EXIT_OK = 0
EXIT_FAILED = 1
EXTRA_HINT = 'calibration needs the optional extra: pip install -e ".[calibrate]"'


def check_spec(spec: CalibrationSpec) -> None:
    """ConfigError (one line) if the calibration keys are not sane."""
    if spec.replications < 1:
        raise ConfigError(f"calibration.replications={spec.replications} must be at least 1")
    if not 0 < spec.margin <= 1:
        raise ConfigError(f"calibration.margin={spec.margin:g} is out of range; allowed "
                          "above 0 to 1")
    if not 0 <= spec.price_target_weight <= 100:
        raise ConfigError(f"calibration.price_target_weight={spec.price_target_weight:g} is out "
                          "of range; allowed 0 to 100")
    # A name starting with a digit reads as a number in +experiment=NAME, which then finds
    # no file: it would run only quoted.
    if not (spec.scenario.replace("_", "").isalnum() and spec.scenario[0].isalpha()):
        raise ConfigError(f"calibration.scenario={spec.scenario!r} must be a name of letters, "
                          "digits and underscores, starting with a letter")
    # +experiment=NAME would run one of the two files: Hydra's search path puts the
    # scenarios first, and the shipped experiment could no longer be run
    shipped = EXPERIMENTS_DIR / f"{spec.scenario}.yaml"
    if shipped.is_file():
        raise ConfigError(f"calibration.scenario={spec.scenario!r} is a shipped experiment's "
                          f"name ({shipped}); allowed: another name")
    # a scenario of the user's own (the calibration's own experiment file, say) would be
    # replaced by the calibrated values; one a calibration wrote is its to replace
    own = scenario_experiments() / f"{spec.scenario}.yaml"
    try:
        written = SCENARIO_MARK in own.read_text(encoding="utf-8")
    except FileNotFoundError:
        written = True
    except (OSError, UnicodeDecodeError):
        written = False
    if not written:
        raise ConfigError(f"calibration.scenario={spec.scenario!r}: {own} is a scenario no "
                          "calibration wrote, and would be replaced; allowed: another name")


def check_sweeper(sweeper: DictConfig, spec: CalibrationSpec) -> None:
    """ConfigError (one line) if the Optuna sweeper's settings would fail inside it: it asks
    for trials in batches of ``n_jobs`` (fewer than one divides by zero), asserts that
    ``max_failure_rate`` is a share, and ``n_trials`` below one runs nothing. The study's
    runs (trials x ``calibration.replications``) are bounded as a sweep's jobs are."""
    n_trials, n_jobs = sweeper.n_trials, sweeper.n_jobs
    if not 1 <= n_trials <= MAX_SWEEP_JOBS:
        raise ConfigError(f"hydra.sweeper.n_trials={n_trials} is out of range; allowed 1 to "
                          f"{MAX_SWEEP_JOBS:,} (trials in the study)")
    if not 1 <= n_jobs <= MAX_SWEEP_JOBS:
        raise ConfigError(f"hydra.sweeper.n_jobs={n_jobs} is out of range; allowed 1 to "
                          f"{MAX_SWEEP_JOBS:,} (trials run at once)")
    direction = sweeper.get("direction")
    direction = getattr(direction, "name", direction)   # the plugin's Direction.minimize
    if str(direction).lower() != "minimize":   # optuna: "Cannot overwrite study direction"
        raise ConfigError(f"hydra.sweeper.direction={direction}: allowed minimize (the study "
                          "minimises the validity loss)")
    seed = sweeper.get("sampler", {}).get("seed")
    lo, hi = SAMPLER_SEEDS
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)
                             or not lo <= seed <= hi):
        raise ConfigError(f"hydra.sweeper.sampler.seed={seed} is out of range; allowed "
                          f"{lo} to {hi:,} (or null: unseeded)")
    rate = sweeper.max_failure_rate
    if not 0 <= rate <= 1:
        raise ConfigError(f"hydra.sweeper.max_failure_rate={rate:g} is out of range; allowed "
                          "0 to 1 (share of a batch's trials)")
    runs = n_trials * spec.replications
    if runs > MAX_SWEEP_JOBS:
        raise ConfigError(f"hydra.sweeper.n_trials={n_trials} x calibration.replications="
                          f"{spec.replications} makes {runs:,} runs; allowed at most "
                          f"{MAX_SWEEP_JOBS:,} in a study")


def search_space(master: DictConfig) -> dict[str, str]:
    """The sweeper's parameters: dotted key -> Optuna's range, e.g. ``interval(0.1, 0.2)``."""
    return {str(k): str(v) for k, v in (master.hydra.sweeper.params or {}).items()}


def check_space(master: DictConfig, space: dict[str, str]) -> None:
    """SweepError (one line) unless every searched key is a model parameter other than the
    seed (trials share their seeds) whose every bound (an interval's ends, a range's or a
    choice's values) the model accepts: a bound out of the schema's range, or against
    another key (a fund's term shorter than its investment period), failed every trial
    that drew near it, and a run-control key ran the same model under another name. The
    config itself is checked first: a key it refuses is not the search space's doing."""
    bare = copy.deepcopy(master)
    try:
        with open_dict(bare):
            del bare["hydra"]
        to_config(bare)
    except (ConfigError, OmegaConfBaseException) as exc:
        raise SweepError(one_line(exc)) from None
    for key, text in space.items():
        if key == "seed":
            raise SweepError("hydra.sweeper.params: seed is not searched: every trial runs the "
                             "same seeds (calibration.replications of them)")
        if schema_field(key) is None:
            raise SweepError(f"hydra.sweeper.params: {key} is not a model parameter (baimo "
                             "--cfg job lists them)")
        override = parse([f"{key}={text}"])[0]
        if not override.is_sweep_override():
            raise SweepError(f"hydra.sweeper.params: {key}={text} searches nothing; give an "
                             "interval(low, high), range or choice")
        sweep = override.value()
        ends = [sweep.start, sweep.end] if isinstance(sweep, IntervalSweep) else list(
            override.sweep_iterator())
        default = OmegaConf.select(master, key, default=None)
        if isinstance(sweep, IntervalSweep):
            low, high = float(sweep.start or 0.0), float(sweep.end or 0.0)   # parsed: set
            if not low < high:
                raise SweepError(f"hydra.sweeper.params: {key}={text}: the low end must be "
                                 "below the high end")
            inside = isinstance(default, int | float) and low <= default <= high
        else:   # a range of fractions steps by sums: 0.12000000000000001 for 0.12
            inside = any(isinstance(e, int | float) and isinstance(default, int | float)
                         and math.isclose(e, default, rel_tol=1e-9, abs_tol=1e-12)
                         for e in ends)
        if isinstance(default, int | float) and not isinstance(default, bool) and not inside:
            raise SweepError(f"hydra.sweeper.params: {key}={text} leaves out {key}="
                             f"{default:g}, the model as configured: trial 0 scores it, so "
                             "the search space must hold it; widen it")
        found = schema_field(key)
        if isinstance(sweep, IntervalSweep) and found is not None and found[1] is int:
            raise SweepError(f"hydra.sweeper.params: {key}={text}: an interval draws "
                             f"fractions, and {key} takes whole numbers; search it with "
                             "range(low, high) or choice(a, b, ...)")
        for value in ends:
            bare = copy.deepcopy(master)
            try:
                with open_dict(bare):
                    del bare["hydra"]   # its sweep paths resolve only inside a job
                    OmegaConf.update(bare, key, value, merge=False)
                to_config(bare)
            except (ConfigError, OmegaConfBaseException) as exc:
                raise SweepError(f"hydra.sweeper.params: {key}={text} reaches a value the "
                                 f"model refuses: {one_line(exc)}") from None


def defaults(master: DictConfig, space: dict[str, str]) -> dict[str, Any]:
    """The composed config's value of every searched parameter (the uncalibrated model)."""
    values = {}
    for key in space:
        value = OmegaConf.select(master, key, default=None)
        if value is None or isinstance(value, bool) or not isinstance(value, int | float):
            raise SweepError(f"hydra.sweeper.params: {key} is not a numeric model parameter")
        values[key] = value
    return values


def fingerprint(master: DictConfig, space: dict[str, str], spec: CalibrationSpec) -> str:
    """What a study is of: the model config, the search space, the loss's settings and the
    sampler (its class and settings, its seed among them: a study resumed with another
    seed went on drawing from it, and said nothing)."""
    bare = copy.deepcopy(master)
    with open_dict(bare):
        del bare["hydra"]   # its sweep paths resolve only inside a job
    try:
        model = config_hash(to_config(bare))
    except ConfigError as exc:
        raise SweepError(str(exc)) from None
    sampler = OmegaConf.to_container(master.hydra.sweeper.sampler, resolve=True)
    text = json.dumps({"model": model, "space": space, "replications": spec.replications,
                       "margin": spec.margin, "price_weight": spec.price_target_weight,
                       "sampler": sampler}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def open_study(storage: str, name: str) -> Any:
    """The persistent study (created if new)."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    # enqueue_trial and the trials it creates are "experimental" in optuna 2.10: quiet.
    warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
    from sqlalchemy.exc import SQLAlchemyError

    try:
        return optuna.create_study(study_name=name, storage=storage, direction="minimize",
                                   load_if_exists=True)
    except (SQLAlchemyError, optuna.exceptions.StorageInternalError) as exc:
        orig = getattr(exc, "orig", None)
        cause = orig if isinstance(orig, Exception) else exc
        reason = (str(cause).strip().splitlines() or [type(cause).__name__])[0]
        path = storage.removeprefix("sqlite:///")
        raise SweepError(f"{path}: the study's database cannot be used ({reason}); delete it "
                         "to start the study over, or choose another sweep_dir") from None


def complete_trials(study: Any) -> list[Any]:
    """The study's complete trials."""
    from optuna.trial import TrialState

    return study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))


def finished_trials(study: Any) -> list[Any]:
    """The study's trials that ran to an end: complete, or failed."""
    from optuna.trial import TrialState

    return study.get_trials(deepcopy=False, states=(TrialState.COMPLETE, TrialState.FAIL))


def finished_loss(directory: Path, trial: Any) -> float | None:
    """The loss of a trial an interrupted command left running that had in fact finished:
    its record (written as it ended, after it started) holds its values and a loss.
    The sweeper tells the study a batch's losses only once the whole batch is done."""
    path = record_path(directory, trial.params)
    record = read_record(path)
    if record is None or record.get("params") != trial.params or trial.datetime_start is None:
        return None
    try:
        written = path.stat().st_mtime
    except OSError:
        return None
    loss = record["loss"]
    if written < trial.datetime_start.timestamp() or isinstance(loss, bool) \
            or not isinstance(loss, (int, float)) or not math.isfinite(loss):
        return None
    return float(loss)


@dataclass
class Resumed:
    """What :func:`prepare` found of an earlier command's study."""

    complete: int    # trials complete (with those recovered)
    recovered: int   # trials it left running that had finished: their loss told now
    rerun: int       # trials it left unfinished, queued to run again with their values


def prepare(study: Any, mark: str, start: dict[str, Any], directory: Path,
            space: dict[str, str]) -> Resumed:
    """Check the fingerprint; settle the trials an interrupted command left running (the
    finished ones complete, the others failed, marked interrupted and queued to run again
    with their values, in order); queue the defaults."""
    from optuna.trial import TrialState

    from sim.calibration.sampler import INTERRUPTED

    found = study.user_attrs.get(FINGERPRINT)
    if found is None:
        study.set_user_attr(FINGERPRINT, mark)
    elif found != mark:
        raise SweepError(f"the study {study.study_name!r} was made with another configuration "
                         "(experiment, search space or defaults changed); choose another "
                         "directory with sweep_dir=... or delete it")
    recovered = rerun = 0
    for trial in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        loss = finished_loss(directory, trial)
        if loss is not None:
            study.tell(trial.number, loss)
            recovered += 1
            continue
        study._storage.set_trial_user_attr(trial._trial_id, INTERRUPTED, True)
        study.tell(trial.number, state=TrialState.FAIL)
        if set(trial.params) == set(space):   # its values were drawn: the same again
            study.enqueue_trial(trial.params)
            rerun += 1
    trials = study.get_trials(deepcopy=False)
    complete = complete_trials(study)
    waiting = [t for t in trials if t.state == TrialState.WAITING]
    if not any(t.params == start for t in complete) and not waiting:
        study.enqueue_trial(start)
    return Resumed(len(complete), recovered, rerun)


def run_calibration(hydra: Hydra, m: Master, console: Console) -> int:
    """Run (or finish) the calibration study the command describes; return the exit code."""
    master = m.config
    try:
        spec = run_control(master).calibration
        check_spec(spec)
        check_sweeper(master.hydra.sweeper, spec)
    except ConfigError as exc:
        raise SweepError(str(exc)) from None
    problem = horizon_problem(master.horizon_months, "the calibration scores")
    if problem is not None:
        raise SweepError(problem)
    replications = run_control(master).replications
    if replications != 1:   # a sweep's key, which a study does not read
        raise SweepError(f"replications={replications}: a calibration scores each trial on "
                         f"calibration.replications ({spec.replications}) runs; set "
                         f"calibration.replications={replications}")
    for override in parse(m.command):
        if override.is_sweep_override():   # Optuna would search it, outside the study's space
            raise SweepError(
                f"{override.input_line}: a calibration searches only hydra.sweeper.params (its "
                "experiment file's search space, which the study records); give "
                f"{override.key_or_group} one value, or search it in a copy of "
                "experiments/calibrate.yaml")
    space = search_space(master)
    if not space:
        raise SweepError("hydra.sweeper.params is empty: the Optuna sweeper calibrates the "
                         "parameters it names; run +experiment=calibrate (or a copy of "
                         "experiments/calibrate.yaml)")
    design = run_control(master).design.kind
    if design != GRID:   # ran as if not given
        raise SweepError(f"design.kind={design}: a calibration searches its space with "
                         "Optuna; a design is a sweep's (docs/EXPERIMENTS.md, Designs)")
    for override in parse(m.command):
        if override.key_or_group in space:   # a searched key the trials would all overwrite
            raise SweepError(
                f"{override.input_line}: the calibration searches {override.key_or_group} "
                f"({space[override.key_or_group]}); drop the override, or search without it "
                "in a copy of experiments/calibrate.yaml")
    check_space(master, space)
    start = defaults(master, space)
    total = int(master.hydra.sweeper.n_trials)
    name = str(master.hydra.sweeper.get("study_name") or m.experiment or "calibration")
    directory = m.directory
    problem = foreign_output(directory, own=STUDY_DB)
    if problem is not None:
        raise SweepError(problem)
    if run_control(master).plan:
        say(console, f"{name}: a study of {total} trials (the defaults first) over "
                     f"{len(space)} parameters: {', '.join(space)}; each trial "
                     f"{plural(spec.replications, 'replication')} of {master.horizon_months} "
                     "months")
        say(console, f"  directory: {shlex.quote(str(directory))} (a rerun resumes the study "
                     "there); nothing was run")
        if (directory / STUDY_DB).is_file():   # what a run would find there
            study = open_study(f"sqlite:///{(directory / STUDY_DB).absolute()}", name)
            found = study.user_attrs.get(FINGERPRINT)
            if found is not None and found != fingerprint(master, space, spec):
                say(console, "  the study there was made with another configuration: a run "
                             "would be refused")
            else:
                done = len(complete_trials(study))
                say(console, f"  the study there has {plural(done, 'complete trial')}: "
                             f"{max(total - done, 0)} to run")
        return EXIT_OK
    with sweep_lock(directory):   # a second study here would mark this one's trials stale
        return _run_study(hydra, m, console, spec, name, total, space, start)


def _run_study(hydra: Hydra, m: Master, console: Console, spec: CalibrationSpec, name: str,
               total: int, space: dict[str, str], start: dict[str, Any]) -> int:
    """Open (or resume) the study in ``m``'s directory, run the trials left, summarise."""
    master, directory = m.config, m.directory
    storage = f"sqlite:///{(directory / STUDY_DB).absolute()}"
    created = not (directory / STUDY_DB).exists()
    study = open_study(storage, name)
    resumed = prepare(study, fingerprint(master, space, spec), start, directory, space)
    complete = resumed.complete
    say(console, f"{name}: study of {total} trials over {len(space)} parameters, "
                 f"{plural(spec.replications, 'replication')} each; {complete} complete"
                 + (f" ({resumed.recovered} of them finished as a run was interrupted)"
                    if resumed.recovered else "")
                 + (f", {resumed.rerun} left unfinished by an interrupted run to run again"
                    if resumed.rerun else ""))
    say(console, f"  directory: {shlex.quote(str(directory))}")
    remaining = total - complete
    if remaining > 0:
        overrides = [*m.own, *m.command, f"hydra.sweeper.storage={quote(storage)}",
                     f"hydra.sweeper.study_name={quote(name)}"]
        sampler = master.hydra.sweeper.sampler
        seed = sampler.get("seed")
        if seed is not None and not str(sampler.get("_target_")).endswith(PLACE_SEEDED):
            # another sampler draws from one stream: a resumed study must not replay it
            overrides.append(f"hydra.sweeper.sampler.seed={int(seed) + len(study.trials)}")
        # the unfinished trials first, as a batch of their own (sim.calibration.sampler)
        batches = [n for n in (min(resumed.rerun, remaining), remaining - resumed.rerun)
                   if n > 0]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", category=FutureWarning)   # optuna's own deprecations
            ran = len(finished_trials(study))
            try:
                with interrupts_kept():   # a Ctrl-C lost in joblib's callbacks ran on to exit 0
                    for trials in batches:
                        hydra.multirun(config_name=CONFIG_NAME, task_function=calibration_task,
                                       overrides=[*overrides, f"hydra.sweeper.n_trials={trials}"])
            except InstantiationException as exc:   # the sampler Hydra could not build
                forget_study(directory, created)
                raise ConfigError(f"hydra.sweeper.sampler: {one_line(exc)}; the "
                                  "experiment's sampler settings are TPE's: another sampler "
                                  "needs an experiment file of its own (docs/EXPERIMENTS.md, "
                                  "Calibration)") from None
            except ValueError as exc:
                after = open_study(storage, name)
                if len(finished_trials(after)) == ran:   # optuna refused before any trial
                    forget_study(directory, created)
                    raise ConfigError(f"the calibration's Optuna sweeper refused its settings "
                                      f"or search space: {exc}") from None
                # When every trial failed (and max_failure_rate allowed it), the sweeper asks
                # the study for its best trial at the end, and optuna has none ("Record does
                # not exist."): the summary below says no trial finished.
                if complete_trials(after):
                    raise
    else:
        say(console, "  nothing to run: the study is complete (raise hydra.sweeper.n_trials "
                     "for more trials)")
    study = open_study(storage, name)
    return summarise(study, directory, space, start, spec, console)


def forget_study(directory: Path, created: bool) -> None:
    """Remove the study a command ``created`` and was refused before any trial ran: kept,
    it would hold the refused settings' fingerprint and turn the corrected command away."""
    if created:
        (directory / STUDY_DB).unlink(missing_ok=True)


def trials_table(study: Any, directory: Path, keys: list[str],
                 start: dict[str, Any]) -> pd.DataFrame:
    """One row per trial: number, state, interrupted (a failed trial an interrupted command
    left unfinished, run again as a later trial), loss, is_default, ``param.<key>``,
    ``term.<term>``."""
    from sim.calibration.sampler import INTERRUPTED

    rows = []
    for t in study.get_trials(deepcopy=False):
        row: dict[str, Any] = {"trial": t.number, "state": t.state.name,
                               "interrupted": bool(t.user_attrs.get(INTERRUPTED, False)),
                               "loss": float(t.value) if t.value is not None else math.nan,
                               "is_default": t.params == start}
        row.update({f"param.{k}": t.params.get(k, math.nan) for k in keys})
        record = read_record(record_path(directory, t.params)) if t.params else None
        for term in [f.key for f in FACTS] + [PRICE_TERM]:
            row[f"term.{term}"] = (record or {}).get("terms", {}).get(term, math.nan)
        rows.append(row)
    return pd.DataFrame(rows)


def nested(values: dict[str, Any]) -> dict[str, Any]:
    """Dotted keys as nested dicts (a YAML scenario's shape)."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        node = out
        *parents, leaf = key.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return out


def scenario_yaml(name: str, best: dict[str, Any], loss: float, default_loss: float,
                  study: str, directory: Path) -> str:
    """A scenario file: ``# @package _global_``, where it comes from, the calibrated values."""
    body = OmegaConf.to_yaml(OmegaConf.create(nested(best)))
    change = "" if not math.isfinite(default_loss) else f" (defaults: {default_loss:.4f})"
    return (f"# @package _global_\n"
            f"# Calibrated to the stylized facts: validity loss {loss:.4f}{change}.\n"
            f"{SCENARIO_MARK} {study!r} in {directory}{SCENARIO_RUN}\n"
            f"#   baimo +experiment={name}   (it overrides only the calibrated values)\n"
            f"{body}")


def summarise(study: Any, directory: Path, space: dict[str, str], start: dict[str, Any],
              spec: CalibrationSpec, console: Console) -> int:
    """Write the trials table, report, plot, best.yaml and the scenario; print the result."""
    keys = list(space)
    table = trials_table(study, directory, keys, start)
    write_parquet(table, directory / TRIALS_TABLE)
    done = table[table["state"] == "COMPLETE"]
    if done.empty:
        say(console, "no trial finished; see the job logs under " + str(directory))
        return EXIT_FAILED
    best = done.loc[done["loss"].idxmin()]
    base = done[done["is_default"]]
    default_loss = float(base["loss"].iloc[0]) if not base.empty else math.nan
    values = {k: _plain(best[f"param.{k}"]) for k in keys}
    text = scenario_yaml(spec.scenario, values, float(best["loss"]), default_loss,
                         study.study_name, directory)
    write_text(text, directory / BEST)
    scenario = scenario_experiments() / f"{spec.scenario}.yaml"
    other = _written_by(scenario)
    mine = _written_by_line(text)
    write_text(text, scenario)
    if other is not None and other != mine:   # another study's scenario of the same name
        say(console, f"  note: replaced {scenario}, which {other.removeprefix('# Written by ')} "
                     "wrote (calibration.scenario=NAME keeps each study's own)")
    write_text(report(table, space, start, int(best["trial"]), spec), directory / REPORT)
    from sim.calibration.plots import plot_loss_by_trial
    from sim.plots import save_all

    save_all({"loss_by_trial": plot_loss_by_trial(table)}, directory / PLOTS)
    failed = int((table["state"] == "FAIL").sum())
    interrupted = int(table["interrupted"].sum())
    failed_text = f"{failed} failed" + (f" ({interrupted} of them interrupted, and run again)"
                                        if interrupted else "")
    gain = ("" if not math.isfinite(default_loss) else
            f"; defaults {default_loss:.4f} ({_change(float(best['loss']), default_loss)})")
    say(console, f"{len(done)} trials complete, {failed_text}; best trial "
                 f"{int(best['trial'])}: loss {float(best['loss']):.4f}{gain}")
    if bool(best["is_default"]):   # "+0%" alone read as a result; the scenario is the defaults
        say(console, "  no trial beat the defaults: the scenario holds the defaults' values "
                     "(more trials: hydra.sweeper.n_trials=N, the same command)")
    unrecorded = int(done[[c for c in table.columns if c.startswith("term.")]]
                     .isna().all(axis=1).sum())
    if unrecorded:   # trials/ deleted or damaged: the table and report cannot split the loss
        say(console, f"  complete trials with no record in {directory / TRIALS}: "
                     f"{unrecorded}; their loss terms are unknown (NaN in the table and report)")
    say(console, f"wrote {shlex.quote(str(directory))}: {TRIALS_TABLE}, {REPORT}, {BEST}, "
                 f"{PLOTS}/loss_by_trial.png")
    say(console, f"scenario: {scenario} (run it: baimo +experiment={spec.scenario})")
    return EXIT_OK


def _written_by_line(text: str) -> str | None:
    """The line of a scenario's text naming the study that wrote it (None if none does)."""
    line = next((ln for ln in text.splitlines() if ln.startswith(SCENARIO_MARK)), None)
    return None if line is None else line.split(SCENARIO_RUN)[0]


def _written_by(scenario: Path) -> str | None:
    """:func:`_written_by_line` of the scenario file there, if any."""
    try:
        return _written_by_line(scenario.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return None


def _plain(value: Any) -> Any:
    """A NumPy scalar from a table cell as a plain Python number (for YAML)."""
    return value.item() if hasattr(value, "item") else value


def _change(new: float, old: float) -> str:
    if old == 0:
        return "no change" if new == 0 else "worse"
    return f"{100 * (new - old) / old:+.0f}%"


def report(table: pd.DataFrame, space: dict[str, str], start: dict[str, Any], best_trial: int,
           spec: CalibrationSpec) -> str:
    """``calibration.md``: the best trial against the defaults, term by term, and the values."""
    done = table[table["state"] == "COMPLETE"]
    best = done[done["trial"] == best_trial].iloc[0]
    base = done[done["is_default"]]
    ref = base.iloc[0] if not base.empty else None
    lines = ["# Calibration", "",
             f"{len(done)} trials complete ({int((table['state'] == 'FAIL').sum())} failed), "
             f"{plural(spec.replications, 'replication')} each on the same seeds. Loss: each "
             f"stylized fact costs max(0, {spec.margin:g} - margin) / {spec.margin:g} (margin = "
             "relative "
             "slack of its criterion), plus the GPU price's year-1 peak against x2 "
             f"(weight {spec.price_target_weight:g}); see sim/calibration/loss.py.", "",
             f"| term | defaults | best (trial {best_trial}) |", "|---|---|---|"]
    for term in [f.key for f in FACTS] + [PRICE_TERM]:
        col = f"term.{term}"
        old = "-" if ref is None else f"{ref[col]:.4f}"
        lines.append(f"| {term} | {old} | {best[col]:.4f} |")
    old = "-" if ref is None else f"{ref['loss']:.4f}"
    lines += [f"| **loss** | **{old}** | **{best['loss']:.4f}** |", "",
              "| parameter | search range | default | best |", "|---|---|---|---|"]
    for key, rng in space.items():
        lines.append(f"| {key} | {rng} | {fmt_number(start[key])} | "
                     f"{fmt_number(_plain(best[f'param.{key}']))} |")
    return "\n".join(lines) + "\n"
