"""Which serial ports the PC has, and a watcher that notices USB adapters being plugged in.

``list_ports`` turns pyserial's ``comports()`` into plain ``PortInfo`` values; ``known_adapter``
names the common USB-serial chips so field IT can tell the oximeter cable from a modem.
pyserial has no hot-plug events, so ``PortWatcher`` polls on a daemon thread.

Threading rule: ``PortWatcher.on_change`` is called on the watcher's thread only; a callback
that raises is logged and polling goes on. ``start``/``stop`` may be called from any thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from serial.tools import list_ports as _pyserial_list_ports

__all__ = ["PortInfo", "PortWatcher", "known_adapter", "list_ports"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PortInfo:
    device: str  # what to open: /dev/ttyUSB0, COM3
    description: str = ""
    hwid: str = ""
    vid: int | None = None
    pid: int | None = None
    serial_number: str | None = None
    manufacturer: str | None = None

    @property
    def adapter(self) -> str | None:
        """The USB-serial chip, when it is one of the common ones (a hint for field IT)."""
        return known_adapter(self)


# USB vendor:product ids of the serial chips found in oximeter cables and scale adapters
_ADAPTERS: dict[tuple[int, int], str] = {
    (0x10C4, 0xEA60): "Silicon Labs CP210x USB-serial",
    (0x10C4, 0xEA70): "Silicon Labs CP2105 dual USB-serial",
    (0x067B, 0x2303): "Prolific PL2303 USB-serial",
    (0x067B, 0x23A3): "Prolific PL2303GC USB-serial",
    (0x1A86, 0x7523): "WCH CH340 USB-serial",
    (0x1A86, 0x5523): "WCH CH341 USB-serial",
    (0x1A86, 0x55D4): "WCH CH9102 USB-serial",
    (0x0403, 0x6001): "FTDI FT232R USB-serial",
    (0x0403, 0x6015): "FTDI FT231X USB-serial",
}


def known_adapter(info: PortInfo) -> str | None:
    """The chip behind a USB-serial port, when it is a common one; None otherwise."""
    if info.vid is None or info.pid is None:
        return None
    return _ADAPTERS.get((info.vid, info.pid))


def _port_info(p: Any) -> PortInfo:
    return PortInfo(
        device=str(p.device),
        description=str(p.description or ""),
        hwid=str(p.hwid or ""),
        vid=p.vid,
        pid=p.pid,
        serial_number=p.serial_number,
        manufacturer=p.manufacturer,
    )


def list_ports() -> list[PortInfo]:
    """The serial ports present now, sorted by device name."""
    return sorted((_port_info(p) for p in _pyserial_list_ports.comports()), key=_device)


def _device(info: PortInfo) -> str:
    return info.device


class PortWatcher:
    """Polls ``lister`` every ``interval`` seconds and reports ``on_change(added, removed)``.

    The first poll only records the ports already there. A port whose details change under
    the same name (another adapter in the same socket) is reported as removed and added.
    """

    def __init__(
        self,
        on_change: Callable[[list[PortInfo], list[PortInfo]], None],
        interval: float = 2.0,
        lister: Callable[[], list[PortInfo]] = list_ports,
    ) -> None:
        if interval <= 0:
            raise ValueError("interval must be positive")
        self._on_change = on_change
        self._interval = interval
        self._lister = lister
        self._lock = threading.Lock()
        self._ports: list[PortInfo] | None = None
        self._thread: threading.Thread | None = None
        self._stop_event = threading.Event()

    @property
    def ports(self) -> list[PortInfo]:
        """The ports seen at the last successful poll (empty before the first)."""
        with self._lock:
            return list(self._ports or [])

    @property
    def running(self) -> bool:
        thread = self._thread
        return thread is not None and thread.is_alive()

    def start(self) -> None:
        with self._lock:
            if self.running:
                return
            self._stop_event = threading.Event()
            self._ports = None  # a restart takes a fresh baseline
            self._thread = threading.Thread(
                target=self._run, args=(self._stop_event,), name="hwc-port-watcher", daemon=True
            )
            self._thread.start()

    def stop(self, timeout: float = 2.0) -> None:
        with self._lock:
            self._stop_event.set()
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def _run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            self._poll()
            stop.wait(self._interval)

    def _poll(self) -> None:
        try:
            current = sorted(self._lister(), key=_device)
        except Exception:
            log.warning("listing serial ports failed", exc_info=True)
            return
        with self._lock:
            before, self._ports = self._ports, current
        if before is None:
            return
        added = [p for p in current if p not in before]
        removed = [p for p in before if p not in current]
        if not added and not removed:
            return
        try:
            self._on_change(added, removed)
        except Exception:
            log.exception("port watcher callback failed")
