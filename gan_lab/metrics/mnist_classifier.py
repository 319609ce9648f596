"""A small MNIST digit classifier, trained by gan_lab and cached on disk.

It drives the metrics that need no Inception weights: class coverage, KL of
the predicted-class histogram to uniform, a classifier-feature Fréchet
distance, and Stacked-MNIST mode counting.

Training data, in order of preference:

* ``root`` holding torchvision's MNIST files (``<root>/MNIST/raw/*.gz``): the
  full 60,000-digit train split; accuracy is measured on the 10,000 test digits;
* otherwise the 10,000 digits bundled with gan_lab (the MNIST *test* split):
  8,000 for training, the other 2,000 (a fixed permutation) held out for the
  accuracy figure.

The trained weights are cached as ``<cache_dir>/mnist_classifier/<name>.pt``
(``cache_dir`` defaults to ``~/.cache/gan_lab``); later calls load them.

Command: ``python -m gan_lab.metrics.mnist_classifier [--root DIR] [--epochs N]``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from gan_lab.errors import GanLabError

log = logging.getLogger(__name__)

CLASSIFIER_VERSION = 1


def default_cache_dir() -> Path:
    """``$GAN_LAB_CACHE`` if set, else ``~/.cache/gan_lab``."""
    return Path(os.environ.get("GAN_LAB_CACHE", Path.home() / ".cache" / "gan_lab")).expanduser()


class MNISTClassifier(nn.Module):
    """Three conv blocks (16, 32, 64 channels) and a 128-unit feature layer.

    Input: ``[N, 1, 28, 28]`` in [-1, 1] (gan_lab's image range). Other sizes
    are resized to 28 px; 3-channel inputs are refused (classify each channel).
    """

    feature_dim = 128

    def __init__(self) -> None:
        super().__init__()

        def block(cin: int, cout: int) -> nn.Sequential:
            return nn.Sequential(
                nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(), nn.MaxPool2d(2)
            )

        self.body = nn.Sequential(block(1, 16), block(16, 32), block(32, 64), nn.Flatten())
        self.fc = nn.Sequential(nn.Linear(64 * 3 * 3, self.feature_dim), nn.ReLU())
        self.dropout = nn.Dropout(0.3)
        self.head = nn.Linear(self.feature_dim, 10)

    @staticmethod
    def _prepare(x: Tensor) -> Tensor:
        if x.dim() != 4 or x.shape[1] != 1:
            raise GanLabError(f"the MNIST classifier takes [N, 1, H, W] images, got shape {list(x.shape)}")
        if x.shape[-2:] != (28, 28):
            x = F.interpolate(x, size=(28, 28), mode="bilinear", antialias=True, align_corners=False)
        return x

    def features(self, x: Tensor) -> Tensor:
        return self.fc(self.body(self._prepare(x)))

    def forward(self, x: Tensor) -> Tensor:
        return self.head(self.dropout(self.features(x)))


@dataclass
class ClassifierInfo:
    """What is stored next to the weights (and printed)."""

    name: str
    source: str  # "mnist" (torchvision train split) or "bundled" (8k of the bundled test digits)
    train_size: int
    eval_split: str
    eval_size: int
    accuracy: float
    epochs: int
    seed: int
    seconds: float
    version: int = CLASSIFIER_VERSION


def _mnist_splits(root: str | None) -> tuple[str, tuple[Tensor, Tensor], tuple[Tensor, Tensor], str]:
    """(source, (train images uint8 [N,1,28,28], labels), (eval images, labels), eval split name)."""
    if root:
        from torchvision import datasets

        try:
            train = datasets.MNIST(str(Path(root).expanduser()), train=True, download=True)
            test = datasets.MNIST(str(Path(root).expanduser()), train=False, download=True)
            return (
                "mnist",
                (train.data.unsqueeze(1), train.targets.long()),
                (test.data.unsqueeze(1), test.targets.long()),
                "mnist test (10,000)",
            )
        except (RuntimeError, OSError) as err:
            log.warning("MNIST not usable under %s (%s); training on the bundled digits instead", root, str(err)[:120])
    from gan_lab.datasets.bundled_mnist import BundledMNIST

    data = BundledMNIST()
    perm = torch.randperm(len(data.images), generator=torch.Generator().manual_seed(0))
    tr, ev = perm[:8000], perm[8000:]
    return (
        "bundled",
        (data.images[tr], data.targets[tr]),
        (data.images[ev], data.targets[ev]),
        "bundled held-out (2,000 of the MNIST test digits)",
    )


def _to_float(images: Tensor) -> Tensor:
    return images.float().div(127.5).sub(1.0)


@torch.inference_mode()
def accuracy(model: MNISTClassifier, images: Tensor, labels: Tensor, batch_size: int = 1000) -> float:
    model.eval()
    correct = 0
    for start in range(0, len(images), batch_size):
        pred = model(_to_float(images[start : start + batch_size])).argmax(1)
        correct += int((pred == labels[start : start + batch_size]).sum())
    return correct / len(images)


def train_classifier(
    root: str | None = None, epochs: int = 3, seed: int = 0, batch_size: int = 128
) -> tuple[MNISTClassifier, ClassifierInfo]:
    """Train from scratch (Adam, one-cycle LR, small random shifts) and measure accuracy."""
    start_time = time.perf_counter()
    source, (x_tr, y_tr), (x_ev, y_ev), eval_split = _mnist_splits(root)
    gen = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    model = MNISTClassifier()
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    steps_per_epoch = len(x_tr) // batch_size
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=max(1, epochs * steps_per_epoch))
    for epoch in range(epochs):
        model.train()
        perm = torch.randperm(len(x_tr), generator=gen)
        for i in range(steps_per_epoch):
            idx = perm[i * batch_size : (i + 1) * batch_size]
            x = _to_float(x_tr[idx])
            # random shifts of up to 2 px (pad with background, crop back)
            dx, dy = torch.randint(-2, 3, (2,), generator=gen).tolist()
            x = torch.roll(F.pad(x, (2, 2, 2, 2), value=-1.0), shifts=(dy, dx), dims=(2, 3))[:, :, 2:30, 2:30]
            loss = F.cross_entropy(model(x), y_tr[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
        log.info("classifier epoch %d/%d: loss %.4f", epoch + 1, epochs, float(loss.detach()))
    acc = accuracy(model, x_ev, y_ev)
    name = classifier_name(source, epochs, seed)
    info = ClassifierInfo(
        name, source, len(x_tr), eval_split, len(x_ev), acc, epochs, seed, time.perf_counter() - start_time
    )
    model.eval()
    return model, info


def classifier_name(source: str, epochs: int, seed: int) -> str:
    return f"mnist_classifier_v{CLASSIFIER_VERSION}_{source}_e{epochs}_s{seed}"


def load_or_train(
    cache_dir: str | Path | None = None, root: str | None = None, epochs: int = 3, seed: int = 0
) -> tuple[MNISTClassifier, ClassifierInfo]:
    """The cached classifier for this (data source, epochs, seed), trained and cached on a miss."""
    folder = Path(cache_dir).expanduser() if cache_dir else default_cache_dir()
    folder = folder / "mnist_classifier"
    source = "mnist" if root and _has_mnist(root) else "bundled"
    path = folder / f"{classifier_name(source, epochs, seed)}.pt"
    if path.is_file():
        blob = torch.load(path, map_location="cpu", weights_only=True)
        model = MNISTClassifier()
        model.load_state_dict(blob["state_dict"])
        model.eval()
        info = ClassifierInfo(**json.loads(blob["info"]))
        log.info("using cached MNIST classifier %s (accuracy %.4f on %s)", path, info.accuracy, info.eval_split)
        return model, info
    log.info("training the MNIST classifier (%s data, %d epochs); it will be cached in %s", source, epochs, path)
    model, info = train_classifier(root if source == "mnist" else None, epochs=epochs, seed=seed)
    folder.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    torch.save({"state_dict": model.state_dict(), "info": json.dumps(asdict(info))}, tmp)
    os.replace(tmp, path)
    log.info("MNIST classifier accuracy %.4f on %s; cached at %s", info.accuracy, info.eval_split, path)
    return model, info


def _has_mnist(root: str) -> bool:
    raw = Path(root).expanduser() / "MNIST" / "raw"
    names = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
    return all((raw / n).is_file() or (raw / f"{n}.gz").is_file() for n in names)


def weights_digest(model: nn.Module) -> str:
    """sha256 of the classifier's parameters (recorded in metric protocols)."""
    h = hashlib.sha256()
    for key, value in sorted(model.state_dict().items()):
        h.update(key.encode())
        h.update(value.detach().cpu().contiguous().numpy().tobytes())
    return h.hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description="Train (or load from cache) gan_lab's MNIST classifier.")
    parser.add_argument(
        "--root", default=None, help="folder holding MNIST/raw/*.gz (torchvision layout); default: bundled digits"
    )
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cache-dir", default=None, help="default: $GAN_LAB_CACHE or ~/.cache/gan_lab")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    _, info = load_or_train(args.cache_dir, args.root, args.epochs, args.seed)
    print(json.dumps(asdict(info), indent=2))


if __name__ == "__main__":
    main()
