"""Reading Google Benchmark JSON results: the median of each benchmark.

A benchmark may report its figure of merit as a counter named `per_<item>` (Google Benchmark's
kIsIterationInvariantRate | kInvert: seconds per item, such as per_value). Then that is the
number to compare, not the time of one whole iteration, which depends on how many items an
iteration happens to process.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

UNIT_TO_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}
NOT_A_COUNTER = {"per_family_instance_index"}  # Google Benchmark's own field, not a counter


@dataclass
class Median:
    name: str
    real_ns: float  # one iteration
    cpu_ns: float
    per_item: tuple[str, float] | None  # ("value", ns per value), when the benchmark says


def read_medians(json_file: Path) -> list[Median]:
    """The median aggregates of one result file, in the order the program ran them."""
    data = json.loads(json_file.read_text(encoding="utf-8"))
    rows = []
    for entry in data.get("benchmarks", []):
        if entry.get("aggregate_name") != "median":
            continue
        scale = UNIT_TO_NS.get(entry.get("time_unit", "ns"), 1.0)
        name = entry.get("run_name") or entry["name"].removesuffix("_median")
        per = [(key.removeprefix("per_"), value * 1e9) for key, value in entry.items()
               if key.startswith("per_") and key not in NOT_A_COUNTER
               and isinstance(value, (int, float))]
        rows.append(Median(name, entry["real_time"] * scale, entry["cpu_time"] * scale,
                           per[0] if per else None))
    return rows
