"""Moving a clinic to another hub from the Sync page, by keyboard, against two real hubs over
loopback HTTPS; and what an administrator is told after sign-in about the installer's
provisioning file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from app.domain.models import User
from app.services import provisioning
from app.services.container import Services
from app.services.seed import seed
from app.ui.enrol_dialog import EnrolDialog
from app.ui.main_window import MainWindow
from app.ui.run import Shell
from app.ui.session import Session
from tests.navigator import RecordingNavigator
from tests.tls_hub import TlsHub, running_tls_hub
from tests.ui.test_enrol_dialog import WAIT_MS, activate, loaded, make_page, paste, press_enter


@pytest.fixture(autouse=True)
def _no_stray_provisioning(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(provisioning.ENV_VAR, raising=False)


def _hub(folder: Path) -> Iterator[TlsHub]:
    folder.mkdir()
    with running_tls_hub(folder) as running:
        yield running


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[TlsHub]:
    yield from _hub(tmp_path / "hub-a")


@pytest.fixture
def new_hub(tmp_path: Path) -> Iterator[TlsHub]:
    yield from _hub(tmp_path / "hub-b")


@pytest.fixture
def enrolled(services: Services, admin: User, hub: TlsHub) -> Iterator[Services]:
    services.sync.enrol(admin, hub.token())
    try:
        yield services
    finally:
        services.sync.stop_worker()


def open_move_dialog(qtbot: QtBot, page: object) -> EnrolDialog:
    from app.ui.sync_page import SyncPage

    assert isinstance(page, SyncPage)
    assert page.move_button.isVisible()
    qtbot.keyClick(page, Qt.Key.Key_M, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: page.dialog is not None and page.dialog.isVisible(), timeout=WAIT_MS)
    dialog = page.dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    activate(qtbot, dialog)
    return dialog


def alt(qtbot: QtBot, dialog: EnrolDialog, key: Qt.Key) -> None:
    # Mnemonics reach the widget with the keyboard focus.
    qtbot.keyClick(QApplication.focusWidget() or dialog, key, Qt.KeyboardModifier.AltModifier)


def test_field_it_moves_the_clinic_only_after_confirming_and_deciding_on_unsent_records(
    qtbot: QtBot, enrolled: Services, admin: User, hub: TlsHub, new_hub: TlsHub
) -> None:
    seed(enrolled, patients=2, cases=1, queued=True)  # not sent yet
    navigator = RecordingNavigator()
    page = make_page(qtbot, Session(admin, enrolled), navigator)
    assert not page.enrol_button.isVisible()
    dialog = open_move_dialog(qtbot, page)
    assert dialog.windowTitle() == "Move this PC to another hub"
    assert hub.url in dialog.move_warning.text()

    paste(qtbot, dialog, new_hub.token())
    assert not dialog.enrol_button.isEnabled()  # not before the confirmation
    alt(qtbot, dialog, Qt.Key.Key_U)  # a button's mnemonic clicks it a moment later
    qtbot.waitUntil(dialog.confirm_check.isChecked, timeout=WAIT_MS)
    assert dialog.enrol_button.isEnabled()

    press_enter(qtbot, dialog)
    qtbot.waitUntil(lambda: dialog.error() != "", timeout=WAIT_MS)
    assert "3 record(s) and 0 photo(s)" in dialog.error()
    assert dialog.force_check.isVisible() and dialog.force_check.hasFocus()
    assert enrolled.sync.hub_url() == hub.url  # still with its hub

    alt(qtbot, dialog, Qt.Key.Key_Y)
    qtbot.waitUntil(dialog.force_check.isChecked, timeout=WAIT_MS)
    assert dialog.error() != ""  # the count stays readable while deciding
    alt(qtbot, dialog, Qt.Key.Key_M)  # Move
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=WAIT_MS)
    assert enrolled.sync.hub_url() == new_hub.url
    loaded(qtbot, page)
    assert new_hub.url in page.hub_value.text()
    assert navigator.messages and new_hub.url in navigator.messages[-1]
    qtbot.waitUntil(lambda: new_hub.store.stats()["cases"] == 1, timeout=WAIT_MS)
    assert hub.store.stats()["cases"] == 0


def test_only_field_it_sees_the_move_button(
    qtbot: QtBot, enrolled: Services, paramedic: User, admin: User
) -> None:
    assert not make_page(qtbot, Session(paramedic, enrolled)).move_button.isVisible()
    assert make_page(qtbot, Session(admin, enrolled)).move_button.isVisible()


def notice_box() -> QMessageBox | None:
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, QMessageBox) and widget.objectName() == "provisioningNotice":
            return widget if widget.isVisible() else None
    return None


def test_after_sign_in_an_administrator_is_told_of_a_file_for_another_hub(
    qtbot: QtBot,
    enrolled: Services,
    admin: User,
    new_hub: TlsHub,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = tmp_path / "programdata" / provisioning.FILE_NAME
    path.parent.mkdir()
    path.write_text(f"[enrolment]\ntoken = {new_hub.token()}\n", encoding="utf-8")
    monkeypatch.setenv(provisioning.ENV_VAR, str(path))
    shell = Shell(enrolled, None)
    shell.size_override = None
    shell.on_event_signed_in(admin)
    window = shell.main
    assert isinstance(window, MainWindow)
    qtbot.addWidget(window)
    try:
        qtbot.waitUntil(lambda: notice_box() is not None, timeout=WAIT_MS)
        box = notice_box()
        assert box is not None
        assert new_hub.url in box.text() and "Move to another hub" in box.text()
        assert path.exists()
        box.close()
    finally:
        window.close()
