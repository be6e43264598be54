"""`course check [--quick]`: the author's proof that the course holds together.

quick (no build): starters are up to date; every exercise has tests, a lesson section and a
hint; every quoted snippet matches; tour lines are well formed; CPython still prints the
committed output of every trace program (when python3 3.11+ is there).
full: also builds the freshly generated starters and proves every exercise's tests fail on
them, cleanly (no crash, no hang, no pass), then builds the reference and proves all pass.
"""
from __future__ import annotations

import time
from typing import Callable

from . import cmake, ctest, examples, markers, snippets, starters, traces, ui
from .exercises import chapter_exercises
from .lessons import lesson_exercise_ids, read_hints
from .repo import ROOT, chapters as all_chapters

CHECK_DIR = ROOT / "build" / "check-starters"
STUB_TEST_TIMEOUT = 10  # seconds: a test on a stub must fail fast, not wait for a timeout


def check_starters() -> list[str]:
    problems = []
    for chapter in all_chapters():
        problems += starters.differences(chapter)
    if problems:
        problems[-1] += " (run ./course starters to regenerate)"
    return problems


def check_exercises() -> list[str]:
    problems = []
    for chapter in all_chapters():
        lesson_ids = lesson_exercise_ids(chapter.lesson)
        hints = read_hints(chapter.hints_file)
        for exercise in chapter_exercises(chapter):
            ex = exercise.exercise_id
            if not list(chapter.tests_dir.glob(f"ex{ex}_*_test.cpp")):
                problems.append(f"exercise {ex} has no test file tests/{chapter.folder}/ex{ex}_<what>_test.cpp")
            if ex not in lesson_ids:
                problems.append(f"chapters/{chapter.folder}/README.md has no heading '### Exercise {ex}: "
                                f"{exercise.title}'")
            if not hints.get(ex):
                problems.append(f"chapters/{chapter.folder}/hints.md has no hint for exercise {ex} "
                                f"('## Exercise {ex}' then a numbered list)")
    return problems


NOT_IMPLEMENTED_INCLUDE = '#include "aio/not_implemented.hpp"'


def check_stub_includes() -> list[str]:
    """A solution file with exercises includes the header its starter's stubs throw from."""
    problems = []
    for chapter in all_chapters():
        for rel in starters.solution_files(chapter):
            path = chapter.solution_dir / rel
            text = path.read_text(encoding="utf-8")
            if markers.parse_regions(path, text, chapter.number) and NOT_IMPLEMENTED_INCLUDE not in text:
                problems.append(f"solutions/{chapter.folder}/{rel.as_posix()} has exercises but no "
                                f"{NOT_IMPLEMENTED_INCLUDE}: its starter would not compile")
    return problems


def check_traces() -> list[str]:
    """The committed CPython traces (tests/NN-topic/traces/) are still what CPython prints."""
    python = traces.find_python()
    if python is None:
        ui.say(ui.dim("  no python3 3.11 or newer on the PATH: the CPython traces are not re-run"))
        return []
    return traces.check(python=python)


def quick_steps() -> list[tuple[str, Callable[[], list[str]]]]:
    return [("starters are up to date", check_starters),
            ("files with exercises include aio/not_implemented.hpp", check_stub_includes),
            ("every exercise has tests, a lesson section and hints", check_exercises),
            ("quoted snippets match their sources", snippets.check),
            ("tour lines are well formed", examples.check),
            ("CPython still prints the committed traces", check_traces)]


def stub_problems(run: ctest.TestRun, exercise_ids: list[str]) -> list[str]:
    """On starters, every exercise test must fail, and only by failing."""
    problems = []
    tested = set()
    for test in run.results:
        ex = test.exercise_id
        if ex is None:
            continue  # a chapter's other tests may need any exercise: no promise either way
        tested.add(ex)
        what = f"test {test.name} (exercise {ex})"
        if test.status in (ctest.PASSED, ctest.SKIPPED):
            problems.append(f"{what} passes on the starter: it tests nothing the student writes")
        elif test.status == ctest.TIMEOUT:
            problems.append(f"{what} hangs on the starter (timed out); a stub must fail it fast")
        elif test.status == ctest.CRASHED:
            problems.append(f"{what} crashes on the starter ({test.detail}); it must fail cleanly")
        elif test.status == ctest.NOT_RUN:
            problems.append(f"{what} did not run on the starter ({test.detail})")
        elif test.seconds > STUB_TEST_TIMEOUT:
            problems.append(f"{what} took {test.seconds:.1f} s to fail on the starter; it must fail fast")
    for ex in exercise_ids:
        if ex not in tested:
            problems.append(f"exercise {ex} has no test labelled ex{ex} in the starter build")
    return problems


def check_stubs_fail() -> list[str]:
    student_root = CHECK_DIR / "chapters"
    starters.generate_all_into(student_root)
    build = cmake.Build("mine", binary_dir=CHECK_DIR,
                        variables={"AIO_MINE": "all", "AIO_STUDENT_ROOT": str(student_root),
                                   "AIO_TEST_TIMEOUT": str(STUB_TEST_TIMEOUT)})
    try:
        cmake.build(build, what="the generated starters")
    except ui.CourseError as e:
        return [f"the starters do not compile: {e}"]
    run = ctest.run(build.binary_dir, [], build.binary_dir / "check-junit.xml",
                    timeout=STUB_TEST_TIMEOUT, progress=ui.ProgressLine())
    ids = [e.exercise_id for chapter in all_chapters() for e in chapter_exercises(chapter)]
    return stub_problems(run, ids)


def check_reference_passes() -> list[str]:
    build = cmake.Build("dev", variables={"AIO_MINE": ""})
    cmake.build(build, what="the reference (dev)")
    run = ctest.run(build.binary_dir, [], build.binary_dir / "check-junit.xml",
                    progress=ui.ProgressLine())
    if not run.results:
        return ["the reference build has no tests"]
    return [f"test {t.name} fails on the reference ({t.status}): "
            + (" / ".join(t.failure_lines(limit=3)) or "no output")
            for t in run.results if not t.passed]


def full_steps() -> list[tuple[str, Callable[[], list[str]]]]:
    return quick_steps() + [
        ("every exercise test fails cleanly on the starters", check_stubs_fail),
        ("every test passes on the reference", check_reference_passes)]


def run_steps(steps) -> int:
    for title, step in steps:
        started = time.monotonic()
        try:
            problems = step()
        except (markers.MarkerError, snippets.SnippetError) as e:
            problems = [str(e)]
        if problems:
            ui.say(f"{ui.bad('✗')} {title}")
            for problem in problems:
                ui.error(problem)
            return 1
        ui.say(f"{ui.ok('✓')} {title} " + ui.dim(f"({time.monotonic() - started:.1f} s)"))
    return 0


def command_check(args) -> int:
    return run_steps(quick_steps() if args.quick else full_steps())
