"""The console as an ASGI app, mounted by ``hub.app.create_app`` under ``/console``.

A Starlette app of its own, so the sync API's JSON error handlers never answer a console
page: every failure here becomes an HTML page (404, 405, 413, 503, 500), and a bug is
answered by the console itself, so it never reaches the API's handlers or the server.
Bodies are limited here too (``MAX_FORM_BYTES``), since the API's limits live in its own
handlers and do not reach forms.

Every response carries the security headers (``_SecurityHeaders``); pages rendered by
``templates.render`` add a Content-Security-Policy with a per-response nonce, everything
else gets one that allows nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Final

from starlette.applications import Starlette
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hub.console.account import AccountPages
from hub.console.admin import AdminPages
from hub.console.auth import Auth, LoginThrottle, User
from hub.console.fleet import FleetPages
from hub.console.session import ConsoleSessions
from hub.console.specialist import SpecialistPages
from hub.console.templates import render
from hub.storage.base import HubStore, HubStoreError

log = logging.getLogger(__name__)

MAX_FORM_BYTES: Final = 64 * 1024  # the console's forms are a few hundred bytes

_SECURITY_HEADERS: Final = (
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-content-type-options", b"nosniff"),
    (b"cache-control", b"no-store"),
    (
        b"content-security-policy",
        b"default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    ),
)

Endpoint = Callable[[Request], Awaitable[Response]]


class _SecurityHeaders:
    """Adds each of ``_SECURITY_HEADERS`` that the response does not set itself."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in _SECURITY_HEADERS:
                    if name.decode() not in headers:
                        headers.raw.append((name, value))
            await send(message)

        await self.app(scope, receive, send_with_headers)


class _BodyLimit:
    """Refuses a request body over ``limit`` bytes (413) while the endpoint reads it, so the
    refusal reaches the console's error pages."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        too_large = HTTPException(413, "The form is larger than the console accepts.")
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            if declared and (not declared.isdigit() or int(declared) > self.limit):
                raise too_large
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise too_large
            return message

        await self.app(scope, limited_receive, send)


def _guarded(handler: Endpoint) -> Endpoint:
    """``handler``, answering a bug with an error page instead of letting it reach the
    server (which would log it twice and drop the connection)."""

    async def endpoint(request: Request) -> Response:
        try:
            return await handler(request)
        except (HTTPException, HubStoreError):
            raise  # the exception handlers below answer these
        except Exception:
            log.exception("%s %s failed", request.method, request.url.path)
            return _error_page(
                request,
                500,
                "Something went wrong",
                "The hub could not show this page. The error was logged; try again, and tell "
                "the hub's maintainer if it keeps happening.",
            )

    return endpoint


def _error_page(
    request: Request,
    status: int,
    heading: str,
    message: str,
    headers: dict[str, str] | None = None,
) -> Response:
    # No account is looked up for an error page: it must work when the database does not.
    user: User | None = None
    return render(
        request,
        "error.html",
        {"user": user, "heading": heading, "message": message},
        status=status,
        headers=headers,
    )


_HEADINGS: Final = {
    404: ("Page not found", "There is no such page in the console."),
    405: ("Not allowed", "This page cannot be used that way."),
    413: ("Too large", "The form is larger than the console accepts."),
}


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    heading, message = _HEADINGS.get(exc.status_code, ("Request refused", str(exc.detail)))
    return _error_page(request, exc.status_code, heading, message, dict(exc.headers or {}))


async def _store_error(request: Request, exc: Exception) -> Response:
    log.warning("%s %s: hub storage unavailable: %s", request.method, request.url.path, exc)
    return _error_page(
        request,
        503,
        "The hub's database is unavailable",
        "Nothing was changed. Try again in a minute.",
        {"Retry-After": "15"},
    )


def create_console(
    store: HubStore, *, name: str = "HWC Hub", throttle: LoginThrottle | None = None
) -> Starlette:
    """The console over ``store``, to be mounted (its links follow the mount's path).

    ``throttle`` replaces the failed-login throttle (tests).
    """
    auth = Auth(store, throttle=throttle)
    admin = AdminPages(store, auth)
    routes = [
        Route("/", auth.home, methods=["GET"]),
        Route("/login", auth.login_page, methods=["GET"]),
        Route("/login", auth.login, methods=["POST"]),
        Route("/logout", auth.logout, methods=["POST"]),
        *admin.routes(),
        *FleetPages(store, auth).routes(),
        *SpecialistPages(store, auth).routes(),
        *AccountPages(store, auth).routes(),
    ]
    guarded = [Route(r.path, _guarded(r.endpoint), methods=r.methods) for r in routes]
    console = Starlette(
        routes=guarded,
        middleware=[
            Middleware(_SecurityHeaders),
            Middleware(ConsoleSessions, store=store),
            Middleware(_BodyLimit, limit=MAX_FORM_BYTES),
        ],
        exception_handlers={HTTPException: _http_error, HubStoreError: _store_error},
    )
    console.state.hub_name = name
    return console
