"""User accounts and key/value settings."""

from __future__ import annotations

from dataclasses import replace

import pytest

from app.domain.ids import UserId, new_id
from app.domain.models import Role, User
from app.store import outbox, settings, users
from app.store.db import Store
from app.store.errors import StoreError
from tests.store.conftest import T0, USER_ID


def test_users_round_trip_and_lookup(store: Store) -> None:
    asha = store.read(lambda db: users.get(db, USER_ID))
    assert asha is not None and asha.username == "asha" and asha.created_at == T0
    doc = User(UserId(new_id()), "dr.rao", "Dr Rao", Role.GENERALIST, "scrypt$y", active=False)
    store.write(lambda db: users.insert(db, doc))
    assert store.read(lambda db: users.by_username(db, "dr.rao")) == doc
    assert store.read(lambda db: users.by_username(db, "nobody")) is None
    assert [u.username for u in store.read(users.all)] == ["asha", "dr.rao"]
    assert store.read(users.count) == 2
    on = replace(doc, active=True, password_hash="scrypt$z")
    store.write(lambda db: users.update(db, on))
    assert store.read(lambda db: users.get(db, doc.id)) == on
    assert store.read(outbox.counts)["pending"] == 0  # accounts never sync


def test_usernames_are_unique_and_unknown_updates_fail(store: Store) -> None:
    dup = User(UserId(new_id()), "asha", "Other Asha", Role.PARAMEDIC, "h")
    with pytest.raises(StoreError):
        store.write(lambda db: users.insert(db, dup))
    with pytest.raises(StoreError) as info:
        store.write(lambda db: users.update(db, dup))
    assert info.value.code == "store.not_found"


def test_settings_get_put_and_default(store: Store) -> None:
    assert store.read(lambda db: settings.get(db, "hub.url")) is None
    assert store.read(lambda db: settings.get(db, "hub.url", "https://x")) == "https://x"
    store.write(lambda db: settings.put(db, "hub.url", "https://hub.example"))
    store.write(lambda db: settings.put(db, "hub.url", "https://hub2.example"))
    assert store.read(lambda db: settings.get(db, "hub.url")) == "https://hub2.example"
    store.write(lambda db: settings.put_state(db, "pull.cursor", "42"))
    assert store.read(lambda db: settings.get_state(db, "pull.cursor")) == "42"
    assert store.read(lambda db: settings.get(db, "pull.cursor")) is None
