"""The compute cost model (sim/markets/compute.py) against the sources' figures (DOMAIN.md s2)."""

from __future__ import annotations

import statistics

import pytest

from sim.configuration import compose
from sim.validation import costs


@pytest.fixture(scope="module")
def cfg():
    return compose([])


def test_dgx_server_day_costs_about_200_cny(cfg) -> None:
    # seed 004: 6.5 kW + as much again for cooling, 0.63 CNY/kWh -> ~200 CNY a day
    day = costs.dgx_day_cny(cfg)
    assert day == pytest.approx(costs.DGX_DAY_CNY, rel=costs.DGX_DAY_TOLERANCE)
    assert 1000 * day == pytest.approx(200_000, rel=0.05)   # "200,000 CNY a day for 1,000 servers"


def test_server_day_follows_the_config() -> None:
    cheap = compose(["compute.electricity_cny_per_kwh=0.315"])
    no_cooling = compose(["compute.cooling_overhead=0"])
    assert costs.dgx_day_cny(cheap) == pytest.approx(costs.dgx_day_cny(compose([])) / 2)
    assert costs.dgx_day_cny(no_cooling) == pytest.approx(costs.dgx_day_cny(compose([])) / 2)


def test_serving_30000_a100_costs_about_50k_usd_a_day(cfg) -> None:
    # seed 000: ChatGPT on 30,000+ A100s, ~$50k of electricity a day; USD at compute.usd_to_cny
    assert cfg.compute.usd_to_cny == 7.2
    usd = costs.serving_electricity_usd_per_day(cfg)
    assert usd == pytest.approx(costs.SERVING_USD_PER_DAY, rel=costs.SERVING_TOLERANCE)
    full = compose(["compute.serving_power_factor=1"])
    assert costs.serving_electricity_usd_per_day(full) == pytest.approx(2 * usd)


def test_startup_original_training_run_costs_2_to_12_million_usd(cfg) -> None:
    lo, hi = costs.TRAINING_USD
    assert lo <= costs.startup_original_run_usd(cfg) <= hi


def test_giants_first_generation_runs_cost_2_to_12_million_usd(cfg) -> None:
    # seed 000: larger LLMs $2M-$12M per run; seed 003: Huawei's Tian Qi ~$12M
    runs = costs.giant_first_runs_usd(cfg)
    assert len(runs) == len(cfg.giants.names)
    lo, hi = costs.TRAINING_USD
    assert statistics.median(runs.values()) >= lo
    assert max(runs.values()) <= hi


def test_run_cost_uses_default_prices(cfg) -> None:
    month = costs.run_cost_usd(cfg, 1.0, rented=True)
    assert month == pytest.approx(cfg.compute.rental_initial_price_mcny * 1e6 / 7.2)
    own = costs.run_cost_usd(cfg, 1.0, rented=False)
    assert own > cfg.compute.initial_gpu_price_mcny / cfg.compute.depreciation_months * 1e6 / 7.2


def test_cost_checks_all_pass_at_defaults(cfg) -> None:
    checks = costs.cost_checks(cfg)
    assert len(checks) == 4
    assert all(c.ok for c in checks), [c for c in checks if not c.ok]
