"""The specialist's pages of the hub console over a real loopback socket with the real SQLite
store: the queue, a case, taking a case, asking the clinic, the prescription form and its
rules, signing, and what the clinic then receives in its feed.

Clinics are played by ops exactly as a spoke's outbox sends them (``tests.hub.spoke_ops``).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta
from hashlib import sha256
from pathlib import Path
from typing import Any

import pytest

from app.domain import vitals
from app.domain.models import Priority
from app.security import rx_signatures
from hub import signing
from hub.app import create_app
from hub.server import RunningHub, start_in_thread
from hub.storage import _common as common
from hub.storage.sqlite import SqliteHubStore
from tests.hub.spoke_ops import READINGS, SICK_READINGS, SpokeOps
from tests.hub.test_console import Browser, csrf_of
from tests.prescription_helpers import add_specialist

PASSWORD = "specialist-pw-1"
# A JPEG's first bytes are enough: the console serves what the clinic uploaded, unread.
PHOTO = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 40

HYPERTENSIVE = ((vitals.SYSTOLIC, 186.0, "mm[Hg]"), *READINGS[1:6])


@pytest.fixture(autouse=True)
def cheap_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(common, "SEAL_LOG_N", 10)


class Clinic:
    def __init__(self, store: SqliteHubStore, name: str) -> None:
        self.store = store
        self.name = name
        self.spoke_id, _ = store.register_spoke(name)
        self.ops = SpokeOps()

    def push(self, *ops: dict[str, Any]) -> None:
        results = self.store.apply_ops(self.spoke_id, list(ops))
        assert [r.status for r in results] == ["applied"] * len(ops), results

    def patient(self, name: str) -> str:
        op, patient = self.ops.patient_create(self.ops.patient(name))
        self.push(op)
        return patient.id

    def case(self, patient_id: str, **kw: Any) -> str:
        op, case = self.ops.case_queue(patient_id, **kw)
        self.push(op)
        return case.id

    def feed(self) -> list[dict[str, Any]]:
        return self.store.pull(self.spoke_id, 0, 1000).changes


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteHubStore]:
    s = SqliteHubStore(tmp_path / "hub.sqlite3")
    s.migrate()
    for username, name, specialty in (
        ("dr.rao", "Dr Meera Rao", "general_medicine"),
        ("dr.khan", "Dr Imran Khan", "general_medicine"),
        ("dr.das", "Dr Tara Das", "dermatology"),
    ):
        add_specialist(s, username, PASSWORD, name=name, specialty=specialty)
    s.add_user("asha", "Asha Admin", "hub_admin", "admin-password-1")
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def hub(store: SqliteHubStore) -> Iterator[RunningHub]:
    running = start_in_thread(create_app(store, name="Test Hub"))
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def clinic(store: SqliteHubStore) -> Clinic:
    return Clinic(store, "Kheri HWC")


def signed_in(hub: RunningHub, username: str, password: str = PASSWORD) -> Browser:
    b = Browser(hub)
    landed = b.login(username, password)
    assert landed.status_code == 200, landed.text
    return b


@pytest.fixture
def rao(hub: RunningHub) -> Iterator[Browser]:
    b = signed_in(hub, "dr.rao")
    try:
        yield b
    finally:
        b.close()


def queue_names(page: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="/console/cases/[^"]+">([^<]+)</a>', page)


def problems(page: str) -> list[str]:
    box = re.search(r'<div class="error" role="alert" id="problems".*?</div>', page, re.S)
    if box is None:
        return []
    return [
        html.unescape(re.sub(r"<[^>]+>", "", li)).strip()
        for li in re.findall(r"<li>(.*?)</li>", box.group(0), re.S)
    ]


# --- the queue -------------------------------------------------------------------------------


def test_the_queue_shows_the_specialty_most_urgent_first_with_a_live_count(
    hub: RunningHub, rao: Browser, clinic: Clinic
) -> None:
    calm = clinic.case(clinic.patient("Ramesh Calm"), readings=READINGS[:6])
    clinic.case(clinic.patient("Sita Sick"), readings=SICK_READINGS)
    clinic.case(clinic.patient("Gita Urgent"), readings=READINGS[:6], priority=Priority.URGENT)
    clinic.case(clinic.patient("Dinesh Skin"), specialty="dermatology")

    landed = rao.get("/")
    assert landed.url.endswith("/console/queue")
    assert queue_names(landed.text) == ["Sita Sick", "Gita Urgent", "Ramesh Calm"]
    assert "3 cases waiting" in landed.text
    assert "NEWS2 12, a red score" in landed.text
    assert rao.get("/queue/count").json() == {"count": 3}

    everyone = rao.get("/queue?specialty=all")
    assert set(queue_names(everyone.text)) == {
        "Sita Sick",
        "Gita Urgent",
        "Ramesh Calm",
        "Dinesh Skin",
    }
    assert rao.get("/queue/count?specialty=all").json() == {"count": 4}
    skin = rao.get("/queue?specialty=dermatology")
    assert queue_names(skin.text) == ["Dinesh Skin"]

    # A case the clinic cancels leaves the queue; the count says so at the next poll.
    clinic.push(clinic.ops.case_cancel(calm, "Patient went to the district hospital"))
    assert rao.get("/queue/count").json() == {"count": 2}
    assert "Ramesh Calm" not in rao.get("/queue").text


def test_the_queue_page_polls_the_count_within_the_pages_csp(rao: Browser) -> None:
    page = rao.get("/queue")
    csp = page.headers["content-security-policy"]
    assert "connect-src 'self'" in csp
    nonce = re.search(r"script-src 'nonce-([^']+)'", csp)
    assert nonce and f'<script nonce="{nonce.group(1)}">' in page.text
    assert 'data-url="/console/queue/count?specialty=general_medicine"' in page.text


def test_the_queue_is_for_specialists_only(hub: RunningHub) -> None:
    admin = signed_in(hub, "asha", "admin-password-1")
    assert admin.get("/queue").status_code == 403
    assert admin.get("/formulary").status_code == 403
    admin.close()
    anonymous = Browser(hub)
    answer = anonymous.get("/queue/count", allow_redirects=False)
    assert answer.status_code == 303 and "/console/login" in answer.headers["location"]
    anonymous.close()


# --- a case ----------------------------------------------------------------------------------


def test_a_case_shows_the_patient_vitals_with_flags_and_trends_and_attachments(
    rao: Browser, clinic: Clinic, store: SqliteHubStore
) -> None:
    patient = clinic.patient("Kamla Devi")
    clinic.case(patient, readings=READINGS[:6], complaint="Headache last month")
    case_id = clinic.case(patient, readings=HYPERTENSIVE, complaint="Headache again")
    attach = clinic.ops.attachment_create(case_id, PHOTO)
    clinic.push(attach)
    attachment_id = attach["entity_id"]

    page = rao.get(f"/cases/{case_id}")
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert "Kamla Devi" in text and "Headache again" in text and "Kheri HWC" in text
    row = re.search(r"<th scope=\"row\">Systolic BP</th>(.*?)</tr>", text, re.S)
    assert row is not None
    assert "186 mmHg" in row.group(1) and "Urgent (very high)" in row.group(1)
    assert "132 mmHg" in row.group(1)  # last month's reading, the trend's first point
    assert '<svg class="spark"' in row.group(1)
    assert "Headache last month" in text  # an earlier visit
    # Not uploaded yet: listed, not linked.
    assert "still arriving" in text
    href = f"/cases/{case_id}/attachments/{attachment_id}"
    assert rao.get(href).status_code == 404

    digest = sha256(PHOTO).hexdigest()
    store.blob_start(digest, len(PHOTO), "image/jpeg")
    store.blob_append(digest, 0, PHOTO)
    page = rao.get(f"/cases/{case_id}")
    assert f'src="/console{href}"' in page.text
    served = rao.get(href)
    assert served.status_code == 200 and served.content == PHOTO
    assert served.headers["content-type"] == "image/jpeg"
    assert served.headers["content-disposition"].startswith("inline")
    # Another case's id with this attachment: not found.
    other = clinic.case(patient)
    assert rao.get(f"/cases/{other}/attachments/{attachment_id}").status_code == 404
    assert rao.get("/cases/no-such-case").status_code == 404


def test_a_childs_case_carries_no_news2(rao: Browser, clinic: Clinic) -> None:
    patient = replace(clinic.ops.patient("Krishna"), birth_date=date.today() - timedelta(days=4400))
    op, _ = clinic.ops.patient_create(patient)
    clinic.push(op)
    case_id = clinic.case(patient.id, readings=SICK_READINGS)
    assert "No NEWS2 under 16" in rao.get("/queue").text
    page = html.unescape(rao.get(f"/cases/{case_id}").text)
    assert "it is not scored under 16 years" in page
    assert "Urgent (" not in page  # a child's readings are not judged by adult ranges


def test_taking_a_case_shows_colleagues_who_has_it(
    hub: RunningHub, rao: Browser, clinic: Clinic
) -> None:
    case_id = clinic.case(clinic.patient("Mohan Lal"))
    taken = rao.post(f"/cases/{case_id}/claim", {"do": "take"}, token_from=f"/cases/{case_id}")
    assert "You have this case" in taken.text
    khan = signed_in(hub, "dr.khan")
    assert "Taken by Dr Meera Rao" in khan.get("/queue").text
    again = khan.post(f"/cases/{case_id}/claim", {"do": "take"}, token_from=f"/cases/{case_id}")
    assert "Dr Meera Rao has this case already" in again.text
    # Letting go is only for the one who has it.
    khan.post(f"/cases/{case_id}/claim", {"do": "release"}, token_from=f"/cases/{case_id}")
    assert "Dr Meera Rao has this case" in khan.get(f"/cases/{case_id}").text
    over = khan.post(f"/cases/{case_id}/claim", {"do": "take_over"}, token_from=f"/cases/{case_id}")
    assert "You have this case" in over.text
    assert "Dr Imran Khan has this case" in rao.get(f"/cases/{case_id}").text
    khan.close()


def test_asking_the_clinic_a_question_reaches_its_feed(rao: Browser, clinic: Clinic) -> None:
    case_id = clinic.case(clinic.patient("Lakshmi"))
    empty = rao.post(f"/cases/{case_id}/message", {"body": "  "}, token_from=f"/cases/{case_id}")
    assert empty.status_code == 400 and "Write the question first" in empty.text
    sent = rao.post(
        f"/cases/{case_id}/message",
        {"body": "Please send a photo of the rash."},
        token_from=f"/cases/{case_id}",
    )
    assert sent.status_code == 200 and "Please send a photo of the rash." in sent.text
    messages = [c for c in clinic.feed() if c["op"] == "case.message"]
    assert [m["payload"]["body"] for m in messages] == ["Please send a photo of the rash."]
    assert messages[0]["payload"]["author_name"] == "Dr Meera Rao"
    assert "Waiting for the clinic" in rao.get("/queue").text


# --- prescribing -----------------------------------------------------------------------------


def rx_fields(**changes: str) -> dict[str, str]:
    form = {
        "mode": "video",
        "visit": "first",
        "chief_complaint": "Fever for 3 days",
        "findings": "Throat congested.",
        "provisional_diagnosis": "Viral pharyngitis",
        "advice": "Warm fluids.",
        "investigations": "CBC\nMalaria rapid test",
        "follow_up": "",
        "referral": "",
        "rows": "3",
        "item-0-generic_name": "paracetamol",
        "item-0-strength": "500 mg",
        "item-0-dosage_form": "Tablets",
        "item-0-dose": "1 tablet",
        "item-0-frequency": "1-1-1",
        "item-0-route": "oral",
        "item-0-duration_days": "3",
        "item-0-quantity": "9",
        "item-0-quantity_unit": "tablet",
    }
    form.update(changes)
    return form


def post_rx(b: Browser, case_id: str, action: str, **changes: str) -> Any:
    page = b.get(f"/cases/{case_id}/prescribe")
    rx_id = re.search(r'name="rx_id" value="([^"]+)"', page.text)
    assert rx_id
    data = {"csrf": csrf_of(page.text), "rx_id": rx_id.group(1), "action": action}
    data |= rx_fields(**changes)
    return b.session.post(f"{b.base}/cases/{case_id}/prescribe", data=data, timeout=10)


def test_the_rules_are_checked_with_their_reasons_before_signing(
    rao: Browser, clinic: Clinic
) -> None:
    case_id = clinic.case(clinic.patient("Bhola Ram"))
    fine = post_rx(rao, case_id, "check")
    assert fine.status_code == 200 and "can be signed" in fine.text

    banned = post_rx(rao, case_id, "check", **{"item-1-generic_name": "morphine"})
    assert any("MORPHINE may never be prescribed" in p for p in problems(banned.text))
    assert any(p.startswith("Medicine 2:") for p in problems(banned.text))
    assert 'href="#item-1-generic_name"' in banned.text

    audio = post_rx(
        rao,
        case_id,
        "check",
        mode="audio",
        **{"item-0-generic_name": "amoxicillin", "item-0-strength": "500 mg"},
    )
    found = problems(audio.text)
    assert any("AMOXICILLIN needs a video consultation" in p for p in found), found
    # Marked as a refill, on a follow-up: the hub looks for an earlier prescription of it.
    refill = post_rx(
        rao,
        case_id,
        "check",
        mode="audio",
        visit="follow_up",
        **{"item-0-generic_name": "amoxicillin", "item-0-continuation": "1"},
    )
    assert any(
        "AMOXICILLIN is marked as a continuation, but no earlier prescription" in p
        for p in problems(refill.text)
    )
    typo = post_rx(rao, case_id, "check", **{"item-0-duration_days": "three"})
    assert any("the duration in days must be a whole number" in p for p in problems(typo.text))
    # What was typed is kept.
    assert 'value="three"' in typo.text and "Viral pharyngitis" in typo.text


def test_signing_sends_a_verified_prescription_to_the_clinic(
    rao: Browser, clinic: Clinic, store: SqliteHubStore
) -> None:
    case_id = clinic.case(clinic.patient("Bhola Ram"))
    wrong = post_rx(rao, case_id, "sign", password="not-my-password")
    assert wrong.status_code == 400
    assert problems(wrong.text) == ["The password does not open your signing key."]
    assert "not-my-password" not in wrong.text
    assert not [c for c in clinic.feed() if c["op"] == "prescription.issued"]

    page = rao.get(f"/cases/{case_id}/prescribe")
    data = {
        "csrf": csrf_of(page.text),
        "rx_id": re.search(r'name="rx_id" value="([^"]+)"', page.text).group(1),  # type: ignore[union-attr]
        "action": "sign",
        "password": PASSWORD,
        **rx_fields(),
    }
    signed = rao.session.post(f"{rao.base}/cases/{case_id}/prescribe", data=data, timeout=10)
    assert signed.status_code == 200 and signed.url.endswith(f"/console/cases/{case_id}")
    assert "Signed and sent to Kheri HWC" in signed.text
    assert "PARACETAMOL 500 mg Tablets" in signed.text
    # A second click on "Sign and send" signs nothing more.
    twice = rao.session.post(f"{rao.base}/cases/{case_id}/prescribe", data=data, timeout=10)
    assert "already signed" in twice.text

    issued = [c for c in clinic.feed() if c["op"] == "prescription.issued"]
    assert len(issued) == 1
    p = issued[0]["payload"]
    verdict = rx_signatures.verify(
        rx_signatures.b64url_decode(p["canonical"]),
        rx_signatures.b64url_decode(p["signature"]),
        p["key_id"],
        [p["certificate"]],
        signing.signing_key(store).public_key(),
    )
    assert verdict.status is rx_signatures.Status.VALID
    assert "Bhola Ram" not in rao.get("/queue").text  # prescribed: out of the queue

    # A correction starts from the prescription and replaces it.
    correct = rao.get(f"/cases/{case_id}/prescribe?supersedes={issued[0]['entity_id']}")
    assert "Correct the prescription" in correct.text and "Viral pharyngitis" in correct.text
    assert 'value="PARACETAMOL"' in correct.text


def test_adding_a_medicine_row_keeps_what_was_typed(rao: Browser, clinic: Clinic) -> None:
    case_id = clinic.case(clinic.patient("Bhola Ram"))
    more = post_rx(rao, case_id, "add_row")
    assert more.status_code == 200
    assert 'name="rows" value="4"' in more.text
    assert 'id="item-3-generic_name"' in more.text and "autofocus" in more.text
    assert 'value="paracetamol"' in more.text
    # The list a typed medicine is on, with its rule, is shown next to it.
    assert "List O: may be prescribed in any teleconsultation." in more.text


def test_a_specialist_changes_their_password_and_keeps_their_key(
    rao: Browser, clinic: Clinic, store: SqliteHubStore
) -> None:
    [key] = store.specialist_keys("dr.rao")
    form = "/account/password"
    wrong = rao.post(
        form,
        {"old_password": "not-it", "password": "new-pass-123", "password2": "new-pass-123"},
        token_from=form,
    )
    assert wrong.status_code == 400 and "current password is not right" in wrong.text
    differ = rao.post(
        form,
        {"old_password": PASSWORD, "password": "new-pass-123", "password2": "new-pass-456"},
        token_from=form,
    )
    assert differ.status_code == 400 and "two new passwords differ" in differ.text
    changed = rao.post(
        form,
        {"old_password": PASSWORD, "password": "new-pass-123", "password2": "new-pass-123"},
        token_from=form,
    )
    # Still signed in, on the queue, told what happened to the key.
    assert changed.url.endswith("/console/queue")
    assert "your signing key now opens with the new one" in changed.text
    assert store.specialist_keys("dr.rao") == [key]  # the same key, not revoked
    case_id = clinic.case(clinic.patient("Bhola Ram"))
    assert post_rx(rao, case_id, "sign", password=PASSWORD).status_code == 400
    signed = post_rx(rao, case_id, "sign", password="new-pass-123")
    assert "Signed and sent to Kheri HWC" in signed.text
