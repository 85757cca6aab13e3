"""Scheduled backups on screen: the administrator sets them by keyboard in "This PC's
security", the background thread makes a due backup while a clock the test drives moves on,
a missing drive is a notice in the main window and in Settings (never a pop-up), and rotation
keeps the newest N. Real widgets, real services, real files."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QThreadPool
from PySide6.QtWidgets import QApplication, QMessageBox, QScrollArea, QWidget
from pytestqt.qtbot import QtBot

from app.domain.models import Role, User
from app.services.backup_schedule import RunOutcome
from app.services.container import Services
from app.ui.main_window import MainWindow
from app.ui.session import Session
from app.ui.users_page import UsersPage
from tests.services.helpers import FakeClock
from tests.ui.conftest import ADMIN_PASSWORD, FAST_LOG_N, PASSWORD
from tests.ui.test_main_window import make_window
from tests.ui.test_pc_security_settings import alt, settings_page

DAY = 86400.0


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))


@pytest.fixture
def encrypted(tmp_path: Path, clock: FakeClock) -> Iterator[tuple[Services, User]]:
    services = Services.open(
        tmp_path / "clinic", encrypted=True, password_log_n=FAST_LOG_N, clock=clock
    )
    admin = services.auth.create_first_admin("admin", "Field IT", ADMIN_PASSWORD)
    services.keys.recovery_key_shown()  # type: ignore[union-attr]
    services.store.write(
        lambda db: db.execute(
            "INSERT INTO settings (key, value) VALUES ('sync.spoke_id', 'spoke-kheri')"
        )
    )
    try:
        yield services, admin
    finally:
        services.backup_schedule.stop_worker(timeout=10)
        QThreadPool.globalInstance().waitForDone(10_000)
        services.close()


@pytest.fixture
def usb(tmp_path: Path) -> Path:
    folder = tmp_path / "usb"
    folder.mkdir()
    return folder


def _in_view(scroll: QScrollArea, widget: QWidget) -> bool:
    top = widget.mapTo(scroll.viewport(), widget.rect().topLeft()).y()
    bottom = widget.mapTo(scroll.viewport(), widget.rect().bottomLeft()).y()
    return top >= 0 and bottom <= scroll.viewport().height()


def _ours(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob("hwc-spoke-backup-*.hwcbak"))


def _set_by_keyboard(
    qtbot: QtBot, window: MainWindow, page: UsersPage, usb: Path, every: int, keep: int
) -> None:
    box = page.backup_schedule
    qtbot.waitUntil(lambda: not box.is_busy())
    page.choose_backup_folder = lambda _parent: str(usb)
    alt(qtbot, window, Qt.Key.Key_V)
    qtbot.waitUntil(box.every_spin.hasFocus)
    box.every_spin.selectAll()
    qtbot.keyClicks(box.every_spin, str(every))
    alt(qtbot, window, Qt.Key.Key_P)
    qtbot.waitUntil(box.keep_spin.hasFocus)
    box.keep_spin.selectAll()
    qtbot.keyClicks(box.keep_spin, str(keep))
    alt(qtbot, window, Qt.Key.Key_F)
    qtbot.waitUntil(lambda: box.folder == usb)  # a mnemonic clicks ~100 ms later
    assert str(usb) in box.folder_label.text()
    alt(qtbot, window, Qt.Key.Key_H)
    qtbot.waitUntil(lambda: box.state is not None and box.state.schedule.on, timeout=10_000)
    qtbot.waitUntil(lambda: not box.is_busy())


def test_an_administrator_sets_the_schedule_by_keyboard(
    qtbot: QtBot, encrypted: tuple[Services, User], usb: Path
) -> None:
    services, admin = encrypted
    window, page = settings_page(qtbot, services, admin)
    assert page.backup_schedule.isVisible()
    assert page.backup_schedule.every_spin.text() == "off"  # the default
    _set_by_keyboard(qtbot, window, page, usb, every=2, keep=3)
    state = services.backup_schedule.state()
    assert (state.schedule.every_days, state.schedule.keep, state.schedule.folder) == (2, 3, usb)
    assert state.schedule.set_by == admin.id
    assert page.backup_schedule.status_label.text().startswith("Saved: a backup every 2 day(s).")
    assert page.backup_schedule.error_label.isHidden()


def test_switching_on_without_a_folder_says_so_beside_the_controls(
    qtbot: QtBot, encrypted: tuple[Services, User]
) -> None:
    services, admin = encrypted
    window, page = settings_page(qtbot, services, admin)
    box = page.backup_schedule
    qtbot.waitUntil(lambda: not box.is_busy())
    box.every_spin.setValue(1)
    alt(qtbot, window, Qt.Key.Key_H)
    qtbot.waitUntil(lambda: box.error_label.isVisible())
    assert "Choose the folder" in box.error_label.text()
    assert not services.backup_schedule.state().schedule.on
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox)]


def test_the_schedule_is_not_offered_on_a_plaintext_folder(
    qtbot: QtBot, services: Services, admin: User
) -> None:
    _window, page = settings_page(qtbot, services, admin)
    assert page.backup_schedule.isHidden()


def test_due_backups_run_in_the_background_a_missing_drive_is_a_notice_rotation_keeps_n(
    qtbot: QtBot, encrypted: tuple[Services, User], usb: Path, clock: FakeClock
) -> None:
    services, admin = encrypted
    window, page = settings_page(qtbot, services, admin)
    _set_by_keyboard(qtbot, window, page, usb, every=1, keep=2)
    outcomes: list[RunOutcome] = []
    services.backup_schedule.add_listener(outcomes.append)
    box, notice = page.backup_schedule, window.backup_notice

    # The administrator signs out; a paramedic works while the scheduler checks.
    asha = services.auth.create_user(admin, "asha", "Asha", Role.PARAMEDIC, PASSWORD)
    window.close()
    asha_window = make_window(qtbot, Session(asha, services))
    notice = asha_window.backup_notice
    services.backup_schedule.start_worker(check_seconds=0.05, first_check_seconds=0)
    qtbot.waitUntil(lambda: len(outcomes) == 1, timeout=30_000)
    assert outcomes[0].result is not None and _ours(usb) == [outcomes[0].result.path.name]
    qtbot.waitUntil(lambda: box.status_label.text().startswith("Last backup: today at "))
    assert notice.isHidden()  # all is well: the status bar says nothing

    # The next day the drive is not plugged in: a notice, in the status bar and in Settings.
    usb.rename(usb.with_name("usb-at-home"))
    clock.advance(DAY)
    qtbot.waitUntil(lambda: len(outcomes) >= 2, timeout=30_000)
    assert outcomes[1].error_code == "backup.folder_missing"
    at = outcomes[0].result.info.created_at.astimezone().strftime("%H:%M")  # local time
    expected = f"Last backup: yesterday at {at} — the backup drive was not found"
    qtbot.waitUntil(lambda: notice.isVisible() and notice.text() == expected)
    qtbot.waitUntil(lambda: box.status_label.text().endswith("the backup drive was not found"))
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox)]

    # Plugged in again: the next check makes it, and the notice goes.
    usb.with_name("usb-at-home").rename(usb)
    qtbot.waitUntil(lambda: outcomes[-1].result is not None, timeout=30_000)
    qtbot.waitUntil(notice.isHidden)

    # Two more days, two more backups: the folder keeps the newest two.
    for _ in range(2):
        made = len([o for o in outcomes if o.result is not None])
        clock.advance(DAY)
        qtbot.waitUntil(
            lambda made=made: len([o for o in outcomes if o.result is not None]) > made,
            timeout=30_000,
        )
    newest = [o.result.path.name for o in outcomes if o.result is not None][-2:]
    assert _ours(usb) == sorted(newest)
    asha_window.close()


def test_the_schedule_controls_are_whole_at_150_percent(
    qtbot: QtBot, encrypted: tuple[Services, User], usb: Path, tmp_path: Path
) -> None:
    from app.ui.application import create_application
    from tests.ui.test_login import _clipped

    services, admin = encrypted
    services.backup_schedule.set_schedule(admin, usb, 1, keep=7)
    usb.rename(usb.with_name("usb-at-home"))
    assert services.backup_schedule.run_if_due().error_code == "backup.folder_missing"
    create_application(language="en", font_scale=1.5)
    try:
        window = MainWindow(Session(admin, services))
        qtbot.addWidget(window)
        window.resize(1366, 768)
        window.show()
        qtbot.waitExposed(window)
        page = window.pages["settings"]
        assert isinstance(page, UsersPage)
        box = page.backup_schedule
        qtbot.waitUntil(lambda: not box.is_busy() and box.every_spin.isEnabled())
        qtbot.waitUntil(window.backup_notice.isVisible)
        assert "the backup drive was not found" in box.status_label.text()
        assert box.save_button.font().pointSizeF() > 15
        assert box.every_spin.height() >= box.every_spin.fontMetrics().height()
        assert page.grab().save(str(tmp_path / "backup_schedule_150.png"))
        # The security box scrolls at this size; a mnemonic brings the control into view.
        alt(qtbot, window, Qt.Key.Key_V)
        qtbot.waitUntil(box.every_spin.hasFocus)
        scroll = page.findChild(QScrollArea, "pcSecurityScroll")
        assert scroll is not None and scroll.verticalScrollBar().maximum() > 0
        qtbot.waitUntil(lambda: _in_view(scroll, box.every_spin))
        qtbot.waitUntil(lambda: _clipped(box) == [])  # wrapped lines settle after the layout
        qtbot.waitUntil(lambda: _clipped(window.statusBar()) == [])
        qtbot.waitUntil(lambda: _clipped(window.backup_notice.parentWidget()) == [])
        assert window.grab().save(str(tmp_path / "window_150.png"))
        window.close()
    finally:
        create_application(language="en", font_scale=1.0)
