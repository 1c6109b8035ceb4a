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
    """The output root names a home directory that cannot be found (one-line message)."""


def output_root() -> Path:
    """Where outputs go: ``$BAIMO_OUTPUT_ROOT`` or, unset or empty, ``outputs/`` under the
    working directory. A leading ``~`` is the home directory (a shell leaves it alone in
    quotes: ``BAIMO_OUTPUT_ROOT="~/baimo"`` would make a directory named ``~`` here);
    OutputRootError if there is none (``~nouser/x``, or ``~`` with no HOME)."""
    root = Path(os.environ.get(OUTPUT_ROOT_ENV) or "outputs")
    try:
        return root.expanduser()
    except RuntimeError:   # pathlib: "Could not determine home directory."
        raise OutputRootError(
            f"cannot write outputs to {root} ({OUTPUT_ROOT_ENV} or ./outputs): "
            f"no home directory is known for {root.parts[0]}; give the path in full") from None


def scenarios_root() -> Path:
    """Where runs write scenarios (a calibration's best configuration): a config search
    root of conf/config.yaml's, so ``experiment/NAME.yaml`` in it runs as
    ``+experiment=NAME``."""
    return output_root() / "scenarios"
