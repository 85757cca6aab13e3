"""Device events on the GUI thread: one bridge per window, with Qt signals pages connect to.

The device service calls its listeners on its own events thread; this bridge re-emits each
event as a Qt signal, which Qt queues to the GUI thread because the bridge lives there.
Pages never poll a device and never wait on one.

Signals carry the service's plain objects: ``status_changed(DeviceStatus)``,
``live_reading(DeviceReading)``, ``pending_changed(case_id or None)``,
``problem(device_id, message)``.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QObject, Signal

from app.services.devices import (
    DeviceProblem,
    DeviceService,
    LiveReading,
    PendingChanged,
    ServiceEvent,
    StatusChanged,
)


class DeviceEvents(QObject):
    status_changed = Signal(object)
    live_reading = Signal(object)
    pending_changed = Signal(object)
    problem = Signal(str, str)

    def __init__(self, devices: DeviceService, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._remove = devices.add_listener(self._on_event)
        self.destroyed.connect(lambda *_: self._remove())

    def detach(self) -> None:
        """Stop listening (the window is closing)."""
        self._remove()

    def _on_event(self, event: ServiceEvent) -> None:
        # Runs on the device-events thread: only emit (signals are thread-safe, and queued).
        if not shiboken6.isValid(self):
            return
        if isinstance(event, StatusChanged):
            self.status_changed.emit(event.status)
        elif isinstance(event, LiveReading):
            self.live_reading.emit(event.reading)
        elif isinstance(event, PendingChanged):
            self.pending_changed.emit(event.case_id)
        elif isinstance(event, DeviceProblem):
            self.problem.emit(event.device_id, event.message)
