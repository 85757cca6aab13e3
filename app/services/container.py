"""The composition of the spoke's services over one data folder.

``Services.open(data_dir)`` opens ``data_dir/spoke.sqlite3`` (creating and migrating it) and
the attachment blobs under ``data_dir/blobs``, and wires the use-case services to them. The
UI holds one ``Services`` for the life of the process and calls it from worker threads.

Threading: every service is safe to call from several threads at once; reads run on the
caller's thread, writes funnel through the store's single writer thread.
"""

from __future__ import annotations

from pathlib import Path

from app.security.passwords import DEFAULT_LOG_N
from app.services.auth import AuthService
from app.services.cases import CaseService
from app.services.clock import Clock, system_clock
from app.services.devices import DeviceService
from app.services.patients import PatientService
from app.services.preferences import PreferencesService
from app.services.prescriptions import PrescriptionService
from app.services.reference import ReferenceService
from app.services.sync import SyncService
from app.store import outbox
from app.store.blobs import BlobStore
from app.store.db import Store

DB_FILE = "spoke.sqlite3"
BLOB_DIR = "blobs"


class Services:
    def __init__(
        self,
        store: Store,
        blobs: BlobStore,
        clock: Clock,
        *,
        password_log_n: int = DEFAULT_LOG_N,
    ) -> None:
        self.store = store
        self.blobs = blobs
        self.clock = clock
        self.auth = AuthService(store, clock, password_log_n=password_log_n)
        self.patients = PatientService(store, clock)
        self.cases = CaseService(store, blobs, clock)
        self.prescriptions = PrescriptionService(store, clock)
        self.reference = ReferenceService()
        self.preferences = PreferencesService(store)
        self.devices = DeviceService(store, self.cases, clock)  # drivers run after start()
        self.sync = SyncService(store, blobs, clock)

    @classmethod
    def open(
        cls,
        data_dir: Path,
        *,
        clock: Clock | None = None,
        password_log_n: int = DEFAULT_LOG_N,
    ) -> Services:
        """Open (or create) the spoke's data in ``data_dir``.

        ``password_log_n`` is the scrypt cost for new hashes; only tests pass a smaller one.
        """
        data_dir.mkdir(parents=True, exist_ok=True)
        store = Store.open(data_dir / DB_FILE)
        try:
            blobs = BlobStore(data_dir / BLOB_DIR)
        except BaseException:
            store.close()
            raise
        return cls(store, blobs, clock or system_clock, password_log_n=password_log_n)

    def close(self) -> None:
        self.sync.stop_worker()
        self.devices.stop()
        self.store.close()

    def pending_sync_count(self) -> int:
        """Outbox operations not yet accepted by the hub (a count: no clinical content)."""
        return self.store.read(lambda db: outbox.counts(db).get("pending", 0))

    def __enter__(self) -> Services:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
