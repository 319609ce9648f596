"""Skips a CUDA-availability probe that can only fail, on Linux machines without the NVIDIA driver.

Lightning sets ``PYTORCH_NVML_BASED_CUDA_CHECK=1`` when it is imported (so that asking
whether CUDA is available does not initialise CUDA before a fork). With it, every
``torch.cuda.is_available()`` first tries to load ``libnvidia-ml.so.1``, and when that
fails it falls back to the ordinary check, ``torch._C._cuda_getDeviceCount()``.
Every ``optimizer.step()`` of ``torch.optim`` asks that question, so on a machine
without the driver but with a CUDA build of torch (a CPU node, a CI runner) each
optimizer step pays for a library load that cannot succeed: about 0.1 ms, several
per cent of a small model's training step (docs/speed_vs_pytorch.md).

When the library cannot be loaded, dropping the variable gives the same answer
(the fallback above is what runs anyway) without the failed load. Where the
driver is installed nothing is changed. Hand-written: neither torch nor Lightning
offers a switch for this.
"""

from __future__ import annotations

import ctypes
import functools
import os
import sys

NVML_CHECK_VARIABLE = "PYTORCH_NVML_BASED_CUDA_CHECK"
NVML_LIBRARY = "libnvidia-ml.so.1"  # the name torch.cuda loads


@functools.cache
def nvml_loadable() -> bool:
    """Whether the NVIDIA management library (shipped with the driver) can be loaded."""
    try:
        ctypes.CDLL(NVML_LIBRARY)
    except OSError:
        return False
    return True


def drop_futile_nvml_check() -> bool:
    """Unset ``PYTORCH_NVML_BASED_CUDA_CHECK`` on Linux when NVML cannot be loaded.

    Returns whether the variable was removed. Call it after Lightning is imported
    (importing Lightning sets the variable again).
    """
    if not sys.platform.startswith("linux") or NVML_CHECK_VARIABLE not in os.environ or nvml_loadable():
        return False
    del os.environ[NVML_CHECK_VARIABLE]
    return True
