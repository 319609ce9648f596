"""Overrides on resume: learning rates and the schedule length of the new config are what trains."""

import pytest
import torch

from gan_lab.tasks.adversarial import AdversarialModule
from gan_lab.train import train
from helpers import TINY_GRID_RUN, compose_config

GRID = [*TINY_GRID_RUN, "loss=ns"]


@pytest.fixture
def lr_trace(monkeypatch):
    """(g_step, G lr, D lr) after every G step's scheduler step."""
    trace = []
    original = AdversarialModule.step_lr_schedulers

    def spy(self):
        original(self)
        d_opt, g_opt = self.trainer.optimizers
        trace.append((self.g_step, g_opt.param_groups[0]["lr"], d_opt.param_groups[0]["lr"]))

    monkeypatch.setattr(AdversarialModule, "step_lr_schedulers", spy)
    return trace


def test_new_learning_rates_apply_on_resume(tmp_path, lr_trace, caplog):
    train(compose_config([*GRID, "g_steps=2"], tmp_path))
    ckpt = tmp_path / "checkpoints" / "last.ckpt"
    lr_trace.clear()
    trainer = train(compose_config([*GRID, "g_steps=4", f"ckpt_path={ckpt}", "optimizer.generator.lr=1e-4"], tmp_path))
    assert lr_trace == [(3, 1e-4, 2e-4), (4, 1e-4, 2e-4)]
    assert "optimizer.generator.lr: 0.0002 -> 0.0001" in caplog.text
    _, g_opt = trainer.optimizers
    assert int(g_opt.state[next(iter(g_opt.state))]["step"]) == 4  # Adam's state was kept


def test_longer_linear_schedule_on_resume_matches_an_uninterrupted_run(tmp_path, lr_trace, caplog):
    common = [*GRID, "lr_decay=linear"]
    train(compose_config([*common, "g_steps=6"], tmp_path / "straight"))
    straight = list(lr_trace)
    lr_trace.clear()
    train(compose_config([*common, "g_steps=3"], tmp_path / "split"))
    assert lr_trace[-1][1] == 0.0  # the short run's schedule ended at 0
    ckpt = tmp_path / "split" / "checkpoints" / "last.ckpt"
    before = torch.load(ckpt, weights_only=True)["state_dict"]
    lr_trace.clear()
    trainer = train(compose_config([*common, "g_steps=6", f"ckpt_path={ckpt}"], tmp_path / "split"))
    assert lr_trace == straight[3:]  # the learning rates of a 6-step schedule from step 3 on
    assert "decay to 0 at G step 3 -> linear decay to 0 at G step 6" in caplog.text
    after = trainer.lightning_module.state_dict()
    weights = [k for k in before if k.startswith("generator.") and k.endswith("weight")]
    assert not any(torch.equal(before[k], after[k].cpu()) for k in weights)  # the extra steps trained


def test_unchanged_resume_logs_no_change(tmp_path, lr_trace, caplog):
    train(compose_config([*GRID, "g_steps=2"], tmp_path))
    lr_trace.clear()
    train(compose_config([*GRID, "g_steps=3", f"ckpt_path={tmp_path / 'checkpoints' / 'last.ckpt'}"], tmp_path))
    assert lr_trace == [(3, 2e-4, 2e-4)]
    assert "resumed with settings" not in caplog.text
