"""The composition of the spoke's services over one data folder.

``Services.open(data_dir)`` opens ``data_dir/spoke.sqlite3`` (creating and migrating it) and
the attachment blobs under ``data_dir/blobs``, and wires the use-case services to them. The
UI holds one ``Services`` for the life of the process and calls it from worker threads.

Threading: every service is safe to call from several threads at once; reads run on the
caller's thread, writes funnel through the store's single writer thread.

Encryption at rest: ``Services.open(data_dir, encrypted=True)`` (what main.py always does) keeps
the database under SQLCipher with ``keyslots.json`` beside it (``app.services.keys``,
``services.keys``); the store may then open locked until a sign-in unlocks it. Without it (the
default, for tests and library use) the database is plaintext and ``services.keys`` is None.
"""

from __future__ import annotations

from pathlib import Path

from app.security.keyslots import DEFAULT_LOG_N as SLOT_LOG_N
from app.security.passwords import DEFAULT_LOG_N
from app.services.auth import AuthService
from app.services.backup import BackupService
from app.services.backup_schedule import BackupScheduleService
from app.services.cases import CaseService
from app.services.clock import Clock, system_clock
from app.services.devices import DeviceService
from app.services.diagnostics import DiagnosticsService
from app.services.keys import KeyService
from app.services.patients import PatientService
from app.services.preferences import FILE_NAME as PREFERENCES_FILE
from app.services.preferences import PreferencesService
from app.services.prescriptions import PrescriptionService
from app.services.provisioning import ProvisioningService
from app.services.reference import ReferenceService
from app.services.sync import SyncService
from app.store import audit, outbox
from app.store.blobs import BlobStore
from app.store.db import Store
from app.updates.service import UpdateService

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
        keys: KeyService | None = None,
        preferences_path: Path | None = None,
        data_dir: Path | None = None,
    ) -> None:
        self.store = store
        self.blobs = blobs
        self.clock = clock
        self.keys = keys
        self.auth = AuthService(store, clock, password_log_n=password_log_n, keys=keys)
        self.patients = PatientService(store, clock)
        self.cases = CaseService(store, blobs, clock)
        self.prescriptions = PrescriptionService(store, clock)
        self.reference = ReferenceService()
        self.preferences = PreferencesService(store, preferences_path)
        self.devices = DeviceService(store, self.cases, clock)  # drivers run after start()
        self.sync = SyncService(store, blobs, clock)
        # The installer's enrolment token (docs/SYNC.md, "Provisioning"); its file may lie in
        # the data folder.
        self.provisioning = ProvisioningService(store, self.sync, clock, data_dir, keys=keys)
        self.backup = BackupService(
            store, blobs, clock, keys=keys, preferences_path=preferences_path
        )
        # Backups on a schedule, in the background while someone is signed in.
        self.backup_schedule = BackupScheduleService(
            store, self.backup, clock, blob_root=blobs.root
        )
        # Field IT's checks and the support bundle (docs/FIELD_IT.md); no patient data.
        self.diagnostics = DiagnosticsService(store.path.parent, store, clock=clock)
        # Signed updates (docs/UPDATES.md): checked after successful sync rounds, on a thread
        # of its own; only the frozen program updates itself.
        self.updates = UpdateService(store)
        self.sync.add_listener(self.updates.after_sync_round)

    @classmethod
    def open(
        cls,
        data_dir: Path,
        *,
        clock: Clock | None = None,
        password_log_n: int = DEFAULT_LOG_N,
        encrypted: bool = False,
        encrypt_new: bool = True,
    ) -> Services:
        """Open (or create) the spoke's data in ``data_dir``.

        ``password_log_n`` is the scrypt cost for new hashes and, with ``encrypted``, for new
        key slots; only tests pass a smaller one. ``encrypted``: see the module docstring;
        ``encrypt_new=False`` leaves a new folder plaintext until its first sign-in (see
        ``KeyService.open_store``: for commands without a window).
        """
        data_dir.mkdir(parents=True, exist_ok=True)
        keys: KeyService | None = None
        if encrypted:
            # Key slots' default cost is 2**17; a caller's own cost (tests) applies to both.
            log_n = SLOT_LOG_N if password_log_n == DEFAULT_LOG_N else password_log_n
            store, keys = KeyService.open_store(
                data_dir,
                data_dir / DB_FILE,
                log_n=log_n,
                encrypt_new=encrypt_new,
                blob_dir=data_dir / BLOB_DIR,
            )
        else:
            store = Store.open(data_dir / DB_FILE)
        try:
            blobs = BlobStore(data_dir / BLOB_DIR)
            if keys is not None:
                keys.attach_blobs(blobs)
        except BaseException:
            store.close()
            raise
        return cls(
            store,
            blobs,
            clock or system_clock,
            password_log_n=password_log_n,
            keys=keys,
            preferences_path=data_dir / PREFERENCES_FILE,
            data_dir=data_dir,
        )

    def close(self) -> None:
        self.sync.stop_worker()
        self.backup_schedule.stop_worker()
        self.devices.stop()
        self.store.close()

    def pending_sync_count(self) -> int:
        """Outbox operations waiting to be sent, as the status bar counts them: audit entries
        travel too but are not something a person made (a count: no clinical content)."""
        return self.store.read(lambda db: outbox.pending_count(db, except_op=audit.OP_APPEND))

    def __enter__(self) -> Services:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
