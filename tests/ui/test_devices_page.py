"""The Devices page: field IT pair, rename and forget devices by keyboard; everyone sees which
devices are connected, live; a paramedic gets no pairing buttons and the service refuses them
anyway; reading values are shown to clinical staff only.

Everything below the page is real: Services on a tmp folder, the device manager, the HL7
driver listening on loopback and the simulated monitor speaking MLLP to it. Only the edges
with no hardware here are replaced: the operating system's serial-port enumeration (no USB
cable on a CI machine) and the Bluetooth radio.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import serial.tools.list_ports
from PySide6.QtCore import Qt, QThreadPool
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from app.domain.errors import PermissionDenied
from app.domain.models import User
from app.services.container import Services
from app.ui.application import create_application
from app.ui.devices_page import DevicesPage, RenameDeviceDialog, when_text
from app.ui.pair_dialog import PairDialog
from app.ui.session import Session
from tests.navigator import RecordingNavigator
from tests.ui.conftest import FAST_LOG_N

WAIT_MS = 10_000  # generous: a loaded 2-core CI machine
PORT_WAIT_MS = 15_000  # the port watcher polls every 2 s


class FakeClock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2025, 6, 2, 6, 30, tzinfo=UTC))


@pytest.fixture
def services(data_dir: Path, clock: FakeClock) -> Iterator[Services]:
    s = Services.open(data_dir, clock=clock, password_log_n=FAST_LOG_N)
    try:
        yield s
    finally:
        s.devices.stop()
        QThreadPool.globalInstance().waitForDone(10_000)
        s.close()


@pytest.fixture
def navigator() -> RecordingNavigator:
    return RecordingNavigator()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def busy_port() -> Iterator[int]:
    """A port another program already listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        yield int(s.getsockname()[1])


def make_page(
    qtbot: QtBot, services: Services, user: User, navigator: RecordingNavigator
) -> DevicesPage:
    page = DevicesPage(Session(user, services), navigator)
    qtbot.addWidget(page)
    page.resize(1100, 640)
    page.show()
    qtbot.waitExposed(page)
    page.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is page, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: page.is_loaded() and not page.is_loading(), timeout=WAIT_MS)
    return page


def open_dialog(qtbot: QtBot, page: DevicesPage, key: Qt.Key) -> QWidget:
    before = page.dialog
    qtbot.keyClick(page, key, Qt.KeyboardModifier.AltModifier)  # the click lands ~100 ms later
    qtbot.waitUntil(lambda: page.dialog is not None and page.dialog is not before, timeout=WAIT_MS)
    dialog = page.dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=WAIT_MS)
    return dialog


def focused(dialog: QWidget) -> QWidget:
    widget = dialog.focusWidget()
    assert widget is not None
    return widget


def tab(qtbot: QtBot, dialog: QWidget) -> None:
    qtbot.keyClick(focused(dialog), Qt.Key.Key_Tab)


def retype(qtbot: QtBot, dialog: QWidget, text: str) -> None:
    """Select what the focused field holds and type over it."""
    widget = focused(dialog)
    qtbot.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(widget, text)


def row_of(page: DevicesPage, name: str) -> list[str]:
    for device in page.model.devices():
        if device.name == name:
            return page.row_texts(device.id)
    return []


def column(page: DevicesPage, name: str, col: int) -> str:
    row = row_of(page, name)
    return row[col] if row else ""


def watcher_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "hwc-port-watcher" and t.is_alive()]


# --- pairing ------------------------------------------------------------------------------


def test_admin_pairs_a_bedside_monitor_by_keyboard(
    qtbot: QtBot, services: Services, admin: User, navigator: RecordingNavigator
) -> None:
    page = make_page(qtbot, services, admin, navigator)
    assert page.empty_label.isVisible()
    assert "No devices are paired" in page.empty_label.text()
    assert not page.table.isVisible()

    dialog = open_dialog(qtbot, page, Qt.Key.Key_P)
    assert isinstance(dialog, PairDialog)
    qtbot.waitUntil(lambda: focused(dialog) is dialog.kind_combo, timeout=WAIT_MS)
    qtbot.keyClick(dialog.kind_combo, Qt.Key.Key_End)  # the last kind: the HL7 monitor
    assert dialog.kind_combo.currentText() == "Bedside monitor (HL7)"
    assert dialog.listen_edit.isVisible() and not dialog.search_button.isVisible()
    # The monitor is another machine: the default listens on the network, not on loopback.
    assert dialog.listen_edit.text().endswith(":2575")
    assert not dialog.listen_edit.text().startswith("127.")
    assert dialog.name_edit.text() == "Bedside monitor"

    port = free_port()
    tab(qtbot, dialog)
    assert focused(dialog) is dialog.listen_edit
    retype(qtbot, dialog, f"127.0.0.1:{port}")
    tab(qtbot, dialog)
    assert focused(dialog) is dialog.sender_edit
    qtbot.keyClicks(dialog.sender_edit, "SIM-MONITOR")
    tab(qtbot, dialog)
    assert focused(dialog) is dialog.name_edit
    retype(qtbot, dialog, "Ward monitor")
    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=WAIT_MS)

    qtbot.waitUntil(lambda: bool(row_of(page, "Ward monitor")), timeout=WAIT_MS)
    assert page.table.isVisible() and not page.empty_label.isVisible()
    texts = row_of(page, "Ward monitor")
    assert texts[page.model.KIND] == "Bedside monitor (HL7)"
    assert texts[page.model.ADDRESS] == f"127.0.0.1:{port}"
    assert texts[page.model.STATE] == "Not connected"  # the drivers are not running here
    selected = page.selected_device()
    assert selected is not None and selected.name == "Ward monitor"
    assert "Ward monitor is paired" in navigator.messages[-1]
    [stored] = services.devices.paired()
    assert (stored.kind, stored.name, stored.address) == (
        "hl7",
        "Ward monitor",
        f"127.0.0.1:{port}",
    )
    assert dict(stored.options) == {"sender": "SIM-MONITOR"}


def test_a_duplicate_address_is_refused_next_to_the_address(
    qtbot: QtBot, services: Services, admin: User, navigator: RecordingNavigator
) -> None:
    services.devices.pair(admin, "hl7", "Ward monitor", "127.0.0.1:2600")
    page = make_page(qtbot, services, admin, navigator)
    page.open_pair_dialog()
    dialog = page.dialog
    assert isinstance(dialog, PairDialog)
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT_MS)
    dialog.set_kind("hl7")

    # Caught before any work: an address without a port.
    dialog.listen_edit.setText("monitor-pc")
    dialog.submit()
    assert "address:port" in dialog.field_error("address")
    assert not dialog.is_busy()

    dialog.listen_edit.setText("127.0.0.1:2600")
    qtbot.keyClick(dialog.listen_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: bool(dialog.field_error("address")) and not dialog.is_busy(), timeout=WAIT_MS
    )
    assert "already paired" in dialog.field_error("address")
    assert dialog.field_error("name") == ""
    assert dialog.isVisible()
    assert dialog.focusWidget() is dialog.listen_edit
    assert [d.name for d in services.devices.paired()] == ["Ward monitor"]

    qtbot.keyClick(dialog.listen_edit, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=WAIT_MS)


def test_the_port_list_follows_the_cable_and_the_baud_rate_follows_the_kind(
    qtbot: QtBot,
    services: Services,
    admin: User,
    navigator: RecordingNavigator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    plugged: list[FakePort] = []
    # The OS enumeration is the lowest seam: both ``ports()`` and the watcher read it.
    monkeypatch.setattr(serial.tools.list_ports, "comports", lambda *_a, **_k: list(plugged))
    page = make_page(qtbot, services, admin, navigator)
    dialog = open_dialog(qtbot, page, Qt.Key.Key_P)
    assert isinstance(dialog, PairDialog)
    qtbot.waitUntil(lambda: focused(dialog) is dialog.kind_combo, timeout=WAIT_MS)
    qtbot.keyClick(dialog.kind_combo, Qt.Key.Key_Down)  # Bluetooth -> Contec oximeter
    assert dialog.kind_combo.currentText() == "Contec oximeter (USB cable)"
    assert dialog.baud() == "19200"
    assert dialog.name_edit.text() == "Pulse oximeter (CMS50)"
    qtbot.waitUntil(lambda: "No serial port found" in dialog.port_status.text(), timeout=WAIT_MS)
    assert dialog.port_texts() == []

    # Nothing chosen yet: the dialog says what to do, next to the port.
    dialog.submit()
    assert "Plug in" in dialog.field_error("address")

    plugged.append(
        FakePort(
            "/dev/ttyUSB0",
            "CP2102 USB to UART Bridge Controller",
            vid=0x10C4,
            pid=0xEA60,
            manufacturer="Silicon Labs",
        )
    )
    qtbot.waitUntil(lambda: dialog.port_texts() != [], timeout=PORT_WAIT_MS)
    assert dialog.port_texts() == ["/dev/ttyUSB0 — Silicon Labs CP210x USB-serial"]
    assert dialog.port() == "/dev/ttyUSB0"
    assert "Cable plugged in" in dialog.port_status.text()
    assert dialog.field_error("address") == ""

    qtbot.keyClick(dialog.kind_combo, Qt.Key.Key_Down)  # the weighing scale speaks 9600
    assert dialog.kind_combo.currentText() == "Weighing scale (serial)"
    assert dialog.baud() == "9600"
    assert dialog.name_edit.text() == "Weighing scale"
    qtbot.keyClick(dialog.kind_combo, Qt.Key.Key_Up)
    assert dialog.baud() == "19200"
    qtbot.keyClick(dialog.kind_combo, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=WAIT_MS)

    [stored] = services.devices.paired()
    assert (stored.kind, stored.address) == ("cms50", "/dev/ttyUSB0")
    assert dict(stored.options) == {"baudrate": "19200"}
    # Closing the dialog stops watching the ports.
    qtbot.waitUntil(lambda: watcher_threads() == [], timeout=WAIT_MS)


@dataclass
class FakePort:
    """What pyserial's ``comports()`` yields, for a cable that is not really there."""

    device: str
    description: str = "n/a"
    hwid: str = "n/a"
    vid: int | None = None
    pid: int | None = None
    serial_number: str | None = None
    manufacturer: str | None = None


def test_bluetooth_search_lists_what_each_device_measures(
    qtbot: QtBot,
    services: Services,
    admin: User,
    navigator: RecordingNavigator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from app.devices.transports.ble_link import FoundDevice

    found = [
        FoundDevice("A4:C1:38:00:00:02", None, -70, ("thermometer", "heart_rate"), None),  # type: ignore[arg-type]
        FoundDevice("A4:C1:38:00:00:01", "UA-651BLE", -60, ("blood_pressure",), None),  # type: ignore[arg-type]
    ]
    calls: list[float] = []

    def scan(actor: User, timeout: float = 8.0) -> list[FoundDevice]:
        calls.append(timeout)  # the radio is the edge here; the permission is the service's
        if actor.role != "admin":
            raise PermissionDenied("permission.denied", "no", {"role": str(actor.role)})
        return found

    monkeypatch.setattr(services.devices, "scan_bluetooth", scan)
    page = make_page(qtbot, services, admin, navigator)
    dialog = open_dialog(qtbot, page, Qt.Key.Key_P)
    assert isinstance(dialog, PairDialog)
    assert dialog.kind() == "ble"
    qtbot.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: len(dialog.found_texts()) == 2, timeout=WAIT_MS)
    assert not dialog.is_searching()
    assert dialog.found_texts() == [
        "UA-651BLE — A4:C1:38:00:00:01 — blood pressure",
        "(no name) — A4:C1:38:00:00:02 — temperature, heart rate",
    ]
    # The first is chosen, with the focus in the list: its address and name are filled in.
    assert dialog.focusWidget() is dialog.found_list
    assert dialog.ble_address_edit.text() == "A4:C1:38:00:00:01"
    assert dialog.name_edit.text() == "UA-651BLE"
    qtbot.keyClick(dialog.found_list, Qt.Key.Key_Down)
    assert dialog.ble_address_edit.text() == "A4:C1:38:00:00:02"
    assert dialog.name_edit.text() == "Bluetooth device"  # no name of its own
    qtbot.keyClick(dialog.found_list, Qt.Key.Key_Up)
    assert dialog.name_edit.text() == "UA-651BLE"
    qtbot.keyClick(dialog.found_list, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=WAIT_MS)
    [stored] = services.devices.paired()
    assert (stored.kind, stored.name, stored.address) == ("ble", "UA-651BLE", "A4:C1:38:00:00:01")
    assert dict(stored.options) == {}
    assert calls == [8.0]


# --- renaming and forgetting ----------------------------------------------------------------


def test_rename_by_keyboard(
    qtbot: QtBot, services: Services, admin: User, navigator: RecordingNavigator
) -> None:
    device = services.devices.pair(admin, "scale", "Scale", "/dev/ttyUSB1", {"baudrate": "9600"})
    page = make_page(qtbot, services, admin, navigator)
    assert page.select_device(device.id)
    page.table.setFocus()
    dialog = open_dialog(qtbot, page, Qt.Key.Key_N)
    assert isinstance(dialog, RenameDeviceDialog)
    qtbot.waitUntil(lambda: focused(dialog) is dialog.name_edit, timeout=WAIT_MS)
    assert dialog.name_edit.text() == "Scale"

    retype(qtbot, dialog, " ")
    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Return)
    assert "name" in dialog.error()
    assert dialog.isVisible()

    retype(qtbot, dialog, "Baby scale (room 1)")
    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=WAIT_MS)
    qtbot.waitUntil(
        lambda: column(page, "Baby scale (room 1)", page.model.NAME) != "", timeout=WAIT_MS
    )
    assert "Baby scale (room 1)" in navigator.messages[-1]
    [stored] = services.devices.paired()
    assert (stored.name, stored.address, dict(stored.options)) == (
        "Baby scale (room 1)",
        "/dev/ttyUSB1",
        {"baudrate": "9600"},
    )


def _confirmation(qtbot: QtBot) -> QMessageBox:
    qtbot.waitUntil(
        lambda: isinstance(QApplication.activeModalWidget(), QMessageBox), timeout=WAIT_MS
    )
    box = QApplication.activeModalWidget()
    assert isinstance(box, QMessageBox)
    return box


def test_forget_asks_first(
    qtbot: QtBot, services: Services, admin: User, navigator: RecordingNavigator
) -> None:
    keep = services.devices.pair(admin, "hl7", "Ward monitor", "127.0.0.1:2600")
    gone = services.devices.pair(admin, "cms50", "Old oximeter", "/dev/ttyUSB0")
    page = make_page(qtbot, services, admin, navigator)
    assert page.select_device(gone.id)
    page.table.setFocus()

    qtbot.keyClick(page, Qt.Key.Key_F, Qt.KeyboardModifier.AltModifier)
    box = _confirmation(qtbot)
    assert "Old oximeter" in box.text()
    qtbot.keyClick(box, Qt.Key.Key_Escape)  # changed their mind: nothing happens
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is None, timeout=WAIT_MS)
    assert len(services.devices.paired()) == 2

    page.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is page, timeout=WAIT_MS)
    qtbot.keyClick(page, Qt.Key.Key_F, Qt.KeyboardModifier.AltModifier)
    box = _confirmation(qtbot)
    forget = next(b for b in box.findChildren(QPushButton) if b.objectName() == "confirmForget")
    qtbot.mouseClick(forget, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=WAIT_MS)
    assert [d.id for d in services.devices.paired()] == [keep.id]
    assert row_of(page, "Old oximeter") == []
    assert "Old oximeter is forgotten" in navigator.messages[-1]


# --- roles ----------------------------------------------------------------------------------


def test_a_paramedic_sees_the_devices_but_no_pairing_and_the_service_refuses(
    qtbot: QtBot, services: Services, admin: User, paramedic: User, navigator: RecordingNavigator
) -> None:
    page = make_page(qtbot, services, paramedic, navigator)
    assert (page.pair_button, page.rename_button, page.forget_button) == (None, None, None)
    assert "Field IT" in page.empty_label.text()
    assert not any(
        b.isVisible() and ("Pair" in b.text() or "Forget" in b.text())
        for b in page.findChildren(QPushButton)
    )
    page.open_pair_dialog()
    assert page.dialog is None

    device = services.devices.pair(admin, "hl7", "Ward monitor", "127.0.0.1:2600")
    page.reload()
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=WAIT_MS)
    assert "ask field IT to pair it again" in page.hint_label.text()
    assert page.hint_label.isVisible()
    # The services refuse whatever the page shows.
    for call in (
        lambda: services.devices.pair(paramedic, "hl7", "Mine", "127.0.0.1:2601"),
        lambda: services.devices.update(paramedic, device.id, name="Mine"),
        lambda: services.devices.forget(paramedic, device.id),
        lambda: services.devices.scan_bluetooth(paramedic, 0.1),
    ):
        with pytest.raises(PermissionDenied):
            call()
    assert [d.name for d in services.devices.paired()] == ["Ward monitor"]


# --- live state and readings ----------------------------------------------------------------


def test_state_and_readings_arrive_live_values_for_clinical_staff_only(
    qtbot: QtBot,
    services: Services,
    admin: User,
    paramedic: User,
    navigator: RecordingNavigator,
    clock: FakeClock,
    busy_port: int,
) -> None:
    from app.devices.simulators.hl7_monitor import MonitorSimulator

    port = free_port()
    services.devices.pair(admin, "hl7", "Ward monitor", f"127.0.0.1:{port}", {"sender": "SIM"})
    services.devices.pair(admin, "hl7", "Room 2 monitor", f"127.0.0.1:{busy_port}")
    it_page = make_page(qtbot, services, admin, navigator)
    nurse_page = make_page(qtbot, services, paramedic, navigator)
    state = it_page.model.STATE
    assert column(it_page, "Ward monitor", state) == "Not connected"

    services.devices.start()  # the drivers report from their own threads
    for page in (it_page, nurse_page):
        qtbot.waitUntil(
            lambda p=page: column(p, "Ward monitor", state) == "Listening", timeout=WAIT_MS
        )
        qtbot.waitUntil(
            lambda p=page: column(p, "Room 2 monitor", state).startswith("Problem: "),
            timeout=WAIT_MS,
        )
    assert "already in use" in column(it_page, "Room 2 monitor", state)

    simulator = MonitorSimulator("127.0.0.1", port, interval_s=None, sender="SIM")
    simulator.start()
    try:
        simulator.send_now()
        last = nurse_page.model.LAST
        qtbot.waitUntil(
            lambda: "SpO₂ 97 %" in column(nurse_page, "Ward monitor", last), timeout=WAIT_MS
        )
        qtbot.waitUntil(lambda: column(it_page, "Ward monitor", last) != "", timeout=WAIT_MS)
    finally:
        simulator.stop()
    when = when_text(clock.now, clock.now)
    assert column(nurse_page, "Ward monitor", last).endswith(f"· {when}")
    assert "Pulse 72 /min" in column(nurse_page, "Ward monitor", last)
    # Field IT sees that the monitor sends, not what it measured.
    assert column(it_page, "Ward monitor", last) == when

    # After a restart the running state is gone; the summary stored with the pairing shows.
    qtbot.waitUntil(lambda: any(d.last_reading for d in services.devices.paired()))
    services.devices.stop()
    later = make_page(qtbot, services, paramedic, navigator)
    assert column(later, "Ward monitor", state) == "Not connected"
    assert "SpO₂ 97 %" in column(later, "Ward monitor", later.model.LAST)
    later_it = make_page(qtbot, services, admin, navigator)
    assert column(later_it, "Ward monitor", later_it.model.LAST) == when


def test_a_problem_from_a_device_shows_in_its_row(
    qtbot: QtBot, services: Services, admin: User, paramedic: User, navigator: RecordingNavigator
) -> None:
    from app.devices.simulators.hl7_monitor import MonitorSimulator

    port = free_port()
    services.devices.pair(admin, "hl7", "Ward monitor", f"127.0.0.1:{port}", {"sender": "BED01"})
    page = make_page(qtbot, services, paramedic, navigator)
    assert page.table.isColumnHidden(page.model.PROBLEM)  # no problem, no column
    services.devices.start()
    qtbot.waitUntil(
        lambda: column(page, "Ward monitor", page.model.STATE) == "Listening", timeout=WAIT_MS
    )
    simulator = MonitorSimulator("127.0.0.1", port, interval_s=None, sender="OTHER")
    simulator.start()
    try:
        simulator.send_now()  # from a monitor this device does not expect
        qtbot.waitUntil(
            lambda: "OTHER" in column(page, "Ward monitor", page.model.PROBLEM), timeout=WAIT_MS
        )
    finally:
        simulator.stop()
    assert not page.table.isColumnHidden(page.model.PROBLEM)
    assert column(page, "Ward monitor", page.model.LAST) == ""  # nothing offered
    assert page.select_device(page.model.devices()[0].id)
    assert "Latest problem:" in page.detail_label.text()


# --- size -----------------------------------------------------------------------------------


def test_nothing_is_clipped_at_150_percent(
    qtbot: QtBot, services: Services, admin: User, navigator: RecordingNavigator
) -> None:
    from tests.ui.test_login import _clipped

    services.devices.pair(admin, "hl7", "Ward monitor", "127.0.0.1:2600")
    services.devices.pair(admin, "cms50", "Pulse oximeter (CMS50)", "/dev/ttyUSB0")
    create_application(language="en", font_scale=1.5)
    try:
        page = make_page(qtbot, services, admin, navigator)
        qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=WAIT_MS)
        assert page.pair_button is not None and page.pair_button.font().pointSizeF() > 15
        assert _clipped(page) == []
        header = page.table.horizontalHeader()
        for col in range(page.model.columnCount()):
            if page.table.isColumnHidden(col):
                continue
            title = str(page.model.headerData(col, Qt.Orientation.Horizontal))
            assert header.sectionSize(col) >= header.fontMetrics().horizontalAdvance(title)
        assert page.table.verticalHeader().sectionSize(0) >= page.table.fontMetrics().height()
        page.select_device(page.model.devices()[0].id)
        for opener in (page.open_pair_dialog, page.open_rename_dialog):
            opener()
            dialog = page.dialog
            assert dialog is not None
            qtbot.waitUntil(dialog.isVisible, timeout=WAIT_MS)
            qtbot.waitExposed(dialog)
            if isinstance(dialog, PairDialog):
                for kind in ("ble", "cms50", "hl7"):
                    dialog.set_kind(kind)
                    qtbot.waitUntil(lambda d=dialog: d.height() >= d.minimumSizeHint().height())
                    assert _clipped(dialog) == [], kind
            else:
                assert _clipped(dialog) == []
            dialog.reject()
    finally:
        create_application(language="en", font_scale=1.0)
