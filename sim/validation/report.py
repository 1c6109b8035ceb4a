"""Results of a validation: the facts table, the statics table, the cost checks, validation.md.

:func:`evaluate` measures every fact on every replication; the rest formats
what was measured (console table, markdown, JSON) and writes it with one plot
per fact (:mod:`sim.validation.plots`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.commands import plural
from sim.compare import MIN_EXACT_N, T_BELOW_N
from sim.outputs import markdown_table, write_json, write_parquet, write_text
from sim.sums import left_sum
from sim.validation.costs import CostCheck
from sim.validation.facts import FACTS, PASS_SHARE, Fact
from sim.validation.replicate import Replication
from sim.validation.statics import CONFIDENCE, Effect

REPORT = "validation.md"
RESULTS = "validation.json"
PER_REPLICATION = "facts_by_replication.parquet"
FACT_HEADERS = ("fact", "criterion", "median", "10-90% range", "share passing", "verdict")
STATIC_HEADERS = ("claim", "lever", "outcome", "baseline", "treatment",
                  f"effect [{CONFIDENCE:.0%} CI]", "pairs with expected sign", "verdict")
COST_HEADERS = ("cost", "source", "model", "target", "verdict")
PIPE_WIDTH = 220   # console width when output is not a terminal


@dataclass
class FactResult:
    """One fact measured over every replication."""

    fact: Fact
    values: dict[str, np.ndarray]
    passed: np.ndarray

    @property
    def share(self) -> float:
        """Share of replications meeting the criterion."""
        return float(self.passed.mean()) if self.passed.size else math.nan

    @property
    def ok(self) -> bool:
        """The fact holds in at least PASS_SHARE of the replications."""
        return self.share >= PASS_SHARE

    @property
    def verdict(self) -> str:
        """PASS or FAIL."""
        return "PASS" if self.ok else "FAIL"


def evaluate(reps: Sequence[Replication], facts: Sequence[Fact] = FACTS) -> list[FactResult]:
    """Measure every fact on every replication."""
    out = []
    for fact in facts:
        ms = [fact.measure(r) for r in reps]
        names = list(ms[0].values) if ms else []
        values = {k: np.array([m.values[k] for m in ms], dtype=float) for k in names}
        out.append(FactResult(fact, values, np.array([m.passed for m in ms], dtype=bool)))
    return out


# ------------------------------------------------------------------ formatting
def fmt(x: float) -> str:
    """A measured number, compactly (shares as shares, counts as counts)."""
    if x is None or not math.isfinite(x):
        return "n/a"
    if abs(x) < 1 and x != 0:
        return f"{x:.3f}"
    if abs(x - round(x)) < 1e-9 or abs(x) >= 100:
        return f"{x:,.0f}"
    return f"{x:.1f}"


def _quantiles(v: np.ndarray) -> tuple[float, float, float]:
    v = v[np.isfinite(v)]
    if not v.size:
        return math.nan, math.nan, math.nan
    return float(np.median(v)), float(np.quantile(v, 0.1)), float(np.quantile(v, 0.9))


def fact_rows(results: Sequence[FactResult]) -> list[tuple[str, ...]]:
    """Rows of the facts table (one per fact; several measured numbers joined by '; ')."""
    rows: list[tuple[str, ...]] = []
    for r in results:
        medians, ranges = [], []
        for name, v in r.values.items():
            med, lo, hi = _quantiles(v)
            medians.append(f"{name}: {fmt(med)}")
            ranges.append(f"{fmt(lo)}-{fmt(hi)}")
        rows.append((r.fact.title, r.fact.criterion, "; ".join(medians), "; ".join(ranges),
                     f"{r.share:.0%} of {r.passed.size}", r.verdict))
    return rows


def _signed(x: float) -> str:
    return "n/a" if not math.isfinite(x) else ("+" if x >= 0 else "") + fmt(x)


def static_rows(effects: Sequence[Effect]) -> list[tuple[str, ...]]:
    """Rows of the comparative-statics table."""
    return [(e.claim.title, e.lever, e.outcome.label, fmt(e.baseline_mean),
             fmt(e.treatment_mean),
             f"{_signed(e.mean_diff)} [{_signed(e.ci_low)}, {_signed(e.ci_high)}]",
             _share_of(e.share_expected_sign, e.replications), e.verdict) for e in effects]


def _share_of(share: float, replications: int) -> str:
    """'60% of 10'; 'n/a of 10' where no sign is predicted (a channel)."""
    return f"{share:.0%} of {replications}" if math.isfinite(share) else f"n/a of {replications}"


def cost_rows(checks: Sequence[CostCheck]) -> list[tuple[str, ...]]:
    """Rows of the cost table."""
    return [(c.name, c.source, c.model, c.target, "PASS" if c.ok else "FAIL") for c in checks]


def print_table(title: str, headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """Print a table to the console (rich, wrapped to the terminal)."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, show_lines=True)
    for h in headers:
        table.add_column(h, overflow="fold")
    for row in rows:
        table.add_row(*[str(x) for x in row])
    console = Console()
    if not console.is_terminal:   # a pipe or a log: do not squeeze the table into 80 columns
        console = Console(width=PIPE_WIDTH)
    console.print(table)


# ------------------------------------------------------------------ the report
@dataclass
class Validation:
    """Everything one ``baimo-validate`` measured."""

    facts: list[FactResult]
    effects: list[Effect]
    costs: list[CostCheck]
    meta: dict[str, Any]

    @property
    def facts_ok(self) -> bool:
        """Every fact passes."""
        return all(r.ok for r in self.facts)

    @property
    def wrong_signs(self) -> list[Effect]:
        """Effects whose CI lies entirely on the wrong side of zero."""
        return [e for e in self.effects if e.wrong_sign]

    @property
    def undecided(self) -> list[Effect]:
        """Effects with too few pairs for a verdict (neither expected nor wrong sign)."""
        return [e for e in self.effects if e.undecided]

    @property
    def ok(self) -> bool:
        """Facts pass, costs match, and no claim comes out with a clearly wrong sign."""
        return self.facts_ok and all(c.ok for c in self.costs) and not self.wrong_signs


def render(v: Validation, plot_files: dict[str, str]) -> str:
    """validation.md."""
    m = v.meta
    passed = left_sum(r.ok for r in v.facts)
    lines = [
        "# baimo validation",
        "",
        f"Baseline: {plural(m['replications'], 'replication')} of {m['horizon_months']} months "
        f"(seeds spawned from base seed {m['seed']} by `sim.rng.replication_seeds`), "
        f"config hash `{m['config_hash'][:12]}`, overrides: {m['overrides'] or 'none'}. "
        f"Run {m['started']} in {m['seconds']:.0f} s on "
        f"{plural(m['jobs'], 'process', 'processes')}.",
        "",
        f"A fact passes when at least {PASS_SHARE:.0%} of the replications meet its criterion. "
        f"**{passed} of {len(v.facts)} facts pass.** The criteria's thresholds come from the "
        "sources (DOMAIN.md s4; seed files named in each statement); the model never reads them.",
        "",
        "## Stylized facts (DOMAIN.md s4)",
        "",
        markdown_table(FACT_HEADERS, fact_rows(v.facts)),
        "",
    ]
    for r in v.facts:
        lines += [f"### {r.fact.title}", "", f"Source: {r.fact.statement}.", "",
                  f"Criterion: {r.fact.criterion}. Passing: {r.share:.0%} -> **{r.verdict}**.", ""]
        if r.fact.key in plot_files:
            lines += [f"![{r.fact.title}]({plot_files[r.fact.key]})", ""]
    lines += ["## Comparative statics (DOMAIN.md s3)", ""]
    if v.effects:
        s = m.get("statics", {})
        lines += [
            "Each claim turns one lever against the baseline over "
            f"{plural(s['replications'], 'paired replication')} (replication k of both arms "
            "has the same seed), "
            f"{s.get('horizon_months')} months, {s.get('buyers')} buyers. Effect = mean of "
            f"treatment minus baseline, {CONFIDENCE:.0%} CI of that mean as baimo-compare "
            f"gives it: Student's t (paired, n-1 degrees of freedom) below {T_BELOW_N} pairs, "
            f"the bootstrap (BCa; percentile if BCa is undefined) from {T_BELOW_N} on. "
            "'expected sign' means the CI excludes zero on the predicted side; rows marked "
            "'channel' show what a claim's effect runs through, with no sign predicted. "
            "'TOO FEW PAIRS' gives no verdict, neither way: fewer than two pairs have no "
            "interval, and when every difference is the same the interval is that point, "
            f"judged only from {MIN_EXACT_N} pairs on.",
            "",
            markdown_table(STATIC_HEADERS, static_rows(v.effects)),
            "",
        ]
        for e in v.effects:
            if e.outcome is e.claim.outcomes[0]:
                lines += [f"- **{e.claim.title}**: {e.claim.statement}."]
        lines.append("")
        if v.wrong_signs:
            lines += ["**Wrong sign:** " + "; ".join(f"{e.claim.title} / {e.outcome.label}"
                                                     for e in v.wrong_signs), ""]
        if v.undecided:
            lines += [f"**No verdict (too few pairs):** {len(v.undecided)} of the predicted "
                      "effects.", ""]
    else:
        lines += ["Not run (`--no-statics`).", ""]
    lines += ["## Compute costs against the sources (DOMAIN.md s2)", "",
              markdown_table(COST_HEADERS, cost_rows(v.costs)), "",
              "Calibrated values and their reasons: docs/MODEL.md, section *Calibration*.", ""]
    return "\n".join(lines)


def results_json(v: Validation) -> dict[str, Any]:
    """The numbers of validation.md, for programs."""
    def q(a: np.ndarray) -> dict[str, float | None]:
        med, lo, hi = _quantiles(a)
        return {"median": _num(med), "p10": _num(lo), "p90": _num(hi)}

    return {
        "meta": v.meta,
        "ok": v.ok,
        "facts": [{"key": r.fact.key, "title": r.fact.title, "criterion": r.fact.criterion,
                   "share_passing": r.share, "verdict": r.verdict,
                   "values": {k: q(a) for k, a in r.values.items()}} for r in v.facts],
        "statics": [{"claim": e.claim.key, "outcome": e.outcome.key,
                     "expected_sign": e.outcome.expected_sign,
                     "baseline_mean": _num(e.baseline_mean),
                     "treatment_mean": _num(e.treatment_mean), "effect": _num(e.mean_diff),
                     "ci_low": _num(e.ci_low), "ci_high": _num(e.ci_high),
                     "interval": e.interval,
                     "share_expected_sign": _num(e.share_expected_sign),
                     "replications": e.replications, "verdict": e.verdict}
                    for e in v.effects],
        "costs": [{"name": c.name, "source": c.source, "model": c.model, "target": c.target,
                   "ok": c.ok} for c in v.costs],
    }


def _num(x: float) -> float | None:
    return float(x) if x is not None and math.isfinite(x) else None


def per_replication(v: Validation, seeds: Sequence[int]) -> pd.DataFrame:
    """One row per (replication, fact, measured number)."""
    rows = []
    for r in v.facts:
        for name, values in r.values.items():
            for k, (seed, x) in enumerate(zip(seeds, values, strict=True)):
                rows.append({"replication": k, "seed": int(seed), "fact": r.fact.key,
                             "measure": name, "value": float(x), "passed": bool(r.passed[k])})
    return pd.DataFrame(rows, columns=["replication", "seed", "fact", "measure", "value",
                                       "passed"])


def write(v: Validation, reps: Sequence[Replication], out_dir: Path) -> list[Path]:
    """validation.md, validation.json, the per-replication table and one plot per fact."""
    from sim.validation.plots import fact_figures, save

    out_dir.mkdir(parents=True, exist_ok=True)
    figures = fact_figures(v.facts, reps)
    plot_files = save(figures, out_dir / "plots")
    relative = {k: str(p.relative_to(out_dir)) for k, p in plot_files.items()}
    write_text(render(v, relative), out_dir / REPORT)
    write_json(results_json(v), out_dir / RESULTS)
    write_parquet(per_replication(v, [r.seed for r in reps]), out_dir / PER_REPLICATION)
    return [out_dir / REPORT, out_dir / RESULTS, out_dir / PER_REPLICATION,
            *plot_files.values()]
