"""The main window: sections, shortcuts, honest placeholders, status bar, navigation."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from app.domain.models import Address, PatientDraft, Sex, User
from app.services.container import Services
from app.ui import navigation as nav
from app.ui.main_window import MainWindow
from app.ui.session import Session
from app.ui.widgets.placeholder import PlaceholderPage


def make_window(qtbot: QtBot, session: Session) -> MainWindow:
    window = MainWindow(session)
    qtbot.addWidget(window)
    window.resize(1200, 800)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    return window


def register(services: Services, session: Session, name: str = "Sunita Devi") -> str:
    draft = PatientDraft(
        name=name,
        sex=Sex.FEMALE,
        age_years=34,
        phone="9876543210",
        address=Address(state="Haryana", district="Karnal", village="Kheri"),
    )
    return str(services.patients.register(session.user, draft, allow_duplicate=True).id)


def test_sections_are_listed_in_order_and_patients_comes_first(
    qtbot: QtBot, session: Session
) -> None:
    window = make_window(qtbot, session)
    titles = [window.nav_list.item(i).text() for i in range(window.nav_list.count())]
    assert titles == ["Patients", "Cases & queue", "Prescriptions", "Devices", "Sync", "Settings"]
    assert window.current_key() == nav.PATIENTS


def test_alt_number_shortcuts_switch_pages(qtbot: QtBot, session: Session) -> None:
    window = make_window(qtbot, session)
    for number, key in enumerate(nav.PAGE_KEYS, start=1):
        qtbot.keyClick(window, getattr(Qt.Key, f"Key_{number}"), Qt.KeyboardModifier.AltModifier)
        assert window.current_key() == key
        assert window.stack.currentWidget() is window.pages[key]
        assert window.nav_list.currentRow() == number - 1


def test_later_pages_say_honestly_what_will_come(qtbot: QtBot, session: Session) -> None:
    window = make_window(qtbot, session)
    for key in (nav.SETTINGS,):
        page = window.pages[key]
        assert isinstance(page, PlaceholderPage)
        assert page.status.text() == "Not available yet."
        assert len(page.body.text()) > 40


def test_clinical_pages_are_the_real_ones_for_clinical_staff(
    qtbot: QtBot, session: Session
) -> None:
    window = make_window(qtbot, session)
    assert type(window.pages[nav.PATIENTS]).__name__ == "PatientsPage"
    assert type(window.pages[nav.PRESCRIPTIONS]).__name__ == "PrescriptionsPage"


def test_every_role_gets_the_devices_page(
    qtbot: QtBot, session: Session, services: Services, admin: User
) -> None:
    for who in (session, Session(admin, services)):
        window = make_window(qtbot, who)
        assert type(window.pages[nav.DEVICES]).__name__ == "DevicesPage"


def test_admin_is_told_patient_records_are_for_clinical_staff(
    qtbot: QtBot, services: Services, admin: User
) -> None:
    window = make_window(qtbot, Session(admin, services))
    for key in (nav.PATIENTS, nav.PRESCRIPTIONS):  # the admin sees no prescription either
        page = window.pages[key]
        assert isinstance(page, PlaceholderPage)
        assert "clinical staff" in page.body.text()
    window.register_patient()  # Ctrl+N does nothing harmful for an admin
    assert "Only clinical staff" in window.statusBar().currentMessage()


def test_ctrl_f_focuses_the_patient_search_from_anywhere(qtbot: QtBot, session: Session) -> None:
    window = make_window(qtbot, session)
    window.show_page(nav.SYNC)
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.current_key() == nav.PATIENTS
    search = window.pages[nav.PATIENTS].search_edit  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: search.hasFocus())


def test_ctrl_n_opens_registration(qtbot: QtBot, session: Session) -> None:
    window = make_window(qtbot, session)
    window.show_page(nav.DEVICES)
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert window.current_key() == nav.PATIENTS
    dialog = window.pages[nav.PATIENTS].registration_dialog  # type: ignore[attr-defined]
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    dialog.reject()


def test_the_sign_out_button_signs_out(qtbot: QtBot, session: Session) -> None:
    # Ctrl+L locks instead (tests/ui/test_session_lock.py): stepping away is not signing out.
    window = make_window(qtbot, session)
    with qtbot.waitSignal(window.signed_out):
        qtbot.mouseClick(window.sign_out_button, Qt.MouseButton.LeftButton)


def test_status_bar_shows_user_offline_state_and_pending_count(
    qtbot: QtBot, services: Services, session: Session
) -> None:
    window = make_window(qtbot, session)
    assert window.user_label.text() == "Signed in: Asha Devi (paramedic)"
    qtbot.waitUntil(lambda: window.pending_count() is not None)
    assert window.sync_state_label.text() == "Not enrolled with a hub"
    before = window.pending_count()
    assert before == services.pending_sync_count()
    register(services, session)
    window.status_message("Patient registered.")
    assert window.statusBar().currentMessage() == "Patient registered."
    qtbot.waitUntil(lambda: window.pending_count() == services.pending_sync_count())
    assert window.pending_count() == (before or 0) + 1
    assert str(window.pending_count()) in window.pending_label.text()


def test_open_patient_shows_the_patient_view_under_patients(
    qtbot: QtBot, services: Services, session: Session
) -> None:
    pid = register(services, session)
    window = make_window(qtbot, session)
    window.show_page(nav.SETTINGS)
    window.open_patient(pid)  # type: ignore[arg-type]
    view = window.stack.currentWidget()
    assert isinstance(view, QWidget)
    assert view.objectName() == "PatientView"
    assert window.current_key() is None
    assert window.nav_list.currentRow() == nav.PAGE_KEYS.index(nav.PATIENTS)
    # Alt+1 returns to the search page itself, not the patient shown under it.
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.AltModifier)
    assert window.current_key() == nav.PATIENTS
