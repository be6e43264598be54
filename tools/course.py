#!/usr/bin/env python3
"""The `course` command (./course is its launcher). See `./course --help`."""
import sys
from pathlib import Path

# The package sits beside this file; put it on the path however we were started.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from aio_course.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
