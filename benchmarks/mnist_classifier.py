"""Train gan_lab's MNIST classifier on the full MNIST train split and on the bundled
digits, and record the accuracies in docs/mnist_classifier.md.

    PYTHONPATH=. python benchmarks/mnist_classifier.py --mnist-raw /work/shared/data/MNIST/raw

The raw .gz files are linked into a temporary torchvision root (never written to).
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import tempfile
from pathlib import Path

import torch

from gan_lab.metrics.mnist_classifier import load_or_train


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mnist-raw", default="/work/shared/data/MNIST/raw")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--cache-dir", default=None)
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent.parent / "docs" / "mnist_classifier.md"))
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp, "MNIST", "raw")
        raw.mkdir(parents=True)
        for f in Path(args.mnist_raw).glob("*.gz"):
            os.symlink(f.resolve(), raw / f.name)
        for root in (tmp, None):
            _, info = load_or_train(args.cache_dir, root, epochs=args.epochs)
            rows.append(info)
    lines = [
        "# MNIST classifier accuracy",
        "",
        "Measured by `benchmarks/mnist_classifier.py` (CPU, "
        f"{platform.processor() or platform.machine()}, torch {torch.__version__}, {torch.get_num_threads()} threads).",
        "",
        "| training data | train size | evaluated on | accuracy | epochs | seconds |",
        "|---|---|---|---|---|---|",
    ]
    for i in rows:
        lines.append(
            f"| {i.source} | {i.train_size} | {i.eval_split} | {100 * i.accuracy:.2f} % | {i.epochs} | {i.seconds:.0f} |"
        )
    Path(args.out).write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
