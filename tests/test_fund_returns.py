"""Fund IRR: the value of known cash flows, and the early stop of its bisection."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.agents.fund import irr_annual


def test_irr_of_known_flows() -> None:
    assert math.isclose(irr_annual([0, 24], [-100, 121]), 0.10, rel_tol=1e-12)
    assert math.isclose(irr_annual([6, 18], [-50, 40]), -0.2, rel_tol=1e-12)
    assert math.isnan(irr_annual([0, 12], [-100, -5]))   # never paid back: undefined


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 150), st.floats(-500, 500, allow_nan=False)),
                min_size=2, max_size=40))
def test_early_stop_gives_the_same_irr_as_every_step(dated: list[tuple[int, float]]) -> None:
    months = [float(m) for m, _ in dated]
    flows = [f for _, f in dated]
    expected = irr_annual(months, flows, stop_early=False)
    got = irr_annual(months, flows)
    assert (math.isnan(got) and math.isnan(expected)) or got == expected


def test_bisection_stops_once_the_bracket_cannot_shrink(monkeypatch) -> None:
    import sim.agents.fund as fund

    calls = 0
    real_sum = np.sum

    def counting_sum(*args, **kwargs):  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        return real_sum(*args, **kwargs)

    monkeypatch.setattr(fund.np, "sum", counting_sum)
    irr_annual([0, 6, 30, 54], [-100, -50, 80, 140])
    assert calls < 100   # 2 end points + about 55 halvings, not 2 + 200
