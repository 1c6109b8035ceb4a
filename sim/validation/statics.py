"""Comparative statics for the causal claims of DOMAIN.md s3 (paired seeds, CIs).

Each :class:`Claim` turns one lever (config overrides) against a shared
reduced baseline. Replication k of the baseline and of the treatment use the
same seed (common random numbers), so the effect is measured on the paired
differences, with a 95% confidence interval of their mean chosen as
``baimo-compare`` chooses it (:func:`sim.compare.difference_ci`): Student's t
below ``T_BELOW_N`` (30) pairs, the bootstrap from there on. An interval that
cannot carry a verdict (fewer than two pairs, or every difference the same on
fewer than ``MIN_EXACT_N`` (5) pairs) gives none: the effect is "too few pairs".
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.compare import (
    MIN_EXACT_N,
    NO_INTERVAL,
    NO_SPREAD,
    difference_ci,
    excludes_zero,
)
from sim.config import BaimoConfig
from sim.rng import replication_seeds
from sim.validation.replicate import Replication, run_configs, with_seed

# The reduced setting all arms share (runtime: 8 arms x replications runs).
STATICS_HORIZON_MONTHS = 48   # long enough for year-2 funding, month-24 adoption, early exits
STATICS_BUYERS = 2000         # fewer buyers than the baseline's 5,000: adoption shares stay stable
CONFIDENCE = 0.95
BOOTSTRAP_RESAMPLES = 2000   # from T_BELOW_N pairs on (sim.compare), where the bootstrap is used
#: The fewest pairs an interval needs: with one there is no spread to measure.
MIN_PAIRS = 2


# The levers' sizes. Each is large against its setting's default, so that its effect
# shows on the reduced baseline's few replications, and keeps the setting in its range;
# where a seed or a default gives a size, it is that one (docs/MODEL.md section 8).
#: Claim 1: fund terms doubled (4 -> 8 years), beyond seed 004's 3-5-year horizons.
FUND_TERM_FACTOR = 2
#: Claim 2a: imports cut to a third, about what the default export control's 70% cut
#: leaves (seed 004: controls restrict supply).
IMPORT_SUPPLY_DIVISOR = 3
#: Claim 2b: GPUs twice as dear to make and to buy (seed 004: the A100's price roughly
#: doubled in 2023).
GPU_PRICE_FACTOR = 2
#: Claim 3: data spill-over raised from weak protection's 0.6 to 0.9 (at most 1: all of it
#: spills).
SPILLOVER_STEP = 0.3
#: Claim 4: general models land half as often (a generation every 12 months, not 6).
GENERATION_INTERVAL_FACTOR = 2
#: Claim 5: every segment's digitisation 0.15 higher, at most 1 (gov/SOE 0.55 -> 0.70).
DIGITIZATION_STEP = 0.15
#: Claim 6: the first shock (ChatGPT's) bigger by the second's size (GPT-4's, 0.8).
HYPE_SHOCK_STEP = 0.8
#: Claim 7: internal use lifting core profit five times as much (6% -> 30% per 100
#: capability points), at most 1.
INTERNAL_USE_FACTOR = 5
#: Digitisation's lever is rounded to this many decimals, so its override reads as written.
LEVER_DECIMALS = 6


@dataclass(frozen=True)
class Outcome:
    """A measured outcome and the sign the claim predicts for treatment minus baseline.

    ``expected_sign`` 0 marks a *channel*: an outcome the claim's effect runs through,
    shown beside the predictions to explain them, with no sign predicted or checked.
    """

    key: str
    label: str
    expected_sign: int

    @property
    def predicted(self) -> bool:
        """The claim predicts this outcome's sign (it is not only a channel)."""
        return self.expected_sign != 0


@dataclass(frozen=True)
class Claim:
    """A causal claim, the lever that tests it, and the outcomes it predicts.

    ``treatment`` maps the baseline config to the changed values (dotted key -> value),
    so the lever is always stated against the baseline actually run.
    """

    key: str
    title: str
    statement: str
    treatment: Callable[[BaimoConfig], dict[str, Any]]
    outcomes: tuple[Outcome, ...]

    def changes(self, base: BaimoConfig) -> dict[str, tuple[Any, Any]]:
        """Dotted key -> (baseline value, treatment value)."""
        return {k: (_get(base, k), v) for k, v in self.treatment(base).items()}

    def lever(self, base: BaimoConfig) -> str:
        """The lever as text, e.g. ``funds.term_years 4 -> 8``."""
        changes = self.changes(base).items()
        return "; ".join(f"{k} {_show(a)} -> {_show(b)}" for k, (a, b) in changes)

    def overrides(self, base: BaimoConfig) -> list[str]:
        """The treatment as Hydra overrides."""
        return [f"{k}={_show(v)}" for k, v in self.treatment(base).items()]


def _get(cfg: Any, dotted: str) -> Any:
    obj = cfg
    for part in dotted.split("."):
        obj = obj[int(part)] if part.isdigit() else getattr(obj, part)
    return obj


def _show(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ",".join(_show(v) for v in value) + "]"
    if isinstance(value, float):
        return f"{value:.8g}"
    return str(value)


#: The first link of both compute claims (supply and price): dearer rent.
MEAN_RENT = Outcome("rent_mean_cny_per_hour", "mean rent (CNY per A100-eq-hour)", +1)
#: Claim 2 reads "compute price and supply -> who can train -> concentration in giants".
#: Each compute lever predicts its first link (dearer compute), who can train (startups'
#: training compute and GPU purchases fall) and the concentration of training in giants
#: (docs/MODEL.md section 8, "Claim 2: who can train").
WHO_TRAINS = (
    Outcome("training_compute_startups_24",
            "startups' training compute, models released in months 0-23 (A100-eq-months)", -1),
    Outcome("gpus_purchased_startups_24", "GPUs bought by startups, months 0-23", -1),
    Outcome("training_share_giants_24",
            "giants' share of training compute, models released in months 0-23", +1),
)

#: What a compute lever runs through, or reaches further on, with no sign predicted: the
#: count of startups' original models (set by investor pressure, claim 1: seed 004 asks
#: whether startups are "choked, or unwilling to buy" and answers unwilling), the giants'
#: models, the startups that give up their own and those left, and the revenue shares
#: (startups spend little on compute, seed 004, so dearer compute moves them little).
COMPUTE_CHANNELS = (
    Outcome("original_releases_startups", "channel: original models released by startups", 0),
    Outcome("best_capability_24", "channel: best model at month 24 (capability points)", 0),
    Outcome("pivots_24", "channel: startups that pivoted onto a giant's model, months 0-23", 0),
    Outcome("builders_24", "channel: independent model builders at month 24", 0),
    Outcome("giant_revenue_share_24", "channel: giants' revenue share, month 24", 0),
    Outcome("giant_revenue_share_y3_4", "channel: giants' revenue share, months 24-47", 0),
)

CLAIMS: tuple[Claim, ...] = (
    Claim("fund_horizon", "1. Investor horizon",
          "longer fund terms -> less pressure to avoid compute -> more startups buy GPUs and "
          "train original models (seed 004)",
          lambda c: {"funds.term_years": FUND_TERM_FACTOR * c.funds.term_years},
          (Outcome("share_startups_bought_gpus", "share of startups that bought GPUs", +1),
           Outcome("original_releases_startups", "original models released by startups", +1))),
    Claim("gpu_supply", "2a. Compute supply",
          "tighter GPU supply (export controls) -> dearer compute -> startups can train less "
          "-> training concentrates in giants (seeds 003, 004)",
          lambda c: {"compute.imported_supply_per_month":
                     c.compute.imported_supply_per_month / IMPORT_SUPPLY_DIVISOR},
          (Outcome("gpu_price_peak_y1_ratio", "GPU price peak in year 1 / configured initial",
                   +1),
           MEAN_RENT,
           *WHO_TRAINS,
           *COMPUTE_CHANNELS)),
    Claim("gpu_price", "2b. Compute price",
          "dearer GPUs (the A100's price roughly doubled in 2023) -> dearer compute -> startups "
          "can train less -> training concentrates in giants (seeds 003, 004)",
          lambda c: {"compute.production_cost_mcny":
                     GPU_PRICE_FACTOR * c.compute.production_cost_mcny,
                     "compute.initial_gpu_price_mcny":
                     GPU_PRICE_FACTOR * c.compute.initial_gpu_price_mcny},
          (Outcome("gpu_price_mean_mcny", "mean GPU price (million CNY per A100-eq)", +1),
           MEAN_RENT,
           *WHO_TRAINS,
           *COMPUTE_CHANNELS)),
    Claim("data_spillover", "3. Data spill-over",
          "weaker data protection (more spill-over) -> buying data quality pays less -> less "
          "data investment (seed 004)",
          lambda c: {"data.spillover": min(1.0, c.data.spillover + SPILLOVER_STEP)},
          (Outcome("data_purchases", "data-quality purchases", -1),)),
    Claim("vertical_first", "4. General vs vertical race",
          "who lands first in a domain takes it: when general models land later (first "
          "generation and each next one later, same compute per run), verticals keep more of "
          "the market (seeds 000, 003)",
          lambda c: {"giants.generation_interval_months":
                     GENERATION_INTERVAL_FACTOR * c.giants.generation_interval_months},
          (Outcome("startup_revenue_share_24", "startups' share of enterprise revenue, months 0-23",
                   +1),)),
    Claim("digitisation", "5. Buyer digitisation",
          "more digitised buyers -> lower integration cost and faster consideration -> faster "
          "adoption (seeds 002, 004)",
          lambda c: {"buyers.digitization": [
              min(1.0, round(d + DIGITIZATION_STEP, LEVER_DECIMALS))
              for d in c.buyers.digitization]},
          (Outcome("adoption_mean_24", "mean adoption over segments, month 24", +1),)),
    Claim("hype", "6. Hype cycle",
          "a bigger hype shock -> more entry and more money raised (seed 004)",
          lambda c: {"hype.shocks.0.size": c.hype.shocks[0].size + HYPE_SHOCK_STEP},
          (Outcome("founded_y1", "startups founded in year 1", +1),
           Outcome("raised_y1_mcny", "money raised in year 1 (million CNY)", +1))),
    Claim("internal_use", "7. Giants' internal use",
          "giants' own use of their model lifts core profit, which funds more compute "
          "(seeds 002, 003)",
          lambda c: {"giants.internal_use_lift":
                     min(1.0, INTERNAL_USE_FACTOR * c.giants.internal_use_lift)},
          (Outcome("gpus_owned_giants_final", "GPUs owned by giants at the horizon", +1),)),
)


@dataclass(frozen=True)
class Effect:
    """The paired effect of one claim on one outcome."""

    claim: Claim
    outcome: Outcome
    lever: str
    baseline_mean: float
    treatment_mean: float
    mean_diff: float
    ci_low: float
    ci_high: float
    share_expected_sign: float
    replications: int
    interval: str   # what gave the CI: one of sim.compare.INTERVALS

    @property
    def no_verdict(self) -> bool:
        """The interval cannot carry a verdict: there is none (fewer than two pairs), or every
        difference is the same on fewer than ``MIN_EXACT_N`` pairs (a coincidence of counts,
        as ``baimo-compare`` leaves such a point unstarred)."""
        return self.interval == NO_INTERVAL or (self.interval == NO_SPREAD
                                                and self.replications < MIN_EXACT_N)

    @property
    def undecided(self) -> bool:
        """A predicted outcome, measured, left without a verdict: too few pairs."""
        return self.outcome.predicted and math.isfinite(self.mean_diff) and self.no_verdict

    @property
    def clear_of_zero(self) -> bool:
        """The CI excludes zero and can carry a verdict (:func:`sim.compare.excludes_zero`)."""
        return not self.no_verdict and excludes_zero(self.ci_low, self.ci_high,
                                                     self.interval, self.replications)

    @property
    def verdict(self) -> str:
        """'expected sign' when the CI excludes zero on the predicted side."""
        s = self.outcome.expected_sign
        if not math.isfinite(self.mean_diff):
            return "NOT MEASURED (no replication has the outcome: past the horizon?)"
        if not self.outcome.predicted:
            return "channel (no sign predicted)"
        if self.no_verdict:
            return _why_no_verdict(self.replications, self.interval)
        if self.clear_of_zero and s * self.ci_low > 0:
            return "expected sign"
        if self.wrong_sign:
            return "WRONG SIGN"
        if self.mean_diff == 0 and self.ci_low == 0 and self.ci_high == 0:
            return "NO EFFECT (outcome identical in both arms)"
        if s * self.mean_diff > 0:
            return "expected sign, CI includes 0"
        return "wrong sign, CI includes 0"

    @property
    def wrong_sign(self) -> bool:
        """The whole CI lies on the side opposite to the prediction (never for a channel, nor
        with too few pairs for a verdict)."""
        s = self.outcome.expected_sign
        return self.clear_of_zero and s * self.ci_low < 0 and s * self.ci_high < 0

    @property
    def ok(self) -> bool:
        """The effect has the expected sign with the CI clear of zero."""
        return self.verdict == "expected sign"


def _why_no_verdict(pairs: int, interval: str) -> str:
    """The verdict of an effect whose interval cannot carry one, and why."""
    if interval == NO_SPREAD:
        return (f"TOO FEW PAIRS ({pairs}, every difference the same: a point is judged from "
                f"{MIN_EXACT_N} pairs)")
    if pairs < MIN_PAIRS:
        return f"TOO FEW PAIRS ({pairs}: an interval needs {MIN_PAIRS})"
    return "NO INTERVAL (undefined on these pairs)"


def paired_ci(baseline: np.ndarray, treatment: np.ndarray, seed: int) -> tuple[float, float, str]:
    """95% CI of the mean paired difference (treatment minus baseline) over the pairs where
    both are finite, and what gave it: ``baimo-compare``'s interval
    (:func:`sim.compare.difference_ci`: Student's t below ``T_BELOW_N`` pairs, the bootstrap
    from there on, the point when every difference is the same, none below two pairs)."""
    b, t = np.asarray(baseline, dtype=float), np.asarray(treatment, dtype=float)
    keep = np.isfinite(t - b)
    return difference_ci(b[keep], t[keep], True, CONFIDENCE, BOOTSTRAP_RESAMPLES,
                         np.random.default_rng(seed))


#: Outcomes that are one side's share of a total: key -> (that side, the other side).
SHARES = {
    "startup_revenue_share_24": ("startup_revenue_24", "giant_revenue_24"),
    "giant_revenue_share_y3_4": ("giant_revenue_y3_4", "startup_revenue_y3_4"),
}


def derived(rep: Replication, key: str) -> float:
    """An outcome of one replication (a few are shares of two of the worker's outcomes)."""
    o = rep.outcomes
    if key in SHARES:
        part, other = SHARES[key]
        total = o[part] + o[other]
        return o[part] / total if total > 0 else math.nan
    return float(o[key])


def arm_configs(base: BaimoConfig, compose_fn: Callable[[list[str]], BaimoConfig],
                base_overrides: Sequence[str], claims: Sequence[Claim],
                replications: int) -> list[list[BaimoConfig]]:
    """Configs of the baseline arm and of each claim's arm, one per seed (paired)."""
    seeds = replication_seeds(base.seed, replications)
    arms = [list(base_overrides)] + [list(base_overrides) + c.overrides(base) for c in claims]
    configs = [compose_fn(arm) for arm in arms]
    return [[with_seed(cfg, s) for s in seeds] for cfg in configs]


def effects(baseline: list[Replication], arms: list[list[Replication]],
            claims: Sequence[Claim], base: BaimoConfig) -> list[Effect]:
    """Paired effects of every claim's outcomes."""
    out = []
    for claim, treated in zip(claims, arms, strict=True):
        for k, outcome in enumerate(claim.outcomes):
            b = np.array([derived(r, outcome.key) for r in baseline])
            t = np.array([derived(r, outcome.key) for r in treated])
            d = t - b
            lo, hi, interval = paired_ci(b, t, base.seed + k)
            finite = d[np.isfinite(d)]
            out.append(Effect(claim, outcome, claim.lever(base), float(np.nanmean(b)),
                              float(np.nanmean(t)), float(np.nanmean(d)), lo, hi,
                              float((np.sign(finite) == outcome.expected_sign).mean())
                              if finite.size and outcome.predicted else math.nan,
                              len(finite), interval))
    return out


def run_statics(compose_fn: Callable[[list[str]], BaimoConfig], user_overrides: Sequence[str],
                replications: int, jobs: int,
                progress: Callable[[int, int], None] | None = None,
                claims: Sequence[Claim] = CLAIMS, horizon: int = STATICS_HORIZON_MONTHS,
                buyers: int = STATICS_BUYERS) -> list[Effect]:
    """Run the baseline and every claim's arm over paired seeds; return the effects.

    ``user_overrides`` (model keys) apply to every arm; the claims' treatments come last.
    """
    base_overrides = [*user_overrides, f"horizon_months={horizon}", f"buyers.count={buyers}"]
    base = compose_fn(base_overrides)
    grid = arm_configs(base, compose_fn, base_overrides, claims, replications)
    flat = [cfg for arm in grid for cfg in arm]
    reps = run_configs(flat, jobs, progress)
    arms = [reps[i * replications:(i + 1) * replications] for i in range(len(grid))]
    return effects(arms[0], arms[1:], claims, base)
