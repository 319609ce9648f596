"""Reading audio files: any rate, mono, float32 in [-1, 1].

``soundfile`` (libsndfile) decodes WAV and FLAC in 8/16/24/32-bit integer and float formats,
scaled to [-1, 1]; channels are averaged to mono; other rates are resampled with
``scipy.signal.resample_poly`` (polyphase, Kaiser-windowed anti-aliasing filter).
"""

from __future__ import annotations

from math import gcd
from pathlib import Path

import numpy as np

from gan_lab.errors import GanLabError

AUDIO_SUFFIXES = (".wav", ".flac")


class AudioReadError(GanLabError):
    """An audio file is empty, corrupt or in a format soundfile cannot decode."""


def read_audio(path: str | Path, sample_rate: int | None = None) -> tuple[np.ndarray, int]:
    """``(float32 mono samples, rate)``, resampled to ``sample_rate`` when given."""
    import soundfile

    try:
        data, rate = soundfile.read(str(path), dtype="float32", always_2d=True)
    except Exception as err:  # noqa: BLE001  (LibsndfileError, RuntimeError, ValueError: any is a bad file)
        raise AudioReadError(f"cannot decode audio file {path} ({type(err).__name__}: {err})") from None
    if data.shape[0] == 0:
        raise AudioReadError(f"audio file {path} holds no samples")
    mono = data.mean(axis=1) if data.shape[1] > 1 else data[:, 0]
    if not np.isfinite(mono).all():
        raise AudioReadError(f"audio file {path} holds NaN or infinite samples")
    if sample_rate is not None and int(rate) != int(sample_rate):
        mono, rate = resample(mono, int(rate), int(sample_rate)), int(sample_rate)
    return np.ascontiguousarray(mono, dtype=np.float32), int(rate)


def resample(samples: np.ndarray, rate: int, target_rate: int) -> np.ndarray:
    from scipy.signal import resample_poly

    common = gcd(rate, target_rate)
    return resample_poly(samples, target_rate // common, rate // common).astype(np.float32)


def write_wav(path: str | Path, samples: np.ndarray, sample_rate: int) -> None:
    """16-bit PCM WAV of float samples in [-1, 1] (clipped)."""
    import soundfile

    soundfile.write(
        str(path), np.clip(np.asarray(samples, dtype=np.float32), -1.0, 1.0), int(sample_rate), subtype="PCM_16"
    )
