"""Where things are: the repository root, the chapters and exercise ids.

Chapters are found by folder name (tools/README.md): `solutions/NN-topic` is the reference,
`chapters/NN-topic` the lesson and the student's code, `tests/NN-topic` the tests.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .ui import UsageError

# tools/aio_course/repo.py -> the repository root is two folders up from this package.
ROOT = Path(__file__).resolve().parents[2]

CHAPTER_DIR = re.compile(r"^(\d\d)-[A-Za-z0-9_-]+$")
EXERCISE_ID = re.compile(r"^(\d+)\.(\d+)$")

# Every chapter the course will have (README.md, "Chapters"): number -> topic. A planned
# chapter without a solutions/ folder yet is "in preparation", not a typo.
PLANNED_CHAPTERS = {
    1: "generators", 2: "event loop", 3: "futures", 4: "coroutines", 5: "transports",
    6: "streams", 7: "green threads", 8: "another loop", 9: "three styles",
}


@dataclass(frozen=True)
class Chapter:
    number: int  # 1 for "01-generators"
    folder: str  # "01-generators"
    root: Path  # the repository root it belongs to

    @property
    def nn(self) -> str:
        return f"{self.number:02d}"

    @property
    def topic(self) -> str:
        return self.folder[3:]

    @property
    def solution_dir(self) -> Path:
        return self.root / "solutions" / self.folder

    @property
    def chapter_dir(self) -> Path:
        return self.root / "chapters" / self.folder

    @property
    def tests_dir(self) -> Path:
        return self.root / "tests" / self.folder

    @property
    def bench_dir(self) -> Path:
        return self.root / "bench" / self.folder

    @property
    def lesson(self) -> Path:
        return self.chapter_dir / "README.md"

    @property
    def hints_file(self) -> Path:
        return self.chapter_dir / "hints.md"

    @property
    def label(self) -> str:
        """The CTest label of every test of this chapter."""
        return f"ch{self.nn}"


def chapters(root: Path = ROOT) -> list[Chapter]:
    """Every chapter, in order. A chapter exists when its reference folder does, as in CMake."""
    found = []
    solutions = root / "solutions"
    if solutions.is_dir():
        for entry in sorted(solutions.iterdir()):
            match = CHAPTER_DIR.match(entry.name)
            if entry.is_dir() and match:
                found.append(Chapter(int(match.group(1)), entry.name, root))
    return found


def find_chapter(number: int, root: Path = ROOT) -> Chapter:
    for chapter in chapters(root):
        if chapter.number == number:
            return chapter
    raise UsageError(missing_chapter_message(number, root))


def missing_chapter_message(number: int, root: Path = ROOT) -> str:
    """Why chapter `number` cannot be used: in preparation, or no such chapter at all."""
    ready = ", ".join(f"{c.nn} ({c.topic.replace('-', ' ')})" for c in chapters(root)) or "none yet"
    if number in PLANNED_CHAPTERS:
        return (f"chapter {number:02d} ({PLANNED_CHAPTERS[number]}) is in preparation; "
                f"ready now: {ready}")
    return f"there is no chapter {number}; chapters: {ready}"


def parse_exercise_id(text: str) -> tuple[int, int]:
    """'1.2' -> (1, 2). Leading zeros are allowed ('01.2') because students type them."""
    match = EXERCISE_ID.match(text.strip())
    if not match:
        raise UsageError(f"'{text}' is not an exercise id; write chapter.exercise, like 1.2")
    return int(match.group(1)), int(match.group(2))


def exercise_label(exercise_id: str) -> str:
    """The CTest label of an exercise: 'ex1.2'."""
    return f"ex{exercise_id}"


def exact_label_regex(label: str) -> str:
    """ctest -L takes a regular expression: anchor it so ex1.1 does not also pick ex1.10."""
    return "^" + re.escape(label) + "$"


def any_label_regex(labels: list[str]) -> str:
    """One ctest -L expression for any of the labels (several -L options would all have to match)."""
    if len(labels) == 1:
        return exact_label_regex(labels[0])
    return "^(" + "|".join(re.escape(label) for label in labels) + ")$"


def relative(path: Path, root: Path = ROOT) -> str:
    """A path as the user would type it from the repository root."""
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)
