"""HTTP transport to the hub (docs/SYNC.md, version 1): one ``requests.Session``, no retries.

``HubClient`` turns each protocol call into one HTTP request and its answer into a
``HubReply`` (the parsed body, the hub's clock, the measured round trip) or one of a small set
of exceptions the sync engine decides on:

- ``HubUnreachable``: no answer at all (connection refused or reset, DNS, timeout). Whether the
  hub acted on the request is not known, so everything sent stays pending and is sent again
  with the same op ids. ``HubTimeout`` is the subclass for timeouts; ``reached`` tells whether
  the request got as far as a connection (a reset or a read timeout) or not (refused, DNS,
  connect timeout): only the former says anything about the request's size.
- ``HubBusy``: 429, or any 5xx (503 ``hub.unavailable`` among them), with ``Retry-After`` in
  seconds when the hub sent one.
- ``HubRejected``: any other 4xx, with the hub's error ``code`` and ``details`` (the body).
  401 ``auth.invalid`` is one: the engine treats it as a failed round, never as a verdict on
  the ops.
- ``HubProtocolError``: a 2xx whose body is truncated, undecodable or not the shape the
  protocol promises. Handled like ``HubUnreachable``: nothing is marked acknowledged.

Retries are the engine's decision alone: the session's adapters have ``max_retries=0``
(urllib3 would otherwise re-send a POST after a reset, behind the engine's back). JSON request
bodies over 1 KB are gzip-compressed here (requests never compresses a request body); the
answer is decompressed by requests (``Accept-Encoding: gzip``).

Threading rule: a ``HubClient`` (like the ``requests.Session`` inside it) is used by one
thread at a time: the sync worker's. ``close()`` may be called from another thread to end the
process; a request in flight then fails with ``HubUnreachable``.
"""

from __future__ import annotations

import email.utils
import gzip
import json
import os
import re
import tempfile
import time
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from requests.structures import CaseInsensitiveDict
from urllib3.exceptions import InsecureRequestWarning, MaxRetryError, NewConnectionError

CLIENT_VERSION = "hwc-spoke/0.1"
PROTOCOL_PREFIX = "/v1"
GZIP_THRESHOLD = 1024  # bytes of JSON; smaller bodies are not worth the CPU
# zlib's best: about 5 % fewer push bytes than level 6 for ~25 ms more CPU per 1,000 cases
# (bench/bench_sync.py); bytes are what a 2G link is short of.
GZIP_LEVEL = 9
DEFAULT_TIMEOUT = (15.0, 60.0)  # (connect, read) seconds: slow 2G links, a busy hub

# The push answer's one letter per op (docs/SYNC.md).
_PUSH_STATUSES = {"a": "applied", "d": "duplicate", "r": "rejected"}


# -- errors ------------------------------------------------------------------------------------


class HubError(Exception):
    """Base of every transport error; ``code`` is a stable dotted code, ``message`` English."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class HubUnreachable(HubError):
    """No usable answer: retry later with the same op ids."""

    def __init__(self, code: str, message: str, *, reached: bool) -> None:
        super().__init__(code, message)
        self.reached = reached  # True when the request may (partly) have reached the hub


class HubTimeout(HubUnreachable):
    """The hub (or the link) did not answer in time."""


class HubBusy(HubError):
    """429 or 5xx: the hub is alive but cannot take the request now."""

    def __init__(self, code: str, message: str, *, status: int, retry_after: float | None) -> None:
        super().__init__(code, message)
        self.status = status
        self.retry_after = retry_after


class HubRejected(HubError):
    """A 4xx other than 429: the request as sent will not be accepted."""

    def __init__(
        self, code: str, message: str, *, status: int, details: Mapping[str, Any] | None = None
    ) -> None:
        super().__init__(code, message)
        self.status = status
        self.details: dict[str, Any] = dict(details or {})


class HubProtocolError(HubError):
    """A success status with a body that is not what the protocol promises."""


# -- replies -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HubReply:
    """One parsed answer. ``hub_time`` comes from ``X-Hub-Time`` (or the body's ``hub_time``);
    ``rtt_s`` is the request's wall time on a monotonic clock, body transfer included."""

    body: dict[str, Any]
    hub_time: datetime | None
    rtt_s: float
    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict, repr=False)


# -- the client --------------------------------------------------------------------------------


class HubClient:
    """A spoke's connection to one hub; see the module docstring for errors and threading."""

    def __init__(
        self,
        base_url: str,
        spoke_id: str,
        secret: str,
        *,
        session: requests.Session | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        anchor_pem: str = "",
    ) -> None:
        """``anchor_pem``: the certificate pinned at enrolment. With it, an https hub is
        trusted only when its chain ends there, and never by the system's CA list."""
        if not base_url.startswith(("http://", "https://")):
            raise ValueError("the hub URL must start with http:// or https://")
        self.base_url = base_url.rstrip("/")
        self.spoke_id = spoke_id
        self._secret = secret
        self.timeout = timeout
        self._anchor_file: Path | None = None
        # Passed with every request: a session-wide setting would lose to REQUESTS_CA_BUNDLE.
        self._verify: bool | str = True
        if session is None:
            session = requests.Session()
            # max_retries=0: a reset POST must come back to the engine, which re-sends the
            # same op ids itself, rather than be replayed silently by urllib3.
            adapter = HTTPAdapter(max_retries=0)
            session.mount("http://", adapter)
            session.mount("https://", adapter)
        if anchor_pem:
            # requests takes trust anchors as a file; given one, urllib3 loads only it.
            fd, name = tempfile.mkstemp(prefix="hwc-hub-anchor-", suffix=".pem")
            with os.fdopen(fd, "w", encoding="ascii") as out:
                out.write(anchor_pem)
            self._anchor_file = Path(name)
            self._verify = name
        self._session = session

    def __repr__(self) -> str:  # never the secret
        return f"HubClient({self.base_url!r}, spoke_id={self.spoke_id!r})"

    def close(self) -> None:
        self._session.close()
        if self._anchor_file is not None:
            self._anchor_file.unlink(missing_ok=True)
            self._anchor_file = None

    # -- protocol calls ----------------------------------------------------------------------

    def meta(self) -> HubReply:
        """``GET /v1/meta`` (no credentials): the epoch, the hub's clock, ``max_seq``."""
        reply = self._call("GET", "/meta", authenticate=False)
        body = reply.body
        if not isinstance(body.get("epoch"), str) or not body["epoch"]:
            raise HubProtocolError("hub.bad_reply", "The hub's meta answer has no epoch.")
        if not _is_int(body.get("max_seq", 0)):
            raise HubProtocolError("hub.bad_reply", "The hub's meta answer has a bad max_seq.")
        return reply

    def anchor(self) -> HubReply:
        """``GET /v1/anchor`` (no credentials): the hub's certificate anchor, its prescription
        key and the key revocations it has signed. Trusted only as far as this connection is:
        over the pinned anchor, it is the hub's answer."""
        return self._call("GET", "/anchor", authenticate=False)

    def enrol(self, token_secret: str, spoke_secret: str) -> HubReply:
        """``POST /v1/enrol`` (no credentials yet): the token's one-time secret and the secret
        this spoke chose; the reply names the spoke (``spoke_id``, ``facility``, ``name``)."""
        reply = self._call(
            "POST",
            "/enrol",
            json_body={"token": token_secret, "spoke_secret": spoke_secret},
            authenticate=False,
            expect=(201,),
        )
        if not isinstance(reply.body.get("spoke_id"), str) or not reply.body["spoke_id"]:
            raise HubProtocolError("hub.bad_reply", "The hub's enrolment answer has no spoke id.")
        return reply

    def push(self, ops: Sequence[Mapping[str, Any]], epoch_seen: str | None) -> HubReply:
        """``POST /v1/sync/push`` of ``ops`` (op objects as docs/SYNC.md describes them, in
        the order the hub must apply them), sent as one table (``encode_table``).

        The hub answers one status letter per op, in request order, and a reason for each
        rejected one; they are checked here and the reply's ``body["results"]`` is given back
        as one ``{"status", "reason"?}`` per op. Anything else is a protocol error."""
        body = {
            "spoke_id": self.spoke_id,
            "epoch_seen": epoch_seen,
            "count": len(ops),
            "ops": encode_table(ops),
        }
        reply = self._call("POST", "/sync/push", json_body=body)
        results = _push_results(reply.body, len(ops))
        return HubReply(
            {**reply.body, "results": results},
            reply.hub_time,
            reply.rtt_s,
            reply.status,
            reply.headers,
        )

    def pull(self, since: int, limit: int) -> HubReply:
        """``GET /v1/sync/pull``: one page of this spoke's changes after ``since``."""
        reply = self._call("GET", "/sync/pull", params={"since": since, "limit": limit})
        body = reply.body
        changes = body.get("changes")
        if (
            not isinstance(changes, list)
            or not _is_int(body.get("next_since"))
            or not isinstance(body.get("has_more"), bool)
        ):
            raise HubProtocolError("hub.bad_reply", "The hub's pull answer is incomplete.")
        for change in changes:
            if (
                not isinstance(change, dict)
                or not _is_int(change.get("seq"))
                or not isinstance(change.get("entity"), str)
                or not isinstance(change.get("op"), str)
                or not isinstance(change.get("payload"), dict)
            ):
                raise HubProtocolError("hub.bad_reply", "The hub sent a malformed change.")
        return reply

    def status(self, report: Mapping[str, Any]) -> HubReply:
        """``POST /v1/status``: this PC's health report (``app.sync.health``). The answer's
        ``ignored`` lists fields the hub dropped or clamped; an older hub answers 404."""
        return self._call("POST", "/status", json_body=report)

    def blob_start(self, sha256: str, size: int, media_type: str) -> HubReply:
        """``POST /v1/blobs``: ``status`` "exists" (nothing to send) or "created"."""
        reply = self._call(
            "POST",
            "/blobs",
            json_body={"sha256": sha256, "size": size, "media_type": media_type},
            expect=(200, 201),
        )
        if reply.body.get("status") not in ("exists", "created"):
            raise HubProtocolError("hub.bad_reply", "The hub's blob answer has no status.")
        return reply

    def blob_offset(self, sha256: str) -> HubReply:
        """``HEAD /v1/blobs/{sha256}``; the reply's body is ``{"offset": bytes held}``."""
        reply = self._call("HEAD", f"/blobs/{sha256}", expect=(200, 204))
        return _with_offset(reply)

    def blob_patch(self, sha256: str, offset: int, data: bytes) -> HubReply:
        """``PATCH /v1/blobs/{sha256}`` at ``offset``; the body is ``{"offset": new offset}``.

        A wrong offset is ``HubRejected`` ``blob.offset`` with ``details["offset"]``; a
        completed upload whose hash is wrong is ``HubRejected`` ``blob.hash_mismatch``."""
        reply = self._call(
            "PATCH",
            f"/blobs/{sha256}",
            data=data,
            headers={
                "Upload-Offset": str(offset),
                "Content-Type": "application/octet-stream",
            },
            expect=(200, 204),
        )
        return _with_offset(reply)

    # -- one request -------------------------------------------------------------------------

    def _call(
        self,
        method: str,
        path: str,
        *,
        json_body: Mapping[str, Any] | None = None,
        data: bytes | None = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        authenticate: bool = True,
        expect: tuple[int, ...] = (200,),
    ) -> HubReply:
        send_headers = {
            "Accept": "application/json",
            "Accept-Encoding": "gzip",
            "User-Agent": CLIENT_VERSION,
            "X-Client-Version": CLIENT_VERSION,
        }
        if authenticate:
            send_headers["Authorization"] = f"Bearer {self.spoke_id}.{self._secret}"
        if headers:
            send_headers.update(headers)
        payload = data
        if json_body is not None:
            payload = json.dumps(json_body, ensure_ascii=False, separators=(",", ":")).encode()
            send_headers["Content-Type"] = "application/json"
            if len(payload) > GZIP_THRESHOLD:
                payload = gzip.compress(payload, compresslevel=GZIP_LEVEL)
                send_headers["Content-Encoding"] = "gzip"

        started = time.monotonic()
        try:
            response = self._session.request(
                method,
                f"{self.base_url}{PROTOCOL_PREFIX}{path}",
                params=dict(params) if params else None,
                data=payload,
                headers=send_headers,
                timeout=self.timeout,
                allow_redirects=False,
                verify=self._verify,
            )
        except requests.exceptions.ConnectTimeout as exc:
            raise HubTimeout(
                "hub.timeout", f"Connecting to the hub timed out: {exc}", reached=False
            ) from exc
        except requests.exceptions.Timeout as exc:
            raise HubTimeout(
                "hub.timeout", f"The hub did not answer in time: {exc}", reached=True
            ) from exc
        except (
            requests.exceptions.ChunkedEncodingError,
            requests.exceptions.ContentDecodingError,
        ) as exc:
            # The status line came but the body broke off: the hub may well have acted.
            raise HubProtocolError("hub.truncated", f"The hub's answer was cut off: {exc}") from exc
        except requests.exceptions.SSLError as exc:
            # Nothing was sent: the handshake failed before the request (a certificate that is
            # not the pinned hub's, a name it does not carry, or no TLS at all).
            raise HubUnreachable(
                "hub.tls", f"The hub's certificate was not accepted: {exc}", reached=False
            ) from exc
        except requests.exceptions.ConnectionError as exc:
            raise HubUnreachable(
                "hub.unreachable", f"Could not reach the hub: {exc}", reached=_reached(exc)
            ) from exc
        except requests.exceptions.RequestException as exc:
            raise HubUnreachable("hub.unreachable", f"Request failed: {exc}", reached=True) from exc
        rtt = time.monotonic() - started
        return self._parse(response, rtt, expect, method)

    def _parse(
        self, response: requests.Response, rtt: float, expect: tuple[int, ...], method: str
    ) -> HubReply:
        status = response.status_code
        hub_time = parse_hub_time(response.headers.get("X-Hub-Time"))
        if status in expect:
            body: dict[str, Any] = {}
            if method != "HEAD" and response.content:
                body = _json_object(response.content)
            if hub_time is None and isinstance(body.get("hub_time"), str):
                hub_time = parse_hub_time(body["hub_time"])
            # Case-insensitive like HTTP itself: uvicorn sends header names in lower case.
            return HubReply(body, hub_time, rtt, status, CaseInsensitiveDict(response.headers))
        error = _error_body(response)
        code = str(error.get("error") or f"http.{status}")
        message = str(error.get("message") or f"The hub answered HTTP {status}.")
        if status == 429 or status >= 500:
            raise HubBusy(
                code,
                message,
                status=status,
                retry_after=_retry_after(response.headers.get("Retry-After")),
            )
        if 400 <= status < 500:
            raise HubRejected(code, message, status=status, details=error)
        # 1xx/3xx/other 2xx: not something version 1 of the protocol ever answers.
        raise HubProtocolError("hub.bad_reply", f"Unexpected HTTP {status} from the hub.")


def fetch_anchor(base_url: str, timeout: tuple[float, float] = DEFAULT_TIMEOUT) -> str:
    """The certificate the hub at ``base_url`` offers for pinning (``GET /v1/anchor``), fetched
    WITHOUT verifying the connection: the caller must check it against the enrolment token's
    pin before trusting it. Nothing secret is sent."""
    client = HubClient(base_url, "", "", timeout=timeout)
    client._verify = False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", InsecureRequestWarning)
            reply = client.anchor()
    finally:
        client.close()
    pem = reply.body.get("anchor_pem")
    if not isinstance(pem, str) or "BEGIN CERTIFICATE" not in pem:
        raise HubProtocolError("hub.bad_reply", "The hub offered no certificate to pin.")
    return pem


# -- helpers -----------------------------------------------------------------------------------


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _reached(exc: requests.exceptions.ConnectionError) -> bool:
    """Whether a connection error happened after the request could have reached the hub."""
    reason: object = exc.args[0] if exc.args else None
    if isinstance(reason, MaxRetryError):
        reason = reason.reason
    # urllib3 reports a failed connect (refused, DNS, no route) as NewConnectionError (DNS
    # failures as its subclass NameResolutionError); anything else (a reset, a keep-alive
    # connection closed under us) happened once the request was on its way.
    return not isinstance(reason, NewConnectionError)


def _json_object(content: bytes) -> dict[str, Any]:
    try:
        value = json.loads(content)
    except (UnicodeDecodeError, ValueError) as exc:
        raise HubProtocolError("hub.bad_reply", f"The hub's answer is not JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise HubProtocolError("hub.bad_reply", "The hub's answer is not a JSON object.")
    return value


def _error_body(response: requests.Response) -> dict[str, Any]:
    try:
        value = json.loads(response.content) if response.content else {}
    except (UnicodeDecodeError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def _push_results(body: Mapping[str, Any], count: int) -> list[dict[str, Any]]:
    """The push answer's ``results`` letters and ``reasons`` as one dict per op."""
    letters = body.get("results")
    reasons = body.get("reasons", [])
    if (
        not isinstance(letters, str)
        or len(letters) != count
        or not set(letters) <= _PUSH_STATUSES.keys()
        or not isinstance(reasons, list)
        or len(reasons) != letters.count("r")
    ):
        raise HubProtocolError(
            "hub.bad_reply", "The hub's push answer does not have one result per op."
        )
    pending = iter(reasons)
    results: list[dict[str, Any]] = []
    for letter in letters:
        status = _PUSH_STATUSES[letter]
        if status != "rejected":
            results.append({"status": status})
            continue
        reason = next(pending)
        if not isinstance(reason, dict) or not isinstance(reason.get("code"), str):
            raise HubProtocolError("hub.bad_reply", "The hub sent a rejection without a reason.")
        results.append({"status": status, "reason": reason})
    return results


# -- the push body's table encoding (docs/SYNC.md "Tables") ---------------------------------

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
# Exactly what the spoke's codec writes (``codec.iso``): UTC with microseconds.
_CODEC_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00")


def encode_table(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """``rows`` (JSON objects) as one column per key, each in the smallest lossless form.

    Row-wise JSON repeats every key and every shared value in every row, and gzip pays a
    back-reference for each repetition; columns put like values next to each other, so a
    column of 500 similar values costs little more than its differences. The forms
    (docs/SYNC.md "Tables") are chosen by looking at the values, never by key name, so the
    encoding does not depend on the record kinds and is exact for any JSON objects."""
    keys: dict[str, None] = {}
    for row in rows:
        keys.update(dict.fromkeys(row))
    table: dict[str, Any] = {}
    for key in keys:
        at = [i for i, row in enumerate(rows) if key in row]
        column = _column([rows[i][key] for i in at])
        if len(at) < len(rows):
            column = {"at": _differences(at), "col": column}
        table[key] = column
    return table


def _column(values: list[Any]) -> Any:
    first = values[0]
    if len(values) == 1 or all(_same(first, v) for v in values[1:]):
        return {"=": first}
    if all(isinstance(v, dict) and v for v in values):
        return {"{}": encode_table(values)}
    if all(isinstance(v, list) and all(isinstance(x, dict) and x for x in v) for v in values):
        return {"[]": [len(v) for v in values], "of": encode_table([x for v in values for x in v])}
    if all(_is_int(v) for v in values):
        return {"d": _differences(values)}
    times = [_micros(v) for v in values]
    if all(t is not None for t in times):
        return {"t": _differences(times)}
    return values


def _same(a: Any, b: Any) -> bool:
    # Python's == says 1 == 1.0 == True; the hub must get back the very JSON that was sent.
    if isinstance(a, dict | list) or isinstance(b, dict | list):
        return type(a) is type(b) and json.dumps(a) == json.dumps(b)
    return type(a) is type(b) and a == b


def _differences(values: Sequence[Any]) -> list[int]:
    out: list[int] = []
    previous = 0
    for value in values:
        out.append(value - previous)
        previous = value
    return out


def _micros(value: object) -> int | None:
    """Microseconds since 1970 for a time written exactly as the codec writes it, else None
    (so that turning the number back into text gives the same text)."""
    if not isinstance(value, str) or not _CODEC_TIME.fullmatch(value):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    micros = (moment - _EPOCH) // _MICROSECOND
    if (_EPOCH + micros * _MICROSECOND).isoformat(timespec="microseconds") != value:
        return None
    return micros


def _with_offset(reply: HubReply) -> HubReply:
    raw = reply.headers.get("Upload-Offset")
    try:
        offset = int(raw) if raw is not None else None
    except ValueError:
        offset = None
    if offset is None or offset < 0:
        raise HubProtocolError("hub.bad_reply", "The hub's blob answer has no Upload-Offset.")
    return HubReply({"offset": offset}, reply.hub_time, reply.rtt_s, reply.status, reply.headers)


def parse_hub_time(text: str | None) -> datetime | None:
    """The hub's ``X-Hub-Time`` (ISO 8601 with an offset) in UTC; None when absent or not
    trustworthy."""
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    if value.tzinfo is None:
        return None  # the protocol promises UTC with an offset; a naive time is not trusted
    return value.astimezone(UTC)


def _retry_after(text: str | None) -> float | None:
    """Seconds from ``Retry-After`` (delta-seconds, or an HTTP date relative to ``Date``)."""
    if not text:
        return None
    text = text.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    # Only the PC clock is available here; a skewed one makes this hint wrong, never unsafe
    # (the backoff still applies).
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
