"""Per-exercise views of a test run: the table, the failures, what to read next.

The words of a row's status are the same everywhere (`course test`, `status`, `watch`):
pass, fail, not started (its tests meet its own stub), blocked by N.E (its tests meet the stub
of another exercise, so nothing can be said about it yet), no tests.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from . import ui
from .ctest import TestResult, TestRun
from .exercises import Exercise
from .markers import sort_key

PASS, FAILING, NOT_STARTED, BLOCKED, NO_TESTS = "pass", "fail", "not started", "blocked", "no tests"
DONE = PASS  # the older name
OTHER_TESTS = "examples and other tests"  # the row of a chapter's tests labelled with no exercise


@dataclass
class ExerciseResult:
    exercise: Exercise | None  # None: the chapter's tests that check no single exercise
    chapter_number: int
    tests: list[TestResult] = field(default_factory=list)

    @property
    def key(self) -> str:
        """An internal key, never shown: the exercise id, or chNN for the other tests."""
        return self.exercise.exercise_id if self.exercise else f"ch{self.chapter_number:02d}"

    @property
    def short_name(self) -> str:
        """'1.2', or 'examples and other tests': how a sentence names the row."""
        return self.exercise.exercise_id if self.exercise else OTHER_TESTS

    @property
    def passed(self) -> int:
        return sum(t.passed for t in self.tests)

    @property
    def failures(self) -> list[TestResult]:
        return [t for t in self.tests if not t.passed]

    @property
    def stubs_met(self) -> list[str]:
        """Exercises other than this one whose stubs its failing tests met, in course order."""
        own = self.exercise.exercise_id if self.exercise else None
        ids = {i for t in self.failures for i in t.stub_ids if i != own}
        return sorted(ids, key=sort_key)

    @property
    def status(self) -> str:
        if not self.tests:
            return NO_TESTS
        failures = self.failures
        if not failures:
            return PASS
        if all(t.not_implemented for t in failures):
            if self.exercise is None:
                return BLOCKED  # examples and other tests are never "started" themselves
            own = self.exercise.exercise_id
            met = {i for t in failures for i in t.stub_ids}
            # Its own stub (or a stub we cannot name): nothing was written yet, which is not
            # the same as wrong. Only other exercises' stubs: it cannot be judged yet.
            return NOT_STARTED if own in met or not met else BLOCKED
        return FAILING

    @property
    def status_text(self) -> str:
        if self.status == BLOCKED:
            return f"blocked by {', '.join(self.stubs_met) or 'a stub'}"
        return self.status


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


def coloured_status(row: ExerciseResult) -> str:
    paint = {PASS: ui.ok, FAILING: ui.bad, NOT_STARTED: ui.dim, BLOCKED: ui.warn, NO_TESTS: ui.warn}
    return paint[row.status](row.status_text)


def exercise_table(rows: list[ExerciseResult]) -> str:
    lines = []
    for row in rows:
        if row.exercise:
            name, title = f"Exercise {row.exercise.exercise_id}", row.exercise.title
        else:
            name, title = "—", OTHER_TESTS
        lines.append([name, title, f"{row.passed}/{len(row.tests)}", coloured_status(row)])
    return ui.table(["exercise", "title", "tests", "status"], lines)


def where_to_read(exercise: Exercise) -> list[str]:
    return [f"re-read: chapters/{exercise.chapter.folder}/README.md, "
            f"Exercise {exercise.exercise_id}: {exercise.title}",
            f"hint: ./course hint {exercise.exercise_id}"]


def _ids(ids: list[str]) -> str:
    return ids[0] if len(ids) == 1 else ", ".join(ids[:-1]) + " and " + ids[-1]


def blocked_sentence(rows: list[ExerciseResult]) -> str:
    """rows: blocked rows that met the same stubs. "1.5's tests run on your exercise 1.2, ..."."""
    blockers = rows[0].stubs_met
    if len(rows) == 1:
        whose = f"{rows[0].exercise.exercise_id}'s tests" if rows[0].exercise else f"the {OTHER_TESTS}"
    else:
        whose = "the tests of " + _ids([r.exercise.exercise_id if r.exercise else "the examples" for r in rows])
    if not blockers:
        return f"{whose} meet the stub of another exercise: do the exercises before it first"
    what = (f"your exercise {blockers[0]}, which is still a stub" if len(blockers) == 1
            else f"your exercises {_ids(blockers)}, which are still stubs")
    return f"{whose} run on {what}: do {blockers[0]} first"


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _failing_tests(row: ExerciseResult, per_exercise: int | None, rerun: str | None) -> list[str]:
    failures = row.failures
    shown = failures if per_exercise is None else failures[:per_exercise]
    out = []
    for test in shown:
        out.append(f"  {ui.bad('✗')} {test.name}" + ui.dim(f"  [{test.status}]"))
        out += [f"      {line}" for line in test.failure_lines()]
    if len(failures) > len(shown):
        more = len(failures) - len(shown)
        out.append(ui.dim(f"  … and {more} more: {rerun} --all" if rerun
                          else f"  … and {more} more failing tests"))
    if (met := row.stubs_met):
        out.append(f"  (some of these tests meet the stub of exercise {_ids(met)}: do {met[0]} first)")
    return out


def _exercise_by_id(rows: list[ExerciseResult]) -> dict[str, Exercise]:
    return {r.exercise.exercise_id: r.exercise for r in rows if r.exercise}


def failure_details(rows: list[ExerciseResult], per_exercise: int | None = 3,
                    rerun: str | None = None, context: list[ExerciseResult] = ()) -> list[str]:
    """What each failing test said, grouped by exercise, with where to read and the hint.

    per_exercise: how many failing tests to show per row (None: all). rerun: the command that
    ran these tests, named in "… and 2 more: <rerun> --all". context: more rows whose exercises
    may be named (the exercises before the one tested).

    Exercises not started yet are listed on one line: their tests all say the same thing
    (the stub's NotImplemented), and a wall of identical failures would hide the real ones.
    Blocked rows say which stub to write first, never "begin with" themselves.
    """
    out = []
    not_started = [r for r in rows if r.status == NOT_STARTED]
    blocked = [r for r in rows if r.status == BLOCKED]
    for row in rows:
        if row.status != FAILING:
            continue
        heading = (f"Exercise {row.exercise.exercise_id}: {row.exercise.title}" if row.exercise
                   else f"The {OTHER_TESTS} of chapter {row.chapter_number:02d}")
        out.append("")
        out.append(ui.bold(heading) + ui.dim(f"  ({len(row.failures)} of {len(row.tests)} tests fail)"))
        out += _failing_tests(row, per_exercise, rerun)
        if row.exercise:
            out += [f"  {line}" for line in where_to_read(row.exercise)]
    if blocked:
        out.append("")
        whose = "its tests meet" if len(blocked) == 1 else "their tests meet"
        out.append(ui.bold("Blocked") + ui.dim(f"  ({whose} the stub of another exercise)"))
        by_blockers: dict[tuple[str, ...], list[ExerciseResult]] = {}
        for row in blocked:
            by_blockers.setdefault(tuple(row.stubs_met), []).append(row)
        for same in by_blockers.values():
            out.append(f"  {_capitalised(blocked_sentence(same))}")
        # Say where to read about the stub to write, unless "Not started yet" below does.
        known = _exercise_by_id(list(rows) + list(context))
        first = next((r.stubs_met[0] for r in blocked if r.stubs_met), None)
        if first in known and first not in [r.short_name for r in not_started]:
            out += [f"  {line}" for line in where_to_read(known[first])]
    if not_started:
        names = ", ".join(r.short_name for r in not_started)
        out.append("")
        whose = "its tests meet its own stub" if len(not_started) == 1 else "their tests meet their own stubs"
        out.append(ui.bold("Not started yet") + ui.dim(f"  ({whose}): {names}"))
        first = not_started[0].exercise
        out.append(f"  begin with Exercise {first.exercise_id}: {first.title}")
        out += [f"  {line}" for line in where_to_read(first)]
    return out


def earlier_problems(requested: ExerciseResult, earlier: list[ExerciseResult],
                     mine_flag: str) -> list[str]:
    """`course test N.E` also runs N.1 .. N.(E-1): say which of them fail, and what it costs.

    Stubs the requested exercise is already blocked by are said once, in its own details.
    """
    said = set(requested.stubs_met) if requested.status == BLOCKED else set()
    bad = [r for r in earlier if r.status in (FAILING, NOT_STARTED, BLOCKED) and r.short_name not in said
           and not (r.status == BLOCKED and set(r.stubs_met) <= said)]
    if not bad:
        return []
    words = []
    for row in bad:
        if row.status == FAILING:
            words.append(f"{row.short_name} fails {len(row.failures)}/{len(row.tests)}")
        elif row.status == NOT_STARTED:
            words.append(f"{row.short_name} is still a stub")
        else:
            words.append(f"{row.short_name} is {row.status_text}")
    ex = requested.exercise.exercise_id
    first = bad[0].short_name
    out = ["", f"Exercise {ex} builds on the exercises before it: {', '.join(words)} — "
               f"fix {'it' if len(bad) == 1 else 'them'} first (./course test {first}{mine_flag})"]
    if requested.status == PASS:
        out.append(f"Exercise {ex} passes, but this run fails (exit code 1) until the exercises before it pass too.")
    return out


def next_step(rows: list[ExerciseResult], rerun: str | None = None, per_exercise: int = 2) -> list[str]:
    """One block for `course watch`: the first row that does not pass, and what to do about it."""
    row = next((r for r in rows if r.exercise and r.status not in (PASS, NO_TESTS)), None)
    row = row or next((r for r in rows if r.status not in (PASS, NO_TESTS)), None)
    if row is None:
        return []
    name = f"Exercise {row.exercise.exercise_id}: {row.exercise.title}" if row.exercise else f"the {OTHER_TESTS}"
    if row.status == NOT_STARTED:
        out = [f"next: {ui.bold(name)}" + ui.dim("  (not started: its tests meet its stub)")]
        return out + [f"  {line}" for line in where_to_read(row.exercise)]
    if row.status == BLOCKED:
        out = [f"next: {blocked_sentence([row])}"]
        known = _exercise_by_id(rows)
        if row.stubs_met and row.stubs_met[0] in known:
            out += [f"  {line}" for line in where_to_read(known[row.stubs_met[0]])]
        return out
    out = [f"first to fix: {ui.bold(name)}" + ui.dim(f"  ({len(row.failures)} of {len(row.tests)} tests fail)")]
    out += _failing_tests(row, per_exercise, rerun)
    if row.exercise:
        out += [f"  {line}" for line in where_to_read(row.exercise)]
    return out


def summary_line(run: TestRun) -> str:
    """The last line of `course test`: CI's log reader looks for exactly this form."""
    return f"{run.passed} passed, {run.failed} failed"
