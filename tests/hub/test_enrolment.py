"""The hub's side of enrolment: one-time tokens in the store (both backends), its TLS identity,
the anchor and enrol endpoints over real HTTPS, and the CLI that prints tokens and serves."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from cryptography import x509

from app.domain import enrolment
from hub import signing, tls
from hub.app import create_app
from hub.enrolment import issue_token
from hub.server import hub_identity, start_in_thread
from hub.storage import EnrolRefused, HubStore, open_store

ROOT = Path(__file__).resolve().parents[2]
SPOKE_SECRET = "s" * 43
TIMEOUT = 10


def future(days: float = 1) -> datetime:
    return datetime.now(UTC) + timedelta(days=days)


def refused(store: HubStore, secret: str, spoke_secret: str = SPOKE_SECRET) -> str:
    with pytest.raises(EnrolRefused) as caught:
        store.redeem_enrol_token(secret, spoke_secret)
    return caught.value.code


# -- the store, on each backend ------------------------------------------------------------------


def test_a_token_makes_one_spoke_and_a_lost_answer_gets_the_same_one(
    open_hub: Callable[[], HubStore],
) -> None:
    store = open_hub()
    secret = enrolment.new_secret()
    store.create_enrol_token("HWC Kheri", secret, future())

    spoke_id, facility = store.redeem_enrol_token(secret, SPOKE_SECRET)
    assert facility == "HWC Kheri"
    assert store.authenticate(spoke_id, SPOKE_SECRET)
    # Typed in lower case, the same token; with the same spoke secret, the same spoke.
    assert store.redeem_enrol_token(secret.lower(), SPOKE_SECRET) == (spoke_id, facility)
    assert refused(store, secret, "t" * 43) == "enrol.used"
    assert [s["id"] for s in store.stats()["per_spoke"]] == [spoke_id]

    (row,) = store.enrol_tokens()
    assert row["spoke_id"] == spoke_id and row["used_at"] and row["facility"] == "HWC Kheri"
    assert secret not in json.dumps(row) and not any(key.endswith("hash") for key in row)


def test_unknown_and_expired_tokens_are_refused(open_hub: Callable[[], HubStore]) -> None:
    store = open_hub()
    assert refused(store, enrolment.new_secret()) == "enrol.unknown"
    old = enrolment.new_secret()
    store.create_enrol_token("HWC Kheri", old, datetime.now(UTC) - timedelta(seconds=1))
    assert refused(store, old) == "enrol.expired"
    assert store.stats()["spokes"] == 0
    with pytest.raises(ValueError, match="spoke name"):
        store.create_enrol_token("  ", enrolment.new_secret(), future())


def test_two_spokes_racing_for_one_token_make_one_spoke(open_hub: Callable[[], HubStore]) -> None:
    store = open_hub()
    secret = enrolment.new_secret()
    store.create_enrol_token("HWC Kheri", secret, future())
    outcomes: list[str] = []
    start = threading.Barrier(4)

    def attempt(n: int) -> None:
        start.wait()
        try:
            outcomes.append(store.redeem_enrol_token(secret, f"{n}" * 40)[0])
        except EnrolRefused as exc:
            outcomes.append(exc.code)

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)

    assert sorted(outcomes).count("enrol.used") == 3
    assert store.stats()["spokes"] == 1


def test_meta_put_without_replace_keeps_the_first_value(open_hub: Callable[[], HubStore]) -> None:
    store = open_hub()
    assert store.meta_get("x") is None
    assert store.meta_put("x", "first", replace=False) == "first"
    assert store.meta_put("x", "second", replace=False) == "first"
    assert store.meta_put("x", "third") == "third"


# -- the TLS identity --------------------------------------------------------------------------


def test_the_signing_key_is_made_once_per_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    first, second = open_store(url), open_store(url)  # two hub processes on one database
    other = open_store(f"sqlite:///{tmp_path / 'other.sqlite3'}")
    try:
        assert first.meta_get(signing.KEY_SIGNING) is None
        key = signing.signing_key(first)
        assert signing.signing_key(second).private_bytes_raw() == key.private_bytes_raw()
        assert signing.public_key_text(second) == signing.public_key_text(first)
        assert first.meta_get(signing.KEY_SIGNING) is not None
        assert signing.public_key_text(other) != signing.public_key_text(first)  # another hub
    finally:
        first.close()
        second.close()
        other.close()


def test_the_own_ca_is_made_once_and_a_new_name_reissues_only_the_server_certificate(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    first, second = open_store(url), open_store(url)  # two hub processes on one database
    try:
        a = tls.own_identity(first, ["localhost"])
        b = tls.own_identity(second, ["localhost", "hub.example.org"])
        c = tls.own_identity(first, ["localhost"])
    finally:
        first.close()
        second.close()

    assert a.pin == b.pin == c.pin  # spokes' pins survive a re-issue
    assert a.anchor_pem == b.anchor_pem
    assert a.cert_chain_pem != b.cert_chain_pem  # the new name needed a new certificate
    assert c.cert_chain_pem == b.cert_chain_pem  # ...which covers the old names too
    leaf = x509.load_pem_x509_certificates(b.cert_chain_pem.encode())[0]
    names = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert {"localhost", "hub.example.org"} <= set(names.get_values_for_type(x509.DNSName))
    ca = x509.load_pem_x509_certificate(a.anchor_pem.encode())
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca


def test_a_server_certificate_near_expiry_is_reissued(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'hub.sqlite3'}")
    try:
        long_ago = datetime.now(UTC) - timedelta(days=tls.LEAF_DAYS - 10)
        old = tls.own_identity(store, ["localhost"], now=long_ago)
        new = tls.own_identity(store, ["localhost"])
    finally:
        store.close()
    assert old.cert_chain_pem != new.cert_chain_pem and old.pin == new.pin


def test_the_operators_certificate_is_served_and_its_last_one_pinned(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'hub.sqlite3'}")
    other = open_store(f"sqlite:///{tmp_path / 'their-ca.sqlite3'}")
    try:
        theirs = tls.own_identity(other, ["localhost", "127.0.0.1"])
        (tmp_path / "chain.pem").write_text(theirs.cert_chain_pem)
        (tmp_path / "key.pem").write_text(theirs.key_pem)
        mine = tls.operator_identity(store, tmp_path / "chain.pem", tmp_path / "key.pem")
        assert mine.pin == theirs.pin
        assert store.meta_get(tls.KEY_ANCHOR) == theirs.anchor_pem
        (tmp_path / "broken.pem").write_text("not a certificate")
        with pytest.raises(tls.TlsError, match=r"broken\.pem"):
            tls.operator_identity(store, tmp_path / "broken.pem", tmp_path / "key.pem")
    finally:
        store.close()
        other.close()


# -- over HTTPS --------------------------------------------------------------------------------


def test_the_anchor_and_enrol_endpoints_over_https(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'hub.sqlite3'}")
    identity = hub_identity(store, "127.0.0.1:0")
    server = start_in_thread(create_app(store), identity=identity)
    anchor_file = tmp_path / "anchor.pem"
    anchor_file.write_text(identity.anchor_pem)
    try:
        assert server.url.startswith("https://")
        # A client that trusts only the anchor can talk to the hub.
        got = requests.get(f"{server.url}/v1/anchor", verify=str(anchor_file), timeout=TIMEOUT)
        assert got.status_code == 200
        assert tls.anchor_pin(got.json()["anchor_pem"]) == identity.pin
        signing_key = signing.public_key_text(store)
        assert got.json()["signing_key"] == signing_key
        with pytest.raises(requests.exceptions.SSLError):  # the system's CAs do not know it
            requests.get(f"{server.url}/v1/meta", timeout=TIMEOUT)

        token = enrolment.decode(
            issue_token(store, "Kheri", address=f"127.0.0.1:{server.port}").text
        )

        def enrol(body: object) -> requests.Response:
            return requests.post(
                f"{server.url}/v1/enrol", json=body, verify=str(anchor_file), timeout=TIMEOUT
            )

        assert enrol({"token": token.secret, "spoke_secret": "short"}).status_code == 400
        assert enrol({"token": "x", "spoke_secret": SPOKE_SECRET}).status_code == 400
        made = enrol({"token": token.secret, "spoke_secret": SPOKE_SECRET})
        assert made.status_code == 201
        assert made.json()["facility"] == "Kheri" and made.json()["epoch"] == store.epoch()
        assert made.json()["signing_key"] == signing_key
        again = enrol({"token": token.secret, "spoke_secret": "u" * 40})
        assert again.status_code == 403 and again.json()["error"] == "enrol.used"
        unknown = enrol({"token": enrolment.new_secret(), "spoke_secret": SPOKE_SECRET})
        assert unknown.status_code == 403 and unknown.json()["error"] == "enrol.unknown"
    finally:
        server.stop()
        store.close()


def test_a_plain_http_hub_has_no_anchor(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'hub.sqlite3'}")
    server = start_in_thread(create_app(store))
    try:
        answer = requests.get(f"{server.url}/v1/anchor", timeout=TIMEOUT)
        assert answer.status_code == 404 and answer.json()["error"] == "tls.none"
    finally:
        server.stop()
        store.close()


# -- the command line --------------------------------------------------------------------------


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hub.cli", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_cli_enrol_token_tokens_stats_and_new_epoch(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli-hub.sqlite3'}"
    no_address = run_cli("enrol-token", "--db", url, "--facility", "Kheri HWC")
    assert no_address.returncode == 2 and "--address" in no_address.stderr

    qr = tmp_path / "token.png"
    made = run_cli(
        "enrol-token",
        "--db",
        url,
        "--facility",
        "Kheri HWC",
        "--address",
        "hub.example.org:8765",
        "--qr",
        str(qr),
    )
    assert made.returncode == 0, made.stderr
    token = enrolment.decode(made.stdout.strip())
    assert (token.host, token.port) == ("hub.example.org", 8765)
    assert qr.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    store = open_store(url)
    try:
        anchor = store.meta_get(tls.KEY_ANCHOR)
        assert anchor is not None and tls.anchor_pin(anchor) == token.pin
        spoke_id, _ = store.redeem_enrol_token(token.secret, SPOKE_SECRET)
        epoch = store.epoch()
    finally:
        store.close()

    listed = json.loads(run_cli("tokens", "--db", url).stdout)
    assert [(t["facility"], t["spoke_id"]) for t in listed] == [("Kheri HWC", spoke_id)]
    stats = run_cli("stats", "--db", url)
    assert stats.returncode == 0 and json.loads(stats.stdout)["spokes"] == 1
    renewed = run_cli("new-epoch", "--db", url)
    assert renewed.returncode == 0 and json.loads(renewed.stdout)["epoch"] != epoch
    bad = run_cli("stats", "--db", "mysql://nope")
    assert bad.returncode == 2 and "sqlite:///" in bad.stderr


def free_port() -> int:
    with socket.socket() as probe:  # released just before the hub takes it
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(predicate: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


# The unverified fetch is the point: it is how a spoke gets the anchor to check against the pin.
@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
def test_cli_serve_is_https_by_default_and_stops_on_sigterm(tmp_path: Path) -> None:
    port = free_port()
    db = f"sqlite:///{tmp_path / 'served.sqlite3'}"
    # Without a subcommand, options mean "serve" (``main.py hub --db URL --bind HOST:PORT``).
    proc = subprocess.Popen(
        [sys.executable, "-m", "hub.cli", "--db", db, "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"https://127.0.0.1:{port}"

    def answers() -> bool:
        try:
            return requests.get(url + "/v1/anchor", verify=False, timeout=1).ok
        except requests.ConnectionError:
            return proc.poll() is not None  # died: stop waiting, the assert below says so

    try:
        assert wait_for(answers, 30) and proc.poll() is None, (
            proc.stderr.read() if proc.stderr else ""
        )
        # The token the CLI prints names the address serve recorded and pins what it serves.
        printed = run_cli("enrol-token", "--db", db, "--facility", "Kheri")
        token = enrolment.decode(printed.stdout.strip())
        assert token.address == f"127.0.0.1:{port}"
        anchor = tmp_path / "anchor.pem"
        served = requests.get(url + "/v1/anchor", verify=False, timeout=TIMEOUT).json()
        assert tls.anchor_pin(served["anchor_pem"]) == token.pin
        anchor.write_text(served["anchor_pem"])
        meta = requests.get(url + "/v1/meta", verify=str(anchor), timeout=TIMEOUT)
        assert meta.json()["name"] == "HWC Hub"
        proc.terminate()
        assert proc.wait(timeout=15) == 0  # a graceful stop: the store closed, exit 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=15)
        if proc.stderr:
            proc.stderr.close()
