"""The text -> image family: G maps noise and a caption to an image; D judges (image, caption) pairs.

GAN-CLS and GAN-INT (Reed et al., 2016, "Generative Adversarial Text to Image Synthesis") with the
conditioning augmentation of StackGAN (Zhang et al., 2017); defaults from
``../shared/reference/variants.md`` §2.8. Terms (logged as ``train/d_<name>``, ``train/g_<name>``):

- D: ``real_fake`` = (1 - m) * L_D(D(x, t), D(G(z, t), t)) and ``real_mismatched`` = m * L_D(D(x, t),
  D(x, t')), with t' the captions rolled by one within the batch and m = ``mismatch_weight`` (0.5):
  for the usual losses (real part + fake part) this is GAN-CLS's real + 0.5 wrong + 0.5 fake.
  Pairs whose rolled caption is the same text are left out of the mismatched term (not a mismatch).
- G: ``adversarial`` on D(G(z, t), t); ``kl`` = ``kl_weight`` (2, StackGAN) x KL(N(mu, sigma) || N(0, I));
  ``interpolated`` (GAN-INT) = ``interpolation_weight`` x the adversarial loss of fakes made from
  beta * e(t1) + (1 - beta) * e(t2) on half a batch of caption pairs (in G's and in D's embedding space).

Batches are dicts with ``real`` images and ``caption`` token ids (:mod:`gan_lab.text.tokenizer`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import lightning as L
import torch
from torch import Tensor, nn

from gan_lab.errors import GanLabError, IncompatibleConfigError
from gan_lab.models.text_to_image.conditioning_augmentation import kl_to_standard_normal
from gan_lab.tasks.noise_to_image import NoiseToImage
from gan_lab.text.tokenizer import HashedWordTokenizer
from gan_lab.utils.eval_mode import inference_mode


class TextToImage(NoiseToImage):
    """Args (besides :class:`NoiseToImage`'s): generator, a
    :class:`~gan_lab.models.text_to_image.TextConditionedGenerator`; discriminator, a
    :class:`~gan_lab.models.text_to_image.MatchingAwareDiscriminator`;
    tokenizer: ``{buckets, max_words}`` of :class:`~gan_lab.text.HashedWordTokenizer` (the dataset's);
    kl_weight, mismatch_weight, interpolation_weight, interpolation_beta: see the module docstring;
    preview_captions: captions of the sample grids' rows (empty: the dataset's first ones)."""

    task_family = "text_to_image"

    def __init__(
        self,
        generator: nn.Module,
        discriminator: nn.Module,
        *args: Any,
        tokenizer: dict[str, int] | None = None,
        kl_weight: float = 2.0,
        mismatch_weight: float = 0.5,
        interpolation_weight: float = 1.0,
        interpolation_beta: float = 0.5,
        preview_captions: Sequence[str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(generator, discriminator, *args, **kwargs)
        if self.packing > 1:
            raise IncompatibleConfigError("regularizers.packing (PacGAN) does not combine with caption conditioning")
        if not 0.0 <= float(mismatch_weight) < 1.0:
            raise IncompatibleConfigError(f"task.mismatch_weight must lie in [0, 1), got {mismatch_weight}")
        if not 0.0 <= float(interpolation_beta) <= 1.0:
            raise IncompatibleConfigError(f"task.interpolation_beta must lie in [0, 1], got {interpolation_beta}")
        self.tokenizer = HashedWordTokenizer(**(tokenizer or {}))
        self.kl_weight, self.mismatch_weight = float(kl_weight), float(mismatch_weight)
        self.interpolation_weight, self.interpolation_beta = float(interpolation_weight), float(interpolation_beta)
        self.preview_captions = list(preview_captions or [])

    @classmethod
    def required_batch_keys(cls, task_cfg: Any) -> tuple[str, ...]:
        return ("real", "caption")

    # ----------------------------------------------------------------- sampling
    def tokenize(self, texts: Sequence[str]) -> Tensor:
        return self.tokenizer.batch(list(texts)).to(self.device)

    def generator_network(self, use_ema: bool = True) -> nn.Module:
        """The (EMA) generator itself (an EMA copy is an AveragedModel around it)."""
        net = self.network("generator", use_ema)
        return getattr(net, "module", net)

    @torch.no_grad()
    def text_embedding(self, captions: Sequence[str] | Tensor, use_ema: bool = True) -> Tensor:
        """G's sentence embeddings of ``captions`` (strings or token ids), in eval mode."""
        net = self.generator_network(use_ema)
        tokens = captions if isinstance(captions, Tensor) else self.tokenize(captions)
        with inference_mode(net):
            return net.embed(tokens.to(self.device))

    @torch.no_grad()
    def generate_from_text(
        self,
        captions: Sequence[str] | Tensor | None,
        z: Tensor | None = None,
        use_ema: bool = True,
        embedding: Tensor | None = None,
        condition_noise: Tensor | None = None,
    ) -> Tensor:
        """Images for ``captions`` (strings or token ids) in eval mode. ``embedding`` (G's text space)
        replaces the captions' own (caption interpolation); ``condition_noise`` fixes the ``eps`` of the
        conditioning augmentation (default: drawn from the global RNG, as in training)."""
        if embedding is None:
            embedding = self.text_embedding(captions, use_ema)
        net = self.generator_network(use_ema)
        z = self.sample_noise(len(embedding)) if z is None else z.to(self.device)
        with inference_mode(net):
            noise = None if condition_noise is None else condition_noise.to(self.device)
            c, _, _ = net.condition(embedding.to(self.device), noise)
            return net.from_condition(z, c)

    def generate(self, *args: Any, **kwargs: Any) -> Tensor:
        raise GanLabError('a text -> image model needs captions: use generate_from_text(captions) or prompt="..."')

    def preview(self, trainer: L.Trainer | None = None) -> tuple[Tensor, int]:
        captions = self.preview_captions or self._dataset_captions(trainer)
        per_row = max(1, min(8, self.fixed_noise.shape[0] // max(len(captions), 1)))
        z = self.fixed_noise[:per_row].repeat(len(captions), 1)
        return self.generate_from_text([c for c in captions for _ in range(per_row)], z), per_row

    @staticmethod
    def _dataset_captions(trainer: L.Trainer | None, count: int = 8) -> list[str]:
        dataset = getattr(getattr(trainer, "datamodule", None), "train_dataset", None)
        if dataset is None or not hasattr(dataset, "caption_texts"):
            raise IncompatibleConfigError("set task.preview_captions: the sample grids need captions")
        return [dataset.caption_texts(i)[0] for i in range(min(count, len(dataset)))]

    # ------------------------------------------------------------ the family
    def generator_outputs(self, batch: dict[str, Tensor]) -> dict[str, Any]:
        embedding = self.generator.embed(batch["caption"])
        c, mu, logvar = self.generator.condition(embedding)
        fake = self.generator.from_condition(self.sample_noise(len(c)), c)
        return {"fake": fake, "mu": mu, "logvar": logvar, "embedding": embedding}

    def discriminate(self, x: Tensor, embedding: Tensor) -> Tensor:
        return self.discriminator(x, embedding)

    def discriminator_terms(self, batch: dict[str, Tensor], outputs: dict[str, Any]) -> dict[str, Tensor]:
        tokens = batch["caption"]
        text = self.discriminator.embed(tokens)
        real_in = self.discriminator_input(batch["real"])
        terms = self.adversarial_discriminator_terms(
            self.discriminate,
            real_in,
            self.discriminator_input(outputs["fake"]),
            text,
            text,
            weight=1.0 - self.mismatch_weight,
        )
        terms = {"real_fake": terms.pop("loss"), **terms}
        if self.mismatch_weight > 0:
            differs = (tokens != tokens.roll(1, dims=0)).any(dim=1)
            if bool(differs.any()):
                real_out = self.discriminate(real_in[differs], text[differs])
                wrong_out = self.discriminate(real_in[differs], text.roll(1, dims=0)[differs])
                terms["real_mismatched"] = self.mismatch_weight * self.loss.discriminator_loss(real_out, wrong_out)
        return terms

    def generator_terms(self, batch: dict[str, Tensor], outputs: dict[str, Any]) -> dict[str, Tensor]:
        tokens = batch["caption"]
        text = self.discriminator.embed(tokens)
        real = lambda: self.discriminator_input(batch["real"])
        terms = {
            "adversarial": self.adversarial_generator_term(
                self.discriminate, self.discriminator_input(outputs["fake"]), real, text, text
            ),
            "kl": self.kl_weight * kl_to_standard_normal(outputs["mu"], outputs["logvar"]),
        }
        if self.interpolation_weight > 0 and len(tokens) > 1:
            half = max(1, len(tokens) // 2)
            beta = self.interpolation_beta

            def mix(e: Tensor) -> Tensor:
                return beta * e[:half] + (1.0 - beta) * e.roll(1, dims=0)[:half]

            c, _, _ = self.generator.condition(mix(outputs["embedding"]))
            fake = self.generator.from_condition(self.sample_noise(half), c)
            terms["interpolated"] = self.interpolation_weight * self.adversarial_generator_term(
                self.discriminate, self.discriminator_input(fake), lambda: real()[:half], mix(text), text[:half]
            )
        return terms
