"""Sweep throughput, serial vs joblib, and the per-job overhead over model time (ratios).

    python benchmarks/sweep.py            # 20 jobs: 5 settings x 4 replications, 24 months, x5
    python benchmarks/sweep.py --quick    # 2 x 2, 12 months, 200 buyers: a fast look
    python benchmarks/sweep.py --months 120   # the same 20 jobs at the experiment's own
                                              # ten years (about 1 s each): sweeps as run

(a) model time: every job's config simulated and written by ``sim.run.run``
    in this process, one after another (what the jobs must do anyway)
(b) the same jobs as a baimo sweep on Hydra's basic launcher (serial)
(c) the same jobs as a baimo sweep on the joblib launcher (one worker per core,
    forked from the sweep's process on Linux: ``sim.parallel``)
(d) the machine's ceiling: the jobs' model work alone, on as many warm worker
    processes as (c) has (no composing, no start-up, no sweep files)

Reported: jobs per second of (b) and (c), the joblib speed-up (b)/(c), the
ceiling (a)/(d) (below the core count when processes running at once slow
each other down: a shared or virtual machine) and how much of it (c) reaches,
and the sweep machinery's overhead per job over model time, (b)/(a) - 1 (Hydra
composing each job's config, logging, markers). Sweep plots are off; the
aggregation into sweep.parquet is timed separately and excluded from (b)/(c).
The machine's speed drifts (a shared virtual machine), so the cases run in
rounds, serial and joblib back to back and model and ceiling back to back;
besides the fastest of each, every round's own speed-up and ceiling are
summarised (median and range), which the drift between rounds does not bias.
Everything is written in a temporary directory.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from rich.console import Console

from sim.config import BaimoConfig
from sim.parallel import process_pool
from sim.run import run
from sim.sweep import aggregate
from sim.sweep.runner import run_sweep
from sim.sweep.spec import build, start_hydra

#: Months simulated by each of the benchmark's jobs: short, so that five rounds of all
#: four cases take a few minutes; the sweep's serial part (composing its jobs, about
#: 0.2 s) then weighs as much as it ever does (``--months`` for longer jobs).
JOB_MONTHS = 24


def sweep_command(quick: bool, months: int = JOB_MONTHS) -> list[str]:
    """The benchmark sweep: investor_patience, 20 jobs (issue 6) of ``months``, no plots."""
    if quick:
        return ["+experiment=investor_patience", "funds.term_years=3,10", "replications=2",
                "horizon_months=12", "buyers.count=200", "sweep_plots=false"]
    return ["+experiment=investor_patience", "funds.term_years=3,4,5,7,10", "replications=4",
            f"horizon_months={months}", "sweep_plots=false"]


def model_seconds(command: list[str], scratch: Path) -> tuple[float, int]:
    """(a): simulate and write every job's config in this process; (seconds, jobs)."""
    spec = build(start_hydra(), command)
    first = spec.jobs[0]   # warm-up, untimed: imports and first-call costs the sweeps also paid
    run(spec.configs[first.name], scratch / "warm" / first.name, plots=False)
    tic = time.perf_counter()
    for job in spec.jobs:
        run(spec.configs[job.name], scratch / "direct" / job.name, plots=False)
    return time.perf_counter() - tic, len(spec.jobs)


def run_job(config: BaimoConfig, run_dir: Path) -> None:
    """One job's model work in a worker (its tables stay there: they hold the model)."""
    run(config, run_dir, plots=False)


def pool_seconds(command: list[str], scratch: Path) -> tuple[float, int]:
    """(d): the jobs' model work on warm workers, nothing else; (seconds, workers)."""
    spec = build(start_hydra(), command)
    first = spec.configs[spec.jobs[0].name]
    with process_pool(spec.workers) as pool:
        # warm-up, untimed: each worker starts and runs the first job once
        list(pool.map(run_job, [first] * spec.workers,
                      [scratch / "warm" / str(k) for k in range(spec.workers)]))
        tic = time.perf_counter()
        list(pool.map(run_job, [spec.configs[job.name] for job in spec.jobs],
                      [scratch / "pool" / job.name for job in spec.jobs]))
        seconds = time.perf_counter() - tic
    return seconds, spec.workers


def sweep_seconds(command: list[str], directory: Path) -> tuple[float, float]:
    """(sweep wall time without aggregation, aggregation time) of one launcher."""
    tic = time.perf_counter()
    code = run_sweep(start_hydra(), [*command, f"sweep_dir={directory}"],
                     Console(file=io.StringIO()))
    total = time.perf_counter() - tic
    if code != 0:
        raise SystemExit(f"benchmark sweep failed (exit {code}); see {directory}")
    tic = time.perf_counter()
    aggregate(directory, plots=False)
    return total - (time.perf_counter() - tic), time.perf_counter() - tic


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny jobs for a fast look")
    parser.add_argument("--repeats", type=int, default=5,
                        help="rounds of all four cases; the fastest of each counts, and "
                             "each round's own ratios are summarised")
    parser.add_argument("--months", type=int, default=JOB_MONTHS,
                        help=f"months each job simulates (default {JOB_MONTHS}; the "
                             "experiment's own is 120)")
    args = parser.parse_args()
    command = sweep_command(args.quick, args.months)
    scratch = Path(tempfile.mkdtemp(prefix="baimo-bench-sweep-"))
    os.environ["BAIMO_OUTPUT_ROOT"] = str(scratch / "outputs")
    try:   # rounds of the four cases, each pair back to back: the machine's speed drifts
        models, serials, parallels, pools = [], [], [], []
        for k in range(args.repeats):
            serial, agg = sweep_seconds([*command, "hydra/launcher=basic"],
                                        scratch / f"serial{k}")
            serials.append(serial)   # each joblib sweep starts its own workers, as baimo does
            parallels.append(sweep_seconds(command, scratch / f"joblib{k}")[0])
            model, jobs = model_seconds(command, scratch / f"model{k}")
            models.append(model)
            pool, workers = pool_seconds(command, scratch / f"pool{k}")
            pools.append(pool)
        model, serial, parallel = min(models), min(serials), min(parallels)
        pool = min(pools)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    cores = os.cpu_count() or 1
    speedups = [s / p for s, p in zip(serials, parallels, strict=True)]
    ceilings = [m / p for m, p in zip(models, pools, strict=True)]
    print(f"sweep: {' '.join(command)}")
    print(f"jobs: {jobs}; cores: {cores}; fastest of {args.repeats} rounds of each case")
    print(f"(a) model time per job            {model / jobs:6.2f} s")
    print(f"(b) serial sweep throughput       {jobs / serial:6.2f} jobs/s")
    print(f"(c) joblib sweep throughput       {jobs / parallel:6.2f} jobs/s")
    print(f"joblib speed-up (b)/(c)           {serial / parallel:6.2f}x on {cores} cores")
    print(f"(d) ceiling (a)/(d), {workers} warm workers {model / pool:6.2f}x "
          f"(the speed-up reaches {serial / parallel / (model / pool):.0%} of it)")
    print(f"sweep overhead per job (b)/(a)-1  {serial / model - 1:6.0%} of model time")
    print(f"aggregation (sweep.parquet)       {agg / model:6.0%} of total model time")
    print(f"per round (back-to-back pairs):   speed-up {_spread(speedups)}; "
          f"ceiling {_spread(ceilings)}")


def _spread(values: list[float]) -> str:
    """Median and range of per-round ratios, e.g. ``1.80x (1.74-1.86)``."""
    return f"{statistics.median(values):.2f}x ({min(values):.2f}-{max(values):.2f})"


if __name__ == "__main__":
    main()
