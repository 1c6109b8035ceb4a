"""The ledger: every transfer has two sides, so money is conserved exactly."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.ledger import Ledger

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
