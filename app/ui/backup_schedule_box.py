"""Scheduled backups on screen: the administrator's controls in "This PC's security", the
status bar's notice, and the bridge that brings the scheduler's outcomes to the GUI thread.

``BackupScheduleBox`` (in ``UsersPage``'s security box, on an encrypted folder only):
**Back up every N days** (Alt+V; 0 is off), **Keep the newest N** (Alt+P), **Choose the backup
folder…** (Alt+F; the same injectable chooser as the backup dialog) and **Save the schedule**
(Alt+H), through ``services.backup_schedule`` (administrators). Below them, what the last
scheduled backup did ("Last backup: 3 days ago — the backup drive was not found").

``BackupStatusLabel`` (the main window's side panel, above Diagnostics…, for everyone signed
in): hidden while backups are fine or not scheduled; the same sentence when the last attempt
failed or the last backup is overdue, so whoever works at the PC can plug the drive in. Never
a pop-up. Not in the status bar: at 150 % text on a 1366-pixel screen the sign-in, sync and
waiting labels already fill it, and the side panel lets the sentence wrap.

``BackupEvents`` re-emits the scheduler's outcomes (called on its thread) as a queued signal.
Reads and saves go through ``Op``; sizes come from the font (150 % text). GUI thread only.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSpinBox, QVBoxLayout, QWidget

from app.services.backup_schedule import (
    DEFAULT_KEEP,
    EVERY_DAYS_RANGE,
    KEEP_RANGE,
    RunOutcome,
    ScheduleState,
)
from app.ui.messages import error_text
from app.ui.tasks import Op
from app.ui.widgets.text import WrappingLabel

if TYPE_CHECKING:
    from app.services.backup_schedule import BackupScheduleService
    from app.ui.session import Session

FolderChooser = Callable[[QWidget], str]  # as app.ui.backup_dialog's
_translate = QCoreApplication.translate


def _when(at: datetime, now: datetime) -> str:
    """ "today at 09:12", "yesterday at 17:40", "3 days ago" (local time)."""
    local, today = at.astimezone(), now.astimezone().date()
    days = (today - local.date()).days
    clock = local.strftime("%H:%M")
    if days <= 0:
        return _translate("BackupSchedule", "today at %1").replace("%1", clock)
    if days == 1:
        return _translate("BackupSchedule", "yesterday at %1").replace("%1", clock)
    return _translate("BackupSchedule", "%n day(s) ago", "", days)


def _reason(code: str) -> str:
    if code == "backup.folder_missing":
        return _translate("BackupSchedule", "the backup drive was not found")
    if code == "backup.disk_full":
        return _translate("BackupSchedule", "the backup drive is full")
    return _translate("BackupSchedule", "the backup could not be written (%1)").replace("%1", code)


def status_text(state: ScheduleState, now: datetime) -> str:
    """One sentence on the last scheduled backup, for Settings and the status bar."""
    schedule = state.schedule
    if not schedule.on:
        return _translate("BackupSchedule", "Scheduled backups are off.")
    last = state.last_success_at
    if state.failing:
        when = _when(last, now) if last is not None else _translate("BackupSchedule", "none yet")
        return (
            _translate("BackupSchedule", "Last backup: %1 — %2")
            .replace("%1", when)
            .replace("%2", _reason(state.last_error_code))
        )
    if last is None:
        return _translate(
            "BackupSchedule", "Last backup: none yet; the first is made within minutes."
        )
    return (
        _translate("BackupSchedule", "Last backup: %1, to %2 (%3).")
        .replace("%1", _when(last, now))
        .replace("%2", str(schedule.folder))
        .replace("%3", state.last_success_file)
    )


def needs_notice(state: ScheduleState, now: datetime) -> bool:
    """Whether the status bar should say something: the last attempt failed, or the backup
    is overdue (a day past its due day: the first check of the day may not have run yet)."""
    if not state.schedule.on:
        return False
    if state.failing:
        return True
    due = state.next_due()
    return (
        due is not None
        and state.last_success_at is not None
        and (now.astimezone().date() - due).days >= 1
    )


class BackupEvents(QObject):
    """The scheduler's outcomes as a queued signal on the GUI thread."""

    outcome = Signal(object)  # RunOutcome

    def __init__(self, service: BackupScheduleService, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._remove = service.add_listener(self._on_outcome)
        self.destroyed.connect(lambda *_: self._remove())

    def detach(self) -> None:
        self._remove()

    def _on_outcome(self, outcome: RunOutcome) -> None:
        # The scheduler's thread: only emit (signals are thread-safe, and queued).
        if shiboken6.isValid(self):
            self.outcome.emit(outcome)


class BackupStatusLabel(WrappingLabel):
    """The main window's notice (module docstring): hidden unless something needs doing."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__("", parent)
        self.setObjectName("backupNotice")
        # Amber, as the offline badge: something to see to, not an error in the work.
        self.setStyleSheet(
            "QLabel { color: #5c3d00; background: #fff4d6; border-radius: 0.2em; "
            "padding: 0.3em 0.5em; }"
        )
        self._service = session.services.backup_schedule
        self._clock = session.services.clock
        self.hide()
        self.events = BackupEvents(self._service, self)
        self.events.outcome.connect(lambda outcome: self._show(outcome.state))
        self.refresh()

    def refresh(self) -> None:
        if not self._service.available:
            return
        Op(self, self._service.state).success(self._show).failure(lambda _exc: True).run()

    def _show(self, state: ScheduleState) -> None:
        now = self._clock()
        self.setText(status_text(state, now))
        self.setVisible(needs_notice(state, now))


class BackupScheduleBox(QWidget):
    def __init__(
        self, session: Session, choose_folder: FolderChooser, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("backupSchedule")
        self._session = session
        self._service = session.services.backup_schedule
        self._choose_folder = choose_folder
        self._folder: Path | None = None
        self._busy = True  # until the stored schedule is read
        self.state: ScheduleState | None = None

        spin_width = self.fontMetrics().averageCharWidth() * 9
        self.every_spin = QSpinBox()
        self.every_spin.setObjectName("backupEveryDays")
        self.every_spin.setRange(0, EVERY_DAYS_RANGE[1])
        self.every_spin.setSpecialValueText(self.tr("off"))
        self.every_spin.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.every_spin.setMinimumWidth(spin_width)
        self.every_spin.setAccessibleName(self.tr("Days between scheduled backups (0: off)"))
        every_label = QLabel(self.tr("Back up e&very"))
        every_label.setBuddy(self.every_spin)
        self.keep_spin = QSpinBox()
        self.keep_spin.setObjectName("backupKeep")
        self.keep_spin.setRange(*KEEP_RANGE)
        self.keep_spin.setValue(DEFAULT_KEEP)
        self.keep_spin.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.keep_spin.setMinimumWidth(spin_width)
        self.keep_spin.setAccessibleName(self.tr("How many backups to keep in the folder"))
        keep_label = QLabel(self.tr("day(s); kee&p the newest"))
        keep_label.setBuddy(self.keep_spin)
        self.folder_button = QPushButton(self.tr("Choose the backup &folder…"))
        self.folder_button.setObjectName("chooseScheduleFolder")
        self.folder_button.clicked.connect(self.choose_folder)
        self.folder_label = WrappingLabel(self.tr("No folder chosen yet."))
        self.folder_label.setObjectName("scheduleFolder")
        self.save_button = QPushButton(self.tr("Save the sc&hedule"))
        self.save_button.setObjectName("saveBackupSchedule")
        self.save_button.clicked.connect(self.save)
        # Three rows, as few as will do: the security box already fills the page at 150 %.
        row = QHBoxLayout()
        row.addWidget(every_label)
        row.addWidget(self.every_spin)
        row.addWidget(keep_label)
        row.addWidget(self.keep_spin)
        row.addWidget(self.save_button)
        row.addStretch(1)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder_button)
        folder_row.addWidget(self.folder_label, 1)

        self.status_label = WrappingLabel()
        self.status_label.setObjectName("backupScheduleStatus")
        self.error_label = WrappingLabel()
        self.error_label.setObjectName("errorText")
        self.error_label.setAccessibleName(self.tr("Problem"))
        self.error_label.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(self.fontMetrics().height() // 3)
        layout.addLayout(row)
        layout.addLayout(folder_row)
        layout.addWidget(self.status_label)
        layout.addWidget(self.error_label)
        QWidget.setTabOrder(self.every_spin, self.keep_spin)
        QWidget.setTabOrder(self.keep_spin, self.save_button)
        QWidget.setTabOrder(self.save_button, self.folder_button)

        self.events = BackupEvents(self._service, self)
        self.events.outcome.connect(lambda outcome: self._show_state(outcome.state))
        self._set_enabled(False)
        self.load()

    # --- state --------------------------------------------------------------------------

    @property
    def folder(self) -> Path | None:
        return self._folder

    def is_busy(self) -> bool:
        return self._busy

    def first_widget(self) -> QWidget:
        return self.every_spin

    def last_widget(self) -> QWidget:
        return self.folder_button

    def _set_enabled(self, enabled: bool) -> None:
        for widget in (self.every_spin, self.keep_spin, self.folder_button, self.save_button):
            widget.setEnabled(enabled)

    def _show_folder(self) -> None:
        if self._folder is None:
            self.folder_label.setText(self.tr("No folder chosen yet."))
        else:
            self.folder_label.setText(self.tr("Backups go to: %1").replace("%1", str(self._folder)))

    def _show_state(self, state: ScheduleState) -> None:
        self.state = state
        self.status_label.setText(status_text(state, self._session.services.clock()))

    # --- reading and saving ---------------------------------------------------------------

    def load(self) -> None:
        self._busy = True
        Op(self, self._service.state).success(self._on_loaded).failure(self._on_failed).run()

    def _on_loaded(self, state: ScheduleState) -> None:
        self._busy = False
        self.every_spin.setValue(state.schedule.every_days)
        self.keep_spin.setValue(state.schedule.keep)
        self._folder = state.schedule.folder
        self._show_folder()
        self._show_state(state)
        self._set_enabled(True)

    def choose_folder(self) -> None:
        if self._busy:
            return
        chosen = self._choose_folder(self)
        if not chosen:
            return
        self._folder = Path(chosen)
        self._show_folder()
        self.save_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def save(self) -> None:
        if self._busy:
            return
        self.error_label.hide()
        service, actor = self._service, self._session.user
        folder, every, keep = self._folder, self.every_spin.value(), self.keep_spin.value()
        self._busy = True
        self._set_enabled(False)
        (
            Op(self, lambda: service.set_schedule(actor, folder, every, keep))
            .success(self._on_saved)
            .failure(self._on_failed)
            .run()
        )

    def _on_saved(self, state: ScheduleState) -> None:
        self._on_loaded(state)
        self.save_button.setFocus(Qt.FocusReason.OtherFocusReason)
        if state.schedule.on:
            text = self.tr("Saved: a backup every %n day(s).", "", state.schedule.every_days)
        else:
            text = self.tr("Saved: scheduled backups are off.")
        self.error_label.hide()
        self.status_label.setText(f"{text} {status_text(state, self._session.services.clock())}")

    def _on_failed(self, exc: BaseException) -> bool:
        self._busy = False
        self._set_enabled(True)
        self.error_label.setText(error_text(exc))
        self.error_label.show()
        return True  # shown here, next to the controls
