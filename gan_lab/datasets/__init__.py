"""Datasets: images (bundled MNIST, torchvision, any image folder), 2D point mixtures, and
paired image -> image data (:mod:`gan_lab.datasets.paired`)."""

from gan_lab.datasets import captions, paired
from gan_lab.datasets.bundled_mnist import BundledMNIST
from gan_lab.datasets.image_folder import ImageFolderImages
from gan_lab.datasets.mixtures import GaussianMixture2D, GridMixture, RingMixture, grid_means, ring_means
from gan_lab.datasets.stacked_mnist import StackedMNIST
from gan_lab.datasets.torchvision_images import TorchvisionImages
from gan_lab.datasets.transforms import image_transform

__all__ = [
    "captions",
    "paired",
    "BundledMNIST",
    "GaussianMixture2D",
    "GridMixture",
    "ImageFolderImages",
    "RingMixture",
    "StackedMNIST",
    "TorchvisionImages",
    "grid_means",
    "image_transform",
    "ring_means",
]
