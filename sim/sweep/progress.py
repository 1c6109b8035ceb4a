"""A progress bar for a sweep that works with any launcher.

Jobs may run in other processes (joblib), so the bar does not listen to them:
a thread in the parent counts the ``COMPLETE`` and ``FAILED`` markers in the
jobs' directories twice a second and moves a rich progress bar (jobs done,
failed, elapsed and time left): ``15/15 jobs: 15 done, 0 failed``, each count
next to its word (it read ``15/15 done 15 failed 0``, "15 failed" at a glance).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from sim.outputs import COMPLETE
from sim.sweep.spec import FAILED

POLL_SECONDS = 0.5
#: The bar's counts after its "finished of total" (rich markup): each number before its word.
COUNTS = "jobs: [green]{task.fields[done]} done[/], [red]{task.fields[failed]} failed[/]"


def count_markers(job_dirs: Sequence[Path]) -> tuple[int, int]:
    """(finished, failed) among ``job_dirs``."""
    done = failed = 0
    for d in job_dirs:
        if (d / COMPLETE).is_file():
            done += 1
        elif (d / FAILED).is_file():
            failed += 1
    return done, failed


class SweepProgress:
    """Context manager: a rich bar over ``job_dirs`` fed by a polling thread. Jobs that
    already hold a marker (a sweep going on after a dead worker) count from the start,
    and not towards the speed the time left is estimated from."""

    def __init__(self, label: str, job_dirs: Sequence[Path], console: Console | None = None,
                 poll_seconds: float = POLL_SECONDS) -> None:
        self.job_dirs = list(job_dirs)
        self.poll_seconds = poll_seconds
        self.done, self.failed = count_markers(self.job_dirs)
        self._stop = threading.Event()
        self._progress = Progress(
            TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
            TextColumn(COUNTS),
            TimeElapsedColumn(), TextColumn("left"), TimeRemainingColumn(),
            console=console, refresh_per_second=4)
        self._task = self._progress.add_task(label, total=len(self.job_dirs),
                                             completed=self.done + self.failed, done=self.done,
                                             failed=self.failed)
        self._thread = threading.Thread(target=self._run, name="sweep-progress", daemon=True)

    def poll(self) -> tuple[int, int]:
        """Count markers now and move the bar."""
        self.done, self.failed = count_markers(self.job_dirs)
        self._progress.update(self._task, completed=self.done + self.failed, done=self.done,
                              failed=self.failed)
        return self.done, self.failed

    def _run(self) -> None:
        while not self._stop.wait(self.poll_seconds):
            self.poll()

    def __enter__(self) -> SweepProgress:
        self._progress.start()
        self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._stop.set()
        self._thread.join()
        self.poll()
        self._progress.refresh()
        self._progress.stop()
