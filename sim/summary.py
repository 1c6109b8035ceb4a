"""End-of-run scalar outcomes (``summary.json``) and the per-fund table (``funds.parquet``).

Reads the finished model, the event table and the metrics table; writes nothing.
"""

from __future__ import annotations

import functools
import hashlib
import math
import platform
import subprocess
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim import __version__
from sim.config import MAX_FUND_TERM_YEARS, MAX_TERM_SPREAD_YEARS, SEGMENTS
from sim.configuration import config_hash
from sim.events import WRITE_OFF_BANKRUPT, WRITE_OFF_IN_KIND, ActorType, EventKind
from sim.ledger import paid_by_reason
from sim.markets.funding import IN_BUSINESS, Outcome
from sim.messages import ModelKind
from sim.metrics import RELEASE_KINDS
from sim.outputs import FUND_COLUMNS, GIT_COMMIT, MODEL_CODE, metric_at
from sim.sums import left_sum

if TYPE_CHECKING:
    from sim.model import MarketModel

#: The keys of summary.json's ``fund_returns_by_term``: a fund's own term in whole years
#: (:func:`term_bucket`). Terms spread around ``funds.term_years`` (by
#: ``funds.term_spread_years``), so the funds are grouped; a term can be anything from
#: under half a year (0) to the longest term plus the widest spread.
TERM_BUCKETS_YEARS = range(MAX_FUND_TERM_YEARS + MAX_TERM_SPREAD_YEARS + 1)
#: Ledger reasons that are startups' compute: GPUs bought, GPU-months rented, power for own GPUs.
COMPUTE_REASONS = ("gpu_purchase", "gpu_rental", "electricity")
#: Ledger reasons a startup pays that are not spending (an acquired firm's cash moving over).
NOT_SPENDING = ("acquired_cash",)
#: Libraries whose arithmetic, random streams or tables a run's outputs come from.
RUN_LIBRARIES = ("numpy", "simpy", "pandas", "pyarrow")

#: The numbers of summary.json as dotted paths (a sweep's outcome columns,
#: :func:`sim.sweep.outcomes.flatten`), but for the lists by year and the fund returns by
#: term (:func:`outcome_names`). tests/test_design.py checks them against a run's summary.
SCALAR_OUTCOMES = (
    "seed", "horizon_months",
    *(f"releases.{k}" for k in ("total", *(f"by_kind.{kind}" for kind in RELEASE_KINDS),
                                *(f"startups_by_kind.{kind}" for kind in RELEASE_KINDS),
                                "by_month_4", "by_month_6", "by_month_13")),
    *(f"startups.{k}" for k in ("founded", "active_final", "listed_final", "survivors",
                                "independent_builders_peak", "independent_builders_peak_month",
                                "independent_builders_month_36", "independent_builders_final",
                                "pivots", "share_bought_gpus", "share_original",
                                "compute_share_of_spend", "compute_share_of_spend_24")),
    *(f"exits.{k}" for k in ("ipo", "acquired", "acquired_distressed", "acquired_strategic",
                             "secondary_sale", "bankrupt", "write_off", "write_off_bankrupt",
                             "write_off_in_kind")),
    "funding.down_rounds", "funding.funds_raised",
    *(f"concentration.{k}" for k in ("hhi_final", "giant_revenue_share_final",
                                     "giant_revenue_share_month_24")),
    *(f"compute.{k}" for k in ("gpus_purchased_giants", "gpus_purchased_startups",
                               "giant_share_of_purchases", "gpu_price_peak_first_year_ratio",
                               "gpu_price_final_mcny", "maas_price_index_final")),
    *(f"{when}.{s}" for when in ("adoption_month_24", "adoption_final") for s in SEGMENTS),
    *(f"data.{k}" for k in ("purchases", "purchases_giants", "purchases_startups",
                            "quality_mean_final")),
    "money.ledger_imbalance_cny", "money.group_support_mcny",
)
#: summary.json's lists with one number per year of the run (year 0 first).
BY_YEAR_OUTCOMES = ("funding.raised_by_year_mcny", "funding.deals_by_year")
#: The fund returns summary.json gives per term bucket, each as quantiles over the funds.
FUND_RETURN_MEASURES = ("tvpi", "dpi", "irr", "gross_multiple", "invested_share",
                        "tvpi_outcome")
QUANTILES = ("median", "p10", "p90")

#: :func:`git_commit` of code that is no git checkout's (an installed package).
NOT_A_CHECKOUT = "not a git checkout"
#: What :func:`git_commit` adds to the commit of a checkout with changes not committed.
UNCOMMITTED = " + uncommitted changes"
#: How long git may take to answer (seconds), before the commit is given as unknown.
GIT_TIMEOUT_S = 10


#: Placeholders of :data:`SUMMARY_MEANINGS`' keys for the parts of a dotted path that vary:
#: a year of a by-year list, a term bucket of ``fund_returns_by_term``, a quantile.
YEAR, TERM, QUANTILE = "<year>", "<term>", "<" + "|".join(QUANTILES) + ">"


def _at_month(what: str, column: str, month: int, note: str = "") -> str:
    """The description of an outcome read off metrics.parquet's row of ``month``."""
    return (f"{what} at month {month}'s snapshot (metrics.parquet's `{column}` in month "
            f"{month}{note}); null in a run shorter than {month + 1} months")


_FUND_MEASURE_MEANINGS = {
    "tvpi": "TVPI (funds.parquet's `tvpi`: an open fund's counts its NAV at the end; the "
            "funds that called nothing left out)",
    "dpi": "DPI (funds.parquet's `dpi`; the funds that called nothing left out)",
    "irr": "annual IRR (funds.parquet's `irr`: a fund whose LPs got nothing back, or too "
           "little for any rate to fit, counts as -1; the funds that called nothing left "
           "out)",
    "gross_multiple": "gross multiple on what they invested (funds.parquet's "
                      "`gross_multiple`; the funds that invested nothing left out)",
    "invested_share": "invested share of the commitment (funds.parquet's `invested_share`)",
    "tvpi_outcome": "TVPI with the stakes passed in kind at what they came to by the end "
                    "(funds.parquet's `tvpi_outcome`; the funds that called nothing left "
                    "out)",
}

#: What each number of summary.json means, by its dotted path (as a sweep's tables name it,
#: :func:`sim.sweep.outcomes.flatten`), with its unit and when it is null (docs/OUTPUTS.md,
#: generated by ``python -m sim.outputs_doc``). Paths that vary name the part with
#: :data:`YEAR`, :data:`TERM` or :data:`QUANTILE` (:func:`summary_key_pattern`).
#: tests/test_outputs_doc.py checks every path of a run's summary.json is here.
SUMMARY_MEANINGS: dict[str, str] = {
    "baimo_version": "the version of baimo that ran (text)",
    "environment.python": "the Python version that ran it (text)",
    "environment.machine": "the machine's architecture, as `platform.machine()` names it "
                           "(text)",
    "environment.system": "the operating system, as `platform.system()` names it (text)",
    **{f"environment.{name}": f"the version of {name} installed (text; `not installed` if "
                              "none)" for name in RUN_LIBRARIES},
    f"environment.{GIT_COMMIT}": "the git commit of the baimo checkout that ran the run (text: "
                                 f"40 hex digits, `{UNCOMMITTED.strip()}` added when the "
                                 "checkout had changes not committed; "
                                 f"`{NOT_A_CHECKOUT}` for an installed baimo)",
    f"environment.{MODEL_CODE}": "a SHA-256 of baimo's own code (every module of `sim/`) and "
                                 "of the NumPy and SimPy versions (text): a resumed sweep "
                                 "checks it, and never mixes runs of two models",
    "seed": "the run's seed: every random stream is drawn from it",
    "config_hash": "a SHA-256 of the resolved config, the seed included (text; an option "
                   "left null, switched off, is left out of it, so a config keeps the hash "
                   "it had before the option existed; so are the safety limits, "
                   "`max_events`, `max_price_multiple`, `startups.max_founded`, "
                   "`funds.max_founded` and `funding.max_positions`, which change no run "
                   "that stays within them)",
    "horizon_months": "the run's length, in months",
    "start_date": "month 0's calendar month, `YYYY-MM` (`2022-12` by default)",
    "releases.total": "models released over the run, by giants and startups (`model_release` "
                      "events)",
    **{f"releases.by_kind.{kind}": f"models of kind `{kind}` released over the run, by giants "
                                   "and startups together" for kind in RELEASE_KINDS},
    **{f"releases.startups_by_kind.{kind}": f"models of kind `{kind}` released by startups "
                                            "alone" + (" (giants release only originals: "
                                                       "`by_kind.original` less this is "
                                                       "theirs)" if kind == ModelKind.ORIGINAL
                                                       else "")
       for kind in RELEASE_KINDS},
    **{key: _at_month("models released so far", "releases_total_cum",
                      int(key.rsplit("_", 1)[1]))
       for key in SCALAR_OUTCOMES if key.startswith("releases.by_month_")},
    "startups.founded": "startups founded over the run",
    "startups.active_final": "startups still active at the end: not listed, acquired or "
                             "bankrupt (metrics.parquet's `startups_active` counts listed ones "
                             "too)",
    "startups.listed_final": "startups still listed at the end (a listed startup that went "
                             "bankrupt since is not; `exits.ipo` counts every listing)",
    "startups.survivors": "startups in business at the end: active or listed",
    "startups.independent_builders_peak": "the most independent model builders in any month "
                                          "(metrics.parquet's `independent_builders`)",
    "startups.independent_builders_peak_month": "the first month with that many; null when no "
                                                "startup ever built a model (the first month "
                                                "would be no peak)",
    "startups.independent_builders_month_36": _at_month(
        "independent model builders", "independent_builders", 36,
        ", the fourth year's first month"),
    "startups.independent_builders_final": "independent model builders in the last month",
    "startups.pivots": "pivots over the run (`pivot` events), those of startups gone since "
                       "too (metrics.parquet's `pivoted_startups` counts only those still in "
                       "business)",
    "startups.share_bought_gpus": "share (0-1) of the startups founded that ever ordered "
                                  "GPUs; null when none was founded",
    "startups.share_original": "share (0-1) of the startups founded to build original models "
                               "(tech depth of at least `startups.original_depth`); null when "
                               "none was founded",
    "startups.compute_share_of_spend": "share (0-1) of the startups' spending over the run "
                                       "that went to compute: GPUs bought, GPU-months rented, "
                                       "power for their own GPUs (an acquired startup's cash "
                                       "moving to the giant is not spending); null when they "
                                       "spent nothing",
    "startups.compute_share_of_spend_24": "the same over months 0-23, the first two years; "
                                          "null in a run shorter than 24 months",
    "exits.ipo": "listings over the run (`ipo` events)",
    "exits.acquired": "acquisitions over the run (`acquired` events)",
    "exits.acquired_distressed": "acquisitions of startups in distress (reason `distressed`)",
    "exits.acquired_strategic": "strategic acquisitions (reason `strategic`)",
    "exits.secondary_sale": "stakes funds sold to other funds (`secondary_sale` events)",
    "exits.bankrupt": "startups gone bankrupt (`bankrupt` events)",
    "exits.write_off": "funds' stakes written off their books (`write_off` events): "
                       "`write_off_bankrupt` and `write_off_in_kind` together",
    "exits.write_off_bankrupt": f"stakes lost with a bankrupt company (reason "
                                f"`{WRITE_OFF_BANKRUPT}`)",
    "exits.write_off_in_kind": f"stakes passed to the LPs in kind at a fund's close (reason "
                               f"`{WRITE_OFF_IN_KIND}`): not a loss",
    f"funding.raised_by_year_mcny.{YEAR}": "million CNY raised in the rounds closed in that "
                                           "year of the run (metrics.parquet's "
                                           "`funding_raised_mcny`, summed)",
    f"funding.deals_by_year.{YEAR}": "rounds closed in that year of the run (metrics.parquet's "
                                     "`funding_deals`, summed)",
    "funding.down_rounds": "down rounds over the run",
    "funding.funds_raised": "funds over the run, those alive at the start included: the rows "
                            "of funds.parquet",
    f"fund_returns_by_term.{TERM}.funds": "how many funds have that term",
    **{f"fund_returns_by_term.{TERM}.{measure}.{QUANTILE}": f"the median, 10th or 90th "
                                                            f"percentile of the {meaning} "
                                                            f"over the term's funds; null "
                                                            f"when no fund of the term has one"
       for measure, meaning in _FUND_MEASURE_MEANINGS.items()},
    "concentration.hhi_final": "Herfindahl-Hirschman index (0-1) of the last month's "
                               "enterprise revenue over the vendors (metrics.parquet's last "
                               "`hhi_enterprise_revenue`); null if that month had none",
    "concentration.giant_revenue_share_final": "the giants' share (0-1) of the last month's "
                                               "enterprise revenue (metrics.parquet's last "
                                               "`giant_revenue_share`); null if it had none",
    "concentration.giant_revenue_share_month_24": _at_month(
        "the giants' share (0-1) of the month's enterprise revenue", "giant_revenue_share", 24)
        + ", or with no enterprise revenue in month 24",
    "compute.gpus_purchased_giants": "A100-eq the giants ordered over the run",
    "compute.gpus_purchased_startups": "A100-eq the startups ordered over the run",
    "compute.giant_share_of_purchases": "the giants' share (0-1) of the A100-eq ordered; null "
                                        "when nobody ordered any",
    "compute.gpu_price_peak_first_year_ratio": "the highest GPU price of months 0-11 (or "
                                               "of a shorter run's months; metrics.parquet's "
                                               "`gpu_price_mcny`) divided "
                                               "by the config's "
                                               "`compute.initial_gpu_price_mcny`, not by month "
                                               "0's `gpu_price_mcny` (which month 0's orders "
                                               "already moved)",
    "compute.gpu_price_final_mcny": "the GPU price in the last month, million CNY per A100-eq",
    "compute.maas_price_index_final": "metrics.parquet's last `maas_price_index`: the giants' "
                                      "mean API price as an index with month 0 = 100 (so 0.67 "
                                      "is a fall of 99%)",
    **{f"adoption_month_24.{segment}": _at_month(
        f"share (0-1) of the `{segment}` buyers with a live contract or subscription",
        f"adoption_{segment}", 24) + ", or when the segment has no buyers"
       for segment in SEGMENTS},
    **{f"adoption_final.{segment}": f"share (0-1) of the `{segment}` buyers with a live "
                                    f"contract or subscription in the last month; null when "
                                    f"the segment has no buyers" for segment in SEGMENTS},
    "data.purchases": "data-quality purchases over the run (`data_purchase` events; claim 3)",
    "data.purchases_giants": "of them, the giants'",
    "data.purchases_startups": "of them, the startups'",
    "data.quality_mean_final": "mean data quality (0-1) of the firms in business at the end, "
                               "giants and startups active or listed (metrics.parquet's last "
                               "`data_quality_mean`)",
    "money.ledger_imbalance_cny": "the sum of every account's balance, in whole CNY: 0, as "
                                  "money is conserved (a check)",
    "money.group_support_mcny": "million CNY the giants' groups paid of their AI arms' bills "
                                "over the run (0 unless core profit ran out)",
}


def summary_key_pattern(key: str) -> str:
    """The key of :data:`SUMMARY_MEANINGS` that describes ``key``, a dotted path of
    summary.json (``funding.deals_by_year.3`` -> ``funding.deals_by_year.<year>``)."""
    parts = key.split(".")
    if ".".join(parts[:-1]) in BY_YEAR_OUTCOMES:
        return ".".join([*parts[:-1], YEAR])
    if parts[0] == "fund_returns_by_term" and len(parts) > 2:
        rest = parts[2:]
        if len(rest) == 2 and rest[1] in QUANTILES:
            rest = [rest[0], QUANTILE]
        return ".".join([parts[0], TERM, *rest])
    return key


def outcome_names(horizon_months: int) -> list[str]:
    """Every number a run of ``horizon_months`` may write in summary.json, as the dotted
    path a sweep's tables name it by (a term bucket without funds has none)."""
    years = range(-(-horizon_months // 12))
    by_term = [f"fund_returns_by_term.{b}.{k}" for b in TERM_BUCKETS_YEARS for k in
               ("funds", *(f"{m}.{q}" for m in FUND_RETURN_MEASURES for q in QUANTILES))]
    return [*SCALAR_OUTCOMES, *(f"{key}.{y}" for key in BY_YEAR_OUTCOMES for y in years),
            *by_term]


def environment() -> dict[str, str]:
    """What ran the model: the Python version, the machine, the libraries' versions and
    baimo's own code (``model_code``: :func:`model_code`; ``git_commit``: :func:`git_commit`).

    The same config and seed give the same outputs where these are the same; a library
    release may change its arithmetic or a random stream, and then the outputs."""
    return dict(_environment())


#: The libraries whose release can change a run's numbers (arithmetic, random streams),
#: counted into :func:`model_code`; pandas and pyarrow only write the tables.
MODEL_LIBRARIES = ("numpy", "simpy")
#: Where baimo's code is: the ``sim`` package, whose every module :func:`model_code` reads.
SIM_PACKAGE = Path(__file__).resolve().parent


@functools.cache
def model_code() -> str:
    """A SHA-256 of baimo's code as this process runs it: every ``.py`` file of the ``sim``
    package (its path and bytes), and the versions of :data:`MODEL_LIBRARIES`. A sweep
    resumed after baimo changed (an update, an edit to ``sim/``) would otherwise mix runs
    of two models in one table: its finished jobs record this, and the sweep compares
    (sim.sweep.runner.split_done). Every module counts, the readers too: telling the model's
    modules from the rest would be a list to keep, and a wrong list mixes runs silently."""
    digest = hashlib.sha256()
    for path in sorted(p for p in SIM_PACKAGE.rglob("*.py") if _is_module(p)):
        digest.update(path.relative_to(SIM_PACKAGE).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    for name in MODEL_LIBRARIES:
        digest.update(f"{name}=={version(name)}\0".encode())
    return digest.hexdigest()


def _is_module(path: Path) -> bool:
    """Whether ``path`` (found under :data:`SIM_PACKAGE`) is a file Python can import:
    an editor's lock file (Emacs's ``.#world.py``, a link to nowhere) or backup, or a
    hidden directory's file, is not; reading the lock file failed every run."""
    hidden = any(part.startswith((".", "#")) for part in path.relative_to(SIM_PACKAGE).parts)
    return not hidden and path.is_file()


@functools.cache
def _environment() -> dict[str, str]:
    """:func:`environment`, looked up once a process (about 8 ms, git's three answers
    most of it: a sweep's jobs are a few tenths of a second each)."""
    def installed(name: str) -> str:
        try:
            return version(name)
        except PackageNotFoundError:
            return "not installed"

    return {"python": platform.python_version(), "machine": platform.machine(),
            "system": platform.system(), **{name: installed(name) for name in RUN_LIBRARIES},
            MODEL_CODE: model_code(), GIT_COMMIT: git_commit(SIM_PACKAGE.parent)}


def git_commit(root: Path) -> str:
    """The commit checked out at ``root`` (40 hex digits), with :data:`UNCOMMITTED` if its
    tracked files differ from it or it has files git does not ignore and does not track;
    :data:`NOT_A_CHECKOUT` if ``root`` is not the top of a git checkout (an installed
    baimo, whose site-packages may lie inside another project's checkout), or
    ``unknown`` if git is not there to ask. With model_code it says which code ran."""
    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True,
                              check=True, timeout=GIT_TIMEOUT_S).stdout.strip()

    try:
        top = git("rev-parse", "--show-toplevel")
        if Path(top).resolve() != root.resolve():
            return NOT_A_CHECKOUT
        commit = git("rev-parse", "HEAD")
        changed = git("status", "--porcelain")
    except subprocess.CalledProcessError:
        return NOT_A_CHECKOUT
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return commit + (UNCOMMITTED if changed else "")


def fund_table(model: MarketModel) -> pd.DataFrame:
    """One row per fund: vintage, term, size, paid-in, distributions, NAV, TVPI, DPI, IRR,
    and what its investments did: invested, exit proceeds, stakes passed to its LPs in
    kind at its close, stakes held, gross multiple, invested share of the commitment."""
    flows = model.world.ledger.flows_by_reason({f.id for f in model.funds})
    rows = []
    for f in model.funds:
        r = f.returns()
        p = f.portfolio(flows.get(f.id))
        rows.append(
            {
                "fund": f.id,
                "vintage_month": f.vintage_month,
                "term_years": f.term_years,
                "investing_until_month": f.investing_until_month,
                "size_mcny": f.size_mcny,
                "closed": f.closed,
                "paid_in_mcny": r.paid_in_mcny,
                "distributed_mcny": r.distributed_mcny,
                "nav_mcny": r.nav_mcny,
                "tvpi": r.tvpi,
                "dpi": r.dpi,
                "irr": r.irr,
                "invested_mcny": p.invested_mcny,
                "exit_proceeds_mcny": p.exit_proceeds_mcny,
                "in_kind_mcny": p.in_kind_mcny,
                "stakes_mcny": p.stakes_mcny,
                "gross_multiple": p.gross_multiple,
                "invested_share": p.invested_share,
                "in_kind_outcome_mcny": r.in_kind_outcome_mcny,
                "tvpi_outcome": r.tvpi_outcome,
            }
        )
    # Typed even without a single fund (a world with no funds): readers and plots take
    # numbers, and an empty table would otherwise be all Python objects.
    kinds = {c: "float64" for c in FUND_COLUMNS} | {"fund": "object", "closed": "bool"}
    return pd.DataFrame(rows, columns=list(FUND_COLUMNS)).astype(kinds)


def term_bucket(term_years: float) -> int:
    """``term_years`` to the nearest whole year, a half year down (3.5 gives 3): the key a
    fund's returns are filed under. For terms of 2.5 to 5.5 years (the defaults' 3 to 5)
    it is the nearest of the usual terms, 3, 4, 5, 7 and 10 years, which the keys once were
    (they filed 30-year funds under 10 and 1-year funds under 3)."""
    return math.ceil(term_years - 0.5)


def _quantiles(values: pd.Series) -> dict[str, float]:
    v = values.dropna()
    if v.empty:
        return {"median": math.nan, "p10": math.nan, "p90": math.nan}
    return {
        "median": float(v.median()),
        "p10": float(v.quantile(0.1)),
        "p90": float(v.quantile(0.9)),
    }


def _by_year(metrics: pd.DataFrame, column: str) -> list[float]:
    """``column`` summed over each year's months, year 0 first, month by month with
    :func:`~sim.sums.left_sum`: pandas' groupby sum compensates for rounding, and pandas
    3.1 rounds otherwise than 2.2, so summary.json changed with the pandas version."""
    years = metrics["month"] // 12
    return [float(left_sum(months.tolist())) for _, months in metrics.groupby(years)[column]]


def _count_at(metrics: pd.DataFrame, column: str, month: int) -> int | float:
    """A count column of metrics at ``month`` (:func:`~sim.outputs.metric_at`) as an
    integer, as summary.json writes every other count; NaN (null) past the run."""
    value = metric_at(metrics, column, month)
    return int(value) if math.isfinite(value) else value


def compute_share_of_spend(payments: dict[tuple[int, str], int],
                           before_month: int | None = None) -> float:
    """Share of the startups' spending (their :meth:`~sim.ledger.Ledger.payments`) that went
    to compute (claim 2: how much a dearer GPU can hurt them); NaN when they spent nothing."""
    paid = paid_by_reason(payments, before_month)
    spent = left_sum(v for k, v in paid.items() if k not in NOT_SPENDING)
    compute = left_sum(paid.get(k, 0.0) for k in COMPUTE_REASONS)
    return compute / spent if spent > 0 else math.nan


def summarise(
    model: MarketModel, events: pd.DataFrame, metrics: pd.DataFrame, funds: pd.DataFrame
) -> dict[str, Any]:
    """Scalar outcomes of one run (the content of summary.json)."""
    w = model.world
    cfg = model.cfg
    kinds = events["kind"].value_counts()
    startups = model.startups
    outcomes = pd.Series([w.funding.outcome(s.id) for s in startups], dtype=object)
    bought = [s for s in startups if w.compute.purchased(s.id) > 0]
    gpus_giants = left_sum(w.compute.purchased(g.id) for g in model.giants)
    gpus_startups = left_sum(w.compute.purchased(s.id) for s in startups)
    releases = events[events["kind"] == EventKind.MODEL_RELEASE]
    by_kind = releases["model_kind"].value_counts()
    # the startups' own (claim 1): giants release only originals, 193 of the baseline's 203
    startups_by_kind = releases.loc[releases["actor_type"] == ActorType.STARTUP,
                                    "model_kind"].value_counts()
    data_buyers = events.loc[events["kind"] == EventKind.DATA_PURCHASE, "actor_type"]
    acquired = events[events["kind"] == "acquired"]
    write_offs = events[events["kind"] == "write_off"]
    builders = metrics["independent_builders"]
    funds = funds.assign(bucket=funds["term_years"].map(term_bucket))
    price0 = cfg.compute.initial_gpu_price_mcny
    first_year = metrics[metrics["month"] < 12]
    startup_payments = w.ledger.payments({s.id for s in startups})
    summary: dict[str, Any] = {
        "baimo_version": __version__,
        "environment": environment(),
        "seed": cfg.seed,
        "config_hash": config_hash(cfg),
        "horizon_months": cfg.horizon_months,
        "start_date": cfg.start_date,
        "releases": {
            "total": int(len(releases)),
            "by_kind": {k: int(by_kind.get(k, 0)) for k in RELEASE_KINDS},
            "startups_by_kind": {k: int(startups_by_kind.get(k, 0)) for k in RELEASE_KINDS},
            "by_month_4": _count_at(metrics, "releases_total_cum", 4),
            "by_month_6": _count_at(metrics, "releases_total_cum", 6),
            "by_month_13": _count_at(metrics, "releases_total_cum", 13),
        },
        "startups": {
            "founded": len(startups),
            "active_final": int((outcomes == Outcome.ACTIVE).sum()),
            "listed_final": int((outcomes == Outcome.IPO).sum()),
            "survivors": int(outcomes.isin(IN_BUSINESS).sum()),
            "independent_builders_peak": int(builders.max()),
            # undefined (null) when there never was a builder: the first month is no peak
            "independent_builders_peak_month": int(metrics.loc[builders.idxmax(), "month"])
            if builders.max() > 0 else math.nan,
            "independent_builders_month_36": _count_at(metrics, "independent_builders", 36),
            "independent_builders_final": int(builders.iloc[-1]),
            "pivots": int(kinds.get("pivot", 0)),
            "share_bought_gpus": len(bought) / len(startups) if startups else math.nan,
            "share_original": (
                left_sum(1 for s in startups if s.tech_depth >= cfg.startups.original_depth)
                / len(startups)
                if startups
                else math.nan
            ),
            "compute_share_of_spend": compute_share_of_spend(startup_payments),
            # months 0-23: null for a shorter run, like every outcome at a month it did not
            # reach (it was the whole run's share, however short)
            "compute_share_of_spend_24": compute_share_of_spend(startup_payments, 24)
            if cfg.horizon_months >= 24 else math.nan,
        },
        "exits": {
            "ipo": int(kinds.get("ipo", 0)),
            "acquired": int(kinds.get("acquired", 0)),
            "acquired_distressed": int((acquired["reason"] == "distressed").sum()),
            "acquired_strategic": int((acquired["reason"] == "strategic").sum()),
            "secondary_sale": int(kinds.get("secondary_sale", 0)),
            "bankrupt": int(kinds.get("bankrupt", 0)),
            "write_off": int(kinds.get("write_off", 0)),
            # its two kinds: stakes lost with a bankrupt company, and stakes a closing fund
            # passed to its LPs in kind (not a loss)
            "write_off_bankrupt": int((write_offs["reason"] == WRITE_OFF_BANKRUPT).sum()),
            "write_off_in_kind": int((write_offs["reason"] == WRITE_OFF_IN_KIND).sum()),
        },
        "funding": {
            "raised_by_year_mcny": _by_year(metrics, "funding_raised_mcny"),
            "deals_by_year": [int(x) for x in _by_year(metrics, "funding_deals")],
            "down_rounds": int(metrics["down_rounds"].sum()),
            "funds_raised": int(len(funds)),
        },
        "fund_returns_by_term": {
            str(b): {
                "funds": int(len(g)),
                "tvpi": _quantiles(g["tvpi"]),
                "dpi": _quantiles(g["dpi"]),
                "irr": _quantiles(g["irr"]),
                "gross_multiple": _quantiles(g["gross_multiple"]),
                "invested_share": _quantiles(g["invested_share"]),
                "tvpi_outcome": _quantiles(g["tvpi_outcome"]),
            }
            for b, g in funds.groupby("bucket")
        },
        "concentration": {
            "hhi_final": float(metrics["hhi_enterprise_revenue"].iloc[-1]),
            "giant_revenue_share_final": float(metrics["giant_revenue_share"].iloc[-1]),
            "giant_revenue_share_month_24": metric_at(metrics, "giant_revenue_share", 24),
        },
        "compute": {
            "gpus_purchased_giants": gpus_giants,
            "gpus_purchased_startups": gpus_startups,
            "giant_share_of_purchases": (
                gpus_giants / (gpus_giants + gpus_startups)
                if gpus_giants + gpus_startups
                else math.nan
            ),
            "gpu_price_peak_first_year_ratio": float(first_year["gpu_price_mcny"].max() / price0),
            "gpu_price_final_mcny": float(metrics["gpu_price_mcny"].iloc[-1]),
            "maas_price_index_final": float(metrics["maas_price_index"].iloc[-1]),
        },
        "adoption_month_24": {s: metric_at(metrics, f"adoption_{s}", 24) for s in SEGMENTS},
        "adoption_final": {s: float(metrics[f"adoption_{s}"].iloc[-1]) for s in SEGMENTS},
        "data": {  # claim 3: buying data quality, and what spill-over leaves of it
            "purchases": int(len(data_buyers)),
            "purchases_giants": int((data_buyers == ActorType.GIANT).sum()),
            "purchases_startups": int((data_buyers == ActorType.STARTUP).sum()),
            # the firms in the market at the end (giants, and startups active or listed)
            "quality_mean_final": float(metrics["data_quality_mean"].iloc[-1]),
        },
        "money": {"ledger_imbalance_cny": int(w.ledger.total_cny()),
                  # bills of giants' AI arms their groups paid (0 unless core profit ran out)
                  "group_support_mcny": left_sum(g.group_support_mcny for g in model.giants)},
    }
    return summary


def clean_json(value: Any) -> Any:
    """Replace NaN/inf by None and NumPy scalars by Python ones, recursively."""
    if isinstance(value, dict):
        return {str(k): clean_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean_json(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
