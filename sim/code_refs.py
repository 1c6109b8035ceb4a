"""What in a composed config would make Hydra or Python's logging run code it names.

A config is data (README: what a command reads is data, never code), yet three places in
Hydra's own node name code to run: ``hydra.callbacks`` (each entry's ``_target_`` is
instantiated when a run or sweep starts), and the logging configurations
``hydra.job_logging`` and ``hydra.hydra_logging`` (``logging.config.dictConfig`` imports
and calls what a ``class`` or ``()`` key names, and resolves ``ext://`` values by import).
A scenario file or an override can set any of them. Hydra's launchers and sweepers are
safe: Hydra instantiates only the plugin classes installed with it.

Only code inside baimo (the ``sim`` package) may be named by a callback, and only the
standard library's logging classes (and the project's own) by the logging configurations.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from omegaconf import DictConfig, ListConfig, OmegaConf

#: Targets a ``hydra.callbacks`` entry may name: the project's own code.
CALLBACK_PREFIXES = ("sim.",)
#: What a logging configuration's ``class`` or ``()`` may name: the standard library's
#: handlers, formatters and filters, and the project's own.
LOGGING_PREFIXES = ("logging.", "sim.")
#: The ``ext://`` objects a logging configuration may use (a stream for a handler).
LOGGING_EXTERNALS = ("ext://sys.stdout", "ext://sys.stderr")
#: The keys of a logging configuration that name a class or factory to call.
LOGGING_CODE_KEYS = ("class", "()")
#: The parts of Hydra's node checked, and how.
CALLBACKS = "callbacks"
LOGGING = ("job_logging", "hydra_logging")


def _items(node: Any, path: str) -> Iterator[tuple[str, str, Any]]:
    """Every (dotted path, key, value) under ``node``, depth first."""
    if isinstance(node, dict):
        for key, value in node.items():
            where = f"{path}.{key}"
            yield where, str(key), value
            yield from _items(value, where)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _items(value, f"{path}.{i}")


def _plain(node: DictConfig | ListConfig | None) -> Any:
    """``node`` as plain containers, interpolations left as written (they are checked as
    text: a target is named in the file, not worked out)."""
    if node is None:
        return None
    return OmegaConf.to_container(node, resolve=False)


def named_code(hydra_node: DictConfig) -> str | None:
    """One line naming the first code a config's ``hydra`` node would have run that is not
    allowed (see the module's docstring), or None if it names none."""
    callbacks = _plain(hydra_node.get(CALLBACKS))
    for where, key, value in _items(callbacks, f"hydra.{CALLBACKS}"):
        if key == "_target_" and not str(value).startswith(CALLBACK_PREFIXES):
            return (f"{where}={value}: a config is data, and a callback may name only baimo's "
                    f"own code (a target starting {', '.join(CALLBACK_PREFIXES)}); remove it")
    for part in LOGGING:
        for where, key, value in _items(_plain(hydra_node.get(part)), f"hydra.{part}"):
            if key in LOGGING_CODE_KEYS and not str(value).startswith(LOGGING_PREFIXES):
                return (f"{where}={value}: a logging configuration may name only the standard "
                        f"library's logging classes (starting {', '.join(LOGGING_PREFIXES)})")
            if isinstance(value, str) and value.startswith("ext://") \
                    and value not in LOGGING_EXTERNALS:
                return (f"{where}={value}: a logging configuration may refer only to "
                        f"{' or '.join(LOGGING_EXTERNALS)}")
    return None
