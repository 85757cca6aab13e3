"""The case form: consent, complaint, history, examination, vitals, NEWS2, attachments, queue.

One form per case. The text fields autosave: each edit restarts a 2 s timer whose timeout
sends every editable field through ``Op`` to ``services.cases.save_draft``; only one save is
in flight at a time and edits made meanwhile are saved right after it. A failed save (a full
disk, say) shows its message beside the indicator and keeps the text on screen. After every
save or reading the form re-reads the case (``services.cases.detail``) for NEWS2, the list of
problems that stop queueing, and the status. A case that is no longer a draft is read-only.

GUI thread only; the services run on workers through ``Op``.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, QTimer
from PySide6.QtGui import QHideEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import ValidationFailed
from app.domain.ids import CaseId
from app.domain.models import Case, CaseStatus, ConsentMethod, Priority
from app.ui import clinical_text as ct
from app.ui.device_readings import DeviceReadingsPanel
from app.ui.messages import error_text
from app.ui.tasks import Op
from app.ui.vitals_panel import VitalsPanel
from app.ui.widgets.badges import Badge, priority_text, status_text

if TYPE_CHECKING:
    from app.ui.navigation import Navigator
    from app.ui.session import Session

AUTOSAVE_MS = 2000
ERROR_FG = "#9b1c1c"

_RELATIONSHIPS = (
    ("self", QT_TRANSLATE_NOOP("CaseForm", "Self")),
    ("mother", QT_TRANSLATE_NOOP("CaseForm", "Mother")),
    ("father", QT_TRANSLATE_NOOP("CaseForm", "Father")),
    ("husband", QT_TRANSLATE_NOOP("CaseForm", "Husband")),
    ("wife", QT_TRANSLATE_NOOP("CaseForm", "Wife")),
    ("son", QT_TRANSLATE_NOOP("CaseForm", "Son")),
    ("daughter", QT_TRANSLATE_NOOP("CaseForm", "Daughter")),
    ("guardian", QT_TRANSLATE_NOOP("CaseForm", "Guardian")),
)
_METHODS = (
    (ConsentMethod.VERBAL, QT_TRANSLATE_NOOP("CaseForm", "Verbal")),
    (ConsentMethod.WRITTEN, QT_TRANSLATE_NOOP("CaseForm", "Written")),
    (ConsentMethod.THUMBPRINT, QT_TRANSLATE_NOOP("CaseForm", "Thumbprint")),
)
_CONSCIOUSNESS = (
    ("alert", QT_TRANSLATE_NOOP("CaseForm", "Alert")),
    ("confusion", QT_TRANSLATE_NOOP("CaseForm", "New confusion")),
    ("voice", QT_TRANSLATE_NOOP("CaseForm", "Responds to voice")),
    ("pain", QT_TRANSLATE_NOOP("CaseForm", "Responds to pain")),
    ("unresponsive", QT_TRANSLATE_NOOP("CaseForm", "Unresponsive")),
)
_SPECIALTIES = {
    "general_medicine": QT_TRANSLATE_NOOP("CaseForm", "General medicine"),
    "cardiology": QT_TRANSLATE_NOOP("CaseForm", "Cardiology"),
    "dermatology": QT_TRANSLATE_NOOP("CaseForm", "Dermatology"),
    "paediatrics": QT_TRANSLATE_NOOP("CaseForm", "Paediatrics"),
    "obstetrics_gynaecology": QT_TRANSLATE_NOOP("CaseForm", "Obstetrics and gynaecology"),
    "ophthalmology": QT_TRANSLATE_NOOP("CaseForm", "Ophthalmology"),
    "ent": QT_TRANSLATE_NOOP("CaseForm", "ENT"),
    "orthopaedics": QT_TRANSLATE_NOOP("CaseForm", "Orthopaedics"),
    "psychiatry": QT_TRANSLATE_NOOP("CaseForm", "Psychiatry"),
    "pulmonology": QT_TRANSLATE_NOOP("CaseForm", "Pulmonology"),
    "endocrinology": QT_TRANSLATE_NOOP("CaseForm", "Endocrinology"),
    "neurology": QT_TRANSLATE_NOOP("CaseForm", "Neurology"),
    "surgery": QT_TRANSLATE_NOOP("CaseForm", "Surgery"),
    "dental": QT_TRANSLATE_NOOP("CaseForm", "Dental"),
}
_RISK = {
    "low": QT_TRANSLATE_NOOP("CaseForm", "low risk"),
    "low_medium": QT_TRANSLATE_NOOP("CaseForm", "low–medium risk: one sign scores 3"),
    "medium": QT_TRANSLATE_NOOP("CaseForm", "medium risk"),
    "high": QT_TRANSLATE_NOOP("CaseForm", "high risk"),
}
_NEWS2_PARTS = {
    "resp_rate": ct.RESP_RATE,
    "spo2": ct.SPO2,
    "systolic": ct.SYSTOLIC,
    "pulse": ct.PULSE,
    "temperature": ct.TEMPERATURE,
    "temperature_c": ct.TEMPERATURE,
}
_PRIORITY_RANK = {Priority.ROUTINE: 0, Priority.URGENT: 1, Priority.EMERGENCY: 2}


def _tr(text: str) -> str:
    return QCoreApplication.translate("CaseForm", text)


def specialty_name(key: str, english: str = "") -> str:
    return _tr(_SPECIALTIES[key]) if key in _SPECIALTIES else (english or key)


class CaseForm(QWidget):
    def __init__(
        self,
        session: Session,
        navigator: Navigator,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("CaseForm")
        self._session = session
        self._navigator = navigator
        self.case_id: CaseId | None = None
        self.case: Case | None = None
        self.detail: Any = None
        self._loaded = False
        self._filling = False
        self._saving = False
        self._resave = False
        self._dirty = False
        self._reload_after_save = False
        self._patient_name = ""

        # --- header (outside the scroll area: always visible) -----------------------------
        self.patient_label = QLabel()
        font = self.patient_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        self.patient_label.setFont(font)
        self.patient_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.patient_detail = QLabel()
        self.patient_detail.setObjectName("mutedText")
        self.status_badge = Badge()
        self.status_badge.setObjectName("caseStatus")
        self.priority_badge = Badge()
        self.save_indicator = QLabel()
        self.save_indicator.setObjectName("saveIndicator")
        self.save_indicator.setWordWrap(True)
        self.save_indicator.setAlignment(
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        )
        self.back_button = QPushButton(self.tr("&Patient record"))
        self.back_button.setObjectName("openPatient")
        self.back_button.clicked.connect(self._open_patient)

        head = QHBoxLayout()
        names = QVBoxLayout()
        names.setSpacing(2)
        names.addWidget(self.patient_label)
        names.addWidget(self.patient_detail)
        head.addLayout(names, 1)
        head.addWidget(self.status_badge, 0, Qt.AlignmentFlag.AlignVCenter)
        head.addWidget(self.priority_badge, 0, Qt.AlignmentFlag.AlignVCenter)
        head.addWidget(self.save_indicator, 0, Qt.AlignmentFlag.AlignVCenter)
        head.addWidget(self.back_button, 0, Qt.AlignmentFlag.AlignVCenter)

        self.urgent_banner = QLabel()
        self.urgent_banner.setObjectName("urgentBanner")
        self.urgent_banner.setWordWrap(True)
        banner_font = self.urgent_banner.font()
        banner_font.setBold(True)
        banner_font.setPointSizeF(banner_font.pointSizeF() * 1.15)
        self.urgent_banner.setFont(banner_font)
        self.urgent_banner.setStyleSheet(
            "QLabel#urgentBanner { background: #b3261e; color: #ffffff; border-radius: 6px;"
            " padding: 10px 14px; }"
        )
        self.urgent_banner.setVisible(False)

        self.read_only_note = QLabel()
        self.read_only_note.setObjectName("hintText")
        self.read_only_note.setWordWrap(True)
        self.read_only_note.setVisible(False)

        # --- 1. consent --------------------------------------------------------------------
        self.consent_box = QGroupBox(self.tr("1. Consent"))
        self.consent_given_by = QLineEdit()
        self.consent_given_by.setObjectName("consentGivenBy")
        self.consent_relationship = QComboBox()
        self.consent_relationship.setEditable(True)
        for key, label in _RELATIONSHIPS:
            self.consent_relationship.addItem(_tr(label), key)
        self.consent_method = QComboBox()
        for method, label in _METHODS:
            self.consent_method.addItem(_tr(label), method.value)
        self.consent_witness = QLineEdit(session.user.display_name)
        self.consent_button = QPushButton(self.tr("Record &consent"))
        self.consent_button.setObjectName("recordConsent")
        self.consent_button.clicked.connect(self.record_consent)
        self.consent_given_by.returnPressed.connect(self.record_consent)
        self.consent_witness.returnPressed.connect(self.record_consent)
        self.consent_status = QLabel()
        self.consent_status.setObjectName("consentStatus")
        self.consent_status.setWordWrap(True)
        consent_form = self._form(self.consent_box)
        self._row(consent_form, self.tr("Consent &given by:"), self.consent_given_by)
        self._row(consent_form, self.tr("Re&lationship:"), self.consent_relationship)
        self._row(consent_form, self.tr("&Method:"), self.consent_method)
        self._row(consent_form, self.tr("&Witness:"), self.consent_witness)
        consent_actions = QHBoxLayout()
        consent_actions.addWidget(self.consent_button)
        consent_actions.addWidget(self.consent_status, 1)
        consent_form.addRow(consent_actions)

        # --- 2. complaint, history, examination ----------------------------------------------
        self.notes_box = QGroupBox(self.tr("2. Complaint, history and examination"))
        self.complaint_edit = QLineEdit()
        self.complaint_edit.setObjectName("chiefComplaint")
        self.complaint_edit.setPlaceholderText(self.tr("e.g. chest pain since 2 days"))
        self.history_edit = self._text_edit("history")
        self.examination_edit = self._text_edit("examination")
        notes_form = self._form(self.notes_box)
        self._row(notes_form, self.tr("C&hief complaint:"), self.complaint_edit)
        self._row(notes_form, self.tr("Histor&y:"), self.history_edit)
        self._row(notes_form, self.tr("E&xamination:"), self.examination_edit)

        # --- 3. vitals and NEWS2 -----------------------------------------------------------
        self.vitals_box = QGroupBox(self.tr("3. Vital signs"))
        self.vitals = VitalsPanel(session)
        self.vitals.readings_changed.connect(self.reload)
        self.device_readings = DeviceReadingsPanel(session)
        self.device_readings.kept.connect(self.vitals.refresh_device_names)
        self.device_readings.kept.connect(self.reload)
        self.consciousness_combo = QComboBox()
        self.consciousness_combo.setObjectName("consciousness")
        for key, label in _CONSCIOUSNESS:
            self.consciousness_combo.addItem(_tr(label), key)
        self.on_oxygen_check = QCheckBox(self.tr("On o&xygen"))
        self.on_oxygen_check.setObjectName("onOxygen")
        self.news2_label = QLabel()
        self.news2_label.setObjectName("news2")
        self.news2_label.setWordWrap(True)
        news_font = self.news2_label.font()
        news_font.setBold(True)
        self.news2_label.setFont(news_font)
        self.news2_missing = QLabel()
        self.news2_missing.setObjectName("mutedText")
        self.news2_missing.setWordWrap(True)
        acvpu = QHBoxLayout()
        acvpu_label = QLabel(self.tr("Co&nsciousness (ACVPU):"))
        acvpu_label.setBuddy(self.consciousness_combo)
        acvpu.addWidget(acvpu_label)
        acvpu.addWidget(self.consciousness_combo)
        acvpu.addSpacing(16)
        acvpu.addWidget(self.on_oxygen_check)
        acvpu.addStretch(1)
        vitals_layout = QVBoxLayout(self.vitals_box)
        vitals_layout.addWidget(self.device_readings)
        vitals_layout.addWidget(self.vitals)
        vitals_layout.addLayout(acvpu)
        vitals_layout.addWidget(self.news2_label)
        vitals_layout.addWidget(self.news2_missing)

        # --- 4. attachments ----------------------------------------------------------------
        self.attachments_box = QGroupBox(self.tr("4. Photos and reports"))
        self.attachments_list = QListWidget()
        self.attachments_list.setObjectName("attachments")
        self.attachments_list.setSizePolicy(
            QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Maximum
        )
        self.attach_button = QPushButton(self.tr("&Attach photo or report…"))
        self.attach_button.setObjectName("attachFile")
        self.attach_button.clicked.connect(self.choose_attachment)
        self.attachments_message = QLabel()
        self.attachments_message.setWordWrap(True)
        self.attachments_message.setVisible(False)
        self.attachments_empty = QLabel(self.tr("Nothing attached yet."))
        self.attachments_empty.setObjectName("mutedText")
        att_layout = QVBoxLayout(self.attachments_box)
        att_layout.addWidget(self.attachments_empty)
        att_layout.addWidget(self.attachments_list)
        att_row = QHBoxLayout()
        att_row.addWidget(self.attach_button)
        att_row.addWidget(self.attachments_message, 1)
        att_row.addStretch()
        att_layout.addLayout(att_row)

        # --- 5. queue to the hub -----------------------------------------------------------
        self.queue_box = QGroupBox(self.tr("5. Send to the hub"))
        self.specialty_combo = QComboBox()
        self.specialty_combo.setObjectName("specialty")
        self.specialty_combo.addItem(self.tr("— choose specialty —"), "")
        self.priority_combo = QComboBox()
        self.priority_combo.setObjectName("priority")
        for priority in (Priority.ROUTINE, Priority.URGENT, Priority.EMERGENCY):
            self.priority_combo.addItem(priority_text(priority), priority.value)
        self.priority_note = QLabel()
        self.priority_note.setObjectName("mutedText")
        self.priority_note.setWordWrap(True)
        self.problems_label = QLabel(self.tr("Before this case can be queued:"))
        self.problems_list = QListWidget()
        self.problems_list.setObjectName("problems")
        self.problems_list.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Maximum)
        self.problems_list.itemActivated.connect(self._go_to_problem)
        self.queue_button = QPushButton(self.tr("&Queue to hub"))
        self.queue_button.setObjectName("queueToHub")
        self.queue_button.setProperty("primary", True)
        self.queue_button.clicked.connect(self.queue_case)
        self.queue_message = QLabel()
        self.queue_message.setWordWrap(True)
        self.queue_message.setVisible(False)
        queue_form = self._form(self.queue_box)
        self._row(queue_form, self.tr("&Specialty:"), self.specialty_combo)
        prio_row = QHBoxLayout()
        prio_row.addWidget(self.priority_combo)
        prio_row.addWidget(self.priority_note, 1)
        prio_label = QLabel(self.tr("P&riority:"))
        prio_label.setBuddy(self.priority_combo)
        queue_form.addRow(prio_label, prio_row)
        queue_form.addRow(self.problems_label)
        queue_form.addRow(self.problems_list)
        queue_row = QHBoxLayout()
        queue_row.addWidget(self.queue_button)
        queue_row.addWidget(self.queue_message, 1)
        queue_row.addStretch()
        queue_form.addRow(queue_row)

        # --- assembly ----------------------------------------------------------------------
        body = QWidget()
        body_layout = QVBoxLayout(body)
        for box in (
            self.consent_box,
            self.notes_box,
            self.vitals_box,
            self.attachments_box,
            self.queue_box,
        ):
            body_layout.addWidget(box)
        body_layout.addStretch(1)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setWidget(body)

        outer = QVBoxLayout(self)
        outer.addLayout(head)
        outer.addWidget(self.urgent_banner)
        outer.addWidget(self.read_only_note)
        outer.addWidget(self.scroll, 1)

        chain: list[QWidget] = [
            self.consent_given_by,
            self.consent_relationship,
            self.consent_method,
            self.consent_witness,
            self.consent_button,
            self.complaint_edit,
            self.history_edit,
            self.examination_edit,
            self.vitals,
            self.consciousness_combo,
            self.on_oxygen_check,
            self.attachments_list,
            self.attach_button,
            self.specialty_combo,
            self.priority_combo,
            self.problems_list,
            self.queue_button,
            self.back_button,
        ]
        for first, second in itertools.pairwise(chain):
            self.setTabOrder(first, second)

        self._autosave = QTimer(self)
        self._autosave.setSingleShot(True)
        self._autosave.setInterval(AUTOSAVE_MS)
        self._autosave.timeout.connect(self.save_now)
        self.complaint_edit.textChanged.connect(self._on_edited)
        self.history_edit.textChanged.connect(self._on_edited)
        self.examination_edit.textChanged.connect(self._on_edited)
        self.specialty_combo.currentIndexChanged.connect(self._on_edited)
        self.priority_combo.currentIndexChanged.connect(self._on_edited)
        self.consciousness_combo.currentIndexChanged.connect(self._on_news2_input_changed)
        self.on_oxygen_check.toggled.connect(self._on_news2_input_changed)

        self._load_specialties()

    # --- helpers -----------------------------------------------------------------------------

    @staticmethod
    def _form(box: QGroupBox) -> QFormLayout:
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return form

    @staticmethod
    def _row(form: QFormLayout, text: str, field: QWidget) -> None:
        label = QLabel(text)
        label.setBuddy(field)
        form.addRow(label, field)

    def _text_edit(self, name: str) -> QPlainTextEdit:
        edit = QPlainTextEdit()
        edit.setObjectName(name)
        edit.setTabChangesFocus(True)  # keyboard users move on with Tab
        # Four lines tall at any font size; longer notes scroll inside the box.
        edit.setFixedHeight(edit.fontMetrics().lineSpacing() * 4 + 16)
        edit.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        return edit

    def title(self) -> str:
        if self._patient_name:
            return self.tr("Case: %1").replace("%1", self._patient_name)
        return self.tr("Case")

    def page_activated(self) -> None:
        if self.case_id is not None:
            self.device_readings.set_case(self.case_id)
            self.reload()

    def load(self, case_id: str) -> None:
        """Show ``case_id``; the form is reused, so unsaved text of the last case goes first."""
        if self._dirty and self.case_id is not None and not self.is_read_only():
            self.save_now()
        self._autosave.stop()
        self.case_id = CaseId(case_id)
        self.case = None
        self.detail = None
        self._loaded = False
        self._dirty = False
        self._resave = False
        self._patient_name = ""
        self._filling = True
        for edit in (self.complaint_edit, self.consent_given_by):
            edit.clear()
        self.history_edit.clear()
        self.examination_edit.clear()
        self.consent_witness.setText(self._session.user.display_name)
        self.consent_relationship.setCurrentIndex(0)
        self.consent_method.setCurrentIndex(0)
        self._filling = False
        self.save_indicator.setText("")
        self.urgent_banner.setVisible(False)
        self._show_queue_message("", False)
        self._show_attachment_message("", False)
        self.vitals.set_case(self.case_id)
        self.vitals.set_readings([])
        self.device_readings.set_case(self.case_id)
        self.scroll.verticalScrollBar().setValue(0)
        self.reload()

    def hideEvent(self, event: QHideEvent) -> None:
        # Leaving the form must not leave up to two seconds of typing unsaved.
        if self._dirty and self._autosave.isActive():
            self.save_now()
        self.device_readings.release()
        super().hideEvent(event)

    def _open_patient(self) -> None:
        if self.case is not None:
            self._navigator.open_patient(self.case.patient_id)

    def is_read_only(self) -> bool:
        return self.case is not None and self.case.status != CaseStatus.DRAFT

    # --- loading -----------------------------------------------------------------------------

    def _load_specialties(self) -> None:
        reference = self._session.services.reference
        Op(self, reference.specialties).success(self._on_specialties).run()

    def _on_specialties(self, specialties: list[Any]) -> None:
        self._filling = True
        current = self.specialty_combo.currentData()
        for spec in specialties:
            self.specialty_combo.addItem(specialty_name(spec.key, spec.name), spec.key)
        wanted = self.case.specialty if self.case is not None else current
        self._select_data(self.specialty_combo, wanted or "")
        self._filling = False

    def reload(self) -> None:
        if self.case_id is None:
            return
        services, user, cid = self._session.services, self._session.user, self.case_id
        Op(self, lambda: services.cases.detail(user, cid)).success(self._apply_detail).run()

    def _apply_detail(self, detail: Any) -> None:
        if detail.case.id != self.case_id:
            return  # an answer for the case shown before this one
        self.detail = detail
        case: Case = detail.case
        self.case = case
        patient = detail.patient
        self._patient_name = patient.name
        self.patient_label.setText(
            patient.name + (f"  ·  {patient.name_alt}" if patient.name_alt else "")
        )
        today = self._session.services.clock().astimezone().date()
        parts = [ct.sex_age(patient, today)]
        if patient.address.village:
            parts.append(patient.address.village)
        self.patient_detail.setText(" · ".join(parts))
        self.status_badge.set_status(case.status)
        self.priority_badge.set_priority(case.priority)

        self._filling = True
        if not self._loaded or not self._dirty:
            # Fill the text only when there is nothing typed-but-unsaved to overwrite.
            if not self._loaded or self.complaint_edit.text() != case.chief_complaint:
                self.complaint_edit.setText(case.chief_complaint)
            if not self._loaded or self.history_edit.toPlainText() != case.history:
                self.history_edit.setPlainText(case.history)
            if not self._loaded or self.examination_edit.toPlainText() != case.examination:
                self.examination_edit.setPlainText(case.examination)
            self._select_data(self.specialty_combo, case.specialty)
            self._select_data(self.priority_combo, case.priority.value)
        if not self._loaded:
            self._select_data(self.consciousness_combo, case.consciousness)
            self.on_oxygen_check.setChecked(case.on_oxygen)
            if case.consent is None:
                self.consent_given_by.setText(patient.name)
            else:
                consent = case.consent
                self.consent_given_by.setText(consent.given_by)
                self.consent_witness.setText(consent.witness)
                self._select_data(self.consent_method, str(consent.method))
                index = self.consent_relationship.findData(consent.relationship)
                if index >= 0:
                    self.consent_relationship.setCurrentIndex(index)
                else:
                    self.consent_relationship.setEditText(consent.relationship)
        self._filling = False
        self._loaded = True

        self._show_consent(case)
        self.vitals.set_readings(list(detail.observations))
        self._show_news2(detail.news2)
        self._show_attachments(list(detail.attachments))
        self._show_problems(list(detail.problems_before_queue))
        self._apply_read_only()

    @staticmethod
    def _select_data(combo: QComboBox, data: str) -> None:
        index = combo.findData(data)
        if index >= 0:
            combo.setCurrentIndex(index)

    # --- consent -----------------------------------------------------------------------------

    def _show_consent(self, case: Case) -> None:
        consent = case.consent
        if consent is None:
            self.consent_status.setText(self.tr("Not recorded yet."))
            self.consent_status.setStyleSheet(f"color: {ERROR_FG};")
            return
        method = next((_tr(label) for m, label in _METHODS if m == consent.method), consent.method)
        relation = next(
            (_tr(label) for key, label in _RELATIONSHIPS if key == consent.relationship),
            consent.relationship,
        )
        self.consent_status.setText(
            self.tr("✓ Recorded at %1: %2 consent from %3 (%4), witnessed by %5.")
            .replace("%1", ct.local_time(consent.recorded_at))
            .replace("%2", str(method).lower())
            .replace("%3", consent.given_by)
            .replace("%4", str(relation).lower())
            .replace("%5", consent.witness)
        )
        self.consent_status.setStyleSheet("color: #0d5223;")
        self.consent_button.setText(self.tr("Update &consent"))

    def record_consent(self) -> None:
        if self.is_read_only() or self.case_id is None:
            return
        typed = self.consent_relationship.currentText().strip()
        # A listed relationship is stored as its key; anything typed is kept as typed.
        relationship = next(
            (key for key, label in _RELATIONSHIPS if _tr(label) == typed or key == typed), typed
        )
        given_by = self.consent_given_by.text().strip()
        witness = self.consent_witness.text().strip()
        if not given_by or not witness:
            self.consent_status.setText(self.tr("⚠ Enter who gave consent and who witnessed it."))
            self.consent_status.setStyleSheet(f"color: {ERROR_FG};")
            return
        method = ConsentMethod(str(self.consent_method.currentData()))
        services, user, cid = self._session.services, self._session.user, self.case_id
        (
            Op(
                self,
                lambda: services.cases.record_consent(
                    user,
                    cid,
                    given_by=given_by,
                    relationship=str(relationship),
                    method=method,
                    witness=witness,
                ),
            )
            .success(lambda _case: self.reload())
            .failure(self._on_consent_failed)
            .run()
        )

    def _on_consent_failed(self, exc: BaseException) -> bool:
        self.consent_status.setText(f"⚠ {error_text(exc)}")
        self.consent_status.setStyleSheet(f"color: {ERROR_FG};")
        return True

    # --- autosave ----------------------------------------------------------------------------

    def _on_edited(self, *_args: object) -> None:
        self.priority_badge.set_priority(str(self.priority_combo.currentData()))
        if self._filling or self.is_read_only():
            return
        self._dirty = True
        self._autosave.start()
        self.save_indicator.setStyleSheet("")
        self.save_indicator.setText(self.tr("Editing…"))

    def _on_news2_input_changed(self, *_args: object) -> None:
        if self._filling or self.is_read_only():
            return
        self._reload_after_save = True
        self._dirty = True
        self.save_now()

    def _fields(self) -> dict[str, Any]:
        return {
            "chief_complaint": self.complaint_edit.text(),
            "history": self.history_edit.toPlainText(),
            "examination": self.examination_edit.toPlainText(),
            "specialty": str(self.specialty_combo.currentData() or ""),
            "priority": Priority(str(self.priority_combo.currentData())),
            "on_oxygen": self.on_oxygen_check.isChecked(),
            "consciousness": str(self.consciousness_combo.currentData()),
        }

    def save_now(self) -> None:
        """Save the editable fields now (the autosave timer calls this)."""
        self._autosave.stop()
        if self.is_read_only() or self.case_id is None or not self._loaded:
            return
        if self._saving:
            self._resave = True
            return
        fields = self._fields()
        self._saving = True
        self._dirty = False
        services, user, cid = self._session.services, self._session.user, self.case_id
        (
            Op(self, lambda: services.cases.save_draft(user, cid, **fields))
            .success(self._on_saved)
            .failure(self._on_save_failed)
            .run()
        )

    def _on_saved(self, case: Case) -> None:
        self._saving = False
        if case.id != self.case_id:
            return  # the last case's final save; this form shows another one now
        self.case = case
        now = self._session.services.clock().astimezone()
        self.save_indicator.setStyleSheet("color: #0d5223;")
        self.save_indicator.setText(self.tr("Saved %1").replace("%1", now.strftime("%H:%M:%S")))
        if self._resave or self._dirty:
            self._resave = False
            self.save_now()
            return
        self._reload_after_save = False
        self.reload()  # NEWS2 and the problems list follow what was saved

    def _on_save_failed(self, exc: BaseException) -> bool:
        self._saving = False
        if self.case_id is None:
            return True
        self._resave = False
        self._dirty = True  # the text on screen is still unsaved; the next edit retries
        self.save_indicator.setStyleSheet(f"color: {ERROR_FG};")
        self.save_indicator.setText(self.tr("⚠ Not saved: %1").replace("%1", error_text(exc)))
        return True

    def save_indicator_text(self) -> str:
        return self.save_indicator.text()

    # --- NEWS2 -------------------------------------------------------------------------------

    def _show_news2(self, result: Any) -> None:
        if result is None:
            self.news2_label.setText("")
            self.news2_missing.setText("")
            self.urgent_banner.setVisible(False)
            return
        if not result.applicable:
            self.news2_label.setText(self.tr("NEWS2 does not apply under 16 years of age."))
            self.news2_missing.setText("")
            self.urgent_banner.setVisible(False)
            return
        risk = _tr(_RISK[result.risk]) if result.risk in _RISK else result.risk
        self.news2_label.setText(
            self.tr("NEWS2 %1 — %2").replace("%1", str(result.total)).replace("%2", risk)
        )
        missing = [ct.vital_name(_NEWS2_PARTS.get(m, m)) for m in result.missing]
        self.news2_missing.setText(
            self.tr("Not yet measured (counted as 0): %1").replace("%1", ", ".join(missing))
            if missing
            else ""
        )
        self.news2_missing.setVisible(bool(missing))
        self.urgent_banner.setVisible(bool(result.urgent))
        if result.urgent:
            self.urgent_banner.setText(
                self.tr(
                    "⚠ Urgent teleconsultation: NEWS2 %1. Queue this case as urgent and call"
                    " the hub if the patient gets worse."
                ).replace("%1", str(result.total))
            )
            self.priority_note.setText(self.tr("NEWS2 is urgent: priority is at least urgent."))
            self._raise_priority_for_news2()
        else:
            self.priority_note.setText("")

    def _raise_priority_for_news2(self) -> None:
        current = Priority(str(self.priority_combo.currentData()))
        if _PRIORITY_RANK[current] < _PRIORITY_RANK[Priority.URGENT] and not self.is_read_only():
            self._select_data(self.priority_combo, Priority.URGENT.value)  # saves via _on_edited

    # --- attachments -------------------------------------------------------------------------

    def _show_attachments(self, attachments: list[Any]) -> None:
        self.attachments_list.clear()
        for att in attachments:
            size_kb = max(1, round(att.size / 1024))
            details = [att.filename]
            if att.width and att.height:
                details.append(f"{att.width}×{att.height}")
            details.append(self.tr("%1 KB").replace("%1", str(size_kb)))
            details.append(ct.local_time(att.created_at))
            item = QListWidgetItem(" · ".join(details))
            item.setData(Qt.ItemDataRole.UserRole, att.id)
            self.attachments_list.addItem(item)
        has = bool(attachments)
        self.attachments_list.setVisible(has)
        self.attachments_empty.setVisible(not has)
        if has:
            rows = min(len(attachments), 5)
            self.attachments_list.setFixedHeight(
                self.attachments_list.sizeHintForRow(0) * rows
                + 2 * self.attachments_list.frameWidth()
                + 4
            )

    def choose_attachment(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("Attach photo or report"),
            "",
            self.tr("Photos and reports (*.jpg *.jpeg *.png *.webp *.pdf);;All files (*)"),
        )
        if path:
            self.attach_file(Path(path))

    def attach_file(self, path: Path) -> None:
        if self.is_read_only() or self.case_id is None:
            return
        services, user, cid = self._session.services, self._session.user, self.case_id
        self.attach_button.setEnabled(False)
        self._show_attachment_message(self.tr("Preparing %1…").replace("%1", path.name), False)
        (
            Op(self, lambda: services.cases.add_attachment(user, cid, path))
            .success(lambda _att: self._on_attached())
            .failure(self._on_attach_failed)
            .run()
        )

    def _on_attached(self) -> None:
        self.attach_button.setEnabled(not self.is_read_only())
        self._show_attachment_message("", False)
        self.reload()

    def _on_attach_failed(self, exc: BaseException) -> bool:
        self.attach_button.setEnabled(not self.is_read_only())
        self._show_attachment_message(f"⚠ {error_text(exc)}", True)
        return True

    def _show_attachment_message(self, text: str, error: bool) -> None:
        self.attachments_message.setStyleSheet(f"color: {ERROR_FG};" if error else "")
        self.attachments_message.setText(text)
        self.attachments_message.setVisible(bool(text))

    # --- queueing ----------------------------------------------------------------------------

    def _show_problems(self, problems: list[Any]) -> None:
        self.problems_list.clear()
        for problem in problems:
            item = QListWidgetItem(f"• {error_text(problem)}")
            item.setData(Qt.ItemDataRole.UserRole, getattr(problem, "code", ""))
            self.problems_list.addItem(item)
        has = bool(problems) and not self.is_read_only()
        self.problems_label.setText(
            self.tr("Before this case can be queued (Enter on a line goes there):")
            if problems
            else self.tr("✓ Ready to queue.")
        )
        self.problems_label.setVisible(not self.is_read_only())
        self.problems_list.setVisible(has)
        if has:
            self.problems_list.setFixedHeight(
                self.problems_list.sizeHintForRow(0) * len(problems)
                + 2 * self.problems_list.frameWidth()
                + 4
            )

    def problems(self) -> list[str]:
        return [
            str(self.problems_list.item(i).data(Qt.ItemDataRole.UserRole))
            for i in range(self.problems_list.count())
        ]

    def _go_to_problem(self, item: QListWidgetItem) -> None:
        target: QWidget = {
            "case.consent_required": self.consent_given_by,
            "case.complaint_required": self.complaint_edit,
            "case.specialty_required": self.specialty_combo,
        }.get(str(item.data(Qt.ItemDataRole.UserRole)), self.complaint_edit)
        self.scroll.ensureWidgetVisible(target)
        target.setFocus(Qt.FocusReason.OtherFocusReason)

    def queue_case(self) -> None:
        if self.is_read_only() or self.case_id is None:
            return
        self._autosave.stop()
        fields = self._fields()
        specialty = fields["specialty"]
        priority = fields["priority"]
        services, user, cid = self._session.services, self._session.user, self.case_id

        def save_and_queue() -> Case:
            services.cases.save_draft(user, cid, **fields)
            return services.cases.queue(user, cid, specialty=specialty, priority=priority)

        self.queue_button.setEnabled(False)
        self._show_queue_message("", False)
        (Op(self, save_and_queue).success(self._on_queued).failure(self._on_queue_failed).run())

    def _on_queued(self, case: Case) -> None:
        if case.id != self.case_id:
            return
        self._dirty = False
        self.case = case
        self._session.services.sync.nudge()  # non-blocking: the worker sends it soon
        name = specialty_name(case.specialty)
        self._navigator.status_message(
            self.tr("Case queued to %1 — it will be sent when the network is back.").replace(
                "%1", name
            )
        )
        self.reload()

    def _on_queue_failed(self, exc: BaseException) -> bool:
        self.queue_button.setEnabled(True)
        if isinstance(exc, ValidationFailed):
            self._show_problems(list(exc.issues))
            self._show_queue_message(self.tr("⚠ Not queued yet: see the list above."), True)
            if self.problems_list.count():
                self.problems_list.setCurrentRow(0)
                self.problems_list.setFocus()
            return True
        self._show_queue_message(f"⚠ {error_text(exc)}", True)
        return True

    def _show_queue_message(self, text: str, error: bool) -> None:
        self.queue_message.setStyleSheet(f"color: {ERROR_FG};" if error else "")
        self.queue_message.setText(text)
        self.queue_message.setVisible(bool(text))

    # --- read-only once queued -----------------------------------------------------------------

    def _apply_read_only(self) -> None:
        read_only = self.is_read_only()
        for edit in (self.complaint_edit, self.consent_given_by, self.consent_witness):
            edit.setReadOnly(read_only)
        for text in (self.history_edit, self.examination_edit):
            text.setReadOnly(read_only)
        for widget in (
            self.consent_relationship,
            self.consent_method,
            self.consent_button,
            self.consciousness_combo,
            self.on_oxygen_check,
            self.attach_button,
            self.specialty_combo,
            self.priority_combo,
        ):
            widget.setEnabled(not read_only)
        self.vitals.set_editable(not read_only)
        self.device_readings.set_editable(not read_only)
        self.queue_button.setVisible(not read_only)
        self.queue_button.setEnabled(not read_only)
        if read_only and self.case is not None:
            self.problems_label.setVisible(False)
            self.problems_list.setVisible(False)
            note = status_text(self.case.status)
            if self.case.specialty:
                note = (
                    self.tr("%1 · %2, %3")
                    .replace("%1", note)
                    .replace("%2", specialty_name(self.case.specialty))
                    .replace("%3", priority_text(self.case.priority).lower())
                )
            self.read_only_note.setText(note)
            self.read_only_note.setVisible(True)
            self.save_indicator.setText("")
        else:
            self.read_only_note.setVisible(False)

    def status_text(self) -> str:
        return self.read_only_note.text() if self.read_only_note.isVisible() else ""
