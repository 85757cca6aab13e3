"""Prescriptions: what the hub's specialists sent, for the clinic's generalist to review, and
the patients due back for follow-up (docs/PRESCRIPTIONS.md, "At the clinic").

The **Inbox** tab lists prescriptions newest first with their state and a verdict badge that
always carries words ("Verified", "NOT VALID: tampered", "Replaced by a correction"); the
state filter is a row of radio buttons (Alt+A, N, K, Q, D). Enter, a double-click or
**View** (Alt+V) opens ``PrescriptionDialog`` (app.ui.prescription_dialogs), where the
generalist acknowledges, asks the specialist a question or records what was dispensed.
The **Follow-ups** tab lists valid, current prescriptions whose follow-up date has come
(today or overdue; the next 7 or 30 days on request); Enter opens the prescription there too.

Both lists are read through ``Op`` when the page comes to the front, after an action in the
dialog, and after a sync round that pulled anything (``SyncEvents.report``), since that is
how prescriptions arrive. GUI thread only.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QRadioButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.services.prescriptions import FollowUpRow, InboxRow, RxState
from app.ui import clinical_text as ct
from app.ui.messages import error_text
from app.ui.prescription_dialogs import (
    PrescriptionDialog,
    state_text,
    verdict_colours,
    verdict_text,
)
from app.ui.sync_events import SyncEvents
from app.ui.tasks import Op
from app.ui.widgets.tables import record_table
from app.ui.widgets.text import heading_label

if TYPE_CHECKING:
    from app.services.sync import SyncReport
    from app.ui.navigation import Navigator
    from app.ui.session import Session

ModelIndex = QModelIndex | QPersistentModelIndex

_CTX = "PrescriptionsPage"

_INBOX_HEADERS = (
    QT_TRANSLATE_NOOP("PrescriptionsPage", "Patient"),
    QT_TRANSLATE_NOOP("PrescriptionsPage", "Issued"),
    QT_TRANSLATE_NOOP("PrescriptionsPage", "Prescriber"),
    QT_TRANSLATE_NOOP("PrescriptionsPage", "Items"),
    QT_TRANSLATE_NOOP("PrescriptionsPage", "State"),
    QT_TRANSLATE_NOOP("PrescriptionsPage", "Signature"),
)
_FOLLOW_UP_HEADERS = (
    QT_TRANSLATE_NOOP("PrescriptionsPage", "Due"),
    QT_TRANSLATE_NOOP("PrescriptionsPage", "Patient"),
    QT_TRANSLATE_NOOP("PrescriptionsPage", "Phone"),
    QT_TRANSLATE_NOOP("PrescriptionsPage", "Village"),
    QT_TRANSLATE_NOOP("PrescriptionsPage", "Prescriber"),
    QT_TRANSLATE_NOOP("PrescriptionsPage", "Issued"),
)

# (label with its mnemonic, the states it shows; None is all)
FILTERS: tuple[tuple[str, tuple[RxState, ...] | None], ...] = (
    (QT_TRANSLATE_NOOP("PrescriptionsPage", "&All"), None),
    (QT_TRANSLATE_NOOP("PrescriptionsPage", "&New"), (RxState.NEW,)),
    (QT_TRANSLATE_NOOP("PrescriptionsPage", "Ac&knowledged"), (RxState.ACKNOWLEDGED,)),
    (QT_TRANSLATE_NOOP("PrescriptionsPage", "&Queried"), (RxState.QUERIED,)),
    (QT_TRANSLATE_NOOP("PrescriptionsPage", "&Dispensed"), (RxState.DISPENSED,)),
)

# How far ahead the follow-up list looks, in days after today (0: today or overdue).
HORIZONS: tuple[tuple[str, int], ...] = (
    (QT_TRANSLATE_NOOP("PrescriptionsPage", "Due today or overdue"), 0),
    (QT_TRANSLATE_NOOP("PrescriptionsPage", "Due within 7 days"), 7),
    (QT_TRANSLATE_NOOP("PrescriptionsPage", "Due within 30 days"), 30),
)


def _t(text: str) -> str:
    return QCoreApplication.translate(_CTX, text)


def _today() -> date:
    # The clinic's calendar day on this PC, which is what "due today" means to its staff.
    return datetime.now().astimezone().date()


class InboxModel(QAbstractTableModel):
    PATIENT, ISSUED, PRESCRIBER, ITEMS, STATE, VERDICT = range(6)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[InboxRow] = []

    def set_rows(self, rows: list[InboxRow]) -> None:
        self.beginResetModel()
        # The service gives newest first already; sorting again keeps that promise here.
        self._rows = sorted(
            rows,
            key=lambda r: r.prescription.issued_at.timestamp() if r.prescription.issued_at else 0,
            reverse=True,
        )
        self.endResetModel()

    def row_at(self, row: int) -> InboxRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, rid: str) -> int:
        return next((i for i, r in enumerate(self._rows) if r.prescription.id == rid), -1)

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(_INBOX_HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return _t(_INBOX_HEADERS[section])
        return None

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        row = self.row_at(index.row())
        if row is None:
            return None
        rx, col = row.prescription, index.column()
        superseded = rx.superseded_by is not None
        if role == Qt.ItemDataRole.DisplayRole:
            if col == self.PATIENT:
                return row.patient_display
            if col == self.ISSUED:
                return ct.local_time(rx.issued_at, with_date=True)
            if col == self.PRESCRIBER:
                return rx.prescriber_name
            if col == self.ITEMS:
                return str(rx.item_count)
            if col == self.STATE:
                return state_text(rx.state)
            if col == self.VERDICT:
                return verdict_text(rx.verification, superseded)
            return None
        if col == self.VERDICT and role in (
            Qt.ItemDataRole.BackgroundRole,
            Qt.ItemDataRole.ForegroundRole,
        ):
            bg, fg = verdict_colours(rx.verification, superseded)
            return QColor(bg if role == Qt.ItemDataRole.BackgroundRole else fg)
        if role == Qt.ItemDataRole.TextAlignmentRole and col == self.ITEMS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.UserRole:
            return rx.id
        return None


class FollowUpModel(QAbstractTableModel):
    DUE, PATIENT, PHONE, VILLAGE, PRESCRIBER, ISSUED = range(6)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[FollowUpRow] = []
        self._today = _today()

    def set_rows(self, rows: list[FollowUpRow], today: date) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._today = today
        self.endResetModel()

    def row_at(self, row: int) -> FollowUpRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(_FOLLOW_UP_HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return _t(_FOLLOW_UP_HEADERS[section])
        return None

    def due_text(self, due: date) -> str:
        days = (self._today - due).days
        when = due.strftime("%d %b %Y")
        if days == 0:
            return QCoreApplication.translate("PrescriptionsPage", "Today (%1)").replace("%1", when)
        if days > 0:
            overdue = QCoreApplication.translate(
                "PrescriptionsPage", "Overdue by %n day(s) (%1)", "", days
            )
            return overdue.replace("%1", when)
        return when

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        row = self.row_at(index.row())
        if row is None:
            return None
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return {
                self.DUE: self.due_text(row.follow_up),
                self.PATIENT: row.patient_name,
                self.PHONE: row.phone,
                self.VILLAGE: row.village,
                self.PRESCRIBER: row.prescriber_name,
                self.ISSUED: ct.local_time(row.issued_at, with_date=True),
            }.get(col)
        if role == Qt.ItemDataRole.UserRole:
            return row.prescription_id
        return None


def _table(model: QAbstractTableModel, name: str, stretch: int) -> QTableView:
    table = record_table(model, name)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return table


class PrescriptionsPage(QWidget):
    def __init__(
        self, session: Session, navigator: Navigator, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("PrescriptionsPage")
        self._session = session
        self._navigator = navigator
        self._seq = 0
        self._loading = False
        self.dialog: PrescriptionDialog | None = None

        heading = heading_label(self.tr("Prescriptions"), 1)
        self.refresh_button = QPushButton(self.tr("Re&fresh"))
        self.refresh_button.clicked.connect(self.refresh)
        head = QHBoxLayout()
        head.addWidget(heading, 1)
        head.addWidget(self.refresh_button, 0, Qt.AlignmentFlag.AlignTop)

        # -- inbox --
        self.filter_group = QButtonGroup(self)
        self.filter_buttons: list[QRadioButton] = []
        filters = QHBoxLayout()
        filters.addWidget(QLabel(self.tr("Show:")))
        for number, (label, _states) in enumerate(FILTERS):
            button = QRadioButton(_t(label))
            self.filter_group.addButton(button, number)
            self.filter_buttons.append(button)
            filters.addWidget(button)
        filters.addStretch(1)
        self.filter_buttons[0].setChecked(True)
        self.filter_group.idToggled.connect(
            lambda _id, checked: self.refresh() if checked else None
        )
        self.inbox_model = InboxModel(self)
        self.inbox_table = _table(self.inbox_model, "inboxTable", InboxModel.PATIENT)
        self.inbox_table.setAccessibleName(self.tr("Prescriptions"))
        self.inbox_table.activated.connect(
            lambda index: self.open_prescription(
                self.inbox_model.data(index, Qt.ItemDataRole.UserRole)
            )
        )
        self.inbox_empty = QLabel()
        self.inbox_empty.setObjectName("mutedText")
        self.inbox_empty.setWordWrap(True)
        self.view_button = QPushButton(self.tr("&View prescription…"))
        self.view_button.setToolTip(self.tr("Open the selected prescription (Enter)"))
        self.view_button.clicked.connect(self.open_selected)
        inbox = QWidget()
        inbox_layout = QVBoxLayout(inbox)
        inbox_layout.addLayout(filters)
        inbox_layout.addWidget(self.inbox_empty)
        inbox_layout.addWidget(self.inbox_table, 1)
        view_row = QHBoxLayout()
        view_row.addStretch(1)
        view_row.addWidget(self.view_button)
        inbox_layout.addLayout(view_row)

        # -- follow-ups --
        self.horizon = QComboBox()
        for label, days in HORIZONS:
            self.horizon.addItem(_t(label), days)
        self.horizon.currentIndexChanged.connect(lambda _i: self.refresh())
        horizon_label = QLabel(self.tr("S&how:"))
        horizon_label.setBuddy(self.horizon)
        horizon_row = QHBoxLayout()
        horizon_row.addWidget(horizon_label)
        horizon_row.addWidget(self.horizon)
        horizon_row.addStretch(1)
        self.follow_model = FollowUpModel(self)
        self.follow_table = _table(self.follow_model, "followUpTable", FollowUpModel.PATIENT)
        self.follow_table.setAccessibleName(self.tr("Patients due back"))
        self.follow_table.activated.connect(
            lambda index: self.open_prescription(
                self.follow_model.data(index, Qt.ItemDataRole.UserRole)
            )
        )
        self.follow_empty = QLabel(self.tr("No patients are due back."))
        self.follow_empty.setObjectName("mutedText")
        follow = QWidget()
        follow_layout = QVBoxLayout(follow)
        follow_layout.addLayout(horizon_row)
        follow_layout.addWidget(self.follow_empty)
        follow_layout.addWidget(self.follow_table, 1)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("prescriptionTabs")
        self.tabs.addTab(inbox, self.tr("&Inbox"))
        self.tabs.addTab(follow, self.tr("Follow-&ups"))
        self.message = QLabel()
        self.message.setObjectName("errorText")
        self.message.setWordWrap(True)
        self.message.setVisible(False)

        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(self.message)
        layout.addWidget(self.tabs, 1)
        self.setTabOrder(self.tabs, self.filter_buttons[0])
        for before, after in zip(self.filter_buttons, self.filter_buttons[1:], strict=False):
            self.setTabOrder(before, after)
        self.setTabOrder(self.filter_buttons[-1], self.inbox_table)
        self.setTabOrder(self.inbox_table, self.view_button)
        self.setTabOrder(self.view_button, self.refresh_button)

        # Prescriptions arrive with a sync round, whoever ran it.
        self.events = SyncEvents(session.services.sync, self)
        self.events.report.connect(self._on_report)

    def title(self) -> str:
        return self.tr("Prescriptions")

    def page_activated(self) -> None:
        self.refresh()
        table = self.inbox_table if self.tabs.currentIndex() == 0 else self.follow_table
        table.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- reading -----------------------------------------------------------------------------

    def selected_states(self) -> tuple[RxState, ...] | None:
        return FILTERS[max(0, self.filter_group.checkedId())][1]

    def is_loading(self) -> bool:
        return self._loading

    def refresh(self) -> None:
        self._seq += 1
        seq = self._seq
        self._loading = True
        services, user = self._session.services, self._session.user
        states = self.selected_states()
        today = _today()
        due_before = today + timedelta(days=int(self.horizon.currentData() or 0) + 1)

        def read() -> tuple[list[InboxRow], list[FollowUpRow], date]:
            rows = services.prescriptions.inbox(user, states)
            return rows, services.prescriptions.follow_ups(user, due_before), today

        Op(self, read).success(lambda result: self._apply(seq, *result)).failure(
            lambda exc: self._on_failed(seq, exc)
        ).run()

    def _apply(
        self, seq: int, inbox: list[InboxRow], follow_ups: list[FollowUpRow], today: date
    ) -> None:
        if seq != self._seq:
            return
        self._loading = False
        self.message.setVisible(False)
        selected = self.selected_id()
        self.inbox_model.set_rows(inbox)
        self.follow_model.set_rows(follow_ups, today)
        self.inbox_empty.setText(
            self.tr("No prescriptions have arrived yet. They come with a sync.")
            if self.selected_states() is None
            else self.tr("No prescriptions in this state.")
        )
        self.inbox_empty.setVisible(not inbox)
        self.view_button.setEnabled(bool(inbox))
        if inbox:
            row = self.inbox_model.row_of(selected) if selected else -1
            self.inbox_table.selectRow(max(row, 0))
        self.follow_empty.setVisible(not follow_ups)
        self.follow_table.setVisible(bool(follow_ups))
        if follow_ups:
            self.follow_table.selectRow(0)

    def _on_failed(self, seq: int, exc: BaseException) -> bool:
        if seq == self._seq:
            self._loading = False
        self.message.setText(f"⚠ {error_text(exc)}")
        self.message.setVisible(True)
        return True

    def _on_report(self, report: SyncReport) -> None:
        if report.pulled:
            self.refresh()

    def selected_id(self) -> str | None:
        index = self.inbox_table.currentIndex()
        row = self.inbox_model.row_at(index.row()) if index.isValid() else None
        return row.prescription.id if row is not None else None

    # --- opening -----------------------------------------------------------------------------

    def open_selected(self) -> None:
        if self.tabs.currentIndex() == 1:
            index = self.follow_table.currentIndex()
            self.open_prescription(self.follow_model.data(index, Qt.ItemDataRole.UserRole))
            return
        self.open_prescription(self.selected_id())

    def open_prescription(self, rid: Any) -> None:
        if not isinstance(rid, str) or not rid:
            return
        dialog = PrescriptionDialog(self._session, rid, self)
        dialog.changed.connect(self.refresh)
        dialog.finished.connect(lambda _r: self._closed(dialog))
        self.dialog = dialog
        dialog.open()

    def _closed(self, dialog: PrescriptionDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()
        table = self.inbox_table if self.tabs.currentIndex() == 0 else self.follow_table
        table.setFocus(Qt.FocusReason.OtherFocusReason)
