"""A regular install (pip install ., or from a git URL) carries the configs and experiments.

A checkout reads conf/ and experiments/ in place; an installed package has only what its
wheel holds, and before pyproject.toml listed them as package data, baimo stopped at once
after a regular install ("Primary config directory not found").
"""

from __future__ import annotations

import importlib
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from sim.configuration import CONF_DIR, EXPERIMENTS_DIR, ROOT

SOURCES = ("pyproject.toml", "README.md", "sim", "conf", "experiments")


def test_every_subpackage_of_sim_is_packaged() -> None:
    """pyproject.toml lists the packages (it maps the configs in as package data), so a new
    subpackage must be listed too, or a regular install would lack it."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts)
             for p in (ROOT / "sim").rglob("__init__.py")}
    unlisted = sorted(found - listed)
    assert unlisted == [], (f"add {', '.join(unlisted)} to [tool.setuptools] packages in "
                            "pyproject.toml, or a regular install leaves it out")


def test_a_wheel_carries_every_config_and_experiment_and_runs_from_them(tmp_path: Path) -> None:
    source = tmp_path / "source"   # built from a copy: a build leaves build/ where it runs
    source.mkdir()
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, symlinks=True,
                            ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(ROOT / name, source / name)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "-w", str(tmp_path / "wheel"), str(source)], check=True,
                   capture_output=True)
    wheel = zipfile.ZipFile(next((tmp_path / "wheel").glob("baimo-*.whl")))
    names = set(wheel.namelist())
    for folder, where in ((CONF_DIR, "sim/bundled/conf"), (EXPERIMENTS_DIR,
                                                           "sim/bundled/experiments")):
        for path in folder.rglob("*"):
            if path.is_file():
                assert f"{where}/{path.relative_to(folder).as_posix()}" in names, path
    site = tmp_path / "site"
    wheel.extractall(site)
    # The installed package finds its own configs (not the checkout's) and composes an
    # experiment from them, and a teaching pack.
    probe = ("from sim.configuration import CONF_DIR, compose; "
             "from sim.teaching.packs import load_pack; "
             "print(CONF_DIR); compose(['+experiment=hype_bust']); load_pack('hype_bust')")
    done = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True,
                          text=True, env={"PYTHONPATH": str(site), "PATH": ""})
    assert done.returncode == 0, done.stderr
    assert Path(done.stdout.strip()) == site / "sim" / "bundled" / "conf"


def test_every_command_prints_baimos_version(capsys: pytest.CaptureFixture[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """``--version`` of each console script pyproject.toml lists prints ``baimo 0.1.0``, the
    version pyproject.toml gives (read from the package's metadata): baimo's printed
    Hydra's ("Hydra 1.3.8"), the others refused the option."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    for script, target in project["scripts"].items():
        module, _, function = target.partition(":")
        monkeypatch.setattr(sys, "argv", [script, "--version"])
        code = 0
        try:
            getattr(importlib.import_module(module), function)()
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        out, err = capsys.readouterr()
        assert (code, out, err) == (0, f"baimo {project['version']}\n", ""), script
