"""The Clinics page of the hub's console over a real loopback socket, with the real SQLite store:
which clinics come first, what is flagged and why, and who may see it."""

from __future__ import annotations

import html
import re
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hub.app import create_app
from hub.console import fleet
from hub.server import RunningHub, start_in_thread
from hub.storage.sqlite import SqliteHubStore
from tests.hub.test_console import ADMIN, ADMIN_PW, SPECIALIST, SPECIALIST_PW, Browser

GB = 10**9
_ROW = re.compile(r'<tr id="clinic-[^"]+">(.*?)</tr>', re.DOTALL)
_TAG = re.compile(r"<[^>]+>")


def healthy(**changes: object) -> dict[str, object]:
    report: dict[str, object] = {
        "app_version": "0.2.0",
        "os": "Windows-10-10.0.19045-SP0",
        "pending_ops": 0,
        "pending_blob_bytes": 0,
        "needs_attention": 0,
        "clock_offset_s": 0.4,
        "free_disk_bytes": 40 * GB,
    }
    return report | changes


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SqliteHubStore]:
    path = tmp_path_factory.mktemp("fleet") / "hub.sqlite3"
    s = SqliteHubStore(path)
    s.migrate()
    s.add_user(ADMIN, "Asha Admin", "hub_admin", ADMIN_PW)
    s.add_user(
        SPECIALIST, "Dr Rao", "specialist", SPECIALIST_PW, registration_no="MCI-1", specialty="ENT"
    )
    now = datetime.now(UTC)
    spokes = {name: s.register_spoke(name)[0] for name in (
        "Fine HWC", "Old App HWC", "Skewed HWC", "Disk Full HWC", "Silent HWC", "New HWC",
        "Ghost HWC",
    )}  # fmt: skip
    reports = {
        "Fine HWC": (healthy(), timedelta(minutes=10)),
        "Old App HWC": (healthy(app_version="0.1.0"), timedelta(hours=2)),
        "Skewed HWC": (
            healthy(clock_offset_s=-300.0, free_disk_bytes=int(1.5 * GB)),
            timedelta(hours=1),
        ),
        "Disk Full HWC": (healthy(free_disk_bytes=300 * 10**6), timedelta(hours=1)),
        "Silent HWC": (
            healthy(app_version="0.1.9", pending_ops=7, oldest_pending_s=3 * 86400),
            timedelta(days=3, hours=1),
        ),
    }
    for name, (report, age) in reports.items():
        s.record_health(spokes[name], report, now - age)
    # Enrolled five days ago and never heard from since.
    conn = sqlite3.connect(path)
    with conn:
        conn.execute(
            "UPDATE spokes SET created_at = ? WHERE id = ?",
            [(now - timedelta(days=5)).isoformat(timespec="microseconds"), spokes["Ghost HWC"]],
        )
    conn.close()
    try:
        yield s
    finally:
        s.close()


@pytest.fixture(scope="module")
def hub(store: SqliteHubStore) -> Iterator[RunningHub]:
    running = start_in_thread(create_app(store, name="Test Hub"))
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def browser(hub: RunningHub) -> Iterator[Browser]:
    b = Browser(hub)
    try:
        yield b
    finally:
        b.close()


def rows(page: str) -> list[str]:
    """Each clinic's row as the text a person reads, in page order."""
    return [" ".join(html.unescape(_TAG.sub(" ", row)).split()) for row in _ROW.findall(page)]


def row_of(page: str, name: str) -> str:
    return next(r for r in rows(page) if r.startswith(name))


def test_clinics_that_need_a_visit_come_first_with_their_reasons(browser: Browser) -> None:
    assert browser.login(ADMIN, ADMIN_PW).status_code == 200
    answer = browser.get("/clinics")
    assert answer.status_code == 200
    page = answer.text

    order = re.findall(r'<th scope="row">([^<]+)<', page)
    assert order == [
        "Silent HWC",  # a problem (no sync for 3 days), an old version, changes stuck
        "Ghost HWC",  # a problem (never synced since enrolling), not heard from at all
        "Disk Full HWC",  # a problem (300 MB free)
        "Skewed HWC",  # two to check: the clock and 1.5 GB free
        "Old App HWC",  # one to check: the version
        "New HWC",  # nothing to do, never synced (enrolled just now)
        "Fine HWC",
    ]
    assert "3 clinics need a visit." in page

    silent = row_of(page, "Silent HWC")
    assert "1 problem, 2 things to check" in silent
    assert "3 days ago" in silent
    assert "Problem: Over 2 days without a completed sync" in silent
    assert "Check: Older than 0.2.0, the newest in use" in silent
    assert "7 changes waiting; oldest 3 days" in silent
    assert "Check: Changes have waited over a day" in silent

    ghost = row_of(page, "Ghost HWC")
    assert (
        "Never" in ghost and "Problem: No sync reported since it was enrolled 5 days ago" in ghost
    )

    disk = row_of(page, "Disk Full HWC")
    assert "300 MB free" in disk and "Problem: Under 500 MB free" in disk

    skewed = row_of(page, "Skewed HWC")
    assert "2 things to check" in skewed
    assert "5 min behind" in skewed and "Check: The PC's clock is 5 min behind" in skewed
    assert "1.5 GB free" in skewed and "Check: Under 2 GB free" in skewed

    fine = row_of(page, "Fine HWC")
    assert "Nothing to do" in fine and "Problem" not in fine and "Check" not in fine
    assert "10 minutes ago" in fine and "Matches the hub" in fine and "40.0 GB free" in fine
    assert "Windows-10-10.0.19045-SP0" in fine and "Nothing waiting" in fine

    new = row_of(page, "New HWC")
    assert "Not yet" in new and "Not reported" in new and "Problem" not in new

    # A Refresh link, and no script: the page works without JavaScript.
    assert 'href="/console/clinics">Refresh</a>' in page
    assert "<script" not in page
    assert 'aria-current="page">Clinics</a>' in page


def test_the_clinics_page_is_the_administrators_alone(browser: Browser) -> None:
    signed_out = browser.get("/clinics", allow_redirects=False)
    assert signed_out.status_code == 303
    assert signed_out.headers["location"] == "/console/login?next=/console/clinics"

    assert browser.login(SPECIALIST, SPECIALIST_PW).status_code == 200
    refused = browser.get("/clinics")
    assert refused.status_code == 403
    assert "This page is for the hub administrator." in refused.text
    assert "Silent HWC" not in refused.text and "Windows" not in refused.text
    assert "/console/clinics" not in browser.get("/queue").text  # not in their menu


# --- the judgements, one by one ------------------------------------------------------------


NOW = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)


def spoke(report: dict[str, object] | None, synced: timedelta | None, name: str = "A") -> dict:
    return {
        "id": name,
        "name": name,
        "created_at": NOW - timedelta(days=30),
        "report": report,
        "received_at": None if synced is None else NOW - synced,
    }


@pytest.mark.parametrize(
    ("synced", "text", "flagged"),
    [
        (timedelta(seconds=20), "just now", False),
        (timedelta(minutes=1), "1 minute ago", False),
        (timedelta(hours=47), "47 hours ago", False),
        (timedelta(days=2), "2 days ago", False),  # exactly 2 days: not over
        (timedelta(days=2, seconds=1), "2 days ago", True),
        (timedelta(days=40), "40 days ago", True),
    ],
)
def test_last_sync_reads_as_people_say_it_and_is_flagged_past_two_days(
    synced: timedelta, text: str, flagged: bool
) -> None:
    [row] = fleet.clinic_rows([spoke(healthy(), synced)], NOW)
    assert row.last_sync.text == text
    assert (row.last_sync.flag is not None) is flagged
    assert row.last_sync.detail == (NOW - synced).strftime("%Y-%m-%d %H:%M UTC")


@pytest.mark.parametrize(
    ("free", "level"),
    [
        (2 * GB, None),
        (2 * GB - 1, "check"),
        (500 * 10**6, "check"),
        (500 * 10**6 - 1, "problem"),
        (0, "problem"),
    ],
)
def test_free_disk_is_checked_under_2_gb_and_a_problem_under_500_mb(
    free: int, level: str | None
) -> None:
    [row] = fleet.clinic_rows([spoke(healthy(free_disk_bytes=free), timedelta(hours=1))], NOW)
    assert (row.disk.flag and row.disk.flag.level) == level


@pytest.mark.parametrize(
    ("offset", "text", "flagged"),
    [
        (0.4, "Matches the hub", False),
        (-120.0, "2 min behind", False),
        (121.0, "2 min ahead", True),
        (3 * 365 * 86400.0, "1095 days ahead", True),
    ],
)
def test_a_clock_is_flagged_past_two_minutes_either_way(
    offset: float, text: str, flagged: bool
) -> None:
    [row] = fleet.clinic_rows([spoke(healthy(clock_offset_s=offset), timedelta(hours=1))], NOW)
    assert row.clock.text == text and (row.clock.flag is not None) is flagged


def test_versions_compare_as_numbers_and_only_older_ones_are_flagged() -> None:
    clinics = [
        spoke(healthy(app_version="0.10.0"), timedelta(hours=1), "A"),
        spoke(healthy(app_version="0.9.3"), timedelta(hours=1), "B"),
        spoke(healthy(app_version="dev build"), timedelta(hours=1), "C"),
    ]
    by_name = {r.name: r for r in fleet.clinic_rows(clinics, NOW)}
    assert by_name["A"].version.flag is None
    flag = by_name["B"].version.flag
    assert flag is not None and "Older than 0.10.0" in flag.why
    assert by_name["C"].version.flag is None  # nothing to compare: not judged


def test_refused_changes_are_something_to_check_at_the_clinic() -> None:
    report = healthy(needs_attention=2, pending_ops=1, oldest_pending_s=60)
    [row] = fleet.clinic_rows([spoke(report, timedelta(hours=1))], NOW)
    assert row.backlog.text == "1 change waiting; oldest 1 min; 2 refused by the hub"
    assert row.backlog.flag is not None and "The hub refused 2 changes" in row.backlog.flag.why


def test_a_report_with_fields_missing_shows_not_reported_and_judges_nothing() -> None:
    [row] = fleet.clinic_rows([spoke({}, timedelta(hours=1))], NOW)
    cells = (row.version, row.backlog, row.clock, row.disk, row.os)
    assert all(c.text == "Not reported" and c.flag is None for c in cells)


@pytest.mark.parametrize(
    ("n", "text"),
    [(999, "999 B"), (12_345, "12.3 kB"), (350 * 10**6, "350 MB"), (12_300_000_000, "12.3 GB")],
)
def test_sizes_read_in_decimal_units(n: int, text: str) -> None:
    assert fleet.size(n) == text


def test_a_clinic_page_without_clinics_says_how_to_enrol_one(tmp_path: Path) -> None:
    empty = SqliteHubStore(tmp_path / "empty.sqlite3")
    empty.migrate()
    empty.add_user(ADMIN, "Asha Admin", "hub_admin", ADMIN_PW)
    running = start_in_thread(create_app(empty))
    b = Browser(running)
    try:
        b.login(ADMIN, ADMIN_PW)
        page = b.get("/clinics").text
        assert "No clinic has enrolled yet." in page and 'href="/console/enrol"' in page
    finally:
        b.close()
        running.stop()
        empty.close()
