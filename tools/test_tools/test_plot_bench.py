"""tools/plot_bench.py, run as `course bench` runs it: with Debian's /usr/bin/python3."""
import json
import subprocess
import tempfile
import unittest
from pathlib import Path

import support

PLOTTER = support.TOOLS / "plot_bench.py"


def has_matplotlib() -> bool:
    python = Path("/usr/bin/python3")
    return python.exists() and subprocess.run([str(python), "-c", "import matplotlib"],
                                              capture_output=True).returncode == 0


def result(name, median_ns, unit="ns"):
    scale = {"ns": 1, "us": 1e-3}[unit]
    return [{"name": f"{name}_mean", "run_name": name, "aggregate_name": "mean",
             "real_time": 1.0, "cpu_time": 1.0, "time_unit": unit},
            {"name": f"{name}_median", "run_name": name, "aggregate_name": "median",
             "real_time": median_ns * scale, "cpu_time": median_ns * scale, "time_unit": unit}]


@unittest.skipUnless(has_matplotlib(), "needs Debian's python3-matplotlib")
class PlotBench(unittest.TestCase):
    def test_writes_a_png_of_the_medians(self):
        with tempfile.TemporaryDirectory() as folder:
            data = Path(folder, "bench.json")
            data.write_text(json.dumps({"benchmarks": result("BM_resume", 3.2) + result("BM_fetch/64", 40000, "us")}))
            out = Path(folder, "plots", "ch01.png")
            run = subprocess.run(["/usr/bin/python3", str(PLOTTER), str(data), "-o", str(out)],
                                 capture_output=True, text=True)
            self.assertEqual(run.returncode, 0, run.stderr)
            self.assertEqual(out.read_bytes()[:8], b"\x89PNG\r\n\x1a\n")

    def test_no_medians_is_a_clear_error(self):
        with tempfile.TemporaryDirectory() as folder:
            data = Path(folder, "bench.json")
            data.write_text(json.dumps({"benchmarks": []}))
            run = subprocess.run(["/usr/bin/python3", str(PLOTTER), str(data), "-o", f"{folder}/x.png"],
                                 capture_output=True, text=True)
            self.assertEqual(run.returncode, 1)
            self.assertIn("no median aggregates", run.stderr)


if __name__ == "__main__":
    unittest.main()
