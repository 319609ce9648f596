"""gan_lab.datasets.datamodule: a dataset too small for one training step is refused, in one
process at construction and under DDP where each process gets its shard."""

from types import SimpleNamespace

import pytest
import torch
from torch.utils.data import TensorDataset

from gan_lab.datasets.datamodule import GANDataModule
from gan_lab.errors import EmptyDatasetError


def points(n):
    return TensorDataset(torch.zeros(n, 2), torch.zeros(n, dtype=torch.long))


def test_one_step_needs_batch_size_times_n_critic_samples():
    with pytest.raises(EmptyDatasetError, match=r"holds 9 samples .* 5 x 2 = 10"):
        GANDataModule(points(9), batch_size=5, batches_per_step=2)
    loader = GANDataModule(points(10), batch_size=5, batches_per_step=2).train_dataloader()
    assert len(loader) == 1 and next(iter(loader))[0].shape == (10, 2)


def test_under_ddp_each_process_needs_a_whole_step():
    """8 samples, batch 4, 2 processes: 4 each, one step; 3 processes: 2 each, no step at all
    (the run would end after 0 G steps with exit status 0)."""
    data = GANDataModule(points(8), batch_size=4)
    data.trainer = SimpleNamespace(global_rank=0, world_size=2)
    assert len(data.train_dataloader()) == 1
    data.trainer = SimpleNamespace(global_rank=1, world_size=3)
    with pytest.raises(EmptyDatasetError, match=r"holds 8 samples, 2 per process on 3 processes.*fewer devices"):
        data.train_dataloader()
