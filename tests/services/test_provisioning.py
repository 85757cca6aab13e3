"""Provisioning: the installer's token file is taken at the first sign-in on an encrypted
folder, the PC enrols by itself with a real hub over loopback HTTPS, and nothing of the token
is left anywhere; a hub that is down is retried, one that refuses the token is not; a file
that cannot be deleted is reported and never used twice; and an administrator moves a clinic
to another hub (docs/SYNC.md, "Provisioning" and "Moving a clinic to another hub")."""

from __future__ import annotations

import contextlib
import os
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.domain import enrolment as token_format
from app.domain.errors import DomainError
from app.domain.models import Role, User
from app.services import provisioning
from app.services.container import Services
from app.services.seed import seed
from app.store import audit, outbox, settings
from app.sync import credentials
from app.sync.enrolment import KEY_PENDING
from tests.polling import wait_until
from tests.tls_hub import TlsHub, running_tls_hub

LOG_N = 4  # tiny scrypt cost: these tests are about behaviour, not strength
ADMIN = ("admin", "Field IT", "admin-pass-1")


# -- fixtures --------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _no_stray_provisioning(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(provisioning.ENV_VAR, raising=False)


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[TlsHub]:
    folder = tmp_path / "hub-a"
    folder.mkdir()
    with running_tls_hub(folder) as running:
        yield running


@pytest.fixture
def other_hub(tmp_path: Path) -> Iterator[TlsHub]:
    folder = tmp_path / "hub-b"
    folder.mkdir()
    with running_tls_hub(folder) as running:
        yield running


@pytest.fixture
def clinic(tmp_path: Path) -> Iterator[Services]:
    """A new clinic PC: an encrypted folder, just after its first administrator was made
    (the first sign-in), open."""
    services = Services.open(tmp_path / "clinic", encrypted=True, password_log_n=LOG_N)
    try:
        services.auth.create_first_admin(*ADMIN)
        assert services.keys is not None
        services.keys.recovery_key_shown()
        yield services
    finally:
        services.close()


@pytest.fixture
def admin(clinic: Services) -> User:
    return clinic.auth.login(ADMIN[0], ADMIN[2])


def write_file(path: Path, token: str, hub: str | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = f"[enrolment]\ntoken = {token}\n"
    if hub:
        text += f"; another address\nhub = {hub}\n"
    path.write_text(text, encoding="utf-8")
    return path


def provide(monkeypatch: pytest.MonkeyPatch, path: Path, token: str) -> Path:
    monkeypatch.setenv(provisioning.ENV_VAR, str(path))
    return write_file(path, token)


def spokes_at(hub: TlsHub) -> int:
    return len(hub.store.stats()["per_spoke"])


def secret_forms(token: str) -> list[bytes]:
    """The token's one-time secret in every form it could be written: whole token, the
    secret alone, and the secret as the token shows it (with dashes)."""
    secret = token_format.decode(token).secret
    grouped = "-".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    return [token.encode(), secret.encode(), grouped.encode(), grouped.lower().encode()]


def assert_token_gone(services: Services, folder: Path, token: str) -> None:
    """Not in any file of the data folder (the database is encrypted, so also with the store
    open: settings and sync bookkeeping)."""
    forms = secret_forms(token)
    for path in folder.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert not any(form in data for form in forms), path
    assert not (folder / provisioning.FILE_NAME).exists()

    def rows(db: object) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        for table in ("settings", "sync_state"):
            out += [(str(k), str(v)) for k, v in db.execute(f"SELECT key, value FROM {table}")]  # type: ignore[attr-defined]
        return out

    secret = token_format.decode(token).secret
    for key, value in services.store.read(rows):
        assert secret not in value.upper().replace("-", ""), key
    assert services.store.read(lambda db: settings.get(db, KEY_PENDING)) == ""


@contextlib.contextmanager
def undeletable(folder: Path) -> Iterator[None]:
    """Files in ``folder`` cannot be deleted while inside: the folder is read-only, and for
    root (who ignores that) immutable as well. Skips when neither holds here."""
    os.chmod(folder, stat.S_IRUSR | stat.S_IXUSR)
    immutable = os.geteuid() == 0 and _chattr("+i", folder)
    try:
        try:
            (folder / "probe").touch()  # what stops a new file stops a deletion too
        except OSError:
            yield
        else:
            (folder / "probe").unlink()
            pytest.skip("this user may change a read-only folder here")
    finally:
        if immutable:
            _chattr("-i", folder)
        os.chmod(folder, stat.S_IRWXU)


def _chattr(flag: str, folder: Path) -> bool:
    try:
        return subprocess.run(["chattr", flag, str(folder)], capture_output=True).returncode == 0
    except FileNotFoundError:
        return False


# -- the file --------------------------------------------------------------------------------------


def test_the_file_is_found_in_order_and_read_with_clear_refusals(
    tmp_path: Path, hub: TlsHub
) -> None:
    token = hub.token()
    data_dir = tmp_path / "data"
    chosen = tmp_path / "field-it" / "p.ini"
    machine = tmp_path / "machine" / provisioning.FILE_NAME
    env = {provisioning.ENV_VAR: str(chosen), "PROGRAMDATA": r"D:\PD"}
    assert provisioning.candidates(data_dir, environ=env, machine=machine) == [
        chosen,
        machine,
        data_dir / provisioning.FILE_NAME,
    ]
    assert provisioning.machine_path("win32", {"PROGRAMDATA": r"D:\PD"}) == Path(
        r"D:\PD", "HWC Spoke", "provisioning.ini"
    )
    assert provisioning.machine_path("linux", {}) == Path("/etc/hwc-spoke/provisioning.ini")

    read = provisioning.read(write_file(chosen, token, "https://10.0.0.5:8765/"))
    assert read.token == token_format.decode(token) and read.url == "https://10.0.0.5:8765"
    # Windows tools write INI files in UTF-16 with a BOM.
    chosen.write_bytes(f"[enrolment]\r\ntoken={token}\r\n".encode("utf-16"))
    assert provisioning.read(chosen).url == hub.url

    def refusal(text: str) -> DomainError:
        chosen.write_text(text, encoding="utf-8")
        with pytest.raises(DomainError) as caught:
            provisioning.read(chosen)
        return caught.value

    assert refusal("token = x\n").code == "provision.malformed"  # no section
    assert refusal("[enrolment]\n").code == "provision.malformed"
    assert refusal(f"[enrolment]\ntoken = {token}\nhub = http://x\n").code == "provision.malformed"
    assert refusal(f"[enrolment]\ntoken = {token}\ntokn = x\n").code == "provision.malformed"
    mistyped = token[:-1] + ("0" if token[-1] != "0" else "1")
    assert refusal(f"[enrolment]\ntoken = {mistyped}\n").code == "token.mistyped"
    with pytest.raises(DomainError) as caught:
        provisioning.read(tmp_path / "nowhere.ini")
    assert caught.value.code == "provision.unreadable"


# -- the first sign-in -----------------------------------------------------------------------------


def test_first_sign_in_takes_the_file_enrols_by_itself_and_leaves_no_token(
    clinic: Services, admin: User, hub: TlsHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = hub.token("HWC Kheri")
    path = provide(monkeypatch, tmp_path / "installer" / provisioning.FILE_NAME, token)
    seed(clinic, patients=3, cases=2, queued=True)

    outcome = clinic.provisioning.after_sign_in(admin)

    assert (outcome.action, outcome.hub, outcome.notice) == ("held", hub.url, None)
    assert not path.exists()  # the file went at once, before the hub was asked
    assert clinic.sync.worker_running()  # not enrolled, but it has a token to enrol with
    assert clinic.sync.status(admin).enrolling_with == hub.url
    assert wait_until(lambda: clinic.sync.status(admin).pending_records == 0, timeout=60)
    assert clinic.sync.is_enrolled() and spokes_at(hub) == 1
    stats = hub.store.stats()
    assert (stats["patients"], stats["cases"]) == (3, 2)
    clinic.sync.stop_worker()
    assert_token_gone(clinic, tmp_path / "clinic", token)
    # The next sign-in finds nothing to do.
    assert clinic.provisioning.after_sign_in(admin).action == "none"


def test_a_locked_or_not_yet_encrypted_store_leaves_the_file_alone(
    tmp_path: Path, hub: TlsHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = provide(monkeypatch, tmp_path / "p.ini", hub.token())
    with Services.open(tmp_path / "plain", encrypted=True, encrypt_new=False) as services:
        assert services.provisioning.consume().action == "locked"  # plaintext: not yet
    with Services.open(tmp_path / "enc", encrypted=True, password_log_n=LOG_N) as services:
        services.auth.create_first_admin(*ADMIN)
    with Services.open(tmp_path / "enc", encrypted=True, password_log_n=LOG_N) as services:
        assert services.store.is_locked
        assert services.provisioning.consume().action == "locked"
    assert path.exists()


def test_hub_down_at_first_sign_in_keeps_the_token_and_the_worker_enrols_once_later(
    clinic: Services, admin: User, hub: TlsHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = hub.token()
    provide(monkeypatch, tmp_path / "p.ini", token)
    hub.server.stop()

    assert clinic.provisioning.consume().action == "held"
    report = clinic.sync.enrol_held()  # what the worker's round does
    assert report.error_code == "sync.enrol_unreachable"
    assert not clinic.sync.is_enrolled()
    assert clinic.sync.held_enrolment() is not None  # kept for the next try
    status = clinic.sync.status(admin)
    assert (status.last_error_code, status.enrolling_with) == ("sync.enrol_unreachable", hub.url)

    reports: list[str | None] = []
    clinic.sync.add_listener(lambda report: reports.append(report.error_code))
    assert clinic.sync.start_worker(first_delay_s=0.0)  # fails and backs off while down
    assert wait_until(lambda: "sync.enrol_unreachable" in reports, timeout=10)
    assert not clinic.sync.is_enrolled()
    hub.restart()
    assert wait_until(lambda: None in reports, timeout=60)  # enrolled, then a whole round
    clinic.sync.stop_worker()
    assert clinic.sync.is_enrolled() and spokes_at(hub) == 1
    assert clinic.sync.held_enrolment() is None
    assert_token_gone(clinic, tmp_path / "clinic", token)


def test_a_token_the_hub_refuses_is_told_and_not_tried_again(
    clinic: Services, admin: User, hub: TlsHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = hub.token()
    with Services.open(tmp_path / "elsewhere", password_log_n=LOG_N) as other:
        other.sync.enrol(None, token)  # someone used it first
    provide(monkeypatch, tmp_path / "p.ini", token)

    assert clinic.provisioning.consume().action == "held"
    report = clinic.sync.enrol_held()

    assert report.error_code == "sync.enrol_token_used"
    assert clinic.sync.held_enrolment() is None  # forgotten: no retry could change it
    assert clinic.sync.status(admin).last_error_code == "sync.enrol_token_used"
    assert not clinic.sync.start_worker()  # nothing to do: not enrolled, no token
    assert spokes_at(hub) == 1
    assert_token_gone(clinic, tmp_path / "clinic", token)


def test_an_undeletable_file_is_reported_and_enrols_only_once(
    clinic: Services, admin: User, hub: TlsHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = hub.token()
    folder = tmp_path / "programdata"
    path = provide(monkeypatch, folder / provisioning.FILE_NAME, token)
    paramedic = clinic.auth.create_user(admin, "asha", "Asha", Role.PARAMEDIC, "asha-pass-1")

    with undeletable(folder):
        outcome = clinic.provisioning.after_sign_in(admin)
        assert outcome.action == "held"
        assert outcome.notice is not None and outcome.notice.code == "provision.undeletable"
        assert outcome.notice.params["path"] == str(path)
        assert path.exists()
        clinic.sync.stop_worker()
        assert clinic.sync.enrol_held().ok
        assert spokes_at(hub) == 1

        again = clinic.provisioning.after_sign_in(admin)  # the next sign-in: still there
        assert again.action == "stale" and again.notice is not None
        assert again.notice.code == "provision.undeletable"
        # Only someone who can act on it is told.
        assert clinic.provisioning.after_sign_in(paramedic).notice is None
        clinic.sync.stop_worker()
        assert clinic.sync.held_enrolment() is None and spokes_at(hub) == 1


def test_an_undeletable_refused_token_is_not_taken_again(
    clinic: Services, hub: TlsHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = hub.token()
    with Services.open(tmp_path / "elsewhere", password_log_n=LOG_N) as other:
        other.sync.enrol(None, token)
    folder = tmp_path / "programdata"
    provide(monkeypatch, folder / provisioning.FILE_NAME, token)
    with undeletable(folder):
        assert clinic.provisioning.consume().action == "held"
        assert clinic.sync.enrol_held().error_code == "sync.enrol_token_used"
        later = clinic.provisioning.consume()
        assert later.action == "spent" and later.notice is not None
        assert clinic.sync.held_enrolment() is None


def test_an_enrolled_pc_deletes_a_file_for_its_hub_and_leaves_one_for_another(
    clinic: Services,
    admin: User,
    hub: TlsHub,
    other_hub: TlsHub,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clinic.sync.enrol(admin, hub.token())
    same = provide(monkeypatch, tmp_path / "same.ini", hub.token())  # a second, unused one
    assert clinic.provisioning.consume().action == "stale"
    assert not same.exists()

    other = provide(monkeypatch, tmp_path / "other.ini", other_hub.token())
    outcome = clinic.provisioning.consume()
    assert outcome.action == "ignored" and outcome.notice is not None
    assert outcome.notice.code == "provision.other_hub"
    assert outcome.notice.params["hub"] == other_hub.url
    assert other.exists()  # moving is an explicit act, never a file's side effect
    assert clinic.sync.hub_url() == hub.url and spokes_at(other_hub) == 0


def test_a_malformed_file_is_reported_and_kept(
    clinic: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "p.ini"
    monkeypatch.setenv(provisioning.ENV_VAR, str(path))
    path.write_text("[enrolment]\ntoken = hub.example.org:8765/K7QM\n", encoding="utf-8")
    outcome = clinic.provisioning.consume()
    assert outcome.action == "invalid" and outcome.notice is not None
    assert outcome.notice.code == "token.length"
    assert path.exists() and clinic.sync.held_enrolment() is None


# -- moving to another hub -------------------------------------------------------------------------


def cases_at(hub: TlsHub) -> int:
    return int(hub.store.stats()["cases"])


def test_a_move_is_refused_while_records_are_unsent_and_keeps_the_old_hub(
    clinic: Services, admin: User, hub: TlsHub, other_hub: TlsHub
) -> None:
    clinic.sync.enrol(admin, hub.token())
    seed(clinic, patients=2, cases=1, queued=True)
    with pytest.raises(DomainError) as caught:
        clinic.provisioning.reprovision(admin, other_hub.token())
    assert caught.value.code == "provision.unsent_data"
    assert caught.value.params == {"records": 3, "photos": 0}
    assert clinic.sync.hub_url() == hub.url and spokes_at(other_hub) == 0

    paramedic = clinic.auth.create_user(admin, "asha", "Asha", Role.PARAMEDIC, "asha-pass-1")
    with pytest.raises(DomainError) as denied:
        clinic.provisioning.reprovision(paramedic, other_hub.token())
    assert denied.value.code == "permission.denied"


def test_a_move_with_a_clean_outbox_sends_the_clinic_history_to_the_new_hub(
    clinic: Services, admin: User, hub: TlsHub, other_hub: TlsHub
) -> None:
    clinic.sync.enrol(admin, hub.token())
    seed(clinic, patients=4, cases=2, queued=True)
    assert clinic.sync.run_once().ok
    old = credentials.load(clinic.store)

    done = clinic.provisioning.reprovision(admin, other_hub.token("HWC Kheri"))

    assert done.hub_url == other_hub.url and clinic.sync.hub_url() == other_hub.url
    assert credentials.load(clinic.store) != old
    assert clinic.sync.status(admin).last_success_at is None  # nothing yet with this hub
    assert clinic.sync.run_once().ok
    assert (other_hub.store.stats()["patients"], cases_at(other_hub)) == (4, 2)
    assert clinic.store.read(outbox.counts)["pending"] == 0
    # What is made after the move goes to the new hub; the old hub gets nothing more.
    seed(clinic, patients=1, cases=1, queued=True)
    assert clinic.sync.run_once().ok
    assert (cases_at(other_hub), cases_at(hub)) == (3, 2)
    moves = [
        e
        for e in clinic.store.read(lambda db: audit.recent(db, 500))
        if e.action == audit.Action.ENROL and e.detail.startswith("moved")
    ]
    assert len(moves) == 1 and moves[0].actor_id == admin.id


def test_a_failed_move_leaves_the_clinic_with_its_old_hub(
    clinic: Services, admin: User, hub: TlsHub, other_hub: TlsHub
) -> None:
    clinic.sync.enrol(admin, hub.token())
    seed(clinic, patients=2, cases=1, queued=True)
    assert clinic.sync.run_once().ok
    before = clinic.store.read(outbox.counts)
    old = credentials.load(clinic.store)

    with pytest.raises(DomainError) as caught:
        clinic.provisioning.reprovision(admin, other_hub.foreign_token())  # wrong pin
    assert caught.value.code == "sync.enrol_pin_mismatch"

    assert credentials.load(clinic.store) == old
    assert clinic.store.read(outbox.counts) == before  # nothing made due again
    seed(clinic, patients=1, cases=1, queued=True)
    report = clinic.sync.run_once()
    assert report.ok and report.pushed.applied >= 2 and spokes_at(other_hub) == 0
    assert cases_at(hub) == 2


def test_a_forced_move_sends_unsent_records_to_the_new_hub_after_the_history(
    clinic: Services, admin: User, hub: TlsHub, other_hub: TlsHub
) -> None:
    clinic.sync.enrol(admin, hub.token())
    seed(clinic, patients=3, cases=1, queued=True)
    assert clinic.sync.run_once().ok
    seed(clinic, patients=2, cases=2, queued=True)  # never reached the old hub

    clinic.provisioning.reprovision(admin, other_hub.token(), force=True)

    assert clinic.sync.run_once().ok
    assert (other_hub.store.stats()["patients"], cases_at(other_hub)) == (5, 3)
    assert (hub.store.stats()["patients"], cases_at(hub)) == (3, 1)
    counts = clinic.store.read(outbox.counts)
    assert counts["pending"] == 0 and counts["rejected"] == 0
    # Sent again, the history is stored once: a second round adds nothing.
    report = clinic.sync.run_once()
    assert report.ok and report.pushed.applied == 0 and cases_at(other_hub) == 3
