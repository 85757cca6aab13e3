"""Back up this PC's clinic data to a folder (a USB drive): ``services.backup.create``.

The administrator chooses a folder (Alt+F; ``QFileDialog.getExistingDirectory`` unless a
chooser is injected, as tests do), then starts the backup (Alt+B). It runs on a worker
(``Op``): a progress bar counts the database's pages, then the files, and Cancel (Alt+C, or
Esc) stops it at the next step with nothing left in the folder. The result says the file's
name, size and folder; an error says what went wrong, in the interface language
(``app.ui.messages``), and the backup can be started again. Closing the dialog while the work
runs cancels it first: the dialog stays until the worker has stopped, the GUI thread never
waits on the disk.

Keyboard only: every button has a mnemonic, Enter starts once a folder is chosen, Esc cancels
or closes. Sizes come from the font (150 % text). GUI thread only.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.ui.messages import error_text
from app.ui.tasks import Op, run_on_main
from app.ui.widgets.text import WrappingLabel, heading_label

if TYPE_CHECKING:
    import threading

    from app.services.backup import BackupResult
    from app.ui.session import Session

FolderChooser = Callable[[QWidget], str]  # the folder chosen, "" when none


def ask_for_folder(parent: QWidget) -> str:
    """The platform's folder chooser (a nested dialog, as every file dialog is)."""
    title = QCoreApplication.translate(
        "BackupDialog", "Choose where to write the backup (a USB drive)"
    )
    return QFileDialog.getExistingDirectory(parent, title)


class BackupDialog(QDialog):
    def __init__(
        self,
        session: Session,
        parent: QWidget | None = None,
        *,
        choose_folder: FolderChooser = ask_for_folder,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("BackupDialog")
        self.setModal(True)
        self.setWindowTitle(self.tr("Back up this PC's clinic data"))
        self._session = session
        self._choose_folder = choose_folder
        self._folder: Path | None = None
        self._op: Op[BackupResult] | None = None
        self._shown: tuple[str, int] = ("", -1)  # the last phase and percent put on screen
        self.result_path: Path | None = None

        title = heading_label(self.tr("Back up this PC's clinic data"), level=2)
        explain = WrappingLabel(
            self.tr(
                "The backup is one encrypted file with every patient, case, attachment and "
                "staff key of this PC. It opens only with a staff password that opens this PC "
                "today, or with its recovery key. Keep the drive locked away."
            )
        )
        self.folder_label = WrappingLabel(self.tr("No folder chosen yet."))
        self.folder_label.setObjectName("backupFolder")
        self.folder_button = QPushButton(self.tr("Choose a &folder…"))
        self.folder_button.setObjectName("chooseBackupFolder")
        self.folder_button.clicked.connect(self.choose_folder)

        self.progress = QProgressBar()
        self.progress.setObjectName("backupProgress")
        self.progress.setAccessibleName(self.tr("Backup progress"))
        self.progress.setRange(0, 100)
        self.progress.hide()
        self.status_label = WrappingLabel()
        self.status_label.setObjectName("backupStatus")
        self.error_label = WrappingLabel()
        self.error_label.setObjectName("errorText")
        self.error_label.setAccessibleName(self.tr("Problem"))
        self.error_label.hide()

        self.start_button = QPushButton(self.tr("&Back up"))
        self.start_button.setObjectName("startBackup")
        self.start_button.setEnabled(False)
        self.start_button.setDefault(True)
        self.start_button.clicked.connect(self.start)
        self.cancel_button = QPushButton(self.tr("&Cancel"))
        self.cancel_button.setObjectName("cancelBackup")
        self.cancel_button.hide()
        self.cancel_button.clicked.connect(self.cancel)
        self.close_button = QPushButton(self.tr("C&lose"))
        self.close_button.setObjectName("closeBackup")
        self.close_button.clicked.connect(self.reject)

        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder_button)
        folder_row.addWidget(self.folder_label, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.close_button)
        m = self.fontMetrics().height()
        layout = QVBoxLayout(self)
        layout.setSpacing(m // 2)
        layout.addWidget(title)
        layout.addWidget(explain)
        layout.addLayout(folder_row)
        layout.addWidget(self.progress)
        layout.addWidget(self.status_label)
        layout.addWidget(self.error_label)
        layout.addLayout(buttons)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 70)
        QWidget.setTabOrder(self.folder_button, self.start_button)
        QWidget.setTabOrder(self.start_button, self.cancel_button)
        QWidget.setTabOrder(self.cancel_button, self.close_button)
        self.folder_button.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- state ----------------------------------------------------------------------------

    def is_running(self) -> bool:
        return self._op is not None

    @property
    def folder(self) -> Path | None:
        return self._folder

    def choose_folder(self) -> None:
        if self.is_running():
            return
        chosen = self._choose_folder(self)
        if not chosen:
            return
        self._folder = Path(chosen)
        self.folder_label.setText(self.tr("Write it to: %1").replace("%1", str(self._folder)))
        self.start_button.setEnabled(True)
        self.start_button.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- running --------------------------------------------------------------------------

    def start(self) -> None:
        if self.is_running() or self._folder is None:
            return
        services, actor, folder = self._session.services, self._session.user, self._folder
        self.error_label.hide()
        self.result_path = None
        self._shown = ("", -1)
        self.progress.setValue(0)
        self.progress.show()
        self.status_label.setText(self.tr("Copying the database…"))
        self.start_button.hide()
        self.close_button.hide()
        self.folder_button.setEnabled(False)
        self.cancel_button.show()
        self.cancel_button.setEnabled(True)
        self.cancel_button.setFocus(Qt.FocusReason.OtherFocusReason)

        def work(cancel: threading.Event) -> BackupResult:
            return services.backup.create(actor, folder, progress=self._report, cancel=cancel)

        self._op = (
            Op(self, work)
            .success(self._on_done)
            .failure(self._on_failed)
            .cancelled(self._on_cancelled)
            .run()
        )

    def _report(self, phase: str, done: int, total: int) -> None:
        """On the worker: hand the step to the GUI thread only when the percent changes."""
        percent = done * 100 // total if total else 0
        if (phase, percent) == self._shown:
            return
        self._shown = (phase, percent)
        run_on_main(lambda: self._show_progress(phase, done, total, percent))

    def _show_progress(self, phase: str, done: int, total: int, percent: int) -> None:
        if not shiboken6.isValid(self) or not self.is_running():
            return  # closed meanwhile, or finished before this step arrived
        self.progress.setValue(percent)
        if phase == "database":
            self.status_label.setText(self.tr("Copying the database…"))
        else:
            self.status_label.setText(
                self.tr("Writing the files: %1 of %2")
                .replace("%1", str(done))
                .replace("%2", str(total))
            )

    def cancel(self) -> None:
        """Ask the work to stop at its next step; the dialog says so when it has."""
        if self._op is None:
            return
        self._op.cancel()
        self.cancel_button.setEnabled(False)
        self.status_label.setText(self.tr("Cancelling…"))

    def _finish(self) -> None:
        self._op = None
        self.progress.hide()
        self.cancel_button.hide()
        self.start_button.show()
        self.close_button.show()
        self.folder_button.setEnabled(True)

    def _on_done(self, result: BackupResult) -> None:
        self._finish()
        self.result_path = result.path
        size = f"{result.size / 1e6:.1f}"
        self.status_label.setText(
            self.tr("Backup written: %1 (%2 MB) in %3.")
            .replace("%1", result.path.name)
            .replace("%2", size)
            .replace("%3", str(result.path.parent))
        )
        self.start_button.setEnabled(False)  # one backup per dialog: a second needs a new name
        self.close_button.setFocus(Qt.FocusReason.OtherFocusReason)
        self.close_button.setDefault(True)

    def _on_failed(self, exc: BaseException) -> bool:
        self._finish()
        self.status_label.setText("")
        self.error_label.setText(error_text(exc))
        self.error_label.show()
        self.folder_button.setFocus(Qt.FocusReason.OtherFocusReason)
        return True  # shown here, next to the folder

    def _on_cancelled(self) -> None:
        self._finish()
        self.status_label.setText(self.tr("Cancelled: nothing was written."))
        self.start_button.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- closing --------------------------------------------------------------------------

    def reject(self) -> None:
        """Esc or Close: while the backup runs, cancel it instead (the dialog stays until the
        worker has stopped)."""
        if self.is_running():
            self.cancel()
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.is_running():
            self.cancel()
            event.ignore()
            return
        super().closeEvent(event)
