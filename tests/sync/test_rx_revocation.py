"""A specialist's key revoked at the hub reaches the clinics (docs/SECURITY.md, "What this does
not protect against"; docs/SYNC.md, ``rx_key.revoked``): a real hub over HTTPS on loopback,
clinic PCs enrolled with tokens and synced by ``Services.sync``, real keys, and the revocation
an administrator's password reset makes (``HubStore.set_user_password``).

A prescription the hub stored is always in the feed before a revocation of its key (the hub
refuses a revoked key), so a prescription "signed after the revocation" is one the hub issued
with a later issue time (``issue_prescription(now=...)``), as a specialist's clock running
ahead, or a stolen key used with a date in the future, would make."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.domain.models import CaseStatus, Role, User
from app.domain.prescriptions import Prescription
from app.security import rx_signatures as rx
from app.services.container import Services
from app.services.prescriptions import Verification
from app.store import outbox, prescription_sync
from app.store import prescriptions as rx_repo
from app.store.prescriptions import StoredPrescription
from app.sync import credentials
from hub.prescriptions import issue_prescription
from hub.storage import _common as common
from hub.storage import _rx
from tests.hub.spoke_ops import SpokeOps
from tests.prescription_helpers import SPECIALIST, add_specialist, make_rx, sent_case
from tests.services.helpers import FAST_LOG_N, PASSWORD
from tests.tls_hub import TlsHub

OLD_PASSWORD = "a long specialist password"
NEW_PASSWORD = "another long password, reset"


@pytest.fixture(autouse=True)
def _fast_seal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(common, "SEAL_LOG_N", 10)


@pytest.fixture
def clinics(tmp_path: Path) -> Iterator[list[Services]]:
    opened: list[Services] = []
    yield opened
    for services in opened:
        services.close()


class Clinic:
    """A clinic PC enrolled with the hub by token, with a paramedic and a generalist."""

    def __init__(self, hub: TlsHub, folder: Path, name: str, opened: list[Services]) -> None:
        self.services = Services.open(folder, password_log_n=FAST_LOG_N)
        opened.append(self.services)
        enrolled = self.services.sync.enrol(None, hub.token(name))
        self.spoke_id = enrolled.spoke_id
        admin = self.services.auth.create_first_admin("admin", "Field IT", PASSWORD)
        self.paramedic: User = self.services.auth.create_user(
            admin, "asha", "Asha", Role.PARAMEDIC, PASSWORD
        )
        self.gp: User = self.services.auth.create_user(
            admin, "dr.rao", "Dr Rao", Role.GENERALIST, PASSWORD
        )

    def sync(self) -> None:
        report = self.services.sync.run_once()
        assert report.ok, report.error

    def stored(self, rid: str) -> StoredPrescription:
        found = self.services.store.read(lambda db: rx_repo.get(db, rid))
        assert found is not None
        return found

    def revocations(self) -> list[str]:
        return self.services.store.read(prescription_sync.revocations)

    def invalid_ops(self) -> list[outbox.OutboxOp]:
        ops = self.services.store.read(lambda db: outbox.pending(db, 500))
        return [o for o in ops if o.op == "prescription.invalid"]


def _issue(hub: TlsHub, case_id: str, *, later: timedelta = timedelta(0)) -> Prescription:
    """Signed with the specialist's current key; ``later``: an issue time ahead of now."""
    now = datetime.now(UTC) + later if later else None
    return issue_prescription(
        hub.store, SPECIALIST, OLD_PASSWORD, make_rx(case_id), now=now
    ).prescription


def _revoke(hub: TlsHub) -> dict[str, object]:
    """An administrator resets the specialist's password: the old key is revoked."""
    [old] = hub.store.specialist_keys(SPECIALIST)
    hub.store.set_user_password(SPECIALIST, NEW_PASSWORD)
    revoked = next(k for k in hub.store.specialist_keys(SPECIALIST) if k["key_id"] == old["key_id"])
    assert revoked["revocation"] is not None
    return revoked


def _reported(hub: TlsHub, rid: str) -> list[str]:
    return [r["status"] for r in hub.store.invalid_reports() if r["prescription_id"] == rid]


def test_a_revocation_reaches_every_clinic_and_invalidates_what_was_signed_after_it(
    tls_hub: TlsHub, tmp_path: Path, clinics: list[Services]
) -> None:
    add_specialist(tls_hub.store, SPECIALIST, OLD_PASSWORD)
    a = Clinic(tls_hub, tmp_path / "a", "HWC Kheri", clinics)
    other = Clinic(tls_hub, tmp_path / "b", "HWC Sitapur", clinics)
    case = sent_case(a.services, a.paramedic, CaseStatus.QUEUED)
    a.sync()
    other.sync()
    before = _issue(tls_hub, case.id)  # signed now: before the revocation
    after = _issue(tls_hub, case.id, later=timedelta(hours=2))  # dated after it
    a.sync()
    assert a.stored(before.id).verification is Verification.VALID
    assert a.stored(after.id).verification is Verification.VALID

    revoked = _revoke(tls_hub)
    # Every enrolled spoke has it in its feed, as the revocation's own transaction put it.
    for clinic in (a, other):
        feed = tls_hub.store.pull(clinic.spoke_id, 0, 1000).changes
        entries = [c for c in feed if c["op"] == "rx_key.revoked"]
        assert [(c["entity"], c["entity_id"]) for c in entries] == [("rx_key", revoked["key_id"])]
        assert entries[0]["payload"] == {
            "key_id": revoked["key_id"],
            "certificate": revoked["revocation"],
        }

    a.sync()  # pulls the revocation: the prescription dated after it is revoked now
    late = a.stored(after.id)
    assert late.verification is Verification.REVOKED, late
    assert "revoked" in late.verification_reason
    assert a.stored(before.id).verification is Verification.VALID
    assert [o.entity_id for o in a.invalid_ops()] == [after.id]
    assert a.revocations() == [revoked["revocation"]]
    assert other.revocations() == []  # not synced since
    other.sync()
    assert other.revocations() == [revoked["revocation"]]

    a.sync()  # the report reaches the hub, as an arrival's does
    assert _reported(tls_hub, after.id) == ["revoked"]
    assert _reported(tls_hub, before.id) == []
    a.sync()  # a replayed revocation changes nothing and reports nothing again
    assert a.invalid_ops() == []
    assert _reported(tls_hub, after.id) == ["revoked"]


def test_a_revocation_held_before_the_prescription_arrives_ends_the_same(
    tls_hub: TlsHub, tmp_path: Path, clinics: list[Services]
) -> None:
    """Clinic ``a`` gets the prescription, then the revocation; clinic ``b`` (enrolled, its
    case at the hub, but never synced until after the revocation) holds the revocation
    first: from ``GET /v1/anchor`` at its first round, before the pull brings the
    prescription. Both end with the same verdict, and both report it."""
    add_specialist(tls_hub.store, SPECIALIST, OLD_PASSWORD)
    a = Clinic(tls_hub, tmp_path / "a", "HWC Kheri", clinics)
    b = Clinic(tls_hub, tmp_path / "b", "HWC Sitapur", clinics)
    case_a = sent_case(a.services, a.paramedic, CaseStatus.QUEUED)
    a.sync()
    ops = SpokeOps()  # b's case reaches the hub as b's push would carry it
    create, patient = ops.patient_create()
    queue, case_b = ops.case_queue(patient.id, observations=2)
    assert [r.status for r in tls_hub.store.apply_ops(b.spoke_id, [create, queue])] == [
        "applied",
        "applied",
    ]
    rx_a = _issue(tls_hub, case_a.id, later=timedelta(hours=2))
    rx_b = _issue(tls_hub, case_b.id, later=timedelta(hours=2))
    a.sync()
    assert a.stored(rx_a.id).verification is Verification.VALID
    revoked = _revoke(tls_hub)

    a.sync()  # prescription first, revocation later: checked again
    b.sync()  # revocation first (anchor), then the prescription arrives
    first, second = a.stored(rx_a.id), b.stored(rx_b.id)
    assert first.verification is second.verification is Verification.REVOKED
    assert first.verification_reason == second.verification_reason
    assert b.revocations() == a.revocations() == [revoked["revocation"]]
    a.sync()
    b.sync()
    assert _reported(tls_hub, rx_a.id) == ["revoked"]
    assert _reported(tls_hub, rx_b.id) == ["revoked"]


def test_a_forged_revocation_is_dropped(
    tls_hub: TlsHub, tmp_path: Path, clinics: list[Services], caplog: pytest.LogCaptureFixture
) -> None:
    add_specialist(tls_hub.store, SPECIALIST, OLD_PASSWORD)
    a = Clinic(tls_hub, tmp_path / "a", "HWC Kheri", clinics)
    case = sent_case(a.services, a.paramedic, CaseStatus.QUEUED)
    a.sync()
    issued = _issue(tls_hub, case.id)
    a.sync()
    [key] = tls_hub.store.specialist_keys(SPECIALIST)
    genuine = rx.decode_certificate(str(key["certificate"])).certificate
    # Everything a real revocation says, from long before the prescription, but signed by
    # another hub's key.
    forged = rx.issue_certificate(
        rx.new_hub_key(),
        public_key=genuine.public_key,
        user_id=genuine.user_id,
        name=genuine.name,
        registration_no=genuine.registration_no,
        council=genuine.council,
        specialty=genuine.specialty,
        valid_from=genuine.valid_from,
        revoked_at=genuine.valid_from,
    ).text()
    kid = str(key["key_id"])
    tls_hub.store.publish(
        a.spoke_id,
        _rx.RX_KEY_ENTITY,
        kid,
        _rx.RX_KEY_REVOKED,
        {"key_id": kid, "certificate": forged},
    )
    with caplog.at_level(logging.WARNING, logger="app.store.prescription_sync"):
        a.sync()
    assert "dropping a key revocation" in caplog.text
    assert a.revocations() == []
    assert a.stored(issued.id).verification is Verification.VALID
    assert a.invalid_ops() == []


def test_a_clinic_enrolled_after_the_revocation_still_learns_it(
    tls_hub: TlsHub, tmp_path: Path, clinics: list[Services]
) -> None:
    add_specialist(tls_hub.store, SPECIALIST, OLD_PASSWORD)
    revoked = _revoke(tls_hub)
    late = Clinic(tls_hub, tmp_path / "late", "HWC Lakhimpur", clinics)
    # Nothing in its feed: it enrolled after the revocation was published.
    feed = tls_hub.store.pull(late.spoke_id, 0, 1000).changes
    assert [c for c in feed if c["op"] == "rx_key.revoked"] == []
    late.sync()
    assert late.revocations() == [revoked["revocation"]]
    # Asked once: a later round does not ask again, and holds it still.
    late.sync()
    assert late.revocations() == [revoked["revocation"]]
    assert credentials.load(late.services.store) is not None
