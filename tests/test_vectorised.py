"""The vectorised buyer side (issue 6 performance) gives the answers of the plain one.

Batched event rows, tenders as columns, payments summed by group and the
pruning of offers and bids that cannot win are pure speed-ups: each test here
compares the fast path with the straightforward computation it replaces.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
import simpy
from conftest import small_config
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import sim.agents.buyers as buyers_module
from sim.agents.buyers import (
    MOST_RIVALS,
    SCREEN_PICKS,
    PaymentGroups,
    bernoulli_positions,
    dominators,
    few_dominators,
)
from sim.config import SEGMENTS
from sim.events import ActorType, EventKind, EventLog
from sim.ledger import Ledger
from sim.markets.procurement import EnterpriseMarket
from sim.messages import Tender
from sim.model import MarketModel
from sim.outputs import events_frame
from sim.run import simulate


# ---------------------------------------------------------------- event log
def _mixed_log() -> EventLog:
    log = EventLog()
    log.record(0.5, EventKind.SHOCK, "world", ActorType.MARKET, amount_mcny=2.0, label="x",
               reason="hype")
    log.record(1.2, EventKind.ROUND_CLOSED, "startup:1", ActorType.STARTUP, "fund:0", 30,
               valuation_mcny=120.0, stage=1, down_round=False)
    log.record_batch(1.6, EventKind.TENDER, "buyer:", np.array([4, 9]), ActorType.BUYER,
                     amount_mcny=np.array([1.5, 2.5]), segment=np.array(["sme", "gov_soe"]),
                     domain="finance")
    log.record(1.7, EventKind.MODEL_RELEASE, "giant:a", ActorType.GIANT, model_kind="original",
               gpus=100, capability=55.5)
    kinds = np.array([str(EventKind.CONTRACT_ENDED), str(EventKind.CONTRACT_SIGNED)], dtype=object)
    log.record_batch(2.6, kinds, "buyer:", np.array([4, 4]), ActorType.BUYER,
                     np.array(["giant:a", "giant:b"], dtype=object), channel="api",
                     reason=np.array(["switched", None], dtype=object))
    return log


def test_batches_and_single_events_make_the_same_table_as_row_dicts() -> None:
    log = _mixed_log()
    assert len(log) == 7
    rows = log.rows()
    assert [r["actor"] for r in rows[2:4]] == ["buyer:4", "buyer:9"]
    assert rows[5]["kind"] == "contract_ended" and rows[5]["reason"] == "switched"
    assert rows[6]["counterparty"] == "giant:b" and rows[6]["reason"] is None
    pd.testing.assert_frame_equal(events_frame(log.table()), events_frame(rows))
    assert log.count(EventKind.CONTRACT_SIGNED) == 1
    assert log.count(EventKind.TENDER) == 2


def test_the_logs_table_is_in_time_order_and_keeps_flags_true_or_false() -> None:
    """A shock dated before events already recorded (ChatGPT at 0.5, applied at the start
    of its month) comes first; ties keep recording order; a flag is a bool column, null
    where an event has none, in a batch as in a single event."""
    log = _mixed_log()
    log.record(0.5, EventKind.SHOCK, "world", ActorType.MARKET, label="late")
    log.record_batch(1.2, EventKind.ROUND_CLOSED, "startup:", np.array([7]), ActorType.STARTUP,
                     down_round=np.array([True], dtype=object))
    table = log.table()
    assert table.column("month").to_pylist() == [0.5, 0.5, 1.2, 1.2, 1.6, 1.6, 1.7, 2.6, 2.6]
    assert table.column("label").to_pylist()[:2] == ["x", "late"]
    assert table.column("actor").to_pylist()[2:4] == ["startup:1", "startup:7"]
    assert table.column("down_round").type == pa.bool_()
    assert table.column("down_round").to_pylist()[:5] == [None, None, False, True, None]
    pd.testing.assert_frame_equal(events_frame(table), events_frame(log.rows()))


def test_rows_since_a_cursor_filters_by_kind() -> None:
    log = _mixed_log()
    releases = log.rows_since(0, EventKind.MODEL_RELEASE)
    assert [r["actor"] for r in releases] == ["giant:a"]
    for kind in EventKind:   # a batch of mixed kinds (a switch) is filtered row by row
        assert ([(r["actor"], r["kind"], r.get("reason")) for r in log.rows_since(0, kind)]
                == [(r["actor"], r["kind"], r.get("reason")) for r in log.rows()
                    if r["kind"] == kind])
    cursor = log.position
    log.record(3.0, EventKind.MODEL_RELEASE, "startup:2", ActorType.STARTUP, model_kind="shell")
    assert [r["model_kind"] for r in log.rows_since(cursor, EventKind.MODEL_RELEASE)] == ["shell"]


def test_a_batch_with_unknown_or_misshapen_columns_is_refused() -> None:
    log = EventLog()
    with pytest.raises(KeyError, match="colour"):
        log.record_batch(1.0, EventKind.TENDER, "buyer:", np.array([1]), ActorType.BUYER,
                         colour="red")
    with pytest.raises(ValueError, match="amount_mcny has 2 values for 1 events"):
        log.record_batch(1.0, EventKind.TENDER, "buyer:", np.array([1]), ActorType.BUYER,
                         amount_mcny=np.array([1.0, 2.0]))


def test_the_run_table_equals_the_one_built_from_row_dicts() -> None:
    model = MarketModel(small_config("horizon_months=12"))
    model.run()
    log = model.world.log
    pd.testing.assert_frame_equal(events_frame(log.table()), events_frame(log.rows()))


# ---------------------------------------------------------------- tenders and ledger
def test_tenders_open_after_their_month_and_close_at_collection() -> None:
    env = simpy.Environment()
    market = EnterpriseMarket(env)
    market.issue_tenders(np.array([3, 8]), np.array([0, 2]), np.array([1, 1]),
                         np.array([10.0, 20.0]), 12.0, np.array([True, False]))
    assert len(market.open_tenders()) == 0  # issued now: not open yet
    assert not market.has_open_tenders()
    env.run(until=1)
    assert market.has_open_tenders()  # the clock moved on
    market.issue_tenders(np.array([5]), np.array([1]), np.array([0]), np.array([5.0]), 12.0,
                         np.array([False]))
    assert list(market.open_tenders(domain=1).buyer) == [3, 8]
    assert len(market.open_tenders(domain=0)) == 0
    tenders, bids = market.collect_bids()
    assert list(tenders) == [Tender(0, 3, 0, 1, 10.0, 12.0, True, 0.0),
                             Tender(1, 8, 2, 1, 20.0, 12.0, False, 0.0)]
    assert bids == []
    assert not market.has_open_tenders()  # the later one is not open yet
    env.run(until=2)
    assert market.has_open_tenders()
    assert list(market.open_tenders().tender_id) == [2]  # the later one, still open
    market.collect_bids()
    assert not market.has_open_tenders()  # taken


def test_ledger_transfers_are_built_on_read_and_kept_up_to_date() -> None:
    ledger = Ledger()
    ledger.transfer(1.0, "ext:a", "b", 1.0, "x")
    assert [t.payee for t in ledger.transfers] == ["b"]
    ledger.transfer(2.0, "b", "c", 0.5, "y")
    assert [(t.month, t.payer, t.amount_cny, t.reason) for t in ledger.transfers] == [
        (1.0, "ext:a", 1_000_000, "x"), (2.0, "b", 500_000, "y")]


# ---------------------------------------------------------------- pruning
small_values = st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.0])  # few values: many ties


@settings(max_examples=150, deadline=None)
@given(data=st.data(), n_cols=st.integers(1, 12), n_rows=st.integers(1, 8))
def test_a_dominated_column_is_never_the_first_argmax(data, n_cols: int, n_rows: int) -> None:
    """Utility u = a*value - b*cost - c*halluc (a, b, c >= 0): argmax over the columns
    kept gives the same column as over all of them, also with one column excluded
    (-inf) and a switching cost on the rest when two dominators are required."""
    col = hnp.arrays(np.float64, n_cols, elements=small_values)
    value, halluc, cost = data.draw(col), data.draw(col), data.draw(col)
    weights = hnp.arrays(np.float64, (n_rows, 1), elements=st.sampled_from([0.0, 0.3, 1.0, 7.0]))
    a, b, c = data.draw(weights), data.draw(weights), data.draw(weights)
    u = value * a - b * cost - halluc * c
    counts = dominators(value, halluc, cost)
    kept = np.flatnonzero(counts < 1)
    assert (kept[u[:, kept].argmax(axis=1)] == u.argmax(axis=1)).all()
    current = data.draw(hnp.arrays(np.int64, n_rows, elements=st.integers(-1, n_cols - 1)))
    alt = np.where(current[:, None] == np.arange(n_cols)[None, :], -np.inf, u - 0.5)
    kept = np.flatnonzero(counts < 2)
    pruned = np.where(current[:, None] == kept[None, :], -np.inf, u[:, kept] - 0.5)
    full_best = alt.argmax(axis=1)
    assert (alt[np.arange(n_rows), full_best] == pruned.max(axis=1)).all()
    assert (kept[pruned.argmax(axis=1)] == full_best).all()


@settings(max_examples=150, deadline=None)
@given(data=st.data(), n_cols=st.integers(1, 6 * SCREEN_PICKS))
def test_the_screened_count_agrees_with_every_pair_below_the_most_rivals(data, n_cols: int) -> None:
    """few_dominators gives every column's count of earlier dominators where it is below
    MOST_RIVALS, and at least MOST_RIVALS where that count is; also with NaN and ties."""
    col = hnp.arrays(np.float64, n_cols, elements=st.sampled_from([0.0, 0.5, 1.0, 2.0, np.nan]))
    value, halluc, cost = data.draw(col), data.draw(col), data.draw(col)
    screened = few_dominators(value, halluc, cost)
    every_pair = dominators(value, halluc, cost)
    assert (np.minimum(screened, MOST_RIVALS) == np.minimum(every_pair, MOST_RIVALS)).all()


def test_pruning_changes_nothing_in_a_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same small run with pruning always on and always off gives the same events.

    Tenders are pruned only without a taste term (taste 0 here). No price sensitivity
    makes ties between vendors common; the switching cost makes buyers' previous vendors
    matter.
    """
    cfg = small_config("buyers.count=4000", "horizon_months=36",
                       "buyers.price_sensitivity=[0,0,0,0]", "buyers.tender_taste=0")
    monkeypatch.setattr(buyers_module, "worth_pruning", lambda buyers, columns: True)
    pruned = simulate(cfg)
    monkeypatch.setattr(buyers_module, "worth_pruning", lambda buyers, columns: False)
    plain = simulate(cfg)
    assert (pruned.events["kind"] == "contract_signed").sum() > 100
    pd.testing.assert_frame_equal(pruned.events, plain.events)
    pd.testing.assert_frame_equal(pruned.metrics, plain.metrics)


# ---------------------------------------------------------------- the naive design
def test_the_naive_one_process_per_buyer_design_makes_the_same_kind_of_market() -> None:
    """benchmarks/naive_buyers.py (benchmark (e)) runs the same decisions buyer by buyer."""
    sys.path.insert(0, str(Path(__file__).parents[1] / "benchmarks"))
    try:
        from naive_buyers import NaiveBuyers, naive_model
    finally:
        sys.path.pop(0)
    cfg = small_config("buyers.count=2000", "horizon_months=30")
    naive = naive_model(cfg)
    assert isinstance(naive.buyers, NaiveBuyers)
    result = naive.run()
    vector = MarketModel(cfg).run()
    frames = [events_frame(r.events.table()) for r in (result, vector)]
    for events in frames:
        signed = events[events["kind"] == "contract_signed"]
        assert set(signed["channel"]) == {"api", "contract"}
        assert (events["kind"] == "tender").sum() > 20
    adoption = [r.metrics[-1]["adoption_large_digital"] for r in (result, vector)]
    assert adoption[0] > 0 and math.isclose(adoption[0], adoption[1], rel_tol=0.5)
    revenue = [sum(m["revenue_startups_mcny"] + m["revenue_giants_mcny"] for m in r.metrics)
               for r in (result, vector)]
    assert math.isclose(revenue[0], revenue[1], rel_tol=0.5)


def test_a_months_payments_are_each_groups_buyers_own_spend_summed() -> None:
    """pay_vendors pays one transfer per (segment, vendor, channel): the group's buyers'
    instalments, or their API usage at the vendor's price, each worked out buyer by buyer."""
    model = MarketModel(small_config("buyers.count=3000", "horizon_months=30"))
    model.run()
    w, buyers = model.world, model.buyers
    offers = w.enterprise.offers()
    logged = len(w.ledger.transfers)
    buyers.pay_vendors(offers)
    paid = {(t.payer, t.payee, t.reason): t.amount_cny for t in w.ledger.transfers[logged:]}
    price = {o.vendor: o.api_price_cny_per_mtok for o in offers}
    growth = (1 + buyers._cfg.usage_growth_per_year) ** (w.now / 12.0)
    want: dict[tuple[str, str, str], float] = {}
    for i in np.flatnonzero(buyers.vendor >= 0).tolist():
        vendor = w.enterprise.vendor_name(int(buyers.vendor[i]))
        if buyers.channel[i] == buyers_module.API:
            usage = buyers.budget[i] * buyers._cfg.usage_mtok_per_mcny * growth
            key, amount = "api_payment", usage * price.get(vendor, 0.0) / 1e6
        else:
            key, amount = "contract_payment", buyers.payment[i]
        group = (f"ext:buyers:{SEGMENTS[buyers.segment[i]]}", vendor, key)
        want[group] = want.get(group, 0.0) + amount * 1e6
    reasons = {r for _, _, r in want}
    assert reasons == {"api_payment", "contract_payment"} and len(want) > 10
    want = {k: v for k, v in want.items() if round(v) != 0}
    assert paid.keys() == want.keys()
    for key, cny in want.items():
        assert paid[key] == pytest.approx(cny, rel=1e-9, abs=1), key


def test_payment_groups_grow_with_the_vendors_and_empty_to_exact_zeros() -> None:
    """Buyers join and leave their (vendor, segment, channel) group; room is made for a
    vendor founded later, and a group left empty holds exact zeros, not what is left of
    adding and subtracting 0.1 and 0.2 (5.6e-17)."""
    groups = PaymentGroups(segments=len(SEGMENTS), domains=3)

    def move(sign: int, rows: list[int]) -> None:
        groups.move(sign, np.array([0, 5, 5])[rows], np.array([1, 2, 2])[rows],
                    np.array([False, True, True])[rows], np.array([0, 2, 2])[rows],
                    np.array([0.5, 0.1, 0.2])[rows], np.array([0.0, 0.1, 0.2])[rows],
                    np.array([0.0, 0.3, 0.6])[rows])

    move(+1, [0, 1, 2])
    assert groups.vendors >= 6
    contract_group = (5 * len(SEGMENTS) + 2) * 2 + 1
    vendor, segment, channel = groups.key(np.array([contract_group]))
    assert (vendor[0], segment[0], channel[0]) == (5, 2, 1)
    assert groups.members[contract_group] == 2 and groups.contracts[5 * 3 + 2] == 2
    assert groups.instalments[contract_group] == pytest.approx(0.3)
    assert groups.budget[(1 * 2)] == 0.5 and groups.members.sum() == 3
    move(-1, [1])
    assert groups.instalments[contract_group] == pytest.approx(0.2)
    move(-1, [2])
    assert groups.members[contract_group] == 0 and groups.contracts.sum() == 0
    for sums in (groups.budget, groups.instalments, groups.project_value):
        assert sums[contract_group] == 0.0
    assert groups.members.sum() == 1 and groups.budget[2] == 0.5


def test_payment_groups_never_hold_a_negative_sum() -> None:
    """Two clients leave a contract group whose last client pays nothing (a zero-price bid):
    0.3 + 0.6 + 0 - 0.3 - 0.6 is -1.1e-16 in floating point, which the group paid its
    vendor, and the ledger refused a negative transfer (a crash, found at bound values)."""
    groups = PaymentGroups(segments=len(SEGMENTS), domains=3)

    def move(sign: int, rows: list[int]) -> None:
        n = len(rows)
        groups.move(sign, np.full(n, 2), np.full(n, 1), np.full(n, True), np.full(n, 0),
                    np.array([0.3, 0.6, 0.0])[rows], np.array([0.3, 0.6, 0.0])[rows],
                    np.array([0.3, 0.6, 0.0])[rows])

    move(+1, [0, 1, 2])
    move(-1, [0])
    move(-1, [1])
    group = (2 * len(SEGMENTS) + 1) * 2 + 1
    assert groups.members[group] == 1
    for sums in (groups.budget, groups.instalments, groups.project_value):
        assert sums[group] == 0.0


@pytest.mark.parametrize(("n", "p"), [(20, 0.3), (50, 0.03), (7, 0.9)])
def test_bernoulli_positions_keep_each_index_with_its_chance_whatever_the_batch(
    n: int, p: float
) -> None:
    """The buyers who look, churn or review are drawn as geometric gaps: each index comes
    up with chance p independently (counts and every index's frequency as a binomial's),
    and drawing the gaps in batches of two gives the same indices as one batch."""
    rng = np.random.default_rng(3)
    draws = 4000
    seen = np.zeros(n)
    counts = []
    for _ in range(draws):
        idx = bernoulli_positions(rng, n, p)
        assert (np.diff(idx) > 0).all() and (idx.size == 0 or (idx[0] >= 0 and idx[-1] < n))
        seen[idx] += 1
        counts.append(idx.size)
    sd = math.sqrt(p * (1 - p) / draws)
    assert np.abs(seen / draws - p).max() < 5 * sd
    assert np.var(counts) == pytest.approx(n * p * (1 - p), rel=0.15)
    for seed in range(20):
        whole = bernoulli_positions(np.random.default_rng(seed), n, p)
        paired = bernoulli_positions(np.random.default_rng(seed), n, p, batch=2)
        np.testing.assert_array_equal(whole, paired)
    assert bernoulli_positions(rng, n, 0.0).size == 0 and bernoulli_positions(rng, 0, p).size == 0
    np.testing.assert_array_equal(bernoulli_positions(rng, n, 1.0), np.arange(n))
