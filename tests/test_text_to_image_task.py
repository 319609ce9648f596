"""gan_lab.tasks.text_to_image: the matching-aware D terms, the CA KL and GAN-INT terms, loss directions."""

import math
from functools import partial

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from gan_lab.errors import GanLabError
from gan_lab.losses import NonSaturatingLoss
from gan_lab.models.text_to_image import MatchingAwareDiscriminator, TextConditionedGenerator, TextEncoder
from gan_lab.tasks import TextToImage

TOKENIZER = {"buckets": 50, "max_words": 4}


class StubDiscriminator(nn.Module):
    """D(x, e) = mean(x) + e, with e = the first token id / 10: outputs known by hand."""

    num_classes = None

    def __init__(self) -> None:
        super().__init__()
        self.scale = nn.Parameter(torch.ones(()))

    def embed(self, tokens):
        return tokens[:, 0].float() / 10

    def forward(self, x, embedding):
        return self.scale * (x.mean(dim=(1, 2, 3)) + embedding)


def _generator():
    return TextConditionedGenerator(8, (1, 28, 28), TextEncoder(50, 6, 5), condition_dim=4, width=4)


def _module(discriminator=None, **kwargs):
    torch.manual_seed(0)
    return TextToImage(
        _generator(),
        discriminator or MatchingAwareDiscriminator((1, 28, 28), TextEncoder(50, 6, 5), width=4, text_dim=3),
        loss=NonSaturatingLoss(),
        g_optimizer=partial(torch.optim.SGD, lr=0.05),
        d_optimizer=partial(torch.optim.SGD, lr=0.05),
        tokenizer=TOKENIZER,
        num_fixed_samples=4,
        preview_captions=["a one", "a two"],
        **kwargs,
    )


def test_matching_aware_d_terms_match_a_hand_computation():
    module = _module(StubDiscriminator())
    real = torch.full((3, 1, 28, 28), 0.5)
    fake = torch.full((3, 1, 28, 28), -0.5)
    tokens = torch.tensor([[1, 0, 0, 0], [2, 0, 0, 0], [3, 0, 0, 0]])
    terms = module.discriminator_terms({"real": real, "caption": tokens}, {"fake": fake})
    assert set(terms) == {"real_fake", "real_mismatched"}
    e = torch.tensor([0.1, 0.2, 0.3])
    real_out, fake_out, wrong_out = 0.5 + e, -0.5 + e, 0.5 + e.roll(1)  # rolled captions: 0.3, 0.1, 0.2
    bce_real = F.softplus(-real_out).mean()  # BCE(D, 1)
    expected_total = bce_real + 0.5 * F.softplus(wrong_out).mean() + 0.5 * F.softplus(fake_out).mean()
    assert (terms["real_fake"] + terms["real_mismatched"]).item() == pytest.approx(expected_total.item(), rel=1e-6)
    assert terms["real_mismatched"].item() == pytest.approx(0.5 * (bce_real + F.softplus(wrong_out).mean()).item())


def test_identical_rolled_captions_are_not_mismatches():
    module = _module(StubDiscriminator())
    same = torch.tensor([[4, 5, 0, 0]] * 3)
    terms = module.discriminator_terms(
        {"real": torch.zeros(3, 1, 28, 28), "caption": same}, {"fake": torch.zeros(3, 1, 28, 28)}
    )
    assert "real_mismatched" not in terms
    mixed = torch.tensor([[4, 0, 0, 0], [4, 0, 0, 0], [6, 0, 0, 0]])  # only rows 0 (rolled: 6) and 2 (rolled: 4)
    terms = module.discriminator_terms(
        {"real": torch.zeros(3, 1, 28, 28), "caption": mixed}, {"fake": torch.zeros(3, 1, 28, 28)}
    )
    real_out, wrong_out = torch.tensor([0.4, 0.6]), torch.tensor([0.6, 0.4])
    expected = 0.5 * (F.softplus(-real_out).mean() + F.softplus(wrong_out).mean())
    assert terms["real_mismatched"].item() == pytest.approx(expected.item(), rel=1e-6)


def test_generator_terms_kl_weight_and_interpolation():
    module = _module(StubDiscriminator(), interpolation_weight=0.0)
    tokens = torch.tensor([[1, 0, 0, 0], [2, 0, 0, 0]])
    batch = {"real": torch.zeros(2, 1, 28, 28), "caption": tokens}
    outputs = module.generator_outputs(batch)
    outputs["mu"] = torch.tensor([[1.0, 0.0]])
    outputs["logvar"] = torch.tensor([[0.0, math.log(2.0)]])
    terms = module.generator_terms(batch, outputs)
    assert set(terms) == {"adversarial", "kl"}
    assert terms["kl"].item() == pytest.approx(2.0 * (0.5 + 0.5 * (1 - math.log(2.0))) / 2, rel=1e-6)
    fake_out = outputs["fake"].mean(dim=(1, 2, 3)) + torch.tensor([0.1, 0.2])
    assert terms["adversarial"].item() == pytest.approx(F.softplus(-fake_out).mean().item(), rel=1e-5)
    module = _module(StubDiscriminator(), interpolation_weight=3.0)
    terms = module.generator_terms(batch, module.generator_outputs(batch))
    assert set(terms) == {"adversarial", "kl", "interpolated"}
    # GAN-INT: D judges the midpoint embedding beta e1 + (1 - beta) e2 = 0.5 (0.1 + 0.2) on half a batch
    assert terms["interpolated"].item() > 0
    module.interpolation_weight = 0.0
    assert "interpolated" not in module.generator_terms(batch, module.generator_outputs(batch))


def _batch():
    g = torch.Generator().manual_seed(1)
    tokens = torch.randint(1, 50, (8, 4), generator=g)
    return {"real": torch.rand(8, 1, 28, 28, generator=g) * 2 - 1, "caption": tokens}


def test_one_d_step_lowers_ds_loss_on_a_fixed_batch():
    module = _module()
    batch = _batch()
    torch.manual_seed(3)
    with torch.no_grad():
        outputs = module.generator_outputs(batch)
    opt = torch.optim.SGD(module.discriminator.parameters(), lr=0.05)
    before = sum(module.discriminator_terms(batch, outputs).values())
    opt.zero_grad()
    before.backward()
    opt.step()
    after = sum(module.discriminator_terms(batch, outputs).values())
    assert after.item() < before.item()


def test_one_g_step_raises_ds_score_of_fakes():
    module = _module()
    batch = _batch()

    def score():
        torch.manual_seed(5)  # the same z and eps
        with torch.no_grad():
            fake = module.generator_outputs(batch)["fake"]
            return module.discriminator(fake, module.discriminator.embed(batch["caption"])).mean().item()

    before = score()
    opt = torch.optim.SGD(module.generator.parameters(), lr=0.05)
    torch.manual_seed(5)
    terms = module.generator_terms(batch, module.generator_outputs(batch))
    opt.zero_grad()
    terms["adversarial"].backward()
    opt.step()
    assert score() > before


def test_preview_and_text_sampling():
    module = _module()
    images, nrow = module.preview()
    assert images.shape == (4, 1, 28, 28) and nrow == 2 and torch.isfinite(images).all()
    torch.manual_seed(0)
    a = module.generate_from_text(["a one"], torch.zeros(1, 8), condition_noise=torch.zeros(1, 4))
    b = module.generate_from_text(["a one"], torch.zeros(1, 8), condition_noise=torch.zeros(1, 4))
    assert torch.equal(a, b)
    with pytest.raises(GanLabError, match="needs captions"):
        module.generate(n=2)


def test_bad_settings_are_refused():
    with pytest.raises(GanLabError, match="mismatch_weight"):
        _module(mismatch_weight=1.0)
    with pytest.raises(GanLabError, match="packing"):
        _module(packing=2)


def test_data_without_captions_is_refused_with_the_datasets_that_fit(tmp_path):
    from gan_lab.builders import check_compatibility
    from helpers import TINY, compose_config

    cfg = compose_config([*TINY, "experiment=text2image_digits", "dataset=bundled_mnist"], tmp_path)
    with pytest.raises(GanLabError, match=r"needs batch entries \['real', 'caption'\].*captioned_digits"):
        check_compatibility(cfg)
