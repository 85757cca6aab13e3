"""installer/bundle.py: every data file the app and the hub read is collected into the frozen
app (or knowingly left out), every module is in it, and the prune list drops what it says."""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path

import bundle
import pytest

from tests.installer.conftest import ROOT

SKIPPED_DIRS = {"__pycache__"}


def data_files() -> list[str]:
    """Every file under app/ and hub/ that is not Python source or bytecode."""
    found = []
    for package in ("app", "hub"):
        for path in (ROOT / package).rglob("*"):
            if not path.is_file() or SKIPPED_DIRS & set(path.parts):
                continue
            if path.suffix in (".py", ".pyc", ".pyi") or path.name == "py.typed":
                continue
            found.append(path.relative_to(ROOT).as_posix())
    return sorted(found)


def test_every_data_file_is_collected_or_left_out_with_a_reason() -> None:
    undecided = [f for f in data_files() if not bundle.is_decided(f)]
    assert not undecided, (
        "data files the frozen app would not carry: add them to COLLECTED (or NOT_COLLECTED, "
        f"with the reason) in installer/bundle.py: {undecided}"
    )


def test_every_collected_pattern_finds_files() -> None:
    """A pattern that matches nothing is a folder that moved: the bundle would lack it."""
    for pattern, why in bundle.COLLECTED:
        assert why
        if pattern in bundle.BUILT:
            continue
        assert list(ROOT.glob(pattern)), f"{pattern} matches no file"


def test_collected_and_left_out_do_not_overlap() -> None:
    for pattern, _ in bundle.NOT_COLLECTED:
        for collected, _ in bundle.COLLECTED:
            assert not fnmatch.fnmatchcase(pattern, collected), (pattern, collected)


def test_datas_keeps_each_file_in_its_folder(tmp_path: Path) -> None:
    for pattern, _ in bundle.COLLECTED:
        folder = tmp_path / Path(pattern).parent
        folder.mkdir(parents=True, exist_ok=True)
        (folder / Path(pattern).name.replace("*", "sample")).write_text("x")
    pairs = bundle.datas(tmp_path)
    assert (str(tmp_path / "app/data/sample.csv"), "app/data") in [
        (src, Path(dest).as_posix()) for src, dest in pairs
    ]
    assert len(pairs) == len(bundle.COLLECTED)


def test_datas_refuses_a_build_without_translations(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match=r"app/data/\*\.csv"):
        bundle.datas(tmp_path)


def test_every_page_the_main_window_imports_by_name_is_bundled() -> None:
    """Pages are imported with importlib, which PyInstaller cannot follow."""
    modules = set(bundle.modules(ROOT))
    named = set()
    for path in (ROOT / "app" / "ui").glob("*.py"):
        named |= set(re.findall(r'"(app\.ui\.[a-z_.]+)"', path.read_text(encoding="utf-8")))
    assert named, "no module named in a string: the test looks in the wrong place"
    assert named <= modules, named - modules
    assert {"app", "app.ui.run", "hub.app", "hub.formulary"} <= modules


@pytest.mark.parametrize(
    ("entry", "kept"),
    [
        (("PySide6/Qt/plugins/platforms/libqxcb.so", "/x/libqxcb.so", "BINARY"), True),
        (("PySide6/Qt/plugins/platforms/libqwayland.so", "/x/libqwayland.so", "BINARY"), False),
        (("PySide6/Qt/plugins/imageformats/libqsvg.so", "/x/libqsvg.so", "BINARY"), True),
        (("PySide6/Qt/plugins/imageformats/libqjpeg.so", "/x/libqjpeg.so", "BINARY"), False),
        (("PySide6/Qt/plugins/platformthemes/libqgtk3.so", "/x/libqgtk3.so", "BINARY"), False),
        (("PySide6/Qt/translations/qtbase_en.qm", "/x/qtbase_en.qm", "DATA"), True),
        (("PySide6/Qt/translations/qtbase_de.qm", "/x/qtbase_de.qm", "DATA"), False),
        # PyInstaller's top-level symlinks into Qt's lib folder go with their target.
        (("libQt6Pdf.so.6", "PySide6/Qt/lib/libQt6Pdf.so.6", "SYMLINK"), False),
        (("libQt6Core.so.6", "PySide6/Qt/lib/libQt6Core.so.6", "SYMLINK"), True),
        # The Windows layout: Qt's folder is PySide6/ itself.
        (("PySide6/plugins/imageformats/qjpeg.dll", "/x/qjpeg.dll", "BINARY"), False),
        (("PySide6/translations/qtbase_fr.qm", "/x/qtbase_fr.qm", "DATA"), False),
        (("PySide6/Qt6Widgets.dll", "/x/Qt6Widgets.dll", "BINARY"), True),
        (("PySide6/Qt6Pdf.dll", "/x/Qt6Pdf.dll", "BINARY"), False),
    ],
)
def test_prune_list(entry: tuple[str, str, str], kept: bool) -> None:
    assert bundle.keep(entry) is kept


def test_system_libraries_only_what_is_loaded_and_not_provided() -> None:
    graph = {
        "/venv/PySide6/Qt/plugins/platforms/libqxcb.so": ["libQt6Gui.so.6", "libxcb.so.1"],
        "/venv/PySide6/Qt/lib/libQt6Gui.so.6": ["libfontconfig.so.1", "libpng16.so.16"],
        "/venv/lib-dynload/_ctypes.so": ["libffi.so.8", "libc.so.6"],
        "/lib/x86_64-linux-gnu/libpng16.so.16": ["libz.so.1"],
    }
    binaries = [
        ("PySide6/Qt/plugins/platforms/libqxcb.so", *_source("libqxcb.so", graph), "BINARY"),
        ("PySide6/Qt/lib/libQt6Gui.so.6", *_source("libQt6Gui.so.6", graph), "BINARY"),
        ("python3.11/lib-dynload/_ctypes.so", *_source("_ctypes.so", graph), "EXTENSION"),
        ("libffi.so.8", "/lib/x86_64-linux-gnu/libffi.so.8", "BINARY"),
        ("libpng16.so.16", "/lib/x86_64-linux-gnu/libpng16.so.16", "BINARY"),
        ("libz.so.1", "/lib/x86_64-linux-gnu/libz.so.1", "BINARY"),
        # what only the dropped GTK theme plugin loaded
        ("libgtk-3.so.0", "/lib/x86_64-linux-gnu/libgtk-3.so.0", "BINARY"),
        # provided by the distribution: the package depends on it
        ("libfontconfig.so.1", "/lib/x86_64-linux-gnu/libfontconfig.so.1", "BINARY"),
        ("libpython3.11.so.1.0", "/usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0", "BINARY"),
    ]
    kept = bundle.drop_system_libraries(binaries, lambda path: graph.get(path, []))
    names = {entry[0] for entry in kept}
    assert "libffi.so.8" in names  # an extension module's dependency
    assert {"libpng16.so.16", "libz.so.1"} <= names  # transitively
    assert "libgtk-3.so.0" not in names
    assert "libfontconfig.so.1" not in names
    assert "libpython3.11.so.1.0" in names  # the bootloader loads it


def _source(name: str, graph: dict[str, list[str]]) -> tuple[str]:
    return (next(path for path in graph if path.endswith(name)),)


def test_unbundled_dependencies_names_what_nothing_provides(tmp_path: Path) -> None:
    for name in ("app.so", "libbundled.so.1"):
        (tmp_path / name).write_bytes(b"\x7fELF" + b"\0" * 60)
    needs = {
        str(tmp_path / "app.so"): ["libbundled.so.1", "libc.so.6", "libxcb.so.1", "libodd.so.3"]
    }
    missing = bundle.unbundled_dependencies(
        list(tmp_path.iterdir()), lambda path: needs.get(path, [])
    )
    assert missing == {"libodd.so.3": ["app.so"]}
