"""bf16-mixed and 16-mixed (with its GradScaler) train with every loss, penalties included.

16-mixed normally needs a GPU (Lightning swaps it for bf16 on CPU), so the
fp16 case passes Lightning's MixedPrecision plugin with a CPU GradScaler
explicitly: the scaler path, including the penalty's scaled gradients, really runs.
"""

import math

import pytest
import torch
from lightning.pytorch.plugins.precision import MixedPrecision

from gan_lab import builders
from gan_lab.train import train
from helpers import TINY, compose_config, tiny_model_overrides

CASES = [
    ("wgan_gp", []),
    ("ns", ["regularizers.r1.gamma=1.0"]),
    ("hinge", []),
    ("lsgan", []),
    ("wgan", []),
    ("minimax", []),
    ("ragan", []),
]


def finite_params(module) -> bool:
    return all(math.isfinite(float(p.detach().float().abs().max())) for p in module.parameters())


def use_fp16_with_a_cpu_scaler(monkeypatch) -> None:
    """Trainers built by gan_lab.train get Lightning's 16-mixed plugin with a CPU GradScaler."""
    original_build = builders.build_trainer

    def build_with_fp16(cfg, callbacks=None, loggers=None):
        trainer = original_build(cfg, callbacks, loggers)
        scaler = torch.amp.GradScaler(device="cpu", init_scale=2.0**10)
        trainer.strategy.precision_plugin = MixedPrecision("16-mixed", "cpu", scaler)
        return trainer

    monkeypatch.setattr("gan_lab.train.build_trainer", build_with_fp16)


@pytest.mark.parametrize("loss,extra", CASES)
def test_bf16_mixed_trains(tmp_path, loss, extra):
    cfg = compose_config(
        [
            *TINY,
            "model=dcgan",
            *tiny_model_overrides("dcgan"),
            f"loss={loss}",
            "loss.n_critic=1",
            "trainer.precision=bf16-mixed",
            "sample_every=0",
            *extra,
        ],
        tmp_path,
    )
    trainer = train(cfg)
    assert isinstance(trainer.precision_plugin, MixedPrecision) and trainer.precision_plugin.precision == "bf16-mixed"
    assert int(trainer.lightning_module.generator_steps) == 2 and finite_params(trainer.lightning_module)


@pytest.mark.parametrize("loss,extra", [("wgan_gp", []), ("ns", ["regularizers.r1.gamma=1.0"])])
def test_fp16_mixed_with_grad_scaler_on_cpu(tmp_path, monkeypatch, loss, extra):
    scales = []
    use_fp16_with_a_cpu_scaler(monkeypatch)
    from gan_lab.gan_module import GANModule

    original_scale = GANModule.penalty_grad_scale
    monkeypatch.setattr(GANModule, "penalty_grad_scale", lambda self: scales.append(original_scale(self)) or scales[-1])
    cfg = compose_config(
        [
            *TINY,
            "model=mlp",
            *tiny_model_overrides("mlp"),
            "dataset=grid",
            f"loss={loss}",
            "loss.n_critic=1",
            "sample_every=0",
            "dataset.source.num_samples=200",
            "dataset.preview_samples=16",
            *extra,
        ],
        tmp_path,
    )
    trainer = train(cfg)
    assert trainer.precision_plugin.precision == "16-mixed"
    assert scales and all(s >= 1.0 for s in scales) and max(scales) > 1.0  # the penalty saw the scaler's scale
    # ... as a 0-d tensor, not a Python float (reading it on the host would sync with the GPU)
    assert all(isinstance(s, torch.Tensor) and s.dim() == 0 for s in scales)
    assert int(trainer.lightning_module.generator_steps) == 2 and finite_params(trainer.lightning_module)


FAMILY_PRESETS = [
    ("stylegan2_tiny", ["task.path_length.interval=1"]),  # R1 and the path-length penalty (fp32 pl_mean) at every step
    ("pggan_mnist", []),
    ("pix2pix_edges2digits", ["model.generator.width=8", "model.discriminator.width=8"]),
    ("text2image_digits", []),
    ("hifigan_tiny_speech", ["dataset=tones", "dataset.num_clips=8", "dataset.segment_length=2048"]),
]


@pytest.mark.parametrize("preset,extra", FAMILY_PRESETS, ids=[p for p, _ in FAMILY_PRESETS])
def test_bf16_mixed_trains_every_family(tmp_path, preset, extra):
    cfg = compose_config(
        [f"experiment={preset}", *TINY, "data.batch_size=4", "trainer.precision=bf16-mixed", "sample_every=0", *extra],
        tmp_path,
    )
    trainer = train(cfg)
    assert trainer.precision_plugin.precision == "bf16-mixed"
    assert int(trainer.lightning_module.generator_steps) == 2 and finite_params(trainer.lightning_module)


def test_fp16_mixed_with_grad_scaler_trains_stylegan2(tmp_path, monkeypatch):
    """R1 through the scaler and the path-length penalty, whose pl_mean stays fp32."""
    use_fp16_with_a_cpu_scaler(monkeypatch)
    cfg = compose_config(
        ["experiment=stylegan2_tiny", *TINY, "data.batch_size=4", "sample_every=0", "task.path_length.interval=1"],
        tmp_path,
    )
    trainer = train(cfg)
    module = trainer.lightning_module
    assert trainer.precision_plugin.precision == "16-mixed" and module.pl_mean.dtype == torch.float32
    assert int(module.generator_steps) == 2 and finite_params(module) and math.isfinite(float(module.pl_mean))
