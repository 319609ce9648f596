"""``init_from``: a new run starts from the weights of named networks of another checkpoint."""

import pytest
import torch

from gan_lab.errors import GanLabError
from gan_lab.utils.init_weights import load_network_weights
from tests.conftest import train_tiny

TINY_DCGAN = [
    "dataset=bundled_mnist",
    "model=dcgan",
    "model.generator.width=8",
    "model.discriminator.width=8",
    "model.latent_dim=16",
    "data.batch_size=16",
    "callbacks=none",
]


def _module(overrides, tmp_path, seed):
    from gan_lab.builders import build_module
    from tests.helpers import compose_config

    torch.manual_seed(seed)
    return build_module(compose_config([*TINY_DCGAN, *overrides], tmp_path))


def _same(a: torch.nn.Module, b: torch.nn.Module) -> bool:
    return all(torch.equal(x, y) for x, y in zip(a.state_dict().values(), b.state_dict().values()))


def test_copies_the_named_network_only_and_restarts_its_ema(mnist_ckpt, tmp_path):
    trained = torch.load(mnist_ckpt, map_location="cpu", weights_only=True)["state_dict"]
    module = _module(["regularizers.ema.enabled=true"], tmp_path, seed=123)
    d_before = {k: v.clone() for k, v in module.discriminator.state_dict().items()}
    first = next(iter(module.generator.state_dict()))
    assert not torch.equal(module.generator.state_dict()[first], trained[f"generator.{first}"])

    copied = load_network_weights(module, str(mnist_ckpt), ["generator"])

    assert copied == {"generator": len(module.generator.state_dict())}
    for key, value in module.generator.state_dict().items():
        assert torch.equal(value, trained[f"generator.{key}"]), key
    assert _same(module.ema_generator.module, module.generator)
    assert int(module.ema_generator.n_averaged) == 0
    for key, value in module.discriminator.state_dict().items():
        assert torch.equal(value, d_before[key]), key


def test_a_run_with_init_from_starts_at_step_zero_from_the_weights(mnist_ckpt, tmp_path):
    out = tmp_path / "fine_tune"
    last = train_tiny(out, [*TINY_DCGAN, "g_steps=1", f"init_from.ckpt_path={mnist_ckpt}", "optimizer.generator.lr=0"])
    state = torch.load(last, map_location="cpu", weights_only=True)
    trained = torch.load(mnist_ckpt, map_location="cpu", weights_only=True)["state_dict"]
    # lr 0: G's weights are exactly the copied ones after its one step
    for key, value in state["state_dict"].items():
        if key.startswith("generator.") and "num_batches_tracked" not in key and "running" not in key:
            assert torch.equal(value, trained[key]), key
    assert state["loops"]["fit_loop"]["epoch_loop.state_dict"]["_batches_that_stepped"] <= 2


def test_a_different_width_is_refused_with_both_shapes(mnist_ckpt, tmp_path):
    module = _module(["model.generator.width=16"], tmp_path, seed=0)
    with pytest.raises(GanLabError, match=r"has shape .* here; use the model settings"):
        load_network_weights(module, str(mnist_ckpt), ["generator"])


def test_unknown_network_and_missing_file_are_refused(mnist_ckpt, tmp_path):
    module = _module([], tmp_path, seed=0)
    with pytest.raises(GanLabError, match=r"no network 'generater'.*'discriminator', 'generator'"):
        load_network_weights(module, str(mnist_ckpt), ["generater"])
    with pytest.raises(GanLabError, match="checkpoint not found"):
        load_network_weights(module, str(tmp_path / "nope.ckpt"), ["generator"])
