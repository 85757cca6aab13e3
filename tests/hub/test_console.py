"""The hub's web console over a real loopback socket, with the real SQLite store.

A ``requests.Session`` plays the browser: it keeps the session cookie, reads each form's CSRF
token from the page and posts it back, as a browser would.
"""

from __future__ import annotations

import html
import json
import re
import time
from base64 import b64encode
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import itsdangerous
import pytest
import requests

from app.domain import enrolment
from hub import tls
from hub.app import create_app
from hub.console.auth import LoginThrottle
from hub.console.session import COOKIE, KEY_SESSION_KEY
from hub.server import RunningHub, hub_identity, start_in_thread
from hub.storage.sqlite import SqliteHubStore

TIMEOUT = 10
ADMIN, ADMIN_PW = "asha", "admin-password-1"
SPECIALIST, SPECIALIST_PW = "dr.rao", "specialist-pw-1"
PARAMEDIC, PARAMEDIC_PW = "ravi", "paramedic-pw-1"
SPOKE_SECRET = "s" * 43
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')
_TOKEN = re.compile(r'<code class="token" id="token">([^<]+)</code>')


# --- fixtures and helpers ------------------------------------------------------------------


def _open(path: Path) -> SqliteHubStore:
    store = SqliteHubStore(path)
    store.migrate()
    return store


@pytest.fixture(scope="module")
def db_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("console") / "hub.sqlite3"


@pytest.fixture(scope="module")
def store(db_path: Path) -> Iterator[SqliteHubStore]:
    s = _open(db_path)
    s.meta_put(tls.KEY_PUBLIC_ADDRESS, "127.0.0.1:8765")  # where tokens send spokes
    spoke_id, _ = s.register_spoke("Rampur HWC")
    s.add_user(ADMIN, "Asha Admin", "hub_admin", ADMIN_PW)
    s.add_user(
        SPECIALIST,
        "Dr Rao",
        "specialist",
        SPECIALIST_PW,
        registration_no="MCI-123",
        specialty="ENT",
    )
    s.add_user(PARAMEDIC, "Ravi", "paramedic", PARAMEDIC_PW, spoke_id=spoke_id)
    try:
        yield s
    finally:
        s.close()


@pytest.fixture(scope="module")
def hub(store: SqliteHubStore) -> Iterator[RunningHub]:
    """The module's hub. Tests that fail sign-ins use ``fresh_hub``: failures from 127.0.0.1
    count against every later sign-in from it."""
    running = start_in_thread(create_app(store, name="Test Hub"))
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def fresh_hub(store: SqliteHubStore) -> Iterator[RunningHub]:
    running = start_in_thread(create_app(store, name="Test Hub"))
    try:
        yield running
    finally:
        running.stop()


class Browser:
    def __init__(self, hub: RunningHub, verify: str | bool = True) -> None:
        self.base = f"{hub.url}/console"
        self.session = requests.Session()
        # Per request: requests lets REQUESTS_CA_BUNDLE override a session's own ``verify``.
        self.verify = verify

    def get(self, path: str, **kw: Any) -> requests.Response:
        return self.session.get(self.base + path, timeout=TIMEOUT, verify=self.verify, **kw)

    def post(
        self, path: str, data: dict[str, str], *, token_from: str | None = None, **kw: Any
    ) -> requests.Response:
        """POST ``data`` with the CSRF token of the page at ``token_from`` (none: as sent)."""
        if token_from is not None:
            data = {**data, "csrf": csrf_of(self.get(token_from).text)}
        return self.session.post(
            self.base + path, data=data, timeout=TIMEOUT, verify=self.verify, **kw
        )

    def login(self, username: str, password: str, **kw: Any) -> requests.Response:
        return self.post(
            "/login", {"username": username, "password": password}, token_from="/login", **kw
        )

    def close(self) -> None:
        self.session.close()


def csrf_of(page: str) -> str:
    found = _CSRF.search(page)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


@pytest.fixture
def browser(hub: RunningHub) -> Iterator[Browser]:
    b = Browser(hub)
    try:
        yield b
    finally:
        b.close()


@pytest.fixture
def admin(hub: RunningHub) -> Iterator[Browser]:
    b = Browser(hub)
    assert b.login(ADMIN, ADMIN_PW).url.endswith("/console/spokes")
    try:
        yield b
    finally:
        b.close()


def is_login_page(response: requests.Response) -> bool:
    return response.url.split("?")[0].endswith("/console/login") and "Sign in" in response.text


# --- signing in and out --------------------------------------------------------------------


def test_the_admin_signs_in_with_a_strict_httponly_cookie_and_signs_out(
    browser: Browser,
) -> None:
    page = browser.get("/login")
    assert page.status_code == 200
    cookie = page.headers["set-cookie"].lower()
    assert COOKIE in cookie
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/console" in cookie
    assert "secure" not in cookie  # plain HTTP here; see the HTTPS test

    landed = browser.login(ADMIN, ADMIN_PW)
    assert landed.status_code == 200
    assert landed.url.endswith("/console/spokes")
    assert "Asha Admin" in landed.text and "Rampur HWC" in landed.text

    out = browser.post("/logout", {}, token_from="/spokes")
    assert is_login_page(out) and "You have signed out" in out.text
    assert is_login_page(browser.get("/spokes"))


def test_signing_out_ends_a_copied_cookie_too(hub: RunningHub) -> None:
    first = Browser(hub)
    copy = Browser(hub)
    try:
        assert first.login(ADMIN, ADMIN_PW).url.endswith("/console/spokes")
        copy.session.cookies.update(first.session.cookies)  # the cookie, copied elsewhere
        assert copy.get("/spokes").url.endswith("/console/spokes")
        first.post("/logout", {}, token_from="/spokes")
        assert is_login_page(copy.get("/spokes"))  # the copy no longer works
        again = first.login(ADMIN, ADMIN_PW)  # and signing in again does
        assert again.url.endswith("/console/spokes")
    finally:
        first.close()
        copy.close()


def test_pages_need_a_signed_in_account(browser: Browser, store: SqliteHubStore) -> None:
    for path in ("/", "/spokes", "/enrol", "/users", "/users/password?username=asha"):
        answer = browser.get(path, allow_redirects=False)
        assert answer.status_code == 303, path
        assert answer.headers["location"].startswith("/console/login"), path
    # A page asked for before signing in is where the sign-in leads.
    assert browser.get("/users").url.endswith("/console/login?next=/console/users")
    assert browser.login(ADMIN, ADMIN_PW).url.endswith("/console/spokes")
    browser.post("/logout", {}, token_from="/spokes")
    first = browser.get("/users")
    signed_in = browser.post(
        "/login",
        {"username": ADMIN, "password": ADMIN_PW, "next": "/console/users"},
        token_from="/login",
    )
    assert first.url.endswith("next=/console/users")
    assert signed_in.url.endswith("/console/users")
    # ... but never to another site.
    browser.post("/logout", {}, token_from="/spokes")
    away = browser.post(
        "/login",
        {"username": ADMIN, "password": ADMIN_PW, "next": "//evil.example/console/"},
        token_from="/login",
    )
    assert away.url.endswith("/console/spokes")
    # A form posted without a session changes nothing and leads to the sign-in.
    browser.post("/logout", {}, token_from="/spokes")
    before = len(store.users())
    answer = browser.post("/users", {"username": "x1", "csrf": "x"}, allow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/console/login"
    assert len(store.users()) == before


def test_a_wrong_password_is_refused(fresh_hub: RunningHub) -> None:
    b = Browser(fresh_hub)
    answer = b.login(ADMIN, "not-the-password")
    assert answer.status_code == 401
    assert "Wrong username or password" in answer.text
    assert is_login_page(b.get("/spokes"))
    b.close()


def test_a_disabled_account_cannot_sign_in(fresh_hub: RunningHub, store: SqliteHubStore) -> None:
    store.add_user("old.admin", "Old Admin", "hub_admin", "old-admin-pw")
    store.set_user_active("old.admin", False)
    b = Browser(fresh_hub)
    answer = b.login("old.admin", "old-admin-pw")
    assert answer.status_code == 401
    assert "disabled" in answer.text
    b.close()


def test_clinic_staff_cannot_sign_in_to_the_hub_console(browser: Browser) -> None:
    answer = browser.login(PARAMEDIC, PARAMEDIC_PW)
    assert answer.status_code == 403
    assert "clinic account" in answer.text
    assert is_login_page(browser.get("/spokes"))


def test_failed_sign_ins_are_throttled_per_username(fresh_hub: RunningHub) -> None:
    b = Browser(fresh_hub)
    for _ in range(5):
        assert b.login(ADMIN, "wrong-password").status_code == 401
    # Now even the right password waits, and the page says why.
    answer = b.login(ADMIN, ADMIN_PW)
    assert answer.status_code == 429
    assert "Too many failed sign-ins" in answer.text
    assert re.search(r"Try again in (29|30) seconds", answer.text)
    assert is_login_page(b.get("/spokes"))
    b.close()


def test_failed_sign_ins_are_throttled_per_address(fresh_hub: RunningHub) -> None:
    b = Browser(fresh_hub)
    for n in range(5):
        assert b.login(f"guess{n}", "wrong-password").status_code == 401
    answer = b.login(SPECIALIST, SPECIALIST_PW)
    assert answer.status_code == 429
    assert "Too many failed sign-ins" in answer.text
    b.close()


def test_the_throttle_delay_grows_and_is_forgotten() -> None:
    now = [1000.0]
    throttle = LoginThrottle(clock=lambda: now[0])
    for _ in range(4):
        throttle.failed("asha", "10.0.0.1")
    assert throttle.wait("asha", "10.0.0.1") == 0
    throttle.failed("asha", "10.0.0.1")
    assert throttle.wait("asha", "10.0.0.2") == 30  # the username alone
    assert throttle.wait("ravi", "10.0.0.1") == 30  # the address alone
    now[0] += 30
    assert throttle.wait("asha", "10.0.0.1") == 0
    throttle.failed("asha", "10.0.0.1")
    assert throttle.wait("asha", "10.0.0.2") == 60
    for _ in range(10):
        throttle.failed("asha", "10.0.0.1")
    assert throttle.wait("asha", "10.0.0.1") == 15 * 60  # capped
    throttle.succeeded("asha")  # the username's count goes, the address's stays
    assert throttle.wait("asha", "10.0.0.2") == 0
    assert throttle.wait("asha", "10.0.0.1") == 15 * 60
    now[0] += 2 * 60 * 60
    assert throttle.wait("ravi", "10.0.0.1") == 0


def test_the_session_ends_when_the_account_is_disabled_or_idle(
    hub: RunningHub, store: SqliteHubStore
) -> None:
    store.add_user("temp.admin", "Temp Admin", "hub_admin", "temp-admin-pw")
    b = Browser(hub)
    assert b.login("temp.admin", "temp-admin-pw").url.endswith("/spokes")
    store.set_user_active("temp.admin", False)
    ended = b.get("/spokes")
    assert is_login_page(ended) and "Your account was changed" in ended.text

    # A cookie signed just now, by a key that is the hub's, but last seen 9 hours ago.
    key = store.meta_get(KEY_SESSION_KEY)
    assert key
    user = next(u for u in store.users() if u["username"] == ADMIN)
    session = {"username": ADMIN, "role": "hub_admin", "stamp": user["updated_at"]}
    session["seen"] = time.time() - 9 * 60 * 60
    signed = itsdangerous.TimestampSigner(key).sign(b64encode(json.dumps(session).encode()))
    b.session.cookies.set(COOKIE, signed.decode(), path="/console")
    idle = b.get("/spokes")
    assert is_login_page(idle) and "long pause" in idle.text
    b.close()


def test_every_hub_process_on_one_database_accepts_the_same_sessions(
    hub: RunningHub, db_path: Path, admin: Browser
) -> None:
    other_store = _open(db_path)
    other = start_in_thread(create_app(other_store, name="Test Hub"))
    try:
        # Cookies do not care for ports: the same cookie goes to the second process.
        page = admin.session.get(f"{other.url}/console/users", timeout=TIMEOUT)
        assert page.status_code == 200 and page.url.endswith("/console/users")
    finally:
        other.stop()
        other_store.close()


def test_over_https_the_cookie_is_secure(store: SqliteHubStore, tmp_path: Path) -> None:
    identity = hub_identity(store, "127.0.0.1:0")
    anchor = tmp_path / "anchor.pem"
    anchor.write_text(identity.anchor_pem, encoding="ascii")
    running = start_in_thread(create_app(store), identity=identity)
    try:
        b = Browser(running, verify=str(anchor))
        assert "; secure" in b.get("/login").headers["set-cookie"].lower()
        assert b.login(ADMIN, ADMIN_PW).url.endswith("/console/spokes")
        b.close()
    finally:
        running.stop()
        store.meta_put(tls.KEY_PUBLIC_ADDRESS, "127.0.0.1:8765")


# --- CSRF, headers, errors ----------------------------------------------------------------------


def test_forms_without_the_sessions_csrf_token_are_refused(
    admin: Browser, store: SqliteHubStore
) -> None:
    data = {
        "username": "mallory",
        "display_name": "Mallory",
        "role": "hub_admin",
        "password": "mallory-pw-1",
        "password2": "mallory-pw-1",
    }
    for token in (None, "", "not-the-token"):
        sent = data if token is None else {**data, "csrf": token}
        answer = admin.post("/users", sent)
        assert answer.status_code == 403
        assert "security token" in answer.text
    assert "mallory" not in {u["username"] for u in store.users()}
    # Signing out needs it too (another site must not sign people out) ...
    admin.post("/logout", {})
    assert admin.get("/spokes").url.endswith("/console/spokes")
    # ... and so does signing in (no one signs anyone in to an account of theirs).
    fresh = requests.post(
        f"{admin.base}/login", data={"username": ADMIN, "password": ADMIN_PW}, timeout=TIMEOUT
    )
    assert fresh.status_code == 403


def test_console_pages_carry_the_security_headers(browser: Browser, admin: Browser) -> None:
    for answer in (browser.get("/login"), admin.get("/users"), browser.get("/nowhere")):
        assert answer.headers["x-frame-options"] == "DENY"
        assert answer.headers["referrer-policy"] == "no-referrer"
        assert answer.headers["cache-control"] == "no-store"
        csp = answer.headers["content-security-policy"]
        assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
    page = admin.get("/users")
    nonce = re.search(r"'nonce-([^']+)'", page.headers["content-security-policy"])
    assert nonce and f'<style nonce="{nonce.group(1)}">' in page.text
    assert 'class="skip" href="#main"' in page.text and '<main id="main"' in page.text


def test_console_errors_are_pages_not_the_apis_json(browser: Browser, hub: RunningHub) -> None:
    bare = requests.get(f"{hub.url}/console", timeout=TIMEOUT)
    assert bare.url.endswith("/console/login") and "Sign in" in bare.text
    missing = browser.get("/nowhere")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("text/html")
    assert "Page not found" in missing.text
    wrong_method = browser.session.put(f"{browser.base}/login", timeout=TIMEOUT)
    assert wrong_method.status_code == 405
    assert wrong_method.headers["content-type"].startswith("text/html")
    too_large = browser.post("/login", {"username": "x" * 100_000}, token_from="/login")
    assert too_large.status_code == 413
    assert too_large.headers["content-type"].startswith("text/html")
    # The API is as it was.
    api = requests.get(f"{hub.url}/v1/nowhere", timeout=TIMEOUT)
    assert api.status_code == 404 and api.json()["error"] == "request.malformed"


# --- enrolling a clinic ------------------------------------------------------------------------


def test_a_token_is_shown_once_with_its_qr_code_and_enrols_a_spoke(
    admin: Browser, store: SqliteHubStore
) -> None:
    issued = admin.post(
        "/enrol", {"facility": "Kheri <HWC>", "valid_days": "14"}, token_from="/enrol"
    )
    assert issued.status_code == 200
    assert issued.headers["cache-control"] == "no-store"
    found = _TOKEN.search(issued.text)
    assert found, "the page shows no token"
    text = html.unescape(found.group(1))
    assert "<svg" in issued.text
    assert "Sync page → Enrol this PC" in issued.text
    assert "main.py enrol --token TOKEN" in issued.text
    assert "Kheri &lt;HWC&gt;" in issued.text  # autoescaped
    token = enrolment.decode(text)
    assert token.address == "127.0.0.1:8765"

    listed = admin.get("/enrol").text
    assert text not in listed and token.secret not in listed
    assert "Unused, valid until" in listed

    spoke_id, facility = store.redeem_enrol_token(token.secret, SPOKE_SECRET)
    assert facility == "Kheri <HWC>"
    listed = admin.get("/enrol").text
    row = re.search(r"Kheri &lt;HWC&gt;</th>.*?</tr>", listed, re.S)
    assert row and "Used" in row.group(0) and "Kheri &lt;HWC&gt;" in row.group(0)
    assert spoke_id not in row.group(0)  # the spoke is named, not shown by id
    spokes = admin.get("/spokes").text
    assert "Kheri &lt;HWC&gt;" in spokes


def test_enrol_form_errors_are_shown_next_to_the_form(admin: Browser) -> None:
    for data, message in (
        ({"facility": "Kheri HWC", "valid_days": "0"}, "valid for 1 to 90 days"),
        ({"facility": "Kheri HWC", "valid_days": "91"}, "valid for 1 to 90 days"),
        ({"facility": "Kheri HWC", "valid_days": "seven"}, "valid for 1 to 90 days"),
        ({"facility": "   ", "valid_days": "7"}, "spoke name is 1-200 characters"),
    ):
        answer = admin.post("/enrol", data, token_from="/enrol")
        assert answer.status_code == 400, data
        assert 'class="error" role="alert"' in answer.text and message in answer.text, data
        assert _TOKEN.search(answer.text) is None


# --- users -------------------------------------------------------------------------------------


def add_user_form(**fields: str) -> dict[str, str]:
    form = {
        "username": "",
        "display_name": "",
        "role": "specialist",
        "spoke_id": "",
        "registration_no": "",
        "specialty": "",
        "password": "a-good-password",
        "password2": "a-good-password",
    }
    form.update(fields)
    return form


def user(store: SqliteHubStore, username: str) -> dict[str, Any]:
    return next(u for u in store.users() if u["username"] == username)


def test_the_admin_adds_disables_and_enables_users(admin: Browser, store: SqliteHubStore) -> None:
    added = admin.post(
        "/users",
        add_user_form(
            username="Dr.Mehta",
            display_name="Dr Mehta",
            registration_no="MCI-77",
            registration_council="Delhi Medical Council",
            qualification="MBBS, MD (Dermatology)",
            specialty="dermatology",
        ),
        token_from="/users",
    )
    assert added.status_code == 200 and added.url.endswith("/console/users")
    assert "Added the user dr.mehta" in added.text
    mehta = user(store, "dr.mehta")
    assert (mehta["role"], mehta["registration_no"], mehta["specialty"]) == (
        "specialist",
        "MCI-77",
        "dermatology",
    )
    assert "<td>Dermatology</td>" in added.text
    profile = store.specialist_profile("dr.mehta")
    assert profile is not None
    assert (profile["registration_council"], profile["qualification"]) == (
        "Delhi Medical Council",
        "MBBS, MD (Dermatology)",
    )

    rampur = store.stats()["per_spoke"][0]["id"]
    admin.post(
        "/users",
        add_user_form(
            username="sunita",
            display_name="Sunita",
            role="generalist",
            spoke_id=rampur,
            registration_no="ignored for clinic roles",
        ),
        token_from="/users",
    )
    sunita = user(store, "sunita")
    assert (sunita["spoke_id"], sunita["registration_no"]) == (rampur, "")

    disabled = admin.post(
        "/users/active", {"username": "dr.mehta", "active": "0"}, token_from="/users"
    )
    assert disabled.status_code == 200 and "dr.mehta is disabled" in disabled.text
    assert user(store, "dr.mehta")["active"] is False
    assert store.verify_user("dr.mehta", "a-good-password") is None
    enabled = admin.post(
        "/users/active", {"username": "dr.mehta", "active": "1"}, token_from="/users"
    )
    assert "dr.mehta is enabled" in enabled.text
    assert user(store, "dr.mehta")["active"] is True

    form = admin.get("/users/password?username=dr.mehta")
    assert form.status_code == 200 and "New password for dr.mehta" in form.text
    changed = admin.post(
        "/users/password",
        {"username": "dr.mehta", "password": "another-password", "password2": "another-password"},
        token_from="/users/password?username=dr.mehta",
    )
    assert "password of dr.mehta was changed" in changed.text
    assert store.verify_user("dr.mehta", "another-password") is not None


def test_user_form_errors_are_shown_next_to_the_form(admin: Browser, store: SqliteHubStore) -> None:
    before = len(store.users())
    for fields, message in (
        ({"username": ADMIN, "display_name": "Another Asha", "role": "hub_admin"}, "is taken"),
        ({"username": "x", "display_name": "X"}, "2-32 characters"),
        ({"username": "dr.nair", "display_name": "Dr Nair"}, "registration number"),
        (
            {"username": "nurse1", "display_name": "Nurse", "role": "paramedic"},
            "Choose the clinic",
        ),
        (
            {
                "username": "dr.nair",
                "display_name": "Dr Nair",
                "registration_no": "M-1",
                "password2": "something-else",
            },
            "The two passwords differ",
        ),
        (
            {
                "username": "dr.nair",
                "display_name": "Dr Nair",
                "registration_no": "M-1",
                "password": "short",
                "password2": "short",
            },
            "at least 8 characters",
        ),
    ):
        answer = admin.post("/users", add_user_form(**fields), token_from="/users")
        assert answer.status_code == 400, fields
        error = re.search(r'<p class="error" role="alert" id="add-error">([^<]*)</p>', answer.text)
        assert error and message in html.unescape(error.group(1)), (fields, answer.text)
        # What was typed is kept, except the passwords.
        assert f'value="{html.escape(fields["display_name"])}"' in answer.text
        assert "a-good-password" not in answer.text
    assert len(store.users()) == before

    mine = admin.post("/users/active", {"username": ADMIN, "active": "0"}, token_from="/users")
    assert mine.status_code == 400 and "cannot disable your own account" in mine.text
    unknown = admin.post(
        "/users/active", {"username": "nobody", "active": "0"}, token_from="/users"
    )
    assert unknown.status_code == 400 and "nobody" in unknown.text
    mismatch = admin.post(
        "/users/password",
        {"username": SPECIALIST, "password": "one-password", "password2": "two-password"},
        token_from="/users",
    )
    assert mismatch.status_code == 400 and "The two passwords differ" in mismatch.text


def test_the_admin_pages_are_not_for_a_specialist(hub: RunningHub, store: SqliteHubStore) -> None:
    b = Browser(hub)
    home = b.login(SPECIALIST, SPECIALIST_PW)
    assert home.status_code == 200 and home.url.endswith("/console/queue")
    assert "Cases waiting" in home.text
    assert 'href="/console/users"' not in home.text
    for path in ("/spokes", "/enrol", "/users", "/users/password?username=asha"):
        assert b.get(path).status_code == 403, path
    answer = b.post(
        "/users",
        add_user_form(username="sneaky", display_name="Sneaky", role="hub_admin"),
        token_from="/",
    )
    assert answer.status_code == 403
    assert "sneaky" not in {u["username"] for u in store.users()}
    tokens = len(store.enrol_tokens())
    assert b.post("/enrol", {"facility": "X", "valid_days": "7"}, token_from="/").status_code == 403
    assert len(store.enrol_tokens()) == tokens
    b.close()
