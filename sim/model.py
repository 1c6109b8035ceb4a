"""MarketModel: wires the actors and markets of one run and runs it.

Processes, each starting at its phase offset (:class:`sim.world.Phase`):
the environment (shocks, open releases, export controls, GPU supply,
hype), the giants (all in one, in an order drawn each month), the
startup entry process and one per founding cohort of startups (its companies
act in founding order), the fund vintages and the funds' months (all in one,
in an order drawn each month), the funding market's close, the rental
market's close (the GPU price moves there), the buyer population, and the metrics
recorder.
"""

from __future__ import annotations

import gc
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import simpy

from sim.agents.buyers import BuyerPopulation
from sim.agents.fund import FundVintages
from sim.agents.giant import Giant
from sim.agents.startup import StartupEntry
from sim.config import BaimoConfig
from sim.environment.data import DataPool
from sim.environment.hype import HypeIndex
from sim.environment.leaderboard import Leaderboard
from sim.environment.open_source import OpenSourceFrontier
from sim.environment.regulation import Regulator
from sim.events import ActorType, EventKind, EventLog
from sim.ledger import Ledger
from sim.markets.compute import ComputeMarket
from sim.markets.funding import FundingMarket
from sim.markets.procurement import EnterpriseMarket
from sim.metrics import MetricsRecorder
from sim.rng import Streams
from sim.world import Phase, RunawayError, World

WORLD = "world"
#: The prices :meth:`MarketModel.limit_prices` watches: metrics column -> (what, unit, the
#: settings that move it most).
LIMITED_PRICES = {
    "gpu_price_mcny": ("the GPU price", "million CNY per A100-eq",
                       "compute.price_adjust_speed, compute.price_reversion and the supply"),
    "rental_price_mcny": ("the rent", "million CNY per A100-eq-month",
                          "compute.rental_scarcity_elasticity, compute.cloud_margin and the "
                          "GPU price"),
    "maas_price_cny_per_mtok": ("the giants' mean API price", "CNY per million tokens",
                                "giants.share_price_elasticity, giants.share_target and "
                                "giants.target_markup"),
}


@dataclass
class RunResult:
    """What a finished run hands to the output layer."""

    model: MarketModel
    events: EventLog
    metrics: list[dict]


class MarketModel:
    """One simulated market from ``start_date`` (December 2022 by default), for
    ``horizon_months``."""

    def __init__(self, cfg: BaimoConfig) -> None:
        self.cfg = cfg
        env = simpy.Environment()
        streams = Streams(cfg.seed)
        ledger = Ledger()
        log = EventLog()
        self.world = World(
            env=env, ledger=ledger, log=log, streams=streams, capability=cfg.capability,
            hype=HypeIndex(cfg.hype), open_source=OpenSourceFrontier(cfg.open_source),
            data=DataPool(cfg.data),
            regulator=Regulator(env, cfg.regulation),
            leaderboard=Leaderboard(), compute=ComputeMarket(env, cfg.compute, ledger, log),
            funding=FundingMarket(env, cfg.funding, cfg.funds, ledger, log),
            enterprise=EnterpriseMarket(env), domains=tuple(cfg.startups.domains),
        )
        w = self.world
        self.giants = [Giant(w, cfg.giants, cfg.data, i, streams.get("giant", i))
                       for i in range(len(cfg.giants.names))]
        self.entry = StartupEntry(w, cfg.startups, cfg.data)
        self.vintages = FundVintages(w, cfg.funds)
        self.buyers = BuyerPopulation(w, cfg.buyers)
        self.recorder = MetricsRecorder(self)
        env.process(self.environment())
        env.process(self.giants_act())
        env.process(self.entry.run())
        env.process(self.vintages.run())
        env.process(self.close_rounds())
        env.process(self.close_rentals())
        env.process(self.buyers.run())
        env.process(self.limit_events())
        env.process(self.recorder.run())
        env.process(self.limit_prices())   # after the recorder: reads the month's snapshot

    @property
    def startups(self) -> list:
        """Every startup ever founded."""
        return self.entry.startups

    @property
    def funds(self) -> list:
        """Every fund ever raised."""
        return self.vintages.funds

    # ------------------------------------------------------------ market processes
    def giants_act(self) -> Generator[simpy.Event, None, None]:
        """Every giant's month, in an order drawn afresh each month.

        The order matters where giants meet: GPU orders placed at the same moment are
        served first come, first served when supply is short, and the first giant to look
        picks among the startups for sale. Each giant was its own process, so the list's
        order (Baidu first, JD last) broke every such tie.
        """
        w = self.world
        order = w.streams.get("giant_order")
        yield w.env.timeout(Phase.GIANTS)
        while True:
            for k in order.permutation(len(self.giants)).tolist():
                self.giants[k].month()
            yield w.env.timeout(1)

    def environment(self) -> Generator[simpy.Event, None, None]:
        """Shocks, open releases and export controls when due; GPU supply and hype monthly."""
        w = self.world
        cfg = self.cfg
        shocks = sorted(cfg.hype.shocks, key=lambda s: s.month)
        controls = sorted(cfg.compute.export_controls, key=lambda c: c.month)
        releases = w.open_source.release_months()
        yield w.env.timeout(Phase.ENVIRONMENT)
        while True:
            month_end = w.now + 1
            # A shock or control takes effect now, at the start of the month its date falls
            # in, and is logged now: dated later in the month, the log put effects (startups
            # founded on the shock's hype) before their cause. Its amount is the change the
            # hype index made, which the index's floor may leave short of the shock's size.
            for shock in shocks:
                if w.now <= shock.month < month_end:
                    before = w.hype.level
                    w.hype.shock(shock.size)
                    w.log.record(w.now, EventKind.SHOCK, WORLD, ActorType.MARKET,
                                 amount_mcny=w.hype.level - before, label=shock.label,
                                 reason="hype")
            for ctl in controls:
                if w.now <= ctl.month < month_end:
                    w.compute.export_control(ctl.supply_cut)
                    w.log.record(w.now, EventKind.SHOCK, WORLD, ActorType.MARKET,
                                 label=ctl.label, reason="export_control", price=ctl.supply_cut)
            for when in releases:
                if w.now <= when < month_end:
                    w.log.record(when, EventKind.SHOCK, WORLD, ActorType.MARKET,
                                 capability=w.open_source.capability(when),
                                 label="open-source release", reason="open_source")
            w.compute.wear_out()
            w.compute.supply_month()
            w.data.diffuse()
            yield w.env.timeout(1)
            w.hype.advance()

    def close_rounds(self) -> Generator[simpy.Event, None, None]:
        """The funding market's monthly close."""
        w = self.world
        yield w.env.timeout(Phase.FUNDING)
        while True:
            yield w.env.process(w.funding.clear())
            w.hype.note_funding(w.funding.raised_this_month)
            yield w.env.timeout(1)

    def close_rentals(self) -> Generator[simpy.Event, None, None]:
        """The compute market's monthly close: GPU price, then rentals."""
        w = self.world
        yield w.env.timeout(Phase.RENTALS)
        while True:
            w.compute.reprice()
            w.compute.clear_rentals(w.actor_types)
            yield w.env.timeout(1)

    def limit_events(self) -> Generator[simpy.Event, None, None]:
        """RunawayError once the event log passes ``max_events`` (checked at the end of each
        month): events, most of them the buyers' tenders and contracts (or, in a market
        founding startups without bound, the startups' rentals), grow as buyers x months,
        and the run's memory with them; a run too large for the machine would
        otherwise end in the system's out-of-memory kill, without a word."""
        w = self.world
        limit = self.cfg.max_events
        yield w.env.timeout(Phase.METRICS)
        while True:
            if len(w.log) > limit:
                top, count = max(((kind, w.log.count(kind)) for kind in EventKind),
                                 key=lambda kc: kc[1])
                raise RunawayError(
                    f"max_events={limit} passed in month {int(w.now)}: {len(w.log):,} events, "
                    f"{count:,} of them {top} (buyers.count={self.cfg.buyers.count:,}, "
                    f"{len(self.startups):,} startups founded); memory grows with the events: "
                    "use fewer buyers or a shorter horizon_months, or raise max_events")
            yield w.env.timeout(1)

    def limit_prices(self) -> Generator[simpy.Event, None, None]:
        """RunawayError once the GPU price, the rent or the giants' mean API price passes
        ``max_price_multiple`` times its month-0 level (read off each month's snapshot): a
        price compounding without check (``compute.price_adjust_speed=2`` with no supply and
        no reversion) reached 1e103 million CNY per A100-eq in 120 months and overflowed in
        600, where the run failed with a traceback on a purchase of NaN million CNY."""
        w = self.world
        limit = self.cfg.max_price_multiple
        rows = self.recorder.rows
        yield w.env.timeout(Phase.METRICS)
        while True:
            first, now = rows[0], rows[-1]
            for key, (what, unit, settings) in LIMITED_PRICES.items():
                if first[key] > 0 and now[key] > limit * first[key]:
                    raise RunawayError(
                        f"max_price_multiple={limit} passed in month {int(w.now)}: {what} "
                        f"{now[key]:.3g} {unit}, {now[key] / first[key]:.3g} times month "
                        f"0's {first[key]:.3g}; a price compounding without check: look at "
                        f"{settings}, or raise max_price_multiple")
            yield w.env.timeout(1)

    # ------------------------------------------------------------ run
    def run(self) -> RunResult:
        """Run to the last monthly snapshot and hand back the raw tables."""
        with collector_paused():
            self.world.env.run(until=self.recorder.finished)
        return RunResult(self, self.world.log, self.recorder.rows)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for a run; restore it as it was.

    A run allocates steadily (ledger transfers, event rows, SimPy events) and frees
    almost everything by reference counting: at 100,000 buyers the collector's
    full passes walk the growing ledger and event tables for ~6% of the run's CPU
    time and find ~7,000 objects in cycles, which wait for the next collection
    after the run (issue 6, docs/PERFORMANCE.md).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
