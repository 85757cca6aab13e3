"""The installer's tests: installer/bundle.py (what the frozen app carries) imported by path,
since installer/ is a folder of build scripts, not a package."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
INSTALLER = ROOT / "installer"
if str(INSTALLER) not in sys.path:
    sys.path.insert(0, str(INSTALLER))
