"""The specialist's pages: the queue, a case, the prescription form, the formulary.

- ``/queue``: the cases waiting for a specialty (the signed-in specialist's own by default),
  most urgent first (``app.domain.triage``), with a count the page refreshes every few
  seconds from ``/queue/count`` and a link to reload when it changes (the page itself never
  reloads under the reader).
- ``/cases/{id}``: the patient, the complaint, the vitals with flags and trends over earlier
  visits, NEWS2, attachments, earlier visits, the prescriptions and the thread with the
  clinic; take the case (so colleagues see who has it), ask the clinic a question.
- ``/cases/{id}/prescribe``: the prescription form; "Check" runs the rules without signing,
  "Sign and send" signs with the specialist's password (``hub.prescriptions``). A correction
  is the same form started from the prescription it replaces.
- ``/formulary``: the formulary searched by name, with each medicine's telemedicine list and
  what that list allows.

Every store call and every signature runs in the thread pool: scrypt, fsync and PostgreSQL
round trips must not stall the event loop that serves the clinics' sync.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any, Final

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from app.domain import prescriptions as rxd
from app.domain.errors import DomainError, ValidationFailed
from app.domain.ids import new_id
from app.domain.specialties import SPECIALTIES, specialty
from hub import prescriptions as hub_rx
from hub.console.auth import SPECIALIST, Auth, User
from hub.console.rx_form import DEFAULT_ROWS, RxForm, item_key
from hub.console.templates import base_path, render
from hub.console.vitals_view import vital_rows
from hub.formulary import ROUTES, Formulary, load_formulary
from hub.storage.base import HubStore, PrescriptionRefused

QUEUE_POLL_SECONDS: Final = 3  # how often an open queue page asks for the count
_ID: Final = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_MAX_MESSAGE: Final = 4000

LIST_RULES: Final = {
    rxd.DrugList.O: "List O: may be prescribed in any teleconsultation.",
    rxd.DrugList.A: (
        "List A: only in a video consultation, or as a continuation (refill) on a follow-up."
    ),
    rxd.DrugList.B: (
        "List B: only on a follow-up visit, as an add-on to a medicine the patient already takes."
    ),
    rxd.DrugList.PROHIBITED: (
        "Prohibited: never by teleconsultation (narcotic, psychotropic, Schedule X or anti-cancer)."
    ),
}
NOT_LISTED: Final = (
    "Not in the formulary: give the reason to prescribe it; it is then held to List A's rule."
)
MODE_LABELS: Final = {"video": "Video", "audio": "Audio (phone)", "text": "Text (chat)"}
VISIT_LABELS: Final = {"first": "First consultation", "follow_up": "Follow-up"}
_REFUSALS: Final = {
    "rx.wrong_password": ("password", "The password does not open your signing key."),
    "rx.case_cancelled": ("", "The clinic cancelled this case: it can no longer be answered."),
    "rx.patient_unknown": (
        "",
        "The hub has not yet received this case's patient from the clinic; try after the "
        "clinic's next sync.",
    ),
    "rx.key_revoked": (
        "",
        "Your signing key was replaced while you were signing (a password reset). Sign "
        "again with your new password.",
    ),
    "rx.already_superseded": (
        "",
        "That prescription has already been corrected; correct the newest one instead.",
    ),
}
_REQUIRED_BY_ACCOUNT: Final = {
    "practitioner.qualification": "Your account has no qualification on record.",
    "practitioner.registration_number": "Your account has no registration number.",
    "practitioner.registration_council": "Your account has no registration council.",
}


def own_specialty(user: User) -> str | None:
    """The specialty key of the account (by key, or by name in any case), or None."""
    text = str(user.get("specialty") or "").strip()
    if specialty(text) is not None:
        return text
    by_name = {s.name.lower(): s.key for s in SPECIALTIES}
    return by_name.get(text.lower())


def waiting_text(since: datetime | None, now: datetime) -> str:
    if since is None:
        return ""
    minutes = max(0, int((now - since).total_seconds() // 60))
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return f"{minutes // 60} h {minutes % 60} min"
    return f"{minutes // (24 * 60)} days"


def _safe_filename(name: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9._ -]+", "_", name).strip(" .") or "attachment"
    return cleaned[:100]


def _problem_message(form: RxForm, problem: DomainError) -> tuple[str, str]:
    field = problem.field or ""
    if field in _REQUIRED_BY_ACCOUNT:
        return "", (
            f"{_REQUIRED_BY_ACCOUNT[field]} A prescription must carry it: ask the hub "
            "administrator to complete your account."
        )
    return form.field_id(field), form.item_label(field) + problem.message


class SpecialistPages:
    def __init__(self, store: HubStore, auth: Auth, formulary: Formulary | None = None) -> None:
        self.store = store
        self.auth = auth
        self.formulary = formulary or load_formulary()
        self.drug_lists = self.formulary.drug_lists()

    def routes(self) -> list[Route]:
        page = self.auth.page({SPECIALIST})
        action = self.auth.action({SPECIALIST})
        return [
            Route("/queue", page(self.queue), methods=["GET"]),
            Route("/queue/count", page(self.queue_count), methods=["GET"]),
            Route("/cases/{case_id}", page(self.case), methods=["GET"]),
            Route("/cases/{case_id}/claim", action(self.claim), methods=["POST"]),
            Route("/cases/{case_id}/message", action(self.message), methods=["POST"]),
            Route(
                "/cases/{case_id}/attachments/{attachment_id}",
                page(self.attachment),
                methods=["GET"],
            ),
            Route("/cases/{case_id}/prescribe", page(self.prescribe_page), methods=["GET"]),
            Route("/cases/{case_id}/prescribe", action(self.prescribe), methods=["POST"]),
            Route("/formulary", page(self.formulary_page), methods=["GET"]),
        ]

    # --- the queue ---------------------------------------------------------------------

    def _filter(self, request: Request, user: User) -> str | None:
        chosen = request.query_params.get("specialty")
        if chosen is None:
            return own_specialty(user)
        return chosen if specialty(chosen) is not None else None

    async def queue(self, request: Request, user: User) -> Response:
        chosen = self._filter(request, user)
        now = datetime.now(UTC)
        rows = await run_in_threadpool(self.store.specialist_queue, chosen, now=now)
        for row in rows:
            row["waiting"] = waiting_text(row["waiting_since"], now)
        context = {
            "user": user,
            "page": "queue",
            "rows": rows,
            "chosen": chosen or "all",
            "specialties": SPECIALTIES,
            "specialty_names": {s.key: s.name for s in SPECIALTIES},
            "poll_ms": QUEUE_POLL_SECONDS * 1000,
        }
        return render(request, "queue.html", context)

    async def queue_count(self, request: Request, user: User) -> Response:
        count = await run_in_threadpool(self.store.queue_count, self._filter(request, user))
        return JSONResponse({"count": count}, headers={"Cache-Control": "no-store"})

    # --- a case ------------------------------------------------------------------------

    def _case_id(self, request: Request) -> str:
        case_id = str(request.path_params["case_id"])
        if not _ID.match(case_id):
            raise HTTPException(404)
        return case_id

    def _record(self, case_id: str) -> dict[str, Any] | None:
        record = self.store.case_record(case_id)
        if record is None:
            return None
        record["prescriptions"] = []
        for row in self.store.prescriptions_for_case(case_id):
            full = self.store.prescription(row["id"]) or row
            full["dispensed"] = {d["index"]: d for d in full.get("dispensing") or ()}
            record["prescriptions"].append(full)
        record["messages"] = self.store.case_messages(case_id)
        return record

    async def _load(self, request: Request) -> dict[str, Any]:
        record = await run_in_threadpool(self._record, self._case_id(request))
        if record is None:
            raise HTTPException(404)
        return record

    async def case(self, request: Request, user: User) -> Response:
        return await self._case_view(request, user, await self._load(request))

    async def _case_view(
        self,
        request: Request,
        user: User,
        record: dict[str, Any],
        *,
        message_error: str = "",
        message: str = "",
        status: int = 200,
    ) -> Response:
        now = datetime.now(UTC)
        earlier_obs = [visit["observations"] for visit in record["earlier"]]
        context = {
            "user": user,
            "page": "queue",
            "r": record,
            "c": record["case"],
            "p": record["patient"] or {},
            "vitals": vital_rows(record["observations"], earlier_obs, record["age_years"]),
            "waiting": waiting_text(_waiting_since(record), now),
            "specialty_names": {s.key: s.name for s in SPECIALTIES},
            "mode_labels": MODE_LABELS,
            "visit_labels": VISIT_LABELS,
            "message_error": message_error,
            "message": message,
        }
        return render(request, "case.html", context, status=status)

    async def claim(self, request: Request, user: User, form: FormData) -> Response:
        case_id = self._case_id(request)
        what = form.get("do")
        try:
            if what == "release":
                await run_in_threadpool(self.store.release_case, case_id, user["username"])
                request.session["notice"] = "You have let this case go back to the queue."
            else:
                claim = await run_in_threadpool(
                    lambda: self.store.claim_case(
                        case_id, user["username"], take_over=what == "take_over"
                    )
                )
                if claim["username"] == user["username"]:
                    request.session["notice"] = "The case is yours: colleagues see you have it."
                else:
                    request.session["notice"] = f"{claim['display_name']} has this case already."
        except KeyError:
            raise HTTPException(404) from None
        return RedirectResponse(f"{base_path(request)}/cases/{case_id}", 303)

    async def message(self, request: Request, user: User, form: FormData) -> Response:
        case_id = self._case_id(request)
        raw = form.get("body")
        body = raw.strip() if isinstance(raw, str) else ""
        error = ""
        if not body:
            error = "Write the question first."
        elif len(body) > _MAX_MESSAGE:
            error = f"A message can be at most {_MAX_MESSAGE} characters."
        else:
            try:
                await run_in_threadpool(
                    hub_rx.post_case_message, self.store, user["username"], case_id, body
                )
            except PrescriptionRefused as exc:
                if exc.code == "rx.case_unknown":
                    raise HTTPException(404) from None
                error = str(exc)
            except ValueError as exc:
                error = str(exc)
        if error:
            record = await self._load(request)
            return await self._case_view(
                request, user, record, message_error=error, message=body, status=400
            )
        request.session["notice"] = "Your question was sent; the clinic sees it at its next sync."
        return RedirectResponse(f"{base_path(request)}/cases/{case_id}#thread", 303)

    async def attachment(self, request: Request, user: User) -> Response:
        case_id = self._case_id(request)
        attachment_id = str(request.path_params["attachment_id"])
        if not _ID.match(attachment_id):
            raise HTTPException(404)
        found = await run_in_threadpool(self.store.attachment_content, case_id, attachment_id)
        if found is None:
            raise HTTPException(404)
        doc, data = found
        media_type = str(doc.get("media_type") or "application/octet-stream")
        filename = _safe_filename(str(doc.get("filename") or attachment_id))
        # Photos open in the browser; anything else is saved, never rendered by it.
        shown = media_type in {"image/jpeg", "image/png", "image/webp"}
        disposition = "inline" if shown else "attachment"
        return Response(
            data,
            media_type=media_type if shown else "application/octet-stream",
            headers={
                "Content-Disposition": f'{disposition}; filename="{filename}"',
                "Cache-Control": "no-store",
            },
        )

    # --- the prescription form ---------------------------------------------------------

    async def prescribe_page(self, request: Request, user: User) -> Response:
        record = await self._load(request)
        supersedes = request.query_params.get("supersedes") or ""
        form: RxForm | None = None
        if supersedes:
            old = next((p for p in record["prescriptions"] if p["id"] == supersedes), None)
            if old is None:
                raise HTTPException(404)
            form = RxForm.from_prescription(old["prescription"])
        if form is None:
            case = record["case"]
            findings = "\n".join(
                text for text in (case.get("history"), case.get("examination")) if text
            )
            follow_up = bool(record["earlier"] or record["prescriptions"])
            form = RxForm.blank(
                chief_complaint=str(case.get("chief_complaint") or ""),
                findings=findings,
                visit=rxd.VisitType.FOLLOW_UP if follow_up else rxd.VisitType.FIRST,
            )
        return self._form_view(request, user, record, form, rx_id=new_id(), supersedes=supersedes)

    async def prescribe(self, request: Request, user: User, form: FormData) -> Response:
        record = await self._load(request)
        action = form.get("action")
        rx_form = RxForm.from_post(form, extra_rows=1 if action == "add_row" else 0)
        rx_id = str(form.get("rx_id") or "")
        supersedes = str(form.get("supersedes") or "")
        if not _ID.match(rx_id) or (supersedes and not _ID.match(supersedes)):
            raise HTTPException(400, "The form was damaged; open it again.")

        def show(**options: Any) -> Response:
            return self._form_view(
                request, user, record, rx_form, rx_id=rx_id, supersedes=supersedes, **options
            )

        if action == "add_row":
            return show(focus_row=True)
        draft = rx_form.draft(rx_id, record["case_id"], supersedes or None)
        unread = list(rx_form.errors)
        if action != "sign" or unread:
            problems = await run_in_threadpool(
                lambda: hub_rx.review_draft(
                    self.store, user["username"], draft, drug_lists=self.drug_lists
                )
            )
            # A field that could not be read is reported once, by the form.
            told = {key for key, _ in unread}
            found = [_problem_message(rx_form, p) for p in problems]
            rx_form.errors = unread + [m for m in found if not m[0] or m[0] not in told]
            if action == "sign":
                return show(status=400)
            return show(checked=True)
        password = form.get("password")
        try:
            await run_in_threadpool(
                lambda: hub_rx.issue_prescription(
                    self.store,
                    user["username"],
                    password if isinstance(password, str) else "",
                    draft,
                    drug_lists=self.drug_lists,
                )
            )
        except ValidationFailed as exc:
            rx_form.errors = [_problem_message(rx_form, p) for p in exc.issues]
            return show(status=400)
        except PrescriptionRefused as exc:
            if exc.code == "rx.duplicate":  # sent twice (a double click): it is signed
                request.session["notice"] = "This prescription was already signed and sent."
                return RedirectResponse(f"{base_path(request)}/cases/{record['case_id']}", 303)
            field, text = _REFUSALS.get(exc.code, ("", str(exc)))
            rx_form.errors = [(field, text)]
            return show(status=400)
        request.session["notice"] = (
            f"Signed and sent to {record['spoke_name']}: the clinic receives it at its next sync."
        )
        return RedirectResponse(f"{base_path(request)}/cases/{record['case_id']}", 303)

    def _form_view(
        self,
        request: Request,
        user: User,
        record: dict[str, Any],
        form: RxForm,
        *,
        rx_id: str,
        supersedes: str,
        checked: bool = False,
        focus_row: bool = False,
        status: int = 200,
    ) -> Response:
        rules = []
        for values in form.items:
            name = values["generic_name"]
            listed = self.formulary.drug_list(name) if name else None
            rules.append(LIST_RULES[listed] if listed else (NOT_LISTED if name else ""))
        context = {
            "user": user,
            "page": "queue",
            "r": record,
            "p": record["patient"] or {},
            "form": form,
            "rules": rules,
            "item_key": item_key,
            "rx_id": rx_id,
            "supersedes": supersedes,
            "checked": checked,
            "focus_row": len(form.items) - 1 if focus_row else None,
            "rows": len(form.items),
            "default_rows": DEFAULT_ROWS,
            "names": [(n, self.formulary.drug_list(n)) for n in self.formulary.names()],
            "forms": sorted({e.dosage_form for e in self.formulary}),
            "routes": sorted(ROUTES),
            "mode_labels": MODE_LABELS,
            "visit_labels": VISIT_LABELS,
            "needs_age": not (record["patient"] or {}).get("birth_date"),
        }
        return render(request, "prescribe.html", context, status=status)

    # --- the formulary -----------------------------------------------------------------

    async def formulary_page(self, request: Request, user: User) -> Response:
        query = (request.query_params.get("q") or "").strip()[:100]
        needle = rxd.normalise_generic_name(query)
        entries = [e for e in self.formulary if not needle or needle in e.generic_name]
        context = {
            "user": user,
            "page": "formulary",
            "query": query,
            "entries": entries,
            "total": len(self.formulary),
            "list_rules": LIST_RULES,
        }
        return render(request, "formulary.html", context)


def _waiting_since(record: dict[str, Any]) -> datetime | None:
    value = record["case"].get("queued_at")
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return None
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return None
