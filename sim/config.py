"""Typed configuration schema for baimo.

Every number lives in ``conf/`` (YAML, with the seed file it comes from or the
word "assumption" beside it). This module only declares the fields, their
units and their allowed ranges; :func:`validate` checks a composed config and
raises :class:`ConfigError` with one line naming the field and the allowed range.

Seed files are the source articles in ``shared/seeds/`` (000..004); see
``shared/DOMAIN.md`` for the digest.
"""

from __future__ import annotations

import dataclasses
import math
import re
import typing
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from omegaconf import MISSING

from sim.commands import OneLineError
from sim.sums import left_sum

DOMAINS_HELP = "vertical domains, 'general' first"
#: The index of the general domain in ``startups.domains`` (checked to come first): a
#: giant's home, and a general-model startup's, which bids for tenders in every domain.
GENERAL_DOMAIN = 0
#: The buyer segments, in the order of every list per segment (``buyers.digitization``, ...)
#: and of the metrics' ``adoption_<segment>`` columns.
SEGMENTS = ("gov_soe", "large_digital", "traditional", "sme")
#: Each segment's short name, for labels.
SEGMENT_LABELS = dict(zip(SEGMENTS, ("gov/SOE", "large digitised", "traditional", "SME"),
                          strict=True))

#: How far from 1 a list of shares (``buyers.segment_shares``, ``startups.domain_weights``)
#: may sum: shares typed to a few decimals pass, a slip such as [0.3, 0.3, 0.3] does not.
#: A list within it is divided by its sum (:func:`_shares`), since NumPy's
#: ``Generator.choice``, which draws from it, refuses a sum further than about 1.5e-8
#: (the square root of the float epsilon) from 1.
SHARE_SUM_TOLERANCE = 1e-6
#: A sum of shares this close to 1 is rounding, kept as given: the defaults sum to exactly
#: 1.0 and a list divided by its sum to within a few units in the last place, which NumPy
#: takes; dividing such a list again would move its last bits (and the config's hash).
SHARE_SUM_ROUNDING = 1e-12

#: The calendar a run may span, as (year, month): month 0 is ``start_date`` and its last
#: month ``horizon_months - 1`` later. The model is of the 2020s market; its dates must
#: also fit pandas' timestamps (years 1677 to 2262) and Python's (1 to 9999) in the tables
#: and plots, so a century either side is plenty and keeps clear of both ends.
FIRST_MONTH = (1970, 1)
LAST_MONTH = (2200, 12)
#: ``start_date``'s form: a year and a month, ``YYYY-MM``.
START_DATE = re.compile(r"([0-9]{4})-([0-9]{2})")

#: The longest run (months, ``horizon_months``'s upper bound).
MAX_HORIZON_MONTHS = 600
#: The last month a scheduled event (a hype shock, an export control) may fall in: it must
#: come before the horizon (:func:`_check_cross`), so in the longest run before month 600.
LAST_EVENT_MONTH = MAX_HORIZON_MONTHS - 1
#: The longest fund term (years, ``funds.term_years``'s upper bound).
MAX_FUND_TERM_YEARS = 30
#: The widest spread of fund terms either side of ``funds.term_years`` (years,
#: ``funds.term_spread_years``'s upper bound).
MAX_TERM_SPREAD_YEARS = 10
#: The shortest investment period (years, a quarter), and the margin by which the longest
#: must fall short of the longest term: the period must be shorter than the shortest fund
#: term (:func:`_check_cross`), which is at most :data:`MAX_FUND_TERM_YEARS`.
INVESTMENT_PERIOD_STEP_YEARS = 0.25
MAX_INVESTMENT_PERIOD_YEARS = MAX_FUND_TERM_YEARS - INVESTMENT_PERIOD_STEP_YEARS
#: Months from a fund's vintage to its first month of investing: new funds appear at the
#: month's entry phase and act at its funds phase (``sim.world.Phase.FUNDS - Phase.ENTRY``;
#: sim.world imports this module, so the offset is restated here, and tests/test_config.py
#: checks the two agree). A fund invests only with ``funds.min_remaining_years`` of its
#: term left, so that requirement must leave a fund of the shortest term more than this
#: (:func:`_check_cross`); the investment period, a quarter at least, never ends before it.
FUND_FIRST_ACT_MONTHS = 0.15
#: Months from a fund's act to the close of the rounds it commits to (``Phase.FUNDING -
#: Phase.FUNDS``, restated as above): a fund in its exit window by then invests no more.
FUND_ACT_TO_CLOSE_MONTHS = 0.1
#: Months in a year (fund terms are in years, the simulation clock in months).
MONTHS_PER_YEAR = 12
#: The most term a fund may require left to invest (years, ``funds.min_remaining_years``'s
#: upper bound): a fund of the longest term then still has a quarter to invest in.
MAX_MIN_REMAINING_YEARS = MAX_FUND_TERM_YEARS - INVESTMENT_PERIOD_STEP_YEARS
#: The longest exit window (years, ``funds.exit_window_years``'s upper bound): a fund of the
#: longest term then still has a quarter before it to invest in.
MAX_EXIT_WINDOW_YEARS = MAX_FUND_TERM_YEARS - INVESTMENT_PERIOD_STEP_YEARS
#: The most term sheets a fund may be allowed a month (``funds.max_new_deals_per_month``'s
#: upper bound): a partnership working a thousand deals a month has no bandwidth limit;
#: null says that plainly.
MAX_DEALS_PER_MONTH = 1000
#: The smallest share of a round its lead takes (``funding.lead_share``'s lower bound): more
#: than 0, at which no round closes; a tenth of a percent, as ``giants.share_target``'s.
MIN_LEAD_SHARE = 0.001


class ConfigError(OneLineError, ValueError):
    """A configuration value is invalid. The message is one line for the user."""


def param(lo: float, hi: float, unit: str = "", why: str = "") -> Any:
    """A required numeric field whose value must lie in ``[lo, hi]``; ``why``, if given,
    says in the refusal what a value outside would do (a bound that is not obvious)."""
    return field(default=MISSING, metadata={"range": (lo, hi), "unit": unit, "why": why})


def optional_param(lo: float, hi: float, unit: str = "", why: str = "") -> Any:
    """A required numeric field that may also be null (``None``: the feature is off and the
    model behaves as before it existed); a number must lie in ``[lo, hi]``. The config hash
    leaves a null out (``sim.configuration.hash_resolved``), so runs from before the field
    keep their hash."""
    return field(default=MISSING, metadata={"range": (lo, hi), "unit": unit, "why": why,
                                            "nullable": True})


def limit_param(hi: float, unit: str) -> Any:
    """A safety limit: an integer from 1 to ``hi``; a run that passes it stops with a
    RunawayError, and one that stays within it is the same under any limit it stays within.
    So limits are left out of the config hash (:func:`safety_limits`): a sweep resumed with
    a limit raised, as the error advises, keeps the runs it finished."""
    return field(default=MISSING, metadata={"range": (1, hi), "unit": unit, "why": "",
                                            "safety_limit": True})


def plist(lo: float, hi: float, unit: str = "", per: tuple[str, ...] = ()) -> Any:
    """A required list field whose every element must lie in ``[lo, hi]``; ``per``, if
    given, names what its elements stand for, in order (:data:`SEGMENTS`): the list must
    have one element each."""
    return field(default=MISSING,
                 metadata={"range": (lo, hi), "unit": unit, "each": True, "per": per})


@dataclass
class HypeShock:
    """An external event that lifts the hype index (e.g. ChatGPT, GPT-4; seed 000)."""

    month: float = param(0, LAST_EVENT_MONTH, "months since start_date, below horizon_months")
    size: float = param(-10, 10, "hype index points")
    label: str = MISSING


@dataclass
class ExportControl:
    """An export-control event: cuts imported GPU supply from ``month`` on (seed 004)."""

    month: float = param(0, LAST_EVENT_MONTH, "months since start_date, below horizon_months")
    supply_cut: float = param(0, 1, "share of imported supply removed")
    label: str = MISSING


@dataclass
class CapabilityConfig:
    """How training compute and data become a leaderboard capability score.

    capability = points_per_decade * log10(1 + effective_compute / reference_compute)
                 * ((1 - data_weight) + data_weight * data_quality)
    effective_compute = gpu_months * 2 ** (month / algorithmic_doubling_months).
    All assumptions, calibrated so first-generation giants score about 50 and
    the 2023 open-source frontier about 35.
    """

    points_per_decade: float = param(1, 100, "capability points per 10x compute")
    reference_compute_gpu_months: float = param(0.01, 1e6, "A100-months")
    algorithmic_doubling_months: float = param(1, 240, "months")
    data_weight: float = param(0, 1, "share")
    hallucination_scale: float = param(1, 200, "capability points")
    vertical_data_bonus: float = param(0, 100, "capability points per unit domain data")
    general_domain_transfer: float = param(0, 1.5, "ratio")
    shell_tuning_points: float = param(0, 50, "capability points per unit data")
    tuning_compute_elasticity: float = param(0, 2, "elasticity of tuning gain to tuning compute")
    tuning_reference_gpu_months: float = param(1, 1e6, "A100-months of a full-gain tuning run")
    assembled_factor: float = param(0, 1.5, "ratio to open frontier")


@dataclass
class OpenSourceConfig:
    """Scheduled open-source releases (LLaMA etc.; seeds 000, 001, 004).

    ``release_months[k]`` lifts the open frontier to ``frontier_capability[k]``.
    ``pace`` > 1 brings every release earlier (months divided by pace).
    """

    release_months: list[float] = plist(0, MAX_HORIZON_MONTHS, "months since start_date")
    frontier_capability: list[float] = plist(0, 200, "capability points")
    initial_capability: float = param(0, 200, "capability points")
    pace: float = param(0.1, 10, "ratio")


@dataclass
class HypeConfig:
    """Hype index (1 = pre-ChatGPT normal). Seeds 000, 003, 004.

    H[t+1] = 1 + (H[t] - 1) * (1 - decay_per_month) + release_impulse * releases
             + funding_impulse_per_bn * raised (billion CNY) + shocks.
    """

    initial: float = param(0.1, 20, "index")
    decay_per_month: float = param(0, 1, "share per month")
    release_impulse: float = param(0, 2, "index points per release")
    funding_impulse_per_bn: float = param(0, 5, "index points per 1,000 million CNY raised")
    shocks: list[HypeShock] = field(default_factory=list)


@dataclass
class ComputeConfig:
    """GPU market in A100-equivalents, prices in million CNY. Seeds 000, 003, 004.

    Price moves with demand against supply (tatonnement) and reverts to the
    production cost; nothing schedules the 2023 price rise.
    """

    initial_gpu_price_mcny: float = param(0.001, 10, "million CNY per A100-eq")
    production_cost_mcny: float = param(0.001, 10, "million CNY per A100-eq")
    price_adjust_speed: float = param(0, 2, "log-price change at full excess demand")
    price_reversion: float = param(0, 1, "share per month")
    imported_supply_per_month: float = param(0, 1e7, "A100-eq per month")
    domestic_supply_per_month: float = param(0, 1e7, "A100-eq per month")
    domestic_performance: float = param(0.05, 2, "A100-eq per domestic GPU")
    supply_growth_per_year: float = param(-0.5, 3, "share per year")
    supply_price_elasticity: float = param(0, 5, "elasticity of shipments to price/cost")
    lead_time_months: float = param(0, 24, "months")
    made_to_order: bool = True
    retire_worn_out: bool = True
    export_controls: list[ExportControl] = field(default_factory=list)
    server_power_kw: float = param(0.1, 100, "kW per server")
    gpus_per_server: int = param(1, 64, "GPUs")
    cooling_overhead: float = param(0, 5, "ratio to IT power")
    electricity_cny_per_kwh: float = param(0, 10, "CNY per kWh")
    serving_power_factor: float = param(0, 1, "share of peak draw")
    # at least a year: a shorter life wears every fleet out within months (1 month: rent
    # at 7.9 million CNY a GPU-month, 487 of 560 startups failed, none released a model)
    depreciation_months: float = param(12, 240, "months")
    rental_initial_price_mcny: float = param(0.0001, 1, "million CNY per A100-eq-month")
    rental_scarcity_elasticity: float = param(0, 2, "elasticity of rent to requested/offered")
    cloud_margin: float = param(0, 5, "ratio over ownership cost")
    serving_throughput_mtok: float = param(1, 1e7, "million tokens per A100-eq-month")
    usd_to_cny: float = param(1, 20, "CNY per USD")


@dataclass
class RegulationConfig:
    """Review queue before public release: an assumption (seed 003 has the generative-AI
    measures' draft of April 2023; no seed names a review step)."""

    review_start_month: float = param(0, MAX_HORIZON_MONTHS, "months since start_date")
    reviewers: int = param(1, 1000, "parallel reviews")
    mean_review_months: float = param(0, 24, "months")


@dataclass
class DataConfig:
    """Data quality (0..1) and its spill-over between firms (claim 3; seeds 000, 004)."""

    spillover: float = param(0, 1, "share")
    diffusion_per_month: float = param(0, 1, "share of gap closed per month at spillover 1")
    quality_step: float = param(0.001, 0.5, "quality units per purchase")
    step_cost_giant_mcny: float = param(0, 1e5, "million CNY per step")
    step_cost_startup_mcny: float = param(0, 1e5, "million CNY per step")
    revenue_gain_per_quality: float = param(0, 20, "share of revenue per quality unit")
    payback_months: float = param(1, 120, "months")
    contract_learning: float = param(0, 0.5, "domain data quality per contract-month")


@dataclass
class GiantsConfig:
    """General-model giants (seeds 000, 001, 002, 003, 004).

    Per-giant lists are in the order of ``names``.
    """

    names: list[str] = MISSING
    core_profit_mcny_per_month: list[float] = plist(0, 1e6, "million CNY per month")
    initial_cash_mcny: list[float] = plist(0, 1e7, "million CNY")
    initial_gpus: list[float] = plist(0, 1e7, "A100-eq")
    initial_domestic_share: list[float] = plist(0, 1, "share of the initial fleet that is domestic")
    initial_data_quality: list[float] = plist(0, 1, "quality")
    core_growth_per_year: float = param(-0.5, 1, "share per year")
    ai_budget_share: float = param(0, 1, "share of core profit")
    internal_use_lift: float = param(0, 1, "core profit lift per 100 capability points")
    hype_fleet_elasticity: float = param(0, 5, "elasticity of GPU target to hype")
    gpu_price_elasticity: float = param(0, 5, "elasticity of GPU orders to price")
    fleet_target_months_of_budget: float = param(0, 240, "months of AI budget")
    fleet_plan_price_mcny: float = param(0.001, 100, "million CNY per A100-eq")
    fleet_adjust_months: float = param(1, 60, "months to close the fleet gap")
    cloud_reserve_share: float = param(0, 1, "share of the fleet shortfall kept off the cloud")
    training_fleet_share: float = param(0, 1, "share of fleet")
    train_on_overdue: bool = MISSING  # plan runs on owned + overdue GPUs (else owned only)
    training_months: float = param(0.5, 24, "months")
    generation_interval_months: float = param(1, 60, "months")
    first_generation_window_share: float = param(0, 1, "share of generation_interval_months")
    initial_api_price_cny_per_mtok: float = param(0.01, 1000, "CNY per million tokens")
    target_markup: float = param(0, 10, "ratio over serving cost")
    price_adjust_speed: float = param(0, 1, "share per month")
    share_target: float = param(0.001, 1, "share of API market")
    pricing_share_floor: float = param(1e-6, 1, "share of API market",
                                       "at 0 a giant that sold no tokens would price at 0")
    share_price_elasticity: float = param(0, 5, "elasticity of price to share/target")
    rival_price_weight: float = param(0, 1, "weight of rivals' mean price")
    delivery_cost_share: float = param(0, 2, "share of tender value")
    bid_markup: float = param(-0.5, 5, "ratio over delivery cost")
    acquisition_budget_share: float = param(0, 1, "share of cash per deal")
    acquisition_appetite: float = param(0, 1, "probability of looking per month")
    acquisition_min_capability_gap: float = param(-100, 100, "capability points")
    strategic_premium: float = param(0, 5, "ratio over valuation")


@dataclass
class StartupsConfig:
    """Vertical and application startups (seeds 000, 001, 003, 004)."""

    domains: list[str] = MISSING
    domain_weights: list[float] = plist(0, 1, "share")
    base_founding_rate: float = param(0, 1000, "startups per month at hype 1")
    hype_elasticity: float = param(0, 5, "elasticity of founding to hype")
    max_founded: int = limit_param(10_000_000, "startups per run (a safety limit)")
    tech_depth_a: float = param(0.01, 100, "Beta a")
    tech_depth_b: float = param(0.01, 100, "Beta b")
    original_depth: float = param(0, 1, "tech depth")
    shell_depth: float = param(0, 1, "tech depth")
    initial_cash_mcny: float = param(0, 1e5, "million CNY")
    initial_cash_sigma: float = param(0, 3, "lognormal sigma")
    headcount_original: float = param(1, 1e4, "people")
    headcount_shell: float = param(1, 1e4, "people")
    headcount_assembled: float = param(1, 1e4, "people")
    salary_mcny_per_month: float = param(0, 10, "million CNY per person-month")
    rent_mcny_per_month: float = param(0, 100, "million CNY per month")
    initial_data_quality_max: float = param(0, 1, "quality")
    dev_months_original: float = param(0.5, 60, "months")
    dev_months_shell: float = param(0.5, 60, "months")
    dev_months_assembled: float = param(0.5, 60, "months")
    training_gpu_months_original: float = param(1, 1e7, "A100-months per generation")
    training_gpu_months_other: float = param(0, 1e6, "A100-months per generation")
    tuning_budget_mcny: float = param(0, 1e4, "million CNY per shell tuning run")
    training_months: float = param(0.5, 24, "months (original models)")
    training_months_other: float = param(0.5, 24, "months (shells and assembled models)")
    generation_interval_months: float = param(1, 60, "months")
    buy_propensity: float = param(0, 1, "probability")
    compute_cash_share: float = param(0, 1, "share of cash")
    api_markup: float = param(0, 10, "ratio over serving cost")
    delivery_cost_share: float = param(0, 2, "share of tender value")
    urgent_runway_months: float = param(0, 60, "months")
    urgent_discount: float = param(0, 1, "share below cost")
    bid_markup: float = param(-0.5, 5, "ratio over delivery cost")
    pivot_gap_points: float = param(0, 200, "capability points")
    pivot_burn_factor: float = param(0, 1, "ratio")
    app_layer_capability_share: float = param(0, 1.5, "ratio to host model")
    app_layer_fee_share: float = param(0, 1, "share of revenue paid to the host giant")
    cost_cut_after_failed_round: float = param(0, 1, "share of burn cut")
    # at least 1: at 0 every startup offered itself in distress from its founding
    max_failed_rounds: int = param(1, 20, "rounds")
    distress_runway_months: float = param(0, 60, "months")
    ipo_revenue_mcny_per_year: float = param(0, 1e6, "million CNY per year")
    ipo_window_hype: float = param(0, 20, "hype index")
    ipo_revenue_multiple: float = param(0, 200, "ratio")
    ipo_primary_share: float = param(0, 1, "share of valuation raised")


@dataclass
class FundsConfig:
    """Venture funds with finite terms (claim 1; seed 004)."""

    initial_count: int = param(0, 10000, "funds")
    term_years: float = param(1, MAX_FUND_TERM_YEARS, "years")
    term_spread_years: float = param(0, MAX_TERM_SPREAD_YEARS, "years either side")
    investment_period_years: float = param(INVESTMENT_PERIOD_STEP_YEARS,
                                            MAX_INVESTMENT_PERIOD_YEARS, "years")
    size_mcny: float = param(1, 1e6, "million CNY")
    size_sigma: float = param(0, 3, "lognormal sigma")
    vintage_rate_per_month: float = param(0, 100, "new funds per month at hype 1")
    vintage_hype_elasticity: float = param(0, 5, "elasticity")
    max_founded: int = limit_param(10_000_000, "funds per run (a safety limit)")
    management_fee_per_year: float = param(0, 0.2, "share of commitment")
    #: after the investment period, the fee is charged on the cost of the stakes still
    #: held (net invested capital), not on the commitment
    fee_steps_down: bool = True
    max_position_share: float = param(0, 1, "share of fund per company")
    hurdle_mean: float = param(-20, 20, "score")
    hurdle_sd: float = param(0, 20, "score")
    min_remaining_years: float = param(0, MAX_MIN_REMAINING_YEARS, "years")
    exit_window_years: float = param(0, MAX_EXIT_WINDOW_YEARS, "years")
    secondary_discount: float = param(0, 0.95, "share")   # at 1 stakes sold for nothing
    compute_payback_months: float = param(1, 240, "months")
    #: a fund's partner bandwidth: the most term sheets (leads or follows, in new companies
    #: or ones it holds) it commits in one month; null: no limit
    max_new_deals_per_month: int | None = optional_param(1, MAX_DEALS_PER_MONTH,
                                                         "term sheets per fund per month")


@dataclass
class FundingConfig:
    """How rounds are requested, scored and priced (seed 004)."""

    runway_trigger_months: float = param(0, 60, "months")
    pressure_runway_months: float = param(0, 60, "extra months at full pressure")
    hype_runway_months: float = param(0, 60, "extra months per hype point above 1")
    retry_after_months: float = param(0, 60, "months after a failed round")
    round_runway_months: float = param(1, 120, "months of burn raised")
    min_fill_share: float = param(0, 1, "share of target")
    #: at 0 the first fund to answer a request leads it with no ticket (nothing under one
    #: CNY is committed), so no request ever has a lead and no round closes
    lead_share: float = param(MIN_LEAD_SHARE, 1, "share of round",
                              "a round needs a lead's ticket, and at 0 no fund ever leads "
                              "one, so no round closes")
    follower_ticket_share: float = param(0, 1, "share of round")
    story_value_mcny: float = param(0, 1e6, "million CNY")
    release_story_bonus: float = param(0, 10, "ratio per release")
    release_story_cap: int = param(0, 1000, "releases")
    rank_story_bonus: float = param(0, 10, "ratio at top rank")
    stage_story_decay: float = param(0, 1, "ratio per stage")
    stage_hype_lift: float = param(0, 5, "share of hype above normal, per round closed")
    valuation_hype_elasticity: float = param(0, 5, "elasticity")
    revenue_multiple: float = param(0, 200, "ratio to annual revenue")
    heavy_asset_discount: float = param(0, 1, "share at all-GPU assets")
    score_hype_weight: float = param(0, 20, "score per log hype")
    score_story_weight: float = param(0, 20, "score per story unit")
    score_revenue_weight: float = param(0, 20, "score per log revenue")
    score_stage_penalty: float = param(0, 20, "score per stage")
    revenue_scale_mcny: float = param(0.001, 1e5, "million CNY per year")
    distressed_discount: float = param(0, 0.95, "share")   # at 1 companies sold for nothing
    ask_cut_per_failed_round: float = param(0, 0.9, "share of value per failed round")
    score_price_weight: float = param(0, 20, "score per log of value over asking price")
    max_positions: int = limit_param(1_000_000_000,
                                     "fund positions and term sheets (a safety limit)")


@dataclass
class BuyersConfig:
    """Enterprise buyers as one NumPy population (claim 5; seeds 000, 002, 004).

    Per-segment lists are in the order gov_soe, large_digital, traditional, sme.
    """

    count: int = param(1, 10_000_000, "buyers")
    segment_shares: list[float] = plist(0, 1, "share", per=SEGMENTS)
    digitization: list[float] = plist(0, 1, "index", per=SEGMENTS)
    budget_mcny_per_month: list[float] = plist(0.001, 1e4, "million CNY per month", per=SEGMENTS)
    hallucination_tolerance: list[float] = plist(0, 1, "index", per=SEGMENTS)
    privacy_need: list[float] = plist(0, 1, "probability of requiring private deployment",
                                      per=SEGMENTS)
    headcount_resistance: list[float] = plist(0, 1, "index", per=SEGMENTS)
    price_sensitivity: list[float] = plist(0, 10, "weight", per=SEGMENTS)
    tender_propensity: list[float] = plist(0, 1, "probability", per=SEGMENTS)
    attribute_sd: float = param(0, 1, "sd of individual draws")
    budget_sigma: float = param(0, 4, "sd of log budget")
    domain_shares: list[float] = plist(0, 1, "share")
    consideration_rate: float = param(0, 1, "share per month at hype 1")
    consideration_hype_elasticity: float = param(0, 5, "elasticity")
    value_multiple: float = param(0, 20, "value as multiple of budget")
    api_value_factor: float = param(0, 2, "value of a standard API relative to a custom project")
    capability_midpoint: float = param(0, 200, "capability points")
    capability_width: float = param(0.1, 100, "capability points")
    staff_cut_share: float = param(0, 1, "share of value from cutting staff")
    hallucination_cost: float = param(0, 20, "budget multiples")
    integration_cost: float = param(0, 20, "budget multiples at zero digitisation")
    switching_cost: float = param(0, 20, "budget multiples")
    tender_taste: float = param(0, 5, "budget multiples (Gumbel scale of a tender's own "
                                      "judgment of each bid)")
    usage_mtok_per_mcny: float = param(0, 1e7, "million tokens per million CNY of budget")
    usage_growth_per_year: float = param(-0.5, 10, "share per year")
    # whole months: a contract pays price / term a month and ends at the first monthly
    # check past its term, so 12.5 months paid 13 instalments (104% of the price)
    tender_term_months: int = param(1, 120, "months")
    project_budget_months: float = param(0, 120, "months of budget per project")
    churn_base: float = param(0, 1, "share per month")


@dataclass
class BaimoConfig:
    """The whole run: seed, horizon and every actor and market."""

    seed: int = param(0, 2**63 - 1, "integer")
    horizon_months: int = param(1, MAX_HORIZON_MONTHS, "months")
    start_date: str = MISSING
    max_events: int = limit_param(10_000_000_000, "events in a run's log (a safety limit)")
    max_price_multiple: int = limit_param(
        10**15, "times a price's month-0 level (a safety limit)")
    capability: CapabilityConfig = field(default_factory=CapabilityConfig)
    open_source: OpenSourceConfig = field(default_factory=OpenSourceConfig)
    hype: HypeConfig = field(default_factory=HypeConfig)
    compute: ComputeConfig = field(default_factory=ComputeConfig)
    regulation: RegulationConfig = field(default_factory=RegulationConfig)
    data: DataConfig = field(default_factory=DataConfig)
    giants: GiantsConfig = field(default_factory=GiantsConfig)
    startups: StartupsConfig = field(default_factory=StartupsConfig)
    funds: FundsConfig = field(default_factory=FundsConfig)
    funding: FundingConfig = field(default_factory=FundingConfig)
    buyers: BuyersConfig = field(default_factory=BuyersConfig)


# ---------------------------------------------------------------- validation


#: Whole numbers up to this are written out in full (``10,000,000``, the seed's bound
#: ``9,223,372,036,854,775,807``), not rounded to six digits as ``:g`` would.
EXACT_UP_TO = 2**63


def fmt_number(x: float) -> str:
    """A number as the errors and docs/MODEL.md's table write it: ``:g``, whole numbers
    from 100,000 up to :data:`EXACT_UP_TO` in full."""
    if float(x).is_integer() and abs(x) <= EXACT_UP_TO and abs(x) >= 1e5:
        return f"{int(x):,}"
    return f"{x:g}"


def given_number(x: float) -> str:
    """A value as given, every digit kept (the shortest text that reads back as it): a
    value just past a bound, written with :func:`fmt_number`'s six digits, read as the
    bound itself ("giants.target_markup=10 is out of range; allowed 0 to 10")."""
    if isinstance(x, int) or (math.isfinite(x) and x.is_integer() and abs(x) < EXACT_UP_TO):
        return str(int(x))   # as written: -1, not the -1.0 of a float field
    return repr(float(x))


def _check_number(path: str, value: Any, lo: float, hi: float, unit: str,
                  why: str = "", nullable: bool = False) -> None:
    null = " or null" if nullable else ""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"{path}={value!r} is not a number; allowed {fmt_number(lo)} to "
                          f"{fmt_number(hi)}{null}")
    if not math.isfinite(value) or not lo <= value <= hi:
        suffix = (f" ({unit})" if unit else "") + (f": {why}" if why else "")
        raise ConfigError(
            f"{path}={given_number(value)} is out of range; allowed {fmt_number(lo)} to "
            f"{fmt_number(hi)}{null}{suffix}"
        )


def _check_ranges(obj: Any, prefix: str = "") -> None:
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        path = f"{prefix}{f.name}"
        if dataclasses.is_dataclass(value):
            _check_ranges(value, path + ".")
        elif isinstance(value, list) and value and dataclasses.is_dataclass(value[0]):
            for i, item in enumerate(value):
                _check_ranges(item, f"{path}[{i}].")
        elif "range" in f.metadata:
            lo, hi = f.metadata["range"]
            unit, why = f.metadata["unit"], f.metadata.get("why", "")
            if f.metadata.get("each"):
                for i, item in enumerate(value):
                    _check_number(f"{path}[{i}]", item, lo, hi, unit, why)
                setattr(obj, f.name, [_positive_zero(item) for item in value])
            elif value is not None or not f.metadata.get("nullable"):
                _check_number(path, value, lo, hi, unit, why, bool(f.metadata.get("nullable")))
                setattr(obj, f.name, _positive_zero(value))


def _positive_zero(value: float) -> float:
    """``value``, with -0.0 made 0.0: it passes a range from 0 (``-0.0 >= 0``), but NumPy's
    samplers read its sign and refuse it as a scale ("scale < 0"), and it would hash apart
    from 0.0."""
    return value + 0 if value == 0 else value


def _require(ok: bool, message: str) -> None:
    if not ok:
        raise ConfigError(message)


def _check_lengths(cfg: BaimoConfig) -> None:
    g = cfg.giants
    n = len(g.names)
    _require(n >= 1, "giants.names must name at least one giant")
    _check_names("giants.names", g.names)
    _require(len(set(g.names)) == n, "giants.names must be unique")
    for name in (
        "core_profit_mcny_per_month",
        "initial_cash_mcny",
        "initial_gpus",
        "initial_domestic_share",
        "initial_data_quality",
    ):
        got = len(getattr(g, name))
        _require(got == n, f"giants.{name} has {got} entries; needs one per giant ({n} names)")
    for f in dataclasses.fields(cfg.buyers):   # the lists per segment
        per = f.metadata.get("per")
        if per:
            got = len(getattr(cfg.buyers, f.name))
            _require(got == len(per),
                     f"buyers.{f.name} has {got} entries; needs {len(per)} ({', '.join(per)})")
    s = cfg.startups
    _require(len(s.domains) >= 2 and s.domains[GENERAL_DOMAIN] == "general",
             "startups.domains must start with 'general' and name at least one vertical")
    _check_names("startups.domains", s.domains)
    _require(len(set(s.domains)) == len(s.domains), "startups.domains must be unique")
    _require(len(s.domain_weights) == len(s.domains),
             f"startups.domain_weights has {len(s.domain_weights)} entries; "
             f"needs one per domain ({len(s.domains)})")
    _require(len(cfg.buyers.domain_shares) == len(s.domains),
             f"buyers.domain_shares has {len(cfg.buyers.domain_shares)} entries; "
             f"needs one per domain of startups.domains ({len(s.domains)})")
    os_ = cfg.open_source
    _require(len(os_.release_months) == len(os_.frontier_capability),
             f"open_source.release_months has {len(os_.release_months)} entries and "
             f"open_source.frontier_capability {len(os_.frontier_capability)}; needs one "
             "frontier capability per release")


def _check_cross(cfg: BaimoConfig) -> None:
    f = cfg.funds
    _require(f.term_spread_years < f.term_years,
             f"funds.term_spread_years={fmt_number(f.term_spread_years)} must be below "
             f"funds.term_years={fmt_number(f.term_years)}")
    shortest = f.term_years - f.term_spread_years
    _require(f.investment_period_years < shortest,
             f"funds.investment_period_years={fmt_number(f.investment_period_years)} must be "
             f"shorter than the shortest fund term (funds.term_years="
             f"{fmt_number(f.term_years)} less funds.term_spread_years="
             f"{fmt_number(f.term_spread_years)}: {fmt_number(shortest)} "
             f"{'year' if shortest == 1 else 'years'})")
    # Fund.investing(): a fund invests only with min_remaining_years of its term left, and
    # its first chance comes FUND_FIRST_ACT_MONTHS after its vintage.
    latest = shortest - FUND_FIRST_ACT_MONTHS / MONTHS_PER_YEAR
    _require(f.min_remaining_years < latest,
             f"funds.min_remaining_years={fmt_number(f.min_remaining_years)} leaves a fund "
             f"of the shortest term no time to invest (funds.term_years="
             f"{fmt_number(f.term_years)} less funds.term_spread_years="
             f"{fmt_number(f.term_spread_years)}: {fmt_number(shortest)} years); allowed below "
             f"{fmt_number(latest)} years (that term less the {fmt_number(FUND_FIRST_ACT_MONTHS)}"
             f" months from a fund's vintage to its first month of investing)")
    # Fund.investing(): nor once its exit window has opened by the close of the rounds it
    # would join, FUND_ACT_TO_CLOSE_MONTHS after it acts.
    first_close = FUND_FIRST_ACT_MONTHS + FUND_ACT_TO_CLOSE_MONTHS
    latest_window = shortest - first_close / MONTHS_PER_YEAR
    _require(f.exit_window_years < latest_window,
             f"funds.exit_window_years={fmt_number(f.exit_window_years)} leaves a fund of the "
             f"shortest term no time to invest (a fund in its exit window sells and invests no "
             f"more; funds.term_years={fmt_number(f.term_years)} less funds.term_spread_years="
             f"{fmt_number(f.term_spread_years)}: {fmt_number(shortest)} "
             f"{'year' if shortest == 1 else 'years'}); allowed below "
             f"{fmt_number(latest_window)} years (that term less the {fmt_number(first_close)} "
             "months from a fund's vintage to the close of the first rounds it can join)")
    _require(f.initial_count <= f.max_founded,
             f"funds.initial_count={f.initial_count} must not exceed funds.max_founded="
             f"{f.max_founded} (the safety limit counts the funds alive at the start)")
    r = cfg.funding
    # Without followers a round holds only its lead's ticket (at most lead_share of the
    # target), and closes only at min_fill_share of the target.
    _require(r.follower_ticket_share > 0 or r.lead_share >= r.min_fill_share,
             f"funding.follower_ticket_share=0 leaves a round only its lead's ticket, "
             f"funding.lead_share={fmt_number(r.lead_share)} of the target, short of "
             f"funding.min_fill_share={fmt_number(r.min_fill_share)}: no round would close; "
             "allowed a follower share above 0, or a lead share of at least min_fill_share")
    cfg.buyers.segment_shares = _shares("buyers.segment_shares", cfg.buyers.segment_shares)
    cfg.startups.domain_weights = _shares("startups.domain_weights",
                                          cfg.startups.domain_weights)
    cfg.buyers.domain_shares = _shares("buyers.domain_shares", cfg.buyers.domain_shares)
    g = cfg.giants
    _require(g.pricing_share_floor <= g.share_target,
             f"giants.pricing_share_floor={fmt_number(g.pricing_share_floor)} must not exceed "
             f"giants.share_target={fmt_number(g.share_target)} (a floor above the target "
             "would price every giant below cost-plus)")
    s = cfg.startups
    _require(s.shell_depth <= s.original_depth,
             f"startups.shell_depth={fmt_number(s.shell_depth)} must not exceed "
             f"startups.original_depth={fmt_number(s.original_depth)}")
    h = cfg.horizon_months
    # A short run meets the default schedule's later events: the message says how to go
    # without them.
    schedules: list[tuple[str, list[Any]]] = [("hype.shocks", cfg.hype.shocks),
                                             ("compute.export_controls",
                                              cfg.compute.export_controls)]
    late = [(key, i, event) for key, events in schedules
            for i, event in enumerate(events) if not event.month < h]
    if late:   # the first named in full, the others too: not found one fix at a time
        key, i, event = late[0]
        also = "; also past it: " + ", ".join(f"{k}[{j}] ({e.label})" for k, j, e in late[1:]) \
            if len(late) > 1 else ""
        raise ConfigError(f"{key}[{i}].month={fmt_number(event.month)} ({event.label}) is past "
                          f"the horizon; allowed below {h} (horizon_months={h}); leave it out "
                          f"of {key} for a shorter run ({key}=[] for none){also}")
    _require(cfg.compute.production_cost_mcny > 0, "compute.production_cost_mcny must be > 0")
    problem = start_date_problem(cfg.start_date, cfg.horizon_months)
    _require(problem is None, str(problem))


def _check_names(path: str, names: list[str]) -> None:
    """Each of ``names`` must be one line of text: they label plots, tables and stories (a
    list or map among them, ``giants.names=[[a],b]``, came through the schema and failed
    as a traceback)."""
    for i, name in enumerate(names):
        _require(isinstance(name, str) and len(name.splitlines()) == 1 and name.strip() != "",
                 f"{path}[{i}]={name!r} must be a name on one line (text, not empty, no line "
                 "break)")


def _shares(path: str, shares: list[float]) -> list[float]:
    """``shares``, which must sum to 1 within :data:`SHARE_SUM_TOLERANCE`, divided by their
    sum unless it is 1 up to rounding (:data:`SHARE_SUM_ROUNDING`: then as given)."""
    total = left_sum(shares)
    _require(abs(total - 1) <= SHARE_SUM_TOLERANCE,
             f"{path} sum to {total:.10g}; they must sum to 1 "
             f"(within {SHARE_SUM_TOLERANCE:g})")
    if abs(total - 1) <= SHARE_SUM_ROUNDING:
        return shares
    return [share / total for share in shares]


def _month_text(index: int) -> str:
    """``YYYY-MM`` of a month counted from January of year 0."""
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def start_date_problem(start_date: Any, horizon_months: int) -> str | None:
    """One line if ``start_date`` is not a month as ``YYYY-MM`` from :data:`FIRST_MONTH`
    to :data:`LAST_MONTH` from which a run of ``horizon_months`` ends by the last (None:
    it is). Shared by the config and the readers of a run's summary.json."""
    first = FIRST_MONTH[0] * 12 + FIRST_MONTH[1] - 1
    last = LAST_MONTH[0] * 12 + LAST_MONTH[1] - 1
    found = START_DATE.fullmatch(start_date) if isinstance(start_date, str) else None
    if found is None or not 1 <= int(found[2]) <= 12:
        return (f"start_date={start_date!r} is not a month as YYYY-MM; allowed "
                f"{_month_text(first)} to {_month_text(last)}")
    start = int(found[1]) * 12 + int(found[2]) - 1
    latest = last - (horizon_months - 1)
    if not first <= start <= latest:
        return (f"start_date={start_date} is out of range; allowed {_month_text(first)} to "
                f"{_month_text(latest)} (a run of horizon_months={horizon_months} must end "
                f"by {_month_text(last)})")
    return None


def field_problem(path: str, value: Any) -> str | None:
    """One line if ``value`` is outside the schema's range of the numeric top-level field
    ``path`` (``seed``, ``horizon_months``), as :func:`validate` would say it (None: it is
    inside). For readers of what a run wrote (its summary.json)."""
    f = BaimoConfig.__dataclass_fields__[path]
    lo, hi = f.metadata["range"]
    try:
        _check_number(path, value, lo, hi, f.metadata["unit"], f.metadata.get("why", ""))
    except ConfigError as exc:
        return str(exc)
    return None


def schema_fields(root: Any = None, prefix: str = ""
                  ) -> Iterator[tuple[str, dataclasses.Field, Any]]:
    """Every field of the schema ``root`` (None: :class:`BaimoConfig`), a group of settings'
    own fields after it: its dotted key, the field and its type."""
    cls = BaimoConfig if root is None else root
    hints = typing.get_type_hints(cls)
    for f in dataclasses.fields(cls):
        tp = hints[f.name]
        yield prefix + f.name, f, tp
        if is_group(tp):
            yield from schema_fields(tp, f"{prefix}{f.name}.")


def is_group(tp: Any) -> bool:
    """Whether the schema's type ``tp`` is a group of settings (a dataclass)."""
    return isinstance(tp, type) and dataclasses.is_dataclass(tp)


def safety_limits() -> tuple[str, ...]:
    """Dotted keys of the schema's safety limits (:func:`limit_param`)."""
    return tuple(key for key, f, _ in schema_fields() if f.metadata.get("safety_limit"))


def schema_field(key: str, root: Any = None) -> tuple[dataclasses.Field, Any] | None:
    """The field of the schema ``root`` (None: :class:`BaimoConfig`) behind dotted ``key``
    (``funds.term_years``) and its type, or None if the schema has no such field."""
    cls: Any = BaimoConfig if root is None else root
    parts = key.split(".")
    for i, part in enumerate(parts):
        if not is_group(cls):
            return None
        fields = {f.name: f for f in dataclasses.fields(cls)}
        if part not in fields:
            return None
        hints = typing.get_type_hints(cls)
        if i == len(parts) - 1:
            return fields[part], hints[part]
        cls = hints[part]
    return None


#: OmegaConf's error when an override's value does not fit its field's type, and what
#: each type it names takes.
CONVERSION = re.compile(r"Value '(?P<value>.*)' of type '\w+' could not be converted to "
                        r"(?P<type>\w+)")
CONVERTS_TO = {"Float": "a number", "Integer": "an integer", "Boolean": "true or false"}
#: Hydra's line naming the override that failed, as the user wrote it.
MERGING = re.compile(r"Error merging override (?P<key>[^=\s]+)=(?P<value>.*)")


def field_metadata(key: str) -> Mapping[str, Any]:
    """The schema's metadata of dotted ``key`` (``unit``, ``range``, ``per``, ...): empty
    for a key the schema does not have, or a field without any."""
    found = schema_field(key)
    return found[0].metadata if found is not None else {}


def error_key(cause: BaseException) -> str:
    """The dotted key OmegaConf's error ``cause`` names (its ``full_key``), "" if none: an
    error raised outside a config node has no such attribute, or None there."""
    return str(getattr(cause, "full_key", "") or "")


def causes(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and the errors behind it: Hydra raises its composition error from OmegaConf's,
    or while handling it (a context, no cause)."""
    cause: BaseException | None = exc
    while cause is not None:
        yield cause
        cause = cause.__cause__ or cause.__context__


def allowed_range(key: str) -> str:
    """``; allowed LO to HI (unit)`` for the schema field ``key`` with a range (``LO to HI or
    null`` if it may be null), else ``""``."""
    return _range_text(field_metadata(key))


def _range_text(metadata: Mapping[str, Any]) -> str:
    """``; allowed LO to HI (unit)`` for a field's ``metadata`` with a range, else ``""``."""
    if "range" not in metadata:
        return ""
    lo, hi = metadata["range"]
    unit = metadata["unit"]
    null = " or null" if metadata.get("nullable") else ""
    return (f"; allowed {fmt_number(lo)} to {fmt_number(hi)}{null}"
            + (f" ({unit})" if unit else ""))


def conversion_problem(exc: BaseException) -> str | None:
    """One line for a value OmegaConf could not convert to its field's type (``abc`` for a
    number, ``1e3`` or ``1.5`` for a whole number), naming the field and its range; None for
    any other error. ``exc`` is what composing raised (Hydra's, caused by OmegaConf's)."""
    cause = next((c for c in causes(exc) if hasattr(c, "full_key")), None)
    if cause is None:
        return None
    found = CONVERSION.search(str(cause))
    key = error_key(cause)
    if found is None or found["type"] not in CONVERTS_TO or not key:
        return None
    item = item_field(cause)
    if item is not None:   # a key of a list's item: OmegaConf names the key alone
        return (f"{item[0]}: an item's {key}={found['value']} is not "
                f"{CONVERTS_TO[found['type']]}{_range_text(item[1].metadata)}")
    allowed = allowed_range(re.sub(r"\[\d+\]$", "", key))
    written = MERGING.match(str(exc).strip().split("\n")[0])
    value = written["value"] if written and written["key"].lstrip("+~") == key \
        else found["value"]
    return f"{key}={value} is not {CONVERTS_TO[found['type']]}{allowed}"


#: OmegaConf refusing a value that is not a list for a field that holds one.
NOT_A_LIST = re.compile(r"is not a ListConfig, list or tuple|Cannot merge DictConfig with "
                        r"ListConfig")


def list_problem(exc: BaseException) -> str | None:
    """One line for an override giving a list field (``hype.shocks``, ``giants.names``)
    a single value or a mapping, saying how a list is written, or a map field
    (``design.ranges``) a list, saying how a map is written; None for any other error."""
    cause = next((c for c in causes(exc)
                  if hasattr(c, "full_key") and NOT_A_LIST.search(str(c))), None)
    written = MERGING.match(str(exc).strip().split("\n")[0])
    if cause is None or written is None:
        return None
    key = error_key(cause) or written["key"].lstrip("+~")
    if getattr(cause, "object_type", None) is dict:   # a list given where a map goes
        return (f"{written['key']}={written['value']}: {key} takes a map of keys to values, "
                f"written in braces: {key}={{...}}")
    return (f"{written['key']}={written['value']}: {key} takes a list, written in brackets: "
            f"{key}=[...]")


#: OmegaConf refusing an override of a list item the list does not have: a new item
#: made of the one key given (``list.1.key=...``), or the index itself (``list.1=...``).
NO_ITEM = re.compile(r"dict is not a subclass of|list index out of range|"
                     r"index out of range|IndexError")
#: The list and the index in a dotted key that names a list item (``a.b.1.c``).
ITEM_KEY = re.compile(r"^(?P<list>[\w.]+?)\.(?P<index>\d+)(?:\.|$)")


def item_problem(exc: BaseException) -> str | None:
    """One line for an override of an item a list does not have (``compute.export_controls
    .1.supply_cut=0.5`` with one control: OmegaConf's "dict is not a subclass of
    ExportControl", or "list index out of range"), saying how to add one; None for any
    other error."""
    written = MERGING.match(str(exc).strip().split("\n")[0])
    if written is None:
        return None
    item = ITEM_KEY.match(written["key"].lstrip("+~"))
    if item is None or not any(NO_ITEM.search(str(c)) for c in causes(exc)):
        return None
    return (f"{written['key']}={written['value']}: {item['list']} has no item "
            f"{item['index']} (items count from 0); an override changes an item the list "
            f"has, and adds none: give the whole list, {item['list']}=[...]")


def item_lists(item: type) -> list[str]:
    """The dotted keys of the schema's lists whose items are ``item`` (``HypeShock``:
    ``hype.shocks``)."""
    return [key for key, _, tp in schema_fields()
            if typing.get_origin(tp) is list and typing.get_args(tp) == (item,)]


def item_field(cause: BaseException) -> tuple[str, dataclasses.Field] | None:
    """The list and the item's field OmegaConf's error ``cause`` names when it refuses a key
    of a list's item (``hype.shocks=[{month:x,...}]``: OmegaConf names ``month`` alone, the
    item not yet in its list); None for an error about any other key."""
    item = getattr(cause, "object_type", None)
    key = error_key(cause)
    if not isinstance(item, type) or not dataclasses.is_dataclass(item):
        return None
    fields = {f.name: f for f in dataclasses.fields(item)}
    lists = item_lists(item)
    if key not in fields or len(lists) != 1:
        return None
    return lists[0], fields[key]


def item_keys(list_key: str) -> str:
    """``{month: ..., size: ..., label: ...}``: how an item of the list of groups of
    settings ``list_key`` is written."""
    found = schema_field(list_key)
    items = typing.get_args(found[1]) if found is not None else ()
    if not items or not dataclasses.is_dataclass(items[0]):
        return ""
    return "{" + ", ".join(f"{f.name}: ..." for f in dataclasses.fields(items[0])) + "}"


#: OmegaConf refusing a list's item for its type: a number, a list or a null where a
#: group of settings goes (``hype.shocks=[5]``), a null where a name or number goes.
WRONG_ITEM = re.compile(r"Invalid type assigned: (?P<got>\w+) is not a subclass of "
                        r"(?P<want>\w+)\. value: (?P<value>.*)")
#: What the items of a list of each plain type are, and a key of each type takes, as a
#: refusal says it.
ITEMS_ARE = {"str": "text", "float": "numbers", "int": "whole numbers",
             "bool": "true or false"}
KEY_TAKES = {"str": "text", "float": "a number", "int": "an integer", "bool": "true or false"}
#: OmegaConf refusing a null for an item's key (``hype.shocks=[{...,label:null}]``).
NULL_IN_ITEM = re.compile(r"Incompatible value 'None' for field of type '(?P<type>\w+)'")


def wrong_item_problem(exc: BaseException) -> str | None:
    """One line for a list's item OmegaConf refused for its type (``hype.shocks=[5]``,
    ``giants.names=[null]``) or a null for a key of an item (``label: null``), saying what
    an item is; None for any other error."""
    for cause in causes(exc):
        key = error_key(cause)
        wrong = WRONG_ITEM.search(str(cause))
        if wrong is not None and key:
            list_key = re.sub(r"\[\d+\]$", "", key)
            value = "null" if wrong["got"] == "NoneType" else wrong["value"]
            keys = item_keys(list_key)
            if keys:
                return (f"{key}={value}: each item of {list_key} is a group of settings, "
                        f"{keys}")
            return (f"{key}={value}: the items of {list_key} are "
                    f"{ITEMS_ARE.get(wrong['want'], wrong['want'])}{allowed_range(list_key)}")
        null = NULL_IN_ITEM.search(str(cause))
        item = item_field(cause) if null is not None else None
        if null is not None and item is not None:
            return (f"{item[0]}: an item's {key}=null: this key needs a value "
                    f"({KEY_TAKES.get(null['type'], null['type'])})")
    return None


#: OmegaConf refusing a config file's value for its shape: a single value for a map
#: (``design.ranges: 5``), anything but a map for a group of settings (``hype: 5``: no key
#: named), a list for a map or a map for a list (no key named, no direction either).
NOT_A_MAP = re.compile(r"Cannot assign \w+ to Dict")
NOT_A_GROUP = re.compile(r"\w+ is not a subclass of (?P<group>\w+)\. value:")
MAP_OR_LIST = re.compile(r"Cannot merge DictConfig with ListConfig")


def group_keys(name: str) -> list[str]:
    """The dotted keys of the schema's groups of settings of the class called ``name``
    (``HypeConfig``: ``hype``)."""
    return [key for key, _, tp in schema_fields() if is_group(tp) and tp.__name__ == name]


def shape_problem(exc: BaseException) -> str | None:
    """One line for a value a config file gives in the wrong shape, as far as OmegaConf's
    error tells: a single value for a list or a map, which it names the key of; anything but
    a map for a group of settings, which it names by its class; a list for a map or a map
    for a list, which it does not name at all. A file baimo reads itself (a scenario)
    is checked before composing, naming the key (sim.configuration.composition_problem);
    this is what is left for one in a ``--config-dir``. None for any other error."""
    for cause in causes(exc):
        key = error_key(cause)
        text = str(cause)
        if key and NOT_A_LIST.search(text):
            return f"{key} takes a list, written in brackets ({key}: [...])"
        if key and NOT_A_MAP.search(text):
            return f"{key} takes a map of keys to values ({key}: {{...}})"
        group = NOT_A_GROUP.search(text)
        keys = group_keys(group["group"]) if group is not None and not key else []
        if len(keys) == 1:
            return (f"{keys[0]} is a group of settings, written as keys under it "
                    f"({keys[0]}: {{...}})")
        if not key and MAP_OR_LIST.search(text):
            return ("a list is given where the config takes a map, or a map where it takes a "
                    "list (a list's items are written '- item' or in brackets; design.ranges "
                    "is a map)")
    return None


def interpolation_syntax_problem(exc: BaseException) -> str | None:
    """One line for a value that opens an interpolation it does not write (``seed: ${``
    in a file: Hydra said " (no viable alternative at input '${')", naming neither key nor
    file), naming the key; None for any other error."""
    from omegaconf.errors import GrammarParseError

    for cause in causes(exc):
        key = error_key(cause)
        if isinstance(cause, GrammarParseError) and key:
            first = str(cause).strip().splitlines()[0]
            return (f"{key}: not a valid interpolation ({first}); an interpolation is written "
                    "${other.key} or ${resolver:argument}, and a ${ meant as text \\${")
    return None


def value_problem(exc: BaseException) -> str | None:
    """One line for an override OmegaConf refused for its value (a wrong type, a null, a
    single value for a list, an item the list does not have, an item of the wrong type),
    or a config file's value of the wrong shape, naming the field and what it takes; None
    for any other."""
    return (conversion_problem(exc) or null_problem(exc) or list_problem(exc)
            or item_problem(exc) or wrong_item_problem(exc) or shape_problem(exc)
            or choice_problem(exc) or interpolation_syntax_problem(exc))


#: OmegaConf refusing null for a field that takes a value.
NOT_OPTIONAL = re.compile(r"field '(?P<key>[^']+)' is not Optional")


def null_problem(exc: BaseException) -> str | None:
    """One line for ``key=null`` given to a field that must hold a value, naming its range
    where the schema has one (or, from a config file, what it takes: OmegaConf said
    "Incompatible value 'None' for field of type 'int' full_key: replications"); None for
    any other error."""
    for cause in causes(exc):
        found = NOT_OPTIONAL.search(str(cause))
        if found is not None:
            return f"{found['key']}=null: this key needs a value{allowed_range(found['key'])}"
        key = error_key(cause)
        null = NULL_IN_ITEM.search(str(cause))
        if null is not None and key and item_field(cause) is None:
            takes = allowed_range(key) or f" ({KEY_TAKES.get(null['type'], null['type'])})"
            return f"{key}=null: this key needs a value{takes}"
    return None


#: OmegaConf refusing a value outside a key's choices (``hydra.mode: multirun``).
NOT_A_CHOICE = re.compile(r"Invalid value '(?P<value>[^']*)', expected one of "
                          r"\[(?P<allowed>[^\]]*)\]")


def choice_problem(exc: BaseException) -> str | None:
    """One line for a value outside the choices of a key that takes one of a few (Hydra's
    ``hydra.mode``, RUN or MULTIRUN), naming them; None for any other error."""
    for cause in causes(exc):
        key = error_key(cause)
        found = NOT_A_CHOICE.search(str(cause))
        if found is not None and key:
            return f"{key}={found['value']}: allowed one of {found['allowed']}"
    return None


def validate(cfg: BaimoConfig) -> BaimoConfig:
    """Check every field's range and the cross-field rules; return ``cfg``, with any
    negative zero made 0.0 (:func:`_positive_zero`) and shares that sum to 1 only within
    :data:`SHARE_SUM_TOLERANCE` divided by their sum (:func:`_shares`)."""
    _check_ranges(cfg)
    _check_lengths(cfg)
    _check_cross(cfg)
    return cfg
