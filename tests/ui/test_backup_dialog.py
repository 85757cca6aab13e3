"""Back up now… on the administrator's Settings page: the dialog with an injected folder
chooser, progress then the result, Cancel, and an error in words. Real widgets, real
encrypted services, driven by keyboard where a person would."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QThreadPool
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.domain.models import User
from app.services.backup import verify
from app.services.container import Services
from app.ui.backup_dialog import BackupDialog
from app.ui.main_window import MainWindow
from app.ui.session import Session
from tests.ui.conftest import ADMIN_PASSWORD, FAST_LOG_N
from tests.ui.test_pc_security_settings import settings_page


@pytest.fixture
def encrypted(tmp_path: Path) -> Iterator[tuple[Services, User]]:
    services = Services.open(tmp_path / "clinic", encrypted=True, password_log_n=FAST_LOG_N)
    admin = services.auth.create_first_admin("admin", "Field IT", ADMIN_PASSWORD)
    services.keys.recovery_key_shown()  # type: ignore[union-attr]
    try:
        yield services, admin
    finally:
        QThreadPool.globalInstance().waitForDone(10_000)
        services.close()


@pytest.fixture
def usb(tmp_path: Path) -> Path:
    folder = tmp_path / "usb"
    folder.mkdir()
    return folder


def _open_dialog(qtbot: QtBot, window: MainWindow, page: object, folder: Path) -> BackupDialog:
    page.choose_backup_folder = lambda _parent: str(folder)  # type: ignore[attr-defined]
    qtbot.keyClick(window, Qt.Key.Key_B, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: page.backup_dialog is not None)  # type: ignore[attr-defined]
    dialog = page.backup_dialog  # type: ignore[attr-defined]
    assert isinstance(dialog, BackupDialog)
    qtbot.waitUntil(dialog.isVisible)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    return dialog


def test_no_backup_button_on_a_plaintext_folder(
    qtbot: QtBot, services: Services, admin: User
) -> None:
    _window, page = settings_page(qtbot, services, admin)
    assert page.backup_button.isHidden()
    page.open_backup_dialog()
    assert page.backup_dialog is None


def test_back_up_by_keyboard_shows_progress_then_the_file(
    qtbot: QtBot, encrypted: tuple[Services, User], usb: Path
) -> None:
    services, admin = encrypted
    window, page = settings_page(qtbot, services, admin)
    assert page.backup_button.isVisible()
    dialog = _open_dialog(qtbot, window, page, usb)
    assert not dialog.start_button.isEnabled()  # no folder yet
    qtbot.keyClick(dialog, Qt.Key.Key_F, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: dialog.folder == usb)  # a mnemonic clicks ~100 ms later
    assert dialog.start_button.isEnabled() and str(usb) in dialog.folder_label.text()
    # What was on screen at each step of the bar: the value, and whether Cancel was offered.
    steps: list[tuple[int, bool]] = []
    dialog.progress.valueChanged.connect(
        lambda value: steps.append((value, dialog.cancel_button.isVisible()))
    )
    qtbot.keyClick(dialog, Qt.Key.Key_B, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: dialog.result_path is not None, timeout=20_000)
    assert not dialog.is_running()
    assert steps and steps[-1][0] == 100 and all(cancel for _v, cancel in steps[1:])
    [file] = list(usb.iterdir())
    assert dialog.result_path == file
    assert dialog.status_label.text().startswith(f"Backup written: {file.name} (")
    assert str(usb) in dialog.status_label.text()
    assert dialog.error_label.isHidden() and dialog.cancel_button.isHidden()
    assert verify(file).patients == 0
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: page.backup_dialog is None)


def test_cancel_stops_the_backup_and_leaves_nothing(
    qtbot: QtBot, encrypted: tuple[Services, User], usb: Path
) -> None:
    services, admin = encrypted
    window, page = settings_page(qtbot, services, admin)
    dialog = _open_dialog(qtbot, window, page, usb)
    dialog.choose_folder()
    # Hold the worker at its first progress step until Cancel has been pressed.
    gate = threading.Event()
    report = dialog._report

    def held(phase: str, done: int, total: int) -> None:
        gate.wait(10)
        report(phase, done, total)

    dialog._report = held  # type: ignore[method-assign]
    dialog.start()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # Esc while running cancels, it does not close
    assert dialog.isVisible()
    assert dialog.status_label.text() == "Cancelling…"
    gate.set()
    qtbot.waitUntil(lambda: not dialog.is_running(), timeout=20_000)
    assert dialog.status_label.text() == "Cancelled: nothing was written."
    assert dialog.result_path is None
    assert list(usb.iterdir()) == []
    assert dialog.start_button.isEnabled()


def test_a_folder_that_went_away_is_said_in_words(
    qtbot: QtBot, encrypted: tuple[Services, User], tmp_path: Path
) -> None:
    services, admin = encrypted
    window, page = settings_page(qtbot, services, admin)
    gone = tmp_path / "pulled-out"
    dialog = _open_dialog(qtbot, window, page, gone)
    dialog.choose_folder()
    dialog.start()
    qtbot.waitUntil(lambda: not dialog.is_running(), timeout=20_000)
    assert dialog.error_label.isVisible()
    assert dialog.error_label.text() == (
        f"The folder {gone} is not there (was the USB drive taken out?). Choose another one."
    )
    assert dialog.start_button.isEnabled()


def test_nothing_is_clipped_at_150_percent(
    qtbot: QtBot, encrypted: tuple[Services, User], usb: Path
) -> None:
    from app.ui.application import create_application
    from tests.ui.test_login import _clipped

    services, admin = encrypted
    create_application(language="en", font_scale=1.5)
    try:
        dialog = BackupDialog(Session(admin, services), choose_folder=lambda _p: str(usb))
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        assert dialog.start_button.font().pointSizeF() > 15
        assert _clipped(dialog) == []
        dialog.choose_folder()
        dialog.start()
        qtbot.waitUntil(lambda: dialog.result_path is not None, timeout=20_000)
        qtbot.waitUntil(lambda: _clipped(dialog) == [])  # the result line wraps, not clips
        dialog.close()
    finally:
        create_application(language="en", font_scale=1.0)
