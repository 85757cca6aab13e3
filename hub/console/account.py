"""The signed-in person's own account: changing their password.

For a specialist this keeps their signing key, resealed under the new password
(``HubStore.change_own_password``); an administrator's reset, by contrast, has to replace the
key. The old password is asked for again, so a session left open cannot be used to lock its
owner out.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from hub.console.auth import CONSOLE_ROLES, Auth, User
from hub.console.templates import base_path, render
from hub.storage.base import HubStore


def _field(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


class AccountPages:
    def __init__(self, store: HubStore, auth: Auth) -> None:
        self.store = store
        self.auth = auth

    def routes(self) -> list[Route]:
        return [
            Route("/account/password", self.auth.page(CONSOLE_ROLES)(self.page), methods=["GET"]),
            Route(
                "/account/password", self.auth.action(CONSOLE_ROLES)(self.change), methods=["POST"]
            ),
        ]

    async def page(self, request: Request, user: User, *, error: str = "") -> Response:
        context = {"user": user, "page": "account", "error": error}
        return render(request, "own_password.html", context, status=400 if error else 200)

    async def change(self, request: Request, user: User, form: FormData) -> Response:
        old, new = _field(form, "old_password"), _field(form, "password")
        if new != _field(form, "password2"):
            return await self.page(request, user, error="The two new passwords differ.")
        try:
            await run_in_threadpool(self.store.change_own_password, user["username"], old, new)
        except PermissionError:
            return await self.page(request, user, error="Your current password is not right.")
        except ValueError as exc:
            text = str(exc)
            return await self.page(request, user, error=text[:1].upper() + text[1:])
        changed = await run_in_threadpool(self.auth.find_user, user["username"])
        if changed is not None:
            self.auth.restamp(request, changed)
        request.session["notice"] = (
            "Your password was changed; your signing key now opens with the new one."
            if user["role"] == "specialist"
            else "Your password was changed."
        )
        return RedirectResponse(f"{base_path(request)}/", 303)
