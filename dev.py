#!/usr/bin/env python3
"""Set up the project and run it: the two commands in the README.

    python3 dev.py demo    set up .venv, build translations, start the app in demo mode
    python3 dev.py test    set up .venv, build translations, run the checks and the test suite

Standard library only, so it runs on a fresh machine before anything is installed. Set-up is
idempotent: the virtual environment is reinstalled only when pyproject.toml changed.
"""

from __future__ import annotations

import hashlib
import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".hwc-installed"

# Debian/Ubuntu packages Qt needs (offscreen and X11) and the fonts the tests render with.
DEBIAN_PACKAGES = [
    "python3-venv",
    "libegl1",
    "libgl1",
    "libxkbcommon0",
    "libxkbcommon-x11-0",
    "libfontconfig1",
    "libdbus-1-3",
    "libglib2.0-0",
    "libxcb-cursor0",
    "libxcb-icccm4",
    "libxcb-keysyms1",
    "libxcb-shape0",
    "fonts-dejavu-core",
]
# What only the tests need: the hub's tests run against a real PostgreSQL (a private cluster
# the tests start and stop themselves; the package's own service is not used), and the browser
# tests (tests/browser) drive Debian's headless Chromium through its matching chromedriver.
TEST_DEBIAN_PACKAGES = ["postgresql", "chromium", "chromium-driver"]
# The frozen build the test command also makes (installer/build.py, docs/INSTALLING.md): NSIS
# compiles the Windows installer script, binutils strips and inspects the bundle's libraries.
# HWC_SKIP_FROZEN=1 leaves the build out (a few minutes) on a developer's machine.
TEST_DEBIAN_PACKAGES += ["nsis", "binutils"]
SKIP_FROZEN = os.environ.get("HWC_SKIP_FROZEN") == "1"


def say(text: str) -> None:
    print(f"[dev] {text}", flush=True)


def run(*cmd: str | Path, env: dict[str, str] | None = None) -> None:
    subprocess.run([str(c) for c in cmd], check=True, cwd=ROOT, env=env)


def missing_debian_packages(names: list[str]) -> list[str]:
    if platform.system() != "Linux" or not shutil.which("dpkg-query"):
        return []
    missing = []
    for name in names:
        probe = subprocess.run(
            ["dpkg-query", "-W", "-f=${Status}", name], capture_output=True, text=True
        )
        if "install ok installed" not in probe.stdout:
            missing.append(name)
    return missing


def ensure_system_packages(names: list[str]) -> None:
    missing = missing_debian_packages(names)
    if not missing:
        return
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    if sudo and not shutil.which("sudo"):
        sys.exit(f"Please install these packages as root: apt-get install {' '.join(missing)}")
    say(f"installing system packages: {' '.join(missing)}")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    run(*sudo, "apt-get", "update", "-q", env=env)
    run(*sudo, "apt-get", "install", "-y", "-q", "--no-install-recommends", *missing, env=env)


def ensure_venv() -> None:
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted and PY.exists():
        return
    if not PY.exists():
        say("creating .venv")
        run(sys.executable, "-m", "venv", VENV)
    say("installing the project and its development tools into .venv")
    run(PY, "-m", "pip", "install", "-q", "--upgrade", "pip")
    run(PY, "-m", "pip", "install", "-q", "-e", ".[dev]")
    STAMP.write_text(wanted)


def build_translations() -> None:
    run(PY, "-m", "app.i18n.build")


def setup(for_tests: bool = False) -> None:
    ensure_system_packages(DEBIAN_PACKAGES + (TEST_DEBIAN_PACKAGES if for_tests else []))
    ensure_venv()
    build_translations()


def cmd_demo(extra: list[str]) -> int:
    setup()
    return subprocess.call([str(PY), str(ROOT / "main.py"), "--demo", *extra], cwd=ROOT)


def cmd_test(extra: list[str]) -> int:
    setup(for_tests=True)
    # HWC_REQUIRE_POSTGRES / HWC_REQUIRE_BROWSER: the hub and browser tests fail, rather than
    # skip, when PostgreSQL or Chromium is missing. SE_OFFLINE: Selenium never downloads.
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        HWC_REQUIRE_POSTGRES="1",
        HWC_REQUIRE_BROWSER="1",
        SE_OFFLINE="true",
        HWC_REQUIRE_NSIS="1",
    )
    steps: list[tuple[str, list[str]]] = [
        ("ruff", [str(BIN / "ruff"), "check", "."]),
        ("ruff format", [str(BIN / "ruff"), "format", "--check", "."]),
        ("mypy", [str(BIN / "mypy")]),
        ("import-linter", [str(BIN / "lint-imports")]),
        ("pytest", [str(PY), "-m", "pytest", *extra]),
    ]
    if not SKIP_FROZEN and not extra:  # the whole suite only: not for a chosen test
        build = [sys.executable, str(ROOT / "installer" / "build.py"), "--smoke"]
        steps.append(("the frozen build and its smoke test", build))
    for name, cmd in steps:
        say(f"running {name}")
        code = subprocess.call(cmd, cwd=ROOT, env=env)
        if code != 0:
            say(f"{name} failed (exit {code})")
            return code
    return 0


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in {"demo", "test", "setup"}:
        print(__doc__)
        return 2
    command, extra = sys.argv[1], sys.argv[2:]
    if command == "setup":
        setup()
        return 0
    return cmd_demo(extra) if command == "demo" else cmd_test(extra)


if __name__ == "__main__":
    sys.exit(main())
