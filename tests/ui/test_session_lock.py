"""The session lock: Ctrl+L and the idle timer lock, the same person unlocks to the same
screen, someone else can take over (real widgets, offscreen)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QThreadPool
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.domain.models import User
from app.services.container import Services
from app.store import audit
from app.ui import navigation as nav
from app.ui.main_window import MainWindow
from app.ui.registration import RegistrationDialog
from app.ui.run import Shell
from app.ui.session import Session
from tests.ui.conftest import PASSWORD
from tests.ui.test_main_window import make_window

CTRL = Qt.KeyboardModifier.ControlModifier


def _open_registration(qtbot: QtBot, window: MainWindow, name: str) -> RegistrationDialog:
    qtbot.keyClick(window, Qt.Key.Key_N, CTRL)
    dialog = window.pages[nav.PATIENTS].registration_dialog  # type: ignore[attr-defined]
    assert isinstance(dialog, RegistrationDialog)
    qtbot.waitUntil(dialog.isVisible)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    qtbot.keyClicks(dialog.name_edit, name)
    return dialog


def _unlock(qtbot: QtBot, window: MainWindow, password: str) -> None:
    qtbot.keyClicks(window.lock_page.password, password)
    qtbot.keyClick(window.lock_page.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not window.lock_page.is_busy())


def _trail(services: Services) -> list[tuple[str, str]]:
    entries = services.store.read(lambda db: audit.recent(db, 50))
    return [(e.action, e.actor_id) for e in reversed(entries)]


def test_ctrl_l_locks_and_nothing_of_the_page_shows(
    qtbot: QtBot, session: Session, tmp_path: Path
) -> None:
    window = make_window(qtbot, session)
    search = window.pages[nav.PATIENTS].search_edit  # type: ignore[attr-defined]
    assert search.isVisible()
    qtbot.keyClick(window, Qt.Key.Key_L, CTRL)
    assert window.is_locked()
    assert window.lock_page.isVisible()
    assert not search.isVisible()
    assert not window.nav_list.isVisible()
    assert not window.statusBar().isVisible()
    assert window.windowTitle() == "Locked — HWC Spoke"
    assert window.lock_page.heading.text() == "Locked — Asha Devi was working here"
    qtbot.waitUntil(window.lock_page.password.hasFocus)
    assert window.grab().save(str(tmp_path / "locked.png"))  # looked at by hand once
    # The other shortcuts are off while locked: nothing switches the page underneath.
    qtbot.keyClick(window.lock_page.password, Qt.Key.Key_3, Qt.KeyboardModifier.AltModifier)
    qtbot.keyClick(window.lock_page.password, Qt.Key.Key_F, CTRL)
    assert window.is_locked() and not search.isVisible()
    assert window.idle_remaining_ms() == -1  # the idle timer stops while locked


def test_unlock_brings_back_the_half_typed_registration(
    qtbot: QtBot, services: Services, session: Session
) -> None:
    window = make_window(qtbot, session)
    dialog = _open_registration(qtbot, window, "Ramesh Kum")
    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_L, CTRL)  # Ctrl+L from inside the dialog
    assert window.is_locked()
    assert not dialog.isVisible()
    _unlock(qtbot, window, PASSWORD)
    assert not window.is_locked()
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.name_edit.text() == "Ramesh Kum"
    assert window.stack.currentWidget() is window.pages[nav.PATIENTS]
    assert window.statusBar().isVisible()
    assert not window.lock_page.password.text()
    assert window.idle_remaining_ms() > 0
    user = session.user.id
    qtbot.waitUntil(lambda: ("unlock", user) in _trail(services))
    trail = _trail(services)
    assert trail.index(("lock", user)) < trail.index(("unlock", user))
    dialog.reject()


def test_a_wrong_password_says_so_and_stays_locked(qtbot: QtBot, session: Session) -> None:
    window = make_window(qtbot, session)
    window.lock()
    _unlock(qtbot, window, "not-the-password")
    assert window.is_locked()
    assert window.lock_page.error_label.isVisible()
    assert window.lock_page.error_label.text() == "Wrong username or password."
    assert not window.lock_page.password.text()
    assert window.lock_page.password.hasFocus()
    # Another account's password does not unlock this person's screen.
    _unlock(qtbot, window, "admin-secret-1")
    assert window.is_locked()


def test_repeated_wrong_passwords_are_throttled(qtbot: QtBot, session: Session) -> None:
    window = make_window(qtbot, session)
    window.lock()
    for _ in range(5):
        _unlock(qtbot, window, "not-the-password")
    _unlock(qtbot, window, PASSWORD)
    assert window.is_locked()
    assert window.lock_page.error_label.text().startswith("Too many wrong passwords.")


def test_someone_else_signs_in_and_the_first_persons_draft_is_kept(
    qtbot: QtBot, services: Services, paramedic: User
) -> None:
    shell = Shell(services, None)
    shell.on_event_signed_in(paramedic)
    window = shell.main
    assert window is not None  # not given to qtbot: signing out deletes it
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    _open_registration(qtbot, window, "Kamla Bai")
    window.lock()
    qtbot.mouseClick(window.lock_page.switch_button, Qt.MouseButton.LeftButton)
    assert shell.main is None
    login = shell.login
    assert login is not None
    qtbot.addWidget(login)
    qtbot.waitUntil(login.is_ready)
    assert login.isVisible()
    assert not login.username.text()
    QThreadPool.globalInstance().waitForDone(10_000)
    draft = services.patients.form_draft(paramedic)
    assert draft is not None and draft.name == "Kamla Bai"
    qtbot.waitUntil(lambda: ("logout", paramedic.id) in _trail(services))
    services.sync.stop_worker(timeout=0)


def test_the_idle_timer_locks(qtbot: QtBot, services: Services, session: Session) -> None:
    window = make_window(qtbot, session)
    qtbot.waitUntil(lambda: window.lock_after_ms() == 5 * 60_000)  # the setting, read
    window.set_lock_after_ms(200)
    qtbot.waitUntil(window.is_locked, timeout=5_000)
    user = session.user.id
    qtbot.waitUntil(lambda: ("lock", user) in _trail(services))


def test_the_idle_time_comes_from_the_setting(
    qtbot: QtBot, services: Services, session: Session, admin: User
) -> None:
    services.auth.set_lock_after_minutes(admin, 7)
    window = make_window(qtbot, session)
    qtbot.waitUntil(lambda: window.lock_after_ms() == 7 * 60_000)


def test_input_resets_the_idle_timer_and_sync_events_do_not(qtbot: QtBot, session: Session) -> None:
    window = make_window(qtbot, session)
    window.set_lock_after_ms(60_000)
    qtbot.wait(150)
    before = window.idle_remaining_ms()
    window.sync_events.report.emit(None)  # a sync round is not someone at the PC
    assert window.idle_remaining_ms() <= before
    search = window.pages[nav.PATIENTS].search_edit  # type: ignore[attr-defined]
    qtbot.keyClick(search, Qt.Key.Key_A)
    assert window.idle_remaining_ms() > before
    qtbot.wait(150)
    before = window.idle_remaining_ms()
    qtbot.mouseClick(search, Qt.MouseButton.LeftButton)
    assert window.idle_remaining_ms() > before
    assert not window.is_locked()
