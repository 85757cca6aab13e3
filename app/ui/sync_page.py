"""Sync: whether this PC reaches its hub, what waits to be sent, and what the hub refused.

Everyone signed in sees:

- **Status**: the hub this PC is enrolled with (or, when it is not, what to do about it)
  and the clinic the hub enrolled it as; online, or "Offline since 09:12" with the reason in
  words; the last successful sync (PC time, and the hub's); how many records and photos wait to be
  sent; a warning when this PC's clock is more than 5 minutes off the hub's (times on printouts
  would be wrong; sync itself does not depend on the clock).
- **Sync now** (Alt+S): one round through ``Op``, with a progress dialog and Cancel; the phase
  ("Sending records 40 of 120") shows under the button while it runs.
- **Enrol this PC…** (Alt+E), only on a PC not enrolled yet and only for field IT
  (``Permission.MANAGE_SETTINGS``; everyone else reads that field IT enrols it): opens
  ``app.ui.enrol_dialog.EnrolDialog``. On success the page says what it is enrolled with, and
  the first sync starts by itself (the dialog starts and nudges the worker).
- **Move to another hub…** (Alt+M), only on an enrolled PC and only for field IT: the same
  dialog in its move form (``EnrolDialog(move=True)``: a warning, a confirmation, and
  ``ProvisioningService.reprovision``).
- While the installer's token waits for the hub (docs/SYNC.md, "Provisioning"), the status
  says so, and why the last attempt did not work.
- **Needs attention**: the changes the hub refused, each with what it was, when it was made and
  the hub's reason. Clinical staff (``Permission.QUEUE_CASE``) get **Send again** (Alt+A, or
  Enter on a row) once the cause is fixed; the service checks the permission again.

The page refreshes itself when a round ends, whoever ran it (``SyncEvents.report``, queued from
the round's thread), when it comes to the front, and after Send again. Every service call goes
through ``Op``. Sizes come from the font, so the page stays whole at 150 % text. The texts for
the status bar (``connection_text``, ``pending_text``) live here too, so the two never
disagree. GUI thread only.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.security.permissions import Permission, allowed
from app.ui import clinical_text as ct
from app.ui.enrol_dialog import EnrolDialog, EnrolmentResult
from app.ui.messages import code_text, error_text
from app.ui.sync_events import SyncEvents
from app.ui.tasks import Op
from app.ui.widgets.text import WrappingLabel, heading_label

if TYPE_CHECKING:
    from app.services.sync import AttentionItem, SyncReport, SyncStatus
    from app.ui.navigation import Navigator
    from app.ui.session import Session

_CTX = "SyncPage"

# What each op kind is, in a person's words (the hub's op names are for programs).
OP_NAMES: dict[str, str] = {
    "patient.create": QT_TRANSLATE_NOOP("SyncPage", "New patient"),
    "patient.update": QT_TRANSLATE_NOOP("SyncPage", "Patient details changed"),
    "case.queue": QT_TRANSLATE_NOOP("SyncPage", "Case sent to the hub"),
    "case.cancel": QT_TRANSLATE_NOOP("SyncPage", "Case withdrawn"),
    "case.addendum": QT_TRANSLATE_NOOP("SyncPage", "Note added to a case"),
    "observation.create": QT_TRANSLATE_NOOP("SyncPage", "Reading added to a case"),
    "observation.entered_in_error": QT_TRANSLATE_NOOP(
        "SyncPage", "Reading marked as entered in error"
    ),
    "attachment.create": QT_TRANSLATE_NOOP("SyncPage", "Photo or document"),
}

PHASES: dict[str, str] = {
    "push": QT_TRANSLATE_NOOP("SyncPage", "Sending records: %1 of %2"),
    "blobs": QT_TRANSLATE_NOOP("SyncPage", "Sending photos: %1 of %2"),
    "pull": QT_TRANSLATE_NOOP("SyncPage", "Receiving updates from the hub: %1"),
}

_HEADERS = (
    QT_TRANSLATE_NOOP("SyncPage", "What"),
    QT_TRANSLATE_NOOP("SyncPage", "Made"),
    QT_TRANSLATE_NOOP("SyncPage", "The hub's reason"),
)

# (background, text) pairs with at least 4.5:1 contrast, as the device states use.
ONLINE_COLOURS = ("#dcf3e2", "#0d5223")
OFFLINE_COLOURS = ("#fff4d6", "#5c3d00")


def _t(text: str) -> str:
    return QCoreApplication.translate(_CTX, text)


def when_text(moment: datetime | None, now: datetime | None = None) -> str:
    """A PC-clock time as "09:41", with the date when it was not today."""
    if moment is None:
        return ""
    today = (now or datetime.now(UTC)).astimezone().date()
    return ct.local_time(moment, with_date=moment.astimezone().date() != today)


def connection_text(status: SyncStatus, now: datetime | None = None) -> str:
    """One line for the status bar: enrolled or not, online or since when not."""
    if not status.enrolled and status.enrolling_with:
        return QCoreApplication.translate("SyncPage", "Enrolling with %1…").replace(
            "%1", status.enrolling_with
        )
    if not status.enrolled:
        return QCoreApplication.translate("SyncPage", "Not enrolled with a hub")
    if status.offline_since is not None:
        return QCoreApplication.translate("SyncPage", "Offline since %1").replace(
            "%1", when_text(status.offline_since, now)
        )
    if status.last_success_at is not None:
        return QCoreApplication.translate("SyncPage", "Online — last sync %1").replace(
            "%1", when_text(status.last_success_at, now)
        )
    return QCoreApplication.translate("SyncPage", "Enrolled — not synced yet")


def counts_text(status: SyncStatus) -> str:
    """The counts as a person reads them: 3 record(s), 1 photo(s)."""
    # %n filled in here: lupdate makes no plural entry for a module-level translate(), and
    # Qt looks up only plural entries when given a count, so the catalogue's would be missed.
    records = QCoreApplication.translate("SyncPage", "%n record(s)")
    photos = QCoreApplication.translate("SyncPage", "%n photo(s)")
    records = records.replace("%n", str(status.pending_records))
    photos = photos.replace("%n", str(status.pending_photos))
    return (
        QCoreApplication.translate("SyncPage", "%1, %2")
        .replace("%1", records)
        .replace("%2", photos)
    )


def pending_text(status: SyncStatus) -> str:
    """For the status bar: Waiting to sync: 3 record(s), 1 photo(s)."""
    return QCoreApplication.translate("SyncPage", "Waiting to sync: %1").replace(
        "%1", counts_text(status)
    )


def op_name(op: str) -> str:
    return _t(OP_NAMES[op]) if op in OP_NAMES else op


def reason_text(item: AttentionItem) -> str:
    """The hub's reason: its message (English: the hub speaks to field IT) and its code."""
    if item.reason_code and item.reason:
        return f"{item.reason} ({item.reason_code})"
    return (
        item.reason or item.reason_code or QCoreApplication.translate("SyncPage", "No reason given")
    )


def hub_text(hub_name: str, hub_url: str | None) -> str:
    """ "AIIMS Hub (https://hub.example.org:8765)", or the address alone when the hub gave no
    name ("" when there is no hub)."""
    if not hub_url or not hub_name:
        return hub_url or ""
    return (
        QCoreApplication.translate("SyncPage", "%1 (%2)")
        .replace("%1", hub_name)
        .replace("%2", hub_url)
    )


def enrolled_text(facility: str, hub_name: str, hub_url: str) -> str:
    """ "Enrolled with HWC Kheri at AIIMS Hub (https://hub.example.org:8765)", for the status
    bar when enrolment succeeds."""
    hub = hub_text(hub_name, hub_url)
    facility = facility or QCoreApplication.translate("SyncPage", "this clinic")
    return (
        QCoreApplication.translate("SyncPage", "Enrolled with %1 at %2")
        .replace("%1", facility)
        .replace("%2", hub)
    )


def round_error_text(code: str | None) -> str:
    """A round's error code in words (unknown codes get a general sentence)."""
    if not code:
        return ""
    return code_text(code) or QCoreApplication.translate(
        "SyncPage", "The last sync did not finish (%1)."
    ).replace("%1", code)


class SyncPage(QWidget):
    def __init__(
        self, session: Session, navigator: Navigator, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("SyncPage")
        self._session = session
        self._navigator = navigator
        self._sync = session.services.sync
        self._user = session.user
        self._may_retry = session.is_clinical  # QUEUE_CASE; the service checks again
        # Field IT enrols the PC; the service checks the permission again.
        self._may_enrol = allowed(session.user, Permission.MANAGE_SETTINGS)
        self.dialog: EnrolDialog | None = None
        # What this page enrolled the PC with (the status names only the hub's address).
        self._focus_after_load = False
        self._loading = False
        self._reload_again = False
        self._round: Op[SyncReport] | None = None
        self.rounds_started = 0  # "Sync now" rounds this page started (for tests)
        self.status: SyncStatus | None = None
        self.items: list[AttentionItem] = []
        self.events = SyncEvents(self._sync, self)
        self.events.report.connect(self._on_report)
        self.events.progress.connect(self._on_progress)

        m = self.fontMetrics().height()
        chars = self.fontMetrics().averageCharWidth()
        heading = heading_label(self.tr("Sync"), 1)
        intro = WrappingLabel(
            self.tr(
                "Cases and records you save are kept on this PC and sent to the hub whenever "
                "the network allows. This page shows what is still waiting and anything the "
                "hub could not accept."
            )
        )
        intro.setObjectName("mutedText")
        intro.setMaximumWidth(chars * 90)

        # --- status ---
        self.hub_value = QLabel()
        self.hub_value.setObjectName("hubValue")
        self.hub_value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.connection_value = QLabel()
        self.connection_value.setObjectName("connectionValue")
        self.last_sync_value = QLabel()
        self.last_sync_value.setObjectName("lastSyncValue")
        self.pending_value = QLabel()
        self.pending_value.setObjectName("pendingValue")
        form = QFormLayout()
        form.setHorizontalSpacing(m)
        # The connection is a coloured badge: as wide as its words, not the whole page.
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        self.clinic_value = QLabel()
        self.clinic_value.setObjectName("clinicValue")
        self.clinic_value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow(self.tr("Hub:"), self.hub_value)
        form.addRow(self.tr("Enrolled as:"), self.clinic_value)
        form.addRow(self.tr("Connection:"), self.connection_value)
        form.addRow(self.tr("Last successful sync:"), self.last_sync_value)
        form.addRow(self.tr("Waiting to be sent:"), self.pending_value)
        self._form = form

        self.problem_label = WrappingLabel()
        self.problem_label.setObjectName("syncProblem")
        self.problem_label.setMaximumWidth(chars * 90)
        self.problem_label.setVisible(False)
        if self._may_enrol:
            help_text = self.tr(
                "This PC is not enrolled with a hub yet, so nothing is sent. Everything saved "
                "is kept safely here. To enrol it, choose Enrol this PC and paste the "
                "enrolment token the hub printed for this clinic; sending then starts by itself."
            )
        else:
            help_text = self.tr(
                "This PC is not enrolled with a hub yet, so nothing is sent. Everything you "
                "save is kept safely here. Ask field IT to enrol this PC with the token the "
                "hub printed for this clinic; sending then starts by itself."
            )
        self.enrol_help = WrappingLabel(help_text)
        self.enrol_help.setObjectName("enrolHelp")
        self.enrol_help.setMaximumWidth(chars * 90)
        self.enrol_help.setVisible(False)
        self.enrol_button = QPushButton(self.tr("&Enrol this PC…"))
        self.enrol_button.setObjectName("enrolButton")
        self.enrol_button.setToolTip(
            self.tr("Enrol this PC with a hub using the token the hub printed (Alt+E)")
        )
        self.enrol_button.setVisible(False)
        self.enrol_button.clicked.connect(self.open_enrol_dialog)
        self.move_button = QPushButton(self.tr("&Move to another hub…"))
        self.move_button.setObjectName("moveHubButton")
        self.move_button.setToolTip(
            self.tr("Enrol this clinic with another hub instead of this one (Alt+M)")
        )
        self.move_button.setVisible(False)
        self.move_button.clicked.connect(self.open_move_dialog)
        self.clock_warning = WrappingLabel()
        self.clock_warning.setObjectName("clockWarning")
        self.clock_warning.setMaximumWidth(chars * 90)
        self.clock_warning.setStyleSheet(
            f"QLabel {{ background: {OFFLINE_COLOURS[0]}; color: {OFFLINE_COLOURS[1]};"
            " padding: 4px 8px; border-radius: 4px; }"
        )
        self.clock_warning.setVisible(False)

        self.sync_button = QPushButton(self.tr("&Sync now"))
        self.sync_button.setObjectName("syncNowButton")
        self.sync_button.setToolTip(self.tr("Send and receive now (Alt+S)"))
        self.sync_button.setEnabled(False)
        self.sync_button.clicked.connect(self.sync_now)
        self.progress_label = QLabel()
        self.progress_label.setObjectName("mutedText")
        buttons = QHBoxLayout()
        buttons.addWidget(self.enrol_button)  # first: until it is used, nothing can sync
        buttons.addWidget(self.sync_button)
        buttons.addWidget(self.progress_label, 1)
        buttons.addWidget(self.move_button)  # last: rare, and never by accident

        # --- needs attention ---
        self.attention_heading = heading_label(self.tr("Needs attention"), 2)
        self.attention_help = WrappingLabel()
        self.attention_help.setObjectName("mutedText")
        self.attention_help.setMaximumWidth(chars * 90)
        self.table = QTableWidget(0, len(_HEADERS))
        self.table.setObjectName("attentionTable")
        self.table.setAccessibleName(self.tr("Changes the hub could not accept"))
        self.table.setHorizontalHeaderLabels([_t(h) for h in _HEADERS])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.installEventFilter(self)
        self.retry_button = QPushButton(self.tr("Send &again"))
        self.retry_button.setObjectName("retryButton")
        self.retry_button.setToolTip(
            self.tr("Put the chosen change back in the queue once its cause is fixed (Alt+A)")
        )
        self.retry_button.setEnabled(False)
        self.retry_button.setVisible(self._may_retry)
        self.retry_button.clicked.connect(self.retry_selected)
        retry_row = QHBoxLayout()
        retry_row.addWidget(self.retry_button)
        retry_row.addStretch(1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(m // 2)
        layout.addWidget(heading)
        layout.addWidget(intro)
        layout.addSpacing(m // 2)
        layout.addLayout(form)
        layout.addWidget(self.enrol_help)
        layout.addWidget(self.problem_label)
        layout.addWidget(self.clock_warning)
        layout.addLayout(buttons)
        layout.addSpacing(m // 2)
        layout.addWidget(self.attention_heading)
        layout.addWidget(self.attention_help)
        layout.addWidget(self.table, 100)
        layout.addLayout(retry_row)
        # When nothing needs attention the table is hidden: keep the page at the top instead
        # of spreading its lines over the window (the table, when shown, takes the room).
        layout.addStretch(1)

        self._show_status(None)
        self._show_items([])
        self.refresh()

    # --- the Navigator's page protocol --------------------------------------------------------

    def title(self) -> str:
        return self.tr("Sync")

    def page_activated(self) -> None:
        self.refresh()

    # --- loading ------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Read the status and the refused changes again (off the GUI thread)."""
        if self._loading:
            self._reload_again = True  # a round just ended: read once more after this read
            return
        self._loading = True
        sync, user = self._sync, self._user

        def load() -> tuple[SyncStatus, list[AttentionItem]]:
            return sync.status(user), sync.needs_attention(user)

        Op(self, load).success(self._on_loaded).failure(self._on_load_failed).run()

    def is_loading(self) -> bool:
        return self._loading

    def _on_loaded(self, result: tuple[SyncStatus, list[AttentionItem]]) -> None:
        self._loading = False
        status, items = result
        self._show_status(status)
        self._show_items(items)
        if self._focus_after_load and status.enrolled:
            # The enrol button the keyboard was on is gone: go on to the next thing to do.
            self._focus_after_load = False
            self.sync_button.setFocus(Qt.FocusReason.OtherFocusReason)
        self._again()

    def _on_load_failed(self, exc: BaseException) -> bool:
        self._loading = False
        self.problem_label.setText(f"⚠ {error_text(exc)}")
        self.problem_label.setVisible(True)
        self._again()
        return True

    def _again(self) -> None:
        if self._reload_again:
            self._reload_again = False
            self.refresh()

    # --- showing ------------------------------------------------------------------------------

    def _show_status(self, status: SyncStatus | None) -> None:
        self.status = status
        if status is None:
            for label in (
                self.hub_value,
                self.connection_value,
                self.last_sync_value,
                self.pending_value,
            ):
                label.setText("…")
            return
        now = datetime.now(UTC)
        self.hub_value.setText(hub_text(status.hub_name, status.hub_url) or self.tr("No hub yet"))
        self.clinic_value.setText(status.facility)
        # An enrolment from before the facility was kept has none to show.
        self._form.setRowVisible(self.clinic_value, bool(status.facility))
        self.enrol_help.setVisible(not status.enrolled)
        self.enrol_button.setVisible(not status.enrolled and self._may_enrol)
        self.move_button.setVisible(status.enrolled and self._may_enrol)
        self.sync_button.setEnabled(status.enrolled and self._round is None)
        self.connection_value.setText(connection_text(status, now))
        colours = ONLINE_COLOURS if status.online else OFFLINE_COLOURS
        self.connection_value.setStyleSheet(
            f"QLabel {{ background: {colours[0]}; color: {colours[1]};"
            " padding: 1px 8px; border-radius: 4px; }"
        )
        if status.last_success_at is None:
            self.last_sync_value.setText(self.tr("Never"))
        else:
            text = when_text(status.last_success_at, now)
            if status.last_success_hub_time is not None:
                text = (
                    self.tr("%1 (hub time %2)")
                    .replace("%1", text)
                    .replace("%2", when_text(status.last_success_hub_time, now))
                )
            self.last_sync_value.setText(text)
        self.pending_value.setText(counts_text(status))
        problem = ""
        # Not enrolled, an error can only come from enrolling with the installer's token.
        if status.last_error_code and (status.enrolled or status.enrolling_with or self._may_enrol):
            problem = (
                self.tr("Last attempt %1: %2")
                .replace("%1", when_text(status.last_attempt_at, now))
                .replace("%2", round_error_text(status.last_error_code))
            )
        self.problem_label.setText(f"⚠ {problem}" if problem else "")
        self.problem_label.setVisible(bool(problem))
        if status.clock_warning and status.clock_offset_s is not None:
            minutes = round(abs(status.clock_offset_s) / 60)
            # Whole sentences each way: word order differs between languages.
            if status.clock_offset_s > 0:
                text = self.tr(
                    "⚠ This PC's clock is about %1 minute(s) behind the hub's. Set the correct "
                    "time in Windows, or ask field IT: times on printouts would be wrong."
                )
            else:
                text = self.tr(
                    "⚠ This PC's clock is about %1 minute(s) ahead of the hub's. Set the correct "
                    "time in Windows, or ask field IT: times on printouts would be wrong."
                )
            self.clock_warning.setText(text.replace("%1", str(minutes)))
        self.clock_warning.setVisible(status.clock_warning)

    def _show_items(self, items: list[AttentionItem]) -> None:
        keep = self.selected_item()
        self.items = list(items)
        self.table.setRowCount(len(self.items))
        now = datetime.now(UTC)
        for row, item in enumerate(self.items):
            cells = (op_name(item.op), when_text(item.created_at, now), reason_text(item))
            for col, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                cell.setToolTip(text)
                self.table.setItem(row, col, cell)
        if keep is not None:
            for row, item in enumerate(self.items):
                if item.op_id == keep.op_id:
                    self.table.selectRow(row)
        if self.items:
            self.attention_help.setText(
                self.tr(
                    "The hub could not accept these changes. The rest were sent. Read the "
                    "reason; once it is fixed (often at the hub), choose the change and Send "
                    "again."
                )
                if self._may_retry
                else self.tr(
                    "The hub could not accept these changes. The rest were sent. Clinical "
                    "staff can send them again once the reason is fixed."
                )
            )
        else:
            self.attention_help.setText(self.tr("Nothing needs attention."))
        self.table.setVisible(bool(self.items))
        self._update_buttons()

    def selected_item(self) -> AttentionItem | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows:
            return None
        row = rows[0].row()
        return self.items[row] if 0 <= row < len(self.items) else None

    def _update_buttons(self) -> None:
        self.retry_button.setEnabled(self._may_retry and self.selected_item() is not None)

    # --- actions ------------------------------------------------------------------------------

    def sync_now(self) -> None:
        """One round now, with a progress dialog and Cancel (the result shows on the page)."""
        if self._round is not None or self.status is None or not self.status.enrolled:
            return
        sync, progress = self._sync, self.events.emit_progress

        def run(cancel: threading.Event) -> SyncReport:
            return sync.run_once(cancel, progress)

        self.rounds_started += 1
        self.sync_button.setEnabled(False)
        self.progress_label.setText(self.tr("Connecting to the hub…"))
        self._round = (
            Op(self, run)
            .with_progress(self.tr("Syncing with the hub…"), cancellable=True)
            .success(self._on_round_done)
            .failure(self._on_round_failed)
            .cancelled(self._on_round_cancelled)
            .run()
        )

    def is_syncing(self) -> bool:
        return self._round is not None

    def _end_round(self, message: str) -> None:
        self._round = None
        self.progress_label.setText(message)
        self.sync_button.setEnabled(self.status is not None and self.status.enrolled)
        self.refresh()

    def _on_round_done(self, report: SyncReport) -> None:
        if report.ok:
            message = self.tr("Sync finished.")
        else:
            message = "⚠ " + round_error_text(report.error_code)
        self._end_round(message)
        self._navigator.status_message(message)

    def _on_round_failed(self, exc: BaseException) -> bool:
        self._end_round(f"⚠ {error_text(exc)}")
        return True

    def _on_round_cancelled(self) -> None:
        self._end_round(self.tr("The sync was cancelled."))

    def open_enrol_dialog(self) -> None:
        """Field IT enrols this PC (``EnrolDialog``); the page shows the result."""
        if not self._may_enrol or (self.status is not None and self.status.enrolled):
            return
        if self.dialog is not None:
            self.dialog.deleteLater()
        dialog = EnrolDialog(self._session, self)
        dialog.enrolled.connect(self._on_enrolled)
        dialog.finished.connect(self._on_enrol_dialog_finished)
        self.dialog = dialog
        dialog.open()

    def open_move_dialog(self) -> None:
        """Field IT moves this clinic to another hub (``EnrolDialog`` in its move form)."""
        if not self._may_enrol or self.status is None or not self.status.enrolled:
            return
        if self.dialog is not None:
            self.dialog.deleteLater()
        current = hub_text(self.status.hub_name, self.status.hub_url)
        dialog = EnrolDialog(self._session, self, move=True, current_hub=current)
        dialog.enrolled.connect(self._on_enrolled)
        dialog.finished.connect(self._on_enrol_dialog_finished)
        self.dialog = dialog
        dialog.open()

    def _on_enrolled(self, result: EnrolmentResult) -> None:
        self._focus_after_load = True
        message = enrolled_text(result.facility, result.hub_name, result.hub_url)
        self.enrol_button.setVisible(False)
        self.enrol_help.setVisible(False)
        self._navigator.status_message(message)

    def _on_enrol_dialog_finished(self, result: int) -> None:
        # Also after Cancel: an enrolment may have gone through, or another PC user enrolled.
        self.refresh()
        if result != QDialog.DialogCode.Accepted.value and self.enrol_button.isVisible():
            self.enrol_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def retry_selected(self) -> None:
        item = self.selected_item()
        if item is None or not self._may_retry:
            return
        sync, user = self._sync, self._user
        self.retry_button.setEnabled(False)
        (
            Op(self, lambda: sync.retry(user, item.op_id))
            .success(lambda _r: self._on_retried(item))
            .failure(self._on_retry_failed)
            .run()
        )

    def _on_retried(self, item: AttentionItem) -> None:
        self._navigator.status_message(
            self.tr("“%1” is back in the queue.").replace("%1", op_name(item.op))
        )
        self.refresh()

    def _on_retry_failed(self, exc: BaseException) -> bool:
        self._navigator.status_message(f"⚠ {error_text(exc)}")
        self.refresh()
        return True

    # --- events -------------------------------------------------------------------------------

    def _on_report(self, _report: SyncReport) -> None:
        self.refresh()

    def _on_progress(self, phase: str, done: int, total: int) -> None:
        if self._round is None:
            return  # the worker's rounds run quietly; only a person's round shows its phase
        template = PHASES.get(phase)
        if template is not None:
            self.progress_label.setText(
                _t(template).replace("%1", str(done)).replace("%2", str(total))
            )

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Enter on a refused change sends it again: the keyboard path to the button.
        if (
            watched is self.table
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and self.retry_button.isVisible()
        ):
            self.retry_selected()
            return True
        return super().eventFilter(watched, event)
