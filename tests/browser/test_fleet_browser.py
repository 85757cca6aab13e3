"""The Clinics page in a real browser, used with the keyboard: reached from the menu, every
control in order with its focus ring, refreshed by its link, and readable at 150 % zoom.

Set ``HWC_UPDATE_DOCS_SCREENSHOTS=1`` to rewrite ``docs/console-clinics.png``.
"""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.browser.conftest import Hub, Page
from tests.browser.test_console_browser import (
    DOCS,
    assert_no_console_errors,
    assert_no_sideways_scroll,
    assert_tab_order,
    signed_in,
    zoom_to_150_percent,
)

GB = 10**9


def add_clinics(hub: Hub) -> None:
    """Three clinics: one to visit (silent for 3 days, short of disk), one with things to
    check, one fine."""
    now = datetime.now(UTC)
    base = {
        "app_version": "0.2.0",
        "os": "Windows-10-10.0.19045-SP0",
        "pending_ops": 0,
        "pending_blob_bytes": 0,
        "needs_attention": 0,
        "clock_offset_s": 0.3,
        "free_disk_bytes": 38 * GB,
    }
    reports = [
        ("Rampur HWC", base, timedelta(minutes=12)),
        (
            "Kheri HWC",
            base | {"app_version": "0.1.0", "clock_offset_s": 420.0, "needs_attention": 2},
            timedelta(hours=3),
        ),
        (
            "Sitapur HWC",
            base
            | {
                "free_disk_bytes": 410 * 10**6,
                "pending_ops": 14,
                "oldest_pending_s": 3 * 86400,
                "pending_blob_bytes": 2_400_000,
            },
            timedelta(days=3, hours=2),
        ),
    ]
    for name, report, age in reports:
        spoke_id, _ = hub.store.register_spoke(name)
        hub.store.record_health(spoke_id, report, now - age)


def tab_to(page: Page, name: str, limit: int = 40) -> None:
    """Press Tab until the control named ``name`` (its text) has the focus."""
    for _ in range(limit):
        if page.focused().text.strip() == name:
            return
        page.tab()
    raise AssertionError(f"Tab never reached {name!r}")


def test_the_clinics_page_by_keyboard_and_at_150_percent_zoom(
    page: Page, hub: Hub, tmp_path: Path
) -> None:
    add_clinics(hub)
    signed_in(page)
    tab_to(page, "Clinics")
    page.enter()
    assert page.path == "/console/clinics"
    assert page.find('nav a[aria-current="page"]').text == "Clinics"

    # The clinic to visit first is at the top, and says why in words, not colour alone.
    names = [e.text.splitlines()[0] for e in page.find_all('tbody th[scope="row"]')]
    assert names == ["Sitapur HWC", "Kheri HWC", "Rampur HWC"]
    first = page.text("tbody tr:first-child")
    assert "Problem: Over 2 days without a completed sync" in first
    assert "Problem: Under 500 MB free" in first
    # The stylesheet applies (under the page's CSP nonce): a problem has its red rule.
    assert page.style("td.flag-problem", "border-left-color") == "rgb(164, 0, 15)"
    assert_no_console_errors(page)

    assert_tab_order(page, "clinics")
    tab_to(page, "Refresh")
    page.enter()
    assert page.path == "/console/clinics"

    width = zoom_to_150_percent(page)
    page.open("/clinics")
    assert page.js("return innerWidth") == width
    assert_no_sideways_scroll(page, "clinics")
    assert_tab_order(page, "clinics at 150 %")
    shot = page.screenshot(tmp_path / "console-clinics.png")
    if os.environ.get("HWC_UPDATE_DOCS_SCREENSHOTS") == "1":
        shutil.copyfile(shot, DOCS / "console-clinics.png")
