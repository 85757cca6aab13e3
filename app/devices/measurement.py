"""What a device parser returns, and the one error it may raise.

Parsers are pure: ``bytes -> Measurement`` with no I/O and no clock. A reading keeps the LOINC
code and UCUM unit the rest of the app uses (``app.domain.vitals``), and the decimal value as
the device sent it (mantissa and exponent, so 2 and 2.0 stay different). Clinical plausibility
is the domain's job, not the parser's: a parser refuses only bytes that do not follow the
protocol, and special values (NaN, NRes, +/-INF, reserved) never become numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

PARSER_VERSION = "1"  # stored with every device observation; bump when a decode changes


class DecodeError(ValueError):
    """The bytes are malformed, truncated or use a reserved value; the message says which."""


@dataclass(frozen=True, slots=True)
class Reading:
    code: str  # LOINC
    value: float
    unit: str  # UCUM
    exact: Decimal | None = None  # the decimal as sent (mantissa x 10^exponent), when known


@dataclass(frozen=True, slots=True)
class Measurement:
    protocol: str  # the key it was decoded with, e.g. "ble:2a35"
    readings: tuple[Reading, ...]
    taken_at: datetime | None = None  # the device's own clock (naive: devices have no zone)
    flags: frozenset[str] = frozenset()  # decoded status bits, e.g. {"irregular_pulse"}
    info: Mapping[str, object] = field(default_factory=dict)  # user id, sequence no., ...

    def reading(self, code: str) -> Reading | None:
        return next((r for r in self.readings if r.code == code), None)
