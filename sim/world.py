"""What every agent can see: the clock, the ledger, the log and the markets.

Also the order of a month. Each process starts at its phase offset and then
advances one month at a time, so within a month things happen in this order.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import simpy

from sim.commands import OneLineError
from sim.config import CapabilityConfig
from sim.environment.data import DataPool
from sim.environment.hype import HypeIndex
from sim.environment.leaderboard import Leaderboard
from sim.environment.open_source import OpenSourceFrontier
from sim.environment.regulation import Regulator
from sim.events import ActorType, EventLog
from sim.ledger import Ledger
from sim.markets.compute import ComputeMarket
from sim.markets.funding import FundingMarket
from sim.markets.procurement import EnterpriseMarket
from sim.rng import Streams


class RunawayError(OneLineError, RuntimeError):
    """The market ran past a safety limit set in ``conf/`` (not a model parameter): it grew
    beyond anything the model was built and calibrated for, and would run out of memory or
    time before the horizon. The message is one line for the user: the limit, how far the
    run got, and the parameters that drove it."""


def entrants(rng: np.random.Generator, rate: float, founded: int, limit: int, limit_key: str,
             world: World, drivers: str) -> int:
    """A Poisson number of entrants (new firms this month) at ``rate`` (per month).

    Raises :class:`RunawayError` once ``founded`` so far plus them would pass ``limit`` (the
    config key ``limit_key``), or the month's expected entrants alone would pass it (then
    nothing is drawn): hype
    that feeds on its own releases and rounds makes entry grow without bound, and the run
    would exhaust memory or time long before its horizon. ``drivers`` names the parameters
    behind the rate, for the message.
    """
    if not rate <= limit:   # also a NaN or infinite rate
        # whole numbers once the rate is large; a small limit's rate in 3 digits ("1.11",
        # not "1 expected" against a limit of 1)
        what = (f"{rate:,.0f}" if rate >= 100 else f"{rate:.3g}") + " expected this month"
    else:
        count = int(rng.poisson(rate))
        if founded + count <= limit:
            return count
        what = f"{founded + count:,} founded"
    raise RunawayError(
        f"{limit_key}={limit} passed in month {int(world.now)}: {what} at hype "
        f"{world.hype.level:,.1f}; {drivers}, which releases and rounds feed "
        f"(hype.release_impulse, hype.funding_impulse_per_bn): lower these, or raise {limit_key}")


class Phase:
    """Offsets (months) of each activity within a month."""

    ENVIRONMENT = 0.0  # hype, open releases, shocks, GPU supply (the price moves at RENTALS)
    GIANTS = 0.1  # giants act
    ENTRY = 0.15  # new startups and fund vintages appear
    STARTUPS = 0.2  # startups act
    FUNDS = 0.3  # funds answer raise requests, collect fees, close
    FUNDING = 0.4  # funding market closes rounds
    RENTALS = 0.5  # GPU price moves, rental market clears
    BUYERS = 0.6  # buyers award, sign, churn, tender and pay
    METRICS = 0.95  # monthly snapshot


@dataclass
class World:
    """Shared, read-mostly context handed to every agent."""

    env: simpy.Environment
    ledger: Ledger
    log: EventLog
    streams: Streams
    capability: CapabilityConfig
    hype: HypeIndex
    open_source: OpenSourceFrontier
    data: DataPool
    regulator: Regulator
    leaderboard: Leaderboard
    compute: ComputeMarket
    funding: FundingMarket
    enterprise: EnterpriseMarket
    domains: tuple[str, ...]
    actor_types: dict[str, ActorType] = field(default_factory=dict)

    @property
    def now(self) -> float:
        """Current time in months since ``start_date`` (December 2022 by default)."""
        return self.env.now

    @property
    def month(self) -> int:
        """Current whole month."""
        return int(self.env.now)
