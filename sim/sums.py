"""Sums that come out the same on every Python version the project supports.

Python 3.12's built-in ``sum()`` adds floats with compensated (Neumaier) summation;
3.11's adds them one after the other. Where the two round differently the last bit
differs, and a run, whose agents compare such sums (a rental market's supply against
its demand, a fund's portfolio value), diverges from that month on: the same config
and seed gave other outputs on Python 3.12 than on 3.11. The model and its outputs
add with :func:`left_sum` instead, which is 3.11's ``sum()`` on every version.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Iterable
from typing import TypeVar

Number = TypeVar("Number", int, float)


def left_sum(values: Iterable[Number], start: Number = 0) -> Number:
    """``start`` plus each of ``values`` in turn, left to right, each addition rounded
    (what Python 3.11's ``sum()`` does; 3.12's compensates for the rounding)."""
    return functools.reduce(operator.add, values, start)
