"""Exceptions that carry a message meant for the user.

``gan_lab.train`` and the other commands catch :class:`GanLabError`, print its
message and exit with status 2 instead of showing a traceback.
"""


class GanLabError(Exception):
    """Base class: an error caused by the user's configuration or data."""


class DatasetNotFoundError(GanLabError):
    """A dataset is not on disk and could not be downloaded."""


class ImageReadError(GanLabError):
    """An image file is empty, unreadable or corrupt."""


class EmptyDatasetError(GanLabError):
    """A dataset source holds no usable samples."""


class IncompatibleConfigError(GanLabError):
    """Two config choices cannot work together (e.g. an image model on 2D points)."""
