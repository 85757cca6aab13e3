"""Bluetooth LE health devices (device reference 1.0-1.7): BP monitors, thermometers, pulse
oximeters, scales, glucometers and heart-rate straps that use the standard SIG services.

What a paired device (``spec.address`` is its BLE address) goes through, again and again
until ``stop()``:

1. find it by scanning for its address (``SCAN_TIMEOUT_S``); a device that is not advertising
   is looked for again after a short pause, since BP monitors and scales advertise only for
   a while after a measurement and a long wait would miss them;
2. connect through ``BleLink`` (the reference's advice: a BLEDevice from the scan, never a
   bare address), see which health characteristics it has, and subscribe at once (cuffs send
   their stored readings right after connecting): the live ones first (0x2A36 cuff pressure,
   0x2A5F PLX continuous, 0x2A37 heart rate), then the final ones (0x2A35, 0x2A1C, 0x2A5E,
   0x2A9D, 0x2A18);
3. for a glucometer, enable the Record Access Control Point (0x2A52) and ask it to "report
   all stored records" (op code 0x01, operator 0x01): the records arrive as 0x2A18. Only
   then is the state CONNECTED: from here on a measurement will come through;
4. decode every value. A final one becomes a final ``DeviceReading`` with a ``dedupe_key`` of
   (protocol, device time fields, values), or (protocol, sequence number) for glucose, so the
   burst of stored records a device re-sends on every connect is recognised as readings
   already seen. A final value without a device time has no identity (key None). Live values
   are throttled to one per ``LIVE_INTERVAL_S`` per characteristic, keeping the latest, and
   a final value discards the live ones still held back. ``DecodeError`` -> ``sink.problem``.
5. when the link drops: DISCONNECTED and reconnect; failures back off 1, 2, 4 ... 30 s.

Bluetooth missing altogether (no adapter, switched off, no permission) is ERROR with a plain
detail such as "no Bluetooth adapter found"; the driver keeps retrying at the slowest pace,
so plugging in a dongle is enough. ``options["sim"] = "host:port"`` (set by the demo and the
tests only) swaps the bleak backends for the simulator's, imported lazily; outside demo mode
that import refuses, which is an ERROR state, not a crash.

Threading: the driver runs as one task on the shared device loop; sink calls come from that
thread. ``start``/``stop`` are safe from any thread (``stop`` does not block on the loop
thread itself).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import threading
import time
from collections.abc import Hashable
from enum import Enum

from bleak.backends.client import BaseBleakClient
from bleak.backends.scanner import BaseBleakScanner

from app.devices import DecodeError, Measurement, decode
from app.devices.driver import ConnectionState, DeviceReading, DeviceSpec, DriverSink, Now
from app.devices.transports.aio import LoopThread, shared_loop
from app.devices.transports.ble_link import BleLink, BleLinkError, find_async, short_uuid

__all__ = [
    "BACKOFF_MAX_S",
    "BACKOFF_MIN_S",
    "FINAL",
    "LIVE",
    "LIVE_INTERVAL_S",
    "RACP_REPORT_ALL",
    "BleHealthDriver",
    "dedupe_key",
]

log = logging.getLogger(__name__)

LIVE = ("2a36", "2a5f", "2a37")  # shown while measuring, never kept
FINAL = ("2a35", "2a1c", "2a5e", "2a9d", "2a18")  # offered to the operator to keep
GLUCOSE = "2a18"
RACP = "2a52"
RACP_REPORT_ALL = bytes([0x01, 0x01])  # op code "report stored records", operator "all"
_RACP_RESPONSE = 0x06
_RACP_OK = (0x01, 0x06)  # success, no records found

LIVE_INTERVAL_S = 0.2  # at most ~5 live readings a second per characteristic
BACKOFF_MIN_S = 1.0
BACKOFF_MAX_S = 30.0
SCAN_TIMEOUT_S = 10.0
CONNECT_TIMEOUT_S = 20.0
RECANCEL_S = 0.1


def dedupe_key(measurement: Measurement) -> Hashable | None:
    """What makes a final BLE reading the same one when the device sends it again."""
    if measurement.protocol == f"ble:{GLUCOSE}":
        sequence = measurement.info.get("sequence_number")
        return (measurement.protocol, sequence) if isinstance(sequence, int) else None
    fields = measurement.info.get("device_time")
    if not isinstance(fields, tuple) or not any(fields):
        return None  # no device clock: two equal readings cannot be told from one re-sent
    values = tuple(
        (r.code, r.exact if r.exact is not None else r.value, r.unit) for r in measurement.readings
    )
    return (measurement.protocol, fields, values)


class _Outcome(Enum):
    NOT_FOUND = "not found"
    LOST = "lost"


class _SetupError(Exception):
    """The driver cannot run at all as configured (no retry helps)."""


class BleHealthDriver:
    def __init__(
        self,
        spec: DeviceSpec,
        sink: DriverSink,
        now: Now,
        *,
        client_backend: type[BaseBleakClient] | None = None,
        scanner_backend: type[BaseBleakScanner] | None = None,
        loop: LoopThread | None = None,
        scan_timeout: float = SCAN_TIMEOUT_S,
    ) -> None:
        self.spec = spec
        self._sink = sink
        self._now = now
        self._client_backend = client_backend
        self._scanner_backend = scanner_backend
        self._loop_thread = loop
        self._scan_timeout = scan_timeout
        self._lock = threading.Lock()
        self._done: threading.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self._last_state: tuple[ConnectionState, str] | None = None
        self._stopping = False
        self._closing_link = False
        self._live_last: dict[str, float] = {}
        self._live_held: dict[str, DeviceReading] = {}
        self._live_timers: dict[str, asyncio.TimerHandle] = {}

    # --- any thread -------------------------------------------------------------------------

    def _thread(self) -> LoopThread:
        if self._loop_thread is None:
            self._loop_thread = shared_loop()
        return self._loop_thread

    def start(self) -> None:
        with self._lock:
            if self._done is not None and not self._done.is_set():
                return
            done = self._done = threading.Event()
        thread = self._thread()
        thread.loop.call_soon_threadsafe(self._spawn, done)

    def stop(self, timeout: float = 2.0) -> None:
        with self._lock:
            done = self._done
        if done is None:
            return
        thread = self._thread()
        # FIFO with start's _spawn, so the task exists by the time this runs
        thread.loop.call_soon_threadsafe(self._cancel)
        if thread.in_loop_thread():
            return
        deadline = time.monotonic() + timeout
        # Python 3.11's asyncio can lose a cancellation that races a completing await (in
        # bleak or an OS backend); asking again is harmless and ends the driver regardless.
        while not done.wait(min(RECANCEL_S, max(deadline - time.monotonic(), 0))):
            if time.monotonic() >= deadline:
                log.warning("%s: BLE driver did not stop in %.1f s", self.spec.device_id, timeout)
                return
            thread.loop.call_soon_threadsafe(self._cancel_again)

    # --- the device loop --------------------------------------------------------------------

    def _spawn(self, done: threading.Event) -> None:
        self._stopping = False
        task = asyncio.get_running_loop().create_task(self._main())
        self._task = task
        task.add_done_callback(lambda _: done.set())

    def _cancel(self) -> None:
        self._stopping = True
        if self._task is not None and not self._task.done():
            self._task.cancel()

    def _cancel_again(self) -> None:
        if not self._closing_link:  # never cut short the disconnect that the stop started
            self._cancel()

    def _state(self, state: ConnectionState, detail: str = "") -> None:
        if self._last_state == (state, detail):
            return
        self._last_state = (state, detail)
        try:
            self._sink.state(self.spec.device_id, state, detail)
        except Exception:
            log.exception("sink.state failed for %s", self.spec.device_id)

    def _problem(self, message: str) -> None:
        log.info("%s: %s", self.spec.device_id, message)
        try:
            self._sink.problem(self.spec.device_id, message)
        except Exception:
            log.exception("sink.problem failed for %s", self.spec.device_id)

    def _emit(self, reading: DeviceReading) -> None:
        try:
            self._sink.reading(reading)
        except Exception:
            log.exception("sink.reading failed for %s", self.spec.device_id)

    def _backends(self) -> tuple[type[BaseBleakClient] | None, type[BaseBleakScanner] | None]:
        client, scanner = self._client_backend, self._scanner_backend
        endpoint = self.spec.options.get("sim", "")
        if not endpoint:
            return client, scanner
        try:
            from app.devices.simulators import ble_sim
        # SimulatorsDisabled is a RuntimeError; its class cannot be imported once it is raised
        except (ImportError, RuntimeError) as exc:
            raise _SetupError(f"simulated device unavailable: {exc}") from exc
        try:
            sim_scanner = ble_sim.SimScannerBackend.for_endpoints(endpoint)
        except ValueError as exc:
            raise _SetupError(str(exc)) from exc
        return client or ble_sim.SimClientBackend, scanner or sim_scanner

    async def _main(self) -> None:
        self._last_state = None
        try:
            client_backend, scanner_backend = self._backends()
        except _SetupError as exc:
            self._state(ConnectionState.ERROR, str(exc))
            return
        failures = 0
        quiet = False  # Bluetooth missing: retries do not flash CONNECTING every 30 s
        try:
            while not self._stopping:
                if not quiet:
                    self._state(ConnectionState.CONNECTING, f"looking for {self.spec.address}")
                try:
                    outcome = await self._session(client_backend, scanner_backend)
                except BleLinkError as exc:
                    failures += 1
                    quiet = exc.unavailable
                    delay = BACKOFF_MAX_S if quiet else _backoff(failures)
                    if quiet:
                        self._state(ConnectionState.ERROR, exc.message)
                    else:
                        detail = f"{exc.message}; retrying in {delay:g} s"
                        self._state(ConnectionState.DISCONNECTED, detail)
                    await asyncio.sleep(delay)
                    continue
                except Exception as exc:  # a bug here must not end the driver for good
                    log.exception("%s: BLE session failed", self.spec.device_id)
                    failures += 1
                    self._state(ConnectionState.ERROR, f"unexpected error: {exc!r}")
                    await asyncio.sleep(_backoff(failures))
                    continue
                quiet = False
                if outcome is _Outcome.LOST:
                    failures = 0
                    detail = f"connection lost; reconnecting in {BACKOFF_MIN_S:g} s"
                else:
                    detail = "not found nearby (switched off or out of range?); still looking"
                self._state(ConnectionState.DISCONNECTED, detail)
                await asyncio.sleep(BACKOFF_MIN_S)
        finally:
            self._drop_live()
            self._state(ConnectionState.DISCONNECTED, "stopped")

    async def _session(
        self,
        client_backend: type[BaseBleakClient] | None,
        scanner_backend: type[BaseBleakScanner] | None,
    ) -> _Outcome:
        found = await find_async(
            self.spec.address, self._scan_timeout, scanner_backend=scanner_backend
        )
        if found is None:
            return _Outcome.NOT_FOUND
        link = BleLink(client_backend=client_backend, timeout=CONNECT_TIMEOUT_S)
        try:
            await link.connect(found)
            offered = {short_uuid(u) for u in link.characteristics}
            wanted = [c for c in (*LIVE, *FINAL) if c in offered]
            if not wanted:
                raise BleLinkError("the device offers no measurement this app can read")
            try:
                await self._subscribe(link, wanted, offered)
            except BleLinkError:
                if not link.is_connected:  # cuffs hang up right after their burst: a loss
                    return _Outcome.LOST
                raise
            # only now: CONNECTED tells the operator that a measurement will come through
            self._state(ConnectionState.CONNECTED, f"connected to {found.name or found.address}")
            await link.wait_disconnected()
            return _Outcome.LOST
        finally:
            self._drop_live()
            self._closing_link = True
            try:
                await link.disconnect()  # bounded by BleLink
            finally:
                self._closing_link = False

    async def _subscribe(self, link: BleLink, wanted: list[str], offered: set[str]) -> None:
        for short in wanted:
            await link.subscribe(short, functools.partial(self._on_value, short))
        if GLUCOSE in wanted and RACP in offered:
            # RACP answers by indication, so that must be enabled before the request
            await link.subscribe(RACP, self._on_racp)
            await link.write(RACP, RACP_REPORT_ALL, response=True)

    def _on_value(self, short: str, data: bytes) -> None:
        received_at = self._now()
        try:
            measurement = decode(f"ble:{short}", data)
        except DecodeError as exc:
            self._problem(str(exc))
            return
        final = short in FINAL
        reading = DeviceReading(
            device_id=self.spec.device_id,
            measurement=measurement,
            raw=data,
            received_at=received_at,
            final=final,
            dedupe_key=dedupe_key(measurement) if final else None,
        )
        if final:
            self._drop_live()  # a cuff pressure shown after the result would mislead
            self._emit(reading)
        else:
            self._live(short, reading)

    def _on_racp(self, data: bytes) -> None:
        if len(data) >= 4 and data[0] == _RACP_RESPONSE and data[3] not in _RACP_OK:
            self._problem(
                f"the glucometer refused to send its stored readings (RACP response {data[3]})"
            )

    def _live(self, short: str, reading: DeviceReading) -> None:
        """At most one live reading per interval; the latest one held back is sent at its
        end, so the display settles on the newest value."""
        now = time.monotonic()
        waited = now - self._live_last.get(short, float("-inf"))
        if short not in self._live_timers and waited >= LIVE_INTERVAL_S:
            self._live_last[short] = now
            self._emit(reading)
            return
        self._live_held[short] = reading
        if short not in self._live_timers:
            self._live_timers[short] = asyncio.get_running_loop().call_later(
                LIVE_INTERVAL_S - waited, self._release_live, short
            )

    def _release_live(self, short: str) -> None:
        self._live_timers.pop(short, None)
        reading = self._live_held.pop(short, None)
        if reading is not None:
            self._live_last[short] = time.monotonic()
            self._emit(reading)

    def _drop_live(self) -> None:
        for timer in self._live_timers.values():
            timer.cancel()
        self._live_timers.clear()
        self._live_held.clear()


def _backoff(failures: int) -> float:
    return min(BACKOFF_MIN_S * float(2 ** max(failures - 1, 0)), BACKOFF_MAX_S)
