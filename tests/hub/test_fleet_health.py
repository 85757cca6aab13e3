"""Health reports on both backends: a real spoke enrols with a real hub over HTTPS on loopback,
syncs, and the hub keeps its report with the hub's own time; what the store keeps and gives
back for the Clinics page; and reports that are wrong in every way a field can be."""

from __future__ import annotations

import json
import logging
import platform
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

import app
from app.services.container import Services
from app.services.seed import seed
from hub.app import create_app
from hub.server import hub_identity, start_in_thread
from hub.storage import HubStore
from tests.tls_hub import TlsHub

HUB_NOW = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)
TIMEOUT = 10


@pytest.fixture
def tls_hub(open_hub: Callable[[], HubStore], tmp_path: Path) -> Iterator[TlsHub]:
    """The hub over HTTPS with its own CA, on this test's backend, its clock fixed: what it
    records as the time of a report must be its own, whatever the spoke's clock says."""
    store = open_hub()
    identity = hub_identity(store, "127.0.0.1:0")
    server = start_in_thread(create_app(store, clock=lambda: HUB_NOW), identity=identity)
    try:
        yield TlsHub(store, server, identity, tmp_path)
    finally:
        server.stop()


@pytest.fixture
def spoke(tmp_path: Path) -> Iterator[Services]:
    services = Services.open(tmp_path / "spoke", password_log_n=4)
    try:
        seed(services, patients=3, cases=2, queued=True)
        yield services
    finally:
        services.close()


def test_a_synced_spoke_reports_its_health_and_the_hub_keeps_it_with_its_own_time(
    tls_hub: TlsHub, spoke: Services
) -> None:
    done = spoke.sync.enrol(None, tls_hub.token("HWC Kheri"))
    [before] = tls_hub.store.fleet()
    assert before["name"] == "HWC Kheri" and before["report"] is None

    report = spoke.sync.run_once()

    assert report.ok, report.error
    [clinic] = tls_hub.store.fleet()
    assert clinic["id"] == done.spoke_id
    assert clinic["received_at"] == HUB_NOW  # the hub's clock, not the PC's
    held = clinic["report"]
    assert held["app_version"] == app.__version__
    assert held["os"] == platform.platform()[:64]
    # Everything went in this round: nothing waits, nothing was refused.
    assert (held["pending_ops"], held["pending_blob_bytes"], held["needs_attention"]) == (0, 0, 0)
    assert "oldest_pending_s" not in held
    assert held["free_disk_bytes"] > 0
    # The hub's clock is fixed in the test, so the PC is "ahead" by the difference.
    pc_minus_hub = (datetime.now(UTC) - HUB_NOW).total_seconds()
    assert abs(held["clock_offset_s"] - pc_minus_hub) < 60


def test_the_latest_report_replaces_the_one_before_and_every_spoke_is_listed(
    hub_store: HubStore,
) -> None:
    first, _ = hub_store.register_spoke("HWC Kheri")
    second, _ = hub_store.register_spoke("HWC Sitapur")
    hub_store.record_health(first, {"app_version": "0.1.0", "pending_ops": 4}, HUB_NOW)
    later = HUB_NOW + timedelta(hours=3)
    hub_store.record_health(first, {"app_version": "0.2.0", "clock_offset_s": -1.5}, later)

    fleet = hub_store.fleet()

    assert [s["name"] for s in fleet] == ["HWC Kheri", "HWC Sitapur"]  # enrolment order
    assert fleet[0]["report"] == {"app_version": "0.2.0", "clock_offset_s": -1.5}
    assert fleet[0]["received_at"] == later
    assert fleet[1]["id"] == second and fleet[1]["report"] is None
    assert fleet[1]["received_at"] is None
    assert fleet[0]["created_at"] <= fleet[1]["created_at"]


def test_a_report_is_kept_across_a_reopen(open_hub: Callable[[], HubStore]) -> None:
    store = open_hub()
    spoke_id, _ = store.register_spoke("HWC Kheri")
    store.record_health(spoke_id, {"pending_ops": 2}, HUB_NOW)
    store.close()
    assert open_hub().fleet()[0]["report"] == {"pending_ops": 2}


# --- what the hub does with a bad report -------------------------------------------------------


def _post(hub: TlsHub, spoke_id: str, secret: str, body: Any) -> requests.Response:
    """``body`` posted as a spoke would, over a connection that trusts this hub's anchor."""
    anchor = hub.folder / "anchor.pem"
    anchor.write_text(hub.identity.anchor_pem, encoding="ascii")
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return requests.post(
        f"{hub.url}/v1/status",
        data=data,
        headers={
            "Authorization": f"Bearer {spoke_id}.{secret}",
            "Content-Type": "application/json",
        },
        verify=str(anchor),
        timeout=TIMEOUT,
    )


def test_wrong_types_huge_values_and_extra_fields_are_dropped_or_clamped_and_logged(
    tls_hub: TlsHub, caplog: pytest.LogCaptureFixture
) -> None:
    spoke_id, secret = tls_hub.store.register_spoke("HWC Kheri")
    body = {
        "app_version": "0.1.0",
        "os": "Windows " + "x" * 500,  # cut to 64 characters
        "pending_ops": "12",  # a string: dropped
        "oldest_pending_s": -5,  # below 0: clamped
        "pending_blob_bytes": 10**30,  # absurd: clamped
        "needs_attention": True,  # a bool is not a count: dropped
        "clock_offset_s": 10**400,  # clamped to a century (and no float could hold it)
        "free_disk_bytes": 5_000_000_000,
        "patient_name": "Sita Devi",  # not a field: dropped, and never stored
    }
    with caplog.at_level(logging.WARNING, logger="hub.app"):
        answer = _post(tls_hub, spoke_id, secret, body)

    assert answer.status_code == 200, answer.text
    ignored = answer.json()["ignored"]
    assert set(ignored) == {
        "os", "pending_ops", "oldest_pending_s", "pending_blob_bytes", "needs_attention",
        "clock_offset_s", "patient_name",
    }  # fmt: skip
    held = tls_hub.store.fleet()[0]["report"]
    assert held["app_version"] == "0.1.0" and held["free_disk_bytes"] == 5_000_000_000
    assert held["os"] == ("Windows " + "x" * 500)[:64]
    assert held["oldest_pending_s"] == 0
    assert held["pending_blob_bytes"] == 2**53
    assert held["clock_offset_s"] == pytest.approx(100 * 366 * 24 * 3600)
    assert "pending_ops" not in held and "needs_attention" not in held
    assert "patient_name" not in held and "Sita" not in json.dumps(held)
    [line] = [r.getMessage() for r in caplog.records if "health report" in r.getMessage()]
    assert spoke_id in line
    assert "'pending_ops' not an integer; dropped" in line
    assert "'pending_blob_bytes' out of range" in line and "clamped" in line
    assert "'patient_name' unknown field; dropped" in line
    assert "Sita" not in line  # values are never logged, only field names


def test_a_flood_of_unknown_fields_is_named_only_up_to_a_limit(tls_hub: TlsHub) -> None:
    spoke_id, secret = tls_hub.store.register_spoke("HWC Kheri")
    body = {f"junk_{i}": i for i in range(200)} | {"pending_ops": 1}
    answer = _post(tls_hub, spoke_id, secret, body)
    assert answer.status_code == 200
    assert len(answer.json()["ignored"]) == 11 and answer.json()["ignored"][-1] == "..."
    assert tls_hub.store.fleet()[0]["report"] == {"pending_ops": 1}


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b"[1, 2, 3]", 400, "request.malformed"),
        (b"{not json", 400, "request.malformed"),
        (json.dumps({"os": "x" * 5000}).encode(), 413, "request.too_large"),
    ],
    ids=["not-an-object", "not-json", "too-large"],
)
def test_a_body_that_is_no_report_is_refused_whole_and_nothing_is_kept(
    tls_hub: TlsHub, body: bytes, status: int, code: str
) -> None:
    spoke_id, secret = tls_hub.store.register_spoke("HWC Kheri")
    answer = _post(tls_hub, spoke_id, secret, body)
    assert (answer.status_code, answer.json()["error"]) == (status, code)
    assert tls_hub.store.fleet()[0]["report"] is None


def test_a_report_without_the_spokes_credentials_is_refused(tls_hub: TlsHub) -> None:
    spoke_id, _ = tls_hub.store.register_spoke("HWC Kheri")
    answer = _post(tls_hub, spoke_id, "wrong-secret", {"pending_ops": 1})
    assert (answer.status_code, answer.json()["error"]) == (401, "auth.invalid")
    assert tls_hub.store.fleet()[0]["report"] is None
