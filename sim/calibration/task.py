"""One calibration trial, as Hydra's launcher runs it for the Optuna sweeper.

The trial composes its config (the experiment plus the values Optuna chose),
runs ``calibration.replications`` seeded replications in memory (the same
seeds in every trial: common random numbers, so trials differ only by their
parameters), scores them with the validity loss and returns it to Optuna. It
also leaves a record, ``trials/<digest>.json`` in the study directory, with
the loss's terms, so the report can say which facts a trial gave up.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import Any

from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf

from sim.calibration.loss import validity_loss
from sim.configuration import config_hash, run_control, to_config
from sim.outputs import parse_json, write_json
from sim.parallel import leave_with_parent
from sim.rng import replication_seeds
from sim.sweep.task import time_limit
from sim.validation.replicate import replicate_one, with_seed

TRIALS = "trials"
#: What a study rerun after a trial ran out of time does: Optuna does not try a failed
#: trial's values again.
RERUN_AFTER_TIMEOUT = ("rerun: the study goes on to its n_trials complete trials, drawing new "
                       "ones in place of those that failed")
#: The trial's log: its job directory's ``<job name>.log`` (conf/hydra/job_logging).
log = logging.getLogger(__name__)


def digest(params: dict[str, Any]) -> str:
    """A trial's name: a hash of the values it was given for the searched parameters."""
    text = "\n".join(f"{k}={params[k]!r}" for k in sorted(params))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def record_path(study_dir: Path, params: dict[str, Any]) -> Path:
    """Where the trial with these parameter values leaves its record."""
    return study_dir / TRIALS / f"{digest(params)}.json"


def calibration_task(cfg: DictConfig) -> float:
    """Run one trial; return its validity loss (lower is better). The trial's log says
    what it ran and scored, or why it failed (the study's summary points there)."""
    leave_with_parent()   # in a joblib worker: end with the study's process
    hydra_cfg = HydraConfig.get()
    params = {str(k): OmegaConf.select(cfg, str(k)) for k in hydra_cfg.sweeper.params or {}}
    log.info("trial: %s", " ".join(f"{k}={v}" for k, v in params.items()))
    try:
        rc = run_control(cfg)
        spec = rc.calibration
        model = to_config(cfg)
        seeds = replication_seeds(model.seed, spec.replications)
        # a trial past it fails (the sweeper records FAIL); the study goes on with others
        with time_limit(rc.job_timeout_s, RERUN_AFTER_TIMEOUT):
            reps = [replicate_one(with_seed(model, s)) for s in seeds]
    except BaseException:
        log.exception("trial failed")
        raise
    loss = validity_loss(reps, spec)
    log.info("loss %.4f over seeds %s: %s", loss.value, seeds,
             ", ".join(f"{k} {v:.4f}" for k, v in loss.terms.items()))
    record: dict[str, Any] = {"params": params, "loss": loss.value, "terms": loss.terms,
                              "margins": loss.margins, "passing": loss.passing,
                              "seeds": seeds, "config_hash": config_hash(model)}
    write_json(record, record_path(Path(hydra_cfg.sweep.dir), params))
    return loss.value


def read_record(path: Path) -> dict[str, Any] | None:
    """A trial's record, or None if it is missing or unreadable."""
    try:
        data = parse_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and "loss" in data else None
