"""The interface language chosen on the login window: switched at once, saved on this PC,
used at the next start unless --lang / SPOKE_LANG says otherwise."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.domain.models import User
from app.services.container import Services
from app.ui.application import current_language, resolve_language, switch_language
from app.ui.login import LoginWindow
from app.ui.main_window import MainWindow
from app.ui.run import Shell, run_gui
from tests.ui.conftest import FAST_LOG_N


def devanagari(text: str) -> bool:
    return any("\u0900" <= ch <= "\u097f" for ch in text)


@pytest.fixture(autouse=True)
def english_afterwards(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("SPOKE_LANG", raising=False)
    monkeypatch.delenv("SPOKE_SCREENSHOT_USER", raising=False)
    yield
    switch_language("en")


def close_windows() -> None:
    # Only the windows run_gui / Shell made: deleting every top-level widget would also
    # delete ones that pytest-qt or another test's objects still hold.
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, (LoginWindow, MainWindow)):
            widget.close()
            widget.deleteLater()


def shown_login() -> LoginWindow:
    found = [w for w in QApplication.topLevelWidgets() if isinstance(w, LoginWindow)]
    visible = [w for w in found if w.isVisible()]
    assert visible, "no login window on screen"
    return visible[-1]


def screenshot_run(services: Services, target: Path, language: str | None) -> LoginWindow:
    """run_gui as main.py calls it (language None when neither --lang nor SPOKE_LANG)."""
    code = run_gui(
        services, demo_accounts=None, screenshot=target, language=language, font_scale=1.0
    )
    assert code == 0
    return shown_login()


def test_choosing_hindi_switches_the_login_window_at_once_and_is_saved(
    qtbot: QtBot, services: Services, paramedic: User
) -> None:
    # The Shell owns (and deletes) the windows it swaps, so they are not handed to qtbot.
    shell = Shell(services, None)
    first = shell.show_login()
    qtbot.waitUntil(first.is_ready)
    assert first.sign_in_button.text() == "&Sign in"
    assert first.language_combo.currentText() == "English"
    qtbot.keyClicks(first.username, "asha")

    # Keyboard only: Alt+L reaches the language, ↓ chooses हिन्दी.
    first.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is first)
    qtbot.keyClick(first, Qt.Key.Key_L, Qt.KeyboardModifier.AltModifier)
    assert first.focusWidget() is first.language_combo
    qtbot.keyClick(first.language_combo, Qt.Key.Key_Down)

    login = shell.login
    assert login is not None and login is not first
    assert current_language() == "hi"
    assert login.isVisible() and not first.isVisible()
    assert devanagari(login.windowTitle())
    assert devanagari(login.sign_in_button.text())
    assert login.language_combo.currentText() == "हिन्दी"
    assert login.username.text() == "asha"  # typed text survives the switch
    qtbot.waitUntil(login.is_ready)
    qtbot.waitUntil(lambda: login.focusWidget() is login.language_combo)
    assert login.mode() == LoginWindow.SIGN_IN
    qtbot.waitUntil(lambda: services.preferences.language() == "hi")

    # ... and back to English the same way.
    qtbot.keyClick(login.language_combo, Qt.Key.Key_Up)
    again = shell.login
    assert again is not None and again is not login
    assert again.sign_in_button.text() == "&Sign in"
    qtbot.waitUntil(lambda: services.preferences.language() == "en")
    qtbot.waitUntil(again.is_ready)
    close_windows()


def test_the_saved_choice_survives_a_restart(
    qtbot: QtBot, services: Services, paramedic: User, data_dir: Path, tmp_path: Path
) -> None:
    services.preferences.set_language("hi")
    services.close()
    with Services.open(data_dir, password_log_n=FAST_LOG_N) as restarted:
        try:
            login = screenshot_run(restarted, tmp_path / "hi.png", language=None)
            assert current_language() == "hi"
            assert devanagari(login.sign_in_button.text())
            assert devanagari(login.windowTitle())
            assert login.language_combo.currentText() == "हिन्दी"
        finally:
            close_windows()


def test_lang_en_overrides_the_saved_choice(
    services: Services, paramedic: User, tmp_path: Path
) -> None:
    services.preferences.set_language("hi")
    try:
        login = screenshot_run(services, tmp_path / "en.png", language="en")
        assert current_language() == "en"
        assert login.sign_in_button.text() == "&Sign in"
        assert login.language_combo.currentText() == "English"
    finally:
        close_windows()
    assert services.preferences.language() == "hi"  # overriding does not forget the choice


def test_spoke_lang_overrides_the_saved_choice_too(
    services: Services, paramedic: User, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    services.preferences.set_language("en")
    monkeypatch.setenv("SPOKE_LANG", "hi")
    try:
        login = screenshot_run(services, tmp_path / "env.png", language=None)
        assert devanagari(login.sign_in_button.text())
    finally:
        close_windows()


def test_language_precedence(monkeypatch: pytest.MonkeyPatch) -> None:
    assert resolve_language(None, None) == "en"
    assert resolve_language(None, "hi") == "hi"
    assert resolve_language("en", "hi") == "en"
    monkeypatch.setenv("SPOKE_LANG", "en")
    assert resolve_language(None, "hi") == "en"
    monkeypatch.delenv("SPOKE_LANG")
    assert resolve_language(None, "xx") == "en"
