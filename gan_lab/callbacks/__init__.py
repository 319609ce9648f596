"""Lightning callbacks that gan_lab adds to the ones Lightning ships."""

from gan_lab.callbacks.divergence_guard import DivergenceError, DivergenceGuard
from gan_lab.callbacks.metrics_callback import MetricsCallback
from gan_lab.callbacks.progress_bar import GStepProgressBar
from gan_lab.callbacks.sample_previews import SamplePreviews

__all__ = ["DivergenceError", "DivergenceGuard", "GStepProgressBar", "MetricsCallback", "SamplePreviews"]
