"""Key slots: the database key wrapped under each staff password and a recovery key, the slot
file's format, and saving it safely. Real crypto at a tiny scrypt cost (through the parameter;
the default is never weakened)."""

from __future__ import annotations

import base64
import json
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from app.domain.enrolment import ALPHABET
from app.security import keyslots as ks
from app.security.keyslots import (
    KeySlots,
    KeySlotsError,
    MistypedRecoveryKey,
    NotThisDatabase,
    WrongSecret,
)
from app.security.rx_signatures import b64url, b64url_decode

FAST = 10


@pytest.fixture(scope="module")
def db_key() -> bytes:
    return ks.new_database_key()


@pytest.fixture(scope="module")
def recovery() -> str:
    return ks.new_recovery_secret()


@pytest.fixture(scope="module")
def slots(db_key: bytes, recovery: str) -> KeySlots:
    made = KeySlots.create(db_key, recovery, log_n=FAST)
    made = made.add_password(db_key, "asha", "correct horse", log_n=FAST)
    return made.add_password(db_key, "ravi", "battery staple", log_n=FAST)


def doc_of(slots: KeySlots) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(slots.to_json())
    return doc


def test_a_database_key_is_32_random_bytes() -> None:
    keys = {ks.new_database_key() for _ in range(8)}
    assert len(keys) == 8 and all(len(k) == 32 for k in keys)


# -- unlocking ---------------------------------------------------------------------------------


def test_each_password_opens_the_database_key(slots: KeySlots, db_key: bytes) -> None:
    assert slots.users() == ["asha", "ravi"]
    assert slots.unlock_with_password("asha", "correct horse") == db_key
    assert slots.unlock_with_password("ravi", "battery staple") == db_key
    # user names are compared as the login compares them
    assert slots.unlock_with_password("  Asha ", "correct horse") == db_key


def test_a_wrong_password_is_wrong_secret(slots: KeySlots) -> None:
    with pytest.raises(WrongSecret, match="wrong user name or password"):
        slots.unlock_with_password("asha", "battery staple")
    with pytest.raises(WrongSecret):
        slots.unlock_with_password("asha", "")


def test_an_unknown_user_gets_the_same_answer_after_the_same_work(
    slots: KeySlots, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[int, int, int]] = []
    real = ks._derive

    def counting(secret: bytes, salt: bytes, log_n: int, r: int, p: int) -> bytes:
        calls.append((log_n, r, p))
        return real(secret, salt, log_n, r, p)

    monkeypatch.setattr(ks, "_derive", counting)
    with pytest.raises(WrongSecret) as unknown:
        slots.unlock_with_password("mallory", "correct horse")
    with pytest.raises(WrongSecret) as wrong:
        slots.unlock_with_password("asha", "not it")
    assert str(unknown.value) == str(wrong.value)
    assert calls == [(FAST, 8, 1), (FAST, 8, 1)]  # one derivation each, at the same cost


def test_the_recovery_key_opens_it_however_it_is_typed(
    slots: KeySlots, db_key: bytes, recovery: str
) -> None:
    assert slots.unlock_with_recovery(recovery) == db_key
    typed = recovery.lower().replace("-", " ").replace("1", "l").replace("0", "o")
    assert slots.unlock_with_recovery(f"  {typed}\n") == db_key


def test_another_recovery_key_is_wrong_not_mistyped(slots: KeySlots) -> None:
    with pytest.raises(WrongSecret):
        slots.unlock_with_recovery(ks.new_recovery_secret())


def test_a_mistyped_recovery_key_says_mistyped_before_any_work(
    slots: KeySlots, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ks, "_derive", lambda *a: pytest.fail("no scrypt for a typo"))
    # a fixed key, so that each slip below is known to be caught (1 in 2**20 is not)
    secret = "7K3QMX9RTD2HVW4PF8NB6CJAEZ"
    body = secret + ks._recovery_check(secret)
    assert ks.parse_recovery_secret(body) == secret
    slips = [body[:at] + ("0" if body[at] != "0" else "1") + body[at + 1 :] for at in range(30)]
    slips += [body[:at] + body[at + 1] + body[at] + body[at + 2 :] for at in range(29)]
    for slip in slips:
        with pytest.raises(MistypedRecoveryKey, match="mistyped"):
            slots.unlock_with_recovery(slip)
    with pytest.raises(MistypedRecoveryKey, match="needs 30"):
        slots.unlock_with_recovery(body[:-1])
    with pytest.raises(MistypedRecoveryKey, match="cannot contain U"):
        slots.unlock_with_recovery("U" + body[1:])


def test_the_recovery_key_has_enough_entropy_and_a_readable_shape() -> None:
    key = ks.new_recovery_secret()
    groups = key.split("-")
    assert [len(g) for g in groups] == [5] * 6
    assert set("".join(groups)) <= set(ALPHABET)
    assert ks.RECOVERY_SECRET_CHARS * 5 >= 128
    assert ks.parse_recovery_secret(key) == key.replace("-", "")[:26]


# -- changing the slots ------------------------------------------------------------------------


def test_a_password_change_rewraps_the_same_key(slots: KeySlots, db_key: bytes) -> None:
    changed = slots.add_password(db_key, "ASHA", "new secret words", log_n=FAST)
    assert changed.users() == ["asha", "ravi"]
    assert changed.unlock_with_password("asha", "new secret words") == db_key
    with pytest.raises(WrongSecret):
        changed.unlock_with_password("asha", "correct horse")
    assert slots.unlock_with_password("asha", "correct horse") == db_key  # immutable
    assert changed.check == slots.check


def test_a_removed_user_cannot_unlock(slots: KeySlots, db_key: bytes, recovery: str) -> None:
    fewer = slots.remove_user("ravi")
    assert fewer.users() == ["asha"] and not fewer.has_user("ravi")
    with pytest.raises(WrongSecret):
        fewer.unlock_with_password("ravi", "battery staple")
    assert fewer.unlock_with_password("asha", "correct horse") == db_key
    assert fewer.unlock_with_recovery(recovery) == db_key  # the recovery slot stays


def test_a_new_recovery_key_replaces_the_old(slots: KeySlots, db_key: bytes, recovery: str) -> None:
    fresh = ks.new_recovery_secret()
    renewed = slots.replace_recovery(db_key, fresh, log_n=FAST)
    assert renewed.unlock_with_recovery(fresh) == db_key
    with pytest.raises(WrongSecret):
        renewed.unlock_with_recovery(recovery)
    assert renewed.users() == slots.users()


def test_a_slot_is_only_added_with_this_files_key(slots: KeySlots) -> None:
    with pytest.raises(NotThisDatabase):
        slots.add_password(ks.new_database_key(), "meena", "pw", log_n=FAST)
    with pytest.raises(ValueError):
        slots.add_password(b"short", "meena", "pw", log_n=FAST)


def test_empty_names_passwords_and_absurd_costs_are_refused(slots: KeySlots, db_key: bytes) -> None:
    with pytest.raises(ValueError):
        slots.add_password(db_key, " ", "pw", log_n=FAST)
    with pytest.raises(ValueError):
        slots.add_password(db_key, "meena", "", log_n=FAST)
    with pytest.raises(ValueError):
        slots.add_password(db_key, "meena", "pw", log_n=30)


# -- tampering ---------------------------------------------------------------------------------


def test_slots_swapped_between_users_do_not_open(slots: KeySlots) -> None:
    doc = doc_of(slots)
    asha, ravi = (s for s in doc["slots"] if s["kind"] == "password")
    asha["user"], ravi["user"] = "ravi", "asha"  # each slot now under the other's name
    swapped = KeySlots.from_json(json.dumps(doc))
    with pytest.raises(WrongSecret):
        swapped.unlock_with_password("ravi", "correct horse")
    with pytest.raises(WrongSecret):
        swapped.unlock_with_password("asha", "correct horse")


def test_a_password_slot_relabelled_recovery_does_not_open(slots: KeySlots) -> None:
    doc = doc_of(slots)
    doc["slots"] = [s for s in doc["slots"] if s["kind"] == "password"]
    doc["slots"][0].update(kind="recovery", user="")
    with pytest.raises(WrongSecret):
        KeySlots.from_json(json.dumps(doc)).unlock_with_recovery(ks.new_recovery_secret())


def test_altered_wrapped_bytes_do_not_open(slots: KeySlots) -> None:
    doc = doc_of(slots)
    slot = next(s for s in doc["slots"] if s["user"] == "asha")
    raw = bytearray(b64url_decode(slot["wrapped"]))
    raw[3] ^= 1
    slot["wrapped"] = b64url(bytes(raw))
    with pytest.raises(WrongSecret):
        KeySlots.from_json(json.dumps(doc)).unlock_with_password("asha", "correct horse")


def test_a_slot_from_another_pc_is_not_this_database(slots: KeySlots, recovery: str) -> None:
    other_key = ks.new_database_key()
    other = KeySlots.create(other_key, recovery, log_n=FAST).add_password(
        other_key, "meena", "pw", log_n=FAST
    )
    doc = doc_of(slots)
    doc["slots"].append(next(s for s in doc_of(other)["slots"] if s["user"] == "meena"))
    mixed = KeySlots.from_json(json.dumps(doc))
    with pytest.raises(NotThisDatabase):
        mixed.unlock_with_password("meena", "pw")


# -- the file's text ---------------------------------------------------------------------------


def test_the_json_round_trips_and_has_the_documented_shape(
    slots: KeySlots, db_key: bytes, recovery: str
) -> None:
    doc = doc_of(slots)
    assert set(doc) == {"v", "db_key_check", "slots"} and doc["v"] == 1
    assert b64url_decode(doc["db_key_check"]) == ks.db_key_check(db_key)
    recovery_slot, asha, ravi = doc["slots"]
    assert (recovery_slot["kind"], recovery_slot["user"]) == ("recovery", "")
    assert (asha["kind"], asha["user"]) == ("password", "asha")
    assert (ravi["kind"], ravi["user"]) == ("password", "ravi")
    assert asha["kdf"] == {
        "name": "scrypt",
        "n": 2**FAST,
        "r": 8,
        "p": 1,
        "salt": asha["kdf"]["salt"],
    }
    assert len(b64url_decode(asha["kdf"]["salt"])) == 16
    assert len(b64url_decode(asha["nonce"])) == 12
    assert len(b64url_decode(asha["wrapped"])) == 48
    assert asha["created_at"].endswith("Z")
    again = KeySlots.from_json(slots.to_json())
    assert again == slots and again.to_json() == slots.to_json()
    assert again.unlock_with_password("ravi", "battery staple") == db_key
    assert again.unlock_with_recovery(recovery) == db_key


def test_no_secret_or_key_appears_in_the_file(
    slots: KeySlots, db_key: bytes, recovery: str
) -> None:
    text = slots.to_json()
    for secret in (
        db_key.hex(),
        db_key.hex().upper(),
        b64url(db_key),
        base64.b64encode(db_key).decode(),
        "correct horse",
        "battery staple",
        recovery,
        recovery.replace("-", ""),
        recovery.replace("-", "")[:26],
    ):
        assert secret not in text
    assert "correct horse" not in repr(slots) and db_key.hex() not in repr(slots)


def test_a_default_cost_slot_says_2_to_the_17(db_key: bytes, recovery: str) -> None:
    # the default is the signing keys' (n=2**17); only the recovery slot pays it here
    made = KeySlots.create(db_key, recovery)
    assert doc_of(made)["slots"][0]["kdf"]["n"] == 2**17


def mutate(slots: KeySlots, change: Callable[[dict[str, Any]], object]) -> str:
    doc = doc_of(slots)
    change(doc)
    return json.dumps(doc)


def _slot(doc: dict[str, Any], n: int = 1) -> dict[str, Any]:
    slot: dict[str, Any] = doc["slots"][n]
    return slot


MALFORMED: dict[str, Callable[[KeySlots], str | bytes]] = {
    "not json": lambda s: "{not json",
    "a list": lambda s: "[]",
    "not text": lambda s: b"\xff\xfe",
    "no version": lambda s: mutate(s, lambda d: d.pop("v")),
    "version as text": lambda s: mutate(s, lambda d: d.update(v="1")),
    "version 0": lambda s: mutate(s, lambda d: d.update(v=0)),
    "unknown field": lambda s: mutate(s, lambda d: d.update(extra=1)),
    "short check": lambda s: mutate(s, lambda d: d.update(db_key_check="AAAA")),
    "padded check": lambda s: mutate(s, lambda d: d.update(db_key_check=d["db_key_check"] + "=")),
    "no slots": lambda s: mutate(s, lambda d: d.update(slots=[])),
    "slots not a list": lambda s: mutate(s, lambda d: d.update(slots={})),
    "slot not an object": lambda s: mutate(s, lambda d: d["slots"].append(3)),
    "slot field missing": lambda s: mutate(s, lambda d: _slot(d).pop("nonce")),
    "unknown kind": lambda s: mutate(s, lambda d: _slot(d).update(kind="fingerprint")),
    "kind not text": lambda s: mutate(s, lambda d: _slot(d).update(kind=["password"])),
    "no recovery slot": lambda s: mutate(s, lambda d: d["slots"].pop(0)),
    "two recovery slots": lambda s: mutate(s, lambda d: d["slots"].append(d["slots"][0])),
    "same id twice": lambda s: mutate(s, lambda d: _slot(d, 2).update(id=_slot(d)["id"])),
    "a user twice": lambda s: mutate(
        s, lambda d: d["slots"].append({**_slot(d), "id": "ffff0000"})
    ),
    "empty user": lambda s: mutate(s, lambda d: _slot(d).update(user="")),
    "user in capitals": lambda s: mutate(s, lambda d: _slot(d).update(user="Asha")),
    "recovery with a user": lambda s: mutate(s, lambda d: _slot(d, 0).update(user="x")),
    "other kdf": lambda s: mutate(s, lambda d: _slot(d)["kdf"].update(name="pbkdf2")),
    "n not a power of 2": lambda s: mutate(s, lambda d: _slot(d)["kdf"].update(n=1000)),
    "n huge": lambda s: mutate(s, lambda d: _slot(d)["kdf"].update(n=2**40)),
    "n a float": lambda s: mutate(s, lambda d: _slot(d)["kdf"].update(n=1024.0)),
    "n a bool": lambda s: mutate(s, lambda d: _slot(d)["kdf"].update(p=True)),
    "r zero": lambda s: mutate(s, lambda d: _slot(d)["kdf"].update(r=0)),
    "short salt": lambda s: mutate(s, lambda d: _slot(d)["kdf"].update(salt="AAAA")),
    "nonce not base64": lambda s: mutate(s, lambda d: _slot(d).update(nonce="!!!!")),
    "wrapped cut short": lambda s: mutate(
        s, lambda d: _slot(d).update(wrapped=_slot(d)["wrapped"][:-4])
    ),
    "bad time": lambda s: mutate(s, lambda d: _slot(d).update(created_at="yesterday")),
    "deep nesting": lambda s: "[" * 100_000 + "]" * 100_000,
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_a_malformed_file_is_a_clear_error(slots: KeySlots, name: str) -> None:
    with pytest.raises(KeySlotsError) as caught:
        KeySlots.from_json(MALFORMED[name](slots))
    assert type(caught.value) is KeySlotsError
    assert "key slot file" in str(caught.value)


def test_a_file_from_a_later_version_says_so(slots: KeySlots) -> None:
    with pytest.raises(KeySlotsError, match="version 2, from a newer release"):
        KeySlots.from_json(mutate(slots, lambda d: d.update(v=2, slots="whatever")))


# -- the file on disk --------------------------------------------------------------------------


def test_save_and_load_round_trip(tmp_path: Path, slots: KeySlots, db_key: bytes) -> None:
    path = tmp_path / ks.FILE_NAME
    ks.save(path, slots)
    assert ks.load(path) == slots
    assert ks.load(str(path)).unlock_with_password("asha", "correct horse") == db_key
    assert os.listdir(tmp_path) == [ks.FILE_NAME]  # no temporary file left behind
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_save_replaces_a_wider_mode_with_0o600(tmp_path: Path, slots: KeySlots) -> None:
    if os.name != "posix":
        pytest.skip("file modes are POSIX")
    path = tmp_path / ks.FILE_NAME
    path.write_text("old")
    path.chmod(0o644)
    ks.save(path, slots)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_failed_save_leaves_the_old_file_intact(
    tmp_path: Path, slots: KeySlots, db_key: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / ks.FILE_NAME
    ks.save(path, slots)
    before = path.read_bytes()
    fewer = slots.remove_user("ravi")

    def half_then_fail(fd: int, data: bytes) -> None:
        os.write(fd, data[: len(data) // 2])
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(ks, "_write_all", half_then_fail)
    with pytest.raises(OSError, match="No space"):
        ks.save(path, fewer)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == [ks.FILE_NAME]
    assert ks.load(path).users() == ["asha", "ravi"]


def test_load_says_what_is_wrong(tmp_path: Path) -> None:
    path = tmp_path / ks.FILE_NAME
    with pytest.raises(FileNotFoundError):
        ks.load(path)
    path.write_bytes(b"\x00\xff garbage")
    with pytest.raises(KeySlotsError, match="not UTF-8"):
        ks.load(path)
    path.write_bytes(b" " * (2 * 1024 * 1024))
    with pytest.raises(KeySlotsError, match="too large"):
        ks.load(path)
