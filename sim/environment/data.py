"""Data quality and its spill-over between firms (claim 3; seeds 000, 004).

Each firm's quality is in [0, 1]. A firm may buy a quality step; with weak
protection, part of what the leader has leaks to everyone each month, so the
private return on buying data shrinks as ``spillover`` grows.
"""

from __future__ import annotations

from sim.config import MONTHS_PER_YEAR, DataConfig
from sim.sums import left_sum


class DataPool:
    """Owns every firm's data quality; firms buy steps, spill-over diffuses them."""

    def __init__(self, cfg: DataConfig) -> None:
        self._cfg = cfg
        self._quality: dict[str, float] = {}
        self._domain: dict[tuple[str, int], float] = {}

    def register(self, firm: str, quality: float) -> None:
        """Add a firm with its initial data quality."""
        self._quality[firm] = min(max(quality, 0.0), 1.0)

    def remove(self, firm: str) -> None:
        """A firm left the market; its data stays as the leader benchmark no more."""
        self._quality.pop(firm, None)

    def quality(self, firm: str) -> float:
        """Current quality of ``firm``."""
        return self._quality.get(firm, 0.0)

    def worth_buying(self, annual_ai_revenue_mcny: float, step_cost_mcny: float,
                     quality: float = 0.0) -> bool:
        """Does a quality step pay back within the payback period, net of spill-over, for a
        firm at ``quality``? The step raises quality no higher than 1, so a firm there gains
        nothing: until 2026-12-07 firms at 1 went on buying (537 of the seed-42 baseline's
        740 purchases, about 1,600 million CNY a run for nothing)."""
        c = self._cfg
        step = min(c.quality_step, 1.0 - quality)
        gain = annual_ai_revenue_mcny * c.revenue_gain_per_quality * step
        private_gain = gain * (1 - c.spillover) * c.payback_months / MONTHS_PER_YEAR
        return private_gain > step_cost_mcny

    def buy_step(self, firm: str) -> float:
        """Raise ``firm``'s quality by one step; return the new quality."""
        q = min(self._quality.get(firm, 0.0) + self._cfg.quality_step, 1.0)
        self._quality[firm] = q
        return q

    def diffuse(self) -> None:
        """One month of leakage: everyone closes part of the gap to the best firm."""
        if not self._quality:
            return
        best = max(self._quality.values())
        rate = self._cfg.spillover * self._cfg.diffusion_per_month
        for firm, q in self._quality.items():
            self._quality[firm] = q + rate * (best - q)

    def domain_quality(self, firm: str, domain: int) -> float:
        """Domain data ``firm`` learned by delivering projects there (0..1, private)."""
        return self._domain.get((firm, domain), 0.0)

    def domain_qualities(self, firm: str, domains: int) -> list[float]:
        """:meth:`domain_quality` of ``firm`` in each of the first ``domains`` domains."""
        known = self._domain
        return [known.get((firm, d), 0.0) for d in range(domains)]

    def set_domain_quality(self, firm: str, domain: int, quality: float) -> None:
        """Initial domain data (a vertical's founders' own), or data taken over in a deal."""
        self._domain[(firm, domain)] = min(max(quality, 0.0), 1.0)

    def learn(self, firm: str, domain: int, contract_months: float) -> float:
        """Delivering projects teaches domain data (seed 002); return the new level."""
        known, key = self._domain, (firm, domain)
        q = known.get(key, 0.0)  # domain_quality(firm, domain)
        q = q + (1.0 - q) * min(1.0, self._cfg.contract_learning * contract_months)
        known[key] = q
        return q

    def mean_quality(self) -> float:
        """Average quality over firms in the market."""
        if not self._quality:
            return 0.0
        return left_sum(self._quality.values()) / len(self._quality)
