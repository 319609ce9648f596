"""A run stopped after step k and resumed gives the same losses as an uninterrupted run."""

import csv
from pathlib import Path

import pytest
import torch

from gan_lab.train import train
from helpers import TINY, compose_config, tiny_model_overrides

LOSS_KEYS = ("train/d_loss", "train/g_loss", "train/d_real", "train/d_fake", "train/penalty")


def losses(run_dir: Path) -> list[tuple]:
    rows = []
    for path in sorted(run_dir.glob("csv/version_*/metrics.csv")):
        for row in csv.DictReader(path.open()):
            if row.get("train/g_loss"):
                rows.append((int(row["step"]), *(row.get(k, "") for k in LOSS_KEYS)))
    return rows


@pytest.mark.parametrize(
    "model,dataset,loss,grid_samples,checkpoint_every",
    [
        ("dcgan", "bundled_mnist", "wgan_gp", None, 1),
        ("mlp", "grid", "ns", 96, 1),  # 3 steps per epoch: the stop at step 4 falls mid-epoch
        ("mlp", "grid", "hinge", 128, 1),  # 4 steps per epoch: the stop falls on the epoch's last batch
        # the default checkpoint_every: the resume starts from the end-of-run checkpoint, the case of
        # a user who raises g_steps to train longer (mid-epoch, and on the epoch's last batch)
        ("mlp", "grid", "wgan_gp", 96, 500),
        ("mlp", "grid", "ns", 128, 500),
    ],
)
def test_resumed_run_matches_uninterrupted_run(tmp_path, model, dataset, loss, grid_samples, checkpoint_every):
    common = [
        *TINY,
        f"checkpoint_every={checkpoint_every}",
        f"model={model}",
        *tiny_model_overrides(model),
        f"dataset={dataset}",
        f"loss={loss}",
        "loss.n_critic=2",
        "trainer.deterministic=true",
        "sample_every=0",
        "data.batch_size=16",
    ]
    if grid_samples:
        common += [f"dataset.source.num_samples={grid_samples}", "dataset.preview_samples=16"]
    straight = tmp_path / "straight"
    train(compose_config([*common, "g_steps=7"], straight))

    split = tmp_path / "split"
    train(compose_config([*common, "g_steps=4"], split))
    ckpt = split / "checkpoints" / "last.ckpt"
    saved = torch.load(ckpt, map_location="cpu", weights_only=True)
    assert len(saved["rng_states"]) == 1 and "GANDataModule" in saved
    train(compose_config([*common, "g_steps=7", f"ckpt_path={ckpt}"], split))

    expected, got = losses(straight), losses(split)
    assert [r[0] for r in got] == list(range(7))
    assert got == expected  # bit-identical losses, before and after the resume
