"""Cms50Driver and ScaleDriver: their rules with a fake clock, then end to end on real ptys.

The rule tests push bytes through ``feed`` with a clock the test moves, so the three seconds
of steady SpO2 are simulated, not waited for. The end-to-end tests run simulator -> pty ->
SerialLink -> driver -> sink and wait by polling with a deadline; nothing asserts on elapsed
time.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.devices import decode
from app.devices.driver import (
    ConnectionState,
    DeviceKind,
    DeviceReading,
    DeviceSpec,
    Driver,
)
from app.devices.drivers.cms50 import Cms50Driver, SteadyVitals
from app.devices.drivers.scale import ScaleDriver, StableWeight
from app.devices.measurement import Reading
from app.devices.simulators.serial_sims import (
    OximeterSimulator,
    ScaleSimulator,
    encode_cms50_live,
)
from app.domain.vitals import PULSE, SPO2, WEIGHT
from tests import polling

DEADLINE = 10.0  # an oximeter paired without "protocol" first spends 2 s looking for v4.6
NOW = datetime(2024, 3, 15, 5, 0, 7, tzinfo=UTC)
RATE = 60  # CMS50 frames a second


def wait_until(predicate: Callable[[], bool], timeout: float = DEADLINE) -> bool:
    return polling.wait_until(predicate, timeout)


class Sink:
    """Records what a driver reports, in order, and from which threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.events: list[tuple[str, object]] = []
        self.threads: set[str] = set()

    def _add(self, kind: str, item: object) -> None:
        with self.lock:
            self.events.append((kind, item))
            self.threads.add(threading.current_thread().name)

    def reading(self, reading: DeviceReading) -> None:
        self._add("reading", reading)

    def state(self, device_id: str, state: ConnectionState, detail: str = "") -> None:
        self._add("state", (device_id, state, detail))

    def problem(self, device_id: str, message: str) -> None:
        self._add("problem", (device_id, message))

    def snapshot(self) -> list[tuple[str, object]]:
        with self.lock:
            return list(self.events)

    def readings(self) -> list[DeviceReading]:
        return [r for k, r in self.snapshot() if k == "reading" and isinstance(r, DeviceReading)]

    def finals(self) -> list[DeviceReading]:
        return [r for r in self.readings() if r.final]

    def lives(self) -> list[DeviceReading]:
        return [r for r in self.readings() if not r.final]

    def problems(self) -> list[str]:
        return [str(p[1]) for k, p in self.snapshot() if k == "problem" and isinstance(p, tuple)]

    def states(self) -> list[tuple[ConnectionState, str]]:
        return [(s[1], s[2]) for k, s in self.snapshot() if k == "state" and isinstance(s, tuple)]

    def has_state(self, state: ConnectionState, contains: str = "") -> bool:
        return any(s is state and contains in d for s, d in self.states())

    def lives_after_last_final(self) -> int:
        events = self.readings()
        last = max(i for i, r in enumerate(events) if r.final)
        return sum(1 for r in events[last + 1 :] if not r.final)


class RaisingSink(Sink):
    def reading(self, reading: DeviceReading) -> None:
        super().reading(reading)
        raise RuntimeError("sink bug")

    def problem(self, device_id: str, message: str) -> None:
        super().problem(device_id, message)
        raise RuntimeError("sink bug")


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def vitals(r: DeviceReading) -> tuple[float | None, float | None]:
    spo2, pulse = r.measurement.reading(SPO2), r.measurement.reading(PULSE)
    return (None if spo2 is None else spo2.value, None if pulse is None else pulse.value)


def weight(r: DeviceReading) -> float | None:
    w = r.measurement.reading(WEIGHT)
    return None if w is None else w.value


# -- CMS50: rules with a fake clock ----------------------------------------------------------


def oximeter(
    sink: Sink, clock: Clock, address: str = "/dev/null-oximeter", **options: str
) -> Cms50Driver:
    # these rules are the legacy firmware's; auto-detection and v4.6 are in test_cms50_v46.py
    options.setdefault("protocol", "legacy")
    spec = DeviceSpec("ox-1", DeviceKind.CMS50, "Oximeter", address, options)
    return Cms50Driver(spec, sink, lambda: NOW, clock=clock)


def play(driver: Cms50Driver, clock: Clock, frames: Iterable[bytes]) -> None:
    for frame in frames:
        clock.t += 1 / RATE
        driver.feed(frame)


def steady(seconds: float, spo2: int = 97, pulse: int = 76) -> list[bytes]:
    frame = encode_cms50_live(spo2=spo2, pulse=pulse, pleth=50, bargraph=6, signal=6)
    return [frame] * round(seconds * RATE)


def wobbling(seconds: float, spo2s: list[int], pulses: list[int]) -> list[bytes]:
    n = round(seconds * RATE)
    return [
        encode_cms50_live(spo2=spo2s[i % len(spo2s)], pulse=pulses[i % len(pulses)], signal=6)
        for i in range(n)
    ]


FINGER_OUT = encode_cms50_live(spo2=0, pulse=0, finger_out=True)
SEARCHING = encode_cms50_live(spo2=127, pulse=255, searching=True)


def test_steady_finger_gives_one_final_after_three_seconds() -> None:
    sink, clock = Sink(), Clock()
    driver = oximeter(sink, clock)
    play(driver, clock, steady(2.9))
    assert sink.finals() == []
    play(driver, clock, steady(0.2))
    assert len(sink.finals()) == 1
    play(driver, clock, steady(10))
    finals = sink.finals()
    assert len(finals) == 1
    final = finals[0]
    assert vitals(final) == (97.0, 76.0)
    assert final.device_id == "ox-1"
    assert final.received_at == NOW
    assert final.dedupe_key is None
    assert decode("cms50:live", final.raw) == final.measurement  # re-parsing gives it back
    # live values throughout, about 5 a second
    lives = sink.lives()
    assert 13.1 * 4 <= len(lives) <= 13.1 * 5 + 1
    assert all(len(r.raw) == 5 and vitals(r) == (97.0, 76.0) for r in lives)
    assert sink.problems() == []


def test_wobble_within_tolerance_is_steady() -> None:
    sink, clock = Sink(), Clock()
    driver = oximeter(sink, clock)
    play(driver, clock, wobbling(3.5, [96, 97, 97], [74, 75, 77, 76]))
    assert len(sink.finals()) == 1


def test_values_beyond_tolerance_are_never_final() -> None:
    sink, clock = Sink(), Clock()
    driver = oximeter(sink, clock)
    play(driver, clock, wobbling(6, [95, 97], [76]))
    play(driver, clock, wobbling(6, [97], [72, 76]))
    assert sink.finals() == []
    assert len(sink.lives()) > 0


def test_finger_out_and_in_gives_a_second_final() -> None:
    sink, clock = Sink(), Clock()
    driver = oximeter(sink, clock)
    play(driver, clock, steady(4))
    play(driver, clock, [FINGER_OUT] * RATE)
    assert any("finger_out" in r.measurement.flags for r in sink.lives())
    play(driver, clock, [SEARCHING] * 30 + steady(4))
    assert [vitals(r) for r in sink.finals()] == [(97.0, 76.0), (97.0, 76.0)]


def test_moving_beyond_tolerance_and_settling_gives_a_new_final() -> None:
    sink, clock = Sink(), Clock()
    driver = oximeter(sink, clock)
    play(driver, clock, steady(4, spo2=97, pulse=76))
    play(driver, clock, steady(4, spo2=98, pulse=78))  # within tolerance of the offered value
    assert len(sink.finals()) == 1
    play(driver, clock, steady(4, spo2=94, pulse=90))
    assert [vitals(r) for r in sink.finals()] == [(97.0, 76.0), (94.0, 90.0)]


def test_searching_restarts_the_run_but_does_not_offer_the_same_value_again() -> None:
    sink, clock = Sink(), Clock()
    driver = oximeter(sink, clock)
    play(driver, clock, steady(2))
    play(driver, clock, [SEARCHING] * 30)
    play(driver, clock, steady(2.5))
    assert sink.finals() == []  # the run restarted after searching
    play(driver, clock, steady(1))
    assert len(sink.finals()) == 1
    play(driver, clock, [SEARCHING] * 30 + steady(5))
    assert len(sink.finals()) == 1


def test_a_gap_in_the_stream_restarts_the_run() -> None:
    sink, clock = Sink(), Clock()
    driver = oximeter(sink, clock)
    play(driver, clock, steady(2))
    clock.t += 5  # the cable wobbled: no frames for a while
    play(driver, clock, steady(2))
    assert sink.finals() == []
    play(driver, clock, steady(1.5))
    assert len(sink.finals()) == 1


def test_steady_seconds_option() -> None:
    sink, clock = Sink(), Clock()
    driver = oximeter(sink, clock, steady_seconds="1")
    play(driver, clock, steady(1.2))
    assert len(sink.finals()) == 1


@pytest.mark.parametrize(
    "options", [{"steady_seconds": "0"}, {"steady_seconds": "soon"}, {"baudrate": "x"}]
)
def test_bad_options_are_refused(options: dict[str, str]) -> None:
    with pytest.raises(ValueError, match=next(iter(options))):
        oximeter(Sink(), Clock(), **options)


def test_garbage_is_a_rate_limited_problem_and_the_stream_recovers() -> None:
    sink, clock = Sink(), Clock()
    driver = oximeter(sink, clock)
    frame = steady(1)[0]
    driver.feed(frame[2:])  # the port was opened in the middle of a frame: not a problem
    play(driver, clock, steady(0.5))
    assert sink.problems() == []

    driver.feed(b"\x01\x02\x03\x04\x05\x06\x07")  # noise
    assert sink.problems() == ["cms50:live: 7 bytes out of sync dropped"]
    driver.feed(frame[:3])  # a frame cut short by the next one
    play(driver, clock, steady(0.5))
    assert len(sink.problems()) == 1  # within a second of the last one: logged only
    clock.t += 1
    driver.feed(b"\x11\x12")
    assert sink.problems()[-1] == "cms50:live: 2 bytes out of sync dropped"
    lives_before = len(sink.lives())
    play(driver, clock, steady(1))
    assert len(sink.lives()) > lives_before


def test_a_raising_sink_does_not_stop_the_driver() -> None:
    sink, clock = RaisingSink(), Clock()
    driver = oximeter(sink, clock)
    driver.feed(b"\x01\x02\x03\x04\x05\x06")
    play(driver, clock, steady(4))
    assert len(sink.finals()) == 1
    assert len(sink.lives()) > 10


samples = st.lists(
    st.one_of(
        st.tuples(
            st.floats(0.0, 0.1), st.integers(94, 98), st.integers(70, 78)
        ),  # (dt, spo2, pulse)
        st.sampled_from(["interrupt", "finger_out"]),
    ),
    max_size=400,
)


@settings(max_examples=60, deadline=None)
@given(samples, st.sampled_from([0.5, 1.0, 3.0]))
def test_steady_vitals_offers_only_steady_runs(
    events: list[tuple[float, int, int] | str], window: float
) -> None:
    tracker = SteadyVitals(window_s=window)
    t = 0.0
    run: list[tuple[float, int, int]] = []
    offered: tuple[int, int] | None = None
    for event in events:
        if isinstance(event, str):
            run.clear()
            if event == "finger_out":
                tracker.finger_out()
                offered = None
            else:
                tracker.interrupt()
            continue
        dt, spo2, pulse = event
        t += dt
        run.append((t, spo2, pulse))
        if not tracker.update(t, spo2, pulse):
            continue
        assert run[0][0] <= t - window  # the run has lasted the window
        recent = [s for s in run if s[0] >= t - window]
        assert max(s[1] for s in recent) - min(s[1] for s in recent) <= 1
        assert max(s[2] for s in recent) - min(s[2] for s in recent) <= 3
        if offered is not None:  # a second final for one finger only after a real change
            assert abs(offered[0] - spo2) > 1 or abs(offered[1] - pulse) > 3
        offered = (spo2, pulse)
        assert tracker.offered == offered


# -- scale: rules with a fake clock ----------------------------------------------------------


def scale(
    sink: Sink, clock: Clock, address: str = "/dev/null-scale", **options: str
) -> ScaleDriver:
    spec = DeviceSpec("scale-1", DeviceKind.SCALE, "Scale", address, options)
    return ScaleDriver(spec, sink, lambda: NOW, clock=clock)


def line(status: str, value: str, kind: str = "GS", unit: str = "kg") -> bytes:
    return f"{status},{kind},+{value:>7}{unit}\r\n".encode("ascii")


def send(driver: ScaleDriver, clock: Clock, lines: Iterable[bytes]) -> None:
    for data in lines:
        clock.t += 0.1
        driver.feed(data)


def step_on(value: str = "62.40", stable: int = 6) -> list[bytes]:
    ramp = ["12.35", "40.80", "58.95", "63.10", "62.25"]
    return [line("US", v) for v in ramp] + [line("ST", value)] * stable


IDLE = [line("ST", "0.00")] * 5
STEP_OFF = [line("US", "30.10"), line("US", "1.05"), *IDLE]


def test_step_on_gives_one_final_weight() -> None:
    sink, clock = Sink(), Clock()
    driver = scale(sink, clock)
    send(driver, clock, IDLE + step_on(stable=2))
    assert sink.finals() == []
    send(driver, clock, [line("ST", "62.40")])
    finals = sink.finals()
    assert len(finals) == 1
    send(driver, clock, [line("ST", "62.40")] * 30)
    assert sink.finals() == finals
    final = finals[0]
    assert weight(final) == 62.4
    assert final.measurement.reading(WEIGHT) == Reading(WEIGHT, 62.4, "kg", Decimal("62.40"))
    assert final.raw == b"ST,GS,+  62.40kg"
    assert final.device_id == "scale-1"
    assert final.received_at == NOW
    assert decode("scale:ascii", final.raw) == final.measurement
    lives = sink.lives()
    assert any("unstable" in r.measurement.flags for r in lives)
    assert len(lives) <= (5 + 5 + 3 + 30) // 2 + 1  # 10 lines a second, 5 live readings
    assert sink.problems() == []


def test_the_next_person_gets_a_final_after_the_scale_empties() -> None:
    sink, clock = Sink(), Clock()
    driver = scale(sink, clock)
    send(driver, clock, step_on() + STEP_OFF + step_on())
    assert [weight(r) for r in sink.finals()] == [62.4, 62.4]


def test_a_new_stable_weight_while_standing_is_a_new_final() -> None:
    sink, clock = Sink(), Clock()
    driver = scale(sink, clock)
    send(driver, clock, step_on())
    send(driver, clock, [line("US", "62.90"), *[line("ST", "62.40")] * 5])  # shifted, came back
    assert len(sink.finals()) == 1
    send(driver, clock, [line("US", "64.10"), *[line("ST", "64.15")] * 5])  # picked up a bag
    assert [weight(r) for r in sink.finals()] == [62.4, 64.15]


def test_an_interrupted_stable_run_does_not_count() -> None:
    sink, clock = Sink(), Clock()
    driver = scale(sink, clock)
    st_line = line("ST", "62.40")
    send(driver, clock, [st_line, st_line, line("US", "62.40"), st_line, st_line])
    send(driver, clock, [line("ST", "62.45"), st_line, st_line])
    assert sink.finals() == []
    send(driver, clock, [st_line])
    assert len(sink.finals()) == 1


def test_stable_lines_option_and_net_weight() -> None:
    sink, clock = Sink(), Clock()
    driver = scale(sink, clock, stable_lines="5")
    net = line("ST", "3.20", kind="NT")
    send(driver, clock, [net] * 4)
    assert sink.finals() == []
    send(driver, clock, [net])
    [final] = sink.finals()
    assert weight(final) == 3.2
    assert "net" in final.measurement.flags


def test_light_loads_are_never_final_in_any_unit() -> None:
    sink, clock = Sink(), Clock()
    driver = scale(sink, clock)
    send(driver, clock, [line("ST", "1.95")] * 5)
    send(driver, clock, [line("ST", "4.00", unit="lb")] * 5)  # 1.8 kg
    send(driver, clock, [line("ST", "1500", unit="g")] * 5)
    assert sink.finals() == []
    send(driver, clock, [line("ST", "150.00", unit="lb")] * 3)
    [final] = sink.finals()
    assert final.measurement.reading(WEIGHT) == Reading(WEIGHT, 150.0, "[lb_av]", Decimal("150.00"))


def test_overload_is_a_problem_never_a_reading() -> None:
    sink, clock = Sink(), Clock()
    driver = scale(sink, clock)
    send(driver, clock, IDLE)
    readings_before = len(sink.readings())
    overload = b"OL,GS,+9999.99kg\r\n"
    send(driver, clock, [overload] * 25)  # 2.5 seconds of OL at 10 lines a second
    assert len(sink.readings()) == readings_before
    assert sink.problems() == ["scale overloaded"] * 3  # once a second, not 25 times
    send(driver, clock, [b"OL,GS,-9999.99kg\r\n"] * 11)
    assert sink.problems()[-1].startswith("scale reads below zero")
    assert sink.finals() == []


def test_tare_lines_are_not_readings() -> None:
    sink, clock = Sink(), Clock()
    driver = scale(sink, clock)
    send(driver, clock, [line("ST", "0.50", kind="TR")] * 5)
    assert sink.readings() == []
    assert sink.problems() == []


def test_garbage_lines_are_problems_and_the_stream_recovers() -> None:
    sink, clock = Sink(), Clock()
    driver = scale(sink, clock)
    send(driver, clock, [b"0kg\r\n"])  # the port opened mid-line: not a problem
    send(driver, clock, IDLE)
    assert sink.problems() == []
    send(driver, clock, [b"\x00\xffjunk\r\n"])
    assert len(sink.problems()) == 1
    assert sink.problems()[0].startswith("scale:ascii: ")
    clock.t += 1
    send(driver, clock, [b"X" * 300 + b"\r\n"])
    assert sink.problems()[-1] == "scale:ascii: dropped a line longer than 128 bytes"
    send(driver, clock, step_on())
    assert [weight(r) for r in sink.finals()] == [62.4]


def test_wrong_settings_show_up_as_problems_from_the_second_line() -> None:
    sink, clock = Sink(), Clock()
    driver = scale(sink, clock)
    send(driver, clock, [b"\x13\x7e\x01\r\n"] * 3)  # what 9600 baud looks like at 2400
    assert len(sink.problems()) == 1


def test_scale_options() -> None:
    driver = scale(Sink(), Clock(), baudrate="2400", bytesize="7", parity="E")
    assert driver.link.settings.baudrate == 2400
    assert driver.link.settings.bytesize == 7
    assert driver.link.settings.parity == "E"
    assert scale(Sink(), Clock()).link.settings.baudrate == 9600
    with pytest.raises(ValueError, match="stable_lines"):
        scale(Sink(), Clock(), stable_lines="0")


def test_stable_weight_refuses_zero_lines() -> None:
    with pytest.raises(ValueError):
        StableWeight(lines=0)


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_scale_finals_do_not_depend_on_how_the_stream_is_cut(data: st.DataObject) -> None:
    stream = b"".join(IDLE + step_on() + STEP_OFF + step_on("71.05") + [b"OL,GS,+9999.99kg\r\n"])
    cuts = sorted(data.draw(st.sets(st.integers(1, len(stream) - 1), max_size=40)))
    sink, clock = Sink(), Clock()
    driver = scale(sink, clock)
    start = 0
    for cut in [*cuts, len(stream)]:
        driver.feed(stream[start:cut])
        start = cut
    assert [(weight(r), r.raw) for r in sink.finals()] == [
        (62.4, b"ST,GS,+  62.40kg"),
        (71.05, b"ST,GS,+  71.05kg"),
    ]
    assert sink.problems() == ["scale overloaded"]


# -- end to end over a real pty --------------------------------------------------------------


@pytest.fixture
def cleanup() -> Iterator[list[Driver | OximeterSimulator | ScaleSimulator]]:
    if sys.platform == "win32":
        pytest.skip("the simulators need a POSIX pty")
    things: list[Driver | OximeterSimulator | ScaleSimulator] = []
    yield things
    for thing in reversed(things):
        thing.stop(2.0)


def test_e2e_oximeter_gives_live_values_and_exactly_one_final(
    cleanup: list[Driver | OximeterSimulator | ScaleSimulator],
) -> None:
    sim = OximeterSimulator(spo2=97, pulse=76, jitter=False, seed=7)
    cleanup.append(sim)
    sim.start()
    sink = Sink()
    # the default 3 s window is covered with a fake clock above; 1.5 s keeps the suite quick
    spec = DeviceSpec("ox-e2e", DeviceKind.CMS50, "Oximeter", sim.port, {"steady_seconds": "1.5"})
    driver = Cms50Driver(spec, sink, lambda: NOW)
    cleanup.append(driver)
    driver.start()

    assert wait_until(lambda: len(sink.finals()) == 1)
    assert wait_until(lambda: sink.lives_after_last_final() >= 5)  # still streaming
    finals = sink.finals()
    assert len(finals) == 1
    assert finals[0].device_id == "ox-e2e"
    assert vitals(finals[0]) == (97.0, 76.0)
    assert all(r.device_id == "ox-e2e" for r in sink.lives())
    assert sink.states()[:2] == [
        (ConnectionState.CONNECTING, f"opening {sim.port}"),
        (ConnectionState.CONNECTED, sim.port),
    ]
    assert sink.threads == {f"hwc-serial {sim.port}"}  # the sink hears only the reader thread
    assert sink.problems() == []


def test_e2e_finger_out_and_in_gives_a_second_final(
    cleanup: list[Driver | OximeterSimulator | ScaleSimulator],
) -> None:
    sim = OximeterSimulator(spo2=95, pulse=88, jitter=True, seed=3, search_s=0.3)
    cleanup.append(sim)
    sim.start()
    sink = Sink()
    spec = DeviceSpec("ox-2", DeviceKind.CMS50, "Oximeter", sim.port, {"steady_seconds": "1"})
    driver = Cms50Driver(spec, sink, lambda: NOW)
    cleanup.append(driver)
    driver.start()

    assert wait_until(lambda: len(sink.finals()) == 1)
    sim.finger_out()
    assert wait_until(lambda: any("finger_out" in r.measurement.flags for r in sink.lives()[-3:]))
    assert len(sink.finals()) == 1
    sim.finger_in()
    assert wait_until(lambda: len(sink.finals()) == 2)
    for final in sink.finals():
        spo2, pulse = vitals(final)
        assert spo2 in (94.0, 95.0)
        assert pulse is not None and abs(pulse - 88) <= 1


def test_e2e_oximeter_garbage_is_a_problem_and_the_stream_recovers(
    cleanup: list[Driver | OximeterSimulator | ScaleSimulator],
) -> None:
    sim = OximeterSimulator(seed=5)
    cleanup.append(sim)
    sim.start()
    sink = Sink()
    driver = Cms50Driver(DeviceSpec("ox-3", DeviceKind.CMS50, "Ox", sim.port), sink, lambda: NOW)
    cleanup.append(driver)
    driver.start()

    assert wait_until(lambda: len(sink.lives()) >= 2)
    sim.garbage(20)
    assert wait_until(lambda: len(sink.problems()) >= 1)
    assert "out of sync" in sink.problems()[0]

    def live_after_problem() -> bool:
        events = sink.snapshot()
        first_problem = next(i for i, (kind, _) in enumerate(events) if kind == "problem")
        return any(kind == "reading" for kind, _ in events[first_problem + 1 :])

    assert wait_until(live_after_problem)


def test_e2e_unplugged_oximeter_is_an_error_and_stop_is_prompt(
    cleanup: list[Driver | OximeterSimulator | ScaleSimulator],
) -> None:
    sim = OximeterSimulator()
    cleanup.append(sim)
    sim.start()
    sink = Sink()
    driver = Cms50Driver(DeviceSpec("ox-4", DeviceKind.CMS50, "Ox", sim.port), sink, lambda: NOW)
    cleanup.append(driver)
    driver.start()
    assert wait_until(lambda: len(sink.lives()) >= 1)

    sim.stop()  # the cable is pulled
    assert wait_until(lambda: sink.has_state(ConnectionState.ERROR, "disconnected"))
    assert wait_until(lambda: sink.has_state(ConnectionState.ERROR, f"port {sim.port} not found"))
    driver.stop(timeout=DEADLINE)
    assert not driver.link.running
    assert all(t.name != f"hwc-serial {sim.port}" for t in threading.enumerate())
    assert sink.states()[-1] == (ConnectionState.DISCONNECTED, "stopped")


def test_e2e_missing_port_is_an_error(tmp_path: Path) -> None:
    sink = Sink()
    path = str(tmp_path / "ttyUSB0")
    driver = ScaleDriver(DeviceSpec("s-0", DeviceKind.SCALE, "Scale", path), sink, lambda: NOW)
    driver.start()
    try:
        assert wait_until(lambda: sink.has_state(ConnectionState.ERROR))
        assert (ConnectionState.ERROR, f"port {path} not found") in sink.states()
    finally:
        driver.stop()
    assert not driver.link.running


def test_e2e_scale_step_on_gives_one_final_and_overload_only_a_problem(
    cleanup: list[Driver | OximeterSimulator | ScaleSimulator],
) -> None:
    sim = ScaleSimulator(weight_kg=62.4, lines_per_s=20, seed=11)
    cleanup.append(sim)
    sim.start()
    sink = Sink()
    spec = DeviceSpec("scale-e2e", DeviceKind.SCALE, "Scale", sim.port)
    driver = ScaleDriver(spec, sink, lambda: NOW)
    cleanup.append(driver)
    driver.start()
    assert wait_until(lambda: len(sink.lives()) >= 1)  # the empty scale, stable at 0.00

    sim.step_on()
    assert wait_until(lambda: len(sink.finals()) == 1)
    assert wait_until(lambda: sink.lives_after_last_final() >= 3)
    [final] = sink.finals()
    assert weight(final) == 62.4
    assert final.device_id == "scale-e2e"
    assert final.raw == b"ST,GS,+  62.40kg"
    assert any("unstable" in r.measurement.flags for r in sink.lives())

    sim.overload()
    assert wait_until(lambda: "scale overloaded" in sink.problems())
    sim.step_off()
    sim.step_on(70.0)
    assert wait_until(lambda: len(sink.finals()) == 2)
    assert weight(sink.finals()[1]) == 70.0
    assert not any(r.raw.startswith(b"OL") for r in sink.readings())
    assert sink.threads == {f"hwc-serial {sim.port}"}
