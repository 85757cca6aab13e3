"""Peripherals: pure protocol parsers, stream framers, and (later) transports and drivers.

    from app.devices import decode, DecodeError
    m = decode("ble:2a35", payload)   # -> Measurement; DecodeError (a ValueError) otherwise

``decode`` never raises anything but ``DecodeError`` and never hangs, whatever the bytes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from app.devices.measurement import PARSER_VERSION, DecodeError, Measurement, Reading

__all__ = ["PARSER_VERSION", "DecodeError", "Measurement", "Reading", "decode", "protocols"]

log = logging.getLogger(__name__)

Parser = Callable[[bytes], Measurement]


def _registry() -> dict[str, Parser]:
    from app.devices.parsers import PARSERS

    return PARSERS


def protocols() -> list[str]:
    return sorted(_registry())


def decode(protocol: str, payload: bytes) -> Measurement:
    parser = _registry().get(protocol)
    if parser is None:
        raise DecodeError(f"unknown protocol {protocol!r}; known: {', '.join(protocols())}")
    if not isinstance(payload, bytes | bytearray | memoryview):
        raise DecodeError(f"{protocol}: payload must be bytes, not {type(payload).__name__}")
    try:
        return parser(bytes(payload))
    except DecodeError:
        raise
    except Exception as exc:  # a parser bug must not take the device thread down
        log.exception("parser %s failed on %d bytes", protocol, len(payload))
        raise DecodeError(f"{protocol}: could not decode ({type(exc).__name__})") from exc
