"""Paired metrics (gan_lab.metrics.paired): agreement with scikit-image on real photos, the Y channel
and border conventions, hole metrics against hand computations, LPIPS from a backbone file."""

import logging

import numpy as np
import pytest
import torch

from gan_lab.errors import GanLabError
from gan_lab.metrics.paired import ImageConvention, PairedScores, hole, lpips, rgb_to_y, similarity

skimage = pytest.importorskip("skimage")
from skimage import data as skdata  # noqa: E402
from skimage.metrics import peak_signal_noise_ratio, structural_similarity  # noqa: E402


def _degraded(image: np.ndarray, seed: int) -> np.ndarray:
    """The photo with Gaussian noise and a slight shift: a realistic imperfect output."""
    rng = np.random.default_rng(seed)
    noisy = image.astype(np.float64) + rng.normal(0, 12, image.shape)
    return np.clip(np.roll(noisy, 1, axis=1), 0, 255).round().astype(np.uint8)


def _tensor(array: np.ndarray) -> torch.Tensor:
    """HWC or HW uint8 -> [1, C, H, W]."""
    t = torch.from_numpy(array)
    return (t.unsqueeze(0) if t.dim() == 2 else t.permute(2, 0, 1)).unsqueeze(0).contiguous()


PHOTOS = {
    "astronaut": lambda: skdata.astronaut()[100:260, 140:300],  # RGB
    "coffee": lambda: skdata.coffee()[120:280, 200:360],  # RGB
    "camera": lambda: skdata.camera()[60:220, 180:340],  # grey
}


@pytest.mark.parametrize("name", sorted(PHOTOS))
def test_psnr_and_ssim_agree_with_scikit_image_on_real_photos(name):
    target = PHOTOS[name]()
    output = _degraded(target, seed=len(name))
    channel_axis = -1 if target.ndim == 3 else None
    ref_psnr = peak_signal_noise_ratio(target, output, data_range=255)
    ref_ssim = structural_similarity(
        target,
        output,
        data_range=255,
        gaussian_weights=True,
        sigma=1.5,
        use_sample_covariance=False,
        channel_axis=channel_axis,
    )
    conv = ImageConvention("rgb", 0)
    out, tgt = conv.prepare(_tensor(output)), conv.prepare(_tensor(target))
    ours_psnr = float(similarity.psnr(out, tgt)[0])
    ours_ssim = float(similarity.ssim(out, tgt)[0])
    assert ours_psnr == pytest.approx(ref_psnr, rel=1e-4)
    assert ours_ssim == pytest.approx(ref_ssim, abs=1e-3)
    assert 15 < ref_psnr < 35 and 0.2 < ref_ssim < 0.95  # a real, imperfect pair: not a degenerate case


def test_y_channel_is_matlab_bt601_and_agrees_with_scikit_image():
    from skimage.color import rgb2ycbcr

    rgb = PHOTOS["astronaut"]()
    expected = rgb2ycbcr(rgb)[..., 0]  # MATLAB's formula, Y in [16, 235]
    y = rgb_to_y(_tensor(rgb))[0, 0].numpy()
    assert np.allclose(y, expected, atol=1e-9)
    corners = torch.tensor([[[[0]], [[0]], [[0]]], [[[255]], [[255]], [[255]]]], dtype=torch.uint8)
    assert rgb_to_y(corners).flatten().tolist() == pytest.approx([16.0, 235.0])
    # PSNR on Y against scikit-image on the same Y images (data range 255, as BasicSR)
    output = _degraded(rgb, seed=3)
    conv = ImageConvention("y", 0)
    ours = float(similarity.psnr(conv.prepare(_tensor(output)), conv.prepare(_tensor(rgb)))[0])
    ref = peak_signal_noise_ratio(rgb2ycbcr(rgb)[..., 0], rgb2ycbcr(output)[..., 0], data_range=255)
    assert ours == pytest.approx(ref, rel=1e-4)
    assert conv.options(3)["channel"] == "Y" and conv.options(1)["channel"] == "grey"


def test_crop_border_removes_exactly_the_border():
    target = torch.full((1, 1, 20, 20), 100, dtype=torch.uint8)
    output = target.clone()
    output[..., :2, :] = 0  # errors only in the 2-pixel top border
    full = ImageConvention("rgb", 0)
    cropped = ImageConvention("rgb", 2)
    assert float(similarity.psnr(full.prepare(output), full.prepare(target))[0]) < 20
    assert float(similarity.psnr(cropped.prepare(output), cropped.prepare(target))[0]) == float("inf")
    assert cropped.prepare(target).shape[-2:] == (16, 16)
    assert ImageConvention.from_settings("rgb", "auto", 4).crop_border == 4
    assert ImageConvention.from_settings("rgb", "auto", 1).crop_border == 0
    assert ImageConvention.from_settings("RGB", 3, 4).crop_border == 3
    with pytest.raises(GanLabError, match="leaves nothing"):
        ImageConvention("rgb", 10).prepare(target)
    with pytest.raises(GanLabError, match="choose rgb or y"):
        ImageConvention("ycbcr", 0)


def test_hole_metrics_count_only_the_hole():
    target = torch.zeros(2, 3, 4, 4, dtype=torch.uint8)
    output = target.clone()
    mask = torch.zeros(2, 1, 4, 4)
    mask[:, :, 1:3, 1:3] = 1  # 4 hole pixels per image
    output[0, :, 1:3, 1:3] = 51  # hole error 51 = 0.2 of the range on every hole pixel
    output[1, 0, 1, 1] = 255  # one hole pixel of one channel fully wrong ...
    output[:, :, 0, 0] = 200  # ... and errors outside the hole, which must not count
    l1 = hole.hole_l1(output, target, mask)
    assert l1.tolist() == pytest.approx([0.2, 1.0 / 12.0])  # image 1: 255 / 255 over 4 pixels x 3 channels
    psnr = hole.hole_psnr(output, target, mask)
    assert psnr.tolist() == pytest.approx([10 * np.log10(255**2 / 51**2), 10 * np.log10(255**2 / (255**2 / 12))])
    # PairedScores averages per image
    scores = PairedScores(["hole_l1", "hole_psnr"], ImageConvention())
    scores.update(output, target, mask)
    assert scores.values()["hole_l1"] == pytest.approx((0.2 + 1 / 12) / 2)
    assert scores.count("hole_l1") == 2
    with pytest.raises(GanLabError, match="needs masks"):
        scores.update(output, target, None)


def test_scores_accumulate_pairs_of_different_sizes_as_a_mean_over_images():
    rng = torch.Generator().manual_seed(0)
    a = torch.randint(0, 256, (1, 3, 16, 16), generator=rng, dtype=torch.uint8)
    b = torch.randint(0, 256, (1, 3, 24, 20), generator=rng, dtype=torch.uint8)
    scores = PairedScores(["psnr", "ssim"], ImageConvention())
    scores.update(a, a.flip(-1))
    scores.update(b, b.flip(-2))
    conv = ImageConvention()
    each = [float(similarity.psnr(conv.prepare(x), conv.prepare(y))[0]) for x, y in ((a, a.flip(-1)), (b, b.flip(-2)))]
    assert scores.values()["psnr"] == pytest.approx(sum(each) / 2)
    opts = scores.options("ssim")
    assert (opts["kernel_size"], opts["sigma"], opts["data_range"], opts["channel"]) == (11, 1.5, 255.0, "RGB")


def test_ms_ssim_needs_large_images_and_is_one_on_identical_ones():
    rng = torch.Generator().manual_seed(1)
    big = torch.randint(0, 256, (1, 1, 180, 180), generator=rng, dtype=torch.uint8)
    conv = ImageConvention()
    assert float(similarity.ms_ssim(conv.prepare(big), conv.prepare(big))[0]) == pytest.approx(1.0)
    small = big[..., :64, :64]
    with pytest.raises(GanLabError, match="ms_ssim cannot score"):
        similarity.ms_ssim(conv.prepare(small), conv.prepare(small))


def test_lpips_uses_the_backbone_file_given_by_path(tmp_path):
    import torchvision

    torch.manual_seed(0)
    state = torchvision.models.alexnet().state_dict()
    path = tmp_path / "my_alexnet.pth"  # any name: gan_lab points torchvision at it
    torch.save(state, path)
    hub_before = torch.hub.get_dir()
    scorer = lpips.LPIPS(lpips.resolve_backbone("alex", str(path), False, "lpips_weights"))
    assert torch.hub.get_dir() == hub_before  # restored
    first_conv = scorer.metric.net.net.slice1[0].weight
    assert torch.equal(first_conv, state["features.0.weight"])  # the file's weights, not a download
    rng = torch.Generator().manual_seed(2)
    a = torch.randint(0, 256, (2, 3, 64, 64), generator=rng, dtype=torch.uint8)
    b = torch.randint(0, 256, (2, 3, 64, 64), generator=rng, dtype=torch.uint8)
    assert scorer(a, a).tolist() == [0.0, 0.0]
    assert (scorer(a, b) > 0).all()
    with pytest.raises(GanLabError, match="cannot score"):
        scorer(a[..., :28, :28], b[..., :28, :28])
    with pytest.raises(GanLabError, match="no such file"):
        lpips.resolve_backbone("alex", str(tmp_path / "missing.pth"), False, "lpips_weights")


def test_lpips_without_weights_is_skipped_with_one_warning(tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(lpips, "_warned", False)
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "empty"))
    with caplog.at_level(logging.WARNING):
        assert lpips.resolve_backbone("alex", None, False, "lpips_weights") is None
        assert lpips.resolve_backbone("alex", None, False, "lpips_weights") is None
    warnings = [r for r in caplog.records if "LPIPS backbone weights not found" in r.getMessage()]
    assert len(warnings) == 1 and "lpips_weights=" in warnings[0].getMessage()
    assert "alexnet-owt-7be5be79.pth" in warnings[0].getMessage()
