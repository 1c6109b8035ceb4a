"""Environment submodels: hype, open-source frontier, data spill-over, regulator, leaderboard."""

from __future__ import annotations

import numpy as np
import pytest
import simpy
from conftest import small_config
from hypothesis import given
from hypothesis import strategies as st

from sim import capability as cap
from sim.configuration import compose
from sim.environment.data import DataPool
from sim.environment.hype import HypeIndex
from sim.environment.leaderboard import Leaderboard
from sim.environment.open_source import OpenSourceFrontier
from sim.environment.regulation import Regulator
from sim.events import EventKind
from sim.model import MarketModel


def test_hype_rises_with_shocks_and_releases_and_decays_towards_one() -> None:
    cfg = compose([]).hype
    hype = HypeIndex(cfg)
    hype.shock(2.0)
    high = hype.level
    hype.advance()
    assert 1.0 < hype.level < high
    quiet = HypeIndex(cfg)
    busy = HypeIndex(cfg)
    busy.note_releases(20)
    quiet.advance()
    busy.advance()
    assert busy.level > quiet.level


def test_money_raised_feeds_next_months_hype() -> None:
    """Claim 6: big rounds make news; each billion CNY raised this month adds
    ``funding_impulse_per_bn`` to next month's hype, on top of the decay towards one."""
    cfg = compose(["hype.initial=2.0"]).hype
    quiet, funded = HypeIndex(cfg), HypeIndex(cfg)
    funded.note_funding(raised_mcny=2500.0)
    assert funded.level == quiet.level   # the news counts next month
    quiet.advance()
    funded.advance()
    assert funded.level - quiet.level == pytest.approx(2.5 * cfg.funding_impulse_per_bn)
    assert cfg.funding_impulse_per_bn > 0


def test_open_source_pace_brings_releases_earlier() -> None:
    cfg = compose([]).open_source
    slow = OpenSourceFrontier(cfg)
    fast = OpenSourceFrontier(compose(["open_source.pace=2"]).open_source)
    assert fast.release_months()[0] < slow.release_months()[0]
    assert fast.capability(12) >= slow.capability(12)
    assert slow.capability(0) == cfg.initial_capability


def test_spillover_removes_the_private_return_on_data() -> None:
    protected = DataPool(compose(["data.spillover=0"]).data)
    leaky = DataPool(compose(["data.spillover=1"]).data)
    assert protected.worth_buying(annual_ai_revenue_mcny=10_000, step_cost_mcny=30)
    assert not leaky.worth_buying(annual_ai_revenue_mcny=10_000, step_cost_mcny=30)


def test_a_firm_at_full_data_quality_buys_no_more() -> None:
    """A step raises quality no higher than 1: firms there went on buying steps that did
    nothing (537 of the seed-42 baseline's 740 purchases), and data.purchases counted them."""
    pool = DataPool(compose(["data.spillover=0"]).data)
    assert pool.worth_buying(annual_ai_revenue_mcny=10_000, step_cost_mcny=30, quality=0.5)
    assert not pool.worth_buying(annual_ai_revenue_mcny=10_000, step_cost_mcny=30, quality=1.0)
    # the last part of a step pays back only what it adds
    step = compose([]).data.quality_step
    cost = 10_000 * pool._cfg.revenue_gain_per_quality * step * pool._cfg.payback_months / 12
    assert pool.worth_buying(10_000, 0.9 * cost, quality=0.0)
    assert not pool.worth_buying(10_000, 0.9 * cost, quality=1.0 - step / 2)


def test_no_data_purchase_is_made_at_full_quality(baseline_tables) -> None:
    e = baseline_tables.events
    bought = e[e["kind"] == "data_purchase"].sort_values("month", kind="stable")
    before = bought.groupby("actor")["capability"].shift(1)   # quality after the last one
    assert len(bought) > 50 and not (before >= 1.0).any()


def test_diffusion_closes_gaps_in_proportion_to_spillover() -> None:
    def gap_after(spill: float) -> float:
        pool = DataPool(compose([f"data.spillover={spill}"]).data)
        pool.register("a", 0.9)
        pool.register("b", 0.1)
        for _ in range(12):
            pool.diffuse()
        return pool.quality("a") - pool.quality("b")

    assert gap_after(0.0) == 0.8
    assert gap_after(1.0) < gap_after(0.5) < 0.8


def test_contract_learning_raises_domain_data() -> None:
    pool = DataPool(compose([]).data)
    pool.learn("v", 2, contract_months=10)
    assert pool.domain_quality("v", 2) > 0
    assert pool.domain_quality("v", 3) == 0


def test_review_queue_delays_release_only_after_the_rules_apply() -> None:
    cfg = compose(["regulation.review_start_month=5", "regulation.reviewers=1",
                   "regulation.mean_review_months=1"]).regulation
    env = simpy.Environment()
    reg = Regulator(env, cfg)
    done: dict[str, float] = {}

    def model(name: str, start: float, seed: int):
        yield env.timeout(start)
        yield env.process(reg.review(np.random.default_rng(seed)))
        done[name] = env.now

    env.process(model("early", 1.0, 0))
    for k in range(3):
        env.process(model(f"late{k}", 6.0, k + 1))
    env.run(until=100)
    assert done["early"] == 1.0
    finished = sorted(done[f"late{k}"] for k in range(3))
    assert finished[0] > 6.0
    assert finished[2] > finished[1] > finished[0]  # one reviewer: a queue


def test_a_review_nobody_wants_any_more_frees_the_reviewer_at_once() -> None:
    """A model whose firm pivoted or left while it queued takes no reviewer's time when its
    turn comes, and draws nothing from its firm's stream: the model behind it starts its
    review at once (until 2026-12-07 it waited out the dropped model's review)."""
    cfg = compose(["regulation.review_start_month=0", "regulation.reviewers=1",
                   "regulation.mean_review_months=2"]).regulation

    def finish_of_second(first_wanted: bool) -> tuple[float, float]:
        env = simpy.Environment()
        reg = Regulator(env, cfg)
        first_rng = np.random.default_rng(1)
        done: dict[str, float] = {}

        def model(name: str, rng: np.random.Generator, wanted: bool):
            yield env.process(reg.review(rng, lambda: wanted))
            done[name] = env.now

        env.process(model("first", first_rng, first_wanted))
        env.process(model("second", np.random.default_rng(2), True))
        env.run()
        return done["second"], float(first_rng.random())

    alone = float(np.random.default_rng(2).exponential(2.0))
    after_dropped, untouched = finish_of_second(first_wanted=False)
    assert after_dropped == alone
    assert untouched == float(np.random.default_rng(1).random())   # nothing drawn
    after_reviewed, _ = finish_of_second(first_wanted=True)
    assert after_reviewed > alone


def test_leaderboard_ranks_and_best_general() -> None:
    board = Leaderboard()
    board.post("giant:a", 60, general=True, month=3)
    board.post("startup:1", 40, general=False, month=3)
    board.post("startup:2", 70, general=False, month=4)
    assert board.best_general() == 60
    assert board.best() == 70
    assert board.rank_percentile("startup:2") == 1.0
    assert board.rank_percentile("startup:1") == 0.0
    assert board.best_general_firm() == "giant:a"


def test_a_pivot_goes_to_the_firm_with_the_best_general_model() -> None:
    """Seed 001: a startup pivots onto the leading general model; a better startup model,
    or a general model posted later, does not make its firm the host."""
    board = Leaderboard()
    board.post("giant:a", 60, general=True, month=3)
    board.post("giant:b", 75, general=True, month=2)
    board.post("giant:c", 50, general=True, month=5)
    board.post("startup:1", 90, general=False, month=4)
    assert board.best_general_firm() == "giant:b"
    board.withdraw("giant:b")
    assert board.best_general_firm() == "giant:a"


def test_a_firms_review_takes_as_long_however_many_others_queue() -> None:
    """Review times come from the submitting firm's own stream (common random numbers):
    with more reviewers than models, a firm's review time does not depend on who else
    submits, or in which order."""
    cfg = compose(["regulation.review_start_month=0", "regulation.reviewers=50"]).regulation

    def times(others: int) -> dict[str, float]:
        env = simpy.Environment()
        reg = Regulator(env, cfg)
        done: dict[str, float] = {}

        def model(name: str, seed: int):
            yield env.process(reg.review(np.random.default_rng(seed)))
            done[name] = env.now

        for k in range(others):
            env.process(model(f"other{k}", 100 + k))
        env.process(model("firm", 7))
        env.run()
        return done

    assert times(0)["firm"] == times(5)["firm"] == times(20)["firm"] > 0


_CAPABILITY = compose([]).capability


@given(st.floats(-10, 200, allow_nan=False),
       st.lists(st.floats(0, 1, allow_nan=False), min_size=1, max_size=8), st.integers(0, 7))
def test_domain_capabilities_are_domain_capability_in_each_domain(base, data, home) -> None:
    cfg = _CAPABILITY
    assert cap.domain_capabilities(cfg, base, data, home) == tuple(
        cap.domain_capability(cfg, base, q, d == home) for d, q in enumerate(data))


def test_domain_qualities_are_each_domains_quality() -> None:
    pool = DataPool(compose([]).data)
    pool.set_domain_quality("startup:1", 2, 0.4)
    pool.learn("startup:1", 0, 10.0)
    assert pool.domain_qualities("startup:1", 4) == [
        pool.domain_quality("startup:1", d) for d in range(4)]
    assert pool.domain_qualities("startup:1", 4)[2] == 0.4
    assert pool.domain_qualities("startup:9", 2) == [0.0, 0.0]


def test_a_pretrained_models_capability_rises_with_its_data_quality() -> None:
    """Data is the scarce input (seed 001): the same compute trained on better data gives a
    better model, by data_weight of the points; with data_weight 0 data does not matter."""
    cfg = compose(["capability.data_weight=0.4"]).capability
    poor, rich = (cap.trained_capability(cfg, 5000.0, q, 6.0) for q in (0.0, 1.0))
    assert 0 < poor < rich
    assert poor == rich * (1 - 0.4)
    flat = compose(["capability.data_weight=0"]).capability
    assert cap.trained_capability(flat, 5000.0, 0.0, 6.0) == cap.trained_capability(
        flat, 5000.0, 1.0, 6.0)


# ---------------------------------------- mechanisms a mutation test found untested (2026-12-07)


def test_effective_training_compute_doubles_every_algorithmic_doubling_months() -> None:
    """MODEL.md 7.2: effective compute = GPU-months x 2^(month /
    ``algorithmic_doubling_months``): the same run trained one doubling period later is
    worth twice the GPU-months at month 0. A mutation test (2026-12-07) dropped the
    efficiency factor and only the golden run noticed."""
    cfg = compose(["capability.algorithmic_doubling_months=16"]).capability
    assert cap.efficiency(cfg, 0.0) == 1.0 and cap.efficiency(cfg, 16.0) == 2.0
    for gpu_months in (10.0, 5000.0):
        base = cap.trained_capability(cfg, gpu_months, 0.5, 0.0)
        assert cap.trained_capability(cfg, gpu_months, 0.5, 16.0) == pytest.approx(
            cap.trained_capability(cfg, 2 * gpu_months, 0.5, 0.0))
        assert cap.trained_capability(cfg, gpu_months, 0.5, 32.0) == pytest.approx(
            cap.trained_capability(cfg, 4 * gpu_months, 0.5, 0.0))
        assert cap.trained_capability(cfg, gpu_months, 0.5, 16.0) > base


@pytest.mark.parametrize(("start", "months", "after"), [(0.5, 125.0, 0.75), (0.5, 1000.0, 1.0),
                                                       (0.0, 50.0, 0.2)])
def test_contract_learning_closes_the_gap_to_full_quality_and_stops_there(
        start: float, months: float, after: float) -> None:
    """MODEL.md 7.8: d := d + (1 - d) * min(1, contract_learning * contract-months): each
    month of delivery closes a share of the gap to 1, never past it. A mutation test
    (2026-12-07) dropped the (1 - d) and only the golden run noticed (quality passed 1)."""
    pool = DataPool(compose(["data.contract_learning=0.004"]).data)
    pool.set_domain_quality("v", 2, start)
    assert pool.learn("v", 2, contract_months=months) == pytest.approx(after)
    assert pool.domain_quality("v", 2) == pytest.approx(after)


def test_a_months_news_moves_hype_once_and_hype_decays_towards_1() -> None:
    """MODEL.md 7.1: H[t+1] = 1 + (H[t] - 1)(1 - decay) + the month's news: the news counts
    in the next step only, and a quiet market returns to 1, the pre-ChatGPT normal, not to
    0. A mutation test (2026-12-07) kept the news for every month after, and let hype decay
    towards 0; only tests of other things failed."""
    cfg = compose(["hype.decay_per_month=0.2", "hype.release_impulse=0.01"]).hype
    hype = HypeIndex(cfg)
    start = hype.level
    hype.note_releases(10)
    hype.advance()
    first = hype.level
    assert first == pytest.approx(1 + (start - 1) * 0.8 + 0.1)
    hype.advance()   # no news this month
    assert hype.level == pytest.approx(1 + (first - 1) * 0.8)
    hype.shock(2.0)
    for _ in range(200):
        hype.advance()
    assert hype.level == pytest.approx(1.0, abs=1e-9)


# ---------------------------------------- mechanisms a mutation audit found untested (2026-12-07)


def test_a_model_run_feeds_each_months_money_raised_into_next_months_hype() -> None:
    """Claim 6 through the model's wiring: after each funding close the month's money
    raised is news, ``funding_impulse_per_bn`` index points a billion CNY, in next month's
    hype: H[t+1] = 1 + (H[t] - 1)(1 - decay) + impulse x raised[t] / 1000. Without shocks
    and with no impulse from releases that is the whole step, month by month. A mutation
    audit (2026-12-07) removed the model's call and only a test driving HypeIndex by hand
    covered it."""
    model = MarketModel(small_config("horizon_months=12", "hype.shocks=[]",
                                     "hype.release_impulse=0", "hype.initial=2.0"))
    rows = model.run().metrics
    cfg = model.cfg.hype
    hype = [r["hype_index"] for r in rows]
    raised = [r["funding_raised_mcny"] for r in rows]
    news = [cfg.funding_impulse_per_bn * r / 1000 for r in raised]
    assert cfg.funding_impulse_per_bn > 0 and max(news[:-1]) > 1e-4   # rounds closed
    decayed = [1 + (h - 1) * (1 - cfg.decay_per_month) for h in hype[:-1]]
    assert hype[1:] == pytest.approx([d + n for d, n in zip(decayed, news, strict=False)],
                                     rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("spillover", [0.0, 0.6])
def test_a_model_run_diffuses_data_to_a_firm_that_buys_none(spillover: float) -> None:
    """Claim 3 (seeds 000, 004) through the model's wiring: each month part of the best
    firm's data leaks to everyone, so a giant that buys no data closes
    ``spillover`` x ``diffusion_per_month`` of its gap to the best each month (at least the
    best giant's initial quality, which only rises), and keeps its quality with no
    spill-over. Data priced out of reach, nobody buys any. A mutation audit (2026-12-07)
    removed the model's monthly call and only a test of DataPool alone covered it."""
    months = 6
    model = MarketModel(small_config(f"horizon_months={months}", f"data.spillover={spillover}",
                                     "data.step_cost_giant_mcny=1e5", "compute.export_controls=[]",
                                     "data.step_cost_startup_mcny=1e5"))
    initial = model.cfg.giants.initial_data_quality
    k = int(np.argmin(initial))
    low, best = initial[k], max(initial)
    assert low < best
    model.run()
    w = model.world
    assert w.log.count(EventKind.DATA_PURCHASE) == 0
    quality = w.data.quality(model.giants[k].id)
    if spillover == 0:
        assert quality == low
        return
    rate = spillover * model.cfg.data.diffusion_per_month
    assert quality >= best - (best - low) * (1 - rate) ** months - 1e-12
    assert quality > low + 0.5 * (best - low) * (1 - (1 - rate) ** months)
