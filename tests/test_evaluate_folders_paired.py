"""`python -m gan_lab.evaluate input1=OUTPUTS input2=TARGETS metrics=[psnr,ssim]`: folders matched by file stem."""

import json

import numpy as np
import pytest
from hydra import compose, initialize_config_dir
from PIL import Image

from gan_lab.config_path import config_dir
from gan_lab.errors import GanLabError
from gan_lab.evaluate import evaluate
from helpers import REPO_ROOT, run_module

skdata = pytest.importorskip("skimage.data")
from skimage.color import rgb2ycbcr  # noqa: E402
from skimage.metrics import peak_signal_noise_ratio, structural_similarity  # noqa: E402


def _cfg(*overrides):
    with initialize_config_dir(config_dir=config_dir(), version_base="1.3"):
        return compose("evaluate", overrides=list(overrides))


def _noisy(image, seed):
    rng = np.random.default_rng(seed)
    return np.clip(image + rng.normal(0, 10, image.shape), 0, 255).round().astype(np.uint8)


@pytest.fixture
def folders(tmp_path):
    """Two real photo crops of different sizes; outputs are noisy copies. Target ``b`` is a .bmp:
    pairs are matched by stem, not by full file name."""
    targets = {"a": skdata.astronaut()[:96, :128], "b": skdata.coffee()[100:180, 200:300]}
    out, tgt = tmp_path / "outputs", tmp_path / "targets"
    out.mkdir()
    tgt.mkdir()
    for i, (stem, image) in enumerate(targets.items()):
        Image.fromarray(image).save(tgt / (f"{stem}.bmp" if stem == "b" else f"{stem}.png"))
        Image.fromarray(_noisy(image, i)).save(out / f"{stem}.png")
    outputs = {s: np.asarray(Image.open(out / f"{s}.png")) for s in targets}
    return out, tgt, outputs, targets


def test_folders_score_like_scikit_image_per_pair_then_averaged(folders, tmp_path):
    out, tgt, outputs, targets = folders
    result = tmp_path / "m.json"
    proc = run_module(
        "gan_lab.evaluate", f"input1={out}", f"input2={tgt}", "metrics=[psnr,ssim]", f"output={result}", cwd=REPO_ROOT
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    data = json.loads(result.read_text())
    psnrs = [peak_signal_noise_ratio(targets[s], outputs[s], data_range=255) for s in targets]
    ssims = [
        structural_similarity(
            targets[s],
            outputs[s],
            data_range=255,
            gaussian_weights=True,
            sigma=1.5,
            use_sample_covariance=False,
            channel_axis=-1,
        )
        for s in targets
    ]
    assert data["metrics"]["psnr"] == pytest.approx(np.mean(psnrs), rel=1e-4)
    assert data["metrics"]["ssim"] == pytest.approx(np.mean(ssims), abs=1e-3)
    proto = data["records"][0]["protocol"]
    assert proto["n_fake"] == 2 and proto["reference"] == str(tgt.resolve())
    assert proto["options"]["channel"] == "RGB" and proto["options"]["crop_border"] == 0
    assert proto["options"]["matched_by"] == "file stem"
    assert "psnr" in proc.stdout and "ssim" in proc.stdout


def test_y_channel_and_crop_border(folders, tmp_path):
    out, tgt, outputs, targets = folders
    records, _ = evaluate(
        _cfg(
            f"input1={out}",
            f"input2={tgt}",
            "metrics=[psnr]",
            "channel=y",
            "crop_border=4",
            f"output={tmp_path / 'm.json'}",
        )
    )

    def y(image):
        return rgb2ycbcr(image)[4:-4, 4:-4, 0]

    expected = np.mean([peak_signal_noise_ratio(y(targets[s]), y(outputs[s]), data_range=255) for s in targets])
    assert records[0]["value"] == pytest.approx(expected, rel=1e-4)
    assert records[0]["protocol"]["options"]["channel"] == "Y"
    assert records[0]["protocol"]["options"]["crop_border"] == 4


def test_unmatched_files_and_size_mismatches_are_refused(folders, tmp_path):
    out, tgt, _, targets = folders
    Image.fromarray(targets["a"]).save(out / "extra.png")
    with pytest.raises(GanLabError, match=r"unmatched files: 1 in .*outputs \(extra.png\)"):
        evaluate(_cfg(f"input1={out}", f"input2={tgt}", "metrics=[psnr]"))
    (out / "extra.png").unlink()
    Image.fromarray(targets["a"][:90]).save(out / "a.png")  # 6 rows short of its target
    with pytest.raises(GanLabError, match=r"a: a.png is 128x90 but a.png is 128x96"):
        evaluate(_cfg(f"input1={out}", f"input2={tgt}", "metrics=[ssim]", f"output={tmp_path / 'm.json'}"))
    with pytest.raises(GanLabError, match="hole and classifier metrics"):
        evaluate(_cfg(f"input1={out}", f"input2={tgt}", "metrics=[hole_l1]"))
    with pytest.raises(GanLabError, match="set input2"):
        evaluate(_cfg(f"input1={out}", "metrics=[psnr]"))


def test_paired_and_inception_metrics_in_one_call(folders, tmp_path, random_inception_weights):
    out, tgt, _, _ = folders
    b = skdata.coffee()[100:196, 200:328]  # torch-fidelity batches whole folders: one size for all images
    (tgt / "b.bmp").unlink()
    Image.fromarray(b).save(tgt / "b.png")
    Image.fromarray(_noisy(b, 5)).save(out / "b.png")
    records, _ = evaluate(
        _cfg(
            f"input1={out}",
            f"input2={tgt}",
            "metrics=[psnr,fid]",
            f"inception_weights={random_inception_weights}",
            f"cache_dir={tmp_path / 'cache'}",
            f"output={tmp_path / 'm.json'}",
        )
    )
    by_name = {r["name"]: r for r in records}
    assert set(by_name) == {"psnr", "fid"}
    assert by_name["fid"]["protocol"]["feature_extractor"] == "inception-v3-compat"
    assert by_name["fid"]["value"] > 0


def test_inception_metrics_refuse_mixed_sizes_and_bad_weights_files(tmp_path, random_inception_weights):
    from PIL import Image

    from gan_lab.errors import GanLabError
    from gan_lab.metrics import fidelity

    folder = tmp_path / "mixed"
    folder.mkdir()
    Image.new("RGB", (16, 16)).save(folder / "a.png")
    Image.new("RGB", (20, 16)).save(folder / "b.png")
    with pytest.raises(GanLabError, match="different sizes.*resize them"):
        fidelity.folder_dataset(folder)
    bad = tmp_path / "not-inception.pth"
    bad.write_bytes(b"these are not weights")
    with pytest.raises(GanLabError, match="not an Inception-v3 weights file"):
        fidelity.InceptionFeatures(bad, "cpu", 4, False)
