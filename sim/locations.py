"""Where baimo writes: the output root (runs, sweeps, reports, lessons, scenarios).

A module of its own, importing nothing heavy: the Hydra config asks it for the root
while it is composed (``${baimo_output_root:}``), before any table writer is needed.
"""

from __future__ import annotations

import os
from pathlib import Path

#: Environment variable that moves every output (runs, sweeps, reports) elsewhere.
OUTPUT_ROOT_ENV = "BAIMO_OUTPUT_ROOT"


def output_root() -> Path:
    """Where outputs go: ``$BAIMO_OUTPUT_ROOT`` or, unset or empty, ``outputs/`` under the
    working directory. A leading ``~`` is the home directory (a shell leaves it alone in
    quotes: ``BAIMO_OUTPUT_ROOT="~/baimo"`` would make a directory named ``~`` here)."""
    return Path(os.environ.get(OUTPUT_ROOT_ENV) or "outputs").expanduser()


def scenarios_root() -> Path:
    """Where runs write scenarios (a calibration's best configuration): a config search
    root of conf/config.yaml's, so ``experiment/NAME.yaml`` in it runs as
    ``+experiment=NAME``."""
    return output_root() / "scenarios"
