"""The regulator's review queue before public release (seed 003).

A SimPy ``Resource``: each model waits for a reviewer, then the review takes
an exponentially distributed time. Before ``review_start_month`` there is no
review step.
"""

from __future__ import annotations

from collections.abc import Generator

import numpy as np
import simpy

from sim.config import RegulationConfig


class Regulator:
    """Generative-AI service review: a queue with a fixed number of reviewers."""

    def __init__(
        self, env: simpy.Environment, cfg: RegulationConfig, rng: np.random.Generator
    ) -> None:
        self._env = env
        self._cfg = cfg
        self._rng = rng
        self.queue = simpy.Resource(env, capacity=cfg.reviewers)

    def review(self) -> Generator[simpy.Event, None, None]:
        """Process: wait for a reviewer and the review (no-op before the rules apply)."""
        if self._env.now < self._cfg.review_start_month:
            return
        with self.queue.request() as slot:
            yield slot
            yield self._env.timeout(float(self._rng.exponential(self._cfg.mean_review_months)))

    @property
    def waiting(self) -> int:
        """Models waiting for a reviewer now."""
        return len(self.queue.queue)
