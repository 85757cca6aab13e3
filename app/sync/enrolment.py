"""Enrolling this PC with a hub using an enrolment token (docs/SYNC.md, "Enrolment").

1. Fetch the certificate the hub offers for pinning and check it against the token's pin;
   a mismatch stops here, before anything secret is sent.
2. Over a connection that trusts only that certificate, exchange the token's one-time secret
   for a spoke id. The spoke's own secret is made here and sent along; the hub keeps a hash.
3. Store the enrolment (``app.sync.credentials``), with the hub's prescription-certifying
   key from the answer: it came over the pinned connection, so the token vouches for it too.

The spoke secret is stored before step 2 as a pending enrolment, keyed by a hash of the token
(never the token itself), so a lost answer or a crash is retried with the same secret and the
hub answers with the same spoke instead of "token used". Nothing of the token is left on disk
once enrolment succeeds.

A token can also be *held* (``hold_in``): kept whole in the pending enrolment, inside the
encrypted database, to be used later by the sync worker (provisioning: the installer's token is
taken from its file at the first sign-in, and the hub may not be reachable then). ``held``
reads it back, ``drop_pending`` forgets it; a successful ``enrol`` forgets it too.

Threading rule: blocking network and store calls; never on the GUI thread.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

import sqlite_utils
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from app.domain import enrolment
from app.domain.enrolment import EnrolmentToken
from app.store import settings
from app.store.db import Store
from app.sync import credentials
from app.sync.transport import (
    DEFAULT_TIMEOUT,
    HubClient,
    HubError,
    fetch_anchor,
)

KEY_PENDING = "sync.pending_enrolment"
_BASE64URL_32 = re.compile(r"[A-Za-z0-9_-]{43}")  # 32 bytes, unpadded


class EnrolmentFailed(Exception):
    """Enrolment did not happen; ``code`` is stable (``enrol.pin_mismatch``, ``enrol.used``,
    ``enrol.expired``, ``enrol.unknown``, ``hub.unreachable``, ``hub.tls`` ...)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class Enrolled:
    spoke_id: str
    facility: str
    hub_name: str
    hub_url: str


@dataclass(frozen=True, slots=True)
class HeldToken:
    """A token kept for a later enrolment (``hold_in``); ``hub_url`` overrides its address."""

    token: str = field(repr=False)  # the token's text form: never in logs or tracebacks
    hub_url: str | None


def enrol(
    store: Store,
    token: EnrolmentToken,
    hub_url: str | None = None,
    *,
    timeout: tuple[float, float] = DEFAULT_TIMEOUT,
    after: Callable[[sqlite_utils.Database], None] | None = None,
) -> Enrolled:
    """Enrol with the hub named in ``token`` (or at ``hub_url``, which must be https).
    ``after(db)`` runs in the transaction that stores the new credentials (a move to another
    hub resets what this PC knew of the old one there, so the two never come apart)."""
    url = (hub_url or token.url).strip().rstrip("/")
    if not url.startswith("https://"):
        raise EnrolmentFailed("enrol.not_https", "the hub address must start with https://")
    try:
        anchor_pem = fetch_anchor(url, timeout)
    except HubError as exc:
        raise EnrolmentFailed(exc.code, exc.message) from exc
    if not hmac.compare_digest(anchor_pin(anchor_pem), token.pin):
        raise EnrolmentFailed(
            "enrol.pin_mismatch",
            f"the hub at {url} presented a certificate that is not the one in the token",
        )
    spoke_secret = _pending_secret(store, token)
    client = HubClient(url, "", "", timeout=timeout, anchor_pem=anchor_pem)
    try:
        reply = client.enrol(token.secret, spoke_secret)
    except HubError as exc:  # a refused token (HubRejected) among them
        raise EnrolmentFailed(exc.code, exc.message) from exc
    finally:
        client.close()
    body = reply.body
    facility, hub_name = str(body.get("facility", "")), str(body.get("name", ""))
    creds = credentials.HubCredentials(
        url,
        str(body["spoke_id"]),
        spoke_secret,
        anchor_pem,
        facility,
        hub_name,
        _signing_key(body.get("signing_key")),
    )

    def finish(db: sqlite_utils.Database) -> None:
        credentials.save_in(db, creds)
        settings.put(db, KEY_PENDING, "")
        if after is not None:
            after(db)

    store.write(finish)
    return Enrolled(creds.spoke_id, facility, hub_name, url)


def anchor_pin(anchor_pem: str) -> bytes:
    try:
        cert = x509.load_pem_x509_certificate(anchor_pem.encode("ascii"))
    except ValueError as exc:
        raise EnrolmentFailed(
            "hub.bad_reply", f"the hub's certificate is unreadable: {exc}"
        ) from exc
    spki = cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return enrolment.pin_of(spki)


def _signing_key(value: object) -> str:
    """The hub's signing key from the enrol answer: base64url of 32 raw bytes, or "" from a
    hub too old to send one (prescriptions then cannot be checked until it is learnt)."""
    if value is None:
        return ""
    if isinstance(value, str) and _BASE64URL_32.fullmatch(value):
        raw = base64.urlsafe_b64decode(value + "=")  # the pattern makes it decodable
        if base64.urlsafe_b64encode(raw).decode("ascii") == value + "=":  # no stray bits
            return value
    raise EnrolmentFailed("hub.bad_reply", "the hub's signing key is unreadable")


def token_hash(token: EnrolmentToken) -> str:
    """What the pending enrolment keys a token by (never the token itself)."""
    return hashlib.sha256(token.secret.encode("ascii")).hexdigest()


def _pending(db: sqlite_utils.Database) -> dict[str, str]:
    try:
        pending = json.loads(settings.get(db, KEY_PENDING) or "{}")
    except ValueError:
        return {}
    return pending if isinstance(pending, dict) else {}


def hold_in(db: sqlite_utils.Database, token: EnrolmentToken, hub_url: str | None) -> None:
    """Keep ``token`` (and the address override) for a later ``enrol``, inside a write
    transaction the caller holds. The spoke secret is made now, or kept from an earlier
    attempt with the same token, so a retry after a lost answer gets the same spoke."""
    pending = _pending(db)
    digest = token_hash(token)
    secret = pending.get("spoke_secret") if pending.get("token_hash") == digest else None
    entry = {
        "token_hash": digest,
        "spoke_secret": secret or secrets.token_urlsafe(32),
        "token": enrolment.encode(token),
        "hub": hub_url or "",
    }
    settings.put(db, KEY_PENDING, json.dumps(entry))


def held(db: sqlite_utils.Database) -> HeldToken | None:
    """The token ``hold_in`` kept, or None."""
    pending = _pending(db)
    text = pending.get("token")
    if not isinstance(text, str) or not text:
        return None
    return HeldToken(text, str(pending.get("hub") or "") or None)


def drop_pending(db: sqlite_utils.Database) -> None:
    """Forget the pending enrolment, a held token with it."""
    settings.put(db, KEY_PENDING, "")


def _pending_secret(store: Store, token: EnrolmentToken) -> str:
    """The secret of an earlier attempt with this token, else a new one, stored first."""
    digest = token_hash(token)

    def take(db: sqlite_utils.Database) -> str:
        pending = _pending(db)
        if pending.get("token_hash") == digest and pending.get("spoke_secret"):
            return str(pending["spoke_secret"])
        secret = secrets.token_urlsafe(32)
        settings.put(db, KEY_PENDING, json.dumps({"token_hash": digest, "spoke_secret": secret}))
        return secret

    return store.write(take)
