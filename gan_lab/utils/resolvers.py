"""OmegaConf resolvers used by the configs in ``conf/``.

Registered when ``gan_lab`` is imported, before Hydra composes anything.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from omegaconf import OmegaConf


def optimizer_steps(generator_steps: int, n_critic: int) -> int:
    """Lightning optimizer steps for ``generator_steps`` G updates: each G update
    comes with ``n_critic`` D updates, and Lightning's ``global_step`` counts both."""
    return int(generator_steps) * (int(n_critic) + 1)


def resume_dir(ckpt_path: str | None, default: str) -> str:
    """The run folder of ``<run>/checkpoints/<file>.ckpt`` (so a resumed run keeps
    writing where it started), else ``default``."""
    if ckpt_path:
        path = Path(str(ckpt_path)).expanduser().resolve()
        if path.parent.name == "checkpoints":
            return str(path.parent.parent)
    return default


def packed_shape(shape: Any, packing: int) -> list[int]:
    """D's input shape when ``packing`` samples are judged together (PacGAN): the first
    axis (image channels, or the features of a vector) grows ``packing`` times."""
    shape = list(shape)
    return [int(shape[0]) * int(packing), *(int(s) for s in shape[1:])]


def add(*values: Any) -> int:
    """The sum of integer config values, e.g. a discriminator's input channels when it
    sees the source and the target side by side: ``${add:${dataset.source_channels},${dataset.channels}}``."""
    return sum(int(v) for v in values)


def fraction_of(value: int, fraction: float) -> int:
    """``int(value * fraction)``: e.g. a schedule that decays over the second half of the run,
    ``lr_decay_start: ${fraction_of:${g_steps},0.5}``, follows ``g_steps`` overrides."""
    return int(int(value) * float(fraction))


def class_count(conditional: bool, num_classes: int | None) -> int | None:
    """The ``num_classes`` a model is built with: the dataset's class count when the model
    is conditional, else None (unconditional). An unlabelled dataset with
    ``conditional=true`` is refused by ``gan_lab.builders.check_compatibility``."""
    return int(num_classes) if conditional and num_classes is not None else None


# Metrics where a higher value is better (ModelCheckpoint mode "max").
HIGHER_IS_BETTER = {
    "isc",
    "modes",
    "high_quality",
    "class_coverage",
    "stacked_modes",
    "precision",
    "recall",
    "f_score",
    "psnr",
    "ssim",
    "ms_ssim",
    "hole_psnr",
    "digit_accuracy",
    "pesq",
    "stoi",
    "caption_consistency",
}


def metric_mode(name: str) -> str:
    """``"max"`` or ``"min"``: which way a metric improves (for ModelCheckpoint)."""
    return "max" if str(name) in HIGHER_IS_BETTER else "min"


def best_metric(name: str, dataset_name: str, dataset_kind: str) -> str:
    """``name`` unless ``auto``: reverse_kl (2D mixtures), stacked_kl (Stacked MNIST),
    mnist_classifier_fid (MNIST and the captioned digits; needs no Inception weights), psnr (paired image -> image),
    mel_l1 (vocoders), fid (other images)."""
    if name != "auto":
        return str(name)
    if dataset_kind == "paired":
        return "psnr"
    if dataset_kind == "audio":
        return "mel_l1"
    if dataset_kind == "points":
        return "reverse_kl"
    if dataset_name == "stacked_mnist":
        return "stacked_kl"
    if dataset_name in ("bundled_mnist", "mnist", "captioned_digits"):
        return "mnist_classifier_fid"
    return "fid"


def run_id(output_dir: str) -> str:
    """A short id that stays the same for a run folder (W&B run id: resuming reuses it)."""
    import hashlib

    return hashlib.sha1(str(Path(output_dir).resolve()).encode()).hexdigest()[:12]


def run_name() -> str:
    """The default name of a run (or sweep) folder: ``<date>_<time>_<4 hex digits>``.

    The random part keeps launches in the same second apart (the time alone has
    one-second resolution). Two cases need a name that every process agrees on
    instead: under SLURM, ``slurm-<job id>[_<array task>][_<step>]``, which a requeued
    job gets again (so it finds its checkpoint); under torchrun, where every rank
    composes the config itself, the time alone, as before.
    """
    import os
    import secrets
    import time

    env = os.environ
    if env.get("SLURM_JOB_ID"):
        parts = [f"slurm-{env['SLURM_JOB_ID']}", env.get("SLURM_ARRAY_TASK_ID"), env.get("SLURM_STEP_ID")]
        return "_".join(p for p in parts if p)
    stamp = time.strftime("%Y-%m-%d_%H-%M-%S")
    if env.get("TORCHELASTIC_RUN_ID") or env.get("LOCAL_RANK"):
        return stamp
    return f"{stamp}_{secrets.token_hex(2)}"


def register_resolvers() -> None:
    if not OmegaConf.has_resolver("run_name"):
        # cached: resolved once per config, and Hydra copies the cache into every sweep job's config
        OmegaConf.register_new_resolver("run_name", run_name, use_cache=True)
    for name, fn in (
        ("run_id", run_id),
        ("optimizer_steps", optimizer_steps),
        ("resume_dir", resume_dir),
        ("packed_shape", packed_shape),
        ("class_count", class_count),
        ("add", add),
        ("fraction_of", fraction_of),
        ("best_metric", best_metric),
        ("metric_mode", metric_mode),
    ):
        if not OmegaConf.has_resolver(name):
            OmegaConf.register_new_resolver(name, fn)
