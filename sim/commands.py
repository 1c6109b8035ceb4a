"""What every baimo command does with bad input: one line on stderr, exit code 2.

The same for a file system that refuses a write (disk full, a file too large, no
permission): one line naming the file. A Ctrl-C ends a command with one line too
(exit 130), as does a SIGTERM (exit 143: a batch scheduler's time limit or preemption,
``kill PID``), and a reader that goes away (``| head``) ends it quietly
(:func:`console_command`).
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import os
import re
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, ParamSpec

if TYPE_CHECKING:
    from hydra.core.override_parser.types import Override

P = ParamSpec("P")

#: Exit code for bad input (a bad value, a missing or broken directory, a bad option).
EXIT_BAD_INPUT = 2
#: Exit code of a command stopped by Ctrl-C (128 + SIGINT, as a shell reports it).
EXIT_INTERRUPTED = 130
#: Exit code of a command stopped by SIGTERM (128 + SIGTERM).
EXIT_TERMINATED = 143


class OneLineError(Exception):
    """An error whose message is one line for the user (a bad value, a missing or broken
    directory, a safety limit passed): :func:`console_command` ends the command with it,
    exit code 2. Each kind also derives from the builtin it refines (ValueError, ...)."""


class Terminated(KeyboardInterrupt):
    """A SIGTERM (a scheduler's time limit or preemption, ``kill PID``), raised where the
    command is, as a Ctrl-C raises KeyboardInterrupt: whatever stops cleanly on a Ctrl-C
    (workers stopped, nothing unfinished marked complete, one line) stops so on this."""


def _raise_terminated(signum: int, frame: object) -> None:
    raise Terminated


@contextmanager
def lost_reports_caught(kind: type[BaseException],
                        note: Callable[[Any], None] | None = None) -> Iterator[None]:
    """While the block runs, Python's reports of a ``kind`` exception it could not raise
    (one raised in a finalizer or a weak reference's callback, "Exception ignored in ...")
    go to ``note`` (if given), not to the terminal; others are reported as before."""
    unraisable = sys.unraisablehook

    def catch(report: Any) -> None:
        if not isinstance(report.exc_value, kind):
            unraisable(report)
        elif note is not None:
            note(report)

    sys.unraisablehook = catch
    try:
        yield
    finally:
        sys.unraisablehook = unraisable


@contextmanager
def interrupts_kept() -> Iterator[None]:
    """Raise again, when the block ends, an interrupt (Ctrl-C, or SIGTERM as
    :class:`Terminated`) that was lost inside it.

    An interrupt that lands in a finalizer or a weak reference's callback (a library's,
    while it waits for its workers) is only reported by Python as "Exception ignored",
    and the command went on to exit 0 as if never interrupted. Here each signal's handler
    notes the interrupt it raises; the report of a lost one is dropped, and the block's
    end raises it. Only in the main thread, and only for signals with a Python handler.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    raised: list[type[KeyboardInterrupt]] = []
    previous: dict[int, Any] = {}

    def noting(handler: Callable[[int, Any], Any]) -> Callable[[int, Any], Any]:
        def handle(signum: int, frame: Any) -> Any:
            try:
                return handler(signum, frame)
            except KeyboardInterrupt as exc:
                raised.append(type(exc))
                raise
        return handle

    for signum in (signal.SIGINT, signal.SIGTERM):
        handler = signal.getsignal(signum)
        if callable(handler):
            previous[signum] = signal.signal(signum, noting(handler))
    try:
        with lost_reports_caught(KeyboardInterrupt):
            yield
    finally:
        for restored, handler in previous.items():
            signal.signal(restored, handler)
    if raised:   # the block ended as if nothing happened: the interrupt was lost in it
        raise raised[-1]


def stopped(exc: KeyboardInterrupt) -> tuple[str, int]:
    """How an interrupt stopped a command, in a word, and its exit code."""
    if isinstance(exc, Terminated):
        return "terminated", EXIT_TERMINATED
    return "interrupted", EXIT_INTERRUPTED


def stopped_line(exc: KeyboardInterrupt) -> str:
    """What a command stopped by an interrupt says (after its name), and its run's log with
    it: ``terminated; nothing unfinished is marked complete``."""
    return f"{stopped(exc)[0]}; nothing unfinished is marked complete"


def fail(prog: str, message: str) -> NoReturn:
    """Print ``PROG: error: message`` to stderr and exit with the bad-input code."""
    print(f"{prog}: error: {message}", file=sys.stderr)
    raise SystemExit(EXIT_BAD_INPUT)


#: The distribution whose version every command's ``--version`` prints.
DISTRIBUTION = "baimo"


def version_line() -> str:
    """``baimo 0.1.0``: what every command's ``--version`` prints, the version read from
    the installed package's metadata (pyproject.toml's, never a second copy to keep in
    step). baimo's said Hydra's ("Hydra 1.3.8"), the others had no such option."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"{DISTRIBUTION} {version(DISTRIBUTION)}"
    except PackageNotFoundError:   # the source tree run without installing it
        return f"{DISTRIBUTION} (version unknown: not installed; pip install -e .)"


def add_version(parser: argparse.ArgumentParser) -> None:
    """A ``--version`` option printing :func:`version_line`; one argparse ``version``
    action already there (Hydra's, "Hydra 1.3.8") prints it instead."""
    for action in parser._actions:   # argparse keeps no public list of them
        if isinstance(action, argparse._VersionAction):
            action.version, action.help = version_line(), "show baimo's version and exit"
            return
    parser.add_argument("--version", action="version", version=version_line(),
                        help="show baimo's version and exit")


class OneLineParser(argparse.ArgumentParser):
    """argparse that reports a bad command line in one line, exit code 2."""

    def error(self, message: str) -> NoReturn:
        fail(self.prog, f"{message} (see {self.prog} --help)")


def empty_path_problem(text: str | None, what: str) -> str | None:
    """Why ``text``, given for a file or directory, names none, or None: an empty one
    (``baimo-report "$RUN"`` with RUN unset) would be read as the working directory.
    ``what`` says what to give instead."""
    if text != "":
        return None
    return f"an empty path (a shell variable not set?); give {what}"


def path_argument(what: str) -> Callable[[str], Path]:
    """An argparse ``type`` for an argument naming a file or directory (``what``): refuses
    an empty one (:func:`empty_path_problem`), which the parser says in its one line
    (``argument DIR: an empty path ...``)."""

    def path(text: str) -> Path:
        problem = empty_path_problem(text, what)
        if problem is not None:
            raise argparse.ArgumentTypeError(problem)
        return Path(text)

    return path


#: The page of Hydra's grammar its parse errors end with, and their openings.
GRAMMAR_PAGE = re.compile(r"\s*See https://hydra\.cc\S* for details\.?")
PARSE_OPENING = re.compile(r"^(?:Error parsing override '.*?'\s*|LexerNoViableAltException:"
                           r".*\^\s*)", re.S)


def grammar_problem(message: str, overrides: Sequence[str]) -> str:
    """Hydra's ``message`` for an override its grammar cannot read, said as one line that
    names the override (found by parsing each: Hydra's "mismatched input '<EOF>'" named
    none) and how overrides are written, without the grammar's web page; any other message
    as it is."""
    if not GRAMMAR_PAGE.search(message) and not message.startswith("Error parsing override"):
        return message
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.errors import HydraException

    culprit = None
    for override in overrides:
        try:
            OverridesParser.create().parse_override(override)
        except HydraException:
            culprit = override
            break
    why = PARSE_OPENING.sub("", GRAMMAR_PAGE.sub("", message)).strip() or \
        "a character it does not take"
    return (f"{culprit or 'an override'}: Hydra cannot read this ({why}); a value is written "
            "key=value, a sweep key=a,b or key=range(start,stop), and text holding commas "
            "or spaces in quotes")


def with_quoting_hint(message: str, overrides: Sequence[str]) -> str:
    """Hydra's override error ``message`` (:func:`grammar_problem`), with a hint when the
    override it names holds text Hydra's grammar takes only in quotes: not ASCII (Chinese
    names), or a ``~`` (a home directory in a path)."""
    message = grammar_problem(message, overrides)
    named = [o for o in overrides if o in message]
    if any(not o.isascii() for o in named):
        return (f"{message}; Hydra reads text that is not ASCII only in quotes: "
                "giants.names=['百度','阿里巴巴'], a single value as key='百度'")
    if any("~" in o for o in named):
        return f"{message}; Hydra reads a ~ only in quotes: sweep_dir='~/sweeps/mine'"
    return message


def group_choice_problem(overrides: Sequence[str]) -> str | None:
    """One line for the first of ``overrides`` that gives a config group (``funds``,
    ``+experiment``, ``hydra/launcher``) something other than an option's name: null, a
    number, true or false, alone, in a list or among a sweep's values. Hydra refuses those
    with a traceback (a ValueError, exit 1). None if no override does; a line Hydra cannot
    parse is left to Hydra, which says so as before."""
    from hydra._internal.config_repository import ConfigRepository
    from hydra._internal.utils import create_config_search_path
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.errors import HydraException

    from sim.configuration import CONF_DIR, register_configs

    try:
        parsed = OverridesParser.create().parse_overrides(list(overrides))
    except HydraException:
        return None
    suspects = [o for o in parsed if not _names_only(o) or _removes_a_model_part(o)]
    if not suspects:
        return None
    register_configs()   # the experiments are options of the group `experiment` there
    repository = ConfigRepository(create_config_search_path(str(CONF_DIR)))
    for o in suspects:
        group = o.key_or_group
        if not repository.group_exists(group):
            continue
        options = ", ".join(repository.get_group_options(group))
        if _removes_a_model_part(o):   # Hydra: a mandatory value of the group's schema missing
            return (f"{o.input_line}: the model needs its {group} config; choose one of its "
                    f"options instead: {options}")
        return (f"{o.input_line}: {group} is a config group; give the name of one of its "
                f"options: {options}")
    return None


def _removes_a_model_part(o: Override) -> bool:
    """Whether ``o`` removes (``~funds``) a config group that fills a part of the model's
    schema: every key of that part would be missing."""
    from sim.config import BaimoConfig

    return o.is_delete() and o.value() is None \
        and o.key_or_group in {f.name for f in dataclasses.fields(BaimoConfig)}


def _names_only(o: Override) -> bool:
    """Whether override ``o`` gives only text (what a config group's choice takes), or a
    dict (which sets the group's keys), or nothing (``~group`` removes the group)."""
    from hydra.core.override_parser.types import Glob, RangeSweep

    if isinstance(o.value(), RangeSweep):
        return False   # numbers, however many (seed=range(0,100000000) is not listed)
    if isinstance(o.value(), Glob):
        return True    # a pattern of names (listing them needs a config loader)
    values: list[Any]
    if o.is_discrete_sweep():
        values = list(o.sweep_iterator())
    elif o.is_sweep_override():
        return True   # an interval: not a group's choice
    else:
        value = o.value()
        if isinstance(value, dict) or (value is None and o.is_delete()):
            return True
        values = value if isinstance(value, list) else [value]
    return all(isinstance(v, str) for v in values)


def plain_text(doc: str | None) -> str:
    """A docstring as a terminal shows it (``--help``): its reST literals (````baimo-teach````)
    as plain text, with no backticks around them."""
    return re.sub(r"``(.+?)``", r"\1", doc or "", flags=re.DOTALL)


def plural(n: int, word: str, plural_form: str | None = None) -> str:
    """``n`` and ``word``, in the plural unless ``n`` is 1 ("1 job", "3 jobs"), thousands
    grouped as the messages write counts ("10,000 jobs")."""
    return f"{n:,} {word if n == 1 else (plural_form or word + 's')}"


def os_error_reason(exc: OSError) -> str:
    """Why the system refused a file, in one line (pyarrow's errors carry no ``strerror``)."""
    return exc.strerror or (str(exc).splitlines() or [type(exc).__name__])[0]


def logging_config_problem(exc: BaseException) -> str | None:
    """One line for an error Python's logging raised configuring itself from a config's
    ``hydra.job_logging`` or ``hydra.hydra_logging`` (an unknown level, handler, version or
    file; ValueError with the reason as its cause), else None."""
    if not isinstance(exc, ValueError):
        return None
    tb = exc.__traceback__
    frames = []
    while tb is not None:
        frames.append(tb.tb_frame.f_code.co_filename)
        tb = tb.tb_next
    if not any(Path(f).parts[-2:] == ("logging", "config.py") for f in frames):
        return None
    reason = str(exc)
    if exc.__cause__ is not None and str(exc.__cause__) not in reason:
        reason = f"{reason}: {exc.__cause__}"
    return (f"hydra.job_logging / hydra.hydra_logging: Python's logging refused the "
            f"configuration ({reason}); see "
            "https://docs.python.org/3/library/logging.config.html#configuration-dictionary-schema")


def os_error_line(exc: OSError) -> str:
    """One line for a file the system refused: the file (if known) and the reason."""
    reason = os_error_reason(exc)
    return f"{exc.filename}: {reason}" if exc.filename else reason


def reader_gone() -> NoReturn:
    """End quietly, exit 1, when the reader of stdout has gone (``baimo | head -1``): Python
    would fail again flushing stdout at exit, so point it at nothing first. SystemExit, not
    an Exception, so that Hydra, when its task prints, does not report a failed job."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    raise SystemExit(1) from None


def console_command(prog: str) -> Callable[[Callable[P, None]], Callable[P, None]]:
    """Wrap ``prog``'s entry point: a :class:`OneLineError` or an :class:`OSError` ends it
    with :func:`fail` (one line, exit 2) instead of a traceback; a broken pipe ends it
    quietly (exit 1); a Ctrl-C with one line (exit 130), a SIGTERM too (exit 143:
    :class:`Terminated`). Every output is written atomically and marked complete last, so
    what an interruption leaves unfinished is never taken for finished."""

    def wrap(main: Callable[P, None]) -> Callable[P, None]:
        @functools.wraps(main)
        def command(*args: P.args, **kwargs: P.kwargs) -> None:
            # The default SIGTERM ends the process where it stands, without a word (its
            # workers then notice on their own); the handler lasts as long as the command.
            here = threading.current_thread() is threading.main_thread()
            previous = signal.signal(signal.SIGTERM, _raise_terminated) if here else None
            try:
                main(*args, **kwargs)
                sys.stdout.flush()   # a reader gone before the last write shows up here
            except BrokenPipeError:
                reader_gone()
            except OneLineError as exc:
                fail(prog, str(exc))
            except OSError as exc:
                fail(prog, os_error_line(exc))
            except KeyboardInterrupt as exc:
                print(f"{prog}: {stopped_line(exc)}", file=sys.stderr)
                raise SystemExit(stopped(exc)[1]) from None
            finally:
                if here and previous is not None:   # None: a handler set outside Python
                    signal.signal(signal.SIGTERM, previous)

        return command

    return wrap
