"""Two domains made from one image dataset, with a ground truth kept for evaluation.

Unpaired training must not see pairs, but a benchmark can still score against the truth:
domain A is a derivation of one half of the images (e.g. their grey versions), domain B another
derivation of the *other* half (e.g. the colour images), so no training pair exists; on the held
out images both versions of the same image are known, so the test items carry the true B version
of each A image (``"target_b"``).
"""

from __future__ import annotations

import torch
from torch.utils.data import Dataset

from gan_lab.datasets.paired.derived_pairs import luminance
from gan_lab.datasets.unpaired.sampling import UnpairedSampling
from gan_lab.errors import EmptyDatasetError, IncompatibleConfigError

SPLITS = ("train", "test")


def grayscale(image: torch.Tensor) -> torch.Tensor:
    """BT.601 luminance, repeated to the image's channel count (a grey photo stored as RGB)."""
    gray = luminance(image) if image.shape[0] == 3 else image[:1]
    return gray.expand(image.shape[0], -1, -1).clone()


def invert(image: torch.Tensor) -> torch.Tensor:
    """The negative (white <-> black) of an image in [-1, 1]."""
    return -image


DERIVATIONS = {"identity": lambda image: image, "grayscale": grayscale, "invert": invert}


class DerivedDomains(UnpairedSampling):
    """Domain A = ``domain_a`` applied to one half of ``base``'s training images, domain B =
    ``domain_b`` applied to the other half (derivations: ``identity``, ``grayscale``, ``invert``).

    ``split_seed`` shuffles the base indices (image folders are sorted by class); the last
    ``holdout_fraction`` are the ``test`` split, the rest is cut in two halves for A and B.
    Test items pair held-out image ``i`` (domain A version) with the B version of another
    held-out image, and add ``"target_b"``: the B version of image ``i`` itself.
    Items: ``{"image_a", "image_b", "label"}`` (+ ``"target_b"`` on test); ``label`` is the base
    label of the A image.
    """

    def __init__(
        self,
        base: Dataset,
        domain_a: str,
        domain_b: str,
        split: str = "train",
        holdout_fraction: float = 0.1,
        split_seed: int | None = 0,
        flip: bool = True,
        seed: int = 0,
    ) -> None:
        for name, value in (("domain_a", domain_a), ("domain_b", domain_b)):
            if value not in DERIVATIONS:
                raise IncompatibleConfigError(f"{name} must be one of {sorted(DERIVATIONS)}, got {value!r}")
        if split not in SPLITS:
            raise IncompatibleConfigError(f"split must be one of {SPLITS} for derived domains, got {split!r}")
        if not 0.0 < float(holdout_fraction) < 1.0:
            raise IncompatibleConfigError(f"holdout_fraction must be in (0, 1), got {holdout_fraction}")
        self.base, self.split = base, split
        self.derive_a, self.derive_b = DERIVATIONS[domain_a], DERIVATIONS[domain_b]
        n = len(base)
        order = (
            torch.randperm(n, generator=torch.Generator().manual_seed(int(split_seed))).tolist()
            if split_seed is not None
            else list(range(n))
        )
        n_test = max(1, round(n * float(holdout_fraction)))
        train, test = order[: n - n_test], order[n - n_test :]
        if len(train) < 2 or not test:
            raise EmptyDatasetError(
                f"{n} base images are too few for two training halves and a test split "
                f"(holdout_fraction={holdout_fraction})"
            )
        if split == "train":
            half = len(train) // 2
            self.indices_a, self.indices_b = train[:half], train[half:]
        else:
            self.indices_a = test
            self.indices_b = test[len(test) // 2 :] + test[: len(test) // 2]  # another image at each position
            self.provides = (*UnpairedSampling.provides, "target_b")
        super().__init__(len(self.indices_a), len(self.indices_b), random=split == "train", flip=flip, seed=seed)
        sample = self._base_image(self.indices_a[0])
        if not isinstance(sample, torch.Tensor) or sample.dim() != 3:
            raise IncompatibleConfigError(
                f"DerivedDomains needs an image dataset whose items are (tensor [C, H, W], label); "
                f"{type(base).__name__} gives {type(sample).__name__}"
            )

    def _base_image(self, index: int) -> torch.Tensor:
        return self.base[index][0].float()

    def image_a(self, index: int, generator: torch.Generator | None) -> torch.Tensor:
        return self.derive_a(self._base_image(self.indices_a[index]))

    def image_b(self, index: int, generator: torch.Generator | None) -> torch.Tensor:
        return self.derive_b(self._base_image(self.indices_b[index]))

    def label(self, index_a: int) -> int:
        index = self.indices_a[index_a]
        targets = getattr(self.base, "targets", None)  # BundledMNIST, ImageFolderImages: no second decode
        return int(targets[index]) if targets is not None else int(self.base[index][1])

    def extras(self, index_a: int) -> dict:
        if self.split != "test":
            return {}
        return {"target_b": self.derive_b(self._base_image(self.indices_a[index_a])).contiguous()}


class GrayColorSplit(DerivedDomains):
    """Colourisation without pairs: A = grey versions (BT.601 luminance, kept as 3 channels so
    that the identity loss applies) of one half of a colour image dataset, B = colour images of
    the other half; test items add the true colour image of each grey one (``"target_b"``)."""

    def __init__(
        self,
        base: Dataset,
        split: str = "train",
        holdout_fraction: float = 0.1,
        split_seed: int | None = 0,
        flip: bool = True,
        seed: int = 0,
    ) -> None:
        super().__init__(base, "grayscale", "identity", split, holdout_fraction, split_seed, flip, seed)
        channels = self._base_image(self.indices_a[0]).shape[0]
        if channels != 3:
            raise IncompatibleConfigError(f"GrayColorSplit needs colour (3-channel) base images, got {channels}")
