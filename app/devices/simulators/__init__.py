"""Simulated peripherals that speak the real bytes, for the demo and the tests only.

They load only when ``HWC_SPOKE_SIMULATORS=1`` is set (demo mode and the test suite set it):
a clinic build must never take a simulator's numbers for a patient's.
"""

from __future__ import annotations

import os

ENV_FLAG = "HWC_SPOKE_SIMULATORS"


class SimulatorsDisabled(RuntimeError):
    """Raised on import outside demo mode and tests."""


def enabled() -> bool:
    return os.environ.get(ENV_FLAG) == "1"


if not enabled():
    raise SimulatorsDisabled(
        "device simulators load only in demo mode and tests "
        f"(start the app with --demo, or set {ENV_FLAG}=1 in a test environment)"
    )
