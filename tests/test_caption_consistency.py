"""gan_lab.metrics.caption_consistency, with a stub classifier that reads the digit off pixel row 0."""

import pytest
import torch
from torch import nn

from gan_lab.datasets.captions.captioned_digits import DIGIT_WORDS
from gan_lab.metrics.caption_consistency import caption_consistency, digit_prompts


class PixelClassifier(nn.Module):
    """Predicts the digit d whose pixel (0, d) is brightest."""

    def __init__(self) -> None:
        super().__init__()
        self.head = nn.Identity()

    def features(self, x):
        return x[:, 0, 0, :10]


def _images(captions, follow_digit=True, follow_thickness=True):
    out = -torch.ones(len(captions), 1, 28, 28)
    for i, caption in enumerate(captions):
        words = caption.split()
        digit = DIGIT_WORDS.index(words[-1]) if follow_digit else i % 10
        out[i, 0, 0, digit] = 1.0
        rows = {"thin": 2, "bold": 10}.get(words[1], 5) if follow_thickness else 5
        out[i, 0, 5 : 5 + rows, 10:20] = 1.0  # ink: 10 pixels per row
    return out


def test_prompts_cover_every_digit_and_thickness():
    captions, digits, thickness = digit_prompts(2)
    assert len(captions) == 60 and captions[:6] == ["a thin zero"] * 2 + ["a zero"] * 2 + ["a bold zero"] * 2
    assert torch.equal(torch.bincount(digits), torch.full((10,), 6))
    assert torch.equal(torch.bincount(thickness), torch.full((3,), 20))


def test_a_model_that_follows_the_caption_scores_one():
    scores = caption_consistency(_images, PixelClassifier(), per_caption=3, batch_size=7)
    assert scores["caption_consistency"] == 1.0 and scores["consistency_thin"] == 1.0
    assert scores["bold_over_thin"] == 1.0
    assert scores["ink_thin"] == pytest.approx(2 * 10 + 1) and scores["ink_bold"] == pytest.approx(10 * 10 + 1)


def test_a_caption_blind_model_scores_chance():
    scores = caption_consistency(
        lambda c: _images(c, follow_digit=False, follow_thickness=False), PixelClassifier(), per_caption=10
    )
    assert scores["caption_consistency"] == pytest.approx(0.1, abs=0.05)
    assert scores["bold_over_thin"] == 0.0  # equal ink: never strictly more
