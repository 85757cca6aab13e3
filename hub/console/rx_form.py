"""The specialist's prescription form: from posted fields to a draft ``Prescription``, and
back to the values a re-shown form needs.

Nothing here trusts the browser: every field is read as text and trimmed, numbers that do not
parse are reported by name (``RxForm.errors``) rather than turned into zero, and the rules
themselves are the domain's (``app.domain.prescriptions.check``, run by ``hub.prescriptions``).
Who signs and for whom is never read from the form: ``hub.prescriptions`` takes both from the
hub's records. The form carries only the age, for a patient the clinic gave no birth date.

A medicine row with every field blank is an unused row and is skipped; a row with anything in
it is a medicine and must be complete. The row count travels in the form (``rows``) so "Add a
medicine" can re-show the form with one more row without JavaScript.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Final, TypeVar

from app.domain.ids import CaseId
from app.domain.models import Sex
from app.domain.prescriptions import (
    ConsultationMode,
    PatientSnapshot,
    PractitionerSnapshot,
    Prescription,
    PrescriptionId,
    PrescriptionItem,
    VisitType,
)

ITEM_FIELDS: Final = (
    "generic_name",
    "strength",
    "dosage_form",
    "dose",
    "frequency",
    "route",
    "duration_days",
    "quantity",
    "quantity_unit",
    "instructions",
    "brand",
    "off_formulary_reason",
)
ITEM_FLAGS: Final = ("continuation", "no_substitution")
TOP_FIELDS: Final = (
    "mode",
    "visit",
    "age_years",
    "age_months",
    "chief_complaint",
    "findings",
    "provisional_diagnosis",
    "advice",
    "investigations",
    "follow_up",
    "referral",
)
DEFAULT_ROWS: Final = 3
MAX_ROWS: Final = 20  # a longer list is a different problem than a form can solve

Values = dict[str, str]
_E = TypeVar("_E", ConsultationMode, VisitType)


def item_key(index: int, name: str) -> str:
    return f"item-{index}-{name}"


def _text(form: Mapping[str, object], name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def row_count(form: Mapping[str, object], *, extra: int = 0) -> int:
    try:
        rows = int(_text(form, "rows"))
    except ValueError:
        rows = DEFAULT_ROWS
    return max(1, min(MAX_ROWS, rows + extra))


@dataclass
class RxForm:
    """What the specialist typed, as text, ready to show again."""

    top: Values
    items: list[Values]
    errors: list[tuple[str, str]] = field(default_factory=list)  # (field id, message)
    # The form row of each medicine of the last draft: blank rows are skipped, so the
    # domain's items[k] is not row k.
    rows_of_items: list[int] = field(default_factory=list)

    @classmethod
    def blank(cls, *, chief_complaint: str, findings: str, visit: VisitType) -> RxForm:
        top = dict.fromkeys(TOP_FIELDS, "")
        top.update(
            mode=ConsultationMode.VIDEO.value,
            visit=visit.value,
            chief_complaint=chief_complaint,
            findings=findings,
        )
        return cls(top, [_blank_item() for _ in range(DEFAULT_ROWS)])

    @classmethod
    def from_prescription(cls, rx: Prescription) -> RxForm:
        """A correction starts from the prescription it corrects."""
        top: Values = {
            "mode": rx.mode.value,
            "visit": rx.visit.value,
            "age_years": str(rx.patient.age_years),
            "age_months": str(rx.patient.age_months),
            "chief_complaint": rx.chief_complaint,
            "findings": rx.findings,
            "provisional_diagnosis": rx.provisional_diagnosis,
            "advice": rx.advice,
            "investigations": "\n".join(rx.investigations),
            "follow_up": rx.follow_up.isoformat() if rx.follow_up else "",
            "referral": rx.referral,
        }
        items = [_item_values(item) for item in rx.items]
        return cls(top, items or [_blank_item()])

    @classmethod
    def from_post(cls, form: Mapping[str, object], *, extra_rows: int = 0) -> RxForm:
        top = {name: _text(form, name) for name in TOP_FIELDS}
        items = []
        for index in range(row_count(form)):
            values = {name: _text(form, item_key(index, name)) for name in ITEM_FIELDS}
            for flag in ITEM_FLAGS:
                values[flag] = "1" if _text(form, item_key(index, flag)) else ""
            items.append(values)
        items += [_blank_item() for _ in range(extra_rows)]
        return cls(top, items[:MAX_ROWS])

    def filled_items(self) -> list[tuple[int, Values]]:
        return [(i, v) for i, v in enumerate(self.items) if _used(v)]

    def draft(self, rx_id: str, case_id: str, supersedes: str | None) -> Prescription:
        """The draft to check or sign. A field that could not be read is in ``errors`` and
        stands in the draft as a harmless value, so the rules can still report on the rest;
        a draft with ``errors`` is never signed."""
        self.errors = []
        mode = self._choice(ConsultationMode, "mode", "How the consultation took place")
        visit = self._choice(VisitType, "visit", "The visit")
        years = self._int("age_years", "The age in years")
        months = self._int("age_months", "The months of age")
        follow_up = self._date("follow_up", "The follow-up date")
        filled = self.filled_items()
        self.rows_of_items = [index for index, _ in filled]
        items = [self._item(index, values) for index, values in filled]
        return Prescription(
            id=PrescriptionId(rx_id),
            case_id=CaseId(case_id),
            # Who and for whom are the hub's records (hub.prescriptions); the age only counts
            # when the clinic gave no birth date.
            patient=PatientSnapshot(name="", age_years=years, sex=Sex.UNKNOWN, age_months=months),
            practitioner=PractitionerSnapshot("", "", "", ""),
            mode=mode,
            visit=visit,
            issued_at=datetime.now(UTC),
            chief_complaint=self.top["chief_complaint"],
            provisional_diagnosis=self.top["provisional_diagnosis"],
            items=tuple(items),
            findings=self.top["findings"],
            advice=self.top["advice"],
            investigations=tuple(
                line.strip() for line in self.top["investigations"].splitlines() if line.strip()
            ),
            follow_up=follow_up,
            referral=self.top["referral"],
            supersedes=PrescriptionId(supersedes) if supersedes else None,
        )

    def field_id(self, domain_field: str | None) -> str:
        """The input a domain error's ``field`` names: ``items[2].dose`` -> ``item-4-dose``
        when the third medicine is on the fifth row."""
        if not domain_field:
            return ""
        if domain_field.startswith("items[") and "]." in domain_field:
            index, _, name = domain_field[len("items[") :].partition("].")
            if not index.isdigit() or int(index) >= len(self.rows_of_items):
                return ""
            return item_key(self.rows_of_items[int(index)], name)
        if domain_field.startswith("patient.age"):
            return "age_years"
        return domain_field if domain_field in TOP_FIELDS else ""

    def item_label(self, domain_field: str | None) -> str:
        """ "Medicine 3: " for an error about the medicine on the third row, else ""."""
        key = self.field_id(domain_field)
        if key.startswith("item-"):
            return f"Medicine {int(key.split('-')[1]) + 1}: "
        return ""

    # --- reading fields --------------------------------------------------------------

    def _choice(self, kind: type[_E], name: str, label: str) -> _E:
        try:
            return kind(self.top[name])
        except ValueError:
            self.errors.append((name, f"{label}: choose one of the options."))
            return next(iter(kind))

    def _number(self, text: str, key: str, label: str, blank: int | None) -> int:
        """``text`` as a whole number; ``blank`` for an empty optional field. What cannot be
        read is reported and stands as 1, a value no rule refuses."""
        if not text and blank is not None:
            return blank
        if not text:
            self.errors.append((key, f"{label} is required."))
            return 1
        try:
            return int(text)
        except ValueError:
            self.errors.append((key, f"{label} must be a whole number ({text!r} given)."))
            return 1

    def _int(self, name: str, label: str) -> int:
        return self._number(self.top[name], name, label, 0)

    def _date(self, name: str, label: str) -> date | None:
        text = self.top[name]
        if not text:
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            self.errors.append((name, f"{label} must be a date like 2026-12-31."))
            return None

    def _item(self, index: int, values: Values) -> PrescriptionItem:
        label = f"Medicine {index + 1}"
        duration = self._number(
            values["duration_days"],
            item_key(index, "duration_days"),
            f"{label}: the duration in days",
            None,
        )
        quantity = self._number(
            values["quantity"], item_key(index, "quantity"), f"{label}: the quantity", None
        )
        return PrescriptionItem(
            generic_name=values["generic_name"],
            strength=values["strength"],
            dosage_form=values["dosage_form"],
            dose=values["dose"],
            frequency=values["frequency"],
            route=values["route"],
            duration_days=duration,
            quantity=quantity,
            quantity_unit=values["quantity_unit"],
            instructions=values["instructions"],
            brand=values["brand"],
            substitution_allowed=not values["no_substitution"],
            continuation=bool(values["continuation"]),
            off_formulary_reason=values["off_formulary_reason"],
        )


def _blank_item() -> Values:
    return dict.fromkeys((*ITEM_FIELDS, *ITEM_FLAGS), "")


def _used(values: Values) -> bool:
    return any(values[name] for name in ITEM_FIELDS)


def _item_values(item: PrescriptionItem) -> Values:
    return {
        "generic_name": item.generic_name,
        "strength": item.strength,
        "dosage_form": item.dosage_form,
        "dose": item.dose,
        "frequency": item.frequency,
        "route": item.route,
        "duration_days": str(item.duration_days),
        "quantity": str(item.quantity),
        "quantity_unit": item.quantity_unit,
        "instructions": item.instructions,
        "brand": item.brand,
        "off_formulary_reason": item.off_formulary_reason,
        "continuation": "1" if item.continuation else "",
        "no_substitution": "" if item.substitution_allowed else "1",
    }
