"""Devices: which peripherals are paired with this PC, and whether they are ready.

Everyone signed in sees the table: each paired device's name, kind ("Bedside monitor (HL7)"),
address (port, Bluetooth address or listen address), connection (words and a colour, never
the colour alone; a problem says what is wrong), its last reading and its latest complaint.
The connection updates live from ``DeviceEvents.status_changed`` (no polling). The last
reading comes from the running device (``DeviceStatus.last``), or after a restart from the
summary stored with the pairing (``summary_values``). Administrators see no clinical data:
for them the last reading is only its time.

Field IT (administrators, ``Permission.MANAGE_DEVICES``) also get:

- **Pair a device…** (Alt+P): ``app.ui.pair_dialog.PairDialog``.
- **Rename…** (Alt+N, or Enter on a row): a new label staff will recognise.
- **Forget** (Alt+F): after a confirmation, the device stops being read; readings already
  kept in cases stay.

The services check the permission again, so a paramedic is refused even without the buttons.
Below the table, the paramedic reads what to do when a device shows a problem.

Every service call goes through ``Op``; the GUI thread never waits on a device. Sizes come
from the font, so the page stays whole at 150 % text. GUI thread only.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QCoreApplication,
    QEvent,
    QItemSelection,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QCloseEvent, QColor, QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.devices import PairedDevice
from app.services.devices import ConnectionState, DeviceKind, DeviceStatus, summary_values
from app.ui import clinical_text as ct
from app.ui.device_events import DeviceEvents
from app.ui.messages import error_text
from app.ui.pair_dialog import PairDialog, kind_label, name_required_text
from app.ui.tasks import Op
from app.ui.widgets.tables import record_table
from app.ui.widgets.text import WrappingLabel, heading_label

if TYPE_CHECKING:
    from app.ui.navigation import Navigator
    from app.ui.session import Session

_CTX = "DevicesPage"

# What the paramedic looks for first (is it connected, what did it read) comes first; the
# address, which only field IT needs, last.
_HEADERS = (
    QT_TRANSLATE_NOOP("DevicesPage", "Name"),
    QT_TRANSLATE_NOOP("DevicesPage", "Kind"),
    QT_TRANSLATE_NOOP("DevicesPage", "Connection"),
    QT_TRANSLATE_NOOP("DevicesPage", "Last reading"),
    QT_TRANSLATE_NOOP("DevicesPage", "Latest problem"),
    QT_TRANSLATE_NOOP("DevicesPage", "Address"),
)

STATE_TEXT: dict[str, str] = {
    ConnectionState.CONNECTED: QT_TRANSLATE_NOOP("DevicesPage", "Connected"),
    ConnectionState.CONNECTING: QT_TRANSLATE_NOOP("DevicesPage", "Connecting…"),
    ConnectionState.DISCONNECTED: QT_TRANSLATE_NOOP("DevicesPage", "Not connected"),
    ConnectionState.ERROR: QT_TRANSLATE_NOOP("DevicesPage", "Problem"),
}
# A monitor connects to us: "connected" means our listener is up and waiting for it.
HL7_CONNECTED = QT_TRANSLATE_NOOP("DevicesPage", "Listening")

# (background, text) pairs with at least 4.5:1 contrast, as the case badges use.
STATE_COLOURS: dict[str, tuple[str, str]] = {
    ConnectionState.CONNECTED: ("#dcf3e2", "#0d5223"),
    ConnectionState.CONNECTING: ("#fff4d6", "#5c3d00"),
    ConnectionState.DISCONNECTED: ("#e8eaed", "#3c4043"),
    ConnectionState.ERROR: ("#fde2e1", "#8a1c14"),
}

ModelIndex = QModelIndex | QPersistentModelIndex

# The most characters a column is widened to before its texts are elided, by column.
COLUMN_CHARS = (26, 28, 36, 36, 30, 22)
# How readily each column gives up width when the table is too narrow for everything: the
# name and the connection, what the paramedic looks for, least.
_SHRINK_WEIGHT = (0.25, 0.8, 0.6, 1.0, 1.0, 1.0)


def _t(text: str) -> str:
    return QCoreApplication.translate(_CTX, text)


def state_text(kind: str, state: str, detail: str = "") -> str:
    """ "Connected", "Listening", or "Problem: port 2575 is already in use …"."""
    if state == ConnectionState.CONNECTED and kind == DeviceKind.HL7:
        return _t(HL7_CONNECTED)
    text = _t(STATE_TEXT.get(state, STATE_TEXT[ConnectionState.DISCONNECTED]))
    if state == ConnectionState.ERROR and detail:
        # The detail comes from the driver, in English: what field IT needs to read.
        text = QCoreApplication.translate("DevicesPage", "Problem: %1").replace("%1", detail)
    return text


def state_colours(state: str) -> tuple[QColor, QColor]:
    bg, fg = STATE_COLOURS.get(state, STATE_COLOURS[ConnectionState.DISCONNECTED])
    return QColor(bg), QColor(fg)


def values_text(values: Iterable[tuple[str, float, str]]) -> str:
    """ "SpO₂ 97 %, Pulse 72 /min" for (code, value, unit) triples."""
    return ", ".join(f"{ct.vital_name(c)} {ct.format_quantity(v, u)}" for c, v, u in values)


def when_text(moment: datetime, today: datetime) -> str:
    """The time of a reading; with the date when it was not today."""
    same_day = moment.astimezone().date() == today.astimezone().date()
    return ct.local_time(moment, with_date=not same_day)


class DeviceTableModel(QAbstractTableModel):
    """The paired devices the last load returned, with their live state from the events."""

    NAME, KIND, STATE, LAST, PROBLEM, ADDRESS = range(6)

    def __init__(
        self, clinical: bool, now: Callable[[], datetime], parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._clinical = clinical  # only clinical roles see reading values
        self._now = now
        self._devices: list[PairedDevice] = []
        # Kept across loads: the events are newer than any snapshot read before them.
        self._status: dict[str, DeviceStatus] = {}
        self._problems: dict[str, str] = {}

    # --- feeding ---------------------------------------------------------------------------

    def set_devices(
        self, devices: Sequence[PairedDevice], statuses: Iterable[DeviceStatus]
    ) -> None:
        self.beginResetModel()
        self._devices = list(devices)
        keep = {d.id for d in self._devices}
        for status in statuses:
            self._status.setdefault(status.spec.device_id, status)
        self._status = {k: v for k, v in self._status.items() if k in keep}
        self._problems = {k: v for k, v in self._problems.items() if k in keep}
        self.endResetModel()

    def update_status(self, status: DeviceStatus) -> bool:
        """Take a status from the device thread; False when the device is not listed."""
        device_id = status.spec.device_id
        self._status[device_id] = status
        if status.problem:
            self._problems[device_id] = status.problem
        row = self.row_of(device_id)
        if row < 0:
            return False
        self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))
        return True

    def set_problem(self, device_id: str, message: str) -> None:
        self._problems[device_id] = message
        row = self.row_of(device_id)
        if row >= 0:
            cell = self.index(row, self.PROBLEM)
            self.dataChanged.emit(cell, cell)

    # --- reading ---------------------------------------------------------------------------

    def device_at(self, row: int) -> PairedDevice | None:
        return self._devices[row] if 0 <= row < len(self._devices) else None

    def row_of(self, device_id: str) -> int:
        return next((i for i, d in enumerate(self._devices) if d.id == device_id), -1)

    def devices(self) -> list[PairedDevice]:
        return list(self._devices)

    def status_of(self, device_id: str) -> DeviceStatus | None:
        return self._status.get(device_id)

    def state_of(self, device_id: str) -> str:
        status = self._status.get(device_id)
        return str(ConnectionState.DISCONNECTED if status is None else status.state)

    def problem_of(self, device_id: str) -> str:
        return self._problems.get(device_id, "")

    def connection_text(self, device: PairedDevice) -> str:
        status = self._status.get(device.id)
        if status is None:
            return state_text(device.kind, ConnectionState.DISCONNECTED)
        return state_text(device.kind, status.state, status.detail)

    def last_text(self, device: PairedDevice) -> str:
        """The last reading: values and time for clinical staff, the time alone for IT."""
        status = self._status.get(device.id)
        reading = None if status is None else status.last
        today = self._now()
        if reading is not None:
            when = when_text(reading.received_at, today)
            values = [(r.code, r.value, r.unit) for r in reading.measurement.readings]
            live = not reading.final
        elif device.last_reading_at is not None:
            when = when_text(device.last_reading_at, today)
            values = summary_values(device)
            live = False
        else:
            return ""
        if live:
            when = QCoreApplication.translate("DevicesPage", "measuring now (%1)").replace(
                "%1", when
            )
        if not self._clinical or not values:
            return when
        return f"{values_text(values)} · {when}"

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._devices)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(_HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return _t(_HEADERS[section])
        return None

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        device = self.device_at(index.row())
        if device is None:
            return None
        col = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            text = self._text(device, col)
            if role == Qt.ItemDataRole.ToolTipRole:
                if col == self.ADDRESS and device.options:
                    options = ", ".join(f"{k}={v}" for k, v in sorted(device.options.items()))
                    return f"{device.address} ({options})"
                if col == self.STATE:
                    status = self._status.get(device.id)
                    detail = "" if status is None else status.detail
                    return f"{text} — {detail}" if detail and detail not in text else text
                return text or None
            return text
        if col == self.STATE and role in (
            Qt.ItemDataRole.BackgroundRole,
            Qt.ItemDataRole.ForegroundRole,
        ):
            bg, fg = state_colours(self.state_of(device.id))
            return bg if role == Qt.ItemDataRole.BackgroundRole else fg
        return None

    def _text(self, device: PairedDevice, col: int) -> str:
        if col == self.NAME:
            return device.name
        if col == self.KIND:
            return kind_label(device.kind)
        if col == self.ADDRESS:
            return device.address
        if col == self.STATE:
            return self.connection_text(device)
        if col == self.LAST:
            return self.last_text(device)
        if col == self.PROBLEM:
            return self.problem_of(device.id)
        return ""


class DevicesPage(QWidget):
    def __init__(
        self, session: Session, navigator: Navigator, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("DevicesPage")
        self._session = session
        self._navigator = navigator
        self._devices = session.services.devices
        self._manages = session.manages_devices
        self._loading = False
        self._loaded = False
        self._reload_again = False
        self._select_after_load: str | None = None
        self.dialog: QDialog | None = None
        self.confirm_box: QMessageBox | None = None

        heading = heading_label(self.tr("Devices"), 1)
        if self._manages:
            intro_text = self.tr(
                "The BP monitors, oximeters, scales, thermometers, glucometers and bedside "
                "monitors paired with this PC. Pair each one once; its readings then reach the "
                "case form by themselves."
            )
        else:
            intro_text = self.tr(
                "The devices paired with this PC and whether they are ready. Their readings "
                "appear in the case form, where you keep or discard them."
            )
        intro = WrappingLabel(intro_text)
        intro.setObjectName("mutedText")
        intro.setMaximumWidth(self.fontMetrics().averageCharWidth() * 90)

        self.pair_button: QPushButton | None = None
        self.rename_button: QPushButton | None = None
        self.forget_button: QPushButton | None = None
        buttons = QHBoxLayout()
        if self._manages:
            self.pair_button = QPushButton(self.tr("&Pair a device…"))
            self.pair_button.setObjectName("pairDevice")
            self.pair_button.setProperty("primary", True)
            self.pair_button.clicked.connect(self.open_pair_dialog)
            self.rename_button = QPushButton(self.tr("Re&name…"))
            self.rename_button.setObjectName("renameDevice")
            self.rename_button.clicked.connect(self.open_rename_dialog)
            self.forget_button = QPushButton(self.tr("&Forget"))
            self.forget_button.setObjectName("forgetDevice")
            self.forget_button.clicked.connect(self.forget_selected)
            buttons.addWidget(self.pair_button)
            buttons.addWidget(self.rename_button)
            buttons.addWidget(self.forget_button)
            buttons.addStretch(1)

        self.empty_label = WrappingLabel()
        self.empty_label.setObjectName("hintText")
        self.empty_label.hide()

        self.model = DeviceTableModel(session.is_clinical, session.services.clock, self)
        self.table = record_table(self.model, "devicesTable")
        self.table.setAccessibleName(self.tr("Paired devices"))
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        # Row height from the font: the default is a fixed pixel size that clips at 150 %.
        rows = self.table.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(int(self.table.fontMetrics().height() * 1.8))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setHighlightSections(False)  # bold headers would outgrow the widths set here
        self.table.viewport().installEventFilter(self)
        self._fit_columns()
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        if self._manages:
            self.table.activated.connect(lambda _index: self.open_rename_dialog())

        self.detail_label = WrappingLabel()
        self.detail_label.setObjectName("deviceDetail")
        self.detail_label.setTextFormat(Qt.TextFormat.PlainText)
        self.detail_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        if self._manages:
            hint = self.tr(
                "A device showing “Problem” says why in its Connection column. A cable moved "
                "to another USB socket gets a new port: forget the device and pair it again."
            )
        else:
            hint = self.tr(
                "If a device shows “Problem” or stays “Not connected”: check that it is "
                "switched on and its batteries are charged, and that its cable is plugged in "
                "firmly; it reconnects by itself. If the problem stays, ask field IT to pair "
                "it again. Until then, type the readings into the case form."
            )
        self.hint_label = WrappingLabel(hint)
        self.hint_label.setObjectName("hintText")

        self.status_label = WrappingLabel()
        self.status_label.setObjectName("devicesStatus")
        self.status_label.hide()

        m = self.fontMetrics().height()
        layout = QVBoxLayout(self)
        layout.setSpacing(m // 2)
        layout.addWidget(heading)
        layout.addWidget(intro)
        if self._manages:
            layout.addLayout(buttons)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.detail_label)
        layout.addWidget(self.hint_label)
        layout.addWidget(self.status_label)
        # Takes the space the table leaves when there is none, so nothing floats apart.
        layout.addStretch(0)
        self._layout = layout

        if self.pair_button and self.rename_button and self.forget_button:
            self.setTabOrder(self.table, self.pair_button)
            self.setTabOrder(self.pair_button, self.rename_button)
            self.setTabOrder(self.rename_button, self.forget_button)

        # Live state: the bridge re-emits the device thread's events on the GUI thread.
        self.events = DeviceEvents(self._devices, self)
        self.events.status_changed.connect(self.on_event_status_changed)
        self.events.problem.connect(self.on_event_problem)

        self._update_empty()
        self._update_buttons()
        self.reload()

    # --- page protocol ----------------------------------------------------------------------

    def title(self) -> str:
        return self.tr("Devices")

    def page_activated(self) -> None:
        target: QWidget | None = self.table if self.model.rowCount() else self.pair_button
        if target is not None:
            target.setFocus(Qt.FocusReason.OtherFocusReason)
        self.reload()

    # --- the list ----------------------------------------------------------------------------

    def reload(self, select: str | None = None) -> None:
        """Read the pairings and their state again (off the GUI thread)."""
        if select is not None:
            self._select_after_load = select
        if self._loading:
            self._reload_again = True
            return
        self._loading = True
        devices = self._devices
        (
            Op(self, lambda: (devices.paired(), devices.statuses()))
            .success(self._on_loaded)
            .failure(self._on_load_failed)
            .run()
        )

    def _on_loaded(self, result: tuple[list[PairedDevice], list[DeviceStatus]]) -> None:
        self._loading = False
        self._loaded = True
        devices, statuses = result
        keep = self._select_after_load
        if keep is None:
            current = self.selected_device()
            keep = current.id if current is not None else None
        self._select_after_load = None
        had_focus = self.table.hasFocus()
        self.model.set_devices(devices, statuses)
        self._fit_columns()
        row = self.model.row_of(keep) if keep is not None else -1
        if self.model.rowCount():
            self.table.selectRow(max(row, 0))
        if had_focus:
            self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        self.status_label.hide()
        self._update_empty()
        self._update_buttons()
        self._update_detail()
        if self._reload_again:
            self._reload_again = False
            self.reload()

    def _on_load_failed(self, exc: BaseException) -> bool:
        self._loading = False
        self._reload_again = False
        self.status_label.setText(error_text(exc))
        self.status_label.show()
        return True

    def _fit_columns(self) -> None:
        """Each column as wide as its header and its texts, up to a cap in characters; when
        the table is too narrow, the long columns (problem, reading, connection) give up
        width first, down to their header. Headers are never cut; long texts are elided and
        shown whole under the table for the selected device. The problem column is only
        shown while some device has a problem."""
        header = self.table.horizontalHeader()
        quiet = not any(self.model.problem_of(d.id) for d in self.model.devices())
        self.table.setColumnHidden(DeviceTableModel.PROBLEM, quiet)
        text_fm, header_fm = self.table.fontMetrics(), header.fontMetrics()
        pad = text_fm.height()
        char = text_fm.averageCharWidth()
        least: list[int] = []
        wanted: list[int] = []
        for col in range(self.model.columnCount()):
            title = str(self.model.headerData(col, Qt.Orientation.Horizontal) or "")
            widest = max(
                (
                    text_fm.horizontalAdvance(str(self.model.data(self.model.index(row, col))))
                    for row in range(self.model.rowCount())
                ),
                default=0,
            )
            if self.table.isColumnHidden(col):
                least.append(0)
                wanted.append(0)
                continue
            least.append(header_fm.horizontalAdvance(title) + pad)
            wanted.append(max(least[-1], min(widest, COLUMN_CHARS[col] * char) + pad))
        excess = sum(wanted) - self.table.viewport().width()
        spare = [
            (w - low) * weight for w, low, weight in zip(wanted, least, _SHRINK_WEIGHT, strict=True)
        ]
        if excess > 0 and sum(spare) > 0:
            share = min(1.0, excess / sum(spare))
            wanted = [
                max(low, w - math.ceil(s * share))
                for w, low, s in zip(wanted, least, spare, strict=True)
            ]
        for col, width in enumerate(wanted):
            if width:
                header.resizeSection(col, width)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.table.viewport() and event.type() == QEvent.Type.Resize:
            self._fit_columns()
        return super().eventFilter(watched, event)

    def is_loading(self) -> bool:
        return self._loading

    def is_loaded(self) -> bool:
        """True once the first load has arrived (for tests)."""
        return self._loaded

    def selected_device(self) -> PairedDevice | None:
        index = self.table.currentIndex()
        return self.model.device_at(index.row()) if index.isValid() else None

    def select_device(self, device_id: str) -> bool:
        row = self.model.row_of(device_id)
        if row >= 0:
            self.table.selectRow(row)
        return row >= 0

    def row_texts(self, device_id: str) -> list[str]:
        """What the row of ``device_id`` shows, column by column (for tests)."""
        row = self.model.row_of(device_id)
        if row < 0:
            return []
        return [
            str(self.model.data(self.model.index(row, col)) or "")
            for col in range(self.model.columnCount())
        ]

    # --- live events (GUI thread, through DeviceEvents) --------------------------------------

    def on_event_status_changed(self, status: DeviceStatus) -> None:
        device_id = status.spec.device_id
        before = self.model.status_of(device_id)
        shown = self.model.problem_of(device_id)
        if not self.model.update_status(status) and self._loaded:
            self.reload()  # paired meanwhile (another window, the command line)
        # Widths follow a new state or problem, not every live value (no jitter).
        if (
            before is None
            or (before.state, before.detail) != (status.state, status.detail)
            or shown != self.model.problem_of(device_id)
        ):
            self._fit_columns()
        current = self.selected_device()
        if current is not None and current.id == status.spec.device_id:
            self._update_detail()

    def on_event_problem(self, device_id: str, message: str) -> None:
        self.model.set_problem(device_id, message)
        self._fit_columns()
        current = self.selected_device()
        if current is not None and current.id == device_id:
            self._update_detail()

    # --- what the page shows around the table ------------------------------------------------

    def _update_empty(self) -> None:
        empty = self._loaded and self.model.rowCount() == 0
        if self._manages:
            text = self.tr(
                "No devices are paired with this PC yet. Choose “Pair a device…” to add the "
                "clinic's BP monitor, oximeter, scale, thermometer, glucometer or bedside "
                "monitor."
            )
        else:
            text = self.tr(
                "No devices are paired with this PC yet. Field IT (an administrator account) "
                "pairs them on this page. Until then, type the readings into the case form."
            )
        self.empty_label.setText(text)
        self.empty_label.setVisible(empty)
        self.table.setVisible(not empty)
        self._layout.setStretch(self._layout.count() - 1, 1 if empty else 0)
        self.hint_label.setVisible(not empty)
        self.detail_label.setVisible(not empty and self.selected_device() is not None)

    def _update_detail(self) -> None:
        device = self.selected_device()
        if device is None:
            self.detail_label.clear()
            self.detail_label.hide()
            return
        lines = [
            f"{device.name} — {kind_label(device.kind)} — {device.address}",
            self.tr("Connection: %1").replace("%1", self.model.connection_text(device)),
        ]
        status = self.model.status_of(device.id)
        if status is not None and status.detail and status.state != ConnectionState.ERROR:
            lines[-1] += f" ({status.detail})"
        last = self.model.last_text(device)
        if last:
            lines.append(self.tr("Last reading: %1").replace("%1", last))
        problem = self.model.problem_of(device.id)
        if problem:
            lines.append(self.tr("Latest problem: %1").replace("%1", problem))
        self.detail_label.setText("\n".join(lines))
        self.detail_label.show()

    def _on_selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self._update_buttons()
        self._update_detail()

    def _update_buttons(self) -> None:
        selected = self.selected_device() is not None
        if self.rename_button is not None:
            self.rename_button.setEnabled(selected)
        if self.forget_button is not None:
            self.forget_button.setEnabled(selected)

    # --- actions (field IT) ------------------------------------------------------------------

    def open_pair_dialog(self) -> None:
        if not self._manages:
            return
        dialog = PairDialog(self._session, self, paired=self.model.devices())
        dialog.paired.connect(self._on_paired)
        self._open(dialog)

    def open_rename_dialog(self) -> None:
        device = self.selected_device()
        if device is None or not self._manages:
            return
        dialog = RenameDeviceDialog(self._session, device, self)
        dialog.renamed.connect(self._on_renamed)
        self._open(dialog)

    def _open(self, dialog: QDialog) -> None:
        if self.dialog is not None:
            self.dialog.deleteLater()
        self.dialog = dialog
        dialog.finished.connect(lambda _result: self.table.setFocus())
        dialog.open()

    def _on_paired(self, device: PairedDevice) -> None:
        self.reload(select=device.id)
        self._navigator.status_message(
            self.tr("%1 is paired. Its state shows in the table.").replace("%1", device.name)
        )

    def _on_renamed(self, device: PairedDevice) -> None:
        self.reload(select=device.id)
        self._navigator.status_message(
            self.tr("The device is now called %1.").replace("%1", device.name)
        )

    def forget_selected(self) -> None:
        """Ask first; forgetting stops the device being read until it is paired again."""
        device = self.selected_device()
        if device is None or not self._manages:
            return
        box = QMessageBox(self)
        box.setObjectName("forgetDeviceBox")
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(self.tr("Forget device"))
        box.setText(self.tr("Forget “%1”?").replace("%1", device.name))
        box.setInformativeText(
            self.tr(
                "This PC stops reading it. Readings already kept in cases stay. To use it "
                "again, pair it again."
            )
        )
        forget = box.addButton(self.tr("&Forget device"), QMessageBox.ButtonRole.DestructiveRole)
        forget.setObjectName("confirmForget")
        cancel = box.addButton(self.tr("Cancel"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(cancel)  # Enter on a slip must not forget anything
        box.setEscapeButton(cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(lambda _r: self._on_confirmed(box, device))
        self.confirm_box = box
        box.open()  # not exec(): no nested event loop

    def _on_confirmed(self, box: QMessageBox, device: PairedDevice) -> None:
        self.confirm_box = None
        clicked = box.clickedButton()
        if clicked is None or clicked.objectName() != "confirmForget":
            self.table.setFocus()
            return
        devices, actor = self._devices, self._session.user
        if self.forget_button is not None:
            self.forget_button.setEnabled(False)
        (
            Op(self, lambda: devices.forget(actor, device.id))
            .success(lambda _none: self._on_forgotten(device))
            .failure(self._on_forget_failed)
            .run()
        )

    def _on_forgotten(self, device: PairedDevice) -> None:
        self.reload()
        self.table.setFocus()
        self._navigator.status_message(
            self.tr("%1 is forgotten. Pair it again to use it.").replace("%1", device.name)
        )

    def _on_forget_failed(self, _exc: BaseException) -> bool:
        self._update_buttons()
        return False  # not handled: shown in a message box


class RenameDeviceDialog(QDialog):
    """A new label for a paired device; nothing else about it changes."""

    renamed = Signal(object)  # PairedDevice

    def __init__(self, session: Session, device: PairedDevice, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("RenameDeviceDialog")
        self.setWindowTitle(self.tr("Rename device"))
        self.setModal(True)
        self._session = session
        self._device = device
        self._busy = False

        intro = WrappingLabel(
            self.tr("A name staff will recognise, e.g. “BP monitor (room 2)”. Now: %1 — %2.")
            .replace("%1", device.name)
            .replace("%2", kind_label(device.kind))
        )
        self.name_edit = QLineEdit(device.name)
        self.name_edit.setObjectName("deviceName")
        self.name_edit.selectAll()
        self.error_label = WrappingLabel()
        self.error_label.setObjectName("errorText")
        self.error_label.setTextFormat(Qt.TextFormat.PlainText)
        self.error_label.hide()
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        label = QLabel(self.tr("&Name:"))
        label.setBuddy(self.name_edit)
        form.addRow(label, self.name_edit)
        form.addRow("", self.error_label)

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
        self.save_button.clicked.connect(self.submit)
        self.cancel_button.clicked.connect(self.reject)

        m = self.fontMetrics().height()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(m, m, m, m)
        layout.setSpacing(m // 2)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(28 * m)
        QWidget.setTabOrder(self.name_edit, self.save_button)
        QWidget.setTabOrder(self.save_button, self.cancel_button)
        self.name_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def submit(self) -> None:
        if self._busy:
            return
        name = self.name_edit.text().strip()
        if not name:
            self.show_error(name_required_text())
            return
        if name == self._device.name:
            self.reject()  # nothing to change
            return
        self.error_label.hide()
        self._set_busy(True)
        devices, actor, device_id = (
            self._session.services.devices,
            self._session.user,
            self._device.id,
        )
        (
            Op(self, lambda: devices.update(actor, device_id, name=name))
            .success(self._on_saved)
            .failure(self._on_failed)
            .run()
        )

    def _on_saved(self, device: PairedDevice) -> None:
        self._set_busy(False)
        self.renamed.emit(device)
        self.accept()

    def _on_failed(self, exc: BaseException) -> bool:
        self._set_busy(False)
        self.show_error(error_text(exc))
        return True

    def show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.show()
        self.name_edit.setFocus(Qt.FocusReason.OtherFocusReason)
        self.name_edit.selectAll()

    def error(self) -> str:
        """The problem shown, or "" (for tests)."""
        return self.error_label.text() if not self.error_label.isHidden() else ""

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        for widget in (self.name_edit, self.save_button, self.cancel_button):
            widget.setEnabled(not busy)

    def is_busy(self) -> bool:
        return self._busy

    def reject(self) -> None:
        if not self._busy:
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


__all__ = [
    "DeviceTableModel",
    "DevicesPage",
    "RenameDeviceDialog",
    "state_text",
    "values_text",
]
