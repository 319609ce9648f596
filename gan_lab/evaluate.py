"""Evaluate a checkpoint or compare two image folders; writes metrics.json and prints a table.

Examples::

    python -m gan_lab.evaluate ckpt_path=outputs/train/runs/<run>/checkpoints/last.ckpt
    python -m gan_lab.evaluate ckpt_path=... metrics=[fid,kid] num_samples=5000 inception_weights=/path/weights.pth
    python -m gan_lab.evaluate input1=samples/ input2=real/ metrics=[fid,isc,kid] inception_weights=/path/weights.pth
    python -m gan_lab.evaluate input1=outputs/ input2=targets/ metrics=[psnr,ssim] channel=y crop_border=4
    python -m gan_lab.evaluate input1=vocoded/ input2=recordings/ metrics=[mel_l1,mcd]

Paired checkpoints (pix2pix, super-resolution, inpainting) are scored on their dataset's
held-out split, vocoder checkpoints on their held-out clips (mel L1, MCD); two folders with
paired metrics are matched by file stem.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import hydra
from omegaconf import DictConfig

import gan_lab  # noqa: F401  (registers the config resolvers)
from gan_lab.cli import check_command_line, report_user_errors
from gan_lab.config_path import config_dir
from gan_lab.errors import GanLabError
from gan_lab.metrics.evaluator import EvalSettings, Evaluator, evaluate_folders
from gan_lab.metrics.protocol import format_table, write_json

log = logging.getLogger("gan_lab.evaluate")


def run_folder(ckpt_path: Path) -> Path:
    """The run folder of ``<run>/checkpoints/<file>.ckpt`` (beside the run's other outputs), else the
    checkpoint's own folder."""
    folder = ckpt_path.expanduser().resolve().parent
    return folder.parent if folder.name == "checkpoints" else folder


def evaluate(cfg: DictConfig) -> tuple[list[dict[str, Any]], Path]:
    settings = EvalSettings.from_config(cfg)
    settings.weights_setting = "inception_weights"  # the LPIPS setting's name follows: lpips_weights
    if cfg.get("ckpt_path") and (cfg.get("input1") or cfg.get("input2")):
        raise GanLabError("give either ckpt_path=... or input1=DIR input2=DIR, not both")
    if cfg.get("ckpt_path"):
        from gan_lab.checkpointing.loading import load_checkpoint

        module, run_cfg, _ = load_checkpoint(cfg.ckpt_path)
        module.to(settings.device)
        records = Evaluator(run_cfg, cfg.metrics, settings).evaluate(module)
        for rec in records:  # last.ckpt or a kept best/periodic one: say which the numbers come from
            rec["protocol"].setdefault("options", {})["checkpoint"] = Path(str(cfg.ckpt_path)).name
        out = Path(cfg.output) if cfg.get("output") else run_folder(Path(str(cfg.ckpt_path))) / "metrics.json"
        source = {"ckpt_path": str(Path(str(cfg.ckpt_path)).expanduser().resolve())}
    elif cfg.get("input1"):
        metrics = cfg.metrics if list(cfg.metrics) != ["auto"] else ["fid", "isc", "kid"]
        records = evaluate_folders(cfg.input1, cfg.get("input2"), metrics, settings, bool(cfg.samples_find_deep))
        out = Path(cfg.output) if cfg.get("output") else Path("metrics.json")
        source = {
            "input1": str(Path(cfg.input1).resolve()),
            "input2": str(Path(cfg.input2).resolve()) if cfg.get("input2") else None,
        }
    else:
        raise GanLabError("nothing to evaluate: set ckpt_path=FILE.ckpt, or input1=DIR (and input2=DIR)")
    if not records:
        log.warning("no metric could be computed (see the warnings above)")
    write_json(records, out, **source)
    print(format_table(records) if records else "(no metrics)")
    print(f"metrics written to {out}")
    return records, out


@check_command_line("evaluate")
@hydra.main(version_base="1.3", config_path=config_dir(), config_name="evaluate")
@report_user_errors
def main(cfg: DictConfig) -> None:
    evaluate(cfg)


if __name__ == "__main__":
    main()
