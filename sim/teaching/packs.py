"""Lesson packs: a Hydra experiment plus a narrative, in ``experiments/teaching/``.

A pack called NAME is two files:

``NAME.yaml``
    A ``# @package _global_`` experiment (``+experiment=teaching/NAME``). Its first
    comment line after the package line is the one-line question; the keys are
    model overrides (including the horizon and buyer count that keep the lesson
    inside its time budget) and the run-control key ``replications``.
``NAME.md``
    The narrative. A YAML front-matter block holds what the machinery needs (title,
    the comparison arm, plots, key numbers, predict-first questions
    with their options and the measure that answers each, things to try); the
    Markdown body holds the prose sections listed in :data:`SECTIONS`.

Predict-first answers are never written in a pack: each question names a measure
(:mod:`sim.teaching.measures`) and its options are ranges of that measure, so the
report states what the runs showed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sim.commands import OneLineError
from sim.configuration import EXPERIMENTS_DIR, did_you_mean
from sim.teaching.measures import MEASURES

TEACHING_DIR = EXPERIMENTS_DIR / "teaching"
PACKAGE_LINE = "# @package _global_"
SECTIONS = (
    "Background",
    "What the scenario changes",
    "What to notice in the plots",
    "Discussion questions",
)
#: What a question asks about: one arm, the difference scenario minus baseline, or the
#: change, scenario over baseline less 1 (-0.03 = 3% less: for a measure whose level the
#: students cannot guess, such as A100-months of training).
ARMS = ("scenario", "baseline", "difference", "change")
MAX_REPLICATIONS = 20
DEFAULT_REPLICATIONS = 3
SEED_CITATION = re.compile(r"\bseeds? 00[0-4]\b")


class PackError(OneLineError, ValueError):
    """A pack is unknown or malformed (one-line message naming the file and field)."""


@dataclass(frozen=True)
class Option:
    """One answer a student can choose: the measure falls below ``below`` (None = above all)."""

    text: str
    below: float | None


@dataclass(frozen=True)
class Prediction:
    """A predict-first question, answered after the runs by the measure it names."""

    ask: str
    measure: str
    of: str  # "scenario", "baseline", "difference" or "change" (see ARMS; paired by seed)
    options: tuple[Option, ...]
    why: str = ""
    #: Measures shown beside the revealed answer, per arm, computed from the same runs: what
    #: a reader needs to weigh it (how many funds had closed beside their returns).
    beside: tuple[str, ...] = ()

    def option_index(self, value: float) -> int:
        """Index of the option that ``value`` falls in."""
        for i, opt in enumerate(self.options):
            if opt.below is None or value < opt.below:
                return i
        return len(self.options) - 1


@dataclass(frozen=True)
class TryIt:
    """A concrete change to try, as ``baimo-teach NAME`` overrides."""

    overrides: tuple[str, ...]
    note: str


@dataclass(frozen=True)
class Contrast:
    """The comparison arm: the pack plus overrides that undo its change."""

    label: str
    overrides: tuple[str, ...]


@dataclass(frozen=True)
class Pack:
    """A ready lesson."""

    name: str
    title: str
    question: str
    yaml_path: Path
    md_path: Path
    scenario_label: str
    replications: int
    contrast: Contrast | None
    plots: tuple[str, ...]
    key_numbers: tuple[str, ...]
    predictions: tuple[Prediction, ...]
    tries: tuple[TryIt, ...]
    sections: dict[str, str] = field(default_factory=dict)

    @property
    def experiment(self) -> str:
        """The Hydra override that loads the pack's config."""
        return f"+experiment=teaching/{self.name}"


def pack_names() -> list[str]:
    """Names of every pack (a YAML with a narrative beside it), sorted."""
    if not TEACHING_DIR.is_dir():
        return []
    return sorted(p.stem for p in TEACHING_DIR.glob("*.yaml") if p.with_suffix(".md").is_file())


def read_question(yaml_path: Path) -> str:
    """The one-line question: the first comment line after the package line."""
    for line in yaml_path.read_text(encoding="utf-8").splitlines():
        text = line.strip()
        if not text.startswith("#") or text == PACKAGE_LINE:
            continue
        question = text.lstrip("#").strip()
        if question:
            return question
    raise PackError(f"{yaml_path}: no question comment after '{PACKAGE_LINE}'")


def split_front_matter(text: str, path: Path) -> tuple[dict[str, Any], str]:
    """(front matter, Markdown body) of a narrative file."""
    if not text.startswith("---\n"):
        raise PackError(f"{path}: must start with a '---' front-matter block")
    end = text.find("\n---\n", 4)
    if end < 0:
        raise PackError(f"{path}: front-matter block is not closed by '---'")
    try:
        meta = yaml.safe_load(text[4:end])
    except yaml.YAMLError as exc:
        raise PackError(f"{path}: front matter is not valid YAML ({str(exc).splitlines()[0]})") \
            from None
    if not isinstance(meta, dict):
        raise PackError(f"{path}: front matter must be a mapping")
    return meta, text[end + 5:]


def split_sections(body: str, path: Path) -> dict[str, str]:
    """Markdown under each ``## Heading`` of :data:`SECTIONS` (all required)."""
    parts = re.split(r"^## +(.+?) *$", body, flags=re.MULTILINE)
    found = {parts[i].strip(): parts[i + 1].strip() for i in range(1, len(parts) - 1, 2)}
    for name in SECTIONS:
        if not found.get(name):
            raise PackError(f"{path}: missing section '## {name}'")
    return {name: found[name] for name in SECTIONS}


def _require(ok: bool, path: Path, message: str) -> None:
    if not ok:
        raise PackError(f"{path}: {message}")


def _strings(value: Any, path: Path, where: str) -> tuple[str, ...]:
    _require(isinstance(value, list) and all(isinstance(v, str) for v in value), path,
             f"{where} must be a list of strings")
    return tuple(value)


def _prediction(raw: Any, path: Path, i: int, has_contrast: bool) -> Prediction:
    where = f"predict[{i}]"
    _require(isinstance(raw, dict), path, f"{where} must be a mapping")
    ask, name = raw.get("ask"), raw.get("measure")
    _require(isinstance(ask, str) and ask.strip() != "", path, f"{where}.ask must be a question")
    _require(name in MEASURES, path, f"{where}.measure={name!r} is not a known measure; "
             f"allowed: {', '.join(sorted(MEASURES))}")
    of = raw.get("of", "scenario")
    _require(of in ARMS, path, f"{where}.of={of!r}; allowed: {', '.join(ARMS)}")
    _require(of == "scenario" or has_contrast, path,
             f"{where}.of={of!r} needs a 'compare' arm in the front matter")
    opts = raw.get("options")
    _require(isinstance(opts, list) and len(opts) >= 2, path,
             f"{where}.options must list at least two options")
    options = []
    last = float("-inf")
    for j, o in enumerate(opts):
        _require(isinstance(o, dict) and isinstance(o.get("text"), str), path,
                 f"{where}.options[{j}] needs a 'text'")
        below = o.get("below")
        final = j == len(opts) - 1
        _require((below is None) == final, path, f"{where}.options[{j}]: every option but the "
                 "last needs 'below' (its upper bound); the last has none")
        if below is not None:
            _require(isinstance(below, int | float) and below > last, path,
                     f"{where}.options[{j}].below must be a number above the previous bound")
            last = float(below)
        options.append(Option(o["text"], None if below is None else float(below)))
    beside = _strings(raw.get("beside", []), path, f"{where}.beside")
    for b in beside:
        _require(b in MEASURES, path, f"{where}.beside: {b!r} is not a known measure")
    return Prediction(ask.strip(), name, of, tuple(options), str(raw.get("why", "")).strip(),
                      beside)


def load_pack(name: str) -> Pack:
    """Read and check pack ``name``; PackError names what is wrong or what is allowed."""
    names = pack_names()
    if name not in names:
        allowed = ", ".join(names) if names else "(none found)"
        raise PackError(f"unknown lesson {name!r}{did_you_mean(name, names)}; choose one of: "
                        f"{allowed}")
    yaml_path = TEACHING_DIR / f"{name}.yaml"
    md_path = TEACHING_DIR / f"{name}.md"
    first = yaml_path.read_text(encoding="utf-8").splitlines()[:1]
    _require(first == [PACKAGE_LINE], yaml_path, f"first line must be '{PACKAGE_LINE}'")
    question = read_question(yaml_path)
    meta, body = split_front_matter(md_path.read_text(encoding="utf-8"), md_path)
    sections = split_sections(body, md_path)
    _require(bool(SEED_CITATION.search(sections["Background"])), md_path,
             "the Background must cite a source as 'seed 00N'")
    title = meta.get("title")
    if not isinstance(title, str) or title == "":   # as _require, but narrows title to str
        raise PackError(f"{md_path}: front matter needs a 'title'")
    try:
        config = yaml.safe_load(yaml_path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise PackError(f"{yaml_path}: not valid YAML ({str(exc).splitlines()[0]})") from None
    _require(isinstance(config, dict), yaml_path, "must be a mapping of config keys")
    reps = config.get("replications", DEFAULT_REPLICATIONS)
    _require(isinstance(reps, int) and 1 <= reps <= MAX_REPLICATIONS, yaml_path,
             f"replications={reps!r}; allowed 1 to {MAX_REPLICATIONS}")
    contrast = None
    if meta.get("compare") is not None:
        c = meta["compare"]
        _require(isinstance(c, dict) and isinstance(c.get("label"), str), md_path,
                 "compare needs a 'label' and 'overrides'")
        contrast = Contrast(c["label"], _strings(c.get("overrides"), md_path, "compare.overrides"))
    from sim.report_plots import REPORT_PLOTS

    plots = _strings(meta.get("plots", []), md_path, "plots")
    for p in plots:
        _require(p in REPORT_PLOTS, md_path,
                 f"plot {p!r} is unknown; allowed: {', '.join(REPORT_PLOTS)}")
    keys = _strings(meta.get("key_numbers", []), md_path, "key_numbers")
    for k in keys:
        _require(k in MEASURES, md_path, f"key number {k!r} is not a known measure")
    raw_predict = meta.get("predict", [])
    _require(isinstance(raw_predict, list) and bool(raw_predict), md_path,
             "predict must list at least one question")
    predictions = tuple(_prediction(p, md_path, i, contrast is not None)
                        for i, p in enumerate(raw_predict))
    tries = []
    for i, t in enumerate(meta.get("try", [])):
        _require(isinstance(t, dict) and isinstance(t.get("note"), str), md_path,
                 f"try[{i}] needs 'overrides' and a 'note'")
        tries.append(TryIt(_strings(t.get("overrides"), md_path, f"try[{i}].overrides"), t["note"]))
    _require(bool(tries), md_path, "try must list at least one thing to try")
    return Pack(name, title, question, yaml_path, md_path,
                str(meta.get("scenario_label", "scenario")), reps, contrast, plots, keys,
                predictions, tuple(tries), sections)


def list_packs() -> list[tuple[str, str]]:
    """(name, question) of every pack."""
    return [(n, read_question(TEACHING_DIR / f"{n}.yaml")) for n in pack_names()]
