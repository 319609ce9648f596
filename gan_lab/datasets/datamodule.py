"""Wraps any map-style dataset of ``(sample, label)`` pairs for GAN training."""

from __future__ import annotations

import lightning as L
from torch.utils.data import DataLoader, Dataset

from gan_lab.errors import EmptyDatasetError


class GANDataModule(L.LightningDataModule):
    """Serves ``batches_per_step * batch_size`` real samples per training step.

    A training step performs ``n_critic`` discriminator updates, each on a fresh
    real batch, so the loader hands the module all of them at once
    (``batches_per_step = n_critic``) and the module splits them. Under DDP,
    Lightning adds a ``DistributedSampler``: each rank sees a different shard.
    """

    def __init__(self, dataset: Dataset, batch_size: int = 64, batches_per_step: int = 1, num_workers: int = 0) -> None:
        super().__init__()
        self.train_dataset = dataset
        self.batch_size = int(batch_size)
        self.batches_per_step = int(batches_per_step)
        self.num_workers = int(num_workers)
        needed = self.batch_size * self.batches_per_step
        if len(dataset) < needed:
            raise EmptyDatasetError(
                f"the dataset holds {len(dataset)} samples but one training step needs "
                f"batch_size x n_critic = {self.batch_size} x {self.batches_per_step} = {needed}; "
                "lower data.batch_size or add data"
            )

    def train_dataloader(self) -> DataLoader:
        return DataLoader(
            self.train_dataset,
            batch_size=self.batch_size * self.batches_per_step,
            shuffle=True,
            drop_last=True,
            num_workers=self.num_workers,
            persistent_workers=self.num_workers > 0,
        )
