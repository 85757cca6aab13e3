"""The update repository over HTTP, read-only (docs/UPDATES.md, "What the hub serves").

``GET``/``HEAD /v1/updates/metadata/<file>`` and ``/v1/updates/targets/<file>``, files straight
from the repository folder ``hub/updates_repo.py`` writes. No credentials: everything here is
signed, and what a spoke may trust is decided by TUF on the spoke, not by who asks.

A name is one path segment of letters, digits, ``.``, ``_`` and ``-`` that does not start with
a dot, and must be a regular file directly in its folder once symlinks are resolved: nothing
outside the two folders can be reached, whatever the URL says (``..``, encoded slashes,
links). Targets answer ``Range`` requests (Starlette's ``FileResponse``), so a download cut
off on a 2G link can go on where it stopped; archives are sent as they are (gzip already).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route, Router

FOLDERS = ("metadata", "targets")
_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}")
_TYPES = {".json": "application/json", ".gz": "application/gzip"}


def resolve(base: Path, folder: str, name: str) -> Path | None:
    """The file ``folder/name`` under ``base``, or None when the name is not allowed or the
    file is not a regular file inside that very folder."""
    if folder not in FOLDERS or not _NAME.fullmatch(name) or ".." in name:
        return None
    parent = (base / folder).resolve()
    try:
        path = (parent / name).resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    if path.parent != parent or not path.is_file():
        return None
    return path


def create_updates_app(repo_dir: Path) -> Router:
    """The ASGI app to mount at ``/v1/updates``."""
    base = repo_dir.resolve()

    def handler(folder: str) -> Callable[[Request], Awaitable[Response]]:
        async def serve(request: Request) -> Response:
            path = resolve(base, folder, request.path_params["name"])
            if path is None:
                raise HTTPException(404, "no such update file")
            # Metadata changes under the same name: the hub's Cache-Control: no-store keeps
            # a proxy from answering with an old timestamp.json.
            return FileResponse(
                path, media_type=_TYPES.get(path.suffix, "application/octet-stream")
            )

        return serve

    return Router(
        routes=[
            Route(f"/{folder}/{{name}}", handler(folder), methods=["GET", "HEAD"])
            for folder in FOLDERS
        ]
    )
