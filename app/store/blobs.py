"""Content-addressed attachment files: ``root/ab/cd/<sha256 hex>``.

``put`` writes to a temporary file in the target folder, fsyncs it, renames it into place
(atomic on one file system) and fsyncs the folder, so after a power cut a blob is either
whole or absent, never half-written. Writing the same bytes again is a no-op. ``get`` checks
the hash, so a damaged file is reported (``store.corrupt``) instead of sent to the hub.

Threading rule: safe from any thread; concurrent ``put`` of the same bytes is harmless (both
renames carry identical content).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
from pathlib import Path

from app.store.errors import StoreError, translate_os

_SHA256 = re.compile(r"[0-9a-f]{64}")


class BlobStore:
    def __init__(self, root: Path) -> None:
        self._root = Path(root)
        try:
            self._root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _os_error(exc, self._root) from exc

    @property
    def root(self) -> Path:
        return self._root

    def path(self, sha: str) -> Path:
        if not _SHA256.fullmatch(sha):
            raise ValueError("not a lower-case sha256 hex digest")
        return self._root / sha[:2] / sha[2:4] / sha

    def has(self, sha: str) -> bool:
        return self.path(sha).is_file()

    def put(self, data: bytes) -> str:
        """Store ``data``; returns its sha256 hex digest (its address)."""
        sha = hashlib.sha256(data).hexdigest()
        target = self.path(sha)
        if target.is_file() and target.stat().st_size == len(data):
            return sha
        tmp_name: str | None = None
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(prefix=".tmp-", dir=target.parent)
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp_name, target)
            tmp_name = None
            _fsync_dir(target.parent)
        except OSError as exc:
            raise _os_error(exc, target) from exc
        finally:
            if tmp_name is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp_name)
        return sha

    def get(self, sha: str) -> bytes:
        """The bytes stored under ``sha``; ``StoreError`` ``store.corrupt`` if they do not
        hash to it, ``store.blob_missing`` if there is no such file."""
        target = self.path(sha)
        try:
            data = target.read_bytes()
        except FileNotFoundError as exc:
            raise StoreError(
                "store.blob_missing",
                f"The attached file {target} is missing from the data folder.",
                {"path": str(target)},
            ) from exc
        except OSError as exc:
            raise _os_error(exc, target) from exc
        if hashlib.sha256(data).hexdigest() != sha:
            raise StoreError(
                "store.corrupt",
                f"The attached file {target} is damaged (its contents no longer match what was "
                "saved). It will not be sent. Attach the document or photo again if you still "
                "have it, and tell field IT support: the disk may be failing.",
                {"path": str(target)},
            )
        return data


def _fsync_dir(folder: Path) -> None:
    # Makes the rename itself durable; not possible (nor needed) on Windows.
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _os_error(exc: OSError, path: Path) -> StoreError:
    return translate_os(exc, path) or StoreError(
        "store.error",
        f"Could not use the file {path} ({exc.strerror}).",
        {"path": str(path), "detail": str(exc)},
    )
