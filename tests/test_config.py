"""The schema: defaults compose, every bad value is one line naming the field and range."""

from __future__ import annotations

import copy
import dataclasses
import itertools
import json
import math
import os
import re
import shutil
import subprocess
import sys
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sim.config import BaimoConfig, ConfigError, fmt_number, safety_limits, schema_field
from sim.configuration import compose, config_hash, hash_resolved, resolved_dict
from sim.run import simulate


def test_baseline_composes_with_sourced_defaults() -> None:
    cfg = compose([])
    assert cfg.horizon_months == 120
    assert len(cfg.giants.names) == 10
    assert cfg.buyers.count == 5000
    assert cfg.compute.server_power_kw == 6.5
    assert cfg.compute.electricity_cny_per_kwh == 0.63


@pytest.mark.parametrize(
    ("override", "needle"),
    [
        ("funds.term_years=0", "funds.term_years=0 is out of range; allowed 1 to 30"),
        ("buyers.count=0", "buyers.count=0 is out of range"),
        ("data.spillover=1.5", "data.spillover=1.5 is out of range; allowed 0 to 1"),
        ("funds.investment_period_years=4", "funds.investment_period_years=4 must be shorter"),
        # "(1 years)" said neither where the 1 came from nor its number right
        ("funds.investment_period_years=3",
         "funds.investment_period_years=3 must be shorter than the shortest fund term "
         "(funds.term_years=4 less funds.term_spread_years=1: 3 years)"),
        # no fund ever invested, yet LPs paid fees: the headline was a run without funds
        ("funds.min_remaining_years=2.99", "funds.min_remaining_years=2.99 leaves a fund of "
         "the shortest term no time to invest (funds.term_years=4 less funds.term_spread_years=1:"
         " 3 years); allowed below 2.9875 years (that term less the 0.15 months from a fund's "
         "vintage to its first month of investing)"),
        # no fund ever led a round, so none closed: the headline was a run without funds
        ("funding.lead_share=0", "funding.lead_share=0 is out of range; allowed 0.001 to 1 "
         "(share of round): a round needs a lead's ticket, and at 0 no fund ever leads one, so "
         "no round closes"),
        # a round held only its lead's half, short of the 60% it needs: none closed
        ("funding.follower_ticket_share=0", "funding.follower_ticket_share=0 leaves a round "
         "only its lead's ticket, funding.lead_share=0.5 of the target, short of "
         "funding.min_fill_share=0.6: no round would close; allowed a follower share above 0, "
         "or a lead share of at least min_fill_share"),
        ("buyers.segment_shares=[0.5,0.5,0.5,0.5]", "buyers.segment_shares sum to 2"),
        ("hype.shocks=[{month:500,size:1,label:x}]",
         "hype.shocks[0].month=500 (x) is past the horizon; allowed below 120"),
        # a short run meets the default schedule: the message says how to go without it
        ("horizon_months=6", "compute.export_controls[0].month=10.5 (Export controls "
         "(Oct 2023)) is past the horizon; allowed below 6 (horizon_months=6); leave it out "
         "of compute.export_controls for a shorter run (compute.export_controls=[] for none)"),
        # every event past the horizon in one line: a 1-month run met them one fix at a time
        ("horizon_months=1", "hype.shocks[1].month=3.5 (GPT-4) is past the horizon; allowed "
         "below 1 (horizon_months=1); leave it out of hype.shocks for a shorter run "
         "(hype.shocks=[] for none); also past it: compute.export_controls[0] (Export "
         "controls (Oct 2023))"),
        ("giants.initial_gpus=[1,2]", "giants.initial_gpus has 2 entries"),
        # a fund working no deal a month would never invest; null, not 0, is "no limit"
        ("funds.max_new_deals_per_month=0", "funds.max_new_deals_per_month=0 is out of range; "
         "allowed 1 to 1000 or null (term sheets per fund per month)"),
        ("funds.max_new_deals_per_month=-3", "funds.max_new_deals_per_month=-3 is out of "
         "range; allowed 1 to 1000 or null"),
        # OmegaConf would read any integer as a truth value
        ("compute.made_to_order=2", "compute.made_to_order=2: allowed true or false"),
        ("giants.train_on_overdue=yes", "giants.train_on_overdue=yes: allowed true or false"),
    ],
)
def test_bad_values_give_one_line_naming_the_field(override: str, needle: str) -> None:
    with pytest.raises(ConfigError) as info:
        compose([override])
    message = str(info.value)
    assert needle in message
    assert "\n" not in message


def test_a_fund_term_of_one_year_is_said_in_the_singular() -> None:
    with pytest.raises(ConfigError) as info:
        compose(["funds.term_years=2", "funds.investment_period_years=1"])
    assert str(info.value).endswith("(funds.term_years=2 less funds.term_spread_years=1: 1 year)")


def test_an_event_in_the_horizons_last_month_is_allowed_as_the_message_says() -> None:
    """Events fall mid-month (0.5, 3.5): the refusal said "allowed 0 to 0" at a 1-month run,
    which kept its ChatGPT shock at month 0.5, and "allowed 0 to 5" at 6 months, which takes
    5.5. It now says "allowed below 6", and an event at 5.5 is accepted."""
    cfg = compose(["horizon_months=6", "compute.export_controls=[]",
                   "hype.shocks=[{month:5.5,size:1,label:x}]"])
    assert cfg.hype.shocks[0].month == 5.5
    with pytest.raises(ConfigError, match=r"month=6 \(x\) is past the horizon; allowed below 6 "):
        compose(["horizon_months=6", "compute.export_controls=[]",
                 "hype.shocks=[{month:6,size:1,label:x}]"])


def test_every_true_or_false_key_takes_only_true_or_false() -> None:
    """The schema's walk finds the true-or-false keys, nested ones too, and they compose
    from true and false (any case) but not from the integers OmegaConf would convert."""
    from sim.configuration import bool_keys

    assert {"compute.made_to_order", "giants.train_on_overdue", "plan", "job_plots",
            "sweep_plots", "design.second_order"} <= bool_keys()
    assert compose(["compute.made_to_order=FALSE"]).compute.made_to_order is False
    for key in ("compute.made_to_order", "giants.train_on_overdue"):
        with pytest.raises(ConfigError, match=f"{key}=1: allowed true or false"):
            compose([f"{key}=1"])


def test_the_config_files_a_composition_reads_are_checked_for_true_or_false_keys(
        tmp_path: Path) -> None:
    """The primary config, each group's option (its default, or the one an override or a
    sweep chooses) and the experiment file, each with the package its keys land in; a
    number for a true-or-false key in any of them (an edited default, the primary's run
    control, a group file of the user's own) is named with its file."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    from sim.configuration import CONF_DIR, EXPERIMENTS_DIR, composition_problem, config_files

    conf = tmp_path / "conf"
    shutil.copytree(CONF_DIR, conf)
    parse = OverridesParser.create().parse_overrides
    files = dict(config_files(parse([]), conf))
    assert files[conf / "config.yaml"] == ""
    assert files[conf / "compute" / "default.yaml"] == "compute"
    # the primary, its 11 model groups' defaults, and a single run's logging
    assert files[conf / "hydra" / "job_logging" / "baimo_run.yaml"] == "hydra.job_logging"
    assert len(files) == 13
    files = dict(config_files(parse(["+experiment=hype_bust", "~data"]), conf))
    assert files[EXPERIMENTS_DIR / "hype_bust.yaml"] == ""   # @package _global_
    assert conf / "data" / "default.yaml" not in files
    assert composition_problem(parse(["+experiment=hype_bust"]), conf) is None

    mine = conf / "compute" / "mine.yaml"
    mine.write_text("# my GPUs\nmade_to_order: 2\n", encoding="utf-8")
    assert composition_problem(parse(["compute=mine"]), conf) == (
        f"{mine}: compute.made_to_order=2: allowed true or false")
    assert composition_problem(parse(["compute=default,mine"]), conf) is not None   # a sweep
    assert composition_problem(parse([]), conf) is None                             # not chosen
    elsewhere = conf / "compute" / "moved.yaml"
    elsewhere.write_text("# @package giants\ntrain_on_overdue: 0\n", encoding="utf-8")
    assert composition_problem(parse(["compute=moved"]), conf) == (
        f"{elsewhere}: giants.train_on_overdue=0: allowed true or false")

    default = conf / "giants" / "default.yaml"
    default.write_text(default.read_text(encoding="utf-8").replace(
        "train_on_overdue: true", "train_on_overdue: 1"), encoding="utf-8")
    assert composition_problem(parse([]), conf) == (
        f"{default}: giants.train_on_overdue=1: allowed true or false")
    default.write_text(default.read_text(encoding="utf-8").replace(
        "train_on_overdue: 1", "train_on_overdue: true"), encoding="utf-8")
    primary = conf / "config.yaml"
    primary.write_text(primary.read_text(encoding="utf-8").replace(
        "plan: false", "plan: 2"), encoding="utf-8")
    assert composition_problem(parse([]), conf) == f"{primary}: plan=2: allowed true or false"


def test_the_files_defaults_lists_bring_are_checked_for_true_or_false_keys(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An experiment's defaults list choosing a group file (``override /compute: dear``),
    and the group file's own (``- default`` it extends), compose files too: a number for a
    true-or-false key in one is named with its file, unless the command line chooses
    another option for that group."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    from sim.configuration import CONF_DIR, composition_problem, config_files

    conf = tmp_path / "conf"
    shutil.copytree(CONF_DIR, conf)
    monkeypatch.setenv("BAIMO_OUTPUT_ROOT", str(tmp_path / "out"))
    experiments = tmp_path / "out" / "scenarios" / "experiment"
    experiments.mkdir(parents=True)
    (experiments / "dear.yaml").write_text(
        "# @package _global_\ndefaults:\n  - override /compute: dear\n  - _self_\n"
        "horizon_months: 12\n", encoding="utf-8")
    dear = conf / "compute" / "dear.yaml"
    dear.write_text("defaults:\n  - default\n  - _self_\nmade_to_order: 2\n",
                    encoding="utf-8")
    parse = OverridesParser.create().parse_overrides
    files = dict(config_files(parse(["+experiment=dear"]), conf))
    assert files[dear] == "compute"
    assert files[conf / "compute" / "default.yaml"] == "compute"   # what dear extends
    assert composition_problem(parse(["+experiment=dear"]), conf) == (
        f"{dear}: compute.made_to_order=2: allowed true or false")
    assert composition_problem(parse(["+experiment=dear", "compute=default"]), conf) is None
    dear.write_text(dear.read_text(encoding="utf-8").replace(": 2", ": false"),
                    encoding="utf-8")
    (conf / "compute" / "default.yaml").write_text("made_to_order: 3\n", encoding="utf-8")
    assert composition_problem(parse(["+experiment=dear", "compute=dear"]), conf) == (
        f"{conf / 'compute' / 'default.yaml'}: compute.made_to_order=3: allowed true or false")


def test_experiments_compose_from_their_own_folder_with_no_link_in_conf(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``+experiment=NAME`` reads ``experiments/NAME.yaml`` (``teaching/NAME`` a lesson's)
    through Hydra's ConfigStore, not through a symbolic link conf/experiment, which a
    checkout without links (Git for Windows' default) holds as a text file: there every
    experiment failed. Its header's package, its defaults list and an edit count; a file
    that is not YAML is refused in one line when named, and the others still compose."""
    import sim.configuration as configuration

    folder = tmp_path / "experiments"
    (folder / "teaching").mkdir(parents=True)
    mine = folder / "linkless_mine.yaml"
    mine.write_text("# @package _global_\ndefaults:\n  - override /compute: default\n"
                    "  - _self_\nhorizon_months: 14\ncompute:\n  made_to_order: false\n",
                    encoding="utf-8")
    (folder / "teaching" / "linkless_lesson.yaml").write_text(
        "# @package _global_\nhorizon_months: 13\n", encoding="utf-8")
    (folder / "linkless_scoped.yaml").write_text("term_years: 7\n", encoding="utf-8")
    broken = folder / "linkless_broken.yaml"
    broken.write_text("# @package _global_\nfunds:\n  term_years: [1, 2\n", encoding="utf-8")
    monkeypatch.setattr(configuration, "EXPERIMENTS_DIR", folder)
    monkeypatch.setenv("BAIMO_OUTPUT_ROOT", str(tmp_path / "out"))

    cfg = compose(["+experiment=linkless_mine"])
    assert (cfg.horizon_months, cfg.compute.made_to_order) == (14, False)
    assert compose(["+experiment=teaching/linkless_lesson"]).horizon_months == 13
    # no header: the keys would land in the group's package, as Hydra puts a file's
    with pytest.raises(ConfigError, match="without line 1 '# @package _global_' its keys "
                                          "land under 'experiment'"):
        compose(["+experiment=linkless_scoped"])
    # an edit of another size: the file's version is its time and size, and a file system
    # may stamp two writes within a few milliseconds with the same time
    mine.write_text(mine.read_text(encoding="utf-8").replace("14", "115"), encoding="utf-8")
    assert compose(["+experiment=linkless_mine"]).horizon_months == 115
    with pytest.raises(ConfigError) as refused:
        compose(["+experiment=linkless_broken"])
    assert str(refused.value) == (
        f"{broken}, line 4, column 1: not valid YAML: expected ',' or ']', but got '<stream end>'")
    assert configuration.experiment_file("linkless_mine") == mine
    # a scenario of the same name: Hydra would take the experiment as the scenario's schema
    scenario = tmp_path / "out" / "scenarios" / "experiment" / "linkless_mine.yaml"
    scenario.parent.mkdir(parents=True)
    scenario.write_text("# @package _global_\nhorizon_months: 16\n", encoding="utf-8")
    with pytest.raises(ConfigError) as refused:
        compose(["+experiment=linkless_mine"])
    assert str(refused.value) == (f"experiment=linkless_mine: both {scenario} and {mine} are "
                                  "named so; rename the scenario")


def test_every_experiment_says_which_claim_it_tests() -> None:
    """docs/EXPERIMENTS.md: each experiment file's opening comment names the DOMAIN.md s3
    claim it tests, or "none"; calibrate.yaml had no such line."""
    from sim.configuration import EXPERIMENTS_DIR

    files = sorted(EXPERIMENTS_DIR.glob("*.yaml"))
    assert files
    missing = [f.name for f in files
               if not re.search(r"^# Claim: ", f.read_text(encoding="utf-8"), re.MULTILINE)]
    assert missing == [], (f"{', '.join(missing)}: the opening comment needs a line "
                           "'# Claim: DOMAIN.md s3 claim N (...)', or '# Claim: none' "
                           "(docs/DEVELOPING.md)")


def test_no_config_or_experiment_is_a_symbolic_link() -> None:
    """A checkout without symbolic links (Git for Windows' default) holds a link as a text
    file naming its target: Hydra would find no config there."""
    from sim.configuration import CONF_DIR, EXPERIMENTS_DIR

    for folder in (CONF_DIR, EXPERIMENTS_DIR):
        links = [p for p in (folder, *folder.rglob("*")) if p.is_symlink()]
        assert links == []


def test_chinese_names_in_quotes_name_the_actors_and_change_no_number() -> None:
    """Names are labels: the same seed gives the same run under Chinese names (quoted, as
    Hydra's grammar wants text that is not ASCII)."""
    names = ["百度", "阿里巴巴", "华为", "腾讯", "字节跳动", "商汤", "三六零", "科大讯飞", "昆仑",
             "京东"]
    quoted = "giants.names=[" + ",".join(f"'{n}'" for n in names) + "]"
    small = ["horizon_months=12", "buyers.count=200"]
    chinese, english = simulate(compose([*small, quoted])), simulate(compose(small))
    assert chinese.model.cfg.giants.names == names
    assert set(chinese.events["actor"]) >= {f"giant:{n}" for n in names}
    flat = {k: v for k, v in chinese.summary.items() if k != "config_hash"}
    assert flat == {k: v for k, v in english.summary.items() if k != "config_hash"}


def test_composing_and_running_the_model_import_no_table_writer() -> None:
    """pandas and pyarrow (about 60 MiB) are for writing and reading tables: composing a
    config and running the model need neither (the peak memory of a run counts them)."""
    small = repr(["horizon_months=2", "buyers.count=50", "hype.shocks=[]",
                  "compute.export_controls=[]"])
    code = ("import sys; from sim.configuration import compose; from sim.model import "
            f"MarketModel; MarketModel(compose({small})).run(); "
            "print(sorted(m for m in ('pandas', 'pyarrow') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=True)
    assert done.stdout.strip() == "[]"


def test_config_hash_changes_with_any_field() -> None:
    assert config_hash(compose([])) == config_hash(compose([]))
    assert config_hash(compose([])) != config_hash(compose(["funds.term_years=5"]))


def test_the_safety_limits_are_left_out_of_the_hash() -> None:
    """A run within its limits is the same run under any limits it stays within (one past
    them fails), so they are no part of its identity; every other field is."""
    assert set(safety_limits()) == {"max_events", "max_price_multiple", "startups.max_founded",
                                    "funds.max_founded", "funding.max_positions"}
    base = compose([])
    for key in safety_limits():
        field_, _ = schema_field(key) or (None, None)
        assert field_ is not None and field_.metadata["range"][0] == 1
        assert config_hash(base) == config_hash(compose([f"{key}=1000000"])), key
    resolved = resolved_dict(base)
    assert hash_resolved(resolved) == config_hash(base)
    assert resolved["funding"]["max_positions"] == base.funding.max_positions  # not dropped
    assert config_hash(base) != config_hash(compose(["startups.pivot_gap_points=11"]))


def test_an_option_left_null_keeps_the_hash_the_config_had_before_it() -> None:
    """``funds.max_new_deals_per_month=null`` runs the model as it ran before the option
    existed, so the config hash leaves the null out: the baseline's hash (and its golden
    summary) stay as they were. Any limit changes the hash."""
    cfg = compose([])
    assert cfg.funds.max_new_deals_per_month is None
    before = resolved_dict(cfg)
    del before["funds"]["max_new_deals_per_month"]
    assert config_hash(cfg) == hash_resolved(before)
    assert config_hash(cfg) != config_hash(compose(["funds.max_new_deals_per_month=1000"]))


@pytest.mark.parametrize("key", ["funds.size_sigma", "funds.hurdle_sd", "buyers.attribute_sd",
                                 "startups.initial_cash_sigma", "regulation.mean_review_months",
                                 "startups.initial_data_quality_max"])
def test_negative_zero_is_zero(key: str) -> None:
    """-0.0 passes a range from 0, but NumPy's samplers read its sign and refuse it as a
    scale: validation makes it 0.0, so the run goes ahead and hashes as 0 does."""
    cfg = compose([f"{key}=-0.0", "horizon_months=12", "buyers.count=200"])
    section, name = key.split(".")
    assert math.copysign(1.0, getattr(getattr(cfg, section), name)) == 1.0
    assert config_hash(cfg) == config_hash(compose([f"{key}=0", "horizon_months=12",
                                                    "buyers.count=200"]))
    simulate(cfg)   # NumPy raised "scale < 0" / "sigma < 0" here


def test_negative_zero_in_a_list_is_zero() -> None:
    cfg = compose(["buyers.segment_shares=[0.25,0.25,0.5,-0.0]"])
    assert [math.copysign(1.0, x) for x in cfg.buyers.segment_shares] == [1.0] * 4


def test_cli_rejects_bad_value_with_one_line_and_exit_2(tmp_path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "sim.cli", "funds.term_years=0"],
        capture_output=True, text=True, cwd=tmp_path,
        env={**os.environ, "BAIMO_OUTPUT_ROOT": str(tmp_path / "outputs")},
    )
    assert proc.returncode == 2
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert lines == ["baimo: error: funds.term_years=0 is out of range; allowed 1 to 30 (years)"]
    assert not list((tmp_path / "outputs").rglob("COMPLETE"))


def test_resolved_dict_equals_omegaconfs_container() -> None:
    """The config hash is taken over dataclasses.asdict; it must be what OmegaConf resolves."""
    from omegaconf import OmegaConf

    from sim.configuration import resolved_dict

    for overrides in ([], ["funds.term_years=7", "compute.export_controls=[]"]):
        cfg = compose(overrides)
        container = OmegaConf.to_container(OmegaConf.structured(cfg), resolve=True)
        # as JSON, so that 5 and 5.0 differ as they would in the hash
        assert json.dumps(resolved_dict(cfg), sort_keys=True) == json.dumps(container,
                                                                            sort_keys=True)


# ------------------------------------------------------------------ shares that sum to 1
SHARE_LISTS = {"buyers.segment_shares": [0.25, 0.25, 0.25, 0.25],
               "startups.domain_weights": [0.3, 0.1, 0.1, 0.1, 0.1, 0.1, 0.2],
               "buyers.domain_shares": [0.3, 0.1, 0.1, 0.1, 0.1, 0.1, 0.2]}


def _off_by(values: list[float], delta: float) -> str:
    """A list literal whose last entry is off by ``delta`` (the sum off by about it)."""
    return "[" + ",".join(repr(v) for v in [*values[:-1], values[-1] + delta]) + "]"


@pytest.mark.parametrize("delta", [1e-7, -1e-7])
@pytest.mark.parametrize("key", list(SHARE_LISTS))
def test_shares_off_by_rounding_are_divided_by_their_sum(key: str, delta: float) -> None:
    """Validation lets a sum within 1e-6 of 1 pass, NumPy's choice (which draws from the
    list) one within about 1.5e-8: such lists crashed the run (ValueError: probabilities do
    not sum to 1). Validation now divides them by their sum."""
    import numpy as np

    from sim.config import SHARE_SUM_ROUNDING
    from sim.sums import left_sum

    cfg = compose([f"{key}={_off_by(SHARE_LISTS[key], delta)}"])
    section, name = key.split(".")
    shares = getattr(getattr(cfg, section), name)
    assert abs(left_sum(shares) - 1) <= SHARE_SUM_ROUNDING
    np.random.default_rng(0).choice(len(shares), size=10, p=shares)   # raised here
    # validated again, the list stays as it is (a second division would move its last bits)
    from sim.config import validate

    assert getattr(getattr(validate(cfg), section), name) == shares


def test_shares_off_by_rounding_run() -> None:
    """Both lists off by 1e-7 at once, end to end (buyers.py and startup.py draw from them)."""
    simulate(compose(["horizon_months=6", "buyers.count=200", "hype.shocks=[]",
                      "compute.export_controls=[]",
                      *(f"{k}={_off_by(v, 1e-7)}" for k, v in SHARE_LISTS.items())]))


def test_shares_that_sum_to_one_are_kept_as_given() -> None:
    """The defaults, and any list summing to 1 up to rounding, are not divided: the same
    config gives the same hash and the same outputs as before."""
    cfg = compose([])
    assert cfg.buyers.segment_shares == [0.10, 0.08, 0.32, 0.50]
    assert cfg.startups.domain_weights == [0.25, 0.15, 0.14, 0.12, 0.12, 0.14, 0.08]
    third = 1 / 3
    assert compose(["startups.domain_weights=[0.4,0.1,0.1,0.1,0.1,0.1,0.1]",
                    f"buyers.segment_shares=[{third!r},{third!r},{third!r},0]"]
                   ).buyers.segment_shares == [third, third, third, 0]


@pytest.mark.parametrize("key", list(SHARE_LISTS))
def test_shares_off_by_more_than_the_tolerance_are_refused(key: str) -> None:
    with pytest.raises(ConfigError) as info:
        compose([f"{key}={_off_by(SHARE_LISTS[key], 2e-6)}"])
    assert str(info.value) == (f"{key} sum to 1.000002; they must sum to 1 (within 1e-06)")


# ------------------------------------------------------------------ start_date
@pytest.mark.parametrize(("overrides", "message"), [
    (["start_date=9999-12"], "start_date=9999-12 is out of range; allowed 1970-01 to 2191-01 "
     "(a run of horizon_months=120 must end by 2200-12)"),
    (["start_date=0001-01"], "start_date=0001-01 is out of range; allowed 1970-01 to 2191-01"),
    (["start_date=1969-12"], "start_date=1969-12 is out of range"),
    (["start_date=2191-02"], "start_date=2191-02 is out of range"),     # ends in 2201-01
    (["start_date=2200-12", "horizon_months=2", "hype.shocks=[]",
      "compute.export_controls=[]"], "allowed 1970-01 to 2200-11"),
    (["start_date=abc"], "start_date='abc' is not a month as YYYY-MM; allowed 1970-01 to "
     "2200-12"),
    (["start_date=2022-13"], "start_date='2022-13' is not a month as YYYY-MM"),
    (["start_date=2022-W01"], "start_date='2022-W01' is not a month"),  # an ISO week: no
])
def test_start_date_is_a_month_the_tables_and_plots_can_hold(overrides: list[str],
                                                             message: str) -> None:
    """start_date=9999-12 ran and crashed writing its tables (year 10000 is out of range),
    leaving a run directory without COMPLETE; a sweep over 0001-01 ran and its aggregation
    crashed in matplotlib."""
    with pytest.raises(ConfigError) as info:
        compose(overrides)
    assert message in str(info.value) and "\n" not in str(info.value)


def test_start_date_at_the_ends_of_its_range_composes() -> None:
    assert compose(["start_date=1970-01"]).start_date == "1970-01"
    assert compose(["start_date=2191-01"]).start_date == "2191-01"     # ends 2200-12
    assert compose(["start_date=2151-01", "horizon_months=600"]).horizon_months == 600


def test_a_sweep_over_a_bad_start_date_stops_before_any_job(
        output_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from cli import baimo

    code, _, err = baimo(["-m", "start_date=0001-01,2022-12", "horizon_months=12",
                          "buyers.count=300", "hype.shocks=[]", "compute.export_controls=[]"],
                         capsys)
    assert code == 2 and err.count("\n") == 1
    assert "start_date=0001-01 is out of range; allowed 1970-01" in err
    assert not list(output_root.rglob("COMPLETE"))


# ------------------------------------------------------------------ summary.json's calendar
SUMMARY_EDITS = [
    ({"start_date": "abc"}, "start_date='abc' is not a month as YYYY-MM"),
    ({"start_date": "9999-12"}, "start_date=9999-12 is out of range"),
    ({"horizon_months": 0}, "horizon_months=0 is out of range; allowed 1 to 600"),
    ({"horizon_months": -24}, "horizon_months=-24 is out of range"),
    ({"horizon_months": 10**9}, "horizon_months=1000000000 is out of range"),
    ({"seed": -1}, "seed=-1 is out of range"),
]


@pytest.mark.parametrize("module", ["sim.report", "sim.explain", "sim.compare"])
@pytest.mark.parametrize(("edit", "message"), SUMMARY_EDITS,
                         ids=[next(iter(e)) + "=" + str(next(iter(e.values())))
                              for e, _ in SUMMARY_EDITS])
def test_readers_refuse_a_summary_whose_calendar_is_not_a_runs(
        module: str, edit: dict, message: str, run_dir: Path, tmp_path: Path,
        output_root: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A summary.json edited to a start_date, horizon or seed no run has: the summary check
    let it pass and the readers crashed dating its months (sim/teaching/calendar.py)."""
    import importlib

    edited = tmp_path / "edited"
    shutil.copytree(run_dir, edited)
    summary = json.loads((edited / "summary.json").read_text(encoding="utf-8"))
    (edited / "summary.json").write_text(json.dumps({**summary, **edit}), encoding="utf-8")
    argv = [str(edited), str(run_dir)] if module == "sim.compare" else [str(edited)]
    monkeypatch.setattr(sys, "argv", [module, *argv])
    with pytest.raises(SystemExit) as exited:
        importlib.import_module(module).main()
    err = capsys.readouterr().err
    assert exited.value.code == 2 and "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1
    assert f"{edited}: summary.json is not a baimo summary ({message}" in lines[0]


# ------------------------------------------------------------------ names
@pytest.mark.parametrize(("group", "key", "index", "name"), [
    ("giants", "names", 9, ""),
    ("giants", "names", 1, "Ali\nbaba"),
    ("giants", "names", 2, "   "),
    ("startups", "domains", 1, ""),
    ("startups", "domains", 3, "edu\r\ncation"),
])
def test_names_are_one_line_of_text(group: str, key: str, index: int, name: str) -> None:
    """Names label plots, tables and firm stories: an empty one, or one with a line break,
    was accepted."""
    from sim.config import validate

    cfg = compose([])
    getattr(getattr(cfg, group), key)[index] = name
    with pytest.raises(ConfigError) as info:
        validate(cfg)
    assert str(info.value) == (f"{group}.{key}[{index}]={name!r} must be a name on one line "
                               "(text, not empty, no line break)")


# ------------------------------------------------------------------ every bound reachable
#: The fields of each cross-field rule of :func:`sim.config._check_cross`: a bound of one
#: may need the others moved (to their own extremes) to be accepted. The scheduled events'
#: months and the horizon are added from the composed config (:func:`_rule_groups`); the
#: shares' sum to 1 is met by spreading the rest over the other entries (:func:`_set`).
CROSS_RULES = [
    ("funds.term_years", "funds.term_spread_years", "funds.investment_period_years",
     "funds.min_remaining_years", "funds.exit_window_years"),
    ("funds.initial_count", "funds.max_founded"),
    ("startups.shell_depth", "startups.original_depth"),
    ("giants.pricing_share_floor", "giants.share_target"),
    ("funding.follower_ticket_share", "funding.lead_share", "funding.min_fill_share"),
]
STEP = re.compile(r"([a-z_]+)(?:\[(\d+)\])?")


def _ranged(cls: type = BaimoConfig, prefix: str = "") -> Iterator[tuple[str, float, float]]:
    """(path, low, high) of every ranged field of the schema: a list's first entry
    (``buyers.segment_shares[0]``), a list of events' first (``hype.shocks[0].month``)."""
    hints = typing.get_type_hints(cls)
    for f in dataclasses.fields(cls):
        path, kind = f"{prefix}{f.name}", hints[f.name]
        item = typing.get_args(kind)[0] if typing.get_origin(kind) is list else None
        if dataclasses.is_dataclass(kind):
            yield from _ranged(kind, path + ".")
        elif item is not None and dataclasses.is_dataclass(item):
            yield from _ranged(item, path + "[0].")
        elif "range" in f.metadata:
            lo, hi = f.metadata["range"]
            yield (path + "[0]" if f.metadata.get("each") else path), lo, hi


def _steps(path: str) -> list[tuple[str, int | None]]:
    return [(name, None if index is None else int(index))
            for name, index in (STEP.fullmatch(part).groups() for part in path.split("."))]


def _set(cfg: BaimoConfig, path: str, value: float) -> None:
    """Set ``path`` of ``cfg`` to ``value``; the first of a list of shares with the rest of 1
    spread evenly over the others (the sum-to-1 rule's other fields)."""
    node: Any = cfg
    *parents, (name, index) = _steps(path)
    for parent, i in parents:
        node = getattr(node, parent) if i is None else getattr(node, parent)[i]
    if index is None:
        setattr(node, name, value)
        return
    entries = getattr(node, name)
    entries[index] = value
    if path.removesuffix("[0]") in SHARE_LISTS:
        rest = (1 - value) / (len(entries) - 1)
        entries[1:] = [rest] * (len(entries) - 1)


def _rule_groups(cfg: BaimoConfig) -> list[tuple[str, ...]]:
    """:data:`CROSS_RULES` and the horizon with every scheduled event's month."""
    months = [f"hype.shocks[{i}].month" for i in range(len(cfg.hype.shocks))] + [
        f"compute.export_controls[{i}].month" for i in range(len(cfg.compute.export_controls))]
    return [*CROSS_RULES, ("horizon_months", *months)]


def _accepted(base: BaimoConfig, settings: list[tuple[str, float]]) -> bool:
    from sim.config import validate

    cfg = copy.deepcopy(base)
    for path, value in settings:
        _set(cfg, path, value)
    try:
        validate(cfg)
    except ConfigError:
        return False
    return True


def _indexless(path: str) -> str:
    """A path as :func:`_ranged` names it: an event list's entry as its first."""
    return re.sub(r"\[\d+\]", "[0]", path)


def _reachable(base: BaimoConfig, bounds: dict[str, tuple[float, float]], path: str,
               bound: float, partners: list[str]) -> bool:
    """Whether ``path=bound`` is accepted with each of ``partners`` at its default, its low
    or its high."""
    choices = [[None, *bounds[_indexless(p)]] for p in partners]
    for pick in itertools.product(*choices):
        moved = [(p, v) for p, v in zip(partners, pick, strict=True) if v is not None]
        if _accepted(base, [(path, bound), *moved]):
            return True
    return False


def test_every_documented_bound_is_accepted_with_the_other_fields_somewhere_valid() -> None:
    """Each ranged field's low and high are accepted, its cross-field partners left at their
    defaults or moved to their own extremes. funds.investment_period_years=30 (not shorter
    than any fund term, the longest being 30 years) and an event month of 600 (not before
    the longest horizon, 600 months) were documented and always refused."""
    base = compose([])
    bounds = {path: (lo, hi) for path, lo, hi in _ranged()}
    partners = {member: [p for p in group if p != member]
                for group in _rule_groups(base) for member in group}
    unranged = sorted({_indexless(p) for p in partners} - set(bounds))
    assert unranged == [], (f"CROSS_RULES (tests/test_config.py) names {', '.join(unranged)}, "
                            "which the schema lacks or gives no range: name ranged fields only")
    refused = [f"{path}={fmt_number(bound)} (partners: {', '.join(partners.get(path, []))})"
               for path, (lo, hi) in bounds.items() for bound in (lo, hi)
               if not _reachable(base, bounds, path, bound, partners.get(path, []))]
    assert refused == [], (
        "the schema (sim/config.py) documents these bounds, but validate() refuses each, its "
        "cross-field partners tried at their defaults, lows and highs: "
        f"{'; '.join(refused)}. No partners listed: the field is in a cross-field rule "
        "(sim.config._check_cross) that CROSS_RULES in tests/test_config.py lacks; add the "
        "rule's fields to CROSS_RULES as one tuple. Partners listed: no setting of them "
        "accepts the bound; narrow the field's range in sim/config.py to what the rule allows")


# ------------------------------------------------------------------ funds that can invest
#: A market of funds of one term (1 year), each new fund a month, none at the start.
ONE_YEAR_FUNDS = ["horizon_months=3", "buyers.count=50", "hype.shocks=[]",
                  "compute.export_controls=[]", "funds.term_years=1", "funds.term_spread_years=0",
                  "funds.investment_period_years=0.25", "funds.initial_count=0",
                  "funds.vintage_rate_per_month=5", "funds.vintage_hype_elasticity=0",
                  "funds.min_remaining_years=0.5", "funds.exit_window_years=0.25"]


def _ages_investing(min_remaining_years: float, monkeypatch: pytest.MonkeyPatch,
                    exit_window_years: float | None = None) -> list[float]:
    """Months since its vintage at which each fund of a short run went to invest, with
    ``funds.min_remaining_years`` (and ``funds.exit_window_years``, if given) set after
    validation (the refused values too)."""
    from sim.agents.fund import Fund
    from sim.model import MarketModel

    ages: list[float] = []
    invest = Fund.invest

    def recording(fund: Fund) -> None:
        ages.append(fund.world.now - fund.vintage_month)
        invest(fund)

    monkeypatch.setattr(Fund, "invest", recording)
    cfg = compose(ONE_YEAR_FUNDS)
    cfg.funds.min_remaining_years = min_remaining_years
    if exit_window_years is not None:
        cfg.funds.exit_window_years = exit_window_years
    model = MarketModel(cfg)
    model.run()
    assert len(model.funds) > 3   # new funds every month
    return ages


def test_min_remaining_years_is_refused_exactly_where_no_fund_of_the_shortest_term_invests(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """funds.term_years=1 with the default min_remaining_years=1.5 ran with no fund ever
    investing. A fund needs min_remaining_years of its term left to invest, and its first
    month comes 0.15 months after its vintage: the last value accepted lets every new fund
    of the shortest term invest in that month; the first refused (and 0.99, below the term)
    let none invest at all."""
    from sim.agents.fund import TO_THE_CLOSE_MONTHS
    from sim.config import FUND_ACT_TO_CLOSE_MONTHS, FUND_FIRST_ACT_MONTHS, MONTHS_PER_YEAR
    from sim.world import Phase

    assert FUND_FIRST_ACT_MONTHS == Phase.FUNDS - Phase.ENTRY
    assert math.isclose(FUND_ACT_TO_CLOSE_MONTHS, TO_THE_CLOSE_MONTHS)   # 0.4 - 0.3
    assert TO_THE_CLOSE_MONTHS == Phase.FUNDING - Phase.FUNDS
    latest = 1 - FUND_FIRST_ACT_MONTHS / MONTHS_PER_YEAR
    with pytest.raises(ConfigError, match="allowed below 0.9875 years"):
        compose([*ONE_YEAR_FUNDS, f"funds.min_remaining_years={latest!r}"])
    accepted = latest - 1e-6
    compose([*ONE_YEAR_FUNDS, f"funds.min_remaining_years={accepted!r}"])
    ages = _ages_investing(accepted, monkeypatch)
    assert ages and all(age == pytest.approx(FUND_FIRST_ACT_MONTHS) for age in ages)
    assert _ages_investing(0.99, monkeypatch) == []


def test_exit_window_years_is_refused_exactly_where_no_fund_of_the_shortest_term_invests(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A fund in its exit window by the close of the rounds it would join (0.1 months after
    it acts) invests no more, and a new fund's first close comes 0.25 months after its
    vintage: the last window accepted lets every new fund of the shortest term invest in
    its first month; the first refused lets none invest at all (a window as long as the
    term was accepted, and its funds bought stakes only to sell them in the same close)."""
    latest = 1 - 0.25 / 12
    with pytest.raises(ConfigError, match=r"funds.exit_window_years=0.979167 leaves a fund of "
                                          r"the shortest term no time to invest .*: 1 year\); "
                                          r"allowed below 0.979167 years"):
        compose([*ONE_YEAR_FUNDS, f"funds.exit_window_years={latest!r}"])
    accepted = latest - 1e-6
    compose([*ONE_YEAR_FUNDS, f"funds.exit_window_years={accepted!r}"])
    ages = _ages_investing(0.5, monkeypatch, exit_window_years=accepted)
    assert ages and all(age == pytest.approx(0.15) for age in ages)
    assert _ages_investing(0.5, monkeypatch, exit_window_years=latest) == []


def test_the_smallest_lead_share_allowed_closes_rounds() -> None:
    """funding.lead_share=0 closed no round in a whole run; its lower bound does."""
    from sim.config import MIN_LEAD_SHARE

    out = simulate(compose(["horizon_months=6", "buyers.count=50", "compute.export_controls=[]",
                            f"funding.lead_share={MIN_LEAD_SHARE}"]))
    assert out.summary["funding"]["deals_by_year"][0] > 0


def test_a_lead_alone_at_the_minimum_fill_closes_rounds() -> None:
    """With no followers a round closes on its lead's ticket alone when that reaches
    funding.min_fill_share: the least such lead share is accepted and makes rounds."""
    out = simulate(compose(["horizon_months=6", "buyers.count=50", "compute.export_controls=[]",
                            "funding.follower_ticket_share=0", "funding.lead_share=0.6"]))
    assert out.summary["funding"]["deals_by_year"][0] > 0


def test_the_defaults_are_composed_once_until_a_file_of_them_changes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every sweep and report compares with today's defaults (sim.configuration
    .default_settings): composing them takes as long as a sweep's own command, so it is done
    once per process, and again when a file composing them changes."""
    import sim.configuration as configuration

    conf = tmp_path / "conf"
    shutil.copytree(configuration.CONF_DIR, conf)
    monkeypatch.setattr(configuration, "CONF_DIR", conf)
    monkeypatch.setattr(configuration, "_DEFAULTS", {})
    composed: list[BaimoConfig] = []

    def compose_defaults() -> BaimoConfig:
        composed.append(compose([]))
        return composed[-1]

    first = configuration.default_settings(compose_defaults)
    assert configuration.default_settings(compose_defaults) == first and len(composed) == 1
    assert first["funds.term_spread_years"] == "1.0"
    funds = conf / "funds" / "default.yaml"
    text = funds.read_text(encoding="utf-8")
    funds.write_text(text.replace("term_spread_years: 1.0 ", "term_spread_years: 0.75 "),
                     encoding="utf-8")
    assert configuration.default_settings(compose_defaults)["funds.term_spread_years"] == "0.75"
    assert len(composed) == 2


@pytest.mark.parametrize("root", ["plain", "new\nline"], ids=["plain", "newline"])
def test_no_warning_of_a_missing_scenarios_folder(root: str, tmp_path: Path) -> None:
    """Composing searches ``<output root>/scenarios``, which exists only once a calibration
    writes a scenario: Hydra's warning that it is not there is not shown, even where the
    root's name holds a newline (it was: the filter's pattern stopped at the newline). In
    a fresh process: Hydra warns as it first composes."""
    code = "from sim.configuration import compose; compose(['horizon_months=12'])"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1]),
           "BAIMO_OUTPUT_ROOT": str(tmp_path / root)}
    done = subprocess.run([sys.executable, "-W", "default", "-c", code], capture_output=True,
                          text=True, env=env)
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / root / "scenarios").exists()
    assert "not available" not in done.stderr, done.stderr


def test_the_schema_walk_reaches_nested_and_run_control_keys() -> None:
    """One walker serves every question asked of the schema's keys: the groups of a class,
    the lists of an item, the true-or-false keys (run control among them) and a key's
    type, an optional one's inner type."""
    from sim.config import HypeShock, error_key, group_keys, item_lists
    from sim.configuration import bool_keys, setting_type

    assert group_keys("HypeConfig") == ["hype"]
    assert item_lists(HypeShock) == ["hype.shocks"]
    assert {"compute.made_to_order", "plan", "design.second_order"} <= bool_keys()
    assert setting_type("funds.max_new_deals_per_month") is int   # int | None
    assert setting_type("sample") is int and setting_type("funds.term_years") is float
    assert setting_type("funds.no_such_key") is None and setting_type("hype.shocks.0") is None

    class Bare(Exception):
        full_key = None   # OmegaConf's error raised outside a node: no key, not "None"

    assert error_key(Bare()) == "" and error_key(ValueError()) == ""
