"""Model speed, measured against a bare SimPy loop in the same process (ratios, not seconds).

    python benchmarks/baseline.py            # baseline and 100k buyers
    python benchmarks/baseline.py --quick    # 36-month horizon, for a fast look

(a) a bare SimPy loop of 1e6 timeouts (the reference: SimPy's own limit)
(b) the default baseline (5,000 buyers)
(c) the baseline with 100,000 buyers (one NumPy population, one process)
Peak memory of (c) is reported from tracemalloc.
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
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


def model(overrides: list[str]) -> Callable[[], None]:
    """A callable that builds and runs the model (config composed beforehand)."""
    cfg = compose(overrides)
    return lambda: MarketModel(cfg).run() and None


def timed(fn: Callable[[], None]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="36-month horizon")
    args = parser.parse_args()
    extra = ["horizon_months=36"] if args.quick else []
    ref = timed(bare_simpy)
    base = timed(model(extra))
    big = model([*extra, "buyers.count=100000"])
    tracemalloc.start()
    t_big = timed(big)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    print(f"(a) bare SimPy, 1e6 timeouts      {ref:7.2f} s   1.00 x")
    print(f"(b) baseline, 5,000 buyers          {base:7.2f} s   {base / ref:5.2f} x (a)")
    print(f"(c) baseline, 100,000 buyers        {t_big:7.2f} s   {t_big / ref:5.2f} x (a)"
          f"   {t_big / base:5.2f} x (b)   peak traced memory {peak:.0f} MiB")


if __name__ == "__main__":
    main()
