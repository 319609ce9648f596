"""PacGAN packing: shapes, grouping of consecutive samples, D input size, data per D step."""

import pytest
import torch

from gan_lab.errors import IncompatibleConfigError
from gan_lab.regularizers import pack, packed_shape
from zoo_config import build_run, compose_train


def test_pack_shapes_and_grouping():
    images = torch.arange(6 * 2 * 4 * 4, dtype=torch.float32).view(6, 2, 4, 4)
    packed = pack(images, 3)
    assert packed.shape == (2, 6, 4, 4)
    assert torch.equal(packed[1, 2:4], images[4])  # pack 1 holds samples 3, 4, 5
    points = torch.randn(8, 2)
    assert torch.equal(pack(points, 2), points.view(4, 4))
    assert pack(points, 1) is points
    with pytest.raises(ValueError):
        pack(points, 3)
    assert packed_shape([3, 32, 32], 4) == [12, 32, 32] and packed_shape([2], 2) == [4]


def test_discriminator_input_size_and_batch(tmp_path):
    cfg = compose_train(
        [
            "model=dcgan",
            "model.generator.width=4",
            "model.discriminator.width=4",
            "regularizers.packing=3",
            "data.batch_size=4",
            "g_steps=1",
        ],
        tmp_path,
    )
    assert list(cfg.model.discriminator.data_shape) == [3, 28, 28]  # 3 x one channel
    datamodule, module, trainer = build_run(cfg)
    assert datamodule.train_dataloader().batch_size == 12  # batch_size * packing real samples
    seen = []
    module.discriminator.register_forward_hook(
        lambda m, args, out: seen.append((tuple(args[0].shape), tuple(out.shape)))
    )
    trainer.fit(module, datamodule=datamodule)
    assert seen and all(s == ((4, 3, 28, 28), (4,)) for s in seen)


def test_conditional_packing_refused(tmp_path):
    cfg = compose_train(["model.conditional=true", "regularizers.packing=2"], tmp_path)
    with pytest.raises(IncompatibleConfigError, match="packing"):
        build_run(cfg)
