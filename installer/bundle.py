"""What the frozen app carries and what it leaves out: read by ``hwc-spoke.spec`` and by the
test that fails when a new data file appears in the source tree without a decision here.

Data files: every file under ``app/`` and ``hub/`` that is not Python source is either
collected (``COLLECTED``, copied to the same relative folder in the bundle, where the code finds
it through ``__file__`` or ``importlib.resources``) or named in ``NOT_COLLECTED`` with the reason.

Pruning: the Qt pieces a Widgets app on X11/Windows never loads (plugins for Wayland, EGL
framebuffers, VNC, TLS backends, QML...) and every Qt translation but the ones the app loads.
PySide6 bindings for modules the app does not import are excluded outright. The app does use
QtNetwork (``QNetworkInterface`` in the pairing dialog) and QtPrintSupport (printing
prescriptions): both stay.

System libraries (Linux): only those a kept binary loads, and not those the distribution
provides (``FROM_THE_SYSTEM``: the .deb depends on their packages instead).

Standard library and PyInstaller only: the spec runs inside PyInstaller's own interpreter.
"""

from __future__ import annotations

import fnmatch
import os
import re
import subprocess
from collections.abc import Callable, Iterable
from pathlib import Path

# (glob relative to the repository root, why the app needs it at run time)
COLLECTED: tuple[tuple[str, str], ...] = (
    ("app/data/*.csv", "reference lists: states and districts (app.services.reference)"),
    ("app/i18n/*.qm", "compiled translations (app.ui.application), built by app.i18n.build"),
    ("app/ui/fonts/*.ttf", "the bundled Noto fonts, so Hindi renders on a bare PC"),
    ("app/ui/fonts/OFL.txt", "the fonts' licence, which must travel with them"),
    ("app/ui/icons/*.svg", "icons the style sheet draws (the drop-down chevron)"),
    ("hub/formulary/*.csv", "the formulary the embedded demo hub loads"),
)
# Collected globs that are outputs of a build step rather than files in git.
BUILT = frozenset({"app/i18n/*.qm"})

NOT_COLLECTED: tuple[tuple[str, str], ...] = (
    ("app/i18n/*.ts", "translation sources: the .qm files built from them ship instead"),
    ("hub/formulary/README.md", "how the formulary is kept up to date: for maintainers"),
)

# Python modules the app never imports; PyInstaller would otherwise follow references to them
# (PySide6's own __init__ names every binding).
EXCLUDES: tuple[str, ...] = (
    "PySide6.QtDBus",
    "PySide6.QtQml",
    "PySide6.QtQuick",
    "PySide6.QtQuickWidgets",
    "PySide6.QtOpenGL",
    "PySide6.QtOpenGLWidgets",
    "PySide6.QtSql",
    "PySide6.QtTest",
    "PySide6.QtConcurrent",
    "PySide6.QtDesigner",
    "PySide6.QtUiTools",
    "PySide6.QtXml",
    "PySide6.QtHelp",
    "PyQt5",
    "PyQt6",
    "tkinter",
    "unittest",
    "pydoc",
    "doctest",
    "lib2to3",
    "xmlrpc",
    "pdb",
    "pytest",
    # AVIF decoding (libavif, 4.7 MB): attachments accept JPEG, PNG, WebP, BMP, TIFF and GIF
    # only (app.services.attachments.IMAGE_FORMATS).
    "PIL._avif",
    "PIL.AvifImagePlugin",
    "setuptools",  # a build tool; nothing the app runs imports it
    # The hub's PostgreSQL driver (with libpq, Kerberos and LDAP: 10 MB). The clinic app only
    # ever runs the demo hub, on SQLite; a real hub is deployed from source (docs/SYNC.md).
    "psycopg",
    "psycopg_binary",
    "psycopg_c",
    "psycopg_pool",
)

# Paths inside Qt's folder that are dropped, with the symlinks that point at them. Qt's folder
# is PySide6/Qt/ in a Linux bundle (libraries in lib/) and PySide6/ in a Windows one (DLLs at
# its top), so a library is listed under both names.
QT_DROP: tuple[str, ...] = (
    "plugins/platformthemes",  # GTK theme plugin: pulls GTK, cairo, glib
    "plugins/wayland-",  # Ubuntu's Wayland sessions run the app through XWayland
    "plugins/platforms/libqwayland",
    "plugins/platforms/libqeglfs",
    "plugins/platforms/libqlinuxfb",
    "plugins/platforms/libqvnc",
    "plugins/platforms/libqvkkhrdisplay",
    "plugins/platforms/libqminimalegl",
    "plugins/egldeviceintegrations",
    "plugins/networkinformation",  # QNetworkInterface needs neither of these two
    "plugins/tls",
    "plugins/generic",  # evdev/tslib input for kiosks without a window system
    "plugins/platforminputcontexts",  # virtual keyboard / IBus: drag in Qml and Quick
    # Image formats: the app draws no image Qt would decode (photos go through Pillow); only
    # the SVG plugin stays, for the style sheet's icons.
    "plugins/imageformats/libqgif",
    "plugins/imageformats/libqicns",
    "plugins/imageformats/libqico",
    "plugins/imageformats/libqjpeg",
    "plugins/imageformats/libqpdf",  # drags in QtPdf
    "plugins/imageformats/libqtga",
    "plugins/imageformats/libqtiff",
    "plugins/imageformats/libqwbmp",
    "plugins/imageformats/libqwebp",
    "plugins/imageformats/qgif",
    "plugins/imageformats/qicns",
    "plugins/imageformats/qico",
    "plugins/imageformats/qjpeg",
    "plugins/imageformats/qpdf",
    "plugins/imageformats/qtga",
    "plugins/imageformats/qtiff",
    "plugins/imageformats/qwbmp",
    "plugins/imageformats/qwebp",
    "lib/libQt6WaylandClient",
    "lib/libQt6WlShellIntegration",
    "lib/libQt6EglFs",
    "lib/libQt6Pdf",
    "Qt6Pdf",
)
# Qt's own translations the app loads (app.ui.application loads qtbase_<language>; Qt has no
# Hindi catalogue, so English is the only one there is).
KEEP_TRANSLATIONS: tuple[str, ...] = ("qtbase_en", "qtbase_hi")
SYSTEM_LIB_DIRS = ("/lib/", "/lib64/", "/usr/lib/", "/usr/lib64/")
# Linux libraries the bundle takes from the distribution (the .deb's Depends names their
# packages) instead of copying the build host's: the X11/xcb/xkb stack (PyInstaller never
# bundles libxcb.so.1 itself, and mixing the host's xcb helpers with another distribution's
# libxcb breaks the xcb plugin), fonts, GLib, D-Bus, CUPS for printing, the C++ runtime.
# OpenSSL and Kerberos too, so their security updates reach the app with the system's. Every
# Ubuntu desktop has them; leaving them out saves 27 MB and the glibc the build host's copies
# would demand.
FROM_THE_SYSTEM: tuple[str, ...] = (
    "libssl.so",
    "libcrypto.so",
    "libgssapi_krb5.so",
    "libkrb5.so",
    "libk5crypto.so",
    "libkrb5support.so",
    "libcom_err.so",
    "libkeyutils.so",
    "libstdc++.so",
    "libgcc_s.so",
    "libcups.so",
    "libglib-2.0.so",
    "libgthread-2.0.so",
    "libdbus-1.so",
    "libfontconfig.so",
    "libfreetype.so",
    "libX11.so",
    "libX11-xcb.so",
    "libxcb",
    "libxkbcommon",
    "libEGL.so",
    "libGL.so",
    "libGLX.so",
    "libOpenGL.so",
)
# The C library's own parts, which every Linux has and nothing may bundle.
GLIBC: tuple[str, ...] = (
    "libc.so.",
    "libm.so.",
    "libdl.so.",
    "libpthread.so.",
    "librt.so.",
    "libresolv.so.",
    "libutil.so.",
    "libcrypt.so.",
    "ld-linux",
)
QT_ROOTS = ("PySide6/Qt/", "PySide6/")  # Linux first: the Windows root is its prefix


def datas(root: Path) -> list[tuple[str, str]]:
    """PyInstaller ``datas``: (source file, destination folder) for every collected file."""
    found: list[tuple[str, str]] = []
    for pattern, _why in COLLECTED:
        matches = sorted(root.glob(pattern))
        if not matches:
            raise SystemExit(f"bundle: nothing matches {pattern} (build step missing?)")
        found.extend((str(p), str(p.parent.relative_to(root))) for p in matches)
    return found


def modules(root: Path) -> list[str]:
    """Every module of the app and the hub, for ``hiddenimports``: the main window imports its
    pages by name (``importlib.import_module``), which PyInstaller cannot follow, and a module
    left out would only fail when someone opens that page."""
    names = []
    for package in ("app", "hub"):
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            names.append(".".join(parts))
    return names


def is_decided(relative: str) -> bool:
    """Whether a data file's path (relative to the root, "/" separated) is collected or
    knowingly left out."""
    patterns = [p for p, _ in COLLECTED] + [p for p, _ in NOT_COLLECTED]
    return any(fnmatch.fnmatchcase(relative, p) for p in patterns)


def drop_system_libraries(
    binaries: list[tuple[str, str, str]], needed: Callable[[str], Iterable[str]]
) -> list[tuple[str, str, str]]:
    """Linux: leave out the libraries the distribution provides (``FROM_THE_SYSTEM``, the
    .deb depends on their packages) and every other system library no kept binary loads.

    PyInstaller collects a plugin's dependencies while analysing; dropping the plugin
    afterwards (the GTK theme plugin, with GTK, cairo, pango ...) would leave them behind.
    ``needed(path)`` lists a binary's direct dependencies (DT_NEEDED)."""

    def from_system_dir(entry: tuple[str, str, str]) -> bool:
        return (
            entry[2] == "BINARY"
            and "/" not in entry[0].replace(os.sep, "/")
            and entry[1].startswith(SYSTEM_LIB_DIRS)
            and not os.path.basename(entry[0]).startswith("libpython")  # the bootloader's
        )

    loadable = ("BINARY", "EXTENSION")
    sources = {os.path.basename(e[0]): e[1] for e in binaries if e[2] in loadable}
    reached: set[str] = set()
    queue = [e[1] for e in binaries if e[2] in loadable and not from_system_dir(e)]
    seen: set[str] = set()
    while queue:
        source = queue.pop()
        if source in seen:
            continue
        seen.add(source)
        for name in needed(source):
            if name.startswith(FROM_THE_SYSTEM) or name in reached:
                continue
            reached.add(name)
            if name in sources:
                queue.append(sources[name])
    kept = [e for e in binaries if not from_system_dir(e) or os.path.basename(e[0]) in reached]
    names = {os.path.basename(e[0]) for e in kept}
    # A symlink to a library that went (libfoo.so -> libfoo.so.1) goes with it.
    return [e for e in kept if e[2] != "SYMLINK" or os.path.basename(e[1]) in names or "/" in e[1]]


def in_qt(path: str) -> str | None:
    """``path`` relative to Qt's folder, or None when it is not in it."""
    for root in QT_ROOTS:
        if path.startswith(root):
            return path[len(root) :]
    return None


def keep(entry: tuple[str, str, str]) -> bool:
    """Filter for ``a.binaries`` / ``a.datas``: False for what the prune list drops.

    PyInstaller 6 adds top-level SYMLINK entries on Linux (name -> PySide6/Qt/lib/...); one
    whose target is dropped goes too, or the bundle would hold a dangling link that breaks
    copying it (and any archive-based updater)."""
    paths = [entry[0].replace(os.sep, "/")]
    if entry[2] == "SYMLINK":
        paths.append(entry[1].replace(os.sep, "/"))
    for path in paths:
        inside = in_qt(path)
        if inside is None:
            continue
        if inside.startswith(QT_DROP):
            return False
        if inside.startswith("translations/"):
            return os.path.basename(inside).startswith(KEEP_TRANSLATIONS)
    return True


def elf_needed(path: str) -> list[str]:
    """A Linux binary's direct dependencies (DT_NEEDED), as ``objdump -p`` lists them."""
    out = subprocess.run(["objdump", "-p", path], capture_output=True, text=True, check=True)
    return re.findall(r"^\s*NEEDED\s+(\S+)", out.stdout, re.MULTILINE)


def unbundled_dependencies(
    files: Iterable[Path], needed: Callable[[str], Iterable[str]]
) -> dict[str, list[str]]:
    """Libraries the bundle's binaries load that it neither carries nor expects from the
    system (``FROM_THE_SYSTEM``, glibc): {library: [the files that need it]}."""
    binaries = [f for f in files if f.is_file() and not f.is_symlink() and is_elf(f)]
    present = {f.name for f in files}
    missing: dict[str, list[str]] = {}
    for binary in binaries:
        for name in needed(str(binary)):
            if name in present or name.startswith(FROM_THE_SYSTEM + GLIBC):
                continue
            missing.setdefault(name, []).append(binary.name)
    return missing


def is_elf(path: Path) -> bool:
    with path.open("rb") as f:
        return f.read(4) == b"\x7fELF"


def glibc_needed(path: str) -> str | None:
    """The newest glibc symbol version a Linux binary asks for (``objdump -T``), e.g. "2.34"."""
    out = subprocess.run(["objdump", "-T", path], capture_output=True, text=True).stdout
    versions = {tuple(int(n) for n in v.split(".")) for v in re.findall(r"GLIBC_(\d+\.\d+)", out)}
    return ".".join(map(str, max(versions))) if versions else None
