"""``baimo rerun DIR``: run again what a finished run (or a sweep's job) ran.

A run records its resolved model configuration in ``config.json``. Its overrides alone
(``.hydra/overrides.yaml``) replay it against today's defaults, which may have changed
since; ``config.json`` does not depend on them. The rerun gives Hydra, as overrides, every
setting of ``config.json`` that differs from today's defaults, and its seed, so the run
directory's ``.hydra/overrides.yaml`` says what the rerun changed, and the outputs are
byte-identical to the original's when the model code is the same (``summary.json``'s
``environment.model_code``: the rerun says when it is not).
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

from sim.config import ConfigError, schema_field
from sim.configuration import (
    changed_from_defaults,
    default_settings,
    flat_settings,
    override_key,
)
from sim.outputs import CONFIG, MODEL_CODE, SUMMARY, parse_json
from sim.sweep.spec import quote

#: A setting's name in a config (a key of a map inside a list: a shock's ``label``).
SETTING_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class RerunError(ConfigError):
    """A directory ``baimo rerun`` cannot rerun; the message is one line."""


def hydra_value(value: Any) -> str:
    """``value`` (as JSON holds it) in Hydra's override grammar: strings quoted, lists and
    maps spelled out (``[{month:10,supply_cut:0.5,label:'2023'}]``)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise RerunError(f"{value!r} is no value a config holds")
        return repr(value)
    if isinstance(value, str):
        # Hydra resolves ${...} even in a quoted value: a run's files are data, so quote
        # escapes it, and a label ${oc.env:SECRET} in a config.json stays that text (it put
        # the secret's value in the rerun's outputs; ${now:%Y-%m} as start_date ran from
        # the current month)
        return quote(value)
    if isinstance(value, list):
        return "[" + ",".join(hydra_value(v) for v in value) + "]"
    if isinstance(value, dict):
        odd = next((k for k in value if not SETTING_NAME.fullmatch(str(k))), None)
        if odd is not None:   # written as it stands, a key is Hydra's to resolve
            raise RerunError(f"{odd!r} is no setting's name (letters, digits and _)")
        return "{" + ",".join(f"{k}:{hydra_value(v)}" for k, v in value.items()) + "}"
    raise RerunError(f"{value!r} is no value a config holds")


def _lookup(config: dict[str, Any], key: str) -> Any:
    node: Any = config
    for part in key.split("."):
        node = node[part]
    return node


def recorded_config(run_dir: Path) -> dict[str, Any]:
    """``run_dir``'s config.json; RerunError (one line) if it has none, or none readable."""
    path = run_dir / CONFIG
    if not run_dir.is_dir():
        raise RerunError(f"{run_dir}: no such directory (give a run's directory: "
                         "outputs/runs/<timestamp>, or a sweep's job)")
    try:
        config = parse_json(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RerunError(f"{run_dir} has no {CONFIG}: not a run's directory (a run's, or a "
                         "sweep job's, records its configuration there)") from None
    except (UnicodeDecodeError, ValueError) as exc:   # a 5,000-digit number too
        raise RerunError(f"{path} is not a configuration baimo wrote ({exc})") from None
    if not isinstance(config, dict) or "seed" not in config:
        raise RerunError(f"{path} is not a configuration baimo wrote (no seed)")
    return config


def rerun_overrides(run_dir: Path, extra: list[str]) -> tuple[list[str], list[str]]:
    """The overrides that rerun ``run_dir`` (its seed, and its settings away from today's
    defaults), then ``extra`` (which win over them); and notes for the user: settings
    this baimo has that the run did not record (they keep today's defaults), and a run
    made by other code. RerunError for a setting this baimo does not have."""
    config = recorded_config(run_dir)
    recorded = flat_settings(config)
    defaults = default_settings()
    unknown = [key for key in recorded if schema_field(key) is None]
    if unknown:
        raise RerunError(f"{run_dir / CONFIG} sets {', '.join(unknown)}, which this baimo does "
                         "not have: it was made by another version")
    given = {override_key(o) for o in extra}
    changed = [item.partition("=")[0] for item in changed_from_defaults(recorded, defaults)]
    keys = ["seed", *changed]
    overrides = [f"{key}={hydra_value(_lookup(config, key))}" for key in keys
                 if key not in given]
    notes = []
    missing = sorted(set(defaults) - set(recorded))
    if missing:
        notes.append(f"{run_dir} did not record {', '.join(missing)} (an older baimo): "
                     "today's defaults are used")
    code = _model_code(run_dir)
    if code is not None:
        from sim.summary import model_code

        if code != model_code():
            notes.append(f"{run_dir} was run by other code (its summary.json's "
                         "environment.model_code differs from this baimo's): the rerun's "
                         "outputs may differ")
    return [*overrides, *extra], notes


def _model_code(run_dir: Path) -> str | None:
    """The code a run recorded it ran on (None if it has no readable summary)."""
    try:
        summary = parse_json((run_dir / SUMMARY).read_text(encoding="utf-8"))
        return str(summary["environment"][MODEL_CODE])
    except (OSError, ValueError, KeyError, TypeError):
        return None
