"""The login window: first-run set-up, sign-in by keyboard, refusals shown in the form."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from app.domain.models import Role, User
from app.services.container import Services
from app.ui.application import create_application
from app.ui.login import LoginWindow
from tests.ui.conftest import ADMIN_PASSWORD, PASSWORD


def make_login(
    qtbot: QtBot, services: Services, hint: list[tuple[str, str, str]] | None = None
) -> LoginWindow:
    login = LoginWindow(services, demo_accounts=hint)
    qtbot.addWidget(login)
    with qtbot.waitSignal(login.ready):
        login.show()
    return login


def test_fresh_pc_sets_up_the_first_admin_by_keyboard(qtbot: QtBot, services: Services) -> None:
    login = make_login(qtbot, services)
    assert login.mode() == LoginWindow.SET_UP
    qtbot.keyClicks(login.setup_name, "Field IT")
    qtbot.keyClick(login.setup_name, Qt.Key.Key_Return)
    qtbot.keyClicks(login.focusWidget(), "admin")
    qtbot.keyClick(login.focusWidget(), Qt.Key.Key_Return)
    qtbot.keyClicks(login.focusWidget(), ADMIN_PASSWORD)
    qtbot.keyClick(login.focusWidget(), Qt.Key.Key_Return)
    assert login.focusWidget() is login.setup_confirm
    qtbot.keyClicks(login.setup_confirm, ADMIN_PASSWORD)
    with qtbot.waitSignal(login.signed_in) as signed:
        qtbot.keyClick(login.setup_confirm, Qt.Key.Key_Return)
    user = signed.args[0]
    assert isinstance(user, User)
    assert (user.username, user.display_name, user.role) == ("admin", "Field IT", Role.ADMIN)
    assert services.auth.needs_first_admin() is False
    assert services.auth.login("admin", ADMIN_PASSWORD).id == user.id


def test_set_up_refuses_mismatched_passwords_without_creating_anything(
    qtbot: QtBot, services: Services
) -> None:
    login = make_login(qtbot, services)
    login.setup_name.setText("Field IT")
    login.setup_username.setText("admin")
    login.setup_password.setText(ADMIN_PASSWORD)
    login.setup_confirm.setText("something-else")
    login.submit_set_up()
    assert login.setup_error.isVisibleTo(login)
    assert "not the same" in login.setup_error.text()
    assert login.setup_confirm.text() == ""
    assert services.auth.needs_first_admin() is True


def test_set_up_shows_the_services_refusal_inline(qtbot: QtBot, services: Services) -> None:
    login = make_login(qtbot, services)
    login.setup_name.setText("Field IT")
    login.setup_username.setText("admin")
    login.setup_password.setText("short")
    login.setup_confirm.setText("short")
    login.submit_set_up()
    qtbot.waitUntil(lambda: login.setup_error.isVisibleTo(login) and not login.is_busy())
    assert "at least 8 characters" in login.setup_error.text()
    assert login.focusWidget() is login.setup_password
    assert services.auth.needs_first_admin() is True


def test_keyboard_only_sign_in(qtbot: QtBot, services: Services, paramedic: User) -> None:
    login = make_login(qtbot, services)
    assert login.mode() == LoginWindow.SIGN_IN
    assert login.focusWidget() is login.username
    qtbot.keyClicks(login.username, "asha")
    qtbot.keyClick(login.username, Qt.Key.Key_Return)  # Enter moves on to the password
    assert login.focusWidget() is login.password
    qtbot.keyClicks(login.focusWidget(), PASSWORD)
    with qtbot.waitSignal(login.signed_in) as signed:
        qtbot.keyClick(login.password, Qt.Key.Key_Return)
    assert signed.args[0].id == paramedic.id
    assert login.password.text() == ""  # the password does not linger in the widget


def test_wrong_password_is_explained_in_the_form_and_the_window_stays(
    qtbot: QtBot, services: Services, paramedic: User
) -> None:
    login = make_login(qtbot, services)
    signed: list[object] = []
    login.signed_in.connect(signed.append)
    login.username.setText("asha")
    login.password.setText("wrong-password")
    qtbot.keyClick(login.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: login.error_label.isVisible() and not login.is_busy())
    assert login.error_label.text() == "Wrong username or password."
    assert login.isVisible()
    assert signed == []
    assert login.password.text() == ""
    assert login.focusWidget() is login.password
    assert login.sign_in_button.isEnabled()


def test_empty_fields_are_caught_before_any_work(
    qtbot: QtBot, services: Services, paramedic: User
) -> None:
    login = make_login(qtbot, services)
    login.submit_sign_in()
    assert login.error_label.text() == "Enter your username."
    assert not login.is_busy()
    login.username.setText("asha")
    login.submit_sign_in()
    assert login.error_label.text() == "Enter your password."
    assert login.focusWidget() is login.password


def test_demo_hint_is_shown_only_in_demo_mode(
    qtbot: QtBot, services: Services, paramedic: User
) -> None:
    plain = make_login(qtbot, services)
    assert plain.demo_label is None
    demo = make_login(qtbot, services, hint=[("asha", "correct-horse", "paramedic")])
    assert demo.demo_label is not None
    assert demo.demo_label.isVisible()
    assert "asha / correct-horse" in demo.demo_label.text()


def test_fields_have_mnemonics(qtbot: QtBot, services: Services, paramedic: User) -> None:
    login = make_login(qtbot, services)
    buddies = {
        label.buddy(): label.text()
        for label in login.findChildren(QLabel)
        if label.buddy() is not None
    }
    for field in (login.username, login.password):
        assert "&" in buddies[field]
    assert "&" in login.sign_in_button.text()


def _clipped(window: QWidget) -> list[str]:
    """Visible text widgets narrower or shorter than they need to be."""
    problems = []
    for widget in window.findChildren(QWidget):
        if not widget.isVisible() or not isinstance(widget, QLabel | QLineEdit | QPushButton):
            continue
        hint = widget.minimumSizeHint()
        if isinstance(widget, QLabel) and widget.wordWrap():
            needed_h = widget.heightForWidth(widget.width())
            if widget.height() < needed_h:
                problems.append(f"{widget.objectName() or widget.text()!r}: height")
            continue
        if widget.width() < hint.width() or widget.height() < hint.height():
            label = widget.objectName() or getattr(widget, "text", lambda: "")()
            problems.append(f"{label!r}: {widget.size().toTuple()} < {hint.toTuple()}")
    return problems


def test_nothing_is_clipped_at_150_percent(
    qtbot: QtBot, services: Services, paramedic: User, ui_app: QApplication
) -> None:
    create_application(language="en", font_scale=1.5)
    try:
        login = make_login(qtbot, services, hint=[("asha", "correct-horse", "paramedic")])
        login.resize(login.sizeHint())
        qtbot.waitUntil(lambda: login.size() == login.sizeHint())
        assert login.username.font().pointSizeF() > 15
        assert _clipped(login) == []
        # The text fields are tall enough for the larger text.
        assert login.username.height() >= login.username.fontMetrics().height()
    finally:
        create_application(language="en", font_scale=1.0)
