"""EMA generator: update math, start step, buffers, checkpoint, used by generate()."""

import torch
from torch import nn

from gan_lab.regularizers import make_ema_generator, update_ema
from zoo_config import build_run, compose_train


def _set(module: nn.Module, value: float) -> None:
    with torch.no_grad():
        for p in module.parameters():
            p.fill_(value)


def test_update_math():
    g = nn.Linear(3, 2)
    ema = make_ema_generator(g, decay=0.9)
    _set(g, 1.0)
    update_ema(ema, g, g_step=1)  # first average = copy of G
    assert all(torch.allclose(p, torch.ones_like(p)) for p in ema.module.parameters())
    _set(g, 2.0)
    update_ema(ema, g, g_step=2)  # 0.9 * 1 + 0.1 * 2
    assert all(torch.allclose(p, torch.full_like(p, 1.1)) for p in ema.module.parameters())
    _set(g, 0.0)
    update_ema(ema, g, g_step=3)  # 0.9 * 1.1
    assert all(torch.allclose(p, torch.full_like(p, 0.99)) for p in ema.module.parameters())
    assert not any(p.requires_grad for p in ema.parameters())


def test_start_step_copies_until_then():
    g = nn.Linear(2, 2)
    ema = make_ema_generator(g, decay=0.5)
    for step, value in enumerate([1.0, 3.0, 5.0], start=1):
        _set(g, value)
        update_ema(ema, g, g_step=step, start_step=3)
        assert torch.allclose(ema.module.weight, g.weight)  # a copy up to start_step
    _set(g, 7.0)
    update_ema(ema, g, g_step=4, start_step=3)
    assert torch.allclose(ema.module.weight, torch.full_like(g.weight, 6.0))  # 0.5 * 5 + 0.5 * 7


def test_batchnorm_buffers_are_averaged():
    g = nn.Sequential(nn.Linear(2, 4), nn.BatchNorm1d(4))
    ema = make_ema_generator(g, decay=0.5)
    update_ema(ema, g, g_step=1)
    g[1].running_mean.fill_(2.0)
    update_ema(ema, g, g_step=2)
    assert torch.allclose(ema.module[1].running_mean, torch.full((4,), 1.0))


def test_module_ema_in_checkpoint_and_generate(tmp_path):
    cfg = compose_train(
        [
            "model=mlp",
            "dataset=ring",
            "model.generator.hidden_dims=[16]",
            "model.discriminator.hidden_dims=[16]",
            "regularizers.ema.enabled=true",
            "regularizers.ema.decay=0.5",
        ],
        tmp_path,
    )
    datamodule, module, trainer = build_run(cfg)
    trainer.fit(module, datamodule=datamodule)
    assert int(module.generator_steps) == 2
    path = tmp_path / "last.ckpt"
    trainer.save_checkpoint(path)
    state = torch.load(path, weights_only=False)["state_dict"]
    assert any(k.startswith("ema_generator.module.") for k in state)

    z = torch.randn(5, module.latent_dim)
    with torch.no_grad():
        for p in module.ema_generator.parameters():
            p.add_(1.0)  # make the EMA generator differ from G
    ema_out, raw_out = module.generate(z), module.generate(z, use_ema=False)
    assert not torch.allclose(ema_out, raw_out)
    module.ema_generator.eval()
    assert torch.allclose(ema_out, module.ema_generator(z))
