"""Shared test set-up: Qt runs offscreen, every test gets its own data folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("HWC_SPOKE_SIMULATORS", "1")  # device simulators load only in tests/demo


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    d = tmp_path / "spoke-data"
    d.mkdir()
    return d
