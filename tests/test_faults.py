"""Faults, determinism across working directories, and security of inputs and outputs.

A sweep killed with SIGKILL and rerun must end exactly where an uninterrupted
sweep ends; a run killed mid-write leaves no completion marker; the same
config and seed give the same bytes from any working directory; nothing is
unpickled and nothing is written outside the output root.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import small_config

import sim
from sim import outputs
from sim.outputs import COMPLETE, EVENTS, METRICS, SUMMARY, OutputError, read_run
from sim.run import run

BAIMO = [sys.executable, "-c", "from sim.cli import main; main()"]
TINY = ["horizon_months=12", "buyers.count=200"]
#: Four serial jobs of about 0.5-0.7 s (24 months): long enough that the kill lands while
#: a job is running, not between the last job and the sweep table.
SWEEP = ["+experiment=investor_patience", "funds.term_years=3,10", "replications=2",
         "horizon_months=24", "buyers.count=200", "hydra/launcher=basic", "sweep_plots=false"]
SWEEP_TABLE = "sweep.parquet"


def _env(root: Path) -> dict[str, str]:
    return {**os.environ, "BAIMO_OUTPUT_ROOT": str(root)}


def _sweep(root: Path, directory: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*BAIMO, *SWEEP, f"sweep_dir={directory}"], env=_env(root),
                          capture_output=True, text=True, timeout=300, check=False)


def test_sigkilled_sweep_rerun_matches_an_uninterrupted_sweep(tmp_path: Path) -> None:
    root = tmp_path / "outputs"
    whole, broken = root / "whole", root / "broken"
    done = _sweep(root, whole)
    assert done.returncode == 0, done.stderr

    # Kill at a random point of the third job (seeded: the test is repeatable). The point is
    # a share of the second job's time in this same sweep, so a machine that speeds up or
    # slows down between the two sweeps still kills it before its last job ends.
    share = np.random.default_rng(20221130).uniform(0.0, 1.0)
    proc = subprocess.Popen([*BAIMO, *SWEEP, f"sweep_dir={broken}"], env=_env(root),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    seen: list[float] = []   # when the first and the second job's markers appeared
    deadline = time.monotonic() + 240
    while len(seen) < 2 and time.monotonic() < deadline:
        while len(seen) < min(len(list(broken.glob(f"*/{COMPLETE}"))), 2):
            seen.append(time.monotonic())
        time.sleep(0.02)
    assert len(seen) == 2, "the sweep did not finish two jobs in time"
    time.sleep(share * (seen[1] - seen[0]))
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    finished = len(list(broken.glob(f"*/{COMPLETE}")))
    assert finished < 4, "the sweep finished before it was killed: lengthen the jobs"
    assert not (broken / SWEEP_TABLE).exists()

    rerun = _sweep(root, broken)
    assert rerun.returncode == 0, rerun.stderr
    assert (broken / SWEEP_TABLE).read_bytes() == (whole / SWEEP_TABLE).read_bytes()


def test_ctrl_c_stops_a_command_and_its_workers_with_one_line(tmp_path: Path) -> None:
    """A terminal's Ctrl-C (SIGINT to the whole process group) during baimo-validate's runs
    on two worker processes: one line, exit 130, no traceback from the command or from its
    workers (they leave the Ctrl-C to it, and it stops them)."""
    root = tmp_path / "outputs"
    proc = subprocess.Popen(
        [sys.executable, "-c", "from sim.validate import main; main()", "--replications", "4",
         "--jobs", "2", "--no-statics", "--horizon", "60"],
        env=_env(root), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        start_new_session=True)
    assert proc.stderr is not None
    started = proc.stderr.readline()   # printed as the replications start
    assert "replications" in started, started
    time.sleep(0.5)
    os.killpg(proc.pid, signal.SIGINT)
    err = proc.stderr.read()
    assert proc.wait(timeout=120) == 130
    assert "Traceback" not in err, err
    assert err.strip().splitlines()[-1].endswith(
        "baimo-validate: interrupted; nothing unfinished is marked complete"), err


def test_a_second_ctrl_c_as_an_interrupted_sweep_ends_leaves_its_exit_code_130(
        tmp_path: Path) -> None:
    """Two Ctrl-Cs a tenth of a second apart: the sweep said "interrupted: ..." and then
    ended with status -2 (killed by SIGINT), not 130. Python gives SIGINT back its default
    action as it shuts down, and the second one landed then. Here the first Ctrl-C lands as
    the first job starts, and the second in the interpreter's last moments (an object
    collected with the main module), every time."""
    root = tmp_path / "outputs"
    code = f"""
import os, signal, sys
import sim.run
from sim.cli import main

class SecondCtrlC:
    def __del__(self) -> None:   # collected with the main module, as the interpreter ends
        os.kill(os.getpid(), signal.SIGINT)

late = SecondCtrlC()

def first_ctrl_c(*args, **kwargs):
    raise KeyboardInterrupt

sim.run.run = first_ctrl_c
sys.argv = ["baimo", *{SWEEP!r}, "sweep_dir={root / 'sweep'}"]
main()
"""
    done = subprocess.run([sys.executable, "-c", code], env=_env(root), capture_output=True,
                          text=True, timeout=300, check=False)
    assert done.returncode == 130, done.stdout + done.stderr
    assert done.stdout.strip().splitlines()[-1] == (
        "interrupted: 0 of 4 jobs complete; run the same command again to finish the rest")
    assert done.stderr == ""


def _children(pid: int) -> list[int]:
    """Processes whose parent is ``pid`` (Linux: /proc/<pid>/stat's fourth field)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue   # it ended meanwhile
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def _running(pids: list[int]) -> list[int]:
    """Those of ``pids`` still running: a process that ended but waits for its parent (or
    init) to collect it is a zombie, state Z, and counts as gone."""
    alive = []
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            alive.append(pid)
    return alive


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc")
def test_sigterm_stops_a_sweep_and_its_workers_with_one_line(tmp_path: Path) -> None:
    """A SIGTERM to the command alone (a batch scheduler's time limit, ``kill PID``) during a
    sweep on two workers: one line saying how far it got, exit 143, no traceback, no worker
    left behind; the rerun finishes the rest. (Python's default ended the command on the spot
    without a word.)"""
    root = tmp_path / "outputs"
    directory = root / "sweep"
    command = [*BAIMO, "-m", "seed=1,2,3,4,5,6", "horizon_months=60", "buyers.count=20000",
               "hydra/launcher=joblib", "hydra.launcher.n_jobs=2", "sweep_plots=false",
               f"sweep_dir={directory}"]
    proc = subprocess.Popen(command, env=_env(root), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 240
    while not list(directory.glob(f"*/{COMPLETE}")) and time.monotonic() < deadline:
        time.sleep(0.02)
    workers = _children(proc.pid)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=120)
    # Both streams in the message: a traceback seen once (a full suite on a loaded host)
    # could not be traced to the command or to a worker, as only stderr was shown.
    assert proc.returncode == 143, f"stdout:\n{out}\nstderr:\n{err}"
    assert "Traceback" not in out + err, f"stdout:\n{out}\nstderr:\n{err}"
    finished = len(list(directory.glob(f"*/{COMPLETE}")))
    assert 1 <= finished < 6, "the sweep finished before it was stopped: lengthen the jobs"
    assert out.strip().splitlines()[-1] == (f"terminated: {finished} of 6 jobs complete; run "
                                            "the same command again to finish the rest")
    assert workers, "the sweep ran on no worker processes"
    deadline = time.monotonic() + 30
    while _running(workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _running(workers), "a worker was left running"
    rerun = subprocess.run(command, env=_env(root), capture_output=True, text=True, timeout=300,
                           check=False)
    assert rerun.returncode == 0, rerun.stderr
    assert len(list(directory.glob(f"*/{COMPLETE}"))) == 6


@pytest.mark.parametrize(("signum", "code", "how"), [(signal.SIGTERM, 143, "terminated"),
                                                      (signal.SIGINT, 130, "interrupted")])
def test_a_stopped_run_says_so_in_its_log(signum: int, code: int, how: str,
                                          tmp_path: Path) -> None:
    """A run stopped by SIGTERM (``kill PID``) or Ctrl-C while it simulates: its cli.log
    ends with the line it stopped with, as for a safety limit (README, Outputs); it held
    only the start line."""
    root = tmp_path / "outputs"
    proc = subprocess.Popen([*BAIMO, "horizon_months=600"], env=_env(root),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    logs: list[Path] = []
    while proc.poll() is None and time.monotonic() < deadline:   # simulating: the start line
        logs = list((root / "runs").glob("*/cli.log"))
        if logs and "] - run " in logs[0].read_text(encoding="utf-8"):
            break
        time.sleep(0.02)
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == code, err
    assert err.strip().splitlines()[-1] == f"baimo: {how}; nothing unfinished is marked complete"
    last = logs[0].read_text(encoding="utf-8").splitlines()[-1]
    assert "[ERROR] - stopped after " in last, last
    assert last.endswith(f" s: {how}; nothing unfinished is marked complete"), last
    assert not (logs[0].parent / COMPLETE).exists()


def test_a_run_killed_mid_write_has_no_marker_and_is_unreadable(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch
                                                                ) -> None:
    real = outputs.write_json

    def die_on_summary(data: object, path: Path) -> None:
        if path.name == SUMMARY:
            raise KeyboardInterrupt  # the process dies here, after the tables were written
        real(data, path)

    monkeypatch.setattr("sim.run.write_json", die_on_summary)
    with pytest.raises(KeyboardInterrupt):
        run(small_config(*TINY), tmp_path / "run", plots=False)
    assert (tmp_path / "run" / EVENTS).exists()
    assert not (tmp_path / "run" / COMPLETE).exists()
    with pytest.raises(OutputError, match="not a finished run|COMPLETE|unfinished"):
        read_run(tmp_path / "run")


def test_atomic_write_leaves_neither_a_half_file_nor_a_temporary(tmp_path: Path) -> None:
    target = tmp_path / "table.parquet"

    def half_then_crash(tmp: Path) -> None:
        tmp.write_bytes(b"PAR1 half")
        raise OSError("disk full")

    with pytest.raises(OSError) as raised:
        outputs.atomic_write(target, half_then_crash)
    assert list(tmp_path.iterdir()) == []
    # the error names the output, not the temporary (pyarrow's name no file at all)
    assert (raised.value.filename, raised.value.strerror) == (str(target), "disk full")


def test_a_directory_refusing_the_temporary_is_named_by_the_output(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A read-only job directory: the temporary cannot even be made, and the sweep stopped
    with ".FAILED.ckcfazy7.tmp: Permission denied", a name the user never sees. (Root
    writes into a read-only directory, so the refusal is made here as the system makes it:
    naming the temporary.)"""
    import errno
    import tempfile

    target = tmp_path / "job" / "FAILED"

    def refused(prefix: str, suffix: str, dir: Path) -> tuple[int, str]:
        name = str(Path(dir) / f"{prefix}ckcfazy7{suffix}")
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), name)

    monkeypatch.setattr(tempfile, "mkstemp", refused)
    with pytest.raises(OSError) as raised:
        outputs.write_json({"error": "x"}, target)
    assert (raised.value.filename, raised.value.errno) == (str(target), errno.EACCES)
    from sim.commands import os_error_line

    assert os_error_line(raised.value) == f"{target}: Permission denied"


def _with_reader_gone(code: str) -> tuple[int, str]:
    """Run Python ``code`` with its stdout a pipe whose reader is gone before the first
    write; return its exit code and what it wrote to stderr."""
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    err = proc.stderr.read().decode()
    return proc.wait(timeout=120), err


@pytest.mark.parametrize("argv", [["--help"], []], ids=["help", "listing"])
def test_a_reader_that_goes_away_ends_a_command_quietly(argv: list[str]) -> None:
    """``baimo-teach --help | head -1``: the pipe closes before the command is done writing;
    it stops without a traceback (Python's default is a BrokenPipeError traceback)."""
    assert _with_reader_gone(f"from sim.teach import main; main({argv!r})") == (1, "")


def test_a_reader_that_goes_away_after_a_run_is_no_failed_job(tmp_path: Path) -> None:
    """``baimo | head -1``: the headline is printed inside Hydra's task, which reported the
    broken pipe as a failed job ("Error executing job with overrides: ...") on stderr. The
    run is written and complete; the command now ends as the others do, quietly, exit 1."""
    run_dir = tmp_path / "run"
    code = ("import sys; from sim.cli import main; sys.argv = ['baimo', 'horizon_months=3', "
            f"'buyers.count=50', 'compute.export_controls=[]', 'hype.shocks=[]', "
            f"'hydra.run.dir={run_dir}']; main()")
    assert _with_reader_gone(code) == (1, "")
    assert (run_dir / "COMPLETE").is_file()


def test_fresh_directories_are_claimed_not_just_named(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Two commands started in the same second (a script running them side by side) get a
    directory each: creating it is what claims it."""
    import datetime as dt

    class Frozen(dt.datetime):
        @classmethod
        def now(cls, tz: dt.tzinfo | None = None) -> Frozen:
            return cls(2026, 12, 5, 8, 0, 0)

    monkeypatch.setattr(outputs, "datetime", Frozen)
    made = [outputs.fresh_dir(tmp_path / "validate") for _ in range(2)]
    assert [p.name for p in made] == ["2026-12-05_08-00-00", "2026-12-05_08-00-00_1"]
    # another command took the next name after this one looked: still a directory of its own
    (tmp_path / "validate" / "2026-12-05_08-00-00_2").mkdir()
    monkeypatch.setattr(Path, "exists", lambda self: False)
    assert outputs.fresh_dir(tmp_path / "validate").name == "2026-12-05_08-00-00_3"


def test_same_config_and_seed_give_the_same_bytes_from_another_directory(tmp_path: Path) -> None:
    runs = []
    for name in ("here", "there"):
        cwd = tmp_path / name
        cwd.mkdir()
        env = {k: v for k, v in os.environ.items() if k != "BAIMO_OUTPUT_ROOT"}
        done = subprocess.run([*BAIMO, *TINY, "seed=11"], cwd=cwd, env=env, capture_output=True,
                              text=True, timeout=300, check=False)
        assert done.returncode == 0, done.stderr
        [run_dir] = list((cwd / "outputs" / "runs").iterdir())
        runs.append(run_dir)
    for name in (EVENTS, METRICS, SUMMARY):
        assert (runs[0] / name).read_bytes() == (runs[1] / name).read_bytes(), name


# ---------------------------------------------------------------- security
SOURCES = [p for p in Path(sim.__file__).parent.rglob("*.py")]


def test_an_empty_output_root_variable_means_outputs_here(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    """``BAIMO_OUTPUT_ROOT=`` (set, but empty) is the default, ``outputs/`` in the working
    directory, for Hydra's run and sweep directories as for every other output (Hydra's
    ``oc.env`` took the empty value: runs went to /runs at the filesystem's root)."""
    from sim.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BAIMO_OUTPUT_ROOT", "")
    monkeypatch.setattr(sys, "argv", ["baimo", "horizon_months=12", "buyers.count=100"])
    main()
    assert len(list((tmp_path / "outputs" / "runs").glob(f"*/{COMPLETE}"))) == 1


def test_a_quoted_tilde_in_the_output_root_is_the_home_directory(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``BAIMO_OUTPUT_ROOT="~/baimo"``: the shell leaves ``~`` alone in quotes; the runs go
    under the home directory, not into a directory named ``~`` here."""
    from sim.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("BAIMO_OUTPUT_ROOT", "~/baimo")
    monkeypatch.setattr(sys, "argv", ["baimo", "horizon_months=12", "buyers.count=100"])
    main()
    assert len(list((tmp_path / "home" / "baimo" / "runs").glob(f"*/{COMPLETE}"))) == 1
    assert not (tmp_path / "~").exists()


def test_nothing_is_pickled_or_unpickled() -> None:
    forbidden = ("import pickle", "pickle.", "read_pickle", "to_pickle", "allow_pickle=True",
                 "joblib.load", "joblib.dump", "import dill", "cloudpickle")
    for path in SOURCES:
        text = path.read_text(encoding="utf-8")
        for word in forbidden:
            assert word not in text, f"{path.name} uses {word}"


def test_no_hydra_instantiation_of_user_targets() -> None:
    for path in SOURCES:
        text = path.read_text(encoding="utf-8")
        assert "instantiate(" not in text, f"{path.name} instantiates config targets"


def test_a_target_in_user_config_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "outputs"
    done = subprocess.run([*BAIMO, "+giants._target_=os.system", *TINY], env=_env(root),
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "_target_" in lines[0]
    assert not list(root.rglob(COMPLETE)) if root.exists() else True


#: A scenario naming code for Hydra to run when the run starts: a callback that empties a
#: file (builtins.open in "w" mode), as a file sent by someone else could.
CALLBACK_SCENARIO = """# @package _global_
funds:
  term_years: 10
hydra:
  callbacks:
    x:
      _target_: builtins.open
      _args_: ["{victim}", "w"]
"""


def _refused_in_one_line(done: subprocess.CompletedProcess[str], where: str) -> None:
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and where in lines[0], lines


def test_a_scenario_naming_code_for_hydra_to_run_is_refused(tmp_path: Path) -> None:
    """A scenario's hydra.callbacks entry named builtins.open, and Hydra called it as the
    run started: the file it named was emptied, and the run went on to exit 0. A callback
    may now name only baimo's own code; anything else is refused before Hydra runs it,
    in one line, as a single run and as a sweep."""
    root = tmp_path / "outputs"
    (root / "scenarios" / "experiment").mkdir(parents=True)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    scenario = root / "scenarios" / "experiment" / "gift.yaml"
    scenario.write_text(CALLBACK_SCENARIO.format(victim=victim))
    for sweep in ([], ["-m", "seed=1,2"]):
        done = subprocess.run([*BAIMO, *sweep, "+experiment=gift", *TINY], env=_env(root),
                              capture_output=True, text=True, timeout=120, check=False)
        _refused_in_one_line(done, "hydra.callbacks.x._target_=builtins.open")
        assert victim.read_text() == "precious"
    assert not list(root.rglob(COMPLETE))


def test_a_logging_config_naming_code_is_refused(tmp_path: Path) -> None:
    """Python's logging calls what a handler's class names: a logging override naming
    any class outside the standard library's logging is refused in one line."""
    root = tmp_path / "outputs"
    done = subprocess.run([*BAIMO, *TINY, "+hydra.job_logging.handlers.x.class=os.makedirs",
                           f"+hydra.job_logging.handlers.x.name={tmp_path / 'made'}"],
                          env=_env(root), capture_output=True, text=True, timeout=120,
                          check=False)
    _refused_in_one_line(done, "hydra.job_logging.handlers.x.class=os.makedirs")
    assert not (tmp_path / "made").exists()


def test_a_calibration_naming_code_in_its_sampler_is_refused(tmp_path: Path) -> None:
    """Hydra builds the Optuna sweeper from its node recursively: a target added under
    hydra.sweeper.sampler was called (os.makedirs made its directory) before the sampler
    refused the extra key."""
    root = tmp_path / "outputs"
    made = tmp_path / "made"
    done = subprocess.run([*BAIMO, "+experiment=calibrate", "horizon_months=37",
                           "buyers.count=100", "hydra.sweeper.n_trials=1",
                           f"+hydra.sweeper.sampler.x={{_target_:os.makedirs,_args_:[{made}]}}"],
                          env=_env(root), capture_output=True, text=True, timeout=120,
                          check=False)
    _refused_in_one_line(done, "hydra.sweeper.sampler.x._target_=os.makedirs: a config is data")
    assert not made.exists()


def test_a_config_directory_naming_code_is_refused(tmp_path: Path) -> None:
    """A primary config from --config-dir goes straight to Hydra's app; its callbacks are
    checked first too."""
    import yaml

    from sim.configuration import CONF_DIR

    config = yaml.safe_load((CONF_DIR / "config.yaml").read_text(encoding="utf-8"))
    made = tmp_path / "made"
    config.setdefault("hydra", {})["callbacks"] = {
        "x": {"_target_": "os.makedirs", "_args_": [str(made)]}}
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "gift.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    root = tmp_path / "outputs"
    done = subprocess.run([*BAIMO, "--config-dir", str(tmp_path / "mine"), "--config-name",
                           "gift", *TINY], env=_env(root), capture_output=True, text=True,
                          timeout=120, check=False)
    _refused_in_one_line(done, "hydra.callbacks.x._target_=os.makedirs")
    assert not made.exists()


def test_a_logging_override_python_refuses_is_one_line(tmp_path: Path) -> None:
    """hydra.job_logging.root.level=NOPE ended in fifty lines of traceback, exit 1, as a
    single run and (hydra_logging) as a sweep; both are one line naming the reason, found
    before Hydra makes the run's directory (it was left there, empty). A format naming no
    field of a log record ran the run with a logging traceback per line, exit 0. What
    logging refuses only as it configures (a log file it cannot open) is found first too."""
    root = tmp_path / "outputs"
    level = "hydra.job_logging.root.level=NOPE: not a logging level; allowed CRITICAL, ERROR"
    for command, line in (
            (["hydra.job_logging.root.level=NOPE"], level),
            (["-m", "seed=1,2", "hydra.hydra_logging.root.level=NOPE"],
             "hydra.hydra_logging.root.level=NOPE: not a logging level"),
            (["hydra.job_logging.formatters.simple.format='%(nosuch)s'"],
             "hydra.job_logging.formatters.simple.format='%(nosuch)s': Python's logging "
             "cannot format a record with it (ValueError: Formatting field not found in "
             "record: 'nosuch')"),
            (["-m", "seed=1,2", "hydra.job_logging.formatters.simple.format='%(nosuch)s'"],
             "hydra.job_logging.formatters.simple.format='%(nosuch)s': Python's logging")):
        done = subprocess.run([*BAIMO, *command, *TINY], env=_env(root), capture_output=True,
                              text=True, timeout=120, check=False)
        _refused_in_one_line(done, line)
        assert not root.exists() or not list((root / "runs").glob("*"))
    unopened = tmp_path / "unopened.log"   # a file where the log file's directory goes
    unopened.write_text("")
    done = subprocess.run([*BAIMO, f"hydra.job_logging.handlers.file.filename={unopened}/x",
                           *TINY], env=_env(root), capture_output=True, text=True, timeout=120,
                          check=False)
    _refused_in_one_line(done, f"hydra.job_logging.handlers.file.filename={unopened}/x: a "
                               "log file stays in the run's own directory")
    assert not root.exists() or not list((root / "runs").glob("*"))


def test_what_levels_and_formats_a_logging_config_may_give() -> None:
    """The project's own logging configs pass; a level logging does not know, or a format it
    cannot fill from a record, is named; a format with an interpolation, a formatter of a
    class of its own, are not checked."""
    from omegaconf import OmegaConf

    from sim.code_refs import logging_problem
    from sim.configuration import CONF_DIR

    for part, file in (("job_logging", "job_logging/baimo_run.yaml"),
                       ("job_logging", "job_logging/baimo_sweep.yaml"),
                       ("hydra_logging", "hydra_logging/baimo_sweep.yaml")):
        own = OmegaConf.load(CONF_DIR / "hydra" / file)
        assert logging_problem(OmegaConf.create({part: own})) is None, file

    def problem(**config: object) -> str | None:
        return logging_problem(OmegaConf.create({"job_logging": {"version": 1, **config}}))

    assert problem(root={"level": 20}, handlers={"h": {"level": "DEBUG"}}) is None
    assert problem(formatters={"f": {"format": "${x}"}, "g": {"()": "sim.Mine"}}) is None
    assert problem(formatters={"f": {"format": "{message}", "style": "{"}}) is None
    assert problem(root={"level": "info"}).startswith("hydra.job_logging.root.level=info: ")
    assert problem(loggers={"sim": {"level": True}}).startswith(
        "hydra.job_logging.loggers.sim.level=True: not a logging level")
    assert problem(formatters={"f": {"format": "%(message)d"}}).startswith(
        "hydra.job_logging.formatters.f.format='%(message)d': Python's logging cannot")
    assert problem(formatters={"f": {"format": "{nosuch}", "style": "{"}}) is not None
    assert problem(handlers={"h": {"filename": "${hydra.runtime.output_dir}/x.log"}}) is None
    assert problem(handlers={"h": {"filename": "${hydra.runtime.output_dir}/"
                                               "${hydra.job.name}_x.log"}}) is None
    # logging makes no directory: refused before Hydra makes the run's, not after
    assert problem(handlers={"h": {"filename": "${hydra.runtime.output_dir}/sub/x.log"}}) == (
        "hydra.job_logging.handlers.h.filename=${hydra.runtime.output_dir}/sub/x.log: a log "
        "file stays in the run's own directory; allowed ${hydra.runtime.output_dir}/NAME "
        "(NAME may hold ${hydra.job.name}, no '/')")
    # what the log-file check cannot see: attributes set once the handler is built, and a
    # handler's settings taken from elsewhere in the configuration
    inside = {"class": "logging.FileHandler", "filename": "${hydra.runtime.output_dir}/x.log"}
    assert problem(handlers={"h": {**inside, ".": {"baseFilename": "/tmp/victim.log"}}}) == (
        "hydra.job_logging.handlers.h..: a '.' key sets attributes after logging builds the "
        "object; give its settings as keys of its own (filename: ...)")
    assert problem(handlers={"h": "cfg://elsewhere"}, elsewhere={**inside}).startswith(
        "hydra.job_logging.handlers.h=cfg://elsewhere: a logging configuration's cfg:// "
        "references are not taken")


@pytest.mark.parametrize(("override", "line"), [
    ("hydra.job_logging.handlers.file.filename=/tmp/elsewhere.log",
     "hydra.job_logging.handlers.file.filename=/tmp/elsewhere.log: a log file stays in the "
     "run's own directory; allowed ${hydra.runtime.output_dir}/NAME"),
    ("hydra.job_logging.handlers.file.filename='${hydra.runtime.output_dir}/../../x.log'",
     "hydra.job_logging.handlers.file.filename=${hydra.runtime.output_dir}/../../x.log: a "
     "log file stays"),
    ("hydra.job_logging.handlers.file.filename='${oc.env:HOME}/x.log'",
     "hydra.job_logging.handlers.file.filename=${oc.env:HOME}/x.log: a log file stays"),
    ("hydra.output_subdir=/tmp/esc", "hydra.output_subdir=/tmp/esc: a directory inside the "
                                     "run's own; allowed a relative path without '..'"),
    ("hydra.output_subdir=../../esc", "hydra.output_subdir=../../esc: a directory inside"),
    ("hydra.job.name=../../esc/job", "hydra.job.name=../../esc/job: a name, not a path"),
    # escaped, the interpolation stays text with its slashes, and logging collapses the path
    ("hydra.job.name=\\${x}/../../esc/victim",
     "hydra.job.name=${x}/../../esc/victim: a name, not a path"),
])
def test_hydra_writes_nothing_outside_the_run_s_directory(override: str, line: str,
                                                          tmp_path: Path) -> None:
    """A log file named anywhere was opened (with mode w, a scenario emptied any file it
    named, even for a run then refused), and Hydra's output_subdir or a job name that is a
    path put its files outside the run's directory. Each is refused in one line before
    anything is written, for a run and for a sweep."""
    root = tmp_path / "out"
    for command in ([override], ["-m", "seed=1,2", override]):
        done = subprocess.run([*BAIMO, *command, *TINY], env=_env(root), capture_output=True,
                              text=True, timeout=120, check=False)
        _refused_in_one_line(done, line)
        assert not root.exists() or not list(root.rglob("*.log"))
    assert not (tmp_path.parent / "esc").exists() and not Path("/tmp/esc").exists()


def test_what_code_a_hydra_node_may_name() -> None:
    """The project's own configs name no code beyond logging's; sim's own callbacks pass;
    anything else in callbacks or logging (a class, a () factory, an ext:// object) not."""
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra
    from omegaconf import DictConfig, OmegaConf

    from sim.code_refs import named_code
    from sim.configuration import CONF_DIR, register_configs
    from sim.sweep.spec import compose_master, start_hydra

    def node(**parts: object) -> DictConfig:
        return OmegaConf.create(parts)

    def logging(**handler: object) -> dict[str, object]:
        return {"version": 1, "handlers": {"h": handler}}

    register_configs()
    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
        single = compose("config", return_hydra_config=True)
    assert named_code(single.hydra) is None
    sweep = compose_master(start_hydra(), ["seed=1,2"]).config   # the sweeps' own logging
    GlobalHydra.instance().clear()
    assert named_code(sweep.hydra) is None
    assert named_code(node(callbacks={"x": {"_target_": "sim.mine.Callback"}})) is None
    assert named_code(node(job_logging=logging(**{"class": "logging.StreamHandler",
                                                  "stream": "ext://sys.stderr"}))) is None
    refused = {
        "hydra.callbacks.x._target_=shutil.copyfile":
            node(callbacks={"x": {"_target_": "shutil.copyfile"}}),
        "hydra.hydra_logging.handlers.h.()=os.system":
            node(hydra_logging=logging(**{"()": "os.system"})),
        "hydra.job_logging.handlers.h.stream=ext://os.system":
            node(job_logging=logging(**{"class": "logging.StreamHandler",
                                        "stream": "ext://os.system"})),
        # reached through a module's imports: sim.cli.os.makedirs is os.makedirs
        "hydra.callbacks.x._target_=sim.cli.os.makedirs":
            node(callbacks={"x": {"_target_": "sim.cli.os.makedirs"}}),
        "hydra.job_logging.handlers.h.()=logging.os.makedirs":
            node(job_logging=logging(**{"()": "logging.os.makedirs", "name": "x"})),
        # a plugin's node is built recursively: a target below its own is called
        "hydra.sweeper.sampler.x._target_=os.makedirs":
            node(sweeper={"sampler": {"_target_": "optuna.samplers.TPESampler",
                                      "x": {"_target_": "os.makedirs"}}}),
        "hydra.sweeper.sampler._target_=os.makedirs":
            node(sweeper={"sampler": {"_target_": "os.makedirs"}}),
        "hydra.sweeper.sampler._target_=optuna.samplers._tpe.sampler.np.save":
            node(sweeper={"sampler": {"_target_": "optuna.samplers._tpe.sampler.np.save"}}),
        "hydra.launcher.x._target_=shutil.rmtree":
            node(launcher={"_target_": "hydra_plugins.x.Launcher",
                           "x": {"_target_": "shutil.rmtree"}}),
        "hydra.sweeper.custom_search_space=os.system":
            node(sweeper={"custom_search_space": "os.system"}),
        # a function of the allowed package, run with the config's arguments: fileConfig
        # evaluates its file's handler arguments; write_text writes where it is told
        "hydra.job_logging.handlers.h.()=logging.config.fileConfig":
            node(job_logging=logging(**{"()": "logging.config.fileConfig", "fname": "x"})),
        "hydra.callbacks.x._target_=sim.outputs.write_text":
            node(callbacks={"x": {"_target_": "sim.outputs.write_text"}}),
        "hydra.sweeper.sampler._target_=sim.outputs.write_text":
            node(sweeper={"sampler": {"_target_": "sim.outputs.write_text"}}),
    }
    for where, hydra_node in refused.items():
        problem = named_code(hydra_node)
        assert problem is not None and problem.startswith(f"{where}:"), problem
    assert named_code(node(sweeper={"sampler": {
        "_target_": "sim.calibration.sampler.TrialSeededTPESampler"}})) is None
    assert named_code(node(job_logging=logging(**{"()": "logging.Formatter"}))) is None
    assert named_code(node(sweeper={"_target_": "hydra_plugins.x.Sweeper",
                                    "sampler": {"_target_": "optuna.samplers.TPESampler"},
                                    "custom_search_space": None})) is None
    assert named_code(node(job_logging=logging(**{
        "class": "logging.handlers.RotatingFileHandler"}))) is None


def test_outputs_get_the_usual_file_mode(tmp_path: Path) -> None:
    """Temporary files are private (0600); the renamed output follows the umask."""
    target = tmp_path / "summary.json"
    outputs.write_json({"a": 1}, target)
    mask = os.umask(0)
    os.umask(mask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~mask


@pytest.mark.parametrize(("signum", "expected"), [(signal.SIGINT, "KeyboardInterrupt"),
                                                  (signal.SIGTERM, "Terminated")])
def test_an_interrupt_lost_in_a_finalizer_stops_the_command_when_the_block_ends(
        signum: int, expected: str, capsys: pytest.CaptureFixture[str]) -> None:
    """A calibration interrupted late ran on to exit 0: the Ctrl-C was lost in one of
    joblib's callbacks. Kept, it is raised when the block ends, and no traceback shows."""
    from sim.commands import _raise_terminated, interrupts_kept

    class Lost:
        def __del__(self) -> None:
            signal.getsignal(signum)(signum, None)

    before_int, before_term = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    signal.signal(signal.SIGTERM, _raise_terminated)   # as a command sets it
    went_on = False
    try:
        with pytest.raises(KeyboardInterrupt) as caught, interrupts_kept():
            Lost()   # collected at once: the interrupt is raised, and lost, in its finalizer
            went_on = True
    finally:
        signal.signal(signal.SIGTERM, before_term)
    assert went_on and type(caught.value).__name__ == expected
    assert signal.getsignal(signal.SIGINT) is before_int
    assert "Exception ignored" not in capsys.readouterr().err
    with interrupts_kept():   # nothing lost: the block ends as it would
        pass
