"""Entry point of the GUI: sign-in window, then the main window; sign out goes back.

Locking (Ctrl+L, the idle time) is the main window's own and keeps the window; "Sign in as
someone else…" on its lock page is a sign-out like the button's (``signed_out``): the login
window shows and the first person's window is thrown away.

``run_gui(services, ...)`` builds the QApplication (``app.ui.application``), shows the login
window and runs the event loop until the last window closes; it returns the exit code.

Language: ``language`` (``--lang`` / ``SPOKE_LANG``, None when neither is given) wins; else the
language saved on this PC (``services.preferences``, read once before the first window: one
small read, and there is no window yet to keep responsive); else English. Choosing a language
on the login window switches the translator at once, rebuilds the login window (keeping what
was typed, except passwords) and saves the choice through ``Op``.

Screenshot mode (``screenshot=path``): renders to a PNG with ``QWidget.grab()`` (works with
``QT_QPA_PLATFORM=offscreen``) and exits 0. Without credentials it renders the login window
once it knows which form to show. With ``SPOKE_SCREENSHOT_USER`` and
``SPOKE_SCREENSHOT_PASSWORD`` set it signs in, waits until the main window's pages have
finished their first loads (no ``Op`` in flight), and renders the main window. A failed sign-in
renders the login window with its message and exits 1.

``startup_probe``: print how long the process took to show a usable login window, then exit.
``probe_searches``: with the screenshot credentials, sign in and time that many searches on
the patients page, from the query to the results on screen (see ``app.ui.probe``).

Sync worker: when the main window opens, ``services.provisioning.after_sign_in(user)`` runs
through ``Op``: it takes the installer's provisioning file when there is one (docs/SYNC.md,
"Provisioning"), then starts the worker (which does nothing on a PC neither enrolled nor
holding a token); what an administrator should know of it is shown when it returns
(``app.ui.enrol_dialog.show_provisioning_outcome``). Signing out stops it
without waiting (``stop_worker(timeout=0)``: the round in progress is cancelled and its daemon
thread ends by itself), and leaving the program stops it with a short wait. The scheduled
backups' thread (``services.backup_schedule``) starts and stops with it.

GUI thread only (this is where the GUI thread starts).
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSize, Qt, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from app.domain.models import User
from app.ui import tasks
from app.ui.application import create_application, switch_language
from app.ui.enrol_dialog import show_provisioning_outcome
from app.ui.login import LoginWindow
from app.ui.main_window import MainWindow
from app.ui.session import Session
from app.ui.tasks import Op

if TYPE_CHECKING:
    from app.services.container import Services

log = logging.getLogger(__name__)

SCREENSHOT_SIZE = QSize(1366, 768)  # the commonest clinic laptop screen
SETTLE_POLL_MS = 50
SETTLE_POLLS = 4  # consecutive idle polls before the window counts as loaded
SETTLE_LIMIT_MS = 15_000


class Shell(QObject):
    """Owns the top-level windows and switches between sign-in and work."""

    def __init__(
        self, services: Services, demo_accounts: Sequence[tuple[str, str, str]] | None
    ) -> None:
        super().__init__()
        self.services = services
        self.demo_accounts = demo_accounts
        self.login: LoginWindow | None = None
        self.main: MainWindow | None = None
        self.size_override: QSize | None = None

    def show_login(self) -> LoginWindow:
        login = LoginWindow(self.services, self.demo_accounts)
        login.signed_in.connect(self.on_event_signed_in)
        login.language_chosen.connect(self.on_event_language_chosen)
        m = login.fontMetrics().height()
        login.resize(self.size_override or login.sizeHint().expandedTo(QSize(48 * m, 34 * m)))
        login.show()
        # A new version on its trial start is kept once its login window is usable
        # (docs/UPDATES.md); a state file write, so off the GUI thread.
        login.ready.connect(lambda: Op(login, self.services.updates.mark_started).run())
        self.login = login
        return login

    def on_event_language_chosen(self, language: str) -> None:
        """Switch to ``language`` now, rebuild the login window in it, and save the choice."""
        old = self.login
        lang = switch_language(language)
        login = self.show_login()  # first, so the application never has no window
        if old is not None:
            # What was typed survives the switch; passwords do not (they are typed again).
            for name in ("username", "setup_name", "setup_username"):
                getattr(login, name).setText(getattr(old, name).text())
            if self.size_override is None:
                login.setGeometry(old.geometry())
            old.close()
            old.deleteLater()

        def focus_language() -> None:
            login.language_combo.setFocus(Qt.FocusReason.OtherFocusReason)

        login.ready.connect(focus_language)  # the keyboard stays where the person was
        preferences = self.services.preferences
        Op(login, lambda: preferences.set_language(lang)).run()  # a failure is shown

    def on_event_signed_in(self, user: User) -> None:
        # The user name is not patient data; the display name stays out of the log anyway.
        log.info("signed in: %s (%s)", user.username, user.role)
        window = MainWindow(Session(user, self.services))
        window.signed_out.connect(self.on_event_signed_out)
        if self.size_override is not None:
            window.resize(self.size_override)
            window.show()
        else:
            window.showMaximized()
        self.main = window
        # The paired devices' drivers need the database, which a locked PC opens only now
        # (idempotent when they already run).
        Op(window, self.services.devices.start).failure(_devices_not_started).run()
        provisioning = self.services.provisioning
        (
            Op(window, lambda: provisioning.after_sign_in(user))
            .success(lambda outcome: show_provisioning_outcome(window, outcome))
            .failure(_worker_not_started)
            .run()
        )
        # Scheduled backups run while someone is signed in (the store is open): one daemon
        # thread that only starts here (cheap), never work on this thread.
        self.services.backup_schedule.start_worker()
        if self.login is not None:
            self.login.close()
            self.login.deleteLater()
            self.login = None

    def on_event_signed_out(self) -> None:
        log.info("signed out")
        window, self.main = self.main, None
        # Nobody is signed in: nothing new can be queued. Not waiting keeps sign-out instant.
        self.services.sync.stop_worker(timeout=0)
        self.services.backup_schedule.stop_worker(timeout=0)  # a backup running is cancelled
        login = self.show_login()  # first, so the application never has no window
        if window is not None:
            auth, user = self.services.auth, window.session.user
            Op(login, lambda: auth.logout(user)).run()  # the trail's entry, off this thread
            window.close()
            window.deleteLater()


def run_gui(
    services: Services,
    *,
    demo_accounts: Sequence[tuple[str, str, str]] | None,
    screenshot: Path | None,
    language: str | None,
    font_scale: float,
    startup_probe: bool = False,
    probe_searches: int = 0,
    process_start: float | None = None,
) -> int:
    saved = _saved_language(services) if not language else None
    app = create_application(language=language, saved_language=saved, font_scale=font_scale)
    shell = Shell(services, demo_accounts)
    if screenshot is not None or probe_searches:
        shell.size_override = SCREENSHOT_SIZE
    login = shell.show_login()

    if startup_probe:
        started = process_start if process_start is not None else time.perf_counter()

        def report() -> None:
            ms = (time.perf_counter() - started) * 1000
            print(f"startup: login window ready after {ms:.0f} ms", flush=True)
            if not probe_searches:
                app.exit(0)

        _when_ready(login, report)

    if screenshot is not None or probe_searches:
        user = os.environ.get("SPOKE_SCREENSHOT_USER", "")
        password = os.environ.get("SPOKE_SCREENSHOT_PASSWORD", "")
        if probe_searches and not user:
            print("probe-search needs SPOKE_SCREENSHOT_USER and _PASSWORD", file=sys.stderr)
            return 2
        if user:
            _when_ready(
                login,
                lambda: _sign_in_then(app, shell, user, password, screenshot, probe_searches),
            )
        elif screenshot is not None:
            target = screenshot
            _when_ready(login, lambda: _capture_later(app, login, target))

    code = app.exec()
    services.sync.stop_worker(timeout=2.0)
    services.backup_schedule.stop_worker(timeout=2.0)
    shell.main = None
    shell.login = None
    return int(code)


def _devices_not_started(exc: BaseException) -> bool:
    # Readings can still be typed in; the Devices page shows each device's state.
    log.warning("could not start the device drivers: %s", getattr(exc, "code", type(exc).__name__))
    return True


def _worker_not_started(exc: BaseException) -> bool:
    # No sync is not worth a pop-up at sign-in: the status bar says what the state is.
    log.warning("could not start the sync worker: %s", getattr(exc, "code", exc))
    return True


def _saved_language(services: Services) -> str | None:
    """The language saved on this PC; None (and a log line) if it cannot be read: a
    preference must never stop the program from starting."""
    try:
        return services.preferences.language()
    except Exception as exc:
        log.warning("could not read the saved language: %s", getattr(exc, "code", exc))
        return None


def _when_ready(login: LoginWindow, fn: Callable[[], None]) -> None:
    if login.is_ready():
        QTimer.singleShot(0, fn)
    else:
        login.ready.connect(fn)


def _sign_in_then(
    app: QApplication,
    shell: Shell,
    user: str,
    password: str,
    screenshot: Path | None,
    probe_searches: int,
) -> None:
    login = shell.login
    assert login is not None
    if login.mode() != LoginWindow.SIGN_IN:
        print("no accounts on this PC yet: cannot sign in for the screenshot", file=sys.stderr)
        if screenshot is not None:
            _save(login, screenshot)
        app.exit(1)
        return

    def failed() -> None:
        if login.is_busy() or not login.error_label.isVisible():
            return
        print(f"sign-in failed: {login.error_label.text()}", file=sys.stderr)
        if screenshot is not None:
            _save(login, screenshot)
        app.exit(1)

    def signed_in(_user: User) -> None:
        window = shell.main
        assert window is not None
        if probe_searches:
            from app.ui.probe import probe_searches as run_probe

            _after_settled(lambda: run_probe(app, window, probe_searches, screenshot))
        elif screenshot is not None:
            target = screenshot
            _after_settled(lambda: _capture_now(app, window, target))

    login.signed_in.connect(signed_in)
    login.username.setText(user)
    login.password.setText(password)
    login.submit_sign_in()
    if not login.is_busy():  # refused before any work (empty field)
        failed()
        return
    poll = QTimer(login)
    poll.setInterval(SETTLE_POLL_MS)
    poll.timeout.connect(failed)
    poll.start()


def _after_settled(fn: Callable[[], None]) -> None:
    """Call ``fn`` once no Op has been running for a few polls (pages have loaded)."""
    state = {"idle": 0, "waited": 0}
    timer = QTimer()

    def tick() -> None:
        state["waited"] += SETTLE_POLL_MS
        state["idle"] = state["idle"] + 1 if tasks.running_count() == 0 else 0
        if state["idle"] >= SETTLE_POLLS or state["waited"] >= SETTLE_LIMIT_MS:
            timer.stop()
            timer.deleteLater()
            fn()

    timer.setInterval(SETTLE_POLL_MS)
    timer.timeout.connect(tick)
    timer.start()


def _capture_later(app: QApplication, widget: QWidget, path: Path) -> None:
    _after_settled(lambda: _capture_now(app, widget, path))


def _capture_now(app: QApplication, widget: QWidget, path: Path) -> None:
    app.exit(0 if _save(widget, path) else 1)


def _save(widget: QWidget, path: Path) -> bool:
    path.parent.mkdir(parents=True, exist_ok=True)
    ok = widget.grab().save(str(path), "PNG")
    if ok:
        print(f"screenshot written to {path}", flush=True)
    else:
        print(f"could not write the screenshot to {path}", file=sys.stderr)
    return bool(ok)
