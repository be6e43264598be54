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

PROGRESS_LINE = re.compile(
    r"^\s*\d+/(?P<total>\d+)\s+Test\s+#\d+:\s+(?P<name>\S+)\s+\.*\s*(?P<status>.*?)\s+"
    r"(?P<seconds>[\d.]+)\s+sec\s*$")
SUMMARY_LINE = re.compile(r"^\s*\d+\s+-\s+(?P<name>\S+)\s+\((?P<status>[^)]*)\)\s*$")
# The executable of a test file tests/NN-topic/exN.E_what_test.cpp is chNN_exN.E_what_test.
EXECUTABLE_EXERCISE = re.compile(r"^ch(?P<nn>\d\d)_ex(?P<id>\d+\.\d+)_")
NOT_IMPLEMENTED = re.compile(r"NotImplemented|not implemented", re.IGNORECASE)
GTEST_RUN = re.compile(r"^\[ RUN\s+\]")
GTEST_END = re.compile(r"^\[\s+(FAILED|OK|SKIPPED)\s+\]")

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

    def failure_lines(self, limit: int = 6) -> list[str]:
        """What the test itself said (gtest's failure lines), at most `limit` lines."""
        lines, inside = [], False
        for line in self.output.splitlines():
            if GTEST_RUN.match(line):
                inside = True
                continue
            if GTEST_END.match(line):
                inside = False
                continue
            if inside and line.strip():
                lines.append(line.rstrip())
        if self.status == TIMEOUT:
            lines.append(f"(no result after {self.seconds:.0f} s: the test timed out; look for a loop that never ends)")
        elif self.status == CRASHED:
            lines.append(f"(the test process crashed: {self.detail or 'killed by a signal'})")
        elif self.status == NOT_RUN:
            lines.append(f"(not run: {self.detail or 'its executable is missing'})")
        if len(lines) > limit:
            lines = lines[: limit - 2] + ["…"] + lines[-1:]  # keep the last: it says why
        return lines


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
                             f"{(result.stderr or result.stdout).strip().splitlines()[-1:]}")
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
    junit.parent.mkdir(parents=True, exist_ok=True)
    junit.unlink(missing_ok=True)
    command = ["ctest", "--test-dir", str(test_dir), "--output-junit", str(junit.resolve()),
               "-j", str(jobs or os.cpu_count() or 2), "--timeout", str(timeout)]
    for regex in label_regexes:
        command += ["-L", regex]
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
