"""`course bench [N]`: run the Google Benchmark programs of a chapter, tabulate, plot.

Each program runs with repetitions and reports aggregates only; we read the medians from its
JSON file (the median resists the odd slow run better than the mean on a shared machine).
"""
from __future__ import annotations

import subprocess
from pathlib import Path

from . import cmake, toolchain, ui
from .bench_results import read_medians
from .repo import ROOT, Chapter, chapters as all_chapters, find_chapter

PLOTTER = ROOT / "tools" / "plot_bench.py"
SYSTEM_PYTHON = "/usr/bin/python3"  # Debian's python, the one python3-matplotlib is built for


def bench_targets(chapter: Chapter) -> list[str]:
    """bench/NN-topic/what_bench.cpp -> bench_chNN_what (tools/README.md)."""
    return [f"bench_ch{chapter.nn}_{p.stem.removesuffix('_bench')}"
            for p in sorted(chapter.bench_dir.glob("*_bench.cpp"))]


def format_ns(value: float) -> str:
    for unit, size in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if value >= size:
            return f"{value / size:.2f} {unit}"
    return f"{value:.1f} ns"


def run_benchmark(binary: Path, out: Path, quick: bool) -> None:
    command = [str(binary), f"--benchmark_repetitions={3 if quick else 5}",
               "--benchmark_report_aggregates_only=true", f"--benchmark_out={out}",
               "--benchmark_out_format=json"]
    if quick:
        command.append("--benchmark_min_time=0.05")
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        print(result.stdout + result.stderr)
        raise ui.CourseError(f"{binary.name} failed (exit {result.returncode}); its output is above")


def ensure_matplotlib() -> None:
    toolchain.ensure(toolchain.PLOT, "plotting the benchmarks")


def command_bench(args) -> int:
    chosen = [find_chapter(int(args.chapter))] if args.chapter else all_chapters()
    plan = [(chapter, bench_targets(chapter)) for chapter in chosen]
    plan = [(chapter, targets) for chapter, targets in plan if targets]
    if not plan:
        raise ui.CourseError("no benchmarks here yet: they are bench/NN-topic/*_bench.cpp")
    build = cmake.Build("release", variables={"AIO_MINE": ""})
    cmake.build(build, targets=[t for _, targets in plan for t in targets],
                what="the benchmarks (release)")
    results_dir = build.binary_dir / "bench-results"
    results_dir.mkdir(parents=True, exist_ok=True)

    for chapter, targets in plan:
        outputs = []
        progress = ui.ProgressLine()
        rows = []
        for target in targets:
            progress.update(f"running {target} ({'quick' if args.quick else 'five repetitions'}) ...")
            if not progress.enabled:
                ui.say(ui.dim(f"running {target} ..."))
            out = results_dir / f"{target}.json"
            run_benchmark(build.bin_dir / target, out, args.quick)
            outputs.append(out)
            rows += [[target.removeprefix(f"bench_ch{chapter.nn}_"), m.name, format_ns(m.real_ns),
                      format_ns(m.cpu_ns),
                      f"{format_ns(m.per_item[1])} per {m.per_item[0]}" if m.per_item else ""]
                     for m in read_medians(out)]
        progress.clear()
        ui.say(ui.bold(f"chapter {chapter.nn}: medians"))
        ui.say(ui.table(["program", "benchmark", "real time", "cpu time", "per item (cpu)"], rows))
        ensure_matplotlib()
        plot = results_dir / f"ch{chapter.nn}.png"
        result = subprocess.run([SYSTEM_PYTHON, str(PLOTTER), *map(str, outputs), "-o", str(plot),
                                 "--title", f"chapter {chapter.nn} · {chapter.topic}: median time"],
                                capture_output=True, text=True)
        if result.returncode != 0:
            print(result.stdout + result.stderr)
            raise ui.CourseError("tools/plot_bench.py failed; its output is above")
        ui.say(f"plot: {plot.relative_to(ROOT) if plot.is_relative_to(ROOT) else plot}")
        ui.say()
    return 0
