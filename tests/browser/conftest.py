"""Browser tests: the hub on loopback over HTTPS with its own CA, in a real headless Chromium.

The browser is Debian's ``chromium``, driven through Debian's ``chromium-driver`` by Selenium.
Both come from one Debian source package at one version, so the driver always speaks the
browser's protocol; Selenium is given the driver's path, so Selenium Manager never runs and
nothing is downloaded. Chromium itself may resolve no host name but the loopback address
(``--host-resolver-rules``), and its background fetches are switched off.

The browser trusts exactly the hub under test and nothing else: it is started with the
SHA-256 of the hub's anchor (the CA's SubjectPublicKeyInfo, what spokes pin too) in
``--ignore-certificate-errors-spki-list``, so a chain that leads to that key is accepted and
any other certificate still fails. Certificate checking stays on; no certificate store is touched.

One browser for the session (it takes about a second to start); every test gets its own hub
on a fresh SQLite database and an empty cookie jar. The hubs share one CA (copied into each
database), so the session's pin fits every one of them. A failing test leaves a screenshot and
the page's HTML in its ``tmp_path``.

Without Chromium, its driver or Selenium the tests are skipped with the reason, unless
``HWC_REQUIRE_BROWSER=1`` (the project's test command sets it): then they fail.
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from hub import tls
from hub.app import create_app
from hub.server import RunningHub, hub_identity, start_in_thread
from hub.storage.sqlite import SqliteHubStore

REQUIRE_BROWSER = os.environ.get("HWC_REQUIRE_BROWSER") == "1"
# The real binary first: Debian's /usr/bin/chromium is a shell wrapper that adds the
# desktop's flags (from /etc/chromium.d) the tests do not want. HWC_CHROMIUM and
# HWC_CHROMEDRIVER name others (a machine that is not Debian).
CHROMIUM_CANDIDATES = ("/usr/lib/chromium/chromium", "chromium")
CHROMEDRIVER_CANDIDATES = ("/usr/bin/chromedriver", "chromedriver")
WINDOW = (1280, 900)  # CSS pixels at 100 % zoom: a common clinic-office laptop screen
WAIT_SECONDS = 10.0
ADMIN, ADMIN_PW = "asha", "admin-password-1"
# The CA and the server certificate, made once and copied into every test's hub database.
_IDENTITY_KEYS = (tls.KEY_CA, tls.KEY_LEAF)

try:  # a dev dependency: without it the fixtures below skip, or fail when required
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.remote.webdriver import WebDriver
    from selenium.webdriver.remote.webelement import WebElement
    from selenium.webdriver.support.ui import WebDriverWait

    _SELENIUM_ERROR = ""
except ImportError as exc:
    _SELENIUM_ERROR = f"{exc} (pip install selenium)"


def _unavailable(reason: str) -> NoReturn:
    if REQUIRE_BROWSER:
        pytest.fail(f"HWC_REQUIRE_BROWSER=1 but the browser is unavailable: {reason}")
    pytest.skip(f"browser unavailable: {reason}")


def _candidates(variable: str, default: tuple[str, ...]) -> tuple[str, ...]:
    chosen = os.environ.get(variable)
    return (chosen,) if chosen else default


def _find(candidates: tuple[str, ...]) -> str | None:
    for candidate in candidates:
        if os.path.isabs(candidate):
            if os.access(candidate, os.X_OK):
                return candidate
        elif found := shutil.which(candidate):
            return found
    return None


def spki_sha256_b64(cert_pem: str) -> str:
    """The value Chromium's ``--ignore-certificate-errors-spki-list`` takes for ``cert_pem``:
    base64 of the SHA-256 of its DER SubjectPublicKeyInfo."""
    cert = x509.load_pem_x509_certificate(cert_pem.encode())
    spki = cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.b64encode(hashlib.sha256(spki).digest()).decode("ascii")


# --- the hub -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class HubIdentityFiles:
    """The session's CA and server certificate as stored in a hub database, and its pin."""

    meta: dict[str, str]
    anchor_pem: str
    pin: str


@dataclass
class Hub:
    url: str
    store: SqliteHubStore
    running: RunningHub

    @property
    def console(self) -> str:
        return f"{self.url}/console"


def _open_store(path: Path) -> SqliteHubStore:
    store = SqliteHubStore(path)
    store.migrate()
    return store


@pytest.fixture(scope="session")
def hub_ca(tmp_path_factory: pytest.TempPathFactory) -> HubIdentityFiles:
    """The hub's own CA and certificate for loopback, made once for the session."""
    store = _open_store(tmp_path_factory.mktemp("hub-ca") / "hub.sqlite3")
    try:
        identity = hub_identity(store, "127.0.0.1:0")
        meta = {key: store.meta_get(key) or "" for key in _IDENTITY_KEYS}
    finally:
        store.close()
    assert all(meta.values()), "the hub stored no CA or certificate"
    return HubIdentityFiles(meta, identity.anchor_pem, spki_sha256_b64(identity.anchor_pem))


@pytest.fixture
def hub(tmp_path: Path, hub_ca: HubIdentityFiles) -> Iterator[Hub]:
    """A hub for this test alone, on a fresh SQLite database, serving HTTPS on loopback with
    the session's CA, with a hub administrator (``ADMIN``)."""
    store = _open_store(tmp_path / "hub.sqlite3")
    for key, value in hub_ca.meta.items():
        store.meta_put(key, value)
    identity = hub_identity(store, "127.0.0.1:0")
    assert identity.anchor_pem == hub_ca.anchor_pem, "the hub made a CA of its own"
    store.add_user(ADMIN, "Asha Admin", "hub_admin", ADMIN_PW)
    running = start_in_thread(create_app(store, name="HWC Hub"), identity=identity)
    # Enrolment tokens carry the address spokes reach the hub at: now that the port is known.
    store.meta_put(tls.KEY_PUBLIC_ADDRESS, f"127.0.0.1:{running.port}")
    try:
        yield Hub(running.url, store, running)
    finally:
        # The browser keeps its idle keep-alive connection open and uvicorn's graceful stop
        # would wait its full 5 s for it; nothing is in flight when a test ends, so the
        # short timeout (after which ``stop`` drops open connections) costs nothing.
        running.stop(timeout=0.3)
        store.close()


# --- the browser -------------------------------------------------------------------------------


def chromium_options(binary: str, pin: str) -> Any:
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for argument in (
        "--headless=new",
        f"--window-size={WINDOW[0]},{WINDOW[1]}",
        "--force-device-scale-factor=1",  # screenshots and sizes in CSS pixels
        "--lang=en-GB",
        f"--ignore-certificate-errors-spki-list={pin}",
        # Nothing leaves the machine: no name but loopback resolves, no background fetches.
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-default-apps",
        "--disable-extensions",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-gpu",
        "--disable-dev-shm-usage",
    ):
        options.add_argument(argument)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        # Chromium's sandbox refuses to start as root, which is how CI runs. The pages it
        # loads are the hub's own, on loopback.
        options.add_argument("--no-sandbox")
    # The browser's console: the tests read it for Content-Security-Policy violations.
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return options


@pytest.fixture(scope="session")
def chromium(hub_ca: HubIdentityFiles) -> Iterator[WebDriver]:
    """The session's headless Chromium, trusting the session's hub CA only."""
    if _SELENIUM_ERROR:
        _unavailable(_SELENIUM_ERROR)
    binary = _find(_candidates("HWC_CHROMIUM", CHROMIUM_CANDIDATES))
    driver_path = _find(_candidates("HWC_CHROMEDRIVER", CHROMEDRIVER_CANDIDATES))
    if binary is None:
        _unavailable("no chromium (Debian: apt-get install chromium)")
    if driver_path is None:
        _unavailable("no chromedriver (Debian: apt-get install chromium-driver)")
    # Belt and braces: Selenium Manager is not run when the driver's path is given (above),
    # and if it ever were it must not download a browser or a driver.
    os.environ.setdefault("SE_OFFLINE", "true")
    service = Service(executable_path=driver_path)
    try:
        driver = webdriver.Chrome(options=chromium_options(binary, hub_ca.pin), service=service)
    except Exception as exc:  # the driver's own message says what is wrong
        service.stop()
        _unavailable(f"Chromium did not start: {exc}")
    try:
        yield driver
    finally:
        driver.quit()  # ends the browser and the driver's process


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    # The page fixture's teardown needs to know whether the test itself failed.
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


class Page:
    """The browser, at the hub's console: what a person does, and what they see."""

    def __init__(self, driver: WebDriver, hub: Hub) -> None:
        self.driver = driver
        self.hub = hub

    # -- going places ----------------------------------------------------------------------

    def open(self, path: str) -> None:
        self.driver.get(self.hub.console + path)

    @property
    def path(self) -> str:
        url: str = self.driver.current_url
        return url.removeprefix(self.hub.url)

    def wait(self, condition: Callable[[WebDriver], Any], message: str = "") -> Any:
        return WebDriverWait(self.driver, WAIT_SECONDS).until(condition, message)

    def after_navigation(self, act: Callable[[], None]) -> None:
        """``act`` (a key press that submits a form), then wait until the next page has loaded:
        the old page's root element goes stale and the new one is complete."""
        old = self.driver.find_element("css selector", "html")
        act()

        def loaded(driver: WebDriver) -> bool:
            try:
                old.tag_name  # noqa: B018 - raises once the old page is gone
                return False
            except Exception:
                state: str = driver.execute_script("return document.readyState")
                return state == "complete"

        self.wait(loaded, "the form's next page did not load")

    # -- the keyboard ----------------------------------------------------------------------

    def focused(self) -> WebElement:
        element: WebElement = self.driver.switch_to.active_element
        return element

    def keys(self, *keys: str) -> None:
        """Keys pressed on whatever has the focus, as a person types."""
        webdriver.ActionChains(self.driver).send_keys(*keys).perform()

    def tab(self, times: int = 1) -> None:
        self.keys(*[Keys.TAB] * times)

    def enter(self) -> None:
        """Press Enter where the focus is, which submits its form, and wait for the answer."""
        self.after_navigation(lambda: self.keys(Keys.ENTER))

    def select_all(self) -> None:
        """Select what the focused field holds, so what is typed next replaces it."""
        self.keys(Keys.CONTROL, "a", Keys.CONTROL)

    def type_into(self, element_id: str, text: str) -> None:
        """Type ``text`` into the focused control, which must be ``element_id``: the keyboard
        got there by itself."""
        focused = self.focused().get_attribute("id")
        assert focused == element_id, f"the focus is on {focused!r}, not on {element_id!r}"
        self.keys(text)

    # -- reading the page ------------------------------------------------------------------

    def find(self, css: str) -> WebElement:
        element: WebElement = self.driver.find_element("css selector", css)
        return element

    def find_all(self, css: str) -> list[WebElement]:
        elements: list[WebElement] = self.driver.find_elements("css selector", css)
        return elements

    def text(self, css: str = "main") -> str:
        text: str = self.find(css).text
        return text

    def js(self, script: str, *args: Any) -> Any:
        return self.driver.execute_script(script, *args)

    def style(self, css: str, prop: str) -> str:
        value: str = self.js(
            "return getComputedStyle(document.querySelector(arguments[0]))"
            ".getPropertyValue(arguments[1]);",
            css,
            prop,
        )
        return value

    def console_errors(self) -> list[str]:
        """Errors the browser logged since the last call: Content-Security-Policy violations
        and script errors. A response's status is left to the tests, which know what they
        expect (401 for a wrong password, 404 for the favicon the console does not have)."""
        entries = self.driver.get_log("browser")
        return [
            str(e["message"])
            for e in entries
            if e.get("level") == "SEVERE" and "Failed to load resource" not in e["message"]
        ]

    def screenshot(self, path: Path) -> Path:
        """The whole page, not just the window, as a PNG at ``path``."""
        return full_page_screenshot(self.driver, path)

    # -- the console -----------------------------------------------------------------------

    def sign_in(self, username: str = ADMIN, password: str = ADMIN_PW) -> None:
        """From the sign-in page, as a person does: the username field has the focus, type,
        Tab, type, Enter."""
        if not self.path.startswith("/console/login"):
            self.open("/login")
        self.type_into("username", username)
        self.tab()
        self.type_into("password", password)
        self.enter()


def full_page_screenshot(driver: WebDriver, path: Path) -> Path:
    size = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
    clip = {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}
    shot = driver.execute_cdp_cmd(
        "Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True, "clip": clip}
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(base64.b64decode(shot["data"]))
    return path


def _reset(driver: WebDriver) -> None:
    """An empty cookie jar and the window as new: what the previous test did stays there."""
    driver.get("about:blank")
    driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    driver.set_window_size(*WINDOW)
    driver.get_log("browser")  # drop what earlier tests logged


@pytest.fixture
def page(
    chromium: WebDriver, hub: Hub, request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Page]:
    """The session's browser with fresh cookies, at this test's hub."""
    _reset(chromium)
    yield Page(chromium, hub)
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        try:
            shot = full_page_screenshot(chromium, tmp_path / "failure.png")
            (tmp_path / "failure.html").write_text(chromium.page_source, encoding="utf-8")
            print(f"screenshot of the failure: {shot}")
        except Exception as exc:  # a dead browser must not hide the test's own failure
            print(f"no screenshot of the failure: {exc}")
    _reset(chromium)
