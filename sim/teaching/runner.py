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
from sim.commands import OneLineError
from sim.config import BaimoConfig
from sim.configuration import compose, override_key
from sim.outputs import fresh_dir, output_root, write_json
from sim.parallel import process_pool
from sim.rng import replication_seeds
from sim.teaching.packs import Pack

MANIFEST = "teach.json"
REPORT = "report.html"
#: The names of a lesson's arms (its ``runs/<arm>/`` directories): the scenario, and the
#: comparison arm its differences are taken from (scenario minus baseline).
SCENARIO_ARM, BASELINE_ARM = "scenario", "baseline"
__all__ = ["MANIFEST", "REPORT", "fresh_dir", "output_root"]


class SameArmsError(OneLineError, ValueError):
    """Overrides that leave a lesson's two arms the same configuration (one line)."""


@dataclass
class ArmPlan:
    """One arm to run: its config and the overrides that made it."""

    name: str
    label: str
    overrides: list[str]
    config: BaimoConfig


def compared_overrides(pack: Pack, user_overrides: list[str]) -> list[str]:
    """The user's overrides that set a key the pack's comparison arm sets (that key, a
    part of it such as ``hype.shocks.2.size``, or a key holding it): they change the
    scenario arm only, as the comparison's own overrides come after them."""
    if pack.contrast is None:
        return []
    compared = {override_key(o) for o in pack.contrast.overrides}

    def related(key: str) -> bool:
        return any(key == k or key.startswith(k + ".") or k.startswith(key + ".")
                   for k in compared)

    return [o for o in user_overrides if related(override_key(o))]


def plan_arms(pack: Pack, user_overrides: list[str]) -> list[ArmPlan]:
    """The scenario arm and, if the pack compares, its baseline (ConfigError if invalid).

    A user's override applies to both arms, except a key the comparison arm sets: that
    changes the scenario only (a lesson's "things to try" do so: patient_capital's
    ``funds.term_years=5`` runs 5-year funds against the comparison's 3-year ones), and
    the scenario's label then says so ("..., changed by funds.term_years=5"), as the
    pack's label no longer describes it. SameArmsError when the overrides make the
    scenario the comparison's configuration (``funds.term_years=3``): two identical arms
    would show no difference, and the report would reveal answers as if they had differed.
    """
    scenario = [pack.experiment, *user_overrides]
    changed = compared_overrides(pack, user_overrides)
    label = pack.scenario_label
    if changed:
        label = f"{label}, changed by {' '.join(changed)}"
    arms = [ArmPlan(SCENARIO_ARM, label, scenario, compose(scenario))]
    if pack.contrast is not None:
        baseline = [*scenario, *pack.contrast.overrides]
        arms.append(ArmPlan(BASELINE_ARM, pack.contrast.label, baseline, compose(baseline)))
        if arms[1].config == arms[0].config:
            raise SameArmsError(same_arms_message(pack, changed))
    return arms


def same_arms_message(pack: Pack, changed: list[str]) -> str:
    """One line for overrides ``changed`` that leave the two arms of ``pack`` the same."""
    assert pack.contrast is not None
    given = " ".join(changed) if changed else "these overrides"
    keys = ", ".join(dict.fromkeys(override_key(o) for o in changed or pack.contrast.overrides))
    return (f"{given} makes lesson {pack.name}'s scenario the same as its comparison arm "
            f"({pack.contrast.label}), so both arms would run one world; give {keys} another "
            "value (it changes the scenario only: the comparison keeps its own), or run that "
            f"world alone with: baimo {' '.join([pack.experiment, *changed])}")


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
