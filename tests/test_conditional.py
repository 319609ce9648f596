"""Conditional models: class-dependent outputs, labels flow from the data, unlabelled data refused."""

import pytest
import torch
from PIL import Image
from torch import nn

from gan_lab.errors import IncompatibleConfigError
from gan_lab.models import (
    ConditionalBatchNorm,
    DCGANDiscriminator,
    DCGANGenerator,
    MLPDiscriminator,
    MLPGenerator,
    ResNetDiscriminator,
    ResNetGenerator,
)
from zoo_config import build_run, compose_train

MODELS = [
    (
        lambda: ResNetGenerator(8, (3, 32, 32), width=8, num_classes=5),
        lambda: ResNetDiscriminator((3, 32, 32), width=8, num_classes=5),
        8,
    ),
    (
        lambda: DCGANGenerator(8, (1, 28, 28), width=4, num_classes=5),
        lambda: DCGANDiscriminator((1, 28, 28), width=4, num_classes=5),
        8,
    ),
    (lambda: MLPGenerator(8, (2,), (16,), num_classes=5), lambda: MLPDiscriminator((2,), (16,), num_classes=5), 8),
]


def _randomize_cbn(module: nn.Module) -> None:
    # CBN starts as plain BN (gain 1, bias 0); training makes it class-specific.
    for m in module.modules():
        if isinstance(m, ConditionalBatchNorm):
            nn.init.normal_(m.gain.weight, 1.0, 0.5)
            nn.init.normal_(m.bias.weight, 0.0, 0.5)


def test_conditional_batchnorm_math():
    cbn = ConditionalBatchNorm(2, 3)
    with torch.no_grad():
        cbn.gain.weight.copy_(torch.tensor([[1.0, 1.0], [2.0, 3.0], [1.0, 1.0]]))
        cbn.bias.weight.copy_(torch.tensor([[0.0, 0.0], [5.0, -1.0], [0.0, 0.0]]))
    x = torch.randn(4, 2, 3, 3)
    normed = nn.functional.batch_norm(x, None, None, training=True)
    out = cbn(x, torch.tensor([0, 1, 1, 2]))
    assert torch.allclose(out[0], normed[0], atol=1e-5)
    assert torch.allclose(out[1, 0], 2 * normed[1, 0] + 5, atol=1e-5)
    assert torch.allclose(out[2, 1], 3 * normed[2, 1] - 1, atol=1e-5)


@pytest.mark.parametrize("make_g, make_d, latent", MODELS)
def test_class_dependent_outputs(make_g, make_d, latent):
    torch.manual_seed(0)
    g, d = make_g(), make_d()
    _randomize_cbn(g)
    g.eval()  # running stats: each sample is generated independently of the batch
    z = torch.randn(1, latent).expand(4, -1)
    labels = torch.tensor([0, 1, 2, 3])
    x = g(z, labels)
    assert not torch.allclose(x[0], x[1]) and not torch.allclose(x[2], x[3])
    same = x[:1].expand_as(x)
    scores = d(same, labels)  # one sample judged as four different classes
    assert scores.shape == (4,) and scores.unique().numel() == 4
    with pytest.raises(IncompatibleConfigError):
        d(same)  # a projection D needs labels


def test_unconditional_models_keep_their_layers():
    keys = set(DCGANDiscriminator((1, 28, 28), width=4).state_dict())
    assert "embed.weight" not in keys and "head.1.weight" in keys
    assert ResNetGenerator(8, (3, 32, 32), width=8).num_classes is None


def _flat_image_folder(root):
    root.mkdir()
    for i in range(4):
        Image.new("RGB", (32, 32), (i * 40, 0, 0)).save(root / f"img{i}.png")
    return root


def test_unlabelled_dataset_refused(tmp_path):
    folder = _flat_image_folder(tmp_path / "flat")
    cfg = compose_train(["dataset=image_folder", f"dataset.root={folder}", "model.conditional=true"], tmp_path)
    with pytest.raises(IncompatibleConfigError, match="needs a labelled dataset"):
        build_run(cfg)
    # the config claims labels but the folder has no class sub-folders
    cfg = compose_train(
        ["dataset=image_folder", f"dataset.root={folder}", "dataset.num_classes=3", "model.conditional=true"], tmp_path
    )
    with pytest.raises(IncompatibleConfigError, match="carry no labels"):
        build_run(cfg)


@pytest.mark.parametrize(
    "overrides",
    [
        ["model=dcgan", "model.generator.width=4", "model.discriminator.width=4"],
        ["model=mlp", "dataset=ring", "model.generator.hidden_dims=[16]", "model.discriminator.hidden_dims=[16]"],
    ],
)
def test_labels_flow_through_training(tmp_path, overrides):
    cfg = compose_train([*overrides, "model.conditional=true"], tmp_path)
    datamodule, module, trainer = build_run(cfg)
    assert module.num_classes == cfg.dataset.num_classes
    seen = []
    module.discriminator.register_forward_hook(lambda m, args, out: seen.append(args[1]))
    trainer.fit(module, datamodule=datamodule)
    assert seen and all(labels is not None and labels.dtype == torch.long for labels in seen)
    samples = module.generate(torch.randn(3, module.latent_dim), labels=torch.tensor([0, 1, 2]))
    assert samples.shape[0] == 3
    assert module.generate(n=4).shape[0] == 4  # labels default to 0, 1, 2, 3
