"""installer/build.py and installer/smoke.py as commands (the real build and smoke test run in
CI through ``dev.py test``: they take minutes), and the build's warn-file check."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

from tests.installer.conftest import INSTALLER, ROOT


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"installer_{name}", INSTALLER / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_build_help_lists_its_options() -> None:
    result = subprocess.run(
        [sys.executable, str(INSTALLER / "build.py"), "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    for option in ("--no-deb", "--skip-venv", "--smoke", "--lock"):
        assert option in result.stdout


def test_smoke_refuses_a_missing_program(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(INSTALLER / "smoke.py"), str(tmp_path / "nothing")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "no program at" in result.stderr


WARN_FILE = """\
This file lists modules PyInstaller was not able to find.

missing module named winreg - imported by platform (optional), app.devices.ports (conditional)
missing module named 'java.lang' - imported by bleak.backends.android.utils (top-level)
missing module named psycopg.rows - imported by hub.storage.postgres (top-level)
missing module named numpy - imported by PIL._typing (conditional, optional)
missing module named segno - imported by app.ui.rx_print (top-level), hub.prescriptions (delayed)
missing module named fancy - imported by app.services.extras (optional)
missing module named tufup - imported by hub.updates_repo (delayed, optional), app.x (delayed)
"""


def test_warn_file_check_names_only_what_the_app_needs(tmp_path: Path) -> None:
    warn = tmp_path / "warn-hwc-spoke.txt"
    warn.write_text(WARN_FILE, encoding="utf-8")
    bad = load("build").missing_modules_that_matter(warn)
    # Windows-only and third-party-only gaps, knowingly excluded packages, and optional
    # imports of our own are not failures; a plain import of ours is.
    assert bad == [
        "segno (imported by app.ui.rx_print, top-level)",
        "segno (imported by hub.prescriptions, delayed)",
        "tufup (imported by app.x, delayed)",
    ]


def test_requirements_are_pinned_and_hashed() -> None:
    """The build venv installs with --require-hashes: every requirement pinned, with hashes,
    and PySide6-Essentials only (the full PySide6 would drag Qml, Quick and Pdf in)."""
    text = (INSTALLER / "requirements-build.txt").read_text(encoding="utf-8")
    requirements = [
        line.removesuffix("\\").split(";")[0].strip()
        for line in text.splitlines()
        if line and line[0].isalnum()
    ]
    assert requirements
    assert all("==" in r for r in requirements), [r for r in requirements if "==" not in r]
    assert text.count("--hash=sha256:") >= len(requirements)
    names = {r.split("==")[0].split("[")[0].lower() for r in requirements}
    # A dependency asking for a package's extras needs them on the pin (tuf asks for
    # securesystemslib[crypto,pynacl]); a bare pin fails pip's --require-hashes.
    assert "securesystemslib[crypto, pynacl]==" in text
    assert {"pyinstaller", "pyside6-essentials", "sqlcipher3"} <= names
    assert "pyside6" not in names and "pyside6-addons" not in names


FAKE_PROGRAM = """#!{python}
# Stands in for the frozen program: answers the smoke test's commands like the real one.
import os, random, sys
from pathlib import Path
args = sys.argv[1:]
if args == ["--version"]:
    print("HWC Spoke {version}")
elif args == ["--help"]:
    print("subcommands:\\n  seed      add synthetic patients")
    if {doctor}:
        print("  doctor    check this PC")
elif args[:1] == ["doctor"]:
    print("ok    data folder\\nwarn  no hub enrolment")
    sys.exit(1)
elif "--screenshot" in args:
    from PIL import Image
    data = Path(args[args.index("--data-dir") + 1])
    (data / "logs").mkdir(parents=True, exist_ok=True)
    (data / "logs" / "spoke.log").write_text("started\\n")
    rng = random.Random(1)
    image = Image.new("RGB", (640, 480))
    image.putdata([tuple(rng.randrange(256) for _ in range(3)) for _ in range(640 * 480)])
    image.save(args[args.index("--screenshot") + 1])
elif "--startup-probe" in args:
    print("startup: login window ready after 123 ms", flush=True)
"""


def fake_program(tmp_path: Path, *, doctor: bool) -> Path:
    version = load("smoke").app_version()
    program = tmp_path / "hwc-spoke"
    program.write_text(
        FAKE_PROGRAM.format(python=sys.executable, version=version, doctor=doctor),
        encoding="utf-8",
    )
    program.chmod(0o755)
    return program


def run_smoke(program: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(INSTALLER / "smoke.py"), str(program), "--runs", "2", "--no-demo"],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_smoke_passes_a_program_that_behaves(tmp_path: Path) -> None:
    result = run_smoke(fake_program(tmp_path, doctor=True))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok   doctor --offline: exit 1, 2 lines" in result.stdout
    assert "ok   --screenshot (login window): 640x480" in result.stdout
    assert "cold start: login window ready, median of 2:" in result.stdout
    assert "app's own probe 123 ms" in result.stdout
    assert result.stdout.rstrip().endswith("smoke: 4 passed, 0 failed")


def test_smoke_runs_the_rest_when_the_program_has_no_doctor(tmp_path: Path) -> None:
    result = run_smoke(fake_program(tmp_path, doctor=False))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "skipped: this build has no doctor command yet" in result.stdout
    assert "ok   --screenshot" in result.stdout


def test_smoke_fails_on_a_wrong_version(tmp_path: Path) -> None:
    program = fake_program(tmp_path, doctor=True)
    program.write_text(program.read_text().replace("HWC Spoke ", "HWC Spoke 9"))
    result = run_smoke(program)
    assert result.returncode == 1
    assert "FAIL --version" in result.stdout
    assert "smoke: 3 passed, 1 failed" in result.stdout
