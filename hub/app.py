"""The hub's HTTP API (docs/SYNC.md, version 1) as a Starlette ASGI application.

``create_app(store)`` serves ``GET /v1/meta``, ``GET /v1/anchor``, ``POST /v1/enrol``,
``POST /v1/sync/push``, ``GET /v1/sync/pull``, ``POST /v1/status`` (a spoke's health report),
``POST /v1/blobs`` and ``HEAD``/``PATCH /v1/blobs/{sha256}`` on top of a ``HubStore``.

Threading model: the handlers run on the server's event loop; every store call (synchronous,
thread-safe, possibly slow: scrypt, fsync, a PostgreSQL round trip) runs on a worker thread so
that one slow request never stalls the others: the sync calls (push, pull, credentials) on a
few threads of the app's own (``_Hub.in_store``), the rest through ``run_in_threadpool``. Pulls
arriving together share one store call (``_Polls``). The only state the app keeps is a
short-lived cache of verified credentials and the polls waiting for that call, touched from the
event loop thread alone; everything that matters lives in the store, so several processes can
serve one database.

Request bodies: read as a stream with hard limits on both the bytes on the wire and the bytes
after ``Content-Encoding: gzip`` is undone, so neither a huge upload nor a zip bomb can make the
hub allocate more than about the limit. Responses are compressed for clients that accept gzip.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import json
import logging
import re
import time
import zlib
from collections.abc import Awaitable, Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import aclosing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hub import health as spoke_health
from hub import ops as ops_module
from hub import signing as hub_signing
from hub.console import create_console
from hub.storage.base import (
    BlobHashMismatch,
    BlobOffsetError,
    EnrolRefused,
    HubStore,
    HubStoreError,
    OpResult,
    PullAsk,
    PullPage,
)
from hub.tls import KEY_ANCHOR

log = logging.getLogger(__name__)

MIN_CLIENT = 1

MAX_PUSH_OPS = 500
MAX_PUSH_BYTES = 1024 * 1024  # "1 MB" uncompressed (docs/SYNC.md); a MiB, so 1 000 000 fits
MAX_JSON_BYTES = 64 * 1024  # small control bodies (POST /v1/blobs)
MAX_CHUNK_BYTES = 256 * 1024  # one PATCH of blob bytes
MAX_BLOB_BYTES = 64 * 1024 * 1024  # attachments are downscaled photos; 64 MiB is generous
PULL_DEFAULT_LIMIT = 200
PULL_MAX_LIMIT = 1000

# Gzip adds a few bytes per 16 KiB to data it cannot shrink, so the wire limit for a gzip body
# is a little above the decoded limit.
_GZIP_SLACK = 64 * 1024

AUTH_CACHE_SECONDS = 60.0  # a revoked spoke keeps working at most this long per process
_AUTH_CACHE_MAX = 4096
_MAX_TOKEN_CHARS = 512  # nothing longer is hashed: scrypt time must not grow with the input
RETRY_AFTER_SECONDS = 15
STORE_THREADS = 8  # as many as the PostgreSQL pool has connections
POLLS_PER_CALL = 500  # pulls answered by one store call at most

_SHA256 = re.compile(r"[0-9a-f]{64}")
_ENROL_SECRET = re.compile(r"[0-9A-Za-z]{16}")
_SPOKE_SECRET = re.compile(r"[0-9A-Za-z_-]{32,200}")  # what the spoke makes for itself
_UINT = re.compile(r"[0-9]{1,18}")

Clock = Callable[[], datetime]
_T = TypeVar("_T")
Endpoint = Callable[[Request], Awaitable[Response]]


def format_hub_time(moment: datetime) -> str:
    """UTC, ISO 8601 with milliseconds (``2026-11-26T09:30:00.123+00:00``); naive means UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def _utc_now() -> datetime:
    return datetime.now(UTC)


class ApiError(Exception):
    """A client-visible failure: status, stable code (docs/SYNC.md "Errors") and a message."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        extra: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.extra = dict(extra or {})
        self.headers = dict(headers or {})


def _malformed(message: str) -> ApiError:
    return ApiError(400, "request.malformed", message)


def _too_large(message: str) -> ApiError:
    return ApiError(413, "request.too_large", message)


class _BodyTooLarge(Exception):
    pass


class _GzipInflater:
    """Incremental gzip decoding that never produces more than ``limit + 1`` bytes.

    ``zlib``'s ``max_length`` bounds each step, so a 50 MB run of zeros squeezed into 50 KB is
    refused after ``limit`` bytes of output, not after inflating all of it. Several gzip
    members in a row (RFC 1952 allows it) are decoded one after the other.
    """

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._size = 0
        self._inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)

    def feed(self, data: bytes) -> bytes:
        out: list[bytes] = []
        while data:
            if self._inflater.eof:
                self._inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
            piece = self._inflater.decompress(data, self._limit - self._size + 1)
            self._size += len(piece)
            out.append(piece)
            if self._size > self._limit:
                raise _BodyTooLarge
            rest = (
                self._inflater.unused_data if self._inflater.eof else self._inflater.unconsumed_tail
            )
            if not piece and rest == data:  # no progress: zlib wants more input
                break
            data = rest
        return b"".join(out)

    def finish(self) -> None:
        if not self._inflater.eof:
            raise _malformed("the gzip body is truncated")


async def read_body(request: Request, limit: int) -> bytes:
    """The request body with any gzip ``Content-Encoding`` undone, at most ``limit`` bytes.

    413 ``request.too_large`` when the body (on the wire or inflated) is over the limit, 400
    ``request.malformed`` for a broken or truncated gzip stream, 415 for another encoding.
    """
    encoding = request.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in ("identity", "", "gzip", "x-gzip"):
        raise ApiError(415, "request.malformed", f"unsupported Content-Encoding {encoding!r}")
    gzipped = encoding in ("gzip", "x-gzip")
    wire_limit = limit + _GZIP_SLACK if gzipped else limit
    declared_text = request.headers.get("content-length")
    if declared_text is not None:
        if not _UINT.fullmatch(declared_text.strip()):
            raise _malformed("bad Content-Length")
        if int(declared_text) > wire_limit:
            raise _too_large(f"the body is over {limit} bytes")
    # Reading stops at the first problem. The answer still reaches a client that is sending:
    # uvicorn reads and discards the rest of a body the app left unread.
    inflater = _GzipInflater(limit) if gzipped else None
    body = bytearray()
    wire_size = 0
    try:
        async with aclosing(request.stream()) as chunks:
            async for chunk in chunks:
                wire_size += len(chunk)
                if wire_size > wire_limit:
                    raise _too_large(f"the body is over {limit} bytes")
                try:
                    body += inflater.feed(chunk) if inflater is not None else chunk
                except _BodyTooLarge:
                    raise _too_large(f"the body inflates to more than {limit} bytes") from None
                except zlib.error as exc:
                    raise _malformed(f"the body is not valid gzip ({exc})") from None
                if len(body) > limit:
                    raise _too_large(f"the body is over {limit} bytes")
    except ClientDisconnect:
        raise _malformed("the client went away while sending the body") from None
    if inflater is not None:
        inflater.finish()
    return bytes(body)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


async def read_json(request: Request, limit: int) -> dict[str, Any]:
    """The body as a JSON object (400 for anything else)."""
    raw = await read_body(request, limit)
    try:
        value = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise _malformed(f"the body is not JSON: {exc}") from None
    if not isinstance(value, dict):
        raise _malformed("the body must be a JSON object")
    return value


def _unauthorized() -> ApiError:
    return ApiError(
        401,
        "auth.invalid",
        "unknown or wrong spoke credentials",
        headers={"WWW-Authenticate": 'Bearer realm="hub"'},
    )


def _credentials(request: Request) -> tuple[str, str]:
    """(spoke_id, secret) from ``Authorization: Bearer <spoke_id>.<secret>``, or 401."""
    scheme, _, token = request.headers.get("authorization", "").strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > _MAX_TOKEN_CHARS:
        raise _unauthorized()
    spoke_id, _, secret = token.partition(".")
    if not spoke_id or not secret:
        raise _unauthorized()
    return spoke_id, secret


def _sha256_param(request: Request) -> str:
    sha256 = str(request.path_params["sha256"]).lower()
    if not _SHA256.fullmatch(sha256):
        raise _malformed("a blob is named by its SHA-256 in hex (64 characters)")
    return sha256


def _uint_param(text: str | None, name: str, default: int) -> int:
    if text is None:
        return default
    if not _UINT.fullmatch(text):
        raise _malformed(f"{name} must be a non-negative integer")
    return int(text)


class _HubTimeMiddleware:
    """Adds ``X-Hub-Time`` (and ``Cache-Control: no-store``) to every response that lacks it.

    The handlers set ``X-Hub-Time`` themselves so that it equals ``hub_time`` in the body; this
    catches the rest (routing errors, HEAD/204 answers, anything the stack produces).
    """

    def __init__(self, app: ASGIApp, clock: Clock) -> None:
        self.app = app
        self.clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_time(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                if b"x-hub-time" not in names:
                    headers.append((b"x-hub-time", format_hub_time(self.clock()).encode()))
                if b"cache-control" not in names:
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_time)


class _Polls:
    """Pulls that arrive while one store call for pulls is running wait for it to end and
    then go together in the next one (at most ``POLLS_PER_CALL``).

    A poll that arrives alone goes at once, so nothing waits for company; when 200 spokes
    poll at the same instant, a handful of store calls (each one database round trip)
    answer them instead of 200 thread hops and 200 queries. Event loop thread only.
    """

    def __init__(self, hub: _Hub) -> None:
        self._hub = hub
        self._waiting: list[tuple[PullAsk, asyncio.Future[PullPage | None]]] = []
        self._runner: asyncio.Task[None] | None = None

    async def pull(self, ask: PullAsk) -> PullPage | None:
        future: asyncio.Future[PullPage | None] = asyncio.get_running_loop().create_future()
        self._waiting.append((ask, future))
        if self._runner is None:
            self._runner = asyncio.create_task(self._run())
        return await future

    async def _run(self) -> None:
        try:
            while self._waiting:
                batch = self._waiting[:POLLS_PER_CALL]
                del self._waiting[:POLLS_PER_CALL]
                try:
                    pages = await self._hub.in_store(
                        self._hub.store.authenticated_pulls, [ask for ask, _ in batch]
                    )
                except Exception as exc:  # each poll answers it (503 for HubStoreError)
                    for _, future in batch:
                        if not future.done():
                            future.set_exception(exc)
                    continue
                except BaseException:  # the loop is going away: nobody waits forever
                    for _, future in [*batch, *self._waiting]:
                        future.cancel()
                    self._waiting.clear()
                    raise
                for (_, future), page in zip(batch, pages, strict=True):
                    if not future.done():  # a client that went away cancelled its poll
                        future.set_result(page)
        finally:
            self._runner = None


class _Hub:
    """The endpoints and their shared bits; one per app, used from the event loop thread."""

    def __init__(self, store: HubStore, name: str, clock: Clock) -> None:
        self.store = store
        self.name = name
        self.clock = clock
        # sha256(token) -> (spoke_id, monotonic expiry). Only the event loop thread touches it.
        self._auth_cache: dict[bytes, tuple[str, float]] = {}
        # Sync calls (push, pull, credentials) run on a few threads of their own: under a
        # burst of 200 polls anyio's pool grew to 40 threads whose fight for the GIL made a
        # hop cost about 0.3 ms of the event loop's time, three times a hop to these.
        self._store_threads = ThreadPoolExecutor(STORE_THREADS, thread_name_prefix="hub-store")
        self._polls = _Polls(self)

    async def in_store(self, call: Callable[..., _T], *args: Any) -> _T:
        """``call(*args)`` on one of the store threads, never on the event loop."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._store_threads, functools.partial(call, *args))

    # --- responses -------------------------------------------------------------------------

    def respond(
        self,
        status: int,
        body: Mapping[str, Any],
        epoch: str | None,
        headers: Mapping[str, str] | None = None,
    ) -> JSONResponse:
        hub_time = format_hub_time(self.clock())
        content: dict[str, Any] = dict(body)
        if epoch is not None:
            content["epoch"] = epoch
        content["hub_time"] = hub_time
        return JSONResponse(content, status, headers={**(headers or {}), "X-Hub-Time": hub_time})

    async def error_response(self, request: Request, exc: Exception) -> Response:
        """ApiError -> its status and code; HubStoreError -> 503 hub.unavailable."""
        if isinstance(exc, HubStoreError):
            log.warning("%s %s: hub storage unavailable: %s", request.method, request.url.path, exc)
            return self.respond(
                503,
                {"error": "hub.unavailable", "message": "the hub's database is unavailable"},
                None,
                {"Retry-After": str(RETRY_AFTER_SECONDS)},
            )
        if isinstance(exc, HTTPException):  # routing: unknown path, wrong method
            exc = ApiError(exc.status_code, "request.malformed", exc.detail, headers=exc.headers)
        if not isinstance(exc, ApiError):
            raise exc
        if request.method == "HEAD":
            return Response(status_code=exc.status, headers=exc.headers)
        # Error bodies carry the epoch too when the store can say it (docs/SYNC.md: every JSON
        # body); a failure here must not hide the original error.
        try:
            epoch: str | None = await run_in_threadpool(self.store.epoch)
        except Exception:
            epoch = None
        return self.respond(
            exc.status, {"error": exc.code, "message": exc.message, **exc.extra}, epoch, exc.headers
        )

    def guarded(self, handler: Endpoint) -> Endpoint:
        """``handler`` answering a bug with a JSON 500 itself.

        An exception that reached the server would make uvicorn close the connection after
        the 500, and the spoke's next request on its keep-alive connection would then fail
        with a reset; answered here, the connection stays usable.
        """

        async def endpoint(request: Request) -> Response:
            try:
                return await handler(request)
            except (ApiError, HubStoreError, HTTPException):
                raise  # the exception handlers answer these
            except Exception as exc:
                return await self.internal_error(request, exc)

        return endpoint

    async def internal_error(self, request: Request, exc: Exception) -> Response:
        """A JSON 500 that the spoke treats as "not known" and retries later. Also the last
        resort for a failure outside the endpoints (in the middleware)."""
        log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
        hub_time = format_hub_time(self.clock())
        return JSONResponse(
            {"error": "hub.internal", "message": "internal error", "hub_time": hub_time},
            500,
            headers={"X-Hub-Time": hub_time, "Retry-After": str(RETRY_AFTER_SECONDS)},
        )

    # --- authentication --------------------------------------------------------------------

    async def authenticate(self, request: Request) -> str:
        """The spoke id behind ``Authorization: Bearer <spoke_id>.<secret>``, or 401.

        Secrets are checked with a deliberately slow hash, so a success is remembered for
        ``AUTH_CACHE_SECONDS`` (in this process only). Failures are not cached: a wrong secret
        costs the full check each time.
        """
        spoke_id, secret = _credentials(request)
        key = hashlib.sha256(f"{spoke_id}.{secret}".encode()).digest()
        now = time.monotonic()
        cached = self._auth_cache.get(key)
        if cached is not None and cached[1] > now:
            return cached[0]
        if not await self.in_store(self.store.authenticate, spoke_id, secret):
            raise _unauthorized()
        if len(self._auth_cache) >= _AUTH_CACHE_MAX:
            self._auth_cache = {k: v for k, v in self._auth_cache.items() if v[1] > now}
            if len(self._auth_cache) >= _AUTH_CACHE_MAX:
                self._auth_cache.clear()
        self._auth_cache[key] = (spoke_id, now + AUTH_CACHE_SECONDS)
        return spoke_id

    # --- endpoints -------------------------------------------------------------------------

    async def meta(self, request: Request) -> Response:
        def read() -> tuple[str, int]:
            return self.store.epoch(), self.store.max_seq()

        epoch, max_seq = await run_in_threadpool(read)
        body = {"max_seq": max_seq, "min_client": MIN_CLIENT, "name": self.name}
        return self.respond(200, body, epoch)

    async def anchor(self, request: Request) -> Response:
        """The certificate spokes pin (no credentials: a spoke checks it against the pin in its
        enrolment token before it sends anything secret)."""
        pem = await run_in_threadpool(self.store.meta_get, KEY_ANCHOR)
        if pem is None:
            raise ApiError(404, "tls.none", "this hub serves no certificate of its own")

        # Informational on the enrolment's first fetch (not yet pinned); spokes take the
        # signing key from the enrol answer, which is. An enrolled spoke asks again over its
        # pinned connection: for the signing key if it has none (enrolled before signatures)
        # and once for the revocations signed before it enrolled (docs/SECURITY.md).
        def read() -> tuple[str, list[str]]:
            return (
                hub_signing.public_key_text(self.store),
                [r["certificate"] for r in self.store.key_revocations()],
            )

        signing_key, revocations = await run_in_threadpool(read)
        body = {"anchor_pem": pem, "signing_key": signing_key, "revocations": revocations}
        return self.respond(200, body, None)

    async def enrol(self, request: Request) -> Response:
        """Exchange a one-time enrolment secret for a spoke id; the spoke chose its own secret
        and the hub keeps a hash of it, so no credential is ever in a response."""
        body = await read_json(request, MAX_JSON_BYTES)
        token, spoke_secret = body.get("token"), body.get("spoke_secret")
        if not isinstance(token, str) or not _ENROL_SECRET.fullmatch(token):
            raise _malformed("token must be the 16-character secret of an enrolment token")
        if not isinstance(spoke_secret, str) or not _SPOKE_SECRET.fullmatch(spoke_secret):
            raise _malformed("spoke_secret must be 32-200 characters of A-Z a-z 0-9 _ -")
        try:
            spoke_id, facility = await run_in_threadpool(
                self.store.redeem_enrol_token, token, spoke_secret
            )
        except EnrolRefused as refused:
            raise ApiError(403, refused.code, refused.message) from None
        epoch = await run_in_threadpool(self.store.epoch)
        # The key that certifies prescribers, pinned by the spoke with this answer.
        signing_key = await run_in_threadpool(hub_signing.public_key_text, self.store)
        log.info("enrolled spoke %s (%s)", spoke_id, facility)
        body = {"spoke_id": spoke_id, "facility": facility, "name": self.name}
        return self.respond(201, {**body, "signing_key": signing_key}, epoch)

    async def push(self, request: Request) -> Response:
        spoke_id = await self.authenticate(request)
        body = await read_json(request, MAX_PUSH_BYTES)
        claimed = body.get("spoke_id")
        if not isinstance(claimed, str) or not claimed:
            raise _malformed("spoke_id must be a non-empty string")
        if claimed != spoke_id:
            raise ApiError(403, "auth.forbidden", "spoke_id is not the authenticated spoke")
        epoch_seen = body.get("epoch_seen")
        if epoch_seen is not None and not isinstance(epoch_seen, str):
            raise _malformed("epoch_seen must be a string or null")
        count = body.get("count")
        if not ops_module.is_int(count) or count < 0:
            raise _malformed("count must be an integer >= 0")
        if count > MAX_PUSH_OPS:
            raise _too_large(f"at most {MAX_PUSH_OPS} ops per push")
        table = body.get("ops")
        # Each op is judged by the store (hub.ops), one result per op in request order, even
        # for an op the table cannot give whole: a broken op must never block the spoke's
        # queue, and a 400 for the whole batch would. Only a body whose frame cannot be read
        # is refused as a whole.

        def apply() -> tuple[list[OpResult], str]:
            try:
                ops = ops_module.push_ops(count, table)
            except ops_module.BodyRefused as exc:
                raise (_too_large if exc.too_large else _malformed)(str(exc)) from None
            results = self.store.apply_ops(spoke_id, ops) if ops else []
            # The epoch is read after the write: if a restore swapped the database meanwhile,
            # the spoke sees the new epoch and pushes again, which is always safe.
            return results, self.store.epoch()

        results, epoch = await self.in_store(apply)
        if len(results) != count:
            raise RuntimeError(f"the store answered {len(results)} results for {count} ops")
        rejected = [r for r in results if r.status == "rejected"]
        if rejected:
            log.info("push from %s: %d of %d ops rejected", spoke_id, len(rejected), count)
        # Positional: the spoke knows which op is which by its place in the request, so an
        # answer is one letter per op, and words only for the rejected ones.
        letters = "".join(r.status[0] for r in results)
        reasons = [{"code": r.code, "message": r.message} for r in rejected]
        answer: dict[str, Any] = {"results": letters}
        if reasons:
            answer["reasons"] = reasons
        return self.respond(200, answer, epoch)

    async def pull(self, request: Request) -> Response:
        # Every spoke polls here every few minutes, longer than the credential cache keeps a
        # success, so the credentials are checked in the store call that reads the page and
        # the epoch, and polls that arrive together share that call (``_Polls``).
        spoke_id, secret = _credentials(request)
        since = _uint_param(request.query_params.get("since"), "since", 0)
        limit = _uint_param(request.query_params.get("limit"), "limit", PULL_DEFAULT_LIMIT)
        if limit < 1:
            raise _malformed("limit must be at least 1")
        limit = min(limit, PULL_MAX_LIMIT)
        page = await self._polls.pull(PullAsk(spoke_id, secret, since, limit))
        if page is None:
            raise _unauthorized()
        body = {"changes": page.changes, "next_since": page.next_since, "has_more": page.has_more}
        return self.respond(200, body, page.epoch)

    async def status(self, request: Request) -> Response:
        """A spoke's health report, its round's last request (docs/SYNC.md "Health report"):
        kept with the hub's time of arrival, the clinic's "last sync" on the Clinics page. A
        bad field is dropped or clamped, named in the log and in ``ignored``; only a body that
        is not a JSON object, or too large, is refused."""
        spoke_id = await self.authenticate(request)
        body = await read_json(request, spoke_health.MAX_BODY_BYTES)
        report = spoke_health.check(body)
        if report.problems:
            log.warning("health report from spoke %s: %s", spoke_id, "; ".join(report.problems))
        received_at = self.clock()
        await self.in_store(self.store.record_health, spoke_id, report.fields, received_at)
        return self.respond(200, {"stored": True, "ignored": report.ignored}, None)

    async def blob_start(self, request: Request) -> Response:
        await self.authenticate(request)
        body = await read_json(request, MAX_JSON_BYTES)
        sha256 = body.get("sha256")
        size = body.get("size")
        media_type = body.get("media_type")
        if not isinstance(sha256, str) or not _SHA256.fullmatch(sha256.lower()):
            raise _malformed("sha256 must be 64 hex characters")
        # Zero bytes is a valid (if odd) attachment: refusing it would leave the spoke's blob
        # queue stuck on it. Its upload completes with one empty PATCH at offset 0.
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise _malformed("size must be an integer >= 0")
        if size > MAX_BLOB_BYTES:
            raise _too_large(f"a blob is at most {MAX_BLOB_BYTES} bytes")
        if not isinstance(media_type, str):
            raise _malformed("media_type must be a string")
        sha256 = sha256.lower()

        def start() -> tuple[tuple[str, int], str]:
            return self.store.blob_start(sha256, size, media_type), self.store.epoch()

        try:
            (status, offset), epoch = await run_in_threadpool(start)
        except ValueError as exc:  # the store's own argument checks (e.g. media_type length)
            raise _malformed(str(exc)) from None
        if status == "exists":
            return self.respond(200, {"status": "exists"}, epoch)
        headers = {"Location": f"/v1/blobs/{sha256}", "Upload-Offset": str(offset)}
        return self.respond(201, {"status": "created", "offset": offset}, epoch, headers)

    async def blob(self, request: Request) -> Response:
        if request.method == "HEAD":
            return await self.blob_head(request)
        return await self.blob_patch(request)

    async def blob_head(self, request: Request) -> Response:
        await self.authenticate(request)
        sha256 = _sha256_param(request)
        offset = await run_in_threadpool(self.store.blob_offset, sha256)
        if offset is None:
            raise ApiError(404, "blob.unknown", "no upload of this blob was started")
        return Response(status_code=200, headers={"Upload-Offset": str(offset)})

    async def blob_patch(self, request: Request) -> Response:
        await self.authenticate(request)
        sha256 = _sha256_param(request)
        offset = _uint_param(request.headers.get("upload-offset"), "Upload-Offset", -1)
        if offset < 0:
            raise _malformed("Upload-Offset is required")
        data = await read_body(request, MAX_CHUNK_BYTES)
        try:
            new_offset = await run_in_threadpool(self.store.blob_append, sha256, offset, data)
        except BlobOffsetError as exc:
            raise ApiError(
                409,
                "blob.offset",
                f"the hub holds {exc.expected} bytes of this blob",
                extra={"offset": exc.expected},
                headers={"Upload-Offset": str(exc.expected)},
            ) from None
        except BlobHashMismatch:
            raise ApiError(
                422, "blob.hash_mismatch", "the bytes do not match the SHA-256; upload discarded"
            ) from None
        except KeyError:  # nobody announced this blob (or its upload was discarded)
            raise ApiError(404, "blob.unknown", "POST /v1/blobs first") from None
        except ValueError as exc:  # e.g. a chunk that runs past the announced size
            raise _malformed(str(exc)) from None
        return Response(status_code=204, headers={"Upload-Offset": str(new_offset)})


def create_app(
    store: HubStore,
    *,
    name: str = "HWC Hub",
    clock: Callable[[], datetime] | None = None,
    updates_dir: Path | None = None,
) -> Starlette:
    """The hub's ASGI app over ``store`` (which the caller opens, migrates and closes).

    ``clock`` gives the hub time reported in ``X-Hub-Time`` and ``hub_time`` (tests pass a
    fixed one); it is never used for ordering or for the credential cache. ``updates_dir``: the
    update repository served read-only at ``/v1/updates/`` (hub/updates_http.py).
    """
    hub = _Hub(store, name, clock or _utc_now)

    guarded = hub.guarded
    routes = [
        Route("/v1/meta", guarded(hub.meta), methods=["GET"]),
        Route("/v1/anchor", guarded(hub.anchor), methods=["GET"]),
        Route("/v1/enrol", guarded(hub.enrol), methods=["POST"]),
        Route("/v1/sync/push", guarded(hub.push), methods=["POST"]),
        Route("/v1/sync/pull", guarded(hub.pull), methods=["GET"]),
        Route("/v1/status", guarded(hub.status), methods=["POST"]),
        Route("/v1/blobs", guarded(hub.blob_start), methods=["POST"]),
        Route("/v1/blobs/{sha256}", guarded(hub.blob), methods=["HEAD", "PATCH"]),
        # The web console: a Starlette app of its own, with HTML error pages and form limits,
        # untouched by the API's JSON error handlers.
        Mount("/console", app=create_console(store, name=name)),
    ]
    if updates_dir is not None:
        from hub.updates_http import create_updates_app

        routes.append(Mount("/v1/updates", app=create_updates_app(updates_dir)))
    return Starlette(
        routes=routes,
        middleware=[
            Middleware(_HubTimeMiddleware, clock=hub.clock),
            Middleware(GZipMiddleware, minimum_size=500),
        ],
        exception_handlers={
            ApiError: hub.error_response,
            HubStoreError: hub.error_response,
            HTTPException: hub.error_response,
            Exception: hub.internal_error,
        },
    )
