"""Table model over a list of patients for the search results. GUI thread only.

The model holds what the last finished search returned; it never queries anything itself.
Names go out as they were typed (Devanagari or Latin, never monospace); the phone is partly
masked because the screen is shared at a busy counter.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

from app.domain.models import Patient
from app.ui.clinical_text import format_abha, mask_phone, sex_age

_HEADERS = (
    QT_TRANSLATE_NOOP("PatientTableModel", "Name"),
    QT_TRANSLATE_NOOP("PatientTableModel", "Name (other script)"),
    QT_TRANSLATE_NOOP("PatientTableModel", "Father / husband / mother"),
    QT_TRANSLATE_NOOP("PatientTableModel", "Sex / age"),
    QT_TRANSLATE_NOOP("PatientTableModel", "Village"),
    QT_TRANSLATE_NOOP("PatientTableModel", "Phone"),
    QT_TRANSLATE_NOOP("PatientTableModel", "ABHA number"),
)

ModelIndex = QModelIndex | QPersistentModelIndex


class PatientTableModel(QAbstractTableModel):
    # The guardian is shown because search matches it too ("Sunil" finds Sunil's children),
    # and because rural registers tell people of the same name apart by it.
    NAME, NAME_ALT, GUARDIAN, SEX_AGE, VILLAGE, PHONE, ABHA = range(7)

    def __init__(self, parent: QObject | None = None, today: date | None = None) -> None:
        super().__init__(parent)
        self._patients: list[Patient] = []
        self._today = today

    def set_patients(self, patients: list[Patient]) -> None:
        self.beginResetModel()
        self._patients = list(patients)
        self.endResetModel()

    def patients(self) -> list[Patient]:
        return list(self._patients)

    def patient_at(self, row: int) -> Patient | None:
        return self._patients[row] if 0 <= row < len(self._patients) else None

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._patients)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(_HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return QCoreApplication.translate("PatientTableModel", _HEADERS[section])
        return None

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        p = self.patient_at(index.row())
        if p is None:
            return None
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            today = self._today or date.today()
            return {
                self.NAME: p.name,
                self.NAME_ALT: p.name_alt,
                self.GUARDIAN: p.guardian_name,
                self.SEX_AGE: sex_age(p, today),
                self.VILLAGE: p.address.village,
                self.PHONE: mask_phone(p.phone),
                self.ABHA: format_abha(p.abha_number),
            }.get(col)
        if role == Qt.ItemDataRole.UserRole:
            return p.id
        if role == Qt.ItemDataRole.AccessibleTextRole and col == self.PHONE:
            return QCoreApplication.translate("PatientTableModel", "Phone, partly hidden")
        return None
