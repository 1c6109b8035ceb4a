"""baimo-explain: firm stories checked sentence by sentence against the event log."""

from __future__ import annotations

import json
import math
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from broken_runs import corrupted_copy, one_line_error, unfinished_copy

from sim.explain import (
    ExplainError,
    _buyer_count,
    known_actors,
    main,
    notable,
    resolve_actor,
    story,
)
from sim.outputs import COMPLETE, EVENTS, RunOutputs, read_run
from sim.sweep.spec import FAILED
from sim.teaching.calendar import month_label, month_with_index
from sim.teaching.measures import format_value


@pytest.fixture(scope="module")
def run(run_dir: Path) -> RunOutputs:
    return read_run(run_dir)


def _money(x: float) -> str:
    return f"{x:,.0f} million CNY" if abs(x) >= 10 else f"{x:,.1f} million CNY"


def _events(run: RunOutputs, kind: str, actor: str) -> pd.DataFrame:
    e = run.events
    return e[(e["kind"] == kind) & (e["actor"] == actor)]


def _most(run: RunOutputs, kind: str) -> str:
    e = run.events
    return str(e.loc[e["kind"] == kind, "actor"].value_counts().index[0])


def test_rounds_match_the_event_log(run: RunOutputs) -> None:
    actor = _most(run, "round_closed")
    rounds = _events(run, "round_closed", actor)
    lines = story(run, actor)
    told = [s for s in lines if " closed round " in s]
    assert len(told) == len(rounds) >= 2
    start = str(run.summary["start_date"])
    for sentence, (_, r) in zip(told, rounds.iterrows(), strict=True):
        assert sentence.startswith(f"In {month_label(r['month'], start)} it closed round "
                                   f"{int(r['stage'])}:")
        assert _money(r["amount_mcny"]) in sentence
        assert f"post-money valuation of {_money(r['valuation_mcny'])}" in sentence
        lead = str(r["counterparty"]).replace(":", " ")
        assert sentence.rstrip(".").split("led by ")[1].startswith(lead)
        assert ("down round" in sentence) == bool(r["down_round"])


def test_a_down_round_is_told_by_its_pre_money_against_the_last_post_money(
        run: RunOutputs) -> None:
    """A round is down when its price (the pre-money) is below the last post-money; the
    story printed the post-money, often above the last one, and called it "below its
    previous valuation" (438 of 1,148 down rounds in a probe's runs). The timeline too."""
    from sim.teaching.timeline import notable_events

    rounds = run.events[run.events["kind"] == "round_closed"]
    down = rounds[rounds["down_round"].fillna(False).astype(bool)]
    assert not down.empty
    for actor in down["actor"].unique()[:5]:
        own = rounds[rounds["actor"] == actor]
        told = [s for s in story(run, str(actor)) if " closed round " in s]
        assert len(told) == len(own)
        for i in range(1, len(own)):
            r, prev, sentence = own.iloc[i], own["valuation_mcny"].iloc[i - 1], told[i]
            if not r["down_round"]:
                continue
            pre = r["valuation_mcny"] - r["amount_mcny"]
            assert pre < prev
            assert (f"a pre-money valuation of {_money(pre)}, below the previous round's "
                    f"post-money of {_money(prev)}") in sentence
    first = down.iloc[0]
    before = rounds[(rounds["actor"] == first["actor"]) & (rounds.index < first.name)]
    (entry,) = [x.text for x in notable_events(run) if x.text.startswith("First down round")]
    assert entry.endswith(f"raises at a pre-money valuation of "
                          f"{_money(first['valuation_mcny'] - first['amount_mcny'])}, below "
                          f"its last post-money valuation of "
                          f"{_money(before['valuation_mcny'].iloc[-1])}")


def test_founding_kind_domain_and_capital(run: RunOutputs) -> None:
    e = run.events
    f = e[e["kind"] == "founded"].iloc[5]
    first = story(run, str(f["actor"]))[0]
    start = str(run.summary["start_date"])
    assert first.startswith(f"{str(f['actor']).replace(':', ' ')} was founded in "
                            f"{month_with_index(f['month'], start)}")
    assert str(f["model_kind"]) in first
    assert (str(f["domain"]) in first) or (f["domain"] == "general" and "general-purpose" in first)
    assert _money(f["amount_mcny"]) in first


def test_bankruptcy_month_and_reason(run: RunOutputs) -> None:
    e = run.events
    bankrupt = e[e["kind"] == "bankrupt"]
    assert not bankrupt.empty, "the small run is expected to hold a bankruptcy"
    b = bankrupt.iloc[0]
    lines = story(run, str(b["actor"]))
    start = str(run.summary["start_date"])
    assert lines[-1] == (f"How it ended: it went bankrupt in {month_with_index(b['month'], start)}"
                         f": it {b['reason']}.")
    assert sum("How it ended" in s for s in lines) == 1


def test_acquisition_releases_and_compute(run: RunOutputs) -> None:
    e = run.events
    a = e[e["kind"] == "acquired"].iloc[0]
    actor = str(a["actor"])
    lines = story(run, actor)
    ending = [s for s in lines if s.startswith("How it ended")]
    assert len(ending) == 1
    assert str(a["counterparty"]).partition(":")[2] in ending[0]
    assert _money(a["amount_mcny"]) in ending[0]
    assert ("distressed sale" in ending[0]) == (a["reason"] == "distressed")
    releases = _events(run, "model_release", actor)
    told = [s for s in lines if " released " in s]
    if len(releases) <= 4:
        assert len(told) == len(releases)
    rent = _events(run, "gpu_rental", actor)
    if not rent.empty:
        text = next(s for s in lines if s.startswith("It rented cloud GPUs"))
        assert f"{rent['gpus'].sum():,.0f} GPU-months" in text


def test_giant_counts_prices_and_gpus(run: RunOutputs) -> None:
    actor = _most(run, "gpu_purchase")
    assert actor.startswith("giant:")
    lines = story(run, actor)
    buys = _events(run, "gpu_purchase", actor)
    text = next(s for s in lines if "GPUs" in s and ("ordered" in s or "bought" in s))
    if len(buys) > 4:
        assert f"ordered GPUs {len(buys)} times, {buys['gpus'].sum():,.0f} in all" in text
    prices = _events(run, "price_change", actor)
    if not prices.empty:
        p = next(s for s in lines if "changed its API price" in s)
        assert f"{len(prices)} time" in p
        assert f"{prices['price'].iloc[-1]:.2f} CNY per million tokens" in p


def test_fund_story_matches_its_row(run: RunOutputs) -> None:
    e = run.events
    fund = str(e.loc[e["kind"] == "round_closed", "counterparty"].value_counts().index[0])
    lines = story(run, fund)
    led = e[(e["kind"] == "round_closed") & (e["counterparty"] == fund)]
    assert any(f"It led {len(led)} round" in s for s in lines)
    row = run.funds[run.funds["fund"] == fund].iloc[0]
    assert row["in_kind_mcny"] == 0 and row["tvpi"] == row["tvpi_outcome"]
    assert lines[-1].endswith(f"TVPI {row['tvpi']:.2f}, DPI {row['dpi']:.2f}"
                              + (f", IRR {100 * row['irr']:.1f}% a year." if pd.notna(row["irr"])
                                 else "."))
    # a fund that led rounds invested: what, and what it became, from its row
    assert lines[-2].startswith(f"It invested {_money(float(row['invested_mcny']))} "
                                f"({format_value('share', row['invested_share'])} of its "
                                "commitment)")
    assert lines[-2].endswith(f": {row['gross_multiple']:.2f} times what it invested.")
    # exit proceeds count acquisitions and listings too: "back for stakes it sold" gave a
    # sum beside the secondaries' own ("sold 4 stakes for 50 million", then "got 59 back")
    assert f"got {_money(float(row['exit_proceeds_mcny']))} back from its exits (stakes sold " \
           "in secondaries, startups acquired or listed)" in lines[-2]
    idle = run.funds[run.funds["invested_mcny"] == 0]
    if not idle.empty:
        assert story(run, str(idle["fund"].iloc[0]))[-2].startswith("It invested nothing")
    # its LPs paid in what it called, of what they committed
    assert lines[-1].startswith(f"Over its life its LPs paid in "
                                f"{_money(float(row['paid_in_mcny']))} of the "
                                f"{_money(float(row['size_mcny']))} they committed")
    closed = e[(e["kind"] == "fund_closed") & (e["actor"] == fund)]
    if not closed.empty:
        cash = float(closed["amount_mcny"].iloc[0])
        end = next(s for s in lines if s.startswith("How it ended"))
        assert (f"paid out its last {_money(cash)} of cash" if cash > 0
                else "had no cash left to pay out") in end


def test_pivot_sentence(run: RunOutputs) -> None:
    e = run.events
    p = e[e["kind"] == "pivot"].iloc[0]
    lines = story(run, str(p["actor"]))
    text = next(s for s in lines if "pivoted" in s)
    assert str(p["counterparty"]).partition(":")[2] in text
    assert str(p["reason"]) in text


def test_notable_actors_name_real_extremes(run: RunOutputs) -> None:
    rows = dict(notable(run))
    e = run.events
    rounds = e[e["kind"] == "round_closed"]
    biggest = rounds.loc[rounds["amount_mcny"].idxmax()]
    assert "biggest single round" in rows[str(biggest["actor"])]
    assert all(a in {*e["actor"].astype(str), *run.funds["fund"]} for a in rows)


def test_a_fund_that_only_followed_is_told_its_tickets(run: RunOutputs) -> None:
    """A follower's tickets were in no event: such a fund's story said it never led a round
    and that rounds it followed were not logged, then that it invested millions."""
    e = run.events
    tickets = e[e["kind"] == "investment"]
    leads = set(e.loc[e["kind"] == "round_closed", "counterparty"])
    follower = next(f for f in tickets.loc[tickets["reason"] == "follow", "actor"]
                    if f not in leads)
    followed = tickets[(tickets["actor"] == follower) & (tickets["reason"] == "follow")]
    lines = story(run, follower)
    assert "It never led a round." in lines
    assert any(s.startswith(f"It followed other funds' lead in {len(followed)} round")
               and f"putting in {_money(float(followed['amount_mcny'].sum()))} in all" in s
               for s in lines)
    assert not any("not in the event log" in s for s in lines)


def test_the_worst_fund_named_is_one_that_invested(run: RunOutputs) -> None:
    """Funds raised before the boom whose window closed unused lose only their fees (TVPI
    0): the listing named one of them the worst fund return, which says nothing of the
    market; it now names the worst among the funds that invested, with what it invested."""
    f = run.funds
    assert (f["invested_mcny"] == 0).any() and (f["invested_mcny"] > 0).sum() >= 2
    invested = f[f["invested_mcny"] > 0].dropna(subset=["tvpi_outcome"])
    worst = invested.loc[invested["tvpi_outcome"].idxmin()]
    assert worst["tvpi"] == worst["tvpi_outcome"]   # no stakes in kind: one TVPI told
    rows = dict(notable(run))
    assert f"worst fund return: TVPI {worst['tvpi']:.2f} on {_money(worst['invested_mcny'])}" \
        in rows[worst["fund"]]
    never = set(f.loc[f["invested_mcny"] == 0, "fund"])
    assert not [a for a, why in rows.items() if a in never and "fund return" in why]


def test_a_fund_that_passed_stakes_in_kind_is_told_and_ranked_at_what_they_came_to(
        run: RunOutputs) -> None:
    """A closing fund passes the stakes it could not sell to its LPs at their last rounds'
    prices; its TVPI counts them at that, and what they came to can be far from it (seed 42:
    TVPI 1.20 at the close, 0.05 at outcome, named the best fund return). Its story gives
    both, and the listing ranks funds by what their LPs got in the end (``tvpi_outcome``)."""
    f = run.funds
    passed = f[f["in_kind_mcny"] > 0]
    assert len(passed) == 1   # the small run's one (its stakes came to more than at the close)
    x = passed.iloc[0]
    assert f"{x['tvpi']:.2f}" != f"{x['tvpi_outcome']:.2f}"
    lines = story(run, x["fund"])
    assert any(f"by the end of the run they came to {_money(x['in_kind_outcome_mcny'])}" in s
               for s in lines)
    told = (f"TVPI {x['tvpi']:.2f} ({x['tvpi_outcome']:.2f} with the stakes passed in kind at "
            "what they came to), DPI")
    assert told in lines[-1]
    invested = f[f["invested_mcny"] > 0].dropna(subset=["tvpi_outcome"])
    best = invested.loc[invested["tvpi_outcome"].idxmax()]
    assert best["fund"] == x["fund"] != invested.loc[invested["tvpi"].idxmax(), "fund"]
    assert dict(notable(run))[best["fund"]].startswith(f"best fund return: {told[:-5]}")


def test_the_listing_names_buyers_that_acted(run: RunOutputs) -> None:
    """The listing named no buyer, and the docs' example (buyer:12) had no events in most
    lesson runs: most of thousands of buyers never act. It now names the first buyer to
    adopt and the one that signed the most deals, and their stories have something to tell."""
    e = run.events
    signed = e[(e["kind"] == "contract_signed") & (e["actor_type"] == "buyer")]
    first, busiest = signed.iloc[0], signed["actor"].value_counts()
    rows = dict(notable(run))
    assert "first buyer to adopt a large model" in rows[str(first["actor"])]
    assert f"most deals signed by a buyer: {int(busiest.iloc[0])}" in rows[busiest.index[0]]
    assert (signed["actor"] == busiest.index[0]).sum() == busiest.max()
    assert not any("never adopted" in line for line in story(run, busiest.index[0]))


def test_resolve_actor_spellings(run: RunOutputs) -> None:
    e = run.events
    assert resolve_actor(e, "3") == "startup:3"
    assert resolve_actor(e, "startup 3") == "startup:3"
    assert resolve_actor(e, "baidu") == "giant:Baidu"
    with pytest.raises(ExplainError, match="unknown actor 'startup:99999'"):
        resolve_actor(e, "startup:99999")
    acted = known_actors(e)
    quiet = next(f"buyer:{i}" for i in range(10**6) if f"buyer:{i}" not in acted)
    with pytest.raises(ExplainError, match=f"{quiet} has no events in this run"):
        resolve_actor(e, quiet)   # a buyer that never acted: not "unknown"


def _error(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    return one_line_error(main, "baimo-explain", capsys, argv)


def test_cli_story_and_listing(run_dir: Path, run: RunOutputs,
                               capsys: pytest.CaptureFixture[str]) -> None:
    main([str(run_dir)])
    out = capsys.readouterr().out
    assert out.startswith("Notable actors in ")
    assert re.search(r"^\s+startup:\d+\s", out, flags=re.MULTILINE)
    actor = _most(run, "round_closed")
    main([str(run_dir), actor])
    out = capsys.readouterr().out.splitlines()
    assert out == story(run, actor)


def test_cli_bad_inputs(run_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert "no such run directory" in _error(capsys, [str(tmp_path / "missing")])
    empty = tmp_path / "empty"
    empty.mkdir()
    assert "no COMPLETE marker" in _error(capsys, [str(empty)])
    half = unfinished_copy(run_dir, tmp_path / "half")
    assert "not a finished run" in _error(capsys, [str(half)])
    broken = corrupted_copy(run_dir, tmp_path / "broken", EVENTS)
    assert "unreadable run output" in _error(capsys, [str(broken)])
    assert "unknown actor 'fund:77777'" in _error(capsys, [str(run_dir), "fund:77777"])
    sweep = tmp_path / "sweep"
    shutil.copytree(run_dir, sweep / "job-a")
    shutil.copytree(run_dir, sweep / "job-b")
    assert "holds 2 runs" in _error(capsys, [str(sweep)])
    shutil.rmtree(sweep / "job-b")
    assert f"not a run directory; the run in it is {sweep / 'job-a'}" in _error(
        capsys, [str(sweep)])


def test_an_actor_split_in_two_by_the_shell_says_how_to_write_it(
        run_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``baimo-explain RUN startup 17`` (the id's colon written as a space, unquoted): argparse
    said only "unrecognized arguments: 17". Any other argument too many is refused as it was."""
    for given, written in [(["startup", "17"], "startup:17"), (["giant", "Baidu"], "giant:Baidu"),
                           (["Fund", "3"], "fund:3"), (["buyer", "5"], "buyer:5")]:
        line = _error(capsys, [str(run_dir), *given])
        assert f"unrecognized arguments: {given[1]}; write the actor as {written} " in line
    for given in (["startup", "17", "18"], ["17", "18"], ["startup", "--deep"]):
        line = _error(capsys, [str(run_dir), *given])
        assert "unrecognized arguments" in line and "write the actor" not in line


def test_the_listings_hint_is_ready_to_paste_into_a_shell(
        run_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The listing's "ask: baimo-explain RUN ACTOR" gave a run folder with a space bare."""
    spaced = shutil.copytree(run_dir, tmp_path / "my runs" / "run")
    main([str(spaced)])
    first = capsys.readouterr().out.splitlines()[0]
    assert f"(ask: baimo-explain '{spaced}' ACTOR):" in first


def test_a_run_is_looked_for_only_as_deep_as_baimo_puts_one(
        run_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A lesson's run three levels down is named; a deeper one is not looked for (the
    search walked the whole tree: ``baimo-explain /`` read the whole file system)."""
    lesson = tmp_path / "lessons" / "lesson"
    run = shutil.copytree(run_dir, lesson / "runs" / "scenario" / "rep-0")
    assert f"the run in it is {run}" in _error(capsys, [str(lesson)])
    assert "not a finished run (no COMPLETE marker)" in _error(capsys, [str(lesson.parent)])


def test_a_buyer_that_never_acted_in_a_run_where_none_did(run: RunOutputs) -> None:
    """The refusal lists buyers that did act; with none, it says so (it ended "e.g. ")."""
    e = run.events
    quiet = e[~e["actor"].astype(str).str.startswith("buyer:")]
    with pytest.raises(ExplainError, match=r"signed or subscribed\); no buyer has$"):
        resolve_actor(quiet, "buyer:1")
    one = e[e["actor"].astype(str).str.startswith("buyer:")].iloc[:1]
    with pytest.raises(ExplainError, match=r"; 1 buyer has, e\.g\. buyer:\d+$"):
        resolve_actor(pd.concat([quiet, one]), "buyer:999999")


def test_a_buyer_the_run_never_had_is_not_one_that_never_acted(
        run: RunOutputs, capsys: pytest.CaptureFixture[str]) -> None:
    """buyer:5 of a one-buyer run was said to have "no events in this run"; the run's
    config.json says how many buyers it has."""
    with pytest.raises(ExplainError, match=r"^buyer:999999 is not in this run: it has 1 "
                                           r"buyer \(buyer:0 only\)$"):
        resolve_actor(run.events, "buyer:999999", buyers=1)
    with pytest.raises(ExplainError, match=r"it has 300 buyers \(buyer:0 to buyer:299\)$"):
        resolve_actor(run.events, "buyer:999999", buyers=300)
    count = json.loads((run.path / "config.json").read_text())["buyers"]["count"]
    assert _buyer_count(run) == count
    assert f"buyer:{count} is not in this run: it has {count:,} buyers" in _error(
        capsys, [str(run.path), f"buyer:{count}"])


def _with_events(run: RunOutputs, rows: pd.DataFrame) -> RunOutputs:
    """The run with ``rows`` (a slice of its own events, edited) added to its event log."""
    events = pd.concat([run.events, rows], ignore_index=True).sort_values("month", kind="stable")
    return RunOutputs(run.path, events.reset_index(drop=True), run.metrics, run.funds,
                      run.summary)


def test_stakes_passed_in_kind_are_not_written_off_in_a_startups_story(run: RunOutputs) -> None:
    """A closing fund passes its unsold stakes to its LPs in kind (a ``write_off`` with reason
    term_ended): a startup alive at the run's end read "fund 40 wrote off 4.3 million CNY
    invested in it". The handover is told as one, dated; "wrote off" is kept for losses."""
    e = run.events
    passed = e[(e["kind"] == "write_off") & (e["reason"] == "term_ended")]
    assert not passed.empty, "the small run is expected to hold a fund's in-kind distribution"
    p = passed.iloc[0]
    startup, fund = str(p["counterparty"]), str(p["actor"])
    lines = story(run, startup)
    assert not [s for s in lines if "wrote off" in s]
    handed = [s for s in lines if "in kind" in s]
    assert len(handed) == 1 and "not a loss" in handed[0]
    mine = passed[passed["counterparty"] == startup]
    start = str(run.summary["start_date"])
    assert (f"{fund.replace(':', ' ')} in {month_label(p['month'], start)} "
            f"({_money(float(mine['amount_mcny'].iloc[0]))} invested)") in handed[0]
    assert lines.index(handed[0]) < lines.index(next(s for s in lines if "How it ended" in s))
    # a stake lost when the company went bankrupt is still a write-off, and only it is summed
    lost = pd.DataFrame([p]).assign(actor="fund:77777", amount_mcny=7.5, reason="bankrupt")
    lines = story(_with_events(run, lost), startup)
    assert lines[-1] == "fund 77777 wrote off 7.5 million CNY invested in it."
    assert sum("in kind" in s for s in lines) == 1


def test_a_bare_number_that_is_a_giants_name_and_a_startups(run: RunOutputs) -> None:
    """'360' is a giant's name (conf/giants): every bare number was taken for a startup, so
    `baimo-explain RUN 360` told startup 360's story in a big run and was refused, with
    "giants 360, ..." in the message, in a small one. A number that is both is ambiguous."""
    e = run.events
    assert "giant:360" in set(e["actor"]) and "startup:360" not in known_actors(e)
    assert resolve_actor(e, "360") == "giant:360"
    assert resolve_actor(e, "3") == "startup:3"
    founded = e[e["kind"] == "founded"].iloc[[0]].assign(actor="startup:360")
    both = _with_events(run, founded).events
    with pytest.raises(ExplainError, match=r"^'360' is both a giant's name and a startup's "
                                           r"number; say giant:360 or startup:360$"):
        resolve_actor(both, "360")
    assert resolve_actor(both, "giant:360") == "giant:360"
    assert resolve_actor(both, "startup 360") == "startup:360"
    assert resolve_actor(both, "0360") == "startup:360"


@pytest.mark.parametrize("text", ["³", "buyer:²", "buyer ¹²"], ids=["3", "buyer:2", "buyer 12"])
def test_a_superscript_number_is_an_unknown_actor_not_a_traceback(run: RunOutputs,
                                                                  text: str) -> None:
    """str.isdigit() takes '³' for a number that int() then refuses: a traceback."""
    with pytest.raises(ExplainError, match=f"^unknown actor {text!r}"):
        resolve_actor(run.events, text, buyers=1)


def test_a_small_share_of_a_commitment_is_not_zero(run: RunOutputs) -> None:
    """A fund that invested 0.12% of its commitment read "(0% of its commitment)"."""
    funds = run.funds[run.funds["invested_mcny"] > 0]
    least = funds.loc[funds["invested_share"].idxmin()]
    assert 0.0005 <= least["invested_share"] < 0.01, "the small run's least invested share"
    told = story(run, str(least["fund"]))[-2]
    assert f"({100 * least['invested_share']:.1f}% of its commitment)" in told
    tiny = run.funds.assign(invested_share=run.funds["invested_share"].where(
        run.funds["fund"] != least["fund"], 0.0004))
    edited = RunOutputs(run.path, run.events, run.metrics, tiny, run.summary)
    assert "(under 0.1% of its commitment)" in story(edited, str(least["fund"]))[-2]


def test_a_funds_close_is_told_after_what_it_never_did(run: RunOutputs) -> None:
    """The stakes a fund passes to its LPs in kind at its close were told, dated at the
    close, before the undated "It never led a round": general statements come before how
    it ended, and the handover, part of the close, with it."""
    e = run.events
    funds = e.loc[(e["kind"] == "write_off") & (e["reason"] == "term_ended"), "actor"].unique()
    never = 0
    for fund in funds:
        lines = story(run, str(fund))
        end = next(i for i, s in enumerate(lines) if s.startswith("How it ended"))
        handed = next(i for i, s in enumerate(lines) if "passed them to its LPs in kind" in s)
        assert end + 1 == handed
        nevers = [i for i, s in enumerate(lines) if s.startswith("It never")]
        assert all(i < end for i in nevers)
        never += len(nevers)
    assert never, "the small run is expected to hold a fund that passed stakes and never led"


def test_a_failed_sweep_job_is_called_failed(run_dir: Path, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    """A sweep job that failed (a FAILED marker, sim.sweep.task, and no COMPLETE one) was "not
    a finished run (no COMPLETE marker)"; baimo-report says the job failed, and so does this."""
    sweep = tmp_path / "sweep"
    jobs = [shutil.copytree(run_dir, sweep / name) for name in ("job-a", "job-b")]
    for job in jobs:
        (job / COMPLETE).unlink()
        (job / FAILED).write_text('{"error": "boom", "log": "baimo.log"}', encoding="utf-8")
    told = _error(capsys, [str(jobs[0])]).rstrip()
    assert told == (f"baimo-explain: error: {jobs[0]}: the job failed (see {jobs[0] / FAILED} "
                    "and its log); no story to tell")
    told = _error(capsys, [str(sweep)]).rstrip()
    assert told == (f"baimo-explain: error: {sweep} holds no finished run: 2 jobs failed (see "
                    f"their FAILED markers and logs, e.g. {jobs[0] / FAILED})")


def test_a_fund_that_invested_nothing_is_told_why(run: RunOutputs) -> None:
    """The reason is the run's: it stopped investing before the run began, or no round was
    sought, or none closed, while it could invest; only when rounds closed then is it
    their hurdle (a fixed sentence said so of a world where no startup was ever founded)."""
    funds = run.funds.copy()
    fund = str(funds["fund"].iloc[0])
    funds.loc[0, ["invested_mcny", "invested_share", "vintage_month"]] = [0.0, 0.0, -3.0]
    funds.loc[0, "investing_until_month"] = 14.0
    e = run.events

    def told(events: pd.DataFrame, table: pd.DataFrame = funds) -> str:
        lines = story(RunOutputs(run.path, events, run.metrics, table, run.summary), fund)
        return next(s for s in lines if s.startswith("It invested nothing: "))

    start = str(run.summary["start_date"])
    window = f"from {month_label(0, start)} to {month_label(14, start)}"
    rounds = e[e["kind"].isin(("round_closed", "round_failed")) & (e["month"] < 14)]
    closed = int((rounds["kind"] == "round_closed").sum())
    assert closed > 0
    assert told(e) == (f"It invested nothing: while it could invest ({window}) {closed:,} "
                       "rounds closed, but none with room left for it cleared its hurdle.")
    failed_only = e.astype({"kind": object})   # every round failed to fill
    failed_only.loc[failed_only["kind"] == "round_closed", "kind"] = "round_failed"
    assert told(failed_only) == (f"It invested nothing: none of the {len(rounds):,} rounds "
                                 f"startups sought while it could invest ({window}) closed.")
    no_rounds = e[~e["kind"].isin(("round_closed", "round_failed"))]
    assert told(no_rounds) == ("It invested nothing: no startup sought a round while it "
                               f"could invest ({window}).")
    early = funds.copy()
    early.loc[0, "investing_until_month"] = -2.0
    assert told(e, early) == ("It invested nothing: it had stopped investing before the run "
                              f"began, in {month_with_index(-2, start)}.")


def test_gpus_ordered_but_not_delivered_and_a_capability_that_stayed(run: RunOutputs) -> None:
    """With no GPUs shipped a firm 'bought 121 GPUs' that never came; a giant whose models
    were all of capability 0 'rose from 0 to 0'; and counts went unformatted (9248)."""
    e = run.events
    actor = _most(run, "gpu_purchase")
    ordered = float(_events(run, "gpu_purchase", actor)["gpus"].sum())
    undelivered = e[~((e["kind"] == "gpu_delivery") & (e["actor"] == actor))]
    own = undelivered[(undelivered["kind"] == "model_release") & (undelivered["actor"] == actor)]
    more = [own.assign(month=own["month"] + 0.01 * k) for k in range(1, 5)]   # past the list
    flat = pd.concat([undelivered, *more], ignore_index=True).sort_values("month", kind="stable")
    flat.loc[(flat["kind"] == "model_release") & (flat["actor"] == actor), "capability"] = 7.0
    lines = story(RunOutputs(run.path, flat.reset_index(drop=True), run.metrics, run.funds,
                             run.summary), actor)
    assert f"Of the {ordered:,.0f} GPUs it ordered, 0 had been delivered by the end of the " \
           "run." in lines
    released = next(s for s in lines if s.startswith("It released "))
    assert released.endswith("its capability stayed at 7.")
    came = float(_events(run, "gpu_delivery", actor)["gpus"].sum())
    said = [s for s in story(run, actor) if s.startswith(f"Of the {ordered:,.0f} GPUs")]
    if f"{came:,.0f}" == f"{ordered:,.0f}":   # all came: nothing to say
        assert said == []
    else:   # orders of its last months still on their way at the end
        assert said == [f"Of the {ordered:,.0f} GPUs it ordered, {came:,.0f} had been "
                        "delivered by the end of the run."]


def test_a_failed_firms_cancelled_gpus_are_told(run: RunOutputs) -> None:
    """A bankrupt firm's undelivered orders were cancelled: the story says so, not only that
    they had not come (the events did not record it until 2026-12-07)."""
    e = run.events
    actor = _most(run, "gpu_purchase")
    ordered = float(_events(run, "gpu_purchase", actor)["gpus"].sum())
    kept = e[~((e["kind"] == "gpu_delivery") & (e["actor"] == actor))]
    buy = kept[(kept["kind"] == "gpu_purchase") & (kept["actor"] == actor)].iloc[[-1]]
    gone = buy.assign(kind="gpu_cancelled", month=buy["month"] + 0.5, amount_mcny=math.nan,
                      price=math.nan)
    rows = pd.concat([kept, gone], ignore_index=True).sort_values("month", kind="stable")
    lines = story(RunOutputs(run.path, rows.reset_index(drop=True), run.metrics, run.funds,
                             run.summary), actor)
    said = [s for s in lines if s.startswith("Of the ")]
    assert said == [f"Of the {ordered:,.0f} GPUs it ordered, 0 had been delivered by the end "
                    f"of the run, and {float(buy['gpus'].iloc[0]):,.0f} were cancelled when it "
                    "failed (the vendors kept the money)."]


def _new_startup(run: RunOutputs, rows: list[dict[str, object]]) -> RunOutputs:
    """The run with a startup of its own (startup:99999), whose events are ``rows`` (each a
    kind, a month and what differs from a founding event of the run)."""
    template = run.events[run.events["kind"] == "founded"].iloc[0]
    frame = pd.DataFrame([template.to_dict() | {"actor": "startup:99999", "domain": "finance",
                                                "counterparty": None, "reason": None} | row
                          for row in rows])
    return _with_events(run, frame.astype(run.events.dtypes.to_dict()))


def test_a_sale_to_a_giant_as_investors_exit_is_not_called_strategic(run: RunOutputs) -> None:
    """A startup its investors put up for sale at its last valuation (an ``acquired`` event,
    reason "strategic") was told as "a strategic purchase" and "(strategic)": students read
    that as the buyer wanting the firm. The words now say what the model did; the event's
    reason and the summary's keys keep their names."""
    from sim.teaching.timeline import notable_events

    mine = _new_startup(run, [
        {"kind": "founded", "month": 1.0, "model_kind": "shell", "amount_mcny": 20.0},
        {"kind": "round_closed", "month": 2.0, "amount_mcny": 50.0, "valuation_mcny": 200.0,
         "counterparty": "fund:1", "stage": 1, "down_round": False},
        {"kind": "acquired", "month": 9.0, "amount_mcny": 260.0, "valuation_mcny": 260.0,
         "counterparty": "giant:Baidu", "reason": "strategic"}])
    told = story(mine, "startup:99999")
    ending = next(s for s in told if s.startswith("How it ended"))
    assert ending.startswith("How it ended: it had been put up for sale at its last valuation "
                             "because its investors sought an exit; Baidu bought it in ")
    assert "for 260 million CNY, 1.30 times that valuation (200 million CNY)." in ending
    giant = next(s for s in story(mine, "giant:Baidu") if "startup 99999" in s)
    assert giant.endswith("for 260 million CNY: the startup had been put up for sale at its "
                          "last valuation because its investors sought an exit.")
    timeline = [x.text for x in notable_events(mine) if "startup 99999" in x.text]
    assert timeline and all("investors sought an exit" in t for t in timeline)
    assert not [s for s in [*told, giant, *timeline] if "strategic" in s]


def test_an_original_builder_that_could_only_afford_shells_is_told_so(
        run: RunOutputs) -> None:
    """startup:35 was "founded to build an original model", then "released its first model, a
    shell model" and "gave up its own original model": an original builder whose compute
    budget does not cover the rent of a training run tunes a shell instead, and the story
    now says so."""
    rows: list[dict[str, object]] = [
        {"kind": "founded", "month": 1.0, "model_kind": "original", "amount_mcny": 20.0},
        {"kind": "model_release", "month": 5.0, "model_kind": "shell", "capability": 39.0},
        {"kind": "pivot", "month": 12.0, "model_kind": "original",
         "counterparty": "giant:Tencent", "reason": "general model 10 points ahead"}]
    told = story(_new_startup(run, rows), "startup:99999")
    release = next(s for s in told if "released its first model" in s)
    assert release.endswith("a shell model with capability 39: the cash it could put into "
                            "compute (less while its investors pressed) did not cover the rent "
                            "of training an original model, so it tuned an open-source base "
                            "instead.")
    pivot = next(s for s in told if "pivoted" in s)
    assert "it gave up building its own original model (it had released only shells) and " \
        "rebuilt its product on Tencent's model" in pivot
    # one that did release an original gave up that model; a shell builder's shell is no
    # fallback
    rows.insert(2, {"kind": "model_release", "month": 8.0, "model_kind": "original",
                    "capability": 50.0})
    told = story(_new_startup(run, rows), "startup:99999")
    assert "it gave up its own original model and" in next(s for s in told if "pivoted" in s)
    shell = [{**r, "model_kind": "shell"} for r in rows[:2]]
    told = story(_new_startup(run, shell), "startup:99999")
    assert next(s for s in told if "released its first model" in s).endswith(
        "a shell model with capability 39.")


def test_a_buyers_deal_passed_to_an_acquirer_is_told_and_ends_before_the_next_begins(
        run: RunOutputs) -> None:
    """A takeover passes the bought vendor's clients to the acquirer with no event of the
    buyer's: its story said its deal "with 360 ended" although it had signed only with a
    startup 360 bought (62 such ends in the seed-42 baseline), and told a subscription
    signed in the month a deal ended before the end."""
    signed = run.events[run.events["kind"] == "contract_signed"].iloc[0]
    buyer, vendor = "buyer:9999999", "startup:99999"

    def deal(**row: object) -> dict[str, object]:
        return signed.to_dict() | {"actor": buyer, "actor_type": "buyer", "reason": None} | row

    rows = [deal(kind="contract_signed", month=3.6, counterparty=vendor, channel="contract",
                 amount_mcny=5.0),
            signed.to_dict() | {"kind": "acquired", "month": 9.1, "actor": vendor,
                                "actor_type": "startup", "counterparty": "giant:360",
                                "amount_mcny": 80.0, "reason": "distressed"},
            deal(kind="contract_ended", month=15.6, counterparty="giant:360",
                 channel="contract", reason="term_end", amount_mcny=float("nan")),
            deal(kind="contract_signed", month=15.6, counterparty="giant:ByteDance",
                 channel="api", amount_mcny=float("nan"))]
    mine = _with_events(run, pd.DataFrame(rows).astype(run.events.dtypes.to_dict()))
    told = story(mine, buyer)
    deals = [t for t in told if "startup 99999" in t or "360" in t or "ByteDance" in t]
    assert [t.split(" ", 3)[3] for t in deals] == [
        "it signed a project contract worth 5.0 million CNY with startup 99999.",
        "360 bought startup 99999, and the deal passed to 360.",
        "its deal with 360 ended (term end).",
        "it subscribed to the API of ByteDance.",
    ]
