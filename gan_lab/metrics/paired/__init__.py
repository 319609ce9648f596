"""Metrics of paired image-to-image modules (pix2pix, super-resolution, inpainting): each output
is scored against its target.

=================  =====================================================  ======================
name               what                                                   consumes
=================  =====================================================  ======================
``psnr``           peak signal-to-noise ratio, dB (torchmetrics)          outputs, targets
``ssim``           SSIM, Gaussian window 11, sigma 1.5 (torchmetrics)     outputs, targets
``ms_ssim``        multi-scale SSIM, 5 scales (torchmetrics)              outputs, targets
``lpips``          LPIPS distance (torchmetrics; backbone file by path)   outputs, targets
``hole_l1``        mean |output - target| on the hole, in [0, 1]          outputs, targets, masks
``hole_psnr``      PSNR on the hole pixels only, dB                       outputs, targets, masks
``digit_accuracy`` MNIST-classifier accuracy of the outputs               outputs, labels
=================  =====================================================  ======================

Every value is the mean over images of a per-image value, computed on the uint8 images
(``round((x + 1) * 127.5)``), so a folder of saved PNGs scores like the tensors.
``fid``/``kid``/``prc`` and the MNIST-classifier metrics also accept paired modules
(outputs against targets); see :mod:`gan_lab.metrics.evaluator`.
"""

from __future__ import annotations

from gan_lab.metrics.paired.convention import ImageConvention, rgb_to_y
from gan_lab.metrics.paired.scores import IMAGE_METRICS, PairedScores

__all__ = ["IMAGE_METRICS", "ImageConvention", "PairedScores", "rgb_to_y"]
