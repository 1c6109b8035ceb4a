"""docs/OUTPUTS.md: what every column and key of a run's output files means.

The page is built from the descriptions kept beside the code that writes each file:
:data:`sim.events.EVENT_KIND_MEANINGS`, :data:`sim.events.COMMON_COLUMN_MEANINGS` and
:data:`sim.events.EVENT_COLUMN_MEANINGS` (events.parquet), :data:`sim.metrics.METRIC_MEANINGS`
(metrics.parquet), :data:`sim.outputs.FUND_MEANINGS` (funds.parquet),
:data:`sim.outputs.REVENUE_MEANINGS` (revenue.parquet) and
:data:`sim.summary.SUMMARY_MEANINGS` (summary.json). Edit those, never the page, then:

    python -m sim.outputs_doc            # print the page
    python -m sim.outputs_doc --write    # rewrite docs/OUTPUTS.md
    python -m sim.outputs_doc --check    # exit 1 if docs/OUTPUTS.md is stale

tests/test_outputs_doc.py checks the page is current and the descriptions cover a run's
outputs.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from sim.configuration import ROOT
from sim.events import (
    COLUMNS,
    COMMON_COLUMN_MEANINGS,
    EVENT_COLUMN_MEANINGS,
    EVENT_KIND_MEANINGS,
    FLAG_COLUMNS,
    TEXT_COLUMNS,
    EventKind,
)
from sim.metrics import METRIC_COLUMNS, METRIC_MEANINGS
from sim.outputs import (
    COMPLETE,
    CONFIG,
    EVENTS,
    FUND_COLUMNS,
    FUND_MEANINGS,
    FUNDS,
    METRICS,
    PLOTS,
    REVENUE,
    REVENUE_COLUMNS,
    REVENUE_MEANINGS,
    SUMMARY,
    markdown_table,
)
from sim.summary import QUANTILE, SUMMARY_MEANINGS, TERM, YEAR, summary_key_pattern

if TYPE_CHECKING:
    import pandas as pd

OUTPUTS_DOC = ROOT / "docs" / "OUTPUTS.md"
#: The command that rewrites the page (named in its header and in the stale-page message).
WRITE_COMMAND = "python -m sim.outputs_doc --write"
#: summary.json's section for the keys about the run itself (top-level ones, environment).
RUN_SECTION = "The run itself"


#: events.parquet's columns that mean the same on every row, described once
#: (:data:`sim.events.COMMON_COLUMN_MEANINGS`) and not kind by kind; ``actor`` is described
#: by kind too (who acts differs).
EVERY_ROW = ("month", "kind", "actor_type")


def undescribed_event_columns(events: pd.DataFrame) -> list[tuple[str, str]]:
    """(kind, column) of each column that holds a value on some row of that kind in
    ``events`` (an events.parquet table) but has no description for the kind."""
    found = []
    for kind, rows in events.groupby("kind", sort=True):
        described = EVENT_COLUMN_MEANINGS.get(EventKind(str(kind)), {})
        found += [(str(kind), c) for c in rows.columns
                  if c not in EVERY_ROW and c not in described and rows[c].notna().any()]
    return found


def unfilled_event_columns(events: pd.DataFrame) -> list[tuple[str, str]]:
    """(kind, column) of each column described for a kind whose rows in ``events`` all
    leave it null (kinds without a row in ``events`` are not asked about)."""
    found = []
    for kind, rows in events.groupby("kind", sort=True):
        described = EVENT_COLUMN_MEANINGS.get(EventKind(str(kind)), {})
        found += [(str(kind), c) for c in described if rows[c].isna().all()]
    return found


def undescribed_summary_keys(summary: dict[str, Any]) -> list[str]:
    """The dotted paths of ``summary`` (a summary.json) with no description."""
    from sim.sweep.outcomes import flatten

    return [k for k in flatten(summary) if summary_key_pattern(k) not in SUMMARY_MEANINGS]


def unused_summary_descriptions(summary: dict[str, Any]) -> list[str]:
    """The described paths (patterns) no path of ``summary`` matches."""
    from sim.sweep.outcomes import flatten

    found = {summary_key_pattern(k) for k in flatten(summary)}
    return [k for k in SUMMARY_MEANINGS if k not in found]


def table(header: tuple[str, ...], rows: Iterable[tuple[str, ...]]) -> list[str]:
    """A Markdown table's lines, a ``|`` in a cell escaped (it would end the cell)."""
    return markdown_table(header, rows, pipe="\\|").split("\n")


def column_type(name: str) -> str:
    """How events.parquet holds column ``name``."""
    if name in FLAG_COLUMNS:
        return "true or false"
    return "text" if name in TEXT_COLUMNS else "number (float)"


def kind_columns(kind: EventKind) -> list[str]:
    """The columns described for ``kind``, in the table's column order."""
    return sorted(EVENT_COLUMN_MEANINGS[kind], key=COLUMNS.index)


def column_meaning(name: str) -> str:
    """What events.parquet's column ``name`` means on every row, or on which kinds' rows
    it is filled (its meaning there is the kind's)."""
    if name in COMMON_COLUMN_MEANINGS:
        return COMMON_COLUMN_MEANINGS[name]
    kinds = [f"[`{k}`](#{k})" for k in EventKind if name in EVENT_COLUMN_MEANINGS[k]]
    return "filled on " + ", ".join(kinds) + " rows: see each kind"


def first_sentence(text: str) -> str:
    """``text`` up to the end of its first sentence."""
    head, stop, _ = text.partition(". ")
    return head + "." if stop else text


def intro() -> list[str]:
    return [
        "# What a run writes: every column and key",
        "",
        f"<!-- generated by {WRITE_COMMAND} from the descriptions beside the code "
        "(sim/events.py, sim/metrics.py, sim/outputs.py, sim/summary.py): edit those, "
        "not this page -->",
        "",
        f"A run's directory holds `{EVENTS}`, `{METRICS}`, `{FUNDS}`, `{REVENUE}`, "
        f"`{SUMMARY}`, `{CONFIG}`, `{PLOTS}/` and `{COMPLETE}` (the README's \"What a run "
        "writes\"). This page says what every column of the four tables and every number "
        f"of `{SUMMARY}` means.",
        "",
        "**Units.** Money in million CNY (names ending `_mcny`; `_cny` is whole CNY); "
        "compute in A100-equivalents (A100-eq), GPU-months in A100-eq-months; time in months "
        "since `start_date` (`2022-12` by default: month 0 is December 2022, ChatGPT's "
        "month). Capability is on the leaderboard's scale (points); shares and data quality "
        "run from 0 to 1.",
        "",
        "**Missing values.** A value that does not apply is null in the file. Read with "
        "pandas, it is NaN in a number column and `<NA>` in a text or true-or-false column "
        f"(`isna()` finds both); `{SUMMARY}` writes `null` (None from `json.load`).",
        "",
        "Contents: [events.parquet](#eventsparquet) · [metrics.parquet](#metricsparquet) · "
        "[funds.parquet](#fundsparquet) · [revenue.parquet](#revenueparquet) · "
        "[summary.json](#summaryjson) · "
        "[the other files](#the-other-files).",
    ]


def events_section() -> list[str]:
    lines = [
        "", f"## {EVENTS}", "",
        "One row per event, in time order (ties in the order they were recorded). Every "
        "row has the same columns; what a column means depends on the row's `kind`, and a "
        "column a kind does not fill is null on its rows. `counterparty` names the other "
        "party: another actor, an account outside the model (`ext:founders`, `ext:lps`, "
        "`ext:gpu_vendors`, `ext:data_vendors`, `ext:public_market`) or `clouds`.",
        "", "### Columns", "",
        *table(("column", "type", "meaning"),
               ((f"`{c}`", column_type(c), column_meaning(c)) for c in COLUMNS)),
        "", "### Kinds at a glance", "",
        *table(("kind", "what it records", "columns it fills, besides the four on every row"),
               ((f"[`{k}`](#{k})", first_sentence(EVENT_KIND_MEANINGS[k]),
                 ", ".join(f"`{c}`" for c in kind_columns(k) if c != "actor"))
                for k in EventKind)),
    ]
    for kind in EventKind:
        lines += ["", f"### {kind}", "", EVENT_KIND_MEANINGS[kind], "",
                  *table(("column", f"on `{kind}` rows"),
                         ((f"`{c}`", EVENT_COLUMN_MEANINGS[kind][c])
                          for c in kind_columns(kind)))]
    return lines


def columns_section(name: str, about: str, columns: Iterable[str],
                    meanings: dict[str, str]) -> list[str]:
    """A table file's section: its name, what a row is (``about``), and a row per column."""
    return ["", f"## {name}", "", about, "",
            *table(("column", "meaning"), ((f"`{c}`", meanings[c]) for c in columns))]


def metrics_section() -> list[str]:
    return columns_section(
        METRICS,
        "One row per month: the market at the month's snapshot, 0.95 into the month, after "
        "the month's market activity. An event later in the month (a model whose review "
        "ends then) counts in the next row; the run ends after the last row, so the last "
        "row counts every event. A column ending `_cum` is a total so far; the others are "
        "the state at the snapshot or the month's flow.",
        METRIC_COLUMNS, METRIC_MEANINGS)


def funds_section() -> list[str]:
    return columns_section(
        FUNDS,
        "One row per fund, those alive at the start included, as it stands at the end of "
        "the run. TVPI, DPI and IRR are the LPs' returns, after management fees (the model "
        "has no carried interest, and no liquidation preference: an acquisition pays every "
        "holder pro rata); what the fund's deals "
        "did (invested, proceeds, in kind, stakes, gross multiple) is before fees.",
        FUND_COLUMNS, FUND_MEANINGS)


def revenue_section() -> list[str]:
    return columns_section(
        REVENUE,
        "The enterprise market's revenue by vendor: one row per vendor paid in a month, the "
        "months in order and each month's vendors in the order first paid (a month with no "
        "payment has no row). Market shares and concentration by month come from it. A run "
        "written before 2026-12-07 has no such file.",
        REVENUE_COLUMNS, REVENUE_MEANINGS)


def summary_group(key: str) -> str:
    """The section of the summary's table ``key`` is listed under."""
    head = key.split(".")[0]
    return RUN_SECTION if "." not in key or head == "environment" else head


def summary_section() -> list[str]:
    lines = [
        "", f"## {SUMMARY}", "",
        "The run's outcomes as nested objects, below by dotted path, as "
        "`sim.sweep.outcomes.flatten` and a sweep's `sweep.parquet` name them (a list's "
        "items by their index). The parts of a path that vary:",
        "",
        f"- `{YEAR}`: a year of the run, counted from `start_date`: year 0 is months 0-11 "
        "(December 2022 to November 2023 by default, not a calendar year), year 1 months "
        "12-23, and so on; the last covers the months of a final year the run only began.",
        f"- `{TERM}`: a fund's own term to the nearest whole year, a half year down (a "
        "4.5-year fund is under `4`, a 30-year fund under `30`); only terms some fund has "
        "appear.",
        f"- `{QUANTILE}`: the median, 10th or 90th percentile over that term's funds "
        "(pandas' quantiles, interpolated), the funds with the measure null left out.",
        "",
        "An outcome at a month the run did not reach is null.",
    ]
    groups: dict[str, list[str]] = {}
    for key in SUMMARY_MEANINGS:
        groups.setdefault(summary_group(key), []).append(key)
    for group, keys in groups.items():
        heading = group if group == RUN_SECTION else f"`{group}`"
        lines += ["", f"### {heading}", "",
                  *table(("key", "meaning"), ((f"`{k}`", SUMMARY_MEANINGS[k]) for k in keys))]
    return lines


def other_files_section() -> list[str]:
    return [
        "", "## The other files", "",
        f"- `{CONFIG}`: the resolved model configuration, every parameter with its value "
        "(docs/MODEL.md s10 gives each one's unit, range and source).",
        f"- `{PLOTS}/`: the run's plots (the README lists them).",
        "- `.hydra/` and `cli.log`: Hydra's record of a single run (the composed config, "
        "the command's overrides) and the run's log (a sweep's job logs to `baimo.log`).",
        f"- `{COMPLETE}`: written last; a directory without it is not a finished run.",
    ]


def render() -> str:
    """The whole of docs/OUTPUTS.md."""
    lines = [*intro(), *events_section(), *metrics_section(), *funds_section(),
             *revenue_section(), *summary_section(), *other_files_section()]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Print the page; with ``--write`` rewrite docs/OUTPUTS.md, with ``--check`` exit 1
    if it is stale."""
    args = sys.argv[1:] if argv is None else argv
    fresh = render()
    if "--check" in args:
        current = OUTPUTS_DOC.read_text(encoding="utf-8") if OUTPUTS_DOC.is_file() else ""
        if current != fresh:
            print(f"{OUTPUTS_DOC} is stale; run {WRITE_COMMAND}", file=sys.stderr)
            return 1
        return 0
    if "--write" in args:
        OUTPUTS_DOC.write_text(fresh, encoding="utf-8")
        print(f"wrote {OUTPUTS_DOC}")
        return 0
    sys.stdout.write(fresh)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
