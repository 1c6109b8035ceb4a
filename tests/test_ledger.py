"""The ledger: every transfer has two sides, so money is conserved exactly."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.ledger import AccountFlows, Ledger, paid_by_reason

accounts = st.sampled_from(["ext:a", "giant:x", "startup:1", "fund:2", "ext:b"])


@given(st.lists(st.tuples(accounts, accounts, st.floats(0, 1e6, allow_nan=False)), max_size=60))
def test_sum_of_balances_is_always_zero(transfers) -> None:
    ledger = Ledger()
    for payer, payee, amount in transfers:
        ledger.transfer(0.0, payer, payee, amount, "test")
        assert ledger.total_cny() == 0


def test_transfer_moves_money_and_records_flow() -> None:
    ledger = Ledger()
    ledger.transfer(3.2, "ext:lps", "fund:0", 12.5, "lp_commitment")
    assert ledger.balance("fund:0") == 12.5
    assert ledger.balance("ext:lps") == -12.5
    assert ledger.flow(3, "lp_commitment") == 12.5
    assert ledger.transfers[0].amount_cny == 12_500_000


def test_negative_or_nan_amounts_are_refused() -> None:
    ledger = Ledger()
    with pytest.raises(ValueError, match="must be >= 0"):
        ledger.transfer(0.0, "a", "b", -1.0, "x")
    with pytest.raises(ValueError):
        ledger.transfer(0.0, "a", "b", float("nan"), "x")


def test_paid_by_reason_counts_only_the_payers_and_months_asked_for() -> None:
    ledger = Ledger()
    ledger.transfer(0, "a", "ext:payroll", 2.0, "salaries")
    ledger.transfer(5, "a", "cloud", 1.0, "gpu_rental")
    ledger.transfer(30, "a", "cloud", 4.0, "gpu_rental")
    ledger.transfer(1, "b", "cloud", 8.0, "gpu_rental")
    a = ledger.payments({"a"})
    assert paid_by_reason(a) == {"gpu_rental": 5.0, "salaries": 2.0}
    assert paid_by_reason(a, before_month=24) == {"gpu_rental": 1.0, "salaries": 2.0}
    assert paid_by_reason(ledger.payments({"a", "b"}), 24)["gpu_rental"] == 9.0
    assert paid_by_reason(ledger.payments({"c"})) == {}


def test_startups_compute_share_leaves_out_an_acquired_firms_cash() -> None:
    from sim.summary import compute_share_of_spend

    ledger = Ledger()
    ledger.transfer(0, "startup:0", "ext:payroll", 3.0, "salaries")
    ledger.transfer(0, "startup:0", "cloud", 0.5, "gpu_rental")
    ledger.transfer(0, "startup:0", "ext:electricity", 0.5, "electricity")
    ledger.transfer(30, "startup:0", "ext:gpu_vendors", 4.0, "gpu_purchase")
    ledger.transfer(40, "startup:0", "giant:x", 10.0, "acquired_cash")
    ledger.transfer(0, "giant:x", "cloud", 50.0, "gpu_rental")
    startups = ledger.payments({"startup:0"})
    assert compute_share_of_spend(startups) == 5.0 / 8.0
    assert compute_share_of_spend(startups, 24) == 1.0 / 4.0
    assert math.isnan(compute_share_of_spend(startups, 0))


@given(st.lists(st.tuples(accounts, accounts, st.floats(0, 1e6, allow_nan=False),
                          st.sampled_from(["api_payment", "contract_payment"])), max_size=40))
def test_transfer_each_is_transfer_one_at_a_time(transfers) -> None:
    one, each = Ledger(), Ledger()
    for payer, payee, amount, reason in transfers:
        one.transfer(2.6, payer, payee, amount, reason)
    columns = [list(c) for c in zip(*transfers, strict=True)] or [[], [], [], []]
    each.transfer_each(2.6, *columns)
    assert each.transfers == one.transfers
    assert each.accounts() == one.accounts()
    assert each.flow(2, "api_payment") == one.flow(2, "api_payment")


def test_transfer_each_refuses_a_negative_amount() -> None:
    with pytest.raises(ValueError, match="must be >= 0"):
        Ledger().transfer_each(0.0, ["a", "a"], ["b", "c"], [1.0, -1.0], ["x", "x"])


def test_flow_sums_one_reason_in_one_whole_month() -> None:
    ledger = Ledger()
    ledger.transfer(3.2, "ext:lps", "fund:0", 12.5, "lp_commitment")
    ledger.transfer(3.9, "ext:lps", "fund:1", 1.5, "lp_commitment")
    ledger.transfer(4.0, "ext:lps", "fund:2", 2.0, "lp_commitment")
    ledger.transfer(3.5, "fund:0", "ext:gp_fees", 0.25, "management_fee")
    assert ledger.flow(3, "lp_commitment") == 14.0
    assert ledger.flow(4, "lp_commitment") == 2.0
    assert ledger.flow(5, "lp_commitment") == 0.0


def test_flows_by_reason_sums_what_each_account_paid_and_received() -> None:
    ledger = Ledger()
    ledger.transfer(0.0, "ext:lps", "fund:1", 100.0, "lp_commitment")
    ledger.transfer(1.0, "fund:1", "startup:1", 30.0, "investment")
    ledger.transfer(2.5, "fund:1", "startup:2", 20.0, "investment")
    ledger.transfer(3.0, "fund:1", "fund:2", 5.0, "secondary_sale")
    ledger.transfer(4.0, "giant:a", "fund:1", 12.5, "acquisition")
    ledger.transfer(4.0, "giant:a", "startup:3", 7.0, "acquisition")
    flows = ledger.flows_by_reason({"fund:1", "fund:2", "fund:3"})
    assert set(flows) == {"fund:1", "fund:2"}   # fund:3 moved nothing
    one = flows["fund:1"]
    assert one == AccountFlows({"investment": 50.0, "secondary_sale": 5.0},
                               {"acquisition": 12.5, "lp_commitment": 100.0})
    assert one.paid("investment", "secondary_sale") == 55.0
    assert one.received("acquisition", "ipo_exit") == 12.5
    assert flows["fund:2"].received("secondary_sale") == 5.0
    assert flows["fund:2"].paid("investment") == 0.0
