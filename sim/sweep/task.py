"""One sweep job: from its validated config (local launchers) or as Hydra's launchers run it.

The job derives its seed from the base seed and its replication index, skips
itself if its directory already holds a finished run of the same config, and
never lets an exception escape: it logs the traceback to its own log file and
writes a ``FAILED`` marker (error line, log path, traceback) so the parent can
list every failure at the end while the other jobs go on.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from sim.commands import OneLineError, lost_reports_caught
from sim.config import BaimoConfig
from sim.configuration import config_hash, run_control, to_config
from sim.outputs import (
    COMPLETE,
    MODEL_CODE,
    PLOTS,
    SUMMARY,
    contract_problem,
    is_complete,
    parse_json,
    remove_temporary_files,
    write_json,
)
from sim.rng import replication_seeds
from sim.sweep.spec import FAILED

log = logging.getLogger(__name__)

COMPLETED = "complete"
SKIPPED = "skipped"
FAILED_STATUS = "failed"
#: A job's log lines (as conf/hydra/job_logging/baimo_sweep.yaml writes them).
LOG_FORMAT = "[%(asctime)s][%(name)s][%(levelname)s] - %(message)s"


class ForcedFailure(RuntimeError):
    """Raised by the ``fail_job`` test hook."""


class JobTimeout(OneLineError, RuntimeError):
    """A job (a sweep's job, a calibration's trial) ran past its ``job_timeout_s`` and was
    stopped (raised in it by SIGALRM). A sweep fails the job and goes on; a calibration
    whose trials fail more often than its sweeper allows ends with this one line."""


#: Seconds between the alarm's later rings, should its first be lost (below).
ALARM_REPEAT_S = 0.5


@contextmanager
def time_limit(seconds: float | None, rerun: str = "rerun to finish it") -> Iterator[None]:
    """Stop the block with :class:`JobTimeout` once it has run ``seconds`` (wall time); its
    message ends with ``rerun``, what a rerun with the time limit raised does.

    The alarm interrupts Python code between two bytecodes, which is where the model
    spends its time; a call into a library that never returns (a C loop) it cannot stop.
    A ring that lands in code Python runs for the collector (a finalizer, a weak
    reference's callback) is lost there, Python only reporting it as "Exception ignored":
    so the alarm rings again every :data:`ALARM_REPEAT_S` until the block has ended, and
    those lost rings go to the job's log, not the terminal. Only a process's main thread
    receives signals: elsewhere the block runs unlimited, and the job's log says so.
    Outputs are written to temporary names and renamed into place
    (:func:`sim.outputs.atomic_write`), so a stopped job leaves no half-written file.
    """
    if seconds is None:
        yield
        return
    if threading.current_thread() is not threading.main_thread():
        log.warning("job_timeout_s=%g not applied: the job does not run in its process's "
                    "main thread", seconds)
        yield
        return

    def expire(signum: int, frame: FrameType | None) -> None:
        raise JobTimeout(f"stopped after job_timeout_s={seconds:.15g} s: raise job_timeout_s (or "
                         f"set it null) and {rerun}")

    def lost_ring(report: Any) -> None:
        log.info("the time limit's alarm rang in %r, where Python ignores exceptions; it rings "
                 "again", report.object)

    with lost_reports_caught(JobTimeout, lost_ring):
        previous = signal.signal(signal.SIGALRM, expire)
        signal.setitimer(signal.ITIMER_REAL, seconds, ALARM_REPEAT_S)
        try:
            yield
        finally:
            # The alarm repeats: a ring here, as the block ends, must not skip disarming it
            # (its next ring would stop whatever the process does next). Ignored first, it
            # rings no more; a ring before that is dropped and the ignoring tried again.
            while True:
                try:
                    signal.signal(signal.SIGALRM, signal.SIG_IGN)
                    break
                except JobTimeout:
                    continue
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)


def job_config(cfg: DictConfig) -> BaimoConfig:
    """The validated model config of a sweep job, with its replication's seed."""
    import dataclasses

    rc = run_control(cfg)
    model = to_config(cfg)
    seed = replication_seeds(model.seed, rc.replications)[rc.replication]
    return dataclasses.replace(model, seed=seed)


def finished_hash(run_dir: Path) -> str | None:
    """Config hash of a finished run in ``run_dir``; None if it is unfinished, if a file of
    its output is missing or cut short (:func:`~sim.outputs.contract_problem`: deleted or
    damaged since) or if its summary is unreadable. The sweep runs such a job again."""
    found = finished_run(run_dir)
    return None if found is None else found[0]


def finished_run(run_dir: Path) -> tuple[str, str | None] | None:
    """:func:`finished_hash` of ``run_dir``, and the ``model_code`` its summary.json records
    (the code that ran it: :func:`sim.summary.model_code`; None if it records none, written
    before baimo recorded it), from one read of the summary; None as for finished_hash."""
    if not is_complete(run_dir) or contract_problem(run_dir) is not None:
        return None
    try:
        summary = parse_json((run_dir / SUMMARY).read_text(encoding="utf-8"))
        config = str(summary["config_hash"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    environment = summary.get("environment")
    code = environment.get(MODEL_CODE) if isinstance(environment, dict) else None
    return config, None if code is None else str(code)


def error_line(exc: BaseException) -> str:
    """The last line of an exception's report, e.g. ``RuntimeError: boom``."""
    return traceback.format_exception_only(type(exc), exc)[-1].strip()


def sweep_task(cfg: DictConfig) -> str:
    """Run one job into Hydra's output directory; return its status, never raise.

    The path of launchers that compose each job themselves (submitit, SLURM).
    """
    hydra_cfg = HydraConfig.get()
    run_dir = Path(hydra_cfg.runtime.output_dir)
    log_path = run_dir / f"{hydra_cfg.job.name}.log"
    try:
        config = job_config(cfg)
        rc = run_control(cfg)
    except Exception as exc:  # noqa: BLE001 - the job reports, the sweep goes on
        return _failed(exc, run_dir, log_path)
    return execute_job(config, run_dir, log_path, rc.job_plots, rc.fail_job, rc.job_timeout_s)


def direct_task(config: BaimoConfig, run_dir: Path, log_path: Path, plots: bool,
                fail_job: str | None, timeout_s: float | None = None) -> str:
    """Run one job from its validated config, with its own log file; never raise.

    The path of the local launchers (basic, joblib): the sweep composed and
    validated every job's config once, so a worker need not compose it again
    through Hydra (that took about a quarter of a short job's time).
    """
    run_dir.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(log_path, encoding="utf-8")
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    root = logging.getLogger()
    level, before = root.level, list(root.handlers)
    for h in before:   # the terminal belongs to the progress bar (as in baimo_sweep logging)
        root.removeHandler(h)
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        return execute_job(config, run_dir, log_path, plots, fail_job, timeout_s)
    finally:
        root.removeHandler(handler)
        for h in before:
            root.addHandler(h)
        root.setLevel(level)
        handler.close()


def execute_job(config: BaimoConfig, run_dir: Path, log_path: Path, plots: bool,
                fail_job: str | None, timeout_s: float | None = None) -> str:
    """Skip a finished job, else run it into ``run_dir``; a failure, or a run longer than
    ``timeout_s`` seconds (:func:`time_limit`), leaves a FAILED marker."""
    (run_dir / FAILED).unlink(missing_ok=True)
    try:
        found = finished_hash(run_dir)   # the parent skips finished jobs; this guards a race
        if found is not None and found == config_hash(config):
            log.info("job %s: already complete, skipped", run_dir.name)
            return SKIPPED
        (run_dir / COMPLETE).unlink(missing_ok=True)
        for place in (run_dir, run_dir / PLOTS):   # an earlier attempt's, killed mid-write
            remove_temporary_files(place)
        # The first line this attempt writes: a sweep whose worker died tells by it which
        # jobs were running then (sim.sweep.runner.mark_lost).
        log.info("job %s: started, seed %d", run_dir.name, config.seed)
        if fail_job is not None and fail_job == run_dir.name:
            raise ForcedFailure(f"fail_job hook: job {run_dir.name} was told to fail")
        from sim.run import run

        tic = time.perf_counter()
        with time_limit(timeout_s):
            run(config, run_dir, plots=plots)
        log.info("job %s: seed %d, finished in %.2f s", run_dir.name, config.seed,
                 time.perf_counter() - tic)
        return COMPLETED
    except JobTimeout as exc:
        if is_complete(run_dir):   # the alarm rang as the run returned: it is whole
            return COMPLETED
        return _failed(exc, run_dir, log_path)
    except Exception as exc:  # noqa: BLE001 - the job reports, the sweep goes on
        return _failed(exc, run_dir, log_path)


def _failed(exc: Exception, run_dir: Path, log_path: Path) -> str:
    # A job stopped while drawing leaves its figures open, and a worker goes on to other
    # jobs: close them (a worker runs one job at a time, and the sweep that runs jobs in
    # its own process, on the basic launcher, draws nothing while they run).
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close("all")
    text = traceback.format_exc()
    log.error("job %s failed: %s\n%s", run_dir.name, error_line(exc), text)
    write_json({"error": error_line(exc), "log": str(log_path), "traceback": text},
               run_dir / FAILED)
    return FAILED_STATUS
