"""Staff accounts handed down by the hub (docs/SYNC.md "Staff accounts"): end to end over
loopback (the hub adds, switches off, resets; the spoke logs in offline after a round), and
the spoke's merge rules (``app.store.staff_sync``) on a real spoke database.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from app.domain.errors import DomainError
from app.domain.ids import UserId
from app.domain.models import Role, User
from app.security.passwords import hash_password
from app.services.container import Services
from app.store import settings, staff_sync
from app.store import users as users_repo
from app.sync.engine import KEY_CURSOR
from tests.sync.conftest import SEEDED_CASES, EngineFactory, Hub

T0 = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


def login_code(spoke: Services, username: str, password: str) -> str:
    """ "ok", or the refusal's code."""
    try:
        spoke.auth.login(username, password)
    except DomainError as exc:
        return exc.code
    return "ok"


def local_user(spoke: Services, username: str) -> User | None:
    return spoke.store.read(lambda db: users_repo.by_username(db, username))


# -- end to end --------------------------------------------------------------------------------


def test_hub_staff_log_in_on_the_spoke_offline(
    hub: Hub, spoke: Services, make_engine: EngineFactory
) -> None:
    ravi = hub.store.add_user(
        "Ravi.K", "Ravi Kumar", "paramedic", "ravi-pass-1", spoke_id=hub.spoke_id
    )
    other, _ = hub.store.register_spoke("Bodh Gaya HWC")
    hub.store.add_user("sita", "Sita Devi", "generalist", "sita-pass-1", spoke_id=other)
    hub.store.add_user("dr.mehta", "Dr Mehta", "specialist", "mehta-pass-1", registration_no="R1")
    engine = make_engine()
    assert login_code(spoke, "ravi.k", "ravi-pass-1") == "auth.bad_credentials"  # not yet

    assert engine.run_once().ok
    hub.server.stop()  # offline from here: the login needs only the local database
    user = spoke.auth.login("RAVI.K", "ravi-pass-1")
    assert (user.id, user.username, user.display_name) == (ravi, "ravi.k", "Ravi Kumar")
    assert user.role is Role.PARAMEDIC and user.active
    assert login_code(spoke, "ravi.k", "ravi-pass-2") == "auth.bad_credentials"
    # Only this spoke's staff come down: not another spoke's, not the hub's own users.
    assert local_user(spoke, "sita") is None and local_user(spoke, "dr.mehta") is None

    hub.restart()
    hub.store.set_user_active("ravi.k", False)
    assert login_code(spoke, "ravi.k", "ravi-pass-1") == "ok"  # the spoke has not heard yet
    assert make_engine(hub.url).run_once().ok
    assert login_code(spoke, "ravi.k", "ravi-pass-1") == "auth.inactive"

    hub.store.set_user_password("ravi.k", "ravi-pass-2")
    hub.store.set_user_active("ravi.k", True)
    assert make_engine(hub.url).run_once().ok
    assert login_code(spoke, "ravi.k", "ravi-pass-1") == "auth.bad_credentials"
    assert login_code(spoke, "ravi.k", "ravi-pass-2") == "ok"


def test_a_bad_staff_change_is_skipped_and_the_round_goes_on(
    hub: Hub, spoke: Services, make_engine: EngineFactory, caplog: pytest.LogCaptureFixture
) -> None:
    good = hub.store.add_user("ravi.k", "Ravi", "paramedic", "ravi-pass-1", spoke_id=hub.spoke_id)
    for payload in (
        {"id": "x1"},  # nearly everything missing
        {**_payload("x2", "bad name!"), "password_hash": "scrypt$1"},  # username not allowed
        {**_payload("x3", "mala"), "role": "surgeon"},
        {**_payload("x4", "mala"), "active": "yes"},
        {**_payload("x5", "mala"), "updated_at": "yesterday"},
        {**_payload("x6", "mala"), "password_hash": "plain-text"},
    ):
        hub.store.publish(hub.spoke_id, "staff", payload["id"], "staff.upsert", payload)
    hub.store.set_user_active("ravi.k", False)  # after the bad ones: must still arrive

    with caplog.at_level(logging.WARNING, logger="app.store.staff_sync"):
        report = make_engine().run_once()
    assert report.ok and report.pulled == 8 + SEEDED_CASES  # and a case.status per queued case
    assert sum("malformed staff.upsert" in r.getMessage() for r in caplog.records) == 6
    assert local_user(spoke, "mala") is None
    ravi = local_user(spoke, "ravi.k")
    assert ravi is not None and ravi.id == good and not ravi.active


def test_re_pulling_the_feed_from_0_undoes_no_local_change(
    hub: Hub, spoke: Services, make_engine: EngineFactory
) -> None:
    hub.store.add_user("ravi.k", "Ravi", "paramedic", "ravi-pass-1", spoke_id=hub.spoke_id)
    hub.store.set_user_active("ravi.k", False)
    hub.store.set_user_active("ravi.k", True)
    assert make_engine().run_once().ok
    user = spoke.auth.login("ravi.k", "ravi-pass-1")
    spoke.auth.change_password(user, "ravi-pass-1", "ravi-pass-mine")

    # As after a new hub epoch: the whole feed again, oldest versions first.
    spoke.store.write(lambda db: settings.put_state(db, KEY_CURSOR, "0"))
    assert make_engine().run_once().ok
    assert login_code(spoke, "ravi.k", "ravi-pass-mine") == "ok"
    assert local_user(spoke, "ravi.k") is not None


# -- the merge rules ---------------------------------------------------------------------------

_HASHES: dict[str, str] = {}


def _hash(password: str) -> str:
    if password not in _HASHES:
        _HASHES[password] = hash_password(password, log_n=4)
    return _HASHES[password]


def _payload(
    hub_id: str,
    username: str,
    *,
    password: str = "hub-pass-1",
    active: bool = True,
    name: str = "Ravi Kumar",
    role: str = "paramedic",
    at: datetime = T0,
) -> dict[str, Any]:
    return {
        "id": hub_id,
        "username": username,
        "display_name": name,
        "role": role,
        "password_hash": _hash(password),
        "active": active,
        "updated_at": at.isoformat(timespec="microseconds"),
    }


def apply(spoke: Services, payload: Any) -> bool:
    return spoke.store.write(lambda db: staff_sync.apply_upsert(db, payload, NOW))


def test_versions_apply_in_hub_order_and_never_go_back(spoke: Services) -> None:
    v1 = _payload("h1", "ravi.k", at=T0)
    v2 = _payload("h1", "ravi.k", active=False, at=T0 + timedelta(microseconds=1))
    assert apply(spoke, v1)
    assert apply(spoke, v2)
    assert not apply(spoke, v1)  # older: a late or replayed version
    assert not apply(spoke, v2)  # the same again
    user = local_user(spoke, "ravi.k")
    assert user is not None and user.id == "h1" and not user.active
    assert login_code(spoke, "ravi.k", "hub-pass-1") == "auth.inactive"
    v3 = _payload("h1", "ravi.k", name="Ravi K.", role="generalist", at=T0 + timedelta(1))
    assert apply(spoke, v3)
    user = spoke.auth.login("ravi.k", "hub-pass-1")
    assert (user.display_name, user.role, user.created_at) == ("Ravi K.", Role.GENERALIST, NOW)


def test_a_local_change_survives_a_hub_version_that_did_not_touch_that_field(
    spoke: Services,
) -> None:
    apply(spoke, _payload("h1", "ravi.k", at=T0))
    user = spoke.auth.login("ravi.k", "hub-pass-1")
    spoke.auth.change_password(user, "hub-pass-1", "my-own-pass")
    # The hub renames the account: the password changed here stays.
    assert apply(spoke, _payload("h1", "ravi.k", name="Ravi K.", at=T0 + timedelta(1)))
    assert spoke.auth.login("ravi.k", "my-own-pass").display_name == "Ravi K."
    # The hub resets the password: the hub's wins.
    assert apply(spoke, _payload("h1", "ravi.k", password="hub-pass-2", at=T0 + timedelta(2)))
    assert login_code(spoke, "ravi.k", "my-own-pass") == "auth.bad_credentials"
    assert login_code(spoke, "ravi.k", "hub-pass-2") == "ok"

    # Switched off here by field IT: a hub version that leaves "active" alone keeps it off ...
    off = local_user(spoke, "ravi.k")
    assert off is not None
    spoke.store.write(lambda db: users_repo.update(db, replace(off, active=False)))
    assert apply(
        spoke, _payload("h1", "ravi.k", password="hub-pass-2", name="R", at=T0 + timedelta(3))
    )
    assert login_code(spoke, "ravi.k", "hub-pass-2") == "auth.inactive"
    # ... and the hub switching it off then on again is a change of that field: the hub wins.
    assert apply(
        spoke, _payload("h1", "ravi.k", password="hub-pass-2", active=False, at=T0 + timedelta(4))
    )
    assert apply(spoke, _payload("h1", "ravi.k", password="hub-pass-2", at=T0 + timedelta(5)))
    assert login_code(spoke, "ravi.k", "hub-pass-2") == "ok"


def test_a_local_account_of_the_same_name_is_taken_over(spoke: Services) -> None:
    local = User(
        id=UserId("local-1"),
        username="asha",
        display_name="Asha",
        role=Role.PARAMEDIC,
        password_hash=_hash("local-pass"),
        created_at=T0,
    )
    spoke.store.write(lambda db: users_repo.insert(db, local))
    assert apply(spoke, _payload("h9", "asha", name="Asha Kumari", at=T0))
    user = spoke.auth.login("asha", "hub-pass-1")
    assert user.id == "local-1" and user.display_name == "Asha Kumari"  # records stay hers
    assert login_code(spoke, "asha", "local-pass") == "auth.bad_credentials"
    assert apply(spoke, _payload("h9", "asha", active=False, at=T0 + timedelta(1)))
    assert login_code(spoke, "asha", "hub-pass-1") == "auth.inactive"
    assert spoke.store.read(lambda db: users_repo.get(db, UserId("h9"))) is None


@pytest.mark.parametrize(
    "payload",
    [
        None,
        "staff",
        {},
        {"id": "h1", "username": "ravi.k"},
        {**_payload("h1", "Ravi.K")},  # the hub sends usernames lower-case
        {**_payload("h1", "ravi.k"), "updated_at": "2026-11-26T09:30:00"},  # no time zone
        {**_payload("h1", "ravi.k"), "display_name": "  "},
        {**_payload("h1", "ravi.k"), "id": 7},
    ],
)
def test_a_malformed_payload_changes_nothing(spoke: Services, payload: Any) -> None:
    before = spoke.store.read(users_repo.all)
    assert apply(spoke, payload) is False
    assert spoke.store.read(users_repo.all) == before


def test_a_username_clash_between_two_hub_accounts_is_skipped(spoke: Services) -> None:
    apply(spoke, _payload("h1", "ravi.k", at=T0))
    apply(spoke, _payload("h2", "mala", password="mala-pass-1", at=T0))
    # h2 renamed to a name h1 holds here: refused, and the page it came in is not spoiled.
    assert not apply(spoke, _payload("h2", "ravi.k", password="mala-pass-1", at=T0 + timedelta(1)))
    assert login_code(spoke, "ravi.k", "hub-pass-1") == "ok"
    assert login_code(spoke, "mala", "mala-pass-1") == "ok"
