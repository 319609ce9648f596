"""Per-image PSNR, SSIM and MS-SSIM through torchmetrics, on images prepared by an
:class:`~gan_lab.metrics.paired.convention.ImageConvention` (float64 in [0, 255])."""

from __future__ import annotations

from torch import Tensor
from torchmetrics.functional.image import (
    multiscale_structural_similarity_index_measure,
    peak_signal_noise_ratio,
    structural_similarity_index_measure,
)

from gan_lab.errors import GanLabError
from gan_lab.metrics.paired.convention import DATA_RANGE

# Wang, Simoncelli and Bovik (2004): Gaussian window of 11 taps, sigma 1.5, K1 0.01, K2 0.03.
SSIM_OPTIONS = {"gaussian_kernel": True, "kernel_size": 11, "sigma": 1.5, "k1": 0.01, "k2": 0.03}
# Wang, Simoncelli and Bovik (2003): five scales with these weights (torchmetrics' default).
MS_SSIM_BETAS = (0.0448, 0.2856, 0.3001, 0.2363, 0.1333)


def _check(outputs: Tensor, targets: Tensor) -> None:
    if outputs.shape != targets.shape:
        raise GanLabError(f"output and target sizes differ: {list(outputs.shape)} vs {list(targets.shape)}")


def psnr(outputs: Tensor, targets: Tensor) -> Tensor:
    """``[N]`` PSNR in dB, each over one whole image (inf where it equals its target)."""
    _check(outputs, targets)
    return peak_signal_noise_ratio(outputs, targets, data_range=DATA_RANGE, reduction="none", dim=(1, 2, 3))


def ssim(outputs: Tensor, targets: Tensor) -> Tensor:
    """``[N]`` mean SSIM of each image over the positions where the 11-px window lies inside the image
    (channels averaged), as scikit-image and Wang et al.'s MATLAB code (``'valid'`` filtering) average it.
    torchmetrics' own mean also counts the 5-px border, computed on reflect-padded pixels, so its SSIM map
    is taken and that border cut off here."""
    _check(outputs, targets)
    size = SSIM_OPTIONS["kernel_size"]
    if min(outputs.shape[-2:]) < size:
        raise GanLabError(f"SSIM needs images of at least {size} px a side, got {list(outputs.shape[-2:])}")
    _, ssim_map = structural_similarity_index_measure(
        outputs, targets, data_range=DATA_RANGE, reduction="none", return_full_image=True, **SSIM_OPTIONS
    )
    pad = (size - 1) // 2
    return ssim_map[..., pad:-pad, pad:-pad].mean(dim=(1, 2, 3))


def ms_ssim(outputs: Tensor, targets: Tensor) -> Tensor:
    """``[N]`` MS-SSIM of each image, torchmetrics as it is (5 scales: images need at least 176 px a side)."""
    _check(outputs, targets)
    try:
        return multiscale_structural_similarity_index_measure(
            outputs, targets, data_range=DATA_RANGE, reduction="none", betas=MS_SSIM_BETAS, **SSIM_OPTIONS
        )
    except ValueError as err:  # torchmetrics' size check
        raise GanLabError(f"ms_ssim cannot score {list(outputs.shape[-2:])} px images: {err}") from None
