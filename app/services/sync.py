"""Sync with the hub, for the CLI and (next) the GUI: enrolment and one round at a time.

Enrolment stores the hub's address and this spoke's credentials (``app.sync.credentials``).
Until the hub issues one-time enrolment tokens, the token is the spoke's own
``<spoke_id>.<secret>`` as ``main.py hub add-spoke`` prints it. ``run_once`` runs one whole
round (push, blobs, pull) through ``app.sync.engine``; hub and network trouble never raises,
it is in the report.

Codes: ``sync.not_enrolled``, ``sync.enrol_invalid`` (``message``), ``permission.denied``.
Threading: safe from any thread; rounds are single-flight per database.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from app.domain.errors import DomainError
from app.domain.models import User
from app.security.permissions import Permission, require
from app.services.clock import Clock
from app.store.blobs import BlobStore
from app.store.db import Store
from app.sync import credentials
from app.sync.engine import SyncEngine, SyncReport

Progress = Callable[[str, int, int], None]


class SyncService:
    def __init__(self, store: Store, blobs: BlobStore, clock: Clock) -> None:
        self._store = store
        self._blobs = blobs
        self._clock = clock

    def is_enrolled(self) -> bool:
        return credentials.is_enrolled(self._store)

    def hub_url(self) -> str | None:
        creds = credentials.load(self._store)
        return None if creds is None else creds.hub_url

    def enrol(self, actor: User | None, hub_url: str, token: str) -> str:
        """Store the enrolment; returns the spoke id. ``actor`` None is the command line,
        run by whoever can open this data folder (field IT at the PC)."""
        if actor is not None:
            require(actor, Permission.MANAGE_SETTINGS)
        spoke_id, dot, secret = token.strip().partition(".")
        try:
            if not dot:
                raise ValueError("the token must look like SPOKE_ID.SECRET")
            saved = credentials.save(
                self._store, credentials.HubCredentials(hub_url, spoke_id, secret)
            )
        except ValueError as exc:
            raise DomainError(
                "sync.enrol_invalid", f"Cannot enrol: {exc}.", {"message": str(exc)}
            ) from None
        return saved.spoke_id

    def run_once(
        self, cancel: threading.Event | None = None, progress: Progress | None = None
    ) -> SyncReport:
        client = credentials.client_for(self._store)
        if client is None:
            raise DomainError("sync.not_enrolled", "This PC is not enrolled with a hub yet.")
        engine = SyncEngine(self._store, self._blobs, client, clock=self._clock)
        return engine.run_once(cancel, progress)
