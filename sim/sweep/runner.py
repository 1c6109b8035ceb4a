"""Run a sweep: plan, resume, launch through Hydra's launcher, report, aggregate.

The parent expands the jobs (``spec.build``), skips those whose directory
holds a finished run of the same config, runs the rest on the configured
launcher and, while they run, shows a progress bar fed by the jobs' marker files. At the
end it aggregates the sweep and lists every failed job with the last line of
its error and its log file.

Launchers: with Hydra's ``joblib`` (the default) and ``basic`` (serial)
launchers, baimo runs the jobs itself from the configs it already validated
(``sim.sweep.task.direct_task``, on ``sim.parallel.process_pool``: one process per
worker, forked from this one where the platform allows); any other
Hydra launcher (``slurm``, ``submitit_local``) gets the jobs through Hydra,
which composes each one again in its process (``sim.sweep.task.sweep_task``).
"""

from __future__ import annotations

import atexit
import functools
import shlex
import shutil
import signal
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

try:
    import fcntl
except ImportError:   # Windows: sweeps there take no lock
    fcntl = None  # type: ignore[assignment]

from hydra._internal.callbacks import Callbacks
from hydra._internal.hydra import Hydra
from hydra.core.plugins import Plugins
from hydra.types import HydraContext
from rich.console import Console

from sim.commands import plural, stopped
from sim.configuration import override_key, run_control
from sim.outputs import (
    COMPLETE,
    SUMMARY,
    OutputError,
    contract_problem,
    is_complete,
    linked_inside,
    linked_place,
    write_json,
)
from sim.parallel import process_pool, stop_workers
from sim.sums import left_sum
from sim.sweep.aggregate import (
    SWEEP_PLOTS,
    aggregate,
    collect,
    failure,
    job_entries,
    write_manifest,
    write_tables,
)
from sim.sweep.design import SENSITIVITY
from sim.sweep.outcomes import setting_label, setting_overrides
from sim.sweep.progress import SweepProgress, count_markers
from sim.sweep.sensitivity import outcomes_of
from sim.sweep.spec import (
    AD_HOC_SWEEP,
    FAILED,
    STUDY_DB,
    SWEEP_MANIFEST,
    TASK_NAME,
    Job,
    Layout,
    Master,
    SweepError,
    SweepSpec,
    build,
    compose_master,
    ignored_launcher_options,
    lay_out,
    subdir_problem,
    workers_of,
    workers_to_start,
)
from sim.sweep.task import direct_task, finished_hash, finished_run, sweep_task

EXIT_OK = 0
EXIT_FAILED_JOBS = 1
#: The file in a sweep directory that a running sweep holds locked (:func:`sweep_lock`).
LOCK_FILE = ".baimo.lock"


def split_done(spec: SweepSpec) -> tuple[list[Job], list[Job]]:
    """(finished jobs to skip, jobs to run); SweepError if a finished job has another config,
    or was run by other code (:func:`sim.summary.model_code`): resumed, the sweep's table
    would mix two models' runs, matching neither model's uninterrupted sweep."""
    from sim.summary import model_code

    done, todo = [], []
    for job in spec.jobs:
        found = finished_run(spec.job_dir(job))
        if found is None:
            todo.append(job)
        elif found[0] == job.config_hash:
            if found[1] != model_code():
                raise SweepError(
                    f"{spec.job_dir(job)} was run by other code than this baimo's (baimo was "
                    "updated, or sim/ or NumPy or SimPy changed, since): resumed, the sweep "
                    "would mix two models' runs; choose another directory with sweep_dir=... "
                    "or delete this one")
            done.append(job)
        else:
            raise SweepError(
                f"{spec.job_dir(job)} finished with a different configuration (the experiment, "
                "the overrides or the defaults in conf/ changed); choose another directory with "
                "sweep_dir=... or delete this one")
    return done, todo


def say(console: Console, text: str) -> None:
    """Print plain text (no markup: job names hold brackets), never wrapped mid-path."""
    console.print(text, markup=False, highlight=False, soft_wrap=True)


#: Durations shorter than this (seconds) are given to a tenth: a plan of half-second jobs
#: said "estimated duration: ~0 s", a sweep of them "in 0 s".
TENTHS_BELOW_S = 10


def duration_text(seconds: float) -> str:
    """``seconds`` for a person: tenths of a second below :data:`TENTHS_BELOW_S`, whole
    seconds to 90, then minutes and seconds, then hours and minutes."""
    seconds = max(0.0, seconds)
    if seconds < TENTHS_BELOW_S:
        return f"{seconds:.1f} s"
    if seconds < 90:
        return f"{seconds:.0f} s"
    minutes, secs = divmod(int(round(seconds)), 60)
    if minutes < 90:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def describe(spec: SweepSpec, done: int) -> list[str]:
    """What the sweep is: jobs, settings, replications, horizon, what is swept and over
    which values (:func:`swept_lines`), what every job changes from the defaults (the
    experiment's and the command's fixed settings: a comparison with a plain run differs
    by these too), directory."""
    name = spec.experiment or AD_HOC_SWEEP
    todo = len(spec.jobs) - done
    workers = spec.workers_for(todo)
    on = f" on {spec.launcher} with {plural(workers, 'worker')}" if todo else ""
    months = sorted({config.horizon_months for config in spec.configs.values()})
    horizon = (plural(months[0], "month") if len(months) == 1
               else f"{months[0]} to {months[-1]} months")
    seed = "" if "seed" in spec.swept else f", base seed {spec.config.get('seed')}"
    return [
        f"{name}: {plural(len(spec.jobs), 'job')} = {plural(len(spec.settings), 'setting')} x "
        f"{plural(spec.replications, 'replication')} of {horizon}{seed}",
        *swept_lines(spec),
        f"  changed from the defaults in every job: {', '.join(spec.changed) or 'nothing'}",
        f"  directory: {shlex.quote(str(spec.directory))}",
        f"  already complete: {done}, to run: {todo}{on}",
        *timeout_note(spec),
        *ignored_note(spec),
    ]


#: Most values of a swept key a sweep's header lists: the first ones, "...", the last.
SHOWN_VALUES = 8


def shown_values(values: list[str]) -> str:
    """A swept key's values for the header, at most :data:`SHOWN_VALUES` of them (a range
    of seeds may hold thousands), the rest counted."""
    if len(values) <= SHOWN_VALUES:
        return ", ".join(values)
    return f"{', '.join(values[:SHOWN_VALUES - 1])}, ..., {values[-1]} ({len(values):,} values)"


def swept_lines(spec: SweepSpec) -> list[str]:
    """What the sweep varies: each swept key with its values as written (in sweep order), or
    a design's kind, points and each parameter's range."""
    if spec.design is not None:
        design = spec.design
        return [f"  design: {design['kind']} (design.samples={design['samples']}), "
                f"{plural(len(spec.settings), 'point')} over:",
                *(f"    {key}: {low:g} to {high:g}{' (whole numbers)' if whole else ''}"
                  for key, (low, high), whole in zip(design["keys"], design["bounds"],
                                                     design["integer"], strict=True))]
    if not spec.swept:
        return ["  swept: nothing (replications only)"]
    values: dict[str, list[str]] = {key: [] for key in spec.swept}
    for setting in spec.settings:
        for line in setting_overrides(setting):
            value = line.partition("=")[2]
            known = values.get(override_key(line))
            if known is not None and value not in known:
                known.append(value)
    lines = [f"{key}: {shown_values(found)}" for key, found in values.items()]
    if len(lines) == 1:
        return [f"  swept: {lines[0]}"]
    return ["  swept, every combination of:", *(f"    {line}" for line in lines)]


def redone_note(spec: SweepSpec, todo: list[Job]) -> list[str]:
    """A line naming the jobs of ``todo`` marked complete whose output is no longer whole (a
    file deleted or cut short since they finished, :func:`~sim.sweep.task.finished_hash`):
    they run again, and the sweep says why."""
    found = [(job, contract_problem(spec.job_dir(job)) or f"{SUMMARY} is unreadable")
             for job in todo if is_complete(spec.job_dir(job))]
    if not found:
        return []
    job, problem = found[0]
    example = "" if len(found) == 1 else "e.g. "
    return [f"  runs again: {plural(len(found), 'finished job')} whose output is no longer "
            f"whole ({example}{job.name}: {problem})"]


def timeout_note(spec: SweepSpec) -> list[str]:
    """A line giving the sweep's time limit per job, if it has one."""
    limit = run_control(spec.config).job_timeout_s
    if limit is None:
        return []
    after = duration_text(limit) if limit >= 90 else f"{limit:.15g} s"
    return [f"  time limit: a job still running after {after} (job_timeout_s={limit:.15g}) is "
            "stopped and marked failed"]


def ignored_note(spec: SweepSpec) -> list[str]:
    """A line naming the joblib options the sweep sets that baimo does not apply, if any."""
    ignored = ignored_launcher_options(spec.config)
    if not ignored:
        return []
    limit = (" (a time limit per job is job_timeout_s)"
             if any(o.startswith("timeout=") for o in ignored) else "")
    return [f"  note: baimo runs joblib jobs on its own process pool, sized by "
            f"hydra.launcher.n_jobs only; ignored: {', '.join(ignored)}{limit}"]


@dataclass
class Probes:
    """What the plan's probes took (seconds, wall time): each job (simulated and written as
    the sweep writes it), and the sweep's tables and plots after the jobs."""

    jobs: list[float]
    aggregation: float


def probe(spec: SweepSpec, probes: list[Job], todo: int) -> Probes:
    """Run one replication of each of ``probes`` into a scratch sweep directory (each job's
    own plots too if the sweep draws them: job_plots), then time the sweep's tables and
    plots after its ``todo`` jobs to run from them (:func:`aggregation_seconds`)."""
    from sim.run import run

    plots = run_control(spec.config).job_plots
    scratch = Path(tempfile.mkdtemp(prefix="baimo-probe-"))
    try:
        seconds = []
        for job in probes:
            tic = time.perf_counter()
            run(spec.configs[job.name], scratch / job.name, plots=plots)
            seconds.append(time.perf_counter() - tic)
        write_json({"swept": spec.swept, "design": spec.design,
                    "jobs": job_entries(probes)}, scratch / SWEEP_MANIFEST)
        return Probes(seconds, aggregation_seconds(spec, scratch, todo))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def aggregation_seconds(spec: SweepSpec, scratch: Path, todo: int) -> float:
    """How long the sweep's tables and plots take after its ``todo`` jobs to run, estimated
    from the probes' sweep in ``scratch``: reading the jobs and writing the tables, timed per
    probe and counted for every job of the sweep; then the sweep's plots (if it draws them),
    one of each kind timed and the others counted at its time (the sensitivity plots of a
    Morris or Sobol design, which the probes cannot draw, at a fan chart's time by
    :data:`~sim.sweep.plots.DRAWING_COST`), shared among the sweep's workers as
    :func:`~sim.sweep.plots.save_plots` shares them. Until 2026-12-07 the plan left
    them out: its "~27 s" for hype_bust took 34 s, 8 s of it drawing 11 plots."""
    from sim.sweep.plots import FAN_KIND, drawing_cost, plot_kind, save_plots, shares, sweep_plots

    tic = time.perf_counter()
    tables = collect(scratch)
    write_tables(tables, plots=False)
    seconds = (time.perf_counter() - tic) * len(spec.jobs) / max(len(tables.jobs), 1)
    if not spec.plots or tables.complete.empty:
        return seconds
    builders = sweep_plots(tables)
    names = list(builders)
    if spec.design is not None and spec.design["kind"] in SENSITIVITY:
        outcomes = outcomes_of(spec.design, tables.jobs)
        names += ["sensitivity_overview", *(f"sensitivity_{o}" for o in outcomes)]
    timed: dict[str, float] = {}   # a kind of plot (its name without the key) -> seconds
    for name in names:
        kind = plot_kind(name)
        if kind not in timed and name in builders:
            tic = time.perf_counter()
            save_plots({name: builders[name]}, scratch / SWEEP_PLOTS)
            timed[kind] = time.perf_counter() - tic
    drawing = {n: timed.get(plot_kind(n), timed.get(FAN_KIND, 0.0) * drawing_cost(n))
               for n in names}
    # the sweep's workers draw (warm_workers starts them for joblib only), else this process
    workers = spec.workers_for(todo) if spec.launcher == "joblib" else 1
    groups = shares(drawing, max(workers, 2)) if workers > 1 else [drawing]
    return seconds + max(left_sum(drawing[n] for n in group) for group in groups)


#: Most settings the plan probes, one replication each. Settings can differ in cost many
#: times over (hype_bust's slowest-fading hype founds 140 times the startups of its
#: fastest, and a job takes 45 times as long), so one probe cannot stand for them all.
PLAN_PROBES = 4


def plan(spec: SweepSpec, console: Console) -> int:
    """Print the jobs and an estimated duration from one-replication probes of up to
    :data:`PLAN_PROBES` settings (:func:`probe_jobs`); run nothing."""
    done, todo = split_done(spec)
    for line in [*describe(spec, len(done)), *redone_note(spec, todo)]:
        say(console, line)
    if not todo:
        say(console, "  nothing to run: every job is complete")
        return EXIT_OK
    probes = probe_jobs(todo)
    took = probe(spec, probes, len(todo))
    seconds = took.jobs
    longest = max(range(len(probes)), key=seconds.__getitem__)
    if len(probes) == 1:
        say(console, f"  probe: one replication of {probes[0].name} took {seconds[0]:.1f} s")
    else:
        settings = len({job.setting for job in todo})
        say(console, f"  probes: one replication of {len(probes)} of the {settings} settings "
                     f"to run took {min(seconds):.1f}-{max(seconds):.1f} s (the longest: "
                     f"{probes[longest].name})")
    mean = left_sum(seconds) / len(seconds)
    jobs = estimate_seconds(spec, len(todo), mean, longest=seconds[longest])
    say(console, f"  estimated duration: ~{duration_text(jobs + took.aggregation)} (the jobs "
                 f"~{duration_text(jobs)}, then the sweep's tables and plots "
                 f"~{duration_text(took.aggregation)})")
    limit = run_control(spec.config).job_timeout_s
    if limit is not None and seconds[longest] > limit:
        say(console, f"  note: {probes[longest].name} took longer than job_timeout_s={limit:.15g}: "
                     "jobs like it will be stopped; raise job_timeout_s to let them finish")
    return EXIT_OK


def probe_jobs(todo: list[Job], most: int = PLAN_PROBES) -> list[Job]:
    """The first job still to run of up to ``most`` settings, spread evenly over the
    settings still to run in sweep order, the first and the last among them (a grid's
    order runs each swept range from end to end)."""
    first: dict[str, Job] = {}
    for job in todo:
        first.setdefault(job.setting, job)
    settings = list(first.values())
    if len(settings) <= most:
        return settings
    last = len(settings) - 1
    picks = sorted({round(k * last / max(most - 1, 1)) for k in range(most)})
    return [settings[i] for i in picks]


def estimate_seconds(spec: SweepSpec, jobs: int, per_job: float,
                     longest: float = 0.0) -> float:
    """How long ``jobs`` jobs of ``per_job`` seconds on average take on the sweep's
    workers, and at least as long as the ``longest`` job. Baimo's own launchers run
    them from the configs the sweep composed; any other launcher's jobs each compose
    their config again, about as long as the master took."""
    compose = 0.0 if spec.launcher in DIRECT else spec.compose_seconds
    return max(jobs * (per_job + compose) / min(spec.workers, jobs), longest + compose)


#: Hydra launchers whose jobs baimo runs itself from the validated configs (sim.sweep.task).
DIRECT = ("basic", "joblib")


def warm_workers(master: Master, jobs: int) -> ProcessPoolExecutor | None:
    """Start the sweep's worker processes for its ``jobs`` jobs still to run now, before
    the jobs are composed and before any progress bar thread (forking needs a
    single-threaded parent): the launcher's count, but no more than ``jobs``
    (:func:`~sim.sweep.spec.workers_to_start`). None when the sweep has no local workers
    or nothing to run. :func:`run_direct` runs the jobs on this pool."""
    launcher, workers = workers_of(master.config)
    if launcher != "joblib" or workers <= 1 or jobs < 1:
        return None
    return process_pool(workers_to_start(workers, jobs))


def jobs_to_run(layout: Layout) -> int:
    """How many of ``layout``'s jobs hold no finished run (as :func:`split_done` counts
    them, before any job is composed)."""
    directory = Path(str(layout.master.config.hydra.sweep.dir))
    return left_sum(finished_hash(directory / name) is None for name, _ in layout.names)


def run_direct(spec: SweepSpec, todo: list[Job], pool: ProcessPoolExecutor | None) -> None:
    """Run ``todo`` here (no pool: basic) or on ``pool``, no recomposing. The pool stays up:
    its owner (:func:`run_sweep`, which started it) shuts it down.

    On an interrupt (or a dead worker) the workers are stopped at once: a job they were
    running leaves no COMPLETE marker and is redone by the rerun, and none of the jobs
    already queued to them starts (the owner's shutdown cancels the rest).
    """
    rc = run_control(spec.config)
    args = [(spec.configs[j.name], spec.job_dir(j), spec.job_dir(j) / f"{TASK_NAME}.log",
             rc.job_plots, rc.fail_job, rc.job_timeout_s) for j in todo]
    if pool is None:
        for a in args:
            direct_task(*a)
        return
    try:
        for _ in pool.map(direct_task, *zip(*args, strict=True)):
            pass
    except BaseException:
        stop_workers(pool)
        raise


def launch(hydra: Hydra, spec: SweepSpec, todo: list[Job],
           pool: ProcessPoolExecutor | None = None) -> None:
    """Run ``todo`` (blocks until every job returned): basic and joblib directly (on
    ``pool`` if given), any other Hydra launcher (submitit, SLURM) through Hydra, which
    composes each job again."""
    if spec.launcher in DIRECT:
        run_direct(spec, todo, pool)
        return
    context = HydraContext(config_loader=hydra.config_loader, callbacks=Callbacks(spec.config))
    launcher = Plugins.instance().instantiate_launcher(
        hydra_context=context, task_function=sweep_task, config=spec.config)
    try:
        launcher.launch([list(j.overrides) for j in todo], initial_job_idx=0)
    finally:
        drop_pickles(spec.directory)


#: Where Hydra's submitit launcher (hydra/launcher=slurm, submitit_local) keeps its files.
SUBMITIT = ".submitit"


def drop_pickles(directory: Path) -> list[Path]:
    """Delete the job pickles submitit leaves in the sweep (its logs stay); return them.

    Outputs hold no pickle (issue 6): submitit needs them only while its jobs run.
    """
    found = sorted((directory / SUBMITIT).glob("**/*.pkl"))
    for path in found:
        path.unlink(missing_ok=True)
    return found


def report_failures(spec: SweepSpec, jobs: list[Job], console: Console) -> list[Job]:
    """Print every failed job: its error's last line and its log; return them."""
    failed = [j for j in jobs if (spec.job_dir(j) / FAILED).is_file()]
    if not failed:
        return []
    console.print(f"[bold red]{len(failed)} of {len(spec.jobs)} jobs failed:[/]")
    for job in failed:
        info = failure(spec.job_dir(job))
        log = Path(info["log"])
        where = log if log.is_file() else spec.job_dir(job) / FAILED
        say(console, f"  {job.name}: {info['error']}")
        say(console, f"    log: {where}")
    return failed


#: The FAILED marker's error line for a job whose worker process died under it.
WORKER_DIED = ("its worker process died (killed, or out of memory; a job running beside the "
               "one that caused it stops too): rerun the sweep to redo it")


#: File times come from the kernel's coarse clock, a tick (milliseconds) behind time.time():
#: a job's log counts as written in this attempt if it is no older than the attempt's start
#: less this (seconds; a job put back after a dead worker had not started, so no log of it
#: is this recent).
LOG_CLOCK_SLACK_S = 1.0


def mark_lost(spec: SweepSpec, jobs: list[Job], since: float) -> list[Job]:
    """Jobs of ``jobs`` that started after ``since`` (epoch seconds: their log was written
    to since) and neither finished nor failed: a dead worker took them. Each gets a FAILED
    marker, so the sweep goes on without them and a rerun redoes them; return them."""
    lost = []
    for job in jobs:
        job_dir = spec.job_dir(job)
        log = job_dir / f"{TASK_NAME}.log"
        if (job_dir / COMPLETE).exists() or (job_dir / FAILED).exists() or not log.is_file():
            continue
        if log.stat().st_mtime >= since:
            write_json({"error": WORKER_DIED, "log": str(log), "traceback": ""}, job_dir / FAILED)
            lost.append(job)
    return lost


def launch_all(hydra: Hydra, spec: SweepSpec, todo: list[Job], pool: ProcessPoolExecutor | None,
               console: Console) -> None:
    """:func:`launch` ``todo`` until every job has finished or failed.

    A worker process that dies (killed, or out of memory) breaks the whole pool, and the
    jobs running on it die with it: those are marked failed (:func:`mark_lost`) and the
    rest go on, on fresh workers. An unattended sweep of thousands of jobs then loses the
    jobs that were running, not the night. Raises BrokenProcessPool if no job can be
    blamed (then nothing would change by going on).
    """
    label = spec.experiment or AD_HOC_SWEEP
    # The bar counts every job of this launch, those a dead worker took (failed) included.
    bar = [spec.job_dir(j) for j in todo]
    spare: ProcessPoolExecutor | None = None   # a replacement pool started here
    try:
        while todo:
            since = time.time() - LOG_CLOCK_SLACK_S
            try:
                with SweepProgress(label, bar, console=console):
                    launch(hydra, spec, todo, pool)
                return
            except BrokenProcessPool:
                lost = mark_lost(spec, todo, since)
                if not lost:
                    raise
                say(console, f"a worker process died (killed, or out of memory) while "
                             f"{', '.join(j.name for j in lost)} ran: marked failed; the other "
                             "jobs go on, on fresh workers")
                todo = [j for j in todo if not (spec.job_dir(j) / COMPLETE).exists()
                        and not (spec.job_dir(j) / FAILED).exists()]
                if pool is not None:   # its thread gone before new workers fork
                    pool.shutdown(wait=True, cancel_futures=True)
                pool = spare = process_pool(spec.workers_for(len(todo))) if todo else None
    finally:
        if spare is not None:
            spare.shutdown(wait=False, cancel_futures=True)


def complete(spec: SweepSpec) -> int:
    """How many of the sweep's jobs hold a COMPLETE marker."""
    return count_markers([spec.job_dir(j) for j in spec.jobs])[0]


@contextmanager
def sweep_lock(directory: Path,
               advice: str = "wait for it to finish, or choose another sweep_dir"
               ) -> Iterator[None]:
    """Hold ``directory`` for this sweep: another sweep into it, started while this one
    runs (the same command in a second terminal), stops with one line (SweepError, ending
    with ``advice``) instead of racing this one for the same jobs and markers. The kernel
    holds the lock (flock) for the open file, so a killed sweep leaves none behind; without
    ``fcntl`` (Windows) there is no lock."""
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / LOCK_FILE, "a") as handle:
        if fcntl is not None:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise SweepError(f"another baimo sweep is running in {directory}; "
                                 f"{advice}") from None
        yield


#: The files that mark a directory as a kind of output: a run's, a sweep's manifest, a
#: calibration study's database.
OUTPUT_KINDS = {COMPLETE: "a run", SUMMARY: "a run", SWEEP_MANIFEST: "a sweep",
                STUDY_DB: "a calibration study"}


def foreign_output(directory: Path, own: str) -> str | None:
    """One line if ``directory`` holds another kind of output than ``own`` (the key of
    :data:`OUTPUT_KINDS` that marks the caller's own kind), None if it does not: a sweep
    written into a run's directory mixed the two, and readers took it for the run."""
    for name, kind in OUTPUT_KINDS.items():
        if name != own and (directory / name).is_file():
            return (f"{directory} holds {kind} ({name}); choose another directory with "
                    "sweep_dir=...")
    return None


def execute(hydra: Hydra, spec: SweepSpec, console: Console,
            pool: ProcessPoolExecutor | None = None) -> int:
    """Run the jobs that are not complete (on ``pool``, if the launcher has local workers),
    then aggregate and report; return the exit code. The sweep directory is held for the
    whole time (:func:`sweep_lock`)."""
    problem = foreign_output(spec.directory, own=SWEEP_MANIFEST) or linked_place(
        spec.directory / SWEEP_PLOTS)
    if problem is not None:
        raise SweepError(problem)
    with sweep_lock(spec.directory):
        return _execute(hydra, spec, console, pool)


def _execute(hydra: Hydra, spec: SweepSpec, console: Console,
             pool: ProcessPoolExecutor | None) -> int:
    done, todo = split_done(spec)
    # the jobs to run write into their directories (a finished job's is only read): none
    # through a link left there
    problem = next((p for job in todo if (p := linked_inside(spec.job_dir(job))) is not None),
                   None)
    if problem is not None:
        raise SweepError(problem)
    for line in [*describe(spec, len(done)), *redone_note(spec, todo)]:
        say(console, line)
    spec.directory.mkdir(parents=True, exist_ok=True)
    left_out = write_manifest(spec, runs_jobs=bool(todo))
    if left_out:
        say(console, f"note: this directory held another sweep; its {len(left_out)} finished "
                     f"job(s) not in this one (e.g. {left_out[0]}) stay on disk but leave "
                     "sweep.json and the tables (give sweep_dir=... to keep sweeps apart)")
    for job in todo:   # stale markers would move the progress bar before the job ran
        (spec.job_dir(job) / FAILED).unlink(missing_ok=True)
        (spec.job_dir(job) / COMPLETE).unlink(missing_ok=True)
    tic = time.perf_counter()
    if todo:
        try:
            launch_all(hydra, spec, todo, pool, console)
        except KeyboardInterrupt as exc:
            how, code = stopped(exc)
            say(console, f"{how}: {complete(spec)} of {len(spec.jobs)} jobs complete; "
                         "run the same command again to finish the rest")
            return code
        except BrokenProcessPool:
            say(console, f"a worker process died (killed, or out of memory), which stops the "
                         f"pool: {complete(spec)} of {len(spec.jobs)} jobs complete; run the "
                         "same command again to finish the rest")
            return EXIT_FAILED_JOBS
    finished = complete(spec)
    say(console, f"{finished} of {len(spec.jobs)} jobs complete ({len(done)} from before) in "
                 f"{duration_text(time.perf_counter() - tic)}")
    try:
        tables, written = aggregate(spec.directory, plots=spec.plots, pool=pool)
    except OutputError as exc:
        say(console, f"aggregation failed: {exc}")
        return EXIT_FAILED_JOBS
    except KeyboardInterrupt as exc:
        how, code = stopped(exc)
        say(console, f"{how} while aggregating: the jobs are complete; rebuild the tables "
                     f"and plots with: baimo aggregate {shlex.quote(str(spec.directory))}")
        return code
    say(console, f"wrote {shlex.quote(str(spec.directory))}: "
                 f"sweep.parquet ({len(tables.jobs)} rows), "
                 f"sweep_metrics.parquet ({len(tables.metrics)} rows), "
                 f"{left_sum(p.suffix == '.png' for p in written)} plots")
    failed = report_failures(spec, spec.jobs, console)
    if not failed and finished == len(spec.jobs) and (hint := compare_hint(spec)):
        say(console, hint)
    return EXIT_FAILED_JOBS if failed or finished < len(spec.jobs) else EXIT_OK


#: A grid of more settings than this is read from its plots and tables, not arm by arm.
COMPARE_HINT_MOST_SETTINGS = 12


def compare_hint(spec: SweepSpec) -> str | None:
    """Where a finished grid's differences and their confidence intervals are: the sweep
    plots' bands are the spread over replications, which overlap even when the settings'
    differences, paired by seed (a grid's settings share their seeds), clearly exclude 0.
    None for a design sweep, one setting, one replication or more settings than
    :data:`COMPARE_HINT_MOST_SETTINGS`."""
    settings = spec.settings
    if (spec.design is not None or spec.replications < 2
            or not 2 <= len(settings) <= COMPARE_HINT_MOST_SETTINGS):
        return None
    kept = defaults_setting(spec)
    other = "defaults" if kept not in (None, settings[0]) else \
        shlex.quote(setting_label(settings[-1]))
    return (f"each setting's differences from the first, with 95% CIs: baimo-compare "
            f"{shlex.quote(str(spec.directory))} (another reference: --reference {other})")


def defaults_setting(spec: SweepSpec) -> str | None:
    """The setting of ``spec`` that kept the model's defaults where the settings differ (it
    changed from today's defaults only what every setting did, :attr:`SweepSpec.changed`),
    as ``baimo-compare --reference defaults`` finds it; None if no setting, or several, did."""
    from sim.configuration import changed_from_defaults, config_settings, default_settings

    defaults = default_settings()
    shared = set(spec.changed)
    first = {job.setting: spec.configs[job.name] for job in reversed(spec.jobs)}
    kept = [setting for setting, cfg in first.items()
            if set(changed_from_defaults(config_settings(cfg), defaults)) == shared]
    return kept[0] if len(kept) == 1 else None


def launcher_problem(master: Master) -> str | None:
    """One line if the sweep's launcher cannot start here, None if it can: SLURM's
    (``hydra/launcher=slurm``) on a machine without SLURM's ``srun``, which submitit
    refuses with a traceback once every job is composed and the sweep directory made.
    submitit's own test (its executor's affinity) decides."""
    target = str(master.config.hydra.launcher.get("_target_", ""))
    if not target.endswith(".SlurmLauncher"):
        return None
    from submitit.slurm.slurm import SlurmExecutor

    if SlurmExecutor.affinity() > 0:
        return None
    choice = master.config.hydra.runtime.choices.get("hydra/launcher", "slurm")
    return (f"hydra/launcher={choice} submits the jobs to SLURM, and SLURM's srun is not on "
            "PATH here: run the sweep on the cluster, or on this machine with "
            "hydra/launcher=joblib (plan=true plans it anywhere)")


#: The signals that stop a command: Ctrl-C, and SIGTERM (sim.commands).
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def _ignore_stop_signals() -> None:
    for signum in STOP_SIGNALS:
        signal.signal(signum, signal.SIG_IGN)


@functools.cache
def stop_signals_ignored_at_exit() -> None:
    """Have the process ignore Ctrl-C and SIGTERM once it exits (registered once). Python
    gives them back their default action as it shuts down: a second Ctrl-C landing then,
    after the sweep had said "interrupted: ...", killed the process, whose status read -2,
    not 130. Ignored from the exit on, the status is the one the command chose."""
    atexit.register(_ignore_stop_signals)


def run_sweep(hydra: Hydra, command: list[str] | Master, console: Console | None = None) -> int:
    """Plan or run the sweep the command (or its composed master) describes; return the
    process exit code. A launcher that cannot start here stops it before anything runs
    (SweepError, :func:`launcher_problem`)."""
    stop_signals_ignored_at_exit()
    console = console or Console()
    master = command if isinstance(command, Master) else compose_master(hydra, command)
    problem = None if master.config.get("plan", False) else launcher_problem(master)
    if problem is not None:
        raise SweepError(problem)
    if "optuna" in master.sweeper.lower():
        from sim.calibration.runner import run_calibration

        return run_calibration(hydra, master, console)
    problem = subdir_problem(master.config)
    if problem is not None:
        raise SweepError(problem)
    layout = lay_out(hydra, master)
    # before the jobs are composed: spawned workers import meanwhile
    pool = None if layout.rc.plan else warm_workers(master, jobs_to_run(layout))
    try:
        spec = build(hydra, layout)
        if spec.plan:
            return plan(spec, console)
        return execute(hydra, spec, console, pool)
    except BaseException:   # bad input found while composing, or an interrupt
        if pool is not None:
            stop_workers(pool)
            pool = None
        raise
    finally:
        # Waiting lets the pool's manager thread end before the interpreter exits. Shut down
        # without waiting, the pool's exit handler sometimes wrote to its closed wake-up pipe,
        # and an "Exception ignored ... Bad file descriptor" traceback followed a one-line error.
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
