"""Perceptual path length (Karras et al., 2019, §4.2; StyleGAN2's ``ppl2_wend``) through
torchmetrics' ``perceptual_path_length``, measured in W with endpoint sampling.

torchmetrics draws pairs of latents with the generator's ``sample(n)``, moves the second
one ``epsilon`` of the way from the first (t = 0: endpoint sampling), renders both with
``forward`` and scores them with a similarity network, dividing by epsilon². Here:

* :class:`WSpacePaths` gives torchmetrics that interface in W: ``sample`` maps seeded z
  through the mapping network, ``forward`` renders w with the noise inputs fixed, in [0, 255];
* the similarity network is LPIPS-VGG (:class:`LPIPSDistance`), whose backbone weights come
  from a file as for the ``lpips`` metric (:mod:`gan_lab.metrics.paired.lpips`):
  :func:`similarity_net` returns None after one warning when there is none, and raises
  when PPL was asked for explicitly (as ``evaluate`` does for the Inception metrics).
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor, nn

from gan_lab.errors import GanLabError
from gan_lab.sampling.stylegan_grids import style_generator

PPL_DEFAULTS = {"epsilon": 1e-4, "resize": 64, "lower_discard": 0.01, "upper_discard": 0.99}


class WSpacePaths(nn.Module):
    """A style-based generator seen by torchmetrics' PPL: latents are w vectors ``[N, w_dim]``."""

    def __init__(self, generator: nn.Module, seed: int = 0, truncation_psi: float = 1.0) -> None:
        super().__init__()
        self.net = style_generator(generator)
        self.rng = torch.Generator().manual_seed(int(seed))
        self.truncation_psi = float(truncation_psi)

    @torch.no_grad()
    def sample(self, num_samples: int) -> Tensor:
        device = next(self.net.parameters()).device
        z = torch.randn(num_samples, int(self.net.latent_dim), generator=self.rng).to(device)
        return self.net.mapping(z, truncation_psi=self.truncation_psi, update_w_avg=False)[:, 0]

    @torch.no_grad()
    def forward(self, w: Tensor) -> Tensor:
        images = self.net.synthesis(w, noise_mode="const").clamp(-1, 1)
        if images.shape[1] == 1:
            images = images.expand(-1, 3, -1, -1)
        return (images + 1) * 127.5


class LPIPSDistance(nn.Module):
    """torchmetrics' LPIPS network as a PPL similarity: ``(a, b)`` in [-1, 1] -> distances ``[N]``."""

    def __init__(self, lpips_net: nn.Module, resize: int | None = PPL_DEFAULTS["resize"]) -> None:
        super().__init__()
        self.lpips = lpips_net
        self.lpips.resize = resize  # torchmetrics' _LPIPS resizes both images first when set

    def forward(self, a: Tensor, b: Tensor) -> Tensor:
        return self.lpips(a, b).reshape(-1)


def similarity_net(
    weights: str | None, download: bool, explicit: bool, setting: str = "ppl_weights", device: str = "cpu"
) -> nn.Module | None:
    """LPIPS-VGG on the backbone file ``weights`` (else the torch hub cache, else a download when
    allowed). Missing: None (the caller warns), or an error when ``explicit``."""
    from gan_lab.metrics.paired.lpips import LPIPS, backbone_file_name, resolve_backbone

    path = resolve_backbone("vgg", weights, download, setting, warn=False)
    if path is None:
        if explicit:
            raise GanLabError(
                f"ppl needs the LPIPS-VGG backbone weights (torchvision's {backbone_file_name('vgg')}): "
                f"set {setting}=/path/to/{backbone_file_name('vgg')}, or leave ppl out of metrics"
            )
        return None
    return LPIPSDistance(LPIPS(path, "vgg", device).metric.net)


def perceptual_path_length(
    generator: nn.Module,
    sim_net: nn.Module,
    num_samples: int = 10_000,
    batch_size: int = 64,
    seed: int = 0,
    device: str | torch.device = "cpu",
    **options: Any,
) -> dict[str, float]:
    """``{"ppl": mean, "ppl_std": std}`` of the W-space, endpoint-sampled path length of
    ``generator`` (a style-based generator or its EMA copy); ``options`` override
    :data:`PPL_DEFAULTS` (epsilon 1e-4, LPIPS input resize 64, 1 %/99 % quantiles discarded)."""
    from torchmetrics.functional.image.perceptual_path_length import perceptual_path_length as tm_ppl

    settings = {**PPL_DEFAULTS, **options}
    settings.pop("resize")  # applies to torchmetrics' own LPIPS only; LPIPSDistance carries its own
    paths = WSpacePaths(generator, seed)
    was_training = paths.net.training
    paths.net.eval()
    try:
        mean, std, _ = tm_ppl(
            paths,
            num_samples=num_samples,
            batch_size=batch_size,
            interpolation_method="lerp",
            sim_net=sim_net,
            device=device,
            **settings,
        )
    finally:
        paths.net.train(was_training)
    return {"ppl": float(mean), "ppl_std": float(std)}
