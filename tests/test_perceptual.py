"""VGG19 perceptual loss: the chosen layer of torchvision's VGG19, ImageNet normalisation of [-1, 1]
inputs, frozen weights outside the checkpoint, and a clear error when the weights file is missing."""

import pytest
import torch
import torch.nn.functional as F
from torchvision.models import vgg19

from gan_lab.errors import GanLabError
from gan_lab.models.paired import PerceptualWeightsError, VGGPerceptualLoss

MEAN = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
STD = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)


@pytest.fixture(scope="module")
def vgg_file(tmp_path_factory):
    """A randomly initialised VGG19 saved as torchvision names it (features only: the classifier
    would add 500 MB the loss never reads)."""
    torch.manual_seed(0)
    with torch.device("meta"):
        features = vgg19(weights=None).features
    features.to_empty(device="cpu")
    for layer in features:
        if hasattr(layer, "reset_parameters"):
            layer.reset_parameters()
    path = tmp_path_factory.mktemp("vgg") / "vgg19-random.pth"
    torch.save({f"features.{k}": v for k, v in features.state_dict().items()}, path)
    return path, features


def _reference(features, x, upto):
    with torch.no_grad():
        return features[:upto]((((x + 1) / 2) - MEAN) / STD)


def test_conv5_4_before_relu_l1_matches_torchvision_layers(vgg_file):
    path, features = vgg_file
    loss = VGGPerceptualLoss(path)
    fake, real = torch.rand(2, 3, 32, 32) * 2 - 1, torch.rand(2, 3, 32, 32) * 2 - 1
    # conv5_4 is features[34] in torchvision's VGG19; relu5_4 is features[35].
    expected = F.l1_loss(_reference(features, fake, 35), _reference(features, real, 35))
    assert torch.allclose(loss(fake, real), expected, rtol=1e-5)
    after_relu = VGGPerceptualLoss(path, before_relu=False, criterion="l2")
    assert after_relu.layer == "relu5_4"
    expected = F.mse_loss(_reference(features, fake, 36), _reference(features, real, 36))
    assert torch.allclose(after_relu(fake, real), expected, rtol=1e-5)


def test_gradients_reach_fake_only_and_nothing_is_trainable(vgg_file):
    loss = VGGPerceptualLoss(vgg_file[0], layer="relu2_2")
    assert list(loss.parameters()) == []
    assert loss.state_dict() == {}  # the 80 MB of VGG stay out of checkpoints
    loss.train()
    assert not loss.features.training
    fake = torch.rand(1, 3, 32, 32, requires_grad=True)
    real = torch.rand(1, 3, 32, 32, requires_grad=True)
    value = loss(fake, real)
    value.backward()
    assert value > 0 and fake.grad.abs().sum() > 0 and real.grad is None
    assert loss(real, real) == 0


def test_grayscale_is_repeated_to_rgb(vgg_file):
    loss = VGGPerceptualLoss(vgg_file[0], layer="conv3_1")
    fake, real = torch.rand(2, 1, 32, 32), torch.rand(2, 1, 32, 32)
    assert torch.allclose(loss(fake, real), loss(fake.repeat(1, 3, 1, 1), real.repeat(1, 3, 1, 1)))


def test_missing_weights_file_says_where_to_get_it(tmp_path):
    with pytest.raises(PerceptualWeightsError) as info:
        VGGPerceptualLoss(tmp_path / "vgg19.pth")
    assert isinstance(info.value, GanLabError)
    message = str(info.value)
    assert "task.perceptual.weights_path" in message and "vgg19-dcbb9e9d.pth" in message
    assert str(tmp_path / "vgg19.pth") in message


def test_wrong_file_refused(tmp_path):
    path = tmp_path / "not_vgg.pth"
    torch.save({"weight": torch.zeros(3)}, path)
    with pytest.raises(PerceptualWeightsError, match="not torchvision's VGG19"):
        VGGPerceptualLoss(path, layer="conv1_1")
    path.write_text("<html>404</html>")
    with pytest.raises(PerceptualWeightsError, match="cannot read"):
        VGGPerceptualLoss(path, layer="conv1_1")


def test_unknown_layer_or_criterion(vgg_file):
    with pytest.raises(ValueError, match="conv5_4"):
        VGGPerceptualLoss(vgg_file[0], layer="conv6_1")
    with pytest.raises(ValueError, match="criterion"):
        VGGPerceptualLoss(vgg_file[0], criterion="huber")
