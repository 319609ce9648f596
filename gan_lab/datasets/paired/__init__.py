"""Paired image-to-image datasets (pix2pix, super-resolution, inpainting): items are dicts
``{"source", "target", "label"}`` (+ ``"mask"`` for inpainting), float32 in [-1, 1]."""

from __future__ import annotations

from gan_lab.datasets.paired.aligned_folder import AlignedFolderPairs
from gan_lab.datasets.paired.derived_pairs import DerivedPairs, bicubic_downsample, luminance, sobel_edges
from gan_lab.datasets.paired.joint_transforms import PairedCropFlip
from gan_lab.datasets.paired.masks import CenterBoxMask, FreeFormMask, RandomBoxMask
from gan_lab.datasets.paired.parallel_folders import ParallelFolderPairs

__all__ = [
    "AlignedFolderPairs",
    "CenterBoxMask",
    "DerivedPairs",
    "FreeFormMask",
    "PairedCropFlip",
    "ParallelFolderPairs",
    "RandomBoxMask",
    "bicubic_downsample",
    "luminance",
    "sobel_edges",
]
