"""Local worker processes for model runs (sweeps, lessons, validation replications).

Where the platform can fork (Linux), a worker is a copy of the parent made
after the parent imported the model, so it starts in milliseconds; a spawned
worker (macOS, Windows, or joblib's loky processes) first imports the model
and its writers, about 0.6-0.9 s each on a 2-core machine, which in a sweep of
short jobs is a tenth of the work (issue 6, ``benchmarks/sweep.py``).

Forking is safe only while the parent runs one thread, so :func:`process_pool`
starts every worker at once, before the caller starts a progress bar. Each
worker watches its parent and exits if the parent dies (a SIGKILLed sweep
leaves no worker behind to write into a directory the rerun is filling); a
Ctrl-C is the parent's to handle, which stops the workers.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import InvalidStateError, ProcessPoolExecutor
from contextlib import contextmanager
from multiprocessing.connection import wait as wait_ready
from types import TracebackType

#: Exit status of a worker whose parent died.
ORPHANED = 70
#: The name of the thread that ends a worker when its parent dies.
PARENT_WATCH = "baimo-parent-watch"
#: How often a worker of another pool (joblib's loky) looks for its parent (seconds).
PARENT_POLL_S = 0.5


def start_method() -> str:
    """``fork`` on Linux; ``spawn`` elsewhere (macOS system libraries are not fork-safe)."""
    linux = sys.platform.startswith("linux")
    return "fork" if linux and "fork" in mp.get_all_start_methods() else "spawn"


class WorkerPool(ProcessPoolExecutor):
    """A process pool whose ``with`` block, left by an exception (a Ctrl-C, a failed run),
    terminates its workers instead of waiting for the runs queued to them."""

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> bool | None:
        if exc_type is not None:
            stop_workers(self)
        return super().__exit__(exc_type, exc, tb)


def process_pool(workers: int) -> ProcessPoolExecutor:
    """A pool of ``workers`` processes, started (forked, or spawning) when this returns.

    The model is imported here first, so forked workers inherit it; spawned
    workers import it in their initializer.
    """
    import sim.run  # noqa: F401 - the import is what the workers inherit

    pool = WorkerPool(max_workers=workers, mp_context=mp.get_context(start_method()),
                      initializer=_start_worker)
    # A forking pool forks all its processes in its first submit, before it starts its own
    # thread; a spawning one starts a process per submit, which then imports in the background.
    for _ in range(workers):
        pool.submit(os.getpid)
    return pool


def stop_workers(pool: ProcessPoolExecutor) -> None:
    """Terminate ``pool``'s processes now, then shut it down: its runs not started are
    cancelled, and when this returns its manager thread has ended. (Shutting the pool
    down alone lets each worker first run the jobs already queued to it, minutes of work
    after a Ctrl-C on long runs.)"""
    with quiet_cancelled_future_race():
        terminate = getattr(pool, "terminate_workers", None)   # Python 3.14+
        if terminate is not None:
            terminate()
        else:
            for process in list((getattr(pool, "_processes", None) or {}).values()):
                process.terminate()
        pool.shutdown(wait=True, cancel_futures=True)


#: The class name of the thread a ProcessPoolExecutor manages its workers from.
MANAGER_THREAD = "_ExecutorManagerThread"


@contextmanager
def quiet_cancelled_future_race() -> Iterator[None]:
    """While a pool whose runs were cancelled loses its workers, its manager thread marks
    every run left as failed, and on Python before 3.12 dies with a traceback on stderr
    (``InvalidStateError: CANCELLED``) when one was cancelled first: CPython's race
    gh-107219, ignored there since 3.12. That error of that thread is not reported
    inside this block; any other exception of any thread is, as before. The SIGTERM
    test of a sweep met it twice in full test runs on a loaded 2-core machine (never in
    25 runs of that test alone); stopping a pool and then cancelling its runs, as an
    interrupted sweep does, met it in 7-9 of 10 stops."""
    previous = threading.excepthook

    def hook(args: threading.ExceptHookArgs) -> None:
        if (args.exc_type is not None and issubclass(args.exc_type, InvalidStateError)
                and type(args.thread).__name__ == MANAGER_THREAD):
            return
        previous(args)

    threading.excepthook = hook
    try:
        yield
    finally:
        threading.excepthook = previous


def _start_worker() -> None:
    """Worker initializer: have the model imported, leave a Ctrl-C to the parent (which
    stops the workers: each would print its own traceback), end at once on the SIGTERM the
    parent stops it with, and leave when the parent dies."""
    import sim.run  # noqa: F401 - a no-op in a forked worker

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A forked worker inherits the command's SIGTERM handler (sim.commands.Terminated).
    signal.signal(signal.SIGTERM, signal.SIG_DFL)

    parent = mp.parent_process()
    if parent is not None:
        threading.Thread(target=_exit_with_parent, args=(parent.sentinel,), daemon=True,
                         name=PARENT_WATCH).start()


def _exit_with_parent(sentinel: int) -> None:
    wait_ready([sentinel])
    os._exit(ORPHANED)


def leave_with_parent() -> None:
    """In a worker process of a pool baimo does not start (the calibration's trials run in
    joblib's loky workers, which Hydra's launcher starts), watch the parent as
    :func:`process_pool`'s workers do, from the first call on: a study killed with SIGKILL
    left its two workers running its trials, and writing their records, for minutes.
    The command's own process (a serial launcher) is left alone. POSIX: an orphan is
    given another parent (on Windows it is not, and nothing happens)."""
    if mp.parent_process() is None or any(t.name == PARENT_WATCH for t in threading.enumerate()):
        return
    threading.Thread(target=_poll_parent, args=(os.getppid(),), daemon=True,
                     name=PARENT_WATCH).start()


def _poll_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_POLL_S)
    os._exit(ORPHANED)
