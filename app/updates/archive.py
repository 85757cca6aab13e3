"""The one way a version's folder becomes an update archive, on the release machine and on a
clinic PC alike (docs/UPDATES.md, "The first patch").

Patches are binary differences between the *uncompressed* tar of one version and the next
(tufup). A clinic PC that has never downloaded an archive can still take a patch when it packs
its installed folder into exactly the tar the release machine packed: so nothing in the tar
may depend on the machine or the moment. Members are sorted, owned by 0/0 with no names,
dated ``MTIME``, with modes 0755 (folders, executables) or 0644, symlinks kept as links.
If a PC's packing still differs (a file changed on disk), the patched result fails its hash
check and the client falls back to the full archive: never a wrong install.

Standard library only: the release command (hub/updates_repo.py) imports it too.
"""

from __future__ import annotations

import gzip
import io
import os
import stat
import tarfile
from pathlib import Path

MTIME = 1577836800  # 2020-01-01T00:00:00Z: any constant will do; 0 upsets some tools
_CHUNK = 1 << 20


def _info(path: Path, name: str) -> tarfile.TarInfo:
    st = path.lstat()
    info = tarfile.TarInfo(name)
    info.mtime = MTIME
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    if stat.S_ISLNK(st.st_mode):
        info.type = tarfile.SYMTYPE
        info.linkname = os.readlink(path)
        info.mode = 0o777
    elif stat.S_ISDIR(st.st_mode):
        info.type = tarfile.DIRTYPE
        info.mode = 0o755
    elif stat.S_ISREG(st.st_mode):
        info.type = tarfile.REGTYPE
        info.size = st.st_size
        info.mode = 0o755 if st.st_mode & 0o111 else 0o644
    else:
        raise ValueError(f"{path}: only files, folders and symlinks can be packed")
    return info


def _walk(folder: Path) -> list[tuple[Path, str]]:
    """(path, member name) for everything under ``folder``, sorted, links not followed."""
    found: list[tuple[Path, str]] = []
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        here = Path(dirpath)
        dirnames.sort()
        for name in sorted([*dirnames, *filenames]):
            path = here / name
            found.append((path, path.relative_to(folder).as_posix()))
    return sorted(found, key=lambda item: item[1])


def pack(folder: Path, archive: Path, *, compresslevel: int = 9) -> Path:
    """Write ``folder``'s tree as a gzip-compressed tar to ``archive`` (see the module)."""
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder} is not a folder")
    archive.parent.mkdir(parents=True, exist_ok=True)
    tmp = archive.with_name(archive.name + ".part")
    with (
        open(tmp, "wb") as raw,
        gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, compresslevel=compresslevel) as gz,
        tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar,
    ):
        root = tarfile.TarInfo(".")
        root.type, root.mode, root.mtime = tarfile.DIRTYPE, 0o755, MTIME
        tar.addfile(root)
        for path, name in _walk(folder):
            info = _info(path, f"./{name}")
            if info.type == tarfile.REGTYPE:
                with open(path, "rb") as content:
                    tar.addfile(info, io.BufferedReader(content, _CHUNK))
            else:
                tar.addfile(info)
    os.replace(tmp, archive)
    return archive
