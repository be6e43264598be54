"""`course test`, `course status` and `course watch`: the student's loop."""
from __future__ import annotations

import time
from pathlib import Path

from . import cmake, ctest, report, ui
from .exercises import Exercise, chapter_exercises, find_exercise
from .repo import (ROOT, Chapter, any_label_regex, chapters as all_chapters, exact_label_regex,
                   find_chapter, parse_exercise_id)

DEFAULT_TIMEOUT = 60  # seconds a test may take; a test that waits longer is hanging


def choose_build(preset: str | None, mine: str | None) -> cmake.Build:
    """mine: None (the reference), a chapter number as text, or 'all'."""
    if mine is None:
        # AIO_MINE="" pins a reference build, whatever an earlier configure left in the cache.
        return cmake.Build(preset or "dev", variables={"AIO_MINE": ""})
    # One folder per choice (build/mine-all, build/mine-2): switching between `course status`
    # and `course test 2 --mine` must not rebuild everything each time.
    preset = preset or "mine"
    return cmake.Build(preset, binary_dir=ROOT / "build" / f"{preset}-{mine}",
                       variables={"AIO_MINE": mine})


def select(target: str | None) -> tuple[list[Chapter], Exercise | None]:
    """'1' -> chapter 1; '1.2' -> exercise 1.2; None -> every chapter."""
    if target is None:
        return all_chapters(), None
    if "." in target:
        chapter_number, number = parse_exercise_id(target)
        exercise = find_exercise(f"{chapter_number}.{number}")
        return [exercise.chapter], exercise
    if not target.isdigit():
        raise ui.UsageError(f"'{target}' is neither a chapter number (1) nor an exercise (1.2)")
    return [find_chapter(int(target))], None


def exercises_to_run(exercise: Exercise) -> list[Exercise]:
    """`course test N.E` also runs N.1 .. N.(E-1): a bug in 1.2 must not be blamed on 1.5."""
    return [e for e in chapter_exercises(exercise.chapter) if e.number < exercise.number] + [exercise]


def run_tests(build: cmake.Build, selected: list[Chapter], exercises: list[Exercise] | None,
              quiet: bool = False, everything: bool = False) -> tuple[ctest.TestRun, list[report.ExerciseResult]]:
    """exercises: run only their tests (None: the selected chapters' tests)."""
    cmake.build(build, quiet=quiet)
    if exercises:
        labels = [any_label_regex([e.label for e in exercises])]
    else:
        # One chapter: its label; every chapter (course test, status): no filter at all.
        labels = [exact_label_regex(selected[0].label)] if len(selected) == 1 and not everything else []
        exercises = [e for chapter in selected for e in chapter_exercises(chapter)]
    progress = ui.ProgressLine(enabled=ui.is_terminal() and not quiet)
    run = ctest.run(build.binary_dir, labels, build.binary_dir / "course-junit.xml",
                    timeout=DEFAULT_TIMEOUT, progress=progress)
    rows = report.group(run, exercises, [c.number for c in selected])
    return run, rows


def code_line(mine: str | None, chapter: Chapter | None) -> str:
    """Which code the tests ran on: a student must never mistake the reference for their own."""
    if mine is None:
        return "(reference code from solutions/; add --mine to test your code in chapters/)"
    if mine == "all" or chapter is None:
        return "(your code in chapters/, every chapter)"
    earlier = any(c.number < chapter.number for c in all_chapters())
    return (f"(your code in chapters/{chapter.folder}"
            + (" on the reference of earlier chapters)" if earlier else ")"))


def _flags(args) -> str:
    """The options of this `course test` run, to repeat in the commands we suggest."""
    flags = " --mine" if args.mine else " --mine-all" if args.mine_all else ""
    return flags + (f" --preset {args.preset}" if args.preset else "")


def command_test(args) -> int:
    selected, exercise = select(args.target)
    mine = None
    if args.mine_all:
        mine = "all"
    elif args.mine:
        mine = str(selected[0].number) if args.target else "all"
    build = choose_build(args.preset, mine)
    run, rows = run_tests(build, selected, exercises_to_run(exercise) if exercise else None,
                          everything=args.target is None)
    if not run.results:
        what = f"exercise {exercise.exercise_id}" if exercise else "this selection"
        raise ui.CourseError(f"no tests found for {what} in {ui_path(build.binary_dir)}; "
                             "is its test file in tests/NN-topic/ named exN.E_*_test.cpp?")
    ui.say()
    ui.say(ui.dim(code_line(mine, selected[0] if args.target else None)))
    ui.say(report.exercise_table(rows))
    per_exercise = None if getattr(args, "all", False) else 3
    rerun = f"./course test{' ' + args.target if args.target else ''}{_flags(args)}"
    if exercise:
        requested = next(r for r in rows if r.exercise and r.exercise.exercise_id == exercise.exercise_id)
        earlier = [r for r in rows if r is not requested]
        lines = report.failure_details([requested], per_exercise, rerun, context=earlier)
        lines += report.earlier_problems(requested, earlier, _flags(args))
    else:
        lines = report.failure_details(rows, per_exercise, rerun)
    for line in lines:
        ui.say(line)
    ui.say()
    ui.say(report.summary_line(run))  # the last line, always: CI reads it
    return 0 if run.failed == 0 else 1


def ui_path(path: Path) -> str:
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


def status_table(rows: list[report.ExerciseResult]) -> str:
    table_rows = []
    for row in rows:
        exercise, title = (row.exercise.exercise_id, row.exercise.title) if row.exercise else ("—", report.OTHER_TESTS)
        table_rows.append([f"{row.chapter_number:02d}", exercise, title,
                           f"{row.passed}/{len(row.tests)}", report.coloured_status(row)])
    return ui.table(["chapter", "exercise", "title", "tests", "status"], table_rows)


def next_exercise(rows: list[report.ExerciseResult]) -> Exercise | None:
    """The first exercise that does not pass, in the latest chapter the student has begun
    (one may start chapter 2 on the reference chapter 1); for a blocked one, the stub it
    waits for."""
    todo = [r for r in rows if r.exercise and r.status not in (report.PASS, report.NO_TESTS)]
    begun = [r.exercise.chapter.number for r in rows if r.exercise and r.status == report.PASS]
    if begun:
        todo = [r for r in todo if r.exercise.chapter.number >= max(begun)] or todo
    row = todo[0] if todo else None
    if row is None:
        return None
    if row.status == report.BLOCKED and row.stubs_met:
        known = {r.exercise.exercise_id: r.exercise for r in rows if r.exercise}
        return known.get(row.stubs_met[0], row.exercise)
    return row.exercise


def command_status(args) -> int:
    ui.say(ui.dim("building your code (all chapters) and running every test "
                  "(the first time, the build takes a few minutes) ..."))
    build = choose_build(None, "all")
    run, rows = run_tests(build, all_chapters(), None, quiet=True, everything=True)
    ui.say(status_table(rows))
    ui.say()
    ui.say(report.summary_line(run))
    ex = next_exercise(rows)
    if ex is not None:
        ui.say(f"next: {ui.bold('Exercise ' + ex.exercise_id)}: {ex.title}")
        ui.say(f"  read chapters/{ex.chapter.folder}/README.md, then ./course test {ex.exercise_id} --mine")
    elif run.failed:
        failing = next(r for r in rows if r.status != report.PASS)
        ui.say(f"Every exercise passes, but some {report.OTHER_TESTS} fail: "
               f"./course test {failing.chapter_number} --mine shows them.")
    else:
        ui.say(ui.ok("Every exercise passes. Well done: try ./course tour, or ./course bench."))
    return 0


def _snapshot(folders: list[Path]) -> dict[Path, float]:
    """mtime of every file below the folders; polling keeps us free of inotify and platforms."""
    times = {}
    for folder in folders:
        for path in folder.rglob("*"):
            if path.is_file():
                try:
                    times[path] = path.stat().st_mtime
                except FileNotFoundError:
                    pass  # deleted between listing and stat: an editor's temporary file
    return times


def _latest_chapter() -> Chapter:
    """The chapter whose code the student touched last: what watch follows by default."""
    newest, chosen = -1.0, None
    for chapter in all_chapters():
        for folder in ("include", "src"):
            for path in (chapter.chapter_dir / folder).rglob("*"):
                if path.is_file() and path.stat().st_mtime > newest:
                    newest, chosen = path.stat().st_mtime, chapter
    if chosen is None:
        everything = all_chapters()
        if not everything:
            raise ui.CourseError("there are no chapters yet")
        chosen = everything[0]
    return chosen


def _watch_once(chapter: Chapter) -> None:
    build = choose_build(None, str(chapter.number))
    try:
        run, rows = run_tests(build, [chapter], None)
    except ui.CourseError as e:
        ui.say(ui.bad(f"✗ {e}"))
        return
    ui.say()
    ui.say(report.exercise_table(rows))
    ui.say()
    step = report.next_step(rows, rerun=f"./course test {chapter.number} --mine")
    for line in step or [ui.ok(f"chapter {chapter.nn}: every test passes.")]:
        ui.say(line)
    ui.say()
    ui.say(report.summary_line(run))


def command_watch(args) -> int:
    chapter = find_chapter(int(args.chapter)) if args.chapter else _latest_chapter()
    folders = [ROOT / "chapters", ROOT / "tests"]
    try:
        while True:
            if ui.is_terminal():
                print("\033[2J\033[H", end="")  # a fresh screen: only the latest run matters
            ui.say(ui.dim(f"— {time.strftime('%H:%M:%S')} testing chapter {chapter.nn} with your code"))
            _watch_once(chapter)
            ui.say(ui.dim("watching chapters/ and tests/; save a file to re-run, Ctrl-C to stop"))
            before = _snapshot(folders)
            while _snapshot(folders) == before:
                time.sleep(1)
    except KeyboardInterrupt:
        ui.say("\nstopped watching.")
        return 0
