"""The spoke's update client against a real hub over pinned HTTPS on loopback, with real TUF
metadata and signatures and a real bsdiff patch (tests/updates/conftest.py)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from tuf.api.metadata import Metadata

from app.updates import launch
from app.updates.client import Layout, UpdateError, check_and_stage
from tests.updates.conftest import V1, V2, Release, UpdatesHub

YEARS_3 = timedelta(days=3 * 365)


def stage(
    hub: UpdatesHub, layout: Layout, release: Release, *, installed: Path | None = None
) -> object:
    return check_and_stage(
        hub_url=hub.url,
        layout=layout,
        running_version=V1,
        trusted_root=release.repo / "metadata" / "root.json",
        verify=str(hub.anchor_file),
        installed_dir=installed,
    )


def assert_nothing_staged(layout: Layout) -> None:
    assert not launch.version_dir(layout.root, V2).exists()
    assert launch.read_state(layout.root).candidate is None


def test_with_the_current_archive_cached_only_the_patch_is_downloaded(
    updates_hub: UpdatesHub, layout: Layout, release: Release
) -> None:
    layout.cache.mkdir(parents=True)
    shutil.copy(release.repo / "targets" / f"hwc-spoke-{V1}.tar.gz", layout.cache)
    staged = stage(updates_hub, layout, release)
    assert staged is not None
    assert staged.via == "patch"  # type: ignore[attr-defined]
    patch = (updates_hub.repo / "targets" / f"hwc-spoke-{V2}.patch").stat().st_size
    archive = (updates_hub.repo / "targets" / f"hwc-spoke-{V2}.tar.gz").stat().st_size
    assert patch < archive / 50
    assert staged.downloaded_bytes < archive / 4  # type: ignore[attr-defined]
    folder = launch.version_dir(layout.root, V2)
    assert "namaste" in (folder / "_internal" / "data" / "strings.py").read_text()
    assert (folder / "hwc-spoke").stat().st_mode & 0o111
    assert (folder / "_internal" / "libbig.so.1").is_symlink()
    assert launch.read_state(layout.root).candidate == V2


def test_the_installed_folder_seeds_the_cache_so_the_first_update_is_a_patch(
    updates_hub: UpdatesHub, layout: Layout, release: Release
) -> None:
    staged = stage(updates_hub, layout, release, installed=release.bundles[V1])
    assert staged is not None and staged.via == "patch"  # type: ignore[attr-defined]


def test_without_a_cached_archive_the_full_archive_is_downloaded(
    updates_hub: UpdatesHub, layout: Layout, release: Release
) -> None:
    staged = stage(updates_hub, layout, release)
    assert staged is not None and staged.via == "archive"  # type: ignore[attr-defined]
    archive = (updates_hub.repo / "targets" / f"hwc-spoke-{V2}.tar.gz").stat().st_size
    assert staged.downloaded_bytes >= archive  # type: ignore[attr-defined]
    assert launch.read_state(layout.root).candidate == V2


def test_a_seed_that_differs_from_the_release_falls_back_to_the_archive(
    updates_hub: UpdatesHub, layout: Layout, release: Release, tmp_path: Path
) -> None:
    changed = tmp_path / "changed-install"
    shutil.copytree(release.bundles[V1], changed, symlinks=True)
    (changed / "hwc-spoke").write_text("#!/bin/sh\necho edited on this PC\n")
    staged = stage(updates_hub, layout, release, installed=changed)
    assert staged is not None and staged.via == "archive"  # type: ignore[attr-defined]
    assert (
        "namaste"
        in (launch.version_dir(layout.root, V2) / "_internal" / "data" / "strings.py").read_text()
    )


def test_nothing_newer_stages_nothing(
    updates_hub: UpdatesHub, layout: Layout, release: Release
) -> None:
    staged = check_and_stage(
        hub_url=updates_hub.url,
        layout=layout,
        running_version=V2,
        trusted_root=release.repo / "metadata" / "root.json",
        verify=str(updates_hub.anchor_file),
    )
    assert staged is None


def test_a_tampered_patch_is_refused(
    updates_hub: UpdatesHub, layout: Layout, release: Release
) -> None:
    patch = updates_hub.repo / "targets" / f"hwc-spoke-{V2}.patch"
    data = bytearray(patch.read_bytes())
    data[len(data) // 2] ^= 0x01
    patch.write_bytes(bytes(data))
    with pytest.raises(UpdateError) as caught:
        stage(updates_hub, layout, release, installed=release.bundles[V1])
    assert caught.value.code == "update.refused"
    assert "does not match its signed metadata" in caught.value.message
    assert "Nothing was installed" in caught.value.message
    assert_nothing_staged(layout)


def test_tampered_targets_metadata_is_refused(
    updates_hub: UpdatesHub, layout: Layout, release: Release
) -> None:
    path = updates_hub.repo / "metadata" / "targets.json"
    doc = json.loads(path.read_text())
    for info in doc["signed"]["targets"].values():
        info["length"] += 1
    path.write_text(json.dumps(doc))
    with pytest.raises(UpdateError) as caught:
        stage(updates_hub, layout, release)
    assert caught.value.code == "update.refused"
    assert "update metadata was refused" in caught.value.message
    assert_nothing_staged(layout)


def test_metadata_signed_by_the_wrong_key_is_refused(
    updates_hub: UpdatesHub, layout: Layout, release: Release, tmp_path: Path
) -> None:
    from securesystemslib.signer import CryptoSigner

    path = updates_hub.repo / "metadata" / "timestamp.json"
    metadata = Metadata.from_file(str(path))
    metadata.signatures.clear()
    metadata.sign(CryptoSigner.generate_ed25519())  # a key the root never named
    metadata.to_file(str(path))
    with pytest.raises(UpdateError) as caught:
        stage(updates_hub, layout, release)
    assert caught.value.code == "update.refused"
    assert "UnsignedMetadataError" in caught.value.message
    assert_nothing_staged(layout)


def test_metadata_expired_by_the_hubs_clock_is_refused(
    updates_hub: UpdatesHub, layout: Layout, release: Release
) -> None:
    updates_hub.clock_offset[0] = timedelta(days=45)  # timestamp/snapshot live 30 days
    with pytest.raises(UpdateError) as caught:
        stage(updates_hub, layout, release)
    assert caught.value.code == "update.expired"
    assert "refresh-updates" in caught.value.message
    assert_nothing_staged(layout)


@pytest.mark.parametrize("pc_offset", [YEARS_3, -YEARS_3], ids=["ahead", "behind"])
def test_a_wrong_pc_clock_does_not_block_an_update(
    updates_hub: UpdatesHub,
    layout: Layout,
    release: Release,
    pc_clock: Callable[[timedelta], None],
    pc_offset: timedelta,
) -> None:
    pc_clock(pc_offset)
    staged = stage(updates_hub, layout, release, installed=release.bundles[V1])
    assert staged is not None and staged.version == V2  # type: ignore[attr-defined]


def test_a_pc_clock_years_behind_does_not_hide_expiry_by_the_hubs_clock(
    updates_hub: UpdatesHub,
    layout: Layout,
    release: Release,
    pc_clock: Callable[[timedelta], None],
) -> None:
    pc_clock(-YEARS_3)
    updates_hub.clock_offset[0] = timedelta(days=45)
    with pytest.raises(UpdateError) as caught:
        stage(updates_hub, layout, release)
    assert caught.value.code == "update.expired"


def test_a_version_that_failed_here_is_skipped(
    updates_hub: UpdatesHub, layout: Layout, release: Release
) -> None:
    staged = check_and_stage(
        hub_url=updates_hub.url,
        layout=layout,
        running_version=V1,
        trusted_root=release.repo / "metadata" / "root.json",
        verify=str(updates_hub.anchor_file),
        skip=frozenset({V2}),
    )
    assert staged is None
    assert_nothing_staged(layout)


def test_a_hub_that_is_not_the_pinned_one_is_refused(
    updates_hub: UpdatesHub, layout: Layout, release: Release, tmp_path: Path
) -> None:
    from hub.storage import open_store
    from hub.tls import HubIdentity  # noqa: F401  (the other hub's identity below)

    other = open_store(f"sqlite:///{tmp_path / 'other.sqlite3'}")
    try:
        from hub.server import hub_identity

        foreign = tmp_path / "foreign.pem"
        foreign.write_text(hub_identity(other, "127.0.0.1:0").anchor_pem)
    finally:
        other.close()
    with pytest.raises(UpdateError) as caught:
        check_and_stage(
            hub_url=updates_hub.url,
            layout=layout,
            running_version=V1,
            trusted_root=release.repo / "metadata" / "root.json",
            verify=str(foreign),
        )
    assert caught.value.code == "update.unreachable"
    assert_nothing_staged(layout)
