"""Wraps any map-style dataset of ``(sample, label)`` pairs for GAN training."""

from __future__ import annotations

from typing import Any

import lightning as L
import torch
from torch.utils.data import DataLoader, Dataset

from gan_lab.datasets.resumable_sampler import ResumableShuffleSampler
from gan_lab.errors import EmptyDatasetError


class GANDataModule(L.LightningDataModule):
    """Serves ``batches_per_step * batch_size`` real samples per training step.

    A training step performs ``n_critic`` discriminator updates, each on a fresh
    real batch, so the loader hands the module all of them at once
    (``batches_per_step = n_critic``) and the module splits them. Under DDP,
    :class:`ResumableShuffleSampler` gives each rank a different shard (set
    ``trainer.use_distributed_sampler=false``, as ``conf/trainer/default.yaml``
    does). The data module saves its position in checkpoints, so a resumed run
    continues the epoch with the same batches as an uninterrupted run.
    """

    def __init__(
        self, dataset: Dataset, batch_size: int = 64, batches_per_step: int = 1, num_workers: int = 0, seed: int = 0
    ) -> None:
        super().__init__()
        self.seed = int(seed)
        self._resume_position: dict[str, int] | None = None
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
        loader_batch = self.batch_size * self.batches_per_step
        trainer = self.trainer
        sampler = ResumableShuffleSampler(
            len(self.train_dataset),
            loader_batch,
            seed=self.seed,
            rank=trainer.global_rank if trainer else 0,
            world_size=trainer.world_size if trainer else 1,
        )
        if len(sampler) < loader_batch:  # each rank gets len // world_size samples: not one step's worth
            raise EmptyDatasetError(
                f"the dataset holds {len(self.train_dataset)} samples, {len(sampler)} per process on "
                f"{sampler.world_size} processes, but one training step needs batch_size x n_critic = "
                f"{self.batch_size} x {self.batches_per_step} = {loader_batch} on each; lower data.batch_size, "
                "use fewer devices or add data"
            )
        if self._resume_position is not None:
            sampler.set_epoch(self._resume_position["epoch"])
            sampler.skip_batches(self._resume_position["batch"])
            self._resume_position = None
        return DataLoader(
            self.train_dataset,
            batch_size=loader_batch,
            sampler=sampler,
            drop_last=True,
            # Its own generator: creating an iterator (every epoch) then draws the
            # workers' base seed from it instead of from the global RNG, which G's
            # noise uses. Otherwise a resume at an epoch boundary would shift the noise.
            generator=torch.Generator().manual_seed(self.seed),
            num_workers=self.num_workers,
            persistent_workers=self.num_workers > 0,
        )

    def state_dict(self) -> dict[str, Any]:
        """Where the current epoch stands (saved in checkpoints by Lightning)."""
        trainer = self.trainer
        if trainer is None:
            return {}
        return {
            "epoch": trainer.current_epoch,
            # `processed` already counts the batch whose on_train_batch_end is saving.
            "batch": trainer.fit_loop.epoch_loop.batch_progress.current.processed,
            "loader_batch_size": self.batch_size * self.batches_per_step,
        }

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        if state_dict:
            epoch, batch = int(state_dict["epoch"]), int(state_dict["batch"])
            loader_batch = self.batch_size * self.batches_per_step
            # A resume with another loss.n_critic (or batch size) draws batches of another size:
            # continue after the samples already seen.
            batch = batch * int(state_dict.get("loader_batch_size", loader_batch)) // loader_batch
            batches_per_epoch = len(self.train_dataset) // loader_batch
            if batch >= batches_per_epoch:  # saved on the epoch's last batch: continue with the next one
                epoch, batch = epoch + 1, 0
            self._resume_position = {"epoch": epoch, "batch": batch}
