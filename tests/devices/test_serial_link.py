"""SerialLink over real ptys and pyserial's loop://, and the port list / hot-plug watcher.

Waits poll with a deadline; nothing asserts on elapsed time.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
import serial
from hypothesis import given
from hypothesis import strategies as st

from app.devices.driver import ConnectionState
from app.devices.transports import serial_ports
from app.devices.transports.serial_link import SerialLink, SerialSettings, describe_open_error
from app.devices.transports.serial_ports import PortInfo, PortWatcher, known_adapter, list_ports
from tests.polling import wait_until

DEADLINE = 5.0
FAST = (0.02, 0.1)  # reconnect backoff for tests


class Recorder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.data = bytearray()
        self.states: list[tuple[ConnectionState, str]] = []
        self.threads: set[str] = set()

    def on_bytes(self, chunk: bytes) -> None:
        with self.lock:
            self.data += chunk
            self.threads.add(threading.current_thread().name)

    def on_state(self, state: ConnectionState, detail: str) -> None:
        with self.lock:
            self.states.append((state, detail))

    def bytes_(self) -> bytes:
        with self.lock:
            return bytes(self.data)

    def has_state(self, state: ConnectionState, contains: str = "") -> bool:
        with self.lock:
            return any(s is state and contains in d for s, d in self.states)

    def count(self, state: ConnectionState) -> int:
        with self.lock:
            return sum(1 for s, _ in self.states if s is state)


class Pty:
    """A raw pty pair; the test writes to and reads from the master like a device would."""

    def __init__(self) -> None:
        if sys.platform == "win32":
            pytest.skip("ptys are POSIX")
        import tty

        self.master, self.slave = os.openpty()
        tty.setraw(self.slave)
        self.port = os.ttyname(self.slave)
        self.closed = False

    def send(self, data: bytes) -> None:
        os.write(self.master, data)

    def read_master(self, n: int, timeout: float = DEADLINE) -> bytes:
        os.set_blocking(self.master, False)
        out = b""

        def got() -> bool:
            nonlocal out
            with contextlib.suppress(BlockingIOError):
                out += os.read(self.master, n - len(out))
            return len(out) >= n

        wait_until(got, timeout)
        return out

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            os.close(self.master)
            os.close(self.slave)


@pytest.fixture
def pty_pair() -> Iterator[Pty]:
    p = Pty()
    yield p
    p.close()


@pytest.fixture
def links() -> Iterator[list[SerialLink]]:
    made: list[SerialLink] = []
    yield made
    for link in made:
        link.stop(2.0)


def make_link(links: list[SerialLink], port: str, rec: Recorder, **kw: object) -> SerialLink:
    link = SerialLink(
        port,
        on_bytes=rec.on_bytes,
        on_state=rec.on_state,
        reconnect_delay=FAST,
        **kw,  # type: ignore[arg-type]
    )
    links.append(link)
    return link


# -- reading and writing ---------------------------------------------------------------------


def test_loop_url_echoes_writes(links: list[SerialLink]) -> None:
    rec = Recorder()
    link = make_link(
        links, "loop://", rec, settings=SerialSettings(19200, parity=serial.PARITY_ODD)
    )
    assert link.write(b"early") is False  # not open yet
    link.start()
    assert wait_until(lambda: link.state is ConnectionState.CONNECTED)
    assert link.write(b"\x7d\x81\xa1")
    assert wait_until(lambda: rec.bytes_() == b"\x7d\x81\xa1")
    assert rec.states[:2] == [
        (ConnectionState.CONNECTING, "opening loop://"),
        (ConnectionState.CONNECTED, "loop://"),
    ]
    assert rec.threads == {"hwc-serial loop://"}


def test_pty_bytes_arrive_in_order_and_writes_reach_the_device(
    pty_pair: Pty, links: list[SerialLink]
) -> None:
    rec = Recorder()
    link = make_link(
        links, pty_pair.port, rec, settings=SerialSettings(19200, parity=serial.PARITY_ODD)
    )
    link.start()
    assert wait_until(lambda: link.state is ConnectionState.CONNECTED)
    payload = bytes(range(256)) * 4
    for i in range(0, len(payload), 100):
        pty_pair.send(payload[i : i + 100])
    assert wait_until(lambda: len(rec.bytes_()) >= len(payload))
    assert rec.bytes_() == payload
    assert link.write(b"\xf5\xf5")
    assert pty_pair.read_master(2) == b"\xf5\xf5"


def test_a_raising_callback_does_not_kill_the_reader(
    pty_pair: Pty, links: list[SerialLink]
) -> None:
    got: list[bytes] = []

    def on_bytes(chunk: bytes) -> None:
        got.append(chunk)
        if len(got) == 1:
            raise RuntimeError("sink bug")

    def on_state(state: ConnectionState, detail: str) -> None:
        raise RuntimeError("state sink bug")

    link = SerialLink(pty_pair.port, on_bytes=on_bytes, on_state=on_state, reconnect_delay=FAST)
    links.append(link)
    link.start()
    assert wait_until(lambda: link.state is ConnectionState.CONNECTED)
    pty_pair.send(b"one")
    assert wait_until(lambda: len(got) >= 1)
    pty_pair.send(b"two")
    assert wait_until(lambda: b"".join(got).endswith(b"two"))
    assert link.running


def test_second_opener_of_a_port_is_told_it_is_in_use(
    pty_pair: Pty, links: list[SerialLink]
) -> None:
    first, second = Recorder(), Recorder()
    a = make_link(links, pty_pair.port, first)
    a.start()
    assert wait_until(lambda: a.state is ConnectionState.CONNECTED)
    b = make_link(links, pty_pair.port, second)
    b.start()
    assert wait_until(lambda: second.has_state(ConnectionState.ERROR, "in use"))
    assert second.count(ConnectionState.CONNECTED) == 0


# -- losing the port -------------------------------------------------------------------------


def test_missing_port_is_an_error_with_a_plain_detail(
    tmp_path: Path, links: list[SerialLink], monkeypatch: pytest.MonkeyPatch
) -> None:
    attempts = 0
    real_open = serial.serial_for_url

    def counting_open(*args: object, **kwargs: object) -> object:
        nonlocal attempts
        attempts += 1
        return real_open(*args, **kwargs)

    monkeypatch.setattr(serial, "serial_for_url", counting_open)
    rec = Recorder()
    path = str(tmp_path / "ttyUSB9")
    link = make_link(links, path, rec)
    link.start()
    assert wait_until(lambda: rec.has_state(ConnectionState.ERROR))
    assert link.state is ConnectionState.ERROR
    assert link.detail == f"port {path} not found"
    # it keeps retrying, but the same failure is reported once, not on every retry
    assert wait_until(lambda: attempts >= 4)
    assert rec.count(ConnectionState.ERROR) == 1
    assert link.running


def test_pulled_cable_is_an_error_then_the_link_comes_back(
    tmp_path: Path, links: list[SerialLink]
) -> None:
    first = Pty()
    second: Pty | None = None
    link_path = tmp_path / "ttyOXI"
    link_path.symlink_to(first.port)
    rec = Recorder()
    link = make_link(links, str(link_path), rec)
    try:
        link.start()
        assert wait_until(lambda: link.state is ConnectionState.CONNECTED)
        first.send(b"before")
        assert wait_until(lambda: rec.bytes_() == b"before")

        first.close()  # the cable is pulled
        assert wait_until(lambda: rec.has_state(ConnectionState.ERROR, "disconnected"))
        assert wait_until(lambda: rec.has_state(ConnectionState.ERROR, "not found"))
        assert link.running

        second = Pty()  # plugged back in, perhaps under another name: re-point the link
        tmp_link = tmp_path / "ttyOXI.new"
        tmp_link.symlink_to(second.port)
        os.replace(tmp_link, link_path)
        assert wait_until(lambda: rec.count(ConnectionState.CONNECTED) == 2)
        assert wait_until(lambda: link.state is ConnectionState.CONNECTED)
        second.send(b"after")
        assert wait_until(lambda: rec.bytes_() == b"beforeafter")
    finally:
        link.stop()
        first.close()
        if second is not None:
            second.close()


def test_stop_is_prompt_idempotent_and_the_thread_is_gone(
    pty_pair: Pty, links: list[SerialLink]
) -> None:
    rec = Recorder()
    link = make_link(links, pty_pair.port, rec)
    link.stop()  # before start: nothing to do
    link.start()
    link.start()  # already running: still one thread
    assert wait_until(lambda: link.state is ConnectionState.CONNECTED)
    assert sum(t.name == f"hwc-serial {pty_pair.port}" for t in threading.enumerate()) == 1
    link.stop(timeout=DEADLINE)
    assert not link.running
    assert all(t.name != f"hwc-serial {pty_pair.port}" for t in threading.enumerate())
    assert rec.states[-1] == (ConnectionState.DISCONNECTED, "stopped")
    link.stop()
    assert link.write(b"x") is False

    link.start()  # a stopped link may run again (the manager pauses and resumes devices)
    assert wait_until(lambda: rec.count(ConnectionState.CONNECTED) == 2)
    pty_pair.send(b"again")
    assert wait_until(lambda: rec.bytes_().endswith(b"again"))


def test_stop_during_backoff_is_prompt(tmp_path: Path, links: list[SerialLink]) -> None:
    rec = Recorder()
    slow = SerialLink(
        str(tmp_path / "absent"),
        on_bytes=rec.on_bytes,
        on_state=rec.on_state,
        reconnect_delay=(30.0, 60.0),
    )
    links.append(slow)
    slow.start()
    assert wait_until(lambda: slow.state is ConnectionState.ERROR)
    slow.stop(timeout=DEADLINE)
    assert not slow.running


def test_stop_from_a_callback_does_not_deadlock(pty_pair: Pty) -> None:
    holder: list[SerialLink] = []

    def on_bytes(chunk: bytes) -> None:
        holder[0].stop()

    link = SerialLink(
        pty_pair.port, on_bytes=on_bytes, on_state=lambda s, d: None, reconnect_delay=FAST
    )
    holder.append(link)
    link.start()
    assert wait_until(lambda: link.state is ConnectionState.CONNECTED)
    pty_pair.send(b"stop please")
    assert wait_until(lambda: not link.running)
    assert link.state is ConnectionState.DISCONNECTED


def test_bad_reconnect_delay_is_refused() -> None:
    with pytest.raises(ValueError, match="reconnect_delay"):
        SerialLink("loop://", on_bytes=print, on_state=print, reconnect_delay=(2.0, 1.0))


# -- readable errors and settings ------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "text", "expected"),
    [
        (errno.ENOENT, "No such file or directory", "port /dev/ttyUSB0 not found"),
        (errno.EACCES, "Permission denied", "permission denied on port /dev/ttyUSB0"),
        (errno.EBUSY, "Device or resource busy", "port /dev/ttyUSB0 is in use"),
        (errno.EAGAIN, "Could not exclusively lock port", "port /dev/ttyUSB0 is in use"),
        (errno.EIO, "Input/output error", "port /dev/ttyUSB0 is not responding"),
    ],
)
def test_open_errors_read_plainly(code: int, text: str, expected: str) -> None:
    exc = serial.SerialException(code, f"could not open port /dev/ttyUSB0: {text}")
    assert describe_open_error("/dev/ttyUSB0", exc).startswith(expected)


def test_windows_style_open_errors_read_plainly() -> None:
    missing = serial.SerialException(
        "could not open port 'COM7': FileNotFoundError(2, 'The system cannot find the file')"
    )
    assert describe_open_error("COM7", missing) == "port COM7 not found"
    other = serial.SerialException("something odd")
    assert describe_open_error("COM7", other) == "could not open port COM7: something odd"


@given(st.text(max_size=40), st.one_of(st.none(), st.integers(-5, 200)))
def test_describing_an_error_never_fails_and_names_the_port(text: str, code: int | None) -> None:
    exc = OSError(code, text) if code is not None else OSError(text)
    assert "/dev/ttyS0" in describe_open_error("/dev/ttyS0", exc)


def test_settings_take_overrides_from_options() -> None:
    base = SerialSettings(19200, 8, serial.PARITY_ODD, 1)
    assert base.with_options({}) == base
    assert base.with_options(
        {"baudrate": " 4800", "bytesize": "7", "parity": "even", "stopbits": "2"}
    ) == SerialSettings(4800, 7, serial.PARITY_EVEN, 2)
    assert base.with_options({"parity": "n"}).parity == serial.PARITY_NONE


@pytest.mark.parametrize(
    "options",
    [
        {"baudrate": "fast"},
        {"baudrate": "0"},
        {"bytesize": "9"},
        {"parity": "Q"},
        {"stopbits": "3"},
        {"stopbits": "one"},
    ],
)
def test_bad_settings_are_refused_with_the_option_named(options: dict[str, str]) -> None:
    key = next(iter(options))
    with pytest.raises(ValueError, match=key):
        SerialSettings().with_options(options)


# -- port list and hot-plug ------------------------------------------------------------------

CP210X = PortInfo("/dev/ttyUSB0", "CP2102 USB to UART", "USB VID:PID=10C4:EA60", 0x10C4, 0xEA60)
CH340 = PortInfo("/dev/ttyUSB1", "USB Serial", "USB VID:PID=1A86:7523", 0x1A86, 0x7523)
ONBOARD = PortInfo("/dev/ttyS0", "ttyS0", "PNP0501")


def test_known_adapters_are_named() -> None:
    assert known_adapter(CP210X) == "Silicon Labs CP210x USB-serial"
    assert known_adapter(CH340) == "WCH CH340 USB-serial"
    assert known_adapter(PortInfo("x", vid=0x067B, pid=0x2303)) == "Prolific PL2303 USB-serial"
    assert known_adapter(PortInfo("x", vid=0x0403, pid=0x6001)) == "FTDI FT232R USB-serial"
    assert known_adapter(ONBOARD) is None
    assert known_adapter(PortInfo("x", vid=0x1234, pid=0x5678)) is None


def test_list_ports_maps_pyserial_entries(monkeypatch: pytest.MonkeyPatch) -> None:
    entries = [
        SimpleNamespace(
            device="/dev/ttyUSB0",
            description="CP2102 USB to UART",
            hwid="USB VID:PID=10C4:EA60 SER=0001",
            vid=0x10C4,
            pid=0xEA60,
            serial_number="0001",
            manufacturer="Silicon Labs",
        ),
        SimpleNamespace(
            device="/dev/ttyS0",
            description=None,
            hwid="n/a",
            vid=None,
            pid=None,
            serial_number=None,
            manufacturer=None,
        ),
    ]
    monkeypatch.setattr(serial_ports._pyserial_list_ports, "comports", lambda: entries)
    ports = list_ports()
    assert [p.device for p in ports] == ["/dev/ttyS0", "/dev/ttyUSB0"]
    assert ports[0].description == ""
    assert ports[1] == PortInfo(
        "/dev/ttyUSB0",
        "CP2102 USB to UART",
        "USB VID:PID=10C4:EA60 SER=0001",
        0x10C4,
        0xEA60,
        "0001",
        "Silicon Labs",
    )


def test_list_ports_on_this_machine_returns_port_infos() -> None:
    assert all(isinstance(p, PortInfo) for p in list_ports())


def test_port_watcher_reports_plugs_and_pulls_after_a_silent_baseline() -> None:
    lock = threading.Lock()
    present = [ONBOARD]
    calls: list[tuple[list[PortInfo], list[PortInfo]]] = []
    polls = 0
    fail_next = False

    def lister() -> list[PortInfo]:
        nonlocal polls, fail_next
        with lock:
            polls += 1
            if fail_next:
                fail_next = False
                raise OSError("udev hiccup")
            return list(present)

    def on_change(added: list[PortInfo], removed: list[PortInfo]) -> None:
        calls.append((added, removed))
        if len(calls) == 1:
            raise RuntimeError("a listener bug must not stop the watcher")

    def polls_after(n: int) -> Callable[[], bool]:
        return lambda: polls >= n

    watcher = PortWatcher(on_change, interval=0.01, lister=lister)
    watcher.start()
    try:
        assert wait_until(polls_after(3))
        assert calls == []  # the ports already there are the baseline
        assert watcher.ports == [ONBOARD]

        with lock:
            present.append(CP210X)
        assert wait_until(lambda: len(calls) == 1)
        assert calls[0] == ([CP210X], [])

        with lock:
            fail_next = True
            present.remove(CP210X)
            present.append(CH340)
        assert wait_until(lambda: len(calls) == 2)
        assert calls[1] == ([CH340], [CP210X])
        assert watcher.ports == [ONBOARD, CH340]

        seen = polls
        assert wait_until(polls_after(seen + 3))
        assert len(calls) == 2  # nothing changed, nothing reported
    finally:
        watcher.stop(DEADLINE)
    assert not watcher.running


def test_port_watcher_refuses_a_zero_interval() -> None:
    with pytest.raises(ValueError, match="interval"):
        PortWatcher(lambda a, r: None, interval=0)
