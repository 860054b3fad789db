"""Image input/output: decode photos for the colorizer, write colorized outputs with provenance.

No Qt and no torch here: the CLI, the GUI and the batch queue all go through this package.
"""

from colorstudio.core.imageio.formats import (
    INPUT_EXTENSIONS,
    OUTPUT_FORMATS,
    SUPPORTED_INPUT_FORMATS,
    default_output_format,
    format_from_extension,
    normalize_output_format,
)
from colorstudio.core.imageio.photo import DEFAULT_MAX_PIXELS, ImageInfo, Photo
from colorstudio.core.imageio.provenance import Provenance, read_provenance
from colorstudio.core.imageio.reader import probe_image, read_image
from colorstudio.core.imageio.thumbnail import Thumbnail, read_thumbnail
from colorstudio.core.imageio.writer import write_image

__all__ = [
    "DEFAULT_MAX_PIXELS",
    "INPUT_EXTENSIONS",
    "OUTPUT_FORMATS",
    "SUPPORTED_INPUT_FORMATS",
    "ImageInfo",
    "Photo",
    "Provenance",
    "Thumbnail",
    "default_output_format",
    "format_from_extension",
    "normalize_output_format",
    "probe_image",
    "read_image",
    "read_provenance",
    "read_thumbnail",
    "write_image",
]
