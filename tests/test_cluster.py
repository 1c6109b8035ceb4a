"""Sweeps through Hydra's submitit launcher: SLURM's configuration, and the local executor.

submitit's local executor runs each job in its own process, as SLURM would on
a cluster; the aggregate must equal the joblib sweep's, and a rerun must
finish only what is missing.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from cli import baimo

from sim.outputs import COMPLETE
from sim.sweep import SWEEP_TABLE
from sim.sweep.spec import build, start_hydra

pytestmark = pytest.mark.usefixtures("output_root")

SWEEP = ["-m", "data.spillover=0,1", "horizon_months=12", "buyers.count=200",
         "sweep_plots=false"]


def test_slurm_launcher_takes_partition_time_and_cpus_as_overrides() -> None:
    spec = build(start_hydra(), ["+experiment=investor_patience", "hydra/launcher=slurm",
                                 "hydra.launcher.partition=cpu", "hydra.launcher.timeout_min=20",
                                 "hydra.launcher.cpus_per_task=2", "replications=1"])
    launcher = spec.config.hydra.launcher
    assert launcher._target_.endswith("submitit_launcher.SlurmLauncher")
    assert (launcher.partition, launcher.timeout_min, launcher.cpus_per_task) == ("cpu", 20, 2)
    assert spec.launcher == "slurm" and spec.workers == launcher.array_parallelism
    assert str(launcher.submitit_folder).startswith(str(spec.directory))


@pytest.mark.parametrize("choice", ["slurm", "submitit_slurm"])
def test_a_slurm_sweep_where_there_is_no_slurm_is_one_line_before_anything_runs(
        choice: str, output_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """submitit raised RuntimeError (Could not detect "srun") with a traceback, exit 1, after
    the sweep directory and its manifest were written."""
    monkeypatch.setenv("PATH", str(tmp_path))   # no srun on it, whatever the machine
    directory = output_root / "slurm"
    code, out, err = baimo([*SWEEP, f"hydra/launcher={choice}", f"sweep_dir={directory}"],
                           capsys)
    assert code == 2
    assert err == (f"baimo: error: hydra/launcher={choice} submits the jobs to SLURM, and "
                   "SLURM's srun is not on PATH here: run the sweep on the cluster, or on this "
                   "machine with hydra/launcher=joblib (plan=true plans it anywhere)\n")
    assert not directory.exists()


def test_submitit_local_sweep_matches_joblib_and_resumes(
        output_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    local, joblib = output_root / "local", output_root / "joblib"
    code, _, err = baimo([*SWEEP, f"sweep_dir={joblib}"], capsys)
    assert code == 0, err
    args = [*SWEEP, "hydra/launcher=submitit_local", f"sweep_dir={local}"]
    code, out, err = baimo(args, capsys)
    assert code == 0, err
    assert "on local" in out
    expected = pd.read_parquet(joblib / SWEEP_TABLE)
    pd.testing.assert_frame_equal(pd.read_parquet(local / SWEEP_TABLE), expected)
    assert list((local / ".submitit").glob("**/*_log.out"))       # its logs stay
    assert not list(local.glob("**/*.pkl"))                        # its pickles do not

    (local / "data.spillover=1,replication=0" / COMPLETE).unlink()   # as if killed mid-run
    code, out, err = baimo(args, capsys)
    assert code == 0, err
    assert "already complete: 1, to run: 1" in out
    pd.testing.assert_frame_equal(pd.read_parquet(local / SWEEP_TABLE), expected)


def test_submitit_jobs_compose_a_named_experiment_in_their_own_processes(
        output_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Each submitit job composes its config again in its own process, where the named
    experiments reach Hydra only through the ConfigStore the launcher hands over (they are
    registered from experiments/, not read from a folder under conf/)."""
    directory = output_root / "patience"
    code, out, err = baimo(["+experiment=investor_patience", "hydra/launcher=submitit_local",
                            "replications=1", "horizon_months=12", "buyers.count=200",
                            "sweep_plots=false", f"sweep_dir={directory}"], capsys)
    assert code == 0, err
    assert "5 of 5 jobs complete" in out
    table = pd.read_parquet(directory / SWEEP_TABLE)
    assert sorted(table["param.funds.term_years"]) == [3, 4, 5, 7, 10]


def test_submitit_jobs_write_where_the_sweep_looks_when_their_names_need_changing(
        output_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A job composed again in its own process names its directory as the sweep does
    (conf/config.yaml's hydra.sweep.subdir): with a ':' in its overrides it wrote to
    Hydra's name, which Windows refuses, while the sweep looked for the portable one."""
    from sim.locations import portable_name

    directory = output_root / "names"
    code, out, err = baimo(["-m", "hype.shocks=[{month:0.5,size:1,label:x}],[]",
                            "horizon_months=12", "buyers.count=200", "sweep_plots=false",
                            "compute.export_controls=[]", "hydra/launcher=submitit_local",
                            f"sweep_dir={directory}"], capsys)
    assert code == 0, err
    named = portable_name("hype.shocks=[{month:0.5,size:1,label:x}],replication=0")
    assert named != "hype.shocks=[{month:0.5,size:1,label:x}],replication=0"
    assert (directory / named / COMPLETE).is_file()
    assert (directory / "hype.shocks=[],replication=0" / COMPLETE).is_file()
    assert sorted(p.name for p in directory.iterdir() if p.is_dir() and p.name[0] != ".") == \
        sorted([named, "hype.shocks=[],replication=0"])
