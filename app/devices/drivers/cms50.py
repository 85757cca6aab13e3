"""Contec CMS50D+/CMS50E pulse oximeter, legacy firmware, on a USB-serial cable (reference §2.1a).

The oximeter streams 5-byte live frames at about 60 Hz, 19200 baud 8O1, unasked. The driver
frames and decodes them, sends running values as live readings (at most 5 a second) and offers
one final SpO2 + pulse reading once both have been steady for a few seconds with the finger in.
It offers no other final until the finger comes out, or the values move beyond the tolerance
and settle again, so a nurse gets one value to keep per measurement, not sixty a second.

Options (all text, from the pairing): ``baudrate`` (default 19200; ``bytesize``, ``parity``,
``stopbits`` are accepted too) and ``steady_seconds`` (default 3).

Threading rule: everything after ``start()`` runs on the ``SerialLink`` reader thread, which is
also the only thread that calls the sink. ``feed`` is that thread's entry point; tests and
capture replays may call it directly on a driver that is not started.
"""

from __future__ import annotations

import logging
import math
import time
from collections import deque
from collections.abc import Callable

from app.devices import DecodeError, decode
from app.devices.driver import (
    ConnectionState,
    DeviceReading,
    DeviceSpec,
    DriverSink,
    Now,
)
from app.devices.framing import Cms50Framer
from app.devices.measurement import Measurement
from app.devices.transports.serial_link import SerialLink, SerialSettings
from app.domain.vitals import PULSE, SPO2

__all__ = ["DEFAULT_SETTINGS", "PROTOCOL", "Cms50Driver", "SteadyVitals"]

log = logging.getLogger(__name__)

PROTOCOL = "cms50:live"
DEFAULT_SETTINGS = SerialSettings(baudrate=19200, bytesize=8, parity="O", stopbits=1)

LIVE_INTERVAL = 0.2  # seconds between live readings: the contract's ~5 a second
PROBLEM_INTERVAL = 1.0  # a noisy cable must not flood the operator with the same complaint
STEADY_SECONDS = 3.0
SPO2_TOLERANCE = 1  # % points: the device's own last-digit wobble
PULSE_TOLERANCE = 3  # beats/min
MAX_GAP = 1.0  # seconds without a usable frame that break a steady run


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
    """``Driver`` for a legacy CMS50 on ``spec.address`` (a port path or a pyserial URL)."""

    def __init__(
        self,
        spec: DeviceSpec,
        sink: DriverSink,
        now: Now,
        *,
        clock: Callable[[], float] = time.monotonic,
        reconnect_delay: tuple[float, float] = (0.5, 10.0),
    ) -> None:
        self.spec = spec
        self._sink = sink
        self._now = now
        self._clock = clock
        settings = DEFAULT_SETTINGS.with_options(spec.options)
        self._steady = SteadyVitals(window_s=_float_option(spec, "steady_seconds", STEADY_SECONDS))
        self._framer = Cms50Framer()
        self._lead_in = Cms50Framer.FRAME_LEN - 1  # a frame cut by the open is not garbage
        self._last_live = -math.inf
        self._last_problem = -math.inf
        self._link = SerialLink(
            spec.address,
            baudrate=settings.baudrate,
            bytesize=settings.bytesize,
            parity=settings.parity,
            stopbits=settings.stopbits,
            on_bytes=self.feed,
            on_state=self._on_state,
            reconnect_delay=reconnect_delay,
        )

    @property
    def link(self) -> SerialLink:
        return self._link

    def start(self) -> None:
        self._link.start()

    def stop(self, timeout: float = 2.0) -> None:
        self._link.stop(timeout)

    def feed(self, chunk: bytes) -> None:
        """Handle bytes as read from the port."""
        t = self._clock()
        before = self._framer.discarded
        frames = self._framer.feed(chunk)
        dropped = self._framer.discarded - before
        if dropped:
            excess = dropped - self._lead_in
            self._lead_in = max(0, self._lead_in - dropped)
            if excess > 0:
                self._problem(f"{PROTOCOL}: {excess} bytes out of sync dropped", t)
        for frame in frames:
            self._lead_in = 0
            try:
                measurement = decode(PROTOCOL, frame)
            except DecodeError as exc:
                self._problem(str(exc), t)
                continue
            self._handle(measurement, frame, t)

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
            self._emit(m, frame, final=True)
        elif t - self._last_live >= LIVE_INTERVAL:
            self._last_live = t
            self._emit(m, frame, final=False)

    def _emit(self, m: Measurement, raw: bytes, *, final: bool) -> None:
        reading = DeviceReading(
            device_id=self.spec.device_id,
            measurement=m,
            raw=raw,
            received_at=self._now(),
            final=final,
        )
        try:
            self._sink.reading(reading)
        except Exception:
            log.exception("sink.reading failed for %s", self.spec.device_id)

    def _problem(self, message: str, t: float) -> None:
        if t - self._last_problem < PROBLEM_INTERVAL:
            log.debug("%s: %s (not reported: rate limit)", self.spec.device_id, message)
            return
        self._last_problem = t
        try:
            self._sink.problem(self.spec.device_id, message)
        except Exception:
            log.exception("sink.problem failed for %s", self.spec.device_id)

    def _on_state(self, state: ConnectionState, detail: str) -> None:
        # Every state change is a connection boundary: the next bytes start clean, with no
        # half frame and no steady run from before the gap.
        self._framer = Cms50Framer()
        self._lead_in = Cms50Framer.FRAME_LEN - 1
        self._steady.finger_out()
        try:
            self._sink.state(self.spec.device_id, state, detail)
        except Exception:
            log.exception("sink.state failed for %s", self.spec.device_id)


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
