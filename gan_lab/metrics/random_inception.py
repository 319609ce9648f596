"""A randomly initialised Inception-v3 weights file in torch-fidelity's layout.

For offline tests and benchmarks only: the numbers it gives have no meaning as
image quality, but torch-fidelity and gan_lab must agree on them, and the file
goes through the same ``metrics.inception_weights`` setting a user would use
with the real weights.
"""

from __future__ import annotations

import math
from pathlib import Path
from unittest import mock

import torch
from torch import nn


def write_random_inception_weights(path: str | Path, seed: int = 0) -> Path:
    """Build torch-fidelity's ``FeatureExtractorInceptionV3`` without loading weights,
    re-initialise it (He-normal convolutions so activations keep their scale through
    the ~90 layers; small random BatchNorm statistics; random fc) and save its state_dict."""
    from torch_fidelity import feature_extractor_inceptionv3 as fe

    torch.manual_seed(seed)
    # The constructor always loads a state dict: hand it nothing and skip the load.
    with (
        mock.patch.object(fe, "load_state_dict_from_url", lambda *a, **k: None),
        mock.patch.object(fe.FeatureExtractorInceptionV3, "load_state_dict", lambda self, sd, *a, **k: None),
    ):
        model = fe.FeatureExtractorInceptionV3("inception-v3-compat", ["2048"], verbose=False)
    for module in model.modules():
        if isinstance(module, nn.Conv2d):
            nn.init.kaiming_normal_(module.weight, nonlinearity="relu")
        elif isinstance(module, nn.BatchNorm2d):
            nn.init.uniform_(module.weight, 0.8, 1.2)
            nn.init.normal_(module.bias, 0.0, 0.1)
            module.running_mean.normal_(0.0, 0.1)
            module.running_var.uniform_(0.8, 1.2)
        elif isinstance(module, nn.Linear):
            nn.init.normal_(module.weight, 0.0, 1.0 / math.sqrt(module.in_features))
            nn.init.normal_(module.bias, 0.0, 0.1)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(model.state_dict(), path)
    return path
