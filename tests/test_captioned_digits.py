"""gan_lab.datasets.captions.captioned_digits: captions from the label and the stroke thickness."""

import torch

from gan_lab.datasets.captions import CaptionedDigits, digit_captions, thickness_classes
from gan_lab.text import HashedWordTokenizer


def test_thickness_tertiles_are_taken_within_each_class():
    labels = torch.tensor([0] * 6 + [1] * 6)
    ink = torch.tensor([1, 2, 3, 4, 5, 6, 10, 20, 30, 40, 50, 60])
    # quantiles of 1..6 at 1/3 and 2/3 (linear): 2.67 and 4.33 -> thin 1, 2; middle 3, 4; bold 5, 6
    expected = torch.tensor([0, 0, 1, 1, 2, 2] * 2)
    assert torch.equal(thickness_classes(ink, labels), expected)
    # a class with much more ink overall is still split into its own thirds
    assert torch.equal(thickness_classes(ink[6:], labels[6:]), expected[6:])


def test_caption_text():
    assert digit_captions(7, 0) == ["a thin seven"]
    assert digit_captions(2, 2) == ["a bold two"]
    assert digit_captions(0, 1) == ["a zero"]
    assert CaptionedDigits.prompts([1, 9], 2) == ["a bold one", "a bold nine"]


def test_the_bundled_digits_get_deterministic_thirds():
    data = CaptionedDigits(tokenizer={"buckets": 1024, "max_words": 8})
    again = CaptionedDigits(tokenizer={"buckets": 1024, "max_words": 8})
    assert torch.equal(data.thickness, again.thickness)
    assert len(data) == 10_000
    counts = torch.bincount(data.thickness, minlength=3).float() / len(data)
    assert (counts > 0.28).all() and (counts < 0.40).all()
    for label in range(10):  # bold digits carry more ink than thin ones of the same class
        members = data.labels == label
        assert data.ink[members & (data.thickness == 2)].min() > data.ink[members & (data.thickness == 0)].max()
    item = data[0]
    assert set(item) == {"real", "caption", "label"}
    assert item["real"].shape == (1, 28, 28) and item["real"].min() >= -1
    text = data.caption_texts(0)[0]
    assert (
        text.split()[-1]
        == ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"][item["label"]]
    )
    assert torch.equal(item["caption"], HashedWordTokenizer(1024, 8)(text))
