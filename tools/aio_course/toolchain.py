"""The Debian packages the course needs: find what is missing and, as root, install it.

As root (a container, CI) we install and say so first; as a user we print the exact command,
because running sudo on someone's behalf is not ours to decide.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from . import ui


@dataclass(frozen=True)
class Package:
    name: str  # the Debian package
    present: Callable[[], bool]


def _program(name: str) -> Callable[[], bool]:
    return lambda: shutil.which(name) is not None


def _header(relative: str) -> Callable[[], bool]:
    # A header in a system include folder is what the build needs; dpkg's view of the
    # package can lag behind (a package "unpacked" but not configured still has its headers).
    folders = ("/usr/include", "/usr/local/include")
    return lambda: any(Path(folder, relative).exists() for folder in folders)


def _python_module(module: str, python: str = "/usr/bin/python3") -> Callable[[], bool]:
    def present() -> bool:
        if not Path(python).exists():
            return False
        result = subprocess.run([python, "-c", f"import {module}"], capture_output=True)
        return result.returncode == 0
    return present


BUILD = [
    Package("cmake", _program("cmake")),
    Package("ninja-build", _program("ninja")),
    Package("g++", _program("g++")),
    Package("libgtest-dev", _header("gtest/gtest.h")),
    Package("libgmock-dev", _header("gmock/gmock.h")),
    Package("libbenchmark-dev", _header("benchmark/benchmark.h")),
    Package("libfmt-dev", _header("fmt/core.h")),
]
SLIDES = [
    Package("nodejs", _program("node")),
    Package("npm", _program("npm")),
    Package("chromium", _program("chromium")),
    Package("graphviz", _program("dot")),
]
PLOT = [Package("python3-matplotlib", _python_module("matplotlib"))]

_apt_updated = False  # `apt-get update` once per run is enough


def is_root() -> bool:
    return os.geteuid() == 0


def missing(packages: list[Package]) -> list[str]:
    return [p.name for p in packages if not p.present()]


def ensure(packages: list[Package], purpose: str) -> None:
    """Return when every package is there; install them as root; otherwise CourseError."""
    names = missing(packages)
    if not names:
        return
    command = "apt-get install -y " + " ".join(names)
    if not shutil.which("apt-get"):
        raise ui.CourseError(f"{purpose} needs {', '.join(names)}, and this is not a Debian "
                             "system: install them with your package manager")
    if not is_root():
        raise ui.CourseError(f"{purpose} needs {', '.join(names)}; install with: sudo apt-get update "
                             f"&& sudo {command}")
    ui.say(ui.warn(f"{purpose} needs {', '.join(names)}: installing them ({command})"))
    install(names)
    still = missing(packages)
    if still:
        raise ui.CourseError(f"{', '.join(still)} still missing after apt-get install; "
                             f"run '{command}' and read its errors")


def install(names: list[str]) -> None:
    global _apt_updated
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    if not _apt_updated:
        subprocess.run(["apt-get", "update"], check=False, env=env)
        _apt_updated = True
    result = subprocess.run(["apt-get", "install", "-y", *names], env=env)
    if result.returncode != 0:
        raise ui.CourseError(f"apt-get install {' '.join(names)} failed (exit {result.returncode}); "
                             "read the lines above")
