"""The code's own checks, run with the tests so they cannot drift: ruff (the lint rules in
pyproject.toml) and mypy (the package's type hints agree with how it is used). Both come
with the test extras."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def check(*command: str) -> None:
    done = subprocess.run([sys.executable, "-m", *command], cwd=ROOT, capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_ruff_is_clean() -> None:
    check("ruff", "check", "--no-cache", "sim", "tests", "benchmarks")


#: The oldest matplotlib whose type hints the package's are checked against: 3.8's (the
#: oldest pyproject.toml allows) lack matplotlib.typing.RcKeyType and type Axes.annotate
#: and subplots more loosely, so mypy finds faults in them that are not the package's.
TYPED_MATPLOTLIB = (3, 10)


def test_mypy_is_clean(tmp_path: Path) -> None:
    import matplotlib

    if tuple(int(p) for p in matplotlib.__version__.split(".")[:2]) < TYPED_MATPLOTLIB:
        pytest.skip(f"matplotlib {matplotlib.__version__}'s type hints predate "
                    f"{'.'.join(map(str, TYPED_MATPLOTLIB))}'s, which the package is checked with")
    # the settings are pyproject.toml's [tool.mypy] (files = sim); a cache of the test's own
    check("mypy", "--cache-dir", str(tmp_path / "cache"))
