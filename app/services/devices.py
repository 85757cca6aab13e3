"""Peripherals for the paramedic and field IT: pairing, live state, and readings to the case.

Pairing is stored (``app.store.devices``) and needs ``MANAGE_DEVICES`` (field IT); anyone
signed in may see the devices and their state. ``start`` runs a driver for every paired
device through ``app.devices.manager``; the GUI never waits on any of it.

A final reading from a device is never stored on its own: it becomes a *pending* reading,
routed to the case open on screen (``set_target``), or kept unassigned for
``UNASSIGNED_MINUTES`` so that a cuff reading taken before the case was opened is still
offered when it is. Only ``accept`` stores it, through ``CaseService.record_values`` (the
same plausibility checks as typed values, all values of the reading in one transaction,
with the device, its clock, the raw bytes and the parser version); ``reject`` drops it.
Re-sent readings were already dropped by the manager.

Codes: ``device.not_found``, ``device.already_paired`` (``address``), ``device.kind_unknown``
(``value``), ``device.address_required``, ``device.name_required``, ``reading.not_found``,
, ``permission.denied``, and the vital codes from ``record_values``.

Audit (docs/SECURITY.md "The audit trail"): ``pair``, ``update`` and ``forget`` append
``settings_change`` (entity device; detail ``pair kind=<kind>``, ``update`` with the fields
changed, ``forget``) in the write that makes the change; an accepted reading is recorded by
``CaseService.record_values`` (``create`` per observation, detail with the device id).

Threading: safe from any thread. Listeners are called on the device-events thread.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlite_utils import Database

from app.devices import drivers
from app.devices.driver import (
    ConnectionState,
    DeviceKind,
    DeviceReading,
    DeviceSpec,
    Driver,
    DriverSink,
    Now,
)
from app.devices.manager import (
    DeviceManager,
    DeviceProblem,
    DeviceStatus,
    Event,
    FinalReading,
    LiveReading,
    StatusChanged,
)
from app.domain import vitals
from app.domain.devices import PairedDevice
from app.domain.errors import DomainError
from app.domain.ids import CaseId, new_id
from app.domain.models import ObservationSource, User
from app.domain.text import nfc
from app.security.permissions import Permission, require
from app.services.cases import CaseService, Provenance, RecordedObservation, Value
from app.services.clock import Clock
from app.services.patients import fields_detail
from app.store import audit
from app.store import devices as devices_repo
from app.store.db import Store

if TYPE_CHECKING:
    from app.devices.transports.ble_link import FoundDevice
    from app.devices.transports.serial_ports import PortInfo

UNASSIGNED_MINUTES = 15
MAX_PENDING = 100

DriverFactory = Callable[[DeviceSpec, DriverSink, Now], Driver]


@dataclass(frozen=True, slots=True)
class PendingReading:
    id: str
    device_id: str
    device_name: str
    reading: DeviceReading
    values: tuple[Value, ...]  # what would be stored: known vitals only, device units
    case_id: CaseId | None  # None until a case form claims it
    refusals: tuple[DomainError, ...] = ()  # why it cannot be kept (an impossible value)

    @property
    def measured_earlier(self) -> datetime | None:
        """The device's time when it says the reading is older than ``UNASSIGNED_MINUTES``:
        a record from the device's memory (a BP monitor re-sends its last readings on each
        connect), perhaps of an earlier patient. Shown, so the operator checks before keeping.
        """
        taken = self.reading.measurement.taken_at
        if taken is None:
            return None
        taken = _aware(taken)
        age = self.reading.received_at - taken
        return taken if age > timedelta(minutes=UNASSIGNED_MINUTES) else None


@dataclass(frozen=True, slots=True)
class PendingChanged:
    """A pending reading arrived, was claimed by a case, accepted or rejected."""

    case_id: CaseId | None


ServiceEvent = Event | PendingChanged


class DeviceService:
    def __init__(
        self,
        store: Store,
        cases: CaseService,
        clock: Clock,
        *,
        factory: DriverFactory = drivers.create,
    ) -> None:
        self._store = store
        self._cases = cases
        self._clock = clock
        self._factory = factory
        self._lock = threading.Lock()
        self._manager: DeviceManager | None = None
        self._listeners: list[Callable[[ServiceEvent], None]] = []
        self._pending: dict[str, PendingReading] = {}
        self._target: CaseId | None = None
        self._scanned: dict[str, dict[str, str]] = {}  # BLE address -> options learnt in a scan

    # -- pairing ------------------------------------------------------------------------------

    def paired(self) -> list[PairedDevice]:
        return self._store.read(devices_repo.all)

    def pair(
        self,
        actor: User,
        kind: DeviceKind | str,
        name: str,
        address: str,
        options: Mapping[str, str] | None = None,
    ) -> PairedDevice:
        require(actor, Permission.MANAGE_DEVICES)
        options = dict(options or {})
        if kind == DeviceKind.BLE:
            with self._lock:
                learnt = self._scanned.get(address.strip(), {})
            options = {**learnt, **options}
        device = PairedDevice(
            id=new_id(),
            kind=_kind(kind),
            name=_required(name, "device.name_required", "name", "A name for the device"),
            address=_required(address, "device.address_required", "address", "The address"),
            paired_at=self._clock(),
            paired_by=actor.id,
            options=options,
        )

        def insert(db: Database) -> None:
            if devices_repo.by_address(db, device.kind, device.address) is not None:
                raise DomainError(
                    "device.already_paired",
                    f"A device on {device.address} is already paired.",
                    {"address": device.address},
                    field="address",
                )
            devices_repo.insert(db, device)
            audit.append(
                db, actor, audit.Action.SETTINGS_CHANGE, "device", device.id,
                f"pair kind={device.kind}", device.paired_at,
            )  # fmt: skip

        self._store.write(insert)
        self._restart()
        return device

    def update(
        self,
        actor: User,
        device_id: str,
        *,
        name: str | None = None,
        address: str | None = None,
        options: Mapping[str, str] | None = None,
    ) -> PairedDevice:
        """Rename a device, or point it at a new port (a cable moved to another USB socket)."""
        require(actor, Permission.MANAGE_DEVICES)
        now = self._clock()

        def apply(db: Database) -> PairedDevice:
            current = self._get(db, device_id)
            changed = PairedDevice(
                id=current.id,
                kind=current.kind,
                name=current.name
                if name is None
                else _required(name, "device.name_required", "name", "A name for the device"),
                address=current.address
                if address is None
                else _required(address, "device.address_required", "address", "The address"),
                paired_at=current.paired_at,
                paired_by=current.paired_by,
                options=current.options if options is None else dict(options),
                last_reading_at=current.last_reading_at,
                last_reading=current.last_reading,
            )
            devices_repo.update(db, changed)
            names = ("name", "address", "options")
            fields = [f for f in names if getattr(current, f) != getattr(changed, f)]
            detail = "update " + fields_detail(fields)
            audit.append(db, actor, audit.Action.SETTINGS_CHANGE, "device", device_id, detail, now)
            return changed

        changed = self._store.write(apply)
        self._restart()
        return changed

    def forget(self, actor: User, device_id: str) -> None:
        require(actor, Permission.MANAGE_DEVICES)
        now = self._clock()

        def delete(db: Database) -> None:
            if not devices_repo.delete(db, device_id):
                raise _not_found(device_id)
            audit.append(
                db, actor, audit.Action.SETTINGS_CHANGE, "device", device_id, "forget", now
            )

        self._store.write(delete)
        with self._lock:
            for pid in [p.id for p in self._pending.values() if p.device_id == device_id]:
                del self._pending[pid]
        self._restart()

    @staticmethod
    def _get(db: Database, device_id: str) -> PairedDevice:
        device = devices_repo.get(db, device_id)
        if device is None:
            raise _not_found(device_id)
        return device

    # -- finding devices to pair -------------------------------------------------------------

    def ports(self) -> list[PortInfo]:
        """Serial ports on this PC now (USB-serial cables appear and vanish as plugged)."""
        from app.devices.transports.serial_ports import list_ports

        return list_ports()

    def watch_ports(
        self, on_change: Callable[[list[PortInfo], list[PortInfo]], None]
    ) -> Callable[[], None]:
        """Call ``on_change(added, removed)`` from a watcher thread when cables are plugged in
        or pulled; returns the function that stops watching."""
        from app.devices.transports.serial_ports import PortWatcher

        watcher = PortWatcher(on_change)
        watcher.start()
        return watcher.stop

    def scan_bluetooth(self, actor: User, timeout: float = 8.0) -> list[FoundDevice]:
        """Bluetooth health devices in range (blocks up to ``timeout``: call from a worker).

        Pairing a device found here keeps what it measures (option ``measures``, for the
        operator's prompt). In demo mode and tests (``HWC_SPOKE_BLE_SIM`` set and simulators
        allowed) the scan looks through the simulated radio instead, and the pairing keeps
        where the simulator listens (option ``sim``).
        """
        require(actor, Permission.MANAGE_DEVICES)
        from app.devices.transports.ble_link import scan

        backend = _simulated_scanner()
        found = scan(timeout, scanner_backend=backend)
        with self._lock:
            for f in found:
                learnt = {"measures": ",".join(f.kinds)} if f.kinds else {}
                endpoint = getattr(f.device.details, "endpoint", None)
                if backend is not None and endpoint:
                    learnt["sim"] = str(endpoint)
                self._scanned[f.address] = learnt
        return found

    # -- running ------------------------------------------------------------------------------

    def start(self) -> None:
        """Run the drivers of every paired device (idempotent)."""
        with self._lock:
            if self._manager is None:
                self._manager = DeviceManager(self._factory, self._clock)
                self._manager.add_listener(self._on_event)
        self._restart()

    def stop(self) -> None:
        with self._lock:
            manager, self._manager = self._manager, None
        if manager is not None:
            manager.close()

    def statuses(self) -> list[DeviceStatus]:
        manager = self._manager
        return [] if manager is None else manager.statuses()

    def add_listener(self, listener: Callable[[ServiceEvent], None]) -> Callable[[], None]:
        with self._lock:
            self._listeners.append(listener)

        def remove() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return remove

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until every device event so far has been handled (tests, shutdown)."""
        manager = self._manager
        return True if manager is None else manager.flush(timeout)

    def _restart(self) -> None:
        manager = self._manager
        if manager is not None:
            manager.apply(_spec(d) for d in self.paired())

    # -- readings for the open case -----------------------------------------------------------

    def set_target(self, case_id: CaseId | None) -> None:
        """The case open on screen (None when none is). Unassigned recent readings join it."""
        cutoff = self._clock() - timedelta(minutes=UNASSIGNED_MINUTES)
        claimed = False
        with self._lock:
            self._target = case_id
            if case_id is not None:
                for p in list(self._pending.values()):
                    if p.case_id is None and p.reading.received_at >= cutoff:
                        self._pending[p.id] = _with_case(p, case_id)
                        claimed = True
        if claimed:
            self._notify(PendingChanged(case_id))

    def pending(self, case_id: CaseId) -> list[PendingReading]:
        """Readings waiting for the operator in this case, oldest first."""
        with self._lock:
            items = [p for p in self._pending.values() if p.case_id == case_id]
        return sorted(items, key=lambda p: p.reading.received_at)

    def accept(self, actor: User, pending_id: str) -> list[RecordedObservation]:
        """Store the reading in its case. Checks as for typed values; on failure it stays
        pending so the operator can read why and reject it."""
        p = self._pending_reading(pending_id)
        if p.case_id is None:
            raise _reading_not_found(pending_id)
        m = p.reading.measurement
        provenance = Provenance(
            source=ObservationSource.DEVICE,
            device_id=p.device_id,
            device_time=None if m.taken_at is None else _aware(m.taken_at),
            raw=p.reading.raw,
            parser_version=p.reading.parser_version,
        )
        recorded = self._cases.record_values(actor, p.case_id, p.values, provenance)
        self._drop_pending(p)
        return recorded

    def reject(self, actor: User, pending_id: str) -> None:
        require(actor, Permission.CAPTURE_CASE)
        self._drop_pending(self._pending_reading(pending_id))

    def _pending_reading(self, pending_id: str) -> PendingReading:
        with self._lock:
            p = self._pending.get(pending_id)
        if p is None:
            raise _reading_not_found(pending_id)
        return p

    def _drop_pending(self, p: PendingReading) -> None:
        with self._lock:
            self._pending.pop(p.id, None)
        self._notify(PendingChanged(p.case_id))

    # -- the device-events thread -------------------------------------------------------------

    def _on_event(self, event: Event) -> None:
        if isinstance(event, FinalReading):
            self._on_final(event.reading)
        self._notify(event)

    def _on_final(self, reading: DeviceReading) -> None:
        values = tuple(
            (r.code, r.value, r.unit)
            for r in reading.measurement.readings
            if r.code in vitals.VITALS
        )
        manager = self._manager
        status = None if manager is None else manager.status(reading.device_id)
        name = "" if status is None else status.spec.name
        summary = json.dumps([[c, v, u] for c, v, u in values])
        self._store.write(
            lambda db: devices_repo.touch(db, reading.device_id, reading.received_at, summary)
        )
        if not values:
            return
        # The same limits as for typed values, checked on arrival so the operator sees at once
        # that a reading cannot be kept (record_values checks again, with the patient's age).
        refusals = tuple(vitals.assess_reading(values)[1])
        with self._lock:
            p = PendingReading(
                new_id(), reading.device_id, name, reading, values, self._target, refusals
            )
            self._pending[p.id] = p
            while len(self._pending) > MAX_PENDING:
                del self._pending[next(iter(self._pending))]
        self._notify(PendingChanged(p.case_id))

    def _notify(self, event: ServiceEvent) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            listener(event)


def _simulated_scanner() -> Any:
    """The simulated radio's scanner backend in demo mode and tests, else None (the real one)."""
    if not os.environ.get("HWC_SPOKE_BLE_SIM"):
        return None
    try:
        from app.devices.simulators.ble_sim import SimScannerBackend
    except RuntimeError:  # SimulatorsDisabled: a clinic build never scans a simulator
        return None
    return SimScannerBackend


def summary_values(device: PairedDevice) -> list[Value]:
    """The last reading of a device as (code, value, unit), for the devices page."""
    try:
        return [(str(c), float(v), str(u)) for c, v, u in json.loads(device.last_reading or "[]")]
    except (ValueError, TypeError):
        return []


def _spec(d: PairedDevice) -> DeviceSpec:
    return DeviceSpec(d.id, DeviceKind(d.kind), d.name, d.address, dict(d.options))


def _with_case(p: PendingReading, case_id: CaseId) -> PendingReading:
    return replace(p, case_id=case_id)


def _aware(device_time: datetime) -> datetime:
    # Device clocks have no zone; they are set to the clinic's local time.
    return device_time.astimezone(UTC) if device_time.tzinfo is None else device_time


def _kind(kind: DeviceKind | str) -> str:
    try:
        return str(DeviceKind(kind))
    except ValueError:
        raise DomainError(
            "device.kind_unknown", f"Unknown device kind {kind!r}.", {"value": str(kind)}
        ) from None


def _required(value: str, code: str, field: str, what: str) -> str:
    text = nfc(" ".join(value.split()))
    if not text:
        raise DomainError(code, f"{what} is required.", field=field)
    return text


def _not_found(device_id: str) -> DomainError:
    return DomainError("device.not_found", "No such device.", {"id": device_id})


def _reading_not_found(pending_id: str) -> DomainError:
    return DomainError(
        "reading.not_found", "This reading is no longer waiting.", {"id": pending_id}
    )


__all__ = [
    "ConnectionState",
    "DeviceKind",
    "DeviceProblem",
    "DeviceReading",
    "DeviceService",
    "DeviceStatus",
    "LiveReading",
    "PendingChanged",
    "PendingReading",
    "ServiceEvent",
    "StatusChanged",
    "summary_values",
]
