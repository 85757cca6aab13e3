"""Fixtures for the clinical screens: real Services on a tmp folder, a paramedic created
through the services API, a Session, and a Navigator stand-in that records where the pages
asked to go (the main window is the edge here; everything below it is real)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from app.domain.models import Address, Patient, PatientDraft, Role, Sex, User
from app.services.container import Services
from app.ui import tasks
from app.ui.application import create_application
from app.ui.session import Session
from tests.navigator import RecordingNavigator

FAST_LOG_N = 4  # scrypt cost for tests only, passed explicitly; the default stays strong
PASSWORD = "correct-horse"


class FakeClock:
    """A settable UTC clock, so ages and times on screen do not depend on the test day."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture(scope="session")
def styled_app(qapp: QApplication) -> QApplication:
    # The real look: bundled Noto fonts (Devanagari), palette and style sheet.
    return create_application()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2025, 6, 2, 6, 30, tzinfo=UTC))


@pytest.fixture
def services(data_dir: Path, clock: FakeClock, qtbot: QtBot) -> Iterator[Services]:
    s = Services.open(data_dir, clock=clock, password_log_n=FAST_LOG_N)
    try:
        yield s
    finally:
        # Let background work finish before the store closes under it.
        qtbot.waitUntil(lambda: tasks.running_count() == 0, timeout=10_000)
        s.close()


@pytest.fixture
def paramedic(services: Services) -> User:
    admin = services.auth.create_first_admin("admin", "Field IT", PASSWORD)
    return services.auth.create_user(admin, "asha", "Asha Kumari", Role.PARAMEDIC, PASSWORD)


@pytest.fixture
def session(styled_app: QApplication, services: Services, paramedic: User) -> Session:
    return Session(user=paramedic, services=services)


@pytest.fixture
def navigator() -> RecordingNavigator:
    return RecordingNavigator()


def register(
    services: Services,
    user: User,
    name: str,
    *,
    name_alt: str = "",
    sex: Sex = Sex.MALE,
    age: int = 44,
    village: str = "Kheri",
    phone: str = "",
) -> Patient:
    """Put a patient in the store through the real service (as an earlier visit would)."""
    return services.patients.register(
        user,
        PatientDraft(
            name=name,
            name_alt=name_alt,
            sex=sex,
            age_years=age,
            phone=phone,
            address=Address(state="UTTAR PRADESH", district="KHERI", village=village),
        ),
        allow_duplicate=True,
    )


def type_text(qtbot: QtBot, widget: QWidget, text: str) -> None:
    """Type ``text`` as key presses, Devanagari included.

    ``QTest.keyClicks`` maps each character to a Latin key code and aborts the process on
    anything else, so non-ASCII characters go as key events carrying only their text, the way
    an input method delivers them.
    """
    for ch in text:
        if ch.isascii():
            qtbot.keyClicks(widget, ch)
            continue
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(
                widget, QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, ch)
            )
