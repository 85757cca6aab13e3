"""Build the Qt translation catalogues.

    python -m app.i18n.build            compile every app/i18n/*.ts into a .qm beside it
    python -m app.i18n.build --update   first refresh the .ts sources from the code (lupdate)

The ``.ts`` sources are committed; the ``.qm`` files are build output (git-ignored), made by the
project's set-up step and by the installer build.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
LANGUAGES = ("hi",)


def _tool(name: str) -> str:
    local = Path(sys.executable).with_name(name)
    found = str(local) if local.exists() else shutil.which(name)
    if not found:
        raise SystemExit(f"{name} not found: install PySide6-Essentials into this environment")
    return found


def ts_path(lang: str) -> Path:
    return HERE / f"hwc_spoke_{lang}.ts"


def update() -> None:
    sources = sorted(str(p) for p in (ROOT / "app" / "ui").rglob("*.py"))
    for lang in LANGUAGES:
        subprocess.run(
            [_tool("pyside6-lupdate"), "-no-obsolete", *sources, "-ts", str(ts_path(lang))],
            check=True,
        )


def release() -> list[Path]:
    built = []
    for ts in sorted(HERE.glob("*.ts")):
        qm = ts.with_suffix(".qm")
        subprocess.run([_tool("pyside6-lrelease"), "-silent", str(ts), "-qm", str(qm)], check=True)
        built.append(qm)
    return built


def main(argv: list[str]) -> int:
    if "--update" in argv:
        update()
    for qm in release():
        print(f"built {qm.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
