"""The unpaired family (CycleGAN): term weights by hand (the identity weight is relative), the
reference's LSGAN scaling, channel checks, loss directions, translation both ways, a short real
run on the offline digits, and an exact resume with the image pools."""

import csv
import functools

import pytest
import torch
import torch.nn.functional as F
from helpers import TINY, compose_config
from torch import nn

from gan_lab.errors import IncompatibleConfigError
from gan_lab.losses import LeastSquaresLoss, NonSaturatingLoss
from gan_lab.tasks.unpaired import UnpairedImageToImage
from gan_lab.train import train

SGD = functools.partial(torch.optim.SGD, lr=0.05)


def make_module(channels_a=1, channels_b=1, loss=None, **settings):
    torch.manual_seed(0)

    def g(c_in, c_out):
        return nn.Sequential(nn.Conv2d(c_in, 8, 3, padding=1), nn.ReLU(), nn.Conv2d(8, c_out, 3, padding=1), nn.Tanh())

    def d(c):
        return nn.Sequential(nn.Conv2d(c, 8, 3, padding=1), nn.LeakyReLU(0.2), nn.Conv2d(8, 1, 3, padding=1))

    generators = nn.ModuleDict({"a_to_b": g(channels_a, channels_b), "b_to_a": g(channels_b, channels_a)})
    discriminators = nn.ModuleDict({"b": d(channels_b), "a": d(channels_a)})
    return UnpairedImageToImage(
        generators,
        discriminators,
        loss or LeastSquaresLoss(),
        SGD,
        SGD,
        channels_a=channels_a,
        channels_b=channels_b,
        **settings,
    )


def batch(n=4, channels_a=1, channels_b=1):
    torch.manual_seed(1)
    return {
        "image_a": torch.rand(n, channels_a, 8, 8) * 2 - 1,
        "image_b": torch.rand(n, channels_b, 8, 8) * 2 - 1,
        "label": torch.full((n,), -1),
    }


def test_generator_terms_by_hand_with_the_relative_identity_weight():
    module = make_module(cycle_weight=10.0, identity_weight=0.5)
    b = batch()
    a, bb = b["image_a"], b["image_b"]
    outputs = module.generator_outputs(b)
    terms = module.generator_terms(b, outputs)
    g_ab, g_ba = module.generator["a_to_b"], module.generator["b_to_a"]
    d_b, d_a = module.discriminator["b"], module.discriminator["a"]

    def l1(x, y):
        return (x - y).abs().mean()

    # the authors' LSGAN: G minimises MSE(D(G(x)), 1), no 1/2
    assert torch.allclose(terms["adversarial_a_to_b"], ((d_b(g_ab(a)) - 1) ** 2).mean())
    assert torch.allclose(terms["adversarial_b_to_a"], ((d_a(g_ba(bb)) - 1) ** 2).mean())
    assert torch.allclose(terms["cycle_a"], 10.0 * l1(g_ba(g_ab(a)), a))
    assert torch.allclose(terms["cycle_b"], 10.0 * l1(g_ab(g_ba(bb)), bb))
    # lambda_idt = 0.5 is relative: the identity L1 is weighted 0.5 x 10 = 5 (not 0.5)
    assert torch.allclose(terms["identity_a"], 5.0 * l1(g_ba(a), a))
    assert torch.allclose(terms["identity_b"], 5.0 * l1(g_ab(bb), bb))
    assert set(terms) == {"adversarial_a_to_b", "adversarial_b_to_a", "cycle_a", "cycle_b", "identity_a", "identity_b"}


def test_identity_weight_scales_with_the_cycle_weight():
    b = batch()
    low = make_module(cycle_weight=2.0, identity_weight=0.1)
    terms = low.generator_terms(b, low.generator_outputs(b))
    same_a = low.generator["b_to_a"](b["image_a"])
    assert torch.allclose(terms["identity_a"], 0.2 * (same_a - b["image_a"]).abs().mean())
    off = make_module(identity_weight=0.0)
    outputs = off.generator_outputs(b)
    assert "same_a" not in outputs and not any(k.startswith("identity") for k in off.generator_terms(b, outputs))


def test_discriminator_terms_are_half_real_plus_fake_per_discriminator():
    module = make_module(pool_size=0)
    b = batch()
    with torch.no_grad():
        outputs = module.generator_outputs(b)
    terms = module.discriminator_terms(b, outputs)
    for domain, fake in (("b", outputs["fake_b"]), ("a", outputs["fake_a"])):
        d = module.discriminator[domain]
        expected = 0.5 * (F.mse_loss(d(b[f"image_{domain}"]), torch.ones(4, 1, 8, 8)) + (d(fake) ** 2).mean())
        assert torch.allclose(terms[f"loss_{domain}"], expected)
    assert set(terms) == {"loss_b", "loss_a"}
    assert {"train/d_real_b", "train/d_fake_a"} <= set(module._step_logs)


def test_reference_weights_for_other_losses_and_explicit_weights():
    module = make_module(loss=NonSaturatingLoss())
    assert (module.adversarial_weight, module.discriminator_weight) == (1.0, 0.5)
    explicit = make_module(adversarial_weight=1.0, discriminator_weight=0.25)
    assert (explicit.adversarial_weight, explicit.discriminator_weight) == (1.0, 0.25)


def test_discriminators_train_on_pooled_fakes():
    module = make_module(pool_size=2)
    b = batch(n=4)
    with torch.no_grad():
        outputs = module.generator_outputs(b)
    module.discriminator_terms(b, outputs)
    assert len(module.pools["b"]) == 2 and len(module.pools["a"]) == 2
    for domain in ("b", "a"):  # the pools hold this batch's fakes (the first two, or later ones swapped in)
        fakes = outputs[f"fake_{domain}"]
        assert all(any(torch.equal(kept, fake) for fake in fakes) for kept in module.pools[domain].images)


def test_identity_term_with_different_channel_counts_is_refused():
    with pytest.raises(IncompatibleConfigError, match="identity_weight=0"):
        make_module(channels_a=1, channels_b=3, identity_weight=0.5)
    module = make_module(channels_a=1, channels_b=3, identity_weight=0.0)
    b = batch(channels_a=1, channels_b=3)
    terms = module.generator_terms(b, module.generator_outputs(b))
    assert set(terms) == {"adversarial_a_to_b", "adversarial_b_to_a", "cycle_a", "cycle_b"}


def test_networks_must_be_the_pairs():
    with pytest.raises(IncompatibleConfigError, match="unpaired/cyclegan"):
        UnpairedImageToImage(
            nn.Conv2d(1, 1, 1), nn.Conv2d(1, 1, 1), LeastSquaresLoss(), SGD, SGD, channels_a=1, channels_b=1
        )


@pytest.mark.parametrize("loss_class", [LeastSquaresLoss, NonSaturatingLoss])
def test_one_d_step_lowers_d_loss(loss_class):
    module = make_module(loss=loss_class(), pool_size=0)
    b = batch(n=8)
    with torch.no_grad():
        outputs = module.generator_outputs(b)
    optimizer = SGD(module.discriminator.parameters())
    before = module.discriminator_terms(b, outputs)
    optimizer.zero_grad()
    sum(before.values()).backward()
    optimizer.step()
    after = module.discriminator_terms(b, outputs)
    assert after["loss_a"] < before["loss_a"] and after["loss_b"] < before["loss_b"]


@pytest.mark.parametrize("loss_class", [LeastSquaresLoss, NonSaturatingLoss])
def test_one_g_step_raises_both_discriminators_scores_of_fakes(loss_class):
    module = make_module(loss=loss_class(), cycle_weight=0.0, identity_weight=0.0)
    b = batch(n=8)

    def scores():
        with torch.no_grad():
            out = module.generator_outputs(b)
            return module.discriminator["b"](out["fake_b"]).mean(), module.discriminator["a"](out["fake_a"]).mean()

    before = scores()
    optimizer = SGD(module.generator.parameters())
    module.discriminator.requires_grad_(False)
    optimizer.zero_grad()
    sum(module.generator_terms(b, module.generator_outputs(b)).values()).backward()
    optimizer.step()
    after = scores()
    assert after[0] > before[0] and after[1] > before[1]


def test_translate_both_directions():
    module = make_module(channels_a=1, channels_b=3, identity_weight=0.0)
    a, b = torch.rand(2, 1, 8, 8), torch.rand(2, 3, 8, 8)
    to_b, to_a = module.translate(a, "AtoB"), module.translate(b, direction="BtoA")
    assert to_b.shape == (2, 3, 8, 8) and to_a.shape == (2, 1, 8, 8)
    with torch.no_grad():
        assert torch.equal(to_b, module.generator["a_to_b"](a))
        assert torch.equal(to_a, module.generator["b_to_a"](b))
    assert torch.equal(module.translate(a), to_b)  # AtoB by default
    assert module.direction_channels("BtoA") == (3, 1) and module.source_channels == 1
    with pytest.raises(IncompatibleConfigError, match="direction must be one of"):
        module.translate(a, "sideways")
    with pytest.raises(IncompatibleConfigError, match="takes 3-channel"):
        module.translate(a, "BtoA")
    with pytest.raises(IncompatibleConfigError, match="no mask"):
        module.translate(a, mask=torch.ones(2, 1, 8, 8))


def test_required_batch_keys_and_data_contract(tmp_path):
    from gan_lab.builders import check_compatibility

    assert UnpairedImageToImage.required_batch_keys({}) == ("image_a", "image_b")
    cfg = compose_config([*TINY, "task=unpaired", "model=unpaired/cyclegan", "dataset=edges2digits"], tmp_path)
    with pytest.raises(IncompatibleConfigError, match="digits2inverted"):
        check_compatibility(cfg)


TINY_CYCLEGAN = [
    *TINY,
    "task=unpaired",
    "model=unpaired/cyclegan",
    "loss=lsgan",
    "dataset=digits2inverted",
    "model.generator.width=4",
    "model.generator.num_blocks=1",
    "model.discriminator.width=4",
    "model.discriminator.n_layers=2",
    "data.batch_size=2",
    "task.pool_size=3",
]
G_TERMS = {f"train/g_{t}" for t in ("adversarial_a_to_b", "adversarial_b_to_a", "cycle_a", "cycle_b")}
G_TERMS |= {"train/g_identity_a", "train/g_identity_b", "train/g_loss"}
D_TERMS = {f"train/d_{t}" for t in ("loss", "loss_a", "loss_b", "real_a", "real_b", "fake_a", "fake_b")}


def logged(run_dir, keys=None):
    rows = []
    for path in sorted(run_dir.glob("csv/version_*/metrics.csv")):
        for row in csv.DictReader(path.open()):
            if row.get("train/g_loss"):
                rows.append({k: v for k, v in row.items() if v and (keys is None or k in keys or k == "step")})
    return rows


def test_trains_end_to_end_logs_every_term_and_checkpoints_the_pools(tmp_path):
    from gan_lab.checkpointing.loading import load_checkpoint

    trainer = train(compose_config([*TINY_CYCLEGAN, "g_steps=3", "regularizers.ema.enabled=true"], tmp_path))
    module = trainer.lightning_module
    assert int(module.generator_steps) == 3 and int(module.discriminator_steps) == 3
    rows = logged(tmp_path)
    assert len(rows) == 3
    assert G_TERMS | D_TERMS <= set(rows[-1])
    images, nrow = module.preview(trainer)
    assert images.shape == (4 * nrow, 1, 32, 32) and torch.isfinite(images).all()  # a | G_AB(a) | b | G_BA(b)
    assert (tmp_path / "samples" / "final.png").is_file()

    ckpt = tmp_path / "checkpoints" / "last.ckpt"
    loaded, _, raw = load_checkpoint(str(ckpt))
    assert len(loaded.pools["b"]) == 3 and torch.equal(loaded.pools["b"].images, module.pools["b"].images)
    assert any(key.startswith("pools.a") for key in raw["state_dict"])
    digits = images[:nrow]
    for direction in ("AtoB", "BtoA"):
        expected = module.translate(digits, direction)
        assert torch.equal(loaded.translate(digits, direction), expected)  # the EMA generators, restored
        raw_g = module.translate(digits, direction, use_ema=False)
        assert raw_g.shape == expected.shape


def test_resume_from_last_checkpoint_is_exact_pools_included(tmp_path):
    """4 steps straight vs 2 + 2 resumed (batch 2 of 4500 items: the stop falls mid-epoch)."""
    common = [*TINY_CYCLEGAN, "trainer.deterministic=true", "sample_every=0", "dataset.flip=true"]
    keys = G_TERMS | D_TERMS
    straight = tmp_path / "straight"
    train(compose_config([*common, "g_steps=4"], straight))
    split = tmp_path / "split"
    train(compose_config([*common, "g_steps=2"], split))
    ckpt = split / "checkpoints" / "last.ckpt"
    saved = torch.load(ckpt, map_location="cpu", weights_only=True)
    assert saved["state_dict"]["pools.b._extra_state"]["images"].shape[0] == 3  # the pool is full after 2 steps
    train(compose_config([*common, "g_steps=4", f"ckpt_path={ckpt}"], split))
    expected, got = logged(straight, keys), logged(split, keys)
    assert [int(r["step"]) for r in got] == [0, 1, 2, 3]
    assert got == expected  # bit-identical, every term of both directions
