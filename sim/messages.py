"""Typed, frozen messages through which agents and markets talk.

No agent writes another's fields: it puts one of these into a market, and
the market (which owns the shared records) acts on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ModelKind(StrEnum):
    """How a model was built (seed 004)."""

    ORIGINAL = "original"
    SHELL = "shell"
    ASSEMBLED = "assembled"
    APPLICATION = "application"


class Channel(StrEnum):
    """How a buyer pays a vendor."""

    API = "api"
    CONTRACT = "contract"


@dataclass(frozen=True, slots=True)
class GpuOrder:
    """A purchase of GPUs, paid when placed, delivered after the lead time."""

    buyer: str
    gpus: float
    price_mcny: float
    month: float


@dataclass(frozen=True, slots=True)
class RentalRequest:
    """A request for cloud GPU-months this month."""

    renter: str
    gpu_months: float


@dataclass(frozen=True, slots=True)
class RentalOffer:
    """Spare GPU capacity a giant's cloud offers this month."""

    cloud: str
    gpu_months: float


@dataclass(frozen=True, slots=True)
class RaiseRequest:
    """A startup asks the funding market for money."""

    startup: str
    target_mcny: float
    pre_money_mcny: float
    score: float
    stage: int
    month: float


@dataclass(frozen=True, slots=True)
class TermSheet:
    """A fund's commitment to a round."""

    fund: str
    startup: str
    amount_mcny: float
    lead: bool


@dataclass(frozen=True, slots=True)
class Offer:
    """A vendor's current product: capability per domain, API price, deployment."""

    vendor: str
    vendor_type: str
    domain_capability: tuple[float, ...]
    hallucination: tuple[float, ...]
    api_price_cny_per_mtok: float
    private_deployment: bool
    domain: int


@dataclass(frozen=True, slots=True)
class Tender:
    """A buyer's call for a custom project."""

    tender_id: int
    buyer: int
    segment: int
    domain: int
    value_mcny: float
    term_months: float
    private: bool
    month: float


@dataclass(frozen=True, slots=True)
class Bid:
    """A vendor's standing bid for this month's tenders.

    It asks ``price_share`` times a tender's value (over the whole term) for every
    open tender in ``domains`` (``None``: all domains), private-deployment tenders
    only if ``private_ok``. Vendors price projects as a share of their value, so one
    standing bid per month is the same as one bid per tender.
    """

    vendor: str
    price_share: float
    domains: tuple[int, ...] | None
    private_ok: bool


@dataclass(frozen=True, slots=True)
class SaleOffer:
    """A startup offers itself for sale (distressed) or is open to a strategic bid."""

    startup: str
    asking_mcny: float
    distressed: bool
    month: float
