"""The ``baimo`` command: one simulation, or a sweep of them, into ``outputs/``.

    baimo                              # the calibrated baseline
    baimo funds.term_years=10 seed=7   # any field can be overridden
    baimo +experiment=NAME             # a named experiment (see experiments/): a sweep
    baimo -m key=a,b replications=3    # an ad-hoc sweep; plan=true only plans it
    baimo aggregate DIR                # rebuild a sweep directory's tables and plots
    baimo rerun DIR [KEY=VALUE ...]    # run again what a run (or sweep job) ran
    baimo list                         # experiments and teaching scenarios

A single run is the Hydra app below. A sweep (``-m``, an experiment that sets
``hydra.mode: MULTIRUN``, ``replications`` > 1 or ``plan=true``) goes to
:mod:`sim.sweep`, which launches its jobs through Hydra's launcher (joblib).
A bad value stops the run with one line naming the field and the allowed
range (exit code 2), before anything is simulated.
"""

from __future__ import annotations

import argparse
import logging
import os
import shlex
import shutil
import sys
import time
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TypeVar, cast

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from sim import commands
from sim.config import ConfigError
from sim.configuration import (
    CONF_DIR,
    CONFIG_NAME,
    dotted_indices,
    register_configs,
    run_control,
    to_config,
)
from sim.locations import OUTPUT_ROOT_ENV
from sim.sweep.experiments import listing, register_resolver

if TYPE_CHECKING:
    from hydra._internal.hydra import Hydra

#: What a reader of the app's config (read_app_config) returns.
T = TypeVar("T")

#: A single run's log: ``cli.log`` in its directory (conf/hydra/job_logging/baimo_run.yaml).
log = logging.getLogger(__name__)


def fail(message: str) -> NoReturn:
    """Print one line to stderr and exit with the bad-input code."""
    commands.fail("baimo", message)


def _number(value: float | None, spec: str) -> str:
    """``value`` formatted by ``spec`` (``%``: :func:`~sim.teaching.measures.percent`), or
    "n/a" where the run has none (null in summary.json: no enterprise revenue yet in a
    short run, no startup spending, ...)."""
    from sim.teaching.measures import percent

    if value is None:
        return "n/a"
    return percent(value) if spec == "%" else format(value, spec)


def headline(summary: dict) -> list[str]:
    """A few lines a person reads at a glance after a run."""
    from sim.teaching.calendar import month_with_index

    s = summary
    releases, startups, exits = s["releases"], s["startups"], s["exits"]
    compute, concentration = s["compute"], s["concentration"]

    def by(month: int) -> str:   # summary.json's by_month_N: the month's snapshot, near its end
        return f"by the end of {month_with_index(month, s['start_date'])}"

    return [
        f"releases: {releases['total']} "
        f"({by(4)}: {_number(releases['by_month_4'], '.0f')}, "
        f"{by(13)}: {_number(releases['by_month_13'], '.0f')})",
        f"startups founded {startups['founded']}, surviving {startups['survivors']}, "
        f"independent builders peak {startups['independent_builders_peak']} -> "
        f"{startups['independent_builders_final']}",
        f"exits: IPO {exits['ipo']}, acquired {exits['acquired']}, "
        f"secondary {exits['secondary_sale']}, bankrupt {exits['bankrupt']}",
        f"giants' share of GPU purchases {_number(compute['giant_share_of_purchases'], '%')}, "
        f"GPU price peak in year 1 x{_number(compute['gpu_price_peak_first_year_ratio'], '.2f')} "
        "the configured initial price",
        f"enterprise revenue HHI {_number(concentration['hhi_final'], '.2f')}, "
        f"giants' share {_number(concentration['giant_revenue_share_final'], '%')}",
    ]


#: Hydra's record of a run's command, in every run directory it makes.
HYDRA_RECORD = ".hydra"


def discard_refused(run_dir: Path) -> None:
    """Remove the run directory Hydra made for a run refused before it began, when it is one
    of the output root's runs and holds only Hydra's record of the command (``.hydra/``) and
    an empty log: a mistyped value would otherwise leave an empty run there each time."""
    from sim.locations import output_root

    runs = (output_root() / "runs").resolve()
    sweeps = (output_root() / "sweeps").resolve()
    if not run_dir.is_dir():
        return
    # Hydra's own multirun (a user's config asking for one, refused by the app) makes its
    # job directory inside a sweep directory of its own, beside its multirun.yaml.
    multirun = run_dir.resolve().parent.parent == sweeps
    if run_dir.resolve().parent != runs and not multirun:
        return   # hydra.run.dir pointed elsewhere: not ours to remove
    entries = list(run_dir.iterdir())
    hydra_record = {e.name for e in entries if e.is_dir()} <= {HYDRA_RECORD}
    empty_logs = all(e.suffix == ".log" and e.stat().st_size == 0
                     for e in entries if e.is_file())
    if entries and hydra_record and empty_logs:
        shutil.rmtree(run_dir, ignore_errors=True)
        left = {e.name for e in run_dir.parent.iterdir()} if multirun else None
        if left == {MULTIRUN_RECORD}:   # the sweep directory held nothing else
            shutil.rmtree(run_dir.parent, ignore_errors=True)


@hydra.main(version_base="1.3", config_path=str(CONF_DIR), config_name=CONFIG_NAME)
def app(cfg: DictConfig) -> None:
    """Validate, simulate, write outputs and plots, print a headline."""
    run_dir = Path(HydraConfig.get().runtime.output_dir)
    try:
        config = to_config(cfg)
        plots = run_control(cfg).run_plots
        problem = own_config_sweep_problem(cfg)
        if problem is not None:
            raise ConfigError(problem)
    except ConfigError as exc:
        discard_refused(run_dir)
        fail(str(exc))
        return
    from sim.configuration import config_hash
    from sim.run import simulate, write_run
    from sim.world import RunawayError

    # Logged only once the values are accepted: a refused run's directory, its log empty,
    # is removed (discard_refused).
    log.info("run %s: seed %d, %d months from %s, config hash %s", run_dir.name, config.seed,
             config.horizon_months, config.start_date, config_hash(config))
    tic = time.perf_counter()
    try:
        tables = simulate(config)
    except RunawayError as exc:   # the config drove the market past a safety limit
        log.error("stopped after %.2f s: %s", time.perf_counter() - tic, exc)
        fail(str(exc))
        return
    except KeyboardInterrupt as exc:   # Ctrl-C, SIGTERM: the log ended at its start line
        log.error("stopped after %.2f s: %s", time.perf_counter() - tic,
                  commands.stopped_line(exc))
        raise   # console_command says it on stderr, exit 130 or 143
    log.info("simulated in %.2f s: %d events", time.perf_counter() - tic, len(tables.events))
    tic = time.perf_counter()
    try:   # Hydra reports what its task raises with a traceback: a refused write is one line
        write_run(tables, run_dir, plots)
    except OSError as exc:
        line = f"{commands.os_error_line(exc)}; {run_dir} is not marked complete"
        log.error("not written: %s", line)
        fail(line)
        return
    except KeyboardInterrupt as exc:
        log.error("not written: %s", commands.stopped_line(exc))
        raise
    log.info("wrote the tables, summary%s in %.2f s; marked complete",
             " and plots" if plots else " (no plots: run_plots=false)", time.perf_counter() - tic)
    try:   # the run is written: a reader gone (| head) is no failed job for Hydra to report
        print(f"baimo: wrote {shlex.quote(str(run_dir))}")
        for line in headline(tables.summary):
            print(f"  {line}")
        sys.stdout.flush()
    except BrokenPipeError:
        commands.reader_gone()


#: What a command given its own configs (--config-dir, --config-path, --config-name) runs:
#: one run, by Hydra's app. Sweeps (their table, resume, designs, replications) are baimo's
#: own, over conf/ and the experiments of experiments/.
OWN_CONFIG_SWEEP = ("baimo sweeps (replications, designs, -m) read conf/ and the experiments "
                    "of experiments/ and <output root>/scenarios/experiment/ (baimo list shows "
                    "them), not --config-dir, --config-path or --config-name, which run one "
                    "run: put the file in scenarios/experiment/ under the output root and run "
                    "baimo +experiment=NAME")


def own_config_sweep_problem(cfg: DictConfig) -> str | None:
    """One line if a run composed from the user's own configs asks for a sweep
    (:func:`~sim.sweep.spec.sweep_asked`), which only baimo's sweeps run (a config of conf/
    that asks for one never reaches the app: sim.sweep runs it). Until 2026-12-07 Hydra's
    app ran it: one run for ``replications=3``, a design's points never drawn, and no
    sweep table to resume or report."""
    from sim.sweep.spec import sweep_asked

    asked = sweep_asked(cfg, HydraConfig.get().mode)
    return f"{asked}: {OWN_CONFIG_SWEEP}" if asked else None


def run_dir_refusal(master: DictConfig) -> str | None:
    """One line for a single run's directory (``hydra.run.dir``, as the command, a scenario
    or the defaults set it) that a run must not write into: empty (it meant the working
    directory), holding a finished run (its COMPLETE marker stayed while the new run
    rewrote, or failed to rewrite, what it marks: runs never overwrite a finished one), or
    holding files that are not an unfinished run's (Hydra's ``.hydra`` record marks
    those). None for a new or empty directory, or an unfinished run to redo."""
    from omegaconf import OmegaConf

    from sim.outputs import COMPLETE, linked_inside

    chosen = OmegaConf.select(master, "hydra.run.dir", default=None)
    if chosen is None or not str(chosen).strip():
        return ("hydra.run.dir is empty: an empty path was read as the working directory; "
                "give a directory, or leave it out for outputs/runs/<timestamp>")
    run_dir = Path(str(chosen)).expanduser()
    if not run_dir.is_dir():
        return None
    entries = {entry.name for entry in run_dir.iterdir()}
    if COMPLETE in entries:
        return (f"hydra.run.dir={chosen} holds a finished run, which a run never overwrites; "
                "choose another directory, or delete that one first")
    if entries and HYDRA_RECORD not in entries:
        return (f"hydra.run.dir={chosen} holds files that are no baimo run's; a run writes "
                "into a new or empty directory, or redoes an unfinished run")
    linked = linked_inside(run_dir)
    return None if linked is None else f"hydra.run.dir={chosen}: {linked}"


#: Hydra flags that show something instead of running: they go straight to Hydra.
SHOW_FLAGS = ("help", "hydra_help", "cfg", "info", "shell_completion")


def aggregate_parser() -> argparse.ArgumentParser:
    """``baimo aggregate``'s options; a bad one in one line (``baimo: error: aggregate: ...``)."""
    parser = argparse.ArgumentParser(
        prog="baimo aggregate",
        description="Rebuild sweep directories' tables (sweep.parquet, sweep_metrics.parquet) "
                    "and plots from their jobs' outputs.")
    parser.add_argument("directories", nargs="*", metavar="DIR",
                        type=commands.path_argument("a sweep directory: outputs/sweeps/NAME"),
                        help="sweep directories, e.g. outputs/sweeps/investor_patience")
    parser.add_argument("--no-plots", action="store_true", help="rebuild the tables only")
    parser.error = (  # type: ignore[method-assign]
        lambda message: fail(f"aggregate: {message} (see baimo aggregate --help)"))
    return parser


def aggregate_command(args: list[str]) -> None:
    """``baimo aggregate DIR [DIR ...] [--no-plots]``: rebuild sweep directories' tables, plots."""
    from sim.sweep import SWEEP_MANIFEST, aggregate
    from sim.sweep.aggregate import load_manifest
    from sim.sweep.runner import sweep_lock

    options = aggregate_parser().parse_intermixed_args(args)
    if not options.directories:
        fail("aggregate needs a sweep directory: baimo aggregate outputs/sweeps/NAME")
    for directory in options.directories:   # each checked before any is rebuilt
        if directory.exists() and not directory.is_dir():
            fail(f"{directory}: not a directory (give a sweep directory: outputs/sweeps/NAME)")
        load_manifest(directory)   # a typo (seed=1) or a run directory: one line, none rebuilt
    for directory in options.directories:   # Paths (commands.path_argument)
        # not while a sweep still writes there (a directory that is none is refused)
        running = "it aggregates its jobs itself when they are done"
        with (sweep_lock(directory, running) if (directory / SWEEP_MANIFEST).is_file()
              else nullcontext()):
            tables, written = aggregate(directory, plots=not options.no_plots)
        counts = tables.jobs["status"].value_counts().to_dict()
        print(f"baimo: wrote {shlex.quote(str(directory))}: {len(written)} files; jobs "
              + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))


def list_command(args: list[str]) -> None:
    """``baimo list``: the named experiments and teaching scenarios; it takes no arguments."""
    if args in (["-h"], ["--help"]):
        print("usage: baimo list\n\nThe named experiments (run one with baimo +experiment=NAME) "
              "and the teaching scenarios (baimo-teach NAME).")
    elif args:
        fail(f"list takes no arguments, not {' '.join(args)}: baimo list")
    else:
        print(listing(), end="")


def rerun_command(args: list[str]) -> None:
    """``baimo rerun DIR [KEY=VALUE ...]``: run again what the run (or sweep job) in DIR ran,
    from its config.json, whatever today's defaults are; overrides change it further."""
    from sim.rerun import rerun_overrides

    if not args:
        fail("rerun needs a run's directory: baimo rerun outputs/runs/<timestamp> [KEY=VALUE ...]")
    if args[0] in ("-h", "--help"):
        print("usage: baimo rerun DIR [KEY=VALUE ...]\n\nRun again what the run (or sweep "
              "job) in DIR ran: its config.json's settings away from today's defaults, and its "
              "seed, as overrides; KEY=VALUE overrides change it further. Written as any "
              "run is (outputs/runs/<timestamp>, or hydra.run.dir=...).")
        return
    empty = commands.empty_path_problem(args[0], "a run's directory: outputs/runs/<timestamp>")
    if empty is not None:   # an unset $RUN would rerun the working directory
        fail(f"rerun: {empty}")
    run_dir, extra = Path(args[0]).expanduser(), args[1:]
    options = [a for a in extra if a.startswith("-")]
    if options:
        fail(f"rerun takes a directory and overrides, not {' '.join(options)}: "
             f"baimo rerun {shlex.quote(args[0])} KEY=VALUE ...")
    overrides, notes = rerun_overrides(run_dir, extra)
    print(f"baimo: rerun of {run_dir}: {' '.join(overrides)}")
    for note in notes:
        print(f"  note: {note}")
    sys.stdout.flush()
    sys.argv[1:] = overrides   # Hydra's app reads its overrides from sys.argv
    register_configs()
    sweep_or_run(overrides)


def parse_command(argv: list[str]) -> argparse.Namespace:
    """Hydra's parse of baimo's command line, a bad one in one line: an unknown option, a
    bad choice, or an override after an option (argparse takes overrides in one run, so
    ``baimo seed=1 -m key=a,b`` leaves ``key=a,b`` over), which says the order to use,
    or a config group given no option's name (``funds=null``: Hydra's traceback).
    Hydra's ``--experimental-rerun FILE`` (in any spelling argparse takes: ``=FILE``, an
    abbreviation) is refused here, before Hydra parses the line again and unpickles FILE."""
    from hydra._internal.utils import get_args_parser

    parser = get_args_parser()
    commands.add_version(parser)   # baimo's version, not Hydra's
    parser.error = lambda message: fail(f"{message} (see baimo --help)")  # type: ignore[method-assign]
    args, extra = parser.parse_known_args(argv)
    if args.experimental_rerun is not None:
        fail(f"--experimental-rerun {args.experimental_rerun}: refused; it unpickles the file, "
             "which can run any code. Rerun a run from its recorded config instead: baimo "
             "rerun RUN_DIR")
    if extra and any(e.startswith("-") for e in extra):
        fail(f"unrecognized arguments: {' '.join(extra)} (see baimo --help)")
    if extra:
        overrides = [*args.overrides, *extra]
        options = [t for t in argv if t not in overrides]
        fail(f"{' '.join(extra)}: an override after an option; options go first: "
             f"baimo {' '.join([*options, *overrides])}")
    problem = config_dir_problem(args) or flag_problem(args)
    if problem is not None:
        fail(problem)
    if not args.shell_completion:   # its "overrides" are install=SHELL, query=SHELL
        problem = commands.group_choice_problem(args.overrides)
        if problem is not None:
            fail(problem)
    return args


#: How Hydra's ``--config-path`` names a config directory inside an installed package.
PACKAGE_PREFIX = "pkg://"

#: Hydra's options naming a directory of configs (the parsed argument, the option).
CONFIG_DIR_OPTIONS = (("config_path", "--config-path"), ("config_dir", "--config-dir"))


def config_dir_problem(args: argparse.Namespace) -> str | None:
    """One line for ``--config-path`` or ``--config-dir`` given an empty path: Hydra reads
    it as the working directory (``--config-dir``) or as sim's package (``--config-path``);
    for a ``--config-dir`` whose primary config conf/ hides (a run's ``.hydra/``);
    for ``--config-path`` naming a YAML file (Hydra: a ValueError's traceback); or for a
    relative ``--config-path``, which Hydra reads inside sim's package, not where the user
    stands (so :func:`app_hydra` only ever meets absolute or ``pkg://`` ones)."""
    from hydra.core.utils import validate_config_path

    for name, option in CONFIG_DIR_OPTIONS:
        problem = commands.empty_path_problem(getattr(args, name), "a directory of configs")
        if problem is not None:
            return f"argument {option}: {problem}"
    try:
        validate_config_path(args.config_path)
    except ValueError:
        return (f"--config-path {args.config_path}: a directory of configs, not a config file; "
                "give the file's directory to --config-path and its name to --config-name")
    name = f"{args.config_name or CONFIG_NAME}.yaml"
    theirs = os.path.join(args.config_dir or "", name)
    if args.config_dir is not None and args.config_path is None and os.path.isfile(theirs) \
            and (CONF_DIR / name).is_file() and not os.path.samefile(theirs, CONF_DIR / name):
        # Hydra searches conf/ before --config-dir: a run's .hydra/config.yaml ran the baseline
        return (f"--config-dir {args.config_dir}: its {name} is hidden by baimo's own "
                f"conf/{name}, which Hydra reads first; to run a run's recorded config: baimo "
                "rerun RUN_DIR, or give your file another name")
    path = args.config_path
    if path is not None and not os.path.isabs(path) and not path.startswith(PACKAGE_PREFIX):
        # Hydra reads it inside the sim package ("Primary config module 'sim.x' not found")
        return (f"--config-path {path}: a relative --config-path is read from inside baimo's "
                f"package, not from the working directory; give it in full (--config-path "
                f"{os.path.abspath(path)}), or add your directory to baimo's configs with "
                f"--config-dir {path}")
    return None


#: Hydra's switch that makes it raise what stops it, instead of printing it (with a
#: traceback, or bare) and exiting 1.
HYDRA_FULL_ERROR = "HYDRA_FULL_ERROR"
#: What Hydra's own multirun writes in its sweep directory beside the jobs.
MULTIRUN_RECORD = "multirun.yaml"


def run_app() -> None:
    """The Hydra app (a single run, or a flag that shows something), what stops Hydra in one
    line, exit 2: a config it cannot find or compose, a run directory it cannot make or write
    (the output root's ``runs`` a file, a root under /sys or /proc that passed the up-front
    check because root may write anywhere)."""
    from hydra.core.global_hydra import GlobalHydra
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException

    GlobalHydra.instance().clear()   # the app initialises Hydra itself
    previous = os.environ.get(HYDRA_FULL_ERROR)
    os.environ[HYDRA_FULL_ERROR] = "1"
    try:
        app()
    except (HydraException, OmegaConfBaseException) as exc:
        from sim.sweep.spec import one_line

        fail(one_line(exc))
    except BrokenPipeError:
        raise   # a reader gone (| head): console_command ends quietly
    except OSError as exc:   # Hydra's own writes: the run directory, .hydra/, the log
        fail(run_dir_problem(exc))
    except ValueError as exc:   # a logging override Python's logging refuses, else a bug
        problem = commands.logging_config_problem(exc)
        if problem is None:
            raise
        fail(problem)
    finally:
        if previous is None:
            os.environ.pop(HYDRA_FULL_ERROR, None)
        else:
            os.environ[HYDRA_FULL_ERROR] = previous


def run_dir_problem(exc: OSError) -> str:
    """One line for a run directory Hydra could not make or write: the file and why (or the
    file in the way, where a directory should be), and what to set."""
    line = commands.os_error_line(exc)
    if isinstance(exc, NotADirectoryError) and exc.filename:
        path = Path(str(exc.filename))
        in_the_way = next((p for p in path.parents if p.exists() and not p.is_dir()), None)
        if in_the_way is not None:
            line = f"{in_the_way} is a file, not a directory"
    return (f"cannot make the run directory: {line}; set {OUTPUT_ROOT_ENV} (or hydra.run.dir) "
            "to a writable directory")


#: Hydra's modes, of which a command takes one (Hydra refuses more with a traceback).
MODES = ("run", "multirun", "cfg", "info", "shell_completion")
#: What ``--shell-completion`` does, given as ``install=SHELL`` and so on.
COMPLETION_COMMANDS = ("install", "uninstall", "query")


def show_problem(args: argparse.Namespace) -> str | None:
    """One line for a command going to Hydra's app that Hydra would refuse with a traceback
    (a ValueError) or with a bare line and exit 1; None if Hydra takes it. Checked in
    Hydra's order: ``--help`` shows help whatever else is given."""
    if args.help:
        return None
    problem = flag_problem(args)
    if problem is not None:
        return problem
    if args.shell_completion and not args.hydra_help:
        return completion_problem(args.overrides)
    if args.cfg and args.package not in (None, "_global_"):
        return package_problem(args)
    return None


def flag_problem(args: argparse.Namespace) -> str | None:
    """One line for Hydra's flags given together in a way Hydra refuses with a traceback
    (two modes) or quietly ignores, running a whole run or a sweep the user did not ask
    for (``--package`` or ``--resolve`` without ``--cfg``; ``--run`` beside ``-m``); None if
    they go together. Checked for every command line, sweep or run (help aside: Hydra shows it
    whatever else is given)."""
    if args.help or args.hydra_help:
        return None
    if args.resolve and args.cfg is None:
        return "--resolve goes with --cfg (or --help): baimo --cfg job --resolve"
    if args.package is not None and args.cfg is None:
        return (f"--package {args.package} goes with --cfg: baimo --cfg job --package "
                f"{args.package}")
    modes = [f"--{m.replace('_', '-')}" for m in MODES if getattr(args, m)]
    if len(modes) > 1:
        return f"{' and '.join(modes)}: give only one of --run, --multirun, --cfg, --info and " \
               "--shell-completion"
    return None


def completion_problem(overrides: list[str]) -> str | None:
    """One line for ``--shell-completion`` given no command, two, a shell Hydra has no
    completion for (Hydra: a ValueError's traceback), or ``query`` outside the completion
    that runs it (Hydra: a KeyError on COMP_LINE, which that completion sets)."""
    from hydra.core.plugins import Plugins
    from hydra.plugins.completion_plugin import CompletionPlugin

    shells = sorted(str(cast(type[CompletionPlugin], c).provides())
                    for c in Plugins.instance().discover(CompletionPlugin))
    usage = (f"give one of {', '.join(f'{c}=SHELL' for c in COMPLETION_COMMANDS)} "
             f"(SHELL: {', '.join(shells)}), e.g. baimo -sc install=bash")
    given = {key: value for key, _, value in (o.partition("=") for o in overrides)}
    chosen = [c for c in COMPLETION_COMMANDS if c in given]
    if len(chosen) != 1:
        return f"--shell-completion: {usage}"
    command, shell = chosen[0], given[chosen[0]]
    if shell not in shells:
        return f"--shell-completion {command}={shell}: no completion for that shell; {usage}"
    if command == "query" and "COMP_LINE" not in os.environ:
        return (f"--shell-completion query={shell} is what the installed completion runs (it "
                f"sets COMP_LINE); install it: eval \"$(baimo -sc install={shell})\"")
    return None


def app_hydra(args: argparse.Namespace) -> Hydra | None:
    """A Hydra on the config search path the app composes from for this command line, built
    as Hydra builds the app's (hydra._internal.utils._run_hydra): conf/, or ``--config-path``
    (absolute, or ``pkg://``: :func:`config_dir_problem`), with ``--config-dir`` before it. None for
    a ``--config-dir`` that is no directory: the app says so, in one line (run_app)."""
    from hydra._internal.hydra import Hydra
    from hydra._internal.utils import (
        create_automatic_config_search_path,
        detect_calling_file_or_module_from_task_function,
        detect_task_name,
    )
    from hydra.core.config_search_path import SearchPathQuery
    from hydra.core.global_hydra import GlobalHydra

    calling_file, calling_module = detect_calling_file_or_module_from_task_function(app)
    config_path = str(CONF_DIR) if args.config_path is None else args.config_path
    search_path = create_automatic_config_search_path(calling_file, calling_module, config_path)
    if args.config_dir is not None:
        config_dir = os.path.abspath(args.config_dir)
        if not os.path.isdir(config_dir):
            return None
        search_path.prepend(provider="command-line", path=f"file://{config_dir}",
                            anchor=SearchPathQuery(provider="schema"))
    GlobalHydra.instance().clear()
    return Hydra.create_main_hydra2(detect_task_name(calling_file, calling_module), search_path)


def read_app_config(args: argparse.Namespace,
                    read: Callable[[Hydra, DictConfig], T]) -> tuple[T] | None:
    """``(read(hydra, cfg),)`` for the config composed as Hydra's app composes it, from
    conf/config.yaml or the config ``--config-name``, ``--config-path`` and ``--config-dir``
    choose; None if it does not compose (Hydra's app says why, in one line: run_app)."""
    from hydra.core.global_hydra import GlobalHydra
    from hydra.core.hydra_config import HydraConfig
    from hydra.errors import HydraException
    from hydra.types import RunMode
    from omegaconf import OmegaConf
    from omegaconf.errors import OmegaConfBaseException

    config_name = CONFIG_NAME if args.config_name is None else args.config_name
    try:
        hydra = app_hydra(args)
        if hydra is None:
            return None
        cfg = hydra.compose_config(config_name, args.overrides, run_mode=RunMode.RUN,
                                   with_log_configuration=False)
        HydraConfig.instance().set_config(cfg)
        OmegaConf.set_readonly(cfg.hydra, None)
        return (read(hydra, cfg),)
    except (HydraException, OmegaConfBaseException):
        return None
    finally:
        GlobalHydra.instance().clear()


def package_problem(args: argparse.Namespace) -> str | None:
    """One line for ``--cfg ... --package KEY`` naming nothing in the config shown (Hydra:
    a bare line, exit 1)."""
    from omegaconf import OmegaConf

    found = read_app_config(args, lambda hydra, cfg: OmegaConf.select(
        hydra.get_sanitized_cfg(cfg, args.cfg), args.package))
    if found is None or found[0] is not None:
        return None
    return (f"--package {args.package}: nothing there in the {args.cfg} config (no such key, or "
            "null); give a dotted key, e.g. --package funds or --package funds.term_years")


def code_problem(args: argparse.Namespace) -> str | None:
    """One line for a config (``--config-dir``, ``--config-name``...) whose ``hydra`` node
    names code that Hydra or logging would run (:func:`sim.code_refs.named_code`), or a
    logging level or format logging would refuse (:func:`sim.code_refs.logging_problem`)."""
    from sim.code_refs import logging_problem, named_code

    found = read_app_config(
        args, lambda _, cfg: named_code(cfg.hydra) or logging_problem(cfg.hydra))
    return None if found is None else found[0]


def sweep_or_run(argv: list[str]) -> None:
    """Send a sweep to sim.sweep, anything else to the Hydra app as before."""
    args = parse_command(argv)
    shows = any(getattr(args, flag, None) for flag in SHOW_FLAGS)
    custom = args.config_path or args.config_name or args.config_dir
    from hydra.core.global_hydra import GlobalHydra

    from sim.outputs import ensure_writable_root, output_root

    output_root()   # one line for a root with no home directory (~nouser/x), even to show
    if not shows:
        ensure_writable_root()
    if shows or custom or (not args.overrides and not args.multirun):
        problem = show_problem(args)
        if problem is None and custom and not shows:   # conf/ itself names no code
            problem = code_problem(args)
        if problem is None and custom and not shows and args.multirun:
            problem = f"-m: {OWN_CONFIG_SWEEP}"
        if problem is not None:
            fail(problem)
        run_app()
        return
    from sim.sweep.runner import run_sweep
    from sim.sweep.spec import compose_master, start_hydra

    hydra = start_hydra()
    try:
        master = compose_master(hydra, args.overrides)
        if not (args.multirun or master.sweep_requested):
            problem = run_dir_refusal(master.config)
            if problem is not None:
                fail(problem)
            run_app()
            return
        code = run_sweep(hydra, master)
    finally:
        GlobalHydra.instance().clear()
    raise SystemExit(code)


@commands.console_command("baimo")
def main() -> None:
    """Console entry point."""
    register_resolver()
    # Hydra reads sys.argv itself (run_app): the keys as the parameter table writes them
    # (a list's item in brackets) are rewritten there.
    sys.argv[1:] = argv = [dotted_indices(a) for a in sys.argv[1:]]
    if argv[:1] == ["list"]:
        list_command(argv[1:])
    elif argv[:1] == ["aggregate"]:
        aggregate_command(argv[1:])
    elif argv[:1] == ["rerun"]:
        rerun_command(argv[1:])
    else:   # only what composes a config needs the schema and the experiments stored
        register_configs()
        sweep_or_run(argv)


if __name__ == "__main__":
    main()
