"""Op runs work off the GUI thread and delivers results and errors back on it."""

from __future__ import annotations

import threading

from PySide6.QtCore import QCoreApplication, QThread
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from app.domain.errors import DomainError
from app.ui.tasks import Op, run_on_main, running_count


def on_gui_thread() -> bool:
    app = QCoreApplication.instance()
    assert app is not None
    return QThread.currentThread() is app.thread()


def error_boxes() -> list[QMessageBox]:
    return [
        w
        for w in QApplication.topLevelWidgets()
        if isinstance(w, QMessageBox) and w.objectName() == "errorMessageBox" and w.isVisible()
    ]


def test_success_arrives_on_the_gui_thread_with_the_result(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    seen: dict[str, object] = {}

    def work() -> int:
        seen["worker_on_gui"] = on_gui_thread()
        return 42

    def done(value: int) -> None:
        seen["callback_on_gui"] = on_gui_thread()
        seen["value"] = value

    Op(parent, work).success(done).run()
    qtbot.waitUntil(lambda: "value" in seen)
    assert seen == {"worker_on_gui": False, "callback_on_gui": True, "value": 42}
    assert running_count() == 0


def test_unhandled_failure_is_shown_with_the_translated_text(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)

    def work() -> None:
        raise DomainError("auth.bad_credentials", "english text")

    Op(parent, work).run()
    qtbot.waitUntil(lambda: bool(error_boxes()))
    box = error_boxes()[-1]
    assert box.text() == "Wrong username or password."
    box.close()


def test_failure_callback_runs_on_the_gui_thread_and_can_handle_it(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    seen: list[tuple[str, bool]] = []

    def work() -> None:
        raise DomainError("store.locked", "busy")

    def failed(exc: BaseException) -> bool:
        seen.append((getattr(exc, "code", ""), on_gui_thread()))
        return True

    Op(parent, work).failure(failed).run()
    qtbot.waitUntil(lambda: bool(seen))
    assert seen == [("store.locked", True)]
    assert not error_boxes()


def test_failure_callback_returning_none_still_shows_the_error(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    seen: list[str] = []

    def work() -> None:
        raise DomainError("store.disk_full", "full", {"path": "x"})

    Op(parent, work).failure(lambda exc: seen.append("called")).run()
    qtbot.waitUntil(lambda: bool(error_boxes()))
    assert seen == ["called"]
    assert "disk is full" in error_boxes()[-1].text()
    error_boxes()[-1].close()


def test_run_on_main_from_a_worker_thread_runs_on_the_gui_thread(qtbot: QtBot) -> None:
    seen: list[bool] = []
    worker = threading.Thread(target=lambda: run_on_main(lambda: seen.append(on_gui_thread())))
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: bool(seen))
    assert seen == [True]


def test_cancel_sets_the_event_and_drops_the_result(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    started = threading.Event()
    outcome: list[str] = []
    got_event: list[bool] = []

    def work(cancel: threading.Event) -> str:
        got_event.append(isinstance(cancel, threading.Event))
        started.set()
        cancel.wait(10)
        return "stopped early" if cancel.is_set() else "ran out"

    op = (
        Op(parent, work)
        .with_progress("Working…", cancellable=True)
        .success(outcome.append)
        .cancelled(lambda: outcome.append("cancelled"))
        .run()
    )
    assert started.wait(10)
    op.cancel()
    qtbot.waitUntil(lambda: bool(outcome))
    assert outcome == ["cancelled"]
    assert got_event == [True]


def test_result_is_dropped_when_the_parent_is_gone(qtbot: QtBot) -> None:
    parent = QWidget()
    release = threading.Event()
    delivered: list[int] = []
    Op(parent, lambda: release.wait(10) and 1).success(delivered.append).run()
    parent.deleteLater()
    qtbot.waitUntil(lambda: not _alive(parent))
    release.set()
    qtbot.waitUntil(lambda: running_count() == 0)
    assert delivered == []


def _alive(widget: QWidget) -> bool:
    import shiboken6

    return bool(shiboken6.isValid(widget))
