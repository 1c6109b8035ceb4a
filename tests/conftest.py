"""Shared fixtures: small seeded runs that keep the suite fast."""

from __future__ import annotations

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
