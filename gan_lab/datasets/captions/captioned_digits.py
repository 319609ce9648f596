"""The bundled MNIST digits with generated captions: "a thin seven", "a seven", "a bold seven".

Stroke thickness is measured by the ink pixel count (pixels above half intensity of the 28 px
original) compared with the other digits *of the same class*: the lowest third of each class
is "thin", the highest third "bold", the middle third gets no adjective. Ranking within the
class removes the shape effect (a one has far less ink than an eight at the same pen width).
The measure and captions are deterministic: computed once from the pixels, no randomness.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor
from torch.utils.data import Dataset

from gan_lab.datasets.bundled_mnist import BundledMNIST
from gan_lab.errors import IncompatibleConfigError
from gan_lab.text.tokenizer import HashedWordTokenizer

DIGIT_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
THICKNESS_WORDS = ("thin", "", "bold")  # per-class tertiles of the ink count


def thickness_classes(
    ink: Tensor, labels: Tensor, thin_quantile: float = 1 / 3, bold_quantile: float = 2 / 3
) -> Tensor:
    """0 (thin), 1 (middle) or 2 (bold) per item: ``ink <= q_thin`` / ``ink > q_bold`` with the quantiles
    of ``ink`` taken among the items of the same label."""
    if not 0.0 < thin_quantile <= bold_quantile < 1.0:
        raise IncompatibleConfigError(
            f"need 0 < thin_quantile <= bold_quantile < 1, got {thin_quantile} and {bold_quantile}"
        )
    out = torch.ones(len(ink), dtype=torch.long)
    ink = ink.float()
    for label in labels.unique():
        members = labels == label
        low, high = torch.quantile(ink[members], torch.tensor([thin_quantile, bold_quantile]))
        out[members & (ink <= low)] = 0
        out[members & (ink > high)] = 2
    return out


def digit_captions(label: int, thickness: int) -> list[str]:
    """The captions of a digit: ``["a thin seven"]``, ``["a seven"]`` or ``["a bold seven"]``."""
    adjective = THICKNESS_WORDS[int(thickness)]
    return [" ".join(w for w in ("a", adjective, DIGIT_WORDS[int(label)]) if w)]


class CaptionedDigits(Dataset):
    """Args: image_size, channels (as :class:`BundledMNIST`); tokenizer: ``{buckets, max_words}``;
    thin_quantile, bold_quantile: the per-class ink-count quantiles that split thin / middle / bold.
    Items: ``{"real": [C, S, S] in [-1, 1], "caption": int64 [max_words], "label": int}``."""

    provides = ("real", "caption", "label")
    data_kind = "image"
    num_classes = None  # the family conditions on text; labels are for metrics

    def __init__(
        self,
        image_size: int = 28,
        channels: int = 1,
        tokenizer: dict[str, int] | None = None,
        thin_quantile: float = 1 / 3,
        bold_quantile: float = 2 / 3,
    ) -> None:
        self.digits = BundledMNIST(28, 1)  # thickness is measured on the 28 px originals
        self.images = self.digits if int(image_size) == 28 and channels == 1 else BundledMNIST(image_size, channels)
        self.labels = self.digits.targets
        self.ink = (self.digits.images > 127).flatten(1).sum(1)
        self.thickness = thickness_classes(self.ink, self.labels, thin_quantile, bold_quantile)
        self.tokenizer = HashedWordTokenizer(**(tokenizer or {}))

    def __len__(self) -> int:
        return len(self.labels)

    def caption_texts(self, index: int) -> list[str]:
        return digit_captions(int(self.labels[index]), int(self.thickness[index]))

    def __getitem__(self, index: int) -> dict:
        image, label = self.images[index]
        return {"real": image, "caption": self.tokenizer(self.caption_texts(index)[0]), "label": int(label)}

    @staticmethod
    def prompts(labels: Sequence[int], thickness: int = 1) -> list[str]:
        """Captions naming ``labels`` with one thickness (1: none), e.g. for caption-consistency checks."""
        return [digit_captions(label, thickness)[0] for label in labels]
