"""What a sweep is: its directory and its jobs, expanded with Hydra's own parser.

The command line (and the experiment file's ``hydra.sweeper.params``) give a
grid of settings; ``replications`` multiplies it by the replication index.
Each job is one Hydra override list, named (its directory) by Hydra's
``override_dirname`` of what is swept, e.g. ``funds.term_years=3,replication=0``,
made portable (:func:`sim.locations.portable_name`) if it holds a character Windows refuses.
Every setting is composed here once and validated, so a bad sweep value stops
the sweep before anything runs, and each job's config hash is known in advance
(resume compares it with the finished job's ``summary.json``).
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import logging
import math
import os
import re
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import hydra._internal.hydra as hydra_module
import yaml
from hydra._internal.config_loader_impl import ConfigLoaderImpl, get_overrides_dirname
from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
from hydra._internal.hydra import Hydra
from hydra._internal.utils import create_config_search_path
from hydra.core.global_hydra import GlobalHydra
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.core.override_parser.types import (
    ChoiceSweep,
    Glob,
    IntervalSweep,
    Override,
    OverrideType,
    RangeSweep,
)
from hydra.core.utils import configure_log
from hydra.errors import HydraException
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf, open_dict
from omegaconf.errors import OmegaConfBaseException

from sim.code_refs import logging_problem, named_code
from sim.commands import OneLineError, logging_config_problem, with_quoting_hint
from sim.config import BaimoConfig, ConfigError, value_problem
from sim.configuration import (
    BUNDLED,
    CONF_DIR,
    CONFIG_NAME,
    IN_CONFIG_FILE,
    MAX_SWEEP_JOBS,
    SWEEPER_PARAMS,
    RunControl,
    changed_from_defaults,
    composition_problem,
    config_settings,
    default_settings,
    files_hydra_choices,
    files_sweep_dir,
    hash_resolved,
    hydra_hint,
    omegaconf_line,
    override_key,
    register_configs,
    replication_out_of_range,
    run_control,
    swept_in_files,
    to_config,
    yaml_problem,
)
from sim.locations import expand_home, portable_name
from sim.outputs import output_root
from sim.rng import replication_seeds
from sim.sweep.design import GRID, Design, draw, override

SWEEP_MANIFEST = "sweep.json"
#: A calibration study's database in its directory (sim.calibration.runner).
STUDY_DB = "study.db"
FAILED = "FAILED"
TASK_NAME = "baimo"
REPLICATION = "replication"
#: Where an experiment file lists its grid (Hydra's basic sweeper), as a dotted key.
SWEEPER_PARAMS_KEY = ".".join(SWEEPER_PARAMS)
#: Overrides that steer the sweep: they never name the sweep or a job directory.
RUN_CONTROL = ("replications", "plan", "sweep_dir", "run_plots", "job_plots", "sweep_plots",
               "fail_job", "job_timeout_s", "experiment", "sample")
SAMPLE = "sample"
#: Run-control keys a sweep cannot sweep (:func:`build`): each job would run the same model.
#: (``replication`` is the sweep's own: :func:`_grid` never counts it as swept.)
STEERING = tuple(k for k in RUN_CONTROL if k != "experiment")
SWEEP_LOGGING = ("hydra/job_logging", "hydra/hydra_logging")
#: Hydra plugins baimo's optional extras install: config group -> extra.
OPTIONAL_PLUGINS = {"hydra/sweeper/optuna": "calibrate", "hydra/launcher/submitit": "cluster"}


def install_extra(extra: str) -> str:
    """How to add the optional extra ``extra``: in the checkout (an editable install reads
    conf/ in place), or, for a regular install (its configs bundled), from its source."""
    if CONF_DIR.parent == BUNDLED:
        return f'install baimo again from its source with [{extra}] (pip install ".[{extra}]")'
    return f'pip install -e ".[{extra}]"'


class SweepError(OneLineError, ValueError):
    """A sweep cannot start (bad override, bad value, conflicting directory): one line."""


@dataclass(frozen=True)
class Job:
    """One run of a sweep."""

    name: str                     # its directory: swept overrides and replication
    setting: str                  # the name without the replication ("" if only replicated)
    overrides: tuple[str, ...]    # what the launcher composes it from
    params: dict[str, Any]        # swept key -> value in the composed config
    replication: int
    seed: int
    config_hash: str
    sample: int | None = None     # design sweeps: the row of the design matrix


@dataclass
class SweepSpec:
    """A sweep ready to launch (or to plan)."""

    command: list[str]
    experiment: str | None
    directory: Path
    replications: int
    swept: list[str]
    fixed: list[str]
    jobs: list[Job]
    config: DictConfig            # Hydra's master config (with the hydra node)
    launcher: str
    workers: int
    plan: bool
    configs: dict[str, BaimoConfig] = field(default_factory=dict)   # job name -> model config
    compose_seconds: float = 0.0
    plots: bool = True            # draw the sweep plots after aggregating
    design: dict[str, Any] | None = None   # design sweeps: sim.sweep.design.Design.manifest
    changed: list[str] = field(default_factory=list)   # unswept_changes: key=value each

    @property
    def settings(self) -> list[str]:
        """Distinct settings in job order."""
        return list(OrderedDict.fromkeys(j.setting for j in self.jobs))

    def job_dir(self, job: Job) -> Path:
        """Where ``job`` writes."""
        return self.directory / job.name

    def workers_for(self, jobs: int) -> int:
        """How many workers run ``jobs`` jobs at once: the launcher's, but no more than
        there are jobs (:func:`workers_to_start`)."""
        return workers_to_start(self.workers, jobs)


def workers_to_start(workers: int, jobs: int) -> int:
    """Of a launcher's ``workers``, how many ``jobs`` jobs need: an idle worker would only
    take its start-up time and memory."""
    return min(workers, jobs)


def one_line(exc: BaseException) -> str:
    """A Hydra/OmegaConf error message folded onto one line (a value refused for its type as
    :func:`~sim.config.value_problem` says it)."""
    hint = hydra_hint(exc)
    if hint is not None:
        return hint
    problem = value_problem(exc)
    if problem is not None:
        where = IN_CONFIG_FILE.match(str(exc))   # a value in a config file: which file
        return f"{where[0]} {problem}" if where else problem
    text = " ".join(part.strip() for part in str(exc).splitlines() if part.strip())
    cause = exc.__cause__
    if cause is not None and str(cause).strip():
        first = str(cause).strip().splitlines()[0]
        if first not in text:
            text = f"{text} ({first})"
    return text or type(exc).__name__


#: A run of backslashes before an interpolation's ``${`` (OmegaConf reads them as escapes).
_BEFORE_INTERPOLATION = re.compile(r"(\\*)\$\{")
#: A run of backslashes before a quote or the end of a quoted value (Hydra reads them as
#: escapes there, and nowhere else).
_BEFORE_QUOTE = re.compile(r"(\\*)('|$)")


def quote(value: str) -> str:
    """``value`` as a quoted Hydra override value that composes to ``value`` itself: its
    ``${`` escaped for OmegaConf (a recorded ``${oc.env:SECRET}`` stays that text, not the
    secret), then its quotes and the backslashes Hydra reads as escapes (those before a
    quote or at the end) escaped for Hydra. Until 2026-12-07 every backslash was doubled,
    and a recorded ``a\\b`` came back as ``a\\\\b``."""
    literal = _BEFORE_INTERPOLATION.sub(lambda m: m.group(1) * 2 + "\\${", value)
    quoted = _BEFORE_QUOTE.sub(lambda m: m.group(1) * 2 + ("\\'" if m.group(2) else ""),
                               literal)
    return f"'{quoted}'"


def start_hydra() -> Hydra:
    """A Hydra instance on ``conf/`` (clears any previous global one)."""
    register_configs()
    GlobalHydra.instance().clear()
    return Hydra.create_main_hydra2(TASK_NAME, create_config_search_path(str(CONF_DIR)))


def parse(overrides: list[str]) -> list[Override]:
    """Hydra's parse of command-line overrides; SweepError on bad syntax, or on what would
    stand in the way of composing them (:func:`~sim.configuration.composition_problem`: a
    value other than true or false for a true-or-false key, a config file that is not
    YAML, a scenario named as a shipped experiment)."""
    try:
        parsed = OverridesParser.create().parse_overrides(overrides)
    except HydraException as exc:
        raise SweepError(with_quoting_hint(one_line(exc), overrides)) from None
    for o in parsed:   # Hydra's glob() lists a group's options through a config loader,
        if isinstance(o.value(), Glob):   # which overrides parsed here do not have
            raise SweepError(f"{o.input_line}: baimo sweeps take lists (key=a,b) and ranges "
                             "(key=range(0,5)); list the options instead")
        value = o.value() if o.is_sweep_override() else None
        if isinstance(value, ChoiceSweep) and any(
                isinstance(v, ChoiceSweep | RangeSweep | IntervalSweep) for v in value.list):
            # Hydra: a traceback, "Unexpected type annotation: Set[str] full_key: tags"
            raise SweepError(f"{o.input_line}: a sweep inside a sweep; list the values "
                             "(key=a,b,c) or give one range (key=range(start,stop,step))")
        if (o.key_or_group == SWEEPER_PARAMS_KEY
                or o.key_or_group.startswith(f"{SWEEPER_PARAMS_KEY}.")) \
                and not swept_in_files(parsed):
            # Hydra: a traceback where no experiment lists params (a None to merge into); a
            # calibration's search space is extended so (++hydra.sweeper.params={...})
            raise SweepError(f"{o.input_line}: on the command line a sweep is written "
                             "key=a,b (or key=range(...)); hydra.sweeper.params is for "
                             "experiment files")
    problem = composition_problem(parsed)
    if problem is not None:
        raise SweepError(problem)
    return parsed


def parse_each(overrides: list[str], known: dict[str, Override]) -> list[Override]:
    """``parse(overrides)``, each string parsed once: ``known`` holds the strings parsed so
    far (a sweep's jobs are combinations of the same few strings, and Hydra's parser takes
    about a millisecond a list). Each string parses on its own, so this equals ``parse``;
    the jobs share the parsed overrides, which are only read."""
    new = [line for line in dict.fromkeys(overrides) if line not in known]
    if new:
        known.update(zip(new, parse(new), strict=True))
    return [known[line] for line in overrides]


def _value(override: Override) -> Any:
    return override.value()


#: Between a default sweep directory's name and each part after it.
NAME_PARTS = "__"
#: The name of a sweep that runs no named experiment (its directory's first part).
AD_HOC_SWEEP = "sweep"


def default_directory(experiment: str | None, fixed: list[Override], swept: list[str]) -> Path:
    """``<root>/sweeps/<experiment or 'sweep'>[__<swept keys>][__<fixed overrides>]``: same
    command, same place. ``swept``: the keys the command sweeps that its experiment does not
    (:func:`named_sweeps`), by name only, so that more values of them resume the sweep, and
    two ad-hoc sweeps with the same fixed overrides (``horizon_months=60`` alone and with
    ``data.spillover=0.9,0.95``) no longer share a directory. The part after the name is
    made portable (:func:`~sim.locations.portable_name`)."""
    lines = sorted(str(o.input_line) for o in fixed if o.key_or_group not in RUN_CONTROL)
    parts = [",".join(part) for part in (sorted(swept), lines) if part]
    name = experiment or AD_HOC_SWEEP
    suffix = portable_name(NAME_PARTS.join(parts)) if parts else ""
    return output_root() / "sweeps" / (f"{name}{NAME_PARTS}{suffix}" if suffix else name)


def named_sweeps(task: list[Override]) -> list[str]:
    """The keys the command's overrides sweep that name its default directory: all but
    run-control keys and those the experiment's own file sweeps (its name stands for them:
    ``+experiment=investor_patience funds.term_years=3,10`` stays in ``investor_patience``)."""
    own = swept_in_files(task)
    return sorted({o.key_or_group for o in task if o.is_sweep_override()
                   and o.key_or_group not in (*RUN_CONTROL, REPLICATION, *own)})


def _user_parts(parsed: list[Override]) -> tuple[list[Override], list[Override]]:
    task = [o for o in parsed if not o.is_hydra_override()]
    hydra = [o for o in parsed if o.is_hydra_override()]
    return task, hydra


def _experiment(task: list[Override]) -> str | None:
    for o in task:
        if o.key_or_group == "experiment" and not o.is_sweep_override():
            value = _value(o)
            if isinstance(value, list):   # +experiment=[a,b]: both files, merged in order
                return "+".join(str(v) for v in value)
            return str(value) if value is not None else None
    return None


def _sweep_dir_override(task: list[Override]) -> str | None:
    for o in task:
        if o.key_or_group == "sweep_dir" and not o.is_sweep_override():
            value = _value(o)
            return None if value is None else str(value)
    return None


def _grid(args: list[Override]) -> tuple[OrderedDict[str, Override], list[str]]:
    """Overrides by key (the last one wins, as in Hydra's basic sweeper) and the swept keys."""
    by_key: OrderedDict[str, Override] = OrderedDict()
    for o in args:
        by_key[o.get_key_element()] = o
    swept = [o.key_or_group for o in by_key.values()
             if o.is_sweep_override() and o.key_or_group != REPLICATION]
    return by_key, swept


def task_problem(task: list[Override]) -> str | None:
    """One line for a sweep command's overrides that the sweep would not run as written: a
    key swept and given again (Hydra's basic sweeper takes the last, unremarked: ``x=0,1
    x=0.5`` ran one job; a value given twice takes the last, as anywhere in Hydra), or
    ``replication``, which the sweep sets for each job (``replication=0,1`` ran two jobs of
    ``replications=3``). None if neither."""
    keys = [o.get_key_element() for o in task]
    twice = next((o.get_key_element() for o in task if o.is_sweep_override()
                  and keys.count(o.get_key_element()) > 1), None)
    if twice is not None:
        given = " and ".join(str(o.input_line) for o in task if o.get_key_element() == twice)
        return (f"{twice} is swept and given again ({given}); the last would be taken alone: "
                "give it once")
    if any(o.key_or_group == REPLICATION for o in task):
        return (f"{REPLICATION}: the sweep sets it for each job (0 to replications - 1); give "
                "replications=N")
    return None


#: An override of one item of a list (``buyers.digitization.0=0.1``): the list's key.
LIST_ITEM = re.compile(r"^(?P<list>[\w.]+?)\.\d+(?:\.\w+)?$")


def item_of_swept_problem(grid: Mapping[str, Override], swept: list[str]) -> str | None:
    """One line for an override of one item of a list the sweep gives whole in each job
    (``+experiment=buyer_digitization buyers.digitization.0=0.1``): the swept list replaced
    the item, and the job ran without it, its name still showing it. None if none."""
    for o in grid.values():
        item = LIST_ITEM.match(o.key_or_group)
        if item is not None and item["list"] in swept:
            return (f"{o.input_line}: the sweep gives {item['list']} whole in each job, "
                    "which replaces this item; write the item's value into each of the "
                    f"swept lists ({item['list']}=[...],[...])")
    return None


#: The digits a float range's values keep: their sum's rounding error (1e-17) goes, and
#: no step a parameter's range allows does.
RANGE_DIGITS = 12


def exact_range(o: Override) -> str | None:
    """``o`` rewritten as the list of its values, when it is a range of floats
    (``data.spillover=range(0.7,1.0,0.1)`` -> ``data.spillover=0.7,0.8,0.9``), else None.
    Hydra adds the step over and over: its values were 0.7999999999999999 and
    0.8999999999999999, and the stop 1.0 came in, or did not, as the sums' rounding fell.
    Here value i is start + i x step, rounded, and the stop is never one, as in Python's
    range."""
    value = o.value() if o.is_sweep_override() else None
    if not isinstance(value, RangeSweep) or value.start is None or value.stop is None \
            or not value.step or all(isinstance(v, int) for v in
                                     (value.start, value.stop, value.step)):
        return None
    count = max(0, math.ceil((value.stop - value.start) / value.step - 10.0 ** -RANGE_DIGITS))
    if count == 0:   # said as a range of no value (grid_size)
        return None
    values = [round(value.start + i * value.step, RANGE_DIGITS) for i in range(count)]
    return f"{o.get_key_element()}={','.join(repr(float(v)) for v in values)}"


def grid_size(grid: OrderedDict[str, Override]) -> int:
    """How many jobs the grid's overrides make: the product of each swept key's count of
    values, counted without listing them (``seed=range(0,100000000)`` is one number);
    SweepError for an interval (a grid lists values; a study such as calibrate.yaml's
    draws from intervals, and does not come here), or a range of step 0 or of no value."""
    size = 1
    for o in grid.values():
        if not o.is_sweep_override():
            continue
        value = o.value()
        if isinstance(value, IntervalSweep):   # Hydra: a traceback, "Can only enumerate"
            raise SweepError(f"{o.input_line}: an interval has no values to list; baimo "
                             "sweeps take lists (key=a,b) and ranges (key=range(0,5)), and "
                             "a design draws values from a range (docs/EXPERIMENTS.md)")
        if isinstance(value, RangeSweep) and value.start is not None \
                and value.stop is not None:
            if not value.step:
                raise SweepError(f"{o.input_line}: a range's step must not be 0")
            count = max(0, math.ceil((value.stop - value.start) / value.step))
            if count == 0:   # it swept nothing: a sweep of no jobs, its sweep.json emptied
                raise SweepError(f"{o.input_line}: the range holds no value (it stops where "
                                 "it starts, or steps away from its stop); e.g. range(1,5)")
            size *= count
        elif isinstance(value, ChoiceSweep):
            size *= len(value.list)
        else:
            size *= len(list(o.sweep_iterator()))
    return size


def _same_value(value: Any) -> Any:
    """What two swept values are compared by: a number by its value (1000 is 1000.0),
    anything else by how it is written."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return repr(value)


def repeated_value(grid: OrderedDict[str, Override]) -> str | None:
    """The first swept key given one value twice (``x=1000,1000.0``), as a one-line
    problem: every job of the second would rerun the first's, under another name."""
    for o in grid.values():
        value = o.value() if o.is_sweep_override() else None
        if not isinstance(value, ChoiceSweep):
            continue
        seen: dict[Any, Any] = {}
        for item in value.list:
            if _same_value(item) not in seen:
                seen[_same_value(item)] = item
                continue
            first = seen[_same_value(item)]
            same = (f"{first!r} twice" if repr(first) == repr(item)
                    else f"{first!r} and {item!r}, the same value")
            return (f"{o.key_or_group}: the sweep lists {same}; each value once, or its "
                    "jobs would run again under another name (use replications for more "
                    "runs of one setting)")
    return None


def workers_of(cfg: DictConfig) -> tuple[str, int]:
    """The launcher's short name and how many jobs it runs at once."""
    target = str(cfg.hydra.launcher.get("_target_", ""))
    name = target.rsplit(".", 1)[-1].replace("Launcher", "").lower() or "unknown"
    if "submitit" in target:   # SLURM runs an array; the local executor starts every job
        parallel = cfg.hydra.launcher.get("array_parallelism")
        return name, int(parallel) if parallel else (os.cpu_count() or 1)
    if "joblib" not in target:
        return name, 1
    n_jobs = cfg.hydra.launcher.get("n_jobs", -1)
    if n_jobs == 0:   # it ran on one worker; joblib itself refuses it
        raise SweepError("hydra.launcher.n_jobs=0 means nothing (as in joblib): give the number "
                         "of workers, or -1 for one per core (-2: all but one)")
    n = int(n_jobs or 1)   # None: joblib's one worker
    cores = os.cpu_count() or 1
    return name, max(1, cores + 1 + n if n < 0 else n)


def ignored_launcher_options(cfg: DictConfig) -> list[str]:
    """The joblib launcher options set away from the plugin's defaults that baimo does not
    apply (``key=value``): it runs joblib sweeps on its own process pool
    (:func:`sim.parallel.process_pool`), sized by ``n_jobs`` alone."""
    from hydra_plugins.hydra_joblib_launcher.config import JobLibLauncherConf

    launcher = cfg.hydra.launcher
    if "joblib" not in str(launcher.get("_target_", "")):
        return []
    applied = ("_target_", "n_jobs")
    return [f"{f.name}={launcher.get(f.name)}" for f in dataclasses.fields(JobLibLauncherConf)
            if f.name not in applied and launcher.get(f.name, f.default) != f.default]


@dataclass
class Master:
    """A sweep command composed once: Hydra's master config and where the sweep writes."""

    command: list[str]
    own: list[str]                 # the overrides baimo adds (mode, directory, logging)
    experiment: str | None
    fixed_user: list[Override]
    directory: Path
    config: DictConfig
    compose_seconds: float
    sweep_requested: bool = False  # asked for without -m (sweep_asked)

    @property
    def sweeper(self) -> str:
        """The configured Hydra sweeper's class path."""
        return str(self.config.hydra.sweeper.get("_target_", ""))

    @property
    def is_grid(self) -> bool:
        """Whether Hydra's basic sweeper expands it (grids and designs); else e.g. Optuna."""
        return self.sweeper.endswith("BasicSweeper")


MULTIRUN_OVERRIDE = "hydra.mode=MULTIRUN"


def sweep_asked(config: DictConfig, mode: RunMode | None) -> str | None:
    """What in a composed config asks for a sweep (as ``key=value``): Hydra's multirun
    ``mode``, replications above 1, a plan or a design; None if nothing does. A design
    without -m ran as one run of the defaults until 2026-12-07, its points never drawn."""
    replications = config.get("replications", 1)
    design = OmegaConf.select(config, "design.kind", default=GRID)
    for what, asked in (("hydra.mode=MULTIRUN", mode == RunMode.MULTIRUN),
                        (f"replications={replications}",
                         isinstance(replications, int) and replications > 1),
                        ("plan=true", bool(config.get("plan", False))),
                        (f"design.kind={design}", design != GRID)):
        if asked:
            return what
    return None


def compose_master(hydra: Hydra, command: list[str]) -> Master:
    """Compose a sweep command into Hydra's master config; SweepError (one line) if it fails."""
    import time

    parsed = parse(command)
    task, user_hydra = _user_parts(parsed)
    experiment = _experiment(task)
    fixed_user = [o for o in task if not o.is_sweep_override()]
    chosen = _sweep_dir_override(task) or files_sweep_dir(task)
    directory = (expand_home(Path(chosen), f"sweep_dir={chosen}") if chosen
                 else default_directory(experiment, fixed_user, named_sweeps(task)))
    held = next((p for p in (directory, *directory.absolute().parents) if p.exists()), None)
    if chosen and held is not None and not held.is_dir():   # the sweep: "File exists"
        raise SweepError(f"the sweep directory {directory}: {held} is a file, not a "
                         "directory; choose another with sweep_dir=DIR")
    own = [f"hydra.sweep.dir={quote(str(directory.absolute()))}"]
    chosen_groups = {o.key_or_group for o in user_hydra}
    # an experiment's choice of a Hydra plugin, which Hydra drops from its file
    own += [c for c in files_hydra_choices(task) if c.partition("=")[0] not in chosen_groups]
    chosen_groups |= {c.partition("=")[0] for c in own}
    own += [f"{g}=baimo_sweep" for g in SWEEP_LOGGING if g not in chosen_groups]
    tic = time.perf_counter()
    master = _compose_master(hydra, own + command)
    wanted = sweep_asked(master, master.hydra.mode) is not None
    # The sweep runs in multirun mode whatever the command said; recorded as if overridden
    # first (as Hydra's own -m does), so a job composed again by a launcher sees the same.
    with open_dict(master.hydra):
        master.hydra.mode = RunMode.MULTIRUN
        master.hydra.overrides.hydra.insert(0, MULTIRUN_OVERRIDE)
    return Master(list(command), [MULTIRUN_OVERRIDE, *own], experiment, fixed_user, directory,
                  master, time.perf_counter() - tic, wanted)


@dataclass
class Layout:
    """A sweep's jobs before any is composed: what :func:`lay_out` finds from the master
    config alone, enough to count the jobs still to run before starting workers."""

    master: Master
    rc: RunControl
    swept: list[str]                  # the keys swept (or varied by a design)
    excluded: list[str]               # the keys left out of job names
    design: Design | None
    batches: list[list[str]]          # each job's override strings
    parsed: list[list[Override]]      # the same, parsed
    names: list[tuple[str, str]]      # each job's (directory name, setting)


def lay_out(hydra: Hydra, command: list[str] | Master) -> Layout:
    """A sweep command's jobs, named and checked, none composed (SweepError, one line, for
    a sweep that cannot be laid out: another sweeper, a swept run-control key, too many
    jobs, two jobs in one directory)."""
    m = command if isinstance(command, Master) else compose_master(hydra, command)
    master = m.config
    if not m.is_grid:
        raise SweepError("hydra/sweeper: baimo sweeps use Hydra's basic (grid) sweeper, "
                         f"not {m.sweeper}")
    try:
        rc = run_control(master)
    except ConfigError as exc:
        raise SweepError(str(exc)) from None

    # Read unresolved, as Hydra's own multirun does: an override interpolating a swept key
    # (x=${data.spillover}) must resolve in each job's config, not to the master's default.
    params = _raw(master.hydra.sweeper.params) or {}
    task = [str(x) for x in _raw(master.hydra.overrides.task)]
    args = [f"{REPLICATION}=range(0,{rc.replications})"]
    args += [f"{k}={v}" for k, v in params.items()]
    args += task
    given = parse(args)
    problem = task_problem(given[len(args) - len(task):])   # the command's own, as given
    if problem is not None:
        raise SweepError(problem)
    grid, swept = _grid(given)
    for key, o in grid.items():   # Hydra's float ranges step by adding: 0.30000000000000004
        exact = exact_range(o)
        if exact is not None:   # a list of numbers: nothing of parse()'s checks to redo
            grid[key] = OverridesParser.create().parse_override(exact)
    problem = item_of_swept_problem(grid, swept)
    if problem is not None:
        raise SweepError(problem)
    if rc.design.kind == GRID and rc.design.ranges:
        raise SweepError(f"design.ranges ({', '.join(rc.design.ranges)}) draw a design's "
                         f"points, and design.kind={GRID} draws none: choose a design "
                         "(design.kind=lhs, sobol or morris), or sweep the keys' values "
                         "(key=a,b)")
    steering = [k for k in swept if k in STEERING or k.split(".")[0] in ("design", "calibration")]
    if steering:
        key = steering[0]
        raise SweepError(f"{key}: a run-control key takes one value, not a list: its jobs would "
                         "be the same run over again (sweep model parameters, and replications "
                         "for seeds)")
    excluded = sorted({o.key_or_group for o in grid.values()
                       if not o.is_sweep_override() and o.key_or_group != REPLICATION})
    repeated = repeated_value(grid)
    if repeated:
        raise SweepError(repeated)
    jobs = grid_size(grid)
    if jobs > MAX_SWEEP_JOBS:   # counted before Hydra lays out every combination
        raise SweepError(f"the sweep holds {jobs:,} jobs (every combination of the swept "
                         f"values, times replications={rc.replications}); allowed at most "
                         f"{MAX_SWEEP_JOBS:,}: split it into several sweeps")
    try:
        batches = BasicSweeper.split_arguments(list(grid.values()), None)[0]
    except HydraException as exc:
        raise SweepError(one_line(exc)) from None
    design = None
    if rc.design.kind != GRID:
        design, batches, swept, excluded = _designed(master, rc, grid, swept, excluded, batches)
    lines: dict[str, Override] = {}
    parsed = [parse_each(job_overrides, lines) for job_overrides in batches]
    names = [_names(master, job, excluded) for job in parsed]
    seen: set[str] = set()
    for name, _ in names:
        if name in seen:
            raise SweepError(f"two jobs would share the directory {name!r}")
        seen.add(name)
    return Layout(m, rc, swept, excluded, design, batches, parsed, names)


def _raw(node: Any) -> Any:
    """A config node as plain Python with its ``${...}`` interpolations left unresolved."""
    return OmegaConf.to_container(node, resolve=False) if OmegaConf.is_config(node) else node


def build(hydra: Hydra, command: list[str] | Master | Layout) -> SweepSpec:
    """Expand a sweep command (or its :func:`lay_out`) into named, validated jobs (nothing
    is written)."""
    layout = command if isinstance(command, Layout) else lay_out(hydra, command)
    m, rc, excluded = layout.master, layout.rc, layout.excluded
    master = m.config
    # Jobs read the exclusion list from the master's hydra overrides (load_sweep_config).
    exclude = f"hydra.job.config.override_dirname.exclude_keys=[{','.join(map(quote, excluded))}]"
    with open_dict(master.hydra):
        master.hydra.overrides.hydra.append(exclude)
        master.hydra.job.config.override_dirname.exclude_keys = excluded
    directory = Path(str(master.hydra.sweep.dir))
    launcher, workers = workers_of(master)
    design = layout.design
    spec = SweepSpec(command=list(m.command), experiment=m.experiment, directory=directory,
                     replications=rc.replications, swept=layout.swept,
                     fixed=sorted(str(o.input_line) for o in m.fixed_user),
                     jobs=[], config=master, launcher=launcher, workers=workers, plan=rc.plan,
                     compose_seconds=m.compose_seconds, plots=rc.sweep_plots,
                     design=design.manifest(rc.design) if design is not None else None)
    _add_jobs(spec, hydra, layout, {str(o.input_line) for o in m.fixed_user})
    spec.changed = unswept_changes(spec, default_settings(lambda: default_model(hydra)))
    return spec


def default_model(hydra: Hydra) -> BaimoConfig:
    """The model config ``conf/`` gives with no override, composed by the sweep's Hydra (a
    fresh one, :func:`~sim.configuration.compose`, would end the sweep's); SweepError (one
    line) if it does not compose or is not valid."""
    try:
        cfg = hydra.compose_config(CONFIG_NAME, [], run_mode=RunMode.MULTIRUN,
                                   with_log_configuration=False)
        with open_dict(cfg):
            del cfg["hydra"]
        return to_config(cfg)
    except (HydraException, OmegaConfBaseException) as exc:
        raise SweepError(f"the defaults (conf/): {one_line(exc)}") from None
    except ConfigError as exc:
        raise SweepError(f"the defaults (conf/): {exc}") from None


def unswept_changes(spec: SweepSpec, defaults: dict[str, str]) -> list[str]:
    """What every job of ``spec`` changes from ``defaults`` alike, the seed aside, as
    ``key=value`` (:func:`~sim.configuration.changed_from_defaults`): the settings the
    experiment file and the command fix; a swept (or design-varied) key's differ between
    settings, and so are left out."""
    settings: dict[str, BaimoConfig] = {}   # each setting's config (its first job's)
    for job in spec.jobs:
        settings.setdefault(job.setting, spec.configs[job.name])
    first, *others = settings.values()

    def alike(line: str) -> bool:
        path = override_key(line).split(".")
        value = functools.reduce(getattr, path, first)
        return all(functools.reduce(getattr, path, cfg) == value for cfg in others)

    return [line for line in changed_from_defaults(config_settings(first), defaults)
            if alike(line)]


def _designed(master: DictConfig, rc: RunControl, grid: OrderedDict[str, Override],
              swept: list[str], excluded: list[str], batches: list[list[str]]) \
        -> tuple[Design, list[list[str]], list[str], list[str]]:
    """A design sweep's jobs: every point of the design times every replication.

    Returns the design, the job override lists (point-major), the varied keys (they
    become the ``param.<key>`` columns) and the keys left out of job names (the
    varied ones: a job is named by its point and replication, ``replication=0,sample=7``).
    """
    if swept:
        raise SweepError(f"design.kind={rc.design.kind} takes its settings from design.ranges; "
                         f"do not also sweep {', '.join(swept)} with a,b lists")
    try:
        design = draw(rc.design, int(master.seed))
    except ConfigError as exc:
        raise SweepError(str(exc)) from None
    fixed = sorted(set(design.keys) & {o.key_or_group for o in grid.values()})
    if fixed:
        raise SweepError(f"{fixed[0]} is both set by an override and varied by design.ranges; "
                         "drop one of them")
    jobs = [[*batch, f"{SAMPLE}={i}", *(override(k, v) for k, v in point.items())]
            for i, point in enumerate(design.values) for batch in batches]
    return design, jobs, design.keys, sorted({*excluded, *design.keys})


#: What names a sweep job's directory (conf/config.yaml's hydra.sweep.subdir): its swept
#: overrides and replication, made portable; the sweep's own naming (:func:`_names`)
#: matches it, so it is not for a command or scenario to change (a calibration's Optuna
#: sweeper, which names its trials' directories itself, takes another).
JOB_SUBDIR = "${baimo_job_dir:${hydra.job.override_dirname}}"


def subdir_problem(master: DictConfig) -> str | None:
    """One line if a grid or design sweep's ``hydra.sweep.subdir`` (from the command line,
    a map of ``hydra.sweep``, or a scenario) is not :data:`JOB_SUBDIR`: it was accepted and
    changed nothing, baimo naming each job's directory by its settings."""
    sweep = OmegaConf.to_container(master.hydra.sweep, resolve=False)
    subdir = sweep.get("subdir") if isinstance(sweep, dict) else None
    if subdir == JOB_SUBDIR:
        return None
    return (f"hydra.sweep.subdir={subdir}: not settable; baimo names each sweep job's "
            "directory by its swept settings and replication (sim.locations)")


def _compose_master(hydra: Hydra, overrides: list[str]) -> DictConfig:
    """The command's config composed as a sweep's master; SweepError (one line) if it does
    not compose, or if its ``hydra`` node names code to run (:func:`named_code`: checked
    before Hydra configures its logging, which runs what that names)."""
    try:
        master = hydra.compose_config(CONFIG_NAME, overrides, run_mode=RunMode.MULTIRUN,
                                      with_log_configuration=False)
    except (yaml.YAMLError, UnicodeDecodeError) as exc:   # a user's experiment file
        raise SweepError(yaml_problem(exc)) from None
    except (HydraException, OmegaConfBaseException) as exc:
        text = one_line(exc)
        for group, extra in OPTIONAL_PLUGINS.items():
            if f"'{group}" in str(exc):   # Hydra's own words: one_line may say it otherwise
                raise SweepError(f"{group} is not installed; it comes with the optional extra: "
                                 f"{install_extra(extra)}") from None
        raise SweepError(text) from None
    problem = (hydra_value_problem(master) or named_code(master.hydra)
               or logging_problem(master.hydra))
    if problem is not None:
        raise SweepError(problem)
    # what compose_config's with_log_configuration=True does, now the logging config is
    # known to be data (its debug report, for hydra.verbose, logs through that module's log)
    try:
        configure_log(master.hydra.hydra_logging, master.hydra.verbose)
    except ValueError as exc:
        problem = logging_config_problem(exc)
        if problem is None:
            raise
        raise SweepError(problem) from None
    hydra_module.log = logging.getLogger(hydra_module.__name__)
    hydra._print_debug_info(CONFIG_NAME, overrides, RunMode.MULTIRUN)
    return master


def hydra_value_problem(master: DictConfig) -> str | None:
    """One line for a value of Hydra's that baimo reads before Hydra would check it: a
    ``hydra.mode`` or ``hydra.verbose`` whose interpolation cannot be resolved (a traceback,
    InterpolationKeyError), a ``hydra.verbose`` that is neither true or false, a logger's
    name nor a list of them (``hydra.verbose=5``: a traceback, AssertionError, from Hydra's
    logging set-up). None if both are sound."""
    try:
        verbose, _ = master.hydra.verbose, master.hydra.mode
    except OmegaConfBaseException as exc:
        return omegaconf_line(exc)
    if not (isinstance(verbose, bool | str) or OmegaConf.is_list(verbose)):
        return (f"hydra.verbose={verbose}: allowed true, false, a logger's name or a list of "
                "names (the loggers to show at debug level)")
    return None


def _names(master: DictConfig, overrides: list[Override], excluded: list[str]) -> tuple[str, str]:
    """A job's directory name and its setting (the overrides that name it, but for the
    replication, as written). The name is Hydra's ``override_dirname`` made portable
    (:func:`~sim.locations.portable_name`, as ``hydra.sweep.subdir`` makes it for the
    launchers that compose their jobs again): a name too long to keep whole (five keys
    with long names) is cut and ended with a digest, as one holding a character Windows
    refuses is, where sweeps used to refuse it."""
    conf = master.hydra.job.config.override_dirname
    task = [o for o in overrides if not o.is_hydra_override()]
    name = get_overrides_dirname(task, excluded, conf.item_sep, conf.kv_sep)
    setting = get_overrides_dirname(task, [*excluded, REPLICATION], conf.item_sep, conf.kv_sep)
    return portable_name(name), setting


class SettingComposer:
    """Each setting's model config: the master's, without its hydra node, with the
    setting's key overrides applied, as Hydra would apply them.

    The overrides go onto a deep copy of the master's (~6 ms for the whole model
    config). When a setting's overrides are plain assignments (``key=value`` whose value
    is neither a dict nor a list, so it replaces what is there) of the same keys as the
    previous setting's, which were plain too, they go onto the previous setting's config
    instead: they set again every key that setting changed, so the result equals a
    fresh copy with these overrides (resolver caches are reset to the master's). A grid
    or a design sweep's settings all set the same keys.
    """

    def __init__(self, master: DictConfig) -> None:
        self._base = copy.deepcopy(master)
        with open_dict(self._base):
            del self._base["hydra"]
        self._last: DictConfig | None = None
        self._last_keys: tuple[str, ...] = ()

    def compose(self, overrides: list[Override]) -> DictConfig:
        """The config with ``overrides`` (no config-group choices) applied; it is valid
        until the next call, which may reuse it."""
        keys = tuple(o.key_or_group for o in overrides)
        plain = all(_is_plain(o) for o in overrides)
        if plain and self._last is not None and keys == self._last_keys:
            cfg = self._last
            OmegaConf.copy_cache(from_config=self._base, to_config=cfg)
        else:
            cfg = copy.deepcopy(self._base)
        self._last = None   # until the overrides are in: a failed one leaves nothing to reuse
        ConfigLoaderImpl._apply_overrides_to_config(overrides, cfg)
        if plain:
            self._last, self._last_keys = cfg, keys
        return cfg


def _is_plain(override: Override) -> bool:
    """Whether applying ``override`` replaces a value whatever was there before."""
    return (override.type == OverrideType.CHANGE and override.package is None
            and not isinstance(_value(override), (dict, list)))


def _add_jobs(spec: SweepSpec, hydra: Hydra, layout: Layout, fixed: set[str]) -> None:
    """Each job of ``layout`` into ``spec``, its setting composed and validated once;
    ``fixed``: the command's override strings that every job shares."""
    master, swept = layout.master.config, layout.swept
    composer = SettingComposer(master)
    base_keys_checked = False
    seeds: dict[str, list[int]] = {}
    models: dict[str, BaimoConfig] = {}
    resolved: dict[str, dict[str, Any]] = {}
    params: dict[str, dict[str, Any]] = {}
    for job_overrides, parsed, (name, setting) in zip(layout.batches, layout.parsed,
                                                      layout.names, strict=True):
        replication = int(next(_value(o) for o in parsed if o.key_or_group == REPLICATION))
        sample = next((int(_value(o)) for o in parsed if o.key_or_group == SAMPLE), None)
        if setting not in models:
            cfg, plain = _compose_setting(hydra, master, composer, parsed, swept, fixed)
            try:
                rc = run_control(cfg)
                # plain assignments onto the base add no key: once one such config passed
                # the key check, the base's keys are known good (to_config's check_keys)
                models[setting] = to_config(cfg, check_keys=not (plain and base_keys_checked))
            except ConfigError as exc:
                raise SweepError(f"{setting or 'sweep'}: {exc}") from None
            base_keys_checked = base_keys_checked or plain
            seeds[setting] = replication_seeds(models[setting].seed, rc.replications)
            resolved[setting] = dataclasses.asdict(models[setting])
            params[setting] = {k: _param(cfg, k, parsed) for k in swept}
        if not 0 <= replication < spec.replications:
            raise SweepError(replication_out_of_range(replication, spec.replications))
        config = dataclasses.replace(models[setting], seed=seeds[setting][replication])
        spec.configs[name] = config
        spec.jobs.append(Job(name=name, setting=setting, overrides=tuple(job_overrides),
                             params=params[setting], replication=replication,
                             seed=config.seed, sample=sample,
                             config_hash=seeded_hash(resolved[setting], config.seed)))


def seeded_hash(resolved: dict[str, Any], seed: int) -> str:
    """``sim.configuration.config_hash`` of a config that differs from ``resolved`` in its seed.

    The replications of a setting differ only in the seed, so the resolved dict is
    built once per setting (it is the slow part); tests check this equals config_hash.
    """
    return hash_resolved({**resolved, "seed": seed})


def _compose_setting(hydra: Hydra, master: DictConfig, composer: SettingComposer,
                     parsed: list[Override], swept: list[str], fixed: set[str]
                     ) -> tuple[DictConfig, bool]:
    """The job's config: the master's with the job's overrides applied, as Hydra would;
    and whether it is the master's model config with plain assignments alone (see
    :func:`_is_plain`: then it has exactly the master's keys).

    Key overrides are applied to the master's model config (fast: the master already
    holds the ``fixed`` ones, including the experiment, so those are not applied again:
    a fixed ``+key=value`` would fail as already there; :class:`SettingComposer`); a
    swept config-group choice needs the full composition of its defaults list.
    """
    loader = hydra.config_loader
    repo = loader.repository  # type: ignore[attr-defined]

    def is_group(o: Override) -> bool:
        return bool(repo.group_exists(o.key_or_group)) and not isinstance(_value(o), dict)

    task = [o for o in parsed if not o.is_hydra_override()]
    try:
        if any(is_group(o) for o in task if o.key_or_group in swept):
            full = loader.load_sweep_config(master, [str(o.input_line) for o in parsed])
            with open_dict(full):
                del full["hydra"]
            return full, False
        keys = [o for o in task if not is_group(o) and str(o.input_line) not in fixed]
        return composer.compose(keys), all(_is_plain(o) for o in keys)
    except (HydraException, OmegaConfBaseException) as exc:
        raise SweepError(one_line(exc)) from None


def _param(cfg: DictConfig, key: str, parsed: list[Override]) -> Any:
    """A swept key's value in the composed config (a config-group choice as its name)."""
    value = OmegaConf.select(cfg, key, default=None)
    if value is None:
        for o in parsed:
            if o.key_or_group == key:
                return str(_value(o))
        return None
    if OmegaConf.is_config(value):
        return OmegaConf.to_container(value, resolve=True)
    return value
