"""Predict-first answers, computed from the runs (never written in advance).

Each question names a measure and an arm (the scenario, the baseline, or the
paired difference scenario minus baseline). The answer is the option that the
mean over replications falls in, with how many replications fell in each option.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sim.commands import plural
from sim.teaching.arms import Arm, common_start, paired
from sim.teaching.measures import (
    format_change,
    format_difference,
    format_value,
    measure,
    values,
)
from sim.teaching.packs import Prediction


@dataclass(frozen=True)
class Answer:
    """What the runs showed for one predict-first question."""

    prediction: Prediction
    values: tuple[float, ...]
    mean: float
    option: int | None  # index of the option the mean falls in; None if no value
    counts: tuple[int, ...]  # replications per option
    text: str
    #: The prediction's ``beside`` measures, one line each: per arm, the mean over its
    #: replications and their range (:func:`beside_lines`).
    beside: tuple[str, ...] = ()


def _arm_values(pred: Prediction, arms: list[Arm]) -> np.ndarray:
    name = pred.measure
    if pred.of == "scenario":
        return values(name, arms[0].runs)
    if pred.of == "baseline":
        return values(name, arms[1].runs)
    a, b = values(name, arms[0].runs), values(name, arms[1].runs)
    if not paired(arms[0], arms[1]):
        fa, fb = a[np.isfinite(a)], b[np.isfinite(b)]  # unequal replications: means
        a, b = (np.array([fa.mean()]), np.array([fb.mean()])) if fa.size and fb.size else \
            (np.array([math.nan]), np.array([math.nan]))
    if pred.of == "change":   # scenario over baseline, less 1; no change of nothing
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(b != 0, a / b - 1, math.nan)
    return a - b


def beside_lines(pred: Prediction, arms: list[Arm]) -> tuple[str, ...]:
    """One line per measure ``pred`` shows beside its answer: "Funds whose term ended within
    the run (returns final): patient capital 0; impatient capital 66.3 (66 to 67)", each
    arm's mean over its replications and, where they differ, their range."""
    start = common_start(arms)
    lines = []
    for name in pred.beside:
        m = measure(name)
        parts = []
        for arm in arms:
            vals = values(name, arm.runs)
            finite = vals[np.isfinite(vals)]
            if finite.size == 0:
                parts.append(f"{arm.label} n/a")
                continue
            shown = format_value(m.unit, float(finite.mean()), arm.start_date)
            low, high = (format_value(m.unit, float(v), arm.start_date)
                         for v in (finite.min(), finite.max()))
            parts.append(f"{arm.label} {shown}" + (f" ({low} to {high})" if low != high else ""))
        lines.append(f"{m.title(start)}: {'; '.join(parts)}")
    return tuple(lines)


def answer(pred: Prediction, arms: list[Arm]) -> Answer:
    """Evaluate ``pred`` on ``arms`` (scenario first, then the baseline)."""
    if pred.of != "scenario" and len(arms) < 2:
        raise ValueError(f"question {pred.ask!r} compares two arms; the runs have {len(arms)}")
    m = measure(pred.measure)
    vals = _arm_values(pred, arms)
    finite = vals[np.isfinite(vals)]
    counts = [0] * len(pred.options)
    for v in finite:
        counts[pred.option_index(float(v))] += 1
    start = arms[0].start_date
    label = m.title(common_start(arms))
    if finite.size == 0:
        return Answer(pred, tuple(vals), math.nan, None, tuple(counts),
                      f"The runs gave no value for '{label}', so this question has no answer "
                      "here: what it measures never happened in these runs (no builder, no "
                      "fund), or the runs ended before the month it reads.",
                      beside_lines(pred, arms))
    mean = float(finite.mean())
    chosen = pred.option_index(mean)

    def show(v: float) -> str:
        if pred.of == "change":
            return format_change(v)
        return format_difference(m.unit, v) if pred.of == "difference" else \
            format_value(m.unit, v, start)

    what = label
    if pred.of == "difference":
        what = f"{label}: {arms[0].label} minus {arms[1].label}"
    elif pred.of == "change":
        what = f"{label}: {arms[0].label} against {arms[1].label}"
    spread = f"mean {show(mean)}" if finite.size == 1 else \
        f"mean {show(mean)}, range {show(float(finite.min()))} to {show(float(finite.max()))}"
    agree = counts[chosen]
    runs = plural(int(finite.size), "replication")
    if 2 * agree >= finite.size:
        text = (f"The runs showed: \"{pred.options[chosen].text}\". {what}: {spread} over "
                f"{runs}; {agree} of {finite.size} fell in this option.")
    else:   # the mean sits in an option most runs are not in: say how they split
        split = "; ".join(f"\"{opt.text}\" {n}" for opt, n in zip(pred.options, counts,
                                                                 strict=True) if n)
        few = "none" if agree == 0 else f"only {agree}"
        text = (f"The runs split ({split} of {finite.size}): their mean falls in "
                f"\"{pred.options[chosen].text}\", which {few} of them did. {what}: "
                f"{spread} over {runs}. More replications would tell.")
    return Answer(pred, tuple(vals), mean, chosen, tuple(counts), text, beside_lines(pred, arms))
