"""Reading exercise regions of solution files (`// EXERCISE N.E (kind): title` ... `// END EXERCISE`).

The format is the contract of tools/README.md. Every mistake in it is reported as one line with
file:line, because an author fixes it in an editor that jumps there.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .ui import CourseError

# `// EXERCISE 1.2 (generator): resume the cursor`; the kind is optional.
EXERCISE_LINE = re.compile(
    r"^(?P<indent>\s*)//\s*EXERCISE\s+(?P<id>\S+?)(?:\s+\((?P<kind>[^)]*)\))?\s*:\s*(?P<title>.*?)\s*$")
END_LINE = re.compile(r"^\s*//\s*END EXERCISE\s*$")
# Anything that looks like a marker but did not match the exact forms above is a typo.
LOOKS_LIKE_MARKER = re.compile(r"^\s*//\s*(END\s+)?EXERCISE\b")
# Region markers (snippets) must not sit inside the code an exercise removes: the starter
# would lose them and its regions would no longer balance.
REGION_LINE = re.compile(r"^\s*(//|#)\s*(region:|endregion\b)")
COMMENT_LINE = re.compile(r"^\s*//")

KINDS = ("throw", "generator", "coroutine", "members")  # "throw" is the default, never written


class MarkerError(CourseError):
    """A malformed marker; the message starts with file:line."""


@dataclass
class ExerciseRegion:
    """One marked region. Line numbers are 1-based, inclusive of both marker lines."""

    exercise_id: str
    kind: str
    title: str
    indent: str
    path: Path
    start: int  # the `// EXERCISE` line
    end: int  # the `// END EXERCISE` line
    kept_comments: list[str] = field(default_factory=list)  # the task in words, kept

    @property
    def chapter_number(self) -> int:
        return int(self.exercise_id.split(".")[0])

    def overlaps(self, first: int, last: int) -> bool:
        return self.start <= last and first <= self.end


def parse_regions(path: Path, text: str, chapter_number: int | None = None,
                  shown_path: str | None = None) -> list[ExerciseRegion]:
    """Every exercise region of one file, in order. Raises MarkerError on a malformed marker."""
    where = shown_path or str(path)
    lines = text.split("\n")
    regions: list[ExerciseRegion] = []
    open_region: ExerciseRegion | None = None
    in_kept_comments = False

    for number, line in enumerate(lines, start=1):
        start = EXERCISE_LINE.match(line)
        if start and not END_LINE.match(line):
            if open_region:
                raise MarkerError(f"{where}:{number}: EXERCISE inside exercise "
                                  f"{open_region.exercise_id} (opened at line {open_region.start}); "
                                  "close it with // END EXERCISE first")
            open_region = _new_region(start, path, where, number, chapter_number)
            in_kept_comments = True
            continue
        if END_LINE.match(line):
            if not open_region:
                raise MarkerError(f"{where}:{number}: // END EXERCISE without an open // EXERCISE")
            open_region.end = number
            regions.append(open_region)
            open_region, in_kept_comments = None, False
            continue
        if LOOKS_LIKE_MARKER.match(line):
            raise MarkerError(f"{where}:{number}: malformed marker; write "
                              "'// EXERCISE N.E: title', '// EXERCISE N.E (kind): title' or '// END EXERCISE'")
        if open_region:
            if in_kept_comments and COMMENT_LINE.match(line) and not REGION_LINE.match(line):
                open_region.kept_comments.append(line)
                continue
            in_kept_comments = False
            if REGION_LINE.match(line):
                raise MarkerError(f"{where}:{number}: a snippet region marker inside exercise "
                                  f"{open_region.exercise_id}; put the region around the whole exercise")

    if open_region:
        raise MarkerError(f"{where}:{open_region.start}: exercise {open_region.exercise_id} "
                          "has no // END EXERCISE")
    return regions


def _new_region(match: re.Match, path: Path, where: str, number: int,
                chapter_number: int | None) -> ExerciseRegion:
    exercise_id = match.group("id")
    if not re.fullmatch(r"\d+\.\d+", exercise_id):
        raise MarkerError(f"{where}:{number}: exercise id '{exercise_id}' is not N.E (like 1.2)")
    # Normalise "01.2" to "1.2": labels and test file names use the number without zeros.
    chapter, exercise = (int(part) for part in exercise_id.split("."))
    exercise_id = f"{chapter}.{exercise}"
    if chapter_number is not None and chapter != chapter_number:
        raise MarkerError(f"{where}:{number}: exercise {exercise_id} is in chapter {chapter_number}; "
                          f"its id must start with {chapter_number}.")
    kind = (match.group("kind") or "throw").strip()
    if kind not in KINDS:
        raise MarkerError(f"{where}:{number}: unknown exercise kind '({kind})'; "
                          "use (generator), (coroutine), (members) or none")
    title = match.group("title")
    if not title:
        raise MarkerError(f"{where}:{number}: exercise {exercise_id} has no title after the colon")
    return ExerciseRegion(exercise_id, kind, title, match.group("indent"), path, number, number)


def sort_key(exercise_id: str) -> tuple[int, int]:
    """'1.10' sorts after '1.9'."""
    chapter, exercise = exercise_id.split(".")
    return int(chapter), int(exercise)
