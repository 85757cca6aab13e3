"""Background work for the GUI: ``Op`` runs a call on a worker, ``run_on_main`` comes back.

    Op(self, lambda: services.patients.search(user, text)) \\
        .success(self.show_results) \\
        .failure(self.on_search_failed) \\
        .run()

Threading rule: ``fn`` runs on a QThreadPool worker and must never touch a widget. The
success and failure callbacks run on the GUI thread. ``run_on_main`` is the ONE way back to
the GUI thread; it is safe to call from any thread (including the GUI thread itself, where
the call is queued, never run re-entrantly).

Failures: a failure callback that returns True has dealt with the error; otherwise (or with
no callback) the error is shown with ``app.ui.messages.show_error``. Errors without a code are
logged with their traceback; coded ones by code only (their text may hold patient data).

Cancel: ``with_progress(label, cancellable=True)`` shows a progress dialog after a short delay
with a Cancel button; when ``fn`` accepts one argument it receives a ``threading.Event`` that
is set on cancel, and should stop early. After a cancel neither success nor failure runs;
``cancelled(cb)`` runs instead.

If ``parent`` is destroyed while the work runs, the callbacks are dropped: the result has no
window left to go to.
"""

from __future__ import annotations

import inspect
import logging
import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

import shiboken6
from PySide6.QtCore import (
    QCoreApplication,
    QObject,
    QRunnable,
    Qt,
    QThread,
    QThreadPool,
    Signal,
)
from PySide6.QtWidgets import QProgressDialog, QWidget

log = logging.getLogger(__name__)

T = TypeVar("T")

PROGRESS_DELAY_MS = 400  # quick operations finish before the dialog would flash


class _Invoker(QObject):
    """Lives on the GUI thread; a queued signal carries callables to it."""

    invoke = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.invoke.connect(self._run, Qt.ConnectionType.QueuedConnection)

    def _run(self, fn: Callable[[], None]) -> None:
        fn()


_invoker: _Invoker | None = None
_invoker_lock = threading.Lock()


def _get_invoker() -> _Invoker:
    global _invoker
    with _invoker_lock:
        if _invoker is None or not shiboken6.isValid(_invoker):
            app = QCoreApplication.instance()
            if app is None:
                raise RuntimeError("run_on_main needs a QApplication")
            invoker = _Invoker()
            if invoker.thread() is not app.thread():
                # Created off the GUI thread: hand it over (allowed from its current thread).
                invoker.moveToThread(app.thread())
            _invoker = invoker
        return _invoker


def run_on_main(fn: Callable[[], None]) -> None:
    """Run ``fn`` on the GUI thread soon. Safe from any thread; never blocks."""
    _get_invoker().invoke.emit(fn)


def is_gui_thread() -> bool:
    app = QCoreApplication.instance()
    return app is not None and QThread.currentThread() is app.thread()


def _accepts_event(fn: Callable[..., Any]) -> bool:
    try:
        params = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return False
    positional = [
        p
        for p in params
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty
    ]
    return len(positional) == 1


# Ops in flight, kept alive until their result is delivered (and counted for screenshots).
_running: set[Op[Any]] = set()


def running_count() -> int:
    """How many Ops have started and not yet delivered their result (GUI thread)."""
    return len(_running)


class _Runnable(QRunnable):
    def __init__(self, body: Callable[[], None]) -> None:
        super().__init__()
        self._body = body
        self.setAutoDelete(True)

    def run(self) -> None:
        self._body()


class Op(Generic[T]):
    """One background call with GUI-thread callbacks; build it, then ``run()`` it once."""

    def __init__(self, parent: QWidget | None, fn: Callable[..., T]) -> None:
        self._parent = parent
        self._fn = fn
        self._on_success: Callable[[T], None] | None = None
        self._on_failure: Callable[[BaseException], bool | None] | None = None
        self._on_cancelled: Callable[[], None] | None = None
        self._progress_label: str | None = None
        self._cancellable = False
        self._cancel = threading.Event()
        self._dialog: QProgressDialog | None = None
        self._cancel_connected = False
        self._started = False

    def success(self, cb: Callable[[T], None]) -> Op[T]:
        self._on_success = cb
        return self

    def failure(self, cb: Callable[[BaseException], bool | None]) -> Op[T]:
        self._on_failure = cb
        return self

    def cancelled(self, cb: Callable[[], None]) -> Op[T]:
        self._on_cancelled = cb
        return self

    def with_progress(self, label: str, cancellable: bool = False) -> Op[T]:
        self._progress_label = label
        self._cancellable = cancellable
        return self

    def cancel(self) -> None:
        """Ask the work to stop (it sees the event if it takes one) and drop its result."""
        self._cancel.set()

    @property
    def cancel_event(self) -> threading.Event:
        return self._cancel

    def run(self) -> Op[T]:
        if self._started:
            raise RuntimeError("an Op runs once; build a new one")
        self._started = True
        _running.add(self)
        if self._progress_label is not None:
            self._show_progress()
        QThreadPool.globalInstance().start(_Runnable(self._work))
        return self

    # --- worker thread -------------------------------------------------------------------

    def _work(self) -> None:
        try:
            result = self._fn(self._cancel) if _accepts_event(self._fn) else self._fn()
        except Exception as exc:  # delivered to the GUI thread, shown or handled there
            error = exc
            run_on_main(lambda: self._deliver_failure(error))
        else:
            run_on_main(lambda: self._deliver_success(result))

    # --- GUI thread ----------------------------------------------------------------------

    def _show_progress(self) -> None:
        parent = self._parent if self._parent_alive() else None
        dialog = QProgressDialog(parent)
        dialog.setLabelText(self._progress_label or "")
        dialog.setRange(0, 0)  # busy indicator: services report no fractions yet
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(PROGRESS_DELAY_MS)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        if self._cancellable:
            dialog.setCancelButtonText(QCoreApplication.translate("tasks", "&Cancel"))
            dialog.canceled.connect(self._on_dialog_cancel)
            self._cancel_connected = True
        else:
            dialog.setCancelButton(None)  # type: ignore[arg-type]
        dialog.setValue(0)  # starts the minimum-duration timer
        self._dialog = dialog

    def _on_dialog_cancel(self) -> None:
        self._cancel.set()
        self._close_progress()

    def _close_progress(self) -> None:
        dialog, self._dialog = self._dialog, None
        if dialog is not None and shiboken6.isValid(dialog):
            if self._cancel_connected:
                # closing a QProgressDialog emits canceled(); that is not the user cancelling
                dialog.canceled.disconnect(self._on_dialog_cancel)
                self._cancel_connected = False
            dialog.close()
            dialog.deleteLater()

    def _parent_alive(self) -> bool:
        return self._parent is None or shiboken6.isValid(self._parent)

    def _finish(self) -> bool:
        """Common end; False when the result must be dropped (cancelled, parent gone)."""
        _running.discard(self)
        self._close_progress()
        if not self._parent_alive():
            return False
        if self._cancel.is_set():
            if self._on_cancelled is not None:
                self._on_cancelled()
            return False
        return True

    def _deliver_success(self, result: T) -> None:
        if self._finish() and self._on_success is not None:
            self._on_success(result)

    def _deliver_failure(self, exc: BaseException) -> None:
        if not self._finish():
            return
        code = getattr(exc, "code", None)
        if isinstance(code, str):
            log.info("operation failed: %s", code)
        else:
            log.error("operation failed", exc_info=exc)
        if self._on_failure is not None and self._on_failure(exc) is True:
            return
        from app.ui.messages import show_error  # late: messages imports widgets we don't need

        show_error(self._parent, exc)
