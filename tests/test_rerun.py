"""``baimo rerun DIR``: a run's recorded config run again, whatever today's defaults are."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from cli import baimo
from conftest import SMALL

from sim.cli import main
from sim.config import ConfigError
from sim.outputs import CONFIG, EVENTS, FUNDS, METRICS, REVENUE, SUMMARY
from sim.rerun import RerunError, hydra_value, rerun_overrides

pytestmark = pytest.mark.usefixtures("output_root")

#: A run away from the defaults in a float, an integer, a list and the seed.
ORIGINAL = [*SMALL, "seed=3", "funds.term_years=5", "hype.decay_per_month=0.1",
            "compute.export_controls=[{month:10,supply_cut:0.5,label:'a ban'}]"]


@pytest.fixture(scope="module")
def original(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A finished run of ORIGINAL (run by the CLI, as a user's would be)."""
    root = tmp_path_factory.mktemp("rerun")
    path = root / "original"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BAIMO_OUTPUT_ROOT", str(root / "outputs"))
        patch.setattr(sys, "argv", ["baimo", *ORIGINAL, f"hydra.run.dir={path}"])
        try:
            main()
        except SystemExit as exc:
            assert not exc.code
    return path


def without_environment(path: Path) -> dict:
    summary = json.loads((path / SUMMARY).read_text())
    summary.pop("environment")
    return summary


def test_a_rerun_writes_the_same_outputs(original: Path, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    again = tmp_path / "again"
    code, out, err = baimo(["rerun", str(original), f"hydra.run.dir={again}"], capsys)
    assert code == 0, err
    assert out.startswith(f"baimo: rerun of {original}: seed=3 ")
    for name in (EVENTS, METRICS, FUNDS, REVENUE, CONFIG):
        assert (again / name).read_bytes() == (original / name).read_bytes(), name
    assert without_environment(again) == without_environment(original)
    assert "note:" not in out   # the same code, every setting recorded


def test_a_rerun_runs_the_recorded_values_not_todays_defaults(
        original: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Replaying a run's overrides after a default changed runs another model; the rerun
    reads the values the run recorded. Here the record says 6-year funds, today's default
    says 4: the rerun runs 6."""
    edited = tmp_path / "edited"
    edited.mkdir()
    config = json.loads((original / CONFIG).read_text())
    config["funds"]["term_years"] = 6.0
    (edited / CONFIG).write_text(json.dumps(config))
    overrides, notes = rerun_overrides(edited, [])
    assert "funds.term_years=6.0" in overrides and notes == []
    again = tmp_path / "again"
    code, _, err = baimo(["rerun", str(edited), f"hydra.run.dir={again}"], capsys)
    assert code == 0, err
    assert json.loads((again / CONFIG).read_text())["funds"]["term_years"] == 6


def test_overrides_after_the_directory_change_the_rerun(original: Path) -> None:
    overrides, _ = rerun_overrides(original, ["funds.term_years=7", "hydra.run.dir=x"])
    assert [o for o in overrides if o.startswith("funds.term_years=")] == ["funds.term_years=7"]
    assert overrides[0] == "seed=3" and overrides[-1] == "hydra.run.dir=x"
    assert "compute.export_controls=[{label:'a ban',month:10.0,supply_cut:0.5}]" in overrides
    assert "horizon_months=24" in overrides and "buyers.count=500" in overrides
    assert not any(o.startswith("giants.") for o in overrides)   # at the defaults: left out


def test_a_rerun_says_what_it_could_not_reproduce(original: Path, tmp_path: Path) -> None:
    older = tmp_path / "older"
    older.mkdir()
    config = json.loads((original / CONFIG).read_text())
    del config["funds"]["fee_steps_down"]   # as an older baimo, without the key, wrote it
    (older / CONFIG).write_text(json.dumps(config))
    summary = json.loads((original / SUMMARY).read_text())
    summary["environment"]["model_code"] = "0" * 64
    (older / SUMMARY).write_text(json.dumps(summary))
    _, notes = rerun_overrides(older, [])
    assert len(notes) == 2
    assert "did not record funds.fee_steps_down (an older baimo): today's defaults" in notes[0]
    assert "was run by other code" in notes[1]


@pytest.mark.parametrize(("setup", "message"), [
    (None, "no such directory"),
    ("", "has no config.json: not a run's directory"),
    ("{not json", "is not a configuration baimo wrote"),
    ('{"horizon_months": 24}', "is not a configuration baimo wrote (no seed)"),
    ('{"a":' * 5000 + "1" + "}" * 5000, "is not a configuration baimo wrote (nested too "
                                         "deep to read"),
    ('{"seed": ' + "7" * 5000 + "}", "is not a configuration baimo wrote (Exceeds the "
                                        "limit"),
    ('{"seed": 1, "funds": {"term_yeras": 4}}', "sets funds.term_yeras, which this baimo does "
                                               "not have"),
])
def test_a_directory_that_cannot_be_rerun_is_one_line(
        setup: str | None, message: str, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "run"
    if setup is not None:
        target.mkdir()
        if setup:
            (target / CONFIG).write_text(setup)
    code, out, err = baimo(["rerun", str(target)], capsys)
    assert code == 2 and message in err and err.count("\n") == 1, err
    with pytest.raises(RerunError):
        rerun_overrides(target, [])


def test_rerun_takes_a_directory_and_overrides_only(original: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = baimo(["rerun", str(original), "-m", "seed=1,2"], capsys)
    assert code == 2 and "rerun takes a directory and overrides, not -m" in err
    code, out, err = baimo(["rerun"], capsys)   # the usage went to stdout, nothing to stderr
    assert code == 2 and err.count("\n") == 1 and "rerun needs a run's directory" in err
    code, out, _ = baimo(["rerun", "--help"], capsys)
    assert code == 0 and out.startswith("usage: baimo rerun DIR")
    # an unset $RUN: the working directory (a run's, say) was rerun
    code, out, err = baimo(["rerun", ""], capsys)
    assert code == 2 and err.count("\n") == 1 and "rerun: an empty path" in err and not out


def test_a_runs_hydra_record_as_config_dir_is_refused_not_the_baseline_run(
        original: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``--config-dir RUN/.hydra`` ran the baseline, silently: Hydra reads conf/config.yaml
    before the directory's config.yaml."""
    code, _, err = baimo(["--config-dir", str(original / ".hydra")], capsys)
    assert code == 2 and err.count("\n") == 1
    assert "config.yaml is hidden by baimo's own conf/config.yaml" in err
    assert "baimo rerun RUN_DIR" in err


def test_a_recorded_interpolation_is_rerun_as_its_text_not_resolved(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A run's files are data: a config.json whose shock label read ${oc.env:SECRET} put
    the secret's value in the rerun's outputs (Hydra resolves ${...} in a quoted value),
    and a start_date of ${now:%Y-%m} ran from the current month. The text is kept."""
    from sim.configuration import compose

    monkeypatch.setenv("BAIMO_TEST_SECRET", "hunter2")
    label = "${oc.env:BAIMO_TEST_SECRET} and \\${x}"
    shock = hydra_value([{"month": 0.0, "size": 1.2, "label": label}])
    config = compose([f"hype.shocks={shock}", *SMALL])
    assert config.hype.shocks[0].label == label
    with pytest.raises(ConfigError, match=r"start_date='\$\{now:%Y-%m\}' is not a month"):
        compose([f"start_date={hydra_value('${now:%Y-%m}')}", *SMALL])


def test_a_key_that_is_no_setting_s_name_is_refused_not_resolved() -> None:
    """A key of a map inside a list was written as it stood: Hydra resolved the
    ${oc.env:...} hidden in one ('label:${oc.env:SECRET},month')."""
    with pytest.raises(RerunError, match=r"'label:\$\{oc.env:X\},month' is no setting's name"):
        hydra_value([{"size": 1.2, "label:${oc.env:X},month": 0.5}])


@pytest.mark.parametrize("text", ["a\\b", "end\\", "it's", "a\\'b", "${oc.env:HOME}",
                                  "x\\${y}", "x\\\\${y}", "\\\\", "a''b", "${", "百度 AI's"])
def test_a_recorded_string_composes_back_to_itself(text: str) -> None:
    """Backslashes, quotes and ${ in a recorded string: quote doubled every backslash, so
    a label a\\b came back as a\\\\b (Hydra reads a backslash as an escape only before a
    quote or at the end), and left ${ to OmegaConf."""
    from sim.configuration import compose

    shock = hydra_value([{"month": 0.0, "size": 1.2, "label": text}])
    assert compose([f"hype.shocks={shock}", *SMALL]).hype.shocks[0].label == text


def test_values_are_written_in_hydras_grammar() -> None:
    assert hydra_value(None) == "null" and hydra_value(True) == "true"
    assert hydra_value(0.1) == "0.1" and hydra_value(3) == "3"
    assert hydra_value("百度 AI's") == "'百度 AI\\'s'"
    assert hydra_value([{"a": 1, "b": "x"}]) == "[{a:1,b:'x'}]"
    with pytest.raises(RerunError):
        hydra_value(float("nan"))
