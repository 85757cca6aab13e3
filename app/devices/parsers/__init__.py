"""The protocol registry: key -> pure parser. Each module exports its own ``PARSERS``."""

from __future__ import annotations

from collections.abc import Callable

from app.devices.measurement import Measurement
from app.devices.parsers import ble, cms50, hl7, scale

PARSERS: dict[str, Callable[[bytes], Measurement]] = {
    **ble.PARSERS,
    **cms50.PARSERS,
    **scale.PARSERS,
    **hl7.PARSERS,
}
