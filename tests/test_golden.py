"""Golden summary: a small seeded run must reproduce the stored summary exactly.

Any change to the model's behaviour or to a default moves these numbers. When
the change is intended, regenerate the file and commit it with the change:

    python tests/test_golden.py --update
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

from sim.sweep.outcomes import flatten

GOLDEN = Path(__file__).parent / "golden" / "small_summary.json"
OVERRIDES = ["horizon_months=24", "buyers.count=500", "seed=2024"]


def current() -> dict:
    from sim.configuration import compose
    from sim.run import simulate

    return simulate(compose(OVERRIDES)).summary


def _outcomes(summary: dict) -> dict:
    """The summary's values but what ran it (Python, machine, library versions), which is
    the machine's, not the model's."""
    return {k: v for k, v in flatten(summary).items() if not k.startswith("environment.")}


def test_small_run_reproduces_the_golden_summary() -> None:
    stored = _outcomes(json.loads(GOLDEN.read_text(encoding="utf-8")))
    now = _outcomes(json.loads(json.dumps(current())))
    hint = "model or defaults changed; if intended: python tests/test_golden.py --update"
    assert sorted(now) == sorted(stored), hint
    differ = []
    for key, want in stored.items():
        got = now[key]
        if isinstance(want, float) and isinstance(got, float):
            if not math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-12):
                differ.append(key)
        elif got != want:
            differ.append(key)
    assert not differ, f"{len(differ)} summary values differ ({', '.join(differ[:6])}...): {hint}"


if __name__ == "__main__":
    if "--update" in sys.argv:
        kept = {k: v for k, v in current().items() if k != "environment"}   # the machine's
        GOLDEN.write_text(json.dumps(kept, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        print(f"wrote {GOLDEN}")
