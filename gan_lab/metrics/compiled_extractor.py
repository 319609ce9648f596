"""torch.compile of the Inception extractor, used only where the compile time is repaid.

Measured on a shared 2-core CPU (docs/feature_extraction.md): compiling costs
40-60 s once per extractor and input size, after which extraction ran at 3.4x
torch-fidelity's loop (4.3x with channels_last), with features within 1.7e-5
of torch-fidelity's (2e-6 of the largest feature value; FID changed by 2e-9
relative). So the compiled model pays off only on large extractions;
``compile="auto"`` uses it for calls of at least ``min_images`` images on CPU
(on CUDA the gain is unmeasured here, so ``auto`` stays eager there), ``True``
always, ``False`` never.

Inductor's ``freezing`` is on while compiling: it treats the (frozen) weights as
constants, which lets it fold BatchNorm and pre-pack the convolution weights for
oneDNN (PyTorch's recommended setting for CPU inference).

The graph is compiled for one fixed batch shape (``dynamic=False``): a last,
smaller batch is padded with copies of its first image and the padding's
features are dropped, instead of paying a second compilation. Images are
independent in an eval-mode Inception, so padding does not change the features.
"""

from __future__ import annotations

import logging
import time

import torch
from torch import Tensor, nn

log = logging.getLogger(__name__)

# Images per call from which compile="auto" compiles on CPU: the measured break-even
# (compile overhead / time saved per image) was 160-220 images; 1000 leaves room for a
# faster eager baseline or a slower compiler.
COMPILE_MIN_IMAGES = 1000


def parse_compile_setting(value: bool | str) -> bool | str:
    """``"auto"``, ``True`` or ``False`` from a config value (``"true"``/``"false"`` strings accepted)."""
    from gan_lab.errors import GanLabError

    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in ("auto", "true", "false"):
            return {"auto": "auto", "true": True, "false": False}[lowered]
    elif isinstance(value, bool):
        return value
    raise GanLabError(f"compile={value!r}: use auto, true or false")


def should_compile(setting: bool | str, num_images: int | None, device: torch.device, min_images: int) -> bool:
    """Whether one extraction of ``num_images`` images (``None``: unknown) should run compiled."""
    if setting == "auto":
        return device.type == "cpu" and num_images is not None and num_images >= min_images
    return bool(setting)


class CompiledExtractor:
    """``model`` under ``torch.compile`` for batches of exactly ``batch_size`` images.

    Compiles on the first call; ``compile_seconds`` is then the time that first call took
    beyond an eager batch would have (compilation plus the first run). When compilation
    fails (e.g. no C++ compiler for inductor on CPU) it warns once and runs ``model`` eagerly.
    """

    def __init__(self, model: nn.Module, batch_size: int, channels_last: bool = False) -> None:
        self.model = model
        self.batch_size = int(batch_size)
        self.memory_format = torch.channels_last if channels_last else torch.contiguous_format
        self.compiled = torch.compile(model, dynamic=False)
        self.compile_seconds: float | None = None
        self.failed = False

    def __call__(self, images: Tensor) -> tuple[Tensor, ...]:
        n = len(images)
        if n > self.batch_size:
            raise ValueError(f"batch of {n} images, compiled for at most {self.batch_size}")
        if self.failed:
            return self.model(images)
        padded = images
        if n < self.batch_size:
            filler = images[:1].expand(self.batch_size - n, *images.shape[1:])
            padded = torch.cat([images, filler]).contiguous(memory_format=self.memory_format)
        start = time.perf_counter()
        try:
            import torch._inductor.config as inductor_config

            with inductor_config.patch(freezing=True):
                out = self.compiled(padded)
        except Exception as err:  # inductor needs a working C++ toolchain on CPU
            log.warning("torch.compile of the Inception extractor failed (%s): extracting eagerly", err)
            self.failed = True
            return self.model(images)
        if self.compile_seconds is None:
            self.compile_seconds = time.perf_counter() - start
            log.info("Inception extractor compiled in %.1f s (first batch included)", self.compile_seconds)
        return tuple(o[:n] for o in out)
