"""The console's pure helpers: reading the prescription form (``hub.console.rx_form``) and
laying out a case's vitals (``hub.console.vitals_view``)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

from app.domain import vitals
from app.domain.prescriptions import ConsultationMode, VisitType
from hub.console.rx_form import RxForm, item_key
from hub.console.vitals_view import vital_rows
from tests.hub.test_prescriptions import draft, item


def _post(**fields: str) -> dict[str, str]:
    form = {
        "mode": "audio",
        "visit": "follow_up",
        "chief_complaint": "Cough",
        "provisional_diagnosis": "Bronchitis",
        "investigations": "CBC\n\n  Chest X-ray  \n",
        "follow_up": "2026-12-10",
        "rows": "3",
    }
    form.update(fields)
    return form


def _medicine(row: int, name: str) -> dict[str, str]:
    values = {
        "generic_name": name,
        "strength": "500 mg",
        "dosage_form": "tablet",
        "dose": "1 tablet",
        "frequency": "1-0-1",
        "route": "oral",
        "duration_days": "5",
        "quantity": "10",
        "quantity_unit": "tablet",
    }
    return {item_key(row, k): v for k, v in values.items()}


def test_blank_rows_are_skipped_and_errors_point_at_the_right_row() -> None:
    form = RxForm.from_post(_post(**_medicine(2, "paracetamol")))
    rx = form.draft("rx-1", "case-1", None)
    assert form.errors == []
    assert [i.generic_name for i in rx.items] == ["paracetamol"]
    assert (rx.mode, rx.visit) == (ConsultationMode.AUDIO, VisitType.FOLLOW_UP)
    assert rx.investigations == ("CBC", "Chest X-ray")
    assert rx.follow_up == date(2026, 12, 10)
    # The domain's items[0] is the medicine on the third row.
    assert form.field_id("items[0].dose") == "item-2-dose"
    assert form.item_label("items[0].dose") == "Medicine 3: "
    assert form.field_id("provisional_diagnosis") == "provisional_diagnosis"
    assert form.field_id("practitioner.registration_council") == ""


def test_unreadable_fields_are_reported_by_name_and_the_draft_still_checks() -> None:
    post = _post(mode="telepathy", follow_up="next week", age_years="forty")
    post |= _medicine(0, "amoxicillin") | {item_key(0, "quantity"): "ten"}
    post |= {item_key(1, "generic_name"): "cetirizine"}  # a started row: the rest is required
    form = RxForm.from_post(post)
    rx = form.draft("rx-1", "case-1", None)
    assert dict(form.errors) == {
        "mode": "How the consultation took place: choose one of the options.",
        "age_years": "The age in years must be a whole number ('forty' given).",
        "follow_up": "The follow-up date must be a date like 2026-12-31.",
        "item-0-quantity": "Medicine 1: the quantity must be a whole number ('ten' given).",
        "item-1-duration_days": "Medicine 2: the duration in days is required.",
        "item-1-quantity": "Medicine 2: the quantity is required.",
    }
    # What could not be read stands in as a value no rule refuses, so the rules still run.
    assert [i.quantity for i in rx.items] == [1, 1]
    assert rx.follow_up is None


def test_adding_a_row_keeps_what_was_typed_and_rows_are_bounded() -> None:
    form = RxForm.from_post(_post(**_medicine(0, "paracetamol")), extra_rows=1)
    assert len(form.items) == 4 and form.items[0]["generic_name"] == "paracetamol"
    assert len(RxForm.from_post(_post(rows="500"), extra_rows=1).items) == 20
    assert len(RxForm.from_post(_post(rows="nonsense")).items) == 3


def test_a_correction_starts_from_the_prescription() -> None:
    old = replace(
        draft("case-1", item("amoxicillin", continuation=True, substitution_allowed=False)),
        investigations=("CBC",),
        follow_up=date(2026, 12, 1),
    )
    form = RxForm.from_prescription(old)
    again = form.draft("rx-2", "case-1", old.id)
    assert form.errors == []
    assert again.items == old.items
    assert (again.investigations, again.follow_up, again.supersedes) == (
        ("CBC",),
        date(2026, 12, 1),
        old.id,
    )


def _obs(code: str, value: float, unit: str, day: int, **extra: object) -> dict[str, object]:
    taken = datetime(2026, 11, day, 9, 0, tzinfo=UTC).isoformat()
    return {"code": code, "value": value, "unit": unit, "taken_at": taken, **extra}


def test_vitals_are_flagged_with_earlier_visits_as_a_trend() -> None:
    now = [
        _obs(vitals.SYSTOLIC, 186, "mm[Hg]", 20),
        _obs(vitals.SPO2, 97, "%", 20),
        _obs(vitals.PULSE, 400, "/min", 20),  # impossible: shown, marked, not drawn
        _obs(vitals.TEMPERATURE, 41, "Cel", 20, entered_in_error=True),
    ]
    earlier = [  # newest first, as the store gives them
        [_obs(vitals.SYSTOLIC, 150, "mm[Hg]", 10)],
        [_obs(vitals.SYSTOLIC, 132, "mm[Hg]", 1), _obs(vitals.SYSTOLIC, 138, "mm[Hg]", 1)],
    ]
    rows = {r.name: r for r in vital_rows(now, earlier, 45)}
    assert list(rows) == ["Systolic BP", "Pulse", "SpO₂"]  # the table's order, no error row
    bp = rows["Systolic BP"]
    assert (bp.now[0].text, bp.now[0].flag, bp.now[0].flag_text) == (
        "186 mmHg",
        "urgent",
        "Urgent (very high)",
    )
    assert [r.text for r in bp.before] == [
        "138 mmHg",
        "150 mmHg",
    ]  # each visit's last, oldest first
    assert 'points="0.0,26.0 60.0,20.0 120.0,2.0"' in bp.sparkline  # rising over 3 visits
    assert rows["SpO₂"].now[0].flag_text == "" and rows["SpO₂"].sparkline == ""
    assert rows["Pulse"].now[0].flag == "impossible"
    # A child's readings are shown but not judged against adult ranges.
    child = vital_rows([_obs(vitals.PULSE, 130, "/min", 20)], [], 4)
    assert child[0].now[0].flag == "not_assessed"
