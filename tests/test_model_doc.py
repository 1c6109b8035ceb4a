"""docs/MODEL.md: ODD sections present, every schema field in the parameter table, table fresh,
every calibrated value explained."""

from __future__ import annotations

import re

import pytest

from sim.configuration import CONF_DIR
from sim.validation.params import (
    BEGIN,
    MODEL_DOC,
    documented_names,
    missing_fields,
    render,
    rows,
    schema_names,
)

SOURCE = re.compile(r"seeds? \d{3}|assumption|issue \d|DOMAIN\.md")
#: How to bring the parameter table up to date (docs/DEVELOPING.md: the PYTHONPATH).
REGENERATE = ("regenerate it: python -m sim.validation.params, with PYTHONPATH set to this "
              "checkout (python -m sim.validation.params --check exits 1 while it is stale)")
# Run-control values that are neither sourced figures nor model assumptions.
NOT_A_SOURCE_NEEDED = {"seed", "open_source.pace"}


@pytest.fixture(scope="module")
def doc() -> str:
    return MODEL_DOC.read_text(encoding="utf-8")


def test_every_schema_field_is_in_the_parameter_table(doc: str) -> None:
    missing = missing_fields(doc)
    assert missing == [], (f"{', '.join(missing)} have no row in docs/MODEL.md's parameter "
                           f"table (section 10): {REGENERATE}; describe them in section 7 too")
    extra = sorted(set(documented_names(doc)) - set(schema_names()))
    assert extra == [], (f"docs/MODEL.md's parameter table has rows for {', '.join(extra)}, "
                         f"which the schema (sim/config.py) lacks: {REGENERATE}")
    assert len(set(documented_names(doc))) == len(schema_names())


def test_a_missing_field_is_caught(doc: str) -> None:
    row = next(line for line in doc.splitlines() if line.startswith("| `funds.term_years` |"))
    assert missing_fields(doc.replace(row + "\n", "")) == ["funds.term_years"]


def test_parameter_table_matches_schema_and_conf(doc: str) -> None:
    assert render(doc) == doc, (f"docs/MODEL.md's parameter table differs from the schema and "
                                f"conf/: {REGENERATE}")


def test_every_parameter_names_a_source_or_says_assumption() -> None:
    for r in rows():
        if r.name not in NOT_A_SOURCE_NEEDED:
            assert SOURCE.search(r.source), (
                f"{r.name}: its comment in conf/ ({r.source!r}) names no source; write one "
                "beside the value: 'seed 00N', 'DOMAIN.md', 'issue N' or 'assumption'")
        # The table writes "-" where a field's metadata has no unit.
        assert r.unit not in ("", "-") and r.range, (
            f"{r.name}: give it a unit and a range in sim/config.py")


@pytest.mark.parametrize("heading", [
    "Purpose and patterns", "Entities, state variables and scales",
    "Process overview and scheduling", "Design concepts", "Initialisation", "Input data",
    "Submodels", "Calibration", "Validation", "Parameter table"])
def test_odd_sections(doc: str, heading: str) -> None:
    assert re.search(rf"^## \d+\. {re.escape(heading)}$", doc, flags=re.MULTILINE)


@pytest.mark.parametrize("concept", [
    "Emergence", "Adaptation", "Objectives", "Prediction", "Sensing", "Interaction",
    "Stochasticity", "Observation"])
def test_design_concepts(doc: str, concept: str) -> None:
    section = doc.split("## 4. Design concepts")[1].split("## 5.")[0]
    assert f"**{concept}.**" in section


def test_every_phase_of_the_month_is_documented(doc: str) -> None:
    from sim.world import Phase

    section = doc.split("## 3. Process overview")[1].split("## 4.")[0]
    for name, offset in vars(Phase).items():
        if name.isupper():
            assert f"| {offset:.2f} |" in section, name


def calibrated_values() -> list[tuple[str, str]]:
    """(group.key, value) of every conf line whose comment says it was calibrated."""
    found = []
    for path in sorted(CONF_DIR.glob("*/default.yaml")):
        for line in path.read_text(encoding="utf-8").splitlines():
            m = re.match(r"^(\w+):\s*([^#]+?)\s*#.*calibrated to", line)
            if m:
                found.append((f"{path.parent.name}.{m.group(1)}", m.group(2)))
    return found


def test_every_calibrated_value_is_explained(doc: str) -> None:
    section = doc.split("## 8. Calibration")[1].split("## 9.")[0]
    values = calibrated_values()
    assert values, "no calibrated values found in conf/"
    for key, value in values:
        row = next((line for line in section.splitlines() if f"`{key}`" in line), None)
        assert row is not None, (f"{key} is calibrated in conf/ (its comment says 'calibrated "
                                 "to') but has no row in docs/MODEL.md section 8's calibrated "
                                 "values: add one naming it and its value")
        assert value in row, (f"{key}: conf says {value}, docs/MODEL.md section 8 says {row}: "
                              "make them agree")


def test_table_sits_between_its_markers(doc: str) -> None:
    assert doc.index(BEGIN) > doc.index("## 10. Parameter table")


def test_the_buyer_segments_order_is_stated_wherever_lists_per_segment_are_documented(
        doc: str) -> None:
    """A user had to infer the order of buyers.digitization's four numbers from
    metrics.parquet's columns. The schema marks every list per segment (its length is
    checked against SEGMENTS), and the parameter table, the buyers' config, the README and
    docs/EXPERIMENTS.md state the order."""
    import dataclasses

    from sim.config import SEGMENTS, BuyersConfig
    from sim.configuration import ROOT

    order = ", ".join(SEGMENTS)
    per_segment = [f.name for f in dataclasses.fields(BuyersConfig)
                   if f.metadata.get("per") == SEGMENTS]
    assert per_segment == ["segment_shares", "digitization", "budget_mcny_per_month",
                           "hallucination_tolerance", "privacy_need", "headcount_resistance",
                           "price_sensitivity", "tender_propensity"]
    for name in per_segment:
        row = next(line for line in doc.splitlines() if line.startswith(f"| `buyers.{name}` |"))
        assert f"in the order {order} |" in row, name
    header = " ".join(line.lstrip("# ") for line in
                      (CONF_DIR / "buyers" / "default.yaml").read_text().splitlines()
                      if line.startswith("#"))
    assert f"per segment, in the order {order}" in header
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert "(`gov_soe`, `large_digital`, `traditional`, `sme`:" in readme
    experiments = (ROOT / "docs" / "EXPERIMENTS.md").read_text(encoding="utf-8")
    assert f"(lists in the order {order})" in experiments
