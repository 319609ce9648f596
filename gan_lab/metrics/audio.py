"""Vocoder metrics: mel-spectrogram L1, mel cepstral distortion, and PESQ / STOI when installed.

Each function compares generated audio with the reference clip it was vocoded from, sample
for sample: a vocoder's output is time-aligned with its input, so frames are paired one to one
(no dynamic time warping). :func:`vocoder_metrics` averages them over clips and returns the
protocol with the numbers (sample rate, mel settings, clip list), as every record must.
"""

from __future__ import annotations

import importlib.util
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from torch import Tensor

from gan_lab.audio.mel import MelTransform

MCD_COEFFICIENTS = 24  # c_1 .. c_24: the usual MCD range; c_0 (energy) is left out


def _aligned(generated: Tensor, reference: Tensor) -> tuple[Tensor, Tensor]:
    """Both ``[1, 1, T]`` cut to the shorter length (outputs are within one hop of the input)."""
    n = min(generated.shape[-1], reference.shape[-1])
    return generated.reshape(1, 1, -1)[..., :n].float(), reference.reshape(1, 1, -1)[..., :n].float()


@torch.no_grad()
def mel_l1(generated: Tensor, reference: Tensor, mel: MelTransform) -> float:
    """Mean |log-mel(generated) - log-mel(reference)| over bands and frames, on the loss mels
    (``mel.loss_mel``: full band by default): HiFi-GAN's validation ``mel_spec_error``."""
    g, r = _aligned(generated, reference)
    return float((mel.loss_mel(g) - mel.loss_mel(r)).abs().mean())


@torch.no_grad()
def mel_cepstral_distortion(
    generated: Tensor, reference: Tensor, mel: MelTransform, coefficients: int = MCD_COEFFICIENTS
) -> float:
    """Mel cepstral distortion in dB, averaged over frames:

        MCD = (10 / ln 10) * sqrt(2 * sum_{d=1..D} (c_d - c'_d)^2)

    with ``c = DCT-II (orthonormal) of the natural-log mel magnitude spectrum`` of each frame
    (``mel.loss_mel``, i.e. ``log(max(mel filters @ |STFT|, 1e-5))``), ``D = coefficients``
    (24), ``c_0`` excluded. Frames are paired one to one (the output is time-aligned with the
    input; no DTW). This is an MFCC-style cepstrum, not SPTK's all-pass mel-cepstrum: compare
    values only with other gan_lab MCDs.
    """
    from scipy.fft import dct

    g, r = _aligned(generated, reference)
    cg = dct(mel.loss_mel(g)[0].cpu().double().numpy(), type=2, norm="ortho", axis=0)[1 : coefficients + 1]
    cr = dct(mel.loss_mel(r)[0].cpu().double().numpy(), type=2, norm="ortho", axis=0)[1 : coefficients + 1]
    per_frame = np.sqrt(2.0 * ((cg - cr) ** 2).sum(axis=0))
    return float(10.0 / math.log(10.0) * per_frame.mean())


def speech_quality_available() -> dict[str, bool]:
    """Which of torchmetrics' PESQ (``pesq`` package) and STOI (``pystoi``) can run here."""
    return {
        "pesq": importlib.util.find_spec("pesq") is not None,
        "stoi": importlib.util.find_spec("pystoi") is not None,
    }


@torch.no_grad()
def speech_quality(generated: Tensor, reference: Tensor, sample_rate: int) -> dict[str, float]:
    """Wide-band PESQ and STOI at 16 kHz (both audio resampled), through torchmetrics, for the
    packages that are installed; ``{}`` when neither is."""
    available = speech_quality_available()
    if not any(available.values()):
        return {}
    from gan_lab.datasets.audio.decode import resample

    g, r = _aligned(generated, reference)
    g16 = torch.from_numpy(resample(g.flatten().cpu().numpy(), sample_rate, 16000))
    r16 = torch.from_numpy(resample(r.flatten().cpu().numpy(), sample_rate, 16000))
    scores = {}
    if available["pesq"]:
        from torchmetrics.functional.audio import perceptual_evaluation_speech_quality

        scores["pesq_wb"] = float(perceptual_evaluation_speech_quality(g16, r16, 16000, "wb"))
    if available["stoi"]:
        from torchmetrics.functional.audio import short_time_objective_intelligibility

        scores["stoi"] = float(short_time_objective_intelligibility(g16, r16, 16000))
    return scores


def vocoder_metrics(
    generated: Sequence[Tensor], references: Sequence[Tensor], names: Sequence[str], mel: MelTransform
) -> dict[str, Any]:
    """Per-clip and mean mel L1, MCD (and PESQ/STOI when installed), with their protocol."""
    per_clip = []
    for name, g, r in zip(names, generated, references, strict=True):
        row = {"clip": name, "mel_l1": mel_l1(g, r, mel), "mcd_db": mel_cepstral_distortion(g, r, mel)}
        row.update(speech_quality(g, r, mel.sample_rate))
        per_clip.append(row)
    keys = [k for k in per_clip[0] if k != "clip"] if per_clip else []
    return {
        "mean": {k: float(np.mean([row[k] for row in per_clip])) for k in keys},
        "per_clip": per_clip,
        "protocol": {
            "sample_rate": mel.sample_rate,
            "mel": mel.settings(),
            "mel_l1": "mean |log-mel(G) - log-mel(ref)|, loss mels (fmax = loss_fmax), natural log",
            "mcd": f"(10/ln10) sqrt(2 sum_d (c_d - c'_d)^2), c = orthonormal DCT-II of the log loss-mel, "
            f"d = 1..{MCD_COEFFICIENTS}, frames paired one to one (no DTW)",
            "pesq_stoi": "torchmetrics, 16 kHz (resample_poly), wide-band PESQ",
            "clips": list(names),
        },
    }
