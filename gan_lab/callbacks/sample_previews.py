"""Saves the module's preview (what G makes of fixed inputs) at regular intervals.

Each task family says what its preview is (:meth:`AdversarialModule.preview`): samples
from a fixed noise batch (noise -> image), or source | output | target rows of a fixed
batch (paired). Images become a grid (``torchvision.utils.save_image``); 2D points
become a scatter plot of generated against real points (matplotlib). One PNG per
interval, ``step_XXXXXX.png`` (G steps), plus ``final.png`` at the end.
"""

from __future__ import annotations

from pathlib import Path

import lightning as L
import torch
from lightning.pytorch.utilities import rank_zero_only
from torch import Tensor
from torchvision.utils import save_image


class SamplePreviews(L.Callback):
    """Args:
    output_dir: folder for the PNG files.
    every_n_g_steps: interval in generator updates (0 disables the periodic files).
    num_real_points: real points drawn in 2D scatter plots.
    """

    def __init__(self, output_dir: str, every_n_g_steps: int = 200, num_real_points: int = 2500) -> None:
        super().__init__()
        self.output_dir = Path(output_dir)
        self.every_n_g_steps = int(every_n_g_steps)
        self.num_real_points = int(num_real_points)

    def on_train_start(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        if pl_module.g_step == 0:
            self.save(trainer, pl_module, "step_000000.png")

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:  # noqa: ANN001
        step = pl_module.g_step
        if self.every_n_g_steps > 0 and step % self.every_n_g_steps == 0:
            self.save(trainer, pl_module, f"step_{step:06d}.png")

    def on_train_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        self.save(trainer, pl_module, "final.png")

    @rank_zero_only
    def save(self, trainer: L.Trainer, pl_module: L.LightningModule, filename: str) -> Path:
        self.output_dir.mkdir(parents=True, exist_ok=True)
        path = self.output_dir / filename
        fake, nrow = pl_module.preview(trainer)
        fake = fake.float().cpu()
        if fake.dim() == 4:
            save_image(fake, path, nrow=nrow, normalize=True, value_range=(-1, 1))
        else:
            self._scatter(fake, self._real_points(trainer), path, pl_module.g_step)
        self._send_to_loggers(trainer, path, pl_module.g_step)
        return path

    @staticmethod
    def _send_to_loggers(trainer: L.Trainer, path: Path, step: int) -> None:
        """The PNG, to the loggers that show images (W&B, TensorBoard)."""
        from lightning.pytorch.loggers import TensorBoardLogger, WandbLogger
        from torchvision.io import ImageReadMode, read_image

        for logger in trainer.loggers:
            if isinstance(logger, WandbLogger):
                logger.log_image(key="samples", images=[str(path)], step=step, caption=[path.stem])
            elif isinstance(logger, TensorBoardLogger):
                logger.experiment.add_image("samples", read_image(str(path), ImageReadMode.RGB), global_step=step)

    def _real_points(self, trainer: L.Trainer) -> Tensor | None:
        dataset = getattr(trainer.datamodule, "train_dataset", None) if trainer.datamodule else None
        if dataset is None:
            return None
        n = min(self.num_real_points, len(dataset))
        return torch.stack([dataset[i][0] for i in range(n)])

    @staticmethod
    def _scatter(fake: Tensor, real: Tensor | None, path: Path, step: int) -> None:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(5, 5), dpi=100)
        if real is not None:
            ax.scatter(real[:, 0], real[:, 1], s=4, c="tab:blue", alpha=0.5, label="real")
        ax.scatter(fake[:, 0], fake[:, 1], s=4, c="tab:red", alpha=0.5, label="generated")
        ax.set_title(f"generator step {step}")
        ax.set_aspect("equal")
        ax.legend(loc="upper right", markerscale=3)
        fig.tight_layout()
        fig.savefig(path)
        plt.close(fig)
