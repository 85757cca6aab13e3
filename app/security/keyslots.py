"""Key slots: the database key, wrapped under each staff member's password and under a recovery
key, so it is never stored in clear beside the database (docs/SECURITY.md, "Encryption at
rest: key slots").

The clinic database is encrypted with a random 256-bit key (``new_database_key``). The slot
file (``keyslots.json``, next to the database) holds that key several times, each copy
("slot") sealed with AES-256-GCM under a key scrypt derives from one secret: a staff member's
password, or the recovery key that set-up shows once to field IT. Any one slot opens the
database. As in LUKS, changing a password rewraps one slot; the database key never changes.

Same primitives and costs as the sealed prescription-signing keys
(``app.security.rx_signatures``): scrypt n=2**17, r=8, p=1 by default (tests pass a small
``log_n``; the app never does), 16-byte salts, 12-byte nonces, unpadded base64url, and the
same bounds on costs read from a file. The slot's kind and user are GCM's associated data, so
a slot moved to another user's name fails to open.

``db_key_check`` (16 bytes of HMAC-SHA256 keyed with the database key) lets an unlock confirm
that the key a slot gave is the key every other slot holds. A slot that opens but gives another
key (spliced from another PC's file, or written by a bug) is ``NotThisDatabase``, not
``WrongSecret``: the secret was right, and telling a nurse her password is wrong would be
false. (A whole file copied from another PC is self-consistent: the store sees that one when
SQLCipher refuses the key.)

Pure: no Qt, no SQL, no network. ``save`` and ``load`` are the only file I/O. scrypt costs
~128 MiB and ~0.4 s per unlock or slot added at the default cost: not on the GUI thread.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final, Literal

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from app.domain.enrolment import ALPHABET
from app.durable import fsync_dir
from app.security import rx_signatures
from app.security.rx_signatures import b64url, b64url_decode, check_scrypt_cost, scrypt_kek

FORMAT_VERSION: Final = 1
# The specialists' signing keys' scrypt cost: one choice for every password-derived key.
DEFAULT_LOG_N: Final = rx_signatures.DEFAULT_LOG_N
DEFAULT_R: Final = rx_signatures.DEFAULT_R
DEFAULT_P: Final = rx_signatures.DEFAULT_P
FILE_NAME: Final = "keyslots.json"
DB_KEY_BYTES: Final = 32
_SALT_BYTES: Final = 16
_NONCE_BYTES: Final = 12
_CHECK_BYTES: Final = 16
_WRAPPED_BYTES: Final = DB_KEY_BYTES + 16  # the key, then GCM's tag
_CHECK_LABEL: Final = b"hwc-keyslots/check"
_AAD_PREFIX: Final = "hwc-keyslot/1|"
# A slot file is a few hundred bytes a slot; anything this big is not one.
_MAX_FILE_BYTES: Final = 1024 * 1024

# The recovery key: 26 Crockford base32 characters of secret (130 random bits) and 4 of check
# (20 bits), in six groups of five. The alphabet and the reading rules are the enrolment
# token's (app.domain.enrolment): case, spaces and dashes ignored, I and L read as 1, O as 0.
RECOVERY_SECRET_CHARS: Final = 26
RECOVERY_CHECK_CHARS: Final = 4
_RECOVERY_GROUP: Final = 5
_READ_AS: Final = str.maketrans({"I": "1", "L": "1", "O": "0"})

Kind = Literal["password", "recovery"]
_KINDS: Final = ("password", "recovery")


# -- errors ------------------------------------------------------------------------------------


class KeySlotsError(ValueError):
    """A slot file that cannot be used (damaged, not ours, or from a later version); the
    message says what is wrong in plain words."""


class WrongSecret(KeySlotsError):
    """The password (or recovery key) does not open a slot: a wrong password, a user with no
    slot on this PC (the same answer, at the same cost), or a slot that was altered."""


class MistypedRecoveryKey(KeySlotsError):
    """The recovery key as typed fails its own check: a typing slip, not a wrong key."""


class NotThisDatabase(KeySlotsError):
    """A slot opened but holds another key than the file's: a slot from another PC's file,
    or a database key that is not this file's."""


# -- keys and the recovery key -----------------------------------------------------------------


def new_database_key() -> bytes:
    """A fresh random database key (32 bytes)."""
    return secrets.token_bytes(DB_KEY_BYTES)


def db_key_check(db_key: bytes) -> bytes:
    """What the slot file keeps to recognise its key: reveals nothing usable about the key."""
    return hmac.new(db_key, _CHECK_LABEL, hashlib.sha256).digest()[:_CHECK_BYTES]


def new_recovery_secret() -> str:
    """A fresh recovery key as people see it: ``XXXXX-XXXXX-XXXXX-XXXXX-XXXXX-XXXXX`` (130
    random bits and a 20-bit typing check). Shown once; never stored."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(RECOVERY_SECRET_CHARS))
    body += _recovery_check(body)
    return "-".join(body[i : i + _RECOVERY_GROUP] for i in range(0, len(body), _RECOVERY_GROUP))


def parse_recovery_secret(text: str) -> str:
    """The recovery key's secret part in canonical form (26 characters), from the key as typed
    or pasted. ``MistypedRecoveryKey`` saying what is wrong when it is not one: a length or a
    character it cannot have, or check characters that do not match (a typing slip). Fast:
    the UI may call it as the key is typed."""
    if not isinstance(text, str):
        raise MistypedRecoveryKey("a recovery key is text")
    body = re.sub(r"[\s-]", "", text).upper().translate(_READ_AS)
    expected = RECOVERY_SECRET_CHARS + RECOVERY_CHECK_CHARS
    if len(body) != expected:
        raise MistypedRecoveryKey(
            f"the recovery key has {len(body)} letters and digits; it needs {expected}"
        )
    bad = " ".join(sorted(set(body) - set(ALPHABET)))
    if bad:
        raise MistypedRecoveryKey(f"a recovery key cannot contain {bad}")
    secret, check = body[:RECOVERY_SECRET_CHARS], body[RECOVERY_SECRET_CHARS:]
    if not hmac.compare_digest(check, _recovery_check(secret)):
        raise MistypedRecoveryKey(
            "the recovery key is mistyped: its last letters do not match the rest"
        )
    return secret


def _recovery_check(secret: str) -> str:
    digest = hashlib.sha256(b"hwc-recovery-key/1|" + secret.encode("ascii")).digest()
    value = int.from_bytes(digest[:3], "big") >> 4  # 20 bits
    return "".join(ALPHABET[(value >> shift) & 31] for shift in (15, 10, 5, 0))


def normalise_username(username: str) -> str:
    """How a user name is compared: as ``app.services.auth`` does at login (trimmed, lower
    case), so the slot found is the account that signed in."""
    return username.strip().lower()


# -- slots -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Slot:
    """One wrapped copy of the database key. Nothing here is secret on its own."""

    id: str
    kind: Kind
    user: str  # "" for the recovery slot
    log_n: int
    r: int
    p: int
    salt: bytes = field(repr=False)
    nonce: bytes = field(repr=False)
    wrapped: bytes = field(repr=False)
    created_at: str  # ISO 8601 UTC, seconds, "Z"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "user": self.user,
            "kdf": {
                "name": "scrypt",
                "n": 2**self.log_n,
                "r": self.r,
                "p": self.p,
                "salt": b64url(self.salt),
            },
            "nonce": b64url(self.nonce),
            "wrapped": b64url(self.wrapped),
            "created_at": self.created_at,
        }


def _aad(kind: str, user: str) -> bytes:
    return f"{_AAD_PREFIX}{kind}|{user}".encode()


def _derive(secret: bytes, salt: bytes, log_n: int, r: int, p: int) -> bytes:
    """The slot's key-encryption key (tests count calls to it)."""
    return scrypt_kek(secret, salt, log_n, r, p)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _wrap(db_key: bytes, secret: bytes, kind: Kind, user: str, log_n: int, r: int, p: int) -> Slot:
    check_scrypt_cost(log_n, r, p)
    salt, nonce = os.urandom(_SALT_BYTES), os.urandom(_NONCE_BYTES)
    kek = _derive(secret, salt, log_n, r, p)
    wrapped = AESGCM(kek).encrypt(nonce, db_key, _aad(kind, user))
    return Slot(secrets.token_hex(4), kind, user, log_n, r, p, salt, nonce, wrapped, _now())


def _unwrap(slot: Slot, secret: bytes) -> bytes | None:
    """The key the slot holds, or None when ``secret`` does not open it."""
    try:
        kek = _derive(secret, slot.salt, slot.log_n, slot.r, slot.p)
        return AESGCM(kek).decrypt(slot.nonce, slot.wrapped, _aad(slot.kind, slot.user))
    except InvalidTag:
        return None
    except MemoryError:
        raise KeySlotsError("not enough memory to open the slot at its stored cost") from None


def _check_db_key(db_key: bytes) -> None:
    if not isinstance(db_key, bytes) or len(db_key) != DB_KEY_BYTES:
        raise ValueError(f"a database key is {DB_KEY_BYTES} bytes")


@dataclass(frozen=True, slots=True)
class KeySlots:
    """The slot file's content: immutable; every change returns a new value."""

    check: bytes = field(repr=False)  # db_key_check of the database key
    slots: tuple[Slot, ...]

    def __post_init__(self) -> None:
        if sum(s.kind == "recovery" for s in self.slots) != 1:
            raise ValueError("key slots always hold exactly one recovery slot")

    # -- making and changing --

    @classmethod
    def create(
        cls,
        db_key: bytes,
        recovery_secret: str,
        *,
        log_n: int = DEFAULT_LOG_N,
        r: int = DEFAULT_R,
        p: int = DEFAULT_P,
    ) -> KeySlots:
        """A new file with one slot: the recovery key's (as ``new_recovery_secret`` gave it or
        as typed). Slow (scrypt)."""
        _check_db_key(db_key)
        secret = parse_recovery_secret(recovery_secret).encode("ascii")
        slot = _wrap(db_key, secret, "recovery", "", log_n, r, p)
        return cls(db_key_check(db_key), (slot,))

    def _matching(self, db_key: bytes) -> None:
        _check_db_key(db_key)
        if not hmac.compare_digest(db_key_check(db_key), self.check):
            raise NotThisDatabase("this database key is not the one this slot file holds")

    def add_password(
        self,
        db_key: bytes,
        username: str,
        password: str,
        *,
        log_n: int = DEFAULT_LOG_N,
        r: int = DEFAULT_R,
        p: int = DEFAULT_P,
    ) -> KeySlots:
        """A slot for ``username`` under ``password``, replacing theirs if they had one (a
        password change). ``db_key`` must be this file's key (``NotThisDatabase``). Slow."""
        self._matching(db_key)
        user = normalise_username(username)
        if not user:
            raise ValueError("the user name must not be empty")
        if not password:
            raise ValueError("the password must not be empty")
        slot = _wrap(db_key, password.encode("utf-8"), "password", user, log_n, r, p)
        kept = tuple(s for s in self.slots if not (s.kind == "password" and s.user == user))
        return replace(self, slots=(*kept, slot))

    def replace_recovery(
        self,
        db_key: bytes,
        recovery_secret: str,
        *,
        log_n: int = DEFAULT_LOG_N,
        r: int = DEFAULT_R,
        p: int = DEFAULT_P,
    ) -> KeySlots:
        """The recovery slot rewrapped under a new recovery key (the old one stops working)."""
        self._matching(db_key)
        secret = parse_recovery_secret(recovery_secret).encode("ascii")
        slot = _wrap(db_key, secret, "recovery", "", log_n, r, p)
        return replace(self, slots=(slot, *(s for s in self.slots if s.kind != "recovery")))

    def remove_user(self, username: str) -> KeySlots:
        """Without ``username``'s slot (unchanged if they had none). Removing a slot stops the
        password opening the database from now on; it does not change the key, so a copy of
        the old slot file still opens with the old password (see docs/SECURITY.md)."""
        user = normalise_username(username)
        kept = tuple(s for s in self.slots if not (s.kind == "password" and s.user == user))
        return replace(self, slots=kept)

    # -- reading --

    def users(self) -> list[str]:
        """The user names with a slot, sorted."""
        return sorted(s.user for s in self.slots if s.kind == "password")

    def has_user(self, username: str) -> bool:
        return normalise_username(username) in self.users()

    def unlock_with_password(self, username: str, password: str) -> bytes:
        """The database key. ``WrongSecret`` for a wrong password and for a user with no slot
        alike, after the same scrypt work (a dummy slot stands in for a missing one), so
        neither the answer nor the time tells which names have slots. Slow (scrypt)."""
        user = normalise_username(username)
        slot = next((s for s in self.slots if s.kind == "password" and s.user == user), None)
        if slot is None:
            _unwrap(self._dummy(user), password.encode("utf-8"))
            raise WrongSecret("wrong user name or password")
        return self._confirmed(
            _unwrap(slot, password.encode("utf-8")), "wrong user name or password"
        )

    def unlock_with_recovery(self, recovery_secret: str) -> bytes:
        """The database key. ``MistypedRecoveryKey`` (fast, no scrypt) when the key as typed
        fails its check; ``WrongSecret`` when it is well formed but not this file's. Slow."""
        secret = parse_recovery_secret(recovery_secret).encode("ascii")
        slot = next(s for s in self.slots if s.kind == "recovery")
        return self._confirmed(_unwrap(slot, secret), "this is not the recovery key of this PC")

    def _confirmed(self, key: bytes | None, wrong: str) -> bytes:
        if key is None:
            raise WrongSecret(wrong)
        if not hmac.compare_digest(db_key_check(key), self.check):
            raise NotThisDatabase(
                "the slot opened but holds another database's key (a slot file mixed with"
                " another PC's?)"
            )
        return key

    def _dummy(self, user: str) -> Slot:
        """A slot no password opens, at the cost of this file's password slots (the recovery
        slot's when there are none), so a missing user costs what a wrong password does."""
        like = next((s for s in reversed(self.slots) if s.kind == "password"), self.slots[0])
        return replace(
            like,
            user=user,
            salt=os.urandom(_SALT_BYTES),
            nonce=os.urandom(_NONCE_BYTES),
            wrapped=os.urandom(_WRAPPED_BYTES),
        )

    # -- the file's text --

    def to_json(self) -> str:
        doc = {
            "v": FORMAT_VERSION,
            "db_key_check": b64url(self.check),
            "slots": [s.to_dict() for s in self.slots],
        }
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, text: str | bytes) -> KeySlots:
        """The slots a file's text holds; ``KeySlotsError`` saying what is wrong otherwise
        (never another exception for any text)."""
        try:
            doc = json.loads(text)
        except (ValueError, TypeError, RecursionError):
            raise KeySlotsError("the key slot file is not JSON (damaged?)") from None
        if not isinstance(doc, dict):
            raise KeySlotsError("the key slot file is not a JSON object")
        version = doc.get("v")
        if type(version) is int and version > FORMAT_VERSION:
            raise KeySlotsError(
                f"the key slot file is version {version}, from a newer release of the app;"
                f" this one reads version {FORMAT_VERSION}"
            )
        if type(version) is not int or version != FORMAT_VERSION:
            raise KeySlotsError("the key slot file has no version this app knows")
        _keys(doc, {"v", "db_key_check", "slots"}, "the key slot file")
        check = _bytes(doc, "db_key_check", _CHECK_BYTES, "the key slot file")
        raw_slots = doc["slots"]
        if not isinstance(raw_slots, list) or not raw_slots:
            raise KeySlotsError("the key slot file has no slots")
        slots = tuple(_slot(raw, n) for n, raw in enumerate(raw_slots, 1))
        if len({s.id for s in slots}) != len(slots):
            raise KeySlotsError("two slots in the key slot file have the same id")
        if sum(s.kind == "recovery" for s in slots) != 1:
            raise KeySlotsError("the key slot file must have exactly one recovery slot")
        users = [s.user for s in slots if s.kind == "password"]
        if len(set(users)) != len(users):
            raise KeySlotsError("a user has two slots in the key slot file")
        return cls(check, slots)


def _keys(doc: dict[str, Any], wanted: set[str], what: str) -> None:
    if set(doc) != wanted:
        missing = ", ".join(sorted(wanted - set(doc)))
        extra = ", ".join(sorted(set(doc) - wanted))
        detail = "; ".join(
            x
            for x in (f"missing {missing}" if missing else "", f"unknown {extra}" if extra else "")
            if x
        )
        raise KeySlotsError(f"{what} does not have the expected fields ({detail})")


def _bytes(doc: dict[str, Any], key: str, size: int, what: str) -> bytes:
    try:
        data = b64url_decode(doc[key])
    except ValueError:
        raise KeySlotsError(f"{what}: {key} is not base64url") from None
    if len(data) != size:
        raise KeySlotsError(f"{what}: {key} must be {size} bytes")
    return data


def _int(doc: dict[str, Any], key: str, what: str) -> int:
    value = doc[key]
    if type(value) is not int:
        raise KeySlotsError(f"{what}: {key} is not a whole number")
    return value


def _text(doc: dict[str, Any], key: str, what: str) -> str:
    value = doc[key]
    if not isinstance(value, str):
        raise KeySlotsError(f"{what}: {key} is not text")
    return value


def _slot(raw: object, n: int) -> Slot:
    what = f"slot {n} of the key slot file"
    if not isinstance(raw, dict):
        raise KeySlotsError(f"{what} is not a JSON object")
    _keys(raw, {"id", "kind", "user", "kdf", "nonce", "wrapped", "created_at"}, what)
    slot_id = _text(raw, "id", what)
    if not re.fullmatch(r"[0-9a-z]{1,32}", slot_id):
        raise KeySlotsError(f"{what}: the id is malformed")
    kind = _text(raw, "kind", what)
    if kind not in _KINDS:
        raise KeySlotsError(f"{what}: unknown kind {kind[:20]!r}")
    user = _text(raw, "user", what)
    if kind == "recovery" and user:
        raise KeySlotsError(f"{what}: a recovery slot has no user")
    if kind == "password" and (not user or user != normalise_username(user)):
        raise KeySlotsError(f"{what}: the user name is empty or not in its compared form")
    kdf = raw["kdf"]
    if not isinstance(kdf, dict):
        raise KeySlotsError(f"{what}: kdf is not a JSON object")
    _keys(kdf, {"name", "n", "r", "p", "salt"}, f"{what}, kdf")
    if kdf["name"] != "scrypt":
        raise KeySlotsError(f"{what}: only the scrypt KDF is known")
    n_cost, r, p = _int(kdf, "n", what), _int(kdf, "r", what), _int(kdf, "p", what)
    log_n = n_cost.bit_length() - 1
    if n_cost < 2 or n_cost != 2**log_n:
        raise KeySlotsError(f"{what}: scrypt n must be a power of two")
    try:
        check_scrypt_cost(log_n, r, p)
    except ValueError:
        raise KeySlotsError(f"{what}: the scrypt parameters are out of range") from None
    salt = _bytes(kdf, "salt", _SALT_BYTES, what)
    nonce = _bytes(raw, "nonce", _NONCE_BYTES, what)
    wrapped = _bytes(raw, "wrapped", _WRAPPED_BYTES, what)
    created_at = _text(raw, "created_at", what)
    try:
        datetime.strptime(created_at, "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        raise KeySlotsError(f"{what}: created_at is not a UTC time") from None
    checked: Kind = "password" if kind == "password" else "recovery"
    return Slot(slot_id, checked, user, log_n, r, p, salt, nonce, wrapped, created_at)


# -- the file ----------------------------------------------------------------------------------


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def save(path: str | os.PathLike[str], slots: KeySlots) -> None:
    """Write the slot file atomically: a temporary file in the same folder (mode 0o600 where the
    OS has modes), flushed to disk, renamed over ``path``, then the folder flushed where the OS
    allows it. A failure at any step leaves the previous file as it was."""
    target = Path(path)
    data = slots.to_json().encode("utf-8")
    temp = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    fd = os.open(temp, flags, 0o600)
    try:
        try:
            _write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    fsync_dir(target.parent)


def load(path: str | os.PathLike[str]) -> KeySlots:
    """The slot file at ``path``. ``FileNotFoundError`` when there is none (a PC not set up
    yet: the caller decides); ``KeySlotsError`` when it cannot be read as one."""
    with open(path, "rb") as handle:
        data = handle.read(_MAX_FILE_BYTES + 1)
    if len(data) > _MAX_FILE_BYTES:
        raise KeySlotsError("the key slot file is far too large to be one")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise KeySlotsError("the key slot file is not UTF-8 text (damaged?)") from None
    return KeySlots.from_json(text)
