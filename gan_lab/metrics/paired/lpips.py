"""LPIPS (Zhang et al., 2018) through torchmetrics, with the backbone's ImageNet weights read from a file.

torchmetrics' LPIPS ships its small linear layers in the wheel but has torchvision download
the backbone (AlexNet, VGG-16 or SqueezeNet) into the torch hub cache. Offline that fails, so
gan_lab looks for the backbone file itself: ``lpips_weights=PATH`` (any file name), else the hub
cache under torchvision's own name (e.g. ``alexnet-owt-7be5be79.pth``), else, with
``download_weights=true``, torchvision's download. Without any of these LPIPS is skipped after
one warning.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

import torch
from torch import Tensor

from gan_lab.errors import GanLabError
from gan_lab.metrics.protocol import file_sha256

log = logging.getLogger(__name__)

# torchmetrics' net_type -> torchvision's weights enum
BACKBONES = {"alex": "AlexNet_Weights", "vgg": "VGG16_Weights", "squeeze": "SqueezeNet1_1_Weights"}
_warned = False


def backbone_file_name(net: str) -> str:
    """The file torchvision downloads for ``net`` (e.g. ``alexnet-owt-7be5be79.pth``)."""
    import torchvision

    if net not in BACKBONES:
        raise GanLabError(f"lpips_net={net!r}: choose from {sorted(BACKBONES)}")
    return os.path.basename(getattr(torchvision.models, BACKBONES[net]).DEFAULT.url)


def resolve_backbone(
    net: str, weights_path: str | None, download: bool, setting: str, warn: bool = True
) -> Path | None:
    """The backbone weights file to use, or ``None`` (after one warning, unless ``warn`` is false:
    the caller then says it) when there is none.

    An explicit ``weights_path`` that does not exist is a user error, not a skip."""
    global _warned
    if weights_path:
        path = Path(str(weights_path)).expanduser()
        if not path.is_file():
            raise GanLabError(f"{setting}={weights_path}: no such file (the LPIPS backbone's torchvision weights)")
        return path.resolve()
    standard = Path(torch.hub.get_dir()) / "checkpoints" / backbone_file_name(net)
    if standard.is_file():
        return standard
    if download:
        try:
            standard.parent.mkdir(parents=True, exist_ok=True)
            import torchvision

            url = getattr(torchvision.models, BACKBONES[net]).DEFAULT.url
            torch.hub.download_url_to_file(url, str(standard), progress=False)
            return standard
        except Exception as err:  # offline: URLError, socket errors, ...
            reason = f"{type(err).__name__}: {str(err)[:100]}"
    else:
        reason = "download disabled"
    if warn and not _warned:
        log.warning(
            "LPIPS backbone weights not found at %s and not downloadable (%s): lpips is skipped. "
            "Copy %s there, or set %s=/path/to/%s",
            standard,
            reason,
            standard.name,
            setting,
            standard.name,
        )
        _warned = True
    return None


class LPIPS:
    """torchmetrics' ``LearnedPerceptualImagePatchSimilarity`` built on the backbone file ``weights``."""

    def __init__(self, weights: str | Path, net: str = "alex", device: str | torch.device = "cpu") -> None:
        from torchmetrics.image.lpip import LearnedPerceptualImagePatchSimilarity

        self.net = net
        self.weights = Path(weights)
        self.weights_sha256 = file_sha256(self.weights)
        expected = backbone_file_name(net)
        hub_dir = torch.hub.get_dir()
        with tempfile.TemporaryDirectory() as tmp:
            if self.weights.parent.name != "checkpoints" or self.weights.name != expected:
                # torchvision reads <hub dir>/checkpoints/<its own file name>: point it at the user's file
                (Path(tmp) / "checkpoints").mkdir()
                os.symlink(self.weights.resolve(), Path(tmp) / "checkpoints" / expected)
                torch.hub.set_dir(tmp)
            else:
                torch.hub.set_dir(str(self.weights.parent.parent))
            try:
                self.metric = LearnedPerceptualImagePatchSimilarity(net_type=net, reduction="none")
            except RuntimeError as err:  # a file that is not this backbone's state dict
                raise GanLabError(f"{self.weights} is not torchvision's {expected}: {str(err)[:200]}") from None
            finally:
                torch.hub.set_dir(hub_dir)
        self.metric.to(device)

    @property
    def name(self) -> str:
        return f"lpips-{self.net}"

    @torch.inference_mode()
    def __call__(self, outputs: Tensor, targets: Tensor) -> Tensor:
        """``[N]`` LPIPS distances of uint8 images (grey images are repeated to RGB)."""
        device = next(self.metric.parameters()).device
        a, b = (x.expand(-1, 3, -1, -1) if x.shape[1] == 1 else x for x in (outputs, targets))
        a, b = (x.to(device).float() / 127.5 - 1.0 for x in (a, b))
        try:
            self.metric.update(a, b)
            return self.metric.compute().reshape(-1).double().cpu()
        except RuntimeError as err:  # the backbone's pooling runs out of pixels on small images
            raise GanLabError(f"lpips ({self.net}) cannot score {list(a.shape[-2:])} px images: {err}") from None
        finally:
            self.metric.reset()
