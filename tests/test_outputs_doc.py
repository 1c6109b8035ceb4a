"""docs/OUTPUTS.md: generated from the descriptions beside the code, current, and covering
every column and key a run writes (and nothing it does not)."""

from __future__ import annotations

import re

import pytest
from conftest import small_config

from sim.configuration import ROOT
from sim.events import (
    COLUMNS,
    COMMON_COLUMN_MEANINGS,
    EVENT_COLUMN_MEANINGS,
    EVENT_KIND_MEANINGS,
    EventKind,
)
from sim.metrics import METRIC_COLUMNS, METRIC_MEANINGS
from sim.outputs import FUND_COLUMNS, FUND_MEANINGS, REVENUE_COLUMNS, REVENUE_MEANINGS
from sim.outputs_doc import (
    EVERY_ROW,
    OUTPUTS_DOC,
    WRITE_COMMAND,
    main,
    render,
    undescribed_event_columns,
    undescribed_summary_keys,
    unfilled_event_columns,
    unused_summary_descriptions,
)
from sim.run import Tables, simulate
from sim.summary import SCALAR_OUTCOMES, SUMMARY_MEANINGS


@pytest.fixture(scope="module")
def doc() -> str:
    return OUTPUTS_DOC.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def listing_tables() -> Tables:
    """A small run in which startups list (the baseline lists none): ``ipo`` rows."""
    return simulate(small_config("startups.ipo_revenue_mcny_per_year=1",
                                 "startups.ipo_window_hype=1.0"))


def test_the_doc_is_generated_from_the_descriptions(doc: str) -> None:
    assert doc == render(), f"{OUTPUTS_DOC} is stale: run {WRITE_COMMAND}"


def test_a_stale_doc_is_refused_with_the_command_that_regenerates_it(
        tmp_path, monkeypatch, capsys) -> None:
    import sim.outputs_doc

    page = tmp_path / "OUTPUTS.md"
    monkeypatch.setattr(sim.outputs_doc, "OUTPUTS_DOC", page)
    page.write_text(render().replace("the founders' capital", "the founders' money"),
                    encoding="utf-8")
    assert main(["--check"]) == 1
    assert WRITE_COMMAND in capsys.readouterr().err
    assert main(["--write"]) == 0
    assert main(["--check"]) == 0
    assert page.read_text(encoding="utf-8") == render()


def test_every_event_kind_is_described() -> None:
    assert list(EVENT_KIND_MEANINGS) == list(EventKind)
    assert list(EVENT_COLUMN_MEANINGS) == list(EventKind)
    for kind, columns in EVENT_COLUMN_MEANINGS.items():
        assert "actor" in columns, kind
        assert all(text.strip() for text in columns.values()), kind


def test_the_event_descriptions_name_real_columns() -> None:
    assert set(COMMON_COLUMN_MEANINGS) <= set(COLUMNS)
    assert set(EVERY_ROW) <= set(COMMON_COLUMN_MEANINGS)
    for kind, columns in EVENT_COLUMN_MEANINGS.items():
        unknown = set(columns) - set(COLUMNS)
        assert not unknown, f"{kind}: {sorted(unknown)} are no columns of events.parquet"
        assert not set(columns) & set(EVERY_ROW), f"{kind}: described on every row already"


def test_every_column_a_kind_fills_is_described_for_it(baseline_tables: Tables,
                                                       listing_tables: Tables) -> None:
    events = baseline_tables.events
    assert set(events["kind"]) >= set(EventKind) - {EventKind.IPO}
    assert (listing_tables.events["kind"] == EventKind.IPO).any()
    for tables in (baseline_tables, listing_tables):
        assert undescribed_event_columns(tables.events) == [], \
            "describe these (kind, column) pairs in sim.events.EVENT_COLUMN_MEANINGS"


def test_no_kind_is_described_with_a_column_it_never_fills(baseline_tables: Tables,
                                                          listing_tables: Tables) -> None:
    """Every described column holds a value on some row of its kind, in the baseline (for
    the kinds it has) or the run with listings (for ipo)."""
    assert unfilled_event_columns(baseline_tables.events) == []
    ipo = listing_tables.events[listing_tables.events["kind"] == EventKind.IPO]
    assert unfilled_event_columns(ipo) == []


def test_a_column_left_undescribed_is_caught(baseline_tables: Tables, monkeypatch) -> None:
    """gpu_delivery's price is the domestic share: left undescribed, it is named."""
    monkeypatch.delitem(EVENT_COLUMN_MEANINGS[EventKind.GPU_DELIVERY], "price")
    assert undescribed_event_columns(baseline_tables.events) == [("gpu_delivery", "price")]
    monkeypatch.setitem(EVENT_COLUMN_MEANINGS[EventKind.TENDER], "channel", "the channel")
    assert unfilled_event_columns(baseline_tables.events) == [("tender", "channel")]


def test_every_metrics_column_is_described_and_nothing_else(baseline_tables: Tables) -> None:
    assert list(METRIC_MEANINGS) == list(METRIC_COLUMNS)
    assert list(baseline_tables.metrics.columns) == list(METRIC_MEANINGS)


def test_every_funds_column_is_described_and_nothing_else(baseline_tables: Tables) -> None:
    assert list(FUND_MEANINGS) == list(FUND_COLUMNS)
    assert list(baseline_tables.funds.columns) == list(FUND_MEANINGS)


def test_every_revenue_column_is_described_and_nothing_else(baseline_tables: Tables) -> None:
    assert list(REVENUE_MEANINGS) == list(REVENUE_COLUMNS)
    assert list(baseline_tables.revenue.columns) == list(REVENUE_MEANINGS)


def test_every_summary_key_is_described(baseline_tables: Tables) -> None:
    assert set(SCALAR_OUTCOMES) <= set(SUMMARY_MEANINGS)
    assert undescribed_summary_keys(baseline_tables.summary) == [], \
        "describe these keys in sim.summary.SUMMARY_MEANINGS"
    assert unused_summary_descriptions(baseline_tables.summary) == [], \
        "these described keys are in no summary.json"


def test_a_summary_key_left_undescribed_is_caught(baseline_tables: Tables,
                                                 monkeypatch) -> None:
    monkeypatch.delitem(SUMMARY_MEANINGS, "funding.deals_by_year.<year>")
    years = len(baseline_tables.summary["funding"]["deals_by_year"])
    assert undescribed_summary_keys(baseline_tables.summary) == [
        f"funding.deals_by_year.{y}" for y in range(years)]
    monkeypatch.setitem(SUMMARY_MEANINGS, "funding.deals_in_total", "rounds closed")
    assert unused_summary_descriptions(baseline_tables.summary) == ["funding.deals_in_total"]


def slug(heading: str) -> str:
    """The anchor GitHub gives a Markdown heading."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_the_doc_links_to_its_own_headings(doc: str) -> None:
    anchors = {slug(h) for h in re.findall(r"^#+ (.+)$", doc, flags=re.MULTILINE)}
    links = set(re.findall(r"\]\(#([^)]+)\)", doc))
    assert links and links <= anchors, sorted(links - anchors)


def test_the_readme_points_to_the_doc_and_lists_every_kind() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/OUTPUTS.md" in readme
    assert [k for k in EventKind if f"`{k}`" not in readme] == []
