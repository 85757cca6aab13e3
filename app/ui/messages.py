"""Error codes to translated text, and the one way the UI shows an unexpected error.

Services and the domain raise errors carrying a dotted ``code``, ``params`` and an English
``message`` (see docs/ARCHITECTURE.md, "Errors carry codes"). ``error_text(exc)`` looks the
code up here and formats the translated sentence with the params; an unknown code falls back
to the error's English message, and an error with no code to a generic sentence with its
details. ``ValidationFailed`` lists each of its issues.

Every code in the table of docs/ARCHITECTURE.md must have an entry (a test parses the table).

GUI thread for ``show_error``; ``error_text`` is pure and safe anywhere a QCoreApplication
exists.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt
from PySide6.QtWidgets import QMessageBox, QWidget

_CTX = "messages"

# Import-time strings: marked for lupdate here, translated when shown.
MESSAGES: dict[str, str] = {
    # patient registration (domain.patients.validate_draft)
    "patient.name_required": QT_TRANSLATE_NOOP("messages", "Enter the patient's name."),
    "patient.sex_required": QT_TRANSLATE_NOOP("messages", "Choose the patient's sex."),
    "patient.age_required": QT_TRANSLATE_NOOP(
        "messages", "Enter the date of birth, or the age in years if the date is not known."
    ),
    "patient.age_range": QT_TRANSLATE_NOOP(
        "messages", "Check the age: it must be between 0 and 120 years."
    ),
    "patient.birth_date_future": QT_TRANSLATE_NOOP(
        "messages", "The date of birth is in the future. Check the date."
    ),
    "patient.phone_invalid": QT_TRANSLATE_NOOP(
        "messages", "A mobile number has 10 digits. Check the number or leave it empty."
    ),
    "patient.village_required": QT_TRANSLATE_NOOP("messages", "Enter the village or town."),
    "patient.duplicate_suspected": QT_TRANSLATE_NOOP(
        "messages",
        "This patient may already be registered ({matches} similar records). "
        "Open the existing record, or confirm that this is a different person.",
    ),
    "patient.not_found": QT_TRANSLATE_NOOP("messages", "This patient record was not found."),
    # ABHA (domain.abha)
    "abha.length": QT_TRANSLATE_NOOP("messages", "An ABHA number has 14 digits."),
    "abha.characters": QT_TRANSLATE_NOOP(
        "messages", "An ABHA number has only digits (hyphens and spaces are allowed)."
    ),
    "abha.checksum": QT_TRANSLATE_NOOP(
        "messages",
        "This ABHA number is not valid: its last digit does not match. Check each digit "
        "against the ABHA card.",
    ),
    "abha_address.invalid": QT_TRANSLATE_NOOP(
        "messages", "This is not a valid ABHA address (for example: name@abdm)."
    ),
    # vital signs (domain.vitals)
    "vital.unknown": QT_TRANSLATE_NOOP("messages", "Unknown vital sign ({code})."),
    "vital.unit": QT_TRANSLATE_NOOP(
        "messages", "The unit {unit} cannot be used here. Use one of: {allowed}."
    ),
    "vital.below_limit": QT_TRANSLATE_NOOP(
        "messages",
        "{name} {value} {unit} is below the lowest possible value ({limit} {limit_unit}). "
        "Check the reading and the unit.",
    ),
    "vital.above_limit": QT_TRANSLATE_NOOP(
        "messages",
        "{name} {value} {unit} is above the highest possible value ({limit} {limit_unit}). "
        "Check the reading and the unit.",
    ),
    "vital.probably_fahrenheit": QT_TRANSLATE_NOOP(
        "messages", "{value} looks like a temperature in °F. Choose °F as the unit, or check it."
    ),
    "vital.bp_order": QT_TRANSLATE_NOOP(
        "messages",
        "The systolic pressure ({systolic}) must be higher than the diastolic ({diastolic}). "
        "Check that they are not swapped.",
    ),
    "vital.not_integer": QT_TRANSLATE_NOOP(
        "messages", "{name} is counted in whole numbers: {value} has decimals."
    ),
    # cases (domain.case_rules and services)
    "case.transition": QT_TRANSLATE_NOOP(
        "messages", "This case cannot go from “{from}” to “{to}”."
    ),
    "case.consent_required": QT_TRANSLATE_NOOP(
        "messages", "Record the patient's consent before sending the case to the hub."
    ),
    "case.complaint_required": QT_TRANSLATE_NOOP("messages", "Enter the chief complaint."),
    "case.specialty_required": QT_TRANSLATE_NOOP(
        "messages", "Choose the specialty to send the case to."
    ),
    "case.not_editable": QT_TRANSLATE_NOOP(
        "messages",
        "This case has already been sent (status: {status}) and can no longer be edited. "
        "Add an addendum instead.",
    ),
    "case.not_found": QT_TRANSLATE_NOOP("messages", "This case was not found."),
    # staff accounts (services.auth)
    "auth.bad_credentials": QT_TRANSLATE_NOOP("messages", "Wrong username or password."),
    "auth.inactive": QT_TRANSLATE_NOOP(
        "messages", "This account has been switched off. Ask the administrator."
    ),
    "auth.throttled": QT_TRANSLATE_NOOP(
        "messages", "Too many wrong passwords. Try again in {seconds} seconds."
    ),
    "auth.username_taken": QT_TRANSLATE_NOOP(
        "messages", "That username is already in use. Choose another."
    ),
    "auth.username_invalid": QT_TRANSLATE_NOOP(
        "messages",
        "A username has 2 to 32 characters: small letters a–z, digits, “.”, “_” or “-”.",
    ),
    "auth.password_too_short": QT_TRANSLATE_NOOP(
        "messages", "A password needs at least {min} characters."
    ),
    "auth.first_admin_exists": QT_TRANSLATE_NOOP(
        "messages", "An administrator account already exists. Sign in instead."
    ),
    "auth.lock_after_range": QT_TRANSLATE_NOOP(
        "messages", "Choose between {min} and {max} minutes before the screen locks."
    ),
    "auth.recovery_unavailable": QT_TRANSLATE_NOOP(
        "messages", "This PC's data is not encrypted yet, so it has no recovery key."
    ),
    "auth.recovery_mistyped": QT_TRANSLATE_NOOP(
        "messages",
        "The recovery key is mistyped: check each group of five letters and digits against "
        "the paper.",
    ),
    "auth.recovery_wrong": QT_TRANSLATE_NOOP(
        "messages", "This is not the recovery key of this PC. Check the paper is for this clinic."
    ),
    "auth.recovery_not_admin": QT_TRANSLATE_NOOP(
        "messages",
        "No administrator account has this username on this PC. Only an administrator can be "
        "signed in with the recovery key; they then reset the others' passwords.",
    ),
    "user.not_found": QT_TRANSLATE_NOOP("messages", "This staff account was not found."),
    "permission.denied": QT_TRANSLATE_NOOP(
        "messages", "Your role ({role}) is not allowed to do this."
    ),
    # attachments (services.attachments)
    "attachment.unreadable": QT_TRANSLATE_NOOP(
        "messages", "The file {name} could not be read. It may be damaged."
    ),
    "attachment.too_large": QT_TRANSLATE_NOOP(
        "messages", "The file {name} is too large (the limit is {limit_mb} MB)."
    ),
    "attachment.unsupported": QT_TRANSLATE_NOOP(
        "messages", "The file {name} cannot be attached. Attach a photo (JPEG or PNG) or a PDF."
    ),
    # the database on disk (store.errors)
    "store.disk_full": QT_TRANSLATE_NOOP(
        "messages",
        "The disk is full, so nothing could be saved. Free some space on this PC, then try "
        "again. Nothing already saved has been lost.",
    ),
    "store.locked": QT_TRANSLATE_NOOP(
        "messages",
        "The clinic database is busy (another program may be using it). Try again in a moment.",
    ),
    "store.corrupt": QT_TRANSLATE_NOOP(
        "messages",
        "The clinic database is damaged ({path}). Stop using this PC for records and call "
        "your IT support.",
    ),
    "store.readonly": QT_TRANSLATE_NOOP(
        "messages",
        "The clinic database cannot be written ({path}). Check that the disk is not "
        "write-protected, or call your IT support.",
    ),
    "store.schema_newer": QT_TRANSLATE_NOOP(
        "messages",
        "The clinic database was written by a newer version of HWC Spoke (version {version}; "
        "this program reads up to {supported}). Install the newer version; do not use this "
        "one with it.",
    ),
    "store.not_found": QT_TRANSLATE_NOOP(
        "messages", "This record is no longer there. Go back and open it again."
    ),
    "store.conflict": QT_TRANSLATE_NOOP(
        "messages",
        "Someone else changed this record meanwhile. Open it again to see their change, then "
        "make yours.",
    ),
    "store.blob_missing": QT_TRANSLATE_NOOP(
        "messages", "An attached file is missing from this PC. Call your IT support."
    ),
    "store.closed": QT_TRANSLATE_NOOP(
        "messages", "The clinic database has been closed. Restart HWC Spoke."
    ),
    "store.error": QT_TRANSLATE_NOOP(
        "messages",
        "The clinic database reported a problem, so this was not saved. Try again; if it "
        "happens again, call your IT support.",
    ),
    # consent and case details (services.cases)
    "consent.given_by_required": QT_TRANSLATE_NOOP(
        "messages", "Enter who gave consent (the patient or the person on their behalf)."
    ),
    "consent.relationship_required": QT_TRANSLATE_NOOP(
        "messages", "Choose how the person who consented is related to the patient."
    ),
    "case.specialty_unknown": QT_TRANSLATE_NOOP("messages", "Choose a specialty from the list."),
    "case.consciousness": QT_TRANSLATE_NOOP(
        "messages", "Choose the level of consciousness from the list (alert, confused, …)."
    ),
    "observation.not_found": QT_TRANSLATE_NOOP(
        "messages", "This reading was not found. It may have been removed already."
    ),
    # sync (services.sync)
    "sync.not_enrolled": QT_TRANSLATE_NOOP(
        "messages", "This PC is not enrolled with a hub yet. Ask field IT to enrol it."
    ),
    "sync.enrol_invalid": QT_TRANSLATE_NOOP(
        "messages", "The enrolment was not accepted: {message}. Check the hub address and token."
    ),
    "sync.op_not_found": QT_TRANSLATE_NOOP(
        "messages", "This change is no longer waiting for attention. It may have been sent again."
    ),
    # enrolling this PC (services.sync.enrol)
    "sync.already_enrolled": QT_TRANSLATE_NOOP(
        "messages",
        "This PC is already enrolled with the hub at {hub}. It keeps sending to that hub.",
    ),
    "sync.enrol_pin_mismatch": QT_TRANSLATE_NOOP(
        "messages",
        "Warning: the hub at {hub} did not prove that it is the hub that printed this token. "
        "Someone may be intercepting the connection. Nothing was sent and this PC was not "
        "enrolled. Do not try again: check the hub's address with the hub's administrator, "
        "and ask for a new token if needed.",
    ),
    "sync.enrol_token_unknown": QT_TRANSLATE_NOOP(
        "messages",
        "The hub at {hub} does not know this token. Check that it is the token this hub "
        "printed, or ask its administrator for a new one.",
    ),
    "sync.enrol_token_used": QT_TRANSLATE_NOOP(
        "messages",
        "This token was already used to enrol a PC, and each token works only once. Ask the "
        "administrator of the hub at {hub} for a new token for this clinic.",
    ),
    "sync.enrol_token_expired": QT_TRANSLATE_NOOP(
        "messages",
        "This token has expired. Ask the administrator of the hub at {hub} for a new one.",
    ),
    "sync.enrol_unreachable": QT_TRANSLATE_NOOP(
        "messages",
        "The hub at {hub} could not be reached. Check the network and the hub's address, "
        "then try again.",
    ),
    "sync.enrol_tls": QT_TRANSLATE_NOOP(
        "messages",
        "A secure connection to the hub at {hub} could not be made. Check the hub's address; "
        "if it is right, tell the hub's administrator.",
    ),
    "sync.enrol_failed": QT_TRANSLATE_NOOP(
        "messages",
        "Enrolling with the hub at {hub} did not work ({message}). Try again; if it keeps "
        "failing, tell the hub's administrator.",
    ),
    # the outcome of a sync round (SyncStatus.last_error_code, SyncReport.error_code)
    "sync.cancelled": QT_TRANSLATE_NOOP("messages", "The sync was cancelled."),
    "sync.already_running": QT_TRANSLATE_NOOP(
        "messages", "A sync is already running. Its result will show here when it ends."
    ),
    "sync.ops_failed": QT_TRANSLATE_NOOP(
        "messages", "Some records got no answer from the hub. They will be sent again."
    ),
    "sync.crashed": QT_TRANSLATE_NOOP(
        "messages", "The sync stopped because of an error on this PC. Tell your IT support."
    ),
    "sync.failed": QT_TRANSLATE_NOOP("messages", "The last sync did not finish."),
    "hub.unreachable": QT_TRANSLATE_NOOP(
        "messages", "The hub could not be reached. Check the network; sending resumes by itself."
    ),
    "hub.timeout": QT_TRANSLATE_NOOP(
        "messages", "The hub did not answer in time. The network may be slow; it will try again."
    ),
    "hub.truncated": QT_TRANSLATE_NOOP(
        "messages", "The hub's answer was cut off. The network may be poor; it will try again."
    ),
    "hub.bad_reply": QT_TRANSLATE_NOOP(
        "messages", "The hub sent an answer this PC cannot read. Tell your IT support."
    ),
    "hub.unavailable": QT_TRANSLATE_NOOP(
        "messages", "The hub is busy or down for a moment. Sending resumes by itself."
    ),
    "hub.internal": QT_TRANSLATE_NOOP(
        "messages", "The hub had a problem. Sending resumes by itself; tell IT if it lasts."
    ),
    "auth.invalid": QT_TRANSLATE_NOOP(
        "messages", "The hub did not accept this PC's enrolment. Ask field IT to enrol it again."
    ),
    "hub.tls": QT_TRANSLATE_NOOP(
        "messages",
        "The hub's certificate is not the one this PC trusts, so nothing was sent. Someone may "
        "be intercepting the connection: tell field IT.",
    ),
    # devices (services.devices)
    "device.not_found": QT_TRANSLATE_NOOP(
        "messages", "This device is no longer paired. It may have been forgotten already."
    ),
    "device.already_paired": QT_TRANSLATE_NOOP(
        "messages", "A device on {address} is already paired. Rename it or forget it first."
    ),
    "device.kind_unknown": QT_TRANSLATE_NOOP("messages", "Choose the kind of device."),
    "device.address_required": QT_TRANSLATE_NOOP(
        "messages", "Choose the port, the Bluetooth device or the listening address."
    ),
    "device.name_required": QT_TRANSLATE_NOOP(
        "messages", "Give the device a name the staff will recognise."
    ),
    "reading.not_found": QT_TRANSLATE_NOOP(
        "messages", "This device reading is no longer waiting. It was kept or discarded."
    ),
    "vital.not_a_number": QT_TRANSLATE_NOOP("messages", "Enter {name} as a number."),
    # prescriptions at the clinic (services.prescriptions)
    "rx.not_found": QT_TRANSLATE_NOOP("messages", "This prescription was not found."),
    "rx.invalid": QT_TRANSLATE_NOOP(
        "messages",
        "This prescription failed the signature check, so it cannot be acknowledged, "
        "dispensed or printed as valid. Ask the specialist to issue it again.",
    ),
    "rx.superseded": QT_TRANSLATE_NOOP(
        "messages",
        "The specialist has corrected this prescription. Dispense from the newer one instead.",
    ),
    "rx.not_acknowledged": QT_TRANSLATE_NOOP(
        "messages", "Acknowledge the prescription before recording what was dispensed."
    ),
    "rx.dispense_item": QT_TRANSLATE_NOOP("messages", "The prescription has no item {index}."),
    "rx.dispense_status": QT_TRANSLATE_NOOP(
        "messages", "For each item choose: dispensed, partly, not available or declined."
    ),
    "rx.dispense_quantity": QT_TRANSLATE_NOOP(
        "messages", "Enter the quantity handed over as a whole number, 0 or more."
    ),
    "rx.query_required": QT_TRANSLATE_NOOP("messages", "Write your question for the specialist."),
    "rx.query_too_long": QT_TRANSLATE_NOOP(
        "messages", "The question is too long. Keep it under {limit} characters."
    ),
    # several form problems at once (domain.errors.ValidationFailed)
    "validation.failed": QT_TRANSLATE_NOOP("messages", "Please correct the following:"),
}

# Used when a sentence above needs a param the error did not carry (the table in
# docs/ARCHITECTURE.md does not promise every param to every code).
FALLBACKS: dict[str, str] = {
    "patient.duplicate_suspected": QT_TRANSLATE_NOOP(
        "messages",
        "This patient may already be registered. Open the existing record, or confirm that "
        "this is a different person.",
    ),
    "vital.unknown": QT_TRANSLATE_NOOP("messages", "Unknown vital sign."),
    "vital.unit": QT_TRANSLATE_NOOP("messages", "This unit cannot be used for this vital sign."),
    "vital.below_limit": QT_TRANSLATE_NOOP(
        "messages", "The value is below the lowest possible value. Check the reading and the unit."
    ),
    "vital.above_limit": QT_TRANSLATE_NOOP(
        "messages",
        "The value is above the highest possible value. Check the reading and the unit.",
    ),
    "vital.probably_fahrenheit": QT_TRANSLATE_NOOP(
        "messages", "This looks like a temperature in °F. Choose °F as the unit, or check it."
    ),
    "vital.bp_order": QT_TRANSLATE_NOOP(
        "messages",
        "The systolic pressure must be higher than the diastolic. Check that they are not swapped.",
    ),
    "vital.not_integer": QT_TRANSLATE_NOOP("messages", "This is counted in whole numbers."),
    "vital.not_a_number": QT_TRANSLATE_NOOP("messages", "Enter the value as a number."),
    "store.schema_newer": QT_TRANSLATE_NOOP(
        "messages",
        "The clinic database was written by a newer version of HWC Spoke. Install the newer "
        "version; do not use this one with it.",
    ),
    "case.transition": QT_TRANSLATE_NOOP("messages", "This case cannot change to that status."),
    "case.not_editable": QT_TRANSLATE_NOOP(
        "messages",
        "This case has already been sent and can no longer be edited. Add an addendum instead.",
    ),
    "auth.throttled": QT_TRANSLATE_NOOP(
        "messages", "Too many wrong passwords. Wait a minute, then try again."
    ),
    "auth.password_too_short": QT_TRANSLATE_NOOP(
        "messages", "The password is too short. Choose a longer one."
    ),
    "auth.lock_after_range": QT_TRANSLATE_NOOP(
        "messages", "Choose a shorter or longer time before the screen locks."
    ),
    "permission.denied": QT_TRANSLATE_NOOP("messages", "Your role is not allowed to do this."),
    "device.already_paired": QT_TRANSLATE_NOOP(
        "messages", "This device is already paired. Rename it or forget it first."
    ),
    "sync.enrol_invalid": QT_TRANSLATE_NOOP(
        "messages", "The enrolment was not accepted. Check the hub address and token."
    ),
    "sync.already_enrolled": QT_TRANSLATE_NOOP(
        "messages", "This PC is already enrolled with a hub. It keeps sending to that hub."
    ),
    "sync.enrol_pin_mismatch": QT_TRANSLATE_NOOP(
        "messages",
        "Warning: the hub did not prove that it is the hub that printed this token. Someone "
        "may be intercepting the connection. Nothing was sent and this PC was not enrolled. "
        "Do not try again: check the hub's address with the hub's administrator, and ask for "
        "a new token if needed.",
    ),
    "sync.enrol_token_unknown": QT_TRANSLATE_NOOP(
        "messages",
        "The hub does not know this token. Check that it is the token this hub printed, or "
        "ask its administrator for a new one.",
    ),
    "sync.enrol_token_used": QT_TRANSLATE_NOOP(
        "messages",
        "This token was already used to enrol a PC, and each token works only once. Ask the "
        "hub's administrator for a new token for this clinic.",
    ),
    "sync.enrol_token_expired": QT_TRANSLATE_NOOP(
        "messages", "This token has expired. Ask the hub's administrator for a new one."
    ),
    "sync.enrol_unreachable": QT_TRANSLATE_NOOP(
        "messages",
        "The hub could not be reached. Check the network and the hub's address, then try again.",
    ),
    "sync.enrol_tls": QT_TRANSLATE_NOOP(
        "messages",
        "A secure connection to the hub could not be made. Check the hub's address; if it is "
        "right, tell the hub's administrator.",
    ),
    "sync.enrol_failed": QT_TRANSLATE_NOOP(
        "messages",
        "Enrolling with the hub did not work. Try again; if it keeps failing, tell the hub's "
        "administrator.",
    ),
    "attachment.unreadable": QT_TRANSLATE_NOOP(
        "messages", "The file could not be read. It may be damaged."
    ),
    "attachment.too_large": QT_TRANSLATE_NOOP("messages", "The file is too large to attach."),
    "attachment.unsupported": QT_TRANSLATE_NOOP(
        "messages", "This file cannot be attached. Attach a photo (JPEG or PNG) or a PDF."
    ),
    "rx.dispense_item": QT_TRANSLATE_NOOP(
        "messages", "Choose each item once, from those on the prescription."
    ),
    "rx.query_too_long": QT_TRANSLATE_NOOP("messages", "The question is too long. Shorten it."),
    "store.corrupt": QT_TRANSLATE_NOOP(
        "messages",
        "The clinic database is damaged. Stop using this PC for records and call your IT support.",
    ),
    "store.readonly": QT_TRANSLATE_NOOP(
        "messages",
        "The clinic database cannot be written. Check that the disk is not write-protected, "
        "or call your IT support.",
    ),
}

ROLE_NAMES: dict[str, str] = {
    "paramedic": QT_TRANSLATE_NOOP("messages", "paramedic"),
    "generalist": QT_TRANSLATE_NOOP("messages", "generalist"),
    "admin": QT_TRANSLATE_NOOP("messages", "administrator"),
}

STATUS_NAMES: dict[str, str] = {
    "draft": QT_TRANSLATE_NOOP("messages", "draft"),
    "queued": QT_TRANSLATE_NOOP("messages", "queued"),
    "sent": QT_TRANSLATE_NOOP("messages", "sent"),
    "at_hub": QT_TRANSLATE_NOOP("messages", "at hub"),
    "prescribed": QT_TRANSLATE_NOOP("messages", "prescribed"),
    "closed": QT_TRANSLATE_NOOP("messages", "closed"),
    "cancelled": QT_TRANSLATE_NOOP("messages", "cancelled"),
    "needs_attention": QT_TRANSLATE_NOOP("messages", "needs attention"),
}

# Params whose values are our own keys: shown in words, in the interface language.
_WORDS_FOR: dict[str, dict[str, str]] = {
    "role": ROLE_NAMES,
    "status": STATUS_NAMES,
    "from": STATUS_NAMES,
    "to": STATUS_NAMES,
}

_UNIT_PARAMS = ("unit", "limit_unit")


def tr(text: str) -> str:
    return QCoreApplication.translate(_CTX, text)


def role_name(role: str) -> str:
    """The translated name of a role value ("paramedic", "generalist", "admin")."""
    key = str(role)
    return tr(ROLE_NAMES[key]) if key in ROLE_NAMES else key


def _display_params(params: Mapping[str, Any]) -> dict[str, str]:
    shown: dict[str, str] = {}
    for key, value in params.items():
        text = ", ".join(str(v) for v in value) if isinstance(value, list | tuple) else str(value)
        words = _WORDS_FOR.get(key)
        if words is not None and text in words:
            text = tr(words[text])
        elif key in _UNIT_PARAMS:
            text = _unit_label(text)
        elif key == "allowed" and not isinstance(value, str):
            text = ", ".join(_unit_label(str(v)) for v in value)
        shown[key] = text
    return shown


def _unit_label(unit: str) -> str:
    # UCUM codes ("[degF]", "mm[Hg]") are for machines; people read "°F", "mmHg".
    from app.ui.clinical_text import unit_label

    return unit_label(unit)


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def code_text(code: str, params: Mapping[str, Any] | None = None) -> str | None:
    """The translated sentence for ``code`` with ``params`` filled in; None when unknown.

    When a param the sentence needs is missing (or a translator broke a placeholder), the
    code's sentence without params is used, and without one, None: the caller then falls back
    to the English message rather than show a sentence with a hole in it.
    """
    shown = _display_params(params or {})
    for table in (MESSAGES, FALLBACKS):
        source = table.get(code)
        if source is None:
            continue
        template = tr(source)
        if not _fields(template) <= shown.keys():
            continue
        try:
            return template.format_map(shown)
        except (ValueError, IndexError, KeyError):
            continue
    return None


def error_text(exc: BaseException) -> str:
    """What to tell the person about ``exc``, in the interface language."""
    code = getattr(exc, "code", None)
    params = getattr(exc, "params", None)
    message = getattr(exc, "message", None)
    issues = getattr(exc, "issues", None)
    if code == "validation.failed" and issues:
        lines = [error_text(issue) for issue in issues]
        if len(lines) == 1:
            return lines[0]
        return "\n".join([tr(MESSAGES["validation.failed"]), *(f"• {line}" for line in lines)])
    if isinstance(code, str):
        text = code_text(code, params if isinstance(params, Mapping) else None)
        if text is not None:
            return text
        if isinstance(message, str) and message:
            return message
    detail = str(exc) or type(exc).__name__
    return QCoreApplication.translate("messages", "Something went wrong: {detail}").format(
        detail=detail
    )


def show_error(parent: QWidget | None, exc: BaseException, title: str | None = None) -> None:
    """Tell the person about ``exc`` in a message box (GUI thread; returns at once)."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(title or QCoreApplication.translate("messages", "Could not finish"))
    box.setText(error_text(exc))
    ok = box.addButton(
        QCoreApplication.translate("messages", "OK"), QMessageBox.ButtonRole.AcceptRole
    )
    box.setDefaultButton(ok)
    box.setEscapeButton(ok)
    box.setObjectName("errorMessageBox")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()  # not exec(): no nested event loop, the caller's code goes on
