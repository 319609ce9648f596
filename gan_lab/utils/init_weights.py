"""Start a new run from the weights of named networks of an earlier run's checkpoint.

SRGAN and ESRGAN start their adversarial training from a PSNR-oriented generator (SRResNet,
RRDB-PSNR) trained before; transfer and fine-tuning runs do the same. Unlike ``ckpt_path``
(which resumes: same run, optimizer states, step counters, RNG), this copies weights only and
the new run starts at step 0 with fresh optimizers. Lightning's ``load_from_checkpoint`` would
rebuild the whole module from the old config, so the selective copy is written here.
"""

from __future__ import annotations

from pathlib import Path

import torch

from gan_lab.errors import GanLabError


def load_network_weights(module: torch.nn.Module, ckpt_path: str, networks: list[str]) -> dict[str, int]:
    """Copy ``state_dict`` entries ``<network>.*`` of the checkpoint into ``module.<network>``
    for every name in ``networks``; returns the number of tensors copied per network.

    Shapes must match exactly (a different width or depth is an error naming the first
    mismatch); the checkpoint is read with ``weights_only=True``.
    """
    path = Path(str(ckpt_path)).expanduser()
    if not path.is_file():
        raise GanLabError(f"init_from.ckpt_path: checkpoint not found: {path.resolve()}")
    state = torch.load(path, map_location="cpu", weights_only=True).get("state_dict", {})
    copied = {}
    for name in networks:
        target = getattr(module, name, None)
        if not isinstance(target, torch.nn.Module):
            have = sorted(n for n, m in module.named_children() if any(True for _ in m.parameters()))
            raise GanLabError(f"init_from.networks: this model has no network {name!r}; it has {have}")
        prefix = f"{name}."
        weights = {k[len(prefix) :]: v for k, v in state.items() if k.startswith(prefix)}
        if not weights:
            raise GanLabError(f"init_from: {path} holds no weights of {name!r}")
        own = target.state_dict()
        for key, tensor in own.items():
            if key not in weights:
                raise GanLabError(f"init_from: {path} lacks {prefix}{key}; was it trained with another model?")
            if weights[key].shape != tensor.shape:
                raise GanLabError(
                    f"init_from: {prefix}{key} has shape {tuple(weights[key].shape)} in {path.name} but "
                    f"{tuple(tensor.shape)} here; use the model settings of the run that wrote it"
                )
        unexpected = sorted(set(weights) - set(own))
        if unexpected:
            raise GanLabError(f"init_from: {path} has {prefix}{unexpected[0]}, which this model lacks")
        target.load_state_dict(weights)
        ema = getattr(module, f"ema_{name}", None)
        if isinstance(ema, torch.nn.Module):  # the new run's average starts from the copied weights
            getattr(ema, "module", ema).load_state_dict(weights)  # AveragedModel wraps the copy
            if hasattr(ema, "n_averaged"):
                ema.n_averaged.zero_()
        copied[name] = len(weights)
    return copied
