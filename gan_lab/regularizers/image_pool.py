"""The history of generated images that CycleGAN's discriminators train on
(Shrivastava et al., 2017, "Learning from Simulated and Unsupervised Images through Adversarial
Training", section 2.3; Zhu et al., 2017, section 4; size 50 in junyanz's ``util/image_pool.py``).

D sees, instead of the newest fakes only, a mix of new ones and ones G made earlier, which damps
the oscillation between G and D. Hand-written: no library keeps such a pool.

Per image, not per batch: while the pool holds fewer than ``size`` images, each new image is
stored and returned; once full, each new image is, with probability 0.5, swapped with a stored one
chosen uniformly (the stored one is returned, the new one takes its place), else returned as is.
``size = 0``: no pool. The draws come from the global CPU torch RNG (which gan_lab's checkpoints
save and restore), and the stored images are part of ``state_dict`` (``get_extra_state``), so a
resumed run continues with the same pool as an uninterrupted one.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor, nn

from gan_lab.errors import IncompatibleConfigError

SWAP_PROBABILITY = 0.5


class ImagePool(nn.Module):
    def __init__(self, size: int = 50) -> None:
        super().__init__()
        if int(size) < 0:
            raise IncompatibleConfigError(f"the image pool size must be >= 0 (0 = no pool); got {size}")
        self.size = int(size)
        self.images: Tensor | None = None  # [stored, C, H, W], detached

    def __len__(self) -> int:
        return 0 if self.images is None else int(self.images.shape[0])

    @torch.no_grad()
    def query(self, images: Tensor) -> Tensor:
        """The images D should see in place of ``images`` ``[N, C, H, W]`` (see the module docstring)."""
        if self.size == 0:
            return images
        images = images.detach()
        if self.images is not None:
            if self.images.shape[1:] != images.shape[1:]:
                raise IncompatibleConfigError(
                    f"the image pool holds images of shape {tuple(self.images.shape[1:])} but got "
                    f"{tuple(images.shape[1:])}; every generated batch must have the same image size"
                )
            if self.images.device != images.device or self.images.dtype != images.dtype:
                self.images = self.images.to(device=images.device, dtype=images.dtype)
        # Drawn for every image, stored or not, so that each call uses the same amount of the stream.
        swap = (torch.rand(len(images)) < SWAP_PROBABILITY).tolist()
        slots = torch.randint(self.size, (len(images),)).tolist()
        returned = []
        for image, swap_it, slot in zip(images, swap, slots):
            if len(self) < self.size:
                stored = image.unsqueeze(0).clone()
                self.images = stored if self.images is None else torch.cat([self.images, stored])
                returned.append(image)
            elif swap_it:
                returned.append(self.images[slot].clone())
                self.images[slot] = image
            else:
                returned.append(image)
        return torch.stack(returned)

    # --------------------------------------------------------------- checkpoints
    def get_extra_state(self) -> dict[str, Any]:
        """The stored images (an empty tensor while empty), saved with the module's ``state_dict``."""
        return {"images": torch.empty(0) if self.images is None else self.images.clone()}

    def set_extra_state(self, state: dict[str, Any]) -> None:
        images = state["images"]
        if images.numel() == 0:
            self.images = None
            return
        if images.shape[0] > self.size:
            raise IncompatibleConfigError(
                f"the checkpoint's image pool holds {images.shape[0]} images but the pool size is {self.size}; "
                f"resume with the pool size the run was trained with"
            )
        self.images = images.clone()

    def extra_repr(self) -> str:
        return f"size={self.size}, stored={len(self)}"
