"""Runs the drivers of the paired devices and turns what they report into events.

The manager is the one ``DriverSink`` for every driver. Drivers call it from their own
threads; it only queues. One dispatcher thread then keeps the state of each device, drops
re-sent final readings (same ``dedupe_key`` from the same device, or the same device time and
values when a driver gives no key) and calls the listeners, in arrival order. Listeners may
be slow (the service writes to the store on this thread) without ever holding up a device.

Threading: every public method is safe from any thread. Listeners run on the dispatcher
thread and must not raise (what they raise is logged and dropped).
"""

from __future__ import annotations

import logging
import queue
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from app.devices.driver import ConnectionState, DeviceReading, DeviceSpec, Driver, DriverSink, Now

log = logging.getLogger(__name__)

DriverFactory = Callable[[DeviceSpec, DriverSink, Now], Driver]
_SEEN_PER_DEVICE = 1000  # final readings remembered per device for dropping re-sends
RESEND_WINDOW_S = 60.0  # for readings with no identity: same values this soon = a re-send


@dataclass(frozen=True, slots=True)
class DeviceStatus:
    spec: DeviceSpec
    state: ConnectionState = ConnectionState.DISCONNECTED
    detail: str = ""
    last: DeviceReading | None = None  # the latest reading, live or final
    problem: str = ""  # the latest malformed frame or device complaint


@dataclass(frozen=True, slots=True)
class StatusChanged:
    status: DeviceStatus


@dataclass(frozen=True, slots=True)
class LiveReading:
    reading: DeviceReading  # a value while measuring: show it, never store it


@dataclass(frozen=True, slots=True)
class FinalReading:
    reading: DeviceReading  # a new (not re-sent) value the operator may keep


@dataclass(frozen=True, slots=True)
class DeviceProblem:
    device_id: str
    message: str


Event = StatusChanged | LiveReading | FinalReading | DeviceProblem
Listener = Callable[[Event], None]


class DeviceManager:
    def __init__(self, factory: DriverFactory, now: Now) -> None:
        self._factory = factory
        self._now = now
        self._lock = threading.Lock()
        self._drivers: dict[str, Driver] = {}
        self._status: dict[str, DeviceStatus] = {}
        self._seen: dict[str, OrderedDict[Hashable, None]] = {}
        self._last_values: dict[str, tuple[tuple[object, ...], datetime]] = {}
        self._listeners: list[Listener] = []
        self._queue: queue.SimpleQueue[Callable[[], None] | None] = queue.SimpleQueue()
        self._dispatcher = threading.Thread(
            target=self._dispatch, name="hwc-device-events", daemon=True
        )
        self._dispatcher.start()
        self._closed = False

    # -- configuration ------------------------------------------------------------------------

    def add_listener(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener`` with every event from now on; returns a function that removes it."""
        with self._lock:
            self._listeners.append(listener)

        def remove() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return remove

    def apply(self, specs: Iterable[DeviceSpec]) -> None:
        """Run exactly these devices: start new ones, stop forgotten ones, restart changed ones."""
        wanted = {s.device_id: s for s in specs}
        with self._lock:
            if self._closed:
                return
            stale = [d for device_id, d in self._drivers.items() if wanted.get(device_id) != d.spec]
            for d in stale:
                del self._drivers[d.spec.device_id]
        for d in stale:
            self._stop(d)
        for device_id, spec in wanted.items():
            with self._lock:
                if device_id in self._drivers or self._closed:
                    continue
                try:
                    driver = self._factory(spec, _Sink(self), self._now)
                except Exception as exc:  # an unknown kind or bad options: show it, go on
                    log.exception("cannot create the driver for %s", spec.name)
                    self._post(self._set_state, device_id, ConnectionState.ERROR, str(exc), spec)
                    continue
                self._drivers[device_id] = driver
            self._post(self._set_state, device_id, ConnectionState.CONNECTING, "", spec)
            try:
                driver.start()
            except Exception as exc:
                log.exception("cannot start the driver for %s", spec.name)
                self._post(self._set_state, device_id, ConnectionState.ERROR, str(exc), spec)
        self._post(self._drop_statuses, set(wanted))

    def statuses(self) -> list[DeviceStatus]:
        with self._lock:
            return sorted(self._status.values(), key=lambda s: (s.spec.name, s.spec.device_id))

    def status(self, device_id: str) -> DeviceStatus | None:
        with self._lock:
            return self._status.get(device_id)

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until every event queued so far has reached the listeners (for tests, shutdown)."""
        done = threading.Event()
        self._queue.put(done.set)
        return done.wait(timeout)

    def close(self, timeout: float = 3.0) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            drivers = list(self._drivers.values())
            self._drivers.clear()
        for d in drivers:
            self._stop(d, timeout)
        self._queue.put(None)
        self._dispatcher.join(timeout)

    # -- the sink side (driver threads) -------------------------------------------------------

    def _post(self, fn: Callable[..., None], *args: object) -> None:
        self._queue.put(lambda: fn(*args))

    def _stop(self, driver: Driver, timeout: float = 2.0) -> None:
        try:
            driver.stop(timeout)
        except Exception:
            log.exception("stopping the driver for %s failed", driver.spec.name)

    # -- the dispatcher thread ----------------------------------------------------------------

    def _dispatch(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            try:
                job()
            except Exception:
                log.exception("device event handling failed")

    def _emit(self, event: Event) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(event)
            except Exception:
                log.exception("a device listener failed")

    def _update(self, device_id: str, **changes: object) -> DeviceStatus | None:
        with self._lock:
            current = self._status.get(device_id)
            if current is None:
                return None
            updated = replace(current, **changes)  # type: ignore[arg-type]
            self._status[device_id] = updated
            return updated

    def _set_state(
        self,
        device_id: str,
        state: ConnectionState,
        detail: str,
        spec: DeviceSpec | None = None,
    ) -> None:
        with self._lock:
            if spec is not None and device_id not in self._status:
                self._status[device_id] = DeviceStatus(spec)
            elif spec is not None:
                self._status[device_id] = replace(self._status[device_id], spec=spec)
            current = self._status.get(device_id)
            if current is None or (device_id not in self._drivers and spec is None):
                return  # a late report from a driver that has been stopped
            unchanged = current.state == state and current.detail == detail
        if not unchanged:
            updated = self._update(device_id, state=state, detail=detail)
            if updated is not None:
                self._emit(StatusChanged(updated))

    def _drop_statuses(self, keep: set[str]) -> None:
        with self._lock:
            for device_id in [d for d in self._status if d not in keep]:
                del self._status[device_id]

    def _on_reading(self, reading: DeviceReading) -> None:
        with self._lock:
            if reading.device_id not in self._drivers:
                return
        if reading.final and self._is_resend(reading):
            log.info("dropped a re-sent reading from %s", reading.device_id)
            return
        updated = self._update(reading.device_id, last=reading)
        if updated is not None:
            self._emit(StatusChanged(updated))
        self._emit(FinalReading(reading) if reading.final else LiveReading(reading))

    def _is_resend(self, reading: DeviceReading) -> bool:
        key = reading.dedupe_key
        m = reading.measurement
        values = tuple((r.code, r.value, r.unit) for r in m.readings)
        if key is None and m.taken_at is not None:
            key = (m.protocol, m.taken_at, values)
        if key is None:
            # No identity at all (a serial oximeter or scale): the same values again within
            # a minute are the same reading offered twice (a cable that dropped and came back).
            last = self._last_values.get(reading.device_id)
            self._last_values[reading.device_id] = (values, reading.received_at)
            return (
                last is not None
                and last[0] == values
                and abs((reading.received_at - last[1]).total_seconds()) < RESEND_WINDOW_S
            )
        seen = self._seen.setdefault(reading.device_id, OrderedDict())
        if key in seen:
            seen.move_to_end(key)
            return True
        seen[key] = None
        while len(seen) > _SEEN_PER_DEVICE:
            seen.popitem(last=False)
        return False

    def _on_problem(self, device_id: str, message: str) -> None:
        self._update(device_id, problem=message)
        self._emit(DeviceProblem(device_id, message))


class _Sink:
    """What drivers hold: queue and return, never block a device thread."""

    def __init__(self, manager: DeviceManager) -> None:
        self._m = manager

    def reading(self, reading: DeviceReading) -> None:
        self._m._post(self._m._on_reading, reading)

    def state(self, device_id: str, state: ConnectionState, detail: str = "") -> None:
        self._m._post(self._m._set_state, device_id, ConnectionState(state), detail)

    def problem(self, device_id: str, message: str) -> None:
        self._m._post(self._m._on_problem, device_id, message)
