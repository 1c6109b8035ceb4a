"""From Hydra to a validated :class:`~sim.config.BaimoConfig`.

``register_configs`` puts the schema in Hydra's ConfigStore as ``base_config``;
``conf/config.yaml`` extends it, so a mistyped key fails before anything runs.
``to_config`` turns a composed ``DictConfig`` into the validated dataclass.
Run-control keys (:class:`RunControl`: replications, sweep directory, ...) sit
beside the model keys in the composed config; ``model_part`` drops them and
``run_control`` validates them.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import glob
import hashlib
import json
import re
import signal
import types
import typing
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from hydra.core.config_store import ConfigStore
from hydra.core.object_type import ObjectType
from omegaconf import DictConfig, ListConfig, OmegaConf
from omegaconf.errors import MissingMandatoryValue, OmegaConfBaseException

from sim.commands import GRAMMAR_PAGE
from sim.config import (
    BaimoConfig,
    ConfigError,
    allowed_range,
    causes,
    error_key,
    item_keys,
    item_lists,
    safety_limits,
    schema_field,
    schema_fields,
    validate,
)
from sim.locations import output_root, portable_name, scenarios_root

if TYPE_CHECKING:
    from hydra.core.override_parser.types import Override

#: The repository (a checkout), or site-packages (a regular install).
ROOT = Path(__file__).resolve().parents[1]
#: Where a regular install (pip install ., or from a git URL) puts conf/ and experiments/
#: (pyproject.toml: package data of sim.bundled); a checkout has no such directory.
BUNDLED = Path(__file__).resolve().parent / "bundled"


def _data_dir(name: str) -> Path:
    """``conf`` or ``experiments``: as installed beside the package, else the checkout's."""
    installed = BUNDLED / name
    return installed if installed.is_dir() else ROOT / name


CONF_DIR = _data_dir("conf")
#: The primary config in ``conf/`` (``conf/config.yaml``).
CONFIG_NAME = "config"
EXPERIMENTS_DIR = _data_dir("experiments")
#: The config group of named experiments (``+experiment=NAME``).
EXPERIMENT = "experiment"
#: The key of a design's ranges (:class:`DesignSpec`).
DESIGN_RANGES = "design.ranges"


#: The most jobs a sweep may hold: a grid's or a design's settings times ``replications``
#: (and the most runs of a calibration study: trials times ``calibration.replications``).
#: Every job is composed and validated before anything runs, about 15 ms each on the
#: 2-core development machine: a plan of 10,000 design points took 2.5 minutes and
#: 450 MB, one of 100 million was killed at 24 GB. 10,000 jobs of the baseline (about
#: 1 s each) run for some 1.5 hours on two cores, of sensitivity_screening's size about
#: a day; past that, split the sweep (or its seeds: ``seed=...``) into several.
MAX_SWEEP_JOBS = 10_000


@dataclass
class DesignSpec:
    """How a sweep chooses its settings (docs/EXPERIMENTS.md, "Designs and sensitivity").

    ``grid`` takes the settings from ``hydra.sweeper.params`` and ``-m key=a,b``; the
    other kinds draw ``samples`` points from ``ranges`` (dotted parameter -> [low, high]):
    ``lhs`` a Latin hypercube, ``random`` independent uniform draws, ``morris``
    ``samples`` Morris trajectories (``samples * (k + 1)`` settings for k parameters),
    ``sobol`` Saltelli's scheme with base size ``samples`` (``samples * (k + 2)``
    settings, ``samples * (2k + 2)`` with ``second_order``). Morris and Sobol designs
    are analysed for ``outcomes`` (sweep.parquet columns) after aggregation.
    """

    kind: str = "grid"
    samples: int = 0
    ranges: dict[str, Any] = field(default_factory=dict)   # dotted key -> [low, high]
    outcomes: list[str] = field(default_factory=list)
    levels: int = 4                 # morris: grid levels of each parameter (even)
    second_order: bool = False      # sobol: also second-order indices
    resamples: int = 1000           # bootstrap resamples of the sensitivity indices' CIs
    confidence: float = 0.95        # level of those confidence intervals

    def settings(self) -> int:
        """How many settings the design draws (before replications): ``samples``, times
        ``k + 1`` (Morris) or ``k + 2`` / ``2k + 2`` (Sobol) for ``k`` ranges."""
        k = len(self.ranges)
        if self.kind == "morris":
            return self.samples * (k + 1)
        if self.kind == "sobol":
            return self.samples * (2 * k + 2 if self.second_order else k + 2)
        return self.samples


@dataclass
class CalibrationSpec:
    """What ``+experiment=calibrate`` optimises (sim.calibration; docs/EXPERIMENTS.md).

    Each trial runs ``replications`` seeded runs (the same seeds in every trial) and
    scores them with the validity loss (sim.calibration.loss); ``scenario`` names the
    YAML file the best trial is written to, under ``<output root>/scenarios/experiment/``.
    """

    replications: int = 3
    scenario: str = "calibrated"
    margin: float = 0.1             # loss: a fact costs until it passes by this relative slack
    price_target_weight: float = 1.0   # loss: weight of the GPU price doubling term


@dataclass
class RunControl:
    """Keys that steer a run or a sweep but are not model parameters (docs/EXPERIMENTS.md)."""

    replications: int = 1          # runs per setting in a sweep
    replication: int = 0           # which of them this run is (set by the sweep)
    plan: bool = False             # sweeps: print what would run and how long, run nothing
    sweep_dir: str | None = None   # sweeps: directory (default outputs/sweeps/<experiment>...)
    run_plots: bool = True         # a single run: draw its plots (false: tables, summary)
    job_plots: bool = False        # sweeps: also draw every job's own plots
    sweep_plots: bool = True       # sweeps: draw the sweep's plots after aggregating
    fail_job: str | None = None    # test hook: the sweep job with this name raises
    job_timeout_s: float | None = None  # sweeps, calibrations: a job (trial) running longer
                                        # (seconds) is stopped
    sample: int | None = None      # design sweeps: which point of the design this job is
    design: DesignSpec = field(default_factory=DesignSpec)
    calibration: CalibrationSpec = field(default_factory=CalibrationSpec)


@dataclass
class RunConfig(RunControl, BaimoConfig):
    """The composed config: the model schema plus the run-control keys."""


#: The run-control keys, RunControl's fields: they steer a run or a sweep, not the model.
RUN_CONTROL_KEYS = frozenset(f.name for f in dataclasses.fields(RunControl))


def override_key(override: str) -> str:
    """The config key an override sets: ``funds.term_years`` for ``funds.term_years=3``
    (``+``/``++``/``~`` prefixes and an ``@package`` dropped)."""
    return override.partition("=")[0].lstrip("+~").partition("@")[0]


def run_control_override(overrides: list[str]) -> str | None:
    """The first of ``overrides`` that sets a run-control key (``plan=true``,
    ``design.kind=lhs``, ``+sweep_dir=x``), None if none does: a command that runs its own
    replications (baimo-teach, baimo-validate) does not read them, and would run in full."""
    return next((o for o in overrides
                 if override_key(o).partition(".")[0] in RUN_CONTROL_KEYS), None)


def hydra_override(overrides: list[str]) -> str | None:
    """The first of ``overrides`` that sets one of Hydra's own keys or config groups
    (``hydra.mode=MULTIRUN``, ``hydra/launcher=basic``), None if none does: a command that
    composes the model's settings alone (baimo-teach, baimo-validate) does not read them,
    and ran as if they were not there."""
    return next((o for o in overrides
                 if override_key(o).split(".")[0].split("/")[0] == "hydra"), None)


#: conf/config.yaml searches <output root>/scenarios for experiments; until a calibration
#: writes one, the directory does not exist and Hydra would warn on every run (and in every
#: sweep worker, which imports this module before composing its job: hence at import).
#: The root may hold a newline, hence (?s): "." would stop at it, and the warning showed.
SCENARIOS_WARNING = r"(?s)provider=hydra\.searchpath in main, path=.*scenarios is not available"
warnings.filterwarnings("ignore", message=SCENARIOS_WARNING, category=UserWarning)


#: conf/config.yaml puts runs, sweeps and scenarios under ``${baimo_output_root:}``: the
#: output root as :func:`sim.locations.output_root` sees it. (``oc.env`` takes an empty
#: BAIMO_OUTPUT_ROOT at its word, and runs went to /runs at the filesystem's root.)
OmegaConf.register_new_resolver("baimo_output_root", lambda: str(output_root()), replace=True)
#: conf/config.yaml names a sweep job's directory (``hydra.sweep.subdir``) with
#: ``${baimo_job_dir:${hydra.job.override_dirname}}``: Hydra's name of its overrides, made
#: portable as the sweep names it (sim.sweep.spec), for the launchers that compose each job
#: again (submitit, SLURM).
OmegaConf.register_new_resolver("baimo_job_dir", portable_name, replace=True)


#: The schema's name in Hydra's ConfigStore: conf/config.yaml's defaults list names it.
BASE_CONFIG = "base_config"


def register_configs() -> None:
    """Register the schema under the name the primary config's defaults list uses, and the
    named experiments (:func:`register_experiments`).

    The schema once per process: Hydra's ConfigStore lasts as long as the process and the
    schema does not change, while storing it builds the whole structured config (~20 ms),
    and a command-line sweep registers it twice (at entry, and as it starts Hydra). An
    experiment file is stored again only when it has changed.
    """
    store = ConfigStore.instance()
    if store.get_type(f"{BASE_CONFIG}.yaml") is not ObjectType.CONFIG:
        store.store(name=BASE_CONFIG, node=RunConfig)
    register_experiments()


def register_experiments(folder: Path | None = None) -> None:
    """Put each experiment file of ``folder`` (None: ``experiments/``) in Hydra's ConfigStore as
    an option of the config group ``experiment``: ``NAME.yaml`` as ``NAME``,
    ``teaching/NAME.yaml`` as ``teaching/NAME``, its keys in the package its ``# @package``
    header names, as Hydra reads a file (``OmegaConf.load``).

    Hydra finds a config group as a folder of that name under its search path, and the
    experiments live in ``experiments/``: a symbolic link ``conf/experiment`` ->
    ``../experiments`` stood in for that folder, but a checkout without symbolic links (Git
    for Windows' default) holds it as a text file, and there no experiment or lesson ran.

    A file is read and stored again only when it has changed. A file that is not YAML is
    left out: naming it is refused in one line before Hydra composes (:func:`composition_problem`).
    """
    folder = EXPERIMENTS_DIR if folder is None else folder
    store = ConfigStore.instance()
    for path in sorted(folder.rglob("*.yaml")):
        try:
            stat = path.stat()
        except OSError:
            continue
        group = "/".join((EXPERIMENT, *path.relative_to(folder).parent.parts))
        where = f"{group}/{path.name}"
        version = (str(path), stat.st_mtime_ns, stat.st_size)
        if (_STORED_EXPERIMENTS.get(where) == version
                and store.get_type(where) is ObjectType.CONFIG):
            continue
        found = _config_file(path)
        if found is None or found.problem is not None:
            continue
        store.store(group=group, name=path.stem, node=OmegaConf.load(path),
                    package=found.header, provider=f"baimo: {path}")
        _STORED_EXPERIMENTS[where] = version


#: Which version of an experiment file (path, modification time in ns, size in bytes)
#: Hydra's ConfigStore holds, by config path (``experiment/NAME.yaml``): the store lasts
#: as long as the process, and reading it back copies the whole config.
_STORED_EXPERIMENTS: dict[str, tuple[str, int, int]] = {}


@functools.cache
def bool_keys() -> frozenset[str]:
    """Dotted keys of the schema's true-or-false fields (model and run control)."""
    return frozenset(key for key, _, kind in schema_fields(RunConfig) if kind is bool)


#: Hydra settings baimo sets itself, which an override would change in nothing: why.
SET_BY_BAIMO = {
    "hydra.sweeper.storage": "baimo keeps a calibration's Optuna study in its sweep directory "
                             "(study.db); choose the directory with sweep_dir=...",
}


def composition_problem(overrides: Sequence[Override],
                        conf_dir: Path | None = None) -> str | None:
    """One line for the first thing in the way of composing ``overrides`` that Hydra would
    let pass or say badly (None: nothing is): an override that gives a true-or-false key
    anything but true or false; a Hydra setting baimo sets itself (:data:`SET_BY_BAIMO`);
    a deletion of a list's item (``~hype.shocks.0``: Hydra's
    TypeError); an empty ``design.ranges={}``, which Hydra merges into the
    ranges there are (changing nothing); an experiment named both by a scenario and by a shipped
    experiment (Hydra would take the shipped one as the scenario's schema); a config file
    the overrides compose that is not YAML or not UTF-8 text, or that gives a
    true-or-false key anything else. OmegaConf would take any integer as a truth value,
    so a slip such as ``compute.made_to_order=2`` (or a number meant for another key),
    on the command line or in a file, would run as true, unremarked."""
    for o in overrides:
        if o.key_or_group in SET_BY_BAIMO:   # accepted, then silently not applied
            return f"{o.input_line}: not settable; {SET_BY_BAIMO[o.key_or_group]}"
        for key, why in SET_BY_BAIMO.items():   # or inside a map: hydra.sweeper={storage:x}
            parent, _, child = key.rpartition(".")
            if o.key_or_group == parent and not o.is_delete() and any(
                    isinstance(v, dict) and child in v for v in _values(o)):
                return f"{o.input_line}: {key} is not settable; {why}"
        if o.is_delete() and o.key_or_group.rpartition(".")[2].isdigit():
            # Hydra deletes keys of a map, not items of a list: a traceback (TypeError)
            listed = o.key_or_group.rpartition(".")[0]
            return (f"~{o.key_or_group}: an item of a list cannot be deleted; give the list "
                    f"without it ({listed}=[...])")
        if o.is_delete() and schema_field(o.key_or_group) is not None:
            return (f"~{o.key_or_group}: a setting cannot be deleted (the model reads every "
                    f"one); give it a value instead: {o.key_or_group}=VALUE")
    keys = bool_keys()
    for o in overrides:
        if o.is_delete() or o.key_or_group not in keys:
            continue
        for value in _values(o):
            if not _not_a_bool(value):
                continue
            text = (value if isinstance(value, int | float | str)
                    else str(o.input_line).split("=", 1)[-1])
            return f"{o.key_or_group}={text}: allowed true or false"
    for o in overrides:
        if o.key_or_group == DESIGN_RANGES and not o.is_delete() and {} in _values(o):
            return (f"{DESIGN_RANGES}={{}}: an empty map removes no range (Hydra merges a "
                    "map into the experiment's ranges); allowed a map of parameter: "
                    "[low, high], or design.kind=grid for none")
    for o in overrides:
        if o.key_or_group != EXPERIMENT or o.is_delete():
            continue
        for name in _options(o):
            both = [folder / f"{name}.yaml" for folder in (scenario_experiments(),
                                                          EXPERIMENTS_DIR)]
            if all(path.is_file() for path in both):
                return (f"{EXPERIMENT}={name}: both {both[0]} and {both[1]} are named so; "
                        "rename the scenario")
            problem = _includes_problem(name, [])
            if problem is not None:
                return problem
            own = _own_sweep(name) if o.is_discrete_sweep() and len(_values(o)) > 1 else None
            if own is not None:
                return (f"{o.input_line}: experiment {name} is a sweep itself ({own}), and a "
                        "sweep over experiments runs each as one setting, without it: run "
                        f"+{EXPERIMENT}={name} on its own")
    for path, package in config_files(overrides, conf_dir or CONF_DIR):
        found = _config_file(path)
        problem = (found.problem if found is not None and found.problem is not None
                   else _content_problem(path) or _package_problem(path, package)
                   or _defaults_problem(path) or _file_value_problem(path, package, keys)
                   or _sweep_params_problem(path, package))
        if problem is not None:
            return problem
    return None


def _values(o: Override) -> list[Any]:
    """The values override ``o`` gives its key or group: each of a sweep's (``a,b``), or
    its one."""
    return list(o.sweep_iterator()) if o.is_discrete_sweep() else [o.value()]


def _options(o: Override) -> list[str]:
    """The config-group options override ``o`` chooses: each of a sweep's, and each of a
    list's (``+experiment=[a,b]`` composes both files, in order)."""
    return [str(option) for value in _values(o)
            for option in (value if isinstance(value, list) else [value])]


def config_files(overrides: Sequence[Override], conf_dir: Path) -> list[tuple[Path, str]]:
    """The YAML files composing ``conf_dir``'s primary config with ``overrides`` reads, each
    with the package its keys land in ("" for the top level): the primary config, each
    config group's option (the defaults list's, or the one an override chooses, a
    sweep's every one), the experiment file ``+experiment=NAME`` names, and what their own
    defaults lists bring (an experiment's ``override /compute: dear``, a group file's
    ``- default`` it extends). Files that are missing are left out (Hydra says so)."""
    primary = conf_dir / f"{CONFIG_NAME}.yaml"
    chosen: dict[str, list[str]] = {}
    for entry in _defaults(primary, ""):
        if entry.group and entry.options is not None:   # not the schema (`- base_config`)
            chosen[entry.group] = entry.options
    command_line: dict[str, list[str] | None] = {}
    for o in overrides:
        group = o.key_or_group
        if group != EXPERIMENT and not (conf_dir / group).is_dir():
            continue
        if o.is_delete():
            command_line[group] = None
        else:
            command_line[group] = _options(o)
    # An experiment's defaults list changes the primary's choices (`override /group: x`) or
    # adds groups; the command line has the last word on both.
    for option in command_line.get(EXPERIMENT) or []:
        path = experiment_file(option)
        for entry in _defaults(path, EXPERIMENT) if path is not None else []:
            if entry.group == EXPERIMENT:   # `- other_experiment` it extends: read below
                continue
            if entry.options is None:
                chosen.pop(entry.group, None)
            else:
                chosen[entry.group] = entry.options
    for group, options in command_line.items():
        if options is None:
            chosen.pop(group, None)
        else:
            chosen[group] = options
    files: list[tuple[Path, str]] = []
    seen: set[Path] = set()
    queue: list[tuple[Path | None, str]] = [(primary, "")]
    queue += [(experiment_file(option) if group == EXPERIMENT
               else conf_dir / group / f"{option}.yaml", group)
              for group, options in chosen.items() for option in options]
    while queue:   # each file, then the files its own defaults list includes
        path, group = queue.pop(0)
        found = _config_file(path) if path is not None else None
        if path is None or found is None or path in seen:
            continue
        seen.add(path)
        files.append((path, found.package(group)))
        if group != "":   # the primary's groups are the choices above
            queue += [(conf_dir / entry.group / f"{option}.yaml", entry.group)
                      for entry in _defaults(path, group) if not entry.override
                      for option in entry.options or []]
    return files


#: Where a config file lists the values a grid sweep takes (Hydra's basic sweeper).
SWEEPER_PARAMS = ("hydra", "sweeper", "params")


def _dig(node: Any, keys: Sequence[str]) -> Any:
    """The value under ``keys`` in YAML data ``node`` (a dict of dicts), None where any
    step is missing or not a map."""
    for part in keys:
        node = node.get(part) if isinstance(node, dict) else None
    return node


def swept_in_files(overrides: Sequence[Override], conf_dir: Path | None = None) -> set[str]:
    """The keys the config files composing ``overrides`` sweep (:func:`config_files`): what
    their ``hydra.sweeper.params`` list, as an experiment file lists its grid."""
    keys: set[str] = set()
    for path, package in config_files(overrides, conf_dir or CONF_DIR):
        node = _dig(_yaml_data(path), SWEEPER_PARAMS) if package == "" else None
        if isinstance(node, dict):
            keys |= {str(key) for key in node}
    return keys


#: Where a config file names a sweep's directory: baimo's run-control key, and Hydra's.
SWEEP_DIR_KEYS = (("sweep_dir",), ("hydra", "sweep", "dir"))


def files_sweep_dir(overrides: Sequence[Override], conf_dir: Path | None = None) -> str | None:
    """The sweep directory the config files composing ``overrides`` name (``sweep_dir:``, or
    Hydra's ``hydra.sweep.dir:``; the last file's), but the primary config's (its
    ``hydra.sweep.dir`` is the default baimo replaces); None if none does. Until 2026-12-07
    both were ignored in a scenario: the sweep went to its default directory."""
    primary = (conf_dir or CONF_DIR) / f"{CONFIG_NAME}.yaml"
    found = None
    for path, package in config_files(overrides, conf_dir or CONF_DIR):
        if package != "" or path == primary:
            continue
        data = _yaml_data(path)
        for keys in SWEEP_DIR_KEYS:
            node = _dig(data, keys)
            if node is not None:
                found = str(node)
    return found


def files_hydra_choices(overrides: Sequence[Override]) -> list[str]:
    """The options of Hydra's own config groups that the primary config chooses
    (``hydra/launcher``, ``hydra/job_logging``) and the experiments ``overrides`` name, or
    those they extend, choose again in their defaults lists (``- override /hydra/launcher:
    submitit_slurm``), as overrides (``hydra/launcher=submitit_slurm``; the last choice of
    a group). Hydra keeps the primary's choice and drops the experiment's unremarked: a
    sweep ran on joblib whatever its experiment chose. (A group the primary leaves alone,
    ``hydra/sweeper``, Hydra takes from the experiment: calibrate's optuna.)"""
    primary = {entry.group for entry in _defaults(CONF_DIR / f"{CONFIG_NAME}.yaml", "")
               if entry.override}
    chosen: dict[str, str] = {}
    names = [name for o in overrides if o.key_or_group == EXPERIMENT and not o.is_delete()
             for name in _options(o)]
    seen: set[str] = set()
    while names:
        name = names.pop(0)
        path = experiment_file(name)
        if path is None or name in seen:
            continue
        seen.add(name)
        names += [target for _, target, chooses in _experiment_includes(path) if not chooses]
        for entry in _defaults(path, EXPERIMENT):
            if entry.override and entry.group in primary and entry.options:
                chosen[entry.group] = entry.options[-1]
    return [f"{group}={option}" for group, option in chosen.items()]


class _DefaultsEntry(typing.NamedTuple):
    """One entry of a config file's defaults list: the config group it names (a path under
    ``conf/``; a plain name names a config of the file's own group), its options (None:
    the group is removed) and whether it overrides an earlier choice of that group."""

    group: str
    options: list[str] | None
    override: bool


def _defaults(path: Path, group: str) -> list[_DefaultsEntry]:
    """The defaults list of the config file at ``path`` in config ``group`` ("" for the
    primary), as Hydra reads it: ``- name`` (a config of the same group), ``- sub: option``
    (``group/sub``), ``- /other: option`` (absolute), ``- override /other: option``,
    ``optional`` and ``@package`` forms; ``_self_`` and anything else is left to Hydra."""
    data = _yaml_data(path)
    listed = data.get("defaults") if isinstance(data, dict) else None
    entries: list[_DefaultsEntry] = []
    for item in listed if isinstance(listed, list) else []:
        if isinstance(item, str) and item != "_self_":
            name = item.split("@", 1)[0]
            where = name.lstrip("/").rsplit("/", 1)
            sub = where[0] if len(where) == 2 else ""
            base = "" if name.startswith("/") else group
            entries.append(_DefaultsEntry("/".join(p for p in (base, sub) if p),
                                          [where[-1]], override=False))
        elif isinstance(item, dict) and len(item) == 1:
            key, value = next(iter(item.items()))
            words = str(key).split()
            override = words[:1] == ["override"]
            name = words[-1].split("@", 1)[0]
            base = "" if name.startswith("/") else group
            target = "/".join(p for p in (base, name.strip("/")) if p)
            if value is None:
                entries.append(_DefaultsEntry(target, None, override))
            elif isinstance(value, str | list):
                options = value if isinstance(value, list) else [value]
                entries.append(_DefaultsEntry(target, [str(v) for v in options], override))
    return entries


class _ConfigFile(typing.NamedTuple):
    """A config file as read once: its YAML data (None if it is not YAML), the package its
    ``# @package`` header names (None: no header) and, if it is not YAML or not UTF-8 text,
    one line saying so (:func:`yaml_problem`)."""

    data: Any
    header: str | None
    problem: str | None = None

    def package(self, group: str) -> str:
        """Where the file's keys land: "" for ``_global_``, else the header's package, else
        the group (Hydra's default)."""
        if self.header == "_global_":
            return ""
        return (group.replace("/", ".") if self.header in (None, "_group_")
                else self.header)


def _yaml_data(path: Path) -> Any:
    """The YAML data of the file at ``path`` (None if it cannot be read or is not YAML)."""
    read = _config_file(path)
    return read.data if read is not None else None


#: What some editors put before a UTF-8 file's text.
BYTE_ORDER_MARK = "\ufeff"


def _config_file(path: Path) -> _ConfigFile | None:
    """The file at ``path`` (None if it cannot be read), read again only when it changes."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return _config_file_cached(str(path), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=256)
def _config_file_cached(path: str, mtime_ns: int, size: int) -> _ConfigFile | None:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError:
        return None
    except UnicodeDecodeError as exc:
        return _ConfigFile(None, None, yaml_problem(exc, Path(path)))
    header = None
    for line in text.removeprefix(BYTE_ORDER_MARK).splitlines():
        if not line.startswith("#"):
            break
        words = line[1:].split()
        if len(words) == 2 and words[0] == "@package":
            header = words[1]
            break
    if header is not None and text.startswith(BYTE_ORDER_MARK):
        return _ConfigFile(None, None, (
            f"{path}: starts with a byte-order mark (U+FEFF, as some editors save UTF-8), "
            f"which hides its '# @package {header}' line from Hydra; save it as UTF-8 "
            "without one"))
    try:
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        try:   # said as Hydra would say it: its reader's words, the file's name
            OmegaConf.load(path)
        except yaml.YAMLError as exc:
            return _ConfigFile(None, header, yaml_problem(exc))
        return _ConfigFile(None, header)   # only the faster reader refuses it: leave it to Hydra
    return _ConfigFile(data, header)


def _not_a_bool(value: Any) -> bool:
    """A value OmegaConf would turn into true or false that is neither (an integer, say);
    None is left to OmegaConf (the key may not be null), an interpolation to what it
    resolves to."""
    return not (isinstance(value, bool) or value is None
                or (isinstance(value, str) and "${" in value))


def scenario_experiments() -> Path:
    """The folder of scenarios that run as experiments: ``<output root>/scenarios/experiment``."""
    return scenarios_root() / EXPERIMENT


def experiment_file(name: str) -> Path | None:
    """The file ``+experiment=NAME`` reads: a scenario (:func:`scenario_experiments`), else
    ``experiments/NAME.yaml`` (:func:`register_experiments`), in the order of Hydra's search
    path (the primary config's ``hydra.searchpath`` before the ConfigStore)."""
    for folder in (scenario_experiments(), EXPERIMENTS_DIR):
        path = folder / f"{name}.yaml"
        if path.is_file():
            return path
    return None


def _experiment_includes(path: Path) -> list[tuple[str, str, bool]]:
    """The experiments the defaults list of the experiment file at ``path`` names: each as
    written, its name, and whether it chooses the experiment (``- /experiment: NAME``) or
    extends one (``- NAME``, a config of the same group)."""
    data = _yaml_data(path)
    listed = data.get("defaults") if isinstance(data, dict) else None
    found = []
    for entry in listed if isinstance(listed, list) else []:
        if isinstance(entry, str) and entry != "_self_" and not entry.startswith("/"):
            found.append((entry, entry.split("@", 1)[0], False))
        elif isinstance(entry, dict) and len(entry) == 1:
            key, value = next(iter(entry.items()))
            name = str(key).split()[-1].split("@", 1)[0]
            if name.startswith("/") and name.strip("/") == EXPERIMENT and value is not None:
                found.append((f"{key}: {value}", str(value), True))
    return found


def experiment_names() -> list[str]:
    """The experiments ``+experiment=NAME`` may name: the scenarios under the output root
    and the files in ``experiments/`` (lessons as ``teaching/NAME``)."""
    return sorted({str(path.relative_to(folder).with_suffix(""))
                   for folder in (scenario_experiments(), EXPERIMENTS_DIR)
                   for path in folder.rglob("*.yaml")})


def _includes_problem(name: str, chain: list[str]) -> str | None:
    """One line for experiment ``name`` (reached through ``chain``) whose defaults list
    Hydra cannot follow: one that chooses an experiment (``- /experiment: x``: Hydra said
    "Multiple values for experiment", or, naming itself, recursed until Python's
    RecursionError, a traceback), or experiments that extend each other in a ring (the
    same traceback). None if it can: an experiment extending others (``- x``)."""
    path = experiment_file(name)
    if path is None:
        return None
    if name in chain:
        ring = " -> ".join([*chain[chain.index(name):], name])
        return (f"{experiment_file(chain[0])}: its defaults list comes back to experiment "
                f"{name} ({ring}); an experiment cannot extend itself")
    for written, target, chooses in _experiment_includes(path):
        if not chooses and experiment_file(target) is None:   # Hydra: its search path
            return (f"{path}: defaults: '- {written}' names no experiment"
                    f"{did_you_mean(target, experiment_names())}")
        if chooses and target == name:
            return f"{path}: defaults: '{written}' names the experiment itself"
        if chooses:
            return (f"{path}: defaults: '{written}' chooses the experiment, as "
                    f"+{EXPERIMENT}=... does already; to extend experiment {target}, name "
                    f"it alone: '- {target}'")
        problem = _includes_problem(target, [*chain, name])
        if problem is not None:
            return problem
    return None


def _own_sweep(name: str) -> str | None:
    """What in experiment ``name``'s file makes it a sweep of its own (``key=value``): a
    grid or search space (``hydra.sweeper.params``), a design, replications above 1;
    None if nothing does, or there is no such file."""
    path = experiment_file(name)
    data = _yaml_data(path) if path is not None else None
    node = _dig(data, SWEEPER_PARAMS)
    kind = _dig(data, ("design", "kind"))
    replications = _dig(data, ("replications",))
    for what, asked in ((f"hydra.sweeper.params: {', '.join(map(str, node or {}))}",
                         isinstance(node, dict) and bool(node)),
                        (f"design.kind={kind}", kind not in (None, "grid")),
                        (f"replications={replications}",
                         isinstance(replications, int) and replications > 1)):
        if asked:
            return what
    return None


def _sweep_params_problem(path: Path, package: str) -> str | None:
    """One line for a value of a config file's ``hydra.sweeper.params`` that Hydra's
    override grammar cannot read (``seed: "range(1,"``): Hydra said "no viable alternative
    at input 'range(1,'", naming neither the key nor the file; or for an experiment file
    sweeping experiments (``+experiment: a,b``), which ran one job. None if neither."""
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.errors import HydraException

    node = _dig(_yaml_data(path), SWEEPER_PARAMS) if package == "" else None
    for key, value in node.items() if isinstance(node, dict) else ():
        if (override_key(str(key)) == EXPERIMENT
                and path.parent in (scenario_experiments(), EXPERIMENTS_DIR)):
            # The command's +experiment=NAME, which chose this file, takes the place of the
            # file's list (the last word is the command line's): one job ran, unremarked.
            return (f"{path}: hydra.sweeper.params.{key}: an experiment cannot sweep "
                    "experiments (the command's +experiment chose this file, and chooses "
                    "the one experiment of every job); sweep them from the command line: "
                    f"baimo -m +{EXPERIMENT}={value}")
        if not isinstance(value, str):
            continue
        try:
            OverridesParser.create().parse_override(f"{key}={value}")
        except HydraException as exc:
            why = GRAMMAR_PAGE.sub("", str(exc).strip().splitlines()[0])
            return (f"{path}: hydra.sweeper.params.{key}: {value!r} is not a sweep Hydra can "
                    f"read ({why}); write its values as a,b,c or range(start,stop[,step])")
    return None


def _content_problem(path: Path) -> str | None:
    """One line for a config file that is not a map of keys to values: a list (Hydra said
    "Cannot merge DictConfig with ListConfig full_key: object_type=RunConfig") or a single
    value ("Invalid loaded object type: int", naming no file). An empty file, or one of
    comments only, sets nothing and is left alone."""
    data = _yaml_data(path)
    if data is None or isinstance(data, dict):
        return None
    return (f"{path}: holds {_yaml_kind(data)}, not settings; a config file is a map of keys "
            "to values (key: value lines)")


#: How an entry of a defaults list is written, as a refusal says it.
DEFAULTS_ENTRY = "'- name' (a config of the same group) or '- group: option'"


def _defaults_problem(path: Path) -> str | None:
    """One line for a defaults list Hydra would stop at with a traceback (a ValueError, not
    one of its own errors): not a list, or an entry that is neither a name nor one
    ``group: option`` (a number, a null, a list, a map of two keys). An option may be a
    name, a null or a list of names (Hydra says what it makes of those)."""
    data = _yaml_data(path)
    listed = data.get("defaults") if isinstance(data, dict) else None
    if listed is None:
        return None
    if not isinstance(listed, list):
        return f"{path}: defaults takes a list, each entry {DEFAULTS_ENTRY}"
    for entry in listed:
        if isinstance(entry, str) or (
                isinstance(entry, dict) and len(entry) == 1
                and all(isinstance(k, str) for k in entry)):
            continue
        return (f"{path}: defaults: the entry {json.dumps(entry, default=str)} is not "
                f"{DEFAULTS_ENTRY}")
    return None


def _package_problem(path: Path, package: str) -> str | None:
    """One line for an experiment file whose settings land under ``experiment`` (its
    package, :func:`config_files`): one without line 1 ``# @package _global_`` (Hydra
    said "experiment: no such setting", or of its defaults list's ``override /compute:
    dear`` "Could not override 'compute@experiment.compute'"). None for any other file."""
    data = _yaml_data(path)
    if package.split(".")[0] != EXPERIMENT or not data:
        return None
    return f"{path}: {NO_PACKAGE_HEADER.format(package=package)}"


#: An experiment file without the header that puts its keys at the config's top level.
NO_PACKAGE_HEADER = ("without line 1 '# @package _global_' its keys land under '{package}', "
                     "where the config has none; an experiment starts with that line "
                     "(docs/EXPERIMENTS.md)")


def _file_value_problem(path: Path, package: str, keys: frozenset[str]) -> str | None:
    """The first key a config file (its keys under ``package``, :func:`composition_problem`)
    gives a value of the wrong shape: a true-or-false key anything else (OmegaConf converts
    it as it merges the file, so by then a ``made_to_order: 2`` reads as true), a list or a
    map anything but a list or a map (:func:`_shape_problem`). A file that is not YAML has
    no values here."""
    data = _yaml_data(path)
    stack = [(f"{package}." if package else "", data)] if isinstance(data, dict) else []
    while stack:
        prefix, node = stack.pop()
        for key, value in node.items():
            dotted = f"{prefix}{key}"
            shape = _shape_problem(dotted, value)
            if shape is not None:
                return f"{path}: {shape}"
            if isinstance(value, dict):
                stack.append((f"{dotted}.", value))
            elif dotted in keys and _not_a_bool(value):
                return f"{path}: {dotted}={value}: allowed true or false"
    return None


#: What a value read from YAML is, as a refusal names it.
_YAML_KINDS = ((bool, "true or false"), (int | float, "a number"), (str, "text"),
               (list, "a list"), (dict, "a map"))


def _yaml_kind(value: Any) -> str:
    """What ``value``, read from YAML, is (:data:`_YAML_KINDS`)."""
    return next((name for t, name in _YAML_KINDS if isinstance(value, t)), "a value")


def _shape_problem(key: str, value: Any) -> str | None:
    """One line for ``value``, read from a config file for dotted ``key``, that is not the
    shape the key takes: a list where a map goes (``design.ranges: [1, 2]``) or the other
    way, a single value for either, anything but a map for a group of settings (``hype: 5``).
    Hydra said "Cannot merge DictConfig with ListConfig full_key: object_type=RunConfig",
    naming no key. None for a fitting value, a null or an interpolation (left to OmegaConf),
    and a key the schema does not have (:func:`file_key_problem`)."""
    tp = setting_type(key)
    if tp is None or value is None or (isinstance(value, str) and "${" in value):
        return None
    kind = _yaml_kind(value)
    if typing.get_origin(tp) is list and not isinstance(value, list):
        return f"{key} takes a list, written in brackets ({key}: [...]), not {kind}"
    if typing.get_origin(tp) is dict and not isinstance(value, dict):
        return (f"{key} takes a map of keys to values, written as keys under it or in braces "
                f"({key}: {{...}}), not {kind}")
    if dataclasses.is_dataclass(tp) and not isinstance(value, dict):
        return (f"{key} is a group of settings, written as keys under it ({key}: {{...}}), "
                f"not {kind}")
    return None


def setting_type(key: str) -> Any:
    """The type the composed config (:class:`RunConfig`: the model's settings and the
    run-control keys) gives dotted ``key``, an optional one's inner type; None for a key
    it does not have (a list's item, a key inside a map, Hydra's own)."""
    found = schema_field(key, RunConfig)
    if found is None:
        return None
    tp = found[1]
    inner = [a for a in typing.get_args(tp) if a is not type(None)]
    if typing.get_origin(tp) in (typing.Union, types.UnionType) and len(inner) == 1:
        return inner[0]
    return tp


def run_control(cfg: DictConfig) -> RunControl:
    """The run-control keys of a composed config; ConfigError (one line) if not sane."""
    values: dict[str, Any] = {}
    for f in dataclasses.fields(RunControl):
        if f.default_factory is not dataclasses.MISSING:   # a nested spec (design, calibration)
            try:
                values[f.name] = _nested_spec(cfg.get(f.name), typing.cast(type, f.default_factory))
            except OmegaConfBaseException as exc:
                raise ConfigError(f"{f.name}.{_one_line(exc)}") from None
        else:
            values[f.name] = cfg.get(f.name, f.default)
    rc = RunControl(**values)
    for key in ("replications", "replication"):
        value = getattr(rc, key)
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{key}={value!r} must be an integer")
    if rc.replications < 1:
        raise ConfigError(f"replications={rc.replications} must be at least 1")
    if rc.replications > MAX_SWEEP_JOBS:
        raise ConfigError(f"replications={rc.replications} is out of range; allowed 1 to "
                          f"{MAX_SWEEP_JOBS:,} (the most jobs a sweep may hold)")
    if not 0 <= rc.replication < rc.replications:
        raise ConfigError(replication_out_of_range(rc.replication, rc.replications))
    _check_job_timeout(rc.job_timeout_s)
    _check_design_size(rc.design, rc.replications)
    return rc


def replication_out_of_range(replication: int, replications: int) -> str:
    """One line for ``replication=N`` beyond the replications there are: with how many are
    set, since ``replication=3`` is most often ``replications=3`` mistyped (it said only
    "allowed 0 to 0 (replications=1)")."""
    return (f"replication={replication} is out of range; allowed 0 to {replications - 1} "
            f"(replications={replications}); replication picks one of the replications, "
            "replications=N sets how many")


#: The longest time limit a job may have (seconds, about three years): the system's alarm
#: timer (setitimer) overflows somewhere past 1e9 s, depending on the platform.
MAX_JOB_TIMEOUT_S = 1e8


def _check_job_timeout(seconds: float | None) -> None:
    """ConfigError (one line) unless ``job_timeout_s`` is null or a positive number of
    seconds up to :data:`MAX_JOB_TIMEOUT_S`, on a system that can stop a job at a time
    (SIGALRM: Linux, macOS)."""
    if seconds is None:
        return
    if not (0 < seconds <= MAX_JOB_TIMEOUT_S):   # NaN fails both
        raise ConfigError(f"job_timeout_s={seconds:.15g} is out of range; allowed more than 0 "
                          f"up to {MAX_JOB_TIMEOUT_S:,.0f} seconds (about three years), or "
                          "null for no limit")
    if not hasattr(signal, "setitimer"):
        raise ConfigError(f"job_timeout_s={seconds:.15g}: this system cannot stop a job after a "
                          "time (no SIGALRM, as on Windows); leave job_timeout_s null here")


def _check_design_size(design: DesignSpec, replications: int) -> None:
    """ConfigError (one line) if a design sweep would hold more than :data:`MAX_SWEEP_JOBS`
    jobs: its settings (:meth:`DesignSpec.settings`) times ``replications``. (A grid's
    settings come from its lists, not from ``design``.)"""
    if design.kind == "grid":   # sim.sweep.design.GRID
        return
    settings = design.settings()
    jobs = settings * replications
    if jobs > MAX_SWEEP_JOBS:
        per = f" x {settings // design.samples}" if settings != design.samples else ""
        raise ConfigError(
            f"design.samples={design.samples} makes {jobs:,} jobs (design.kind={design.kind}: "
            f"{design.samples}{per} settings, replications={replications}); allowed at most "
            f"{MAX_SWEEP_JOBS:,} jobs in a sweep")


def _nested_spec(node: DictConfig | None, spec: type[Any]) -> Any:
    """A nested run-control spec (``spec``, a dataclass) from its node in a composed config.

    A node Hydra composed against the schema is already of the spec's type: turning it
    into the dataclass directly takes a tenth of the time of merging it into a fresh
    schema first (a sweep reads the run control of every setting), and its interpolations
    resolve against the whole config, as every other key's do. An untyped node, or one
    that fails that way, is merged, whose errors name the field as they always did.
    """
    if node is None:
        return spec()
    if OmegaConf.get_type(node) is spec:
        try:
            return OmegaConf.to_object(node)
        except OmegaConfBaseException:
            pass   # merged below, whose errors name the field as before
    return OmegaConf.to_object(OmegaConf.merge(OmegaConf.structured(spec), node))


def model_part(cfg: DictConfig) -> DictConfig:
    """The composed config without Hydra's own node or run-control keys."""
    container = OmegaConf.to_container(cfg, resolve=True)
    assert isinstance(container, dict)
    keep = {k: v for k, v in container.items() if k in BaimoConfig.__dataclass_fields__}
    return OmegaConf.create(keep)


def _one_line(exc: OmegaConfBaseException) -> ConfigError:
    return ConfigError(omegaconf_line(exc))


#: OmegaConf's words for an interpolation whose resolver failed (``${oc.env:NOSUCH}``).
RESOLVER_FAILED = re.compile(r"^\w+ raised while resolving interpolation: (?P<why>.*)$")


def omegaconf_line(exc: OmegaConfBaseException) -> str:
    """One line for an error OmegaConf raised reading a composed config, naming the key: a
    key left without a value, an interpolation that cannot be resolved ("seed: KeyError
    raised while resolving interpolation: ..." said the resolver's error's type first),
    or OmegaConf's first line."""
    key = getattr(exc, "full_key", None)
    if isinstance(exc, MissingMandatoryValue) and key:
        return missing_value(str(key))
    first = str(exc).splitlines()[0]
    failed = RESOLVER_FAILED.match(first)
    if failed is not None:
        first = f"{failed['why'].strip(chr(34))} (an interpolation, ${{...}}, it cannot resolve)"
    return f"{key}: {first}" if key else first


def missing_value(key: str) -> str:
    """One line for a key left without a value (``???``, or a list's item written without
    it: ``hype.shocks=[{month:5}]``), saying what it takes."""
    item = LIST_ITEM_KEY.match(key)
    if item is not None:
        return (f"{key} is missing: each item of {item['list']} gives every key, "
                f"{item_keys(item['list'])}")
    return f"{key} is missing: give it a value{allowed_range(key)}"


#: A key of a list's item, as OmegaConf names it: ``hype.shocks[0].size``.
LIST_ITEM_KEY = re.compile(r"^(?P<list>[\w.]+)\[\d+\]\.\w+$")


#: Where a line refusing an unknown setting sends the reader: the model's settings, and
#: the run-control keys (replications, design.*, calibration.*).
SETTINGS_DOC = "docs/MODEL.md section 10 lists every setting"
RUN_CONTROL_DOC = "docs/EXPERIMENTS.md lists the run-control keys"
HYDRA_DOC = "Hydra's documentation lists its settings (baimo --cfg hydra shows them)"
#: Hydra's refusal of an override whose key the schema does not have.
COULD_NOT_OVERRIDE = re.compile(r"Could not override '([^']+)'")


#: At most this many names are offered for a mistyped one.
MAX_SUGGESTIONS = 3


def close_names(name: str, names: Iterable[str]) -> list[str]:
    """The names of ``names`` close to ``name``, closest first: a typo (difflib's ratio of
    at least 0.6: ``hype-bust``, ``siz``), a name cut short (``term`` of ``term_years``)
    or its last word (``cut`` of ``supply_cut``)."""
    names = list(names)
    close = difflib.get_close_matches(name, names, n=MAX_SUGGESTIONS, cutoff=0.6)
    close += [n for n in names if name and n.startswith(name) and n not in close]
    # the name's last word alone (``cut`` of ``supply_cut``)
    close += [n for n in names if name and n.endswith(f"_{name}") and n not in close]
    return close[:MAX_SUGGESTIONS]


def did_you_mean(name: str, names: Iterable[str]) -> str:
    """`` (did you mean X?)`` for :func:`close_names`; "" if none is close."""
    return _offer(close_names(name, names))


def _offer(close: list[str]) -> str:
    """`` (did you mean X or Y?)`` offering ``close``; "" for none."""
    return f" (did you mean {' or '.join(close)}?)" if close else ""


def _unwrapped(tp: Any) -> Any:
    """``X`` of ``X | None``; any other type as it is."""
    args = [a for a in typing.get_args(tp) if a is not type(None)]
    if typing.get_origin(tp) in (types.UnionType, typing.Union) and len(args) == 1:
        return args[0]
    return tp


def unknown_setting(key: str, extra: Iterable[str] = (), suggest: bool = True) -> str | None:
    """One line for ``key`` (dotted, as an override writes it: ``funds.term``) when the
    schema has no such setting: the first part of it that is unknown, the names close to
    it there (``did you mean funds.term_years?``) and where every setting is listed.
    Hydra's own line ("To append to your config use +funds.term=5") leads to another
    refusal: the schema takes no new keys. ``extra``: top-level names a command takes
    beside the schema's (baimo-teach's ``workers``). None if the schema has ``key`` or it
    goes where this walk cannot follow (a dict's keys). ``suggest`` false: no names offered
    (whether a name offered is a setting itself is asked that way)."""
    extra = tuple(extra)
    parts = key.split(".")
    root: Any = RunConfig
    done: list[str] = []
    if parts[0] == "hydra":   # Hydra's own node: its schema (a plugin's node is untyped)
        from hydra.conf import HydraConf

        root, done, parts = HydraConf, ["hydra"], parts[1:]
    tp = root
    for i, part in enumerate(parts):
        tp = _unwrapped(tp)
        if typing.get_origin(tp) is list:
            if not part.isdigit():
                return None
            tp = typing.get_args(tp)[0]
            done.append(part)
            continue
        where = ".".join(done)
        if tp is Any or typing.get_origin(tp) is dict:   # untyped (a plugin's node), a dict
            return None
        if not dataclasses.is_dataclass(tp):
            return f"{key}: {where} is a value, not a group of settings ({SETTINGS_DOC})"
        fields = typing.get_type_hints(tp)
        if not done and part in extra and len(parts) == 1:
            return None
        if part not in fields:
            if not suggest:
                return f"{key}: no such setting"
            names = [*fields, *(extra if not done else ())]
            # each close name with the rest of the key, if that is a setting (fund.term_years:
            # funds.term_years), else alone (funds.term: funds.term_years)
            near = close_names(part, names)
            whole = [".".join([*done, c, *parts[i + 1:]]) for c in near]
            fits = [k for k in whole if unknown_setting(k, extra, suggest=False) is None]
            alone = [".".join([*done, c]) for c in near]
            offer = _offer(fits or alone)
            doc = (HYDRA_DOC if root is not RunConfig else
                   RUN_CONTROL_DOC if done and done[0] in RUN_CONTROL_KEYS else SETTINGS_DOC)
            return f"{key}: no such setting{offer}; {doc}"
        done.append(part)
        tp = fields[part]
    return None


def missing_option(exc: BaseException) -> str | None:
    """One line for Hydra's refusal of an unknown option of a config group
    (``+experiment=hype_bus``): the option, the close ones and every option, without the
    config search path Hydra's message goes on to list. None for any other error."""
    missing = getattr(exc, "missing_cfg_file", None)
    options = getattr(exc, "options", None)
    if not missing or not options or "/" not in str(missing):
        return None
    group, _, name = str(missing).rpartition("/")
    if group == EXPERIMENT:   # a scenario saved as .yml (Hydra reads .yaml alone)
        near = [path for folder in (scenario_experiments(), EXPERIMENTS_DIR)
                for path in sorted(folder.glob(f"{glob.escape(name)}.*"))
                if path.suffix.lower() in (".yml", ".yaml") and path.suffix != ".yaml"]
        if near:
            return (f"{group}={name}: no such option; {near[0]} is there, but only files "
                    f"ending in .yaml are read: rename it {name}.yaml")
    return (f"{group}={name}: no such option{did_you_mean(name, options)}; choose one of: "
            f"{', '.join(options)}")


#: Hydra's refusal of a group chosen twice ("+experiment=a +experiment=b"), with advice
#: for a defaults list ("To override a value use 'override experiment: b'").
CHOSEN_TWICE = re.compile(r"Multiple values for (?P<group>[\w/]+)\. To override a value use")


#: Hydra's refusal of a config a defaults list names that it cannot find, before it lists
#: its whole config search path.
NO_CONFIG = re.compile(r"Could not (?:find|load) '(?P<config>[^']+)'\.?\s+Config search path")


def missing_config(exc: BaseException) -> str | None:
    """One line for a config a file's defaults list names that does not exist (``-
    /nosuchgroup: x``, ``- override /compute: x`` in a group file), naming the file and
    the group's options, without Hydra's config search path; None for any other error."""
    found = NO_CONFIG.search(str(exc))
    if found is None:
        return None
    where = IN_CONFIG_FILE.match(str(exc))
    group, _, option = found["config"].rpartition("/")
    folder = CONF_DIR / group
    if group and folder.is_dir():
        options = sorted(path.stem for path in folder.glob("*.yaml"))
        why = (f"{group} has no option {option}{did_you_mean(option, options)}; choose one "
               f"of: {', '.join(options)}")
    elif group and not group.startswith("hydra"):
        groups = sorted(path.name for path in CONF_DIR.iterdir()
                        if path.is_dir() and path.name != "hydra")
        why = f"no config group {group}; the groups: {', '.join(groups)}"
    else:
        why = "no such config"
    return f"{where[0] + ' ' if where else ''}defaults: '{found['config']}': {why}"


def hydra_hint(exc: BaseException, extra: Iterable[str] = ()) -> str | None:
    """A better line than Hydra's for an unknown setting (:func:`unknown_setting`) or an
    unknown option of a group (:func:`missing_option`); None for any other error."""
    option = missing_option(exc)
    if option is not None:
        return option
    missing = missing_config(exc)
    if missing is not None:
        return missing
    twice = CHOSEN_TWICE.match(str(exc))
    if twice is not None and IN_CONFIG_FILE.match(str(exc)) is None:
        group = twice["group"]
        both = (f"; both, merged: +{group}=[a,b]" if group == EXPERIMENT else "")
        return (f"{group} is chosen twice on the command line; choose it once "
                f"({'+' if group == EXPERIMENT else ''}{group}=NAME){both}; or sweep over "
                f"them: -m {'+' if group == EXPERIMENT else ''}{group}=a,b")
    match = COULD_NOT_OVERRIDE.match(str(exc))
    cause = exc.__cause__
    if match and match[1] == DESIGN_RANGES and cause is not None and "not in struct" in str(cause):
        # design.ranges={a.b:[1,2]}: Hydra merges the map into the ranges, and refuses a key
        # they do not hold, suggesting '+', which adds the one map and keeps the others
        return (f"{DESIGN_RANGES}=...: a map of ranges replaces the experiment's with '++' "
                f"('++{DESIGN_RANGES}={{funds.term_years:[3,10]}}', quoted for the shell); "
                "docs/EXPERIMENTS.md, Designs")
    if match and cause is not None and " not in '" in str(cause):
        return unknown_setting(match[1], extra) or item_key_problem(match[1], str(cause))
    return file_key_problem(exc, extra)


#: How Hydra names the config file a composition error comes from: "In 'experiment/x':".
IN_CONFIG_FILE = re.compile(r"In '[^']+':")


def file_key_problem(exc: BaseException, extra: Iterable[str] = ()) -> str | None:
    """One line for a key a config file sets that the schema does not have (a scenario's
    ``funds: {term: 3}``), naming the file: Hydra said "ConfigKeyError raised while
    composing config: Key 'term' not in 'FundsConfig' full_key: funds.term ...". None for
    any other error."""
    where = IN_CONFIG_FILE.match(str(exc))
    if where is None:
        return None
    for cause in causes(exc):
        key = error_key(cause)
        if key.split(".")[0] == EXPERIMENT and NOT_IN_TYPE.search(str(cause)):
            return f"{where[0]} {NO_PACKAGE_HEADER.format(package=EXPERIMENT)}"
        if key.startswith("hydra.sweeper.") and NOT_IN_TYPE.search(str(cause)):
            # +experiment=calibrate hydra/sweeper=basic: "Key 'direction' not in
            # 'BasicSweeperConf'"
            return (f"{where[0]} {key}: the sweeper chosen has no such setting; the file is "
                    "written for the sweeper its defaults list chooses: leave hydra/sweeper "
                    "out")
        if key and NOT_IN_TYPE.search(str(cause)):
            item = getattr(cause, "object_type", None)   # a list's item (a shock): its list
            lists = (item_lists(item) if isinstance(item, type)
                     and dataclasses.is_dataclass(item) else [])
            line = (item_key_problem(lists[0], str(cause)) if len(lists) == 1
                    else unknown_setting(key, extra))
            return f"{where[0]} {line}" if line else None
    return None


#: A list index in an override's key written in brackets (``buyers.segment_shares[1]``),
#: as the parameter table and the messages write it, and an override's key and the rest.
BRACKET_INDEX = re.compile(r"\[(\d+)\]")
OVERRIDE_KEY = re.compile(r"^(?P<key>[+~]{0,2}[A-Za-z_][\w.\[\]]*)(?P<rest>=.*)?$", re.S)


def dotted_indices(argument: str) -> str:
    """An override with its key's bracketed list indices written as Hydra's grammar takes
    them (``compute.export_controls[0].supply_cut=0.5`` -> ``...export_controls.0.supply_cut
    =0.5``: Hydra stopped at the bracket with a LexerNoViableAltException); its value, and
    any other argument, as they are."""
    found = OVERRIDE_KEY.match(argument)
    if found is None or "[" not in found["key"]:
        return argument
    return BRACKET_INDEX.sub(r".\1", found["key"]) + (found["rest"] or "")


#: OmegaConf's refusal of a key its typed node does not have.
NOT_IN_TYPE = re.compile(r"Key '(?P<key>[^']+)' not in '(?P<type>\w+)'")


def item_key_problem(setting: str, cause: str) -> str | None:
    """One line for a list's item given a key its type does not have (``hype.shocks=
    [{month:5,sze:0.5}]``): Hydra's line said to append with ``+hype.shocks``, which is
    refused again. None unless ``setting`` is a list of groups of settings."""
    found = NOT_IN_TYPE.search(cause)
    field = schema_field(setting)
    if found is None or field is None:
        return None
    items = typing.get_args(_unwrapped(field[1]))
    if not items or not dataclasses.is_dataclass(items[0]):
        return None
    keys = [f.name for f in dataclasses.fields(items[0])]
    return (f"{setting}: an item has no key {found['key']!r}{did_you_mean(found['key'], keys)};"
            f" an item's keys: {', '.join(keys)}")


def _unknown_key(node: Any, path: str = "") -> ConfigError | None:
    """The first key a typed config holds beyond its schema (``+group.key=...`` adds one)."""
    if isinstance(node, DictConfig):
        typed = OmegaConf.get_type(node)
        known = ({f.name for f in dataclasses.fields(typed)}
                 if typed is not None and dataclasses.is_dataclass(typed) else None)
        for key in node:
            if path == "" and key == "hydra":
                continue   # Hydra's own node: its plugins type it, not our schema
            if known is not None and key not in known:
                name = typed.__name__ if typed is not None else "config"
                dotted = f"{path}{key!s}".replace("[", ".").replace("]", "")
                return ConfigError(unknown_setting(dotted)
                                   or f"{path}{key!s}: Key '{key!s}' not in '{name}'")
            found = _unknown_key(node._get_node(key), f"{path}{key!s}.")
            if found:
                return found
    elif isinstance(node, ListConfig):
        for i in range(len(node)):
            found = _unknown_key(node._get_node(i), f"{path.rstrip('.')}[{i}].")
            if found:
                return found
    return None


def to_config(cfg: DictConfig, check_keys: bool = True) -> BaimoConfig:
    """Validated dataclass from a composed config; ConfigError (one line) if invalid.

    A config Hydra composed against the schema is already typed: it is turned
    into the dataclass directly (about 50 times faster than re-merging it into
    the schema, which is what an untyped config needs). Its keys are checked
    against the schema unless ``check_keys`` is false: a sweep's setting that only
    assigns keys of a config already checked cannot hold a new one, and the walk
    over every node is half the cost of a setting.
    """
    run_control(cfg)
    typed = OmegaConf.get_type(cfg)
    try:
        if typed is not None and issubclass(typed, BaimoConfig):
            unknown = _unknown_key(cfg) if check_keys else None
            if unknown is not None:
                raise unknown
            obj = OmegaConf.to_object(cfg)
            fields = dataclasses.fields(BaimoConfig)
            obj = BaimoConfig(**{f.name: getattr(obj, f.name) for f in fields})
        else:
            merged = OmegaConf.merge(OmegaConf.structured(BaimoConfig), model_part(cfg))
            obj = OmegaConf.to_object(merged)
    except OmegaConfBaseException as exc:
        raise _one_line(exc) from None
    assert isinstance(obj, BaimoConfig)
    return validate(obj)


def resolved_dict(cfg: BaimoConfig) -> dict[str, Any]:
    """Plain dict of a validated config (what the config hash is taken over).

    A validated config holds only numbers, strings, lists and nested dataclasses of
    the schema's types, so ``dataclasses.asdict`` gives what OmegaConf's container
    would, about 30 times faster (tests/test_config.py checks they agree).
    """
    return dataclasses.asdict(cfg)


def _without_nulls(value: Any) -> Any:
    """``value`` with every mapping's null entries left out, at any depth."""
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


#: The safety limits (``max_events``, ``startups.max_founded``, ...) as key paths: the
#: config hash leaves them out.
SAFETY_LIMITS = tuple(tuple(key.split(".")) for key in safety_limits())


def _without_limits(resolved: dict[str, Any]) -> dict[str, Any]:
    """``resolved`` without its safety limits (a copy of each mapping on their paths)."""
    out = dict(resolved)
    for path in SAFETY_LIMITS:
        parent = out
        for part in path[:-1]:
            if not isinstance(parent.get(part), dict):
                break
            parent[part] = parent = dict(parent[part])
        else:
            parent.pop(path[-1], None)
    return out


def hash_resolved(resolved: dict[str, Any]) -> str:
    """SHA-256 of a resolved config dict (sorted, compact JSON), its nulls and its safety
    limits left out. A null is an option switched off (``sim.config.optional_param``),
    which behaves as the model did before the option existed, so a config that leaves it
    off keeps the hash it had. A safety limit (``sim.config.limit_param``) changes no run
    that stays within it, and one that passes it fails: runs that differ only in their
    limits are the same run."""
    text = json.dumps(_without_nulls(_without_limits(resolved)), sort_keys=True,
                      separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def config_hash(cfg: BaimoConfig) -> str:
    """SHA-256 of the resolved model config (sorted JSON), for provenance."""
    return hash_resolved(resolved_dict(cfg))


def _flatten(prefix: str, value: Any, out: dict[str, str]) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            _flatten(f"{prefix}.{k}" if prefix else str(k), v, out)
    else:
        out[prefix] = json.dumps(value, sort_keys=True, separators=(",", ":"))


def flat_settings(resolved: Mapping[str, Any]) -> dict[str, str]:
    """A resolved config (as a run's config.json holds it) as dotted key -> its value in
    compact JSON: maps are descended into, lists kept whole (``compute.export_controls``)."""
    flat: dict[str, str] = {}
    _flatten("", dict(resolved), flat)
    return flat


def config_settings(cfg: BaimoConfig) -> dict[str, str]:
    """:func:`flat_settings` of a validated config, as its run's config.json reads back."""
    from sim.summary import clean_json

    return flat_settings(clean_json(resolved_dict(cfg)))


#: Today's defaults (:func:`default_settings`) by the stat of each file that composes them.
_DEFAULTS: dict[tuple[tuple[str, int, int], ...], dict[str, str]] = {}


def _stamp(path: Path) -> tuple[str, int, int]:
    try:
        stat = path.stat()
    except OSError:
        return str(path), -1, -1
    return str(path), stat.st_mtime_ns, stat.st_size


def default_settings(compose_defaults: Callable[[], BaimoConfig] | None = None
                     ) -> dict[str, str]:
    """Today's defaults, ``conf/`` with no override, as :func:`config_settings`: composed by
    ``compose_defaults`` (a sweep's own Hydra; else :func:`compose`, which starts one), once
    per process while the files composing them (:func:`config_files`) are unchanged.
    Composing takes about as long as a sweep's own command, which every sweep and report
    would otherwise pay again."""
    stamp = tuple(_stamp(path) for path, _ in config_files([], CONF_DIR))
    if stamp not in _DEFAULTS:
        cfg = compose_defaults() if compose_defaults is not None else compose([])
        _DEFAULTS.clear()   # only the files as they are now
        _DEFAULTS[stamp] = config_settings(cfg)
    return dict(_DEFAULTS[stamp])


def changed_from_defaults(ran: Mapping[str, str], defaults: Mapping[str, str]) -> list[str]:
    """The settings of ``ran`` (:func:`flat_settings`) that differ from ``defaults`` (or are
    not among them), the seed aside, as ``key=value`` with the value in compact JSON
    (``funds.term_spread_years=0.5``, ``start_date="2023-01"``)."""
    return [f"{k}={v}" for k, v in ran.items() if k != "seed" and defaults.get(k) != v]


def yaml_problem(exc: yaml.YAMLError | UnicodeDecodeError, path: Path | None = None) -> str:
    """One line for a config file that is not valid YAML: the file, where, and what (a file
    that is not UTF-8 text fails before YAML sees it, and the decoder names no file: the
    first such file is named, or ``path`` if given)."""
    if isinstance(exc, UnicodeDecodeError):
        found = path if path is not None else _undecodable_config()
        where = str(found) if found is not None else "a config file"
        return f"{where} is not UTF-8 text (byte {exc.object[exc.start]:#04x} at {exc.start})"
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    if mark is None:
        return f"not valid YAML: {problem}"
    return f"{mark.name}, line {mark.line + 1}, column {mark.column + 1}: not valid YAML: {problem}"


def _undecodable_config() -> Path | None:
    """The first YAML file Hydra may read (``conf/``, ``experiments/``, the scenarios under
    the output root) that is not UTF-8 text."""
    for folder in (CONF_DIR, EXPERIMENTS_DIR, scenarios_root()):
        for path in sorted(folder.rglob("*.yaml")):
            try:
                path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                return path
    return None


def _composition_problem_of(overrides: list[str]) -> str | None:
    """:func:`composition_problem` of override strings (a syntax error is left to Hydra's compose,
    which says it as before)."""
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.errors import HydraException

    try:
        parsed = OverridesParser.create().parse_overrides(overrides)
    except HydraException:
        return None
    return composition_problem(parsed)


def compose(overrides: list[str] | None = None) -> BaimoConfig:
    """Compose ``conf/`` with overrides (no Hydra app needed) and validate it; ConfigError
    (one line) for a bad value or a config file that is not valid YAML."""
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    register_configs()
    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
        problem = _composition_problem_of(list(overrides or []))
        if problem is not None:
            raise ConfigError(problem)
        try:
            cfg = hydra_compose(config_name=CONFIG_NAME, overrides=list(overrides or []))
        except (yaml.YAMLError, UnicodeDecodeError) as exc:   # a user's experiment file
            raise ConfigError(yaml_problem(exc)) from None
    return to_config(cfg)
