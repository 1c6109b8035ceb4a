"""Capability (a leaderboard score) from training compute and data quality.

Pure functions of :class:`~sim.config.CapabilityConfig`; see its docstring
for the equations.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from sim.config import CapabilityConfig


def efficiency(cfg: CapabilityConfig, month: float) -> float:
    """Algorithmic efficiency multiplier of compute at ``month`` (1 at month 0)."""
    return 2.0 ** (month / cfg.algorithmic_doubling_months)


def trained_capability(
    cfg: CapabilityConfig, gpu_months: float, data_quality: float, month: float
) -> float:
    """Capability of a model pretrained with ``gpu_months`` (A100-months) of compute."""
    effective = max(gpu_months, 0.0) * efficiency(cfg, month)
    scale = math.log10(1.0 + effective / cfg.reference_compute_gpu_months)
    return cfg.points_per_decade * scale * ((1 - cfg.data_weight) + cfg.data_weight * data_quality)


def shell_capability(cfg: CapabilityConfig, open_frontier: float, data_quality: float,
                     tuning_gpu_months: float | None = None) -> float:
    """Capability of a shell: the open frontier tuned with the firm's own data.

    The tuning gain is ``shell_tuning_points`` per unit of data quality for a run of
    ``tuning_reference_gpu_months``, and scales as (tuning compute / reference) to the
    ``tuning_compute_elasticity``: a shell tuned on half the compute gains less (claim 2).
    ``tuning_gpu_months`` None: a run of the reference size.
    """
    gain = cfg.shell_tuning_points * data_quality
    if tuning_gpu_months is not None and cfg.tuning_compute_elasticity > 0:
        ratio = max(tuning_gpu_months, 0.0) / cfg.tuning_reference_gpu_months
        gain *= ratio**cfg.tuning_compute_elasticity
    return open_frontier + gain


def assembled_capability(cfg: CapabilityConfig, open_frontier: float) -> float:
    """Capability of a model assembled from small open models."""
    return cfg.assembled_factor * open_frontier


def domain_capability(
    cfg: CapabilityConfig, base: float, domain_data: float, specialised: bool
) -> float:
    """Capability in one domain: a vertical adds its domain data, a general model transfers."""
    factor = 1.0 if specialised else cfg.general_domain_transfer
    return base * factor + cfg.vertical_data_bonus * domain_data


def domain_capabilities(
    cfg: CapabilityConfig, base: float, domain_data: Sequence[float], home: int
) -> tuple[float, ...]:
    """:func:`domain_capability` in every domain (``domain_data`` by domain), specialised
    in the ``home`` domain only: an offer's capabilities in one pass."""
    transfer, bonus = cfg.general_domain_transfer, cfg.vertical_data_bonus
    return tuple([base * (1.0 if d == home else transfer) + bonus * data
                  for d, data in enumerate(domain_data)])


def hallucination_rate(cfg: CapabilityConfig, capability: float) -> float:
    """Share of answers that are fluently wrong (seed 004)."""
    return math.exp(-max(capability, 0.0) / cfg.hallucination_scale)


def hallucination_rates(
    cfg: CapabilityConfig, capabilities: tuple[float, ...]
) -> tuple[float, ...]:
    """:func:`hallucination_rate` of each capability (an offer's, domain by domain)."""
    scale = cfg.hallucination_scale
    return tuple([math.exp(-max(c, 0.0) / scale) for c in capabilities])
