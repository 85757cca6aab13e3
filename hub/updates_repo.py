"""The update repository: signed TUF metadata, version archives and patches (docs/UPDATES.md).

Built on tufup's ``Repository`` (python-tuf underneath). Keys, one Ed25519 pair per top-level
TUF role, made by ``make_keys``:

- ``root`` and ``targets`` sign what is trusted and what is released: **offline** keys, kept
  by the release manager on an encrypted USB drive (``KEYS/offline/``), never on the hub;
- ``snapshot`` and ``timestamp`` only vouch that metadata is fresh: **online** keys
  (``KEYS/online/``), the only private keys the hub server may hold, for ``refresh``.

The public halves stay in ``KEYS/`` itself (tufup reads them there).

Expiry suits clinics that go weeks without a connection and whose hub may not be re-signed
by a cron job every day: timestamp and snapshot 30 days (a stolen online key lets an attacker
replay old metadata for at most that long, and ``refresh`` re-signs them with the online keys
alone), targets one year (a release a year at least; re-signing needs the offline key), root
two years (the trust anchor shipped in every installer: rotating it means a release signed by
both old and new keys). Clients judge expiry by the hub's clock, never the PC's.

Archives are packed by ``app.updates.archive.pack`` rather than tufup's own, so that a clinic
PC can rebuild the tar of the version it runs and take a patch for its first update.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.updates.archive import pack

try:  # Top-level and optional on purpose: the frozen clinic app leaves the release tools out
    # (installer/hwc-spoke.spec), and its build check accepts only an optional import missing.
    import tufup.repo as _tufup_repo
except ImportError:
    _tufup_repo = None

APP_NAME = "hwc-spoke"
ROLES = ("root", "targets", "snapshot", "timestamp")
OFFLINE_ROLES = ("root", "targets")
ONLINE_ROLES = ("snapshot", "timestamp")
EXPIRY_DAYS = {"root": 730, "targets": 365, "snapshot": 30, "timestamp": 30}
_VERSION = re.compile(r"(0|[1-9]\d{0,5})\.(0|[1-9]\d{0,5})\.(0|[1-9]\d{0,5})")


class UpdateRepoError(Exception):
    """A release step that cannot be done; the message says what to do."""


@dataclass(frozen=True)
class Published:
    version: str
    archive: Path
    patch: Path | None
    seconds: float


def _tufup() -> Any:
    """tufup's repository tools, or UpdateRepoError where they are not installed."""
    if _tufup_repo is None:
        raise UpdateRepoError(
            "the release commands need tufup (pip install tufup): run them from source"
        )
    return _tufup_repo


def _repository(repo_dir: Path, keys_dir: Path, *, expiry: dict[str, int] | None = None) -> Any:
    """A tufup Repository that keeps no configuration file in the current folder (tufup's
    default): everything it needs is in the arguments."""

    class _Repository(_tufup().Repository):  # type: ignore[misc]
        def save_config(self) -> None:
            pass

        @classmethod
        def load_config(cls) -> dict[str, Any]:
            return {}

    repo = _Repository(
        app_name=APP_NAME,
        repo_dir=repo_dir,
        keys_dir=keys_dir,
        expiration_days=dict(expiry or EXPIRY_DAYS),
    )
    # tufup's initialize() offers to overwrite keys on a prompt; load them without it.
    repo._load_keys_and_roles(create_keys=False)
    return repo


def make_keys(keys_dir: Path) -> dict[str, Path]:
    """A new key pair per role: private ``offline/root``, ``offline/targets``,
    ``online/snapshot``, ``online/timestamp``; public ``<role>.pub`` beside them."""
    if keys_dir.exists() and any(keys_dir.iterdir()):
        raise UpdateRepoError(f"{keys_dir} is not empty: keys are never overwritten")
    keys_dir.mkdir(parents=True, exist_ok=True)
    _tufup().Keys(dir_path=keys_dir).create()
    made: dict[str, Path] = {}
    for role in ROLES:
        folder = keys_dir / ("offline" if role in OFFLINE_ROLES else "online")
        folder.mkdir(exist_ok=True)
        target = folder / role
        os.replace(keys_dir / role, target)
        if os.name != "nt":
            target.chmod(0o600)
        made[role] = target
    return made


def init_repo(repo_dir: Path, keys_dir: Path) -> Path:
    """The repository's folders and its signed root metadata (needs the offline keys);
    returns ``metadata/root.json``, the trust anchor to ship as installer/update-root.json."""
    _require_public_keys(keys_dir)
    for sub in ("metadata", "targets"):
        (repo_dir / sub).mkdir(parents=True, exist_ok=True)
    root_json = repo_dir / "metadata" / "root.json"
    if not root_json.exists():
        with _signing_errors():
            _repository(repo_dir, keys_dir).publish_changes(private_key_dirs=[keys_dir])
    return root_json


def publish(
    repo_dir: Path,
    keys_dir: Path,
    bundle_dir: Path,
    version: str,
    *,
    expiry: dict[str, int] | None = None,
) -> Published:
    """Add ``bundle_dir`` (the one-folder build) as version ``version``: its archive, a patch
    from the newest version before it, and new signed metadata (all four keys needed)."""
    if _VERSION.fullmatch(version) is None:
        raise UpdateRepoError(f"version must be X.Y.Z (digits), not {version!r}")
    if not bundle_dir.is_dir():
        raise UpdateRepoError(f"{bundle_dir} is not a folder")
    if not (repo_dir / "metadata" / "root.json").exists():
        raise UpdateRepoError(f"{repo_dir} has no metadata/root.json: run update-keys first")
    _require_private_keys(keys_dir, ROLES)  # before minutes of packing and diffing
    started = time.monotonic()
    repo = _repository(repo_dir, keys_dir, expiry=expiry)
    latest = repo.roles.get_latest_archive()
    if latest is not None and str(latest.version) and _key(str(latest.version)) >= _key(version):
        raise UpdateRepoError(f"version {version} is not newer than {latest.version}")
    archive = repo.targets_dir / f"{APP_NAME}-{version}.tar.gz"
    if archive.exists():
        raise UpdateRepoError(f"{archive} exists already")
    patch = repo.targets_dir / f"{APP_NAME}-{version}.patch"
    try:
        with _our_archives():
            repo.add_bundle(new_bundle_dir=bundle_dir, new_version=version)
        with _signing_errors():
            repo.publish_changes(private_key_dirs=[keys_dir])
    except BaseException:
        # Unsigned files would block the next attempt ("exists already") and serve nothing.
        archive.unlink(missing_ok=True)
        patch.unlink(missing_ok=True)
        raise
    return Published(
        version, archive, patch if patch.exists() else None, time.monotonic() - started
    )


def refresh(repo_dir: Path, keys_dir: Path, *, expiry: dict[str, int] | None = None) -> None:
    """Re-sign snapshot and timestamp with new expiry dates: the online keys suffice. Run it
    from cron at least weekly (docs/UPDATES.md)."""
    _require_private_keys(keys_dir, ONLINE_ROLES)
    repo = _repository(repo_dir, keys_dir, expiry=expiry)
    for role in ONLINE_ROLES:
        repo.refresh_expiration_date(role)
    with _signing_errors():
        repo.publish_changes(private_key_dirs=[keys_dir])


def _key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def _require_public_keys(keys_dir: Path) -> None:
    missing = [role for role in ROLES if not (keys_dir / f"{role}.pub").is_file()]
    if missing:
        raise UpdateRepoError(
            f"{keys_dir} lacks the public keys of {', '.join(missing)}: run update-keys"
        )


def _require_private_keys(keys_dir: Path, roles: tuple[str, ...]) -> None:
    _require_public_keys(keys_dir)
    keys = _tufup().Keys
    missing = [role for role in roles if keys.find_private_key(role, [keys_dir]) is None]
    if missing:
        raise UpdateRepoError(
            f"the private keys of {', '.join(missing)} are not under {keys_dir}: mount the "
            "release keys (offline/ for root and targets, online/ for snapshot and timestamp)"
        )


@contextmanager
def _signing_errors() -> Iterator[None]:
    try:
        yield
    except Exception as exc:
        if "No private keys found" in str(exc):
            raise UpdateRepoError(
                f"{exc} Mount the release keys (offline/ and online/) under the --keys folder."
            ) from exc
        raise


@contextmanager
def _our_archives() -> Iterator[None]:
    """tufup packs bundles with its own (machine-dependent) tar; use ``pack`` instead."""
    repo = _tufup()

    def make_archive(src_dir: Path, dst_dir: Path, app_name: str, version: str, **_: Any) -> Any:
        name = repo.TargetMeta.compose_filename(name=app_name, version=version, is_archive=True)
        return repo.TargetMeta(target_path=pack(Path(src_dir), Path(dst_dir) / name))

    original = repo.make_gztar_archive
    repo.make_gztar_archive = make_archive
    try:
        yield
    finally:
        repo.make_gztar_archive = original
