"""Images with captions, for the text -> image family: any folder of captioned images, and the
bundled digits captioned from their label and stroke thickness. Items are dicts
``{"real", "caption" (token ids), "label"}``."""

from gan_lab.datasets.captions.captioned_digits import CaptionedDigits, digit_captions, thickness_classes
from gan_lab.datasets.captions.captioned_folder import CaptionedImageFolder, read_captions

__all__ = ["CaptionedDigits", "CaptionedImageFolder", "digit_captions", "read_captions", "thickness_classes"]
