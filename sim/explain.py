"""``baimo-explain``: the life of one firm, told from the event log.

    baimo-explain RUN_DIR               # the most notable actors to ask about
    baimo-explain RUN_DIR startup:17    # one startup's story ("17" works too)
    baimo-explain RUN_DIR Baidu         # a giant ("giant:Baidu")
    baimo-explain RUN_DIR fund:3        # a fund

A story is a list of plain sentences built only from events.parquet (and, for a
fund, its row of funds.parquet): founding, kind and domain; rounds with
valuations and lead investors; compute bought or rented; releases; contracts;
pivot; and how it ended, with the proximate cause the model recorded. Bad input
(a missing or unfinished directory, a failed sweep job, an unknown actor) stops with one
line, exit 2.
"""

from __future__ import annotations

import math
import re
import shlex
from collections.abc import Iterable
from pathlib import Path
from typing import NoReturn

import pandas as pd

from sim import commands
from sim.commands import OneLineError, OneLineParser, plural
from sim.events import INVESTMENT_FOLLOW, WRITE_OFF_IN_KIND
from sim.messages import ModelKind
from sim.outputs import (
    OutputError,
    RunOutputs,
    directories_below,
    is_complete,
    read_run,
)
from sim.teaching.calendar import DEFAULT_START, month_label, month_with_index
from sim.teaching.measures import format_value, run_config
from sim.teaching.timeline import actor_name, api_price, describe_startups, money, sale_reason

PROG = "baimo-explain"
LIST_AT_MOST = 4
KINDS_OF_ACTOR = ("startup", "giant", "fund", "buyer")


class ExplainError(OneLineError, ValueError):
    """An actor that is not in the run (one-line message naming what is allowed)."""


Line = tuple[float, str]  # (month the sentence belongs to, sentence)
NEVER = 1e9  # month key for "never" sentences: told after the dated ones, before the ending
END = math.inf  # month key for how it ended
#: A ``write_off``'s reason when a closing fund passes a stake to its LPs in kind
#: (sim.markets.funding.distribute_in_kind): the shares change hands, nothing is lost. The
#: model's other reason, ``bankrupt``, is a loss.
IN_KIND = WRITE_OFF_IN_KIND
LEAST_SHARE = 0.001  # 0.1%: a share under it, not zero, prints as "under 0.1%", not "0.0%"


def _listing(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _a(word: str) -> str:
    return f"{'an' if word[:1] in 'aeiou' else 'a'} {word}"


ORIGINAL, SHELL = ModelKind.ORIGINAL, ModelKind.SHELL   # the events' model_kind values
#: Why a startup founded to build an original model released a shell: it trains an original
#: only when the cash it may put into compute covers the rent of the training run.
FALLBACK = ("the cash it could put into compute (less while its investors pressed) did not "
            "cover the rent of training an original model, so it tuned an open-source base "
            "instead")


def _segment(seg: object) -> str:
    return {"gov_soe": "government/SOE", "large_digital": "large digitised",
            "traditional": "traditional", "sme": "small and medium"}.get(str(seg), str(seg))


def _model_for(kind: str, domain: str) -> str:
    """'a general-purpose shell model' or 'a shell model for finance'."""
    if domain == "general":
        return f"a general-purpose {kind} model"
    return f"{_a(kind)} model for {domain}"


class Story:
    """Builds the dated sentences of one actor's life from a run's tables."""

    def __init__(self, run: RunOutputs, actor: str) -> None:
        self.run = run
        self.actor = actor
        self.start = str(run.summary.get("start_date", DEFAULT_START))
        e = run.events
        self.own = e[e["actor"] == actor]
        self.about = e[e["counterparty"] == actor]
        self.names = describe_startups(e)
        self.last_month = float(run.metrics["month"].max())

    def when(self, month: float) -> str:
        """'in Mar 2023'."""
        return f"in {month_label(month, self.start)}"

    def opening(self, month: float) -> str:
        """'In Mar 2023'."""
        return f"In {month_label(month, self.start)}"

    def dated(self, month: float) -> str:
        """'in Mar 2023 (month 3)'."""
        return f"in {month_with_index(month, self.start)}"

    def who(self, actor: str) -> str:
        """Readable name of another actor."""
        return self.names.get(actor, actor_name(actor))

    def kind(self, kind: str) -> pd.DataFrame:
        """This actor's own events of ``kind``, in time order."""
        return self.own[self.own["kind"] == kind]

    # ---------------------------------------------------------------- shared pieces
    def contracts(self) -> list[Line]:
        """Contracts and subscriptions won, and how they ended."""
        won = self.about[self.about["kind"] == "contract_signed"]
        if won.empty:
            return [(NEVER, "It never won an enterprise contract or API subscription.")]
        first = float(won["month"].min())
        projects = won[won["channel"] == "contract"]
        api = won[won["channel"] == "api"]
        segs = won["segment"].value_counts()
        by_seg = _listing([f"{n} from {_segment(s)} buyers" for s, n in segs.items()])
        text = (f"{self.opening(first)} it won its first enterprise deal; over the run it won "
                f"{plural(len(projects), 'project contract')} and "
                f"{plural(len(api), 'API subscription')} ({by_seg}).")
        if not projects.empty:
            text += (f" The project contracts were worth "
                     f"{money(float(projects['amount_mcny'].sum()))} in all.")
        ended = self.about[self.about["kind"] == "contract_ended"]
        if not ended.empty:
            reasons = ended["reason"].value_counts()
            text += (f" {plural(len(ended), 'deal')} ended: "
                     + _listing([f"{n:,} {str(r).replace('_', ' ')}" for r, n in reasons.items()])
                     + ".")
        return [(first, text)]

    def data(self) -> list[Line]:
        """Data-quality purchases."""
        d = self.kind("data_purchase")
        if d.empty:
            return []
        first = float(d["month"].iloc[0])
        return [(first, f"{self.opening(first)} it began paying for data quality: "
                        f"{plural(len(d), 'step')} over the run "
                        f"({money(float(d['amount_mcny'].sum()))}), reaching a data quality "
                        f"of {float(d['capability'].max()):.2f}.")]

    def releases(self, planned: str = "") -> list[Line]:
        """Model releases; ``planned``, the kind of model a startup was founded to build: an
        original builder whose compute budget does not cover the rent of a training run
        tunes a shell instead (sim.agents.startup), and its story says so."""
        r = self.kind("model_release")
        if r.empty:
            return [(NEVER, "It never released a model.")]
        fallback = planned == ORIGINAL
        if len(r) <= LIST_AT_MOST:
            out = []
            for i, (_, row) in enumerate(r.iterrows()):
                which = "its first model" if i == 0 else "a new model"
                month = float(row["month"])
                kind = str(row["model_kind"])
                why = f": {FALLBACK}" if fallback and kind == SHELL else ""
                out.append((month, f"{self.opening(month)} it released {which}, "
                                   f"{_a(kind)} model with capability "
                                   f"{float(row['capability']):.0f}{why}."))
            return out
        first, last = r.iloc[0], r.iloc[-1]
        mix = _listing([f"{n:,} {k}" for k, n in r["model_kind"].value_counts().items()])
        was, now = f"{float(first['capability']):.0f}", f"{float(last['capability']):.0f}"
        moved = (f"its capability stayed at {now}" if was == now else
                 f"its capability {'rose' if float(now) > float(was) else 'went'} from {was} "
                 f"to {now}")
        why = (f" Its shells were fallbacks: each time, {FALLBACK}."
               if fallback and (r["model_kind"] == SHELL).any() else "")
        return [(float(first["month"]),
                 f"It released {len(r):,} models ({mix}) between "
                 f"{month_label(float(first['month']), self.start)} and "
                 f"{month_label(float(last['month']), self.start)}; {moved}.{why}")]

    def compute(self) -> list[Line]:
        """GPUs bought and rented."""
        out: list[Line] = []
        buys = self.kind("gpu_purchase")
        rent = self.kind("gpu_rental")
        if len(buys) <= LIST_AT_MOST:
            for _, b in buys.iterrows():
                month = float(b["month"])
                out.append((month, f"{self.opening(month)} it ordered {float(b['gpus']):,.0f} "
                                   f"GPUs for {money(float(b['amount_mcny']))}."))
        else:
            big = buys.loc[buys["gpus"].idxmax()]
            out.append((float(buys["month"].iloc[0]),
                        f"It ordered GPUs {len(buys):,} times, {float(buys['gpus'].sum()):,.0f} "
                        f"in all for {money(float(buys['amount_mcny'].sum()))}; the biggest "
                        f"order was {float(big['gpus']):,.0f} GPUs "
                        f"{self.when(float(big['month']))}."))
        ordered = float(buys["gpus"].sum())
        delivered = float(self.kind("gpu_delivery")["gpus"].sum())
        cancelled = float(self.kind("gpu_cancelled")["gpus"].sum())
        if ordered > 0 and f"{delivered:,.0f}" != f"{ordered:,.0f}":   # a GPU is paid on order
            gone = (f", and {cancelled:,.0f} were cancelled when it failed (the vendors kept "
                    "the money)" if f"{cancelled:,.0f}" != "0" else "")
            out.append((END, f"Of the {ordered:,.0f} GPUs it ordered, {delivered:,.0f} had been "
                             f"delivered by the end of the run{gone}."))
        if not rent.empty:
            first, last = float(rent["month"].min()), float(rent["month"].max())
            span = f"in {month_label(first, self.start)}" if len(rent) == 1 else \
                (f"in {len(rent):,} months between {month_label(first, self.start)} and "
                 f"{month_label(last, self.start)}")
            out.append((first, f"It rented cloud GPUs {span}: {float(rent['gpus'].sum()):,.0f} "
                               f"GPU-months for {money(float(rent['amount_mcny'].sum()))}."))
        if buys.empty and rent.empty:
            out.append((NEVER, "It never bought or rented GPUs."))
        return out


def _tell(lines: list[Line]) -> list[str]:
    """Sentences in time order ("never" sentences after the dated ones, the ending last)."""
    return [text for _, text in sorted(lines, key=lambda x: x[0])]


# ---------------------------------------------------------------- startups


def _startup(s: Story) -> list[str]:
    out: list[Line] = []
    f = s.kind("founded")
    name = actor_name(s.actor)
    if f.empty:
        out.append((-math.inf, f"{name} has no founding event in this run."))
    else:
        row = f.iloc[0]
        out.append((-math.inf, f"{name} was founded {s.dated(float(row['month']))} to build "
                               f"{_model_for(str(row['model_kind']), str(row['domain']))}, with "
                               f"{money(float(row['amount_mcny']))} of founders' capital."))
    last_post = math.nan
    for _, r in s.kind("round_closed").iterrows():
        down = ""
        if pd.notna(r["down_round"]) and r["down_round"]:
            # down: the price (the pre-money) below the last post-money, whatever the new
            # money does to the post-money (a round before it is missing only from a log
            # cut by hand)
            pre = float(r["valuation_mcny"]) - float(r["amount_mcny"])
            down = (f" It was a down round: a pre-money valuation of {money(pre)}, below the "
                    f"previous round's post-money of {money(last_post)}."
                    if math.isfinite(last_post) else
                    " It was a down round, priced below the previous round.")
        last_post = float(r["valuation_mcny"])
        month = float(r["month"])
        out.append((month, f"{s.opening(month)} it closed round {int(r['stage'])}: "
                           f"{money(float(r['amount_mcny']))} at a post-money valuation of "
                           f"{money(float(r['valuation_mcny']))}, led by "
                           f"{s.who(r['counterparty'])}.{down}"))
    failed = s.kind("round_failed")
    if not failed.empty:
        dates = [month_label(float(m), s.start) for m in failed["month"]]
        extra = [f"{len(dates) - LIST_AT_MOST} more"] if len(dates) > LIST_AT_MOST else []
        out.append((float(failed["month"].iloc[0]),
                    f"It tried to raise and failed {plural(len(failed), 'time')} "
                    f"({_listing(dates[:LIST_AT_MOST] + extra)})."))
    e = s.run.events
    sales = e[(e["kind"] == "secondary_sale") & (e["reason"] == s.actor)]
    if not sales.empty:
        items = [f"{s.who(r['actor'])} sold its stake to {s.who(r['counterparty'])} for "
                 f"{money(float(r['amount_mcny']))} {s.when(float(r['month']))}"
                 for _, r in sales.head(LIST_AT_MOST).iterrows()]
        more = f" ({plural(len(sales) - LIST_AT_MOST, 'more such sale')})" \
            if len(sales) > LIST_AT_MOST else ""
        out.append((float(sales["month"].iloc[0]),
                    "Its investors traded its shares: " + "; ".join(items) + more + "."))
    out += _passed_in_kind(s)
    planned = "" if f.empty else str(f["model_kind"].iloc[0])
    out += s.compute() + s.releases(planned) + s.data() + s.contracts()
    released = set(s.kind("model_release")["model_kind"].astype(str))
    for _, p in s.kind("pivot").iterrows():
        month = float(p["month"])
        kind = str(p["model_kind"])
        gave_up = f"its own {kind} model"
        if kind == ORIGINAL and ORIGINAL not in released:   # it could only ever afford shells
            gave_up = "building its own original model (it had released only shells)"
        out.append((month, f"{s.opening(month)} it pivoted: it gave up {gave_up} and rebuilt "
                           f"its product on {s.who(p['counterparty'])}'s model "
                           f"({p['reason']})."))
    return _tell(out + _startup_ending(s))


def _write_offs(s: Story) -> pd.DataFrame:
    """The ``write_off`` events of funds' stakes in this startup (in kind or lost)."""
    e = s.run.events
    return e[(e["kind"] == "write_off") & (e["counterparty"] == s.actor)]


def _passed_in_kind(s: Story) -> list[Line]:
    """Stakes in the startup that funds passed to their LPs at their close: the funds'
    books record a ``write_off``, but the shares changed hands, they were not lost."""
    offs = _write_offs(s)
    passed = offs[offs["reason"] == IN_KIND]
    if passed.empty:
        return []
    items = [f"{s.who(r['actor'])} {s.when(float(r['month']))} "
             f"({money(float(r['amount_mcny']))} invested)"
             for _, r in passed.head(LIST_AT_MOST).iterrows()]
    more = f" ({plural(len(passed) - LIST_AT_MOST, 'more such handover')})" \
        if len(passed) > LIST_AT_MOST else ""
    return [(float(passed["month"].iloc[0]),
             "Funds closing at the end of their terms passed their stakes in it to their own "
             "investors (LPs) in kind, a handover of shares, not a loss: "
             + "; ".join(items) + more + ".")]


def _startup_ending(s: Story) -> list[Line]:
    out: list[Line] = []
    ipo = s.kind("ipo")
    if not ipo.empty:
        r = ipo.iloc[0]
        month = float(r["month"])
        out.append((month, f"{s.opening(month)} it listed on the stock exchange (IPO) at a "
                           f"valuation of {money(float(r['valuation_mcny']))}, raising "
                           f"{money(float(r['amount_mcny']))}."))
    bankrupt = s.kind("bankrupt")
    acquired = s.kind("acquired")
    offs = _write_offs(s)
    lost = offs[offs["reason"] != IN_KIND]
    if not bankrupt.empty:
        r = bankrupt.iloc[0]
        end = f"How it ended: it went bankrupt {s.dated(float(r['month']))}: it {r['reason']}."
    elif not acquired.empty:
        r = acquired.iloc[0]
        price = float(r["amount_mcny"])
        buyer, when = s.who(r["counterparty"]), s.dated(float(r["month"]))
        if r["reason"] == "distressed":
            end = (f"How it ended: {buyer} acquired it {when} for {money(price)}, "
                   f"{sale_reason('distressed')}.")
        else:
            rounds = s.kind("round_closed")
            last = float(rounds["valuation_mcny"].iloc[-1]) if not rounds.empty else math.nan
            paid = (f", {price / last:.2f} times that valuation ({money(last)})"
                    if math.isfinite(last) and last > 0 else "")
            end = (f"How it ended: {sale_reason('strategic')}; {buyer} bought it {when} "
                   f"for {money(price)}{paid}.")
    else:
        state = "as an application company on a giant's model" \
            if not s.kind("pivot").empty else "still building its own model"
        listed = "listed and " if not ipo.empty else ""
        end = (f"How it ended: at the end of the run ({month_label(s.last_month, s.start)}) "
               f"it was still {listed}independent, {state}.")
    out.append((END, end))
    if not lost.empty:
        funds = _listing([s.who(f) for f in dict.fromkeys(lost["actor"])])
        out.append((END, f"{funds} wrote off {money(float(lost['amount_mcny'].sum()))} "
                         "invested in it."))
    return out


# ---------------------------------------------------------------- giants


def _giant(s: Story) -> list[str]:
    name = actor_name(s.actor)
    out: list[Line] = [(-math.inf, f"{name} is a general-model giant: its AI work is paid "
                                   "for by its core business.")]
    out += s.releases() + s.compute()
    prices = s.kind("price_change")
    if not prices.empty:
        first_old = pd.to_numeric(pd.Series([prices["reason"].iloc[0]]), errors="coerce").iloc[0]
        out.append((float(prices["month"].iloc[0]),
                    f"It changed its API price {plural(len(prices), 'time')}, from "
                    f"{api_price(float(first_old), unit=False)} to "
                    f"{api_price(float(prices['price'].iloc[-1]))} by "
                    f"{month_label(float(prices['month'].iloc[-1]), s.start)}."))
    out += s.data() + s.contracts()
    for _, r in s.about[s.about["kind"] == "acquired"].iterrows():
        month = float(r["month"])
        out.append((month, f"{s.opening(month)} it acquired {s.who(r['actor'])} for "
                           f"{money(float(r['amount_mcny']))}: "
                           f"{sale_reason(str(r['reason']), it='the startup')}."))
    hosted = s.about[s.about["kind"] == "pivot"]
    if not hosted.empty:
        first = float(hosted["month"].min())
        out.append((first, f"{s.opening(first)} the first startup pivoted onto its model; "
                           f"{plural(len(hosted), 'startup')} did so over the run."))
    out.append((END, f"How it ended: it was still in the market at the end of the run "
                     f"({month_label(s.last_month, s.start)})."))
    return _tell(out)


# ---------------------------------------------------------------- funds


def _fund(s: Story) -> list[str]:
    name = actor_name(s.actor)
    out: list[Line] = []
    raised = s.kind("fund_raised")
    row = s.run.funds[s.run.funds["fund"] == s.actor]
    if not raised.empty:
        r = raised.iloc[0]
        term = float(row["term_years"].iloc[0]) if not row.empty else math.nan
        vintage = float(row["vintage_month"].iloc[0]) if not row.empty else float(r["month"])
        when = f"{plural(round(abs(vintage)), 'month')} before the run began" if vintage < 0 else \
            s.dated(vintage)
        out.append((-math.inf, f"{name} was raised {when} with "
                               f"{money(float(r['amount_mcny']))} from its LPs, for a term of "
                               f"{term:.1f} years."))
    led = s.about[s.about["kind"] == "round_closed"]
    # Each fund's ticket is an investment event since 2026-12-07; a run written before
    # logged only each round's lead.
    tickets_logged = bool((s.run.events["kind"] == "investment").any()) or \
        not bool((s.run.events["kind"] == "round_closed").any())
    followed = s.kind("investment")
    followed = followed[followed["reason"] == INVESTMENT_FOLLOW]
    if led.empty:
        out.append((NEVER, "It never led a round." if tickets_logged else
                    "It never led a round (rounds it joined as a follower are not in the "
                    "event log of a run written before 2026-12-07)."))
    else:
        top = led.nlargest(min(LIST_AT_MOST, len(led)), "amount_mcny")
        items = [f"{s.who(r['actor'])} {s.when(float(r['month']))} "
                 f"({money(float(r['amount_mcny']))} at {money(float(r['valuation_mcny']))})"
                 for _, r in top.iterrows()]
        out.append((float(led["month"].iloc[0]),
                    f"It led {plural(len(led), 'round')} raising "
                    f"{money(float(led['amount_mcny'].sum()))} in all, the first "
                    f"{s.when(float(led['month'].iloc[0]))}; the biggest: {'; '.join(items)}."))
    if not followed.empty:
        top = followed.nlargest(min(LIST_AT_MOST, len(followed)), "amount_mcny")
        items = [f"{money(float(r['amount_mcny']))} in {s.who(r['counterparty'])} "
                 f"{s.when(float(r['month']))}" for _, r in top.iterrows()]
        out.append((float(followed["month"].iloc[0]),
                    f"It followed other funds' lead in {plural(len(followed), 'round')}, "
                    f"putting in {money(float(followed['amount_mcny'].sum()))} in all; the "
                    f"biggest tickets: {'; '.join(items)}."))
    sold = s.kind("secondary_sale")
    if not sold.empty:
        r = sold.iloc[0]
        out.append((float(r["month"]),
                    f"{s.opening(float(r['month']))} it began selling stakes to later investors "
                    f"(first its stake in {s.who(r['reason'])}, to {s.who(r['counterparty'])}); "
                    f"it sold {plural(len(sold), 'stake')} for "
                    f"{money(float(sold['amount_mcny'].sum()))} in all."))
    bought = s.about[s.about["kind"] == "secondary_sale"]
    if not bought.empty:
        out.append((float(bought["month"].iloc[0]),
                    f"It bought {plural(len(bought), 'stake')} from exiting funds for "
                    f"{money(float(bought['amount_mcny'].sum()))}, the first "
                    f"{s.when(float(bought['month'].iloc[0]))}."))
    offs = s.kind("write_off")
    lost = offs[offs["reason"] != IN_KIND]
    if not lost.empty:
        why = lost["reason"].value_counts()
        causes = {"bankrupt": "because the company went bankrupt"}
        reasons = _listing([f"{n} {causes.get(str(k), str(k))}" for k, n in why.items()])
        out.append((float(lost["month"].iloc[0]),
                    f"It wrote off {plural(len(lost), 'stake')} "
                    f"({money(float(lost['amount_mcny'].sum()))} of cost): {reasons}."))
    closed = s.kind("fund_closed")
    if not closed.empty:
        r = closed.iloc[0]
        cash = float(r["amount_mcny"])
        paid = (f"paid out its last {money(cash)} of cash" if cash > 0
                else "had no cash left to pay out")
        out.append((END, f"How it ended: its term ran out {s.dated(float(r['month']))}; it "
                         f"{paid} and released its LPs from what they had committed and it "
                         f"never called, for a TVPI of {float(r['valuation_mcny']):.2f}."))
    else:
        out.append((END, f"How it ended: it was still open at the end of the run "
                         f"({month_label(s.last_month, s.start)})."))
    passed = offs[offs["reason"] == IN_KIND]
    if not passed.empty:   # part of the close: told with it, after the "never" sentences
        worth = ""
        if not row.empty:
            x = row.iloc[0]
            worth = (f", worth {money(float(x['in_kind_mcny']))} at their last rounds' "
                     "valuations less the secondary discount; by the end of the run they came "
                     f"to {money(float(x['in_kind_outcome_mcny']))}")
        out.append((END, f"When its term ended it could not sell "
                         f"{plural(len(passed), 'stake')} "
                         f"({money(float(passed['amount_mcny'].sum()))} of cost) and passed "
                         f"them to its LPs in kind{worth}."))
    if not row.empty:
        x = row.iloc[0]
        irr = f", IRR {100 * float(x['irr']):.1f}% a year" if pd.notna(x["irr"]) else ""
        out.append((END, _invested_line(s, x)))
        out.append((END, f"Over its life its LPs paid in {money(float(x['paid_in_mcny']))} "
                         f"of the {money(float(x['size_mcny']))} they committed (what the "
                         f"fund called for stakes and fees) and got back "
                         f"{money(float(x['distributed_mcny']))}: TVPI "
                         f"{_tvpi(x)}, DPI {float(x['dpi']):.2f}{irr}."))
    return _tell(out)


def _tvpi(fund: pd.Series) -> str:
    """A fund's TVPI as funds.parquet has it, and with the stakes it passed in kind at what
    they came to by the end (``tvpi_outcome``) where the two differ to two decimals: a fund
    that passed stakes at their last rounds' prices, most of whose companies failed later,
    read as a good fund (TVPI 1.20 at its close, 0.05 at outcome, seed 42)."""
    tvpi, outcome = float(fund["tvpi"]), float(fund["tvpi_outcome"])
    if math.isnan(outcome) or f"{outcome:.2f}" == f"{tvpi:.2f}":
        return f"{tvpi:.2f}"
    return f"{tvpi:.2f} ({outcome:.2f} with the stakes passed in kind at what they came to)"


def _share(x: float) -> str:
    """A share as the lessons print one ('12%', '3.4%'), never 0% for one that is not zero."""
    if 0 < x < LEAST_SHARE:
        return f"under {format_value('share', LEAST_SHARE)}"
    return format_value("share", x)


def _invested_line(s: Story, fund: pd.Series) -> str:
    """What a fund invested and what that became (its funds.parquet row)."""
    invested = float(fund["invested_mcny"])
    if invested <= 0:
        return f"It invested nothing: {_why_nothing(s, fund)}."
    held, in_kind = float(fund["stakes_mcny"]), float(fund["in_kind_mcny"])
    passed = f", passed {money(in_kind)} to its LPs in kind" if in_kind > 0 else ""
    still = f", and holds stakes worth {money(held)} at their last rounds" if held > 0 else ""
    return (f"It invested {money(invested)} ({_share(float(fund['invested_share']))} of its "
            f"commitment) and got {money(float(fund['exit_proceeds_mcny']))} back from its "
            f"exits (stakes sold in secondaries, startups acquired or listed){passed}{still}: "
            f"{float(fund['gross_multiple']):.2f} times what it invested.")


def _why_nothing(s: Story, fund: pd.Series) -> str:
    """Why a fund that invested nothing did not: it stopped investing before the run began,
    no round was sought or none closed while it could invest, or none it could join cleared
    its hurdle. (A fund's term always outlasts ``funds.min_remaining_years``: the config
    check sees to it.)"""
    vintage, until = float(fund["vintage_month"]), float(fund["investing_until_month"])
    if until <= 0:
        return f"it had stopped investing before the run began, {s.dated(until)}"
    start, end = max(vintage, 0.0), min(until, s.last_month + 1)
    window = (f"from {month_label(start, s.start)} "
              + (f"to {month_label(end, s.start)}" if until < s.last_month + 1
                 else "to the end of the run"))
    rounds = s.run.events[s.run.events["kind"].isin(("round_closed", "round_failed"))
                          & (s.run.events["month"] >= start) & (s.run.events["month"] < end)]
    closed = int((rounds["kind"] == "round_closed").sum())
    if rounds.empty:
        return f"no startup sought a round while it could invest ({window})"
    if closed == 0:
        sought = ("the one round a startup sought" if len(rounds) == 1
                  else f"none of the {len(rounds):,} rounds startups sought")
        verb = "did not close" if len(rounds) == 1 else "closed"
        return f"{sought} while it could invest ({window}) {verb}"
    return (f"while it could invest ({window}) {plural(closed, 'round')} closed, but none "
            "with room left for it cleared its hurdle")


# ---------------------------------------------------------------- buyers


def _buyer(s: Story) -> list[str]:
    name = actor_name(s.actor)
    first = s.own.iloc[0] if not s.own.empty else None
    if first is None:
        return [f"{name} never tendered, signed or ended a deal in this run."]
    out: list[Line] = [(-math.inf, f"{name} is a {_segment(first['segment'])} buyer in the "
                                   f"{first['domain']} domain.")]
    tenders = s.kind("tender")
    if not tenders.empty:
        month = float(tenders["month"].iloc[0])
        out.append((month, f"{s.opening(month)} it put out its first tender for a custom "
                           f"project ({plural(len(tenders), 'tender')} over the run)."))
    # Deals in the order of the events (an end before the signing that follows it in the
    # same month), and the vendor each deal is with now: a vendor bought by another
    # passes its clients to the acquirer, with no event of the buyer's own.
    events = s.run.events
    sold = events[events["kind"] == "acquired"]
    bought_by = dict(zip(sold["actor"], zip(sold["counterparty"], sold["month"], strict=True),
                         strict=True))

    def handed_over(vendor: str, until: str | None) -> None:
        """Tell each takeover that moved the deal on from ``vendor`` (up to ``until``, or
        as far as it went)."""
        while vendor != until and vendor in bought_by:
            acquirer, when = bought_by[vendor]
            out.append((float(when), f"{s.opening(float(when))} {s.who(acquirer)} bought "
                                     f"{s.who(vendor)}, and the deal passed to "
                                     f"{s.who(acquirer)}."))
            vendor = acquirer

    vendor: str | None = None
    deals = s.own[s.own["kind"].isin(["contract_signed", "contract_ended"])]
    for _, r in deals.iterrows():
        month, counterparty = float(r["month"]), str(r["counterparty"])
        if r["kind"] == "contract_signed":
            if r["channel"] == "contract":
                what = f"signed a project contract worth {money(float(r['amount_mcny']))} with"
            else:
                what = "subscribed to the API of"
            out.append((month, f"{s.opening(month)} it {what} {s.who(counterparty)}."))
            vendor = counterparty
            continue
        if vendor is not None:
            handed_over(vendor, counterparty)
        out.append((month, f"{s.opening(month)} its deal with {s.who(counterparty)} ended "
                           f"({str(r['reason']).replace('_', ' ')})."))
        vendor = None
    if vendor is not None:   # a deal still running at the end may have changed hands
        handed_over(vendor, None)
    if s.kind("contract_signed").empty:
        out.append((END, "It never adopted a large model."))
    return _tell(out)


STORY = {"startup": _startup, "giant": _giant, "fund": _fund, "buyer": _buyer}


def story(run: RunOutputs, actor: str) -> list[str]:
    """The sentences of ``actor``'s life, in time order (a full id such as startup:17)."""
    kind = actor.partition(":")[0]
    if kind not in STORY:
        raise ExplainError(f"cannot tell the story of {actor!r}; actors are "
                           f"{', '.join(k + ':ID' for k in KINDS_OF_ACTOR)}")
    return STORY[kind](Story(run, actor))


# ---------------------------------------------------------------- actor ids


def known_actors(events: pd.DataFrame) -> set[str]:
    """Every startup, giant, fund and buyer that appears in the events."""
    names = pd.concat([events["actor"], events["counterparty"]]).dropna().astype(str)
    return {n for n in names.unique() if n.partition(":")[0] in KINDS_OF_ACTOR}


def _ranges(actors: Iterable[str]) -> str:
    parts = []
    for kind in ("startup", "fund", "buyer"):
        ids = sorted(int(a.partition(":")[2]) for a in actors
                     if a.startswith(kind + ":") and a.partition(":")[2].isdecimal())
        if ids:
            parts.append(f"{kind}:{ids[0]} to {kind}:{ids[-1]}")
    giants = sorted(a.partition(":")[2] for a in actors if a.startswith("giant:"))
    if giants:
        parts.append("giants " + ", ".join(giants))
    return "; ".join(parts)


def _buyer_count(run: RunOutputs) -> int | None:
    """The run's ``buyers.count`` from its config.json; None if it cannot be read (a run
    written before the file, or a damaged one: the story does not need it)."""
    try:
        return int(run_config(run)["buyers"]["count"])
    except (ValueError, KeyError, TypeError):
        return None


def resolve_actor(events: pd.DataFrame, text: str, buyers: int | None = None) -> str:
    """A full actor id from 'startup:17', '17', 'startup 17', 'Baidu' or 'giant:Baidu';
    ``buyers``, the run's buyer count if known, tells a buyer that never acted from one
    the run never had. A bare number is a startup's, or a giant's name ("360"); one that is
    both in this run is refused (ExplainError naming the two ids)."""
    actors = known_actors(events)
    raw = text.strip()
    by_name = {a.partition(":")[2].lower(): a for a in actors if a.startswith("giant:")}
    candidate = re.sub(r"^(startup|fund|buyer|giant)\s+", r"\1:", raw, flags=re.IGNORECASE)
    if candidate.isdecimal():   # a startup's number, or a giant's name such as "360"
        startup = f"startup:{int(candidate)}"
        giant = by_name.get(candidate.lower())
        if giant is not None and startup in actors:
            raise ExplainError(f"{raw!r} is both a giant's name and a startup's number; "
                               f"say {giant} or {startup}")
        candidate = giant or startup
    kind, _, ident = candidate.partition(":")
    if kind.lower() in KINDS_OF_ACTOR and ident:
        candidate = f"{kind.lower()}:{ident}"
    if candidate in actors:
        return candidate
    key = candidate.partition(":")[2] if candidate.startswith("giant:") else candidate
    if key.lower() in by_name:
        return by_name[key.lower()]
    if kind.lower() == "buyer" and ident.isdecimal() and buyers is not None \
            and int(ident) >= buyers:
        have = f"buyer:0 to buyer:{buyers - 1}" if buyers > 1 else "buyer:0 only"
        raise ExplainError(f"buyer:{int(ident)} is not in this run: it has {buyers:,} "
                           f"buyer{'s' if buyers != 1 else ''} ({have})")
    if kind.lower() == "buyer" and ident.isdecimal():   # most buyers never act: say so
        acted = sorted(int(a.partition(":")[2]) for a in actors if a.startswith("buyer:"))
        examples = ", ".join(f"buyer:{i}" for i in acted[:3])
        others = (f"{len(acted):,} buyer{'s have' if len(acted) > 1 else ' has'}, e.g. "
                  f"{examples}" if acted else "no buyer has")
        raise ExplainError(f"buyer:{int(ident)} has no events in this run (it never tendered, "
                           f"signed or subscribed); {others}")
    raise ExplainError(f"unknown actor {text!r}; this run has {_ranges(actors)} "
                       "(a bare number means a startup, or a giant of that name)")


# ---------------------------------------------------------------- notable actors


def notable(run: RunOutputs) -> list[tuple[str, str]]:
    """(actor, why it is worth asking about), the most notable first."""
    e = run.events
    start = str(run.summary.get("start_date", DEFAULT_START))
    names = describe_startups(e)
    out: list[tuple[str, str]] = []

    def add(actor: str, why: str) -> None:
        out.append((actor, why))

    rounds = e[e["kind"] == "round_closed"]
    if not rounds.empty:
        r = rounds.loc[rounds["amount_mcny"].idxmax()]
        add(r["actor"], f"biggest single round: {money(float(r['amount_mcny']))} in "
            f"{month_label(float(r['month']), start)}")
        total = rounds.groupby("actor")["amount_mcny"].sum()
        led = int((rounds["actor"] == total.idxmax()).sum())
        add(total.idxmax(), f"raised the most in all: {money(float(total.max()))} over "
            f"{led} round{'s' if led > 1 else ''}")
        v = rounds.loc[rounds["valuation_mcny"].idxmax()]
        add(v["actor"], f"highest valuation: {money(float(v['valuation_mcny']))}")
    rel = e[(e["kind"] == "model_release") & (e["actor_type"] == "startup")]
    if not rel.empty:
        r = rel.iloc[0]
        add(r["actor"], "first startup to release a model "
            f"({month_label(float(r['month']), start)})")
    for _, r in e[e["kind"] == "ipo"].head(3).iterrows():
        add(r["actor"], f"IPO in {month_label(float(r['month']), start)} at "
            f"{money(float(r['valuation_mcny']))}")
    acq = e[e["kind"] == "acquired"]
    if not acq.empty:
        r = acq.loc[acq["amount_mcny"].idxmax()]
        add(r["actor"], f"biggest acquisition: bought by {actor_name(r['counterparty'])} for "
            f"{money(float(r['amount_mcny']))}")
    bk = e[e["kind"] == "bankrupt"]
    if not bk.empty:
        r = bk.iloc[0]
        add(r["actor"], f"first bankruptcy ({month_label(float(r['month']), start)})")
    won = e[(e["kind"] == "contract_signed") & e["counterparty"].str.startswith("startup:")]
    if not won.empty:
        top = won["counterparty"].value_counts()
        add(top.index[0], f"most enterprise deals won by a startup: {int(top.iloc[0]):,}")
    # Buyers: most of thousands never act, so a buyer's number picked at random tells
    # nothing; these did (one buyer can be both).
    signed = e[(e["kind"] == "contract_signed") & (e["actor_type"] == "buyer")]
    if not signed.empty:
        r = signed.iloc[0]
        add(r["actor"], f"first buyer to adopt a large model "
            f"({month_label(float(r['month']), start)}, from {actor_name(r['counterparty'])})")
        deals = signed["actor"].value_counts()
        add(deals.index[0], f"most deals signed by a buyer: {int(deals.iloc[0])}")
    gbuy = e[(e["kind"] == "gpu_purchase") & (e["actor_type"] == "giant")]
    if not gbuy.empty:
        g = gbuy.groupby("actor")["gpus"].sum()
        add(g.idxmax(), f"bought the most GPUs: {float(g.max()):,.0f}")
    # Returns on what funds did: a fund that invested nothing (raised before the boom,
    # its investment window closing) lost only its fees, which says nothing of the market.
    # Ranked by what the LPs got in the end (tvpi_outcome): a fund that passed its stakes
    # on at their last rounds' prices ranked first by tvpi, though most of those companies
    # failed later.
    f = run.funds.dropna(subset=["tvpi_outcome"])
    f = f[f["invested_mcny"] > 0]
    if not f.empty:
        best = f.loc[f["tvpi_outcome"].idxmax()]
        worst = f.loc[f["tvpi_outcome"].idxmin()]
        add(best["fund"], f"best fund return: TVPI {_tvpi(best)}")
        if worst["fund"] != best["fund"]:
            add(worst["fund"], f"worst fund return: TVPI {_tvpi(worst)} "
                               f"on {money(float(worst['invested_mcny']))} invested")
    seen: dict[str, str] = {}
    for actor, why in out:
        seen[actor] = f"{seen[actor]}; {why}" if actor in seen else why
    return [(a, f"{names[a]}: {w}" if a in names else w) for a, w in seen.items()]


# ---------------------------------------------------------------- CLI


def fail(message: str) -> NoReturn:
    """One line to stderr, exit code 2."""
    commands.fail(PROG, message)


def _read(path: Path) -> RunOutputs:
    if path.is_dir() and not is_complete(path):
        from sim.sweep.spec import FAILED  # a failed sweep job's marker (sim.sweep.task)

        if (path / FAILED).is_file():
            raise OutputError(f"{path}: the job failed (see {path / FAILED} and its log); no "
                              "story to tell")
        below = directories_below(path)
        runs = [d for d in below if is_complete(d)]
        if len(runs) == 1:
            raise OutputError(f"{path} is not a run directory; the run in it is {runs[0]}")
        if runs:
            raise OutputError(f"{path} holds {len(runs)} runs, not one; pick a run directory, "
                              f"e.g. {runs[0]}")
        failed = [d for d in below if (d / FAILED).is_file() and not is_complete(d)]
        if failed:
            raise OutputError(f"{path} holds no finished run: {plural(len(failed), 'job')} "
                              f"failed (see their {FAILED} markers and logs, e.g. "
                              f"{failed[0] / FAILED})")
    return read_run(path)


def split_actor_hint(actor: str | None, extra: list[str]) -> str:
    """``; write the actor as startup:17`` when the one argument left over and the actor
    before it make an actor's id split at the colon (``startup 17``, ``giant Baidu``: the
    shell made two arguments of what an unquoted space parted); "" otherwise."""
    if (actor is None or actor.lower() not in KINDS_OF_ACTOR or len(extra) != 1
            or extra[0].startswith("-") or not extra[0].strip()):
        return ""
    return f"; write the actor as {actor.lower()}:{extra[0]}"


@commands.console_command(PROG)
def main(argv: list[str] | None = None) -> None:
    """Console entry point."""
    parser = OneLineParser(prog=PROG, description="Tell one actor's story from a run's event "
                           "log, or list the most notable actors to ask about.")
    commands.add_version(parser)
    parser.add_argument("directory", help="a finished run directory",
                        type=commands.path_argument("a finished run directory"))
    parser.add_argument("actor", nargs="?",
                        help="startup:17 (or 17), giant:Baidu (or Baidu), fund:3, buyer:12")
    args, extra = parser.parse_known_args(argv)
    if extra:   # what parse_args refuses, with how to write an actor split in two
        parser.error(f"unrecognized arguments: {' '.join(extra)}"
                     f"{split_actor_hint(args.actor, extra)}")
    run = _read(args.directory)
    if args.actor is None:
        print(f"Notable actors in {run.path} (ask: {PROG} {shlex.quote(str(run.path))} "
              "ACTOR):")
        rows = notable(run)
        width = max((len(a) for a, _ in rows), default=0)
        for actor, why in rows:
            print(f"  {actor.ljust(width)}  {why}")
        return
    actor = resolve_actor(run.events, args.actor, _buyer_count(run))
    for sentence in story(run, actor):
        print(sentence)


if __name__ == "__main__":
    main()
