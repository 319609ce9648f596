"""R1 penalty: zero for a constant D, γ/2·||w||² for a linear D, lazy scaling."""

import pytest
import torch
from torch import nn

from gan_lab.regularizers import R1Penalty, r1_penalty


class ConstantD(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.c = nn.Parameter(torch.tensor(0.7))

    def forward(self, x):
        return self.c.expand(x.shape[0])


class LinearD(nn.Module):
    def __init__(self, w: torch.Tensor, b: float) -> None:
        super().__init__()
        self.w = nn.Parameter(w.clone())
        self.b = nn.Parameter(torch.tensor(b))

    def forward(self, x):
        return x.flatten(1) @ self.w + self.b


def test_zero_for_constant_discriminator():
    x = torch.randn(5, 1, 4, 4, requires_grad=True)
    assert r1_penalty(ConstantD()(x), x).item() == 0.0
    assert R1Penalty(gamma=10.0)(ConstantD()(x), x).item() == 0.0


def test_linear_discriminator_matches_hand_computation():
    w = torch.tensor([1.0, -2.0, 0.5, 3.0])  # ||w||² = 1 + 4 + 0.25 + 9 = 14.25
    d = LinearD(w, b=0.3)
    x = torch.randn(6, 4, requires_grad=True)
    # ∇_x D(x) = w for every sample -> R1 = γ/2 · 14.25
    assert R1Penalty(gamma=2.0)(d(x), x).item() == pytest.approx(14.25)
    assert R1Penalty(gamma=10.0)(d(x), x).item() == pytest.approx(5 * 14.25)
    # lazy: computed every 4th D step, scaled by 4
    lazy = R1Penalty(gamma=2.0, lazy_interval=4)
    assert lazy(d(x), x).item() == pytest.approx(4 * 14.25)
    assert [lazy.due(s) for s in range(6)] == [True, False, False, False, True, False]


def test_penalty_backpropagates_into_discriminator():
    w = torch.tensor([1.0, -2.0])
    d = LinearD(w, b=0.0)
    x = torch.randn(3, 2, requires_grad=True)
    R1Penalty(gamma=2.0)(d(x), x).backward()
    # d/dw (γ/2 ||w||²) = γ w
    assert torch.allclose(d.w.grad, 2.0 * w)


def test_module_applies_lazy_r1_on_due_steps(tmp_path):
    from zoo_config import build_run, compose_train

    cfg = compose_train(
        [
            "model=mlp",
            "dataset=ring",
            "model.generator.hidden_dims=[16]",
            "model.discriminator.hidden_dims=[16]",
            "regularizers.r1.gamma=1.0",
            "regularizers.r1.lazy_interval=2",
            "loss.n_critic=2",
            "g_steps=2",
        ],
        tmp_path,
    )
    datamodule, module, trainer = build_run(cfg)
    values = []
    r1 = module.r1

    class Spy(R1Penalty):
        def __call__(self, real_out, real_in, grad_scale=1.0):
            value = super().__call__(real_out, real_in, grad_scale)
            values.append(value.item())
            return value

    module.r1 = Spy(r1.gamma, r1.lazy_interval)
    trainer.fit(module, datamodule=datamodule)
    assert int(module.discriminator_steps) == 4
    assert len(values) == 2 and all(v >= 0 for v in values)  # D steps 0 and 2
