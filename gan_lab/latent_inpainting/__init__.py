"""Semantic inpainting with a trained noise -> image GAN (Yeh et al., 2017): find latents whose
samples agree with an image's known pixels, then blend the best sample into the hole.

Masks follow gan_lab's convention everywhere: ``hole`` is 1 on missing pixels, 0 on known ones.
"""

from gan_lab.latent_inpainting.blending import alpha_blend, blend, poisson_blend
from gan_lab.latent_inpainting.context_loss import context_loss, context_weights
from gan_lab.latent_inpainting.optimise import LatentInpainting, inpaint_latents, prior_loss

__all__ = [
    "LatentInpainting",
    "alpha_blend",
    "blend",
    "context_loss",
    "context_weights",
    "inpaint_latents",
    "poisson_blend",
    "prior_loss",
]
