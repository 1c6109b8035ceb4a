"""Broken run directories and the one-line error they must get (shared by the reader tests)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from sim.outputs import COMPLETE

GARBAGE = b"PAR1 this is not parquet"


def unfinished_copy(run_dir: Path, dest: Path) -> Path:
    """A copy of a finished run without its COMPLETE marker (its writer was killed)."""
    shutil.copytree(run_dir, dest)
    (dest / COMPLETE).unlink()
    return dest


def corrupted_copy(run_dir: Path, dest: Path, table: str) -> Path:
    """A copy of a finished run whose ``table`` file holds garbage, not Parquet."""
    shutil.copytree(run_dir, dest)
    (dest / table).write_bytes(GARBAGE)
    return dest


def one_line_error(main: Callable[[list[str]], None], prog: str,
                   capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    """Run ``main(argv)``: it must exit 2 with one line ``PROG: error: ...``; return it."""
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"{prog}: error: ")
    return err
