"""Uploaded images (the `image` field type): read the real header, check the declared rules.

An upload arrives from a renderer as an `Upload` (the bytes and the name the person gave
it). `read_image` reads the format and pixel size from the file's own header (PNG's IHDR
chunk, JPEG's start-of-frame marker), never from the name or the declared media type, so a
PDF renamed `.jpg` is refused. The result is an `ImageValue`: the content's SHA-256, its
format, size in bytes and pixels, and the bytes themselves while the upload is fresh.
`to_json` keeps only the reference (the bytes are stored by the application layer in a
table of their own, never in a draft or session). Pure: no I/O, no third-party imports.
"""
from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass, field
from typing import Any, Mapping

from .normalize import Unacceptable

FORMATS = {"jpeg": "image/jpeg", "png": "image/png"}
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# JPEG start-of-frame markers (baseline, progressive, …) that carry the pixel size;
# C4 (DHT), C8 (JPG) and CC (DAC) share the range but are not frames.
_SOF_MARKERS = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


@dataclass(frozen=True)
class Upload:
    """A file as a renderer received it, before any check."""

    data: bytes
    filename: str = ""


@dataclass(frozen=True)
class ImageValue:
    """A checked image. `data` is set only while the upload is fresh (to be stored)."""

    digest: str
    format: str
    width: int
    height: int
    size: int
    data: bytes | None = field(default=None, repr=False, compare=False)

    @property
    def media_type(self) -> str:
        return FORMATS[self.format]

    def to_json(self) -> dict[str, Any]:
        return {"image": self.digest, "format": self.format, "width": self.width,
                "height": self.height, "size": self.size}

    def with_data(self, data: bytes | None) -> ImageValue:
        return ImageValue(self.digest, self.format, self.width, self.height, self.size, data)


def image_from_json(value: Any) -> Any:
    """Inverse of ImageValue.to_json; anything else is returned unchanged."""
    if isinstance(value, Mapping) and isinstance(value.get("image"), str):
        return ImageValue(value["image"], str(value["format"]), int(value["width"]),
                          int(value["height"]), int(value["size"]))
    return value


def read_image(data: bytes) -> tuple[str, int, int]:
    """(format, width, height) from the header; raises Unacceptable("image_unreadable")."""
    if data.startswith(_PNG_SIGNATURE) and len(data) >= 24 and data[12:16] == b"IHDR":
        width, height = struct.unpack(">II", data[16:24])
        if width and height:
            return "png", width, height
    if data.startswith(b"\xff\xd8"):
        found = _jpeg_size(data)
        if found is not None:
            return ("jpeg", *found)
    raise Unacceptable("image_unreadable")


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    """Walk the JPEG segments up to the first frame header."""
    at = 2
    while at + 4 <= len(data):
        if data[at] != 0xFF:
            return None
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        if marker in (0x01, *range(0xD0, 0xD8)):  # markers without a length
            at += 2
            continue
        (length,) = struct.unpack(">H", data[at + 2:at + 4])
        if length < 2:
            return None
        if marker in _SOF_MARKERS:
            if at + 9 > len(data):
                return None
            height, width = struct.unpack(">HH", data[at + 5:at + 9])
            return (width, height) if width and height else None
        at += 2 + length
    return None


def normalize_image(value: Any) -> ImageValue | None:
    """What a renderer passes for an image field → an ImageValue (or None: nothing chosen).

    An ImageValue (or its JSON) is kept as it is: the person did not choose a new file."""
    value = image_from_json(value)
    if value is None or isinstance(value, ImageValue):
        return value
    if isinstance(value, Upload):
        if not value.data:
            return None
        fmt, width, height = read_image(value.data)
        return ImageValue(hashlib.sha256(value.data).hexdigest(), fmt, width, height, len(value.data),
                          value.data)
    if isinstance(value, str) and not value.strip():
        return None
    raise Unacceptable("image_unreadable")
