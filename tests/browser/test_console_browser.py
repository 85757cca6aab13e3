"""The hub's web console in a real browser, used with the keyboard as its users do.

What the HTTP-level tests (``tests/hub/test_console.py``) cannot see: that the stylesheet
applies under the Content-Security-Policy nonce, that the QR code renders, that Tab reaches
every control with a visible focus ring, and that the pages fit at 150 % zoom.

Set ``HWC_UPDATE_DOCS_SCREENSHOTS=1`` to rewrite the screenshot in ``docs/``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from app.domain import enrolment
from hub.app import create_app
from hub.server import hub_identity, start_in_thread
from hub.storage.sqlite import SqliteHubStore
from tests.browser.conftest import ADMIN, Hub, Page

if TYPE_CHECKING:  # selenium may be missing: the fixtures then skip, or fail when required
    from selenium.webdriver.remote.webelement import WebElement

DOCS = Path(__file__).resolve().parents[2] / "docs"
SPOKE_SECRET = "s" * 43
# Every control a person can reach with Tab (the copy button is hidden until scripts run).
CONTROLS = (
    "a[href], button:not([hidden]), input:not([type=hidden]), select, textarea, "
    "[tabindex]:not([tabindex='-1'])"
)


def signed_in(page: Page) -> None:
    page.open("/spokes")
    assert page.path == "/console/login?next=/console/spokes"
    page.sign_in()
    assert page.path == "/console/spokes"  # the page asked for before signing in


def issue_token(page: Page, facility: str, days: str = "14") -> str:
    """Issue a token from the enrolment form, by keyboard; returns the token's text."""
    page.open("/enrol")
    page.find("#facility").click()
    page.type_into("facility", facility)
    page.tab()
    # Select what the field holds and type over it, as a person does.
    page.select_all()
    page.type_into("valid_days", days)
    page.enter()
    token: str = page.text("#token")
    return token


def assert_no_console_errors(page: Page) -> None:
    # A style or script the CSP blocks is reported here, and nowhere else.
    assert page.console_errors() == []


# --- trust ---------------------------------------------------------------------------------


def test_the_browser_trusts_this_hub_and_no_other(page: Page, tmp_path: Path) -> None:
    page.open("/login")
    assert page.driver.title == "Sign in · HWC Hub console"
    # Another hub, with a CA of its own: certificate checking is on, so the browser refuses it.
    store = SqliteHubStore(tmp_path / "other.sqlite3")
    store.migrate()
    other = start_in_thread(create_app(store), identity=hub_identity(store, "127.0.0.1:0"))
    try:
        page.driver.get(f"{other.url}/console/login")
        assert page.driver.title == "Privacy error"
        assert not page.find_all("#username")
    finally:
        other.stop(timeout=0.3)
        store.close()


# --- signing in and out --------------------------------------------------------------------


def test_the_admin_signs_in_by_keyboard_and_the_stylesheet_applies(page: Page) -> None:
    signed_in(page)
    assert page.text("h1") == "Spokes"
    assert "Asha Admin (asha)" in page.text("header")
    # The inline stylesheet carries the response's nonce; were it blocked, these would be the
    # browser's defaults (max-width none, a grey button, a 32 px serif heading).
    assert page.style("body", "max-width") == "1152px"  # 72rem
    assert page.style("header button", "background-color") == "rgb(255, 255, 255)"
    assert page.style("header button", "color") == "rgb(11, 79, 160)"
    assert page.style("h1", "font-size") == "25.6px"  # 1.6rem
    assert "serif" not in page.style("body", "font-family").replace("sans-serif", "")
    assert_no_console_errors(page)
    # The policy is in force: a stylesheet without the nonce is refused, and reported.
    page.js(
        "const s = document.createElement('style');"
        "s.textContent = 'body { max-width: 10px; }'; document.head.append(s);"
    )
    assert page.style("body", "max-width") == "1152px"
    (refused,) = page.console_errors()
    assert "Content Security Policy" in refused


def test_a_wrong_password_shows_the_message(page: Page) -> None:
    page.open("/login")
    page.sign_in(ADMIN, "not-the-password")
    assert page.path == "/console/login"
    error = page.find("#login-error")
    assert error.is_displayed()
    assert error.get_attribute("role") == "alert"
    assert "Wrong username or password" in error.text
    assert page.style("#login-error", "color") == "rgb(164, 0, 15)"
    # The username stays for the next try, and the field names the error for screen readers.
    username = page.find("#username")
    assert username.get_attribute("value") == ADMIN
    assert username.get_attribute("aria-describedby") == "login-error"
    assert_no_console_errors(page)


def test_sign_out(page: Page) -> None:
    signed_in(page)
    page.open("/spokes")
    button = page.find("header form.signout button")
    assert button.text == "Sign out"
    button.send_keys("")  # focus it, as Tab would
    page.enter()
    assert page.path.startswith("/console/login")
    assert "You have signed out" in page.text()
    page.open("/users")
    assert page.path == "/console/login?next=/console/users"


# --- enrolling a clinic --------------------------------------------------------------------


def test_an_issued_token_shows_with_its_qr_code_and_in_the_list(
    page: Page, hub: Hub, tmp_path: Path
) -> None:
    signed_in(page)
    first = issue_token(page, "Rampur HWC")
    decoded = enrolment.decode(first)
    assert decoded.address == f"127.0.0.1:{hub.running.port}"
    # The QR code is inline SVG: it renders with a real size, square.
    size = page.js(
        "const r = document.querySelector('figure svg').getBoundingClientRect();"
        "return [r.width, r.height];"
    )
    assert size[0] > 100 and size[0] == size[1]
    assert page.find("#copy").is_displayed()  # the page's script ran under the nonce
    rows = page.text("table tbody")
    assert "Rampur HWC" in rows and "Unused, valid until" in rows

    hub.store.redeem_enrol_token(decoded.secret, SPOKE_SECRET)  # the clinic enrols
    second = issue_token(page, "Sitapur HWC", days="30")
    assert second != first
    rows_text = [row.text for row in page.find_all("table tbody tr")]
    assert any(
        r.startswith("Rampur HWC") and "Used" in r and "by Rampur HWC" in r for r in rows_text
    )
    assert any(r.startswith("Sitapur HWC") and "Unused, valid until" in r for r in rows_text)
    assert first not in page.text() and second in page.text()  # shown once, never again
    assert_no_console_errors(page)

    shot = page.screenshot(tmp_path / "console-enrol.png")
    if os.environ.get("HWC_UPDATE_DOCS_SCREENSHOTS") == "1":
        shutil.copyfile(shot, DOCS / "console-enrol.png")

    page.open("/enrol")
    assert not page.find_all("#token")  # a reload does not show the token again


# --- clinic staff --------------------------------------------------------------------------


def test_a_paramedic_is_added_for_a_clinic_and_disabled(page: Page, hub: Hub) -> None:
    hub.store.register_spoke("Rampur HWC")
    signed_in(page)
    page.open("/users")
    page.find("#new-username").click()
    page.type_into("new-username", "ravi.k")
    page.tab()
    page.type_into("new-name", "Ravi Kumar")
    page.tab()
    page.type_into("new-role", "Paramedic")  # a closed select picks by typing
    page.tab()
    page.type_into("new-spoke", "Rampur")
    page.tab(5)  # past the specialist's four fields
    page.type_into("new-password", "paramedic-pw-1")
    page.tab()
    page.type_into("new-password2", "paramedic-pw-1")
    page.enter()

    assert page.path == "/console/users"
    assert page.text("[role=status]") == "Added the user ravi.k."
    row = _row(page, "ravi.k")
    assert "Ravi Kumar" in row.text and "Paramedic (clinic)" in row.text
    assert "Rampur HWC" in row.text and "Active" in row.text

    disable = row.find_element("css selector", "button[aria-label='Disable ravi.k']")
    disable.send_keys("")  # focus it, as Tab would
    page.enter()
    assert page.text("[role=status]") == "The user ravi.k is disabled."
    row = _row(page, "ravi.k")
    assert "Disabled" in row.text
    assert row.find_element("css selector", "button").text == "Enable"
    (stored,) = [u for u in hub.store.users() if u["username"] == "ravi.k"]
    assert not stored["active"]
    assert stored["role"] == "paramedic" and stored["spoke_id"]
    assert_no_console_errors(page)


def _row(page: Page, username: str) -> WebElement:
    for row in page.find_all("table tbody tr"):
        if row.find_element("css selector", "th").text == username:
            return row
    raise AssertionError(f"no row for {username} in the users table")


# --- keyboard and zoom over every page -----------------------------------------------------


def visit_every_page(page: Page, hub: Hub) -> Iterator[str]:
    """Every page of the console, with something in each list, signed out first: yields each
    page's name once the browser shows it."""
    spoke_id, _ = hub.store.register_spoke("Rampur HWC")
    hub.store.add_user("ravi.k", "Ravi Kumar", "paramedic", "paramedic-pw-1", spoke_id=spoke_id)
    page.open("/login")
    yield "sign-in"
    page.open("/login")  # the username field has the focus again
    page.sign_in()
    yield "spokes"
    issue_token(page, "Sitapur HWC")
    yield "enrol, with a token"
    page.open("/users")
    yield "users"
    page.open("/users/password?username=ravi.k")
    yield "new password"


_FOCUS = """
const controls = [...document.querySelectorAll(arguments[0])]
    .filter(e => e.getClientRects().length > 0);
const focused = document.activeElement, style = getComputedStyle(focused);
const box = focused.getBoundingClientRect();
return {index: controls.indexOf(focused), count: controls.length,
        name: focused.id || focused.getAttribute('aria-label') || focused.textContent.trim(),
        ring: [style.outlineStyle, style.outlineWidth, style.outlineColor],
        onScreen: box.left >= 0 && box.right <= innerWidth && box.width > 0,
        type: focused.getAttribute('type')};
"""


def has_ring(ring: list[str]) -> bool:
    """The console's own focus ring: 0.2rem (3.2 px, drawn as whole pixels) of its blue."""
    style, width, color = ring
    return style == "solid" and float(width.removesuffix("px")) >= 3 and color == "rgb(11, 79, 160)"


def assert_tab_order(page: Page, name: str) -> None:
    """Tab until the first control has the focus (wherever the page put it), then once per
    control: each must come in document order, ringed and on the screen."""
    state = page.js(_FOCUS, CONTROLS)
    for _ in range(state["count"] + 2):
        if state["index"] == 0:
            break
        page.tab()
        state = page.js(_FOCUS, CONTROLS)
    visited = []
    for expected in range(state["count"]):
        assert state["index"] == expected, f"{name}: Tab skipped to {state['name']!r}"
        assert has_ring(state["ring"]), f"{name}: {state['name']!r} has no focus ring"
        assert state["onScreen"], f"{name}: {state['name']!r} is focused off the screen"
        visited.append(state["name"])
        page.tab()
        moved = page.js(_FOCUS, CONTROLS)
        # A date field takes one Tab per part (day, month, year) before the next control.
        while moved["type"] == "date" and moved["index"] == state["index"]:
            page.tab()
            moved = page.js(_FOCUS, CONTROLS)
        state = moved
    assert visited[0] == "Skip to main content", name
    assert len(visited) >= 3, f"{name}: only {visited}"


def test_tab_reaches_every_control_in_order_with_a_visible_focus_ring(page: Page, hub: Hub) -> None:
    for name in visit_every_page(page, hub):
        assert_tab_order(page, name)


ZOOM = 1.5


def zoom_to_150_percent(page: Page) -> int:
    """Zooming a 1280 px wide window to 150 % leaves 853 CSS pixels for the page, drawn with
    1.5 device pixels each: the same layout as the browser's own zoom. Returns the width."""
    width, height = round(1280 / ZOOM), round(900 / ZOOM)
    metrics = {"width": width, "height": height, "deviceScaleFactor": ZOOM, "mobile": False}
    page.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
    return width


def assert_no_sideways_scroll(page: Page, name: str) -> None:
    overflow = page.js(
        "const root = document.documentElement;"
        "const wide = [...document.querySelectorAll('body *')]"
        "    .filter(e => e.scrollWidth > e.clientWidth + 1 && "
        "            ['auto', 'scroll'].includes(getComputedStyle(e).overflowX))"
        "    .map(e => e.className || e.tagName);"
        "return {page: root.scrollWidth - root.clientWidth, scrollers: wide};"
    )
    assert overflow["page"] <= 0, f"{name}: the page scrolls sideways by {overflow['page']} px"
    assert overflow["scrollers"] == [], f"{name}: {overflow['scrollers']} scroll sideways"


def test_every_page_fits_a_1280_pixel_window_at_150_percent_zoom(
    page: Page, hub: Hub, tmp_path: Path
) -> None:
    width = zoom_to_150_percent(page)
    for number, name in enumerate(visit_every_page(page, hub)):
        assert page.js("return innerWidth") == width
        page.screenshot(tmp_path / f"zoom-{number}.png")
        assert_no_sideways_scroll(page, name)
