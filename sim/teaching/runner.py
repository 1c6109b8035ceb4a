"""Run a lesson pack: its arms x replications, in parallel, into one directory.

Layout of ``<outputs>/teach/<pack>/<timestamp>/``::

    teach.json                 what was run: pack, overrides, arms, seeds, timings
    runs/<arm>/rep-<k>/        one run directory each (the output contract, no per-run plots)
    report.html                the lesson report (written last)

Replication k of every arm uses the same seed (``sim.rng.replication_seeds``), so
the comparison between arms is paired (common random numbers).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sim import __version__
from sim.config import BaimoConfig
from sim.configuration import compose
from sim.outputs import fresh_dir, output_root, write_json
from sim.parallel import process_pool
from sim.rng import replication_seeds
from sim.teaching.packs import Pack

MANIFEST = "teach.json"
REPORT = "report.html"
__all__ = ["MANIFEST", "REPORT", "fresh_dir", "output_root"]


@dataclass
class ArmPlan:
    """One arm to run: its config and the overrides that made it."""

    name: str
    label: str
    overrides: list[str]
    config: BaimoConfig


def plan_arms(pack: Pack, user_overrides: list[str]) -> list[ArmPlan]:
    """The scenario arm and, if the pack compares, its baseline (ConfigError if invalid)."""
    scenario = [pack.experiment, *user_overrides]
    arms = [ArmPlan("scenario", pack.scenario_label, scenario, compose(scenario))]
    if pack.contrast is not None:
        baseline = [*scenario, *pack.contrast.overrides]
        arms.append(ArmPlan("baseline", pack.contrast.label, baseline, compose(baseline)))
    return arms


def _simulate_into(cfg: BaimoConfig, run_dir: str) -> float:
    """Worker: simulate one replication and write its run directory; return seconds."""
    from sim.run import run

    t0 = time.perf_counter()
    run(cfg, Path(run_dir), plots=False)
    return time.perf_counter() - t0


@dataclass
class TeachResult:
    """Where a pack's outputs went and how long it took."""

    directory: Path
    report: Path
    seconds: float
    run_seconds: float


def run_pack(pack: Pack, arms: list[ArmPlan], replications: int, workers: int,
             out_dir: Path, say: Callable[[str], None] = print) -> TeachResult:
    """Run every arm x replication, write the manifest and the report."""
    t0 = time.perf_counter()
    seeds = replication_seeds(arms[0].config.seed, replications)
    jobs: list[tuple[BaimoConfig, str]] = []
    manifest_arms = []
    for arm in arms:
        paths = []
        for k, seed in enumerate(seeds):
            rel = f"runs/{arm.name}/rep-{k}"
            jobs.append((dataclasses.replace(arm.config, seed=seed), str(out_dir / rel)))
            paths.append(rel)
        manifest_arms.append({"name": arm.name, "label": arm.label, "overrides": arm.overrides,
                              "runs": paths, "seeds": seeds})
    manifest = {"pack": pack.name, "title": pack.title, "question": pack.question,
                "baimo_version": __version__, "base_seed": arms[0].config.seed,
                "replications": replications, "arms": manifest_arms, "status": "running",
                "created": dt.datetime.now().isoformat(timespec="seconds")}
    write_json(manifest, out_dir / MANIFEST)
    def counted(n: int, word: str) -> str:
        return f"{n} {word}{'' if n == 1 else 's'}"

    say(f"running {counted(len(jobs), 'simulation')} ({counted(len(arms), 'arm')} x "
        f"{counted(replications, 'replication')}, {arms[0].config.horizon_months} months) "
        f"on {counted(min(workers, len(jobs)), 'worker')} ...")
    t_runs = time.perf_counter()
    if workers <= 1 or len(jobs) == 1:
        times = [_simulate_into(cfg, path) for cfg, path in jobs]
    else:
        with process_pool(min(workers, len(jobs))) as ex:
            times = list(ex.map(_simulate_into, *zip(*jobs, strict=True)))
    run_seconds = time.perf_counter() - t_runs
    manifest.update(status="complete", simulation_seconds=round(run_seconds, 2),
                    seconds_per_run=[round(t, 2) for t in times])
    write_json(manifest, out_dir / MANIFEST)
    from sim.report import build_report, load_source

    say("building the report ...")
    report = build_report(load_source(out_dir), out_dir / REPORT)
    return TeachResult(out_dir, report, time.perf_counter() - t0, run_seconds)
