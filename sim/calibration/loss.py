"""The validity loss: how far a configuration's replications are from the stylized facts.

Each stylized fact of :mod:`sim.validation.facts` measures a replication and
reports its ``margin``, the relative slack of its criterion. A fact costs
nothing once it holds with at least ``margin`` to spare (``CalibrationSpec.margin``,
0.1 = 10%), and costs in proportion beyond that:

    fact term    = max(0, m - margin_f) / m                 (1 at the pass line)
    price term   = w * |ln(peak / 2)| / ln 2                (0 at exactly doubled)
    loss         = mean over replications of (sum of fact terms + price term)

The price term is the one point target the sources give for the baseline: the
A100's price "roughly doubled" in 2023 (seed 004; DOMAIN.md s2), measured as the
year-1 peak of the GPU price over its start. A configuration that meets every
fact with room to spare and doubles the GPU price scores 0.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sim.configuration import CalibrationSpec
from sim.sums import left_sum
from sim.validation.facts import FACTS
from sim.validation.replicate import Replication

#: seed 004: the A100's price roughly doubled in 2023 (a validation target, not a parameter).
GPU_PRICE_DOUBLING = 2.0
PRICE_TERM = "gpu_price_doubling"


@dataclass(frozen=True)
class Loss:
    """The loss of a set of replications and its terms (each a mean over replications)."""

    value: float
    terms: dict[str, float]        # fact key or PRICE_TERM -> mean term
    margins: dict[str, float]      # fact key -> median margin
    passing: dict[str, float]      # fact key -> share of replications passing


def fact_term(margin: float, slack: float) -> float:
    """Cost of one fact in one replication: 0 with ``slack`` to spare, 1 at the pass line."""
    if not math.isfinite(margin):
        margin = -1.0
    return max(0.0, slack - margin) / slack


def price_term(peak_ratio: float, weight: float) -> float:
    """Cost of the year-1 GPU price peak missing the doubling (0 when exactly x2)."""
    if not math.isfinite(peak_ratio) or peak_ratio <= 0:
        return weight * 1.0
    return weight * abs(math.log(peak_ratio / GPU_PRICE_DOUBLING)) / math.log(2)


def validity_loss(reps: Sequence[Replication], spec: CalibrationSpec) -> Loss:
    """The loss of ``reps`` (replications of one configuration) under ``spec``."""
    if not reps:
        raise ValueError("validity_loss needs at least one replication")
    per_term: dict[str, list[float]] = {f.key: [] for f in FACTS}
    per_term[PRICE_TERM] = []
    margins: dict[str, list[float]] = {f.key: [] for f in FACTS}
    passed: dict[str, list[bool]] = {f.key: [] for f in FACTS}
    for rep in reps:
        for fact in FACTS:
            m = fact.measure(rep)
            per_term[fact.key].append(fact_term(m.margin, spec.margin))
            margins[fact.key].append(m.margin)
            passed[fact.key].append(m.passed)
        peak = float(rep.outcomes["gpu_price_peak_y1_ratio"])
        per_term[PRICE_TERM].append(price_term(peak, spec.price_target_weight))
    terms = {k: float(np.mean(v)) for k, v in per_term.items()}
    return Loss(value=float(left_sum(terms.values())), terms=terms,
                margins={k: float(np.median(v)) for k, v in margins.items()},
                passing={k: float(np.mean(v)) for k, v in passed.items()})
