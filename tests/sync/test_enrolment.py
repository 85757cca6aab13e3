"""Enrolment with a one-time token against a real hub over HTTPS on loopback: the pin, the
one-time secret, a lost answer, and a pinned connection afterwards."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.domain import enrolment
from app.domain.errors import DomainError
from app.services.container import Services
from app.store import settings
from app.sync import credentials
from app.sync.enrolment import KEY_PENDING, EnrolmentFailed, _pending_secret, _signing_key
from hub import signing as hub_signing
from hub import tls
from hub.app import create_app
from hub.enrolment import issue_token
from hub.server import hub_identity, start_in_thread
from hub.storage import open_store
from tests.sync.conftest import SEEDED_OPS, TlsHub, outbox_counts


def enrol_error(spoke: Services, token: str, hub_url: str | None = None) -> DomainError:
    with pytest.raises(DomainError) as caught:
        spoke.sync.enrol(None, token, hub_url)
    return caught.value


def test_a_token_enrols_once_and_the_round_runs_over_the_pinned_connection(
    spoke: Services, tls_hub: TlsHub
) -> None:
    done = spoke.sync.enrol(None, tls_hub.token("HWC Kheri"))

    assert done.hub_url == tls_hub.url and done.facility == "HWC Kheri"
    creds = credentials.load(spoke.store)
    assert creds is not None and creds.spoke_id == done.spoke_id
    assert creds.anchor_pem == tls_hub.identity.anchor_pem
    assert (creds.facility, creds.hub_name) == ("HWC Kheri", "HWC Hub")  # for the Sync page
    # The key that certifies prescribers, pinned with the enrolment.
    assert creds.signing_key == hub_signing.public_key_text(tls_hub.store)
    assert tls_hub.store.authenticate(done.spoke_id, creds.secret)
    assert spoke.store.read(lambda db: settings.get(db, KEY_PENDING)) == ""  # no token left

    report = spoke.sync.run_once()
    assert report.ok, report.error
    assert report.pushed.applied == SEEDED_OPS + 1  # + the enrolment's audit entry
    assert tls_hub.store.stats()["per_spoke"][0]["name"] == "HWC Kheri"


def test_a_used_token_is_refused_and_an_enrolled_pc_is_not_re_enrolled(
    spoke: Services, tls_hub: TlsHub, tmp_path: Path
) -> None:
    token = tls_hub.token()
    spoke.sync.enrol(None, token)
    assert enrol_error(spoke, tls_hub.token()).code == "sync.already_enrolled"

    other = Services.open(tmp_path / "other", password_log_n=4)
    try:
        assert enrol_error(other, token).code == "sync.enrol_token_used"
        assert not other.sync.is_enrolled()
    finally:
        other.close()


def test_a_lost_answer_is_retried_with_the_same_secret_and_gets_the_same_spoke(
    spoke: Services, tls_hub: TlsHub
) -> None:
    text = tls_hub.token()
    token = enrolment.decode(text)
    # The first attempt reached the hub, which made the spoke; its answer never came back.
    first_secret = _pending_secret(spoke.store, token)
    made, _ = tls_hub.store.redeem_enrol_token(token.secret, first_secret)

    done = spoke.sync.enrol(None, text)

    assert done.spoke_id == made
    assert len(tls_hub.store.stats()["per_spoke"]) == 1  # not a second spoke


def test_a_hub_that_is_not_the_one_in_the_token_gets_no_secret(
    spoke: Services, tls_hub: TlsHub, tmp_path: Path
) -> None:
    # A token this hub issued, but pinned to another hub's key: as if someone else answered.
    secret = enrolment.new_secret()
    tls_hub.store.create_enrol_token("HWC Kheri", secret, datetime.now(UTC) + timedelta(days=1))
    foreign_pin = enrolment.decode(tls_hub.foreign_token()).pin
    forged = enrolment.encode(
        enrolment.EnrolmentToken("127.0.0.1", tls_hub.server.port, secret, foreign_pin)
    )

    assert enrol_error(spoke, forged).code == "sync.enrol_pin_mismatch"
    assert not spoke.sync.is_enrolled()
    (token_row,) = tls_hub.store.enrol_tokens()
    assert token_row["used_at"] is None  # the secret was never sent


def test_after_enrolment_another_certificate_at_the_hubs_address_is_refused(
    spoke: Services, tls_hub: TlsHub, tmp_path: Path
) -> None:
    spoke.sync.enrol(None, tls_hub.token())
    port = tls_hub.server.port
    tls_hub.server.stop()
    impostor = open_store(f"sqlite:///{tmp_path / 'impostor.sqlite3'}")
    server = start_in_thread(
        create_app(impostor), port=port, identity=hub_identity(impostor, f"127.0.0.1:{port}")
    )
    try:
        report = spoke.sync.run_once()
        assert impostor.stats()["patients"] == 0
    finally:
        server.stop()
        impostor.close()

    assert not report.ok and report.error_code == "hub.tls"
    # + the enrolment's audit entry
    assert outbox_counts(spoke)["pending"] == SEEDED_OPS + 1  # nothing went, nothing was lost


def test_an_address_the_certificate_does_not_name_is_refused(
    spoke: Services, tmp_path: Path
) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'named.sqlite3'}")
    identity = tls.own_identity(store, ["hub.example.org"])  # not 127.0.0.1
    server = start_in_thread(create_app(store), identity=identity)
    try:
        token = issue_token(store, "HWC Kheri", address=f"127.0.0.1:{server.port}").text
        error = enrol_error(spoke, token)
        assert error.code == "sync.enrol_tls"
        assert store.enrol_tokens()[0]["used_at"] is None
    finally:
        server.stop()
        store.close()


def test_the_hub_override_must_be_https_and_a_hub_that_is_down_can_be_retried(
    spoke: Services, tls_hub: TlsHub
) -> None:
    token = tls_hub.token()
    plain = tls_hub.url.replace("https://", "http://")
    assert enrol_error(spoke, token, plain).code == "sync.enrol_invalid"

    via_name = tls_hub.url.replace("127.0.0.1", "localhost")
    tls_hub.server.stop()
    assert enrol_error(spoke, token, via_name).code == "sync.enrol_unreachable"
    tls_hub.restart()
    done = spoke.sync.enrol(None, token, via_name)  # the same token still works
    assert done.hub_url == via_name


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "looks like"),
        ("127.0.0.1:8765/ABCD", "needs 44"),
        ("127.0.0.1:99999/" + "0" * 44, "out of range"),
    ],
)
def test_a_malformed_token_says_what_is_wrong(spoke: Services, text: str, fragment: str) -> None:
    error = enrol_error(spoke, text)
    assert error.code == "sync.enrol_invalid" and fragment in error.params["message"]


def test_the_signing_key_in_the_enrol_answer_must_be_a_raw_ed25519_key() -> None:
    key = "A" * 43  # base64url of 32 bytes
    assert _signing_key(key) == key
    assert _signing_key(None) == ""  # a hub from before signatures: enrolment still works
    for bad in ("A" * 42, "A" * 44, key + "=", "+" * 43, 42, "é" * 43, ""):
        with pytest.raises(EnrolmentFailed) as caught:
            _signing_key(bad)
        assert caught.value.code == "hub.bad_reply"
