"""2D Gaussian mixtures: distinct means, std and component assignment."""

import math

import torch

from gan_lab.datasets.mixtures import GaussianMixture2D, GridMixture, RingMixture, grid_means, ring_means


def test_ring_means_distinct_on_circle():
    means = ring_means(8, radius=2.0)
    assert means.shape == (8, 2)
    assert len(torch.unique(means.round(decimals=4), dim=0)) == 8
    assert torch.allclose(means.norm(dim=1), torch.full((8,), 2.0))
    assert torch.allclose(means[2], torch.tensor([0.0, 2.0]), atol=1e-6)
    # neighbours all 2*pi/8 apart
    gaps = (means - means.roll(1, 0)).norm(dim=1)
    assert torch.allclose(gaps, torch.full((8,), 2 * 2.0 * math.sin(math.pi / 8)), atol=1e-5)


def test_grid_means_all_pairs():
    means = grid_means()
    assert means.shape == (25, 2)
    assert len(torch.unique(means, dim=0)) == 25
    assert set(means[:, 0].tolist()) == {-4.0, -2.0, 0.0, 2.0, 4.0}


def _nearest(points, means):
    return torch.cdist(points, means).argmin(dim=1)


def test_ring_mixture_samples():
    data = RingMixture(std=0.02, num_samples=20_000, seed=1)
    assert len(data) == 20_000 and data.num_classes == 8 and data.data_kind == "points"
    point, label = data[0]
    assert point.shape == (2,) and point.dtype == torch.float32 and isinstance(label, int)
    residual = data.points - data.means[data.targets]
    assert abs(residual.std().item() - 0.02) < 0.001
    assert torch.equal(_nearest(data.points, data.means), data.targets)
    counts = torch.bincount(data.targets, minlength=8).float()
    assert counts.min() > 0.9 * counts.mean()  # equal weights


def test_grid_mixture_samples():
    data = GridMixture(num_samples=20_000)
    assert data.num_classes == 25 and data.std == 0.05
    residual = data.points - data.means[data.targets]
    assert abs(residual.std().item() - 0.05) < 0.002
    assert torch.equal(_nearest(data.points, data.means), data.targets)
    assert torch.bincount(data.targets, minlength=25).min() > 0


def test_seed_makes_it_reproducible():
    means = ring_means()
    a = GaussianMixture2D(means, 0.1, num_samples=100, seed=3)
    torch.manual_seed(123)  # the global RNG must not matter
    b = GaussianMixture2D(means, 0.1, num_samples=100, seed=3)
    c = GaussianMixture2D(means, 0.1, num_samples=100, seed=4)
    assert torch.equal(a.points, b.points) and not torch.equal(a.points, c.points)


def test_batched_fetch_gives_the_per_item_batches():
    """The DataLoader uses ``__getitems__``; its batches must equal those built item by item."""
    from torch.utils.data import DataLoader, Dataset

    class ItemByItem(Dataset):  # the same data without __getitems__
        def __init__(self, inner):
            self.inner = inner

        def __len__(self):
            return len(self.inner)

        def __getitem__(self, i):
            return self.inner[i]

    data = GridMixture(num_samples=500, seed=1)
    indices = [7, 3, 499, 0, 3]
    items = data.__getitems__(indices)
    assert [int(t) for _, t in items] == [int(data.targets[i]) for i in indices]
    assert all(isinstance(t, int) for _, t in items)

    def batches(dataset):
        return list(DataLoader(dataset, batch_size=64, shuffle=True, generator=torch.Generator().manual_seed(0)))

    fast, slow = batches(data), batches(ItemByItem(data))
    assert len(fast) == len(slow) == 8
    for (x1, y1), (x2, y2) in zip(fast, slow):
        assert torch.equal(x1, x2) and torch.equal(y1, y2) and y1.dtype == torch.int64
