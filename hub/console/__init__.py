"""The hub's web console, served under ``/console`` by ``hub.app.create_app``.

Server-rendered HTML for people at the hub: the hub administrator's pages (spokes, enrolling a
clinic, hub users) and the specialist's (the queue, a case, prescribing). Modules:

- ``app``: the ASGI app (``create_console``), its middleware and error pages;
- ``session``: the signed session cookie and the CSRF token tied to it;
- ``auth``: signing in and out, the failed-login throttle, who may see which page;
- ``admin``: the hub administrator's pages;
- ``specialist``: the specialist's pages, with ``rx_form`` (the prescription form's fields)
  and ``vitals_view`` (a case's vitals with flags and trends);
- ``templates`` and ``specialist_templates``: the Jinja2 templates and ``render``.
"""

from __future__ import annotations

from hub.console.app import create_console

__all__ = ["create_console"]
