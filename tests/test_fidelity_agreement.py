"""gan_lab's FID, IS and KID equal torch-fidelity's own `fidelity` command on the same
two folders and the same weights file (random-weight Inception built by the test)."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from hydra import compose, initialize_config_dir
from PIL import Image

from gan_lab.config_path import config_dir


def _write_folder(folder: Path, n: int, offset: int, seed: int) -> None:
    folder.mkdir(parents=True)
    g = torch.Generator().manual_seed(seed)
    ramp = torch.linspace(0, 60, 24)
    for i in range(n):
        x = (torch.rand(3, 24, 24, generator=g) * 120 + offset + ramp).clamp(0, 255).to(torch.uint8)
        Image.fromarray(x.permute(1, 2, 0).numpy()).save(folder / f"{i:03d}.png")


def _fidelity_cli() -> list[str]:
    exe = shutil.which("fidelity") or str(Path(sys.executable).parent / "fidelity")
    return [exe] if Path(exe).exists() else [sys.executable, "-m", "torch_fidelity.fidelity"]


def test_fid_isc_kid_match_torch_fidelity_cli(tmp_path, random_inception_weights):
    a, b = tmp_path / "generated", tmp_path / "real"
    _write_folder(a, 6, 0, seed=1)
    _write_folder(b, 7, 60, seed=2)
    opts = ["kid_subset_size=3", "kid_subsets=20", "isc_splits=2"]
    with initialize_config_dir(config_dir=config_dir(), version_base="1.3"):
        cfg = compose(
            "evaluate",
            overrides=[
                f"input1={a}",
                f"input2={b}",
                "metrics=[fid,isc,kid]",
                f"inception_weights={random_inception_weights}",
                f"output={tmp_path / 'metrics.json'}",
                f"cache_dir={tmp_path / 'cache'}",
                *opts,
            ],
        )
    from gan_lab.evaluate import evaluate

    records, out = evaluate(cfg)
    ours = json.loads(out.read_text())["metrics"]
    assert {"fid", "isc", "kid"} <= set(ours)
    proc = subprocess.run(
        [
            *_fidelity_cli(),
            "--input1",
            str(a),
            "--input2",
            str(b),
            "--fid",
            "--isc",
            "--kid",
            "--cpu",
            "--json",
            "--silent",
            "--no-cache",
            "--feature-extractor-weights-path",
            str(random_inception_weights),
            "--kid-subset-size",
            "3",
            "--kid-subsets",
            "20",
            "--isc-splits",
            "2",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    theirs = json.loads(proc.stdout)
    pairs = {
        "fid": "frechet_inception_distance",
        "isc": "inception_score_mean",
        "kid": "kernel_inception_distance_mean",
        "kid_std": "kernel_inception_distance_std",
    }
    for ours_name, their_name in pairs.items():
        assert ours[ours_name] == pytest.approx(theirs[their_name], rel=1e-4), ours_name
    # the numbers are not degenerate: different folders are far apart, IS is a real number >= 1
    assert ours["fid"] > 1.0 and ours["isc"] >= 1.0
    protocols = {r["name"]: r["protocol"] for r in records}
    proto = protocols["fid"]
    assert proto["n_fake"] == 6 and proto["n_real"] == 7
    assert protocols["isc"]["n_fake"] == 6 and protocols["isc"]["n_real"] is None  # IS sees no real images
    assert proto["feature_extractor"] == "inception-v3-compat"
    import hashlib

    assert proto["weights_sha256"] == hashlib.sha256(Path(random_inception_weights).read_bytes()).hexdigest()
