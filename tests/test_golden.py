"""Golden summaries: two small seeded runs must reproduce their stored summaries exactly,
one of two years and one of the baseline's ten (mechanisms that bite only after the boom:
a mutation test found five that the two-year run never showed).

Any change to the model's behaviour or to a default moves these numbers. When
the change is intended, regenerate the file and commit it with the change:

    python tests/test_golden.py --update

(in a second checkout, a git worktree, with ``PYTHONPATH`` set to it: the script refuses to
write a golden file computed from another checkout's code; docs/DEVELOPING.md). A new
setting whose default leaves the model as it was still moves ``config_hash``: an option with
an "off" is better an ``optional_param`` defaulting to null, which the hash leaves out.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import pytest

from sim.sweep.outcomes import flatten

GOLDEN_DIR = Path(__file__).parent / "golden"
#: Each golden file and the run it holds: few buyers (the buyers are one array, what they
#: decide shows as well in 500), the first two years, and the baseline's whole ten.
RUNS = {"small_summary.json": ["horizon_months=24", "buyers.count=500", "seed=2024"],
        "long_summary.json": ["horizon_months=120", "buyers.count=500", "seed=2024"]}
CONFIG_HASH = "config_hash"
UPDATE = ("If that is intended, rewrite the golden file (python tests/test_golden.py --update, "
          "with PYTHONPATH set to this checkout) and commit it with the change; if not, find "
          "what moved them: never update the file to hide an unintended change "
          "(docs/DEVELOPING.md)")
HASH_ONLY = ("only config_hash differs, every outcome is the same: a new setting's default "
             "changed the config's hash. If the setting is an option that can be off, make it "
             "an optional_param (sim/config.py) defaulting to null (off), which the hash leaves "
             "out; if a new default is intended, update the golden file: python "
             "tests/test_golden.py --update, with PYTHONPATH set to this checkout "
             "(docs/DEVELOPING.md)")


def current(overrides: list[str]) -> dict:
    from sim.configuration import compose
    from sim.run import simulate

    return simulate(compose(overrides)).summary


def _outcomes(summary: dict) -> dict:
    """The summary's values but what ran it (Python, machine, library versions), which is
    the machine's, not the model's."""
    return {k: v for k, v in flatten(summary).items() if not k.startswith("environment.")}


@pytest.mark.parametrize("name", list(RUNS))
def test_a_seeded_run_reproduces_its_golden_summary(name: str) -> None:
    stored = _outcomes(json.loads((GOLDEN_DIR / name).read_text(encoding="utf-8")))
    now = _outcomes(json.loads(json.dumps(current(RUNS[name]))))
    added, removed = sorted(set(now) - set(stored)), sorted(set(stored) - set(now))
    assert not added and not removed, (
        f"summary.json's keys changed (new: {', '.join(added) or 'none'}; gone: "
        f"{', '.join(removed) or 'none'}). {UPDATE}")
    differ = []
    for key, want in stored.items():
        got = now[key]
        if isinstance(want, float) and isinstance(got, float):
            if not math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-12):
                differ.append(key)
        elif got != want:
            differ.append(key)
    assert differ != [CONFIG_HASH], HASH_ONLY
    shown = ", ".join(differ[:6]) + (", ..." if len(differ) > 6 else "")
    assert not differ, (f"{len(differ)} summary values differ ({shown}): the model or a "
                        f"default changed. {UPDATE}")


def foreign_code() -> str | None:
    """One line if the ``sim`` this script imports is not the one beside it (None: it is).
    Run as a script, Python looks in tests/ first, not in the checkout, so a second checkout
    (a git worktree) without ``PYTHONPATH`` gets the code the editable install points at: the
    golden file would hold another checkout's numbers."""
    import sim

    checkout = Path(__file__).resolve().parents[1]
    imported = Path(sim.__file__).resolve().parents[1]
    if imported == checkout:
        return None
    return (f"this imports sim from {imported}, not from {checkout}, whose golden file it "
            f"would write; run it with PYTHONPATH={checkout}")


if __name__ == "__main__":
    if "--update" in sys.argv:
        problem = foreign_code()
        if problem is not None:
            sys.exit(f"tests/test_golden.py: {problem}")
        for name, overrides in RUNS.items():
            kept = {k: v for k, v in current(overrides).items()
                    if k != "environment"}   # the machine's
            golden = GOLDEN_DIR / name
            golden.write_text(json.dumps(kept, indent=2, sort_keys=True) + "\n",
                              encoding="utf-8")
            print(f"wrote {golden}")
