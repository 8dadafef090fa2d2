"""``footcoach assess --batch``: one state per line in, one assessment per line out.

Streaming: lines are read, assessed and written in chunks, with at most a few chunks in flight per
worker, so memory stays flat on any number of lines; outputs keep the input order.  ``--jobs N``
worker processes (default: every core) each hold a compiled rule base.  A bad line (not JSON, not
UTF-8, not a valid state) becomes an error record naming its line number and the fields at fault;
the run goes on, and the exit code says whether any line failed (1; 0 when none did).
"""

from __future__ import annotations

import itertools
import json
import os
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import click

from footcoach.cli.options import F
from footcoach.common.exits import EXIT_BAD_INPUT, EXIT_FINDINGS, EXIT_INTERNAL, EXIT_OK
from footcoach.contract.errors import InputError

if TYPE_CHECKING:
    from multiprocessing.pool import AsyncResult

CHUNK = 64  # not clinical: lines per task: large enough to amortise inter-process traffic, small for latency
IN_FLIGHT_PER_JOB = 4  # not clinical: chunks queued per worker: bounds memory whatever the input size
MAX_JOBS_PER_CORE = 4  # not clinical: --jobs above this many per core only adds processes, never speed

PROGRESS_EVERY_S = 0.2  # not clinical: how often the progress line is redrawn
MIN_ELAPSED_S = 1e-9  # not clinical: avoids a division by zero in the rate
_decision_only = False


def _field(problem: str) -> str | None:
    """The field path a problem names (the text before its first ': '), if it names one."""
    head, sep, _rest = problem.partition(": ")
    return head if sep and head and " " not in head and not head.startswith("(") else None


def error_record(line: int, problems: list[str]) -> dict[str, Any]:
    """What a bad line becomes: its number, and each problem with the field it is about."""
    return {"line": line, "error": "bad input", "problems": [{"field": _field(p), "problem": p} for p in problems]}


def _compact(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def assess_line(number: int, raw: bytes) -> tuple[bool, str]:
    """(ok, one output line) for one input line, read with the one JSON reader (its bounds)."""
    from footcoach.common.documents import DataFileError, load_json
    from footcoach.service import assess, load_state

    where = f"(line {number})"
    try:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError([f"{where}: not UTF-8 at byte {exc.start}; allowed: UTF-8 JSON"]) from None
        if not text.strip():
            raise InputError([f"{where}: empty line; allowed: one JSON runner state per line"])
        try:
            data = load_json(text, where)
        except DataFileError as exc:
            raise InputError([exc.saying_allowed("one JSON runner state per line")]) from None
        return True, _compact(assess(load_state(data), explain=not _decision_only))
    except InputError as exc:
        return False, _compact(error_record(number, exc.problems))


def _assess_chunk(chunk: list[tuple[int, bytes]]) -> list[tuple[bool, str]]:
    return [assess_line(n, raw) for n, raw in chunk]


def _init_worker(decision_only: bool) -> None:
    global _decision_only
    _decision_only = decision_only


def _chunks(lines: Iterable[bytes]) -> Iterator[list[tuple[int, bytes]]]:
    chunk: list[tuple[int, bytes]] = []
    for number, raw in enumerate(lines, start=1):
        chunk.append((number, raw.rstrip(b"\r\n")))
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _results(lines: Iterable[bytes], jobs: int, decision_only: bool) -> Iterator[list[tuple[bool, str]]]:
    """Chunks of results in input order; ``jobs`` > 1 runs them in worker processes."""
    _init_worker(decision_only)
    from footcoach.inference.engine import default_rulebase

    default_rulebase()  # compiled once here; forked workers inherit it warm
    chunks = _chunks(lines)
    first: list[list[tuple[int, bytes]]] = []
    for chunk in chunks:  # never more workers than chunks to share: a 4-line file needs no pool
        first.append(chunk)
        if len(first) >= jobs:
            break
    jobs = min(jobs, len(first))
    if jobs <= 1:
        for chunk in itertools.chain(first, chunks):
            yield _assess_chunk(chunk)
        return
    import multiprocessing

    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
    with context.Pool(jobs, initializer=_init_worker, initargs=(decision_only,)) as pool:
        pending: deque[AsyncResult[list[tuple[bool, str]]]] = deque()
        for chunk in itertools.chain(first, chunks):
            pending.append(pool.apply_async(_assess_chunk, (chunk,)))
            if len(pending) >= jobs * IN_FLIGHT_PER_JOB:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()


class _Progress:
    """A count and rate on stderr, only when stderr is a terminal."""

    def __init__(self, stream: IO[str]):
        self.stream = stream
        self.on = stream.isatty()
        self.start = self.last = time.monotonic()
        self.done = self.failed = 0

    def update(self, done: int, failed: int, final: bool = False) -> None:
        self.done, self.failed = done, failed
        now = time.monotonic()
        if self.on and (final or now - self.last >= PROGRESS_EVERY_S):
            self.last = now
            rate = done / max(now - self.start, MIN_ELAPSED_S)
            end = "\n" if final else ""
            self.stream.write(f"\rassessed {done} states ({failed} bad lines), {rate:,.0f}/s{end}")
            self.stream.flush()


def default_jobs() -> int:
    """Every core this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def max_jobs() -> int:
    """The most worker processes ``--jobs`` accepts: a few per core."""
    return MAX_JOBS_PER_CORE * default_jobs()


def run_batch(source: IO[bytes], out: IO[str], jobs: int, decision_only: bool = False) -> int:
    """Assess every line of ``source`` onto ``out``; the exit code (1 when any line was bad)."""
    progress = _Progress(sys.stderr)
    done = failed = 0
    try:
        for results in _results(source, jobs, decision_only):
            for ok, line in results:
                out.write(line + "\n")
                failed += not ok
            done += len(results)
            progress.update(done, failed)
    except Exception as exc:  # a bug in one line must not lose the lines already written
        out.flush()
        sys.stderr.write(f"footcoach: internal error after {done} lines ({type(exc).__name__}: {exc})\n")
        return EXIT_INTERNAL
    out.flush()
    progress.update(done, failed, final=True)
    return EXIT_FINDINGS if failed else EXIT_OK


def batch_options() -> Callable[[F], F]:
    """The ``--batch``, ``--jobs`` and ``--decision-only`` options of ``footcoach assess``."""

    def decorate(f: F) -> F:
        f = click.option(
            "--decision-only",
            is_flag=True,
            help="JSON with the decision only (action, phase, recommendations, superseded): no why-not, "
            "what blocks progress, trace or plan; faster. With --format json or --batch.",
        )(f)
        f = click.option(
            "--jobs",
            type=int,
            default=None,
            help=f"Worker processes for --batch: 1 to {MAX_JOBS_PER_CORE} per core "
            "(default: every core; never more than the input needs).",
        )(f)
        return click.option(
            "--batch",
            default=None,
            metavar="FILE.jsonl|-",
            help="One JSON state per line in, one compact JSON assessment per line out, in input order; "
            "a bad line becomes an error record with its line number and fields. Exit 1 when any line was bad.",
        )(f)

    return decorate


def check_batch_options(
    batch: str | None,
    source: str | None,
    runner_id: str | None,
    fmt: str,
    jobs: int | None,
    decision_only: bool,
    text_options: list[Any],
) -> None:
    """Refuse combinations that mean nothing (exit 2)."""
    problems = []
    if batch is not None and (source is not None or runner_id is not None):
        problems.append("--batch: give either --batch FILE, a FILE or --runner, not two of them")
    if batch is not None and any(o is not None for o in text_options):
        problems.append("--batch: writes JSON lines; --for, --plan and --trace are for text")
    if jobs is not None and batch is None:
        problems.append(f"--jobs: value {jobs}: only with --batch")
    elif jobs is not None and not 1 <= jobs <= max_jobs():
        problems.append(f"--jobs: value {jobs}; allowed: 1 to {max_jobs()} ({MAX_JOBS_PER_CORE} per core)")
    if decision_only and batch is None and (fmt != "json" or runner_id is not None):
        problems.append("--decision-only: only with --format json for a FILE, or with --batch")
    if problems:
        for p in problems:
            click.echo(f"error: {p}", err=True)
        sys.exit(EXIT_BAD_INPUT)


def run_batch_command(batch: str, jobs: int | None, decision_only: bool) -> None:
    """``assess --batch``: stream FILE or stdin, then exit with the batch's code."""
    workers = jobs or default_jobs()
    if batch == "-":
        sys.exit(run_batch(sys.stdin.buffer, sys.stdout, workers, decision_only))
    path = Path(batch)
    try:
        if not path.is_file():
            raise OSError(f"{batch}: no such file (a file of JSON states, one per line, or - for stdin)")
        with path.open("rb") as stream:
            code = run_batch(stream, sys.stdout, workers, decision_only)
    except OSError as exc:
        click.echo(f"error: --batch: {exc.strerror or exc}", err=True)
        sys.exit(EXIT_BAD_INPUT)
    sys.exit(code)
