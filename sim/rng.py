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
    "review_giant",    # the regulator's review times, one stream per giant (was "regulation")
    "procurement",     # tender committees' judgment of bids (buyers.tender_taste)
    "design",        # sweep designs (sim.sweep.design): drawn once per sweep, not per run
    "review_startup",  # the regulator's review times, one stream per startup
    "fund_order",      # the order in which funds answer the month's raise requests
    "giant_order",     # the order in which the giants act each month
)


class Streams:
    """Factory of independent ``numpy.random.Generator`` objects for one run."""

    def __init__(self, seed: int) -> None:
        self._seed = int(seed)

    def get(self, name: str, index: int = 0) -> np.random.Generator:
        """Generator for stream ``name`` (one of :data:`STREAMS`), member ``index``."""
        key = (STREAMS.index(name), int(index))
        return np.random.default_rng(np.random.SeedSequence(self._seed, spawn_key=key))


def replication_seeds(base_seed: int, replications: int) -> list[int]:
    """Seeds of ``replications`` independent runs, spawned from ``base_seed`` by SeedSequence.

    Replication k gets the same seed in every experiment with the same base seed, so
    comparisons between experiments are paired (common random numbers).
    """
    children = np.random.SeedSequence(int(base_seed)).spawn(int(replications))
    return [int(child.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1)) for child in children]
