"""python -m gan_lab.vocode: re-synthesis keeps the length, mel files from an acoustic model, bad input."""

import numpy as np
import pytest
import soundfile
import torch
from helpers import REPO_ROOT, TINY, compose_config, run_module
from omegaconf import OmegaConf

from gan_lab.errors import GanLabError
from gan_lab.train import train
from gan_lab.vocode import vocode

VOCODER = [
    "task=vocoder",
    "model=vocoder/hifigan_tiny",
    "loss=lsgan",
    "dataset=tones",
    "dataset.segment_length=2048",
    "dataset.num_clips=4",
    "callbacks=none",
    "data.batch_size=2",
    "g_steps=1",
    "model.discriminator.mpd.base_channels=2",
    "model.discriminator.msd.base_channels=4",
    "model.discriminator.msd.max_channels=16",
]


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    run = tmp_path_factory.mktemp("vocoder") / "run"
    train(compose_config([*TINY, *VOCODER], run))
    return run / "checkpoints" / "last.ckpt"


def settings(ckpt, input_dir, output_dir):
    return OmegaConf.create(
        {"ckpt_path": str(ckpt), "input": str(input_dir), "output": str(output_dir), "use_ema": True, "device": "cpu"}
    )


def test_round_trip_keeps_the_length_and_mels_give_frames_x_hop(checkpoint, tmp_path):
    clips = tmp_path / "in"
    clips.mkdir()
    rng = np.random.default_rng(0)
    soundfile.write(clips / "odd.wav", 0.3 * rng.standard_normal(5001), 22050, subtype="PCM_16")
    soundfile.write(clips / "stereo48k.flac", 0.3 * rng.standard_normal((4800, 2)), 48000, subtype="PCM_24")
    np.save(clips / "from_tts.npy", rng.normal(-5, 1, (80, 7)).astype(np.float32))
    torch.save(torch.randn(1, 80, 9), clips / "from_tts_2.pt")
    (clips / "notes.txt").write_text("ignored")
    out = vocode(settings(checkpoint, clips, tmp_path / "out"))
    lengths = {p.stem: len(soundfile.read(p)[0]) for p in out.glob("*.wav")}
    assert lengths == {"odd": 5001, "stereo48k": 2205, "from_tts": 7 * 256, "from_tts_2": 9 * 256}
    assert all(soundfile.info(p).samplerate == 22050 for p in out.glob("*.wav"))


def test_bad_inputs_are_user_errors(checkpoint, tmp_path):
    bad = tmp_path / "bad"
    bad.mkdir()
    np.save(bad / "wrong_bands.npy", np.zeros((40, 10), dtype=np.float32))
    with pytest.raises(GanLabError, match=r"wrong_bands\.npy.*\[80, frames\]"):
        vocode(settings(checkpoint, bad, tmp_path / "o1"))
    (bad / "wrong_bands.npy").unlink()
    (bad / "corrupt.wav").write_bytes(b"RIFF....WAVEnot audio")
    with pytest.raises(GanLabError, match=r"corrupt\.wav"):
        vocode(settings(checkpoint, bad, tmp_path / "o2"))
    (bad / "corrupt.wav").unlink()
    with pytest.raises(GanLabError, match="no audio"):
        vocode(settings(checkpoint, bad, tmp_path / "o3"))
    np.save(bad / "a.npy", np.zeros((80, 4), dtype=np.float32))
    soundfile.write(bad / "a.wav", np.zeros(2048), 22050)
    with pytest.raises(GanLabError, match="share the name"):
        vocode(settings(checkpoint, bad, tmp_path / "o4"))


def test_command_line_prints_one_error_line(checkpoint, tmp_path):
    result = run_module(
        "gan_lab.vocode", f"ckpt_path={checkpoint}", f"input={tmp_path / 'missing'}", cwd=REPO_ROOT, timeout=300
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1].startswith("gan_lab error: input not found")
