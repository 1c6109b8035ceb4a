"""Shared fixtures: small seeded runs that keep the suite fast."""

from __future__ import annotations

import signal
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from matplotlib.figure import Figure

from sim.configuration import compose
from sim.run import Tables, simulate, write_run

SMALL = ["horizon_months=24", "buyers.count=500"]


def small_config(*overrides: str):
    """A validated config for a short, small run (about 1.5 s)."""
    return compose([*SMALL, *overrides])


@pytest.fixture(scope="session")
def baseline_tables() -> Tables:
    """One full-horizon default run (about 10 s), shared by the tests that need it."""
    return simulate(compose([]))


@pytest.fixture(scope="session")
def small_tables() -> Tables:
    """One small seeded run, shared."""
    return simulate(small_config())


@pytest.fixture(scope="module")
def run_dir(small_tables: Tables, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shared small run written as a run directory (one per test module)."""
    path = tmp_path_factory.mktemp("run") / "run"
    write_run(small_tables, path, plots=False)
    return path


@pytest.fixture
def output_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every output of the test goes under its own temporary root, never into the repo."""
    root = tmp_path / "outputs"
    monkeypatch.setenv("BAIMO_OUTPUT_ROOT", str(root))
    return root


@pytest.fixture(autouse=True)
def close_figures() -> Iterator[None]:
    """Close the figures a test built and left open (the model's writers close their own;
    tests that inspect returned figures would otherwise pile up in one xdist worker)."""
    yield
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close("all")


def hidden_by_keys(fig: Figure) -> list[str]:
    """The data points of ``fig`` (vertices of its plotted lines, its dots) that a key
    stands over, as ``series@key``, checked apart from sim.plots' own measure."""
    fig.canvas.draw()
    keys = [(ax, ax.get_legend().get_window_extent()) for ax in fig.axes
            if ax.get_legend() is not None]
    hidden = []
    for ax, box in keys:
        for other in fig.axes:
            if not other.get_position().overlaps(ax.get_position()):
                continue
            series = [(str(line.get_label()), np.asarray(line.get_xydata(), dtype=float))
                      for line in other.get_lines() if line.get_transform() == other.transData]
            series += [(str(dots.get_label()), np.asarray(dots.get_offsets(), dtype=float))
                       for dots in other.collections]
            for label, data in series:
                x, y = other.transData.transform(data).T
                if ((box.x0 < x) & (x < box.x1) & (box.y0 < y) & (y < box.y1)).any():
                    hidden.append(f"{label}@{ax.get_ylabel() or ax.get_title()}")
    return hidden


def pytest_configure(config: pytest.Config) -> None:
    """Ctrl-C's default action for the suite and the commands its tests start: a shell
    starts a command it puts in the background (``pytest &`` in a script) with SIGINT
    ignored, each process started from it inherits that, and the tests of what a Ctrl-C
    does failed (the command ran to the end, exit 0)."""
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


#: The signals a command handles (Ctrl-C, SIGTERM) or a sweep's job timeout uses.
HANDLED_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGALRM)


@pytest.fixture(autouse=True)
def signals_left_as_found() -> Iterator[None]:
    """A test (a command run in-process, say) leaves each handled signal's handler, and
    the signals blocked, as it found them, or fails. A Ctrl-C left ignored in one xdist
    worker would be ignored by the commands the worker's later tests start (a child
    inherits it), which then ran to the end through their Ctrl-C. Put back either way, so
    that one such test does not fail the ones after it."""
    before = {s: signal.getsignal(s) for s in HANDLED_SIGNALS}
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, [])
    yield
    changed = [s.name for s in HANDLED_SIGNALS if signal.getsignal(s) is not before[s]]
    now_blocked = signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
    for s in HANDLED_SIGNALS:
        signal.signal(s, before[s])
    assert not changed, f"the test left the handlers of {changed} changed"
    assert now_blocked == blocked, f"the test left {now_blocked - blocked} blocked"
