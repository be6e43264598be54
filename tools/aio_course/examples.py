"""Example programs (chapters/NN-topic/examples/NAME.cpp) and their tour captions.

An example joins `course tour` when its leading comment says so:

    // Tour 2: one sentence that tells the reader what they are about to see.
    // Tour args: --small
"""
from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from .repo import Chapter, ROOT, chapters as all_chapters
from .ui import UsageError

TOUR_LINE = re.compile(r"^//\s*Tour\s+(?P<order>\d+)\s*:\s*(?P<caption>\S.*?)\s*$")
TOUR_ARGS = re.compile(r"^//\s*Tour args\s*:\s*(?P<args>.*?)\s*$")
MENTIONS_TOUR = re.compile(r"^\s*//\s*Tour\b")


@dataclass
class Example:
    name: str
    source: Path
    chapter: Chapter
    tour_order: int | None = None
    caption: str = ""
    tour_args: list[str] = field(default_factory=list)


def _leading_comment(lines: list[str]) -> list[str]:
    """The first lines of a file that are comments or blank: where tour lines belong."""
    head = []
    for line in lines:
        if line.strip() and not line.lstrip().startswith("//"):
            break
        head.append(line)
    return head


def tour_problems(source: Path, where: str) -> list[str]:
    """Malformed tour lines of one example, as 'file:line: what' messages."""
    lines = source.read_text(encoding="utf-8").splitlines()
    head = len(_leading_comment(lines))
    problems, saw_tour = [], False
    for number, line in enumerate(lines, start=1):
        if not MENTIONS_TOUR.match(line):
            continue
        text = line.strip()
        if number > head:
            problems.append(f"{where}:{number}: tour lines belong in the file's first comment lines")
        elif TOUR_LINE.match(text):
            if saw_tour:
                problems.append(f"{where}:{number}: a second '// Tour K:' line; one per example")
            saw_tour = True
        elif TOUR_ARGS.match(text):
            if not saw_tour:
                problems.append(f"{where}:{number}: '// Tour args:' without a '// Tour K: caption' line above")
            try:
                shlex.split(TOUR_ARGS.match(text).group("args"))
            except ValueError as e:
                problems.append(f"{where}:{number}: tour args do not parse ({e})")
        else:
            problems.append(f"{where}:{number}: malformed tour line; write "
                            "'// Tour K: caption' or '// Tour args: ...'")
    return problems


def read_example(source: Path, chapter: Chapter) -> Example:
    example = Example(source.stem, source, chapter)
    for line in _leading_comment(source.read_text(encoding="utf-8").splitlines()):
        text = line.strip()
        if tour := TOUR_LINE.match(text):
            example.tour_order = int(tour.group("order"))
            example.caption = tour.group("caption")
        elif args := TOUR_ARGS.match(text):
            try:
                example.tour_args = shlex.split(args.group("args"))
            except ValueError:
                pass  # `course check` reports it; the tour runs the example without them
    return example


def chapter_examples(chapter: Chapter) -> list[Example]:
    folder = chapter.chapter_dir / "examples"
    return [read_example(p, chapter) for p in sorted(folder.glob("*.cpp"))] if folder.is_dir() else []


def all_examples(root: Path = ROOT) -> list[Example]:
    return [e for chapter in all_chapters(root) for e in chapter_examples(chapter)]


def tour_examples(root: Path = ROOT) -> list[Example]:
    """The tour, in order: chapter by chapter, then by the number of each `// Tour K:` line."""
    stops = [e for e in all_examples(root) if e.tour_order is not None]
    return sorted(stops, key=lambda e: (e.chapter.number, e.tour_order, e.name))


def find_example(name: str, root: Path = ROOT) -> Example:
    everything = all_examples(root)
    for example in everything:
        if example.name == name:
            return example
    valid = ", ".join(e.name for e in everything) or "none yet"
    raise UsageError(f"there is no example '{name}'; examples: {valid}")


def check(root: Path = ROOT) -> list[str]:
    """Tour lines well formed, tour numbers unique per chapter, example names unique."""
    problems, seen_names = [], {}
    for chapter in all_chapters(root):
        orders: dict[int, str] = {}
        for example in chapter_examples(chapter):
            where = f"chapters/{chapter.folder}/examples/{example.source.name}"
            problems += tour_problems(example.source, where)
            if example.name in seen_names:
                problems.append(f"{where}: example name '{example.name}' is also used by "
                                f"{seen_names[example.name]}; names must be unique")
            seen_names[example.name] = where
            if example.tour_order is not None:
                if example.tour_order in orders:
                    problems.append(f"{where}: Tour {example.tour_order} is also used by "
                                    f"{orders[example.tour_order]}")
                orders[example.tour_order] = example.name
    return problems
