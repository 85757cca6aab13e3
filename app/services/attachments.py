"""Turning a file the paramedic picked into the bytes we store and send.

Images (JPEG, PNG and a few other raster formats Pillow reads) are decoded, turned upright
by their EXIF orientation, downscaled to at most ``MAX_SIDE`` px on the long side and
re-encoded as JPEG quality 85 with no EXIF (phones put GPS positions and serial numbers
there; a 2048 px JPEG is enough for a specialist and small enough for a 2G uplink). PDFs are
kept byte for byte up to ``MAX_PDF_BYTES``. Anything else is refused with
``attachment.unsupported``; a file that cannot be read or decoded with
``attachment.unreadable``; an oversized one with ``attachment.too_large``.

The type is decided by the file's content, never its name.

Threading: pure functions over a path; CPU-heavy for big photos, so call from a worker thread.
"""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from app.domain.errors import DomainError

MAX_SIDE = 2048
JPEG_QUALITY = 85
MAX_PDF_BYTES = 20 * 1024 * 1024
MAX_IMAGE_BYTES = 64 * 1024 * 1024  # input photo; the stored one is far smaller
IMAGE_FORMATS = frozenset({"JPEG", "MPO", "PNG", "WEBP", "BMP", "TIFF", "GIF"})

_PDF_MAGIC = b"%PDF-"


@dataclass(frozen=True, slots=True)
class PreparedAttachment:
    data: bytes
    media_type: str
    filename: str  # the original name, for display
    width: int = 0
    height: int = 0


def _error(code: str, message: str, name: str, limit_mb: int | None = None) -> DomainError:
    params: dict[str, object] = {"name": name}
    if limit_mb is not None:
        params["limit_mb"] = limit_mb
    return DomainError(code, message, params, field="attachment")


def prepare(path: Path) -> PreparedAttachment:
    """Read ``path`` and return what should be stored, or raise a ``DomainError``."""
    name = unicodedata.normalize("NFC", path.name)
    try:
        size = path.stat().st_size
        with path.open("rb") as f:
            head = f.read(8)
    except OSError as exc:
        raise _error("attachment.unreadable", f"Cannot read {name}.", name) from exc

    if head.startswith(_PDF_MAGIC):
        if size > MAX_PDF_BYTES:
            raise _error(
                "attachment.too_large",
                f"{name} is larger than {MAX_PDF_BYTES // 2**20} MB.",
                name,
                MAX_PDF_BYTES // 2**20,
            )
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise _error("attachment.unreadable", f"Cannot read {name}.", name) from exc
        return PreparedAttachment(data, "application/pdf", name)

    if size > MAX_IMAGE_BYTES:
        raise _error(
            "attachment.too_large",
            f"{name} is larger than {MAX_IMAGE_BYTES // 2**20} MB.",
            name,
            MAX_IMAGE_BYTES // 2**20,
        )
    return _prepare_image(path, name)


def _prepare_image(path: Path, name: str) -> PreparedAttachment:
    try:
        image = Image.open(path)
    except UnidentifiedImageError as exc:
        raise _error("attachment.unsupported", f"{name} is not a photo or a PDF.", name) from exc
    except Image.DecompressionBombError as exc:
        raise _error("attachment.too_large", f"{name} has too many pixels.", name) from exc
    except OSError as exc:
        raise _error("attachment.unreadable", f"Cannot read {name}.", name) from exc

    with image:
        if image.format not in IMAGE_FORMATS:
            raise _error("attachment.unsupported", f"{name} is not a photo or a PDF.", name)
        try:
            out = _downscale(image)
        except Image.DecompressionBombError as exc:
            raise _error("attachment.too_large", f"{name} has too many pixels.", name) from exc
        except (OSError, ValueError, SyntaxError) as exc:
            # Truncated or corrupt data surfaces only when decoding: OSError ("image file is
            # truncated"), ValueError or SyntaxError from some plugins.
            raise _error("attachment.unreadable", f"{name} is damaged.", name) from exc

    buf = io.BytesIO()
    out.save(buf, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return PreparedAttachment(buf.getvalue(), "image/jpeg", name, out.width, out.height)


def _downscale(image: Image.Image) -> Image.Image:
    long_side = max(image.size)
    if image.format in {"JPEG", "MPO"} and long_side > MAX_SIDE:
        # Let the JPEG decoder skip detail we would throw away (DCT scaling); it never goes
        # below the requested size, so the final resize still decides the result.
        scale = MAX_SIDE / long_side
        image.draft("RGB", (int(image.width * scale) + 1, int(image.height * scale) + 1))
    image.load()
    upright = ImageOps.exif_transpose(image)
    rgb = _to_rgb(upright)
    rgb.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    return rgb


def _to_rgb(image: Image.Image) -> Image.Image:
    if image.mode in {"RGB", "L"}:
        return image
    if image.mode in {"RGBA", "LA", "PA"} or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        # Transparent areas become white rather than black, as they look on screen.
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    if image.mode.startswith("I;16") or image.mode in {"I", "F"}:
        # 16-bit and float greyscale: scale into 8 bits rather than clip.
        return image.point(lambda v: v / 256).convert("L")
    return image.convert("RGB")
