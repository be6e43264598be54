"""`course run NAME` and `course tour`: the example programs, one or all of them in order."""
from __future__ import annotations

import subprocess
import threading
import time

from . import cmake, ui
from .examples import Example, all_examples, find_example, tour_examples

EXAMPLE_TIME_LIMIT = 60  # seconds; an example is a demo, not a soak test


def release_build() -> cmake.Build:
    return cmake.Build("release", variables={"AIO_MINE": ""})


def command_run(args) -> int:
    example = find_example(args.name)
    build = release_build()
    cmake.build(build, targets=[example.name], what=f"example {example.name} (release)")
    binary = build.bin_dir / example.name
    if not binary.exists():
        raise ui.CourseError(f"{binary} was not built; is {example.source.name} in "
                             f"chapters/{example.chapter.folder}/examples/?")
    # The example owns the terminal from here: its output and exit code are the user's.
    return subprocess.run([str(binary), *args.args]).returncode


def _stream(example: Example, binary, indent: str) -> tuple[int | None, float]:
    """Run one example, printing its output indented as it comes; (exit code or None, seconds)."""
    started = time.monotonic()
    process = subprocess.Popen([str(binary), *example.tour_args], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True,
                               errors="replace")
    timed_out = threading.Event()

    def stop():
        timed_out.set()
        process.kill()

    timer = threading.Timer(EXAMPLE_TIME_LIMIT, stop)
    timer.start()
    try:
        for line in process.stdout:
            ui.say((indent + line.rstrip("\n")).rstrip())
        process.wait()
    finally:
        timer.cancel()
    elapsed = time.monotonic() - started
    return (None if timed_out.is_set() else process.returncode), elapsed


def _seconds(value: float) -> str:
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def command_tour(args) -> int:
    stops = tour_examples()
    if not stops:
        raise ui.CourseError("no example has a '// Tour K: caption' line yet; see tools/README.md")
    chapters_seen = sorted({e.chapter.number for e in stops})
    ui.say(ui.bold("asyncio from the ground up, in C++20: the tour"))
    ui.say(ui.dim(f"{len(stops)} example programs from {len(chapters_seen)} chapter(s), "
                  "built from the reference code, run one after the other."))
    ui.say()
    build = release_build()
    cmake.build(build, targets=[e.name for e in stops], what="the examples (release)")

    bar = ui.dim("│ ")
    outcomes = []
    for index, example in enumerate(stops, start=1):
        ui.say()
        ui.say(ui.paint(f"[{index}/{len(stops)}] chapter {example.chapter.nn} · {example.name}", "bold", "cyan"))
        ui.say(f"  {example.caption}")
        shown_args = " ".join(example.tour_args)
        ui.say(ui.dim(f"  $ ./course run {example.name}{' ' + shown_args if shown_args else ''}"))
        binary = build.bin_dir / example.name
        if not binary.exists():
            ui.say(ui.bad(f"  ✗ not built: {binary}"))
            outcomes.append((example, "not built", 0.0))
            continue
        code, elapsed = _stream(example, binary, "  " + bar)
        if code == 0:
            ui.say(ui.ok("  ✓ ") + ui.dim(_seconds(elapsed)))
            outcomes.append((example, "ok", elapsed))
        else:
            why = f"killed after {EXAMPLE_TIME_LIMIT} s" if code is None else f"exit code {code}"
            ui.say(ui.bad(f"  ✗ failed ({why})") + ui.dim(f" after {_seconds(elapsed)}"))
            outcomes.append((example, "failed", elapsed))

    ui.say()
    rows = [[example.chapter.nn, example.name, ui.ok(result) if result == "ok" else ui.bad(result),
             _seconds(elapsed)] for example, result, elapsed in outcomes]
    ui.say(ui.table(["chapter", "example", "result", "time"], rows))
    ui.say()
    failed = sum(result != "ok" for _, result, _ in outcomes)
    total = sum(elapsed for _, _, elapsed in outcomes)
    if failed:
        ui.say(ui.bad(f"{failed} of {len(outcomes)} examples failed") + ui.dim(f" ({_seconds(total)} in all)."))
    else:
        ui.say(ui.ok(f"all {len(outcomes)} examples ran") + ui.dim(f" ({_seconds(total)} in all)."))
    first = stops[0].chapter
    ui.say("Go further:")
    for command, what in ((f"./course test {first.number}", f"chapter {first.number}'s tests, on the reference code"),
                          (f"./course test {first.number} --mine", f"the same tests on your code (chapters/{first.folder})")):
        ui.say(f"  {ui.bold(command)}{' ' * (26 - len(command))}{what}")
    ui.say(f"  and read chapters/{first.folder}/README.md to begin.")
    return 1 if failed else 0


def example_names() -> list[str]:
    return [e.name for e in all_examples()]
