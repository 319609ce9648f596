"""Feature matching (gan_lab.losses.feature_matching) against hand computations, in both settings."""

import pytest
import torch

from gan_lab.losses.feature_matching import feature_matching_loss


def outputs(logit, *features):
    return torch.tensor([logit]), [torch.tensor(f) for f in features]


REAL = [outputs(1.0, [0.0, 0.0], [1.0, 1.0, 1.0]), outputs(0.0, [2.0])]
FAKE = [outputs(0.0, [1.0, 3.0], [1.0, 1.0, 4.0]), outputs(0.5, [0.0])]
# per-layer mean |real - fake|: D1: (1 + 3) / 2 = 2, (0 + 0 + 3) / 3 = 1, logits 1; D2: 2, logits 0.5


def test_hifigan_setting_sums_every_layer_and_the_logits():
    loss = feature_matching_loss(REAL, FAKE, layer_weight=1.0, average_over_discriminators=False, include_logits=True)
    assert float(loss) == pytest.approx(2 + 1 + 1 + 2 + 0.5)


def test_melgan_setting_weights_layers_and_averages_discriminators():
    # lambda 10 is the task's weight; here 4 / (n_layers + 1) with n_layers = 4 and 1 / num_D = 1/2
    loss = feature_matching_loss(REAL, FAKE, layer_weight=0.8, average_over_discriminators=True, include_logits=False)
    assert float(loss) == pytest.approx(0.5 * 0.8 * (2 + 1 + 2))


def test_no_gradient_reaches_the_real_side():
    real = [(torch.zeros(1), [torch.ones(2, requires_grad=True)])]
    fake = [(torch.zeros(1), [torch.zeros(2, requires_grad=True)])]
    feature_matching_loss(real, fake).backward()
    assert real[0][1][0].grad is None and fake[0][1][0].grad is not None
