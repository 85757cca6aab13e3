"""Readings from the clinic's devices, inside the open case form.

The panel tells the paramedic what to do with each connected device ("put the cuff on and
press Start"), shows values live while a device measures, and lists each finished reading
with **Keep** and **Discard**. Nothing from a device is stored until it is kept; kept values
go through the same checks as typed ones, and a reading with an impossible value says why
and can only be discarded. Each row names the device it came from.

Everything arrives through ``DeviceEvents`` (queued Qt signals from the device-events
thread); keeping and discarding run through ``Op``. The panel registers its case as the
device service's target while it is shown, so readings go to the case on screen.

GUI thread only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.ids import CaseId
from app.services.devices import ConnectionState, DeviceKind
from app.ui import clinical_text as ct
from app.ui.device_events import DeviceEvents
from app.ui.messages import error_text
from app.ui.tasks import Op

if TYPE_CHECKING:
    from app.ui.session import Session

_CTX = "DeviceReadings"

# What the operator does with each kind of device; BLE devices by what they measure.
PROMPTS: dict[str, str] = {
    DeviceKind.CMS50: QT_TRANSLATE_NOOP(
        "DeviceReadings", "Clip the oximeter on a finger and wait for a steady reading."
    ),
    DeviceKind.SCALE: QT_TRANSLATE_NOOP(
        "DeviceReadings", "Ask the patient to step on the scale and stand still."
    ),
    DeviceKind.HL7: QT_TRANSLATE_NOOP(
        "DeviceReadings", "The monitor sends its readings by itself."
    ),
    DeviceKind.BLE: QT_TRANSLATE_NOOP("DeviceReadings", "Start the measurement on the device."),
}
# Bluetooth devices by what they measure (pairing option "measures", learnt in the scan).
BLE_PROMPTS: dict[str, str] = {
    "blood_pressure": QT_TRANSLATE_NOOP(
        "DeviceReadings", "Put the cuff on the upper arm and press Start on the monitor."
    ),
    "thermometer": QT_TRANSLATE_NOOP(
        "DeviceReadings", "Take the temperature; the reading comes by itself."
    ),
    "pulse_oximeter": PROMPTS[DeviceKind.CMS50],
    "weight_scale": PROMPTS[DeviceKind.SCALE],
    "glucose": QT_TRANSLATE_NOOP(
        "DeviceReadings", "Test the blood sugar on the glucometer; the result comes by itself."
    ),
}
STATE_TEXT: dict[str, str] = {
    ConnectionState.CONNECTED: QT_TRANSLATE_NOOP("DeviceReadings", "ready"),
    ConnectionState.CONNECTING: QT_TRANSLATE_NOOP("DeviceReadings", "connecting…"),
    ConnectionState.DISCONNECTED: QT_TRANSLATE_NOOP("DeviceReadings", "not connected"),
    ConnectionState.ERROR: QT_TRANSLATE_NOOP("DeviceReadings", "problem"),
}


def _t(text: str) -> str:
    return QCoreApplication.translate(_CTX, text)


def values_text(values: Any) -> str:
    """ "Blood pressure (systolic) 150 mmHg, …" for (code, value, unit) triples."""
    return ", ".join(f"{ct.vital_name(c)} {ct.format_quantity(v, u)}" for c, v, u in values)


def _prompt(spec: Any) -> str:
    measures = spec.options.get("measures", "").split(",") if spec.kind == DeviceKind.BLE else []
    return next((BLE_PROMPTS[m] for m in measures if m in BLE_PROMPTS), PROMPTS.get(spec.kind, ""))


def _live_text(reading: Any) -> str:
    readings = reading.measurement.readings
    if all(r.value == 0 for r in readings):
        return ""  # an empty scale showing 0.0: nothing is being measured
    return values_text((r.code, r.value, r.unit) for r in readings)


class _PendingRow(QFrame):
    keep = Signal(str)
    discard = Signal(str)

    def __init__(self, pending: Any, editable: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pendingReading")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.pending_id: str = pending.id
        when = ct.local_time(pending.reading.received_at)
        source = QCoreApplication.translate("DeviceReadings", "From %1 at %2").replace(
            "%1", pending.device_name or QCoreApplication.translate("DeviceReadings", "a device")
        )
        self.source_label = QLabel(source.replace("%2", when))
        self.values_label = QLabel(values_text(pending.values))
        self.values_label.setWordWrap(True)
        self.values_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.earlier_label = QLabel()
        self.earlier_label.setObjectName("hintText")
        self.earlier_label.setWordWrap(True)
        earlier = pending.measured_earlier
        if earlier is not None:
            self.earlier_label.setText(
                QCoreApplication.translate(
                    "DeviceReadings",
                    "Measured earlier by the device's clock (%1): check it is this patient's.",
                ).replace("%1", ct.local_time(earlier, with_date=True))
            )
        self.earlier_label.setVisible(earlier is not None)
        self.error_label = QLabel("\n".join(error_text(e) for e in pending.refusals))
        self.error_label.setObjectName("errorText")
        self.error_label.setWordWrap(True)
        self.error_label.setVisible(bool(pending.refusals))
        self.keep_button = QPushButton(QCoreApplication.translate("DeviceReadings", "&Keep"))
        self.keep_button.setToolTip(
            QCoreApplication.translate(
                "DeviceReadings", "Store these values in the case, marked as from the device"
            )
        )
        self.discard_button = QPushButton(QCoreApplication.translate("DeviceReadings", "D&iscard"))
        self._refused = bool(pending.refusals)
        self.set_editable(editable)
        self.keep_button.clicked.connect(lambda: self.keep.emit(self.pending_id))
        self.discard_button.clicked.connect(lambda: self.discard.emit(self.pending_id))

        text = QVBoxLayout()
        text.addWidget(self.source_label)
        text.addWidget(self.values_label)
        text.addWidget(self.earlier_label)
        text.addWidget(self.error_label)
        buttons = QHBoxLayout()
        buttons.addWidget(self.keep_button)
        buttons.addWidget(self.discard_button)
        row = QHBoxLayout(self)
        row.addLayout(text, 1)
        row.addLayout(buttons)

    def set_editable(self, editable: bool) -> None:
        self.keep_button.setEnabled(editable and not self._refused)
        self.discard_button.setEnabled(editable)

    def show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.setVisible(True)


class DeviceReadingsPanel(QWidget):
    """Prompts, live values and finished readings from the paired devices."""

    kept = Signal()  # values were stored: the form re-reads the case

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("DeviceReadingsPanel")
        self._session = session
        self._devices = session.services.devices
        self._case_id: CaseId | None = None
        self._editable = True
        self._live: dict[str, str] = {}  # device id -> live text
        self.rows: dict[str, _PendingRow] = {}

        self.heading = QLabel(QCoreApplication.translate("DeviceReadings", "From devices"))
        self.heading.setObjectName("subheading")
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)
        self.rows_box = QVBoxLayout()
        self.rows_box.setContentsMargins(0, 0, 0, 0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(self.status_label)
        layout.addLayout(self.rows_box)

        self.events = DeviceEvents(self._devices, self)
        self.events.status_changed.connect(lambda _status: self._show_status())
        self.events.live_reading.connect(self._on_live)
        self.events.pending_changed.connect(self._on_pending_changed)
        self._show_status()

    # -- the case -----------------------------------------------------------------------------

    def set_case(self, case_id: CaseId | None) -> None:
        self._case_id = case_id
        self._devices.set_target(case_id)
        self._show_pending()

    def set_editable(self, editable: bool) -> None:
        self._editable = editable
        for row in self.rows.values():
            row.set_editable(editable)

    def release(self) -> None:
        """The form is hidden: readings from now on are not for this case."""
        if self._case_id is not None:
            self._devices.set_target(None)

    # -- status and live values ---------------------------------------------------------------

    def _show_status(self) -> None:
        statuses = self._devices.statuses()
        self.setVisible(bool(statuses))
        lines = []
        for s in statuses:
            line = f"{s.spec.name}: {_t(STATE_TEXT.get(s.state, s.state))}"
            if s.state is ConnectionState.ERROR and s.detail:
                line += f" ({s.detail})"
            elif s.state is ConnectionState.CONNECTED:
                line += " — " + _t(_prompt(s.spec))
            live = self._live.get(s.spec.device_id)
            if live and s.state is ConnectionState.CONNECTED:
                line += "\n    " + QCoreApplication.translate(
                    "DeviceReadings", "Measuring: %1"
                ).replace("%1", live)
            lines.append(line)
        self.status_label.setText("\n".join(lines))

    def _on_live(self, reading: Any) -> None:
        self._live[reading.device_id] = _live_text(reading)
        self._show_status()

    def live_text(self, device_id: str) -> str:
        return self._live.get(device_id, "")

    # -- finished readings --------------------------------------------------------------------

    def _on_pending_changed(self, case_id: Any) -> None:
        if case_id is None or case_id == self._case_id:
            self._show_pending()

    def _show_pending(self) -> None:
        pending = [] if self._case_id is None else self._devices.pending(self._case_id)
        wanted = {p.id for p in pending}
        for pid in [p for p in self.rows if p not in wanted]:
            self.rows.pop(pid).deleteLater()
        for p in pending:
            if p.id in self.rows:
                continue
            row = _PendingRow(p, self._editable, self)
            row.keep.connect(self.keep)
            row.discard.connect(self.discard)
            self.rows[p.id] = row
            self.rows_box.addWidget(row)
            self._live.pop(p.device_id, None)  # the measurement is over
        self._show_status()

    def pending_rows(self) -> list[_PendingRow]:
        return list(self.rows.values())

    def keep(self, pending_id: str) -> None:
        devices, user = self._devices, self._session.user
        (
            Op(self, lambda: devices.accept(user, pending_id))
            .success(lambda _recorded: self._after_keep())
            .failure(lambda exc: self._row_failed(pending_id, exc))
            .run()
        )

    def discard(self, pending_id: str) -> None:
        devices, user = self._devices, self._session.user
        (
            Op(self, lambda: devices.reject(user, pending_id))
            .success(lambda _none: self._show_pending())
            .failure(lambda exc: self._row_failed(pending_id, exc))
            .run()
        )

    def _after_keep(self) -> None:
        self._show_pending()
        self.kept.emit()

    def _row_failed(self, pending_id: str, exc: BaseException) -> bool:
        row = self.rows.get(pending_id)
        if row is None:
            return False
        row.show_error(error_text(exc))
        return True
