"""The provenance record stamped into every output, so a colorized photo is never taken for an original.

The record is an XMP packet (machine-readable, survives most photo tools) plus human-readable EXIF /
PNG text written by the writer. :func:`read_provenance` finds the packet in any file colorstudio wrote.
"""

from __future__ import annotations

import mmap
import os
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from colorstudio import __version__
from colorstudio.core.errors import ImageReadError
from colorstudio.core.text import plural

XMP_NAMESPACE = "https://colorstudio.invalid/ns/1.0/"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_DC = "http://purl.org/dc/elements/1.1/"
_XMP_START = b"<x:xmpmeta"
_XMP_END = b"</x:xmpmeta>"
_MAX_PACKET_BYTES = 1 << 20  # anything bigger is not ours; do not parse megabytes of someone's XML


def _now() -> datetime:
    """Now, in local time with its UTC offset (a naive time would be ambiguous in the record)."""
    return datetime.now(timezone.utc).astimezone()


@dataclass
class Provenance:
    """Who colorized the photo, with what, and when."""

    model: str
    model_version: str = ""
    software: str = f"colorstudio {__version__}"
    when: datetime = field(default_factory=_now)
    hints: int = 0  # colour hints the user gave for this photo
    reference: str = ""  # the file name of the reference colour photo that guided it ("" for none)...
    reference_sha256: str = ""  # ...and its SHA-256, so the very file can be told again

    def when_iso(self) -> str:
        return self.when.isoformat(timespec="seconds")

    def description(self) -> str:
        """One human-readable sentence for ImageDescription / PNG Description / dc:description."""
        model = f"{self.model} {self.model_version}".strip()
        guides = ([plural(self.hints, "colour hint")] if self.hints else []) + \
                 ([f"the reference photo {self.reference}"] if self.reference else [])
        guided = f", guided by {' and '.join(guides)}" if guides else ""
        return (
            f"Colorized by {self.software} with model {model}{guided} on {self.when_iso()}. "
            "Colours are a machine's guess, not the original."
        )


def build_xmp(provenance: Provenance) -> bytes:
    """A small, valid XMP packet (RDF/XML, UTF-8) carrying the record in the colorstudio namespace."""
    attrs = {
        "colorstudio:Colorized": "True",
        "colorstudio:Model": provenance.model,
        "colorstudio:ModelVersion": provenance.model_version,
        "colorstudio:Software": provenance.software,
        "colorstudio:Date": provenance.when_iso(),
        "colorstudio:Hints": str(provenance.hints),
    }
    if provenance.reference:
        attrs["colorstudio:ReferencePhoto"] = provenance.reference
        attrs["colorstudio:ReferenceSHA256"] = provenance.reference_sha256
    attr_text = "".join(f"\n    {name}={quoteattr(value)}" for name, value in attrs.items())
    packet = (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
        f' <rdf:RDF xmlns:rdf="{_RDF}">\n'
        '  <rdf:Description rdf:about=""\n'
        f'    xmlns:dc="{_DC}"\n'
        f'    xmlns:colorstudio="{XMP_NAMESPACE}"{attr_text}>\n'
        "   <dc:description><rdf:Alt>"
        f'<rdf:li xml:lang="x-default">{escape(provenance.description())}</rdf:li>'
        "</rdf:Alt></dc:description>\n"
        "  </rdf:Description>\n"
        " </rdf:RDF>\n"
        "</x:xmpmeta>\n"
        '<?xpacket end="w"?>'
    )
    return packet.encode("utf-8")


def parse_xmp(packet: bytes) -> dict[str, object] | None:
    """The colorstudio record in an ``<x:xmpmeta>`` element, or None if it holds none.

    Accepts both the attribute form colorstudio writes and the element form other XMP tools may
    rewrite it into.
    """
    try:
        root = ET.fromstring(packet)
    except ET.ParseError:
        return None
    values: dict[str, str] = {}
    description = ""
    prefix = f"{{{XMP_NAMESPACE}}}"
    for element in root.iter():
        for key, value in element.attrib.items():
            if key.startswith(prefix):
                values[key[len(prefix) :]] = value
        if element.tag.startswith(prefix) and element.text:
            values[element.tag[len(prefix) :]] = element.text.strip()
        if element.tag == f"{{{_DC}}}description":
            description = " ".join("".join(element.itertext()).split())
    if values.get("Colorized", "").lower() != "true":
        return None
    return {
        "colorized": True,
        "model": values.get("Model", ""),
        "model_version": values.get("ModelVersion", ""),
        "software": values.get("Software", ""),
        "when": values.get("Date", ""),
        "hints": int(values["Hints"]) if values.get("Hints", "").isdigit() else 0,
        "description": description,
        # the reference photo that guided it, in records that have one
        **({"reference": values["ReferencePhoto"], "reference_sha256": values.get("ReferenceSHA256", "")}
           if values.get("ReferencePhoto") else {}),
    }


def _xmp_packets(data: bytes | mmap.mmap) -> list[bytes]:
    """Every ``<x:xmpmeta>...</x:xmpmeta>`` element stored uncompressed in ``data``."""
    packets = []
    start = data.find(_XMP_START)
    while start != -1:
        end = data.find(_XMP_END, start, start + _MAX_PACKET_BYTES)
        if end == -1:
            break
        packets.append(bytes(data[start : end + len(_XMP_END)]))
        start = data.find(_XMP_START, end)
    return packets


def read_provenance(path: str | os.PathLike[str]) -> dict[str, object] | None:
    """The colorstudio record of a file (``{"colorized": True, "model": ..., "software": ..., "when": ...}``),
    or None if it has none.

    Searches the raw bytes for XMP packets rather than going through a decoder: every container
    colorstudio writes (PNG iTXt, JPEG APP1, TIFF tag 700, WebP XMP chunk) stores the packet verbatim,
    and this also finds it in files Pillow would refuse to open.
    """
    path = Path(path)
    try:
        with open(path, "rb") as f:
            if os.fstat(f.fileno()).st_size == 0:
                return None
            with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
                packets = _xmp_packets(data)
    except FileNotFoundError:
        raise ImageReadError(f"Cannot read {path}: the file does not exist.") from None
    except OSError as exc:
        raise ImageReadError(f"Cannot read {path}: {exc.strerror or exc}.") from exc
    namespace = XMP_NAMESPACE.encode()
    for packet in packets:
        if namespace in packet:
            record = parse_xmp(packet)
            if record is not None:
                return record
    return None
