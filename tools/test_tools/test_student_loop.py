"""What `course test`, `status` and `watch` tell a student: blocked exercises, the exercises an
exercise builds on, which code ran, chapters in preparation, and the summary line kept last."""
import io
import unittest
from contextlib import redirect_stdout
from pathlib import Path
from types import SimpleNamespace
from unittest import mock

import support
from aio_course import commands_test, ctest, report, repo, ui
from aio_course.exercises import Exercise, chapter_exercises, find_exercise
from aio_course.repo import Chapter

CHAPTER = Chapter(1, "01-gen", Path("/nonexistent"))


def stub(exercise_id):
    """What a GoogleTest test prints when it meets the stub of `exercise_id`."""
    return ("[ RUN      ] A.b\nunknown file: Failure\nC++ exception with description "
            f"\"NotImplemented: exercise {exercise_id} is still a stub. Read ...\" thrown in the test body.\n"
            "[  FAILED  ] A.b (0 ms)\n")


WRONG = "[ RUN      ] A.b\na.cpp:3: Failure\nthe cursor should have yielded 2\n[  FAILED  ] A.b (0 ms)\n"


def test(name, exercise_id=None, status=ctest.PASSED, output=""):
    labels = ["ch01"] + ([f"ex{exercise_id}"] if exercise_id else [])
    return ctest.TestResult(name, status, output=output, labels=labels)


def exercises(*ids):
    return [Exercise(i, f"title of {i}", CHAPTER) for i in ids]


def rows_of(tests, ids=("1.1", "1.2", "1.5")):
    return report.group(ctest.TestRun(tests, 0), exercises(*ids), [1])


def blocked_run():
    """1.1 done, 1.2 still a stub, 1.5 written but its tests meet 1.2's stub."""
    return [test("One.ok", "1.1"),
            test("Two.a", "1.2", ctest.FAILED, stub("1.2")),
            test("Two.b", "1.2", ctest.FAILED, stub("1.2")),
            test("Five.a", "1.5", ctest.FAILED, stub("1.2")),
            test("Five.b", "1.5", ctest.FAILED, stub("1.2")),
            test("Examples.run", None, ctest.FAILED, stub("1.2"))]


class Blocked(unittest.TestCase):
    def test_tests_that_meet_another_exercises_stub_are_blocked_not_not_started(self):
        rows = rows_of(blocked_run())
        self.assertEqual([(r.short_name, r.status_text) for r in rows], [
            ("1.1", "pass"), ("1.2", "not started"), ("1.5", "blocked by 1.2"),
            ("examples and other tests", "blocked by 1.2")])
        details = "\n".join(report.failure_details(rows))
        self.assertIn("The tests of 1.5 and the examples run on your exercise 1.2, "
                      "which is still a stub: do 1.2 first", details)
        self.assertIn("begin with Exercise 1.2", details)
        self.assertNotIn("begin with Exercise 1.5", details)

    def test_one_blocked_exercise_alone(self):
        rows = rows_of(blocked_run(), ids=("1.1", "1.2", "1.5"))
        five = rows[2]
        details = "\n".join(report.failure_details([five], context=rows[:2]))
        self.assertIn("1.5's tests run on your exercise 1.2, which is still a stub: do 1.2 first", details)
        self.assertIn("hint: ./course hint 1.2", details)  # where to read about the stub to write
        self.assertNotIn("begin with", details)

    def test_its_own_stub_means_not_started_even_among_others(self):
        rows = rows_of([test("Five.a", "1.5", ctest.FAILED, stub("1.5")),
                        test("Five.b", "1.5", ctest.FAILED, stub("1.2"))], ids=("1.5",))
        self.assertEqual(rows[0].status, report.NOT_STARTED)

    def test_a_real_failure_beside_a_stub_is_a_failure_that_names_the_stub(self):
        rows = rows_of([test("Five.a", "1.5", ctest.FAILED, WRONG),
                        test("Five.b", "1.5", ctest.FAILED, stub("1.2"))], ids=("1.5",))
        self.assertEqual(rows[0].status, report.FAILING)
        self.assertIn("meet the stub of exercise 1.2: do 1.2 first", "\n".join(report.failure_details(rows)))


class TableAndDetails(unittest.TestCase):
    def test_the_other_tests_row_never_shows_a_raw_label(self):
        rows = rows_of([test("One.ok", "1.1"), test("Examples.run")], ids=("1.1",))
        table = report.exercise_table(rows)
        self.assertIn("examples and other tests", table)
        self.assertNotIn("ch01", table)

    def test_more_failures_say_how_to_see_them_and_all_shows_them(self):
        rows = rows_of([test(f"Five.t{i}", "1.5", ctest.FAILED, WRONG) for i in range(5)], ids=("1.5",))
        some = "\n".join(report.failure_details(rows, rerun="./course test 1.5 --mine"))
        self.assertIn("… and 2 more: ./course test 1.5 --mine --all", some)
        self.assertNotIn("Five.t3", some)
        every = "\n".join(report.failure_details(rows, per_exercise=None, rerun="./course test 1.5 --mine"))
        self.assertIn("Five.t4", every)
        self.assertNotIn("more", every)


class EarlierExercises(unittest.TestCase):
    def test_a_failing_earlier_exercise_is_named_with_the_command_to_see_it(self):
        tests = [test(f"Two.t{i}", "1.2", ctest.FAILED if i < 3 else ctest.PASSED, WRONG) for i in range(18)]
        rows = rows_of(tests + [test("Five.a", "1.5", ctest.FAILED, WRONG)], ids=("1.2", "1.5"))
        lines = report.earlier_problems(rows[1], rows[:1], " --mine")
        self.assertIn("Exercise 1.5 builds on the exercises before it: 1.2 fails 3/18 — "
                      "fix it first (./course test 1.2 --mine)", lines)
        self.assertFalse(any("exit code" in line for line in lines))

    def test_a_passing_exercise_says_why_the_run_still_fails(self):
        rows = rows_of([test("Two.a", "1.2", ctest.FAILED, WRONG), test("Five.a", "1.5")], ids=("1.2", "1.5"))
        text = "\n".join(report.earlier_problems(rows[1], rows[:1], ""))
        self.assertIn("Exercise 1.5 passes, but this run fails (exit code 1)", text)

    def test_the_stub_that_blocks_it_is_said_once(self):
        tests = blocked_run() + [test("Three.a", "1.3", ctest.FAILED, stub("1.2"))]
        rows = rows_of(tests, ids=("1.1", "1.2", "1.3", "1.5"))
        self.assertEqual(rows[2].status_text, "blocked by 1.2")
        self.assertEqual(report.earlier_problems(rows[3], rows[:3], " --mine"), [])

    def test_course_test_selects_the_exercises_before(self):
        if not repo.chapters():
            self.skipTest("no chapter in this repository")
        last = chapter_exercises(repo.chapters()[0])[-1]
        self.assertEqual([e.exercise_id for e in commands_test.exercises_to_run(last)],
                         [e.exercise_id for e in chapter_exercises(last.chapter)])
        self.assertEqual(repo.any_label_regex(["ex1.1", "ex1.2"]), r"^(ex1\.1|ex1\.2)$")


class PlannedChapters(unittest.TestCase):
    def setUp(self):
        self.repo = support.FakeRepo()
        self.addCleanup(self.repo.cleanup)
        self.repo.write("solutions/01-generators/include/aio/x.hpp", "")

    def test_a_planned_chapter_is_in_preparation(self):
        with self.assertRaises(ui.UsageError) as caught:
            repo.find_chapter(9, self.repo.root)
        self.assertEqual(str(caught.exception),
                         "chapter 09 (three styles) is in preparation; ready now: 01 (generators)")
        self.assertEqual(caught.exception.exit_code, 2)

    def test_an_unplanned_number_is_no_chapter(self):
        with self.assertRaisesRegex(ui.UsageError, r"^there is no chapter 12; chapters: 01 \(generators\)$"):
            repo.find_chapter(12, self.repo.root)

    def test_an_exercise_of_a_planned_chapter_is_in_preparation(self):
        with self.assertRaisesRegex(ui.UsageError, r"^chapter 02 \(event loop\) is in preparation"):
            find_exercise("2.1", self.repo.root)


def _real_chapter_or_skip(case):
    chapters = repo.chapters()
    if not chapters or len(chapter_exercises(chapters[0])) < 2:
        case.skipTest("needs a chapter with two exercises")
    return chapters[0]


class Commands(unittest.TestCase):
    """The commands' output, with the build and ctest replaced by a made-up run."""

    def output_of(self, function, args, tests, exercises_shown):
        run = ctest.TestRun(tests, 0)
        chapter = exercises_shown[0].chapter
        rows = report.group(run, exercises_shown, [chapter.number])
        out = io.StringIO()
        with mock.patch.object(commands_test, "run_tests", return_value=(run, rows)), redirect_stdout(out):
            code = function(args)
        return code, out.getvalue()

    def chapter_run(self):
        chapter = _real_chapter_or_skip(self)
        shown = chapter_exercises(chapter)
        first, last = shown[0].exercise_id, shown[-1].exercise_id
        tests = [test("First.ok", first), test("Last.a", last, ctest.FAILED, stub(first)),
                 test("Examples.run")]
        for t in tests:
            t.labels[0] = chapter.label
        return chapter, shown, tests

    def test_an_exercise_on_your_code(self):
        chapter, shown, tests = self.chapter_run()
        last = shown[-1].exercise_id
        tests = tests[:2]
        args = SimpleNamespace(target=last, mine=True, mine_all=False, preset=None, all=False)
        code, text = self.output_of(commands_test.command_test, args, tests, shown)
        lines = text.strip().splitlines()
        self.assertEqual(code, 1)
        self.assertTrue(lines[0].startswith(f"(your code in chapters/{chapter.folder}"), lines[0])
        self.assertIn(f"blocked by {shown[0].exercise_id}", text)
        self.assertNotIn(f"begin with Exercise {last}", text)
        self.assertEqual(lines[-1], "1 passed, 1 failed")

    def test_the_reference_says_so(self):
        chapter, shown, tests = self.chapter_run()
        args = SimpleNamespace(target=str(chapter.number), mine=False, mine_all=False, preset=None, all=False)
        _, text = self.output_of(commands_test.command_test, args, tests, shown)
        self.assertEqual(text.strip().splitlines()[0],
                         "(reference code from solutions/; add --mine to test your code in chapters/)")
        self.assertEqual(text.strip().splitlines()[-1], "2 passed, 1 failed")

    def test_code_line_for_every_chapter(self):
        self.assertEqual(commands_test.code_line("all", None), "(your code in chapters/, every chapter)")
        later = Chapter(99, "99-later", repo.ROOT)
        if repo.chapters():
            self.assertEqual(commands_test.code_line("99", later),
                             "(your code in chapters/99-later on the reference of earlier chapters)")

    def test_status_shows_every_row_and_its_totals_before_next(self):
        chapter, shown, tests = self.chapter_run()
        _, text = self.output_of(commands_test.command_status, SimpleNamespace(), tests, shown)
        self.assertIn("examples and other tests", text)
        self.assertNotIn(chapter.label, text)
        self.assertNotIn("done", text)
        self.assertIn("pass", text)
        lines = text.strip().splitlines()
        summary = lines.index("2 passed, 1 failed")
        self.assertTrue(lines[summary + 1].startswith("next: Exercise "), lines[summary + 1])
        # The exercises between have no tests here; the last is blocked by the first: write that.
        self.assertIn(f"Exercise {shown[0].exercise_id}:", lines[summary + 1])

    def test_watch_is_one_block_with_its_blank_lines(self):
        chapter, shown, tests = self.chapter_run()
        tests.append(test("Second.a", shown[1].exercise_id, ctest.FAILED, stub(shown[1].exercise_id)))
        tests[-1].labels[0] = chapter.label
        run = ctest.TestRun(tests, 0)
        rows = report.group(run, shown, [chapter.number])
        out = io.StringIO()
        with mock.patch.object(commands_test, "run_tests", return_value=(run, rows)), redirect_stdout(out):
            commands_test._watch_once(chapter)
        text = out.getvalue()
        self.assertIn("\n\nnext: Exercise " + shown[1].exercise_id, text)
        self.assertNotIn("first to fix", text)
        self.assertNotIn("begin with", text)
        self.assertTrue(text.endswith("\n\n2 passed, 2 failed\n"), text)


if __name__ == "__main__":
    unittest.main()
