"""Sampling designs over named parameter ranges: Latin hypercube, random, Morris, Sobol.

A grid sweep takes its settings from ``hydra.sweeper.params``; a design sweep
draws them from ``design.ranges`` (see :class:`sim.configuration.DesignSpec`).
Every design is drawn from the ``design`` stream of the sweep's base seed, so
the same experiment file gives the same points in every run and on every
machine. Integer parameters (e.g. ``regulation.reviewers``) take, for the run, the
whole number of the range's equal bin their value falls in (each as likely); a Morris
design's levels must fall on whole numbers. The unrounded matrix is kept for the Morris
and Sobol analyses, whose estimators need the design as drawn.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.config import BaimoConfig, ConfigError, schema_field
from sim.configuration import MAX_SWEEP_JOBS, DesignSpec
from sim.rng import Streams
from sim.summary import outcome_names
from sim.sweep.outcomes import KEY_OUTCOMES, derived

GRID = "grid"
SAMPLED = ("lhs", "random")
SENSITIVITY = ("morris", "sobol")
KINDS = (GRID, *SAMPLED, *SENSITIVITY)
#: SALib wants an integer seed: drawn from the design stream below this bound.
SEED_BOUND = 2**31 - 1
#: Keys a design may not vary: the seed is the replications' (``replications=N`` draws
#: each point's seeds from it, the same at every point, so points are paired).
NOT_VARIED = {"seed": "replications vary the seed (replications=N)"}


@dataclass(frozen=True)
class Parameter:
    """One varied parameter: dotted key, range, and whether runs take it as an integer."""

    key: str
    low: float
    high: float
    integer: bool


@dataclass(frozen=True)
class Design:
    """The drawn points: ``matrix`` as drawn (rows = settings), ``values`` as the runs use them."""

    kind: str
    parameters: tuple[Parameter, ...]
    matrix: np.ndarray
    values: list[dict[str, Any]]

    @property
    def keys(self) -> list[str]:
        """Varied keys in design order."""
        return [p.key for p in self.parameters]

    def manifest(self, spec: DesignSpec) -> dict[str, Any]:
        """What sweep.json records so aggregation can analyse the design later."""
        return {"kind": self.kind, "samples": spec.samples, "keys": self.keys,
                "bounds": [[p.low, p.high] for p in self.parameters],
                "integer": [p.integer for p in self.parameters],
                "levels": spec.levels, "second_order": spec.second_order,
                "outcomes": list(spec.outcomes), "resamples": spec.resamples,
                "confidence": spec.confidence, "matrix": self.matrix.tolist()}


def problem(keys: list[str], bounds: list[list[float]]) -> dict[str, Any]:
    """SALib's problem dict: the varied parameters' names and ranges."""
    return {"num_vars": len(keys), "names": list(keys), "bounds": [list(b) for b in bounds]}


def _field_of(key: str) -> tuple[dataclasses.Field, Any]:
    """The schema field behind a dotted key and its resolved type; ConfigError if none."""
    found = schema_field(key)
    if found is None:
        raise ConfigError(f"design.ranges: {key} is not a model parameter "
                          "(baimo --cfg job lists them)")
    return found


def parameter(key: str, bounds: Any) -> Parameter:
    """A validated :class:`Parameter`: a scalar numeric field, a range inside the schema's
    (whole numbers for an integer field)."""
    if key in NOT_VARIED:
        raise ConfigError(f"design.ranges: {key} is not varied by a design; {NOT_VARIED[key]}")
    f, kind = _field_of(key)
    if kind not in (int, float) or "range" not in f.metadata:
        raise ConfigError(f"design.ranges: {key} is not a scalar number; designs vary "
                          "numeric parameters only")
    numbers = isinstance(bounds, list | tuple) and all(
        isinstance(b, int | float) and not isinstance(b, bool) for b in bounds)
    if not numbers or len(bounds) != 2:
        raise ConfigError(f"design.ranges.{key} must be [low, high] (two numbers); got {bounds}")
    low, high = (float(b) for b in bounds)
    lo, hi = f.metadata["range"]
    if not (math.isfinite(low) and math.isfinite(high)):   # .inf or .nan read from YAML
        raise ConfigError(f"design.ranges.{key}=[{low:g}, {high:g}]: both bounds must be "
                          f"finite numbers, within {lo:g} to {hi:g}")
    if not low < high:
        raise ConfigError(f"design.ranges.{key}=[{low:g}, {high:g}]: low must be below high")
    if low < lo or high > hi:
        raise ConfigError(f"design.ranges.{key}=[{low:g}, {high:g}] is outside the allowed "
                          f"range {lo:g} to {hi:g}")
    if kind is int and math.floor(high) - math.ceil(low) < 1:
        raise ConfigError(f"design.ranges.{key}=[{low:g}, {high:g}] holds fewer than two "
                          "integers")
    # each whole number of the range gets an equal bin (_whole): a bound between two would
    # give its neighbour a part of one
    if kind is int and not (low.is_integer() and high.is_integer()):
        raise ConfigError(f"design.ranges.{key}=[{low:g}, {high:g}]: {key} is an integer; "
                          "allowed whole-number bounds")
    return Parameter(key, low, high, kind is int)


def _check_outcomes(outcomes: list[str]) -> None:
    """ConfigError (one line) for an outcome no run writes: its analysis would find nothing."""
    known = {*outcome_names(max(BaimoConfig.__dataclass_fields__["horizon_months"]
                                .metadata["range"])),
             *derived(pd.DataFrame())}   # the derived outcomes' names (of no funds)
    for name in outcomes:
        if name not in known:
            raise ConfigError(
                f"design.outcomes: {name!r} is not an outcome of a run; allowed the key "
                f"outcomes ({', '.join(KEY_OUTCOMES)}) or another number of a run's "
                "summary.json as a dotted path (releases.by_month_13, "
                "funding.raised_by_year_mcny.0, ...)")


def _check_morris_integers(spec: DesignSpec) -> None:
    """ConfigError (one line) for an integer parameter whose Morris levels fall between whole
    numbers: the runs would take rounded values while the analysis divides by the levels'
    step (mu* of a range [1, 3] at 4 levels came out 1.5 for an effect of 2)."""
    steps = spec.levels - 1
    for p in (parameter(k, v) for k, v in spec.ranges.items()):
        if p.integer and (p.high - p.low) % steps:
            raise ConfigError(
                f"design.ranges.{p.key}=[{p.low:g}, {p.high:g}]: {p.key} is an integer and "
                f"design.levels={spec.levels} puts its levels between whole numbers; allowed a "
                f"range whose width is a multiple of {steps} (e.g. [{p.low:g}, "
                f"{p.low + steps * max(1, round((p.high - p.low) / steps)):g}])")


def check(spec: DesignSpec) -> None:
    """ConfigError (one line) if the design is not runnable."""
    if spec.kind not in KINDS:
        raise ConfigError(f"design.kind={spec.kind!r} is unknown; allowed {', '.join(KINDS)}")
    if spec.kind == GRID:
        return
    if not spec.ranges:
        raise ConfigError(f"design.kind={spec.kind} needs design.ranges "
                          "(parameter: [low, high])")
    least = 2 if spec.kind in SAMPLED else 1
    if spec.samples < least:
        raise ConfigError(f"design.samples={spec.samples} must be at least {least} "
                          f"for design.kind={spec.kind}")
    settings = spec.settings()
    if settings > MAX_SWEEP_JOBS:
        raise ConfigError(f"design.samples={spec.samples} makes {settings:,} "
                          f"settings for design.kind={spec.kind}; allowed at most "
                          f"{MAX_SWEEP_JOBS:,} jobs in a sweep")
    _check_outcomes(spec.outcomes)
    if spec.kind == "morris" and (spec.levels < 2 or spec.levels % 2):
        raise ConfigError(f"design.levels={spec.levels} must be an even number >= 2")
    if spec.kind == "sobol" and spec.samples & (spec.samples - 1):
        raise ConfigError(f"design.samples={spec.samples} must be a power of 2 for Sobol "
                          "(Saltelli's scheme)")
    if spec.kind == "morris":
        _check_morris_integers(spec)
    if spec.resamples < 10:
        raise ConfigError(f"design.resamples={spec.resamples} must be at least 10")
    if not 0.5 <= spec.confidence < 1:
        raise ConfigError(f"design.confidence={spec.confidence:g} is out of range; allowed "
                          "0.5 to 0.999")


def _unit(kind: str, n: int, k: int, rng: np.random.Generator) -> np.ndarray:
    if kind == "lhs":
        from scipy.stats import qmc

        return qmc.LatinHypercube(d=k, seed=rng).random(n)
    return rng.random((n, k))


def draw(spec: DesignSpec, seed: int) -> Design:
    """The design's points for a sweep with base seed ``seed``; ConfigError if invalid."""
    check(spec)
    params = tuple(parameter(k, v) for k, v in spec.ranges.items())
    rng = Streams(seed).get("design")
    space = problem([p.key for p in params], [[p.low, p.high] for p in params])
    if spec.kind == "morris":
        from SALib.sample import morris

        matrix = morris.sample(space, spec.samples, num_levels=spec.levels,
                               seed=int(rng.integers(SEED_BOUND)))
    elif spec.kind == "sobol":
        from SALib.sample import sobol

        matrix = sobol.sample(space, spec.samples, calc_second_order=spec.second_order,
                              seed=int(rng.integers(SEED_BOUND)))
    else:
        low = np.array([p.low for p in params])
        high = np.array([p.high for p in params])
        matrix = low + _unit(spec.kind, spec.samples, len(params), rng) * (high - low)
    values = [{p.key: _whole(p, float(x), spec.kind) if p.integer else float(x)
               for p, x in zip(params, row, strict=True)} for row in matrix]
    return Design(spec.kind, params, np.asarray(matrix, dtype=float), values)


def _whole(p: Parameter, x: float, kind: str) -> int:
    """An integer parameter's value for the run at design value ``x``: the range split into
    one equal bin per whole number, so each is as likely (rounding to the nearest gave the
    two ends half the weight of the others: 0..3 drew 0 and 3 a sixth of the time each); a
    Morris design's levels, which fall on whole numbers (:func:`check`), as they are."""
    if kind == "morris":
        return int(np.rint(x))
    bins = p.high - p.low + 1
    return int(min(p.low + math.floor((x - p.low) / (p.high - p.low) * bins), p.high))


def override(key: str, value: Any) -> str:
    """A point's value as a Hydra override (floats as their shortest exact repr)."""
    return f"{key}={value!r}" if isinstance(value, float) else f"{key}={value}"
