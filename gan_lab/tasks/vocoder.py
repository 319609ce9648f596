"""The GAN vocoder family: mel spectrogram -> waveform (HiFi-GAN, MelGAN).

Batches are audio, ``{"audio": [N, 1, T]}``. The mel front end is one module of the model
(:class:`gan_lab.audio.MelTransform`, ``self.mel``): it makes G's input from the batch and the
mel loss's spectrograms, so data and loss cannot disagree. D is a
:class:`~gan_lab.models.vocoder.CombinedDiscriminator` of named sets (``mpd``, ``msd``) of
sub-discriminators, each returning ``(logits, feature maps)``.

D step (first): the configured adversarial loss per sub-D on real audio vs ``G(mel)`` detached,
summed per set. G step: the loss's G side per sub-D, summed; feature matching
(:func:`gan_lab.losses.feature_matching.feature_matching_loss`); mel L1 (full band).

=========================  =====================  =====================
setting                    HiFi-GAN               MelGAN
=========================  =====================  =====================
``loss``                   lsgan                  hinge
``adversarial_weight``     2 (lsgan carries ½)    1
``feature_matching``       2, layers x 1, sum     10, layers x 0.8, mean
``mel_weight``             45                     0 (logged only)
=========================  =====================  =====================
"""

from __future__ import annotations

import math
from typing import Any

import lightning as L
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from gan_lab.audio.mel import MelTransform
from gan_lab.errors import IncompatibleConfigError
from gan_lab.losses.base import GANLoss
from gan_lab.losses.feature_matching import feature_matching_loss
from gan_lab.tasks.adversarial import AdversarialModule
from gan_lab.utils.eval_mode import inference_mode


def check_vocoder_shapes(generator: nn.Module, hop_length: int, segment_length: int | None) -> None:
    """G turns one mel frame into ``prod(upsample_rates)`` samples, which must be the hop; segments
    must hold whole frames. Otherwise G's output and the real audio differ in length."""
    rates = list(getattr(generator, "upsample_rates", []))
    if rates and math.prod(rates) != hop_length:
        raise IncompatibleConfigError(
            f"the generator's up-sampling rates {rates} multiply to {math.prod(rates)}, but the mel hop length is "
            f"{hop_length}: set model.generator.upsample_rates to factors of {hop_length} (e.g. [8, 8, 2, 2] for 256) "
            f"or task.mel.hop_length={math.prod(rates)}"
        )
    if segment_length is not None and segment_length % hop_length:
        raise IncompatibleConfigError(
            f"dataset.segment_length={segment_length} is not a multiple of the hop length {hop_length}: use "
            f"{max(segment_length // hop_length, 1) * hop_length} or {(segment_length // hop_length + 1) * hop_length}"
        )


class Vocoder(AdversarialModule):
    """Args (besides :class:`AdversarialModule`'s):

    mel: :class:`gan_lab.audio.MelTransform` settings (``sample_rate`` comes from the dataset).
    sample_rate, segment_length: the data's rate and training segment length (samples).
    adversarial_weight, discriminator_weight: weights of G's and D's adversarial sums.
    feature_matching: ``weight`` and the settings of :func:`feature_matching_loss`.
    mel_weight: weight of the mel L1 term (0: only logged as ``train/mel_l1``).
    num_preview, preview_seconds: the fixed clips of the previews (first clips of the training data).
    """

    task_family = "vocoder"
    reuse_generator_outputs = True

    def __init__(
        self,
        generator: nn.Module,
        discriminator: nn.Module,
        *args: Any,
        mel: dict[str, Any],
        sample_rate: int = 22050,
        segment_length: int | None = 8192,
        adversarial_weight: float = 1.0,
        discriminator_weight: float = 1.0,
        feature_matching: dict[str, Any] | None = None,
        mel_weight: float = 45.0,
        num_preview: int = 4,
        preview_seconds: float = 2.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(generator, discriminator, *args, **kwargs)
        if self.packing > 1 or self.r1 is not None:
            raise IncompatibleConfigError("regularizers.packing and regularizers.r1 are not supported by task=vocoder")
        if type(self.loss).penalty is not GANLoss.penalty:
            raise IncompatibleConfigError(
                f"loss {type(self.loss).__name__} adds a gradient penalty, which task=vocoder does not apply per "
                "sub-discriminator; use loss=lsgan (HiFi-GAN) or loss=hinge (MelGAN)"
            )
        self.mel = MelTransform(sample_rate=int(sample_rate), **dict(mel))
        check_vocoder_shapes(generator, self.mel.hop_length, segment_length)
        self.sample_rate, self.segment_length = int(sample_rate), segment_length
        self.adversarial_weight, self.discriminator_weight = float(adversarial_weight), float(discriminator_weight)
        fm = dict(feature_matching or {})
        self.feature_matching_weight = float(fm.pop("weight", 2.0))
        self.feature_matching_settings = fm
        self.mel_weight = float(mel_weight)
        self.num_preview = int(num_preview)
        self.preview_length = (
            max(int(preview_seconds * self.sample_rate) // self.mel.hop_length, 2) * self.mel.hop_length
        )
        self._preview_clips: Tensor | None = None
        self._preview_cache: tuple[int, Tensor] | None = None

    @classmethod
    def required_batch_keys(cls, task_cfg: Any) -> tuple[str, ...]:
        return ("audio",)

    # ------------------------------------------------------------ the family
    def generator_outputs(self, batch: dict[str, Tensor]) -> dict[str, Any]:
        audio = batch["audio"]
        return {"fake": self.generator(self.mel(audio))[..., : audio.shape[-1]]}

    def discriminate_pair(self, real: Tensor, fake: Tensor) -> dict[str, tuple[list, list]]:
        """``{set name: (outputs on real, outputs on fake)}`` from one D forward of both halves."""
        n = real.shape[0]
        joint = self.discriminator(torch.cat([self.discriminator_input(real), self.discriminator_input(fake)]))
        if not isinstance(joint, dict):
            joint = {"d": joint}
        split = {}
        for name, outputs in joint.items():
            split[name] = (
                [(logits[:n], [f[:n] for f in feats]) for logits, feats in outputs],
                [(logits[n:], [f[n:] for f in feats]) for logits, feats in outputs],
            )
        return split

    def discriminator_terms(self, batch: dict[str, Tensor], outputs: dict[str, Any]) -> dict[str, Tensor]:
        terms, real_means, fake_means = {}, [], []
        for name, (real, fake) in self.discriminate_pair(batch["audio"], outputs["fake"]).items():
            loss = sum(self.loss.discriminator_loss(r, f) for (r, _), (f, _) in zip(real, fake))
            terms[name] = self.discriminator_weight * loss
            real_means += [r.mean().detach() for r, _ in real]
            fake_means += [f.mean().detach() for f, _ in fake]
        self._step_logs.update(
            {"train/d_real": torch.stack(real_means).mean(), "train/d_fake": torch.stack(fake_means).mean()}
        )
        return terms

    def generator_terms(self, batch: dict[str, Tensor], outputs: dict[str, Any]) -> dict[str, Tensor]:
        real_audio, fake_audio = batch["audio"], outputs["fake"]
        terms: dict[str, Tensor] = {}
        if self.adversarial_active:  # in the warm-up (pretrain_g_steps) G gets no term from D at all
            terms.update(self.discriminator_based_terms(real_audio, fake_audio))
        mel_l1 = F.l1_loss(self.mel.loss_mel(fake_audio), self.mel.loss_mel(real_audio))
        if self.mel_weight > 0:
            terms["mel"] = self.mel_weight * mel_l1
        self._step_logs["train/mel_l1"] = mel_l1.detach()
        return terms

    def discriminator_based_terms(self, real_audio: Tensor, fake_audio: Tensor) -> dict[str, Tensor]:
        """G's adversarial sum per set of sub-discriminators and feature matching over all of them."""
        terms: dict[str, Tensor] = {}
        all_real, all_fake = [], []
        for name, (real, fake) in self.discriminate_pair(real_audio, fake_audio).items():
            if self.adversarial_weight > 0:
                adversarial = sum(
                    self.loss.generator_loss(f, r.detach() if self.loss.needs_real_for_generator else None)
                    for (r, _), (f, _) in zip(real, fake)
                )
                terms[f"adversarial_{name}"] = self.adversarial_weight * adversarial
            all_real += real
            all_fake += fake
        if self.feature_matching_weight > 0:
            fm = feature_matching_loss(all_real, all_fake, **self.feature_matching_settings)
            terms["feature_matching"] = self.feature_matching_weight * fm
        return terms

    # -------------------------------------------------------------- inference
    @torch.no_grad()
    def vocode(self, mel: Tensor, use_ema: bool = True) -> Tensor:
        """Audio ``[N, 1, frames x hop]`` in [-1, 1] from log-mels ``[N, n_mels, frames]`` (this
        model's :class:`MelTransform` settings), with G in eval mode."""
        if mel.dim() == 2:
            mel = mel.unsqueeze(0)
        if mel.shape[1] != self.mel.n_mels:
            raise IncompatibleConfigError(
                f"mel spectrogram with {mel.shape[1]} bands, but this vocoder takes {self.mel.n_mels} "
                f"(shape [n_mels, frames] or [N, n_mels, frames]; settings {self.mel.settings()})"
            )
        net = self.network("generator", use_ema)
        if mel.shape[-1] < getattr(net, "min_frames", 1):
            raise IncompatibleConfigError(
                f"{mel.shape[-1]} mel frames is too short for this vocoder (at least {net.min_frames})"
            )
        with inference_mode(net):
            return net(mel.to(self.device, torch.float32)).clamp(-1, 1)

    @torch.no_grad()
    def resynthesize(self, audio: Tensor, use_ema: bool = True) -> Tensor:
        """audio -> mel -> G -> audio of the same length (``[N, 1, T]``)."""
        audio = audio.to(self.device, torch.float32)
        return self.vocode(self.mel(audio), use_ema)[..., : audio.shape[-1]]

    # ------------------------------------------------------------- previews
    def preview_clips(self, trainer: L.Trainer | None) -> Tensor:
        """``[num_preview, 1, preview_length]``: the first clips of the training data, cut or zero-padded."""
        if self._preview_clips is None:
            dataset = trainer.datamodule.train_dataset
            n = min(self.num_preview, len(dataset))
            with torch.random.fork_rng(devices=[]):  # a dataset's random segments must not shift the run's RNG
                clips = [dataset.clip(i) if hasattr(dataset, "clip") else dataset[i]["audio"] for i in range(n)]
            length = self.preview_length
            self._preview_clips = torch.stack([F.pad(c, (0, max(length - c.shape[-1], 0)))[:, :length] for c in clips])
        return self._preview_clips.to(self.device)

    def preview_audio(self, trainer: L.Trainer | None = None) -> tuple[Tensor, Tensor]:
        """``(real, vocoded)`` audio of the preview clips (computed once per G step)."""
        real = self.preview_clips(trainer)
        if self._preview_cache is None or self._preview_cache[0] != self.g_step:
            self._preview_cache = (self.g_step, self.resynthesize(real))
        return real, self._preview_cache[1]

    def preview(self, trainer: L.Trainer | None = None) -> tuple[Tensor, int]:
        """Spectrogram images in [-1, 1], one row per clip: real | vocoded (low frequencies at the bottom)."""
        real, fake = self.preview_audio(trainer)
        images = [spectrogram_image(self.mel(x)) for x in (real, fake)]
        return torch.stack(images, dim=1).flatten(0, 1), 2

    def configure_callbacks(self) -> list[L.Callback]:
        """WAVs of the preview clips next to the spectrogram images (gan_lab.callbacks.AudioSamples),
        wherever and whenever the run's SamplePreviews callback writes its images."""
        from gan_lab.callbacks.audio_samples import AudioSamples
        from gan_lab.callbacks.sample_previews import SamplePreviews

        callbacks = self.trainer.callbacks if self._trainer is not None else []
        if any(isinstance(c, AudioSamples) for c in callbacks):
            return []
        previews = [c for c in callbacks if isinstance(c, SamplePreviews)]
        return [AudioSamples(str(previews[0].output_dir), previews[0].every_n_g_steps)] if previews else []


def spectrogram_image(log_mel: Tensor, floor: float = math.log(1e-5), ceiling: float = 2.0) -> Tensor:
    """``[N, 1, n_mels, frames]`` in [-1, 1] from log-mels, mapping [floor, ceiling] linearly."""
    scaled = (log_mel.clamp(floor, ceiling) - floor) / (ceiling - floor) * 2 - 1
    return scaled.flip(1).unsqueeze(1)
