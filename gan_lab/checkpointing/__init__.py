"""Checkpoint writing and the state that Lightning does not save by itself."""

from gan_lab.checkpointing.atomic_io import AtomicCheckpointIO
from gan_lab.checkpointing.rng_state import RNGStateCheckpoint

__all__ = ["AtomicCheckpointIO", "RNGStateCheckpoint"]
