"""The regulator's review queue before public release (an assumption: seed 003 has the
generative-AI measures' draft of April 2023; no seed names a review step).

A SimPy ``Resource``: each model waits for a reviewer, then the review takes
an exponentially distributed time, drawn from the submitting firm's own review
stream: a firm's k-th review takes as long in every arm of a paired comparison,
however many other models queue (a shared stream handed its draws out in
arrival order, so one extra release anywhere moved every later review). Before
``review_start_month`` there is no review step.
"""

from __future__ import annotations

from collections.abc import Callable, Generator

import numpy as np
import simpy

from sim.config import RegulationConfig


class Regulator:
    """Generative-AI service review: a queue with a fixed number of reviewers."""

    def __init__(self, env: simpy.Environment, cfg: RegulationConfig) -> None:
        self._env = env
        self._cfg = cfg
        self.queue = simpy.Resource(env, capacity=cfg.reviewers)

    def review(self, rng: np.random.Generator, still_wanted: Callable[[], bool] | None = None
               ) -> Generator[simpy.Event, None, None]:
        """Process: wait for a reviewer, then a review of a length drawn from ``rng``, the
        submitting firm's review stream (no-op before the rules apply). A model whose firm
        no longer wants it released when its turn comes (``still_wanted()`` false: the firm
        left the market or gave up its own model) frees the reviewer at once and draws
        nothing: until 2026-12-07 such reviews ran their course (86 in five years of the
        seed-42 baseline), and every model queued behind them waited."""
        if self._env.now < self._cfg.review_start_month:
            return
        with self.queue.request() as slot:
            yield slot
            if still_wanted is not None and not still_wanted():
                return
            yield self._env.timeout(float(rng.exponential(self._cfg.mean_review_months)))

    @property
    def waiting(self) -> int:
        """Models waiting for a reviewer now."""
        return len(self.queue.queue)
