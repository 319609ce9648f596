"""torch.compile of the Inception extractor: when it is used, and that its features equal the eager ones."""

import pytest
import torch
from torch import nn

from gan_lab.errors import GanLabError
from gan_lab.metrics import fidelity
from gan_lab.metrics.compiled_extractor import CompiledExtractor, parse_compile_setting, should_compile

CPU, CUDA = torch.device("cpu"), torch.device("cuda")


def test_compile_setting_values():
    assert parse_compile_setting("auto") == "auto"
    assert parse_compile_setting("True") is True and parse_compile_setting(False) is False
    with pytest.raises(GanLabError, match="auto, true or false"):
        parse_compile_setting("sometimes")


def test_auto_compiles_only_large_known_extractions_on_cpu():
    assert should_compile("auto", 1000, CPU, 1000)
    assert not should_compile("auto", 999, CPU, 1000)
    assert not should_compile("auto", None, CPU, 1000)  # size unknown: not worth the risk
    assert not should_compile("auto", 10**6, CUDA, 1000)  # unmeasured on CUDA: eager
    assert should_compile(True, 1, CPU, 1000) and not should_compile(False, 10**6, CPU, 1000)


def test_extractor_picks_the_compiled_model_by_call_size(random_inception_weights):
    ext = fidelity.InceptionFeatures(random_inception_weights, batch_size=4, compile="auto", compile_min_images=8)
    assert ext._runner(7) is ext.model and ext._compiled is None
    runner = ext._runner(8)  # torch.compile is lazy: nothing is compiled until the first call
    assert isinstance(runner, CompiledExtractor) and ext._runner(100) is runner
    batches = fidelity.dataset_uint8_batches([(torch.zeros(3, 8, 8), 0)] * 9, list(range(9)), 4)
    assert batches.num_images == 9 and sum(len(b) for b in batches) == 9


class _PerImage(nn.Module):
    """A small per-image model (conv + pooling) standing in for Inception in the padding test."""

    def __init__(self) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.conv = nn.Conv2d(3, 5, 3)

    def forward(self, x):
        y = self.conv(x.float() / 255)
        return y.mean((2, 3)), y.amax((2, 3))


def test_a_short_last_batch_is_padded_and_the_padding_dropped():
    model = _PerImage().eval()
    compiled = CompiledExtractor(model, batch_size=4)
    images = torch.randint(0, 256, (3, 3, 10, 10), dtype=torch.uint8)
    with torch.inference_mode():
        out = compiled(images)
        ref = model(images)
    assert [o.shape for o in out] == [(3, 5), (3, 5)]
    for a, b in zip(out, ref):
        assert (a - b).abs().max() <= 1e-5
    assert compiled.compile_seconds is not None and not compiled.failed
    with pytest.raises(ValueError, match="at most 4"):
        compiled(torch.zeros(5, 3, 10, 10, dtype=torch.uint8))


@pytest.mark.slow  # compiling Inception takes about a minute of CPU
def test_compiled_inception_features_equal_eager(random_inception_weights):
    images = torch.randint(0, 256, (5, 3, 32, 32), dtype=torch.uint8, generator=torch.Generator().manual_seed(0))
    eager = fidelity.InceptionFeatures(random_inception_weights, batch_size=4, compile=False).from_tensor(images)
    ext = fidelity.InceptionFeatures(random_inception_weights, batch_size=4, compile=True)
    compiled = ext.from_tensor(images)  # one full batch and one padded batch
    assert ext.compile_seconds is not None and not ext._compiled.failed
    for layer in eager:
        assert compiled[layer].shape == eager[layer].shape
        assert (compiled[layer] - eager[layer]).abs().max() <= 1e-5
