"""Cases & queue: unfinished drafts, and cases queued or sent to the hub, with status badges.

Both lists are read through ``Op`` whenever the page comes to the front; urgent cases come
first, then the newest. Enter or a double-click opens the case form. GUI thread only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.domain.ids import CaseId
from app.domain.models import CaseStatus
from app.ui.messages import error_text
from app.ui.models.case_table import CaseTableModel
from app.ui.tasks import Op
from app.ui.widgets.tables import record_table
from app.ui.widgets.text import heading_label

if TYPE_CHECKING:
    from app.ui.navigation import Navigator
    from app.ui.session import Session

QUEUE_STATUSES = (
    CaseStatus.NEEDS_ATTENTION,
    CaseStatus.QUEUED,
    CaseStatus.SENT,
    CaseStatus.AT_HUB,
    CaseStatus.PRESCRIBED,
)


class CasesPage(QWidget):
    def __init__(
        self, session: Session, navigator: Navigator, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("CasesPage")
        self._session = session
        self._navigator = navigator
        self._seq = 0

        heading = heading_label(self.tr("Cases && queue").replace("&&", "&"), 1)
        self.refresh_button = QPushButton(self.tr("Re&fresh"))
        self.refresh_button.clicked.connect(self.refresh)
        head = QHBoxLayout()
        head.addWidget(heading, 1)
        head.addWidget(self.refresh_button)

        self.drafts_model = CaseTableModel(self)
        self.queue_model = CaseTableModel(self)
        self.drafts_table = self._table(self.drafts_model, "draftsTable")
        self.queue_table = self._table(self.queue_model, "queueTable")
        self.drafts_empty = QLabel(self.tr("No unfinished cases."))
        self.drafts_empty.setObjectName("mutedText")
        self.queue_empty = QLabel(self.tr("Nothing queued for the hub."))
        self.queue_empty.setObjectName("mutedText")

        drafts_box = QGroupBox(self.tr("&Drafts (not yet sent)"))
        d = QVBoxLayout(drafts_box)
        d.addWidget(self.drafts_empty, 0, Qt.AlignmentFlag.AlignTop)
        d.addWidget(self.drafts_table, 1)
        queue_box = QGroupBox(self.tr("&Queue and sent cases"))
        q = QVBoxLayout(queue_box)
        q.addWidget(self.queue_empty, 0, Qt.AlignmentFlag.AlignTop)
        q.addWidget(self.queue_table, 1)
        self.message = QLabel()
        self.message.setObjectName("errorText")
        self.message.setWordWrap(True)
        self.message.setVisible(False)

        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(self.message)
        layout.addWidget(drafts_box, 1)
        layout.addWidget(queue_box, 2)
        self.setTabOrder(self.drafts_table, self.queue_table)
        self.setTabOrder(self.queue_table, self.refresh_button)
        drafts_box.setFocusProxy(self.drafts_table)
        queue_box.setFocusProxy(self.queue_table)

    def _table(self, model: CaseTableModel, name: str) -> QTableView:
        table = record_table(model, name)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(CaseTableModel.COMPLAINT, QHeaderView.ResizeMode.Stretch)
        table.activated.connect(lambda index, m=model: self._open(m, index))
        return table

    def title(self) -> str:
        return self.tr("Cases && queue").replace("&&", "&")

    def page_activated(self) -> None:
        self.refresh()
        self.drafts_table.setFocus(Qt.FocusReason.OtherFocusReason)

    def refresh(self) -> None:
        self._seq += 1
        seq = self._seq
        services, user = self._session.services, self._session.user

        def read() -> tuple[list[Any], list[Any]]:
            return services.cases.drafts(user), services.cases.list(user, statuses=QUEUE_STATUSES)

        Op(self, read).success(lambda result: self._apply(seq, *result)).failure(
            self._on_failed
        ).run()

    def _apply(self, seq: int, drafts: list[Any], queue: list[Any]) -> None:
        if seq != self._seq:
            return
        self.message.setVisible(False)
        for model, table, empty, rows in (
            (self.drafts_model, self.drafts_table, self.drafts_empty, drafts),
            (self.queue_model, self.queue_table, self.queue_empty, queue),
        ):
            model.set_summaries(rows)
            table.setVisible(bool(rows))
            empty.setVisible(not rows)
            if rows:
                table.selectRow(0)

    def _on_failed(self, exc: BaseException) -> bool:
        self.message.setText(f"⚠ {error_text(exc)}")
        self.message.setVisible(True)
        return True

    def _open(self, model: CaseTableModel, index: QModelIndex) -> None:
        summary = model.summary_at(index.row())
        if summary is not None:
            self._navigator.open_case(CaseId(summary.case.id))
