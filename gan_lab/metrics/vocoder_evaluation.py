"""A vocoder checkpoint scored on its run's held-out clips: each clip's mel is vocoded and the
result compared with the clip (``python -m gan_lab.evaluate ckpt_path=<vocoder run>``); or two
folders of audio files matched by file stem (``input1=vocoded/ input2=references/``), e.g. the
outputs of another vocoder, under the same protocol.

The metrics are those of :mod:`gan_lab.metrics.audio`: ``mel_l1`` (HiFi-GAN's validation
metric), ``mcd`` (dB) and, when their packages are installed, ``pesq`` and ``stoi``. Every record
carries the mel settings, the sample rate, the formulas, the clip list and the per-clip values.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F

from gan_lab.errors import EmptyDatasetError, GanLabError, IncompatibleConfigError
from gan_lab.metrics.audio import speech_quality_available, vocoder_metrics
from gan_lab.metrics.protocol import Protocol, record
from gan_lab.metrics.sampling import which_generator

log = logging.getLogger(__name__)

# metric name -> key of vocoder_metrics' means and per-clip rows
VOCODER_METRICS = {"mel_l1": "mel_l1", "mcd": "mcd_db", "pesq": "pesq", "stoi": "stoi"}
SPEECH_QUALITY = ("pesq", "stoi")


def auto_vocoder_metrics() -> list[str]:
    """mel L1 and MCD, plus PESQ and STOI where their packages are installed."""
    available = speech_quality_available()
    return ["mel_l1", "mcd", *(m for m in SPEECH_QUALITY if available[m])]


def check_speech_quality(metrics: list[str], auto: bool) -> list[str]:
    """``metrics`` without PESQ/STOI whose package is missing: refused when asked for by name."""
    available = speech_quality_available()
    missing = [m for m in metrics if m in SPEECH_QUALITY and not available[m]]
    if missing and not auto:
        packages = " ".join("pesq" if m == "pesq" else "pystoi" for m in missing)
        raise IncompatibleConfigError(f"metrics {missing} need their packages: pip install {packages}")
    return [m for m in metrics if m not in missing]


@torch.no_grad()
def evaluate_vocoder(
    module: Any, test_dataset: Any, metrics: list[str], n: int, use_ema: bool, reference: str, step: int | None
) -> list[dict[str, Any]]:
    """Records for ``metrics`` over the first ``n`` clips of ``test_dataset`` (whole clips,
    zero-padded to whole hops, as the benchmark does)."""
    count = min(int(n), len(test_dataset))
    if count < 1:
        raise EmptyDatasetError(f"the held-out split ({reference}) holds no clips to score")
    hop = module.mel.hop_length
    names = list(getattr(test_dataset, "names", [f"clip_{i:04d}" for i in range(count)]))[:count]
    references, generated = [], []
    for i in range(count):
        clip = test_dataset.clip(i)
        clip = F.pad(clip, (0, -clip.shape[-1] % hop)).view(1, 1, -1)
        references.append(clip)
        generated.append(module.resynthesize(clip, use_ema=use_ema).cpu())
    scores = vocoder_metrics(generated, references, names, module.mel)
    kind = which_generator(module, use_ema)[1]
    return scores_to_records(scores, metrics, reference=reference, generator=kind, step=step)


def scores_to_records(scores: dict[str, Any], metrics: list[str], options: dict | None = None, **protocol: Any) -> list:
    """One record per metric of :func:`vocoder_metrics`' ``scores``: its mean, and in the protocol's
    options the scores' own protocol, the per-clip values and ``options``."""
    records = []
    n = len(scores["per_clip"])
    for name in metrics:
        key = VOCODER_METRICS[name]
        per_clip = {row["clip"]: row[key] for row in scores["per_clip"]}
        p = Protocol(
            metric=name,
            n_fake=n,
            n_real=n,
            options={**scores["protocol"], "per_clip": per_clip, **(options or {})},
            **protocol,
        )
        records.append(record(name, scores["mean"][key], p))
    return records


def audio_files(folder: str | Path) -> dict[str, Path]:
    """``{stem: path}`` of the WAV/FLAC files directly in ``folder``."""
    from gan_lab.datasets.audio.decode import AUDIO_SUFFIXES

    root = Path(folder).expanduser()
    if not root.is_dir():
        raise GanLabError(f"{root} is not a folder of audio files")
    return {p.stem: p for p in sorted(root.iterdir()) if p.suffix.lower() in AUDIO_SUFFIXES}


@torch.no_grad()
def evaluate_audio_folders(input1: str, input2: str, metrics: list[str], sample_rate: int) -> list[dict[str, Any]]:
    """``metrics`` of the audio files of ``input1`` (generated) against those of ``input2``
    (references) with the same stem, both read mono at ``sample_rate`` (HiFi-GAN's mel settings).
    A pair whose lengths differ by more than one hop is refused: the metrics compare frame for frame."""
    from gan_lab.audio.mel import MelTransform
    from gan_lab.datasets.audio.decode import read_audio

    generated, references = audio_files(input1), audio_files(input2)
    stems = [stem for stem in generated if stem in references]
    if not stems:
        raise GanLabError(
            f"no audio files of {input1} ({len(generated)}) have a file of the same stem in {input2} "
            f"({len(references)}): vocoder metrics compare each output with its reference"
        )
    unmatched = len(generated) - len(stems)
    if unmatched:
        log.warning(
            "%d audio file(s) of %s have no reference of the same stem in %s: left out", unmatched, input1, input2
        )
    mel = MelTransform(sample_rate=int(sample_rate))
    outputs, targets = [], []
    for stem in stems:
        out, ref = (
            torch.from_numpy(read_audio(p, mel.sample_rate)[0]).view(1, 1, -1)
            for p in (generated[stem], references[stem])
        )
        if abs(out.shape[-1] - ref.shape[-1]) > mel.hop_length:
            raise GanLabError(
                f"{generated[stem].name}: {out.shape[-1]} samples against {ref.shape[-1]} in {references[stem]} "
                f"at {mel.sample_rate} Hz; vocoder metrics compare time-aligned audio (lengths within one hop, "
                f"{mel.hop_length} samples)"
            )
        outputs.append(out)
        targets.append(ref)
    scores = vocoder_metrics(outputs, targets, stems, mel)
    options = {"input1": str(Path(input1).resolve()), "matched_by": "file stem"}
    return scores_to_records(scores, metrics, options, reference=str(Path(input2).resolve()))
