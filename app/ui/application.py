"""Build and configure the one QApplication: bundled fonts, text size, language, look.

``create_application(language=..., font_scale=...)`` returns the running QApplication (creating
it when there is none, so tests that already have one from pytest-qt reuse it) with:

- the Noto Sans and Noto Sans Devanagari fonts bundled in ``app/ui/fonts`` registered, and the
  application font set to that pair, so Hindi renders the same on a bare Windows PC as here;
- the point size multiplied by the font scale (``--font-scale`` or ``SPOKE_FONT_SCALE``);
  layouts size themselves from the font, so 1.5 gives a usable 150 % screen;
- the Qt translator for the language from ``app/i18n/hwc_spoke_<lang>.qm`` when that file has
  been built. The language is ``--lang`` or ``SPOKE_LANG`` when given, else the one saved on
  this PC (chosen on the login window, ``services.preferences``), else English.
  ``switch_language(lang)`` changes it while the application runs: it swaps the translator,
  and the caller rebuilds its windows (Qt does not re-translate built widgets);
- the Fusion style with a calm light palette and a small style sheet (sizes in ``em`` so they
  follow the font).

GUI thread only.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import (
    QCoreApplication,
    QLibraryInfo,
    QLocale,
    QMessageLogContext,
    QtMsgType,
    QTranslator,
    qInstallMessageHandler,
)
from PySide6.QtGui import QColor, QFont, QFontDatabase, QPalette
from PySide6.QtWidgets import QApplication

log = logging.getLogger(__name__)

FONT_DIR = Path(__file__).resolve().parent / "fonts"
I18N_DIR = Path(__file__).resolve().parent.parent / "i18n"
# Latin first so digits and English keep Noto Sans shapes; Devanagari falls through to the
# second family. The platform's own fonts remain the last resort for anything else.
FONT_FAMILIES = ("Noto Sans", "Noto Sans Devanagari")
BASE_POINT_SIZE = 11.0  # a notch above desktop defaults: read at arm's length on small screens
LANGUAGES = ("en", "hi")
DEFAULT_LANGUAGE = "en"
MIN_SCALE, MAX_SCALE = 0.75, 3.0

_installed: list[QTranslator] = []

APP_NAME = "HWC Spoke"
ORGANISATION = "HWC Spoke"

ACCENT = "#0f6e6e"  # deep teal: calm, readable as text on white (contrast > 6:1)
ACCENT_DARK = "#0b5252"
WINDOW_BG = "#f5f6f8"
BORDER = "#c9ced6"
ERROR_FG = "#9b1c1c"
ERROR_BG = "#fdecec"

# Styling the drop-down box removes the style's own arrow, so the stylesheet draws one.
CHEVRON = (Path(__file__).resolve().parent / "icons" / "chevron-down.svg").as_posix()

STYLESHEET = f"""
QFrame#sidePanel {{
    background: #ffffff;
    border: none;
    border-right: 1px solid {BORDER};
}}
QListWidget#navigation {{
    background: #ffffff;
    border: none;
    outline: none;
}}
QListWidget#navigation::item {{
    padding: 0 0.8em;
    margin: 0.1em 0.5em;
    border-radius: 0.25em;
    color: #1f2933;
}}
QListWidget#navigation::item:hover {{
    background: #eef3f3;
}}
QListWidget#navigation::item:selected {{
    background: #dcecec;
    color: {ACCENT_DARK};
}}
QPushButton {{
    padding: 0.35em 1.1em;
    margin: 1px;  /* room for the 2px focus ring, so focus never changes the size */
    border: 1px solid {BORDER};
    border-radius: 0.25em;
    background: #ffffff;
    color: #1f2933;
}}
QPushButton:hover {{
    background: #f0f3f5;
}}
QPushButton:focus {{
    margin: 0;
    border: 2px solid {ACCENT};
}}
QPushButton:default, QPushButton[primary="true"] {{
    background: {ACCENT};
    border-color: {ACCENT_DARK};
    color: #ffffff;
}}
QPushButton:default:hover, QPushButton[primary="true"]:hover {{
    background: {ACCENT_DARK};
}}
QPushButton:default:focus, QPushButton[primary="true"]:focus {{
    margin: 0;
    border: 2px solid #0a2f2f;
}}
QPushButton:disabled {{
    background: #eceff2;
    color: #7b8794;
    border-color: #d5d9de;
}}
QLineEdit, QPlainTextEdit, QTextEdit, QComboBox, QSpinBox, QDoubleSpinBox, QDateEdit {{
    padding: 0.25em 0.4em;
    margin: 1px;  /* as for buttons: the focus ring takes this pixel */
    border: 1px solid {BORDER};
    border-radius: 0.2em;
    background: #ffffff;
    selection-background-color: {ACCENT};
}}
/* Padding in em above would otherwise squeeze the arrows to slivers at 150 % text. */
QSpinBox::up-button, QSpinBox::down-button, QDoubleSpinBox::up-button,
QDoubleSpinBox::down-button, QDateEdit::up-button, QDateEdit::down-button {{
    width: 1.2em;
}}
QComboBox::drop-down {{
    subcontrol-origin: padding;
    subcontrol-position: center right;
    width: 1.4em;
    border: none;
}}
QComboBox::down-arrow {{
    image: url({CHEVRON});
    width: 0.8em;
    height: 0.8em;
}}
QLineEdit:focus, QPlainTextEdit:focus, QTextEdit:focus, QComboBox:focus, QSpinBox:focus,
QDoubleSpinBox:focus, QDateEdit:focus {{
    margin: 0;
    border: 2px solid {ACCENT};
}}
QLabel#errorText {{
    color: {ERROR_FG};
    background: {ERROR_BG};
    border: 1px solid #f3c1c1;
    border-radius: 0.2em;
    padding: 0.4em 0.6em;
}}
QLabel#hintText {{
    color: #3e4c59;
    background: #eef3f8;
    border: 1px solid #d3dde8;
    border-radius: 0.2em;
    padding: 0.5em 0.7em;
}}
QLabel#mutedText {{
    color: #52606d;
}}
QFrame#card {{
    background: #ffffff;
    border: 1px solid {BORDER};
    border-radius: 0.4em;
}}
QStatusBar {{
    background: #ffffff;
    border-top: 1px solid {BORDER};
    color: #323f4b;
}}
QStatusBar QLabel {{
    padding: 0 0.6em;
}}
QLabel#offlineBadge {{
    color: #5c3d00;
    background: #fff4d6;
    border-radius: 0.2em;
    padding: 0.1em 0.5em;
}}
"""


# Each language named in itself, so a person who cannot read the current one finds theirs.
# Deliberately not translated.
LANGUAGE_NAMES: dict[str, str] = {"en": "English", "hi": "हिन्दी"}


def resolve_language(explicit: str | None, saved: str | None = None) -> str:
    """The language asked for on the command line, else ``SPOKE_LANG``, else the one saved
    on this PC, else English."""
    chosen = (explicit or os.environ.get("SPOKE_LANG") or saved or DEFAULT_LANGUAGE).strip()
    chosen = chosen.lower().split("_")[0].split("-")[0]
    if chosen not in LANGUAGES:
        log.warning("unknown interface language %r, using %s", chosen, DEFAULT_LANGUAGE)
        return DEFAULT_LANGUAGE
    return chosen


def resolve_font_scale(explicit: float | None) -> float:
    """The font scale given, else ``SPOKE_FONT_SCALE``, else 1; clamped to a sane range.

    An explicit 1.0 (the CLI default) still lets the environment variable decide, so a clinic
    can set the size once for a shortcut without editing it.
    """
    value = explicit if explicit not in (None, 1.0) else None
    if value is None:
        raw = os.environ.get("SPOKE_FONT_SCALE", "").strip().rstrip("%")
        try:
            value = float(raw) if raw else 1.0
        except ValueError:
            log.warning("ignoring SPOKE_FONT_SCALE=%r: not a number", raw)
            value = 1.0
        if value > 10:  # "150" or "150%" means 1.5
            value /= 100
    return max(MIN_SCALE, min(MAX_SCALE, float(value)))


_registered: dict[Path, list[str]] = {}
_palette: list[QPalette] = []


def register_fonts(font_dir: Path = FONT_DIR) -> list[str]:
    """Add the bundled fonts to Qt's database (once); returns the families they provide."""
    if font_dir in _registered:
        return list(_registered[font_dir])
    families: set[str] = set()
    for path in sorted(font_dir.glob("*.ttf")):
        font_id = QFontDatabase.addApplicationFont(str(path))
        if font_id < 0:
            log.warning("could not load bundled font %s", path.name)
            continue
        families.update(QFontDatabase.applicationFontFamilies(font_id))
    _registered[font_dir] = sorted(families)
    return sorted(families)


def app_font(scale: float) -> QFont:
    font = QFont()
    font.setFamilies(list(FONT_FAMILIES))
    font.setPointSizeF(BASE_POINT_SIZE * scale)
    font.setStyleHint(QFont.StyleHint.SansSerif)
    return font


def install_translator(app: QCoreApplication, language: str) -> list[QTranslator]:
    """Install our catalogue (and Qt's own, for its stock dialogs) for ``language``.

    Returns the installed translators; the caller need not keep them (they are parented to the
    application). English needs none: the source strings are English. Calling it again swaps
    the language (translators installed earlier are removed first).
    """
    for old in _installed:
        app.removeTranslator(old)
    _installed.clear()
    installed = _installed
    if language == DEFAULT_LANGUAGE:
        QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.India))
        return list(installed)
    ours = I18N_DIR / f"hwc_spoke_{language}.qm"
    translator = QTranslator(app)
    if ours.exists() and translator.load(str(ours)):
        app.installTranslator(translator)
        installed.append(translator)
    else:
        log.warning(
            "no built translation for %r (%s); run python -m app.i18n.build", language, ours
        )
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    qt_translator = QTranslator(app)
    if qt_translator.load(f"qtbase_{language}", qt_dir):
        app.installTranslator(qt_translator)
        installed.append(qt_translator)
    QLocale.setDefault(QLocale(language))
    return list(installed)


def current_language() -> str:
    """The interface language in use (``DEFAULT_LANGUAGE`` before the application is set up)."""
    app = QCoreApplication.instance()
    value = app.property("hwc_language") if app is not None else None
    return value if isinstance(value, str) and value in LANGUAGES else DEFAULT_LANGUAGE


def switch_language(language: str) -> str:
    """Change the interface language of the running application; returns the one now in use.

    Only strings translated from now on change: windows already built keep their texts, so
    the caller rebuilds them (``app.ui.run.Shell`` rebuilds the login window).
    """
    app = QCoreApplication.instance()
    if app is None:
        raise RuntimeError("switch_language needs a QApplication")
    lang = resolve_language(language)
    install_translator(app, lang)
    app.setProperty("hwc_language", lang)
    log.info("interface language switched to %s", lang)
    return lang


def calm_palette() -> QPalette:
    """The light palette (built once: it never changes, and rebuilding it per test costs)."""
    if not _palette:
        _palette.append(_build_palette())
    return QPalette(_palette[0])


def _build_palette() -> QPalette:
    pal = QPalette()
    role = QPalette.ColorRole
    pal.setColor(role.Window, QColor(WINDOW_BG))
    pal.setColor(role.WindowText, QColor("#1f2933"))
    pal.setColor(role.Base, QColor("#ffffff"))
    pal.setColor(role.AlternateBase, QColor("#f3f5f7"))
    pal.setColor(role.Text, QColor("#1f2933"))
    pal.setColor(role.Button, QColor("#ffffff"))
    pal.setColor(role.ButtonText, QColor("#1f2933"))
    pal.setColor(role.Highlight, QColor(ACCENT))
    pal.setColor(role.HighlightedText, QColor("#ffffff"))
    pal.setColor(role.ToolTipBase, QColor("#ffffff"))
    pal.setColor(role.ToolTipText, QColor("#1f2933"))
    pal.setColor(role.PlaceholderText, QColor("#7b8794"))
    pal.setColor(role.Link, QColor(ACCENT_DARK))
    pal.setColor(role.Mid, QColor(BORDER))
    disabled = QPalette.ColorGroup.Disabled
    pal.setColor(disabled, role.Text, QColor("#7b8794"))
    pal.setColor(disabled, role.WindowText, QColor("#7b8794"))
    pal.setColor(disabled, role.ButtonText, QColor("#7b8794"))
    return pal


# Harmless, and printed many times: the offscreen platform cannot resize to size hints, and
# Qt's font database notes that the Latin font has no Devanagari tables (it falls back to the
# bundled Noto Sans Devanagari, which does).
_QUIET_QT_MESSAGES = ("does not support propagateSizeHints", "OpenType support missing")
_qt_log = logging.getLogger("qt")


def _route_qt_message(kind: QtMsgType, _context: QMessageLogContext, message: str) -> None:
    """Qt's own messages go to the app's log, not to the terminal."""
    if any(quiet in message for quiet in _QUIET_QT_MESSAGES):
        _qt_log.debug("%s", message)
    elif kind in (QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg):
        _qt_log.error("%s", message)
    elif kind == QtMsgType.QtWarningMsg:
        _qt_log.warning("%s", message)
    else:
        _qt_log.debug("%s", message)


def create_application(
    argv: Sequence[str] | None = None,
    *,
    language: str | None = None,
    saved_language: str | None = None,
    font_scale: float | None = None,
) -> QApplication:
    """The configured QApplication (reused when one already exists, as under pytest-qt).

    ``language`` is the explicit choice (``--lang`` / ``SPOKE_LANG``) and wins;
    ``saved_language`` is the one saved on this PC, used when there is no explicit choice.
    """
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        app = existing  # under pytest-qt, whose own handler records Qt's messages
    else:
        qInstallMessageHandler(_route_qt_message)
        app = QApplication(list(argv) if argv is not None else sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(ORGANISATION)
    app.setApplicationDisplayName(APP_NAME)
    register_fonts()
    app.setStyle("Fusion")
    app.setPalette(calm_palette())
    scale = resolve_font_scale(font_scale)
    app.setFont(app_font(scale))
    app.setStyleSheet(STYLESHEET)
    lang = resolve_language(language, saved_language)
    install_translator(app, lang)
    app.setProperty("hwc_language", lang)
    app.setProperty("hwc_font_scale", scale)
    log.info("interface language %s, font scale %.2f", lang, scale)
    return app
