"""Named outcome measures of one run, computed from its tables.

A teaching pack names the measures that answer its predict-first questions and
fill its key-numbers table; reports on plain runs and sweeps use
:data:`DEFAULT_KEY_NUMBERS`. Every measure reads only the output contract
(events, metrics, funds, summary, config), so it works on any finished run directory.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.config import MONTHS_PER_YEAR, SEGMENT_LABELS, SEGMENTS
from sim.outputs import CONFIG, RunOutputs, metric_at, parse_json
from sim.teaching.calendar import DEFAULT_START, month_label, month_with_index

VERTICAL_EARLY_MONTHS = 24
KINDS = ("original", "shell", "assembled")


#: In a measure's label, a model month or model year put on the run's calendar:
#: ``{month:4}`` is "Apr 2023 (month 4)" for a run starting in December 2022, ``{year:0}``
#: "Dec 2022 - Nov 2023" (see :meth:`Measure.title`).
CALENDAR_FIELD = re.compile(r"\{(month|year):(\d+)\}")


@dataclass(frozen=True)
class Measure:
    """One scalar outcome: its name, a plain label (with :data:`CALENDAR_FIELD`s for its
    dates), how to print it, how to compute it."""

    name: str
    label: str
    unit: str  # count, share, gap (of two shares, in points), mcny, ratio, index, month, number
    compute: Callable[[RunOutputs], float]
    #: The last model month the measure reads when that is a fixed month (a value at month
    #: 24, a sum over year 1): runs of different horizons that both reach it compare. None:
    #: it reads up to the run's end (a count over the whole run, a value at the end), so a
    #: longer run has had more time and a difference would measure the horizon.
    through: int | None = None

    def __call__(self, run: RunOutputs) -> float:
        value = self.compute(run)
        return float(value) if value is not None else math.nan

    def title(self, start_date: str | None = DEFAULT_START) -> str:
        """The label as a reader sees it, its dates on the calendar of runs starting in
        ``start_date`` (a run's month 4 is April 2023 only when it starts in December 2022);
        None, for runs on different calendars: model months only ("month 4", "months
        0-11")."""

        def date(field: re.Match[str]) -> str:
            kind, number = field.group(1), int(field.group(2))
            if kind == "month":
                return f"month {number}" if start_date is None else \
                    month_with_index(number, start_date)
            first, last = number * MONTHS_PER_YEAR, (number + 1) * MONTHS_PER_YEAR - 1
            if start_date is None:
                return f"months {first}-{last}"
            return f"{month_label(first, start_date)} - {month_label(last, start_date)}"

        return CALENDAR_FIELD.sub(date, self.label)

    def format(self, value: float, start_date: str = DEFAULT_START) -> str:
        """The value as a reader sees it (dates for months, % for shares)."""
        return format_value(self.unit, value, start_date)


#: A number as format_value and format_difference print it, with its sign.
SIGNED_NUMBER = re.compile(r"[+-](?P<digits>[\d,]+(?:\.\d+)?)")


def unsigned_zero(text: str) -> str:
    """``text`` (a value or difference as printed) without the sign of a number that rounded
    to zero: "-0.0 points" is "0.0 points", "-0.00" is "0.00", "+0.0" is "0.0"."""
    number = SIGNED_NUMBER.match(text)
    if number is not None and not re.search(r"[1-9]", number["digits"]):
        return text[1:]
    return text


def format_value(unit: str, value: float, start_date: str = DEFAULT_START) -> str:
    """Print ``value`` in ``unit`` (see :class:`Measure`); a value that rounds to zero
    has no sign (:func:`unsigned_zero`)."""
    return unsigned_zero(_format_value(unit, value, start_date))


def _format_value(unit: str, value: float, start_date: str) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "n/a"
    if unit == "count":
        return f"{value:,.0f}" if abs(value - round(value)) < 1e-9 else f"{value:,.1f}"
    if unit == "share":
        return percent(value)
    if unit == "gap":   # one share less another: percentage points, as the options speak
        return f"{100 * value:+.1f} points"
    if unit == "mcny":
        return f"{value:,.0f} million CNY"
    if unit == "month":
        return month_with_index(value, start_date)
    if unit in ("ratio", "index"):
        return f"{value:.2f}"
    return f"{value:,.2f}"


def percent(share: float) -> str:
    """A share as a percentage: whole percents, one decimal below 10%, and one decimal (or
    ">99.9%") where a share short of all would round to 100%: startups that bought 211 of
    146,000 GPUs left the giants 99.9%, not "100%" of the purchases."""
    text = f"{100 * share:.0f}%" if abs(share) >= 0.1 else f"{100 * share:.1f}%"
    if text == "100%" and share < 1:
        text = f"{100 * share:.1f}%"
        if text == "100.0%":
            text = ">99.9%"
    return text


def format_difference(unit: str, value: float) -> str:
    """A signed difference between two values in ``unit`` (percentage points for shares);
    one that rounds to zero has no sign ("0.0 points", not "-0.0 points" or "+0.0")."""
    return unsigned_zero(_format_difference(unit, value))


def _format_difference(unit: str, value: float) -> str:
    if not math.isfinite(value):
        return "n/a"
    if unit in ("share", "gap"):
        return f"{100 * value:+.1f} points"
    if unit == "month":
        return f"{value:+.1f} months"
    if unit == "mcny":
        return f"{value:+,.0f} million CNY"
    if unit == "count":
        return f"{value:+,.1f}"
    return f"{value:+.2f}"


def format_change(value: float) -> str:
    """A relative change, one value over another less 1, as a signed percentage ("-3.2%");
    one that rounds to zero has no sign."""
    if not math.isfinite(value):
        return "n/a"
    return unsigned_zero(f"{100 * value:+.1f}%")


# ---------------------------------------------------------------- helpers


def _events(run: RunOutputs, kind: str) -> pd.DataFrame:
    e = run.events
    return e[e["kind"] == kind]


def _year_sum(run: RunOutputs, column: str, year: int) -> float:
    m = run.metrics
    inside = (m["month"] >= year * MONTHS_PER_YEAR) & (m["month"] < (year + 1) * MONTHS_PER_YEAR)
    if m["month"].max() < (year + 1) * MONTHS_PER_YEAR - 1:
        return math.nan  # the run did not cover the whole year
    return float(m.loc[inside, column].sum())


def _share(part: float, whole: float) -> float:
    return part / whole if whole else math.nan


def _survival(kind: str) -> Callable[[RunOutputs], float]:
    def compute(run: RunOutputs) -> float:
        founded = _events(run, "founded")
        ids = set(founded.loc[founded["model_kind"] == kind, "actor"])
        if not ids:
            return math.nan
        ended = set(run.events.loc[run.events["kind"].isin(["bankrupt", "acquired"]), "actor"])
        return len(ids - ended) / len(ids)

    return compute


def survival_gap_original_shell(run: RunOutputs) -> float:
    """Survival of startups founded as original models minus that of those founded as shells."""
    return _survival("original")(run) - _survival("shell")(run)


def _startup_release_share(kind: str) -> Callable[[RunOutputs], float]:
    def compute(run: RunOutputs) -> float:
        rel = _events(run, "model_release")
        rel = rel[rel["actor_type"] == "startup"]
        return _share(float((rel["model_kind"] == kind).sum()), float(len(rel)))

    return compute


def _vertical_contracts(run: RunOutputs) -> pd.DataFrame:
    c = _events(run, "contract_signed")
    return c[c["domain"] != "general"]


def startup_share_vertical_early(run: RunOutputs) -> float:
    """Share of contracts in vertical domains signed in the first two years won by startups."""
    c = _vertical_contracts(run)
    c = c[c["month"] < VERTICAL_EARLY_MONTHS]
    return _share(float(c["counterparty"].str.startswith("startup:").sum()), float(len(c)))


def startup_own_model_share_vertical_early(run: RunOutputs) -> float:
    """Share of contracts in vertical domains signed in the first two years won by startups
    selling a model of their own: not yet pivoted onto a giant's (a pivoted startup sells
    its host's model with its own domain data, and counts among the startups of
    :func:`startup_share_vertical_early`)."""
    c = _vertical_contracts(run)
    c = c[c["month"] < VERTICAL_EARLY_MONTHS]
    pivots = _events(run, "pivot").groupby("actor")["month"].min()
    won = c[c["counterparty"].str.startswith("startup:")]
    pivoted_at = won["counterparty"].map(pivots)
    own = won[pivoted_at.isna() | (won["month"] < pivoted_at)]
    return _share(float(len(own)), float(len(c)))


def startup_share_vertical_last_year(run: RunOutputs) -> float:
    """Share of vertical-domain contracts signed in the run's last year won by startups."""
    c = _vertical_contracts(run)
    c = c[c["month"] >= run.metrics["month"].max() + 1 - MONTHS_PER_YEAR]
    return _share(float(c["counterparty"].str.startswith("startup:").sum()), float(len(c)))


def _first_vertical_contract(prefix: str) -> Callable[[RunOutputs], float]:
    def compute(run: RunOutputs) -> float:
        c = _vertical_contracts(run)
        c = c[c["counterparty"].str.startswith(prefix)]
        return float(c["month"].min()) if not c.empty else math.nan

    return compute


def _first_month_reaching(column: str, level: float) -> Callable[[RunOutputs], float]:
    def compute(run: RunOutputs) -> float:
        m = run.metrics
        hit = m.loc[m[column] >= level, "month"]
        return float(hit.iloc[0]) if not hit.empty else math.nan

    return compute


def builders_peak_month(run: RunOutputs) -> float:
    """Month the number of independent model builders peaked (first month at the peak); NaN
    when there never was one (no startups founded: the peak of an all-zero series is no
    date, and its first month read as one)."""
    m = run.metrics
    builders = m["independent_builders"]
    if not builders.max() > 0:
        return math.nan
    return float(m.loc[builders.idxmax(), "month"])


def builders_fall(run: RunOutputs) -> float:
    """Share of the peak number of independent builders gone by the end of the run."""
    b = run.metrics["independent_builders"]
    return 1 - float(b.iloc[-1]) / float(b.max()) if b.max() > 0 else math.nan


def funding_change(run: RunOutputs) -> float:
    """Money raised in the second year relative to the first (-0.4 = 40% less)."""
    y1 = _year_sum(run, "funding_raised_mcny", 0)
    y2 = _year_sum(run, "funding_raised_mcny", 1)
    return y2 / y1 - 1 if y1 > 0 else math.nan


def down_round_share(run: RunOutputs) -> float:
    """Share of the rounds closed in the run that were down rounds (priced below the
    company's last post-money valuation): a bust that closes fewer rounds has fewer down
    rounds too, so their count alone does not say whether rounds got cheaper."""
    deals = float(run.metrics["funding_deals"].sum())
    return float(run.metrics["down_rounds"].sum()) / deals if deals > 0 else math.nan


def run_config(run: RunOutputs) -> dict[str, Any]:
    """The run's resolved configuration (its config.json); {} when it cannot be read (a
    damaged file, or tables held in memory with no run directory behind them)."""
    try:
        config = parse_json((run.path / CONFIG).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return config if isinstance(config, dict) else {}


def initial_gpu_price(run: RunOutputs) -> float:
    """The GPU price the run started from, in million CNY per A100-equivalent: its
    configured ``compute.initial_gpu_price_mcny``. metrics.parquet's month-0 row is taken
    after month 0's buying has already moved the price (about 10% up in the baseline), so
    it is no starting price; summary.json's ``compute.gpu_price_peak_first_year_ratio``
    (the run's headline), baimo-compare and baimo-validate divide by the configured one
    too. NaN when the run's config cannot be read."""
    compute = run_config(run).get("compute")
    price = compute.get("initial_gpu_price_mcny") if isinstance(compute, dict) else None
    if isinstance(price, bool) or not isinstance(price, int | float) or not price > 0:
        return math.nan
    return float(price)


def gpu_price_peak_ratio(run: RunOutputs) -> float:
    """Highest GPU price over the whole run divided by the configured initial price
    (:func:`initial_gpu_price`, as in summary.json; its ratio is over year 1 only)."""
    return float(run.metrics["gpu_price_mcny"].max()) / initial_gpu_price(run)


def startups_buying_gpus(run: RunOutputs) -> float:
    """Startups that bought GPUs at least once."""
    g = _events(run, "gpu_purchase")
    return float(g.loc[g["actor_type"] == "startup", "actor"].nunique())


def giants_gpu_share(run: RunOutputs) -> float:
    """Giants' share of all GPUs purchased."""
    g = _events(run, "gpu_purchase")
    total = float(g["gpus"].sum())
    return _share(float(g.loc[g["actor_type"] == "giant", "gpus"].sum()), total)


def _count(kind: str, **where: str) -> Callable[[RunOutputs], float]:
    def compute(run: RunOutputs) -> float:
        e = _events(run, kind)
        for column, value in where.items():
            e = e[e[column] == value]
        return float(len(e))

    return compute


def failures(run: RunOutputs) -> float:
    """Bankruptcies plus distressed sales (companies that failed as independents)."""
    e = run.events
    bankrupt = int((e["kind"] == "bankrupt").sum())
    distressed = int(((e["kind"] == "acquired") & (e["reason"] == "distressed")).sum())
    return float(bankrupt + distressed)


def fund_tvpi_median(run: RunOutputs) -> float:
    """Median TVPI over all funds (value returned or held per unit the LPs paid in: the
    capital their fund called)."""
    t = run.funds["tvpi"].dropna()
    return float(t.median()) if not t.empty else math.nan


def fund_tvpi_outcome_median(run: RunOutputs) -> float:
    """Median TVPI over all funds with the stakes a closing fund passed to its LPs in kind
    valued at what they came to by the end (funds.parquet's ``tvpi_outcome``), not at their
    last round's value when the fund closed: most of those companies failed after."""
    t = run.funds["tvpi_outcome"].dropna()
    return float(t.median()) if not t.empty else math.nan


def fund_gross_multiple_median(run: RunOutputs) -> float:
    """Median gross multiple over the funds that invested: exit proceeds, stakes passed to
    the LPs in kind at a close and stakes still held, per CNY invested (before fees)."""
    g = run.funds["gross_multiple"].dropna()
    return float(g.median()) if not g.empty else math.nan


def funds_losing_money(run: RunOutputs) -> float:
    """Share of funds with TVPI below 1 (returned or hold less than was paid in)."""
    t = run.funds["tvpi"].dropna()
    return float((t < 1).mean()) if not t.empty else math.nan


def _data_purchases(actor_type: str) -> Callable[[RunOutputs], float]:
    def compute(run: RunOutputs) -> float:
        d = _events(run, "data_purchase")
        return float((d["actor_type"] == actor_type).sum())

    return compute


def _events_before(month: int, of: Callable[[pd.DataFrame], float]) \
        -> Callable[[RunOutputs], float]:
    """A measure of ``of`` the run's events before model month ``month``; NaN if the run
    ended before the last of those months (a sum over them would read a shorter window)."""
    def compute(run: RunOutputs) -> float:
        if math.isnan(metric_at(run.metrics, "month", month - 1)):
            return math.nan
        e = run.events
        return of(e[e["month"] < month])

    return compute


def _trained_before(month: int) -> Callable[[RunOutputs], float]:
    """GPU-months (A100-equivalent) of training behind the startups' models released before
    ``month``: the ``gpus`` of their ``model_release`` events, as baimo-validate's claim 2
    (who can train) reads them."""
    def of(e: pd.DataFrame) -> float:
        rel = e[(e["kind"] == "model_release") & (e["actor_type"] == "startup")]
        return float(rel["gpus"].sum())

    return _events_before(month, of)


def _giants_training_share_before(month: int) -> Callable[[RunOutputs], float]:
    """The giants' share of the training compute (GPU-months) behind all models released
    before ``month``."""
    def of(e: pd.DataFrame) -> float:
        rel = e[e["kind"] == "model_release"]
        return _share(float(rel.loc[rel["actor_type"] == "giant", "gpus"].sum()),
                      float(rel["gpus"].sum()))

    return _events_before(month, of)


def _gpus_bought_before(actor_type: str, month: int) -> Callable[[RunOutputs], float]:
    """GPUs (A100-equivalent) ordered by ``actor_type`` before ``month``."""
    def of(e: pd.DataFrame) -> float:
        buys = e[(e["kind"] == "gpu_purchase") & (e["actor_type"] == actor_type)]
        return float(buys["gpus"].sum())

    return _events_before(month, of)


def _releasers_by_end_of(month: int) -> Callable[[RunOutputs], float]:
    """Firms (giants and startups) that had released at least one model by the end of
    ``month``: the releases counted by :func:`_released_by_end_of` less each firm's later
    generations."""
    return _events_before(month + 1, lambda e: float(
        e.loc[e["kind"] == "model_release", "actor"].nunique()))


def _down_round_share_from(month: int) -> Callable[[RunOutputs], float]:
    """Share of the rounds closed from ``month`` on that were down rounds (NaN if none
    closed): the rounds after a bust, not those of the boom before it."""
    def compute(run: RunOutputs) -> float:
        e = run.events
        rounds = e[(e["kind"] == "round_closed") & (e["month"] >= month)]
        down = float(rounds["down_round"].fillna(False).astype(bool).sum())
        return _share(down, float(len(rounds)))

    return compute


def funds_closed(run: RunOutputs) -> float:
    """Funds whose term ended within the run: they sold every stake or passed it to their
    LPs in kind (at its last round's value less ``funds.secondary_discount``, not sold), so
    their returns are final; an open fund's TVPI counts stakes at their last round's value."""
    return float(run.funds["closed"].astype(bool).sum())


def fund_dpi_median(run: RunOutputs) -> float:
    """Median DPI over all funds: what the LPs got back per CNY they paid in, cash and the
    stakes a closing fund passed to them in kind (at their last round's value less
    ``funds.secondary_discount``); stakes still held count nothing."""
    d = run.funds["dpi"].dropna()
    return float(d.median()) if not d.empty else math.nan


def fund_cash_dpi_median(run: RunOutputs) -> float:
    """Median cash DPI over all funds: the cash paid back to the LPs per CNY they paid in,
    ``(distributed_mcny - in_kind_mcny) / paid_in_mcny`` (funds.parquet); the stakes passed
    in kind, which were sold for nothing, count nothing. A fund that called nothing has
    none. The lesson called the DPI "the cash paid back" while it counted those stakes:
    0.37 at seed 42, where the cash alone was 0.03."""
    f = run.funds
    called = f["paid_in_mcny"] > 0
    cash = (f.loc[called, "distributed_mcny"] - f.loc[called, "in_kind_mcny"]) \
        / f.loc[called, "paid_in_mcny"]
    return float(cash.median()) if not cash.empty else math.nan


def hype_peak(run: RunOutputs) -> float:
    """Highest value of the hype index."""
    return float(run.metrics["hype_index"].max())


def gov_over_sme_adoption_24(run: RunOutputs) -> float:
    """Adoption among government/SOE buyers over adoption among SMEs at month 24 (2 = twice
    as many, in proportion); NaN when no SME had adopted (or the run ended before). A
    ratio tells the segments apart at any level of adoption: a gap of 4 points is the
    difference between 8% and 4%, half again as much, and between 60% and 56%."""
    m = run.metrics
    sme = metric_at(m, "adoption_sme", 24)
    return metric_at(m, "adoption_gov_soe", 24) / sme if sme > 0 else math.nan


def gov_sme_adoption_gap_24(run: RunOutputs) -> float:
    """Adoption among SMEs minus adoption among government/SOE buyers at month 24."""
    m = run.metrics
    return metric_at(m, "adoption_sme", 24) - metric_at(m, "adoption_gov_soe", 24)


def _last(column: str) -> Callable[[RunOutputs], float]:
    return lambda run: float(run.metrics[column].iloc[-1])


def _at(column: str, month: int) -> Callable[[RunOutputs], float]:
    return lambda run: metric_at(run.metrics, column, month)


def _released_by_end_of(month: int) -> Callable[[RunOutputs], float]:
    """Models released by the end of model month ``month``: the release events before
    ``month + 1`` (the metrics row, taken 0.95 into the month, leaves out its last days,
    yet the measure says "by Dec 2023"); NaN if the run ended before that month."""
    def released(run: RunOutputs) -> float:
        if math.isnan(metric_at(run.metrics, "releases_total_cum", month)):
            return math.nan
        e = run.events
        return float(((e["kind"] == "model_release") & (e["month"] < month + 1)).sum())
    return released


def _peak(column: str) -> Callable[[RunOutputs], float]:
    return lambda run: float(run.metrics[column].max())


def _year(column: str, year: int) -> Callable[[RunOutputs], float]:
    return lambda run: _year_sum(run, column, year)


_LIST: list[Measure] = [
    Measure("releases_by_end_2023", "Models released by the end of {month:12}", "count",
            _released_by_end_of(12), through=12),
    Measure("releases_by_month_4", "Models released by the end of {month:4}", "count",
            _released_by_end_of(4), through=4),
    Measure("releasers_by_end_2023", "Firms that had released a model by the end of {month:12}",
            "count", _releasers_by_end_of(12), through=12),
    Measure("releases_total", "Models released over the whole run", "count",
            _last("releases_total_cum")),
    Measure("startups_founded", "Startups founded", "count", _last("startups_founded_cum")),
    Measure("builders_peak", "Independent model builders at the peak", "count",
            _peak("independent_builders")),
    Measure("builders_peak_month", "When independent builders peaked", "month",
            builders_peak_month),
    Measure("builders_final", "Independent model builders at the end", "count",
            _last("independent_builders")),
    # the net fall of their number (not the share of the peak's builders that went: some
    # builders at the end were not building at the peak), as entry_burst's answer says
    Measure("builders_fall", "Net fall of independent builders from their peak", "share",
            builders_fall),
    Measure("pivots", "Startups that pivoted to a giant's model", "count", _count("pivot")),
    Measure("bankruptcies", "Bankruptcies", "count", _count("bankrupt")),
    Measure("acquisitions", "Acquisitions by giants", "count", _count("acquired")),
    Measure("acquisitions_distressed", "Distressed sales to giants", "count",
            _count("acquired", reason="distressed")),
    Measure("acquisitions_strategic",
            "Startups sold to giants at their last valuation (investors exiting)", "count",
            _count("acquired", reason="strategic")),
    Measure("failures", "Failures (bankrupt or sold in distress)", "count", failures),
    Measure("ipos", "IPOs", "count", _count("ipo")),
    Measure("secondary_sales", "Stakes sold to later investors (secondaries)", "count",
            _count("secondary_sale")),
    Measure("down_rounds", "Down rounds", "count", lambda r: float(r.metrics["down_rounds"].sum())),
    Measure("down_round_share", "Share of rounds closed that were down rounds", "share",
            down_round_share),
    Measure("down_round_share_from_15",
            "Share of rounds closed from {month:15} on that were down rounds", "share",
            _down_round_share_from(15)),
    Measure("funding_year_1", "Money raised in year 1 ({year:0})", "mcny",
            _year("funding_raised_mcny", 0), through=11),
    Measure("funding_year_2", "Money raised in year 2 ({year:1})", "mcny",
            _year("funding_raised_mcny", 1), through=23),
    Measure("funding_change_y2", "Change in money raised, year 2 vs year 1", "share",
            funding_change, through=23),
    Measure("deals_year_1", "Rounds closed in year 1", "count", _year("funding_deals", 0),
            through=11),
    Measure("deals_year_2", "Rounds closed in year 2", "count", _year("funding_deals", 1),
            through=23),
    Measure("hype_peak", "Peak of the hype index (1 = normal)", "index", hype_peak),
    Measure("startup_original_share", "Share of startup releases that are original models",
            "share", _startup_release_share("original")),
    Measure("startup_shell_share", "Share of startup releases that are shells", "share",
            _startup_release_share("shell")),
    Measure("survival_original", "Founded as original: still in business at the end", "share",
            _survival("original")),
    Measure("survival_shell", "Founded as shell: still in business at the end", "share",
            _survival("shell")),
    Measure("survival_assembled", "Founded as assembled: still in business at the end", "share",
            _survival("assembled")),
    Measure("survival_gap_original_shell",
            "Still in business at the end: originals minus shells", "gap",
            survival_gap_original_shell),
    Measure("gpu_price_peak_ratio", "Peak GPU price over the run / initial price (as "
            "configured)", "ratio",
            gpu_price_peak_ratio),
    Measure("giants_gpu_share", "Giants' share of GPUs bought", "share", giants_gpu_share),
    Measure("startups_buying_gpus", "Startups that ever bought GPUs", "count",
            startups_buying_gpus),
    Measure("gpus_bought_startups_24", "GPUs bought by startups by the end of {month:23}",
            "count", _gpus_bought_before("startup", 24), through=23),
    Measure("training_compute_startups_24",
            "Startups' training compute (A100-months) in models released by the end of "
            "{month:23}",
            "count", _trained_before(24), through=23),
    Measure("training_share_giants_24",
            "Giants' share of the training compute in models released by the end of {month:23}",
            "share", _giants_training_share_before(24), through=23),
    Measure("best_capability_final", "Best model's capability at the end (points)", "number",
            _last("best_capability")),
    Measure("giant_revenue_share_final", "Giants' share of enterprise revenue at the end", "share",
            _last("giant_revenue_share")),
    Measure("hhi_final", "Concentration of enterprise revenue at the end (HHI, 0-1)", "index",
            _last("hhi_enterprise_revenue")),
    Measure("maas_price_index_final", "MaaS API price at the end (first month = 100)", "index",
            _last("maas_price_index")),
    Measure("startup_share_vertical_early",
            "Startups' share of vertical-domain contracts, first two years", "share",
            startup_share_vertical_early, through=VERTICAL_EARLY_MONTHS - 1),
    Measure("startup_own_model_share_vertical_early",
            "Share of vertical-domain contracts won by startups with a model of their own "
            "(not pivoted), first two years", "share",
            startup_own_model_share_vertical_early, through=VERTICAL_EARLY_MONTHS - 1),
    Measure("startup_share_vertical_last_year",
            "Startups' share of vertical-domain contracts, last year of the run", "share",
            startup_share_vertical_last_year),
    Measure("first_vertical_contract_startup", "First vertical-domain contract won by a startup",
            "month", _first_vertical_contract("startup:")),
    Measure("first_vertical_contract_giant", "First vertical-domain contract won by a giant",
            "month", _first_vertical_contract("giant:")),
    Measure("data_purchases_giants", "Data-quality purchases by giants", "count",
            _data_purchases("giant")),
    Measure("data_purchases_startups", "Data-quality purchases by startups", "count",
            _data_purchases("startup")),
    Measure("data_quality_final", "Mean data quality at the end (0-1)", "index",
            _last("data_quality_mean")),
    Measure("fund_tvpi_median", "Median fund TVPI (value per CNY paid in)", "ratio",
            fund_tvpi_median),
    Measure("fund_tvpi_outcome_median", "Median fund TVPI, stakes passed in kind at what they "
            "came to by the end", "ratio", fund_tvpi_outcome_median),
    Measure("fund_gross_multiple_median",
            "Median fund gross multiple (exits + stakes per CNY invested)", "ratio",
            fund_gross_multiple_median),
    Measure("funds_losing_money", "Share of funds with TVPI below 1", "share", funds_losing_money),
    Measure("funds", "Funds (raised before or during the run)", "count",
            lambda run: float(len(run.funds))),
    Measure("funds_closed", "Funds whose term ended within the run (returns final)",
            "count", funds_closed),
    Measure("fund_dpi_median", "Median fund DPI (cash and stakes passed in kind, per CNY "
            "paid in)", "ratio", fund_dpi_median),
    Measure("fund_cash_dpi_median", "Median fund cash DPI (cash paid back per CNY paid in)",
            "ratio", fund_cash_dpi_median),
    Measure("gov_sme_gap_24", "SME minus government/SOE adoption at month 24", "gap",
            gov_sme_adoption_gap_24, through=24),
    Measure("gov_over_sme_24", "Government/SOE adoption over SME adoption at month 24",
            "ratio", gov_over_sme_adoption_24, through=24),
]
for _seg in SEGMENTS:
    _name = SEGMENT_LABELS[_seg]
    _LIST.append(Measure(f"adoption_{_seg}_24", f"Adoption among {_name} buyers at month 24",
                         "share", _at(f"adoption_{_seg}", 24), through=24))
    _LIST.append(Measure(f"adoption_{_seg}_final", f"Adoption among {_name} buyers at the end",
                         "share", _last(f"adoption_{_seg}")))
    _LIST.append(Measure(f"adoption_{_seg}_quarter", f"When a quarter of {_name} buyers adopted",
                         "month", _first_month_reaching(f"adoption_{_seg}", 0.25)))
    # a row a three-year lesson fills: SME adoption stays under a quarter in them
    _LIST.append(Measure(f"adoption_{_seg}_twentieth",
                         f"When one in twenty {_name} buyers had adopted", "month",
                         _first_month_reaching(f"adoption_{_seg}", 0.05)))

MEASURES: dict[str, Measure] = {m.name: m for m in _LIST}

DEFAULT_KEY_NUMBERS = (
    "releases_by_end_2023", "releases_total", "startups_founded", "builders_peak",
    "builders_peak_month", "builders_final", "pivots", "bankruptcies", "acquisitions", "ipos",
    "funding_year_1", "funding_year_2", "gpu_price_peak_ratio", "giants_gpu_share",
    "giant_revenue_share_final", "adoption_gov_soe_24", "adoption_sme_24", "fund_tvpi_median",
)


def measure(name: str) -> Measure:
    """The measure called ``name``; KeyError names the allowed ones."""
    try:
        return MEASURES[name]
    except KeyError:
        allowed = ", ".join(sorted(MEASURES))
        raise KeyError(f"unknown measure {name!r}; allowed: {allowed}") from None


def values(name: str, runs: list[RunOutputs]) -> np.ndarray:
    """One value of measure ``name`` per run."""
    m = measure(name)
    return np.array([m(r) for r in runs], dtype=float)
