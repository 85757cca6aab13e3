"""Staff accounts: the administrator adds, resets and switches off accounts, by keyboard; the
people added can sign in; clinical staff never see the page."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QApplication, QDialog, QWidget
from pytestqt.qtbot import QtBot

from app.domain.errors import PermissionDenied
from app.domain.models import Role, User
from app.services.container import Services
from app.ui import navigation as nav
from app.ui.application import switch_language
from app.ui.login import LoginWindow
from app.ui.main_window import MainWindow
from app.ui.messages import MESSAGES
from app.ui.session import Session
from app.ui.users_page import AddStaffDialog, ResetPasswordDialog, UsersPage
from app.ui.widgets.placeholder import PlaceholderPage
from tests.ui.conftest import PASSWORD
from tests.ui.test_login import make_login
from tests.ui.test_main_window import make_window

NEW_PASSWORD = "ravi-password-1"


def staff_page(qtbot: QtBot, services: Services, admin: User) -> tuple[MainWindow, UsersPage]:
    window = make_window(qtbot, Session(admin, services))
    page = window.pages[nav.SETTINGS]
    assert isinstance(page, UsersPage)
    qtbot.waitUntil(lambda: page.model.rowCount() > 0 and not page.is_loading())
    return window, page


def alt(qtbot: QtBot, window: QWidget, key: Qt.Key) -> None:
    qtbot.keyClick(window, key, Qt.KeyboardModifier.AltModifier)


def type_into_focus(qtbot: QtBot, dialog: QWidget, text: str) -> None:
    widget = dialog.focusWidget()
    assert widget is not None
    qtbot.keyClicks(widget, text)


def tab(qtbot: QtBot, dialog: QWidget) -> None:
    widget = dialog.focusWidget()
    assert widget is not None
    qtbot.keyClick(widget, Qt.Key.Key_Tab)


def open_dialog(qtbot: QtBot, window: MainWindow, page: UsersPage, key: Qt.Key) -> QDialog:
    before = page.dialog
    alt(qtbot, window, key)  # a mnemonic "animates" the click: it lands ~100 ms later
    qtbot.waitUntil(lambda: page.dialog is not None and page.dialog is not before)
    dialog = page.dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    return dialog


def sign_in(qtbot: QtBot, services: Services, username: str, password: str) -> LoginWindow:
    login = make_login(qtbot, services)
    login.username.setText(username)
    login.password.setText(password)
    login.submit_sign_in()
    qtbot.waitUntil(lambda: not login.is_busy())
    return login


@pytest.fixture
def hindi() -> Iterator[None]:
    switch_language("hi")
    try:
        yield
    finally:
        switch_language("en")


def test_admin_lands_on_staff_accounts_and_clinical_pages_stay_hidden(
    qtbot: QtBot, services: Services, admin: User
) -> None:
    window, page = staff_page(qtbot, services, admin)
    assert window.current_key() == nav.SETTINGS
    assert window.stack.currentWidget() is page
    assert window.windowTitle() == "Staff accounts — HWC Spoke"
    for key in (nav.PATIENTS, nav.CASES):
        assert isinstance(window.pages[key], PlaceholderPage)
    assert page.model.user_at(0) is not None
    assert page.model.data(page.model.index(0, page.model.NAME)) == "Field IT (you)"
    # An admin cannot switch off their own account: the button says so by being off.
    assert not page.toggle_button.isEnabled()


def test_admin_adds_a_paramedic_by_keyboard_who_can_then_sign_in(
    qtbot: QtBot, services: Services, admin: User
) -> None:
    window, page = staff_page(qtbot, services, admin)
    dialog = open_dialog(qtbot, window, page, Qt.Key.Key_A)
    assert isinstance(dialog, AddStaffDialog)
    qtbot.waitUntil(lambda: dialog.focusWidget() is dialog.name_edit)
    type_into_focus(qtbot, dialog, "Ravi Kumar")
    tab(qtbot, dialog)
    type_into_focus(qtbot, dialog, "ravi")
    tab(qtbot, dialog)
    assert dialog.focusWidget() is dialog.role_combo
    qtbot.keyClick(dialog.role_combo, Qt.Key.Key_Down)  # generalist ...
    qtbot.keyClick(dialog.role_combo, Qt.Key.Key_Up)  # ... and back to paramedic
    assert dialog.role() == Role.PARAMEDIC
    assert dialog.role_combo.currentText() == "Paramedic"
    tab(qtbot, dialog)
    type_into_focus(qtbot, dialog, NEW_PASSWORD)
    tab(qtbot, dialog)
    assert dialog.focusWidget() is dialog.confirm_edit
    type_into_focus(qtbot, dialog, NEW_PASSWORD)
    qtbot.keyClick(dialog.confirm_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert dialog.result() == QDialog.DialogCode.Accepted

    qtbot.waitUntil(lambda: page.model.rowCount() == 2 and not page.is_loading())
    selected = page.selected_user()
    assert selected is not None and selected.username == "ravi"
    assert "Ravi Kumar" in window.statusBar().currentMessage()
    row = page.model.row_of(selected.id)
    shown = [page.model.data(page.model.index(row, col)) for col in range(4)]
    assert shown == ["Ravi Kumar", "ravi", "Paramedic", "Switched on"]

    login = make_login(qtbot, services)
    qtbot.keyClicks(login.username, "ravi")
    qtbot.keyClick(login.username, Qt.Key.Key_Return)
    qtbot.keyClicks(login.password, NEW_PASSWORD)
    with qtbot.waitSignal(login.signed_in) as signed:
        qtbot.keyClick(login.password, Qt.Key.Key_Return)
    user = signed.args[0]
    assert (user.username, user.display_name, user.role) == ("ravi", "Ravi Kumar", Role.PARAMEDIC)


def test_a_short_password_shows_the_translated_error_and_creates_nothing(
    qtbot: QtBot, services: Services, admin: User, hindi: None
) -> None:
    window, page = staff_page(qtbot, services, admin)
    dialog = open_dialog(qtbot, window, page, Qt.Key.Key_A)
    assert isinstance(dialog, AddStaffDialog)
    dialog.name_edit.setText("Ravi Kumar")
    dialog.username_edit.setText("ravi")
    dialog.password_edit.setText("short")
    dialog.confirm_edit.setText("short")
    qtbot.keyClick(dialog.confirm_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(dialog.error()) and not dialog.is_busy())
    expected = QCoreApplication.translate("messages", MESSAGES["auth.password_too_short"]).format(
        min=8
    )
    assert dialog.error() == expected
    assert any("\u0900" <= ch <= "\u097f" for ch in dialog.error())
    assert dialog.isVisible()
    assert dialog.focusWidget() is dialog.password_edit
    assert dialog.password_edit.text() == dialog.confirm_edit.text() == ""
    assert dialog.name_edit.text() == "Ravi Kumar"  # what was typed stays
    assert [u.username for u in services.auth.list_users(admin)] == ["admin"]
    qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible())


def test_mismatched_passwords_are_caught_before_any_work(
    qtbot: QtBot, services: Services, admin: User
) -> None:
    window, page = staff_page(qtbot, services, admin)
    dialog = open_dialog(qtbot, window, page, Qt.Key.Key_A)
    assert isinstance(dialog, AddStaffDialog)
    dialog.submit()
    assert dialog.error() == "Enter the person's full name."
    dialog.name_edit.setText("Ravi Kumar")
    dialog.username_edit.setText("ravi")
    dialog.password_edit.setText(NEW_PASSWORD)
    dialog.confirm_edit.setText("something-else")
    dialog.submit()
    assert "not the same" in dialog.error()
    assert not dialog.is_busy()
    dialog.reject()


def test_a_taken_username_is_explained_next_to_the_form(
    qtbot: QtBot, services: Services, admin: User, paramedic: User
) -> None:
    window, page = staff_page(qtbot, services, admin)
    dialog = open_dialog(qtbot, window, page, Qt.Key.Key_A)
    assert isinstance(dialog, AddStaffDialog)
    dialog.name_edit.setText("Another Asha")
    dialog.username_edit.setText("ASHA")
    dialog.password_edit.setText(NEW_PASSWORD)
    dialog.confirm_edit.setText(NEW_PASSWORD)
    dialog.submit()
    qtbot.waitUntil(lambda: bool(dialog.error()) and not dialog.is_busy())
    assert dialog.error() == "That username is already in use. Choose another."
    assert dialog.focusWidget() is dialog.username_edit
    dialog.reject()


def test_switched_off_account_is_refused_at_sign_in_and_can_be_switched_on(
    qtbot: QtBot, services: Services, admin: User, paramedic: User
) -> None:
    window, page = staff_page(qtbot, services, admin)
    qtbot.waitUntil(lambda: page.model.rowCount() == 2)
    assert page.select_username("asha")
    assert page.toggle_button.isEnabled()
    assert page.toggle_button.text() == "S&witch off account"
    alt(qtbot, window, Qt.Key.Key_W)
    qtbot.waitUntil(lambda: page.toggle_button.text() == "S&witch on account")
    assert "switched off" in window.statusBar().currentMessage()
    row = page.model.row_of(paramedic.id)
    assert page.model.data(page.model.index(row, page.model.STATUS)) == "Switched off"

    login = sign_in(qtbot, services, "asha", PASSWORD)
    assert login.error_label.text() == "This account has been switched off. Ask the administrator."
    login.close()

    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    alt(qtbot, window, Qt.Key.Key_W)
    qtbot.waitUntil(lambda: page.toggle_button.text() == "S&witch off account")
    assert services.auth.login("asha", PASSWORD).id == paramedic.id


def test_reset_password_by_keyboard(
    qtbot: QtBot, services: Services, admin: User, paramedic: User
) -> None:
    window, page = staff_page(qtbot, services, admin)
    qtbot.waitUntil(lambda: page.model.rowCount() == 2)
    page.table.setFocus()
    assert page.select_username("asha")
    dialog = open_dialog(qtbot, window, page, Qt.Key.Key_R)
    assert isinstance(dialog, ResetPasswordDialog)
    assert "Asha Devi (asha)" in (dialog.intro.text() if dialog.intro else "")
    qtbot.waitUntil(lambda: dialog.focusWidget() is dialog.password_edit)
    type_into_focus(qtbot, dialog, NEW_PASSWORD)
    tab(qtbot, dialog)
    type_into_focus(qtbot, dialog, NEW_PASSWORD)
    qtbot.keyClick(dialog.confirm_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert "New password saved for Asha Devi" in window.statusBar().currentMessage()

    login = sign_in(qtbot, services, "asha", PASSWORD)
    assert login.error_label.text() == "Wrong username or password."
    assert services.auth.login("asha", NEW_PASSWORD).id == paramedic.id


def test_a_paramedic_never_sees_the_staff_page(
    qtbot: QtBot, services: Services, session: Session, admin: User
) -> None:
    window = make_window(qtbot, session)
    assert window.current_key() == nav.PATIENTS
    assert isinstance(window.pages[nav.SETTINGS], PlaceholderPage)
    assert window.findChildren(UsersPage) == []
    window.show_page(nav.SETTINGS)
    assert not any(isinstance(w, UsersPage) for w in QApplication.allWidgets())
    # ... and the services refuse, whatever the UI shows.
    user = session.user
    for call in (
        lambda: services.auth.list_users(user),
        lambda: services.auth.reset_password(user, admin.id, NEW_PASSWORD),
        lambda: services.auth.set_active(user, admin.id, False),
        lambda: services.auth.create_user(user, "x1", "X", Role.ADMIN, NEW_PASSWORD),
    ):
        with pytest.raises(PermissionDenied) as info:
            call()
        assert info.value.code == "permission.denied"


def test_the_page_built_for_a_paramedic_only_shows_the_refusal(
    qtbot: QtBot, services: Services, session: Session
) -> None:
    page = UsersPage(session, make_window(qtbot, session))
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: not page.is_loading())
    assert page.model.rowCount() == 0
    assert page.status_label.text() == "Your role (paramedic) is not allowed to do this."


def test_nothing_is_clipped_at_150_percent_in_hindi(
    qtbot: QtBot, services: Services, admin: User, paramedic: User, hindi: None
) -> None:
    from app.ui.application import create_application
    from tests.ui.test_login import _clipped

    create_application(language="hi", font_scale=1.5)
    try:
        window = MainWindow(Session(admin, services))
        qtbot.addWidget(window)
        window.resize(1366, 768)
        window.show()
        qtbot.waitExposed(window)
        page = window.pages[nav.SETTINGS]
        assert isinstance(page, UsersPage)
        qtbot.waitUntil(lambda: page.model.rowCount() == 2 and not page.is_loading())
        assert page.add_button.font().pointSizeF() > 15
        assert _clipped(page) == []
        rows = page.table.verticalHeader()
        assert rows.sectionSize(0) >= page.table.fontMetrics().height()
        page.select_username("asha")
        for opener in (page.open_add_dialog, page.open_reset_dialog):
            opener()
            dialog = page.dialog
            assert dialog is not None
            qtbot.waitUntil(dialog.isVisible)
            qtbot.waitExposed(dialog)
            assert dialog.width() >= dialog.sizeHint().width()
            assert _clipped(dialog) == []
            dialog.reject()
    finally:
        create_application(language="en", font_scale=1.0)
