"""Generated harmonic tones: an offline audio dataset for tests and quick runs (no files).

Each clip ``i`` is a deterministic function of ``(seed, i)``: a fundamental between ``f0_range``
Hz with a slow vibrato, its first harmonics with decaying amplitudes, and a raised-cosine
fade in and out. A vocoder learns such tones in a few hundred CPU steps.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor
from torch.utils.data import Dataset

from gan_lab.datasets.audio.audio_folder import take_segment


class SyntheticTones(Dataset):
    """Args: ``num_clips``, ``sample_rate``, ``clip_seconds``, ``segment_length`` (random segments
    for ``split="train"``), ``f0_range``, ``harmonics``, ``seed``; ``split`` ``test`` draws clips
    from another seed. Items: ``{"audio": float32 [1, segment_length]}`` with peak 0.95."""

    data_kind = "audio"
    provides = ("audio",)

    def __init__(
        self,
        num_clips: int = 64,
        sample_rate: int = 22050,
        clip_seconds: float = 1.0,
        segment_length: int | None = 8192,
        f0_range: tuple[float, float] = (110.0, 440.0),
        harmonics: int = 4,
        seed: int = 0,
        split: str = "train",
    ) -> None:
        self.num_clips, self.sample_rate = int(num_clips), int(sample_rate)
        self.clip_samples = round(clip_seconds * sample_rate)
        self.segment_length = None if segment_length is None else int(segment_length)
        self.f0_range, self.harmonics = (float(f0_range[0]), float(f0_range[1])), int(harmonics)
        self.seed = int(seed) + (0 if split == "train" else 1_000_003)
        self.random_segments = split == "train"
        self.names = [f"tone_{i:04d}" for i in range(self.num_clips)]

    def __len__(self) -> int:
        return self.num_clips

    def clip(self, index: int) -> Tensor:
        g = torch.Generator().manual_seed(self.seed * 100_003 + index)
        low, high = self.f0_range
        f0 = low * (high / low) ** float(torch.rand((), generator=g))
        vibrato_hz, depth = 3.0 + 4.0 * float(torch.rand((), generator=g)), 0.02 * f0
        t = torch.arange(self.clip_samples, dtype=torch.float64) / self.sample_rate
        phase = 2 * math.pi * (f0 * t - depth / (2 * math.pi * vibrato_hz) * torch.cos(2 * math.pi * vibrato_hz * t))
        wave = sum(torch.sin(k * phase) / k**1.5 for k in range(1, self.harmonics + 1))
        fade = torch.clamp(t / 0.05, max=1.0) * torch.clamp((t[-1] - t) / 0.05, max=1.0)
        wave = wave * (0.5 - 0.5 * torch.cos(math.pi * fade))
        wave = 0.95 * wave / wave.abs().max()
        return wave.float().unsqueeze(0)

    def __getitem__(self, index: int) -> dict[str, Tensor]:
        return {"audio": take_segment(self.clip(index), self.segment_length, self.random_segments, index)}
