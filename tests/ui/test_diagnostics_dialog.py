"""Help → Diagnostics: the dialog runs the checks off the GUI thread, shows each verdict in
words, runs again, and saves a support bundle through an injected chooser; it opens with F1
from the main window (every role) and from the login window before anyone signs in. The
findings' sentences in app.ui.messages match the domain's and the architecture's table."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from app.domain.diagnostics import CHECK_KEYS, ENGLISH, TITLES, params_of
from app.services.container import Services
from app.ui.diagnostics_dialog import CHECK_TITLES, VERDICT_TEXT, DiagnosticsDialog
from app.ui.login import LoginWindow
from app.ui.main_window import MainWindow
from app.ui.messages import MESSAGES, code_text
from app.ui.session import Session
from tests.ui.conftest import FAST_LOG_N

ARCHITECTURE = Path(__file__).resolve().parents[2] / "docs" / "ARCHITECTURE.md"


def open_dialog(qtbot: QtBot, services: Services, **kwargs: object) -> DiagnosticsDialog:
    dialog = DiagnosticsDialog(services, **kwargs)  # type: ignore[arg-type]
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.report is not None and not dialog.is_running(), timeout=20_000)
    return dialog


def row_texts(dialog: DiagnosticsDialog) -> list[tuple[str, str, str]]:
    table = dialog.table
    return [
        tuple(table.item(row, col).text() for col in range(3))  # type: ignore[misc]
        for row in range(table.rowCount())
    ]


def test_the_dialog_lists_every_check_with_its_verdict_in_words(
    qtbot: QtBot, services: Services
) -> None:
    dialog = open_dialog(qtbot, services)
    rows = row_texts(dialog)
    assert len(rows) == len(CHECK_KEYS)
    verdict_words = set(VERDICT_TEXT.values())
    assert all(verdict in verdict_words for verdict, _, _ in rows)
    by_check = {name: (verdict, text) for verdict, name, text in rows}
    # A plaintext folder that is not enrolled: said in words, with what to do.
    verdict, text = by_check["Encryption at rest"]
    assert verdict == "⚠ Warning" and "What to do:" in text
    assert by_check["Versions"][0] == "✔ OK"
    assert by_check["Hub connection and certificate"][0] == "? Not checked"
    assert dialog.summary_label.text()
    assert dialog.table.currentRow() == 0


def test_run_again_repeats_the_checks(qtbot: QtBot, services: Services) -> None:
    dialog = open_dialog(qtbot, services)
    first = dialog.report
    qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.report is not first and not dialog.is_running(), timeout=20_000)
    assert dialog.report is not None and len(dialog.report.checks) == len(CHECK_KEYS)


def test_save_support_bundle_writes_the_chosen_file(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    asked: list[str] = []

    def chooser(_parent: QWidget, suggested: str) -> str:
        asked.append(suggested)
        return str(tmp_path / "for-support")  # no suffix: .zip is added

    dialog = open_dialog(qtbot, services, choose_file=chooser)
    qtbot.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: dialog.saved_bundle is not None, timeout=20_000)
    assert asked and asked[0].endswith(".zip")
    target = tmp_path / "for-support.zip"
    assert dialog.saved_bundle == target
    with zipfile.ZipFile(target) as zf:
        assert "diagnostics.json" in zf.namelist()
    assert str(target) in dialog.status_label.text()


def test_a_bundle_that_cannot_be_written_is_explained(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    dialog = open_dialog(
        qtbot, services, choose_file=lambda _p, _s: str(tmp_path / "gone" / "b.zip")
    )
    dialog.save_bundle()

    def error_box() -> QWidget | None:
        for widget in QApplication.topLevelWidgets():
            if widget.objectName() == "errorMessageBox" and widget.isVisible():
                return widget
        return None

    qtbot.waitUntil(lambda: error_box() is not None, timeout=20_000)
    assert "is not there" in error_box().text()  # type: ignore[union-attr]
    assert dialog.bundle_button.isEnabled()


def test_f1_opens_diagnostics_from_the_main_window(qtbot: QtBot, session: Session) -> None:
    window = MainWindow(session)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(window, Qt.Key.Key_F1)
    qtbot.waitUntil(lambda: getattr(window, "diagnostics_dialog", None) is not None)
    dialog = window.diagnostics_dialog
    qtbot.waitUntil(lambda: dialog.report is not None and not dialog.is_running(), timeout=20_000)
    assert dialog.isVisible()
    dialog.close()


def test_the_login_window_opens_diagnostics_on_a_locked_pc(qtbot: QtBot, tmp_path: Path) -> None:
    folder = tmp_path / "clinic"
    with Services.open(folder, encrypted=True, password_log_n=FAST_LOG_N) as services:
        services.auth.create_first_admin("admin", "Field IT", "admin-secret-1")
    services = Services.open(folder, encrypted=True, password_log_n=FAST_LOG_N)
    try:
        assert services.store.is_locked
        login = LoginWindow(services)
        qtbot.addWidget(login)
        with qtbot.waitSignal(login.ready):
            login.show()
        qtbot.mouseClick(login.diagnostics_button, Qt.MouseButton.LeftButton)
        dialog = login.diagnostics_dialog
        qtbot.waitUntil(
            lambda: dialog.report is not None and not dialog.is_running(), timeout=20_000
        )
        by_key = {c.key: c.code for c in dialog.report.checks}  # type: ignore[union-attr]
        assert by_key["encryption"] == "doctor.enc_locked"
        assert by_key["database"] == "doctor.locked"
        dialog.close()
    finally:
        from PySide6.QtCore import QThreadPool

        QThreadPool.globalInstance().waitForDone(10_000)
        services.close()


# -- the findings' sentences ----------------------------------------------------------------------


def test_every_finding_has_the_same_sentence_in_the_ui_as_on_the_command_line() -> None:
    for code, english in ENGLISH.items():
        assert MESSAGES.get(code) == english, code
        sample = {name: f"<{name}>" for name in params_of(code)}
        text = code_text(code, sample)
        assert text is not None and "{" not in text
        assert all(f"<{name}>" in text for name in sample)


def test_the_dialog_titles_every_check_as_the_command_line_does() -> None:
    assert dict(TITLES) == CHECK_TITLES
    assert list(CHECK_TITLES) == list(CHECK_KEYS)


def test_the_architecture_lists_every_finding_with_its_params() -> None:
    lines = ARCHITECTURE.read_text(encoding="utf-8").splitlines()
    start = lines.index("| findings | params |")
    documented: dict[str, set[str]] = {}
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip("|").split("|")]
        params = set(re.findall(r"`([a-z_]+)`", cells[1]))
        for code in re.findall(r"`(doctor\.[a-z_.]+)`", cells[0]):
            documented[code] = params
    assert documented == {code: set(params_of(code)) for code in ENGLISH}
