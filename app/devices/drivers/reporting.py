"""How a serial driver talks to its sink: readings stamped with the PC's time, problems at
most once per interval, and a failing sink logged rather than allowed to stop the reader.

Threading: used from the driver's reader thread only.
"""

from __future__ import annotations

import logging
import math

from app.devices.driver import ConnectionState, DeviceReading, DeviceSpec, DriverSink, Now
from app.devices.measurement import Measurement

log = logging.getLogger(__name__)


class Reporter:
    def __init__(
        self, spec: DeviceSpec, sink: DriverSink, now: Now, *, problem_interval: float
    ) -> None:
        self._spec = spec
        self._sink = sink
        self._now = now
        self._problem_interval = problem_interval
        self._last_problem = -math.inf

    def reading(self, m: Measurement, raw: bytes, *, final: bool) -> None:
        reading = DeviceReading(
            device_id=self._spec.device_id,
            measurement=m,
            raw=raw,
            received_at=self._now(),
            final=final,
        )
        try:
            self._sink.reading(reading)
        except Exception:
            log.exception("sink.reading failed for %s", self._spec.device_id)

    def problem(self, message: str, t: float) -> None:
        """Report ``message`` unless another was reported less than the interval before ``t``
        (a noisy cable must not flood the operator with the same complaint)."""
        if t - self._last_problem < self._problem_interval:
            log.debug("%s: %s (not reported: rate limit)", self._spec.device_id, message)
            return
        self._last_problem = t
        try:
            self._sink.problem(self._spec.device_id, message)
        except Exception:
            log.exception("sink.problem failed for %s", self._spec.device_id)

    def state(self, state: ConnectionState, detail: str) -> None:
        try:
            self._sink.state(self._spec.device_id, state, detail)
        except Exception:
            log.exception("sink.state failed for %s", self._spec.device_id)
