"""Sweeps from the command line: seeds, jobs, plan, failure reporting, resume, aggregation, plots.

Sweeps here are tiny (12 months, 200 buyers, 2 settings x 2 replications) and
write only under pytest's temporary directories (BAIMO_OUTPUT_ROOT / sweep_dir).
"""

from __future__ import annotations

import dataclasses
import io
import json
import math
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from cli import baimo
from hydra._internal.hydra import Hydra
from rich.console import Console

from sim.configuration import EXPERIMENTS_DIR, compose, config_hash, register_configs
from sim.outputs import COMPLETE, EVENTS, FUNDS, METRICS, SUMMARY
from sim.parallel import start_method
from sim.rng import replication_seeds
from sim.summary import model_code
from sim.sweep import FAILED, SWEEP_METRICS, SWEEP_TABLE, collect
from sim.sweep.experiments import list_experiments, listing, register_resolver
from sim.sweep.outcomes import derived, setting_label, setting_overrides
from sim.sweep.progress import SweepProgress, count_markers
from sim.sweep.runner import (
    COMPARE_HINT_MOST_SETTINGS,
    compare_hint,
    defaults_setting,
    run_sweep,
)
from sim.sweep.spec import SWEEP_MANIFEST, build, lay_out, parse, start_hydra

#: Every test writes under its own temporary output root (conftest.output_root).
pytestmark = pytest.mark.usefixtures("output_root")

TINY = ["horizon_months=12", "buyers.count=200"]
SEVEN = ("investor_patience", "compute_squeeze", "data_protection", "general_vs_vertical",
         "buyer_digitization", "hype_bust", "open_source_strength")
#: The sweep most tests share: 2 fund terms x 2 replications, run one job after another.
SWEEP = ["+experiment=investor_patience", "funds.term_years=3,10", "replications=2", *TINY,
         "hydra/launcher=basic", "sweep_plots=false"]
FAIL = "funds.term_years=10,replication=1"
JOBS = ["funds.term_years=3,replication=0", "funds.term_years=3,replication=1",
        "funds.term_years=10,replication=0", "funds.term_years=10,replication=1"]


@pytest.fixture(scope="module")
def swept(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The shared sweep, run with one job forced to fail, then rerun (resumed) without the hook.

    Returns the directory, (exit code, printed text) of both runs, the first run's
    tables and the COMPLETE marker times after it.
    """
    root = tmp_path_factory.mktemp("sweep")
    directory = root / "sweeps" / "patience"
    result: dict = {"dir": directory}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BAIMO_OUTPUT_ROOT", str(root))
        for run, extra in (("first", [f"fail_job='{FAIL}'"]), ("second", [])):
            printed = io.StringIO()
            console = Console(file=printed, width=400)
            code = run_sweep(start_hydra(), [*SWEEP, f"sweep_dir={directory}", *extra], console)
            result[run] = (code, printed.getvalue())
            if run == "first":
                result["tables_first"] = collect(directory)
                marker = directory / FAIL / FAILED
                result["marker"] = json.loads(marker.read_text(encoding="utf-8"))
                result["mtimes"] = {j: (directory / j / COMPLETE).stat().st_mtime_ns
                                    for j in JOBS if (directory / j / COMPLETE).exists()}
    return result


# ---------------------------------------------------------------- seeds

def test_replication_seeds_come_from_seed_sequence_spawning() -> None:
    seeds = replication_seeds(42, 5)
    expected = [int(c.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))
                for c in np.random.SeedSequence(42).spawn(5)]
    assert seeds == expected
    assert len(set(seeds)) == 5
    assert seeds != list(range(5)) and seeds != list(range(42, 47))
    assert replication_seeds(42, 2) == seeds[:2]          # more replications extend, not reshuffle
    assert replication_seeds(43, 5)[0] != seeds[0]
    assert all(0 <= s < 2**63 for s in seeds)


def test_jobs_use_replication_seeds_paired_across_experiments() -> None:
    register_configs()
    register_resolver()
    a = build(start_hydra(), ["+experiment=investor_patience", "replications=3", *TINY])
    b = build(start_hydra(), ["+experiment=hype_bust", "replications=3", *TINY])
    seeds = replication_seeds(42, 3)
    assert len(a.jobs) == 5 * 3 and len(b.jobs) == 5 * 3
    for spec in (a, b):
        for job in spec.jobs:
            assert job.seed == seeds[job.replication]
            parts = [*job.setting.split(","), f"replication={job.replication}"]
            assert job.name == ",".join(sorted(parts))
    by_rep = [{j.replication: j.seed for j in s.jobs} for s in (a, b)]
    assert by_rep[0] == by_rep[1]
    assert {j.name for j in a.jobs} >= {"funds.term_years=3,replication=0",
                                        "funds.term_years=10,replication=2"}
    other = build(start_hydra(), ["+experiment=investor_patience", "replications=3", "seed=7",
                                  *TINY])
    assert {j.seed for j in other.jobs}.isdisjoint(set(seeds))


def test_parent_config_hash_matches_what_the_job_composes() -> None:
    """Resume compares these hashes: the sweep's fast path must equal the job's own config,
    for every setting (each after the first is composed on the one before it)."""
    spec = build(start_hydra(), ["+experiment=investor_patience", "replications=2", *TINY])
    for years in (3, 4, 5, 7, 10):
        job = next(j for j in spec.jobs if j.name == f"funds.term_years={years},replication=1")
        own = compose(["+experiment=investor_patience", f"funds.term_years={years}", *TINY])
        own = dataclasses.replace(own, seed=replication_seeds(42, 2)[1])
        assert job.config_hash == config_hash(own)
        assert spec.configs[job.name] == own


@pytest.mark.parametrize("command", [
    ["data.spillover=0.3,0.9", "data.revenue_gain_per_quality=${data.spillover}"],
    ["+experiment=data_protection", "replications=1", "++hydra.sweeper.params={data.spillover:"
     '"0.3,0.9",data.revenue_gain_per_quality:"${data.spillover}"}'],
], ids=["command_line", "sweeper_params"])
def test_an_override_interpolating_a_swept_key_takes_each_jobs_value(command: list[str]) -> None:
    """Read resolved, the master config would give every job the swept key's default."""
    spec = build(start_hydra(), [*command, *TINY])
    gains = {j.name: spec.configs[j.name].data.revenue_gain_per_quality for j in spec.jobs}
    assert gains == {"data.spillover=0.3,replication=0": 0.3,
                     "data.spillover=0.9,replication=0": 0.9}


# ---------------------------------------------------------------- experiments and listing

@pytest.mark.parametrize("name", SEVEN)
def test_experiment_file_opens_with_question_sweep_look_and_claim(name: str) -> None:
    text = (EXPERIMENTS_DIR / f"{name}.yaml").read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0] == "# @package _global_", (f"experiments/{name}.yaml: line 1 must be "
                                               "'# @package _global_'")
    assert lines[1].startswith("# ") and lines[1].endswith("?"), (
        f"experiments/{name}.yaml: line 2 must be the question, '# ...?'")
    head = "\n".join(line for line in lines if line.startswith("#"))
    for part in ("Swept:", "Look at:", "Claim: DOMAIN.md s3 claim"):
        assert part in head, (f"experiments/{name}.yaml: its opening comment lacks "
                              f"'# {part}' (docs/DEVELOPING.md)")
    spec = build(start_hydra(), [f"+experiment={name}"])
    assert spec.swept and len(spec.settings) >= 2 and spec.replications >= 3
    assert len(spec.configs) == len(spec.jobs) == len(spec.settings) * spec.replications


#: A dotted name in an experiment's "Look at" that reads as a summary.json outcome (or a
#: group of them, ``exits.*``, ``releases.by_kind``): file names and metrics' columns aside.
LOOKED_AT = re.compile(r"\b([a-z_][a-z_0-9]*(?:\.(?:[a-z_0-9]+|\*))+)")


@pytest.mark.parametrize("name", SEVEN)
def test_every_outcome_an_experiment_says_to_look_at_is_one_a_run_writes(name: str) -> None:
    """investor_patience said to look at releases.by_kind.original for claim 1, which
    counts the giants' originals too (most of them); it now names the startups' own,
    releases.startups_by_kind.original. Every summary outcome a "Look at" names exists."""
    from sim.summary import outcome_names

    text = (EXPERIMENTS_DIR / f"{name}.yaml").read_text(encoding="utf-8")
    look = text.split("# Look at:")[1].split("# Claim:")[0]
    known = [*outcome_names(120), *derived(pd.DataFrame())]
    groups = {k.split(".")[0] for k in known}
    named = [n for n in LOOKED_AT.findall(look) if n.split(".")[0] in groups]
    assert named
    for outcome in named:
        prefix = outcome.removesuffix(".*")
        assert any(k == prefix or k.startswith(f"{prefix}.") for k in known), (name, outcome)


def test_listing_shows_experiments_and_teaching_scenarios() -> None:
    found = list_experiments()
    names = [n for n, _ in found["experiments"]]
    assert set(SEVEN) <= set(names)
    text = listing()
    for name in SEVEN:
        line = next(x for x in text.splitlines() if x.strip().startswith(name + " "))
        assert line.rstrip().endswith("?")
    for path in sorted((EXPERIMENTS_DIR / "teaching").glob("*.yaml")):
        assert f"teaching/{path.stem}" in text


def test_help_lists_experiments_with_their_questions(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = baimo(["--help"], capsys)
    assert code == 0
    assert "baimo +experiment=NAME" in out and "Teaching scenarios" in out
    for name, question in list_experiments()["experiments"]:
        assert name in out and question in out
    # every subcommand and every other command (baimo --help named neither rerun nor four
    # of the five, found by following the docs as a new user)
    assert "baimo rerun DIR" in out and "baimo aggregate DIR" in out and "baimo list" in out
    for command in ("baimo-compare", "baimo-report", "baimo-explain", "baimo-teach",
                    "baimo-validate"):
        assert command in out, command


def test_a_single_run_draws_its_plots_unless_told_not_to(
        output_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """run_plots=false writes the tables, summary.json and COMPLETE without the plots, in
    about half the time: until 2026-12-07 a single run always drew them (job_plots=false,
    a sweep's key, changed nothing). A sweep cannot sweep it."""
    for value, drawn in (("true", True), ("false", False)):
        directory = output_root / value
        code, _, err = baimo([f"run_plots={value}", *TINY, f"hydra.run.dir={directory}"],
                             capsys)
        assert code == 0, err
        assert (directory / COMPLETE).is_file() and (directory / SUMMARY).is_file()
        assert (directory / "plots").is_dir() is drawn
        said = "(no plots: run_plots=false)" in (directory / "cli.log").read_text()
        assert said is not drawn
    code, _, err = baimo(["-m", "run_plots=true,false", *TINY], capsys)
    assert code == 2 and "run_plots" in err


def test_cli_plans_from_any_directory(tmp_path: Path, output_root: Path) -> None:
    """`plan=true` from another directory: counts jobs, probes one replication of four of
    the five settings, runs and writes nothing."""
    exe = Path(sys.executable).with_name("baimo")
    env = {**os.environ, "BAIMO_OUTPUT_ROOT": str(output_root)}
    planned = subprocess.run([str(exe), "+experiment=investor_patience", "replications=2",
                              "plan=true", *TINY], cwd=tmp_path, env=env, capture_output=True,
                             text=True, timeout=60)
    assert planned.returncode == 0, planned.stderr
    assert "10 jobs = 5 settings x 2 replications of 12 months, base seed 42" in planned.stdout
    # what runs: the swept values, and what the experiment and the command change besides
    # (investor_patience narrows the terms' spread: its arms differ from a plain run there)
    assert "  swept: funds.term_years: 3, 4, 5, 7, 10\n" in planned.stdout
    assert ("  changed from the defaults in every job: horizon_months=12, "
            "funds.term_spread_years=0.5, buyers.count=200\n") in planned.stdout
    assert "estimated duration" in planned.stdout
    assert "probes: one replication of 4 of the 5 settings to run took" in planned.stdout
    assert list(tmp_path.iterdir()) == []          # nothing written, here or under the root


#: Names as sweeps have always made them, which resumed sweeps must find again.
PORTABLE_NAMES = ["funds.term_years=3,replication=0", "replication=4,sample=17",
                  "buyers.digitization=[0.35,0.65,0.1,0.2],replication=0",
                  "giants.names.0='Baidu Ernie',replication=1", "giants.names.0=百度,replication=0"]


@pytest.mark.parametrize("name", PORTABLE_NAMES)
def test_a_name_windows_takes_is_kept(name: str) -> None:
    from sim.locations import portable_name

    assert portable_name(name) == name


def test_a_long_name_is_shortened_as_it_always_was() -> None:
    import hashlib

    from sim.locations import portable_name

    name = "x=" + "1" * 200
    assert portable_name(name) == name[:138] + "~" + hashlib.sha1(name.encode()).hexdigest()[:10]


def test_names_windows_refuses_are_made_portable_and_kept_apart(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Override values may hold characters no Windows file name may (a dict's ':', a
    quoted name's '"', '/' and '\\' its separators): the sweep made such directories, or
    refused a '/'. Each becomes '_', and a digest of the name as given keeps apart names
    that differ only there, on every system alike."""
    from sim import locations
    from sim.locations import MAX_NAME, portable_name

    base = "giants.names.0=a{}b,replication=0"
    names = [base.format(c) for c in '<>:"/\\|?*\t\x00\x1f_'] + ["x=a.", "x=a ", "x=a"]
    names.append("x=" + ":" * 300)
    made = [portable_name(name) for name in names]
    assert len(set(made)) == len(names)
    assert made[-2] == "x=a"                                   # the only one Windows takes
    for name in made:
        assert not re.search(r'[<>:"/\\|?*\x00-\x1f]', name) and not name.endswith((".", " "))
        assert len(name) <= MAX_NAME
    assert made[2] == f"giants.names.0=a_b,replication=0~{made[2][-10:]}"
    monkeypatch.setattr(locations.os, "sep", "\\")           # Windows: the same names
    monkeypatch.setattr(locations.os, "altsep", "/")
    assert [portable_name(name) for name in names] == made


def test_a_sweep_over_values_windows_refuses_in_names_runs_each_in_its_own_directory(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Three names that differ only in a character Windows refuses (or stands in for it):
    three directories, each portable; the tables give each setting as written, and a rerun
    finds every job finished."""
    from sim.locations import portable_name

    directory = tmp_path / "names"
    args = ["giants.names.0='a:b','a?b','a_b'", *TINY, "hydra/launcher=basic",
            "sweep_plots=false", "compute.export_controls=[]", f"sweep_dir={directory}"]
    code, out, err = baimo(["-m", *args], capsys)
    assert code == 0, err
    written = sorted(p.name for p in directory.iterdir() if p.is_dir())
    settings = ["giants.names.0='a:b'", "giants.names.0='a?b'", "giants.names.0='a_b'"]
    assert written == sorted(portable_name(f"{s},replication=0") for s in settings)
    assert "giants.names.0='a_b',replication=0" in written
    table = pd.read_parquet(directory / SWEEP_TABLE)
    assert table["setting"].tolist() == settings and set(table["status"]) == {"complete"}
    assert table["param.giants.names.0"].tolist() == ["a:b", "a?b", "a_b"]
    code, out, err = baimo(["-m", *args], capsys)
    assert code == 0 and "already complete: 3, to run: 0" in out


def test_a_grid_over_many_long_keys_is_cut_to_fit_not_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Five swept keys with long names made job names over 150 characters, and the sweep
    refused them ("sweep fewer keys"): a factorial design a researcher may well want. Each
    name is now cut and ended with a digest, kept apart from the others, and the sweep runs
    and resumes in them."""
    from sim.locations import MAX_NAME

    keys = ["startups.app_layer_capability_share=0.1,0.2", "startups.urgent_runway_months=1,2",
            "funds.investment_period_years=1,2", "compute.supply_price_elasticity=1,2",
            "startups.pivot_gap_points=10,20"]
    spec = build(start_hydra(), [*keys, *TINY])
    names = [job.name for job in spec.jobs]
    assert len(names) == 32 and len(set(names)) == 32
    assert all(len(name) <= MAX_NAME for name in names)
    assert any("~" in name for name in names)           # some were too long to keep whole
    directory = tmp_path / "long"
    args = ["giants.names.0='" + "n" * MAX_NAME + "','b'", *TINY, "hydra/launcher=basic",
            "sweep_plots=false", f"sweep_dir={directory}"]
    code, out, err = baimo(["-m", *args], capsys)
    assert code == 0, err
    written = [p.name for p in directory.iterdir() if p.is_dir()]
    assert len(written) == 2 and all(len(name) <= MAX_NAME for name in written)
    table = pd.read_parquet(directory / SWEEP_TABLE)
    assert set(table["status"]) == {"complete"}
    assert table["param.giants.names.0"].tolist() == ["n" * MAX_NAME, "b"]
    code, out, err = baimo(["-m", *args], capsys)
    assert code == 0 and "already complete: 2, to run: 0" in out


def test_durations_under_ten_seconds_keep_their_tenths() -> None:
    """A plan of half-second jobs said "estimated duration: ~0 s", shorter than its own
    longest probe (0.5 s), and a sweep of them finished "in 0 s"."""
    from sim.sweep.runner import duration_text

    assert duration_text(0.5) == "0.5 s" and duration_text(0.04) == "0.0 s"
    assert duration_text(9.94) == "9.9 s" and duration_text(12.4) == "12 s"
    assert duration_text(125) == "2 min 05 s" and duration_text(3 * 3600 + 60) == "3 h 01 min"


def test_a_sweep_of_one_says_one_job_one_setting_one_replication(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The header said "1 jobs = 1 settings x 1 replications"."""
    code, out, err = baimo(["-m", "data.spillover=0.5", *TINY, "plan=true",
                            f"sweep_dir={tmp_path / 'one'}"], capsys)
    assert code == 0, err
    assert "sweep: 1 job = 1 setting x 1 replication of 12 months" in out
    assert "  swept: nothing (replications only)\n" in out   # one value is no sweep
    assert "  changed from the defaults in every job: horizon_months=12, data.spillover=0.5" \
        in out


def test_the_plan_probes_settings_spread_over_the_sweep() -> None:
    """Settings can differ in cost many times over: the plan probes the first job of up to
    four settings, the first and the last among them, not the first job alone."""
    from sim.sweep.runner import probe_jobs

    spec = build(start_hydra(), ["data.spillover=0,0.25,0.5,0.75,1", "replications=2", *TINY])
    picked = probe_jobs(spec.jobs)
    assert [job.params["data.spillover"] for job in picked] == [0, 0.25, 0.75, 1]
    assert {job.replication for job in picked} == {0}
    # jobs already complete are not probed: each setting's first job still to run
    later = probe_jobs(spec.jobs[2:])   # replication 0 of the first two settings done
    assert [(j.params["data.spillover"], j.replication) for j in later] == [
        (0.5, 0), (0.75, 0), (0, 1), (0.25, 1)]
    assert probe_jobs(spec.jobs[:2]) == spec.jobs[:2]   # fewer settings than probes: all
    assert probe_jobs(spec.jobs, most=1) == spec.jobs[:1]


# ---------------------------------------------------------------- running, failing, resuming

def test_failed_job_is_reported_while_the_others_complete(swept: dict) -> None:
    code, out = swept["first"]
    d = swept["dir"]
    assert code == 1
    assert "1 of 4 jobs failed" in out
    assert f"  {FAIL}: sim.sweep.task.ForcedFailure: fail_job hook" in out
    log = d / FAIL / "baimo.log"
    assert f"log: {log}" in out
    assert "Traceback" in log.read_text(encoding="utf-8")
    marker = swept["marker"]
    assert marker["log"] == str(log) and "ForcedFailure" in marker["error"]
    first = swept["tables_first"].jobs.set_index("job")
    assert first.loc[FAIL, "status"] == "failed" and "ForcedFailure" in first.loc[FAIL, "error"]
    assert set(first.index[first["status"] == "complete"]) == set(JOBS) - {FAIL}
    assert set(swept["mtimes"]) == set(JOBS) - {FAIL}
    assert "jobs: 3 done, 1 failed" in out          # the progress bar's count


def test_the_header_and_sweep_json_name_the_settings_changed_from_the_defaults(
        swept: dict) -> None:
    """investor_patience sets funds.term_spread_years: 0.5 in its file; a user comparing its
    4-year arm with a plain run found why they differed only in a job's config.json."""
    changed = ["horizon_months=12", "funds.term_spread_years=0.5", "buyers.count=200"]
    for _, out in (swept["first"], swept["second"]):
        assert f"  changed from the defaults in every job: {', '.join(changed)}\n" in out
        assert "  swept: funds.term_years: 3, 10\n" in out
    manifest = json.loads((swept["dir"] / SWEEP_MANIFEST).read_text(encoding="utf-8"))
    assert manifest["changed_from_defaults"] == changed


def test_swept_and_design_keys_are_not_changes_every_job_makes() -> None:
    """A swept key's values differ between settings (the export controls' list holds two
    swept keys); the header lists them with their values, or a design's ranges."""
    from sim.sweep.runner import describe

    squeeze = build(start_hydra(), ["+experiment=compute_squeeze", "replications=1",
                                    "horizon_months=24", "buyers.count=200"])
    assert squeeze.changed == ["horizon_months=24", "buyers.count=200"]
    lines = describe(squeeze, 0)
    assert lines[1:5] == ["  swept, every combination of:",
                          "    compute.export_controls.0.supply_cut: 0.35, 0.7, 0.95",
                          "    compute.export_controls.0.month: 4.5, 7.5, 10.5",
                          "    compute.production_cost_mcny: 0.09, 0.18"]
    lhs = build(start_hydra(), ["design.kind=lhs", "design.samples=3", *TINY,
                                "++design.ranges={funds.initial_count:[0,10],"
                                "data.spillover:[0.2,0.8]}"])
    assert lhs.changed == ["horizon_months=12", "buyers.count=200"]
    assert describe(lhs, 0)[1:4] == ["  design: lhs (design.samples=3), 3 points over:",
                                     "    funds.initial_count: 0 to 10 (whole numbers)",
                                     "    data.spillover: 0.2 to 0.8"]
    seeds = describe(build(start_hydra(), ["seed=range(0,20)", *TINY]), 0)
    assert seeds[0] == "sweep: 20 jobs = 20 settings x 1 replication of 12 months"
    assert seeds[1] == "  swept: seed: 0, 1, 2, 3, 4, 5, 6, ..., 19 (20 values)"
    assert seeds[2] == ("  changed from the defaults in every job: horizon_months=12, "
                        "buyers.count=200")
    plain = describe(build(start_hydra(), ["replications=2"]), 0)
    assert plain[1:3] == ["  swept: nothing (replications only)",
                          "  changed from the defaults in every job: nothing"]


def test_the_experiments_table_names_each_experiments_fixed_settings() -> None:
    """docs/EXPERIMENTS.md's table names, for every experiment file, the settings it fixes
    away from the defaults, as its sweep's header and sweep.json give them."""
    from sim.configuration import (
        changed_from_defaults,
        config_settings,
        default_settings,
        flat_settings,
    )

    docs = (Path(__file__).resolve().parents[1] / "docs" / "EXPERIMENTS.md").read_text(
        encoding="utf-8")
    table = docs.split("| experiment | swept | fixed away from the defaults |")[1]
    table = table.split("\n\n")[0]
    rows = {m[1]: m[2] for m in re.finditer(r"^\| `([a-z_]+)` \| [^|]+ \| ([^|]+) \|", table,
                                            re.MULTILINE)}
    shipped = sorted(p.stem for p in EXPERIMENTS_DIR.glob("*.yaml"))
    unlisted = [name for name in shipped if name not in rows]
    assert unlisted == [], (
        f"{', '.join(unlisted)} has no row in docs/EXPERIMENTS.md's table (| experiment | "
        "swept | fixed away from the defaults | claim (DOMAIN.md s3) |): add one")
    gone = sorted(set(rows) - set(shipped))
    assert gone == [], (f"docs/EXPERIMENTS.md's table has rows for {', '.join(gone)}, which "
                        "experiments/ does not have: remove them")
    defaults = default_settings()
    for name in shipped:
        fixed = changed_from_defaults(config_settings(compose([f"+experiment={name}"])),
                                      defaults)
        named = re.findall(r"`([^`]+=[^`]+)`", rows[name])
        want = ", ".join(f"`{setting}`" for setting in fixed) or "none"
        assert named == fixed or (rows[name].strip() == "none" and not fixed), (
            f"{name}: docs/EXPERIMENTS.md's table says it fixes {rows[name].strip()!r}; its "
            f"file fixes {want} away from the defaults: write that in the third column")
    assert flat_settings({"a": {"b": [1, 2]}, "c": "x"}) == {"a.b": "[1,2]", "c": '"x"'}


def test_rerun_resumes_only_the_unfinished_job(swept: dict) -> None:
    code, out = swept["second"]
    d = swept["dir"]
    assert code == 0, out
    assert "already complete: 3, to run: 1" in out
    assert "4 of 4 jobs complete (3 from before)" in out
    assert out.rstrip().endswith(
        f"each setting's differences from the first, with 95% CIs: baimo-compare {d} "
        "(another reference: --reference funds.term_years=10)")
    assert "baimo-compare" not in swept["first"][1]      # a job failed: no comparison yet
    for job, mtime in swept["mtimes"].items():
        assert (d / job / COMPLETE).stat().st_mtime_ns == mtime, f"{job} was rerun"
    assert not (d / FAIL / FAILED).exists()


def test_the_compare_hint_is_for_small_grids_of_replicated_settings(swept: dict) -> None:
    """A design's hundreds of points, a lone setting or one replication have no arms to
    compare with intervals; a grid's few replicated settings do."""
    spec = build(start_hydra(), [*SWEEP, f"sweep_dir={swept['dir']}"])
    assert compare_hint(spec) is not None
    one_each = dataclasses.replace(spec, replications=1)
    assert compare_hint(one_each) is None
    assert compare_hint(dataclasses.replace(spec, design={"kind": "lhs"})) is None
    lone = dataclasses.replace(spec, jobs=[j for j in spec.jobs if j.setting == spec.settings[0]])
    assert compare_hint(lone) is None
    many = [dataclasses.replace(j, setting=f"x={i}") for i in range(COMPARE_HINT_MOST_SETTINGS + 1)
            for j in spec.jobs[:1]]
    assert compare_hint(dataclasses.replace(spec, jobs=many)) is None
    assert compare_hint(dataclasses.replace(spec, jobs=many[:-1])) is not None


def test_the_compare_hint_offers_the_setting_that_kept_the_defaults(tmp_path: Path) -> None:
    """A grid with the model's default among its settings (4-year funds) is told it can be
    the reference by name (--reference defaults); one without keeps the last setting."""
    command = ["+experiment=investor_patience", "funds.term_years=10,4", "replications=2",
               *TINY, f"sweep_dir={tmp_path / 's'}"]
    spec = build(start_hydra(), command)
    assert defaults_setting(spec) == "funds.term_years=4"
    assert compare_hint(spec) == (
        "each setting's differences from the first, with 95% CIs: baimo-compare "
        f"{tmp_path / 's'} (another reference: --reference defaults)")
    other = build(start_hydra(), [*command[:1], "funds.term_years=10,3", *command[2:]])
    assert defaults_setting(other) is None
    assert str(compare_hint(other)).endswith("(another reference: --reference "
                                             "funds.term_years=3)")


def test_interrupted_job_is_rerun_and_comes_out_identical(swept: dict, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) \
        -> None:
    copy = tmp_path / "copy"
    shutil.copytree(swept["dir"], copy)
    victim = copy / JOBS[1]
    original = (victim / EVENTS).read_bytes()
    (victim / COMPLETE).unlink()                       # killed before its marker ...
    (victim / EVENTS).write_bytes(original[: len(original) // 2])   # ... mid-write
    keep = (copy / JOBS[0] / COMPLETE).stat().st_mtime_ns
    code, out, err = baimo([*SWEEP, f"sweep_dir={copy}"], capsys)
    assert code == 0, err
    assert "already complete: 3, to run: 1" in out
    assert (victim / EVENTS).read_bytes() == original
    assert (copy / JOBS[0] / COMPLETE).stat().st_mtime_ns == keep


def test_a_rerun_job_and_an_aggregation_remove_the_temporary_files_of_killed_writers(
        swept: dict, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A worker stopped mid-write (the sweep ends its workers with SIGTERM, which skips
    atomic_write's clean-up) left ``.events.parquet.bz9n5d87.tmp`` in its job directory,
    and a killed aggregation ``.sweep_metrics.parquet.4slgkm84.tmp`` in the sweep's: they
    stayed after the rerun finished the job. The rerun job and the aggregation now delete
    the temporary files in their directories; nothing else."""
    from sim.outputs import TEMP_NAME, atomic_write

    names: list[str] = []
    atomic_write(tmp_path / "events.parquet", lambda tmp: names.append(tmp.name))
    assert TEMP_NAME.fullmatch(names[0]), names   # the pattern is the writer's
    copy = tmp_path / "copy"
    shutil.copytree(swept["dir"], copy)
    victim = copy / JOBS[1]
    (victim / COMPLETE).unlink()   # killed: it runs again
    litter = [victim / ".events.parquet.bz9n5d87.tmp",
              victim / "plots" / ".funding.png.a_1b2c3d.tmp",
              copy / ".sweep_metrics.parquet.4slgkm84.tmp",
              copy / "plots" / ".fan_x.png.zz9n5d87.tmp"]
    kept = [victim / "notes.tmp", victim / ".hidden.tmp", copy / "my.events.parquet.x.tmp",
            copy / JOBS[0] / ".events.parquet.qq9n5d87.tmp"]   # the last: a job not rerun
    for path in litter + kept:
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(b"PAR1 half")
    code, out, err = baimo([*SWEEP, f"sweep_dir={copy}"], capsys)
    assert code == 0 and "already complete: 3, to run: 1" in out, err
    assert sorted(copy.rglob("*.tmp")) == sorted(kept)


def test_command_line_sweep_composes_its_master_config_once(
        swept: dict, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Deciding that the command is a sweep and running it share one composition."""
    copy = tmp_path / "copy"
    shutil.copytree(swept["dir"], copy)
    calls = []
    compose = Hydra.compose_config

    def counted(self: Hydra, *args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return compose(self, *args, **kwargs)

    monkeypatch.setattr(Hydra, "compose_config", counted)
    code, out, err = baimo([*SWEEP, f"sweep_dir={copy}"], capsys)
    assert code == 0, err
    assert "already complete: 4, to run: 0" in out
    assert len(calls) == 1


def test_changed_sweep_into_a_used_directory_is_refused(swept: dict, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(swept["dir"], copy)
    code, out, err = baimo([*SWEEP, "seed=7", f"sweep_dir={copy}"], capsys)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "finished with a different configuration" in lines[0]


def test_a_sweep_writes_and_deletes_nothing_through_a_symbolic_link(
        swept: dict, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A sweep's plots/ that was a link to another directory took the sweep's plots there,
    and the clean-up of old plots deleted the files there named as the sweep's (a
    user's fan_my_own_chart.png); a job's directory that was a link got a whole run
    written beside the files there. Both are refused in one line, nothing touched."""
    from sim.outputs import OutputError
    from sim.sweep import aggregate

    elsewhere = tmp_path / "thesis"
    elsewhere.mkdir()
    mine = elsewhere / "fan_my_own_chart.png"
    mine.write_bytes(b"mine")
    copy = tmp_path / "copy"
    shutil.copytree(swept["dir"], copy)
    shutil.rmtree(copy / "plots", ignore_errors=True)
    (copy / "plots").symlink_to(elsewhere)
    with pytest.raises(OutputError, match=r"plots is a symbolic link \(to .*thesis\); baimo "
                                          r"writes only into directories of the output's own"):
        aggregate(copy)
    code, out, err = baimo([*SWEEP, f"sweep_dir={copy}"], capsys)
    assert code == 2 and "plots is a symbolic link" in err
    (copy / "plots").unlink()
    shutil.rmtree(copy / JOBS[0])
    (copy / JOBS[0]).symlink_to(elsewhere)
    code, out, err = baimo([*SWEEP, f"sweep_dir={copy}"], capsys)
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert f"{JOBS[0]} is a symbolic link" in err
    (copy / JOBS[0]).unlink()
    shutil.copytree(swept["dir"] / JOBS[0], copy / JOBS[0])   # a job to redo, its log a link
    (copy / JOBS[0] / COMPLETE).unlink()
    (copy / JOBS[0] / "baimo.log").unlink(missing_ok=True)
    (copy / JOBS[0] / "baimo.log").symlink_to(mine)
    code, out, err = baimo([*SWEEP, f"sweep_dir={copy}"], capsys)
    assert code == 2 and "baimo.log is a symbolic link" in err
    assert sorted(p.name for p in elsewhere.iterdir()) == ["fan_my_own_chart.png"]
    assert mine.read_bytes() == b"mine"
    manifest = json.loads((copy / SWEEP_MANIFEST).read_text(encoding="utf-8"))
    manifest["jobs"].append(manifest["jobs"][0])   # one job listed twice: drawing failed
    (copy / SWEEP_MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(OutputError, match=f"the job '{JOBS[0]}' is listed twice"):
        aggregate(copy)


def test_a_sweep_resumed_with_a_safety_limit_raised_keeps_its_finished_jobs(
        swept: dict, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A job stopped by a safety limit says to raise it (max_events, ...); the sweep
    rerun so refused every finished job as 'a different configuration', since the limit
    was in the config hash. A limit changes no run that stays within it: it is left out
    of the hash, and the rerun keeps the finished jobs."""
    copy = tmp_path / "copy"
    shutil.copytree(swept["dir"], copy)
    raised = ["max_events=20000001", "funding.max_positions=500001",
              "startups.max_founded=5001", "funds.max_founded=5001"]
    code, out, err = baimo([*SWEEP, *raised, f"sweep_dir={copy}"], capsys)
    assert code == 0, err
    assert "already complete: 4, to run: 0" in out


def test_a_sweep_run_by_other_code_is_not_resumed(swept: dict, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """Resumed after baimo's code changed (an update, an edit to sim/), a sweep kept its
    finished jobs and ran the rest with the new code: a table of two models' runs, all
    'complete', matching neither model's sweep. A finished job records the code that ran
    it (summary.json's environment.model_code); another code's is refused in one line."""
    copy = tmp_path / "copy"
    shutil.copytree(swept["dir"], copy)
    job = next(p for p in sorted(copy.iterdir()) if (p / COMPLETE).is_file())
    summary = json.loads((job / SUMMARY).read_text())
    assert summary["environment"]["model_code"] == model_code()
    summary["environment"]["model_code"] = "0" * 64   # as another version of baimo wrote it
    (job / SUMMARY).write_text(json.dumps(summary))
    code, out, err = baimo([*SWEEP, f"sweep_dir={copy}"], capsys)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and f"{job} was run by other code than this baimo's" in lines[0]


@pytest.fixture
def package_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the sim package's modules, which model_code (uncached) reads instead."""
    import sim.summary

    copy = tmp_path / "sim"
    shutil.copytree(sim.summary.SIM_PACKAGE, copy,
                    ignore=shutil.ignore_patterns("__pycache__", "bundled"))
    monkeypatch.setattr(sim.summary, "SIM_PACKAGE", copy)
    return copy


def test_the_model_code_changes_with_any_module_of_sim(package_copy: Path) -> None:
    """model_code reads every module of the sim package, readers too."""
    copy = package_copy
    fingerprint = model_code.__wrapped__
    before = fingerprint()
    assert before == model_code()          # the copy is the code this process runs
    with (copy / "report.py").open("a") as handle:
        handle.write("\n# an edit\n")
    assert fingerprint() != before


def test_the_model_code_skips_what_is_no_module(package_copy: Path) -> None:
    """An editor's lock file (Emacs's .#world.py, a link to nowhere) failed every run with
    "cannot make the run directory"; it, a hidden directory's files and a link to nowhere
    are not modules of the package and leave the code's fingerprint as it was."""
    copy = package_copy
    fingerprint = model_code.__wrapped__
    before = fingerprint()
    (copy / ".#world.py").symlink_to("someone@host.4242:1700000000")
    (copy / "agents" / "gone.py").symlink_to(copy / "no_such_module.py")
    (copy / ".ipynb_checkpoints").mkdir()
    (copy / ".ipynb_checkpoints" / "world-checkpoint.py").write_text("# a notebook's copy\n")
    (copy / "#world.py").write_text("# an editor's copy\n")
    assert fingerprint() == before


@pytest.mark.parametrize("args, message", [
    (["replications=0"], "replications=0 must be at least 1"),
    (["replications=2", "funds.term_years=3,abc"], "funds.term_years"),
    (["compute.export_controls.0.month=4.5,22.5", "replications=2"], "is past the horizon"),
])
def test_bad_sweep_input_is_one_line_exit_2(args: list[str], message: str,
                                            capsys: pytest.CaptureFixture[str],
                                            output_root: Path) -> None:
    code, out, err = baimo([*args, *TINY], capsys)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("baimo: error:") and message in lines[0]
    assert not (output_root / "sweeps").exists()


def test_joblib_workers_start_before_the_jobs_are_composed_and_run_them(tmp_path: Path) -> None:
    """The pool is started once, before composing, and the jobs run on its processes."""
    from sim.sweep.runner import run_direct, warm_workers
    from sim.sweep.spec import compose_master

    basic = compose_master(start_hydra(), [*SWEEP, "sweep_dir=unused"])
    assert warm_workers(basic, jobs=4) is None
    master = compose_master(start_hydra(), [*SWEEP[:-2], "hydra.launcher.n_jobs=2",
                                            f"sweep_dir={tmp_path / 'sweep'}"])
    assert warm_workers(master, jobs=0) is None
    pool = warm_workers(master, jobs=4)
    assert pool is not None
    try:
        started = {p.pid for p in pool._processes.values()}
        assert len(started) == 2 and os.getpid() not in started
        assert {pool.submit(os.getpid).result() for _ in range(8)} <= started
        spec = build(start_hydra(), master)
        run_direct(spec, spec.jobs, pool)
    finally:
        pool.shutdown(wait=True)
    assert all((spec.job_dir(j) / COMPLETE).is_file() for j in spec.jobs)


def test_a_sweep_starts_no_more_workers_than_jobs_to_run(
        swept: dict, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """hydra.launcher.n_jobs=6 started six workers for a sweep of two jobs, for a resumed
    sweep with one left, and for a plan, which runs nothing on them."""
    import sim.sweep.runner

    started: list[int] = []
    real = sim.sweep.runner.process_pool

    def counted(workers: int) -> Any:
        started.append(workers)
        return real(workers)

    monkeypatch.setattr(sim.sweep.runner, "process_pool", counted)
    six = [*SWEEP[:-2], "sweep_plots=false", "hydra.launcher.n_jobs=6"]
    fresh = [*six, "replications=1", f"sweep_dir={tmp_path / 'fresh'}"]   # 2 jobs
    code, out, err = baimo(fresh, capsys)
    assert code == 0, err
    assert started == [2] and "already complete: 0, to run: 2 on joblib with 2 workers\n" in out

    resumed = tmp_path / "resumed"
    shutil.copytree(swept["dir"], resumed)
    (resumed / JOBS[1] / COMPLETE).unlink()   # one of four left
    started.clear()
    code, out, err = baimo([*six, f"sweep_dir={resumed}"], capsys)
    assert code == 0, err
    assert started == [1] and "already complete: 3, to run: 1 on joblib with 1 worker\n" in out

    started.clear()
    code, out, err = baimo([*six, f"sweep_dir={resumed}"], capsys)   # nothing left
    assert code == 0, err
    assert started == [] and "already complete: 4, to run: 0\n" in out

    code, out, err = baimo([*fresh, "replications=3", "plan=true"], capsys)
    assert code == 0, err
    assert started == [] and "to run: 4 on joblib with 4 workers\n" in out


@pytest.mark.parametrize("workers", ["fork", "spawn"])
def test_joblib_jobs_are_byte_identical_to_serial_ones(workers: str, swept: dict, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Same config and seed: the same bytes whichever launcher ran the job, and whether its
    workers were forked (Linux) or spawned (macOS, Windows: no test ran that path here)."""
    import sim.parallel

    if workers not in sim.parallel.mp.get_all_start_methods():
        pytest.skip(f"{workers} is no start method on this platform")
    monkeypatch.setattr(sim.parallel, "start_method", lambda: workers)
    parallel = tmp_path / "parallel"
    args = ["+experiment=investor_patience", "funds.term_years=3,10", "replications=1", *TINY,
            "sweep_plots=false", "hydra.launcher.n_jobs=2", f"sweep_dir={parallel}"]
    code, out, err = baimo(args, capsys)
    assert code == 0, err
    assert "on joblib with 2 workers" in out
    for job in ("funds.term_years=3,replication=0", "funds.term_years=10,replication=0"):
        for name in (EVENTS, METRICS, SUMMARY):
            assert (parallel / job / name).read_bytes() == \
                (swept["dir"] / job / name).read_bytes(), (job, name)


def _dying_in_fail_job(run: Callable[..., Any]) -> Callable[..., Any]:
    """``run`` (sim.run.run), except that the worker running job FAIL dies outright in it
    (as if killed or out of memory): after the job logged its start, as a real one would."""
    def run_or_die(config: Any, run_dir: Path, *args: Any, **kwargs: Any) -> Any:
        if run_dir.name == FAIL:
            os._exit(3)
        return run(config, run_dir, *args, **kwargs)
    return run_or_die


@pytest.mark.skipif(start_method() != "fork", reason="only forked workers inherit the patch")
def test_a_dying_worker_fails_its_jobs_the_sweep_goes_on_and_a_rerun_redoes_them(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    import sim.run
    from sim.sweep.runner import WORKER_DIED

    directory = tmp_path / "broken-pool"
    args = [*SWEEP[:-2], "sweep_plots=false", "hydra.launcher.n_jobs=2",
            f"sweep_dir={directory}"]
    real = sim.run.run
    monkeypatch.setattr(sim.run, "run", _dying_in_fail_job(real))  # forked workers inherit it
    code, out, err = baimo(args, capsys)
    assert code == 1, err
    assert "a worker process died" in out and f"{FAIL}" in out and "marked failed" in out
    assert "Traceback" not in out + err
    assert json.loads((directory / FAIL / FAILED).read_text())["error"] == WORKER_DIED
    assert not (directory / FAIL / COMPLETE).exists()
    # the others finished, but for at most the one running beside it, which went down too
    done = [job for job in JOBS if (directory / job / COMPLETE).is_file()]
    assert len(done) >= len(JOBS) - 2, out
    for job in set(JOBS) - set(done):
        assert json.loads((directory / job / FAILED).read_text())["error"] == WORKER_DIED
    table = pd.read_parquet(directory / "sweep.parquet").set_index("job")
    assert table.loc[FAIL, "status"] == "failed" and table.loc[FAIL, "error"] == WORKER_DIED
    monkeypatch.setattr(sim.run, "run", real)
    code, out, err = baimo(args, capsys)
    assert code == 0, err
    assert all((directory / job / COMPLETE).is_file() for job in JOBS)


@pytest.mark.skipif(start_method() != "fork", reason="only forked workers inherit the patch")
def test_after_a_dead_worker_the_progress_bar_still_counts_the_jobs_it_took(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The sweep goes on under a new bar; it counts the whole launch, so the jobs the dead
    worker took show as failed (they once vanished from it: 'failed 0')."""
    import sim.run

    directory = tmp_path / "broken-pool"
    args = [*SWEEP[:-2], "sweep_plots=false", "hydra.launcher.n_jobs=2", "replications=5",
            f"sweep_dir={directory}"]
    monkeypatch.setattr(sim.run, "run", _dying_in_fail_job(sim.run.run))
    code, out, err = baimo(args, capsys)
    assert code == 1, err
    failed = len(list(directory.glob(f"*/{FAILED}")))
    assert failed >= 1 and "on fresh workers" in out
    bars = re.findall(r"(\d+)/(\d+) jobs: (\d+) done, (\d+) failed", out)
    # The first launch's bar, then the one after the death: of 10 jobs the dead worker
    # took the 7th and at most one beside it, so jobs were left to go on with.
    assert len(bars) == 2, out
    assert bars[-1] == ("10", "10", str(10 - failed), str(failed)), out


def _die_before_fail_job_starts(config: Any, run_dir: Path, *args: Any) -> str:
    """A job whose worker process dies before the job could log its start."""
    from sim.sweep.task import direct_task

    if run_dir.name == FAIL:
        os._exit(3)
    return direct_task(config, run_dir, *args)


@pytest.mark.skipif(start_method() != "fork", reason="only forked workers inherit the patch")
def test_a_worker_dying_before_any_job_started_stops_the_sweep_with_one_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """With no job to blame, going on would change nothing: the sweep stops, says how to
    finish, and a rerun does."""
    from sim.sweep import runner

    directory = tmp_path / "broken-pool"
    args = [*SWEEP[:-2], "sweep_plots=false", "hydra.launcher.n_jobs=2",
            f"sweep_dir={directory}"]
    real = runner.direct_task
    monkeypatch.setattr(runner, "direct_task", _die_before_fail_job_starts)
    code, out, err = baimo(args, capsys)
    assert code == 1, err
    assert "a worker process died" in out and "run the same command again" in out
    assert "Traceback" not in out + err
    assert not (directory / FAIL / COMPLETE).exists()
    monkeypatch.setattr(runner, "direct_task", real)
    code, out, err = baimo(args, capsys)
    assert code == 0, err
    assert all((directory / job / COMPLETE).is_file() for job in JOBS)


def _hanging_in_fail_job(run: Callable[..., Any]) -> Callable[..., Any]:
    """``run`` (sim.run.run), except that job FAIL first hangs for 30 s (a runaway, as far
    as the sweep can tell; without a time limit it then completes, and the test fails)."""
    def run_or_hang(config: Any, run_dir: Path, *args: Any, **kwargs: Any) -> Any:
        if run_dir.name == FAIL:
            end = time.monotonic() + 30
            while time.monotonic() < end:
                time.sleep(0.01)
        return run(config, run_dir, *args, **kwargs)
    return run_or_hang


@pytest.mark.parametrize("launcher", ["hydra/launcher=basic", "hydra.launcher.n_jobs=2"])
def test_a_job_past_job_timeout_s_is_stopped_and_failed_and_the_sweep_goes_on(
        launcher: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the limit this sweep never ends; with it the hanging job is failed with the
    reason, every other job completes, and a rerun with a fixed model finishes it."""
    if "n_jobs" in launcher and start_method() != "fork":
        pytest.skip("only forked workers inherit the patch")
    import sim.run

    directory = tmp_path / "limited"
    args = [*SWEEP[:-2], launcher, "sweep_plots=false", f"sweep_dir={directory}",
            "job_timeout_s=2"]
    real = sim.run.run
    monkeypatch.setattr(sim.run, "run", _hanging_in_fail_job(real))   # workers inherit it
    code, out, err = baimo(args, capsys)
    assert code == 1, err
    error = json.loads((directory / FAIL / FAILED).read_text())["error"]
    assert error.startswith("sim.sweep.task.JobTimeout: stopped after job_timeout_s=2 s"), error
    assert f"  {FAIL}: {error}" in out and "Traceback" not in out + err
    assert not (directory / FAIL / COMPLETE).exists()
    assert all((directory / job / COMPLETE).is_file() for job in JOBS if job != FAIL)
    table = pd.read_parquet(directory / "sweep.parquet").set_index("job")
    assert table.loc[FAIL, "status"] == "failed"
    monkeypatch.setattr(sim.run, "run", real)
    code, out, err = baimo(args, capsys)
    assert code == 0, err
    assert all((directory / job / COMPLETE).is_file() for job in JOBS)


def test_the_time_limit_stops_its_block_only_and_leaves_no_alarm_behind() -> None:
    import signal

    from sim.sweep.task import JobTimeout, time_limit

    before, hook = signal.getsignal(signal.SIGALRM), sys.unraisablehook
    tic = time.perf_counter()
    with pytest.raises(JobTimeout, match="job_timeout_s=0.2 s"), time_limit(0.2):
        while True:
            pass
    assert 0.2 <= time.perf_counter() - tic < 2
    with time_limit(5):   # a block that ends in time ends as it would
        total = sum(range(1000))
    assert total == 499500
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) == before and sys.unraisablehook is hook
    with time_limit(None):   # no limit: no alarm set
        assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_a_second_sweep_into_a_running_sweeps_directory_stops_with_one_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The same command started twice: the second would run the same jobs and delete the
    first's markers; it stops at once, and runs once the first has finished."""
    from sim.sweep.runner import sweep_lock

    directory = tmp_path / "held"
    args = [*SWEEP, f"sweep_dir={directory}"]
    with sweep_lock(directory):   # the first sweep, running
        code, out, err = baimo(args, capsys)
        assert code == 2
        assert err.strip() == (f"baimo: error: another baimo sweep is running in {directory}; "
                               "wait for it to finish, or choose another sweep_dir")
        assert not list(directory.glob(f"*/{COMPLETE}"))
    code, out, err = baimo(args, capsys)
    assert code == 0, err
    assert all((directory / job / COMPLETE).is_file() for job in JOBS)
    with sweep_lock(directory):   # a sweep running again: baimo aggregate leaves it be
        code, out, err = baimo(["aggregate", str(directory)], capsys)
        assert code == 2
        assert err.strip().endswith("it aggregates its jobs itself when they are done")


def test_a_plain_sweep_checks_its_keys_once_and_a_sweep_adding_one_is_refused(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings that only assign keys the first checked setting has cannot hold a key the
    schema lacks: the walk over every node (half a setting's cost) runs once. A swept key
    that adds one is still refused, with its setting named."""
    from sim import configuration
    from sim.sweep.spec import SweepError

    walks = []
    real = configuration._unknown_key

    def counted(node, path=""):   # noqa: ANN001, ANN202 - a spy on the recursive walk
        if path == "":
            walks.append(1)
        return real(node, path)

    monkeypatch.setattr(configuration, "_unknown_key", counted)
    spec = build(start_hydra(), ["seed=1,2,3,4,5", *TINY])
    assert len(spec.jobs) == 5 and len(walks) == 1
    for added in ("+funds.nonsense=1,2", "+funds.nonsense=1"):   # swept, or fixed
        with pytest.raises(SweepError, match="funds.nonsense: no such setting; docs/MODEL.md"):
            build(start_hydra(), ["seed=1,2", added, *TINY])


def test_the_plans_estimate_counts_a_composition_per_job_only_where_jobs_compose() -> None:
    """baimo's own launchers run jobs from the configs the sweep composed (no composition
    per job); any other launcher's jobs compose again, as long as the master took."""
    from sim.sweep.runner import estimate_seconds

    spec = build(start_hydra(), ["seed=1,2,3,4", *TINY])
    assert spec.launcher == "joblib"
    assert estimate_seconds(spec, 4, per_job=1.0) == 4.0 / min(spec.workers, 4)
    slurm = dataclasses.replace(spec, launcher="slurm", workers=4, compose_seconds=0.5)
    assert estimate_seconds(slurm, 4, per_job=1.0) == 1.5
    # never shorter than the longest job probed (one long setting among short ones)
    assert estimate_seconds(slurm, 4, per_job=1.0, longest=3.0) == 3.5


#: Seconds the stand-in drawing of one plot of each kind takes in the plan's estimate test.
DRAWN_S = {"outcomes_vs_": 0.75, "fan_": 0.0625}


def test_the_plans_estimate_counts_the_sweeps_tables_and_plots(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The plan's estimate adds what the sweep does after its jobs: the tables, and the plots
    drawn one of each kind and counted for all of them, shared among the workers as the
    sweep shares them. Until 2026-12-07 it left them out (hype_bust: "~27 s" for 34 s)."""
    import types

    import sim.sweep.plots as sweep_plots
    import sim.sweep.runner as runner

    now = [0.0]   # the plan's clock: only the stand-in drawing moves it
    monkeypatch.setattr(runner, "time", types.SimpleNamespace(perf_counter=lambda: now[0]))
    drawn: list[str] = []

    def stand_in(builders: dict, directory: Path, pool: object = None) -> list[Path]:
        (name,) = builders
        drawn.append(name)
        now[0] += DRAWN_S[sweep_plots.plot_kind(name)]
        return []

    monkeypatch.setattr(sweep_plots, "save_plots", stand_in)
    spec = build(start_hydra(), ["data.spillover=0,1", "hydra/launcher=basic", *TINY])
    fans = list(sweep_plots.KEY_SERIES)

    def estimate(spec: runner.SweepSpec) -> float:
        drawn.clear()
        took = runner.probe(spec, runner.probe_jobs(spec.jobs), len(spec.jobs))
        assert took.jobs == [0.0, 0.0]
        return took.aggregation

    # one plot of each kind drawn, the rest counted at its time, one after another (basic)
    assert estimate(spec) == DRAWN_S["outcomes_vs_"] + len(fans) * DRAWN_S["fan_"]
    assert sorted(drawn) == ["fan_" + fans[0], "outcomes_vs_data.spillover"]
    # two workers: shared as the sweep shares them (the plot of the outcomes against the key
    # and three fan charts in one share, seven fan charts in the other)
    pair = dataclasses.replace(spec, launcher="joblib", workers=2)
    assert estimate(pair) == max(DRAWN_S["outcomes_vs_"] + 3 * DRAWN_S["fan_"],
                                 (len(fans) - 3) * DRAWN_S["fan_"])
    assert estimate(dataclasses.replace(pair, workers=1)) == estimate(spec)
    # a sweep that draws no plots draws none in its plan either
    assert estimate(dataclasses.replace(spec, plots=False)) == 0.0 and drawn == []


def test_a_tilde_in_sweep_dir_is_the_home_directory(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """``sweep_dir=~/sweeps`` (zsh leaves ``~`` after ``=`` alone): under the home
    directory, not a directory named ``~`` here."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    spec = build(start_hydra(), ["seed=1,2", "sweep_dir='~/sweeps/x'", *TINY])
    assert spec.directory == tmp_path / "home" / "sweeps" / "x"
    from sim.commands import OneLineError

    with pytest.raises(OneLineError, match="^sweep_dir=~baimo_no_such_user/x: no home directory "
                                         "is known for ~baimo_no_such_user; give the path in "
                                         "full$"):
        build(start_hydra(), ["seed=1,2", "sweep_dir='~baimo_no_such_user/x'", *TINY])


@pytest.mark.parametrize(("swept", "jobs"), [
    (["seed=range(0,100000000)"], "100,000,000"),
    (["seed=range(0,100)", "funds.term_years=3,4,5", "replications=40"], "12,000"),
])
def test_a_sweep_of_more_than_ten_thousand_jobs_is_refused_before_it_is_laid_out(
        swept: list[str], jobs: str, output_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Counted from the overrides: Hydra's sweeper lays out every combination as a list
    (a hundred million of them filled the memory), and no list of values is made."""
    from hydra.core.override_parser.types import Override, RangeSweep

    import sim.sweep.spec as spec
    from sim.commands import group_choice_problem
    from sim.sweep.spec import SweepError, grid_size, parse

    iterate = Override.sweep_iterator

    def listed(self: Override, *args: Any, **kwargs: Any) -> Any:
        assert not isinstance(self.value(), RangeSweep), "a range's values were listed"
        return iterate(self, *args, **kwargs)

    def laid_out(*args: Any) -> None:
        raise AssertionError("every combination was laid out")

    monkeypatch.setattr(Override, "sweep_iterator", listed)
    monkeypatch.setattr(spec.BasicSweeper, "split_arguments", laid_out)
    assert group_choice_problem(swept) is None   # a range of numbers names no group's option
    assert grid_size(dict(enumerate(parse(["seed=range(0,10,3)", "x=a,b", "y=1"])))) == 8
    with pytest.raises(SweepError, match=f"the sweep holds {jobs} jobs .* allowed at most "
                                         "10,000"):
        build(start_hydra(), [*swept, *TINY])


@pytest.mark.parametrize(("swept", "says"), [
    ("seed=range(0,5,0)", "seed=range(0,5,0): a range's step must not be 0"),
    ("funds=glob(*)", "funds=glob(*): baimo sweeps take lists (key=a,b) and ranges"),
])
def test_a_sweep_it_cannot_lay_out_is_one_line(swept: str, says: str,
                                               output_root: Path) -> None:
    """Both were tracebacks (range()'s ValueError; Hydra's "ConfigLoader is not set")."""
    from sim.sweep.spec import SweepError

    with pytest.raises(SweepError, match=re.escape(says)):
        build(start_hydra(), [swept, *TINY])


def test_two_experiments_at_once_name_their_directory_plainly(output_root: Path) -> None:
    """``+experiment=[a,b]`` loads both; the directory was named ``['a', 'b']``."""
    spec = build(start_hydra(), ["+experiment=[hype_bust,investor_patience]", "replications=1",
                                 *TINY])
    assert spec.directory == output_root / "sweeps" / (
        "hype_bust+investor_patience__buyers.count=200,horizon_months=12")


def _default_directory(*command: str) -> str:
    """The sweep directory ``baimo -m COMMAND`` defaults to, under the output root's sweeps/."""
    from sim.outputs import output_root
    from sim.sweep.spec import compose_master

    directory = compose_master(start_hydra(), list(command)).directory
    return str(directory.relative_to(output_root() / "sweeps"))


def test_ad_hoc_sweeps_with_the_same_fixed_overrides_keep_apart() -> None:
    """``baimo replications=3 horizon_months=60`` and then ``baimo -m
    data.spillover=0.9,0.95,0.99 replications=3 horizon_months=60`` both wrote
    ``sweeps/sweep__horizon_months=60``: the second replaced the first's sweep.json, tables
    and plots. The swept keys name the directory too, by name, not by value."""
    plain = _default_directory("replications=3", "horizon_months=60")
    swept = _default_directory("data.spillover=0.9,0.95,0.99", "replications=3",
                               "horizon_months=60")
    assert plain == "sweep__horizon_months=60"
    assert swept == "sweep__data.spillover__horizon_months=60"
    # more (or fewer) values of the same key resume in the same directory
    assert _default_directory("data.spillover=0.9,0.95", "replications=3",
                              "horizon_months=60") == swept
    assert _default_directory("buyers.count=100,200", "data.spillover=0,1") \
        == _default_directory("data.spillover=0,1", "buyers.count=100,200") \
        == "sweep__buyers.count,data.spillover"
    # a range is a sweep too; the replication and run-control keys name nothing
    assert _default_directory("seed=range(0,3)", "replications=2") == "sweep__seed"


def test_a_default_sweep_directory_names_long_swept_keys_portably() -> None:
    from sim.locations import DIGEST_MARK, MAX_NAME

    keys = ["capability.general_domain_transfer", "startups.dev_months_original",
            "compute.imported_supply_per_month", "startups.base_founding_rate",
            "buyers.api_value_factor"]
    name = _default_directory(*(f"{k}=1,2" for k in keys), "horizon_months=60")
    suffix = name.removeprefix("sweep__")
    assert len(suffix) <= MAX_NAME and DIGEST_MARK in suffix
    assert suffix.startswith(",".join(sorted(keys))[:40])


def test_an_experiment_names_its_own_swept_keys_and_not_others() -> None:
    """A shipped experiment's directory is its name, as the docs and lessons say, also with
    its own key swept over other values; a key it does not sweep is named after it."""
    shipped = sorted(p.stem for p in EXPERIMENTS_DIR.glob("*.yaml"))
    assert set(SEVEN) < set(shipped)
    for name in shipped:
        assert _default_directory(f"+experiment={name}") == name
    assert _default_directory("+experiment=investor_patience", "funds.term_years=3,10",
                              "horizon_months=60") == "investor_patience__horizon_months=60"
    assert _default_directory("+experiment=hype_bust", "data.spillover=0,1") \
        == "hype_bust__data.spillover"
    # two experiments at once: either's keys are its own
    assert _default_directory("+experiment=[hype_bust,investor_patience]",
                              "funds.term_years=3,4") == "hype_bust+investor_patience"


# ---------------------------------------------------------------- aggregation and plots

def test_sweep_table_has_one_row_per_job_with_every_summary_scalar(swept: dict) -> None:
    d = swept["dir"]
    table = pd.read_parquet(d / SWEEP_TABLE)
    assert list(table["job"]) == JOBS
    assert list(table.columns[:7]) == ["job", "setting", "replication", "seed", "status", "error",
                                       "param.funds.term_years"]
    assert list(table["param.funds.term_years"]) == [3.0, 3.0, 10.0, 10.0]
    assert list(table["seed"]) == replication_seeds(42, 2) * 2
    assert (table["status"] == "complete").all()
    for _, row in table.iterrows():
        summary = json.loads((d / row["job"] / SUMMARY).read_text(encoding="utf-8"))
        assert row["releases.total"] == summary["releases"]["total"]
        assert row["exits.bankrupt"] == summary["exits"]["bankrupt"]
        assert row["config_hash"] == summary["config_hash"]
        assert row["seed"] == summary["seed"]
    assert {"derived.fund_tvpi_median", "derived.fund_gross_multiple_median",
            "derived.fund_invested_share"} <= set(table.columns)
    funds = pd.read_parquet(d / JOBS[0] / FUNDS)
    assert table["derived.fund_invested_share"].iloc[0] == pytest.approx(
        funds["invested_mcny"].sum() / funds["size_mcny"].sum())
    # Outcomes at months no 12-month job reached are null in every job: numbers all the
    # same (they were columns of None, read back as text).
    unreached = ["releases.by_month_13", "startups.independent_builders_month_36",
                 "startups.compute_share_of_spend_24", "adoption_month_24.gov_soe"]
    assert table[unreached].isna().all().all()
    assert (table[unreached].dtypes == "float64").all()
    text = [c for c in table.columns if table[c].dtype == object]
    assert set(text) <= {"job", "setting", "status", "error", "config_hash"} | {
        c for c in table.columns if c.startswith("environment.")}, text


def test_derived_outcomes_of_a_funds_table_an_earlier_baimo_wrote_are_nan() -> None:
    """A sweep's reader takes a job an earlier baimo wrote; a funds column it did not
    write (the gross multiple, what was invested) gives NaN, not a KeyError."""
    old = pd.DataFrame({"fund": ["fund:0", "fund:1"], "size_mcny": [100.0, 300.0],
                        "tvpi": [0.9, 1.2], "dpi": [0.9, 1.0], "irr": [-0.02, 0.05]})
    d = derived(old)
    assert d["derived.fund_tvpi_median"] == pytest.approx(1.05)
    assert math.isnan(d["derived.fund_gross_multiple_median"])
    assert math.isnan(d["derived.fund_invested_share"])
    new = old.assign(invested_mcny=[0.0, 150.0], gross_multiple=[math.nan, 2.0])
    assert derived(new)["derived.fund_invested_share"] == pytest.approx(150.0 / 400.0)
    assert derived(new)["derived.fund_gross_multiple_median"] == 2.0


def test_sweep_metrics_stack_every_job_with_its_keys(swept: dict) -> None:
    d = swept["dir"]
    stacked = pd.read_parquet(d / SWEEP_METRICS)
    assert len(stacked) == 4 * 12
    assert list(stacked.columns[:6]) == ["job", "setting", "replication", "seed",
                                         "param.funds.term_years", "month"]
    for job in JOBS:
        own = pd.read_parquet(d / job / METRICS)
        mine = stacked[stacked["job"] == job].drop(
            columns=["job", "setting", "replication", "seed", "param.funds.term_years"])
        # stacking may widen a column that is integer in one job and float in another
        pd.testing.assert_frame_equal(mine.reset_index(drop=True), own, check_dtype=False)


def test_aggregate_command_rebuilds_the_tables(swept: dict, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(swept["dir"], copy)
    (copy / SWEEP_TABLE).unlink()
    (copy / SWEEP_METRICS).unlink()
    code, out, _ = baimo(["aggregate", str(copy), "--no-plots"], capsys)
    assert code == 0 and "jobs complete 4" in out
    pd.testing.assert_frame_equal(pd.read_parquet(copy / SWEEP_TABLE),
                                  pd.read_parquet(swept["dir"] / SWEEP_TABLE))
    code, _, err = baimo(["aggregate", str(tmp_path / "nowhere")], capsys)
    assert code == 2 and err.count("\n") == 1 and "no such directory" in err


def test_aggregate_checks_every_directory_before_it_rebuilds_one(
        swept: dict, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``baimo aggregate SWEEP seed=1`` rebuilt SWEEP, then stopped at the typo."""
    copy = tmp_path / "copy"
    shutil.copytree(swept["dir"], copy)
    (copy / SWEEP_TABLE).unlink()
    a_run = tmp_path / "run"
    a_run.mkdir()
    for second, named in ((tmp_path / "seed=1", "no such directory"),
                          (a_run, "not a sweep directory")):
        code, _, err = baimo(["aggregate", str(copy), str(second), "--no-plots"], capsys)
        assert code == 2 and err.count("\n") == 1 and named in err
        assert not (copy / SWEEP_TABLE).exists()


@pytest.mark.parametrize(("edit", "named"), [
    ({"swept": "funds.term_years"}, "'swept' must be a list of config keys"),
    ({"swept": [""]}, "'swept' must be a list of config keys"),
    ({"job": "../../elsewhere"}, "a job's name must be a directory inside the sweep"),
    ({"job": "/tmp/elsewhere"}, "a job's name must be a directory inside the sweep"),
])
def test_aggregate_refuses_a_manifest_that_leads_outside(
        edit: dict, named: str, swept: dict, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    """A hand-edited sweep.json: its job names are read as directories of the sweep, so one
    may not lead out of it; its swept keys name plots (see the next test)."""
    copy = tmp_path / "copy"
    shutil.copytree(swept["dir"], copy)
    manifest = json.loads((copy / SWEEP_MANIFEST).read_text(encoding="utf-8"))
    if "swept" in edit:
        manifest["swept"] = edit["swept"]
    else:
        manifest["jobs"][0]["name"] = edit["job"]
    (copy / SWEEP_MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    code, _, err = baimo(["aggregate", str(copy), "--no-plots"], capsys)
    assert code == 2 and err.count("\n") == 1 and named in err
    code, _, err = baimo(["aggregate", str(copy / SWEEP_MANIFEST)], capsys)
    assert code == 2 and "not a directory" in err


def test_another_sweep_into_the_same_directory_says_what_leaves_its_tables(
        swept: dict, tmp_path: Path) -> None:
    """Sweeps with the same swept keys and fixed overrides share a directory (so that a sweep
    extended by more settings or replications resumes): the last one's sweep.json and
    tables describe it alone, and it says which finished jobs of the one before left them."""
    copy = tmp_path / "copy"
    shutil.copytree(swept["dir"], copy)
    other = [o if o != "funds.term_years=3,10" else "funds.term_years=3,5" for o in SWEEP]
    printed = io.StringIO()
    code = run_sweep(start_hydra(), [*other, f"sweep_dir={copy}"],
                     Console(file=printed, width=400))
    text = printed.getvalue()
    assert code == 0 and "4 of 4 jobs complete (2 from before)" in text
    assert "its 2 finished job(s) not in this one (e.g. funds.term_years=10,replication=0)" \
        in text
    assert (copy / JOBS[2] / COMPLETE).is_file()   # still on disk
    printed = io.StringIO()
    run_sweep(start_hydra(), [*other, f"sweep_dir={copy}"], Console(file=printed, width=400))
    assert "another sweep" not in printed.getvalue()   # the same sweep again: nothing to say


def _interrupted_at(job: str, run: Callable[..., Any]) -> Callable[..., Any]:
    """``run`` (sim.run.run), except that a Ctrl-C lands as job ``job`` starts."""
    def run_or_stop(config: Any, run_dir: Path, *args: Any, **kwargs: Any) -> Any:
        if run_dir.name == job:
            raise KeyboardInterrupt
        return run(config, run_dir, *args, **kwargs)
    return run_or_stop


def test_a_sweep_with_jobs_to_run_or_other_jobs_keeps_no_tables_of_the_jobs_before(
        swept: dict, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A finished 4-job sweep extended to 6 jobs and interrupted: its new sweep.json listed 6
    jobs, beside the 4-row tables of the sweep it extended, which read (pandas, baimo-report)
    as a finished sweep. The tables and plots of the last aggregation go as the new
    sweep.json is written when the sweep runs jobs or lists others; its aggregation, or
    baimo aggregate, writes them again. A sweep with nothing to run keeps them."""
    import sim.run

    copy = tmp_path / "copy"
    shutil.copytree(swept["dir"], copy)
    (copy / "plots").mkdir()
    old_plot = copy / "plots" / "fan_hype_index.png"
    old_plot.write_bytes(b"the 4-job sweep's")
    extended = [o if o != "replications=2" else "replications=3" for o in SWEEP]
    monkeypatch.setattr(sim.run, "run",
                        _interrupted_at("funds.term_years=10,replication=2", sim.run.run))
    code, out, _ = baimo([*extended, f"sweep_dir={copy}"], capsys)
    assert code == 130 and "interrupted: 5 of 6 jobs complete" in out
    assert len(json.loads((copy / SWEEP_MANIFEST).read_text())["jobs"]) == 6
    assert not (copy / SWEEP_TABLE).exists() and not (copy / SWEEP_METRICS).exists()
    assert not (copy / "plots").exists()   # it held the old plot alone
    code, out, _ = baimo(["aggregate", str(copy), "--no-plots"], capsys)
    assert code == 0 and "jobs complete 5, pending 1" in out
    monkeypatch.undo()
    code, out, _ = baimo([*extended, f"sweep_dir={copy}"], capsys)
    assert code == 0 and "6 of 6 jobs complete (5 from before)" in out
    assert len(pd.read_parquet(copy / SWEEP_TABLE)) == 6
    kept = (copy / SWEEP_TABLE).stat().st_mtime_ns

    def stopped(directory: Path, plots: bool, pool: object = None) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("sim.sweep.runner.aggregate", stopped)   # to see what is kept
    code, out, _ = baimo([*extended, f"sweep_dir={copy}"], capsys)   # nothing to run
    assert code == 130 and "already complete: 6, to run: 0" in out
    assert (copy / SWEEP_TABLE).stat().st_mtime_ns == kept


def test_a_damaged_finished_job_is_named_with_the_way_to_redo_it(
        swept: dict, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A finished job whose metrics were damaged later, whole as far as resume checks (a
    Parquet file, of another table): resuming skips it (its marker says finished), so the
    refusal says how to have it redone. One cut short resume redoes itself."""
    copy = tmp_path / "copy"
    shutil.copytree(swept["dir"], copy)
    pd.DataFrame({"x": [1]}).to_parquet(copy / JOBS[0] / METRICS)
    code, _, err = baimo(["aggregate", str(copy), "--no-plots"], capsys)
    assert code == 2 and err.count("\n") == 1
    assert "metrics.parquet lacks columns" in err
    assert f"delete {copy / JOBS[0]} and run the sweep" in err
    shutil.copy(swept["dir"] / JOBS[0] / METRICS, copy / JOBS[0] / METRICS)
    (copy / JOBS[1] / METRICS).write_bytes(b"not parquet")
    code, _, err = baimo(["aggregate", str(copy), "--no-plots"], capsys)
    assert code == 2 and err.count("\n") == 1
    assert (f"{copy / JOBS[1]}: metrics.parquet is not a whole Parquet file (cut short, or "
            "unreadable); run the sweep again to redo the job") in err


@pytest.mark.parametrize("damage", ["delete events", "cut events", "cut funds", "delete config"])
def test_a_finished_job_missing_a_file_or_cut_short_is_run_again(
        damage: str, swept: dict, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A finished job whose events.parquet was deleted, or cut short, since: resume took it
    for finished (its marker and summary were there) and the sweep exited 0; only
    baimo-report, later, refused it. Every file of the output contract must now be there
    and whole (present; a table with Parquet's magic bytes at both ends), or the job runs
    again, as one without its summary always did."""
    copy = tmp_path / "copy"
    shutil.copytree(swept["dir"], copy)
    how, what = damage.split()
    name = {"events": EVENTS, "funds": FUNDS, "config": "config.json"}[what]
    victim = copy / JOBS[2] / name
    original = victim.read_bytes()
    if how == "delete":
        victim.unlink()
    else:
        victim.write_bytes(original[:1000])   # as ``truncate -s 1000``
    keep = (copy / JOBS[0] / COMPLETE).stat().st_mtime_ns
    code, out, err = baimo([*SWEEP, f"sweep_dir={copy}"], capsys)
    assert code == 0, err
    assert "already complete: 3, to run: 1" in out
    problem = "is missing" if how == "delete" else "is not a whole Parquet file"
    assert f"runs again: 1 finished job whose output is no longer whole ({JOBS[2]}: {name} " \
        f"{problem}" in out
    assert victim.read_bytes() == original
    assert (copy / JOBS[0] / COMPLETE).stat().st_mtime_ns == keep
    assert (copy / SWEEP_TABLE).read_bytes() == (swept["dir"] / SWEEP_TABLE).read_bytes()


def test_a_plot_named_after_a_swept_key_stays_in_its_directory(tmp_path: Path) -> None:
    """Sweep plots are named after swept keys (``outcomes_vs_<key>``), which an edited
    sweep.json could make ``seed/../../../x``: every plot is one file in its directory."""
    import matplotlib.pyplot as plt

    from sim.plots import file_stem, save_all

    plots = tmp_path / "sweep" / "plots"
    names = ["outcomes_vs_seed/../../../escaped", "/abs", "..", "fan_hype_index",
             "outcomes_vs_funds.term_years"]
    written = save_all({name: plt.figure() for name in names}, plots)
    assert [p.parent for p in written] == [plots] * len(names)
    assert [p.name for p in written[-2:]] == ["fan_hype_index.png",
                                              "outcomes_vs_funds.term_years.png"]
    assert {p.name for p in tmp_path.rglob("*.png")} == {p.name for p in written}
    assert file_stem("..") == "_" and not file_stem("../x").startswith(".")


def test_sweep_plots_show_outcomes_against_parameters_and_fans(swept: dict) -> None:
    import matplotlib.pyplot as plt

    from sim.sweep.outcomes import KEY_OUTCOMES
    from sim.sweep.plots import plot_fan, plot_outcomes_vs_param

    tables = collect(swept["dir"])
    vs = plot_outcomes_vs_param(tables, "funds.term_years")
    axes = [ax for ax in vs.axes if ax.get_visible()]
    assert len(axes) == len(KEY_OUTCOMES)
    assert "mean and 90% of replications" in vs._suptitle.get_text()
    ax = next(a for a in axes if a.get_title() == KEY_OUTCOMES["releases.total"])
    assert ax.get_xlabel() == "funds.term_years (years)"
    (line,) = ax.get_lines()
    assert list(line.get_xdata()) == [3.0, 10.0]
    means = tables.complete.groupby("param.funds.term_years")["releases.total"].mean()
    assert list(line.get_ydata()) == list(means)
    assert len(ax.collections) == 1                       # the 90% band
    fan = plot_fan(tables, "independent_builders")
    panels = [a for a in fan.axes if a.get_visible()]
    assert [a.get_title() for a in panels] == ["funds.term_years=3 (n=2)",
                                               "funds.term_years=10 (n=2)"]
    assert all(len(a.get_lines()) == 1 and len(a.collections) == 2 for a in panels)
    assert panels[0].get_ylim() == panels[1].get_ylim()
    plt.close(vs)
    plt.close(fan)


def test_aggregation_draws_one_plot_per_swept_key_and_series(swept: dict, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) \
        -> None:
    import sim.sweep.outcomes as outcomes
    import sim.sweep.plots as plots
    from sim.sweep import aggregate

    few_outcomes = {"releases.total": "model releases", "exits.bankrupt": "bankruptcies"}
    few_series = {"startups_active": "active startups", "hype_index": "hype index"}
    for module in (outcomes, plots):
        monkeypatch.setattr(module, "KEY_OUTCOMES", few_outcomes)
        monkeypatch.setattr(module, "KEY_SERIES", few_series)
    copy = tmp_path / "copy"
    shutil.copytree(swept["dir"], copy)
    _, written = aggregate(copy)
    assert sorted(p.name for p in written if p.suffix == ".png") == [
        "fan_hype_index.png", "fan_startups_active.png", "outcomes_vs_funds.term_years.png"]
    assert all(p.stat().st_size > 0 for p in written)


def test_an_aggregation_leaves_no_plot_or_table_it_did_not_write(
        swept: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another sweep into the directory kept ``outcomes_vs_<old key>.png``, and a rerun with
    sweep_plots=false the plots of an older set of jobs: they read as this sweep's. Each
    aggregation now deletes the plots (and a design's sensitivity files) it did not write,
    named as its plotting names them; a user's own files in plots/ stay."""
    import sim.sweep.outcomes as outcomes
    import sim.sweep.plots as plots
    from sim.sweep import aggregate
    from sim.sweep.sensitivity import Sensitivity

    for module in (outcomes, plots):
        monkeypatch.setattr(module, "KEY_OUTCOMES", {"releases.total": "model releases"})
        monkeypatch.setattr(module, "KEY_SERIES", {"hype_index": "hype index"})
    copy = tmp_path / "copy"
    shutil.copytree(swept["dir"], copy)
    stale = [copy / "plots" / "outcomes_vs_data.spillover.png",
             copy / "plots" / "sensitivity_overview.png", copy / "sensitivity.parquet",
             copy / "sensitivity.md"]
    mine = [copy / "plots" / "my_figure.png", copy / "plots" / "fan_notes.txt",
            copy / "outcomes_vs_x.png"]
    for path in stale + mine:
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(b"an older sweep's")
    _, written = aggregate(copy)
    drawn = sorted(p.name for p in written if p.suffix == ".png")
    assert drawn == ["fan_hype_index.png", "outcomes_vs_funds.term_years.png"]
    assert sorted(p.name for p in (copy / "plots").iterdir()) == \
        sorted([*drawn, "my_figure.png", "fan_notes.txt"])
    assert all(p.exists() for p in mine) and not any(p.exists() for p in stale)
    aggregate(copy, plots=False)   # sweep_plots=false, baimo aggregate --no-plots
    assert sorted(p.name for p in (copy / "plots").iterdir()) == ["fan_notes.txt", "my_figure.png"]
    # every name the sweep's plotting gives is one it deletes when it does not draw it again
    from sim.sweep.aggregate import PLOT_PREFIXES

    result = Sensitivity("morris", pd.DataFrame({"outcome": ["releases.total"]}))
    names = [*plots.sweep_plots(collect(copy)), *plots.sensitivity_plots(result)]
    assert all(name.startswith(PLOT_PREFIXES) for name in names), names


def test_progress_counts_finished_and_failed_markers(tmp_path: Path) -> None:
    dirs = [tmp_path / f"j{i}" for i in range(4)]
    for d in dirs:
        d.mkdir()
    (dirs[0] / COMPLETE).write_text("complete\n")
    (dirs[2] / FAILED).write_text("{}")
    assert count_markers(dirs) == (1, 1)
    from rich.console import Console

    with SweepProgress("t", dirs, console=Console(file=open(os.devnull, "w")),  # noqa: SIM115
                       poll_seconds=0.01) as bar:
        assert (bar.done, bar.failed) == (1, 1)   # markers already there count from the start
        (dirs[1] / COMPLETE).write_text("complete\n")
    assert (bar.done, bar.failed) == (2, 1)


def test_the_progress_line_puts_each_count_before_its_word(tmp_path: Path) -> None:
    """It read "15/15 done 15 failed 0": at a glance, 15 failed."""
    import io

    from rich.console import Console

    dirs = [tmp_path / f"j{i}" for i in range(4)]
    for d in dirs:
        d.mkdir()
        (d / COMPLETE).write_text("complete\n")
    (dirs[3] / COMPLETE).unlink()
    (dirs[3] / FAILED).write_text("{}")
    out = io.StringIO()
    with SweepProgress("t", dirs, console=Console(file=out, width=120), poll_seconds=0.01):
        pass
    assert "4/4 jobs: 3 done, 1 failed" in out.getvalue()
    assert "done 3" not in out.getvalue() and "failed 1" not in out.getvalue()


def test_joblib_options_baimo_does_not_apply_are_named_not_dropped_silently(
        tmp_path: Path) -> None:
    """baimo runs joblib sweeps on its own pool: any other joblib option set is listed."""
    from sim.sweep.runner import describe
    from sim.sweep.spec import compose_master, ignored_launcher_options

    joblib = [*SWEEP[:-2], f"sweep_dir={tmp_path / 'sweep'}"]
    plain = compose_master(start_hydra(), [*joblib, "hydra.launcher.n_jobs=2"])
    assert ignored_launcher_options(plain.config) == []
    assert not any("ignored" in line for line in describe(build(start_hydra(), plain), 0))
    tuned = compose_master(start_hydra(), [*joblib, "hydra.launcher.backend=threading",
                                           "hydra.launcher.timeout=5"])
    assert ignored_launcher_options(tuned.config) == ["backend=threading", "timeout=5.0"]
    note = describe(build(start_hydra(), tuned), 0)[-1]
    assert note.endswith("ignored: backend=threading, timeout=5.0 (a time limit per job is "
                         "job_timeout_s)") and "n_jobs" in note
    basic = compose_master(start_hydra(), [*SWEEP, "sweep_dir=unused"])
    assert ignored_launcher_options(basic.config) == []


def test_a_plugin_of_an_optional_extra_not_installed_says_how_to_add_it(
        capsys: pytest.CaptureFixture[str], output_root: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """In a checkout the extra goes in with pip install -e; a regular install (its configs
    bundled in the package) is installed again from its source."""
    import sim.sweep.spec as spec

    monkeypatch.setitem(spec.OPTIONAL_PLUGINS, "hydra/launcher/nonesuch", "faraway")
    code, out, err = baimo([*SWEEP[:-2], "hydra/launcher=nonesuch"], capsys)
    assert code == 2
    assert err.strip() == ('baimo: error: hydra/launcher/nonesuch is not installed; it comes '
                           'with the optional extra: pip install -e ".[faraway]"')
    monkeypatch.setattr(spec, "CONF_DIR", spec.BUNDLED / "conf")
    assert spec.install_extra("faraway") == ('install baimo again from its source with '
                                             '[faraway] (pip install ".[faraway]")')


def test_an_alarm_ringing_as_the_limited_block_ends_still_leaves_it_disarmed(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A ring can land in the moment the block has ended and the alarm, which repeats, is
    being disarmed: the disarming goes on, or the next ring would stop whatever ran next.
    Rings are made to land at each step of the cleanup: as the alarm is silenced, and as
    it is disarmed (whatever handler is in place then answers)."""
    import signal

    from sim.sweep.task import time_limit

    before = signal.getsignal(signal.SIGALRM)
    real_signal, real_setitimer = signal.signal, signal.setitimer
    rang: list[str] = []

    def ring(step: str) -> None:
        handler = signal.getsignal(signal.SIGALRM)
        if step not in rang and callable(handler):
            rang.append(step)
            handler(signal.SIGALRM, None)

    def signal_with_ring(signum: int, handler: Any) -> Any:
        if signum == signal.SIGALRM and handler is signal.SIG_IGN:
            ring("silencing")
        return real_signal(signum, handler)

    def setitimer_with_ring(which: int, seconds: float, interval: float = 0.0) -> Any:
        if seconds == 0:
            ring("disarming")
        return real_setitimer(which, seconds, interval)

    monkeypatch.setattr(signal, "signal", signal_with_ring)
    monkeypatch.setattr(signal, "setitimer", setitimer_with_ring)
    try:
        with time_limit(5):
            pass
    finally:
        monkeypatch.undo()
        armed = signal.getitimer(signal.ITIMER_REAL)
        real_setitimer(signal.ITIMER_REAL, 0)
        real_signal(signal.SIGALRM, before)
    assert rang and armed == (0.0, 0.0)


class _SlowToCollect:
    """An object whose finalizer runs past a time limit: an alarm ringing in it is lost
    (Python ignores exceptions raised in finalizers, reporting them on stderr)."""

    def __del__(self) -> None:
        end = time.monotonic() + 0.3
        while time.monotonic() < end:
            pass


def test_the_time_limit_still_stops_a_block_whose_first_alarm_was_lost(
        capsys: pytest.CaptureFixture[str]) -> None:
    from sim.sweep.task import JobTimeout, time_limit

    tic = time.monotonic()
    with pytest.raises(JobTimeout), time_limit(0.1):
        _SlowToCollect()   # collected at once: the first ring lands in its finalizer
        while time.monotonic() < tic + 5:   # without another ring the block ends in time
            pass
    assert time.monotonic() - tic < 2
    assert "Exception ignored" not in capsys.readouterr().err


def test_a_job_stopped_while_drawing_leaves_no_figure_open(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker goes on to other jobs: figures a stopped job left open would pile up."""
    import matplotlib.pyplot as plt

    import sim.plots
    from sim.configuration import compose
    from sim.sweep.task import FAILED_STATUS, JobTimeout, execute_job

    def stopped_while_saving(figures: dict, directory: Path) -> list[Path]:
        assert plt.get_fignums()   # the run's figures are open
        raise JobTimeout("stopped after job_timeout_s=1 s")

    monkeypatch.setattr(sim.plots, "save_all", stopped_while_saving)
    status = execute_job(compose(TINY), tmp_path / "job", tmp_path / "job.log", True, None)
    assert status == FAILED_STATUS and (tmp_path / "job" / FAILED).is_file()
    assert plt.get_fignums() == []


def test_a_sweep_with_a_time_limit_says_so_and_its_plan_warns_of_jobs_past_it(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = [*SWEEP, f"sweep_dir={tmp_path / 'plan'}", "plan=true"]
    code, out, err = baimo([*args, "job_timeout_s=0.001"], capsys)
    assert code == 0, err
    assert ("  time limit: a job still running after 0.001 s (job_timeout_s=0.001) is stopped "
            "and marked failed") in out
    assert "took longer than job_timeout_s=0.001: jobs like it will be stopped" in out
    code, out, err = baimo([*args, "job_timeout_s=7200"], capsys)
    assert "after 2 h 00 min (job_timeout_s=7200)" in out and "jobs like it" not in out
    code, out, err = baimo(args, capsys)
    assert "time limit" not in out and "job_timeout_s" not in out


def test_a_sweep_into_a_runs_or_a_studys_directory_is_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The directory then held a run and a sweep, and readers took it for the run."""
    for name, kind in ((COMPLETE, "a run"), (SUMMARY, "a run"),
                       ("study.db", "a calibration study")):
        directory = tmp_path / name
        directory.mkdir()
        (directory / name).write_text("{}")
        code, _, err = baimo([*SWEEP, f"sweep_dir={directory}"], capsys)
        assert code == 2
        assert err == (f"baimo: error: {directory} holds {kind} ({name}); choose another "
                       "directory with sweep_dir=...\n")
        assert not (directory / SWEEP_MANIFEST).exists()


def test_a_setting_splits_at_the_commas_between_its_overrides_only() -> None:
    """A setting as Hydra names it (its overrides as written, "," between them): a list,
    dict or quoted value's own commas stay inside its override."""
    from hydra._internal.config_loader_impl import get_overrides_dirname
    from hydra.core.override_parser.overrides_parser import OverridesParser

    written = ["compute.export_controls=[2023-10, 2024-12]", "giants.names='a,b'",
               "funds.term_years=3", "x={a: 1, b: 2}"]
    setting = get_overrides_dirname(OverridesParser.create().parse_overrides(written), [],
                                    ",", "=")
    assert setting_overrides(setting) == sorted(written)
    assert setting_label(setting) == ", ".join(sorted(written))
    assert setting_overrides("") == [] and setting_label("") == "default"


def test_a_scenario_chooses_its_sweeps_directory_and_hydras_plugins(
        output_root: Path, tmp_path: Path) -> None:
    """A scenario's ``sweep_dir:`` and ``hydra.sweep.dir:`` were ignored (the sweep went to
    its default directory), and so was its defaults list's choice of a Hydra plugin
    (``- override /hydra/launcher: basic`` ran on joblib): Hydra leaves the hydra/ groups
    out of a file added with +experiment. Each now holds, the command line having the
    last word, and an experiment extending one inherits its choice."""
    from sim.sweep.spec import compose_master

    scenarios = output_root / "scenarios" / "experiment"
    scenarios.mkdir(parents=True)
    sweep = "hydra:\n  mode: MULTIRUN\n  sweeper:\n    params:\n      seed: 1,2\n"
    files = {"own_dir": f"sweep_dir: {tmp_path / 'mine'}\n{sweep}",
             "hydra_dir": sweep.replace("hydra:\n",
                                        f"hydra:\n  sweep:\n    dir: {tmp_path / 'h'}\n"),
             "serial": "defaults:\n  - override /hydra/launcher: basic\n" + sweep,
             "extends": "defaults:\n  - serial\n  - _self_\nreplications: 2\n"}
    for name, text in files.items():
        (scenarios / f"{name}.yaml").write_text("# @package _global_\n" + text)

    def master(*command: str) -> Any:
        return compose_master(start_hydra(), [*command, *TINY])

    assert master("+experiment=own_dir").directory == tmp_path / "mine"
    assert master("+experiment=hydra_dir").directory == tmp_path / "h"
    assert master("+experiment=own_dir", f"sweep_dir={tmp_path / 'cli'}").directory == \
        tmp_path / "cli"
    for name in ("serial", "extends"):
        launcher = master(f"+experiment={name}").config.hydra.launcher._target_
        assert launcher.endswith("BasicLauncher"), (name, launcher)
    chosen = master("+experiment=serial", "hydra/launcher=joblib").config.hydra.launcher
    assert chosen._target_.endswith("JoblibLauncher")
    assert master("seed=1,2").config.hydra.launcher._target_.endswith("JoblibLauncher")


def test_a_range_of_floats_sweeps_its_values_as_written(output_root: Path) -> None:
    """Hydra adds a float range's step over and over: range(0.7,1.0,0.1) swept
    0.7999999999999999 and 0.8999999999999999 and its stop, 1.0 (four jobs, one named
    data.spillover=0.30000000000000004 in another range), while range(0.1,0.7,0.1) left its
    stop out. Its values are now start + i x step, rounded, its stop never one."""
    from sim.sweep.spec import exact_range

    for swept, values in [("data.spillover=range(0.7,1.0,0.1)", [0.7, 0.8, 0.9]),
                          ("data.spillover=range(0.1,0.7,0.1)", [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]),
                          ("data.spillover=range(0.9,0.55,-0.1)", [0.9, 0.8, 0.7, 0.6])]:
        layout = lay_out(start_hydra(), [swept, *TINY])
        got = sorted({float(o.value()) for job in layout.parsed for o in job
                      if o.key_or_group == "data.spillover"})
        assert got == sorted(values), (swept, got)
        assert len(layout.batches) == len(values)
        assert all("000000" not in name and "999999" not in name for name, _ in layout.names)
    assert exact_range(parse(["seed=range(1,4)"])[0]) is None   # whole numbers: Hydra's own
