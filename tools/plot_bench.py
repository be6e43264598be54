#!/usr/bin/python3
"""Plot the medians of Google Benchmark JSON results as a horizontal bar chart.

    /usr/bin/python3 tools/plot_bench.py build/release/bench-results/*.json -o ch01.png

Run with Debian's python3 (its python3-matplotlib); `course bench` does. One bar per benchmark,
in nanoseconds (per item when the benchmark reports a per_<item> counter); the axis turns logarithmic when the values span more than 100x, because then the
small bars would otherwise vanish next to the large ones.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from aio_course import bench_results  # beside this file, in tools/

LOG_SCALE_SPAN = 100


def read_medians(paths: list[Path]) -> list[tuple[str, float]]:
    """[(label, ns)] over all files, in file order: the time per item where the benchmark
    reports one (a per_<item> counter), else the real time of one iteration."""
    medians = []
    for path in paths:
        for median in bench_results.read_medians(path):
            if median.per_item:
                item, ns = median.per_item
                medians.append((f"{median.name} (per {item})", ns))
            else:
                medians.append((median.name, median.real_ns))
    return medians


def plot(medians: list[tuple[str, float]], output: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")  # no display needed: we only write a file
    import matplotlib.pyplot as plt

    names = [name for name, _ in medians]
    values = [value for _, value in medians]
    figure, axes = plt.subplots(figsize=(9, 1.2 + 0.45 * len(medians)))
    bars = axes.barh(names, values, color="#3b7dd8")
    axes.invert_yaxis()  # the first benchmark on top, as in the table
    if min(values) > 0 and max(values) / min(values) > LOG_SCALE_SPAN:
        axes.set_xscale("log")
        axes.set_xlabel("median ns per item or per iteration (log scale)")
    else:
        axes.set_xlabel("median ns per item or per iteration")
    labels = [f"{v:,.1f} ns" if v < 100 else f"{v:,.0f} ns" for v in values]
    axes.bar_label(bars, labels=labels, padding=3, fontsize=8)
    axes.margins(x=0.15)
    axes.set_title(title)
    axes.grid(axis="x", alpha=0.3)
    figure.tight_layout()
    output.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(output, dpi=120)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("results", nargs="+", type=Path, help="Google Benchmark JSON files")
    parser.add_argument("-o", "--output", type=Path, required=True, help="the PNG to write")
    parser.add_argument("--title", default="median time per iteration")
    args = parser.parse_args(argv)
    medians = read_medians(args.results)
    if not medians:
        print("error: no median aggregates in these files; run the benchmarks with "
              "--benchmark_repetitions=N (N > 1)", file=sys.stderr)
        return 1
    plot(medians, args.output, args.title)
    print(args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
