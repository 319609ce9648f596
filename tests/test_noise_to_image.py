"""The noise -> image family on datasets whose items are dicts (they provide more than it needs)."""

from __future__ import annotations

import torch

from gan_lab.tasks.noise_to_image import NoiseToImage
from gan_lab.train import train
from helpers import TINY, compose_config, tiny_model_overrides


def test_real_and_labels_of_tuple_and_dict_batches():
    real, labels = torch.zeros(2, 1, 4, 4), torch.tensor([3, 4])
    assert NoiseToImage.real_and_labels((real, labels))[1] is labels
    got_real, got_labels = NoiseToImage.real_and_labels({"real": real, "caption": torch.zeros(2, 5), "label": labels})
    assert got_real is real and got_labels is labels
    assert NoiseToImage.real_and_labels({"real": real})[1] is None


def test_unconditional_dcgan_trains_on_captioned_digits(tmp_path):
    # the captioned digits provide real, caption and label: an unconditional model uses `real` only
    cfg = compose_config([*TINY, "dataset=captioned_digits", "model=dcgan", *tiny_model_overrides("dcgan")], tmp_path)
    module = train(cfg).lightning_module
    assert int(module.generator_steps) == 2
