"""Unpaired image-to-image datasets (CycleGAN): items are dicts ``{"image_a", "image_b", "label"}``
(+ ``"target_b"``, the true B version of ``image_a``, where a benchmark knows it), float32 in [-1, 1]."""

from __future__ import annotations

from gan_lab.datasets.unpaired.derived_domains import DerivedDomains, GrayColorSplit, grayscale, invert
from gan_lab.datasets.unpaired.folders import UnpairedFolders
from gan_lab.datasets.unpaired.sampling import UnpairedSampling

__all__ = ["DerivedDomains", "GrayColorSplit", "UnpairedFolders", "UnpairedSampling", "grayscale", "invert"]
