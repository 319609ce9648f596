"""Turns a composed config into the objects of a run: data, module, trainer.

Shared by ``gan_lab.train`` and the tests, so both build runs the same way.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import lightning as L
import torch
from hydra.errors import InstantiationException
from hydra.utils import instantiate as hydra_instantiate
from lightning.pytorch.callbacks import ModelCheckpoint
from omegaconf import DictConfig, OmegaConf

from gan_lab.callbacks.divergence_guard import DivergenceGuard
from gan_lab.callbacks.final_checkpoint import FinalCheckpoint
from gan_lab.callbacks.graceful_stop import GracefulStop
from gan_lab.checkpointing import AtomicCheckpointIO, RNGStateCheckpoint
from gan_lab.datasets.datamodule import GANDataModule
from gan_lab.errors import GanLabError, IncompatibleConfigError
from gan_lab.regularizers import DiffAugment, InstanceNoise, R1Penalty, apply_spectral_norm
from gan_lab.regularizers.ada import AdaptiveAugment
from gan_lab.regularizers.ema import decay_for_half_life
from gan_lab.regularizers.lazy import LazyCorrectedOptimizer
from gan_lab.tasks.adversarial import AdversarialModule

log = logging.getLogger(__name__)


def instantiate(config: Any, *args: Any, **kwargs: Any) -> Any:
    """``hydra.utils.instantiate`` that lets gan_lab's own errors through unwrapped:
    Hydra wraps every exception in a constructor into an ``InstantiationException``."""
    try:
        return hydra_instantiate(config, *args, **kwargs)
    except InstantiationException as error:
        cause = error.__cause__
        while isinstance(cause, InstantiationException):
            cause = cause.__cause__
        if isinstance(cause, GanLabError):
            raise cause from None
        raise


# Which data kinds each model accepts: checked before anything is built.
MODEL_DATA_KINDS = {
    "dcgan": ("image",),
    "resnet": ("image",),
    "stylegan2": ("image",),
    "progressive": ("image",),
    "mlp": ("image", "points"),
}


def _regularizers(cfg: DictConfig) -> DictConfig:
    return cfg.get("regularizers") or OmegaConf.create({})


def dataset_provides(dataset_cfg: Any) -> list[str]:
    """The batch entries a dataset config declares (noise -> image datasets: real samples and labels)."""
    return list(dataset_cfg.get("provides") or ["real", "label"])


def datasets_that_fit(required: tuple[str, ...]) -> list[str]:
    """Names of the bundled dataset configs whose items hold every entry in ``required``."""
    from gan_lab.config_path import config_dir

    fitting = []
    for path in sorted(Path(config_dir(), "dataset").glob("*.yaml")):
        provided = dataset_provides(OmegaConf.load(path))
        if all(key in provided for key in required):
            fitting.append(path.stem)
    return fitting


def task_choice(cfg: DictConfig) -> str:
    """The ``task=`` option of the run (the family's class name when Hydra is not running)."""
    from hydra.core.hydra_config import HydraConfig

    if HydraConfig.initialized():
        choice = HydraConfig.get().runtime.choices.get("task")
        if choice:
            return str(choice)
    return task_config(cfg)._target_.rsplit(".", 1)[-1]


def check_data_contract(cfg: DictConfig) -> None:
    """The family's required batch entries must be among those the dataset provides."""
    required = task_class(cfg).required_batch_keys(task_config(cfg))
    provided = dataset_provides(cfg.dataset)
    missing = [key for key in required if key not in provided]
    if missing:
        raise IncompatibleConfigError(
            f"task={task_choice(cfg)} needs batch entries {list(required)}, but dataset={cfg.dataset.name} provides "
            f"{provided} (missing {missing}). Datasets that fit task={task_choice(cfg)}: "
            f"{', '.join(datasets_that_fit(required)) or 'none bundled'}"
        )


def _whole_number(cfg: DictConfig, key: str, minimum: int, why: str, maximum: int | None = None) -> None:
    value = OmegaConf.select(cfg, key, throw_on_missing=False)
    number = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.strip().lstrip("-").isdigit():
        number = int(value)
    if number is None or number < minimum or (maximum is not None and number > maximum):
        bounds = f"from {minimum} to {maximum}" if maximum is not None else f">= {minimum}"
        raise IncompatibleConfigError(f"{key}={value!r} is not a whole number {bounds}: {why}")


def check_run_settings(cfg: DictConfig) -> None:
    """The plain numbers of a run, checked before anything uses them (a bad one would otherwise
    surface as a traceback from deep inside Hydra, numpy or Lightning)."""
    _whole_number(cfg, "g_steps", 1, "the generator steps the run trains (g_steps=0 would train nothing)")
    _whole_number(cfg, "data.batch_size", 1, "samples per batch")
    _whole_number(cfg, "data.num_workers", 0, "dataloader worker processes (0: load in the main process)")
    _whole_number(cfg, "seed", 0, "numpy and torch take seeds in this range", maximum=2**32 - 1)
    _whole_number(cfg, "loss.n_critic", 0, "D steps per G step (0: D never trains, a reconstruction-only run)")
    _whole_number(cfg, "checkpoint_every", 0, "G steps between checkpoints")
    _whole_number(cfg, "sample_every", 0, "G steps between sample grids (0: off)")
    check_reconstruction_only(cfg)
    policy = _regularizers(cfg).get("diffaugment")
    if policy:
        from gan_lab.regularizers.diffaugment import OPERATIONS

        names = [p.strip() for p in str(policy).split(",")] if isinstance(policy, str) else [str(p) for p in policy]
        unknown = [n for n in names if n not in OPERATIONS]
        if unknown:
            raise IncompatibleConfigError(
                f"regularizers.diffaugment={policy!r}: unknown operation(s) {unknown}; use a comma-separated "
                f"list of {', '.join(OPERATIONS)} (e.g. regularizers.diffaugment=color,translation,cutout), "
                "or '' for none"
            )
    check_devices(cfg)


def check_reconstruction_only(cfg: DictConfig) -> None:
    """``loss.n_critic=0`` never trains D, so G must never get a term from it: every G step has to lie
    in the task's reconstruction-only warm-up (``task.pretrain_g_steps``)."""
    if int(cfg.loss.n_critic) != 0:
        return
    task = task_config(cfg)
    if "pretrain_g_steps" not in task:
        raise IncompatibleConfigError(
            f"loss.n_critic=0 trains no discriminator, which only a reconstruction-only run can do, and "
            f"task={task_choice(cfg)} has no reconstruction loss; the paired, unpaired and vocoder tasks have one "
            "(task.pretrain_g_steps)"
        )
    if int(task.pretrain_g_steps) < int(cfg.g_steps):
        raise IncompatibleConfigError(
            f"loss.n_critic=0 trains no discriminator, but G would get adversarial terms after "
            f"task.pretrain_g_steps={task.pretrain_g_steps} of its g_steps={cfg.g_steps} steps: set "
            "task.pretrain_g_steps=${g_steps} for a reconstruction-only run, or loss.n_critic=1"
        )


def check_devices(cfg: DictConfig) -> None:
    """A GPU asked for where none is visible is refused with what to do (Lightning's own message
    names no fix). ``accelerator=auto`` on a machine without a GPU trains on the CPU: say so, and
    refuse several devices there (they would be CPU processes) unless the CPU was asked for."""
    accelerator = str(cfg.trainer.get("accelerator", "auto"))
    if accelerator in ("gpu", "cuda") and not torch.cuda.is_available():
        raise IncompatibleConfigError(
            f"trainer.accelerator={accelerator} (trainer=gpu or trainer=ddp) but PyTorch sees no CUDA GPU "
            f"(torch {torch.__version__}, CUDA build: {torch.version.cuda or 'none'}). Drop trainer=gpu to "
            "train on the CPU, or check the driver (nvidia-smi) and CUDA_VISIBLE_DEVICES"
        )
    if accelerator != "auto" or torch.cuda.is_available():
        return
    try:
        devices = _device_count(cfg.trainer)
    except (TypeError, ValueError):
        return
    if devices > 1:
        raise IncompatibleConfigError(
            f"trainer.devices={cfg.trainer.devices} but trainer.accelerator=auto found no GPU: that would start "
            f"{devices} processes on the CPU. Use trainer.devices=1, or add trainer.accelerator=cpu to really "
            "train with several CPU processes"
        )
    log.info("trainer.accelerator=auto found no GPU: training on the CPU")


def check_compatibility(cfg: DictConfig) -> None:
    check_data_contract(cfg)
    model, kind = cfg.model.get("name"), cfg.dataset.get("kind")
    accepted = MODEL_DATA_KINDS.get(model)
    if accepted is not None and kind not in accepted:
        working = "; ".join(f"model={m} with {' or '.join(k)} datasets" for m, k in MODEL_DATA_KINDS.items())
        raise IncompatibleConfigError(
            f"model={model} cannot train on dataset={cfg.dataset.name} ({kind} data of shape "
            f"{list(cfg.dataset.shape)}). Working combinations: {working}. "
            "Image datasets: bundled_mnist, mnist, fashion_mnist, cifar10, image_folder; "
            "2D point datasets: ring, grid."
        )
    regs = _regularizers(cfg)
    packing = int(regs.get("packing", 1))
    if packing < 1:
        raise IncompatibleConfigError(f"regularizers.packing must be >= 1 (1 = no packing), got {packing}")
    if cfg.model.get("conditional", False):
        if cfg.dataset.get("num_classes") is None:
            raise IncompatibleConfigError(
                f"model.conditional=true needs a labelled dataset, but dataset={cfg.dataset.name} has no "
                "labels (dataset.num_classes is null). Labelled datasets: bundled_mnist, mnist, fashion_mnist, "
                "cifar10, stacked_mnist, ring, grid; an image_folder with one sub-folder per class is labelled "
                "too: add dataset.num_classes=<number of sub-folders>. Or train unconditionally: "
                "model.conditional=false."
            )
        if packing > 1:
            raise IncompatibleConfigError(
                "model.conditional=true does not combine with regularizers.packing > 1 "
                "(a pack of samples has no single label); drop one of the two"
            )
    if (regs.get("ada") or {}).get("enabled", False) and (regs.get("diffaugment") or kind != "image"):
        raise IncompatibleConfigError(
            "regularizers.ada.enabled=true augments image batches and replaces DiffAugment: it needs an image "
            f"dataset (dataset={cfg.dataset.name} holds {kind} data) and regularizers.diffaugment=''"
        )
    if regs.get("diffaugment") and kind != "image":
        raise IncompatibleConfigError(
            f"regularizers.diffaugment={regs.diffaugment!r} augments images, but dataset={cfg.dataset.name} "
            f"holds {kind} data; set regularizers.diffaugment=''"
        )


def check_dataset_labels(cfg: DictConfig, dataset: Any) -> None:
    """A conditional model is built for ``dataset.num_classes`` of the config: the data must agree."""
    if not cfg.model.get("conditional", False):
        return
    actual = getattr(dataset, "num_classes", None)
    if actual is None:
        raise IncompatibleConfigError(
            f"model.conditional=true, but the images of dataset={cfg.dataset.name} carry no labels "
            "(an image_folder is labelled only when every image lies in a per-class sub-folder); "
            "use a labelled dataset or model.conditional=false"
        )
    if int(actual) != int(cfg.dataset.num_classes):
        raise IncompatibleConfigError(
            f"dataset={cfg.dataset.name} has {actual} classes but the config says dataset.num_classes="
            f"{cfg.dataset.num_classes}; set dataset.num_classes={actual}"
        )


def build_datamodule(cfg: DictConfig) -> GANDataModule:
    dataset = instantiate(cfg.dataset.source)
    check_dataset_labels(cfg, dataset)
    if cfg.dataset.get("subset") is not None:  # limited-data runs (StyleGAN2-ADA's --subset)
        from gan_lab.datasets.subset import RandomSubset

        dataset = RandomSubset(dataset, cfg.dataset.subset, cfg.dataset.get("subset_seed", 0))
    # PacGAN: each D input packs `packing` samples, so a D batch of data.batch_size
    # inputs takes data.batch_size * packing real samples.
    return GANDataModule(
        dataset,
        batch_size=cfg.data.batch_size * int(_regularizers(cfg).get("packing", 1)),
        batches_per_step=max(int(cfg.loss.n_critic), 1),  # n_critic=0: the G step's batch only
        num_workers=cfg.data.num_workers,
        seed=cfg.seed,
    )


def build_networks(cfg: DictConfig) -> tuple[torch.nn.Module, torch.nn.Module]:
    """G and D of ``cfg.model``, spectrally normalised where ``model.spectral_norm`` says so."""
    generator = instantiate(cfg.model.generator)
    discriminator = instantiate(cfg.model.discriminator)
    if cfg.model.get("conditional", False) and getattr(generator, "num_classes", None) is None:
        raise IncompatibleConfigError(
            f"model.conditional=true but dataset={cfg.dataset.name} has no labels (dataset.num_classes is null)"
        )
    spectral = cfg.model.get("spectral_norm") or {}
    if spectral.get("generator", False):
        apply_spectral_norm(generator)
    if spectral.get("discriminator", False):
        apply_spectral_norm(discriminator)
    return generator, discriminator


def regularizer_kwargs(cfg: DictConfig) -> dict[str, Any]:
    """GANModule arguments for the switches under ``regularizers:`` and ``lr_decay``."""
    regs = _regularizers(cfg)
    r1 = regs.get("r1") or {}
    noise = regs.get("instance_noise") or {}
    ema = regs.get("ema") or {}
    clip = regs.get("grad_clip") or {}
    ada = adaptive_augment(regs.get("ada"))  # StyleGAN2-ADA; takes DiffAugment's place (never both)
    return {
        "r1": R1Penalty(r1.gamma, r1.get("lazy_interval", 1)) if r1.get("gamma", 0) else None,
        "instance_noise": InstanceNoise(noise.sigma, noise.get("anneal_g_steps", 0)) if noise.get("sigma", 0) else None,
        "augment": ada or (DiffAugment(regs.diffaugment) if regs.get("diffaugment") else None),
        "packing": int(regs.get("packing", 1)),
        "ema_decay": ema_decay(ema, int(cfg.data.batch_size)),
        "ema_start_step": int(ema.get("start_step", 0)),
        "g_grad_clip": clip.get("generator"),
        "d_grad_clip": clip.get("discriminator"),
        "lr_decay": cfg.get("lr_decay", "none"),
        "lr_decay_start": int(cfg.get("lr_decay_start", 0) or 0),
        "lr_decay_gamma": float(cfg.get("lr_decay_gamma", 0.999)),
        "total_g_steps": int(cfg.g_steps),
    }


def ema_decay(ema: Any, batch_size: int) -> float | None:
    """``regularizers.ema``: its ``decay``, or the one of ``half_life_images`` when set (StyleGAN2)."""
    if not ema.get("enabled", False):
        return None
    half_life = ema.get("half_life_images")
    return decay_for_half_life(batch_size, float(half_life)) if half_life else float(ema.decay)


def adaptive_augment(ada: Any) -> AdaptiveAugment | None:
    """``regularizers.ada`` (StyleGAN2-ADA): ``enabled``, ``target``, ``interval`` (D steps),
    ``ramp_images``, ``fixed_p`` (null: adaptive), ``operations`` (null: all)."""
    if not ada or not ada.get("enabled", False):
        return None
    operations = ada.get("operations")
    return AdaptiveAugment(
        target=float(ada.get("target", 0.6)),
        interval=int(ada.get("interval", 4)),
        ramp_images=float(ada.get("ramp_images", 500_000)),
        fixed_p=None if ada.get("fixed_p") is None else float(ada.fixed_p),
        operations=list(operations) if operations else None,
    )


def optimizer_factories(cfg: DictConfig) -> tuple[Any, Any]:
    """(G, D) optimizer factories; with ``regularizers.lazy_adam_correction`` each gets StyleGAN2's
    lr · r, betas ** r (r = k / (k + 1)) for its lazy interval k: R1's for D, the family's for G."""
    g_factory, d_factory = instantiate(cfg.optimizer.generator), instantiate(cfg.optimizer.discriminator)
    regs = _regularizers(cfg)
    if not regs.get("lazy_adam_correction", False):
        return g_factory, d_factory
    r1 = regs.get("r1") or {}
    d_interval = int(r1.get("lazy_interval", 1)) if r1.get("gamma", 0) else 1
    g_interval = int(task_class(cfg).generator_regularization_interval(task_config(cfg)))
    if d_interval > 1:
        d_factory = LazyCorrectedOptimizer(d_factory, d_interval)
    if g_interval > 1:
        g_factory = LazyCorrectedOptimizer(g_factory, g_interval)
    return g_factory, d_factory


def task_config(cfg: DictConfig) -> DictConfig:
    """The ``task`` group of a run config; checkpoints written before the task families
    stored the same settings under ``module``."""
    return cfg.task if cfg.get("task") is not None else cfg.module


def task_class(cfg: DictConfig) -> type[AdversarialModule]:
    from hydra.utils import get_class

    return get_class(task_config(cfg)._target_)


def build_module(cfg: DictConfig) -> AdversarialModule:
    # A partial: the run config holds `_target_` keys that Hydra must not instantiate.
    make_module = instantiate(task_config(cfg), _partial_=True)
    generator, discriminator = build_networks(cfg)
    g_optimizer, d_optimizer = optimizer_factories(cfg)
    return make_module(
        generator=generator,
        discriminator=discriminator,
        loss=instantiate(cfg.loss),
        g_optimizer=g_optimizer,
        d_optimizer=d_optimizer,
        **regularizer_kwargs(cfg),
        run_config=OmegaConf.to_container(cfg, resolve=True),
    )


def _device_count(trainer_cfg: DictConfig) -> int:
    devices = trainer_cfg.get("devices", 1)
    if isinstance(devices, int):
        return torch.cuda.device_count() if devices == -1 else devices
    if isinstance(devices, str):
        if devices == "auto":
            gpu = trainer_cfg.get("accelerator") in ("auto", "gpu", "cuda")
            return torch.cuda.device_count() if gpu and torch.cuda.is_available() else 1
        if devices.strip().lstrip("-").isdigit():
            return _device_count(OmegaConf.create({**trainer_cfg, "devices": int(devices)}))
        return len([d for d in devices.split(",") if d.strip()])
    return len(devices)  # a list of device ids


def in_multirun() -> bool:
    from hydra.core.hydra_config import HydraConfig
    from hydra.types import RunMode

    return HydraConfig.initialized() and HydraConfig.get().mode == RunMode.MULTIRUN


def launched_externally() -> bool:
    """True under SLURM (srun) or torchrun: every rank was started already, nothing re-launches."""
    from lightning.fabric.plugins.environments import SLURMEnvironment, TorchElasticEnvironment

    return SLURMEnvironment.detect() or TorchElasticEnvironment.detect()


def choose_strategy(cfg: DictConfig) -> str | None:
    """The DDP flavour a multi-device run needs, or None to keep ``trainer.strategy``.

    Manual optimization leaves G's parameters without gradients in D steps and the
    other way round, so DDP must expect unused parameters. Plain DDP re-launches
    the command for every extra rank; inside a Hydra multirun that would re-run
    the whole sweep, so there the processes are spawned instead.
    """
    strategy = cfg.trainer.get("strategy", "auto")
    if _device_count(cfg.trainer) <= 1 and cfg.trainer.get("num_nodes", 1) <= 1:
        return None
    spawn_like = ("ddp_spawn", "ddp_fork", "ddp_notebook")
    if in_multirun() and not launched_externally():
        if strategy == "auto":
            return "ddp_spawn_find_unused_parameters_true"
        if isinstance(strategy, str) and strategy.startswith("ddp") and not strategy.startswith(spawn_like):
            raise IncompatibleConfigError(
                f"trainer.strategy={strategy} re-launches the command for every extra process, which inside a "
                "multirun (-m) would start the whole sweep again. Use trainer.strategy=auto or "
                "trainer.strategy=ddp_spawn_find_unused_parameters_true for sweeps, or run each DDP job on its own."
            )
        return None
    if strategy == "auto":
        return "ddp_find_unused_parameters_true"
    return None


def build_trainer(cfg: DictConfig, callbacks: list[L.Callback] | None = None, loggers: Any = None) -> L.Trainer:
    kwargs: dict[str, Any] = {}
    strategy = choose_strategy(cfg)
    if strategy is not None:
        kwargs["strategy"] = strategy
    # Always on, whatever the callbacks group says: these make runs safe to stop and resume.
    checkpoints = str(Path(cfg.paths.output_dir) / "checkpoints")
    callbacks = [
        *(callbacks or []),
        RNGStateCheckpoint(),
        DivergenceGuard(),
        FinalCheckpoint(checkpoints),
        GracefulStop(checkpoints),
    ]
    if "enable_checkpointing" not in cfg.trainer:
        # Without a ModelCheckpoint of ours (callbacks=none), Lightning would add its own and
        # write epoch=...-step=....ckpt at every epoch end; FinalCheckpoint's last.ckpt stays.
        kwargs["enable_checkpointing"] = any(isinstance(c, ModelCheckpoint) for c in callbacks)
    plugins = [AtomicCheckpointIO()]
    return instantiate(
        cfg.trainer, callbacks=callbacks, logger=loggers if loggers else False, plugins=plugins, **kwargs
    )


def build_callbacks(cfg: DictConfig) -> list[L.Callback]:
    return [instantiate(c) for c in (cfg.get("callbacks") or {}).values() if c is not None and "_target_" in c]


def build_loggers(cfg: DictConfig) -> list[Any]:
    return [instantiate(c) for c in (cfg.get("logger") or {}).values() if c is not None and "_target_" in c]


def check_checkpoint(ckpt_path: str | None) -> str | None:
    if ckpt_path is None:
        return None
    path = Path(str(ckpt_path)).expanduser()
    if not path.is_file():
        raise GanLabError(f"checkpoint not found: {path.resolve()} (ckpt_path={ckpt_path})")
    return str(path)
