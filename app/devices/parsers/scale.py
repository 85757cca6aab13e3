"""A&D-style continuous-output weighing indicators (devices reference §2.3).

``scale:ascii`` - one line ``H1,H2,±NNNN.NNuu`` (its CR/LF, if still there, is ignored):

* H1: ``ST`` stable, ``US`` unstable (flag ``unstable``), ``OL`` overload.
* H2: ``GS`` gross, ``NT`` net (flag ``net``), ``TR`` tare.
* value: optional sign, padded with spaces or zeros; unit ``kg``, ``lb`` or ``g``
  (-> UCUM ``kg``, ``[lb_av]``, ``g``). Spaces around fields are tolerated.

The reference says never to store ``OL``: an overload line decodes to a measurement with no
reading and the flag ``overload`` (``underload`` when its sign is ``-``); its number is not
read, since indicators fill it with 9s or ``E``. A tare line (``TR``) is not the patient's
weight either: no reading, flag ``tare``, the tare value in ``info``. Accepting a weight only
after N stable lines is the driver's job.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal

from app.devices.measurement import DecodeError, Measurement, Reading
from app.domain.vitals import WEIGHT

__all__ = ["PARSERS", "parse_ascii"]

ASCII = "scale:ascii"
MAX_LINE = 64

_STATUS = {"ST": "stable", "US": "unstable", "OL": "overload"}
_KIND = {"GS": "gross", "NT": "net", "TR": "tare"}
_UNITS = {"kg": "kg", "lb": "[lb_av]", "g": "g"}

_VALUE = re.compile(
    r"(?P<sign>[+-]?) *(?P<number>[0-9]+(?:\.[0-9]*)?|\.[0-9]+) *(?P<unit>[A-Za-z]*)"
)


def parse_ascii(data: bytes) -> Measurement:
    if len(data) > MAX_LINE:
        raise DecodeError(f"{ASCII}: line is {len(data)} bytes, longer than {MAX_LINE}")
    if any(b > 0x7E or (b < 0x20 and b not in (0x0D, 0x0A)) for b in data):
        raise DecodeError(f"{ASCII}: line has non-printable or non-ASCII bytes: {data!r}")
    text = data.decode("ascii")
    stripped = text.rstrip("\r\n")
    if "\r" in stripped or "\n" in stripped:
        raise DecodeError(f"{ASCII}: more than one line: {text!r}")
    parts = [p.strip() for p in stripped.split(",")]
    if len(parts) != 3:
        raise DecodeError(f"{ASCII}: expected 'H1,H2,value unit', got {stripped!r}")
    head, kind_code, field = parts
    status = _STATUS.get(head)
    if status is None:
        raise DecodeError(f"{ASCII}: unknown status header {head!r} (expected ST, US or OL)")
    kind = _KIND.get(kind_code)
    if kind is None:
        raise DecodeError(f"{ASCII}: unknown weight type {kind_code!r} (expected GS, NT or TR)")
    info: dict[str, object] = {"status": status, "kind": kind}
    if status == "overload":
        if not field:
            raise DecodeError(f"{ASCII}: overload line has no value field")
        flag = "underload" if field.startswith("-") else "overload"
        return Measurement(ASCII, (), None, frozenset({flag}), info)

    sign, number, unit_text = _split_value(field)
    unit = _UNITS.get(unit_text.lower())
    if unit is None:
        raise DecodeError(f"{ASCII}: unknown or missing unit {unit_text!r} (expected kg, lb, g)")
    exact = Decimal(sign + number)
    if exact.is_zero():
        exact = exact.copy_abs()  # "-0000.00" is a zero, not a negative weight
    info["unit"] = unit_text.lower()
    flags: set[str] = set()
    if status == "unstable":
        flags.add("unstable")
    if kind == "tare":
        info["tare"] = exact
        flags.add("tare")
        return Measurement(ASCII, (), None, frozenset(flags), info)
    if kind == "net":
        flags.add("net")
    reading = Reading(WEIGHT, float(exact), unit, exact)
    return Measurement(ASCII, (reading,), None, frozenset(flags), info)


def _split_value(field: str) -> tuple[str, str, str]:
    """``'+  62.35kg'`` -> ``('', '62.35', 'kg')``; DecodeError when it is not that shape."""
    match = _VALUE.fullmatch(field)
    if match is None:
        raise DecodeError(f"{ASCII}: value field {field!r} is not '±number unit'")
    sign = "-" if match["sign"] == "-" else ""
    return sign, match["number"], match["unit"]


PARSERS: dict[str, Callable[[bytes], Measurement]] = {ASCII: parse_ascii}
