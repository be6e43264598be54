"""Running CTest and reading what happened to each test.

Two sources, because neither says everything (checked on ctest 3.25):
- the JUnit file (--output-junit) has each test's output, but calls a crash or a timeout
  just status="fail";
- ctest's own progress lines say how it ended: "Passed", "***Failed", "***Timeout",
  "***Exception: SegFault", "Subprocess aborted***Exception:", "***Not Run".
`ctest --show-only=json-v1` gives each test's labels (chNN, exN.E).
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
from pathlib import Path

from . import ui

# A parametrised test's line also shows its parameter ("  # GetParam() = ...") after the name.
PROGRESS_LINE = re.compile(
    r"^\s*\d+/(?P<total>\d+)\s+Test\s+#\d+:\s+(?P<name>\S+)(?:\s+#.*?)?\s+\.*\s*"
    r"(?P<status>Passed|\*{3}.*?|Not Run.*?|Skipped.*?|Disabled.*?)\s+"
    r"(?P<seconds>[\d.]+)\s+sec\s*$")
SUMMARY_LINE = re.compile(r"^\s*\d+\s+-\s+(?P<name>\S+)\s+\((?P<status>[^)]*)\)\s*$")
# The executable of a test file tests/NN-topic/exN.E_what_test.cpp is chNN_exN.E_what_test.
EXECUTABLE_EXERCISE = re.compile(r"^ch(?P<nn>\d\d)_ex(?P<id>\d+\.\d+)_")
NOT_IMPLEMENTED = re.compile(r"NotImplemented|not implemented", re.IGNORECASE)
# aio::NotImplemented's message (support/include/aio/not_implemented.hpp) names the stub.
STUB_ID = re.compile(r"exercise (\d+\.\d+) is still a stub")
GTEST_RUN = re.compile(r"^\[ RUN\s+\]")
GTEST_END = re.compile(r"^\[\s+(FAILED|OK|SKIPPED)\s+\]")
GTEST_FAILURE = re.compile(r"^(.*:\d+|unknown file): (Failure|error: .*)$")

PASSED, FAILED, TIMEOUT, CRASHED, NOT_RUN, SKIPPED = (
    "passed", "failed", "timeout", "crashed", "not run", "skipped")


@dataclass
class TestResult:
    name: str
    status: str = NOT_RUN
    detail: str = ""  # how ctest put it: "SegFault", "Subprocess aborted", ...
    seconds: float = 0.0
    output: str = ""
    labels: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.status in (PASSED, SKIPPED)

    @property
    def exercise_id(self) -> str | None:
        for label in self.labels:
            if re.fullmatch(r"ex\d+\.\d+", label):
                return label[2:]
        return None

    @property
    def chapter_number(self) -> int | None:
        for label in self.labels:
            if re.fullmatch(r"ch\d\d", label):
                return int(label[2:])
        return None

    @property
    def not_implemented(self) -> bool:
        """The test met a stub: the student has not started this exercise."""
        return self.status == FAILED and bool(NOT_IMPLEMENTED.search(self.output))

    @property
    def stub_ids(self) -> list[str]:
        """The exercises whose stubs this test met, as their NotImplemented messages say."""
        if self.status != FAILED:
            return []
        return list(dict.fromkeys(STUB_ID.findall(self.output)))

    def failure_lines(self, limit: int = 12) -> list[str]:
        """What the test itself said about its first failure, at most `limit` lines.

        The first failure is the one to fix: later ones usually follow from it. GoogleTest's
        "Value of: x / Actual: false / Expected: true" says nothing the test's own message
        does not, so it is left out.
        """
        inside, lines = False, []
        for line in self.output.splitlines():
            if GTEST_RUN.match(line):
                inside = True
            elif GTEST_END.match(line):
                inside = False
            elif inside:
                lines.append(line.rstrip())
        blocks: list[list[str]] = []
        for line in lines:
            if GTEST_FAILURE.match(line) or not blocks:
                blocks.append([])
            blocks[-1].append(line)
        shown = _without_boolean_expansion(blocks[0]) if blocks else []
        shown = [line for line in shown if line.strip()]
        if len(shown) > limit:
            shown = shown[: limit - 1] + ["…"]
        failures = sum(1 for block in blocks if block and GTEST_FAILURE.match(block[0]))
        if failures > 1:
            more = failures - 1
            shown.append(f"(and {more} more failure{'s' if more > 1 else ''} in this test)")
        if self.status == TIMEOUT:
            shown.append(f"(no result after {self.seconds:.0f} s: the test timed out; look for a loop that never ends)")
        elif self.status == CRASHED:
            shown.append(f"(the test process crashed: {self.detail or 'killed by a signal'})")
        elif self.status == NOT_RUN:
            shown.append(f"(not run: {self.detail or 'its executable is missing'})")
        return shown


def _without_boolean_expansion(lines: list[str]) -> list[str]:
    out, i = [], 0
    while i < len(lines):
        window = lines[i:i + 3]
        if (len(window) == 3 and window[0].startswith("Value of: ")
                and re.fullmatch(r"\s*Actual: (true|false)", window[1])
                and re.fullmatch(r"Expected: (true|false)", window[2])):
            i += 3
            continue
        out.append(lines[i])
        i += 1
    return out


@dataclass
class TestRun:
    results: list[TestResult]
    returncode: int

    @property
    def passed(self) -> int:
        return sum(r.passed for r in self.results)

    @property
    def failed(self) -> int:
        return len(self.results) - self.passed


def classify(status_text: str) -> tuple[str, str]:
    """ctest's words for how a test ended -> (our status, detail)."""
    text = status_text.strip()
    if text == "Passed":
        return PASSED, ""
    if "Timeout" in text:
        return TIMEOUT, "Timeout"
    if "Exception" in text or "aborted" in text or "SEGFAULT" in text or "Child" in text:
        detail = text.replace("***", " ").replace("Exception:", "").strip() or "a signal"
        return CRASHED, detail
    if "Not Run" in text:
        return NOT_RUN, text.strip("*")
    if "Skipped" in text or "Disabled" in text:
        return SKIPPED, text.strip("*")
    return FAILED, text.strip("*")


def list_tests(test_dir: Path, label_regexes: list[str]) -> dict[str, list[str]]:
    """{test name: labels} of the tests the filters select, in ctest's order."""
    command = ["ctest", "--test-dir", str(test_dir), "--show-only=json-v1"]
    for regex in label_regexes:
        command += ["-L", regex]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise ui.CourseError(f"ctest could not list the tests in {test_dir}: "
                             f"{' '.join((result.stderr or result.stdout).strip().splitlines()[-1:])}")
    tests = {}
    for test in json.loads(result.stdout).get("tests", []):
        labels = []
        for prop in test.get("properties", []):
            if prop.get("name") == "LABELS":
                labels = list(prop.get("value", []))
        # Fallback when a label got lost: the executable's name says the exercise.
        executable = Path(test.get("command", [""])[0] or "").name
        if (match := EXECUTABLE_EXERCISE.match(executable)):
            for wanted in (f"ch{match.group('nn')}", f"ex{match.group('id')}"):
                if wanted not in labels:
                    labels.append(wanted)
        tests[test["name"]] = labels
    return tests


def _cmake_escape(text: str) -> str:
    """A literal in a CMake regular expression (ctest -R)."""
    return re.sub(r"([.\[\]()*+?^$|\\{}])", r"\\\1", text)


def read_junit(path: Path) -> dict[str, tuple[str, float, str]]:
    """{test name: (junit status, seconds, output)}."""
    if not path.exists():
        return {}
    cases = {}
    for case in ElementTree.parse(path).getroot().iter("testcase"):
        output = case.findtext("system-out") or ""
        cases[case.get("name", "")] = (case.get("status", ""), float(case.get("time") or 0), output)
    return cases


def run(test_dir: Path, label_regexes: list[str], junit: Path, timeout: int = 60,
        jobs: int | None = None, progress: ui.ProgressLine | None = None,
        echo: bool = False) -> TestRun:
    """Run the selected tests in parallel and return one TestResult per test."""
    labels = list_tests(test_dir, label_regexes)
    selection = [arg for regex in label_regexes for arg in ("-L", regex)]
    if label_regexes and not labels:
        # ctest knows no test by these labels; the executables' names may still say which
        # tests they are (a label lost in the CMake code): select those by name instead.
        labels = {name: found for name, found in list_tests(test_dir, []).items()
                  if all(any(re.search(regex, label) for label in found) for regex in label_regexes)}
        if labels:
            selection = ["-R", "^(" + "|".join(_cmake_escape(name) for name in labels) + ")$"]
    junit.parent.mkdir(parents=True, exist_ok=True)
    junit.unlink(missing_ok=True)
    command = ["ctest", "--test-dir", str(test_dir), "--output-junit", str(junit.resolve()),
               "-j", str(jobs or os.cpu_count() or 2), "--timeout", str(timeout), *selection]
    results = {name: TestResult(name, labels=found) for name, found in labels.items()}
    done = 0
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          errors="replace") as process:
        for line in process.stdout:
            if echo:
                print(line, end="")
            if match := PROGRESS_LINE.match(line):
                done += 1
                status, detail = classify(match.group("status"))
                result = results.setdefault(match.group("name"), TestResult(match.group("name")))
                result.status, result.detail = status, detail
                result.seconds = float(match.group("seconds"))
                if progress:
                    progress.update(f"testing [{done}/{match.group('total')}] {match.group('name')}")
            elif (match := SUMMARY_LINE.match(line)) and match.group("name") in results:
                result = results[match.group("name")]
                if result.status == NOT_RUN:  # no progress line seen: trust the summary
                    result.status, result.detail = classify(match.group("status"))
    if progress:
        progress.clear()
    for name, (status, seconds, output) in read_junit(junit).items():
        result = results.setdefault(name, TestResult(name))
        result.output = output
        result.seconds = result.seconds or seconds
        if result.status == NOT_RUN and status == "run":
            result.status = PASSED
        elif result.status == NOT_RUN and status == "fail":
            result.status = FAILED
    return TestRun(list(results.values()), process.returncode)
