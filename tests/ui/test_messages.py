"""Every error code the architecture promises has a translated sentence, filled from params."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.domain.errors import DomainError, ValidationFailed
from app.ui.messages import MESSAGES, error_text, show_error

ARCHITECTURE = Path(__file__).resolve().parents[2] / "docs" / "ARCHITECTURE.md"

SAMPLE_PARAMS = {
    "value": "12",
    "code": "1234-5",
    "unit": "[degF]",
    "allowed": ["Cel", "[degF]"],
    "name": "Body temperature",
    "limit": "111.2",
    "limit_unit": "[degF]",
    "systolic": "80",
    "diastolic": "120",
    "from": "draft",
    "to": "closed",
    "status": "queued",
    "seconds": "30",
    "permission": "register_patient",
    "role": "admin",
    "matches": "2",
    "limit_mb": "20",
    "path": "/data/spoke.sqlite3",
}


def documented_codes() -> dict[str, list[str]]:
    """code -> params named in its row of the "Codes in use" table."""
    codes: dict[str, list[str]] = {}
    in_table = False
    for line in ARCHITECTURE.read_text(encoding="utf-8").splitlines():
        if line.startswith("| code |"):
            in_table = True
            continue
        if in_table and not line.startswith("|"):
            break
        if not in_table or line.startswith("|---"):
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        params = re.findall(r"`([a-z_]+)`", cells[2]) if len(cells) > 2 else []
        for code in re.findall(r"`([a-z_]+\.[a-z_.]+)`", cells[0]):
            codes[code] = params
    return codes


def test_the_table_is_found_and_large() -> None:
    codes = documented_codes()
    assert "vital.above_limit" in codes
    assert len(codes) >= 35


@pytest.mark.parametrize("code", sorted(documented_codes()))
def test_every_documented_code_has_its_own_sentence(code: str) -> None:
    assert code in MESSAGES
    params = {p: SAMPLE_PARAMS[p] for p in documented_codes()[code] if p in SAMPLE_PARAMS}
    english = "ENGLISH FALLBACK"
    text = error_text(DomainError(code, english, params))
    assert text != english
    assert text.strip()
    assert "{" not in text and "}" not in text


@pytest.mark.parametrize("code", sorted(documented_codes()))
def test_every_code_reads_well_without_its_params(code: str) -> None:
    text = error_text(DomainError(code, "ENGLISH FALLBACK"))
    assert text != "ENGLISH FALLBACK"
    assert "{" not in text


def test_params_fill_the_sentence_with_units_people_read() -> None:
    exc = DomainError(
        "vital.above_limit",
        "too high",
        {
            "name": "Body temperature",
            "value": 1013,
            "unit": "[degF]",
            "limit": 111.2,
            "limit_unit": "[degF]",
        },
    )
    text = error_text(exc)
    assert "Body temperature 1013 °F" in text
    assert "(111.2 °F)" in text
    assert "[degF]" not in text


def test_role_and_status_values_are_shown_as_words() -> None:
    denied = error_text(DomainError("permission.denied", "no", {"role": "admin"}))
    assert "administrator" in denied
    moved = error_text(DomainError("case.transition", "no", {"from": "at_hub", "to": "draft"}))
    assert "“at hub”" in moved and "“draft”" in moved


def test_unknown_code_falls_back_to_the_english_message() -> None:
    assert error_text(DomainError("hub.new_thing", "The hub said no.")) == "The hub said no."


def test_an_error_without_a_code_still_says_something() -> None:
    text = error_text(OSError("No space left on device"))
    assert "No space left on device" in text


def test_validation_failed_lists_every_issue() -> None:
    exc = ValidationFailed(
        [
            DomainError("patient.name_required", "Name?", field="name"),
            DomainError("patient.phone_invalid", "Phone?", {"value": "12"}, field="phone"),
        ]
    )
    text = error_text(exc)
    assert "Enter the patient's name." in text
    assert "10 digits" in text
    assert text.splitlines()[0] == "Please correct the following:"


def test_show_error_opens_a_message_box_with_the_text(qtbot: QtBot) -> None:
    from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

    parent = QWidget()
    qtbot.addWidget(parent)
    show_error(parent, DomainError("auth.inactive", "off"))
    boxes = [
        w
        for w in QApplication.topLevelWidgets()
        if isinstance(w, QMessageBox) and w.objectName() == "errorMessageBox"
    ]
    assert boxes
    assert boxes[-1].text() == "This account has been switched off. Ask the administrator."
    boxes[-1].close()
