"""The main window: navigation on the left, the chosen page on the right, status at the bottom.

One ``MainWindow`` per signed-in ``Session``; signing out (the Sign out button) emits
``signed_out`` and the window is thrown away with everything the person had open (drafts are
kept first: an open registration form's ``keep_form`` is called; a case form saves itself when
hidden).

The session lock: Ctrl+L, or ``lock_after_minutes`` (``services.auth``, read through ``Op`` when
the window opens) with no keyboard or mouse input anywhere in the application, puts the lock
page (``app.ui.lock_screen.LockPage``) in front of everything: the pages, the navigation and
the status bar are hidden, not destroyed, so whatever was typed is there after unlocking; the
app's other windows (dialogs such as a half-typed registration form) are hidden and shown
again on unlock; the title says only "Locked". Only the same person's password unlocks it
(``auth.unlock`` through ``Op``: the login's throttle and messages). "Sign in as someone
else…" takes the normal sign-out path. Input is watched by an event filter on the
QApplication that restarts a single-shot timer; device readings and sync events are signals,
not input, so they never keep the session open. While locked the timer is stopped and the
other shortcuts are off.

Pages: Patients, Cases & queue, Prescriptions, Devices, Sync, Settings (Alt+1 .. Alt+6). The
clinical pages come from their own modules, imported when the window is built; a module that
is not there yet (``ImportError``) gives an honest placeholder and a warning in the log, and
any other error propagates. Pages that belong to later work are placeholders saying what
will come. Administrators look after accounts and settings, not patients, so their clinical
pages say so instead; their Settings section is the Staff accounts page
(``app.ui.users_page``), and it is where their window opens.

The window is the pages' ``Navigator`` (``app.ui.navigation``): ``open_patient``,
``open_case``, ``show_page``, ``register_patient``, ``status_message``. A page may offer
``title()``, ``page_activated()`` (called when it comes to the front) and, for the
detail views, ``load(id)``.

Shortcuts: Ctrl+F find a patient, Ctrl+N register a patient, Alt+1..6 pages, Ctrl+L lock (also
from the window's own dialogs: the event filter catches it there), F1 diagnostics (the
"Diagnostics…" button: field IT's checks and support bundle, for every role).

The status bar shows who is signed in, the sync state from ``SyncService.status`` ("Online —
last sync 09:41", "Offline since 09:12", "Not enrolled with a hub") and how many records and
photos wait to be synced. It is read through ``Op`` every ``PENDING_REFRESH_MS``, after every
sync round (``SyncEvents.report``, whoever ran it) and after every status message (they follow
saves, such as a queued case). The Sync section is ``app.ui.sync_page.SyncPage``. When a
scheduled backup failed or is overdue, the side panel says so above Diagnostics…
(``app.ui.backup_schedule_box.BackupStatusLabel``).
GUI thread only.
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QCoreApplication,
    QEvent,
    QObject,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QCloseEvent, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.ids import CaseId, PatientId
from app.ui import navigation as nav
from app.ui.backup_schedule_box import BackupStatusLabel
from app.ui.lock_screen import LockPage
from app.ui.messages import error_text, role_name
from app.ui.session import Session
from app.ui.sync_events import SyncEvents
from app.ui.sync_page import ONLINE_COLOURS, connection_text, pending_text
from app.ui.tasks import Op
from app.ui.widgets.placeholder import PlaceholderPage

if TYPE_CHECKING:
    from app.domain.models import User
    from app.services.sync import SyncStatus

log = logging.getLogger(__name__)

PENDING_REFRESH_MS = 15_000
DEFAULT_LOCK_AFTER_MINUTES = 5  # until the setting has been read
LOCK_RECORD_WAIT_S = 5.0

# What counts as someone at the PC. Only input: timers, device readings and sync rounds arrive
# as signals and never as these.
ACTIVITY_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TouchUpdate,
        QEvent.Type.TabletPress,
    }
)

_CTX = "MainWindow"

PAGE_TITLES: dict[str, str] = {
    nav.PATIENTS: QT_TRANSLATE_NOOP("MainWindow", "Patients"),
    nav.CASES: QT_TRANSLATE_NOOP("MainWindow", "Cases & queue"),
    nav.PRESCRIPTIONS: QT_TRANSLATE_NOOP("MainWindow", "Prescriptions"),
    nav.DEVICES: QT_TRANSLATE_NOOP("MainWindow", "Devices"),
    nav.SYNC: QT_TRANSLATE_NOOP("MainWindow", "Sync"),
    nav.SETTINGS: QT_TRANSLATE_NOOP("MainWindow", "Settings"),
}

# What each later page will do, said plainly so nobody goes looking for a missing feature.
COMING: dict[str, str] = {
    nav.SYNC: QT_TRANSLATE_NOOP(
        "MainWindow",
        "Here you will enrol this PC with its hub, see what is waiting to be sent, and when "
        "the last sync succeeded. Until then, cases you queue are kept safely on this PC.",
    ),
    nav.SETTINGS: QT_TRANSLATE_NOOP(
        "MainWindow",
        "Here the administrator will manage staff accounts, the interface language, the text "
        "size and the clinic's details.",
    ),
}

# The clinical pages and the modules that hold them: (module, class).
CLINICAL_PAGES: dict[str, tuple[str, str]] = {
    nav.PATIENTS: ("app.ui.patients_page", "PatientsPage"),
    nav.CASES: ("app.ui.cases_page", "CasesPage"),
    nav.PRESCRIPTIONS: ("app.ui.prescriptions_page", "PrescriptionsPage"),
}
# Pages every role gets (the page itself hides what a role may not do).
SHARED_PAGES: dict[str, tuple[str, str]] = {
    nav.DEVICES: ("app.ui.devices_page", "DevicesPage"),
    nav.SYNC: ("app.ui.sync_page", "SyncPage"),
}
# What an administrator's Settings section holds (staff accounts).
ADMIN_SETTINGS_PAGE = ("app.ui.users_page", "UsersPage")
PATIENT_VIEW = ("app.ui.patient_page", "PatientView")
CASE_FORM = ("app.ui.case_form", "CaseForm")


def _t(text: str) -> str:
    return QCoreApplication.translate(_CTX, text)


def _load_class(module: str, name: str) -> type[Any] | None:
    """The page class, or None while its module has not been written yet.

    Only an ImportError is treated as "not there yet" (and logged); a page that exists but
    fails while being built raises, so a real bug is never hidden behind a placeholder.
    """
    try:
        return getattr(importlib.import_module(module), name)  # type: ignore[no-any-return]
    except ImportError as exc:
        log.warning("page %s.%s not available: %s", module, name, exc)
        return None


class MainWindow(QMainWindow):
    signed_out = Signal()
    locked = Signal()
    unlocked = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("MainWindow")
        self.session = session
        self._pending: int | None = None
        self.sync_status: SyncStatus | None = None
        self._pending_in_flight = False
        self._pending_again = False
        self._detail: dict[tuple[str, str], QWidget] = {}
        self._locked = False
        self._lock_recorded = threading.Event()  # set once the lock's entry is written
        self._lock_recorded.set()
        self._title = self.tr("HWC Spoke")  # the title while unlocked
        self._hidden_windows: list[QWidget] = []
        self._focus_before_lock: QWidget | None = None
        self._filtering = False
        self.setWindowTitle(self._title)

        self.stack = QStackedWidget()
        self.stack.setObjectName("pages")
        self.pages: dict[str, QWidget] = {}
        self.nav_list = QListWidget()
        self.nav_list.setObjectName("navigation")
        self.nav_list.setAccessibleName(self.tr("Sections"))
        for number, key in enumerate(nav.PAGE_KEYS, start=1):
            page = self._build_page(key)
            self.pages[key] = page
            self.stack.addWidget(page)
            item = QListWidgetItem(_t(PAGE_TITLES[key]))
            item.setData(Qt.ItemDataRole.UserRole, key)
            item.setToolTip(self.tr("Alt+%1").replace("%1", str(number)))
            # Row height from the font (style-sheet padding does not grow list rows).
            item.setSizeHint(QSize(0, int(self.fontMetrics().height() * 2.0)))
            self.nav_list.addItem(item)
        self.nav_list.currentRowChanged.connect(self._on_nav_row_changed)

        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self._build_side_panel())
        page_frame = QFrame()
        page_layout = QVBoxLayout(page_frame)
        m = self.fontMetrics().height()
        page_layout.setContentsMargins(m, m // 2, m, m // 2)
        page_layout.addWidget(self.stack)
        row.addWidget(page_frame, 1)
        # The work and the lock page: locking swaps them, the work stays as it was.
        self.lock_page = LockPage(session.user.display_name)
        self.lock_page.unlock_requested.connect(self._unlock_with)
        self.lock_page.switch_user_requested.connect(self.sign_in_as_someone_else)
        self.screens = QStackedWidget()
        self.screens.setObjectName("screens")
        self.work = central
        self.screens.addWidget(central)
        self.screens.addWidget(self.lock_page)
        self.setCentralWidget(self.screens)

        self._build_status_bar()
        self._build_shortcuts()

        self._pending_timer = QTimer(self)
        self._pending_timer.setInterval(PENDING_REFRESH_MS)
        self._pending_timer.timeout.connect(self.refresh_pending)
        self._pending_timer.start()
        # Every sync round, the worker's or a person's, changes what the status bar says.
        self.sync_events = SyncEvents(session.services.sync, self)
        self.sync_events.report.connect(lambda _report: self.refresh_pending())

        self._idle_timer = QTimer(self)
        self._idle_timer.setSingleShot(True)
        self._idle_timer.setTimerType(Qt.TimerType.PreciseTimer)  # one timer: cheap, exact
        self._idle_timer.setInterval(DEFAULT_LOCK_AFTER_MINUTES * 60_000)
        self._idle_timer.timeout.connect(self.lock)
        self._start_watching()
        auth = session.services.auth
        (
            Op(self, auth.lock_after_minutes)
            .success(self.set_lock_after_minutes)
            .failure(self._on_lock_setting_failed)
            .run()
        )

        self.nav_list.setCurrentRow(nav.PAGE_KEYS.index(self.landing_key()))
        self.refresh_pending()

    # --- building ----------------------------------------------------------------------------

    def _build_page(self, key: str) -> QWidget:
        title = _t(PAGE_TITLES[key])
        if key in CLINICAL_PAGES:
            if not self.session.is_clinical:
                return PlaceholderPage(
                    title,
                    self.tr(
                        "Patient records are for clinical staff. Your account "
                        "(administrator) looks after staff accounts and settings."
                    ),
                    self.tr("Sign in with a paramedic or doctor account to see patients."),
                )
            cls = _load_class(*CLINICAL_PAGES[key])
            if cls is None:
                return PlaceholderPage(
                    title,
                    self.tr("This page is not part of this build yet."),
                    self.tr("Not available yet."),
                )
            page: QWidget = cls(self.session, self)
            return page
        if key in SHARED_PAGES:
            shared_cls = _load_class(*SHARED_PAGES[key])
            if shared_cls is not None:
                shared_page: QWidget = shared_cls(self.session, self)
                return shared_page
        if key == nav.SETTINGS and self.session.manages_accounts:
            users_cls = _load_class(*ADMIN_SETTINGS_PAGE)
            if users_cls is not None:
                users_page: QWidget = users_cls(self.session, self)
                return users_page
        return PlaceholderPage(title, _t(COMING[key]), self.tr("Not available yet."))

    def landing_key(self) -> str:
        """The section the window opens on: patients for clinical staff, staff accounts
        (under Settings) for an administrator."""
        return nav.PATIENTS if self.session.is_clinical else nav.SETTINGS

    def _build_side_panel(self) -> QWidget:
        panel = QFrame()
        panel.setObjectName("sidePanel")
        layout = QVBoxLayout(panel)
        m = self.fontMetrics().height()
        layout.setContentsMargins(0, m // 2, 0, m // 2)
        layout.setSpacing(m // 2)
        brand = QLabel(self.tr("HWC Spoke"))
        brand.setObjectName("heading2")
        font = brand.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        brand.setFont(font)
        brand.setContentsMargins(m, 0, m, 0)
        layout.addWidget(brand)
        # Width from the longest title, so a larger font or Hindi never cuts a name off.
        widest = max(
            self.nav_list.fontMetrics().horizontalAdvance(self.nav_list.item(i).text())
            for i in range(self.nav_list.count())
        )
        self.nav_list.setFixedWidth(widest + 4 * m)
        self.nav_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout.addWidget(self.nav_list, 1)
        self.sign_out_button = QPushButton(self.tr("Sign &out"))
        self.sign_out_button.setObjectName("signOutButton")
        self.sign_out_button.setToolTip(
            self.tr("Sign out: the next person signs in. To step away, lock instead (Ctrl+L).")
        )
        self.sign_out_button.clicked.connect(self.sign_out)
        self.lock_button = QPushButton(self.tr("Loc&k"))
        self.lock_button.setObjectName("lockButton")
        self.lock_button.setToolTip(
            self.tr("Lock the screen while you step away; your password opens it (Ctrl+L)")
        )
        self.lock_button.clicked.connect(self.lock)
        bottom = QVBoxLayout()
        bottom.setContentsMargins(m // 2, 0, m // 2, 0)
        # Field IT's checks and the support bundle: no clinical data, so every role (F1).
        self.diagnostics_button = QPushButton(self.tr("Diagnostics…"))
        self.diagnostics_button.setObjectName("diagnosticsButton")
        self.diagnostics_button.setToolTip(
            self.tr("What is wrong on this PC and what to do; a support bundle for field IT (F1)")
        )
        self.diagnostics_button.clicked.connect(self.open_diagnostics)
        # Shown only when the scheduled backup failed or is overdue (a drive to plug in).
        self.backup_notice = BackupStatusLabel(self.session)
        bottom.addWidget(self.backup_notice)
        bottom.addWidget(self.diagnostics_button)
        bottom.addWidget(self.lock_button)
        bottom.addWidget(self.sign_out_button)
        layout.addLayout(bottom)
        return panel

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        user = self.session.user
        self.user_label = QLabel(
            self.tr("Signed in: %1 (%2)")
            .replace("%1", user.display_name)
            .replace("%2", role_name(str(user.role)))
        )
        self.user_label.setObjectName("userLabel")
        self.sync_state_label = QLabel(self.tr("Sync: …"))
        self.sync_state_label.setObjectName("offlineBadge")  # amber until known to be online
        self.sync_state_label.setToolTip(
            self.tr("Everything is saved on this PC. The Sync section (Alt+5) shows more.")
        )
        self.pending_label = QLabel(self.tr("Waiting to sync: …"))
        self.pending_label.setObjectName("pendingLabel")
        bar.addPermanentWidget(self.user_label)
        bar.addPermanentWidget(self.sync_state_label)
        bar.addPermanentWidget(self.pending_label)

    def _build_shortcuts(self) -> None:
        self._shortcuts: list[QShortcut] = []

        def add(sequence: QKeySequence | str, slot: Callable[[], None]) -> None:
            shortcut = QShortcut(QKeySequence(sequence), self)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(slot)
            self._shortcuts.append(shortcut)

        add(QKeySequence.StandardKey.Find, self.find_patient)
        add(QKeySequence.StandardKey.New, self.register_patient)
        add("Ctrl+L", self.lock)
        add("F1", self.open_diagnostics)
        for number, key in enumerate(nav.PAGE_KEYS, start=1):
            add(f"Alt+{number}", lambda key=key: self.show_page(key))  # type: ignore[misc]

    # --- navigation (the Navigator protocol) -------------------------------------------------

    def show_page(self, key: str) -> None:
        if key not in self.pages:
            raise KeyError(key)
        self._select_section(key)
        page = self.pages[key]
        self.stack.setCurrentWidget(page)
        self._activate(page)

    def current_key(self) -> str | None:
        """The navigation page in front, or None when a patient or case view is."""
        widget = self.stack.currentWidget()
        for key, page in self.pages.items():
            if page is widget:
                return key
        return None

    def open_patient(self, pid: PatientId) -> None:
        self._open_detail(PATIENT_VIEW, nav.PATIENTS, str(pid))

    def open_case(self, cid: CaseId) -> None:
        self._open_detail(CASE_FORM, nav.CASES, str(cid))

    def register_patient(self) -> None:
        if not self.session.is_clinical:
            self.status_message(self.tr("Only clinical staff can register patients."))
            return
        self.show_page(nav.PATIENTS)
        page = self.pages[nav.PATIENTS]
        opener = getattr(page, "open_registration", None)
        if callable(opener):
            opener()
        else:
            self.status_message(self.tr("Registration is not available in this build yet."))

    def find_patient(self) -> None:
        """Ctrl+F: bring the patients page forward with its search box focused."""
        self.show_page(nav.PATIENTS)
        page = self.pages[nav.PATIENTS]
        search = getattr(page, "search_edit", None)
        if isinstance(search, QWidget):
            search.setFocus(Qt.FocusReason.ShortcutFocusReason)
            selector = getattr(search, "selectAll", None)
            if callable(selector):
                selector()

    def status_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 8000)
        self.refresh_pending()  # messages follow saves: the count has likely changed

    def open_diagnostics(self) -> None:
        """Help → Diagnostics (F1): the checks and the support bundle (diagnostics_dialog)."""
        from app.ui.diagnostics_dialog import DiagnosticsDialog

        dialog = DiagnosticsDialog(self.session.services, self, user=self.session.user)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.diagnostics_dialog = dialog
        dialog.open()

    def sign_out(self) -> None:
        self._keep_drafts()
        self._stop_watching()
        self._pending_timer.stop()
        self.sync_events.detach()
        self.signed_out.emit()

    # --- the session lock --------------------------------------------------------------------

    def is_locked(self) -> bool:
        return self._locked

    def lock(self) -> None:
        """Put the lock page in front of everything (Ctrl+L, or no input for a while)."""
        if self._locked:
            return
        self._locked = True
        self._idle_timer.stop()
        focus = QApplication.focusWidget()
        self._focus_before_lock = focus if focus is not None and self._owns(focus) else None
        popup = QApplication.activePopupWidget()
        if popup is not None:
            popup.close()
        self._hidden_windows = [
            w
            for w in QApplication.topLevelWidgets()
            if w is not self and w.isVisible() and self._owns(w)
        ]
        for window in self._hidden_windows:
            window.hide()
        for shortcut in self._shortcuts:
            shortcut.setEnabled(False)
        self.lock_page.reset()
        self.screens.setCurrentWidget(self.lock_page)
        self.statusBar().hide()
        self.setWindowTitle(self.tr("Locked — HWC Spoke"))
        self.lock_page.focus_password()
        auth, user = self.session.services.auth, self.session.user
        recorded = threading.Event()
        self._lock_recorded = recorded

        def record_lock() -> None:
            try:
                auth.lock(user)
            finally:
                recorded.set()

        Op(self, record_lock).failure(_not_recorded).run()
        self.locked.emit()

    def _unlock_with(self, password: str) -> None:
        auth, user = self.session.services.auth, self.session.user
        recorded = self._lock_recorded

        def unlock() -> User:
            # Two workers: the trail must not say "unlock" before the "lock" it ends (the
            # wait is on the worker, and bounded: a stuck write must not keep anyone out).
            recorded.wait(LOCK_RECORD_WAIT_S)
            return auth.unlock(user, password)

        (Op(self, unlock).success(self._on_unlocked).failure(self._on_unlock_failed).run())

    def _on_unlocked(self, _user: User) -> None:
        if not self._locked:
            return
        self._locked = False
        self.lock_page.reset()
        self.screens.setCurrentWidget(self.work)
        self.statusBar().show()
        self.setWindowTitle(self._title)
        for shortcut in self._shortcuts:
            shortcut.setEnabled(True)
        # A case form lets go of device readings when hidden: it is theirs again.
        view = self.stack.currentWidget()
        readings, case_id = getattr(view, "device_readings", None), getattr(view, "case_id", None)
        set_case = getattr(readings, "set_case", None)
        if case_id is not None and callable(set_case):
            set_case(case_id)
        windows, self._hidden_windows = self._hidden_windows, []
        for window in windows:
            if shiboken6.isValid(window):
                window.show()
                window.raise_()
                window.activateWindow()
        focus, self._focus_before_lock = self._focus_before_lock, None
        if focus is not None and shiboken6.isValid(focus) and focus.isVisible():
            focus.setFocus(Qt.FocusReason.OtherFocusReason)
        self._idle_timer.start()
        self.refresh_pending()
        self.unlocked.emit()

    def _on_unlock_failed(self, exc: BaseException) -> bool:
        self.lock_page.show_error(error_text(exc))
        return True

    def sign_in_as_someone_else(self) -> None:
        """From the lock page: the normal sign-out (drafts kept), then the login window."""
        self.sign_out()

    def set_lock_after_minutes(self, minutes: int) -> None:
        """How long without input before locking (from ``auth.lock_after_minutes``)."""
        self.set_lock_after_ms(max(1, int(minutes)) * 60_000)

    def set_lock_after_ms(self, ms: int) -> None:
        self._idle_timer.setInterval(max(1, ms))
        if not self._locked and self._filtering:
            self._idle_timer.start()

    def lock_after_ms(self) -> int:
        return self._idle_timer.interval()

    def idle_remaining_ms(self) -> int:
        """Milliseconds until the idle lock, or -1 when the timer is stopped (locked)."""
        return self._idle_timer.remainingTime() if self._idle_timer.isActive() else -1

    def _on_lock_setting_failed(self, exc: BaseException) -> bool:
        # The default stays: a setting that cannot be read never leaves the PC unlocked.
        log.warning("could not read the lock time: %s", getattr(exc, "code", exc))
        return True

    def _start_watching(self) -> None:
        app = QApplication.instance()
        if app is not None and not self._filtering:
            app.installEventFilter(self)
            self._filtering = True
            self._idle_timer.start()

    def _stop_watching(self) -> None:
        self._idle_timer.stop()
        app = QApplication.instance()
        if app is not None and self._filtering:
            app.removeEventFilter(self)
        self._filtering = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind not in ACTIVITY_EVENTS or self._locked:
            return False
        self._idle_timer.start()  # someone is here: the count starts again
        if (
            kind == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_L
            and event.modifiers() == Qt.KeyboardModifier.ControlModifier
            and isinstance(watched, QWidget)
            and watched.window() is not self
            and self._owns(watched)
        ):
            # Ctrl+L in one of this window's dialogs (the window's own shortcut is not
            # active there).
            self.lock()
            return True
        return False

    def _owns(self, widget: QWidget) -> bool:
        """True when ``widget`` is this window or lies in it or in one of its dialogs."""
        current: QObject | None = widget
        while current is not None:
            if current is self:
                return True
            current = current.parent()
        return False

    def _keep_drafts(self) -> None:
        """Save what is half-typed in open forms before the window goes."""
        for widget in self.findChildren(QDialog):
            keep = getattr(widget, "keep_form", None)
            # Only forms still open: a closed one has kept or discarded its draft itself.
            open_now = widget.isVisible() or widget in self._hidden_windows
            if callable(keep) and open_now:
                keep()

    # --- internals ---------------------------------------------------------------------------

    def _on_nav_row_changed(self, row: int) -> None:
        if 0 <= row < len(nav.PAGE_KEYS):
            page = self.pages[nav.PAGE_KEYS[row]]
            self.stack.setCurrentWidget(page)
            self._activate(page)

    def _select_section(self, key: str) -> None:
        """Highlight ``key`` in the list without the list switching pages itself."""
        row = nav.PAGE_KEYS.index(key)
        if self.nav_list.currentRow() != row:
            self.nav_list.blockSignals(True)
            self.nav_list.setCurrentRow(row)
            self.nav_list.blockSignals(False)

    def _activate(self, page: QWidget) -> None:
        title = getattr(page, "title", None)
        if callable(title):
            self._title = self.tr("%1 — HWC Spoke").replace("%1", str(title()))
            if not self._locked:  # a page's title may name a patient: not on a locked screen
                self.setWindowTitle(self._title)
        activated = getattr(page, "page_activated", None)
        if callable(activated):
            activated()

    def _open_detail(self, spec: tuple[str, str], section: str, record_id: str) -> None:
        """Show the patient view or case form for one record, under its navigation section."""
        view = self._detail.get(spec)
        if view is None:
            cls = _load_class(*spec)
            if cls is None:
                self.status_message(self.tr("This view is not part of this build yet."))
                return
            view = cls(self.session, self)
            self._detail[spec] = view
            self.stack.addWidget(view)
        load = getattr(view, "load", None)
        if callable(load):
            load(record_id)
        self._select_section(section)
        self.stack.setCurrentWidget(view)
        self._activate(view)

    def refresh_pending(self) -> None:
        """Re-read how many records wait to be synced (off the GUI thread)."""
        if self._pending_in_flight:
            # A round ended during this read: read once more after it, or the bar would
            # show the state from before the round until the next tick.
            self._pending_again = True
            return
        self._pending_in_flight = True
        self._pending_again = False
        sync, user = self.session.services.sync, self.session.user
        (
            Op(self, lambda: sync.status(user))
            .success(self._on_status_read)
            .failure(self._on_pending_failed)
            .run()
        )

    def _on_status_read(self, status: SyncStatus) -> None:
        self._pending_in_flight = False
        self._pending = status.pending_total
        self.sync_status = status
        self.sync_state_label.setText(connection_text(status))
        if status.online:
            bg, fg = ONLINE_COLOURS
            self.sync_state_label.setStyleSheet(f"QLabel {{ background: {bg}; color: {fg}; }}")
        else:
            self.sync_state_label.setStyleSheet("")  # the application's amber offlineBadge
        self.pending_label.setText(pending_text(status))
        if self._pending_again:
            self.refresh_pending()

    def _on_pending_failed(self, exc: BaseException) -> bool:
        # A status read failing is not worth a pop-up; the next tick tries again.
        self._pending_in_flight = False
        self._pending_again = False
        self.pending_label.setText(self.tr("Waiting to sync: unknown"))
        log.warning("could not count pending sync records: %s", getattr(exc, "code", exc))
        return True

    def pending_count(self) -> int | None:
        """The last count read, or None before the first read finishes."""
        return self._pending

    def closeEvent(self, event: QCloseEvent) -> None:
        self._stop_watching()
        self._pending_timer.stop()
        self.sync_events.detach()
        self.backup_notice.events.detach()
        super().closeEvent(event)


def _not_recorded(exc: BaseException) -> bool:
    # The lock itself never waits on the trail: a failure is logged, not shown.
    log.warning("could not record the lock: %s", getattr(exc, "code", exc))
    return True
