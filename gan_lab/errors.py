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


class RunFolderInUseError(GanLabError):
    """Another live run holds the run folder."""


class TrainingInterrupted(GanLabError):
    """SIGTERM or SIGINT stopped training; the checkpoint of the last finished step was written.
    Exits with 128 + the signal number (143 for SIGTERM, 130 for SIGINT), as the shell would."""

    def __init__(self, message: str, signum: int) -> None:
        super().__init__(message)
        self.exit_code = 128 + int(signum)
