"""The frozen Windows program is windowed: it starts with sys.stdin, sys.stdout and
sys.stderr set to None, as under pythonw. main.py must survive that wherever it uses them,
not only where print() happens to tolerate it (seed's progress asks sys.stdout.isatty())."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.installer.conftest import ROOT

# main.py run as a windowed program would run it: no standard streams at all.
WINDOWED = """
import runpy, sys
sys.stdin = sys.stdout = sys.stderr = None
sys.argv = ["main.py", *sys.argv[1:]]
runpy.run_path("main.py", run_name="__main__")
"""


def run_windowed(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", WINDOWED, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_command_runs_without_standard_streams(tmp_path: Path) -> None:
    data = tmp_path / "data"
    result = run_windowed("seed", "--data-dir", str(data), "--patients", "20", "--cases", "0")
    assert result.returncode == 0, result.stderr
    log = (data / "logs" / "spoke.log").read_text(encoding="utf-8")
    assert "crash" not in log


def test_version_and_help_run_without_standard_streams() -> None:
    for args in (["--version"], ["--help"]):
        result = run_windowed(*args)
        assert result.returncode == 0, (args, result.stderr)
