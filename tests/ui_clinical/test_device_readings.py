"""Device readings in the real case form: prompts, live values, Keep and Discard.

Real parts all the way down: a simulated CMS50 oximeter on a pseudo-terminal read by the
real driver, and a simulated bedside monitor sending HL7 over loopback TCP to the real
listener; the device service, store and widgets are the app's own.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.devices.simulators.hl7_monitor import MonitorSimulator
from app.devices.simulators.serial_sims import OximeterSimulator
from app.domain.models import ObservationSource
from app.services.container import Services
from app.services.devices import DeviceKind
from app.ui.case_form import CaseForm
from app.ui.session import Session
from tests.navigator import RecordingNavigator
from tests.ui_clinical.conftest import PASSWORD, register

QUICK = {"steady_seconds": "1", "protocol": "legacy"}  # defaults: see the driver tests


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def admin(services: Services, paramedic):
    return services.auth.login("admin", PASSWORD)


@pytest.fixture
def oximeter() -> Iterator[OximeterSimulator]:
    sim = OximeterSimulator(spo2=95, pulse=88, jitter=False)
    sim.start()
    yield sim
    sim.stop()


@pytest.fixture
def form(qtbot: QtBot, session: Session, services: Services, paramedic) -> CaseForm:
    patient = register(services, paramedic, "Sunita Devi")
    case = services.cases.start(paramedic, patient.id)
    f = CaseForm(session, RecordingNavigator())
    qtbot.addWidget(f)
    f.resize(1100, 900)
    f.show()
    f.load(case.id)
    qtbot.waitUntil(lambda: f.case is not None)
    return f


def _vitals_rows(form: CaseForm) -> list[tuple[str, str]]:
    tree = form.vitals.readings
    return [
        (tree.topLevelItem(i).text(form.vitals.COL_READING), tree.topLevelItem(i).text(3))
        for i in range(tree.topLevelItemCount())
    ]


def test_an_oximeter_reading_is_shown_live_then_kept_with_its_source(
    qtbot: QtBot, services: Services, admin, form: CaseForm, oximeter
) -> None:
    device = services.devices.pair(admin, DeviceKind.CMS50, "Oximeter 1", oximeter.port, QUICK)
    services.devices.start()
    panel = form.device_readings
    qtbot.waitUntil(lambda: "Oximeter 1: ready" in panel.status_label.text(), timeout=10_000)
    assert "Clip the oximeter on a finger" in panel.status_label.text()
    qtbot.waitUntil(lambda: "95 %" in panel.live_text(device.id), timeout=10_000)
    qtbot.waitUntil(lambda: len(panel.pending_rows()) == 1, timeout=10_000)
    (row,) = panel.pending_rows()
    assert "From Oximeter 1" in row.source_label.text()
    assert "95 %" in row.values_label.text() and "88" in row.values_label.text()
    assert form.vitals.recorded() == []  # not stored until kept

    qtbot.mouseClick(row.keep_button, qtbot_left())
    qtbot.waitUntil(lambda: len(form.vitals.recorded()) == 2, timeout=5_000)
    assert panel.pending_rows() == []
    qtbot.waitUntil(lambda: all(src == "From Oximeter 1" for _, src in _vitals_rows(form)))
    stored = services.cases.detail(form._session.user, form.case_id).observations
    assert {o.observation.source for o in stored} == {ObservationSource.DEVICE}


def test_a_discarded_reading_is_not_stored(
    qtbot: QtBot, services: Services, admin, form: CaseForm, oximeter
) -> None:
    services.devices.pair(admin, DeviceKind.CMS50, "Oximeter 1", oximeter.port, QUICK)
    services.devices.start()
    panel = form.device_readings
    qtbot.waitUntil(lambda: len(panel.pending_rows()) == 1, timeout=10_000)
    qtbot.mouseClick(panel.pending_rows()[0].discard_button, qtbot_left())
    qtbot.waitUntil(lambda: panel.pending_rows() == [], timeout=5_000)
    assert services.cases.detail(form._session.user, form.case_id).observations == []


def test_an_impossible_reading_says_why_and_cannot_be_kept(
    qtbot: QtBot, services: Services, admin, form: CaseForm, oximeter
) -> None:
    oximeter.set_values(spo2=99, pulse=15)
    services.devices.pair(admin, DeviceKind.CMS50, "Oximeter 1", oximeter.port, QUICK)
    services.devices.start()
    panel = form.device_readings

    def judged() -> bool:
        # The row can show before its reading is judged (the device still measuring).
        rows = panel.pending_rows()
        return len(rows) == 1 and rows[0].error_label.isVisible()

    qtbot.waitUntil(judged, timeout=10_000)
    (row,) = panel.pending_rows()
    assert not row.keep_button.isEnabled()
    assert row.discard_button.isEnabled()
    assert "Pulse" in row.error_label.text()


def test_monitor_readings_arrive_once_even_when_resent(
    qtbot: QtBot, services: Services, admin, form: CaseForm
) -> None:
    port = _free_port()
    services.devices.pair(admin, DeviceKind.HL7, "Bedside monitor", f"127.0.0.1:{port}")
    services.devices.start()
    panel = form.device_readings
    qtbot.waitUntil(lambda: "Bedside monitor: ready" in panel.status_label.text(), timeout=10_000)
    monitor = MonitorSimulator("127.0.0.1", port, interval_s=None)
    monitor.start()
    try:
        monitor.send_now()
        qtbot.waitUntil(lambda: len(panel.pending_rows()) == 1, timeout=10_000)
        monitor.resend_last()
        qtbot.waitUntil(lambda: len(monitor.ack_codes) == 2, timeout=10_000)
        services.devices.flush()
        qtbot.wait(50)
        assert len(panel.pending_rows()) == 1
        assert monitor.ack_codes == ["AA", "AA"]
        row = panel.pending_rows()[0]
        qtbot.mouseClick(row.keep_button, qtbot_left())
        qtbot.waitUntil(lambda: len(form.vitals.recorded()) >= 5, timeout=5_000)
    finally:
        monitor.stop()


def test_a_reading_on_a_case_that_becomes_read_only_cannot_be_kept(
    qtbot: QtBot, services: Services, admin, form: CaseForm, oximeter
) -> None:
    services.devices.pair(admin, DeviceKind.CMS50, "Oximeter 1", oximeter.port, QUICK)
    services.devices.start()
    panel = form.device_readings
    qtbot.waitUntil(lambda: len(panel.pending_rows()) == 1, timeout=10_000)
    (row,) = panel.pending_rows()
    assert row.keep_button.isEnabled()
    services.cases.cancel(form._session.user, form.case_id, "wrong patient")
    form.reload()
    qtbot.waitUntil(lambda: form.is_read_only())
    qtbot.waitUntil(lambda: not row.keep_button.isEnabled())
    assert not row.discard_button.isEnabled()


def test_a_cuff_reading_lands_in_the_case_open_in_the_main_window(
    qtbot: QtBot, services: Services, admin, session: Session, paramedic, monkeypatch
) -> None:
    from app.devices.simulators.ble_sim import BleSimPeripheral
    from app.ui.main_window import MainWindow

    patient = register(services, paramedic, "Ramesh Kumaar")
    case = services.cases.start(paramedic, patient.id)
    with BleSimPeripheral("bp", name="UA-651BLE") as cuff:
        monkeypatch.setenv("HWC_SPOKE_BLE_SIM", cuff.endpoint)
        (found,) = services.devices.scan_bluetooth(admin, timeout=2.0)
        services.devices.pair(admin, DeviceKind.BLE, "BP monitor", found.address)
        services.devices.start()
        window = MainWindow(session)
        qtbot.addWidget(window)
        window.resize(1200, 900)
        window.show()
        window.open_case(case.id)
        form = window.stack.currentWidget()
        assert isinstance(form, CaseForm)
        panel = form.device_readings
        qtbot.waitUntil(lambda: "BP monitor: ready" in panel.status_label.text(), timeout=10_000)
        assert "press Start" in panel.status_label.text()
        cuff.measure(systolic=158, diastolic=96, pulse=81)
        qtbot.waitUntil(lambda: len(panel.pending_rows()) == 1, timeout=10_000)
        (row,) = panel.pending_rows()
        assert "158 mmHg" in row.values_label.text() and "96 mmHg" in row.values_label.text()
        row.keep_button.setFocus()
        qtbot.keyClick(row.keep_button, Qt.Key.Key_Space)
        qtbot.waitUntil(lambda: len(form.vitals.recorded()) == 3, timeout=5_000)
        qtbot.waitUntil(lambda: all(src == "From BP monitor" for _, src in _vitals_rows(form)))
        window.close()


def qtbot_left() -> Qt.MouseButton:
    return Qt.MouseButton.LeftButton
