"""Adversarial losses. ``conf/loss/<name>.yaml`` instantiates one of these."""

from gan_lab.losses.base import GANLoss
from gan_lab.losses.gradient_penalty import gradient_penalty, interpolate
from gan_lab.losses.hinge import HingeLoss
from gan_lab.losses.least_squares import LeastSquaresLoss
from gan_lab.losses.minimax import MinimaxLoss
from gan_lab.losses.non_saturating import NonSaturatingLoss
from gan_lab.losses.relativistic import RelativisticAverageLoss, RelativisticAverageLSLoss
from gan_lab.losses.wasserstein import WassersteinLoss
from gan_lab.losses.wasserstein_gp import WassersteinGPLoss

__all__ = [
    "GANLoss",
    "HingeLoss",
    "LeastSquaresLoss",
    "MinimaxLoss",
    "NonSaturatingLoss",
    "RelativisticAverageLSLoss",
    "RelativisticAverageLoss",
    "WassersteinGPLoss",
    "WassersteinLoss",
    "gradient_penalty",
    "interpolate",
]
