"""The spoke's enrolment with a hub: its URL, the spoke id, the secret this spoke chose at
enrolment (the hub keeps only a hash), and the hub certificate pinned then.

Kept in the ``settings`` table (keys ``sync.hub_url``, ``sync.spoke_id``, ``sync.secret``,
``sync.hub_anchor``, ``sync.facility``, ``sync.hub_name``, ``sync.hub_signing_key``),
so they travel with the data folder and survive reinstalls of the program. The secret is
stored as plain text for now: the whole database is encrypted in a later increment, and until
then anyone who can copy ``spoke.sqlite3`` can also read the patients in it, so a separately
protected secret would not change what a stolen copy gives away.

Threading rule: every function here calls ``Store.read``/``Store.write`` itself; call them from
a worker thread (never the GUI thread), like any other store access.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

import sqlite_utils

from app.store import settings
from app.store.db import Store
from app.sync.transport import DEFAULT_TIMEOUT, HubClient

KEY_HUB_URL = "sync.hub_url"
KEY_SPOKE_ID = "sync.spoke_id"
KEY_SECRET = "sync.secret"
KEY_ANCHOR = "sync.hub_anchor"
KEY_FACILITY = "sync.facility"
KEY_HUB_NAME = "sync.hub_name"
KEY_SIGNING_KEY = "sync.hub_signing_key"
_KEYS = (
    KEY_HUB_URL,
    KEY_SPOKE_ID,
    KEY_SECRET,
    KEY_ANCHOR,
    KEY_FACILITY,
    KEY_HUB_NAME,
    KEY_SIGNING_KEY,
)


@dataclass(frozen=True, slots=True)
class HubCredentials:
    hub_url: str
    spoke_id: str
    secret: str = field(repr=False)  # never in logs or tracebacks
    anchor_pem: str = field(default="", repr=False)  # the pinned hub certificate (https)
    facility: str = ""  # the name the hub enrolled this PC as
    hub_name: str = ""  # the name the hub gave itself
    # The hub's prescription-certifying key (base64url raw Ed25519), pinned at enrolment;
    # "" when enrolled with a hub that had none.
    signing_key: str = ""


def _validated(creds: HubCredentials) -> HubCredentials:
    url = creds.hub_url.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("the hub URL must look like https://hub.example.org")
    spoke_id = creds.spoke_id.strip()
    secret = creds.secret.strip()
    if not spoke_id or "." in spoke_id:
        # The bearer token is "<spoke_id>.<secret>": a dot in the id would make it ambiguous.
        raise ValueError("the spoke id must be non-empty and contain no dot")
    if not secret:
        raise ValueError("the secret must not be empty")
    return HubCredentials(
        url,
        spoke_id,
        secret,
        creds.anchor_pem,
        creds.facility,
        creds.hub_name,
        creds.signing_key.strip(),
    )


def save(store: Store, creds: HubCredentials) -> HubCredentials:
    """Store (replacing) the enrolment, validated and trimmed; returns what was stored."""
    return store.write(lambda db: save_in(db, creds))


def save_in(db: sqlite_utils.Database, creds: HubCredentials) -> HubCredentials:
    """``save`` inside a write transaction the caller holds."""
    clean = _validated(creds)
    settings.put(db, KEY_HUB_URL, clean.hub_url)
    settings.put(db, KEY_SPOKE_ID, clean.spoke_id)
    settings.put(db, KEY_SECRET, clean.secret)
    settings.put(db, KEY_ANCHOR, clean.anchor_pem)
    settings.put(db, KEY_FACILITY, clean.facility)
    settings.put(db, KEY_HUB_NAME, clean.hub_name)
    settings.put(db, KEY_SIGNING_KEY, clean.signing_key)
    return clean


def load(store: Store) -> HubCredentials | None:
    """The enrolment, or None when this spoke has none (or an incomplete one)."""

    def read(db: sqlite_utils.Database) -> HubCredentials | None:
        url = settings.get(db, KEY_HUB_URL) or ""
        spoke_id = settings.get(db, KEY_SPOKE_ID) or ""
        secret = settings.get(db, KEY_SECRET) or ""
        if not (url and spoke_id and secret):
            return None
        return HubCredentials(
            url,
            spoke_id,
            secret,
            settings.get(db, KEY_ANCHOR) or "",
            settings.get(db, KEY_FACILITY) or "",
            settings.get(db, KEY_HUB_NAME) or "",
            settings.get(db, KEY_SIGNING_KEY) or "",
        )

    return store.read(read)


def forget(store: Store) -> None:
    """Remove the enrolment (the values are blanked; ``load`` then returns None)."""

    def write(db: sqlite_utils.Database) -> None:
        for key in _KEYS:
            settings.put(db, key, "")

    store.write(write)


def is_enrolled(store: Store) -> bool:
    return load(store) is not None


def client_for(store: Store, *, timeout: tuple[float, float] = DEFAULT_TIMEOUT) -> HubClient | None:
    """A ``HubClient`` for the stored enrolment, or None when not enrolled."""
    creds = load(store)
    if creds is None:
        return None
    return HubClient(
        creds.hub_url, creds.spoke_id, creds.secret, timeout=timeout, anchor_pem=creds.anchor_pem
    )
