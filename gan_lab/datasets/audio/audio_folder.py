"""A folder of speech clips for vocoder training: random fixed-length segments of each clip."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import torch
from torch import Tensor
from torch.utils.data import Dataset

from gan_lab.datasets.audio.decode import AUDIO_SUFFIXES, AudioReadError, read_audio
from gan_lab.datasets.resumable_sampler import item_generator
from gan_lab.errors import DatasetNotFoundError, EmptyDatasetError, IncompatibleConfigError

SPLITS = ("train", "test", "all")


def find_clips(root: Path) -> list[Path]:
    """The LJSpeech layout (``wavs/`` + ``metadata.csv``: clips in the metadata's order), else every
    WAV/FLAC file under ``root``, sorted by path."""
    metadata, wavs = root / "metadata.csv", root / "wavs"
    if metadata.is_file() and wavs.is_dir():
        ids = [line.split("|", 1)[0].strip() for line in metadata.read_text(encoding="utf-8").splitlines()]
        paths = [wavs / f"{clip_id}.wav" for clip_id in ids if clip_id]
        missing = [p.name for p in paths if not p.is_file()]
        if missing:
            raise DatasetNotFoundError(
                f"{metadata} lists {len(missing)} clip(s) missing from {wavs}: {', '.join(missing[:3])}"
                + (", ..." if len(missing) > 3 else "")
            )
        return paths
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in AUDIO_SUFFIXES)


def holdout_split(paths: list[Path], holdout_fraction: float, split: str) -> list[Path]:
    """``train``: all but the last ``round(n x holdout_fraction)`` clips (at least one when the fraction
    is > 0); ``test``: those last clips; ``all``: every clip."""
    if split not in SPLITS:
        raise IncompatibleConfigError(f"dataset split must be one of {SPLITS}, got {split!r}")
    if not 0.0 <= float(holdout_fraction) < 1.0:
        raise IncompatibleConfigError(f"dataset.holdout_fraction must be in [0, 1), got {holdout_fraction}")
    n = len(paths)
    n_test = max(round(n * holdout_fraction), 1) if holdout_fraction > 0 and n > 1 else 0
    return {"train": paths[: n - n_test], "test": paths[n - n_test :], "all": paths}[split]


class AudioFolder(Dataset):
    """Clips of a folder (or an LJSpeech-layout corpus), as ``{"audio": float32 [1, segment_length]}``.

    Args:
        root: the folder. sample_rate: every clip is resampled to it.
        segment_length: samples per item, a random segment of the clip; a shorter clip is zero-padded
            at the end (HiFi-GAN). ``None``: whole clips (batch size 1).
        split, holdout_fraction: ``train`` / ``test`` / ``all``; the last clips are held out.
        skip_corrupt: every file is decoded once at start-up; one that fails stops the run with its
            name, or with ``True`` is skipped and counted (``self.skipped``). Never mid-training.
        peak_normalize: scale each clip to this peak (HiFi-GAN and MelGAN: 0.95); ``None``: as is.
        cache: keep the decoded (resampled) clips in memory instead of reading a file per item.
        random_segments: ``False`` takes every clip's first segment (evaluation); default: random
            segments for ``train``, first segments otherwise.
    """

    data_kind = "audio"
    provides = ("audio",)

    def __init__(
        self,
        root: str | None,
        sample_rate: int = 22050,
        segment_length: int | None = 8192,
        split: str = "train",
        holdout_fraction: float = 0.1,
        skip_corrupt: bool = False,
        peak_normalize: float | None = 0.95,
        cache: bool = False,
        random_segments: bool | None = None,
    ) -> None:
        if root is None:
            raise DatasetNotFoundError("dataset.root is not set: point to your audio with dataset.root=/path/to/clips")
        self.root = Path(str(root)).expanduser().resolve()
        if not self.root.is_dir():
            raise DatasetNotFoundError(f"audio folder {self.root} does not exist; set dataset.root=/path/to/clips")
        self.sample_rate = int(sample_rate)
        self.segment_length = None if segment_length is None else int(segment_length)
        self.peak_normalize = peak_normalize
        self.random_segments = split == "train" if random_segments is None else bool(random_segments)
        paths = holdout_split(find_clips(self.root), float(holdout_fraction), split)
        if not paths:
            raise EmptyDatasetError(f"no WAV/FLAC clips ({split} split) under {self.root}")
        self.paths, self.skipped, self.lengths = [], [], []
        clips = []
        for path in paths:
            try:
                samples, _ = read_audio(path, self.sample_rate)
            except AudioReadError as err:
                if not skip_corrupt:
                    raise AudioReadError(f"{err}. Remove it, or set dataset.skip_corrupt=true to skip it") from None
                self.skipped.append(str(path))
                continue
            self.paths.append(path)
            self.lengths.append(len(samples))
            if cache:
                clips.append(self._normalized(samples))
        self._cache = clips if cache else None
        if self.skipped:
            warnings.warn(
                f"skipped {len(self.skipped)} undecodable audio file(s) under {self.root}: "
                + ", ".join(Path(p).name for p in self.skipped[:3])
                + (", ..." if len(self.skipped) > 3 else ""),
                stacklevel=2,
            )
        if not self.paths:
            raise EmptyDatasetError(
                f"all {len(self.skipped)} audio files ({split} split) under {self.root} are corrupt"
            )

    @property
    def names(self) -> list[str]:
        return [p.stem for p in self.paths]

    def __len__(self) -> int:
        return len(self.paths)

    def _normalized(self, samples: np.ndarray) -> np.ndarray:
        if self.peak_normalize is None:
            return samples
        peak = float(np.abs(samples).max())
        return samples * (float(self.peak_normalize) / peak) if peak > 0 else samples

    def clip(self, index: int) -> Tensor:
        """The whole clip ``index``, float32 ``[1, T]`` (resampled, peak-normalised)."""
        if self._cache is not None:
            samples = self._cache[index]
        else:
            samples = self._normalized(read_audio(self.paths[index], self.sample_rate)[0])
        return torch.from_numpy(np.array(samples, dtype=np.float32)).unsqueeze(0)

    def __getitem__(self, index: int) -> dict[str, Tensor]:
        audio = self.clip(index)
        return {"audio": take_segment(audio, self.segment_length, self.random_segments, index)}


def take_segment(audio: Tensor, length: int | None, random: bool, index: int = 0) -> Tensor:
    """``[1, length]``: a random (or the first) segment of ``audio [1, T]``, zero-padded when shorter.
    The random start is drawn from :func:`item_generator` of the sampler's ``index``, not from the
    global RNG, so that a resumed run cuts the same segments as an uninterrupted one."""
    if length is None:
        return audio
    total = audio.shape[-1]
    if total < length:
        return torch.nn.functional.pad(audio, (0, length - total))
    start = int(torch.randint(0, total - length + 1, (), generator=item_generator(index))) if random else 0
    return audio[:, start : start + length]
