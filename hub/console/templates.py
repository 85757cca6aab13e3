"""The console's pages: Jinja2 templates (autoescaped) and ``render``.

Plain semantic HTML that works with the keyboard alone and at any zoom: labels for every
input, a skip link, a visible focus ring, sizes in rem. The stylesheet is inline and carries
the response's CSP nonce, as does the one small script (copying a token), which the pages do
not need. The templates live here as strings, so the package needs no data files.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Final

from jinja2 import DictLoader, Environment, StrictUndefined
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse

from hub.console import fleet_templates, specialist_templates
from hub.console.session import csrf_token

ROLE_LABELS: Final = {
    "hub_admin": "Hub administrator",
    "specialist": "Specialist",
    "paramedic": "Paramedic (clinic)",
    "generalist": "Generalist (clinic)",
    "admin": "Clinic administrator",
}

_STYLE: Final = """
:root { font-family: system-ui, sans-serif; line-height: 1.5; color: #1b1b1b;
        background: #fff; }
body { margin: 0 auto; max-width: 72rem; padding: 0 1rem 3rem; }
a { color: #0b4fa0; }
:focus-visible { outline: 0.2rem solid #0b4fa0; outline-offset: 0.15rem; }
.skip { position: absolute; left: -100vw; }
.skip:focus { left: 1rem; top: 1rem; background: #fff; padding: 0.5rem; z-index: 1; }
header { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem 1.5rem;
         border-bottom: 0.1rem solid #c8c8c8; padding: 0.75rem 0; }
.brand { font-weight: 700; margin: 0; }
nav ul { display: flex; flex-wrap: wrap; gap: 0.25rem 1rem; list-style: none; margin: 0;
         padding: 0; }
nav a[aria-current="page"] { font-weight: 700; text-decoration-thickness: 0.15rem; }
.signout { margin-left: auto; display: flex; gap: 0.5rem; align-items: center; }
h1 { font-size: 1.6rem; margin: 1.25rem 0 0.75rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 0.5rem; }
label { display: block; font-weight: 600; margin-top: 0.75rem; }
.hint { display: block; font-weight: 400; color: #4a4a4a; font-size: 0.9rem; }
input, select, button { font: inherit; }
input, select { padding: 0.3rem 0.4rem; border: 0.1rem solid #767676; border-radius: 0.2rem;
                max-width: 100%; }
button { padding: 0.35rem 0.9rem; border: 0.1rem solid #0b4fa0; border-radius: 0.2rem;
         background: #0b4fa0; color: #fff; cursor: pointer; }
button.quiet { background: #fff; color: #0b4fa0; }
form.stack button[type="submit"] { margin-top: 1rem; }
fieldset { border: 0.1rem solid #c8c8c8; margin-top: 1rem; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; min-width: 100%; }
th, td { text-align: left; padding: 0.35rem 0.6rem; border-bottom: 0.05rem solid #c8c8c8;
         vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td form { margin: 0; display: inline; }
.error { color: #a4000f; font-weight: 600; border-left: 0.3rem solid #a4000f;
         padding-left: 0.6rem; }
.notice { border-left: 0.3rem solid #1d7a35; padding-left: 0.6rem; }
.token { font-family: ui-monospace, "Cascadia Mono", Consolas, monospace; font-size: 1.6rem;
         font-weight: 700; overflow-wrap: anywhere; background: #f3f3f3; padding: 0.75rem;
         border: 0.1rem solid #767676; display: block; }
figure { margin: 1rem 0; }
.muted { color: #4a4a4a; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden;
                   clip-path: inset(50%); white-space: nowrap; }
"""

_BASE: Final = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<link rel="icon" href="data:,">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{% block title %}{% endblock %} · {{ hub_name }} console</title>
<style nonce="{{ nonce }}">{{ style }}</style>
</head>
<body>
<a class="skip" href="#main">Skip to main content</a>
<header>
  <p class="brand">{{ hub_name }} · console</p>
  {% if user %}
  {% if user.role == "hub_admin" %}
  <nav aria-label="Console">
    <ul>
      {% for key, label in [("spokes", "Spokes"), ("clinics", "Clinics"),
                            ("enrol", "Enrol a clinic"), ("users", "Users")] %}
      <li><a href="{{ base }}/{{ key }}"{% if page == key %} aria-current="page"{% endif %}>
        {{- label }}</a></li>
      {% endfor %}
    </ul>
  </nav>
  {% elif user.role == "specialist" %}
  <nav aria-label="Console">
    <ul>
      {% for key, label in [("queue", "Queue"), ("formulary", "Formulary")] %}
      <li><a href="{{ base }}/{{ key }}"{% if page == key %} aria-current="page"{% endif %}>
        {{- label }}</a></li>
      {% endfor %}
    </ul>
  </nav>
  {% endif %}
  <form class="signout" method="post" action="{{ base }}/logout">
    <input type="hidden" name="csrf" value="{{ csrf }}">
    <span>{{ user.display_name }} ({{ user.username }})</span>
    <a href="{{ base }}/account/password"{% if page == "account" %} aria-current="page"
      {%- endif %}>Your password</a>
    <button class="quiet" type="submit">Sign out</button>
  </form>
  {% endif %}
</header>
<main id="main" tabindex="-1">
{% if notice %}<p class="notice" role="status">{{ notice }}</p>{% endif %}
{% block main %}{% endblock %}
</main>
{% block script %}{% endblock %}
</body>
</html>
"""

_LOGIN: Final = """{% extends "base.html" %}
{% block title %}Sign in{% endblock %}
{% block main %}
<h1>Sign in to the hub console</h1>
{% if error %}<p class="error" role="alert" id="login-error">{{ error }}</p>{% endif %}
<form class="stack" method="post" action="{{ base }}/login">
  <input type="hidden" name="csrf" value="{{ csrf }}">
  <input type="hidden" name="next" value="{{ next }}">
  <label for="username">Username</label>
  <input id="username" name="username" autocomplete="username" required autofocus
         value="{{ username }}"{% if error %} aria-describedby="login-error"{% endif %}>
  <label for="password">Password</label>
  <input id="password" name="password" type="password" autocomplete="current-password"
         required>
  <div><button type="submit">Sign in</button></div>
</form>
<p class="muted">Clinic staff sign in on the clinic PC, not here.</p>
{% endblock %}
"""

_ERROR: Final = """{% extends "base.html" %}
{% block title %}{{ heading }}{% endblock %}
{% block main %}
<h1>{{ heading }}</h1>
<p>{{ message }}</p>
<p><a href="{{ base }}/">Back to the console</a></p>
{% endblock %}
"""

_SPOKES: Final = """{% extends "base.html" %}
{% block title %}Spokes{% endblock %}
{% block main %}
<h1>Spokes</h1>
{% if spokes %}
<div class="table-wrap">
<table>
  <caption class="muted">{{ spokes | length }} clinic{{ "s" if spokes | length != 1 }}
    enrolled</caption>
  <thead><tr>
    <th scope="col">Clinic</th><th scope="col">Enrolled</th>
    <th scope="col" class="num">Patients</th><th scope="col" class="num">Cases</th>
    <th scope="col" class="num">Observations</th><th scope="col" class="num">Attachments</th>
  </tr></thead>
  <tbody>
  {% for s in spokes %}
    <tr>
      <th scope="row">{{ s.name }}</th>
      <td>{{ s.created_at | when }}</td>
      <td class="num">{{ s.patients }}</td><td class="num">{{ s.cases }}</td>
      <td class="num">{{ s.observations }}</td><td class="num">{{ s.attachments }}</td>
    </tr>
  {% endfor %}
  </tbody>
</table>
</div>
{% else %}
<p>No clinic has enrolled yet. <a href="{{ base }}/enrol">Enrol a clinic</a>.</p>
{% endif %}
{% endblock %}
"""

_ENROL: Final = """{% extends "base.html" %}
{% block title %}Enrol a clinic{% endblock %}
{% block main %}
<h1>Enrol a clinic</h1>
{% if issued %}
<section aria-labelledby="issued-heading">
  <h2 id="issued-heading">Token for {{ issued.facility }}</h2>
  <p>It is shown only this once: copy it or scan the code now. It works once, until
    {{ issued.expires_at | when }}.</p>
  <code class="token" id="token">{{ issued.text }}</code>
  <p><button type="button" class="quiet" id="copy" hidden>Copy token</button></p>
  <figure>
    {{ qr_svg }}
    <figcaption class="muted">The same token as a QR code.</figcaption>
  </figure>
  <p>On the clinic PC: Sync page → Enrol this PC, or
    <code>main.py enrol --token TOKEN</code></p>
</section>
<h2>Another clinic</h2>
{% endif %}
{% if error %}<p class="error" role="alert" id="enrol-error">{{ error }}</p>{% endif %}
<form class="stack" method="post" action="{{ base }}/enrol">
  <input type="hidden" name="csrf" value="{{ csrf }}">
  <label for="facility">Facility name</label>
  <input id="facility" name="facility" required maxlength="200" size="40"
         value="{{ facility }}"{% if error %} aria-describedby="enrol-error"{% endif %}>
  <label for="valid_days">Valid for (days)
    <span class="hint">1 to {{ max_days }}; the token can be used once within this time.</span>
  </label>
  <input id="valid_days" name="valid_days" type="number" min="1" max="{{ max_days }}"
         required value="{{ valid_days }}">
  <div><button type="submit">Issue a token</button></div>
</form>
<h2>Tokens issued</h2>
{% if tokens %}
<div class="table-wrap">
<table>
  <thead><tr>
    <th scope="col">Facility</th><th scope="col">Issued</th><th scope="col">Status</th>
  </tr></thead>
  <tbody>
  {% for t in tokens %}
    <tr>
      <th scope="row">{{ t.facility }}</th>
      <td>{{ t.created_at | when }}</td>
      <td>
      {% if t.used_at %}Used {{ t.used_at | when }} by
        {{ spoke_names.get(t.spoke_id) or t.spoke_id }}
      {% elif t.expired %}Expired {{ t.expires_at | when }}
      {% else %}Unused, valid until {{ t.expires_at | when }}{% endif %}
      </td>
    </tr>
  {% endfor %}
  </tbody>
</table>
</div>
{% else %}
<p>No token has been issued yet.</p>
{% endif %}
{% endblock %}
{% block script %}
{% if issued %}
<script nonce="{{ nonce }}">
(function () {
  var button = document.getElementById("copy"), token = document.getElementById("token");
  if (!button || !token || !navigator.clipboard) { return; }
  button.hidden = false;
  button.addEventListener("click", function () {
    navigator.clipboard.writeText(token.textContent.trim()).then(function () {
      button.textContent = "Copied";
    });
  });
})();
</script>
{% endif %}
{% endblock %}
"""

_USERS: Final = """{% extends "base.html" %}
{% block title %}Users{% endblock %}
{% block main %}
<h1>Users</h1>
{% if action_error %}<p class="error" role="alert">{{ action_error }}</p>{% endif %}
<div class="table-wrap">
<table>
  <thead><tr>
    <th scope="col">Username</th><th scope="col">Name</th><th scope="col">Role</th>
    <th scope="col">Clinic</th><th scope="col">Registration no.</th>
    <th scope="col">Specialty</th><th scope="col">Status</th><th scope="col">Actions</th>
  </tr></thead>
  <tbody>
  {% for u in users %}
    <tr>
      <th scope="row">{{ u.username }}</th>
      <td>{{ u.display_name }}</td>
      <td>{{ role_labels.get(u.role, u.role) }}</td>
      <td>{{ spoke_names.get(u.spoke_id) or u.spoke_id or "" }}</td>
      <td>{{ u.registration_no }}</td>
      <td>{{ specialty_names.get(u.specialty, u.specialty) }}</td>
      <td>{{ "Active" if u.active else "Disabled" }}</td>
      <td>
        <form method="post" action="{{ base }}/users/active">
          <input type="hidden" name="csrf" value="{{ csrf }}">
          <input type="hidden" name="username" value="{{ u.username }}">
          <input type="hidden" name="active" value="{{ "0" if u.active else "1" }}">
          <button class="quiet" type="submit"
                  aria-label="{{ "Disable" if u.active else "Enable" }} {{ u.username }}">
            {{- "Disable" if u.active else "Enable" }}</button>
        </form>
        <a href="{{ base }}/users/password?username={{ u.username | urlencode }}"
           aria-label="Set a new password for {{ u.username }}">Set password</a>
      </td>
    </tr>
  {% else %}
    <tr><td colspan="8">No users yet.</td></tr>
  {% endfor %}
  </tbody>
</table>
</div>

<h2 id="add-heading">Add a user</h2>
{% if error %}<p class="error" role="alert" id="add-error">{{ error }}</p>{% endif %}
<form class="stack" method="post" action="{{ base }}/users" aria-labelledby="add-heading"
      {%- if error %} aria-describedby="add-error"{% endif %}>
  <input type="hidden" name="csrf" value="{{ csrf }}">
  <label for="new-username">Username
    <span class="hint">2-32 characters: a-z, digits, ".", "_" or "-".</span></label>
  <input id="new-username" name="username" required autocomplete="off"
         value="{{ form.username }}">
  <label for="new-name">Full name</label>
  <input id="new-name" name="display_name" required size="40" value="{{ form.display_name }}">
  <label for="new-role">Role</label>
  <select id="new-role" name="role" required>
    {% for value, label in role_labels.items() %}
    <option value="{{ value }}"{% if form.role == value %} selected{% endif %}>
      {{- label }}</option>
    {% endfor %}
  </select>
  <label for="new-spoke">Clinic <span class="hint">For clinic roles only.</span></label>
  <select id="new-spoke" name="spoke_id">
    <option value="">None (a hub role)</option>
    {% for s in spokes %}
    <option value="{{ s.id }}"{% if form.spoke_id == s.id %} selected{% endif %}>
      {{- s.name }}</option>
    {% endfor %}
  </select>
  <fieldset>
    <legend>Specialists only</legend>
    <label for="new-reg">Medical registration no.</label>
    <input id="new-reg" name="registration_no" value="{{ form.registration_no }}">
    <label for="new-council">Registration council
      <span class="hint">The State Medical Council or the National Medical Commission, as
        printed on prescriptions.</span></label>
    <input id="new-council" name="registration_council" size="40"
           value="{{ form.registration_council }}">
    <label for="new-qualification">Qualification <span class="hint">As printed on
      prescriptions, e.g. MBBS, MD (General Medicine).</span></label>
    <input id="new-qualification" name="qualification" size="40"
           value="{{ form.qualification }}">
    <label for="new-specialty">Specialty <span class="hint">The queue this specialist
      sees first.</span></label>
    <select id="new-specialty" name="specialty">
      <option value="">None</option>
      {% for s in specialties %}
      <option value="{{ s.key }}"{% if form.specialty == s.key %} selected{% endif %}>
        {{- s.name }}</option>
      {% endfor %}
    </select>
  </fieldset>
  <label for="new-password">Password <span class="hint">At least 8 characters.</span></label>
  <input id="new-password" name="password" type="password" required
         autocomplete="new-password">
  <label for="new-password2">Password again</label>
  <input id="new-password2" name="password2" type="password" required
         autocomplete="new-password">
  <div><button type="submit">Add user</button></div>
</form>
{% endblock %}
"""

_PASSWORD: Final = """{% extends "base.html" %}
{% block title %}New password{% endblock %}
{% block main %}
<h1>New password for {{ target.username }}</h1>
<p>{{ target.display_name }}, {{ role_labels.get(target.role, target.role) }}.</p>
{% if error %}<p class="error" role="alert" id="password-error">{{ error }}</p>{% endif %}
<form class="stack" method="post" action="{{ base }}/users/password">
  <input type="hidden" name="csrf" value="{{ csrf }}">
  <input type="hidden" name="username" value="{{ target.username }}">
  <label for="password">New password <span class="hint">At least 8 characters.</span></label>
  <input id="password" name="password" type="password" required autocomplete="new-password"
         {%- if error %} aria-describedby="password-error"{% endif %}>
  <label for="password2">New password again</label>
  <input id="password2" name="password2" type="password" required
         autocomplete="new-password">
  <div><button type="submit">Set password</button></div>
</form>
<p><a href="{{ base }}/users">Back to users</a></p>
{% endblock %}
"""


_OWN_PASSWORD: Final = """{% extends "base.html" %}
{% block title %}Your password{% endblock %}
{% block main %}
<h1>Change your password</h1>
{% if user.role == "specialist" %}
<p>Your signing key stays yours: it is sealed again under the new password.</p>
{% endif %}
{% if error %}<p class="error" role="alert" id="own-error">{{ error }}</p>{% endif %}
<form class="stack" method="post" action="{{ base }}/account/password">
  <input type="hidden" name="csrf" value="{{ csrf }}">
  <label for="old_password">Current password</label>
  <input id="old_password" name="old_password" type="password" required
         autocomplete="current-password"{% if error %} aria-describedby="own-error"{% endif %}>
  <label for="password">New password <span class="hint">At least 8 characters.</span></label>
  <input id="password" name="password" type="password" required autocomplete="new-password">
  <label for="password2">New password again</label>
  <input id="password2" name="password2" type="password" required
         autocomplete="new-password">
  <div><button type="submit">Change password</button></div>
</form>
{% endblock %}
"""


def when(value: str | datetime | None) -> Markup:
    """A stored time for people: UTC to the minute, machine-readable in ``<time>``."""
    if not value:
        return Markup("")
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    moment = moment.astimezone(UTC)
    return Markup('<time datetime="{}">{}</time>').format(
        moment.isoformat(timespec="seconds"), moment.strftime("%Y-%m-%d %H:%M UTC")
    )


ENV: Final = Environment(
    loader=DictLoader(
        {
            "base.html": _BASE,
            "login.html": _LOGIN,
            "error.html": _ERROR,
            "spokes.html": _SPOKES,
            "enrol.html": _ENROL,
            "users.html": _USERS,
            "password.html": _PASSWORD,
            "own_password.html": _OWN_PASSWORD,
            **specialist_templates.TEMPLATES,
            **fleet_templates.TEMPLATES,
        }
    ),
    autoescape=True,
    undefined=StrictUndefined,  # a misspelt name fails the page, not silently blanks it
    trim_blocks=True,
    lstrip_blocks=True,
)
ENV.filters["when"] = when


def base_path(request: Request) -> str:
    """Where the console is mounted (``/console``): links and redirects start with it."""
    return str(request.scope.get("root_path", ""))


def content_security_policy(nonce: str) -> str:
    return (
        "default-src 'none'; "
        f"style-src 'nonce-{nonce}'; script-src 'nonce-{nonce}'; connect-src 'self'; "
        "img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    )


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """The page, with a fresh CSP nonce for its stylesheet and script. Every page shows
    something about the hub, so none is stored by browsers or proxies."""
    nonce = secrets.token_urlsafe(16)
    has_session = "session" in request.scope
    notice = request.session.pop("notice", None) if has_session else None
    values: dict[str, Any] = {
        "hub_name": getattr(request.app.state, "hub_name", "HWC Hub"),
        "user": None,
        "page": "",
        "notice": notice,
        "error": "",
        **(context or {}),
        "base": base_path(request),
        "csrf": csrf_token(request) if has_session else "",
        "nonce": nonce,
        "style": Markup(_STYLE + specialist_templates.STYLE + fleet_templates.STYLE),
        "role_labels": ROLE_LABELS,
    }
    html = ENV.get_template(template).render(values)
    return HTMLResponse(
        html,
        status,
        headers={
            **(headers or {}),
            "Content-Security-Policy": content_security_policy(nonce),
            "Cache-Control": "no-store",
        },
    )
