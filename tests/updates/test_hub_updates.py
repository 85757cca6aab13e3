"""The hub's side: what ``/v1/updates/...`` serves (and refuses), and the release commands
run as field staff would, in real subprocesses."""

from __future__ import annotations

import http.client
import json
import os
import ssl
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from hub import updates_repo
from tests.updates.conftest import V1, V2, Release, UpdatesHub, make_bundle

ROOT_DIR = Path(__file__).resolve().parents[2]


def raw_get(hub: UpdatesHub, path: str) -> int:
    """Send ``path`` exactly as written (requests would normalise ``..`` away)."""
    context = ssl.create_default_context(cafile=str(hub.anchor_file))
    context.check_hostname = False
    conn = http.client.HTTPSConnection("127.0.0.1", hub.server.port, context=context, timeout=10)
    try:
        conn.request("GET", path)
        return conn.getresponse().status
    finally:
        conn.close()


def get(hub: UpdatesHub, path: str, **kwargs: object) -> requests.Response:
    return requests.get(f"{hub.url}{path}", verify=str(hub.anchor_file), timeout=10, **kwargs)  # type: ignore[arg-type]


def test_metadata_and_targets_are_served_with_the_hubs_time(updates_hub: UpdatesHub) -> None:
    reply = get(updates_hub, "/v1/updates/metadata/timestamp.json")
    assert reply.status_code == 200
    assert reply.json()["signed"]["_type"] == "timestamp"
    assert reply.headers["X-Hub-Time"]
    archive = updates_hub.repo / "targets" / f"hwc-spoke-{V2}.tar.gz"
    reply = get(updates_hub, f"/v1/updates/targets/{archive.name}")
    assert reply.content == archive.read_bytes()


def test_targets_answer_range_requests(updates_hub: UpdatesHub) -> None:
    archive = updates_hub.repo / "targets" / f"hwc-spoke-{V1}.tar.gz"
    reply = get(
        updates_hub,
        f"/v1/updates/targets/{archive.name}",
        headers={"Range": "bytes=100-", "Accept-Encoding": "identity"},
    )
    assert reply.status_code == 206
    assert reply.content == archive.read_bytes()[100:]


@pytest.mark.parametrize(
    "path",
    [
        "/v1/updates/metadata/../targets/x",
        "/v1/updates/metadata/..%2F..%2Fhub.sqlite3",
        "/v1/updates/targets/%2E%2E/metadata/root.json",
        "/v1/updates/metadata/.hidden",
        "/v1/updates/../../etc/passwd",
        "/v1/updates/keys/root",
        "/v1/updates/metadata/",
        "/v1/updates/metadata/link.json",
    ],
)
def test_nothing_outside_the_repository_folders_is_served(
    updates_hub: UpdatesHub, tmp_path: Path, path: str
) -> None:
    secret = tmp_path / "secret.json"
    secret.write_text('{"secret": 1}')
    (updates_hub.repo / "metadata" / "link.json").symlink_to(secret)
    (updates_hub.repo / "metadata" / ".hidden").write_text("x")
    assert raw_get(updates_hub, path) == 404


def test_writing_is_not_allowed(updates_hub: UpdatesHub) -> None:
    reply = requests.put(
        f"{updates_hub.url}/v1/updates/metadata/timestamp.json",
        data=b"{}",
        verify=str(updates_hub.anchor_file),
        timeout=10,
    )
    assert reply.status_code == 405


def run_hub(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT_DIR / "main.py"), "hub", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT_DIR,
        env=dict(os.environ),
    )


def test_the_release_commands_publish_a_version_with_a_patch(tmp_path: Path) -> None:
    keys, repo = tmp_path / "keys", tmp_path / "repo"
    done = run_hub("update-keys", "--keys", str(keys), "--repo", str(repo))
    assert done.returncode == 0, done.stderr
    assert "installer/update-root.json" in done.stdout
    assert (keys / "offline" / "root").is_file() and (keys / "online" / "timestamp").is_file()
    assert not (ROOT_DIR / ".tufup-repo-config").exists()

    again = run_hub("update-keys", "--keys", str(keys), "--repo", str(repo))
    assert again.returncode == 2 and "never overwritten" in again.stderr

    for version, word in ((V1, "hello"), (V2, "namaste")):
        bundle = make_bundle(tmp_path / f"bundle-{version}", word)
        done = run_hub(
            "publish-update",
            *("--repo", str(repo), "--keys", str(keys)),
            *("--bundle", str(bundle), "--version", version),
        )
        assert done.returncode == 0, done.stderr
    assert "patch" in done.stdout
    patch = repo / "targets" / f"hwc-spoke-{V2}.patch"
    assert 0 < patch.stat().st_size < 1_000_000

    older = run_hub(
        "publish-update",
        *("--repo", str(repo), "--keys", str(keys)),
        *("--bundle", str(tmp_path / f"bundle-{V1}"), "--version", V1),
    )
    assert older.returncode == 2 and "not newer" in older.stderr


def test_refresh_needs_only_the_online_keys(release: Release, tmp_path: Path) -> None:
    import shutil

    repo = tmp_path / "repo"
    shutil.copytree(release.repo, repo)
    hub_keys = tmp_path / "hub-keys"  # what the hub server holds: public keys, online/
    hub_keys.mkdir()
    for pub in release.keys.glob("*.pub"):
        shutil.copy(pub, hub_keys)
    shutil.copytree(release.keys / "online", hub_keys / "online")
    before = json.loads((repo / "metadata" / "timestamp.json").read_text())["signed"]
    done = run_hub("refresh-updates", "--repo", str(repo), "--keys", str(hub_keys))
    assert done.returncode == 0, done.stderr
    after = json.loads((repo / "metadata" / "timestamp.json").read_text())["signed"]
    assert after["version"] == before["version"] + 1
    assert after["expires"] >= before["expires"]


def test_publishing_without_the_offline_keys_says_what_is_missing(
    release: Release, tmp_path: Path
) -> None:
    import shutil

    repo = tmp_path / "repo"
    shutil.copytree(release.repo, repo)
    keys = tmp_path / "keys"
    keys.mkdir()
    for pub in release.keys.glob("*.pub"):
        shutil.copy(pub, keys)
    shutil.copytree(release.keys / "online", keys / "online")
    bundle = make_bundle(tmp_path / "bundle", "hola")
    with pytest.raises(updates_repo.UpdateRepoError, match="release keys"):
        updates_repo.publish(repo, keys, bundle, "1.1.0")
