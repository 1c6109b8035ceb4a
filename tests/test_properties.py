"""Invariants under random valid configurations (hypothesis).

Profiles: ``ci`` (a handful of examples, the default under ``CI=true``),
``dev`` (the default locally) and ``nightly`` (200 examples), chosen with
``BAIMO_PROPERTY_PROFILE=nightly python -m pytest tests/test_properties.py``.
"""

from __future__ import annotations

import os

import invariants
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from sim.configuration import compose
from sim.run import simulate

# Each example is a whole run (about a second): shrinking a failure would take
# many minutes, so it is left to the ``debug`` profile; the failing overrides are
# printed either way and reproduce the failure with ``compose(overrides)``.
FAST = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow],
            phases=[Phase.explicit, Phase.reuse, Phase.generate])
settings.register_profile("ci", max_examples=6, **FAST)
settings.register_profile("dev", max_examples=12, **FAST)
settings.register_profile("nightly", max_examples=200, **FAST)
settings.register_profile("debug", max_examples=200, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
PROFILE = os.environ.get("BAIMO_PROPERTY_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
#: Core profits (million CNY a month) and initial cash (million CNY), drawn for all giants
#: alike: down to none, when the group pays the fleet's power.
GIANT_MONEY = (0.0, 10.0, 3000.0)
GIANTS = len(compose([]).giants.names)


#: Buyers' domains: the default spread, all in one vertical, none in the general domain.
DOMAIN_SHARES = ("[0.25,0.15,0.14,0.12,0.12,0.14,0.08]", "[0,0,0,0,0,0,1]",
                 "[0,0.2,0.2,0.2,0.2,0.1,0.1]")


def every_giant(value: float) -> str:
    """An override list giving each of the default giants ``value``."""
    return "[" + ",".join([str(value)] * GIANTS) + "]"




@st.composite
def configurations(draw: st.DrawFn) -> list[str]:
    """Overrides for a small but otherwise random valid configuration.

    Entry is bounded (founding rate, hype decay and shock size) so that an
    example stays a few seconds: a lasting hype shock founds tens of thousands
    of startups, which tests nothing the smaller runs do not.
    """
    horizon = draw(st.integers(6, 30))
    term = draw(st.floats(3.0, 10.0))
    spread = draw(st.floats(0.0, 1.0))
    overrides = [
        f"seed={draw(st.integers(0, 2**31))}",
        f"horizon_months={horizon}",
        f"buyers.count={draw(st.integers(50, 600))}",
        f"funds.initial_count={draw(st.integers(0, 80))}",
        f"funds.vintage_rate_per_month={draw(st.sampled_from([0.0, 0.05, 0.25, 1.0]))}",
        f"funds.term_years={term:.3f}",
        f"funds.term_spread_years={spread:.3f}",
        f"funds.investment_period_years={draw(st.floats(0.5, term - spread - 0.1)):.3f}",
        # no fee kept back lets a fund spend to its last CNY (it overdrew by one, rounding)
        f"funds.management_fee_per_year={draw(st.sampled_from([0.0, 0.02, 0.2]))}",
        f"funding.min_fill_share={draw(st.sampled_from([0.0, 0.6, 1.0]))}",
        f"data.spillover={draw(st.floats(0.0, 1.0)):.3f}",
        f"open_source.pace={draw(st.floats(0.5, 2.0)):.3f}",
        f"hype.decay_per_month={draw(st.floats(0.05, 0.5)):.3f}",
        f"startups.base_founding_rate={draw(st.floats(0.0, 1.5)):.3f}",
        f"compute.imported_supply_per_month={draw(st.integers(0, 20000))}",
        f"compute.lead_time_months={draw(st.integers(0, 6))}",
        f"buyers.consideration_rate={draw(st.floats(0.0, 0.2)):.3f}",
        f"buyers.tender_taste={draw(st.sampled_from([0.0, 0.01, 0.08, 0.5, 5.0]))}",
        f"giants.ai_budget_share={draw(st.floats(0.0, 0.5)):.3f}",
        f"giants.core_profit_mcny_per_month={every_giant(draw(st.sampled_from(GIANT_MONEY)))}",
        f"giants.initial_cash_mcny={every_giant(draw(st.sampled_from(GIANT_MONEY)))}",
        # the settings made of the code's numbers (2026-12-07), at their extremes too
        f"giants.pricing_share_floor={draw(st.sampled_from([1e-6, 0.001, 0.1]))}",
        f"startups.distress_runway_months={draw(st.floats(0.0, 12.0)):.3f}",
        f"buyers.budget_sigma={draw(st.floats(0.0, 2.0)):.3f}",
        f"buyers.domain_shares={draw(st.sampled_from(DOMAIN_SHARES))}",
    ]
    # The default shocks (GPT-4, export controls) may fall past a short horizon: draw them.
    controls = shocks = ""
    if draw(st.booleans()):
        month = draw(st.floats(0.0, horizon - 1.0))
        controls = f"{{month:{month:.2f},supply_cut:{draw(st.floats(0.0, 1.0)):.3f},label:test}}"
    if draw(st.booleans()):
        month = draw(st.floats(0.0, horizon - 1.0))
        shocks = f"{{month:{month:.2f},size:{draw(st.floats(0.0, 2.0)):.3f},label:test}}"
    overrides += [f"compute.export_controls=[{controls}]", f"hype.shocks=[{shocks}]"]
    return overrides


@settings.get_profile(PROFILE)
@given(configurations())
def test_invariants_hold_under_random_configurations(overrides: list[str]) -> None:
    tables = simulate(compose(overrides))
    invariants.check_all(tables)
