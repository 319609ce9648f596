"""Re-synthesise audio, or turn saved mel spectrograms into audio, with a vocoder checkpoint.

    python -m gan_lab.vocode ckpt_path=RUN/checkpoints/last.ckpt input=clips/ output=out/

Every audio file (WAV/FLAC) directly in ``input`` goes audio -> mel -> G -> audio: it is read as
mono at the model's sample rate (resampled when needed), and the output has the same number of
samples. Every ``.npy`` / ``.pt`` file is a log-mel spectrogram ``[n_mels, frames]`` (or
``[1, n_mels, frames]``) from an acoustic model, made with the checkpoint's mel settings
(docs/vocoders.md); its output has ``frames x hop`` samples. Outputs: ``<output>/<stem>.wav``,
16-bit PCM at the model's rate. ``input`` may also be a single file.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import hydra
import numpy as np
import torch
from omegaconf import DictConfig
from torch import Tensor

import gan_lab  # noqa: F401  (registers the config resolvers)
from gan_lab.cli import check_command_line, report_user_errors
from gan_lab.config_path import config_dir
from gan_lab.datasets.audio.decode import AUDIO_SUFFIXES, read_audio, write_wav
from gan_lab.errors import GanLabError, IncompatibleConfigError

if TYPE_CHECKING:
    from gan_lab.tasks.vocoder import Vocoder

MEL_SUFFIXES = (".npy", ".pt")


def input_files(path: str | Path) -> list[Path]:
    """The audio and mel files of ``path`` (a folder: the files directly in it, by name; or one file)."""
    root = Path(str(path)).expanduser()
    suffixes = AUDIO_SUFFIXES + MEL_SUFFIXES
    if root.is_file():
        files = [root]
        if root.suffix.lower() not in suffixes:
            raise GanLabError(
                f"{root}: not an audio ({', '.join(AUDIO_SUFFIXES)}) or mel ({', '.join(MEL_SUFFIXES)}) file"
            )
    elif root.is_dir():
        files = sorted(p for p in root.iterdir() if p.is_file() and p.suffix.lower() in suffixes)
    else:
        raise GanLabError(f"input not found: {root}")
    if not files:
        raise GanLabError(f"no audio ({', '.join(AUDIO_SUFFIXES)}) or mel ({', '.join(MEL_SUFFIXES)}) files in {root}")
    stems = [p.stem for p in files]
    clashes = sorted({s for s in stems if stems.count(s) > 1})
    if clashes:
        raise GanLabError(f"{root}: several inputs share the name(s) {clashes}; outputs are named <stem>.wav")
    return files


def load_vocoder(ckpt_path: str) -> Vocoder:
    from gan_lab.checkpointing.loading import load_checkpoint

    module, _, _ = load_checkpoint(ckpt_path)
    if not callable(getattr(module, "vocode", None)):
        family = getattr(module, "task_family", "noise_to_image")
        raise IncompatibleConfigError(f"{ckpt_path} holds a task={family} model, not a vocoder (task=vocoder)")
    return module


def read_mel(path: Path, n_mels: int) -> Tensor:
    """``[n_mels, frames]`` float32 from a ``.npy`` or ``.pt`` file, checked."""
    try:
        if path.suffix.lower() == ".npy":
            data = torch.from_numpy(np.load(path, allow_pickle=False))
        else:
            data = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as err:  # noqa: BLE001  (any unreadable file is the user's to fix)
        raise GanLabError(f"cannot read mel file {path}: {type(err).__name__}: {str(err)[:200]}") from None
    if not isinstance(data, Tensor):
        raise GanLabError(f"{path} holds a {type(data).__name__}, not a tensor [n_mels, frames]")
    if data.dim() == 3 and data.shape[0] == 1:
        data = data[0]
    if data.dim() != 2 or data.shape[0] != n_mels or data.shape[1] < 1:
        raise GanLabError(
            f"{path}: mel of shape {list(data.shape)}, but this vocoder takes [{n_mels}, frames] log-mels "
            "(natural log of the magnitude; see docs/vocoders.md for the settings)"
        )
    if not data.is_floating_point() or not torch.isfinite(data).all():
        raise GanLabError(f"{path}: the mel must hold finite floating-point values")
    return data.float()


def resynthesize_file(module: Vocoder, path: Path) -> np.ndarray:
    """Audio of ``path`` through mel -> G, with the input's length (in samples at the model's rate)."""
    samples, _ = read_audio(path, module.sample_rate)
    hop, pad = module.mel.hop_length, (module.mel.n_fft - module.mel.hop_length) // 2
    length = len(samples)
    padded_length = -(-length // hop) * hop
    if padded_length <= pad:
        raise GanLabError(f"{path}: {length} samples is too short to vocode (at least {pad + 1} needed)")
    audio = torch.from_numpy(np.pad(samples, (0, padded_length - length))).view(1, 1, -1)
    return module.resynthesize(audio, use_ema=True)[0, 0, :length].cpu().numpy()


@torch.no_grad()
def vocode(cfg: DictConfig) -> Path:
    if not cfg.get("input"):
        raise GanLabError("set input=FOLDER (audio files to re-synthesise, or .npy/.pt mel spectrograms)")
    files = input_files(cfg.input)  # refuse a missing or empty input before loading the checkpoint
    module = load_vocoder(cfg.ckpt_path)
    module.to(torch.device(str(cfg.device)))
    if cfg.get("output"):
        out_dir = Path(str(cfg.output)).expanduser()
    else:
        out_dir = Path(str(cfg.ckpt_path)).expanduser().resolve().parent / "vocoded"
    out_dir.mkdir(parents=True, exist_ok=True)
    use_ema = bool(cfg.use_ema)
    for path in files:
        if path.suffix.lower() in MEL_SUFFIXES:
            audio = module.vocode(read_mel(path, module.mel.n_mels), use_ema=use_ema)[0, 0].cpu().numpy()
        else:
            audio = resynthesize_file(module, path)
        write_wav(out_dir / f"{path.stem}.wav", audio, module.sample_rate)
    print(f"{len(files)} file(s) vocoded at {module.sample_rate} Hz -> {out_dir}")
    return out_dir


@check_command_line("vocode")
@hydra.main(version_base="1.3", config_path=config_dir(), config_name="vocode")
@report_user_errors
def main(cfg: DictConfig) -> None:
    vocode(cfg)


if __name__ == "__main__":
    main()
