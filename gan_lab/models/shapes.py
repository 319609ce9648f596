"""Checks shared by the architectures: which data shapes a model accepts."""

from __future__ import annotations

from collections.abc import Sequence

from gan_lab.errors import IncompatibleConfigError

DCGAN_RESOLUTIONS = (28, 32, 64)
RESNET_RESOLUTIONS = (32, 48, 64)


def image_shape(
    data_shape: Sequence[int], model: str, resolutions: Sequence[int] = DCGAN_RESOLUTIONS
) -> tuple[int, int, int]:
    """Return ``(C, H, W)`` or refuse a shape that an image model cannot take."""
    shape = tuple(int(s) for s in data_shape)
    if len(shape) != 3 or shape[1] != shape[2] or shape[1] not in resolutions:
        raise IncompatibleConfigError(
            f"model={model} needs square images of {'/'.join(map(str, resolutions))} px "
            f"(data shape C,H,W); this dataset gives shape {list(shape)}. "
            "Working combinations: model=dcgan (28/32/64 px) or model=resnet (32/48/64 px) with an image "
            "dataset (bundled_mnist, mnist, fashion_mnist, cifar10, image_folder; set dataset.image_size); "
            "model=mlp with any dataset, including the 2D ones (ring, grid)."
        )
    return shape  # type: ignore[return-value]
