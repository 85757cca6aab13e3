"""The login window over an encrypted data folder: the recovery key shown once after set-up,
and signing in on a locked PC (real widgets, offscreen)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QThreadPool
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.domain.models import User
from app.services.container import Services
from app.ui.login import LoginWindow
from app.ui.main_window import MainWindow
from app.ui.run import Shell
from tests.ui.conftest import ADMIN_PASSWORD, FAST_LOG_N


def _open(folder: Path) -> Services:
    return Services.open(folder, encrypted=True, password_log_n=FAST_LOG_N)


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[Services]:
    services = _open(tmp_path / "clinic")
    yield services
    QThreadPool.globalInstance().waitForDone(10_000)
    services.close()


@pytest.fixture
def locked(tmp_path: Path) -> Iterator[Services]:
    folder = tmp_path / "clinic"
    with _open(folder) as first:
        admin = first.auth.create_first_admin("admin", "Field IT", ADMIN_PASSWORD)
        first.keys.recovery_key_shown()  # type: ignore[union-attr]
        first.devices.pair(admin, "hl7", "Ward monitor", "127.0.0.1:2600")
    services = _open(folder)
    assert services.store.is_locked
    yield services
    QThreadPool.globalInstance().waitForDone(10_000)
    services.close()


def _login(qtbot: QtBot, services: Services) -> LoginWindow:
    login = LoginWindow(services)
    qtbot.addWidget(login)
    with qtbot.waitSignal(login.ready):
        login.show()
    return login


def test_first_run_shows_the_recovery_key_once_by_keyboard(qtbot: QtBot, fresh: Services) -> None:
    keys = fresh.keys
    assert keys is not None
    secret = keys.pending_recovery
    assert secret
    login = _login(qtbot, fresh)
    assert login.mode() == LoginWindow.SET_UP
    login.setup_name.setText("Field IT")
    login.setup_username.setText("admin")
    login.setup_password.setText(ADMIN_PASSWORD)
    login.setup_confirm.setText(ADMIN_PASSWORD)
    signed: list[User] = []
    login.signed_in.connect(signed.append)
    qtbot.keyClick(login.setup_confirm, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: login.recovery_dialog is not None)
    dialog = login.recovery_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.key_label.text() == secret
    assert not signed
    assert not dialog.close_button.isEnabled()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # not before the box is ticked
    assert dialog.isVisible() and not signed
    assert QApplication.focusWidget() is dialog.written
    qtbot.keyClick(dialog.written, Qt.Key.Key_Space)
    assert dialog.close_button.isEnabled()
    qtbot.keyClick(dialog.written, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dialog.close_button
    qtbot.keyClick(dialog.close_button, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(signed))
    assert signed[0].username == "admin"
    assert keys.pending_recovery is None


def test_locked_pc_signs_in_to_the_main_window(qtbot: QtBot, locked: Services) -> None:
    shell = Shell(locked, None)
    login = shell.show_login()
    qtbot.addWidget(login)
    qtbot.waitUntil(login.is_ready)
    assert login.mode() == LoginWindow.SIGN_IN
    qtbot.keyClicks(login.username, "admin")
    qtbot.keyClicks(login.password, ADMIN_PASSWORD)
    qtbot.keyClick(login.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: shell.main is not None, timeout=10_000)
    assert isinstance(shell.main, MainWindow)
    qtbot.addWidget(shell.main)
    assert not locked.store.is_locked
    # The paired monitor's driver starts once the sign-in has opened the database.
    qtbot.waitUntil(lambda: [s.spec.name for s in locked.devices.statuses()] == ["Ward monitor"])
    QThreadPool.globalInstance().waitForDone(10_000)
    locked.sync.stop_worker(timeout=0)


def test_locked_pc_wrong_password_shows_the_usual_message(qtbot: QtBot, locked: Services) -> None:
    login = _login(qtbot, locked)
    login.username.setText("admin")
    login.password.setText("not-the-password")
    login.submit_sign_in()
    qtbot.waitUntil(lambda: login.error_label.isVisibleTo(login) and not login.is_busy())
    assert login.error_label.text() == "Wrong username or password."
    assert locked.store.is_locked


def test_locked_pc_account_without_a_slot_is_told_why(qtbot: QtBot, locked: Services) -> None:
    login = _login(qtbot, locked)
    login.username.setText("asha")
    login.password.setText("whatever-pass")
    login.submit_sign_in()
    qtbot.waitUntil(lambda: login.error_label.isVisibleTo(login) and not login.is_busy())
    assert "has not been used on it yet" in login.error_label.text()
