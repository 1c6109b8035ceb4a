"""Local worker pools: forked where possible, and gone when their parent dies."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from concurrent.futures import InvalidStateError

import pytest

from sim.parallel import process_pool, quiet_cancelled_future_race, start_method, stop_workers

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


def test_a_stopped_pool_leaves_no_thread_to_die_on_runs_cancelled_after() -> None:
    """A sweep stopped by an interrupt stops its workers, and only then (once the interrupt
    is handled) are its runs not started cancelled. On Python before 3.12 the pool's
    manager thread, marking those runs failed, died on the ones already cancelled with a
    traceback on stderr (CPython gh-107219; with the old stop_workers, 7-9 of these ten
    stops printed it). Once :func:`stop_workers` returns, that thread has ended."""
    script = """
import sys, time
from sim.parallel import process_pool, stop_workers
for _ in range(10):
    pool = process_pool(2)
    runs = [pool.submit(time.sleep, 5) for _ in range(40)]
    time.sleep(0.02)
    stop_workers(pool)
    for run in runs:
        run.cancel()
    assert all(run.done() for run in runs)
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr


def test_only_the_pool_managers_cancelled_future_race_is_quiet(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Inside the block the one known error of a pool's manager thread is not reported;
    the same error of another thread, and another error of that thread, are (to the hook
    that was there before, which is back after the block)."""
    class _ExecutorManagerThread(threading.Thread):   # the name of CPython's class
        pass

    def fail(exc: BaseException) -> None:
        raise exc

    reported: list[str] = []

    def record(args: threading.ExceptHookArgs) -> None:
        reported.append(f"{args.exc_type.__name__}: {args.exc_value}")

    monkeypatch.setattr(threading, "excepthook", record)
    with quiet_cancelled_future_race():
        for thread in (_ExecutorManagerThread(target=fail, args=(InvalidStateError("CANCELLED"),)),
                       threading.Thread(target=fail, args=(InvalidStateError("elsewhere"),)),
                       _ExecutorManagerThread(target=fail, args=(ValueError("boom"),))):
            thread.start()
            thread.join()
    assert threading.excepthook is record
    assert reported == ["InvalidStateError: elsewhere", "ValueError: boom"]


def _figure(n: int):
    """A small figure drawn differently for each ``n`` (a sweep plot's stand-in)."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(2, 1.5))
    ax.plot(range(n + 2), [i * i for i in range(n + 2)])
    ax.set_title(f"plot {n}")
    return fig


@pytest.mark.parametrize("workers", [1, 2])
def test_sweep_plots_drawn_on_the_workers_are_the_files_drawn_here(
        tmp_path, workers: int) -> None:
    """A small sweep's plots took longer than its jobs, drawn one after another while the
    sweep's workers sat idle; shared out among them (and this process, beside a single
    worker) they must be the same files, listed in the same order."""
    from functools import partial

    from sim.sweep.plots import save_plots, shares

    builders = {f"fan_{n}": partial(_figure, n) for n in range(5)}
    builders = {"outcomes_vs_x": partial(_figure, 9), **builders}
    here = save_plots(builders, tmp_path / "here")
    with process_pool(workers) as pool:
        shared = save_plots(builders, tmp_path / "shared", pool)
    assert [p.name for p in shared] == [p.name for p in here] == [
        f"{name}.png" for name in builders]
    for a, b in zip(here, shared, strict=True):
        assert a.read_bytes() == b.read_bytes()
    # the dear plot (four fan charts' worth) with the fifth fan chart, the other four in the
    # other share, each in its order
    assert [list(g) for g in shares(builders, 2)] == [
        ["outcomes_vs_x", "fan_4"], [f"fan_{n}" for n in range(4)]]
    assert [list(g) for g in shares(builders, 3)] == [
        ["outcomes_vs_x"], ["fan_0", "fan_2", "fan_4"], ["fan_1", "fan_3"]]
