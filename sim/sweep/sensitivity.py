"""Which parameters matter: Morris screening and Sobol indices of a design sweep (SALib).

A ``design.kind: morris`` or ``sobol`` sweep records its design matrix in
``sweep.json``. After aggregation, each outcome in ``design.outcomes`` (or the
key outcomes when none are named) is averaged over the replications of each
design point and analysed:

- Morris: mu* (mean absolute elementary effect, in the outcome's units) with a
  bootstrap confidence interval, mu and sigma (non-linearity or interactions).
  Trajectories with an unfinished job are left out.
- Sobol: first-order (S1) and total (ST) indices with bootstrap intervals;
  every point must be finished.

Parameters are ranked per outcome (by mu* or ST), and overall by their mean
normalised index across outcomes. Written to the sweep directory:
``sensitivity.parquet`` (tidy: method, outcome, parameter, indices, CIs,
rank), ``sensitivity.md`` and ``plots/sensitivity_*.png``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.commands import plural
from sim.outputs import write_parquet, write_text
from sim.sweep.design import problem
from sim.sweep.outcomes import KEY_OUTCOMES

SENSITIVITY_TABLE = "sensitivity.parquet"
SENSITIVITY_REPORT = "sensitivity.md"
#: Column holding each method's ranking index.
RANK_INDEX = {"morris": "mu_star", "sobol": "ST"}
RANK_CONF = {"morris": "mu_star_conf", "sobol": "ST_conf"}
COLUMNS = ["method", "outcome", "parameter", "rank", "mu_star", "mu_star_conf", "mu", "sigma",
           "S1", "S1_conf", "ST", "ST_conf", "normalised", "points", "noise_mu_star",
           "within_noise"]
#: A Morris index is told apart from seed noise only above this multiple of the mu* that
#: noise alone gives (:func:`noise_mu_star`): the mean of a few |elementary effects| of pure
#: noise scatters about its expectation, and twice it leaves room for that scatter.
NOISE_MULTIPLE = 2.0
#: Fewest Morris trajectories the report takes without a warning: screening needs about
#: 10-20 (Campolongo, Cariboni & Saltelli 2007), and the bootstrap interval of fewer is a
#: resampling of a handful of values.
MIN_TRAJECTORIES = 10
#: Smallest Sobol base sample the report takes without a warning: Saltelli's estimators
#: scatter widely below a few hundred (Saltelli et al. 2010 use 500 and more), giving S1
#: above ST, ST above 1 or negative indices.
MIN_SOBOL_BASE = 256


@dataclass
class Sensitivity:
    """The analysis of one sweep: tidy indices and what could not be analysed."""

    method: str
    table: pd.DataFrame
    skipped: dict[str, str] = field(default_factory=dict)   # outcome -> reason
    confidence: float = 0.95
    #: how the indices were taken (:func:`settings`), for the report's header
    settings: dict[str, Any] = field(default_factory=dict)

    def overall(self) -> pd.DataFrame:
        """Parameters ranked by their mean normalised index over the analysed outcomes."""
        if self.table.empty:
            return pd.DataFrame(columns=["parameter", "mean_normalised", "outcomes_top3"])
        grouped = self.table.groupby("parameter", sort=False)
        out = pd.DataFrame({
            "mean_normalised": grouped["normalised"].mean(),
            "outcomes_top3": grouped["rank"].apply(lambda r: int((r <= 3).sum())),
        }).reset_index()
        return out.sort_values(["mean_normalised", "parameter"], ascending=[False, True],
                               ignore_index=True)


def point_means(jobs: pd.DataFrame, manifest: dict[str, Any], outcome: str) -> np.ndarray:
    """The outcome at each design point, averaged over its finished replications (NaN if none)."""
    n = len(manifest["design"]["matrix"])
    sample_of = {j["name"]: j.get("sample") for j in manifest["jobs"]}
    y = np.full(n, math.nan)
    done = jobs[jobs["status"] == "complete"]
    if outcome not in done.columns:
        return y
    values = pd.to_numeric(done[outcome], errors="coerce")
    samples = done["job"].map(sample_of)
    means = values.groupby(samples).mean()
    for sample, value in means.items():
        if sample is not None and not pd.isna(sample):
            y[int(sample)] = value
    return y


def point_spread(jobs: pd.DataFrame, manifest: dict[str, Any], outcome: str) \
        -> tuple[float, int]:
    """Seed noise of ``outcome``: the pooled standard deviation over the replications of each
    design point (NaN with fewer than two finished replications at every point), and the
    fewest replications a point with any had."""
    sample_of = {j["name"]: j.get("sample") for j in manifest["jobs"]}
    done = jobs[jobs["status"] == "complete"]
    if outcome not in done.columns:
        return math.nan, 0
    values = pd.to_numeric(done[outcome], errors="coerce")
    by_point = values.groupby(done["job"].map(sample_of))
    counts = by_point.count()
    variances = by_point.var(ddof=1)[counts >= 2].dropna()   # a spread needs two runs
    fewest = int(counts[counts > 0].min()) if (counts > 0).any() else 0
    if variances.empty:
        return math.nan, fewest
    pooled = float(((counts[variances.index] - 1) * variances).sum()
                   / (counts[variances.index] - 1).sum())
    return math.sqrt(pooled), fewest


def noise_mu_star(spread: float, replications: int, levels: int) -> float:
    """The mu* seed noise alone gives a Morris analysis of point means: an elementary effect
    is the difference of two point means, each over ``replications`` runs with noise of
    standard deviation ``spread``, divided by the step (``levels / (2 (levels - 1))`` of the
    range); its noise is normal with standard deviation ``spread * sqrt(2 / replications) /
    step``, whose mean absolute value is that times ``sqrt(2 / pi)``."""
    if not math.isfinite(spread) or replications < 1:
        return math.nan
    step = levels / (2 * (levels - 1))
    return spread * math.sqrt(2 / replications) / step * math.sqrt(2 / math.pi)


def settings(manifest: dict[str, Any]) -> dict[str, Any]:
    """What the indices rest on, for the report's header: the method, trajectories (Morris)
    or the base sample (Sobol), levels, replications per point, confidence, resamples."""
    design = manifest["design"]
    return {"method": str(design["kind"]), "samples": int(design["samples"]),
            "levels": int(design.get("levels", 0)),
            "replications": int(manifest.get("replications", 1)),
            "confidence": float(design["confidence"]), "resamples": int(design["resamples"]),
            "parameters": len(design["keys"])}


#: Seed of the analyses' bootstrap resampling (their confidence intervals), as baimo-compare
#: has its own: the same sweep gives the same intervals each time it is aggregated. Not 0:
#: SALib's Sobol analysis reads 0 as no seed and resamples from NumPy's global generator,
#: so a Sobol sweep's intervals changed with every aggregation (0.952, 0.944, 0.933).
ANALYSIS_SEED = 20261206


def morris(design: dict[str, Any], x: np.ndarray, y: np.ndarray, seed: int) \
        -> tuple[dict[str, np.ndarray], int]:
    """SALib's Morris analysis over the trajectories whose every point has a value.

    Returns the indices and the number of trajectories used (0: nothing to analyse).
    """
    from SALib.analyze import morris as salib_morris

    k = len(design["keys"])
    size = k + 1
    whole = [t for t in range(len(y) // size) if np.isfinite(y[t * size:(t + 1) * size]).all()]
    if len(whole) < 2:
        return {}, len(whole)
    rows = np.concatenate([np.arange(t * size, (t + 1) * size) for t in whole])
    result = salib_morris.analyze(problem(design["keys"], design["bounds"]), x[rows], y[rows],
                                  num_resamples=int(design["resamples"]),
                                  conf_level=float(design["confidence"]),
                                  num_levels=int(design["levels"]), seed=seed)
    return {k_: np.asarray(result[k_], dtype=float)
            for k_ in ("mu_star", "mu_star_conf", "mu", "sigma")}, len(whole)


def sobol(design: dict[str, Any], y: np.ndarray, seed: int) -> tuple[dict[str, np.ndarray], int]:
    """SALib's Sobol analysis (Saltelli's estimators); every point must have a value."""
    from SALib.analyze import sobol as salib_sobol

    if not np.isfinite(y).all():
        return {}, int(np.isfinite(y).sum())
    if not seed:
        raise ValueError("SALib's Sobol analysis takes a seed of 0 as none: give another")
    result = salib_sobol.analyze(problem(design["keys"], design["bounds"]), y,
                                 calc_second_order=bool(design["second_order"]),
                                 num_resamples=int(design["resamples"]),
                                 conf_level=float(design["confidence"]), seed=seed)
    return {k_: np.asarray(result[k_], dtype=float)
            for k_ in ("S1", "S1_conf", "ST", "ST_conf")}, len(y)


def competition_ranks(index: np.ndarray) -> np.ndarray:
    """Ranks by ``index``, largest first, equal indices sharing a rank (1, 2, 2, 4); NaN
    last. Until 2026-12-06 equal indices (two inert parameters, both at mu* 0) were ranked
    by the order of the design's keys, so one of them looked more influential."""
    values = np.nan_to_num(np.asarray(index, dtype=float), nan=-np.inf)
    return 1 + (values[None, :] > values[:, None]).sum(axis=1)


def outcomes_of(design: dict[str, Any], jobs: pd.DataFrame) -> list[str]:
    """The outcomes to analyse: the design's own, else the key outcomes present."""
    named = list(design.get("outcomes") or [])
    return named or [c for c in KEY_OUTCOMES if c in jobs.columns]


def analyse(manifest: dict[str, Any], jobs: pd.DataFrame,
            seed: int = ANALYSIS_SEED) -> Sensitivity:
    """Indices of every outcome of a Morris or Sobol sweep (one row per outcome x parameter)."""
    design = manifest["design"]
    method = str(design["kind"])
    keys = list(design["keys"])
    x = np.asarray(design["matrix"], dtype=float)
    rows: list[dict[str, Any]] = []
    skipped: dict[str, str] = {}
    outcomes = outcomes_of(design, jobs)
    for outcome in outcomes:
        if outcome not in jobs.columns:
            skipped[outcome] = "not a column of sweep.parquet"
            continue
        y = point_means(jobs, manifest, outcome)
        finite = y[np.isfinite(y)]
        if finite.size == 0 or np.ptp(finite) == 0:
            skipped[outcome] = "constant or missing at every finished point"
            continue
        if method == "morris":
            result, used = morris(design, x, y, seed)
            need = "two whole trajectories"
        else:
            result, used = sobol(design, y, seed)
            need = "every design point finished"
        if not result:
            skipped[outcome] = f"needs {need}; {used} available"
            continue
        index = result[RANK_INDEX[method]]
        top = float(np.nanmax(index)) if np.isfinite(index).any() else math.nan
        ranks = competition_ranks(index)
        noise = math.nan
        if method == "morris":
            spread, replications = point_spread(jobs, manifest, outcome)
            noise = noise_mu_star(spread, replications, int(design["levels"]))
        for i, key in enumerate(keys):
            row: dict[str, Any] = {"method": method, "outcome": outcome, "parameter": key,
                                   "rank": int(ranks[i]), "points": int(used)}
            for col in COLUMNS[4:12]:
                row[col] = float(result[col][i]) if col in result else math.nan
            row["normalised"] = float(index[i] / top) if top and top > 0 else math.nan
            row["noise_mu_star"] = noise
            row["within_noise"] = bool(math.isfinite(noise)
                                       and not row["mu_star"] > NOISE_MULTIPLE * noise)
            rows.append(row)
    table = pd.DataFrame(rows, columns=COLUMNS)
    # The outcomes in the order the design names them (the report's sections, the
    # overview's columns), not alphabetically; within each, parameters by rank.
    position = {outcome: i for i, outcome in enumerate(outcomes)}
    table = table.sort_values(["outcome", "rank"], kind="stable", ignore_index=True,
                              key=lambda c: c.map(position) if c.name == "outcome" else c)
    return Sensitivity(method, table, skipped, float(design["confidence"]), settings(manifest))


def _fmt(value: float) -> str:
    if not math.isfinite(value):
        return "-"
    return f"{value:.3g}"


def _settings_lines(result: Sensitivity) -> list[str]:
    """The report's header: what the indices rest on, and warnings where it is too little
    to rest a finding on (few trajectories or a small Sobol sample; one replication a
    point, whose seed noise no index can be told apart from)."""
    st = result.settings
    if not st:
        return []
    morris = result.method == "morris"
    sample = (f"{st['samples']} trajectories of {st['parameters'] + 1} points, "
              f"{st['levels']} levels" if morris else
              f"a base sample of {st['samples']} (Saltelli)")
    lines = ["## How the indices were taken", "",
             f"- {result.method}: {sample}; {plural(st['replications'], 'replication')} at "
             "each point, the indices taken on the mean over them.",
             f"- {round(100 * st['confidence'])}% intervals from {st['resamples']:,} "
             "bootstrap resamples."]
    if morris and st["samples"] < MIN_TRAJECTORIES:
        lines.append(f"- **Few trajectories**: {st['samples']} (screening needs about "
                     f"{MIN_TRAJECTORIES}-20); each interval resamples {st['samples']} "
                     "elementary effects, and a level a parameter never took is not explored.")
    if not morris and st["samples"] < MIN_SOBOL_BASE:
        lines.append(f"- **Small sample**: a base of {st['samples']} (Sobol indices need a few "
                     f"hundred; below {MIN_SOBOL_BASE} they scatter widely). S1 above ST, ST "
                     "above 1 or a negative index is estimation error, not a finding.")
    if st["replications"] < 2:   # a spread needs two runs
        lines.append("- **One replication a point**: seed noise is inside every index and "
                     "cannot be measured; with replications=2 or more each Morris outcome "
                     "says which indices noise alone could give.")
    return [*lines, ""]


def report(result: Sensitivity, labels: dict[str, str] | None = None) -> str:
    """``sensitivity.md``: the overall ranking, then one ranked table per outcome."""
    labels = labels or KEY_OUTCOMES
    what = ("Morris screening: mu* is the mean absolute elementary effect (outcome units per "
            "full range of the parameter); sigma large against mu* means interactions or "
            "non-linearity" if result.method == "morris" else
            "Sobol indices: S1 the share of the outcome's variance a parameter explains alone, "
            "ST including its interactions")
    lines = [f"# Sensitivity ({result.method})", "", what + ".",
             "Intervals are bootstrap confidence intervals (+/- half-width).", "",
             *_settings_lines(result), "## Overall ranking", ""]
    if result.table.empty:   # e.g. a sweep aggregated before any trajectory finished
        lines.append("No outcome could be analysed yet: see *Not analysed* below.")
    else:
        lines += ["Mean of each outcome's index divided by that outcome's largest index.", "",
                  "| rank | parameter | mean normalised index | outcomes where it is top 3 |",
                  "|---|---|---|---|"]
    overall = result.overall()
    ranks = competition_ranks(overall["mean_normalised"].to_numpy(dtype=float))
    for rank, row in zip(ranks, overall.itertuples(index=False), strict=True):
        lines.append(f"| {rank} | {row.parameter} | {_fmt(row.mean_normalised)} | "
                     f"{row.outcomes_top3} |")
    for outcome, group in result.table.groupby("outcome", sort=False):
        lines += ["", f"## {labels.get(str(outcome), outcome)} (`{outcome}`)", "",
                  f"{int(group['points'].iloc[0])} "
                  f"{'trajectories' if result.method == 'morris' else 'points'} analysed.", ""]
        if result.method == "morris":
            noise = float(group["noise_mu_star"].iloc[0])
            if math.isfinite(noise):
                lines += [f"Seed noise: from the spread of the replications at each point, noise "
                          f"alone gives mu* {_fmt(noise)}; a mu* up to "
                          f"{_fmt(NOISE_MULTIPLE * noise)} ({NOISE_MULTIPLE:g} times that) is "
                          "not told apart from it (`within noise`).", ""]
            lines += ["| rank | parameter | mu* | +/- | mu | sigma | within noise |",
                      "|---|---|---|---|---|---|---|"]
            for r in group.itertuples(index=False):
                shown = ("-" if not math.isfinite(noise) else "yes" if r.within_noise else "no")
                lines.append(f"| {r.rank} | {r.parameter} | {_fmt(r.mu_star)} | "
                             f"{_fmt(r.mu_star_conf)} | {_fmt(r.mu)} | {_fmt(r.sigma)} | "
                             f"{shown} |")
        else:
            lines += ["| rank | parameter | ST | +/- | S1 | +/- |", "|---|---|---|---|---|---|"]
            for r in group.itertuples(index=False):
                lines.append(f"| {r.rank} | {r.parameter} | {_fmt(r.ST)} | {_fmt(r.ST_conf)} | "
                             f"{_fmt(r.S1)} | {_fmt(r.S1_conf)} |")
    if result.skipped:
        lines += ["", "## Not analysed", ""]
        lines += [f"- `{k}`: {v}" for k, v in result.skipped.items()]
    return "\n".join(lines) + "\n"


def write(result: Sensitivity, directory: Path) -> list[Path]:
    """Write the table and the report into the sweep directory; return the paths."""
    write_parquet(result.table, directory / SENSITIVITY_TABLE)
    write_text(report(result), directory / SENSITIVITY_REPORT)
    return [directory / SENSITIVITY_TABLE, directory / SENSITIVITY_REPORT]
