"""An arm: runs that share one configuration except the seed (replications)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sim.outputs import RunOutputs
from sim.teaching.calendar import DEFAULT_START


@dataclass
class Arm:
    """Replications of one setting, in replication order (paired across arms by index)."""

    name: str
    label: str
    runs: list[RunOutputs]
    overrides: list[str] = field(default_factory=list)

    @property
    def seeds(self) -> list[int]:
        """Seed of every replication."""
        return [int(r.summary.get("seed", -1)) for r in self.runs]

    @property
    def start_date(self) -> str:
        """Calendar month of model month 0."""
        return str(self.runs[0].summary.get("start_date", DEFAULT_START)) if self.runs \
            else DEFAULT_START


def common_start(arms: list[Arm]) -> str | None:
    """The calendar month of model month 0 that every run of ``arms`` shares; None when
    they start in different months (a sweep over ``start_date``)."""
    starts = {str(r.summary.get("start_date", DEFAULT_START)) for a in arms for r in a.runs}
    return starts.pop() if len(starts) == 1 else (DEFAULT_START if not starts else None)


def paired(a: Arm, b: Arm) -> bool:
    """Whether replication k of ``a`` and ``b`` used the same seed for every k."""
    return len(a.runs) == len(b.runs) and a.seeds == b.seeds
