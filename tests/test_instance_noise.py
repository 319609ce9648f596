"""Instance noise: linear annealing of sigma over G steps, noise of that std."""

import pytest
import torch

from gan_lab.regularizers import InstanceNoise


def test_schedule():
    noise = InstanceNoise(sigma=0.2, anneal_g_steps=100)
    assert noise.sigma_at(0) == pytest.approx(0.2)
    assert noise.sigma_at(25) == pytest.approx(0.15)
    assert noise.sigma_at(100) == 0.0 and noise.sigma_at(500) == 0.0
    assert InstanceNoise(sigma=0.3).sigma_at(10_000) == pytest.approx(0.3)  # no annealing


def test_noise_std_follows_schedule():
    noise = InstanceNoise(sigma=0.5, anneal_g_steps=10)
    x = torch.zeros(200_000)
    gen = torch.Generator().manual_seed(0)
    assert noise(x, 0, gen).std().item() == pytest.approx(0.5, rel=0.02)
    assert noise(x, 5, gen).std().item() == pytest.approx(0.25, rel=0.02)
    assert torch.equal(noise(x, 10, gen), x)  # fully annealed: identity


def test_rejects_negative():
    with pytest.raises(ValueError):
        InstanceNoise(sigma=-1.0)


def test_module_adds_noise_to_every_discriminator_input(tmp_path):
    from zoo_config import build_run, compose_train

    cfg = compose_train(
        [
            "model=mlp",
            "dataset=ring",
            "model.generator.hidden_dims=[16]",
            "model.discriminator.hidden_dims=[16]",
            "regularizers.instance_noise.sigma=0.3",
            "regularizers.instance_noise.anneal_g_steps=4",
            "g_steps=3",
        ],
        tmp_path,
    )
    datamodule, module, trainer = build_run(cfg)
    steps = []
    noise = module.instance_noise
    module.instance_noise = lambda x, g_step: steps.append(g_step) or noise(x, g_step)
    trainer.fit(module, datamodule=datamodule)
    # per G step: D sees real and fake, then G's fake; sigma follows the G step count
    assert steps == [0, 0, 0, 1, 1, 1, 2, 2, 2]
