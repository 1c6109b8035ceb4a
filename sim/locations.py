"""Where baimo writes: the output root (runs, sweeps, reports, lessons, scenarios).

A module of its own, importing nothing heavy: the Hydra config asks it for the root
while it is composed (``${baimo_output_root:}``), before any table writer is needed.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from sim.commands import OneLineError

#: Environment variable that moves every output (runs, sweeps, reports) elsewhere.
OUTPUT_ROOT_ENV = "BAIMO_OUTPUT_ROOT"
#: What no Windows file name may hold: ``<>:"/\\|?*`` (``/`` and ``\\`` its separators, ``/``
#: every system's) and the control characters. A sweep names its directories from overrides,
#: whose values may hold any of them (a dict's ``:``, a quoted name's ``"``).
NOT_IN_NAMES = re.compile(r'[<>:"/\\|?*\x00-\x1f]')
#: What stands for each of them in a name.
NAME_STAND_IN = "_"
#: Windows drops these from the end of a name (``x=a.`` would be ``x=a``'s directory).
NOT_LAST_IN_NAMES = (".", " ")
#: Directory names longer than this are shortened (file systems allow 255 bytes).
MAX_NAME = 150
#: Hex digits of the SHA-1 digest of the name as given that end a name changed to fit,
#: after this mark.
NAME_DIGEST_DIGITS = 10
DIGEST_MARK = "~"
#: How much of a changed name comes before the mark: a shortened one ends one character
#: under :data:`MAX_NAME`, as sweeps have always shortened their directory names.
KEPT_OF_NAME = MAX_NAME - 1 - len(DIGEST_MARK) - NAME_DIGEST_DIGITS


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


def portable_name(name: str) -> str:
    """``name`` as a directory name every system takes, the same on each: unchanged if it
    is one already; else its characters Windows refuses (:data:`NOT_IN_NAMES`, and a last
    dot or space) each made :data:`NAME_STAND_IN`, cut to fit :data:`MAX_NAME`, and ended
    with ``~`` and a digest of ``name`` itself, so two names that differ only where they
    were changed (``a:b``, ``a?b``, ``a_b``) keep apart."""
    portable = NOT_IN_NAMES.sub(NAME_STAND_IN, name)
    if portable.endswith(NOT_LAST_IN_NAMES):
        portable = portable[:-1] + NAME_STAND_IN
    if portable == name and len(name) <= MAX_NAME:
        return name
    digest = hashlib.sha1(name.encode()).hexdigest()[:NAME_DIGEST_DIGITS]
    return f"{portable[:KEPT_OF_NAME]}{DIGEST_MARK}{digest}"
