"""The calibration's sampler: Optuna's TPE, each trial's draws seeded by its place.

Optuna's samplers draw from one random stream for the whole study, so a study resumed in
a new process (a new stream) goes on with other values than the same study run in one
go, and how far depends on when it was interrupted. :class:`TrialSeededTPESampler` draws
each value of a trial from a stream of its own, seeded by the sampler's seed, the
trial's place in the study and the parameter's name. A trial's values then depend only on
those and on the trials finished before it was asked for, as the sweeper asks for them a
batch (``n_jobs``) at a time: the runner (:mod:`sim.calibration.runner`) reruns trials an
interrupted command left unfinished with their own values, in a batch of their own, so
the batches after them are asked for with the same finished trials as in one go. Those
trials keep their place in the study (:data:`INTERRUPTED` marks them, and the place does
not count them), so the study resumed ends as the uninterrupted one does.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from optuna.distributions import BaseDistribution
from optuna.samplers import TPESampler
from optuna.study import Study
from optuna.trial import FrozenTrial

#: A trial's user attribute: an interrupted command left it unfinished (its value lost),
#: and it runs again as a new trial with the same values.
INTERRUPTED = "baimo_interrupted"


def place(study: Study, trial: FrozenTrial) -> int:
    """The trial's place in the study: the trials before it, less those an interrupted
    command left unfinished (each runs again, as a later trial, in its place)."""
    return len([t for t in study.get_trials(deepcopy=False)
                if t.number < trial.number and not t.user_attrs.get(INTERRUPTED)])


class TrialSeededTPESampler(TPESampler):
    """Optuna's TPE sampler (the same settings), with each trial's draws seeded by its place
    in the study (see the module's docstring). Unseeded (``seed=None``), it is TPE as is."""

    def __init__(self, seed: int | None = None, **settings: Any) -> None:
        super().__init__(seed=seed, **settings)
        self._study_seed = seed

    def _reseed(self, study: Study, trial: FrozenTrial, name: str) -> None:
        """Both streams TPE draws from (its own, and its random sampler's for the first
        trials), seeded for this trial's ``name`` (a parameter; "" for the joint draw)."""
        if self._study_seed is None:
            return
        entropy = [int(self._study_seed), place(study, trial), *name.encode()]
        own, startup = np.random.SeedSequence(entropy).generate_state(2)
        self._rng = np.random.RandomState(own)
        self._random_sampler._rng = np.random.RandomState(startup)

    def sample_relative(self, study: Study, trial: FrozenTrial,
                        search_space: dict[str, BaseDistribution]) -> dict[str, Any]:
        self._reseed(study, trial, "")
        return super().sample_relative(study, trial, search_space)

    def sample_independent(self, study: Study, trial: FrozenTrial, param_name: str,
                           param_distribution: BaseDistribution) -> Any:
        self._reseed(study, trial, param_name)
        return super().sample_independent(study, trial, param_name, param_distribution)
