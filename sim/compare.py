"""``baimo-compare A [B ...]``: what differs between runs or sweeps, with confidence intervals.

Each input is a run directory (one replication), a directory of run directories
(one arm, its runs as the replications: a baimo-teach lesson's ``runs/scenario``)
or a sweep directory (one arm per setting, its replications as the sample; one sweep
of two settings or more is enough). The first arm is the reference, or the one
``--reference`` names (a label or a sweep setting: ``baimo-compare SWEEP --reference
funds.term_years=5`` compares a grid's other fund terms with its 5 years).
For every key outcome the comparison gives each arm's mean over replications
and its difference from the reference with a 95% confidence interval: paired by
replication when both arms ran the same seeds (sweeps with the same base seed and
replications use the same seeds: common random numbers), or over the seeds both ran
when every seed of one arm is among the other's (a 10-replication baseline beside a
5-replication experiment), two-sample otherwise.
Below ``T_BELOW_N`` (30) replications the interval is Student's t (paired t, or
Welch's); from there on the bootstrap (``scipy.stats.bootstrap``). It writes, to
``<output root>/compare/<timestamp>/``::

    comparison.parquet   one row per outcome and arm: runs, n, mean, sd, difference, CI, paired,
                         significant, interval (which method gave the CI), note,
                         left_out (undefined replications the difference, or the
                         reference arm's mean, left out)
    outcomes.parquet     the per-replication outcomes of every arm (what the CIs rest on)
    compare.json         inputs, arms (their sources, absolute too, and what ran them: config
                         hashes, code hash and git commit, settings away from today's
                         defaults), seeds, pairing (the seeds paired on, and what a
                         pairing over some of them left out), the sweeps' jobs left out
                         with --skip-unfinished, method settings
    summary.md           the table and notes in Markdown
    plots/overlay_*.png  key monthly series: mean of each arm and its 90% band
    COMPLETE             written last

and prints the table. A missing, unfinished, unreadable or mismatched input
stops it with one line ``baimo-compare: error: ...`` and exit code 2.
"""

from __future__ import annotations

import argparse
import math
import numbers
import re
import shlex
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import numpy as np
import pandas as pd

from sim import commands
from sim.commands import OneLineError, OneLineParser, plural
from sim.outputs import (
    COMPLETE,
    GIT_COMMIT,
    MODEL_CODE,
    SWEEP_TABLE,
    OutputError,
    fresh_dir,
    is_complete,
    looks_like_run,
    mark_complete,
    output_root,
    run_settings,
    write_json,
    write_parquet,
)
from sim.sweep.outcomes import (
    JOB_KEYS,
    KEY_OUTCOMES,
    KEY_SERIES,
    PARAM_PREFIX,
    read_outcomes,
    series_values,
    setting_label,
    setting_overrides,
)
from sim.sweep.spec import AD_HOC_SWEEP, NAME_PARTS, SWEEP_MANIFEST

PROG = "baimo-compare"
COMPARE_DIR = "compare"
TABLE = "comparison.parquet"
OUTCOMES = "outcomes.parquet"
META = "compare.json"
SUMMARY_MD = "summary.md"
PLOTS = "plots"

#: Defaults of the command's options (tool settings, not model parameters).
DEFAULT_CONFIDENCE = 0.95
DEFAULT_RESAMPLES = 9999
#: Allowed resamples: fewer make the interval's ends noise; more than the upper bound hold
#: (resamples x replications) floats at once in scipy's vectorised bootstrap (1e11 of them
#: would need terabytes) for no visible gain in the interval.
MIN_RESAMPLES, MAX_RESAMPLES = 100, 1_000_000
DEFAULT_BOOTSTRAP_SEED = 0
#: What an overlay's legend says of an arm with no defined value in any month.
UNDEFINED_EVERY_MONTH = "undefined in every month"
#: The band drawn around each arm's mean in overlay plots: central 90% of replications.
BAND_LOW_Q, BAND_HIGH_Q = 0.05, 0.95

#: Below this many replications (the pairs when paired, else the smaller arm's) a difference's
#: interval is Student's t: the paired-t interval of the mean difference, or Welch's
#: two-sample interval: the textbook interval for comparing simulated systems (Law & Kelton,
#: Simulation Modeling and Analysis, ch. 10). The bootstrap only resamples the few values there
#: are: with 2 its interval is their range, far too narrow to claim a difference on; t widens
#: as the degrees of freedom fall (t_0.975 is 12.7 at one). Nor is the BCa bootstrap fair
#: until some 30 values: its nominal 95% intervals covered the mean of normal differences
#: 90% of the time at 10 values and 93.5% at 20 (t: 95%), and skewed (lognormal) ones no
#: better than t (84-86% against 84-85%; a statistical audit, 2026-12-06), so from 10 to 29
#: replications it starred about twice the differences it should. From 30 on the two agree
#: within a point or two, and the bootstrap assumes no normal distribution.
T_BELOW_N = 30
#: When every difference is the same (no spread) the interval is that point; it is starred
#: only from this many replications on: at 2-4 replications equal differences are too easily
#: a coincidence of integer counts (one startup more in each of two runs).
MIN_EXACT_N = 5
#: What gave a difference's interval (comparison.parquet's ``interval``).
PAIRED_T, WELCH_T = "paired t", "Welch t"
BOOTSTRAP_BCA, BOOTSTRAP_PERCENTILE = "bootstrap BCa", "bootstrap percentile"
NO_SPREAD = "no spread"        # every difference the same: the interval is the point
NO_INTERVAL = "none"           # fewer than two replications, or undefined values
INTERVALS = (PAIRED_T, WELCH_T, BOOTSTRAP_BCA, BOOTSTRAP_PERCENTILE, NO_SPREAD, NO_INTERVAL)


class CompareError(OneLineError, ValueError):
    """An input cannot be compared (one-line message)."""


@dataclass
class Arm:
    """One thing being compared: a run, or one setting of a sweep, and its replications."""

    label: str
    source: Path
    kind: str                       # "run", "runs" (a directory of runs) or "sweep"
    setting: str                    # the sweep setting ("" for a run or a replications-only sweep)
    outcomes: pd.DataFrame          # one row per replication: seed + flat outcomes
    metrics: pd.DataFrame           # stacked monthly metrics, column "seed" keys the replication
    run_dir: Path | None = None     # one of its run directories (its config.json: the settings)

    @property
    def seeds(self) -> list[int]:
        """Seeds of the replications, in order."""
        return [int(s) for s in self.outcomes["seed"]]

    @property
    def n(self) -> int:
        """Number of replications."""
        return len(self.outcomes)


@dataclass
class Comparison:
    """What ``compare`` found and wrote."""

    arms: list[Arm]
    table: pd.DataFrame
    left_out: dict[str, str] = field(default_factory=dict)   # key outcome -> why not compared
    chance: str | None = None       # chance_note of the table
    pairing: list[str] = field(default_factory=list)   # pairing_notes of the arms
    skipped_jobs: list[str] = field(default_factory=list)   # sweeps' jobs left out
    design: list[str] = field(default_factory=list)   # design_notes of the inputs
    settings: list[str] = field(default_factory=list)   # setting_notes of the inputs
    directory: Path | None = None
    written: list[Path] = field(default_factory=list)


# ---------------------------------------------------------------- reading inputs

def numeric_outcomes(outcomes: pd.DataFrame) -> pd.DataFrame:
    """``outcomes`` with every column of numbers and undefined values (summary.json's null)
    as floats, undefined as NaN. A run's undefined outcome is otherwise a column of None
    (object dtype), which no numeric test accepts, where a sweep's is NaN among numbers:
    a run and a sweep arm must be read alike. Text (config_hash) stays text."""
    out = outcomes.copy()
    for column in out.columns:
        if out[column].dtype == object and all(
                isinstance(v, numbers.Real) for v in out[column] if v is not None):
            out[column] = out[column].astype(float)
    return out


def _load_run(path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    if not is_complete(path):
        raise CompareError(f"{path}: not a finished run (no {COMPLETE} marker): it is still "
                           "running or was interrupted; rerun it")
    try:
        row, metrics = read_outcomes(path)
    except OutputError as exc:
        raise CompareError(str(exc)) from None
    outcomes = numeric_outcomes(pd.DataFrame([row]))
    metrics = metrics.copy()
    metrics.insert(0, "seed", int(row["seed"]))
    return outcomes, metrics


def _load_sweep(path: Path, skip_unfinished: bool = False,
                notes: list[str] | None = None
                ) -> list[tuple[str, pd.DataFrame, pd.DataFrame, Path]]:
    """Each setting of the sweep at ``path``: its setting, outcomes per replication, monthly
    metrics, and the directory of its first job. Jobs not complete (failed, unfinished,
    stale) are refused, or with ``skip_unfinished`` left out and said so in ``notes`` (a
    setting none of whose jobs is complete goes with them)."""
    from sim.sweep.aggregate import STATUS_COMPLETE, collect

    try:
        tables = collect(path)
    except OutputError as exc:
        raise CompareError(str(exc)) from None
    jobs = tables.jobs
    unfinished = jobs[jobs["status"] != STATUS_COMPLETE]
    if not unfinished.empty:
        counts = ", ".join(f"{v} {k}" for k, v in unfinished["status"].value_counts().items())
        what = (f"{len(unfinished):,} of {plural(len(jobs), 'job')} "
                f"{'is' if len(unfinished) == 1 else 'are'} not complete ({counts})")
        if not skip_unfinished or len(unfinished) == len(jobs):
            raise CompareError(f"{path}: {what}; finish the sweep by running its command "
                               "again" + ("" if skip_unfinished else
                                          ", or pass --skip-unfinished to leave them out"))
        if notes is not None:
            notes.append(f"{path}: {what}; left out: {', '.join(map(str, unfinished['job']))}")
        jobs = jobs[jobs["status"] == STATUS_COMPLETE]
    arms = []
    for setting, rows in jobs.groupby("setting", sort=False):
        metrics = tables.metrics[tables.metrics["setting"] == setting]
        outcomes = rows.drop(columns=["job", "setting", "status", "error"]).reset_index(drop=True)
        outcomes = numeric_outcomes(outcomes)
        arms.append((str(setting), outcomes, metrics.reset_index(drop=True),
                     path / str(rows["job"].iloc[0])))
    return arms


def _natural(name: str) -> list[Any]:
    """Sort key: rep-2 before rep-10."""
    return [(0, int(part), "") if part.isdigit() else (1, 0, part)
            for part in re.split(r"(\d+)", name)]


def _run_children(path: Path) -> list[Path]:
    """The run directories in ``path`` (naturally sorted), if it holds runs; [] if none.
    CompareError for a directory among them that is no run (an interrupted run's)."""
    children = sorted((c for c in path.iterdir() if c.is_dir() and not c.name.startswith(".")),
                      key=lambda c: _natural(c.name))
    runs = [c for c in children if looks_like_run(c)]
    if runs and len(runs) < len(children):
        other = next(c for c in children if not looks_like_run(c))
        raise CompareError(f"{other}: not a run directory (no summary.json or {COMPLETE}), "
                           f"but {path} holds runs: a run that never started? remove it or "
                           "rerun it")
    return runs


def _load_runs(runs: list[Path]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The runs of a directory of runs as one arm: one replication each."""
    loaded = [_load_run(run) for run in runs]
    return (pd.concat([o for o, _ in loaded], ignore_index=True),
            pd.concat([m for _, m in loaded], ignore_index=True))


def _teach_directory(path: Path) -> Path | None:
    """The baimo-teach lesson directory ``path`` is, or whose ``runs/`` it is; else None."""
    from sim.teaching.runner import MANIFEST as TEACH_MANIFEST

    for candidate in (path, path.parent):
        if (candidate / TEACH_MANIFEST).is_file() and (candidate == path or path.name == "runs"):
            return candidate
    return None


def _teach_hint(path: Path, lesson: Path) -> str:
    """What to compare instead of a lesson directory: its arms' directories of runs
    (baseline first: the lesson's differences are scenario minus baseline)."""
    from sim.teaching.runner import BASELINE_ARM

    runs = lesson / "runs"
    names = sorted((d.name for d in runs.iterdir() if d.is_dir()) if runs.is_dir() else [],
                   key=lambda n: (n != BASELINE_ARM, n))
    head = (f"{path}: a baimo-teach directory, not a run or sweep" if path == lesson else
            f"{path}: a baimo-teach lesson's runs, one directory of runs per arm")
    if not names:
        return f"{head}, and it holds no runs (runs/<arm>/rep-<k>): was the lesson interrupted?"
    dirs = " ".join(shlex.quote(str(runs / n)) for n in names)
    if len(names) == 1:
        return f"{head}; its runs are in {dirs}: compare them with another input: {PROG} " \
               f"{dirs} OTHER_DIR"
    return f"{head}; compare its arms with: {PROG} {dirs}"


def load_arms(paths: list[Path], reference: str | None = None,
              skip_unfinished: bool = False, notes: list[str] | None = None) -> list[Arm]:
    """The arms of every input, in order, but for the arm ``reference`` names (see
    :func:`reference_first`), which goes first; CompareError (one line) if an input is
    unusable. One sweep directory of two settings or more is enough. ``skip_unfinished``:
    a sweep's jobs not complete are left out, each sweep's said in ``notes``."""
    if not paths:
        raise CompareError("give a sweep directory, or two run or sweep directories, to compare")
    for path in paths:   # before any is resolved: a symlink loop resolves to an error
        if not path.exists():
            raise CompareError(f"{path}: no such directory")
        if not path.is_dir():
            raise CompareError(f"{path}: not a directory (give a run or sweep directory)")
    seen: set[Path] = set()
    arms: list[Arm] = []
    names = _short_names(paths)
    for path, name in zip(paths, names, strict=True):
        resolved = path.resolve()
        if resolved in seen:
            raise CompareError(f"{path}: given twice")
        seen.add(resolved)
        if (path / SWEEP_MANIFEST).is_file():
            alone = len(paths) == 1   # every arm is this sweep's: its settings name them
            for setting, outcomes, metrics, job in _load_sweep(path, skip_unfinished, notes):
                shown = setting_label(setting)
                label = shown if alone else name if not setting else f"{name}[{shown}]"
                arms.append(Arm(label, path, "sweep", setting, outcomes, metrics, job))
        elif looks_like_run(path):
            outcomes, metrics = _load_run(path)
            arms.append(Arm(name, path, "run", "", outcomes, metrics, path))
        elif (teach := _teach_directory(path)) is not None:
            raise CompareError(_teach_hint(path, teach))
        elif runs := _run_children(path):
            outcomes, metrics = _load_runs(runs)
            arms.append(Arm(name, path, "runs", "", outcomes, metrics, runs[0]))
        else:
            raise CompareError(f"{path}: neither a run directory (summary.json, COMPLETE) nor a "
                               f"directory of runs nor a sweep directory ({SWEEP_MANIFEST})")
    if len(arms) < 2:
        raise CompareError("the inputs hold only one run or setting: nothing to compare (give "
                           "at least two run directories, or a sweep of two settings or more)")
    if reference is not None:
        arms = reference_first(arms, reference)
    _check_matching(arms)
    return arms


#: ``--reference defaults``: the arm that kept the model's defaults (:func:`defaults_arm`).
DEFAULTS = "defaults"


def _changes(arm: Arm) -> set[str] | None:
    """The settings ``arm``'s runs changed from today's defaults (``key=value``, seed
    aside); None if its config is not there to read."""
    from sim.configuration import changed_from_defaults, default_settings

    ran = run_settings(arm.run_dir) if arm.run_dir is not None else None
    return None if ran is None else set(changed_from_defaults(ran, default_settings()))


def defaults_arm(arms: list[Arm]) -> Arm:
    """The arm that kept the model's defaults wherever the arms differ: its runs changed
    from today's defaults (``conf/`` with no override) only what every arm changed (an
    experiment's own settings), e.g. ``data.spillover=0.6`` of ``data_protection``.
    CompareError (one line) if no arm, or more than one, did."""
    changes = {id(arm): _changes(arm) for arm in arms}
    known = [c for c in changes.values() if c is not None]
    shared = set.intersection(*known) if known else set()
    found = [arm for arm in arms if changes[id(arm)] == shared]
    if len(found) != 1:
        listed = "; ".join(a.label for a in (found or arms))
        why = (f"{len(found)} arms kept the model's defaults where the arms differ: {listed}"
               if found else f"no arm kept the model's defaults where the arms differ (the "
               f"arms are: {listed})")
        raise CompareError(f"--reference {DEFAULTS}: {why}; name the reference by its label "
                           "or setting")
    return found[0]


def reference_first(arms: list[Arm], reference: str) -> list[Arm]:
    """``arms`` with the one ``reference`` names moved first (the others keep their order).

    ``reference`` names an arm by its label as the table shows it
    (``investor_patience[funds.term_years=5]``), or by its sweep setting
    (``funds.term_years=5``; of a setting of several overrides, the whole
    setting as shown or any one override that only this arm has), or ``defaults``: the
    arm that kept the model's defaults (:func:`defaults_arm`). Whole names only: a
    part of one (``x=1`` of ``x=10``) would pick an arm the user did not mean. It must
    name exactly one arm: CompareError (one line, listing the candidates) if none or
    several.
    """
    def names(arm: Arm) -> set[str]:
        shown = [setting_label(arm.setting)] if arm.setting else []
        return {arm.label, *shown, *setting_overrides(arm.setting)}

    matches = [a for a in arms if reference in names(a)]
    if reference == DEFAULTS and not matches:
        chosen = defaults_arm(arms)
        return [chosen, *(a for a in arms if a is not chosen)]
    if len(matches) != 1:
        found = "names no arm" if not matches else f"names {len(matches)} arms"
        listed = "; ".join(a.label for a in (matches or arms))
        raise CompareError(f"--reference {reference}: {found}; "
                           f"{'they are' if matches else 'the arms are'}: {listed}")
    chosen = matches[0]
    return [chosen, *(a for a in arms if a is not chosen)]


def _short_names(paths: list[Path]) -> list[str]:
    """Labels for inputs: the experiment part of the directory name if unique, else more;
    an ad-hoc sweep's in full (``sweep__compute.production_cost_mcny=0.18``: its fixed
    overrides are all that tell it from the others)."""
    def short(p: Path) -> str:
        name = p.resolve().name
        experiment = name.split(NAME_PARTS, 1)[0]
        return name if experiment == AD_HOC_SWEEP else experiment

    names = [short(p) for p in paths]
    if len(set(names)) < len(names):
        names = [p.resolve().name for p in paths]
    if len(set(names)) < len(names):
        names = [f"{i + 1}:{n}" for i, n in enumerate(names)]
    return names


def _span(arm: Arm) -> tuple[str, int]:
    months = arm.metrics["month"]
    start = pd.to_datetime(arm.metrics["date"]).min().strftime("%Y-%m")
    return start, int(months.max()) + 1 if len(months) else 0


def _check_matching(arms: list[Arm]) -> None:
    ref = arms[0]
    ref_start, ref_months = _span(ref)
    for arm in arms:
        if arm.n == 0 or arm.metrics.empty:
            raise CompareError(f"{arm.source}: {arm.label} has no finished replications")
        start, months = _span(arm)
        if (start, months) != (ref_start, ref_months):
            raise CompareError(
                f"{arm.source}: {arm.label} covers {plural(months, 'month')} from {start} but "
                f"{ref.label} covers {plural(ref_months, 'month')} from {ref_start}; compare "
                "runs with the same horizon_months and start_date")
    if not outcome_columns(arms):
        raise CompareError("the inputs share no key outcome (different baimo versions?)")


def outcome_columns(arms: list[Arm], wanted: list[str] | None = None) -> list[str]:
    """Outcomes present and numeric in every arm (the key outcomes unless ``wanted``); what
    names a replication (its seed, its index) is none, numeric as it is."""
    # an --outcome given twice is compared once (twice, its columns clashed: a traceback)
    keys = list(dict.fromkeys(wanted)) if wanted is not None else list(KEY_OUTCOMES)
    found = []
    for key in keys:
        if key in JOB_KEYS or key.startswith(PARAM_PREFIX):   # a job's name and its setting
            continue
        if all(key in a.outcomes.columns and pd.api.types.is_numeric_dtype(a.outcomes[key])
               for a in arms):
            found.append(key)
    return found


def _nearest_outcome(arms: list[Arm], key: str) -> str:
    """" (did you mean X?)" for the numeric outcome of every input nearest ``key``, or ""."""
    import difflib

    shared = set.intersection(*(set(a.outcomes.columns) for a in arms))
    close = difflib.get_close_matches(key, outcome_columns(arms, sorted(shared)), n=1)
    return f" (did you mean {close[0]}?)" if close else ""


def left_out(arms: list[Arm], compared: list[str]) -> dict[str, str]:
    """The key outcomes not compared, and why: missing from an input (an older baimo), or
    not a number there."""
    why = {}
    for key in KEY_OUTCOMES:
        if key in compared:
            continue
        missing = [a.label for a in arms if key not in a.outcomes.columns]
        text = [a.label for a in arms if key in a.outcomes.columns
                and not pd.api.types.is_numeric_dtype(a.outcomes[key])]
        why[key] = (f"not in {', '.join(missing)}" if missing
                    else f"not a number in {', '.join(text)}")
    return why


# ---------------------------------------------------------------- statistics

#: Fewest seeds two arms that did not run the same ones are paired over (one pair has no
#: interval, and its difference is one seed's, not the arms').
MIN_SHARED_SEEDS = 2


def pair_seeds(ref: Arm, arm: Arm) -> list[int]:
    """The seeds on which ``arm`` is compared with the reference ``ref`` pairwise: every seed
    when the two ran the same ones; when every seed of one is among the other's (a
    baseline of 10 replications beside an experiment of 5, the same base seed), those it
    ran, the other arm's extra runs then left out of the difference, if at least
    :data:`MIN_SHARED_SEEDS` (a single run beside a sweep is one sample); none otherwise (two
    independent samples). Each seed must appear once in each arm."""
    a, b = ref.seeds, arm.seeds
    if not a or not b or len(set(a)) != len(a) or len(set(b)) != len(b):
        return []
    if sorted(a) == sorted(b):
        return sorted(a)
    shared = set(a) & set(b)
    return sorted(shared) if shared in (set(a), set(b)) and len(shared) >= MIN_SHARED_SEEDS \
        else []


def paired(ref: Arm, arm: Arm) -> bool:
    """Whether ``arm``'s replications are compared with the reference's pairwise."""
    return bool(pair_seeds(ref, arm))


def _unpartnered(ref: Arm, arm: Arm) -> tuple[int, int]:
    """How many runs of ``ref`` and of ``arm`` a pairing over their shared seeds leaves out
    (both 0 when they ran the same seeds, or are not paired)."""
    shared = set(pair_seeds(ref, arm))
    if not shared:
        return 0, 0
    return (len([s for s in ref.seeds if s not in shared]),
            len([s for s in arm.seeds if s not in shared]))


def pairing_note(ref: Arm, arm: Arm) -> str | None:
    """What a pairing over some of the seeds left out, e.g. "X is paired with the reference
    over the 5 seeds both ran: its differences leave out 5 runs of baseline; its mean is
    over all its runs" (compare.json's ``paired_seeds`` lists the seeds); None when the
    pairing keeps every run, or there is none."""
    extra = _unpartnered(ref, arm)
    if not any(extra):
        return None
    left = [f"{plural(n, 'run')} of {a.label}" for a, n in zip((ref, arm), extra, strict=True)
            if n]
    return (f"{arm.label} is paired with the reference over the "
            f"{plural(len(pair_seeds(ref, arm)), 'seed')} both ran: its differences leave out "
            f"{' and '.join(left)}; its mean is over all its runs")


def pairing_notes(arms: list[Arm]) -> list[str]:
    """The :func:`pairing_note` of every arm beside the reference ``arms[0]`` that has one,
    arms that leave out the same runs of the reference, and none of their own, said in
    one line: six settings of an experiment beside a longer baseline are one note."""
    ref, notes = arms[0], []
    alike: dict[tuple[int, ...], list[Arm]] = {}
    for arm in arms[1:]:
        ours, theirs = _unpartnered(ref, arm)
        if ours and not theirs:
            alike.setdefault(tuple(pair_seeds(ref, arm)), []).append(arm)
        elif note := pairing_note(ref, arm):
            notes.append(note)
    for seeds, group in alike.items():
        if len(group) == 1:
            notes.append(str(pairing_note(ref, group[0])))
            continue
        left = plural(len(ref.seeds) - len(seeds), "run")
        notes.append(f"{len(group)} arms ({'; '.join(a.label for a in group)}) are each "
                     f"paired with the reference over the {plural(len(seeds), 'seed')} they "
                     f"all ran: their differences leave out {left} of {ref.label}; each "
                     "arm's mean is over all its runs")
    return notes


def design_notes(arms: list[Arm]) -> list[str]:
    """What each design sweep among the arms' inputs is, e.g. "sweeps/x is a morris design
    of 152 points over 18 parameters: each arm is one point, ...": its arms are named by
    their point (``sample=3``), and each varies every parameter at once, so a difference
    from the reference is no one parameter's effect; the note says where each point's
    values and the sweep's own analysis are."""
    from sim.sweep.aggregate import load_manifest
    from sim.sweep.design import SENSITIVITY
    from sim.sweep.sensitivity import SENSITIVITY_REPORT

    notes = []
    for source in dict.fromkeys(a.source for a in arms if a.kind == "sweep"):
        design = load_manifest(source).get("design")
        if not design:
            continue
        kind, keys = str(design["kind"]), list(design["keys"])
        analysis = (f"its {SENSITIVITY_REPORT} ranks the parameters" if kind in SENSITIVITY
                    else "its plots show each outcome against each parameter")
        notes.append(f"{source} is a {kind} design of "
                     f"{plural(len(design['matrix']), 'point')} over "
                     f"{plural(len(keys), 'parameter')}: each arm is one point (sample=N), "
                     "away from the reference in several parameters at once, so a difference "
                     "is no one parameter's effect; the param.* columns of its "
                     f"{SWEEP_TABLE} hold each point's values, and {analysis}")
    return notes


def setting_notes(arms: list[Arm]) -> list[str]:
    """What an input's arms all changed from today's defaults that their labels do not show
    and not every other input changed, e.g. "sweeps/investor_patience's arms also change
    funds.term_spread_years=0.5 ...": beside another experiment's arms, the one labelled
    ``funds.term_years=4`` read as the baseline (found by following the README as a new
    user; only compare.json's ``changed_from_defaults`` said it). Only sweeps whose arms are
    labelled by their settings get a note: a run's or a one-setting sweep's label is its
    directory's name, which shows no setting. None with one input, or for an input whose
    config is not there to read."""
    fixed: dict[Path, set[str]] = {}
    for source in dict.fromkeys(a.source for a in arms):
        group = [a for a in arms if a.source == source]
        changes = [_changes(a) for a in group]
        known = [c for c in changes if c is not None]
        if len(known) < len(changes):
            continue
        shown = " ".join(f"{a.label} {a.setting}" for a in group)
        fixed[source] = {c for c in known[0].intersection(*known[1:])
                         if c.split("=", 1)[0] not in shown}
    labelled = {a.source for a in arms if a.kind == "sweep" and a.setting}
    notes = []
    for source, own in fixed.items():
        others = [f for s, f in fixed.items() if s != source]
        extra = sorted(own - others[0].intersection(*others[1:])) if others else []
        if extra and source in labelled:
            notes.append(f"{source}'s arms also change {', '.join(extra)} from the defaults, "
                         "which their labels do not show and not every other input changes: "
                         "a difference between its arms and another input's is partly theirs")
    return notes


def bootstrap_ci(ref: np.ndarray, other: np.ndarray, is_paired: bool, confidence: float,
                 resamples: int, rng: np.random.Generator) -> tuple[float, float]:
    """Bootstrap CI of mean(other) - mean(ref): of the paired differences, or two-sample.

    NaN when a sample has fewer than two values; a point when the data do not vary.
    """
    low, high, _ = _bootstrap(ref, other, is_paired, confidence, resamples, rng)
    return low, high


def _bootstrap(ref: np.ndarray, other: np.ndarray, is_paired: bool, confidence: float,
               resamples: int, rng: np.random.Generator) -> tuple[float, float, str]:
    """:func:`bootstrap_ci` and the method that gave it (one of :data:`INTERVALS`)."""
    from scipy.stats import bootstrap

    if is_paired:
        data: tuple[np.ndarray, ...] = (other - ref,)

        def statistic(d: np.ndarray, *, axis: int = -1) -> np.ndarray:
            return np.mean(d, axis=axis)
    else:
        data = (ref, other)

        # Two samples here, one above: mypy wants conditional defs to share a signature.
        # axis is keyword-only in both, as scipy's bootstrap always passes it.
        def statistic(a: np.ndarray, b: np.ndarray, *, axis: int = -1) -> np.ndarray:  # type: ignore[misc]
            return np.mean(b, axis=axis) - np.mean(a, axis=axis)
    if any(len(d) < 2 for d in data):
        return math.nan, math.nan, NO_INTERVAL
    if all(np.ptp(d) == 0 for d in data):
        point = float(statistic(*data))
        return point, point, NO_SPREAD
    for method in ("BCa", "percentile"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = bootstrap(data, statistic, n_resamples=resamples, confidence_level=confidence,
                            method=method, rng=rng, vectorized=True)
        low, high = float(res.confidence_interval.low), float(res.confidence_interval.high)
        if math.isfinite(low) and math.isfinite(high):
            return low, high, f"bootstrap {method}"
    return math.nan, math.nan, NO_INTERVAL


def t_ci(ref: np.ndarray, other: np.ndarray, is_paired: bool,
         confidence: float) -> tuple[float, float]:
    """Student-t CI of mean(other) - mean(ref): the paired-t interval of the mean difference
    (n - 1 degrees of freedom), or Welch's two-sample interval (Welch-Satterthwaite degrees
    of freedom). NaN when a sample has fewer than two values; a point when the data do not vary.
    """
    from scipy.stats import t as student

    if is_paired:
        d = other - ref
        if len(d) < 2:
            return math.nan, math.nan
        centre = float(np.mean(d))
        se = float(np.std(d, ddof=1)) / math.sqrt(len(d))
        df = float(len(d) - 1)
    else:
        if len(ref) < 2 or len(other) < 2:
            return math.nan, math.nan
        centre = float(np.mean(other) - np.mean(ref))
        va = float(np.var(ref, ddof=1)) / len(ref)
        vb = float(np.var(other, ddof=1)) / len(other)
        se = math.sqrt(va + vb)
        df = (va + vb) ** 2 / (va ** 2 / (len(ref) - 1) + vb ** 2 / (len(other) - 1)) \
            if se > 0 else math.inf
    if se == 0:
        return centre, centre
    half = float(student.ppf(0.5 + confidence / 2, df)) * se
    return centre - half, centre + half


def interval_n(ref: np.ndarray, other: np.ndarray, is_paired: bool) -> int:
    """The replications an interval rests on: the pairs, or the smaller arm's."""
    return len(ref) if is_paired else min(len(ref), len(other))


def difference_ci(ref: np.ndarray, other: np.ndarray, is_paired: bool, confidence: float,
                  resamples: int, rng: np.random.Generator) -> tuple[float, float, str]:
    """CI of mean(other) - mean(ref) and the method that gave it (one of :data:`INTERVALS`):
    Student's t below :data:`T_BELOW_N` replications, the bootstrap from there on; the point
    when the data do not vary; NaN with fewer than two replications."""
    n = interval_n(ref, other, is_paired)
    if n < 2:
        return math.nan, math.nan, NO_INTERVAL
    if n >= T_BELOW_N:
        return _bootstrap(ref, other, is_paired, confidence, resamples, rng)
    spread = [other - ref] if is_paired else [ref, other]
    if all(np.ptp(d) == 0 for d in spread):
        point = float(np.mean(other) - np.mean(ref))
        return point, point, NO_SPREAD
    low, high = t_ci(ref, other, is_paired, confidence)
    return low, high, PAIRED_T if is_paired else WELCH_T


def excludes_zero(low: float, high: float, method: str, n: int) -> bool:
    """Whether an interval marks a difference (``*``): it excludes 0, and if it is a point
    (no spread) it rests on at least :data:`MIN_EXACT_N` replications."""
    if method == NO_SPREAD and n < MIN_EXACT_N:
        return False
    return bool(low > 0 or high < 0)


def _undefined(samples: list[tuple[str, np.ndarray]]) -> str:
    """Why a difference is undefined: the arms (label, values) with undefined (NaN) values,
    each with its own count ("undefined in 1 of 10 replications of A and in every
    replication of B"; a single run by its label alone); "" if every value is defined. One
    count for both arms said B was undefined in 1 of 10 when it was in all 10."""
    parts = []
    for label, values in samples:
        missing = int(np.isnan(values).sum())
        if missing == len(values) == 1:
            parts.append(label)
        elif missing == len(values):
            parts.append(f"every replication of {label}")
        elif missing:
            parts.append(f"{missing} of {len(values)} replications of {label}")
    return f"undefined in {' and in '.join(parts)}" if parts else ""


def defined(ref: np.ndarray, other: np.ndarray, is_paired: bool) -> tuple[np.ndarray, np.ndarray]:
    """The replications a difference rests on: the pairs defined (not NaN) in both arms, or
    each arm's defined values when unpaired; an arm's mean skips its undefined values too."""
    if is_paired:
        keep = ~np.isnan(ref) & ~np.isnan(other)
        return ref[keep], other[keep]
    return ref[~np.isnan(ref)], other[~np.isnan(other)]


def _left_out_note(undefined: str, pairs: int, kept: int, is_paired: bool) -> str:
    """What a difference over the defined replications left out (comparison.parquet's
    ``left_out``): "left out 1 of 4 pairs: undefined in 1 of 4 replications of B", or,
    unpaired, "left out: undefined in ..."."""
    if is_paired:
        return f"left out {pairs - kept} of {pairs} pairs: {undefined}"
    return f"left out: {undefined}"


def _difference(ref: np.ndarray, other: np.ndarray, labels: tuple[str, str], is_paired: bool,
                confidence: float, resamples: int, rng: np.random.Generator) -> dict[str, Any]:
    """A non-reference row's difference fields: over the replications defined in both arms
    (paired) or in each (unpaired), n/a when either arm has none left."""
    undefined = _undefined(list(zip(labels, (ref, other), strict=True)))
    a, b = defined(ref, other, is_paired)
    if not len(a) or not len(b):
        note = undefined if not is_paired or any(np.isnan(v).all() for v in (ref, other)) \
            else f"no seed defined in both arms ({undefined})"
        return dict(diff=math.nan, ci_low=math.nan, ci_high=math.nan, paired=is_paired,
                    significant=False, interval=NO_INTERVAL, note=note, left_out="")
    low, high, method = difference_ci(a, b, is_paired, confidence, resamples, rng)
    n = interval_n(a, b, is_paired)
    significant = excludes_zero(low, high, method, n)
    note = ""
    if method == NO_INTERVAL:
        note = "n<2" if n < 2 else "no interval"
    elif method == NO_SPREAD and not significant and (low > 0 or high < 0):
        note = f"n={n} < {MIN_EXACT_N}: not starred"
    left = _left_out_note(undefined, len(ref), len(a), is_paired) if undefined else ""
    return dict(diff=float(np.mean(b) - np.mean(a)), ci_low=low, ci_high=high,
                paired=is_paired, significant=significant, interval=method, note=note,
                left_out=left)


def bootstrap_rng(seed: int, outcome: str, arm: str) -> np.random.Generator:
    """The bootstrap's generator for one outcome of one arm: ``seed`` and each name's
    length and UTF-8 bytes as entropy (not ``hash()``, which Python salts per process)."""
    words = [int(seed)]
    for name in (outcome, arm):
        data = name.encode()
        words += [len(data), int.from_bytes(data, "little")]
    return np.random.default_rng(np.random.SeedSequence(words))


def compare_table(arms: list[Arm], outcomes: list[str], confidence: float = DEFAULT_CONFIDENCE,
                  resamples: int = DEFAULT_RESAMPLES,
                  seed: int = DEFAULT_BOOTSTRAP_SEED) -> pd.DataFrame:
    """One row per outcome and arm: the arm's runs, n (those with the outcome defined, which
    the mean and sd are over), mean, sd, difference from the reference arm, its CI
    and the interval's method (``interval``; ``note`` says why a CI is missing or unstarred,
    ``left_out`` which undefined replications the difference left out, or, on the reference
    arm's row, its mean).

    Each (outcome, arm) resamples with its own generator, seeded by ``seed`` and the two
    names, so an interval does not move with which other outcomes or arms are compared."""
    ref = arms[0]
    rows = []
    for key in outcomes:
        ref_values = ref.outcomes.set_index("seed")[key].astype(float)
        for i, arm in enumerate(arms):
            values = arm.outcomes.set_index("seed")[key].astype(float)
            n = int(values.notna().sum())   # the replications the mean and sd rest on
            row: dict[str, Any] = {
                "outcome": key, "label": KEY_OUTCOMES.get(key, key), "arm": arm.label,
                "reference": ref.label, "runs": arm.n, "n": n, "mean": float(values.mean()),
                "sd": float(values.std(ddof=1)) if n > 1 else math.nan,
            }
            if i == 0:
                # what the reference's mean skipped (every replication: it has no mean)
                undefined = _undefined([(arm.label, values.to_numpy())])
                if undefined and not values.isna().all():
                    undefined = f"left out of the mean: {undefined}"
                row.update(diff=math.nan, ci_low=math.nan, ci_high=math.nan, paired=False,
                           significant=False, interval="", note="", left_out=undefined)
            else:
                seeds = pair_seeds(ref, arm)
                is_paired = bool(seeds)
                if is_paired:
                    a = ref_values.loc[seeds].to_numpy()
                    b = values.loc[seeds].to_numpy()
                else:
                    a, b = ref_values.to_numpy(), values.to_numpy()
                row.update(_difference(a, b, (ref.label, arm.label), is_paired, confidence,
                                       resamples, bootstrap_rng(seed, key, arm.label)))
            rows.append(row)
    return pd.DataFrame(rows)


# ---------------------------------------------------------------- plots

def plot_overlay(arms: list[Arm], metric: str):  # -> Figure (matplotlib imported lazily)
    """Monthly ``metric``: each arm's mean over replications and its 90% band."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from sim.plots import (
        FEW_POINTS,
        STYLE,
        arm_style,
        draw_band,
        frame_dates,
        place_legends,
        write_note,
    )
    from sim.sweep.plots import colours

    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(11, 5))
    label = KEY_SERIES.get(metric, metric)
    fig.suptitle(f"{label}: mean and {round(100 * (BAND_HIGH_Q - BAND_LOW_Q))}% of replications",
                 fontsize=15)
    dates = pd.to_datetime(pd.concat([arm.metrics["date"] for arm in arms]))
    undefined = 0
    for i, (arm, colour) in enumerate(zip(arms, colours(len(arms)), strict=True)):
        # every month, the undefined ones too (no revenue yet): the axis spans the runs
        data = series_values(arm.metrics, metric).pivot_table(
            index="date", columns="seed", values=metric, dropna=False)
        t = pd.to_datetime(data.index)
        mean = data.mean(axis=1)
        if not mean.notna().any():
            # nothing to draw: a line in the legend with no line on the axes misled
            undefined += 1
            ax.plot([], [], color=colour, lw=2, ls=":",
                    label=f"{arm.label} (n={arm.n}): {UNDEFINED_EVERY_MONTH}")
            continue
        # a line through one point (a 1-month run) draws nothing; a few months read
        # better as points, as in every plot (sim.plots.FEW_POINTS)
        marker = "o" if len(t) <= FEW_POINTS else None
        ax.plot(t, mean, color=colour, lw=2, ls=arm_style(i), marker=marker, ms=6,
                label=f"{arm.label} (n={arm.n})")
        if arm.n > 1:
            low, high = data.quantile(BAND_LOW_Q, axis=1), data.quantile(BAND_HIGH_Q, axis=1)
            draw_band(ax, t, low, high, colour, alpha=0.18, bar_alpha=0.3)
    frame_dates([ax], dates)
    if undefined == len(arms):
        write_note(ax, f"{UNDEFINED_EVERY_MONTH} of every arm", axes=("y",))
    ax.set_xlabel("date")
    ax.set_ylabel(label)
    ax.grid(alpha=0.3)
    size = 9 if len(arms) > 4 else 11
    ax.legend(fontsize=size, loc="upper left")
    fig.autofmt_xdate()
    if place_legends(fig):
        # no place in the panel is clear (long arm labels make a wide key): under it
        handles, labels = ax.get_legend_handles_labels()
        inside = ax.get_legend()
        if inside is not None:
            inside.remove()
        fig.set_layout_engine("constrained")
        fig.legend(handles, labels, loc="outside lower center", fontsize=size, frameon=False)
    return fig


def build_overlays(arms: list[Arm]) -> dict[str, Any]:
    """Overlay figures by file stem, for the key series every arm has."""
    figures = {}
    for metric in KEY_SERIES:
        if all(metric in a.metrics.columns for a in arms):
            figures[f"overlay_{metric}"] = plot_overlay(arms, metric)
    return figures


# ---------------------------------------------------------------- presenting

def _num(x: float) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    if x == 0:
        return "0"
    short = f"{x:.3g}"
    # from 1,000 on, whole numbers with separators: .3g alone writes 999.7 as "1e+03";
    # below 1e-4 .3g writes -7.55e-05, so three significant digits in decimals instead
    if abs(float(short)) >= 1000:
        return f"{x:,.0f}"
    if "e" in short:
        return f"{x:.{2 - math.floor(math.log10(abs(float(short))))}f}"
    return short


def _is_reference(row: pd.Series) -> bool:
    return bool(row["arm"] == row["reference"])


def _ci(row: pd.Series) -> str:
    if _is_reference(row):
        return ""
    if math.isnan(row["ci_low"]):
        return f"n/a ({row['note']})" if not math.isnan(row["diff"]) and row["note"] else "n/a"
    return f"[{_num(row['ci_low'])}, {_num(row['ci_high'])}]"


def _diff(row: pd.Series) -> str:
    if _is_reference(row):
        return f"(reference; {row['left_out']})" if row["left_out"] else "(reference)"
    if math.isnan(row["diff"]):
        return f"n/a ({row['note']})" if row["note"] else "n/a"
    sign = "+" if row["diff"] > 0 else ""
    left = f" ({row['left_out']})" if row["left_out"] else ""
    return f"{sign}{_num(row['diff'])}{' *' if row['significant'] else ''}{left}"


def _interval(row: pd.Series) -> str:
    """Which interval a row has, and why it is unstarred if it is a point off 0."""
    if row["interval"] == NO_SPREAD and row["note"]:
        return f"{NO_SPREAD} ({row['note']})"
    return str(row["interval"])


def display_rows(table: pd.DataFrame) -> list[list[str]]:
    """The table as text cells: outcome, arm, n, mean, difference, CI, pairing, interval."""
    rows = []
    for _, r in table.iterrows():
        pairing = "" if _is_reference(r) else ("paired" if r["paired"] else "unpaired")
        rows.append([r["label"], r["arm"], str(r["n"]), _num(r["mean"]), _diff(r), _ci(r),
                     pairing, _interval(r)])
    return rows


def headers(confidence: float) -> list[str]:
    """The summary table's column names, the interval's level among them."""
    return ["outcome", "arm", "n", "mean", "difference", f"{round(100 * confidence)}% CI",
            "pairing", "interval"]


def interval_rule() -> str:
    """How a difference's interval is chosen, in one paragraph (summary.md, terminal)."""
    return (f"Below {T_BELOW_N} replications (pairs when paired, else the smaller arm's) the "
            "interval is Student's t: the paired-t interval of the mean difference (n-1 "
            "degrees of freedom), or Welch's t interval for two independent samples; from "
            f"{T_BELOW_N} on it is the bootstrap (scipy.stats.bootstrap, BCa; percentile if BCa "
            "is undefined). When every difference is the same (no spread) the interval is that "
            f"point, starred only from {MIN_EXACT_N} replications on.")


def _arm_interval(rows: pd.DataFrame) -> str:
    """The interval an arm's rows use (bootstrap BCa or percentile: bootstrap)."""
    kinds = {"bootstrap" if k.startswith("bootstrap") else k for k in rows["interval"]}
    kinds -= {"", NO_SPREAD, NO_INTERVAL}
    return ", ".join(sorted(kinds))


#: Arms beside the reference in one terminal table (more arms: more tables).
ARMS_PER_TABLE = 3
#: Outcomes in one terminal table when the arms are its rows (:func:`print_table`).
OUTCOMES_PER_TABLE = 3


def _cell(row: pd.Series) -> str:
    if _is_reference(row):
        return f"{_num(row['mean'])}\n({row['left_out']})" if row["left_out"] else \
            _num(row["mean"])
    pairing = "" if row["paired"] else " unpaired"
    if math.isnan(row["diff"]):
        return f"{_num(row['mean'])}\n{_diff(row)}{pairing}"
    spread = f" ({NO_SPREAD})" if row["interval"] == NO_SPREAD else ""
    return f"{_num(row['mean'])}\n{_diff(row)} {_ci(row)}{spread}{pairing}"


def _arm_header(table: pd.DataFrame, arm: str) -> str:
    """An arm's name in the terminal table: its label, its runs and its interval."""
    rows = table[table["arm"] == arm]
    kind = _arm_interval(rows)
    return f"{arm} (n={int(rows['runs'].iloc[0])})" + (f"\n{kind} CI" if kind else "")


def print_table(table: pd.DataFrame, confidence: float, console: Any = None) -> None:
    """The comparison in the terminal (rich): one row per outcome, one column per arm.

    Each arm's cell is its mean over replications; below it, its difference from
    the reference and the confidence interval; each arm's header names its interval
    (:func:`interval_rule`, said once, under the last table). Many arms are split over
    several tables, unless there are fewer outcomes than arms: then the arms are the rows
    and the outcomes the columns (:data:`OUTCOMES_PER_TABLE` a table), so that a sweep of
    ten settings asked for one outcome reads down one column (it took two pages of four
    narrow columns, found by a new user).
    """
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = console or Console()
    arms = list(dict.fromkeys(table["arm"]))
    outcomes = list(dict.fromkeys(table["outcome"]))
    ref, others = arms[0], arms[1:]
    level = round(100 * confidence)
    title = (f"mean over replications; below, the difference from {escape(ref)} and its "
             f"{level}% CI (* = excludes 0)")
    by_row = len(others) > ARMS_PER_TABLE and len(outcomes) < len(arms)
    per = OUTCOMES_PER_TABLE if by_row else ARMS_PER_TABLE
    split = outcomes if by_row else others
    chunks = [split[i:i + per] for i in range(0, len(split), per)]
    if by_row:   # read once for every table
        labels = table.drop_duplicates("outcome").set_index("outcome")["label"]
        cells = table.set_index(["arm", "outcome"], drop=False)
        headers = {arm: escape(_arm_header(table, arm)) for arm in arms}
    for k, chunk in enumerate(chunks):
        part = f" ({k + 1}/{len(chunks)})" if len(chunks) > 1 else ""
        t = Table(title=f"Key outcomes{part}: {title}", show_lines=True,
                  caption=escape(interval_rule()) if k == len(chunks) - 1 else None)
        if by_row:
            t.add_column("arm", overflow="fold")
            for outcome in chunk:
                t.add_column(escape(str(labels[outcome])), justify="right", overflow="fold")
            for arm in arms:
                t.add_row(headers[arm], *(escape(_cell(cells.loc[(arm, o)])) for o in chunk))
        else:
            t.add_column("outcome", overflow="fold")   # cut, two outcomes' names read the same
            for arm in [ref, *chunk]:
                t.add_column(escape(_arm_header(table, arm)), justify="right", overflow="fold")
            for _, rows in table.groupby("outcome", sort=False):
                by_arm = rows.set_index("arm", drop=False)
                t.add_row(escape(str(rows["label"].iloc[0])),
                          *(escape(_cell(by_arm.loc[a])) for a in [ref, *chunk]))
        console.print(t)


#: Intervals that rest on the spread of the differences, each of which excludes 0 by chance
#: alone with probability 1 - confidence when the arms do not differ.
SAMPLED_INTERVALS = (PAIRED_T, WELCH_T, BOOTSTRAP_BCA, BOOTSTRAP_PERCENTILE)


def chance_note(table: pd.DataFrame, confidence: float) -> str | None:
    """How many starred differences chance alone would give: with K intervals each at
    ``confidence``, about K x (1 - confidence) exclude 0 when no arm differs from the
    reference (the expected count holds however the outcomes correlate). None with fewer
    than two such intervals. Many outcomes and arms make a lone star weak evidence."""
    others = table["arm"] != table["reference"]
    sampled = table[others & table["interval"].isin(SAMPLED_INTERVALS)]
    k = len(sampled)
    if k < 2:
        return None
    starred = int(sampled["significant"].sum())
    expected = k * (1 - confidence)
    return (f"{starred} of {k} intervals exclude 0; at {round(100 * confidence)}% about "
            f"{expected:.1f} would by chance alone if no arm differed from the reference: "
            "a lone * among many is weak evidence (fewer --outcome keys ask fewer questions)")


def markdown(arms: list[Arm], table: pd.DataFrame, confidence: float, resamples: int,
             plots: list[Path], skipped: dict[str, str] | None = None,
             chance: str | None = None, pairing: list[str] | None = None) -> str:
    """The Markdown summary: inputs, method, table, notes (``chance``: :func:`chance_note`;
    ``pairing``: :func:`pairing_note` of each arm with one), plots."""
    lines = ["# baimo comparison", "", "## Inputs", ""]
    lines += ["| arm | kind | source | replications | seeds |", "|---|---|---|---:|---|"]
    for a in arms:
        seeds = ", ".join(str(s) for s in a.seeds[:3]) + (" ..." if a.n > 3 else "")
        lines.append(f"| {a.label} | {a.kind} | `{a.source}` | {a.n} | {seeds} |")
    ref = arms[0]
    lines += ["", "## Method", "",
              f"Reference arm: **{ref.label}**. For every other arm, the difference of the mean "
              f"outcome from the reference and its {round(100 * confidence)}% confidence "
              "interval. Arms that ran the same seeds as the reference are paired by "
              "replication (common random numbers): the interval is that of the mean paired "
              "difference. When every seed of one arm is among the other's (10 replications "
              "beside 5 of the same base seed), they are paired over the seeds both ran and the "
              "notes name the runs left out. Other arms are compared as two independent "
              "samples. "
              f"{interval_rule()} The bootstrap draws {resamples:,} resamples. The column "
              "`interval` says which each row used. `*` marks an interval that excludes 0. "
              "With fewer than two replications there is no interval. A replication whose "
              "outcome is undefined (null) is left out of that outcome's mean and difference: "
              "a paired difference uses the seeds defined in both arms, an unpaired one the "
              "defined replications of each, and the difference says what it left out.",
              "", "## Key outcomes", ""]
    lines += ["| " + " | ".join(headers(confidence)) + " |",
              "|---|---|---:|---:|---:|---:|---|---|"]
    for cells in display_rows(table):
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    if skipped or chance or pairing:
        lines += ["", "## Notes", ""]
    if chance:
        lines += [f"- {chance}."]
    lines += [f"- {note}." for note in pairing or []]
    if skipped:
        lines += ["- Key outcomes left out (not comparable in every input):"]
        lines += [f"  - {KEY_OUTCOMES[k]} (`{k}`): {why}" for k, why in skipped.items()]
    if plots:
        lines += ["", "## Plots", ""]
        lines += [f"- [{p.stem}]({PLOTS}/{p.name})" for p in plots]
    return "\n".join(lines) + "\n"


def compare(paths: list[Path], outcomes: list[str] | None = None,
            confidence: float = DEFAULT_CONFIDENCE, resamples: int = DEFAULT_RESAMPLES,
            seed: int = DEFAULT_BOOTSTRAP_SEED, plots: bool = True,
            write: bool = True, reference: str | None = None,
            skip_unfinished: bool = False) -> Comparison:
    """Compare the inputs and (if ``write``) write the comparison directory; ``reference``
    names the arm the others are compared with (:func:`reference_first`; None: the first);
    ``skip_unfinished`` leaves out a sweep's jobs that are not complete."""
    # Where it writes, first: today's defaults (--reference defaults, the setting notes) are
    # composed with the scenarios under it, and a root that cannot be known (~nobody/...)
    # failed there with Hydra's traceback rather than this one line
    root = output_root() if write else None
    skipped_jobs: list[str] = []
    arms = load_arms(paths, reference, skip_unfinished, skipped_jobs)
    keys = outcome_columns(arms, outcomes)
    if outcomes is not None:
        missing = [k for k in outcomes if k not in keys]
        if missing:
            why = ("a swept setting, not an outcome" if missing[0].startswith(PARAM_PREFIX)
                   else "not a numeric outcome of every input")
            raise CompareError(f"--outcome {missing[0]}: {why}"
                               f"{_nearest_outcome(arms, missing[0])} (see the columns of "
                               "sweep.parquet, e.g. exits.bankrupt)")
    table = compare_table(arms, keys, confidence, resamples, seed)
    skipped = left_out(arms, keys) if outcomes is None else {}
    pairing = pairing_notes(arms)
    result = Comparison(arms, table, skipped, chance_note(table, confidence), pairing,
                        skipped_jobs, design_notes(arms), setting_notes(arms))
    if root is None:
        return result
    directory = fresh_dir(root / COMPARE_DIR, root)
    written = []
    figures = build_overlays(arms) if plots else {}
    if figures:
        from sim.plots import save_all

        written += save_all(figures, directory / PLOTS)
    per_rep = pd.concat([a.outcomes[["seed", *keys]].assign(arm=a.label, source=str(a.source))
                         for a in arms], ignore_index=True)
    per_rep = per_rep[["arm", "source", "seed", *keys]]
    write_parquet(table, directory / TABLE)
    write_parquet(per_rep, directory / OUTCOMES)
    write_json({
        "inputs": [str(p) for p in paths],
        "reference": arms[0].label,
        "confidence": confidence, "resamples": resamples, "bootstrap_seed": seed,
        "interval_rule": {"student_t_below_replications": T_BELOW_N,
                          "point_starred_from_replications": MIN_EXACT_N,
                          "text": interval_rule()},
        "arms": [{"label": a.label, "source": str(a.source),
                  "source_absolute": str(a.source.resolve()), "kind": a.kind,
                  "setting": a.setting, "seeds": a.seeds, **provenance(a),
                  "paired_with_reference": paired(arms[0], a) if i else None,
                  "paired_seeds": pair_seeds(arms[0], a) if i else None,
                  "pairing_note": pairing_note(arms[0], a) if i else None,
                  "interval": _arm_interval(table[table["arm"] == a.label]) if i else None}
                 for i, a in enumerate(arms)],
        "outcomes": keys,
        "left_out": skipped,
        "jobs_left_out": skipped_jobs,
        "design_notes": result.design,
        "setting_notes": result.settings,
        "chance_note": result.chance,
    }, directory / META)
    text = markdown(arms, table, confidence, resamples, [p for p in written if p.suffix == ".png"],
                    skipped, result.chance,
                    [*skipped_jobs, *result.design, *result.settings, *pairing])
    md = directory / SUMMARY_MD
    from sim.outputs import atomic_write

    atomic_write(md, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    written += [directory / TABLE, directory / OUTCOMES, directory / META, md]
    mark_complete(directory)
    result.directory = directory
    result.written = written
    return result


#: compare.json's record of what ran an arm: its key, and the outcomes column it reads.
PROVENANCE = {"config_hashes": "config_hash", "model_codes": f"environment.{MODEL_CODE}",
              "git_commits": f"environment.{GIT_COMMIT}"}


def provenance(arm: Arm) -> dict[str, Any]:
    """What an arm's runs ran (compare.json): their config hashes, the code (its hash and git
    commit) and the settings away from today's defaults (its first run's config.json, the
    seed aside), so a comparison can be audited from its own directory. A value a run did
    not record (an older baimo) is left out."""
    from sim.configuration import changed_from_defaults, default_settings

    found: dict[str, Any] = {
        key: sorted({str(v) for v in arm.outcomes[column].dropna()})
        for key, column in PROVENANCE.items() if column in arm.outcomes.columns}
    settings = run_settings(arm.run_dir) if arm.run_dir is not None else None
    found["changed_from_defaults"] = (None if settings is None
                                      else changed_from_defaults(settings, default_settings()))
    return found


def parser() -> argparse.ArgumentParser:
    """The command's arguments."""
    p = OneLineParser(prog=PROG, description=(
        "Compare baimo run or sweep directories: key outcomes per arm (a run, or a sweep "
        "setting), differences from the first arm with confidence intervals (paired by "
        f"replication when seeds match; Student's t below {T_BELOW_N} replications, the "
        "bootstrap from there), overlay plots and a Markdown summary, written to "
        "<output root>/compare/<timestamp>/ (output root: $BAIMO_OUTPUT_ROOT or ./outputs)."))
    commands.add_version(p)
    p.add_argument("inputs", nargs="+", type=commands.path_argument("a run or sweep directory"),
                   metavar="DIR",
                   help="run directories, directories of runs (a baimo-teach lesson's "
                        "runs/scenario) or sweep directories (one sweep of two settings or "
                        "more is enough); the first arm is the reference unless --reference")
    p.add_argument("--reference", metavar="ARM",
                   help="the arm to compare the others with: its label, its sweep "
                        "setting, e.g. funds.term_years=5, or 'defaults', the arm that kept "
                        "the model's defaults (default: the first)")
    p.add_argument("--outcome", action="append", metavar="KEY",
                   help="compare this summary scalar instead of the key outcomes (repeatable), "
                        "e.g. exits.bankrupt or derived.fund_tvpi_median")
    p.add_argument("--confidence", type=float, default=DEFAULT_CONFIDENCE,
                   help=f"confidence level of the intervals (default {DEFAULT_CONFIDENCE})")
    p.add_argument("--resamples", type=int, default=DEFAULT_RESAMPLES,
                   help=f"bootstrap resamples, from {T_BELOW_N} replications on (default "
                        f"{DEFAULT_RESAMPLES:,})")
    p.add_argument("--seed", type=int, default=DEFAULT_BOOTSTRAP_SEED,
                   help=f"seed of the bootstrap's resampling (default {DEFAULT_BOOTSTRAP_SEED})")
    p.add_argument("--no-plots", action="store_true", help="skip the overlay plots")
    p.add_argument("--skip-unfinished", action="store_true",
                   help="leave out a sweep's jobs that are not complete (failed, unfinished or "
                        "stale), and say which; without it such a sweep is refused")
    return p


@commands.console_command(PROG)
def main(argv: list[str] | None = None) -> None:
    """Console entry point."""
    args = parser().parse_args(argv)
    if not 0 < args.confidence < 1:
        _fail(f"--confidence={args.confidence} must lie strictly between 0 and 1")
    if not MIN_RESAMPLES <= args.resamples <= MAX_RESAMPLES:
        _fail(f"--resamples={args.resamples} is out of range; allowed {MIN_RESAMPLES:,} to "
              f"{MAX_RESAMPLES:,}")
    if args.seed < 0:   # NumPy's generators take non-negative seeds only
        _fail(f"--seed={args.seed} must be 0 or more")
    result = compare(list(args.inputs), args.outcome, args.confidence, args.resamples,
                     args.seed, plots=not args.no_plots, reference=args.reference,
                     skip_unfinished=args.skip_unfinished)
    print_table(result.table, args.confidence)
    if result.chance is not None:
        print(f"{PROG}: {result.chance}")
    for note in [*result.skipped_jobs, *result.design, *result.settings, *result.pairing]:
        print(f"{PROG}: {note}")
    for key, why in result.left_out.items():
        print(f"{PROG}: left out {KEY_OUTCOMES[key]} ({key}): {why}")
    print(f"{PROG}: wrote {shlex.quote(str(result.directory))}")


def _fail(message: str) -> NoReturn:
    commands.fail(PROG, message)


if __name__ == "__main__":
    main()
