"""The stylized facts of DOMAIN.md s4, and one more of seed 004 (rounds lift valuations in
the boom), each with an explicit numeric criterion.

A :class:`Fact` measures one replication (a few named numbers) and says
whether that replication passes. The thresholds below are validation
targets taken from the sources (seed files named beside each), not model
parameters: the model never reads them.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from sim.validation.replicate import Replication

# ------------------------------------------------------------------ criteria (with sources)
RELEASES_BY_MONTH_4 = 30     # seed 001: "more than 30 models" (with research institutes)
RELEASES_BY_MONTH_6 = 40     # seed 000: "more than 40 companies and institutes released models
#                              or announced plans" by mid-2023 (month 6 = June 2023)
RELEASES_BY_END_2023 = 130   # seed 004: "more than 130" in the whole of 2023 (整个2023年)
GIANT_GPU_SHARE_MIN = 0.70   # seed 004: giants were the main buyers of A100s (issue 4: >= 70%)
STARTUPS_BUYING_MAX = 0.25   # seed 004: "few startups buy" -> at most a quarter ever buy
GPU_WINDOW_MONTHS = 24       # 2023-2024, the period the sources describe
KIND_WINDOW_MONTHS = 13      # releases from Dec 2022 through Dec 2023 (rows 0..12)
SHAKEOUT_MONTH = 36          # end of 2025: after the boom
SHAKEOUT_DROP = 0.9          # builders at month 36 at most 90% of their peak
ADOPTION_MONTH = 24          # end of 2024
# month 12 is Dec 2023 (month 0 the start date's Dec 2022); until 2026-12-07 the last
# count was read at month 13, Jan 2024, a month later than the seed's year
RELEASE_MONTH_A, RELEASE_MONTH_MID, RELEASE_MONTH_B = 4, 6, 12
VALUATION_STEP_MIN = 1.0     # seed 004: boom rounds lift the valuation (priced above the last)
VALUATION_WINDOW_MONTHS = 12  # the boom year, Dec 2022 - Nov 2023 (seed 004: "while the wind")
PASS_SHARE = 0.9             # a fact passes when at least this share of replications meets it


@dataclass(frozen=True)
class Measurement:
    """One replication's numbers for a fact, and whether they meet the criterion.

    ``margin`` is the relative slack of the tightest inequality of the criterion:
    positive when it holds (0.2: 20% to spare), negative by how far it fails. The
    calibration's loss (sim.calibration.loss) is built from it.
    """

    values: dict[str, float]
    passed: bool
    margin: float


def at_least(value: float, bound: float) -> float:
    """Relative slack of ``value >= bound`` (bound > 0); -1 if the value is missing."""
    return value / bound - 1 if math.isfinite(value) else -1.0


def at_most(value: float, bound: float) -> float:
    """Relative slack of ``value <= bound`` (bound > 0); -1 if the value is missing."""
    return 1 - value / bound if math.isfinite(value) else -1.0


def below(low: float, high: float) -> float:
    """Relative slack of ``low < high``: the gap as a share of ``high`` (-1 if high <= 0)."""
    return (high - low) / high if high > 0 else -1.0


@dataclass(frozen=True)
class Fact:
    """A stylized fact, its source, its criterion and how to measure it."""

    key: str
    title: str
    statement: str
    criterion: str
    min_horizon: int
    measure: Callable[[Replication], Measurement]


def _at(rep: Replication, month: int, column: str) -> float:
    m = rep.metrics
    return float(m.loc[m["month"] == month, column].iloc[0])


def entry_burst(rep: Replication) -> Measurement:
    """Cumulative model releases (giants' and startups') by months 4, 6 and 12."""
    a = _at(rep, RELEASE_MONTH_A, "releases_total_cum")
    mid = _at(rep, RELEASE_MONTH_MID, "releases_total_cum")
    b = _at(rep, RELEASE_MONTH_B, "releases_total_cum")
    return Measurement({f"releases by month {RELEASE_MONTH_A}": a,
                        f"releases by month {RELEASE_MONTH_MID}": mid,
                        f"releases by month {RELEASE_MONTH_B}": b},
                       a >= RELEASES_BY_MONTH_4 and mid >= RELEASES_BY_MONTH_6
                       and b >= RELEASES_BY_END_2023,
                       min(at_least(a, RELEASES_BY_MONTH_4), at_least(mid, RELEASES_BY_MONTH_6),
                           at_least(b, RELEASES_BY_END_2023)))


def giants_buy_gpus(rep: Replication) -> Measurement:
    """Giants' share of GPUs bought in the first two years; share of startups that bought."""
    o = rep.outcomes
    giants, startups = o["gpus_purchased_giants_24"], o["gpus_purchased_startups_24"]
    share = giants / (giants + startups) if giants + startups > 0 else float("nan")
    buying = o["share_startups_bought_gpus_24"]
    return Measurement({"giants' share of GPUs bought": share,
                        "share of startups that bought GPUs": buying},
                       share >= GIANT_GPU_SHARE_MIN and buying <= STARTUPS_BUYING_MAX,
                       min(at_least(share, GIANT_GPU_SHARE_MIN),
                           at_most(buying, STARTUPS_BUYING_MAX)))


def original_fewest(rep: Replication) -> Measurement:
    """Releases by kind over the first 13 months (giants' models count as original)."""
    row = KIND_WINDOW_MONTHS - 1
    kinds = {k: _at(rep, row, f"releases_{k}_cum") for k in ("original", "shell", "assembled")}
    others = min(kinds["shell"], kinds["assembled"])
    return Measurement({f"{k} releases": v for k, v in kinds.items()},
                       kinds["original"] < others, below(kinds["original"], others))


def funding_cools(rep: Replication) -> Measurement:
    """Rounds closed in year 1 (months 0-11) and year 2 (months 12-23)."""
    y1, y2 = rep.outcomes["deals_y1"], rep.outcomes["deals_y2"]
    return Measurement({"rounds in year 1": y1, "rounds in year 2": y2}, y2 < y1, below(y2, y1))


def shakeout(rep: Replication) -> Measurement:
    """Independent model builders: peak up to month 36 against month 36. A run that never
    had a builder (peak 0) had no shake-out: it fails, as its margin (-1) says."""
    m = rep.metrics
    early = m.loc[m["month"] <= SHAKEOUT_MONTH, "independent_builders"]
    peak = float(early.max())
    now = _at(rep, SHAKEOUT_MONTH, "independent_builders")
    return Measurement({"peak independent builders": peak, "builders at month 36": now},
                       peak > 0 and now <= SHAKEOUT_DROP * peak,
                       at_most(now, SHAKEOUT_DROP * peak) if peak > 0 else -1.0)


def adoption_order(rep: Replication) -> Measurement:
    """Adoption shares by segment at month 24."""
    large = _at(rep, ADOPTION_MONTH, "adoption_large_digital")
    gov = _at(rep, ADOPTION_MONTH, "adoption_gov_soe")
    sme = _at(rep, ADOPTION_MONTH, "adoption_sme")
    return Measurement({"large digitised": large, "gov/SOE": gov, "SMEs": sme},
                       large > gov > sme, min(below(gov, large), below(sme, gov)))


def exits_not_ipo(rep: Replication) -> Measurement:
    """Fund exits by route over the whole run: stakes sold to later investors outnumber
    IPOs. M&A is shown, not counted: seed 004 names it with the IPO as the exits that grow
    harder the longer a company takes ("拖得越久,项目上市或被并购的难度就越高"), and the
    sale of shares to a later investor as the way out. Until 2026-12-07 the criterion
    was secondary sales + M&A > IPOs."""
    o = rep.outcomes
    sec, ma, ipo = o["secondary_sale"], o["acquired"], o["ipo"]
    return Measurement({"secondary sales": sec, "M&A": ma, "IPOs": ipo}, sec > ipo,
                       below(ipo, sec))


def valuations_rise(rep: Replication) -> Measurement:
    """The median follow-on round of the boom year against the company's last valuation."""
    step = rep.outcomes["valuation_step_y1"]
    margin = step / VALUATION_STEP_MIN - 1 if math.isfinite(step) else -1.0
    return Measurement({"median pre-money / last post-money": step},
                       math.isfinite(step) and step > VALUATION_STEP_MIN, margin)


FACTS: tuple[Fact, ...] = (
    Fact("entry_burst", "Entry burst",
         ">30 models within ~4 months of ChatGPT, >40 by mid-2023, >130 within ~12 months "
         "(seeds 000, 001, 004)",
         f"cumulative releases >= {RELEASES_BY_MONTH_4} by month {RELEASE_MONTH_A}, "
         f">= {RELEASES_BY_MONTH_6} by month {RELEASE_MONTH_MID} "
         f"and >= {RELEASES_BY_END_2023} by month {RELEASE_MONTH_B}",
         RELEASE_MONTH_B + 1, entry_burst),
    Fact("giants_buy_gpus", "Giants buy the GPUs",
         "giants buy most of the GPUs; few startups buy, most rent or do without (seed 004)",
         f"giants own >= {GIANT_GPU_SHARE_MIN:.0%} of GPUs bought in months 0-"
         f"{GPU_WINDOW_MONTHS - 1}, and <= {STARTUPS_BUYING_MAX:.0%} of startups founded then "
         "bought any",
         GPU_WINDOW_MONTHS + 1, giants_buy_gpus),
    Fact("original_fewest", "Original models are the fewest",
         "original models are the fewest of the three kinds (seed 004)",
         f"releases in months 0-{KIND_WINDOW_MONTHS - 1}: original < shell and "
         "original < assembled",
         KIND_WINDOW_MONTHS, original_fewest),
    Fact("funding_cools", "Funding boom, then cooling",
         "funding boom in year one, falling heat in year two: fewer deals (seed 004)",
         "rounds closed in months 12-23 < rounds closed in months 0-11",
         2 * 12, funding_cools),
    Fact("shakeout", "Shake-out of model builders",
         "the number of independent model builders falls after the boom (seeds 001, 003)",
         f"independent builders at month {SHAKEOUT_MONTH} <= {SHAKEOUT_DROP:.0%} of their peak "
         f"over months 0-{SHAKEOUT_MONTH}, a peak above 0",
         SHAKEOUT_MONTH + 1, shakeout),
    Fact("adoption_order", "Adoption follows digitisation",
         "B-end adoption leads where digitisation is high and volume large; gov/SOE slowed by "
         "headcount resistance (seeds 002, 004)",
         f"adoption at month {ADOPTION_MONTH}: large digitised firms > gov/SOE > SMEs",
         ADOPTION_MONTH + 1, adoption_order),
    Fact("exits_not_ipo", "Exits by sale, not IPO",
         "investors exit mostly by selling their shares to later investors, rather than by IPO "
         "(seed 004)",
         "secondary sales > IPOs over the run (acquisitions shown, not counted)",
         1, exits_not_ipo),
    Fact("valuations_rise", "Rounds lift valuations in the boom",
         "while the wind blows, investors push companies through several rounds quickly, "
         "lifting the valuation, so that even selling at a discount pays (seed 004; not in "
         "DOMAIN.md s4)",
         f"the median follow-on round closed in months 0-{VALUATION_WINDOW_MONTHS - 1} is "
         f"priced above the company's last post-money (pre-money / last post-money > "
         f"{VALUATION_STEP_MIN:g})",
         VALUATION_WINDOW_MONTHS, valuations_rise),
)


def min_horizon() -> int:
    """Shortest horizon (months) at which every fact can be measured."""
    return max(f.min_horizon for f in FACTS)


def horizon_problem(horizon_months: int, scorer: str) -> str | None:
    """One line if a run of ``horizon_months`` ends before every fact can be measured (the
    facts' measures would read months it never reached), naming ``scorer`` (what measures
    them) and the allowed range; None if it is long enough."""
    from sim.config import schema_field

    need = min_horizon()
    if horizon_months >= need:
        return None
    found = schema_field("horizon_months")
    assert found is not None   # a field of the root schema
    longest = found[0].metadata["range"][1]
    return (f"horizon_months={horizon_months} is too short to measure every fact {scorer}; "
            f"allowed {need} to {longest} (months)")
