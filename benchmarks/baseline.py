"""Model speed, measured against a bare SimPy loop in the same process (ratios, not seconds).

    python benchmarks/baseline.py            # baseline and 100k buyers
    python benchmarks/baseline.py --quick    # 36-month horizon, for a fast look

(a) a bare SimPy loop of 1e6 timeouts (the reference: SimPy's own limit)
(b) the default baseline (5,000 buyers)
(c) the baseline with 100,000 buyers (one NumPy population, one process)
(c0) (c) with no startups founded: what is left of (c) without the startups'
    monthly decisions (giants, funds, buyers, markets), a floor for any speed-up of
    the firm side (buyers then choose among the giants' offers only)
(d) the baseline with its founding rate scaled to ~1,000 startup entrants
(e) the naive design of (c): one SimPy process per buyer making the same
    decisions one buyer at a time (benchmarks/naive_buyers.py). Too slow to run
    for the whole horizon, it runs for the first ``--naive-months`` (12) months
    beside the vectorised model over the same months; the naive buyers' extra
    time is extrapolated linearly to the horizon and added to (c):
        (e) = (c) + (naive - vectorised over the short horizon) * horizon / short.
    Adoption, and with it the per-buyer work, keeps growing after the first
    months, so this underestimates (e): the (c)/(e) speed-up is a lower bound.
Peak memory of (c) is the peak RSS of a fresh process running it: the model alone, and
the whole run as ``baimo buyers.count=100000`` makes it (model, tables, files, plots).

Every case counts the fastest of ``--repeats`` runs (3), as ``timeit`` does: the
machine's other work only ever adds time, so the fastest run is the least disturbed,
and the ratios compare like with like.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections.abc import Callable

import simpy
from naive_buyers import naive_model

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


#: Run in a fresh process: the model once (``model``) or the whole run into a scratch
#: directory (``run``), then the process's own peak resident memory in KiB. On
#: Linux that is VmHWM, the high-water mark of the process's own memory: ``ru_maxrss``
#: also counts what the process held before it exec'd Python, a copy of this benchmark,
#: hundreds of MiB by the time (c) is measured.
PEAK_RSS_CODE = """
import resource, sys, tempfile
from pathlib import Path
from sim.configuration import compose
cfg = compose(sys.argv[2:])
if sys.argv[1] == "run":
    from sim.run import run
    with tempfile.TemporaryDirectory() as scratch:
        run(cfg, Path(scratch))
else:
    from sim.model import MarketModel
    MarketModel(cfg).run()
try:
    with open("/proc/self/status") as status:
        print(next(line.split()[1] for line in status if line.startswith("VmHWM:")))
except OSError:
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)   # KiB on Linux, bytes on macOS
"""


def peak_rss_mib(overrides: list[str], whole_run: bool = False) -> float:
    """Peak resident memory of a fresh process that runs the model once, or the whole run
    with its outputs (MiB)."""
    mode = "run" if whole_run else "model"
    out = subprocess.run([sys.executable, "-c", PEAK_RSS_CODE, mode, *overrides],
                         capture_output=True, text=True, check=True)
    return int(out.stdout.split()[-1]) / 1024


def founded(
    overrides: list[str], make: Callable[..., MarketModel] = MarketModel, repeats: int = 1
) -> tuple[float, int]:
    """Run time (building and running the model; the fastest of ``repeats`` runs) and the
    number of startups founded."""
    cfg = compose(overrides)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        model = make(cfg)
        model.run()
        times.append(time.perf_counter() - start)
    return min(times), len(model.startups)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="36-month horizon")
    parser.add_argument("--naive-months", type=int, default=12,
                        help="horizon over which the naive design (e) is timed")
    parser.add_argument("--repeats", type=int, default=3,
                        help="runs of each case (a)-(d); the fastest counts")
    args = parser.parse_args()
    n = max(args.repeats, 1)
    extra = ["horizon_months=36"] if args.quick else []
    horizon = compose(extra).horizon_months
    ref = min(timed(bare_simpy) for _ in range(n))
    base, entrants = founded(extra, repeats=n)
    big = ["buyers.count=100000", *extra]
    t_big, _ = founded(big, repeats=n)
    peak, peak_run = peak_rss_mib(big), peak_rss_mib(big, whole_run=True)
    t_floor, _ = founded([*big, "startups.base_founding_rate=0"], repeats=n)
    rate = compose(extra).startups.base_founding_rate * 1000 / max(entrants, 1)
    t_many, many = founded([*extra, f"startups.base_founding_rate={rate:.4f}"], repeats=n)
    short = [*big, f"horizon_months={min(args.naive_months, horizon)}"]
    t_naive_short, _ = founded(short, naive_model)
    t_vector_short, _ = founded(short)
    scale = horizon / min(args.naive_months, horizon)
    t_naive = t_big + (t_naive_short - t_vector_short) * scale
    print(f"(a) bare SimPy, 1e6 timeouts          {ref:7.2f} s   1.00 x")
    print(f"(b) baseline, 5,000 buyers            {base:7.2f} s   {base / ref:5.2f} x (a)"
          f"   ({entrants} startups founded)")
    print(f"(c) baseline, 100,000 buyers          {t_big:7.2f} s   {t_big / ref:5.2f} x (a)"
          f"   {t_big / base:5.2f} x (b)")
    print(f"    peak memory {peak:.0f} MiB (model), {peak_run:.0f} MiB (whole run: tables,"
          " files, plots)")
    print(f"(c0) (c) without startups             {t_floor:7.2f} s   {t_floor / ref:5.2f} x (a)"
          f"   ({t_big - t_floor:.2f} s of (c) is the startups)")
    print(f"(d) baseline, ~1,000 entrants         {t_many:7.2f} s   {t_many / ref:5.2f} x (a)"
          f"   ({many} founded)")
    print(f"(e) one process per buyer (estimate) {t_naive:7.2f} s   {t_naive / ref:5.2f} x (a)"
          f"   (c) is {t_naive / t_big:.1f} x faster")
    print(f"    estimated as (c) + ({t_naive_short:.2f} s naive - {t_vector_short:.2f} s vectorised"
          f" over {min(args.naive_months, horizon)} months) x {scale:g}: a lower bound")
    print("(f) sweep throughput serial vs joblib: python benchmarks/sweep.py")


if __name__ == "__main__":
    main()
