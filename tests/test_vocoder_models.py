"""Vocoder networks: HiFi-GAN / MelGAN generators and the multi-period / multi-scale discriminators."""

import pytest
import torch
from helpers import compose_config
from hydra.utils import instantiate

from gan_lab.errors import IncompatibleConfigError
from gan_lab.models.vocoder import (
    HiFiGANGenerator,
    MelGANGenerator,
    MelGANMultiScaleDiscriminator,
    MultiPeriodDiscriminator,
    MultiScaleDiscriminator,
    fold_by_period,
)


def test_fold_by_period_reflects_a_length_not_divisible_by_the_period():
    x = torch.arange(10.0).view(1, 1, 10)
    folded = fold_by_period(x, 3)  # 10 -> 12 samples: ..., 9, then 8, 7 mirrored
    assert folded.shape == (1, 1, 4, 3)
    assert folded[0, 0, -1].tolist() == [9.0, 8.0, 7.0]
    assert folded[0, 0, 1].tolist() == [3.0, 4.0, 5.0]  # sample t sits at row t // p, column t % p
    assert fold_by_period(torch.arange(12.0).view(1, 1, 12), 3).shape == (1, 1, 4, 3)


@pytest.mark.parametrize("length", [1000, 1001, 1013])
def test_mpd_takes_any_length(length):
    mpd = MultiPeriodDiscriminator(base_channels=2)
    outputs = mpd(torch.randn(2, 1, length))
    assert len(outputs) == 5
    for (logits, features), period in zip(outputs, (2, 3, 5, 7, 11)):
        assert logits.shape[0] == 2 and len(features) == 5
        assert features[0].shape[-1] == period  # the folded width is the period


def test_msd_first_scale_has_spectral_norm_the_others_weight_norm():
    msd = MultiScaleDiscriminator(scales=3, base_channels=4, max_channels=16)
    kinds = [type(d.convs[0].parametrizations.weight[0]).__name__ for d in msd.discriminators]
    assert kinds[0] == "_SpectralNorm" and kinds[1:] == ["_WeightNorm", "_WeightNorm"]
    lengths = [logits.shape[-1] for logits, _ in msd(torch.randn(1, 1, 2048))]
    assert lengths[0] > lengths[1] > lengths[2]  # pooled x2 per scale


@pytest.mark.parametrize(
    "model,parameters",
    [("hifigan_v1", 13.94e6), ("hifigan_v3", 1.46e6), ("melgan", 4.26e6)],  # the papers' generator sizes
)
def test_generators_have_the_published_size_and_hop(model, parameters, tmp_path):
    cfg = compose_config(["task=vocoder", "dataset=tones", f"model=vocoder/{model}"], tmp_path)
    generator = instantiate(cfg.model.generator)
    count = sum(p.numel() for p in generator.parameters())
    assert abs(count - parameters) / parameters < 0.01
    assert generator.hop_length == 256
    assert generator(torch.randn(1, 80, 5)).shape == (1, 1, 5 * 256)


def test_melgan_discriminator_has_the_published_size_and_a_width_cap():
    # MelGAN's D (ndf 16, 4 layers, factor 4): 16.9 M parameters, nearly all in the 1024 x 1024 5-tap conv
    # of each of the 3 sub-Ds (1024 * 1024 * 5 weights + 1024 biases + 1024 weight-norm magnitudes).
    full = MelGANMultiScaleDiscriminator(ndf=16)
    assert abs(sum(p.numel() for p in full.parameters()) - 16.92e6) / 16.92e6 < 0.01
    narrow = MelGANMultiScaleDiscriminator(ndf=4, max_channels=64)
    widths = [feature.shape[1] for feature in narrow(torch.randn(1, 1, 2048))[0][1]]
    assert widths == [4, 16, 64, 64, 64, 64]


def test_tiny_generator_is_tiny():
    g = HiFiGANGenerator(80, 32, [8, 8, 4], [16, 16, 8], "2", [3, 5], [[1, 2], [2, 6]])
    assert sum(p.numel() for p in g.parameters()) < 50_000
    out = g(torch.randn(2, 80, 4))
    assert out.shape == (2, 1, 1024) and out.abs().max() < 1


def test_upsampling_kernels_must_match_the_rates():
    with pytest.raises(IncompatibleConfigError, match="upsample_kernel_sizes"):
        HiFiGANGenerator(upsample_rates=[8, 8, 2, 2], upsample_kernel_sizes=[16, 15, 4, 4])
    with pytest.raises(IncompatibleConfigError, match="even rates"):
        MelGANGenerator(upsample_rates=[8, 8, 4, 1])


def test_weight_init_reaches_the_weight_normed_convs():
    # N(0, 0.01) must be applied before weight_norm: afterwards, in-place init would not change g and v.
    layout = (80, 32, [8, 8, 4], [16, 16, 8], "2", [3, 5], [[1, 2], [2, 6]])
    g = HiFiGANGenerator(*layout, init_std=0.01)
    for conv in (g.fusions[0].blocks[0].convs[0], g.upsamples[0], g.output_conv):
        assert 0.005 < float(conv.weight.std()) < 0.015
    # The default keeps PyTorch's initial weights (what the reference trains with, jik876/hifi-gan#145):
    # kaiming-uniform with a = sqrt(5), std 1 / sqrt(3 fan_in), here 1 / sqrt(3 * 4 * 7) = 0.109.
    torch.manual_seed(0)
    default = HiFiGANGenerator(*layout)
    assert 0.08 < float(default.output_conv.weight.std()) < 0.14


def test_melgan_does_not_start_silent():
    # A log-mel of speech-like level (natural log, clamp 1e-5 = -11.5): G's first output must lie above the
    # clamp, or the mel L1 has no gradient. PyTorch's initial weights (the reference's, in effect) do;
    # N(0, 0.02) under weight norm starts at an output std of about 1e-7.
    torch.manual_seed(0)
    mel = torch.randn(2, 80, 32) - 5.0
    assert float(MelGANGenerator(ngf=8)(mel).std()) > 1e-3
    silent = MelGANGenerator(ngf=8, init_std=0.02)
    assert float(silent(mel).std()) < 1e-5
    first_conv = silent.layers[1]
    assert 0.015 < float(first_conv.weight.std()) < 0.025
