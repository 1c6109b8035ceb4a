"""The code's own checks, run with the tests so they cannot drift: ruff (the lint rules in
pyproject.toml) and mypy (the package's type hints agree with how it is used). Both come
with the test extras."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def check(*command: str) -> None:
    done = subprocess.run([sys.executable, "-m", *command], cwd=ROOT, capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_ruff_is_clean() -> None:
    check("ruff", "check", "--no-cache", "sim", "tests", "benchmarks")


#: The oldest matplotlib whose type hints the package's are checked against: 3.8's (the
#: oldest pyproject.toml allows) lack matplotlib.typing.RcKeyType and type Axes.annotate
#: and subplots more loosely, so mypy finds faults in them that are not the package's.
TYPED_MATPLOTLIB = (3, 10)


def test_mypy_is_clean(tmp_path: Path) -> None:
    import matplotlib

    if tuple(int(p) for p in matplotlib.__version__.split(".")[:2]) < TYPED_MATPLOTLIB:
        pytest.skip(f"matplotlib {matplotlib.__version__}'s type hints predate "
                    f"{'.'.join(map(str, TYPED_MATPLOTLIB))}'s, which the package is checked with")
    # the settings are pyproject.toml's [tool.mypy] (files = sim); a cache of the test's own
    check("mypy", "--cache-dir", str(tmp_path / "cache"))


# ------------------------------------------------------------------ no numbers in the model
#: The model's code: its actors, markets and environment, and what they share.
MODEL_CODE = ("sim/agents", "sim/markets", "sim/environment", "sim/capability.py",
              "sim/ledger.py", "sim/model.py", "sim/world.py")
#: Numbers the model's code writes where it uses them: nothing, one, halves and pairs, the
#: last item. Any other is a setting (conf/, with its source) or a named constant of the
#: module or class, with its reason beside it.
PLAIN_NUMBERS = {0, 1, 2, -1}
#: The few others written in place, and why none is a model parameter.
IN_PLACE = {
    ("sim/agents/buyers.py", 4): "geometric gaps drawn in batches of 4 sd over the mean: "
                                 "speed only, the draws do not depend on it",
    ("sim/agents/buyers.py", 16): "the batch's slack, as the 4 sd",
    ("sim/agents/giant.py", 3): "acquisitions sorted by their first three fields",
    ("sim/markets/funding.py", 1e-06): "a logarithm's guard below the hype floor (1e-3)",
    ("sim/world.py", 100): "a rate shown in whole numbers from 100 on (a message)",
}


def _numbers_in_place(path: Path) -> list[tuple[int, float]]:
    """(line, value) of every number in ``path`` outside a module's or class's named
    constants (an assignment in the module's or a class's body) and docstrings."""
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    named: set[int] = set()
    bodies = [tree.body] + [n.body for n in ast.walk(tree) if isinstance(n, ast.ClassDef)]
    for body in bodies:
        for statement in body:
            if isinstance(statement, ast.Assign | ast.AnnAssign):
                named.update(id(node) for node in ast.walk(statement))
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and type(node.value) in (int, float)
            and id(node) not in named and node.value not in PLAIN_NUMBERS]


def test_the_models_code_writes_no_parameter_as_a_number() -> None:
    """The brief: no magic numbers in code, they live in conf/ with their sources. An audit
    (2026-12-07) found six model parameters written as numbers in the code (a distress
    runway of 2 months, a cap of 5 releases, ...), now settings; this keeps new ones out."""
    files = sorted(p for place in MODEL_CODE for p in
                   ((ROOT / place).rglob("*.py") if (ROOT / place).is_dir() else [ROOT / place]))
    found = [f"{p.relative_to(ROOT)}:{line}: {value!r}" for p in files
             for line, value in _numbers_in_place(p)
             if (str(p.relative_to(ROOT)), value) not in IN_PLACE]
    assert found == [], ("numbers written in the model's code; make each a setting (conf/ and "
                         "sim/config.py, with its source) or a named constant with its reason, "
                         f"or add it to IN_PLACE with why it is neither: {found}")


def test_a_number_in_the_models_code_is_found(tmp_path: Path) -> None:
    code = tmp_path / "agent.py"
    code.write_text('"""Doc 0.5."""\nLIMIT = 3.5\n\n\nclass A:\n    STEP = 0.25\n\n'
                    "    def act(self, x: float) -> float:\n        return x * 0.8 + 1\n")
    assert _numbers_in_place(code) == [(9, 0.8)]
