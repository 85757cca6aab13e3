"""The specialist's pages in a real browser: the queue's count refreshing itself when a clinic
syncs a new case, the rules' reasons on the prescription form, and every page usable with the
keyboard alone and at 150 % zoom, with nothing blocked by the Content-Security-Policy.

Set ``HWC_UPDATE_DOCS_SCREENSHOTS=1`` to rewrite the specialist screenshots in ``docs/``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from app.domain.models import Priority
from tests.browser.conftest import Hub, Page
from tests.browser.test_console_browser import (
    DOCS,
    assert_no_console_errors,
    assert_no_sideways_scroll,
    assert_tab_order,
    zoom_to_150_percent,
)
from tests.hub.spoke_ops import READINGS, SICK_READINGS, SpokeOps
from tests.prescription_helpers import SPECIALIST, SPECIALIST_PASSWORD, add_specialist


class Clinic:
    def __init__(self, hub: Hub, name: str = "Kheri HWC") -> None:
        self.store = hub.store
        self.spoke_id, _ = hub.store.register_spoke(name)
        self.ops = SpokeOps()

    def queue_case(self, patient: str, **kw: Any) -> str:
        create, p = self.ops.patient_create(self.ops.patient(patient))
        queue, case = self.ops.case_queue(p.id, **kw)
        results = self.store.apply_ops(self.spoke_id, [create, queue])
        assert [r.status for r in results] == ["applied", "applied"]
        return case.id


def test_the_queue_count_follows_a_clinics_sync_without_a_reload(page: Page, hub: Hub) -> None:
    add_specialist(hub.store)
    clinic = Clinic(hub)
    clinic.queue_case("Ramesh Kumar", readings=READINGS[:6])
    page.open("/login")
    page.sign_in(SPECIALIST, SPECIALIST_PASSWORD)
    assert page.text("#count-text") == "1 case waiting"
    assert not page.find("#queue-changed").is_displayed()
    marker = page.js("return window.performance.timeOrigin")

    clinic.queue_case("Sita Devi", readings=SICK_READINGS, priority=Priority.URGENT)
    page.wait(
        lambda d: page.text("#count-text") == "2 cases waiting",
        "the count did not follow the new case",
    )
    assert page.find("#queue-changed").is_displayed()
    # The same page: the count came by itself, nothing was reloaded under the reader.
    assert page.js("return window.performance.timeOrigin") == marker
    page.after_navigation(lambda: page.find("#queue-changed").click())
    names = [e.text for e in page.find_all("#queue tbody th a")]
    assert names == ["Sita Devi", "Ramesh Kumar"]  # NEWS2 and urgency first
    assert_no_console_errors(page)


def test_the_form_gives_each_rules_reason_next_to_the_medicine(page: Page, hub: Hub) -> None:
    add_specialist(hub.store)
    case_id = Clinic(hub).queue_case("Bhola Ram")
    page.open("/login")
    page.sign_in(SPECIALIST, SPECIALIST_PASSWORD)
    page.open(f"/cases/{case_id}/prescribe")
    page.find("#provisional_diagnosis").send_keys("Viral fever")
    page.js("document.getElementById('mode').value = 'audio';")
    for field, text in (
        ("item-0-generic_name", "AMOXICILLIN"),
        ("item-0-strength", "500 mg"),
        ("item-0-dosage_form", "Capsules"),
        ("item-0-dose", "1 capsule"),
        ("item-0-frequency", "1-1-1"),
        ("item-0-duration_days", "5"),
        ("item-0-quantity", "15"),
        ("item-0-quantity_unit", "capsule"),
    ):
        page.find(f"#{field}").send_keys(text)
    page.js("document.getElementById('item-0-route').value = 'oral';")
    page.after_navigation(lambda: page.find("button[value='check']").click())
    problems = page.text("#problems")
    assert "AMOXICILLIN needs a video consultation (audio given)" in problems
    assert "List A: only in a video consultation" in page.text("#item-0-rule")
    # The problem links to its field, which the keyboard then reaches.
    page.find("#problems a[href='#item-0-generic_name']").click()
    assert page.focused().get_attribute("id") == "item-0-generic_name"
    assert page.find("#item-0-generic_name").get_attribute("aria-invalid") == "true"
    assert_no_console_errors(page)


def visit_specialist_pages(page: Page, hub: Hub) -> Iterator[str]:
    add_specialist(hub.store)
    clinic = Clinic(hub)
    sick = clinic.queue_case("Sita Devi", readings=SICK_READINGS, priority=Priority.URGENT)
    clinic.queue_case("Ramesh Kumar", readings=READINGS[:6])
    page.open("/login")
    page.sign_in(SPECIALIST, SPECIALIST_PASSWORD)
    yield "queue"
    page.open(f"/cases/{sick}")
    yield "case"
    page.open(f"/cases/{sick}/prescribe")
    yield "prescription form"
    page.open("/formulary?q=para")
    yield "formulary"


def test_tab_reaches_every_specialist_control_in_order(page: Page, hub: Hub) -> None:
    for name in visit_specialist_pages(page, hub):
        assert_tab_order(page, name)
        assert_no_console_errors(page)


def test_every_specialist_page_fits_at_150_percent_zoom(
    page: Page, hub: Hub, tmp_path: Path
) -> None:
    width = zoom_to_150_percent(page)
    for number, name in enumerate(visit_specialist_pages(page, hub)):
        assert page.js("return innerWidth") == width
        shot = page.screenshot(tmp_path / f"specialist-{number}.png")
        if os.environ.get("HWC_UPDATE_DOCS_SCREENSHOTS") == "1" and name in ("queue", "case"):
            shutil.copy(shot, DOCS / f"console-{name.replace(' ', '-')}.png")
        assert_no_sideways_scroll(page, name)
