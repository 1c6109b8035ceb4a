"""Local worker pools: forked where possible, and gone when their parent dies."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from sim.parallel import process_pool, start_method, stop_workers

#: A parent that starts a pool, prints its workers' pids and waits to be killed.
#: Each worker waits at a barrier for the other, so the two pids are surely both workers'
#: (one fast worker can take every job of a burst of ``os.getpid`` calls).
PARENT = """
import multiprocessing as mp, os, time
from sim.parallel import process_pool, start_method
meeting = mp.get_context(start_method()).Barrier(2)
def meet():
    meeting.wait(timeout=60)
    return os.getpid()
pool = process_pool(2)
pids = {job.result() for job in [pool.submit(meet), pool.submit(meet)]}
print(" ".join(map(str, sorted(pids))), flush=True)
time.sleep(120)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:   # a zombie (exited, not yet reaped by init) counts as gone
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return True


def test_workers_are_forked_on_linux_so_they_inherit_the_parents_imports() -> None:
    if not sys.platform.startswith("linux"):
        pytest.skip("fork is the start method on Linux only")
    assert start_method() == "fork"
    PARENT_STATE["pid"] = os.getpid()   # a spawned worker re-imports this module: no pid
    try:
        with process_pool(2) as pool:
            assert pool.submit(_parent_state).result() == os.getpid()
    finally:
        PARENT_STATE.clear()


#: Set in the parent only; a forked worker sees it, a spawned one does not.
PARENT_STATE: dict[str, int] = {}


def _parent_state() -> int | None:
    return PARENT_STATE.get("pid")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_workers_exit_when_their_parent_is_killed() -> None:
    parent = subprocess.Popen([sys.executable, "-c", PARENT], stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    pids = [int(p) for p in parent.stdout.readline().split()]
    assert len(pids) == 2 and all(_alive(p) for p in pids)
    parent.kill()
    parent.wait()
    deadline = time.monotonic() + 20
    while any(_alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(p) for p in pids), "orphaned workers outlived their parent"


def test_stopping_a_sweeps_workers_ends_their_running_and_queued_jobs_at_once() -> None:
    pool = process_pool(2)
    pids = {process.pid for process in pool._processes.values()}
    assert len(pids) == 2
    running = [pool.submit(time.sleep, 60) for _ in range(4)]   # two run, two wait
    time.sleep(0.2)
    tic = time.monotonic()
    stop_workers(pool)
    pool.shutdown(wait=True, cancel_futures=True)
    assert time.monotonic() - tic < 10   # not the minute the sleeps would take
    assert not any(_alive(p) for p in pids)
    assert all(f.done() for f in running)
