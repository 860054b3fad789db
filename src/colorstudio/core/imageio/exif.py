"""EXIF blocks: cleaning what a source carries, and stamping the provenance into what an output carries.

EXIF travels between formats as Pillow's ``Exif`` bytes (``b"Exif\\0\\0"`` + a little TIFF structure).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PIL import ExifTags, Image, TiffTags

from colorstudio.core.imageio.orientation import ORIENTATION_TAG

if TYPE_CHECKING:
    from .provenance import Provenance

IMAGE_DESCRIPTION = 0x010E
SOFTWARE = 0x0131
DATE_TIME = 0x0132
OFFSET_TIME = 0x9010  # in the Exif sub-IFD: the UTC offset of DateTime
PIXEL_X_DIMENSION = 0xA002
PIXEL_Y_DIMENSION = 0xA003

#: Tags that describe how a TIFF stores *its* pixels (size, strips, compression...), or bulky blobs
#: colorstudio carries separately (ICC, XMP) or must not copy (Photoshop's resources hold a thumbnail of
#: the original). When a TIFF is the source, Pillow's ``getexif()`` returns them along with the real
#: metadata; copied into an output they would lie about the new file.
_STRUCTURE_TAGS = frozenset(
    {
        254, 255, 256, 257, 258, 259, 262, 263, 266, 273, 277, 278, 279, 280, 281, 284, 292, 293, 317,
        320, 322, 323, 324, 325, 330, 332, 338, 339, 340, 341, 347,
        512, 513, 514, 515, 517, 518, 519, 520, 521, 529, 530, 531, 532,
        700, 34377, 34675,
    }
)

_COLORSTUDIO_NOTE_MARK = "Colours are a machine's guess"


def load_exif(data: bytes | None) -> Image.Exif:
    """An ``Exif`` for ``data`` (with or without the ``Exif\\0\\0`` prefix); empty for None."""
    exif = Image.Exif()
    if data:
        exif.load(data)
    return exif


def exif_text(value: object) -> str:
    """EXIF text (str as Pillow decodes it, i.e. Latin-1, or raw bytes) as it was meant: UTF-8 in
    practice, Latin-1 for older files that are not valid UTF-8; "" for anything else."""
    if isinstance(value, str):
        value = value.encode("latin-1", "replace")
    if not isinstance(value, bytes):
        return ""
    raw = value.rstrip(b"\0")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _keep_text_bytes(exif: Image.Exif) -> None:
    """Hand IFD0's text back to Pillow as the original bytes.

    Pillow decodes EXIF text as Latin-1 but encodes str as ASCII, so every accented letter of a caption
    ("Grand-mère") would come out as "?". Only known ASCII tags are converted: for others Pillow would
    infer a different tag type from bytes.
    """
    for tag, value in list(exif.items()):
        if isinstance(value, str) and TiffTags.lookup(tag).type == TiffTags.ASCII:
            exif[tag] = value.encode("latin-1", "replace")


def clean_source_exif(exif: Image.Exif) -> bytes | None:
    """The source's EXIF as bytes to carry to the output: upright (Orientation 1), without TIFF
    structure tags, or None when nothing is left worth carrying.

    Works on a copy so the caller's ``Exif`` (often owned by an open Pillow image) is untouched.
    """
    cleaned = Image.Exif()
    for tag, value in exif.items():
        if tag in _STRUCTURE_TAGS or tag in (ExifTags.IFD.Exif, ExifTags.IFD.GPSInfo):
            continue
        cleaned[tag] = value
    for ifd_tag in (ExifTags.IFD.Exif, ExifTags.IFD.GPSInfo):
        sub = _sub_ifd(exif, ifd_tag)
        if sub:
            cleaned[ifd_tag] = sub
    if len(cleaned) == 0:
        return None
    if ORIENTATION_TAG in cleaned:
        cleaned[ORIENTATION_TAG] = 1
    _keep_text_bytes(cleaned)
    return cleaned.tobytes()


def _sub_ifd(exif: Image.Exif, ifd_tag: int) -> dict[int, object]:
    """A sub-IFD as a plain dict with nested IFDs (Interop) resolved, ready to be re-serialized.

    A nested IFD left as the integer offset it was in the source file would point at garbage once the
    block is rewritten, so it is replaced by its content, or dropped when unreadable.
    """
    if ifd_tag not in exif:
        return {}
    sub = dict(exif.get_ifd(ifd_tag))
    if ifd_tag == ExifTags.IFD.Exif and ExifTags.IFD.Interop in sub:
        interop = exif.get_ifd(ExifTags.IFD.Interop)
        if interop:
            sub[ExifTags.IFD.Interop] = dict(interop)
        else:
            del sub[ExifTags.IFD.Interop]
    return sub


def exif_datetime(provenance: Provenance) -> str:
    """EXIF DateTime text ("YYYY:MM:DD HH:MM:SS", local wall-clock time of ``provenance.when``)."""
    return provenance.when.strftime("%Y:%m:%d %H:%M:%S")


def _utc_offset(provenance: Provenance) -> str | None:
    offset = provenance.when.utcoffset()
    if offset is None:
        return None
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def output_description(source_caption: str, provenance: Provenance) -> str:
    """ImageDescription for the output: the provenance note, after the source's own caption if it had one.

    Family archives often keep captions ("Grandma Rose, 1932") in ImageDescription; dropping them would
    lose exactly what genealogists care about, so the note is appended instead. A previous colorstudio
    note (re-colorizing an output) is replaced rather than stacked.
    """
    note = provenance.description()
    caption = source_caption.strip()
    if _COLORSTUDIO_NOTE_MARK in caption:
        caption = caption.split("Colorized by ")[0].strip()
    return f"{caption}\n{note}" if caption else note


def provenance_exif(
    source: bytes | None, provenance: Provenance, *, width: int, height: int
) -> Image.Exif:
    """The EXIF for an output: the cleaned source EXIF (if any) with the provenance stamped in.

    Sets ImageDescription, Software and DateTime (with its OffsetTime), Orientation 1, and updates
    PixelX/YDimension when present so they describe the new (possibly rotated) picture.
    """
    exif = load_exif(clean_source_exif(load_exif(source)) if source else None)
    _keep_text_bytes(exif)
    caption = exif_text(exif.get(IMAGE_DESCRIPTION))
    exif[IMAGE_DESCRIPTION] = output_description(caption, provenance).encode("utf-8")
    exif[SOFTWARE] = provenance.software.encode("utf-8")
    exif[DATE_TIME] = exif_datetime(provenance)
    if ORIENTATION_TAG in exif:
        exif[ORIENTATION_TAG] = 1
    sub = _sub_ifd(exif, ExifTags.IFD.Exif)
    offset = _utc_offset(provenance)
    if offset is not None:
        sub[OFFSET_TIME] = offset
    if PIXEL_X_DIMENSION in sub:
        sub[PIXEL_X_DIMENSION] = width
    if PIXEL_Y_DIMENSION in sub:
        sub[PIXEL_Y_DIMENSION] = height
    if sub:
        exif[ExifTags.IFD.Exif] = sub
    gps = _sub_ifd(exif, ExifTags.IFD.GPSInfo)
    if gps:
        exif[ExifTags.IFD.GPSInfo] = gps
    return exif
