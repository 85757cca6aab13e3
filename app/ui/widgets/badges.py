"""Status, priority and flag badges: a coloured pill that always carries words too.

Colour alone never carries the meaning (colour-blind staff, faded screens, greyscale prints):
every badge shows its text, and the colours only repeat it. The tables reuse ``*_text`` and
``*_colours`` so a status looks the same in a list as on a form. GUI thread only.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from app.domain.models import CaseStatus, Priority

_CTX = "badges"

# Flag values as strings so the UI needs no domain function, only the value the service returns.
FLAG_NORMAL = "normal"
FLAG_ABNORMAL = "abnormal"
FLAG_URGENT = "urgent"
FLAG_NOT_ASSESSED = "not_assessed"

_STATUS_TEXT: dict[CaseStatus, str] = {
    CaseStatus.DRAFT: QT_TRANSLATE_NOOP("badges", "Draft"),
    CaseStatus.QUEUED: QT_TRANSLATE_NOOP("badges", "Queued — waiting for network"),
    CaseStatus.SENT: QT_TRANSLATE_NOOP("badges", "Sent to hub"),
    CaseStatus.AT_HUB: QT_TRANSLATE_NOOP("badges", "At hub"),
    CaseStatus.PRESCRIBED: QT_TRANSLATE_NOOP("badges", "Prescribed"),
    CaseStatus.CLOSED: QT_TRANSLATE_NOOP("badges", "Closed"),
    CaseStatus.CANCELLED: QT_TRANSLATE_NOOP("badges", "Cancelled"),
    CaseStatus.NEEDS_ATTENTION: QT_TRANSLATE_NOOP("badges", "Needs attention"),
}

# (background, text) pairs chosen for at least 4.5:1 contrast.
_STATUS_COLOURS: dict[CaseStatus, tuple[str, str]] = {
    CaseStatus.DRAFT: ("#e8eaed", "#202124"),
    CaseStatus.QUEUED: ("#fff4d6", "#5c3d00"),
    CaseStatus.SENT: ("#dbe9ff", "#0b3a80"),
    CaseStatus.AT_HUB: ("#dbe9ff", "#0b3a80"),
    CaseStatus.PRESCRIBED: ("#dcf3e2", "#0d5223"),
    CaseStatus.CLOSED: ("#e8eaed", "#3c4043"),
    CaseStatus.CANCELLED: ("#e8eaed", "#5f6368"),
    CaseStatus.NEEDS_ATTENTION: ("#fde2e1", "#8a1c14"),
}

_PRIORITY_TEXT: dict[Priority, str] = {
    Priority.ROUTINE: QT_TRANSLATE_NOOP("badges", "Routine"),
    Priority.URGENT: QT_TRANSLATE_NOOP("badges", "Urgent"),
    Priority.EMERGENCY: QT_TRANSLATE_NOOP("badges", "Emergency"),
}

_PRIORITY_COLOURS: dict[Priority, tuple[str, str]] = {
    Priority.ROUTINE: ("#e8eaed", "#202124"),
    Priority.URGENT: ("#ffe0b2", "#6d2f00"),
    Priority.EMERGENCY: ("#c5221f", "#ffffff"),
}

_FLAG_TEXT: dict[str, str] = {
    FLAG_NORMAL: QT_TRANSLATE_NOOP("badges", "Normal"),
    FLAG_ABNORMAL: QT_TRANSLATE_NOOP("badges", "Abnormal"),
    FLAG_URGENT: QT_TRANSLATE_NOOP("badges", "Urgent"),
    FLAG_NOT_ASSESSED: QT_TRANSLATE_NOOP("badges", "Not assessed"),
}

_FLAG_COLOURS: dict[str, tuple[str, str]] = {
    FLAG_NORMAL: ("#dcf3e2", "#0d5223"),
    FLAG_ABNORMAL: ("#fff4d6", "#5c3d00"),
    FLAG_URGENT: ("#fde2e1", "#8a1c14"),
    FLAG_NOT_ASSESSED: ("#e8eaed", "#3c4043"),
}


def _tr(text: str) -> str:
    return QCoreApplication.translate(_CTX, text)


def status_text(status: CaseStatus | str) -> str:
    try:
        return _tr(_STATUS_TEXT[CaseStatus(status)])
    except ValueError:
        return str(status)


def status_colours(status: CaseStatus | str) -> tuple[QColor, QColor]:
    try:
        bg, fg = _STATUS_COLOURS[CaseStatus(status)]
    except ValueError:
        bg, fg = _STATUS_COLOURS[CaseStatus.DRAFT]
    return QColor(bg), QColor(fg)


def priority_text(priority: Priority | str) -> str:
    try:
        return _tr(_PRIORITY_TEXT[Priority(priority)])
    except ValueError:
        return str(priority)


def priority_colours(priority: Priority | str) -> tuple[QColor, QColor]:
    try:
        bg, fg = _PRIORITY_COLOURS[Priority(priority)]
    except ValueError:
        bg, fg = _PRIORITY_COLOURS[Priority.ROUTINE]
    return QColor(bg), QColor(fg)


def flag_text(flag: str) -> str:
    key = str(flag).lower()
    return _tr(_FLAG_TEXT[key]) if key in _FLAG_TEXT else str(flag)


def flag_colours(flag: str) -> tuple[QColor, QColor]:
    bg, fg = _FLAG_COLOURS.get(str(flag).lower(), _FLAG_COLOURS[FLAG_NOT_ASSESSED])
    return QColor(bg), QColor(fg)


class Badge(QLabel):
    """A rounded label: words first, colour second. Grows with the font (no fixed sizes)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        self.setVisible(False)

    def show_text(self, text: str, bg: QColor, fg: QColor) -> None:
        # Padding in em-relative units is not available in Qt style sheets; a small fixed
        # padding does not limit text size, the label still grows with its font.
        self.setStyleSheet(
            f"QLabel {{ background: {bg.name()}; color: {fg.name()};"
            f" border: 1px solid {fg.name()}; border-radius: 6px; padding: 2px 8px; }}"
        )
        self.setText(text)
        self.setAccessibleName(text)
        self.setVisible(bool(text))

    def set_status(self, status: CaseStatus | str) -> None:
        self.show_text(status_text(status), *status_colours(status))

    def set_priority(self, priority: Priority | str) -> None:
        self.show_text(priority_text(priority), *priority_colours(priority))

    def set_flag(self, flag: str) -> None:
        self.show_text(flag_text(flag), *flag_colours(flag))
