"""The hub administrator's pages: spokes, enrolling a clinic, hub users.

Every store call runs in the thread pool (they block: scrypt, fsync, a PostgreSQL round
trip). A change answers with a redirect to the page it was made from (so reloading repeats
nothing), except issuing a token: that page shows the one-time token and is never stored or
shown again.

``hub.enrolment`` is imported where it is used: it imports ``hub.server``, which imports
``hub.app``, which mounts this console, so a module-level import would be circular.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from app.domain.specialties import SPECIALTIES
from hub.console.auth import HUB_ADMIN, SPECIALIST, SPOKE_ROLES, Auth, User
from hub.console.templates import base_path, render
from hub.storage.base import HubStore

if TYPE_CHECKING:
    from hub.enrolment import IssuedToken

_USER_FIELDS: Final = (
    "username",
    "display_name",
    "role",
    "spoke_id",
    "registration_no",
    "registration_council",
    "qualification",
    "specialty",
)


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _password(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _message(exc: Exception) -> str:
    # KeyError's str() is the repr of its argument, quotes and all.
    text = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
    text = str(text)
    return text[:1].upper() + text[1:]


class AdminPages:
    def __init__(self, store: HubStore, auth: Auth) -> None:
        self.store = store
        self.auth = auth

    def routes(self) -> list[Route]:
        page = self.auth.page({HUB_ADMIN})
        action = self.auth.action({HUB_ADMIN})
        return [
            Route("/spokes", page(self.spokes), methods=["GET"]),
            Route("/enrol", page(self.enrol_page), methods=["GET"]),
            Route("/enrol", action(self.enrol), methods=["POST"]),
            Route("/users", page(self.users_page), methods=["GET"]),
            Route("/users", action(self.add_user), methods=["POST"]),
            Route("/users/active", action(self.set_active), methods=["POST"]),
            Route("/users/password", page(self.password_page), methods=["GET"]),
            Route("/users/password", action(self.set_password), methods=["POST"]),
        ]

    # --- spokes ------------------------------------------------------------------------

    def _spokes(self) -> list[dict[str, Any]]:
        return list(self.store.stats()["per_spoke"])

    async def spokes(self, request: Request, user: User) -> Response:
        spokes = await run_in_threadpool(self._spokes)
        return render(request, "spokes.html", {"user": user, "page": "spokes", "spokes": spokes})

    # --- enrolment ---------------------------------------------------------------------

    def _tokens(self) -> tuple[list[dict[str, Any]], dict[str, str]]:
        now = datetime.now(UTC)
        tokens = [
            {**t, "expired": datetime.fromisoformat(t["expires_at"]) <= now}
            for t in self.store.enrol_tokens()
        ]
        names = {s["id"]: s["name"] for s in self._spokes()}
        return tokens, names

    async def _enrol_view(
        self,
        request: Request,
        user: User,
        *,
        issued: IssuedToken | None = None,
        error: str = "",
        facility: str = "",
        valid_days: str = "",
        status: int = 200,
    ) -> Response:
        from hub import enrolment  # on use: see the module's docstring

        tokens, names = await run_in_threadpool(self._tokens)
        context = {
            "user": user,
            "page": "enrol",
            "issued": issued,
            # segno's SVG of the token: markup the hub made, nothing a client sent.
            "qr_svg": Markup(issued.qr_svg()) if issued is not None else "",
            "error": error,
            "facility": facility,
            "valid_days": valid_days or str(enrolment.DEFAULT_VALID_DAYS),
            "max_days": enrolment.MAX_VALID_DAYS,
            "tokens": tokens,
            "spoke_names": names,
        }
        return render(request, "enrol.html", context, status=status)

    async def enrol_page(self, request: Request, user: User) -> Response:
        return await self._enrol_view(request, user)

    async def enrol(self, request: Request, user: User, form: FormData) -> Response:
        from hub import enrolment  # on use: see the module's docstring

        facility = _text(form, "facility")
        days_text = _text(form, "valid_days")
        try:
            days = int(days_text)
        except ValueError:
            days = 0
        if not 1 <= days <= enrolment.MAX_VALID_DAYS:
            return await self._enrol_view(
                request,
                user,
                error=f"A token is valid for 1 to {enrolment.MAX_VALID_DAYS} days.",
                facility=facility,
                valid_days=days_text,
                status=400,
            )
        try:
            issued = await run_in_threadpool(
                enrolment.issue_token, self.store, facility, valid_days=days
            )
        except ValueError as exc:  # a bad facility name; the hub's address not yet known
            return await self._enrol_view(
                request,
                user,
                error=_message(exc),
                facility=facility,
                valid_days=days_text,
                status=400,
            )
        return await self._enrol_view(request, user, issued=issued)

    # --- users -------------------------------------------------------------------------

    def _users(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        return self.store.users(), self._spokes()

    async def _users_view(
        self,
        request: Request,
        user: User,
        *,
        error: str = "",
        action_error: str = "",
        form: dict[str, str] | None = None,
        status: int = 200,
    ) -> Response:
        users, spokes = await run_in_threadpool(self._users)
        context = {
            "user": user,
            "page": "users",
            "users": users,
            "spokes": spokes,
            "spoke_names": {s["id"]: s["name"] for s in spokes},
            "error": error,
            "action_error": action_error,
            "specialties": SPECIALTIES,
            "specialty_names": {s.key: s.name for s in SPECIALTIES},
            "form": form or dict.fromkeys(_USER_FIELDS, "") | {"role": SPECIALIST},
        }
        return render(request, "users.html", context, status=status)

    async def users_page(self, request: Request, user: User) -> Response:
        return await self._users_view(request, user)

    async def add_user(self, request: Request, user: User, form: FormData) -> Response:
        values = {name: _text(form, name) for name in _USER_FIELDS}
        password = _password(form, "password")
        role = values["role"]
        if password != _password(form, "password2"):
            error = "The two passwords differ."
        elif role in SPOKE_ROLES and not values["spoke_id"]:
            error = "Choose the clinic this person works at."
        else:
            # The clinic select and the specialist's fields are on the form for every role;
            # only the ones that belong to the chosen role are meant.
            spoke_id = values["spoke_id"] if role in SPOKE_ROLES else None
            specialist = role == SPECIALIST
            try:
                await run_in_threadpool(
                    lambda: self.store.add_user(
                        values["username"],
                        values["display_name"],
                        role,
                        password,
                        spoke_id=spoke_id,
                        registration_no=values["registration_no"] if specialist else "",
                        specialty=values["specialty"] if specialist else "",
                        registration_council=(values["registration_council"] if specialist else ""),
                        qualification=values["qualification"] if specialist else "",
                    )
                )
            except ValueError as exc:
                error = _message(exc)
            else:
                request.session["notice"] = f"Added the user {values['username'].lower()}."
                return RedirectResponse(f"{base_path(request)}/users", 303)
        return await self._users_view(request, user, error=error, form=values, status=400)

    async def set_active(self, request: Request, user: User, form: FormData) -> Response:
        username = _text(form, "username").lower()
        active = _text(form, "active") == "1"
        if username == user["username"] and not active:
            return await self._users_view(
                request,
                user,
                action_error="You cannot disable your own account while signed in with it.",
                status=400,
            )
        try:
            await run_in_threadpool(self.store.set_user_active, username, active)
        except (KeyError, ValueError) as exc:
            return await self._users_view(request, user, action_error=_message(exc), status=400)
        state = "enabled" if active else "disabled"
        request.session["notice"] = f"The user {username} is {state}."
        return RedirectResponse(f"{base_path(request)}/users", 303)

    def _user(self, username: str) -> User | None:
        return next((u for u in self.store.users() if u["username"] == username), None)

    async def password_page(self, request: Request, user: User) -> Response:
        username = (request.query_params.get("username") or "").strip().lower()
        target = await run_in_threadpool(self._user, username)
        if target is None:
            return await self._users_view(
                request, user, action_error=f"No user is named {username!r}.", status=404
            )
        return render(request, "password.html", {"user": user, "page": "users", "target": target})

    async def set_password(self, request: Request, user: User, form: FormData) -> Response:
        username = _text(form, "username").lower()
        password = _password(form, "password")
        target = await run_in_threadpool(self._user, username)
        if target is None:
            return await self._users_view(
                request, user, action_error=f"No user is named {username!r}.", status=404
            )
        error = ""
        if password != _password(form, "password2"):
            error = "The two passwords differ."
        else:
            try:
                await run_in_threadpool(self.store.set_user_password, username, password)
            except (KeyError, ValueError) as exc:
                error = _message(exc)
        if error:
            context = {"user": user, "page": "users", "target": target, "error": error}
            return render(request, "password.html", context, status=400)
        if username == user["username"]:
            changed = await run_in_threadpool(self._user, username)
            if changed is not None:
                self.auth.restamp(request, changed)
        request.session["notice"] = f"The password of {username} was changed."
        return RedirectResponse(f"{base_path(request)}/users", 303)
