"""Making a write survive a power cut: flush a file's bytes, and the folder a file was created,
renamed or removed in (a rename is only durable once its folder is flushed).

Clinic PCs lose power often; every "write a temp file, then rename" in the app ends with
these. On Windows a folder cannot be opened to flush it, and NTFS journals the rename itself,
so ``fsync_dir`` does nothing there. Standard library only: any layer may use it.
"""

from __future__ import annotations

import os
from pathlib import Path


def fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
