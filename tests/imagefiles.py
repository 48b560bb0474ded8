"""Real image files for tests, made with Pillow (fpdf2 already depends on it), and the bad
uploads the issue names: a PDF renamed .jpg, a 20 MB file, a 10×10 px image."""
from __future__ import annotations

import io

from PIL import Image

PHOTO_SIZE = (114, 156)  # the recent colour ID photo step 7 of the real system asks for


def jpeg(size: tuple[int, int] = PHOTO_SIZE, color: tuple[int, int, int] = (200, 60, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG", quality=85)
    return out.getvalue()


def png(size: tuple[int, int] = PHOTO_SIZE, color: tuple[int, int, int] = (40, 90, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def pdf_named_jpg() -> bytes:
    """The start of a real PDF file: what a renamed `scan.pdf → photo.jpg` holds."""
    return b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n" + b"0" * 200


def oversized(megabytes: int = 20) -> bytes:
    """A JPEG whose header is fine, padded to `megabytes` MB (a camera original, say)."""
    return jpeg() + b"\0" * (megabytes * 1024 * 1024)
