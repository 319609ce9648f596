"""Griffin-Lim from gan_lab's log-mels: the classic non-learned vocoder, the benchmark's baseline.

librosa does the work (``librosa.feature.inverse.mel_to_stft``: a non-negative least-squares
inversion of the mel filter bank, then ``librosa.griffinlim``: phase by alternating projections).
Only the framing is ours: :class:`~gan_lab.audio.MelTransform` frame ``k`` is centred on sample
``k x hop + hop / 2`` (HiFi-GAN's padding), librosa's centred frame ``k`` on ``k x hop``, so the
output is delayed by half a hop to line up with the input.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor

from gan_lab.audio.mel import MelTransform
from gan_lab.errors import GanLabError


def griffin_lim(log_mel: Tensor, mel: MelTransform, n_iter: int = 60, length: int | None = None) -> Tensor:
    """Audio ``[1, T]`` (``T = frames x hop`` unless ``length``) from one log-mel ``[n_mels, frames]``
    made by ``mel`` (its G-input bank: ``fmax``)."""
    try:
        import librosa
    except ImportError:
        raise GanLabError("the Griffin-Lim baseline needs librosa: pip install librosa") from None
    magnitude_mel = np.exp(log_mel.detach().double().cpu().numpy())
    linear = librosa.feature.inverse.mel_to_stft(
        magnitude_mel, sr=mel.sample_rate, n_fft=mel.n_fft, power=1.0, fmin=mel.fmin, fmax=mel.fmax
    )
    frames = log_mel.shape[-1]
    audio = librosa.griffinlim(
        linear, n_iter=n_iter, hop_length=mel.hop_length, win_length=mel.win_length, center=True, random_state=0
    )  # (frames - 1) x hop samples
    target = frames * mel.hop_length
    audio = np.concatenate([np.zeros(mel.hop_length // 2), audio])[:target]
    audio = np.pad(audio, (0, target - len(audio)))
    if length is not None:
        audio = np.pad(audio, (0, max(length - len(audio), 0)))[:length]
    return torch.from_numpy(np.clip(audio, -1.0, 1.0).astype(np.float32)).unsqueeze(0)
