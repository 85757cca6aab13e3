"""Guards the Qt binding version: PySide6-Essentials 6.12.0 on Python 3.11 drops a reference to
``None`` on every void call, and a clinic session aborts ("none_dealloc") after a few thousand
calls. pyproject.toml pins below it; this test fails if a broken binding comes back."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication, QLabel


def test_void_calls_keep_none_alive(qapp: QApplication) -> None:
    label = QLabel()
    before = sys.getrefcount(None)
    for _ in range(2000):
        label.setText("x")
    assert sys.getrefcount(None) >= before - 50  # other code may drop a few; not thousands
