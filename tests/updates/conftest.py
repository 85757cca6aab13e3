"""A real update repository (keys, signed metadata, archives, a bsdiff patch) made once per
session from small synthetic bundles, and a real hub over HTTPS on loopback that serves a
copy of it."""

from __future__ import annotations

import random
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.updates.client import Layout
from hub import updates_repo
from hub.app import create_app
from hub.server import RunningHub, hub_identity, start_in_thread
from hub.storage import open_store

V1, V2 = "1.0.0", "1.0.1"


def make_bundle(folder: Path, greeting: str) -> Path:
    """A stand-in for the one-folder build: a program, libraries, data, a symlink."""
    (folder / "_internal" / "data").mkdir(parents=True)
    program = folder / "hwc-spoke"
    program.write_text("#!/bin/sh\necho program\n")
    program.chmod(0o755)
    # Incompressible, so the archive is far larger than any patch (as with Qt's libraries).
    (folder / "_internal" / "libbig.so").write_bytes(random.Random(7).randbytes(300_000))
    lines = [f"line {i}\n" for i in range(2000)]
    lines[1000] = f"greeting = {greeting!r}\n"  # the one line a release changes
    (folder / "_internal" / "data" / "strings.py").write_text("".join(lines))
    (folder / "_internal" / "libbig.so.1").symlink_to("libbig.so")
    return folder


@dataclass(frozen=True)
class Release:
    keys: Path
    repo: Path
    bundles: dict[str, Path]


@pytest.fixture(scope="session")
def release() -> Iterator[Release]:
    base = Path(tempfile.mkdtemp(prefix="hwc-updates-"))
    keys, repo = base / "keys", base / "repo"
    updates_repo.make_keys(keys)
    updates_repo.init_repo(repo, keys)
    bundles = {
        V1: make_bundle(base / "bundle-1", "hello"),
        V2: make_bundle(base / "bundle-2", "namaste"),
    }
    for version, bundle in bundles.items():
        updates_repo.publish(repo, keys, bundle, version)
    yield Release(keys, repo, bundles)
    shutil.rmtree(base, ignore_errors=True)


@dataclass
class UpdatesHub:
    server: RunningHub
    repo: Path
    anchor_file: Path
    clock_offset: list[timedelta]

    @property
    def url(self) -> str:
        return self.server.url


@pytest.fixture
def updates_hub(tmp_path: Path, release: Release) -> Iterator[UpdatesHub]:
    """A hub serving its own copy of the repository (tests tamper with it); its clock is the
    real time plus ``clock_offset[0]``."""
    repo = tmp_path / "served-repo"
    shutil.copytree(release.repo, repo, symlinks=True)
    store = open_store(f"sqlite:///{tmp_path / 'hub.sqlite3'}")
    identity = hub_identity(store, "127.0.0.1:0")
    offset = [timedelta(0)]

    def clock() -> datetime:
        return datetime.now(UTC) + offset[0]

    anchor = tmp_path / "anchor.pem"
    anchor.write_text(identity.anchor_pem)
    server = start_in_thread(create_app(store, clock=clock, updates_dir=repo), identity=identity)
    try:
        yield UpdatesHub(server, repo, anchor, offset)
    finally:
        server.stop()
        store.close()


@pytest.fixture
def layout(tmp_path: Path) -> Layout:
    return Layout(tmp_path / "spoke-updates")


@pytest.fixture
def pc_clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[timedelta], None]:
    """Set the PC clock python-tuf reads (its trusted metadata set's ``datetime.now``)."""
    from tuf.ngclient._internal import trusted_metadata_set

    def shift(by: timedelta) -> None:
        class _Shifted(datetime):
            @classmethod
            def now(cls, tz: object = None) -> datetime:  # type: ignore[override]
                return datetime.now(UTC) + by

        module = type(trusted_metadata_set.datetime)(  # a stand-in for the datetime module
            "datetime"
        )
        module.datetime = _Shifted  # type: ignore[attr-defined]
        module.timezone = __import__("datetime").timezone  # type: ignore[attr-defined]
        monkeypatch.setattr(trusted_metadata_set, "datetime", module)

    return shift
