"""Unit tests of the markets: compute, funding and procurement, each on its own."""

from __future__ import annotations

import dataclasses
import functools
import math
import operator
from collections.abc import Callable

import pytest
import simpy
from hypothesis import given
from hypothesis import strategies as st

from sim.configuration import compose
from sim.events import ActorType, EventKind, EventLog
from sim.ledger import Ledger
from sim.markets.compute import ComputeMarket
from sim.markets.funding import LPS, MAX_PRESSURE, Commitment, FundingMarket, FundTerms, Outcome
from sim.markets.procurement import EnterpriseMarket
from sim.messages import (
    Channel,
    Offer,
    RaiseRequest,
    RentalOffer,
    RentalRequest,
    SaleOffer,
    TermSheet,
    by_field,
)
from sim.world import RunawayError


def _compute(**changes: float) -> tuple[simpy.Environment, ComputeMarket, Ledger, EventLog]:
    cfg = compose([f"compute.{k}={v}" for k, v in changes.items()]).compute
    env = simpy.Environment()
    ledger, log = Ledger(), EventLog()
    return env, ComputeMarket(env, cfg, ledger, log), ledger, log


def _supply_loop(env: simpy.Environment, market: ComputeMarket, months: int,
                 control_at: float | None = None, cut: float = 0.0):
    for month in range(months):
        if control_at is not None and month == control_at:
            market.export_control(cut)
        market.supply_month()
        yield env.timeout(0.5)
        market.reprice()
        yield env.timeout(0.5)


def test_electricity_of_a_dgx_day_matches_the_source() -> None:
    _, market, _, _ = _compute()
    # seed 004: 6.5 kW per 8-GPU server, the same again for cooling, 0.63 CNY/kWh: ~200 CNY a day
    assert abs(market.electricity_cny_per_server_day() - 196.56) < 0.01


def test_order_is_paid_at_once_and_delivered_after_the_lead_time() -> None:
    env, market, ledger, log = _compute(lead_time_months=3)
    env.process(_supply_loop(env, market, 12))
    market.buy("giant:x", ActorType.GIANT, 1000.0)
    assert ledger.balance("giant:x") < 0
    assert market.in_transit("giant:x") == 1000.0
    env.run(until=2.9)
    assert market.owned("giant:x") == 0.0
    env.run(until=12)
    assert market.owned("giant:x") == 1000.0
    assert market.in_transit("giant:x") == 0.0
    deliveries = [r for r in log.rows() if r["kind"] == EventKind.GPU_DELIVERY]
    assert min(r["month"] for r in deliveries) >= 3.0
    assert sum(r["gpus"] for r in deliveries) == 1000.0


@pytest.mark.parametrize("fails_at", [0.5, 4.7])   # before its lead time; waiting for supply
def test_a_failed_firms_orders_are_cancelled_and_their_gpus_go_to_the_next_order(
        fails_at: float) -> None:
    """Orders in transit were delivered to a bankrupt startup's name (156 GPUs to two at
    seed 42) and idled there, while firms still in business waited behind them."""
    env, market, _, log = _compute(lead_time_months=3)
    env.process(_supply_loop(env, market, 80))
    big = 20 * market._monthly_supply(0)[0]   # months of supply: it waits past its lead time
    market.buy("startup:1", ActorType.STARTUP, big)
    market.buy("startup:2", ActorType.STARTUP, 50.0)
    env.run(until=fails_at)
    market.close("startup:1")
    env.run(until=60)
    rows = [r for r in log.rows() if r["kind"] == EventKind.GPU_DELIVERY]
    got = {f: sum(r["gpus"] for r in rows if r["actor"] == f) for f in ("startup:1", "startup:2")}
    assert all(r["month"] <= fails_at for r in rows if r["actor"] == "startup:1")
    assert got["startup:2"] == pytest.approx(50.0)   # not stuck behind a dead firm's order
    assert market.cancelled("startup:1") == pytest.approx(big - got["startup:1"])
    assert market.cancelled("startup:1") > 0 and market.in_transit("startup:1") == 0.0
    assert market.overdue("startup:1") == 0.0 and market.owned("startup:1") == got["startup:1"]
    assert market.purchased("startup:1") == big   # paid for: the vendors keep the money
    # What was shipped for the cancelled order serves the next orders: the vendors ship it
    # no more (they went on shipping it, and it lay in their stock for good)
    surplus = market.stock.level
    assert surplus <= big - got["startup:1"] + 1e-6
    market.buy("startup:3", ActorType.STARTUP, surplus + 10.0)
    env.run(until=75)
    assert market.owned("startup:3") == pytest.approx(surplus + 10.0)
    assert market.stock.level == pytest.approx(0.0, abs=1e-6)


def test_an_acquirer_receives_the_gpus_its_target_had_in_transit() -> None:
    env, market, _, log = _compute(lead_time_months=3)
    env.process(_supply_loop(env, market, 12))
    market.buy("startup:1", ActorType.STARTUP, 400.0)
    env.run(until=1)
    market.transfer_fleet("startup:1", "giant:x", ActorType.GIANT)
    assert market.in_transit("giant:x") == 400.0
    env.run(until=12)
    assert market.owned("giant:x") == 400.0
    assert market.in_transit("giant:x") == 0.0
    assert market.owned("startup:1") == 0.0 and market.in_transit("startup:1") == 0.0
    deliveries = [r for r in log.rows() if r["kind"] == EventKind.GPU_DELIVERY]
    assert {(r["actor"], r["actor_type"]) for r in deliveries} == {("giant:x", ActorType.GIANT)}


def test_an_order_past_its_lead_time_in_a_short_market_is_overdue_until_delivered() -> None:
    env, market, _, _ = _compute(lead_time_months=2, imported_supply_per_month=0,
                                 domestic_supply_per_month=0)
    market.buy("giant:x", ActorType.GIANT, 500.0)
    env.run(until=1.9)
    assert market.overdue("giant:x") == 0.0  # within its lead time: in transit, not late
    env.run(until=3)
    assert market.overdue("giant:x") == 500.0 and market.owned("giant:x") == 0.0
    market.transfer_fleet("giant:x", "giant:y", ActorType.GIANT)
    assert market.overdue("giant:y") == 500.0 and market.overdue("giant:x") == 0.0
    market.stock.put(500.0)
    env.run(until=4)
    assert market.owned("giant:y") == 500.0
    assert market.overdue("giant:y") == 0.0 and market.in_transit("giant:y") == 0.0


def test_fleets_wear_out_over_the_life_their_ownership_cost_charges_for() -> None:
    """Without it GPUs lasted forever: nobody bought one after the 2023 rush and the
    vendors shipped nothing for the rest of the run."""
    _, market, _, _ = _compute(depreciation_months=40)
    market.grant_initial_fleet("giant:x", 1000.0, 0.3)
    market.grant_initial_fleet("startup:1", 80.0, 0.0)
    bill = market.fleet_electricity_mcny("giant:x")
    for _ in range(2):
        market.wear_out()
    assert market.owned("giant:x") == pytest.approx(1000.0 * (1 - 1 / 40) ** 2)
    assert market.retired("giant:x") == pytest.approx(1000.0 - market.owned("giant:x"))
    assert market.owned("startup:1") == pytest.approx(80.0 * (1 - 1 / 40) ** 2)
    assert market.total_retired() == pytest.approx(1080.0 - market.owned("giant:x")
                                                   - market.owned("startup:1"))
    # domestic and imported GPUs wear out alike: the bill (domestic chips draw their own
    # power) falls with the fleet, its mix unchanged
    assert market.fleet_electricity_mcny("giant:x") == pytest.approx(bill * (1 - 1 / 40) ** 2)
    _, lasting, _, _ = _compute(retire_worn_out=False)
    lasting.grant_initial_fleet("giant:x", 1000.0, 0.3)
    lasting.wear_out()
    assert lasting.owned("giant:x") == 1000.0 and lasting.total_retired() == 0.0


def test_export_control_cuts_deliveries() -> None:
    def delivered(control: bool) -> float:
        env, market, _, _ = _compute(lead_time_months=0, supply_price_elasticity=0)
        env.process(_supply_loop(env, market, 12, control_at=2 if control else None, cut=0.9))
        for _ in range(10):
            market.buy("giant:x", ActorType.GIANT, 20_000.0)
        env.run(until=12)
        return market.owned("giant:x")

    assert delivered(control=True) < 0.6 * delivered(control=False)


def test_gpus_shipped_before_an_export_control_are_delivered_at_their_own_mix() -> None:
    """A delivery takes the oldest shipments in the stock, each at its month's domestic
    share: GPUs shipped half domestic before imports stopped stay half domestic when
    delivered after (until 2026-12-07 they took the delivery month's share, all domestic),
    and so does the electricity bill of the fleet they join."""
    env, market, _, log = _compute(made_to_order="false", lead_time_months=0,
                                   supply_price_elasticity=0, supply_growth_per_year=0,
                                   imported_supply_per_month=1000,
                                   domestic_supply_per_month=1000)
    env.process(_supply_loop(env, market, 4, control_at=2, cut=1.0))
    env.run(until=2.25)
    assert market.domestic_share_of_supply() == 1.0   # imports stopped in month 2
    market.buy("giant:x", ActorType.GIANT, 2000.0)
    env.run(until=3)
    deliveries = [r for r in log.rows() if r["kind"] == EventKind.GPU_DELIVERY]
    assert sum(r["gpus"] for r in deliveries) == 2000.0
    assert [r["price"] for r in deliveries] == [0.5] * len(deliveries)   # month 0's mix
    assert math.isclose(market.fleet_electricity_mcny("giant:x"),
                        1000 * market.electricity_mcny_per_gpu_month(domestic=False)
                        + 1000 * market.electricity_mcny_per_gpu_month(domestic=True))
    market.buy("giant:x", ActorType.GIANT, 3000.0)   # the rest of month 1, then month 2's
    env.run(until=4)
    later = [r for r in log.rows() if r["kind"] == EventKind.GPU_DELIVERY][len(deliveries):]
    domestic = sum(r["gpus"] * r["price"] for r in later)
    assert math.isclose(domestic, 0.5 * 2000 + 1.0 * 1000)


@pytest.mark.parametrize("lead", [0.0, 0.25, 3.0])
def test_an_order_counts_once_in_the_demand_the_price_reads(
        lead: float, monkeypatch: pytest.MonkeyPatch) -> None:
    """The price reads the month's new orders plus the backlog of earlier ones: an order
    past a lead time under a month, still waiting at the reprice, is both, and counts once
    (until 2026-12-07 twice: month 0 at lead time 0 read 35,078 GPUs ordered as 70,156
    wanted). The next month it is backlog, counted as such."""
    env, market, _, _ = _compute(lead_time_months=lead, imported_supply_per_month=0,
                                 domestic_supply_per_month=0)
    read: list[float] = []
    reprice = ComputeMarket._reprice

    def reading(price: float, demand: float, *rest: float) -> float:
        read.append(demand)
        return reprice(price, demand, *rest)

    monkeypatch.setattr(ComputeMarket, "_reprice", staticmethod(reading))
    env.process(_supply_loop(env, market, 5))
    env.run(until=0.1)
    market.buy("giant:x", ActorType.GIANT, 1000.0)   # nothing is ever shipped: it waits
    env.run(until=5)
    due = int(lead + 0.1 + 0.5)   # the first reprice at which the order is past its lead time
    assert read == [1000.0] + [1000.0 if m >= due else 0.0 for m in range(1, 5)]


def test_gpu_price_rises_with_excess_demand_and_falls_with_glut() -> None:
    env, market, _, _ = _compute(price_adjust_speed=0.15, lead_time_months=0)
    env.process(_supply_loop(env, market, 6))
    start = market.price_mcny
    for _ in range(6):
        market.buy("giant:x", ActorType.GIANT, 100_000.0)
    env.run(until=6)
    assert market.price_mcny > start * 1.3

    env2, glut, _, _ = _compute(price_adjust_speed=0.15, lead_time_months=0,
                                made_to_order="false")
    env2.process(_supply_loop(env2, glut, 6))
    env2.run(until=6)
    assert glut.price_mcny < start


def test_made_to_order_vendors_ship_only_what_is_ordered() -> None:
    """Vendors ship open orders up to their capacity; with no orders nothing piles up."""
    env, market, _, _ = _compute(lead_time_months=2, supply_price_elasticity=0,
                                 imported_supply_per_month=1000, domestic_supply_per_month=0,
                                 supply_growth_per_year=0)
    env.process(_supply_loop(env, market, 12))
    env.run(until=3)
    assert market.stock.level == 0.0 and market.supply_this_month() == 0.0
    market.buy("giant:x", ActorType.GIANT, 2500.0)   # 2.5 months of capacity
    env.run(until=4.5)
    assert market.supply_this_month() == 1000.0      # at capacity while orders wait
    env.run(until=5.5)
    assert market.supply_this_month() == 500.0       # the rest, and no more
    env.run(until=6.5)
    assert market.supply_this_month() == 0.0
    env.run(until=12)
    assert market.owned("giant:x") == 2500.0 and market.stock.level == 0.0
    env_old, old, _, _ = _compute(lead_time_months=2, supply_price_elasticity=0,
                                  imported_supply_per_month=1000, domestic_supply_per_month=0,
                                  supply_growth_per_year=0, made_to_order="false")
    env_old.process(_supply_loop(env_old, old, 3))
    env_old.run(until=3)
    assert old.stock.level == 3000.0                 # the old market ships capacity anyway


def test_shipping_capacity_anyway_counts_the_months_arrivals_once_as_supply() -> None:
    """The old market's supply is the unsold stock plus the month's arrivals: arrivals
    no delivery took lie in the stock, and are not counted again."""
    env, market, _, _ = _compute(made_to_order="false", lead_time_months=2,
                                 supply_price_elasticity=0, supply_growth_per_year=0,
                                 imported_supply_per_month=1000, domestic_supply_per_month=0,
                                 price_adjust_speed=0.1, price_reversion=0)
    start = market.price_mcny
    env.process(_supply_loop(env, market, 2))
    market.buy("giant:x", ActorType.GIANT, 3000.0)  # due in month 2: nothing leaves the stock
    env.run(until=1)
    # D = 3,000 ordered against S = 1,000 arrived: excess (3000 - 1000) / 4000 = 0.5
    assert math.isclose(math.log(market.price_mcny / start), 0.1 * 0.5)
    price = market.price_mcny
    env.run(until=1.25)
    market.buy("giant:x", ActorType.GIANT, 1000.0)
    env.run(until=2)
    # D = 1,000 against S = 1,000 unsold and 1,000 arrived: excess -1/3
    assert math.isclose(math.log(market.price_mcny / price), -0.1 / 3)


def test_made_to_order_a_glut_returns_the_price_to_cost_and_no_lower() -> None:
    """With capacity idle the price reverts to the production cost; the old market's
    unsold stock drove it far below cost."""
    def price_after(months: int, made_to_order: str) -> float:
        env, market, _, _ = _compute(price_adjust_speed=0.15, price_reversion=0.03,
                                     made_to_order=made_to_order)
        env.process(_supply_loop(env, market, months))
        market.buy("giant:x", ActorType.GIANT, 10.0)   # a trickle of orders
        env.run(until=months)
        return market.price_mcny

    cost = compose([]).compute.production_cost_mcny
    assert math.isclose(price_after(120, "true"), cost, rel_tol=0.05)
    assert price_after(120, "true") >= cost * (1 - 1e-9)
    assert price_after(120, "false") < 0.2 * cost


def test_rentals_are_rationed_pro_rata_and_paid_to_clouds() -> None:
    env, market, ledger, _ = _compute()
    market.offer_rental(RentalOffer("giant:a", 100.0))
    market.offer_rental(RentalOffer("giant:b", 300.0))
    market.request_rental(RentalRequest("startup:1", 600.0))
    market.request_rental(RentalRequest("startup:2", 200.0))
    price = market.rental_price_mcny
    for renter in ("startup:1", "startup:2"):
        ledger.transfer(0.0, "ext:founders", renter, 1000.0 * price, "founders_capital")
    market.clear_rentals({"startup:1": ActorType.STARTUP, "startup:2": ActorType.STARTUP})
    assert market.rented("startup:1") == 300.0
    assert market.rented("startup:2") == 100.0
    assert market.rented_out("giant:b") == 3 * market.rented_out("giant:a")
    assert abs(ledger.balance("giant:a") + ledger.balance("giant:b") - 400.0 * price) < 1e-6
    assert market.total_rented() <= 400.0
    # scarcity raised the rent, and rent never falls below the electricity a GPU burns
    assert market.rental_price_mcny >= market.electricity_mcny_per_gpu_month()


def test_a_renter_gets_no_more_gpu_months_than_its_cash_pays_for() -> None:
    """Clouds bill in advance: cash never goes negative through rent."""
    env, market, ledger, _ = _compute()
    market.offer_rental(RentalOffer("giant:a", 1000.0))
    market.request_rental(RentalRequest("startup:1", 500.0))
    price = market.rental_price_mcny
    ledger.transfer(0.0, "ext:founders", "startup:1", 50.0 * price, "founders_capital")
    market.clear_rentals({"startup:1": ActorType.STARTUP})
    assert 49.0 < market.rented("startup:1") <= 50.0
    assert ledger.balance("startup:1") >= 0


_CONFIG = compose([])


def _funding(*overrides: str) -> tuple[simpy.Environment, FundingMarket, Ledger, EventLog]:
    cfg = compose(list(overrides))
    env = simpy.Environment()
    ledger, log = Ledger(), EventLog()
    return env, FundingMarket(env, cfg.funding, cfg.funds, ledger, log), ledger, log


def _close(env: simpy.Environment, market: FundingMarket) -> None:
    env.process(market.clear())
    env.run(until=env.now + 1)


def _two_fund_round(lead: float, follower: float
                    ) -> tuple[simpy.Environment, FundingMarket, Ledger, EventLog]:
    """A round of 100 million CNY at 300 pre-money that fund:a leads with ``lead`` and
    fund:b follows with ``follower`` (each fund with 1,000 of its LPs' money), closed."""
    env, market, ledger, log = _funding()
    market.register_startup("startup:0")
    for fund in ("fund:a", "fund:b"):
        market.register_fund(fund, FundTerms(0.0, 60.0, 12.0))
        ledger.transfer(0.0, "ext:lps", fund, 1000.0, "lp")
    market.request(RaiseRequest("startup:0", 100.0, 300.0, 1.0, 0, 0.0))
    market.commit(TermSheet("fund:a", "startup:0", lead, lead=True))
    market.commit(TermSheet("fund:b", "startup:0", follower, lead=False))
    _close(env, market)
    return env, market, ledger, log


def test_a_round_takes_the_company_off_the_sale_list_at_its_old_price() -> None:
    """A company up for sale at a distressed price that then closes a round is no longer
    for sale at that price: until 2026-12-07 a giant shopping the next month could buy it
    at the pre-round price and take the new investors' cash with it (seed 1: startup:285
    raised 13.3 million CNY at 247.5 post and was bought for 93.7)."""
    env, market, ledger, log = _funding()
    market.register_startup("startup:0")
    market.register_fund("fund:a", FundTerms(0.0, 60.0, 12.0))
    ledger.transfer(0.0, "ext:lps", "fund:a", 1000.0, "lp")
    market.offer_for_sale(SaleOffer("startup:0", 90.0, True, 0.0))
    assert [o.startup for o in market.for_sale()] == ["startup:0"]
    market.request(RaiseRequest("startup:0", 100.0, 300.0, 1.0, 0, 0.0))
    market.commit(TermSheet("fund:a", "startup:0", 100.0, lead=True))
    _close(env, market)
    assert market.stage("startup:0") == 1 and market.for_sale() == []


def test_round_dilutes_holders_and_cap_table_sums_to_one() -> None:
    env, market, ledger, log = _two_fund_round(60.0, 40.0)
    assert market.stage("startup:0") == 1
    assert market.last_post_money("startup:0") == 400.0
    assert abs(market.holdings("fund:a")["startup:0"] - 0.15) < 1e-12
    assert abs(market.holdings("fund:b")["startup:0"] - 0.10) < 1e-12
    assert abs(sum(market._cap["startup:0"].values()) - 1.0) < 1e-12
    assert ledger.balance("startup:0") == 100.0
    closed = [r for r in log.rows() if r["kind"] == EventKind.ROUND_CLOSED]
    assert closed[0]["counterparty"] == "fund:a" and closed[0]["down_round"] is False


def test_every_ticket_of_a_closed_round_is_logged_with_its_fund() -> None:
    """The round's event names only its lead: the followers' tickets were in no event, so
    crediting rounds to their leads put 2,009 million CNY on a fund that invested 1,190."""
    _, _, _, log = _two_fund_round(60.0, 40.0)
    rows = log.rows()
    kinds = [r["kind"] for r in rows]
    assert kinds == [EventKind.ROUND_CLOSED, EventKind.INVESTMENT, EventKind.INVESTMENT]
    tickets = [(r["actor"], r["counterparty"], r["amount_mcny"], r["reason"], r["stage"],
                r["valuation_mcny"]) for r in rows[1:]]
    assert tickets == [("fund:a", "startup:0", 60.0, "lead", 1, 400.0),
                       ("fund:b", "startup:0", 40.0, "follow", 1, 400.0)]
    assert rows[0]["amount_mcny"] == 100.0   # the tickets add up to the round


def test_the_close_takes_the_term_sheets_in_the_order_committed_and_keeps_none() -> None:
    env, market, ledger, log = _funding()
    for startup in ("startup:0", "startup:1"):
        market.register_startup(startup)
        market.request(RaiseRequest(startup, 100.0, 300.0, 1.0, 0, 0.0))
    for fund in ("fund:a", "fund:b", "fund:c"):
        market.register_fund(fund, FundTerms(0.0, 60.0, 12.0))
        ledger.transfer(0.0, "ext:lps", fund, 1000.0, "lp")
    market.commit(TermSheet("fund:b", "startup:1", 50.0, lead=True))
    market.commit(TermSheet("fund:a", "startup:0", 50.0, lead=False))
    market.commit(TermSheet("fund:c", "startup:0", 50.0, lead=True))
    market.commit(TermSheet("fund:a", "startup:1", 50.0, lead=False))
    _close(env, market)
    invested = [(t.payer, t.payee) for t in ledger.transfers if t.reason == "investment"]
    assert invested == [("fund:a", "startup:0"), ("fund:c", "startup:0"),
                        ("fund:b", "startup:1"), ("fund:a", "startup:1")]
    leads = {r["actor"]: r["counterparty"] for r in log.rows()
             if r["kind"] == EventKind.ROUND_CLOSED}
    assert leads == {"startup:0": "fund:c", "startup:1": "fund:b"}
    # the next close starts without sheets: an unanswered request fails
    market.request(RaiseRequest("startup:0", 100.0, 400.0, 1.0, 1, env.now))
    _close(env, market)
    assert market.failed_rounds("startup:0") == 1 and market.stage("startup:0") == 1


def test_the_open_book_follows_every_request_opened_or_dropped() -> None:
    """Funds read one sorted book a month (requests, their scores and the room left in
    each): it must still show a request opened, replaced or dropped (a bankruptcy) after it
    was read, a term sheet put in after it was read, and none after the close."""
    env, market, _, _ = _funding()
    for startup in ("startup:2", "startup:0", "startup:1"):
        market.register_startup(startup)

    def book() -> list[tuple[str, float]]:
        open_book = market.open_book()
        requests = open_book.requests
        assert [r.score for r in requests] == open_book.scores.tolist()
        assert open_book.rooms().tolist() == [r.target_mcny - market.committed(r.startup)
                                              for r in requests]
        return [(r.startup, r.score) for r in requests]

    market.request(RaiseRequest("startup:2", 100.0, 300.0, 2.0, 0, 0.0))
    assert book() == [("startup:2", 2.0)]
    market.request(RaiseRequest("startup:0", 100.0, 300.0, 0.5, 0, 0.0))
    market.request(RaiseRequest("startup:1", 100.0, 300.0, 1.5, 0, 0.0))
    assert book() == [("startup:0", 0.5), ("startup:1", 1.5), ("startup:2", 2.0)]
    market.commit(TermSheet("fund:a", "startup:1", 30.0, True))   # after the book was read
    market.commit(TermSheet("fund:b", "startup:1", 70.0, False))  # the round is full
    assert book() == [("startup:0", 0.5), ("startup:1", 1.5), ("startup:2", 2.0)]
    assert market.open_book().rooms().tolist() == [100.0, 0.0, 100.0]
    market.request(RaiseRequest("startup:1", 100.0, 300.0, 0.7, 0, 0.0))   # replaced
    market.bankrupt("startup:0", "ran out of cash")
    assert book() == [("startup:1", 0.7), ("startup:2", 2.0)]   # the book built anew
    assert market.open_book().rooms().tolist() == [0.0, 100.0]
    _close(env, market)
    assert book() == []


def test_a_listing_drops_the_round_the_company_asked_for() -> None:
    """A company that asks for a round and lists in the same month raised its money at the
    listing: until 2026-12-07 its request stayed in the book, funds committed to it (their
    month's deals and cash held for nothing) and the round failed at the close, a
    ``round_failed`` for a listed company."""
    env, market, ledger, log = _funding()
    market.register_startup("startup:0")
    market.register_fund("fund:a", FundTerms(0.0, 60.0, 12.0))
    ledger.transfer(0.0, "ext:lps", "fund:a", 1000.0, "lp")
    market.request(RaiseRequest("startup:0", 100.0, 300.0, 1.0, 0, 0.0))
    assert [r.startup for r in market.open_book().requests] == ["startup:0"]
    market.list_on_exchange("startup:0", 500.0, 0.2)
    assert market.open_book().requests == []
    _close(env, market)
    kinds = log.table().column("kind").to_pylist()
    assert "ipo" in kinds and "round_failed" not in kinds
    assert market.failed_rounds("startup:0") == 0


def test_term_sheets_waiting_for_the_close_count_towards_max_positions() -> None:
    """Each sheet may become a position: with thousands of funds and companies one month's
    sheets ran to tens of millions before any round closed. The limit counts them with the
    positions held, and is said once: every other fund acting that month comes back to it
    before SimPy ends the run."""
    env, market, _, _ = _funding("funding.max_positions=3")
    for k in range(4):
        market.register_startup(f"startup:{k}")
        market.request(RaiseRequest(f"startup:{k}", 100.0, 300.0, 1.0, 0, 0.0))
    for k in range(3):
        market.commit(TermSheet("fund:a", f"startup:{k}", 10.0, True))
    with pytest.raises(RunawayError) as first:
        market.commit(TermSheet("fund:b", "startup:3", 10.0, True))
    assert ("funding.max_positions=3 passed in month 0: 2 funds with 0 positions and 4 term "
            "sheets waiting for the close, in 4 companies;") in str(first.value)
    with pytest.raises(RunawayError) as again:
        market.commit(TermSheet("fund:c", "startup:0", 10.0, False))
    assert str(again.value) == str(first.value)


def test_the_max_positions_message_counts_one_of_a_kind_in_the_singular() -> None:
    """funding.max_positions=1 said "1 funds hold 0 positions". The counts, which run to
    millions in a hot market, keep their thousands grouped."""
    from sim.commands import plural

    assert plural(40_000_000, "term sheet") == "40,000,000 term sheets"
    env, market, _, _ = _funding("funding.max_positions=1")
    for k in range(2):
        market.register_startup(f"startup:{k}")
        market.request(RaiseRequest(f"startup:{k}", 100.0, 300.0, 1.0, 0, 0.0))
    market.commit(TermSheet("fund:a", "startup:0", 10.0, True))
    with pytest.raises(RunawayError) as info:
        market.commit(TermSheet("fund:a", "startup:1", 10.0, True))
    assert ("funding.max_positions=1 passed in month 0: 1 fund with 0 positions and 2 term "
            "sheets waiting for the close, in 2 companies;") in str(info.value)


def test_a_round_priced_below_the_last_valuation_is_a_down_round_though_new_money_lifts_post(
) -> None:
    """Down is the price: a pre-money below the last post-money, whatever the new money
    does to the post-money (300 pre + 150 raised = 450 post, above the last 400)."""
    env, market, ledger, log = _funding()
    market.register_startup("startup:0")
    market.register_fund("fund:a", FundTerms(0.0, 60.0, 12.0))
    ledger.transfer(0.0, "ext:lps", "fund:a", 1000.0, "lp")
    for target, pre in ((100.0, 300.0), (150.0, 300.0), (100.0, 500.0)):
        market.request(RaiseRequest("startup:0", target, pre, 1.0, 0, env.now))
        market.commit(TermSheet("fund:a", "startup:0", target, lead=True))
        _close(env, market)
    closed = [r for r in log.rows() if r["kind"] == EventKind.ROUND_CLOSED]
    assert [(r["valuation_mcny"], r["down_round"]) for r in closed] == [
        (400.0, False), (450.0, True), (600.0, False)]


def test_an_oversubscribed_round_takes_each_ticket_scaled_down_to_the_target() -> None:
    """Term sheets worth twice the target close a round of the target: every fund pays half
    its ticket and owns what that buys at the round's post-money."""
    env, market, ledger, log = _two_fund_round(120.0, 80.0)
    assert ledger.balance("startup:0") == 100.0
    assert (ledger.balance("fund:a"), ledger.balance("fund:b")) == (940.0, 960.0)
    assert market.last_post_money("startup:0") == 400.0
    assert market.cost_basis("fund:a", "startup:0") == 60.0
    assert math.isclose(market.holdings("fund:a")["startup:0"], 0.15)
    [closed] = [r for r in log.rows() if r["kind"] == EventKind.ROUND_CLOSED]
    assert closed["amount_mcny"] == 100.0


def test_underfilled_round_fails_and_blocks_retry_for_a_while() -> None:
    env, market, _, log = _funding()
    market.register_startup("startup:0")
    market.request(RaiseRequest("startup:0", 100.0, 300.0, 1.0, 0, 0.0))
    _close(env, market)
    assert market.failed_rounds("startup:0") == 1
    assert any(r["kind"] == EventKind.ROUND_FAILED for r in log.rows())
    assert not market.may_request("startup:0")


@pytest.mark.parametrize(("committed", "closes"), [(50.0, False), (70.0, True)])
def test_a_round_closes_only_once_the_minimum_fill_is_committed(committed: float,
                                                                 closes: bool) -> None:
    """A round gathering less than ``min_fill_share`` of its target fails, the money
    committed to it goes back unspent; at or above it the round closes with what it got."""
    env, market, ledger, log = _funding("funding.min_fill_share=0.6")
    market.register_startup("startup:0")
    market.register_fund("fund:a", FundTerms(0.0, 60.0, 12.0))
    ledger.transfer(0.0, "ext:lps", "fund:a", 1000.0, "lp")
    market.request(RaiseRequest("startup:0", 100.0, 300.0, 1.0, 0, 0.0))
    market.commit(TermSheet("fund:a", "startup:0", committed, lead=True))
    _close(env, market)
    assert market.stage("startup:0") == int(closes)
    assert market.failed_rounds("startup:0") == int(not closes)
    assert ledger.balance("startup:0") == (committed if closes else 0.0)
    kinds = [r["kind"] for r in log.rows()]
    assert kinds == ([EventKind.ROUND_CLOSED, EventKind.INVESTMENT] if closes
                     else [EventKind.ROUND_FAILED])


def test_exiting_fund_sells_to_the_next_lead_at_a_discount() -> None:
    env, market, ledger, log = _funding()
    market.register_startup("startup:0")
    market.register_fund("fund:old", FundTerms(-50.0, 60.0, 12.0))  # 10 months left: exiting
    market.register_fund("fund:new", FundTerms(0.0, 60.0, 12.0))
    for fund in ("fund:old", "fund:new"):
        ledger.transfer(0.0, "ext:lps", fund, 1000.0, "lp")
    market.request(RaiseRequest("startup:0", 100.0, 100.0, 1.0, 0, 0.0))
    market.commit(TermSheet("fund:old", "startup:0", 100.0, lead=True))
    _close(env, market)
    assert market.investors_exiting("startup:0", env.now)
    market.request(RaiseRequest("startup:0", 100.0, 300.0, 1.0, 1, env.now))
    market.commit(TermSheet("fund:new", "startup:0", 100.0, lead=True))
    _close(env, market)
    sales = [r for r in log.rows() if r["kind"] == EventKind.SECONDARY_SALE]
    assert len(sales) == 1 and sales[0]["actor"] == "fund:old"
    # the old fund's 50% stake, diluted to 37.5% at 400 post-money, sold 30% below that value
    assert abs(sales[0]["amount_mcny"] - 0.375 * 400.0 * 0.7) < 1e-6
    assert "fund:old" not in market._cap["startup:0"]


def test_stakes_passed_in_kind_are_followed_to_what_they_came_to_fund_by_fund() -> None:
    """Two funds pass their stakes of one company to their LPs at their closes, a round
    diluting it between: each fund's part of the LPs' stake is followed to what it came
    to, at the last post-money while the company is private, then at what the acquirer
    paid the LPs; a bankrupt company's part comes to nothing. (Until 2026-12-07 nothing
    followed them: fund returns counted them at their value at the close, most of it in
    companies that failed later.)"""
    env, market, ledger, _ = _two_fund_round(lead=75.0, follower=25.0)   # 18.75% and 6.25%
    market.register_startup("startup:1")
    market.request(RaiseRequest("startup:1", 10.0, 90.0, 1.0, 0, 0.0))
    market.commit(TermSheet("fund:a", "startup:1", 10.0, lead=True))
    _close(env, market)
    market.distribute_in_kind("fund:a")
    market.bankrupt("startup:1", "ran out of cash")
    assert market.in_kind_outcome("fund:a") == pytest.approx(0.1875 * 400.0)
    market.register_fund("fund:c", FundTerms(0.0, 60.0, 12.0))
    ledger.transfer(env.now, "ext:lps", "fund:c", 1000.0, "lp")
    market.request(RaiseRequest("startup:0", 100.0, 400.0, 1.0, 1, env.now))
    market.commit(TermSheet("fund:c", "startup:0", 100.0, lead=True))
    _close(env, market)                              # post 500: every stake x 0.8
    market.distribute_in_kind("fund:b")
    assert market._cap["startup:0"][LPS] == pytest.approx(0.2)   # 0.15 + 0.05
    assert market.in_kind_outcome("fund:a") == pytest.approx(0.15 * 500.0)
    assert market.in_kind_outcome("fund:b") == pytest.approx(0.05 * 500.0)
    assert market.in_kind_outcome("fund:c") == 0.0
    ledger.transfer(env.now, "ext:founders", "giant:x", 1000.0, "capital")
    assert market.acquire("giant:x", "startup:0", 1000.0, distressed=False)
    assert market.in_kind_outcome("fund:a") == pytest.approx(0.15 * 1000.0)
    assert market.in_kind_outcome("fund:b") == pytest.approx(0.05 * 1000.0)
    paid = ledger.flows_by_reason({LPS})[LPS].received("acquisition")
    assert paid == pytest.approx(0.2 * 1000.0, abs=1e-6)   # what the two parts share


def test_a_closing_fund_passes_its_unsold_stakes_to_its_lps_in_kind_at_the_exit_price() -> None:
    """At its close a fund's stakes in companies still in business go to its LPs (the
    cap table still sums to one), each logged as a write-off at cost with the company's
    last post-money, and valued like an exiting holder's stake: that post-money less the
    secondary discount. A bankrupt company's stake was written off before and is not."""
    env, market, ledger, log = _funding("funds.secondary_discount=0.3")
    market.register_fund("fund:a", FundTerms(0.0, 60.0, 12.0))
    ledger.transfer(0.0, "ext:lps", "fund:a", 1000.0, "lp")
    for k, (target, pre) in enumerate([(100.0, 300.0), (50.0, 150.0), (20.0, 80.0)]):
        market.register_startup(f"startup:{k}")
        market.request(RaiseRequest(f"startup:{k}", target, pre, 1.0, 0, 0.0))
        market.commit(TermSheet("fund:a", f"startup:{k}", target, lead=True))
    _close(env, market)
    market.bankrupt("startup:2", "ran out of cash")
    in_kind = market.distribute_in_kind("fund:a")
    assert in_kind.cost_mcny == 150.0
    assert math.isclose(in_kind.value_mcny, 0.7 * (0.25 * 400.0 + 0.25 * 200.0))
    assert market.holdings("fund:a") == {}
    for k in (0, 1):
        cap = market._cap[f"startup:{k}"]
        assert cap[LPS] == 0.25 and math.isclose(sum(cap.values()), 1.0)
    offs = [r for r in log.rows() if r["kind"] == EventKind.WRITE_OFF]
    assert [(r["counterparty"], r["amount_mcny"], r.get("valuation_mcny"), r["reason"])
            for r in offs] == [("startup:2", 20.0, None, "bankrupt"),
                               ("startup:0", 100.0, 400.0, "term_ended"),
                               ("startup:1", 50.0, 200.0, "term_ended")]


def _held_by_an_exiting_fund(fee_reserve: Callable[[], float] | None = None
                             ) -> tuple[simpy.Environment, FundingMarket, Ledger, EventLog]:
    """A market where fund:old (10 months of its term left: exiting) has led startup:0's
    first round (100 at 100 pre-money: half the company), and fund:new (with
    ``fee_reserve``, and no cash yet) may lead the next."""
    env, market, ledger, log = _funding()
    market.register_startup("startup:0")
    market.register_fund("fund:old", FundTerms(-50.0, 60.0, 12.0))
    market.register_fund("fund:new", FundTerms(0.0, 60.0, 12.0), fee_reserve=fee_reserve)
    ledger.transfer(0.0, "ext:lps", "fund:old", 100.0, "lp")
    market.request(RaiseRequest("startup:0", 100.0, 100.0, 1.0, 0, 0.0))
    market.commit(TermSheet("fund:old", "startup:0", 100.0, lead=True))
    _close(env, market)
    return env, market, ledger, log


def _new_fund_leads(env: simpy.Environment, market: FundingMarket, ledger: Ledger,
                    log: EventLog, stage: int, pre_money: float, cash: float) -> list[str]:
    """fund:new, paid ``cash`` more by its LPs, leads startup:0's round ``stage`` (100 at
    ``pre_money``) alone; the funds that have sold a stake so far."""
    market.request(RaiseRequest("startup:0", 100.0, pre_money, 1.0, stage, env.now))
    market.commit(TermSheet("fund:new", "startup:0", 100.0, lead=True))
    ledger.transfer(env.now, "ext:lps", "fund:new", cash, "lp")
    _close(env, market)
    return [r["actor"] for r in log.rows() if r["kind"] == EventKind.SECONDARY_SALE]


def test_a_lead_buys_out_exiting_holders_only_with_cash_it_has_not_promised() -> None:
    """A lead's term sheets for rounds later in the same close are promised money: buying a
    secondary with it drove the fund's cash negative when those rounds were paid."""
    env, market, ledger, log = _held_by_an_exiting_fund()
    market.register_startup("startup:1")
    # fund:new has 300: 100 for startup:0's round, 150 promised to startup:1's, closed after;
    # the old fund's stake is worth 105 to it, more than the 50 left unpromised
    ledger.transfer(env.now, "ext:lps", "fund:new", 300.0, "lp")
    market.request(RaiseRequest("startup:0", 100.0, 300.0, 1.0, 1, env.now))
    market.request(RaiseRequest("startup:1", 150.0, 300.0, 1.0, 0, env.now))
    market.commit(TermSheet("fund:new", "startup:0", 100.0, lead=True))
    market.commit(TermSheet("fund:new", "startup:1", 150.0, lead=True))
    _close(env, market)
    assert not [r for r in log.rows() if r["kind"] == EventKind.SECONDARY_SALE]
    assert ledger.balance("fund:new") == 50.0
    assert "fund:old" in market._cap["startup:0"]
    # in a close with nothing promised after its round, the lead buys the same stake
    assert _new_fund_leads(env, market, ledger, log, 2, 300.0, 300.0) == ["fund:old"]
    assert ledger.balance("fund:new") >= 0


def test_a_lead_buys_out_exiting_holders_only_with_cash_beyond_its_fee_reserve() -> None:
    """What a fund keeps back for its management fees it spends on no stake: not on a
    round (Fund.dry_powder), and not on an exiting holder's stake either."""
    reserve = [200.0]
    env, market, ledger, log = _held_by_an_exiting_fund(fee_reserve=lambda: reserve[0])
    # fund:new has 400: 100 for the round leaves 300; the old stake costs 105 (37.5% of 400
    # post-money, 30% off), more than the 100 beyond its fee reserve of 200
    assert _new_fund_leads(env, market, ledger, log, 1, 300.0, 400.0) == []
    assert "fund:old" in market._cap["startup:0"]
    # with less kept back for fees the same lead buys the stake
    reserve[0] = 150.0
    assert _new_fund_leads(env, market, ledger, log, 2, 500.0, 100.0) == ["fund:old"]
    assert ledger.balance("fund:new") >= reserve[0]


def test_a_lead_short_of_cash_buys_out_the_seller_with_least_term_left_first() -> None:
    """Two exiting holders, and a lead with cash for one stake: the fund nearer the end of
    its term sells (by name, "fund:a" would have come first)."""
    env, market, ledger, log = _funding()
    market.register_startup("startup:0")
    market.register_fund("fund:a", FundTerms(-45.0, 60.0, 12.0))   # 15 months left
    market.register_fund("fund:b", FundTerms(-47.0, 60.0, 12.0))   # 13 months left
    market.register_fund("fund:new", FundTerms(0.0, 60.0, 12.0))
    for fund in ("fund:a", "fund:b"):
        ledger.transfer(0.0, "ext:lps", fund, 100.0, "lp")
    market.request(RaiseRequest("startup:0", 100.0, 100.0, 1.0, 0, 0.0))
    market.commit(TermSheet("fund:a", "startup:0", 50.0, lead=True))
    market.commit(TermSheet("fund:b", "startup:0", 50.0, lead=False))
    _close(env, market)
    env.run(until=5.0)   # both in their exit windows now: 10 and 8 months left
    # each 25% stake, diluted to 18.75% at 400 post-money, is worth 52.5 to the lead
    ledger.transfer(env.now, "ext:lps", "fund:new", 180.0, "lp")
    market.request(RaiseRequest("startup:0", 100.0, 300.0, 1.0, 1, env.now))
    market.commit(TermSheet("fund:new", "startup:0", 100.0, lead=True))
    _close(env, market)
    sales = [r for r in log.rows() if r["kind"] == EventKind.SECONDARY_SALE]
    assert [r["actor"] for r in sales] == ["fund:b"]
    assert abs(sales[0]["amount_mcny"] - 0.1875 * 400.0 * 0.7) < 1e-6
    assert "fund:a" in market._cap["startup:0"] and "fund:b" not in market._cap["startup:0"]


def test_a_commitment_is_called_for_what_the_funds_cash_lacks_and_paid_back_cash_first(
) -> None:
    """LPs pay in only the shortfall of each payment; what the fund passes back comes out
    of its cash first, then out of the capital it has not called (released)."""
    ledger = Ledger()
    commitment = Commitment(ledger, "fund:a", 100.0)
    assert commitment.available_mcny() == 100.0 and ledger.balance("fund:a") == 0.0
    commitment.cover(1.0, 30.0)
    ledger.transfer(1.0, "fund:a", "startup:0", 30.0, "investment")
    ledger.transfer(2.0, "giant:x", "fund:a", 20.0, "acquisition")
    commitment.cover(3.0, 25.0)   # 20 in cash: 5 called
    ledger.transfer(3.0, "fund:a", "startup:1", 25.0, "investment")
    assert commitment.calls == [(1.0, 30.0), (3.0, 5.0)]
    assert commitment.uncalled_mcny == 65.0 and ledger.balance("fund:a") == 0.0
    ledger.transfer(4.0, "giant:x", "fund:a", 10.0, "acquisition")
    assert commitment.available_mcny() == 75.0
    assert commitment.pay_back(5.0, 50.0, "distribution") == 10.0   # its cash, then 40 released
    assert commitment.uncalled_mcny == 25.0 and ledger.balance("fund:a") == 0.0
    assert commitment.pay_back(5.0, -3.0, "distribution") == 0.0   # nothing to pass back
    assert commitment.uncalled_mcny == 25.0
    commitment.cover(6.0, 40.0)   # no more than is left to call
    assert commitment.calls[-1] == (6.0, 25.0) and commitment.uncalled_mcny == 0.0
    assert ledger.total_cny() == 0


def test_a_round_calls_its_funds_capital_as_it_closes() -> None:
    """A fund with nothing paid in yet leads a round: its LPs pay in the ticket at the close,
    and as the next round's lead it can buy an exiting holder out with capital still to
    call."""
    env, market, ledger, log = _funding()
    market.register_startup("startup:0")
    old, new = Commitment(ledger, "fund:old", 200.0), Commitment(ledger, "fund:new", 300.0)
    market.register_fund("fund:old", FundTerms(-50.0, 60.0, 12.0), old)  # exiting
    market.register_fund("fund:new", FundTerms(0.0, 60.0, 12.0), new)
    market.request(RaiseRequest("startup:0", 100.0, 100.0, 1.0, 0, 0.0))
    market.commit(TermSheet("fund:old", "startup:0", 100.0, lead=True))
    _close(env, market)
    assert old.calls == [(0.0, 100.0)] and ledger.balance("fund:old") == 0.0
    market.request(RaiseRequest("startup:0", 100.0, 300.0, 1.0, 1, env.now))
    market.commit(TermSheet("fund:new", "startup:0", 100.0, lead=True))
    _close(env, market)
    sold = 0.375 * 400.0 * 0.7
    assert [r["actor"] for r in log.rows() if r["kind"] == EventKind.SECONDARY_SALE] == [
        "fund:old"]
    assert new.calls == [(1.0, 100.0), (1.0, sold)] and ledger.balance("fund:new") == 0.0
    assert ledger.balance("fund:old") == sold


def test_a_funds_net_invested_capital_is_the_cost_of_the_stakes_it_still_holds() -> None:
    """Rounds and secondaries bought add to it; a stake sold, acquired, written off or
    passed to the LPs in kind leaves it (the fee base after the investment period)."""
    env, market, ledger, _ = _funding()
    market.register_fund("fund:old", FundTerms(-50.0, 60.0, 12.0))   # exiting
    market.register_fund("fund:new", FundTerms(0.0, 60.0, 12.0))
    for fund in ("fund:old", "fund:new"):
        ledger.transfer(0.0, "ext:lps", fund, 1000.0, "lp")
    for k in range(3):
        market.register_startup(f"startup:{k}")
        market.request(RaiseRequest(f"startup:{k}", 100.0, 100.0, 1.0, 0, 0.0))
        market.commit(TermSheet("fund:old" if k == 0 else "fund:new", f"startup:{k}", 100.0,
                                lead=True))
    _close(env, market)
    assert (market.net_invested("fund:old"), market.net_invested("fund:new")) == (100.0, 200.0)
    market.request(RaiseRequest("startup:0", 100.0, 300.0, 1.0, 1, env.now))
    market.commit(TermSheet("fund:new", "startup:0", 100.0, lead=True))
    _close(env, market)   # the new lead buys the old fund's stake: 0.375 * 400 * 0.7
    assert market.net_invested("fund:old") == 0.0
    assert math.isclose(market.net_invested("fund:new"), 300.0 + 105.0)
    ledger.transfer(env.now, "ext:core", "giant:x", 1000.0, "capital")
    assert market.acquire("giant:x", "startup:1", 300.0, distressed=False)
    market.bankrupt("startup:2", "ran out of cash")
    assert math.isclose(market.net_invested("fund:new"), 205.0)
    market.distribute_in_kind("fund:new")
    assert market.net_invested("fund:new") == 0.0


def test_rounds_lift_a_companys_story_while_the_hype_lasts() -> None:
    """Each round closed takes the decay off the story and, with hype above normal, adds
    the lift: at hype 2.3 a company two rounds in is valued (0.8 * (1 + 0.5 * 1.3))^2 times
    its first round's story. At normal hype (or below) only the decay is left: the lift
    of past rounds goes with the hype. Funds' scores read the story before any round."""
    _, market, _, _ = _funding("funding.stage_story_decay=0.8", "funding.stage_hype_lift=0.5",
                               "funding.valuation_hype_elasticity=0",
                               "funding.heavy_asset_discount=0")

    def value(stage: int, hype: float) -> float:
        return market.pre_money(hype, 0, 0.0, stage, 0.0, 0.0)

    assert math.isclose(value(2, 2.3) / value(0, 2.3), (0.8 * 1.65) ** 2)
    assert math.isclose(value(2, 1.0) / value(0, 1.0), 0.8 ** 2)
    assert math.isclose(value(2, 0.5) / value(0, 0.5), 0.8 ** 2)
    _, unlifted, _, _ = _funding("funding.stage_hype_lift=0")
    assert market.score(2.3, 1, 0.5, 2, 5.0) == unlifted.score(2.3, 1, 0.5, 2, 5.0)


def test_gpus_on_the_books_discount_a_companys_valuation() -> None:
    """Seed 004: heavy-asset companies get a lower multiple; the pre-money is cut by
    ``heavy_asset_discount`` times the share of the company's assets held in GPUs."""
    _, market, _, _ = _funding("funding.heavy_asset_discount=0.4")

    def value(gpu_share: float) -> float:
        return market.pre_money(1.5, 2, 0.5, 1, 10.0, gpu_share)

    assert math.isclose(value(0.5) / value(0.0), 1 - 0.4 * 0.5)
    assert math.isclose(value(1.0) / value(0.0), 0.6)


def test_pressure_grows_as_a_holder_runs_out_of_term() -> None:
    env, market, _, _ = _funding()
    market.register_startup("startup:0")
    market.register_fund("fund:a", FundTerms(0.0, 48.0, 12.0))
    market._cap["startup:0"]["fund:a"] = 0.2
    early, late = market.pressure("startup:0", 0.0), market.pressure("startup:0", 40.0)
    assert 0.0 < early < late <= 1.0
    market.register_fund("fund:patient", FundTerms(0.0, 120.0, 12.0))
    market.register_startup("startup:1")
    market._cap["startup:1"]["fund:patient"] = 0.2
    assert market.pressure("startup:1", 0.0) < early


@given(st.lists(st.tuples(st.floats(0, 60), st.floats(12, 120), st.floats(0, 24)),
                min_size=1, max_size=6),
       st.lists(st.floats(0, 150), min_size=1, max_size=5))
def test_a_companys_pressure_and_exiting_holders_follow_each_holders_terms(terms, months) -> None:
    market = FundingMarket(simpy.Environment(), _CONFIG.funding, _CONFIG.funds, Ledger(),
                           EventLog())
    market.register_startup("startup:0")
    payback = market._payback_months
    for month in months:   # funds register after the market was asked about the month
        market.pressure("startup:0", month)
        for k, (vintage, term, window) in enumerate(terms):
            if f"fund:{k}" not in market._funds and vintage <= month:
                market.register_fund(f"fund:{k}", FundTerms(vintage, term, window))
                market._cap["startup:0"][f"fund:{k}"] = 0.1
        holders = [t for f, t in market._funds.items() if f in market._cap["startup:0"]]
        expected = max([min(1.0, payback / max(t.remaining(month), 1.0)) for t in holders],
                       default=0.0)
        assert market.pressure("startup:0", month) == expected
        assert market.investors_exiting("startup:0", month) == any(
            t.exiting(month) for t in holders)


@given(st.floats(0, MAX_PRESSURE), st.floats(0, 10), st.floats(0, 60), st.floats(0, 60))
def test_no_pressure_triggers_a_raise_later_than_full_pressure(pressure, hype, extra,
                                                                 per_hype) -> None:
    # Startup.seek_money leaves a company's pressure unasked when its runway reaches the
    # trigger at full pressure: that must be the latest trigger, rounding included.
    funding = dataclasses.replace(_CONFIG.funding, pressure_runway_months=extra,
                                  hype_runway_months=per_hype)
    market = FundingMarket(simpy.Environment(), funding, _CONFIG.funds, Ledger(), EventLog())
    ceiling = market.raise_trigger_months(MAX_PRESSURE, hype)
    assert market.raise_trigger_months(pressure, hype) <= ceiling


def test_a_boom_makes_companies_raise_with_more_runway_left() -> None:
    """Seed 004: in a boom companies raise again quickly; each point of hype above normal
    moves the trigger ``hype_runway_months`` earlier, and hype below normal does not delay
    it."""
    _, market, _, _ = _funding("funding.hype_runway_months=6")
    calm = market.raise_trigger_months(0.0, 1.0)
    assert market.raise_trigger_months(0.0, 2.5) == pytest.approx(calm + 9.0)
    assert market.raise_trigger_months(0.0, 0.5) == calm


def test_a_hosted_apps_tokens_run_on_its_hosts_model() -> None:
    """An application company's API tokens run on its host's model (the host's
    ``served_tokens``), paid one group at a time or one payment at a time; they stay the
    app's own in ``tokens`` (its API's market share). Before it builds on the host they
    run on its own model."""
    env = simpy.Environment()
    batch, one = EnterpriseMarket(env), EnterpriseMarket(env)
    vendors, mtok = ["giant:a", "startup:1", "startup:2"], [10.0, 30.0, 5.0]

    def pay() -> None:
        batch.record_monthly_payments(vendors, [False] * 3, [1.0] * 3, mtok)
        for vendor, load in zip(vendors, mtok, strict=True):
            one.record_tokens(vendor, load)

    pay()
    env.run(until=1)
    for market in (batch, one):
        market.host("startup:1", "giant:a")
    pay()
    for market in (batch, one):
        assert [market.served_tokens(v, 0) for v in vendors] == mtok
        assert [market.served_tokens(v, 1) for v in vendors] == [40.0, 0.0, 5.0]
        assert [market.tokens(v, 1) for v in vendors] == mtok

_vendors = st.sampled_from(["giant:a", "startup:1", "startup:2"])
_amounts = st.floats(0, 1e3, allow_nan=False)


@given(st.lists(st.tuples(_vendors, st.booleans(), _amounts, _amounts), max_size=30),
       st.lists(st.tuples(_vendors, st.integers(0, 3), st.integers(1, 50)), max_size=10))
def test_recording_a_month_of_payments_at_once_is_recording_them_one_by_one(
    payments, months
) -> None:
    env = simpy.Environment(initial_time=5.6)
    one, batch = EnterpriseMarket(env), EnterpriseMarket(env)
    for vendor, contract, amount, load in payments:
        one.record_payment(vendor, Channel.CONTRACT if contract else Channel.API, amount)
        if contract:
            one.record_delivery_load(vendor, load)
        else:
            one.record_tokens(vendor, load)
    for vendor, domain, count in months:
        one.record_contract_months(vendor, domain, float(count))
    columns = [list(c) for c in zip(*payments, strict=True)] or [[], [], [], []]
    batch.record_monthly_payments(*columns)
    columns = [list(c) for c in zip(*months, strict=True)] or [[], [], []]
    batch.record_contract_months_each(columns[0], columns[1], [float(c) for c in columns[2]])
    assert batch.revenue_by_vendor(5) == one.revenue_by_vendor(5)
    assert batch.total_tokens(5) == one.total_tokens(5)
    for vendor in ("giant:a", "startup:1", "startup:2"):
        for channel in (Channel.API, Channel.CONTRACT, None):
            assert batch.revenue(vendor, 5, channel) == one.revenue(vendor, 5, channel)
        assert batch.delivery_load(vendor, 5) == one.delivery_load(vendor, 5)
        assert batch.tokens(vendor, 5) == one.tokens(vendor, 5)
        assert batch.trailing_annual_revenue(vendor, 6) == one.trailing_annual_revenue(vendor, 6)
        paid = sum(one.revenue(vendor, m) for m in (3, 4, 5))
        assert one.trailing_annual_revenue(vendor, 6) == 12.0 * paid / 3
        assert (batch.contract_months_by_domain(vendor, 5)
                == one.contract_months_by_domain(vendor, 5))


@given(st.lists(st.tuples(_vendors, st.booleans(), _amounts), max_size=30))
def test_trailing_revenue_is_the_last_months_summed_even_when_asked_before_they_end(
    payments
) -> None:
    """Vendors ask their trailing revenue once a month; a payment landing in a month of the
    window afterwards still counts."""
    env = simpy.Environment()
    market = EnterpriseMarket(env)
    for k, (vendor, contract, amount) in enumerate(payments):
        if k // 4 + 0.5 > env.now:   # a few payments a month
            env.run(until=k // 4 + 0.5)
        market.trailing_annual_revenue(vendor, int(env.now) + 1)
        market.record_payment(vendor, Channel.CONTRACT if contract else Channel.API, amount)
        month = int(env.now) + 1
        for other in ("giant:a", "startup:1", "startup:2"):
            first = max(month - 3, 0)
            # added month by month, left to right (not sum(): Python 3.12's compensates)
            paid = functools.reduce(operator.add,
                                    (market.revenue(other, m) for m in range(first, month)), 0)
            assert market.trailing_annual_revenue(other, month) == 12.0 * paid / (month - first)


@given(st.lists(st.tuples(st.sampled_from(["post", "leave"]), st.integers(0, 5),
                          st.sampled_from(["giant", "startup"])), max_size=40))
def test_offers_by_type_are_the_offers_of_that_type_in_market_order(steps) -> None:
    """offers_by(type) stays the type's part of offers(), in the same order, whatever
    vendors post, replace, withdraw, post again or (never in the model) change type."""
    market = EnterpriseMarket(simpy.Environment())
    for price, (act, vendor, vendor_type) in enumerate(steps):
        name = f"firm:{vendor}"
        if act == "post":
            market.post_offer(Offer(name, vendor_type, (float(price),), (0.1,), 1.0, True, 0))
        else:
            market.leave(name, None)
        for kind in ("giant", "startup"):
            assert market.offers_by(kind) == [o for o in market.offers() if o.vendor_type == kind]
            best = max((o.domain_capability[0] for o in market.offers_by(kind)), default=None)
            assert market.best_capability(0, kind) == best


def test_messages_are_immutable_and_read_field_by_field() -> None:
    """A posted message cannot be changed afterwards; a month's messages transpose into
    their fields (the buyers read offers and bids that way)."""
    offers = [Offer(f"firm:{k}", "startup", (float(k),), (0.1,), 2.0 * k, k % 2 == 0, 0)
              for k in range(3)]
    with pytest.raises(AttributeError):
        offers[0].api_price_cny_per_mtok = 0.0   # type: ignore[misc]
    field = by_field(offers, Offer)
    assert list(field) == list(Offer._fields)
    assert field["vendor"] == tuple(o.vendor for o in offers)
    assert field["domain_capability"] == tuple(o.domain_capability for o in offers)
    assert field["api_price_cny_per_mtok"] == (0.0, 2.0, 4.0)
    assert field["private_deployment"] == (True, False, True)


def test_the_asking_price_falls_with_each_failed_round_and_the_discount_lifts_the_score(
) -> None:
    funding = dataclasses.replace(_CONFIG.funding, ask_cut_per_failed_round=0.25,
                                  score_price_weight=2.0)
    market = FundingMarket(simpy.Environment(), funding, _CONFIG.funds, Ledger(), EventLog())
    assert market.asking_price(400.0, 0) == 400.0
    assert market.asking_price(400.0, 2) == pytest.approx(400.0 * 0.75**2)
    assert market.price_appeal(400.0, 400.0) == 0.0
    assert market.price_appeal(400.0, 225.0) == pytest.approx(2.0 * math.log(400 / 225))
    off = dataclasses.replace(funding, ask_cut_per_failed_round=0.0)
    market = FundingMarket(simpy.Environment(), off, _CONFIG.funds, Ledger(), EventLog())
    assert market.asking_price(400.0, 3) == 400.0


def test_an_ipo_issues_the_shares_it_sells_and_pays_the_funds_their_stake() -> None:
    """Listing at a pre-money of 1,000 and raising a tenth of it (100) for the company:
    the public's new shares are 100 / 1,100 of it, every holder is diluted by 1,000 /
    1,100, and the funds sell their diluted stakes at the post-money, 1,100. The new
    money once came with no new shares: the founders kept their whole stake and the
    public held only what the funds sold."""
    env, market, ledger, _ = _two_fund_round(60.0, 40.0)   # founders 0.75, funds 0.15 + 0.10
    cash = ledger.balance("startup:0")
    before = {f: ledger.balance(f) for f in ("fund:a", "fund:b")}
    market.list_on_exchange("startup:0", 1000.0, 0.1)
    cap = market._cap["startup:0"]
    assert math.isclose(cap["ext:founders"], 0.75 * 1000 / 1100, rel_tol=1e-12)
    assert math.isclose(cap["ext:public_market"], 1 - 0.75 * 1000 / 1100, rel_tol=1e-12)
    assert set(cap) == {"ext:founders", "ext:public_market"}
    assert math.isclose(ledger.balance("startup:0"), cash + 100.0, rel_tol=1e-12)
    for fund, stake in (("fund:a", 0.15), ("fund:b", 0.10)):   # the stake x the pre-money
        assert math.isclose(ledger.balance(fund) - before[fund], stake * 1000, rel_tol=1e-9)
    assert market.outcome("startup:0") == Outcome.IPO


def test_an_acquirer_pays_the_holders_and_takes_the_targets_cash() -> None:
    """A takeover pays the price to the holders pro rata and moves the target's own cash to
    the acquirer (``acquired_cash``): the target is left with nothing."""
    env, market, ledger, _ = _funding()
    market.register_fund("fund:a", FundTerms(0.0, 60.0, 12.0))
    ledger.transfer(0.0, "ext:lps", "fund:a", 1000.0, "lp")
    market.register_startup("startup:1")
    market.request(RaiseRequest("startup:1", 100.0, 100.0, 1.0, 0, 0.0))
    market.commit(TermSheet("fund:a", "startup:1", 100.0, lead=True))
    _close(env, market)
    cash = ledger.balance("startup:1")
    assert cash > 0
    ledger.transfer(env.now, "ext:core", "giant:x", 1000.0, "capital")
    fund_before = ledger.balance("fund:a")
    assert market.acquire("giant:x", "startup:1", 300.0, distressed=False)
    assert ledger.balance("startup:1") == 0.0
    paid_to_fund = ledger.balance("fund:a") - fund_before
    assert 0 < paid_to_fund <= 300.0
    assert math.isclose(ledger.balance("giant:x"), 1000.0 - 300.0 + cash, rel_tol=1e-9)


@pytest.mark.parametrize("bills", [30.0, 5000.0])
def test_an_acquired_company_settles_its_bills_before_its_cash_passes_on(bills: float) -> None:
    """The company's ``settle`` (its bills a month in arrears) is paid from its cash at the
    sale, once; the buyer takes the rest of the cash, or pays what the cash did not cover
    (``acquired_debts``): the company is left with nothing either way."""
    env, market, ledger, _ = _funding()
    settled: list[float] = []

    def settle(month: float) -> None:
        settled.append(month)
        ledger.transfer(month, "startup:1", "ext:delivery_staff", bills, "project_delivery")

    market.register_startup("startup:1", settle=settle)
    ledger.transfer(0.0, "ext:founders", "startup:1", 100.0, "founders_capital")
    ledger.transfer(0.0, "ext:core", "giant:x", 10_000.0, "capital")
    assert market.acquire("giant:x", "startup:1", 300.0, distressed=False)
    assert settled == [env.now] and ledger.balance("startup:1") == 0.0
    assert math.isclose(ledger.balance("giant:x"), 10_000.0 - 300.0 + 100.0 - bills)
    assert not market.acquire("giant:x", "startup:1", 300.0, distressed=False)
    assert settled == [env.now]


# ---------------------------------------- mechanisms a mutation test found untested (2026-12-07)


def test_each_round_closed_takes_the_stage_penalty_off_a_deals_score() -> None:
    """MODEL.md 7.6: a deal's score ends in ``- score_stage_penalty * stage``: later rounds
    look worse to funds, all else equal. A mutation test (2026-12-07) flipped the sign and
    only the golden run noticed."""
    _, market, _, _ = _funding("funding.score_stage_penalty=0.6")
    at = functools.partial(market.score, 1.5, 2, 0.5, annual_revenue_mcny=10.0)
    assert at(stage=2) - at(stage=0) == pytest.approx(-2 * 0.6)
    assert at(stage=3) < at(stage=1) < at(stage=0)
    _, flat, _, _ = _funding("funding.score_stage_penalty=0")
    assert flat.score(1.5, 2, 0.5, 3, 10.0) == flat.score(1.5, 2, 0.5, 0, 10.0)


def test_a_closed_round_resets_the_failed_round_count_and_the_ask_goes_back_to_full_value(
) -> None:
    """MODEL.md 7.5/7.6: the ask is cut for each round failed *since the last close*, and a
    company offers itself for sale after ``max_failed_rounds`` of them: a round that closes
    sets the count back to 0. A mutation test (2026-12-07) removed the reset and no test
    failed (67 values of the 120-month run moved)."""
    env, market, ledger, _ = _funding("funding.ask_cut_per_failed_round=0.25")
    market.register_startup("startup:0")
    market.register_fund("fund:a", FundTerms(0.0, 60.0, 12.0))
    ledger.transfer(0.0, "ext:lps", "fund:a", 1000.0, "lp")
    market.request(RaiseRequest("startup:0", 100.0, 400.0, 1.0, 0, env.now))
    _close(env, market)   # no term sheet: it fails
    assert market.failed_rounds("startup:0") == 1
    assert market.asking_price(400.0, market.failed_rounds("startup:0")) == 300.0
    market.request(RaiseRequest("startup:0", 100.0, 300.0, 1.0, 0, env.now))
    market.commit(TermSheet("fund:a", "startup:0", 100.0, lead=True))
    _close(env, market)
    assert market.stage("startup:0") == 1
    assert market.failed_rounds("startup:0") == 0
    assert market.asking_price(400.0, market.failed_rounds("startup:0")) == 400.0
    market.request(RaiseRequest("startup:0", 100.0, 400.0, 1.0, 1, env.now))
    _close(env, market)   # counting starts again from the close
    assert market.failed_rounds("startup:0") == 1


@pytest.mark.parametrize("discount", [0.6, 0.25])
def test_a_distressed_company_asks_its_value_less_the_distressed_discount(
        discount: float) -> None:
    """MODEL.md 7.5: a company that must sell offers itself at pre-money x (1 -
    ``distressed_discount``). A mutation test (2026-12-07) priced it at pre-money x discount
    and no test failed (18 values of the 120-month run moved)."""
    _, market, _, _ = _funding(f"funding.distressed_discount={discount}")
    assert market.distressed_price(250.0) == pytest.approx(250.0 * (1 - discount))
    _, whole, _, _ = _funding("funding.distressed_discount=0")
    assert whole.distressed_price(250.0) == 250.0


@pytest.mark.parametrize("elasticity", [1.0, 0.5, 0.0])
def test_vendors_ship_more_the_further_the_gpu_price_stands_above_cost(elasticity: float) -> None:
    """MODEL.md 7.3: supply = capacity x growth x (price / production_cost)^
    ``supply_price_elasticity``: at twice the cost, 2^elasticity times what they ship at
    cost (at elasticity 0 the price does not matter). A mutation test (2026-12-07) set the
    response to 1 and only a test of something else failed. Vendors that ship their
    capacity (``made_to_order`` false) show it in one month's arrivals."""
    cost = _CONFIG.compute.production_cost_mcny

    def shipped(price: float) -> float:
        _, market, _, _ = _compute(made_to_order="false", initial_gpu_price_mcny=price,
                                   supply_price_elasticity=elasticity)
        market.supply_month()
        return market.supply_this_month()

    at_cost = shipped(cost)
    assert at_cost == pytest.approx(_CONFIG.compute.imported_supply_per_month
                                    + _CONFIG.compute.domestic_supply_per_month)
    assert shipped(2 * cost) == pytest.approx(2**elasticity * at_cost)
    assert shipped(cost / 2) == pytest.approx(0.5**elasticity * at_cost)


def test_rent_scales_with_the_gpu_months_wanted_over_those_offered() -> None:
    """MODEL.md 7.3: after the rentals clear, rent = ownership cost x (1 + cloud_margin) x
    ((wanted + 1) / (offered + 1))^``rental_scarcity_elasticity`` (never below the
    electricity): at one GPU price a scarce month makes it dearer, a slack one cheaper. A
    mutation test (2026-12-07) dropped the scarcity term and only a test of something else
    failed."""
    elasticity = 0.5

    def rent(wanted: float, offered: float) -> float:
        _, market, _, _ = _compute(rental_scarcity_elasticity=elasticity)
        market.offer_rental(RentalOffer("giant:a", offered))
        market.request_rental(RentalRequest("startup:1", wanted))   # no cash: rents nothing
        market.clear_rentals({"startup:1": ActorType.STARTUP})
        anchor = market.ownership_cost_mcny_per_gpu_month() * (1 + _CONFIG.compute.cloud_margin)
        assert market.rental_price_mcny > market.electricity_mcny_per_gpu_month()   # not floored
        assert market.rental_price_mcny == pytest.approx(
            anchor * ((wanted + 1) / (offered + 1)) ** elasticity)
        return market.rental_price_mcny

    scarce, slack, even = rent(799.0, 199.0), rent(99.0, 399.0), rent(300.0, 300.0)
    assert scarce / slack == pytest.approx((800 / 200 * 400 / 100) ** elasticity)   # 4
    assert slack < even < scarce


def test_clouds_keep_their_rent_in_a_month_nobody_asks_for_any() -> None:
    """A month with no requests says nothing of demand: the rent stays. Until 2026-12-07
    it fell to the scarcity term at one GPU wanted against the whole spare fleet, and the
    first month's renters (month 0 has no startups) paid a fifth of the rent after it."""
    _, market, _, _ = _compute()
    before = market.rental_price_mcny
    market.offer_rental(RentalOffer("giant:a", 100_000.0))
    market.clear_rentals({})
    assert market.rental_price_mcny == before
    market.offer_rental(RentalOffer("giant:a", 100_000.0))
    market.request_rental(RentalRequest("startup:1", 10.0))   # no cash: rents nothing
    market.clear_rentals({"startup:1": ActorType.STARTUP})
    assert market.rental_price_mcny < before   # a request for little of a big offer


def test_delivered_gpus_are_domestic_in_their_share_of_supply_and_burn_more_power() -> None:
    """MODEL.md 7.3: each delivery carries the domestic share of the month's supply, and a
    domestic GPU (``domestic_performance`` A100-eq) draws 1/domestic_performance of an
    A100's electricity per A100-eq: the fleet's bill is weighted by its mix. A mutation test
    (2026-12-07) delivered every GPU as imported and no test failed (73 values of the
    120-month run moved)."""
    env, market, _, log = _compute(lead_time_months=0, imported_supply_per_month=3000,
                                   domestic_supply_per_month=1000, supply_growth_per_year=0,
                                   supply_price_elasticity=0, domestic_performance=0.5)
    env.process(_supply_loop(env, market, 3))
    market.buy("giant:x", ActorType.GIANT, 400.0)
    env.run(until=3)
    assert market.domestic_share_of_supply() == 0.25
    assert market.owned("giant:x") == 400.0
    assert market._owned_domestic["giant:x"] == pytest.approx(100.0)
    deliveries = [r for r in log.rows() if r["kind"] == EventKind.GPU_DELIVERY]
    assert deliveries and all(r["price"] == pytest.approx(0.25) for r in deliveries)
    imported = market.electricity_mcny_per_gpu_month()
    assert market.electricity_mcny_per_gpu_month(domestic=True) == pytest.approx(2 * imported)
    assert market.fleet_electricity_mcny("giant:x") == pytest.approx((300 + 2 * 100) * imported)
    serving = market.electricity_mcny_per_gpu_month(serving=True)
    assert market.fleet_electricity_mcny("giant:x", serving_share=1.0) == pytest.approx(
        (300 + 2 * 100) * serving)



@pytest.mark.parametrize("gpu_share", [0.0, 0.25])
def test_each_million_of_annual_revenue_adds_the_revenue_multiple_to_the_pre_money(
        gpu_share: float) -> None:
    """MODEL.md 7.6: pre-money = (story value x H^e + ``revenue_multiple`` x annual revenue)
    x (1 - heavy-asset discount x GPU share): at the same story and hype, a company earning
    R a year is worth revenue_multiple x R more (less the heavy-asset discount) than one
    earning nothing. A mutation audit (2026-12-07) dropped the revenue term and no test
    of it failed."""
    _, market, _, _ = _funding()
    c = market._cfg
    assert c.revenue_multiple > 0
    at = functools.partial(market.pre_money, 1.5, 2, 0.5, 1, gpu_asset_share=gpu_share)
    for revenue in (10.0, 250.0):
        assert at(annual_revenue_mcny=revenue) - at(annual_revenue_mcny=0.0) == pytest.approx(
            c.revenue_multiple * revenue * (1 - c.heavy_asset_discount * gpu_share))


@pytest.mark.parametrize("elasticity", [None, 0.5, 2.0])
def test_a_story_is_worth_hype_to_the_valuation_hype_elasticity(
        elasticity: float | None) -> None:
    """MODEL.md 7.6 (seed 004: valuations follow the hype): a company without revenue is
    worth story value x H^``valuation_hype_elasticity``, so doubling the hype multiplies its
    pre-money by 2^elasticity. Stage 0 keeps the story itself free of the hype (the
    ``stage_hype_lift`` acts per round closed). A mutation audit (2026-12-07) dropped the
    hype factor and no test of it failed."""
    _, market, _, _ = _funding(*([] if elasticity is None
                                 else [f"funding.valuation_hype_elasticity={elasticity}"]))
    e = market._cfg.valuation_hype_elasticity
    at = functools.partial(market.pre_money, releases=2, rank_percentile=0.5, stage=0,
                           annual_revenue_mcny=0.0, gpu_asset_share=0.0)
    assert at(2.0) / at(1.0) == pytest.approx(2.0**e)
    assert at(3.0) / at(1.5) == pytest.approx(2.0**e)


def test_revenue_lifts_a_deals_score_by_its_weight_times_log1p_of_revenue_over_its_scale(
) -> None:
    """MODEL.md 7.6: a deal's score holds ``score_revenue_weight`` x ln(1 + revenue /
    ``revenue_scale_mcny``): funds like a company with revenue, with returns diminishing
    in it. A mutation audit (2026-12-07) dropped the revenue term and no test of it
    failed."""
    _, market, _, _ = _funding()
    c = market._cfg
    assert c.score_revenue_weight > 0
    at = functools.partial(market.score, 1.5, 2, 0.5, 1)
    for revenue in (c.revenue_scale_mcny, 37.0, 1000.0):
        assert at(annual_revenue_mcny=revenue) - at(annual_revenue_mcny=0.0) == pytest.approx(
            c.score_revenue_weight * math.log1p(revenue / c.revenue_scale_mcny))
    assert at(annual_revenue_mcny=c.revenue_scale_mcny) - at(annual_revenue_mcny=0.0) == (
        pytest.approx(c.score_revenue_weight * math.log(2)))


def test_hype_lifts_a_deals_score_by_its_weight_times_log_hype() -> None:
    """MODEL.md 7.6 (seed 004: in a boom funds chase deals): a deal's score holds
    ``score_hype_weight`` x ln H, so at H = e it stands score_hype_weight above the same
    deal at H = 1 (the story term reads the story at stage 0, untouched by the hype). A
    mutation audit (2026-12-07) dropped the hype term and no test of it failed."""
    _, market, _, _ = _funding()
    c = market._cfg
    assert c.score_hype_weight > 0
    at = functools.partial(market.score, releases=2, rank_percentile=0.5, stage=1,
                           annual_revenue_mcny=10.0)
    assert at(math.e) - at(1.0) == pytest.approx(c.score_hype_weight)
    assert at(4.0) - at(2.0) == pytest.approx(c.score_hype_weight * math.log(2))


def test_a_top_ranked_company_tells_a_story_rank_story_bonus_better() -> None:
    """MODEL.md 7.6 (seed 004: leaderboard rank lifts a company's story): the story holds
    (1 + ``rank_story_bonus`` x rank percentile), so the top of the leaderboard (1) is worth
    1 + rank_story_bonus times the bottom (0), whatever the releases, stage and hype. A
    mutation audit (2026-12-07) dropped the rank term and no test of it failed."""
    _, market, _, _ = _funding()
    bonus = market._cfg.rank_story_bonus
    assert bonus > 0
    for releases, stage, hype in ((0, 0, 1.0), (3, 2, 1.8)):
        bottom = market.story_factor(releases, 0.0, stage, hype)
        assert market.story_factor(releases, 1.0, stage, hype) / bottom == pytest.approx(
            1 + bonus)
        assert market.story_factor(releases, 0.5, stage, hype) / bottom == pytest.approx(
            1 + 0.5 * bonus)


@pytest.mark.parametrize(("lead", "follower"), [(None, None), (0.6, 0.1)])
def test_a_lead_takes_the_lead_share_of_a_round_and_a_follower_the_follower_share(
        lead: float | None, follower: float | None) -> None:
    """MODEL.md 7.6: a fund bids ``lead_share`` of a round's target when no lead has
    committed yet, ``follower_ticket_share`` of it when one has (``Fund`` bids
    ticket_share x target, capped by room and cash). A mutation audit (2026-12-07) gave
    followers the lead's share and no test of it failed."""
    overrides = [] if lead is None else [f"funding.lead_share={lead}",
                                         f"funding.follower_ticket_share={follower}"]
    _, market, _, _ = _funding(*overrides)
    c = market._cfg
    assert c.lead_share != c.follower_ticket_share
    assert market.ticket_share(lead=True) == c.lead_share
    assert market.ticket_share(lead=False) == c.follower_ticket_share


def _imported_and_domestic_shipped(month: float, controls: tuple[float, ...] = (),
                                   **changes: object) -> float:
    """GPUs the vendors ship at ``month`` after the export ``controls`` (supply cuts), the
    price held at the production cost: vendors that ship their capacity (``made_to_order``
    false) show it in the month's arrivals."""
    env, market, _, _ = _compute(made_to_order="false", supply_price_elasticity=0, **changes)
    for cut in controls:
        market.export_control(cut)
    if month > 0:
        env.run(until=month)
    market.supply_month()
    return market.supply_this_month()


def test_vendor_capacity_grows_by_supply_growth_per_year() -> None:
    """MODEL.md 7.3 (seed 003: China's compute grows ~30% a year): supply = capacity x
    (1 + ``supply_growth_per_year``)^(month / 12): a year on, with no export control
    between, the vendors ship 1 + growth times month 0's, half a year on the square root
    of it. A mutation audit (2026-12-07) dropped the growth and no test of it failed."""
    growth = _CONFIG.compute.supply_growth_per_year
    assert growth > 0
    start = _imported_and_domestic_shipped(0)
    assert start == pytest.approx(_CONFIG.compute.imported_supply_per_month
                                  + _CONFIG.compute.domestic_supply_per_month)
    assert _imported_and_domestic_shipped(12) == pytest.approx((1 + growth) * start)
    assert _imported_and_domestic_shipped(6) == pytest.approx((1 + growth) ** 0.5 * start)


def test_export_controls_compound_on_what_the_last_one_left() -> None:
    """MODEL.md 7.3: each export control cuts the imported supply that is left by its
    ``supply_cut``: two cuts of a half leave a quarter, not a half (the second does not
    replace the first) and not nothing (they do not add). Domestic supply is untouched. A
    mutation audit (2026-12-07) let the last control replace the earlier ones and no test
    of it failed."""
    imported_only = {"domestic_supply_per_month": 0}
    full = _imported_and_domestic_shipped(0, **imported_only)
    assert full > 0
    assert _imported_and_domestic_shipped(0, (0.5,), **imported_only) == pytest.approx(full / 2)
    assert _imported_and_domestic_shipped(0, (0.5, 0.5), **imported_only) == pytest.approx(
        full / 4)
    assert _imported_and_domestic_shipped(0, (0.5, 0.8), **imported_only) == pytest.approx(
        full * 0.5 * 0.2)
    domestic_only = {"imported_supply_per_month": 0}
    assert _imported_and_domestic_shipped(0, (0.5, 0.5), **domestic_only) == pytest.approx(
        _CONFIG.compute.domestic_supply_per_month)


def test_in_a_deep_glut_rent_falls_to_the_electricity_and_no_lower() -> None:
    """MODEL.md 7.3 and seed 004: clouds price rent at ownership cost plus margin, scaled
    by scarcity, and never below the electricity a GPU-month burns: a cloud renting below
    it would lose money on every GPU-month it rents. With one GPU-month wanted of a
    million offered the scarcity term alone would price rent far below the power bill.
    A mutation audit (2026-12-07) dropped the floor and no test of it failed."""
    _, market, _, _ = _compute(rental_scarcity_elasticity=1.0)
    market.offer_rental(RentalOffer("giant:a", 1_000_000.0))
    market.request_rental(RentalRequest("startup:1", 1.0))   # no cash: rents nothing
    market.clear_rentals({"startup:1": ActorType.STARTUP})
    power = market.electricity_mcny_per_gpu_month()
    anchor = market.ownership_cost_mcny_per_gpu_month() * (1 + _CONFIG.compute.cloud_margin)
    assert anchor * (1 + 1) / (1_000_000 + 1) < power / 10   # unfloored, far below the bill
    assert market.rental_price_mcny == pytest.approx(power)
