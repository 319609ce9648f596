"""The paired image -> image family: term weights by hand, compositing, step order, warm-up,
data contract, previews, and short real runs of pix2pix, SR and inpainting."""

import csv
import functools

import pytest
import torch
import torch.nn.functional as F
from helpers import TINY, compose_config
from torch import nn

from gan_lab.errors import IncompatibleConfigError
from gan_lab.losses import NonSaturatingLoss, RelativisticAverageLoss
from gan_lab.tasks import PairedImageToImage
from gan_lab.train import train

ADAM = functools.partial(torch.optim.Adam, lr=1e-3)


class PixelD(nn.Module):
    """A 1x1-conv D returning a logit map (a PatchGAN of 1-pixel patches)."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.conv = nn.Conv2d(channels, 1, 1)

    def forward(self, x):
        return self.conv(x)


def make_module(**settings):
    source_channels = settings.pop("source_channels", 1)
    g_in = settings.pop("g_in", source_channels)
    d_in = settings.pop("d_in", source_channels + 1)
    torch.manual_seed(0)
    generator = nn.Sequential(nn.Conv2d(g_in, 1, 3, padding=1), nn.Tanh())
    return PairedImageToImage(
        generator,
        PixelD(d_in),
        settings.pop("loss", NonSaturatingLoss()),
        ADAM,
        ADAM,
        source_channels=source_channels,
        target_channels=1,
        **settings,
    )


def batch(n=4, size=8, mask=False):
    torch.manual_seed(1)
    target = torch.rand(n, 1, size, size) * 2 - 1
    out = {"source": target.flip(-1).clone(), "target": target, "label": torch.zeros(n, dtype=torch.long)}
    if mask:
        m = torch.zeros(n, 1, size, size)
        m[..., 2:6, 2:6] = 1
        out["mask"], out["source"] = m, target * (1 - m)
    return out


def test_pix2pix_generator_terms_by_hand():
    module = make_module(pixel_weight=100.0, adversarial_weight=1.0)
    b = batch()
    outputs = module.generator_outputs(b)
    terms = module.generator_terms(b, outputs)
    output = outputs["output"]
    d_fake = module.discriminator(torch.cat([b["source"], output], 1))
    assert torch.allclose(terms["adversarial"], F.softplus(-d_fake).mean())  # BCE(D(source, G(source)), 1)
    assert torch.allclose(terms["l1"], 100.0 * (output - b["target"]).abs().mean())
    assert set(terms) == {"adversarial", "l1"}


def test_pix2pix_discriminator_loss_is_halved_bce_on_pairs():
    module = make_module(discriminator_weight=0.5)
    b = batch()
    outputs = {"output": module.generator_outputs(b)["output"].detach()}
    terms = module.discriminator_terms(b, outputs)
    real = module.discriminator(torch.cat([b["source"], b["target"]], 1))
    fake = module.discriminator(torch.cat([b["source"], outputs["output"]], 1))
    bce = F.binary_cross_entropy_with_logits
    expected = 0.5 * (bce(real, torch.ones_like(real)) + bce(fake, torch.zeros_like(fake)))
    assert torch.allclose(terms["loss"], expected)


def test_super_resolution_terms_by_hand_relativistic():
    """ESRGAN: pixel L1 x 1e-2 + RaGAN x 5e-3, D on the HR image only (no condition)."""
    module = make_module(
        loss=RelativisticAverageLoss(),
        discriminator_condition=(),
        d_in=1,
        pixel_weight=1e-2,
        adversarial_weight=5e-3,
    )
    b = batch()
    outputs = module.generator_outputs(b)
    terms = module.generator_terms(b, outputs)
    fake, real = module.discriminator(outputs["output"]), module.discriminator(b["target"])
    delta_fake, delta_real = fake - real.mean(), real - fake.mean()
    ragan_g = 0.5 * (F.softplus(-delta_fake).mean() + F.softplus(delta_real).mean())
    assert torch.allclose(terms["adversarial"], 5e-3 * ragan_g)
    assert torch.allclose(terms["l1"], 1e-2 * (outputs["output"] - b["target"]).abs().mean())


def test_inpainting_loss_is_on_the_hole_and_output_keeps_known_pixels():
    module = make_module(
        generator_inputs=("source", "mask"),
        g_in=2,
        discriminator_condition=("mask",),
        d_in=2,
        composite_mask=True,
        pixel_loss="l2",
        pixel_weight=0.999,
        pixel_region="hole",
        adversarial_weight=1e-3,
    )
    b = batch(mask=True)
    outputs = module.generator_outputs(b)
    output, mask = outputs["output"], b["mask"]
    # compositing: known pixels are the source's (= the target's), exactly
    assert torch.equal(output * (1 - mask), b["target"] * (1 - mask))
    raw = module.generator(torch.cat([b["source"], mask], 1))
    assert torch.equal(output * mask, raw * mask)
    terms = module.generator_terms(b, outputs)
    hole_mse = ((raw - b["target"]) ** 2 * mask).sum() / mask.sum()
    assert torch.allclose(terms["l2"], 0.999 * hole_mse)
    d_fake = module.discriminator(torch.cat([mask, output], 1))
    assert torch.allclose(terms["adversarial"], 1e-3 * F.softplus(-d_fake).mean())
    translated = module.translate(b["source"], mask)
    assert torch.equal(translated * (1 - mask), b["target"] * (1 - mask))


def test_inpainting_model_refuses_translation_without_a_mask():
    module = make_module(generator_inputs=("source", "mask"), g_in=2, composite_mask=True)
    with pytest.raises(IncompatibleConfigError, match="needs a mask"):
        module.translate(torch.zeros(1, 1, 8, 8))


def test_warm_up_drops_the_adversarial_term():
    module = make_module(pretrain_g_steps=3)
    b = batch()
    assert set(module.generator_terms(b, module.generator_outputs(b))) == {"l1"}
    module._step_counts()[1] = 3
    assert set(module.generator_terms(b, module.generator_outputs(b))) == {"adversarial", "l1"}


@pytest.mark.parametrize(
    "bad,match",
    [
        ({"pixel_loss": "l3"}, "pixel_loss"),
        ({"pixel_region": "hole"}, "composite_mask=true"),
        ({"pixel_region": "middle"}, "pixel_region"),
    ],
)
def test_bad_settings_are_refused(bad, match):
    with pytest.raises(IncompatibleConfigError, match=match):
        make_module(**bad)


def test_required_batch_keys_follow_the_settings():
    from omegaconf import OmegaConf

    pix2pix = OmegaConf.create({"generator_inputs": ["source"], "discriminator_condition": ["source"]})
    inpaint = OmegaConf.create(
        {"generator_inputs": ["source", "mask"], "discriminator_condition": [], "composite_mask": True}
    )
    assert PairedImageToImage.required_batch_keys(pix2pix) == ("source", "target")
    assert PairedImageToImage.required_batch_keys(inpaint) == ("source", "target", "mask")


def test_unpaired_data_for_a_paired_task_is_refused_with_the_datasets_that_fit(tmp_path):
    from gan_lab.builders import check_compatibility

    cfg = compose_config([*TINY, "task=paired", "model=paired/pix2pix", "dataset=bundled_mnist"], tmp_path)
    with pytest.raises(IncompatibleConfigError) as error:
        check_compatibility(cfg)
    message = str(error.value)
    assert "task=paired" in message and "dataset=bundled_mnist" in message and "'source'" in message
    assert "edges2digits" in message and "inpaint_digits" in message and "sr_digits" in message


def test_noise_task_refuses_paired_data(tmp_path):
    from gan_lab.builders import check_compatibility

    cfg = compose_config([*TINY, "dataset=edges2digits"], tmp_path)
    with pytest.raises(IncompatibleConfigError, match="task=noise_to_image needs batch entries.*bundled_mnist"):
        check_compatibility(cfg)


TINY_PAIRED = [*TINY, "model.generator.width=8", "model.discriminator.width=8", "data.batch_size=4"]


def logged(run_dir):
    rows = []
    for path in sorted(run_dir.glob("csv/version_*/metrics.csv")):
        rows += [r for r in csv.DictReader(path.open()) if r.get("train/g_loss")]
    return rows


@pytest.mark.parametrize(
    "preset,g_terms",
    [
        ("pix2pix_edges2digits", {"train/g_adversarial", "train/g_l1"}),
        ("inpaint_center", {"train/g_adversarial", "train/g_l2"}),
        ("sr_digits_x2", {"train/g_l1"}),  # step 0 and 1 are in the warm-up (half of 3 G steps)
    ],
)
def test_presets_train_log_their_terms_and_write_previews(tmp_path, preset, g_terms):
    overrides = [f"experiment={preset}", *TINY_PAIRED, "g_steps=3", "model.discriminator.n_layers=2"]
    if preset == "sr_digits_x2":
        overrides = [o for o in overrides if "n_layers" not in o]
    trainer = train(compose_config(overrides, tmp_path))
    module = trainer.lightning_module
    assert int(module.generator_steps) == 3 and int(module.discriminator_steps) == 3
    rows = logged(tmp_path)
    assert len(rows) == 3
    first = {k for k, v in rows[0].items() if k.startswith("train/g_") and v and k != "train/g_step"}
    assert first == g_terms | {"train/g_loss"}
    assert all(rows[0][k] for k in ("train/d_loss", "train/d_real", "train/d_fake"))
    assert (tmp_path / "samples" / "final.png").is_file() and (tmp_path / "checkpoints" / "last.ckpt").is_file()
    images, nrow = module.preview(trainer)
    assert images.shape[0] == 3 * nrow  # source | output | target rows


def test_preview_batch_leaves_the_random_stream_alone(tmp_path):
    trainer = train(compose_config(["experiment=pix2pix_edges2digits", *TINY_PAIRED, "g_steps=1"], tmp_path))
    module = trainer.lightning_module
    module._preview_batch = None
    state = torch.get_rng_state()
    module.preview_batch(trainer)
    assert torch.equal(state, torch.get_rng_state())


def test_g_first_order_runs_g_before_d(tmp_path, monkeypatch):
    calls = []
    for name in ("generator_update", "discriminator_update"):
        original = getattr(PairedImageToImage, name)

        def spy(self, *args, _original=original, _name=name, **kwargs):
            calls.append(_name)
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(PairedImageToImage, name, spy)
    train(compose_config(["experiment=sr_digits_x2", *TINY_PAIRED, "g_steps=2", "loss.n_critic=2"], tmp_path))
    assert calls == ["generator_update", "discriminator_update", "discriminator_update"] * 2


@pytest.mark.parametrize("preset", ["pix2pix_edges2digits", "inpaint_center"])
def test_paired_run_resumes_exactly(tmp_path, preset):
    """Random crops, flips and masks come from per-item seeds (sampler seed, epoch, index): a run
    resumed from a checkpoint sees the same pairs as an uninterrupted one, so the losses match bit
    for bit (Lightning fetches the next batch before the checkpoint's RNG states are restored)."""
    common = [
        f"experiment={preset}",
        *TINY_PAIRED,
        "model.discriminator.n_layers=2",
        "trainer.deterministic=true",
        "sample_every=0",
        "dataset.image_size=32",
        "lr_decay=none",  # a linear schedule's length follows g_steps, which differs between the two runs
    ]
    straight = tmp_path / "straight"
    train(compose_config([*common, "g_steps=4"], straight))
    split = tmp_path / "split"
    train(compose_config([*common, "g_steps=2"], split))
    train(compose_config([*common, "g_steps=4", f"ckpt_path={split / 'checkpoints' / 'last.ckpt'}"], split))
    keys = ("train/d_loss", "train/g_loss")
    expected = [tuple(r[k] for k in keys) for r in logged(straight)]
    got = [tuple(r[k] for k in keys) for r in logged(split)]
    assert len(expected) == 4 and got == expected
