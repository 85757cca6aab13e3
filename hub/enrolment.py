"""Issuing enrolment tokens (``app.domain.enrolment`` is the format; docs/SYNC.md the flow).

Used by ``hub enrol-token`` and by the console. The token carries the address the hub serves
at (recorded by ``hub serve``) unless one is given, and the pin of the anchor spokes will
trust; a hub that has never served gets its own CA here, so a token can be printed before the
first start.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Final

import segno

from app.domain import enrolment
from hub import tls
from hub.server import hub_identity
from hub.storage import HubStore

DEFAULT_VALID_DAYS: Final = 7
MAX_VALID_DAYS: Final = 90


class NoAddress(ValueError):
    """The hub has not been served yet and no address was given."""


@dataclass(frozen=True, slots=True)
class IssuedToken:
    text: str = field(repr=False)  # one-time: shown once, never logged
    facility: str
    expires_at: datetime

    def qr_svg(self) -> str:
        """The token as an SVG QR code (for the console, and for printing)."""
        return str(segno.make(self.text, error="m").svg_inline(scale=6, border=4))


def issue_token(
    store: HubStore,
    facility: str,
    *,
    valid_days: int = DEFAULT_VALID_DAYS,
    address: str | None = None,
    now: datetime | None = None,
) -> IssuedToken:
    """A new one-time token for a spoke named ``facility``. ``ValueError`` for a bad
    facility name, validity or address; ``NoAddress`` when none is known."""
    if not 1 <= valid_days <= MAX_VALID_DAYS:
        raise ValueError(f"a token is valid for 1-{MAX_VALID_DAYS} days")
    address = address or store.meta_get(tls.KEY_PUBLIC_ADDRESS)
    if not address:
        raise NoAddress(
            "the hub has not been served yet, so its address is unknown: give it (HOST:PORT)"
        )
    host, port = enrolment.split_address(address)
    anchor = store.meta_get(tls.KEY_ANCHOR)
    pin = tls.anchor_pin(anchor) if anchor else hub_identity(store, address).pin
    secret = enrolment.new_secret()
    expires = (now or datetime.now(UTC)) + timedelta(days=valid_days)
    store.create_enrol_token(facility, secret, expires)
    text = enrolment.encode(enrolment.EnrolmentToken(host, port, secret, pin))
    return IssuedToken(text, facility.strip(), expires)
