"""Signing in and out of the console, who is signed in, and which pages they may use.

Hub accounts (``HubStore.add_user``) with a hub role sign in here: ``hub_admin`` uses the
administrator's pages, a ``specialist`` the queue, cases and prescriptions, and clinic roles are
refused, since clinic staff work on the clinic PC. Every page is ``page(...)`` and every form
``action(...)``: the gate checks the session, reloads the account (so disabling an account,
changing its role or its password ends its sessions at their next request) and, for forms,
the CSRF token, before the handler runs.

Failed sign-ins are throttled per username and per client address (``LoginThrottle``), in
this process: several hub processes each keep their own count, which still bounds guessing.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from hub.console.session import IDLE_SECONDS, csrf_ok, new_csrf_token
from hub.console.templates import base_path, render
from hub.storage.base import HubStore

HUB_ADMIN: Final = "hub_admin"
SPECIALIST: Final = "specialist"
CONSOLE_ROLES: Final = frozenset({HUB_ADMIN, SPECIALIST})
SPOKE_ROLES: Final = frozenset({"paramedic", "generalist", "admin"})

# The session's "seen" time is rewritten (which re-signs the cookie and so restarts its
# idle clock) at most this often, so a busy page does not set a cookie on every request.
_TOUCH_SECONDS: Final = 60
# meta key + username: when that account last signed out (wall time, as "seen").
SIGNED_OUT_KEY: Final = "console.signed_out."
_MAX_USERNAME: Final = 64  # longer is no username the store accepts; not worth a hash
_MAX_PASSWORD: Final = 1024  # scrypt time grows with the input; no real password is longer

User = dict[str, Any]
Page = Callable[[Request, User], Awaitable[Response]]
Action = Callable[[Request, User, FormData], Awaitable[Response]]
Endpoint = Callable[[Request], Awaitable[Response]]
Clock = Callable[[], float]


@dataclass
class _Failures:
    count: int
    last: float


class LoginThrottle:
    """Failed sign-ins per key (a username, a client address): ``free`` failures cost
    nothing, then each further attempt waits ``base_delay`` seconds after the last failure,
    doubling with every failure up to ``max_delay``. A key is forgotten ``forget_after``
    seconds after its last failure, or, for a username, at a successful sign-in.

    Used from the event loop thread only. Memory is bounded: past ``max_keys`` keys the
    stalest are dropped (an attacker spraying usernames is still slowed by their address).
    """

    def __init__(
        self,
        *,
        free: int = 5,
        base_delay: float = 30.0,
        max_delay: float = 15 * 60.0,
        forget_after: float = 60 * 60.0,
        max_keys: int = 10_000,
        clock: Clock = time.monotonic,
    ) -> None:
        self.free = free
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.forget_after = forget_after
        self.max_keys = max_keys
        self.clock = clock
        self._failures: dict[str, _Failures] = {}

    @staticmethod
    def keys(username: str, address: str) -> tuple[str, str]:
        return f"user:{username.strip().lower()}", f"addr:{address}"

    def delay(self, failures: int) -> float:
        """Seconds an attempt must wait after the last of ``failures`` failures."""
        if failures < self.free:
            return 0.0
        return min(self.max_delay, self.base_delay * 2.0 ** (failures - self.free))

    def wait(self, username: str, address: str) -> float:
        """Seconds until an attempt for ``username`` from ``address`` is allowed (0: now)."""
        now = self.clock()
        longest = 0.0
        for key in self.keys(username, address):
            entry = self._failures.get(key)
            if entry is None:
                continue
            if now - entry.last > self.forget_after:
                del self._failures[key]
                continue
            longest = max(longest, entry.last + self.delay(entry.count) - now)
        return longest

    def failed(self, username: str, address: str) -> None:
        now = self.clock()
        for key in self.keys(username, address):
            entry = self._failures.get(key)
            if entry is None:
                self._failures[key] = _Failures(1, now)
            else:
                entry.count += 1
                entry.last = now
        if len(self._failures) > self.max_keys:
            self._prune(now)

    def succeeded(self, username: str) -> None:
        # The address keeps its count: one account's password must not buy more guesses
        # at the others from the same place.
        self._failures.pop(self.keys(username, "")[0], None)

    def _prune(self, now: float) -> None:
        live = {k: v for k, v in self._failures.items() if now - v.last <= self.forget_after}
        if len(live) > self.max_keys:
            keep = sorted(live.items(), key=lambda kv: kv[1].last)[-self.max_keys // 2 :]
            live = dict(keep)
        self._failures = live


def client_address(request: Request) -> str:
    # The hub faces the network directly (no proxy headers are trusted), so the peer's
    # address is the client's.
    return request.client.host if request.client else "unknown"


def _safe_next(request: Request, value: object) -> str:
    """``value`` when it is a page of this console, else the console's home: a sign-in
    link must never send anyone to another site."""
    base = base_path(request)
    home = f"{base}/"
    if not isinstance(value, str) or not value.startswith(home) or value.startswith("//"):
        return home
    if any(c in value for c in "\\\r\n") or value.startswith(f"{base}/login"):
        return home
    return value


def _seconds_text(seconds: float) -> str:
    whole = max(1, int(seconds + 0.999))
    if whole < 90:
        return f"{whole} seconds"
    return f"{(whole + 59) // 60} minutes"


class Auth:
    """Sign-in, sign-out, the home page and the gates, over one store."""

    def __init__(
        self, store: HubStore, *, throttle: LoginThrottle | None = None, clock: Clock = time.time
    ) -> None:
        self.store = store
        self.throttle = throttle or LoginThrottle()
        self.clock = clock  # wall time: the session's "seen" must mean the same in every process

    # --- who is signed in --------------------------------------------------------------

    def find_user(self, username: str) -> User | None:
        for user in self.store.users():
            if user["username"] == username:
                return user
        return None

    async def current_user(self, request: Request) -> User | None:
        """The signed-in account, or None (and the session is ended) when there is none, it
        has been idle too long, or the account changed since the sign-in."""
        session = request.session
        username = session.get("username")
        if not isinstance(username, str):
            return None
        now = self.clock()
        seen = session.get("seen")
        if not isinstance(seen, (int, float)) or not 0 <= now - seen <= IDLE_SECONDS:
            self._end(request, "Your session ended after a long pause. Please sign in again.")
            return None
        user = await run_in_threadpool(self.find_user, username)
        if (
            user is None
            or not user["active"]
            or user["role"] not in CONSOLE_ROLES
            or user["role"] != session.get("role")
            or user["updated_at"] != session.get("stamp")
        ):
            self._end(request, "Your account was changed. Please sign in again.")
            return None
        started = session.get("started")
        signed_out = await run_in_threadpool(self._signed_out_at, username)
        if signed_out is not None and not (
            isinstance(started, (int, float)) and started >= signed_out
        ):
            # A copy of the cookie (another browser, a stolen one) from before a sign-out.
            self._end(request, "You have signed out. Please sign in again.")
            return None
        if now - seen >= _TOUCH_SECONDS:
            session["seen"] = now
        return user

    def _end(self, request: Request, notice: str) -> None:
        request.session.clear()
        request.session["notice"] = notice

    def _start(self, request: Request, user: User) -> None:
        session = request.session
        session.clear()
        session.update(
            username=user["username"],
            role=user["role"],
            stamp=user["updated_at"],
            seen=self.clock(),
            started=self.clock(),
        )
        new_csrf_token(request)

    def _signed_out_at(self, username: str) -> float | None:
        raw = self.store.meta_get(SIGNED_OUT_KEY + username)
        try:
            return float(raw) if raw is not None else None
        except ValueError:
            return None

    def restamp(self, request: Request, user: User) -> None:
        """Keep the session after a change the person made to their own account."""
        request.session["stamp"] = user["updated_at"]

    # --- gates -------------------------------------------------------------------------

    def page(self, roles: Collection[str]) -> Callable[[Page], Endpoint]:
        """A page for signed-in accounts with one of ``roles``; others are sent to sign in
        (or told the page is not theirs)."""

        def wrap(handler: Page) -> Endpoint:
            async def endpoint(request: Request) -> Response:
                user = await self.current_user(request)
                if user is None:
                    target = quote(request.url.path, safe="/")
                    return RedirectResponse(f"{base_path(request)}/login?next={target}", 303)
                if user["role"] not in roles:
                    return forbidden(request, user)
                return await handler(request, user)

            return endpoint

        return wrap

    def action(self, roles: Collection[str]) -> Callable[[Action], Endpoint]:
        """A form handler: as ``page``, and the form must carry the session's CSRF token."""

        def wrap(handler: Action) -> Endpoint:
            async def endpoint(request: Request) -> Response:
                user = await self.current_user(request)
                if user is None:
                    return RedirectResponse(f"{base_path(request)}/login", 303)
                form = await request.form()
                if not csrf_ok(request, form):
                    return csrf_refused(request, user)
                if user["role"] not in roles:
                    return forbidden(request, user)
                return await handler(request, user, form)

            return endpoint

        return wrap

    # --- endpoints ---------------------------------------------------------------------

    async def home(self, request: Request) -> Response:
        user = await self.current_user(request)
        base = base_path(request)
        if user is None:
            return RedirectResponse(f"{base}/login", 303)
        if user["role"] == HUB_ADMIN:
            return RedirectResponse(f"{base}/spokes", 303)
        return RedirectResponse(f"{base}/queue", 303)

    async def login_page(self, request: Request) -> Response:
        if await self.current_user(request) is not None:
            return RedirectResponse(_safe_next(request, request.query_params.get("next")), 303)
        return self._login_form(request, next_page=request.query_params.get("next"))

    def _login_form(
        self,
        request: Request,
        *,
        error: str = "",
        username: str = "",
        next_page: object = None,
        status: int = 200,
    ) -> Response:
        context = {"error": error, "username": username, "next": _safe_next(request, next_page)}
        return render(request, "login.html", context, status=status)

    async def login(self, request: Request) -> Response:
        form = await request.form()
        username = str(form.get("username") or "").strip()
        password = str(form.get("password") or "")
        next_page = form.get("next")
        if not csrf_ok(request, form):
            return self._login_form(
                request,
                error="The sign-in form had expired. Please try again.",
                username=username,
                next_page=next_page,
                status=403,
            )
        address = client_address(request)
        wait = self.throttle.wait(username, address)
        if wait > 0:
            return self._login_form(
                request,
                error=(
                    "Too many failed sign-ins for this account or from this computer. "
                    f"Try again in {_seconds_text(wait)}."
                ),
                username=username,
                next_page=next_page,
                status=429,
            )
        user: User | None = None
        if username and len(username) <= _MAX_USERNAME and 0 < len(password) <= _MAX_PASSWORD:
            user = await run_in_threadpool(self.store.verify_user, username, password)
        if user is None:
            self.throttle.failed(username, address)
            return self._login_form(
                request,
                error="Wrong username or password, or the account is disabled.",
                username=username,
                next_page=next_page,
                status=401,
            )
        self.throttle.succeeded(username)
        if user["role"] not in CONSOLE_ROLES:
            return self._login_form(
                request,
                error=(
                    "This is a clinic account: clinic staff sign in on the clinic PC. "
                    "The hub console is for the hub's administrators and specialists."
                ),
                username=username,
                status=403,
            )
        self._start(request, user)
        return RedirectResponse(_safe_next(request, next_page), 303)

    async def logout(self, request: Request) -> Response:
        form = await request.form()
        base = base_path(request)
        if not csrf_ok(request, form):
            # Someone else's page must not sign people out; one's own always carries it.
            return RedirectResponse(f"{base}/", 303)
        username = request.session.get("username")
        if isinstance(username, str):
            # The cookie lives in the browser, so clearing it there is not enough: every
            # session of this account started before now ends, wherever its cookie is.
            stamp = repr(self.clock())
            await run_in_threadpool(self.store.meta_put, SIGNED_OUT_KEY + username, stamp)
        self._end(request, "You have signed out.")
        return RedirectResponse(f"{base}/login", 303)


def forbidden(request: Request, user: User) -> Response:
    return render(
        request,
        "error.html",
        {
            "user": user,
            "heading": "Not for this account",
            "message": (
                "This page is for the hub administrator."
                if user["role"] != HUB_ADMIN
                else "This page is for the hub's specialists."
            ),
        },
        status=403,
    )


def csrf_refused(request: Request, user: User | None) -> Response:
    return render(
        request,
        "error.html",
        {
            "user": user,
            "heading": "The form had expired",
            "message": (
                "The form did not carry this session's security token (it may be from an "
                "older page, or from another site). Nothing was changed: go back, reload the "
                "page and try again."
            ),
        },
        status=403,
    )
