"""Enrolling from the Sync page, by keyboard, against a real hub over loopback HTTPS: a good
token enrols and starts syncing, a used one and one pinned to another hub are refused in
words, a mistyped one never leaves the dialog, Cancel while the hub is contacted drops the
late answer, and only field IT sees the button."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from app.domain import enrolment as token_format
from app.domain.models import User
from app.services.container import Services
from app.services.seed import seed
from app.ui import tasks
from app.ui.application import create_application
from app.ui.enrol_dialog import EnrolDialog
from app.ui.session import Session
from app.ui.sync_page import SyncPage
from hub.enrolment import issue_token
from tests.navigator import RecordingNavigator
from tests.tls_hub import TlsHub, running_tls_hub
from tests.ui.test_login import _clipped

WAIT_MS = 20_000
FACILITY = "HWC Kheri"


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[TlsHub]:
    with running_tls_hub(tmp_path) as running:
        yield running


@pytest.fixture
def spoke(services: Services) -> Iterator[Services]:
    seed(services, patients=2, cases=1, queued=True)
    try:
        yield services
    finally:
        services.sync.stop_worker()  # the dialog starts it after enrolling


def activate(qtbot: QtBot, window: QWidget) -> None:
    # Mnemonics and Enter reach only the active window.
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)


def make_page(
    qtbot: QtBot, session: Session, navigator: RecordingNavigator | None = None
) -> SyncPage:
    page = SyncPage(session, navigator or RecordingNavigator())
    qtbot.addWidget(page)
    page.resize(1000, 700)
    page.show()
    qtbot.waitExposed(page)
    activate(qtbot, page)
    loaded(qtbot, page)
    return page


def loaded(qtbot: QtBot, page: SyncPage) -> None:
    qtbot.waitUntil(lambda: page.status is not None and not page.is_loading(), timeout=WAIT_MS)


def open_dialog(qtbot: QtBot, page: SyncPage) -> EnrolDialog:
    assert page.enrol_button.isVisible()
    qtbot.keyClick(page, Qt.Key.Key_E, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: page.dialog is not None and page.dialog.isVisible(), timeout=WAIT_MS)
    dialog = page.dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    activate(qtbot, dialog)
    assert dialog.token_edit.hasFocus()
    return dialog


def paste(qtbot: QtBot, dialog: EnrolDialog, text: str) -> None:
    QGuiApplication.clipboard().setText(text)
    dialog.token_edit.selectAll()
    qtbot.keyClick(dialog.token_edit, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)


def as_typed(token: str) -> str:
    """The token the way a person might paste it: small letters, groups split by spaces and a
    line break."""
    address, _, groups = token.partition("/")
    parts = groups.lower().split("-")
    return f"{address}/ {' '.join(parts[:5])}\n{'-'.join(parts[5:])}"


def press_enter(qtbot: QtBot, dialog: EnrolDialog) -> None:
    qtbot.keyClick(QApplication.focusWidget() or dialog, Qt.Key.Key_Return)


def test_field_it_pastes_a_token_and_the_pc_is_enrolled(
    qtbot: QtBot, spoke: Services, admin: User, hub: TlsHub, tmp_path: Path
) -> None:
    navigator = RecordingNavigator()
    page = make_page(qtbot, Session(admin, spoke), navigator)
    assert page.enrol_help.isVisible()
    assert "Enrol this PC" in page.enrol_help.text()
    dialog = open_dialog(qtbot, page)
    assert not dialog.enrol_button.isEnabled()

    paste(qtbot, dialog, as_typed(hub.token()))
    assert "\n" not in dialog.token_edit.text()
    assert dialog.enrol_button.isEnabled()
    assert dialog.token_note_text() == f"A complete token for the hub at {hub.server.url}."

    enrolled: list[object] = []
    dialog.enrolled.connect(enrolled.append)
    press_enter(qtbot, dialog)
    # Enrolling: the fields wait, Cancel stays usable (the answer comes on the event loop).
    assert dialog.is_busy()
    assert not dialog.token_edit.isEnabled() and not dialog.enrol_button.isEnabled()
    assert dialog.cancel_button.isEnabled() and dialog.cancel_button.hasFocus()
    assert dialog.progress_bar.isVisible()
    assert hub.server.url in dialog.progress_label.text()

    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=WAIT_MS)
    assert len(enrolled) == 1
    assert spoke.sync.is_enrolled()
    assert spoke.sync.hub_url() == hub.server.url
    loaded(qtbot, page)
    expected = f"Enrolled with {FACILITY} at HWC Hub ({hub.server.url})"
    assert navigator.messages[-1] == expected
    assert page.hub_value.text() == f"HWC Hub ({hub.server.url})"
    assert page.clinic_value.isVisible() and page.clinic_value.text() == FACILITY
    assert not page.enrol_button.isVisible() and not page.enrol_help.isVisible()
    assert page.sync_button.isEnabled()
    # The keyboard goes on to Sync now (the window is activated again by the window manager).
    qtbot.waitUntil(lambda: page.focusWidget() is page.sync_button, timeout=WAIT_MS)

    # The worker was started and nudged: what waited is sent without anyone asking.
    assert spoke.sync.worker_running()
    qtbot.waitUntil(
        lambda: page.status is not None and page.status.pending_total == 0, timeout=WAIT_MS
    )
    assert page.connection_value.text().startswith("Online")
    assert page.grab().save(str(tmp_path / "sync_page_enrolled.png"))


def test_a_used_token_is_refused_in_words_and_the_dialog_stays(
    qtbot: QtBot, spoke: Services, admin: User, hub: TlsHub
) -> None:
    token = hub.token()
    hub.store.redeem_enrol_token(token_format.decode(token).secret, "s" * 40)  # another PC
    page = make_page(qtbot, Session(admin, spoke))
    dialog = open_dialog(qtbot, page)
    paste(qtbot, dialog, token)
    press_enter(qtbot, dialog)
    qtbot.waitUntil(lambda: dialog.error() != "", timeout=WAIT_MS)
    assert "already used" in dialog.error()
    assert hub.server.url in dialog.error()
    assert dialog.isVisible() and not dialog.is_busy()
    assert dialog.token_edit.isEnabled() and dialog.token_edit.hasFocus()
    assert not dialog.progress_bar.isVisible()
    assert not spoke.sync.is_enrolled()

    # Escape closes it; the page still offers enrolment, with the keyboard back on its button.
    qtbot.keyClick(dialog.token_edit, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=WAIT_MS)
    loaded(qtbot, page)
    assert page.enrol_button.isVisible() and page.focusWidget() is page.enrol_button


def test_a_token_pinned_to_another_hub_warns_of_interception_and_enrols_nothing(
    qtbot: QtBot, spoke: Services, admin: User, hub: TlsHub
) -> None:
    page = make_page(qtbot, Session(admin, spoke))
    dialog = open_dialog(qtbot, page)
    token = hub.foreign_token()
    paste(qtbot, dialog, token)
    assert dialog.enrol_button.isEnabled()  # the token itself is well formed
    press_enter(qtbot, dialog)
    qtbot.waitUntil(lambda: dialog.error() != "", timeout=WAIT_MS)
    assert dialog.error().startswith("⚠ Warning:")
    assert "intercepting the connection" in dialog.error()
    assert "Do not try again" in dialog.error()
    assert not spoke.sync.is_enrolled()
    # Not retried blindly: Enrol waits for another token or address.
    assert not dialog.enrol_button.isEnabled()
    press_enter(qtbot, dialog)
    assert not dialog.is_busy()
    paste(qtbot, dialog, hub.token())
    assert dialog.enrol_button.isEnabled() and dialog.error() == ""


def test_a_mistyped_token_keeps_enrol_disabled_and_says_why(
    qtbot: QtBot, spoke: Services, admin: User, hub: TlsHub
) -> None:
    page = make_page(qtbot, Session(admin, spoke))
    dialog = open_dialog(qtbot, page)
    token = hub.token()
    qtbot.keyClicks(dialog.token_edit, token[:30])
    assert not dialog.enrol_button.isEnabled()
    assert dialog.token_note_text().startswith("The token is not complete:")

    slip = "7" if token[-1] != "7" else "8"
    dialog.token_edit.clear()
    qtbot.keyClicks(dialog.token_edit, token[:-1] + slip)
    assert not dialog.enrol_button.isEnabled()
    assert dialog.token_note_text().startswith("The token is mistyped")
    press_enter(qtbot, dialog)  # Enter sends nothing
    assert dialog.isVisible() and not dialog.is_busy()

    dialog.token_edit.clear()
    qtbot.keyClicks(dialog.token_edit, "not a token")
    assert dialog.token_note_text().startswith("An enrolment token starts with the hub's address")
    assert not dialog.enrol_button.isEnabled()
    assert not spoke.sync.is_enrolled()


def test_tab_goes_through_the_dialog_in_reading_order(
    qtbot: QtBot, spoke: Services, admin: User, hub: TlsHub
) -> None:
    page = make_page(qtbot, Session(admin, spoke))
    dialog = open_dialog(qtbot, page)
    paste(qtbot, dialog, hub.token())

    def tab_order() -> list[str]:
        dialog.token_edit.setFocus()
        seen = []
        for _ in range(4):
            qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
            seen.append(QApplication.focusWidget().objectName())
        return seen

    assert tab_order() == ["advancedButton", "enrolButton", "cancelButton", "tokenEdit"]
    dialog.advanced_button.setChecked(True)
    assert tab_order() == ["advancedButton", "hubAddressEdit", "enrolButton", "cancelButton"]


def test_advanced_reaches_the_hub_at_another_address(
    qtbot: QtBot, spoke: Services, admin: User, hub: TlsHub
) -> None:
    """A token naming an address this PC cannot reach, and the hub's real one typed under
    Advanced: the certificate is still the one pinned, so enrolment goes through."""
    token = issue_token(hub.store, FACILITY, address="127.0.0.1:1").text
    page = make_page(qtbot, Session(admin, spoke))
    dialog = open_dialog(qtbot, page)
    paste(qtbot, dialog, token)
    assert not dialog.hub_edit.isVisible()
    qtbot.keyClick(dialog, Qt.Key.Key_A, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(dialog.hub_edit.isVisible)
    assert dialog.hub_edit.hasFocus()
    qtbot.keyClicks(dialog.hub_edit, f"http://{hub.address}")
    assert not dialog.enrol_button.isEnabled()
    assert "https://" in dialog.hub_error.text() and dialog.hub_error.isVisible()
    dialog.hub_edit.clear()
    qtbot.keyClicks(dialog.hub_edit, hub.server.url)
    assert dialog.enrol_button.isEnabled() and not dialog.hub_error.isVisible()
    press_enter(qtbot, dialog)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=WAIT_MS)
    assert spoke.sync.hub_url() == hub.server.url


def test_cancel_while_enrolling_closes_and_the_late_answer_is_dropped(
    qtbot: QtBot, spoke: Services, admin: User, hub: TlsHub
) -> None:
    # A hub that takes the connection and never answers, until the test lets go of it.
    silent = socket.create_server(("127.0.0.1", 0))
    port = silent.getsockname()[1]
    token = issue_token(hub.store, FACILITY, address=f"127.0.0.1:{port}").text
    page = make_page(qtbot, Session(admin, spoke))
    dialog = open_dialog(qtbot, page)
    paste(qtbot, dialog, token)
    press_enter(qtbot, dialog)
    assert dialog.is_busy() and dialog.cancel_button.isEnabled()

    qtbot.keyClick(dialog.cancel_button, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=WAIT_MS)
    with qtbot.waitSignal(dialog.destroyed, timeout=WAIT_MS):
        dialog.deleteLater()
    page.dialog = None
    silent.close()  # the waiting request fails now, with no dialog left to show it
    qtbot.waitUntil(lambda: tasks.running_count() == 0 and not page.is_loading(), timeout=WAIT_MS)
    assert not spoke.sync.is_enrolled()
    assert not [w for w in QApplication.topLevelWidgets() if w.objectName() == "errorMessageBox"]
    assert page.enrol_button.isVisible()


def test_a_paramedic_is_told_to_ask_field_it(
    qtbot: QtBot, spoke: Services, session: Session
) -> None:
    page = make_page(qtbot, session)
    assert page.enrol_help.isVisible()
    assert "Ask field IT to enrol this PC" in page.enrol_help.text()
    assert not page.enrol_button.isVisible()
    qtbot.keyClick(page, Qt.Key.Key_E, Qt.KeyboardModifier.AltModifier)
    page.open_enrol_dialog()  # the page refuses even when asked directly
    assert page.dialog is None


@pytest.mark.parametrize("scale", [1.0, 1.5])
def test_nothing_is_clipped(
    qtbot: QtBot, spoke: Services, admin: User, hub: TlsHub, scale: float, tmp_path: Path
) -> None:
    create_application(language="en", font_scale=scale)
    try:
        page = make_page(qtbot, Session(admin, spoke))
        dialog = open_dialog(qtbot, page)
        qtbot.keyClicks(dialog.token_edit, hub.token()[:40])
        qtbot.keyClick(dialog, Qt.Key.Key_A, Qt.KeyboardModifier.AltModifier)
        qtbot.waitUntil(dialog.hub_edit.isVisible)  # a mnemonic's click lands ~100 ms later
        qtbot.keyClicks(dialog.hub_edit, "http://")
        qtbot.waitUntil(lambda: dialog.height() >= dialog.sizeHint().height())
        if scale > 1:
            assert dialog.token_edit.font().pointSizeF() > 15
        assert dialog.hub_error.isVisible()
        assert _clipped(dialog) == []
        assert dialog.grab().save(str(tmp_path / f"enrol_dialog_{int(scale * 100)}.png"))
        dialog.reject()
    finally:
        create_application(language="en", font_scale=1.0)
