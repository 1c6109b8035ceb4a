"""Teaching packs: every pack loads, composes, runs on a tiny configuration and reports."""

from __future__ import annotations

import dataclasses
import html
import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from broken_runs import one_line_error

from sim.configuration import compose
from sim.outputs import RunOutputs
from sim.run import Tables
from sim.teach import listing, main, split_arguments
from sim.teaching.answers import answer
from sim.teaching.arms import Arm
from sim.teaching.measures import MEASURES, fund_cash_dpi_median, values
from sim.teaching.packs import (
    SECTIONS,
    TEACHING_DIR,
    Option,
    Pack,
    PackError,
    Prediction,
    load_pack,
    pack_names,
)
from sim.teaching.runner import plan_arms, run_pack

#: A tiny configuration: every pack's shocks and controls fall inside 16 months.
TINY = ["horizon_months=16", "buyers.count=200"]
PNG_STUB = b"\x89PNG\r\n\x1a\n"  # what the pack fixture "draws" instead of a whole figure
TOPICS = {"entry_burst", "patient_capital", "gpu_squeeze", "shells_vs_originals",
          "general_vs_vertical", "cut_staff", "data_trap", "hype_bust"}
DOCS = Path(__file__).parents[1] / "docs" / "TEACHING.md"
SEED_FILES = {p.name[:3] for p in (Path(__file__).parents[2] / "shared" / "seeds").glob("*.txt")} \
    or {"000", "001", "002", "003", "004"}


def test_eight_packs_cover_the_topics() -> None:
    names = pack_names()
    assert set(names) >= TOPICS
    assert len(names) >= 8


def test_every_lesson_has_a_row_in_teachings_table() -> None:
    """docs/TEACHING.md's table of lessons was checked by nothing: a new lesson could ship
    with no row, a removed one keep its row (a contributor's probe)."""
    text = DOCS.read_text(encoding="utf-8")
    table = text[text.index("## The lessons"):].split("\n\n")[1]
    rows = re.findall(r"^\| `(\w+)` \|", table, flags=re.M)
    missing = sorted(set(pack_names()) - set(rows))
    assert not missing, (f"{', '.join(missing)} has no row in docs/TEACHING.md's table of "
                         "lessons (| `NAME` | question (abridged) | what it changes |): add one")
    gone = sorted(set(rows) - set(pack_names()))
    assert not gone, f"docs/TEACHING.md's table lists {', '.join(gone)}, which is no lesson"


@pytest.mark.parametrize("name", sorted(TOPICS))
def test_pack_files_are_complete(name: str) -> None:
    pack = load_pack(name)
    lines = (TEACHING_DIR / f"{name}.yaml").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "# @package _global_"
    assert pack.question.endswith("?")
    assert set(pack.sections) == set(SECTIONS)
    cited = set(re.findall(r"seeds? (00\d)", pack.sections["Background"]))
    assert cited and cited <= SEED_FILES
    assert len(pack.predictions) >= 3
    for pred in pack.predictions:
        assert len(pred.options) >= 2 and pred.measure in MEASURES
    assert pack.tries and pack.plots and pack.key_numbers
    if pack.contrast is not None:
        assert any(p.of != "scenario" for p in pack.predictions)


def _batches(tries: list[list[str]]) -> list[list[str]]:
    """Tries merged into as few override lists as possible (no key set twice in one list)."""
    batches: list[list[str]] = []
    for overrides in tries:
        keys = {o.partition("=")[0] for o in overrides}
        for batch in batches:
            if not keys & {o.partition("=")[0] for o in batch}:
                batch.extend(overrides)
                break
        else:
            batches.append(list(overrides))
    return batches


@pytest.mark.parametrize("name", sorted(TOPICS))
def test_things_to_try_are_valid_overrides(name: str) -> None:
    """Every suggested override composes into a valid config and takes effect (Hydra compose
    is slow, so tries that set different keys are checked together)."""
    from omegaconf import OmegaConf

    pack = load_pack(name)
    tries = []
    for tried in pack.tries:
        overrides, replications, _ = split_arguments(list(tried.overrides), pack)
        assert replications >= 1
        tries.append(overrides)
    for batch in _batches(tries):
        cfg = OmegaConf.structured(compose([pack.experiment, *batch]))
        for o in batch:
            key, _, value = o.partition("=")
            got = OmegaConf.select(cfg, key, throw_on_missing=True)
            assert got is not None, f"{o} did not land in the config"
            if not value.startswith(("[", "{")):
                assert str(got) == value or float(got) == float(value), o


def test_listing_shows_every_pack_with_its_question(capsys: pytest.CaptureFixture[str]) -> None:
    main([])
    out = capsys.readouterr().out
    assert out == listing()
    for name in TOPICS:
        line = next(ln for ln in out.splitlines() if ln.strip().startswith(name + " "))
        assert load_pack(name).question in line


def _error(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    return one_line_error(main, "baimo-teach", capsys, argv)


def test_bad_input_is_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BAIMO_OUTPUT_ROOT", str(tmp_path))
    assert "unknown lesson 'nosuch'; choose one of: " in _error(capsys, ["nosuch"])
    assert "replications='0'" in _error(capsys, ["hype_bust", "replications=0"])
    assert "workers='x'" in _error(capsys, ["hype_bust", "workers=x"])
    assert "not an override" in _error(capsys, ["hype_bust", "funds"])
    assert "funds.term_years" in _error(capsys, ["patient_capital", "funds.term_years=0.2"])
    assert "nosuch" in _error(capsys, ["hype_bust", "nosuch.key=1"])
    # Hydra's advice, "+worker=1", led to another refusal; the lesson name's typo to a list
    assert _error(capsys, ["hype_bust", "worker=1"]) == (
        "baimo-teach: error: worker: no such setting (did you mean workers?); docs/MODEL.md "
        "section 10 lists every setting\n")
    assert "funds.term: no such setting (did you mean funds.term_years" in _error(
        capsys, ["hype_bust", "funds.term=5"])
    assert "unknown lesson 'hype-bust' (did you mean hype_bust?); choose one of: " in _error(
        capsys, ["hype-bust"])
    assert "unknown option" in _error(capsys, ["--bogus"])
    # experiment=X ran X in the lesson's place, under the lesson's name
    for other in ("experiment=hype_bust", "+experiment=hype_bust", "++experiment=x",
                  "~experiment", "experiment@x=y"):
        assert _error(capsys, ["cut_staff", other]) == (
            "baimo-teach: error: "
            f"{other}: a lesson runs its own experiment (experiment=teaching/cut_staff); "
            "change its keys instead (e.g. funds.term_years=7), or run an experiment with: "
            "baimo +experiment=NAME\n")
    assert not any(tmp_path.rglob("*.html"))


def _arm(name: str, runs: list[RunOutputs]) -> Arm:
    return Arm(name, name, runs)


def test_answers_are_computed_from_the_runs(small_tables: Tables) -> None:
    run = RunOutputs(Path("."), small_tables.events, small_tables.metrics, small_tables.funds,
                     small_tables.summary)
    total = float(values("releases_total", [run])[0])
    assert total > 2

    def ask(bounds: tuple[float, float], of: str = "scenario") -> int | None:
        opts = (Option("low", bounds[0]), Option("mid", bounds[1]), Option("high", None))
        pred = Prediction("How many?", "releases_total", of, opts)
        return answer(pred, [_arm("a", [run]), _arm("b", [run])]).option

    assert ask((total - 1, total + 1)) == 1
    assert ask((total + 1, total + 2)) == 0
    assert ask((total - 2, total - 1)) == 2
    assert ask((-0.5, 0.5), of="difference") == 1  # the same run twice: difference 0


def test_measure_labels_give_dates_on_the_runs_own_calendar(small_tables: Tables) -> None:
    """"Models released by April 2023 (month 4)" was written into the label: a lesson run
    with start_date=2024-06 said April 2023 of its month 4, which is October 2024. The
    dates now come from the runs' start_date; arms on different calendars get months."""
    from sim.report import key_numbers_html
    from sim.teaching.measures import measure

    assert measure("releases_by_month_4").title() == \
        "Models released by the end of Apr 2023 (month 4)"
    assert measure("releases_by_month_4").title("2024-06") == \
        "Models released by the end of Oct 2024 (month 4)"
    assert measure("funding_year_2").title("2024-06") == \
        "Money raised in year 2 (Jun 2025 - May 2026)"
    assert measure("funding_year_2").title(None) == "Money raised in year 2 (months 12-23)"
    assert not [m.name for m in MEASURES.values() if re.search(r"20\d\d|[{}]", m.title())
                and m.name not in {"releases_by_month_4", "releases_by_end_2023",
                                   "funding_year_1", "funding_year_2", "releasers_by_end_2023",
                                   "down_round_share_from_15", "gpus_bought_startups_24",
                                   "training_compute_startups_24", "training_share_giants_24"}]

    def run_from(start: str) -> RunOutputs:
        summary = {**small_tables.summary, "start_date": start}
        return RunOutputs(Path("."), small_tables.events, small_tables.metrics,
                          small_tables.funds, summary)

    later = [_arm("a", [run_from("2024-06")]), _arm("b", [run_from("2024-06")])]
    opts = (Option("few", 10), Option("many", None))
    text = answer(Prediction("?", "releases_by_month_4", "scenario", opts), later).text
    assert "Models released by the end of Oct 2024 (month 4): mean" in text
    assert "Models released by the end of Oct 2024 (month 4)" in key_numbers_html(later,
                                                                      ("releases_by_month_4",))
    apart = [_arm("a", [run_from("2024-06")]), _arm("b", [run_from("2022-12")])]
    assert "<td>Models released by the end of month 4</td>" in key_numbers_html(apart,
                                                                    ("releases_by_month_4",))


def test_answer_counts_replications_per_option(small_tables: Tables) -> None:
    runs = []
    for shift in (0, 10, 20):
        m = small_tables.metrics.copy()
        m["releases_total_cum"] = m["releases_total_cum"] + shift
        runs.append(RunOutputs(Path("."), small_tables.events, m, small_tables.funds,
                               small_tables.summary))
    base = float(values("releases_total", runs[:1])[0])
    opts = (Option("A", base + 5), Option("B", base + 15), Option("C", None))
    result = answer(Prediction("?", "releases_total", "scenario", opts), [_arm("a", runs)])
    assert result.counts == (1, 1, 1)
    assert result.option == 1 and math.isclose(result.mean, base + 10)
    # One run in each option: the mean's option holds a third of them. It said "The runs
    # showed: B" (gpu_squeeze did so with none of five runs in its option: 3 fell, 2 rose).
    assert result.text.startswith('The runs split ("A" 1; "B" 1; "C" 1 of 3): their mean '
                                  'falls in "B", which only 1 of them did.')
    third = runs[2]
    m = third.metrics.copy()
    m["releases_total_cum"] = m["releases_total_cum"] - 8   # base + 12: in "B"
    runs[2] = dataclasses.replace(third, metrics=m)
    most = answer(Prediction("?", "releases_total", "scenario", opts), [_arm("a", runs)])
    assert most.counts == (1, 2, 0) and most.option == 1
    assert most.text.startswith('The runs showed: "B"') and "2 of 3 fell in this option" \
        in most.text
    high = runs[0].metrics.assign(releases_total_cum=runs[0].metrics["releases_total_cum"] + 20)
    apart = [runs[0], dataclasses.replace(runs[0], metrics=high)]   # base and base + 20
    none = answer(Prediction("?", "releases_total", "scenario", opts), [_arm("a", apart)])
    assert none.counts == (1, 0, 1) and none.option == 1   # mean base + 10: in "B"
    assert none.text.startswith('The runs split ("A" 1; "C" 1 of 2): their mean falls in '
                                '"B", which none of them did.')


@pytest.fixture(scope="module")
def pack_reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every pack run on the tiny configuration, one replication, arms in two processes.

    Every figure of every pack is built from the runs, but not rasterised: drawing a
    figure costs about 0.4 s and tests/test_report.py draws each kind of plot already.
    """
    from matplotlib.figure import Figure

    def stamp(fig: Figure, fname: Any, **_kwargs: Any) -> None:
        assert fig.axes and fig.get_suptitle()
        fname.write(PNG_STUB)

    root = tmp_path_factory.mktemp("teach")
    reports = {}
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(Figure, "savefig", stamp)
        for name in sorted(TOPICS):
            pack = load_pack(name)
            arms = plan_arms(pack, TINY)
            out = root / name
            out.mkdir()
            result = run_pack(pack, arms, 1, 2, out, say=lambda _text: None)
            reports[name] = result.report
    return reports


def test_the_progress_line_counts_in_words(tmp_path: Path) -> None:
    """One arm, one replication on two workers said "running 1 simulations (1 arm x 1
    replications, ...) on 1 workers"."""
    from matplotlib.figure import Figure

    pack = load_pack("entry_burst")   # one arm: no comparison
    said: list[str] = []
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(Figure, "savefig", lambda _fig, fname, **_kw: fname.write(PNG_STUB))
        run_pack(pack, plan_arms(pack, TINY), 1, 2, tmp_path, say=said.append)
    assert said[0] == "running 1 simulation (1 arm x 1 replication, 16 months) on 1 worker ..."


@pytest.mark.parametrize("name", sorted(TOPICS))
def test_pack_report_sections(name: str, pack_reports: dict[str, Path]) -> None:
    pack = load_pack(name)
    text = pack_reports[name].read_text(encoding="utf-8")
    ids = re.findall(r'<section id="([a-z-]+)">', text)
    assert ids == ["lesson", "predict", "key-numbers", "plots", "timeline", "answers", "try",
                   "discussion", "runs"]
    assert text.count("data:image/png;base64,") == len(pack.plots)
    assert not re.search(r"(src|href)=\"(https?:)?//", text)
    assert "<script" not in text and "<link" not in text
    # as the page writes it: quotes and apostrophes escaped
    assert text.index(html.escape(pack.predictions[0].ask, quote=True)) < text.index('id="answers"')
    answers = text[text.index('id="answers"'):text.index('id="try"')]
    assert answers.count("<details>") == len(pack.predictions)
    assert answers.count("The runs showed") + answers.count("The runs split") \
        + answers.count("gave no value") == len(pack.predictions)
    for tried in pack.tries:
        assert f"baimo-teach {name} {' '.join(tried.overrides)}" in text
    arms = 2 if pack.contrast is not None else 1
    assert text.count("<td>") >= arms  # the runs table lists every arm
    timeline = text[text.index('id="timeline"'):text.index('id="answers"')]
    assert "ChatGPT" in timeline
    # run off its design (16 months, 1 replication): said next to the pack's YAML
    lesson = text[text.index('id="lesson"'):text.index('id="predict"')]
    assert lesson.index("</pre>") < lesson.index(
        "These runs were not made as the pack is written: with the overrides "
        f"{' '.join(TINY)} on top of the configuration above, and 1 replication per arm "
        f"(the pack has {pack.replications}).")


def test_a_lesson_run_as_written_has_no_note(pack_reports: dict[str, Path]) -> None:
    """The note on overrides and replications reads them from teach.json: none when the
    runs were made as the pack is written."""
    from sim.report import lesson_runs_note, load_source

    source = load_source(pack_reports["hype_bust"].parent)
    assert source.pack is not None
    assert "with the overrides horizon_months=16 buyers.count=200 on top" in \
        lesson_runs_note(source)
    for arm in source.manifest["arms"]:
        arm["overrides"] = [o for o in arm["overrides"] if o not in TINY]
    assert lesson_runs_note(source).startswith(
        "These runs were not made as the pack is written: 1 replication per arm")
    source.pack = dataclasses.replace(source.pack, replications=1)
    assert lesson_runs_note(source) == ""


def test_replications_are_paired_across_arms(pack_reports: dict[str, Path]) -> None:
    import json

    manifest = json.loads((pack_reports["hype_bust"].parent / "teach.json").read_text())
    scenario, baseline = manifest["arms"]
    assert scenario["seeds"] == baseline["seeds"]
    assert baseline["overrides"][-1].startswith("hype.shocks=")
    assert manifest["status"] == "complete"


def test_difference_sign_in_a_pack(pack_reports: dict[str, Path]) -> None:
    """hype_bust: the bust lowers the hype index, so the scenario's hype after it is lower."""
    from sim.report import load_source

    source = load_source(pack_reports["hype_bust"].parent)
    scenario, baseline = source.arms
    late = [float(np.mean(r.metrics["hype_index"].iloc[15:])) for r in scenario.runs]
    calm = [float(np.mean(r.metrics["hype_index"].iloc[15:])) for r in baseline.runs]
    assert max(late) < min(calm)


def test_a_lesson_report_differences_the_scenario_minus_its_baseline(
        pack_reports: dict[str, Path]) -> None:
    """baimo-report differences the second arm minus the first, as baimo-compare does; a
    lesson's arms are the scenario then the baseline, so its key numbers show the baseline
    first and still read scenario minus baseline, as the lesson's answers and questions do
    (cut_staff: "with resistance minus without")."""
    import html

    from sim.report import load_source
    from sim.teaching.measures import format_difference, measure

    report = pack_reports["hype_bust"]
    scenario, baseline = load_source(report.parent).arms
    text = report.read_text(encoding="utf-8")
    assert (f"<th>difference<br><small>{html.escape(scenario.label)} minus "
            f"{html.escape(baseline.label)}, paired by seed") in text
    raised = measure("funding_year_2")   # the pack's first question: less, with the bust
    title = raised.title(scenario.start_date)
    row = re.search(rf"<tr><td>{re.escape(html.escape(title))}</td>.*?</tr>", text)
    assert row is not None
    (shown,) = re.findall(r'<td class="num">([^<]*)</td></tr>', row[0])
    change = float(values(raised.name, scenario.runs)[0] - values(raised.name, baseline.runs)[0])
    assert change != 0 and shown == format_difference(raised.unit, change)


#: Hand edits of a lesson's teach.json, each with what the one-line refusal names.
BAD_MANIFESTS: list[tuple[str, Any, str]] = [
    ("pack", "../../../escaped", "'pack' must be a pack's name"),  # out/reports/<pack>_lesson
    ("pack", "{tmp}/escaped", "'pack' must be a pack's name"),
    ("pack", 5, "'pack' must be a pack's name"),
    ("arms", "x", "'arms' must be a non-empty list"),
    ("arms", [], "'arms' must be a non-empty list"),
    ("arms", [{"label": "a", "runs": ["runs/scenario/rep-0"]}], "arms[0].name"),
    ("arms", [{"name": "a", "label": "a", "overrides": 5, "runs": ["runs/scenario/rep-0"]}],
     "arms[0].overrides"),
    ("arms", [{"name": "a", "label": "a", "runs": []}], "arms[0].runs must be a non-empty"),
    ("arms", [{"name": "a", "label": "a", "runs": ["../../elsewhere"]}],
     "inside the lesson directory"),
]


@pytest.mark.parametrize(("key", "value", "named"), BAD_MANIFESTS)
def test_report_refuses_a_manifest_baimo_teach_would_not_write(
        key: str, value: Any, named: str, pack_reports: dict[str, Path], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """baimo-report names its directory after the lesson's pack and reads the arms' runs
    from the manifest: an edited one is refused in one line, and nothing is written,
    inside the outputs root or outside it (a pack of ``../../x`` wrote outside)."""
    import json
    import shutil

    from sim.report import main as report

    lesson = tmp_path / "lessons" / "lesson"
    shutil.copytree(pack_reports["hype_bust"].parent, lesson)
    manifest = json.loads((lesson / "teach.json").read_text(encoding="utf-8"))
    manifest[key] = value.format(tmp=tmp_path) if isinstance(value, str) else value
    (lesson / "teach.json").write_text(json.dumps(manifest), encoding="utf-8")
    # the relative pack above leads from <root>/reports to <tmp_path>/escaped_lesson
    monkeypatch.setenv("BAIMO_OUTPUT_ROOT", str(tmp_path / "a" / "out"))
    err = one_line_error(report, "baimo-report", capsys, [str(lesson)])
    assert "not a baimo-teach manifest" in err and named in err
    assert set(tmp_path.rglob("*.html")) == set(lesson.rglob("*.html"))


def test_pack_error_names_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sim.teaching.packs as packs

    (tmp_path / "broken.yaml").write_text("# @package _global_\n# A question?\n")
    (tmp_path / "broken.md").write_text("---\ntitle: x\n---\n## Background\nno citation\n")
    monkeypatch.setattr(packs, "TEACHING_DIR", tmp_path)
    with pytest.raises(PackError, match=r"broken\.md: missing section"):
        load_pack("broken")


def test_a_startups_vertical_win_counts_as_its_own_model_only_before_it_pivots(
        small_tables: Tables) -> None:
    """The general_vs_vertical lesson counted every startup's vertical contract as the
    startups' winning against general models; after a pivot the startup sells its host
    giant's model. Only contracts signed before the signer's pivot count as its own."""
    e = small_tables.events
    row = e[e["kind"] == "contract_signed"].head(1)
    signed = pd.concat([row.assign(month=m, domain="finance", counterparty=who)
                        for m, who in ((1.5, "startup:7"), (3.5, "startup:7"),
                                       (2.5, "startup:8"), (2.5, "giant:Baidu"))],
                       ignore_index=True)
    pivot = e.head(1).assign(kind="pivot", month=2.2, actor="startup:7",
                             counterparty="giant:Baidu")
    run = RunOutputs(Path("."), pd.concat([signed, pivot], ignore_index=True).sort_values(
        "month", kind="stable").reset_index(drop=True), small_tables.metrics,
        small_tables.funds, small_tables.summary)
    assert float(values("startup_share_vertical_early", [run])[0]) == 0.75
    # startup:7's first contract (before its pivot) and startup:8's: 2 of 4
    assert float(values("startup_own_model_share_vertical_early", [run])[0]) == 0.5


def test_measures_read_the_output_contract(small_tables: Tables) -> None:
    e, m = small_tables.events, small_tables.metrics
    run = RunOutputs(Path("."), e, m, small_tables.funds, small_tables.summary)

    def one(name: str, r: RunOutputs = run) -> float:
        return float(values(name, [r])[0])

    # by the end of Dec 2023: every release before month 13, not the count at the monthly
    # snapshot 0.95 into month 12 (a release in its last days was left out)
    released = e.loc[e["kind"] == "model_release", "month"]
    assert one("releases_by_end_2023") == (released < 13).sum()
    assert one("releases_by_month_4") == (released < 5).sum()
    late = e[e["kind"] == "model_release"].head(1).assign(month=12.98)   # in Dec's last days
    with_late = RunOutputs(Path("."), pd.concat([e, late], ignore_index=True), m,
                           small_tables.funds, small_tables.summary)
    assert one("releases_by_end_2023", with_late) == one("releases_by_end_2023") + 1
    short = RunOutputs(Path("."), e, m[m["month"] < 12], small_tables.funds, small_tables.summary)
    assert math.isnan(one("releases_by_end_2023", short))  # the run ended before Dec 2023
    bankrupt = (e["kind"] == "bankrupt").sum()
    distressed = ((e["kind"] == "acquired") & (e["reason"] == "distressed")).sum()
    assert one("failures") == bankrupt + distressed
    strategic = ((e["kind"] == "acquired") & (e["reason"] == "strategic")).sum()
    assert one("acquisitions_strategic") == strategic
    assert one("acquisitions") == strategic + distressed   # the two ways a giant buys
    buys = e[(e["kind"] == "gpu_purchase") & (e["actor_type"] == "startup")]
    assert one("startups_buying_gpus") == buys["actor"].nunique()
    founded = e[(e["kind"] == "founded") & (e["model_kind"] == "shell")]["actor"]
    gone = set(e.loc[e["kind"].isin(["bankrupt", "acquired"]), "actor"])
    assert one("survival_shell") == pytest.approx(1 - len(set(founded) & gone) / founded.nunique())
    assert one("builders_peak") == m["independent_builders"].max()
    rounds = e[e["kind"] == "round_closed"]
    down = rounds["down_round"].sum()
    assert len(rounds) > 0 and one("down_rounds") == down
    assert one("down_round_share") == pytest.approx(down / len(rounds))   # of rounds closed
    f = small_tables.funds
    invested = f[f["invested_mcny"] > 0]
    assert len(invested) > 0 and one("fund_gross_multiple_median") == pytest.approx(
        ((invested["exit_proceeds_mcny"] + invested["in_kind_mcny"] + invested["stakes_mcny"])
         / invested["invested_mcny"]).median())   # over the funds that invested only
    no_rounds = m.assign(funding_deals=0, down_rounds=0)
    assert math.isnan(one("down_round_share", RunOutputs(Path("."), e, no_rounds,
                                                         small_tables.funds,
                                                         small_tables.summary)))


def test_no_builders_have_no_peak_month(small_tables: Tables) -> None:
    """A run where no startup was founded (startups.base_founding_rate=0) has no builders:
    "When independent builders peaked" said "Dec 2022 (month 0)", the first month of an
    all-zero series. It is now undefined, shown as n/a, and entry_burst's question on it
    answers that the runs gave no value."""
    from sim.report import key_numbers_html

    m = small_tables.metrics.assign(independent_builders=0)
    none = RunOutputs(Path("."), small_tables.events, m, small_tables.funds, small_tables.summary)
    assert math.isnan(float(values("builders_peak_month", [none])[0]))
    table = key_numbers_html([_arm("a", [none])], ("builders_peak_month",))
    assert "<td>When independent builders peaked</td><td class=\"num\">n/a</td>" in table
    pred = next(p for p in load_pack("entry_burst").predictions
                if p.measure == "builders_peak_month")
    result = answer(pred, [_arm("a", [none])])
    assert result.option is None and result.counts == (0,) * len(pred.options)
    assert "gave no value for 'When independent builders peaked'" in result.text
    assert "never happened in these runs" in result.text   # not "the horizon may be too short"
    some = RunOutputs(Path("."), small_tables.events, small_tables.metrics, small_tables.funds,
                      small_tables.summary)
    builders = small_tables.metrics["independent_builders"]
    assert float(values("builders_peak_month", [some])[0]) == \
        float(small_tables.metrics.loc[builders.idxmax(), "month"])


def test_gpu_price_ratio_divides_by_the_configured_initial_price(run_dir: Path,
                                                                  tmp_path: Path) -> None:
    """baimo-report's "peak GPU price / starting price" and the timeline's "(1.9x the start)"
    divided by metrics.parquet's month-0 price, taken after month 0's buying (about 10%
    above the configured price), while summary.json's year-1 ratio, baimo-compare and
    baimo-validate divide by compute.initial_gpu_price_mcny: one run read 1.91 and 2.10.
    Each keeps its window (the whole run; year 1), but the starting price is the same."""
    import json
    import shutil

    from sim.outputs import read_run
    from sim.teaching.timeline import notable_events

    run = read_run(run_dir)
    price = run.metrics["gpu_price_mcny"]
    initial = json.loads((run_dir / "config.json").read_text())["compute"][
        "initial_gpu_price_mcny"]
    assert float(price.iloc[0]) > initial * 1.01   # month 0 is after its buying: no start
    ratio = float(values("gpu_price_peak_ratio", [run])[0])
    assert ratio == pytest.approx(price.max() / initial)
    year_1 = float(price[run.metrics["month"] < 12].max())
    assert year_1 * ratio / price.max() == pytest.approx(
        run.summary["compute"]["gpu_price_peak_first_year_ratio"])   # the same denominator
    assert "initial price" in MEASURES["gpu_price_peak_ratio"].title()
    peak = [x.text for x in notable_events(run) if x.text.startswith("GPU price peaks")]
    assert peak and peak[0].endswith(f"({price.max() / initial:.1f}x the initial price)")
    # a run whose config cannot be read has no initial price: no ratio, never month 0's
    bare = tmp_path / "run"
    shutil.copytree(run_dir, bare)
    (bare / "config.json").unlink()
    without = read_run(bare)
    assert math.isnan(float(values("gpu_price_peak_ratio", [without])[0]))
    peak = [x.text for x in notable_events(without) if x.text.startswith("GPU price peaks")]
    assert peak and peak[0].endswith("per A100-equivalent")


#: Overrides that make a lesson's scenario its comparison arm, each with its lesson.
SAME_ARMS = [("patient_capital", "funds.term_years=3"), ("patient_capital", "funds.term_years=3.0"),
             ("data_trap", "data.spillover=0.1"), ("gpu_squeeze", "compute.export_controls=[]")]


def test_an_override_that_makes_the_arms_the_same_is_refused(
        capsys: pytest.CaptureFixture[str], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """``baimo-teach patient_capital funds.term_years=3`` ran two byte-identical arms,
    labelled "10-year funds" and "3-year funds", and revealed answers ("Fewer, or no
    difference") drawn from one world twice. It is refused before anything runs."""
    monkeypatch.setenv("BAIMO_OUTPUT_ROOT", str(tmp_path))
    for name, override in SAME_ARMS:
        err = _error(capsys, [name, override, *TINY, "replications=1", "workers=1"])
        assert err.startswith(f"baimo-teach: error: {override} makes lesson {name}'s "
                              "scenario the same as its comparison arm (")
        assert f"give {override.partition('=')[0]} another value" in err
    assert err == (
        "baimo-teach: error: compute.export_controls=[] makes lesson gpu_squeeze's scenario "
        "the same as its comparison arm (no export controls), so both arms would run one "
        "world; give compute.export_controls another value (it changes the scenario only: "
        "the comparison keeps its own), or run that world alone with: baimo "
        "+experiment=teaching/gpu_squeeze compute.export_controls=[]\n")
    assert not any(tmp_path.iterdir())   # nothing written, nothing run


def _documented_overrides() -> list[tuple[str, list[str]]]:
    """(lesson, overrides) of every lesson's things to try and of TEACHING.md's examples."""
    tried = [(name, " ".join(t.overrides)) for name in sorted(TOPICS)
             for t in load_pack(name).tries]
    shown = re.findall(r"^baimo-teach (\w+) ([^#\n]*?) *(?:#.*)?$",
                       DOCS.read_text(encoding="utf-8"), flags=re.MULTILINE)
    assert shown, "TEACHING.md shows no baimo-teach NAME key=value example"
    return [(name, args.split()) for name, args in dict.fromkeys(tried + shown)]


def _compared(pack: Pack, overrides: list[str]) -> list[str]:
    """The overrides that set a key the pack's comparison arm sets, or a part of one."""
    keys = [o.partition("=")[0] for o in pack.contrast.overrides] if pack.contrast else []
    return [o for o in overrides if any(o.partition("=")[0] == k or o.startswith(k + ".")
                                        for k in keys)]


def test_documented_overrides_of_a_compared_key_change_the_scenario_only() -> None:
    """A lesson's own examples that set a key its comparison sets (patient_capital's
    funds.term_years=5, hype_bust's hype.shocks.2.size=-2.0 in TEACHING.md, ...) are not
    refused: they change the scenario only, the comparison keeps its configuration, and
    the scenario's label names them: it said "10-year funds" of 5-year funds. An example
    on another key applies to both arms and leaves the label as the pack writes it."""
    baselines: dict[str, Any] = {}
    checked = set()
    for name, args in _documented_overrides():
        pack = load_pack(name)
        overrides = split_arguments(args, pack)[0]
        changed = _compared(pack, overrides)
        if not changed:   # applies to both arms: the tries test composes it already
            if overrides and name == "hype_bust":   # TEACHING.md's hype.decay_per_month=0.2
                assert plan_arms(pack, overrides)[0].label == pack.scenario_label
            continue
        scenario, baseline = plan_arms(pack, overrides)
        assert pack.contrast is not None
        assert scenario.label == f"{pack.scenario_label}, changed by {' '.join(changed)}"
        assert baseline.label == pack.contrast.label
        if name not in baselines:
            baselines[name] = compose([pack.experiment, *pack.contrast.overrides])
        assert baseline.config == baselines[name], args
        checked.add(" ".join(changed))
    assert {"funds.term_years=5", "hype.shocks.2.size=-2.0", "open_source.pace=0.5",
            "data.spillover=0.0"} <= checked


def test_a_value_or_difference_that_rounds_to_zero_has_no_sign() -> None:
    """The lessons' answers printed "-0.0 points" and "+0.00" for a difference of nothing
    (the report's key numbers already did not); every printed zero is unsigned."""
    from sim.teaching.measures import format_difference, format_value

    assert format_difference("share", -0.0001) == "0.0 points"
    assert format_difference("count", 0.04) == "0.0"
    assert format_difference("ratio", -0.001) == "0.00"
    assert format_difference("month", -0.01) == "0.0 months"
    assert format_value("ratio", -0.001) == "0.00"
    assert format_difference("share", -0.01) == "-1.0 points"   # a difference keeps its sign
    assert format_difference("count", 2.0) == "+2.0"


def test_an_option_within_n_takes_the_differences_of_n() -> None:
    """patient_capital's "About the same (within one)" spanned -0.5 to 0.5: a seed's
    difference of one failure counted as "Fewer failures" (a readers' audit); "within 5"
    and "within 2" put 5 and 2 in the option above (a teaching audit). An option "within
    N" (a count) holds -N and N; one "10 to 50 fewer" holds -10 and -50."""
    words = {"one": 1}
    checked = 0
    for name in pack_names():
        for pred in load_pack(name).predictions:
            lower = -math.inf
            for option in pred.options:
                upper = math.inf if option.below is None else option.below
                within = re.search(r"within (one|\d+)\b(?! point)", option.text)
                if within:
                    n = words.get(within.group(1)) or int(within.group(1))
                    assert lower <= -n and upper > n, (name, option.text)
                    checked += 1
                fewer = re.search(r"(\d+) to (\d+) fewer", option.text)
                if fewer:
                    low, high = int(fewer.group(1)), int(fewer.group(2))
                    assert lower <= -high and upper > -low, (name, option.text)
                    checked += 1
                lower = upper
    assert checked >= 5


def test_an_open_release_below_the_frontier_is_not_told_as_lifting_it(run_dir: Path) -> None:
    """The open frontier never falls: a later, weaker release left it where it was, but the
    timeline said it 'lifts the open frontier to capability 60' a second time."""
    from sim.outputs import RunOutputs, read_run
    from sim.teaching.timeline import notable_events

    run = read_run(run_dir)
    e = run.events[run.events["reason"] != "open_source"]
    row = run.events[run.events["reason"] == "open_source"].head(1)
    assert not row.empty
    releases = pd.concat([row.assign(month=1.0, capability=60.0),
                          row.assign(month=2.0, capability=60.0)])   # frontier after each
    events = pd.concat([e, releases], ignore_index=True).sort_values("month", kind="stable")
    told = [x.text for x in notable_events(RunOutputs(run.path, events, run.metrics,
                                                     run.funds, run.summary))
            if x.text.startswith("Open-source release")]
    assert told == ["Open-source release lifts the open frontier to capability 60",
                    "Open-source release (the open frontier stays at capability 60)"]


def test_small_prices_and_large_multiples_read_as_numbers() -> None:
    """A 600-month run cut an API price 'to 0.00 CNY per million tokens' (it was 1e-5) and
    a GPU price peaked at '1577.0x the initial price'."""
    from sim.teaching.timeline import api_price, times

    assert api_price(12) == "12.00 CNY per million tokens"
    assert api_price(1.234e-5) == "0.000012 CNY per million tokens"
    assert api_price(0.5, unit=False) == "0.50"
    assert (times(2.1), times(1577.04)) == ("2.1x", "1,577x")


def test_a_gap_between_two_shares_reads_in_points_as_its_options_do() -> None:
    """cut_staff's and shells_vs_originals' first questions offer options "by more than 5
    points", but the answer printed the gap as a share: "mean -5.1%"."""
    from sim.teaching.measures import MEASURES, format_difference, format_value

    assert {MEASURES["gov_sme_gap_24"].unit, MEASURES["survival_gap_original_shell"].unit} \
        == {"gap"}
    assert format_value("gap", -0.051) == "-5.1 points"
    assert format_value("gap", -0.0001) == "0.0 points"
    assert format_difference("gap", 0.02) == "+2.0 points"


def test_help_is_plain_text(capsys: pytest.CaptureFixture[str]) -> None:
    """baimo-teach --help printed its docstring's reST literals: ``baimo-teach``."""
    main(["--help"])
    out = capsys.readouterr().out
    assert "``" not in out
    assert "A lesson (experiments/teaching/NAME.yaml + NAME.md) asks one question." in out


def test_a_lessons_key_numbers_are_folded(pack_reports: dict[str, Path]) -> None:
    """The key numbers sat open under the predict-first questions, so a teacher projecting
    the questions showed the answers. A lesson's are folded, as the answers are."""
    from sim.report import KEY_NUMBERS_FOLD

    text = pack_reports["cut_staff"].read_text(encoding="utf-8")
    keys = text[text.index('id="key-numbers"'):text.index('id="plots"')]
    assert keys.index("<details><summary>") < keys.index("<table>") < keys.index("</details>")
    assert KEY_NUMBERS_FOLD.split(" (")[0] in keys


def test_a_pack_names_only_known_measures_beside_an_answer(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sim.teaching.packs as packs

    for suffix in (".yaml", ".md"):
        (tmp_path / f"odd{suffix}").write_text(
            (TEACHING_DIR / f"cut_staff{suffix}").read_text(encoding="utf-8").replace(
                "    of: scenario\n", "    of: scenario\n    beside: [nosuch]\n", 1),
            encoding="utf-8")
    monkeypatch.setattr(packs, "TEACHING_DIR", tmp_path)
    with pytest.raises(PackError, match=r"predict\[0\]\.beside: 'nosuch' is not a known"):
        load_pack("odd")


def _run_with(small_tables: Tables, metrics: pd.DataFrame | None = None,
              events: pd.DataFrame | None = None, funds: pd.DataFrame | None = None,
              ) -> RunOutputs:
    """The small run with some of its tables replaced."""
    return RunOutputs(Path("."), small_tables.events if events is None else events,
                      small_tables.metrics if metrics is None else metrics,
                      small_tables.funds if funds is None else funds, small_tables.summary)


def test_numbers_shown_beside_an_answer_come_from_the_runs(small_tables: Tables) -> None:
    """patient_capital revealed "The patient funds" for the median TVPI of 48-month runs in
    which none of the ten-year funds had closed (0 of 86, against 67 of 86 three-year
    funds): their TVPI was stakes on paper. A question may now name measures shown beside
    its answer, per arm, from the same runs; patient_capital's fund questions show how many
    funds had closed and the cash they paid back (DPI)."""
    from sim.report import Source, _answers_html

    funds = small_tables.funds
    assert len(funds) >= 2
    done = funds.assign(closed=[True] * 2 + [False] * (len(funds) - 2))
    open_ = funds.assign(closed=False)
    arms = [Arm("scenario", "patient", [_run_with(small_tables, funds=open_)]),
            Arm("baseline", "impatient", [_run_with(small_tables, funds=done)])]
    pred = _question("patient_capital", "fund_tvpi_median")
    assert pred.beside == ("funds_closed", "funds", "fund_dpi_median", "fund_cash_dpi_median",
                           "fund_tvpi_outcome_median")
    beside = answer(pred, arms).beside
    assert beside[0] == ("Funds whose term ended within the run (returns final): "
                         "patient 0; impatient 2")
    assert beside[1] == f"Funds (raised before or during the run): patient {len(funds)}; " \
        f"impatient {len(funds)}"
    # DPI counts the stakes passed in kind, which the label called "cash paid back" (0.37
    # against a cash DPI of 0.03 at seed 42); the cash alone is a measure of its own
    assert beside[2].startswith("Median fund DPI (cash and stakes passed in kind, per CNY "
                                "paid in): patient ")
    assert beside[3].startswith("Median fund cash DPI (cash paid back per CNY paid in): ")
    f = small_tables.funds
    called = f[f["paid_in_mcny"] > 0]
    cash = ((called["distributed_mcny"] - called["in_kind_mcny"]) / called["paid_in_mcny"])
    assert fund_cash_dpi_median(_run_with(small_tables, funds=f)) == pytest.approx(
        cash.median())
    assert _question("patient_capital", "fund_gross_multiple_median").beside[0] == \
        "funds_closed"
    shown = _answers_html(Source("lesson", Path("."), arms, pack=load_pack("patient_capital")))
    at = shown.index("Funds whose term ended within the run (returns final): patient 0; "
                     "impatient 2")
    assert shown.rindex("<details>", 0, at) > shown.rindex("</details>", 0, at)


def _question(pack: str, measure: str) -> Prediction:
    return next(p for p in load_pack(pack).predictions if p.measure == measure)


def _adoption(small_tables: Tables, gov: float, sme: float) -> RunOutputs:
    """The small run with the given government/SOE and SME adoption at month 24."""
    month_24 = small_tables.metrics.iloc[[-1]].assign(month=24, adoption_gov_soe=gov,
                                                      adoption_sme=sme)
    return _run_with(small_tables, metrics=pd.concat([small_tables.metrics, month_24]))


def test_cut_staff_tells_apart_adoptions_twice_as_large(small_tables: Tables) -> None:
    """cut_staff's first key said "About the same" when government/SOE adoption was 8.3% and
    SME adoption 4.1% (replications=2): its band was 5 points either way, too wide where
    adoption is under 10%. The question now reads the ratio of the two, the band a quarter
    either way, and says so."""
    pred = load_pack("cut_staff").predictions[0]
    assert "(0.8 to 1.25 times)" in pred.ask

    def chosen(gov: float, sme: float) -> str:
        result = answer(pred, [_arm("a", [_adoption(small_tables, gov, sme)])])
        assert result.option is not None
        return pred.options[result.option].text

    assert chosen(0.083, 0.041).startswith("Government/SOE buyers, clearly")
    assert chosen(0.60, 0.56).startswith("About the same")
    assert chosen(0.03, 0.06).startswith("Small and medium firms, clearly")


def test_a_question_that_asks_how_much_lower_reads_its_sign_so(small_tables: Tables) -> None:
    """cut_staff asked "how much higher would government/SOE adoption be" without resistance
    and revealed "-18.5 points", scenario (with resistance) minus baseline. An option that
    says "higher" now lies above zero and one that says "lower" below it, in every lesson,
    and cut_staff asks how much lower adoption is with resistance."""
    for name in pack_names():
        for pred in load_pack(name).predictions:
            if pred.of != "difference":
                continue
            low = -math.inf
            for option in pred.options:
                high = math.inf if option.below is None else option.below
                if re.search(r"\bhigher\b", option.text) and not re.search(
                        r"\b(not|no)\b", option.text, flags=re.IGNORECASE):
                    assert low >= 0, (name, option.text)
                if re.search(r"\blower\b", option.text) and not re.search(
                        r"\b(not|no)\b", option.text, flags=re.IGNORECASE):
                    assert high <= 0, (name, option.text)
                low = high
    pred = _question("cut_staff", "adoption_gov_soe_24")
    held_back = [_arm("with", [_adoption(small_tables, 0.08, 0.04)]),
                 _arm("without", [_adoption(small_tables, 0.27, 0.06)])]
    result = answer(pred, held_back)
    assert result.option is not None
    assert pred.options[result.option].text == "More than 10 points lower"
    assert "mean -19.0 points" in result.text


def _releases(small_tables: Tables, rows: list[tuple[float, str, float]]) -> pd.DataFrame:
    """Release events (month, actor type, GPU-months) on a copy of one of the run's."""
    e = small_tables.events
    template = e[e["kind"] == "model_release"].iloc[[0]]
    return pd.concat([template.assign(month=m, actor_type=t, actor=f"{t}:{i}", gpus=g)
                      for i, (m, t, g) in enumerate(rows)], ignore_index=True)


def test_who_still_trains_is_measured_from_the_release_events(small_tables: Tables) -> None:
    """gpu_squeeze showed only the GPU price moving; baimo-validate sees claim 2 in the
    training compute of the startups' models released in months 0-23 and the giants' share
    of it. The lesson now measures those from the release events, and asks about the
    change, scenario over baseline, as a percentage."""
    rows = [(3.0, "startup", 100.0), (23.5, "startup", 50.0), (24.0, "startup", 999.0),
            (10.0, "giant", 850.0)]
    long = pd.concat([small_tables.metrics.iloc[[-1]].assign(month=m) for m in range(24)])
    run = _run_with(small_tables, metrics=long, events=_releases(small_tables, rows))
    assert values("training_compute_startups_24", [run])[0] == 150.0
    assert values("training_share_giants_24", [run])[0] == pytest.approx(0.85)
    short = _run_with(small_tables, metrics=long[long["month"] < 23],
                      events=_releases(small_tables, rows))
    assert math.isnan(values("training_compute_startups_24", [short])[0])
    less = _run_with(small_tables, metrics=long, events=_releases(
        small_tables, [(3.0, "startup", 97.0), (23.5, "startup", 50.5)]))
    pred = _question("gpu_squeeze", "training_compute_startups_24")
    assert pred.of == "change"
    result = answer(pred, [_arm("controls", [less]), _arm("none", [run])])
    assert result.option is not None and pred.options[result.option].text == "1% to 10% less"
    assert "controls against none: mean -1.7%" in result.text
    assert {"training_compute_startups_24", "gpus_bought_startups_24",
            "training_share_giants_24"} <= set(load_pack("gpu_squeeze").key_numbers)


def test_the_share_of_down_rounds_after_a_bust_counts_rounds_after_it(
        small_tables: Tables) -> None:
    """hype_bust's question on the share of down rounds read all four years: the boom's
    rounds before the bust with those after it. It now reads the rounds from month 15 (the
    bust falls in month 14)."""
    e = small_tables.events
    template = e[e["kind"] == "round_closed"].iloc[[0]]
    rounds = pd.concat([template.assign(month=m, down_round=d) for m, d in
                        ((2.0, True), (3.0, True), (15.0, True), (16.0, False),
                         (20.0, False), (30.0, False))], ignore_index=True)
    run = _run_with(small_tables, events=rounds)
    assert values("down_round_share_from_15", [run])[0] == pytest.approx(0.25)
    assert _question("hype_bust", "down_round_share_from_15").of == "difference"


def test_the_firms_that_released_by_dec_2023_are_counted_once(small_tables: Tables) -> None:
    """entry_burst compares the model's releases with the sources' "more than 130"; the
    model counts every generation of every firm, so the lesson shows the firms too."""
    rows = [(1.0, "startup", 1.0), (5.0, "giant", 1.0), (12.9, "startup", 1.0),
            (13.0, "startup", 1.0)]
    e = _releases(small_tables, rows)
    e.loc[1, "actor"] = "startup:0"   # a second model of the first firm
    long = pd.concat([small_tables.metrics.iloc[[-1]].assign(month=m) for m in range(14)])
    run = _run_with(small_tables, metrics=long, events=e)
    assert values("releases_by_end_2023", [run])[0] == 3
    assert values("releasers_by_end_2023", [run])[0] == 2
    assert "releasers_by_end_2023" in load_pack("entry_burst").key_numbers
