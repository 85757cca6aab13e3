"""Sync events on the GUI thread: a bridge that re-emits sync reports as Qt signals.

``SyncService`` calls its report listeners on the thread that ran the round (the sync worker's,
or the pool thread of a person's "Sync now"). This bridge lives on the GUI thread, so Qt queues
its signals there: ``report(SyncReport)`` after every round, and ``progress(phase, done,
total)`` for a round whose ``progress`` callback is ``emit_progress``. Nothing here touches a
widget, and pages never poll the worker.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QObject, Signal

if TYPE_CHECKING:
    from app.services.sync import SyncReport, SyncService


class SyncEvents(QObject):
    report = Signal(object)
    progress = Signal(str, int, int)

    def __init__(self, sync: SyncService, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._remove = sync.add_listener(self._on_report)
        self.destroyed.connect(lambda *_: self._remove())

    def detach(self) -> None:
        """Stop listening (the window is closing)."""
        self._remove()

    def _on_report(self, report: SyncReport) -> None:
        # Runs on the round's thread: only emit (signals are thread-safe, and queued).
        if shiboken6.isValid(self):
            self.report.emit(report)

    def emit_progress(self, phase: str, done: int, total: int) -> None:
        """A ``progress`` callback for ``SyncService.run_once``; any thread."""
        if shiboken6.isValid(self):
            self.progress.emit(phase, done, total)
