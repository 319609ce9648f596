"""Vocoder metrics (gan_lab.metrics.audio): mel L1 and mel cepstral distortion by hand, protocol records."""

import math

import numpy as np
import pytest
import torch

from gan_lab.audio.mel import MelTransform
from gan_lab.datasets.audio import SyntheticTones
from gan_lab.metrics.audio import mel_cepstral_distortion, mel_l1, speech_quality_available, vocoder_metrics

MEL = MelTransform()


def clip(i=0):
    return SyntheticTones(num_clips=2, segment_length=None).clip(i)


def test_identical_audio_scores_zero():
    x = clip()
    assert mel_l1(x, x, MEL) == 0.0 and mel_cepstral_distortion(x, x, MEL) == 0.0


def test_a_gain_change_moves_every_log_mel_by_ln_gain_and_only_c0():
    # log(mel(a x)) = log(mel(x)) + ln a wherever the clamp is not reached: mel L1 = ln 2, and a constant
    # shift of all bands is c0 alone in an orthonormal DCT, which MCD leaves out. Noise: every band is far
    # above the clamp (a tone leaves most bands at the floor, which a gain does not move)
    x = 0.3 * torch.randn(1, 1, 22050, generator=torch.Generator().manual_seed(0))
    assert mel_l1(0.5 * x, x, MEL) == pytest.approx(math.log(2), rel=0.02)
    assert mel_cepstral_distortion(0.5 * x, x, MEL) < 0.05


def test_mcd_formula_with_a_dct_written_out():
    x, y = clip(0), clip(1)
    n = 80
    k, m = np.arange(n)[:, None], np.arange(n)[None, :]
    dct = np.sqrt(2 / n) * np.cos(np.pi * k * (2 * m + 1) / (2 * n))
    dct[0] /= np.sqrt(2)  # orthonormal DCT-II
    cx = dct @ MEL.loss_mel(x.view(1, 1, -1))[0].double().numpy()
    cy = dct @ MEL.loss_mel(y.view(1, 1, -1))[0].double().numpy()
    expected = 10 / math.log(10) * np.sqrt(2 * ((cx[1:25] - cy[1:25]) ** 2).sum(0)).mean()
    assert mel_cepstral_distortion(x, y, MEL) == pytest.approx(expected, rel=1e-6)


def test_lengths_within_a_hop_are_cut_to_the_shorter():
    x = clip()
    assert mel_l1(x[..., :-100], x, MEL) == 0.0


def test_records_carry_their_protocol():
    x, y = clip(0), clip(1)
    record = vocoder_metrics([x, y], [x, x], ["a", "b"], MEL)
    assert record["protocol"]["clips"] == ["a", "b"] and record["protocol"]["sample_rate"] == 22050
    assert record["protocol"]["mel"]["fmax"] == 8000.0 and "no DTW" in record["protocol"]["mcd"]
    assert record["mean"]["mel_l1"] == pytest.approx(record["per_clip"][1]["mel_l1"] / 2)
    if not any(speech_quality_available().values()):
        assert set(record["mean"]) == {"mel_l1", "mcd_db"}


@pytest.mark.skipif(not speech_quality_available()["stoi"], reason="pystoi not installed")
def test_stoi_of_identical_speech_is_one():
    from gan_lab.metrics.audio import speech_quality

    x = torch.randn(1, 1, 22050) * 0.1
    assert speech_quality(x, x, 22050)["stoi"] == pytest.approx(1.0, abs=1e-3)
