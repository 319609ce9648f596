"""Computes evaluation metrics every N generator updates during training.

Under DDP every rank generates its share of the samples (exactly
``num_samples`` in all, see :mod:`gan_lab.metrics.sharded_sampling`), rank 0
scores the gathered samples (with the EMA generator when the module has one),
and the values are broadcast to every rank, put into ``trainer.callback_metrics`` as
``metrics/<name>`` (so a ``ModelCheckpoint(monitor="metrics/fid")`` can keep
``best.ckpt``) and sent to every logger. Each evaluation is also appended,
with its protocol, to ``output_file`` (JSON lines).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import lightning as L
import torch
from omegaconf import OmegaConf

from gan_lab.errors import GanLabError
from gan_lab.metrics.evaluator import EvalSettings, Evaluator
from gan_lab.metrics.sharded_sampling import generate_gathered
from gan_lab.utils.resolvers import best_metric, metric_mode  # noqa: F401  (re-exported)

log = logging.getLogger(__name__)


class MetricsCallback(L.Callback):
    """Args: ``metrics`` (names or groups, see :mod:`gan_lab.metrics.evaluator`),
    ``every_n_g_steps`` (0: only at the end), ``at_end`` (also after the last step),
    ``output_file`` (JSON lines of records, or None), ``best`` (only read by the
    config's best-checkpoint entry); the rest are
    :class:`~gan_lab.metrics.evaluator.EvalSettings` fields (``num_samples``,
    ``inception_weights``, ``cache_dir``, ...)."""

    def __init__(
        self,
        metrics: Any = ("auto",),
        every_n_g_steps: int = 500,
        at_end: bool = True,
        output_file: str | None = None,
        best: str = "auto",
        **settings: Any,
    ) -> None:
        super().__init__()
        self.metrics = list(metrics) if not isinstance(metrics, str) else [metrics]
        self.every_n_g_steps = int(every_n_g_steps)
        self.at_end = bool(at_end)
        self.best = best
        self.output_file = Path(output_file) if output_file else None
        settings.setdefault("weights_setting", "callbacks.metrics.inception_weights")
        self.settings = EvalSettings(**settings)
        self._evaluator: Evaluator | None = None
        self._last_step = -1

    def _get_evaluator(self, pl_module: L.LightningModule) -> Evaluator:
        if self._evaluator is None:
            run_cfg = OmegaConf.create(getattr(pl_module, "run_config", None) or {})
            if "dataset" not in run_cfg:
                raise RuntimeError(
                    "MetricsCallback needs the module's run_config (built by gan_lab.builders.build_module)"
                )
            self.settings.device = str(pl_module.device)
            self._evaluator = Evaluator(run_cfg, self.metrics, self.settings)
        return self._evaluator

    def on_fit_start(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        """A metric the user named (not through ``auto``) that cannot be computed is an error now,
        not a silent gap found after training: the Inception metrics need their weights."""
        from gan_lab.metrics import fidelity
        from gan_lab.metrics.evaluator import expand_metrics

        named = expand_metrics([m for m in self.metrics if m != "auto"])
        inception = [m for m in named if m in fidelity.FIDELITY_METRICS]
        if not inception:
            return
        s = self.settings
        if (
            fidelity.resolve_inception_weights(s.inception_weights, s.download_weights, setting=s.weights_setting)
            is None
        ):
            raise GanLabError(
                f"metrics {inception} were asked for by name but need the Inception weights, which are not "
                f"available (no file given, none cached, no download). Set {s.weights_setting}=/path/to/"
                "weights-inception-2015-12-05-6726825d.pth, or drop them from the list "
                "(metrics=[auto] skips what cannot be computed, with a warning)"
            )

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:  # noqa: ANN001
        step = pl_module.g_step
        if self.every_n_g_steps > 0 and step % self.every_n_g_steps == 0:
            self.run(trainer, pl_module, step)

    def on_train_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        if self.at_end:
            self.run(trainer, pl_module, pl_module.g_step)

    def run(self, trainer: L.Trainer, pl_module: L.LightningModule, step: int) -> dict[str, float]:
        if step == self._last_step:
            return {}
        self._last_step = step
        values: dict[str, float] = {}
        records: list[dict[str, Any]] = []
        samples = None
        if trainer.world_size > 1:
            evaluator = self._get_evaluator(pl_module)
            samples = [
                generate_gathered(
                    pl_module,
                    n,
                    trainer.global_rank,
                    trainer.world_size,
                    trainer.strategy.all_gather,
                    batch,
                    self.settings.seed,
                    self.settings.use_ema,
                    evaluator.sample_captions(pl_module, n),
                )
                for n, batch in evaluator.sample_requests()
            ]
        if trainer.is_global_zero:
            records = self._get_evaluator(pl_module).evaluate(pl_module, step, samples=samples)
            values = {f"metrics/{r['name']}": r["value"] for r in records}
        values = trainer.strategy.broadcast(values, src=0)
        for key, value in values.items():
            trainer.callback_metrics[key] = torch.tensor(value, dtype=torch.float32)
        if trainer.is_global_zero and values:
            for logger in trainer.loggers:
                logger.log_metrics(values, step=trainer.global_step)
            if self.output_file is not None:
                self.output_file.parent.mkdir(parents=True, exist_ok=True)
                with self.output_file.open("a") as f:
                    for r in records:
                        f.write(json.dumps(r) + "\n")
            log.info("step %d: %s", step, ", ".join(f"{k[8:]}={v:.5g}" for k, v in values.items()))
        return values
