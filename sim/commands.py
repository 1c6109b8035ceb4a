"""What every baimo command does with bad input: one line on stderr, exit code 2."""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn

#: Exit code for bad input (a bad value, a missing or broken directory, a bad option).
EXIT_BAD_INPUT = 2


def fail(prog: str, message: str) -> NoReturn:
    """Print ``PROG: error: message`` to stderr and exit with the bad-input code."""
    print(f"{prog}: error: {message}", file=sys.stderr)
    raise SystemExit(EXIT_BAD_INPUT)


class OneLineParser(argparse.ArgumentParser):
    """argparse that reports a bad command line in one line, exit code 2."""

    def error(self, message: str) -> NoReturn:
        fail(self.prog, f"{message} (see {self.prog} --help)")
