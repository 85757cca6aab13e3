"""The hub's HTTP API over a real loopback socket (docs/SYNC.md), with the real SQLite store.

Every test talks to ``start_in_thread(create_app(store))`` on 127.0.0.1 through ``requests``,
as the spoke does: headers, gzip, connection handling and status codes are the real ones.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import threading
import time
import zlib
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from app.domain.ids import PatientId, new_id
from app.domain.models import Address, Patient, Sex
from app.store import codec
from app.sync.transport import encode_table
from hub.app import MAX_CHUNK_BYTES, MAX_PUSH_BYTES, MAX_PUSH_OPS, create_app
from hub.server import RunningHub, start_in_thread
from hub.storage import HubStore, HubStoreError
from hub.storage.sqlite import SqliteHubStore

ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
HUB_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00")
TIMEOUT = 10  # seconds for any one request: generous for a loaded 2-core machine


# --- fixtures and helpers ------------------------------------------------------------------


class Spy:
    """Wraps a store: counts ``authenticate`` calls and can make every other call fail like a
    database that went away (``failing``: ``HubStoreError``) or like a bug (``broken``)."""

    def __init__(self, store: HubStore) -> None:
        self._store = store
        self.auth_calls = 0
        self.failing = False
        self.broken = False

    def authenticate(self, spoke_id: str, secret: str) -> bool:
        self.auth_calls += 1
        return self._store.authenticate(spoke_id, secret)

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._store, name)
        if not callable(attr):
            return attr

        def call(*args: Any, **kwargs: Any) -> Any:
            if self.failing:
                raise HubStoreError("connection refused")
            if self.broken:
                raise RuntimeError("a bug in the store")
            return attr(*args, **kwargs)

        return call


# One hub (SQLite) serves the module's tests: starting and stopping a server costs a few
# tenths of a second. Tests stay independent because each gets its own spoke (feeds, ops and
# credentials are per spoke) and blob contents of its own.


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SqliteHubStore]:
    s = SqliteHubStore(tmp_path_factory.mktemp("hub") / "hub.sqlite3")
    s.migrate()
    try:
        yield s
    finally:
        s.close()


@pytest.fixture(scope="module")
def shared_spy(store: SqliteHubStore) -> Spy:
    return Spy(store)


@pytest.fixture
def spy(shared_spy: Spy) -> Iterator[Spy]:
    """The hub's store wrapper, healthy again after the test whatever the test did."""
    try:
        yield shared_spy
    finally:
        shared_spy.failing = shared_spy.broken = False


@pytest.fixture(scope="module")
def hub(shared_spy: Spy) -> Iterator[RunningHub]:
    running = start_in_thread(create_app(shared_spy, name="Test Hub"))
    try:
        yield running
    finally:
        running.stop()


class Spoke:
    """One registered spoke talking to the hub through a keep-alive session."""

    def __init__(self, hub: RunningHub, store: HubStore, name: str = "Kheri HWC") -> None:
        self.url = hub.url
        self.spoke_id, secret = store.register_spoke(name)
        self.token = f"{self.spoke_id}.{secret}"
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {self.token}"

    def push(self, ops: list[Any], *, spoke_id: str | None = None) -> requests.Response:
        body = push_body(spoke_id or self.spoke_id, ops)
        return self.post_raw("/v1/sync/push", gzip.compress(json.dumps(body).encode()), gz=True)

    def post_raw(self, path: str, data: bytes, *, gz: bool) -> requests.Response:
        headers = {"Content-Type": "application/json"}
        if gz:
            headers["Content-Encoding"] = "gzip"
        return self.session.post(self.url + path, data=data, headers=headers, timeout=TIMEOUT)

    def pull(self, since: int, limit: int | None = None, **kw: Any) -> requests.Response:
        params: dict[str, Any] = {"since": since}
        if limit is not None:
            params["limit"] = limit
        return self.session.get(self.url + "/v1/sync/pull", params=params, timeout=TIMEOUT, **kw)

    def close(self) -> None:
        self.session.close()


@pytest.fixture
def spoke(hub: RunningHub, store: SqliteHubStore) -> Iterator[Spoke]:
    s = Spoke(hub, store)
    try:
        yield s
    finally:
        s.close()


_seq = iter(range(1, 1_000_000))


def patient_op(**patient_changes: Any) -> dict[str, Any]:
    """A ``patient.create`` op as the spoke's outbox sends it (``app.store.patients``)."""
    patient = Patient(
        id=PatientId(new_id()),
        name="Ramesh Kumar",
        name_alt="",
        sex=Sex.MALE,
        birth_date=date(1980, 3, 15),
        birth_date_estimated=False,
        phone="",
        abha_number="",
        abha_address="",
        address=Address(state="Haryana", district="Jhajjar", village="Kheri"),
        created_at=T0,
        updated_at=T0,
    )
    return {
        "op_id": new_id(),
        "seq": next(_seq),
        "entity": "patient",
        "entity_id": patient.id,
        "op": "patient.create",
        "payload": {"patient": {**codec.patient_to_dict(patient), **patient_changes}},
        "created_at": codec.iso(T0),
    }


def case_op(patient_id: str) -> dict[str, Any]:
    """A ``case.queue`` op (the case with no observations) for ``patient_id``."""
    case_id = new_id()
    case = {"id": case_id, "patient_id": patient_id, "priority": "routine", "specialty": ""}
    return {
        "op_id": new_id(),
        "seq": next(_seq),
        "entity": "case",
        "entity_id": case_id,
        "op": "case.queue",
        "payload": {"case": case, "consent": None, "observations": [], "news2": None},
        "created_at": codec.iso(T0),
    }


def push_body(spoke_id: str, ops: list[dict[str, Any]]) -> dict[str, Any]:
    """A push body as the spoke sends it: the ops as one table, without the ``entity`` and
    ``entity_id`` the hub works out (docs/SYNC.md)."""
    wire = [{k: v for k, v in op.items() if k not in ("entity", "entity_id")} for op in ops]
    return {"spoke_id": spoke_id, "epoch_seen": None, "count": len(ops), "ops": encode_table(wire)}


def parse_hub_time(response: requests.Response) -> datetime:
    text = response.headers["X-Hub-Time"]
    assert HUB_TIME.fullmatch(text), text
    return datetime.fromisoformat(text)


STATUS = {"a": "applied", "d": "duplicate", "r": "rejected"}


def statuses(response: requests.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [STATUS[letter] for letter in response.json()["results"]]


def assert_error(response: requests.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["error"] == code
    assert isinstance(body["message"], str)
    assert "X-Hub-Time" in response.headers
    return body


# --- meta, time, authentication ------------------------------------------------------------


def test_meta_needs_no_credentials(hub: RunningHub, store: SqliteHubStore) -> None:
    before = datetime.now(UTC) - timedelta(seconds=1)
    r = requests.get(hub.url + "/v1/meta", timeout=TIMEOUT)
    assert r.status_code == 200
    body = r.json()
    assert body["epoch"] == store.epoch()
    assert body["max_seq"] == store.max_seq()
    assert body["min_client"] == 1
    assert body["name"] == "Test Hub"
    assert body["hub_time"] == r.headers["X-Hub-Time"]
    assert before <= parse_hub_time(r) <= datetime.now(UTC) + timedelta(seconds=1)


def test_hub_time_comes_from_the_injected_clock(store: SqliteHubStore) -> None:
    fixed = datetime(2030, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
    with start_in_thread(create_app(store, clock=lambda: fixed)) as running:
        r = requests.get(running.url + "/v1/meta", timeout=TIMEOUT)
        missing = requests.head(running.url + "/v1/blobs/" + "0" * 64, timeout=TIMEOUT)
    assert r.headers["X-Hub-Time"] == "2030-01-02T03:04:05.678+00:00"
    assert r.json()["hub_time"] == "2030-01-02T03:04:05.678+00:00"
    # Also on bodiless answers (here a 401 to a HEAD without credentials).
    assert missing.status_code == 401
    assert missing.headers["X-Hub-Time"] == "2030-01-02T03:04:05.678+00:00"


def test_requests_without_valid_credentials_get_401(
    hub: RunningHub, spoke: Spoke, spy: Spy
) -> None:
    url = hub.url + "/v1/sync/pull"
    for headers in (
        {},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer "},
        {"Authorization": "Bearer no-dot-here"},
        {"Authorization": f"Bearer {spoke.spoke_id}.wrong-secret"},
        {"Authorization": f"Bearer unknown-spoke.{spoke.token.partition('.')[2]}"},
        {"Authorization": "Bearer " + "x" * 5000 + ".y"},
    ):
        r = requests.get(url, headers=headers, timeout=TIMEOUT)
        assert_error(r, 401, "auth.invalid")
        assert r.headers["WWW-Authenticate"].startswith("Bearer")
    r = requests.post(
        hub.url + "/v1/sync/push", json=push_body(spoke.spoke_id, []), timeout=TIMEOUT
    )
    assert_error(r, 401, "auth.invalid")


def test_a_verified_credential_is_cached(hub: RunningHub, spoke: Spoke, spy: Spy) -> None:
    before = spy.auth_calls
    for _ in range(3):
        assert statuses(spoke.push([])) == []
    assert spy.auth_calls == before + 1  # the slow check ran once, not per request


def test_polls_arriving_together_each_get_their_own_answer(
    hub: RunningHub, store: SqliteHubStore
) -> None:
    """Concurrent polls share store calls (hub.app._Polls): each still gets its own feed, and
    a wrong secret among them is refused alone."""
    spokes = [Spoke(hub, store, f"HWC {i}") for i in range(12)]
    mine = {s.spoke_id: publish(store, s.spoke_id, 1 + i % 3) for i, s in enumerate(spokes)}
    impostor = requests.Session()
    impostor.headers["Authorization"] = f"Bearer {spokes[0].spoke_id}.wrong-secret"
    answers: dict[str, requests.Response] = {}

    def poll(name: str, session: requests.Session) -> None:
        answers[name] = session.get(hub.url + "/v1/sync/pull", timeout=TIMEOUT)

    threads = [threading.Thread(target=poll, args=(s.spoke_id, s.session)) for s in spokes]
    threads.append(threading.Thread(target=poll, args=("impostor", impostor)))
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(TIMEOUT)
        assert_error(answers.pop("impostor"), 401, "auth.invalid")
        for spoke_id, r in answers.items():
            assert r.status_code == 200, r.text
            assert [c["seq"] for c in r.json()["changes"]] == mine[spoke_id]
            assert r.json()["epoch"] == store.epoch()
    finally:
        impostor.close()
        for s in spokes:
            s.close()


# --- push ----------------------------------------------------------------------------------


def test_push_gzip_batch_then_the_same_batch_again(hub: RunningHub, spoke: Spoke) -> None:
    ops = [patient_op() for _ in range(20)]
    first = spoke.push(ops)
    assert statuses(first) == ["applied"] * 20
    body = first.json()
    assert body["results"] == "a" * 20 and "reasons" not in body  # positional: no op ids
    assert body["hub_time"] == first.headers["X-Hub-Time"]
    assert isinstance(body["epoch"], str) and body["epoch"]
    # A lost ack: the spoke sends the same op ids again, and nothing is stored twice.
    assert statuses(spoke.push(ops)) == ["duplicate"] * 20
    # A later batch overlapping the first.
    more = [patient_op(), *ops[:2]]
    assert statuses(spoke.push(more)) == ["applied", "duplicate", "duplicate"]


def test_a_plain_json_push_is_accepted_too(hub: RunningHub, spoke: Spoke) -> None:
    body = push_body(spoke.spoke_id, [patient_op()])
    r = spoke.post_raw("/v1/sync/push", json.dumps(body).encode(), gz=False)
    assert statuses(r) == ["applied"]


def test_a_poisoned_op_is_rejected_and_the_others_applied(hub: RunningHub, spoke: Spoke) -> None:
    good1, good2 = patient_op(), patient_op()
    unknown_kind = {**patient_op(), "op": "patient.teleport"}
    no_op_id = {k: v for k, v in patient_op().items() if k != "op_id"}
    bad_op_id = {**patient_op(), "op_id": "not an id; DROP TABLE"}
    bad_payload = patient_op(sex=12345)
    orphan_case = case_op(new_id())  # for a patient the hub has never heard of
    batch = [good1, unknown_kind, no_op_id, bad_op_id, bad_payload, orphan_case, good2]
    r = spoke.push(batch)
    assert statuses(r) == ["applied", *["rejected"] * 5, "applied"]
    reasons = r.json()["reasons"]  # one per rejected op, in request order
    malformed = "op.malformed"
    codes = [x["code"] for x in reasons]
    assert codes == ["op.unknown", malformed, malformed, malformed, "patient.unknown"]
    assert all(x["message"] for x in reasons)
    # The same batch again: the good ones are duplicates, the bad ones still rejected.
    assert statuses(spoke.push(batch)) == ["duplicate", *["rejected"] * 5, "duplicate"]


def test_a_broken_column_rejects_only_the_ops_it_spoils(hub: RunningHub, spoke: Spoke) -> None:
    ops = [patient_op() for _ in range(4)]
    body = push_body(spoke.spoke_id, ops)
    body["ops"]["created_at"] = {"at": [1], "col": {"nonsense": 1}}  # only the second op's
    r = spoke.post_raw("/v1/sync/push", json.dumps(body).encode(), gz=False)
    assert statuses(r) == ["applied", "rejected", "applied", "applied"]
    assert [x["code"] for x in r.json()["reasons"]] == ["op.malformed"]
    # A column of the wrong length cannot say which value is whose: every op it should have
    # given a value is rejected, each with its reason, and the request is still answered.
    ops = [patient_op() for _ in range(3)]
    body = push_body(spoke.spoke_id, ops)
    body["ops"]["seq"] = {"d": [ops[0]["seq"], 1]}
    r = spoke.post_raw("/v1/sync/push", json.dumps(body).encode(), gz=False)
    assert statuses(r) == ["rejected"] * 3
    assert all("seq" in x["message"] for x in r.json()["reasons"])
    # A body without an ops table, or a count that is not one, is refused whole.
    for broken in ({**body, "ops": [ops[0]]}, {**body, "count": "4"}, {**body, "count": -1}):
        data = json.dumps(broken).encode()
        assert_error(spoke.post_raw("/v1/sync/push", data, gz=False), 400, "request.malformed")


def test_a_table_that_would_decode_to_too_much_is_refused(hub: RunningHub, spoke: Spoke) -> None:
    body = push_body(spoke.spoke_id, [patient_op()])
    # 400 lists of 1,000 items, each item a copy of 10 KB: 4 GB from a body of a few KB.
    body["count"] = 400
    body["ops"] = {
        "payload": {"=": {}},
        "x": {"[]": [1000] * 400, "of": {"y": {"=": "z" * 10_000}}},
    }
    r = spoke.post_raw("/v1/sync/push", gzip.compress(json.dumps(body).encode()), gz=True)
    assert_error(r, 413, "request.too_large")


def test_pushed_cases_come_back_in_the_feed(hub: RunningHub, spoke: Spoke) -> None:
    patient = patient_op()
    cases = [case_op(patient["entity_id"]) for _ in range(3)]
    assert statuses(spoke.push([patient, *cases])) == ["applied"] * 4
    page = spoke.pull(0).json()
    assert [(c["entity_id"], c["op"]) for c in page["changes"]] == [
        (c["entity_id"], "case.status") for c in cases
    ]
    seqs = [c["seq"] for c in page["changes"]]
    assert seqs == sorted(seqs) and page["next_since"] == seqs[-1] and not page["has_more"]


def test_push_for_another_spoke_is_forbidden(
    hub: RunningHub, spoke: Spoke, store: SqliteHubStore
) -> None:
    other_id, _ = store.register_spoke("Another HWC")
    assert_error(spoke.push([patient_op()], spoke_id=other_id), 403, "auth.forbidden")


@pytest.mark.parametrize(
    ("data", "gz"),
    [
        (b"{not json", False),
        (b"[1, 2, 3]", False),
        (b'{"count": 0, "ops": {}}', False),  # no spoke_id
        (b"\xff\xfe\x00{}", False),  # not UTF-8
        (b'{"spoke_id": "SPOKE", "count": 1, "ops": "many"}', False),
        (b'{"spoke_id": "SPOKE", "ops": {}}', False),  # no count
        (b'{"spoke_id": "SPOKE", "count": 0, "ops": {}, "epoch_seen": 7}', False),
        (b'{"spoke_id": "SPOKE", "count": 0, "ops": {}, "x": NaN}', False),
        (b"this is not gzip at all", True),
        (gzip.compress(b'{"spoke_id": "SPOKE", "count": 0, "ops": {}}')[:-12], True),  # cut
        (gzip.compress(b'{"spoke_id": "SPOKE", "count": 0, "ops": {}}')[:15], True),  # header
        (b"", True),
    ],
)
def test_malformed_push_bodies_get_400(
    hub: RunningHub, spoke: Spoke, data: bytes, gz: bool
) -> None:
    if not gz:
        data = data.replace(b"SPOKE", spoke.spoke_id.encode())
    assert_error(spoke.post_raw("/v1/sync/push", data, gz=gz), 400, "request.malformed")


def test_a_gzip_bomb_is_refused_quickly(hub: RunningHub, spoke: Spoke) -> None:
    squeezer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = bytes(1024 * 1024)
    bomb = b"".join(squeezer.compress(zeros) for _ in range(50)) + squeezer.flush()
    assert len(bomb) < 100_000  # 50 MB inflated
    started = time.monotonic()
    r = spoke.post_raw("/v1/sync/push", bomb, gz=True)
    elapsed = time.monotonic() - started
    assert_error(r, 413, "request.too_large")
    assert elapsed < 5.0  # it stops inflating at the limit, not after 50 MB
    # And the hub is still fine.
    assert statuses(spoke.push([patient_op()])) == ["applied"]


def test_oversize_pushes_get_413(hub: RunningHub, spoke: Spoke) -> None:
    too_many = [patient_op() for _ in range(MAX_PUSH_OPS + 1)]
    assert_error(spoke.push(too_many), 413, "request.too_large")
    big = patient_op(name_alt="x" * (MAX_PUSH_BYTES + 10))
    body = json.dumps(push_body(spoke.spoke_id, [big])).encode()
    assert_error(spoke.post_raw("/v1/sync/push", body, gz=False), 413, "request.too_large")
    assert_error(
        spoke.post_raw("/v1/sync/push", gzip.compress(body), gz=True), 413, "request.too_large"
    )
    huge = b"x" * (10 * 1024 * 1024)  # answered before it is read; the client still gets it
    assert_error(spoke.post_raw("/v1/sync/push", huge, gz=False), 413, "request.too_large")
    # Exactly at the limit of ops is fine.
    assert statuses(spoke.push(too_many[:MAX_PUSH_OPS])) == ["applied"] * MAX_PUSH_OPS


def test_an_unsupported_content_encoding_is_refused(hub: RunningHub, spoke: Spoke) -> None:
    r = spoke.session.post(
        hub.url + "/v1/sync/push",
        data=b"...",
        headers={"Content-Encoding": "br"},
        timeout=TIMEOUT,
    )
    assert_error(r, 415, "request.malformed")


def test_storage_failure_is_503_with_retry_after(hub: RunningHub, spoke: Spoke, spy: Spy) -> None:
    assert statuses(spoke.push([])) == []  # credentials cached while the database is up
    spy.failing = True
    for r in (
        spoke.push([patient_op()]),
        spoke.pull(0),
        requests.get(hub.url + "/v1/meta", timeout=TIMEOUT),
    ):
        assert_error(r, 503, "hub.unavailable")
        assert int(r.headers["Retry-After"]) > 0
    spy.failing = False
    assert statuses(spoke.push([patient_op()])) == ["applied"]


def test_an_unexpected_failure_is_a_json_500(hub: RunningHub, spoke: Spoke, spy: Spy) -> None:
    assert spoke.pull(0).status_code == 200  # credentials cached, connection open
    spy.broken = True
    r = spoke.pull(0)
    assert_error(r, 500, "hub.internal")
    assert int(r.headers["Retry-After"]) > 0
    spy.broken = False
    assert spoke.pull(0).status_code == 200  # and the keep-alive connection still works


# --- pull ----------------------------------------------------------------------------------


def publish(store: HubStore, spoke_id: str, n: int) -> list[int]:
    return [
        store.publish(spoke_id, "prescription", new_id(), "prescription.issue", {"n": i})
        for i in range(n)
    ]


def pull_all(spoke: Spoke, limit: int) -> tuple[list[dict[str, Any]], int]:
    changes: list[dict[str, Any]] = []
    since, pages = 0, 0
    while True:
        r = spoke.pull(since, limit)
        assert r.status_code == 200, r.text
        page = r.json()
        assert len(page["changes"]) <= limit
        changes += page["changes"]
        since = page["next_since"]
        pages += 1
        if not page["has_more"]:
            return changes, pages


def test_pull_pages_in_commit_order(hub: RunningHub, spoke: Spoke, store: SqliteHubStore) -> None:
    other_id, _ = store.register_spoke("Another HWC")
    mine: list[int] = []
    for _ in range(5):  # interleaved with another spoke's changes
        mine += publish(store, spoke.spoke_id, 5)
        publish(store, other_id, 3)
    changes, pages = pull_all(spoke, 10)
    assert pages == 3
    assert [c["seq"] for c in changes] == mine
    assert [c["payload"]["n"] for c in changes] == list(range(5)) * 5
    assert set(changes[0]) >= {"seq", "entity", "entity_id", "op", "payload"}
    # A page replayed from an older cursor is the same page.
    assert spoke.pull(mine[9], 10).json()["changes"] == changes[10:20]
    # Past the end: nothing, and the cursor stays.
    last = spoke.pull(mine[-1]).json()
    assert last["changes"] == [] and not last["has_more"] and last["next_since"] >= mine[-1]
    assert requests.get(hub.url + "/v1/meta", timeout=TIMEOUT).json()["max_seq"] >= mine[-1]


def test_push_and_pull_over_http_on_each_backend(hub_store: HubStore) -> None:
    """The main round on SQLite and on PostgreSQL (``hub_store`` from conftest)."""
    with start_in_thread(create_app(hub_store)) as running:
        spoke = Spoke(running, hub_store)
        try:
            patient = patient_op()
            cases = [case_op(patient["entity_id"]) for _ in range(5)]
            poison = {**patient_op(), "op": "patient.teleport"}
            batch = [patient, *cases, poison]
            assert statuses(spoke.push(batch)) == ["applied"] * 6 + ["rejected"]
            assert statuses(spoke.push(batch)) == ["duplicate"] * 6 + ["rejected"]
            published = publish(hub_store, spoke.spoke_id, 4)
            changes, pages = pull_all(spoke, 3)
            assert pages == 3
            assert [(c["op"], c["entity_id"]) for c in changes] == [
                *(("case.status", c["entity_id"]) for c in cases),
                *(("prescription.issue", c["entity_id"]) for c in changes[5:]),
            ]
            seqs = [c["seq"] for c in changes]
            assert seqs == sorted(set(seqs)) and seqs[5:] == published
            meta = requests.get(running.url + "/v1/meta", timeout=TIMEOUT).json()
            assert meta["max_seq"] >= seqs[-1] and meta["epoch"] == hub_store.epoch()
        finally:
            spoke.close()


def test_pull_while_the_hub_publishes_misses_nothing(hub_store: HubStore) -> None:
    """Writers commit concurrently while the spoke pages through its feed: it sees every
    change once, in seq order (on PostgreSQL this needs seq in commit order, docs/SYNC.md)."""
    published: list[int] = []
    lock = threading.Lock()
    with start_in_thread(create_app(hub_store)) as running:
        spoke = Spoke(running, hub_store)

        def writer() -> None:
            for _ in range(25):
                seqs = publish(hub_store, spoke.spoke_id, 2)
                with lock:
                    published.extend(seqs)

        writers = [threading.Thread(target=writer) for _ in range(3)]
        for thread in writers:
            thread.start()
        seen: list[int] = []
        since = 0
        deadline = time.monotonic() + 30
        try:
            while time.monotonic() < deadline:
                # Read before the pull: a pull that starts after every writer ended sees all.
                finished = not any(thread.is_alive() for thread in writers)
                page = spoke.pull(since, 7).json()
                seen += [c["seq"] for c in page["changes"]]
                since = page["next_since"]
                if finished and not page["has_more"]:
                    break
        finally:
            for thread in writers:
                thread.join(TIMEOUT)
            spoke.close()
    assert seen == sorted(published)


def test_pull_parameters_are_checked(hub: RunningHub, spoke: Spoke, store: SqliteHubStore) -> None:
    publish(store, spoke.spoke_id, 3)
    for params in ({"since": "-1"}, {"since": "abc"}, {"limit": "0"}, {"limit": "1.5"}):
        r = spoke.session.get(hub.url + "/v1/sync/pull", params=params, timeout=TIMEOUT)
        assert_error(r, 400, "request.malformed")
    page = spoke.pull(0, 10**6).json()  # over the maximum: served as the maximum
    assert len(page["changes"]) == 3 and not page["has_more"]
    default = spoke.session.get(hub.url + "/v1/sync/pull", timeout=TIMEOUT).json()
    assert len(default["changes"]) == 3 and default["epoch"] == store.epoch()


def test_responses_are_gzip_when_asked(
    hub: RunningHub, spoke: Spoke, store: SqliteHubStore
) -> None:
    publish(store, spoke.spoke_id, 30)
    r = spoke.pull(0, headers={"Accept-Encoding": "gzip"})
    assert r.headers["Content-Encoding"] == "gzip"
    assert int(r.headers["Content-Length"]) < len(r.content)  # requests inflated it for us
    assert len(r.json()["changes"]) == 30
    plain = spoke.pull(0, headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers
    assert plain.json()["changes"] == r.json()["changes"]
    parse_hub_time(r)
    parse_hub_time(plain)


# --- blobs ---------------------------------------------------------------------------------


def start_blob(spoke: Spoke, data: bytes, sha256: str | None = None) -> requests.Response:
    body = {
        "sha256": sha256 or hashlib.sha256(data).hexdigest(),
        "size": len(data),
        "media_type": "image/jpeg",
    }
    return spoke.session.post(spoke.url + "/v1/blobs", json=body, timeout=TIMEOUT)


def patch(spoke: Spoke, sha256: str, offset: int, chunk: bytes) -> requests.Response:
    return spoke.session.patch(
        f"{spoke.url}/v1/blobs/{sha256}",
        data=chunk,
        headers={"Upload-Offset": str(offset), "Content-Type": "application/octet-stream"},
        timeout=TIMEOUT,
    )


def head(spoke: Spoke, sha256: str) -> requests.Response:
    return spoke.session.head(f"{spoke.url}/v1/blobs/{sha256}", timeout=TIMEOUT)


def test_blob_upload_in_chunks_with_a_resume(hub: RunningHub, spoke: Spoke) -> None:
    data = os.urandom(600_000)
    sha = hashlib.sha256(data).hexdigest()
    chunk = 200_000
    r = start_blob(spoke, data)
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "created" and r.json()["offset"] == 0
    assert head(spoke, sha).headers["Upload-Offset"] == "0"

    r = patch(spoke, sha, 0, data[:chunk])
    assert r.status_code == 204 and r.headers["Upload-Offset"] == str(chunk)
    parse_hub_time(r)
    # The spoke believes the first chunk was lost and sends it again: 409 says where to go on.
    r = patch(spoke, sha, 0, data[:chunk])
    assert assert_error(r, 409, "blob.offset")["offset"] == chunk
    assert r.headers["Upload-Offset"] == str(chunk)
    # After a restart the spoke asks where it stands and resumes there.
    r = head(spoke, sha)
    assert r.status_code == 200 and r.content == b""
    offset = int(r.headers["Upload-Offset"])
    assert offset == chunk
    # Announcing it again (after the restart) also reports the bytes held.
    again = start_blob(spoke, data)
    assert again.status_code == 201 and again.json()["offset"] == chunk
    while offset < len(data):
        r = patch(spoke, sha, offset, data[offset : offset + chunk])
        assert r.status_code == 204, r.text
        offset = int(r.headers["Upload-Offset"])
    assert offset == len(data)
    assert head(spoke, sha).headers["Upload-Offset"] == str(len(data))
    # A complete blob announced again costs nothing.
    r = start_blob(spoke, data)
    assert r.status_code == 200 and r.json()["status"] == "exists"


def test_blob_with_the_wrong_hash_is_discarded(hub: RunningHub, spoke: Spoke) -> None:
    data = os.urandom(50_000)
    claimed = hashlib.sha256(b"something else").hexdigest()
    assert start_blob(spoke, data, claimed).status_code == 201
    assert patch(spoke, claimed, 0, data[:30_000]).status_code == 204
    assert_error(patch(spoke, claimed, 30_000, data[30_000:]), 422, "blob.hash_mismatch")
    # The upload was discarded: starting it again begins from nothing.
    r = start_blob(spoke, data, claimed)
    assert r.status_code == 201 and r.json()["offset"] == 0


def test_an_empty_blob_completes_with_an_empty_patch(hub: RunningHub, spoke: Spoke) -> None:
    sha = hashlib.sha256(b"").hexdigest()
    assert start_blob(spoke, b"").status_code == 201
    r = patch(spoke, sha, 0, b"")
    assert r.status_code == 204 and r.headers["Upload-Offset"] == "0"
    assert start_blob(spoke, b"").json()["status"] == "exists"


def test_blob_requests_are_checked(hub: RunningHub, spoke: Spoke) -> None:
    data = os.urandom(MAX_CHUNK_BYTES + 10)
    sha = hashlib.sha256(data).hexdigest()
    assert start_blob(spoke, data).status_code == 201
    assert_error(patch(spoke, sha, 0, data), 413, "request.too_large")  # over one chunk
    r = spoke.session.patch(f"{spoke.url}/v1/blobs/{sha}", data=b"x", timeout=TIMEOUT)
    assert_error(r, 400, "request.malformed")  # no Upload-Offset
    assert_error(patch(spoke, "not-a-hash", 0, b"x"), 400, "request.malformed")
    small = b"12345"
    small_sha = hashlib.sha256(small).hexdigest()
    assert start_blob(spoke, small).status_code == 201
    assert_error(patch(spoke, small_sha, 0, small + b"678"), 400, "request.malformed")  # too long
    unknown = hashlib.sha256(b"never announced").hexdigest()
    assert_error(patch(spoke, unknown, 0, b"x"), 404, "blob.unknown")
    assert head(spoke, unknown).status_code == 404
    for body in (
        {"sha256": sha, "size": -1, "media_type": "image/jpeg"},
        {"sha256": "abc", "size": 10, "media_type": "image/jpeg"},
        {"sha256": sha, "size": "10", "media_type": "image/jpeg"},
        {"sha256": sha, "size": 10},
        {"sha256": sha, "size": 10, "media_type": "x" * 1000},
    ):
        r = spoke.session.post(spoke.url + "/v1/blobs", json=body, timeout=TIMEOUT)
        assert_error(r, 400, "request.malformed")
    huge = {"sha256": sha, "size": 10**12, "media_type": "image/jpeg"}
    r = spoke.session.post(spoke.url + "/v1/blobs", json=huge, timeout=TIMEOUT)
    assert_error(r, 413, "request.too_large")


# --- the server ----------------------------------------------------------------------------


def test_the_server_stops_promptly_with_a_connection_open(store: SqliteHubStore) -> None:
    running = start_in_thread(create_app(store))
    session = requests.Session()  # keeps its connection open after the request
    assert session.get(running.url + "/v1/meta", timeout=TIMEOUT).status_code == 200
    started = time.monotonic()
    running.stop()
    assert time.monotonic() - started < 5.0
    assert not running.running
    with pytest.raises(requests.ConnectionError):
        requests.get(running.url + "/v1/meta", timeout=TIMEOUT)
    session.close()


def test_an_unknown_path_is_a_json_404(hub: RunningHub) -> None:
    r = requests.get(hub.url + "/v2/whatever", timeout=TIMEOUT)
    assert_error(r, 404, "request.malformed")
    r = requests.delete(hub.url + "/v1/meta", timeout=TIMEOUT)
    assert_error(r, 405, "request.malformed")


# --- the hub CLI ---------------------------------------------------------------------------
