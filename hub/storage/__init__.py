"""Hub storage: one interface (``HubStore``), a PostgreSQL and an SQLite implementation."""

from __future__ import annotations

from hub.storage.base import (
    BlobHashMismatch,
    BlobOffsetError,
    EnrolRefused,
    HubStore,
    HubStoreError,
    OpResult,
    PullPage,
)

__all__ = [
    "BlobHashMismatch",
    "BlobOffsetError",
    "EnrolRefused",
    "HubStore",
    "HubStoreError",
    "OpResult",
    "PullPage",
    "open_store",
]


def open_store(url: str) -> HubStore:
    """``sqlite:///path/hub.sqlite3`` or ``postgresql://user@host/db``; migrated, ready."""
    if url.startswith("sqlite:///"):
        from pathlib import Path

        from hub.storage.sqlite import SqliteHubStore

        store: HubStore = SqliteHubStore(Path(url.removeprefix("sqlite:///")))
    elif url.startswith(("postgresql://", "postgres://")):
        from hub.storage.postgres import PostgresHubStore

        store = PostgresHubStore(url)
    else:
        raise ValueError(f"unknown hub database URL {url!r}: use sqlite:///PATH or postgresql://")
    store.migrate()
    return store
