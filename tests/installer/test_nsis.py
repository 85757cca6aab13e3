"""The Windows installer script compiles with makensis -WX (every warning an error), so it
never rots between Windows releases. Without makensis the tests skip, unless
HWC_REQUIRE_NSIS=1 (the project's test command sets it and installs the nsis package)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.installer.conftest import INSTALLER

SCRIPT = INSTALLER / "windows" / "hwc-spoke.nsi"
MAKENSIS = shutil.which("makensis")
if MAKENSIS is None and os.environ.get("HWC_REQUIRE_NSIS") != "1":
    pytestmark = pytest.mark.skip(reason="makensis is not installed (apt-get install nsis)")


def stub_payload(tmp_path: Path) -> Path:
    """A stand-in for the one-folder bundle: the script only needs the files to pack."""
    payload = tmp_path / "payload"
    (payload / "_internal").mkdir(parents=True)
    (payload / "hwc-spoke.exe").write_bytes(b"MZ stub")
    (payload / "hwc-spoke-cli.exe").write_bytes(b"MZ stub")
    (payload / "_internal" / "base_library.zip").write_bytes(b"stub")
    return payload


def makensis(tmp_path: Path, *defines: str) -> subprocess.CompletedProcess[str]:
    assert MAKENSIS is not None, "makensis is required here (HWC_REQUIRE_NSIS=1)"
    return subprocess.run(
        [MAKENSIS, "-WX", "-V2", *defines, str(SCRIPT)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_installer_script_compiles_without_warnings(tmp_path: Path) -> None:
    out = tmp_path / "HWC-Spoke-1.2.3-setup.exe"
    result = makensis(
        tmp_path, "-DVERSION=1.2.3", f"-DPAYLOAD={stub_payload(tmp_path)}", f"-DOUTFILE={out}"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert out.read_bytes()[:2] == b"MZ"
    assert b"1.2.3" in out.read_bytes().replace(b"\0", b"")  # the version resource


def test_installer_script_refuses_to_compile_without_a_version(tmp_path: Path) -> None:
    result = makensis(tmp_path, f"-DPAYLOAD={stub_payload(tmp_path)}")
    assert result.returncode != 0
    assert "VERSION is not defined" in result.stdout + result.stderr


def test_provisioning_file_format_is_the_apps_contract() -> None:
    """C:\\ProgramData\\HWC Spoke\\provisioning.ini: [enrolment] with token, and hub only when
    /HUB= was given (app/services/provisioning.py reads it)."""
    text = SCRIPT.read_text(encoding="utf-8")
    assert '!define PROVISIONING_DIR "$APPDATA\\${APP_NAME}"' in text
    assert "SetShellVarContext all" in text  # $APPDATA is then C:\ProgramData
    writes = re.findall(r'FileWrite \$0 "([^"]*)"', text)
    assert writes == ["[enrolment]$\\r$\\n", "token = $Token$\\r$\\n", "hub = $Hub$\\r$\\n"]
    assert re.search(r'\$\{If\} \$Hub != ""\s+FileWrite \$0 "hub = ', text)
    assert "*S-1-5-32-545:(M)" in text  # Users may delete it after enrolling
