"""Regenerate every benchmark that fits on a CPU, then docs/RESULTS.md.

    PYTHONPATH=. python benchmarks/run_all.py [--quick] [--skip NAME ...]

Runs, one after the other (each uses at most 2 single-threaded processes):
mode_collapse_2d, speed_vs_pytorch, stacked_mnist, mnist_classifier_curves, feature_extraction. Each writes its
own page under docs/; docs/RESULTS.md links them and is rewritten with the machine,
versions and date of this run. ``--quick`` passes ``--quick`` to every benchmark (smoke run;
the numbers are then meaningless, and the pages go to a scratch folder instead of docs/).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import DOCS, REPO_ROOT, machine_line  # noqa: E402

BENCHMARKS = {
    "mode_collapse_2d": ("mode_collapse_2d.md", []),
    "speed_vs_pytorch": ("speed_vs_pytorch.md", []),
    "stacked_mnist": ("stacked_mnist.md", []),
    "mnist_classifier_curves": ("mnist_classifier_curves.md", []),
    "feature_extraction": ("feature_extraction.md", []),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--skip", nargs="*", default=[])
    args = parser.parse_args()
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(REPO_ROOT)}
    # A smoke run writes into a scratch folder, so it never overwrites the committed pages.
    docs = Path(tempfile.mkdtemp(prefix="gan_lab_results_")) if args.quick else DOCS
    for name, (page, extra) in BENCHMARKS.items():
        if name in args.skip:
            continue
        cmd = [sys.executable, str(REPO_ROOT / "benchmarks" / f"{name}.py"), *extra, "--out", str(docs / page)]
        if args.quick and name != "feature_extraction":
            cmd.append("--quick")
        if args.quick and name == "feature_extraction":
            cmd += ["--n", "8", "--repeats", "1"]
        start = time.perf_counter()
        print("$", " ".join(cmd), flush=True)
        subprocess.run(cmd, check=True, cwd=REPO_ROOT, env=env)
        print(f"{name}: {time.perf_counter() - start:.0f} s", flush=True)
    from results_page import write_results_page

    print("wrote", write_results_page(docs, machine_line()))


if __name__ == "__main__":
    main()
