"""The compute cost model against the sources' figures (DOMAIN.md s2; seeds 000, 003, 004).

Every number here comes from the model's own cost functions in
:mod:`sim.markets.compute` at the default prices of a config (a fresh market,
so the GPU price is ``compute.initial_gpu_price_mcny`` and the rent
``compute.rental_initial_price_mcny``); the targets are the sources' figures.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import simpy

from sim.config import BaimoConfig
from sim.events import EventLog
from sim.ledger import Ledger
from sim.markets.compute import DAYS_PER_MONTH, ComputeMarket

# Targets from the sources (the model never reads them).
DGX_DAY_CNY = 200.0              # seed 004: one DGX (8 A100), 6.5 kW + cooling, 0.63 CNY/kWh
DGX_DAY_TOLERANCE = 0.05
SERVING_GPUS = 30_000            # seed 000: ChatGPT's visitors need ~30,000 A100s
SERVING_USD_PER_DAY = 50_000.0   # seed 000: ~$50k of electricity a day
SERVING_TOLERANCE = 0.30
TRAINING_USD = (2e6, 12e6)       # seed 000: larger LLMs $2M-$12M per run; seed 003: Tian Qi ~$12M
FIRST_GENERATION_HORIZON = 8     # months: every giant's first model is out by then
FIRST_GENERATION_BUYERS = 500    # buyers do not affect training runs; keep the run small


def default_market(cfg: BaimoConfig) -> ComputeMarket:
    """A compute market at the config's default (initial) prices."""
    return ComputeMarket(simpy.Environment(), cfg.compute, Ledger(), EventLog())


def dgx_day_cny(cfg: BaimoConfig) -> float:
    """Electricity of one 8-GPU server at full draw for a day, cooling included (CNY)."""
    return default_market(cfg).electricity_cny_per_server_day()


def serving_electricity_usd_per_day(cfg: BaimoConfig, gpus: float = SERVING_GPUS) -> float:
    """Electricity of ``gpus`` A100s serving (at the serving power factor) for a day (USD)."""
    per_gpu_month = default_market(cfg).electricity_mcny_per_gpu_month(serving=True)
    return gpus * per_gpu_month * 1e6 / DAYS_PER_MONTH / cfg.compute.usd_to_cny


def run_cost_usd(cfg: BaimoConfig, gpu_months: float, rented: bool) -> float:
    """Cost of ``gpu_months`` of training at default prices: rent, or ownership (depreciation
    at the default GPU price plus electricity at full draw)."""
    market = default_market(cfg)
    per = market.rental_price_mcny if rented else market.ownership_cost_mcny_per_gpu_month()
    return gpu_months * per * 1e6 / cfg.compute.usd_to_cny


def startup_original_run_usd(cfg: BaimoConfig) -> float:
    """A startup's original pretraining run, rented from the clouds at the default rent."""
    return run_cost_usd(cfg, cfg.startups.training_gpu_months_original, rented=True)


def giant_first_runs_usd(cfg: BaimoConfig) -> dict[str, float]:
    """Each giant's first-generation training run (2023) in a short seeded run of the model,
    costed on its own fleet at default prices: the release's GPU-months x ownership cost."""
    from sim.run import simulate

    short = dataclasses.replace(
        cfg, horizon_months=FIRST_GENERATION_HORIZON,
        buyers=dataclasses.replace(cfg.buyers, count=FIRST_GENERATION_BUYERS))
    ev = simulate(short).events
    first = ev[(ev["kind"] == "model_release") & (ev["actor_type"] == "giant")
               & (ev["stage"] == 1)]
    return {str(r.actor): run_cost_usd(cfg, float(r.gpus), rented=False)
            for r in first.itertuples()}


@dataclass(frozen=True)
class CostCheck:
    """One cost figure of the model against its source."""

    name: str
    source: str
    model: str
    target: str
    ok: bool


def cost_checks(cfg: BaimoConfig) -> list[CostCheck]:
    """The three cost checks of issue 4, as rows for the validation report."""
    day = dgx_day_cny(cfg)
    serving = serving_electricity_usd_per_day(cfg)
    startup = startup_original_run_usd(cfg)
    giants = giant_first_runs_usd(cfg)
    lo, hi = TRAINING_USD
    biggest = max(giants.values()) if giants else float("nan")
    median = sorted(giants.values())[len(giants) // 2] if giants else float("nan")
    return [
        CostCheck("one DGX server-day (8 A100, cooling included)", "seed 004",
                  f"{day:,.0f} CNY", f"~{DGX_DAY_CNY:,.0f} CNY (within {DGX_DAY_TOLERANCE:.0%})",
                  abs(day / DGX_DAY_CNY - 1) <= DGX_DAY_TOLERANCE),
        CostCheck(f"electricity of {SERVING_GPUS:,} A100s serving, per day", "seed 000",
                  f"${serving:,.0f} (at {cfg.compute.usd_to_cny:g} CNY/USD)",
                  f"~${SERVING_USD_PER_DAY:,.0f} (within {SERVING_TOLERANCE:.0%})",
                  abs(serving / SERVING_USD_PER_DAY - 1) <= SERVING_TOLERANCE),
        CostCheck("startup original pretraining run, rented", "seed 000",
                  f"${startup / 1e6:.1f}M", f"${lo / 1e6:.0f}M-${hi / 1e6:.0f}M",
                  lo <= startup <= hi),
        CostCheck("giants' first-generation runs 2023 (median; largest), own fleet",
                  "seeds 000, 003", f"${median / 1e6:.1f}M; ${biggest / 1e6:.1f}M",
                  f"median >= ${lo / 1e6:.0f}M, largest <= ${hi / 1e6:.0f}M",
                  median >= lo and biggest <= hi),
    ]
