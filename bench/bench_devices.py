"""Device speed: parser throughput, and a frame on the wire to the value on screen.

    .venv/bin/python bench/bench_devices.py [--quick]

1. Parsers: ``decode(protocol, frame)`` in a loop for one valid frame of each frame protocol
   (the reference vectors of devices.md §5) and the CMS50 framer over a 60 Hz stream;
   frames per second, budget at least 50,000 each. HL7 is not a frame protocol: a monitor
   sends one message of several results every few seconds. It is reported apart, as
   messages and results per second, for a 6-result monitor message.
2. Frame to screen: a real case form (Qt, offscreen) with a paired device whose driver
   reads a real transport. The clock starts when the bytes are written to the transport and
   stops when the value is on the form (Qt has processed the queued event and the widget
   holds the text):
   * HL7 monitor: one ORU message over loopback TCP -> listener -> driver -> manager ->
     service -> Qt -> a "Keep / Discard" row in the case form;
   * CMS50 oximeter: one 5-byte live frame written to a pseudo-terminal -> pyserial ->
     framer -> driver -> manager -> Qt -> the live line of the form.
   Budget: p95 under 100 ms.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("HWC_SPOKE_SIMULATORS", "1")

PARSER_BUDGET = 50_000.0  # frames per second, each protocol
SCREEN_BUDGET_MS = 100.0

FRAMES: dict[str, str] = {
    "ble:2a35": "1E 8A 00 58 00 78 00 00 00 04 11 14 29 3B 3C 00 01 27 00",
    "ble:2a36": "00 96 00 FF 07 FF 07",
    "ble:2a1c": "06 B0 0E 00 FE DC 07 0C 05 0B 32 1B 04",
    "ble:2a5e": "00 62 00 48 00",
    "ble:2a5f": "00 62 00 48 00",
    "ble:2a9d": "00 98 3A",
    "ble:2a18": "1B 01 00 E3 07 02 1B 0B 0A 1E FB FF 1E 00 12 05 01",
    "ble:2a37": "00 55",
    "cms50:live": "C5 40 06 48 62",
    "cms50:recorded": "F0 C8 61",
    "cms50:live9": "01 E0 80 C5 81 C8 E2 FF FF",
    "scale:ascii": "53 54 2C 47 53 2C 2B 30 30 37 32 2E 35 30 6B 67 0D 0A",
}


def _monitor_message(control_id: str, spo2: int = 97, *, full: bool = False) -> bytes:
    from app.devices.simulators.hl7_monitor import DEFAULT_VALUES, build_oru

    values = {**DEFAULT_VALUES, "spo2": spo2} if full else {"spo2": spo2}
    return build_oru(control_id=control_id, now=datetime.now(UTC), values=values)


def parser_rates(seconds: float) -> dict[str, float]:
    from app.devices import decode
    from app.devices.framing import Cms50Framer

    def rate(protocol: str, frame: bytes) -> float:
        decode(protocol, frame)  # fails loudly if a vector is wrong
        n, started = 0, time.perf_counter()
        while (elapsed := time.perf_counter() - started) < seconds:
            for _ in range(200):
                decode(protocol, frame)
            n += 200
        return n / elapsed

    rates = {protocol: rate(protocol, bytes.fromhex(hex_)) for protocol, hex_ in FRAMES.items()}
    stream = bytes.fromhex(FRAMES["cms50:live"]) * 6000
    started = time.perf_counter()
    framer = Cms50Framer()
    count = len(framer.feed(stream))
    rates["framer cms50 (frames)"] = count / (time.perf_counter() - started)
    return rates


def hl7_rates(seconds: float) -> dict[str, float]:
    from app.devices import decode

    message = _monitor_message("BENCH1", full=True)
    results = len(decode("hl7v2:oru", message).readings)
    n, started = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - started) < seconds:
        for _ in range(100):
            decode("hl7v2:oru", message)
        n += 100
    return {"messages_per_s": n / elapsed, "results_per_s": n * results / elapsed}


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def frame_to_screen(samples: int) -> dict[str, Any]:
    import pty
    import tty

    from PySide6.QtWidgets import QApplication

    from app.devices.framing import mllp_wrap
    from app.devices.simulators.serial_sims import encode_cms50_live
    from app.domain.models import Address, PatientDraft, Role, Sex
    from app.services.container import Services
    from app.services.devices import DeviceKind
    from app.ui.application import create_application
    from app.ui.case_form import CaseForm
    from app.ui.session import Session

    app = QApplication.instance() or create_application([])
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        services = Services.open(Path(tmp), password_log_n=4)
        admin = services.auth.create_first_admin("admin", "Field IT", "bench-password")
        nurse = services.auth.create_user(admin, "asha", "Asha", Role.PARAMEDIC, "bench-password")
        patient = services.patients.register(
            nurse,
            PatientDraft(
                name="Bench Patient",
                sex=Sex.FEMALE,
                age_years=40,
                address=Address(state="UTTAR PRADESH", district="KHERI", village="Kheri"),
            ),
        )
        case = services.cases.start(nurse, patient.id)
        port = _free_port()
        services.devices.pair(admin, DeviceKind.HL7, "Monitor", f"127.0.0.1:{port}")
        master, slave = pty.openpty()
        tty.setraw(slave)
        # Named firmware: the timing is of the frame path, not of the 2 s firmware detection.
        oxi = services.devices.pair(
            admin, DeviceKind.CMS50, "Oximeter", os.ttyname(slave), {"protocol": "legacy"}
        )
        services.devices.start()
        form = CaseForm(Session(nurse, services), navigator=None)  # type: ignore[arg-type]
        form.load(case.id)
        form.show()
        panel = form.device_readings

        def wait(predicate: Any, timeout: float = 5.0) -> float:
            deadline = time.perf_counter() + timeout
            while time.perf_counter() < deadline:
                app.processEvents()
                if predicate():
                    return time.perf_counter()
                time.sleep(0.0005)
            raise RuntimeError("the value never reached the screen")

        def connected(name: str) -> bool:
            return any(
                s.spec.name == name and s.state == "connected" for s in services.devices.statuses()
            )

        wait(lambda: connected("Monitor") and connected("Oximeter"), 10.0)

        # HL7: a new message each time; the row appears in the form.
        hl7: list[float] = []
        with socket.create_connection(("127.0.0.1", port)) as sock:
            for i in range(samples):
                before = len(panel.pending_rows())
                block = mllp_wrap(_monitor_message(f"BENCH-{i}", 90 + i % 10))
                t0 = time.perf_counter()
                sock.sendall(block)
                t1 = wait(lambda before=before: len(panel.pending_rows()) > before)
                hl7.append((t1 - t0) * 1000)
                sock.recv(4096)  # the ACK
        out["hl7_to_form_p95_ms"] = _percentile(hl7, 0.95)
        out["hl7_to_form_median_ms"] = statistics.median(hl7)

        # CMS50: one live frame with a new SpO2 value; the live line changes.
        cms: list[float] = []
        for i in range(samples):
            spo2 = 90 + i % 9
            frame = encode_cms50_live(spo2=spo2, pulse=70 + i % 20)
            time.sleep(0.25)  # the driver shows at most 5 live values a second
            app.processEvents()
            t0 = time.perf_counter()
            os.write(master, frame)
            want = f"{spo2} %"
            t1 = wait(lambda want=want: want in panel.live_text(oxi.id))
            cms.append((t1 - t0) * 1000)
        out["cms50_to_form_p95_ms"] = _percentile(cms, 0.95)
        out["cms50_to_form_median_ms"] = statistics.median(cms)
        out["frame_to_screen_p95_ms"] = max(out["hl7_to_form_p95_ms"], out["cms50_to_form_p95_ms"])

        form.close()
        services.devices.stop()
        services.close()
        os.close(master)
        os.close(slave)
    return out


def measure(quick: bool = False) -> dict[str, Any]:
    rates = parser_rates(0.2 if quick else 1.0)
    results: dict[str, Any] = {
        "parser_rates": rates,
        "parser_min_per_s": min(rates.values()),
        "hl7": hl7_rates(0.2 if quick else 1.0),
    }
    results.update(frame_to_screen(20 if quick else 100))
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    r = measure(args.quick)
    print("parser throughput (frames/s, budget >= 50,000 each):")
    for protocol, rate in r["parser_rates"].items():
        print(f"  {protocol:24s} {rate:>12,.0f}   ratio {PARSER_BUDGET / rate:.3f}")
    hl7 = r["hl7"]
    print(
        f"  hl7v2:oru (6 results)    {hl7['messages_per_s']:>12,.0f} messages/s, "
        f"{hl7['results_per_s']:,.0f} results/s"
    )
    for key in ("hl7_to_form", "cms50_to_form"):
        p95, med = r[f"{key}_p95_ms"], r[f"{key}_median_ms"]
        print(
            f"{key}: median {med:.1f} ms, p95 {p95:.1f} ms "
            f"(budget {SCREEN_BUDGET_MS:.0f}, ratio {p95 / SCREEN_BUDGET_MS:.2f})"
        )
    ok = r["parser_min_per_s"] >= PARSER_BUDGET and r["frame_to_screen_p95_ms"] < SCREEN_BUDGET_MS
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
