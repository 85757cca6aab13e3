"""run_gui's screenshot mode: login window, or signed in and loaded main window, to a PNG."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from app.domain.models import User
from app.services.container import Services
from app.ui.login import LoginWindow
from app.ui.main_window import MainWindow
from app.ui.run import run_gui
from tests.ui.conftest import PASSWORD


def close_windows() -> None:
    # Only the windows run_gui / Shell made: deleting every top-level widget would also
    # delete ones that pytest-qt or another test's objects still hold.
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, (LoginWindow, MainWindow)):
            widget.close()
            widget.deleteLater()


def test_screenshot_of_the_login_window(
    services: Services, paramedic: User, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SPOKE_SCREENSHOT_USER", raising=False)
    target = tmp_path / "login.png"
    try:
        code = run_gui(
            services,
            demo_accounts=[("asha", "correct-horse", "paramedic")],
            screenshot=target,
            language="en",
            font_scale=1.0,
        )
    finally:
        close_windows()
    assert code == 0
    image = QImage(str(target))
    assert not image.isNull()
    assert image.width() >= 800


def test_screenshot_signed_in_shows_the_main_window(
    services: Services, paramedic: User, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SPOKE_SCREENSHOT_USER", "asha")
    monkeypatch.setenv("SPOKE_SCREENSHOT_PASSWORD", PASSWORD)
    target = tmp_path / "main.png"
    titles: list[str] = []
    try:
        code = run_gui(
            services, demo_accounts=None, screenshot=target, language="en", font_scale=1.0
        )
        titles = [w.objectName() for w in QApplication.topLevelWidgets() if w.isVisible()]
    finally:
        close_windows()
    assert code == 0
    assert "MainWindow" in titles
    assert QImage(str(target)).size().toTuple() == (1366, 768)


def test_screenshot_with_a_wrong_password_fails_loudly(
    services: Services, paramedic: User, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SPOKE_SCREENSHOT_USER", "asha")
    monkeypatch.setenv("SPOKE_SCREENSHOT_PASSWORD", "not-the-password")
    target = tmp_path / "failed.png"
    try:
        code = run_gui(
            services, demo_accounts=None, screenshot=target, language="en", font_scale=1.0
        )
    finally:
        close_windows()
    assert code == 1
    assert target.exists()  # the login window with its message, to see what went wrong
