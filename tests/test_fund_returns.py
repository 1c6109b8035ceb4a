"""Fund returns: IRR (the value of known cash flows, the early stop of its bisection) and
the terms summary.json files them under."""

from __future__ import annotations

import json
import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from simd import needs_avx512, python_output

from sim.agents.fund import irr_annual
from sim.configuration import compose
from sim.run import simulate
from sim.summary import TERM_BUCKETS_YEARS, outcome_names, term_bucket
from sim.sums import left_sum
from sim.sweep.outcomes import flatten


def npv(flows: list[float], months: list[int], rate: float) -> float:
    return left_sum([v / (1 + rate) ** (m / 12) for m, v in zip(months, flows, strict=True)])


def test_irr_of_known_flows() -> None:
    assert math.isclose(irr_annual([0, 24], [-100, 121]), 0.10, rel_tol=1e-12)
    assert math.isclose(irr_annual([6, 18], [-50, 40]), -0.2, rel_tol=1e-12)
    # Never paid back: everything lost, -100% a year (it was NaN, and the funds that
    # lost everything fell out of every IRR median); nothing paid in: undefined.
    assert irr_annual([0, 12], [-100, -5]) == -1.0
    assert math.isnan(irr_annual([0, 12], [0, 5]))
    # Fees called after the last distribution: the NPV is negative at -99.99% and at
    # +1,000% and crosses zero twice between; the fund's IRR is the higher crossing (it
    # was NaN: fund:83 of the seed-42 baseline, which got back 14% of what it paid in).
    months, flows = [0, 12, 24, 36, 48], [-10, -10, 8, -0.1, -0.1]
    irr = irr_annual(months, flows)
    assert -0.6 < irr < -0.4 and abs(npv(flows, months, irr)) < 1e-9   # the other: ~-75%
    assert npv(flows, months, irr + 0.01) < 0 < npv(flows, months, irr - 0.01)
    # A few per cent back, then fees: the NPV is negative at every rate, and the return is
    # below -99.99% a year, a total loss (it was NaN, left out of the medians: one fund of
    # the seed-42 baseline since 2026-12-07, six of a run of 10-year funds).
    months, flows = [0, 12, 24], [-100, 3, -10]
    assert all(npv(flows, months, r) < 0 for r in (-0.9999, -0.9, -0.5, 0.0, 1.0, 10.0))
    assert irr_annual(months, flows) == -1.0
    assert math.isnan(irr_annual([0, 12, 24], [100, -1, 100]))   # positive at every rate


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 150), st.floats(-500, 500, allow_nan=False)),
                min_size=2, max_size=40))
def test_early_stop_gives_the_same_irr_as_every_step(dated: list[tuple[int, float]]) -> None:
    months = [float(m) for m, _ in dated]
    flows = [f for _, f in dated]
    expected = irr_annual(months, flows, stop_early=False)
    got = irr_annual(months, flows)
    assert (math.isnan(got) and math.isnan(expected)) or got == expected


def _fund_flows(funds: int = 100) -> list[tuple[list[float], list[float]]]:
    """Dated LP flows like a ten-year run's funds': 10 to 80 flows over 120 months, calls
    (negative) in the first four years and distributions after."""
    rng = np.random.default_rng(7)
    dated = []
    for _ in range(funds):
        months = sorted(float(m) for m in rng.integers(0, 120, int(rng.integers(10, 80))))
        flows = [-float(rng.gamma(2.0, 20.0)) if m < 48 else float(rng.gamma(1.0, 30.0))
                 for m in months]
        dated.append((months, flows))
    return dated


@needs_avx512
def test_irr_is_the_same_with_numpys_avx512_paths_turned_off() -> None:
    """NumPy's AVX-512 power rounded otherwise: funds' IRRs changed with the CPU."""
    code = ("import json, sys; from sim.agents.fund import irr_annual; "
            "print(json.dumps([irr_annual(m, f).hex() for m, f in json.load(sys.stdin)]))")
    flows = json.dumps(_fund_flows())
    assert python_output(code, flows, avx512=False) == python_output(code, flows)


def test_bisection_stops_once_the_bracket_cannot_shrink(monkeypatch) -> None:
    import sim.agents.fund as fund

    calls = 0

    def counting_sum(*args, **kwargs):  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        return left_sum(*args, **kwargs)

    monkeypatch.setattr(fund, "left_sum", counting_sum)
    irr_annual([0, 6, 30, 54], [-100, -50, 80, 140])
    assert calls < 100   # 2 end points + about 55 halvings, not 2 + 200


def test_a_fund_is_filed_under_its_own_term_in_whole_years() -> None:
    """fund_returns_by_term filed 30-year funds under "10" and 1-year funds under "3" (the
    nearest of 3, 4, 5, 7 and 10 years), while plots/fund_returns.png put them at 30 and 1."""
    assert [term_bucket(t) for t in (0.2, 1.0, 1.49, 1.5, 1.51, 7.9, 30.0, 39.99)] == [
        0, 1, 1, 1, 2, 8, 30, 40]
    assert {0, 40} <= set(TERM_BUCKETS_YEARS)   # a 1-year term less 0.9 to 30 plus 10


@given(st.floats(2.5, 5.5, exclude_min=True))
def test_the_default_terms_keep_the_keys_they_had(term_years: float) -> None:
    """Terms of 3 to 5 years (the defaults, funds.term_years=4 +- 1) fall under the keys the
    usual terms gave them, so earlier sweeps' columns still name the same funds."""
    usual = min((3, 4, 5, 7, 10), key=lambda b: (abs(b - term_years), b))
    assert term_bucket(term_years) == usual


def test_summary_files_long_term_funds_under_their_term() -> None:
    out = simulate(compose(["horizon_months=3", "buyers.count=50", "hype.shocks=[]",
                            "compute.export_controls=[]", "funds.term_years=30",
                            "funds.term_spread_years=0"]))
    by_term = out.summary["fund_returns_by_term"]
    assert list(by_term) == ["30"]
    assert by_term["30"]["funds"] == len(out.funds) > 0
    numbers = {k for k, v in flatten(out.summary).items()
               if k.startswith("fund_returns_by_term.") and isinstance(v, int | float)}
    assert numbers and numbers <= set(outcome_names(3))   # design.outcomes may name them


def test_a_fund_invests_past_its_commitment_only_what_its_exits_returned() -> None:
    """funds.parquet's invested_share (invested / commitment) passed 1 (1.02 in the
    baseline): in its investment period a fund keeps what exits return and invests it
    again. Small funds free to put everything into one company, paying no fee, recycle
    plenty; what they invest is their commitment plus their exit proceeds at most (to the
    CNY each payment is rounded to)."""
    from sim.ledger import ONE_CNY_MCNY

    funds = simulate(compose(["horizon_months=24", "buyers.count=500", "funds.size_mcny=30",
                              "funds.max_position_share=1", "funds.investment_period_years=2",
                              "funds.management_fee_per_year=0"])).funds
    past = funds["invested_mcny"] - funds["size_mcny"]
    recycled = funds[past > ONE_CNY_MCNY]   # not the commitment spent to its last CNY
    assert len(recycled) > 0 and (recycled["exit_proceeds_mcny"] > 0).all()
    assert (past - funds["exit_proceeds_mcny"] < ONE_CNY_MCNY).all()


def test_funds_that_lost_everything_count_in_the_irr_medians(baseline_tables) -> None:
    """36 of the baseline's 101 funds had a null IRR, 33 of them with TVPI 0: the medians
    left them out, and the median 5-year fund showed -12% a year instead of -35%."""
    funds = baseline_tables.funds
    paid = funds[funds["paid_in_mcny"] > 0]
    lost = paid[paid["tvpi"] == 0]
    assert len(lost) > 10 and lost["irr"].eq(-1.0).all()
    assert paid["irr"].notna().all()        # every fund that called capital has an IRR
    assert paid["irr"].between(-1.0, 10.0).all()
    five = baseline_tables.summary["fund_returns_by_term"]["5"]
    assert five["irr"]["median"] == funds.loc[funds["term_years"].map(term_bucket) == 5,
                                             "irr"].median()


# ---------------------------------------- outputs a mutation test found unchecked (2026-12-07)
def test_a_funds_dpi_is_what_it_passed_back_and_its_tvpi_adds_its_nav(baseline_tables) -> None:
    """funds.parquet: DPI = distributed / paid in; TVPI = (distributed + NAV) / paid in. A
    mutation test wrote TVPI into the dpi column and only the golden run noticed."""
    funds = baseline_tables.funds
    paid = funds[funds["paid_in_mcny"] > 0]
    assert np.allclose(paid["dpi"], paid["distributed_mcny"] / paid["paid_in_mcny"], rtol=1e-12)
    assert np.allclose(paid["tvpi"], (paid["distributed_mcny"] + paid["nav_mcny"])
                       / paid["paid_in_mcny"], rtol=1e-12)
    assert (paid["nav_mcny"] > 0).any() and (paid["dpi"] < paid["tvpi"]).any()


def test_an_open_funds_irr_counts_its_nav_as_if_paid_out_at_the_end() -> None:
    """MODEL.md 7.6: the IRR is of the LPs' dated flows plus the open fund's NAV at the end.
    A mutation test left the NAV out (an open fund that had paid nothing back then showed a
    total loss, -100% a year) and only the golden run noticed."""
    tables = simulate(compose(["horizon_months=36", "buyers.count=300"]))
    funds = tables.funds
    open_ = funds[(~funds["closed"]) & (funds["paid_in_mcny"] > 0) & (funds["nav_mcny"] > 0)]
    assert not open_.empty
    assert (open_["irr"] > -1.0).all()
    # a fund holding what it was paid in, having passed nothing back, made about 0% a year
    held = open_[(open_["distributed_mcny"] == 0)
                 & np.isclose(open_["nav_mcny"], open_["paid_in_mcny"], rtol=0.02)]
    assert held.empty or (held["irr"].abs() < 0.05).all()
