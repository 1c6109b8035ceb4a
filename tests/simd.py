"""Run Python code in a subprocess with NumPy's AVX-512 code paths on or off (shared by the
tests that outputs do not depend on the CPU's SIMD)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

#: The checkout whose ``sim`` the tests import (the subprocess is pointed at it).
REPOSITORY = Path(__file__).resolve().parents[1]
#: NumPy's AVX-512 dispatch targets, all turned off (NumPy warns of names this build lacks).
NO_AVX512 = ("X86_V4 AVX512_ICL AVX512_SPR AVX512F AVX512CD AVX512VL AVX512BW AVX512DQ "
             "AVX512_SKX AVX512_CLX AVX512_CNL")
CPUINFO = Path("/proc/cpuinfo")
#: Seconds a subprocess may take (a small model's construction, or a hundred IRRs).
TIMEOUT_SECONDS = 120


def has_avx512() -> bool:
    """Whether this CPU has AVX-512F: only there does turning NumPy's paths off change them."""
    return CPUINFO.exists() and " avx512f " in CPUINFO.read_text(encoding="utf-8")


#: Marks a test that compares outputs with NumPy's AVX-512 paths on and off.
needs_avx512 = pytest.mark.skipif(not has_avx512(),
                                  reason="needs a CPU with AVX-512F (/proc/cpuinfo)")


def python_output(code: str, stdin: str = "", avx512: bool = True) -> str:
    """What ``python -c code`` prints, with NumPy's AVX-512 paths on or off."""
    environment = {**os.environ, "PYTHONPATH": str(REPOSITORY)}
    if not avx512:
        environment["NPY_DISABLE_CPU_FEATURES"] = NO_AVX512
    done = subprocess.run([sys.executable, "-c", code], input=stdin, env=environment,
                          capture_output=True, text=True, check=True, timeout=TIMEOUT_SECONDS)
    return done.stdout
