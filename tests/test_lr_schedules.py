"""The loop's learning-rate schedules: linear decay (optionally after a constant part) stepped
per G update, and exponential decay stepped per epoch."""

import pytest

from gan_lab.errors import IncompatibleConfigError
from gan_lab.train import train
from helpers import TINY, compose_config, tiny_model_overrides

MLP_GRID = ["model=mlp", *tiny_model_overrides("mlp"), "dataset=grid", "sample_every=0", "data.batch_size=16"]


def final_lrs(trainer):
    return [opt.param_groups[0]["lr"] for opt in trainer.optimizers]


def test_linear_decay_after_a_constant_part(tmp_path):
    import torch

    from gan_lab.builders import build_module

    # 6 G steps, constant for 4, then 1 - k/2 after the k-th decayed step
    cfg = compose_config([*TINY, *MLP_GRID, "g_steps=6", "lr_decay=linear", "lr_decay_start=4"], tmp_path)
    module = build_module(cfg)
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
    scheduler = module._linear_decay(optimizer)
    rates = []
    for _ in range(6):
        optimizer.step()
        scheduler.step()
        rates.append(optimizer.param_groups[0]["lr"])
    assert rates == pytest.approx([1.0, 1.0, 1.0, 1.0, 0.5, 0.0])
    assert final_lrs(train(cfg)) == pytest.approx([0.0, 0.0], abs=1e-12)


def test_lr_decay_start_beyond_the_run_is_refused(tmp_path):
    cfg = compose_config([*TINY, *MLP_GRID, "g_steps=4", "lr_decay=linear", "lr_decay_start=4"], tmp_path)
    with pytest.raises(IncompatibleConfigError, match="lr_decay_start=4 must lie in"):
        train(cfg)


def test_exponential_decay_steps_once_per_epoch(tmp_path):
    # 64 points in batches of 16: 4 G steps per epoch; 10 G steps complete two epochs (the third is cut short)
    cfg = compose_config(
        [*TINY, *MLP_GRID, "dataset.source.num_samples=64", "g_steps=10", "lr_decay=exponential", "lr_decay_gamma=0.5"],
        tmp_path,
    )
    base = (cfg.optimizer.discriminator.lr, cfg.optimizer.generator.lr)
    trainer = train(cfg)
    assert final_lrs(trainer) == pytest.approx([base[0] * 0.25, base[1] * 0.25])


def test_a_reconstruction_only_run_decays_g_and_leaves_the_idle_d_schedule_alone(tmp_path):
    """loss.n_critic=0: D's optimizer never steps, so its schedule is not stepped either (PyTorch
    warns about a scheduler stepped before its optimizer); G's decays as usual."""
    import warnings

    cfg = compose_config(
        [
            "experiment=sr_digits_x2",
            *TINY,
            "g_steps=2",
            "sample_every=0",
            "loss.n_critic=0",
            "task.pretrain_g_steps=${g_steps}",
            "lr_decay=linear",
        ],
        tmp_path,
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        trainer = train(cfg)
    assert not [w for w in caught if "lr_scheduler.step()" in str(w.message)]
    d_lr, g_lr = final_lrs(trainer)
    assert g_lr == pytest.approx(0.0, abs=1e-12) and d_lr == pytest.approx(cfg.optimizer.discriminator.lr)
