"""Code quoted in lessons and slides, kept equal to the compiled source it comes from.

Source:   `// region: name` ... `// endregion` (regions nest; `#` comments work too).
Markdown: `<!-- snippet: path#name -->`, a fenced block, `<!-- /snippet -->`.
The quoted text is the region without marker lines (regions and exercises), dedented.
"""
from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

from . import markers
from .repo import ROOT
from .ui import CourseError

REGION_START = re.compile(r"^\s*(?://|#)\s*region:\s*(?P<name>\S+)\s*$")
REGION_END = re.compile(r"^\s*(?://|#)\s*endregion\b.*$")
SNIPPET_OPEN = re.compile(r"^\s*<!--\s*snippet:\s*(?P<path>[^#\s]+)#(?P<name>\S+)\s*-->\s*$")
SNIPPET_CLOSE = re.compile(r"^\s*<!--\s*/snippet\s*-->\s*$")
FENCE = re.compile(r"^\s*(`{3,}|~{3,})")

FENCE_LANGUAGE = {".cpp": "cpp", ".hpp": "cpp", ".h": "cpp", ".cc": "cpp", ".cmake": "cmake",
                  ".py": "python", ".sh": "bash", ".json": "json", ".md": "markdown"}


class SnippetError(CourseError):
    pass


@dataclass
class Region:
    name: str
    start: int  # the `// region:` line (1-based)
    end: int  # the `// endregion` line
    text: str  # what a lesson quotes


def is_marker_line(line: str) -> bool:
    return bool(REGION_START.match(line) or REGION_END.match(line)
                or markers.EXERCISE_LINE.match(line) or markers.END_LINE.match(line))


def parse_regions(text: str, where: str) -> dict[str, Region]:
    lines = text.split("\n")
    found: dict[str, Region] = {}
    stack: list[tuple[str, int]] = []
    for number, line in enumerate(lines, start=1):
        if start := REGION_START.match(line):
            stack.append((start.group("name"), number))
        elif REGION_END.match(line):
            if not stack:
                raise SnippetError(f"{where}:{number}: endregion without a region")
            name, first = stack.pop()
            if name in found:
                raise SnippetError(f"{where}:{first}: region '{name}' is defined twice")
            body = [l for l in lines[first:number - 1] if not is_marker_line(l)]
            found[name] = Region(name, first, number, textwrap.dedent("\n".join(body)).strip("\n"))
    if stack:
        name, first = stack[-1]
        raise SnippetError(f"{where}:{first}: region '{name}' has no endregion")
    return found


def fence_language(path: str) -> str:
    if path.endswith("CMakeLists.txt"):
        return "cmake"
    return FENCE_LANGUAGE.get(Path(path).suffix, "")


def quoted_block(path: str, text: str) -> list[str]:
    return [f"```{fence_language(path)}", *text.split("\n"), "```"]


@dataclass
class Snippet:
    markdown: Path
    line: int  # the `<!-- snippet: -->` line (1-based)
    close_line: int
    path: str  # repository-relative source path
    name: str
    current: list[str]  # the lines between the two markers, as written now

    @property
    def where(self) -> str:
        return f"{_rel(self.markdown)}:{self.line}"


def _rel(path: Path) -> str:
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


def find_snippets(markdown: Path) -> list[Snippet]:
    lines = markdown.read_text(encoding="utf-8").split("\n")
    found, open_snippet, fence = [], None, None
    for number, line in enumerate(lines, start=1):
        fence_match = FENCE.match(line)
        if open_snippet is None and fence_match:
            # Outside a snippet, a fenced block may show the marker syntax itself: skip it.
            mark = fence_match.group(1)
            if fence is None:
                fence = mark
            elif mark[0] == fence[0] and len(mark) >= len(fence):
                fence = None
            continue
        if fence is not None:
            continue
        if opening := SNIPPET_OPEN.match(line):
            if open_snippet:
                raise SnippetError(f"{_rel(markdown)}:{number}: snippet inside the snippet of line "
                                   f"{open_snippet[0]}; close it with <!-- /snippet -->")
            open_snippet = (number, opening.group("path"), opening.group("name"))
        elif SNIPPET_CLOSE.match(line):
            if not open_snippet:
                raise SnippetError(f"{_rel(markdown)}:{number}: <!-- /snippet --> without an opening")
            first, path, name = open_snippet
            found.append(Snippet(markdown, first, number, path, name, lines[first:number - 1]))
            open_snippet = None
    if open_snippet:
        raise SnippetError(f"{_rel(markdown)}:{open_snippet[0]}: snippet has no <!-- /snippet -->")
    return found


def markdown_files(root: Path = ROOT) -> list[Path]:
    """Where snippets may be: the lessons, the hints and the slides."""
    return sorted([*root.glob("chapters/*/README.md"), *root.glob("chapters/*/hints.md"),
                   *root.glob("slides/*.md")])


def expected_text(snippet: Snippet, root: Path = ROOT) -> str:
    """The region's text, or SnippetError naming what is missing or forbidden."""
    source = root / snippet.path
    if not source.is_file():
        raise SnippetError(f"{snippet.where}: snippet names {snippet.path}, which does not exist")
    text = source.read_text(encoding="utf-8")
    regions = parse_regions(text, snippet.path)
    region = regions.get(snippet.name)
    if region is None:
        names = ", ".join(sorted(regions)) or "none"
        raise SnippetError(f"{snippet.where}: {snippet.path} has no region '{snippet.name}' "
                           f"(its regions: {names})")
    if snippet.path.startswith("solutions/"):
        # Quoting reference code that overlaps an exercise would print the answer in the lesson.
        for exercise in markers.parse_regions(source, text, shown_path=snippet.path):
            if exercise.overlaps(region.start, region.end):
                raise SnippetError(
                    f"{snippet.where}: region '{snippet.name}' of {snippet.path} overlaps exercise "
                    f"{exercise.exercise_id} (line {exercise.start}); quote the starter under "
                    "chapters/ or code outside the exercise")
    return region.text


def check(root: Path = ROOT) -> list[str]:
    """One message per snippet that is out of date or broken; empty when all match."""
    problems = []
    for markdown in markdown_files(root):
        try:
            snippets = find_snippets(markdown)
        except SnippetError as e:
            problems.append(str(e))
            continue
        for snippet in snippets:
            try:
                expected = quoted_block(snippet.path, expected_text(snippet, root))
            except (SnippetError, markers.MarkerError) as e:
                problems.append(str(e))
                continue
            if snippet.current != expected:
                problems.append(f"{snippet.where}: the quote of {snippet.path}#{snippet.name} "
                                "differs from the source; run ./course snippets --write")
    return problems


def write(root: Path = ROOT) -> list[str]:
    """Refresh every quote; returns the Markdown files changed. Broken snippets raise."""
    changed = []
    for markdown in markdown_files(root):
        snippets = find_snippets(markdown)
        if not snippets:
            continue
        lines = markdown.read_text(encoding="utf-8").split("\n")
        # From the bottom up, so earlier line numbers stay valid while replacing.
        for snippet in reversed(snippets):
            expected = quoted_block(snippet.path, expected_text(snippet, root))
            lines[snippet.line:snippet.close_line - 1] = expected
        new_text = "\n".join(lines)
        if new_text != markdown.read_text(encoding="utf-8"):
            markdown.write_text(new_text, encoding="utf-8")
            changed.append(_rel(markdown))
    return changed
