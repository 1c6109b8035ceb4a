"""Seeded random streams: one ``SeedSequence`` from the run's seed, one child per stream.

A stream is addressed by a fixed name and an optional index (e.g. the n-th
startup), so draws do not depend on the order in which streams are created.
"""

from __future__ import annotations

import numpy as np

STREAMS = (
    "entry",
    "startup",
    "fund",
    "vintage",
    "giant",
    "buyers",
    "funding",
    "compute",
    "regulation",
    "procurement",
)


class Streams:
    """Factory of independent ``numpy.random.Generator`` objects for one run."""

    def __init__(self, seed: int) -> None:
        self._seed = int(seed)

    def get(self, name: str, index: int = 0) -> np.random.Generator:
        """Generator for stream ``name`` (one of :data:`STREAMS`), member ``index``."""
        key = (STREAMS.index(name), int(index))
        return np.random.default_rng(np.random.SeedSequence(self._seed, spawn_key=key))
