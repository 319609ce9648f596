"""StyleGAN2 training (Karras et al., 2020): the noise -> image family with style
mixing and the lazy path-length regularizer of G.

What the loop already does for it: the non-saturating logistic loss (``loss=ns``),
lazy R1 (``regularizers.r1``), the Adam correction of lazy regularization
(``regularizers.lazy_adam_correction``, using :meth:`generator_regularization_interval`
here), the EMA generator (``regularizers.ema.half_life_images``) and ADA
(``regularizers.ada``). This class adds:

* **style mixing**: with probability ``style_mixing_prob`` a batch's fakes take the
  styles of a second latent from a random layer on (one cutoff per batch, as NVIDIA);
* **path-length regularization**, every ``path_length.interval``-th G step, on
  ``batch / batch_shrink`` fresh fakes: with y ~ N(0, I) / sqrt(H·W),
  a = ||J_w^T y||₂ (the gradient of sum(G(w)·y) w.r.t. w, squared and summed over
  w_dim, averaged over the style inputs, square root), the running mean
  ``pl_mean ← pl_mean + decay · (mean(a) - pl_mean)``, and the penalty
  ``weight · mean((a - pl_mean)²)``, multiplied by the interval (term ``path_length``).
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import Tensor, nn

from gan_lab.errors import IncompatibleConfigError
from gan_lab.tasks.noise_to_image import NoiseToImage
from gan_lab.utils.eval_mode import inference_mode


class StyleGAN2(NoiseToImage):
    """Args (besides :class:`NoiseToImage`'s):

    style_mixing_prob: probability that a batch is style-mixed (0.9; 0 in the ``cifar`` config).
    path_length: ``{weight: 2, interval: 4, decay: 0.01, batch_shrink: 2}`` (weight 0: off).
    truncation_psi: ψ of the truncation trick in :meth:`generate` (previews, sampling, metrics); 1: none.
    """

    task_family = "noise_to_image"  # the same batches, samples and metrics as the family

    def __init__(
        self,
        generator: nn.Module,
        discriminator: nn.Module,
        *args: Any,
        style_mixing_prob: float = 0.9,
        path_length: dict[str, Any] | None = None,
        truncation_psi: float = 1.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(generator, discriminator, *args, **kwargs)
        for method in ("mapping", "synthesis"):
            if not callable(getattr(generator, method, None)):
                raise IncompatibleConfigError(
                    f"task=stylegan2 needs a style-based generator with mapping() and synthesis() (model=stylegan2); "
                    f"{type(generator).__name__} has no {method}()"
                )
        if not 0.0 <= float(style_mixing_prob) <= 1.0:
            raise IncompatibleConfigError(f"task.style_mixing_prob={style_mixing_prob} must lie in [0, 1]")
        pl = dict(path_length or {})
        self.style_mixing_prob = float(style_mixing_prob)
        self.pl_weight = float(pl.get("weight", 2.0))
        self.pl_interval = int(pl.get("interval", 4))
        self.pl_decay = float(pl.get("decay", 0.01))
        self.pl_batch_shrink = int(pl.get("batch_shrink", 2))
        if self.pl_interval < 1 or self.pl_batch_shrink < 1:
            raise IncompatibleConfigError("task.path_length.interval and batch_shrink must be >= 1")
        self.truncation_psi = float(truncation_psi)
        self.register_buffer("pl_mean", torch.zeros(()))

    @classmethod
    def generator_regularization_interval(cls, task_cfg: Any) -> int:
        pl = task_cfg.get("path_length") or {}
        return int(pl.get("interval", 4)) if float(pl.get("weight", 2.0)) > 0 else 1

    # ------------------------------------------------------------ generation
    def mixed_styles(self, z: Tensor) -> Tensor:
        """``ws`` of the training generator for ``z``, style-mixed with probability ``style_mixing_prob``."""
        ws = self.generator.mapping(z)
        if self.style_mixing_prob > 0 and torch.rand(()).item() < self.style_mixing_prob:
            cutoff = int(torch.randint(1, ws.shape[1], ()).item())
            mixed = self.generator.mapping(self.sample_noise(z.shape[0]), update_w_avg=False)
            ws = torch.cat([ws[:, :cutoff], mixed[:, cutoff:]], dim=1)
        return ws

    def generate_fakes(self, n: int, labels: Tensor | None) -> Tensor:
        return self.generator.synthesis(self.mixed_styles(self.sample_noise(n)))

    @torch.no_grad()
    def generate(
        self, z: Tensor | None = None, labels: Tensor | None = None, n: int | None = None, use_ema: bool = True
    ) -> Tensor:
        """Samples of the (EMA) generator, truncated with ``truncation_psi``."""
        if self.truncation_psi == 1.0:
            return super().generate(z, labels, n, use_ema)
        if z is None:
            z = self.sample_noise(n if n is not None else self.fixed_noise.shape[0])
        net = self.network("generator", use_ema)
        net = getattr(net, "module", net)  # the EMA copy wraps the generator
        with inference_mode(net):
            return net(z.to(self.device), truncation_psi=self.truncation_psi)

    # ------------------------------------------------------------ the family
    def generator_terms(self, batch: tuple[Tensor, Tensor], outputs: dict[str, Any]) -> dict[str, Tensor]:
        terms = super().generator_terms(batch, outputs)
        if self.pl_weight > 0 and self.g_step % self.pl_interval == 0:
            n = max(1, self.real_and_labels(batch)[0].shape[0] // self.pl_batch_shrink)
            terms["path_length"] = self.path_length_penalty(n) * (self.pl_weight * self.pl_interval)
            self._step_logs["train/pl_mean"] = self.pl_mean.detach().clone()
        return terms

    def path_length_penalty(self, n: int) -> Tensor:
        """mean((a - pl_mean)²) on ``n`` fresh fakes, updating ``pl_mean`` (unweighted)."""
        ws = self.mixed_styles(self.sample_noise(n))
        images = self.generator.synthesis(ws)
        lengths = path_lengths(images, ws, torch.randn_like(images)).float()  # pl_mean stays fp32 under autocast
        with torch.no_grad():
            self.pl_mean.copy_(self.pl_mean.lerp(lengths.mean(), self.pl_decay))
        return (lengths - self.pl_mean).square().mean()


def path_lengths(images: Tensor, ws: Tensor, noise: Tensor) -> Tensor:
    """a = ||J_w^T y|| per sample, with y = ``noise`` / sqrt(H·W): the gradient of sum(images·y)
    w.r.t. ``ws [N, num_ws, w_dim]``, squared and summed over w_dim, averaged over the style
    inputs, square root (NVIDIA's ``pl_lengths``). Differentiable (``create_graph``)."""
    y = noise / math.sqrt(images.shape[2] * images.shape[3])
    (grad,) = torch.autograd.grad((images * y).sum(), ws, create_graph=True)
    return grad.square().sum(dim=2).mean(dim=1).sqrt()
