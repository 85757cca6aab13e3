"""The backup file's format: one ZIP (``.hwcbak``) with a manifest, written and read safely.

Members, all stored (``ZIP_STORED``: everything in them is already encrypted, so compressing
gains nothing and costs time):

- ``manifest.json``: what the file holds, readable without a key (``BackupInfo``): the format
  and its version, the app version, when it was made (UTC), the database's schema version,
  the spoke id if enrolled, counts of patients, cases and operations waiting to sync (counts
  only, never patient data), and every other member's name, size and SHA-256.
- ``spoke.sqlite3`` (the SQLCipher snapshot), ``keyslots.json``, ``preferences.json`` if there
  was one, and ``blobs/...`` (the attachments as stored: encrypted, with their marker file).

Writing (``ArchiveWriter``) goes to a hidden ``.partial`` file in the target folder through
``os.write``, is flushed to the disk, and only then renamed to its ``.hwcbak`` name: a full
disk or a USB stick pulled out never leaves something that looks like a backup. A failure
removes the partial file (when the disk still lets it) and raises ``backup.disk_full`` or
``backup.write_failed`` with the folder.

Reading (``verify``, ``extract``) trusts nothing: member names must be exactly the expected
ones (no ``..``, no absolute paths, nothing but the names above), each member's size and
SHA-256 must match the manifest, and ``extract`` hashes again as it writes (a file changed
after ``verify`` fails there too). Codes: ``backup.not_found``, ``backup.damaged``,
``backup.unknown_format``, ``backup.unexpected_file``.

Pure file work, no key, no Qt; any thread (not the GUI thread: it reads and writes every byte).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import io
import json
import os
import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO, Final, Protocol

from app.domain.errors import DomainError
from app.durable import fsync_dir

FORMAT: Final = "hwc-spoke-backup"
FORMAT_VERSION: Final = 1
SUFFIX: Final = ".hwcbak"
MANIFEST: Final = "manifest.json"
DB_MEMBER: Final = "spoke.sqlite3"
SLOTS_MEMBER: Final = "keyslots.json"
PREFERENCES_MEMBER: Final = "preferences.json"
BLOB_PREFIX: Final = "blobs/"
REQUIRED: Final = (DB_MEMBER, SLOTS_MEMBER)

# The attachment files a backup may hold: the marker, encrypted files (``.hwcb``) and, from a
# folder not fully converted, plaintext ones named by their sha256.
_BLOB_NAME = re.compile(r"blobs/(?:\.encrypted|[0-9a-f]{2}/[0-9a-f]{2}/[0-9a-f]{64}(?:\.hwcb)?)")
_SHA256 = re.compile(r"[0-9a-f]{64}")
_MANIFEST_LIMIT = 64 * 1024 * 1024  # bytes: a manifest of a million files fits; more is junk
CHUNK = 1024 * 1024
_ZIP64_FROM = 2**31  # members this large need ZIP64 headers from the start
# What reading a damaged or foreign member raises: a cut-off file, bad headers, and a member
# that is ZIP-encrypted or packed with a method this Python cannot read (never ours).
_UNREADABLE: Final = (
    zipfile.BadZipFile, EOFError, ValueError, RuntimeError, NotImplementedError,
)  # fmt: skip


class Readable(Protocol):
    def read(self, n: int = -1, /) -> bytes: ...


@dataclass(frozen=True, slots=True)
class FileEntry:
    name: str
    size: int
    sha256: str


@dataclass(frozen=True, slots=True)
class BackupInfo:
    """A backup's manifest (and, once read from a file, that file and its size)."""

    created_at: datetime
    app_version: str
    schema_version: int
    spoke_id: str  # "" when the PC was not enrolled
    patients: int
    cases: int
    pending_sync: int  # operations waiting to be sent to the hub (audit entries left out)
    files: tuple[FileEntry, ...]
    format_version: int = FORMAT_VERSION
    path: Path | None = None
    size: int = 0

    def to_json(self) -> bytes:
        data = {
            "format": FORMAT,
            "version": self.format_version,
            "app_version": self.app_version,
            "created_at": self.created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "schema_version": self.schema_version,
            "spoke_id": self.spoke_id,
            "counts": {
                "patients": self.patients,
                "cases": self.cases,
                "pending_sync": self.pending_sync,
            },
            "file_count": len(self.files),
            "files": [{"name": f.name, "size": f.size, "sha256": f.sha256} for f in self.files],
        }
        return json.dumps(data, indent=1, sort_keys=True).encode("utf-8")


def allowed_name(name: str) -> bool:
    """Whether ``name`` may be a member of a backup (besides the manifest)."""
    return name in (DB_MEMBER, SLOTS_MEMBER, PREFERENCES_MEMBER) or bool(_BLOB_NAME.fullmatch(name))


# -- errors ------------------------------------------------------------------------------------


def damaged(path: Path, why: str) -> DomainError:
    return DomainError(
        "backup.damaged",
        f"The backup {path} is damaged ({why}). Nothing was restored from it. Use another "
        "backup, or make a new one on the old PC.",
        {"path": str(path)},
    )


def _unknown_format(path: Path, version: object) -> DomainError:
    return DomainError(
        "backup.unknown_format",
        f"The file {path} is not an HWC Spoke backup this version can read (format "
        f"{version!r}). Use a newer version of HWC Spoke, or another backup.",
        {"path": str(path), "version": str(version)},
    )


def _unexpected(path: Path, name: str) -> DomainError:
    return DomainError(
        "backup.unexpected_file",
        f"The backup {path} holds a file it should not ({name[:80]!r}): it was not made by "
        "HWC Spoke, or it was changed. Nothing was restored from it.",
        {"path": str(path), "name": name[:80]},
    )


def write_error(exc: OSError, folder: Path) -> DomainError:
    """``backup.disk_full`` for a full disk, else ``backup.write_failed``, with the folder."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return DomainError(
            "backup.disk_full",
            f"The disk holding {folder} is full: the backup was not made (nothing half-made is "
            "left there). Free some space or use a larger USB drive, and try again.",
            {"folder": str(folder)},
        )
    return DomainError(
        "backup.write_failed",
        f"The backup could not be written to {folder} ({exc.strerror or exc}). Nothing "
        "half-made is left there. Check the drive (was it taken out?) and try again.",
        {"folder": str(folder), "detail": str(exc)},
    )


# -- writing -----------------------------------------------------------------------------------


class _FdWriter(io.RawIOBase):
    """A seekable raw file over a descriptor, writing with ``os.write`` (the OS seam)."""

    def __init__(self, fd: int) -> None:
        super().__init__()
        self._fd = fd

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def release(self) -> None:
        """Forget the descriptor (closed by its owner): a late flush fails instead of
        writing into whatever file reuses the number."""
        self._fd = -1

    def write(self, data: Any) -> int:
        if self._fd < 0:
            raise OSError(errno.EBADF, "the backup file is closed")
        view = memoryview(data).cast("B")
        done = 0
        while done < len(view):
            done += os.write(self._fd, view[done:])
        return done

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        return os.lseek(self._fd, offset, whence)

    def tell(self) -> int:
        return os.lseek(self._fd, 0, os.SEEK_CUR)


class ArchiveWriter:
    """Builds ``folder/name`` through a hidden partial file; ``add`` each member, then
    ``finish(info)`` (writes the manifest, flushes, renames). Leaving the ``with`` block
    without ``finish`` (an error, a cancel) removes the partial file."""

    def __init__(self, folder: Path, name: str, when: datetime) -> None:
        self.folder = Path(folder)
        self.final = self.folder / name
        self.partial = self.folder / f".{name}.partial"
        self._when = when.astimezone(UTC).timetuple()[:6]
        self._fd = -1
        self._raw: _FdWriter | None = None
        self._out: io.BufferedWriter | None = None
        self._zip: zipfile.ZipFile | None = None
        self._entries: list[FileEntry] = []
        self._done = False

    def __enter__(self) -> ArchiveWriter:
        try:
            self._fd = os.open(
                self.partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0),
                0o600,
            )  # fmt: skip
            self._raw = _FdWriter(self._fd)
            self._out = io.BufferedWriter(self._raw, buffer_size=CHUNK)
            self._zip = zipfile.ZipFile(self._out, "w", zipfile.ZIP_STORED, allowZip64=True)
        except OSError as exc:
            self._abort()
            raise write_error(exc, self.folder) from exc
        return self

    def __exit__(self, *exc: object) -> None:
        if not self._done:
            self._abort()

    @property
    def entries(self) -> tuple[FileEntry, ...]:
        return tuple(self._entries)

    def add(self, name: str, source: Readable, size: int) -> FileEntry:
        """Copy ``source`` (``size`` bytes, open for reading) in as the member ``name``."""
        assert self._zip is not None
        info = zipfile.ZipInfo(name, date_time=self._when)
        info.compress_type = zipfile.ZIP_STORED
        info.external_attr = 0o600 << 16
        digest = hashlib.sha256()
        written = 0
        try:
            with self._zip.open(info, "w", force_zip64=size >= _ZIP64_FROM) as member:
                while chunk := source.read(CHUNK):
                    member.write(chunk)
                    digest.update(chunk)
                    written += len(chunk)
        except OSError as exc:
            raise write_error(exc, self.folder) from exc
        entry = FileEntry(name, written, digest.hexdigest())
        self._entries.append(entry)
        return entry

    def finish(self, info: BackupInfo) -> Path:
        """Write the manifest, flush everything to the disk and give the file its name."""
        assert self._zip is not None
        try:
            self._zip.writestr(
                zipfile.ZipInfo(MANIFEST, date_time=self._when),
                info.to_json(),
                compress_type=zipfile.ZIP_STORED,
            )
            self._zip.close()  # the central directory; the file object stays open
            self._zip = None
            assert self._out is not None
            self._out.flush()
            os.fsync(self._fd)
            self._close_fd()
            os.replace(self.partial, self.final)
            fsync_dir(self.folder)
        except OSError as exc:
            raise write_error(exc, self.folder) from exc
        self._done = True
        return self.final

    def _close_fd(self) -> None:
        if self._raw is not None:
            self._raw.release()
        if self._out is not None:
            with contextlib.suppress(Exception):  # anything still buffered is thrown away
                self._out.close()
            self._out = None
        if self._fd >= 0:
            fd, self._fd = self._fd, -1
            with contextlib.suppress(OSError):
                os.close(fd)

    def _abort(self) -> None:
        zf, self._zip = self._zip, None
        if zf is not None:
            # Not zf.close(): that would write a central directory and make the part look whole.
            zf.fp = None
        self._close_fd()
        with contextlib.suppress(OSError):  # a pulled USB stick: nothing more can be done
            self.partial.unlink(missing_ok=True)


# -- reading -----------------------------------------------------------------------------------


def _open_zip(path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except FileNotFoundError as exc:
        raise DomainError(
            "backup.not_found", f"There is no backup file {path}.", {"path": str(path)}
        ) from exc
    except (zipfile.BadZipFile, EOFError, ValueError) as exc:
        raise damaged(path, "not a whole backup file: cut short, or not a backup") from exc
    except OSError as exc:
        raise damaged(path, f"it cannot be read: {exc.strerror or exc}") from exc


def _parse_manifest(path: Path, raw: bytes) -> BackupInfo:
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise damaged(path, "its manifest cannot be read") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise _unknown_format(path, data.get("format") if isinstance(data, dict) else None)
    if data.get("version") != FORMAT_VERSION:
        raise _unknown_format(path, data.get("version"))
    try:
        counts = data["counts"]
        files = tuple(
            FileEntry(_str(f["name"]), _int(f["size"]), _hex(f["sha256"])) for f in data["files"]
        )
        info = BackupInfo(
            created_at=datetime.strptime(_str(data["created_at"]), "%Y-%m-%dT%H:%M:%SZ").replace(
                tzinfo=UTC
            ),
            app_version=_str(data["app_version"]),
            schema_version=_int(data["schema_version"]),
            spoke_id=_str(data["spoke_id"]),
            patients=_int(counts["patients"]),
            cases=_int(counts["cases"]),
            pending_sync=_int(counts["pending_sync"]),
            files=files,
        )
        if _int(data["file_count"]) != len(files):
            raise ValueError("file_count")
    except (KeyError, TypeError, ValueError) as exc:
        raise damaged(path, "its manifest is incomplete") from exc
    return info


def _str(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError("not text")
    return value


def _int(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise TypeError("not a count")
    return value


def _hex(value: object) -> str:
    if not isinstance(value, str) or not _SHA256.fullmatch(value):
        raise ValueError("not a sha256")
    return value


def _check_members(path: Path, zf: zipfile.ZipFile, info: BackupInfo) -> None:
    names = [i.filename for i in zf.infolist()]
    for name in names:
        if name != MANIFEST and not allowed_name(name):
            raise _unexpected(path, name)
    listed = [f.name for f in info.files]
    for name in listed:
        if not allowed_name(name):
            raise _unexpected(path, name)
    if len(set(names)) != len(names) or len(set(listed)) != len(listed):
        raise damaged(path, "a file is in it twice")
    present = set(names) - {MANIFEST}
    for name in sorted(set(listed) - present):
        raise damaged(path, f"{name} is missing")
    for name in sorted(present - set(listed)):
        raise _unexpected(path, name)
    for name in REQUIRED:
        if name not in present:
            raise damaged(path, f"{name} is missing")


def read_info(path: Path) -> tuple[zipfile.ZipFile, BackupInfo]:
    """The open archive and its manifest, names checked (not the contents: see ``verify``)."""
    path = Path(path)
    zf = _open_zip(path)
    try:
        try:
            manifest = zf.getinfo(MANIFEST)
        except KeyError:
            raise _unknown_format(path, None) from None
        if manifest.file_size > _MANIFEST_LIMIT:
            raise damaged(path, "its manifest is too large")
        try:
            raw = zf.read(MANIFEST)
        except (*_UNREADABLE, OSError) as exc:
            raise damaged(path, "its manifest cannot be read") from exc
        info = _parse_manifest(path, raw)
        _check_members(path, zf, info)
    except BaseException:
        zf.close()
        raise
    return zf, info


def _copy_member(path: Path, zf: zipfile.ZipFile, entry: FileEntry, out: BinaryIO | None) -> None:
    """Stream one member (into ``out`` if given), checking its size and SHA-256."""
    if zf.getinfo(entry.name).file_size != entry.size:
        raise damaged(path, f"{entry.name} has the wrong size")
    digest = hashlib.sha256()
    size = 0
    try:
        with zf.open(entry.name) as member:
            while chunk := member.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
                if out is not None:
                    out.write(chunk)
    except _UNREADABLE as exc:
        raise damaged(path, f"{entry.name} cannot be read") from exc
    except OSError as exc:
        if out is not None and exc.errno is not None:
            raise  # writing the restored file failed: the caller says where
        raise damaged(path, f"{entry.name} cannot be read") from exc
    if size != entry.size or digest.hexdigest() != entry.sha256:
        raise damaged(path, f"{entry.name} does not match its checksum")


def verify(path: Path, *, cancel: Callable[[], bool] | None = None) -> BackupInfo:
    """Read the whole backup and check it against its manifest; its ``BackupInfo``."""
    path = Path(path)
    zf, info = read_info(path)
    with zf:
        for entry in info.files:
            if cancel is not None and cancel():
                raise cancelled()
            _copy_member(path, zf, entry, None)
    try:
        size = path.stat().st_size
    except OSError:
        size = 0
    return _with_file(info, path, size)


def _with_file(info: BackupInfo, path: Path, size: int) -> BackupInfo:
    from dataclasses import replace

    return replace(info, path=path, size=size)


def extract(
    path: Path,
    info: BackupInfo,
    dest: Path,
    *,
    progress: Callable[[int, int], None] | None = None,
    cancel: Callable[[], bool] | None = None,
) -> None:
    """Write every member of ``info`` under ``dest`` (an empty folder), checking each as it
    goes and flushing each file and folder to the disk. OSError for a failing write."""
    path = Path(path)
    zf, current = read_info(path)
    with zf:
        if current.files != info.files:
            raise damaged(path, "it changed while it was being restored")
        total = len(info.files)
        for done, entry in enumerate(info.files, 1):
            if cancel is not None and cancel():
                raise cancelled()
            target = dest.joinpath(*entry.name.split("/"))
            target.parent.mkdir(parents=True, exist_ok=True)
            # Owner-only, as the slot file is written: the files are the clinic's data.
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
            with os.fdopen(os.open(target, flags, 0o600), "wb") as out:
                _copy_member(path, zf, entry, out)
                out.flush()
                os.fsync(out.fileno())
            if progress is not None:
                progress(done, total)
    for folder in _folders(dest, (f.name for f in info.files)):
        fsync_dir(folder)


def _folders(root: Path, names: Iterable[str]) -> list[Path]:
    found = {root}
    for name in names:
        parts = name.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            found.add(root.joinpath(*parts[:i]))
    return sorted(found, key=lambda p: len(p.parts), reverse=True)


def cancelled() -> DomainError:
    return DomainError("backup.cancelled", "Cancelled: nothing was written.")
