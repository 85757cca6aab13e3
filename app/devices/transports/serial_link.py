"""A serial port kept open on its own reader thread, re-opened after the cable is pulled.

``SerialLink`` wraps pyserial for the serial drivers (CMS50 oximeter, weighing scales). It opens
the port (or a pyserial URL such as ``loop://``), hands every chunk it reads to ``on_bytes``,
reports ``ConnectionState`` changes with a plain detail ("port /dev/ttyUSB0 not found") to
``on_state``, and when the port fails or vanishes it retries with exponential backoff until
``stop()``.

Threading rule: ``on_bytes`` and ``on_state`` are called on the link's reader thread only, one
call at a time; a callback that raises is logged and the thread goes on. ``start``, ``stop`` and
``write`` may be called from any thread. ``stop`` closes the port and joins the thread.
"""

from __future__ import annotations

import errno
import logging
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import serial

from app.devices.driver import ConnectionState

__all__ = [
    "SerialLink",
    "SerialSettings",
    "describe_open_error",
]

log = logging.getLogger(__name__)

READ_TIMEOUT = 0.1  # bounds how long the reader takes to notice stop()
WRITE_TIMEOUT = 1.0  # a wedged adapter must not block a caller of write() for long
MAX_READ = 65536

_PARITIES = {
    "N": serial.PARITY_NONE,
    "NONE": serial.PARITY_NONE,
    "E": serial.PARITY_EVEN,
    "EVEN": serial.PARITY_EVEN,
    "O": serial.PARITY_ODD,
    "ODD": serial.PARITY_ODD,
    "M": serial.PARITY_MARK,
    "MARK": serial.PARITY_MARK,
    "S": serial.PARITY_SPACE,
    "SPACE": serial.PARITY_SPACE,
}


@dataclass(frozen=True, slots=True)
class SerialSettings:
    """Line settings; ``with_options`` applies a paired device's stored overrides."""

    baudrate: int = 9600
    bytesize: int = 8
    parity: str = serial.PARITY_NONE
    stopbits: float = 1

    def with_options(self, options: Mapping[str, str]) -> SerialSettings:
        """Override from ``baudrate``, ``bytesize``, ``parity`` (N/E/O/M/S or the word) and
        ``stopbits``; ValueError with a readable message for a value pyserial cannot use."""
        result = self
        if "baudrate" in options:
            baud = _int_option(options, "baudrate")
            if baud <= 0:
                raise ValueError(f"baudrate must be positive, got {options['baudrate']!r}")
            result = replace(result, baudrate=baud)
        if "bytesize" in options:
            size = _int_option(options, "bytesize")
            if size not in (5, 6, 7, 8):
                raise ValueError(f"bytesize must be 5, 6, 7 or 8, got {options['bytesize']!r}")
            result = replace(result, bytesize=size)
        if "parity" in options:
            parity = _PARITIES.get(options["parity"].strip().upper())
            if parity is None:
                raise ValueError(f"parity must be N, E, O, M or S, got {options['parity']!r}")
            result = replace(result, parity=parity)
        if "stopbits" in options:
            try:
                stop = float(options["stopbits"])
            except ValueError:
                stop = 0.0
            if stop not in (1, 1.5, 2):
                raise ValueError(f"stopbits must be 1, 1.5 or 2, got {options['stopbits']!r}")
            result = replace(result, stopbits=stop)
        return result


def _int_option(options: Mapping[str, str], key: str) -> int:
    try:
        return int(options[key].strip())
    except ValueError:
        raise ValueError(f"{key} must be a whole number, got {options[key]!r}") from None


def describe_open_error(port: str, exc: BaseException) -> str:
    """A sentence field IT can act on, from what pyserial raised when opening ``port``."""
    code = getattr(exc, "errno", None)
    text = str(exc)
    if code in (errno.ENOENT, errno.ENODEV, errno.ENXIO) or "FileNotFoundError" in text:
        return f"port {port} not found"
    if code in (errno.EACCES, errno.EPERM) or "PermissionError" in text:
        if sys.platform == "win32":
            # Windows answers "access denied" when another program holds the port
            return f"port {port} is in use by another program (access denied)"
        return f"permission denied on port {port} (the user may need the dialout group)"
    if code in (errno.EBUSY, errno.EAGAIN, errno.EWOULDBLOCK) or "exclusively lock" in text:
        return f"port {port} is in use by another program"
    if code == errno.EIO:
        return f"port {port} is not responding (I/O error)"
    return f"could not open port {port}: {text}"


class SerialLink:
    """One serial port read on a daemon thread; see the module docstring for the rules."""

    def __init__(
        self,
        port: str,
        *,
        settings: SerialSettings = SerialSettings(),
        on_bytes: Callable[[bytes], None],
        on_state: Callable[[ConnectionState, str], None],
        reconnect_delay: tuple[float, float] = (0.5, 10.0),
    ) -> None:
        low, high = reconnect_delay
        if not 0 < low <= high:
            raise ValueError(f"reconnect_delay must be 0 < min <= max, got {reconnect_delay!r}")
        self.port = port
        self.settings = settings
        self._on_bytes = on_bytes
        self._on_state = on_state
        self._delay_min, self._delay_max = low, high
        self._lifecycle = threading.Lock()  # start/stop
        self._port_lock = threading.Lock()  # the open port, shared by the reader and write()
        self._serial: Any = None
        self._thread: threading.Thread | None = None
        self._stop_event = threading.Event()
        self._state = ConnectionState.DISCONNECTED
        self._detail = ""

    @property
    def state(self) -> ConnectionState:
        return self._state

    @property
    def detail(self) -> str:
        return self._detail

    @property
    def running(self) -> bool:
        """True while the reader thread is alive (also while it waits to retry)."""
        thread = self._thread
        return thread is not None and thread.is_alive()

    def start(self) -> None:
        with self._lifecycle:
            if self.running:
                return
            # Each run has its own event, so a thread that outlived stop()'s timeout still
            # sees its own stop request after a restart.
            self._stop_event = threading.Event()
            self._thread = threading.Thread(
                target=self._run,
                args=(self._stop_event,),
                name=f"hwc-serial {self.port}",
                daemon=True,
            )
            self._thread.start()

    def stop(self, timeout: float = 2.0) -> None:
        with self._lifecycle:
            self._stop_event.set()
            thread = self._thread
        with self._port_lock:
            ser = self._serial
            if ser is not None and hasattr(ser, "cancel_read"):
                try:
                    ser.cancel_read()  # wakes a read blocked in select() at once
                except Exception:
                    log.debug("cancel_read on %s failed", self.port, exc_info=True)
        if thread is None or thread is threading.current_thread():
            return  # called from a callback: the loop ends after the callback returns
        thread.join(timeout)
        if thread.is_alive():
            log.warning("serial reader for %s did not stop within %.1f s", self.port, timeout)

    def write(self, data: bytes) -> bool:
        """Send ``data``; False when the port is not open or the write failed (a lost port is
        then noticed and re-opened by the reader)."""
        with self._port_lock:
            ser = self._serial
            if ser is None:
                return False
            try:
                ser.write(bytes(data))
                ser.flush()
            except Exception as exc:
                log.warning("write to %s failed: %s", self.port, exc)
                return False
        return True

    # -- reader thread -------------------------------------------------------------------

    def _run(self, stop: threading.Event) -> None:
        delay = self._delay_min
        while not stop.is_set():
            if self._state is not ConnectionState.ERROR:
                self._set_state(ConnectionState.CONNECTING, f"opening {self.port}")
            try:
                ser = self._open()
            except Exception as exc:
                log.debug("opening %s failed", self.port, exc_info=True)
                self._set_state(ConnectionState.ERROR, describe_open_error(self.port, exc))
                if stop.wait(delay):
                    break
                delay = min(delay * 2, self._delay_max)
                continue
            with self._port_lock:
                self._serial = ser
            if stop.is_set():  # stop() ran between open and publish: it could not cancel
                self._close()
                break
            delay = self._delay_min
            self._set_state(ConnectionState.CONNECTED, self.port)
            lost = self._pump(ser, stop)
            self._close()
            if stop.is_set():
                break
            self._set_state(ConnectionState.ERROR, lost)
            # a re-plugged USB adapter needs a moment to enumerate before it can be opened
            if stop.wait(delay):
                break
        self._set_state(ConnectionState.DISCONNECTED, "stopped")

    def _open(self) -> Any:
        s = self.settings
        return serial.serial_for_url(
            self.port,
            baudrate=s.baudrate,
            bytesize=s.bytesize,
            parity=s.parity,
            stopbits=s.stopbits,
            timeout=READ_TIMEOUT,
            write_timeout=WRITE_TIMEOUT,
            exclusive=True,  # a second program reading the port would steal half the bytes
        )

    def _pump(self, ser: Any, stop: threading.Event) -> str:
        """Read until stopped (returns "") or the port fails (returns why)."""
        while not stop.is_set():
            try:
                waiting = ser.in_waiting
                data = ser.read(min(MAX_READ, max(1, waiting)))
            except (serial.SerialException, OSError) as exc:
                log.info("serial port %s lost: %s", self.port, exc)
                return f"port {self.port} disconnected"
            if data:
                try:
                    self._on_bytes(bytes(data))
                except Exception:
                    log.exception("on_bytes callback for %s failed", self.port)
        return ""

    def _close(self) -> None:
        with self._port_lock:
            ser, self._serial = self._serial, None
        if ser is not None:
            try:
                ser.close()
            except Exception:
                log.debug("closing %s failed", self.port, exc_info=True)

    def _set_state(self, state: ConnectionState, detail: str) -> None:
        if (state, detail) == (self._state, self._detail):
            return  # a retry failing the same way is not news
        self._state, self._detail = state, detail
        try:
            self._on_state(state, detail)
        except Exception:
            log.exception("on_state callback for %s failed", self.port)
