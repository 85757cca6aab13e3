"""Register a new patient, with field-by-field validation and a live duplicate check.

Nothing here decides what is valid or who is a duplicate: the draft goes to
``services.patients`` (through ``Op``) and the dialog shows, next to each field, the translated
message for every issue the service reports. Typed text is never cleared by an error. The
duplicate check is debounced and the newest answer wins; when the service still suspects a
duplicate on Save, the person must tick "Register as a new patient anyway".

Signals: ``patient_registered(pid)`` after a save, ``existing_patient_chosen(pid)`` when the
person picks an existing record instead. GUI thread only; services run on workers.
"""

from __future__ import annotations

import itertools
from datetime import date
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDate, QSize, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import DomainError, ValidationFailed
from app.domain.models import Address, Patient, PatientDraft, Sex
from app.ui.clinical_text import format_abha, mask_phone, match_reasons, sex_age, sex_long
from app.ui.messages import error_text
from app.ui.tasks import Op

if TYPE_CHECKING:
    from app.ui.session import Session

DUPLICATE_DEBOUNCE_MS = 350
FORM_SAVE_DEBOUNCE_MS = 1500
ERROR_STYLE = "color: #9b1c1c;"

# Where each issue belongs on the form: by the issue's ``field``, else by its code.
_FIELD_ALIASES = {
    "age_years": "age",
    "birth_date": "age",
    "address.village": "village",
    "address.state": "state",
    "address.district": "district",
    "address.sub_district": "sub_district",
    "address.line": "line",
    "address.pincode": "line",
}
_CODE_FIELDS = {
    "patient.name_required": "name",
    "patient.sex_required": "sex",
    "patient.age_required": "age",
    "patient.age_range": "age",
    "patient.birth_date_future": "age",
    "patient.phone_invalid": "phone",
    "patient.village_required": "village",
    "abha.length": "abha_number",
    "abha.characters": "abha_number",
    "abha.checksum": "abha_number",
    "abha_address.invalid": "abha_address",
}


class _Field(QWidget):
    """An editor with its own error line beneath it, so a message sits next to its field."""

    def __init__(self, editor: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editor = editor
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setVisible(False)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        box.addWidget(editor)
        box.addWidget(self.error)
        self.setFocusProxy(editor)

    def set_error(self, text: str) -> None:
        # The "⚠" keeps the meaning when colour is not seen.
        self.error.setText(f"⚠ {text}" if text else "")
        self.error.setVisible(bool(text))
        self.editor.setAccessibleDescription(text)


class RegistrationDialog(QDialog):
    patient_registered = Signal(str)
    existing_patient_chosen = Signal(str)

    def __init__(
        self, session: Session, parent: QWidget | None = None, initial_name: str = ""
    ) -> None:
        super().__init__(parent)
        self.setObjectName("RegistrationDialog")
        self.setWindowTitle(self.tr("Register new patient"))
        self._session = session
        self._dup_seq = 0
        self._saving = False
        self.registered: Patient | None = None
        today = session.services.clock().astimezone().date()

        # --- person ----------------------------------------------------------------------
        self.name_edit = QLineEdit(initial_name)
        self.name_edit.setPlaceholderText(self.tr("As the patient says it, any script"))
        self.name_alt_edit = QLineEdit()
        self.name_alt_edit.setPlaceholderText(self.tr("e.g. रमेश कुमार or Ramesh Kumar"))
        self.guardian_edit = QLineEdit()
        self.guardian_edit.setPlaceholderText(self.tr("Father, husband or mother"))
        self.sex_combo = QComboBox()
        self.sex_combo.addItem(self.tr("— choose —"), "")
        for sex in (Sex.MALE, Sex.FEMALE, Sex.OTHER):
            self.sex_combo.addItem(sex_long(sex), sex.value)
        self.age_edit = QLineEdit()
        self.age_edit.setPlaceholderText(self.tr("e.g. 45"))
        self.dob_check = QCheckBox(self.tr("Date of &birth known"))
        self.dob_edit = QDateEdit()
        self.dob_edit.setDisplayFormat("dd/MM/yyyy")
        self.dob_edit.setCalendarPopup(True)
        self.dob_edit.setMaximumDate(QDate(today.year, today.month, today.day))
        self.dob_edit.setMinimumDate(QDate(1900, 1, 1))
        self.dob_edit.setDate(QDate(today.year - 30, 1, 1))
        self.dob_edit.setEnabled(False)
        self.dob_check.toggled.connect(self._on_dob_toggled)
        self.phone_edit = QLineEdit()
        self.phone_edit.setPlaceholderText(self.tr("10 digits"))
        self.abha_edit = QLineEdit()
        self.abha_edit.setPlaceholderText(self.tr("14 digits, XX-XXXX-XXXX-XXXX"))
        self.abha_address_edit = QLineEdit()
        self.abha_address_edit.setPlaceholderText(self.tr("name@abdm"))

        age_row = QWidget()
        age_box = QHBoxLayout(age_row)
        age_box.setContentsMargins(0, 0, 0, 0)
        age_box.addWidget(self.age_edit, 1)
        age_box.addWidget(self.dob_check)
        age_box.addWidget(self.dob_edit, 1)

        # --- address ---------------------------------------------------------------------
        self.state_combo = QComboBox()
        self.state_combo.addItem(self.tr("— choose state —"), "")
        self.district_combo = QComboBox()
        self.district_combo.addItem(self.tr("— choose district —"), "")
        self.sub_district_edit = QLineEdit()
        self.village_edit = QLineEdit()
        self.line_edit = QLineEdit()
        self.line_edit.setPlaceholderText(self.tr("House, street, landmark"))
        for combo in (self.sex_combo, self.state_combo, self.district_combo):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.setMinimumContentsLength(12)
        self.state_combo.currentIndexChanged.connect(self._on_state_changed)

        self.fields: dict[str, _Field] = {
            "name": _Field(self.name_edit),
            "name_alt": _Field(self.name_alt_edit),
            "guardian_name": _Field(self.guardian_edit),
            "sex": _Field(self.sex_combo),
            "age": _Field(age_row),
            "phone": _Field(self.phone_edit),
            "abha_number": _Field(self.abha_edit),
            "abha_address": _Field(self.abha_address_edit),
            "state": _Field(self.state_combo),
            "district": _Field(self.district_combo),
            "sub_district": _Field(self.sub_district_edit),
            "village": _Field(self.village_edit),
            "line": _Field(self.line_edit),
        }
        self.fields["age"].setFocusProxy(self.age_edit)

        person = QGroupBox(self.tr("Person"))
        person_form = self._form(person)
        self._add_row(person_form, self.tr("&Name:"), "name", self.name_edit)
        self._add_row(
            person_form, self.tr("Name in &other script:"), "name_alt", self.name_alt_edit
        )
        self._add_row(
            person_form, self.tr("&Guardian's name:"), "guardian_name", self.guardian_edit
        )
        self._add_row(person_form, self.tr("S&ex:"), "sex", self.sex_combo)
        self._add_row(person_form, self.tr("&Age in years (estimated):"), "age", self.age_edit)
        self._add_row(person_form, self.tr("&Phone:"), "phone", self.phone_edit)
        self._add_row(person_form, self.tr("ABHA n&umber:"), "abha_number", self.abha_edit)
        self._add_row(
            person_form, self.tr("ABHA a&ddress:"), "abha_address", self.abha_address_edit
        )

        place = QGroupBox(self.tr("Where they live"))
        place_form = self._form(place)
        self._add_row(place_form, self.tr("S&tate:"), "state", self.state_combo)
        self._add_row(place_form, self.tr("Dist&rict:"), "district", self.district_combo)
        self._add_row(
            place_form, self.tr("Sub-district / bloc&k:"), "sub_district", self.sub_district_edit
        )
        self._add_row(place_form, self.tr("&Village:"), "village", self.village_edit)
        self._add_row(place_form, self.tr("Address &line:"), "line", self.line_edit)

        # --- possible duplicates ---------------------------------------------------------
        self.duplicates_box = QGroupBox(self.tr("Possible existing patients"))
        self.duplicates_box.setObjectName("duplicatesBox")
        self.duplicates_box.setStyleSheet(
            "QGroupBox#duplicatesBox { border: 1px solid #c77700; border-radius: 6px;"
            " margin-top: 1.2em; padding: 6px; background: #fff8e6; }"
            "QGroupBox#duplicatesBox::title { subcontrol-origin: margin; left: 8px; }"
        )
        self.duplicates_note = QLabel(
            self.tr("This person may already be registered. Open their record if it is them.")
        )
        self.duplicates_note.setWordWrap(True)
        self.duplicates_list = QListWidget()
        self.duplicates_list.setObjectName("duplicatesList")
        self.duplicates_list.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Maximum)
        self.duplicates_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.duplicates_list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.duplicates_list.setSpacing(2)
        self.duplicates_list.itemActivated.connect(lambda _item: self.use_selected_duplicate())
        self.use_button = QPushButton(self.tr("&Use this patient"))
        self.use_button.setObjectName("useThisPatient")
        self.use_button.setAutoDefault(False)
        self.use_button.clicked.connect(self.use_selected_duplicate)
        self.confirm_new_check = QCheckBox(self.tr("Register as a new patient an&yway"))
        self.confirm_new_check.setObjectName("confirmNewPatient")
        self.confirm_new_check.setVisible(False)
        dup_layout = QVBoxLayout(self.duplicates_box)
        dup_layout.addWidget(self.duplicates_note)
        dup_layout.addWidget(self.duplicates_list)
        use_row = QHBoxLayout()
        use_row.addWidget(self.use_button)
        use_row.addStretch(1)
        use_row.addWidget(self.confirm_new_check)
        dup_layout.addLayout(use_row)
        self.duplicates_box.setVisible(False)

        # --- buttons and general messages -------------------------------------------------
        self.restored_notice = QLabel()
        self.restored_notice.setObjectName("hintText")
        self.restored_notice.setWordWrap(True)
        self.restored_notice.setVisible(False)
        self.general_error = QLabel()
        self.general_error.setObjectName("errorText")  # styled by the application sheet
        self.general_error.setWordWrap(True)
        self.general_error.setVisible(False)
        self.buttons = QDialogButtonBox()
        self.save_button = self.buttons.addButton(
            self.tr("&Save patient"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.save_button.setObjectName("savePatient")
        self.save_button.setDefault(True)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

        columns = QHBoxLayout()
        left = QVBoxLayout()
        left.addWidget(person)
        left.addStretch(1)
        columns.addLayout(left, 1)
        right = QVBoxLayout()
        right.addWidget(place)
        right.addWidget(self.duplicates_box)
        right.addStretch(1)
        columns.addLayout(right, 1)

        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.addWidget(self.restored_notice)
        body_layout.addLayout(columns)
        body_layout.addWidget(self.general_error)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)

        outer = QVBoxLayout(self)
        outer.addWidget(scroll, 1)
        outer.addWidget(self.buttons)

        line = self.fontMetrics().height()
        screen = self.screen().availableGeometry()
        self.resize(
            min(line * 58, int(screen.width() * 0.95)), min(line * 44, int(screen.height() * 0.9))
        )

        self._set_tab_order()

        self._dup_timer = QTimer(self)
        self._dup_timer.setSingleShot(True)
        self._dup_timer.setInterval(DUPLICATE_DEBOUNCE_MS)
        self._dup_timer.timeout.connect(self.check_duplicates)
        for edit in (
            self.name_edit,
            self.name_alt_edit,
            self.guardian_edit,
            self.age_edit,
            self.phone_edit,
            self.abha_edit,
            self.village_edit,
        ):
            edit.textEdited.connect(self._schedule_duplicate_check)
        self.sex_combo.currentIndexChanged.connect(self._schedule_duplicate_check)
        self.dob_edit.dateChanged.connect(self._schedule_duplicate_check)
        self.dob_check.toggled.connect(self._schedule_duplicate_check)

        # What is typed is kept every couple of seconds, so a power cut mid-form loses at most
        # that much (scenario: "the power fails mid-way through the next patient's form").
        self._pending_district = ""
        self._pending_state = ""
        self._form_timer = QTimer(self)
        self._form_timer.setSingleShot(True)
        self._form_timer.setInterval(FORM_SAVE_DEBOUNCE_MS)
        self._form_timer.timeout.connect(self.keep_form)
        for line in self.findChildren(QLineEdit):
            line.textEdited.connect(self._form_timer.start)
        for combo in (self.sex_combo, self.state_combo, self.district_combo):
            combo.activated.connect(self._form_timer.start)
        self.dob_check.toggled.connect(self._form_timer.start)
        self.dob_edit.dateChanged.connect(self._form_timer.start)

        self._load_states()
        self.name_edit.setFocus()
        if initial_name:
            self._schedule_duplicate_check()
        else:
            services, user = session.services, session.user
            Op(self, lambda: services.patients.form_draft(user)).success(self._restore).run()

    # --- layout helpers ----------------------------------------------------------------------

    @staticmethod
    def _form(box: QGroupBox) -> QFormLayout:
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        return form

    def _add_row(self, form: QFormLayout, text: str, key: str, buddy: QWidget) -> None:
        label = QLabel(text)
        label.setBuddy(buddy)
        form.addRow(label, self.fields[key])

    def _set_tab_order(self) -> None:
        chain: list[QWidget] = [
            self.name_edit,
            self.name_alt_edit,
            self.guardian_edit,
            self.sex_combo,
            self.age_edit,
            self.dob_check,
            self.dob_edit,
            self.phone_edit,
            self.abha_edit,
            self.abha_address_edit,
            self.state_combo,
            self.district_combo,
            self.sub_district_edit,
            self.village_edit,
            self.line_edit,
            self.duplicates_list,
            self.use_button,
            self.confirm_new_check,
            self.save_button,
            self.cancel_button,
        ]
        for first, second in itertools.pairwise(chain):
            self.setTabOrder(first, second)

    # --- reference data ----------------------------------------------------------------------

    def _load_states(self) -> None:
        reference = self._session.services.reference
        Op(self, reference.states).success(self._on_states).run()

    def _on_states(self, states: list[str]) -> None:
        for state in states:
            self.state_combo.addItem(state, state)
        self._apply_pending_state()

    def _on_state_changed(self, _index: int) -> None:
        state = str(self.state_combo.currentData() or "")
        self.district_combo.clear()
        self.district_combo.addItem(self.tr("— choose district —"), "")
        if not state:
            return
        reference = self._session.services.reference
        Op(self, lambda: reference.districts(state)).success(
            lambda districts: self._on_districts(state, districts)
        ).run()

    def _on_districts(self, state: str, districts: list[str]) -> None:
        if state != self.state_combo.currentData():
            return  # the state changed again meanwhile
        for district in districts:
            self.district_combo.addItem(district, district)
        if self._pending_district:
            self.district_combo.setCurrentIndex(
                max(0, self.district_combo.findData(self._pending_district))
            )
            self._pending_district = ""

    def _on_dob_toggled(self, checked: bool) -> None:
        self.dob_edit.setEnabled(checked)
        self.age_edit.setEnabled(not checked)

    # --- the draft ---------------------------------------------------------------------------

    def draft(self) -> tuple[PatientDraft, str]:
        """The form as a draft, plus a form-level message for an age that is not a number."""
        age: int | None = None
        age_problem = ""
        birth: date | None = None
        if self.dob_check.isChecked():
            birth = date.fromisoformat(self.dob_edit.date().toString(Qt.DateFormat.ISODate))
        else:
            text = self.age_edit.text().strip()
            if text:
                try:
                    age = int(text)  # int() also reads Devanagari digits such as "४५"
                except ValueError:
                    age_problem = self.tr("Write the age as a number of years, e.g. 45.")
        sex_value = str(self.sex_combo.currentData() or "")
        draft = PatientDraft(
            name=self.name_edit.text(),
            name_alt=self.name_alt_edit.text(),
            sex=Sex(sex_value) if sex_value else Sex.UNKNOWN,
            birth_date=birth,
            age_years=age,
            phone=self.phone_edit.text(),
            abha_number=self.abha_edit.text(),
            abha_address=self.abha_address_edit.text(),
            address=Address(
                state=str(self.state_combo.currentData() or ""),
                district=str(self.district_combo.currentData() or ""),
                sub_district=self.sub_district_edit.text(),
                village=self.village_edit.text(),
                line=self.line_edit.text(),
            ),
            guardian_name=self.guardian_edit.text(),
        )
        return draft, age_problem

    # --- the unfinished form, kept across a power cut ------------------------------------------

    def keep_form(self) -> None:
        draft, _problem = self.draft()
        services, user = self._session.services, self._session.user
        Op(self, lambda: services.patients.save_form_draft(user, draft)).run()

    def _forget_form(self) -> None:
        self._form_timer.stop()
        services, user = self._session.services, self._session.user
        Op(None, lambda: services.patients.save_form_draft(user, None)).run()

    def _restore(self, draft: PatientDraft | None) -> None:
        if draft is None or self.name_edit.text().strip():
            return  # nothing kept, or the person has already started typing
        self.name_edit.setText(draft.name)
        self.name_alt_edit.setText(draft.name_alt)
        self.guardian_edit.setText(draft.guardian_name)
        self.sex_combo.setCurrentIndex(max(0, self.sex_combo.findData(draft.sex.value)))
        if draft.birth_date is not None:
            self.dob_check.setChecked(True)
            b = draft.birth_date
            self.dob_edit.setDate(QDate(b.year, b.month, b.day))
        elif draft.age_years is not None:
            self.age_edit.setText(str(draft.age_years))
        self.phone_edit.setText(draft.phone)
        self.abha_edit.setText(draft.abha_number)
        self.abha_address_edit.setText(draft.abha_address)
        self.sub_district_edit.setText(draft.address.sub_district)
        self.village_edit.setText(draft.address.village)
        self.line_edit.setText(draft.address.line)
        self._pending_district = draft.address.district
        self._pending_state = draft.address.state
        self._apply_pending_state()
        self.restored_notice.setText(
            self.tr(
                "This is the registration you had not finished (the app was closed or the "
                "power went off). Check it and save, or Cancel to discard it."
            )
        )
        self.restored_notice.setVisible(True)
        self._schedule_duplicate_check()

    def _apply_pending_state(self) -> None:
        # The state list and the kept form arrive from two background loads in either order.
        index = self.state_combo.findData(self._pending_state) if self._pending_state else -1
        if index > 0:
            self._pending_state = ""
            self.state_combo.setCurrentIndex(index)  # loads districts, then applies

    def reject(self) -> None:
        self._forget_form()  # Cancel means "discard what I typed"
        super().reject()

    # --- duplicates --------------------------------------------------------------------------

    def _schedule_duplicate_check(self, *_args: object) -> None:
        self._dup_timer.start()

    def check_duplicates(self) -> None:
        self._dup_timer.stop()
        draft, _ = self.draft()
        self._dup_seq += 1
        seq = self._dup_seq
        if not (draft.name.strip() or draft.phone.strip() or draft.abha_number.strip()):
            self.show_duplicates([])
            return
        services, user = self._session.services, self._session.user
        (
            Op(self, lambda: services.patients.find_duplicates(user, draft))
            .success(lambda matches: self._on_duplicates(seq, matches))
            .failure(lambda _exc: True)  # the check is advisory; Save reports real problems
            .run()
        )

    def _on_duplicates(self, seq: int, matches: list[Any]) -> None:
        if seq == self._dup_seq:
            self.show_duplicates(matches)

    def show_duplicates(self, matches: list[Any]) -> None:
        """Show ``PatientMatch`` values (best first); hide the box when there are none."""
        self.duplicates_list.clear()
        today = self._session.services.clock().astimezone().date()
        line = self.duplicates_list.fontMetrics().lineSpacing()
        for match in matches:
            p: Patient = match.patient
            names = p.name + (f" ({p.name_alt})" if p.name_alt else "")
            facts = [sex_age(p, today)]
            if p.address.village:
                facts.append(p.address.village)
            if p.phone:
                facts.append(mask_phone(p.phone))
            if p.abha_number:
                facts.append(format_abha(p.abha_number))
            why = self.tr("Matches: %1").replace("%1", match_reasons(tuple(match.reasons)))
            item = QListWidgetItem(f"{names}\n{' · '.join(facts)}\n{why}")
            item.setToolTip(item.text())
            item.setData(Qt.ItemDataRole.UserRole, p.id)
            item.setSizeHint(QSize(0, line * 3 + line // 2 + 6))
            self.duplicates_list.addItem(item)
        if matches:
            self.duplicates_list.setCurrentRow(0)
            rows = min(len(matches), 3)
            frame = self.duplicates_list.frameWidth() * 2
            self.duplicates_list.setFixedHeight((line * 3 + line // 2 + 6) * rows + frame + 2)
        self.duplicates_box.setVisible(bool(matches))
        if not matches:
            self.confirm_new_check.setChecked(False)
            self.confirm_new_check.setVisible(False)

    def duplicate_ids(self) -> list[str]:
        return [
            str(self.duplicates_list.item(i).data(Qt.ItemDataRole.UserRole))
            for i in range(self.duplicates_list.count())
        ]

    def use_selected_duplicate(self) -> None:
        item = self.duplicates_list.currentItem() or self.duplicates_list.item(0)
        if item is None:
            return
        self._forget_form()  # the person is already registered: nothing to keep
        self.existing_patient_chosen.emit(str(item.data(Qt.ItemDataRole.UserRole)))
        self.accept()

    # --- saving ------------------------------------------------------------------------------

    def clear_errors(self) -> None:
        for field in self.fields.values():
            field.set_error("")
        self.general_error.setVisible(False)
        self.general_error.setText("")

    def field_error(self, key: str) -> str:
        field = self.fields[key]
        return field.error.text() if field.error.isVisible() or field.error.text() else ""

    def save(self) -> None:
        if self._saving:
            return
        self.clear_errors()
        draft, age_problem = self.draft()
        if age_problem:
            self.fields["age"].set_error(age_problem)
            self.age_edit.setFocus()
            return
        allow = self.confirm_new_check.isVisible() and self.confirm_new_check.isChecked()
        services, user = self._session.services, self._session.user
        self._set_saving(True)
        (
            Op(self, lambda: services.patients.register(user, draft, allow_duplicate=allow))
            .success(self._on_registered)
            .failure(self._on_save_failed)
            .run()
        )

    def _set_saving(self, saving: bool) -> None:
        self._saving = saving
        self.save_button.setEnabled(not saving)

    def _on_registered(self, patient: Patient) -> None:
        self._set_saving(False)
        self._forget_form()
        self.registered = patient
        self.patient_registered.emit(patient.id)
        self.accept()

    def _on_save_failed(self, exc: BaseException) -> bool:
        self._set_saving(False)
        if isinstance(exc, ValidationFailed):
            self.show_issues(exc.issues)
            return True
        if isinstance(exc, DomainError) and exc.code == "patient.duplicate_suspected":
            matches = getattr(exc, "matches", None)
            if matches:
                self.show_duplicates(list(matches))
            self.duplicates_box.setVisible(True)
            self.confirm_new_check.setVisible(True)
            self.confirm_new_check.setChecked(False)
            self.duplicates_note.setText(
                self.tr(
                    "This person may already be registered. Open their record with “Use this"
                    " patient”, or tick “Register as a new patient anyway” and save again."
                )
            )
            self._show_general(error_text(exc))
            self.duplicates_list.setFocus()
            return True
        self._show_general(error_text(exc))
        return True

    def _show_general(self, text: str) -> None:
        self.general_error.setText(f"⚠ {text}")
        self.general_error.setVisible(True)

    def show_issues(self, issues: list[DomainError]) -> None:
        first: QWidget | None = None
        general: list[str] = []
        for issue in issues:
            key = _FIELD_ALIASES.get(issue.field or "", issue.field or "")
            if key not in self.fields:
                key = _CODE_FIELDS.get(issue.code, "")
            text = error_text(issue)
            if key in self.fields:
                field = self.fields[key]
                previous = field.error.text().removeprefix("⚠ ")
                field.set_error(f"{previous} {text}".strip() if previous else text)
                first = first or field
            else:
                general.append(text)
        if general:
            self._show_general(" ".join(general))
        if first is not None:
            first.setFocus(Qt.FocusReason.OtherFocusReason)
