"""CPython's order of events, committed next to the tests: tests/NN-topic/traces/NAME.py.

A trace program is a small asyncio program that prints one line per step, and NAME.expected
is what CPython printed for it. The chapter's C++ tests compare the steps of the C++ twin with
the .expected file, so they need no Python. `course check` runs every program again with the
python3 on the PATH (when it is 3.11 or newer) and fails if its output is no longer the
committed one: CPython's behaviour changed, or a program was edited without refreshing its
output. `course traces --write` refreshes the .expected files, to be reviewed as a diff.
"""
from __future__ import annotations

import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .repo import ROOT, chapters as all_chapters, relative
from .ui import CourseError

MIN_PYTHON = (3, 11)  # asyncio.timeout, TaskGroup, and the cancellation counting of 3.11
TIME_LIMIT = 60  # seconds per program: a trace sleeps a few tenths of a second at most
WRITE_HINT = "./course traces --write"


class TraceError(CourseError):
    pass


def programs(root: Path = ROOT) -> list[Path]:
    """Every trace program, chapter by chapter."""
    return [source for chapter in all_chapters(root)
            for source in sorted((chapter.tests_dir / "traces").glob("*.py"))]


def find_python() -> tuple[str, str] | None:
    """The python3 on the PATH and its version ("3.11.7"), or None if absent or too old."""
    python = shutil.which("python3")
    if python is None:
        return None
    result = subprocess.run([python, "-c", "import sys; print(*sys.version_info[:3], sep='.')"],
                            capture_output=True, text=True)
    if result.returncode != 0:
        return None
    version = result.stdout.strip()
    if tuple(int(part) for part in version.split(".")[:2]) < MIN_PYTHON:
        return None
    return python, version


def run_program(python: str, source: Path, root: Path = ROOT) -> str:
    """What the program prints; TraceError if it fails or hangs."""
    where = relative(source, root)
    try:
        result = subprocess.run([python, str(source)], capture_output=True, text=True,
                                cwd=source.parent, timeout=TIME_LIMIT, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise TraceError(f"{where} did not finish within {TIME_LIMIT} s") from None
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["no error output"])[-1]
        raise TraceError(f"{where} failed (exit code {result.returncode}): {last}")
    return result.stdout


def run_all(python: str, sources: list[Path], root: Path = ROOT) -> list[str | TraceError]:
    """What each program prints (or its TraceError), the programs run side by side: each one
    mostly sleeps, and a python3 start-up is slow on a busy machine."""
    def run(source: Path) -> str | TraceError:
        try:
            return run_program(python, source, root)
        except TraceError as e:
            return e

    with ThreadPoolExecutor(max_workers=max(1, len(sources))) as pool:
        return list(pool.map(run, sources))


def _first_difference(expected: str, printed: str) -> str:
    old, new = expected.splitlines(), printed.splitlines()
    for number, (a, b) in enumerate(zip(old, new), start=1):
        if a != b:
            return f"line {number}: committed '{a}', CPython now prints '{b}'"
    number = min(len(old), len(new)) + 1
    if len(old) > len(new):
        return f"line {number}: committed '{old[number - 1]}', CPython now prints nothing more"
    return f"line {number}: CPython now also prints '{new[number - 1]}'"


def check(root: Path = ROOT, python: tuple[str, str] | None = None) -> list[str]:
    """One message per program whose output differs from its .expected; [] without python3."""
    python = python or find_python()
    if python is None or not programs(root):
        return []
    executable, version = python
    sources = programs(root)
    problems = []
    for source, printed in zip(sources, run_all(executable, sources, root)):
        expected = source.with_suffix(".expected")
        where = relative(source, root)
        if isinstance(printed, TraceError):
            problems.append(str(printed))
        elif not expected.is_file():
            problems.append(f"{where} has no {expected.name} (run {WRITE_HINT})")
        elif (committed := expected.read_text(encoding="utf-8")) != printed:
            problems.append(f"{where}: CPython {version} no longer prints {expected.name} "
                            f"({_first_difference(committed, printed)}); if the change is "
                            f"expected, run {WRITE_HINT} and review the diff")
    return problems


def write(root: Path = ROOT, python: tuple[str, str] | None = None) -> list[str]:
    """Run every program and rewrite the .expected files that changed; returns those files."""
    python = python or find_python()
    if python is None:
        raise CourseError(f"the trace programs need python3 {'.'.join(map(str, MIN_PYTHON))} "
                          "or newer on the PATH")
    sources = programs(root)
    outputs = run_all(python[0], sources, root)
    failed = [str(output) for output in outputs if isinstance(output, TraceError)]
    if failed:
        raise TraceError("; ".join(failed))  # nothing written: a failing program has no output
    changed = []
    for source, printed in zip(sources, outputs):
        expected = source.with_suffix(".expected")
        if not expected.is_file() or expected.read_text(encoding="utf-8") != printed:
            expected.write_text(printed, encoding="utf-8")
            changed.append(relative(expected, root))
    return changed
