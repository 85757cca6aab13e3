"""Help → Diagnostics: what is wrong on this clinic PC and what to do, for field IT.

The dialog runs ``services.diagnostics.run`` through ``Op`` as soon as it opens (the hub
request and the database check never touch the GUI thread; the run takes a few seconds at
most when the hub cannot be reached) and lists the checks: the verdict in words with a sign
(never colour alone), the check, what was found and what to do, in the interface language
(``app.ui.messages`` holds the sentences of the findings' codes; the English text is the
fallback). "Run again" repeats it; "Save support bundle…" asks for a file (the chooser is
injectable for tests) and writes the bundle on a worker with a progress dialog.

It shows no clinical data, so every role may open it, and it opens from the login window
too, before anyone can sign in: the checks that need the locked database say so.

Keyboard: Alt+R run again, Alt+S save the bundle, Esc closes; the table takes the focus
first (arrow keys move through the checks). GUI thread only.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QStandardPaths, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.diagnostics import Check, Verdict
from app.domain.models import User
from app.ui.messages import code_text
from app.ui.tasks import Op
from app.ui.widgets.text import WrappingLabel, heading_label

if TYPE_CHECKING:
    from app.services.container import Services
    from app.services.diagnostics import Report

_CTX = "DiagnosticsDialog"

# (parent, suggested path) -> the chosen path, "" when cancelled.
FileChooser = Callable[[QWidget, str], str]

# Words and signs, so the verdict reads without colour (and on a monochrome printout).
VERDICT_TEXT: dict[Verdict, str] = {
    Verdict.OK: QT_TRANSLATE_NOOP("DiagnosticsDialog", "✔ OK"),
    Verdict.WARNING: QT_TRANSLATE_NOOP("DiagnosticsDialog", "⚠ Warning"),
    Verdict.PROBLEM: QT_TRANSLATE_NOOP("DiagnosticsDialog", "✖ Problem"),
    Verdict.UNKNOWN: QT_TRANSLATE_NOOP("DiagnosticsDialog", "? Not checked"),
}
SUMMARY_TEXT: dict[Verdict, str] = {
    Verdict.OK: QT_TRANSLATE_NOOP("DiagnosticsDialog", "Everything checked is fine."),
    Verdict.WARNING: QT_TRANSLATE_NOOP(
        "DiagnosticsDialog", "Some things need attention: see the warnings below."
    ),
    Verdict.PROBLEM: QT_TRANSLATE_NOOP(
        "DiagnosticsDialog", "There is a problem to fix: see the problems below."
    ),
}
CHECK_TITLES: dict[str, str] = {
    "disk": QT_TRANSLATE_NOOP("DiagnosticsDialog", "Data folder and disk space"),
    "database": QT_TRANSLATE_NOOP("DiagnosticsDialog", "Clinic database"),
    "encryption": QT_TRANSLATE_NOOP("DiagnosticsDialog", "Encryption at rest"),
    "enrolment": QT_TRANSLATE_NOOP("DiagnosticsDialog", "Enrolment with the hub"),
    "hub": QT_TRANSLATE_NOOP("DiagnosticsDialog", "Hub connection and certificate"),
    "clock": QT_TRANSLATE_NOOP("DiagnosticsDialog", "Clock"),
    "sync": QT_TRANSLATE_NOOP("DiagnosticsDialog", "Sync backlog"),
    "backups": QT_TRANSLATE_NOOP("DiagnosticsDialog", "Scheduled backups"),
    "devices": QT_TRANSLATE_NOOP("DiagnosticsDialog", "Device ports and paired devices"),
    "versions": QT_TRANSLATE_NOOP("DiagnosticsDialog", "Versions"),
    "updates": QT_TRANSLATE_NOOP("DiagnosticsDialog", "Updates"),
}

COLUMN_VERDICT, COLUMN_CHECK, COLUMN_FINDING = range(3)


def _t(text: str) -> str:
    return QCoreApplication.translate(_CTX, text)


def choose_bundle_file(parent: QWidget, suggested: str) -> str:
    """The real chooser: a save dialog for a .zip file."""
    path, _ = QFileDialog.getSaveFileName(
        parent,
        QCoreApplication.translate("DiagnosticsDialog", "Save support bundle"),
        suggested,
        QCoreApplication.translate("DiagnosticsDialog", "Zip files (*.zip)"),
    )
    return path


def finding_text(check: Check) -> str:
    """What was found, in the interface language (the English detail when no sentence fits)."""
    return code_text(check.code, check.params) or check.detail


def advice_text(check: Check) -> str:
    return code_text(check.advice_code, check.params) or check.advice


class DiagnosticsDialog(QDialog):
    def __init__(
        self,
        services: Services,
        parent: QWidget | None = None,
        *,
        user: User | None = None,
        choose_file: FileChooser = choose_bundle_file,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("DiagnosticsDialog")
        self.setWindowTitle(self.tr("Diagnostics"))
        self._services = services
        self._user = user
        self._choose_file = choose_file
        self.report: Report | None = None
        self.saved_bundle: Path | None = None
        self._running = False

        m = self.fontMetrics().height()
        title = heading_label(self.tr("Diagnostics"), level=2)
        self.summary_label = WrappingLabel(self.tr("Checking…"))
        self.summary_label.setObjectName("diagnosticsSummary")
        self.table = QTableWidget(0, 3)
        self.table.setObjectName("diagnosticsTable")
        self.table.setHorizontalHeaderLabels(
            [self.tr("Result"), self.tr("Check"), self.tr("What was found, and what to do")]
        )
        self.table.setAccessibleName(self.tr("Diagnostics results"))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(True)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(COLUMN_VERDICT, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COLUMN_CHECK, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COLUMN_FINDING, QHeaderView.ResizeMode.Stretch)
        header.sectionResized.connect(lambda *_: self.table.resizeRowsToContents())

        self.run_button = QPushButton(self.tr("&Run again"))
        self.run_button.setObjectName("runDiagnosticsButton")
        self.run_button.clicked.connect(self.run_checks)
        self.bundle_button = QPushButton(self.tr("&Save support bundle…"))
        self.bundle_button.setObjectName("saveBundleButton")
        self.bundle_button.setToolTip(
            self.tr(
                "A zip file for support: these results, the logs and the settings that are not "
                "secret. No patient data, no keys."
            )
        )
        self.bundle_button.clicked.connect(self.save_bundle)
        self.close_button = QPushButton(self.tr("Close"))
        self.close_button.clicked.connect(self.reject)
        self.status_label = WrappingLabel("")
        self.status_label.setObjectName("diagnosticsStatus")

        buttons = QHBoxLayout()
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.bundle_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(m, m, m, m)
        layout.setSpacing(m // 2)
        layout.addWidget(title)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status_label)
        layout.addLayout(buttons)
        # Sized from the font: readable at 150 % text without resizing.
        self.resize(m * 60, m * 34)
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        self.run_checks()

    # -- running -----------------------------------------------------------------------------

    def is_running(self) -> bool:
        return self._running

    def run_checks(self) -> None:
        if self._running:
            return
        self._set_running(True)
        self.summary_label.setText(
            self.tr("Checking… (a few seconds; longer only when the hub cannot be reached)")
        )
        diagnostics = self._services.diagnostics
        (
            Op(self, lambda cancel: diagnostics.run(cancel=cancel))
            .success(self._show_report)
            .failure(self._on_run_failed)
            .run()
        )

    def _set_running(self, running: bool) -> None:
        self._running = running
        self.run_button.setEnabled(not running)
        self.bundle_button.setEnabled(not running)

    def _on_run_failed(self, exc: BaseException) -> bool:
        self._set_running(False)
        self.summary_label.setText(self.tr("The checks could not run. Try again."))
        return False  # the error is shown as any other

    def _show_report(self, report: Report) -> None:
        self._set_running(False)
        self.report = report
        self.summary_label.setText(_t(SUMMARY_TEXT[report.worst]))
        self.table.setRowCount(len(report.checks))
        advice_label = self.tr("What to do:")
        for row, check in enumerate(report.checks):
            verdict = QTableWidgetItem(_t(VERDICT_TEXT[check.verdict]))
            verdict.setData(Qt.ItemDataRole.UserRole, check.verdict.value)
            name = QTableWidgetItem(_t(CHECK_TITLES.get(check.key, check.title)))
            name.setData(Qt.ItemDataRole.UserRole, check.key)
            text = finding_text(check)
            if check.advice_code != "doctor.advice.none":
                text += f"\n{advice_label} {advice_text(check)}"
            finding = QTableWidgetItem(text)
            finding.setToolTip(text)
            for column, item in enumerate((verdict, name, finding)):
                item.setTextAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
                self.table.setItem(row, column, item)
        self.table.resizeRowsToContents()
        if self.table.currentRow() < 0 and report.checks:
            self.table.setCurrentCell(0, COLUMN_VERDICT)

    # -- the support bundle ------------------------------------------------------------------

    def suggested_bundle_path(self) -> str:
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        name = f"hwc-support-{datetime.now():%Y%m%d-%H%M}.zip"
        return str(Path(folder or Path.home()) / name)

    def save_bundle(self) -> None:
        if self._running:
            return
        chosen = self._choose_file(self, self.suggested_bundle_path())
        if not chosen:
            return
        target = Path(chosen)
        if target.suffix.lower() != ".zip":
            target = target.with_name(target.name + ".zip")
        diagnostics, user, report = self._services.diagnostics, self._user, self.report
        self._set_running(True)
        self.status_label.setText("")
        (
            Op(self, lambda: diagnostics.support_bundle(target, actor=user, report=report))
            .with_progress(self.tr("Writing the support bundle…"))
            .success(self._on_bundle_saved)
            .failure(self._on_bundle_failed)
            .run()
        )

    def _on_bundle_saved(self, path: Path) -> None:
        self._set_running(False)
        self.saved_bundle = path
        self.status_label.setText(
            self.tr("Support bundle saved: %1 (no patient data, no keys).").replace("%1", str(path))
        )

    def _on_bundle_failed(self, exc: BaseException) -> bool:
        self._set_running(False)
        return False  # shown in a message box, in the interface language
