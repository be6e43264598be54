"""Reading a chapter's lesson (README.md) and hints (hints.md).

Lesson: one heading `### Exercise N.E: title` per exercise.
Hints: `## Exercise N.E` then a numbered list, one hint an item (an item may run over several
lines; indented lines and lines that do not start a new item belong to the item above).
"""
from __future__ import annotations

import re
import textwrap
from pathlib import Path

LESSON_HEADING = re.compile(r"^###\s+Exercise\s+(\d+\.\d+)\b:?\s*(.*?)\s*$")
HINTS_HEADING = re.compile(r"^##\s+Exercise\s+(\d+\.\d+)\b")
ANY_HEADING = re.compile(r"^#{1,6}\s")
LIST_ITEM = re.compile(r"^\d+[.)]\s+(.*)$")


def lesson_titles(lesson: Path) -> dict[str, str]:
    """{exercise id: title} of the lesson's `### Exercise N.E: title` headings."""
    if not lesson.exists():
        return {}
    return {m.group(1): m.group(2) for line in lesson.read_text(encoding="utf-8").splitlines()
            if (m := LESSON_HEADING.match(line))}


def lesson_exercise_ids(lesson: Path) -> set[str]:
    return set(lesson_titles(lesson))


def read_hints(hints_file: Path) -> dict[str, list[str]]:
    """{exercise id: [hint, ...]} in the order written."""
    hints: dict[str, list[str]] = {}
    if not hints_file.exists():
        return hints
    current: list[str] | None = None
    in_fence = False
    for line in hints_file.read_text(encoding="utf-8").splitlines():
        if line.lstrip().startswith("```"):
            in_fence = not in_fence  # code in a hint belongs to the item above
        if not in_fence and (heading := HINTS_HEADING.match(line)):
            current = hints.setdefault(heading.group(1), [])
            continue
        if not in_fence and ANY_HEADING.match(line):
            current = None  # another section: not hints
            continue
        if current is None:
            continue
        item = LIST_ITEM.match(line)
        if item and not in_fence:
            current.append(item.group(1))
        elif current and (line.strip() or in_fence):
            current[-1] += "\n" + line
        elif current and not line.strip():
            current[-1] += "\n"
    return {key: [_tidy(h) for h in items] for key, items in hints.items()}


def _tidy(item: str) -> str:
    """Continuation lines lose the indent that Markdown needs under a list item."""
    first, _, rest = item.partition("\n")
    return (first + ("\n" + textwrap.dedent(rest) if rest else "")).rstrip()
