"""Model speed, measured against a bare SimPy loop in the same process (ratios, not seconds).

    python benchmarks/baseline.py            # baseline and 100k buyers
    python benchmarks/baseline.py --quick    # 36-month horizon, for a fast look

(a) a bare SimPy loop of 1e6 timeouts (the reference: SimPy's own limit)
(b) the default baseline (5,000 buyers)
(c) the baseline with 100,000 buyers (one NumPy population, one process)
(d) the baseline with its founding rate scaled to ~1,000 startup entrants
(e) 100,000 SimPy processes, one per buyer, waking monthly: the naive design's
    scheduling cost alone, a lower bound on its run time
Peak memory of (c) is the peak RSS of a fresh process running it.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections.abc import Callable

import simpy

from sim.configuration import compose
from sim.model import MarketModel


def bare_simpy(n: int = 1_000_000) -> None:
    """One process yielding ``n`` timeouts."""
    env = simpy.Environment()

    def tick():
        for _ in range(n):
            yield env.timeout(1)

    env.process(tick())
    env.run()


def timed(fn: Callable[[], None]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def naive_buyer_scheduling(buyers: int, months: int) -> None:
    """One SimPy process per buyer waking every month and doing nothing else.

    The scheduling cost alone of the naive design (one process per buyer): a
    lower bound on its run time, since the real per-buyer decisions come on top.
    """
    env = simpy.Environment()

    def buyer():
        for _ in range(months):
            yield env.timeout(1)

    for _ in range(buyers):
        env.process(buyer())
    env.run()


def peak_rss_mib(overrides: list[str]) -> float:
    """Peak resident memory of a fresh process that runs the model once (MiB)."""
    code = ("import resource, sys; from sim.configuration import compose; "
            "from sim.model import MarketModel; MarketModel(compose(sys.argv[1:])).run(); "
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", code, *overrides], capture_output=True,
                         text=True, check=True)
    return int(out.stdout.split()[-1]) / 1024  # ru_maxrss is in KiB on Linux


def founded(overrides: list[str]) -> tuple[float, int]:
    """Run time and number of startups founded."""
    cfg = compose(overrides)
    start = time.perf_counter()
    model = MarketModel(cfg)
    model.run()
    return time.perf_counter() - start, len(model.startups)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="36-month horizon")
    args = parser.parse_args()
    extra = ["horizon_months=36"] if args.quick else []
    horizon = compose(extra).horizon_months
    ref = timed(bare_simpy)
    base, entrants = founded(extra)
    big = ["buyers.count=100000", *extra]
    t_big, _ = founded(big)
    peak = peak_rss_mib(big)
    rate = compose(extra).startups.base_founding_rate * 1000 / max(entrants, 1)
    t_many, many = founded([*extra, f"startups.base_founding_rate={rate:.4f}"])
    t_naive = timed(lambda: naive_buyer_scheduling(100_000, horizon))
    print(f"(a) bare SimPy, 1e6 timeouts          {ref:7.2f} s   1.00 x")
    print(f"(b) baseline, 5,000 buyers            {base:7.2f} s   {base / ref:5.2f} x (a)"
          f"   ({entrants} startups founded)")
    print(f"(c) baseline, 100,000 buyers          {t_big:7.2f} s   {t_big / ref:5.2f} x (a)"
          f"   {t_big / base:5.2f} x (b)   peak memory {peak:.0f} MiB")
    print(f"(d) baseline, ~1,000 entrants         {t_many:7.2f} s   {t_many / ref:5.2f} x (a)"
          f"   ({many} founded)")
    print(f"(e) one process per buyer, scheduling {t_naive:7.2f} s   {t_naive / ref:5.2f} x (a)"
          f"   lower bound of the naive design; (c) / (e) <= {t_big / t_naive:.2f}")
    print("(f) sweep throughput serial vs joblib: python benchmarks/sweep.py")


if __name__ == "__main__":
    main()
