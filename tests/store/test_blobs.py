"""Content-addressed attachment files."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from app.store.blobs import BlobStore
from app.store.errors import StoreError


def test_put_get_and_layout(tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path / "blobs")
    data = b"\xff\xd8 a small jpeg " * 100
    sha = blobs.put(data)
    assert sha == hashlib.sha256(data).hexdigest()
    assert blobs.path(sha) == tmp_path / "blobs" / sha[:2] / sha[2:4] / sha
    assert blobs.has(sha)
    assert blobs.get(sha) == data
    assert blobs.put(data) == sha  # idempotent
    leftovers = [p for p in (tmp_path / "blobs").rglob("*") if p.is_file() and p.name != sha]
    assert leftovers == []  # no temporary files left behind


def test_a_damaged_blob_is_reported_corrupt(tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path)
    sha = blobs.put(b"original bytes")
    blobs.path(sha).write_bytes(b"0riginal bytes")
    with pytest.raises(StoreError) as info:
        blobs.get(sha)
    assert info.value.code == "store.corrupt"


def test_a_truncated_blob_is_rewritten_by_put(tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path)
    sha = blobs.put(b"complete file")
    blobs.path(sha).write_bytes(b"compl")
    assert blobs.put(b"complete file") == sha
    assert blobs.get(sha) == b"complete file"


def test_missing_and_malformed_addresses(tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path)
    missing = "0" * 64
    assert not blobs.has(missing)
    with pytest.raises(StoreError) as info:
        blobs.get(missing)
    assert info.value.code == "store.blob_missing"
    for bad in ("../../etc/passwd", "AB" * 32, "0" * 63):
        with pytest.raises(ValueError):
            blobs.path(bad)
