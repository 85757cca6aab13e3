"""What the SQLite and PostgreSQL backends share, so that they behave the same by construction.

- ``apply_batch``: the push algorithm (claim the op ids, check references with ``hub.ops``,
  write the rows set-based, gather the feed changes), written once against ``Tx``, the few
  transaction-scoped primitives each backend implements in its own SQL.
- Spoke secrets: scrypt hashes and a small cache of verified secrets.
- Argument checks for blobs and pulls, ids, the hub clock.

Pure apart from ``Tx`` calls; ``SecretVerifier`` is thread-safe, the rest keeps no state.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import re
import secrets
import threading
import uuid
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final, Literal, Protocol

from app.security import passwords, rx_signatures
from hub import ops
from hub.storage.base import EnrolRefused, OpResult

log = logging.getLogger("hub.storage")

ClaimOutcome = Literal["new", "duplicate", "conflict"]
Change = tuple[str, str, str, dict[str, Any]]  # entity, entity_id, op, payload

_SHA256_RE: Final = re.compile(r"[0-9a-f]{64}")
MAX_MEDIA_TYPE: Final = 200
MAX_SPOKE_NAME: Final = 200


class NeedsOrder(Exception):
    """The batch must be applied op by op (``ops.collect`` found a reordering hazard)."""


@dataclass(frozen=True, slots=True)
class Claim:
    """An op id to record: ``status`` is "applied" (provisional until ``Tx.reject``) or
    "rejected" (for an op that failed ``ops.parse``)."""

    op_id: str
    seq: int | None
    status: Literal["applied", "rejected"]
    code: str = ""
    message: str = ""


class Tx(Protocol):
    """Primitives of one open write transaction (one thread, one connection)."""

    def claim(self, spoke_id: str, claims: Sequence[Claim]) -> dict[str, ClaimOutcome]:
        """Record each op id (distinct within ``claims``) as the spoke's.

        Per op id: "new" when it was unknown, or known as a REJECTED op of this spoke (a
        rejected op sent again is judged again: the patient it lacked may have arrived);
        "duplicate" when this spoke's op was applied before; "conflict" when the id belongs to
        another spoke. Only "new" ids are written. Concurrent claims of one id wait for each
        other (a unique index), so exactly one transaction gets "new".
        """
        ...

    def owners(self, wanted: Mapping[str, set[str]]) -> dict[ops.Ref, str]:
        """Who owns the stored records among ``wanted`` (entity -> ids)."""
        ...

    def reject(self, spoke_id: str, rejected: Sequence[tuple[str, str, str]]) -> None:
        """Turn claimed ops into rejections: (op_id, code, message)."""
        ...

    def write(self, spoke_id: str, writes: ops.Writes) -> dict[str, str]:
        """Store the rows; returns the status of each case in ``writes.cases`` afterwards."""
        ...

    def savepoint(self) -> AbstractContextManager[None]:
        """Roll back to here if the block raises (and re-raise); release otherwise."""
        ...


@dataclass(slots=True)
class _Item:
    index: int
    op_id: str
    op: ops.Op | None
    rejection: ops.OpRejected | None
    seq: int | None
    first: int  # index of the first op with this op_id in the batch (own index if none)


def _items(raw_ops: Sequence[Mapping[str, Any]]) -> list[_Item]:
    items: list[_Item] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(raw_ops):
        op_id = ops.op_id_of(raw)
        # Recorded with the op even when it is rejected, so only a seq a column can hold.
        raw_seq = raw.get("seq") if isinstance(raw, Mapping) else None
        seq = raw_seq if ops.is_int(raw_seq) and 0 <= raw_seq <= ops.MAX_BIGINT else None
        try:
            op: ops.Op | None = ops.parse(raw)
            rejection = None
        except ops.OpRejected as exc:
            op, rejection = None, exc
        first = seen.setdefault(op_id, index) if op_id else index
        items.append(_Item(index, op_id, op, rejection, seq, first))
    return items


def _rejected(op_id: str, why: ops.OpRejected) -> OpResult:
    return OpResult(op_id, "rejected", why.code, why.message)


def _process(
    tx: Tx, spoke_id: str, items: Sequence[_Item]
) -> tuple[dict[int, OpResult], list[Change]]:
    """Apply ``items`` (distinct op ids) as one group; results by batch index, feed changes."""
    claims = [
        Claim(it.op_id, it.seq, "applied")
        if it.rejection is None
        else Claim(it.op_id, it.seq, "rejected", it.rejection.code, it.rejection.message)
        for it in items
        if it.op_id
    ]
    outcome = tx.claim(spoke_id, claims) if claims else {}
    results: dict[int, OpResult] = {}
    candidates: list[_Item] = []
    for it in items:
        if it.rejection is not None and not it.op_id:
            results[it.index] = _rejected("", it.rejection)
        elif outcome[it.op_id] == "duplicate":
            results[it.index] = OpResult(it.op_id, "duplicate")
        elif outcome[it.op_id] == "conflict":
            results[it.index] = OpResult(
                it.op_id, "rejected", "op.conflict", "this op_id was used by another spoke"
            )
        elif it.rejection is not None:
            results[it.index] = _rejected(it.op_id, it.rejection)
        else:
            candidates.append(it)
    accepted: list[ops.Op] = []
    late: list[tuple[str, str, str]] = []
    if candidates:
        batch = [it.op for it in candidates if it.op is not None]
        verdicts = ops.resolve(spoke_id, batch, tx.owners(ops.refs(batch)))
        for it, op, verdict in zip(candidates, batch, verdicts, strict=True):
            if verdict is None:
                accepted.append(op)
                results[it.index] = OpResult(it.op_id, "applied")
            else:
                late.append((it.op_id, verdict.code, verdict.message))
                results[it.index] = _rejected(it.op_id, verdict)
    if late:
        tx.reject(spoke_id, late)
    writes = ops.collect(accepted)
    if writes.ordered:
        raise NeedsOrder
    statuses = tx.write(spoke_id, writes) if accepted else {}
    changes = [
        ops.case_status_change(cid, statuses[cid]) for cid in writes.queued if cid in statuses
    ]
    return results, changes


def apply_batch(
    tx: Tx,
    spoke_id: str,
    raw_ops: Sequence[Mapping[str, Any]],
    *,
    one_by_one: bool,
    unstorable: tuple[type[Exception], ...],
) -> tuple[list[OpResult], list[Change]]:
    """Apply a pushed batch inside ``tx``; returns one result per op and the feed changes.

    The caller adds the changes to the feed (seq taken as late as possible) and commits.
    Set-based (``one_by_one=False``) is the fast path. It raises ``NeedsOrder`` or one of
    ``unstorable`` (the database refused some op's data) and the caller then rolls back and
    calls again with ``one_by_one=True``: each op in its own savepoint, where such an error
    rejects that op alone as ``op.unstorable`` and the rest of the batch goes on.
    """
    items = _items(raw_ops)
    firsts = [it for it in items if it.first == it.index]
    results: dict[int, OpResult] = {}
    changes: list[Change] = []
    if not one_by_one:
        results, changes = _process(tx, spoke_id, firsts)
    else:
        for it in firsts:
            try:
                with tx.savepoint():
                    got, more = _process(tx, spoke_id, [it])
            except unstorable as exc:
                log.warning("op %s from spoke %s is unstorable: %s", it.op_id, spoke_id, exc)
                why = ops.OpRejected("op.unstorable", f"the hub database refused it: {exc}"[:500])
                bad = _Item(it.index, it.op_id, None, why, it.seq, it.first)
                got, more = _process(tx, spoke_id, [bad])
            results.update(got)
            changes.extend(more)
    out: list[OpResult] = []
    for it in items:
        if it.first == it.index:
            out.append(results[it.index])
            continue
        first = results[it.first]  # the same op id earlier in this batch
        if first.status == "rejected":
            out.append(OpResult(it.op_id, "rejected", first.code, first.message))
        else:
            out.append(OpResult(it.op_id, "duplicate"))
    return out, changes


# -- stats -----------------------------------------------------------------------------------


def stats_document(
    spokes: Sequence[tuple[str, str, str]],
    counts: Mapping[str, Mapping[str, int]],
    with_blob: Mapping[str, int],
    blobs: int,
    blob_bytes: int,
    uploading: int,
    max_seq: int,
    prescriptions: Mapping[str, int] | None = None,
) -> dict[str, Any]:
    """The ``stats`` document both backends return (same keys, same types)."""
    per_spoke = [
        {
            "id": sid,
            "name": name,
            "created_at": created,
            **{table: int(counts[table].get(sid, 0)) for table in counts},
            "attachments_with_blob": int(with_blob.get(sid, 0)),
        }
        for sid, name, created in spokes
    ]
    return {
        "spokes": len(spokes),
        **{table: sum(int(v) for v in counts[table].values()) for table in counts},
        "blobs": blobs,
        "blob_bytes": blob_bytes,
        "uploads_in_progress": uploading,
        "max_seq": max_seq,
        **(prescriptions or {}),
        "per_spoke": per_spoke,
    }


# -- spoke secrets ---------------------------------------------------------------------------

_SCRYPT_N: Final = 2**14  # ~16 MB and tens of ms: a guessing attacker pays, a hub does not
_SCRYPT_R: Final = 8
_SCRYPT_P: Final = 1


def enrol_token_hash(secret: str) -> str:
    """How a one-time enrolment secret is looked up: its SHA-256. 80 random bits need no
    slow hash (nobody can search that space), and a direct lookup needs a deterministic one."""
    return hashlib.sha256(secret.strip().upper().encode("ascii", "replace")).hexdigest()


def judge_enrol_token(
    *, expires_at: datetime, used_by: str | None, now: datetime, same_spoke: bool
) -> Literal["new", "again"]:
    """Whether a found token makes a new spoke, returns the spoke it made (the same request
    again: its answer was lost), or is refused (``EnrolRefused``)."""
    if used_by is not None:
        if same_spoke:
            return "again"
        raise EnrolRefused("enrol.used", "this enrolment token has been used already")
    if expires_at <= now:
        raise EnrolRefused("enrol.expired", "this enrolment token has expired")
    return "new"


def token_documents(rows: Iterable[Sequence[Any]]) -> list[dict[str, Any]]:
    """Rows of (id, facility, created_at, expires_at, used_at, spoke_id) as the API shows them."""
    keys = ("id", "facility", "created_at", "expires_at", "used_at", "spoke_id")
    return [
        {k: (iso(v) if k.endswith("_at") and v else v) for k, v in zip(keys, row, strict=True)}
        for row in rows
    ]


def unknown_token() -> EnrolRefused:
    return EnrolRefused("enrol.unknown", "the hub does not know this enrolment token")


def new_spoke_credentials() -> tuple[str, str]:
    """(spoke_id, secret). Neither contains "." (the bearer token is ``<id>.<secret>``)."""
    return str(uuid.uuid4()), secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    salt = secrets.token_bytes(16)
    digest = _scrypt(secret, salt, _SCRYPT_N, _SCRYPT_R, _SCRYPT_P)
    b64 = base64.urlsafe_b64encode
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${b64(salt).decode()}${b64(digest).decode()}"


def _scrypt(secret: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        secret.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=256 * 1024 * 1024, dklen=32
    )


class SecretVerifier:
    """Checks a secret against its stored scrypt hash, remembering secrets it has verified.

    Every request authenticates, and scrypt is deliberately slow; the cache keys on a SHA-256
    of (stored hash, secret), so a changed hash or a different secret is never a hit, and
    nothing in it can be turned back into a secret. Thread-safe (one lock around the set).
    """

    _LIMIT: Final = 10_000

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._verified: set[bytes] = set()

    def verify(self, stored: str, secret: str) -> bool:
        key = hashlib.sha256(f"{stored}\x00{secret}".encode("utf-8", "surrogatepass")).digest()
        with self._lock:
            if key in self._verified:
                return True
        if not _check_scrypt(stored, secret):
            return False
        with self._lock:
            if len(self._verified) >= self._LIMIT:
                self._verified.clear()
            self._verified.add(key)
        return True


def _check_scrypt(stored: str, secret: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        unb64 = base64.urlsafe_b64decode
        expected = unb64(digest)
        got = _scrypt(secret, unb64(salt), int(n), int(r), int(p))
    except (ValueError, UnicodeEncodeError):
        return False
    return hmac.compare_digest(got, expected)


# -- hub users -------------------------------------------------------------------------------

HUB_ROLES: Final = frozenset({"hub_admin", "specialist"})
SPOKE_ROLES: Final = frozenset({"paramedic", "generalist", "admin"})  # app.domain.models.Role
MIN_PASSWORD_LENGTH: Final = 8  # the spoke's rule (app.services.auth)
MAX_DISPLAY_NAME: Final = 200
MAX_USER_FIELD: Final = 100  # registration number, specialty
# The spoke's username rule (app.services.auth): a handed-down account must be one a spoke
# can log in with, and the spoke lower-cases what is typed.
_USERNAME_RE: Final = re.compile(r"[a-z0-9][a-z0-9._-]{1,31}")
STAFF_ENTITY: Final = "staff"
STAFF_UPSERT: Final = "staff.upsert"
# Columns in the order every backend selects them for ``user_document``/``staff_change``.
USER_COLUMNS: Final = (
    "id, username, display_name, role, spoke_id, registration_no, specialty, active, "
    "created_at, updated_at, password_hash"
)


@dataclass(frozen=True, slots=True)
class NewUser:
    """``add_user``'s arguments, checked and normalised."""

    username: str
    display_name: str
    role: str
    spoke_id: str | None
    registration_no: str
    specialty: str
    registration_council: str = ""
    qualification: str = ""


def normalise_username(username: str) -> str:
    return username.strip().lower() if isinstance(username, str) else ""


def check_new_user(
    username: str,
    display_name: str,
    role: str,
    password: str,
    spoke_id: str | None,
    registration_no: str,
    specialty: str,
    registration_council: str = "",
    qualification: str = "",
) -> NewUser:
    """``ValueError`` with a message for people for anything ``add_user`` must refuse that
    needs no database (an unknown spoke and a taken username are checked in the write)."""
    key = normalise_username(username)
    if not _USERNAME_RE.fullmatch(key):
        raise ValueError(
            f"username {username!r}: 2-32 characters, a-z, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    name = " ".join(display_name.split()) if isinstance(display_name, str) else ""
    if not name or len(name) > MAX_DISPLAY_NAME:
        raise ValueError(f"a display name is 1-{MAX_DISPLAY_NAME} characters")
    if role not in HUB_ROLES | SPOKE_ROLES:
        known = ", ".join(sorted(HUB_ROLES | SPOKE_ROLES))
        raise ValueError(f"unknown role {role!r}: one of {known}")
    spoke = spoke_id.strip() if isinstance(spoke_id, str) else None
    if role in SPOKE_ROLES and not spoke:
        raise ValueError(f"a {role} account belongs to a spoke: give its spoke id")
    if role in HUB_ROLES and spoke:
        raise ValueError(f"a {role} account works at the hub and belongs to no spoke")
    reg = " ".join(registration_no.split()) if isinstance(registration_no, str) else ""
    spec = " ".join(specialty.split()) if isinstance(specialty, str) else ""
    council, qual = (
        " ".join(v.split()) if isinstance(v, str) else ""
        for v in (registration_council, qualification)
    )
    if role == "specialist" and not reg:
        raise ValueError("a specialist needs their medical registration number")
    if role != "specialist" and (council or qual):
        raise ValueError("only a specialist has a registration council and a qualification")
    if any(len(v) > MAX_USER_FIELD for v in (reg, spec, council, qual)):
        raise ValueError(
            "a registration number, specialty, council and qualification are at most "
            f"{MAX_USER_FIELD} characters"
        )
    check_user_password(password)
    return NewUser(key, name, role, spoke or None, reg, spec, council, qual)


def check_user_password(password: str) -> None:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")


def hash_user_password(password: str) -> str:
    """The spoke's own format and cost (``app.security.passwords``), so that a spoke can
    verify a handed-down account offline and never needs to rehash it. Slow: call it outside
    any write lock or transaction."""
    return passwords.hash_password(password)


# scrypt cost of sealed specialist keys (2**n): rx_signatures' default. Tests lower it; the
# hub never does, because a copied sealed key is all an attacker needs to guess offline.
SEAL_LOG_N: int = rx_signatures.DEFAULT_LOG_N


def seal_new_key(password: str) -> rx_signatures.SpecialistKey:
    """A new prescription-signing key sealed under ``password``. Slow (scrypt): call it
    outside any write lock or transaction."""
    return rx_signatures.new_specialist_key(password, log_n=SEAL_LOG_N)


@dataclass(frozen=True, slots=True)
class Reseal:
    """The active key ``key_id``, ``before`` sealed as it was, ``after`` under a new password."""

    key_id: str
    before: str
    after: str


class UserChanges(ABC):
    """``set_user_active``, ``set_user_password`` and ``change_own_password`` for both
    backends: each change is one ``_change_user`` call, which the backend implements in its
    own SQL. The slow parts (password hash, sealing a key) happen before it."""

    def set_user_active(self, username: str, active: bool) -> None:
        self._change_user(username, active=bool(active))

    def set_user_password(self, username: str, password: str) -> None:
        check_user_password(password)
        # A reset by someone who does not know the old password: a specialist's key sealed
        # under it is lost, so a new key replaces it (and the old one is revoked).
        key = seal_new_key(password) if self._role(username) == "specialist" else None
        self._change_user(username, password_hash=hash_user_password(password), new_key=key)

    def change_own_password(self, username: str, old_password: str, new_password: str) -> None:
        check_user_password(new_password)
        user = self.verify_user(username, old_password)
        if user is None:
            raise PermissionError("the current password is not right")
        new_key: rx_signatures.SpecialistKey | None = None
        reseal: Reseal | None = None
        if user["role"] == "specialist":
            profile = self.specialist_profile(username)
            active = None if profile is None else profile["key"]
            try:
                if active is None:
                    raise rx_signatures.WrongPassword("no key yet")
                after = rx_signatures.reseal(
                    active["sealed"], old_password, new_password, log_n=SEAL_LOG_N
                )
                reseal = Reseal(active["key_id"], active["sealed"], after)
            except rx_signatures.RxKeyError:
                # No key yet (an account older than keys), or one sealed under another
                # password: a new key is the only way forward.
                new_key = seal_new_key(new_password)
        self._change_user(
            username,
            password_hash=hash_user_password(new_password),
            new_key=new_key,
            reseal=reseal,
        )

    @abstractmethod
    def verify_user(self, username: str, password: str) -> dict[str, Any] | None: ...

    @abstractmethod
    def specialist_profile(self, username: str) -> dict[str, Any] | None: ...

    @abstractmethod
    def _role(self, username: str) -> str | None:
        """The user's role, None for an unknown username."""

    @abstractmethod
    def _change_user(
        self,
        username: str,
        *,
        active: bool | None = None,
        password_hash: str | None = None,
        new_key: rx_signatures.SpecialistKey | None = None,
        reseal: Reseal | None = None,
    ) -> None:
        """Update one user (``KeyError`` when unknown) and, for a spoke's staff, hand the new
        version down in the same transaction; for a specialist, replace (``new_key``) or
        reseal their signing key in it too."""


class UserPasswordChecker:
    """Constant-time password checks for ``verify_user``: an unknown username costs the same
    scrypt as a known one, so timing does not tell which usernames exist."""

    def __init__(self) -> None:
        self._dummy: str | None = None
        self._lock = threading.Lock()

    def check(self, stored: str | None, password: str) -> bool:
        if stored is None:
            with self._lock:
                if self._dummy is None:
                    self._dummy = hash_user_password(secrets.token_urlsafe(16))
                dummy = self._dummy
            passwords.verify_password(password, dummy)
            return False
        return passwords.verify_password(password, stored)


def next_updated_at(previous: datetime | None, now: datetime) -> datetime:
    """A user's new ``updated_at``: now, but always after the previous one, even if the hub's
    clock was set back, because spokes order the versions they receive by it."""
    if previous is not None and now <= previous:
        return previous + timedelta(microseconds=1)
    return now


def precise_iso(value: datetime | str) -> str:
    """UTC ISO 8601 with microseconds: the feed's ``updated_at`` must tell apart two changes
    within one millisecond (``iso`` keeps milliseconds)."""
    dt = datetime.fromisoformat(value) if isinstance(value, str) else value
    return dt.astimezone(UTC).isoformat(timespec="microseconds")


def user_document(row: Sequence[Any]) -> dict[str, Any]:
    """A row selected as ``USER_COLUMNS`` as the API shows it, without the password hash."""
    (uid, username, name, role, spoke, reg, spec, active, created, updated, _hash) = row
    return {
        "id": str(uid),
        "username": str(username),
        "display_name": str(name),
        "role": str(role),
        "spoke_id": None if spoke is None else str(spoke),
        "registration_no": str(reg),
        "specialty": str(spec),
        "active": bool(active),
        "created_at": iso(created),
        "updated_at": iso(updated),
    }


def staff_change(row: Sequence[Any]) -> Change:
    """The ``staff.upsert`` feed entry for a spoke-role user selected as ``USER_COLUMNS``."""
    (uid, username, name, role, _spoke, _reg, _spec, active, _created, updated, hashed) = row
    payload = {
        "id": str(uid),
        "username": str(username),
        "display_name": str(name),
        "role": str(role),
        "password_hash": str(hashed),
        "active": bool(active),
        "updated_at": precise_iso(updated),
    }
    return STAFF_ENTITY, str(uid), STAFF_UPSERT, payload


def unknown_user(username: str) -> KeyError:
    return KeyError(f"no hub user named {username!r}")


def duplicate_user(username: str) -> ValueError:
    return ValueError(f"the username {username!r} is taken")


# -- arguments -------------------------------------------------------------------------------


def check_blob_args(sha256: str, size: int | None = None, media_type: str | None = None) -> None:
    """``ValueError`` unless ``sha256`` is 64 lower-case hex digits (and size, type sane)."""
    if not isinstance(sha256, str) or not _SHA256_RE.fullmatch(sha256):
        raise ValueError("sha256 must be 64 lower-case hex digits")
    if size is not None and (not isinstance(size, int) or isinstance(size, bool) or size < 0):
        raise ValueError("size must be an integer >= 0")
    if media_type is not None and (
        not isinstance(media_type, str) or len(media_type) > MAX_MEDIA_TYPE
    ):
        raise ValueError(f"media_type must be text of at most {MAX_MEDIA_TYPE} characters")


def check_pull_args(since: int, limit: int) -> None:
    if since < 0:
        raise ValueError("since must be >= 0")
    if limit < 1:
        raise ValueError("limit must be >= 1")


def check_spoke_name(name: str) -> str:
    name = name.strip() if isinstance(name, str) else ""
    if not name or len(name) > MAX_SPOKE_NAME:
        raise ValueError(f"a spoke name is 1-{MAX_SPOKE_NAME} characters")
    return name


def to_json(value: Mapping[str, Any]) -> str:
    """Compact JSON text, as ``hub.ops`` makes documents."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def new_epoch_id() -> str:
    return str(uuid.uuid4())


def now_iso() -> str:
    """Hub time as stored in SQLite: UTC, ISO 8601 with microseconds (text order = time)."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def iso(value: datetime | str) -> str:
    """A stored time as the API shows it: UTC, ISO 8601 with milliseconds."""
    dt = datetime.fromisoformat(value) if isinstance(value, str) else value
    return dt.astimezone(UTC).isoformat(timespec="milliseconds")


def sha256_of(chunks: Iterable[bytes]) -> str:
    h = hashlib.sha256()
    for chunk in chunks:
        h.update(chunk)
    return h.hexdigest()
