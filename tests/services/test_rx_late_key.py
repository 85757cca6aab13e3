"""A clinic PC that holds no hub prescription key (enrolled with a hub from before signatures)
learns it over the pinned connection at its next sync round (``GET /v1/anchor``), and the
prescriptions it stored as unknown-signer for that reason alone are checked again.

Real parts: a hub over HTTPS on loopback, a PC enrolled by token, ``Services.sync``. The
arrival while the PC holds no key goes through the real engine built as PCs were before this
version (the prescription check, no anchor step): with the anchor step, a PC without a key
learns it before it pulls anything."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from app.domain.models import CaseStatus, Role
from app.security import rx_signatures as rx
from app.services.container import Services
from app.services.prescriptions import Verification, arrival_verifier
from app.store import cases as cases_repo
from app.store import prescription_sync, settings
from app.store import prescriptions as rx_repo
from app.sync import credentials
from app.sync.engine import SyncEngine
from hub import signing
from hub.prescriptions import issue_prescription
from hub.storage import _common as common
from tests.prescription_helpers import (
    SPECIALIST,
    SPECIALIST_PASSWORD,
    add_specialist,
    make_rx,
    sent_case,
)
from tests.services.helpers import FAST_LOG_N, PASSWORD
from tests.tls_hub import TlsHub, running_tls_hub


@pytest.fixture(autouse=True)
def _fast_seal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(common, "SEAL_LOG_N", 10)


@pytest.fixture
def tls_hub(tmp_path: Path) -> Iterator[TlsHub]:
    with running_tls_hub(tmp_path) as running:
        yield running


@pytest.fixture
def clinic(tmp_path: Path, tls_hub: TlsHub) -> Iterator[Services]:
    services = Services.open(tmp_path / "clinic", password_log_n=FAST_LOG_N)
    try:
        services.sync.enrol(None, tls_hub.token("HWC Kheri"))
        yield services
    finally:
        services.close()


def _held_key(services: Services) -> str:
    creds = credentials.load(services.store)
    assert creds is not None
    return creds.signing_key


def test_a_pc_without_the_hub_key_learns_it_and_checks_its_prescriptions_again(
    clinic: Services, tls_hub: TlsHub
) -> None:
    admin = clinic.auth.create_first_admin("admin", "Field IT", PASSWORD)
    paramedic = clinic.auth.create_user(admin, "asha", "Asha", Role.PARAMEDIC, PASSWORD)
    gp = clinic.auth.create_user(admin, "dr.rao", "Dr Rao", Role.GENERALIST, PASSWORD)
    case = sent_case(clinic, paramedic, CaseStatus.QUEUED)
    assert clinic.sync.run_once().ok
    # As if enrolled with a hub from before signatures: no key held.
    clinic.store.write(lambda db: settings.put(db, credentials.KEY_SIGNING_KEY, ""))
    add_specialist(tls_hub.store)
    issued = issue_prescription(
        tls_hub.store, SPECIALIST, SPECIALIST_PASSWORD, make_rx(case.id)
    ).prescription

    client = credentials.client_for(clinic.store)
    assert client is not None
    try:
        before = SyncEngine(clinic.store, clinic.blobs, client, rx_verifier=arrival_verifier)
        assert before.run_once().ok
    finally:
        client.close()
    [row] = clinic.prescriptions.inbox(gp)
    assert row.prescription.verification is Verification.UNKNOWN_SIGNER
    assert row.prescription.verification_reason == prescription_sync.NO_HUB_KEY
    assert _held_key(clinic) == ""

    report = clinic.sync.run_once()
    assert report.ok, report.error
    assert _held_key(clinic) == signing.public_key_text(tls_hub.store)
    checked = clinic.store.read(lambda db: rx_repo.get(db, issued.id))
    assert checked is not None
    assert checked.verification is Verification.VALID, checked
    assert clinic.prescriptions.detail(gp, issued.id).printable_as_valid
    moved = clinic.store.read(lambda db: cases_repo.get(db, case.id))
    assert moved is not None and moved.status is CaseStatus.PRESCRIBED
    # The report the first arrival queued went to the hub before the key was known (this
    # round pushes before it pulls); it stays there, the clinic now holds it valid.
    assert [r["status"] for r in tls_hub.store.invalid_reports()] == ["unknown_signer"]

    # Learnt once: later arrivals are checked with it.
    second = issue_prescription(
        tls_hub.store, SPECIALIST, SPECIALIST_PASSWORD, make_rx(case.id)
    ).prescription
    assert clinic.sync.run_once().ok
    later = clinic.store.read(lambda db: rx_repo.get(db, second.id))
    assert later is not None and later.verification is Verification.VALID


def test_a_held_key_is_never_replaced_by_another(
    clinic: Services, tls_hub: TlsHub, caplog: pytest.LogCaptureFixture
) -> None:
    current = credentials.load(clinic.store)
    assert current is not None
    pinned = rx.public_key_text(rx.new_hub_key())  # not the key this hub offers
    credentials.save(clinic.store, replace(current, signing_key=pinned))
    with caplog.at_level(logging.WARNING, logger="app.sync.engine"):
        assert clinic.sync.run_once().ok
    assert _held_key(clinic) == pinned
    assert "keeping the pinned one" in caplog.text
