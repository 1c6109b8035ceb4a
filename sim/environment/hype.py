"""The hype index: rises with releases, big rounds and external shocks, decays (claim 6)."""

from __future__ import annotations

from sim.config import HypeConfig
from sim.ledger import MCNY_PER_BN_CNY

#: The lowest the index goes: a negative shock or the month's step never takes it to 0 or
#: below (funding scores take its logarithm; docs/MODEL.md section 7.1).
HYPE_FLOOR = 1e-3


class HypeIndex:
    """Market-wide excitement about large models; 1 is the pre-ChatGPT normal.

    H[t+1] = 1 + (H[t] - 1)(1 - decay) + release_impulse * releases
             + funding_impulse * raised (billion CNY) + shocks, never below HYPE_FLOOR.
    """

    def __init__(self, cfg: HypeConfig) -> None:
        self._cfg = cfg
        self._level = cfg.initial
        self._pending = 0.0

    @property
    def level(self) -> float:
        """Current index value."""
        return self._level

    def note_releases(self, count: int) -> None:
        """Model releases this month feed next month's hype."""
        self._pending += self._cfg.release_impulse * count

    def note_funding(self, raised_mcny: float) -> None:
        """Money raised this month feeds next month's hype."""
        self._pending += self._cfg.funding_impulse_per_bn * raised_mcny / MCNY_PER_BN_CNY

    def shock(self, size: float) -> None:
        """An external event (ChatGPT, GPT-4) moves hype at once."""
        self._level = max(self._level + size, HYPE_FLOOR)

    def advance(self) -> None:
        """One month: decay towards 1, then add the month's news."""
        decay = self._cfg.decay_per_month
        self._level = max(1.0 + (self._level - 1.0) * (1.0 - decay) + self._pending, HYPE_FLOOR)
        self._pending = 0.0
