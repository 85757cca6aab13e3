"""The patient search: as-you-type, both scripts, newest query wins, Enter opens."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.domain.models import Sex
from app.ui import tasks
from app.ui.models.patient_table import PatientTableModel
from app.ui.patients_page import PatientsPage
from app.ui.session import Session
from tests.navigator import RecordingNavigator
from tests.ui_clinical.conftest import register, type_text


def _names(page: PatientsPage) -> list[str]:
    return [p.name for p in page.model.patients()]


def test_search_as_you_type_finds_sunita_in_either_script(
    qtbot: QtBot, session: Session, navigator: RecordingNavigator
) -> None:
    user, services = session.user, session.services
    sunita = register(
        services, user, "Sunita Devi", name_alt="सुनीता देवी", sex=Sex.FEMALE, age=32,
        phone="9876543210",
    )  # fmt: skip
    register(services, user, "Ramesh Kumar", age=45)
    page = PatientsPage(session, navigator)
    qtbot.addWidget(page)
    page.show()

    type_text(qtbot, page.search_edit, "सुनी")
    qtbot.waitUntil(lambda: page.shown_query() == "सुनी")
    assert _names(page) == ["Sunita Devi"]
    name_alt = page.model.index(0, PatientTableModel.NAME_ALT).data()
    assert name_alt == "सुनीता देवी"
    phone = page.model.index(0, PatientTableModel.PHONE).data()
    assert phone != "9876543210" and phone.startswith("98") and phone.endswith("10")

    page.search_edit.clear()
    qtbot.keyClicks(page.search_edit, "Suni")
    qtbot.waitUntil(lambda: page.shown_query() == "Suni")
    assert _names(page) == ["Sunita Devi"]

    # Enter opens the highlighted patient.
    qtbot.keyClick(page.search_edit, Qt.Key.Key_Return)
    assert navigator.last("open_patient") == sunita.id


def test_latest_query_wins_and_arrow_then_enter_opens(
    qtbot: QtBot, session: Session, navigator: RecordingNavigator
) -> None:
    user, services = session.user, session.services
    register(services, user, "Sunita Devi", sex=Sex.FEMALE, age=32)
    ramesh = register(services, user, "Ramesh Kumar", age=45)
    page = PatientsPage(session, navigator)
    qtbot.addWidget(page)
    page.show()

    # Two searches in flight: the answer for the older one must not end up on screen.
    page.search_edit.setText("Suni")
    page.run_search()
    page.search_edit.setText("Ram")
    page.run_search()
    qtbot.waitUntil(lambda: page.shown_query() == "Ram" and tasks.running_count() == 0)
    assert _names(page) == ["Ramesh Kumar"]

    page.search_edit.setFocus()
    qtbot.keyClick(page.search_edit, Qt.Key.Key_Down)
    assert page.table.hasFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert navigator.last("open_patient") == ramesh.id


def test_no_match_says_so_and_offers_registration(
    qtbot: QtBot, session: Session, navigator: RecordingNavigator
) -> None:
    page = PatientsPage(session, navigator)
    qtbot.addWidget(page)
    page.show()
    qtbot.keyClicks(page.search_edit, "Zzyzx")
    qtbot.waitUntil(lambda: page.shown_query() == "Zzyzx")
    assert page.model.rowCount() == 0
    assert "register" in page.status_label.text().lower()

    dialog = page.open_registration()
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.name_edit.text() == "Zzyzx"  # what was searched for is not typed twice
    dialog.reject()


def test_before_anyone_types_the_newest_registrations_are_listed(
    qtbot: QtBot, session: Session, navigator: RecordingNavigator
) -> None:
    user, services = session.user, session.services
    register(services, user, "Ramesh Kumar", age=45)
    register(services, user, "Sunita Devi", sex=Sex.FEMALE, age=32)
    page = PatientsPage(session, navigator)
    qtbot.addWidget(page)
    page.show()
    page.page_activated()
    qtbot.waitUntil(lambda: _names(page) == ["Sunita Devi", "Ramesh Kumar"])
    assert "recently registered" in page.status_label.text()

    # Clearing a search brings the list back too.
    qtbot.keyClicks(page.search_edit, "Ram")
    qtbot.waitUntil(lambda: page.shown_query() == "Ram")
    page.search_edit.clear()
    qtbot.waitUntil(lambda: len(_names(page)) == 2)
