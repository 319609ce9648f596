"""The noise -> image family trains exactly as the original GANModule did.

``tests/data/golden_losses.json`` was recorded on commit 12cded3 (before the adversarial
loop moved into ``gan_lab.tasks.adversarial``), with the configurations below: every
stabilizer the loop owns is switched on in at least one of them. A deterministic short
run must reproduce every logged loss bit for bit. Regenerate (only when a change of
behaviour is intended) with ``GAN_LAB_RECORD_GOLDEN=1 pytest tests/test_golden_losses.py``.
"""

import csv
import json
import os
from pathlib import Path

import pytest
import torch

from gan_lab.train import train
from helpers import TINY, compose_config, tiny_model_overrides

GOLDEN = Path(__file__).parent / "data" / "golden_losses.json"
RECORDING_THREADS = 2
# The recording predates the default D's change to spectral norm without BatchNorm
# (docs/default_job.md): the old default is pinned here (and the BatchNorm in the two DCGAN
# cases below, a key the MLP's config does not have), so the recorded trace stays valid.
COMMON = [
    *TINY,
    "g_steps=4",
    "trainer.deterministic=true",
    "sample_every=0",
    "seed=3",
    "model.spectral_norm.discriminator=false",
    "optimizer=adam",  # the default until the default job moved to adam_sn (docs/default_job.md)
]
OLD_DCGAN_D = ["model.discriminator.norm=batch"]
CASES = {
    "dcgan_ns_ema_r1_diffaugment": [
        "model=dcgan",
        *tiny_model_overrides("dcgan"),
        *OLD_DCGAN_D,
        "loss=ns",
        "regularizers.ema.enabled=true",
        "regularizers.ema.decay=0.9",
        "regularizers.r1.gamma=1.0",
        "regularizers.r1.lazy_interval=2",
        "regularizers.diffaugment='color,translation,cutout'",
        "regularizers.grad_clip.generator=1.0",
    ],
    "mlp_grid_wgan_gp_packing_noise_linear_decay": [
        "model=mlp",
        *tiny_model_overrides("mlp"),
        "dataset=grid",
        "dataset.source.num_samples=256",
        "loss=wgan_gp",
        "loss.n_critic=2",
        "regularizers.packing=2",
        "regularizers.instance_noise.sigma=0.1",
        "regularizers.instance_noise.anneal_g_steps=3",
        "regularizers.grad_clip.discriminator=5.0",
        "lr_decay=linear",
    ],
    "conditional_dcgan_hinge": [
        "model=dcgan",
        *tiny_model_overrides("dcgan"),
        *OLD_DCGAN_D,
        "model.conditional=true",
        "loss=hinge",
    ],
    "mlp_ring_ragan_wgan_clip": [
        "model=mlp",
        *tiny_model_overrides("mlp"),
        "dataset=ring",
        "dataset.source.num_samples=256",
        "loss=ragan",
        "loss.n_critic=2",
        "task.prior=uniform",
    ],
}


def logged_losses(run_dir: Path) -> list[dict[str, str]]:
    rows = []
    for path in sorted(run_dir.glob("csv/version_*/metrics.csv")):
        for row in csv.DictReader(path.open()):
            if row.get("train/g_loss"):
                rows.append({k: v for k, v in row.items() if k.startswith("train/") and v != ""})
    return rows


@pytest.fixture
def recording_threads():
    """The trace was recorded with torch's 2 intra-op threads (a 2-core machine). CPU kernels split
    their reductions by thread count, so the last float digits depend on it: pin it, whatever the
    machine's core count or OMP_NUM_THREADS."""
    before = torch.get_num_threads()
    torch.set_num_threads(RECORDING_THREADS)
    yield
    torch.set_num_threads(before)


def test_golden_loss_trace(tmp_path, recording_threads):
    traces = {}
    for name, overrides in CASES.items():
        out = tmp_path / name
        train(compose_config([*COMMON, *overrides], out))
        traces[name] = logged_losses(out)
        assert len(traces[name]) == 4
    if os.environ.get("GAN_LAB_RECORD_GOLDEN"):
        GOLDEN.write_text(json.dumps(traces, indent=1, sort_keys=True) + "\n")
        pytest.skip("golden trace recorded")
    assert traces == json.loads(GOLDEN.read_text())
