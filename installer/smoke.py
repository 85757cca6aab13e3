#!/usr/bin/env python3
"""Smoke test of the frozen app: run the built program the way field IT and clinic staff do,
offscreen, in a throw-away home and data folder, and check what it produces.

    python installer/smoke.py dist/hwc-spoke/hwc-spoke [--runs N] [--no-demo]

Checks: ``--version`` names the app's version; ``doctor --offline`` on a fresh folder exits
0-2 and prints its checks (skipped, and said so, while the program has no ``doctor``);
``--screenshot`` writes a PNG of the login window that decodes, with the data folder's log
beside it; ``--demo --screenshot`` seeds the demo folder, starts the embedded hub over HTTPS
and renders the main window. Then the cold start: the time from starting the process to the
login window being ready (``--startup-probe``), over N runs; printed, never asserted.

Exit 0 when every check passed, 1 otherwise. Standard library, plus Pillow when present to
decode the screenshots (without it they are checked by their PNG header).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROBE_LINE = re.compile(r"startup: login window ready after (\d+) ms")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
TIMEOUT = 120  # seconds for one run; the demo's first run seeds 2,000 patients
DEMO_TIMEOUT = 300


class Failed(Exception):
    """A check did not hold; the message says what was seen."""


def app_version() -> str:
    text = (ROOT / "app" / "__init__.py").read_text(encoding="utf-8")
    found = re.search(r'^__version__ = "([^"]+)"', text, re.MULTILINE)
    return found.group(1) if found else ""


class Frozen:
    """The frozen program, run with its own home and data folders under ``scratch``."""

    def __init__(self, exe: Path, scratch: Path) -> None:
        self.exe = exe
        self.scratch = scratch
        home = scratch / "home"
        home.mkdir()
        self.env = dict(
            os.environ,
            QT_QPA_PLATFORM="offscreen",
            HOME=str(home),
            USERPROFILE=str(home),
            APPDATA=str(home / "AppData" / "Roaming"),
            LOCALAPPDATA=str(home / "AppData" / "Local"),
            XDG_DATA_HOME=str(home / ".local" / "share"),
            XDG_CONFIG_HOME=str(home / ".config"),
            XDG_CACHE_HOME=str(home / ".cache"),
        )
        for name in ("SPOKE_DATA_DIR", "SPOKE_LANG", "SPOKE_SCREENSHOT_USER"):
            self.env.pop(name, None)

    def run(self, *args: str, timeout: float = TIMEOUT) -> subprocess.CompletedProcess[str]:
        try:
            return subprocess.run(
                [str(self.exe), *args],
                env=self.env,
                cwd=self.scratch,
                capture_output=True,
                text=True,
                timeout=timeout,
                stdin=subprocess.DEVNULL,
            )
        except subprocess.TimeoutExpired as exc:
            raise Failed(f"{' '.join(args)}: still running after {timeout:.0f} s") from exc

    def folder(self, name: str) -> Path:
        path = self.scratch / name
        path.mkdir(exist_ok=True)
        return path


def describe(result: subprocess.CompletedProcess[str]) -> str:
    tail = (result.stdout + result.stderr).strip().splitlines()[-15:]
    return f"exit {result.returncode}; output:\n    " + "\n    ".join(tail)


def png_size(path: Path) -> tuple[int, int]:
    """Width and height of a PNG that decodes; Failed otherwise."""
    data = path.read_bytes()
    if not data.startswith(PNG_SIGNATURE) or data[12:16] != b"IHDR":
        raise Failed(f"{path.name} is not a PNG")
    try:
        from PIL import Image
    except ImportError:
        width, height = struct.unpack(">II", data[16:24])
        return width, height
    with Image.open(path) as image:
        image.load()  # decodes every pixel: a truncated file fails here
        colours = image.convert("RGB").getcolors(maxcolors=1 << 16)
        if colours is not None and len(colours) < 16:
            raise Failed(f"{path.name} has {len(colours)} colours: nothing rendered")
        return image.size


def check_version(app: Frozen) -> str:
    result = app.run("--version")
    wanted = f"HWC Spoke {app_version()}"
    if result.returncode != 0 or wanted not in result.stdout:
        raise Failed(f"--version should print {wanted!r}: {describe(result)}")
    return result.stdout.strip()


def check_doctor(app: Frozen) -> str:
    help_text = app.run("--help")
    if not re.search(r"^\s+doctor\b", help_text.stdout, re.MULTILINE):
        return "skipped: this build has no doctor command yet"
    result = app.run("doctor", "--offline", "--data-dir", str(app.folder("doctor-data")))
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    if result.returncode not in (0, 1, 2) or len(lines) < 2:
        raise Failed(f"doctor --offline should exit 0-2 and print its checks: {describe(result)}")
    return f"exit {result.returncode}, {len(lines)} lines"


def check_screenshot(app: Frozen) -> str:
    data = app.folder("data")
    shot = app.scratch / "login.png"
    result = app.run("--data-dir", str(data), "--screenshot", str(shot))
    if result.returncode != 0 or not shot.exists():
        raise Failed(f"--screenshot should write {shot.name}: {describe(result)}")
    width, height = png_size(shot)
    if width < 400 or height < 300 or shot.stat().st_size < 10_000:
        raise Failed(f"{shot.name} is {width}x{height}, {shot.stat().st_size} bytes: too small")
    if not (data / "logs" / "spoke.log").exists():
        raise Failed("the data folder has no logs/spoke.log after a start")
    return f"{width}x{height}, {shot.stat().st_size // 1000} kB"


def check_demo(app: Frozen) -> str:
    shot = app.scratch / "demo.png"
    started = time.perf_counter()
    result = app.run(
        "--demo", "--data-dir", str(app.folder("demo")), "--screenshot", str(shot),
        timeout=DEMO_TIMEOUT,
    )  # fmt: skip
    if result.returncode != 0 or not shot.exists():
        raise Failed(f"--demo --screenshot should write {shot.name}: {describe(result)}")
    if "Demo hub console: https://127.0.0.1:" not in result.stdout:
        raise Failed(f"the demo did not start its hub: {describe(result)}")
    width, height = png_size(shot)
    log = (app.scratch / "demo" / "logs" / "spoke.log").read_text(encoding="utf-8")
    missing = re.findall(r"page (\S+) not available", log)
    if missing:  # the main window shows a placeholder for a page module the bundle lacks
        raise Failed(f"pages missing from the bundle: {', '.join(missing)}")
    return f"main window {width}x{height} in {time.perf_counter() - started:.0f} s"


def measure_cold_start(app: Frozen, runs: int) -> str:
    """Wall time from starting the process to the login window ready, as a person would see
    it (the bootloader and imports included), and the app's own figure from its first line."""
    data = app.folder("data")
    walls: list[float] = []
    inner: list[int] = []
    for _ in range(runs):
        started = time.perf_counter()
        with subprocess.Popen(
            [str(app.exe), "--data-dir", str(data), "--startup-probe"],
            env=app.env,
            cwd=app.scratch,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
            text=True,
        ) as process:
            assert process.stdout is not None
            for line in process.stdout:
                found = PROBE_LINE.search(line)
                if found:
                    walls.append(time.perf_counter() - started)
                    inner.append(int(found.group(1)))
                    break
            process.stdout.read()
            process.wait(timeout=TIMEOUT)
        if len(walls) != len(inner) or not walls:
            raise Failed("--startup-probe printed no 'login window ready' line")
    return (
        f"login window ready, median of {runs}: {statistics.median(walls):.2f} s from process "
        f"start (min {min(walls):.2f}, max {max(walls):.2f}); the app's own probe "
        f"{statistics.median(inner):.0f} ms"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="installer/smoke.py", description=__doc__.split("\n")[0])
    parser.add_argument("exe", type=Path, help="the frozen program, e.g. dist/hwc-spoke/hwc-spoke")
    parser.add_argument("--runs", type=int, default=7, help="cold starts to time (7)")
    parser.add_argument("--no-demo", action="store_true", help="leave out the demo check")
    args = parser.parse_args(argv)
    exe = args.exe.resolve()
    if not exe.is_file():
        print(f"smoke: no program at {args.exe}", file=sys.stderr)
        return 1

    checks: list[tuple[str, Callable[[Frozen], str]]] = [
        ("--version", check_version),
        ("doctor --offline", check_doctor),
        ("--screenshot (login window)", check_screenshot),
    ]
    if not args.no_demo:
        checks.append(("--demo --screenshot", check_demo))
    checks.append(("cold start", lambda app: measure_cold_start(app, args.runs)))

    passed = failed = 0
    with tempfile.TemporaryDirectory(prefix="hwc-smoke-") as scratch:
        app = Frozen(exe, Path(scratch))
        for name, check in checks:
            try:
                outcome = check(app)
            except Failed as exc:
                failed += 1
                print(f"smoke: FAIL {name}: {exc}", flush=True)
            else:
                passed += 1
                print(f"smoke: ok   {name}: {outcome}", flush=True)
    print(f"smoke: {passed} passed, {failed} failed", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
