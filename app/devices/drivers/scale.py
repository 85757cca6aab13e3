"""RS-232 weighing scale streaming A&D-style ``ST,GS,+  62.40kg`` lines (reference §2.3).

The indicator sends a line several times a second whether anyone stands on it or not. The
driver sends weights as live readings (at most 5 a second) and offers a final weight once the
same stable value (``ST`` with ``GS`` or ``NT``) has arrived on ``stable_lines`` consecutive
lines. It offers no other final until the weight falls under 2 kg (the patient stepped off) or
settles on a different value. Overload lines are reported as a problem, never as a reading.

Options (all text, from the pairing): ``baudrate`` (default 9600), ``bytesize``, ``parity``,
``stopbits`` (default 8N1; many indicators use 7E1) and ``stable_lines`` (default 3).

Threading rule: everything after ``start()`` runs on the ``SerialLink`` reader thread, which is
also the only thread that calls the sink. ``feed`` is that thread's entry point; tests and
capture replays may call it directly on a driver that is not started.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from decimal import Decimal

from app.devices import DecodeError, decode
from app.devices.driver import (
    ConnectionState,
    DeviceSpec,
    DriverSink,
    Now,
)
from app.devices.drivers.reporting import Reporter
from app.devices.framing import LineFramer
from app.devices.measurement import Measurement, Reading
from app.devices.transports.serial_link import SerialLink, SerialSettings
from app.domain.vitals import WEIGHT

__all__ = ["DEFAULT_SETTINGS", "PROTOCOL", "ScaleDriver", "StableWeight"]

log = logging.getLogger(__name__)

PROTOCOL = "scale:ascii"
DEFAULT_SETTINGS = SerialSettings(baudrate=9600, bytesize=8, parity="N", stopbits=1)

LIVE_INTERVAL = 0.2  # seconds between live readings: the contract's ~5 a second
PROBLEM_INTERVAL = 1.0  # an overloaded scale sends OL ten times a second; say it once a second
STABLE_LINES = 3
STEP_OFF_KG = 2.0  # below this the platform is empty (or holds a shoe): the next person may come
MAX_LINE = 128  # a real line is under 20 bytes; anything longer is noise on the wire

_KG_PER_UNIT = {"kg": 1.0, "[lb_av]": 0.45359237, "g": 0.001}


class StableWeight:
    """Says when a weight has been stable long enough to offer it as a final reading.

    ``update`` takes each line's weight (None for overload and tare lines) and whether the
    indicator called it stable, and returns True exactly when a final should be offered.
    """

    def __init__(self, lines: int = STABLE_LINES, step_off_kg: float = STEP_OFF_KG) -> None:
        if lines < 1:
            raise ValueError("lines must be at least 1")
        self.lines = lines
        self.step_off_kg = step_off_kg
        self._candidate: tuple[Decimal, str] | None = None
        self._count = 0
        self._offered: tuple[Decimal, str] | None = None

    @property
    def offered(self) -> tuple[Decimal, str] | None:
        """(value, unit) of the final offered for the person on the scale, if any."""
        return self._offered

    def reset(self) -> None:
        self._candidate, self._count, self._offered = None, 0, None

    def update(self, weight: Reading | None, stable: bool) -> bool:
        if weight is None:
            self._candidate, self._count = None, 0
            return False
        if weight.value * _KG_PER_UNIT.get(weight.unit, 1.0) < self.step_off_kg:
            self.reset()
            return False
        if not stable:
            self._candidate, self._count = None, 0
            return False
        # the decimal as sent: 62.40 and 62.4 are the same weight, and Decimal says so
        key = (
            weight.exact if weight.exact is not None else Decimal(repr(weight.value)),
            weight.unit,
        )
        if key == self._candidate:
            self._count += 1
        else:
            self._candidate, self._count = key, 1
        if self._count < self.lines or key == self._offered:
            return False
        self._offered = key
        return True


class ScaleDriver:
    """``Driver`` for a scale indicator on ``spec.address`` (a port path or a pyserial URL)."""

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
        self._reporter = Reporter(spec, sink, now, problem_interval=PROBLEM_INTERVAL)
        self._clock = clock
        settings = DEFAULT_SETTINGS.with_options(spec.options)
        self._stable = StableWeight(lines=_lines_option(spec))
        self._framer = LineFramer(MAX_LINE)
        self._first_line = True  # the line the port was opened in the middle of
        self._last_live = -math.inf
        self._link = SerialLink(
            spec.address,
            settings=settings,
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
        lines = self._framer.feed(chunk)
        if self._framer.discarded > before:
            self._reporter.problem(f"{PROTOCOL}: dropped a line longer than {MAX_LINE} bytes", t)
        for line in lines:
            first, self._first_line = self._first_line, False
            try:
                measurement = decode(PROTOCOL, line)
            except DecodeError as exc:
                if first:
                    log.debug("%s: first line cut by the open: %r", self.spec.device_id, line)
                else:
                    self._reporter.problem(str(exc), t)
                continue
            self._handle(measurement, line, t)

    def _handle(self, m: Measurement, line: bytes, t: float) -> None:
        if "overload" in m.flags:
            self._stable.update(None, stable=False)
            self._reporter.problem("scale overloaded", t)
            return
        if "underload" in m.flags:
            self._stable.update(None, stable=False)
            self._reporter.problem("scale reads below zero: re-zero it with the platform empty", t)
            return
        weight = m.reading(WEIGHT)
        if weight is None:  # a tare line: the container's weight, not the patient's
            self._stable.update(None, stable=False)
            return
        if self._stable.update(weight, stable="unstable" not in m.flags):
            self._reporter.reading(m, line, final=True)
        elif t - self._last_live >= LIVE_INTERVAL:
            self._last_live = t
            self._reporter.reading(m, line, final=False)

    def _on_state(self, state: ConnectionState, detail: str) -> None:
        # Every state change is a connection boundary: start with no half line and no count
        # of stable lines from before the gap.
        self._framer = LineFramer(MAX_LINE)
        self._first_line = True
        self._stable.reset()
        self._reporter.state(state, detail)


def _lines_option(spec: DeviceSpec) -> int:
    text = spec.options.get("stable_lines")
    if text is None:
        return STABLE_LINES
    try:
        lines = int(text.strip())
    except ValueError:
        lines = 0
    if lines < 1:
        raise ValueError(f"stable_lines must be a whole number of at least 1, got {text!r}")
    return lines
