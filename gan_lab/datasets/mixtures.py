"""2D Gaussian mixtures: the mode-collapse benchmarks of PacGAN and VEEGAN.

A generator that covers every mode of a ring of 8 or a grid of 25 Gaussians
is easy to check by eye and by counting nearest means.
"""

import math

import torch
from torch.utils.data import Dataset

from gan_lab.errors import EmptyDatasetError, GanLabError


def ring_means(num_modes: int = 8, radius: float = 1.0) -> torch.Tensor:
    """``[num_modes, 2]`` means evenly spaced on a circle, starting at (radius, 0).

    Angles are 2*pi*i/num_modes for i < num_modes; ``linspace(0, 2*pi, n)``
    would put the last mean on top of the first.
    """
    angles = torch.arange(num_modes, dtype=torch.float64) * (2 * math.pi / num_modes)
    return (radius * torch.stack([angles.cos(), angles.sin()], dim=1)).float()


def grid_means(values: tuple[float, ...] = (-4, -2, 0, 2, 4)) -> torch.Tensor:
    """``[len(values)**2, 2]`` means at every (x, y) pair of ``values``."""
    v = torch.as_tensor(values, dtype=torch.float32)
    return torch.cartesian_prod(v, v)


class GaussianMixture2D(Dataset):
    """``num_samples`` points from an equal-weight mixture of isotropic Gaussians.

    Points are drawn once, with a local generator, so the dataset is the same
    for a given seed whatever the global RNG state.
    Items: ``(float32 [2] point, int index of the component it was drawn from)``.
    """

    data_kind = "points"

    def __init__(self, means: torch.Tensor, std: float, num_samples: int = 100_000, seed: int = 0):
        means = torch.as_tensor(means, dtype=torch.float32)
        if means.ndim != 2 or means.shape[1] != 2 or len(means) == 0:
            raise GanLabError(f"mixture means must have shape [K, 2] with K >= 1, got {tuple(means.shape)}")
        if std < 0:
            raise GanLabError(f"mixture std must be >= 0, got {std}")
        if num_samples < 1:
            raise EmptyDatasetError(f"mixture num_samples must be >= 1, got {num_samples}")
        self.means, self.std = means, float(std)
        self.num_classes = len(means)
        gen = torch.Generator().manual_seed(seed)
        self.targets = torch.randint(len(means), (num_samples,), generator=gen)
        self.points = means[self.targets] + self.std * torch.randn(num_samples, 2, generator=gen)

    def __len__(self) -> int:
        return len(self.points)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, int]:
        return self.points[index], int(self.targets[index])

    def __getitems__(self, indices: list[int]) -> list[tuple[torch.Tensor, int]]:
        """A whole batch's items from one indexing op: the DataLoader calls this instead of
        ``__getitem__`` once per point (the MLP steps are short enough for that to show)."""
        index = torch.as_tensor(indices, dtype=torch.long)
        return list(zip(self.points[index].unbind(0), self.targets[index].tolist()))


class RingMixture(GaussianMixture2D):
    """Gaussians on a circle (8 modes, std 0.01 by default)."""

    def __init__(
        self, std: float = 0.01, radius: float = 1.0, num_samples: int = 100_000, seed: int = 0, num_modes: int = 8
    ):
        super().__init__(ring_means(num_modes, radius), std, num_samples, seed)


class GridMixture(GaussianMixture2D):
    """A 5x5 grid of Gaussians at {-4, -2, 0, 2, 4}^2 (std 0.05 by default)."""

    def __init__(self, std: float = 0.05, num_samples: int = 100_000, seed: int = 0):
        super().__init__(grid_means(), std, num_samples, seed)
