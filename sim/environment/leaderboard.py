"""The public leaderboard: the latest released model of every firm and its rank."""

from __future__ import annotations

from dataclasses import dataclass

from sim.sums import left_sum


@dataclass(frozen=True, slots=True)
class Entry:
    """A firm's latest released model."""

    firm: str
    capability: float
    general: bool
    month: float


class Leaderboard:
    """Owns the record of released models; firms post releases, everyone reads ranks."""

    def __init__(self) -> None:
        self._latest: dict[str, Entry] = {}

    def post(self, firm: str, capability: float, general: bool, month: float) -> None:
        """Record a firm's new release."""
        self._latest[firm] = Entry(firm, capability, general, month)

    def withdraw(self, firm: str) -> None:
        """A firm left the market."""
        self._latest.pop(firm, None)

    def rank_percentile(self, firm: str) -> float:
        """Share of listed models this firm's model beats (0 worst .. 1 best)."""
        entry = self._latest.get(firm)
        if entry is None or len(self._latest) < 2:
            return 0.0 if entry is None else 1.0
        beaten = left_sum(1 for e in self._latest.values() if e.capability < entry.capability)
        return beaten / (len(self._latest) - 1)

    def best_general(self) -> float:
        """Best capability among general models (giants), 0 if none."""
        caps = [e.capability for e in self._latest.values() if e.general]
        return max(caps, default=0.0)

    def best(self) -> float:
        """Best capability of any listed model."""
        return max((e.capability for e in self._latest.values()), default=0.0)

    def best_general_firm(self) -> str | None:
        """The firm with the best general model."""
        general = [e for e in self._latest.values() if e.general]
        return max(general, key=lambda e: (e.capability, e.firm)).firm if general else None
