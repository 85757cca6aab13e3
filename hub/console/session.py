"""The console's session: a signed cookie, and the CSRF token kept in it.

Starlette's ``SessionMiddleware`` keeps the session in the cookie itself, signed with
itsdangerous and carrying the time it was signed; a cookie older than ``IDLE_SECONDS`` is
ignored. ``auth`` refreshes the cookie while the person works, so the limit is an idle
limit. The signing key is made once and kept in the hub database, so every hub process on one
database accepts the same sessions and a restart signs nobody out.

The cookie is HttpOnly, SameSite=Strict, scoped to the console's path, and Secure when the
hub serves HTTPS. The session holds no secret beyond the CSRF token: who is signed in, when
they were last seen, and a one-time notice for the next page.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Final

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from hub.storage.base import HubStore, HubStoreError

COOKIE: Final = "hwc_console"
IDLE_SECONDS: Final = 8 * 60 * 60
KEY_SESSION_KEY: Final = "console.session_key"  # meta key of the signing key
CSRF_FIELD: Final = "csrf"


def session_key(store: HubStore) -> str:
    """The key sessions are signed with, made on first use. Two processes starting at once
    both propose one; the first written wins and both use it."""
    return store.meta_put(KEY_SESSION_KEY, secrets.token_urlsafe(48), replace=False)


class ConsoleSessions:
    """``SessionMiddleware`` whose key is read from the store on the first request.

    Reading it then, not when the app is built, keeps ``create_app`` free of database work
    (its callers open the store and may build the app before it is reachable). Two
    middlewares differ only in the Secure flag; each request takes the one for its scheme.
    """

    def __init__(self, app: ASGIApp, store: HubStore) -> None:
        self.app = app
        self.store = store
        self._by_secure: dict[bool, SessionMiddleware] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self._by_secure is None:
            try:
                key = await run_in_threadpool(session_key, self.store)
            except HubStoreError:
                # The key is needed before any page can be shown; the error pages proper
                # (``app``) sit inside this middleware.
                answer = PlainTextResponse(
                    "The hub's database is unavailable. Try again in a minute.",
                    503,
                    headers={"Retry-After": "15"},
                )
                await answer(scope, receive, send)
                return
            path = str(scope.get("root_path") or "/")
            self._by_secure = {
                secure: SessionMiddleware(
                    self.app,
                    key,
                    session_cookie=COOKIE,
                    max_age=IDLE_SECONDS,
                    path=path,
                    same_site="strict",
                    https_only=secure,
                )
                for secure in (False, True)
            }
        await self._by_secure[scope.get("scheme") == "https"](scope, receive, send)


def csrf_token(request: Request) -> str:
    """The session's CSRF token (made on first use); every form carries it back."""
    token = request.session.get("csrf")
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def new_csrf_token(request: Request) -> None:
    """A fresh token, when who is signed in changes."""
    request.session["csrf"] = secrets.token_urlsafe(32)


def csrf_ok(request: Request, form: FormData) -> bool:
    """The form's token is the session's (compared in constant time)."""
    expected = request.session.get("csrf")
    sent = form.get(CSRF_FIELD)
    if not isinstance(expected, str) or not expected or not isinstance(sent, str):
        return False
    return hmac.compare_digest(sent.encode(), expected.encode())
