"""Registering a patient: inline errors that keep the typed text, the live duplicate check,
the explicit "register anyway", and a registration done with the keyboard alone."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from app.domain.models import Sex
from app.ui import tasks
from app.ui.patients_page import PatientsPage
from app.ui.registration import RegistrationDialog
from app.ui.session import Session
from tests.navigator import RecordingNavigator
from tests.ui_clinical.conftest import register, type_text

VALID_ABHA = "91-3670-8272-5162"  # passes the Luhn check (standards.md §1.1)
ONE_DIGIT_WRONG = "91-3670-8272-5163"


def _dialog(qtbot: QtBot, session: Session) -> RegistrationDialog:
    dialog = RegistrationDialog(session)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.state_combo.count() > 1)  # states loaded off-thread
    return dialog


def test_wrong_abha_digit_shows_the_abha_error_and_keeps_every_field(
    qtbot: QtBot, session: Session
) -> None:
    dialog = _dialog(qtbot, session)
    qtbot.keyClicks(dialog.name_edit, "Meena Kumari")
    type_text(qtbot, dialog.name_alt_edit, "मीना कुमारी")
    qtbot.keyClicks(dialog.guardian_edit, "Ram Lal")
    dialog.sex_combo.setCurrentIndex(dialog.sex_combo.findData(Sex.FEMALE.value))
    qtbot.keyClicks(dialog.age_edit, "29")
    qtbot.keyClicks(dialog.phone_edit, "9812345678")
    qtbot.keyClicks(dialog.abha_edit, ONE_DIGIT_WRONG)
    qtbot.keyClicks(dialog.abha_address_edit, "meena.k@abdm")
    dialog.state_combo.setCurrentIndex(dialog.state_combo.findData("UTTAR PRADESH"))
    qtbot.waitUntil(lambda: dialog.district_combo.count() > 1)
    dialog.district_combo.setCurrentIndex(dialog.district_combo.findData("KHERI"))
    qtbot.keyClicks(dialog.sub_district_edit, "Lakhimpur")
    qtbot.keyClicks(dialog.village_edit, "Kheri")
    qtbot.keyClicks(dialog.line_edit, "Near the school")

    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.fields["abha_number"].error.isVisible())

    assert "ABHA" in dialog.fields["abha_number"].error.text()
    assert dialog.isVisible() and dialog.registered is None
    for key, field in dialog.fields.items():
        if key != "abha_number":
            assert not field.error.isVisible(), key
    assert dialog.name_edit.text() == "Meena Kumari"
    assert dialog.name_alt_edit.text() == "मीना कुमारी"
    assert dialog.guardian_edit.text() == "Ram Lal"
    assert dialog.sex_combo.currentData() == Sex.FEMALE.value
    assert dialog.age_edit.text() == "29"
    assert dialog.phone_edit.text() == "9812345678"
    assert dialog.abha_edit.text() == ONE_DIGIT_WRONG
    assert dialog.abha_address_edit.text() == "meena.k@abdm"
    assert dialog.state_combo.currentData() == "UTTAR PRADESH"
    assert dialog.district_combo.currentData() == "KHERI"
    assert dialog.sub_district_edit.text() == "Lakhimpur"
    assert dialog.village_edit.text() == "Kheri"
    assert dialog.line_edit.text() == "Near the school"
    assert QApplication.focusWidget() is dialog.abha_edit  # straight to what needs fixing
    assert session.services.patients.search(session.user, "Meena") == []

    # Fixing the digit saves the patient with everything that was typed.
    dialog.abha_edit.setText(VALID_ABHA)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.registered is not None)
    saved = dialog.registered
    assert saved is not None
    assert saved.abha_number == "91367082725162"
    assert saved.address.sub_district == "Lakhimpur" and saved.guardian_name == "Ram Lal"


def test_duplicate_warning_then_use_this_patient_opens_the_existing_record(
    qtbot: QtBot, session: Session, navigator: RecordingNavigator
) -> None:
    existing = register(session.services, session.user, "Ramesh Kumaar", age=44, village="Kheri")
    page = PatientsPage(session, navigator)
    qtbot.addWidget(page)
    page.show()
    qtbot.mouseClick(page.register_button, Qt.MouseButton.LeftButton)
    dialog = page.registration_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)

    qtbot.keyClicks(dialog.name_edit, "Ramesh Kumar")
    dialog.sex_combo.setCurrentIndex(dialog.sex_combo.findData(Sex.MALE.value))
    qtbot.keyClicks(dialog.age_edit, "45")
    qtbot.keyClicks(dialog.phone_edit, "9876501234")
    qtbot.keyClicks(dialog.village_edit, "Kheri")

    qtbot.waitUntil(lambda: dialog.duplicates_box.isVisible() and bool(dialog.duplicate_ids()))
    assert dialog.duplicate_ids()[0] == existing.id
    shown = dialog.duplicates_list.item(0).text()
    assert "Ramesh Kumaar" in shown and "Kheri" in shown
    assert "similar name" in shown  # the reasons are spelled out

    qtbot.mouseClick(dialog.use_button, Qt.MouseButton.LeftButton)
    assert navigator.last("open_patient") == existing.id
    assert not dialog.isVisible()
    qtbot.waitUntil(lambda: tasks.running_count() == 0)
    found = session.services.patients.search(session.user, "Ramesh")
    assert [p.id for p in found] == [existing.id]  # no second Ramesh was created


def test_saving_a_suspected_duplicate_needs_an_explicit_confirmation(
    qtbot: QtBot, session: Session
) -> None:
    existing = register(session.services, session.user, "Ramesh Kumaar", age=44, village="Kheri")
    dialog = _dialog(qtbot, session)
    qtbot.keyClicks(dialog.name_edit, "Ramesh Kumar")
    dialog.sex_combo.setCurrentIndex(dialog.sex_combo.findData(Sex.MALE.value))
    qtbot.keyClicks(dialog.age_edit, "45")
    qtbot.keyClicks(dialog.village_edit, "Kheri")
    dialog.state_combo.setCurrentIndex(dialog.state_combo.findData("UTTAR PRADESH"))

    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(dialog.confirm_new_check.isVisible)
    assert dialog.registered is None and dialog.isVisible()
    assert dialog.general_error.isVisible()
    assert existing.id in dialog.duplicate_ids()

    dialog.confirm_new_check.setChecked(True)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.registered is not None)
    assert dialog.registered is not None and dialog.registered.id != existing.id


def _tab_to(qtbot: QtBot, dialog: QWidget, target: QWidget, limit: int = 30) -> None:
    """Press Tab until ``target`` has the focus (fails if the tab order never reaches it)."""
    for _ in range(limit):
        focused = QApplication.focusWidget()
        if focused is target:
            return
        qtbot.keyClick(focused or dialog, Qt.Key.Key_Tab)
    raise AssertionError(f"Tab never reached {target.objectName() or target}")


def test_registration_with_the_keyboard_only(
    qtbot: QtBot, session: Session, navigator: RecordingNavigator
) -> None:
    page = PatientsPage(session, navigator)
    qtbot.addWidget(page)
    page.show()
    page.activateWindow()
    page.search_edit.setFocus()
    qtbot.waitUntil(page.search_edit.hasFocus)
    _tab_to(qtbot, page, page.register_button)
    qtbot.keyClick(page.register_button, Qt.Key.Key_Space)
    dialog = page.registration_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: dialog.state_combo.count() > 1)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.name_edit)

    def type_into(widget: QWidget, text: str) -> None:
        _tab_to(qtbot, dialog, widget)
        qtbot.keyClicks(widget, text)

    type_into(dialog.name_edit, "Kamla Devi")
    _tab_to(qtbot, dialog, dialog.name_alt_edit)
    type_text(qtbot, dialog.name_alt_edit, "कमला देवी")
    type_into(dialog.guardian_edit, "Shyam Lal")
    _tab_to(qtbot, dialog, dialog.sex_combo)
    qtbot.keyClicks(dialog.sex_combo, "F")  # keyboard search picks "Female"
    assert dialog.sex_combo.currentData() == Sex.FEMALE.value
    type_into(dialog.age_edit, "60")
    type_into(dialog.phone_edit, "9123456780")
    _tab_to(qtbot, dialog, dialog.state_combo)
    qtbot.keyClicks(dialog.state_combo, "UTTAR")  # (Space would open the list)
    assert dialog.state_combo.currentData() == "UTTAR PRADESH"
    qtbot.waitUntil(lambda: dialog.district_combo.count() > 1)
    _tab_to(qtbot, dialog, dialog.district_combo)
    qtbot.keyClicks(dialog.district_combo, "KHERI")
    assert dialog.district_combo.currentData() == "KHERI"
    type_into(dialog.village_edit, "Bhira")

    qtbot.keyClick(dialog.village_edit, Qt.Key.Key_Return)  # Enter saves
    qtbot.waitUntil(lambda: dialog.registered is not None)
    patient = dialog.registered
    assert patient is not None
    assert (patient.name, patient.name_alt, patient.sex) == ("Kamla Devi", "कमला देवी", Sex.FEMALE)
    assert patient.address.village == "Bhira" and patient.address.district == "KHERI"
    assert navigator.last("open_patient") == patient.id


def test_escape_cancels_without_saving(qtbot: QtBot, session: Session) -> None:
    dialog = _dialog(qtbot, session)
    qtbot.keyClicks(dialog.name_edit, "Nobody Saved")
    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    qtbot.waitUntil(lambda: tasks.running_count() == 0)
    assert session.services.patients.search(session.user, "Nobody") == []


def test_an_unfinished_form_comes_back_after_a_power_cut(qtbot: QtBot, session: Session) -> None:
    dialog = _dialog(qtbot, session)
    qtbot.keyClicks(dialog.name_edit, "Ramesh Kumar")
    qtbot.keyClicks(dialog.age_edit, "45")
    dialog.state_combo.setCurrentIndex(dialog.state_combo.findData("UTTAR PRADESH"))
    qtbot.waitUntil(lambda: dialog.district_combo.count() > 1)
    dialog.district_combo.setCurrentIndex(dialog.district_combo.findData("KHERI"))
    qtbot.keyClicks(dialog.village_edit, "Kheri")  # the last edit starts the keep timer
    services, user = session.services, session.user

    def kept_village() -> str:
        kept = services.patients.form_draft(user)
        return kept.address.village if kept else ""

    qtbot.waitUntil(lambda: kept_village() == "Kheri")
    kept = services.patients.form_draft(user)
    assert kept is not None
    assert kept.name == "Ramesh Kumar" and kept.age_years == 45
    assert kept.address.district == "KHERI" and kept.address.village == "Kheri"
    # The power goes: the dialog vanishes without Cancel or Save.
    dialog.hide()

    again = _dialog(qtbot, session)
    qtbot.waitUntil(again.restored_notice.isVisible)
    assert again.name_edit.text() == "Ramesh Kumar"
    assert again.age_edit.text() == "45"
    assert again.village_edit.text() == "Kheri"
    qtbot.waitUntil(lambda: again.district_combo.currentData() == "KHERI")
    assert again.state_combo.currentData() == "UTTAR PRADESH"

    # Cancel means "discard": the next form starts empty.
    again.reject()
    qtbot.waitUntil(lambda: tasks.running_count() == 0)
    assert services.patients.form_draft(user) is None
