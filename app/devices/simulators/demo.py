"""The simulated clinic devices of demo mode, and ``main.py simulate`` for one of them.

``DemoDevices`` starts a CMS50 oximeter and a weighing scale on pseudo-terminals, a Bluetooth
blood-pressure monitor and thermometer behind the bleak backend seam (loopback TCP), and an
HL7 bedside monitor that connects to the app's MLLP listener. ``pairings()`` says what to
pair; each device then takes a measurement shortly after start and every ``cycle_s``
seconds, as a paramedic at work would, so the demo shows readings arriving in the case form.

Threading: ``start``/``stop`` from any one thread; each simulator runs on its own thread(s).
"""

from __future__ import annotations

# isort: off
import app.devices.simulators  # noqa: F401  (first: refuses to load outside demo mode and tests)

# isort: on
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from app.devices.driver import DeviceKind
from app.devices.simulators.ble_sim import BleSimPeripheral
from app.devices.simulators.hl7_monitor import MonitorSimulator
from app.devices.simulators.serial_sims import OximeterSimulator, ScaleSimulator

log = logging.getLogger(__name__)

DEMO_HL7_ADDRESS = "127.0.0.1:2575"


@dataclass(frozen=True, slots=True)
class Pairing:
    kind: DeviceKind
    name: str
    address: str
    options: dict[str, str] = field(default_factory=dict)


class DemoDevices:
    def __init__(self, hl7_address: str = DEMO_HL7_ADDRESS, *, cycle_s: float = 180.0) -> None:
        self.hl7_address = hl7_address
        self.cycle_s = cycle_s
        self.oximeter = OximeterSimulator(spo2=97, pulse=82, seed=1)
        self.scale = ScaleSimulator(weight_kg=58.6, seed=2)
        self.bp = BleSimPeripheral("bp", name="A&D UA-651BLE (demo)", seed=3)
        self.thermometer = BleSimPeripheral("thermometer", name="Thermometer (demo)", seed=4)
        host, port = hl7_address.rsplit(":", 1)
        self.monitor = MonitorSimulator(host, int(port), interval_s=None, sender="DEMO-MONITOR")
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> DemoDevices:
        self.oximeter.start()
        self.scale.start()
        self.bp.start()
        self.thermometer.start()
        self.monitor.start()
        self._thread = threading.Thread(target=self._work, name="demo-devices", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(2.0)
        for sim in (self.monitor, self.thermometer, self.bp, self.scale, self.oximeter):
            try:
                sim.stop()
            except Exception:
                log.exception("stopping a demo device failed")

    def pairings(self) -> list[Pairing]:
        return [
            Pairing(DeviceKind.CMS50, "Pulse oximeter CMS50D+ (demo)", self.oximeter.port),
            Pairing(DeviceKind.SCALE, "Platform scale (demo)", self.scale.port),
            Pairing(
                DeviceKind.BLE,
                self.bp.name,
                self.bp.address,
                {"sim": self.bp.endpoint, "measures": "blood_pressure"},
            ),
            Pairing(
                DeviceKind.BLE,
                self.thermometer.name,
                self.thermometer.address,
                {"sim": self.thermometer.endpoint, "measures": "thermometer"},
            ),
            Pairing(DeviceKind.HL7, "Bedside monitor (demo)", self.hl7_address),
        ]

    def ble_endpoints(self) -> list[str]:
        """Where the Bluetooth simulators listen: what a scan in demo mode looks through."""
        return [self.bp.endpoint, self.thermometer.endpoint]

    # -- a paramedic at work ------------------------------------------------------------------

    def _work(self) -> None:
        steps: list[tuple[float, Callable[[], object]]] = [
            (8.0, lambda: self.bp.measure(systolic=128, diastolic=84, pulse=82)),
            (4.0, lambda: self.thermometer.measure(temperature=37.4)),
            (4.0, lambda: self.scale.step_on(58.6)),
            (12.0, self.scale.step_off),
            (2.0, self.monitor.send_now),
            (2.0, self.oximeter.finger_out),
            (5.0, self.oximeter.finger_in),
        ]
        while not self._stop.is_set():
            for delay, step in steps:
                if self._stop.wait(delay):
                    return
                try:
                    step()
                except Exception:
                    log.exception("a demo device step failed")
            if self._stop.wait(self.cycle_s):
                return
