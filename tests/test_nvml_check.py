"""gan_lab.utils.nvml_check: the NVML-based CUDA probe is dropped only where it can only fail."""

import os
import sys

import pytest
import torch

from gan_lab.utils import nvml_check
from gan_lab.utils.nvml_check import NVML_CHECK_VARIABLE, drop_futile_nvml_check

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the probe is only dropped on Linux")


@linux_only
def test_dropped_when_nvml_cannot_be_loaded(monkeypatch):
    monkeypatch.setenv(NVML_CHECK_VARIABLE, "1")
    monkeypatch.setattr(nvml_check, "nvml_loadable", lambda: False)
    assert drop_futile_nvml_check() is True
    assert NVML_CHECK_VARIABLE not in os.environ
    assert drop_futile_nvml_check() is False  # nothing left to drop


def test_kept_where_the_driver_is_installed(monkeypatch):
    monkeypatch.setenv(NVML_CHECK_VARIABLE, "1")
    monkeypatch.setattr(nvml_check, "nvml_loadable", lambda: True)
    assert drop_futile_nvml_check() is False
    assert os.environ[NVML_CHECK_VARIABLE] == "1"


@linux_only
def test_cuda_availability_answer_is_unchanged(monkeypatch):
    monkeypatch.setenv(NVML_CHECK_VARIABLE, "1")
    before = torch.cuda.is_available(), torch.cuda.device_count()
    drop_futile_nvml_check()
    assert (torch.cuda.is_available(), torch.cuda.device_count()) == before


@linux_only
def test_training_drops_it_on_a_driverless_machine(monkeypatch, tmp_path):
    import lightning  # noqa: F401  (sets the variable, as in every training process)

    from gan_lab.train import train
    from helpers import TINY, compose_config, tiny_model_overrides

    monkeypatch.setenv(NVML_CHECK_VARIABLE, "1")
    monkeypatch.setattr(nvml_check, "nvml_loadable", lambda: False)
    train(compose_config([*TINY, "model=mlp", "dataset=grid", *tiny_model_overrides("mlp")], tmp_path))
    assert NVML_CHECK_VARIABLE not in os.environ
