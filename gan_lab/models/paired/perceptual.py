"""Perceptual (VGG feature) loss of SRGAN/ESRGAN (Johnson et al., 2016; Ledig et al., 2017):
the L1 or L2 distance between VGG19 features of the generated and the real image.

BasicSR's MSRGAN/ESRGAN recipes use conv5_4 taken before its ReLU with an L1 criterion (the
defaults here). The network is torchvision's VGG19; its ImageNet weights are not downloaded here:
the user points ``task.perceptual.weights_path`` at torchvision's file.

The VGG weights are kept as non-persistent buffers rather than parameters: they move with
``.to(device)`` but are never trained and are not written into every checkpoint (80 MB).
"""

from __future__ import annotations

from pathlib import Path

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torchvision.models import vgg19

from gan_lab.errors import GanLabError

VGG19_URL = "https://download.pytorch.org/models/vgg19-dcbb9e9d.pth"
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
CRITERIA = {"l1": F.l1_loss, "l2": F.mse_loss, "mse": F.mse_loss}


class PerceptualWeightsError(GanLabError):
    """The VGG19 weights file for the perceptual loss is missing or is not a VGG19 state dict."""


def _weights_help(path: Path) -> str:
    return (
        f"Download torchvision's ImageNet VGG19 weights ({VGG19_URL}, the file that "
        "torchvision.models.VGG19_Weights.IMAGENET1K_V1 loads) and set task.perceptual.weights_path to it, "
        f"or turn the perceptual loss off. Looked for: {path}"
    )


def vgg19_layer_names(features: nn.Sequential) -> list[str]:
    """Names of torchvision's ``vgg19().features`` entries in the paper's notation: conv1_1,
    relu1_1, conv1_2, ..., pool1, conv2_1, ..., relu5_4, pool5."""
    names, block, index = [], 1, 0
    for layer in features:
        if isinstance(layer, nn.Conv2d):
            index += 1
            names.append(f"conv{block}_{index}")
        elif isinstance(layer, nn.ReLU):
            names.append(f"relu{block}_{index}")
        else:
            names.append(f"pool{block}")
            block, index = block + 1, 0
    return names


def _load_features_state(path: Path) -> dict[str, Tensor]:
    if not path.is_file():
        raise PerceptualWeightsError(
            f"the VGG19 weights file for the perceptual loss does not exist. {_weights_help(path)}"
        )
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # a truncated download, an HTML page, a pickle with objects ...
        raise PerceptualWeightsError(f"cannot read the VGG19 weights ({exc}). {_weights_help(path)}") from exc
    if not isinstance(state, dict):
        raise PerceptualWeightsError(f"the VGG19 weights file does not hold a state dict. {_weights_help(path)}")
    return {key.removeprefix("features."): value for key, value in state.items() if key.startswith("features.")}


class VGGPerceptualLoss(nn.Module):
    """Args: weights_path: torchvision's VGG19 ImageNet state dict; layer: feature to compare,
    e.g. 'conv5_4', 'relu2_2' (``before_relu`` picks conv vs relu when a 'convX_Y' name is given);
    criterion: 'l1' or 'l2'. ``loss(fake, real)`` takes images in [-1, 1] (1 or 3 channels;
    1 channel is repeated to RGB) and returns a scalar; gradients flow to ``fake`` only."""

    def __init__(
        self, weights_path: str | Path, layer: str = "conv5_4", before_relu: bool = True, criterion: str = "l1"
    ) -> None:
        super().__init__()
        if criterion not in CRITERIA:
            raise ValueError(f"criterion must be one of {', '.join(CRITERIA)}; got {criterion!r}")
        self.criterion = CRITERIA[criterion]
        with torch.device("meta"):  # structure only: the weights come from the file
            features = vgg19(weights=None).features
        names = vgg19_layer_names(features)
        if not before_relu and layer.startswith("conv"):
            layer = "relu" + layer.removeprefix("conv")
        if layer not in names:
            raise ValueError(f"unknown VGG19 layer {layer!r}; choose one of {', '.join(names)}")
        self.layer = layer
        features = features[: names.index(layer) + 1]
        path = Path(weights_path).expanduser()
        state = _load_features_state(path)
        needed = features.state_dict().keys()
        missing = [key for key in needed if key not in state]
        if missing:
            raise PerceptualWeightsError(
                f"the file is not torchvision's VGG19 state dict (missing features.{missing[0]}). {_weights_help(path)}"
            )
        features.to_empty(device="cpu")
        try:
            features.load_state_dict({key: state[key] for key in needed})
        except RuntimeError as exc:
            raise PerceptualWeightsError(f"the VGG19 weights do not fit ({exc}). {_weights_help(path)}") from exc
        for module in features.modules():
            for name, param in list(module.named_parameters(recurse=False)):
                delattr(module, name)
                module.register_buffer(name, param.detach(), persistent=False)
        self.features = features.eval()
        self.register_buffer("mean", torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1), persistent=False)
        self.register_buffer("std", torch.tensor(IMAGENET_STD).view(1, 3, 1, 1), persistent=False)

    def train(self, mode: bool = True) -> VGGPerceptualLoss:
        super().train(mode)
        self.features.eval()  # a fixed feature extractor
        return self

    def extract(self, images: Tensor) -> Tensor:
        """VGG features of images in [-1, 1], ImageNet-normalised first."""
        if images.shape[1] == 1:
            images = images.expand(-1, 3, -1, -1)
        return self.features(((images + 1) / 2 - self.mean) / self.std)

    def forward(self, fake: Tensor, real: Tensor) -> Tensor:
        with torch.no_grad():
            target = self.extract(real)
        return self.criterion(self.extract(fake), target)
