"""Vital-sign entry and the list of readings recorded for one case.

Each field is an entry box: pressing Enter (or leaving the field) sends the value through
``Op`` to ``services.cases.add_observation`` (blood pressure as a pair through
``add_blood_pressure``). The service judges it: an impossible value raises ``ImplausibleValue``
and nothing is stored, so the box keeps the text and shows the translated limit message; an
accepted value clears the box and appears in the list with its flag in words and colour, its
source (typed or the device's name) and its time. An urgent value must be confirmed with a
tick; a wrong reading is removed by marking it entered in error (observations are never
deleted).

Signal ``readings_changed`` fires after every stored change so the case form can refresh
NEWS2. GUI thread only; services run on workers.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, Signal
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.ids import CaseId
from app.domain.models import ObservationSource, ObservationStatus
from app.ui import clinical_text as ct
from app.ui.messages import error_text
from app.ui.tasks import Op
from app.ui.widgets.badges import FLAG_URGENT, flag_colours, flag_text

if TYPE_CHECKING:
    from app.ui.session import Session

ERROR_FG = "#9b1c1c"


@dataclass(frozen=True)
class _Row:
    key: str
    label: str  # QT_TRANSLATE_NOOP source text with a mnemonic
    codes: tuple[str, ...]  # one code, or per-kind codes (glucose random/fasting)
    units: tuple[str, ...]
    kinds: tuple[str, ...] = field(default_factory=tuple)  # glucose: random / fasting


_ROWS: tuple[_Row, ...] = (
    _Row("pulse", QT_TRANSLATE_NOOP("VitalsPanel", "P&ulse:"), (ct.PULSE,), ("/min",)),
    _Row(
        "resp_rate",
        QT_TRANSLATE_NOOP("VitalsPanel", "Respiratory &rate:"),
        (ct.RESP_RATE,),
        ("/min",),
    ),
    _Row("spo2", QT_TRANSLATE_NOOP("VitalsPanel", "Sp&O₂:"), (ct.SPO2,), ("%",)),
    _Row(
        "temperature",
        QT_TRANSLATE_NOOP("VitalsPanel", "&Temperature:"),
        (ct.TEMPERATURE,),
        ("Cel", "[degF]"),
    ),
    _Row("weight", QT_TRANSLATE_NOOP("VitalsPanel", "&Weight:"), (ct.WEIGHT,), ("kg", "[lb_av]")),
    _Row("height", QT_TRANSLATE_NOOP("VitalsPanel", "&Height:"), (ct.HEIGHT,), ("cm",)),
    _Row(
        "glucose",
        QT_TRANSLATE_NOOP("VitalsPanel", "&Glucose:"),
        (ct.GLUCOSE_RANDOM, ct.GLUCOSE_FASTING),
        ("mg/dL", "mmol/L"),
        (
            QT_TRANSLATE_NOOP("VitalsPanel", "Random"),
            QT_TRANSLATE_NOOP("VitalsPanel", "Fasting"),
        ),
    ),
)


def _tr(text: str) -> str:
    return QCoreApplication.translate("VitalsPanel", text)


def _parse_number(text: str) -> float | None:
    cleaned = text.strip().replace(",", ".")
    try:
        return float(cleaned)  # float() reads Devanagari digits too
    except ValueError:
        return None


def reading_text(recorded: Any) -> str:
    """ "101.3 °F (38.5 °C)": as entered, then in the other unit when one applies."""
    obs, assessment = recorded.observation, recorded.assessment
    main = ct.format_quantity(obs.value, obs.unit)
    other = ""
    if obs.unit != assessment.canonical_unit:
        other = ct.format_quantity(assessment.canonical_value, assessment.canonical_unit)
    elif obs.unit == "Cel":
        other = ct.format_quantity(obs.value * 9 / 5 + 32, "[degF]")
    return f"{main} ({other})" if other else main


class VitalsPanel(QWidget):
    readings_changed = Signal()

    COL_VITAL, COL_READING, COL_FLAG, COL_SOURCE, COL_TIME = range(5)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("VitalsPanel")
        self._session = session
        self._case_id: CaseId | None = None
        self._editable = True
        self._busy: set[str] = set()
        self._refused: dict[str, str] = {}  # key -> text the service refused, not re-sent on blur
        self.inputs: dict[str, QLineEdit] = {}
        self.unit_combos: dict[str, QComboBox] = {}
        self.messages: dict[str, QLabel] = {}
        self._readings: list[Any] = []
        self._device_names: dict[str, str] = {}  # paired device id -> its label

        grid = QGridLayout()
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(4)
        grid.setColumnStretch(4, 1)

        # Blood pressure: two boxes, stored as a pair or not at all.
        self.systolic_edit = QLineEdit()
        self.systolic_edit.setObjectName("vital_systolic")
        self.systolic_edit.setAccessibleName(ct.vital_name(ct.SYSTOLIC))
        self.diastolic_edit = QLineEdit()
        self.diastolic_edit.setObjectName("vital_diastolic")
        self.diastolic_edit.setAccessibleName(ct.vital_name(ct.DIASTOLIC))
        for edit in (self.systolic_edit, self.diastolic_edit):
            self._size_number_edit(edit)
        bp_label = QLabel(self.tr("&Blood pressure:"))
        bp_label.setBuddy(self.systolic_edit)
        bp_rest = QHBoxLayout()
        bp_rest.setContentsMargins(0, 0, 0, 0)
        bp_rest.addWidget(QLabel("/"))
        bp_rest.addWidget(self.diastolic_edit)
        bp_rest.addWidget(QLabel(ct.unit_label("mm[Hg]")))
        bp_rest.addStretch(1)
        self.bp_message = self._message_label()
        self.messages["bp"] = self.bp_message
        grid.addWidget(bp_label, 0, 0, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        grid.addWidget(self.systolic_edit, 0, 1)
        grid.addLayout(bp_rest, 0, 2, 1, 2)
        grid.addWidget(self.bp_message, 0, 4)
        self.systolic_edit.returnPressed.connect(self.diastolic_edit.setFocus)
        self.diastolic_edit.returnPressed.connect(self.submit_blood_pressure)
        self.diastolic_edit.editingFinished.connect(self._bp_editing_finished)

        self.glucose_kind = QComboBox()
        for kind in _ROWS[-1].kinds:
            self.glucose_kind.addItem(_tr(kind))
        self.glucose_kind.setAccessibleName(self.tr("Glucose: random or fasting"))

        for i, row in enumerate(_ROWS, start=1):
            edit = QLineEdit()
            edit.setObjectName(f"vital_{row.key}")
            edit.setAccessibleName(_tr(row.label).replace("&", "").rstrip(":"))
            self._size_number_edit(edit)
            label = QLabel(_tr(row.label))
            label.setBuddy(edit)
            grid.addWidget(label, i, 0, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            grid.addWidget(edit, i, 1)
            if len(row.units) > 1:
                combo = QComboBox()
                combo.setObjectName(f"unit_{row.key}")
                for unit in row.units:
                    combo.addItem(ct.unit_label(unit), unit)
                combo.setAccessibleName(self.tr("Unit"))
                self.unit_combos[row.key] = combo
                grid.addWidget(combo, i, 2)
            else:
                grid.addWidget(QLabel(ct.unit_label(row.units[0])), i, 2)
            if row.kinds:
                grid.addWidget(self.glucose_kind, i, 3)
            message = self._message_label()
            grid.addWidget(message, i, 4)
            self.inputs[row.key] = edit
            self.messages[row.key] = message
            edit.returnPressed.connect(lambda key=row.key: self.submit(key))
            edit.editingFinished.connect(lambda key=row.key: self._editing_finished(key))

        # Readings recorded so far.
        self.readings = QTreeWidget()
        self.readings.setObjectName("readingsList")
        self.readings.setRootIsDecorated(False)
        self.readings.setAlternatingRowColors(True)
        self.readings.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.readings.setHeaderLabels(
            [
                self.tr("Vital sign"),
                self.tr("Reading"),
                self.tr("Flag"),
                self.tr("Source"),
                self.tr("Time"),
            ]
        )
        self.readings.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.readings.header().setStretchLastSection(True)
        self.readings.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.readings.setAccessibleName(self.tr("Readings recorded"))
        self.readings.currentItemChanged.connect(lambda *_: self._update_buttons())
        self.empty_label = QLabel(self.tr("No readings yet. Type a value and press Enter."))
        self.empty_label.setObjectName("mutedText")

        self.confirm_button = QPushButton(self.tr("Con&firm urgent value is correct"))
        self.confirm_button.setObjectName("confirmUrgent")
        self.confirm_button.clicked.connect(self.confirm_selected)
        self.remove_button = QPushButton(self.tr("Re&move reading (entered in error)"))
        self.remove_button.setObjectName("removeReading")
        self.remove_button.clicked.connect(self.remove_selected)
        self.list_message = self._message_label()
        buttons = QHBoxLayout()
        buttons.addWidget(self.confirm_button)
        buttons.addWidget(self.remove_button)
        buttons.addWidget(self.list_message, 1)
        buttons.addStretch()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(grid)
        readings_label = QLabel(self.tr("Rea&dings recorded:"))
        readings_label.setBuddy(self.readings)
        layout.addWidget(readings_label)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.readings)
        layout.addLayout(buttons)

        chain: list[QWidget] = [self.systolic_edit, self.diastolic_edit]
        for row in _ROWS:
            chain.append(self.inputs[row.key])
            if row.key in self.unit_combos:
                chain.append(self.unit_combos[row.key])
            if row.kinds:
                chain.append(self.glucose_kind)
        chain += [self.readings, self.confirm_button, self.remove_button]
        for first, second in itertools.pairwise(chain):
            self.setTabOrder(first, second)
        self._render()

    # --- set-up ------------------------------------------------------------------------------

    def _size_number_edit(self, edit: QLineEdit) -> None:
        # Wide enough for "1013.5" at any font size; grows with the font, never a pixel font.
        edit.setMinimumWidth(edit.fontMetrics().horizontalAdvance("00000.0") + 16)
        edit.setMaximumWidth(edit.fontMetrics().horizontalAdvance("0000000000") + 16)
        edit.setAlignment(Qt.AlignmentFlag.AlignRight)

    def _message_label(self) -> QLabel:
        label = QLabel()
        label.setWordWrap(True)
        label.setVisible(False)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    def set_case(self, case_id: CaseId) -> None:
        self._case_id = case_id
        self.refresh_device_names()

    def refresh_device_names(self) -> None:
        """Re-read the paired devices' labels (the source column names the device)."""
        devices = self._session.services.devices
        (
            Op(self, lambda: {d.id: d.name for d in devices.paired()})
            .success(self._on_device_names)
            .run()
        )

    def _on_device_names(self, names: dict[str, str]) -> None:
        self._device_names = names
        self._render()

    def set_editable(self, editable: bool) -> None:
        self._editable = editable
        for edit in [self.systolic_edit, self.diastolic_edit, *self.inputs.values()]:
            edit.setReadOnly(not editable)
            edit.setEnabled(editable)
        for combo in [*self.unit_combos.values(), self.glucose_kind]:
            combo.setEnabled(editable)
        self._update_buttons()

    def set_readings(self, readings: list[Any]) -> None:
        """``RecordedObservation`` values from ``CaseDetail``; removed ones are not shown."""
        self._readings = [
            r for r in readings if r.observation.status != ObservationStatus.ENTERED_IN_ERROR
        ]
        self._render()

    def recorded(self) -> list[Any]:
        return list(self._readings)

    # --- messages ----------------------------------------------------------------------------

    def show_message(self, key: str, text: str, *, error: bool = True) -> None:
        label = self.messages.get(key, self.list_message)
        colour = ERROR_FG if error else "#5c3d00"
        label.setStyleSheet(f"color: {colour};")
        label.setText(f"⚠ {text}" if text and error else text)
        label.setVisible(bool(text))

    def message(self, key: str) -> str:
        label = self.messages.get(key, self.list_message)
        return label.text() if label.isVisible() else ""

    # --- entering values ---------------------------------------------------------------------

    def _editing_finished(self, key: str) -> None:
        # Leaving a box with a value in it records it, as Enter does (but not twice).
        text = self.inputs[key].text().strip()
        if text and key not in self._busy and self._refused.get(key) != text:
            self.submit(key)

    def _bp_editing_finished(self) -> None:
        if (
            self.systolic_edit.text().strip()
            and self.diastolic_edit.text().strip()
            and "bp" not in self._busy
            and self._refused.get("bp") != self.systolic_edit.text().strip()
        ):
            self.submit_blood_pressure()

    def submit(self, key: str) -> None:
        if not self._editable or self._case_id is None or key in self._busy:
            return
        row = next(r for r in _ROWS if r.key == key)
        edit = self.inputs[key]
        text = edit.text().strip()
        if not text:
            return
        value = _parse_number(text)
        if value is None:
            self.show_message(key, self.tr("Enter a number, e.g. 98.6"))
            return
        unit = str(self.unit_combos[key].currentData()) if key in self.unit_combos else row.units[0]
        code = row.codes[self.glucose_kind.currentIndex()] if row.kinds else row.codes[0]
        services, user, cid = self._session.services, self._session.user, self._case_id
        self._busy.add(key)
        self.show_message(key, "")
        (
            Op(self, lambda: services.cases.add_observation(user, cid, code, value, unit))
            .success(lambda recorded: self._on_recorded(key, text, [recorded]))
            .failure(lambda exc: self._on_refused(key, exc))
            .run()
        )

    def submit_blood_pressure(self) -> None:
        if not self._editable or self._case_id is None or "bp" in self._busy:
            return
        sys_text, dia_text = self.systolic_edit.text().strip(), self.diastolic_edit.text().strip()
        if not sys_text or not dia_text:
            self.show_message("bp", self.tr("Enter both numbers, e.g. 120 / 80"))
            return
        systolic, diastolic = _parse_number(sys_text), _parse_number(dia_text)
        if systolic is None or diastolic is None:
            self.show_message("bp", self.tr("Enter a number, e.g. 120 / 80"))
            return
        services, user, cid = self._session.services, self._session.user, self._case_id
        self._busy.add("bp")
        self.show_message("bp", "")
        (
            Op(self, lambda: services.cases.add_blood_pressure(user, cid, systolic, diastolic))
            .success(lambda pair: self._on_recorded("bp", sys_text, list(pair)))
            .failure(lambda exc: self._on_refused("bp", exc))
            .run()
        )

    def _on_recorded(self, key: str, typed: str, recorded: list[Any]) -> None:
        self._busy.discard(key)
        self._refused.pop(key, None)
        if key == "bp":
            if self.systolic_edit.text().strip() == typed:
                self.systolic_edit.clear()
                self.diastolic_edit.clear()
        elif self.inputs[key].text().strip() == typed:
            self.inputs[key].clear()
        self._readings.extend(recorded)
        self._render()
        urgent = [r for r in recorded if self._needs_confirm(r)]
        if urgent:
            self.show_message(
                key,
                self.tr(
                    "Urgent value. Measure again; if it is right, select it below and press"
                    " “Confirm urgent value is correct”."
                ),
                error=False,
            )
            self._select(urgent[0])
        self.readings_changed.emit()

    def _on_refused(self, key: str, exc: BaseException) -> bool:
        self._busy.discard(key)
        edit_now = self.systolic_edit if key == "bp" else self.inputs[key]
        self._refused[key] = edit_now.text().strip()
        self.show_message(key, error_text(exc))
        edit = self.systolic_edit if key == "bp" else self.inputs[key]
        edit.setFocus(Qt.FocusReason.OtherFocusReason)
        edit.selectAll()
        return True

    # --- the readings list -------------------------------------------------------------------

    @staticmethod
    def _needs_confirm(recorded: Any) -> bool:
        return (
            str(recorded.assessment.flag).lower() == FLAG_URGENT
            and not recorded.observation.confirmed_abnormal
        )

    def _render(self) -> None:
        # A reload re-renders the list; keep the person's selection (e.g. an urgent reading
        # waiting for its confirm tick) across it.
        current = self.readings.currentItem()
        keep = current.data(0, Qt.ItemDataRole.UserRole) if current is not None else None
        self.readings.clear()
        for recorded in sorted(
            self._readings,
            # ids are UUIDv7: creation order breaks ties between readings of the same second
            key=lambda r: (r.observation.taken_at, r.observation.id),
            reverse=True,
        ):
            obs, assessment = recorded.observation, recorded.assessment
            flag = str(assessment.flag).lower()
            flag_words = flag_text(flag)
            if self._needs_confirm(recorded):
                flag_words = self.tr("%1 — not yet confirmed").replace("%1", flag_words)
            elif flag == FLAG_URGENT:
                flag_words = self.tr("%1 — confirmed").replace("%1", flag_words)
            if obs.source == ObservationSource.DEVICE:
                name = self._device_names.get(obs.device_id) or self.tr("a device")
                source = self.tr("From %1").replace("%1", name)
            else:
                source = self.tr("Typed")
            item = QTreeWidgetItem(
                [
                    ct.vital_name(obs.code),
                    reading_text(recorded),
                    flag_words,
                    source,
                    ct.local_time(obs.taken_at),
                ]
            )
            bg, fg = flag_colours(flag)
            item.setBackground(self.COL_FLAG, QBrush(bg))
            item.setForeground(self.COL_FLAG, QBrush(fg))
            item.setData(0, Qt.ItemDataRole.UserRole, obs.id)
            if obs.device_time is not None:
                device_clock = ct.local_time(obs.device_time, with_date=True)
                item.setToolTip(
                    self.COL_SOURCE, self.tr("Time on the device: %1").replace("%1", device_clock)
                )
            self.readings.addTopLevelItem(item)
            if obs.id == keep:
                self.readings.setCurrentItem(item)
        has = bool(self._readings)
        self.empty_label.setVisible(not has)
        self.readings.setVisible(has)
        self._fit_readings_height()
        self._update_buttons()

    def _fit_readings_height(self) -> None:
        rows = max(1, min(self.readings.topLevelItemCount(), 8))
        row_h = self.readings.sizeHintForRow(0) if self.readings.topLevelItemCount() else 0
        row_h = row_h or self.fontMetrics().height() + 6
        header = self.readings.header().sizeHint().height()
        self.readings.setMinimumHeight(header + row_h * rows + 2 * self.readings.frameWidth() + 4)

    def _select(self, recorded: Any) -> None:
        for i in range(self.readings.topLevelItemCount()):
            item = self.readings.topLevelItem(i)
            if item.data(0, Qt.ItemDataRole.UserRole) == recorded.observation.id:
                self.readings.setCurrentItem(item)
                return

    def _selected(self) -> Any | None:
        item = self.readings.currentItem()
        if item is None:
            return None
        oid = item.data(0, Qt.ItemDataRole.UserRole)
        return next((r for r in self._readings if r.observation.id == oid), None)

    def _update_buttons(self) -> None:
        selected = self._selected()
        self.remove_button.setEnabled(self._editable and selected is not None)
        self.confirm_button.setEnabled(
            self._editable and selected is not None and self._needs_confirm(selected)
        )

    def remove_selected(self) -> None:
        selected = self._selected()
        if selected is None or self._case_id is None:
            return
        oid = selected.observation.id
        services, user = self._session.services, self._session.user
        reason = "entered in error"
        (
            Op(self, lambda: services.cases.remove_observation(user, oid, reason))
            .success(lambda _r: self._on_removed(oid))
            .failure(lambda exc: self._on_list_failed(exc))
            .run()
        )

    def _on_removed(self, oid: str) -> None:
        self._readings = [r for r in self._readings if r.observation.id != oid]
        self._render()
        self.show_message(
            "list",
            self.tr("Reading removed (kept in the record as entered in error)."),
            error=False,
        )
        self.readings_changed.emit()

    def confirm_selected(self) -> None:
        """Record the tick for an urgent value.

        Observations are append-only, so the unconfirmed copy is marked entered in error and
        the same value is stored again with the tick: the record shows both steps.
        """
        selected = self._selected()
        if selected is None or self._case_id is None or not self._needs_confirm(selected):
            return
        obs = selected.observation
        services, user = self._session.services, self._session.user

        def confirm() -> Any:
            return services.cases.confirm_abnormal(user, obs.id)

        (
            Op(self, confirm)
            .success(lambda recorded: self._on_confirmed(obs.id, recorded))
            .failure(lambda exc: self._on_list_failed(exc))
            .run()
        )

    def _on_confirmed(self, old_id: str, recorded: Any) -> None:
        self._readings = [r for r in self._readings if r.observation.id != old_id]
        self._readings.append(recorded)
        self._render()
        for key in self.messages:
            if self.messages[key].isVisible() and "⚠" not in self.messages[key].text():
                self.show_message(key, "")
        self.readings_changed.emit()

    def _on_list_failed(self, exc: BaseException) -> bool:
        self.show_message("list", error_text(exc))
        return True
