"""A sweep's results in two tables, and its plots.

``sweep.json`` (written when the sweep starts) lists the jobs; aggregation
reads each job directory and writes, into the sweep directory:

    sweep.parquet          one row per job: job keys, status, swept parameters
                           (``param.<key>``), every summary.json scalar (dotted
                           names) and ``derived.*`` fund medians
    sweep_metrics.parquet  the monthly metrics of every finished job, stacked,
                           with the job keys and swept parameters in front
    plots/                 outcomes against each swept parameter, fan charts

Rows follow the manifest's settings, then replication: two identical sweeps
give identical tables.
"""

from __future__ import annotations

import json
from collections import Counter, OrderedDict
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from sim.outputs import (
    SWEEP_METRICS,
    SWEEP_TABLE,
    OutputError,
    contract_problem,
    is_complete,
    linked_place,
    names_a_place_inside,
    parse_json,
    remove_temporary_files,
    write_json,
    write_parquet,
)
from sim.sweep.design import SENSITIVITY
from sim.sweep.outcomes import JOB_KEYS, PARAM_PREFIX, param_series, read_outcomes
from sim.sweep.sensitivity import SENSITIVITY_REPORT, SENSITIVITY_TABLE, analyse
from sim.sweep.sensitivity import write as write_sensitivity
from sim.sweep.spec import FAILED, SWEEP_MANIFEST, Job, SweepSpec

if TYPE_CHECKING:
    from collections.abc import Iterable
    from concurrent.futures import ProcessPoolExecutor

SWEEP_PLOTS = "plots"
#: How the sweep's plots are named (sim.sweep.plots: ``outcomes_vs_<key>``, ``fan_<metric>``,
#: ``sensitivity_<outcome>``): a PNG in the sweep's plots/ named so is aggregation's own,
#: and goes when an aggregation does not draw it again (:func:`drop_own_outputs`). Any
#: other file there (a user's figure) is left alone.
PLOT_PREFIXES = ("outcomes_vs_", "fan_", "sensitivity_")
PLOT_SUFFIX = ".png"
STATUS_COMPLETE = "complete"
STATUS_FAILED = "failed"
STATUS_PENDING = "pending"
STATUS_STALE = "stale"
#: The files aggregation writes into a sweep directory besides its plots.
AGGREGATE_FILES = (SWEEP_TABLE, SWEEP_METRICS, SENSITIVITY_TABLE, SENSITIVITY_REPORT)


@dataclass
class SweepTables:
    """The aggregated results of one sweep directory."""

    directory: Path
    manifest: dict[str, Any]
    jobs: pd.DataFrame
    metrics: pd.DataFrame

    @property
    def swept(self) -> list[str]:
        """Swept keys, in sweep order."""
        return list(self.manifest["swept"])

    @property
    def design(self) -> dict[str, Any] | None:
        """A design sweep's design (sim.sweep.design.Design.manifest); None for a grid."""
        return self.manifest.get("design")

    @property
    def complete(self) -> pd.DataFrame:
        """Rows of finished jobs."""
        return self.jobs[self.jobs["status"] == STATUS_COMPLETE]


def write_manifest(spec: SweepSpec, runs_jobs: bool) -> list[str]:
    """Record what the sweep is, before any job runs; return the finished jobs of the sweep
    the directory held before (another command with the same swept keys and fixed
    overrides) that this one leaves out: they stay on disk, but sweep.json and the tables
    now describe this sweep.

    The last aggregation's tables and plots (:func:`drop_own_outputs`) are deleted first
    if the sweep ``runs_jobs`` or lists other jobs than the sweep.json there: left beside
    this sweep.json, an extended sweep stopped half-way kept the 9-row tables of the sweep
    it extended, which read as a finished sweep of 9 jobs. The sweep's aggregation writes
    them again (``baimo aggregate`` too). Deleted before sweep.json is written, a sweep
    killed in between leaves the sweep before without tables, never this one with another's.
    """
    from sim import __version__

    path = spec.directory / SWEEP_MANIFEST
    try:
        previous = parse_json(path.read_text(encoding="utf-8"))["jobs"]
        before = [str(j["name"]) for j in previous]
    except (OSError, ValueError, KeyError, TypeError):   # none, or not one to go by
        previous, before = None, []
    now = {j.name for j in spec.jobs}
    left_out = [name for name in before if name not in now and names_a_place_inside(name)
                and is_complete(spec.directory / name)]
    jobs = job_entries(spec.jobs)
    if runs_jobs or previous != json.loads(json.dumps(jobs)):   # as sweep.json reads back
        drop_own_outputs(spec.directory)
    write_json({
        "baimo_version": __version__,
        "experiment": spec.experiment,
        "command": spec.command,
        "fixed": spec.fixed,
        "changed_from_defaults": spec.changed,
        "swept": spec.swept,
        "replications": spec.replications,
        "design": spec.design,
        "jobs": jobs,
    }, path)
    return left_out


def job_entries(jobs: Iterable[Job]) -> list[dict[str, Any]]:
    """``jobs`` as ``sweep.json`` lists them."""
    return [{"name": j.name, "setting": j.setting, "replication": j.replication,
             "seed": j.seed, "config_hash": j.config_hash, "params": j.params,
             "sample": j.sample, "overrides": list(j.overrides)} for j in jobs]


def load_manifest(directory: Path) -> dict[str, Any]:
    """The sweep's ``sweep.json``; OutputError (one line) if it is missing or broken."""
    path = directory / SWEEP_MANIFEST
    if not directory.exists():
        raise OutputError(f"{directory}: no such directory")
    if not directory.is_dir():
        raise OutputError(f"{directory}: not a directory; give a sweep's directory")
    if not path.is_file():
        raise OutputError(f"{directory}: not a sweep directory (no {SWEEP_MANIFEST})")
    try:
        manifest = parse_json(path.read_text(encoding="utf-8"))
        jobs = manifest["jobs"]
        for job in jobs:
            for key in ("name", "setting", "replication", "seed", "config_hash", "params"):
                job[key]  # noqa: B018 - presence check
        swept = manifest["swept"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise OutputError(f"{path}: unreadable sweep manifest ({type(exc).__name__})") from None
    if not isinstance(swept, list) or not all(isinstance(k, str) and k for k in swept):
        raise OutputError(f"{path}: unreadable sweep manifest ('swept' must be a list of "
                          "config keys)")
    outside = [j["name"] for j in jobs
               if not (isinstance(j["name"], str) and names_a_place_inside(j["name"]))]
    if outside:
        raise OutputError(f"{path}: unreadable sweep manifest (a job's name must be a "
                          f"directory inside the sweep, got {outside[0]!r})")
    names = [j["name"] for j in jobs]
    twice = next((n for n, count in Counter(names).items() if count > 1), None)
    if twice is not None:   # the tables grew a duplicate index, which drawing failed on
        raise OutputError(f"{path}: unreadable sweep manifest (the job {twice!r} is listed "
                          "twice)")
    if not jobs:
        raise OutputError(f"{path}: the sweep has no jobs")
    return manifest


def failure(job_dir: Path) -> dict[str, str]:
    """What a failed job left in its ``FAILED`` marker (error line, log path)."""
    try:
        data = parse_json((job_dir / FAILED).read_text(encoding="utf-8"))
        return {"error": str(data["error"]), "log": str(data["log"])}
    except (OSError, ValueError, KeyError, TypeError):
        return {"error": "unreadable FAILED marker", "log": str(job_dir / FAILED)}


def _job_row(directory: Path, job: dict[str, Any]) -> tuple[dict[str, Any], pd.DataFrame | None]:
    head = {"job": job["name"], "setting": job["setting"], "replication": int(job["replication"]),
            "seed": int(job["seed"])}
    job_dir = directory / job["name"]
    if is_complete(job_dir):
        problem = contract_problem(job_dir)
        if problem is not None:   # deleted or damaged since: the sweep runs it again
            raise OutputError(f"{job_dir}: {problem}; run the sweep again to redo the job")
        try:
            outcomes, metrics = read_outcomes(job_dir)
        except OutputError as exc:   # a resumed sweep skips it: its marker says finished
            raise OutputError(f"{exc}; delete {job_dir} and run the sweep again to redo "
                              "the job") from None
        if outcomes.get("config_hash") != job["config_hash"]:
            return {**head, "status": STATUS_STALE,
                    "error": "finished with a different configuration"}, None
        outcomes.pop("seed", None)
        return {**head, "status": STATUS_COMPLETE, "error": None, **outcomes}, metrics
    if (job_dir / FAILED).is_file():
        return {**head, "status": STATUS_FAILED, "error": failure(job_dir)["error"]}, None
    return {**head, "status": STATUS_PENDING, "error": None}, None


def collect(directory: Path) -> SweepTables:
    """Read every job of the sweep in ``directory`` (writes nothing)."""
    manifest = load_manifest(directory)
    jobs = manifest["jobs"]
    order = {s: i for i, s in enumerate(OrderedDict.fromkeys(j["setting"] for j in jobs))}
    jobs = sorted(jobs, key=lambda j: (order[j["setting"]], int(j["replication"])))
    swept = list(manifest["swept"])
    rows, frames = [], []
    for job in jobs:
        row, metrics = _job_row(directory, job)
        rows.append(row)
        if metrics is not None:
            frames.append((job, metrics))
    table = pd.DataFrame(rows)
    lead = [*JOB_KEYS, "status", "error"]
    outcome_cols = sorted(c for c in table.columns if c not in lead)
    table = table[lead + outcome_cols]
    # An outcome null in every job (at a month no job reached: releases.by_month_13 of
    # 12-month runs) came out as a column of Python None, read back by pandas as text.
    # Every outcome that can be null is a number.
    unset = [c for c in outcome_cols if table[c].isna().all()]
    table[unset] = table[unset].astype("float64")
    params = {f"{PARAM_PREFIX}{k}": param_series([j["params"].get(k) for j in jobs]) for k in swept}
    for i, (name, series) in enumerate(params.items()):
        table.insert(len(JOB_KEYS) + 2 + i, name, series.to_numpy())
    table["error"] = table["error"].astype("object")
    metrics = _stack_metrics(frames, swept)
    return SweepTables(directory, manifest, table, metrics)


def _stack_metrics(frames: list[tuple[dict[str, Any], pd.DataFrame]], swept: list[str]) \
        -> pd.DataFrame:
    if not frames:
        return pd.DataFrame(columns=[*JOB_KEYS, *(f"{PARAM_PREFIX}{k}" for k in swept), "month"])
    stacked = []
    for job, m in frames:
        m = m.copy()
        head = {"job": job["name"], "setting": job["setting"],
                "replication": int(job["replication"]), "seed": int(job["seed"])}
        for i, (k, v) in enumerate(head.items()):
            m.insert(i, k, v)
        stacked.append(m)
    out = pd.concat(stacked, ignore_index=True)
    for i, k in enumerate(swept):
        values = [job["params"].get(k) for job, m in frames for _ in range(len(m))]
        out.insert(len(JOB_KEYS) + i, f"{PARAM_PREFIX}{k}", param_series(values).to_numpy())
    return out


def own_outputs(directory: Path) -> list[Path]:
    """What aggregation wrote into the sweep ``directory`` that is there: the tables, a
    design's sensitivity analysis, and the plots in plots/ named as the sweep's plotting
    names them (:data:`PLOT_PREFIXES`). sweep.parquet comes first: readers take the
    directory for an aggregated sweep by it."""
    found = [directory / name for name in AGGREGATE_FILES if (directory / name).is_file()]
    plots = directory / SWEEP_PLOTS
    if plots.is_dir():
        found += sorted(p for p in plots.iterdir() if p.is_file() and p.suffix == PLOT_SUFFIX
                        and p.name.startswith(PLOT_PREFIXES))
    return found


def drop_own_outputs(directory: Path, keep: list[Path] | None = None) -> list[Path]:
    """Delete aggregation's outputs in ``directory`` (:func:`own_outputs`) but those in
    ``keep``; return them. Left there, a table or plot drawn from another set of jobs
    (another sweep into the directory, or this one before it was extended or rerun) read
    as this sweep's."""
    kept = set(keep or [])
    dropped = [path for path in own_outputs(directory) if path not in kept]
    for path in dropped:
        path.unlink(missing_ok=True)
    if dropped:
        with suppress(OSError):   # only if nothing else is in it
            (directory / SWEEP_PLOTS).rmdir()
    return dropped


def write_tables(tables: SweepTables, plots: bool = True,
                 pool: ProcessPoolExecutor | None = None) -> list[Path]:
    """Write sweep.parquet, sweep_metrics.parquet and (if any job finished) the sweep plots.

    A Morris or Sobol design also gets its sensitivity analysis (sim.sweep.sensitivity).
    What an earlier aggregation wrote and this one did not (a plot of a key no longer
    swept, every plot when told to draw none) is deleted: the directory holds this
    aggregation's tables and plots alone. ``pool``: workers that share the drawing
    (:func:`sim.sweep.plots.save_plots`).
    """
    d = tables.directory
    write_parquet(tables.jobs, d / SWEEP_TABLE)
    write_parquet(tables.metrics, d / SWEEP_METRICS)
    written = [d / SWEEP_TABLE, d / SWEEP_METRICS]
    result = None
    if tables.design and tables.design["kind"] in SENSITIVITY and not tables.complete.empty:
        result = analyse(tables.manifest, tables.jobs)
        written += write_sensitivity(result, d)
    if plots and not tables.complete.empty:
        from sim.sweep.plots import save_plots, sensitivity_plots, sweep_plots

        builders = sweep_plots(tables)
        if result is not None:
            builders.update(sensitivity_plots(result))
        written += save_plots(builders, d / SWEEP_PLOTS, pool)
    drop_own_outputs(d, keep=written)
    return written


def aggregate(directory: Path, plots: bool = True, pool: ProcessPoolExecutor | None = None
              ) -> tuple[SweepTables, list[Path]]:
    """Collect and write the tables and plots of the sweep in ``directory`` (the plots drawn
    on ``pool``'s workers too, if given). Temporary files a killed aggregation left there
    (:func:`~sim.outputs.remove_temporary_files`) go."""
    problem = linked_place(directory / SWEEP_PLOTS)
    if problem is not None:
        raise OutputError(problem)
    tables = collect(directory)
    for place in (directory, directory / SWEEP_PLOTS):
        remove_temporary_files(place)
    return tables, write_tables(tables, plots, pool)
