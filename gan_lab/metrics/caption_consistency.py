"""Caption consistency of a text -> image model on the captioned digits: an offline stand-in for
R-precision (AttnGAN) that needs no downloaded text or image encoder.

For every digit and every thickness word ("a thin seven", "a seven", "a bold seven") the model draws
``per_caption`` images; the MNIST classifier (:mod:`gan_lab.metrics.mnist_classifier`) names their digit.
``caption_consistency`` is the fraction named as the caption says (chance: 10 %). The thickness word
is checked too: ``bold_over_thin`` is the fraction of digits whose "bold" images carry more ink
(pixels above 0 in [-1, 1]) on average than their "thin" ones (0.5 when the word is ignored).
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor

from gan_lab.datasets.captions.captioned_digits import DIGIT_WORDS, THICKNESS_WORDS, digit_captions
from gan_lab.metrics.classifier_metrics import classify, grey
from gan_lab.metrics.mnist_classifier import MNISTClassifier


def digit_prompts(per_caption: int) -> tuple[list[str], Tensor, Tensor]:
    """``(captions, digit [N], thickness [N])``: every (digit, thickness) caption ``per_caption`` times."""
    captions, digits, thickness = [], [], []
    for digit in range(len(DIGIT_WORDS)):
        for level in range(len(THICKNESS_WORDS)):
            captions += digit_captions(digit, level) * per_caption
            digits += [digit] * per_caption
            thickness += [level] * per_caption
    return captions, torch.tensor(digits), torch.tensor(thickness)


@torch.no_grad()
def caption_consistency(
    generate: Callable[[list[str]], Tensor],
    classifier: MNISTClassifier,
    per_caption: int = 20,
    batch_size: int = 250,
) -> dict[str, float]:
    """Metrics of ``generate(captions) -> images [N, C, H, W] in [-1, 1]`` (see the module docstring);
    also the accuracy per thickness word and the images' classifier features (for a Fréchet distance)."""
    captions, digits, thickness = digit_prompts(per_caption)
    images = torch.cat(
        [generate(captions[i : i + batch_size]).float().cpu() for i in range(0, len(captions), batch_size)]
    )
    predicted, _ = classify(classifier, grey(images))
    correct = (predicted == digits).float()
    ink = (grey(images) > 0).flatten(1).float().sum(1)
    out = {"caption_consistency": float(correct.mean())}
    for level, word in enumerate(THICKNESS_WORDS):
        out[f"consistency_{word or 'plain'}"] = float(correct[thickness == level].mean())
    bolder = [
        float(ink[(digits == d) & (thickness == 2)].mean() > ink[(digits == d) & (thickness == 0)].mean())
        for d in range(len(DIGIT_WORDS))
    ]
    out["bold_over_thin"] = sum(bolder) / len(bolder)
    out["ink_thin"] = float(ink[thickness == 0].mean())
    out["ink_bold"] = float(ink[thickness == 2].mean())
    return out
