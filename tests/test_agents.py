"""Agent decision rules, each checked on a small model."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest
import simpy
from conftest import small_config
from hypothesis import given, settings
from hypothesis import strategies as st
from simd import needs_avx512, python_output

from sim import capability as cap
from sim.agents.buyers import BuyerPopulation
from sim.agents.fund import Fund
from sim.agents.giant import Giant
from sim.agents.startup import HostShares, Startup
from sim.events import EventKind
from sim.markets.procurement import EnterpriseMarket
from sim.messages import Bid, Channel, ModelKind, Offer, RaiseRequest, SaleOffer, TermSheet
from sim.model import MarketModel
from sim.run import Tables, simulate
from sim.summary import fund_table
from sim.world import RunawayError, World


def test_giants_own_model_lifts_core_profit() -> None:
    """Claim 7: a better model in the giant's own products raises core profit."""
    giant = MarketModel(small_config()).giants[0]
    giant.capability = 0.0
    giant.earn_core_profit()
    plain = giant.core_profit
    giant.capability = 80.0
    giant.earn_core_profit()
    assert giant.core_profit > plain
    no_lift = MarketModel(small_config("giants.internal_use_lift=0")).giants[0]
    no_lift.capability = 80.0
    no_lift.earn_core_profit()
    assert no_lift.core_profit == plain


def test_buyer_utility_rewards_digitisation_and_punishes_hallucination() -> None:
    buyers = MarketModel(small_config()).buyers
    i = np.array([0, 1])
    buyers.digitization[i] = [0.2, 0.9]
    buyers.tolerance[i] = 0.5
    buyers.resistance[i] = 0.0
    buyers.price_sensitivity[i] = 1.0
    cap = np.full((2, 1), 50.0)
    u = buyers.utility(i, cap, np.full((2, 1), 0.1), np.zeros((2, 1)), api=False)
    assert u[1, 0] > u[0, 0]
    worse = buyers.utility(i, cap, np.full((2, 1), 0.5), np.zeros((2, 1)), api=False)
    assert (worse < u).all()
    pricey = buyers.utility(i, cap, np.full((2, 1), 0.1), np.ones((2, 1)), api=False)
    assert (pricey < u).all()


def test_api_buyers_spend_no_more_than_their_budget() -> None:
    """An API group's bill is its buyers' usage at the vendor's price, and usage grows
    each year: with usage growing faster than prices fall the bill passed the budget (5.9
    times it at buyers.usage_growth_per_year 1.5). Now the budget caps it, and the buyers
    use the tokens it pays for."""
    model = MarketModel(small_config("buyers.usage_growth_per_year=1.5",
                                     "horizon_months=72", "buyers.count=3000"))
    population, groups, market = model.buyers, model.buyers._groups, model.world.enterprise
    months: list[tuple[float, float]] = []   # (API subscribers' budgets, API payments)
    pay = population.pay_vendors

    def paying(offers: list[Offer]) -> None:
        group = np.flatnonzero(groups.members)
        vendor, _, channel = groups.key(group)
        api = channel == 0
        pay(offers)
        month = int(model.world.now)
        paid = [market.revenue(v, month, Channel.API)
                for v in set(market.vendor_names()[vendor[api]].tolist())]
        months.append((float(groups.budget[group][api].sum()), math.fsum(paid)))

    population.pay_vendors = paying   # type: ignore[method-assign]
    model.run()
    assert all(paid <= budget * (1 + 1e-9) for budget, paid in months)
    capped = [month for month, (budget, paid) in enumerate(months)
              if paid > 0 and math.isclose(paid, budget, rel_tol=1e-9)]
    assert capped   # the cap bound: without it the bill passed the budget in these months


def test_a_buyer_tolerant_of_hallucination_minds_it_less() -> None:
    """Seed 004: hallucination blocks professional use, so it costs a buyer
    ``hallucination_cost`` times the rate times (1 - its tolerance): the full cost to one
    who tolerates none, nothing to one who tolerates all."""
    model = MarketModel(small_config())
    buyers = model.buyers
    i = np.array([0, 1, 2])
    buyers.digitization[i] = 0.5
    buyers.resistance[i] = 0.0
    buyers.price_sensitivity[i] = 1.0
    buyers.tolerance[i] = [0.0, 0.5, 1.0]
    cap, free = np.full((3, 1), 50.0), np.zeros((3, 1))
    sound = buyers.utility(i, cap, free, free, api=False)
    wrong = buyers.utility(i, cap, np.full((3, 1), 0.3), free, api=False)
    cost = 0.3 * model.cfg.buyers.hallucination_cost
    assert (sound - wrong)[:, 0] == pytest.approx([cost, cost / 2, 0.0])
    assert cost > 0


def test_a_model_far_below_the_midpoint_is_worth_nothing_without_a_warning() -> None:
    """A capability hundreds of widths below the buyers' midpoint overflows exp(-x): its
    value is 0 (the limit), and NumPy's overflow warning reached the user's terminal."""
    import warnings

    from sim.agents.buyers import _sigmoid

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        values = _sigmoid(np.array([-1e4, 0.0, 1e4]))
    assert values.tolist() == [0.0, 0.5, 1.0]


def test_headcount_resistance_lowers_value() -> None:
    buyers = MarketModel(small_config()).buyers
    i = np.array([0, 1])
    buyers.resistance[i] = [0.0, 1.0]
    buyers.digitization[i] = 0.5
    buyers.tolerance[i] = 0.5
    cap = np.full((2, 1), 60.0)
    u = buyers.utility(i, cap, np.zeros((2, 1)), np.zeros((2, 1)), api=False)
    assert u[0, 0] > u[1, 0]


def test_startup_kind_follows_technical_depth() -> None:
    model = MarketModel(small_config())
    model.run()
    cfg = model.cfg.startups
    for s in model.startups:
        original = s.tech_depth >= cfg.original_depth
        assert (s.kind in (ModelKind.ORIGINAL, ModelKind.APPLICATION)) or not original
        if s.tech_depth < cfg.shell_depth and not s.pivoted:
            assert s.kind == ModelKind.ASSEMBLED


def test_no_pivots_when_the_gap_threshold_is_out_of_reach() -> None:
    model = MarketModel(small_config("startups.pivot_gap_points=200"))
    model.run()
    assert not any(s.pivoted for s in model.startups)
    pivoting = MarketModel(small_config("startups.pivot_gap_points=0"))
    pivoting.run()
    assert any(s.pivoted for s in pivoting.startups)


def test_entry_past_the_limit_stops_the_run_with_one_line() -> None:
    """Past ``startups.max_founded`` founded (and not one more) the run stops with a
    RunawayError naming the limit; a month expected to pass it alone stops before any draw."""
    small = ["horizon_months=12", "buyers.count=200"]
    model = MarketModel(small_config(*small))
    model.run()
    founded = len(model.startups)
    at_limit = MarketModel(small_config(*small, f"startups.max_founded={founded}"))
    at_limit.run()   # the limit itself is allowed, and draws nothing: the same run
    assert [s.tech_depth for s in at_limit.startups] == [s.tech_depth for s in model.startups]
    with pytest.raises(RunawayError, match=rf"^startups.max_founded={founded - 1} passed in "
                                           r"month \d+: [\d,]+ founded at hype"):
        MarketModel(small_config(*small, f"startups.max_founded={founded - 1}")).run()
    # hype 20 and more expects some 50,000 foundings in month 0: stopped before drawing them
    with pytest.raises(RunawayError, match=r"passed in month 0: [\d,]+ expected this month at "
                                           r"hype [\d.]+; .*hype.release_impulse") as info:
        MarketModel(small_config(*small, "hype.initial=20", "startups.max_founded=1000")).run()
    assert "\n" not in str(info.value)
    # a small limit's rate in three digits (1.11 x hype 2.2 ** elasticity): "4 expected"
    # was rounded, and "1 expected" read as not passing a limit of 1
    funds = small_config(*small, "funds.max_founded=1", "funds.vintage_rate_per_month=1.11",
                         "funds.initial_count=0")
    with pytest.raises(RunawayError, match=r"^funds.max_founded=1 passed in month 0: 3.62 "
                                           r"expected this month"):
        MarketModel(funds).run()


def test_giants_act_in_a_fresh_random_order_each_month(monkeypatch) -> None:
    """Every giant acts once a month, in an order drawn afresh. In the list's order
    (Baidu first, JD last) the first giants' GPU orders were served first in the 2023
    shortage: in year 1 Baidu, Alibaba and Huawei got 0.87-0.91 of what they ordered
    delivered, Tencent, ByteDance and JD 0.80-0.83, at every seed."""
    from sim.agents.giant import Giant

    model = MarketModel(small_config("horizon_months=4", "compute.export_controls=[]"))
    orders: list[str] = []
    real_month = Giant.month

    def month(giant: Giant) -> None:
        orders.append(giant.id)
        real_month(giant)

    monkeypatch.setattr(Giant, "month", month)
    model.run()
    n = len(model.giants)
    months = [orders[k:k + n] for k in range(0, len(orders), n)]
    assert len(months) == 4
    assert all(sorted(m) == sorted(g.id for g in model.giants) for m in months)
    assert len({tuple(m) for m in months}) == 4


def test_funds_answer_the_months_requests_in_a_fresh_random_order(monkeypatch) -> None:
    """Each month every open fund acts once, in an order drawn afresh, and a fund that
    closed acts no more. In a fixed order (the oldest first) the first funds took every
    round's room: the initial funds' invested share fell with their number (Spearman
    -0.5 to -0.6 over 36 months); drawn afresh it does not."""
    model = MarketModel(small_config("horizon_months=36"))
    model.world.env.run(until=0.25)   # the initial funds started, before their first month
    vintages = model.vintages
    orders: list[list[str]] = []
    real_month = Fund.month

    def month(fund: Fund) -> bool:
        orders[-1].append(fund.id)
        return real_month(fund)

    monkeypatch.setattr(Fund, "month", month)
    for _ in range(3):
        orders.append([])
        vintages.month()
    assert all(sorted(o) == sorted(orders[0]) for o in orders)   # every open fund, once
    assert len({tuple(o) for o in orders}) == 3                  # in a new order each month
    monkeypatch.setattr(Fund, "month", real_month)
    first = vintages.funds[0]
    first.terms = dataclasses.replace(first.terms, term_months=-1e9)   # its term is over
    vintages.month()
    assert first.closed and first not in vintages._open

    model = MarketModel(small_config("horizon_months=36", "seed=42"))
    model.run()
    initial = fund_table(model).iloc[:model.cfg.funds.initial_count]
    number = initial["fund"].str.split(":").str[1].astype(int)
    assert abs(number.rank().corr(initial["invested_share"].rank())) < 0.3


def test_new_funds_past_the_limit_stop_the_run_with_one_line() -> None:
    """Funds have their safety limit too (``funds.max_founded``): the limit itself is
    allowed and draws nothing; one fund fewer stops the run, naming the funds' drivers."""
    small = ["horizon_months=12", "buyers.count=200", "funds.vintage_rate_per_month=2"]
    model = MarketModel(small_config(*small))
    model.run()
    funds = len(model.funds)
    at_limit = MarketModel(small_config(*small, f"funds.max_founded={funds}"))
    at_limit.run()
    assert [f.size_mcny for f in at_limit.funds] == [f.size_mcny for f in model.funds]
    with pytest.raises(RunawayError, match=rf"^funds.max_founded={funds - 1} passed in month "
                                           r"\d+: [\d,]+ founded at hype [\d.]+; new funds "
                                           r"grow with hype \(funds.vintage_rate_per_month"):
        MarketModel(small_config(*small, f"funds.max_founded={funds - 1}")).run()


def test_the_group_pays_the_bills_of_a_giant_without_profit_or_cash() -> None:
    """Seed 000: AI is funded from the core business, so a giant whose core profit no
    longer pays its fleet's power gets the shortfall from the group, not negative cash."""
    zeros = "[" + ",".join(["0"] * 10) + "]"
    model = MarketModel(small_config("horizon_months=12",
                                     f"giants.core_profit_mcny_per_month={zeros}",
                                     f"giants.initial_cash_mcny={zeros}"))
    model.run()
    ledger = model.world.ledger
    assert all(ledger.balance(g.id) >= 0 for g in model.giants)
    support = [t for t in ledger.transfers if t.reason == "group_support"]
    assert {t.payee for t in support} == {g.id for g in model.giants}  # every fleet draws power
    paid = sum(g.group_support_mcny for g in model.giants)
    assert math.isclose(paid, sum(t.amount_cny for t in support) / 1e6, rel_tol=1e-9)
    assert ledger.total_cny() == 0


def test_a_giant_short_of_gpus_keeps_its_shortfall_off_the_cloud() -> None:
    """Claim 2: in a scarce market clouds serve their owners first."""
    offered = {}
    for share in (0.0, 1.0):
        model = MarketModel(small_config(f"giants.cloud_reserve_share={share}"))
        giant = model.giants[0]
        giant._fleet_shortfall = 1000.0
        giant.offer_cloud()
        offered[share] = sum(o.gpu_months for o in model.world.compute._rental_offers)
    assert offered[0.0] - offered[1.0] == 1000.0


def test_a_late_delivery_does_not_shrink_a_giants_training_run() -> None:
    """Claim 2: a giant plans its run on the GPUs it should have by now (owned plus
    overdue) and runs it on spare GPUs it owns, so a short market does not cut it."""
    model = MarketModel(small_config())
    giant = model.giants[0]
    compute = model.world.compute
    share = model.cfg.giants.training_fleet_share
    owned = compute.owned(giant.id)
    giant._serving_gpus = 0.0
    assert giant.training_run_gpus() == share * owned
    compute._overdue[giant.id] = owned  # as many GPUs again stuck past their lead time
    assert giant.training_run_gpus() == 2 * share * owned
    giant._serving_gpus = owned * (1 - share)  # but only GPUs it owns and is not serving
    assert giant.training_run_gpus() == share * owned
    old_rule = MarketModel(small_config("giants.train_on_overdue=false"))
    g = old_rule.giants[0]
    old_rule.world.compute._overdue[g.id] = owned
    assert g.training_run_gpus() == share * old_rule.world.compute.owned(g.id)


def test_a_giant_with_no_gpus_waits_for_them_before_it_trains() -> None:
    """A giant whose first GPUs are still on their way trains no generation on none: it
    releases nothing at capability 0, and trains once its orders arrive."""
    zeros = "[" + ",".join(["0"] * 10) + "]"
    model = MarketModel(small_config("horizon_months=24", f"giants.initial_gpus={zeros}"))
    model.run()
    events = model.world.log.table().to_pandas()
    releases = events[(events["kind"] == "model_release") & (events["actor_type"] == "giant")]
    assert not releases.empty   # they train once the GPUs they ordered are delivered
    assert (releases["gpus"] > 0).all() and (releases["capability"] > 0).all()
    first_delivery = events.loc[(events["kind"] == "gpu_delivery")
                                & (events["actor_type"] == "giant"), "month"].min()
    assert releases["month"].min() > first_delivery


def _fleet_target(*overrides: str) -> float:
    """Tencent's first fleet target (A100-eq): what it owns plus its shortfall."""
    model = MarketModel(small_config(*overrides))
    giant = next(g for g in model.giants if g.name == "Tencent")
    giant.earn_core_profit()
    giant.buy_compute()
    assert giant._fleet_shortfall > 0
    return giant._fleet_shortfall + model.world.compute.owned(giant.id)


def test_a_dearer_gpu_moves_the_fleet_target_through_the_price_elasticity_alone() -> None:
    """Claim 2: a run that starts at double the GPU price shrinks the giants' targets by
    2^-gpu_price_elasticity, as a doubling during the run would; the budget is planned
    at ``fleet_plan_price_mcny``, not at the run's starting price."""
    e = 0.8
    base = _fleet_target(f"giants.gpu_price_elasticity={e}")
    dear = _fleet_target(f"giants.gpu_price_elasticity={e}", "compute.initial_gpu_price_mcny=0.2")
    assert math.isclose(dear / base, 2**-e, rel_tol=1e-9)
    inelastic = _fleet_target("giants.gpu_price_elasticity=0")
    assert math.isclose(
        _fleet_target("giants.gpu_price_elasticity=0", "compute.initial_gpu_price_mcny=0.2"),
        inelastic, rel_tol=1e-9)
    # a plan budgeted at double the price buys half the GPUs at the same market price
    e0 = _fleet_target("giants.gpu_price_elasticity=0", "giants.fleet_plan_price_mcny=0.2")
    assert math.isclose(e0 / inelastic, 0.5, rel_tol=1e-9)


def test_a_release_records_its_training_compute_in_gpu_months(monkeypatch) -> None:
    """Giants' and startups' release rows share one unit: a giant's ``gpus`` is the GPUs
    it trained on times ``training_months`` (A100-eq-months, as a startup's run)."""
    from sim.agents.giant import Giant

    monkeypatch.setattr(Giant, "training_run_gpus", lambda self: 1234.0)
    model = MarketModel(small_config("horizon_months=12"))
    model.run()
    ev = [r for r in model.world.log.rows() if r["kind"] == "model_release"]
    giants = [r["gpus"] for r in ev if r["actor_type"] == "giant"]
    assert giants and all(g == 1234.0 * model.cfg.giants.training_months for g in giants)
    shells = [r["gpus"] for r in ev if r["model_kind"] == "shell"]
    assert shells and min(shells) > 0


def test_a_giant_s_release_is_at_least_the_open_base_tuned_as_a_startup_s(monkeypatch) -> None:
    """An original release takes max(trained, shell) (MODEL.md 7.2), a giant's as a
    startup's: a giant training on almost no GPUs under a strong open frontier releases
    at least what tuning the open base would give. A giant's release ignored the open
    base, and 46 of the seed-42 baseline's 193 scored below the free frontier."""
    from sim.agents.giant import Giant

    monkeypatch.setattr(Giant, "training_run_gpus", lambda self: 1.0)
    model = MarketModel(small_config("horizon_months=12", "open_source.pace=2"))
    w = model.world
    floors = []
    real = Giant.publish_model

    def publish(self, capability, model_kind, gpu_months, stage) -> None:
        floors.append((capability, cap.shell_capability(
            w.capability, w.open_source.capability(w.now), w.data.quality(self.id))))
        real(self, capability, model_kind, gpu_months, stage)

    monkeypatch.setattr(Giant, "publish_model", publish)
    model.run()
    assert floors and all(released >= shell for released, shell in floors)
    trained = cap.trained_capability(w.capability, 1.0 * model.cfg.giants.training_months,
                                     1.0, 11.0)
    assert any(released > trained for released, _ in floors)


def test_a_startup_that_pivoted_buys_no_data() -> None:
    """Data quality counts only in a model of the firm's own, which a startup serving a
    giant's model never releases again: at spill-over 0 such firms bought nine in ten of
    the startups' data steps. They now buy none; startups still building do."""
    tables = simulate(small_config("horizon_months=48", "data.spillover=0",
                                   "data.revenue_gain_per_quality=5"))
    e = tables.events
    pivoted = e[e["kind"] == "pivot"].groupby("actor")["month"].min()
    bought = e[(e["kind"] == "data_purchase") & (e["actor_type"] == "startup")]
    assert len(pivoted) and len(bought)
    after = bought["month"] >= bought["actor"].map(pivoted).fillna(np.inf)
    assert not after.any()


def test_an_app_whose_host_has_no_price_yet_prices_its_own_serving_not_its_old_price() -> None:
    """An app on a giant that has posted no offer yet (the giant's first release month)
    marked up its own last price: 38 rather than 15 CNY per million tokens. It now prices
    serving on rented GPUs, as a startup serving its own model; with the host's offer up,
    the host's price plus the markup."""
    model, s = _new_startup(ModelKind.APPLICATION)
    w = model.world
    s.host = model.giants[0].id
    s.api_price = 1000.0
    markup = 1 + model.cfg.startups.api_markup
    s.set_price(w.now)
    own = w.compute.serving_cost_cny_per_mtok(cap.efficiency(w.capability, w.now), rented=True)
    assert w.enterprise.offer(s.host) is None
    assert s.api_price == pytest.approx(own * markup)
    w.enterprise.post_offer(Offer(s.host, "giant", (50.0,) * len(w.domains),
                                  (0.1,) * len(w.domains), 12.0, True, 0))
    s.set_price(w.now)
    assert s.api_price == pytest.approx(12.0 * markup)


def test_a_shell_tuned_on_less_compute_gains_less() -> None:
    """Claim 2: a shell's tuning gain scales as (tuning compute / reference) to the
    ``tuning_compute_elasticity``; at elasticity 0 compute does not touch a shell."""
    c = small_config().capability
    ref, e = c.tuning_reference_gpu_months, c.tuning_compute_elasticity
    assert e > 0
    full = cap.shell_capability(c, 30.0, 0.5, ref)
    half = cap.shell_capability(c, 30.0, 0.5, ref / 2)
    assert math.isclose(full, 30.0 + c.shell_tuning_points * 0.5)
    assert math.isclose(half - 30.0, (full - 30.0) * 2**-e)
    assert cap.shell_capability(c, 30.0, 0.5) == full   # no compute given: the reference
    flat = small_config("capability.tuning_compute_elasticity=0").capability
    assert cap.shell_capability(flat, 30.0, 0.5, ref / 2) == cap.shell_capability(flat, 30.0, 0.5)


def _new_startup(kind: ModelKind, *overrides: str) -> tuple[MarketModel, Startup]:
    """A small model and a startup of ``kind`` just founded in it."""
    model = MarketModel(small_config(*overrides))
    w = model.world
    s = Startup(w, model.cfg.startups, model.cfg.data, 0, w.streams.get("startup", 0))
    s.kind = kind
    return model, s


def _shell_run(*overrides: str) -> float:
    """GPU-months a newly founded shell plans for its tuning run."""
    _, s = _new_startup(ModelKind.SHELL, *overrides)
    s._start_training()
    assert s._training_kind == ModelKind.SHELL
    return s._training_need


def test_a_shell_budgets_its_tuning_in_money_so_a_dearer_rent_buys_less() -> None:
    """Claim 2: at double the rent a shell's tuning budget rents half the GPU-months; with
    no budget (0) the run is the fixed ``training_gpu_months_other``."""
    cfg = small_config()
    rent = cfg.compute.rental_initial_price_mcny
    base = _shell_run()
    assert math.isclose(base, cfg.startups.tuning_budget_mcny / rent)
    dear = _shell_run(f"compute.rental_initial_price_mcny={2 * rent}")
    assert math.isclose(dear / base, 0.5)
    assert _shell_run("startups.tuning_budget_mcny=0") == cfg.startups.training_gpu_months_other


def test_hype_raises_a_giants_fleet_target_by_its_elasticity() -> None:
    """Seed 000's arms race: at twice the normal hype a giant targets 2^hype_fleet_elasticity
    times the fleet (no serving load yet, so the whole target scales)."""
    e = 0.8
    calm = _fleet_target(f"giants.hype_fleet_elasticity={e}")
    hot = _fleet_target(f"giants.hype_fleet_elasticity={e}", "hype.initial=2")
    assert math.isclose(hot / calm, 2**e, rel_tol=1e-9)
    assert _fleet_target("giants.hype_fleet_elasticity=0", "hype.initial=2") == \
        _fleet_target("giants.hype_fleet_elasticity=0")


def _founded(kind: ModelKind, *overrides: str) -> tuple[World, Startup]:
    """A startup of ``kind`` founded (registered with the markets) in a small world."""
    model, s = _new_startup(kind, *overrides)
    s.found()
    return model.world, s


def _payroll(s: Startup) -> float:
    """The month's salaries (million CNY): the burn of a startup without GPUs or rent, less
    its office."""
    return s.monthly_burn() - s._cfg.rent_mcny_per_month


def test_a_pivot_cuts_the_payroll_by_the_pivot_burn_factor() -> None:
    """Seed 001: a company that gives up pretraining for a giant's model needs fewer
    people; its salaries fall to ``pivot_burn_factor`` of what they were."""
    w, s = _founded(ModelKind.SHELL, "startups.pivot_burn_factor=0.5")
    s.releases, s.capability = 1, 10.0
    giant = "giant:Baidu"
    far_ahead = (s._cfg.pivot_gap_points + 50.0,) * len(w.domains)
    w.enterprise.post_offer(Offer(giant, "giant", far_ahead, (0.0,) * len(w.domains), 1.0,
                                  True, 0))
    w.leaderboard.post(giant, far_ahead[0], general=True, month=0.0)
    before = _payroll(s)
    s.maybe_pivot()
    assert s.pivoted and s.host == giant
    assert _payroll(s) == pytest.approx(0.5 * before) and before > 0



def test_a_giant_plans_serving_gpus_for_the_apps_built_on_its_model() -> None:
    """The host giant serves an application company's model (MODEL.md 7.5): its serving
    fleet counts the tokens of the apps built on its model as well as its own API's. Until
    2026-12-07 nobody's GPUs ran the apps' tokens (three times the giants' own in the
    first two years, seed 42)."""
    model, s = _new_startup(ModelKind.SHELL)
    w, giant = model.world, model.giants[0]
    s.found()
    s.releases, s.capability = 1, 10.0
    far_ahead = (s._cfg.pivot_gap_points + 50.0,) * len(w.domains)
    w.leaderboard.post(giant.id, far_ahead[0], general=True, month=0.0)
    w.enterprise.post_offer(Offer(giant.id, "giant", far_ahead, (0.0,) * len(w.domains), 1.0,
                                  True, 0))
    s.maybe_pivot()
    assert s.host == giant.id
    w.env.run(until=0.7)   # month 0's payments are in
    app_mtok = 1e6
    w.enterprise.record_monthly_payments([s.id], [False], [1.0], [app_mtok])
    w.env.run(until=1.0)
    giant.buy_compute()
    own = w.enterprise.tokens(giant.id, 0)
    efficiency = cap.efficiency(w.capability, w.now)
    assert w.enterprise.tokens(s.id, 0) >= app_mtok   # the app's market share is its own
    assert giant._serving_gpus == pytest.approx(
        w.compute.serving_gpus(own + w.enterprise.tokens(s.id, 0), efficiency))
    assert giant._serving_gpus > w.compute.serving_gpus(own, efficiency) + 1.0

@pytest.mark.parametrize(("runway", "urgent"), [(0.5, True), (100.0, False)])
def test_a_startup_short_of_runway_bids_below_cost(runway: float, urgent: bool) -> None:
    """Seed 004: with less than ``urgent_runway_months`` of cash left a startup bids its
    delivery cost less ``urgent_discount``; otherwise cost plus ``bid_markup``."""
    w, s = _founded(ModelKind.SHELL)
    c = s._cfg
    assert c.urgent_runway_months > 0.5
    s.capability = 30.0
    shares: list[float] = []
    s.bid = lambda price_share, domains, private_ok: shares.append(price_share)  # type: ignore[method-assign]
    s.bid_for_contracts(runway)
    margin = -c.urgent_discount if urgent else c.bid_markup
    assert shares == [pytest.approx(c.delivery_cost_share * (1 + margin))]
    assert (shares[0] < c.delivery_cost_share) == urgent


@pytest.mark.parametrize(("hype", "listed"), [(1.0, False), (2.0, True)])
def test_a_startup_lists_only_while_the_ipo_window_is_open(hype: float, listed: bool) -> None:
    """Seed 004: revenue at scale is not enough; the hype must be at ``ipo_window_hype``."""
    w, s = _founded(ModelKind.SHELL, "startups.ipo_window_hype=1.3", f"hype.initial={hype}")
    s.maybe_ipo(s._cfg.ipo_revenue_mcny_per_year)
    assert (w.funding.outcome(s.id) == "ipo") == listed


def test_after_a_failed_round_a_startup_cuts_its_payroll_once() -> None:
    """A round that failed makes the company cut ``cost_cut_after_failed_round`` of its
    salaries, once per failed round (not again each month it looks)."""
    w, s = _founded(ModelKind.SHELL, "startups.cost_cut_after_failed_round=0.3")
    before = _payroll(s)
    w.funding._failed[s.id] = 1   # a round failed at the last close
    s.seek_money(runway=50.0, revenue=0.0, now=w.now)
    assert _payroll(s) == pytest.approx(0.7 * before)
    s.seek_money(runway=50.0, revenue=0.0, now=w.now)
    assert _payroll(s) == pytest.approx(0.7 * before)


@pytest.mark.parametrize(("revenue", "for_sale"), [(0.0, True), (1e9, False)])
def test_a_company_whose_investors_are_leaving_is_put_up_for_sale(revenue: float,
                                                                  for_sale: bool) -> None:
    """A fund in its exit window wants out: the company, not distressed, is offered at its
    last post-money, unless its revenue is at the IPO bar (it will list instead)."""
    from sim.markets.funding import FundTerms

    w, s = _founded(ModelKind.SHELL)
    f = w.funding
    f.register_fund("fund:old", FundTerms(-50.0, 60.0, 12.0))   # 10 months of term left
    f._cap[s.id]["fund:old"] = 0.2
    f._last_post[s.id] = 80.0
    s.seek_money(runway=50.0, revenue=revenue, now=w.now)
    offers = f.for_sale()
    assert offers == ([SaleOffer(s.id, 80.0, False, w.now)] if for_sale else [])


@pytest.mark.parametrize(("budget_runs", "kind"), [(0.5, ModelKind.SHELL),
                                                   (2.0, ModelKind.ORIGINAL)])
def test_an_original_that_cannot_afford_its_run_tunes_a_shell_instead(
        budget_runs: float, kind: ModelKind) -> None:
    """Seed 004: a company whose compute budget does not pay the rent of its pretraining
    run tunes a shell on the open frontier this generation instead."""
    model, s = _new_startup(ModelKind.ORIGINAL, "startups.buy_propensity=0")
    w, c = model.world, model.cfg.startups
    rent = c.training_gpu_months_original * w.compute.rental_price_mcny
    s.compute_budget = lambda: budget_runs * rent   # type: ignore[method-assign]
    s._start_training()
    assert s._training_kind == kind
    assert s.kind == ModelKind.ORIGINAL   # this generation only


def test_a_months_runway_counts_the_electricity_bill_it_paid(monkeypatch) -> None:
    """A month's act works its runway out on the electricity bill :meth:`Startup.pay_costs`
    paid (GPUs bought in the act arrive later): the same, bit for bit, as a runway worked
    out afresh when the company bids, for companies with a fleet too."""
    months = {"all": 0, "with_fleet": 0}
    bid = Startup.bid_for_contracts

    def checked_bid(self: Startup, runway: float) -> None:
        assert runway == self.runway_months()
        months["all"] += 1
        months["with_fleet"] += self.world.compute.fleet_electricity_mcny(self.id) > 0
        bid(self, runway)

    monkeypatch.setattr(Startup, "bid_for_contracts", checked_bid)
    MarketModel(small_config("startups.buy_propensity=1.0")).run()
    assert months["all"] > 1000 and months["with_fleet"] > 10


# ---------------------------------------------------------------- tender choice
def test_without_taste_the_best_bid_wins_and_nothing_is_drawn() -> None:
    from sim.agents.buyers import choose

    rng = np.random.default_rng(1)
    u = np.array([[0.2, 0.5, 0.5], [-0.1, -0.3, -0.2]])
    k, top = choose(u, 0.0, rng)
    assert k.tolist() == [1, 0] and top.tolist() == [0.5, -0.1]
    assert rng.random() == np.random.default_rng(1).random()   # the stream is untouched


def test_a_tender_taste_spreads_close_bids_and_never_picks_one_not_worth_having() -> None:
    """Logit among the bids worth having: close rivals share the tenders, a clearly
    better bid wins nearly all, and a bid of negative utility never wins."""
    from sim.agents.buyers import choose

    rng = np.random.default_rng(7)
    n = 20_000
    close = np.tile([0.50, 0.52, -0.01], (n, 1))
    k, top = choose(close, 0.15, rng)
    share_second = float((k == 1).mean())
    # Logit share of the better of two bids 0.02 apart at scale 0.15: 1/(1+exp(-0.02/0.15)).
    assert abs(share_second - 1 / (1 + np.exp(-0.02 / 0.15))) < 0.02
    assert not (k == 2).any() and (top == 0.52).all()
    clear = np.tile([0.1, 1.1], (n, 1))
    k, _ = choose(clear, 0.15, rng)
    assert (k == 1).mean() > 0.99
    _, top = choose(np.array([[-0.2, -0.1]]), 0.15, rng)
    assert top[0] < 0   # nothing worth having: the tender is not awarded


def test_a_committee_picks_each_bid_worth_having_with_its_logit_probability() -> None:
    """One draw per tender against the cumulative logit weights: each bid worth having
    wins with exp(u / taste) over the sum of those weights, wherever it sits in the row;
    a bid not worth having (between them, first or last) never wins."""
    from sim.agents.buyers import choose

    rng = np.random.default_rng(3)
    n, taste = 40_000, 0.1
    u = np.tile([-0.3, 0.5, -0.1, 0.45, 0.6, 0.0], (n, 1))
    k, top = choose(u, taste, rng)
    worth = u[0] > 0
    p = np.where(worth, np.exp(u[0] / taste), 0.0)
    p /= p.sum()
    share = np.bincount(k, minlength=u.shape[1]) / n
    assert not share[~worth].any() and (top == 0.6).all()
    assert np.abs(share - p).max() < 5 * np.sqrt(p.max() * (1 - p.max()) / n)


_APP_MODEL: list[MarketModel] = []


def _app_model() -> MarketModel:
    """One small model for the application-company checks (built once)."""
    if not _APP_MODEL:
        _APP_MODEL.append(MarketModel(small_config()))
    return _APP_MODEL[0]


def _pivoted_startup(model: MarketModel, number: int, home: int, host: str,
                     shares: HostShares) -> Startup:
    w, cfg = model.world, model.cfg
    s = Startup(w, cfg.startups, cfg.data, number, w.streams.get("startup", number), shares)
    s.home_domain = home
    s.kind = ModelKind.APPLICATION
    s.host = host
    return s


def _post_host_offer(model: MarketModel, host: str, capability: tuple[float, ...]) -> None:
    model.world.enterprise.post_offer(Offer(host, "giant", capability, capability, 1.0, True, 0))


def _bits(values: tuple[float, ...]) -> list[str]:
    return [v.hex() for v in values]


@given(st.lists(st.floats(-5, 150, allow_nan=False), min_size=7, max_size=7),
       st.integers(0, 6), st.floats(0, 1, allow_nan=False))
@settings(deadline=None)   # the first example builds the small model
def test_an_application_offer_is_its_share_of_the_host_plus_own_data_at_home(
        host_capability, home, own_data) -> None:
    """Shares of the host's offer kept for all companies on a host give, bit for bit, what
    each company would work out alone: share of the host in every domain, own data at home."""
    model = _app_model()
    w, c = model.world, model.cfg
    host = model.giants[0].id
    _post_host_offer(model, host, tuple(host_capability))
    shared = HostShares(w.capability, c.startups.app_layer_capability_share)
    firm = _pivoted_startup(model, 900, home, host, shared)
    other = _pivoted_startup(model, 901, (home + 1) % 7, host, shared)
    w.data.set_domain_quality(firm.id, home, own_data)
    for s in (other, firm):   # the other company fills the shared record first
        share = c.startups.app_layer_capability_share
        own = w.capability.vertical_data_bonus * w.data.domain_quality(s.id, s.home_domain)
        alone = tuple([share * x + (own if d == s.home_domain else 0.0)
                       for d, x in enumerate(host_capability)])
        domcap, hallucination = s.offered_capabilities()
        assert _bits(domcap) == _bits(alone) == _bits(s.domain_capabilities())
        assert _bits(hallucination) == _bits(cap.hallucination_rates(w.capability, alone))


def test_application_offers_follow_the_hosts_new_offer() -> None:
    """The kept shares of a host are redone as soon as the host offers something else."""
    model = _app_model()
    host = model.giants[0].id
    shared = HostShares(model.world.capability, model.cfg.startups.app_layer_capability_share)
    firm = _pivoted_startup(model, 902, 3, host, shared)
    _post_host_offer(model, host, (60.0,) * 7)
    before = firm.offered_capabilities()
    _post_host_offer(model, host, (60.0,) * 6 + (70.0,))
    after = firm.offered_capabilities()
    assert after[0][6] > before[0][6] and after[1][6] < before[1][6]
    assert after[0][:6] == before[0][:6]


class _AlwaysZero:
    """A draw that always falls under the buying propensity."""

    def random(self) -> float:
        return 0.0


def _original_buys(budget_gpus: float) -> float:
    """GPUs an unpressed original orders for its run when its budget pays for
    ``budget_gpus`` of them at the market price."""
    model, s = _new_startup(ModelKind.ORIGINAL)
    w = model.world
    s.pressure = lambda: 0.0                                   # type: ignore[method-assign]
    s.compute_budget = lambda: budget_gpus * w.compute.price_mcny  # type: ignore[method-assign]
    s._rng = _AlwaysZero()                                     # type: ignore[assignment]
    s._start_training()
    return w.compute.in_transit(s.id)


def test_an_original_buys_the_gpus_its_budget_pays_for_and_rents_the_rest() -> None:
    """Claim 1: a budget short of the whole training fleet still buys part of it (not
    all or none), but not less than one server."""
    cfg = small_config()
    per_month = cfg.startups.training_gpu_months_original / cfg.startups.training_months
    assert math.isclose(_original_buys(100.0), 100.0)
    assert math.isclose(_original_buys(10 * per_month), per_month)
    assert _original_buys(cfg.compute.gpus_per_server - 1) == 0.0


def test_an_original_that_bought_gpus_rents_only_the_rest_of_its_run() -> None:
    """It rented the whole run as well, while the GPUs it bought, as many months in coming
    as the run lasts, arrived after the run ended: the run's compute paid twice."""
    model, s = _new_startup(ModelKind.ORIGINAL)
    w = model.world
    s.pressure = lambda: 0.0                                   # type: ignore[method-assign]
    s.compute_budget = lambda: 100 * w.compute.price_mcny        # type: ignore[method-assign]
    s._rng = _AlwaysZero()                                     # type: ignore[assignment]
    s._dev_left = 0
    per_month = model.cfg.startups.training_gpu_months_original / \
        model.cfg.startups.training_months
    assert s._advance_training()[0] == pytest.approx(per_month - 100.0)
    assert w.compute.in_transit(s.id) == pytest.approx(100.0)
    assert s._advance_training()[0] == pytest.approx(per_month - 100.0)   # until they arrive


def test_a_run_short_of_its_gpu_months_only_by_float_rounding_is_done() -> None:
    """Months of GPU-months added up can fall an ulp short of the run's need (1.4e-14
    GPU-months at seed 42): the run is done, not rented a whole month more (until
    2026-12-07, seven company-months of rent at seed 42)."""
    model, s = _new_startup(ModelKind.ORIGINAL)
    w = model.world
    s.found()
    s._dev_left = 0
    s._training_kind, s._training_need, s._training_months = ModelKind.ORIGINAL, 1500.0, 6
    s._training_done = float(np.nextafter(1250.0, 0.0))   # five months, rounded down
    w.compute._rented = {s.id: 250.0}                      # the sixth month's rent
    assert 0 < 1500.0 - (s._training_done + 250.0) < 1e-12
    assert s._advance_training() == (0.0, 0.0)
    assert s._reviewing
    s._training_kind, s._reviewing, s._training_done = ModelKind.ORIGINAL, False, 1249.0
    assert s._advance_training()[0] == pytest.approx(250.0)   # a GPU-month short: not done
    assert not s._reviewing


def test_a_rationed_rental_serves_a_startups_customers_before_its_training_run() -> None:
    """The clouds fill every request in the same proportion, and a renter's cash caps what
    it gets; of what a startup rented, its customers are served first and its training run
    is credited the rest: nothing, when the rental did not cover the serving (MODEL.md 7.3;
    a share of each would be 100 * 250 / 290 GPU-months of the 100 rented below)."""
    model, s = _new_startup(ModelKind.ORIGINAL)
    w = model.world
    s.found()
    s._dev_left = 0
    s._training_kind, s._training_need, s._training_months = ModelKind.ORIGINAL, 1500.0, 6
    s._serving_request = 40.0   # last month's request: 250 GPU-months training + 40 serving
    assert w.compute.owned(s.id) == 0
    for rented, credit in ((290.0, 250.0), (140.0, 100.0), (30.0, 0.0)):
        s._training_done = 0.0
        w.compute._rented = {s.id: rented}
        assert s._advance_training() == (pytest.approx(250.0), 0.0)   # asks the run's rate
        assert s._training_done == pytest.approx(credit)


def test_a_startups_own_gpus_serve_its_model_before_it_rents_more() -> None:
    """It rented every GPU it served on, while the GPUs it owned idled between runs."""
    model, s = _new_startup(ModelKind.ORIGINAL)
    w = model.world
    s._dev_left = 5   # developing: its own GPUs are not training
    w.compute.grant_initial_fleet(s.id, 50.0, 0.0)
    for serving, rented in ((30.0, 0.0), (80.0, 30.0)):
        w.compute.serving_gpus = lambda *_, need=serving: need   # type: ignore[method-assign]
        w.compute._rental_requests = []
        s.develop(w.now)
        assert s._serving_request == pytest.approx(rented)
        assert sum(r.gpu_months for r in w.compute._rental_requests) == pytest.approx(rented)


def _acquiring_giant() -> tuple[World, Giant, tuple[float, ...]]:
    """A small model whose first giant, of capability 40 (as if it had released a model),
    buys whatever startup for sale is worth it to it, with all its budget: the model's
    world, the giant and the giant's capabilities by domain."""
    model = MarketModel(small_config("giants.acquisition_appetite=1",
                                     "giants.acquisition_budget_share=1"))
    giant = model.giants[0]
    giant.capability = 40.0
    return model.world, giant, giant.domain_capabilities()


def test_a_giant_buys_the_startup_for_sale_whose_model_leads_its_own_most() -> None:
    """Of the startups for sale that fit its budget and lead its own model in their domain,
    a giant buys the one that leads by most (the cheaper of two equals), not the first by
    name: it took the first of the list, sorted as text ("startup:10" before "startup:2")."""
    from sim.markets.funding import Outcome
    from sim.messages import SaleOffer

    w, giant, own = _acquiring_giant()
    domain = 1
    for name, lead, ask in [("startup:10", 5.0, 10.0), ("startup:2", 20.0, 30.0),
                            ("startup:3", 20.0, 40.0), ("startup:4", 50.0, 1e9),
                            ("startup:5", -1.0, 1.0)]:
        w.funding.register_startup(name)
        capability = tuple(c + (lead if d == domain else 0.0) for d, c in enumerate(own))
        w.enterprise.post_offer(Offer(name, "startup", capability, (0.0,) * len(own), 1.0, True,
                                      domain))
        w.funding.offer_for_sale(SaleOffer(name, ask, True, 0.0))
    giant.acquire_startups()
    assert [w.funding.outcome(f"startup:{k}") for k in (10, 2, 3, 4, 5)] == [
        Outcome.ACTIVE, Outcome.ACQUIRED, Outcome.ACTIVE, Outcome.ACTIVE, Outcome.ACTIVE]


def test_a_giant_values_an_application_company_by_what_it_adds_to_its_hosts_model() -> None:
    """An application company's product is its host giant's model plus its own domain data;
    a buyer gets the data, not the host's model. Until 2026-12-08 a giant bought apps that
    led its own model only because they ran on a rival's better one (found by an economic
    review: SenseTime bought nine apps at seed 42): now an app leads by the lesser of its
    lead over the buyer's model and over its host's."""
    from sim.markets.funding import Outcome
    from sim.messages import SaleOffer

    w, giant, own = _acquiring_giant()
    domain, rival = 1, "giant:Rival"
    host = tuple(c + (30.0 if d == domain else 0.0) for d, c in enumerate(own))
    w.enterprise.post_offer(Offer(rival, "giant", host, (0.0,) * len(own), 1.0, True, 0))
    for name, over_host, hosted in [("startup:7", -1.0, True), ("startup:8", 3.0, True),
                                    ("startup:9", -20.0, False)]:
        w.funding.register_startup(name)
        capability = tuple(c + (over_host if d == domain else 0.0) for d, c in enumerate(host))
        w.enterprise.post_offer(Offer(name, "startup", capability, (0.0,) * len(own), 1.0,
                                      not hosted, domain))
        if hosted:
            w.enterprise.host(name, rival)
        w.funding.offer_for_sale(SaleOffer(name, 1.0, True, 0.0))
    assert w.enterprise.model_of("startup:8") == rival
    assert w.enterprise.model_of("startup:9") == "startup:9"
    bought = []
    for _ in range(3):   # one purchase a look: startup:9 leads by 10, startup:8 by 3
        giant.acquire_startups()
        bought.append([k for k in (7, 8, 9)
                       if w.funding.outcome(f"startup:{k}") == Outcome.ACQUIRED])
    assert bought == [[9], [8, 9], [8, 9]]   # startup:7 leads its own host by nothing


def _giant_with_sales(sales: list[tuple[str, float, float, bool]], *overrides: str
                      ) -> tuple[World, str]:
    """A giant of capability 40 that looks at ``sales`` (name, lead of the startup's model
    over its own in domain 1, asking price, distressed) and buys what it will; return the
    world and the giant's id."""
    model = MarketModel(small_config("giants.acquisition_appetite=1",
                                     "giants.acquisition_budget_share=1", *overrides))
    w = model.world
    giant = model.giants[0]
    giant.capability = 40.0   # as if it had released a model
    own = giant.domain_capabilities()
    for name, lead, ask, distressed in sales:
        w.funding.register_startup(name)
        capability = tuple(c + (lead if d == 1 else 0.0) for d, c in enumerate(own))
        w.enterprise.post_offer(Offer(name, "startup", capability, (0.0,) * len(own), 1.0, True,
                                      1))
        w.funding.offer_for_sale(SaleOffer(name, ask, distressed, 0.0))
    giant.acquire_startups()
    return w, giant.id


@pytest.mark.parametrize(("gap", "lead", "bought"), [(0.0, -1.0, False), (0.0, 0.5, True),
                                                     (10.0, 5.0, False), (10.0, 15.0, True)])
def test_a_giant_buys_only_a_startup_whose_model_leads_its_own_by_the_gap(
        gap: float, lead: float, bought: bool) -> None:
    """A giant buys a startup for its model: one whose model trails the giant's own in
    its domain is not worth having however cheap (at the default gap of 0), and with
    ``acquisition_min_capability_gap`` 10 one leading by 5 is not either."""
    w, _ = _giant_with_sales([("startup:1", lead, 1.0, True)],
                             f"giants.acquisition_min_capability_gap={gap}")
    acquired = [r["actor"] for r in w.log.rows_since(0, EventKind.ACQUIRED)]
    assert acquired == (["startup:1"] if bought else [])


def test_a_giant_pays_the_strategic_premium_on_a_sale_not_made_in_distress() -> None:
    """A company sold because its investors are leaving costs the acquirer its asking price
    plus ``strategic_premium``; a distressed one only its asking price."""
    for distressed, paid in ((False, 150.0), (True, 100.0)):
        w, giant = _giant_with_sales([("startup:1", 10.0, 100.0, distressed)],
                                     "giants.strategic_premium=0.5")
        [sale] = w.log.rows_since(0, EventKind.ACQUIRED)
        assert (sale["counterparty"], sale["amount_mcny"]) == (giant, paid)
        assert sale["reason"] == ("distressed" if distressed else "strategic")


def test_a_tender_goes_only_to_a_bid_serving_its_domain_and_privacy_from_a_vendor_on_offer(
) -> None:
    """award_tenders reads the month's bids field by field: a bid counts only if its vendor
    has an offer, names the tender's domain (or all domains) and, for a private tender,
    deploys privately; the cheapest such bid wins when committees judge by utility alone."""
    model = MarketModel(small_config("buyers.tender_taste=0"))
    env = simpy.Environment()   # a clock of its own: no other agent acts
    w = dataclasses.replace(model.world, env=env, enterprise=EnterpriseMarket(env))
    buyers = BuyerPopulation(w, model.cfg.buyers)
    strong = (100.0,) * len(w.domains)
    for name in ("giant:all", "startup:home", "startup:public", "startup:cheap_elsewhere"):
        w.enterprise.post_offer(Offer(name, "startup", strong, (0.0,) * len(w.domains),
                                      1.0, True, 0))
    calls = np.array([0, 1, 2, 3])
    buyers.digitization[calls], buyers.tolerance[calls] = 1.0, 1.0
    buyers.resistance[calls], buyers.price_sensitivity[calls] = 0.0, 1.0
    w.enterprise.issue_tenders(calls, buyers.segment[calls], np.array([1, 1, 2, 2]),
                               buyers.budget[calls], 12.0, np.array([False, True, False, True]))
    env.run(until=1)
    for vendor, share, domains, private_ok in [
            ("giant:all", 0.9, None, True), ("startup:home", 0.5, (1,), True),
            ("startup:public", 0.3, (1, 2), False), ("startup:cheap_elsewhere", 0.1, (3,), True),
            ("startup:no_offer", 0.01, None, True)]:
        w.enterprise.bid(Bid(vendor, share, domains, private_ok))
    buyers.award_tenders(w.enterprise.offers())
    winners = [w.enterprise.vendor_name(v) for v in buyers.vendor[calls].tolist()]
    assert winners == ["startup:public", "startup:home", "startup:public", "giant:all"]


def test_a_fund_commits_until_its_dry_powder_is_gone(monkeypatch) -> None:
    """Each term sheet takes at most what :meth:`Fund.dry_powder` leaves: with more good
    requests than money, the fund's sheets add up to its free cash and none is left. It
    gives nothing to a request below its hurdle, and once its money is committed it reads
    no further request (each would get a ticket of nothing)."""
    model = MarketModel(small_config())
    w = model.world
    fund = Fund(w, model.cfg.funds, 99, 0.0, np.random.default_rng(5))
    fund.raise_from_lps()
    free = fund.dry_powder()
    # leads' tickets of a fifth of the free cash at most, and inside one position
    ticket = min(0.2 * free, 0.5 * model.cfg.funds.max_position_share * fund.size_mcny)
    for k in range(80):   # odd ones below the hurdle
        startup = f"startup:{k}"
        w.funding.register_startup(startup)
        target = ticket / w.funding.ticket_share(True)
        w.funding.request(RaiseRequest(startup, target, 3 * target,
                                       fund.hurdle + (-1 if k % 2 else 1), 0, 0.0))
    read: list[str] = []
    committed = w.funding.committed
    w.funding.open_book()   # the month's book (built reading every request) before the fund
    monkeypatch.setattr(w.funding, "committed", lambda s: read.append(s) or committed(s))
    fund.invest()
    sheets = w.funding._term_sheets
    tickets = [sheet.amount_mcny for sheet in sheets]
    assert all(int(sheet.startup.split(":")[1]) % 2 == 0 for sheet in sheets)
    assert len(tickets) == math.ceil(free / ticket) < 40
    assert set(tickets[:-1]) == {ticket} and 0 < tickets[-1] <= ticket
    assert math.isclose(sum(tickets), free, rel_tol=1e-12)
    assert abs(fund.dry_powder()) < 1e-9 * free
    assert read == [sheet.startup for sheet in sheets]   # none read below the hurdle or after


def _deal_flow(fund: Fund, world: World, requests: int) -> list[str]:
    """``requests`` raise requests that clear ``fund``'s hurdle, each a ticket far below its
    dry powder and position limit, in the month's book; their startups."""
    startups = [f"startup:{k}" for k in range(requests)]
    target = 0.01 * fund.dry_powder()
    for startup in startups:
        world.funding.register_startup(startup)
        world.funding.request(RaiseRequest(startup, target, 3 * target, fund.hurdle + 10, 0,
                                           0.0))
    world.funding.open_book()
    return startups


def _fund_facing_deals(limit: str, requests: int) -> tuple[MarketModel, Fund, list[str]]:
    """A fund of a small run with ``funds.max_new_deals_per_month=limit`` that has answered
    ``requests`` good requests (:func:`_deal_flow`) in one month; the requests' startups."""
    model = MarketModel(small_config(f"funds.max_new_deals_per_month={limit}"))
    fund = Fund(model.world, model.cfg.funds, 99, 0.0, np.random.default_rng(5))
    fund.raise_from_lps()
    startups = _deal_flow(fund, model.world, requests)
    fund.invest()
    return model, fund, startups


def test_a_fund_commits_no_more_term_sheets_a_month_than_its_partners_can_work() -> None:
    """Partner bandwidth (``funds.max_new_deals_per_month``): with money for all six good
    requests, a fund limited to 2 deals a month commits exactly 2 term sheets and leaves
    the other four untouched, with no lead, for the funds after it in the month's order
    (one without a limit leads them all). Without the limit the first fund led nearly
    every round of the month; with null it still takes all six."""
    model, fund, startups = _fund_facing_deals("2", 6)
    w = model.world
    mine = {sheet.startup for sheet in w.funding._term_sheets}
    assert len(w.funding._term_sheets) == len(mine) == 2
    left = [s for s in startups if s not in mine]
    assert all(w.funding.committed(s) == 0 and not w.funding.has_lead(s) for s in left)
    unlimited = dataclasses.replace(model.cfg.funds, max_new_deals_per_month=None,
                                    hurdle_sd=0.0, hurdle_mean=fund.hurdle)
    other = Fund(w, unlimited, 100, 0.0, np.random.default_rng(6))
    other.raise_from_lps()
    other.invest()
    led = {sheet.startup for sheet in w.funding._term_sheets
           if sheet.fund == other.id and sheet.lead}
    assert led == set(left)

    model, _, startups = _fund_facing_deals("null", 6)
    sheets = model.world.funding._term_sheets
    assert sorted(sheet.startup for sheet in sheets) == startups
    assert all(sheet.lead for sheet in sheets)


def test_with_one_deal_a_month_each_fund_leads_at_most_one_round_a_month(
        small_tables: Tables) -> None:
    """End to end: in the default small run one fund leads most of a busy month's rounds
    (in seed 42's baseline all 36 of month 3); a fund limited to one term sheet a month
    leads at most one round, so every month's rounds have as many leads as rounds, and the
    busiest month is led by many funds."""
    def rounds_and_leads(events: pd.DataFrame) -> pd.DataFrame:
        closed = events[events["kind"] == "round_closed"]
        return closed.groupby(np.floor(closed["month"]).astype(int))["counterparty"].agg(
            ["size", "nunique"])

    unlimited = rounds_and_leads(small_tables.events)
    busiest = unlimited.loc[unlimited["size"].idxmax()]
    assert busiest["nunique"] < busiest["size"]
    limited = rounds_and_leads(simulate(small_config("funds.max_new_deals_per_month=1")).events)
    assert (limited["nunique"] == limited["size"]).all()
    assert limited["size"].max() > 1


def test_a_fund_whose_dry_powder_is_rounding_dust_offers_no_term_sheet() -> None:
    """Cash less what is reserved and the fee reserve can leave 1e-14 million CNY, which
    adding to what is reserved does not change: such a fund led round after round with
    term sheets of 1e-14 (in a hot market, 23 of them in the seed-7 baseline), and its
    dust stakes were later sold in secondaries for 1e-14. Below one CNY, the ledger's
    unit, a fund has nothing to offer."""
    model = MarketModel(small_config())
    w = model.world
    fund = Fund(w, model.cfg.funds, 99, 0.0, np.random.default_rng(5))
    fund.raise_from_lps()
    free = fund.dry_powder()
    reserved = free
    while fund.spending_power() - reserved - fund.fee_reserve() <= 0:
        reserved = float(np.nextafter(reserved, 0.0))   # the largest reserve leaving some
    fund._reserved = reserved
    assert 0 < fund.dry_powder() < 1e-12
    w.funding.register_startup("startup:0")
    w.funding.request(RaiseRequest("startup:0", 30.0, 90.0, fund.hurdle + 1, 0, 0.0))
    w.funding.open_book()
    fund.invest()
    assert w.funding._term_sheets == [] and not w.funding.has_lead("startup:0")


def test_a_funds_gross_multiple_counts_stakes_bought_and_sold_not_fees_or_idle_cash(
        monkeypatch) -> None:
    """Invested is what the fund paid for stakes (rounds and secondaries bought), exit
    proceeds what it got for stakes sold (secondaries, acquisitions, IPOs); its fees, its
    LPs' money and its distributions are neither, and a fund that invested nothing has
    no gross multiple."""
    model = MarketModel(small_config())
    w = model.world
    fund = Fund(w, model.cfg.funds, 99, 0.0, np.random.default_rng(5))
    fund.raise_from_lps()
    ledger = w.ledger
    for payee, amount, reason in [("startup:a", 50.0, "investment"), ("fund:7", 5.0,
                                  "secondary_sale"), ("ext:gp_fees", 3.0, "management_fee"),
                                  ("ext:lps", 8.0, "distribution")]:
        ledger.transfer(1.0, fund.id, payee, amount, reason)
    ledger.transfer(2.0, "giant:x", fund.id, 12.5, "acquisition")
    ledger.transfer(2.0, "ext:public_market", fund.id, 2.5, "ipo_exit")
    monkeypatch.setattr(fund, "stakes_value", lambda: 20.0)
    fund.in_kind_mcny = 10.0   # stakes passed to the LPs at a close
    p = fund.portfolio(ledger.flows_by_reason({fund.id})[fund.id])
    assert (p.invested_mcny, p.exit_proceeds_mcny, p.in_kind_mcny, p.stakes_mcny) == (
        55.0, 15.0, 10.0, 20.0)
    assert math.isclose(p.gross_multiple, 45.0 / 55.0)
    assert math.isclose(p.invested_share, 55.0 / fund.size_mcny)
    idle = fund.portfolio(None)
    assert idle.invested_mcny == 0.0 and math.isnan(idle.gross_multiple)


def test_a_fund_that_finds_no_deal_calls_only_its_fees_and_returns_nothing() -> None:
    """LPs commit at the vintage and pay in as the fund calls: a fund that invests nothing
    calls its monthly fees and nothing more, so its TVPI is 0, not its idle money coming
    back less fees; its spending power (what it may commit) is still the whole commitment
    less fees, and the close releases what was never called."""
    model = MarketModel(small_config("funds.management_fee_per_year=0.024"))
    w = model.world
    fund = Fund(w, model.cfg.funds, 99, 0.0, np.random.default_rng(5))
    fund.raise_from_lps()
    assert fund.cash == 0.0 and fund.spending_power() == pytest.approx(fund.size_mcny)
    fee = fund.size_mcny * 0.002
    for month in range(3):
        w.env.run(until=month + 0.5)
        assert fund.month()
    r = fund.returns()
    assert r.paid_in_mcny == pytest.approx(3 * fee, abs=2e-6)
    assert r.distributed_mcny == 0.0 and r.tvpi == 0.0
    assert fund.spending_power() == pytest.approx(fund.size_mcny - 3 * fee, abs=2e-6)
    fund.close()
    assert fund.commitment.uncalled_mcny == 0.0 and fund.returns().tvpi == 0.0


def _fund_leading_one_round(*overrides: str) -> tuple[World, Fund]:
    """A fund with nothing paid in that leads startup:x's first round (100 million CNY at
    300 pre-money) at month 0, in a small world whose clock has not started."""
    model = MarketModel(small_config(*overrides))
    w = model.world
    fund = Fund(w, model.cfg.funds, 99, 0.0, np.random.default_rng(5))
    fund.raise_from_lps()
    w.funding.register_startup("startup:x")
    w.funding.request(RaiseRequest("startup:x", 100.0, 300.0, 1.0, 0, 0.0))
    w.funding.commit(TermSheet(fund.id, "startup:x", 100.0, True))
    w.env.process(w.funding.clear())
    return w, fund


@pytest.mark.parametrize("steps_down", [True, False])
def test_after_its_investment_period_a_funds_fee_is_on_what_it_still_holds(
        steps_down: bool) -> None:
    """In the investment period the fee is on the commitment; after it, on the cost of
    the stakes the fund still holds (net invested capital), and the reserve for the rest
    of the term with it. With ``fee_steps_down=false``, on the commitment throughout."""
    w, fund = _fund_leading_one_round("funds.management_fee_per_year=0.12",
                                      f"funds.fee_steps_down={str(steps_down).lower()}",
                                      "funds.investment_period_years=0.25")
    w.env.run(until=0.5)
    assert fund.fee_base() == fund.size_mcny   # month 0.5: still investing
    w.env.run(until=3.5)                        # past the 3-month investment period
    base = 100.0 if steps_down else fund.size_mcny
    assert fund.fee_base() == base
    months_left = math.ceil(fund.end_month - 3.5) - 1   # after this month's fee
    assert math.isclose(fund.fee_reserve(), base * 0.01 * months_left)
    paid = w.ledger.flows_by_reason({fund.id})[fund.id]
    before = paid.paid("management_fee")
    fund.charge_fee()
    after = w.ledger.flows_by_reason({fund.id})[fund.id].paid("management_fee")
    assert after - before == pytest.approx(base * 0.01, abs=1e-6)


def test_after_its_investment_period_a_fund_passes_what_it_will_not_need_to_its_lps() -> None:
    """A fund that no longer invests keeps back its fee reserve and passes the rest of its
    spending power back: the cash it got for a stake as a distribution first, then by
    releasing capital it had not called. In the investment period it keeps it all."""
    w, fund = _fund_leading_one_round("funds.investment_period_years=0.25",
                                      "funds.management_fee_per_year=0.02")
    w.env.run(until=1.5)
    w.ledger.transfer(w.now, "giant:x", fund.id, 300.0, "acquisition")   # a stake sold
    fund.month()
    assert fund.cash == pytest.approx(300.0 - fund.fee_base() * 0.02 / 12, abs=1e-6)
    w.env.run(until=3.5)                       # past its 3-month investment period
    assert not fund.investing()
    fund.month()
    assert fund.spending_power() == pytest.approx(fund.fee_reserve(), abs=1e-6)
    month, cash = fund._distributions[-1]
    assert month == 3.5 and cash > 0
    assert w.ledger.flows_by_reason({fund.id})[fund.id].paid("distribution") == \
        pytest.approx(cash)


@pytest.mark.parametrize("vintage", [0.0, 0.35])
def test_a_fund_that_never_invests_keeps_back_exactly_the_fees_it_will_pay(
        vintage: float) -> None:
    """After paying a month's fee, the reserve counts the months the fund will still pay
    for, not this one again: a fund that invests nothing passes all but its fees to the
    term's end back to its LPs, and has nothing left after its last fee (until 2026-12-07
    it kept one month's fee too many, and released it only at the close). A vintage
    between months gives a term that does not end on the month's phase."""
    model = MarketModel(small_config("funds.term_years=2", "funds.term_spread_years=0",
                                     "funds.management_fee_per_year=0.12",
                                     "funds.fee_steps_down=false"))
    w = model.world
    fund = Fund(w, model.cfg.funds, 99, vintage, np.random.default_rng(5))
    fund.raise_from_lps()
    fee = fund.size_mcny * 0.01
    left: list[float] = []   # spending power after each month's fee and distribution
    month = vintage
    while True:
        if month > w.now:
            w.env.run(until=month)
        if not fund.month():
            break
        left.append(fund.spending_power())
        month += 1
    assert len(left) == 24   # a fee a month for the two years
    paid = w.ledger.flows_by_reason({fund.id})[fund.id]
    assert paid.paid("management_fee") == pytest.approx(24 * fee, abs=1e-4)   # whole CNY
    # kept back once it stopped investing: the fees still to come, no more
    assert left[-2] == pytest.approx(fee, abs=1e-4)
    assert left[-1] == pytest.approx(0.0, abs=1e-4)


def test_a_closing_fund_counts_the_stakes_it_passes_on_in_kind_as_a_distribution() -> None:
    """Its LPs receive the unsold stakes at an exiting holder's price: TVPI and DPI count
    them with the cash, and the close's event says how much went in kind. The LPs paid
    in only what the fund called for its one ticket; the rest of their commitment is
    released at the close."""
    from sim.events import EventKind

    w, fund = _fund_leading_one_round("funds.secondary_discount=0.3")
    w.env.run(until=1)
    assert fund.cash == 0.0 and fund.commitment.calls == [(0.0, 100.0)]
    fund.close()
    r = fund.returns()
    in_kind = 0.7 * 0.25 * 400.0   # a quarter of a company last valued at 400
    assert math.isclose(fund.in_kind_mcny, in_kind)
    assert r.paid_in_mcny == 100.0 and math.isclose(r.distributed_mcny, in_kind)
    assert math.isclose(r.tvpi, in_kind / 100.0) and r.nav_mcny == 0.0
    assert fund.commitment.uncalled_mcny == 0.0 and fund.spending_power() == 0.0
    closed = w.log.rows_since(0, EventKind.FUND_CLOSED)
    assert closed[-1]["reason"] == f"in kind to LPs: {in_kind:.1f} (cost 100.0)"


@pytest.mark.parametrize("cut", [0.0, 0.4])
def test_a_company_whose_round_failed_asks_less_and_draws_funds_with_the_discount(
        cut: float) -> None:
    """Claim 6's bust: after a failed round a company asks its value cut by
    ``funding.ask_cut_per_failed_round`` and its deal scores higher by
    ``score_price_weight * ln(value / ask)``, so funds whose hurdle its prospects missed
    may take it: a down round. At 0 it asks its value at the plain score."""
    model, s = _new_startup(ModelKind.SHELL, f"funding.ask_cut_per_failed_round={cut}",
                            "funding.score_price_weight=2")
    s.found()
    w = model.world
    f = w.funding
    f._failed[s.id] = 1   # one round failed since the last close (FundingMarket.clear's count)
    s._seen_failures = 1
    s.seek_money(runway=5.0, revenue=0.0, now=w.now)
    req = f.open_book().requests[0]
    rank, stage = w.leaderboard.rank_percentile(s.id), f.stage(s.id)
    value = f.pre_money(w.hype.level, s.releases, rank, stage, 0.0, s.gpu_asset_share())
    score = f.score(w.hype.level, s.releases, rank, stage, 0.0)
    assert req.startup == s.id
    assert req.pre_money_mcny == pytest.approx(value * (1 - cut))
    assert req.score == pytest.approx(score + 2 * math.log(1 / (1 - cut)))
    if cut == 0:
        assert (req.pre_money_mcny, req.score) == (value, score)   # the baseline, exactly


def test_buyers_look_at_the_market_with_their_own_chance_and_always_when_a_contract_ended(
) -> None:
    """The month's lookers are thinned from candidates drawn at the highest chance: a free
    buyer looks with chance consider rate x its digitisation, one whose contract just ended
    always looks, and one with a vendor or an open tender never does."""
    buyers = MarketModel(small_config("buyers.count=4000")).buyers
    rate = buyers._consider_rate()
    buyers.vendor[:100] = 0
    buyers.pending[100:200] = True
    buyers.looking_again[200:300] = True
    free = np.arange(300, buyers.n)
    low = free[buyers.digitization[free] < np.median(buyers.digitization[free])]
    high = np.setdiff1d(free, low)
    looked = np.zeros(buyers.n)
    months = 300
    for _ in range(months):
        looked[buyers._lookers()] += 1
    assert looked[:200].sum() == 0 and (looked[200:300] == months).all()
    for group in (low, high):
        expected = months * rate * buyers.digitization[group].sum()
        assert looked[group].sum() == pytest.approx(expected, rel=5 / math.sqrt(expected))


def test_a_buyer_whose_contract_ended_looks_once_and_not_every_month_after() -> None:
    """"Always when a contract just ended": a buyer whose re-tender found no winner looks
    next month only with its own chance, as any free buyer. Until 2026-12-07 the flag (then
    `renewing`) was cleared only on signing or on the API path, so such a buyer tendered every
    month (one SME of the seed-42 baseline 67 months in a row)."""
    w, buyers = _tender_world("buyers.consideration_rate=0")   # no free buyer looks
    w.enterprise.post_offer(Offer("startup:a", "startup", (0.0,) * len(w.domains),
                                  (1.0,) * len(w.domains), 1.0, True, 0))
    ended = np.arange(20)
    buyers.private[ended] = True    # every one of them tenders
    buyers.looking_again[ended] = True
    buyers.consider_adoption(w.enterprise.offers())
    assert buyers.pending[ended].all() and not buyers.looking_again[ended].any()
    w.env.run(until=1)
    buyers.award_tenders(w.enterprise.offers())   # no bid: every tender fails
    assert not buyers.pending[ended].any() and (buyers.vendor[ended] < 0).all()
    assert buyers._lookers().size == 0


def test_a_contract_term_is_a_whole_number_of_months() -> None:
    """A contract pays price / term a month and ends at the first monthly check past its
    term: 12.5 months paid 13 instalments, 104% of the price. The term is refused unless
    whole."""
    from sim.config import schema_field

    found = schema_field("buyers.tender_term_months")
    assert found is not None and found[1] is int


def test_buyers_whose_digitisation_rises_during_a_run_look_with_their_new_chance() -> None:
    """The thinning's highest chance is read each month: a buyer raised above every
    buyer's digitisation at the start looks with its new chance, not the old highest."""
    buyers = MarketModel(small_config(
        "buyers.count=2000", "buyers.digitization=[0.1,0.1,0.1,0.1]",
        "buyers.attribute_sd=0.05")).buyers
    assert buyers.digitization.max() < 0.2
    raised = np.arange(1000)
    buyers.digitization[raised] = 0.9
    rate = buyers._consider_rate()
    looked = 0
    months = 300
    for _ in range(months):
        looked += np.isin(buyers._lookers(), raised).sum()
    expected = months * raised.size * rate * 0.9
    assert looked == pytest.approx(expected, rel=5 / math.sqrt(expected))


def test_funds_lead_rounds_only_before_the_month_they_stop_investing() -> None:
    """funds.parquet's investing_until_month is when Fund.investing turns false: no fund
    leads a round from then on, and the funds still investing at the end lead up to it."""
    model = MarketModel(small_config("horizon_months=48"))
    model.run()
    until = fund_table(model).set_index("fund")["investing_until_month"]
    events = model.world.log.table().to_pandas()
    led = events[events["kind"] == "round_closed"]
    assert not led.empty and (until < 48).any()
    assert (led["month"].to_numpy() < until[led["counterparty"]].to_numpy()).all()
    for fund in model.funds:   # investing() agrees with the table at the run's end
        assert fund.investing() == (model.world.now < fund.investing_until_month)


def test_a_fund_with_exactly_its_minimum_term_left_has_stopped_investing() -> None:
    """Fund.investing and funds.parquet's investing_until_month are one rule at the month
    itself too: a fund with exactly ``min_remaining_years`` of its term left still invested
    while the table said it had stopped (a four-year fund, 2.75 years' minimum: it stops 15
    months into its term, the minimum binding before the investment period's 18)."""
    model = MarketModel(small_config("funds.term_years=4", "funds.term_spread_years=0",
                                     "funds.min_remaining_years=2.75"))
    w = model.world
    assert w.now == 0.0
    for vintage, investing in ((-15.0, False), (-14.99, True)):
        fund = Fund(w, model.cfg.funds, 99, vintage, np.random.default_rng(5))
        assert fund.investing_until_month == pytest.approx(vintage + 15)
        assert fund.in_investment_period() and not fund.terms.exiting(0.1)
        assert fund.investing() is investing
        assert fund.investing() == (w.now < fund.investing_until_month)


def test_an_acquired_company_pays_for_its_last_month_of_projects_before_its_cash_passes(
) -> None:
    """A company pays the experts who delivered last month's projects in its next month;
    a giant buys at 0.1 into a month, before the company acts (0.2). Until 2026-12-07 that
    last month's delivery was paid by nobody and its money went to the buyer with the cash
    (here 3 of 34 acquisitions, 2.0 million CNY; seed-42 baseline 54 of 101, 75)."""
    model = MarketModel(small_config("horizon_months=48"))
    model.run()
    w = model.world
    share = model.cfg.startups.delivery_cost_share
    acquired = w.log.table().to_pandas().query("kind == 'acquired'")
    paid = {(t.payer, t.month): t.amount_cny for t in w.ledger.transfers
            if t.reason == "project_delivery"}
    owed = [(s, month, share * w.enterprise.delivery_load(s, int(month) - 1))
            for s, month in zip(acquired["actor"], acquired["month"], strict=True)]
    owed = [o for o in owed if o[2] > 0]
    assert len(owed) >= 2
    for startup, month, cost in owed:
        assert paid.get((startup, month), 0) == round(cost * 1_000_000), startup


def test_a_giant_offers_its_cloud_no_gpu_of_a_run_it_starts() -> None:
    """Just after the giants act (0.1 into each month) no giant has offered for rent GPUs
    that train or serve: until 2026-12-07 the run's process set its GPUs aside only after
    the giant had offered them, so in the month a run started it trained on GPUs the cloud
    rented out (seed 42: 96 giant-months in five years)."""
    model = MarketModel(small_config())
    w = model.world
    giants = {g.id: g for g in model.giants}
    started = 0
    for month in range(model.cfg.horizon_months):
        w.env.run(until=month + 0.11)
        offered = {o.cloud: o.gpu_months for o in w.compute._rental_offers}
        for name, giant in giants.items():
            started += giant._training_gpus > 0
            busy = giant._training_gpus + giant._serving_gpus
            assert offered.get(name, 0.0) + busy <= w.compute.owned(name) + 1e-6, (month, name)
    assert started > 10


def test_made_to_order_no_gpu_waits_in_the_stock_while_orders_wait() -> None:
    """Vendors ship what is ordered: an order past its lead time takes what the stock
    holds. Until 2026-12-07 each asked for at least the month's arrivals, so once an
    earlier order had taken some the next waited, with every order behind it, while GPUs
    lay in the stock (seed 42, month 4: 1,771 GPUs in stock, 24,197 overdue)."""
    model = MarketModel(small_config("seed=42"))
    w = model.world
    waited = 0
    for month in range(model.cfg.horizon_months):
        w.env.run(until=month + 0.45)   # after the month's deliveries, before the reprice
        if w.compute.backlog() > 1.0:
            waited += 1
            assert w.compute.stock.level < 1.0, (month, w.compute.stock.level)
    assert waited > 3


def test_a_startup_that_pivots_rents_nothing_for_the_run_it_gives_up() -> None:
    """A firm pivots before it asks for the month's rentals: until 2026-12-07 one that
    started a run and pivoted in the same act paid the run's month of rent (seed 42: 7
    firms, 4.2 million CNY)."""
    model = MarketModel(small_config("horizon_months=60", "buyers.count=5000"))
    model.run()
    w = model.world
    pivots = w.log.table().to_pandas().query("kind == 'pivot'")
    rent = {(t.payer, int(t.month)) for t in w.ledger.transfers if t.reason == "gpu_rental"}
    assert len(pivots) > 20
    assert not [(s, m) for s, m in zip(pivots["actor"], pivots["month"], strict=True)
                if (s, int(m)) in rent]


def test_a_startup_buys_only_the_gpus_its_run_lacks() -> None:
    """An original that buys for its run buys what it lacks of the run's monthly rate
    (what it owns and has on order counted): until 2026-12-07 it bought the whole rate
    again (322.5 GPUs owned for a run of 500 a month: 500 more)."""
    model, s = _new_startup(ModelKind.ORIGINAL, "startups.buy_propensity=1",
                            "funds.compute_payback_months=1")
    w = model.world
    w.compute.grant_initial_fleet(s.id, 100.0, 0.0)
    w.ledger.transfer(0.0, "ext:founders", s.id, 1e6, "founders_capital")
    s._dev_left = 0
    s._start_training()
    per_month = s._training_need / s._training_months
    assert s._training_kind == ModelKind.ORIGINAL and per_month > 100
    assert w.compute.in_transit(s.id) == pytest.approx(per_month - 100.0)


def test_no_fund_sells_in_a_round_the_stake_it_paid_into_it() -> None:
    """A fund decides to invest when it acts (0.3 into the month) and sells, if in its exit
    window, when the rounds close (0.4): until 2026-12-07 a fund whose window opened in
    between, or that invested inside its window (funds.min_remaining_years below
    funds.exit_window_years, as here), paid its ticket and sold the whole stake to the
    lead in the same close at the secondary discount: 273 of 390 secondary sales here."""
    model = MarketModel(small_config("funds.term_years=3", "funds.term_spread_years=0.5",
                                     "funds.min_remaining_years=1",
                                     "funds.exit_window_years=2", "horizon_months=36"))
    model.run()
    events = model.world.log.table().to_pandas()
    paid = events[events["kind"] == "investment"]
    sold = events[events["kind"] == "secondary_sale"]
    assert len(paid) > 100 and len(sold) > 10
    same = paid.merge(sold, left_on=["actor", "counterparty", "month"],
                      right_on=["actor", "reason", "month"])
    assert same.empty
    for fund in model.funds:   # the table's month agrees with the rule
        assert fund.investing_until_month <= fund.end_month - 24 - 0.1 + 1e-9


@needs_avx512
def test_buyers_budgets_are_the_same_with_numpys_avx512_paths_turned_off() -> None:
    """Their lognormal's mean was divided out with np.exp, whose AVX-512 path rounds
    otherwise: at attribute_sd 0.28 every buyer's budget changed with the CPU."""
    code = ("from sim.configuration import compose; from sim.model import MarketModel; "
            "print(MarketModel(compose(['buyers.count=200', 'buyers.attribute_sd=0.28']))"
            ".buyers.budget.tobytes().hex())")
    assert python_output(code, avx512=False) == python_output(code)


def _tender_world(*overrides: str):
    """A model's world on a clock of its own (no other agent acts), its buyers and an
    enterprise market of its own, as the tender tests use."""
    model = MarketModel(small_config("buyers.tender_taste=0", *overrides))
    env = simpy.Environment()
    w = dataclasses.replace(model.world, env=env, enterprise=EnterpriseMarket(env))
    return w, BuyerPopulation(w, model.cfg.buyers)


@pytest.mark.parametrize(("switching_cost", "winner"), [(5.0, "startup:incumbent"),
                                                        (0.0, "startup:rival")])
def test_a_tender_charges_the_switching_cost_on_every_bid_but_the_previous_vendors(
        switching_cost: float, winner: str) -> None:
    """Who lands first keeps the client (seeds 000, 001): a rival's slightly cheaper bid
    beats the buyer's previous vendor only when switching costs nothing; a buyer with no
    previous vendor takes the cheaper bid either way."""
    w, buyers = _tender_world(f"buyers.switching_cost={switching_cost}")
    strong = (100.0,) * len(w.domains)
    for name in ("startup:incumbent", "startup:rival"):
        w.enterprise.post_offer(Offer(name, "startup", strong, (0.0,) * len(w.domains),
                                      1.0, True, 0))
    calls = np.array([0, 1])
    buyers.digitization[calls], buyers.tolerance[calls] = 1.0, 1.0
    buyers.resistance[calls], buyers.price_sensitivity[calls] = 0.0, 1.0
    buyers.previous[0] = w.enterprise.vendor_indices(["startup:incumbent"])[0]
    w.enterprise.issue_tenders(calls, buyers.segment[calls], np.array([1, 1]),
                               buyers.budget[calls], 12.0, np.array([False, False]))
    w.env.run(until=1)
    w.enterprise.bid(Bid("startup:incumbent", 0.32, None, True))
    w.enterprise.bid(Bid("startup:rival", 0.30, None, True))
    buyers.award_tenders(w.enterprise.offers())
    assert (buyers.vendor[calls] >= 0).all()   # both awarded (-1 would name the last vendor)
    winners = [w.enterprise.vendor_name(v) for v in buyers.vendor[calls].tolist()]
    assert winners == [winner, "startup:rival"]


def test_api_usage_grows_so_a_price_takes_a_growing_share_of_the_budget() -> None:
    """An API's price share of a buyer's budget grows with usage (usage_growth_per_year,
    compounded): the same list price costs a buyer (1 + g)^2 as much of its budget two
    years on."""
    w, buyers = _tender_world("buyers.usage_growth_per_year=0.5")
    w.enterprise.post_offer(Offer("startup:a", "startup", (50.0,) * len(w.domains),
                                  (0.0,) * len(w.domains), 12.0, True, 0))
    offers = w.enterprise.offers()
    start = buyers._offer_table(offers).share.copy()
    w.env.run(until=24)
    assert buyers.usage_growth() == pytest.approx(1.5 ** 2)
    assert buyers._offer_table(offers).share == pytest.approx(start * 1.5 ** 2)


def test_a_vendor_learns_domain_data_from_the_months_projects_it_delivered_the_month_before(
) -> None:
    """learn_from_contracts(month) reads the contract-months of month - 1 (those delivered
    and paid), not the month under way."""
    from types import SimpleNamespace

    from sim.agents.vendor import Vendor

    w, _ = _tender_world()
    w.env.run(until=3)
    w.enterprise.record_contract_months("giant:x", 2, 10.0)
    vendor = SimpleNamespace(world=w, id="giant:x")
    Vendor.learn_from_contracts(vendor, 3)          # month 2: nothing delivered
    assert w.data.domain_quality("giant:x", 2) == 0.0
    Vendor.learn_from_contracts(vendor, 4)          # month 3's ten contract-months
    assert w.data.domain_quality("giant:x", 2) == pytest.approx(
        min(1.0, w.data._cfg.contract_learning * 10.0))


def _subscribers(*overrides: str):
    """Two buyers subscribed to an incumbent's API, a rival's slightly cheaper API on offer
    beside it, every subscriber reviewing this month (consideration rate 1)."""
    w, buyers = _tender_world("buyers.consideration_rate=1", *overrides)
    strong = (100.0,) * len(w.domains)
    for name, price in (("startup:incumbent", 12.0), ("startup:rival", 11.0)):
        w.enterprise.post_offer(Offer(name, "startup", strong, (0.0,) * len(w.domains),
                                      price, True, 0))
    subs = np.array([0, 1])
    buyers.digitization[subs], buyers.tolerance[subs] = 1.0, 1.0
    buyers.resistance[subs], buyers.price_sensitivity[subs] = 0.0, 1.0
    buyers._set_subscriptions(subs, w.enterprise.vendor_indices(["startup:incumbent"] * 2))
    return w, buyers, subs


@pytest.mark.parametrize(("switching_cost", "vendor"), [(5.0, "startup:incumbent"),
                                                        (0.0, "startup:rival")])
def test_a_subscriber_switches_only_to_a_rival_better_by_more_than_the_switching_cost(
        switching_cost: float, vendor: str) -> None:
    w, buyers, subs = _subscribers("buyers.churn_base=0",
                                   f"buyers.switching_cost={switching_cost}")
    buyers.review_subscriptions(w.enterprise.offers())
    assert [w.enterprise.vendor_name(v) for v in buyers.vendor[subs].tolist()] == [vendor] * 2


@pytest.mark.parametrize(("churn", "left"), [(1.0, 2), (0.0, 0)])
def test_subscribers_churn_at_the_base_rate(churn: float, left: int) -> None:
    w, buyers, subs = _subscribers(f"buyers.churn_base={churn}", "buyers.switching_cost=5")
    buyers.review_subscriptions(w.enterprise.offers())
    ended = [r for r in w.log.rows() if r["kind"] == EventKind.CONTRACT_ENDED]
    assert [r["reason"] for r in ended] == ["churn"] * left
    assert (buyers.vendor[subs] < 0).sum() == left


def test_a_contract_pays_its_price_in_equal_instalments_over_its_term() -> None:
    """A project won in a tender is paid price / term a month (the price: the bid's share of
    the tender's value), so its instalments over the term add up to the price."""
    w, buyers = _tender_world()
    w.enterprise.post_offer(Offer("startup:a", "startup", (100.0,) * len(w.domains),
                                  (0.0,) * len(w.domains), 1.0, True, 0))
    call = np.array([0])
    buyers.digitization[call], buyers.tolerance[call] = 1.0, 1.0
    buyers.resistance[call], buyers.price_sensitivity[call] = 0.0, 1.0
    term, share = 12.0, 0.3
    value = float(buyers.budget[0]) * term   # a year of its budget: worth having at 0.3
    w.enterprise.issue_tenders(call, buyers.segment[call], np.array([1]), np.array([value]),
                               term, np.array([False]))
    w.env.run(until=1)
    w.enterprise.bid(Bid("startup:a", share, None, True))
    buyers.award_tenders(w.enterprise.offers())
    assert buyers.vendor[0] >= 0 and w.enterprise.vendor_name(int(buyers.vendor[0])) == "startup:a"
    assert buyers.payment[0] * term == pytest.approx(share * value)
    assert buyers.contract_end[0] == w.env.now + term


@pytest.mark.parametrize(("heir", "vendor", "ended"), [("giant:x", "giant:x", []),
                                                      (None, None, ["vendor_exit"] * 2)])
def test_clients_of_an_acquired_vendor_follow_it_to_the_acquirer(
        heir: str | None, vendor: str | None, ended: list[str]) -> None:
    """A takeover hands the target's clients to the acquirer, on the same terms; a
    bankrupt vendor's clients are left without one."""
    w, buyers, subs = _subscribers()
    w.enterprise.post_offer(Offer("giant:x", "giant", (50.0,) * len(w.domains),
                                  (0.0,) * len(w.domains), 20.0, True, 0))
    w.enterprise.leave("startup:incumbent", successor=heir)
    buyers.follow_vendor_exits()
    names = [w.enterprise.vendor_name(v) if v >= 0 else None
             for v in buyers.vendor[subs].tolist()]
    assert names == [vendor] * 2
    assert [r["reason"] for r in w.log.rows()
            if r["kind"] == EventKind.CONTRACT_ENDED] == ended



def test_a_bankrupt_vendors_clients_look_at_the_market_again_at_once() -> None:
    """A buyer whose vendor went bankrupt tenders again that month, as one whose project's
    term is over does, even where no free buyer looks by chance (consideration rate 0).
    Until 2026-12-07 it waited for a chance look: two-thirds of the seed-42 baseline's 226
    such clients never came back."""
    w, buyers = _tender_world("buyers.consideration_rate=0")
    for name in ("startup:a", "giant:x"):
        w.enterprise.post_offer(Offer(name, name.split(":")[0], (50.0,) * len(w.domains),
                                      (0.0,) * len(w.domains), 1.0, True, 0))
    clients, bystanders = np.array([0, 1]), np.array([2, 3])
    buyers.private[:4] = True       # each of them tenders when it looks
    vendor = w.enterprise.vendor_indices(["startup:a"] * 2)
    buyers._set_contracts(clients, vendor, np.full(2, 1.0), np.full(2, 12.0), np.full(2, 2.0))
    w.enterprise.leave("startup:a", successor=None)
    buyers.follow_vendor_exits()
    buyers.consider_adoption(w.enterprise.offers())
    assert buyers.pending[clients].all() and not buyers.pending[bystanders].any()
    tendered = sorted(r["actor"] for r in w.log.rows() if r["kind"] == EventKind.TENDER)
    assert tendered == ["buyer:0", "buyer:1"]

# ------------------------------------------------------------------ settings named 2026-12-07
def test_buyers_home_domains_follow_their_own_shares_not_where_startups_enter() -> None:
    """Demand by domain is ``buyers.domain_shares``: until 2026-12-07 the buyers took
    ``startups.domain_weights``, so a sweep of where startups enter moved the demand too."""
    buyers = MarketModel(small_config(
        "buyers.count=4000", "buyers.domain_shares=[0,0,0,0,0,0,1]",
        "startups.domain_weights=[1,0,0,0,0,0,0]")).buyers
    assert (buyers.domain == 6).all()


def test_budgets_spread_by_budget_sigma_alone() -> None:
    """The spread of budgets is ``buyers.budget_sigma`` (it was four times
    ``attribute_sd``, so a sweep of the attributes' spread moved the budgets' too). Their
    mean stays the segment's."""
    def budgets(*overrides: str) -> np.ndarray:
        return MarketModel(small_config("buyers.count=20000", "buyers.segment_shares=[0,0,0,1]",
                                        *overrides)).buyers.budget

    narrow = budgets("buyers.budget_sigma=0.1", "buyers.attribute_sd=0.9")
    wide = budgets("buyers.budget_sigma=1.0", "buyers.attribute_sd=0.0")
    assert np.log(narrow).std() == pytest.approx(0.1, rel=0.05)
    assert np.log(wide).std() == pytest.approx(1.0, rel=0.05)
    assert narrow.mean() == pytest.approx(0.05, rel=0.02)   # the SME segment's mean
    assert wide.mean() == pytest.approx(0.05, rel=0.1)


@pytest.mark.parametrize(("runway_months", "for_sale"), [(3.0, True), (5.0, False)])
def test_a_company_offers_itself_in_distress_below_the_distress_runway(
        runway_months: float, for_sale: bool) -> None:
    """After a failed round a company with less runway than ``distress_runway_months``
    offers itself at the distressed price; with more it goes on."""
    w, s = _founded(ModelKind.SHELL, "startups.distress_runway_months=4")
    w.funding._failed[s.id] = 1
    s._seen_failures = 1   # its payroll already cut for it: the runway given stands
    s.seek_money(runway=runway_months, revenue=0.0, now=w.now)
    assert [o.distressed for o in w.funding.for_sale()] == ([True] if for_sale else [])


def test_releases_lift_a_story_up_to_the_cap() -> None:
    """``funding.release_story_cap`` releases lift a company's story; more lift it no more."""
    f = MarketModel(small_config("funding.release_story_cap=3",
                                 "funding.release_story_bonus=0.5")).world.funding
    lift = [f.story_factor(n, 0.0, 0) for n in range(6)]
    assert lift[:4] == pytest.approx([1.0, 1.5, 2.0, 2.5])
    assert lift[3] == lift[4] == lift[5]


@pytest.mark.parametrize("floor", [0.001, 0.05])
def test_a_giant_that_sold_no_tokens_prices_at_its_share_floor(floor: float) -> None:
    """A giant with no API sales last month prices as if it had ``pricing_share_floor`` of
    the market: cost-plus × (floor / share_target)^elasticity."""
    model = MarketModel(small_config(f"giants.pricing_share_floor={floor}",
                                     "giants.rival_price_weight=0",
                                     "giants.price_adjust_speed=1"))
    w, giant = model.world, model.giants[0]
    w.enterprise.total_tokens = lambda month: 1.0   # type: ignore[method-assign]
    w.enterprise.tokens = lambda vendor, month: 0.0   # type: ignore[method-assign]
    giant.set_price()
    c = model.cfg.giants
    cost = w.compute.serving_cost_cny_per_mtok(cap.efficiency(w.capability, w.now))
    assert giant.api_price == pytest.approx(
        cost * (1 + c.target_markup) * (floor / c.share_target) ** c.share_price_elasticity)


@pytest.mark.parametrize("share", [0.0, 0.25])
def test_giants_first_generations_start_within_their_window(share: float) -> None:
    """Each giant's first generation starts at a uniform month within
    ``first_generation_window_share`` of the interval: at 0 all start at month 0."""
    giants = MarketModel(small_config(f"giants.first_generation_window_share={share}",
                                      "giants.generation_interval_months=12")).giants
    starts = [g._next_generation for g in giants]
    assert max(starts) <= 12 * share
    assert (max(starts) > 0) is (share > 0)


# ---------------------------------------- mechanisms a mutation test found untested (2026-12-07)


def _giant_pricing(*overrides: str, share: float | None = None):
    """A small model's first giant about to set its API price, its tokens last month
    ``share`` of all served (None: ``share_target``, so share moves nothing); the model,
    the giant and its cost-plus price at that share."""
    model = MarketModel(small_config(*overrides))
    w, giant, c = model.world, model.giants[0], model.cfg.giants
    share = c.share_target if share is None else share
    w.enterprise.total_tokens = lambda month: 1000.0   # type: ignore[method-assign]
    w.enterprise.tokens = lambda vendor, month: 1000.0 * share   # type: ignore[method-assign]
    cost = w.compute.serving_cost_cny_per_mtok(cap.efficiency(w.capability, w.now))
    own = cost * (1 + c.target_markup) * (share / c.share_target) ** c.share_price_elasticity
    return model, giant, own


@pytest.mark.parametrize("ratio", [0.5, 2.0])
def test_a_giant_below_its_share_target_prices_below_cost_plus_and_above_it_above(
        ratio: float) -> None:
    """MODEL.md 7.4, API price: own = cost-plus × (share / share_target)^share_price_elasticity,
    so a giant with half its target share prices lower (to win share) and one with twice it
    higher. A mutation test found nothing but golden caught the elasticity's sign flipped."""
    c = small_config().giants
    assert c.share_price_elasticity > 0
    model, giant, own = _giant_pricing("giants.rival_price_weight=0",
                                       "giants.price_adjust_speed=1",
                                       share=ratio * c.share_target)
    w = model.world
    cost_plus = w.compute.serving_cost_cny_per_mtok(cap.efficiency(w.capability, w.now)) * (
        1 + c.target_markup)
    giant.set_price()
    assert giant.api_price == pytest.approx(own)
    assert giant.api_price == pytest.approx(cost_plus * ratio ** c.share_price_elasticity)
    assert (giant.api_price < cost_plus) == (ratio < 1)


def test_a_giant_moves_its_price_toward_its_rivals_mean_by_the_rival_price_weight() -> None:
    """MODEL.md 7.4, API price: desired = (1 - rival_price_weight) × own + rival_price_weight
    × mean(the other giants' prices), and the price moves ``price_adjust_speed`` of the way
    there; the giant's own offer is not a rival. A mutation test found the rivals' prices
    ignored (desired = own) caught only incidentally, by a budget test."""
    model, giant, own = _giant_pricing()
    w, c = model.world, model.cfg.giants
    assert w.enterprise.offers_by("giant") == [] and 0 < c.rival_price_weight < 1
    n = len(w.domains)
    for vendor, price in ((giant.id, 1e6), ("giant:rival_a", 10 * own),
                          ("giant:rival_b", 30 * own)):
        w.enterprise.post_offer(Offer(vendor, "giant", (50.0,) * n, (0.1,) * n, price, True, 0))
    old = giant.api_price
    giant.set_price()
    desired = (1 - c.rival_price_weight) * own + c.rival_price_weight * 20 * own
    assert giant.api_price == pytest.approx(old + c.price_adjust_speed * (desired - old))
    assert giant.api_price > old   # rivals ten to thirty times dearer pull it up


def test_a_giant_orders_gpus_only_when_its_cash_pays_for_the_order() -> None:
    """MODEL.md 7.4: order = (target - owned - in transit) / fleet_adjust_months "if positive
    and affordable"; what a giant chooses to spend stays within its own cash. A guard that
    never binds at the defaults (giants are rich), so the mutation test found its removal
    caught by nothing: here a giant's cash is drained below the order's cost."""
    model = MarketModel(small_config())
    w = model.world
    giant = next(g for g in model.giants if g.name == "Tencent")
    giant.earn_core_profit()
    compute, ledger = w.compute, w.ledger
    assert compute.in_transit(giant.id) == 0
    ledger.transfer(w.now, giant.id, "ext:x", giant.cash, "test_drain")
    giant.buy_compute()
    assert giant._fleet_shortfall > 0   # it wants GPUs
    assert compute.in_transit(giant.id) == 0   # but cannot pay for them
    order = giant._fleet_shortfall / model.cfg.giants.fleet_adjust_months
    cost = order * compute.price_mcny
    ledger.transfer(w.now, "ext:x", giant.id, 0.99 * cost, "test_refill")
    giant.buy_compute()
    assert compute.in_transit(giant.id) == 0
    assert not [t for t in ledger.transfers if t.reason == "gpu_purchase"]
    ledger.transfer(w.now, "ext:x", giant.id, 0.02 * cost, "test_refill")   # 1.01 x the cost
    giant.buy_compute()
    assert compute.in_transit(giant.id) == pytest.approx(order)


def test_an_acquired_startups_domain_data_passes_to_the_giant() -> None:
    """MODEL.md 7.4, acquisition: the target's GPUs, clients and domain data pass to the
    giant: its data in the domain of the model sold, where it beats the giant's own (the
    better of the two). A mutation test found the data left behind caught only by golden."""
    model = MarketModel(small_config("giants.acquisition_appetite=1",
                                     "giants.acquisition_budget_share=1"))
    w = model.world
    giant = model.giants[0]
    giant.capability = 40.0
    own = giant.domain_capabilities()
    data = w.data
    data.set_domain_quality(giant.id, 1, 0.3)
    data.set_domain_quality(giant.id, 2, 0.6)
    for name in ("startup:1", "startup:2"):
        w.funding.register_startup(name)
        data.register(name, 0.5)
        data.set_domain_quality(name, 1, 0.8 if name == "startup:1" else 0.1)
        data.set_domain_quality(name, 2, 0.9)   # not the domain of its model: stays behind
    lead = tuple(x + (10.0 if d == 1 else 0.0) for d, x in enumerate(own))
    w.enterprise.post_offer(Offer("startup:1", "startup", lead, (0.0,) * len(own), 1.0, True, 1))
    w.funding.offer_for_sale(SaleOffer("startup:1", 1.0, True, 0.0))
    giant.acquire_startups()
    assert [r["actor"] for r in w.log.rows_since(0, EventKind.ACQUIRED)] == ["startup:1"]
    assert data.domain_quality(giant.id, 1) == 0.8
    assert data.domain_quality(giant.id, 2) == 0.6
    assert data.quality("startup:1") == 0.0   # it left the data pool
    assert data.quality("startup:2") == 0.5


@pytest.mark.parametrize(("distressed", "bought"), [(False, False), (True, True)])
def test_a_giant_buys_only_if_the_price_with_its_premium_fits_the_budget(
        distressed: bool, bought: bool) -> None:
    """MODEL.md 7.4, acquisition: the price, asking × (1 + strategic_premium) unless
    distressed, must be within acquisition_budget_share of cash: an asking price of 0.8 of
    the budget costs 1.2 of it with a premium of 0.5 (more than the budget, less than the
    cash), so only the distressed sale is bought. A mutation test found the premium left out
    of the check caught only by golden."""
    cash = small_config().giants.initial_cash_mcny[0]
    ask = 0.8 * 0.5 * cash
    w, giant = _giant_with_sales([("startup:1", 10.0, ask, distressed)],
                                 "giants.strategic_premium=0.5",
                                 "giants.acquisition_budget_share=0.5")
    sales = w.log.rows_since(0, EventKind.ACQUIRED)
    assert [(s["counterparty"], s["amount_mcny"]) for s in sales] == (
        [(giant, pytest.approx(ask))] if bought else [])


def test_an_application_company_pays_its_host_the_platform_fee_on_last_months_revenue(
) -> None:
    """MODEL.md 7.5, pivot: an application company pays ``app_layer_fee_share`` of last
    month's revenue to its host. A mutation test found the fee never paid caught only by
    golden."""
    model = MarketModel(small_config("startups.app_layer_fee_share=0.25"))
    w = model.world
    host = model.giants[0].id
    s = Startup(w, model.cfg.startups, model.cfg.data, 0, w.streams.get("startup", 0))
    s.found()
    s.kind, s.host = ModelKind.APPLICATION, host
    w.enterprise.record_payment(s.id, Channel.API, 10.0)   # month 0's revenue
    before = w.ledger.balance(host)
    s.pay_costs(1.0)
    assert w.ledger.balance(host) - before == pytest.approx(0.25 * 10.0)
    fees = [t for t in w.ledger.transfers if t.reason == "platform_fee"]
    assert [(t.payer, t.payee, t.amount_cny) for t in fees] == [(s.id, host, 2_500_000)]


@pytest.mark.parametrize("fewer", [0, 1])
def test_a_company_goes_up_for_sale_in_distress_at_max_failed_rounds_not_before(
        fewer: int) -> None:
    """MODEL.md 7.5: with ``max_failed_rounds`` failures a company offers itself at the
    distressed price, pre-money × (1 - distressed_discount), whatever its runway; with one
    fewer and a long runway it goes on. A mutation test found the off-by-one (one more
    failure needed) caught by nothing."""
    w, s = _founded(ModelKind.SHELL)
    f, c = w.funding, s._cfg
    failures = c.max_failed_rounds - fewer
    assert failures >= 1
    f._failed[s.id] = failures
    s._seen_failures = failures   # its payroll already cut for them: the runway given stands
    s.seek_money(runway=50.0, revenue=0.0, now=w.now)
    value = f.pre_money(w.hype.level, s.releases, w.leaderboard.rank_percentile(s.id),
                        f.stage(s.id), 0.0, s.gpu_asset_share())
    discount = small_config().funding.distressed_discount
    assert 0 < discount < 1
    assert f.for_sale() == ([] if fewer else
                            [SaleOffer(s.id, value * (1 - discount), True, w.now)])


@pytest.mark.parametrize(("home", "domains"), [(0, None), (3, (3,))])
def test_a_vertical_startup_bids_only_in_its_home_domain(home: int, domains) -> None:
    """MODEL.md 7.5: a startup bids on tenders in its home domain, every domain if it is
    general (home domain 0). A mutation test found verticals bidding everywhere caught by
    nothing."""
    w, s = _founded(ModelKind.SHELL)
    s.home_domain, s.capability = home, 30.0
    calls: list[tuple] = []
    s.bid = lambda price_share, domains, private_ok: calls.append(domains)  # type: ignore[method-assign]
    s.bid_for_contracts(100.0)
    assert calls == [domains]


@pytest.mark.parametrize("kind", [ModelKind.ORIGINAL, ModelKind.SHELL])
def test_an_originals_round_target_adds_its_pretraining_run_at_the_rent(kind: ModelKind) -> None:
    """MODEL.md 7.5: target = burn × round_runway_months, plus an original's
    training_gpu_months_original × rent. A mutation test found the compute plan left out
    caught only by golden."""
    w, s = _founded(kind)
    f, c = w.funding, s._cfg
    s.seek_money(runway=0.5, revenue=0.0, now=w.now)
    [req] = f.open_book().requests
    burn = s.monthly_burn() * f._cfg.round_runway_months
    plan = c.training_gpu_months_original * w.compute.rental_price_mcny
    assert plan > 0
    assert req.target_mcny == pytest.approx(burn + (plan if kind == ModelKind.ORIGINAL else 0.0))


def test_a_startup_pivots_only_once_it_has_released_a_model() -> None:
    """MODEL.md 7.5, pivot: "once it has released a model", when the best giant leads it in
    its home domain by more than pivot_gap_points. A mutation test found a pivot before the
    first release caught only incidentally."""
    w, s = _founded(ModelKind.SHELL)
    giant = "giant:Baidu"
    far_ahead = (s._cfg.pivot_gap_points + 50.0,) * len(w.domains)
    w.enterprise.post_offer(Offer(giant, "giant", far_ahead, (0.0,) * len(w.domains), 1.0,
                                  True, 0))
    w.leaderboard.post(giant, far_ahead[0], general=True, month=0.0)
    assert s.releases == 0 and s.general_gap() > s._cfg.pivot_gap_points
    s.maybe_pivot()
    assert not s.pivoted and s.host is None
    s.releases, s.capability = 1, 10.0
    s.maybe_pivot()
    assert s.pivoted and s.host == giant


@pytest.mark.parametrize(("max_position_share", "ticket"), [(0.3, 0.3), (0.2, None)])
def test_a_funds_ticket_is_capped_by_its_position_limit_less_what_it_holds(
        max_position_share: float, ticket: float | None) -> None:
    """MODEL.md 7.6: a ticket is capped by max_position_share of the fund's size less what
    it has already put into the company; a fund already holding that much commits nothing.
    A guard that never binds in the default run, so a mutation test found it ignored caught
    by nothing: here a fund that led a company's first round with 100 answers its next."""
    w, fund = _fund_leading_one_round(f"funds.max_position_share={max_position_share}")
    w.env.run(until=1)
    f = w.funding
    assert f.cost_basis(fund.id, "startup:x") == 100.0
    assert 0.2 * fund.size_mcny < 100.0 < 0.3 * fund.size_mcny   # the seeded fund's size
    f.request(RaiseRequest("startup:x", 1000.0, 3000.0, fund.hurdle + 1, 1, w.now))
    f.open_book()
    fund.invest()
    sheets = [(sheet.startup, sheet.amount_mcny) for sheet in f._term_sheets
              if sheet.fund == fund.id]
    assert sheets == ([] if ticket is None else
                      [("startup:x", pytest.approx(ticket * fund.size_mcny - 100.0))])


@pytest.mark.parametrize(("capability", "hallucination", "left"), [(0.0, 1.0, True),
                                                                   (100.0, 0.0, False)])
def test_a_subscriber_whose_api_is_worth_less_than_nothing_leaves_it(
        capability: float, hallucination: float, left: bool) -> None:
    """MODEL.md 7.7: a reviewing subscriber with no rival worth switching to leaves if its
    current vendor's utility is negative (reason ``unsatisfied``). At the defaults no vendor
    sinks that low, so a mutation test found the rule removed caught by nothing: here the
    only API on offer has no capability and hallucinates every answer."""
    w, buyers = _tender_world("buyers.consideration_rate=1", "buyers.churn_base=0")
    n = len(w.domains)
    w.enterprise.post_offer(Offer("startup:api", "startup", (capability,) * n,
                                  (hallucination,) * n, 12.0, True, 0))
    subs = np.array([0, 1])
    buyers.digitization[subs], buyers.tolerance[subs] = 1.0, 0.0
    buyers.resistance[subs], buyers.price_sensitivity[subs] = 0.0, 1.0
    buyers._set_subscriptions(subs, w.enterprise.vendor_indices(["startup:api"] * 2))
    buyers.review_subscriptions(w.enterprise.offers())
    ended = [(r["counterparty"], r["reason"]) for r in w.log.rows()
             if r["kind"] == EventKind.CONTRACT_ENDED]
    assert ended == ([("startup:api", "unsatisfied")] * 2 if left else [])
    assert ((buyers.vendor[subs] < 0) == left).all()


def test_a_vendor_pays_the_delivery_of_last_months_projects_not_this_months() -> None:
    """MODEL.md 7.4 and 7.5: a vendor pays delivery_cost_share of the projects it delivered
    last month (:meth:`Vendor.pay_delivery` at month m reads month m - 1). A mutation test
    found this month's read instead caught only by golden."""
    from types import SimpleNamespace

    from sim.agents.vendor import Vendor

    w, _ = _tender_world()
    w.env.run(until=2)
    w.enterprise.record_delivery_load("startup:a", 12.0)   # month 2
    w.env.run(until=3)
    w.enterprise.record_delivery_load("startup:a", 5.0)    # month 3, under way
    vendor = SimpleNamespace(world=w, id="startup:a")
    assert Vendor.pay_delivery(vendor, 0.7, 3.0) == pytest.approx(0.7 * 12.0)
    paid = [t for t in w.ledger.transfers if t.reason == "project_delivery"]
    assert [(t.payer, t.amount_cny) for t in paid] == [("startup:a", 8_400_000)]


@pytest.mark.parametrize("hype", [1.0, 2.5])
def test_new_fund_vintages_come_faster_in_hype(hype: float) -> None:
    """MODEL.md 7.6: funds raise new vintages at ``vintage_rate_per_month`` ×
    H^``vintage_hype_elasticity``. A mutation test (2026-12-07) dropped the hype and only
    tests of other things failed."""
    model = MarketModel(small_config("funds.vintage_rate_per_month=0.4",
                                     "funds.vintage_hype_elasticity=1.5", f"hype.initial={hype}"))
    assert model.vintages.rate() == pytest.approx(0.4 * hype**1.5)


def test_a_buyer_whose_contract_ends_looks_at_the_market_that_month() -> None:
    """MODEL.md 7.7: a buyer whose contract just ended looks at the market for sure (to
    tender again), whatever its chance. A mutation test (2026-12-07) left the flag unset and
    only a test of something else failed: here no buyer would look by chance."""
    w, buyers = _tender_world("buyers.consideration_rate=0")
    n = len(w.domains)
    w.enterprise.post_offer(Offer("startup:a", "startup", (50.0,) * n, (0.1,) * n, 1.0, True, 0))
    ending = np.arange(5)
    buyers._set_contracts(ending, w.enterprise.vendor_indices(["startup:a"] * 5),
                          np.full(5, 1.0), np.full(5, 1), np.full(5, 1.0))
    assert buyers._lookers().size == 0
    w.env.run(until=1.5)   # past the one-month term
    buyers.end_contracts()
    assert (buyers.vendor[ending] < 0).all() and buyers.looking_again[ending].all()
    assert set(buyers._lookers()) == set(ending)


def test_a_tender_is_worth_project_budget_months_of_the_buyers_budget() -> None:
    """MODEL.md 7.7: a tender's value is the buyer's monthly budget × project_budget_months.
    A mutation test (2026-12-07) made it one month's budget and only tests of other things
    failed."""
    w, buyers = _tender_world("buyers.consideration_rate=0", "buyers.project_budget_months=9")
    n = len(w.domains)
    w.enterprise.post_offer(Offer("startup:a", "startup", (50.0,) * n, (0.1,) * n, 1.0, True, 0))
    calling = np.arange(4)
    buyers.private[calling] = True      # each of them tenders
    buyers.looking_again[calling] = True     # and looks this month
    buyers.consider_adoption(w.enterprise.offers())
    tenders = [r for r in w.log.rows() if r["kind"] == EventKind.TENDER]
    assert [r["actor"] for r in tenders] == [f"buyer:{i}" for i in calling]
    assert [r["amount_mcny"] for r in tenders] == pytest.approx(list(9 * buyers.budget[calling]))


# ---------------------------------------- mechanisms a mutation audit found untested (2026-12-07),
# second audit

def _first_order(served_mtok: float) -> tuple[MarketModel, float]:
    """Tencent's first GPU order (A100-eq in transit) when the tokens run on its model
    last month were ``served_mtok`` million; the model too."""
    model = MarketModel(small_config())
    w = model.world
    giant = next(g for g in model.giants if g.name == "Tencent")
    w.enterprise.served_tokens = lambda vendor, month: served_mtok   # type: ignore[method-assign]
    giant.earn_core_profit()
    giant.buy_compute()
    assert giant._fleet_shortfall > 0   # short of its target: the gap is positive
    return model, w.compute.in_transit(giant.id)


def test_a_giant_serving_more_tokens_orders_the_serving_gpus_for_them() -> None:
    """MODEL.md 7.4: the fleet target adds serving_gpus(tokens run on the giant's model
    last month), so a giant serving tokens for half the fleet it owns orders that many
    GPUs more, spread over fleet_adjust_months as the rest of its gap. A mutation audit
    found the serving load left out of the target caught by no test."""
    idle, unloaded = _first_order(0.0)
    w = idle.world
    giant = next(g for g in idle.giants if g.name == "Tencent")
    efficiency = cap.efficiency(w.capability, w.now)
    serving = 0.5 * w.compute.owned(giant.id)
    tokens = serving / w.compute.serving_gpus(1.0, efficiency)   # million tokens for them
    _, loaded = _first_order(tokens)
    assert loaded - unloaded == pytest.approx(serving / idle.cfg.giants.fleet_adjust_months)
    assert loaded > unloaded


def _acquisition_of_a_startup_with_gpus(gpus: float) -> tuple[World, str]:
    """A giant of capability 40 buys startup:1 (for sale in distress at 1 million CNY, its
    model 10 points ahead of the giant's in domain 1), which owns ``gpus`` A100-eq and is on
    the leaderboard; return the world and the giant's id."""
    w, giant, own = _acquiring_giant()
    w.funding.register_startup("startup:1")
    w.data.register("startup:1", 0.5)
    w.compute.grant_initial_fleet("startup:1", gpus, 0.0)
    lead = tuple(x + (10.0 if d == 1 else 0.0) for d, x in enumerate(own))
    w.enterprise.post_offer(Offer("startup:1", "startup", lead, (0.0,) * len(own), 1.0, True, 1))
    w.leaderboard.post("startup:1", max(lead), general=False, month=0.0)
    w.funding.offer_for_sale(SaleOffer("startup:1", 1.0, True, 0.0))
    giant.acquire_startups()
    assert [r["actor"] for r in w.log.rows_since(0, EventKind.ACQUIRED)] == ["startup:1"]
    return w, giant.id


def test_an_acquired_startups_gpus_pass_to_the_giant() -> None:
    """MODEL.md 7.4, acquisition: the target's GPUs pass to the giant: it owns the startup's
    fleet on top of its own, and the startup owns none. A mutation audit found the fleet
    left behind caught by no test."""
    before = small_config().giants.initial_gpus[0]   # the giant's fleet at month 0
    w, giant = _acquisition_of_a_startup_with_gpus(500.0)
    assert w.compute.owned(giant) == pytest.approx(before + 500.0)
    assert w.compute.owned("startup:1") == 0.0


def test_an_acquired_startup_leaves_the_leaderboard() -> None:
    """MODEL.md 7.4, acquisition: the company sold no longer ranks its own model; left on
    the leaderboard it kept a rank and could stay the best firm a startup pivots onto. A
    mutation audit found the withdrawal removed caught by no test."""
    w, _ = _acquisition_of_a_startup_with_gpus(0.0)
    assert "startup:1" not in w.leaderboard._latest


def test_a_bankrupt_startups_clients_leave_with_no_successor() -> None:
    """MODEL.md 7.5: a bankrupt company leaves the enterprise market with nobody taking its
    clients over (they tender again), and its offer is off the market. A mutation audit
    found the exit removed caught by no test."""
    w, s = _founded(ModelKind.SHELL)
    n = len(w.domains)
    w.enterprise.post_offer(Offer(s.id, "startup", (30.0,) * n, (0.1,) * n, 1.0, True, 0))
    s.go_bankrupt()
    assert w.enterprise.is_gone(s.id) and w.enterprise.successor(s.id) is None
    assert w.enterprise.offer(s.id) is None
    assert s.id in w.enterprise.departures()


def test_a_giants_core_profit_grows_by_core_growth_per_year() -> None:
    """Seed 000 / MODEL.md 7.4: core profit = base × (1 + core_growth_per_year)^(months/12)
    × (1 + internal lift); a year in, it is base × (1 + growth) × (1 + lift). The other
    core-profit tests look at month 0 only, where growth is 1, so a mutation audit found
    the growth dropped caught by no test."""
    model = MarketModel(small_config())
    giant, c = model.giants[0], model.cfg.giants
    assert c.core_growth_per_year != 0
    giant.world = dataclasses.replace(model.world, env=simpy.Environment(initial_time=12))
    giant.capability = 50.0
    giant.earn_core_profit()
    base = c.core_profit_mcny_per_month[0]
    assert giant.core_profit == pytest.approx(
        base * (1 + c.core_growth_per_year) * (1 + giant.internal_lift()))
    assert giant.internal_lift() > 0


@pytest.mark.parametrize(("pressure", "buys"), [(0.0, True), (1.0, False)])
def test_investor_pressure_takes_away_a_startups_chance_to_buy_gpus(
        pressure: float, buys: bool) -> None:
    """Claim 1 / seed 004: an original buys GPUs with probability buy_propensity × (1 -
    pressure). At buy_propensity 1 an unpressed startup always buys and one under full
    pressure never does, whatever its budget (here a hundred servers' worth). A mutation
    audit found the pressure dropped from the chance caught by no test."""
    model, s = _new_startup(ModelKind.ORIGINAL, "startups.buy_propensity=1")
    w = model.world
    s.pressure = lambda now=None: pressure                     # type: ignore[method-assign]
    budget = 100 * w.compute.server_gpus * w.compute.price_mcny
    s.compute_budget = lambda: budget                          # type: ignore[method-assign]
    s._start_training()
    assert s._training_kind == ModelKind.ORIGINAL   # it can rent its run: no shell instead
    assert (w.compute.in_transit(s.id) > 0) == buys


def test_a_startup_starts_its_next_run_a_generation_interval_after_its_release(
        monkeypatch) -> None:
    """MODEL.md 7.5: after a release the next run waits generation_interval_months. A
    mutation audit found the wait dropped (the next run the month after) caught by no
    test. Here a shell releases in month 3 on a clock of its own, review instant."""
    model = MarketModel(small_config())
    env = simpy.Environment(initial_time=3)
    w = dataclasses.replace(model.world, env=env)

    def instant(rng, still_wanted=None):
        yield env.timeout(0)

    monkeypatch.setattr(w.regulator, "review", instant)
    s = Startup(w, model.cfg.startups, model.cfg.data, 0, w.streams.get("startup", 0))
    s.kind = ModelKind.SHELL
    s.found()
    s._dev_left, s._training_kind, s._reviewing = 0, ModelKind.SHELL, True
    env.run(until=env.process(s.release(ModelKind.SHELL, 100.0)))
    assert s.releases == 1 and env.now == 3
    interval = model.cfg.startups.generation_interval_months
    assert interval > 1
    for month in range(3, 3 + math.ceil(interval)):
        if month > env.now:
            env.run(until=month)
        assert s._advance_training() == (0.0, 0.0) and s._training_kind is None
    env.run(until=3 + interval)
    s._advance_training()
    assert s._training_kind == ModelKind.SHELL


def test_a_giant_bids_its_delivery_cost_marked_up_by_its_bid_markup() -> None:
    """MODEL.md 7.4: a giant bids cost-plus on every open tender, price share =
    delivery_cost_share × (1 + bid_markup), privately deployable, in every domain. A
    mutation audit found the markup dropped caught by no test."""
    model = MarketModel(small_config())
    w, giant, c = model.world, model.giants[0], model.cfg.giants
    assert c.bid_markup != 0
    giant.capability = 40.0   # as if it had released a model
    w.enterprise.has_open_tenders = lambda: True               # type: ignore[method-assign]
    giant.bid_for_contracts()
    _, bids = w.enterprise.collect_bids()
    assert bids == [Bid(giant.id, pytest.approx(c.delivery_cost_share * (1 + c.bid_markup)),
                        None, True)]


def test_a_giant_learns_domain_data_from_last_months_projects_in_its_month() -> None:
    """MODEL.md 7.8: projects teach their vendor domain data; a giant's month reads those it
    delivered the month before (learn_from_contracts). The rule was tested on a vendor
    alone, so a mutation audit found the giant never calling it caught by no test."""
    model = MarketModel(small_config())
    env = simpy.Environment()
    w = dataclasses.replace(model.world, env=env, enterprise=EnterpriseMarket(env))
    giant = model.giants[0]
    giant.world = w
    domain = 2
    before = w.data.domain_quality(giant.id, domain)
    w.enterprise.record_contract_months(giant.id, domain, 10.0)   # delivered in month 0
    env.run(until=1)
    giant.month()
    assert w.data.domain_quality(giant.id, domain) > before


def test_a_giants_serving_gpus_draw_less_power_by_the_serving_power_factor() -> None:
    """MODEL.md 7.3/7.4: a serving GPU draws serving_power_factor of a training GPU's power,
    so a giant whose whole fleet serves pays that share of the bill it pays with the whole
    fleet training. A mutation audit found the serving share left out of the bill caught by
    no test."""
    bills = {}
    for serving in (False, True):
        model = MarketModel(small_config())
        w, giant = model.world, model.giants[0]
        giant._serving_gpus = w.compute.owned(giant.id) if serving else 0.0
        giant.pay_running_costs()
        [bill] = [t.amount_cny for t in w.ledger.transfers
                  if t.reason == "electricity" and t.payer == giant.id]
        bills[serving] = bill
    factor = model.cfg.compute.serving_power_factor
    assert factor < 1
    assert bills[True] == pytest.approx(factor * bills[False], rel=1e-6)


def test_a_giants_run_trains_on_its_gpus_times_the_training_months() -> None:
    """MODEL.md 7.2/7.4: a giant's run trains ``gpus`` for training_months, so its compute
    is gpus × training_months GPU-months and its model trained_capability of that (where it
    beats the open base tuned). A mutation audit found the months dropped (a run of one
    month's compute) caught by no test."""
    model = MarketModel(small_config())
    w, giant, c = model.world, model.giants[0], model.cfg.giants
    assert c.training_months > 1
    gpus = giant.training_run_gpus()
    quality = w.data.quality(giant.id)
    trained = cap.trained_capability(w.capability, gpus * c.training_months, quality, w.now)
    shell = cap.shell_capability(w.capability, w.open_source.capability(w.now), quality)
    one_month = cap.trained_capability(w.capability, gpus, quality, w.now)
    assert trained > one_month > shell   # both runs beat the open base: the months count
    run = giant.train_generation(gpus)   # driven by hand: the timeout and review not waited
    next(run)
    next(run)
    with pytest.raises(StopIteration):
        next(run)
    assert giant.capability == pytest.approx(trained)


@pytest.mark.parametrize(("appetite", "bought"), [(0.0, []), (1.0, ["startup:1"])])
def test_a_giant_looks_at_startups_for_sale_with_its_acquisition_appetite(
        appetite: float, bought: list[str]) -> None:
    """MODEL.md 7.4: a giant looks at the startups for sale with probability
    acquisition_appetite a month: at 0 it never buys one worth having, at 1 it does. A
    mutation audit found the appetite ignored caught by no test."""
    w, _ = _giant_with_sales([("startup:1", 10.0, 1.0, True)],
                             f"giants.acquisition_appetite={appetite}")
    assert [r["actor"] for r in w.log.rows_since(0, EventKind.ACQUIRED)] == bought


def test_a_startup_lists_at_its_revenue_times_the_ipo_revenue_multiple() -> None:
    """Seed 004 / MODEL.md 7.5: a listing's pre-money is trailing annual revenue ×
    ipo_revenue_multiple. A mutation audit found the multiple dropped caught by no test.
    Hype above ipo_window_hype opens the window; revenue is twice the IPO bar."""
    w, s = _founded(ModelKind.SHELL, "hype.initial=2")
    c = s._cfg
    assert w.hype.level >= c.ipo_window_hype and c.ipo_revenue_multiple != 1
    revenue = 2 * c.ipo_revenue_mcny_per_year
    s.maybe_ipo(revenue)
    [ipo] = w.log.rows_since(0, EventKind.IPO)
    assert ipo["valuation_mcny"] == pytest.approx(revenue * c.ipo_revenue_multiple)


def test_an_api_is_worth_api_value_factor_of_a_custom_project() -> None:
    """MODEL.md 7.7: a standard API's value to a buyer is api_value_factor × a custom
    project's, at the same price and hallucination. With no hallucination, price or
    integration cost (fully digitised buyers) the utilities are in that ratio. A mutation
    audit found the factor dropped caught by no test."""
    model = MarketModel(small_config())
    buyers, factor = model.buyers, model.cfg.buyers.api_value_factor
    assert factor != 1
    i = np.array([0, 1])
    buyers.digitization[i], buyers.tolerance[i] = 1.0, 0.5
    buyers.resistance[i], buyers.price_sensitivity[i] = [0.0, 1.0], 1.0
    capability, none = np.full((2, 1), 60.0), np.zeros((2, 1))
    api = buyers.utility(i, capability, none, none, api=True)
    project = buyers.utility(i, capability, none, none, api=False)
    assert (project > 0).all()
    assert api == pytest.approx(factor * project)
