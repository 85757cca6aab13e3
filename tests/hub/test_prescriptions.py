"""Issuing e-prescriptions at the hub and what clinics send back about them (docs/SYNC.md
"Prescriptions", docs/PRESCRIPTIONS.md "Issuing at the hub"), on SQLite AND PostgreSQL
(``hub_store``/``open_hub`` run each test once per backend), plus one round over HTTP.
"""

from __future__ import annotations

import gzip
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import requests

from app.domain.errors import ValidationFailed
from app.domain.ids import CaseId, new_id
from app.domain.models import Sex
from app.domain.prescriptions import (
    ConsultationMode,
    PatientSnapshot,
    PractitionerSnapshot,
    Prescription,
    PrescriptionId,
    PrescriptionItem,
    VisitType,
    from_canonical,
)
from app.security import rx_signatures
from app.security.rx_signatures import Status
from app.sync.transport import encode_table
from hub import cli, ops, signing
from hub.app import create_app
from hub.prescriptions import IssuedPrescription, age_on, issue_prescription, post_case_message
from hub.server import start_in_thread
from hub.storage import HubStore, open_store
from hub.storage import _common as common
from hub.storage.base import NewPrescription, OpResult, PrescriptionRefused
from tests.hub.spoke_ops import SpokeOps

PASSWORD = "mehta-pass-1"
ISSUED_KEYS = {"canonical", "signature", "key_id", "certificate", "case_id", "issued_at"}
MESSAGE_KEYS = {
    "id", "case_id", "prescription_id", "author_name", "author_role", "body", "sent_at",
}  # fmt: skip


@pytest.fixture(autouse=True)
def cheap_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """Sealed keys at a test cost (2**10): the hub's own (2**17) would take seconds each."""
    monkeypatch.setattr(common, "SEAL_LOG_N", 10)


class Clinic:
    """A registered spoke with one patient and one queued case at the hub."""

    def __init__(self, store: HubStore, name: str = "Kheri HWC") -> None:
        self.store = store
        self.spoke_id, self.secret = store.register_spoke(name)
        self.ops = SpokeOps()
        create, self.patient = self.ops.patient_create()
        queue, self.case = self.ops.case_queue(self.patient.id, observations=2)
        self.queue_op = queue
        assert statuses(store.apply_ops(self.spoke_id, [create, queue])) == ["applied"] * 2

    def push(self, *ops_: dict[str, Any]) -> list[OpResult]:
        return self.store.apply_ops(self.spoke_id, list(ops_))

    def feed(self, since: int = 0) -> list[dict[str, Any]]:
        return self.store.pull(self.spoke_id, since, 1000).changes


def statuses(results: list[OpResult]) -> list[str]:
    return [r.status for r in results]


def add_specialist(store: HubStore, username: str = "dr.mehta") -> str:
    return store.add_user(
        username,
        "Dr Anil Mehta",
        "specialist",
        PASSWORD,
        registration_no="MCI-12345",
        specialty="general_medicine",
        registration_council="Bihar Medical Council",
        qualification="MBBS, MD (Medicine)",
    )


def item(generic_name: str = "paracetamol", **changes: Any) -> PrescriptionItem:
    base = PrescriptionItem(
        generic_name=generic_name,
        strength="500 mg",
        dosage_form="tablet",
        dose="1 tablet",
        frequency="1-1-1",
        route="oral",
        duration_days=3,
        quantity=9,
        quantity_unit="tablet",
    )
    return replace(base, **changes)


def draft(case_id: str, *items: PrescriptionItem, supersedes: str | None = None) -> Prescription:
    """What the console sends: the clinical content; who and for whom are placeholders the
    hub replaces."""
    return Prescription(
        id=PrescriptionId(new_id()),
        case_id=CaseId(case_id),
        patient=PatientSnapshot("typed by the form", 1, Sex.UNKNOWN),
        practitioner=PractitionerSnapshot("someone else", "", "FAKE-1", "Nowhere"),
        mode=ConsultationMode.VIDEO,
        visit=VisitType.FIRST,
        issued_at=datetime(2000, 1, 1, tzinfo=UTC),
        chief_complaint="Fever and cough for 3 days",
        provisional_diagnosis="Viral fever",
        items=items or (item(),),
        advice="Plenty of fluids.",
        supersedes=PrescriptionId(supersedes) if supersedes else None,
    )


def issued_entries(changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [c for c in changes if c["op"] == "prescription.issued"]


def verify_entry(store: HubStore, entry: dict[str, Any]) -> rx_signatures.Verdict:
    """What the clinic does with a feed entry: decode and verify against the pinned hub key."""
    p = entry["payload"]
    return rx_signatures.verify(
        rx_signatures.b64url_decode(p["canonical"]),
        rx_signatures.b64url_decode(p["signature"]),
        p["key_id"],
        [p["certificate"]],
        signing.signing_key(store).public_key(),
        at=datetime.fromisoformat(p["issued_at"]),
    )


# -- issuing -----------------------------------------------------------------------------------


def test_issuing_end_to_end(hub_store: HubStore) -> None:
    clinic = Clinic(hub_store)
    other = Clinic(hub_store, "Bodh Gaya HWC")
    specialist_id = add_specialist(hub_store)
    before = len(clinic.feed())
    # The hub's clock a little after the specialist's key was certified (now), with a fraction
    # of a second that the signed time must drop.
    now = (datetime.now(UTC) + timedelta(minutes=1)).replace(microsecond=123456)

    issued = issue_prescription(hub_store, "Dr.Mehta", PASSWORD, draft(clinic.case.id), now=now)

    assert isinstance(issued, IssuedPrescription)
    rx = issued.prescription
    assert issued.spoke_id == clinic.spoke_id and issued.issued_at == now.replace(microsecond=0)
    # Who signs is the hub user; for whom is the hub's copy of the patient.
    assert rx.practitioner == PractitionerSnapshot(
        "Dr Anil Mehta", "MBBS, MD (Medicine)", "MCI-12345", "Bihar Medical Council",
        "General Medicine",  # the specialty's name, not the account's key for it
    )  # fmt: skip
    assert (rx.patient.name, rx.patient.sex) == ("Sunita Devi", Sex.FEMALE)
    assert (rx.patient.age_years, rx.patient.age_months) == age_on(date(1981, 3, 14), now.date())
    assert rx.items[0].generic_name == "PARACETAMOL"

    new = clinic.feed()[before:]
    assert [(c["entity"], c["op"]) for c in new] == [
        ("prescription", "prescription.issued"),
        ("case", "case.status"),
    ]
    entry, status = new
    assert entry["entity_id"] == rx.id and entry["seq"] == issued.seq
    assert set(entry["payload"]) == ISSUED_KEYS
    assert entry["payload"]["case_id"] == clinic.case.id
    assert status["payload"] == {"id": clinic.case.id, "status": "prescribed"}
    # The clinic can check it with nothing but the hub key it pinned at enrolment.
    verdict = verify_entry(hub_store, entry)
    assert verdict.status is Status.VALID, verdict.reason
    assert verdict.certificate is not None and verdict.certificate.user_id == specialist_id
    canonical = rx_signatures.b64url_decode(entry["payload"]["canonical"])
    assert canonical == issued.canonical and from_canonical(canonical) == rx
    # One changed byte and it no longer verifies.
    forged = {**entry["payload"], "canonical": rx_signatures.b64url(canonical.replace(b"9", b"8"))}
    assert verify_entry(hub_store, {**entry, "payload": forged}).status is Status.TAMPERED
    assert other.feed()[-1]["op"] == "case.status"  # nothing for the other clinic

    (doc,) = hub_store.prescriptions_for_case(clinic.case.id)
    assert doc["id"] == rx.id and doc["canonical"] == canonical
    assert doc["signature"] == issued.signature and doc["key_id"] == issued.key_id
    assert doc["prescription"] == rx and doc["superseded_by"] is None
    assert doc["specialist_id"] == specialist_id and doc["spoke_id"] == clinic.spoke_id
    full = hub_store.prescription(rx.id)
    assert full is not None and full["acknowledged"] is None and full["dispensing"] == []
    assert hub_store.prescription("no-such-rx") is None
    context = hub_store.case_context(clinic.case.id)
    assert context is not None and context["status"] == "prescribed"
    stats = hub_store.stats()
    assert stats["prescriptions"] == 1 and stats["prescriptions_acknowledged"] == 0
    per_spoke = {s["id"]: s["prescriptions"] for s in stats["per_spoke"]}
    assert per_spoke == {clinic.spoke_id: 1, other.spoke_id: 0}

    # The case re-queued by the clinic keeps the status the hub moved it to.
    again = {**clinic.queue_op, "op_id": new_id(), "seq": clinic.queue_op["seq"] + 100}
    assert statuses(clinic.push(again)) == ["applied"]
    assert clinic.feed()[-1]["payload"]["status"] == "prescribed"


def test_a_wrong_password_stores_nothing(hub_store: HubStore) -> None:
    clinic = Clinic(hub_store)
    add_specialist(hub_store)
    seq = hub_store.max_seq()
    with pytest.raises(PrescriptionRefused) as refused:
        issue_prescription(hub_store, "dr.mehta", "not-my-password", draft(clinic.case.id))
    assert refused.value.code == "rx.wrong_password"
    assert hub_store.prescriptions_for_case(clinic.case.id) == []
    assert hub_store.max_seq() == seq
    context = hub_store.case_context(clinic.case.id)
    assert context is not None and context["status"] == "at_hub"


def test_a_prohibited_drug_is_refused_with_its_code(hub_store: HubStore) -> None:
    clinic = Clinic(hub_store)
    add_specialist(hub_store)
    seq = hub_store.max_seq()
    morphine = item("morphine", strength="10 mg", dosage_form="injection", route="parenteral")
    with pytest.raises(ValidationFailed) as failed:
        issue_prescription(hub_store, "dr.mehta", PASSWORD, draft(clinic.case.id, item(), morphine))
    assert [(i.code, i.field) for i in failed.value.issues] == [
        ("rx.drug_prohibited", "items[1].generic_name")
    ]
    assert hub_store.prescriptions_for_case(clinic.case.id) == []
    assert hub_store.max_seq() == seq


def test_who_may_issue_and_for_which_case(hub_store: HubStore) -> None:
    clinic = Clinic(hub_store)
    add_specialist(hub_store)
    hub_store.add_user("root", "Hub Admin", "hub_admin", "root-pass-1")
    cases = {
        "rx.not_specialist": ("root", "root-pass-1", clinic.case.id),
        "rx.case_unknown": ("dr.mehta", PASSWORD, "no-such-case"),
    }
    for code, (user, password, case_id) in cases.items():
        with pytest.raises(PrescriptionRefused) as refused:
            issue_prescription(hub_store, user, password, draft(case_id))
        assert refused.value.code == code
    hub_store.set_user_active("dr.mehta", False)
    with pytest.raises(PrescriptionRefused, match=r"rx\.not_specialist"):
        issue_prescription(hub_store, "dr.mehta", PASSWORD, draft(clinic.case.id))
    hub_store.set_user_active("dr.mehta", True)
    assert statuses(clinic.push(clinic.ops.case_cancel(clinic.case.id, "went home"))) == ["applied"]
    with pytest.raises(PrescriptionRefused, match=r"rx\.case_cancelled"):
        issue_prescription(hub_store, "dr.mehta", PASSWORD, draft(clinic.case.id))
    assert hub_store.stats()["prescriptions"] == 0


def test_corrections_supersede_once_within_the_case(hub_store: HubStore) -> None:
    clinic = Clinic(hub_store)
    second_case = clinic.ops.case_queue(clinic.patient.id, observations=0)
    assert statuses(clinic.push(second_case[0])) == ["applied"]
    add_specialist(hub_store)
    first = issue_prescription(hub_store, "dr.mehta", PASSWORD, draft(clinic.case.id))
    elsewhere = issue_prescription(hub_store, "dr.mehta", PASSWORD, draft(second_case[1].id))
    seq = hub_store.max_seq()

    refusals = {
        "rx.supersedes_unknown": draft(clinic.case.id, supersedes="no-such-rx"),
        # A prescription of another case cannot be corrected from this one.
        "rx.supersedes_unknown ": draft(clinic.case.id, supersedes=elsewhere.prescription.id),
    }
    for code, bad in refusals.items():
        with pytest.raises(PrescriptionRefused) as refused:
            issue_prescription(hub_store, "dr.mehta", PASSWORD, bad)
        assert refused.value.code == code.strip()
    assert hub_store.max_seq() == seq

    fix = draft(clinic.case.id, item(quantity=6, duration_days=2), supersedes=first.prescription.id)
    correction = issue_prescription(hub_store, "dr.mehta", PASSWORD, fix)
    assert correction.supersedes == first.prescription.id
    # The case was already prescribed: only the prescription is published.
    assert [c["op"] for c in clinic.feed(seq)] == ["prescription.issued"]
    entry = clinic.feed(seq)[0]
    assert from_canonical(rx_signatures.b64url_decode(entry["payload"]["canonical"])).supersedes
    docs = hub_store.prescriptions_for_case(clinic.case.id)
    assert [(d["id"], d["supersedes"], d["superseded_by"]) for d in docs] == [
        (first.prescription.id, None, correction.prescription.id),
        (correction.prescription.id, first.prescription.id, None),
    ]
    again = draft(clinic.case.id, supersedes=first.prescription.id)
    with pytest.raises(PrescriptionRefused, match=r"rx\.already_superseded"):
        issue_prescription(hub_store, "dr.mehta", PASSWORD, again)
    # The correction itself can be corrected.
    third = draft(clinic.case.id, supersedes=correction.prescription.id)
    assert issue_prescription(hub_store, "dr.mehta", PASSWORD, third).supersedes
    assert hub_store.stats()["prescriptions_corrections"] == 2


def test_a_stored_prescription_cannot_be_altered(hub_store: HubStore, hub_url: str) -> None:
    clinic = Clinic(hub_store)
    add_specialist(hub_store)
    issued = issue_prescription(hub_store, "dr.mehta", PASSWORD, draft(clinic.case.id))
    # The store offers no way to change one: the only writer of prescriptions stores new ones.
    writers = [n for n in dir(hub_store) if "prescription" in n and not n.startswith("_")]
    assert sorted(writers) == [
        "prescription", "prescriptions_for_case", "store_prescription",
    ]  # fmt: skip
    # Issuing the same id again is refused, not an overwrite.
    same = replace(draft(clinic.case.id), id=issued.prescription.id)
    with pytest.raises(PrescriptionRefused, match=r"rx\.duplicate"):
        issue_prescription(hub_store, "dr.mehta", PASSWORD, same)
    # Even SQL written by hand cannot change or delete it: the database refuses.
    for statement in (
        "UPDATE prescriptions SET canonical = signature",
        "UPDATE prescriptions SET supersedes = id",
        "DELETE FROM prescriptions",
    ):
        with pytest.raises(Exception, match="immutable"):
            _execute(hub_url, statement)
    (doc,) = hub_store.prescriptions_for_case(clinic.case.id)
    assert doc["canonical"] == issued.canonical and doc["signature"] == issued.signature


def _execute(url: str, statement: str) -> None:
    if url.startswith("sqlite:///"):
        conn = sqlite3.connect(url.removeprefix("sqlite:///"))
        try:
            conn.execute(statement)
            conn.commit()
        finally:
            conn.close()
        return
    import psycopg

    with psycopg.connect(url, autocommit=True) as pg:
        pg.execute(statement.encode())


# -- keys --------------------------------------------------------------------------------------


def test_a_specialist_gets_a_certified_key_sealed_under_their_password(
    hub_store: HubStore,
) -> None:
    user_id = add_specialist(hub_store)
    profile = hub_store.specialist_profile("DR.MEHTA")
    assert profile is not None and profile["id"] == user_id
    assert profile["registration_council"] == "Bihar Medical Council"
    key = profile["key"]
    assert key is not None and key["active"] and key["revoked_at"] is None
    private = rx_signatures.unlock(key["sealed"], PASSWORD)
    assert rx_signatures.key_id_of(rx_signatures.public_bytes(private)) == key["key_id"]
    with pytest.raises(rx_signatures.WrongPassword):
        rx_signatures.unlock(key["sealed"], "another-password")
    signed = rx_signatures.decode_certificate(key["certificate"])
    assert rx_signatures.certificate_signed_by(signed, signing.signing_key(hub_store).public_key())
    cert = signed.certificate
    assert (cert.user_id, cert.name, cert.registration_no, cert.council) == (
        user_id, "Dr Anil Mehta", "MCI-12345", "Bihar Medical Council",
    )  # fmt: skip
    # Only specialists have keys; no key document ever carries the sealed key but the profile.
    hub_store.add_user("root", "Hub Admin", "hub_admin", "root-pass-1")
    assert hub_store.specialist_keys("root") == []
    (listed,) = hub_store.specialist_keys("dr.mehta")
    assert "sealed" not in listed and listed["key_id"] == key["key_id"]
    with pytest.raises(ValueError, match="only a specialist"):
        hub_store.add_user(
            "root2", "Admin", "hub_admin", "root-pass-1", registration_council="Bihar"
        )


def test_an_admin_reset_makes_a_new_key_and_old_signatures_stay_valid(
    hub_store: HubStore,
) -> None:
    clinic = Clinic(hub_store)
    add_specialist(hub_store)
    old = issue_prescription(hub_store, "dr.mehta", PASSWORD, draft(clinic.case.id))
    old_entry = issued_entries(clinic.feed())[0]
    hub_public = signing.signing_key(hub_store).public_key()

    hub_store.set_user_password("dr.mehta", "reset-by-admin")  # the old password is unknown
    first, second = hub_store.specialist_keys("dr.mehta")
    assert first["key_id"] == old.key_id and not first["active"]
    assert second["active"] and second["key_id"] != old.key_id
    revoked_at = datetime.fromisoformat(first["revoked_at"])
    assert revoked_at > old.issued_at
    # The hub signs the revocation; with it, the old prescription is valid at its own time
    # and a signature by that key from the revocation on is not.
    assert first["revocation"] is not None
    revocation = rx_signatures.decode_certificate(first["revocation"])
    assert rx_signatures.certificate_signed_by(revocation, hub_public)
    assert revocation.certificate.revoked_at == revoked_at.replace(microsecond=0)
    payload = rx_signatures.b64url_decode(old_entry["payload"]["canonical"])
    signature = rx_signatures.b64url_decode(old_entry["payload"]["signature"])

    def verdict(at: datetime) -> Status:
        got = rx_signatures.verify(
            payload, signature, old.key_id, [first["revocation"]], hub_public, at=at
        )
        return got.status

    assert verdict(old.issued_at) is Status.VALID
    assert verdict(revocation.certificate.revoked_at or old.issued_at) is Status.REVOKED
    assert verify_entry(hub_store, old_entry).status is Status.VALID

    # The old password opens nothing any more; the new one signs with the new key.
    with pytest.raises(PrescriptionRefused, match=r"rx\.wrong_password"):
        issue_prescription(hub_store, "dr.mehta", PASSWORD, draft(clinic.case.id))
    new = issue_prescription(hub_store, "dr.mehta", "reset-by-admin", draft(clinic.case.id))
    assert new.key_id == second["key_id"]
    assert verify_entry(hub_store, issued_entries(clinic.feed())[-1]).status is Status.VALID
    # A key that is no longer active cannot sign, even with its sealed key at hand.
    profile = hub_store.specialist_profile("dr.mehta")
    assert profile is not None
    stale = NewPrescription(
        new_id(), clinic.case.id, profile["id"], old.key_id, old.canonical, old.signature,
        old.certificate, old.issued_at, None,
    )  # fmt: skip
    with pytest.raises(PrescriptionRefused, match=r"rx\.key_revoked"):
        hub_store.store_prescription(stale)


def test_changing_ones_own_password_keeps_the_key(hub_store: HubStore) -> None:
    clinic = Clinic(hub_store)
    add_specialist(hub_store)
    before = hub_store.specialist_profile("dr.mehta")
    assert before is not None and before["key"] is not None
    with pytest.raises(PermissionError):
        hub_store.change_own_password("dr.mehta", "not-my-password", "new-pass-123")
    with pytest.raises(ValueError, match="at least 8"):
        hub_store.change_own_password("dr.mehta", PASSWORD, "short")
    hub_store.change_own_password("dr.mehta", PASSWORD, "new-pass-123")
    after = hub_store.specialist_profile("dr.mehta")
    assert after is not None and after["key"] is not None
    assert after["key"]["key_id"] == before["key"]["key_id"]
    assert after["key"]["certificate"] == before["key"]["certificate"]
    assert after["key"]["sealed"] != before["key"]["sealed"]
    assert len(hub_store.specialist_keys("dr.mehta")) == 1
    assert hub_store.verify_user("dr.mehta", "new-pass-123") is not None
    with pytest.raises(PrescriptionRefused, match=r"rx\.wrong_password"):
        issue_prescription(hub_store, "dr.mehta", PASSWORD, draft(clinic.case.id))
    issued = issue_prescription(hub_store, "dr.mehta", "new-pass-123", draft(clinic.case.id))
    assert issued.key_id == before["key"]["key_id"]
    # Anyone else changing their own password: no keys involved.
    hub_store.add_user("root", "Hub Admin", "hub_admin", "root-pass-1")
    hub_store.change_own_password("root", "root-pass-1", "root-pass-2")
    assert hub_store.verify_user("root", "root-pass-2") is not None


# -- what clinics send back --------------------------------------------------------------------


@pytest.fixture
def prescribed(hub_store: HubStore) -> Iterator[tuple[Clinic, Clinic, IssuedPrescription]]:
    """A clinic with an issued prescription of two items, and another clinic."""
    clinic = Clinic(hub_store)
    other = Clinic(hub_store, "Bodh Gaya HWC")
    add_specialist(hub_store)
    rx = draft(clinic.case.id, item(), item("cetirizine", strength="10 mg", quantity=5))
    yield clinic, other, issue_prescription(hub_store, "dr.mehta", PASSWORD, rx)


def test_acknowledgement_is_kept_once(
    hub_store: HubStore, prescribed: tuple[Clinic, Clinic, IssuedPrescription]
) -> None:
    clinic, other, issued = prescribed
    rx_id = issued.prescription.id
    ack = clinic.ops.prescription_acknowledged(rx_id)
    later = clinic.ops.prescription_acknowledged(rx_id)
    assert statuses(clinic.push(ack)) == ["applied"]
    assert statuses(clinic.push(ack, later)) == ["duplicate", "applied"]
    doc = hub_store.prescription(rx_id)
    assert doc is not None and doc["acknowledged"] is not None
    assert doc["acknowledged"]["at"] == ack["payload"]["at"]  # the first one
    assert doc["acknowledged"]["by_name"] == "Asha Kumari"
    (result,) = other.push(other.ops.prescription_acknowledged(rx_id))
    assert (result.status, result.code) == ("rejected", "prescription.unknown")
    assert hub_store.stats()["prescriptions_acknowledged"] == 1


def test_dispensing_keeps_the_latest_state_of_each_item(
    hub_store: HubStore, prescribed: tuple[Clinic, Clinic, IssuedPrescription]
) -> None:
    clinic, other, issued = prescribed
    rx_id = issued.prescription.id
    partly = clinic.ops.prescription_dispensed(
        rx_id, [(0, "partly", 6, "only 6 in stock"), (1, "not_available", None, "")]
    )
    rest = clinic.ops.prescription_dispensed(rx_id, [(0, "dispensed", 3, "the rest")])
    assert statuses(clinic.push(partly, rest)) == ["applied", "applied"]
    assert statuses(clinic.push(rest)) == ["duplicate"]
    # A report the clinic made earlier (a lower seq) arriving late never rolls an item back.
    early = {**partly, "op_id": new_id()}
    assert statuses(clinic.push(early)) == ["applied"]
    doc = hub_store.prescription(rx_id)
    assert doc is not None
    got = [(d["index"], d["status"], d["quantity"], d["note"]) for d in doc["dispensing"]]
    assert got == [(0, "dispensed", 3.0, "the rest"), (1, "not_available", None, "")]
    (result,) = other.push(other.ops.prescription_dispensed(rx_id, [(0, "dispensed", 9, "")]))
    assert (result.status, result.code) == ("rejected", "prescription.unknown")
    bad = clinic.ops.prescription_dispensed(rx_id, [(0, "stolen", 9, "")])
    (result,) = clinic.push(bad)
    assert (result.status, result.code) == ("rejected", "op.malformed")
    assert hub_store.stats()["prescriptions_dispensing"] == 1


def test_invalid_reports_are_kept_for_operators(
    hub_store: HubStore, prescribed: tuple[Clinic, Clinic, IssuedPrescription]
) -> None:
    clinic, other, issued = prescribed
    rx_id = issued.prescription.id
    report = clinic.ops.prescription_invalid(rx_id, "unknown_signer", "no certificate")
    assert statuses(clinic.push(report)) == ["applied"]
    assert statuses(clinic.push(report)) == ["duplicate"]
    (kept,) = hub_store.invalid_reports()
    assert kept["op_id"] == report["op_id"] and kept["status"] == "unknown_signer"
    assert (kept["case_id"], kept["spoke_id"]) == (clinic.case.id, clinic.spoke_id)
    doc = hub_store.prescription(rx_id)
    assert doc is not None and doc["invalid_reports"] == [kept]
    (result,) = other.push(other.ops.prescription_invalid(rx_id, "tampered", "x"))
    assert (result.status, result.code) == ("rejected", "prescription.unknown")
    (result,) = clinic.push(clinic.ops.prescription_invalid(rx_id, "fine", "x"))
    assert result.code == "op.malformed"
    assert hub_store.stats()["prescriptions_reported_invalid"] == 1


def test_case_messages_both_ways(
    hub_store: HubStore, prescribed: tuple[Clinic, Clinic, IssuedPrescription]
) -> None:
    clinic, other, issued = prescribed
    rx_id = issued.prescription.id
    question = clinic.ops.case_message(clinic.case.id, "Can she take it with food?", rx_id)
    assert statuses(clinic.push(question)) == ["applied"]
    assert statuses(clinic.push(question)) == ["duplicate"]
    seq = hub_store.max_seq()
    answer = post_case_message(
        hub_store, "dr.mehta", clinic.case.id, "  Yes, after food.  ", prescription_id=rx_id
    )
    (entry,) = clinic.feed(seq)
    assert (entry["entity"], entry["op"], entry["entity_id"]) == (
        "case",
        "case.message",
        answer["id"],
    )
    assert set(entry["payload"]) == MESSAGE_KEYS
    assert entry["payload"]["body"] == "Yes, after food." and entry["payload"]["author_role"] == (
        "specialist"
    )
    thread = hub_store.case_messages(clinic.case.id)
    assert [(m["origin"], m["body"], m["author_role"]) for m in thread] == [
        ("spoke", "Can she take it with food?", "paramedic"),
        ("hub", "Yes, after food.", "specialist"),
    ]
    assert thread[1] == answer and thread[0]["prescription_id"] == rx_id
    # Another clinic cannot write into this case, nor name this prescription.
    (result,) = other.push(other.ops.case_message(clinic.case.id, "hello"))
    assert (result.status, result.code) == ("rejected", "case.unknown")
    (result,) = other.push(other.ops.case_message(other.case.id, "hello", rx_id))
    assert (result.status, result.code) == ("rejected", "prescription.unknown")
    # The same message id from another clinic is a conflict, not an overwrite.
    stolen = {**other.ops.case_message(other.case.id, "x"), "entity_id": question["entity_id"]}
    stolen["payload"] = {**stolen["payload"], "id": question["entity_id"]}
    (result,) = other.push(stolen)
    assert (result.status, result.code) == ("rejected", "case_message.conflict")
    with pytest.raises(PrescriptionRefused, match=r"rx\.case_unknown"):
        post_case_message(hub_store, "dr.mehta", "no-such-case", "hello")
    with pytest.raises(PrescriptionRefused, match=r"rx\.prescription_unknown"):
        post_case_message(hub_store, "dr.mehta", other.case.id, "hello", prescription_id=rx_id)
    with pytest.raises(ValueError):
        post_case_message(hub_store, "dr.mehta", clinic.case.id, "   ")
    assert len(hub_store.case_messages(clinic.case.id)) == 2


def test_the_new_kinds_are_read_from_a_push_table() -> None:
    """The wire leaves out entity and entity_id: the hub works them out for the new kinds."""
    spoke = SpokeOps()
    rx_id = new_id()
    sent = [
        spoke.prescription_acknowledged(rx_id),
        spoke.prescription_dispensed(rx_id, [(0, "declined", None, "too dear")]),
        spoke.prescription_invalid(rx_id, "revoked", "key revoked"),
        spoke.case_message(new_id(), "a question"),
    ]
    wire = [{k: v for k, v in op.items() if k not in ("entity", "entity_id")} for op in sent]
    back = ops.push_ops(len(wire), encode_table(wire))
    parsed = [ops.parse(op) for op in back]
    assert [(p.entity, p.entity_id) for p in parsed] == [
        (op["entity"], op["entity_id"]) for op in sent
    ]
    assert parsed[1].dispensed[0].status == "declined" and parsed[1].dispensed[0].quantity is None
    assert parsed[3].needs == (("case", sent[3]["payload"]["case_id"]),)
    for kind in ops.PRESCRIPTION_KINDS:
        assert kind not in ops.KINDS and kind in ops.ALL_KINDS


@pytest.mark.parametrize(
    ("kind", "payload", "reason"),
    [
        ("prescription.acknowledged", {"prescription_id": "bad id!"}, "prescription_id"),
        ("prescription.dispensed", {"prescription_id": "rx1", "items": []}, "items"),
        (
            "prescription.dispensed",
            {"prescription_id": "rx1", "items": [{"index": -1, "status": "dispensed"}]},
            "index",
        ),
        (
            "prescription.dispensed",
            {
                "prescription_id": "rx1",
                "items": [{"index": 0, "status": "partly", "quantity": True}],
            },
            "quantity",
        ),
        ("prescription.invalid", {"prescription_id": "rx1", "status": "odd"}, "status"),
        ("case.message", {"id": "m1", "case_id": "c1", "body": "  "}, "body"),
        ("case.message", {"id": "m1", "case_id": "c1", "body": "x" * 8001}, "body"),
    ],
)
def test_malformed_payloads_are_rejected(kind: str, payload: dict[str, Any], reason: str) -> None:
    entity = ops.entity_of(kind)
    entity_id = "m1" if kind == "case.message" else "rx1"
    raw = {
        "op_id": new_id(), "seq": 1, "op": kind, "entity": entity, "entity_id": entity_id,
        "payload": payload,
    }  # fmt: skip
    with pytest.raises(ops.OpRejected, match=reason) as rejected:
        ops.parse(raw)
    assert rejected.value.code == "op.malformed"


# -- over the wire -----------------------------------------------------------------------------


def test_a_clinic_pulls_its_prescription_and_pushes_back_over_http(hub_store: HubStore) -> None:
    clinic = Clinic(hub_store)
    add_specialist(hub_store)
    issued = issue_prescription(hub_store, "dr.mehta", PASSWORD, draft(clinic.case.id))
    rx_id = issued.prescription.id
    with start_in_thread(create_app(hub_store)) as running, requests.Session() as http:
        http.headers["Authorization"] = f"Bearer {clinic.spoke_id}.{clinic.secret}"
        pulled = http.get(running.url + "/v1/sync/pull", params={"since": 0}, timeout=10)
        assert pulled.status_code == 200, pulled.text
        (entry,) = issued_entries(pulled.json()["changes"])
        assert verify_entry(hub_store, entry).status is Status.VALID

        sent = [
            clinic.ops.prescription_acknowledged(rx_id),
            clinic.ops.prescription_dispensed(rx_id, [(0, "dispensed", 9, "")]),
            clinic.ops.case_message(clinic.case.id, "Dispensed, thank you.", rx_id),
        ]
        wire = [{k: v for k, v in op.items() if k not in ("entity", "entity_id")} for op in sent]
        body = {
            "spoke_id": clinic.spoke_id, "epoch_seen": None, "count": len(wire),
            "ops": encode_table(wire),
        }  # fmt: skip
        pushed = http.post(
            running.url + "/v1/sync/push",
            data=gzip.compress(json.dumps(body).encode()),
            headers={"Content-Type": "application/json", "Content-Encoding": "gzip"},
            timeout=10,
        )
        assert pushed.status_code == 200, pushed.text
        assert pushed.json()["results"] == "aaa"
    doc = hub_store.prescription(rx_id)
    assert doc is not None and doc["acknowledged"] is not None
    assert [d["status"] for d in doc["dispensing"]] == ["dispensed"]
    (message,) = hub_store.case_messages(clinic.case.id)
    assert message["body"] == "Dispensed, thank you." and message["origin"] == "spoke"


def test_age_on_counts_whole_months() -> None:
    assert age_on(date(1981, 3, 14), date(2026, 3, 13)) == (44, 11)
    assert age_on(date(1981, 3, 14), date(2026, 3, 14)) == (45, 0)
    assert age_on(date(2026, 1, 31), date(2026, 3, 1)) == (0, 1)
    assert age_on(date(2026, 5, 1), date(2026, 3, 1)) == (0, 0)  # a birth date in the future


def test_an_account_older_than_keys_gets_one_when_it_first_signs(
    hub_store: HubStore, hub_url: str
) -> None:
    clinic = Clinic(hub_store)
    add_specialist(hub_store)
    _execute(hub_url, "DELETE FROM specialist_keys")  # as a database from before schema 4
    with pytest.raises(PrescriptionRefused, match=r"rx\.wrong_password"):
        issue_prescription(hub_store, "dr.mehta", "not-my-password", draft(clinic.case.id))
    assert hub_store.specialist_keys("dr.mehta") == []
    issued = issue_prescription(hub_store, "dr.mehta", PASSWORD, draft(clinic.case.id))
    (key,) = hub_store.specialist_keys("dr.mehta")
    assert key["key_id"] == issued.key_id and key["active"]
    assert verify_entry(hub_store, issued_entries(clinic.feed())[0]).status is Status.VALID


def test_cli_adds_a_specialist_with_council_and_qualification(
    hub_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(cli.PASSWORD_ENV, PASSWORD)
    code = cli.main(
        ["user", "add", "--db", hub_url, "--username", "dr.rao", "--name", "Dr Anita Rao",
         "--role", "specialist", "--registration-no", "KMC-1", "--council",
         "Karnataka Medical Council", "--qualification", "MBBS, MD"]
    )  # fmt: skip
    assert code == 0, capsys.readouterr().err
    store = open_store(hub_url)
    try:
        profile = store.specialist_profile("dr.rao")
        assert profile is not None and profile["key"] is not None
        assert (profile["registration_council"], profile["qualification"]) == (
            "Karnataka Medical Council", "MBBS, MD",
        )  # fmt: skip
        assert rx_signatures.unlock(profile["key"]["sealed"], PASSWORD)
    finally:
        store.close()
