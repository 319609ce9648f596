"""The latent search of semantic inpainting (gan_lab/latent_inpainting/optimise.py)."""

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from gan_lab.latent_inpainting.context_loss import context_loss, context_weights
from gan_lab.latent_inpainting.optimise import inpaint_latents, prior_loss


class TinyGenerator(nn.Module):
    def __init__(self, latent_dim=4):
        super().__init__()
        torch.manual_seed(0)
        self.net = nn.Sequential(nn.Linear(latent_dim, 64), nn.Tanh())

    def forward(self, z):
        return self.net(z).view(-1, 1, 8, 8)


class TinyDiscriminator(nn.Module):
    def __init__(self):
        super().__init__()
        torch.manual_seed(1)
        self.net = nn.Sequential(nn.Flatten(), nn.Linear(64, 1))

    def forward(self, x):
        return self.net(x).squeeze(1)


def problem(prior_value=0.6):
    g, d = TinyGenerator().eval(), TinyDiscriminator().eval()
    with torch.no_grad():
        image = g(torch.full((2, 4), prior_value) * torch.tensor([[1.0], [-1.0]]))
    hole = torch.zeros(2, 1, 8, 8)
    hole[..., 2:6, 2:6] = 1.0
    return g, d, image, hole


def test_context_loss_decreases_over_the_iterations():
    g, d, image, hole = problem()
    result = inpaint_latents(g, d, image, hole, latent_dim=4, prior="uniform", candidates=3, iterations=60, lr=0.05)
    history = result.context_history  # [iterations + 1, images, candidates]
    assert history.shape == (61, 2, 3)
    assert (history[-1] < 0.5 * history[0]).all()
    assert history.mean((1, 2))[30] < history.mean((1, 2))[0]


def test_best_candidate_is_returned_with_its_sample():
    g, d, image, hole = problem()
    result = inpaint_latents(g, d, image, hole, latent_dim=4, prior="uniform", candidates=4, iterations=5, lr=0.05)
    final = result.objective_history[-1]
    with torch.no_grad():
        generated = g(result.latents)
        objective = context_loss(generated, image, context_weights(hole)) + 0.003 * prior_loss(d, generated)
    torch.testing.assert_close(objective, final.min(1).values)
    torch.testing.assert_close(result.generated, generated)


@pytest.mark.parametrize(("prior", "bound"), [("uniform", 1.0), ("normal", 0.5)])
def test_latents_stay_inside_the_prior_support(prior, bound):
    g, d, image, hole = problem(prior_value=0.99)
    # a large step pushes the latents hard against the bound
    result = inpaint_latents(
        g, d, image, hole, latent_dim=4, prior=prior, candidates=4, iterations=20, lr=5.0, normal_bound=bound
    )
    assert result.latents.abs().max() <= bound
    assert (result.latents.abs() == bound).any()  # the clamp did act: without it they would leave


def test_prior_loss_is_the_non_saturating_generator_loss():
    d = TinyDiscriminator()
    x = torch.randn(3, 1, 8, 8)
    torch.testing.assert_close(prior_loss(d, x), -F.logsigmoid(d(x)))


def test_networks_get_no_gradients():
    g, d, image, hole = problem()
    inpaint_latents(g, d, image, hole, latent_dim=4, prior="normal", candidates=2, iterations=3)
    assert all(p.grad is None for p in [*g.parameters(), *d.parameters()])
