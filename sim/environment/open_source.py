"""The open-source frontier: scheduled open releases raise what shells start from."""

from __future__ import annotations

from sim.config import OpenSourceConfig


class OpenSourceFrontier:
    """Capability of the best open model available at a month (seeds 000, 001, 004)."""

    def __init__(self, cfg: OpenSourceConfig) -> None:
        self._initial = cfg.initial_capability
        pairs = sorted(
            zip((m / cfg.pace for m in cfg.release_months), cfg.frontier_capability, strict=True)
        )
        self._releases = pairs

    def capability(self, month: float) -> float:
        """Open frontier capability at ``month`` (never falls)."""
        level = self._initial
        for when, cap in self._releases:
            if when <= month:
                level = max(level, cap)
        return level

    def release_months(self) -> list[float]:
        """Months at which open releases land (after ``pace``)."""
        return [m for m, _ in self._releases]
