"""Sampling designs and sensitivity analysis: the draws, their errors, SALib's indices, end to end.

The analysis tests use known functions (a linear model whose parameter
importance is known) so a broken estimator or a lost design order fails them;
the end-to-end tests run tiny design sweeps (12 months, 200 buyers).
"""

from __future__ import annotations

import dataclasses
import json
import math
import shlex
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from cli import baimo

from sim.config import ConfigError
from sim.configuration import DesignSpec
from sim.report import load_source, render
from sim.sweep import collect
from sim.sweep.design import check, draw, override
from sim.sweep.plots import (
    plot_fan,
    plot_outcomes_vs_param,
    plot_sensitivity,
    plot_sensitivity_overview,
)
from sim.sweep.sensitivity import (
    SENSITIVITY_REPORT,
    SENSITIVITY_TABLE,
    analyse,
    competition_ranks,
    noise_mu_star,
    report,
)
from sim.sweep.spec import build, start_hydra

pytestmark = pytest.mark.usefixtures("output_root")

RANGES = {"funds.size_mcny": [600, 2400], "regulation.reviewers": [3, 9],   # Morris: 3 steps
          "data.spillover": [0.2, 0.8]}
TINY = ["horizon_months=12", "buyers.count=200", "hydra/launcher=basic"]


def spec(kind: str, samples: int, ranges: dict | None = None, **kw) -> DesignSpec:
    return DesignSpec(kind=kind, samples=samples,
                      ranges=dict(RANGES if ranges is None else ranges), **kw)


# ------------------------------------------------------------------ drawing designs
def test_lhs_puts_one_point_in_every_stratum_of_every_parameter() -> None:
    n = 20
    design = draw(spec("lhs", n), seed=1)
    assert design.matrix.shape == (n, 3)
    for j, (low, high) in enumerate(RANGES.values()):
        unit = (design.matrix[:, j] - low) / (high - low)
        assert sorted(np.floor(unit * n).astype(int)) == list(range(n))


def test_designs_are_seeded_and_integer_parameters_are_rounded() -> None:
    a, b, c = draw(spec("lhs", 8), 1), draw(spec("lhs", 8), 1), draw(spec("lhs", 8), 2)
    assert np.array_equal(a.matrix, b.matrix)
    assert not np.array_equal(a.matrix, c.matrix)
    terms = [v["regulation.reviewers"] for v in a.values]
    assert all(isinstance(t, int) and 3 <= t <= 9 for t in terms)
    assert terms == [min(3 + int(np.floor((x - 3) / 6 * 7)), 9) for x in a.matrix[:, 1]]
    assert all(isinstance(v["data.spillover"], float) for v in a.values)


@pytest.mark.parametrize("kind", ["lhs", "random"])
def test_every_whole_number_of_an_integer_range_is_as_likely(kind: str) -> None:
    """Rounding to the nearest gave the ends half the weight of the others (a statistical
    audit: 0..3 drew 0 and 3 a sixth of the time each, 1 and 2 a third)."""
    design = draw(spec(kind, 4000, {"regulation.reviewers": [3, 6], "data.spillover": [0, 1]}),
                  42)
    drawn = pd.Series([v["regulation.reviewers"] for v in design.values])
    shares = drawn.value_counts(normalize=True).sort_index()
    assert shares.index.tolist() == [3, 4, 5, 6]
    assert np.allclose(shares.to_numpy(), 0.25, atol=0.03)


def test_a_morris_design_refuses_integer_levels_between_whole_numbers() -> None:
    """At 4 levels a range [1, 3] has levels 1.67 and 2.33, both run as 2: mu* came out 1.5
    for an outcome that rises by 2 over the range. Its width must be a multiple of 3."""
    with pytest.raises(ConfigError, match=r"design.ranges.regulation.reviewers=\[1, 3\]: "
                       r".* allowed a range whose width is a multiple of 3 \(e.g. \[1, 4\]\)"):
        draw(spec("morris", 4, {"regulation.reviewers": [1, 3]}), 1)
    design = draw(spec("morris", 4, {"regulation.reviewers": [1, 4]}), 1)
    assert {v["regulation.reviewers"] for v in design.values} <= {1, 2, 3, 4}
    assert np.allclose(design.matrix, np.rint(design.matrix))   # the levels are whole


def test_random_design_stays_inside_the_ranges() -> None:
    design = draw(spec("random", 50), seed=3)
    for j, (low, high) in enumerate(RANGES.values()):
        assert (design.matrix[:, j] >= low).all() and (design.matrix[:, j] <= high).all()


def test_morris_trajectories_move_one_parameter_at_a_time() -> None:
    design = draw(spec("morris", 4), seed=5)
    k = len(RANGES)
    assert design.matrix.shape == (4 * (k + 1), k) == (spec("morris", 4).settings(), k)
    for t in range(4):
        block = design.matrix[t * (k + 1):(t + 1) * (k + 1)]
        changed = (np.diff(block, axis=0) != 0).sum(axis=1)
        assert changed.tolist() == [1] * k


def test_sobol_design_has_saltelli_size() -> None:
    assert draw(spec("sobol", 8), seed=5).matrix.shape == (8 * (3 + 2), 3)
    assert spec("sobol", 8, second_order=True).settings() == 8 * (2 * 3 + 2)


def test_override_keeps_floats_exact() -> None:
    assert override("data.spillover", 0.1 + 0.2) == f"data.spillover={0.1 + 0.2!r}"
    assert override("funds.term_years", 4) == "funds.term_years=4"


@pytest.mark.parametrize(("design", "message"), [
    (spec("latin", 5), "design.kind='latin' is unknown"),
    (spec("lhs", 5, {"funds.nonsense": [0, 1]}), "funds.nonsense is not a model parameter"),
    (spec("lhs", 5, {"startups.domains": [0, 1]}), "startups.domains is not a scalar number"),
    (spec("lhs", 5, {"data.spillover": [0.5, 2]}), "outside the allowed range 0 to 1"),
    (spec("lhs", 5, {"data.spillover": [0.5, 0.5]}), "low must be below high"),
    (spec("lhs", 5, {"data.spillover": [0.5]}), "must be [low, high]"),
    (spec("lhs", 5, {"regulation.reviewers": [3.2, 3.8]}), "fewer than two integers"),
    (spec("lhs", 1), "design.samples=1 must be at least 2"),
    (spec("lhs", 5, {}), "needs design.ranges"),
    (spec("sobol", 6), "must be a power of 2"),
    (spec("morris", 4, levels=3), "design.levels=3 must be an even number"),
    # the seed is the replications' to vary: a design over it was accepted
    (spec("lhs", 5, {"seed": [0, 5]}), "design.ranges: seed is not varied by a design; "
     "replications vary the seed"),
    # an integer field takes the nearest integer: 2.5 weighed 1 and 2 unevenly
    (spec("lhs", 5, {"buyers.count": [1, 2.5]}), "design.ranges.buyers.count=[1, 2.5]: "
     "buyers.count is an integer; allowed whole-number bounds"),
    # absurd sizes: 100 million points were killed at 24 GB while being planned
    (spec("lhs", 100_000_000), "design.samples=100000000 makes 100,000,000 settings for "
     "design.kind=lhs; allowed at most 10,000 jobs in a sweep"),
    (spec("morris", 2501), "design.samples=2501 makes 10,004 settings"),
    # an outcome no run writes: the sweep ran, then sensitivity.md said "Not analysed"
    (spec("morris", 4, outcomes=["startups.founded", "nope"]),
     "design.outcomes: 'nope' is not an outcome of a run; allowed the key outcomes "
     "(releases.total, "),
])
def test_bad_designs_fail_with_one_line_naming_the_field(design: DesignSpec, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        draw(design, seed=1)
    text = str(info.value)
    assert message in text and "\n" not in text


def test_grid_needs_no_ranges() -> None:
    check(DesignSpec())


def test_whole_number_bounds_of_an_integer_field_may_be_written_as_floats() -> None:
    check(spec("lhs", 5, {"buyers.count": [100.0, 200]}))


def test_outcomes_may_be_any_number_a_run_writes(small_tables) -> None:
    """design.outcomes takes every number of a run's summary.json (and the derived fund
    outcomes), as the sweep's tables name it; nothing else."""
    from sim.summary import SCALAR_OUTCOMES, outcome_names
    from sim.sweep.outcomes import KEY_OUTCOMES, derived, flatten

    summary = flatten(small_tables.summary)
    numbers = {k for k, v in summary.items()
               if isinstance(v, int | float) and not isinstance(v, bool)}
    horizon = small_tables.model.cfg.horizon_months
    unlisted = sorted(numbers - set(outcome_names(horizon)))
    assert unlisted == [], (f"summary.json holds {', '.join(unlisted)}, which "
                            "sim.summary.outcome_names does not name: add a number to "
                            "sim.summary.SCALAR_OUTCOMES (docs/DEVELOPING.md)")
    absent = sorted(set(SCALAR_OUTCOMES) - set(summary))
    assert absent == [], (f"sim.summary.SCALAR_OUTCOMES names {', '.join(absent)}, which "
                          "summary.json lacks")
    assert {k for k in summary if k.startswith("funding.deals_by_year.")} == {
        f"funding.deals_by_year.{y}" for y in range(2)}   # 24 months
    known = {*outcome_names(600), *derived(pd.DataFrame())}
    assert set(KEY_OUTCOMES) <= known
    check(spec("morris", 2, outcomes=sorted(known)))


@pytest.mark.parametrize(("args", "message"), [
    # Hydra merges a map into the experiment's ranges: {} changed nothing, 50 jobs ran
    (["design.ranges={}"], "design.ranges={}: an empty map removes no range"),
    (["++design.ranges={}"], "design.ranges={}: an empty map removes no range"),
    # replications multiply the design's points: 50 x 201 jobs
    (["replications=201"], "design.samples=50 makes 10,050 jobs (design.kind=lhs: 50 "
     "settings, replications=201); allowed at most 10,000 jobs in a sweep"),
    (["replications=100000000"], "replications=100000000 is out of range; allowed 1 to 10,000"),
    (["design.outcomes=[nope]"], "design.outcomes: 'nope' is not an outcome of a run"),
])
def test_bad_design_sweeps_stop_before_anything_runs(
        args: list[str], message: str, output_root: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = baimo(["+experiment=uncertainty_lhs", *args, "plan=true", *TINY], capsys)
    assert code == 2 and err.count("\n") == 1 and message in err, err
    assert "Traceback" not in err and not list(output_root.rglob("COMPLETE"))


# ------------------------------------------------------------------ sensitivity analysis
def _manifest(design_spec: DesignSpec, seed: int = 11) -> tuple[dict, np.ndarray]:
    """The manifest of a design analysed for made-up outcomes (``y``): drawn without them,
    as draw() refuses an outcome no run writes."""
    design = draw(dataclasses.replace(design_spec, outcomes=[]), seed)
    jobs = [{"name": f"replication=0,sample={i}", "sample": i} for i in range(len(design.values))]
    return {"design": design.manifest(design_spec), "jobs": jobs}, design.matrix


def _jobs(manifest: dict, y: np.ndarray, status: list[str] | None = None) -> pd.DataFrame:
    names = [j["name"] for j in manifest["jobs"]]
    return pd.DataFrame({"job": names, "status": status or ["complete"] * len(names), "y": y})


def _unit(x: np.ndarray) -> np.ndarray:
    bounds = np.array(list(RANGES.values()), dtype=float)
    return (x - bounds[:, 0]) / (bounds[:, 1] - bounds[:, 0])


def test_morris_ranks_a_known_linear_model() -> None:
    manifest, x = _manifest(spec("morris", 10, outcomes=["y"], resamples=200))
    u = _unit(x)
    result = analyse(manifest, _jobs(manifest, 10 * u[:, 0] + 2 * u[:, 2]))
    table = result.table.set_index("parameter")
    assert table["rank"].to_dict() == {"funds.size_mcny": 1, "data.spillover": 2,
                                       "regulation.reviewers": 3}
    # mu* of a linear term is its slope over the full range; mu* of an absent one is 0.
    assert table.loc["funds.size_mcny", "mu_star"] == pytest.approx(10, rel=1e-6)
    assert table.loc["data.spillover", "mu_star"] == pytest.approx(2, rel=1e-6)
    assert table.loc["regulation.reviewers", "mu_star"] == pytest.approx(0, abs=1e-9)
    assert (table["mu_star_conf"] >= 0).all() and table["points"].eq(10).all()
    assert result.overall()["parameter"].tolist()[0] == "funds.size_mcny"


def test_parameters_with_equal_indices_share_a_rank() -> None:
    """Two inert parameters (mu* exactly 0) were ranked 2 and 3 by the order of the keys."""
    manifest, x = _manifest(spec("morris", 6, outcomes=["y"], resamples=100))
    result = analyse(manifest, _jobs(manifest, 3 * _unit(x)[:, 1]))
    table = result.table.set_index("parameter")
    assert table["rank"].to_dict() == {"regulation.reviewers": 1, "funds.size_mcny": 2,
                                       "data.spillover": 2}
    assert table.loc[["funds.size_mcny", "data.spillover"], "mu_star"].eq(0).all()
    assert result.table["rank"].is_monotonic_increasing      # still listed in rank order
    overall = [line for line in report(result).splitlines() if line.startswith("| 2 |")]
    assert len(overall) == 4   # two in the overall ranking, two in the outcome's table
    assert competition_ranks(np.array([1.0, np.nan, 3.0, 1.0])).tolist() == [2, 4, 1, 2]


def test_morris_leaves_out_trajectories_with_an_unfinished_job() -> None:
    manifest, x = _manifest(spec("morris", 5, outcomes=["y"], resamples=100))
    status = ["complete"] * len(x)
    status[6] = "failed"                        # trajectory 1 (rows 4-7 for 3 parameters)
    result = analyse(manifest, _jobs(manifest, _unit(x)[:, 0], status))
    assert result.table["points"].eq(4).all()


def test_sobol_shares_variance_of_a_known_model() -> None:
    manifest, x = _manifest(spec("sobol", 512, outcomes=["y"], resamples=100))
    u = _unit(x)
    result = analyse(manifest, _jobs(manifest, 2 * u[:, 0] + u[:, 1]))
    table = result.table.set_index("parameter")
    # Var = 4/12 + 1/12: S1 = 0.8 and 0.2 for the two terms, 0 for the third.
    assert table.loc["funds.size_mcny", "S1"] == pytest.approx(0.8, abs=0.08)
    assert table.loc["regulation.reviewers", "S1"] == pytest.approx(0.2, abs=0.08)
    assert table.loc["data.spillover", "ST"] == pytest.approx(0, abs=0.02)
    assert table.loc["funds.size_mcny", "rank"] == 1


def test_sobol_intervals_are_the_same_each_time_a_sweep_is_analysed() -> None:
    """SALib's Sobol analysis reads a seed of 0 as none: the intervals were resampled from
    NumPy's global generator and changed with every aggregation (0.952, 0.944, 0.933)."""
    manifest, x = _manifest(spec("sobol", 64, outcomes=["y"], resamples=100))
    u = _unit(x)
    jobs = _jobs(manifest, 2 * u[:, 0] + u[:, 1] ** 2)
    first = analyse(manifest, jobs).table
    np.random.seed(1)   # the global generator's state, which the analysis must not read
    again = analyse(manifest, jobs).table
    pd.testing.assert_frame_equal(first, again)


def test_constant_outcomes_are_reported_not_analysed() -> None:
    manifest, x = _manifest(spec("morris", 3, outcomes=["y", "missing"], resamples=50))
    result = analyse(manifest, _jobs(manifest, np.ones(len(x))))
    assert set(result.skipped) == {"y", "missing"} and result.table.empty
    # The report said "## Overall ranking" over a table with a header and no rows.
    text = report(result)
    assert "No outcome could be analysed yet" in text and "| rank |" not in text


def test_outcomes_keep_the_order_the_design_names_them() -> None:
    """The report's sections and the overview's columns followed the outcomes' keys
    alphabetically, not the order a researcher listed them in."""
    manifest, x = _manifest(spec("morris", 6, outcomes=["zeta", "alpha"], resamples=50))
    u = _unit(x)
    jobs = _jobs(manifest, u[:, 0]).assign(zeta=3 * u[:, 1], alpha=2 * u[:, 0])
    result = analyse(manifest, jobs)
    assert result.table["outcome"].unique().tolist() == ["zeta", "alpha"]
    text = report(result)
    assert text.index("`zeta`") < text.index("`alpha`")
    overview = plot_sensitivity_overview(result).axes[0]
    assert [t.get_text() for t in overview.get_xticklabels()] == ["zeta", "alpha"]
    # The overview's cells follow its labels: zeta's largest index is regulation.reviewers'.
    cells = overview.images[0].get_array()
    rows = [t.get_text() for t in overview.get_yticklabels()]
    assert cells[rows.index("regulation.reviewers"), 0] == pytest.approx(1)
    assert cells[rows.index("funds.size_mcny"), 1] == pytest.approx(1)


def test_sensitivity_plots_show_every_parameter_with_intervals() -> None:
    manifest, x = _manifest(spec("morris", 6, outcomes=["y"], resamples=100))
    result = analyse(manifest, _jobs(manifest, 3 * _unit(x)[:, 1]))
    fig = plot_sensitivity(result, "y")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()][-1] == "regulation.reviewers"  # top bar
    assert len(ax.patches) == 3 and "95% confidence intervals" in ax.get_title()
    overview = plot_sensitivity_overview(result)
    assert overview.axes[0].images[0].get_array().shape == (3, 1)


def _replicated(manifest: dict, replications: int) -> dict:
    """``manifest`` with ``replications`` jobs at each design point."""
    points = len(manifest["jobs"])
    jobs = [{"name": f"replication={r},sample={i}", "sample": i}
            for r in range(replications) for i in range(points)]
    return {**manifest, "jobs": jobs, "replications": replications}


def test_morris_says_which_indices_seed_noise_alone_could_give() -> None:
    """A researcher's Morris indices of a noisy outcome were ranked with intervals that
    left the seed noise out: per replication, the first index was 42 in one and 20 in the
    other, against a reported +/- 5.5. With replications the analysis now measures the
    noise at each point, gives the mu* noise alone would give (noise_mu_star), and marks
    the indices within twice it. Pure noise lands on it; a real effect stands clear."""
    manifest, x = _manifest(spec("morris", 40, outcomes=["y"], resamples=100))
    twice = _replicated(manifest, 2)
    rng = np.random.default_rng(3)
    u = np.tile(_unit(x), (2, 1))
    noise = rng.normal(0, 1.0, len(u))
    result = analyse(twice, _jobs(twice, 5 * u[:, 0] + noise))
    table = result.table.set_index("parameter")
    expected = noise_mu_star(1.0, 2, 4)   # sd 1 per run, means of 2, a step of 2/3
    assert expected == pytest.approx(1.0 * 1.0 / (2 / 3) * math.sqrt(2 / math.pi))
    assert table["noise_mu_star"].iloc[0] == pytest.approx(expected, rel=0.2)
    # the two inert parameters' mu* is noise's own; the real effect's is far above it
    for inert in ("regulation.reviewers", "data.spillover"):
        assert table.loc[inert, "mu_star"] == pytest.approx(expected, rel=0.3)
        assert table.loc[inert, "within_noise"]
    assert not table.loc["funds.size_mcny", "within_noise"]
    text = report(result)
    assert "Seed noise: from the spread of the replications at each point" in text
    assert "| within noise |" in text
    # one replication: no spread to measure, nothing marked, and the report says why
    single = analyse(manifest, _jobs(manifest, 5 * _unit(x)[:, 0]))
    assert single.table["noise_mu_star"].isna().all() and not single.table["within_noise"].any()
    assert "**One replication a point**" in report(single)


def test_the_report_says_what_the_indices_rest_on_and_warns_of_too_few() -> None:
    """sensitivity.md gave neither the trajectories, the levels, the replications nor the
    resamples, and no warning that 3 trajectories or a Sobol base of 8 is too few."""
    few, x = _manifest(spec("morris", 3, outcomes=["y"], resamples=100))
    text = report(analyse(few, _jobs(few, 5 * _unit(x)[:, 0])))
    assert ("- morris: 3 trajectories of 4 points, 4 levels; 1 replication at each point, "
            "the indices taken on the mean over them.") in text
    assert "- 95% intervals from 100 bootstrap resamples." in text
    assert "**Few trajectories**: 3" in text
    enough, x = _manifest(spec("morris", 12, outcomes=["y"], resamples=100))
    assert "Few trajectories" not in report(analyse(enough, _jobs(enough, _unit(x)[:, 0])))
    small, x = _manifest(spec("sobol", 8, outcomes=["y"], resamples=100))
    text = report(analyse(small, _jobs(small, 2 * _unit(x)[:, 0] + _unit(x)[:, 1])))
    assert "a base sample of 8 (Saltelli)" in text and "**Small sample**: a base of 8" in text


def test_sensitivity_whiskers_stop_at_zero() -> None:
    """mu* is not negative, yet its symmetric interval was drawn down to -0.09."""
    manifest, x = _manifest(spec("morris", 3, outcomes=["y"], resamples=100))
    noise = np.random.default_rng(6).normal(0, 1, len(x))   # an interval wider than its mu*
    result = analyse(manifest, _jobs(manifest, 5 * _unit(x)[:, 0] + noise))
    fig = plot_sensitivity(result, "y")
    ax = fig.axes[0]
    fig.canvas.draw()
    (whiskers,) = [c for c in ax.collections if len(c.get_segments()) == 3]
    lows = [min(seg[:, 0]) for seg in whiskers.get_segments()]
    assert min(lows) >= 0
    assert any(row.mu_star_conf > row.mu_star for row in result.table.itertuples())
    # sensitivity.parquet of a sweep aggregated before the noise columns (baimo-report
    # plots it as it is on disk)
    old = dataclasses.replace(result, table=result.table.drop(
        columns=["noise_mu_star", "within_noise"]))
    assert plot_sensitivity(old, "y").axes[0].patches


# ------------------------------------------------------------------ end to end
def test_lhs_experiment_runs_resumes_and_plots(output_root: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    directory = output_root / "lhs"
    args = ["+experiment=uncertainty_lhs", "design.samples=3", f"sweep_dir={directory}",
            "sweep_plots=false", *TINY]
    code, out, err = baimo(args, capsys)
    assert code == 0, err
    tables = collect(directory)
    assert tables.jobs["job"].tolist() == [f"replication=0,sample={i}" for i in range(3)]
    params = [c for c in tables.jobs.columns if c.startswith("param.")]
    assert len(params) == 8 and tables.jobs[params].nunique().min() == 3
    manifest = json.loads((directory / "sweep.json").read_text())
    assert manifest["design"]["kind"] == "lhs" and len(manifest["design"]["matrix"]) == 3
    scatter = plot_outcomes_vs_param(tables, "hype.decay_per_month")
    assert "lhs design" in scatter.texts[0].get_text()
    panels = [ax for ax in scatter.axes if ax.get_visible()]
    assert panels and all(len(ax.collections[0].get_offsets()) == 3 for ax in panels)
    fan = plot_fan(tables, "independent_builders")
    assert len([ax for ax in fan.axes if ax.get_visible()]) == 1   # one panel: all points
    # the band is over design points, one replication each (it said "of replications")
    assert fan._suptitle is not None
    assert fan._suptitle.get_text().endswith("of jobs (design points x replications)")
    code, out, _ = baimo(args, capsys)   # rerun: everything is complete, nothing runs
    assert code == 0 and "already complete: 3, to run: 0" in out
    # compared, its arms are its points (sample=N), each away from the first in every
    # parameter: the comparison says so, and where the points' values are
    from sim.compare import compare

    result = compare([directory], plots=False)
    assert [a.label for a in result.arms] == [f"sample={i}" for i in range(3)]
    assert result.design == [
        f"{directory} is a lhs design of 3 points over 8 parameters: each arm is one point "
        "(sample=N), away from the reference in several parameters at once, so a difference "
        "is no one parameter's effect; the param.* columns of its sweep.parquet hold each "
        "point's values, and its plots show each outcome against each parameter"]
    assert result.directory is not None
    assert json.loads((result.directory / "compare.json").read_text())["design_notes"] \
        == result.design
    assert result.design[0] in (result.directory / "summary.md").read_text()


def test_a_design_given_on_the_command_line_without_m_runs_its_points(
        output_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A design asks for a sweep as replications above 1 do: without -m it ran as one run of
    the defaults, its points never drawn (and, once own configs' sweeps were refused, was
    refused as if it came from a --config-dir)."""
    directory = output_root / "adhoc"
    code, _, err = baimo(["design.kind=lhs", "design.samples=2",
                          "+design.ranges={funds.term_years:[3,6]}", f"sweep_dir={directory}",
                          "sweep_plots=false", *TINY], capsys)
    assert code == 0, err
    assert collect(directory).jobs["job"].tolist() == ["replication=0,sample=0",
                                                       "replication=0,sample=1"]


def test_screening_experiment_screens_at_least_15_assumptions() -> None:
    from sim.validation.params import rows

    spec_ = build(start_hydra(), ["+experiment=sensitivity_screening", "design.samples=1"])
    k = len(spec_.swept)
    assert k >= 15 and spec_.design is not None and spec_.design["kind"] == "morris"
    assert len(spec_.jobs) == k + 1     # one trajectory: k + 1 points
    source = {r.name: r.source for r in rows()}
    assert all("assumption" in source[key] for key in spec_.swept)


def test_design_ranges_say_the_defaults_they_are_drawn_around() -> None:
    """Every shipped design range that notes its parameter's default ("# default 3500")
    notes the default the config has now, and holds it: imported GPU supply was
    recalibrated from 3,500 to 4,500 a month while two designs still drew "half to twice
    the default" around 3,500."""
    import re

    from sim.configuration import EXPERIMENTS_DIR, compose

    cfg = compose([])
    noted = re.compile(r"^\s+([\w.]+): \[([-\d.e]+), ([-\d.e]+)\]\s+# default ([-\d.e]+)")
    checked = []
    for path in sorted(EXPERIMENTS_DIR.rglob("*.yaml")):
        for line in path.read_text(encoding="utf-8").splitlines():
            m = noted.match(line)
            if m is None:
                continue
            key, low, high, said = m.group(1), *map(float, m.group(2, 3, 4))
            value: object = cfg
            for part in key.split("."):
                value = getattr(value, part)
            assert said == float(value), f"{path.name}: {key} says default {said}, is {value}"
            assert low <= float(value) <= high, f"{path.name}: {key}'s range leaves out {value}"
            checked.append(key)
    assert "compute.imported_supply_per_month" in checked and len(checked) >= 20


TINY_MORRIS = """# @package _global_
# A three-parameter Morris screening for the tests.
hydra:
  mode: MULTIRUN
design:
  kind: morris
  samples: 2
  outcomes: [startups.founded, releases.total]
  ranges:
    data.spillover: [0.2, 0.8]
    startups.base_founding_rate: [0.9, 1.5]
    regulation.reviewers: [5, 20]
"""


def test_morris_screening_writes_a_ranked_report_and_plots(
        output_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    scenario = output_root / "scenarios" / "experiment" / "tiny_morris.yaml"
    scenario.parent.mkdir(parents=True)
    scenario.write_text(TINY_MORRIS)
    directory = output_root / "screen"
    code, out, err = baimo(["+experiment=tiny_morris", f"sweep_dir={directory}", *TINY], capsys)
    assert code == 0, err
    table = pd.read_parquet(directory / SENSITIVITY_TABLE)
    assert set(table["method"]) == {"morris"} and table["parameter"].nunique() == 3
    assert set(table["outcome"]) == {"startups.founded", "releases.total"}
    for _, group in table.groupby("outcome"):
        assert sorted(group["rank"]) == [1, 2, 3]
    text = (directory / SENSITIVITY_REPORT).read_text()
    assert "## Overall ranking" in text and "mu*" in text
    plots = {p.stem for p in (directory / "plots").glob("*.png")}
    assert {"sensitivity_overview", "sensitivity_startups.founded",
            "outcomes_vs_data.spillover"} <= plots

    # baimo-report: one arm for the whole design, and the ranking with its plots
    source = load_source(directory)
    assert len(source.arms) == 1 and len(source.arms[0].runs) == 8
    html = render(source)
    assert "Design and sensitivity" in html and "Which parameters matter" in html
    assert all(f"<code>{k}</code>" in html for k in ("data.spillover", "regulation.reviewers"))
    assert html.count("<img") >= 3 + 1     # overview + one per outcome, then the outcome plots
    # the design's size, its ranges' units, and its runs not called replications (a
    # researcher read 54 design runs as "54 replication(s)")
    assert ("A <b>morris</b> design over 3 parameters: 8 points (2 trajectories of 4), drawn "
            "within these ranges") in html
    assert "<th>unit</th>" in html and "<td>parallel reviews</td>" in html
    assert "Mean over the design&#x27;s runs (every point and replication)" in html
    assert "replication(s)" not in html


def test_design_sweep_refuses_grid_keys_too(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = baimo(["+experiment=uncertainty_lhs", "funds.term_years=3,10", *TINY], capsys)
    assert code == 2 and "takes its settings from design.ranges" in err
    code, _, err = baimo(["+experiment=uncertainty_lhs", "data.spillover=0.5", "design.kind=lhs",
                          "hype.decay_per_month=0.1", *TINY], capsys)
    assert code == 2 and "hype.decay_per_month is both set by an override" in err


def test_design_ranges_come_from_the_command_line_with_force_add() -> None:
    """Dotted keys inside a dict literal: ``++design.ranges={a.b:[lo,hi]}`` (docs)."""
    spec_ = build(start_hydra(), ["hydra.mode=MULTIRUN", "design.kind=lhs", "design.samples=4",
                                  "++design.ranges={funds.term_years:[3,10],data.spillover:[0.2,0.8]}",
                                  *TINY])
    assert sorted(spec_.swept) == ["data.spillover", "funds.term_years"]
    assert len(spec_.jobs) == 4
    for job in spec_.jobs:
        assert 3 <= job.params["funds.term_years"] <= 10
        assert 0.2 <= job.params["data.spillover"] <= 0.8
    # On an experiment's design the literal adds to (and overrides) the file's ranges.
    spec_ = build(start_hydra(), ["+experiment=uncertainty_lhs", "design.samples=2",
                                  "++design.ranges={funds.term_years:[3,10]}", *TINY])
    assert "funds.term_years" in spec_.swept and len(spec_.swept) > 1


def test_a_design_sweeps_folder_is_printed_ready_to_paste_into_a_shell(
        output_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The docs' design sweep names its folder after ``++design.ranges={...}``: braces and
    commas that bash expands into several words, so the folder printed bare could not be
    pasted into baimo-report. The plan's and the "wrote" line's folder is shell-quoted:
    bash reads it back as the one folder."""
    code, out, err = baimo(["-m", "design.kind=lhs", "design.samples=2",
                            "++design.ranges={funds.term_years:[3,10],data.spillover:[0.2,0.8]}",
                            "sweep_plots=false", *TINY], capsys)
    assert code == 0, err
    (folder,) = (output_root / "sweeps").iterdir()
    assert "{" in folder.name
    planned = next(x for x in out.splitlines() if x.startswith("  directory: "))
    wrote = next(x for x in out.splitlines() if x.startswith("wrote "))
    for pasted in (planned.removeprefix("  directory: "),
                   wrote.removeprefix("wrote ").partition(": sweep.parquet")[0]):
        assert pasted == shlex.quote(str(folder))
        words = subprocess.run(["bash", "-c", f"printf '%s\\n' {pasted}"], check=True,
                               capture_output=True, text=True).stdout.splitlines()
        assert words == [str(folder)]
