"""The event log: one row per thing that happened, the model's primary output."""

from __future__ import annotations

import math
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import numpy as np

# pandas and Arrow are imported where a table is built (EventLog.table): a run needs them
# only for its outputs, and the model's modules load without them.
if TYPE_CHECKING:
    import pyarrow as pa


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


#: Reasons of a ``write_off``: a bankrupt company's stakes (lost), or the stakes a closing
#: fund could not sell, passed to its LPs in kind (the shares change hands; nothing is lost).
WRITE_OFF_BANKRUPT = "bankrupt"
WRITE_OFF_IN_KIND = "term_ended"


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


#: Column names of events.parquet, in order.
COLUMNS = (*BASE_COLUMNS, *EXTRA_COLUMNS)
#: Columns of events.parquet holding true or false (null where the event has no such flag:
#: ``down_round`` is set on closed rounds only).
FLAG_COLUMNS = frozenset(["down_round"])
#: Columns of events.parquet holding text: the actors, the kind, and the other extra
#: columns whose fill is None.
TEXT_COLUMNS = frozenset(
    ["kind", "actor", "actor_type", "counterparty", *(k for k, v in EXTRA_COLUMNS.items()
                                                      if v is None)]
) - FLAG_COLUMNS
#: The other columns: numbers (million CNY, months, ...), NaN where unset.
FLOAT_COLUMNS = frozenset(COLUMNS) - TEXT_COLUMNS - FLAG_COLUMNS


class EventBatch:
    """Many events recorded at once, as columns (a scalar stands for the whole column).

    Actors are ``f"{actor_prefix}{id}"`` for the integer ``actor_ids``; the names are
    only spelled out when the log is turned into a table.
    """

    __slots__ = ("actor_ids", "actor_prefix", "columns", "n")

    def __init__(self, actor_prefix: str, actor_ids: np.ndarray, columns: dict[str, Any]) -> None:
        self.actor_prefix = actor_prefix
        self.actor_ids = actor_ids
        self.columns = columns
        self.n = len(actor_ids)

    def column(self, name: str) -> np.ndarray:
        """One column as an array of ``n`` values (floats for numeric columns)."""
        if name == "actor":
            prefix = self.actor_prefix
            return np.array([f"{prefix}{i}" for i in self.actor_ids.tolist()], dtype=object)
        value = self.columns[name] if name in self.columns else _FILL[name]
        dtype = np.float64 if name in FLOAT_COLUMNS else object
        if isinstance(value, np.ndarray):
            return value.astype(dtype, copy=False)
        return np.full(self.n, value, dtype=dtype)

    def arrow(self, name: str) -> pa.Array:
        """One column as an Arrow array: float64, bool or text (large_string), null for None.

        A shared scalar is repeated and the actors are joined to their prefix by Arrow,
        so no Python string is made per event."""
        import pyarrow as pa
        import pyarrow.compute as pc

        if name == "actor" and self.actor_ids.dtype.kind in "iu":
            ids = pc.cast(pa.array(self.actor_ids), pa.large_string())
            return pc.binary_join_element_wise(pa.scalar(self.actor_prefix, pa.large_string()),
                                               ids, pa.scalar("", pa.large_string()))
        value = self.columns[name] if name in self.columns else _FILL[name]
        if name in FLOAT_COLUMNS or isinstance(value, np.ndarray) or name == "actor":
            return _arrow_column(name, self.column(name))
        if value is None:
            return pa.nulls(self.n, _arrow_type(name))
        return pa.repeat(_arrow_column(name, np.array([value], dtype=object))[0], self.n)

    def rows(self) -> list[dict[str, Any]]:
        """The batch as one dict per event (as :meth:`EventLog.record` would store it)."""
        cols = {name: self.column(name).tolist() for name in COLUMNS
                if name in BASE_COLUMNS or name in self.columns}
        return [dict(zip(cols, values, strict=True)) for values in zip(*cols.values(),
                                                                        strict=True)]


_FILL: dict[str, Any] = {"counterparty": None, "amount_mcny": math.nan, **EXTRA_COLUMNS}


def _arrow_type(name: str) -> pa.DataType:
    """Arrow type of column ``name``: float64, bool (a flag) or large_string (text)."""
    import pyarrow as pa

    if name in FLOAT_COLUMNS:
        return pa.float64()
    return pa.bool_() if name in FLAG_COLUMNS else pa.large_string()


def _arrow_column(name: str, values: np.ndarray | list[Any]) -> pa.Array:
    """Values of column ``name`` as an Arrow array: float64, bool (a flag) or large_string,
    with None as null."""
    import pyarrow as pa

    if name in FLOAT_COLUMNS:
        return pa.array(np.asarray(values, dtype=np.float64))
    return pa.array(values, type=_arrow_type(name), from_pandas=True)


_Single = tuple[float, str, str, str, "str | None", float, "dict[str, Any] | None"]


class EventLog:
    """Append-only record of events, in the order they happen.

    Single events are kept as tuples and batches (:meth:`record_batch`, used for the
    buyer population's thousands of contracts a month) as column arrays, so recording
    costs no dict per event; :meth:`columns` builds the table's columns in one pass.
    """

    def __init__(self) -> None:
        self._entries: list[_Single | EventBatch] = []
        self._len = 0

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
        if extra and not extra.keys() <= EXTRA_COLUMNS.keys():
            unknown = set(extra) - EXTRA_COLUMNS.keys()
            raise KeyError(f"unknown event columns {sorted(unknown)}")
        self._entries.append((float(month), str(kind), actor, str(actor_type), counterparty,
                              float(amount_mcny), extra or None))
        self._len += 1

    def record_batch(
        self,
        month: float,
        kind: EventKind | np.ndarray,
        actor_prefix: str,
        actor_ids: np.ndarray,
        actor_type: ActorType,
        counterparty: str | np.ndarray | None = None,
        amount_mcny: float | np.ndarray = math.nan,
        **extra: Any,
    ) -> None:
        """Append ``len(actor_ids)`` events at ``month``, actors ``f"{actor_prefix}{id}"``.

        Every other column is a scalar shared by the batch or an array with one value
        per event; ``kind`` may be an array of kind strings too.
        """
        n = len(actor_ids)
        if n == 0:
            return
        unknown = set(extra) - EXTRA_COLUMNS.keys()
        if unknown:
            raise KeyError(f"unknown event columns {sorted(unknown)}")
        columns: dict[str, Any] = {
            "month": float(month),
            "kind": kind if isinstance(kind, np.ndarray) else str(kind),
            "actor_type": str(actor_type),
            "counterparty": counterparty,
            "amount_mcny": amount_mcny,
            **extra,
        }
        for name, value in columns.items():
            if isinstance(value, np.ndarray) and len(value) != n:
                raise ValueError(f"event column {name} has {len(value)} values for {n} events")
        self._entries.append(EventBatch(actor_prefix, np.asarray(actor_ids), columns))
        self._len += n

    def __len__(self) -> int:
        return self._len

    @property
    def position(self) -> int:
        """A cursor for :meth:`rows_since`: how many entries (singles or batches) so far."""
        return len(self._entries)

    def rows_since(self, position: int, kind: EventKind | None = None) -> list[dict[str, Any]]:
        """Events (of ``kind``, or all) recorded since the cursor ``position``, as dicts."""
        out: list[dict[str, Any]] = []
        for entry in self._entries[position:]:
            if isinstance(entry, EventBatch):
                k = entry.columns["kind"]
                # A batch of mixed kinds (a switch: ended, then signed) is spelt out as
                # rows only if it holds one of the kind asked for.
                mixed = isinstance(k, np.ndarray)
                if kind is None or (bool((k == kind).any()) if mixed else k == kind):
                    out.extend(r for r in entry.rows() if kind is None or r["kind"] == kind)
            elif kind is None or entry[1] == kind:
                out.append(_single_row(entry))
        return out

    def rows(self) -> list[dict[str, Any]]:
        """Every event as a dict (built on each call: for tests and inspection)."""
        return self.rows_since(0)

    def count(self, kind: EventKind) -> int:
        """How many events of ``kind`` were recorded."""
        total = 0
        for entry in self._entries:
            if isinstance(entry, EventBatch):
                k = entry.columns["kind"]
                total += int((k == kind).sum()) if isinstance(k, np.ndarray) else (
                    entry.n if k == kind else 0)
            elif entry[1] == kind:
                total += 1
        return total

    def table(self) -> pa.Table:
        """Every event as an Arrow table in time order (ties in recording order), with the
        columns of :data:`COLUMNS`: float64 for numbers (NaN where absent), large_string
        for text (null where absent).

        Scheduled shocks are applied at the start of their month but dated exactly
        (ChatGPT at 0.5), so recording order is not quite time order. The table is built
        and put in order column by column from Arrow arrays, one per batch or run of
        single events: no Python object per event, and one column copied at a time (a
        100,000-buyer run's half a million events: its peak 667 -> 421 MiB, issue 6)."""
        import pyarrow as pa

        month = self._arrow_column("month")
        order = np.argsort(month.to_numpy(), kind="stable")
        in_order = bool(np.array_equal(order, np.arange(order.size)))
        columns: dict[str, pa.Array] = {}
        for name in COLUMNS:
            column = month if name == "month" else self._arrow_column(name)
            columns[name] = column if in_order else column.take(order)
        return pa.table(columns)

    def _arrow_column(self, name: str) -> pa.Array:
        """Column ``name`` in recording order: one Arrow array per batch or run of single
        events, joined."""
        import pyarrow as pa

        chunks: list[pa.Array] = []
        singles: list[_Single] = []
        position = COLUMNS.index(name) if name in BASE_COLUMNS else None

        def flush() -> None:
            if not singles:
                return
            if position is not None:
                values = [entry[position] for entry in singles]
            else:
                fill = EXTRA_COLUMNS[name]
                values = [fill if e[6] is None else e[6].get(name, fill) for e in singles]
            chunks.append(_arrow_column(name, values))
            singles.clear()

        for entry in self._entries:
            if isinstance(entry, EventBatch):
                flush()
                chunks.append(entry.arrow(name))
            else:
                singles.append(entry)
        flush()
        return pa.chunked_array(chunks, type=_arrow_type(name)).combine_chunks()


def _single_row(entry: _Single) -> dict[str, Any]:
    month, kind, actor, actor_type, counterparty, amount, extra = entry
    row = {"month": month, "kind": kind, "actor": actor, "actor_type": actor_type,
           "counterparty": counterparty, "amount_mcny": amount}
    if extra:
        row.update(extra)
    return row
