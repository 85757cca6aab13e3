"""HubClient against a canned-answer HTTP server on loopback: what goes on the wire (gzip,
credentials) and how each kind of bad answer maps to the exception the engine acts on."""

from __future__ import annotations

import contextlib
import gzip
import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from app.sync.transport import (
    HubBusy,
    HubClient,
    HubProtocolError,
    HubRejected,
    HubTimeout,
    HubUnreachable,
)
from hub.ops import push_ops


@dataclass
class Canned:
    status: int = 200
    body: bytes = b"{}"
    headers: dict[str, str] = field(default_factory=dict)
    truncate_to: int | None = None  # send only this many body bytes, then close
    delay_s: float = 0.0


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class CannedServer:
    def __init__(self) -> None:
        self.answers: list[Canned] = []
        self.seen: list[Seen] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _handle(self) -> None:
                # The client may give up first (the timeout test): nothing to report then.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self._answer()

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                outer.seen.append(Seen(self.command, self.path, dict(self.headers), body))
                answer = outer.answers.pop(0) if outer.answers else Canned()
                if answer.delay_s:
                    time.sleep(answer.delay_s)
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                if self.command == "HEAD":
                    return
                if answer.truncate_to is not None:
                    self.wfile.write(answer.body[: answer.truncate_to])
                    self.wfile.flush()
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                self.wfile.write(answer.body)

            do_GET = do_POST = do_HEAD = do_PATCH = _handle  # noqa: N815 (http.server's names)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        # A short poll so that shutdown() returns at once rather than after 0.5 s.
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@pytest.fixture
def server() -> Iterator[CannedServer]:
    s = CannedServer()
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def client(server: CannedServer) -> Iterator[HubClient]:
    c = HubClient(server.url, "spoke-1", "s3cret", timeout=(1.0, 1.0))
    try:
        yield c
    finally:
        c.close()


def _json(value: dict[str, Any]) -> bytes:
    return json.dumps(value).encode()


def _op(i: int) -> dict[str, Any]:
    return {
        "op_id": f"op-{i}",
        "seq": i,
        "entity": "patient",
        "entity_id": f"p{i}",
        "op": "patient.create",
        "payload": {"note": f"{i:03d}" * 70},  # unlike the others: 20 ops are over 1 KB
        "created_at": "2026-01-01T00:00:00+00:00",
    }


def test_big_bodies_are_gzipped_small_ones_not_and_credentials_are_sent(
    server: CannedServer, client: HubClient
) -> None:
    ops = [_op(i) for i in range(20)]
    server.answers.append(Canned(body=_json({"epoch": "e1", "results": "a" * 20})))
    server.answers.append(Canned(status=201, body=_json({"status": "created", "offset": 0})))

    reply = client.push(ops, "e1")
    client.blob_start("a" * 64, 10, "image/jpeg")

    push, blob = server.seen
    assert push.headers["Content-Encoding"] == "gzip"
    assert push.headers["Authorization"] == "Bearer spoke-1.s3cret"
    assert "gzip" in push.headers["Accept-Encoding"]
    sent = json.loads(gzip.decompress(push.body))
    assert sent["spoke_id"] == "spoke-1" and sent["epoch_seen"] == "e1" and sent["count"] == 20
    assert push_ops(sent["count"], sent["ops"]) == ops  # the table gives the ops back whole
    assert reply.body["results"] == [{"status": "applied"}] * 20
    assert "Content-Encoding" not in blob.headers  # under 1 KB: not worth compressing
    assert json.loads(blob.body)["size"] == 10
    assert reply.rtt_s > 0


def test_meta_reads_the_hub_time_and_sends_no_credentials(
    server: CannedServer, client: HubClient
) -> None:
    server.answers.append(
        Canned(
            body=_json({"epoch": "e1", "max_seq": 3}),
            headers={"X-Hub-Time": "2026-11-26T09:30:00.123+00:00"},
        )
    )
    reply = client.meta()
    assert reply.hub_time is not None and reply.hub_time.year == 2026
    assert reply.hub_time.microsecond == 123000
    assert "Authorization" not in server.seen[0].headers


@pytest.mark.parametrize("status", [429, 503, 500])
def test_busy_answers_carry_retry_after(
    server: CannedServer, client: HubClient, status: int
) -> None:
    server.answers.append(Canned(status, _json({"error": "hub.unavailable"}), {"Retry-After": "7"}))
    with pytest.raises(HubBusy) as info:
        client.meta()
    assert info.value.retry_after == 7.0 and info.value.status == status


def test_a_401_is_a_rejection_with_its_code(server: CannedServer, client: HubClient) -> None:
    server.answers.append(Canned(401, _json({"error": "auth.invalid", "message": "no"})))
    with pytest.raises(HubRejected) as info:
        client.pull(0, 10)
    assert info.value.status == 401 and info.value.code == "auth.invalid"


def test_a_wrong_blob_offset_says_where_to_resume(server: CannedServer, client: HubClient) -> None:
    server.answers.append(Canned(409, _json({"error": "blob.offset", "offset": 65536})))
    with pytest.raises(HubRejected) as info:
        client.blob_patch("a" * 64, 0, b"x" * 10)
    assert info.value.code == "blob.offset" and info.value.details["offset"] == 65536


def test_head_and_patch_report_the_upload_offset(server: CannedServer, client: HubClient) -> None:
    server.answers.append(Canned(200, b"", {"upload-offset": "1234"}))
    server.answers.append(Canned(204, b"", {"Upload-Offset": "2000"}))
    assert client.blob_offset("a" * 64).body == {"offset": 1234}
    assert client.blob_patch("a" * 64, 1234, b"y" * 766).body == {"offset": 2000}
    patch = server.seen[1]
    assert patch.headers["Upload-Offset"] == "1234" and patch.body == b"y" * 766


@pytest.mark.parametrize(
    "answer",
    [
        Canned(body=_json({"epoch": "e1", "results": []}) + b" " * 100, truncate_to=12),
        Canned(body=b"<html>proxy login</html>"),
        Canned(body=b"[1, 2]"),
        Canned(body=_json({"epoch": "e1", "results": ""})),  # no result for the op
        Canned(body=_json({"epoch": "e1", "results": "aa"})),  # one too many
        Canned(body=_json({"epoch": "e1", "results": ["a"]})),  # not the letters
        Canned(body=_json({"epoch": "e1", "results": "x"})),
        Canned(body=_json({"epoch": "e1", "results": "r"})),  # a rejection without a reason
        Canned(body=_json({"epoch": "e1", "results": "r", "reasons": ["no"]})),
        Canned(body=_json({"epoch": "e1", "results": "a", "reasons": [{"code": "x"}]})),
    ],
    ids=[
        "truncated",
        "not-json",
        "not-object",
        "missing",
        "extra",
        "not-letters",
        "bad-status",
        "no-reason",
        "bad-reason",
        "reason-for-applied",
    ],
)
def test_a_200_that_is_not_a_whole_answer_is_a_protocol_error(
    server: CannedServer, client: HubClient, answer: Canned
) -> None:
    server.answers.append(answer)
    with pytest.raises(HubProtocolError):
        client.push([_op(1)], "e1")


def test_push_results_are_positional_with_reasons_for_rejections(
    server: CannedServer, client: HubClient
) -> None:
    reason = {"code": "patient.unknown", "message": "the hub has no patient p9"}
    body = {"epoch": "e1", "results": "adr", "reasons": [reason]}
    server.answers.append(Canned(body=_json(body)))
    reply = client.push([_op(1), _op(2), _op(3)], "e1")
    assert reply.body["results"] == [
        {"status": "applied"},
        {"status": "duplicate"},
        {"status": "rejected", "reason": reason},
    ]
    assert reply.body["epoch"] == "e1"


def test_a_pull_page_missing_fields_is_a_protocol_error(
    server: CannedServer, client: HubClient
) -> None:
    server.answers.append(Canned(body=_json({"epoch": "e1", "changes": [], "has_more": False})))
    with pytest.raises(HubProtocolError):
        client.pull(0, 10)


def test_a_closed_port_is_unreachable_before_anything_was_sent() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # bound, never listening: connections are refused
        c = HubClient(f"http://127.0.0.1:{port}", "spoke-1", "s", timeout=(1.0, 1.0))
        with pytest.raises(HubUnreachable) as info:
            c.meta()
    assert not info.value.reached
    assert not isinstance(info.value, HubTimeout)


def test_a_slow_hub_is_a_timeout_after_the_request_went_out(server: CannedServer) -> None:
    server.answers.append(Canned(body=_json({"epoch": "e1"}), delay_s=1.5))
    c = HubClient(server.url, "spoke-1", "s", timeout=(1.0, 0.3))
    with pytest.raises(HubTimeout) as info:
        c.meta()
    assert info.value.reached
    c.close()


def test_the_secret_is_not_in_the_repr() -> None:
    c = HubClient("http://127.0.0.1:9", "spoke-1", "s3cret")
    assert "s3cret" not in repr(c)
    with pytest.raises(ValueError):
        HubClient("ftp://hub", "spoke-1", "s")
