"""The experiment files users can run, each with its one-line question.

An experiment file (``experiments/NAME.yaml``, teaching scenarios in
``experiments/teaching/``) opens with ``# @package _global_`` and then a
comment whose first line is the question it answers. ``baimo --help`` and
``baimo list`` show these questions.
"""

from __future__ import annotations

from pathlib import Path

from omegaconf import OmegaConf

from sim.commands import os_error_reason
from sim.configuration import EXPERIMENTS_DIR, scenario_experiments

TEACHING = "teaching"
SCENARIOS = "scenarios"
#: What ``baimo list`` says of a scenario named as a shipped experiment (running it is refused).
SHADOWED = "(refused when run: a shipped experiment has this name; rename the file)"


def question(path: Path) -> str:
    """First comment line of an experiment file that is not the ``@package`` header."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:   # a listing names the file and goes on
        return "(unreadable: not UTF-8 text)"
    except OSError as exc:
        return f"(unreadable: {os_error_reason(exc)})"
    for line in text.splitlines():
        text = line.strip()
        if not text.startswith("#"):
            break
        text = text.lstrip("#").strip()
        if text and not text.startswith("@package"):
            return text
    return "(no question: the file should open with a comment)"


def list_experiments(root: Path = EXPERIMENTS_DIR) -> dict[str, list[tuple[str, str]]]:
    """``{"experiments": [(name, question)], "teaching": [...], "scenarios": [...]}``, sorted.

    Scenarios are the files under ``<output root>/scenarios/experiment/``: a calibration's
    best configuration, or the user's own. One named as a shipped experiment is refused when
    run (:mod:`sim.configuration`), and listed as such instead of its question.
    """
    found: dict[str, list[tuple[str, str]]] = {"experiments": [], TEACHING: [], SCENARIOS: []}
    for path in sorted(root.glob("*.yaml")):
        found["experiments"].append((path.stem, question(path)))
    for path in sorted((root / TEACHING).glob("*.yaml")):
        found[TEACHING].append((f"{TEACHING}/{path.stem}", question(path)))
    shipped = {name for name, _ in found["experiments"]}
    for path in sorted(scenario_experiments().glob("*.yaml")):
        found[SCENARIOS].append((path.stem, SHADOWED if path.stem in shipped else question(path)))
    return found


def listing(root: Path = EXPERIMENTS_DIR) -> str:
    """Plain-text listing of experiments and teaching scenarios with their questions."""
    found = list_experiments(root)
    width = max((len(n) for items in found.values() for n, _ in items), default=10)
    lines = ["== Experiments (baimo +experiment=NAME) =="]
    lines += [f"  {n.ljust(width)}  {q}" for n, q in found["experiments"]] or ["  (none)"]
    lines += ["", "== Teaching scenarios (baimo +experiment=teaching/NAME) =="]
    lines += [f"  {n.ljust(width)}  {q}" for n, q in found[TEACHING]] or ["  (none)"]
    if found[SCENARIOS]:
        lines += ["", f"== Scenarios in {scenario_experiments()} (baimo +experiment=NAME) =="]
        lines += [f"  {n.ljust(width)}  {q}" for n, q in found[SCENARIOS]]
    return "\n".join(lines) + "\n"


def _help_listing() -> str:
    # Hydra passes the help template through string.Template: escape dollars.
    return listing().replace("$", "$$")


def register_resolver() -> None:
    """``${baimo_experiments:}`` in conf/config.yaml's help template."""
    OmegaConf.register_new_resolver("baimo_experiments", _help_listing, replace=True)
