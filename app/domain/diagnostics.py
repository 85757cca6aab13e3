"""What a diagnostics run finds, and the rules that turn measurements into verdicts.

Field IT visit a clinic for a short time, often on a poor link; ``python main.py doctor`` and
Help → Diagnostics give them one list that says what is wrong and what to do. Each ``Check``
carries a plain English ``detail`` and ``advice`` (the command line prints them) and, for the
UI, a stable ``code`` and ``advice_code`` with ``params``: ``ENGLISH`` holds the English
sentence of every code, ``app.ui.messages`` its translated copy (docs/ARCHITECTURE.md,
"Diagnostics findings").

The thresholds live here, as pure functions, so the command line, the dialog and the tests
share one rule. Standard library only.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final


class Verdict(StrEnum):
    OK = "ok"
    WARNING = "warning"  # works now; will not for long, or not everywhere
    PROBLEM = "problem"  # something is broken or about to be: act today
    UNKNOWN = "unknown"  # not checked (offline, locked, not enrolled): says nothing either way


@dataclass(frozen=True, slots=True)
class Check:
    """One check's outcome. ``params`` fill the sentences of ``code`` and ``advice_code``;
    ``data`` holds structured facts for the JSON report (ports, devices), never patient
    data."""

    key: str  # "disk", "database", ... (CHECK_KEYS)
    title: str  # English
    verdict: Verdict
    detail: str  # English: what was found
    advice: str  # English: what to do
    code: str  # "doctor.disk_low": the detail's sentence in app.ui.messages
    advice_code: str  # "doctor.advice.free_space": the advice's sentence
    params: Mapping[str, str] = field(default_factory=dict)
    data: Mapping[str, object] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        return {
            "key": self.key,
            "title": self.title,
            "verdict": self.verdict.value,
            "detail": self.detail,
            "advice": self.advice,
            "code": self.code,
            "advice_code": self.advice_code,
            "params": dict(self.params),
            "data": dict(self.data),
        }


# The checks, in the order they are run and shown.
CHECK_KEYS: Final = (
    "disk",
    "database",
    "encryption",
    "enrolment",
    "hub",
    "clock",
    "sync",
    "backups",
    "devices",
    "versions",
    "updates",
)

# -- exit codes of ``main.py doctor`` -----------------------------------------------------------

EXIT_OK: Final = 0
EXIT_WARNING: Final = 1
EXIT_PROBLEM: Final = 2


def worst(checks: Iterable[Check]) -> Verdict:
    """PROBLEM over WARNING over OK. UNKNOWN (not checked) counts as nothing: what made a check
    impossible is reported by a check of its own (a locked folder's encryption check is a
    warning), so skipping the hub with ``--offline`` does not turn a healthy PC amber."""
    verdicts = {c.verdict for c in checks}
    for verdict in (Verdict.PROBLEM, Verdict.WARNING):
        if verdict in verdicts:
            return verdict
    return Verdict.OK


def exit_code(checks: Iterable[Check]) -> int:
    """0 everything checked is fine, 1 a warning, 2 a problem."""
    return {Verdict.PROBLEM: EXIT_PROBLEM, Verdict.WARNING: EXIT_WARNING}.get(
        worst(checks), EXIT_OK
    )


# -- disk ----------------------------------------------------------------------------------------

MB: Final = 1_000_000
# Below 500 MB a day's work can fail to save: SQLite needs room for its WAL and for the
# checkpoint that folds it back (up to the database's own size at a large change), attachments
# are photos of a few MB each, a backup is written beside nothing less than the database, and
# Windows updates stall on a full system drive. A problem: act today.
DISK_PROBLEM_BYTES: Final = 500 * MB
# Below 2 GB is a few weeks of photos and logs at a busy clinic, or one Windows update: a
# warning, so field IT free space on this visit rather than the next.
DISK_WARNING_BYTES: Final = 2000 * MB


def disk_verdict(free_bytes: int) -> Verdict:
    if free_bytes < DISK_PROBLEM_BYTES:
        return Verdict.PROBLEM
    if free_bytes < DISK_WARNING_BYTES:
        return Verdict.WARNING
    return Verdict.OK


def size_text(n_bytes: int) -> str:
    """A size as people read it: "730 MB", "12.4 GB" (decimal units, as Windows Explorer's
    drive bar rounds them)."""
    if n_bytes >= 10 * 1000 * MB:
        return f"{n_bytes / (1000 * MB):.0f} GB"
    if n_bytes >= 1000 * MB:
        return f"{n_bytes / (1000 * MB):.1f} GB"
    if n_bytes >= MB:
        return f"{n_bytes / MB:.0f} MB"
    return f"{max(0, n_bytes) // 1000} KB"


# -- clock ---------------------------------------------------------------------------------------

# Over 2 minutes the PC's times (saved, queued) visibly disagree with the hub's and the
# specialist's; over an hour the PC's date may be wrong, and certificates may look expired or
# not yet valid to this PC. The app orders sync and dates prescriptions by the hub's time, so
# neither loses data; what people read on this PC is still wrong.
CLOCK_WARNING_S: Final = 2 * 60.0
CLOCK_PROBLEM_S: Final = 60 * 60.0


def clock_verdict(offset_s: float) -> Verdict:
    size = abs(offset_s)
    if size > CLOCK_PROBLEM_S:
        return Verdict.PROBLEM
    if size > CLOCK_WARNING_S:
        return Verdict.WARNING
    return Verdict.OK


def duration_text(seconds: float) -> str:
    """A duration as people read it: "45 s", "3 min 20 s", "5 h 12 min", "3 days 4 h"."""
    s = round(abs(seconds))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        minutes, rest = divmod(s, 60)
        return f"{minutes} min {rest} s" if rest else f"{minutes} min"
    if s < 2 * 86400:
        hours, rest = divmod(s, 3600)
        return f"{hours} h {rest // 60} min" if rest // 60 else f"{hours} h"
    days, rest = divmod(s, 86400)
    return f"{days} days {rest // 3600} h" if rest // 3600 else f"{days} days"


# -- sync backlog --------------------------------------------------------------------------------

# A change made this morning and not yet sent is normal on a clinic's link; one waiting since
# yesterday means no round has worked all day; a week means the specialist has not seen a
# week of cases.
BACKLOG_WARNING_S: Final = 24 * 3600.0
BACKLOG_PROBLEM_S: Final = 7 * 24 * 3600.0


def backlog_verdict(pending: int, oldest_age_s: float | None, refused: int) -> Verdict:
    """``pending``: ops waiting to be sent; ``oldest_age_s``: how long the oldest has waited;
    ``refused``: ops the hub refused (a person must look at each)."""
    age = oldest_age_s or 0.0
    if pending and age > BACKLOG_PROBLEM_S:
        return Verdict.PROBLEM
    if refused or (pending and age > BACKLOG_WARNING_S):
        return Verdict.WARNING
    return Verdict.OK


# -- scheduled backups ---------------------------------------------------------------------------

# A backup missed once (a drive left at home for a day) is a warning when the last attempt
# failed; none for twice the interval means the clinic may lose that much work with this PC:
# act today. Not scheduled at all is a warning, as the recovery key not shown is.
BACKUP_OVERDUE_INTERVALS: Final = 2


def backup_verdict(every_days: int, age_s: float | None, failing: bool) -> Verdict:
    """``every_days``: the schedule (0: none); ``age_s``: how old the last good backup is
    (None: none yet); ``failing``: the last attempt failed."""
    if every_days <= 0:
        return Verdict.WARNING
    if age_s is None:
        return Verdict.PROBLEM if failing else Verdict.OK
    if age_s > BACKUP_OVERDUE_INTERVALS * every_days * 86400:
        return Verdict.PROBLEM
    return Verdict.WARNING if failing else Verdict.OK


# -- the findings --------------------------------------------------------------------------------

TITLES: Final[Mapping[str, str]] = {
    "disk": "Data folder and disk space",
    "database": "Clinic database",
    "encryption": "Encryption at rest",
    "enrolment": "Enrolment with the hub",
    "hub": "Hub connection and certificate",
    "clock": "Clock",
    "sync": "Sync backlog",
    "backups": "Scheduled backups",
    "devices": "Device ports and paired devices",
    "versions": "Versions",
    "updates": "Updates",
}

# The English sentence of every code a ``Check`` may carry (the command line prints them; the
# UI has its translated copies in app.ui.messages, and a test checks that they take the same
# params; docs/ARCHITECTURE.md lists them).
ENGLISH: Final[Mapping[str, str]] = {
    "doctor.disk_ok": "The data folder is {folder}; {free} free on its drive.",
    "doctor.disk_low": "Only {free} free on the drive of the data folder {folder}.",
    "doctor.disk_very_low": "Only {free} free on the drive of the data folder {folder}: "
    "saving may fail at any moment.",
    "doctor.folder_missing": "The data folder {folder} does not exist yet; {free} free on "
    "the drive it would be on.",
    "doctor.folder_unusable": "The data folder {folder} cannot be used ({reason}).",
    "doctor.db_ok": "The clinic database ({size}) passed its integrity check in {seconds} s.",
    "doctor.db_none": "There is no clinic database in {folder}.",
    "doctor.db_damaged": "The clinic database is damaged: {first_error}.",
    "doctor.db_unopenable": "The clinic database did not open ({error_code}).",
    "doctor.db_check_stopped": "The integrity check was stopped after {seconds} s, before it "
    "finished.",
    "doctor.locked": "The clinic database is locked: this needs a sign-in.",
    "doctor.enc_on": "The clinic database is encrypted; the key file has {users} staff "
    "password(s) and the recovery key.",
    "doctor.enc_recovery_not_shown": "The clinic database is encrypted ({users} staff "
    "password(s)), but its recovery key has not been shown to anyone yet.",
    "doctor.enc_locked": "The clinic database is encrypted ({users} staff password(s) and the "
    "recovery key) and locked: only part of the checks could run.",
    "doctor.enc_off": "The clinic database is not encrypted yet.",
    "doctor.enc_new": "No database yet: it is made encrypted when the app first starts.",
    "doctor.enc_key_file_damaged": "The key file (keyslots.json) cannot be read.",
    "doctor.enrolled": "Enrolled as spoke {spoke} ({facility}) with the hub at {hub}.",
    "doctor.not_enrolled": "This PC is not enrolled with a hub: cases stay on this PC.",
    "doctor.hub_ok": "The hub at {hub} answered in {ms} ms, over a secure connection with the "
    "certificate pinned at enrolment.",
    "doctor.hub_plain_http": "The hub at {hub} answered in {ms} ms, over plain HTTP (not "
    "encrypted on the way).",
    "doctor.hub_unreachable": "The hub at {hub} could not be reached ({error_code}).",
    "doctor.hub_timeout": "The hub at {hub} did not answer within {seconds} s.",
    "doctor.hub_tls": "Something answered at {hub}, but not with the certificate pinned at "
    "enrolment (or not over HTTPS): the connection was refused before anything was sent.",
    "doctor.hub_busy": "The hub at {hub} is up but busy or failing (HTTP {status}).",
    "doctor.hub_bad_reply": "The hub at {hub} gave an answer that is not the protocol's "
    "({error_code}).",
    "doctor.hub_skipped": "Not checked: run without --offline to reach the hub.",
    "doctor.hub_not_enrolled": "Not checked: this PC is not enrolled with a hub.",
    "doctor.clock_ok": "This PC's clock agrees with the hub's (off by {offset}, measured "
    "{measured}).",
    "doctor.clock_ahead": "This PC's clock is {offset} ahead of the hub's (measured {measured}).",
    "doctor.clock_behind": "This PC's clock is {offset} behind the hub's (measured {measured}).",
    "doctor.clock_unknown": "Not known: the hub has not been reached from this PC.",
    "doctor.sync_clear": "Nothing is waiting to be sent. Last successful sync: {last_success}.",
    "doctor.sync_never": "This PC has never synced with its hub; {records} record(s) and "
    "{photos} photo(s) wait to be sent.",
    "doctor.sync_waiting": "{records} record(s) and {photos} photo(s) wait to be sent, the "
    "oldest for {oldest}. Last successful sync: {last_success}.",
    "doctor.sync_refused": "The hub refused {refused} change(s); each needs a person to look.",
    "doctor.backup_ok": "The last backup was made {last_success}, to {folder}; one is made "
    "every {every} day(s) and the newest {keep} are kept.",
    "doctor.backup_first": "A backup every {every} day(s) to {folder} is set; the first is "
    "made at the next check while someone is signed in.",
    "doctor.backup_failing": "The last scheduled backup did not work ({error_code}, "
    "{failed_at}); the last good one was made {last_success}, to {folder}.",
    "doctor.backup_overdue": "No backup since {last_success}, though one is set for every "
    "{every} day(s) to {folder}. Last attempt: {error_code}.",
    "doctor.backup_none": "No scheduled backup is set on this PC.",
    "doctor.backup_unavailable": "Not checked: backups are made only of an encrypted clinic "
    "database.",
    "doctor.devices_none": "No devices are paired. Serial ports on this PC: {ports}.",
    "doctor.devices_ok": "Paired devices: {paired}. Serial ports on this PC: {ports}.",
    "doctor.device_port_missing": "The device {name} is paired on {port}, which is not on "
    "this PC now.",
    "doctor.devices_ports_only": "Serial ports on this PC: {ports}. The paired devices need "
    "a sign-in.",
    "doctor.devices_unknown": "The serial ports could not be listed.",
    "doctor.check_failed": "The check could not run ({error}).",
    "doctor.no_database": "Nothing to check: there is no clinic database.",
    "doctor.versions": "HWC Spoke {app}; Python {python}; Qt {qt}; SQLite {sqlite}; "
    "SQLCipher {sqlcipher}; {os}.",
    "doctor.updates_off": "This copy does not update itself (started from source, or built "
    "without the update key); {running} runs.",
    "doctor.updates_current": "Version {running} runs; no newer version is waiting.",
    "doctor.updates_staged": "Version {running} runs; {staged} has been downloaded and "
    "checked, and starts at the next start of the app.",
    "doctor.updates_bad": "Version(s) {bad} did not start on this PC and were set aside; "
    "{running} runs.",
    "doctor.updates_state": "The record of installed updates on this PC is damaged; the "
    "installed version runs ({running}).",
    "doctor.advice.none": "Nothing to do.",
    "doctor.advice.free_space": "Free some space on this drive on this visit (empty the "
    "Recycle Bin, remove old downloads and installers): the clinic's data grows every day.",
    "doctor.advice.free_space_now": "Free space now (empty the Recycle Bin, remove old "
    "downloads and installers, move other files off): with the drive this full, saving a "
    "patient or a case can fail.",
    "doctor.advice.folder_access": "Check that the folder exists and that this Windows account "
    "may write to it; start the app as the clinic's usual account.",
    "doctor.advice.wrong_folder": "A new PC is fine like this. If this PC has been used for "
    "patients, this is the wrong folder: check --data-dir or SPOKE_DATA_DIR.",
    "doctor.advice.restore_backup": "Do not delete anything. Make a support bundle, stop "
    "entering new records on this PC and restore the latest backup (field IT).",
    "doctor.advice.check_again": "Run the diagnostics again when the PC is not busy.",
    "doctor.advice.unlock": "Sign in first (on the command line: set HWC_SPOKE_USER and "
    "HWC_SPOKE_PASSWORD, or HWC_SPOKE_RECOVERY_KEY), then run the diagnostics again.",
    "doctor.advice.show_recovery_key": "An administrator signs in: the app shows the recovery "
    "key once; write it down and keep it away from this PC.",
    "doctor.advice.sign_in_once": "Sign in once in the app: the database is encrypted then.",
    "doctor.advice.key_file": "Do not delete the key file or the database. Make a support "
    "bundle and restore the latest backup, or call field IT support.",
    "doctor.advice.enrol": "Enrol this PC with its hub (Sync page, or main.py enrol --token).",
    "doctor.advice.check_link": "Check the network or the mobile data link, then whether the "
    "hub is running (its administrator). Cases wait safely on this PC meanwhile.",
    "doctor.advice.tls": "Someone may be intercepting the connection, or the hub was "
    "reinstalled. Do not re-enrol: ask the hub's administrator first.",
    "doctor.advice.wait_hub": "Try again later; if it lasts, tell the hub's administrator.",
    "doctor.advice.plain_http": "Only acceptable behind the hub's own TLS proxy; otherwise "
    "re-enrol this PC with the hub's https address.",
    "doctor.advice.go_online": "Run the diagnostics with a network connection to check it.",
    "doctor.advice.set_clock": "Set this PC's date, time and time zone (India Standard Time) "
    "in Windows. The app orders sync and dates prescriptions by the hub's time, but times "
    "shown on this PC are wrong until then.",
    "doctor.advice.sync_now": "Open the Sync page and press Sync now; if it fails, see the "
    "hub check.",
    "doctor.advice.sync_refused": "Open the Sync page: each refused change says why; fix it "
    "and send it again.",
    "doctor.advice.schedule_backup": "An administrator sets a scheduled backup to a USB drive "
    "kept at the clinic (Settings, This PC's security): a broken or stolen PC then loses at "
    "most the days since the last one.",
    "doctor.advice.backup_drive": "Plug the backup drive in (or check that its folder is there "
    "and has free space); the next check, within minutes, makes the backup. Settings says why "
    "the last one did not work.",
    "doctor.advice.plug_device": "Plug the device's cable in (the same USB socket as before), "
    "or pair it again on the Devices page.",
    "doctor.advice.bad_version": "Send a support bundle (it holds the update log) to the "
    "hub's release manager; this PC keeps running the version that works.",
    "doctor.advice.update_state": "Delete state.json in the updates folder (docs/UPDATES.md, "
    "Recovering a PC): nothing of the clinic's data is in it, and the next check downloads "
    "the newest version again.",
}

NO_ADVICE: Final = "doctor.advice.none"


def params_of(code: str) -> frozenset[str]:
    """The params the sentence of ``code`` takes."""
    return frozenset(name for _, name, _, _ in string.Formatter().parse(ENGLISH[code]) if name)


def finding(
    key: str,
    verdict: Verdict,
    code: str,
    advice_code: str = NO_ADVICE,
    params: Mapping[str, object] | None = None,
    data: Mapping[str, object] | None = None,
) -> Check:
    """A ``Check`` with its English text filled from ``params`` (made text: ``str`` each)."""
    shown = {k: str(v) for k, v in (params or {}).items()}
    return Check(
        key=key,
        title=TITLES[key],
        verdict=verdict,
        detail=ENGLISH[code].format_map(shown),
        advice=ENGLISH[advice_code],
        code=code,
        advice_code=advice_code,
        params=shown,
        data=dict(data or {}),
    )
