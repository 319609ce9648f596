"""Writes docs/RESULTS.md: an index of the benchmark pages, each page's first paragraph
(which states its command, machine, versions and date) and its tables, inlined."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

PAGES = [
    ("Mode collapse: 2D ring and grid", "mode_collapse_2d.md"),
    ("Mode collapse: Stacked MNIST", "stacked_mnist.md"),
    ("Training speed against plain PyTorch", "speed_vs_pytorch.md"),
    ("Metric evaluation: Inception feature extraction", "feature_extraction.md"),
    ("MNIST classifier used by the offline metrics", "mnist_classifier.md"),
]


def write_results_page(docs: Path, machine: str) -> Path:
    lines = [
        "# Results",
        "",
        "Benchmarks, not tests: every number below comes from a script in `benchmarks/` and is dated on its own page. "
        "`PYTHONPATH=. python benchmarks/run_all.py` regenerates everything that fits on a CPU "
        "(the 2D table alone takes about half an hour on 2 cores) and rewrites this page.",
        "",
        f"This page was assembled on {dt.date.today().isoformat()} ({machine}). Each section below repeats its "
        "page's own header line, which names the machine, versions and date of its numbers.",
        "",
    ]
    for title, name in PAGES:
        path = docs / name
        lines.append(f"## {title}")
        lines.append("")
        if not path.is_file():
            lines += [f"Not generated yet (`{name}`).", ""]
            continue
        body = path.read_text().splitlines()
        # drop the page's own title; keep the rest, with image paths still relative to docs/
        if body and body[0].startswith("# "):
            body = body[1:]
        lines += [f"Full page: [{name}]({name}).", *body, ""]
    out = docs / "RESULTS.md"
    out.write_text("\n".join(lines).rstrip() + "\n")
    return out


if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from common import DOCS, machine_line

    print(write_results_page(DOCS, machine_line()))
