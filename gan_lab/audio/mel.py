"""The log-mel spectrogram of the vocoder family: one module for G's input and for the loss.

HiFi-GAN's front end (``../shared/reference/variants.md`` §2.9): reflect padding of
``(n_fft - hop) / 2`` on both sides, then an STFT without centring, so a clip of ``T``
samples (a multiple of the hop) gives exactly ``T / hop`` frames and G's output, ``hop``
samples per frame, has the clip's length. Magnitude (not power), Slaney mel filters,
natural log of the magnitude clamped at ``clamp_min``.

G's input uses ``fmax`` (8 kHz); the mel loss uses ``loss_fmax`` (``None``: the full
band up to the Nyquist frequency). Both banks live in one :class:`MelTransform` and share
its STFT, so the data G sees and the loss it is judged by can never disagree. An
acoustic model that feeds this vocoder must produce :meth:`MelTransform.forward`'s mels.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import Tensor, nn


def mel_filter_bank(sample_rate: int, n_fft: int, n_mels: int, fmin: float, fmax: float | None) -> Tensor:
    """``[n_mels, n_fft // 2 + 1]`` Slaney-style mel filters (librosa's default).

    ``librosa.filters.mel`` when librosa is installed; otherwise :func:`slaney_mel_filters`,
    the same formula written out, so that training works without librosa (an optional
    extra: it pulls in numba and scikit-learn). ``tests/test_mel.py`` checks the two agree.
    """
    try:
        from librosa.filters import mel as librosa_mel
    except ImportError:
        return torch.from_numpy(slaney_mel_filters(sample_rate, n_fft, n_mels, fmin, fmax)).float()
    return torch.from_numpy(librosa_mel(sr=sample_rate, n_fft=n_fft, n_mels=n_mels, fmin=fmin, fmax=fmax)).float()


def hz_to_slaney_mel(hz: np.ndarray) -> np.ndarray:
    """Slaney's mel scale: linear below 1 kHz (3 mels per 200 Hz), logarithmic above."""
    hz = np.asarray(hz, dtype=np.float64)
    linear = hz / (200.0 / 3)
    log_step = np.log(6.4) / 27.0
    return np.where(hz >= 1000.0, 15.0 + np.log(np.maximum(hz, 1e-10) / 1000.0) / log_step, linear)


def slaney_mel_to_hz(mel: np.ndarray) -> np.ndarray:
    mel = np.asarray(mel, dtype=np.float64)
    log_step = np.log(6.4) / 27.0
    return np.where(mel >= 15.0, 1000.0 * np.exp(log_step * (mel - 15.0)), mel * (200.0 / 3))


def slaney_mel_filters(sample_rate: int, n_fft: int, n_mels: int, fmin: float, fmax: float | None) -> np.ndarray:
    """Triangular filters between ``n_mels + 2`` points evenly spaced in Slaney mels, each
    scaled to unit area (``2 / bandwidth``). Hand-written only as the fallback without librosa."""
    fmax = sample_rate / 2.0 if fmax is None else float(fmax)
    fft_hz = np.linspace(0.0, sample_rate / 2.0, n_fft // 2 + 1)
    edges = slaney_mel_to_hz(np.linspace(hz_to_slaney_mel(fmin), hz_to_slaney_mel(fmax), n_mels + 2))
    widths = np.diff(edges)
    rising = (fft_hz[None, :] - edges[:-2, None]) / widths[:-1, None]
    falling = (edges[2:, None] - fft_hz[None, :]) / widths[1:, None]
    filters = np.maximum(0.0, np.minimum(rising, falling))
    filters *= (2.0 / (edges[2:] - edges[:-2]))[:, None]
    return filters.astype(np.float32)


class MelTransform(nn.Module):
    """Log-mel spectrograms ``[N, n_mels, T / hop]`` of audio ``[N, 1, T]`` (or ``[N, T]``).

    Args: the STFT (``n_fft``, ``hop_length``, ``win_length``, Hann window), the mel bank
    (``n_mels``, ``fmin``, ``fmax`` for G's input, ``loss_fmax`` for the loss; ``None`` is
    the Nyquist frequency) and ``clamp_min``, the floor of the magnitude before the log.
    The filter banks are rebuilt from these settings, not saved in checkpoints.
    """

    def __init__(
        self,
        sample_rate: int = 22050,
        n_fft: int = 1024,
        hop_length: int = 256,
        win_length: int = 1024,
        n_mels: int = 80,
        fmin: float = 0.0,
        fmax: float | None = 8000.0,
        loss_fmax: float | None = None,
        clamp_min: float = 1e-5,
    ) -> None:
        super().__init__()
        from gan_lab.errors import IncompatibleConfigError

        if win_length > n_fft:
            raise IncompatibleConfigError(f"mel.win_length={win_length} must be <= mel.n_fft={n_fft}")
        if (n_fft - hop_length) % 2:
            raise IncompatibleConfigError(
                f"mel.n_fft - mel.hop_length = {n_fft - hop_length} must be even (the signal is padded by half "
                "of it on each side so that a clip of T samples gives T / hop frames)"
            )
        nyquist = sample_rate / 2
        for name, value in (("fmax", fmax), ("loss_fmax", loss_fmax)):
            if value is not None and not fmin < value <= nyquist:
                raise IncompatibleConfigError(
                    f"mel.{name}={value} must lie in (fmin={fmin}, sample_rate/2={nyquist}]; null means sample_rate/2"
                )
        self.sample_rate, self.n_fft, self.hop_length, self.win_length = sample_rate, n_fft, hop_length, win_length
        self.n_mels, self.fmin, self.fmax, self.loss_fmax, self.clamp_min = n_mels, fmin, fmax, loss_fmax, clamp_min
        self.register_buffer("window", torch.hann_window(win_length), persistent=False)
        self.register_buffer("input_bank", mel_filter_bank(sample_rate, n_fft, n_mels, fmin, fmax), persistent=False)
        self.register_buffer(
            "loss_bank", mel_filter_bank(sample_rate, n_fft, n_mels, fmin, loss_fmax), persistent=False
        )

    def settings(self) -> dict[str, Any]:
        """The settings as plain values (for metric protocols and docs)."""
        keys = ("sample_rate", "n_fft", "hop_length", "win_length", "n_mels", "fmin", "fmax", "loss_fmax", "clamp_min")
        return {key: getattr(self, key) for key in keys} | {"window": "hann", "log": "natural", "padding": "reflect"}

    def frames(self, num_samples: int) -> int:
        return (num_samples - self.hop_length) // self.hop_length + 1

    def magnitude(self, audio: Tensor) -> Tensor:
        """``[N, n_fft // 2 + 1, frames]`` STFT magnitude after HiFi-GAN's reflect padding."""
        if audio.dim() == 3:
            audio = audio.squeeze(1)
        pad = (self.n_fft - self.hop_length) // 2
        padded = torch.nn.functional.pad(audio.unsqueeze(1), (pad, pad), mode="reflect").squeeze(1)
        spec = torch.stft(
            padded.float(),
            self.n_fft,
            hop_length=self.hop_length,
            win_length=self.win_length,
            window=self.window,
            center=False,
            return_complex=True,
        )
        # sqrt(re² + im² + 1e-9) as HiFi-GAN: finite gradients where the spectrum is exactly 0
        return torch.sqrt(spec.real.square() + spec.imag.square() + 1e-9)

    def log_mel(self, magnitude: Tensor, bank: Tensor) -> Tensor:
        return torch.log(torch.clamp(bank @ magnitude, min=self.clamp_min))

    def forward(self, audio: Tensor) -> Tensor:
        """G's input: the ``fmax``-limited log-mel spectrogram."""
        return self.log_mel(self.magnitude(audio), self.input_bank)

    def loss_mel(self, audio: Tensor) -> Tensor:
        """The mel loss's spectrogram (``loss_fmax``, full band by default)."""
        return self.log_mel(self.magnitude(audio), self.loss_bank)
