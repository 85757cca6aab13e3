"""This PC's security, on the administrator's Settings page (the staff accounts page): the idle
time before the PC locks, and a new recovery key on an encrypted data folder. Real widgets and
real services, by keyboard where a person would use it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QThreadPool
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from app.domain.models import User
from app.security import keyslots
from app.security.keyslots import KeySlotsError
from app.services.container import Services
from app.ui import navigation as nav
from app.ui.main_window import MainWindow
from app.ui.recovery_key_dialog import RecoveryKeyDialog
from app.ui.session import Session
from app.ui.users_page import UsersPage
from tests.ui.conftest import ADMIN_PASSWORD, FAST_LOG_N
from tests.ui.test_main_window import make_window


def settings_page(qtbot: QtBot, services: Services, admin: User) -> tuple[MainWindow, UsersPage]:
    window = make_window(qtbot, Session(admin, services))
    page = window.pages[nav.SETTINGS]
    assert isinstance(page, UsersPage)
    qtbot.waitUntil(lambda: page.model.rowCount() > 0 and not page.is_loading())
    qtbot.waitUntil(lambda: not page.is_lock_busy() and page.lock_spin.isEnabled())
    return window, page


def alt(qtbot: QtBot, window: MainWindow, key: Qt.Key) -> None:
    qtbot.keyClick(window, key, Qt.KeyboardModifier.AltModifier)


def _open_encrypted(folder: Path) -> Services:
    return Services.open(folder, encrypted=True, password_log_n=FAST_LOG_N)


@pytest.fixture
def encrypted(tmp_path: Path) -> Iterator[tuple[Services, User, str]]:
    """An encrypted folder, its first administrator, and the recovery key it was made with."""
    services = _open_encrypted(tmp_path / "encrypted")
    admin = services.auth.create_first_admin("admin", "Field IT", ADMIN_PASSWORD)
    assert services.keys is not None
    old = services.keys.pending_recovery
    assert old
    try:
        yield services, admin, old
    finally:
        QThreadPool.globalInstance().waitForDone(10_000)
        services.close()


def _opens_with(folder: Path, secret: str) -> bool:
    """Whether ``secret`` unlocks the folder on a fresh open."""
    with _open_encrypted(folder) as services:
        assert services.keys is not None
        assert services.store.is_locked
        try:
            services.keys.unlock_with_recovery(secret)
        except KeySlotsError:
            return False
        return not services.store.is_locked


def _close(window: MainWindow, services: Services) -> None:
    window.close()
    QThreadPool.globalInstance().waitForDone(10_000)
    services.close()


# --- lock after N minutes ------------------------------------------------------------------


def test_the_spin_box_shows_the_stored_time(qtbot: QtBot, services: Services, admin: User) -> None:
    services.auth.set_lock_after_minutes(admin, 17)
    _window, page = settings_page(qtbot, services, admin)
    assert page.lock_spin.value() == 17
    assert (page.lock_spin.minimum(), page.lock_spin.maximum()) == (1, 60)
    assert "next sign-in" in page.lock_note.text()


def test_saving_12_by_keyboard_stores_12(qtbot: QtBot, services: Services, admin: User) -> None:
    window, page = settings_page(qtbot, services, admin)
    alt(qtbot, window, Qt.Key.Key_L)  # the label's mnemonic puts the focus on the number
    qtbot.waitUntil(page.lock_spin.hasFocus)
    page.lock_spin.selectAll()
    qtbot.keyClicks(page.lock_spin, "12")
    assert page.lock_spin.value() == 12
    alt(qtbot, window, Qt.Key.Key_S)
    qtbot.waitUntil(lambda: services.auth.lock_after_minutes() == 12)
    qtbot.waitUntil(lambda: not page.is_lock_busy() and page.lock_save_button.isEnabled())
    assert page.lock_error.isHidden()
    assert page.lock_spin.value() == 12


def test_enter_in_the_number_saves_it(qtbot: QtBot, services: Services, admin: User) -> None:
    window, page = settings_page(qtbot, services, admin)
    alt(qtbot, window, Qt.Key.Key_L)
    qtbot.waitUntil(page.lock_spin.hasFocus)
    page.lock_spin.selectAll()
    qtbot.keyClicks(page.lock_spin, "9")
    qtbot.keyClick(page.lock_spin, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: services.auth.lock_after_minutes() == 9)
    qtbot.waitUntil(lambda: not page.is_lock_busy())


def test_out_of_range_is_refused_with_the_translated_message(
    qtbot: QtBot, services: Services, admin: User
) -> None:
    _window, page = settings_page(qtbot, services, admin)
    page.lock_spin.setRange(0, 99)  # the box never allows it; the service checks again
    page.lock_spin.setValue(99)
    page.lock_save_button.click()
    qtbot.waitUntil(lambda: not page.lock_error.isHidden())
    assert page.lock_error.text() == "Choose between 1 and 60 minutes before the screen locks."
    assert services.auth.lock_after_minutes() == 5  # unchanged: the default
    assert page.lock_spin.isEnabled() and page.lock_save_button.isEnabled()


def test_tab_reaches_the_security_controls_after_the_staff_buttons(
    qtbot: QtBot, services: Services, admin: User
) -> None:
    _window, page = settings_page(qtbot, services, admin)
    page.reset_button.setFocus()
    qtbot.waitUntil(page.reset_button.hasFocus)
    # The switch-off button is off (the admin's own row), so Tab goes on to the minutes.
    qtbot.keyClick(page.reset_button, Qt.Key.Key_Tab)
    qtbot.waitUntil(page.lock_spin.hasFocus)
    focused = QApplication.focusWidget()
    assert focused is not None
    qtbot.keyClick(focused, Qt.Key.Key_Tab)
    qtbot.waitUntil(page.lock_save_button.hasFocus)


# --- recovery key --------------------------------------------------------------------------


def test_no_recovery_key_button_on_a_keyless_folder(
    qtbot: QtBot, services: Services, admin: User
) -> None:
    assert services.keys is None
    _window, page = settings_page(qtbot, services, admin)
    assert page.recovery_button.isHidden()
    assert page.recovery_note.isHidden()
    page.confirm_new_recovery_key()  # nothing to do: no box, no call
    assert page.confirm_box is None


def _ask(qtbot: QtBot, window: MainWindow, page: UsersPage) -> QMessageBox:
    assert page.recovery_button.isVisible()
    alt(qtbot, window, Qt.Key.Key_N)
    qtbot.waitUntil(lambda: page.confirm_box is not None)
    box = page.confirm_box
    assert box is not None
    qtbot.waitUntil(box.isVisible)
    assert box.text() == "The old recovery key will stop working. Make a new one?"
    return box


def test_a_new_recovery_key_replaces_the_old_one(
    qtbot: QtBot, encrypted: tuple[Services, User, str]
) -> None:
    services, admin, old = encrypted
    folder = services.keys.slots_path.parent  # type: ignore[union-attr]
    window, page = settings_page(qtbot, services, admin)
    box = _ask(qtbot, window, page)
    # Enter on a slip must not replace the key: Cancel is the default button.
    default = box.defaultButton()
    assert default is not None and default.objectName() == "cancelNewRecoveryKey"
    buttons = [b for b in box.buttons() if b.objectName() == "confirmNewRecoveryKey"]
    assert len(buttons) == 1
    buttons[0].click()
    qtbot.waitUntil(lambda: page.recovery_dialog is not None, timeout=10_000)
    dialog = page.recovery_dialog
    assert isinstance(dialog, RecoveryKeyDialog)
    qtbot.waitUntil(dialog.isVisible)
    secret = dialog.key_label.text()
    assert secret and secret != old
    # It must be acknowledged: Escape does nothing and Close is off until the box is ticked.
    assert not dialog.close_button.isEnabled()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.isVisible()
    qtbot.keyClick(dialog.written, Qt.Key.Key_Space)
    assert dialog.close_button.isEnabled()
    dialog.close_button.click()
    qtbot.waitUntil(lambda: page.recovery_dialog is None)
    assert not page.is_recovery_busy() and page.recovery_button.isEnabled()
    assert services.keys is not None and services.keys.pending_recovery is None

    _close(window, services)
    assert not _opens_with(folder, old)
    assert _opens_with(folder, secret)


def test_cancelling_the_confirmation_changes_nothing(
    qtbot: QtBot, encrypted: tuple[Services, User, str]
) -> None:
    services, admin, old = encrypted
    assert services.keys is not None
    slots_file = services.keys.slots_path
    before = slots_file.read_bytes()
    window, page = settings_page(qtbot, services, admin)
    box = _ask(qtbot, window, page)
    qtbot.keyClick(box, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: page.confirm_box is None)
    qtbot.wait(50)
    QThreadPool.globalInstance().waitForDone(10_000)
    assert page.recovery_dialog is None
    assert not page.is_recovery_busy()
    assert slots_file.read_bytes() == before
    assert services.keys.pending_recovery == old
    assert [s.kind for s in keyslots.load(slots_file).slots].count("recovery") == 1

    _close(window, services)
    assert _opens_with(slots_file.parent, old)


@pytest.mark.parametrize("language", ["en", "hi"])
def test_nothing_is_clipped_at_150_percent(
    qtbot: QtBot, encrypted: tuple[Services, User, str], tmp_path: Path, language: str
) -> None:
    from app.ui.application import create_application, switch_language
    from tests.ui.test_login import _clipped

    services, admin, _old = encrypted
    create_application(language=language, font_scale=1.5)
    try:
        window = MainWindow(Session(admin, services))
        qtbot.addWidget(window)
        window.resize(1366, 768)
        window.show()
        qtbot.waitExposed(window)
        page = window.pages[nav.SETTINGS]
        assert isinstance(page, UsersPage)
        qtbot.waitUntil(lambda: page.model.rowCount() > 0 and not page.is_loading())
        qtbot.waitUntil(lambda: page.lock_spin.isEnabled())
        assert page.lock_save_button.font().pointSizeF() > 15
        assert page.recovery_button.isVisible()
        assert page.lock_spin.height() >= page.lock_spin.fontMetrics().height()
        assert _clipped(page) == []
        assert page.grab().save(str(tmp_path / f"pc_security_150_{language}.png"))
        window.close()
    finally:
        switch_language("en")
        create_application(language="en", font_scale=1.0)
