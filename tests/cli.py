"""Run baimo's console entry point inside the test process (shared by the CLI tests)."""

from __future__ import annotations

import sys

import pytest

from sim.cli import main as baimo_main


def baimo(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run ``baimo ARGS`` in this process: (exit code, stdout, stderr)."""
    old = sys.argv
    sys.argv = ["baimo", *args]
    try:
        baimo_main()
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    finally:
        sys.argv = old
    out, err = capsys.readouterr()
    return code, out, err
