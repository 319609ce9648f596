import torch

from gan_lab.losses import gradient_penalty, interpolate


def test_zero_for_unit_gradient_norm_everywhere():
    # D(x) = <u, x> with |u| = 1: the input gradient is u at every point.
    u = torch.tensor([0.6, 0.8])
    critic = lambda x: x @ u  # noqa: E731
    assert gradient_penalty(critic, torch.randn(32, 2)).item() < 1e-12


def test_zero_for_unit_norm_nonlinear_critic():
    # D(x) = ||x||₂ has gradient x/||x||, of unit norm wherever x != 0.
    critic = lambda x: x.flatten(1).norm(dim=1)  # noqa: E731
    assert gradient_penalty(critic, torch.randn(16, 3, 4, 4) + 0.1).item() < 1e-10


def test_hand_computed_value_for_linear_critic():
    w = torch.tensor([2.0, 0.0, 0.0])  # gradient norm 2 → penalty (2-1)² = 1
    assert torch.isclose(gradient_penalty(lambda x: x @ w, torch.randn(8, 3)), torch.tensor(1.0))


def test_penalty_is_differentiable_wrt_critic_parameters():
    critic = torch.nn.Linear(3, 1)
    gp = gradient_penalty(lambda x: critic(x).squeeze(1), torch.randn(5, 3))
    gp.backward()
    assert critic.weight.grad is not None and critic.weight.grad.abs().sum() > 0


def test_interpolates_lie_between_real_and_fake():
    real, fake = torch.zeros(100, 2), torch.ones(100, 2)
    x = interpolate(real, fake)
    assert x.shape == real.shape and (x >= 0).all() and (x <= 1).all()
    assert torch.allclose(x[:, 0], x[:, 1])  # one t per sample
    assert x[:, 0].std() > 0.1  # different t across samples


def test_scaled_gradients_give_the_same_penalty():
    # Under fp16 AMP the penalty takes gradients of GradScaler-scaled outputs, then unscales them.
    critic = torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))
    x = torch.randn(16, 3)
    plain = gradient_penalty(lambda v: critic(v).squeeze(1), x)
    scaled = gradient_penalty(lambda v: critic(v).squeeze(1), x, grad_scale=65536.0)
    assert torch.allclose(plain, scaled, rtol=1e-5)


def test_a_tensor_scale_gives_the_same_penalty_and_gradients():
    # GANModule passes the GradScaler's scale as a 0-d device tensor (no host sync).
    critic = torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))
    x = torch.randn(16, 3)
    grads = []
    for scale in (1.0, torch.tensor(1024.0), torch.tensor(1.0)):
        critic.zero_grad()
        penalty = gradient_penalty(lambda v: critic(v).squeeze(1), x, grad_scale=scale)
        penalty.backward()
        grads.append(
            (penalty.detach(), [torch.zeros_like(p) if p.grad is None else p.grad.clone() for p in critic.parameters()])
        )
    for penalty, params in grads[1:]:
        assert torch.allclose(penalty, grads[0][0], rtol=1e-5)
        assert all(torch.allclose(a, b, rtol=1e-4, atol=1e-7) for a, b in zip(params, grads[0][1]))
