"""The command line itself: help everywhere, one-line errors, exit codes (2 usage, 1 failure)."""
import io
import json
import subprocess
import tempfile
import unittest
from contextlib import redirect_stdout
from pathlib import Path
from types import SimpleNamespace
from unittest import mock

import support
from aio_course import commands_hint, ui
from aio_course.exercises import Exercise
from aio_course.repo import Chapter

COURSE = support.TOOLS.parent / "course"
SUBCOMMANDS = ["tour", "test", "status", "watch", "hint", "run", "bench", "slides", "check",
               "starters", "snippets", "traces"]


def course(*args):
    return subprocess.run([str(COURSE), *args], capture_output=True, text=True, cwd="/",
                          env={"PATH": "/usr/bin:/bin", "NO_COLOR": "1"})


class Help(unittest.TestCase):
    def test_every_subcommand_has_help_with_examples(self):
        for name in SUBCOMMANDS:
            with self.subTest(name):
                result = course(name, "--help")
                self.assertEqual(result.returncode, 0, result.stderr)
                self.assertIn("examples:", result.stdout)

    def test_no_command_prints_help_and_is_a_usage_error(self):
        result = course()
        self.assertEqual(result.returncode, 2)
        self.assertIn("tour", result.stdout)


class UsageErrors(unittest.TestCase):
    def assert_one_line_error(self, result, pattern):
        self.assertEqual(result.returncode, 2, result.stderr)
        lines = result.stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, result.stderr)
        self.assertRegex(lines[0], pattern)

    def test_unknown_command(self):
        self.assert_one_line_error(course("fly"), r"^error: .*invalid choice")

    def test_bad_exercise_id(self):
        self.assert_one_line_error(course("hint", "one"), r"'one' is not an exercise id")

    def test_unknown_chapter_names_the_valid_ones(self):
        self.assert_one_line_error(course("test", "99"), r"there is no chapter 99; chapters: ")

    def test_a_planned_chapter_is_in_preparation(self):
        self.assert_one_line_error(course("test", "9"),
                                   r"chapter 09 \(three styles\) is in preparation; ready now: 01 \(generators\)")

    def test_unknown_exercise_names_the_valid_ones(self):
        self.assert_one_line_error(course("hint", "99.1"), r"there is no exercise 99.1; exercises: ")

    def test_unknown_example_names_the_valid_ones(self):
        self.assert_one_line_error(course("run", "no_such_example"), r"there is no example 'no_such_example'; examples: ")

    def test_chapter_must_be_a_number(self):
        self.assert_one_line_error(course("bench", "x"), r"'x' is not a chapter number")


class Hints(unittest.TestCase):
    def setUp(self):
        self.folder = tempfile.TemporaryDirectory()
        self.state = Path(self.folder.name, "hints.json")
        chapter = Chapter(1, "01-gen", Path("/nonexistent"))
        patches = [mock.patch.object(commands_hint, "all_exercises",
                                     return_value=[Exercise("1.1", "resume", chapter)]),
                   mock.patch.object(commands_hint, "read_hints",
                                     return_value={"1.1": ["first", "second"]})]
        for patch in patches:
            patch.start()
            self.addCleanup(patch.stop)

    def tearDown(self):
        self.folder.cleanup()

    def hint(self, exercise="1.1", reset=False):
        out = io.StringIO()
        with redirect_stdout(out):
            code = commands_hint.command_hint(SimpleNamespace(exercise=exercise, reset=reset), self.state)
        return code, out.getvalue()

    def test_one_more_hint_each_time_then_says_all_are_shown(self):
        _, first = self.hint()
        self.assertIn("first", first)
        self.assertNotIn("second", first)
        self.assertIn("1 more", first)
        _, second = self.hint()
        self.assertIn("second", second)
        self.assertIn("all 2 are shown", second)
        _, third = self.hint()
        self.assertIn("all 2 are shown", third)
        self.assertEqual(json.loads(self.state.read_text()), {"1.1": 2})
        self.hint(reset=True)
        self.assertNotIn("second", self.hint()[1])

    def test_unknown_exercise_lists_the_valid_ones(self):
        with self.assertRaisesRegex(ui.UsageError, r"there is no exercise 1.9; exercises: 1.1"):
            self.hint("1.9")


class Colour(unittest.TestCase):
    def test_no_colour_without_a_terminal(self):
        self.assertEqual(ui.paint("x", "red"), "x")  # unittest's stdout is not a terminal here

    def test_table_aligns_coloured_cells(self):
        with mock.patch.object(ui, "use_colour", return_value=True):
            text = ui.table(["a", "b"], [[ui.paint("x", "red"), "1"], ["long", "2"]])
        lines = text.splitlines()
        self.assertEqual(ui._visible_len(lines[2]), ui._visible_len(lines[3]))
        self.assertIn("\033[", lines[2])


if __name__ == "__main__":
    unittest.main()
