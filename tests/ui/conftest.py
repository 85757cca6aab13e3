"""Fixtures for the Qt shell: real Services on a tmp folder (cheap scrypt cost, passed as a
parameter), accounts made through the services API, and the application configured the way
``run_gui`` configures it (English, 100 % text) before each test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QApplication

from app.domain.models import Role, User
from app.ui.application import create_application
from app.ui.session import Session

if TYPE_CHECKING:
    from app.services.container import Services

FAST_LOG_N = 4  # tests only; the default cost stays strong
PASSWORD = "correct-horse"
ADMIN_PASSWORD = "admin-secret-1"


@pytest.fixture(autouse=True)
def ui_app(qapp: QApplication) -> Iterator[QApplication]:
    app = create_application(language="en", font_scale=1.0)
    yield app
    # Let work still running finish before its services close (tests end mid-flight).
    QThreadPool.globalInstance().waitForDone(10_000)
    for widget in QApplication.topLevelWidgets():
        if widget.objectName() == "errorMessageBox":
            widget.close()


@pytest.fixture
def services(data_dir: Path) -> Iterator[Services]:
    from app.services.container import Services  # late: the store lands beside this

    s = Services.open(data_dir, password_log_n=FAST_LOG_N)
    try:
        yield s
    finally:
        QThreadPool.globalInstance().waitForDone(10_000)
        s.close()


@pytest.fixture
def admin(services: Services) -> User:
    return services.auth.create_first_admin("admin", "Field IT", ADMIN_PASSWORD)


@pytest.fixture
def paramedic(services: Services, admin: User) -> User:
    return services.auth.create_user(admin, "asha", "Asha Devi", Role.PARAMEDIC, PASSWORD)


@pytest.fixture
def session(services: Services, paramedic: User) -> Session:
    return Session(paramedic, services)
