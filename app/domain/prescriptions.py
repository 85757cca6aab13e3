"""E-prescriptions: the model a hub specialist signs, its rules, and the exact bytes signed.

Rules (Telemedicine Practice Guidelines 2020 as summarised in the project's standards reference,
section 4; docs/PRESCRIPTIONS.md gives the reasons):

- every medicine is looked up by its normalised generic name in a table of telemedicine lists
  (``DrugLists``: generic name -> O, A, B or PROHIBITED) that the caller passes in; the domain
  reads no files. The hub's formulary builds that table.
- PROHIBITED: never (``rx.drug_prohibited``).
- List A: only in a video consultation (``rx.drug_needs_video``). The guideline's exception for
  continuing treatment is taken narrowly: an audio or text consultation may carry a List A item
  only when the visit is a follow-up AND the item is marked ``continuation`` (a refill of a
  medicine started earlier). Whether an earlier video prescription really exists is for the
  service that issues prescriptions to confirm; the domain cannot see history.
- List B: only on a follow-up visit (``rx.drug_needs_follow_up``), in any mode.
- List O: any mode, any visit.
- A medicine missing from the table is refused (``rx.drug_not_in_formulary``) unless the item
  carries an ``off_formulary_reason``. Such an item is then treated as List A (its list is
  unknown, and List A is the strictest list that may be prescribed at all), and it also takes
  the rules of every listed generic name its name contains as whole words: "MORPHINE
  SULPHATE" is still prohibited morphine, "SITAGLIPTIN + METFORMIN XR" still needs a
  follow-up visit. A reason never overrides the table: a name that is in the table always
  gets its listed rule.
- Required fields (``rx.field_required``, params ``field``): ids, patient name, practitioner
  name, qualification, registration number and council, chief complaint, provisional
  diagnosis, the teleconsultation note, at least one item or advice, and for each item its
  generic name, strength, dosage form, dose, frequency, route and quantity unit.
- Limits: duration 1-365 days (``rx.duration_range``), quantity > 0 (``rx.quantity_range``),
  age 0-130 years and 0-11 months (``rx.age_range``), follow-up not before the issue date in
  India Standard Time (``rx.follow_up_before_issue``), issue time timezone-aware
  (``rx.issued_at_timezone``), a prescription does not supersede itself
  (``rx.supersedes_self``).

``check`` normalises a prescription and reports every problem at once (``ValidationFailed``
whose ``issues`` are ``PrescriptionError`` subclasses with the codes above).

Normalisation (``normalise``, idempotent): generic names NFC, invisible characters removed,
spaces collapsed, trimmed, upper-case, the parts of a combination joined by " + "; one-line
fields NFC, spaces collapsed and trimmed; free-text fields NFC, line ends as "\\n", trailing
spaces of each line and surrounding blank space removed (line breaks are kept: advice is often
a list); the issue time in UTC to whole seconds.

Canonical form (``canonical_bytes``): the bytes that are signed. The prescription is
normalised, then written as JSON with keys sorted by code point, no white space between
tokens (separators "," and ":"), encoded as UTF-8 without a BOM. In strings only what JSON
requires is escaped (quote, backslash, \\b \\f \\n \\r \\t, other U+0000-U+001F as \\u00xx in
lower-case hex); every other character, non-ASCII included, is written as itself. Every
field is always present, empty text is "", an absent optional value is null; numbers are
integers only. Fields, format version 1:

=========================== ===================================================================
``v``                       1, the format version
``id``                      prescription id (string)
``case_id``                 the case it answers (string)
``supersedes``              id of the prescription this one corrects, or null
``issued_at``               "YYYY-MM-DDTHH:MM:SSZ", UTC, whole seconds
``mode``                    "video", "audio" or "text"
``visit``                   "first" or "follow_up"
``patient``                 object: ``name``, ``age_years`` (int), ``age_months`` (int, 0-11),
                            ``sex`` ("male", "female", "other", "unknown")
``practitioner``            object: ``name``, ``qualification``, ``registration_number``,
                            ``registration_council``, ``specialty``
``chief_complaint``         text
``findings``                relevant history, examination and investigation findings, text
``provisional_diagnosis``   text
``items``                   array in prescribing order, each an object: ``generic_name``
                            (CAPITALS), ``brand``, ``substitution_allowed`` (bool),
                            ``strength``, ``dosage_form``, ``dose``, ``frequency``, ``route``,
                            ``duration_days`` (int), ``quantity`` (int), ``quantity_unit``,
                            ``instructions``, ``continuation`` (bool),
                            ``off_formulary_reason`` ("" for a formulary medicine)
``advice``                  text
``investigations``          array of text, in the order advised
``follow_up``               "YYYY-MM-DD" or null
``referral``                text, "" when none
``note``                    the teleconsultation note printed on the prescription
=========================== ===================================================================

``from_canonical`` accepts only bytes that are exactly canonical (it re-encodes what it parsed
and compares), so what was signed is what is read; ``parse`` is the lenient reader for JSON
that is not byte-exact. A signed prescription is never changed: a correction is a new
prescription whose ``supersedes`` names the one it corrects.

Contract: pure functions over frozen values, thread-safe.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import UTC, date, datetime, timedelta, timezone
from enum import StrEnum
from typing import Any, NewType, TypeVar

from app.domain.errors import DomainError, ValidationFailed
from app.domain.ids import CaseId
from app.domain.models import Sex
from app.domain.text import clean, nfc

PrescriptionId = NewType("PrescriptionId", str)
_E = TypeVar("_E", bound=StrEnum)

FORMAT_VERSION = 1
MIN_DURATION_DAYS = 1
MAX_DURATION_DAYS = 365
MAX_AGE_YEARS = 130
# India has one time zone and a prescription's date is the Indian calendar date it was issued.
IST = timezone(timedelta(hours=5, minutes=30), "IST")
TELECONSULTATION_NOTE = (
    "This prescription was issued through a teleconsultation under the Telemedicine Practice "
    "Guidelines 2020."
)


class ConsultationMode(StrEnum):
    VIDEO = "video"
    AUDIO = "audio"
    TEXT = "text"


class VisitType(StrEnum):
    FIRST = "first"
    FOLLOW_UP = "follow_up"


class DrugList(StrEnum):
    """The Telemedicine Practice Guidelines' lists of what may be prescribed remotely."""

    O = "O"  # noqa: E741 - the guideline's own name for the list
    A = "A"
    B = "B"
    PROHIBITED = "PROHIBITED"


DrugLists = Mapping[str, DrugList]  # normalised generic name -> list


class PrescriptionError(DomainError):
    """A prescription rule refused a value."""


class DrugNotAllowed(PrescriptionError):
    """A medicine may not be prescribed in this consultation (mode, visit or list)."""


class FieldRequired(PrescriptionError):
    """A field the prescription must carry is empty."""


class OutOfRange(PrescriptionError):
    """A number or date outside its sane limits."""


class NotCanonical(PrescriptionError):
    """Bytes that are not a canonical prescription of a known format version."""


@dataclass(frozen=True, slots=True)
class PatientSnapshot:
    """The patient as identified at the consultation (the guideline asks the age explicitly)."""

    name: str
    age_years: int
    sex: Sex
    age_months: int = 0  # for infants: "0 years 8 months"


@dataclass(frozen=True, slots=True)
class PractitionerSnapshot:
    """The registered medical practitioner as printed on the prescription."""

    name: str
    qualification: str
    registration_number: str  # State Medical Council / NMC registration, shown on every Rx
    registration_council: str
    specialty: str = ""


@dataclass(frozen=True, slots=True)
class PrescriptionItem:
    generic_name: str  # stored and shown in CAPITALS, see ``normalise_generic_name``
    strength: str  # "500 mg", "2%"
    dosage_form: str  # "tablet", "cream"
    dose: str  # "1 tablet", "5 ml", "thin layer"
    frequency: str  # "1-0-1", "twice a day"
    route: str  # "oral", "topical"
    duration_days: int
    quantity: int  # how many ``quantity_unit`` to dispense
    quantity_unit: str  # "tablet", "bottle", "tube": a bare number is ambiguous
    instructions: str = ""  # "after food"
    brand: str = ""  # optional; the generic name is what is prescribed
    substitution_allowed: bool = True
    continuation: bool = False  # a refill of a medicine the patient already takes
    off_formulary_reason: str = ""  # why a medicine missing from the formulary is needed


@dataclass(frozen=True, slots=True)
class Prescription:
    id: PrescriptionId
    case_id: CaseId
    patient: PatientSnapshot
    practitioner: PractitionerSnapshot
    mode: ConsultationMode
    visit: VisitType
    issued_at: datetime  # timezone-aware; normalised to UTC, whole seconds
    chief_complaint: str
    provisional_diagnosis: str
    items: tuple[PrescriptionItem, ...] = ()
    findings: str = ""
    advice: str = ""
    investigations: tuple[str, ...] = ()
    follow_up: date | None = None
    referral: str = ""
    note: str = TELECONSULTATION_NOTE
    supersedes: PrescriptionId | None = None


# --- normalisation -----------------------------------------------------------------------


def normalise_generic_name(name: str) -> str:
    """NFC, invisible characters removed, spaces collapsed, trimmed, upper-case; the parts of a
    combination joined by " + " so "amoxicillin+clavulanic acid" finds its formulary row."""
    current = name
    # upper() can expand or decompose characters; repeat until nothing changes so that the
    # result is a fixed point and normalising twice never changes a signed name.
    for _ in range(4):
        upper = nfc(clean(current).upper())
        parts = [p.strip() for p in upper.split("+")]
        result = " + ".join(p for p in parts if p)
        if result == current:
            break
        current = result
    return current


def _multiline(s: str) -> str:
    text = nfc(s).replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.rstrip() for line in text.split("\n")).strip()


def _normalise_item(item: PrescriptionItem) -> PrescriptionItem:
    return replace(
        item,
        generic_name=normalise_generic_name(item.generic_name),
        strength=clean(item.strength),
        dosage_form=clean(item.dosage_form),
        dose=clean(item.dose),
        frequency=clean(item.frequency),
        route=clean(item.route),
        quantity_unit=clean(item.quantity_unit),
        instructions=_multiline(item.instructions),
        brand=clean(item.brand),
        off_formulary_reason=_multiline(item.off_formulary_reason),
    )


def _normalise_time(t: datetime) -> datetime:
    if t.tzinfo is None or t.utcoffset() is None:
        raise OutOfRange(
            "rx.issued_at_timezone",
            "The time of issue must carry its time zone.",
            {"value": t.isoformat()},
            field="issued_at",
        )
    return t.astimezone(UTC).replace(microsecond=0)


def normalise(rx: Prescription) -> Prescription:
    """The prescription as it is stored and signed (idempotent)."""
    p, d = rx.patient, rx.practitioner
    supersedes = clean(rx.supersedes or "")
    return replace(
        rx,
        id=PrescriptionId(clean(rx.id)),
        case_id=CaseId(clean(rx.case_id)),
        patient=replace(p, name=clean(p.name)),
        practitioner=PractitionerSnapshot(
            name=clean(d.name),
            qualification=clean(d.qualification),
            registration_number=clean(d.registration_number),
            registration_council=clean(d.registration_council),
            specialty=clean(d.specialty),
        ),
        issued_at=_normalise_time(rx.issued_at),
        chief_complaint=_multiline(rx.chief_complaint),
        provisional_diagnosis=_multiline(rx.provisional_diagnosis),
        items=tuple(_normalise_item(i) for i in rx.items),
        findings=_multiline(rx.findings),
        advice=_multiline(rx.advice),
        investigations=tuple(v for v in (clean(i) for i in rx.investigations) if v),
        referral=_multiline(rx.referral),
        note=_multiline(rx.note),
        # An empty id names no prescription: it is "corrects nothing", written as null.
        supersedes=PrescriptionId(supersedes) if supersedes else None,
    )


# --- rules -------------------------------------------------------------------------------


def issue_date(rx: Prescription) -> date:
    """The Indian calendar date of issue (what the printed prescription shows)."""
    return rx.issued_at.astimezone(IST).date()


def _required(value: str, field: str) -> list[PrescriptionError]:
    if value:
        return []
    return [FieldRequired("rx.field_required", f"{field} is required.", {"field": field}, field)]


def _contains_words(name: str, words: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(words)}(?!\w)", name) is not None


def _rules_of(name: str, item: PrescriptionItem, lists: DrugLists) -> set[DrugList] | None:
    """The lists whose rules apply to ``name``; None when it is unlisted and has no reason."""
    listed = lists.get(name)
    if listed is not None:
        return {listed}
    if not item.off_formulary_reason:
        return None
    # Unknown list: the strictest prescribable one (A), plus the rules of every listed medicine
    # the name holds as whole words, so a salt or a combination cannot slip past its parts.
    return {DrugList.A} | {lst for n, lst in lists.items() if _contains_words(name, n)}


def _drug_problems(
    item: PrescriptionItem, at: str, rx: Prescription, lists: DrugLists
) -> list[PrescriptionError]:
    name = item.generic_name
    if not name:
        return []  # reported as a required field
    field = f"{at}.generic_name"
    rules = _rules_of(name, item, lists)
    if rules is None:
        return [
            DrugNotAllowed(
                "rx.drug_not_in_formulary",
                f"{name} is not in the formulary; give the reason to prescribe it anyway.",
                {"name": name},
                field,
            )
        ]
    if DrugList.PROHIBITED in rules:
        return [
            DrugNotAllowed(
                "rx.drug_prohibited",
                f"{name} may never be prescribed by teleconsultation (narcotic, psychotropic, "
                "Schedule X or anti-cancer medicine).",
                {"name": name},
                field,
            )
        ]
    found: list[PrescriptionError] = []
    refill = rx.visit is VisitType.FOLLOW_UP and item.continuation
    if DrugList.A in rules and rx.mode is not ConsultationMode.VIDEO and not refill:
        found.append(
            DrugNotAllowed(
                "rx.drug_needs_video",
                f"{name} needs a video consultation ({rx.mode.value} given); only a "
                "continuation on a follow-up visit may be prescribed without video.",
                {"name": name, "mode": rx.mode.value, "list": _list_label(name, lists)},
                field,
            )
        )
    if DrugList.B in rules and rx.visit is not VisitType.FOLLOW_UP:
        found.append(
            DrugNotAllowed(
                "rx.drug_needs_follow_up",
                f"{name} is an add-on medicine: it may be prescribed only on a follow-up visit.",
                {"name": name, "visit": rx.visit.value},
                field,
            )
        )
    return found


def _list_label(name: str, lists: DrugLists) -> str:
    listed = lists.get(name)
    return "unlisted" if listed is None else listed.value


def _item_problems(
    item: PrescriptionItem, index: int, rx: Prescription, lists: DrugLists
) -> list[PrescriptionError]:
    at = f"items[{index}]"
    problems: list[PrescriptionError] = []
    for name in ("generic_name", "strength", "dosage_form", "dose", "frequency", "route"):
        problems += _required(getattr(item, name), f"{at}.{name}")
    if not MIN_DURATION_DAYS <= item.duration_days <= MAX_DURATION_DAYS:
        problems.append(
            OutOfRange(
                "rx.duration_range",
                f"The duration must be {MIN_DURATION_DAYS} to {MAX_DURATION_DAYS} days "
                f"({item.duration_days} given).",
                {"value": item.duration_days, "min": MIN_DURATION_DAYS, "max": MAX_DURATION_DAYS},
                f"{at}.duration_days",
            )
        )
    if item.quantity <= 0:
        problems.append(
            OutOfRange(
                "rx.quantity_range",
                f"The quantity must be more than 0 ({item.quantity} given).",
                {"value": item.quantity},
                f"{at}.quantity",
            )
        )
    problems += _required(item.quantity_unit, f"{at}.quantity_unit")
    problems += _drug_problems(item, at, rx, lists)
    return problems


def problems(rx: Prescription, lists: DrugLists) -> list[PrescriptionError]:
    """Every rule ``rx`` (already normalised) breaks, in field order; [] when it may be issued."""
    found: list[PrescriptionError] = []
    found += _required(rx.id, "id")
    found += _required(rx.case_id, "case_id")
    found += _required(rx.patient.name, "patient.name")
    if not 0 <= rx.patient.age_years <= MAX_AGE_YEARS or not 0 <= rx.patient.age_months <= 11:
        found.append(
            OutOfRange(
                "rx.age_range",
                f"The age must be 0 to {MAX_AGE_YEARS} years and 0 to 11 months.",
                {"years": rx.patient.age_years, "months": rx.patient.age_months},
                "patient.age_years",
            )
        )
    d = rx.practitioner
    found += _required(d.name, "practitioner.name")
    found += _required(d.qualification, "practitioner.qualification")
    found += _required(d.registration_number, "practitioner.registration_number")
    found += _required(d.registration_council, "practitioner.registration_council")
    found += _required(rx.chief_complaint, "chief_complaint")
    found += _required(rx.provisional_diagnosis, "provisional_diagnosis")
    found += _required(rx.note, "note")
    if not rx.items and not rx.advice:
        found.append(
            FieldRequired(
                "rx.field_required",
                "A prescription needs at least one medicine or some advice.",
                {"field": "items"},
                "items",
            )
        )
    for index, item in enumerate(rx.items):
        found += _item_problems(item, index, rx, lists)
    if rx.follow_up is not None and rx.follow_up < issue_date(rx):
        found.append(
            OutOfRange(
                "rx.follow_up_before_issue",
                "The follow-up date cannot be before the date of the prescription.",
                {"follow_up": rx.follow_up.isoformat(), "issued": issue_date(rx).isoformat()},
                "follow_up",
            )
        )
    if rx.supersedes is not None and rx.supersedes == rx.id:
        found.append(
            PrescriptionError(
                "rx.supersedes_self",
                "A prescription cannot correct itself.",
                {"id": rx.id},
                "supersedes",
            )
        )
    return found


def check(rx: Prescription, lists: DrugLists) -> Prescription:
    """The normalised prescription, ready to sign, or ``ValidationFailed`` with every problem."""
    normalised = normalise(rx)
    found = problems(normalised, lists)
    if found:
        issues: list[DomainError] = list(found)
        raise ValidationFailed(issues)
    return normalised


# --- canonical form ----------------------------------------------------------------------

_TOP_KEYS = frozenset(
    {"v", "id", "case_id", "supersedes", "issued_at", "mode", "visit", "patient",
     "practitioner", "chief_complaint", "findings", "provisional_diagnosis", "items", "advice",
     "investigations", "follow_up", "referral", "note"}
)  # fmt: skip
_PATIENT_KEYS = frozenset({"name", "age_years", "age_months", "sex"})
_PRACTITIONER_KEYS = frozenset({f.name for f in fields(PractitionerSnapshot)})
_ITEM_KEYS = frozenset({f.name for f in fields(PrescriptionItem)})


def _format_time(t: datetime) -> str:
    # isoformat pads the year to four digits where strftime("%Y") may not.
    return t.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


def _to_obj(rx: Prescription) -> dict[str, Any]:
    # Item and practitioner keys come from the dataclasses, so a field added there changes
    # format 1; the byte-exact test of the documented form fails first, as it should.
    p, d = rx.patient, rx.practitioner
    return {
        "v": FORMAT_VERSION,
        "id": rx.id,
        "case_id": rx.case_id,
        "supersedes": rx.supersedes,
        "issued_at": _format_time(rx.issued_at),
        "mode": rx.mode.value,
        "visit": rx.visit.value,
        "patient": {
            "name": p.name,
            "age_years": p.age_years,
            "age_months": p.age_months,
            "sex": p.sex.value,
        },
        "practitioner": {f.name: getattr(d, f.name) for f in fields(PractitionerSnapshot)},
        "chief_complaint": rx.chief_complaint,
        "findings": rx.findings,
        "provisional_diagnosis": rx.provisional_diagnosis,
        "items": [{f.name: getattr(i, f.name) for f in fields(PrescriptionItem)} for i in rx.items],
        "advice": rx.advice,
        "investigations": list(rx.investigations),
        "follow_up": None if rx.follow_up is None else rx.follow_up.isoformat(),
        "referral": rx.referral,
        "note": rx.note,
    }


def canonical_bytes(rx: Prescription) -> bytes:
    """The exact bytes to sign: ``rx`` normalised, as canonical JSON (see the module doc)."""
    text = json.dumps(
        _to_obj(normalise(rx)),
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
    )
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:  # a lone surrogate cannot be written as UTF-8
        raise NotCanonical(
            "rx.malformed", "The prescription holds text that is not valid Unicode.",
            {"reason": "surrogate"},
        ) from exc  # fmt: skip


def _malformed(reason: str) -> NotCanonical:
    return NotCanonical("rx.malformed", f"Not a valid prescription: {reason}.", {"reason": reason})


def _obj(value: Any, keys: frozenset[str], where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _malformed(f"{where} is not an object")
    if set(value) != keys:
        odd = sorted(set(value) ^ keys)
        raise _malformed(f"{where} has missing or unknown fields {', '.join(odd)}")
    return value


def _str(obj: dict[str, Any], key: str, where: str) -> str:
    value = obj[key]
    if not isinstance(value, str):
        raise _malformed(f"{where}.{key} is not text")
    return value


def _int(obj: dict[str, Any], key: str, where: str) -> int:
    value = obj[key]
    if not isinstance(value, int) or isinstance(value, bool):
        raise _malformed(f"{where}.{key} is not an integer")
    return value


def _bool(obj: dict[str, Any], key: str, where: str) -> bool:
    value = obj[key]
    if not isinstance(value, bool):
        raise _malformed(f"{where}.{key} is not true or false")
    return value


def _item(value: Any, where: str) -> PrescriptionItem:
    o = _obj(value, _ITEM_KEYS, where)
    ints = {"duration_days", "quantity"}
    bools = {"substitution_allowed", "continuation"}
    kwargs: dict[str, Any] = {}
    for f in fields(PrescriptionItem):
        if f.name in ints:
            kwargs[f.name] = _int(o, f.name, where)
        elif f.name in bools:
            kwargs[f.name] = _bool(o, f.name, where)
        else:
            kwargs[f.name] = _str(o, f.name, where)
    return PrescriptionItem(**kwargs)


def _enum(kind: type[_E], obj: dict[str, Any], key: str) -> _E:
    raw = _str(obj, key, "prescription")
    try:
        return kind(raw)
    except ValueError:
        raise _malformed(f"{key} {raw!r} is not one of {', '.join(kind)}") from None


def parse(data: bytes) -> Prescription:
    """Read prescription JSON (format version 1), whatever its key order or white space."""
    try:
        raw = json.loads(data.decode("utf-8"), parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError) as exc:
        raise _malformed("not UTF-8 JSON") from exc
    if isinstance(raw, dict) and raw.get("v") != FORMAT_VERSION:
        raise NotCanonical(
            "rx.format_version",
            f"Unknown prescription format version {raw.get('v')!r}.",
            {"v": raw.get("v"), "supported": FORMAT_VERSION},
        )
    o = _obj(raw, _TOP_KEYS, "prescription")
    p = _obj(o["patient"], _PATIENT_KEYS, "patient")
    d = _obj(o["practitioner"], _PRACTITIONER_KEYS, "practitioner")
    try:
        issued_raw = _str(o, "issued_at", "prescription")
        if not issued_raw.endswith("Z"):
            raise ValueError(issued_raw)
        issued_at = datetime.fromisoformat(issued_raw[:-1])
        if issued_at.tzinfo is not None:
            raise ValueError(issued_raw)
        follow_raw = o["follow_up"]
        if follow_raw is not None and not isinstance(follow_raw, str):
            raise ValueError(follow_raw)
        follow_up = None if follow_raw is None else date.fromisoformat(follow_raw)
    except ValueError:
        raise _malformed("issued_at or follow_up is not an ISO 8601 date") from None
    if not isinstance(o["items"], list) or not isinstance(o["investigations"], list):
        raise _malformed("items and investigations must be arrays")
    investigations = tuple(o["investigations"])
    if not all(isinstance(i, str) for i in investigations):
        raise _malformed("investigations must be text")
    supersedes = o["supersedes"]
    if supersedes is not None and not isinstance(supersedes, str):
        raise _malformed("supersedes is not text")
    return Prescription(
        id=PrescriptionId(_str(o, "id", "prescription")),
        case_id=CaseId(_str(o, "case_id", "prescription")),
        patient=PatientSnapshot(
            name=_str(p, "name", "patient"),
            age_years=_int(p, "age_years", "patient"),
            age_months=_int(p, "age_months", "patient"),
            sex=_enum(Sex, p, "sex"),
        ),
        practitioner=PractitionerSnapshot(
            **{k: _str(d, k, "practitioner") for k in sorted(_PRACTITIONER_KEYS)}
        ),
        mode=_enum(ConsultationMode, o, "mode"),
        visit=_enum(VisitType, o, "visit"),
        issued_at=issued_at.replace(tzinfo=UTC),
        chief_complaint=_str(o, "chief_complaint", "prescription"),
        provisional_diagnosis=_str(o, "provisional_diagnosis", "prescription"),
        items=tuple(_item(v, f"items[{n}]") for n, v in enumerate(o["items"])),
        findings=_str(o, "findings", "prescription"),
        advice=_str(o, "advice", "prescription"),
        investigations=investigations,
        follow_up=follow_up,
        referral=_str(o, "referral", "prescription"),
        note=_str(o, "note", "prescription"),
        supersedes=None if supersedes is None else PrescriptionId(supersedes),
    )


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")  # NaN and Infinity are not numbers a Rx carries


def from_canonical(data: bytes) -> Prescription:
    """The prescription whose canonical bytes are exactly ``data``, or ``NotCanonical``.

    Byte-exact so that a verified signature covers precisely what is shown: bytes that parse
    but differ from the canonical encoding (spacing, key order, escapes, NFD text) are refused.
    """
    rx = parse(data)
    if canonical_bytes(rx) != data:
        raise NotCanonical(
            "rx.not_canonical",
            "The prescription is not in its canonical form, so its signature cannot be trusted.",
        )
    return rx
