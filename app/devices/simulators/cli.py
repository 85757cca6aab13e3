"""``python main.py --demo simulate DEVICE``: one simulated device in the foreground.

It prints what to pair (a pseudo-terminal path, a Bluetooth address and simulator endpoint,
or the listener it sends to), takes a measurement every ``every`` seconds and stops on
Ctrl+C. Useful to field IT for a rehearsal and to developers for a device they do not have.
"""

from __future__ import annotations

# isort: off
import app.devices.simulators  # noqa: F401  (first: refuses to load outside demo mode and tests)

# isort: on
import threading
from collections.abc import Callable

from app.devices.simulators.ble_sim import BleSimPeripheral
from app.devices.simulators.hl7_monitor import MonitorSimulator
from app.devices.simulators.serial_sims import OximeterSimulator, ScaleSimulator

BLE_KINDS = {
    "bp": "bp",
    "thermometer": "thermometer",
    "ble-oximeter": "oximeter",
    "ble-scale": "scale",
    "glucometer": "glucometer",
}


def run_simulator(
    device: str, *, to: str, every: float, stop: threading.Event | None = None
) -> int:
    stop = stop or threading.Event()
    measure: Callable[[], object]
    if device == "oximeter":
        oxi = OximeterSimulator()
        oxi.start()
        print(f"CMS50 oximeter streaming on {oxi.port} (19200 baud, 8O1).", flush=True)
        print("Pair it as 'Contec oximeter (USB cable)' on that port.", flush=True)

        def cycle() -> None:
            oxi.finger_out()
            if not stop.wait(3.0):
                oxi.finger_in()

        measure, sim_stop = cycle, oxi.stop
    elif device == "scale":
        scale = ScaleSimulator()
        scale.start()
        print(f"Weighing scale sending ST,GS lines on {scale.port} (9600 baud, 8N1).", flush=True)
        print("Pair it as 'Weighing scale (serial)' on that port.", flush=True)

        def step() -> None:
            scale.step_on()
            if not stop.wait(min(10.0, every / 2)):
                scale.step_off()

        measure, sim_stop = step, scale.stop
    elif device == "monitor":
        host, port = to.rsplit(":", 1)
        monitor = MonitorSimulator(host, int(port), interval_s=None)
        monitor.start()
        print(f"HL7 monitor sending ORU^R01 over MLLP to {to}.", flush=True)
        measure, sim_stop = monitor.send_now, monitor.stop
    else:
        peripheral = BleSimPeripheral(BLE_KINDS[device]).start()
        print(
            f"Bluetooth {device} '{peripheral.name}' at {peripheral.address}, "
            f"simulated radio on {peripheral.endpoint}.",
            flush=True,
        )
        print(
            f"Start the app with HWC_SPOKE_BLE_SIM={peripheral.endpoint} to find it in a scan.",
            flush=True,
        )
        measure, sim_stop = peripheral.measure, peripheral.stop
    try:
        print("Ctrl+C stops it.", flush=True)
        while not stop.wait(min(2.0, every)):
            measure()
            print("measurement sent", flush=True)
            if stop.wait(max(0.0, every - 2.0)):
                break
    except KeyboardInterrupt:
        pass
    finally:
        sim_stop()
    return 0
