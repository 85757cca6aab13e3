"""Running ``main.py`` as field IT do: a real process, with none of the developer's own
``HWC_SPOKE_*`` credentials or data folder and no display (commands without a window must
not need one), plus what the test passes in ``env``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_DROPPED = ("SPOKE_DATA_DIR", "DISPLAY", "QT_QPA_PLATFORM")


def run_main(*args: str, timeout: float = 120, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith("HWC_SPOKE_") and k not in _DROPPED
    }
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        stdin=subprocess.DEVNULL,
        env={**clean, **env},
    )
