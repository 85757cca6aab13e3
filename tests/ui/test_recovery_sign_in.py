"""Signing in with the recovery key from the login window (real widgets, offscreen, over a
real encrypted folder)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QThreadPool
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.domain.models import User
from app.security import keyslots
from app.services.container import Services
from app.ui.login import LoginWindow
from tests.ui.conftest import ADMIN_PASSWORD, FAST_LOG_N

NEW_PASSWORD = "field-it-new-1"


def _open(folder: Path, **kwargs: bool) -> Services:
    return Services.open(folder, encrypted=True, password_log_n=FAST_LOG_N, **kwargs)


@pytest.fixture
def locked(tmp_path: Path) -> Iterator[tuple[Services, str]]:
    """A locked PC whose administrator password is forgotten, and its recovery key."""
    folder = tmp_path / "clinic"
    with _open(folder) as first:
        first.auth.create_first_admin("admin", "Field IT", ADMIN_PASSWORD)
        secret = first.keys.pending_recovery  # type: ignore[union-attr]
        first.keys.recovery_key_shown()  # type: ignore[union-attr]
    assert secret
    services = _open(folder)
    yield services, secret
    QThreadPool.globalInstance().waitForDone(10_000)
    services.close()


def _login(qtbot: QtBot, services: Services) -> LoginWindow:
    login = LoginWindow(services)
    qtbot.addWidget(login)
    with qtbot.waitSignal(login.ready):
        login.show()
    return login


def _open_dialog(qtbot: QtBot, login: LoginWindow):  # type: ignore[no-untyped-def]
    assert login.recovery_button.isVisibleTo(login)
    qtbot.keyClick(login, Qt.Key.Key_R, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: login.recovery_sign_in is not None)
    dialog = login.recovery_sign_in
    assert dialog is not None
    # Shown first, active a moment later: only then does the key field hold the focus.
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.key_edit)
    return dialog


def test_recovery_key_signs_the_admin_in_by_keyboard_and_shows_the_new_key(
    qtbot: QtBot, locked: tuple[Services, str]
) -> None:
    services, secret = locked
    login = _login(qtbot, services)
    signed: list[User] = []
    login.signed_in.connect(signed.append)
    dialog = _open_dialog(qtbot, login)
    # As copied from paper: small letters, spaces instead of dashes.
    qtbot.keyClicks(dialog.key_edit, secret.lower().replace("-", " "))
    qtbot.keyClick(dialog.key_edit, Qt.Key.Key_Return)
    assert QApplication.focusWidget() is dialog.username_edit
    qtbot.keyClicks(dialog.username_edit, "admin")
    qtbot.keyClick(dialog.username_edit, Qt.Key.Key_Return)
    qtbot.keyClicks(dialog.password_edit, NEW_PASSWORD)
    qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    qtbot.keyClicks(dialog.confirm_edit, NEW_PASSWORD)
    qtbot.keyClick(dialog.confirm_edit, Qt.Key.Key_Return)
    # The used key is replaced and the new one shown before the administrator goes on.
    qtbot.waitUntil(lambda: login.recovery_dialog is not None, timeout=10_000)
    shown = login.recovery_dialog
    assert shown is not None
    new_key = shown.key_label.text()
    assert new_key and new_key != secret
    assert not signed
    qtbot.keyClick(shown.written, Qt.Key.Key_Space)
    qtbot.keyClick(shown.close_button, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(signed))
    assert signed[0].username == "admin"
    assert login.recovery_sign_in is None or not login.recovery_sign_in.isVisible()
    assert services.auth.login("admin", NEW_PASSWORD).username == "admin"
    slots = keyslots.load(services.keys.slots_path)  # type: ignore[union-attr]
    with pytest.raises(keyslots.WrongSecret):
        slots.unlock_with_recovery(secret)
    slots.unlock_with_recovery(new_key)


@pytest.mark.parametrize(
    ("what", "focus_name", "expected"),
    [
        ("mistyped", "key_edit", "mistyped"),
        ("wrong", "key_edit", "not the recovery key of this PC"),
        ("not_admin", "username_edit", "No administrator account"),
        ("short", "password_edit", "at least 8"),
        ("mismatch", "confirm_edit", "not the same"),
    ],
)
def test_each_refusal_is_said_in_the_dialog_beside_its_field(
    qtbot: QtBot, locked: tuple[Services, str], what: str, focus_name: str, expected: str
) -> None:
    services, secret = locked
    login = _login(qtbot, services)
    dialog = _open_dialog(qtbot, login)
    key = {
        "mistyped": secret[:-1] + ("0" if secret[-1] != "0" else "1"),
        "wrong": keyslots.new_recovery_secret(),
    }.get(what, secret)
    password = "short" if what == "short" else NEW_PASSWORD
    dialog.key_edit.setText(key)
    dialog.username_edit.setText("someone.else" if what == "not_admin" else "admin")
    dialog.password_edit.setText(password)
    dialog.confirm_edit.setText(password + ("x" if what == "mismatch" else ""))
    dialog.sign_in_button.click()
    qtbot.waitUntil(lambda: bool(dialog.error()) and not dialog.is_busy(), timeout=10_000)
    assert expected in dialog.error()
    assert QApplication.focusWidget() is getattr(dialog, focus_name)
    assert dialog.isVisible()
    # Nobody is signed in; only the right key opened the database (in memory).
    assert services.store.is_locked is (what != "not_admin")
    assert dialog.username_edit.text()  # what was typed stays


def test_a_plaintext_pc_offers_no_recovery_key(qtbot: QtBot, tmp_path: Path) -> None:
    services = Services.open(tmp_path, password_log_n=FAST_LOG_N)
    try:
        login = _login(qtbot, services)
        assert not login.recovery_button.isVisibleTo(login)
    finally:
        QThreadPool.globalInstance().waitForDone(10_000)
        services.close()
