"""The output contract: what a run writes, written atomically, and how to read it back.

A run directory holds::

    events.parquet    one row per event (see sim.events)
    metrics.parquet   one row per month (see sim.metrics)
    funds.parquet     one row per fund (returns)
    summary.json      scalar outcomes, seed, config hash
    config.json       the resolved model config
    plots/*.png       outcome plots
    COMPLETE          written last: the run finished and every file above is whole

Every file is written under a temporary name and renamed into place, so a run
killed mid-write leaves no half file and no ``COMPLETE`` marker.
"""

from __future__ import annotations

import json
import math
import os
import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any

import pandas as pd
import pyarrow as pa

from sim.commands import OneLineError, os_error_reason
from sim.config import field_problem, start_date_problem
from sim.events import BASE_COLUMNS, COLUMNS, FLAG_COLUMNS, TEXT_COLUMNS
from sim.locations import OUTPUT_ROOT_ENV, output_root
from sim.metrics import METRIC_COLUMNS

EVENTS = "events.parquet"
METRICS = "metrics.parquet"
FUNDS = "funds.parquet"
SUMMARY = "summary.json"
CONFIG = "config.json"
#: The enterprise market's revenue by vendor and month (extends the contract since
#: 2026-12-07: a run written before has none, and no reader needs it).
REVENUE = "revenue.parquet"
#: A sweep directory's tables, one row per job and per job-month (sim.sweep.aggregate).
SWEEP_TABLE = "sweep.parquet"
SWEEP_METRICS = "sweep_metrics.parquet"
PLOTS = "plots"
COMPLETE = "COMPLETE"


class OutputError(OneLineError, ValueError):
    """A run directory is missing, incomplete or unreadable (one-line message)."""


def fresh_dir(parent: Path, root: Path | None = None) -> Path:
    """A new timestamped directory under ``parent`` (``_1``, ``_2``... if taken), created
    here: creating it is what claims it, so two commands started in the same second (a
    script running them side by side) never share one. With the outputs ``root`` that
    ``parent`` lies in, OutputError if a directory between them is a symbolic link
    (``outputs/reports/NAME`` linked elsewhere took a report out of the outputs root)."""
    if root is not None:
        for place in [parent, *parent.parents]:
            if place == root or root not in place.parents:
                break
            problem = linked_place(place)
            if problem is not None:
                raise OutputError(problem)
    parent.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y-%m-%d_%H-%M-%S")
    path, n = parent / stamp, 1
    while True:
        try:
            path.mkdir()
            return path
        except FileExistsError:
            path, n = parent / f"{stamp}_{n}", n + 1


def writable_problem(path: Path) -> str | None:
    """Why ``path`` (a directory, existing or not) cannot be written, or None; creates
    nothing. A directory not there yet needs its nearest existing parent to be a writable
    directory (the writer creates the rest)."""
    probe = path.absolute()
    try:
        while not probe.exists() and probe != probe.parent:
            probe = probe.parent
    except OSError as exc:   # a name or path too long for the system to look up
        return os.strerror(exc.errno) if exc.errno else type(exc).__name__
    if "${" in str(path):   # Hydra's logging config would read it as an interpolation
        return "a path holding '${' is read as a config interpolation; rename it"
    if not probe.is_dir():
        return f"{probe} is not a directory"
    if not os.access(probe, os.W_OK | os.X_OK):
        return f"{probe} is not writable"
    return None


def ensure_writable_root() -> Path:
    """Check that the output root can be written, creating nothing; OutputError (one line)."""
    root = output_root()
    problem = writable_problem(root)
    if problem:
        raise OutputError(f"cannot write outputs to {root} ({OUTPUT_ROOT_ENV} or ./outputs): "
                          f"{problem}")
    return root


def names_a_place_inside(relative: str) -> bool:
    """``relative`` (read from an output file) names a place under the directory holding
    that file: not empty, not absolute, no ``..`` (split at ``/`` and at the platform's
    own separator). Readers refuse any other, so a hand-edited file cannot point them
    elsewhere."""
    parts = {*PurePosixPath(relative).parts, *Path(relative).parts}
    return relative != "" and ".." not in parts and not Path(relative).is_absolute() \
        and not PurePosixPath(relative).is_absolute()


def parse_json(text: str) -> Any:
    """``json.loads(text)``, a document nested deeper than Python's parser goes raised as
    the JSONDecodeError (a ValueError) every reader answers in one line: a RecursionError
    escaped them all as a traceback (a summary.json of 1,500 nested maps)."""
    try:
        return json.loads(text)
    except RecursionError:
        raise json.JSONDecodeError("nested too deep to read", text, 0) from None


def linked_place(path: Path) -> str | None:
    """One line if ``path``, a directory baimo writes into (a sweep's plots, a sweep's job),
    is a symbolic link, else None: the link took the files written there wherever it
    pointed, and the sweep's clean-up deleted files there named as its plots."""
    if not path.is_symlink():
        return None
    return (f"{path} is a symbolic link (to {os.readlink(path)}); baimo writes only into "
            "directories of the output's own: remove the link")


def linked_inside(directory: Path) -> str | None:
    """One line if ``directory`` (a run's or sweep job's, about to be redone), an entry of
    it, or an entry of one of its directories is a symbolic link (:func:`linked_place`),
    else None: an unfinished run redone wrote its plots and log through links left there."""
    problem = linked_place(directory)
    if problem is not None or not directory.is_dir():
        return problem
    for entry in sorted(directory.iterdir()):
        places = [entry, *sorted(entry.iterdir())] if entry.is_dir() and \
            not entry.is_symlink() else [entry]
        for place in places:
            problem = linked_place(place)
            if problem is not None:
                return problem
    return None


def events_frame(events: list[dict[str, Any]] | pa.Table) -> pd.DataFrame:
    """Event rows, or the log's Arrow table (:meth:`sim.events.EventLog.table`), as a
    table with every contract column, in a fixed order."""
    columns = list(COLUMNS)
    if isinstance(events, pa.Table):   # in time order, text kept in Arrow (zero copy)
        frame = pd.DataFrame({n: pd.arrays.ArrowStringArray(events.column(n)) if n in TEXT_COLUMNS
                              else events.column(n).to_numpy() for n in columns},
                             columns=columns)
    else:   # put in time order as the log's table is (stable: ties in recording order)
        frame = pd.DataFrame(events, columns=columns)
        frame = frame.sort_values("month", kind="stable", ignore_index=True)
    for name in columns:
        frame[name] = frame[name].astype(_frame_dtype(name))
    return frame


def _frame_dtype(name: str) -> str:
    """pandas dtype of events column ``name``: text, a flag (true, false or missing) or a
    number."""
    if name in TEXT_COLUMNS:
        return "string"
    return "boolean" if name in FLAG_COLUMNS else "float64"


def metrics_frame(rows: list[dict[str, Any]], start_date: str) -> pd.DataFrame:
    """Monthly rows as a table, with a calendar ``date`` column (month start)."""
    frame = pd.DataFrame(rows)
    start = pd.Timestamp(start_date + "-01")
    frame.insert(1, "date", [start + pd.DateOffset(months=int(m)) for m in frame["month"]])
    return frame


#: revenue.parquet's columns: one row per (month, vendor paid that month).
REVENUE_COLUMNS = ("month", "vendor", "vendor_type", "api_mcny", "contract_mcny",
                   "revenue_mcny", "tokens_mtok")
#: What each column of revenue.parquet means (docs/OUTPUTS.md, generated).
REVENUE_MEANINGS: dict[str, str] = {
    "month": "the month, counted from `start_date` (0 = the start month), as in "
             "metrics.parquet",
    "vendor": "the vendor paid: `giant:<name>` or `startup:<n>`, as named in events.parquet",
    "vendor_type": "`giant` or `startup`",
    "api_mcny": "million CNY the vendor's API subscribers paid it in the month (by use)",
    "contract_mcny": "million CNY of project instalments paid to it in the month",
    "revenue_mcny": "its enterprise revenue of the month: `api_mcny` + `contract_mcny` (added "
                    "in payment order); the month's shares of it give metrics.parquet's "
                    "`giant_revenue_share` and `hhi_enterprise_revenue`",
    "tokens_mtok": "million tokens it served its API subscribers in the month",
}


def revenue_frame(record: dict[str, list], actor_types: dict[str, Any]) -> pd.DataFrame:
    """The enterprise market's :meth:`~sim.markets.procurement.EnterpriseMarket.revenue_record`
    as revenue.parquet's table, each vendor with its type (``actor_types``: name ->
    ``ActorType``)."""
    frame = pd.DataFrame({k: record[k] for k in REVENUE_COLUMNS if k in record})
    frame.insert(2, "vendor_type", [str(actor_types[v]) for v in frame["vendor"]])
    kinds = {c: "float64" for c in REVENUE_COLUMNS} | {
        "month": "int64", "vendor": "object", "vendor_type": "object"}
    return frame[list(REVENUE_COLUMNS)].astype(kinds)


def markdown_table(headers: Sequence[str], rows: Iterable[Sequence[str]],
                   pipe: str = "/") -> str:
    """A GitHub-flavoured markdown table, each ``|`` inside a cell written as ``pipe``
    (``"\\|"`` keeps it, escaped) and each line break as a space."""
    def cell(x: str) -> str:
        return str(x).replace("|", pipe).replace("\n", " ")

    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(cell(x) for x in row) + " |" for row in rows]
    return "\n".join(lines)


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _current_umask()  # read once at import: os.umask can only be read by setting it


#: :func:`atomic_write`'s temporary names: ``.<output's name>.<random>.tmp`` beside the
#: output (``.events.parquet.bz9n5d87.tmp``).
TEMP_PREFIX = "."
TEMP_SUFFIX = ".tmp"
TEMP_NAME = re.compile(rf"{re.escape(TEMP_PREFIX)}.+\.[^.]+{re.escape(TEMP_SUFFIX)}")


def atomic_write(path: Path, write: Any) -> None:
    """Call ``write(tmp)`` on a temporary name beside ``path``, then rename it into place.
    An error of the file system names ``path``, never the temporary."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{path.name}.", suffix=TEMP_SUFFIX,
                                   dir=path.parent)
    except OSError as exc:   # a directory that cannot be written: its error named the temporary
        raise OSError(exc.errno, os_error_reason(exc), str(path)) from exc
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; outputs get the usual mode
        os.replace(tmp, path)
    except OSError as exc:   # disk full, file too large...: the error names the output
        Path(tmp).unlink(missing_ok=True)
        if exc.filename is not None and exc.filename != tmp:
            raise
        raise OSError(exc.errno, os_error_reason(exc), str(path)) from exc   # pyarrow names none
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def remove_temporary_files(directory: Path) -> list[Path]:
    """Delete the temporary files :func:`atomic_write` left in ``directory`` (named as
    :data:`TEMP_NAME`; nothing else, and nothing below it); return them. A process killed
    mid-write (SIGKILL, or a worker stopped by its sweep) leaves its temporary behind: its
    output is written again whole, so the temporary is litter. A file that cannot be
    deleted stays (the next write there says why the directory cannot be written)."""
    if not directory.is_dir():
        return []
    removed = []
    for path in sorted(directory.iterdir()):
        if TEMP_NAME.fullmatch(path.name) and path.is_file():
            try:
                path.unlink()
            except OSError:   # gone meanwhile, or a read-only directory (see above)
                continue
            removed.append(path)
    return removed


def write_parquet(frame: pd.DataFrame, path: Path) -> None:
    """Write a table atomically (no index, deterministic bytes)."""
    atomic_write(path, lambda tmp: frame.to_parquet(tmp, index=False, engine="pyarrow"))


def write_text(text: str, path: Path) -> None:
    """Write a text file (markdown, YAML) atomically."""
    atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def write_json(data: Any, path: Path) -> None:
    """Write JSON atomically, keys sorted, for byte-identical reruns."""
    write_text(json.dumps(data, indent=2, sort_keys=True, allow_nan=False) + "\n", path)


def mark_complete(run_dir: Path) -> None:
    """Write the completion marker, last of all."""
    atomic_write(run_dir / COMPLETE, lambda tmp: tmp.write_text("complete\n", encoding="utf-8"))


def metric_at(metrics: pd.DataFrame, column: str, month: int) -> float:
    """``column`` of a metrics table at model month ``month``; NaN if the run ended before
    it (a 12-month run has no "releases by month 13": its last month's count under that
    name would read as one)."""
    row = metrics.loc[metrics["month"] == month]
    return float(row[column].iloc[0]) if not row.empty else math.nan


def is_complete(run_dir: Path) -> bool:
    """Whether ``run_dir`` holds a finished run."""
    return (run_dir / COMPLETE).is_file()


#: summary.json's ``environment`` entry for the code that ran the run (sim.summary.model_code):
#: a resumed sweep compares it (sim.sweep.runner), baimo-report shows it.
MODEL_CODE = "model_code"
#: summary.json's ``environment`` entry for the git commit of the checkout that ran the run.
GIT_COMMIT = "git_commit"
#: The files a run writes (its plots aside).
CONTRACT_FILES = (EVENTS, METRICS, FUNDS, SUMMARY, CONFIG)
#: A Parquet file begins and ends with these 4 bytes; a file cut short lacks the last ones.
PARQUET_MAGIC = b"PAR1"


def contract_problem(run_dir: Path) -> str | None:
    """What makes the run in ``run_dir`` not whole, if anything: a file of the contract
    missing, or a table without Parquet's magic bytes at both ends (cut short, or not
    Parquet). A cheap check, a few bytes of each table, for a sweep's resume: a finished
    job whose events.parquet was deleted later counted as finished, and only a reader of
    the run found out. It does not read the tables (:func:`read_run` does)."""
    for name in CONTRACT_FILES:
        path = run_dir / name
        if not path.is_file():
            return f"{name} is missing"
        if name.endswith(".parquet") and not has_parquet_ends(path):
            return f"{name} is not a whole Parquet file (cut short, or unreadable)"
    return None


def has_parquet_ends(path: Path) -> bool:
    """Whether the file ``path`` begins and ends with :data:`PARQUET_MAGIC` (False if it
    cannot be read)."""
    size = len(PARQUET_MAGIC)
    try:
        with open(path, "rb") as handle:
            head = handle.read(size)
            if handle.seek(0, os.SEEK_END) < 2 * size:
                return False
            handle.seek(-size, os.SEEK_END)
            return head == PARQUET_MAGIC and handle.read(size) == PARQUET_MAGIC
    except OSError:
        return False


def looks_like_run(path: Path) -> bool:
    """A directory holding any part of a run's output, finished or not (a COMPLETE marker, a
    file of the contract, or one still being written under its temporary name)."""
    if (path / COMPLETE).exists():
        return True
    files = (*CONTRACT_FILES, REVENUE)   # revenue.parquet: written, but no reader needs it
    return any((path / f).exists() for f in files) or \
        any(p.name.startswith(tuple(f".{f}." for f in files)) for p in path.iterdir())


#: How many levels below a directory it was given a reader (baimo-report, baimo-explain)
#: looks for runs: as deep as baimo's writers put them. A sweep's jobs sit one level below
#: it (``<sweep>/<job>``: a job's name holds no separator, sim.sweep.spec), a single run one
#: below ``<output root>/runs``, a lesson's runs three below its directory
#: (``<lesson>/runs/<arm>/rep-<k>``, sim.teaching.runner). Unbounded, the search read the
#: whole file system for ``baimo-report /``.
RUN_DEPTH = 3


def directories_below(path: Path, depth: int = RUN_DEPTH) -> list[Path]:
    """The directories at most ``depth`` levels below ``path`` (itself left out), sorted: where
    a reader looks for runs. A link to a directory is one, but is not entered (as with
    ``Path.rglob``): a link back up cannot make the search go round."""
    found: list[Path] = []
    level = [path]
    for _ in range(depth):
        below: list[Path] = []
        for parent in level:
            with os.scandir(parent) as entries:
                for entry in entries:
                    if entry.is_dir():
                        found.append(Path(entry.path))
                        if not entry.is_symlink():
                            below.append(Path(entry.path))
        level = below
    return sorted(found)


@dataclass
class RunOutputs:
    """A finished run read back from disk."""

    path: Path
    events: pd.DataFrame
    metrics: pd.DataFrame
    funds: pd.DataFrame
    summary: dict[str, Any]


#: The top of a run's summary.json that its readers rely on, and each entry's JSON type.
SUMMARY_SHAPE: dict[str, type] = {
    "seed": int, "horizon_months": int, "start_date": str, "config_hash": str,
    **dict.fromkeys(("releases", "startups", "exits", "funding", "compute", "concentration",
                     "fund_returns_by_term", "adoption_month_24", "adoption_final"), dict),
}


#: JSON's names for what a parsed JSON value can be.
JSON_KINDS = {dict: "an object", list: "an array", str: "a string", int: "an integer",
              float: "a number", bool: "true or false", type(None): "null"}


def summary_problem(summary: Any) -> str | None:
    """What makes ``summary`` (a parsed summary.json) no baimo summary, if anything: a file
    edited by hand, or another program's, reads as JSON but would break every reader."""
    if not isinstance(summary, dict):
        return f"{SUMMARY} is not a baimo summary (it is {JSON_KINDS[type(summary)]})"
    for key, kind in SUMMARY_SHAPE.items():
        value = summary.get(key)
        if not isinstance(value, kind) or isinstance(value, bool):
            found = "missing" if key not in summary else JSON_KINDS[type(value)]
            return (f"{SUMMARY} is not a baimo summary ({key!r} is {found}, not "
                    f"{JSON_KINDS[kind]})")
    # the run's calendar: the readers date its months from these (sim.teaching.calendar)
    problem = (field_problem("seed", summary["seed"])
               or field_problem("horizon_months", summary["horizon_months"])
               or start_date_problem(summary["start_date"], summary["horizon_months"]))
    if problem is not None:
        return f"{SUMMARY} is not a baimo summary ({problem})"
    return None


#: funds.parquet's columns: one row per fund (:func:`sim.summary.fund_table`).
FUND_COLUMNS = ("fund", "vintage_month", "term_years", "investing_until_month", "size_mcny",
                "closed", "paid_in_mcny", "distributed_mcny", "nav_mcny", "tvpi", "dpi", "irr",
                "invested_mcny", "exit_proceeds_mcny", "in_kind_mcny", "stakes_mcny",
                "gross_multiple", "invested_share", "in_kind_outcome_mcny", "tvpi_outcome")
#: What each column of funds.parquet means, with its unit (docs/OUTPUTS.md, generated by
#: ``python -m sim.outputs_doc``): one row per fund, as it stands at the end of the run.
#: The returns are the LPs' (after management fees; the model has no carried interest);
#: what the fund's deals did is before fees.
FUND_MEANINGS: dict[str, str] = {
    "fund": "the fund (`fund:<n>`), as named in events.parquet",
    "vintage_month": "the month it was raised, since `start_date` (negative for the funds "
                     "alive at the start, raised before it: the model has no history of "
                     "theirs before month 0, and their calls, fees and investments start "
                     "then, with no stakes; tell them apart by it when comparing returns)",
    "term_years": "its own term, in years (spread around `funds.term_years` by "
                  "`funds.term_spread_years`)",
    "investing_until_month": "the month it stopped committing to new rounds: the end of its "
                             "investment period or, if earlier, the month only "
                             "`funds.min_remaining_years` of its term were left, or its exit "
                             "window (`funds.exit_window_years`) would open by the month's "
                             "close of rounds (it commits at 0.3 into a month, and its "
                             "`investment` rows come at the close, 0.1 later)",
    "size_mcny": "its size: what its LPs committed, million CNY",
    "closed": "true once its term ended and it closed (false for a fund still open at the end)",
    "paid_in_mcny": "the capital it called from its LPs, million CNY (for stakes and fees, as "
                    "it needed it): not its size",
    "distributed_mcny": "what it passed back to its LPs, million CNY: cash, and the stakes "
                        "passed in kind at its close (`in_kind_mcny`)",
    "nav_mcny": "net asset value at the end, million CNY: its cash plus the stakes it still "
                "holds at their last round's post-money (0 once closed)",
    "tvpi": "total value to paid-in: (distributions + NAV) / paid-in; null for a fund that "
            "called nothing",
    "dpi": "distributions to paid-in, the stakes passed in kind at their value (cash alone: "
           "(`distributed_mcny` - `in_kind_mcny`) / `paid_in_mcny`); null for a fund that "
           "called nothing",
    "irr": "annual IRR (-0.25 = -25% a year) of the LPs' dated flows (calls, distributions) "
           "and the NAV at the end: -1 for a fund whose LPs got nothing back, or so little "
           "that the NPV is negative at every rate from -99.99% to +1,000% a year (the "
           "medians count it); null for a fund that called nothing",
    "invested_mcny": "what it paid for stakes, million CNY: rounds and secondaries bought, "
                     "before fees",
    "exit_proceeds_mcny": "what it got for stakes sold, million CNY: secondaries, "
                          "acquisitions, IPOs",
    "in_kind_mcny": "the stakes passed to its LPs in kind at its close, million CNY, each at "
                    "its company's last post-money less `funds.secondary_discount` (counted "
                    "in `distributed_mcny`)",
    "stakes_mcny": "the stakes it still holds at the end at their last round's post-money, "
                   "million CNY (0 once closed)",
    "gross_multiple": "(exit proceeds + in kind + stakes) / invested, before fees; null if it "
                      "invested nothing",
    "invested_share": "invested / size: above 1 when the fund recycled exit proceeds (while "
                      "it invests it keeps what its exits return and invests it again; once "
                      "it stops investing, `investing_until_month`, it passes money back to "
                      "its LPs)",
    "in_kind_outcome_mcny": "what the stakes it passed to its LPs in kind came to by the end, "
                            "million CNY: what acquirers paid the LPs for them, those still "
                            "held at their company's last round's post-money (a listed "
                            "company's at its listing), as the NAV values stakes, and nothing "
                            "for a company that went bankrupt (0 for a fund still open). "
                            "`in_kind_mcny` is their value when the fund passed them on",
    "tvpi_outcome": "TVPI with the stakes passed in kind at what they came to: (cash "
                    "distributions + `in_kind_outcome_mcny` + NAV) / paid-in, open and "
                    "closed funds' stakes on one basis (`tvpi` counts the stakes passed in "
                    "kind at their value at the close, and most of those companies fail "
                    "later); null for a fund that called nothing",
}
#: Columns each table of a run must hold for its readers to know it (metrics.parquet has
#: dozens more, by month; these tell it from another table).
TABLE_KEYS = {EVENTS: BASE_COLUMNS, METRICS: ("month", "date"), FUNDS: FUND_COLUMNS}
#: Every column of each table (the output contract): what the readers of one run (reports,
#: firm stories) may read. A sweep's reader needs only the keys: it stacks its jobs' metrics,
#: and a column an earlier baimo did not write is empty for that job.
TABLE_COLUMNS = {EVENTS: COLUMNS, METRICS: METRIC_COLUMNS, FUNDS: FUND_COLUMNS}


def table_problem(name: str, table: pd.DataFrame, whole: bool = False) -> str | None:
    """What makes ``table`` no baimo ``name`` (a file copied over another, or another
    program's Parquet), if anything; with ``whole``, also a column of the contract it
    lacks (a table an earlier baimo wrote, before that column was added)."""
    missing = [c for c in TABLE_KEYS[name] if c not in table.columns]
    if missing:
        return f"{name} lacks columns {missing}"
    missing = [c for c in TABLE_COLUMNS[name] if c not in table.columns] if whole else []
    if missing:
        return (f"{name} lacks columns {missing} (written by an earlier baimo, or edited): "
                "run it again")
    # A flag an earlier baimo wrote as text ("False") would read as true.
    text_flags = [c for c in FLAG_COLUMNS & set(table.columns) if name == EVENTS
                  and not pd.api.types.is_bool_dtype(table[c].dtype)
                  and not table[c].isna().all()] if whole else []
    if text_flags:
        return (f"{name} holds {sorted(text_flags)} as {table[text_flags[0]].dtype}, not true "
                "or false (written by an earlier baimo, or edited): run it again")
    return None


def run_settings(path: Path) -> dict[str, str] | None:
    """The run at ``path``'s config.json as dotted key -> value (JSON text,
    :func:`~sim.configuration.flat_settings`); None if it cannot be read."""
    from sim.configuration import flat_settings

    try:
        config = parse_json((path / CONFIG).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return flat_settings(config) if isinstance(config, dict) else None


def read_run(run_dir: str | Path) -> RunOutputs:
    """Read a finished run; OutputError with one line if it is missing or broken."""
    path = Path(run_dir)
    if not path.is_dir():
        raise OutputError(f"{path}: no such run directory")
    if not is_complete(path):
        raise OutputError(f"{path}: not a finished run (no {COMPLETE} marker)")
    try:
        events = pd.read_parquet(path / EVENTS)
        metrics = pd.read_parquet(path / METRICS)
        funds = pd.read_parquet(path / FUNDS)
        summary = parse_json((path / SUMMARY).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise OutputError(f"{path}: unreadable run output ({type(exc).__name__}: "
                          f"{str(exc).splitlines()[0] if str(exc) else ''})") from None
    problem = (summary_problem(summary) or table_problem(EVENTS, events, whole=True)
               or table_problem(METRICS, metrics, whole=True)
               or table_problem(FUNDS, funds, whole=True))
    if problem is not None:
        raise OutputError(f"{path}: {problem}")
    return RunOutputs(path, events, metrics, funds, summary)
