"""gan_lab.callbacks.progress_bar: the training bar counts G steps over the whole run, also when
n_critic > 1 (Lightning's max_steps counts every optimizer step) and in a resumed run."""

import pytest

from gan_lab.callbacks import GStepProgressBar
from gan_lab.train import train
from helpers import TINY_GRID_RUN, compose_config

RUN = [*TINY_GRID_RUN, "callbacks.progress_bar.refresh_rate=1"]


def bar_of(trainer):
    callback = trainer.progress_bar_callback
    assert isinstance(callback, GStepProgressBar)
    return callback.train_progress_bar


@pytest.mark.parametrize("n_critic", [1, 5])
def test_the_bar_ends_at_g_steps(tmp_path, n_critic):
    trainer = train(compose_config([*RUN, "g_steps=5", "loss=wgan_gp", f"loss.n_critic={n_critic}"], tmp_path))
    bar = bar_of(trainer)
    assert (bar.n, bar.total) == (5, 5)


def test_a_run_resumed_mid_epoch_shows_its_g_steps(tmp_path):
    # 64 points in batches of 8: the stop after 3 G steps falls mid-epoch, where Lightning does not
    # call on_train_epoch_start again when it resumes
    train(compose_config([*RUN, "g_steps=3"], tmp_path))
    resumed = train(
        compose_config([*RUN, "g_steps=6", f"ckpt_path={tmp_path / 'checkpoints' / 'last.ckpt'}"], tmp_path)
    )
    bar = bar_of(resumed)
    assert (bar.n, bar.total) == (6, 6)
    assert bar.initial == 3  # the rate (it/s) counts the 3 steps this process trained, not 6
