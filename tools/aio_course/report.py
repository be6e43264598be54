"""Per-exercise views of a test run: the table, the failures, what to read next."""
from __future__ import annotations

from dataclasses import dataclass, field

from . import ui
from .ctest import TestResult, TestRun
from .exercises import Exercise

DONE, FAILING, NOT_STARTED, NO_TESTS = "pass", "fail", "not started", "no tests"


@dataclass
class ExerciseResult:
    exercise: Exercise | None  # None: the chapter's tests that check no single exercise
    chapter_number: int
    tests: list[TestResult] = field(default_factory=list)

    @property
    def key(self) -> str:
        return self.exercise.exercise_id if self.exercise else f"ch{self.chapter_number:02d}"

    @property
    def passed(self) -> int:
        return sum(t.passed for t in self.tests)

    @property
    def status(self) -> str:
        if not self.tests:
            return NO_TESTS
        failures = [t for t in self.tests if not t.passed]
        if not failures:
            return DONE
        # Every failure met a stub: nothing was written yet, which is not the same as wrong.
        if all(t.not_implemented for t in failures):
            return NOT_STARTED
        return FAILING


def group(run: TestRun, exercises: list[Exercise], chapter_numbers: list[int]) -> list[ExerciseResult]:
    """One row per exercise, then one per chapter for its other tests (when it has any)."""
    by_id = {e.exercise_id: ExerciseResult(e, e.chapter.number) for e in exercises}
    others = {n: ExerciseResult(None, n) for n in chapter_numbers}
    for test in run.results:
        if test.exercise_id in by_id:
            by_id[test.exercise_id].tests.append(test)
        elif test.chapter_number in others:
            others[test.chapter_number].tests.append(test)
    rows = []
    for number in chapter_numbers:
        rows += [r for r in by_id.values() if r.chapter_number == number]
        if others[number].tests:
            rows.append(others[number])
    return rows


def coloured_status(status: str) -> str:
    return {DONE: ui.ok, FAILING: ui.bad, NOT_STARTED: ui.dim, NO_TESTS: ui.warn}[status](status)


def exercise_table(rows: list[ExerciseResult]) -> str:
    lines = []
    for row in rows:
        title = row.exercise.title if row.exercise else "other tests of the chapter"
        name = f"Exercise {row.key}" if row.exercise else f"chapter {row.chapter_number:02d}"
        lines.append([name, title, f"{row.passed}/{len(row.tests)}", coloured_status(row.status)])
    return ui.table(["exercise", "title", "tests", "status"], lines)


def where_to_read(exercise: Exercise) -> list[str]:
    return [f"re-read: chapters/{exercise.chapter.folder}/README.md, "
            f"Exercise {exercise.exercise_id}: {exercise.title}",
            f"hint: ./course hint {exercise.exercise_id}"]


def failure_details(rows: list[ExerciseResult], per_exercise: int = 3) -> list[str]:
    """What each failing test said, grouped by exercise, with where to read and the hint.

    Exercises not started yet are listed on one line: their tests all say the same thing
    (the stub's NotImplemented), and a wall of identical failures would hide the real ones.
    """
    out = []
    not_started = [r for r in rows if r.status == NOT_STARTED]
    for row in rows:
        failures = [t for t in row.tests if not t.passed]
        if not failures or row.status == NOT_STARTED:
            continue
        heading = (f"Exercise {row.exercise.exercise_id}: {row.exercise.title}" if row.exercise
                   else f"chapter {row.chapter_number:02d}, other tests")
        out.append("")
        out.append(ui.bold(heading) + ui.dim(f"  ({len(failures)} failing)"))
        for test in failures[:per_exercise]:
            out.append(f"  {ui.bad('✗')} {test.name}" + ui.dim(f"  [{test.status}]"))
            out += [f"      {line}" for line in test.failure_lines()]
        if len(failures) > per_exercise:
            out.append(ui.dim(f"  … and {len(failures) - per_exercise} more failing tests"))
        if row.exercise:
            out += [f"  {line}" for line in where_to_read(row.exercise)]
    if not_started:
        names = ", ".join(r.key for r in not_started)
        out.append("")
        out.append(ui.bold("Not started yet") + ui.dim(f"  (their tests meet the stubs): {names}"))
        first = next((r.exercise for r in not_started if r.exercise), None)
        if first:
            out.append(f"  begin with Exercise {first.exercise_id}: {first.title}")
            out += [f"  {line}" for line in where_to_read(first)]
    return out


def summary_line(run: TestRun) -> str:
    """The last line of `course test`: CI's log reader looks for exactly this form."""
    return f"{run.passed} passed, {run.failed} failed"
