"""A catalogue of bad inputs: each gets one line naming the field (or file) and
what is allowed, exit code 2, and no output directory marked complete.

The commands run in-process (their ``main()`` with a patched ``sys.argv``), so
the catalogue costs seconds, not a Python start-up per case.
"""

from __future__ import annotations

import importlib
import json
import os
import pickle
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from cli import baimo

from sim.configuration import CONF_DIR
from sim.outputs import COMPLETE

#: The checkout whose ``sim`` the tests import (a subprocess is pointed at it).
REPOSITORY = Path(__file__).resolve().parents[1]

# (overrides, a fragment the one-line message must contain)
MODEL_INPUTS: list[tuple[list[str], str]] = [
    # Hydra's own values baimo reads first: a traceback (AssertionError, InterpolationKeyError)
    (["hydra.verbose=5"], "hydra.verbose=5: allowed true, false, a logger's name or a list of "
                          "names"),
    (["hydra.mode=${nosuch}"], "hydra.mode: Interpolation key 'nosuch' not found"),
    # an interpolation whose resolver fails: "seed: KeyError raised while resolving ..."
    (["seed=${oc.env:BAIMO_NO_SUCH_VARIABLE}"],
     "seed: Environment variable 'BAIMO_NO_SUCH_VARIABLE' not found (an interpolation, ${...}, "
     "it cannot resolve)"),
    # a map of design ranges given without '++': Hydra's "Could not override ... use +"
    (["design.kind=lhs", "design.samples=3", "design.ranges={data.spillover:[0.1,0.5]}"],
     "design.ranges=...: a map of ranges replaces the experiment's with '++' "
     "('++design.ranges={funds.term_years:[3,10]}'"),
    # a sweep over experiments that are sweeps: each ran once, its own sweep dropped
    (["-m", "+experiment=investor_patience,hype_bust"],
     "+experiment=investor_patience,hype_bust: experiment investor_patience is a sweep itself "
     "(hydra.sweeper.params: funds.term_years), and a sweep over experiments runs each as one "
     "setting, without it"),
    # wrong types
    (["funds.term_years=abc"], "funds.term_years=abc is not a number; allowed 1 to 30 (years)"),
    (["horizon_months=1.5"], "horizon_months=1.5 is not an integer; allowed 1 to 600 (months)"),
    (["buyers.count=many"], "buyers.count=many is not an integer; allowed 1 to 10,000,000"),
    (["buyers.count=1e3"], "buyers.count=1e3 is not an integer; allowed 1 to 10,000,000"),
    (["buyers.tender_term_months=12.5"],
     "buyers.tender_term_months=12.5 is not an integer; allowed 1 to 120 (months)"),
    (["buyers.segment_shares=[0.25,x,0.25,0.25]"],
     "buyers.segment_shares[1]=x is not a number; allowed 0 to 1 (share)"),
    (["seed=1e26"], "seed=1e26 is not an integer; allowed 0 to 9,223,372,036,854,775,807"),
    (["giants.names=[[a],b]"], "giants.names[0]=['a'] must be a name on one line (text,"),
    (["startups.domains=[general,{a:1}]"], "startups.domains[1]={'a': 1} must be a name on one"),
    (["-m", "seed=1,2", "hydra.sweep.subdir=job_${hydra.job.num}"],
     "hydra.sweep.subdir=job_${hydra.job.num}: not settable; baimo names each sweep job's"),
    (["-m", "seed=1,2", "hydra.sweep={dir:x,subdir:zzz}"],
     "hydra.sweep.subdir=zzz: not settable; baimo names each sweep job's"),
    (["+experiment=calibrate", "hydra.sweeper={storage:'sqlite:///x.db'}"],
     "hydra.sweeper.storage is not settable; baimo keeps a calibration's Optuna study"),
    (["~hype.shocks.0"], "~hype.shocks.0: an item of a list cannot be deleted; give the list "
                         "without it (hype.shocks=[...])"),
    (["-m", "seed=1,2", "~buyers.digitization.3"], "~buyers.digitization.3: an item of a list"),
    (["~funds.term_years"], "~funds.term_years: a setting cannot be deleted (the model reads "
                            "every one); give it a value instead: funds.term_years=VALUE"),
    (["funds=glob(*)"], "funds=glob(*): baimo sweeps take lists (key=a,b) and ranges"),
    (["-m", "seed=range(0,5,0)"], "seed=range(0,5,0): a range's step must not be 0"),
    (["-m", "seed=range(5,1)"], "seed=range(5,1): the range holds no value"),
    (["-m", "data.spillover=range(0.5,0.5,0.1)"], "the range holds no value"),
    # sweep command lines a sweep would not run as written (the second probe, 2026-12-07)
    (["-m", "data.spillover=0,choice(0.5,1)"],   # a traceback: "Unexpected type annotation"
     "data.spillover=0,choice(0.5,1): a sweep inside a sweep; list the values (key=a,b,c) "
     "or give one range (key=range(start,stop,step))"),
    (["-m", "++hydra.sweeper.params={data.spillover:'0,1'}"],   # a traceback: AttributeError
     "++hydra.sweeper.params={data.spillover:'0,1'}: on the command line a sweep is written "
     "key=a,b (or key=range(...)); hydra.sweeper.params is for experiment files"),
    (["+experiment=hype_bust", "+experiment=investor_patience"],   # Hydra: "To override a
     # value use 'override experiment: investor_patience'", a defaults list's words
     "experiment is chosen twice on the command line; choose it once (+experiment=NAME); "
     "both, merged: +experiment=[a,b]; or sweep over them: -m +experiment=a,b"),
    (["-m", "data.spillover=0,1", "data.spillover=0.5"],   # one job, unremarked
     "data.spillover is swept and given again (data.spillover=0,1 and data.spillover=0.5); "
     "the last would be taken alone: give it once"),
    # Hydra's grammar: its tokens, its web page, and (a value missing) no override named
    (["-m", "seed=1,2", "data.spillover=0,"],
     "data.spillover=0,: Hydra cannot read this (mismatched input '<EOF>' expecting"),
    (["-m", "seed=range(a,b)"], "seed=range(a,b): Hydra cannot read this (TypeError while "
                                "evaluating 'range(a,b)'"),
    (["giants.names=[百度]"], "giants.names=[百度]: Hydra cannot read this (a character it "
                             "does not take); a value is written key=value, a sweep key=a,b or "
                             "key=range(start,stop), and text holding commas or spaces in "
                             "quotes; Hydra reads text that is not ASCII only in quotes"),
    # an item of a list the sweep gives whole: replaced in every job, its name still shown
    (["+experiment=buyer_digitization", "buyers.digitization.0=0.1", "plan=true"],
     "buyers.digitization.0=0.1: the sweep gives buyers.digitization whole in each job, "
     "which replaces this item; write the item's value into each of the swept lists "
     "(buyers.digitization=[...],[...])"),
    (["-m", "hype.shocks.0.size=1,3", "hype.shocks=[{month:0.5,size:1.2,label:a}],"
      "[{month:1,size:2,label:b}]", "plan=true"],
     "hype.shocks.0.size=1,3: the sweep gives hype.shocks whole in each job"),
    # replication=3 for replications=3: it said "allowed 0 to 0 (replications=1)" alone
    (["replication=3"], "replication=3 is out of range; allowed 0 to 0 (replications=1); "
                        "replication picks one of the replications, replications=N sets how many"),
    (["-m", "replication=3", "seed=1,2"], "replication=3 is out of range; allowed 0 to 0 "
     "(replications=1); replication picks one of the replications, replications=N sets how many"),
    (["-m", "replication=0,1", "replications=3"],   # "2 jobs = 1 setting x 3 replications"
     "replication: the sweep sets it for each job (0 to replications - 1); give "
     "replications=N"),
    (["-m", "design.samples=20", "++design.ranges={funds.term_years:[3,10]}"],   # one job
     "design.ranges (funds.term_years) draw a design's points, and design.kind=grid draws "
     "none: choose a design (design.kind=lhs, sobol or morris), or sweep the keys' values"),
    (["-m", "funds.term_years=interval(1,3)"],
     "funds.term_years=interval(1,3): an interval has no values to list"),
    # allowed values once, but a degenerate market: every startup in distress from its
    # founding, stakes and companies sold for nothing, fleets worn out within the month
    (["startups.max_failed_rounds=0"],
     "startups.max_failed_rounds=0 is out of range; allowed 1 to 20 (rounds)"),
    (["funds.secondary_discount=1"], "funds.secondary_discount=1 is out of range; allowed 0 "
     "to 0.95 (share)"),
    (["funding.distressed_discount=1"], "allowed 0 to 0.95"),
    (["compute.depreciation_months=1"], "compute.depreciation_months=1 is out of range; "
     "allowed 12 to 240 (months)"),
    # a list's item the list does not have: OmegaConf's "dict is not a subclass of
    # ExportControl" and "list index out of range"
    (["compute.export_controls.1.supply_cut=0.5"],
     "compute.export_controls.1.supply_cut=0.5: compute.export_controls has no item 1 (items "
     "count from 0); an override changes an item the list has, and adds none: give the "
     "whole list, compute.export_controls=[...]"),
    (["giants.names[10]=X"], "giants.names has no item 10"),
    # a key an item does not have: Hydra said to append with +hype.shocks, refused again
    (["hype.shocks=[{month:5,sze:0.5,label:x}]"],
     "hype.shocks: an item has no key 'sze' (did you mean size?); an item's keys: month, "
     "size, label"),
    # an item of the wrong type, an item's key of the wrong type or null, an item without
    # a key: OmegaConf said "int is not a subclass of HypeShock", "month=x is not a number"
    # (no list named), "Incompatible value 'None'", "missing mandatory value"
    (["hype.shocks=[5]"], "hype.shocks[0]=5: each item of hype.shocks is a group of "
                          "settings, {month: ..., size: ..., label: ...}"),
    (["hype.shocks=[null]"], "hype.shocks[0]=null: each item of hype.shocks is a group"),
    (["giants.names=[null]"], "giants.names[0]=null: the items of giants.names are text"),
    (["buyers.segment_shares=[null,0.5]"],
     "buyers.segment_shares[0]=null: the items of buyers.segment_shares are numbers; allowed "
     "0 to 1 (share)"),
    (["compute.export_controls=[{month:5,supply_cut:z,label:a}]"],
     "compute.export_controls: an item's supply_cut=z is not a number; allowed 0 to 1 (share "
     "of imported supply removed)"),
    (["hype.shocks=[{month:5,size:1,label:null}]"],
     "hype.shocks: an item's label=null: this key needs a value (text)"),
    (["hype.shocks=[{month:5}]"], "hype.shocks[0].size is missing: each item of hype.shocks "
                                  "gives every key, {month: ..., size: ..., label: ...}"),
    (["funds.term_years=???"], "funds.term_years is missing: give it a value; allowed 1 to 30 "
                               "(years)"),
    # a list where a map goes: it said "design.ranges takes a list, written in brackets"
    (["-m", "+experiment=sensitivity_screening", "design.ranges=[1,2]"],
     "design.ranges=[1,2]: design.ranges takes a map of keys to values, written in braces: "
     "design.ranges={...}"),
    # cross-field rules of the settings named 2026-12-07
    (["buyers.domain_shares=[0.5,0.5]"], "buyers.domain_shares has 2 entries; needs one per "
                                         "domain of startups.domains (7)"),
    (["giants.pricing_share_floor=0.2"], "giants.pricing_share_floor=0.2 must not exceed "
                                         "giants.share_target=0.1"),
    # a setting's last word alone
    (["compute.export_controls.0.cut=0.5"],
     "compute.export_controls.0.cut: no such setting (did you mean "
     "compute.export_controls.0.supply_cut?)"),
    # the second value's jobs would rerun the first's under another directory name
    (["-m", "funds.size_mcny=1000,1000.0"],
     "funds.size_mcny: the sweep lists 1000 and 1000.0, the same value; each value once"),
    (["-m", "funds.term_years=5,5"], "funds.term_years: the sweep lists 5 twice"),
    (["seed=[1,2]"], "seed"),
    (["funds.term_years={a:1}"], "funds.term_years"),
    (["start_date=2022-13"], "start_date"),
    (["hype.shocks=3"], "hype.shocks"),
    # unknown keys and groups
    (["funds.nonsense=1"], "funds.nonsense"),
    (["+funds.nonsense=1"], "nonsense"),
    (["nonsense=1"], "nonsense"),
    (["giants=nothere"], "giants=nothere: no such option; choose one of: default"),
    (["+experiment=nothere"], "nothere"),
    # out of range
    (["funds.term_years=0"], "funds.term_years"),
    (["funds.term_years=31"], "funds.term_years"),
    (["seed=-1"], "seed"),
    (["buyers.count=0"], "buyers.count"),
    (["horizon_months=0"], "horizon_months"),
    (["data.spillover=1.5"], "data.spillover"),
    (["funds.term_years=nan"], "funds.term_years"),
    (["buyers.churn_base=inf"], "buyers.churn_base"),
    (["compute.electricity_cny_per_kwh=-0.63"], "compute.electricity_cny_per_kwh"),
    (["replications=0"], "replications"),
    (["giants.share_target=0"], "giants.share_target"),   # the giants' price divides by it
    # a value just past a bound, shown with six digits, read as the bound itself
    (["giants.target_markup=10.000001"], "giants.target_markup=10.000001 is out of range; "
                                         "allowed 0 to 10"),
    (["capability.reference_compute_gpu_months=1000000.1"],
     "capability.reference_compute_gpu_months=1000000.1 is out of range; allowed 0.01 to "
     "1,000,000"),
    # the schema's range of a dated event is any horizon's; the run's own horizon bounds it too
    (["horizon_months=24", "hype.shocks=[{month:-0.5,size:1,label:X}]"],
     "hype.shocks[0].month=-0.5 is out of range; allowed 0 to 599 (months since start_date, "
     "below horizon_months)"),
    (["open_source.frontier_capability=[30]"], "open_source.release_months has 12 entries and "
                                               "open_source.frontier_capability 1; needs one"),
    # no fund ever led a round, so none closed
    (["funding.lead_share=0"], "funding.lead_share=0 is out of range; allowed 0.001 to 1 "
                               "(share of round): a round needs a lead's ticket"),
    (["buyers.budget_mcny_per_month=[1.5,2,0.3,0]"],     # utility is in units of budget
     "buyers.budget_mcny_per_month[3]"),
    # cross-field contradictions
    (["funds.term_years=3", "funds.term_spread_years=0.5", "funds.investment_period_years=4"],
     "investment_period_years"),
    # no fund ever invested (it needs 1.5 years of its term left), yet the LPs paid fees
    (["funds.term_years=1", "funds.term_spread_years=0", "funds.investment_period_years=0.25"],
     "funds.min_remaining_years=1.5 leaves a fund of the shortest term no time to invest "
     "(funds.term_years=1 less funds.term_spread_years=0: 1 years); allowed below 0.9875 years"),
    # a round held only its lead's half, short of the 60% it needs: none closed
    (["funding.follower_ticket_share=0"],
     "funding.follower_ticket_share=0 leaves a round only its lead's ticket"),
    (["buyers.segment_shares=[0.5,0.5,0.5,0.5]"], "buyers.segment_shares"),
    (["buyers.segment_shares=[0.5,0.5]"], "buyers.segment_shares"),
    (["giants.names=[Baidu,Alibaba]"], "giants."),   # more giants (lists) than names
    (["hype.shocks=[{month:500,size:1,label:x}]"], "hype.shocks[0].month"),
    (["compute.export_controls=[{month:200,supply_cut:0.5,label:x}]"],
     "compute.export_controls[0].month"),
    (["replications=2", "replication=5"], "replication"),
    (["-m", "seed=1,2", "job_timeout_s=0"],
     "job_timeout_s=0 is out of range; allowed more than 0 up to 100,000,000 seconds (about "
     "three years), or null for no limit"),
    (["-m", "seed=1,2", "job_timeout_s=nan"], "job_timeout_s=nan is out of range"),
    (["-m", "seed=1,2", "hydra.launcher.n_jobs=0"],   # ran on one worker, silently
     "hydra.launcher.n_jobs=0 means nothing (as in joblib): give the number of workers"),
    # null for a key that needs a value: "Error merging override ... is not Optional"
    (["horizon_months=null"], "horizon_months=null: this key needs a value; allowed 1 to 600 "
                              "(months)"),
    (["-m", "seed=1,2", "design.kind=null"], "design.kind=null: this key needs a value"),
    # run control swept: the jobs were the same run over and over (the limit not applied)
    (["-m", "job_timeout_s=0.001,100"],
     "job_timeout_s: a run-control key takes one value, not a list"),
    (["-m", "design.kind=lhs,random", "seed=1"], "design.kind: a run-control key takes one"),
    (["-m", "seed=1,2", "replications=1,2"], "replications: a run-control key takes one value"),
    # the system's alarm timer overflowed inside every job (OverflowError)
    (["-m", "seed=1,2", "job_timeout_s=1e10"], "job_timeout_s=10000000000 is out of range"),
    (["-m", "seed=1,2", "job_timeout_s=100000001"],   # said 1e+08: the limit itself
     "job_timeout_s=100000001 is out of range"),
    (["-m", "seed=1,2", "job_timeout_s=abc"], "job_timeout_s=abc is not a number"),
    # true-or-false keys take true or false (OmegaConf reads any integer as a truth value)
    (["compute.made_to_order=99999999999"], "compute.made_to_order=99999999999: allowed true"),
    (["-m", "seed=1,2", "compute.made_to_order=true,0"], "compute.made_to_order=0: allowed"),
    (["-m", "job_plots=1", "seed=1,2"], "job_plots=1: allowed true or false"),
    (["funds.max_founded=10"], "funds.initial_count=60 must not exceed funds.max_founded=10"),
    # text that is not ASCII must be quoted in Hydra's grammar: the line says so
    (["giants.names=[百度,阿里巴巴]"], "only in quotes"),
    (["-m", "seed=1,2", "sweep_dir=~/sweeps/mine"], "reads a ~ only in quotes"),
    # the command line itself: argparse's usage block and error become one line
    (["horizon_months=3", "-m", "seed=1,2"],
     "seed=1,2: an override after an option; options go first: baimo -m horizon_months=3"),
    (["--frobnicate", "seed=1"], "unrecognized arguments: --frobnicate (see baimo --help)"),
    (["--cfg", "everything"], "argument --cfg/-c: invalid choice: 'everything'"),
    # what stops Hydra's own app (Hydra printed it, bare or with a traceback, exit 1)
    (["--config-name", "nope"], "Cannot find primary config 'nope'"),
    (["--config-dir", "/no/such/dir"], "Additional config directory '/no/such/dir' not found"),
    (["--config-path", "conf/config.yaml"],   # Hydra: a ValueError's traceback
     "--config-path conf/config.yaml: a directory of configs, not a config file"),
    # Hydra reads a relative one inside the sim package: "Primary config module 'sim.myconf'"
    (["--config-path", "myconf", "--config-name", "mine"],
     "--config-path myconf: a relative --config-path is read from inside baimo's package"),
    (["--config-path=pkg://nowhere", "--config-name", "mine"], "Primary config module"),
    (["--cfg", "job", "nonsense=1"], "nonsense: no such setting; docs/MODEL.md section 10"),
    # an unknown setting: Hydra said "To append to your config use +funds.term=5", which the
    # schema refuses in turn; the line offers the settings meant, a typo's or a cut name's
    (["funds.term=5"], "funds.term: no such setting (did you mean funds.term_years or "
                       "funds.term_spread_years?); docs/MODEL.md section 10 lists every setting"),
    (["fund.term_years=5"], "fund.term_years: no such setting (did you mean funds.term_years?)"),
    (["-m", "buyer.count=10,20"], "buyer.count: no such setting (did you mean buyers.count?)"),
    (["hype.shocks.0.siz=1"], "hype.shocks.0.siz: no such setting (did you mean "
                              "hype.shocks.0.size?)"),
    (["+funds.term=5"], "funds.term: no such setting (did you mean funds.term_years"),
    (["hydra.jobs.chdir=true"], "hydra.jobs.chdir: no such setting (did you mean "
                                "hydra.job.chdir?); Hydra's documentation lists its settings"),
    # a plugin's node is untyped: Hydra's own line, not a guess
    (["-m", "seed=1,2", "hydra.launcher.n_jobz=2"], "Could not override 'hydra.launcher.n_jobz'"),
    (["horizon_months.x.y=1"], "horizon_months"),
    # an unknown option of a group: Hydra's line went on to list its config search path
    (["+experiment=hype_bus"], "experiment=hype_bus: no such option (did you mean "
                               "hype_bust?); choose one of: buyer_digitization, calibrate, "),
    (["-m", "hydra/launcher=jobil", "seed=1,2"], "hydra/launcher=jobil: no such option (did "
                                                 "you mean joblib?); choose one of: basic, "),
    (["--cfg", "job", "--package", "nope"], "--package nope: nothing there in the job config"),
    # the config named (Hydra's bare line, exit 1, whatever the spelling)
    (["--config-name", "config", "--cfg", "job", "--package", "nope"], "--package nope: nothing"),
    (["--config-name=config", "--cfg", "job", "--package", "nope"], "--package nope: nothing"),
    (["-cn", "config", "--cfg", "job", "--package", "nope"], "--package nope: nothing"),
    (["--config-path", str(CONF_DIR), "--cfg", "job", "-p", "nope"], "--package nope: nothing"),
    (["--config-dir", str(CONF_DIR), "--cfg", "all", "-p", "nope"], "--package nope: nothing"),
    (["--shell-completion"], "--shell-completion: give one of install=SHELL, uninstall=SHELL, "
                             "query=SHELL (SHELL: bash, fish, zsh)"),
    (["-sc", "query=foo"], "--shell-completion query=foo: no completion for that shell"),
    (["-sc", "install=bash", "uninstall=bash"], "--shell-completion: give one of"),
    (["-m", "--cfg", "job"], "--multirun and --cfg: give only one of --run, --multirun"),
    (["--resolve"], "--resolve goes with --cfg (or --help)"),
    # flags Hydra ignored, running what was not asked for: a whole run, a sweep
    (["-p", "buyers"], "--package buyers goes with --cfg: baimo --cfg job --package buyers"),
    (["--package", "funds", "seed=3"], "--package funds goes with --cfg"),
    (["--run", "-m", "seed=1,2"], "--run and --multirun: give only one of"),
    (["--resolve", "-m", "seed=1,2"], "--resolve goes with --cfg"),
    # baimo's own subcommands
    (["list", "extra"], "list takes no arguments, not extra: baimo list"),
    (["aggregate", "--frobnicate", "x"],
     "aggregate: unrecognized arguments: --frobnicate (see baimo aggregate --help)"),
    # valid values that drive the market past a safety limit (RunawayError)
    (["hype.initial=20", "startups.max_founded=1000"], "startups.max_founded=1000 passed"),
    (["funding.max_positions=100"], "funding.max_positions=100 passed"),   # the baseline's ~900
    (["max_events=5000"], "max_events=5000 passed in month"),   # the baseline's ~30,000
    (["max_events=5000", "buyers.count=20000"], "of them tender (buyers.count=20,000"),
    # a GPU price compounding with no supply and no reversion overflowed in 600 months, and
    # the run failed with a traceback on a purchase of NaN million CNY
    (["horizon_months=600", "compute.price_adjust_speed=2", "compute.price_reversion=0",
      "compute.imported_supply_per_month=0", "compute.domestic_supply_per_month=0"],
     "max_price_multiple=1000000 passed in month 7: the GPU price"),
    (["horizon_months=24", "giants.share_price_elasticity=5", "giants.share_target=0.001",
      "giants.pricing_share_floor=0.001"], "the giants' mean API price"),
]


def run_command(module: str, argv: list[str], capsys: pytest.CaptureFixture[str],
                monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    """Run a console script's main() in-process; return (exit code, stderr)."""
    monkeypatch.setattr(sys, "argv", [module, *argv])
    main = importlib.import_module(module).main
    code = 0
    try:
        main()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    return code, capsys.readouterr().err


def assert_one_line(err: str, fragment: str) -> None:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one line, got:\n{err}"
    assert "Traceback" not in err
    assert fragment in lines[0], lines[0]


def no_complete_run(root: Path) -> bool:
    return not list(root.rglob(COMPLETE))


@pytest.mark.parametrize(("overrides", "fragment"), MODEL_INPUTS,
                         ids=[" ".join(o) for o, _ in MODEL_INPUTS])
def test_bad_model_input_is_one_line_exit_2(overrides: list[str], fragment: str, output_root: Path,
                                            capsys: pytest.CaptureFixture[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    code, err = run_command("sim.cli", overrides, capsys, monkeypatch)
    assert code == 2
    assert_one_line(err, fragment)
    assert no_complete_run(output_root)


def test_a_package_of_a_config_named_on_the_command_line_is_shown(
        tmp_path: Path, output_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``--package`` is checked in the config the command names (a user's own, in a
    ``--config-dir``), and what is there is shown as before."""
    own = tmp_path / "own"
    own.mkdir()
    (own / "mine.yaml").write_text("mine:\n  term: 3\n")
    code, out, err = baimo(["--config-dir", str(own), "-cn", "mine", "--cfg", "job",
                            "--package", "mine.term"], capsys)
    assert (code, out, err) == (0, "3\n", "")
    code, out, err = baimo(["-cn", "config", "--cfg", "job", "-p", "funds.term_years"], capsys)
    assert code == 0 and not err and float(out) > 0   # the default term, in years
    code, _, err = baimo(["--config-dir", str(own), "-cn", "mine", "--cfg", "job",
                          "--package", "funds"], capsys)
    assert code == 2
    assert_one_line(err, "--package funds: nothing there in the job config")


def test_a_refused_run_leaves_no_run_directory(output_root: Path, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Hydra makes the run's directory before the values are checked: a refused run took
    it away with it, one empty run under outputs/runs/ per mistyped value. A directory of
    the user's own choosing (hydra.run.dir) is left alone."""
    bad = ["giants.names=[A,B,C]"]   # more giants' figures than names: found by the run
    code, err = run_command("sim.cli", bad, capsys, monkeypatch)
    assert code == 2
    assert_one_line(err, "needs one per giant")
    assert not list((output_root / "runs").glob("*"))
    own = tmp_path / "mine"
    code, _ = run_command("sim.cli", [*bad, f"hydra.run.dir={own}"], capsys, monkeypatch)
    assert code == 2 and (own / ".hydra").is_dir()


def test_a_run_never_writes_into_a_finished_run_or_a_directory_of_other_files(
        run_dir: Path, tmp_path: Path, output_root: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """hydra.run.dir at a finished run: a refused run rewrote its .hydra record and a killed
    one its tables, under the old COMPLETE marker; hydra.run.dir= (empty) wrote the run
    into the working directory, and hydra.run.dir=/ into /. Each is now refused in one
    line before Hydra writes anything; an unfinished run (Hydra's record, no marker) is
    still redone."""
    import shutil

    finished = tmp_path / "finished"
    shutil.copytree(run_dir, finished)
    (finished / ".hydra").mkdir()
    before = {p.relative_to(finished): p.read_bytes() for p in finished.rglob("*") if p.is_file()}
    others = tmp_path / "others"
    others.mkdir()
    (others / "thesis.tex").write_text("mine")
    small = ["horizon_months=12", "buyers.count=200"]
    cases = {f"hydra.run.dir={finished}": f"hydra.run.dir={finished} holds a finished run",
             "hydra.run.dir=": "hydra.run.dir is empty",
             f"hydra.run.dir={others}": f"hydra.run.dir={others} holds files that are no "
                                        "baimo run's"}
    for override, fragment in cases.items():
        code, err = run_command("sim.cli", [*small, override], capsys, monkeypatch)
        assert code == 2
        assert_one_line(err, fragment)
    after = {p.relative_to(finished): p.read_bytes() for p in finished.rglob("*") if p.is_file()}
    assert after == before
    assert [p.name for p in others.iterdir()] == ["thesis.tex"]
    unfinished = tmp_path / "unfinished"
    (unfinished / ".hydra").mkdir(parents=True)
    code, _ = run_command("sim.cli", [*small, f"hydra.run.dir={unfinished}"], capsys,
                          monkeypatch)
    assert code == 0 and (unfinished / COMPLETE).is_file()


def test_a_scenario_may_not_rename_a_sweep_s_job_directories(
        output_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A scenario setting hydra.sweep.subdir was accepted and changed nothing (baimo names
    the jobs' directories itself); it is refused as the command line's is. The check
    holds conf/'s own value to the sweep's naming."""
    from omegaconf import OmegaConf

    from sim.sweep.spec import JOB_SUBDIR

    conf = OmegaConf.load(CONF_DIR / "config.yaml")
    assert OmegaConf.to_container(conf.hydra.sweep, resolve=False)["subdir"] == JOB_SUBDIR
    scenarios = output_root / "scenarios" / "experiment"
    scenarios.mkdir(parents=True)
    (scenarios / "renamer.yaml").write_text(
        "# @package _global_\nhydra:\n  sweep:\n    subdir: job_${hydra.job.num}\n",
        encoding="utf-8")
    code, out, err = baimo(["-m", "+experiment=renamer", "seed=1,2", "horizon_months=12",
                            "buyers.count=200"], capsys)
    assert code == 2 and err.count("\n") == 1
    assert "hydra.sweep.subdir=job_${hydra.job.num}: not settable" in err


def test_an_unfinished_run_is_not_redone_through_symbolic_links(
        output_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An unfinished run's directory whose plots/ and cli.log were links was redone through
    them: the plots landed wherever plots/ pointed, the log was appended to another file."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    victim = tmp_path / "victim.log"
    victim.write_text("mine", encoding="utf-8")
    unfinished = tmp_path / "unfinished"
    (unfinished / ".hydra").mkdir(parents=True)
    (unfinished / "plots").symlink_to(elsewhere)
    (unfinished / "cli.log").symlink_to(victim)
    code, out, err = baimo(["horizon_months=12", "buyers.count=200",
                            f"hydra.run.dir={unfinished}"], capsys)
    assert code == 2 and err.count("\n") == 1 and "is a symbolic link" in err
    assert not list(elsewhere.iterdir()) and victim.read_text(encoding="utf-8") == "mine"


def test_a_run_logs_what_it_did_to_its_cli_log(output_root: Path,
                                              capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The README calls cli.log "the run's log", and it was always empty, a run stopped at
    a safety limit's too: it now says the seed, horizon and config hash, how long the run
    took and that it was written, or why it stopped. The terminal keeps the headline."""
    code, _ = run_command("sim.cli", ["horizon_months=6", "buyers.count=100",
                                      "compute.export_controls=[]"], capsys, monkeypatch)
    assert code == 0
    (run,) = (output_root / "runs").iterdir()
    text = (run / "cli.log").read_text()
    summary = json.loads((run / "summary.json").read_text())
    assert f"seed 42, 6 months from 2022-12, config hash {summary['config_hash']}" in text
    assert "simulated in" in text and "marked complete" in text
    stopped = ["max_events=1000"]
    code, err = run_command("sim.cli", stopped, capsys, monkeypatch)
    assert code == 2 and "[INFO]" not in err
    (run,) = [r for r in (output_root / "runs").iterdir() if not (r / "COMPLETE").exists()]
    text = (run / "cli.log").read_text()
    assert "[ERROR] - stopped after" in text and "max_events=1000 passed in month" in text


def test_unwritable_output_root_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a_file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("BAIMO_OUTPUT_ROOT", str(blocker / "outputs"))
    code, err = run_command("sim.cli", ["horizon_months=6", "buyers.count=100"], capsys,
                            monkeypatch)
    assert code == 2
    assert_one_line(err, "BAIMO_OUTPUT_ROOT")
    # a root Hydra would take for an interpolation (its logging config resolves it again)
    monkeypatch.setenv("BAIMO_OUTPUT_ROOT", str(tmp_path / "runs_${now:%Y}"))
    code, err = run_command("sim.cli", ["horizon_months=6", "buyers.count=100"], capsys,
                            monkeypatch)
    assert code == 2
    assert_one_line(err, "is read as a config interpolation")
    # a name too long to look up: the system's error, without the variable's name
    monkeypatch.setenv("BAIMO_OUTPUT_ROOT", str(tmp_path / ("x" * 300)))
    code, err = run_command("sim.cli", ["horizon_months=6", "buyers.count=100"], capsys,
                            monkeypatch)
    assert code == 2
    assert_one_line(err, "(BAIMO_OUTPUT_ROOT or ./outputs): File name too long")


@pytest.mark.parametrize("argv", [[], ["horizon_months=6", "buyers.count=100"]],
                         ids=["baseline", "overrides"])
def test_a_file_where_the_runs_directory_goes_is_one_line(
        argv: list[str], output_root: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The root passes the up-front check (a writable directory), then Hydra cannot make the
    run's directory under it: Hydra printed NotADirectoryError's traceback, exit 1."""
    output_root.mkdir()
    (output_root / "runs").write_text("not a directory")
    code, err = run_command("sim.cli", argv, capsys, monkeypatch)
    assert code == 2
    assert_one_line(err, f"cannot make the run directory: {output_root / 'runs'} is a file, "
                         "not a directory; set BAIMO_OUTPUT_ROOT")


def test_a_reader_gone_from_a_single_run_is_not_taken_for_a_bad_run_directory(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The app's OSErrors are Hydra's writes of the run directory, but for one: the headline
    printed into a pipe whose reader is gone (``baimo | head``), which console_command ends
    quietly."""
    import sim.cli

    def reader_gone() -> None:
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(sim.cli, "app", reader_gone)
    with pytest.raises(BrokenPipeError):
        sim.cli.run_app()


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="no /proc file system")
def test_a_root_under_proc_is_one_line(capsys: pytest.CaptureFixture[str],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """/proc takes no new directory, even from root, whom the up-front check lets write
    anywhere: then Hydra's mkdir failed with a traceback."""
    monkeypatch.setenv("BAIMO_OUTPUT_ROOT", "/proc/baimo_outputs")
    code, err = run_command("sim.cli", ["horizon_months=6", "buyers.count=100"], capsys,
                            monkeypatch)
    assert code == 2
    assert_one_line(err, "/proc")


#: A root in the home directory of a user no system has: pathlib cannot expand it.
NO_HOME = "~baimo_no_such_user/outputs"


@pytest.mark.parametrize(("module", "argv"), [
    ("sim.cli", ["horizon_months=6"]),
    ("sim.cli", []),
    ("sim.cli", ["-m", "seed=1,2"]),
    ("sim.cli", ["--cfg", "job"]),
    ("sim.cli", ["list"]),
    ("sim.teach", ["patient_capital"]),
    ("sim.validate", ["--replications", "1"]),
    ("sim.compare", ["{run}", "{copy}"]),
    ("sim.compare", ["{run}", "{copy}", "--reference", "defaults"]),
    ("sim.report", ["{run}"]),
], ids=["run", "baseline", "sweep", "cfg", "list", "teach", "validate", "compare",
        "compare-reference-defaults", "report"])
def test_a_root_in_an_unknown_users_home_is_one_line(
        module: str, argv: list[str], run_dir: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """pathlib's expanduser raised RuntimeError (Could not determine home directory) in every
    command that writes; baimo-validate's handler then an IndexError."""
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(run_dir, copy)
    monkeypatch.setenv("BAIMO_OUTPUT_ROOT", NO_HOME)
    argv = [a.format(run=run_dir, copy=copy) for a in argv]
    code, err = run_command(module, argv, capsys, monkeypatch)
    assert code == 2
    assert_one_line(err, f"cannot write outputs to {NO_HOME} (BAIMO_OUTPUT_ROOT or ./outputs): "
                         "no home directory is known for ~baimo_no_such_user")


def test_a_shell_completion_query_outside_the_completion_is_one_line(
        output_root: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Hydra read COMP_LINE, which only the installed completion sets: a KeyError."""
    monkeypatch.delenv("COMP_LINE", raising=False)
    code, err = run_command("sim.cli", ["-sc", "query=bash"], capsys, monkeypatch)
    assert code == 2
    assert_one_line(err, "query=bash is what the installed completion runs (it sets COMP_LINE)")
    monkeypatch.setenv("COMP_LINE", "baimo fund")   # as the completion runs it
    code, _ = run_command("sim.cli", ["-sc", "query=bash"], capsys, monkeypatch)
    assert code == 0


def test_aggregate_given_a_file_says_it_is_not_a_directory(
        tmp_path: Path, output_root: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """It said "no such directory" of a file that exists."""
    a_file = tmp_path / "sweep.json"
    a_file.write_text("{}")
    code, err = run_command("sim.cli", ["aggregate", str(a_file)], capsys, monkeypatch)
    assert code == 2
    assert_one_line(err, f"{a_file}: not a directory (give a sweep directory")


@pytest.mark.parametrize("argv", [["aggregate", "--help"], ["aggregate", "-h"],
                                  ["list", "--help"], ["list", "-h"]], ids=" ".join)
def test_baimos_subcommands_show_their_help(argv: list[str], output_root: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    """``baimo aggregate --help`` was refused as an unknown option, ``-h`` taken for a
    directory; ``baimo list --help`` listed the experiments."""
    code, out, err = baimo(argv, capsys)
    assert code == 0 and not err
    assert out.startswith(f"usage: baimo {argv[0]}")


class _Planted:
    """A pickle that makes a directory when it is loaded: the proof that it was."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self) -> tuple[Callable[[str], None], tuple[str]]:
        return os.mkdir, (str(self.path),)


@pytest.fixture
def planted(tmp_path: Path) -> tuple[Path, Path]:
    """(a pickle file, the directory loading it would make); the pickle is live: loading one
    like it makes its directory."""
    live = tmp_path / "live"
    pickle.loads(pickle.dumps(_Planted(live)))
    assert live.is_dir()
    proof = tmp_path / "unpickled"
    path = tmp_path / "config.pickle"
    path.write_bytes(pickle.dumps(_Planted(proof)))
    return path, proof


@pytest.mark.parametrize(("module", "argv"), [
    ("sim.cli", ["--experimental-rerun", "{pickle}"]),
    ("sim.cli", ["--experimental-rerun={pickle}", "seed=1"]),
    ("sim.cli", ["--experimental-r", "{pickle}"]),             # argparse takes abbreviations
    ("sim.cli", ["-m", "--experimental-rerun", "{pickle}", "seed=1,2"]),
    ("sim.cli", ["--cfg", "job", "--experimental-rerun", "{pickle}"]),
    ("sim.teach", ["--experimental-rerun", "{pickle}"]),
    ("sim.teach", ["patient_capital", "--experimental-rerun", "{pickle}"]),
    ("sim.validate", ["--experimental-rerun", "{pickle}"]),
], ids=["run", "run=FILE", "abbreviated", "sweep", "cfg", "teach", "teach NAME", "validate"])
def test_hydras_rerun_flag_never_unpickles_its_file(module: str, argv: list[str],
                                                    planted: tuple[Path, Path],
                                                    output_root: Path,
                                                    capsys: pytest.CaptureFixture[str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Hydra's ``--experimental-rerun FILE`` unpickles FILE, which runs whatever code it
    holds: every command refuses it in one line, the file unread."""
    path, proof = planted
    code, err = run_command(module, [a.format(pickle=path) for a in argv], capsys, monkeypatch)
    assert code == 2
    assert_one_line(err, "experimental-r")
    assert not proof.exists()


def test_baimos_console_script_never_unpickles_a_rerun_file(planted: tuple[Path, Path],
                                                            output_root: Path) -> None:
    """The same through a Python of its own, as a shell runs the command."""
    path, proof = planted
    env = {**os.environ, "PYTHONPATH": str(REPOSITORY), "BAIMO_OUTPUT_ROOT": str(output_root)}
    done = subprocess.run([sys.executable, "-m", "sim.cli", "--experimental-rerun", str(path)],
                          cwd=REPOSITORY, env=env, capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 2
    assert_one_line(done.stderr, "--experimental-rerun")
    assert not proof.exists()


# ---------------------------------------------------------------- readers of run directories
def _half_written(path: Path) -> Path:
    """A run directory whose writer was killed: some files, no COMPLETE marker."""
    path.mkdir(parents=True)
    (path / "summary.json").write_text("{}")
    return path


def _corrupted(path: Path) -> Path:
    """Every contract file present and COMPLETE written, but the tables are garbage."""
    path.mkdir(parents=True)
    for name in ("events.parquet", "metrics.parquet", "funds.parquet"):
        (path / name).write_bytes(b"PAR1 this is not parquet")
    (path / "summary.json").write_text("{not json")
    (path / "config.json").write_text("{}")
    (path / COMPLETE).write_text("")
    return path


def _empty(path: Path) -> Path:
    path.mkdir(parents=True)
    return path


BROKEN_DIRS = {
    "missing": lambda p: p,
    "empty": _empty,
    "half-written": _half_written,
    "corrupted": _corrupted,
}

READERS = {
    "sim.compare": lambda d: [str(d), str(d)],
    "sim.report": lambda d: [str(d)],
    "sim.explain": lambda d: [str(d)],
}


@pytest.mark.parametrize("state", list(BROKEN_DIRS))
@pytest.mark.parametrize("module", list(READERS))
def test_reader_on_a_broken_directory_is_one_line(module: str, state: str, tmp_path: Path,
                                                  output_root: Path,
                                                  capsys: pytest.CaptureFixture[str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    target = BROKEN_DIRS[state](tmp_path / "run")
    code, err = run_command(module, READERS[module](target), capsys, monkeypatch)
    assert code == 2
    assert_one_line(err, "run")
    written = list(output_root.rglob("*")) if output_root.exists() else []
    assert not [p for p in written if p.suffix in (".html", ".md", ".parquet")]


#: Every argument or option naming a file or directory, given an empty path as ``"$RUN"``
#: gives it with RUN unset: (module, command line, what the line must say).
EMPTY_PATHS: list[tuple[str, list[str], str]] = [
    ("sim.report", [""], "argument directory: an empty path (a shell variable not set?); "
                         "give a run directory, a directory of runs"),
    ("sim.explain", ["", "startup:1"], "argument directory: an empty path"),
    ("sim.compare", ["{run}", ""], "argument DIR: an empty path"),
    # a horizon too short to validate: without the check it stops there, not an hour later
    ("sim.validate", ["--out", "", "--horizon", "1"], "argument --out: an empty path"),
    ("sim.cli", ["aggregate", ""], "aggregate: argument DIR: an empty path"),
    ("sim.cli", ["--config-dir", "", "--cfg", "job"], "argument --config-dir: an empty path"),
    ("sim.cli", ["--config-path=", "seed=1"], "argument --config-path: an empty path"),
]


@pytest.mark.parametrize(("module", "argv", "fragment"), EMPTY_PATHS,
                         ids=[f"{m} {' '.join(a)}" for m, a, _ in EMPTY_PATHS])
def test_an_empty_path_is_one_line_not_the_working_directory(
        module: str, argv: list[str], fragment: str, run_dir: Path, tmp_path: Path,
        output_root: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """An empty path was read as the working directory: baimo-report wrote a report of the
    runs there, baimo-compare and baimo-explain complained about ``.``, baimo-validate
    would write into it, ``baimo --config-dir ''`` read its configs from it."""
    import shutil

    here = tmp_path / "here"
    shutil.copytree(run_dir, here / "run")   # the working directory holds a run
    monkeypatch.chdir(here)
    code, err = run_command(module, [a.format(run=run_dir) for a in argv], capsys, monkeypatch)
    assert code == 2
    assert_one_line(err, fragment)
    assert "give " in err
    assert not output_root.exists() or not any(p.is_file() for p in output_root.rglob("*"))


def test_unknown_teaching_pack_is_one_line(output_root: Path, capsys: pytest.CaptureFixture[str],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    code, err = run_command("sim.teach", ["no_such_pack"], capsys, monkeypatch)
    assert code == 2
    assert_one_line(err, "no_such_pack")
    assert no_complete_run(output_root)


@pytest.mark.parametrize("text", ["[]", '{"seed": "x"}'], ids=["array", "seed_text"])
@pytest.mark.parametrize("module", list(READERS))
def test_reader_on_a_summary_edited_into_nonsense_is_one_line(
        module: str, text: str, run_dir: Path, tmp_path: Path, output_root: Path,
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """A finished run whose summary.json was edited by hand: still JSON, no longer a baimo
    summary (report and explain stopped with an AttributeError, compare with a ValueError)."""
    import shutil

    edited = tmp_path / "edited"
    shutil.copytree(run_dir, edited)
    (edited / "summary.json").write_text(text, encoding="utf-8")
    argv = [str(edited), str(run_dir)] if module == "sim.compare" else [str(edited)]
    code, err = run_command(module, argv, capsys, monkeypatch)
    assert code == 2
    assert_one_line(err, "summary.json is not a baimo summary")


SWAPS = [("metrics.parquet", "events.parquet"), ("events.parquet", "metrics.parquet"),
         ("events.parquet", "funds.parquet")]


@pytest.mark.parametrize(("module", "copied", "over"), [
    (module, copied, over) for module in READERS for copied, over in SWAPS
    if not (module == "sim.compare" and over == "events.parquet")   # it reads no events
])
def test_reader_on_a_table_copied_over_another_is_one_line(
        module: str, copied: str, over: str, run_dir: Path, tmp_path: Path, output_root: Path,
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """A finished run with one valid Parquet table in another's place: the readers named
    no file and stopped with a KeyError."""
    import shutil

    edited = tmp_path / "edited"
    shutil.copytree(run_dir, edited)
    shutil.copyfile(run_dir / copied, edited / over)
    argv = [str(edited), str(run_dir)] if module == "sim.compare" else [str(edited)]
    code, err = run_command(module, argv, capsys, monkeypatch)
    assert code == 2
    assert_one_line(err, f"{over} lacks columns")


@pytest.mark.parametrize(("module", "table", "column"), [
    ("sim.report", "metrics.parquet", "hype_index"),
    ("sim.report", "events.parquet", "label"),
    ("sim.explain", "events.parquet", "valuation_mcny"),
])
def test_reader_on_a_run_an_earlier_baimo_wrote_is_one_line(
        module: str, table: str, column: str, run_dir: Path, tmp_path: Path, output_root: Path,
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """A finished run whose table lacks a column of today's contract (written before the
    column was added): the report and the firm story stopped with a KeyError on it."""
    import shutil

    import pandas as pd

    old = tmp_path / "old"
    shutil.copytree(run_dir, old)
    pd.read_parquet(run_dir / table).drop(columns=[column]).to_parquet(old / table)
    code, err = run_command(module, [str(old)], capsys, monkeypatch)
    assert code == 2
    assert_one_line(err, f"{table} lacks columns ['{column}'] (written by an earlier baimo")


@pytest.mark.parametrize("module", ["sim.explain", "sim.report"])
def test_a_run_with_its_down_round_flag_as_text_is_one_line(
        module: str, run_dir: Path, tmp_path: Path, output_root: Path,
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Until 2026-12 events.parquet held down_round as text ("True"/"False"): read as it is,
    every "False" is a true value, and every round would be told as a down round."""
    import shutil

    import pandas as pd

    old = tmp_path / "old"
    shutil.copytree(run_dir, old)
    events = pd.read_parquet(run_dir / "events.parquet")
    events["down_round"] = events["down_round"].astype("string")
    events.to_parquet(old / "events.parquet")
    code, err = run_command(module, [str(old)], capsys, monkeypatch)
    assert code == 2
    assert_one_line(err, "events.parquet holds ['down_round'] as string, not true or false "
                         "(written by an earlier baimo")


RUNAWAY = ["hype.initial=20", "startups.max_founded=1000"]


@pytest.mark.parametrize(("module", "argv"), [
    ("sim.teach", ["patient_capital", *RUNAWAY, "replications=1", "workers=1"]),
    ("sim.validate", [*RUNAWAY, "--replications", "1", "--jobs", "1", "--no-statics"]),
])
def test_a_runaway_market_is_one_line_in_every_command(module: str, argv: list[str],
                                                        output_root: Path,
                                                        capsys: pytest.CaptureFixture[str],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Allowed values that drive entry past startups.max_founded (RunawayError): baimo's own
    case is in MODEL_INPUTS; the lesson and the validation runs say it in one line too."""
    code, err = run_command(module, argv, capsys, monkeypatch)
    assert code == 2
    last = err.strip().splitlines()[-1]
    assert "Traceback" not in err
    assert "startups.max_founded=1000 passed in month 0" in last, err
    assert no_complete_run(output_root)


@pytest.mark.parametrize(("module", "argv"), [
    ("sim.cli", ["horizon_months=12", "buyers.count=200"]),
    ("sim.teach", ["patient_capital", "horizon_months=24", "buyers.count=200", "replications=1",
                   "workers=1"]),
    ("sim.validate", ["--replications", "1", "--jobs", "1", "--no-statics", "--horizon", "40",
                      "buyers.count=200"]),
])
def test_a_disk_that_refuses_a_write_is_one_line(module: str, argv: list[str], output_root: Path,
                                                 capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """A full disk (pyarrow's error, which names no file): one line naming the file it could
    not write, exit 2, nothing marked complete."""
    import pandas as pd

    def disk_full(*args: object, **kwargs: object) -> None:
        raise OSError("Error writing bytes to file. Detail: [errno 28] No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_parquet", disk_full)
    code, err = run_command(module, argv, capsys, monkeypatch)
    assert code == 2
    last = err.strip().splitlines()[-1]
    assert "Traceback" not in err
    assert ".parquet: Error writing bytes to file." in last and "No space left" in last, err
    assert no_complete_run(output_root)


def _commands_with(override: str) -> pytest.MarkDecorator:
    """Every command that takes config overrides (``+experiment=NAME``, a group's option),
    given ``override``, as (module, argv) parameters."""
    return pytest.mark.parametrize(("module", "argv"), [
        ("sim.cli", [override, "horizon_months=12"]),
        ("sim.cli", ["-m", override, "seed=1,2"]),
        ("sim.validate", ["--replications", "1", override]),
        ("sim.teach", ["patient_capital", override]),
    ], ids=["run", "sweep", "validate", "teach"])


#: baimo-teach's answer to any experiment override: a lesson runs its own, and no other.
LESSON_OWN = "a lesson runs its own experiment (experiment=teaching/patient_capital)"


@_commands_with("+experiment=broken")
def test_an_experiment_file_that_is_not_yaml_is_one_line(module: str, argv: list[str],
                                                         output_root: Path,
                                                         capsys: pytest.CaptureFixture[str],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A user's scenario file (found under <output root>/scenarios) with a YAML syntax error:
    the file, line and column, not PyYAML's traceback."""
    broken = output_root / "scenarios" / "experiment" / "broken.yaml"
    broken.parent.mkdir(parents=True)
    broken.write_text("# @package _global_\n# a lesson\nfunds:\n  term_years: [1, 2\n",
                      encoding="utf-8")
    code, err = run_command(module, argv, capsys, monkeypatch)
    assert code == 2
    assert_one_line(err, f"+experiment=broken: {LESSON_OWN}" if module == "sim.teach" else
                    f"{broken}, line 5, column 1: not valid YAML: expected ',' or ']'")
    assert no_complete_run(output_root)


@_commands_with("+experiment=mine")
def test_an_experiment_file_giving_a_true_or_false_key_a_number_is_one_line(
        module: str, argv: list[str], output_root: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A user's scenario file setting ``made_to_order: 2``: OmegaConf merged it as true."""
    mine = output_root / "scenarios" / "experiment" / "mine.yaml"
    mine.parent.mkdir(parents=True)
    mine.write_text("# @package _global_\ncompute:\n  made_to_order: 2\n", encoding="utf-8")
    code, err = run_command(module, argv, capsys, monkeypatch)
    assert code == 2
    assert_one_line(err, f"+experiment=mine: {LESSON_OWN}" if module == "sim.teach" else
                    f"{mine}: compute.made_to_order=2: allowed true or false")
    assert no_complete_run(output_root)


@pytest.mark.parametrize(("module", "argv"), [
    ("sim.cli", ["+experiment=mine", "horizon_months=12"]),
    ("sim.cli", ["-m", "+experiment=mine", "seed=1,2"]),
    ("sim.validate", ["--replications", "1", "+experiment=mine"]),
], ids=["run", "sweep", "validate"])   # a lesson is an experiment: teach takes no other
def test_an_experiment_file_giving_a_number_a_word_is_one_line_with_the_range(
        module: str, argv: list[str], output_root: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """``term_years: abc`` in a user's scenario file: OmegaConf's message came through bare
    ("could not be converted to Float full_key: ... reference_type=FundsConfig ...")."""
    mine = output_root / "scenarios" / "experiment" / "mine.yaml"
    mine.parent.mkdir(parents=True)
    mine.write_text("# @package _global_\nfunds:\n  term_years: abc\n", encoding="utf-8")
    code, err = run_command(module, argv, capsys, monkeypatch)
    assert code == 2
    assert_one_line(err, "funds.term_years=abc is not a number; allowed 1 to 30 (years)")
    assert "In 'experiment/mine': funds.term_years" in err or module == "sim.validate"
    assert no_complete_run(output_root)


#: Overrides every command refuses the same way: (override, the one line's start).
#: baimo-validate said Hydra's bare "Could not override 'fund.term_years'." to the first
#: three, and "In 'config': Could not find 'compute/nosuch'" to the fourth.
SAME_EVERYWHERE = [
    ("fund.term_years=5", "fund.term_years: no such setting (did you mean funds.term_years?)"),
    ("funds.term=5", "funds.term: no such setting (did you mean funds.term_years or "),
    ("hype.shocks=[{month:5,sze:0.5}]", "hype.shocks: an item has no key 'sze' (did you mean "
                                        "size?)"),
    ("compute=nosuch", "compute=nosuch: no such option; choose one of: default"),
    ("funds.term_years=abc", "funds.term_years=abc is not a number; allowed 1 to 30 (years)"),
    ("funds.term_years=99", "funds.term_years=99 is out of range; allowed 1 to 30 (years)"),
]


@pytest.mark.parametrize(("given", "fragment"), SAME_EVERYWHERE,
                         ids=[g for g, _ in SAME_EVERYWHERE])
@_commands_with("{given}")
def test_a_mistyped_key_a_wrong_type_or_range_is_the_same_line_in_every_command(
        given: str, fragment: str, module: str, argv: list[str], output_root: Path,
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """A mistyped setting, a wrong type and a value out of range: baimo, its sweeps,
    baimo-validate and baimo-teach each say the same one line (their shared hints)."""
    argv = [a.format(given=given) for a in argv]
    code, err = run_command(module, argv, capsys, monkeypatch)
    assert code == 2
    assert_one_line(err, fragment)
    assert no_complete_run(output_root)


#: A compute option of the user's own, written into conf/compute by the test using it.
OWN_COMPUTE = "own_gpus_test"


@pytest.fixture
def own_compute_file() -> Iterator[Path]:
    path = CONF_DIR / "compute" / f"{OWN_COMPUTE}.yaml"
    path.write_text("# my GPU market\nmade_to_order: 2\n", encoding="utf-8")
    try:
        yield path
    finally:
        path.unlink()


@_commands_with(f"compute={OWN_COMPUTE}")
def test_a_group_file_of_the_users_own_giving_a_true_or_false_key_a_number_is_one_line(
        module: str, argv: list[str], own_compute_file: Path, output_root: Path,
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """``conf/compute/own.yaml`` setting ``made_to_order: 2``, chosen with ``compute=own``:
    OmegaConf merged it as true."""
    code, err = run_command(module, argv, capsys, monkeypatch)
    assert code == 2
    assert_one_line(err, f"{own_compute_file}: compute.made_to_order=2: allowed true or false")
    assert no_complete_run(output_root)


#: Config groups given no option's name: (override, the one line's start). Hydra stopped
#: each with a traceback (ValueError: Config group override must be a string or a list).
GROUP_CHOICES = [
    ("funds=null", "funds=null: funds is a config group; give the name of one of its options: "
                   "default"),
    ("funds=1", "funds=1: funds is a config group"),
    ("+experiment=null", "+experiment=null: experiment is a config group; give the name of one "
                         "of its options: buyer_digitization, calibrate"),
    ("hydra/launcher=null", "hydra/launcher=null: hydra/launcher is a config group; give the "
                            "name of one of its options: basic, joblib, slurm"),
    ("funds=[default,1]", "funds=[default,1]: funds is a config group"),
    ("~funds=1", "~funds=1: funds is a config group"),
]


@pytest.mark.parametrize(("choice", "fragment"), GROUP_CHOICES, ids=[c for c, _ in GROUP_CHOICES])
@_commands_with("{choice}")
def test_a_config_group_given_no_options_name_is_one_line(
        choice: str, fragment: str, module: str, argv: list[str], output_root: Path,
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    argv = [a.format(choice=choice) for a in argv]
    code, err = run_command(module, argv, capsys, monkeypatch)
    assert code == 2
    own = module == "sim.teach" and "experiment" in choice
    hydras = module in ("sim.teach", "sim.validate") and choice.startswith("hydra/")
    assert_one_line(err, f"{choice}: {LESSON_OWN}" if own else
                    f"{choice}: Hydra's own setting" if hydras else fragment)
    assert no_complete_run(output_root)


@pytest.mark.parametrize(("given", "line"), [
    ("hype.shocks=5", "hype.shocks=5: hype.shocks takes a list, written in brackets: "
                      "hype.shocks=[...]"),
    ("hype.shocks={}", "hype.shocks={}: hype.shocks takes a list"),
    ("giants.names=abc", "giants.names=abc: giants.names takes a list"),
])
@pytest.mark.parametrize("module", ["sim.cli", "sim.validate", "sim.teach"])
def test_a_single_value_for_a_list_says_how_a_list_is_written(
        given: str, line: str, module: str, output_root: Path,
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """OmegaConf said "Cannot merge DictConfig with ListConfig" or "str is not a ListConfig,
    list or tuple"; baimo-teach and baimo-validate put it their own ways."""
    argv = {"sim.cli": [given], "sim.validate": ["--replications", "1", given],
            "sim.teach": ["patient_capital", given]}[module]
    code, err = run_command(module, argv, capsys, monkeypatch)
    assert code == 2
    assert_one_line(err, line)


def test_an_item_of_the_wrong_type_in_a_scenario_names_the_file_and_the_list(
        tmp_path: Path, output_root: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A user's scenario said OmegaConf's "ValidationError raised while composing config:
    Invalid type assigned: int is not a subclass of HypeShock ... object_type=list", and a
    key of an item of the wrong type "month=x is not a number", naming no list."""
    scenarios = tmp_path / "own" / "experiment"
    scenarios.mkdir(parents=True)
    (scenarios / "number.yaml").write_text("# @package _global_\nhype:\n  shocks: [5]\n")
    (scenarios / "month.yaml").write_text(
        "# @package _global_\nhype:\n  shocks:\n    - {month: x, size: 1, label: a}\n")
    for name, line in [
            ("number", "In 'experiment/number': hype.shocks[0]=5: each item of hype.shocks "
                       "is a group of settings, {month: ..., size: ..., label: ...}"),
            ("month", "In 'experiment/month': hype.shocks: an item's month=x is not a "
                      "number; allowed 0 to ")]:
        code, err = run_command("sim.cli", ["--config-dir", str(tmp_path / "own"),
                                            f"+experiment={name}"], capsys, monkeypatch)
        assert code == 2
        assert_one_line(err, line)
    assert no_complete_run(output_root)


def _own_scenarios(tmp_path: Path, **files: str) -> Path:
    """A config directory of the user's own, its ``experiment/NAME.yaml`` files each holding
    its text after the ``# @package _global_`` header."""
    own = tmp_path / "own"
    (own / "experiment").mkdir(parents=True)
    for name, text in files.items():
        (own / "experiment" / f"{name}.yaml").write_text("# @package _global_\n" + text)
    return own


def test_a_key_a_scenario_file_sets_that_the_schema_lacks_names_the_file_and_the_key(
        tmp_path: Path, output_root: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Hydra said "In 'experiment/typo': ConfigKeyError raised while composing config: Key
    'term' not in 'FundsConfig' full_key: funds.term reference_type=..."; a shock's key
    "sze" was named alone."""
    own = _own_scenarios(tmp_path, typo="funds:\n  term: 3\n",
                         shock="hype:\n  shocks:\n    - {month: 5, sze: 1, label: a}\n")
    for name, line in [
            ("typo", "In 'experiment/typo': funds.term: no such setting (did you mean "
                     "funds.term_years or funds.term_spread_years?)"),
            ("shock", "In 'experiment/shock': hype.shocks: an item has no key 'sze' (did you "
                      "mean size?); an item's keys: month, size, label")]:
        code, err = run_command("sim.cli", ["--config-dir", str(own), f"+experiment={name}"],
                                capsys, monkeypatch)
        assert code == 2
        assert_one_line(err, line)
    assert no_complete_run(output_root)


#: A scenario file's value of the wrong shape (after its ``# @package _global_``
#: header), what baimo says of it found in the scenarios under the output root (checked
#: before composing: key, file and what was given), and in a ``--config-dir`` (what
#: OmegaConf's error tells). Hydra said "Cannot merge DictConfig with ListConfig full_key:
#: object_type=RunConfig" of the first two, "int is not a subclass of HypeConfig" of the
#: fourth, and put the rest in OmegaConf's words.
WRONG_SHAPES = [
    ("design:\n  kind: lhs\n  ranges: [1, 2]\n",
     "design.ranges takes a map of keys to values, written as keys under it or in braces "
     "(design.ranges: {...}), not a list",
     "a list is given where the config takes a map, or a map where it takes a list"),
    ("hype:\n  shocks: {month: 5}\n",
     "hype.shocks takes a list, written in brackets (hype.shocks: [...]), not a map",
     "a list is given where the config takes a map, or a map where it takes a list"),
    ("hype:\n  shocks: 5\n",
     "hype.shocks takes a list, written in brackets (hype.shocks: [...]), not a number",
     "hype.shocks takes a list, written in brackets (hype.shocks: [...])"),
    ("hype: 5\n",
     "hype is a group of settings, written as keys under it (hype: {...}), not a number",
     "hype is a group of settings, written as keys under it (hype: {...})"),
    ("design:\n  kind: lhs\n  ranges: 5\n",
     "design.ranges takes a map of keys to values, written as keys under it or in braces "
     "(design.ranges: {...}), not a number",
     "design.ranges takes a map of keys to values (design.ranges: {...})"),
    ("giants:\n  names: Baidu\n",
     "giants.names takes a list, written in brackets (giants.names: [...]), not text",
     "giants.names takes a list, written in brackets (giants.names: [...])"),
]


@pytest.mark.parametrize(("text", "found", "own"), WRONG_SHAPES,
                         ids=["ranges_list", "shocks_map", "shocks_number", "group_number",
                              "ranges_number", "names_text"])
def test_a_scenario_value_of_the_wrong_shape_names_the_key(
        text: str, found: str, own: str, tmp_path: Path, output_root: Path,
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """A list where a map goes, a map or a single value where a list goes, a value for a
    group of settings: in a scenario under the output root, one line naming the file, the
    key and what was given; in a ``--config-dir``, the file as Hydra names it and what
    OmegaConf's error tells."""
    scenarios = output_root / "scenarios" / "experiment"
    scenarios.mkdir(parents=True)
    (scenarios / "shape.yaml").write_text("# @package _global_\n" + text)
    code, err = run_command("sim.cli", ["+experiment=shape"], capsys, monkeypatch)
    assert code == 2
    assert_one_line(err, f"{scenarios / 'shape.yaml'}: {found}")
    directory = _own_scenarios(tmp_path, shape=text)
    code, err = run_command("sim.cli", ["--config-dir", str(directory), "+experiment=shape"],
                            capsys, monkeypatch)
    assert code == 2
    assert_one_line(err, f"In 'experiment/shape': {own}")
    assert no_complete_run(output_root)


#: A scenario file Hydra stopped at with a traceback (a defaults list of the wrong shape,
#: an experiment extending itself: RecursionError), or in its own words, naming no file
#: ("Invalid loaded object type: int") or the wrong thing ("Multiple values for
#: experiment"), or in OmegaConf's (a choice, a null), or ran as something else (a sweep
#: over experiments ran one job); and what baimo says now. ``{file}``
#: is the file's path. Every file but the first two starts ``# @package _global_``.
SCENARIO_FILES = {
    "bom": ("\ufeff# @package _global_\nseed: 3\n",
            "{file}: starts with a byte-order mark (U+FEFF, as some editors save UTF-8), which "
            "hides its '# @package _global_' line from Hydra; save it as UTF-8 without one"),
    "empty": ("", "In 'experiment/empty': without line 1 '# @package _global_'"),
    "a_list": ("- seed: 3\n", "{file}: holds a list, not settings; a config file is a map of "
                              "keys to values (key: value lines)"),
    "a_number": ("5\n", "{file}: holds a number, not settings"),
    "defaults_map": ("defaults:\n  compute: default\n",
                     "{file}: defaults takes a list, each entry '- name' (a config of the same "
                     "group) or '- group: option'"),
    "defaults_number": ("defaults: 5\n", "{file}: defaults takes a list"),
    "defaults_nested": ("defaults:\n  - - a\n    - b\n",
                        '{file}: defaults: the entry ["a", "b"] is not \'- name\''),
    "defaults_null": ("defaults:\n  - null\n", "{file}: defaults: the entry null is not"),
    "defaults_two_keys": ("defaults:\n  - {a: 1, b: 2}\n",
                          '{file}: defaults: the entry {"a": 1, "b": 2} is not'),
    "chooses_itself": ("defaults:\n  - /experiment: chooses_itself\n",
                       "{file}: defaults: '/experiment: chooses_itself' names the experiment "
                       "itself"),
    "chooses_another": ("defaults:\n  - /experiment: ring\n",
                        "{file}: defaults: '/experiment: ring' chooses the experiment, as "
                        "+experiment=... does already; to extend experiment ring, name it "
                        "alone: '- ring'"),
    "extends_itself": ("defaults:\n  - extends_itself\n",
                       "{file}: its defaults list comes back to experiment extends_itself "
                       "(extends_itself -> extends_itself); an experiment cannot extend itself"),
    "ring": ("defaults:\n  - ring_back\n",
             "{file}: its defaults list comes back to experiment ring (ring -> ring_back -> "
             "ring)"),
    "mode": ("hydra:\n  mode: multirun\n",
             "In 'experiment/mode': hydra.mode=multirun: allowed one of RUN, MULTIRUN"),
    "interpolation": ("seed: ${\n",
                      "seed: not a valid interpolation (no viable alternative at input "
                      "'${'); an interpolation is written"),
    "infinite_bound": ("design:\n  kind: lhs\n  samples: 3\n  ranges:\n"
                       "    data.spillover: [0.1, .inf]\n",
                       "design.ranges.data.spillover=[0.1, inf]: both bounds must be finite "
                       "numbers, within 0 to 1"),
    "extends_nothing": ("defaults:\n  - extends_itsef\n",
                        "{file}: defaults: '- extends_itsef' names no experiment (did you mean "
                        "extends_itself"),
    "no_group": ("defaults:\n  - /nosuchgroup: x\n",
                 "In 'experiment/no_group': defaults: 'nosuchgroup/x': no config group "
                 "nosuchgroup; the groups: buyers, capability, compute"),
    "sweep_grammar": ("hydra:\n  mode: MULTIRUN\n  sweeper:\n    params:\n"
                      "      seed: 'range(1,'\n",
                      "{file}: hydra.sweeper.params.seed: 'range(1,' is not a sweep Hydra can "
                      "read (no viable alternative at input 'range(1,'); write its values as "
                      "a,b,c or range(start,stop[,step])"),
    "sweeps_experiments": ("hydra:\n  mode: MULTIRUN\n  sweeper:\n    params:\n"
                           "      +experiment: calm,brisk\n",
                           "{file}: hydra.sweeper.params.+experiment: an experiment cannot "
                           "sweep experiments (the command's +experiment chose this file, and "
                           "chooses the one experiment of every job); sweep them from the "
                           "command line: baimo -m +experiment=calm,brisk"),
    "sweeps_experiments_plain": ("hydra:\n  mode: MULTIRUN\n  sweeper:\n    params:\n"
                                 "      experiment: calm,brisk\n",
                                 "{file}: hydra.sweeper.params.experiment: an experiment "
                                 "cannot sweep experiments"),
    "replications_null": ("replications: null\n",
                          "In 'experiment/replications_null': replications=null: this key "
                          "needs a value (an integer)"),
}


@pytest.mark.parametrize("name", list(SCENARIO_FILES))
def test_a_scenario_file_hydra_cannot_read_is_one_line(
        name: str, output_root: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Each of :data:`SCENARIO_FILES`, run as ``+experiment=NAME``: one line naming the
    file and what is wrong, exit 2, nothing run."""
    scenarios = output_root / "scenarios" / "experiment"
    scenarios.mkdir(parents=True)
    for each, (text, _) in SCENARIO_FILES.items():
        (scenarios / f"{each}.yaml").write_text(
            ("" if each in ("bom", "empty") else "# @package _global_\n") + text,
            encoding="utf-8")
    (scenarios / "ring_back.yaml").write_text("# @package _global_\ndefaults:\n  - ring\n")
    for calm_or_brisk, decay in (("calm", 0.05), ("brisk", 0.3)):
        (scenarios / f"{calm_or_brisk}.yaml").write_text(
            f"# @package _global_\nhype:\n  decay_per_month: {decay}\n")
    code, err = run_command("sim.cli", [f"+experiment={name}"], capsys, monkeypatch)
    assert code == 2
    assert_one_line(err, SCENARIO_FILES[name][1].replace("{file}",
                                                         str(scenarios / f"{name}.yaml")))
    assert no_complete_run(output_root)


def test_a_scenario_saved_as_yml_is_named_with_what_to_do(
        output_root: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Hydra reads ``NAME.yaml`` alone: a scenario saved as ``NAME.yml`` (or ``.YAML``)
    was "no such option", with every option listed and the file not named."""
    scenarios = output_root / "scenarios" / "experiment"
    scenarios.mkdir(parents=True)
    for name in ("short.yml", "upper.YAML"):
        (scenarios / name).write_text("# @package _global_\nseed: 3\n")
    for name, file in [("short", "short.yml"), ("upper", "upper.YAML")]:
        code, err = run_command("sim.cli", [f"+experiment={name}"], capsys, monkeypatch)
        assert code == 2
        assert_one_line(err, f"experiment={name}: no such option; {scenarios / file} is there, "
                             f"but only files ending in .yaml are read: rename it {name}.yaml")
    code, err = run_command("sim.cli", ["+experiment=nosuch"], capsys, monkeypatch)
    assert "is there" not in err and "choose one of:" in err


def test_an_experiment_file_without_its_package_header_says_so(
        tmp_path: Path, output_root: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Without line 1 ``# @package _global_`` an experiment's keys land under
    ``experiment``: Hydra said "experiment: no such setting" of its settings and "Could not
    override 'compute@experiment.compute'" of its defaults list's override."""
    scenarios = output_root / "scenarios" / "experiment"
    scenarios.mkdir(parents=True)
    header = ("without line 1 '# @package _global_' its keys land under 'experiment', where "
              "the config has none; an experiment starts with that line")
    for name, text in [("settings", "hype:\n  decay_per_month: 0.1\n"),
                       ("overrides", "defaults:\n  - override /compute: dear\n")]:
        (scenarios / f"{name}.yaml").write_text(text)
        code, err = run_command("sim.cli", [f"+experiment={name}"], capsys, monkeypatch)
        assert code == 2
        assert_one_line(err, f"{scenarios / name}.yaml: {header}")
    own = tmp_path / "own" / "experiment"
    own.mkdir(parents=True)
    (own / "settings.yaml").write_text("hype:\n  decay_per_month: 0.1\n")
    code, err = run_command("sim.cli", ["--config-dir", str(own.parent), "+experiment=settings"],
                            capsys, monkeypatch)
    assert code == 2
    assert_one_line(err, f"In 'experiment/settings': {header}")
    assert no_complete_run(output_root)


@pytest.mark.parametrize(("argv", "asked"), [
    (["-m", "+experiment=small", "seed=1,2"], "-m"),
    (["+experiment=small", "replications=3"], "replications=3"),
    (["+experiment=small", "plan=true"], "plan=true"),
    (["+experiment=design"], "design.kind=lhs"),
    (["+experiment=multirun"], "hydra.mode=MULTIRUN"),
], ids=["multirun", "replications", "plan", "design", "mode_in_file"])
def test_a_sweep_of_the_users_own_configs_is_refused_not_run_as_one_run(
        argv: list[str], asked: str, tmp_path: Path, output_root: Path) -> None:
    """With --config-dir every command went to Hydra's app: replications=3 ran one run, a
    design's points were never drawn (one job ran the defaults), and -m ran Hydra's own
    multirun, with no sweep table to resume, aggregate or report. baimo's sweeps read the
    experiments of experiments/; the rest is refused in one line, leaving no directory (a
    process of its own: Hydra's multirun, which the file asks for, takes over the output)."""
    small = "horizon_months: 6\nbuyers:\n  count: 100\ncompute:\n  export_controls: []\n"
    own = _own_scenarios(
        tmp_path, small=small,
        design=small + "design:\n  kind: lhs\n  samples: 3\n  ranges:\n"
                       "    funds.term_years: [3, 6]\n",
        multirun=small + "hydra:\n  mode: MULTIRUN\n")
    done = subprocess.run([sys.executable, "-c", "from sim.cli import main; main()",
                           "--config-dir", str(own), *argv], capture_output=True, text=True,
                          cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(REPOSITORY)})
    assert done.returncode == 2
    assert_one_line(done.stderr, f"{asked}: baimo sweeps (replications, designs, -m) read "
                                 "conf/ and the experiments of experiments/")
    assert [p for p in output_root.rglob("*") if p.is_file()] == []


@_commands_with("funds.term_years=abc")
def test_a_value_of_the_wrong_type_names_the_field_and_its_range_in_every_command(
        module: str, argv: list[str], output_root: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Every command says it alike (they said OmegaConf's "could not be converted to Float",
    with or without the override, or only "Error merging override")."""
    code, err = run_command(module, argv, capsys, monkeypatch)
    assert code == 2
    assert_one_line(err, "funds.term_years=abc is not a number; allowed 1 to 30 (years)")


@pytest.mark.parametrize("argv", [["~funds"], ["-m", "~buyers", "seed=1,2"]],
                         ids=["run", "sweep"])
def test_a_part_of_the_model_removed_is_one_line(
        argv: list[str], output_root: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """OmegaConf said "funds.initial_count: ... FundsConfig has missing mandatory value"."""
    code, err = run_command("sim.cli", argv, capsys, monkeypatch)
    assert code == 2
    group = argv[-2 if len(argv) > 1 else 0].lstrip("~")
    assert_one_line(err, f"~{group}: the model needs its {group} config; choose one of its "
                         "options instead: default")
    assert no_complete_run(output_root)


@pytest.mark.parametrize("argv", [["-m", "funds=null,default", "seed=1,2"],
                                  ["-m", "funds=range(0,2)", "seed=1,2"],
                                  ["--cfg", "job", "funds=null"]],
                         ids=["swept", "range", "cfg"])
def test_a_config_group_swept_over_or_shown_with_no_options_name_is_one_line(
        argv: list[str], output_root: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    code, err = run_command("sim.cli", argv, capsys, monkeypatch)
    assert code == 2
    assert_one_line(err, "funds is a config group; give the name of one of its options")


def test_an_experiment_file_that_is_not_text_is_one_line_and_listed_as_unreadable(
        output_root: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A scenario file that is not UTF-8 (a spreadsheet saved as .yaml): running it names the
    file; ``baimo list`` lists it as unreadable and goes on."""
    binary = output_root / "scenarios" / "experiment" / "binary.yaml"
    binary.parent.mkdir(parents=True)
    binary.write_bytes(b"\xff\xfe not text")
    code, err = run_command("sim.cli", ["+experiment=binary", "horizon_months=12"], capsys,
                            monkeypatch)
    assert code == 2
    assert_one_line(err, f"{binary} is not UTF-8 text (byte 0xff at 0)")
    from sim.sweep.experiments import listing

    assert "binary (unreadable: not UTF-8 text)" in " ".join(listing().split())


def test_the_listing_flags_a_scenario_running_would_refuse(
        output_root: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A scenario named as a shipped experiment is refused when run, but `baimo list` showed
    it with its question, under "Scenarios written by calibrations" (hand-written ones too).
    It now says it would be refused, under the scenarios' directory."""
    from sim.sweep.experiments import SHADOWED, listing

    folder = output_root / "scenarios" / "experiment"
    folder.mkdir(parents=True)
    (folder / "hype_bust.yaml").write_text("# @package _global_\n# my test\nseed: 1\n")
    (folder / "mine.yaml").write_text("# @package _global_\n# my own question?\nseed: 1\n")
    code, err = run_command("sim.cli", ["+experiment=hype_bust", "plan=true"], capsys,
                            monkeypatch)
    assert code == 2 and "rename the scenario" in err
    lines = listing().splitlines()
    assert f"== Scenarios in {folder} (baimo +experiment=NAME) ==" in lines
    assert next(x for x in lines if x.strip().startswith("hype_bust ") and "my test" not in x)
    assert any(x.strip().startswith("hype_bust ") and x.rstrip().endswith(SHADOWED)
               for x in lines)
    assert any(x.strip().startswith("mine ") and x.rstrip().endswith("my own question?")
               for x in lines)


#: Run-control keys given to the commands that run their own replications: each ran in full.
IGNORED_RUN_CONTROL: list[tuple[str, list[str], str]] = [
    ("sim.teach", ["patient_capital", "plan=true"],
     "plan=true: a sweep's run-control key, which a lesson does not read; baimo-teach takes "
     "replications=N and workers=N"),
    ("sim.teach", ["patient_capital", "design.kind=lhs"], "design.kind=lhs: a sweep's"),
    ("sim.teach", ["patient_capital", "+sweep_dir=x"], "+sweep_dir=x: a sweep's"),
    ("sim.validate", ["replications=5"],
     "replications=5: baimo-validate does not read it; give --replications 5"),
    ("sim.validate", ["--replications", "1", "plan=true"],
     "plan=true: a sweep's run-control key, which baimo-validate does not read; it takes "
     "--replications N, --jobs N and --horizon MONTHS"),
    # Hydra's own settings: each ran as if not given
    ("sim.teach", ["patient_capital", "hydra.mode=MULTIRUN"],
     "hydra.mode=MULTIRUN: Hydra's own setting, which a lesson does not read (it runs its arms "
     "itself); baimo-teach takes replications=N and workers=N"),
    ("sim.teach", ["patient_capital", "hydra/launcher=basic"],
     "hydra/launcher=basic: Hydra's own setting"),
    ("sim.validate", ["--replications", "1", "hydra.run.dir=/tmp/x"],
     "hydra.run.dir=/tmp/x: Hydra's own setting, which baimo-validate does not read (it runs "
     "its replications itself)"),
]


@pytest.mark.parametrize(("module", "argv", "fragment"), IGNORED_RUN_CONTROL,
                         ids=[f"{m} {' '.join(a)}" for m, a, _ in IGNORED_RUN_CONTROL])
def test_a_run_control_key_the_command_does_not_read_is_refused(
        module: str, argv: list[str], fragment: str, output_root: Path,
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    code, err = run_command(module, argv, capsys, monkeypatch)
    assert code == 2
    assert_one_line(err, fragment)
    assert no_complete_run(output_root)


def test_a_list_item_may_be_named_as_the_parameter_table_writes_it(
        output_root: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """docs/MODEL.md's table and the messages write ``compute.export_controls[0].supply_cut``;
    Hydra took only ``compute.export_controls.0.supply_cut`` and stopped at the bracket with
    a LexerNoViableAltException."""
    from sim.configuration import dotted_indices

    assert dotted_indices("compute.export_controls[0].supply_cut=0.5") == \
        "compute.export_controls.0.supply_cut=0.5"
    assert dotted_indices("+a.b[2]=[1,2]") == "+a.b.2=[1,2]"   # the value as it is
    for other in ("hydra/launcher=basic", "-m", "x=[0]", "buyers.count=5"):
        assert dotted_indices(other) == other
    code, err = run_command("sim.cli", ["compute.export_controls[0].supply_cut=0.5",
                                        "horizon_months=12", "buyers.count=50"],
                            capsys, monkeypatch)
    assert code == 0, err
    run = next(output_root.rglob(COMPLETE)).parent
    config = json.loads((run / "config.json").read_text(encoding="utf-8"))
    assert config["compute"]["export_controls"][0]["supply_cut"] == 0.5


def test_a_sweep_directory_that_is_a_file_is_one_line(
        tmp_path: Path, output_root: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """sweep_dir naming a file, or a path under one: the plan said "to run: 2", and the
    sweep then stopped with "FILE: File exists" (or "Not a directory"), naming nothing."""
    afile = tmp_path / "afile"
    afile.write_text("")
    for chosen in (afile, afile / "sub"):
        code, err = run_command("sim.cli", ["-m", "seed=1,2", f"sweep_dir={chosen}",
                                            "plan=true"], capsys, monkeypatch)
        assert code == 2
        assert_one_line(err, f"the sweep directory {chosen}: {afile} is a file, not a "
                             "directory; choose another with sweep_dir=DIR")
    assert no_complete_run(output_root)
