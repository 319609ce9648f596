"""AudioFolder: formats, resampling, the LJSpeech layout, the held-out split, padding, corrupt files."""

import math
import warnings

import numpy as np
import pytest
import soundfile
import torch
from helpers import SHARED_DATA

from gan_lab.datasets.audio import AudioFolder, AudioReadError, SyntheticTones, read_audio
from gan_lab.datasets.resumable_sampler import SampleIndex
from gan_lab.errors import DatasetNotFoundError, EmptyDatasetError

SPEECH = SHARED_DATA / "speech-espeak"


def sine(freq=440.0, seconds=0.5, sr=22050, amplitude=0.5):
    return (amplitude * np.sin(2 * math.pi * freq * np.arange(int(seconds * sr)) / sr)).astype(np.float32)


@pytest.mark.parametrize(
    "name,subtype,tolerance",
    [
        ("a.wav", "PCM_U8", 1 / 64),
        ("b.wav", "PCM_16", 1e-4),
        ("c.wav", "PCM_24", 1e-6),
        ("d.wav", "FLOAT", 1e-7),
        ("e.flac", "PCM_16", 1e-4),
        ("f.flac", "PCM_24", 1e-6),
    ],
)
def test_integer_and_float_formats_decode_to_the_same_samples(tmp_path, name, subtype, tolerance):
    x = sine()
    soundfile.write(tmp_path / name, x, 22050, subtype=subtype)
    y, rate = read_audio(tmp_path / name, 22050)
    assert rate == 22050 and y.dtype == np.float32
    np.testing.assert_allclose(y, x, atol=tolerance)


def test_stereo_is_mixed_to_mono_and_other_rates_are_resampled(tmp_path):
    left, right = sine(440.0, sr=44100), sine(440.0, sr=44100, amplitude=0.1)
    soundfile.write(tmp_path / "s.wav", np.stack([left, right], axis=1), 44100, subtype="PCM_16")
    y, rate = read_audio(tmp_path / "s.wav", 22050)
    assert rate == 22050 and len(y) == len(left) // 2
    spectrum = np.abs(np.fft.rfft(y))
    assert np.argmax(spectrum) * 22050 / len(y) == pytest.approx(440.0, abs=3.0)  # still 440 Hz
    assert np.abs(y[1000:-1000]).max() == pytest.approx(0.3, abs=0.01)  # (0.5 + 0.1) / 2


def ljspeech(root, n=10, short=()):
    (root / "wavs").mkdir(parents=True)
    lines = []
    for i in range(n):
        seconds = 0.1 if i in short else 0.5
        soundfile.write(root / "wavs" / f"LJ-{i:03d}.wav", sine(200 + 20 * i, seconds), 22050, subtype="PCM_16")
        lines.append(f"LJ-{i:03d}|text {i}|text {i}")
    (root / "metadata.csv").write_text("\n".join(lines) + "\n")
    return root


def test_ljspeech_layout_and_last_ten_percent_held_out(tmp_path):
    root = ljspeech(tmp_path / "lj", n=10)
    (root / "wavs" / "not_listed.wav").write_bytes(b"")  # only metadata.csv's clips count
    train = AudioFolder(root, segment_length=1024)
    test = AudioFolder(root, segment_length=1024, split="test")
    assert train.names == [f"LJ-{i:03d}" for i in range(9)] and test.names == ["LJ-009"]
    item = train[0]
    assert set(item) == {"audio"} and item["audio"].shape == (1, 1024) and item["audio"].dtype == torch.float32
    assert float(train.clip(0).abs().max()) == pytest.approx(0.95, abs=1e-4)  # peak-normalised


def test_short_clip_is_zero_padded_and_segments_are_random(tmp_path):
    root = ljspeech(tmp_path / "lj", n=3, short=(0,))
    data = AudioFolder(root, segment_length=4096, holdout_fraction=0.0, cache=True)
    short = data[0]["audio"]
    assert short.shape == (1, 4096) and torch.all(short[0, 2205:] == 0) and short[0, :2205].abs().max() > 0.5
    starts = {tuple(data[1]["audio"][0, :4].tolist()) for _ in range(5)}
    assert len(starts) > 1
    test = AudioFolder(root, segment_length=1024, split="test", holdout_fraction=0.34)
    assert torch.equal(test[0]["audio"], test.clip(0)[:, :1024])  # held-out items: the first segment


def test_a_sampler_index_fixes_the_segment_whatever_the_global_rng_did(tmp_path):
    """Lightning fetches a resumed run's first batch before it restores the RNG states: the
    segment must come from the sampler's per-item seed, not from the global RNG."""
    data = AudioFolder(ljspeech(tmp_path / "lj", n=2), segment_length=1024, holdout_fraction=0.0, cache=True)
    tones = SyntheticTones(num_clips=2, segment_length=1024)
    for dataset in (data, tones):
        cuts = []
        for global_seed in (0, 1):
            torch.manual_seed(global_seed)
            cuts.append(dataset[SampleIndex(1, draw_seed=12345)]["audio"])
        assert torch.equal(cuts[0], cuts[1])
        assert not torch.equal(cuts[0], dataset[SampleIndex(1, draw_seed=54321)]["audio"])


def test_corrupt_file_stops_at_start_up_with_its_name(tmp_path):
    root = tmp_path / "clips"
    root.mkdir()
    for i in range(3):
        soundfile.write(root / f"ok{i}.wav", sine(), 22050)
    (root / "broken.wav").write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunkjunkjunk")
    with pytest.raises(AudioReadError, match=r"broken\.wav.*skip_corrupt=true"):
        AudioFolder(root, holdout_fraction=0.0)


def test_skip_corrupt_skips_and_counts(tmp_path):
    root = tmp_path / "clips"
    root.mkdir()
    for i in range(3):
        soundfile.write(root / f"ok{i}.wav", sine(), 22050)
    (root / "broken.flac").write_bytes(b"fLaC not really")
    (root / "empty.wav").write_bytes(b"")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        data = AudioFolder(root, holdout_fraction=0.0, skip_corrupt=True)
    assert len(data) == 3 and len(data.skipped) == 2
    assert any("skipped 2 undecodable" in str(w.message) for w in caught)


def test_missing_or_empty_folders(tmp_path):
    with pytest.raises(DatasetNotFoundError, match="dataset.root"):
        AudioFolder(None)
    with pytest.raises(DatasetNotFoundError, match="does not exist"):
        AudioFolder(tmp_path / "nope")
    with pytest.raises(EmptyDatasetError):
        AudioFolder(tmp_path)


def test_tones_are_deterministic_and_bounded():
    tones = SyntheticTones(num_clips=4, segment_length=2048)
    assert torch.equal(tones.clip(2), SyntheticTones(num_clips=4).clip(2))
    assert tones[0]["audio"].shape == (1, 2048) and float(tones.clip(0).abs().max()) == pytest.approx(0.95)
    assert not torch.equal(tones.clip(0), SyntheticTones(num_clips=4, split="test").clip(0))


@pytest.mark.skipif(not (SPEECH / "metadata.csv").is_file(), reason="needs ../shared/data/speech-espeak")
def test_shared_speech_corpus_split():
    train = AudioFolder(SPEECH, split="train")
    test = AudioFolder(SPEECH, split="test")
    assert len(train) == 288 and len(test) == 32
    assert test.names[0] == "ES-0289" and test.names[-1] == "ES-0320"
