"""Bad input fails with one clear message, not a traceback wall."""

import subprocess
from pathlib import Path

import pytest

from gan_lab.errors import DatasetNotFoundError, EmptyDatasetError, GanLabError, ImageReadError, IncompatibleConfigError
from gan_lab.train import train
from helpers import TINY, compose_config, run_module, tiny_model_overrides


def cli(tmp_path: Path, *overrides: str) -> subprocess.CompletedProcess:
    return run_module(
        "gan_lab.train", *TINY, f"hydra.run.dir={tmp_path / 'run'}", *overrides, cwd=tmp_path, timeout=300
    )


def test_image_model_on_points_is_refused_at_start_up(tmp_path):
    result = cli(tmp_path, "model=dcgan", "dataset=ring")
    assert result.returncode == 2
    assert "gan_lab error: model=dcgan cannot train on dataset=ring" in result.stderr
    assert "Working combinations" in result.stderr and "model=mlp" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_dataset_names_dataset_path_and_override(tmp_path):
    empty = tmp_path / "nothing_here"
    empty.mkdir()
    result = cli(tmp_path, "dataset=mnist", "model=mlp", f"dataset.root={empty}", "dataset.download=false")
    assert result.returncode == 2, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    message = result.stderr
    assert "mnist" in message.lower() and str(empty) in message and "dataset.root=" in message


def test_offline_download_failure_is_one_clear_error(tmp_path):
    cfg = compose_config([*TINY, "dataset=fashion_mnist", "model=mlp", f"dataset.root={tmp_path / 'data'}"], tmp_path)
    with pytest.raises(DatasetNotFoundError, match="dataset.root="):
        train(cfg)


def test_empty_image_folder(tmp_path):
    folder = tmp_path / "images"
    folder.mkdir()
    cfg = compose_config([*TINY, "dataset=image_folder", "model=mlp", f"dataset.root={folder}"], tmp_path)
    with pytest.raises(EmptyDatasetError, match=str(folder)):
        train(cfg)


def test_corrupt_image_is_named(tmp_path):
    from PIL import Image

    folder = tmp_path / "images"
    folder.mkdir()
    for i in range(20):
        Image.new("RGB", (40, 30), (i * 10, 0, 0)).save(folder / f"ok_{i}.png")
    (folder / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n not really an image")
    overrides = [*TINY, "dataset=image_folder", "model=mlp", *tiny_model_overrides("mlp"), f"dataset.root={folder}"]
    with pytest.raises(ImageReadError, match="broken.png"):
        train(compose_config(overrides, tmp_path))
    # the documented escape hatch: skip it with a warning and train on the rest
    with pytest.warns(UserWarning, match="1"):
        trainer = train(compose_config([*overrides, "dataset.skip_corrupt=true"], tmp_path / "skip"))
    assert int(trainer.lightning_module.generator_steps) == 2


def test_missing_checkpoint(tmp_path):
    cfg = compose_config([*TINY, f"ckpt_path={tmp_path / 'nope.ckpt'}"], tmp_path)
    with pytest.raises(GanLabError, match="checkpoint not found"):
        train(cfg)


def test_too_small_dataset_for_a_step(tmp_path):
    cfg = compose_config(
        [*TINY, "dataset=ring", "model=mlp", "dataset.source.num_samples=10", "data.batch_size=8", "loss=wgan"],
        tmp_path,
    )
    with pytest.raises(EmptyDatasetError, match="n_critic"):
        train(cfg)


def test_incompatible_error_is_raised_in_process_too(tmp_path):
    cfg = compose_config([*TINY, "model=dcgan", "dataset=grid"], tmp_path)
    with pytest.raises(IncompatibleConfigError):
        train(cfg)


@pytest.mark.parametrize(
    "override,message",
    [
        ("data.batch_size=0", "data.batch_size=0 is not a whole number >= 1"),
        ("data.batch_size=-1", "data.batch_size=-1 is not a whole number >= 1"),
        ("seed=-5", "seed=-5 is not a whole number from 0 to 4294967295"),
        ("g_steps=abc", "g_steps='abc' is not a whole number >= 1"),
        ("g_steps=0", "g_steps=0 would train nothing"),
        ("regularizers.diffaugment=bogus", "unknown operation.*'bogus'.*color, translation, cutout"),
        ("loss.n_critic=-1", "loss.n_critic=-1 is not a whole number >= 0"),
        ("loss.n_critic=0", "loss.n_critic=0 trains no discriminator.*task=noise_to_image has no reconstruction loss"),
    ],
)
def test_bad_numbers_and_names_are_refused_at_start_up(tmp_path, override, message):
    cfg = compose_config([*TINY, "model=mlp", *tiny_model_overrides("mlp"), "dataset=grid", override], tmp_path)
    with pytest.raises(IncompatibleConfigError, match=message):
        train(cfg)
    assert not (tmp_path / "config.yaml").exists()


def test_bad_number_on_the_command_line_is_one_line(tmp_path):
    result = cli(tmp_path, "model=mlp", "dataset=grid", "g_steps=abc")
    assert result.returncode == 2
    assert "gan_lab error: g_steps='abc' is not a whole number" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.skipif(__import__("torch").cuda.is_available(), reason="needs a machine without a GPU")
def test_several_devices_without_a_gpu_are_refused(tmp_path):
    overrides = [*TINY, "model=mlp", *tiny_model_overrides("mlp"), "dataset=grid", "trainer.devices=4"]
    cfg = compose_config([*overrides, "trainer.accelerator=auto"], tmp_path)
    with pytest.raises(IncompatibleConfigError, match="found no GPU.*trainer.accelerator=cpu"):
        train(cfg)


@pytest.mark.skipif(__import__("torch").cuda.is_available(), reason="needs a machine without a GPU")
@pytest.mark.parametrize("group", ["trainer=gpu", "trainer=ddp"])
def test_a_gpu_asked_for_where_there_is_none_is_refused_with_the_fix(tmp_path, group):
    overrides = [o for o in TINY if not o.startswith("trainer.accelerator")]  # TINY asks for the CPU
    result = run_module("gan_lab.train", *overrides, f"hydra.run.dir={tmp_path / 'run'}", group, cwd=tmp_path)
    assert result.returncode == 2, result.stderr[-2000:]
    assert "PyTorch sees no CUDA GPU" in result.stderr and "Drop trainer=gpu" in result.stderr
    assert "Traceback" not in result.stderr


def test_image_folder_without_a_root_says_which_override_to_add(tmp_path):
    result = cli(tmp_path, "dataset=image_folder", "g_steps=1")
    assert result.returncode == 2, result.stderr[-2000:]
    assert "dataset.root is not set: point to your images with dataset.root=/path/to/images" in result.stderr
    assert "MissingMandatoryValue" not in result.stderr


def test_full_disk_during_a_checkpoint_write_is_one_error(tmp_path, monkeypatch):
    import errno

    import gan_lab.checkpointing.atomic_io as atomic_io
    from gan_lab.checkpointing.atomic_io import CheckpointWriteError

    def full_disk(obj, handle):
        handle.write(b"partial")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic_io.torch, "save", full_disk)
    cfg = compose_config([*TINY, "model=mlp", *tiny_model_overrides("mlp"), "dataset=grid"], tmp_path)
    with pytest.raises(CheckpointWriteError, match="no space left on the device to write .*last.ckpt"):
        train(cfg)
    assert list((tmp_path / "checkpoints").iterdir()) == []  # no temporary file left behind
