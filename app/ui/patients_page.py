"""Patients page: find a patient as you type, open them, or register a new one.

Threading: every search runs through ``Op`` on a worker; the GUI thread only restarts a
150 ms debounce timer per keystroke. Each search carries a sequence number and only the newest
one's results are shown, so a slow early query can never overwrite a later one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.ids import PatientId
from app.domain.models import Patient
from app.ui.messages import error_text
from app.ui.models.patient_table import PatientTableModel
from app.ui.registration import RegistrationDialog
from app.ui.tasks import Op
from app.ui.widgets.tables import record_table
from app.ui.widgets.text import heading_label

if TYPE_CHECKING:
    from app.ui.navigation import Navigator
    from app.ui.session import Session

SEARCH_DEBOUNCE_MS = 150


class PatientsPage(QWidget):
    def __init__(
        self, session: Session, navigator: Navigator, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("PatientsPage")
        self._session = session
        self._navigator = navigator
        self._seq = 0
        self._shown_query = ""
        self.registration_dialog: RegistrationDialog | None = None

        heading = heading_label(self.tr("Patients"), 1)

        self.search_edit = QLineEdit()
        self.search_edit.setObjectName("patientSearch")
        self.search_edit.setPlaceholderText(
            self.tr("Name in any script, phone or ABHA number — e.g. सुनीता or Sunita")
        )
        self.search_edit.setClearButtonEnabled(True)
        search_label = QLabel(self.tr("&Find patient:"))
        search_label.setBuddy(self.search_edit)

        self.register_button = QPushButton(self.tr("&Register new patient…"))
        self.register_button.setObjectName("registerPatient")
        self.register_button.clicked.connect(self.open_registration)

        top = QHBoxLayout()
        top.addWidget(search_label)
        top.addWidget(self.search_edit, 1)
        top.addWidget(self.register_button)

        self.model = PatientTableModel(self, today=session.services.clock().astimezone().date())
        self.table = record_table(self.model, "patientResults")
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(PatientTableModel.NAME, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(PatientTableModel.NAME_ALT, QHeaderView.ResizeMode.Stretch)
        self.table.activated.connect(self._on_activated)

        self.status_label = QLabel()
        self.status_label.setObjectName("searchStatus")
        self.status_label.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addLayout(top)
        layout.addWidget(self.status_label)
        layout.addWidget(self.table, 1)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DEBOUNCE_MS)
        self._debounce.timeout.connect(self.run_search)
        self.search_edit.textChanged.connect(self._on_text_changed)
        self.search_edit.returnPressed.connect(self._open_current)
        self.search_edit.installEventFilter(self)

        self.setTabOrder(self.search_edit, self.register_button)
        self.setTabOrder(self.register_button, self.table)
        self._show_hint()

    # --- page protocol ----------------------------------------------------------------------

    def title(self) -> str:
        return self.tr("Patients")

    def page_activated(self) -> None:
        self.search_edit.setFocus(Qt.FocusReason.OtherFocusReason)
        self.search_edit.selectAll()
        self.run_search()  # a patient may have been registered or edited meanwhile

    # --- searching ---------------------------------------------------------------------------

    def _on_text_changed(self, _text: str) -> None:
        self._debounce.start()

    def run_search(self) -> None:
        self._debounce.stop()
        text = self.search_edit.text().strip()
        self._seq += 1
        seq = self._seq
        services, user = self._session.services, self._session.user
        if not text:
            # Before anyone types, the newest registrations: often the person just registered.
            (
                Op(self, lambda: services.patients.recent(user))
                .success(lambda found: self._on_recent(seq, found))
                .failure(lambda exc: self._on_failed(seq, exc))
                .run()
            )
            return
        (
            Op(self, lambda: services.patients.search(user, text))
            .success(lambda found: self._on_results(seq, text, found))
            .failure(lambda exc: self._on_failed(seq, exc))
            .run()
        )

    def _on_results(self, seq: int, text: str, found: list[Patient]) -> None:
        if seq != self._seq:
            return  # a newer query is on its way; this answer is stale
        self._shown_query = text
        self.model.set_patients(found)
        if found:
            self.table.selectRow(0)
            self.status_label.setText(
                self.tr("%n patient(s) found. Press ↓ to choose, Enter to open.", "", len(found))
            )
        else:
            self.status_label.setText(
                self.tr(
                    "No patient found for “%1”. Check the spelling or register a new patient."
                ).replace("%1", text)
            )

    def _on_recent(self, seq: int, found: list[Patient]) -> None:
        if seq != self._seq:
            return
        self._shown_query = ""
        self.model.set_patients(found)
        self._show_hint()
        if found:
            self.status_label.setText(
                self.tr(
                    "Most recently registered patients. Type part of a name, a phone number "
                    "or an ABHA number to search."
                )
            )

    def _on_failed(self, seq: int, exc: BaseException) -> bool:
        if seq == self._seq:
            self.status_label.setText(error_text(exc))
        return True

    def _show_hint(self) -> None:
        self.status_label.setText(
            self.tr("Type part of a name, a phone number or an ABHA number to search.")
        )

    def shown_query(self) -> str:
        """The query whose results the table shows now (for tests and the status bar)."""
        return self._shown_query

    # --- opening -----------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.search_edit
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Down
            and self.model.rowCount() > 0
        ):
            self.table.setFocus(Qt.FocusReason.TabFocusReason)
            if not self.table.currentIndex().isValid():
                self.table.selectRow(0)
            return True
        return super().eventFilter(watched, event)

    def _open_current(self) -> None:
        if self._debounce.isActive():
            return  # results for what was just typed are not in yet
        index = self.table.currentIndex()
        row = index.row() if index.isValid() else 0
        patient = self.model.patient_at(row)
        if patient is not None:
            self._navigator.open_patient(patient.id)

    def _on_activated(self, index: QModelIndex) -> None:
        patient = self.model.patient_at(index.row())
        if patient is not None:
            self._navigator.open_patient(patient.id)

    # --- registering -------------------------------------------------------------------------

    def open_registration(self) -> RegistrationDialog:
        typed = self.search_edit.text().strip()
        prefill = typed if typed and not any(ch.isdigit() for ch in typed) else ""
        dialog = RegistrationDialog(self._session, self, initial_name=prefill)
        dialog.patient_registered.connect(self._on_patient_chosen)
        dialog.existing_patient_chosen.connect(self._on_patient_chosen)
        dialog.finished.connect(lambda _result: dialog.deleteLater())
        self.registration_dialog = dialog
        dialog.open()
        return dialog

    def _on_patient_chosen(self, pid: str) -> None:
        self._navigator.open_patient(PatientId(pid))
