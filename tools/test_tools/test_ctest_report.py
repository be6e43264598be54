"""ctest's output as seen on ctest 3.25, the per-exercise report and the stub check built on it."""
import os
import shutil
import subprocess
import tempfile
import textwrap
import unittest
from pathlib import Path

import support  # noqa: F401  (puts tools/ on the path)
from aio_course import check, ctest, report
from aio_course.exercises import Exercise
from aio_course.repo import Chapter

FAILED_OUTPUT = """\
Running main() from ./googletest/src/gtest_main.cc
Note: Google Test filter = Row.FailsExpect
[==========] Running 1 test from 1 test suite.
[ RUN      ] Row.FailsExpect
/tmp/fake/t.cpp:7: Failure
Expected equality of these values:
  1
  2
the cursor should have yielded 2
[  FAILED  ] Row.FailsExpect (0 ms)
[==========] 1 test from 1 test suite ran. (0 ms total)
"""
STUB_OUTPUT = """\
[ RUN      ] Row.ThrowsNI
unknown file: Failure
C++ exception with description "NotImplemented: exercise 1.1 is still a stub." thrown in the test body.
[  FAILED  ] Row.ThrowsNI (0 ms)
"""


class Classify(unittest.TestCase):
    def test_ctest_words(self):
        self.assertEqual(ctest.classify("Passed"), (ctest.PASSED, ""))
        self.assertEqual(ctest.classify("***Failed")[0], ctest.FAILED)
        self.assertEqual(ctest.classify("***Timeout"), (ctest.TIMEOUT, "Timeout"))
        self.assertEqual(ctest.classify("***Exception: SegFault"), (ctest.CRASHED, "SegFault"))
        self.assertEqual(ctest.classify("Subprocess aborted***Exception:"),
                         (ctest.CRASHED, "Subprocess aborted"))
        self.assertEqual(ctest.classify("SEGFAULT")[0], ctest.CRASHED)  # the summary's word
        self.assertEqual(ctest.classify("Child aborted")[0], ctest.CRASHED)
        self.assertEqual(ctest.classify("***Not Run")[0], ctest.NOT_RUN)

    def test_progress_line(self):
        line = "5/8 Test #4: Row.Segv .........................***Exception: SegFault  0.04 sec"
        match = ctest.PROGRESS_LINE.match(line)
        self.assertEqual((match["name"], match["status"], match["seconds"]),
                         ("Row.Segv", "***Exception: SegFault", "0.04"))
        line = "1/8 Test #1: Row.Passes .......................   Passed    0.02 sec"
        self.assertEqual(ctest.PROGRESS_LINE.match(line)["status"], "Passed")


class Results(unittest.TestCase):
    def test_failure_lines_are_what_gtest_said(self):
        result = ctest.TestResult("Row.FailsExpect", ctest.FAILED, output=FAILED_OUTPUT)
        self.assertEqual(result.failure_lines(limit=10), [
            "/tmp/fake/t.cpp:7: Failure", "Expected equality of these values:", "  1", "  2",
            "the cursor should have yielded 2"])
        self.assertEqual(result.failure_lines(limit=3), ["/tmp/fake/t.cpp:7: Failure",
                                                         "Expected equality of these values:", "…"])

    def test_only_the_first_failure_without_gtests_boolean_noise(self):
        output = ("[ RUN      ] A.b\n"
                  "a.cpp:1: Failure\nValue of: x == y\n  Actual: false\nExpected: true\n\n"
                  "Scenario: one\n  should have been 1, but was 2\n\n"
                  "a.cpp:2: Failure\nsecond\n[  FAILED  ] A.b (0 ms)\n")
        result = ctest.TestResult("A.b", ctest.FAILED, output=output)
        self.assertEqual(result.failure_lines(), [
            "a.cpp:1: Failure", "Scenario: one", "  should have been 1, but was 2",
            "(and 1 more failure in this test)"])
        self.assertFalse(result.not_implemented)

    def test_stub_failure_is_not_implemented(self):
        self.assertTrue(ctest.TestResult("Row.ThrowsNI", ctest.FAILED, output=STUB_OUTPUT).not_implemented)

    def test_the_stub_met_is_named_by_its_message(self):
        result = ctest.TestResult("Row.ThrowsNI", ctest.FAILED, output=STUB_OUTPUT)
        self.assertEqual(result.stub_ids, ["1.1"])
        # tests/support/script.hpp's outcome_of prefixes the type; two stubs met, in order.
        output = ("aio::NotImplemented: NotImplemented: exercise 1.2 is still a stub. Read ...\n"
                  "NotImplemented: exercise 1.10 is still a stub.\nexercise 1.2 is still a stub")
        self.assertEqual(ctest.TestResult("x", ctest.FAILED, output=output).stub_ids, ["1.2", "1.10"])
        self.assertEqual(ctest.TestResult("x", ctest.PASSED, output=output).stub_ids, [])

    def test_labels_give_exercise_and_chapter(self):
        result = ctest.TestResult("x", labels=["ch01", "ex1.2"])
        self.assertEqual((result.exercise_id, result.chapter_number), ("1.2", 1))


def _exercise(exercise_id, title="t"):
    return Exercise(exercise_id, title, Chapter(1, "01-gen", Path("/nonexistent")))


class Report(unittest.TestCase):
    def run_of(self, *results):
        return ctest.TestRun(list(results), 0)

    def test_status_per_exercise_and_summary(self):
        run = self.run_of(
            ctest.TestResult("A.ok", ctest.PASSED, labels=["ch01", "ex1.1"]),
            ctest.TestResult("A.bad", ctest.FAILED, output=FAILED_OUTPUT, labels=["ch01", "ex1.1"]),
            ctest.TestResult("B.stub", ctest.FAILED, output=STUB_OUTPUT.replace("1.1", "1.2"),
                             labels=["ch01", "ex1.2"]),
            ctest.TestResult("C.ok", ctest.PASSED, labels=["ch01", "ex1.3"]),
            ctest.TestResult("D.other", ctest.PASSED, labels=["ch01"]))
        rows = report.group(run, [_exercise("1.1"), _exercise("1.2"), _exercise("1.3"), _exercise("1.4")], [1])
        self.assertEqual([(r.key, r.status) for r in rows], [
            ("1.1", report.FAILING), ("1.2", report.NOT_STARTED), ("1.3", report.DONE),
            ("1.4", report.NO_TESTS), ("ch01", report.DONE)])
        self.assertEqual(report.summary_line(run), "3 passed, 2 failed")
        details = "\n".join(report.failure_details(rows))
        self.assertIn("the cursor should have yielded 2", details)
        self.assertIn("re-read: chapters/01-gen/README.md, Exercise 1.1: t", details)
        self.assertIn("hint: ./course hint 1.1", details)
        self.assertIn("Not started yet", details)
        self.assertIn("begin with Exercise 1.2: t", details)
        self.assertIn("hint: ./course hint 1.2", details)


class StubCheck(unittest.TestCase):
    def test_every_way_to_fail_badly_is_named(self):
        labels = ["ch01", "ex1.1"]
        run = ctest.TestRun([
            ctest.TestResult("A.fails", ctest.FAILED, seconds=0.1, labels=labels),
            ctest.TestResult("A.passes", ctest.PASSED, labels=labels),
            ctest.TestResult("A.hangs", ctest.TIMEOUT, labels=labels),
            ctest.TestResult("A.crashes", ctest.CRASHED, detail="SegFault", labels=labels),
            ctest.TestResult("A.slow", ctest.FAILED, seconds=11, labels=labels),
            ctest.TestResult("Other.passes", ctest.PASSED, labels=["ch01"]),
        ], 8)
        problems = check.stub_problems(run, ["1.1", "1.2"])
        self.assertEqual(len(problems), 5)
        self.assertRegex(problems[0], r"A.passes \(exercise 1.1\) passes on the starter")
        self.assertRegex(problems[1], r"A.hangs .* hangs")
        self.assertRegex(problems[2], r"A.crashes .* crashes on the starter \(SegFault\)")
        self.assertRegex(problems[3], r"A.slow .* took 11.0 s")
        self.assertRegex(problems[4], r"exercise 1.2 has no test labelled ex1.2")


FAKE_TESTS = r"""
#include <gtest/gtest.h>
#include <chrono>
#include <cstdlib>
#include <stdexcept>
#include <thread>
TEST(Row, Passes) { EXPECT_EQ(1, 1); }
TEST(Row, Fails) { EXPECT_EQ(1, 2) << "the cursor should have yielded 2"; }
TEST(Row, Segv) { volatile int* p = nullptr; *p = 3; }
TEST(Row, Aborts) { std::abort(); }
TEST(Row, Hangs) { std::this_thread::sleep_for(std::chrono::seconds(30)); }
"""
FAKE_CMAKE = """
cmake_minimum_required(VERSION 3.20)
project(fake CXX)
find_package(GTest REQUIRED)
enable_testing()
include(GoogleTest)
add_executable(ch01_ex1.1_row_test t.cpp)
target_link_libraries(ch01_ex1.1_row_test GTest::gtest_main)
gtest_discover_tests(ch01_ex1.1_row_test TEST_LIST row_tests)
file(WRITE ${CMAKE_BINARY_DIR}/labels.cmake
     "set_tests_properties(\\${row_tests} PROPERTIES LABELS \\"ch01;ex1.1\\")\\n")
set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES ${CMAKE_BINARY_DIR}/labels.cmake)
# No labels at all: only its name says it checks exercise 1.2.
add_executable(ch01_ex1.2_other_test u.cpp)
target_link_libraries(ch01_ex1.2_other_test GTest::gtest_main)
gtest_discover_tests(ch01_ex1.2_other_test)
"""


@unittest.skipUnless(shutil.which("cmake") and shutil.which("ninja") and shutil.which("g++")
                     and Path("/usr/include/gtest/gtest.h").exists(),
                     "needs cmake, ninja, g++ and libgtest-dev")
class RealCtest(unittest.TestCase):
    """Builds a tiny GoogleTest project and reads a real ctest run (about 10 s)."""

    def test_every_outcome_is_told_apart(self):
        with tempfile.TemporaryDirectory() as folder:
            source, build = Path(folder, "src"), Path(folder, "build")
            source.mkdir()
            (source / "t.cpp").write_text(FAKE_TESTS)
            (source / "u.cpp").write_text("#include <gtest/gtest.h>\nTEST(Other, Passes) {}\n")
            (source / "CMakeLists.txt").write_text(textwrap.dedent(FAKE_CMAKE))
            for command in (["cmake", "-S", str(source), "-B", str(build), "-G", "Ninja"],
                            ["cmake", "--build", str(build)]):
                subprocess.run(command, check=True, capture_output=True)
            run = ctest.run(build, ["^ex1\\.1$"], build / "junit.xml", timeout=2, jobs=os.cpu_count())
            by_executable_name = ctest.run(build, ["^ex1\\.2$"], build / "junit.xml", timeout=2)
        by_name = {r.name: r for r in run.results}
        self.assertEqual({n: r.status for n, r in by_name.items()}, {
            "Row.Passes": ctest.PASSED, "Row.Fails": ctest.FAILED, "Row.Segv": ctest.CRASHED,
            "Row.Aborts": ctest.CRASHED, "Row.Hangs": ctest.TIMEOUT})
        self.assertIn("the cursor should have yielded 2", by_name["Row.Fails"].failure_lines())
        self.assertEqual(by_name["Row.Fails"].labels, ["ch01", "ex1.1"])
        self.assertEqual((run.passed, run.failed), (1, 4))
        self.assertEqual([(r.name, r.status) for r in by_executable_name.results],
                         [("Other.Passes", ctest.PASSED)])


if __name__ == "__main__":
    unittest.main()
