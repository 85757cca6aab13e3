"""The stored enrolment: saved in settings, read back, validated, forgotten."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.store import settings
from app.store.db import Store
from app.sync import credentials
from app.sync.credentials import HubCredentials


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store.open(tmp_path / "spoke.sqlite3")
    try:
        yield s
    finally:
        s.close()


def test_save_load_and_forget(store: Store) -> None:
    assert not credentials.is_enrolled(store)
    assert credentials.load(store) is None
    assert credentials.client_for(store) is None

    saved = credentials.save(store, HubCredentials(" https://hub.example.org/ ", "sp-1", "s3"))
    assert saved == HubCredentials("https://hub.example.org", "sp-1", "s3")
    assert credentials.load(store) == saved
    assert credentials.is_enrolled(store)
    assert store.read(lambda db: settings.get(db, credentials.KEY_SPOKE_ID)) == "sp-1"
    client = credentials.client_for(store)
    assert client is not None and client.base_url == "https://hub.example.org"
    client.close()

    credentials.forget(store)
    assert not credentials.is_enrolled(store)


def test_the_secret_stays_out_of_reprs() -> None:
    assert "s3cret" not in repr(HubCredentials("https://hub", "sp-1", "s3cret"))


@pytest.mark.parametrize(
    "creds",
    [
        HubCredentials("hub.example.org", "sp-1", "s"),  # no scheme
        HubCredentials("ftp://hub.example.org", "sp-1", "s"),
        HubCredentials("https://hub.example.org", "", "s"),
        HubCredentials("https://hub.example.org", "sp.1", "s"),  # a dot splits the token
        HubCredentials("https://hub.example.org", "sp-1", "  "),
    ],
)
def test_bad_enrolments_are_refused(store: Store, creds: HubCredentials) -> None:
    with pytest.raises(ValueError):
        credentials.save(store, creds)
    assert not credentials.is_enrolled(store)
