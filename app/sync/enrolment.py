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

Threading rule: blocking network and store calls; never on the GUI thread.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
from dataclasses import dataclass

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


def enrol(
    store: Store,
    token: EnrolmentToken,
    hub_url: str | None = None,
    *,
    timeout: tuple[float, float] = DEFAULT_TIMEOUT,
) -> Enrolled:
    """Enrol with the hub named in ``token`` (or at ``hub_url``, which must be https)."""
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


def _pending_secret(store: Store, token: EnrolmentToken) -> str:
    """The secret of an earlier attempt with this token, else a new one, stored first."""
    token_hash = hashlib.sha256(token.secret.encode("ascii")).hexdigest()

    def take(db: sqlite_utils.Database) -> str:
        try:
            pending = json.loads(settings.get(db, KEY_PENDING) or "{}")
        except ValueError:
            pending = {}
        if pending.get("token_hash") == token_hash and pending.get("spoke_secret"):
            return str(pending["spoke_secret"])
        secret = secrets.token_urlsafe(32)
        pending = {"token_hash": token_hash, "spoke_secret": secret}
        settings.put(db, KEY_PENDING, json.dumps(pending))
        return secret

    return store.write(take)
