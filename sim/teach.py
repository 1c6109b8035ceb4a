"""``baimo-teach``: ready lessons on the hundred-model war.

    baimo-teach                                  # list the lessons and their questions
    baimo-teach patient_capital                  # run one: replications, report
    baimo-teach patient_capital funds.term_years=7 replications=5 workers=1

A lesson (``experiments/teaching/NAME.yaml`` + ``NAME.md``) asks one question.
Before running, the command prints the predict-first questions; students
choose an answer, then the lesson runs its scenario (and, where the lesson
compares, the baseline with the same seeds) and writes a self-contained HTML
report under ``<outputs>/teach/NAME/<timestamp>/`` whose last section reveals
what the runs showed. Overrides ``key=value`` change both arms, except a key the
comparison sets: that changes the scenario only (the baseline keeps its own value,
and the scenario's label names the override), and an override that would make the
scenario the same as the baseline is refused. ``replications=N`` and ``workers=N``
set how many replications and parallel processes. Bad input: one line, exit 2.
"""

from __future__ import annotations

import os
import shlex
import sys
import textwrap
from typing import NoReturn

from sim import commands
from sim.teaching.packs import MAX_REPLICATIONS, Pack, list_packs, load_pack

DEFAULT_WORKERS = 2
MAX_WORKERS = 16
PROG = "baimo-teach"


def fail(message: str) -> NoReturn:
    """One line to stderr, exit code 2."""
    commands.fail(PROG, message)


def listing() -> str:
    """The lessons with their questions."""
    packs = list_packs()
    if not packs:
        return "no lessons found in experiments/teaching/\n"
    width = max(len(n) for n, _ in packs)
    lines = ["Lessons (run one with: baimo-teach NAME):", ""]
    lines += [f"  {n.ljust(width)}  {q}" for n, q in packs]
    return "\n".join(lines) + "\n"


def _int_option(key: str, text: str, lo: int, hi: int) -> int:
    try:
        value = int(text)
    except ValueError:
        value = lo - 1
    if not lo <= value <= hi:
        fail(f"{key}={text!r} is not allowed; give a whole number from {lo} to {hi}")
    return value


def split_arguments(args: list[str], pack: Pack) -> tuple[list[str], int, int]:
    """(model overrides, replications, workers) from the command line."""
    overrides: list[str] = []
    replications = pack.replications
    workers = DEFAULT_WORKERS
    for arg in args:
        key, eq, value = arg.partition("=")
        if key.lstrip("+~").partition("@")[0] == "experiment":
            # Hydra would run that experiment in the lesson's place (experiment=X) or say
            # "Multiple values for experiment" (+experiment=X).
            fail(f"{arg}: a lesson runs its own experiment ({pack.experiment.lstrip('+')}); "
                 "change its keys instead (e.g. funds.term_years=7), or run an experiment "
                 "with: baimo +experiment=NAME")
        if not eq or not key:
            fail(f"{arg!r} is not an override; write key=value (e.g. funds.term_years=7)")
        if key == "replications":
            replications = _int_option(key, value, 1, MAX_REPLICATIONS)
        elif key == "workers":
            workers = _int_option(key, value, 1, MAX_WORKERS)
        else:
            overrides.append(arg)
    return overrides, replications, workers


def predict_first(pack: Pack) -> str:
    """The lesson's question and predict-first questions, for the terminal."""
    lines = [pack.title, "", f"Question: {pack.question}", "",
             "Predict first (write your answers down; the report reveals what the runs show):"]
    for i, pred in enumerate(pack.predictions, 1):
        lines += textwrap.wrap(f"{i}. {pred.ask}", 96, subsequent_indent="   ")
        lines += [f"   {chr(65 + j)}) {o.text}" for j, o in enumerate(pred.options)]
    return "\n".join(lines) + "\n"


def run_lesson(name: str, args: list[str]) -> None:
    """Load, plan, run and report one lesson."""
    from sim.teaching.runner import fresh_dir, output_root, plan_arms, run_pack

    output_root()   # one line for a root with no home directory (~nouser/x), before Hydra's
    pack = load_pack(name)
    overrides, replications, workers = split_arguments(args, pack)
    from sim.configuration import hydra_override, run_control_override

    ignored = run_control_override(overrides)
    if ignored is not None:
        fail(f"{ignored}: a sweep's run-control key, which a lesson does not read; "
             "baimo-teach takes replications=N and workers=N")
    ignored = hydra_override(overrides)
    if ignored is not None:
        fail(f"{ignored}: Hydra's own setting, which a lesson does not read (it runs its arms "
             "itself); baimo-teach takes replications=N and workers=N")
    problem = commands.group_choice_problem(overrides)   # Hydra's traceback otherwise
    if problem is not None:
        fail(problem)
    arms = plan_arms(pack, overrides)
    try:
        out_dir = fresh_dir(output_root() / "teach" / pack.name, output_root())
    except OSError as exc:
        fail(f"cannot create a directory under the outputs root {output_root()} "
             f"({commands.os_error_reason(exc)}); set BAIMO_OUTPUT_ROOT to a writable "
             "directory")
        return
    print(predict_first(pack))
    result = run_pack(pack, arms, replications, workers, out_dir,
                      say=lambda text: print(f"{PROG}: {text}", flush=True))
    print(f"{PROG}: wrote {shlex.quote(str(result.report))}")
    first = out_dir / "runs" / "scenario" / "rep-0"
    print(f"{PROG}: {result.seconds:.1f} s ({result.run_seconds:.1f} s simulating); "
          f"firm stories: baimo-explain {shlex.quote(str(first))}")


@commands.console_command(PROG)
def main(argv: list[str] | None = None) -> None:
    """Console entry point."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args:
        sys.stdout.write(listing())
        return
    if args[0] in ("-h", "--help"):
        sys.stdout.write(commands.plain_text(__doc__))
        sys.stdout.write("\n" + listing())
        return
    if args[0] == "--version":
        print(commands.version_line())
        return
    if args[0].startswith("-"):
        fail(f"unknown option {args[0]!r}; usage: {PROG} [NAME [key=value ...]]")
    try:
        run_lesson(args[0], args[1:])
    except commands.OneLineError:
        raise   # console_command says it in one line
    except Exception as exc:  # Hydra's own override errors: keep them to one line
        if type(exc).__module__.startswith(("hydra", "omegaconf")):
            fail(commands.with_quoting_hint(_hydra_message(exc), args[1:]))
        raise


def _hydra_message(exc: BaseException) -> str:
    from sim.config import value_problem
    from sim.configuration import hydra_hint

    hint = hydra_hint(exc, extra=("workers",))
    if hint is not None:
        return hint
    problem = value_problem(exc)
    if problem is not None:
        return problem
    lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip()]
    cause = exc.__cause__
    detail = str(cause).splitlines()[0].strip() if cause is not None and str(cause) else ""
    head = lines[0] if lines else type(exc).__name__
    if len(lines) > 1 and not lines[1].startswith(("See ", "full_key")):
        head = f"{head} ({lines[1]})"
    return f"{head}: {detail}" if detail and detail not in head else head


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
