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
    # the installer's provisioning file, moving to another hub (services.provisioning)
    "provision.malformed": QT_TRANSLATE_NOOP(
        "messages",
        "The provisioning file {path} was not used: {message}. Ask field IT for a correct "
        "one, or enrol this PC on the Sync page.",
    ),
    "provision.unreadable": QT_TRANSLATE_NOOP(
        "messages",
        "The provisioning file {path} could not be read. Ask field IT to check its rights, "
        "or enrol this PC on the Sync page.",
    ),
    "provision.undeletable": QT_TRANSLATE_NOOP(
        "messages",
        "The provisioning file {path} could not be deleted: this PC has no rights to it. Its "
        "token was used once and will not be used again, but it should not stay on this PC: "
        "ask field IT to delete the file.",
    ),
    "provision.other_hub": QT_TRANSLATE_NOOP(
        "messages",
        "This PC is enrolled with the hub at {current}. The provisioning file {path} names "
        "the hub at {hub} and was not used. To move this clinic to that hub, use Move to "
        "another hub on the Sync page; otherwise ask field IT to delete the file.",
    ),
    "provision.unsent_data": QT_TRANSLATE_NOOP(
        "messages",
        "{records} record(s) and {photos} photo(s) have not reached the current hub yet. Sync "
        "first and move when nothing is waiting, or move anyway: they then go to the new hub "
        "with the clinic's history.",
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
    # signed updates (app.updates, docs/UPDATES.md): the outcome of a background check
    "update.refused": QT_TRANSLATE_NOOP(
        "messages",
        "An update from the hub failed its signature or checksum check and was not installed. "
        "Tell field IT: the update files on the hub may have been tampered with.",
    ),
    "update.expired": QT_TRANSLATE_NOOP(
        "messages",
        "The hub's update list has expired, so no update was installed. The hub's release "
        "manager must renew it; this app keeps working as it is.",
    ),
    "update.unreachable": QT_TRANSLATE_NOOP(
        "messages",
        "Updates could not be checked: the hub could not be reached. It will try again later.",
    ),
    "update.no_root": QT_TRANSLATE_NOOP(
        "messages",
        "This installation cannot check for updates (it carries no update key). Install a "
        "release build to get updates.",
    ),
    "update.state": QT_TRANSLATE_NOOP(
        "messages",
        "The record of installed updates on this PC is damaged; the installed version runs. "
        "Tell field IT (docs/UPDATES.md, recovering a PC).",
    ),
    "update.failed": QT_TRANSLATE_NOOP(
        "messages",
        "The update check stopped because of an error on this PC. Tell your IT support.",
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
    # backups and restoring them (services.backup)
    "backup.not_encrypted": QT_TRANSLATE_NOOP(
        "messages",
        "This PC's clinic data is not encrypted yet, so no backup is made of it. Sign in once "
        "to encrypt it, then make the backup.",
    ),
    "backup.disk_full": QT_TRANSLATE_NOOP(
        "messages",
        "The drive holding {folder} is full: the backup was not made, and nothing half-made "
        "is left there. Free some space or use a larger USB drive, and try again.",
    ),
    "backup.write_failed": QT_TRANSLATE_NOOP(
        "messages",
        "The backup could not be written to {folder}, and nothing half-made is left there. "
        "Check the drive (was it taken out?) and try again.",
    ),
    "backup.folder_missing": QT_TRANSLATE_NOOP(
        "messages",
        "The folder {folder} is not there (was the USB drive taken out?). Choose another one.",
    ),
    "backup.exists": QT_TRANSLATE_NOOP(
        "messages", "A backup with this name is already in {folder}. Wait a moment and try again."
    ),
    "backup.cancelled": QT_TRANSLATE_NOOP(
        "messages", "The backup was cancelled. Nothing was written."
    ),
    "backup.not_found": QT_TRANSLATE_NOOP("messages", "The backup file was not found."),
    "backup.damaged": QT_TRANSLATE_NOOP(
        "messages",
        "This backup is damaged (cut short, or changed since it was made). Nothing was restored "
        "from it. Use another backup.",
    ),
    "backup.unknown_format": QT_TRANSLATE_NOOP(
        "messages",
        "This file is not an HWC Spoke backup that this version can read. Use a newer version "
        "of HWC Spoke, or another backup.",
    ),
    "backup.unexpected_file": QT_TRANSLATE_NOOP(
        "messages",
        "This backup holds files it should not: it was not made by HWC Spoke, or it was "
        "changed. Nothing was restored from it.",
    ),
    "backup.target_not_empty": QT_TRANSLATE_NOOP(
        "messages",
        "The folder {folder} already holds a clinic database. Nothing was changed. Restore "
        "into another folder, or replace it (the folder there now is kept, renamed).",
    ),
    "backup.restore_failed": QT_TRANSLATE_NOOP(
        "messages",
        "The backup could not be restored into {folder}. The folder there was not changed.",
    ),
    # scheduled backups (services.backup_schedule)
    "backup.every_days_range": QT_TRANSLATE_NOOP(
        "messages", "Choose a backup every {min} to {max} day(s) (0 switches it off)."
    ),
    "backup.keep_range": QT_TRANSLATE_NOOP(
        "messages", "Choose to keep between {min} and {max} backups."
    ),
    "backup.folder_required": QT_TRANSLATE_NOOP(
        "messages", "Choose the folder (a USB drive) the backups go to."
    ),
    # diagnostics for field IT (services.diagnostics; docs/FIELD_IT.md): findings and advice
    "doctor.disk_ok": QT_TRANSLATE_NOOP(
        "messages",
        "The data folder is {folder}; {free} free on its drive.",
    ),
    "doctor.disk_low": QT_TRANSLATE_NOOP(
        "messages",
        "Only {free} free on the drive of the data folder {folder}.",
    ),
    "doctor.disk_very_low": QT_TRANSLATE_NOOP(
        "messages",
        "Only {free} free on the drive of the data folder {folder}: saving may fail at any moment.",
    ),
    "doctor.folder_missing": QT_TRANSLATE_NOOP(
        "messages",
        "The data folder {folder} does not exist yet; {free} free on the drive it would be on.",
    ),
    "doctor.folder_unusable": QT_TRANSLATE_NOOP(
        "messages",
        "The data folder {folder} cannot be used ({reason}).",
    ),
    "doctor.db_ok": QT_TRANSLATE_NOOP(
        "messages",
        "The clinic database ({size}) passed its integrity check in {seconds} s.",
    ),
    "doctor.db_none": QT_TRANSLATE_NOOP(
        "messages",
        "There is no clinic database in {folder}.",
    ),
    "doctor.db_damaged": QT_TRANSLATE_NOOP(
        "messages",
        "The clinic database is damaged: {first_error}.",
    ),
    "doctor.db_unopenable": QT_TRANSLATE_NOOP(
        "messages",
        "The clinic database did not open ({error_code}).",
    ),
    "doctor.db_check_stopped": QT_TRANSLATE_NOOP(
        "messages",
        "The integrity check was stopped after {seconds} s, before it finished.",
    ),
    "doctor.locked": QT_TRANSLATE_NOOP(
        "messages",
        "The clinic database is locked: this needs a sign-in.",
    ),
    "doctor.enc_on": QT_TRANSLATE_NOOP(
        "messages",
        "The clinic database is encrypted; the key file has {users} staff password(s) and the "
        "recovery key.",
    ),
    "doctor.enc_recovery_not_shown": QT_TRANSLATE_NOOP(
        "messages",
        "The clinic database is encrypted ({users} staff password(s)), but its recovery key has "
        "not been shown to anyone yet.",
    ),
    "doctor.enc_locked": QT_TRANSLATE_NOOP(
        "messages",
        "The clinic database is encrypted ({users} staff password(s) and the recovery key) and "
        "locked: only part of the checks could run.",
    ),
    "doctor.enc_off": QT_TRANSLATE_NOOP(
        "messages",
        "The clinic database is not encrypted yet.",
    ),
    "doctor.enc_new": QT_TRANSLATE_NOOP(
        "messages",
        "No database yet: it is made encrypted when the app first starts.",
    ),
    "doctor.enc_key_file_damaged": QT_TRANSLATE_NOOP(
        "messages",
        "The key file (keyslots.json) cannot be read.",
    ),
    "doctor.enrolled": QT_TRANSLATE_NOOP(
        "messages",
        "Enrolled as spoke {spoke} ({facility}) with the hub at {hub}.",
    ),
    "doctor.not_enrolled": QT_TRANSLATE_NOOP(
        "messages",
        "This PC is not enrolled with a hub: cases stay on this PC.",
    ),
    "doctor.hub_ok": QT_TRANSLATE_NOOP(
        "messages",
        "The hub at {hub} answered in {ms} ms, over a secure connection with the certificate "
        "pinned at enrolment.",
    ),
    "doctor.hub_plain_http": QT_TRANSLATE_NOOP(
        "messages",
        "The hub at {hub} answered in {ms} ms, over plain HTTP (not encrypted on the way).",
    ),
    "doctor.hub_unreachable": QT_TRANSLATE_NOOP(
        "messages",
        "The hub at {hub} could not be reached ({error_code}).",
    ),
    "doctor.hub_timeout": QT_TRANSLATE_NOOP(
        "messages",
        "The hub at {hub} did not answer within {seconds} s.",
    ),
    "doctor.hub_tls": QT_TRANSLATE_NOOP(
        "messages",
        "Something answered at {hub}, but not with the certificate pinned at enrolment (or "
        "not over HTTPS): the connection was refused before anything was sent.",
    ),
    "doctor.hub_busy": QT_TRANSLATE_NOOP(
        "messages",
        "The hub at {hub} is up but busy or failing (HTTP {status}).",
    ),
    "doctor.hub_bad_reply": QT_TRANSLATE_NOOP(
        "messages",
        "The hub at {hub} gave an answer that is not the protocol's ({error_code}).",
    ),
    "doctor.hub_skipped": QT_TRANSLATE_NOOP(
        "messages",
        "Not checked: run without --offline to reach the hub.",
    ),
    "doctor.hub_not_enrolled": QT_TRANSLATE_NOOP(
        "messages",
        "Not checked: this PC is not enrolled with a hub.",
    ),
    "doctor.clock_ok": QT_TRANSLATE_NOOP(
        "messages",
        "This PC's clock agrees with the hub's (off by {offset}, measured {measured}).",
    ),
    "doctor.clock_ahead": QT_TRANSLATE_NOOP(
        "messages",
        "This PC's clock is {offset} ahead of the hub's (measured {measured}).",
    ),
    "doctor.clock_behind": QT_TRANSLATE_NOOP(
        "messages",
        "This PC's clock is {offset} behind the hub's (measured {measured}).",
    ),
    "doctor.clock_unknown": QT_TRANSLATE_NOOP(
        "messages",
        "Not known: the hub has not been reached from this PC.",
    ),
    "doctor.sync_clear": QT_TRANSLATE_NOOP(
        "messages",
        "Nothing is waiting to be sent. Last successful sync: {last_success}.",
    ),
    "doctor.sync_never": QT_TRANSLATE_NOOP(
        "messages",
        "This PC has never synced with its hub; {records} record(s) and {photos} photo(s) wait "
        "to be sent.",
    ),
    "doctor.sync_waiting": QT_TRANSLATE_NOOP(
        "messages",
        "{records} record(s) and {photos} photo(s) wait to be sent, the oldest for {oldest}. "
        "Last successful sync: {last_success}.",
    ),
    "doctor.sync_refused": QT_TRANSLATE_NOOP(
        "messages",
        "The hub refused {refused} change(s); each needs a person to look.",
    ),
    "doctor.backup_ok": QT_TRANSLATE_NOOP(
        "messages",
        "The last backup was made {last_success}, to {folder}; one is made every {every} "
        "day(s) and the newest {keep} are kept.",
    ),
    "doctor.backup_first": QT_TRANSLATE_NOOP(
        "messages",
        "A backup every {every} day(s) to {folder} is set; the first is made at the next check "
        "while someone is signed in.",
    ),
    "doctor.backup_failing": QT_TRANSLATE_NOOP(
        "messages",
        "The last scheduled backup did not work ({error_code}, {failed_at}); the last good one "
        "was made {last_success}, to {folder}.",
    ),
    "doctor.backup_overdue": QT_TRANSLATE_NOOP(
        "messages",
        "No backup since {last_success}, though one is set for every {every} day(s) to "
        "{folder}. Last attempt: {error_code}.",
    ),
    "doctor.backup_none": QT_TRANSLATE_NOOP(
        "messages",
        "No scheduled backup is set on this PC.",
    ),
    "doctor.backup_unavailable": QT_TRANSLATE_NOOP(
        "messages",
        "Not checked: backups are made only of an encrypted clinic database.",
    ),
    "doctor.devices_none": QT_TRANSLATE_NOOP(
        "messages",
        "No devices are paired. Serial ports on this PC: {ports}.",
    ),
    "doctor.devices_ok": QT_TRANSLATE_NOOP(
        "messages",
        "Paired devices: {paired}. Serial ports on this PC: {ports}.",
    ),
    "doctor.device_port_missing": QT_TRANSLATE_NOOP(
        "messages",
        "The device {name} is paired on {port}, which is not on this PC now.",
    ),
    "doctor.devices_ports_only": QT_TRANSLATE_NOOP(
        "messages",
        "Serial ports on this PC: {ports}. The paired devices need a sign-in.",
    ),
    "doctor.devices_unknown": QT_TRANSLATE_NOOP(
        "messages",
        "The serial ports could not be listed.",
    ),
    "doctor.check_failed": QT_TRANSLATE_NOOP(
        "messages",
        "The check could not run ({error}).",
    ),
    "doctor.no_database": QT_TRANSLATE_NOOP(
        "messages",
        "Nothing to check: there is no clinic database.",
    ),
    "doctor.versions": QT_TRANSLATE_NOOP(
        "messages",
        "HWC Spoke {app}; Python {python}; Qt {qt}; SQLite {sqlite}; SQLCipher {sqlcipher}; {os}.",
    ),
    "doctor.updates_off": QT_TRANSLATE_NOOP(
        "messages",
        "This copy does not update itself (started from source, or built without the update "
        "key); {running} runs.",
    ),
    "doctor.updates_current": QT_TRANSLATE_NOOP(
        "messages",
        "Version {running} runs; no newer version is waiting.",
    ),
    "doctor.updates_staged": QT_TRANSLATE_NOOP(
        "messages",
        "Version {running} runs; {staged} has been downloaded and checked, and starts at the "
        "next start of the app.",
    ),
    "doctor.updates_bad": QT_TRANSLATE_NOOP(
        "messages",
        "Version(s) {bad} did not start on this PC and were set aside; {running} runs.",
    ),
    "doctor.updates_state": QT_TRANSLATE_NOOP(
        "messages",
        "The record of installed updates on this PC is damaged; the installed version runs "
        "({running}).",
    ),
    "doctor.advice.none": QT_TRANSLATE_NOOP(
        "messages",
        "Nothing to do.",
    ),
    "doctor.advice.free_space": QT_TRANSLATE_NOOP(
        "messages",
        "Free some space on this drive on this visit (empty the Recycle Bin, remove old "
        "downloads and installers): the clinic's data grows every day.",
    ),
    "doctor.advice.free_space_now": QT_TRANSLATE_NOOP(
        "messages",
        "Free space now (empty the Recycle Bin, remove old downloads and installers, move other "
        "files off): with the drive this full, saving a patient or a case can fail.",
    ),
    "doctor.advice.folder_access": QT_TRANSLATE_NOOP(
        "messages",
        "Check that the folder exists and that this Windows account may write to it; start the "
        "app as the clinic's usual account.",
    ),
    "doctor.advice.wrong_folder": QT_TRANSLATE_NOOP(
        "messages",
        "A new PC is fine like this. If this PC has been used for patients, this is the wrong "
        "folder: check --data-dir or SPOKE_DATA_DIR.",
    ),
    "doctor.advice.restore_backup": QT_TRANSLATE_NOOP(
        "messages",
        "Do not delete anything. Make a support bundle, stop entering new records on this PC "
        "and restore the latest backup (field IT).",
    ),
    "doctor.advice.check_again": QT_TRANSLATE_NOOP(
        "messages",
        "Run the diagnostics again when the PC is not busy.",
    ),
    "doctor.advice.unlock": QT_TRANSLATE_NOOP(
        "messages",
        "Sign in first (on the command line: set HWC_SPOKE_USER and HWC_SPOKE_PASSWORD, or "
        "HWC_SPOKE_RECOVERY_KEY), then run the diagnostics again.",
    ),
    "doctor.advice.show_recovery_key": QT_TRANSLATE_NOOP(
        "messages",
        "An administrator signs in: the app shows the recovery key once; write it down and keep "
        "it away from this PC.",
    ),
    "doctor.advice.sign_in_once": QT_TRANSLATE_NOOP(
        "messages",
        "Sign in once in the app: the database is encrypted then.",
    ),
    "doctor.advice.key_file": QT_TRANSLATE_NOOP(
        "messages",
        "Do not delete the key file or the database. Make a support bundle and restore the "
        "latest backup, or call field IT support.",
    ),
    "doctor.advice.enrol": QT_TRANSLATE_NOOP(
        "messages",
        "Enrol this PC with its hub (Sync page, or main.py enrol --token).",
    ),
    "doctor.advice.check_link": QT_TRANSLATE_NOOP(
        "messages",
        "Check the network or the mobile data link, then whether the hub is running (its "
        "administrator). Cases wait safely on this PC meanwhile.",
    ),
    "doctor.advice.tls": QT_TRANSLATE_NOOP(
        "messages",
        "Someone may be intercepting the connection, or the hub was reinstalled. Do not "
        "re-enrol: ask the hub's administrator first.",
    ),
    "doctor.advice.wait_hub": QT_TRANSLATE_NOOP(
        "messages",
        "Try again later; if it lasts, tell the hub's administrator.",
    ),
    "doctor.advice.plain_http": QT_TRANSLATE_NOOP(
        "messages",
        "Only acceptable behind the hub's own TLS proxy; otherwise re-enrol this PC with the "
        "hub's https address.",
    ),
    "doctor.advice.go_online": QT_TRANSLATE_NOOP(
        "messages",
        "Run the diagnostics with a network connection to check it.",
    ),
    "doctor.advice.set_clock": QT_TRANSLATE_NOOP(
        "messages",
        "Set this PC's date, time and time zone (India Standard Time) in Windows. The app "
        "orders sync and dates prescriptions by the hub's time, but times shown on this PC are "
        "wrong until then.",
    ),
    "doctor.advice.sync_now": QT_TRANSLATE_NOOP(
        "messages",
        "Open the Sync page and press Sync now; if it fails, see the hub check.",
    ),
    "doctor.advice.sync_refused": QT_TRANSLATE_NOOP(
        "messages",
        "Open the Sync page: each refused change says why; fix it and send it again.",
    ),
    "doctor.advice.schedule_backup": QT_TRANSLATE_NOOP(
        "messages",
        "An administrator sets a scheduled backup to a USB drive kept at the clinic (Settings, "
        "This PC's security): a broken or stolen PC then loses at most the days since the last "
        "one.",
    ),
    "doctor.advice.backup_drive": QT_TRANSLATE_NOOP(
        "messages",
        "Plug the backup drive in (or check that its folder is there and has free space); the "
        "next check, within minutes, makes the backup. Settings says why the last one did not "
        "work.",
    ),
    "doctor.advice.plug_device": QT_TRANSLATE_NOOP(
        "messages",
        "Plug the device's cable in (the same USB socket as before), or pair it again on the "
        "Devices page.",
    ),
    "doctor.advice.bad_version": QT_TRANSLATE_NOOP(
        "messages",
        "Send a support bundle (it holds the update log) to the hub's release manager; this PC "
        "keeps running the version that works.",
    ),
    "doctor.advice.update_state": QT_TRANSLATE_NOOP(
        "messages",
        "Delete state.json in the updates folder (docs/UPDATES.md, Recovering a PC): nothing "
        "of the clinic's data is in it, and the next check downloads the newest version again.",
    ),
    # the support bundle (services.support_bundle)
    "bundle.folder_missing": QT_TRANSLATE_NOOP(
        "messages",
        "The folder {folder} is not there (was the USB drive taken out?). Choose another one.",
    ),
    "bundle.disk_full": QT_TRANSLATE_NOOP(
        "messages",
        "The drive holding {folder} is full: the support bundle was not written. Free some "
        "space or choose another drive.",
    ),
    "bundle.write_failed": QT_TRANSLATE_NOOP(
        "messages",
        "The support bundle could not be written to {folder}. Choose another folder (a USB "
        "drive, or Documents).",
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
    "provision.malformed": QT_TRANSLATE_NOOP(
        "messages",
        "The provisioning file was not used: it is not a correct one. Ask field IT for a "
        "correct one, or enrol this PC on the Sync page.",
    ),
    "provision.unreadable": QT_TRANSLATE_NOOP(
        "messages",
        "The provisioning file could not be read. Ask field IT to check its rights, or enrol "
        "this PC on the Sync page.",
    ),
    "provision.undeletable": QT_TRANSLATE_NOOP(
        "messages",
        "The provisioning file could not be deleted: this PC has no rights to it. Ask field "
        "IT to delete the file.",
    ),
    "provision.other_hub": QT_TRANSLATE_NOOP(
        "messages",
        "The provisioning file names another hub than the one this PC is enrolled with and "
        "was not used. To move this clinic, use Move to another hub on the Sync page.",
    ),
    "provision.unsent_data": QT_TRANSLATE_NOOP(
        "messages",
        "Some records or photos have not reached the current hub yet. Sync first, or move "
        "anyway: they then go to the new hub with the clinic's history.",
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
    "backup.disk_full": QT_TRANSLATE_NOOP(
        "messages",
        "The drive is full: the backup was not made, and nothing half-made is left there. "
        "Free some space or use a larger USB drive, and try again.",
    ),
    "backup.write_failed": QT_TRANSLATE_NOOP(
        "messages",
        "The backup could not be written, and nothing half-made is left. Check the drive (was "
        "it taken out?) and try again.",
    ),
    "backup.folder_missing": QT_TRANSLATE_NOOP(
        "messages", "The folder is not there (was the USB drive taken out?). Choose another one."
    ),
    "backup.exists": QT_TRANSLATE_NOOP(
        "messages", "A backup with this name is already there. Wait a moment and try again."
    ),
    "backup.target_not_empty": QT_TRANSLATE_NOOP(
        "messages",
        "That folder already holds a clinic database. Nothing was changed. Restore into "
        "another folder, or replace it (the folder there now is kept, renamed).",
    ),
    "backup.restore_failed": QT_TRANSLATE_NOOP(
        "messages", "The backup could not be restored. The folder there was not changed."
    ),
    "backup.every_days_range": QT_TRANSLATE_NOOP(
        "messages", "Choose how often, in days, the backup is made (0 switches it off)."
    ),
    "backup.keep_range": QT_TRANSLATE_NOOP(
        "messages", "Choose how many backups to keep in the folder."
    ),
    "bundle.folder_missing": QT_TRANSLATE_NOOP(
        "messages", "The folder is not there (was the USB drive taken out?). Choose another one."
    ),
    "bundle.disk_full": QT_TRANSLATE_NOOP(
        "messages",
        "The drive is full: the support bundle was not written. Free some space or choose "
        "another drive.",
    ),
    "bundle.write_failed": QT_TRANSLATE_NOOP(
        "messages",
        "The support bundle could not be written there. Choose another folder (a USB drive, "
        "or Documents).",
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
