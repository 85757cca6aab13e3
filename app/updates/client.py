"""Check the hub's update repository, download what is new, verify it through TUF and unpack
it beside the clinic data for the next start (docs/UPDATES.md).

The repository is tufup's (hub/updates_repo.py): archives ``hwc-spoke-X.Y.Z.tar.gz`` and
bsdiff patches ``hwc-spoke-X.Y.Z.patch`` between the *uncompressed* tars of consecutive
versions, each patch's custom metadata carrying the size and hash of the tar it rebuilds. The
client is python-tuf's ``Updater`` itself rather than tufup's client, which imports its
repository tools (and setuptools) into the clinic app, logs and swallows refused metadata and
patches that fail, and hard-wires its own HTTP fetcher. The seams used here:

- **the fetcher** (``HubFetcher``, python-tuf's ``FetcherInterface``) talks to the hub with
  the certificate pinned at enrolment, never the system's CA list, and resumes a target cut
  off mid-way with a ``Range`` request;
- **the reference time**: TUF refuses metadata that expired before "now", and a clinic PC's
  clock is often months or years off. Every answer from the hub carries ``X-Hub-Time``; the
  fetcher hands it to the updater's trusted metadata set (``reference_time``, the one clock
  python-tuf 4.0 compares ``expires`` with) before the metadata it came with is checked. A
  stale timestamp is still refused: by the hub's own clock, which a wrong PC clock cannot move.

Everything downloaded is checked against signed metadata (length and hashes; the rebuilt tar
against the patch's signed size and hash) before anything is unpacked; a failure raises an
``UpdateError`` with a code and a message that says what happened, and nothing is staged.

The patch applies to the uncompressed tar of the version this PC runs. When the target cache
does not hold that archive (a fresh install), it is packed from the installed folder with
``app.updates.archive.pack`` (the release machine's packer); if that differs from the
release's, the rebuilt tar fails its hash check, the patch is remembered as failed and the
full archive is downloaded instead.

Threading: ``check_and_stage`` blocks on the network and the disk for seconds to minutes; it
runs on the update service's own thread, never the GUI thread or the sync worker's.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import logging
import os
import re
import shutil
import sys
import tarfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import requests
from requests.adapters import HTTPAdapter
from tuf.api import exceptions as tuf_errors
from tuf.ngclient.fetcher import FetcherInterface
from tuf.ngclient.updater import Updater

from app.sync.transport import parse_hub_time
from app.updates import launch
from app.updates.archive import pack

if TYPE_CHECKING:
    from tuf.api._payload import TargetFile  # where python-tuf defines it (metadata re-exports)

log = logging.getLogger(__name__)

APP_NAME = "hwc-spoke"
UPDATES_PREFIX = "/v1/updates"
DEFAULT_TIMEOUT = (15.0, 60.0)  # (connect, read gap) seconds: 2G links
CHUNK = 64 * 1024
RESUMES = 5  # Range requests after a cut, per file
MAX_PATCH_RATIO = 0.8  # patches summing to more of the archive than this: take the archive
FAILED = ".failed"  # beside a cached patch that did not rebuild the signed tar: never again
_TARGET = re.compile(re.escape(APP_NAME) + r"-(\d+\.\d+\.\d+)\.(tar\.gz|patch)")


class UpdateError(Exception):
    """The update was not staged. ``code`` is a stable code (app/ui/messages.py)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Staged:
    version: str
    folder: Path
    via: str  # "patch" or "archive"
    downloaded_bytes: int


@dataclass(frozen=True)
class Layout:
    """Where the updater keeps things, all under the updates folder (``launch.default_root``)."""

    root: Path

    @property
    def metadata(self) -> Path:
        return self.root / "metadata"

    @property
    def cache(self) -> Path:
        return self.root / "cache"

    @property
    def staging(self) -> Path:
        return self.root / "staging"

    def archive(self, version: str) -> Path:
        return self.cache / f"{APP_NAME}-{version}.tar.gz"


class HubFetcher(FetcherInterface):
    """python-tuf's fetcher over the hub's pinned TLS, reporting the hub's clock."""

    def __init__(
        self,
        *,
        verify: bool | str,
        on_hub_time: Callable[[datetime], None],
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        session: requests.Session | None = None,
    ) -> None:
        if session is None:
            session = requests.Session()
            session.mount("https://", HTTPAdapter(max_retries=0))
            session.mount("http://", HTTPAdapter(max_retries=0))
        self._session = session
        self._verify = verify
        self._timeout = timeout
        self._on_hub_time = on_hub_time
        self.bytes_received = 0
        self.fetched: list[str] = []  # URLs, for the log and tests

    def close(self) -> None:
        self._session.close()

    def _get(self, url: str, offset: int) -> requests.Response:
        # Targets are compressed already and must be resumable: never gzip-encoded in transit.
        # Metadata is JSON that gzip shrinks four-fold.
        is_target = "/targets/" in url
        headers = {"Accept-Encoding": "identity" if is_target else "gzip"}
        if offset:
            headers["Range"] = f"bytes={offset}-"
        try:
            response = self._session.get(
                url,
                stream=True,
                timeout=self._timeout,
                headers=headers,
                verify=self._verify,
                allow_redirects=False,
            )
        except requests.exceptions.Timeout as exc:
            raise tuf_errors.SlowRetrievalError(f"{url}: the hub did not answer in time") from exc
        except requests.exceptions.RequestException as exc:
            raise tuf_errors.DownloadError(f"{url}: could not reach the hub: {exc}") from exc
        hub_time = parse_hub_time(response.headers.get("X-Hub-Time"))
        if hub_time is not None:
            self._on_hub_time(hub_time)
        expected = 206 if offset else 200
        if response.status_code != expected:
            response.close()
            raise tuf_errors.DownloadHTTPError(
                f"{url}: the hub answered HTTP {response.status_code}", response.status_code
            )
        return response

    def _fetch(self, url: str) -> Iterator[bytes]:
        response = self._get(url, 0)
        self.fetched.append(url)
        return self._chunks(url, response)

    def _chunks(self, url: str, response: requests.Response) -> Iterator[bytes]:
        received = 0
        resumes = 0
        while True:
            try:
                for chunk in response.iter_content(CHUNK):
                    received += len(chunk)
                    self.bytes_received += len(chunk)
                    yield chunk
                return
            except requests.exceptions.RequestException as exc:  # a cut: reset, short read
                resumable = "/targets/" in url and not response.headers.get("Content-Encoding")
                if not resumable or resumes >= RESUMES:
                    raise tuf_errors.SlowRetrievalError(f"{url}: the download broke off") from exc
                resumes += 1
                log.info("update download of %s cut at %d bytes; resuming", url, received)
            finally:
                response.close()
            response = self._get(url, received)


def _refresh_error(exc: Exception, hub_time: datetime | None) -> UpdateError:
    clock = f"the hub's clock says {hub_time:%Y-%m-%d %H:%M} UTC" if hub_time else "no hub time"
    if isinstance(exc, tuf_errors.ExpiredMetadataError):
        return UpdateError(
            "update.expired",
            f"The hub's update metadata has expired ({exc}; {clock}). Nothing was installed; "
            "the release manager must run 'hub refresh-updates'.",
        )
    if isinstance(exc, tuf_errors.RepositoryError):
        return UpdateError(
            "update.refused",
            f"The hub's update metadata was refused: {type(exc).__name__}: {exc}. "
            "Nothing was installed.",
        )
    return UpdateError("update.unreachable", f"The update repository could not be read: {exc}")


@dataclass(frozen=True)
class _Offer:
    """What the signed targets offer above the running version."""

    version: str
    archive: TargetFile
    patches: list[TargetFile]  # running -> version, in order; [] when the chain is broken


def _offer(targets: dict[str, TargetFile], running: str, skip: frozenset[str]) -> _Offer | None:
    archives: dict[tuple[int, int, int], TargetFile] = {}
    patches: dict[tuple[int, int, int], TargetFile] = {}
    for path, info in targets.items():
        found = _TARGET.fullmatch(path)
        key = launch.parse_version(found[1]) if found else None
        if found is None or key is None:
            continue
        (archives if found[2] == "tar.gz" else patches)[key] = info
    floor = launch.parse_version(running)
    if floor is None:
        return None
    newer = sorted(k for k in archives if k > floor and _text(k) not in skip)
    if not newer:
        return None
    top = newer[-1]
    steps = sorted(k for k in archives if floor < k <= top)
    chain = [patches[k] for k in steps] if all(k in patches for k in steps) else []
    return _Offer(_text(top), archives[top], chain)


def _text(key: tuple[int, int, int]) -> str:
    return ".".join(str(part) for part in key)


class _PatchFailed(Exception):
    pass


def _rebuilt_tar(updater: Updater, chain: list[TargetFile], source: Path) -> bytes:
    """Download the patches (TUF checks each), apply them to ``source``'s tar and check the
    result against the last patch's signed size and hash."""
    import bsdiff4

    files = [updater.find_cached_target(p) or updater.download_target(p) for p in chain]
    with gzip.open(source, "rb") as src:
        tar = src.read()
    for path in files:
        tar = bsdiff4.patch(tar, Path(path).read_bytes())
    expected = (chain[-1].custom or {}).get("tufup") or {}
    algorithm = str(expected.get("tar_hash_algorithm", "sha256"))
    if algorithm not in hashlib.algorithms_guaranteed:
        raise _PatchFailed(f"unknown hash algorithm {algorithm!r}")
    digest = hashlib.new(algorithm, tar).hexdigest()
    if len(tar) != expected.get("tar_size") or digest != expected.get("tar_hash"):
        raise _PatchFailed(f"the rebuilt tar is not the signed one ({len(tar):,} bytes)")
    return tar


def _unpack(tar: tarfile.TarFile, folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    # Verified against signed hashes already; the "tar" filter still refuses absolute paths
    # and links that leave the folder (defence in depth).
    tar.extractall(folder, filter="tar")


def check_and_stage(
    *,
    hub_url: str,
    layout: Layout,
    running_version: str,
    trusted_root: Path,
    verify: bool | str = True,
    installed_dir: Path | None = None,
    skip: frozenset[str] = frozenset(),
    session: requests.Session | None = None,
    timeout: tuple[float, float] = DEFAULT_TIMEOUT,
) -> Staged | None:
    """Stage the newest version the hub's repository offers above ``running_version``, or
    return None when there is none (or it is in ``skip``: versions that failed their trial).

    ``trusted_root``: the root.json this program shipped with (used when the updates folder
    has no trusted metadata yet). ``installed_dir``: the running program's folder, packed to
    seed the cache for a patch. Raises UpdateError; nothing is staged then.
    """
    layout.metadata.mkdir(parents=True, exist_ok=True)
    layout.cache.mkdir(parents=True, exist_ok=True)
    if not (layout.metadata / "root.json").exists():
        if not trusted_root.is_file():
            raise UpdateError(
                "update.no_root", f"This build carries no trusted update root ({trusted_root})."
            )
        shutil.copyfile(trusted_root, layout.metadata / "root.json")

    holder: list[Updater] = []
    hub_time: list[datetime] = []

    def on_hub_time(moment: datetime) -> None:
        hub_time[:] = [moment]
        if holder:
            # python-tuf 4.0 compares every expiry with this one attribute, which it sets to
            # the PC's clock when the updater is made: the hub's clock replaces it.
            holder[0]._trusted_set.reference_time = moment

    fetcher = HubFetcher(verify=verify, on_hub_time=on_hub_time, timeout=timeout, session=session)
    base = hub_url.rstrip("/") + UPDATES_PREFIX
    try:
        try:
            updater = Updater(
                metadata_dir=str(layout.metadata),
                metadata_base_url=f"{base}/metadata/",
                target_dir=str(layout.cache),
                target_base_url=f"{base}/targets/",
                fetcher=fetcher,
            )
            holder.append(updater)
            updater.refresh()
        except (tuf_errors.RepositoryError, tuf_errors.DownloadError) as exc:
            raise _refresh_error(exc, hub_time[0] if hub_time else None) from exc
        offer = _offer(dict(updater._trusted_set.targets.targets), running_version, skip)
        if offer is None:
            return None
        try:
            staged = _stage(updater, layout, offer, running_version, installed_dir)
        except tuf_errors.RepositoryError as exc:  # LengthOrHashMismatchError above all
            raise UpdateError(
                "update.refused",
                f"A downloaded update file does not match its signed metadata: {exc}. "
                "Nothing was installed.",
            ) from exc
        except tuf_errors.DownloadError as exc:
            raise UpdateError("update.unreachable", f"The update download failed: {exc}") from exc
        launch.stage(layout.root, offer.version)
        log.info(
            "update %s staged by %s (%d bytes)", offer.version, staged[1], fetcher.bytes_received
        )
        return Staged(offer.version, staged[0], staged[1], fetcher.bytes_received)
    finally:
        fetcher.close()
        shutil.rmtree(layout.staging, ignore_errors=True)  # a half-unpacked version, if any


def _stage(
    updater: Updater, layout: Layout, offer: _Offer, running: str, installed_dir: Path | None
) -> tuple[Path, str]:
    """Unpack ``offer`` into its version folder, by patch when that is possible and small."""
    staging = layout.staging / f"{offer.version}.partial"
    target = launch.version_dir(layout.root, offer.version)
    current = layout.archive(running)
    failed = [layout.cache / f"{p.path}{FAILED}" for p in offer.patches]
    small = sum(p.length for p in offer.patches) <= MAX_PATCH_RATIO * offer.archive.length
    via = "archive"
    if offer.patches and small and not any(f.exists() for f in failed):
        if not current.exists() and installed_dir is not None:
            log.info("packing the installed %s to take a patch", running)
            pack(installed_dir, current, compresslevel=1)
        if current.exists():
            try:
                tar = _rebuilt_tar(updater, offer.patches, current)
            except (_PatchFailed, OSError, ValueError, EOFError) as exc:
                log.warning(
                    "the patch to %s did not apply (%s); taking the archive", offer.version, exc
                )
                for marker in failed:
                    marker.touch()
            else:
                with (
                    open(layout.archive(offer.version), "wb") as out,  # the next patch's base
                    gzip.GzipFile(fileobj=out, mode="wb", mtime=0, compresslevel=1) as gz,
                ):
                    gz.write(tar)
                with tarfile.open(fileobj=io.BytesIO(tar), mode="r:") as members:
                    _unpack(members, staging)
                via = "patch"
    if via == "archive":
        path = updater.find_cached_target(offer.archive) or updater.download_target(offer.archive)
        final = layout.archive(offer.version)
        if Path(path) != final:
            os.replace(path, final)
        with tarfile.open(final, mode="r:gz") as members:
            _unpack(members, staging)
    if target.exists():
        shutil.rmtree(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(staging, target)
    return target, via


def trusted_root_path() -> Path:
    """The root.json this program carries: beside the frozen program's files, else the
    repository's installer/update-root.json."""
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "update-root.json"
    return Path(__file__).resolve().parents[2] / "installer" / "update-root.json"
