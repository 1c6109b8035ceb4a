"""``baimo-validate``: does the baseline reproduce the sources' stylized facts?

    baimo-validate                                  # 20 replications, full horizon, statics
    baimo-validate --replications 4 --horizon 40    # a quick check
    baimo-validate --no-statics seed=7 startups.base_founding_rate=1.5

Runs the default configuration (plus any ``key=value`` overrides) for N seeded
replications in parallel processes, checks every stylized fact of DOMAIN.md s4
against its numeric criterion, runs the comparative statics of the causal
claims (DOMAIN.md s3) over paired seeds, checks the compute cost model against
the sources, prints the tables and writes ``validation.md``,
``validation.json``, a per-replication table and one plot per fact under
``<output root>/validate/<timestamp>/`` (output root: ``$BAIMO_OUTPUT_ROOT``
or ``./outputs``).

Exit status: 0 when every fact passes (>= 90% of replications), every cost
check passes and no claim's effect is significantly of the wrong sign (an
effect on too few pairs for an interval gets no verdict either way); 1
otherwise; 2 on bad input (one line, no traceback).
"""

from __future__ import annotations

import argparse
import datetime as dt
import shlex
import sys
import time
from typing import NoReturn

from sim import commands
from sim.commands import OneLineParser
from sim.config import ConfigError, value_problem
from sim.configuration import (
    compose,
    config_hash,
    dotted_indices,
    hydra_hint,
    hydra_override,
    override_key,
    run_control_override,
)
from sim.locations import expand_home
from sim.outputs import ensure_writable_root, fresh_dir, is_complete, writable_problem
from sim.rng import replication_seeds
from sim.sums import left_sum

EXIT_OK, EXIT_FAILED = 0, 1
DEFAULT_REPLICATIONS = 20
DEFAULT_STATICS_REPLICATIONS = 40   # 20 until 2026-12-04: claim 4 cleared 0 at some seeds only
DEFAULT_JOBS = 2
#: Upper limits of the options: beyond them a validation would run for days (a replication
#: of the baseline takes about 3 s of one core) or start more processes, each holding a
#: model, than any workstation has cores.
MAX_REPLICATIONS = 1000
MAX_JOBS = 64


def fail(message: str) -> NoReturn:
    """One line on stderr, exit code 2."""
    commands.fail("baimo-validate", message)


def parser() -> argparse.ArgumentParser:
    """Command-line options."""
    from sim.validation.facts import min_horizon

    p = OneLineParser(prog="baimo-validate",
                      description=commands.plain_text(__doc__).split("\n\n")[0],
                      formatter_class=argparse.RawDescriptionHelpFormatter)
    commands.add_version(p)
    p.add_argument("overrides", nargs="*", metavar="key=value",
                   help="config overrides applied to every replication (as for baimo)")
    p.add_argument("--replications", type=int, default=DEFAULT_REPLICATIONS,
                   help=f"seeded replications of the baseline (default {DEFAULT_REPLICATIONS})")
    p.add_argument("--horizon", type=int, default=None,
                   help=f"months to simulate, at least {min_horizon()} (the facts' measures "
                        "read that far; default: the config's horizon_months)")
    p.add_argument("--jobs", type=int, default=DEFAULT_JOBS,
                   help=f"worker processes (default {DEFAULT_JOBS})")
    p.add_argument("--statics-replications", type=int, default=DEFAULT_STATICS_REPLICATIONS,
                   help="paired replications per comparative-statics arm "
                        f"(default {DEFAULT_STATICS_REPLICATIONS})")
    p.add_argument("--no-statics", action="store_true", help="skip the comparative statics")
    p.add_argument("--out", type=commands.path_argument("the directory to write to, or no --out "
                                                        "for <output root>/validate/<timestamp>"),
                   default=None,
                   help="output directory (default <output root>/validate/<timestamp>)")
    return p


#: Progress lines a log (stderr not a terminal) gets per stage: about one per tenth done.
LOG_STEPS = 10


def _progress(label: str):  # noqa: ANN202 (a small closure)
    """Counts of finished runs on stderr: rewritten in place on a terminal; in a log (no
    terminal to go back on a line) a line about every tenth, where a carriage return
    strung 36 counts into one line."""
    terminal = sys.stderr.isatty()

    def report(done: int, total: int) -> None:
        if terminal:
            end = "\n" if done == total else "\r"
            print(f"  {label}: {done}/{total}", end=end, file=sys.stderr, flush=True)
        elif done == total or done % max(1, total // LOG_STEPS) == 0:
            print(f"  {label}: {done}/{total}", file=sys.stderr, flush=True)
    return report


@commands.console_command("baimo-validate")
def main(argv: list[str] | None = None) -> None:
    """Console entry point."""
    from sim.validation.costs import cost_checks
    from sim.validation.facts import horizon_problem
    from sim.validation.replicate import replicate
    from sim.validation.report import (
        COST_HEADERS,
        FACT_HEADERS,
        STATIC_HEADERS,
        Validation,
        cost_rows,
        evaluate,
        fact_rows,
        print_table,
        static_rows,
        write,
    )
    from sim.validation.statics import STATICS_BUYERS, STATICS_HORIZON_MONTHS, run_statics

    args = parser().parse_args(sys.argv[1:] if argv is None else argv)
    args.overrides = [dotted_indices(o) for o in args.overrides]   # a list's item: a.b[0].c
    for name, most in (("replications", MAX_REPLICATIONS), ("jobs", MAX_JOBS),
                       ("statics_replications", MAX_REPLICATIONS)):
        if not 1 <= getattr(args, name) <= most:
            fail(f"--{name.replace('_', '-')}={getattr(args, name)} is out of range; "
                 f"allowed 1 to {most}")
    bad = [o for o in args.overrides if "=" not in o or o.startswith("-")]
    if bad:
        fail(f"{bad[0]!r} is not an option or a key=value override")
    ignored = run_control_override(args.overrides)
    if ignored is not None:
        fail(f"{ignored}: baimo-validate does not read it; give --replications "
             f"{ignored.partition('=')[2]}" if override_key(ignored) == "replications" else
             f"{ignored}: a sweep's run-control key, which baimo-validate does not read; it "
             "takes --replications N, --jobs N and --horizon MONTHS")
    ignored = hydra_override(args.overrides)
    if ignored is not None:
        fail(f"{ignored}: Hydra's own setting, which baimo-validate does not read (it runs its "
             "replications itself); it takes --replications N, --jobs N and --horizon MONTHS")
    overrides = list(args.overrides)
    if args.horizon is not None:
        given = [o for o in overrides if override_key(o) == "horizon_months"]
        if given:   # --horizon won, unremarked
            fail(f"{given[0]} and --horizon {args.horizon}: give the horizon once")
        overrides.append(f"horizon_months={args.horizon}")
    problem = commands.group_choice_problem(overrides)   # Hydra's words name no group
    if problem is not None:
        fail(problem)
    root = ensure_writable_root()   # before composing, which asks for it (a ~nouser/x)
    try:
        cfg = compose(overrides)
    except ConfigError as exc:
        fail(str(exc))
        return
    except Exception as exc:  # Hydra's own override errors (unknown key, bad syntax)
        # a mistyped key or group option said as baimo and baimo-teach say it (did you
        # mean ...?), not Hydra's bare "Could not override 'fund.term_years'."
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        fail(hydra_hint(exc) or value_problem(exc)
             or commands.with_quoting_hint(first, overrides))
        return
    problem = horizon_problem(cfg.horizon_months, "baimo-validate checks")
    if problem is not None:
        fail(problem)
    out = expand_home(args.out, f"--out={args.out} cannot be written") if args.out else None
    out_problem = writable_problem(out) if out else None
    if out_problem:   # found now, not after an hour of simulating
        fail(f"--out={args.out} cannot be written: {out_problem}")
    if out is not None and is_complete(out):   # its files would land among a run's
        fail(f"--out={args.out} holds a finished run, which baimo-validate never writes "
             "into; give another directory")

    started = dt.datetime.now().isoformat(timespec="seconds")
    t0 = time.perf_counter()
    print(f"baimo-validate: {commands.plural(args.replications, 'replication')} x "
          f"{cfg.horizon_months} months on {commands.plural(args.jobs, 'process', 'processes')}",
          file=sys.stderr)
    # a safety limit passed (RunawayError) is one line from console_command
    reps = replicate(cfg, args.replications, args.jobs, _progress("baseline"))
    results = evaluate(reps)
    effects = []
    statics_meta: dict[str, int] = {}
    if not args.no_statics:
        horizon = min(STATICS_HORIZON_MONTHS, cfg.horizon_months)
        model_overrides = [o for o in args.overrides if not o.startswith("horizon_months=")]
        effects = run_statics(compose, model_overrides, args.statics_replications,
                              args.jobs, _progress("comparative statics"), horizon=horizon)
        statics_meta = {"replications": args.statics_replications,
                        "horizon_months": horizon, "buyers": STATICS_BUYERS}
    costs = cost_checks(cfg)
    meta = {"replications": args.replications, "horizon_months": cfg.horizon_months,
            "seed": cfg.seed, "seeds": replication_seeds(cfg.seed, args.replications),
            "config_hash": config_hash(cfg), "overrides": " ".join(args.overrides),
            "jobs": args.jobs, "started": started, "seconds": time.perf_counter() - t0,
            "statics": statics_meta}
    v = Validation(results, effects, costs, meta)
    # claimed now, when there is something to write: a failed or interrupted validation
    # leaves no empty directory (the start time is in validation.json)
    out = out or fresh_dir(root / "validate", root)
    written = write(v, reps, out)

    print_table("Stylized facts (DOMAIN.md s4)", FACT_HEADERS, fact_rows(results))
    if effects:
        print_table("Comparative statics (DOMAIN.md s3)", STATIC_HEADERS, static_rows(effects))
    print_table("Compute costs (DOMAIN.md s2)", COST_HEADERS, cost_rows(costs))
    passed = left_sum(r.ok for r in results)
    print(f"baimo-validate: {passed}/{len(results)} facts pass; wrote {shlex.quote(str(out))} "
          f"({len(written)} files) in {time.perf_counter() - t0:.0f} s")
    if v.wrong_signs:
        print("baimo-validate: wrong sign: " + "; ".join(
            f"{e.claim.title} / {e.outcome.label}" for e in v.wrong_signs))
    if v.undecided:
        print(f"baimo-validate: no verdict on {commands.plural(len(v.undecided), 'effect')}: "
              f"too few pairs (--statics-replications={args.statics_replications})")
    raise SystemExit(EXIT_OK if v.ok else EXIT_FAILED)


if __name__ == "__main__":
    main()
