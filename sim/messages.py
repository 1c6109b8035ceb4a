"""Typed, immutable messages through which agents and markets talk.

No agent writes another's fields: it puts one of these into a market, and
the market (which owns the shared records) acts on it. Messages are named
tuples: as immutable as frozen dataclasses at about a third of the cost to
build (vendors post some 60,000 offers and bids a run at 100,000 buyers), and
a market can read a month's messages field by field (``zip(*messages)``).
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Any, NamedTuple


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


class GpuOrder(NamedTuple):
    """A purchase of GPUs, paid when placed, delivered after the lead time."""

    buyer: str
    gpus: float
    price_mcny: float
    month: float


class RentalRequest(NamedTuple):
    """A request for cloud GPU-months this month."""

    renter: str
    gpu_months: float


class RentalOffer(NamedTuple):
    """Spare GPU capacity a giant's cloud offers this month."""

    cloud: str
    gpu_months: float


class RaiseRequest(NamedTuple):
    """A startup asks the funding market for money."""

    startup: str
    target_mcny: float
    pre_money_mcny: float
    score: float
    stage: int
    month: float


class TermSheet(NamedTuple):
    """A fund's commitment to a round."""

    fund: str
    startup: str
    amount_mcny: float
    lead: bool


class Offer(NamedTuple):
    """A vendor's current product: capability per domain, API price, deployment."""

    vendor: str
    vendor_type: str
    domain_capability: tuple[float, ...]
    hallucination: tuple[float, ...]
    api_price_cny_per_mtok: float
    private_deployment: bool
    domain: int


class Tender(NamedTuple):
    """A buyer's call for a custom project."""

    tender_id: int
    buyer: int
    segment: int
    domain: int
    value_mcny: float
    term_months: float
    private: bool
    month: float


class Bid(NamedTuple):
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


class SaleOffer(NamedTuple):
    """A startup offers itself for sale (distressed) or is open to a strategic bid."""

    startup: str
    asking_mcny: float
    distressed: bool
    month: float


def by_field(messages: Sequence[Any], kind: type[Any]) -> dict[str, tuple[Any, ...]]:
    """``messages`` of one ``kind`` (non-empty), field by field: each field's values in
    the order the messages were put (one pass in C, not one Python loop per field)."""
    return dict(zip(kind._fields, zip(*messages, strict=True), strict=True))
