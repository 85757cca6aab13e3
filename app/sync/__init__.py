"""Spoke <-> hub synchronisation (docs/SYNC.md): the HTTP transport, the round engine, the
stored enrolment, the backoff and the background worker. Imports the store and the domain,
never services, UI or Qt (import-linter checks it)."""

from __future__ import annotations

from app.sync.backoff import Backoff
from app.sync.credentials import HubCredentials, is_enrolled
from app.sync.engine import PushCounts, SyncEngine, SyncReport
from app.sync.transport import (
    HubBusy,
    HubClient,
    HubError,
    HubProtocolError,
    HubRejected,
    HubReply,
    HubTimeout,
    HubUnreachable,
)
from app.sync.worker import SyncWorker

__all__ = [
    "Backoff",
    "HubBusy",
    "HubClient",
    "HubCredentials",
    "HubError",
    "HubProtocolError",
    "HubRejected",
    "HubReply",
    "HubTimeout",
    "HubUnreachable",
    "PushCounts",
    "SyncEngine",
    "SyncReport",
    "SyncWorker",
    "is_enrolled",
]
