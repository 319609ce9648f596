"""Gradient clipping under manual optimization: each SGD(lr=1) step moves D by at most max_norm."""

import torch

from zoo_config import build_run, compose_train


def test_discriminator_updates_are_clipped(tmp_path):
    max_norm = 1e-3
    cfg = compose_train(
        [
            "model=mlp",
            "dataset=ring",
            "model.generator.hidden_dims=[16]",
            "model.discriminator.hidden_dims=[16]",
            "optimizer=rmsprop",
            "optimizer.discriminator._target_=torch.optim.SGD",
            "optimizer.discriminator.lr=1.0",
            f"regularizers.grad_clip.discriminator={max_norm}",
            "regularizers.grad_clip.generator=0.5",
            "g_steps=1",
        ],
        tmp_path,
    )
    datamodule, module, trainer = build_run(cfg)
    before = torch.cat([p.detach().flatten().clone() for p in module.discriminator.parameters()])
    trainer.fit(module, datamodule=datamodule)
    after = torch.cat([p.detach().flatten() for p in module.discriminator.parameters()])
    step = (after - before).norm().item()
    assert 0 < step <= max_norm * 1.0001
