"""Services over an encrypted data folder (app.services.keys): real files, no Qt."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from app.domain.errors import DomainError
from app.domain.models import Role
from app.security import keyslots
from app.security.passwords import hash_password
from app.services.container import DB_FILE, Services
from app.services.keys import NOT_SHOWN_MARKER
from app.services.seed import seed
from app.store import patients as patients_repo
from app.store import users as users_repo
from app.store.db import SQLITE_HEADER
from app.store.errors import StoreError

LOG_N = 4  # tiny scrypt cost: these tests are about behaviour, not strength
ADMIN = ("admin", "Admin Person", "admin-pass-1")


def _open(folder: Path) -> Services:
    return Services.open(folder, encrypted=True, password_log_n=LOG_N)


def _header(folder: Path) -> bytes:
    return (folder / DB_FILE).read_bytes()[:16]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """An encrypted folder with its first administrator, closed."""
    with _open(tmp_path) as services:
        services.auth.create_first_admin(*ADMIN)
        services.keys.recovery_key_shown()  # type: ignore[union-attr]
    return tmp_path


def test_fresh_folder_is_encrypted_with_a_recovery_slot(tmp_path: Path) -> None:
    with _open(tmp_path) as services:
        assert services.keys is not None
        assert services.keys.pending_recovery
        assert not services.store.is_locked
        assert services.auth.needs_first_admin()
    assert _header(tmp_path) != SQLITE_HEADER
    slots = keyslots.load(tmp_path / keyslots.FILE_NAME)
    assert [s.kind for s in slots.slots] == ["recovery"]


def test_first_admin_gets_a_slot_and_a_reopen_is_locked(folder: Path) -> None:
    assert keyslots.load(folder / keyslots.FILE_NAME).users() == ["admin"]
    with _open(folder) as services:
        assert services.store.is_locked
        assert not services.auth.needs_first_admin()
        with pytest.raises(StoreError) as err:
            services.store.read(lambda db: 1)
        assert err.value.code == "store.key_needed"


def test_wrong_password_refuses_like_any_wrong_password_and_stays_locked(folder: Path) -> None:
    with _open(folder) as services:
        with pytest.raises(DomainError) as err:
            services.auth.login("admin", "not-the-password")
        assert err.value.code == "auth.bad_credentials"
        assert err.value.message == "Wrong username or password."
        assert services.store.is_locked
        user = services.auth.login("ADMIN ", ADMIN[2])
        assert user.username == "admin"
        assert not services.store.is_locked


def test_second_staff_member_gets_a_slot_then_unlocks_alone(folder: Path) -> None:
    with _open(folder) as services:
        admin = services.auth.login("admin", ADMIN[2])
        services.auth.create_user(admin, "asha", "Asha", Role.PARAMEDIC, "asha-pass-1")
        assert not services.keys.has_slot("asha")  # type: ignore[union-attr]
    with _open(folder) as services:
        with pytest.raises(DomainError) as err:
            services.auth.login("asha", "asha-pass-1")
        assert err.value.code == "keys.no_slot"
        assert services.store.is_locked
        services.auth.login("admin", ADMIN[2])
        services.auth.login("asha", "asha-pass-1")
        assert services.keys.has_slot("asha")  # type: ignore[union-attr]
    with _open(folder) as services:
        assert services.auth.login("asha", "asha-pass-1").username == "asha"
        assert not services.store.is_locked


def test_password_change_rewraps_and_reset_too(folder: Path) -> None:
    with _open(folder) as services:
        admin = services.auth.login("admin", ADMIN[2])
        services.auth.change_password(admin, ADMIN[2], "admin-pass-2")
    with _open(folder) as services:
        with pytest.raises(DomainError):
            services.auth.login("admin", ADMIN[2])
        assert services.store.is_locked
        admin = services.auth.login("admin", "admin-pass-2")
        asha = services.auth.create_user(admin, "asha", "Asha", Role.PARAMEDIC, "asha-pass-1")
        services.auth.reset_password(admin, asha.id, "asha-pass-2")
    with _open(folder) as services:
        assert services.auth.login("asha", "asha-pass-2")


def test_switching_an_account_off_removes_its_slot(folder: Path) -> None:
    with _open(folder) as services:
        admin = services.auth.login("admin", ADMIN[2])
        asha = services.auth.create_user(admin, "asha", "Asha", Role.PARAMEDIC, "asha-pass-1")
        services.auth.login("asha", "asha-pass-1")
        assert services.keys.has_slot("asha")  # type: ignore[union-attr]
        services.auth.set_active(admin, asha.id, False)
    assert keyslots.load(folder / keyslots.FILE_NAME).users() == ["admin"]
    with _open(folder) as services:
        with pytest.raises(DomainError) as err:
            services.auth.login("asha", "asha-pass-1")
        assert err.value.code == "keys.no_slot"


def test_recovery_key_unlocks(tmp_path: Path) -> None:
    with _open(tmp_path) as services:
        services.auth.create_first_admin(*ADMIN)
        secret = services.keys.pending_recovery  # type: ignore[union-attr]
        assert secret
    with _open(tmp_path) as services:
        keys = services.keys
        assert keys is not None
        with pytest.raises(keyslots.WrongSecret):
            keys.unlock_with_recovery(keyslots.new_recovery_secret())
        assert services.store.is_locked
        keys.unlock_with_recovery(secret.lower())
        assert not services.auth.needs_first_admin()


def test_new_recovery_secret_replaces_the_old(folder: Path) -> None:
    with _open(folder) as services:
        admin = services.auth.login("admin", ADMIN[2])
        asha = services.auth.create_user(admin, "asha", "Asha", Role.PARAMEDIC, "asha-pass-1")
        with pytest.raises(DomainError):
            services.keys.new_recovery_secret(asha)  # type: ignore[union-attr]
        secret = services.keys.new_recovery_secret(admin)  # type: ignore[union-attr]
    with _open(folder) as services:
        services.keys.unlock_with_recovery(secret)  # type: ignore[union-attr]
        assert not services.store.is_locked


def test_plaintext_folder_is_encrypted_at_the_first_login(tmp_path: Path) -> None:
    with Services.open(tmp_path, password_log_n=LOG_N) as services:
        services.auth.create_first_admin(*ADMIN)
        seed(services, patients=30, cases=3)
        before = services.store.read(patients_repo.count)
        names = sorted(p.name for p in services.store.read(patients_repo.recent))
    with _open(tmp_path) as services:  # opening alone changes nothing: no password known
        assert not services.store.is_locked
        assert not (tmp_path / keyslots.FILE_NAME).exists()
        assert _header(tmp_path) == SQLITE_HEADER
        services.auth.login("admin", ADMIN[2])
        assert services.keys.pending_recovery  # type: ignore[union-attr]
        assert services.store.read(patients_repo.count) == before
    assert _header(tmp_path) != SQLITE_HEADER
    assert not (tmp_path / (DB_FILE + ".encrypting")).exists()
    assert keyslots.load(tmp_path / keyslots.FILE_NAME).users() == ["admin"]
    with _open(tmp_path) as services:
        assert services.store.is_locked
        services.auth.login("admin", ADMIN[2])
        assert services.store.read(patients_repo.count) == before
        assert sorted(p.name for p in services.store.read(patients_repo.recent)) == names


def test_a_key_file_left_by_an_upgrade_cut_short_is_set_aside(tmp_path: Path) -> None:
    with Services.open(tmp_path, password_log_n=LOG_N) as services:
        services.auth.create_first_admin(*ADMIN)
        seed(services, patients=10, cases=1)
    # What a power cut between writing the slot file and converting the database leaves.
    key = keyslots.new_database_key()
    slots = keyslots.KeySlots.create(key, keyslots.new_recovery_secret(), log_n=LOG_N)
    keyslots.save(
        tmp_path / keyslots.FILE_NAME, slots.add_password(key, "admin", ADMIN[2], log_n=LOG_N)
    )
    with _open(tmp_path) as services:
        assert not services.store.is_locked  # the plaintext PC it still is
        assert not (tmp_path / keyslots.FILE_NAME).exists()
        assert len(list(tmp_path.glob(keyslots.FILE_NAME + ".unused-*"))) == 1  # kept aside
        services.auth.login("admin", ADMIN[2])  # and encrypted again, with a new key
        assert services.store.read(patients_repo.count) == 10
    assert _header(tmp_path) != SQLITE_HEADER
    with _open(tmp_path) as services:
        assert services.store.is_locked
        services.auth.login("admin", ADMIN[2])
        assert services.store.read(patients_repo.count) == 10


def test_no_patient_identifier_in_any_file_of_an_encrypted_folder(tmp_path: Path) -> None:
    with _open(tmp_path) as services:
        services.auth.create_first_admin(*ADMIN)
        seed(services, patients=40, cases=4)
        people = services.store.read(patients_repo.recent)
        # While open too: the WAL beside the database is encrypted as well.
        files_open = [p for p in tmp_path.rglob("*") if p.is_file()]
        blobs_open = b"".join(p.read_bytes() for p in files_open)
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    blob = b"".join(p.read_bytes() for p in files)
    needles = set()
    for p in people:
        needles.update(x for x in (p.name, p.phone, p.abha_number) if x and len(x) >= 6)
    assert len(needles) > 40
    for needle in needles:
        assert needle.encode("utf-8") not in blob, needle
        assert needle.encode("utf-8") not in blobs_open, needle


def test_unfinished_first_run_starts_again(tmp_path: Path) -> None:
    with _open(tmp_path) as services:
        first = services.keys.pending_recovery  # type: ignore[union-attr]
    assert (tmp_path / NOT_SHOWN_MARKER).exists()
    with _open(tmp_path) as services:
        assert not services.store.is_locked  # a new start: nobody could have opened the old
        assert services.keys.pending_recovery not in (None, first)  # type: ignore[union-attr]
        assert services.auth.needs_first_admin()


def test_a_folder_whose_recovery_key_was_shown_is_kept(tmp_path: Path) -> None:
    with _open(tmp_path) as services:
        services.keys.recovery_key_shown()  # type: ignore[union-attr]
    with _open(tmp_path) as services:
        assert services.store.is_locked  # only the recovery key opens it now


def test_keyless_services_are_unchanged(tmp_path: Path) -> None:
    with Services.open(tmp_path, password_log_n=LOG_N) as services:
        assert services.keys is None
        services.auth.create_first_admin(*ADMIN)
        services.auth.login("admin", ADMIN[2])
    assert _header(tmp_path) == SQLITE_HEADER
    assert not (tmp_path / keyslots.FILE_NAME).exists()


def test_a_slot_with_an_old_password_is_rewrapped_at_the_next_sign_in(folder: Path) -> None:
    """A password changed elsewhere (the hub): the slot follows at the next sign-in on an open
    store, with the password the staff table accepts."""
    with _open(folder) as services:
        services.auth.login("admin", ADMIN[2])
        admin = services.store.read(lambda db: users_repo.by_username(db, "admin"))
        assert admin is not None
        changed = replace(admin, password_hash=hash_password("hub-changed-1", log_n=LOG_N))
        services.store.write(lambda db: users_repo.update(db, changed))
        services.auth.login("admin", "hub-changed-1")
    with _open(folder) as services:
        assert services.auth.login("admin", "hub-changed-1").username == "admin"


def test_a_folder_made_without_a_window_is_encrypted_with_its_first_admin(tmp_path: Path) -> None:
    with Services.open(tmp_path, encrypted=True, encrypt_new=False, password_log_n=LOG_N) as s:
        seed(s, patients=5, cases=0)
    assert _header(tmp_path) == SQLITE_HEADER
    assert not (tmp_path / keyslots.FILE_NAME).exists()
    with _open(tmp_path) as services:
        services.auth.create_first_admin(*ADMIN)
        assert services.keys.pending_recovery  # type: ignore[union-attr]
        assert services.store.read(patients_repo.count) == 5
    assert _header(tmp_path) != SQLITE_HEADER
    with _open(tmp_path) as services:
        assert services.store.is_locked
        services.auth.login("admin", ADMIN[2])
        assert services.store.read(patients_repo.count) == 5


def _photo(path: Path) -> Path:
    from PIL import Image

    Image.new("RGB", (64, 48), (200, 40, 40)).save(path)
    return path


def _case_with_photo(services: Services, tmp: Path) -> str:
    """A paramedic's case with a photo; the sha256 of the attachment's plain bytes."""
    from tests.services.helpers import draft

    admin = services.auth.login("admin", ADMIN[2])
    para = services.auth.create_user(admin, "asha", "Asha", Role.PARAMEDIC, "para-pass-1")
    patient = services.patients.register(para, draft("Kamla Devi"), allow_duplicate=True)
    case = services.cases.start(para, patient.id)
    attachment = services.cases.add_attachment(para, case.id, _photo(tmp / "rash.png"))
    return attachment.sha256


def _blob_files(folder: Path) -> list[Path]:
    return [p for p in (folder / "blobs").rglob("*") if p.is_file() and not p.name.startswith(".")]


def test_attachments_in_an_encrypted_folder_are_encrypted(folder: Path, tmp_path: Path) -> None:
    with _open(folder) as services:
        sha = _case_with_photo(services, tmp_path)
        plain = services.blobs.get(sha)
    [stored] = _blob_files(folder)
    assert stored.name != sha and plain not in stored.read_bytes()
    with _open(folder) as services:  # locked until someone signs in
        services.auth.login("admin", ADMIN[2])
        assert services.blobs.get(sha) == plain


def test_an_upgrading_pcs_attachments_are_encrypted_with_its_database(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with Services.open(data, password_log_n=LOG_N) as services:
        services.auth.create_first_admin(*ADMIN)
        sha = _case_with_photo(services, tmp_path)
        plain = services.blobs.get(sha)
    [before] = _blob_files(data)
    assert before.read_bytes() == plain  # plaintext before the upgrade
    with _open(data) as services:
        services.auth.login("admin", ADMIN[2])
        assert services.blobs.get(sha) == plain
    [after] = _blob_files(data)
    assert after.name != sha and plain not in after.read_bytes()


def test_the_language_is_chosen_and_read_while_the_pc_is_locked(folder: Path) -> None:
    with _open(folder) as services:
        assert services.store.is_locked
        assert services.preferences.language() is None
        assert services.preferences.set_language("hi") == "hi"
    with _open(folder) as services:  # the next start shows the login window in Hindi
        assert services.store.is_locked
        assert services.preferences.language() == "hi"
