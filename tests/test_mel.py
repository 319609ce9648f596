"""The vocoder's mel front end (gan_lab.audio.MelTransform) against hand computations."""

import math

import numpy as np
import pytest
import torch

from gan_lab.audio.mel import MelTransform, slaney_mel_filters
from gan_lab.errors import IncompatibleConfigError

SR = 22050


def tone(freq: float, seconds: float = 0.5, sr: int = SR) -> torch.Tensor:
    n = int(seconds * sr) // 256 * 256
    return 0.5 * torch.sin(2 * math.pi * freq * torch.arange(n, dtype=torch.float64) / sr).float().view(1, 1, -1)


def test_a_1khz_tone_lands_in_band_26():
    # Slaney mels: 1 kHz is mel 15; 8 kHz is 15 + ln(8) / (ln(6.4) / 27) = 45.245. The 82 band edges are
    # spaced 45.245 / 81 = 0.5586 mels apart and band i is centred on edge i + 1, so 15 / 0.5586 = 26.85
    # puts the tone nearest the centre of band 26 (edge 27 at 15.08 mels).
    mel = MelTransform(sample_rate=SR, fmax=8000.0)
    spectrum = mel(tone(1000.0)).mean(-1)[0]
    assert int(spectrum.argmax()) == 26


def test_the_loss_mels_see_above_fmax_the_input_mels_do_not():
    mel = MelTransform(sample_rate=SR, fmax=8000.0, loss_fmax=None)
    audio = tone(10000.0)
    floor = math.log(1e-5)
    inner = slice(2, -2)  # the first and last frames see the reflect padding's discontinuity (broadband)
    assert mel(audio)[..., inner].max() < floor + 1.0  # nothing of a 10 kHz tone in bands that end at 8 kHz
    assert mel.loss_mel(audio)[..., inner].max() > floor + 5.0


def test_frames_and_silence():
    mel = MelTransform(sample_rate=SR)
    out = mel(torch.zeros(2, 1, 8192))
    assert out.shape == (2, 80, 8192 // 256) and mel.frames(8192) == 32
    assert torch.allclose(out, torch.full_like(out, math.log(1e-5)))  # clamped at 1e-5


def test_matches_a_numpy_stft_written_out():
    """Reflect-pad (n_fft - hop) / 2, Hann-windowed frames every hop, |rfft|, filters, log(max(., 1e-5))."""
    mel = MelTransform(sample_rate=SR, n_fft=512, hop_length=128, win_length=512, n_mels=40, fmax=None)
    rng = np.random.default_rng(0)
    x = rng.normal(0, 0.3, 128 * 20).astype(np.float64)
    padded = np.pad(x, (192, 192), mode="reflect")
    window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(512) / 512)  # periodic Hann, as torch.hann_window
    frames = np.stack([padded[k * 128 : k * 128 + 512] * window for k in range(20)], axis=1)
    magnitude = np.sqrt(np.abs(np.fft.rfft(frames, axis=0)) ** 2 + 1e-9)
    expected = np.log(np.maximum(mel.input_bank.double().numpy() @ magnitude, 1e-5))
    got = mel(torch.from_numpy(x).float().view(1, 1, -1))[0].double().numpy()
    assert got.shape == (40, 20)
    np.testing.assert_allclose(got, expected, atol=2e-4)


def test_fallback_filter_bank_equals_librosa():
    librosa_filters = pytest.importorskip("librosa.filters")
    for fmax in (8000.0, None):
        ours = slaney_mel_filters(SR, 1024, 80, 0.0, fmax)
        theirs = librosa_filters.mel(sr=SR, n_fft=1024, n_mels=80, fmin=0.0, fmax=fmax)
        np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-7)


def test_bad_settings_say_what_to_change():
    with pytest.raises(IncompatibleConfigError, match="fmax=12000"):
        MelTransform(sample_rate=SR, fmax=12000.0)
    with pytest.raises(IncompatibleConfigError, match="must be even"):
        MelTransform(sample_rate=SR, n_fft=1024, hop_length=255, win_length=1024)
