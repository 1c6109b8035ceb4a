"""A timeline of notable events in one run, in plain words with calendar dates.

First releases and release milestones, the biggest rounds, price moves, compute
orders, exits and shocks, picked from events.parquet (and the monthly metrics
for milestones such as the price index halving; a GPU price peak is measured
against the run's configured initial price, as in summary.json).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from sim.outputs import RunOutputs
from sim.teaching.measures import initial_gpu_price

RELEASE_MILESTONES = (30, 130)  # seed 001: >30 in ~4 months; seed 004: >130 in 2023
BIGGEST_ROUNDS = 3
PRICE_INDEX_MILESTONES = (50.0, 10.0)  # MaaS price index, first month = 100
GPU_PEAK_MIN_RATIO = 1.05  # a GPU price peak worth a line: 5% above the initial price


@dataclass(frozen=True)
class Entry:
    """One line of the timeline."""

    month: float
    category: str  # shock, release, funding, price, compute, exit, market
    text: str
    actor: str = ""


def actor_name(actor: str) -> str:
    """'Baidu' for giant:Baidu, 'startup 17' for startup:17, 'fund 3' for fund:3."""
    kind, _, ident = str(actor).partition(":")
    if kind == "giant":
        return ident
    if kind in ("startup", "fund", "buyer"):
        return f"{kind} {ident}"
    return str(actor)


def article(word: str) -> str:
    """'an original', 'a shell'."""
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


def describe_startups(events: pd.DataFrame) -> dict[str, str]:
    """startup id -> 'startup 17 (shell, finance)' from the founding events."""
    f = events[events["kind"] == "founded"]
    return {a: f"{actor_name(a)} ({k}, {d})"
            for a, k, d in zip(f["actor"], f["model_kind"], f["domain"], strict=True)}


def _who(actor: str, startups: dict[str, str]) -> str:
    return startups.get(actor, actor_name(actor))


def api_price(x: float, unit: bool = True) -> str:
    """An API price in CNY per million tokens (with ``unit``, the words), to two decimals,
    or to two significant digits below 0.1 (a ten-year run's prices fall to 1e-5, which
    read '0.00')."""
    if not math.isfinite(x):
        return "an unknown price"
    decimals = 2 if abs(x) >= 0.1 or x == 0 else 1 - math.floor(math.log10(abs(x)))
    return f"{x:,.{decimals}f}" + (" CNY per million tokens" if unit else "")


def times(ratio: float) -> str:
    """A ratio as a multiple: '2.1x', and '1,577x' past ten."""
    return f"{ratio:,.1f}x" if ratio < 10 else f"{ratio:,.0f}x"


def money(x: float) -> str:
    """An amount in million CNY as words: '1,200 million CNY', '3.5 million CNY'."""
    if not math.isfinite(x):
        return "an unknown amount"
    return f"{x:,.0f} million CNY" if abs(x) >= 10 else f"{x:,.1f} million CNY"


def sale_reason(reason: str, it: str = "it") -> str:
    """Why a startup was sold to a giant, from its ``acquired`` event's reason, as a phrase:
    a "strategic" sale is a company its investors put up for sale at its last valuation to
    exit (sim.agents.startup.seek_money), not one a giant went after; a "distressed" one
    sells at a discount because it is failing to raise."""
    if reason == "distressed":
        return "a distressed sale at a discount, after rounds it tried to raise had failed"
    return (f"{it} had been put up for sale at its last valuation because its investors "
            "sought an exit")


def _shocks(e: pd.DataFrame) -> list[Entry]:
    out = []
    frontier = -math.inf   # the open frontier so far: a release below it lifts nothing
    for _, s in e[e["kind"] == "shock"].iterrows():
        if s["reason"] == "hype":
            text = f"Shock: {s['label']} (hype index {s['amount_mcny']:+.1f})"
        elif s["reason"] == "export_control":
            text = (f"Shock: {s['label']}: {100 * float(s['price']):.0f}% of imported GPU "
                    "supply cut")
        elif float(s["capability"]) > frontier:
            frontier = float(s["capability"])
            text = f"Open-source release lifts the open frontier to capability {frontier:.0f}"
        else:
            text = ("Open-source release (the open frontier stays at capability "
                    f"{float(s['capability']):.0f})")
        out.append(Entry(float(s["month"]), "shock", text))
    return out


def _releases(e: pd.DataFrame, startups: dict[str, str]) -> list[Entry]:
    rel = e[e["kind"] == "model_release"].sort_values("month", kind="stable")
    out: list[Entry] = []
    if rel.empty:
        return out
    picks = [("first model release", rel),
             ("first giant model", rel[rel["actor_type"] == "giant"]),
             ("first startup model", rel[rel["actor_type"] == "startup"]),
             ("first original model from a startup",
              rel[(rel["actor_type"] == "startup") & (rel["model_kind"] == "original")])]
    seen: set[int] = set()
    for what, frame in picks:
        if frame.empty or frame.index[0] in seen:
            continue
        r = frame.iloc[0]
        seen.add(frame.index[0])
        out.append(Entry(float(r["month"]), "release",
                         f"{what.capitalize()}: {_who(r['actor'], startups)} releases "
                         f"{article(str(r['model_kind']))} model (capability "
                         f"{r['capability']:.0f})", r["actor"]))
    for n in RELEASE_MILESTONES:
        if len(rel) >= n:
            out.append(Entry(float(rel["month"].iloc[n - 1]), "release",
                             f"The {n}th model is released"))
    return out


def _funding(e: pd.DataFrame, startups: dict[str, str]) -> list[Entry]:
    rounds = e[e["kind"] == "round_closed"]
    out = []
    for _, r in rounds.nlargest(BIGGEST_ROUNDS, "amount_mcny").iterrows():
        out.append(Entry(float(r["month"]), "funding",
                         f"Big round: {_who(r['actor'], startups)} raises "
                         f"{money(r['amount_mcny'])} at a {money(r['valuation_mcny'])} "
                         "valuation, led by "
                         f"{actor_name(r['counterparty'])}", r["actor"]))
    down = rounds[rounds["down_round"].fillna(False).astype(bool)]
    if not down.empty:
        r = down.iloc[0]
        # down: the price (the pre-money) below the last round's post-money; the new money
        # can lift the post-money above it even so
        before = rounds[(rounds["actor"] == r["actor"]) & (rounds.index < r.name)]
        last = (f" of {money(before['valuation_mcny'].iloc[-1])}" if not before.empty else "")
        out.append(Entry(float(r["month"]), "funding",
                         f"First down round: {_who(r['actor'], startups)} raises at a "
                         f"pre-money valuation of {money(r['valuation_mcny'] - r['amount_mcny'])}"
                         f", below its last post-money valuation{last}", r["actor"]))
    return out


def _prices(e: pd.DataFrame, metrics: pd.DataFrame, initial_gpu_price: float) -> list[Entry]:
    """Price moves; ``initial_gpu_price`` is the run's configured starting GPU price
    (million CNY per A100-equivalent; NaN if unknown), the one summary.json's ratio uses."""
    out = []
    pc = e[(e["kind"] == "price_change") & (e["actor_type"] == "giant")].copy()
    if not pc.empty:
        old = pd.to_numeric(pc["reason"], errors="coerce")
        pc["cut"] = 1 - pc["price"] / old
        r = pc.loc[pc["cut"].idxmax()]
        if r["cut"] > 0:
            out.append(Entry(float(r["month"]), "price",
                             f"Biggest single API price cut: {actor_name(r['actor'])} cuts its "
                             f"price by {100 * r['cut']:.0f}% to {api_price(r['price'])}",
                             r["actor"]))
    index = metrics["maas_price_index"]
    for level in PRICE_INDEX_MILESTONES:
        hit = metrics.loc[index <= level, "month"]
        if not hit.empty:
            out.append(Entry(float(hit.iloc[0]), "price",
                             f"Average API price falls to {level:.0f}% of its first-month level"))
    price = metrics["gpu_price_mcny"]
    known = math.isfinite(initial_gpu_price)
    start = initial_gpu_price if known else float(price.iloc[0])
    if price.max() >= GPU_PEAK_MIN_RATIO * start:
        i = price.idxmax()
        ratio = f" ({times(price.max() / start)} the initial price)" if known else ""
        out.append(Entry(float(metrics.loc[i, "month"]), "price",
                         f"GPU price peaks at {1000 * price.max():,.0f} thousand CNY per "
                         f"A100-equivalent{ratio}"))
    return out


def _compute(e: pd.DataFrame, startups: dict[str, str]) -> list[Entry]:
    out = []
    buys = e[e["kind"] == "gpu_purchase"]
    if not buys.empty:
        r = buys.loc[buys["gpus"].idxmax()]
        out.append(Entry(float(r["month"]), "compute",
                         f"Biggest GPU order: {_who(r['actor'], startups)} buys {r['gpus']:,.0f} "
                         f"GPUs for {money(r['amount_mcny'])}", r["actor"]))
        st = buys[buys["actor_type"] == "startup"]
        if not st.empty:
            r = st.iloc[0]
            out.append(Entry(float(r["month"]), "compute",
                             f"First startup to buy GPUs: {_who(r['actor'], startups)} "
                             f"({r['gpus']:,.0f} GPUs)", r["actor"]))
    return out


def _first(e: pd.DataFrame, kind: str) -> pd.Series | None:
    rows = e[e["kind"] == kind]
    return rows.iloc[0] if not rows.empty else None


def _exits(e: pd.DataFrame, metrics: pd.DataFrame, startups: dict[str, str]) -> list[Entry]:
    out = []
    r = _first(e, "pivot")
    if r is not None:
        out.append(Entry(float(r["month"]), "exit",
                         f"First pivot: {_who(r['actor'], startups)} gives up its own model and "
                         f"builds on {actor_name(r['counterparty'])}'s ({r['reason']})",
                         r["actor"]))
    acq = e[e["kind"] == "acquired"]
    if not acq.empty:
        first, biggest = acq.iloc[0], acq.loc[acq["amount_mcny"].idxmax()]
        for what, row in (("First acquisition", first), ("Biggest acquisition", biggest)):
            if what == "Biggest acquisition" and row.name == first.name:
                continue
            out.append(Entry(float(row["month"]), "exit",
                             f"{what}: {actor_name(row['counterparty'])} buys "
                             f"{_who(row['actor'], startups)} for {money(row['amount_mcny'])}"
                             f" ({sale_reason(str(row['reason']))})", row["actor"]))
    r = _first(e, "ipo")
    if r is not None:
        out.append(Entry(float(r["month"]), "exit",
                         f"First IPO: {_who(r['actor'], startups)} lists at a "
                         f"{money(r['valuation_mcny'])} valuation", r["actor"]))
    r = _first(e, "bankrupt")
    if r is not None:
        out.append(Entry(float(r["month"]), "exit",
                         f"First bankruptcy: {_who(r['actor'], startups)} {r['reason']}",
                         r["actor"]))
    b = metrics["independent_builders"]
    if b.max() > 0 and b.iloc[-1] < b.max():
        i = b.idxmax()
        out.append(Entry(float(metrics.loc[i, "month"]), "market",
                         f"Independent model builders peak at {b.max():.0f} "
                         f"({b.iloc[-1]:.0f} left at the end of the run)"))
    return out


def notable_events(run: RunOutputs) -> list[Entry]:
    """The run's notable events, in time order."""
    e = run.events
    startups = describe_startups(e)
    entries = (_shocks(e) + _releases(e, startups) + _funding(e, startups)
               + _prices(e, run.metrics, initial_gpu_price(run)) + _compute(e, startups)
               + _exits(e, run.metrics, startups))
    return sorted((x for x in entries if math.isfinite(x.month)), key=lambda x: x.month)


