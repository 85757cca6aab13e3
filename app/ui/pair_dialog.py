"""Pairing a peripheral with this PC: the dialog field IT fills in on the Devices page.

The person first chooses what kind of device it is; the rest of the form follows the kind:

- **Bluetooth device** (BP monitor, oximeter, scale, thermometer, glucometer): **Search**
  (Alt+S) looks for devices in range (through ``Op``, with progress and Cancel) and lists each
  one's name, address and what it measures; choosing one fills in its address and a name. An
  address can also be typed.
- **Contec oximeter (USB cable)** and **Weighing scale (serial)**: a list of this PC's serial
  ports ("/dev/ttyUSB0 — CP2102 USB to UART Bridge Controller (Silicon Labs)"), kept up to
  date while the dialog is open, so plugging the cable in makes its port appear (and chosen);
  and the line speed, defaulting to what the device speaks (19200 and 9600 baud).
- **Bedside monitor (HL7)**: the address this PC listens on. The monitor is another machine
  on the clinic network and connects to us, so the default is this PC's own address on that
  network with port 2575, never 127.0.0.1 (which no other machine can reach); the dialog says
  so. An expected sender ("APP" or "APP^FACILITY" from the monitor's HL7 settings) is optional.

A name is prefilled from the choice until the person types one. What the service refuses
(``device.already_paired``, ``device.address_required``, ``device.name_required``,
``permission.denied`` …) is shown next to the field at fault (``DomainError.field``).
Keyboard only: every field has a mnemonic, Enter pairs, Esc cancels.

Threading: GUI thread only. Every service call runs through ``Op``; the port watcher's
callback comes on its own thread and is carried back with ``run_on_main``.
"""

from __future__ import annotations

import ipaddress
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent
from PySide6.QtNetwork import QAbstractSocket, QNetworkInterface
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.domain.devices import PairedDevice
from app.services.devices import DeviceKind
from app.ui.messages import code_text, error_text
from app.ui.tasks import Op, run_on_main
from app.ui.widgets.text import WrappingLabel

if TYPE_CHECKING:
    from app.ui.session import Session

_CTX = "devices"

HL7_PORT = 2575  # the IANA port for HL7 over MLLP; monitors default to it
SCAN_SECONDS = 8.0
BAUD_RATES = (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200)  # the usual line speeds
DEFAULT_BAUD: dict[str, int] = {DeviceKind.CMS50: 19200, DeviceKind.SCALE: 9600}
SERIAL_KINDS = frozenset({DeviceKind.CMS50, DeviceKind.SCALE})

# In the order the dialog offers them: Bluetooth first, it covers most devices.
KIND_LABELS: dict[str, str] = {
    DeviceKind.BLE: QT_TRANSLATE_NOOP("devices", "Bluetooth device"),
    DeviceKind.CMS50: QT_TRANSLATE_NOOP("devices", "Contec oximeter (USB cable)"),
    DeviceKind.SCALE: QT_TRANSLATE_NOOP("devices", "Weighing scale (serial)"),
    DeviceKind.HL7: QT_TRANSLATE_NOOP("devices", "Bedside monitor (HL7)"),
}

# The name offered for a new pairing of each kind, until the person types their own.
DEFAULT_NAMES: dict[str, str] = {
    DeviceKind.BLE: QT_TRANSLATE_NOOP("devices", "Bluetooth device"),
    DeviceKind.CMS50: QT_TRANSLATE_NOOP("devices", "Pulse oximeter (CMS50)"),
    DeviceKind.SCALE: QT_TRANSLATE_NOOP("devices", "Weighing scale"),
    DeviceKind.HL7: QT_TRANSLATE_NOOP("devices", "Bedside monitor"),
}

# What a Bluetooth device measures, by the health service it advertises (the words a scan
# reports in ``FoundDevice.kinds``).
BLE_MEASURES: dict[str, str] = {
    "blood_pressure": QT_TRANSLATE_NOOP("devices", "blood pressure"),
    "pulse_oximeter": QT_TRANSLATE_NOOP("devices", "SpO₂ and pulse"),
    "thermometer": QT_TRANSLATE_NOOP("devices", "temperature"),
    "weight_scale": QT_TRANSLATE_NOOP("devices", "weight"),
    "glucose": QT_TRANSLATE_NOOP("devices", "blood glucose"),
    "heart_rate": QT_TRANSLATE_NOOP("devices", "heart rate"),
}

# "host:port" or "[v6]:port": the form the HL7 listener takes (a bare port would mean
# 127.0.0.1, which a monitor on the network cannot reach, so the dialog asks for both).
_LISTEN = re.compile(r"(?:\[[^\]]+\]|[^:\[\]\s]+):(?P<port>[0-9]{1,5})")


def _t(text: str) -> str:
    return QCoreApplication.translate(_CTX, text)


def name_required_text() -> str:
    """What the service says about a missing name, so the dialog's own check says the same."""
    return code_text("device.name_required") or QCoreApplication.translate(
        "devices", "Give the device a name."
    )


def kind_label(kind: str) -> str:
    """The translated name of a device kind ("Bedside monitor (HL7)")."""
    return _t(KIND_LABELS[kind]) if kind in KIND_LABELS else str(kind)


class PortLike(Protocol):
    """What the dialog reads of a serial port (``ports()`` returns these)."""

    device: str
    description: str
    manufacturer: str | None


def port_label(port: PortLike) -> str:
    """ "/dev/ttyUSB0 — CP2102 USB to UART Bridge Controller (Silicon Labs)": enough for field
    IT to tell the oximeter's cable from a modem. pyserial says "n/a" when it knows nothing."""
    hint = getattr(port, "adapter", None) or ""  # a chip name, when the service adds one
    description = (port.description or "").strip()
    if not hint and description and description.lower() != "n/a" and description != port.device:
        hint = description
    maker = (port.manufacturer or "").strip()
    if maker and maker.lower() not in hint.lower():
        hint = f"{hint} ({maker})" if hint else maker
    return f"{port.device} — {hint}" if hint else port.device


def measures_text(found: Any) -> str:
    """What a found Bluetooth device measures, in words ("blood pressure, heart rate")."""
    kinds = getattr(found, "kinds", ()) or ()
    return ", ".join(_t(BLE_MEASURES[k]) if k in BLE_MEASURES else str(k) for k in kinds)


def lan_addresses() -> list[str]:
    """This PC's IPv4 addresses on its networks (not loopback), private ones first.

    Read from the operating system's interface table: no network traffic, no waiting.
    """
    found: list[str] = []
    flags = QNetworkInterface.InterfaceFlag
    for iface in QNetworkInterface.allInterfaces():
        state = iface.flags()
        if not (state & flags.IsUp) or not (state & flags.IsRunning) or state & flags.IsLoopBack:
            continue
        for entry in iface.addressEntries():
            ip = entry.ip()
            if ip.protocol() != QAbstractSocket.NetworkLayerProtocol.IPv4Protocol:
                continue
            text = ip.toString()
            if text and text not in found and not text.startswith("169.254."):
                found.append(text)
    return sorted(found, key=lambda a: not ipaddress.ip_address(a).is_private)


def default_listen_address(addresses: Sequence[str], taken: Iterable[str] = ()) -> str:
    """The first LAN address with the first HL7 port no paired monitor uses yet."""
    host = addresses[0] if addresses else "0.0.0.0"
    used = set(taken)
    port = HL7_PORT
    while f"{host}:{port}" in used and port < HL7_PORT + 100:
        port += 1
    return f"{host}:{port}"


class _PortWatch:
    """The live port watcher of one dialog, safe to close before it has even started.

    ``watch_ports`` runs on a worker (through ``Op``) and its callback on the watcher thread,
    so neither may touch the dialog: changes go back through ``run_on_main`` to ``deliver``,
    which drops them once the dialog has closed or gone.
    """

    def __init__(self, deliver: Callable[[list[Any], list[Any]], None]) -> None:
        self._deliver = deliver
        self._lock = threading.Lock()
        self._closed = False
        self._stop: Callable[[], None] | None = None

    @property
    def closed(self) -> bool:
        with self._lock:
            return self._closed

    def started(self, stop: Callable[[], None]) -> None:
        """Called on the worker with the stop function ``watch_ports`` returned."""
        with self._lock:
            if not self._closed:
                self._stop = stop
                return
        stop()  # the dialog closed while the watcher was starting

    def on_change(self, added: list[Any], removed: list[Any]) -> None:
        """Runs on the watcher thread."""
        if not self.closed:
            run_on_main(lambda: self._on_main(added, removed))

    def _on_main(self, added: list[Any], removed: list[Any]) -> None:
        if not self.closed:
            self._deliver(added, removed)

    def close(self) -> None:
        """Stop watching (GUI thread). The watcher's thread is joined on a worker."""
        with self._lock:
            self._closed = True
            stop, self._stop = self._stop, None
        if stop is not None:
            Op(None, stop).failure(lambda _exc: True).run()


def _closer(watches: list[_PortWatch]) -> Callable[..., None]:
    """For ``destroyed``: stops the watchers without touching the dialog, already gone."""

    def close(*_args: object) -> None:
        for watch in watches:
            watch.close()

    return close


class PairDialog(QDialog):
    """Kind, then what to open (port, Bluetooth address or listen address), then a name."""

    paired = Signal(object)  # PairedDevice

    def __init__(
        self,
        session: Session,
        parent: QWidget | None = None,
        *,
        paired: Sequence[PairedDevice] = (),
    ) -> None:
        super().__init__(parent)
        self.setObjectName("PairDialog")
        self.setWindowTitle(self.tr("Pair a device"))
        self.setModal(True)
        self._session = session
        self._devices = session.services.devices
        self._busy = False
        self._name_touched = False
        self._ports: list[Any] = []
        self._found: list[Any] = []
        self._watch: _PortWatch | None = None
        # What ``destroyed`` closes: the dialog itself is gone by then, so not through it.
        self._watches: list[_PortWatch] = []
        self._scan: Op[Any] | None = None
        taken = [d.address for d in paired if d.kind == DeviceKind.HL7]
        m = self.fontMetrics().height()

        intro = WrappingLabel(
            self.tr(
                "Pair each device once; after that its readings reach the case form by "
                "themselves. Choose what kind of device it is first."
            )
        )
        intro.setObjectName("mutedText")

        self.kind_combo = QComboBox()
        self.kind_combo.setObjectName("deviceKind")
        for kind, text in KIND_LABELS.items():
            self.kind_combo.addItem(_t(text), str(kind))

        # --- Bluetooth ---------------------------------------------------------------------
        self.search_button = QPushButton(self.tr("&Search for devices"))
        self.search_button.setObjectName("bleSearch")
        self.search_button.setAutoDefault(False)  # Enter pairs; it never searches again
        self.search_button.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        self.search_button.clicked.connect(self.search_bluetooth)
        self.ble_status = WrappingLabel(
            self.tr(
                "Switch the device on and put it in pairing mode (see its manual; often a "
                "long press on its button), then search."
            )
        )
        self.ble_status.setObjectName("mutedText")
        self.found_list = QListWidget()
        self.found_list.setObjectName("bleFound")
        self.found_list.setAccessibleName(self.tr("Bluetooth devices found"))
        self.found_list.setMinimumHeight(5 * m)
        self.found_list.currentItemChanged.connect(self._on_found_chosen)
        self.ble_address_edit = QLineEdit()
        self.ble_address_edit.setObjectName("bleAddress")
        self.ble_address_edit.setPlaceholderText(self.tr("e.g. A4:C1:38:12:34:56"))

        # --- serial (CMS50 oximeter cable, RS-232 scale) -------------------------------------
        self.port_combo = QComboBox()
        self.port_combo.setObjectName("serialPort")
        self.port_combo.setPlaceholderText(self.tr("No serial port found"))
        self.port_combo.setAccessibleName(self.tr("Serial port"))
        self.port_status = WrappingLabel(self.tr("Looking for serial ports…"))
        self.port_status.setObjectName("mutedText")
        self.baud_combo = QComboBox()
        self.baud_combo.setObjectName("baudRate")
        for rate in BAUD_RATES:
            self.baud_combo.addItem(str(rate), str(rate))

        # --- HL7 bedside monitor -------------------------------------------------------------
        self._lan = lan_addresses()
        self.listen_edit = QLineEdit(default_listen_address(self._lan, taken))
        self.listen_edit.setObjectName("listenAddress")
        self.listen_edit.setPlaceholderText(self.tr("e.g. 192.168.1.20:2575"))
        if self._lan:
            where = self.tr("This PC's address on the network: %1.").replace(
                "%1", ", ".join(self._lan)
            )
        else:
            where = self.tr(
                "This PC is not on a network now; 0.0.0.0 listens on every network it joins."
            )
        self.listen_help = WrappingLabel(
            self.tr(
                "The monitor connects to this PC over the clinic network. On the monitor, set "
                "the HL7 destination to the address and port entered here. 127.0.0.1 would "
                "only take connections from this PC itself, so no monitor could reach it. "
                "Give this PC a fixed address on the network, or the monitor loses it."
            )
            + " "
            + where
        )
        self.listen_help.setObjectName("mutedText")
        self.sender_edit = QLineEdit()
        self.sender_edit.setObjectName("expectedSender")
        self.sender_edit.setPlaceholderText(self.tr("optional, e.g. MONITOR^BED01"))
        self.sender_edit.setToolTip(
            self.tr(
                "The sending application (and ^facility) set on the monitor. Messages from "
                "any other sender are not offered for the patient."
            )
        )

        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("deviceName")
        self.name_edit.textEdited.connect(self._on_name_edited)

        # Each error sits right under its field; one per address field, shared by the
        # two serial kinds.
        ble_error = self._error_label("bleAddressError")
        serial_error = self._error_label("portError")
        hl7_error = self._error_label("listenError")
        self._address_errors: dict[str, QLabel] = {
            DeviceKind.BLE: ble_error,
            DeviceKind.CMS50: serial_error,
            DeviceKind.SCALE: serial_error,
            DeviceKind.HL7: hl7_error,
        }
        self.baud_error = self._error_label("baudError")
        self.name_error = self._error_label("nameError")
        self.error_label = self._error_label("pairError")

        # One form, so every field lines up; the rows of other kinds are hidden.
        self.form = QFormLayout()
        # Every field grows: notes and errors wrap at the dialog's width, not at a guess.
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self._row(self.tr("&Kind of device:"), self.kind_combo)
        ble, serial, hl7 = {DeviceKind.BLE}, set(SERIAL_KINDS), {DeviceKind.HL7}
        self._kind_rows: list[tuple[QWidget, set[DeviceKind]]] = []
        self._row("", self.search_button, ble)
        self._row("", self.ble_status, ble)
        self._row(self.tr("&Found:"), self.found_list, ble)
        self._row(self.tr("Bluetooth &address:"), self.ble_address_edit, ble)
        self._row("", ble_error)
        self._row(self.tr("P&ort:"), self.port_combo, serial)
        self._row("", serial_error)
        self._row("", self.port_status, serial)
        self._row(self.tr("&Baud rate:"), self.baud_combo, serial)
        self._row("", self.baud_error)
        self._row(self.tr("&Listen on:"), self.listen_edit, hl7)
        self._row("", hl7_error)
        self._row("", self.listen_help, hl7)
        self._row(self.tr("Expected s&ender:"), self.sender_edit, hl7)
        self._row(self.tr("&Name:"), self.name_edit)
        self._row("", self.name_error)

        self.buttons = QDialogButtonBox()
        self.pair_button = self.buttons.addButton(
            self.tr("&Pair device"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.pair_button.setObjectName("pairButton")
        self.pair_button.setDefault(True)
        self.pair_button.setProperty("primary", True)
        self.cancel_button = self.buttons.addButton(
            self.tr("Cancel"), QDialogButtonBox.ButtonRole.RejectRole
        )
        self.cancel_button.setObjectName("cancelButton")
        self.pair_button.clicked.connect(self.submit)
        self.cancel_button.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(m, m, m, m)
        layout.setSpacing(m // 2)
        layout.addWidget(intro)
        layout.addLayout(self.form)
        layout.addWidget(self.error_label)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(34 * m)

        QWidget.setTabOrder(self.kind_combo, self.search_button)
        QWidget.setTabOrder(self.search_button, self.found_list)
        QWidget.setTabOrder(self.found_list, self.ble_address_edit)
        QWidget.setTabOrder(self.ble_address_edit, self.port_combo)
        QWidget.setTabOrder(self.port_combo, self.baud_combo)
        QWidget.setTabOrder(self.baud_combo, self.listen_edit)
        QWidget.setTabOrder(self.listen_edit, self.sender_edit)
        QWidget.setTabOrder(self.sender_edit, self.name_edit)
        QWidget.setTabOrder(self.name_edit, self.pair_button)
        QWidget.setTabOrder(self.pair_button, self.cancel_button)

        self.kind_combo.currentIndexChanged.connect(self._on_kind_changed)
        self.destroyed.connect(_closer(self._watches))
        self._on_kind_changed()
        self.kind_combo.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- layout helpers ---------------------------------------------------------------------

    def _row(self, text: str, field: QWidget, kinds: set[DeviceKind] | None = None) -> None:
        """A form row: a label (none when ``text`` is empty) and its field, shown only for
        ``kinds`` (every kind when None; error rows are shown when they have something)."""
        if text:
            label = QLabel(text)
            label.setBuddy(field)
            self.form.addRow(label, field)
        else:
            self.form.addRow("", field)
        if kinds is not None:
            self._kind_rows.append((field, kinds))
        if field.objectName() == "errorText":
            self.form.setRowVisible(field, False)

    @staticmethod
    def _error_label(name: str) -> QLabel:
        label = WrappingLabel()
        label.setObjectName("errorText")
        label.setProperty("errorFor", name)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.hide()
        return label

    # --- the kind ---------------------------------------------------------------------------

    def kind(self) -> str:
        return str(self.kind_combo.currentData())

    def set_kind(self, kind: str) -> None:
        index = self.kind_combo.findData(str(kind))
        if index >= 0:
            self.kind_combo.setCurrentIndex(index)

    def _on_kind_changed(self, _index: int = 0) -> None:
        kind = self.kind()
        self._clear_errors()
        for field, kinds in self._kind_rows:
            self.form.setRowVisible(field, DeviceKind(kind) in kinds)
        if kind in DEFAULT_BAUD:
            self.baud_combo.setCurrentIndex(self.baud_combo.findData(str(DEFAULT_BAUD[kind])))
        if kind in SERIAL_KINDS:
            self._watch_ports()
        self._prefill_name()
        self.adjustSize()

    # --- the name ---------------------------------------------------------------------------

    def _on_name_edited(self, text: str) -> None:
        self._name_touched = bool(text.strip())
        self._hide_error(self.name_error)

    def _prefill_name(self) -> None:
        if self._name_touched:
            return
        kind = self.kind()
        name = _t(DEFAULT_NAMES.get(kind, KIND_LABELS.get(kind, "")))
        if kind == DeviceKind.BLE:
            found = self._chosen_found()
            if found is not None:
                name = str(getattr(found, "name", "") or "").strip() or name
        self.name_edit.setText(name)

    # --- serial ports -----------------------------------------------------------------------

    def _watch_ports(self) -> None:
        if self._watch is not None:
            return
        watch = _PortWatch(self._on_ports_changed)
        self._watch = watch
        self._watches.append(watch)
        devices = self._devices

        def start() -> list[Any]:
            watch.started(devices.watch_ports(watch.on_change))
            return list(devices.ports())

        Op(self, start).success(self._on_ports_listed).failure(self._on_ports_failed).run()

    def stop_watching(self) -> None:
        watch, self._watch = self._watch, None
        if watch is not None:
            watch.close()

    def _on_ports_listed(self, ports: list[Any]) -> None:
        if self._watch is None or self._watch.closed:
            return
        # Changes may have arrived while the list was read: merge rather than replace.
        known = {p.device for p in self._ports}
        self._set_ports([*self._ports, *(p for p in ports if p.device not in known)])
        if not self._ports:
            self.port_status.setText(
                self.tr(
                    "No serial port found. Plug in the device's USB cable: its port appears "
                    "here by itself."
                )
            )
        else:
            self.port_status.setText(
                self.tr(
                    "Not sure which port? Unplug the cable and plug it in again: its port is "
                    "then chosen."
                )
            )

    def _on_ports_failed(self, exc: BaseException) -> bool:
        self.port_status.setText(
            self.tr("The serial ports could not be listed: %1").replace("%1", error_text(exc))
        )
        return True

    def _on_ports_changed(self, added: list[Any], removed: list[Any]) -> None:
        gone = {p.device for p in removed}
        chosen = self.port()
        ports = [p for p in self._ports if p.device not in gone]
        fresh = {p.device for p in added}
        ports = [p for p in ports if p.device not in fresh] + list(added)
        self._set_ports(ports)
        if added:
            newest = added[-1]
            self.port_combo.setCurrentIndex(self.port_combo.findData(newest.device))
            self.port_status.setText(
                self.tr("Cable plugged in: %1. It is chosen.").replace("%1", port_label(newest))
            )
            self._hide_error(self._address_errors[DeviceKind.CMS50])
        elif chosen in gone:
            self.port_status.setText(
                self.tr(
                    "The cable on %1 was unplugged. Plug it in again, or choose another port."
                ).replace("%1", chosen)
            )

    def _set_ports(self, ports: list[Any]) -> None:
        chosen = self.port()
        self._ports = sorted(ports, key=lambda p: str(p.device))
        self.port_combo.blockSignals(True)
        self.port_combo.clear()
        for p in self._ports:
            self.port_combo.addItem(port_label(p), str(p.device))
        index = self.port_combo.findData(chosen) if chosen else -1
        if index < 0 and self._ports:
            # A USB adapter rather than a built-in port (/dev/ttyS0, COM1): the cable is one.
            usb = [i for i, p in enumerate(self._ports) if getattr(p, "vid", None) is not None]
            index = usb[0] if usb else 0
        self.port_combo.setCurrentIndex(index)
        self.port_combo.blockSignals(False)

    def port(self) -> str:
        """The serial port chosen ("/dev/ttyUSB0"), or ""."""
        data = self.port_combo.currentData()
        return "" if data is None else str(data)

    def port_texts(self) -> list[str]:
        """What the port list shows, in order (for tests)."""
        return [self.port_combo.itemText(i) for i in range(self.port_combo.count())]

    def baud(self) -> str:
        return self.baud_combo.currentText().strip()

    # --- Bluetooth --------------------------------------------------------------------------

    def search_bluetooth(self) -> None:
        if self._busy or self._scan is not None:
            return
        devices, actor = self._devices, self._session.user
        self.search_button.setEnabled(False)
        self.ble_status.setText(self.tr("Searching…"))
        self._scan = (
            Op(self, lambda: devices.scan_bluetooth(actor, SCAN_SECONDS))
            .with_progress(self.tr("Searching for Bluetooth devices…"), cancellable=True)
            .success(self._on_found)
            .failure(self._on_scan_failed)
            .cancelled(self._on_scan_cancelled)
            .run()
        )

    def is_searching(self) -> bool:
        return self._scan is not None

    def _on_found(self, found: list[Any]) -> None:
        self._scan = None
        self.search_button.setEnabled(not self._busy)
        self._found = sorted(found, key=lambda d: (str(getattr(d, "name", "") or "~"), d.address))
        self.found_list.clear()
        for i, device in enumerate(self._found):
            name = str(getattr(device, "name", "") or "").strip() or self.tr("(no name)")
            measures = measures_text(device)
            text = f"{name} — {device.address}"
            if measures:
                text += " — " + measures
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, i)
            self.found_list.addItem(item)
        if self._found:
            self.ble_status.setText(
                self.tr("%n device(s) found. Choose one; its address is filled in.", "", len(found))
            )
            self.found_list.setCurrentRow(0)
            self.found_list.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.ble_status.setText(
                self.tr(
                    "No Bluetooth health device found. Check that the device is on and in "
                    "pairing mode and that this PC's Bluetooth is switched on, then search again."
                )
            )

    def _on_scan_failed(self, exc: BaseException) -> bool:
        self._scan = None
        self.search_button.setEnabled(not self._busy)
        if isinstance(getattr(exc, "code", None), str):
            text = error_text(exc)
        else:
            text = self.tr(
                "The Bluetooth search did not work (%1). Check that this PC's Bluetooth is "
                "switched on, or type the device's address."
            ).replace("%1", str(exc) or type(exc).__name__)
        self.ble_status.setText(text)
        return True

    def _on_scan_cancelled(self) -> None:
        self._scan = None
        self.search_button.setEnabled(not self._busy)
        self.ble_status.setText(self.tr("Search stopped."))

    def found_texts(self) -> list[str]:
        """What the found list shows, in order (for tests)."""
        return [self.found_list.item(i).text() for i in range(self.found_list.count())]

    def _chosen_found(self) -> Any | None:
        item = self.found_list.currentItem()
        if item is None:
            return None
        index = item.data(Qt.ItemDataRole.UserRole)
        return self._found[index] if isinstance(index, int) and index < len(self._found) else None

    def _on_found_chosen(self, *_args: object) -> None:
        found = self._chosen_found()
        if found is None:
            return
        self.ble_address_edit.setText(str(found.address))
        self._hide_error(self._address_errors[DeviceKind.BLE])
        self._prefill_name()

    # --- submitting -------------------------------------------------------------------------

    def address_widget(self) -> QWidget:
        """The field that holds the address for the chosen kind."""
        kind = self.kind()
        if kind == DeviceKind.BLE:
            return self.ble_address_edit
        if kind in SERIAL_KINDS:
            return self.port_combo
        return self.listen_edit

    def address(self) -> str:
        kind = self.kind()
        if kind == DeviceKind.BLE:
            return self.ble_address_edit.text().strip()
        if kind in SERIAL_KINDS:
            return self.port()
        return self.listen_edit.text().strip()

    def options(self) -> dict[str, str]:
        kind = self.kind()
        if kind in SERIAL_KINDS:
            return {"baudrate": self.baud()}
        if kind == DeviceKind.HL7:
            sender = self.sender_edit.text().strip()
            return {"sender": sender} if sender else {}
        return {}  # a Bluetooth driver finds out for itself what the device offers

    def _check(self) -> bool:
        """Catch what needs no service call; True when the form may be sent."""
        kind, address = self.kind(), self.address()
        if not address:
            if kind == DeviceKind.BLE:
                text = self.tr("Search for the device and choose it, or type its address.")
            elif kind in SERIAL_KINDS:
                text = self.tr("Plug in the device's cable and choose its port.")
            else:
                text = self.tr("Enter the address this PC listens on, e.g. 192.168.1.20:2575.")
            self.show_field_error("address", text)
            return False
        if kind == DeviceKind.HL7:
            match = _LISTEN.fullmatch(address)
            if match is None or int(match["port"]) > 65535:
                self.show_field_error(
                    "address",
                    self.tr(
                        "Write the address as address:port, e.g. 192.168.1.20:2575 (a port "
                        "is a number up to 65535)."
                    ),
                )
                return False
        if kind in SERIAL_KINDS and (not self.baud().isdigit() or int(self.baud()) <= 0):
            self.show_field_error(
                "baudrate", self.tr("Choose the baud rate given in the device's manual.")
            )
            return False
        if not self.name_edit.text().strip():
            self.show_field_error("name", name_required_text())
            return False
        return True

    def submit(self) -> None:
        if self._busy:
            return
        self._clear_errors()
        if not self._check():
            return
        kind, name, address, options = (
            self.kind(),
            self.name_edit.text().strip(),
            self.address(),
            self.options(),
        )
        devices, actor = self._devices, self._session.user
        self.set_busy(True)
        (
            Op(self, lambda: devices.pair(actor, kind, name, address, options))
            .success(self._on_paired)
            .failure(self._on_failed)
            .run()
        )

    def _on_paired(self, device: PairedDevice) -> None:
        self.set_busy(False)
        self.paired.emit(device)
        self.accept()

    def _on_failed(self, exc: BaseException) -> bool:
        self.set_busy(False)
        self.show_field_error(getattr(exc, "field", None), error_text(exc))
        return True

    # --- errors -----------------------------------------------------------------------------

    def show_field_error(self, field: str | None, text: str) -> None:
        """Show ``text`` under the field the service named (``DomainError.field``), and put
        the cursor there; anything else goes under the form."""
        focus: QWidget
        if field == "address":
            label, focus = self._address_errors[self.kind()], self.address_widget()
        elif field == "name":
            label, focus = self.name_error, self.name_edit
        elif field == "baudrate":
            label, focus = self.baud_error, self.baud_combo
        else:
            label, focus = self.error_label, self.kind_combo
        label.setText(text)
        label.setAccessibleName(text)
        if label is self.error_label:
            label.show()
        else:
            self.form.setRowVisible(label, True)
        focus.setFocus(Qt.FocusReason.OtherFocusReason)
        if isinstance(focus, QLineEdit):
            focus.selectAll()

    def _hide_error(self, label: QLabel) -> None:
        self.form.setRowVisible(label, False)

    def _clear_errors(self) -> None:
        for label in (*self._address_errors.values(), self.baud_error, self.name_error):
            self._hide_error(label)
        self.error_label.hide()

    def field_error(self, field: str) -> str:
        """The problem shown for ``field`` ("address", "name", "baudrate", or "" for the
        form), or "" (for tests)."""
        label = {
            "address": self._address_errors[self.kind()],
            "name": self.name_error,
            "baudrate": self.baud_error,
        }.get(field, self.error_label)
        return label.text() if not label.isHidden() else ""

    # --- busy, closing ----------------------------------------------------------------------

    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        for widget in self.findChildren(QWidget):
            if isinstance(widget, QLineEdit | QComboBox | QPushButton | QListWidget):
                widget.setEnabled(not busy)
        if not busy and self._scan is not None:
            self.search_button.setEnabled(False)

    def is_busy(self) -> bool:
        return self._busy

    def done(self, result: int) -> None:
        self.stop_watching()
        if self._scan is not None:
            self._scan.cancel()
        super().done(result)

    def reject(self) -> None:
        if not self._busy:  # the pairing is under way: let it finish and report
            super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._busy:
            event.ignore()
            return
        super().closeEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self._busy and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            return
        super().keyPressEvent(event)
