"""Configuring and building the CMake presets of CMakePresets.json.

Everything here is what a bare CMake user would type (`cmake --preset dev`, `cmake --build
build/dev`): the course adds a progress line and a readable error, nothing the IDE lacks.
"""
from __future__ import annotations

import re
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import toolchain, ui
from .repo import ROOT

NINJA_PROGRESS = re.compile(r"^\[(\d+)/(\d+)\]\s*(.*)$")
COMPILER_ERROR = re.compile(r"^(?P<where>[^\s:][^:]*:\d+(?::\d+)?): (?:fatal )?error: (?P<what>.*)$")
SILENT_BUILD_REPORT_S = 30  # seconds between progress lines when no terminal shows one


@dataclass
class Build:
    """One build folder: a configure preset, maybe another folder, maybe cache overrides."""

    preset: str
    binary_dir: Path | None = None  # default: build/<preset>, as the presets say
    variables: dict[str, str] = field(default_factory=dict)  # -D NAME=value

    def __post_init__(self):
        if self.binary_dir is None:
            self.binary_dir = ROOT / "build" / self.preset

    @property
    def bin_dir(self) -> Path:
        return self.binary_dir / "bin"


def cached_values(binary_dir: Path) -> dict[str, str] | None:
    """NAME -> value from CMakeCache.txt, or None when the folder was never configured."""
    cache = binary_dir / "CMakeCache.txt"
    if not cache.exists():
        return None
    values = {}
    for line in cache.read_text(encoding="utf-8", errors="replace").splitlines():
        match = re.match(r"^([A-Za-z_][A-Za-z0-9_.-]*):[A-Z]+=(.*)$", line)
        if match:
            values[match.group(1)] = match.group(2)
    return values


def needs_configure(build: Build) -> bool:
    cached = cached_values(build.binary_dir)
    if cached is None or not (build.binary_dir / "build.ninja").exists():
        return True
    # e.g. AIO_MINE went from "1" to "all": only a configure changes which code is built.
    return any(cached.get(name) != value for name, value in build.variables.items())


def configure(build: Build, quiet: bool = False) -> None:
    toolchain.ensure(toolchain.BUILD, "building the course")
    command = ["cmake", "--preset", build.preset, "-B", str(build.binary_dir)]
    command += [f"-D{name}={value}" for name, value in build.variables.items()]
    if not quiet:
        shown = " ".join(f"-D{name}={value}" for name, value in build.variables.items() if value)
        ui.say(ui.dim(f"configuring {_relative(build.binary_dir)} (cmake --preset {build.preset}"
                      f"{' ' + shown if shown else ''})"))
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        print(result.stdout + result.stderr)
        raise ui.CourseError(f"cmake --preset {build.preset} failed; its output is above")


def build(build: Build, targets: list[str] | None = None, quiet: bool = False,
          what: str | None = None) -> float:
    """Configure when needed, then build; returns the seconds it took.

    On a terminal one line shows the progress; elsewhere a line before and after. On failure the
    whole output is printed, and the error names the first compiler error.
    """
    if needs_configure(build):
        configure(build, quiet=quiet)
    what = what or f"preset {build.preset}"
    command = ["cmake", "--build", str(build.binary_dir)]
    for target in targets or []:
        command += ["--target", target]
    progress = ui.ProgressLine(enabled=ui.is_terminal() and not quiet)
    if not quiet and not progress.enabled:
        ui.say(f"building {what} ...")
    started = time.monotonic()
    # Without a terminal (a log, an editor's task runner) a line every half minute shows that a
    # long first build is moving.
    last_said = started
    output: list[str] = []
    with subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, errors="replace") as process:
        for line in process.stdout:
            output.append(line.rstrip("\n"))
            if step := NINJA_PROGRESS.match(line):
                done, total, action = step.groups()
                progress.update(f"building {what} [{done}/{total}] {_short(action)}")
                now = time.monotonic()
                if not quiet and not progress.enabled and now - last_said >= SILENT_BUILD_REPORT_S:
                    ui.say(ui.dim(f"  ... {done} of {total} steps done ({now - started:.0f} s)"))
                    last_said = now
    elapsed = time.monotonic() - started
    progress.clear()
    if process.returncode != 0:
        print("\n".join(output))
        first = next((m for line in output if (m := COMPILER_ERROR.match(line))), None)
        where = first.group("where").removeprefix(str(ROOT) + "/") if first else ""
        detail = f": {where}: {first.group('what')}" if first else "; the output is above"
        raise ui.CourseError(f"the build of {what} failed{detail}")
    if not quiet:
        ui.say(ui.dim(f"built {what} in {elapsed:.1f} s"))
    return elapsed


def _relative(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def _short(action: str) -> str:
    """'Building CXX object tests/CMakeFiles/x.dir/a_test.cpp.o' -> 'Building a_test.cpp'."""
    words = action.split()
    if len(words) >= 2 and "/" in words[-1]:
        name = words[-1].rsplit("/", 1)[-1].removesuffix(".o")
        return f"{words[0]} {name}"
    return action
