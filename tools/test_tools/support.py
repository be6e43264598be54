"""Shared by the tool tests: puts tools/ on the path and builds small fake repositories."""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

TOOLS = Path(__file__).resolve().parents[1]
if str(TOOLS) not in sys.path:
    sys.path.insert(0, str(TOOLS))


class FakeRepo:
    """A temporary repository laid out as tools/README.md says; files are written on demand."""

    def __init__(self):
        self._dir = tempfile.TemporaryDirectory(prefix="aio-course-test-")
        self.root = Path(self._dir.name)

    def write(self, relative: str, text: str) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def read(self, relative: str) -> str:
        return (self.root / relative).read_text(encoding="utf-8")

    def cleanup(self):
        self._dir.cleanup()


SOLUTION = """\
#include "aio/not_implemented.hpp"

int next_row(int id) {
  // EXERCISE 1.1: return the next row id
  // The task in words: the starter keeps these lines.
  return id + 1;
  // END EXERCISE
}

// region: outside
int twice(int x) { return 2 * x; }
// endregion

struct Cursor {
  // EXERCISE 1.2 (members): the state of the cursor
  int id_ = 0;
  // END EXERCISE
};

Generator<int> count() {
  // EXERCISE 1.3 (generator): yield 1, 2, 3
  for (int i = 1; i <= 3; ++i) co_yield i;
  // END EXERCISE
}

Task<int> compute() {
    // EXERCISE 1.4 (coroutine): add after a sleep
    co_await sleep(1);
    co_return 3;
    // END EXERCISE
}
"""
