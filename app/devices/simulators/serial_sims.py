"""Serial devices on a real pseudo-terminal: a CMS50 oximeter (either firmware) and a scale.

Each simulator opens a pty pair, puts it in raw mode and exposes the slave's path as ``.port``;
the app opens that path with pyserial exactly as it opens ``/dev/ttyUSB0``, so the demo and the
end-to-end tests run the real transport, framer, parser and driver. ``stop()`` closes both ends,
which to the app looks like the USB cable being pulled. POSIX only (``os.openpty``): on Windows
the module imports but constructing a simulator raises RuntimeError.

Threading rule: each simulator writes from its own daemon thread. The control methods
(``finger_out``, ``step_on``, ``write_raw`` ...) may be called from any thread; bytes they
cause are sent by the simulator's thread between frames, never in the middle of one. What
the app writes is read on the same thread between frames (``received()``), so a simulator can
answer commands as the device does.
"""

from __future__ import annotations

import app.devices.simulators  # noqa: F401  (first, so the demo/test-only guard runs first)

# isort: split

import logging
import math
import os
import random
import sys
import threading
import time
from abc import ABC, abstractmethod
from collections import deque
from decimal import Decimal
from typing import Self

__all__ = [
    "OximeterSimulator",
    "ScaleSimulator",
    "encode_cms50_live",
    "encode_cms50_v46_live",
]

log = logging.getLogger(__name__)

_CENT = Decimal("0.01")

# ptys are POSIX: on Windows the module loads (the demo may list it), a simulator refuses
if sys.platform == "win32":

    def _open_raw_pty() -> tuple[int, int, str]:
        raise RuntimeError("serial simulators need a POSIX pseudo-terminal (Linux, macOS)")

    def _flush_unread(fd: int) -> None:
        raise RuntimeError("serial simulators need a POSIX pseudo-terminal (Linux, macOS)")

else:
    import termios
    import tty

    def _open_raw_pty() -> tuple[int, int, str]:
        """(master fd, slave fd, slave path); the master does not block the simulator."""
        master, slave = os.openpty()
        tty.setraw(slave)
        os.set_blocking(master, False)
        return master, slave, os.ttyname(slave)

    def _flush_unread(fd: int) -> None:
        termios.tcflush(fd, termios.TCIFLUSH)


def encode_cms50_live(
    *,
    spo2: int,
    pulse: int,
    pleth: int = 0,
    bargraph: int = 0,
    signal: int = 0,
    beep: bool = False,
    spo2_dropping: bool = False,
    finger_out: bool = False,
    searching: bool = False,
    probe_error: bool = False,
) -> bytes:
    """One CMS50 legacy live frame, bit by bit from the layout in reference §2.1a.

    ``spo2=98, pulse=72, pleth=64, bargraph=6, signal=5, beep=True`` -> ``C5 40 06 48 62``.
    """
    for name, value, top in (
        ("spo2", spo2, 127),
        ("pulse", pulse, 255),
        ("pleth", pleth, 127),
        ("bargraph", bargraph, 15),
        ("signal", signal, 15),
    ):
        if not 0 <= value <= top:
            raise ValueError(f"{name} must be 0..{top}, got {value}")
    b0 = 0x80 | beep << 6 | spo2_dropping << 5 | finger_out << 4 | signal
    b1 = pleth
    b2 = (pulse >> 7) << 6 | searching << 5 | probe_error << 4 | bargraph
    b3 = pulse & 0x7F
    b4 = spo2
    return bytes((b0, b1, b2, b3, b4))


def encode_cms50_v46_live(
    *,
    spo2: int,
    pulse: int,
    pleth: int = 0,
    byte4: int = 1,
    finger_out: bool = False,
    searching: bool = False,
    beat: bool = False,
) -> bytes:
    """One CMS50 v4.6+ live frame, from the layout in reference §2.1 b.

    ``byte4`` is the unexplained second waveform/bar byte; both reference captures carry 1 there.
    The pulse rate is 7 bits, as the parser reads it (how the device sends 128 and up is
    unverified). ``spo2=98, pulse=72, pleth=69`` -> ``01 E0 80 C5 81 C8 E2 FF FF``.
    """
    for name, value in (("spo2", spo2), ("pulse", pulse), ("pleth", pleth), ("byte4", byte4)):
        if not 0 <= value <= 127:
            raise ValueError(f"{name} must be 0..127, got {value}")
    b1 = 0xE0 | searching << 1 | finger_out
    b2 = 0x80 | beat << 6
    return bytes((0x01, b1, b2, 0x80 | pleth, 0x80 | byte4, 0x80 | pulse, 0x80 | spo2, 0xFF, 0xFF))


class _PtySimulator(ABC):
    """A pty pair and a thread that sends ``_tick()``'s bytes ``rate`` times a second."""

    def __init__(self, rate: float, name: str) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self._period = 1.0 / rate
        self._name = name
        self._master, self._slave, self.port = _open_raw_pty()
        self._lock = threading.Lock()  # the simulated device's state
        self._pending: deque[bytes] = deque()  # raw bytes queued by write_raw/garbage
        self._received = bytearray()
        self._stop_event = threading.Event()
        self._thread: threading.Thread | None = None
        self._closed = False

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        thread = self._thread
        return thread is not None and thread.is_alive()

    def start(self) -> None:
        if self._closed:
            raise RuntimeError("a stopped simulator cannot start again; make a new one")
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 2.0) -> None:
        """Stop sending and close both ends of the pty (the app sees the device vanish)."""
        self._stop_event.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
        if not self._closed:
            self._closed = True
            for fd in (self._master, self._slave):
                try:
                    os.close(fd)
                except OSError:
                    log.debug("closing pty fd %d failed", fd, exc_info=True)

    def write_raw(self, data: bytes) -> None:
        """Queue arbitrary bytes (a malformed line, noise) to be sent after the current frame."""
        with self._lock:
            self._pending.append(bytes(data))

    def received(self) -> bytes:
        """Everything the app has written to the device so far."""
        with self._lock:
            return bytes(self._received)

    @abstractmethod
    def _tick(self) -> bytes:
        """The bytes the device sends in one period (called on the simulator's thread)."""

    def _heard(self, data: bytes) -> None:  # noqa: B027  (a hook: most devices ignore writes)
        """Bytes the app wrote, as they arrive (simulator's thread, ``_lock`` held)."""

    def _run(self) -> None:
        next_at = time.monotonic()
        while not self._stop_event.wait(max(0.0, next_at - time.monotonic())):
            out = bytearray()
            now = time.monotonic()
            due = 0
            # catch up after a stall, but not with a burst longer than about half a second
            while next_at <= now and due < max(1, round(0.5 / self._period)):
                out += self._tick()
                next_at += self._period
                due += 1
            if next_at <= now:
                next_at = now + self._period
            with self._lock:
                while self._pending:
                    out += self._pending.popleft()
            self._send(bytes(out))
            self._drain()

    def _send(self, data: bytes) -> None:
        view = memoryview(data)
        flushed = False
        while view:
            try:
                n = os.write(self._master, view)
            except BlockingIOError:
                if flushed:
                    return  # nobody reads the port: drop, as a real device would
                # nobody has read the port for a while: throw the stale input away
                _flush_unread(self._slave)
                flushed = True
                continue
            except OSError:
                log.debug("%s: write to pty failed", self._name, exc_info=True)
                return
            view = view[n:]

    def _drain(self) -> None:
        """Keep what the app sent (commands), so its writes never fill the pty."""
        while True:
            try:
                data = os.read(self._master, 4096)
            except (BlockingIOError, OSError):
                return
            if not data:
                return
            with self._lock:
                self._received += data
                self._heard(data)


class OximeterSimulator(_PtySimulator):
    """A CMS50 oximeter streaming live frames at ``rate_hz`` (reference §2.1).

    ``protocol="legacy"`` (≈ v4.5 firmware) streams 5-byte frames from the start, unasked.
    ``protocol="v46"`` (v4.6+) is silent until the app writes the start-live command
    ``7D 81 A1 80 80 80 80 80 80``, then streams 9-byte frames; it falls silent again when no
    command (any ``7D 81 ..``) has arrived for ``idle_timeout_s``, as some units are said to
    (reference: unverified), so a driver without a keep-alive loses the stream. A pty ignores
    baud rates, so either sounds the same at any line setting: a driver must tell them apart by
    what arrives.

    The displayed numbers change once a second, like the device's; with ``jitter`` SpO2 dips
    by 1 now and then and the pulse wanders by ±1, which the driver must treat as steady.
    ``finger_in()`` goes through ``search_s`` seconds of "searching" before values return.
    """

    def __init__(
        self,
        spo2: int = 97,
        pulse: int = 76,
        rate_hz: float = 60,
        jitter: bool = True,
        seed: int | None = None,
        *,
        search_s: float = 1.0,
        protocol: str = "legacy",
        idle_timeout_s: float = 15.0,
    ) -> None:
        if protocol not in ("legacy", "v46"):
            raise ValueError(f"protocol must be 'legacy' or 'v46', got {protocol!r}")
        if idle_timeout_s <= 0:
            raise ValueError("idle_timeout_s must be positive")
        # the v4.6 frame has 7 pulse bits and 127 means "no value"
        self._pulse_max = 254 if protocol == "legacy" else 126
        self._check(spo2, pulse, self._pulse_max)
        super().__init__(rate_hz, "sim-oximeter")
        self.protocol = protocol
        self._idle_timeout = idle_timeout_s
        self._streaming = protocol == "legacy"
        self._last_command = -math.inf
        self._commands = bytearray()  # what the app wrote that may still become a command
        self._rate = rate_hz
        self._spo2, self._pulse = spo2, pulse
        self._shown = (spo2, pulse)
        self._jitter = jitter
        self._rng = random.Random(seed)
        self._search_frames = round(search_s * rate_hz)
        self._finger = True
        self._searching_left = 0
        self._frame_no = 0
        self._phase = 0.0  # position in the current heartbeat, 0..1

    @property
    def streaming(self) -> bool:
        """True while live frames are being sent (a v4.6 unit only after the start command)."""
        with self._lock:
            return self._streaming_now()

    @staticmethod
    def _check(spo2: int, pulse: int, pulse_max: int) -> None:
        if not 1 <= spo2 <= 100:
            raise ValueError(f"spo2 must be 1..100, got {spo2}")
        if not 1 <= pulse <= pulse_max:
            raise ValueError(f"pulse must be 1..{pulse_max}, got {pulse}")

    def set_values(self, spo2: int | None = None, pulse: int | None = None) -> None:
        with self._lock:
            new_spo2 = self._spo2 if spo2 is None else spo2
            new_pulse = self._pulse if pulse is None else pulse
            self._check(new_spo2, new_pulse, self._pulse_max)
            self._spo2, self._pulse = new_spo2, new_pulse
            self._shown = (new_spo2, new_pulse)

    def finger_out(self) -> None:
        with self._lock:
            self._finger = False
            self._searching_left = 0

    def finger_in(self) -> None:
        with self._lock:
            if not self._finger:
                self._finger = True
                self._searching_left = self._search_frames

    def garbage(self, length: int = 12) -> None:
        """Queue a malformed burst of ``length + 3`` bytes that holds no whole frame.

        Noise without a sync bit comes first (after a whole frame, so nothing can take it in),
        then a frame cut off after 3 bytes, which the next real frame's sync byte ends.
        """
        noise = bytes(self._rng.randrange(0x80) for _ in range(length))
        self.write_raw(noise + bytes((0x85, 0x21, 0x0A)))

    def _heard(self, data: bytes) -> None:
        """Pick 9-byte commands ``7D`` + 8 bytes with bit 7 set out of what the app wrote."""
        if self.protocol != "v46":
            return  # the legacy live stream needs no command
        buf = self._commands
        buf += data
        while True:
            start = buf.find(0x7D)
            if start < 0:
                buf.clear()
                return
            del buf[:start]
            if len(buf) < 9:
                return
            if all(b & 0x80 for b in buf[1:9]):
                self._last_command = time.monotonic()
                if buf[2] == 0xA1:  # start live data
                    self._streaming = True
                del buf[:9]
            else:
                del buf[:1]

    def _streaming_now(self) -> bool:
        if self.protocol == "v46" and time.monotonic() - self._last_command > self._idle_timeout:
            self._streaming = False
        return self._streaming

    def _tick(self) -> bytes:
        with self._lock:
            if not self._streaming_now():
                return b""
            self._frame_no += 1
            if self.protocol == "v46":
                return self._frame_v46()
            if not self._finger:
                return encode_cms50_live(spo2=0, pulse=0, finger_out=True)
            pleth, beat = self._pleth()
            if self._searching_left > 0:
                self._searching_left -= 1
                return encode_cms50_live(spo2=127, pulse=255, pleth=pleth, searching=True)
            spo2, pulse = self._displayed()
            return encode_cms50_live(
                spo2=spo2,
                pulse=pulse,
                pleth=pleth,
                bargraph=min(15, pleth * 16 // 128),
                signal=6,
                beep=beat,
            )

    def _frame_v46(self) -> bytes:
        if not self._finger:
            return encode_cms50_v46_live(spo2=0, pulse=0, finger_out=True)
        pleth, beat = self._pleth()
        if self._searching_left > 0:
            self._searching_left -= 1
            return encode_cms50_v46_live(spo2=127, pulse=127, pleth=pleth, searching=True)
        spo2, pulse = self._displayed()
        return encode_cms50_v46_live(spo2=spo2, pulse=pulse, pleth=pleth, beat=beat)

    def _displayed(self) -> tuple[int, int]:
        """The numbers on the display, moved on once a second."""
        if self._frame_no % max(1, round(self._rate)) == 0:
            self._shown = self._next_shown()
        return self._shown

    def _next_shown(self) -> tuple[int, int]:
        if not self._jitter:
            return self._spo2, self._pulse
        spo2 = self._spo2 - (1 if self._rng.random() < 0.25 else 0)
        pulse = self._pulse + self._rng.choice((-1, 0, 0, 1))
        return max(1, spo2), min(self._pulse_max, max(1, pulse))

    def _pleth(self) -> tuple[int, bool]:
        """A plethysmograph sample: a systolic peak and a smaller dicrotic wave per beat."""
        self._phase += self._pulse / 60.0 / self._rate
        beat = self._phase >= 1.0
        self._phase %= 1.0
        p = self._phase
        wave = math.exp(-(((p - 0.15) / 0.07) ** 2)) + 0.35 * math.exp(-(((p - 0.45) / 0.08) ** 2))
        return min(127, round(10 + 100 * wave)), beat


class ScaleSimulator(_PtySimulator):
    """A platform scale's indicator sending ``lines_per_s`` lines like ``ST,GS,+  62.40kg``.

    It starts empty (stable at 0.00 kg). ``step_on`` sends a few unstable lines that swing up
    to the weight, then stable lines; ``step_off`` swings back to zero; ``overload`` shows
    ``OL`` until the next step.
    """

    def __init__(
        self,
        weight_kg: float = 62.4,
        lines_per_s: float = 10,
        *,
        ramp_lines: int = 6,
        seed: int | None = None,
    ) -> None:
        super().__init__(lines_per_s, "sim-scale")
        if ramp_lines < 1:
            raise ValueError("ramp_lines must be at least 1")
        self._weight = _kg(weight_kg)
        self._ramp_lines = ramp_lines
        self._rng = random.Random(seed)
        self._shown = Decimal("0.00")  # what the display holds once the script has run
        self._overloaded = False
        self._script: deque[bytes] = deque()

    @staticmethod
    def line(status: str, weight: Decimal) -> bytes:
        """``line("ST", Decimal("62.4"))`` -> ``b"ST,GS,+  62.40kg\\r\\n"``."""
        sign = "-" if weight < 0 else "+"
        return f"{status},GS,{sign}{abs(weight):7.2f}kg\r\n".encode("ascii")

    def step_on(self, weight_kg: float | None = None) -> None:
        target = self._weight if weight_kg is None else _kg(weight_kg)
        with self._lock:
            self._overloaded = False
            self._script.extend(self._ramp(self._shown, target))
            self._shown = target

    def step_off(self) -> None:
        with self._lock:
            self._overloaded = False
            self._script.extend(self._ramp(self._shown, Decimal("0.00")))
            self._shown = Decimal("0.00")

    def overload(self) -> None:
        with self._lock:
            self._script.clear()
            self._overloaded = True

    def _ramp(self, start: Decimal, end: Decimal) -> list[bytes]:
        """Unstable lines easing from ``start`` to ``end`` with an overshoot, in 0.05 kg steps."""
        n = self._ramp_lines
        lines = []
        for i in range(1, n + 1):
            x = i / n
            ease = 1 - (1 - x) ** 2
            wobble = 0.04 * math.sin(math.pi * x) * self._rng.uniform(0.5, 1.5)
            value = float(start) + float(end - start) * (ease + wobble)
            lines.append(self.line("US", (Decimal(round(value * 20)) / 20).quantize(_CENT)))
        return lines

    def _tick(self) -> bytes:
        with self._lock:
            if self._overloaded:
                return b"OL,GS,+9999.99kg\r\n"
            if self._script:
                return self._script.popleft()
            return self.line("ST", self._shown)


def _kg(value: float) -> Decimal:
    weight = Decimal(str(value)).quantize(_CENT)
    if weight < 0:
        raise ValueError(f"weight must not be negative, got {value}")
    return weight
