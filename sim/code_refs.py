"""What in a composed config would make Hydra or Python's logging run code it names.

A config is data (README: what a command reads is data, never code), yet three places in
Hydra's own node name code to run: ``hydra.callbacks`` (each entry's ``_target_`` is
instantiated when a run or sweep starts), and the logging configurations
``hydra.job_logging`` and ``hydra.hydra_logging`` (``logging.config.dictConfig`` imports
and calls what a ``class`` or ``()`` key names, and resolves ``ext://`` values by import).
A scenario file or an override can set any of them. Hydra's launcher and sweeper are
themselves safe (Hydra instantiates only the plugin classes installed with it), but not
what their nodes hold: Hydra builds a plugin from its node recursively, so a ``_target_``
anywhere under ``hydra.sweeper`` or ``hydra.launcher`` is called as the plugin is made
(the Optuna sweeper's ``sampler`` is built that way), and the Optuna sweeper calls the
function ``custom_search_space`` names for every trial.

Only code inside baimo (the ``sim`` package) may be named by a callback, only the
standard library's logging classes (and the project's own) by the logging configurations,
and only Optuna's samplers (or baimo's) inside a plugin's node (``hydra.sweeper.sampler``).

The same logging configurations are checked for what Python's logging would refuse only
once Hydra has made the run's directory (a level it does not know, a log file in a
directory that is not there: the run refused, an empty directory left behind), or take
and then fail on every line logged (a format naming no field of a log record: a
traceback per line, the run's log empty, exit 0): :func:`logging_problem`. It also keeps
what Hydra writes inside the run's directory: a log file elsewhere (a handler opened with
mode ``w`` emptied whatever file it named, even for a run then refused), Hydra's
``output_subdir`` or a ``job.name`` that is a path.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import PurePosixPath
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
#: What each place may name: a class derived from one of these.
KINDS = {"callback": ("hydra.experimental.callback.Callback",),
         "sampler": ("optuna.samplers.BaseSampler",),
         "logging": ("logging.Handler", "logging.Formatter", "logging.Filter")}
#: The parts of Hydra's node checked, and how.
CALLBACKS = "callbacks"
LOGGING = ("job_logging", "hydra_logging")
#: The plugins' nodes, built recursively: a ``_target_`` below their own is called.
PLUGINS = ("sweeper", "launcher")
#: What a plugin's node may name below its own ``_target_``: where, and the allowed start.
PLUGIN_TARGETS = {"hydra.sweeper.sampler._target_": ("optuna.samplers.", "sim.")}
#: A plugin setting that names a function to call (the Optuna sweeper's search space).
PLUGIN_FUNCTIONS = ("hydra.sweeper.custom_search_space",)


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


def _defined_in(target: Any, prefixes: tuple[str, ...], kind: str) -> bool:
    """Whether the dotted name ``target`` starts with one of ``prefixes`` and names a class
    of ``kind`` (:data:`KINDS`) defined there: not an object reached through a module's
    imports (``sim.cli.os.system`` starts with ``sim.`` but is os.system), nor a function,
    which runs with whatever arguments the config gives it (``logging.config.fileConfig``
    would read a file whose handler arguments it evaluates; ``sim.outputs.write_text``
    writes where it is told). A name that names nothing passes: Hydra and logging cannot
    call it either, and say so."""
    from hydra.utils import get_object

    name = str(target)
    if not name.startswith(prefixes):
        return False
    try:
        found = get_object(name)
    except Exception:   # noqa: BLE001 - whatever stops the lookup stops Hydra's too
        return True
    bases = []
    for base in KINDS[kind]:
        try:
            bases.append(get_object(base))
        except ImportError:   # its library is not installed: nothing of its kind to check
            continue
    module = getattr(found, "__module__", None)
    return isinstance(found, type) and issubclass(found, tuple(bases)) \
        and isinstance(module, str) and f"{module}.".startswith(prefixes)


def named_code(hydra_node: DictConfig) -> str | None:
    """One line naming the first code a config's ``hydra`` node would have run that is not
    allowed (see the module's docstring), or None if it names none."""
    callbacks = _plain(hydra_node.get(CALLBACKS))
    for where, key, value in _items(callbacks, f"hydra.{CALLBACKS}"):
        if key == "_target_" and not _defined_in(value, CALLBACK_PREFIXES, "callback"):
            return (f"{where}={value}: a config is data, and a callback may name only baimo's "
                    f"own callback classes (defined in "
                    f"{', '.join(p.rstrip('.') for p in CALLBACK_PREFIXES)}); remove it")
    for part in PLUGINS:
        for where, key, value in _items(_plain(hydra_node.get(part)), f"hydra.{part}"):
            if where == f"hydra.{part}._target_":
                continue   # the plugin itself: Hydra takes only an installed plugin's class
            allowed = PLUGIN_TARGETS.get(where)
            if key == "_target_" and not (allowed and _defined_in(value, allowed, "sampler")):
                return (f"{where}={value}: a config is data, and a sweeper's or launcher's "
                        "settings may name no code to run"
                        + (f" but a sampler ({' or '.join(a + '*' for a in allowed)})"
                           if allowed else "; remove it"))
            if where in PLUGIN_FUNCTIONS and value is not None:
                return (f"{where}={value}: a config is data, and may name no function to run; "
                        "remove it (null)")
    for part in LOGGING:
        for where, key, value in _items(_plain(hydra_node.get(part)), f"hydra.{part}"):
            if key in LOGGING_CODE_KEYS and not _defined_in(value, LOGGING_PREFIXES, "logging"):
                return (f"{where}={value}: a logging configuration may name only the standard "
                        f"library's logging classes: handlers, formatters and filters (defined "
                        f"in {', '.join(p.rstrip('.') for p in LOGGING_PREFIXES)})")
            if isinstance(value, str) and value.startswith("ext://") \
                    and value not in LOGGING_EXTERNALS:
                return (f"{where}={value}: a logging configuration may refer only to "
                        f"{' or '.join(LOGGING_EXTERNALS)}")
    return None


#: A log record to try a configured format on, as Hydra's and baimo's loggers write them.
SAMPLE_RECORD = logging.LogRecord("baimo", logging.INFO, __file__, 1, "a message", None, None)


def _level_problem(where: str, value: Any) -> str | None:
    """One line for a logging level Python's logging does not know, else None."""
    if isinstance(value, int) and not isinstance(value, bool):
        return None
    if isinstance(value, str) and value in logging.getLevelNamesMapping():
        return None
    names = ", ".join(n for n in logging.getLevelNamesMapping() if n not in ("WARN", "FATAL"))
    return f"{where}={value}: not a logging level; allowed {names} or a number"


def _format_problem(where: str, spec: dict[str, Any]) -> str | None:
    """One line for a formatter whose format Python's logging refuses or cannot fill from a
    log record, else None. A formatter made by a class of its own (``()``) is its own
    business, and a format still holding an interpolation is not known yet."""
    fmt, datefmt, style = spec.get("format"), spec.get("datefmt"), spec.get("style", "%")
    if "()" in spec or any(isinstance(v, str) and "${" in v for v in (fmt, datefmt, style)):
        return None
    try:
        logging.Formatter(fmt, datefmt, style).format(SAMPLE_RECORD)
    except (ValueError, KeyError, TypeError, IndexError, AttributeError) as exc:
        return (f"{where}.format={fmt!r}: Python's logging cannot format a record with it "
                f"({type(exc).__name__}: {exc}); a format names fields of a log record, "
                "e.g. '[%(asctime)s][%(levelname)s] - %(message)s'")
    return None


#: Where a log file may be: in the run's (or sweep job's) own directory, as baimo's logging
#: configurations put it (conf/hydra/job_logging), under a name that may hold the job's.
LOG_FILE_DIR = "${hydra.runtime.output_dir}/"
LOG_FILE_NAME_PARTS = ("${hydra.job.name}",)


def _log_file_problem(where: str, filename: str) -> str | None:
    """One line for a log file outside the run's own directory: a command writes nothing
    outside its directory and the outputs root, and a handler opened with mode ``w`` on
    any file there emptied it (even for a run then refused)."""
    rest = filename[len(LOG_FILE_DIR):] if filename.startswith(LOG_FILE_DIR) else None
    if rest is not None:
        for part in LOG_FILE_NAME_PARTS:
            rest = rest.replace(part, "x")
        # a file of the run's directory itself: logging makes no directory, so one in a
        # subdirectory was refused only once Hydra had made the run's (left empty)
        if rest and "${" not in rest and "\\" not in rest and "/" not in rest \
                and rest not in (".", ".."):
            return None
    return (f"{where}={filename}: a log file stays in the run's own directory; allowed "
            f"{LOG_FILE_DIR}NAME (NAME may hold ${{hydra.job.name}}, no '/')")


def _indirection_problem(place: str, key: str, value: Any) -> str | None:
    """One line if ``key: value`` at ``place`` in a logging configuration is what the
    log-file check cannot see: a ``cfg://`` reference (a handler spec taken from elsewhere
    in the configuration) or a ``.`` key (attributes set on an object once built:
    ``baseFilename`` moved a file handler anywhere)."""
    if key == ".":
        return (f"{place}: a '.' key sets attributes after logging builds the object; "
                "give its settings as keys of its own (filename: ...)")
    if isinstance(value, str) and value.startswith("cfg://"):
        return (f"{place}={value}: a logging configuration's cfg:// references are not "
                "taken; give the settings where they are used")
    return None


def _path_problem(hydra_node: DictConfig) -> str | None:
    """One line for ``hydra.output_subdir`` or ``hydra.job.name`` that would put Hydra's
    files outside the run's directory (both name a place inside it), None if neither."""
    subdir = hydra_node.get("output_subdir")
    if isinstance(subdir, str):
        path = PurePosixPath(subdir.replace("\\", "/"))
        if not subdir or path.is_absolute() or ".." in path.parts:
            return (f"hydra.output_subdir={subdir}: a directory inside the run's own; "
                    "allowed a relative path without '..' (default .hydra), or null for none")
    job = hydra_node.get("job")
    name = OmegaConf.select(job, "name", throw_on_missing=False) if job is not None else None
    # as resolved: an escaped \${x}/../.. stays text with its slashes, and logging
    # collapses the path it makes as text
    if isinstance(name, str) and ("/" in name or "\\" in name or name in (".", "..")):
        return (f"hydra.job.name={name}: a name, not a path (it names the run's log file); "
                "allowed letters, digits and '_', '-', '.'")
    return None


def logging_problem(hydra_node: DictConfig) -> str | None:
    """One line for the first level or format in a config's logging configurations that
    Python's logging would refuse or fail on (see the module's docstring), a log file
    outside the run's directory, or Hydra's own files sent outside it
    (:func:`_path_problem`); None if none."""
    problem = _path_problem(hydra_node)
    if problem is not None:
        return problem
    for part in LOGGING:
        config = _plain(hydra_node.get(part))
        if not isinstance(config, dict):
            continue
        for where, key, value in _items(config, f"hydra.{part}"):
            problem = _indirection_problem(where, key, value)
            if key == "level" and not (isinstance(value, str) and "${" in value):
                problem = problem or _level_problem(where, value)
            if problem is not None:
                return problem
        handlers = config.get("handlers")
        for name, spec in (handlers.items() if isinstance(handlers, dict) else ()):
            filename = spec.get("filename") if isinstance(spec, dict) else None
            if isinstance(filename, str):
                problem = _log_file_problem(f"hydra.{part}.handlers.{name}.filename", filename)
                if problem is not None:
                    return problem
        formatters = config.get("formatters")
        for name, spec in (formatters.items() if isinstance(formatters, dict) else ()):
            if isinstance(spec, dict):
                problem = _format_problem(f"hydra.{part}.formatters.{name}", spec)
                if problem is not None:
                    return problem
    return None
