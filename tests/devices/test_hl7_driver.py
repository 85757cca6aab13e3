"""Hl7MonitorDriver and the monitor simulator over real TCP on 127.0.0.1 (port 0 only).

Each message must end as a reading or a problem, and the monitor must always get the ACK the
devices reference §3 asks for (AA / AE / AR), or none when the bytes are not HL7 at all.
Waits poll with a deadline; nothing asserts on elapsed time.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest

from app.devices.driver import (
    ConnectionState,
    DeviceKind,
    DeviceReading,
    DeviceSpec,
)
from app.devices.drivers.hl7_monitor import Hl7MonitorDriver, parse_listen_address
from app.devices.framing import MllpFramer, mllp_wrap
from app.devices.parsers.hl7 import parse_oru
from app.devices.simulators.hl7_monitor import (
    Ack,
    MonitorSimulator,
    build_oru,
    parse_ack,
)
from app.domain.vitals import DIASTOLIC, PULSE, RESP_RATE, SPO2, SYSTOLIC, TEMPERATURE
from tests.polling import wait_until

DEADLINE = 5.0
NOW = datetime(2024, 3, 15, 5, 0, 7, tzinfo=UTC)
WHEN = datetime(2024, 3, 15, 10, 30)


def oru(control_id: str = "MSG00001", sender: str = "MONITOR", facility: str = "BED01") -> bytes:
    return build_oru(control_id=control_id, now=WHEN, sender=sender, facility=facility)


class Sink:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.readings: list[DeviceReading] = []
        self.states: list[tuple[str, ConnectionState, str]] = []
        self.problems: list[tuple[str, str]] = []
        self.threads: set[str] = set()

    def reading(self, reading: DeviceReading) -> None:
        with self.lock:
            self.readings.append(reading)
            self.threads.add(threading.current_thread().name)

    def state(self, device_id: str, state: ConnectionState, detail: str = "") -> None:
        with self.lock:
            self.states.append((device_id, state, detail))

    def problem(self, device_id: str, message: str) -> None:
        with self.lock:
            self.problems.append((device_id, message))

    def n_readings(self) -> int:
        with self.lock:
            return len(self.readings)

    def problem_texts(self) -> list[str]:
        with self.lock:
            return [m for _, m in self.problems]

    def has_state(self, state: ConnectionState, text: str = "") -> bool:
        with self.lock:
            return any(s is state and text in d for _, s, d in self.states)


class Monitor:
    """A hand-driven monitor connection: exact bytes out, parsed ACKs in."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=DEADLINE)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.framer = MllpFramer()
        self.acks: list[Ack] = []

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def acks_after(self, n: int, timeout: float = DEADLINE) -> list[Ack]:
        end = time.monotonic() + timeout
        while len(self.acks) < n and time.monotonic() < end:
            self.sock.settimeout(max(0.01, end - time.monotonic()))
            try:
                chunk = self.sock.recv(4096)
            except TimeoutError:
                break
            if not chunk:
                break
            self.acks.extend(parse_ack(frame) for frame in self.framer.feed(chunk))
        return self.acks

    def close(self) -> None:
        self.sock.close()


def make_driver(sink: Sink, address: str = "127.0.0.1:0", **options: str) -> Hl7MonitorDriver:
    spec = DeviceSpec("dev-hl7", DeviceKind.HL7, "Ward monitor", address, options)
    return Hl7MonitorDriver(spec, sink, lambda: NOW)


@pytest.fixture
def sink() -> Sink:
    return Sink()


@pytest.fixture
def driver(sink: Sink) -> Iterator[Hl7MonitorDriver]:
    drv = make_driver(sink)
    drv.start()
    assert wait_until(lambda: sink.has_state(ConnectionState.CONNECTED)), sink.states
    yield drv
    drv.stop(timeout=DEADLINE)


@pytest.fixture
def connect(driver: Hl7MonitorDriver) -> Iterator[Callable[[], Monitor]]:
    monitors: list[Monitor] = []

    def make() -> Monitor:
        monitor = Monitor(driver.port)
        monitors.append(monitor)
        return monitor

    yield make
    for monitor in monitors:
        monitor.close()


def test_message_in_one_byte_chunks_is_a_final_reading(
    connect: Callable[[], Monitor], sink: Sink
) -> None:
    monitor = connect()
    message = oru("MSG00001")
    for byte in mllp_wrap(message):
        monitor.send(bytes((byte,)))
    assert monitor.acks_after(1) == [Ack("AA", "MSG00001")]
    assert wait_until(lambda: sink.n_readings() == 1)
    reading = sink.readings[0]
    assert reading.device_id == "dev-hl7"
    assert reading.final is True
    assert reading.raw == message  # without MLLP framing
    assert reading.received_at == NOW
    assert reading.dedupe_key == ("MONITOR^BED01", "MSG00001")
    m = reading.measurement
    assert m.protocol == "hl7v2:oru"
    assert m.taken_at == WHEN
    assert {r.code for r in m.readings} == {
        SPO2,
        PULSE,
        SYSTOLIC,
        DIASTOLIC,
        TEMPERATURE,
        RESP_RATE,
    }
    assert sink.problem_texts() == []
    assert sink.threads == {"hwc-devices-aio"}  # the shared device loop, never the caller


def test_ack_is_a_well_formed_hl7_ack(connect: Callable[[], Monitor]) -> None:
    monitor = connect()
    monitor.send(mllp_wrap(oru("CTL-42")))
    framer = MllpFramer()
    frames: list[bytes] = []
    end = time.monotonic() + DEADLINE
    while not frames and time.monotonic() < end:
        frames = framer.feed(monitor.sock.recv(4096))
    msh, msa = frames[0].decode().rstrip("\r").split("\r")
    fields = msh.split("|")
    assert fields[2:6] == ["HWC_SPOKE", "HWC", "MONITOR", "BED01"]  # sender and receiver swapped
    assert fields[8] == "ACK^R01^ACK"
    assert msa.split("|")[:3] == ["MSA", "AA", "CTL-42"]


def test_two_messages_in_one_send(connect: Callable[[], Monitor], sink: Sink) -> None:
    monitor = connect()
    monitor.send(mllp_wrap(oru("A1")) + mllp_wrap(oru("A2")))
    assert monitor.acks_after(2) == [Ack("AA", "A1"), Ack("AA", "A2")]
    assert wait_until(lambda: sink.n_readings() == 2)
    assert [r.dedupe_key for r in sink.readings] == [
        ("MONITOR^BED01", "A1"),
        ("MONITOR^BED01", "A2"),
    ]


def test_resend_with_the_same_control_id_has_the_same_dedupe_key(
    connect: Callable[[], Monitor], sink: Sink
) -> None:
    monitor = connect()
    monitor.send(mllp_wrap(oru("SAME")))
    monitor.send(mllp_wrap(oru("SAME")))
    assert [a.code for a in monitor.acks_after(2)] == ["AA", "AA"]
    assert wait_until(lambda: sink.n_readings() == 2)
    first, second = sink.readings
    assert first.dedupe_key == second.dedupe_key == ("MONITOR^BED01", "SAME")


def test_malformed_oru_is_ae_and_a_problem_and_the_connection_stays(
    connect: Callable[[], Monitor], sink: Sink
) -> None:
    monitor = connect()
    bad = oru("BAD1").replace(b"|97|", b"|9x7|")
    monitor.send(mllp_wrap(bad))
    ack = monitor.acks_after(1)[0]
    assert (ack.code, ack.control_id) == ("AE", "BAD1")
    assert "not an NM number" in ack.text
    assert wait_until(lambda: len(sink.problem_texts()) == 1)
    assert "not an NM number" in sink.problem_texts()[0]
    monitor.send(mllp_wrap(oru("GOOD2")))
    assert monitor.acks_after(2)[1] == Ack("AA", "GOOD2")
    assert wait_until(lambda: sink.n_readings() == 1)
    assert sink.readings[0].dedupe_key == ("MONITOR^BED01", "GOOD2")


def test_other_message_type_is_rejected_with_ar(connect: Callable[[], Monitor], sink: Sink) -> None:
    monitor = connect()
    adt = b"MSH|^~\\&|MONITOR|BED01|HWC_SPOKE|HWC|20240315103000||ADT^A01|ADT1|P|2.6\rPID|||P1\r"
    monitor.send(mllp_wrap(adt))
    ack = monitor.acks_after(1)[0]
    assert (ack.code, ack.control_id) == ("AR", "ADT1")
    assert wait_until(lambda: any("ADT^A01" in p for p in sink.problem_texts()))
    assert sink.n_readings() == 0


def test_not_hl7_gets_no_ack_but_a_problem(connect: Callable[[], Monitor], sink: Sink) -> None:
    monitor = connect()
    monitor.send(mllp_wrap(b"hello, this is not HL7"))
    assert wait_until(lambda: any("not an HL7 message" in p for p in sink.problem_texts()))
    monitor.send(mllp_wrap(oru("AFTER")))
    assert monitor.acks_after(1) == [Ack("AA", "AFTER")]  # nothing came back for the junk


def test_garbage_outside_blocks_is_ignored(connect: Callable[[], Monitor], sink: Sink) -> None:
    monitor = connect()
    monitor.send(b"\x00\x01garbage\r\n" + mllp_wrap(oru("G1")) + b"\xff\xfe more")
    assert monitor.acks_after(1) == [Ack("AA", "G1")]
    assert wait_until(lambda: sink.n_readings() == 1)
    assert sink.problem_texts() == []


def test_no_vital_signs_is_aa_and_a_problem(connect: Callable[[], Monitor], sink: Sink) -> None:
    monitor = connect()
    message = (
        b"MSH|^~\\&|MONITOR|BED01|HWC_SPOKE|HWC|20240315103000||ORU^R01|EMPTY1|P|2.6\r"
        b"OBR|1|||182777000^monitoring of patient^SCT|||20240315103000\r"
        b"OBX|1|ST|0002-d006^Alarm^MDIL||SpO2 LOW||||||F\r"
    )
    monitor.send(mllp_wrap(message))
    assert monitor.acks_after(1) == [Ack("AA", "EMPTY1")]
    assert wait_until(lambda: sink.problem_texts() == ["no vital signs in message"])
    assert sink.n_readings() == 0


def test_repeated_problem_is_reported_once(connect: Callable[[], Monitor], sink: Sink) -> None:
    monitor = connect()
    bad = oru("R1").replace(b"|97|", b"|9x7|")
    monitor.send(mllp_wrap(bad) + mllp_wrap(bad.replace(b"R1", b"R2")))
    assert [a.code for a in monitor.acks_after(2)] == ["AE", "AE"]
    monitor.send(mllp_wrap(oru("R3")))
    assert monitor.acks_after(3)[2].code == "AA"
    assert len(sink.problem_texts()) == 1


def test_two_monitors_at_once(connect: Callable[[], Monitor], sink: Sink) -> None:
    a, b = connect(), connect()
    a_msg, b_msg = mllp_wrap(oru("A", facility="BED01")), mllp_wrap(oru("B", facility="BED02"))
    a.send(a_msg[:20])
    b.send(b_msg)
    assert b.acks_after(1) == [Ack("AA", "B")]
    a.send(a_msg[20:])
    assert a.acks_after(1) == [Ack("AA", "A")]
    assert wait_until(lambda: sink.n_readings() == 2)
    assert {r.dedupe_key for r in sink.readings} == {("MONITOR^BED01", "A"), ("MONITOR^BED02", "B")}


@pytest.mark.parametrize(
    ("expected", "sender", "facility", "used"),
    [
        ("MONITOR", "monitor", "ANY", True),
        ("MONITOR^BED01", "MONITOR", "BED01", True),
        ("^bed01", "OTHER", "BED01", True),
        ("MONITOR", "OTHER", "BED01", False),
        ("MONITOR^BED01", "MONITOR", "BED07", False),
    ],
)
def test_expected_sender(sink: Sink, expected: str, sender: str, facility: str, used: bool) -> None:
    drv = make_driver(sink, sender=expected)
    drv.start()
    try:
        assert wait_until(lambda: sink.has_state(ConnectionState.CONNECTED))
        monitor = Monitor(drv.port)
        try:
            monitor.send(mllp_wrap(oru("S1", sender=sender, facility=facility)))
            assert monitor.acks_after(1) == [Ack("AA", "S1")]  # ACKed either way
        finally:
            monitor.close()
        if used:
            assert wait_until(lambda: sink.n_readings() == 1)
            assert sink.problem_texts() == []
        else:
            assert wait_until(lambda: len(sink.problem_texts()) == 1)
            assert f"{sender}^{facility}" in sink.problem_texts()[0]
            assert sink.n_readings() == 0
    finally:
        drv.stop(timeout=DEADLINE)


def test_port_in_use_is_an_error_state(sink: Sink) -> None:
    blocker = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    blocker.bind(("127.0.0.1", 0))
    blocker.listen(1)
    drv = make_driver(sink, f"127.0.0.1:{blocker.getsockname()[1]}")
    try:
        drv.start()
        assert wait_until(lambda: sink.has_state(ConnectionState.ERROR, "is already in use"))
        assert all(d == "dev-hl7" for d, _, _ in sink.states)
    finally:
        drv.stop(timeout=DEADLINE)
        blocker.close()
    assert sink.has_state(ConnectionState.DISCONNECTED, "stopped")


def test_bad_address_is_an_error_state(sink: Sink) -> None:
    drv = make_driver(sink, "monitor-port")
    drv.start()
    assert wait_until(lambda: sink.has_state(ConnectionState.ERROR, "not host:port"))
    drv.stop()


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("10.0.0.5:2575", ("10.0.0.5", 2575)),
        ("2575", ("127.0.0.1", 2575)),
        (":2575", ("127.0.0.1", 2575)),
        ("[::1]:2575", ("::1", 2575)),
        (" 0.0.0.0:0 ", ("0.0.0.0", 0)),
    ],
)
def test_parse_listen_address(address: str, expected: tuple[str, int]) -> None:
    assert parse_listen_address(address) == expected


@pytest.mark.parametrize("address", ["", "host", "host:", "host:99999", "a:b:c", "::1:2575"])
def test_parse_listen_address_refuses(address: str) -> None:
    with pytest.raises(ValueError):
        parse_listen_address(address)


def test_stop_closes_monitor_connections(
    driver: Hl7MonitorDriver, connect: Callable[[], Monitor], sink: Sink
) -> None:
    monitor = connect()
    monitor.send(mllp_wrap(oru("X1")))
    assert monitor.acks_after(1) == [Ack("AA", "X1")]
    driver.stop(timeout=DEADLINE)
    monitor.sock.settimeout(DEADLINE)
    assert monitor.sock.recv(4096) == b""  # EOF
    assert sink.has_state(ConnectionState.DISCONNECTED, "stopped")


# --- the simulator ----------------------------------------------------------------------------


def test_build_oru_is_pure_and_parses() -> None:
    one = build_oru(
        control_id="C1", now=WHEN, sender="SIM", values={"spo2": 95, "temperature": 37.2}
    )
    assert one == build_oru(
        control_id="C1", now=WHEN, sender="SIM", values={"spo2": 95, "temperature": 37.2}
    )
    m = parse_oru(one)
    assert {r.code: r.value for r in m.readings} == {SPO2: 95.0, TEMPERATURE: 37.2}
    assert m.info["control_id"] == "C1"
    assert m.info["sending_application"] == "SIM"
    assert m.taken_at == WHEN
    with pytest.raises(ValueError):
        build_oru(control_id="C|1", now=WHEN)
    with pytest.raises(ValueError):
        build_oru(control_id="C1", now=WHEN, values={"weight": 70})


def test_simulator_end_to_end(driver: Hl7MonitorDriver, sink: Sink) -> None:
    sim = MonitorSimulator("127.0.0.1", driver.port, interval_s=None, sender="SIM-MONITOR")
    sim.start()
    try:
        sim.send_now()
        sim.send_now()
        assert wait_until(lambda: len(sim.acks) == 2)
        sim.resend_last()
        assert wait_until(lambda: len(sim.acks) == 3)
        assert sim.ack_codes == ["AA", "AA", "AA"]
        assert wait_until(lambda: sink.n_readings() == 3)
        keys = [r.dedupe_key for r in sink.readings]
        assert keys[1] == keys[2] != keys[0]  # the re-send is the same reading
        assert [r.raw for r in sink.readings] == sim.sent
        assert {r.code for r in sink.readings[0].measurement.readings} == {
            SPO2, PULSE, SYSTOLIC, DIASTOLIC, TEMPERATURE, RESP_RATE,
        }  # fmt: skip
        assert sink.problem_texts() == []
        assert sim.missing_acks == 0
    finally:
        sim.stop(timeout=DEADLINE)


def test_simulator_split_and_merge_and_malformed(driver: Hl7MonitorDriver, sink: Sink) -> None:
    sim = MonitorSimulator("127.0.0.1", driver.port, interval_s=None, split_and_merge=True, seed=7)
    sim.start()
    try:
        sim.send_now()  # one message in 1-7 byte pieces
        sim.send_now()  # two messages in one write
        assert wait_until(lambda: len(sim.acks) == 3)
        sim.send_raw(b"\x00junk outside any block", frame=False)
        sim.send_raw(oru("BAD").replace(b"|97|", b"|abc|"))
        assert wait_until(lambda: len(sim.acks) == 4)
        sim.send_now()
        assert wait_until(lambda: len(sim.acks) == 5)
        assert sim.ack_codes == ["AA", "AA", "AA", "AE", "AA"]
        assert sim.acks[3].control_id == "BAD"
        assert wait_until(lambda: sink.n_readings() == 4)
        assert len({r.dedupe_key for r in sink.readings}) == 4
        assert len(sink.problem_texts()) == 1
    finally:
        sim.stop(timeout=DEADLINE)


def test_simulator_sends_periodically_and_reconnects(sink: Sink) -> None:
    drv = make_driver(sink)
    drv.start()
    assert wait_until(lambda: sink.has_state(ConnectionState.CONNECTED))
    port = drv.port
    sim = MonitorSimulator("127.0.0.1", port, interval_s=0.05)
    sim.start()
    try:
        assert wait_until(lambda: sink.n_readings() >= 2)
        drv.stop(timeout=DEADLINE)  # the listener goes away: the monitor loses its socket
        restarted = make_driver(sink, f"127.0.0.1:{port}")
        restarted.start()
        try:
            assert wait_until(lambda: sim.connects >= 2)
            before = sink.n_readings()
            assert wait_until(lambda: sink.n_readings() >= before + 2)
            assert set(sim.ack_codes) == {"AA"}
        finally:
            restarted.stop(timeout=DEADLINE)
    finally:
        sim.stop(timeout=DEADLINE)
        drv.stop(timeout=DEADLINE)
