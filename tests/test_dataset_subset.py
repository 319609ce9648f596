"""dataset.subset: a fixed random subset (count or fraction), the same for a seed, through the builder."""

import pytest
import torch
from torch.utils.data import TensorDataset
from zoo_config import build_run, compose_train

from gan_lab.datasets.subset import RandomSubset, subset_size
from gan_lab.errors import IncompatibleConfigError


def test_size_from_a_count_or_a_fraction():
    assert subset_size(1000, 500) == 500 and subset_size(1000, 0.1) == 100 and subset_size(10, 50) == 10
    for bad in (0, -3, 1.5, 1.0 + 1e-9):
        with pytest.raises(IncompatibleConfigError, match="dataset.subset"):
            subset_size(1000, bad)


def test_the_same_items_for_a_seed():
    data = TensorDataset(torch.arange(100))
    a, b, c = RandomSubset(data, 10, seed=0), RandomSubset(data, 10, seed=0), RandomSubset(data, 10, seed=1)
    assert len(a) == 10 and a.indices == b.indices != c.indices
    assert len(set(a.indices)) == 10


def test_builder_trains_on_the_subset(tmp_path):
    cfg = compose_train(["+dataset.subset=64", "data.batch_size=8"], tmp_path)
    datamodule, _, _ = build_run(cfg)
    assert len(datamodule.train_dataset) == 64 and datamodule.train_dataset.num_classes == 10
