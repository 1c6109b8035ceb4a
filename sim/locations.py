"""Where baimo writes: the output root (runs, sweeps, reports, lessons, scenarios).

A module of its own, importing nothing heavy: the Hydra config asks it for the root
while it is composed (``${baimo_output_root:}``), before any table writer is needed.
"""

from __future__ import annotations

import os
from pathlib import Path

from sim.commands import OneLineError

#: Environment variable that moves every output (runs, sweeps, reports) elsewhere.
OUTPUT_ROOT_ENV = "BAIMO_OUTPUT_ROOT"


class OutputRootError(OneLineError, ValueError):
    """A place to write names a home directory that cannot be found (one-line message)."""


def expand_home(path: Path, what: str) -> Path:
    """``path`` with a leading ``~`` or ``~user`` made the home directory (a shell leaves it
    alone in quotes or after ``=``); OutputRootError, starting with ``what`` (the place
    and where it was given), if there is none (``~nouser/x``, or ``~`` with no HOME)."""
    try:
        return path.expanduser()
    except RuntimeError:   # pathlib: "Could not determine home directory."
        raise OutputRootError(f"{what}: no home directory is known for {path.parts[0]}; give "
                              "the path in full") from None


def output_root() -> Path:
    """Where outputs go: ``$BAIMO_OUTPUT_ROOT`` or, unset or empty, ``outputs/`` under the
    working directory, a leading ``~`` the home directory (:func:`expand_home`)."""
    root = Path(os.environ.get(OUTPUT_ROOT_ENV) or "outputs")
    return expand_home(root, f"cannot write outputs to {root} ({OUTPUT_ROOT_ENV} or "
                             "./outputs)")


def scenarios_root() -> Path:
    """Where runs write scenarios (a calibration's best configuration): a config search
    root of conf/config.yaml's, so ``experiment/NAME.yaml`` in it runs as
    ``+experiment=NAME``."""
    return output_root() / "scenarios"
