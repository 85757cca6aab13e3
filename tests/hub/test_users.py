"""Hub users and the staff accounts handed down to spokes (docs/SYNC.md "Staff accounts"), on
SQLite AND PostgreSQL (``hub_store``/``hub_url`` run each test once per backend), and the
``hub user`` commands.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from app.security.passwords import needs_rehash, verify_password
from hub import cli
from hub.storage import HubStore, open_store
from hub.storage import _common as common
from tests.hub.conftest import Peek

ROOT = Path(__file__).resolve().parents[2]
PAYLOAD_KEYS = {"id", "username", "display_name", "role", "password_hash", "active", "updated_at"}
DOC_KEYS = {
    "id",
    "username",
    "display_name",
    "role",
    "spoke_id",
    "registration_no",
    "specialty",
    "active",
    "created_at",
    "updated_at",
}


def feed(store: HubStore, spoke_id: str) -> list[dict[str, Any]]:
    return store.pull(spoke_id, 0, 1000).changes


# -- the store ---------------------------------------------------------------------------------


def test_users_are_added_listed_and_verified(hub_store: HubStore, peek: Peek) -> None:
    kheri, _ = hub_store.register_spoke("Kheri HWC")
    gaya, _ = hub_store.register_spoke("Bodh Gaya HWC")
    ravi = hub_store.add_user(
        "Ravi.K", "  Ravi   Kumar ", "paramedic", "ravi-pass-1", spoke_id=kheri
    )
    mehta = hub_store.add_user(
        "dr.mehta",
        "Dr Anil Mehta",
        "specialist",
        "mehta-pass-1",
        registration_no="MCI-12345",
        specialty="cardiology",
    )
    hub_store.add_user("root", "Hub Admin", "hub_admin", "root-pass-1")
    hub_store.add_user("sita", "Sita Devi", "generalist", "sita-pass-1", spoke_id=gaya)
    assert len({ravi, mehta}) == 2

    everyone = hub_store.users()
    assert [u["username"] for u in everyone] == ["dr.mehta", "ravi.k", "root", "sita"]
    assert all(set(u) == DOC_KEYS for u in everyone)  # never the hash
    (doc,) = hub_store.users(kheri)
    assert doc["id"] == ravi and doc["display_name"] == "Ravi Kumar" and doc["active"] is True
    assert doc["role"] == "paramedic" and doc["spoke_id"] == kheri
    specialist = next(u for u in everyone if u["id"] == mehta)
    assert specialist["spoke_id"] is None
    assert (specialist["registration_no"], specialist["specialty"]) == ("MCI-12345", "cardiology")
    assert hub_store.users("no-such-spoke") == []

    # Usernames are case-insensitive; only the right password of an active user passes.
    assert hub_store.verify_user(" RAVI.k ", "ravi-pass-1") == doc
    assert hub_store.verify_user("ravi.k", "ravi-pass-2") is None
    assert hub_store.verify_user("ravi.k", "mehta-pass-1") is None
    assert hub_store.verify_user("nobody", "ravi-pass-1") is None
    assert hub_store.verify_user("dr.mehta", "mehta-pass-1") == specialist

    # Stored: the spoke's scrypt format, at the spoke's cost, never the password.
    ((stored,),) = peek(f"SELECT password_hash FROM hub_users WHERE id = '{ravi}'")
    assert stored.startswith("scrypt$15$") and "ravi-pass-1" not in stored
    assert verify_password("ravi-pass-1", stored) and not needs_rehash(stored)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"role": "surgeon"}, "unknown role"),
        ({"role": "paramedic", "spoke_id": None}, "belongs to a spoke"),
        ({"role": "paramedic", "spoke_id": "no-such-spoke"}, "no spoke"),
        ({"role": "hub_admin", "spoke_id": "SPOKE"}, "belongs to no spoke"),
        ({"role": "specialist", "spoke_id": "SPOKE"}, "belongs to no spoke"),
        ({"role": "specialist", "spoke_id": None, "registration_no": "  "}, "registration"),
        ({"password": "seven77"}, "at least 8"),
        ({"username": "a"}, "username"),
        ({"username": "has space"}, "username"),
        ({"username": "ASHA"}, "taken"),
        ({"display_name": "   "}, "display name"),
    ],
)
def test_add_user_refuses(hub_store: HubStore, kwargs: dict[str, Any], message: str) -> None:
    spoke_id, _ = hub_store.register_spoke("Kheri HWC")
    hub_store.add_user("asha", "Asha Kumari", "paramedic", "asha-pass-1", spoke_id=spoke_id)
    args: dict[str, Any] = {
        "username": "new.user",
        "display_name": "New User",
        "role": "paramedic",
        "password": "long-enough",
        "spoke_id": spoke_id,
    }
    args.update(kwargs)
    if args["spoke_id"] == "SPOKE":
        args["spoke_id"] = spoke_id
    with pytest.raises(ValueError, match=message):
        hub_store.add_user(
            args.pop("username"),
            args.pop("display_name"),
            args.pop("role"),
            args.pop("password"),
            **args,
        )
    assert [u["username"] for u in hub_store.users()] == ["asha"]
    assert len(feed(hub_store, spoke_id)) == 1  # the refused one handed nothing down


def test_spoke_staff_are_handed_down_in_their_spokes_feed(hub_store: HubStore) -> None:
    kheri, _ = hub_store.register_spoke("Kheri HWC")
    gaya, _ = hub_store.register_spoke("Bodh Gaya HWC")
    hub_store.add_user("dr.mehta", "Dr Mehta", "specialist", "mehta-pass-1", registration_no="R1")
    hub_store.add_user("root", "Hub Admin", "hub_admin", "root-pass-1")
    assert hub_store.max_seq() == 0  # hub roles reach no spoke
    ravi = hub_store.add_user("ravi.k", "Ravi Kumar", "paramedic", "ravi-pass-1", spoke_id=kheri)

    (change,) = feed(hub_store, kheri)
    assert feed(hub_store, gaya) == []
    assert (change["entity"], change["entity_id"], change["op"]) == ("staff", ravi, "staff.upsert")
    payload = change["payload"]
    assert set(payload) == PAYLOAD_KEYS
    assert payload["id"] == ravi and payload["username"] == "ravi.k"
    assert (payload["display_name"], payload["role"], payload["active"]) == (
        "Ravi Kumar",
        "paramedic",
        True,
    )
    assert verify_password("ravi-pass-1", payload["password_hash"])  # the spoke's own check
    assert change["seq"] == hub_store.max_seq()

    hub_store.set_user_active("RAVI.K", False)
    hub_store.set_user_active("ravi.k", False)  # already off: nothing new to hand down
    hub_store.set_user_active("ravi.k", True)
    hub_store.set_user_password("ravi.k", "ravi-pass-2")
    hub_store.set_user_active("dr.mehta", False)  # a hub role: still nothing for spokes
    changes = feed(hub_store, kheri)
    assert [c["payload"]["active"] for c in changes] == [True, False, True, True]
    stamps = [datetime.fromisoformat(c["payload"]["updated_at"]) for c in changes]
    assert stamps == sorted(stamps) and len(set(stamps)) == 4  # spokes order versions by it
    last = changes[-1]["payload"]
    assert verify_password("ravi-pass-2", last["password_hash"])
    assert not verify_password("ravi-pass-1", last["password_hash"])
    assert feed(hub_store, gaya) == []
    # The document's updated_at is the last version's.
    (doc,) = hub_store.users(kheri)
    assert doc["updated_at"] == common.iso(last["updated_at"])


def test_enable_disable_and_passwords(open_hub: Any) -> None:
    store: HubStore = open_hub()
    spoke_id, _ = store.register_spoke("Kheri HWC")
    store.add_user("ravi.k", "Ravi Kumar", "paramedic", "ravi-pass-1", spoke_id=spoke_id)
    store.add_user("dr.mehta", "Dr Mehta", "specialist", "mehta-pass-1", registration_no="R1")

    store.set_user_active("dr.mehta", False)
    assert store.verify_user("dr.mehta", "mehta-pass-1") is None  # right password, switched off
    assert store.users()[0]["active"] is False
    store.set_user_active("Dr.Mehta", True)
    assert store.verify_user("dr.mehta", "mehta-pass-1") is not None

    store.set_user_password("ravi.k", "ravi-pass-2")
    assert store.verify_user("ravi.k", "ravi-pass-1") is None
    assert store.verify_user("ravi.k", "ravi-pass-2") is not None
    with pytest.raises(ValueError, match="at least 8"):
        store.set_user_password("ravi.k", "short")
    with pytest.raises(KeyError):
        store.set_user_active("nobody", False)
    with pytest.raises(KeyError):
        store.set_user_password("nobody", "long-enough")

    # All of it is in the database, not in the store object.
    again: HubStore = open_hub()
    assert again.verify_user("ravi.k", "ravi-pass-2") is not None
    assert [u["username"] for u in again.users()] == ["dr.mehta", "ravi.k"]


def test_concurrent_changes_reach_the_feed_in_commit_order(hub_store: HubStore) -> None:
    """Whatever order concurrent changes commit in, the feed's last version of the user is
    the user's state now, and versions grow with seq (what the spoke relies on)."""
    spoke_id, _ = hub_store.register_spoke("Kheri HWC")
    hub_store.add_user("ravi.k", "Ravi Kumar", "paramedic", "ravi-pass-0", spoke_id=spoke_id)
    errors: list[BaseException] = []

    def change(n: int) -> None:
        try:
            hub_store.set_user_password("ravi.k", f"ravi-pass-{n}")
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=change, args=(n,)) for n in range(1, 7)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    changes = feed(hub_store, spoke_id)
    assert len(changes) == 7
    stamps = [c["payload"]["updated_at"] for c in changes]
    assert [datetime.fromisoformat(s) for s in stamps] == sorted(
        datetime.fromisoformat(s) for s in stamps
    )
    final_hash = changes[-1]["payload"]["password_hash"]
    (winner,) = [n for n in range(1, 7) if verify_password(f"ravi-pass-{n}", final_hash)]
    assert hub_store.verify_user("ravi.k", f"ravi-pass-{winner}") is not None


def test_updated_at_grows_even_when_the_clock_goes_back() -> None:
    now = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)
    assert common.next_updated_at(None, now) == now
    assert common.next_updated_at(now - timedelta(seconds=1), now) == now
    later = now + timedelta(hours=1)  # the previous version was written before a clock step
    assert common.next_updated_at(later, now) == later + timedelta(microseconds=1)
    assert common.next_updated_at(now, now) > now


# -- the command line ----------------------------------------------------------------------


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_user_commands(
    hub_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    store = open_store(hub_url)
    try:
        spoke_id, _ = store.register_spoke("Kheri HWC")
    finally:
        store.close()
    db = ("--db", hub_url)

    monkeypatch.setenv(cli.PASSWORD_ENV, "ravi-pass-1")
    code, out, _ = run_cli(
        capsys, "user", "add", *db, "--username", "Ravi.K", "--name", "Ravi Kumar",
        "--role", "paramedic", "--spoke", spoke_id,
    )  # fmt: skip
    assert code == 0
    added = json.loads(out)
    assert added["username"] == "ravi.k" and added["spoke_id"] == spoke_id
    assert "password_hash" not in added and "ravi-pass-1" not in out

    code, _, err = run_cli(
        capsys, "user", "add", *db, "--username", "dr.mehta", "--name", "Dr Mehta",
        "--role", "specialist",
    )  # fmt: skip
    assert code == 2 and "registration number" in err
    code, out, _ = run_cli(
        capsys, "user", "add", *db, "--username", "dr.mehta", "--name", "Dr Mehta",
        "--role", "specialist", "--registration-no", "MCI-1", "--specialty", "cardiology",
    )  # fmt: skip
    assert code == 0 and json.loads(out)["registration_no"] == "MCI-1"
    code, _, err = run_cli(
        capsys, "user", "add", *db, "--username", "RAVI.k", "--name", "Other",
        "--role", "paramedic", "--spoke", spoke_id,
    )  # fmt: skip
    assert code == 2 and "taken" in err

    code, out, _ = run_cli(capsys, "user", "list", *db)
    assert [u["username"] for u in json.loads(out)] == ["dr.mehta", "ravi.k"]
    code, out, _ = run_cli(capsys, "user", "list", *db, "--spoke", spoke_id)
    assert [u["username"] for u in json.loads(out)] == ["ravi.k"]

    code, out, _ = run_cli(capsys, "user", "disable", *db, "ravi.k")
    assert code == 0 and json.loads(out)["active"] is False
    monkeypatch.setenv(cli.PASSWORD_ENV, "ravi-pass-2")
    code, out, _ = run_cli(capsys, "user", "set-password", *db, "RAVI.K")
    assert code == 0
    code, out, _ = run_cli(capsys, "user", "enable", *db, "ravi.k")
    assert code == 0 and json.loads(out)["active"] is True
    code, _, err = run_cli(capsys, "user", "disable", *db, "nobody")
    assert code == 2 and "nobody" in err

    store = open_store(hub_url)
    try:
        assert store.verify_user("ravi.k", "ravi-pass-2") is not None
        assert store.verify_user("ravi.k", "ravi-pass-1") is None
        assert [c["payload"]["active"] for c in feed(store, spoke_id)] == [True, False, False, True]
    finally:
        store.close()


def test_cli_password_is_never_an_argument(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = ("--db", f"sqlite:///{tmp_path / 'hub.sqlite3'}")
    add = ("user", "add", *db, "--username", "root", "--name", "Hub Admin", "--role", "hub_admin")
    monkeypatch.delenv(cli.PASSWORD_ENV, raising=False)
    with pytest.raises(SystemExit) as exc:
        cli.main([*add, "--password", "root-pass-1"])
    assert exc.value.code == 2

    # Not a terminal and no environment variable: refused, nothing added.
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False)
    code, _, err = run_cli(capsys, *add)
    assert code == 2 and cli.PASSWORD_ENV in err

    # On a terminal: asked twice; two different answers add nothing.
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    answers = iter(["root-pass-1", "root-pass-X"])
    monkeypatch.setattr(cli.getpass, "getpass", lambda prompt="": next(answers))
    code, _, err = run_cli(capsys, *add)
    assert code == 2 and "differ" in err
    answers = iter(["root-pass-1", "root-pass-1"])
    code, out, _ = run_cli(capsys, *add)
    assert code == 0 and json.loads(out)["role"] == "hub_admin"
    code, out, _ = run_cli(capsys, "user", "list", *db)
    assert [u["username"] for u in json.loads(out)] == ["root"]


def test_main_py_runs_the_user_commands(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    env = {**os.environ, cli.PASSWORD_ENV: "root-pass-1", "QT_QPA_PLATFORM": "offscreen"}
    args = [sys.executable, str(ROOT / "main.py"), "hub", "user"]
    added = subprocess.run(
        [*args, "add", "--db", db, "--username", "root", "--name", "Hub Admin",
         "--role", "hub_admin"],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    listed = subprocess.run(
        [*args, "list", "--db", db], capture_output=True, text=True, env=env, timeout=60
    )
    assert listed.returncode == 0, listed.stderr
    assert [u["username"] for u in json.loads(listed.stdout)] == ["root"]
    store = open_store(db)
    try:
        assert store.verify_user("root", "root-pass-1") is not None
    finally:
        store.close()
