"""Calibration to the stylized facts: ``baimo +experiment=calibrate`` (Optuna through Hydra).

Modules: ``loss`` (the validity loss of a set of replications), ``task`` (one
trial: seeded replications scored by the loss), ``runner`` (the persistent,
resumable study and what it writes: trials table, report, best scenario YAML).
Needs the optional extra: ``pip install -e ".[calibrate]"``.
"""
