"""``baimo-report``: one self-contained HTML report for a run, a sweep or a lesson.

    baimo-report outputs/runs/2026-11-23_10-00-00-000000      # one run directory
    baimo-report outputs/sweeps/investor_patience              # a directory of run directories
    baimo-report outputs/teach/patient_capital/2026-11-23_10-00-00   # a baimo-teach directory

The report is one HTML file with its plots embedded as base64 PNG: no network,
no CDN, no external CSS or JavaScript, so it opens offline and can be mailed to
a class. Sections: the lesson narrative and predict-first questions (lessons
only), key numbers, outcome plots, a timeline of notable events, the
predict-first answers computed from the runs, things to try, discussion
questions, and the runs it was built from. It is written under the outputs
root (``$BAIMO_OUTPUT_ROOT`` or ``./outputs``) and its path is printed.

A directory that is missing, empty, half-written or unreadable stops the
command with one line naming it (exit code 2).
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import json
import os
import re
import shlex
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import numpy as np
import pandas as pd

from sim import __version__, commands
from sim.commands import OneLineParser, plural
from sim.outputs import (
    COMPLETE,
    GIT_COMMIT,
    MODEL_CODE,
    RUN_DEPTH,
    SWEEP_TABLE,
    OutputError,
    directories_below,
    is_complete,
    looks_like_run,
    names_a_place_inside,
    parse_json,
    read_run,
    run_settings,
)
from sim.sums import left_sum
from sim.sweep.outcomes import setting_overrides
from sim.teaching.arms import Arm, common_start
from sim.teaching.calendar import month_label
from sim.teaching.measures import (
    DEFAULT_KEY_NUMBERS,
    format_difference,
    format_value,
    measure,
    values,
)
from sim.teaching.packs import Pack, PackError, load_pack
from sim.teaching.runner import BASELINE_ARM, MANIFEST, fresh_dir, output_root

SWEEP_COLUMNS = ("job", "setting", "replication", "status")
MAX_LABEL = 70   # characters of an arm's label, where that tells the arms apart (arm_labels)
MIN_ELIDED = 8   # characters: a shorter part that a key's values share stays in the labels
LABEL_OPENERS = ",[{( "   # a label's "..." for a shared start ends after one of these
LABEL_CLOSERS = ",]}) "   # and for a shared end starts at one
ELLIPSIS = "..."
COMMON_LABEL = "the common settings"   # an arm with every key's most common value
NO_OVERRIDES = "all runs"   # an arm of a sweep that varies nothing but the seed
#: The summary of a lesson's folded key numbers: projected with the predict-first
#: questions above them, an open table showed the class the answers.
KEY_NUMBERS_FOLD = ("Show the key numbers (they give the predict-first answers away: open "
                    "them once the students have answered)")
MAX_PLOT_ARMS = 4  # one line style each (sim.report_plots.ARM_STYLES)
FIGURE_DPI = 90




@dataclass
class Source:
    """What a report is built from."""

    kind: str  # "run", "sweep" or "lesson"
    path: Path
    arms: list[Arm]
    pack: Pack | None = None
    manifest: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    design: dict[str, Any] | None = None   # a design sweep's design (sweep.json)
    labels_note: str = ""   # what the arms' labels leave out (a sweep's: labels_note)

    @property
    def runs(self) -> int:
        """Number of runs in all arms."""
        return left_sum(len(a.runs) for a in self.arms)


# ---------------------------------------------------------------- reading sources


def _run_config(path: Path, summary: dict[str, Any]) -> dict[str, str]:
    flat = run_settings(path)
    return flat if flat is not None else {"config_hash": str(summary.get("config_hash"))}


def run_changes(path: Path) -> list[str]:
    """A run's settings that differ from today's defaults, seed aside, as ``key=value`` in
    the form :func:`group_runs` gives a directory of runs' (what the report's table of runs
    shows for a single run; :func:`sim.configuration.changed_from_defaults`, as a sweep's
    header and sweep.json give a sweep's); none if the run's config is not there to read."""
    from sim.configuration import changed_from_defaults, default_settings
    from sim.locations import output_root

    ran = run_settings(path)
    if ran is None:
        return []
    output_root()   # composing reads it (the scenarios' search path): a bad one is one line
    return changed_from_defaults(ran, default_settings())


def _split(override: str) -> tuple[str, str | None]:
    """An override's key and value (None for one without "=", such as ``~key``)."""
    key, eq, value = override.partition("=")
    return (key, value) if eq else (override, None)


def _joined(pairs: list[tuple[str, str | None]]) -> str:
    return ", ".join(k if v is None else f"{k}={v}" for k, v in pairs)


def _most_common(overrides: list[list[str]]) -> dict[str, str | None]:
    """For each key every arm sets, its most common value where there is one: held by more
    arms than any other value, and by at least two (so two arms that differ in one key keep
    it in both labels, and a grid, whose values are held equally often, keeps every key)."""
    pairs = [dict(_split(o) for o in arm) for arm in overrides]
    keys = [k for k in dict.fromkeys(k for arm in pairs for k in arm)
            if all(k in arm for arm in pairs)]
    common: dict[str, str | None] = {}
    for key in keys:
        counts = Counter(arm[key] for arm in pairs).most_common(2)
        if counts[0][1] >= 2 and (len(counts) == 1 or counts[0][1] > counts[1][1]):
            common[key] = counts[0][0]
    return common


def _shown(overrides: list[str], common: dict[str, str | None]) -> list[tuple[str, str | None]]:
    """The (key, value) of ``overrides`` a label names: those without the common value."""
    return [(k, v) for k, v in map(_split, overrides) if k not in common or common[k] != v]


def _common_prefix(a: str, b: str) -> int:
    """How many leading characters ``a`` and ``b`` share."""
    return len(os.path.commonprefix([a, b]))


def _shared_ends(values: list[str]) -> tuple[int, int]:
    """How many leading and trailing characters a label may show as "..." in each of
    ``values`` (distinct values of one key): the part they all share, cut back to a
    separator (:data:`LABEL_OPENERS`, :data:`LABEL_CLOSERS`) so what shows starts and ends
    at an item of a list or dict, and 0 where that part is shorter than :data:`MIN_ELIDED`."""
    head = min(_common_prefix(values[0], v) for v in values[1:])
    cut = max(values[0].rfind(c, 0, head) for c in LABEL_OPENERS) + 1
    lead = cut if cut >= MIN_ELIDED else 0
    rests = [v[lead:][::-1] for v in values]
    tail = min(_common_prefix(rests[0], r) for r in rests[1:])
    tail = min(tail, min(len(r) for r in rests) - 1)   # every value keeps a character
    shared = values[0][len(values[0]) - tail:] if tail > 0 else ""
    first = min((i for i, c in enumerate(shared) if c in LABEL_CLOSERS), default=len(shared))
    trail = tail - first
    return lead, trail if trail >= MIN_ELIDED else 0


def _elided(shown: list[list[tuple[str, str | None]]]) -> list[list[tuple[str, str | None]]]:
    """``shown`` with the long part that the shown values of a key share written "...":
    the same characters of each value, so values that differ still differ."""
    values: dict[str, list[str]] = {}
    for arm in shown:
        for k, v in arm:
            if v is not None and v not in values.setdefault(k, []):
                values[k].append(v)
    ends = {k: _shared_ends(vs) for k, vs in values.items() if len(vs) > 1}
    out: list[list[tuple[str, str | None]]] = []
    for arm in shown:
        pairs: list[tuple[str, str | None]] = []
        for k, v in arm:
            lead, trail = ends.get(k, (0, 0))
            if v is not None and (lead or trail):
                v = (ELLIPSIS if lead else "") + v[lead:len(v) - trail] + \
                    (ELLIPSIS if trail else "")
            pairs.append((k, v))
        out.append(pairs)
    return out


def _cut_apart(texts: list[str]) -> list[str]:
    """Each of ``texts`` (all different) cut to :data:`MAX_LABEL` characters, "..." at the
    end, but never before the first character in which it differs from another text."""
    out: list[str] = []
    for i, text in enumerate(texts):
        need = max((_common_prefix(text, other) + 1 for j, other in enumerate(texts)
                    if j != i), default=0)
        keep = max(MAX_LABEL - len(ELLIPSIS), need)
        out.append(text if len(text) <= max(keep, MAX_LABEL) else text[:keep] + ELLIPSIS)
    return out


def arm_labels(overrides: list[list[str]]) -> list[str]:
    """Labels of arms that differ in ``overrides`` (each arm's ``key=value`` list), never
    two the same: up to :data:`MAX_LABEL` characters where that tells them apart.

    A label names where its arm differs: a key every arm sets is left out where the arm has
    its most common value (:func:`_most_common`; :func:`labels_note` says which these are),
    and an arm left with nothing is :data:`COMMON_LABEL`. Labels still too long show the
    long part that the values of one key share as "...", and are cut, but after the first
    character in which they differ from every other label (the keys are sorted, so the one
    that differs was often cut off).
    """
    if not any(overrides):
        return [NO_OVERRIDES] * len(overrides)
    common = _most_common(overrides)
    shown = [_shown(arm, common) for arm in overrides]
    if any(len(_joined(arm)) > MAX_LABEL for arm in shown):
        shown = _elided(shown)
    labels = _cut_apart([_joined(arm) or COMMON_LABEL for arm in shown])
    if len(set(labels)) < len(labels):   # values holding ", " could join to the same text
        labels = [", ".join(arm) or NO_OVERRIDES for arm in overrides]
    return labels


def labels_note(overrides: list[list[str]]) -> str:
    """What :func:`arm_labels` leaves out of the labels of arms with ``overrides``, in a
    sentence or two; "" when it leaves out nothing."""
    if len(overrides) < 2:
        return ""
    common = _most_common(overrides)
    pairs = [dict(map(_split, arm)) for arm in overrides]
    everyone = {k: v for k, v in common.items() if all(arm[k] == v for arm in pairs)}
    most = {k: v for k, v in common.items() if k not in everyone}
    parts: list[str] = []
    if everyone:
        parts.append(f"Every arm ran with {_joined(list(everyone.items()))}; the labels "
                     f"leave {'it' if len(everyone) == 1 else 'them'} out.")
    if most:
        keys = list(most)
        named = keys[0] if len(keys) == 1 else f"{', '.join(keys[:-1])} or {keys[-1]}"
        parts.append(f"An arm whose label does not name {named} ran with the value most "
                     f"arms have: {_joined(list(most.items()))}.")
    if any(not _shown(arm, common) for arm in overrides):
        parts.append(f'"{COMMON_LABEL}" ran with all of these.')
    return " ".join(parts)


def _sort_value(text: str) -> tuple[int, float, str]:
    try:
        return (0, float(json.loads(text)), text)
    except (ValueError, TypeError):
        return (1, 0.0, text)


def group_runs(paths: list[Path]) -> list[Arm]:
    """Runs grouped into arms by the config keys that differ between them (seed aside)."""
    runs = [read_run(p) for p in paths]
    configs = [_run_config(p, r.summary) for p, r in zip(paths, runs, strict=True)]
    keys = sorted({k for c in configs for k in c})
    varying = [k for k in keys if k != "seed" and len({c.get(k) for c in configs}) > 1]
    groups: dict[tuple[str, ...], list[int]] = {}
    for i, c in enumerate(configs):
        groups.setdefault(tuple(c.get(k, "null") for k in varying), []).append(i)
    order = sorted(groups, key=lambda t: [_sort_value(v) for v in t])
    overrides = [[f"{k}={v}" for k, v in zip(varying, key, strict=True)] for key in order]
    arms = []
    for key, over, label in zip(order, overrides, arm_labels(overrides), strict=True):
        members = sorted(groups[key], key=lambda i: (int(runs[i].summary.get("seed", 0)),
                                                     str(paths[i])))
        arms.append(Arm(label, label, [runs[i] for i in members], over))
    return arms


#: What a pack's name may hold where it names a report's directory: baimo-teach writes
#: the names of its packs (experiments/teaching/*.yaml), which are plain file names.
PACK_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")


def _is_str_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _manifest_problem(manifest: Any) -> str | None:
    """What makes ``manifest`` (a parsed teach.json) unusable, or None.

    baimo-teach writes ``pack`` (a pack's name) and ``arms``: a non-empty list of
    {name, label, overrides, runs}, each arm's runs a non-empty list of directories
    inside the lesson directory. A report is built from them, and its directory is named
    after the pack, so a hand-edited manifest must not name one elsewhere.
    """
    if not isinstance(manifest, dict):
        return "not a JSON object"
    pack = manifest.get("pack")
    if not isinstance(pack, str) or not PACK_NAME.fullmatch(pack):
        return f"'pack' must be a pack's name (letters, digits, _ . -), got {pack!r}"
    arms = manifest.get("arms")
    if not isinstance(arms, list) or not arms:
        return "'arms' must be a non-empty list"
    for i, arm in enumerate(arms):
        if not isinstance(arm, dict):
            return f"arms[{i}] must be an object"
        for key in ("name", "label"):
            if not isinstance(arm.get(key), str):
                return f"arms[{i}].{key} must be a string"
        if not _is_str_list(arm.get("overrides", [])):
            return f"arms[{i}].overrides must be a list of strings"
        runs = arm.get("runs")
        if not _is_str_list(runs) or not runs:
            return f"arms[{i}].runs must be a non-empty list of run directories"
        outside = [r for r in runs if not names_a_place_inside(r)]
        if outside:
            return (f"arms[{i}].runs must name directories inside the lesson directory, "
                    f"got {outside[0]!r}")
    return None


def _lesson_source(path: Path) -> Source:
    try:
        manifest = parse_json((path / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise OutputError(f"{path / MANIFEST}: unreadable lesson manifest "
                          f"({type(exc).__name__})") from None
    problem = _manifest_problem(manifest)
    if problem is not None:
        raise OutputError(f"{path / MANIFEST}: not a baimo-teach manifest ({problem})")
    if manifest.get("status") != "complete":
        raise OutputError(f"{path}: the lesson run did not finish (status "
                          f"{manifest.get('status')!r} in {MANIFEST}); run baimo-teach again")
    arms = [Arm(a["name"], a["label"], [read_run(path / r) for r in a["runs"]],
                list(a.get("overrides", []))) for a in manifest["arms"]]
    notes = []
    try:
        pack: Pack | None = load_pack(manifest["pack"])
    except PackError as exc:
        pack = None
        notes.append(f"The lesson narrative is not available ({exc}).")
    return Source("lesson", path, arms, pack, manifest, notes)


def _failed(job: Path) -> bool:
    """Whether a sweep job left a FAILED marker (sim.sweep.task) and no COMPLETE one."""
    from sim.sweep.spec import FAILED

    return (job / FAILED).is_file() and not is_complete(job)


def _left_out(path: Path, failed: list[Path], unfinished: list[Path], total: int,
              finished: int, skip_unfinished: bool, stale: list[Path] | None = None) -> list[str]:
    """Notes on the failed, unfinished and stale runs a report leaves out; OutputError when it
    may not leave them out: ``--skip-unfinished`` was not given, or nothing would be left (a
    sweep whose every job failed was called unfinished, and told to pass the flag that
    it had been given). Stale jobs finished with a different configuration than the sweep's
    (sim.sweep.aggregate.STATUS_STALE): they have their COMPLETE marker, and resuming the
    sweep cannot redo them."""
    from sim.sweep.spec import FAILED

    stale = stale or []
    if not failed and not unfinished and not stale:
        return []
    broke = (f"{len(failed)} of {total} jobs failed (see their {FAILED} markers and logs, "
             f"e.g. {failed[0] / FAILED})") if failed else ""
    open_ = (f"{len(unfinished)} of {total} runs are unfinished (no {COMPLETE} marker), e.g. "
             f"{unfinished[0]}") if unfinished else ""
    old = (f"{len(stale)} of {total} jobs are stale: finished with a different configuration "
           f"than sweep.json records (the experiment, the overrides or conf/ changed), e.g. "
           f"{stale[0]}") if stale else ""
    why = "; ".join(p for p in (open_, broke, old) if p)
    redo = "delete their directories and run the sweep again to redo them"
    todo = ("finish or resume the sweep" if unfinished else
            "rerun the sweep to redo them" if failed else redo)
    if stale and todo != redo:
        todo += f"; for the stale jobs, {redo}"
    if finished == 0:
        if not unfinished and not stale:
            every = f"all {total} jobs" if total > 1 else "its only job"
            raise OutputError(f"{path}: {every} failed (see their {FAILED} markers and logs, "
                              f"e.g. {failed[0] / FAILED}); nothing to report")
        if not stale:
            raise OutputError(f"{path}: no run finished: {why}; {todo}")
        raise OutputError(f"{path}: {why}; {todo}; nothing to report")
    if not skip_unfinished:
        raise OutputError(f"{path}: {why}; {todo}, or pass --skip-unfinished to leave them out")
    notes = [f"{len(unfinished)} unfinished run(s) were left out."] if unfinished else []
    if failed:
        notes.append(f"{len(failed)} failed job(s) were left out (see their {FAILED} markers).")
    if stale:
        notes.append(f"{len(stale)} stale job(s) (finished with a different configuration) "
                     "were left out.")
    return notes


def _sweep_from_table(path: Path, manifest: dict[str, Any] | None,
                      skip_unfinished: bool) -> Source:
    """A sweep whose aggregation wrote sweep.parquet: its jobs, grouped by setting (a design
    sweep's, as its ``manifest`` (sweep.json, if there is one) names its design, in one)."""
    from sim.sweep.aggregate import STATUS_STALE

    table = path / SWEEP_TABLE
    try:
        jobs = pd.read_parquet(table)
    except (OSError, ValueError) as exc:
        raise OutputError(f"{table}: unreadable sweep table ({type(exc).__name__}); rebuild it "
                          f"with: baimo aggregate {shlex.quote(str(path))}") from None
    absent = [c for c in SWEEP_COLUMNS if c not in jobs.columns]
    if absent:
        raise OutputError(f"{table}: not a sweep table (no column {absent[0]!r}); rebuild it "
                          f"with: baimo aggregate {shlex.quote(str(path))}")
    if jobs.empty:
        raise OutputError(f"{table}: the sweep has no jobs")
    marked = np.array([(path / str(j) / COMPLETE).is_file() for j in jobs["job"]], dtype=bool)
    # the markers on disk decide (the table may predate jobs that finished since), except jobs
    # the aggregation found finished with a different configuration
    old = marked & (jobs["status"].astype(str) == STATUS_STALE).to_numpy(bool)
    done = marked & ~old
    stale = [path / str(j) for j in jobs.loc[old, "job"]]
    missing = [path / str(j) for j in jobs.loc[~marked, "job"]]
    failed = [j for j in missing if _failed(j)]
    unfinished = [j for j in missing if j not in failed]
    notes = _left_out(path, failed, unfinished, len(jobs), int(done.sum()), skip_unfinished,
                      stale)
    arms = []
    finished = jobs[done].sort_values("replication", kind="stable")
    design = _design(manifest)
    if design is not None:   # hundreds of points: one arm, the spread they span together
        runs = [read_run(path / str(j)) for j in jobs.loc[done, "job"]]
        label = f"all {len(runs)} runs of the {design['kind']} design"
        return Source("sweep", path, [Arm(label, label, runs)], notes=notes, design=design)
    for setting in dict.fromkeys(jobs["setting"].fillna("").astype(str)):
        rows = finished[finished["setting"].fillna("").astype(str) == setting]
        if rows.empty:
            continue
        runs = [read_run(path / str(j)) for j in rows["job"]]
        arms.append(Arm(setting, setting, runs, setting_overrides(setting)))
    for arm, label in zip(arms, arm_labels([a.overrides for a in arms]), strict=True):
        arm.name = arm.label = label
    return _sweep(path, arms, notes)


def _sweep_from_manifest(path: Path, manifest: dict[str, Any], skip_unfinished: bool
                         ) -> Source:
    """A sweep with no sweep.parquet (stopped before its aggregation, which a sweep with
    jobs to run clears: sim.sweep.runner): its jobs are those its ``manifest`` (sweep.json)
    lists. Read from the job directories found, a stopped sweep passed for a whole one with
    fewer jobs: the jobs killed before they wrote a file, and those never started, were not
    there."""
    jobs = [path / str(job["name"]) for job in manifest["jobs"]]
    finished: list[Path] = []
    failed: list[Path] = []
    unfinished: list[Path] = []
    for job in jobs:
        (finished if is_complete(job) else failed if _failed(job) else unfinished).append(job)
    notes = _left_out(path, failed, unfinished, len(jobs), len(finished), skip_unfinished)
    return _sweep(path, group_runs(finished), notes)


def _sweep(path: Path, arms: list[Arm], notes: list[str]) -> Source:
    """A sweep's source, with what the labels of its arms leave out (:func:`labels_note`)."""
    return Source("sweep", path, arms, notes=notes,
                  labels_note=labels_note([a.overrides for a in arms]))


def _design(manifest: dict[str, Any] | None) -> dict[str, Any] | None:
    """The design of a design sweep (from its sweep.json ``manifest``), None for a grid or
    a sweep without one."""
    design = manifest.get("design") if manifest is not None else None
    return design if isinstance(design, dict) and "keys" in design else None


def load_source(directory: str | Path, skip_unfinished: bool = False) -> Source:
    """A run, sweep or lesson directory, read and checked; OutputError (one line) if not usable.

    A sweep directory with ``sweep.parquet`` (written by ``baimo aggregate``) is grouped by
    the table's settings; without it, the jobs ``sweep.json`` lists (a directory of runs
    with none, its subdirectories) are read and grouped by the config keys that differ
    between them. Runs are looked for as deep as baimo puts them
    (:data:`sim.outputs.RUN_DEPTH` levels), so a directory holding none is answered quickly.
    """
    path = Path(directory)
    if not path.exists():
        raise OutputError(f"{path}: no such directory; give a run directory, a directory of runs "
                          "(a sweep) or a baimo-teach directory")
    if not path.is_dir():
        raise OutputError(f"{path}: not a directory; give a run directory, a directory of runs "
                          "(a sweep) or a baimo-teach directory")
    if (path / MANIFEST).is_file():
        return _lesson_source(path)
    if _failed(path):
        from sim.sweep.spec import FAILED

        raise OutputError(f"{path}: the job failed (see {path / FAILED} and its log); nothing "
                          "to report")
    if looks_like_run(path):
        run = read_run(path)
        return Source("run", path, [Arm("run", "this run", [run], run_changes(path))])
    from sim.sweep.aggregate import load_manifest
    from sim.sweep.spec import SWEEP_MANIFEST

    # read once, and checked: a truncated or hand-edited one is one line, as compare says it
    manifest = load_manifest(path) if (path / SWEEP_MANIFEST).is_file() else None
    if (path / SWEEP_TABLE).exists():
        return _sweep_from_table(path, manifest, skip_unfinished)
    if manifest is not None:
        return _sweep_from_manifest(path, manifest, skip_unfinished)
    finished, failed, unfinished = [], [], []
    for sub in directories_below(path):
        if is_complete(sub):
            finished.append(sub)
        elif _failed(sub):
            failed.append(sub)
        elif looks_like_run(sub):
            unfinished.append(sub)
    if not finished and not failed and not unfinished:
        raise OutputError(f"{path}: no runs found (no subdirectory down to {RUN_DEPTH} levels "
                          f"has a {COMPLETE} marker); give a run directory, a directory of runs "
                          "(a sweep) or a baimo-teach directory")
    notes = _left_out(path, failed, unfinished, len(finished) + len(failed) + len(unfinished),
                      len(finished), skip_unfinished)
    return _sweep(path, group_runs(finished), notes)


# ---------------------------------------------------------------- HTML pieces

CSS = """
body { font-family: "Segoe UI", "Helvetica Neue", Arial, sans-serif; font-size: 18px;
       line-height: 1.5; color: #1b1b1b; max-width: 1180px; margin: 0 auto; padding: 0 24px 60px; }
h1 { font-size: 34px; margin: 28px 0 6px; }
h2 { font-size: 27px; margin-top: 44px; border-bottom: 3px solid #1f4e79; padding-bottom: 4px; }
h3 { font-size: 21px; margin-top: 26px; }
.question { font-size: 23px; font-style: italic; color: #1f4e79; margin: 6px 0 14px; }
.meta, .note, figcaption { color: #555; font-size: 16px; }
nav { background: #f3f6fa; padding: 10px 16px; border-radius: 6px; font-size: 16px; }
nav a { margin-right: 14px; color: #1f4e79; }
table { border-collapse: collapse; margin: 12px 0; font-size: 16px; }
th, td { border-bottom: 1px solid #ddd; padding: 6px 10px; text-align: left; vertical-align: top; }
th { background: #f3f6fa; }
td.num { text-align: right; white-space: nowrap; }
.range { color: #777; font-size: 14px; display: block; }
.scroll { overflow-x: auto; }
figure { margin: 22px 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #e3e3e3; }
ol.options { list-style-type: upper-alpha; }
.predict li { margin-bottom: 12px; }
details { background: #fbf7ef; border-left: 5px solid #e07b00; padding: 8px 14px; margin: 10px 0; }
summary { cursor: pointer; font-weight: bold; }
code, pre { font-family: Consolas, "DejaVu Sans Mono", monospace; font-size: 15px; }
pre { background: #f5f5f5; padding: 10px; overflow-x: auto; }
.cat { font-size: 13px; text-transform: uppercase; color: #fff; padding: 1px 6px;
       border-radius: 3px; }
.cat-shock { background: #555; } .cat-release { background: #1f4e79; }
.cat-funding { background: #5b8c2a; } .cat-price { background: #8e44ad; }
.cat-compute { background: #b03a2e; } .cat-exit { background: #e07b00; }
.cat-market { background: #7f8c8d; }
.chosen { font-weight: bold; }
@media print { details { display: block; } nav { display: none; } }
"""


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _markdown(text: str) -> str:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False}).render(text)


def _figure_html(fig: Any, title: str, caption: str) -> str:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=FIGURE_DPI)  # every report figure uses constrained layout
    plt.close(fig)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return (f'<figure><img alt="{_e(title)}" src="data:image/png;base64,{data}">'
            f"<figcaption>{_e(caption)}</figcaption></figure>")


def _of_runs(used: int, total: int, what: str = "run") -> str:
    """' (2 of 3 runs)' when a number rests on fewer runs (or pairs) than its column has:
    the others gave no value (no vertical contract won, a share not reached)."""
    return f" ({used} of {plural(total, what)})" if used < total else ""


def _cell(unit: str, vals: np.ndarray, start: str) -> str:
    finite = vals[np.isfinite(vals)]
    if finite.size == 0:
        return f'<td class="num">n/a{_e(_of_runs(0, vals.size)) if vals.size > 1 else ""}</td>'
    main = format_value(unit, float(finite.mean()), start) + _of_runs(finite.size, vals.size)
    low, high = (format_value(unit, float(v), start)
                 for v in (finite.min(), finite.max()))
    # a range whose ends print the same ("100% to 100%") is that one value
    rng = f'<span class="range">{_e(low)} to {_e(high)}</span>' if low != high else ""
    return f'<td class="num">{_e(main)}{rng}</td>'


def _months(arm: Arm) -> set[int]:
    """The horizons (months covered) of an arm's runs."""
    return {int(r.metrics["month"].max()) + 1 for r in arm.runs}


def horizons_note(arms: list[Arm]) -> str:
    """A note when the arms cover different horizons, "" when they do not (or there is one):
    a 12-month and an 18-month arm were differenced "paired by seed" on every row, the
    releases over the whole run among them (baimo-compare refuses such runs)."""
    if len(arms) < 2 or len(set().union(*(_months(a) for a in arms))) < 2:
        return ""
    spans = "; ".join(f"{a.label}: {'/'.join(map(str, sorted(_months(a))))} months"
                      for a in arms)
    where = "between them (difference n/a)" if len(arms) == 2 else "across the columns"
    return (f"The arms cover different horizons ({spans}). Counts over the whole run and values "
            f"at its end are not comparable {where}: the longer runs had more time. Measures at "
            "a fixed month or year that every run reached are.")


def seed_pairs(a: Arm, b: Arm) -> tuple[list[int], list[int]]:
    """The runs of ``a`` and ``b`` that share a seed, as two lists of indices into their runs
    in matching order: the k-th run of a seed in one arm with the k-th of it in the other."""
    def keyed(arm: Arm) -> dict[tuple[int, int], int]:
        seen: Counter[int] = Counter()
        out: dict[tuple[int, int], int] = {}
        for i, seed in enumerate(arm.seeds):
            out[(seed, seen[seed])] = i
            seen[seed] += 1
        return out

    in_a, in_b = keyed(a), keyed(b)
    shared = [k for k in in_a if k in in_b]
    return [in_a[k] for k in shared], [in_b[k] for k in shared]


def _unpaired(arm: Arm, kept: list[int]) -> str:
    """The runs of ``arm`` a paired difference leaves out (those not in ``kept``), e.g.
    "1 run of funds.term_years=3 (seed 42)"; "" when it keeps them all."""
    paired = set(kept)
    seeds = [str(s) for i, s in enumerate(arm.seeds) if i not in paired]
    if not seeds:
        return ""
    return (f"{commands.plural(len(seeds), 'run')} of {arm.label} "
            f"({'seed' if len(seeds) == 1 else 'seeds'} {', '.join(seeds)})")


def pairing_note(a: Arm, b: Arm) -> str:
    """How the difference between ``a`` and ``b`` is taken: paired by seed (over the seeds both
    arms ran, naming the runs left out when they did not all run the same ones), or the
    difference of the means when no seed ran in both (a sweep reported with
    ``--skip-unfinished`` after a failed job differenced the means of different seeds)."""
    in_a, in_b = seed_pairs(a, b)
    if not in_a:
        return "the difference of the means (no seed ran in both arms)"
    left = [t for t in (_unpaired(a, in_a), _unpaired(b, in_b)) if t]
    if not left:
        return "paired by seed"
    return (f"paired by seed over the {commands.plural(len(in_a), 'seed')} both arms ran; "
            f"left out: {' and '.join(left)}")


def reference_first(source: Source) -> list[Arm]:
    """``source``'s arms in the order the key numbers show them, the reference first: a
    lesson's baseline (so its difference reads scenario minus baseline, as its answers and
    ``baimo-compare`` of its runs do), a run's or sweep's arms as they are."""
    if source.kind != "lesson":
        return source.arms
    return sorted(source.arms, key=lambda arm: arm.name != BASELINE_ARM)


def key_numbers_html(arms: list[Arm], names: tuple[str, ...]) -> str:
    """Table of measures (rows) by arm (columns): mean, and the range over replications;
    for two arms their difference, the second minus the first (the reference, as in
    ``baimo-compare``), where the arms' horizons allow one (see :func:`horizons_note`, above
    the table when they differ), paired by seed over the seeds both ran
    (:func:`pairing_note`)."""
    diff = len(arms) == 2
    head = "".join(f"<th>{_e(a.label)}<br><small>{len(a.runs)} run(s)</small></th>" for a in arms)
    if diff:
        head += f"<th>difference<br><small>{_e(arms[1].label)} minus {_e(arms[0].label)}, " \
                f"{_e(pairing_note(arms[0], arms[1]))}</small></th>"
    in_a, in_b = seed_pairs(arms[0], arms[1]) if diff else ([], [])
    rows = []
    start = common_start(arms)
    note = horizons_note(arms)
    reached = min(set().union(*(_months(a) for a in arms))) if arms else 0
    for name in names:
        m = measure(name)
        per_arm = [values(name, a.runs) for a in arms]
        cells = "".join(_cell(m.unit, v, a.start_date) for v, a in zip(per_arm, arms, strict=True))
        if diff and note and (m.through is None or m.through >= reached):
            cells += '<td class="num">n/a (horizons differ)</td>'
        elif diff:
            a, b = per_arm
            if in_a:
                d = b[in_b] - a[in_a]
                pairs = d.size
            else:  # no seed in both arms: difference of the means
                fa, fb = a[np.isfinite(a)], b[np.isfinite(b)]
                d = np.array([fb.mean() - fa.mean()]) if fa.size and fb.size else np.array([])
                pairs = d.size   # one difference, of what each arm has
            d = d[np.isfinite(d)]
            text = (format_difference(m.unit, float(d.mean())) + _of_runs(d.size, pairs, "pair")
                    if d.size else "n/a")
            cells += f'<td class="num">{_e(text)}</td>'
        rows.append(f"<tr><td>{_e(m.title(start))}</td>{cells}</tr>")
    return ((f'<p class="note"><b>{_e(note)}</b></p>' if note else "")
            + f'<div class="scroll"><table><tr><th>measure</th>{head}</tr>{"".join(rows)}'
            "</table></div>")


def timeline_html(source: Source) -> str:
    """Notable events of the first run of the first arm, as a dated table."""
    from sim.teaching.timeline import notable_events

    arm = source.arms[0]
    run = arm.runs[0]
    start = arm.start_date
    rows = []
    for entry in notable_events(run):
        who = f"<code>{_e(entry.actor)}</code>" if entry.actor else ""
        rows.append(f"<tr><td>{_e(month_label(entry.month, start))}</td>"
                    f'<td><span class="cat cat-{_e(entry.category)}">{_e(entry.category)}</span>'
                    f"</td><td>{_e(entry.text)}</td><td>{who}</td></tr>")
    where = f"{arm.label}, seed {run.summary.get('seed')}" if source.kind != "run" else \
        f"seed {run.summary.get('seed')}"
    intro = (f'<p class="note">From one run ({_e(where)}): <code>{_e(run.path)}</code>. Ask for '
             f"any firm's story with <code>baimo-explain {_e(shlex.quote(str(run.path)))} "
             "ACTOR</code>.</p>")
    return (intro + '<div class="scroll"><table><tr><th>date</th><th>what</th><th>event</th>'
            f"<th>actor</th></tr>{''.join(rows)}</table></div>")


def lesson_runs_note(source: Source) -> str:
    """What the lesson's runs did that its pack does not say: the overrides given to
    baimo-teach (from teach.json) and a replication count other than the pack's; "" when
    they ran as the pack is written. The report printed the pack's YAML only (horizon_months:
    48) above answers computed from 24-month runs of one replication."""
    pack = source.pack
    if pack is None or not source.manifest or not source.arms:
        return ""
    given = [o for o in source.manifest["arms"][0].get("overrides", []) if o != pack.experiment]
    reps = len(source.arms[0].runs)
    parts = []
    if given:
        parts.append(f"with the overrides {' '.join(given)} on top of the configuration above")
    if reps != pack.replications:
        parts.append(f"{commands.plural(reps, 'replication')} per arm (the pack has "
                     f"{pack.replications})")
    if not parts:
        return ""
    return ("These runs were not made as the pack is written: " + ", and ".join(parts)
            + ". The key numbers, plots and answers below come from these runs.")


def _answers_html(source: Source) -> str:
    from sim.teaching.answers import answer

    assert source.pack is not None
    parts = []
    for i, pred in enumerate(source.pack.predictions, 1):
        ans = answer(pred, source.arms)
        options = "".join(
            f'<li class="{"chosen" if ans.option == j else ""}">{_e(o.text)} '
            f'<small>({ans.counts[j]} of {left_sum(ans.counts)} replications)</small></li>'
            for j, o in enumerate(pred.options))
        why = f"<p>{_e(pred.why)}</p>" if pred.why else ""
        beside = ("<p>Read it with these numbers from the same runs (mean over the "
                  "replications, their range in brackets):</p><ul class=\"beside\">"
                  + "".join(f"<li>{_e(line)}</li>" for line in ans.beside) + "</ul>"
                  if ans.beside else "")
        parts.append(f"<h3>{i}. {_e(pred.ask)}</h3><details><summary>Reveal what the runs "
                     f'showed</summary><p class="answer">{_e(ans.text)}</p>{beside}'
                     f'<ol class="options">{options}</ol>{why}</details>')
    return "".join(parts)


def _predict_html(pack: Pack) -> str:
    items = []
    for pred in pack.predictions:
        opts = "".join(f"<li>{_e(o.text)}</li>" for o in pred.options)
        items.append(f'<li><p>{_e(pred.ask)}</p><ol class="options">{opts}</ol></li>')
    return ('<p>Before you look at any result, choose an answer to each question and write it '
            f'down. The answers are revealed at the end.</p><ol class="predict">{"".join(items)}'
            "</ol>")


def _try_html(pack: Pack) -> str:
    items = "".join(
        f"<li><pre>baimo-teach {_e(pack.name)} {_e(' '.join(t.overrides))}</pre>{_e(t.note)}</li>"
        for t in pack.tries)
    return f"<ul>{items}</ul>"


def _arms_html(source: Source) -> str:
    rows = []
    for arm in source.arms:
        over = " ".join(arm.overrides) if arm.overrides else "(none)"
        dirs = "<br>".join(f"<code>{_e(r.path)}</code> seed {_e(r.summary.get('seed'))}"
                           for r in arm.runs)
        rows.append(f"<tr><td>{_e(arm.label)}</td><td><code>{_e(over)}</code></td>"
                    f"<td>{dirs}</td></tr>")
    hashes = sorted({str(r.summary.get("config_hash", ""))[:12]
                     for a in source.arms for r in a.runs})
    ran = sorted({_ran_on(r.summary) for a in source.arms for r in a.runs} - {""})
    single = source.kind == "run" and len(source.arms) == 1
    meaning = ("Settings: the run's values away from today's defaults (the seed aside; the "
               "command it was run with is in its .hydra/overrides.yaml). " if single else
               "Settings: what sets each arm apart from the others. ")
    return ('<div class="scroll"><table><tr><th>arm</th><th>settings</th><th>runs</th></tr>'
            f"{''.join(rows)}</table></div><p class=\"note\">{_e(meaning)}Config hashes (first "
            "12 hex digits): "
            f"{_e(', '.join(hashes))}."
            + (f" Run on {_e('; '.join(ran))}." if ran else "") + "</p>")


def _ran_on(summary: dict[str, Any]) -> str:
    """What ran a run (summary.json's ``environment``), as one phrase; "" if it says not
    (a run an earlier baimo wrote)."""
    env = summary.get("environment")
    if not isinstance(env, dict):
        return ""
    libraries = ", ".join(f"{name} {v}" for name, v in sorted(env.items())
                          if name not in ("python", "machine", "system", MODEL_CODE, GIT_COMMIT))
    code = (f", baimo code {str(env[MODEL_CODE])[:MODEL_CODE_SHOWN]}" if MODEL_CODE in env
            else "")
    if GIT_COMMIT in env:
        commit = str(env[GIT_COMMIT])
        code += f" (commit {commit[:MODEL_CODE_SHOWN]}{commit[40:]})" \
            if re.match(r"[0-9a-f]{40}", commit) else f" ({commit})"
    return (f"Python {env.get('python', '?')} ({env.get('system', '?')} "
            f"{env.get('machine', '?')}), {libraries}{code}")


#: How many hex digits of the hash of the code that ran a run (summary.json's
#: MODEL_CODE) the report shows: as git shows a commit, enough to tell two apart.
MODEL_CODE_SHOWN = 12


def plotted_arms(arms: list[Arm]) -> list[Arm]:
    """At most MAX_PLOT_ARMS arms (line styles stay distinct): the first, the last, and
    evenly spaced ones between them."""
    if len(arms) <= MAX_PLOT_ARMS:
        return arms
    picks = np.linspace(0, len(arms) - 1, MAX_PLOT_ARMS).round().astype(int)
    return [arms[i] for i in dict.fromkeys(picks.tolist())]


def _plots_html(arms: list[Arm], names: tuple[str, ...]) -> str:
    from sim.report_plots import REPORT_PLOTS

    parts = []
    for name in names:
        plot = REPORT_PLOTS[name]
        parts.append(_figure_html(plot.build(arms), plot.title, plot.caption_for(arms)))
    return "".join(parts)


def _design_size(source: Source) -> str:
    """A design's points (a Morris design's trajectories too) and runs: "27 points (3
    trajectories of 9), each run 2 times (54 runs)"."""
    design = source.design or {}
    points = len(design["matrix"])
    runs = len([run for arm in source.arms for run in arm.runs])
    what = plural(points, "point")
    if design.get("kind") == "morris" and design.get("keys"):
        size = len(design["keys"]) + 1
        what += f" ({plural(points // size, 'trajectory', 'trajectories')} of {size})"
    if points and runs % points == 0 and runs // points > 1:
        what += f", each run {runs // points} times ({plural(runs, 'run')})"
    elif runs != points:
        what += f" ({plural(runs, 'run')} finished)"
    return what


def design_html(source: Source) -> str:
    """A design sweep's ranges and, for Morris and Sobol, its sensitivity ranking and plots."""
    from sim.config import field_metadata
    from sim.sweep.plots import plot_sensitivity, plot_sensitivity_overview
    from sim.sweep.sensitivity import SENSITIVITY_TABLE, Sensitivity

    design = source.design or {}
    rows = "".join(f"<tr><td><code>{_e(k)}</code></td><td class=\"num\">{lo:g}</td>"
                   f"<td class=\"num\">{hi:g}</td>"
                   f"<td>{_e(field_metadata(k).get('unit', ''))}</td></tr>"
                   for k, (lo, hi) in zip(design["keys"], design["bounds"], strict=True))
    parts = [f"<p>A <b>{_e(design['kind'])}</b> design over {len(design['keys'])} "
             f"parameters: {_design_size(source)}, drawn within these ranges:</p>"
             f"<table><tr><th>parameter</th><th>low</th><th>high</th><th>unit</th></tr>{rows}"
             "</table>"]
    path = source.path / SENSITIVITY_TABLE
    if not path.is_file():
        return "".join(parts)
    try:
        table = pd.read_parquet(path)
    except (OSError, ValueError):
        return "".join(parts) + '<p class="note">sensitivity.parquet is unreadable; rebuild ' \
            f"it with: baimo aggregate {_e(shlex.quote(str(source.path)))}</p>"
    result = Sensitivity(str(design["kind"]), table, {}, float(design.get("confidence", 0.95)))
    ranking = "".join(f"<tr><td>{i}</td><td><code>{_e(r.parameter)}</code></td>"
                      f"<td class=\"num\">{r.mean_normalised:.3g}</td>"
                      f"<td class=\"num\">{r.outcomes_top3}</td></tr>"
                      for i, r in enumerate(result.overall().itertuples(index=False), start=1))
    parts.append("<h3>Which parameters matter</h3><p class=\"note\">Each outcome's index "
                 "divided by its largest, averaged over the outcomes (sensitivity.md has every "
                 "index with its confidence interval).</p><table><tr><th>rank</th>"
                 "<th>parameter</th><th>mean normalised index</th><th>outcomes where top 3</th>"
                 f"</tr>{ranking}</table>")
    if not table.empty:
        parts.append(_figure_html(plot_sensitivity_overview(result), "sensitivity overview",
                                  "Rows: parameters by overall rank; columns: outcomes."))
        for outcome in dict.fromkeys(table["outcome"].tolist()):
            parts.append(_figure_html(plot_sensitivity(result, outcome), str(outcome),
                                      "Bars: the index with its confidence interval."))
    return "".join(parts)


def _section(ident: str, title: str, body: str) -> tuple[str, str, str]:
    return ident, title, f'<section id="{ident}"><h2>{_e(title)}</h2>{body}</section>'


def render(source: Source) -> str:
    """The whole report as one HTML document."""
    from sim.report_plots import DEFAULT_PLOTS

    pack = source.pack
    arms = source.arms
    reps = sorted({len(a.runs) for a in arms})
    how = (f"Lines are the mean over {'/'.join(map(str, reps))} replication(s); shaded bands "
           "the range (lowest to highest). " if max(reps) > 1 else "")
    over = "replications"
    if source.design is not None:   # its points are one arm: their spread is the design's
        how = (f"Lines are the mean over the design's {_design_size(source)}; shaded bands "
               "the range (lowest to highest): the spread over the design's settings, not an "
               "interval of uncertainty. ")
        over = "the design's runs (every point and replication)"
    sections: list[tuple[str, str, str]] = []
    if pack is not None:
        change = _markdown(pack.sections["What the scenario changes"])
        yaml_text = pack.yaml_path.read_text(encoding="utf-8")
        off = lesson_runs_note(source)
        sections.append(_section("lesson", "The lesson",
                                 _markdown(pack.sections["Background"])
                                 + "<h3>What the scenario changes</h3>" + change
                                 + f"<p>The pack's configuration (<code>{_e(pack.experiment)}"
                                 f"</code>):</p><pre>{_e(yaml_text)}</pre>"
                                 + (f'<p class="note"><b>{_e(off)}</b></p>' if off else "")))
        sections.append(_section("predict", "Predict first", _predict_html(pack)))
    keys = pack.key_numbers if pack is not None and pack.key_numbers else DEFAULT_KEY_NUMBERS
    if source.design is not None:
        sections.append(_section("design", "Design and sensitivity", design_html(source)))
    labelled = f" {source.labels_note}" if source.labels_note else ""
    table = key_numbers_html(reference_first(source), keys)
    if pack is not None:   # folded, as the answers are: the table gives them away
        table = (f"<details><summary>{_e(KEY_NUMBERS_FOLD)}</summary>{table}</details>")
    sections.append(_section("key-numbers", "Key numbers",
                             f'<p class="note">Mean over {_e(over)}; the small line is the '
                             f"range.{_e(labelled)}</p>{table}"))
    plots = pack.plots if pack is not None and pack.plots else DEFAULT_PLOTS
    notice = "" if pack is None else \
        "<h3>What to notice</h3>" + _markdown(pack.sections["What to notice in the plots"])
    shown = plotted_arms(arms)
    if len(shown) < len(arms):
        how += (f"The plots show {len(shown)} of the {len(arms)} settings (" +
                "; ".join(a.label for a in shown) + "); the key numbers show all. ")
    sections.append(_section("plots", "Outcome plots",
                             f'<p class="note">{_e(how)}Dotted vertical lines mark hype shocks '
                             f"and export controls.</p>{notice}{_plots_html(shown, plots)}"))
    sections.append(_section("timeline", "Timeline of notable events", timeline_html(source)))
    if pack is not None:
        sections.append(_section("answers", "Predict-first answers", _answers_html(source)))
        sections.append(_section("try", "Things to try", _try_html(pack)))
        sections.append(_section("discussion", "Discussion questions",
                                 _markdown(pack.sections["Discussion questions"])))
    sections.append(_section("runs", "Runs in this report", _arms_html(source)))
    if pack is not None:
        title, question = pack.title, pack.question
    elif source.manifest:
        title, question = str(source.manifest.get("title")), str(source.manifest.get("question"))
    else:
        title = "baimo run report" if source.kind == "run" else "baimo sweep report"
        question = ""
    nav = "".join(f'<a href="#{ident}">{_e(t)}</a>' for ident, t, _ in sections)
    notes = "".join(f'<p class="note">{_e(n)}</p>' for n in source.notes)
    when = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    meta = (f"{source.kind} report for <code>{_e(source.path)}</code>: {len(arms)} arm(s), "
            f"{source.runs} run(s). Generated {when} by baimo {_e(__version__)}.")
    q = f'<p class="question">{_e(question)}</p>' if question else ""
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{_e(title)}</title><style>{CSS}</style></head><body>"
            f'<header><h1>{_e(title)}</h1>{q}<p class="meta">{meta}</p>{notes}</header>'
            f"<nav>{nav}</nav>{''.join(s for _, _, s in sections)}"
            f'<footer><p class="meta">baimo {_e(__version__)}: a market simulator of China\'s '
            "large-model industry. Outcomes are what the simulated agents did; they are not "
            "forecasts.</p></footer></body></html>\n")


def build_report(source: Source, dest: Path) -> Path:
    """Render ``source`` and write it to ``dest`` atomically."""
    from sim.outputs import atomic_write

    text = render(source)
    atomic_write(dest, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    return dest


def report_path(source: Source) -> Path:
    """Where ``baimo-report`` writes: <outputs>/reports/<directory name>/<timestamp>/report.html."""
    name = source.path.resolve().name or "report"
    if source.kind == "lesson":  # <outputs>/reports/<pack>_<lesson timestamp>/...
        name = f"{source.manifest.get('pack', 'lesson')}_{name}"
    return fresh_dir(output_root() / "reports" / name, output_root()) / "report.html"


def fail(message: str) -> NoReturn:
    """One line to stderr, exit code 2."""
    commands.fail("baimo-report", message)


@commands.console_command("baimo-report")
def main(argv: list[str] | None = None) -> None:
    """Console entry point."""
    parser = OneLineParser(
        prog="baimo-report",
        description="Write a self-contained HTML report for a run directory, a directory of runs "
                    "(a sweep) or a baimo-teach directory.")
    commands.add_version(parser)
    parser.add_argument("directory", help="run, sweep or baimo-teach directory",
                        type=commands.path_argument("a run directory, a directory of runs (a "
                                                    "sweep) or a baimo-teach directory"))
    parser.add_argument("--skip-unfinished", action="store_true",
                        help="leave out a sweep's runs that have no COMPLETE marker, failed "
                             "jobs, and stale ones (finished with a different configuration "
                             "than sweep.json records)")
    args = parser.parse_args(argv)
    try:
        source = load_source(args.directory, skip_unfinished=args.skip_unfinished)
    except OSError as exc:   # a directory it may not enter, somewhere in the walk
        fail(f"cannot read {args.directory}: {commands.os_error_line(exc)}; give a run "
             "directory, a directory of runs (a sweep) or a baimo-teach directory")
        return
    for note in source.notes:
        print(f"baimo-report: note: {note}", file=sys.stderr)
    try:
        dest = build_report(source, report_path(source))
    except OSError as exc:
        fail(f"cannot write the report under the outputs root {output_root()} "
             f"({commands.os_error_reason(exc)}); set BAIMO_OUTPUT_ROOT to a writable "
             "directory")
        return
    print(f"baimo-report: wrote {shlex.quote(str(dest))}")


if __name__ == "__main__":
    main()
