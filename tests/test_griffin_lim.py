"""The Griffin-Lim baseline (gan_lab.audio.griffin_lim): length and the half-hop framing offset."""

import pytest
import torch

from gan_lab.audio import MelTransform
from gan_lab.datasets.audio import SyntheticTones

pytest.importorskip("librosa")


def test_output_is_frames_x_hop_long_and_aligned_with_the_input():
    from gan_lab.audio.griffin_lim import griffin_lim

    mel = MelTransform()
    x = SyntheticTones(num_clips=1, clip_seconds=1.0, segment_length=None).clip(0)[:, : 86 * 256].view(1, 1, -1)
    y = griffin_lim(mel(x)[0], mel, n_iter=32).view(1, 1, -1)
    assert y.shape == x.shape

    def error(shift):
        return float((mel(torch.roll(y, shift, -1)) - mel(x)).abs().mean())

    # frames are centred on k * hop + hop / 2 (HiFi-GAN's padding), librosa's on k * hop: without the
    # half-hop delay the output would fit best when shifted by 128 samples
    assert error(0) < min(error(-128), error(128))
