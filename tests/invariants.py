"""Invariants every run must satisfy, shared by the seeded runs and the property tests.

Each check takes a finished run's :class:`sim.run.Tables` and raises
``AssertionError`` with a message saying which invariant broke.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from sim.agents.buyers import CONTRACT
from sim.config import SEGMENTS
from sim.markets.funding import Outcome
from sim.run import Tables
from sim.summary import summarise
from sim.world import Phase

#: Metrics that are undefined (null) when their denominator is zero, with that denominator.
UNDEFINED_WHEN_ZERO = {"giant_revenue_share": ("revenue_giants_mcny", "revenue_startups_mcny"),
                       "hhi_enterprise_revenue": ("revenue_giants_mcny", "revenue_startups_mcny")}


#: Event kinds that always carry an amount (API subscriptions are usage-priced: no amount).
MONEY_KINDS = ("founded", "round_closed", "gpu_purchase", "contract_signed", "acquired",
               "secondary_sale", "fund_raised", "data_purchase")


def money_is_conserved(t: Tables) -> None:
    ledger = t.model.world.ledger
    assert ledger.total_cny() == 0, f"ledger out of balance by {ledger.total_cny()} CNY"
    assert t.summary["money"]["ledger_imbalance_cny"] == 0


def gpus_are_conserved(t: Tables) -> None:
    """Bought = delivered + in transit + cancelled (a failed firm's orders); owned =
    initial + delivered - worn out; rented <= offered by the clouds; no delivery to a firm
    after it failed."""
    world = t.model.world
    c = world.compute
    firms = list(world.actor_types)
    initial = sum(t.model.cfg.giants.initial_gpus)
    bought = sum(c.purchased(f) for f in firms)
    held = sum(c.owned(f) + c.in_transit(f) + c.retired(f) + c.cancelled(f) for f in firms)
    assert math.isclose(held, initial + bought, rel_tol=1e-9), (held, initial + bought)
    assert math.isclose(c.total_retired(), sum(c.retired(f) for f in firms), rel_tol=1e-9)
    if not t.model.cfg.compute.retire_worn_out:
        assert c.total_retired() == 0
    assert c.total_rented() <= c.total_offered() * (1 + 1e-9) + 1e-9
    purchases = t.events.loc[t.events["kind"] == "gpu_purchase", "gpus"].sum()
    deliveries = t.events.loc[t.events["kind"] == "gpu_delivery", "gpus"].sum()
    in_transit = sum(c.in_transit(f) for f in firms)
    cancelled = t.events.loc[t.events["kind"] == "gpu_cancelled", "gpus"].sum()
    assert math.isclose(cancelled, sum(c.cancelled(f) for f in firms), rel_tol=1e-9,
                        abs_tol=1e-6)
    assert math.isclose(purchases, deliveries + in_transit + cancelled, rel_tol=1e-9,
                        abs_tol=1e-6)
    # only a failed firm's orders are cancelled
    gone_firms = set(t.events.loc[t.events["kind"] == "bankrupt", "actor"])
    assert set(t.events.loc[t.events["kind"] == "gpu_cancelled", "actor"]) <= gone_firms
    # nothing reaches a firm after it failed
    gone = t.events.loc[t.events["kind"] == "bankrupt"].set_index("actor")["month"]
    late = t.events[(t.events["kind"] == "gpu_delivery") & t.events["actor"].isin(gone.index)]
    failed_at = late["actor"].map(gone.to_dict()).astype(float)   # none failed: no rows
    assert (late["month"].astype(float) <= failed_at).all()


def cash_negative_only_after_bankruptcy(t: Tables) -> None:
    bankrupt = set(t.events.loc[t.events["kind"] == "bankrupt", "actor"])
    for account, balance in t.model.world.ledger.accounts().items():
        if balance < 0 and not account.startswith("ext:"):
            assert account in bankrupt, f"{account} has negative cash without a bankruptcy"


def shares_are_shares(t: Tables) -> None:
    """Adoption, revenue shares and HHI in [0, 1]; every live cap table sums to one."""
    m = t.metrics
    cols = [c for c in m.columns if c.startswith("adoption_")]
    cols += ["hhi_enterprise_revenue", "giant_revenue_share"]
    values = m[cols].to_numpy(dtype=float)
    values = values[~np.isnan(values)]
    assert ((values >= 0) & (values <= 1 + 1e-12)).all()
    funding = t.model.world.funding
    for s in t.model.startups:
        if funding.outcome(s.id) == Outcome.ACTIVE:
            total = sum(funding.cap_table(s.id).values())
            assert math.isclose(total, 1.0, rel_tol=1e-9), (s.id, total)


def no_nan_or_infinity(t: Tables) -> None:
    """Numbers are finite; null only where a quantity is undefined (documented above, and
    a segment's adoption where the segment has no buyers)."""
    m = t.metrics.drop(columns=["date"])
    empty = {f"adoption_{seg}": size == 0
             for seg, size in zip(SEGMENTS, t.model.buyers.segment_sizes(), strict=True)}
    for col in m.columns:
        values = m[col].to_numpy(dtype=float)
        assert not np.isinf(values).any(), col
        if col in UNDEFINED_WHEN_ZERO:
            denominator = sum(m[c] for c in UNDEFINED_WHEN_ZERO[col])
            assert (np.isnan(values) == (denominator.to_numpy() == 0)).all(), col
        elif col in empty:
            assert (np.isnan(values) == empty[col]).all(), col
        else:
            assert not np.isnan(values).any(), col
    ev = t.events
    for col in ev.select_dtypes("number").columns:
        assert not np.isinf(ev[col].to_numpy(dtype=float)).any(), col
    assert ev["month"].notna().all()
    api = (ev["kind"] == "contract_signed") & (ev["channel"] == "api")
    priced = ev[ev["kind"].isin(MONEY_KINDS) & ~api]
    assert priced["amount_mcny"].notna().all(), "an event that moves money has no amount"
    funds = t.funds.select_dtypes("number").to_numpy(dtype=float)
    assert not np.isinf(funds).any()
    # summary.json writes NaN and infinity alike as null (clean_json), so the summary as
    # the model made it is read: NaN is an undefined quantity (null), infinity a fault
    _summary_has_no_infinity(summarise(t.model, t.events, t.metrics, t.funds))


def _summary_has_no_infinity(node: object, path: str = "summary") -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            _summary_has_no_infinity(value, f"{path}.{key}")
    elif isinstance(node, list | tuple):
        for i, value in enumerate(node):
            _summary_has_no_infinity(value, f"{path}[{i}]")
    elif isinstance(node, float | np.floating):
        assert not math.isinf(node), path


def gpu_counts_are_never_negative(t: Tables) -> None:
    """GPUs owned, rented, in transit and waiting for supply are counts: below zero by no
    more than float rounding would still read as a negative count in metrics.parquet
    (-1e-11 waiting, -3e-7 in transit with long lead times, before they were kept at 0)."""
    m = t.metrics
    for col in [c for c in m.columns if c.startswith("gpus_")] + ["gpu_backlog", "gpu_supply"]:
        assert (m[col] >= 0).all(), (col, float(m[col].min()))


def metrics_agree_with_events(t: Tables) -> None:
    ev, m = t.events, t.metrics
    releases = ev[ev["kind"] == "model_release"]
    assert m["releases_total_cum"].iloc[-1] == len(releases)
    # every row, not just the last: a row is the state at its snapshot, Phase.METRICS into
    # the month, so a release later in the month (a review ending then) is in the next row
    taken = m["month"].to_numpy(dtype=float) + Phase.METRICS
    seen = np.searchsorted(np.sort(releases["month"].to_numpy(dtype=float)), taken, "right")
    assert (m["releases_total_cum"].to_numpy() == seen).all()
    founded = np.sort(ev.loc[ev["kind"] == "founded", "month"].to_numpy(dtype=float))
    assert (m["startups_founded_cum"].to_numpy() == np.searchsorted(founded, taken, "right")).all()
    for kind in ("original", "shell", "assembled"):
        assert m[f"releases_{kind}_cum"].iloc[-1] == (releases["model_kind"] == kind).sum()
    assert m["funding_deals"].sum() == (ev["kind"] == "round_closed").sum()
    assert m["startups_founded_cum"].iloc[-1] == (ev["kind"] == "founded").sum()
    raised = ev.loc[ev["kind"] == "round_closed", "amount_mcny"].sum()
    assert math.isclose(m["funding_raised_mcny"].sum(), raised, rel_tol=1e-9, abs_tol=1e-6)
    ended = ev["kind"].isin(["bankrupt", "acquired"]).sum()
    assert m["startups_active"].iloc[-1] <= m["startups_founded_cum"].iloc[-1] - ended
    revenue_is_the_buyers_payments(t)


#: Ledger reasons of the buyers' payments to vendors: enterprise revenue.
REVENUE_REASONS = ("api_payment", "contract_payment")


def revenue_is_the_buyers_payments(t: Tables) -> None:
    """Each month's enterprise revenue of giants and of startups is what the buyers paid
    them that month (the ledger, in whole CNY: within half a CNY per payment), and the
    giants' share is theirs of the total."""
    giants = {g.id for g in t.model.giants}
    paid = np.zeros((len(t.metrics), 2))
    count = np.zeros(len(t.metrics))
    for x in t.model.world.ledger.transfers:
        if x.reason in REVENUE_REASONS:
            paid[int(x.month), 0 if x.payee in giants else 1] += x.amount_cny / 1e6
            count[int(x.month)] += 1
    m = t.metrics
    for col, k in (("revenue_giants_mcny", 0), ("revenue_startups_mcny", 1)):
        gap = np.abs(m[col].to_numpy(dtype=float) - paid[:, k])
        assert (gap <= 0.5e-6 * count + 1e-9).all(), f"{col} is not the month's payments"
    total = paid.sum(axis=1)
    has = total > 0
    share = m["giant_revenue_share"].to_numpy(dtype=float)
    # The ledger's whole CNY move the share by up to half a CNY per payment over the total:
    # a fixed 1e-6 failed a month of 0.28 million CNY (1.2e-6 off, seed 21443).
    rounding = 0.5e-6 * count[has] / total[has] + 1e-9
    assert (np.abs(share[has] - paid[has, 0] / total[has]) <= rounding).all()


def months_are_ordered(t: Tables) -> None:
    months = t.events["month"].to_numpy()
    assert (np.diff(months) >= 0).all(), "events out of time order"
    assert (t.metrics["month"].diff().dropna() == 1).all()
    assert pd.Series(t.events["kind"]).notna().all()


def no_client_of_a_vendor_that_left(t: Tables) -> None:
    """Buyers follow every exit (to the acquirer, or away): nobody ends a client of a
    vendor that left the market."""
    buyers, market = t.model.buyers, t.model.world.enterprise
    names = market.vendor_names()
    stale = [n for n in names[np.unique(buyers.vendor[buyers.vendor >= 0])] if market.is_gone(n)]
    assert not stale, f"buyers still with vendors that left: {stale[:5]}"


def payment_groups_are_the_buyers(t: Tables) -> None:
    """The buyers' running payment sums (members, budget, instalments, project value by
    (vendor, segment, channel), contract clients by (vendor, domain)) are what a fresh
    count over the buyers gives: every signing, ending, switch and takeover moved them."""
    b = t.model.buyers
    g = b._groups
    active = np.flatnonzero(b.vendor >= 0)
    vendor = b.vendor[active].astype(np.int64)
    contract = b.channel[active] == CONTRACT
    keys = (vendor * len(SEGMENTS) + b.segment[active]) * 2 + contract
    size = g.members.size
    assert (np.bincount(keys, minlength=size) == g.members).all(), "payment group members"
    for name, column in (("budget", b.budget), ("instalments", b.payment),
                         ("project_value", b.project_value)):
        want = np.bincount(keys, weights=column[active], minlength=size)
        assert np.allclose(getattr(g, name), want, rtol=1e-9, atol=1e-9), f"payment group {name}"
    ndom = len(t.model.world.domains)
    pairs = vendor[contract] * ndom + b.domain[active[contract]]
    assert (np.bincount(pairs, minlength=g.contracts.size) == g.contracts).all(), \
        "contract clients by (vendor, domain)"
    adopted = np.bincount(b.segment[active], minlength=len(SEGMENTS))
    assert (g.adopters_by_segment() == adopted).all(), "adopters by segment"


def funds_invested_what_the_rounds_raised(t: Tables) -> None:
    """funds.parquet's invested money is what the rounds raised plus what leads paid in
    secondary sales (each transfer rounds to whole CNY), and secondary sales come back to
    the sellers as exit proceeds; a fund that invested nothing has no gross multiple.
    (A fund may invest more than LPs committed: it reinvests exit proceeds until its
    investment period ends.)"""
    ev, f = t.events, t.funds
    # numbers even in a world without a single fund (an empty table would be all objects)
    assert all(pd.api.types.is_float_dtype(f[c]) for c in f.columns if c not in ("fund", "closed"))
    raised = ev.loc[ev["kind"] == "round_closed", "amount_mcny"].sum()
    secondary = ev.loc[ev["kind"] == "secondary_sale", "amount_mcny"].sum()
    # each transfer rounds to whole CNY (5e-7 million at most); a round has a ticket per fund
    transfers = ((ev["kind"] == "round_closed").sum() * len(f)
                 + (ev["kind"] == "secondary_sale").sum())
    rounding = 5e-7 * transfers + 1e-9
    assert math.isclose(f["invested_mcny"].sum(), raised + secondary, abs_tol=rounding)
    assert f["exit_proceeds_mcny"].sum() >= secondary - rounding
    assert (f["invested_share"] >= 0).all()
    assert np.allclose(f["invested_share"] * f["size_mcny"], f["invested_mcny"])
    assert (f["gross_multiple"].isna() == (f["invested_mcny"] == 0)).all()
    assert (f["gross_multiple"].dropna() >= 0).all()


def funds_paid_in_only_what_they_called(t: Tables) -> None:
    """LPs pay in as their fund calls: never more than they committed, and every CNY a
    fund put into stakes was called from its LPs or came back from stakes it sold."""
    f = t.funds
    assert (f["paid_in_mcny"] >= 0).all()
    assert (f["paid_in_mcny"] <= f["size_mcny"] + 1e-6).all()
    assert (f["invested_mcny"] <= f["paid_in_mcny"] + f["exit_proceeds_mcny"] + 1e-6).all()


def in_kind_stakes_came_to_what_the_lps_got_and_hold(t: Tables) -> None:
    """The stakes closing funds passed in kind came to what acquirers paid the LPs, plus the
    LPs' stakes still in business at their companies' marks; a fund still open passed
    none, and its TVPI is the same at outcome."""
    f, w = t.funds, t.model.world
    funding = w.funding
    proceeds = w.ledger.flows_by_reason({"ext:lps"})
    paid = proceeds["ext:lps"].received("acquisition") if "ext:lps" in proceeds else 0.0
    held = 0.0
    for startup, cap in funding._cap.items():
        if cap.get("ext:lps") and funding.outcome(startup) in ("active", "ipo"):
            mark = (funding._listed_post[startup] if funding.outcome(startup) == "ipo"
                    else funding.last_post_money(startup))
            held += cap["ext:lps"] * mark
    # each acquisition's payment to the LPs rounds to whole CNY
    rounding = 5e-7 * (t.events["kind"] == "acquired").sum() + 1e-6
    assert math.isclose(f["in_kind_outcome_mcny"].sum(), paid + held, rel_tol=1e-9,
                        abs_tol=rounding)
    still_open = f[~f["closed"]]
    assert (still_open["in_kind_outcome_mcny"] == 0).all()
    assert (still_open["tvpi_outcome"].isna() | np.isclose(still_open["tvpi_outcome"],
                                                           still_open["tvpi"])).all()


ALL = (money_is_conserved, gpus_are_conserved, cash_negative_only_after_bankruptcy,
       shares_are_shares, no_nan_or_infinity, metrics_agree_with_events, months_are_ordered,
       no_client_of_a_vendor_that_left, payment_groups_are_the_buyers,
       funds_invested_what_the_rounds_raised,
       funds_paid_in_only_what_they_called, gpu_counts_are_never_negative,
       in_kind_stakes_came_to_what_the_lps_got_and_hold)


def check_all(t: Tables) -> None:
    for check in ALL:
        check(t)
