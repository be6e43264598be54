"""cmake.build() without a terminal: a progress line every half minute, so a long build is seen moving."""
import io
import itertools
import unittest
from contextlib import redirect_stdout
from unittest import mock

import support  # noqa: F401  (puts tools/ on the path)
from aio_course import cmake


class FakeProcess:
    """What subprocess.Popen gives: ninja's lines, then a return code."""

    def __init__(self, lines):
        self.stdout = iter(lines)
        self.returncode = 0

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def run_build(lines, seconds_per_tick):
    clock = itertools.count(0, seconds_per_tick)
    out = io.StringIO()
    with mock.patch.object(cmake, "needs_configure", return_value=False), \
            mock.patch.object(cmake.subprocess, "Popen", return_value=FakeProcess(lines)), \
            mock.patch.object(cmake.time, "monotonic", side_effect=lambda: next(clock)), \
            mock.patch.object(cmake.ui, "is_terminal", return_value=False), \
            redirect_stdout(out):
        cmake.build(cmake.Build("dev"))
    return out.getvalue()


NINJA = [f"[{i}/4] Building CXX object tests/CMakeFiles/t.dir/x{i}_test.cpp.o\n" for i in range(1, 5)]


class BuildProgressWithoutATerminal(unittest.TestCase):
    def test_a_slow_build_says_how_far_it_is_every_half_minute(self):
        said = run_build(NINJA, seconds_per_tick=20)  # each ninja line comes 20 s after the last
        self.assertIn("building preset dev ...", said)
        self.assertIn("2 of 4 steps done (40 s)", said)
        self.assertIn("4 of 4 steps done (80 s)", said)
        self.assertNotIn("1 of 4 steps", said, "20 s is not yet half a minute")
        self.assertNotIn("3 of 4 steps", said, "only 20 s after the last report")

    def test_a_quick_build_says_nothing_between_its_first_and_last_line(self):
        said = run_build(NINJA, seconds_per_tick=1)
        self.assertNotIn("steps done", said)
        self.assertIn("built preset dev in", said)


if __name__ == "__main__":
    unittest.main()
