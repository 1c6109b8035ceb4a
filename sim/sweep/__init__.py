"""Named experiments from the command line: sweeps with replications, parallel and resumable.

    baimo +experiment=investor_patience replications=5   # a named sweep
    baimo -m data.spillover=0,0.5,1 replications=3        # an ad-hoc sweep
    baimo ... plan=true                                   # what would run, how long; runs nothing
    baimo aggregate outputs/sweeps/investor_patience      # rebuild its tables and plots

See docs/EXPERIMENTS.md. Modules: ``spec`` (jobs from overrides), ``task`` (one
job), ``runner`` (resume, launch, report), ``progress`` (the bar),
``aggregate`` and ``plots`` (sweep tables and figures), ``outcomes`` (flat
outcome rows), ``experiments`` (the list of experiment files).
"""

from __future__ import annotations

from sim.outputs import SWEEP_METRICS, SWEEP_TABLE
from sim.sweep.aggregate import SweepTables, aggregate, collect
from sim.sweep.spec import FAILED, SWEEP_MANIFEST, Job, SweepError, SweepSpec

__all__ = [
    "FAILED", "SWEEP_MANIFEST", "SWEEP_METRICS", "SWEEP_TABLE", "Job", "SweepError", "SweepSpec",
    "SweepTables", "aggregate", "collect",
]
