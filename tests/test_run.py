"""Whole runs: invariants, determinism, every event kind, the output contract and plots."""

from __future__ import annotations

import json
import math
import re
import subprocess
from pathlib import Path

import invariants
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import small_config

from sim.events import COLUMNS as EVENT_COLUMNS
from sim.events import FLAG_COLUMNS, TEXT_COLUMNS, EventKind
from sim.metrics import METRIC_COLUMNS
from sim.outputs import COMPLETE, FUND_COLUMNS, OutputError, read_run
from sim.plots import build_all
from sim.run import run, simulate
from sim.sums import left_sum


@pytest.mark.parametrize("check", invariants.ALL, ids=lambda c: c.__name__)
def test_invariants_hold_in_the_baseline(baseline_tables, check) -> None:
    check(baseline_tables)


@pytest.mark.parametrize("check", invariants.ALL, ids=lambda c: c.__name__)
def test_invariants_hold_in_a_small_run(small_tables, check) -> None:
    check(small_tables)


@pytest.fixture(scope="module")
def nothing_for_a_story() -> object:
    """A run at funding.story_value_mcny=0, its minimum: a company with no revenue is worth
    nothing before its round, which then takes the whole company."""
    from sim.configuration import compose

    return simulate(compose(["funding.story_value_mcny=0", "horizon_months=36",
                             "buyers.count=500"]))


@pytest.mark.parametrize("check", invariants.ALL, ids=lambda c: c.__name__)
def test_a_stake_diluted_to_nothing_passes_nothing_in_kind(nothing_for_a_story, check) -> None:
    """A round at pre-money 0 dilutes the earlier holders' stakes to nothing; a fund closing
    with one passed its LPs a part of 0 / 0 of the company: a valid value ended in a
    traceback (ZeroDivisionError) until 2026-12-07. The run holds every invariant."""
    check(nothing_for_a_story)


def test_a_fund_writes_off_a_stake_diluted_to_nothing(nothing_for_a_story) -> None:
    events = nothing_for_a_story.events
    in_kind = events[(events["kind"] == "write_off") & (events["reason"] == "term_ended")]
    assert len(in_kind) > 0
    rounds = events[events["kind"] == "round_closed"]
    # some round took a whole company: its post-money is the round itself
    assert (rounds["valuation_mcny"] == rounds["amount_mcny"]).any()


def test_a_bankruptcy_names_the_last_failed_round(baseline_tables) -> None:
    """The reason named the failed round the company had last seen as it sought money, not
    the market's last: one that failed since (its month starts with its bills) was missed,
    and 69 of 254 baseline bankruptcies named a round four months older."""
    import re

    e = baseline_tables.events
    failed = e[e["kind"] == "round_failed"]
    named = 0
    for _, b in e[e["kind"] == "bankrupt"].iterrows():
        found = re.search(r"after a failed round in month (\d+)", str(b["reason"]))
        if found is None:
            continue
        before = failed[(failed["actor"] == b["actor"]) & (failed["month"] <= b["month"])]
        assert int(found[1]) == int(before["month"].max()), b["actor"]
        named += 1
    assert named > 0


def test_a_fund_spending_to_its_last_cny_never_overdraws() -> None:
    """With no fee kept back, a fund's tickets took it to its last CNY, and the ledger's
    rounding of each to whole CNY paid one more than it had: cash -1 CNY with no
    bankruptcy (an invariant hunt at long horizons; property runs never vary the fee)."""
    tables = simulate(small_config("horizon_months=48", "funds.size_mcny=1.0",
                                   "funds.management_fee_per_year=0.0",
                                   "funding.min_fill_share=0.0"))
    invariants.check_all(tables)


def test_gpus_waiting_or_in_transit_are_never_below_zero() -> None:
    """A long lead time left float rounding below zero in metrics.parquet: -5e-12 GPUs
    waiting for supply and -3e-12 in transit at this seed (an invariant hunt: -3e-7)."""
    tables = simulate(small_config("horizon_months=60", "seed=2",
                                   "compute.lead_time_months=12"))
    invariants.gpu_counts_are_never_negative(tables)


def test_every_event_kind_appears_in_the_baseline(baseline_tables) -> None:
    """IPOs are rare by design (seed 004: exits by sale, not IPO): the default run may list
    none (3 to 5 of the 20 validation replications list one), so the IPO path is shown by
    test_mechanisms.py::test_ipo_needs_revenue_at_scale instead."""
    seen = set(baseline_tables.events["kind"])
    required = {str(k) for k in EventKind} - {str(EventKind.IPO)}
    assert required - seen == set()
    reasons = set(baseline_tables.events.query("kind == 'shock'")["reason"])
    assert {"hype", "export_control", "open_source"} <= reasons


def test_write_offs_are_split_into_losses_and_stakes_passed_in_kind(baseline_tables) -> None:
    """A user read 654 write-offs beside 27 bankruptcies as losses: most were the stakes
    closing funds passed to their LPs in kind."""
    e, exits = baseline_tables.events, baseline_tables.summary["exits"]
    offs = e[e["kind"] == "write_off"]
    def when(kind: str) -> set[tuple[str, float]]:
        rows = e[e["kind"] == kind]
        return set(zip(rows["actor"], rows["month"], strict=True))

    failed, closings = when("bankrupt"), when("fund_closed")
    lost = [(c, m) in failed for c, m in zip(offs["counterparty"], offs["month"], strict=True)]
    at_close = [(f, m) in closings for f, m in zip(offs["actor"], offs["month"], strict=True)]
    assert exits["write_off_bankrupt"] == sum(lost) > 0
    assert exits["write_off_in_kind"] == sum(at_close) > 0
    assert exits["write_off"] == exits["write_off_bankrupt"] + exits["write_off_in_kind"]


def test_summary_counts_the_down_rounds_of_every_month(baseline_tables) -> None:
    """funding.down_rounds is every round of the run priced below the last post-money (the
    closed rounds' events that say so), not one month's: claim 6's down rounds come in
    the bust, months before the run ends."""
    e, summary = baseline_tables.events, baseline_tables.summary
    closed = e[e["kind"] == "round_closed"]
    down_months = baseline_tables.metrics.loc[baseline_tables.metrics["down_rounds"] > 0,
                                              "month"]
    assert down_months.nunique() > 1   # more than any one month's count
    assert summary["funding"]["down_rounds"] == int(closed["down_round"].sum()) > 0


def test_the_revenue_table_gives_the_months_shares_and_concentration(baseline_tables) -> None:
    """Revenue by vendor was in no output: an analyst could not check the HHI or build a
    vendor's market share (API subscriptions carry no amount in the event log)."""
    revenue, metrics = baseline_tables.revenue, baseline_tables.metrics.set_index("month")
    assert len(revenue) > 1000 and revenue["vendor_type"].isin(["giant", "startup"]).all()
    assert (revenue[["api_mcny", "contract_mcny", "revenue_mcny", "tokens_mtok"]] >= 0).all().all()
    paid = revenue["api_mcny"] + revenue["contract_mcny"]
    assert np.allclose(paid, revenue["revenue_mcny"], rtol=1e-12, atol=1e-12)
    by_month = revenue.groupby("month")
    total = by_month["revenue_mcny"].sum()
    giants = revenue[revenue["vendor_type"] == "giant"].groupby("month")["revenue_mcny"].sum()
    share = giants.reindex(total.index, fill_value=0.0) / total
    hhi = by_month.apply(lambda m: ((m["revenue_mcny"] / m["revenue_mcny"].sum()) ** 2).sum())
    assert np.allclose(share, metrics.loc[share.index, "giant_revenue_share"], atol=1e-12)
    assert np.allclose(hhi, metrics.loc[hhi.index, "hhi_enterprise_revenue"], atol=1e-12)
    assert np.allclose(total, metrics.loc[total.index, ["revenue_giants_mcny",
                                                         "revenue_startups_mcny"]].sum(axis=1))
    # a month before any payment has no row, and its metrics no revenue to share
    assert metrics.loc[metrics.index.difference(total.index), "giant_revenue_share"].isna().all()


def test_a_bankruptcy_names_a_general_models_lead_only_when_there_is_one(
        baseline_tables) -> None:
    """The reason read 'while a general model was 0 points ahead' for a lead under half a
    point (rounded to whole points, but any lead above 0 was named)."""
    reasons = baseline_tables.events.loc[baseline_tables.events["kind"] == "bankrupt", "reason"]
    assert reasons.str.contains("points ahead").any()
    assert not reasons.str.contains("was 0 points ahead").any()


def test_a_failed_round_is_numbered_as_the_round_it_sought(baseline_tables) -> None:
    """round_failed gave the stage before the round (0 for a first round) where
    round_closed gives the round's own number (1 for a first round): success rates by
    stage came out one stage apart."""
    e = baseline_tables.events
    rounds = e[e["kind"].isin(("round_closed", "round_failed"))].sort_values(
        "month", kind="stable")
    closed_before = rounds["kind"].eq("round_closed").groupby(rounds["actor"]).cumsum()
    failed = rounds["kind"] == "round_failed"
    assert failed.sum() > 100
    expected = (closed_before + 1)[failed]
    assert rounds.loc[failed, "stage"].astype(int).tolist() == expected.tolist()
    assert rounds.loc[~failed, "stage"].astype(int).tolist() == closed_before[~failed].tolist()


def test_same_config_and_seed_give_identical_tables() -> None:
    a, b = simulate(small_config()), simulate(small_config())
    pd.testing.assert_frame_equal(a.events, b.events)
    pd.testing.assert_frame_equal(a.metrics, b.metrics)
    assert json.dumps(a.summary, sort_keys=True) == json.dumps(b.summary, sort_keys=True)
    c = simulate(small_config("seed=7"))
    assert not a.events.equals(c.events)


def test_left_sum_adds_left_to_right_on_every_python() -> None:
    """Python 3.11's sum() rounds each addition (1e16 + 1 is 1e16 again); 3.12's compensates
    and gives 1.0 here, as the exactly rounded math.fsum does."""
    values = [1e16, 1.0, -1e16]
    assert left_sum(values) == 0.0 and math.fsum(values) == 1.0
    assert left_sum([0.1] * 10) == 0.9999999999999999   # each addition rounded
    assert left_sum([2, 3], 1) == 6 and type(left_sum([True, True])) is int
    assert left_sum([]) == 0


def test_summary_sums_each_year_left_to_right_whatever_the_pandas_version() -> None:
    """pandas' groupby sum compensates (1e16 plus eleven 1.0s gives 1e16 + 12) and its
    rounding changed between pandas 2.2 and 3.1; summary.json adds the months in order."""
    from sim.summary import _by_year

    year = [1e16] + [1.0] * 11
    metrics = pd.DataFrame({"month": range(2 * len(year)), "raised": year + year[::-1]})
    assert _by_year(metrics, "raised") == [left_sum(year), left_sum(year[::-1])]
    assert _by_year(metrics, "raised")[0] != math.fsum(year)


def test_the_mean_api_price_adds_the_giants_left_to_right() -> None:
    """As every sum of the outputs (sim.sums): NumPy's mean adds pairwise, which gives
    another last bit than the giants' prices added in order."""
    from sim.model import MarketModel

    model = MarketModel(small_config())
    model.run()
    prices = [1e16] + [1.0] * (len(model.giants) - 1)   # 1e16 + 1 rounds back to 1e16
    for giant, price in zip(model.giants, prices, strict=True):
        giant.api_price = price
    mean = model.recorder.snapshot()["maas_price_cny_per_mtok"]
    assert mean == left_sum(prices) / len(prices) and mean != math.fsum(prices) / len(prices)


def test_no_module_of_the_model_adds_with_the_builtin_sum() -> None:
    """sim.sums.left_sum, not sum(): its float result differs between Python 3.11 and 3.12,
    and the same config and seed gave other outputs on each."""
    import ast
    from pathlib import Path

    import sim

    calls = [f"{path.relative_to(Path(sim.__file__).parent)}:{node.lineno}"
             for path in sorted(Path(sim.__file__).parent.rglob("*.py"))
             for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
             and node.func.id == "sum"]
    assert calls == [], (f"sim/ adds with the built-in sum() at {', '.join(calls)}: use "
                         "sim.sums.left_sum, whose result is the same on every Python version "
                         "(sum() rounds floats differently from 3.12 on)")


def test_outputs_do_not_depend_on_how_the_builtin_sum_rounds(monkeypatch) -> None:
    """A run with the built-in sum() adding floats exactly rounded (as Python 3.12's
    compensated sum() comes close to) writes the same tables as one without: the model
    adds with left_sum. Before, 3.11 and 3.12 gave other outputs for every seed tried."""
    import builtins

    plain = builtins.sum

    def rounded_once(values, start=0):
        values = list(values)
        if all(type(v) is int for v in [start, *values]):
            return plain(values, start)
        return math.fsum([start, *values])

    a = simulate(small_config())
    monkeypatch.setattr(builtins, "sum", rounded_once)
    b = simulate(small_config())
    monkeypatch.undo()
    pd.testing.assert_frame_equal(a.events, b.events)
    pd.testing.assert_frame_equal(a.metrics, b.metrics)
    assert json.dumps(a.summary, sort_keys=True) == json.dumps(b.summary, sort_keys=True)


def test_run_writes_the_output_contract(tmp_path) -> None:
    tables = run(small_config(), tmp_path / "run")
    out = read_run(tmp_path / "run")
    assert (tmp_path / "run" / COMPLETE).is_file()
    assert {p.stem for p in (tmp_path / "run" / "plots").glob("*.png")} == {
        "entry_shakeout", "funding", "compute", "adoption", "concentration_prices", "fund_returns"}
    assert len(out.metrics) == 24 and out.metrics["month"].tolist() == list(range(24))
    assert out.summary["seed"] == tables.model.cfg.seed
    assert len(out.summary["config_hash"]) == 64
    for col in ("month", "kind", "actor", "actor_type", "counterparty", "amount_mcny",
                "model_kind", "domain", "valuation_mcny", "gpus", "price", "segment", "reason"):
        assert col in out.events.columns
    # every column of the contract, in its order, and no other (readers check for them)
    assert tuple(out.metrics.columns) == METRIC_COLUMNS
    assert tuple(out.events.columns) == EVENT_COLUMNS
    written = pd.read_parquet(tmp_path / "run" / "revenue.parquet")
    pd.testing.assert_frame_equal(written, tables.revenue, check_dtype=False)   # text: str
    # text where the contract says text (sim.events.TEXT_COLUMNS), flags as true or false
    # (FLAG_COLUMNS), numbers elsewhere
    schema = pq.read_schema(tmp_path / "run" / "events.parquet")
    assert {n for n in EVENT_COLUMNS if pa.types.is_floating(schema.field(n).type)} == (
        set(EVENT_COLUMNS) - TEXT_COLUMNS - FLAG_COLUMNS)
    assert {n for n in EVENT_COLUMNS if pa.types.is_boolean(schema.field(n).type)} == (
        FLAG_COLUMNS)
    assert {"kind", "actor", "reason"} <= TEXT_COLUMNS and {"down_round"} == FLAG_COLUMNS
    assert out.events["down_round"].dtype == "boolean"
    rounds = out.events["kind"] == "round_closed"
    assert out.events.loc[rounds, "down_round"].notna().all()     # every round says
    assert out.events.loc[~rounds, "down_round"].isna().all()     # no other event does
    assert tuple(out.funds.columns) == FUND_COLUMNS
    assert not list((tmp_path / "run").glob(".*.tmp"))


def test_the_headline_of_a_run_too_short_for_an_outcome_says_n_a() -> None:
    """Two months bring no enterprise revenue: the giants' share of it is null in the
    summary, and the headline printed after the run (baimo) stopped with a TypeError on
    it, after the run was written."""
    from sim.cli import headline

    summary = simulate(small_config("horizon_months=2", "hype.shocks=[]",
                                    "compute.export_controls=[]")).summary
    assert summary["concentration"]["giant_revenue_share_final"] is None
    assert summary["concentration"]["hhi_final"] is None   # no market to be concentrated
    lines = headline(summary)
    assert lines[-1] == "enterprise revenue HHI n/a, giants' share n/a"
    assert len(lines) == 5
    # a reader compared "by month 13" with a report's "by the end of Dec 2023 (month 12)"
    assert lines[0].endswith("(by the end of Apr 2023 (month 4): n/a, by the end of Jan 2024 "
                             "(month 13): n/a)")


def test_a_share_short_of_all_is_never_shown_as_all(small_tables) -> None:
    """Startups bought 211 GPUs of the month's 146,000: the headline and baimo-report said the
    giants' share of GPU purchases was 100% (a readers' audit)."""
    import copy

    from sim.cli import headline
    from sim.teaching.measures import format_value, percent

    summary = copy.deepcopy(small_tables.summary)
    summary["compute"]["giant_share_of_purchases"] = 0.99855
    summary["concentration"]["giant_revenue_share_final"] = 0.999999
    lines = headline(summary)
    assert "giants' share of GPU purchases 99.9%" in lines[3]
    assert lines[4].endswith("giants' share >99.9%")
    assert format_value("share", 0.99855) == "99.9%" and percent(1.0) == "100%"
    assert [percent(x) for x in (0.5, 0.996, 0.05, 0.0)] == ["50%", "99.6%", "5.0%", "0.0%"]


def test_an_outcome_at_a_month_past_the_run_is_null_not_the_last_month(small_tables) -> None:
    """A 24-month run has no builder count at month 36: summary.json said the last
    month's count under that name (and "releases by month 13" in a 12-month run), which
    a sweep over the horizon then compared with real month-36 counts."""
    summary, metrics = small_tables.summary, small_tables.metrics
    assert int(metrics["month"].max()) == 23
    assert summary["startups"]["independent_builders_month_36"] is None
    at = metrics.set_index("month")
    assert summary["releases"]["by_month_13"] == at.loc[13, "releases_total_cum"]
    assert type(summary["releases"]["by_month_13"]) is int   # a count, not 215.0
    assert summary["concentration"]["giant_revenue_share_month_24"] is None
    assert all(v is None for v in summary["adoption_month_24"].values())


def test_the_compute_share_of_the_first_two_years_needs_two_years() -> None:
    """``compute_share_of_spend_24`` (months 0-23) of a 12-month run was the whole run's
    share under the two-year name, where every other outcome past the run is null."""
    short = simulate(small_config("horizon_months=12")).summary["startups"]
    assert short["compute_share_of_spend_24"] is None
    assert 0 < short["compute_share_of_spend"] < 1


def test_the_builders_at_month_36_are_the_count_of_month_36(baseline_tables) -> None:
    """independent_builders_month_36 is metrics.parquet's count in month 36 (zero-based:
    the start of the fourth year), not a month either side of it."""
    from sim.summary import _count_at

    at = baseline_tables.metrics.set_index("month")["independent_builders"]
    assert baseline_tables.summary["startups"]["independent_builders_month_36"] == at.loc[36]
    # the baseline's count may be the same a month either side: the reader, on counts that
    # differ, takes month 36's
    months = pd.DataFrame({"month": [35, 36, 37], "independent_builders": [1.0, 2.0, 3.0]})
    assert _count_at(months, "independent_builders", 36) == 2
    assert type(baseline_tables.summary["startups"]["independent_builders_month_36"]) is int


def test_summary_counts_pivots_and_listings_apart() -> None:
    """startups.pivots counts the pivot events and nothing else: a company that listed did
    not pivot (the baseline lists none, so a low bar makes some list here)."""
    t = simulate(small_config("startups.ipo_revenue_mcny_per_year=1",
                              "startups.ipo_window_hype=1.0"))
    kinds = t.events["kind"]
    assert t.summary["exits"]["ipo"] == (kinds == "ipo").sum() > 0
    assert t.summary["startups"]["pivots"] == (kinds == "pivot").sum() > 0


def test_summary_counts_the_startups_own_releases_by_kind(baseline_tables) -> None:
    """'original models released' (releases.by_kind.original) counts giants' and startups'
    together, and nearly all are giants': claim 1's effect of patient capital on the
    startups (5 to 20 originals) read as +16%. summary.json now gives the startups' own
    releases by kind, from the release events' actor type."""
    summary, events = baseline_tables.summary, baseline_tables.events
    releases = events[events["kind"] == "model_release"]
    theirs = releases[releases["actor_type"] == "startup"]["model_kind"]
    own = summary["releases"]["startups_by_kind"]
    assert own == {kind: int((theirs == kind).sum()) for kind in ("original", "shell",
                                                                  "assembled")}
    giants = releases[releases["actor_type"] == "giant"]["model_kind"]
    assert set(giants) == {"original"}   # so every shell and assembled model is a startup's
    assert summary["releases"]["by_kind"] == {"original": own["original"] + len(giants),
                                              "shell": own["shell"],
                                              "assembled": own["assembled"]}
    assert 0 < own["original"] < len(giants)


def test_summary_gives_data_purchases_and_the_mean_data_quality_at_the_end(
        baseline_tables) -> None:
    """summary.json had no data outcome, so "what if data were protected" (data.spillover)
    could not be compared with baimo-compare --outcome. It now counts the data-quality
    purchases (by giants and by startups) and gives the mean data quality of the firms
    in business at the end: metrics.parquet's last data_quality_mean."""
    from sim.markets.funding import IN_BUSINESS

    model, summary, events = baseline_tables.model, baseline_tables.summary, \
        baseline_tables.events
    data = summary["data"]
    buyers = events.loc[events["kind"] == "data_purchase", "actor_type"]
    assert data["purchases"] == len(buyers) == data["purchases_giants"] + \
        data["purchases_startups"]
    assert data["purchases_giants"] == (buyers == "giant").sum() > 0
    assert data["purchases_startups"] == (buyers == "startup").sum() > 0
    firms = [g.id for g in model.giants] + [s.id for s in model.startups
                                            if model.world.funding.outcome(s.id) in IN_BUSINESS]
    assert data["quality_mean_final"] == baseline_tables.metrics["data_quality_mean"].iloc[-1]
    assert data["quality_mean_final"] == pytest.approx(
        left_sum(model.world.data.quality(f) for f in firms) / len(firms))


def test_a_run_without_model_builders_has_no_peak_month() -> None:
    """With no startup founded there is never an independent builder: the peak month of an
    all-zero count was its first month, which summary.json gave as a date (month 0)."""
    summary = simulate(small_config("horizon_months=12", "buyers.count=50",
                                "startups.base_founding_rate=0")).summary
    assert summary["startups"]["independent_builders_peak"] == 0
    assert summary["startups"]["independent_builders_peak_month"] is None


def test_a_segment_with_no_buyers_has_no_adoption_rather_than_none_adopting(tmp_path) -> None:
    """All buyers in one segment: the others' adoption is undefined (null in the metrics
    and the summary, no line in the plot), not 0, which read as a segment that refused
    every offer; the run still meets every invariant and writes every plot."""
    from sim.run import write_run

    tables = simulate(small_config("buyers.segment_shares=[0,1,0,0]", "horizon_months=24"))
    invariants.check_all(tables)
    m = tables.metrics
    assert m["adoption_large_digital"].notna().all() and m["adoption_large_digital"].max() > 0
    for seg in ("gov_soe", "traditional", "sme"):
        assert m[f"adoption_{seg}"].isna().all()
        assert tables.summary["adoption_final"][seg] is None
        assert tables.summary["adoption_month_24"][seg] is None
    from sim.plots import plot_adoption

    legend = plot_adoption(m, tables.events).axes[0].get_legend()
    assert [text.get_text() for text in legend.get_texts()] == ["large digitised"]   # its label
    write_run(tables, tmp_path / "run")
    assert (tmp_path / "run" / "plots").is_dir()


def test_a_world_without_funds_writes_the_whole_contract(tmp_path) -> None:
    """No fund at the start and none founded: the funds table is empty but typed, and the
    fund returns plot says there was no fund (it stopped with a ValueError traceback on
    the empty table's untyped sizes, after the tables were written)."""
    run(small_config("funds.initial_count=0", "funds.vintage_rate_per_month=0"), tmp_path / "r")
    out = read_run(tmp_path / "r")
    assert out.funds.empty and tuple(out.funds.columns) == FUND_COLUMNS
    assert out.funds["tvpi"].dtype == float and out.funds["closed"].dtype == bool
    figs = build_all(out.metrics, out.events, out.funds)
    assert "no fund in this run" in figs["fund_returns"].axes[1].get_title()


def test_reading_an_unfinished_run_fails_with_one_line(tmp_path) -> None:
    with pytest.raises(OutputError, match="no such run directory"):
        read_run(tmp_path / "missing")
    (tmp_path / "half").mkdir()
    (tmp_path / "half" / "events.parquet").write_bytes(b"garbage")
    with pytest.raises(OutputError, match="not a finished run"):
        read_run(tmp_path / "half")
    (tmp_path / "half" / COMPLETE).write_text("complete\n")
    with pytest.raises(OutputError, match="unreadable run output"):
        read_run(tmp_path / "half")


def test_plots_show_what_their_titles_say(small_tables) -> None:
    figs = build_all(small_tables.metrics, small_tables.events, small_tables.funds)
    assert len(figs) == 6
    titles = {name: fig._suptitle.get_text() for name, fig in figs.items()}
    assert titles["entry_shakeout"] == "Entry burst and shake-out"
    assert titles["fund_returns"] == "Fund returns by term"
    top = figs["entry_shakeout"].axes[0]
    assert {line.get_label() for line in top.get_lines()} >= {"original", "shell", "assembled"}
    for name, fig in figs.items():
        for ax in fig.axes:
            if ax.get_lines() or ax.collections or ax.patches:
                assert ax.get_ylabel(), f"{name} has an unlabelled axis"
    compute = figs["compute"].axes[0]
    assert "A100" in compute.get_ylabel()
    # fund returns: TVPI to the LPs beside the gross multiple of what each fund invested
    net, gross = figs["fund_returns"].axes
    funds = small_tables.funds
    assert "TVPI" in net.get_ylabel() and "gross multiple" in gross.get_ylabel()
    assert len(net.collections[0].get_offsets()) == funds["tvpi"].notna().sum()
    assert len(gross.collections[0].get_offsets()) == funds["gross_multiple"].notna().sum()
    idle = int((funds["invested_mcny"] <= 0).sum())
    assert f"{idle} of {len(funds)} funds invested nothing" in gross.get_title()
    # calendar dates: the first tick label of a time axis is a year
    figs["adoption"].canvas.draw()
    labels = [t.get_text() for t in figs["adoption"].axes[0].get_xticklabels() if t.get_text()]
    assert labels and labels[0].isdigit() and len(labels[0]) == 4


def test_a_run_pauses_the_cyclic_garbage_collector_and_restores_it() -> None:
    """The collector is off while the model runs (issue 6: ~6% of a 100k-buyer run) and
    is left as the caller had it."""
    import gc

    from sim.model import MarketModel

    model = MarketModel(small_config("horizon_months=12"))
    seen: list[bool] = []

    def probe():
        while True:
            seen.append(gc.isenabled())
            yield model.world.env.timeout(1)

    model.world.env.process(probe())
    assert gc.isenabled()
    model.run()
    assert seen and not any(seen)
    assert gc.isenabled()
    gc.disable()
    try:
        MarketModel(small_config("horizon_months=12")).run()
        assert not gc.isenabled()   # a caller that turned it off keeps it off
    finally:
        gc.enable()


def test_the_startup_census_counts_what_the_plain_definitions_count() -> None:
    """The recorder's one pass over the startups gives, month after month, the counts
    and GPU sums of the plain definitions (one sum per column, in founding order)."""
    from sim.markets.funding import Outcome
    from sim.model import MarketModel

    model = MarketModel(small_config("horizon_months=36", "startups.base_founding_rate=3.6",
                                     "startups.ipo_revenue_mcny_per_year=1"))
    w = model.world
    c = w.compute
    censuses = []
    outcomes_seen: set[str] = set()

    def probe():
        while True:
            census = model.recorder.startup_census()
            active = [s for s in model.startups
                      if w.funding.outcome(s.id) in (Outcome.ACTIVE, Outcome.IPO)]
            assert census.in_business == len(active)
            assert census.independent_builders == sum(
                1 for s in active if s.is_model_builder and s.releases > 0)
            assert census.pivoted == sum(1 for s in active if s.pivoted)
            # GPUs added one company after the other (left_sum: as the census adds them)
            assert census.gpus_owned == left_sum(c.owned(s.id) for s in active)
            assert census.gpus_rented == left_sum(c.rented(s.id) for s in active)
            assert census.gpus_purchased_cum == left_sum(c.purchased(s.id)
                                                         for s in model.startups)
            censuses.append(census)
            outcomes_seen.update(w.funding.outcome(s.id) for s in model.startups)
            yield w.env.timeout(1)

    w.env.process(probe())
    model.run()
    assert len(censuses) == 36
    # the run reached every case the census tells apart
    assert outcomes_seen == {Outcome.ACTIVE, Outcome.ACQUIRED, Outcome.BANKRUPT, Outcome.IPO}
    assert max(x.pivoted for x in censuses) > 0
    assert max(x.independent_builders for x in censuses) > 0
    assert max(x.gpus_owned for x in censuses) > 0
    assert max(x.gpus_rented for x in censuses) > 0


def test_a_run_records_the_commit_of_the_checkout_that_ran_it(small_tables,
                                                               tmp_path: Path) -> None:
    """A replicator could not tell which code ran a run: model_code is a hash no commit
    maps back to, and the version has been 0.1.0 throughout. summary.json's environment
    now names the git commit, and whether the checkout had changes not committed."""
    from sim.summary import NOT_A_CHECKOUT, SIM_PACKAGE, UNCOMMITTED, git_commit

    recorded = small_tables.summary["environment"]["git_commit"]
    if (SIM_PACKAGE.parent / ".git").exists():
        assert re.fullmatch(r"[0-9a-f]{40}( \+ uncommitted changes)?", recorded), recorded
    assert git_commit(tmp_path) == NOT_A_CHECKOUT
    repo = tmp_path / "repo"
    repo.mkdir()

    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t",
                        *args], check=True, capture_output=True)

    git("init", "-q")
    (repo / "a.txt").write_text("a")
    git("add", "a.txt")
    git("commit", "-q", "-m", "a")
    assert re.fullmatch(r"[0-9a-f]{40}", git_commit(repo))
    (repo / "a.txt").write_text("b")
    assert git_commit(repo).endswith(UNCOMMITTED)
    (repo / "sub").mkdir()
    assert git_commit(repo / "sub") == NOT_A_CHECKOUT   # not the checkout's top: not its code


# ---------------------------------------- outputs a mutation test found unchecked (2026-12-07)
def test_the_price_index_is_the_mean_api_price_against_month_0s(small_tables) -> None:
    """OUTPUTS.md: ``maas_price_index`` is ``maas_price_cny_per_mtok`` as an index, month 0 =
    100. A mutation test re-based it every month (always 100) and only the golden run
    noticed."""
    m = small_tables.metrics
    price = m["maas_price_cny_per_mtok"]
    assert m["maas_price_index"].iloc[0] == 100.0
    assert np.allclose(m["maas_price_index"], 100.0 * price / price.iloc[0], rtol=1e-12)
    assert (m["maas_price_index"] != 100.0).any()   # the price moved in the run


def test_the_best_capability_is_any_firms_not_the_best_general_models() -> None:
    """OUTPUTS.md: ``best_capability`` is the best of any firm's latest model, a startup's
    too. A mutation test read the best general model's instead and no test failed."""
    from sim.model import MarketModel

    model = MarketModel(small_config())
    board = model.world.leaderboard
    board.post("giant:Baidu", 50.0, general=True, month=0.0)
    board.post("startup:1", 62.0, general=False, month=0.0)
    assert model.recorder.snapshot()["best_capability"] == 62.0


def test_active_funds_leave_out_the_closed(baseline_tables) -> None:
    """OUTPUTS.md: ``funds_active`` counts funds raised and not yet closed: at the end, the
    funds of funds.parquet not closed. A mutation test counted the closed too and no test
    failed."""
    funds = baseline_tables.funds
    assert funds["closed"].any()
    assert baseline_tables.metrics["funds_active"].iloc[-1] == (~funds["closed"]).sum()


def test_the_first_years_gpu_price_peak_is_of_months_0_to_11(baseline_tables) -> None:
    """OUTPUTS.md: compute.gpu_price_peak_first_year_ratio is the highest GPU price of months
    0-11 over the initial price. A mutation test let month 12 in and only the golden run
    noticed."""
    m = baseline_tables.metrics
    from sim.configuration import compose

    price0 = compose([]).compute.initial_gpu_price_mcny
    ratio = baseline_tables.summary["compute"]["gpu_price_peak_first_year_ratio"]
    assert ratio == m.loc[m["month"] <= 11, "gpu_price_mcny"].max() / price0
    assert ratio != m.loc[m["month"] <= 12, "gpu_price_mcny"].max() / price0   # still rising
