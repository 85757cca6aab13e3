"""A peripheral paired to this PC, as the services and the store know it.

Pure data: which driver (``kind``, one of ``app.devices.driver.DeviceKind``'s values), what
to open (``address``), the driver options, and the operator's label. Kinds are plain strings
here because the domain does not depend on the device layer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from app.domain.ids import UserId


@dataclass(frozen=True, slots=True)
class PairedDevice:
    id: str
    kind: str
    name: str
    address: str
    paired_at: datetime
    paired_by: UserId
    options: Mapping[str, str] = field(default_factory=dict)
    last_reading_at: datetime | None = None
    last_reading: str = ""  # a short summary ("SpO2 97 %, pulse 76 /min"), no patient data
