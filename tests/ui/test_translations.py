"""The Hindi catalogue covers every string the UI shows, and Hindi really loads."""

from __future__ import annotations

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QTranslator

from app.i18n import build

ROOT = Path(__file__).resolve().parents[2]


def _tool(name: str) -> str:
    local = Path(sys.executable).with_name(name)
    found = str(local) if local.exists() else shutil.which(name)
    if not found:
        pytest.skip(f"{name} is not installed")
    return found


def test_every_ui_string_has_a_hindi_translation(tmp_path: Path) -> None:
    ts = tmp_path / "hi.ts"
    shutil.copy(build.ts_path("hi"), ts)
    sources = sorted(str(p) for p in (ROOT / "app" / "ui").rglob("*.py"))
    subprocess.run(
        [_tool("pyside6-lupdate"), "-silent", "-no-obsolete", *sources, "-ts", str(ts)],
        check=True,
    )
    missing = [
        m.findtext("source")
        for m in ET.parse(ts).getroot().iter("message")
        if (t := m.find("translation")) is not None
        and (t.get("type") == "unfinished" or not ((t.text or "").strip() or list(t)))
    ]
    assert missing == [], "run `python -m app.i18n.build --update` and translate these"


def test_hindi_catalogue_compiles_and_translates(tmp_path: Path, qapp: object) -> None:
    qm = tmp_path / "hi.qm"
    subprocess.run(
        [_tool("pyside6-lrelease"), "-silent", str(build.ts_path("hi")), "-qm", str(qm)],
        check=True,
    )
    translator = QTranslator()
    assert translator.load(str(qm))
    QCoreApplication.installTranslator(translator)
    try:
        sign_in = QCoreApplication.translate("LoginWindow", "Sign in")
        assert sign_in != "Sign in"
        assert any("\u0900" <= ch <= "\u097f" for ch in sign_in)
    finally:
        QCoreApplication.removeTranslator(translator)


def test_no_text_hides_from_lupdate_behind_a_local_helper() -> None:
    # lupdate sees tr(), translate() and QT_TRANSLATE_NOOP(); a literal handed to a module's own
    # _t()/_tr() shortcut never reaches the catalogue, so it would stay English for ever.
    import re

    pattern = re.compile(r"\b_tr?\(\s*[\"']")
    hidden = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in sorted((ROOT / "app" / "ui").rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if pattern.search(line)
    ]
    assert hidden == []
