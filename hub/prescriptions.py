"""Issuing e-prescriptions at the hub (docs/PRESCRIPTIONS.md "Issuing at the hub").

A specialist signs a prescription for a case a clinic sent: the hub fills in who signs (from
the hub user) and for whom (from its copy of the patient), checks the rules with the
formulary's lists, makes the canonical bytes, opens the specialist's key with their password,
signs, and stores the prescription and its feed entries in one transaction
(``HubStore.store_prescription``). The feed carries it to the clinic.

Blocking (store calls and scrypt): call it from a worker thread, never the event loop.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any

from app.domain import prescriptions as rxd
from app.domain.errors import ValidationFailed
from app.domain.ids import new_id
from app.domain.models import Sex
from app.domain.prescriptions import (
    PatientSnapshot,
    PractitionerSnapshot,
    Prescription,
)
from app.domain.specialties import specialty
from app.security import rx_signatures
from hub.formulary import load_formulary
from hub.storage.base import HubStore, NewPrescription, PrescriptionRefused

__all__ = [
    "IssuedPrescription",
    "PrescriptionRefused",
    "issue_prescription",
    "post_case_message",
    "review_draft",
]


@dataclass(frozen=True, slots=True)
class IssuedPrescription:
    """A prescription as signed and stored; ``seq`` is its ``prescription.issued`` entry in
    the spoke's feed."""

    prescription: Prescription  # normalised: exactly what ``canonical`` encodes
    canonical: bytes
    signature: bytes
    key_id: str
    certificate: str  # the signer's key certificate (``SignedCertificate.text()``)
    case_id: str
    spoke_id: str
    issued_at: datetime
    supersedes: str | None
    seq: int


def issue_prescription(
    store: HubStore,
    specialist_username: str,
    password: str,
    draft: Prescription,
    *,
    drug_lists: rxd.DrugLists | None = None,
    now: datetime | None = None,
) -> IssuedPrescription:
    """Sign ``draft`` as ``specialist_username`` and send it to the case's clinic.

    From the draft the hub takes the clinical content, ``id``, ``case_id``, ``mode``,
    ``visit`` and ``supersedes``; it replaces the practitioner (the hub user's name,
    registration number, council and specialty; the qualification too when the user has
    one) and the patient (name, sex and age on the issue date from the hub's copy; the
    draft's age only when the clinic gave no birth date); ``issued_at`` is the hub's time.

    Refusals, with nothing stored or published: ``ValidationFailed`` (the rules of
    ``app.domain.prescriptions``, every problem with its code) and ``PrescriptionRefused``
    (``rx.not_specialist``, ``rx.wrong_password``, ``rx.case_unknown``,
    ``rx.case_cancelled``, ``rx.patient_unknown``, ``rx.key_damaged``, and those of
    ``HubStore.store_prescription``).
    """
    profile = _specialist(store, specialist_username, "sign prescriptions")
    context = _open_case(store, draft.case_id)
    key = profile["key"]
    if key is None:
        # Before the issue time is taken: a certificate dated after the signature would make
        # the prescription read as signed before its key existed.
        key = _first_key(store, specialist_username, password)
    rx = _complete(profile, context, draft, now)
    lists = load_formulary().drug_lists() if drug_lists is None else drug_lists
    found = _problems(store, rx, lists)
    if found:
        raise ValidationFailed(list(found))  # every problem at once
    checked = rxd.normalise(rx)
    canonical = rxd.canonical_bytes(checked)
    try:
        private = rx_signatures.unlock(key["sealed"], password)
    except rx_signatures.WrongPassword:
        raise PrescriptionRefused(
            "rx.wrong_password", "the password does not open your signing key"
        ) from None
    except rx_signatures.RxKeyError as exc:
        raise PrescriptionRefused(
            "rx.key_damaged", f"your signing key is unusable: {exc}"
        ) from None
    signature = rx_signatures.sign(private, key["key_id"], canonical)
    stored = NewPrescription(
        id=checked.id,
        case_id=checked.case_id,
        specialist_id=profile["id"],
        key_id=key["key_id"],
        canonical=canonical,
        signature=signature,
        certificate=key["certificate"],
        issued_at=checked.issued_at,
        supersedes=checked.supersedes,
    )
    seq = store.store_prescription(stored)
    return IssuedPrescription(
        prescription=checked,
        canonical=canonical,
        signature=signature,
        key_id=key["key_id"],
        certificate=key["certificate"],
        case_id=checked.case_id,
        spoke_id=context["spoke_id"],
        issued_at=checked.issued_at,
        supersedes=checked.supersedes,
        seq=seq,
    )


def review_draft(
    store: HubStore,
    specialist_username: str,
    draft: Prescription,
    *,
    drug_lists: rxd.DrugLists | None = None,
    now: datetime | None = None,
) -> list[rxd.PrescriptionError]:
    """What would stop ``draft`` being signed now, without signing: the rules of
    ``app.domain.prescriptions`` on the prescription as ``issue_prescription`` would complete
    it, and the patient's history for continuations. ``PrescriptionRefused`` as for
    ``issue_prescription`` (except the password and key codes)."""
    profile = _specialist(store, specialist_username, "sign prescriptions")
    rx = _complete(profile, _open_case(store, draft.case_id), draft, now)
    lists = load_formulary().drug_lists() if drug_lists is None else drug_lists
    return _problems(store, rx, lists)


def post_case_message(
    store: HubStore,
    specialist_username: str,
    case_id: str,
    body: str,
    *,
    prescription_id: str | None = None,
) -> dict[str, Any]:
    """A specialist's message to the clinic of ``case_id`` (``HubStore.post_case_message``)."""
    profile = _specialist(store, specialist_username, "write to a clinic")
    return store.post_case_message(
        case_id,
        profile["id"],
        profile["display_name"],
        body,
        message_id=new_id(),
        prescription_id=prescription_id,
    )


def _specialist(store: HubStore, username: str, doing: str) -> dict[str, Any]:
    profile = store.specialist_profile(username)
    if profile is None or profile["role"] != "specialist" or not profile["active"]:
        raise PrescriptionRefused(
            "rx.not_specialist", f"only an active specialist account can {doing}"
        )
    return profile


def _open_case(store: HubStore, case_id: str) -> dict[str, Any]:
    context = store.case_context(case_id)
    if context is None:
        raise PrescriptionRefused("rx.case_unknown", f"no clinic has sent a case {case_id}")
    if context["status"] == "cancelled":
        raise PrescriptionRefused("rx.case_cancelled", "the clinic cancelled this case")
    return context


def _complete(
    profile: dict[str, Any],
    context: dict[str, Any],
    draft: Prescription,
    now: datetime | None,
) -> Prescription:
    issued_at = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    return replace(
        draft,
        case_id=context["case_id"],
        issued_at=issued_at,
        practitioner=_practitioner(profile, draft.practitioner),
        patient=_patient(context["patient"], draft.patient, issued_at),
    )


def _problems(
    store: HubStore, rx: Prescription, lists: rxd.DrugLists
) -> list[rxd.PrescriptionError]:
    normalised = rxd.normalise(rx)
    return rxd.problems(normalised, lists) + _unproven_continuations(store, normalised, lists)


def _unproven_continuations(
    store: HubStore, rx: Prescription, lists: rxd.DrugLists
) -> list[rxd.PrescriptionError]:
    """A List A medicine (or an unlisted one, which counts as A) prescribed without video
    because it is marked a continuation must have been prescribed to this patient before:
    the domain takes the mark on trust, the hub can look (docs/PRESCRIPTIONS.md "Rules")."""
    if rx.mode is rxd.ConsultationMode.VIDEO:
        return []
    refills = [
        (index, item)
        for index, item in enumerate(rx.items)
        if item.continuation and lists.get(item.generic_name) in (rxd.DrugList.A, None)
    ]
    if not refills:
        return []
    before = _prescribed_before(store, rx.case_id)
    return [
        rxd.DrugNotAllowed(
            "rx.continuation_unproven",
            f"{item.generic_name} is marked as a continuation, but no earlier prescription "
            "for this patient carries it: its first prescription needs a video consultation.",
            {"name": item.generic_name},
            f"items[{index}].continuation",
        )
        for index, item in refills
        if item.generic_name not in before
    ]


def _prescribed_before(store: HubStore, case_id: str) -> set[str]:
    """Generic names on the patient's earlier prescriptions (this case's and earlier cases')."""
    names = {
        item.generic_name
        for row in store.prescriptions_for_case(case_id)
        for item in row["prescription"].items
    }
    record = store.case_record(case_id)
    for visit in record["earlier"] if record else ():
        for earlier in visit["prescriptions"]:
            names.update(item["generic_name"] for item in earlier["items"])
    return names


def _first_key(store: HubStore, username: str, password: str) -> dict[str, Any]:
    """An account made before signing keys existed: its password makes its first key."""
    if store.verify_user(username, password) is None:
        raise PrescriptionRefused("rx.wrong_password", "the password is not right")
    store.set_user_password(username, password)  # no key to revoke: a new one is made
    profile = store.specialist_profile(username)
    if profile is None or profile["key"] is None:
        raise PrescriptionRefused("rx.not_specialist", "this account has no signing key")
    key: dict[str, Any] = profile["key"]
    return key


def _practitioner(profile: dict[str, Any], drafted: PractitionerSnapshot) -> PractitionerSnapshot:
    # Who signs is the hub's word, not the form's: the certificate names the same person.
    return PractitionerSnapshot(
        name=profile["display_name"],
        qualification=profile["qualification"] or drafted.qualification,
        registration_number=profile["registration_no"],
        registration_council=profile["registration_council"],
        specialty=_specialty_name(profile["specialty"]),
    )


def _specialty_name(value: str) -> str:
    """The specialty as printed: its name for one of the hub's keys ("general_medicine" is
    "General Medicine"), else as the account has it."""
    known = specialty(value)
    return known.name if known is not None else value


def _patient(
    doc: dict[str, Any] | None, drafted: PatientSnapshot, issued_at: datetime
) -> PatientSnapshot:
    if doc is None:
        raise PrescriptionRefused(
            "rx.patient_unknown", "the hub has not received this case's patient"
        )
    try:
        sex = Sex(str(doc.get("sex")))
    except ValueError:
        sex = Sex.UNKNOWN
    born = doc.get("birth_date")
    years, months = drafted.age_years, drafted.age_months
    if isinstance(born, str) and born:
        # An unreadable birth date: the age the specialist gave stands.
        with contextlib.suppress(ValueError):
            years, months = age_on(
                date.fromisoformat(born[:10]), issued_at.astimezone(rxd.IST).date()
            )
    return PatientSnapshot(
        name=str(doc.get("name") or ""), age_years=years, sex=sex, age_months=months
    )


def age_on(birth: date, day: date) -> tuple[int, int]:
    """Whole years and the months past them on ``day`` (0, 0 before the birth date)."""
    months = (day.year - birth.year) * 12 + day.month - birth.month - (day.day < birth.day)
    whole = max(months, 0)
    return whole // 12, whole % 12
