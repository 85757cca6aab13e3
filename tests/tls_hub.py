"""A hub over HTTPS with its own CA on loopback, as ``hub serve`` runs by default, with the
enrolment tokens a clinic PC would be given: for the tests of enrolment (sync and GUI)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from hub import tls
from hub.app import create_app
from hub.enrolment import issue_token
from hub.server import RunningHub, hub_identity, start_in_thread
from hub.storage import HubStore, open_store


@dataclass
class TlsHub:
    store: HubStore
    server: RunningHub
    identity: tls.HubIdentity
    folder: Path

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.server.port}"

    def token(self, facility: str = "HWC Kheri") -> str:
        """A new one-time enrolment token for this hub."""
        return issue_token(self.store, facility, address=self.address).text

    def foreign_token(self, facility: str = "HWC Kheri") -> str:
        """A token for this hub's address pinned to another hub's certificate: what a clinic
        PC holds when someone else answers at the hub's address."""
        other = open_store(f"sqlite:///{self.folder / 'other-hub.sqlite3'}")
        try:
            return issue_token(other, facility, address=self.address).text
        finally:
            other.close()

    def restart(self) -> None:
        """Serve again on the same port (after ``server.stop()``), with the same identity."""
        self.server = start_in_thread(
            create_app(self.store), port=self.server.port, identity=self.identity
        )


@contextlib.contextmanager
def running_tls_hub(folder: Path) -> Iterator[TlsHub]:
    store = open_store(f"sqlite:///{folder / 'tls-hub.sqlite3'}")
    identity = hub_identity(store, "127.0.0.1:0")
    hub = TlsHub(store, start_in_thread(create_app(store), identity=identity), identity, folder)
    try:
        yield hub
    finally:
        if hub.server.running:
            hub.server.stop()
        store.close()
