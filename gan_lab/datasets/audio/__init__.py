"""Audio datasets for the vocoder family: folders of clips (LJSpeech layout too) and generated tones."""

from gan_lab.datasets.audio.audio_folder import AudioFolder, find_clips, holdout_split, take_segment
from gan_lab.datasets.audio.decode import AUDIO_SUFFIXES, AudioReadError, read_audio, resample, write_wav
from gan_lab.datasets.audio.tones import SyntheticTones

__all__ = [
    "AUDIO_SUFFIXES",
    "AudioFolder",
    "AudioReadError",
    "SyntheticTones",
    "find_clips",
    "holdout_split",
    "read_audio",
    "resample",
    "take_segment",
    "write_wav",
]
