"""Audio front ends shared by the vocoder family, its datasets, metrics and commands."""

from gan_lab.audio.mel import MelTransform, mel_filter_bank

__all__ = ["MelTransform", "mel_filter_bank"]
