"""gan_lab.models.text_to_image: text encoders, conditioning augmentation, G and D shapes."""

import math

import pytest
import torch

from gan_lab.errors import GanLabError
from gan_lab.models.text_to_image import (
    ConditioningAugmentation,
    FrozenTextEncoder,
    MatchingAwareDiscriminator,
    TextConditionedGenerator,
    TextEncoder,
    build_text_encoder,
    kl_to_standard_normal,
)
from gan_lab.regularizers import apply_spectral_norm


def test_kl_matches_a_hand_computation():
    mu = torch.tensor([[1.0, 0.0]])
    logvar = torch.tensor([[0.0, math.log(2.0)]])
    # per element 0.5 (mu^2 + sigma^2 - 1 - log sigma^2): 0.5 (1 + 1 - 1 - 0) = 0.5 and 0.5 (0 + 2 - 1 - ln 2)
    expected = (0.5 + 0.5 * (1.0 - math.log(2.0))) / 2
    assert kl_to_standard_normal(mu, logvar).item() == pytest.approx(expected, rel=1e-6)
    assert kl_to_standard_normal(torch.zeros(3, 4), torch.zeros(3, 4)).item() == 0.0


def test_conditioning_augmentation_is_mu_plus_sigma_eps():
    ca = ConditioningAugmentation(3, 2)
    embedding = torch.randn(4, 3)
    eps = torch.randn(4, 2)
    c, mu, logvar = ca(embedding, eps)
    assert torch.allclose(c, mu + eps * torch.exp(0.5 * logvar))
    assert torch.allclose(torch.cat([mu, logvar], 1), ca.linear(embedding))
    c1, _, _ = ca(embedding)
    c2, _, _ = ca(embedding)
    assert not torch.equal(c1, c2)  # fresh eps each call


@pytest.mark.parametrize("kind", ["gru", "mean"])
def test_text_encoder_ignores_padding(kind):
    enc = TextEncoder(buckets=50, embed_dim=6, hidden_dim=5, kind=kind)
    tokens = torch.tensor([[3, 7, 0, 0, 0], [3, 7, 9, 0, 0], [0, 0, 0, 0, 0]])
    out = enc(tokens)
    assert out.shape == (3, enc.output_dim) and torch.isfinite(out).all()
    assert torch.allclose(enc(tokens[:1, :2]), out[:1], atol=1e-6)  # trailing padding changes nothing
    assert not torch.allclose(out[0], out[1])


def test_pretrained_encoder_files(tmp_path):
    with pytest.raises(GanLabError, match="not found"):
        build_text_encoder(50, pretrained_path=str(tmp_path / "missing.pt"))
    source = TextEncoder(50, 6, 5, "mean")
    torch.save(source.state_dict(), tmp_path / "state.pt")
    frozen = build_text_encoder(50, 6, 5, "mean", pretrained_path=str(tmp_path / "state.pt"))
    assert isinstance(frozen, FrozenTextEncoder) and frozen.output_dim == 6
    tokens = torch.tensor([[1, 2, 0]])
    assert torch.allclose(frozen(tokens), source(tokens))
    # frozen: no parameters to train, nothing spectral norm or the optimizers could touch, not in checkpoints
    assert list(frozen.parameters()) == [] and frozen.state_dict() == {}
    apply_spectral_norm(frozen)
    assert torch.allclose(frozen(tokens), source(tokens))
    scripted = torch.jit.trace(TextEncoder(50, 6, 5, "mean"), tokens)  # any TorchScript ids -> embeddings
    scripted.save(str(tmp_path / "encoder.ts"))
    loaded = build_text_encoder(50, pretrained_path=str(tmp_path / "encoder.ts"))
    assert torch.allclose(loaded(tokens), scripted(tokens))
    (tmp_path / "junk.pt").write_bytes(b"not a model")
    with pytest.raises(GanLabError, match="neither a TorchScript"):
        build_text_encoder(50, pretrained_path=str(tmp_path / "junk.pt"))


@pytest.mark.parametrize("conditioning", ["concat", "projection"])
def test_generator_and_discriminator_shapes(conditioning):
    g = TextConditionedGenerator(8, (1, 28, 28), TextEncoder(50, 6, 5), condition_dim=4, width=4)
    d = MatchingAwareDiscriminator((1, 28, 28), TextEncoder(50, 6, 5), width=4, text_dim=3, conditioning=conditioning)
    tokens = torch.tensor([[3, 7, 0], [4, 0, 0]])
    images = g(torch.randn(2, 8), tokens)
    assert images.shape == (2, 1, 28, 28) and images.abs().max() <= 1
    assert d(images, d.embed(tokens)).shape == (2,)
    with pytest.raises(GanLabError, match="needs captions"):
        g(torch.randn(2, 8))
    # D's answer depends on the caption
    assert not torch.allclose(d(images, d.embed(tokens)), d(images, d.embed(tokens.flip(0))))
    with pytest.raises(GanLabError, match="conditioning"):
        MatchingAwareDiscriminator((1, 28, 28), TextEncoder(50, 6, 5), conditioning="sum")
