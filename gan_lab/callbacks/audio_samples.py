"""Writes what the vocoder makes of its fixed preview clips as WAV files, at regular intervals.

The audio twin of :class:`gan_lab.callbacks.SamplePreviews` (which saves the spectrogram
images): ``real_NN.wav`` once, then ``step_XXXXXX_NN.wav`` every ``every_n_g_steps`` G steps
and ``final_NN.wav`` at the end. The clips also go to TensorBoard and W&B as audio when those
loggers are active. The module must have ``preview_audio(trainer) -> (real, generated)`` and
``sample_rate`` (:class:`gan_lab.tasks.vocoder.Vocoder`).
"""

from __future__ import annotations

from pathlib import Path

import lightning as L
from lightning.pytorch.utilities import rank_zero_only
from torch import Tensor

from gan_lab.datasets.audio.decode import write_wav


class AudioSamples(L.Callback):
    """Args: ``output_dir`` (the run's ``samples/``), ``every_n_g_steps`` (0: start and end only)."""

    def __init__(self, output_dir: str, every_n_g_steps: int = 200) -> None:
        super().__init__()
        self.output_dir = Path(output_dir)
        self.every_n_g_steps = int(every_n_g_steps)

    def on_train_start(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        real, _ = pl_module.preview_audio(trainer)
        self.write(trainer, pl_module, real, "real")
        if pl_module.g_step == 0:
            self.save(trainer, pl_module, "step_000000")

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:
        step = pl_module.g_step
        if self.every_n_g_steps > 0 and step % self.every_n_g_steps == 0:
            self.save(trainer, pl_module, f"step_{step:06d}")

    def on_train_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        self.save(trainer, pl_module, "final")

    def save(self, trainer: L.Trainer, pl_module: L.LightningModule, prefix: str) -> list[Path]:
        _, generated = pl_module.preview_audio(trainer)
        return self.write(trainer, pl_module, generated, prefix)

    @rank_zero_only
    def write(self, trainer: L.Trainer, pl_module: L.LightningModule, audio: Tensor, prefix: str) -> list[Path]:
        self.output_dir.mkdir(parents=True, exist_ok=True)
        clips = audio.detach().float().cpu().reshape(audio.shape[0], -1)
        rate = int(pl_module.sample_rate)
        paths = []
        for i, clip in enumerate(clips):
            path = self.output_dir / f"{prefix}_{i:02d}.wav"
            write_wav(path, clip.numpy(), rate)
            paths.append(path)
        self._send_to_loggers(trainer, clips, rate, prefix, pl_module.g_step)
        return paths

    @staticmethod
    def _send_to_loggers(trainer: L.Trainer, clips: Tensor, rate: int, prefix: str, step: int) -> None:
        from lightning.pytorch.loggers import TensorBoardLogger, WandbLogger

        tag = "audio/real" if prefix == "real" else "audio/generated"
        for logger in trainer.loggers:
            if isinstance(logger, TensorBoardLogger):
                for i, clip in enumerate(clips):
                    logger.experiment.add_audio(f"{tag}_{i:02d}", clip.unsqueeze(0), step, sample_rate=rate)
            elif isinstance(logger, WandbLogger):
                logger.log_audio(
                    key=tag,
                    audios=[c.numpy() for c in clips],
                    step=step,
                    sample_rate=[rate] * len(clips),
                    caption=[f"{prefix}_{i:02d}" for i in range(len(clips))],
                )
