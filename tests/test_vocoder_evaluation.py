"""gan_lab.metrics.vocoder_evaluation: a vocoder checkpoint scored on its held-out clips, through
the evaluate command and the metrics callback."""

import json
import math

import pytest
import torch
from hydra import compose, initialize_config_dir

from gan_lab.builders import build_module
from gan_lab.config_path import config_dir
from gan_lab.datasets.audio import SyntheticTones
from gan_lab.errors import IncompatibleConfigError
from gan_lab.evaluate import evaluate
from gan_lab.metrics import vocoder_evaluation
from gan_lab.metrics.audio import mel_cepstral_distortion, mel_l1
from gan_lab.metrics.vocoder_evaluation import check_speech_quality, evaluate_vocoder
from gan_lab.train import train
from helpers import TINY, compose_config

VOCODER_RUN = [
    *TINY,
    "task=vocoder",
    "model=vocoder/hifigan_tiny",
    "loss=lsgan",
    "dataset=tones",
    "dataset.num_clips=8",
    "dataset.clip_seconds=0.25",
    "data.batch_size=4",
    "sample_every=0",
]


@pytest.fixture(scope="module")
def vocoder(tmp_path_factory):
    cfg = compose_config(VOCODER_RUN, tmp_path_factory.mktemp("built"))
    return build_module(cfg).eval()


def held_out(n=3):
    return SyntheticTones(num_clips=n, clip_seconds=0.25, segment_length=None, split="test")


def test_records_are_the_means_of_each_clip_against_its_resynthesis(vocoder):
    clips = held_out()
    records = evaluate_vocoder(vocoder, clips, ["mel_l1", "mcd"], 10, False, "tones:test", step=7)
    by_name = {r["name"]: r for r in records}
    # whole clips (5512 samples), zero-padded to whole hops of 256 before vocoding
    references = [torch.nn.functional.pad(clips.clip(i), (0, 5632 - 5512)).view(1, 1, -1) for i in range(3)]
    generated = [vocoder.resynthesize(r, use_ema=False) for r in references]
    expected_l1 = [mel_l1(g, r, vocoder.mel) for g, r in zip(generated, references, strict=True)]
    expected_mcd = [mel_cepstral_distortion(g, r, vocoder.mel) for g, r in zip(generated, references, strict=True)]
    assert by_name["mel_l1"]["value"] == pytest.approx(sum(expected_l1) / 3, rel=1e-5)
    assert by_name["mcd"]["value"] == pytest.approx(sum(expected_mcd) / 3, rel=1e-5)
    protocol = by_name["mcd"]["protocol"]
    assert protocol["n_fake"] == 3 and protocol["step"] == 7 and protocol["reference"] == "tones:test"
    assert protocol["options"]["clips"] == clips.names  # n capped at the split's size
    assert list(protocol["options"]["per_clip"].values()) == pytest.approx(expected_mcd, rel=1e-5)
    assert protocol["options"]["mel"]["hop_length"] == 256 and protocol["options"]["sample_rate"] == 22050


def test_a_vocoder_that_returns_its_input_scores_zero(vocoder, monkeypatch):
    """Each output is compared with the clip it came from, frame for frame."""
    monkeypatch.setattr(type(vocoder), "resynthesize", lambda self, audio, use_ema=True: audio)
    records = evaluate_vocoder(vocoder, held_out(), ["mel_l1", "mcd"], 2, True, "tones:test", step=None)
    assert [r["value"] for r in records] == [0.0, 0.0]
    assert records[0]["protocol"]["options"]["clips"] == ["tone_0000", "tone_0001"]


def test_speech_quality_metrics_without_their_packages(monkeypatch):
    monkeypatch.setattr(vocoder_evaluation, "speech_quality_available", lambda: {"pesq": False, "stoi": True})
    with pytest.raises(IncompatibleConfigError, match=r"\['pesq'\] need their packages: pip install pesq"):
        check_speech_quality(["mel_l1", "pesq"], auto=False)
    assert check_speech_quality(["mel_l1", "pesq", "stoi"], auto=True) == ["mel_l1", "stoi"]
    assert vocoder_evaluation.auto_vocoder_metrics() == ["mel_l1", "mcd", "stoi"]


def test_evaluate_command_and_metrics_callback_on_a_vocoder_run(tmp_path):
    run = tmp_path / "run"
    train(
        compose_config(
            [*VOCODER_RUN, "g_steps=4", "checkpoint_every=2", "callbacks=metrics", "callbacks.metrics.num_samples=2"],
            run,
        )
    )
    # during training: mel_l1 and mcd every 2 G steps, and best.ckpt kept by the lower mel L1
    logged = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    assert [(r["name"], r["protocol"]["step"]) for r in logged][:2] == [("mel_l1", 2), ("mcd", 2)]
    assert (run / "checkpoints" / "best.ckpt").is_file()
    # after: the evaluate command on the last checkpoint writes <run>/metrics.json
    with initialize_config_dir(config_dir=config_dir(), version_base="1.3"):
        cfg = compose("evaluate", overrides=[f"ckpt_path={run / 'checkpoints' / 'last.ckpt'}", "num_samples=2"])
    records, out = evaluate(cfg)
    assert out == run / "metrics.json"
    assert {"mel_l1", "mcd"} <= set(json.loads(out.read_text())["metrics"])
    assert all(r["protocol"]["n_fake"] == 2 and r["protocol"]["step"] == 4 for r in records)
    with initialize_config_dir(config_dir=config_dir(), version_base="1.3"):
        images = compose("evaluate", overrides=[f"ckpt_path={run / 'checkpoints' / 'last.ckpt'}", "metrics=[fid]"])
    with pytest.raises(IncompatibleConfigError, match=r"metrics \['fid'\] score images; dataset=tones is a vocoder"):
        evaluate(images)


def write_clips(folder, gain=1.0, names=("a", "b"), seconds=0.25):
    """White noise at 0.1 std (energy in every mel band, far above the log's 1e-5 clamp), one seed per name."""
    import soundfile

    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        noise = torch.randn(round(seconds * 22050), generator=torch.Generator().manual_seed(ord(name[0])))
        soundfile.write(folder / f"{name}.wav", (gain * 0.1 * noise).numpy(), 22050, subtype="FLOAT")
    return folder


def test_two_audio_folders_are_compared_by_stem(tmp_path, caplog):
    from gan_lab.metrics.evaluator import EvalSettings, evaluate_folders

    refs = write_clips(tmp_path / "refs")
    same = evaluate_folders(str(refs), str(refs), ["mel_l1", "mcd"], EvalSettings())
    assert [r["value"] for r in same] == [0.0, 0.0]
    # half the amplitude moves every log-mel by ln 0.5 (noise: no band near the 1e-5 clamp): mel L1 = ln 2
    quiet = write_clips(tmp_path / "quiet", gain=0.5, names=("a", "b", "extra"))
    records = evaluate_folders(str(quiet), str(refs), ["mel_l1"], EvalSettings())
    assert records[0]["value"] == pytest.approx(math.log(2.0), rel=1e-3)
    assert records[0]["protocol"]["options"]["clips"] == ["a", "b"] and records[0]["protocol"]["n_fake"] == 2
    assert "1 audio file(s)" in caplog.text  # "extra" has no reference


def test_audio_folder_refusals(tmp_path):
    from gan_lab.errors import GanLabError
    from gan_lab.metrics.evaluator import EvalSettings, evaluate_folders

    refs = write_clips(tmp_path / "refs")
    longer = write_clips(tmp_path / "longer", seconds=0.5)
    with pytest.raises(GanLabError, match="a.wav: 11025 samples against 5512 .*time-aligned"):
        evaluate_folders(str(longer), str(refs), ["mcd"], EvalSettings())
    with pytest.raises(GanLabError, match="alone, against a folder of references"):
        evaluate_folders(str(refs), str(refs), ["mel_l1", "fid"], EvalSettings())
    with pytest.raises(GanLabError, match="alone, against a folder of references"):
        evaluate_folders(str(refs), None, ["mel_l1"], EvalSettings())
    with pytest.raises(GanLabError, match="no audio files of .* have a file of the same stem"):
        evaluate_folders(str(write_clips(tmp_path / "other", names=("c",))), str(refs), ["mcd"], EvalSettings())
