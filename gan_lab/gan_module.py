"""Former home of the training module, kept so that imports and checkpoints written before
the task families (their config names ``gan_lab.gan_module.GANModule``) keep working.

The noise -> image family is :class:`gan_lab.tasks.NoiseToImage`; the loop it runs
on is :class:`gan_lab.tasks.AdversarialModule`.
"""

from gan_lab.tasks.noise_to_image import NoiseToImage as GANModule

__all__ = ["GANModule"]
