"""What the user sees: colours, tables, a progress line, and errors that say what to do next.

Colour only when stdout is a terminal and NO_COLOR is unset (https://no-color.org): a CI log
or a file full of escape codes is unreadable.
"""
from __future__ import annotations

import os
import shutil
import sys


class CourseError(Exception):
    """A failure the user can act on: printed as one line, exit code 1."""

    exit_code = 1


class UsageError(CourseError):
    """The command was asked something that does not exist: exit code 2, like argparse."""

    exit_code = 2


def use_colour(stream=None) -> bool:
    stream = stream or sys.stdout
    return stream.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"


def is_terminal() -> bool:
    return sys.stdout.isatty()


_CODES = {"bold": "1", "dim": "2", "red": "31", "green": "32", "yellow": "33", "blue": "34",
          "magenta": "35", "cyan": "36"}


def paint(text: str, *styles: str) -> str:
    if not styles or not use_colour():
        return text
    codes = ";".join(_CODES[s] for s in styles)
    return f"\033[{codes}m{text}\033[0m"


def bold(text: str) -> str:
    return paint(text, "bold")


def dim(text: str) -> str:
    return paint(text, "dim")


def ok(text: str) -> str:
    return paint(text, "green")


def bad(text: str) -> str:
    return paint(text, "red")


def warn(text: str) -> str:
    return paint(text, "yellow")


def say(text: str = "") -> None:
    print(text, flush=True)


def error(text: str) -> None:
    """One line on stderr; colour follows stderr's own terminal-ness."""
    prefix = "error:"
    if use_colour(sys.stderr):
        prefix = f"\033[31;1m{prefix}\033[0m"
    print(f"{prefix} {text}", file=sys.stderr, flush=True)


def report(problems: list[str], all_good: str) -> int:
    """Each problem on a line of its own and exit code 1, or the all-good line and 0."""
    for problem in problems:
        error(problem)
    if problems:
        return 1
    say(ok(all_good))
    return 0


def _visible_len(text: str) -> int:
    """Length without colour escapes, so coloured cells still line up."""
    length, in_escape = 0, False
    for char in text:
        if char == "\033":
            in_escape = True
        elif in_escape and char == "m":
            in_escape = False
        elif not in_escape:
            length += 1
    return length


def table(headers: list[str], rows: list[list[str]], indent: str = "  ") -> str:
    """A plain text table; cells may be coloured."""
    widths = [_visible_len(h) for h in headers]
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], _visible_len(cell))

    def line(cells: list[str]) -> str:
        padded = [c + " " * (w - _visible_len(c)) for c, w in zip(cells, widths)]
        return (indent + "  ".join(padded)).rstrip()

    out = [line([bold(h) for h in headers]), indent + "  ".join("-" * w for w in widths)]
    out += [line(row) for row in rows]
    return "\n".join(out)


class ProgressLine:
    """One line that rewrites itself on a terminal; silent elsewhere (a CI log wants no \\r)."""

    def __init__(self, enabled: bool | None = None):
        self.enabled = is_terminal() if enabled is None else enabled
        self._shown = False

    def update(self, text: str) -> None:
        if not self.enabled:
            return
        width = shutil.get_terminal_size((80, 20)).columns - 1
        if len(text) > width:
            text = text[: width - 1] + "…"
        sys.stdout.write("\r\033[K" + text)
        sys.stdout.flush()
        self._shown = True

    def clear(self) -> None:
        if self.enabled and self._shown:
            sys.stdout.write("\r\033[K")
            sys.stdout.flush()
            self._shown = False
