"""Staff accounts: the administrator adds the people who work here and looks after their accounts.

The page lists every account (name, username, role, whether it is switched on) and offers:

- **Add staff member…** (Alt+A): a dialog for the full name, username, role, and a first
  password typed twice. The person signs in with it at once.
- **Reset password…** (Alt+R): a new password for someone who forgot theirs (typed twice).
- **Switch off / Switch on account** (Alt+W): someone who has left cannot sign in any more;
  their records stay. An administrator cannot switch off their own account.

Below the table, **This PC's security**:

- **Lock this PC after N minutes without use** (Alt+L reaches the number, Alt+S saves it):
  ``auth.lock_after_minutes`` / ``auth.set_lock_after_minutes`` (``MANAGE_SETTINGS``). The
  main window reads it when it opens, so a new value applies from the next sign-in.
- **Make a new recovery key…** (Alt+N; only on an encrypted data folder, ``services.keys``):
  after a confirmation, ``keys.new_recovery_secret`` (``MANAGE_USERS``) and the new key shown
  once in ``RecoveryKeyDialog``, which must be acknowledged. The old key stops working.
- **Back up now…** (Alt+B; only on an encrypted data folder, ``services.backup.available``):
  ``BackupDialog`` (a folder, then the backup on a worker with progress and Cancel;
  ``Permission.BACKUP``). ``choose_backup_folder`` is the folder chooser it gets (tests
  replace it).
- **Scheduled backups** (Alt+V every N days, Alt+P how many to keep, Alt+F the folder, Alt+H
  save; on an encrypted data folder only): ``app.ui.backup_schedule_box.BackupScheduleBox``,
  with what the last scheduled backup did.

Every call goes through ``Op``; refusals from the services (``auth.*``, ``permission.denied``)
appear inside the dialog, next to what was typed, in the interface language. The services
check the permission again (``MANAGE_USERS``): the page is only built for administrators.

Keyboard: the buttons have mnemonics, the table takes ↑/↓, dialogs submit with Enter and close
with Esc. Sizes come from the font, so the page stays whole at 150 % text. GUI thread only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QCoreApplication,
    QItemSelection,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QCloseEvent, QColor, QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.domain.ids import UserId
from app.domain.models import Role, User
from app.services.auth import DEFAULT_LOCK_AFTER_MINUTES, LOCK_AFTER_RANGE
from app.ui.backup_dialog import BackupDialog, FolderChooser, ask_for_folder
from app.ui.backup_schedule_box import BackupScheduleBox
from app.ui.messages import error_text
from app.ui.recovery_key_dialog import RecoveryKeyDialog
from app.ui.tasks import Op
from app.ui.widgets.scroll import FittingScrollArea
from app.ui.widgets.tables import record_table
from app.ui.widgets.text import WrappingLabel, heading_label

if TYPE_CHECKING:
    from app.ui.navigation import Navigator
    from app.ui.session import Session

_CTX = "UsersPage"

# The roles an account can have, in the order the dialog offers them (the commonest first).
ROLE_LABELS: dict[Role, str] = {
    Role.PARAMEDIC: QT_TRANSLATE_NOOP("UsersPage", "Paramedic"),
    Role.GENERALIST: QT_TRANSLATE_NOOP("UsersPage", "Doctor (generalist)"),
    Role.ADMIN: QT_TRANSLATE_NOOP("UsersPage", "Administrator (field IT)"),
}

_HEADERS = (
    QT_TRANSLATE_NOOP("UsersPage", "Name"),
    QT_TRANSLATE_NOOP("UsersPage", "Username"),
    QT_TRANSLATE_NOOP("UsersPage", "Role"),
    QT_TRANSLATE_NOOP("UsersPage", "Account"),
)

ModelIndex = QModelIndex | QPersistentModelIndex

INACTIVE_FG = "#7b8794"


def _t(text: str) -> str:
    return QCoreApplication.translate(_CTX, text)


def role_label(role: Role | str) -> str:
    """The translated, capitalised name of a role, as the staff page shows it."""
    key = Role(str(role)) if str(role) in {r.value for r in Role} else None
    return _t(ROLE_LABELS[key]) if key is not None else str(role)


class StaffTableModel(QAbstractTableModel):
    """The accounts the last ``list_users`` returned; it never queries anything itself."""

    NAME, USERNAME, ROLE, STATUS = range(4)

    def __init__(self, me: UserId, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._me = me
        self._users: list[User] = []

    def set_users(self, users: list[User]) -> None:
        self.beginResetModel()
        self._users = list(users)
        self.endResetModel()

    def user_at(self, row: int) -> User | None:
        return self._users[row] if 0 <= row < len(self._users) else None

    def row_of(self, user_id: UserId) -> int:
        return next((i for i, u in enumerate(self._users) if u.id == user_id), -1)

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._users)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(_HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return _t(_HEADERS[section])
        return None

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        user = self.user_at(index.row())
        if user is None:
            return None
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == self.NAME:
                if user.id == self._me:
                    return QCoreApplication.translate("UsersPage", "%1 (you)").replace(
                        "%1", user.display_name
                    )
                return user.display_name
            if col == self.USERNAME:
                return user.username
            if col == self.ROLE:
                return role_label(user.role)
            if col == self.STATUS:
                if user.active:
                    return QCoreApplication.translate("UsersPage", "Switched on")
                return QCoreApplication.translate("UsersPage", "Switched off")
        if role == Qt.ItemDataRole.ForegroundRole and not user.active:
            return QColor(INACTIVE_FG)
        return None


class UsersPage(QWidget):
    def __init__(
        self, session: Session, navigator: Navigator, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("UsersPage")
        self._session = session
        self._navigator = navigator
        self._loading = False
        self._reload_again = False
        self._select_after_load: UserId | None = None
        self.dialog: QDialog | None = None
        self.confirm_box: QMessageBox | None = None
        self.recovery_dialog: RecoveryKeyDialog | None = None
        self.backup_dialog: BackupDialog | None = None
        self.choose_backup_folder: FolderChooser = ask_for_folder
        self._lock_busy = False
        self._recovery_busy = False

        heading = heading_label(self.tr("Staff accounts"), 1)
        intro = WrappingLabel(
            self.tr(
                "Add the paramedics and doctors who work here; each signs in with their own "
                "username and password. Switch off the account of someone who has left: their "
                "records stay. Someone who forgot their password gets a new one here."
            )
        )
        intro.setObjectName("mutedText")
        intro.setMaximumWidth(self.fontMetrics().averageCharWidth() * 90)

        self.add_button = QPushButton(self.tr("&Add staff member…"))
        self.add_button.setObjectName("addStaff")
        self.add_button.setProperty("primary", True)
        self.add_button.clicked.connect(self.open_add_dialog)
        self.reset_button = QPushButton(self.tr("&Reset password…"))
        self.reset_button.setObjectName("resetPassword")
        self.reset_button.clicked.connect(self.open_reset_dialog)
        self.toggle_button = QPushButton(self.tr("S&witch off account"))
        self.toggle_button.setObjectName("toggleActive")
        self.toggle_button.clicked.connect(self.toggle_active)

        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.reset_button)
        buttons.addWidget(self.toggle_button)
        buttons.addStretch(1)

        self.model = StaffTableModel(session.user.id, self)
        self.table = record_table(self.model, "staffTable")
        self.table.setAccessibleName(self.tr("Staff accounts"))
        # Row height from the font: the default is a fixed pixel size that clips at 150 %.
        rows = self.table.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(int(self.table.fontMetrics().height() * 1.8))
        # A few rows stay in sight when the page is short: the security box below scrolls.
        self.table.setMinimumHeight(rows.defaultSectionSize() * 4)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(StaffTableModel.NAME, QHeaderView.ResizeMode.Stretch)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.table.activated.connect(lambda _index: self.open_reset_dialog())

        self.status_label = WrappingLabel()
        self.status_label.setObjectName("staffStatus")

        m = self.fontMetrics().height()
        layout = QVBoxLayout(self)
        layout.setSpacing(m // 2)
        layout.addWidget(heading)
        layout.addWidget(intro)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status_label)
        # The security box scrolls rather than clip when the page is short (150 % text on a
        # 768-pixel screen): keyboard focus scrolls it into view.
        security = FittingScrollArea(self._build_security_box())
        security.setObjectName("pcSecurityScroll")
        layout.addWidget(security)

        self.setTabOrder(self.table, self.add_button)
        self.setTabOrder(self.add_button, self.reset_button)
        self.setTabOrder(self.reset_button, self.toggle_button)
        self.setTabOrder(self.toggle_button, self.lock_spin)
        self.setTabOrder(self.lock_spin, self.lock_save_button)
        self.setTabOrder(self.lock_save_button, self.recovery_button)
        self.setTabOrder(self.recovery_button, self.backup_button)
        self.setTabOrder(self.backup_button, self.backup_schedule.first_widget())
        self._update_buttons()
        self.reload()
        self.load_lock_after()

    def _build_security_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("This PC's security"))
        box.setObjectName("pcSecurity")
        low, high = LOCK_AFTER_RANGE
        self.lock_spin = QSpinBox()
        self.lock_spin.setObjectName("lockAfterMinutes")
        self.lock_spin.setRange(low, high)
        self.lock_spin.setValue(DEFAULT_LOCK_AFTER_MINUTES)
        self.lock_spin.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.lock_spin.lineEdit().returnPressed.connect(self.save_lock_after)  # Enter saves
        self.lock_spin.setEnabled(False)  # until the stored value is read
        self.lock_spin.setAccessibleName(self.tr("Minutes without use before this PC locks"))
        lock_label = QLabel(self.tr("&Lock this PC after"))
        lock_label.setBuddy(self.lock_spin)
        minutes_label = QLabel(self.tr("minutes without use"))
        self.lock_save_button = QPushButton(self.tr("&Save"))
        self.lock_save_button.setObjectName("saveLockAfter")
        self.lock_save_button.setEnabled(False)
        self.lock_save_button.clicked.connect(self.save_lock_after)
        lock_row = QHBoxLayout()
        lock_row.addWidget(lock_label)
        lock_row.addWidget(self.lock_spin)
        lock_row.addWidget(minutes_label)
        lock_row.addWidget(self.lock_save_button)
        lock_row.addStretch(1)
        self.lock_note = WrappingLabel(
            self.tr("A new time applies from the next sign-in on this PC.")
        )
        self.lock_note.setObjectName("mutedText")
        self.lock_error = WrappingLabel()
        self.lock_error.setObjectName("errorText")
        self.lock_error.setAccessibleName(self.tr("Problem"))
        self.lock_error.hide()

        self.recovery_button = QPushButton(self.tr("Make a &new recovery key…"))
        self.recovery_button.setObjectName("newRecoveryKey")
        self.recovery_button.clicked.connect(self.confirm_new_recovery_key)
        self.recovery_note = WrappingLabel(
            self.tr(
                "The recovery key opens the clinic's data if every password is lost. Make a "
                "new one if it is lost or someone else has seen it."
            )
        )
        self.recovery_note.setObjectName("mutedText")
        recovery_row = QHBoxLayout()
        recovery_row.addWidget(self.recovery_button)
        recovery_row.addStretch(1)
        encrypted = self._session.services.keys is not None
        self.recovery_button.setVisible(encrypted)
        self.recovery_note.setVisible(encrypted)
        self.backup_button = QPushButton(self.tr("&Back up now…"))
        self.backup_button.setObjectName("backUpNow")
        self.backup_button.clicked.connect(self.open_backup_dialog)
        self.backup_note = WrappingLabel(
            self.tr(
                "A backup is one encrypted file of everything on this PC, for a USB drive: "
                "with it, field IT can set up a new PC if this one is lost or breaks."
            )
        )
        self.backup_note.setObjectName("mutedText")
        backup_row = QHBoxLayout()
        backup_row.addWidget(self.backup_button)
        backup_row.addStretch(1)
        can_back_up = self._session.services.backup.available
        self.backup_button.setVisible(can_back_up)
        self.backup_note.setVisible(can_back_up)
        # Backups on a schedule (app.ui.backup_schedule_box): the same folder chooser.
        self.backup_schedule = BackupScheduleBox(
            self._session, lambda parent: self.choose_backup_folder(parent)
        )
        self.backup_schedule.setVisible(can_back_up)

        m = self.fontMetrics().height()
        inner = QVBoxLayout(box)
        inner.setSpacing(m // 3)
        inner.addLayout(lock_row)
        inner.addWidget(self.lock_note)
        inner.addWidget(self.lock_error)
        inner.addSpacing(m // 3)
        inner.addWidget(self.recovery_note)
        inner.addLayout(recovery_row)
        inner.addSpacing(m // 3)
        inner.addWidget(self.backup_note)
        inner.addLayout(backup_row)
        inner.addWidget(self.backup_schedule)
        width = self.fontMetrics().averageCharWidth() * 90
        self.lock_note.setMaximumWidth(width)
        self.recovery_note.setMaximumWidth(width)
        self.backup_note.setMaximumWidth(width)
        return box

    # --- page protocol ----------------------------------------------------------------------

    def title(self) -> str:
        return self.tr("Staff accounts")

    def page_activated(self) -> None:
        target = self.table if self.model.rowCount() else self.add_button
        target.setFocus(Qt.FocusReason.OtherFocusReason)
        self.reload()

    # --- the list ----------------------------------------------------------------------------

    def reload(self, select: UserId | None = None) -> None:
        """Read the accounts again (off the GUI thread), keeping or moving the selection."""
        if select is not None:
            self._select_after_load = select
        if self._loading:
            self._reload_again = True  # something changed meanwhile: read once more after
            return
        self._loading = True
        auth, actor = self._session.services.auth, self._session.user
        (
            Op(self, lambda: auth.list_users(actor))
            .success(self._on_loaded)
            .failure(self._on_load_failed)
            .run()
        )

    def _on_loaded(self, users: list[User]) -> None:
        self._loading = False
        keep = self._select_after_load
        if keep is None:
            current = self.selected_user()
            keep = current.id if current is not None else None
        self._select_after_load = None
        had_focus = self.table.hasFocus()
        self.model.set_users(users)
        row = self.model.row_of(keep) if keep is not None else -1
        if self.model.rowCount():
            self.table.selectRow(max(row, 0))
        if had_focus or (keep is not None and row >= 0 and self.focusWidget() is None):
            self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        active = sum(1 for u in users if u.active)
        self.status_label.setText(
            self.tr("%n account(s) switched on", "", active)
            + (
                " · " + self.tr("%n switched off", "", len(users) - active)
                if active < len(users)
                else ""
            )
        )
        self._update_buttons()
        if self._reload_again:
            self._reload_again = False
            self.reload()

    def _on_load_failed(self, exc: BaseException) -> bool:
        self._loading = False
        self._reload_again = False
        self.status_label.setText(error_text(exc))
        return True

    def selected_user(self) -> User | None:
        index = self.table.currentIndex()
        return self.model.user_at(index.row()) if index.isValid() else None

    def select_username(self, username: str) -> bool:
        """Select the row of ``username`` (for the keyboard and for tests)."""
        for row in range(self.model.rowCount()):
            user = self.model.user_at(row)
            if user is not None and user.username == username:
                self.table.selectRow(row)
                return True
        return False

    def is_loading(self) -> bool:
        return self._loading

    def _on_selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self._update_buttons()

    def _update_buttons(self) -> None:
        user = self.selected_user()
        self.reset_button.setEnabled(user is not None)
        if user is not None and not user.active:
            self.toggle_button.setText(self.tr("S&witch on account"))
        else:
            self.toggle_button.setText(self.tr("S&witch off account"))
        own = user is not None and user.id == self._session.user.id
        self.toggle_button.setEnabled(user is not None and not own)
        self.toggle_button.setToolTip(
            self.tr("You cannot switch off your own account.") if own else ""
        )

    # --- actions -----------------------------------------------------------------------------

    def open_add_dialog(self) -> None:
        dialog = AddStaffDialog(self._session, self)
        dialog.created.connect(self._on_created)
        self._open(dialog)

    def open_reset_dialog(self) -> None:
        user = self.selected_user()
        if user is None:
            return
        dialog = ResetPasswordDialog(self._session, user, self)
        dialog.done_for.connect(self._on_password_reset)
        self._open(dialog)

    def _open(self, dialog: QDialog) -> None:
        if self.dialog is not None:
            self.dialog.deleteLater()
        self.dialog = dialog
        dialog.finished.connect(lambda _result: self.table.setFocus())
        dialog.open()

    def _on_created(self, user: User) -> None:
        self.reload(select=user.id)
        self._navigator.status_message(
            self.tr("Account added for %1 (%2). They can sign in now.")
            .replace("%1", user.display_name)
            .replace("%2", user.username)
        )

    def _on_password_reset(self, user: User) -> None:
        self.reload(select=user.id)
        self._navigator.status_message(
            self.tr("New password saved for %1. Give it to them in person.").replace(
                "%1", user.display_name
            )
        )

    def toggle_active(self) -> None:
        user = self.selected_user()
        if user is None or user.id == self._session.user.id:
            return
        auth, actor, switch_on = self._session.services.auth, self._session.user, not user.active
        self.toggle_button.setEnabled(False)
        (
            Op(self, lambda: auth.set_active(actor, user.id, switch_on))
            .success(self._on_toggled)
            .failure(self._on_toggle_failed)
            .run()
        )

    def _on_toggled(self, user: User) -> None:
        if user.active:
            text = self.tr("%1 can sign in again.")
        else:
            text = self.tr("%1's account is switched off: they can no longer sign in.")
        self.reload(select=user.id)
        self._navigator.status_message(text.replace("%1", user.display_name))

    def _on_toggle_failed(self, _exc: BaseException) -> bool:
        self._update_buttons()
        return False  # not handled: shown in a message box

    # --- this PC's security ------------------------------------------------------------------

    def load_lock_after(self) -> None:
        """Read the stored idle time into the spin box (off the GUI thread)."""
        self._lock_busy = True
        (
            Op(self, self._session.services.auth.lock_after_minutes)
            .success(self._on_lock_after_loaded)
            .failure(self._on_lock_failed)
            .run()
        )

    def _on_lock_after_loaded(self, minutes: int) -> None:
        self._lock_busy = False
        self.lock_spin.setValue(minutes)
        self._set_lock_enabled(True)

    def _set_lock_enabled(self, enabled: bool) -> None:
        had_focus = self.lock_spin.hasFocus() or self.lock_save_button.hasFocus()
        self.lock_spin.setEnabled(enabled)
        self.lock_save_button.setEnabled(enabled)
        if enabled and had_focus:
            self.lock_spin.setFocus(Qt.FocusReason.OtherFocusReason)

    def is_lock_busy(self) -> bool:
        return self._lock_busy

    def save_lock_after(self) -> None:
        if self._lock_busy:
            return
        self.lock_error.hide()
        auth, actor, minutes = (
            self._session.services.auth,
            self._session.user,
            self.lock_spin.value(),
        )
        self._lock_busy = True
        self._set_lock_enabled(False)
        (
            Op(self, lambda: auth.set_lock_after_minutes(actor, minutes))
            .success(self._on_lock_after_saved)
            .failure(self._on_lock_failed)
            .run()
        )

    def _on_lock_after_saved(self, minutes: int) -> None:
        self._lock_busy = False
        self.lock_spin.setValue(minutes)
        self._set_lock_enabled(True)
        self._navigator.status_message(
            self.tr(
                "This PC will lock after %n minute(s) without use, from the next sign-in.",
                "",
                minutes,
            )
        )

    def _on_lock_failed(self, exc: BaseException) -> bool:
        self._lock_busy = False
        self._set_lock_enabled(True)
        self.lock_error.setText(error_text(exc))
        self.lock_error.show()
        self.lock_spin.setFocus(Qt.FocusReason.OtherFocusReason)
        self.lock_spin.selectAll()
        return True

    def confirm_new_recovery_key(self) -> None:
        """Ask first: the old recovery key stops working once a new one is made."""
        if self._session.services.keys is None or self._recovery_busy:
            return
        if self.confirm_box is not None:
            return
        box = QMessageBox(self)
        box.setObjectName("newRecoveryKeyBox")
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(self.tr("New recovery key"))
        box.setText(self.tr("The old recovery key will stop working. Make a new one?"))
        make = box.addButton(self.tr("&Make a new key"), QMessageBox.ButtonRole.DestructiveRole)
        make.setObjectName("confirmNewRecoveryKey")
        cancel = box.addButton(self.tr("Cancel"), QMessageBox.ButtonRole.RejectRole)
        cancel.setObjectName("cancelNewRecoveryKey")
        box.setDefaultButton(cancel)  # Enter on a slip must not replace the key
        box.setEscapeButton(cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(lambda _r: self._on_recovery_confirmed(box))
        self.confirm_box = box
        box.open()  # not exec(): no nested event loop

    def _on_recovery_confirmed(self, box: QMessageBox) -> None:
        self.confirm_box = None
        clicked = box.clickedButton()
        keys = self._session.services.keys
        if keys is None or clicked is None or clicked.objectName() != "confirmNewRecoveryKey":
            self.recovery_button.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        actor = self._session.user
        self._recovery_busy = True
        self.recovery_button.setEnabled(False)
        (
            Op(self, lambda: keys.new_recovery_secret(actor))
            .success(self._on_new_recovery_key)
            .failure(self._on_recovery_failed)
            .run()
        )

    def is_recovery_busy(self) -> bool:
        return self._recovery_busy

    def _on_new_recovery_key(self, secret: str) -> None:
        dialog = RecoveryKeyDialog(secret, self)
        self.recovery_dialog = dialog

        def closed(_result: int) -> None:
            self.recovery_dialog = None
            self._recovery_busy = False
            self.recovery_button.setEnabled(True)
            self.recovery_button.setFocus(Qt.FocusReason.OtherFocusReason)
            dialog.deleteLater()
            self._navigator.status_message(
                self.tr("A new recovery key is made; the old one no longer works.")
            )

        dialog.finished.connect(closed)
        dialog.open()

    def _on_recovery_failed(self, _exc: BaseException) -> bool:
        self._recovery_busy = False
        self.recovery_button.setEnabled(True)
        return False  # not handled: shown in a message box

    def open_backup_dialog(self) -> None:
        if self.backup_dialog is not None or not self._session.services.backup.available:
            return
        dialog = BackupDialog(self._session, self, choose_folder=self.choose_backup_folder)
        self.backup_dialog = dialog

        def closed(_result: int) -> None:
            self.backup_dialog = None
            self.backup_button.setFocus(Qt.FocusReason.OtherFocusReason)
            if dialog.result_path is not None:
                self._navigator.status_message(
                    self.tr("Backup written: %1").replace("%1", dialog.result_path.name)
                )
            dialog.deleteLater()

        dialog.finished.connect(closed)
        dialog.open()


class _AccountDialog(QDialog):
    """A small form with one error line and Save / Cancel; the Save work runs through Op."""

    password_edit: QLineEdit  # made by each dialog, in its own place in the form
    confirm_edit: QLineEdit

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self._busy = False
        self.setModal(True)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.error_label = WrappingLabel()
        self.error_label.setObjectName("errorText")
        self.error_label.setAccessibleName(self.tr("Problem"))
        self.error_label.hide()
        self.buttons = QDialogButtonBox()
        self.save_button = self.buttons.addButton(
            self.tr("&Save"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.save_button.setObjectName("saveButton")
        self.save_button.setDefault(True)
        self.save_button.setProperty("primary", True)
        self.cancel_button = self.buttons.addButton(
            self.tr("Cancel"), QDialogButtonBox.ButtonRole.RejectRole
        )
        self.cancel_button.setObjectName("cancelButton")
        self.save_button.clicked.connect(self.submit)
        self.cancel_button.clicked.connect(self.reject)
        self.intro: QLabel | None = None

    def _finish_layout(self) -> None:
        m = self.fontMetrics().height()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(m, m, m, m)
        layout.setSpacing(m // 2)
        if self.intro is not None:
            layout.addWidget(self.intro)
        layout.addLayout(self.form)
        layout.addWidget(self.error_label)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(28 * m)

    def _row(self, text: str, field: QWidget) -> None:
        label = QLabel(text)
        label.setBuddy(field)
        self.form.addRow(label, field)

    @staticmethod
    def _password_field(name: str) -> QLineEdit:
        field = QLineEdit()
        field.setObjectName(name)
        field.setEchoMode(QLineEdit.EchoMode.Password)
        return field

    def submit(self) -> None:
        raise NotImplementedError

    def show_error(self, text: str, focus: QLineEdit | QComboBox) -> None:
        self.error_label.setText(text)
        self.error_label.show()
        focus.setFocus(Qt.FocusReason.OtherFocusReason)
        if isinstance(focus, QLineEdit):
            focus.selectAll()

    def error(self) -> str:
        """The problem shown, or "" (for tests)."""
        return self.error_label.text() if not self.error_label.isHidden() else ""

    def passwords_match(self) -> bool:
        """False (and the person told so) when the confirmation differs."""
        if self.password_edit.text() == self.confirm_edit.text():
            return True
        self.confirm_edit.clear()
        self.show_error(
            self.tr("The two passwords are not the same. Type the password again."),
            self.confirm_edit,
        )
        return False

    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        for widget in self.findChildren(QWidget):
            if isinstance(widget, QLineEdit | QComboBox | QPushButton):
                widget.setEnabled(not busy)

    def is_busy(self) -> bool:
        return self._busy

    def reject(self) -> None:
        if not self._busy:  # the save is under way: let it finish and report
            super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._busy:
            event.ignore()
            return
        super().closeEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self._busy and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            return
        super().keyPressEvent(event)


class AddStaffDialog(_AccountDialog):
    """Full name, username, role and a first password (twice) for a new account."""

    created = Signal(object)  # User

    def __init__(self, session: Session, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("AddStaffDialog")
        self._session = session
        self.setWindowTitle(self.tr("Add staff member"))

        self.intro = WrappingLabel(
            self.tr(
                "The new member of staff signs in with this username and password. Tell them "
                "the password in person; they can change it later."
            )
        )
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("staffName")
        self.username_edit = QLineEdit()
        self.username_edit.setObjectName("staffUsername")
        self.username_edit.setPlaceholderText(self.tr("e.g. asha.devi"))
        self.role_combo = QComboBox()
        self.role_combo.setObjectName("staffRole")
        for role, text in ROLE_LABELS.items():
            self.role_combo.addItem(_t(text), role.value)
        self.password_edit = self._password_field("staffPassword")
        self.password_edit.setPlaceholderText(self.tr("at least 8 characters"))
        self.confirm_edit = self._password_field("staffConfirm")

        self._row(self.tr("Full &name:"), self.name_edit)
        self._row(self.tr("&Username:"), self.username_edit)
        self._row(self.tr("&Role:"), self.role_combo)
        self._row(self.tr("&Password:"), self.password_edit)
        self._row(self.tr("&Confirm password:"), self.confirm_edit)
        self.save_button.setText(self.tr("&Add account"))
        self._finish_layout()
        QWidget.setTabOrder(self.name_edit, self.username_edit)
        QWidget.setTabOrder(self.username_edit, self.role_combo)
        QWidget.setTabOrder(self.role_combo, self.password_edit)
        QWidget.setTabOrder(self.password_edit, self.confirm_edit)
        QWidget.setTabOrder(self.confirm_edit, self.save_button)
        QWidget.setTabOrder(self.save_button, self.cancel_button)
        self.name_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def role(self) -> Role:
        return Role(str(self.role_combo.currentData()))

    def submit(self) -> None:
        if self._busy:
            return
        name = self.name_edit.text().strip()
        username = self.username_edit.text().strip()
        password = self.password_edit.text()
        if not name:
            self.show_error(self.tr("Enter the person's full name."), self.name_edit)
            return
        if not username:
            self.show_error(self.tr("Choose a username."), self.username_edit)
            return
        if not password:
            self.show_error(self.tr("Type a first password for them."), self.password_edit)
            return
        if not self.passwords_match():
            return
        self.error_label.hide()
        self.set_busy(True)
        auth, actor, role = self._session.services.auth, self._session.user, self.role()
        (
            Op(self, lambda: auth.create_user(actor, username, name, role, password))
            .success(self._on_created)
            .failure(self._on_failed)
            .run()
        )

    def _on_created(self, user: User) -> None:
        self.set_busy(False)
        self.password_edit.clear()
        self.confirm_edit.clear()
        self.created.emit(user)
        self.accept()

    def _on_failed(self, exc: BaseException) -> bool:
        self.set_busy(False)
        code = str(getattr(exc, "code", ""))
        focus: QLineEdit | QComboBox = self.name_edit
        if code.startswith("auth.username"):
            focus = self.username_edit
        elif code.startswith("auth.password"):
            self.password_edit.clear()
            self.confirm_edit.clear()
            focus = self.password_edit
        elif code == "permission.denied":
            focus = self.role_combo
        self.show_error(error_text(exc), focus)
        return True


class ResetPasswordDialog(_AccountDialog):
    """A new password (twice) for someone else's account; the old one is not needed."""

    done_for = Signal(object)  # User

    def __init__(self, session: Session, user: User, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("ResetPasswordDialog")
        self._session = session
        self._user = user
        self.setWindowTitle(self.tr("Reset password"))
        self.intro = WrappingLabel(
            self.tr(
                "A new password for %1 (%2). The old one stops working. Tell them the new "
                "one in person."
            )
            .replace("%1", user.display_name)
            .replace("%2", user.username)
        )
        self.password_edit = self._password_field("newPassword")
        self.password_edit.setPlaceholderText(self.tr("at least 8 characters"))
        self.confirm_edit = self._password_field("confirmPassword")
        self._row(self.tr("New &password:"), self.password_edit)
        self._row(self.tr("&Confirm password:"), self.confirm_edit)
        self.save_button.setText(self.tr("&Save new password"))
        self._finish_layout()
        QWidget.setTabOrder(self.password_edit, self.confirm_edit)
        QWidget.setTabOrder(self.confirm_edit, self.save_button)
        QWidget.setTabOrder(self.save_button, self.cancel_button)
        self.password_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def submit(self) -> None:
        if self._busy:
            return
        password = self.password_edit.text()
        if not password:
            self.show_error(self.tr("Type the new password."), self.password_edit)
            return
        if not self.passwords_match():
            return
        self.error_label.hide()
        self.set_busy(True)
        auth, actor, target = self._session.services.auth, self._session.user, self._user.id
        (
            Op(self, lambda: auth.reset_password(actor, target, password))
            .success(self._on_saved)
            .failure(self._on_failed)
            .run()
        )

    def _on_saved(self, user: User) -> None:
        self.set_busy(False)
        self.password_edit.clear()
        self.confirm_edit.clear()
        self.done_for.emit(user)
        self.accept()

    def _on_failed(self, exc: BaseException) -> bool:
        self.set_busy(False)
        self.password_edit.clear()
        self.confirm_edit.clear()
        self.show_error(error_text(exc), self.password_edit)
        return True
