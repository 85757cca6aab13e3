"""Preparing attachment files: downscale, orientation, EXIF stripping, type and size checks."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from app.domain.errors import DomainError
from app.services.attachments import MAX_PDF_BYTES, MAX_SIDE, prepare

EXIF_ORIENTATION = 0x0112
EXIF_MAKE = 0x010F


def noisy_photo(width: int, height: int) -> Image.Image:
    # Gaussian noise in each channel: incompressible, so the file is as big as a real photo.
    bands = [Image.effect_noise((width, height), 80) for _ in range(3)]
    return Image.merge("RGB", bands)


def test_eight_megapixel_photo_is_downscaled_and_much_smaller(tmp_path: Path) -> None:
    src = tmp_path / "wound.jpg"
    noisy_photo(3264, 2448).save(src, quality=95)
    original = src.stat().st_size
    assert original > 4_000_000  # a realistic camera file

    prepared = prepare(src)

    assert prepared.media_type == "image/jpeg"
    assert prepared.filename == "wound.jpg"
    assert (prepared.width, prepared.height) == (MAX_SIDE, 1536)
    assert len(prepared.data) < original / 2
    with Image.open(io.BytesIO(prepared.data)) as out:
        assert out.format == "JPEG"
        assert max(out.size) <= MAX_SIDE
        assert out.size == (prepared.width, prepared.height)


def test_exif_orientation_is_applied_and_exif_stripped(tmp_path: Path) -> None:
    # A phone held upright stores a landscape bitmap and orientation 6 ("rotate 90 cw").
    img = Image.new("RGB", (400, 100), (200, 30, 30))
    exif = Image.Exif()
    exif[EXIF_ORIENTATION] = 6
    exif[EXIF_MAKE] = "PhoneCo"
    src = tmp_path / "rash.jpg"
    img.save(src, exif=exif.tobytes())

    prepared = prepare(src)

    assert (prepared.width, prepared.height) == (100, 400)
    with Image.open(io.BytesIO(prepared.data)) as out:
        assert out.size == (100, 400)
        assert len(out.getexif()) == 0
        assert "exif" not in out.info


def test_png_with_transparency_becomes_jpeg_on_white(tmp_path: Path) -> None:
    img = Image.new("RGBA", (50, 40), (0, 0, 0, 0))
    src = tmp_path / "scan.png"
    img.save(src)

    prepared = prepare(src)

    assert prepared.media_type == "image/jpeg"
    with Image.open(io.BytesIO(prepared.data)) as out:
        r, g, b = out.convert("RGB").getpixel((25, 20))  # type: ignore[misc]
        assert min(r, g, b) > 240


def test_small_image_keeps_its_size(tmp_path: Path) -> None:
    src = tmp_path / "eye.png"
    noisy_photo(640, 480).save(src)
    prepared = prepare(src)
    assert (prepared.width, prepared.height) == (640, 480)


def test_truncated_jpeg_is_unreadable(tmp_path: Path) -> None:
    whole = io.BytesIO()
    noisy_photo(800, 600).save(whole, format="JPEG")
    src = tmp_path / "half.jpg"
    src.write_bytes(whole.getvalue()[: len(whole.getvalue()) // 2])

    with pytest.raises(DomainError) as info:
        prepare(src)
    assert info.value.code == "attachment.unreadable"
    assert info.value.params["name"] == "half.jpg"


def test_executable_is_unsupported_whatever_its_name(tmp_path: Path) -> None:
    payload = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 2000 + b"This program cannot be run"
    for name in ("setup.exe", "photo.jpg"):
        src = tmp_path / name
        src.write_bytes(payload)
        with pytest.raises(DomainError) as info:
            prepare(src)
        assert info.value.code == "attachment.unsupported"


def test_missing_file_is_unreadable(tmp_path: Path) -> None:
    with pytest.raises(DomainError) as info:
        prepare(tmp_path / "gone.jpg")
    assert info.value.code == "attachment.unreadable"


def test_pdf_is_kept_byte_for_byte(tmp_path: Path) -> None:
    body = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
    src = tmp_path / "ecg report.pdf"
    src.write_bytes(body)
    prepared = prepare(src)
    assert prepared.media_type == "application/pdf"
    assert prepared.data == body
    assert (prepared.width, prepared.height) == (0, 0)


def test_pdf_over_20_mb_is_too_large(tmp_path: Path) -> None:
    src = tmp_path / "huge.pdf"
    with src.open("wb") as f:
        f.write(b"%PDF-1.4\n")
        f.truncate(MAX_PDF_BYTES + 1)
    with pytest.raises(DomainError) as info:
        prepare(src)
    assert info.value.code == "attachment.too_large"
    assert info.value.params["limit_mb"] == 20


def test_pdf_of_exactly_20_mb_is_accepted(tmp_path: Path) -> None:
    src = tmp_path / "big.pdf"
    with src.open("wb") as f:
        f.write(b"%PDF-1.4\n")
        f.truncate(MAX_PDF_BYTES)
    assert len(prepare(src).data) == MAX_PDF_BYTES
