"""A&D-style ASCII weighing-indicator lines: devices reference §2.3, §5."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.devices.measurement import DecodeError, Measurement
from app.devices.parsers import scale
from app.devices.parsers.scale import parse_ascii
from app.domain.vitals import WEIGHT


def view(m: Measurement) -> dict[str, object]:
    w = m.reading(WEIGHT)
    return {
        "status": m.info["status"],
        "kind": m.info["kind"],
        "weight": None if w is None else w.value,
        "unit": m.info.get("unit"),
    }


@pytest.mark.parametrize(
    ("hex_", "expected", "flags"),
    [
        (
            "53 54 2C 47 53 2C 2B 30 30 37 32 2E 35 30 6B 67 0D 0A",
            {"status": "stable", "kind": "gross", "weight": 72.5, "unit": "kg"},
            set(),
        ),
        (
            "55 53 2C 47 53 2C 2B 30 30 37 31 2E 39 35 6B 67 0D 0A",
            {"status": "unstable", "kind": "gross", "weight": 71.95, "unit": "kg"},
            {"unstable"},
        ),
    ],
)
def test_reference_vectors(hex_: str, expected: dict[str, object], flags: set[str]) -> None:
    m = parse_ascii(bytes.fromhex(hex_))
    assert m.protocol == "scale:ascii"
    assert view(m) == expected
    assert m.flags == flags
    w = m.reading(WEIGHT)
    assert w is not None and w.unit == "kg"
    assert w.exact == Decimal(str(expected["weight"]))
    assert m.taken_at is None


def test_exact_keeps_the_decimals_sent() -> None:
    w = parse_ascii(b"ST,GS,+0072.50kg\r\n").reading(WEIGHT)
    assert w is not None and str(w.exact) == "72.50"


@pytest.mark.parametrize(
    ("line", "value", "unit", "flags"),
    [
        (b"ST,GS,+  62.35kg", "62.35", "kg", set()),  # space padding (brief's example)
        (b"ST,GS,+  62.35kg\r", "62.35", "kg", set()),
        (b"ST,GS,+  62.35kg\n", "62.35", "kg", set()),
        (b"ST,NT,+0012.40kg\r\n", "12.40", "kg", {"net"}),
        (b"US,NT,+0012.40kg", "12.40", "kg", {"net", "unstable"}),
        (b"ST,GS,+0150.2lb\r\n", "150.2", "[lb_av]", set()),
        (b"ST,GS,+003250 g\r\n", "3250", "g", set()),
        (b"ST,GS,+0072.50KG", "72.50", "kg", set()),
        (b" ST , GS , +   72.50 kg ", "72.50", "kg", set()),
        (b"ST,GS,0072.50kg", "72.50", "kg", set()),  # no sign
        (b"ST,GS,-0000.20kg", "-0.20", "kg", set()),  # the domain judges plausibility
        (b"ST,GS,-0000.00kg", "0.00", "kg", set()),  # minus zero is zero
        (b"ST,GS,+4.876kg", "4.876", "kg", set()),  # project_sperm simulator line
        (b"ST,GS,+72.kg", "72", "kg", set()),
        (b"ST,GS,+.5kg", "0.5", "kg", set()),
    ],
)
def test_derived_lines(line: bytes, value: str, unit: str, flags: set[str]) -> None:
    m = parse_ascii(line)
    w = m.reading(WEIGHT)
    assert w is not None
    assert w.exact == Decimal(value) and w.value == float(Decimal(value))
    assert w.unit == unit
    assert m.flags == flags


@pytest.mark.parametrize(
    ("line", "flag"),
    [
        (b"OL,GS,+9999999kg\r\n", "overload"),
        (b"OL,GS,+99999.E kg\r\n", "overload"),
        (b"OL,NT,-99999.E kg", "underload"),
    ],
)
def test_overload_is_never_a_number(line: bytes, flag: str) -> None:
    m = parse_ascii(line)
    assert m.readings == ()
    assert m.flags == {flag}
    assert m.info["status"] == "overload"


def test_tare_line_is_not_the_patients_weight() -> None:
    m = parse_ascii(b"ST,TR,+0001.20kg\r\n")
    assert m.readings == ()
    assert m.flags == {"tare"}
    assert m.info["tare"] == Decimal("1.20") and m.info["kind"] == "tare"


@pytest.mark.parametrize(
    ("line", "match"),
    [
        (b"", "expected"),
        (b"\r\n", "expected"),
        (b"ST,GS", "expected"),
        (b"ST,GS,+0072.50kg,extra", "expected"),
        (b"XX,GS,+0072.50kg", "status header"),
        (b"st,GS,+0072.50kg", "status header"),
        (b"ST,ZZ,+0072.50kg", "weight type"),
        (b"ST,GS,+0072.50", "unit"),
        (b"ST,GS,+0072.50oz", "unit"),
        (b"ST,GS,+kg", "not '\u00b1number unit'"),
        (b"ST,GS,+72.5.1kg", "not"),
        (b"ST,GS,+7 2.5kg", "not"),
        (b"ST,GS,++72.5kg", "not"),
        (b"ST,GS,+72.5kg2", "not"),
        (b"ST,GS,+72.5\xb0kg", "non-ASCII"),
        (b"ST,GS,+72.5kg\x00", "non-printable"),
        (b"ST,GS,+72.5kg\r\nST,GS,+72.5kg\r\n", "more than one line"),
        (b"ST,GS,+" + b"0" * 80 + b"72.5kg", "longer than"),
        (b"OL,GS,", "no value"),
    ],
)
def test_malformed_lines(line: bytes, match: str) -> None:
    with pytest.raises(DecodeError, match=match):
        parse_ascii(line)


@pytest.mark.parametrize("n", range(len(b"ST,GS,+0072.50kg")))
def test_every_truncation_raises(n: int) -> None:
    line = b"ST,GS,+0072.50kg"[:n]
    with pytest.raises(DecodeError, match="scale:ascii: "):
        parse_ascii(line)


def test_registry_and_decode() -> None:
    assert set(scale.PARSERS) == {"scale:ascii"}
    from app.devices import decode

    assert decode("scale:ascii", b"ST,GS,+0072.50kg\r\n").reading(WEIGHT).value == 72.5  # type: ignore[union-attr]


@settings(max_examples=2000)
@given(st.binary(max_size=80))
def test_random_bytes_only_decode_error(data: bytes) -> None:
    try:
        parse_ascii(data)
    except DecodeError as exc:
        assert str(exc).startswith("scale:ascii: ")


@settings(max_examples=2000)
@given(
    st.text(alphabet="STUGNROL,+-. 0123456789kglb\r\n", max_size=30)
    | st.from_regex(
        r"(ST|US|OL),(GS|NT|TR),[+-]? *[0-9]{0,5}\.?[0-9]{0,3} *(kg|lb|g)\r?\n?", fullmatch=True
    )
)
def test_near_valid_text_only_decode_error(text: str) -> None:
    try:
        m = parse_ascii(text.encode("latin-1"))
    except DecodeError:
        return
    w = m.reading(WEIGHT)
    if w is not None:
        assert w.exact is not None and float(w.exact) == w.value
        assert w.unit in {"kg", "[lb_av]", "g"}
