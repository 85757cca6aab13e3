"""E-prescription rules (Telemedicine Practice Guidelines 2020) and the canonical signed bytes."""

from __future__ import annotations

import json
import unicodedata
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.errors import DomainError, ValidationFailed
from app.domain.ids import CaseId
from app.domain.models import Sex
from app.domain.prescriptions import (
    IST,
    ConsultationMode,
    DrugList,
    DrugNotAllowed,
    FieldRequired,
    NotCanonical,
    OutOfRange,
    PatientSnapshot,
    PractitionerSnapshot,
    Prescription,
    PrescriptionError,
    PrescriptionId,
    PrescriptionItem,
    VisitType,
    canonical_bytes,
    check,
    from_canonical,
    issue_date,
    normalise,
    normalise_generic_name,
    parse,
    problems,
)

M, V = ConsultationMode, VisitType
T0 = datetime(2025, 3, 15, 9, 30, tzinfo=UTC)  # 15:00 IST

LISTS: dict[str, DrugList] = {
    "PARACETAMOL": DrugList.O,
    "CLOTRIMAZOLE": DrugList.A,
    "METFORMIN": DrugList.A,
    "SITAGLIPTIN": DrugList.B,
    "MORPHINE": DrugList.PROHIBITED,
    "CODEINE": DrugList.PROHIBITED,
    "AMOXICILLIN + CLAVULANIC ACID": DrugList.A,
}


def item(name: str = "PARACETAMOL", **changes: Any) -> PrescriptionItem:
    base = PrescriptionItem(
        generic_name=name,
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


RX = Prescription(
    id=PrescriptionId("rx-1"),
    case_id=CaseId("case-1"),
    patient=PatientSnapshot("Ramesh Kumar", 45, Sex.MALE),
    practitioner=PractitionerSnapshot(
        "Dr Anita Rao", "MBBS, MD (Medicine)", "KMC-12345", "Karnataka Medical Council",
        "general_medicine",
    ),
    mode=M.VIDEO,
    visit=V.FIRST,
    issued_at=T0,
    chief_complaint="Fever for 3 days",
    provisional_diagnosis="Viral fever",
    items=(item(),),
)  # fmt: skip


def codes(rx: Prescription, lists: dict[str, DrugList] = LISTS) -> list[str]:
    return [p.code for p in problems(normalise(rx), lists)]


def only(rx: Prescription, lists: dict[str, DrugList] = LISTS) -> PrescriptionError:
    found = problems(normalise(rx), lists)
    assert len(found) == 1, [p.code for p in found]
    return found[0]


def with_item(rx: Prescription = RX, **changes: Any) -> Prescription:
    return replace(rx, items=(item(**changes),))


# --- drug lists ------------------------------------------------------------------------


def test_a_valid_prescription_passes_and_comes_back_normalised() -> None:
    rx = check(replace(RX, items=(item(" paracetamol "),)), LISTS)
    assert rx.items[0].generic_name == "PARACETAMOL"
    assert problems(rx, LISTS) == []


@pytest.mark.parametrize("mode", list(ConsultationMode))
@pytest.mark.parametrize("visit", list(VisitType))
def test_list_o_is_allowed_in_every_mode_and_visit(
    mode: ConsultationMode, visit: VisitType
) -> None:
    assert codes(replace(RX, mode=mode, visit=visit)) == []


@pytest.mark.parametrize("mode", list(ConsultationMode))
@pytest.mark.parametrize("visit", list(VisitType))
@pytest.mark.parametrize("continuation", [False, True])
def test_prohibited_is_refused_always(
    mode: ConsultationMode, visit: VisitType, continuation: bool
) -> None:
    rx = replace(with_item(name="morphine", continuation=continuation), mode=mode, visit=visit)
    error = only(rx)
    assert isinstance(error, DrugNotAllowed)
    assert error.code == "rx.drug_prohibited"
    assert error.params == {"name": "MORPHINE"}
    assert error.field == "items[0].generic_name"
    assert "never" in error.message


@pytest.mark.parametrize("visit", list(VisitType))
def test_list_a_is_allowed_on_video(visit: VisitType) -> None:
    assert codes(replace(with_item(name="CLOTRIMAZOLE"), mode=M.VIDEO, visit=visit)) == []


@pytest.mark.parametrize("mode", [M.AUDIO, M.TEXT])
@pytest.mark.parametrize("visit", list(VisitType))
def test_list_a_is_refused_without_video_when_not_a_continuation(
    mode: ConsultationMode, visit: VisitType
) -> None:
    error = only(replace(with_item(name="CLOTRIMAZOLE"), mode=mode, visit=visit))
    assert isinstance(error, DrugNotAllowed)
    assert error.code == "rx.drug_needs_video"
    assert error.params == {"name": "CLOTRIMAZOLE", "mode": mode.value, "list": "A"}


@pytest.mark.parametrize("mode", [M.AUDIO, M.TEXT])
def test_list_a_continuation_on_follow_up_is_allowed_without_video(
    mode: ConsultationMode,
) -> None:
    rx = replace(with_item(name="METFORMIN", continuation=True), mode=mode, visit=V.FOLLOW_UP)
    assert codes(rx) == []


def test_list_a_continuation_on_a_first_visit_still_needs_video() -> None:
    rx = replace(with_item(name="METFORMIN", continuation=True), mode=M.AUDIO, visit=V.FIRST)
    assert codes(rx) == ["rx.drug_needs_video"]


@pytest.mark.parametrize("mode", list(ConsultationMode))
def test_list_b_is_allowed_on_follow_up_in_any_mode(mode: ConsultationMode) -> None:
    assert codes(replace(with_item(name="SITAGLIPTIN"), mode=mode, visit=V.FOLLOW_UP)) == []


@pytest.mark.parametrize("mode", list(ConsultationMode))
def test_list_b_is_refused_on_a_first_visit(mode: ConsultationMode) -> None:
    error = only(replace(with_item(name="SITAGLIPTIN"), mode=mode, visit=V.FIRST))
    assert error.code == "rx.drug_needs_follow_up"
    assert error.params == {"name": "SITAGLIPTIN", "visit": "first"}


def test_every_item_is_checked_with_its_own_index() -> None:
    rx = replace(RX, items=(item(), item("MORPHINE"), item("SITAGLIPTIN")))
    found = problems(normalise(rx), LISTS)
    assert [(p.code, p.field) for p in found] == [
        ("rx.drug_prohibited", "items[1].generic_name"),
        ("rx.drug_needs_follow_up", "items[2].generic_name"),
    ]


def test_a_medicine_missing_from_the_formulary_is_refused_without_a_reason() -> None:
    error = only(with_item(name="Unlisted Cream"))
    assert error.code == "rx.drug_not_in_formulary"
    assert error.params == {"name": "UNLISTED CREAM"}


def test_a_reason_admits_an_unlisted_medicine_on_video() -> None:
    rx = with_item(name="Unlisted Cream", off_formulary_reason="Only stock at the HWC")
    assert codes(rx) == []


@pytest.mark.parametrize("mode", [M.AUDIO, M.TEXT])
def test_an_unlisted_medicine_is_treated_as_list_a(mode: ConsultationMode) -> None:
    rx = replace(with_item(name="Unlisted", off_formulary_reason="Stock"), mode=mode)
    error = only(rx)
    assert error.code == "rx.drug_needs_video"
    assert error.params == {"name": "UNLISTED", "mode": mode.value, "list": "unlisted"}
    follow_up = replace(
        with_item(name="Unlisted", off_formulary_reason="Stock", continuation=True),
        mode=mode,
        visit=V.FOLLOW_UP,
    )
    assert codes(follow_up) == []


def test_an_unlisted_combination_takes_the_rules_of_its_listed_parts() -> None:
    combo = with_item(name="sitagliptin + metformin xr", off_formulary_reason="Patient's stock")
    assert codes(replace(combo, mode=M.VIDEO, visit=V.FIRST)) == ["rx.drug_needs_follow_up"]
    assert codes(replace(combo, mode=M.AUDIO, visit=V.FIRST)) == [
        "rx.drug_needs_video",
        "rx.drug_needs_follow_up",
    ]
    assert codes(replace(combo, mode=M.VIDEO, visit=V.FOLLOW_UP)) == []


@pytest.mark.parametrize(
    "name", ["CODEINE PHOSPHATE", "chlorphenamine + codeine", "Morphine sulphate"]
)
def test_an_unlisted_name_holding_a_prohibited_medicine_is_still_prohibited(name: str) -> None:
    error = only(with_item(name=name, off_formulary_reason="Cough"))
    assert error.code == "rx.drug_prohibited"


def test_prohibited_words_match_whole_words_only() -> None:
    # "CODEINEX" is not codeine: the match needs word boundaries, so it is only unlisted.
    assert codes(with_item(name="CODEINEX", off_formulary_reason="Trial")) == []


def test_a_reason_never_overrides_the_listed_rule() -> None:
    rx = with_item(name="MORPHINE", off_formulary_reason="Severe pain")
    assert codes(rx) == ["rx.drug_prohibited"]


def test_combination_names_are_looked_up_after_normalisation() -> None:
    rx = replace(with_item(name="amoxicillin+clavulanic  acid"), mode=M.AUDIO)
    assert codes(rx) == ["rx.drug_needs_video"]  # found (list A), not "not in formulary"


# --- required fields ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rx", "field"),
    [
        (replace(RX, id=PrescriptionId(" ")), "id"),
        (replace(RX, case_id=CaseId("")), "case_id"),
        (replace(RX, patient=replace(RX.patient, name="  ")), "patient.name"),
        (replace(RX, practitioner=replace(RX.practitioner, name="")), "practitioner.name"),
        (
            replace(RX, practitioner=replace(RX.practitioner, qualification="")),
            "practitioner.qualification",
        ),
        (
            replace(RX, practitioner=replace(RX.practitioner, registration_number=" \t")),
            "practitioner.registration_number",
        ),
        (
            replace(RX, practitioner=replace(RX.practitioner, registration_council="")),
            "practitioner.registration_council",
        ),
        (replace(RX, chief_complaint="\n"), "chief_complaint"),
        (replace(RX, provisional_diagnosis=""), "provisional_diagnosis"),
        (replace(RX, note=""), "note"),
        (replace(RX, items=(), advice=""), "items"),
        (with_item(generic_name=" "), "items[0].generic_name"),
        (with_item(strength=""), "items[0].strength"),
        (with_item(dosage_form=""), "items[0].dosage_form"),
        (with_item(dose=""), "items[0].dose"),
        (with_item(frequency=""), "items[0].frequency"),
        (with_item(route=""), "items[0].route"),
        (with_item(quantity_unit=""), "items[0].quantity_unit"),
    ],
)
def test_required_fields(rx: Prescription, field: str) -> None:
    error = only(rx)
    assert isinstance(error, FieldRequired)
    assert error.code == "rx.field_required"
    assert error.params == {"field": field}
    assert error.field == field


def test_advice_alone_is_a_prescription() -> None:
    assert codes(replace(RX, items=(), advice="Rest and fluids")) == []


def test_specialty_brand_and_instructions_are_optional() -> None:
    rx = replace(RX, practitioner=replace(RX.practitioner, specialty=""))
    assert codes(replace(rx, items=(item(brand="", instructions=""),))) == []


def test_check_reports_every_problem_at_once() -> None:
    rx = replace(RX, provisional_diagnosis="", items=(item("MORPHINE", duration_days=0),))
    with pytest.raises(ValidationFailed) as info:
        check(rx, LISTS)
    assert [i.code for i in info.value.issues] == [
        "rx.field_required",
        "rx.duration_range",
        "rx.drug_prohibited",
    ]
    assert all(isinstance(i, PrescriptionError) for i in info.value.issues)


# --- limits ------------------------------------------------------------------------------


@pytest.mark.parametrize(("days", "ok"), [(0, False), (1, True), (365, True), (366, False)])
def test_duration_limits(days: int, ok: bool) -> None:
    found = codes(with_item(duration_days=days))
    assert found == ([] if ok else ["rx.duration_range"])


def test_duration_error_gives_the_limits() -> None:
    error = only(with_item(duration_days=400))
    assert isinstance(error, OutOfRange)
    assert error.params == {"value": 400, "min": 1, "max": 365}
    assert error.field == "items[0].duration_days"


@pytest.mark.parametrize(("quantity", "ok"), [(-1, False), (0, False), (1, True)])
def test_quantity_must_be_positive(quantity: int, ok: bool) -> None:
    assert codes(with_item(quantity=quantity)) == ([] if ok else ["rx.quantity_range"])


@pytest.mark.parametrize(
    ("years", "months", "ok"),
    [(0, 0, True), (0, 11, True), (130, 0, True), (131, 0, False), (-1, 0, False),
     (0, 12, False), (0, -1, False)],
)  # fmt: skip
def test_age_limits(years: int, months: int, ok: bool) -> None:
    rx = replace(RX, patient=PatientSnapshot("Baby of Sita", years, Sex.FEMALE, months))
    assert codes(rx) == ([] if ok else ["rx.age_range"])


def test_follow_up_on_the_issue_date_is_allowed_and_the_day_before_is_not() -> None:
    assert codes(replace(RX, follow_up=date(2025, 3, 15))) == []
    error = only(replace(RX, follow_up=date(2025, 3, 14)))
    assert error.code == "rx.follow_up_before_issue"
    assert error.params == {"follow_up": "2025-03-14", "issued": "2025-03-15"}


def test_the_issue_date_is_the_indian_calendar_date() -> None:
    # 20:00 UTC on the 14th is 01:30 IST on the 15th: a follow-up on the 14th is before it.
    late = replace(RX, issued_at=datetime(2025, 3, 14, 20, 0, tzinfo=UTC))
    assert issue_date(late) == date(2025, 3, 15)
    assert codes(replace(late, follow_up=date(2025, 3, 14))) == ["rx.follow_up_before_issue"]
    assert codes(replace(late, follow_up=date(2025, 3, 15))) == []


def test_a_naive_issue_time_is_refused() -> None:
    with pytest.raises(OutOfRange) as info:
        normalise(replace(RX, issued_at=datetime(2025, 3, 15, 9, 30)))
    assert info.value.code == "rx.issued_at_timezone"


def test_a_prescription_cannot_supersede_itself() -> None:
    assert codes(replace(RX, supersedes=PrescriptionId("rx-1"))) == ["rx.supersedes_self"]
    assert codes(replace(RX, supersedes=PrescriptionId("rx-0"))) == []


# --- normalisation -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  paracetamol ", "PARACETAMOL"),
        ("ferrous   sulphate\t+folic acid", "FERROUS SULPHATE + FOLIC ACID"),
        ("Amoxicillin +  + Clavulanic Acid", "AMOXICILLIN + CLAVULANIC ACID"),
        ("para\u200bcetamol", "PARACETAMOL"),  # zero-width space pasted from a document
        ("e\u0301thanol", "\u00c9THANOL"),  # decomposed accent composed (NFC) and upper-cased
    ],
)
def test_generic_name_normalisation(raw: str, expected: str) -> None:
    assert normalise_generic_name(raw) == expected


@given(st.text())
def test_generic_name_normalisation_is_idempotent_and_nfc(raw: str) -> None:
    once = normalise_generic_name(raw)
    assert normalise_generic_name(once) == once
    assert unicodedata.is_normalized("NFC", once)
    assert once == once.strip()


def test_free_text_keeps_line_breaks_but_not_trailing_blanks() -> None:
    rx = normalise(replace(RX, advice="  1. Rest  \r\n2. Fluids\r\n\n"))
    assert rx.advice == "1. Rest\n2. Fluids"


def test_issue_time_is_stored_in_utc_to_the_second() -> None:
    local = datetime(2025, 3, 15, 15, 0, 0, 999_999, tzinfo=IST)
    rx = normalise(replace(RX, issued_at=local))
    assert rx.issued_at == datetime(2025, 3, 15, 9, 30, tzinfo=UTC)
    assert rx.issued_at.tzinfo is UTC


# --- canonical bytes ---------------------------------------------------------------------

EXPECTED_V1 = (
    b'{"advice":"","case_id":"case-1","chief_complaint":"Fever for 3 days","findings":"",'
    b'"follow_up":null,"id":"rx-1","investigations":[],"issued_at":"2025-03-15T09:30:00Z",'
    b'"items":[{"brand":"","continuation":false,"dosage_form":"tablet","dose":"1 tablet",'
    b'"duration_days":3,"frequency":"1-1-1","generic_name":"PARACETAMOL","instructions":"",'
    b'"off_formulary_reason":"","quantity":9,"quantity_unit":"tablet","route":"oral",'
    b'"strength":"500 mg","substitution_allowed":true}],"mode":"video",'
    b'"note":"This prescription was issued through a teleconsultation under the Telemedicine '
    b'Practice Guidelines 2020.","patient":{"age_months":0,"age_years":45,"name":"Ramesh Kumar",'
    b'"sex":"male"},"practitioner":{"name":"Dr Anita Rao","qualification":"MBBS, MD (Medicine)",'
    b'"registration_council":"Karnataka Medical Council","registration_number":"KMC-12345",'
    b'"specialty":"general_medicine"},"provisional_diagnosis":"Viral fever","referral":"",'
    b'"supersedes":null,"v":1,"visit":"first"}'
)


def test_canonical_bytes_are_exactly_the_documented_format() -> None:
    # Changing this format invalidates every signature made with it: bump "v" instead.
    assert canonical_bytes(RX) == EXPECTED_V1


def test_canonical_bytes_write_non_ascii_as_utf8_not_escapes() -> None:
    rx = replace(RX, patient=replace(RX.patient, name="रमेश कुमार"))
    data = canonical_bytes(rx)
    assert "रमेश कुमार".encode() in data
    assert b"\\u" not in data


def test_canonical_bytes_escape_only_what_json_requires() -> None:
    rx = replace(RX, advice='say "ok"\\ then\tstop\x01\x7f\u2028end')
    assert b'"advice":"say \\"ok\\"\\\\ then\\tstop\\u0001\x7f\xe2\x80\xa8end"' in canonical_bytes(
        rx
    )


def test_an_empty_supersedes_is_no_correction() -> None:
    rx = normalise(replace(RX, supersedes=PrescriptionId(" ")))
    assert rx.supersedes is None
    assert b'"supersedes":null' in canonical_bytes(rx)


def test_canonical_bytes_ignore_unicode_form_and_surrounding_space() -> None:
    nfc_name = "मुऩा"  # precomposed nukta letter
    nfd_name = unicodedata.normalize("NFD", nfc_name)
    a = replace(RX, patient=replace(RX.patient, name=nfc_name), advice="Rest")
    b = replace(RX, patient=replace(RX.patient, name=f"  {nfd_name} "), advice="Rest \n")
    assert nfc_name != nfd_name
    assert canonical_bytes(a) == canonical_bytes(b)


def test_canonical_bytes_ignore_the_time_zone_the_time_was_given_in() -> None:
    assert canonical_bytes(replace(RX, issued_at=T0.astimezone(IST))) == canonical_bytes(RX)


def test_canonical_bytes_refuse_text_that_is_not_unicode() -> None:
    with pytest.raises(NotCanonical) as info:
        canonical_bytes(replace(RX, advice="\ud800"))
    assert info.value.code == "rx.malformed"


@pytest.mark.parametrize(
    "changed",
    [
        replace(RX, id=PrescriptionId("rx-2")),
        replace(RX, mode=M.AUDIO),
        replace(RX, visit=V.FOLLOW_UP),
        replace(RX, issued_at=T0 + timedelta(seconds=1)),
        replace(RX, follow_up=date(2025, 3, 22)),
        replace(RX, supersedes=PrescriptionId("rx-0")),
        replace(RX, investigations=("CBC",)),
        replace(RX, patient=replace(RX.patient, age_years=46)),
        replace(RX, practitioner=replace(RX.practitioner, registration_number="KMC-12346")),
        with_item(quantity=10),
        with_item(substitution_allowed=False),
        with_item(continuation=True),
        with_item(brand="Calpol"),
        replace(RX, items=(item(), item())),
    ],
)
def test_one_changed_field_changes_the_bytes(changed: Prescription) -> None:
    assert canonical_bytes(changed) != canonical_bytes(RX)


def test_item_order_is_part_of_the_prescription() -> None:
    a, b = item(), item("METFORMIN")
    assert canonical_bytes(replace(RX, items=(a, b))) != canonical_bytes(replace(RX, items=(b, a)))


# hypothesis: any prescription round-trips through its canonical bytes ----------------------

_text = st.text(max_size=20)
_items = st.builds(
    PrescriptionItem,
    generic_name=_text,
    strength=_text,
    dosage_form=_text,
    dose=_text,
    frequency=_text,
    route=_text,
    duration_days=st.integers(-(2**40), 2**40),
    quantity=st.integers(-(2**40), 2**40),
    quantity_unit=_text,
    instructions=_text,
    brand=_text,
    substitution_allowed=st.booleans(),
    continuation=st.booleans(),
    off_formulary_reason=_text,
)
_prescriptions = st.builds(
    Prescription,
    id=_text.map(PrescriptionId),
    case_id=_text.map(CaseId),
    patient=st.builds(PatientSnapshot, _text, st.integers(-5, 200), st.sampled_from(Sex),
                      st.integers(-1, 13)),
    practitioner=st.builds(PractitionerSnapshot, _text, _text, _text, _text, _text),
    mode=st.sampled_from(ConsultationMode),
    visit=st.sampled_from(VisitType),
    issued_at=st.datetimes(
        min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30),
        timezones=st.sampled_from([UTC, IST, timezone(timedelta(hours=-3))]),
    ),
    chief_complaint=_text,
    provisional_diagnosis=_text,
    items=st.lists(_items, max_size=3).map(tuple),
    findings=_text,
    advice=_text,
    investigations=st.lists(_text, max_size=3).map(tuple),
    follow_up=st.none() | st.dates(),
    referral=_text,
    note=_text,
    supersedes=st.none() | _text.map(PrescriptionId),
)  # fmt: skip


@given(_prescriptions)
def test_canonical_bytes_round_trip(rx: Prescription) -> None:
    data = canonical_bytes(rx)
    back = from_canonical(data)
    assert back == normalise(rx)
    assert canonical_bytes(back) == data
    assert normalise(back) == back


@given(_prescriptions)
def test_canonical_bytes_are_deterministic_canonical_json(rx: Prescription) -> None:
    data = canonical_bytes(rx)
    assert canonical_bytes(replace(rx)) == data
    obj = json.loads(data)
    assert obj["v"] == 1
    assert data == json.dumps(
        obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")


@given(_prescriptions)
def test_nfd_input_gives_the_same_bytes(rx: Prescription) -> None:
    def nfd(s: str) -> str:
        return unicodedata.normalize("NFD", s)

    decomposed = replace(
        rx,
        patient=replace(rx.patient, name=nfd(rx.patient.name)),
        chief_complaint=nfd(rx.chief_complaint),
        advice=nfd(rx.advice),
        items=tuple(replace(i, generic_name=nfd(i.generic_name), dose=nfd(i.dose))
                    for i in rx.items),
    )  # fmt: skip
    assert canonical_bytes(decomposed) == canonical_bytes(rx)


@given(_prescriptions, st.randoms(use_true_random=False))
def test_key_order_and_white_space_do_not_change_the_bytes(rx: Prescription, rnd: Any) -> None:
    data = canonical_bytes(rx)

    def shuffled(value: Any) -> Any:
        if isinstance(value, dict):
            keys = list(value)
            rnd.shuffle(keys)
            return {k: shuffled(value[k]) for k in keys}
        if isinstance(value, list):
            return [shuffled(v) for v in value]
        return value

    messy = json.dumps(shuffled(json.loads(data)), indent=2, ensure_ascii=True).encode()
    assert canonical_bytes(parse(messy)) == data


# --- reading canonical bytes -------------------------------------------------------------


def test_from_canonical_refuses_bytes_that_are_not_byte_exact() -> None:
    data = canonical_bytes(RX)
    spaced = json.dumps(json.loads(data), ensure_ascii=False).encode()
    with pytest.raises(NotCanonical) as info:
        from_canonical(spaced)
    assert info.value.code == "rx.not_canonical"
    assert from_canonical(data) == RX


def test_from_canonical_refuses_text_that_is_not_nfc() -> None:
    name = unicodedata.normalize("NFD", "मुऩा")
    data = canonical_bytes(RX).replace(b"Ramesh Kumar", name.encode())
    with pytest.raises(NotCanonical) as info:
        from_canonical(data)
    assert info.value.code == "rx.not_canonical"


def _edited(**changes: Any) -> bytes:
    obj = json.loads(canonical_bytes(RX))
    obj.update(changes)
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def test_an_unknown_format_version_is_refused() -> None:
    with pytest.raises(NotCanonical) as info:
        from_canonical(_edited(v=2))
    assert info.value.code == "rx.format_version"
    assert info.value.params == {"v": 2, "supported": 1}


@pytest.mark.parametrize(
    "data",
    [
        b"not json",
        b"\xff\xfe",
        b"[]",
        _edited(extra="field"),
        _edited(mode="telepathy"),
        _edited(issued_at="2025-03-15T09:30:00+05:30"),
        _edited(issued_at="yesterday"),
        _edited(follow_up=20250322),
        _edited(items=[{"generic_name": "PARACETAMOL"}]),
        _edited(items="PARACETAMOL"),
        _edited(investigations=[1]),
        _edited(supersedes=7),
        _edited(patient={"name": "X", "age_years": "45", "age_months": 0, "sex": "male"}),
        _edited(patient={"name": "X", "age_years": True, "age_months": 0, "sex": "male"}),
        _edited(id=None),
        b'{"v":1,"quantity":NaN}',
    ],
)
def test_malformed_prescriptions_are_refused_with_a_reason(data: bytes) -> None:
    with pytest.raises(NotCanonical) as info:
        parse(data)
    assert info.value.code == "rx.malformed"
    assert info.value.params["reason"]
    assert isinstance(info.value, DomainError)


def test_a_correction_is_a_new_prescription_that_names_the_old_one() -> None:
    corrected = replace(RX, id=PrescriptionId("rx-2"), supersedes=RX.id, advice="Fluids")
    back = from_canonical(canonical_bytes(check(corrected, LISTS)))
    assert back.supersedes == "rx-1"
    assert from_canonical(canonical_bytes(RX)) == RX  # the original is untouched
