"""Contec CMS50D+/CMS50E/F pulse oximeter on a USB-serial cable, either firmware (reference §2.1).

Two incompatible protocol generations come on the same cable:

* legacy (≈ v4.5 and older, §2.1 a): 19200 baud 8O1; 5-byte live frames (``cms50:live``) at
  about 60 Hz, sent unasked.
* v4.6+ ("CMS50D+ v4.6", CMS50E/F, §2.1 b): 115200 baud 8N1; the host writes the start-live
  command ``7D 81 A1 80 80 80 80 80 80`` and 9-byte frames (``cms50:live9``) follow at about
  60 Hz. Some drivers resend a command now and then to keep the stream going (unverified), so
  while connected the driver resends the start command every 5 s.

Whichever it is, the driver frames and decodes the stream, sends running values as live
readings (at most 5 a second) and offers one final SpO2 + pulse reading once both have been
steady for a few seconds with the finger in. It offers no other final until the finger comes
out, or the values move beyond the tolerance and settle again, so a nurse gets one value to keep
per measurement, not sixty a second.

Options (all text, from the pairing):

* ``protocol``: ``auto`` (the default, and what pairings made before v4.6 support get),
  ``legacy`` or ``v46``.
* ``baudrate`` (and ``bytesize``, ``parity``, ``stopbits``): override the named firmware's line
  settings. With ``auto`` they are checked but not used: each firmware is tried with its own
  settings from the reference, because the pairing dialog stores ``baudrate`` 19200 for every
  CMS50 and a v4.6 unit would never be found at that speed.
* ``steady_seconds`` (default 3).

Detection (``auto``) goes by what arrives, never by the line settings alone: a wrong baud rate
on a real cable gives garbage, and a pty (the demo's devices) ignores baud rates altogether.

1. The port is opened with the settings of the firmware to try first: v4.6 (the reference says
   to try the newer one first), or the one already found since the driver was made, so a
   re-plugged oximeter is found without waiting. For v4.6 the start command is written at once.
2. That firmware is confirmed by ``DETECT_FRAMES`` frames that decode, carrying more bytes than
   were dropped: at a wrong baud rate a frame-shaped run of garbage turns up now and then, but
   never outweighs the garbage around it.
3. If none is confirmed within ``DETECT_WINDOW`` (2 s) of opening, the port is re-opened with
   the other firmware's settings, and so on in turn until one is confirmed, so a v4.6 unit
   switched on after the cable was plugged in is still found (it is silent until asked).
4. The confirmed firmware is kept until the port is lost; then detection starts again at 1.

While detecting, nothing is reported: no readings, no "out of sync" problems (the other
firmware's bytes are expected garbage), and the re-opens between candidates are not state
changes (the sink sees one CONNECTED).

Threading rule: readings, problems and states reach the sink from the ``SerialLink`` reader
thread; ``feed`` is that thread's entry point, and tests and capture replays may call it directly
on a driver that is not started. With ``auto`` or ``v46`` a second daemon thread
(``hwc-cms50 <port>``) resends the start command and, when detection moves on, stops the link
and starts it again with the other settings: a ``SerialLink`` reads its settings when it opens
the port, and its reader thread cannot restart itself. It reports to the sink only if the
driver is stopped in the middle of such a switch (the final DISCONNECTED).
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace

from app.devices import DecodeError, decode
from app.devices.driver import (
    ConnectionState,
    DeviceSpec,
    DriverSink,
    Now,
)
from app.devices.drivers.reporting import Reporter
from app.devices.framing import Cms50Framer, Cms50V46Framer
from app.devices.measurement import Measurement
from app.devices.transports.serial_link import SerialLink, SerialSettings
from app.domain.vitals import PULSE, SPO2

__all__ = [
    "DEFAULT_SETTINGS",
    "LEGACY",
    "PROTOCOL",
    "PROTOCOL_V46",
    "START_LIVE",
    "V46",
    "V46_SETTINGS",
    "Cms50Driver",
    "Firmware",
    "SteadyVitals",
]

log = logging.getLogger(__name__)

PROTOCOL = "cms50:live"  # legacy live frames
PROTOCOL_V46 = "cms50:live9"  # v4.6+ live frames
DEFAULT_SETTINGS = SerialSettings(baudrate=19200, bytesize=8, parity="O", stopbits=1)  # legacy
V46_SETTINGS = SerialSettings(baudrate=115200, bytesize=8, parity="N", stopbits=1)
START_LIVE = bytes.fromhex("7D 81 A1 80 80 80 80 80 80")  # v4.6+: "start live data" (§2.1 b)
PROTOCOL_OPTIONS = ("auto", "legacy", "v46")

LIVE_INTERVAL = 0.2  # seconds between live readings: the contract's ~5 a second
PROBLEM_INTERVAL = 1.0  # a noisy cable must not flood the operator with the same complaint
STEADY_SECONDS = 3.0
SPO2_TOLERANCE = 1  # % points: the device's own last-digit wobble
PULSE_TOLERANCE = 3  # beats/min
MAX_GAP = 1.0  # seconds without a usable frame that break a steady run
DETECT_WINDOW = 2.0  # seconds one firmware is given to show itself before the other is tried
DETECT_FRAMES = 3  # good frames that confirm a firmware (at 60 Hz: 50 ms)
KEEPALIVE_INTERVAL = 5.0  # seconds between start commands to a v4.6 unit
TICK = 0.1  # how often the command thread looks at the clock
SWITCH_TIMEOUT = 2.0  # for the reader thread to let go of the port before a re-open


@dataclass(frozen=True, slots=True)
class Firmware:
    """One protocol generation: how to open the port, frame and decode, and what to ask for."""

    name: str  # "legacy" or "v46", as in the ``protocol`` option
    protocol: str  # the parser key
    settings: SerialSettings
    framer: type[Cms50Framer] | type[Cms50V46Framer]
    start_command: bytes | None  # written on connect and as keep-alive; None: streams unasked


LEGACY = Firmware("legacy", PROTOCOL, DEFAULT_SETTINGS, Cms50Framer, None)
V46 = Firmware("v46", PROTOCOL_V46, V46_SETTINGS, Cms50V46Framer, START_LIVE)


class SteadyVitals:
    """Says when SpO2 and pulse have been steady long enough to offer them as a final reading.

    ``update`` takes each usable sample (finger in, not searching, both values present) and
    returns True exactly when a final should be offered. ``interrupt`` (searching, probe error,
    a missing value) restarts the steady run; ``finger_out`` also forgets the value already
    offered, so the next finger gets its own final.
    """

    def __init__(
        self,
        window_s: float = STEADY_SECONDS,
        spo2_tolerance: int = SPO2_TOLERANCE,
        pulse_tolerance: int = PULSE_TOLERANCE,
        max_gap: float = MAX_GAP,
    ) -> None:
        if window_s <= 0:
            raise ValueError("window_s must be positive")
        self.window_s = window_s
        self.spo2_tolerance = spo2_tolerance
        self.pulse_tolerance = pulse_tolerance
        self.max_gap = max_gap
        self._samples: deque[tuple[float, int, int]] = deque()  # the last window_s seconds
        self._run_start: float | None = None
        self._offered: tuple[int, int] | None = None

    @property
    def offered(self) -> tuple[int, int] | None:
        """(SpO2, pulse) of the final offered for the finger that is in, if any."""
        return self._offered

    def interrupt(self) -> None:
        self._samples.clear()
        self._run_start = None

    def finger_out(self) -> None:
        self.interrupt()
        self._offered = None

    def update(self, t: float, spo2: int, pulse: int) -> bool:
        samples = self._samples
        if samples and not 0 <= t - samples[-1][0] <= self.max_gap:
            self.interrupt()  # frames stopped for a while, or the clock went backwards
        if self._run_start is None:
            self._run_start = t
        samples.append((t, spo2, pulse))
        while samples[0][0] < t - self.window_s:
            samples.popleft()
        if t - self._run_start < self.window_s:
            return False
        spo2s = [s[1] for s in samples]
        pulses = [s[2] for s in samples]
        if max(spo2s) - min(spo2s) > self.spo2_tolerance:
            return False
        if max(pulses) - min(pulses) > self.pulse_tolerance:
            return False
        if self._offered is not None and self._close_to(self._offered, spo2, pulse):
            return False
        self._offered = (spo2, pulse)
        return True

    def _close_to(self, offered: tuple[int, int], spo2: int, pulse: int) -> bool:
        return (
            abs(offered[0] - spo2) <= self.spo2_tolerance
            and abs(offered[1] - pulse) <= self.pulse_tolerance
        )


class Cms50Driver:
    """``Driver`` for a CMS50 on ``spec.address`` (a port path or a pyserial URL).

    ``detect_window`` and ``keepalive`` (seconds) exist for tests; pairings use the defaults.
    """

    def __init__(
        self,
        spec: DeviceSpec,
        sink: DriverSink,
        now: Now,
        *,
        clock: Callable[[], float] = time.monotonic,
        reconnect_delay: tuple[float, float] = (0.5, 10.0),
        detect_window: float = DETECT_WINDOW,
        keepalive: float = KEEPALIVE_INTERVAL,
    ) -> None:
        if not (detect_window > 0 and keepalive > 0):
            raise ValueError("detect_window and keepalive must be positive")
        self.spec = spec
        self._reporter = Reporter(spec, sink, now, problem_interval=PROBLEM_INTERVAL)
        self._clock = clock
        self._detect_window = detect_window
        self._keepalive = keepalive
        self.mode = _protocol_option(spec)
        DEFAULT_SETTINGS.with_options(spec.options)  # a bad line option is refused in any mode
        candidates: tuple[Firmware, ...]
        if self.mode == "legacy":
            candidates = (replace(LEGACY, settings=LEGACY.settings.with_options(spec.options)),)
        elif self.mode == "v46":
            candidates = (replace(V46, settings=V46.settings.with_options(spec.options)),)
        else:
            candidates = (V46, LEGACY)
        self._candidates = candidates
        self._steady = SteadyVitals(window_s=_float_option(spec, "steady_seconds", STEADY_SECONDS))
        self._last_live = -math.inf

        # Shared with the command thread, under _lock. _firmware changes only while no reader
        # thread runs (before start, or between the stop and start of a switch).
        self._lock = threading.Lock()
        self._firmware = candidates[0]
        self._detected: Firmware | None = candidates[0] if len(candidates) == 1 else None
        self._connected = False
        self._window_start: float | None = None  # when the port opened with this firmware
        self._last_command: float | None = None
        self._switch_to: Firmware | None = None  # a re-open with these settings is under way
        self._switching = False  # hide the state changes of that re-open from the sink
        self._reported: tuple[ConnectionState, str] | None = None
        self._stopped = False
        self._commands: threading.Thread | None = None
        self._commands_stop = threading.Event()

        # The reader thread's own: the stream of the connection now open.
        self._framer: Cms50Framer | Cms50V46Framer = self._firmware.framer()
        self._lead_in = 0
        self._good = 0  # frames that decoded while detecting
        self._junk = 0  # bytes dropped while detecting
        self._reset_stream()

        first = self._firmware.settings
        self._link = SerialLink(
            spec.address,
            settings=first,
            on_bytes=self.feed,
            on_state=self._on_state,
            reconnect_delay=reconnect_delay,
        )

    @property
    def link(self) -> SerialLink:
        return self._link

    @property
    def firmware(self) -> str | None:
        """``"legacy"`` or ``"v46"`` once known on this connection; None while detecting."""
        detected = self._detected
        return None if detected is None else detected.name

    def start(self) -> None:
        with self._lock:
            self._stopped = False
            self._switch_to, self._switching = None, False
            # starting under _lock: a switch on the command thread cannot start it twice
            self._link.start()
            needs_thread = len(self._candidates) > 1 or self._firmware.start_command is not None
            if needs_thread and (self._commands is None or not self._commands.is_alive()):
                self._commands_stop = threading.Event()
                self._commands = threading.Thread(
                    target=self._run_commands,
                    args=(self._commands_stop,),
                    name=f"hwc-cms50 {self.spec.address}",
                    daemon=True,
                )
                self._commands.start()

    def stop(self, timeout: float = 2.0) -> None:
        end = time.monotonic() + timeout
        with self._lock:
            self._stopped = True
            commands, self._commands = self._commands, None
            self._commands_stop.set()
        self._link.stop(timeout)
        if commands is not None and commands is not threading.current_thread():
            commands.join(max(0.0, end - time.monotonic()))
            if commands.is_alive():
                log.warning("command thread for %s did not stop in time", self.spec.address)

    # -- reader thread ---------------------------------------------------------------------

    def feed(self, chunk: bytes) -> None:
        """Handle bytes as read from the port."""
        t = self._clock()
        firmware = self._firmware
        framer = self._framer
        before = framer.discarded
        frames = framer.feed(chunk)
        dropped = framer.discarded - before
        if self._detected is None:
            frames = self._detect(firmware, frames, dropped)
        elif dropped:
            excess = dropped - self._lead_in
            self._lead_in = max(0, self._lead_in - dropped)
            if excess > 0:
                self._reporter.problem(
                    f"{firmware.protocol}: {excess} bytes out of sync dropped", t
                )
        for frame in frames:
            self._lead_in = 0
            try:
                measurement = decode(firmware.protocol, frame)
            except DecodeError as exc:
                self._reporter.problem(str(exc), t)
                continue
            self._handle(measurement, frame, t)

    def _detect(self, firmware: Firmware, frames: list[bytes], dropped: int) -> list[bytes]:
        """Count the evidence for ``firmware``; its good frames once it is confirmed, else []."""
        good: list[bytes] = []
        for frame in frames:
            try:
                decode(firmware.protocol, frame)
            except DecodeError:
                dropped += len(frame)
                continue
            good.append(frame)
        self._good += len(good)
        self._junk += dropped
        if self._good < DETECT_FRAMES or self._good * firmware.framer.FRAME_LEN <= self._junk:
            return []
        with self._lock:
            if self._switch_to is not None:
                return []  # too late: the port is being re-opened for the other firmware
            self._detected = firmware
        log.info("%s: CMS50 %s firmware on %s", self.spec.device_id, firmware.name, self._link.port)
        self._lead_in = 0  # from now on dropped bytes are news
        return good

    def _handle(self, m: Measurement, frame: bytes, t: float) -> None:
        spo2 = m.reading(SPO2)
        pulse = m.reading(PULSE)
        flags = m.flags
        final = False
        if "finger_out" in flags or (spo2 is None and pulse is None and "searching" not in flags):
            self._steady.finger_out()
        elif spo2 is None or pulse is None or "searching" in flags or "probe_error" in flags:
            self._steady.interrupt()
        else:
            final = self._steady.update(t, round(spo2.value), round(pulse.value))
        if final:
            self._reporter.reading(m, frame, final=True)
        elif t - self._last_live >= LIVE_INTERVAL:
            self._last_live = t
            self._reporter.reading(m, frame, final=False)

    def _on_state(self, state: ConnectionState, detail: str) -> None:
        # Every state change is a connection boundary: the next bytes start clean, with no
        # half frame and no steady run from before the gap.
        t = self._clock()
        connected = state is ConnectionState.CONNECTED
        self._reset_stream()
        self._steady.finger_out()
        with self._lock:
            firmware = self._firmware
            command = firmware.start_command if connected else None
            self._connected = connected
            self._window_start = t if connected else None
            self._last_command = t if command is not None else None
            if not connected and len(self._candidates) > 1:
                self._detected = None  # the port is gone: whatever comes back is detected anew
            report = self._should_report(state, detail)
        if command is not None:
            self._send(command, t)
        if report:
            self._report(state, detail)

    def _should_report(self, state: ConnectionState, detail: str) -> bool:
        """Whether a state change is news to the sink (caller holds _lock)."""
        if self._switching and not self._stopped:
            if state is ConnectionState.ERROR:
                self._switching = False  # the re-open failed: that is news
            elif state is ConnectionState.CONNECTED:
                self._switching = False
                return (state, detail) != self._reported
            else:
                return False  # the old port closing and the new one opening, as one
        self._reported = (state, detail)
        return True

    def _report(self, state: ConnectionState, detail: str) -> None:
        self._reporter.state(state, detail)

    def _reset_stream(self) -> None:
        """A new framer for the firmware in use; nothing counted from before."""
        self._framer = self._firmware.framer()
        # a frame cut by the open is not garbage
        self._lead_in = self._firmware.framer.FRAME_LEN - 1
        self._good = self._junk = 0

    # -- command thread --------------------------------------------------------------------

    def _run_commands(self, stop: threading.Event) -> None:
        while not stop.wait(TICK):
            try:
                self._tick()
            except Exception:
                log.exception("CMS50 command thread for %s", self.spec.address)

    def _tick(self) -> None:
        """Move detection on when its window has passed; resend the start command when due."""
        t = self._clock()
        command: bytes | None = None
        switch_to: Firmware | None = None
        with self._lock:
            if self._stopped:
                return
            firmware = self._firmware
            pending = self._switch_to is not None  # waiting for the old reader to stop
            window = self._window_start
            expired = window is not None and t - window >= self._detect_window
            if not pending and self._detected is None and expired:
                switch_to = self._switch_to = self._after(firmware)
                self._switching = True
            elif not pending:
                command = self._due_command(t)
        if command is not None:
            self._send(command, t)
        if switch_to is not None:
            log.info(
                "%s: no CMS50 %s frames on %s within %.1f s; trying %s",
                self.spec.device_id,
                firmware.name,
                self._link.port,
                self._detect_window,
                switch_to.name,
            )
            self._link.stop(SWITCH_TIMEOUT)
        if pending or switch_to is not None:
            self._finish_switch()

    def _due_command(self, t: float) -> bytes | None:
        """The start command when it is due, marked as sent at ``t`` (caller holds _lock)."""
        command = self._firmware.start_command
        if command is None or not self._connected:
            return None
        if self._last_command is not None and t - self._last_command < self._keepalive:
            return None
        self._last_command = t
        return command

    def _after(self, firmware: Firmware) -> Firmware:
        index = self._candidates.index(firmware)
        return self._candidates[(index + 1) % len(self._candidates)]

    def _finish_switch(self) -> None:
        """Start the link again with the next firmware's settings once its reader has stopped."""
        stopped_mid_switch = False
        with self._lock:
            target = self._switch_to
            if target is None:
                return  # start() or stop() took over
            if self._stopped:
                self._switch_to, self._switching = None, False
                stopped = (ConnectionState.DISCONNECTED, "stopped")
                stopped_mid_switch = self._reported != stopped
                self._reported = stopped
            elif self._link.running:
                return  # the old reader still holds the port: try again on the next tick
            else:
                self._switch_to = None
                self._firmware = target
                self._link.settings = target.settings
                self._reset_stream()
                self._link.start()
        if stopped_mid_switch:
            self._report(ConnectionState.DISCONNECTED, "stopped")

    def _send(self, command: bytes, t: float) -> None:
        """Write a command; on failure the command thread tries again on its next tick."""
        if self._link.write(command):
            return
        with self._lock:
            if self._last_command == t:
                self._last_command = None


def _protocol_option(spec: DeviceSpec) -> str:
    text = spec.options.get("protocol", "auto")
    value = text.strip().lower()
    if value not in PROTOCOL_OPTIONS:
        raise ValueError(f"protocol must be auto, legacy or v46, got {text!r}")
    return value


def _float_option(spec: DeviceSpec, key: str, default: float) -> float:
    text = spec.options.get(key)
    if text is None:
        return default
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not value > 0:
        raise ValueError(f"{key} must be a positive number, got {text!r}")
    return value
