"""Fonts, text size and language of the application."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QApplication

from app.domain.errors import DomainError
from app.ui import application
from app.ui.application import (
    BASE_POINT_SIZE,
    create_application,
    install_translator,
    resolve_font_scale,
    resolve_language,
)
from app.ui.messages import error_text


def test_bundled_noto_fonts_are_registered_and_used(ui_app: QApplication) -> None:
    families = set(QFontDatabase.families())
    assert {"Noto Sans", "Noto Sans Devanagari"} <= families
    assert ui_app.font().families()[:2] == ["Noto Sans", "Noto Sans Devanagari"]


def test_font_scale_multiplies_the_point_size(ui_app: QApplication) -> None:
    create_application(language="en", font_scale=1.5)
    assert ui_app.font().pointSizeF() == pytest.approx(BASE_POINT_SIZE * 1.5)
    create_application(language="en", font_scale=1.0)
    assert ui_app.font().pointSizeF() == pytest.approx(BASE_POINT_SIZE)


@pytest.mark.parametrize(
    ("explicit", "env", "expected"),
    [
        (None, None, 1.0),
        (1.5, None, 1.5),
        (1.0, "1.5", 1.5),  # the CLI default leaves the choice to the environment
        (None, "150%", 1.5),
        (None, "big", 1.0),
        (9.0, None, 3.0),  # clamped: a typo must not make the screen unusable
    ],
)
def test_font_scale_resolution(
    monkeypatch: pytest.MonkeyPatch, explicit: float | None, env: str | None, expected: float
) -> None:
    if env is None:
        monkeypatch.delenv("SPOKE_FONT_SCALE", raising=False)
    else:
        monkeypatch.setenv("SPOKE_FONT_SCALE", env)
    assert resolve_font_scale(explicit) == pytest.approx(expected)


def test_language_resolution(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SPOKE_LANG", raising=False)
    assert resolve_language(None) == "en"
    monkeypatch.setenv("SPOKE_LANG", "hi_IN")
    assert resolve_language(None) == "hi"
    assert resolve_language("en") == "en"
    assert resolve_language("xx") == "en"


HINDI_TS = """<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="hi_IN">
<context>
    <name>messages</name>
    <message>
        <source>Wrong username or password.</source>
        <translation>गलत उपयोगकर्ता नाम या पासवर्ड।</translation>
    </message>
</context>
</TS>
"""


def lrelease() -> str | None:
    local = Path(sys.executable).with_name("pyside6-lrelease")
    return str(local) if local.exists() else shutil.which("pyside6-lrelease")


def test_hindi_translator_loads_from_a_built_catalogue(
    ui_app: QApplication, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tool = lrelease()
    if tool is None:
        pytest.skip("pyside6-lrelease is not installed")
    ts = tmp_path / "hwc_spoke_hi.ts"
    ts.write_text(HINDI_TS, encoding="utf-8")
    subprocess.run([tool, "-silent", str(ts), "-qm", str(tmp_path / "hwc_spoke_hi.qm")], check=True)
    monkeypatch.setattr(application, "I18N_DIR", tmp_path)
    exc = DomainError("auth.bad_credentials", "Wrong username or password.")
    try:
        installed = install_translator(ui_app, "hi")
        assert installed
        assert error_text(exc) == "गलत उपयोगकर्ता नाम या पासवर्ड।"
    finally:
        install_translator(ui_app, "en")
    assert error_text(exc) == "Wrong username or password."


def test_missing_catalogue_leaves_english(
    ui_app: QApplication, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(application, "I18N_DIR", tmp_path)
    try:
        install_translator(ui_app, "hi")
        exc = DomainError("auth.bad_credentials", "x")
        assert error_text(exc) == "Wrong username or password."
    finally:
        install_translator(ui_app, "en")
