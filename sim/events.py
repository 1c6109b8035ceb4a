"""The event log: one row per thing that happened, the model's primary output."""

from __future__ import annotations

import math
from enum import StrEnum
from typing import Any


class EventKind(StrEnum):
    """Every kind of event a run can record (the output contract)."""

    FOUNDED = "founded"
    ROUND_CLOSED = "round_closed"
    ROUND_FAILED = "round_failed"
    GPU_PURCHASE = "gpu_purchase"
    GPU_DELIVERY = "gpu_delivery"
    GPU_RENTAL = "gpu_rental"
    MODEL_RELEASE = "model_release"
    TENDER = "tender"
    CONTRACT_SIGNED = "contract_signed"
    CONTRACT_ENDED = "contract_ended"
    PRICE_CHANGE = "price_change"
    PIVOT = "pivot"
    ACQUIRED = "acquired"
    IPO = "ipo"
    BANKRUPT = "bankrupt"
    SECONDARY_SALE = "secondary_sale"
    FUND_RAISED = "fund_raised"
    FUND_CLOSED = "fund_closed"
    WRITE_OFF = "write_off"
    DATA_PURCHASE = "data_purchase"
    SHOCK = "shock"


class ActorType(StrEnum):
    """Who acted."""

    GIANT = "giant"
    STARTUP = "startup"
    FUND = "fund"
    BUYER = "buyer"
    MARKET = "market"


#: Columns of events.parquet besides the required ones, with their fill value.
EXTRA_COLUMNS: dict[str, Any] = {
    "model_kind": None,
    "domain": None,
    "valuation_mcny": math.nan,
    "gpus": math.nan,
    "price": math.nan,
    "segment": None,
    "channel": None,
    "capability": math.nan,
    "stage": math.nan,
    "down_round": None,
    "reason": None,
    "label": None,
}
BASE_COLUMNS = ("month", "kind", "actor", "actor_type", "counterparty", "amount_mcny")


class EventLog:
    """Append-only record of events, in the order they happen."""

    def __init__(self) -> None:
        self._rows: list[dict[str, Any]] = []

    def record(
        self,
        month: float,
        kind: EventKind,
        actor: str,
        actor_type: ActorType,
        counterparty: str | None = None,
        amount_mcny: float = math.nan,
        **extra: Any,
    ) -> None:
        """Append one event; ``extra`` keys must be in :data:`EXTRA_COLUMNS`."""
        unknown = set(extra) - EXTRA_COLUMNS.keys()
        if unknown:
            raise KeyError(f"unknown event columns {sorted(unknown)}")
        row = {
            "month": float(month),
            "kind": str(kind),
            "actor": actor,
            "actor_type": str(actor_type),
            "counterparty": counterparty,
            "amount_mcny": float(amount_mcny),
        }
        row.update(extra)
        self._rows.append(row)

    def __len__(self) -> int:
        return len(self._rows)

    def rows(self) -> list[dict[str, Any]]:
        """The raw rows (read-only use)."""
        return self._rows

    def count(self, kind: EventKind) -> int:
        """How many events of ``kind`` were recorded."""
        return sum(1 for r in self._rows if r["kind"] == kind)
