"""Table model over case summaries (drafts, the queue). GUI thread only.

Rows are shown urgent first, then newest first. Status and priority cells carry their words
and a background colour (never colour alone). The model holds what the last read returned.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

from app.domain.models import Priority
from app.ui import clinical_text as ct
from app.ui.widgets.badges import priority_colours, priority_text, status_colours, status_text

_HEADERS = (
    QT_TRANSLATE_NOOP("CaseTableModel", "Status"),
    QT_TRANSLATE_NOOP("CaseTableModel", "Priority"),
    QT_TRANSLATE_NOOP("CaseTableModel", "Patient"),
    QT_TRANSLATE_NOOP("CaseTableModel", "Chief complaint"),
    QT_TRANSLATE_NOOP("CaseTableModel", "Specialty"),
    QT_TRANSLATE_NOOP("CaseTableModel", "NEWS2"),
    QT_TRANSLATE_NOOP("CaseTableModel", "Updated"),
)
_RANK = {Priority.ROUTINE: 0, Priority.URGENT: 1, Priority.EMERGENCY: 2}

ModelIndex = QModelIndex | QPersistentModelIndex


def ordered(summaries: list[Any]) -> list[Any]:
    """Emergency and urgent first, then the most recently touched."""
    by_time = sorted(summaries, key=lambda s: s.case.updated_at, reverse=True)
    return sorted(by_time, key=lambda s: _RANK.get(Priority(s.case.priority), 0), reverse=True)


class CaseTableModel(QAbstractTableModel):
    STATUS, PRIORITY, PATIENT, COMPLAINT, SPECIALTY, NEWS2, UPDATED = range(7)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[Any] = []

    def set_summaries(self, summaries: list[Any]) -> None:
        self.beginResetModel()
        self._rows = ordered(summaries)
        self.endResetModel()

    def summary_at(self, row: int) -> Any | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def case_ids(self) -> list[str]:
        return [s.case.id for s in self._rows]

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(_HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return QCoreApplication.translate("CaseTableModel", _HEADERS[section])
        return None

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        s = self.summary_at(index.row())
        if s is None:
            return None
        case, col = s.case, index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == self.STATUS:
                return status_text(case.status)
            if col == self.PRIORITY:
                return priority_text(case.priority)
            if col == self.PATIENT:
                return s.patient_name + (f" ({s.patient_name_alt})" if s.patient_name_alt else "")
            if col == self.COMPLAINT:
                return case.chief_complaint
            if col == self.SPECIALTY:
                from app.ui.case_form import specialty_name  # late: the form imports widgets

                return specialty_name(case.specialty) if case.specialty else ""
            if col == self.NEWS2:
                return "" if s.news2_total is None else str(s.news2_total)
            if col == self.UPDATED:
                return ct.local_time(case.updated_at, with_date=True)
            return None
        if role == Qt.ItemDataRole.BackgroundRole:
            if col == self.STATUS:
                return status_colours(case.status)[0]
            if col == self.PRIORITY and case.priority != Priority.ROUTINE:
                return priority_colours(case.priority)[0]
        if role == Qt.ItemDataRole.ForegroundRole:
            if col == self.STATUS:
                return status_colours(case.status)[1]
            if col == self.PRIORITY and case.priority != Priority.ROUTINE:
                return priority_colours(case.priority)[1]
        if role == Qt.ItemDataRole.UserRole:
            return case.id
        return None
