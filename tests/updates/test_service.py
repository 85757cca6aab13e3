"""The update service: a check after a successful sync round (its own thread, rate-limited),
through the enrolment's pinned certificate, and the trial start marking itself good."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.services.container import Services
from app.sync import credentials
from app.sync.engine import SyncReport
from app.updates import launch
from app.updates.service import UpdateService
from tests.updates.conftest import V1, V2, Release, UpdatesHub


@pytest.fixture
def services(data_dir: Path) -> Iterator[Services]:
    with Services.open(data_dir) as s:
        yield s


def enrol(services: Services, hub: UpdatesHub) -> None:
    credentials.save(
        services.store,
        credentials.HubCredentials(
            hub_url=hub.url,
            spoke_id="spoke-1",
            secret="s" * 32,
            anchor_pem=hub.anchor_file.read_text(),
        ),
    )


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def make_service(services: Services, root: Path, release: Release, clock: Clock) -> UpdateService:
    return UpdateService(
        services.store,
        root=root,
        running_version=V1,
        installed_dir=release.bundles[V1],
        trusted_root=release.repo / "metadata" / "root.json",
        interval_s=3600,
        enabled=True,
        monotonic=clock,
    )


def test_a_successful_round_stages_the_update_in_the_background(
    services: Services, updates_hub: UpdatesHub, release: Release, tmp_path: Path
) -> None:
    enrol(services, updates_hub)
    root = tmp_path / "updates"
    clock = Clock()
    service = make_service(services, root, release, clock)

    service.after_sync_round(SyncReport(error="hub unreachable", error_code="hub.unreachable"))
    assert service.wait(30)
    assert not root.exists()  # a failed round checks nothing

    service.after_sync_round(SyncReport())
    assert service.wait(60)
    assert launch.read_state(root).candidate == V2
    assert service.status().staged == V2
    assert service.status().last_error is None
    assert (launch.version_dir(root, V2) / "hwc-spoke").is_file()

    (root / "state.json").unlink()
    clock.now += 60  # within the interval: no second check
    service.after_sync_round(SyncReport())
    assert service.wait(30)
    assert not (root / "state.json").exists()


def test_a_refused_update_is_kept_as_the_last_error(
    services: Services, updates_hub: UpdatesHub, release: Release, tmp_path: Path
) -> None:
    enrol(services, updates_hub)
    patch = updates_hub.repo / "targets" / f"hwc-spoke-{V2}.patch"
    patch.write_bytes(b"not the patch")
    service = make_service(services, tmp_path / "updates", release, Clock())
    service.after_sync_round(SyncReport())
    assert service.wait(60)
    status = service.status()
    assert status.last_error_code == "update.refused"
    assert status.staged is None


def test_the_container_wires_the_service_to_sync_rounds(services: Services) -> None:
    # Not frozen and HWC_SPOKE_UPDATES unset: present, listening, and doing nothing.
    assert isinstance(services.updates, UpdateService)
    assert services.updates.status().enabled is False
    services.updates.after_sync_round(SyncReport())
    assert services.updates.wait(1)


def test_a_trial_start_marks_itself_good_once(
    services: Services, tmp_path: Path, release: Release, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "updates"
    launch.write_state(root, launch.State(current="1.0.0", trial=V2, candidate=V2))
    service = make_service(services, root, release, Clock())
    monkeypatch.delenv(launch.ENV_TRIAL, raising=False)
    assert service.mark_started() is False  # not a trial start
    monkeypatch.setenv(launch.ENV_TRIAL, V2)
    assert service.mark_started() is True
    state = launch.read_state(root)
    assert (state.current, state.previous, state.trial) == (V2, "1.0.0", None)
    assert service.mark_started() is False
