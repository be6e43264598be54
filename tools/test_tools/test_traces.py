"""CPython's traces: re-run, compared with the committed output, refreshed on --write."""
import io
import sys
import unittest
from contextlib import redirect_stdout
from unittest import mock

import support
from aio_course import check, traces

PROGRAM = """\
print("first step")
print("second step")
"""

# The interpreter running these tests stands for the python3 of the PATH.
PYTHON = (sys.executable, "3.99.0")


class Traces(unittest.TestCase):
    def setUp(self):
        self.repo = support.FakeRepo()
        self.repo.write("solutions/04-coro/include/aio/a.hpp", "")
        self.repo.write("tests/04-coro/traces/steps.py", PROGRAM)

    def tearDown(self):
        self.repo.cleanup()

    def check(self):
        return traces.check(self.repo.root, python=PYTHON)

    def test_matching_output_passes(self):
        self.repo.write("tests/04-coro/traces/steps.expected", "first step\nsecond step\n")
        self.assertEqual(self.check(), [])

    def test_a_difference_names_the_first_changed_line_and_how_to_refresh(self):
        self.repo.write("tests/04-coro/traces/steps.expected", "first step\nold second step\n")
        problems = self.check()
        self.assertEqual(len(problems), 1)
        self.assertRegex(problems[0], r"^tests/04-coro/traces/steps.py: CPython 3.99.0 no longer "
                                      r"prints steps.expected \(line 2: committed 'old second step', "
                                      r"CPython now prints 'second step'\)")
        self.assertIn("./course traces --write", problems[0])

    def test_extra_or_missing_lines_are_differences_too(self):
        self.repo.write("tests/04-coro/traces/steps.expected", "first step\n")
        self.assertIn("line 2: CPython now also prints 'second step'", self.check()[0])
        self.repo.write("tests/04-coro/traces/steps.expected", "first step\nsecond step\nthird\n")
        self.assertIn("line 3: committed 'third', CPython now prints nothing more", self.check()[0])

    def test_missing_expected_output_and_failing_program(self):
        self.assertRegex(self.check()[0], r"steps.py has no steps.expected \(run ./course traces --write\)")
        self.repo.write("tests/04-coro/traces/broken.py", "raise SystemExit('no asyncio here')\n")
        self.repo.write("tests/04-coro/traces/steps.expected", "first step\nsecond step\n")
        self.assertEqual(self.check(), ["tests/04-coro/traces/broken.py failed (exit code 1): "
                                        "no asyncio here"])

    def test_write_refreshes_only_what_changed(self):
        self.assertEqual(traces.write(self.repo.root, python=PYTHON), ["tests/04-coro/traces/steps.expected"])
        self.assertEqual(self.repo.read("tests/04-coro/traces/steps.expected"), "first step\nsecond step\n")
        self.assertEqual(traces.write(self.repo.root, python=PYTHON), [])  # idempotent
        self.assertEqual(self.check(), [])

    def test_write_refuses_when_a_program_fails(self):
        self.repo.write("tests/04-coro/traces/broken.py", "raise SystemExit(3)\n")
        with self.assertRaisesRegex(traces.TraceError, r"broken.py failed \(exit code 3\)"):
            traces.write(self.repo.root, python=PYTHON)
        self.assertFalse((self.repo.root / "tests/04-coro/traces/steps.expected").exists())

    def test_without_a_recent_python3_the_check_is_skipped(self):
        self.repo.write("tests/04-coro/traces/steps.expected", "stale\n")
        with mock.patch.object(traces, "find_python", return_value=None):
            self.assertEqual(traces.check(self.repo.root), [])
            said = io.StringIO()
            with redirect_stdout(said):
                self.assertEqual(check.check_traces(), [])
            self.assertIn("the CPython traces are not re-run", said.getvalue())
            with self.assertRaisesRegex(traces.CourseError, r"python3 3.11 or newer"):
                traces.write(self.repo.root)

    def test_an_old_python3_does_not_count(self):
        old = mock.Mock(returncode=0, stdout="3.10.13\n")
        with mock.patch.object(traces.shutil, "which", return_value="/usr/bin/python3"), \
                mock.patch.object(traces.subprocess, "run", return_value=old):
            self.assertIsNone(traces.find_python())
        new = mock.Mock(returncode=0, stdout="3.12.1\n")
        with mock.patch.object(traces.shutil, "which", return_value="/usr/bin/python3"), \
                mock.patch.object(traces.subprocess, "run", return_value=new):
            self.assertEqual(traces.find_python(), ("/usr/bin/python3", "3.12.1"))


if __name__ == "__main__":
    unittest.main()
