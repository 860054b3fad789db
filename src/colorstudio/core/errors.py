"""Errors whose message is shown to the user as it is: say what went wrong and what to do."""


class ColorStudioError(Exception):
    """Base class: the message is user-facing."""


class ImageReadError(ColorStudioError):
    """A file could not be read as a photo (not an image, truncated, too large, unsupported)."""


class ImageWriteError(ColorStudioError):
    """An output could not be written."""


class ModelLoadError(ColorStudioError):
    """A model file could not be loaded (wrong format, unknown architecture, damaged)."""


class Cancelled(ColorStudioError):
    """The user cancelled the operation; nothing half-done was kept."""

    def __init__(self, message: str = "cancelled") -> None:
        super().__init__(message)
