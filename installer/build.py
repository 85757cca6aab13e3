#!/usr/bin/env python3
"""Build the frozen HWC Spoke: a one-folder PyInstaller bundle in dist/, and on Linux a .deb.

    python installer/build.py             clean build venv, translations, bundle, .deb
    python installer/build.py --smoke     the same, then the frozen smoke test (installer/smoke.py)
    python installer/build.py --no-deb    the bundle only (what a Windows build machine runs)
    python installer/build.py --skip-venv build with this interpreter (PyInstaller installed)
    python installer/build.py --lock      recompile installer/requirements-build.txt

The build venv (build/venv) holds exactly installer/requirements-build.txt, every package pinned
and hashed: PySide6-Essentials only (never the full PySide6, whose extra plugins drag Qml, Quick
and Pdf into the bundle), the app's dependencies and PyInstaller. It is made again whenever that
file changes. SOURCE_DATE_EPOCH (the last commit's time) and PYTHONHASHSEED make rebuilds of the
same commit alike. See docs/INSTALLING.md.

Standard library only: it runs before the build venv exists.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import re
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

import bundle  # installer/bundle.py: what the bundle carries and leaves out

ROOT = Path(__file__).resolve().parent.parent
INSTALLER = ROOT / "installer"
SPEC = INSTALLER / "hwc-spoke.spec"
REQUIREMENTS = INSTALLER / "requirements-build.txt"
REQUIREMENTS_IN = INSTALLER / "requirements-build.in"
BUILD = ROOT / "build"
DIST = ROOT / "dist"
VENV = BUILD / "venv"
WORK = BUILD / "pyinstaller"
ICONS = BUILD / "icons"
NAME = "hwc-spoke"
BUNDLE = DIST / NAME
WINDOWS = os.name == "nt"
EXE = BUNDLE / (f"{NAME}.exe" if WINDOWS else NAME)
# The windowed Windows program has no stdout: the smoke test reads its console twin.
CONSOLE_EXE = BUNDLE / f"{NAME}-cli.exe" if WINDOWS else EXE
UV = "uv==0.13.9"  # only for --lock
SIZE_BUDGET = 150_000_000  # bytes on disk (docs/PERFORMANCE.md, "Frozen build")

# The packages of installer/bundle.py's FROM_THE_SYSTEM, and what the xcb platform plugin
# loads at run time; glibc's floor is added from the bundle itself.
DEB_DEPENDS = [
    "libstdc++6",
    "libgcc-s1",
    "libssl3",
    "libgssapi-krb5-2",
    "libglib2.0-0",
    "libdbus-1-3",
    "libcups2",
    "libfontconfig1",
    "libfreetype6",
    "libegl1",
    "libgl1",
    "libx11-6",
    "libx11-xcb1",
    "libxcb1",
    "libxcb-cursor0",
    "libxcb-glx0",
    "libxcb-icccm4",
    "libxcb-image0",
    "libxcb-keysyms1",
    "libxcb-randr0",
    "libxcb-render0",
    "libxcb-render-util0",
    "libxcb-shape0",
    "libxcb-shm0",
    "libxcb-sync1",
    "libxcb-util1",
    "libxcb-xfixes0",
    "libxcb-xkb1",
    "libxkbcommon0",
    "libxkbcommon-x11-0",
]
DEB_MAINTAINER = "HWC Spoke maintainers <maintainers@hwc-spoke.invalid>"
DESKTOP_ENTRY = """\
[Desktop Entry]
Type=Application
Name=HWC Spoke
GenericName=Teleconsultation client
Comment=Offline-first teleconsultation client for Health & Wellness Centres
Exec=/usr/bin/hwc-spoke
Icon=hwc-spoke
Terminal=false
Categories=Science;MedicalSoftware;
"""
# Modules PyInstaller reports missing that the app only uses on another platform or never
# reaches; anything else missing that our own code imports fails the build.
EXPECTED_MISSING = re.compile(
    r"^(winreg|msvcrt|_winapi|_overlapped|nt|winrt(\..*)?|pywintypes|win32.*|"
    r"Foundation|AppKit|objc|CoreBluetooth|libdispatch|_posixshmem|vms_lib|java(\..*)?)$"
)
RENDER_ICONS = """
import sys
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer
from PIL import Image
app = QGuiApplication([])
svg, out = sys.argv[1], sys.argv[2]
image = QImage(256, 256, QImage.Format.Format_ARGB32)
image.fill(Qt.GlobalColor.transparent)
painter = QPainter(image)
QSvgRenderer(svg).render(painter)
painter.end()
image.save(out + ".png")
Image.open(out + ".png").save(out + ".ico", sizes=[(s, s) for s in (16, 24, 32, 48, 64, 128, 256)])
"""


def say(text: str) -> None:
    print(f"[build] {text}", flush=True)


def run(*cmd: str | Path, env: dict[str, str] | None = None) -> None:
    subprocess.run([str(c) for c in cmd], check=True, cwd=ROOT, env=env)


def app_version() -> str:
    text = (ROOT / "app" / "__init__.py").read_text(encoding="utf-8")
    found = re.search(r'^__version__ = "([^"]+)"', text, re.MULTILINE)
    if not found:
        sys.exit("build: no __version__ in app/__init__.py")
    return found.group(1)


def source_date_epoch() -> str:
    """The last commit's time: files in the bundle and the .deb carry it, not the build's."""
    if os.environ.get("SOURCE_DATE_EPOCH"):
        return os.environ["SOURCE_DATE_EPOCH"]
    try:
        out = subprocess.run(
            ["git", "log", "-1", "--format=%ct"], cwd=ROOT, capture_output=True, text=True
        )
        if out.returncode == 0 and out.stdout.strip().isdigit():
            return out.stdout.strip()
    except OSError:
        pass
    return "0"


def venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if WINDOWS else "bin/python")


def ensure_build_venv() -> Path:
    """build/venv with exactly the pinned, hashed build requirements."""
    python = venv_python(VENV)
    stamp = VENV / ".requirements-sha256"
    wanted = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()
    if python.exists() and stamp.exists() and stamp.read_text() == wanted:
        return python
    if VENV.exists():
        shutil.rmtree(VENV)
    say(f"creating the build venv {VENV.relative_to(ROOT)}")
    started = time.perf_counter()
    run(sys.executable, "-m", "venv", VENV)
    run(python, "-m", "pip", "install", "-q", "--require-hashes", "-r", REQUIREMENTS)
    stamp.write_text(wanted)
    say(f"build venv ready in {time.perf_counter() - started:.0f} s")
    return python


def check_interpreter(python: Path) -> None:
    probe = subprocess.run(
        [str(python), "-c", "import PyInstaller, PySide6; print(PyInstaller.__version__)"],
        capture_output=True,
        text=True,
    )
    if probe.returncode != 0:
        sys.exit(
            f"build: {python} cannot import PyInstaller and PySide6; install "
            f"{REQUIREMENTS.relative_to(ROOT)} into it, or leave out --skip-venv"
        )
    say(f"PyInstaller {probe.stdout.strip()} on {python}")


def render_icons(python: Path) -> Path:
    """The app icon as PNG (the .deb) and ICO (the Windows exe), from the SVG."""
    ICONS.mkdir(parents=True, exist_ok=True)
    out = ICONS / NAME
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    run(python, "-c", RENDER_ICONS, INSTALLER / "icons" / f"{NAME}.svg", out, env=env)
    return out


def freeze(python: Path, epoch: str, icon: Path) -> None:
    env = dict(
        os.environ,
        SOURCE_DATE_EPOCH=epoch,
        PYTHONHASHSEED="0",
        HWC_BUILD_ICON=str(icon.with_suffix(".ico")) if WINDOWS else "",
    )
    run(
        python,
        "-m",
        "PyInstaller",
        "--noconfirm",
        "--clean",
        "--log-level",
        "WARN",
        "--distpath",
        DIST,
        "--workpath",
        WORK,
        SPEC,
        env=env,
    )


def missing_modules_that_matter(warn_file: Path) -> list[str]:
    """Lines of PyInstaller's warn file naming a module our own code imports unconditionally
    that did not make it into the bundle."""
    bad = []
    for line in warn_file.read_text(encoding="utf-8", errors="replace").splitlines():
        found = re.match(r"missing module named '?([\w.]+)'? - imported by (.*)", line)
        if not found:
            continue
        module, importers = found.groups()
        excluded = any(module == e or module.startswith(f"{e}.") for e in bundle.EXCLUDES)
        if excluded or EXPECTED_MISSING.match(module):
            continue
        # "a.b (delayed, optional), c (top-level)": the commas inside brackets are not
        # separators between importers.
        for who, how in re.findall(r"([\w.]+) \(([^)]*)\)", importers):
            ours = who in ("__main__", "main") or who.startswith(("app.", "hub."))
            if ours and "optional" not in how and "conditional" not in how:
                bad.append(f"{module} (imported by {who}, {how})")
    return bad


def check_bundle() -> None:
    warn = WORK / NAME / f"warn-{NAME}.txt"
    if warn.exists():
        bad = missing_modules_that_matter(warn)
        if bad:
            listed = "\n  ".join(bad)
            sys.exit(f"build: modules the app imports are missing from the bundle:\n  {listed}")
        say(f"{warn.relative_to(ROOT)}: no missing module the app imports")
    dangling = [p for p in BUNDLE.rglob("*") if p.is_symlink() and not p.exists()]
    if dangling:
        sys.exit(f"build: dangling symlinks in the bundle: {dangling[:5]}")
    for program in {EXE, CONSOLE_EXE}:
        if not program.exists():
            sys.exit(f"build: {program} was not made")
    if platform.system() == "Linux":
        missing = bundle.unbundled_dependencies(list(BUNDLE.rglob("*")), bundle.elf_needed)
        if missing:
            listed = "\n  ".join(
                f"{lib} (needed by {', '.join(who[:3])})" for lib, who in missing.items()
            )
            sys.exit(f"build: libraries neither bundled nor expected from the system:\n  {listed}")
        say("every library the bundle loads is in it or named in the package's Depends")


def tree_size(path: Path) -> tuple[int, int, int]:
    """(bytes on disk as du counts them, apparent bytes, files) under ``path``."""
    disk = apparent = files = 0
    for item in path.rglob("*"):
        info = item.lstat()
        if stat.S_ISDIR(info.st_mode):
            continue
        files += 1
        apparent += info.st_size
        disk += getattr(info, "st_blocks", 0) * 512 or info.st_size
    return disk, apparent, files


def glibc_floor() -> str:
    """The oldest glibc the bundle runs on: the newest symbol version any of its binaries
    asks for."""
    versions = [
        bundle.glibc_needed(str(f))
        for f in BUNDLE.rglob("*")
        if f.is_file() and not f.is_symlink() and bundle.is_elf(f)
    ]
    known = [tuple(int(n) for n in v.split(".")) for v in versions if v]
    return ".".join(map(str, max(known))) if known else "2.17"


def make_deb(version: str, epoch: str, icon: Path, floor: str) -> Path:
    """dist/hwc-spoke_<version>_<arch>.deb: the bundle under /opt/hwc-spoke, a command in
    /usr/bin, a desktop entry and the icon."""
    arch = subprocess.run(
        ["dpkg", "--print-architecture"], capture_output=True, text=True, check=True
    ).stdout.strip()
    root = BUILD / "deb"
    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(BUNDLE, root / "opt" / NAME, symlinks=True)
    (root / "usr" / "bin").mkdir(parents=True)
    (root / "usr" / "bin" / NAME).symlink_to(f"/opt/{NAME}/{NAME}")
    apps = root / "usr" / "share" / "applications"
    apps.mkdir(parents=True)
    (apps / f"{NAME}.desktop").write_text(DESKTOP_ENTRY, encoding="utf-8")
    hicolor = root / "usr" / "share" / "icons" / "hicolor"
    icons = {
        hicolor / "scalable" / "apps" / f"{NAME}.svg": INSTALLER / "icons" / f"{NAME}.svg",
        hicolor / "256x256" / "apps" / f"{NAME}.png": icon.with_suffix(".png"),
    }
    for target, source in icons.items():
        target.parent.mkdir(parents=True)
        shutil.copyfile(source, target)
    doc = root / "usr" / "share" / "doc" / NAME
    doc.mkdir(parents=True)
    shutil.copyfile(ROOT / "LICENSE", doc / "copyright")

    installed_kb = tree_size(root)[1] // 1024 + 1
    depends = ", ".join([f"libc6 (>= {floor})", *DEB_DEPENDS])
    control = (
        f"Package: {NAME}\n"
        f"Version: {version}\n"
        f"Architecture: {arch}\n"
        f"Maintainer: {DEB_MAINTAINER}\n"
        f"Installed-Size: {installed_kb}\n"
        f"Depends: {depends}\n"
        "Section: science\n"
        "Priority: optional\n"
        "Description: Offline-first teleconsultation client for Health & Wellness Centres\n"
        " HWC Spoke registers patients, records vitals from devices, and sends cases to a\n"
        " specialist hub when a connection is there. The clinic's data stays in each\n"
        " user's data folder (~/.local/share/hwc-spoke), which removing the package keeps.\n"
    )
    (root / "DEBIAN").mkdir()
    (root / "DEBIAN" / "control").write_text(control, encoding="utf-8")
    normalise_tree(root, int(epoch))
    out = DIST / f"{NAME}_{version}_{arch}.deb"
    out.unlink(missing_ok=True)
    env = dict(os.environ, SOURCE_DATE_EPOCH=epoch)
    run("dpkg-deb", "--root-owner-group", "-Zxz", "--build", root, out, env=env)
    return out


def normalise_tree(root: Path, epoch: int) -> None:
    """Modes dpkg expects (0755 directories and programs, 0644 the rest) and one timestamp,
    so the package does not depend on the umask or the time of the build."""
    for item in sorted(root.rglob("*"), reverse=True):
        if item.is_symlink():
            os.utime(item, (epoch, epoch), follow_symlinks=False)
            continue
        mode = item.stat().st_mode
        executable = stat.S_ISDIR(mode) or mode & stat.S_IXUSR
        item.chmod(0o755 if executable else 0o644)
        os.utime(item, (epoch, epoch))
    root.chmod(0o755)


def lock() -> int:
    """Recompile requirements-build.txt from pyproject.toml and requirements-build.in with uv
    (hashes of every platform's wheels, markers for Windows-only packages). Pins already in the
    file are kept; add --upgrade-package NAME by hand to move one."""
    tools = BUILD / "lock-venv"
    python = venv_python(tools)
    if not python.exists():
        run(sys.executable, "-m", "venv", tools)
    run(python, "-m", "pip", "install", "-q", UV)
    uv = tools / ("Scripts/uv.exe" if WINDOWS else "bin/uv")
    run(
        uv, "pip", "compile", "pyproject.toml", REQUIREMENTS_IN.relative_to(ROOT),
        "--universal", "--python-version", "3.11", "--generate-hashes",
        # Extras stay on the pins (securesystemslib[crypto,pynacl] for tuf): pip's
        # --require-hashes refuses a dependency asking for extras of a bare pin.
        "--no-strip-extras",
        "--custom-compile-command", "python installer/build.py --lock",
        "-o", REQUIREMENTS.relative_to(ROOT),
    )  # fmt: skip
    return 0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="installer/build.py",
        description="Build the frozen HWC Spoke (PyInstaller one-folder) into dist/, and a .deb "
        "on Linux. See docs/INSTALLING.md.",
    )
    parser.add_argument("--no-deb", action="store_true", help="the bundle only, no .deb")
    parser.add_argument(
        "--skip-venv",
        action="store_true",
        help="build with this interpreter instead of the clean build venv (it must have "
        "installer/requirements-build.txt installed)",
    )
    parser.add_argument(
        "--smoke", action="store_true", help="run installer/smoke.py on the bundle afterwards"
    )
    parser.add_argument(
        "--lock",
        action="store_true",
        help="recompile installer/requirements-build.txt (pinned, hashed) and build nothing",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.lock:
        return lock()
    started = time.perf_counter()
    version = app_version()
    epoch = source_date_epoch()
    python = Path(sys.executable) if args.skip_venv else ensure_build_venv()
    check_interpreter(python)
    say("building the translations")
    run(python, "-m", "app.i18n.build")
    icon = render_icons(python)
    say(f"freezing HWC Spoke {version} (SOURCE_DATE_EPOCH={epoch})")
    freeze(python, epoch, icon)
    check_bundle()
    disk, apparent, files = tree_size(BUNDLE)
    deb = None
    floor = glibc_floor() if platform.system() == "Linux" else ""
    if floor:
        say(f"the bundle needs glibc {floor} or newer")
    if not args.no_deb and platform.system() == "Linux" and shutil.which("dpkg-deb"):
        deb = make_deb(version, epoch, icon, floor)
    say(f"bundle: {BUNDLE.relative_to(ROOT)}: {disk / 1e6:.1f} MB on disk "
        f"({apparent / 1e6:.1f} MB of files), {files} files")  # fmt: skip
    if deb is not None:
        say(f"package: {deb.relative_to(ROOT)}: {deb.stat().st_size / 1e6:.1f} MB")
    if disk > SIZE_BUDGET:
        print(
            f"build: the bundle is {disk / 1e6:.1f} MB, over its {SIZE_BUDGET / 1e6:.0f} MB "
            "budget: see what grew, and installer/bundle.py for what can be left out",
            file=sys.stderr,
        )
        return 1
    say(f"built in {time.perf_counter() - started:.0f} s")
    if args.smoke:
        say("smoke test of the frozen app")
        return subprocess.call(
            [str(python), str(INSTALLER / "smoke.py"), str(CONSOLE_EXE)], cwd=ROOT
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
