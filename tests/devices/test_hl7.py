"""HL7 v2 ORU^R01 parser and ACK builder: devices reference §3, §5.

The reference's HL7 vectors point to a JSON file that is not in shared/; the messages below
are rebuilt from §3's typical message and the expected values §5 shows.
"""

from __future__ import annotations

import contextlib
from datetime import datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.devices.framing import MllpFramer
from app.devices.measurement import DecodeError, Measurement
from app.devices.parsers import hl7
from app.devices.parsers.hl7 import build_ack, make_parser, mdil_to_mdc, parse_oru
from app.domain.vitals import (
    DIASTOLIC,
    PULSE,
    RESP_RATE,
    SPO2,
    SYSTOLIC,
    TEMPERATURE,
    WEIGHT,
)

T = "20240315103000"
MSH = "MSH|^~\\&|MONITOR|BED01|HWC_CLIENT|HWC|20240315103000||ORU^R01^ORU_R01|{id}|P|2.6"


def obx(n: int, code: str, value: str, unit: str, status: str = "F", when: str = T,
        vt: str = "NM", extra: str = "") -> str:  # fmt: skip
    return f"OBX|{n}|{vt}|{code}|1.3.1.{n}|{value}|{unit}|||||{status}|||{when}{extra}"


def message(*obxs: str, control_id: str = "MSG00001", pid: str = "PAT123",
            obr_time: str = T, sep: str = "\r") -> bytes:  # fmt: skip
    segs = [
        MSH.format(id=control_id),
        f"PID|||{pid}^^^HWC^MR||DOE^JOHN",
        f"OBR|1|||182777000^monitoring of patient^SCT|||{obr_time}",
        *obxs,
    ]
    return (sep.join(segs) + sep).encode()


VECTOR1 = message(
    obx(1, "150456^MDC_PULS_OXIM_SAT_O2^MDC", "97", "262688^MDC_DIM_PERCENT^MDC"),
    obx(2, "149530^MDC_PULS_OXIM_PULS_RATE^MDC", "72", "264864^MDC_DIM_BEAT_PER_MIN^MDC"),
    obx(3, "150021^MDC_PRESS_BLD_NONINV_SYS^MDC", "120", "266016^MDC_DIM_MMHG^MDC"),
    obx(4, "150022^MDC_PRESS_BLD_NONINV_DIA^MDC", "80", "266016^MDC_DIM_MMHG^MDC"),
    obx(5, "150023^MDC_PRESS_BLD_NONINV_MEAN^MDC", "93", "266016^MDC_DIM_MMHG^MDC"),
    obx(6, "150364^MDC_TEMP_BODY^MDC", "36.8", "268192^MDC_DIM_DEGC^MDC"),
)

VECTOR2 = (
    b"MSH|^~\\&|IntelliVue|MX450|HWC_CLIENT|HWC|20240315110000||ORU^R01|MSG00002|P|2.3\r"
    b"PID|||PAT456\r"
    b"OBR|1|||Monitoring|||20240315110000\r"
    b"OBX|1|NM|0002-4182^HR^MDIL||60|0004-0aa0^bpm^MDIL|||||F\r"
    b"OBX|2|NM|0002-4bb8^SpO2^MDIL||96|0004-0220^%^MDIL|||||F\r"
    b"OBX|3|NM|0002-4a05^NBPs^MDIL||118|0004-0f20^mmHg^MDIL|||||F\r"
    b"OBX|4|NM|0002-4a06^NBPd^MDIL||76|0004-0f20^mmHg^MDIL|||||F\r"
)


def values(m: Measurement) -> dict[str, tuple[float, str]]:
    return {r.code: (r.value, r.unit) for r in m.readings}


# --- §5 vectors -----------------------------------------------------------------------------


def test_vector1_monitor_vitals() -> None:
    m = parse_oru(VECTOR1)
    assert m.protocol == "hl7v2:oru"
    assert m.info["message_type"] == "ORU^R01"
    assert m.info["control_id"] == "MSG00001"
    assert m.info["patient_id"] == "PAT123"
    assert values(m) == {
        SPO2: (97, "%"),
        PULSE: (72, "/min"),
        SYSTOLIC: (120, "mm[Hg]"),
        DIASTOLIC: (80, "mm[Hg]"),
        TEMPERATURE: (36.8, "Cel"),
    }
    assert [r.code for r in m.readings] == [SPO2, PULSE, SYSTOLIC, DIASTOLIC, TEMPERATURE]
    assert m.reading(TEMPERATURE).exact == Decimal("36.8")  # type: ignore[union-attr]
    assert m.taken_at == datetime(2024, 3, 15, 10, 30, 0)
    assert m.info["sources"][SPO2] == "MDC 150456"  # type: ignore[index]
    # NIBP mean has no vital in the domain: listed, not dropped silently
    assert any(i["code"] == "150023" for i in m.info["ignored"])  # type: ignore[attr-defined]


def test_vector2_philips_mdil() -> None:
    m = parse_oru(VECTOR2)
    assert m.info["control_id"] == "MSG00002" and m.info["patient_id"] == "PAT456"
    assert values(m) == {
        PULSE: (60, "/min"),
        SPO2: (96, "%"),
        SYSTOLIC: (118, "mm[Hg]"),
        DIASTOLIC: (76, "mm[Hg]"),
    }
    assert m.info["sources"] == {  # MDC codes as §5 expects
        PULSE: "MDC 147842",
        SPO2: "MDC 150456",
        SYSTOLIC: "MDC 150021",
        DIASTOLIC: "MDC 150022",
    }
    assert m.taken_at == datetime(2024, 3, 15, 11, 0, 0)  # OBR-7: the OBX have no OBX-14


@pytest.mark.parametrize(
    ("hex_", "mdc"),
    [("30 30 30 32 2D 34 62 62 38", 150456), ("30 30 30 32 2D 34 61 30 35", 150021)],
)
def test_philips_mdil_code_to_mdc(hex_: str, mdc: int) -> None:
    assert mdil_to_mdc(bytes.fromhex(hex_).decode("ascii")) == mdc


@pytest.mark.parametrize(
    ("code", "mdc"),
    [("0002-4182", 147842), ("0002-4A06", 150022), ("0004-0f20", 266016), ("0004-0aa0", 264864)],
)
def test_more_mdil_codes(code: str, mdc: int) -> None:
    assert mdil_to_mdc(code) == mdc


@pytest.mark.parametrize("bad", ["", "0002-4bb", "00024bb8", "0002-4bbg", "x0002-4bb8"])
def test_bad_mdil_code(bad: str) -> None:
    with pytest.raises(DecodeError, match="MDIL"):
        mdil_to_mdc(bad)


def test_ack_vector() -> None:
    framed = build_ack(VECTOR1)
    assert framed[:1] == b"\x0b" and framed.endswith(b"\x1c\x0d")
    frames = MllpFramer().feed(framed)
    assert len(frames) == 1
    msh, msa = frames[0].decode().rstrip("\r").split("\r")
    f = msh.split("|")
    assert f[0] == "MSH" and f[1] == "^~\\&"
    assert f[8] == "ACK^R01^ACK"  # MSH-9
    assert (f[2], f[3], f[4], f[5]) == ("HWC_CLIENT", "HWC", "MONITOR", "BED01")
    assert f[6] == "20240315103000"  # no clock: echoes the received MSH-7
    assert f[9] == "ACKMSG00001" and f[10] == "P" and f[11] == "2.6"
    assert msa.split("|") == ["MSA", "AA", "MSG00001"]


def test_ack_options() -> None:
    raw = build_ack(
        VECTOR2, "AE", control_id="A1", timestamp=datetime(2024, 3, 15, 11, 0, 5),
        text="bad OBX|5", framed=False,
    )  # fmt: skip
    msh, msa = raw.decode().rstrip("\r").split("\r")
    f = msh.split("|")
    assert f[6] == "20240315110005" and f[9] == "A1" and f[11] == "2.3"
    assert msa == "MSA|AE|MSG00002|bad OBX\\F\\5"


def test_ack_of_a_broken_body_and_bad_codes() -> None:
    broken = MSH.format(id="X9").encode() + b"\rOBX|garbage\x00"
    assert b"MSA|AR|X9" in build_ack(broken, "AR")
    with pytest.raises(ValueError, match="ACK code"):
        build_ack(VECTOR1, "OK")
    with pytest.raises(DecodeError):
        build_ack(b"not hl7")


def test_ack_keeps_the_senders_separators() -> None:
    msg = b"MSH#@~\\&#MON#BED#APP#FAC#20240315103000##ORU@R01#ID7#P#2.5\r"
    msh, msa = build_ack(msg, framed=False).decode().rstrip("\r").split("\r")
    assert msh.split("#")[8] == "ACK@R01@ACK"
    assert msa == "MSA#AA#ID7"


# --- separators, encodings, escapes ---------------------------------------------------------


@pytest.mark.parametrize("sep", ["\r", "\n", "\r\n"])
def test_segment_separators(sep: str) -> None:
    m = parse_oru(message(obx(1, "150456^MDC_PULS_OXIM_SAT_O2^MDC", "97", "%"), sep=sep))
    assert values(m) == {SPO2: (97, "%")}


def test_separators_come_from_msh() -> None:
    msg = (
        b"MSH!@$\\%!MON!BED!APP!FAC!20240315103000!!ORU@R01!M1!P!2.6\r"
        b"PID!!!P9@@@HWC\r"
        b"OBX!1!NM!150456@MDC_PULS_OXIM_SAT_O2@MDC!!95!262688@MDC_DIM_PERCENT@MDC!!!!!F\r"
    )
    m = parse_oru(msg)
    assert values(m) == {SPO2: (95, "%")} and m.info["patient_id"] == "P9"


def test_escapes_in_text_fields() -> None:
    m = parse_oru(message(pid="A\\F\\B\\S\\C\\X41\\"))
    assert m.info["patient_id"] == "A|B^CA"


def test_utf8_and_latin1_text() -> None:
    utf8 = message(pid="PAT123", obr_time=T).replace(b"DOE^JOHN", "DÖE^JÖHN".encode())
    assert parse_oru(utf8).info["encoding"] == "utf-8"
    latin = message().replace(b"DOE^JOHN", "DÖE^JÖHN".encode("latin-1"))
    assert parse_oru(latin).info["encoding"] == "latin-1"


def test_leading_blank_lines_are_tolerated() -> None:
    assert parse_oru(b"\r\n" + VECTOR1).info["control_id"] == "MSG00001"


# --- mapping --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "unit", "value", "loinc", "ucum"),
    [
        (
            "149546^MDC_PULS_RATE_NON_INV^MDC",
            "264864^MDC_DIM_BEAT_PER_MIN^MDC",
            "70",
            PULSE,
            "/min",
        ),
        ("147842^MDC_ECG_HEART_RATE^MDC", "bpm", "61", PULSE, "/min"),
        ("150301^MDC_PRESS_CUFF_SYS^MDC", "mmHg", "121", SYSTOLIC, "mm[Hg]"),
        ("150302^MDC_PRESS_CUFF_DIA^MDC", "mm[Hg]^mm[Hg]^UCUM", "81", DIASTOLIC, "mm[Hg]"),
        ("150344^MDC_TEMP^MDC", "Cel", "37.1", TEMPERATURE, "Cel"),
        ("188496^MDC_TEMP_AXIL^MDC", "268192^MDC_DIM_DEGC^MDC", "36.4", TEMPERATURE, "Cel"),
        ("150364^MDC_TEMP_BODY^MDC", "266560^MDC_DIM_FAHR^MDC", "98.6", TEMPERATURE, "[degF]"),
        ("151562^MDC_RESP_RATE^MDC", "264928^MDC_DIM_RESP_PER_MIN^MDC", "16", RESP_RATE, "/min"),
        ("188736^MDC_MASS_BODY_ACTUAL^MDC", "263875^MDC_DIM_KILO_G^MDC", "61.2", WEIGHT, "kg"),
        ("150456^MDC_PULS_OXIM_SAT_O2", "%", "99", SPO2, "%"),  # no coding system
        ("59408-5^SpO2^LN", "%^%^UCUM", "94", SPO2, "%"),
        ("8867-4^Heart rate^LN", "/min", "66", PULSE, "/min"),
        ("8480-6^Systolic^LN", "mm[Hg]", "131", SYSTOLIC, "mm[Hg]"),
        ("X1^Sys^LOCAL^8480-6^Systolic^LN", "mmHg", "132", SYSTOLIC, "mm[Hg]"),  # alternate
    ],
)
def test_code_and_unit_mapping(code: str, unit: str, value: str, loinc: str, ucum: str) -> None:
    m = parse_oru(message(obx(1, code, value, unit)))
    assert values(m) == {loinc: (float(value), ucum)}
    assert m.reading(loinc).exact == Decimal(value)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("code", "unit", "reason"),
    [
        ("150017^MDC_PRESS_BLD_SYS^MDC", "mmHg", "unmapped"),  # invasive: never NIBP (§6)
        ("150018^MDC_PRESS_BLD_DIA^MDC", "mmHg", "unmapped"),
        ("150457^pulse^MDC", "bpm", "unmapped"),  # not the standard pulse-rate code (§6)
        ("393216^NIBP_SYS^EHC", "mmHg", "unmapped"),  # vendor-local
        ("150021^MDC_PRESS_BLD_NONINV_SYS^MDC", "265987^MDC_DIM_KILO_PASCAL^MDC", "unit"),
        ("150021^MDC_PRESS_BLD_NONINV_SYS^MDC", "%", "unit"),
        ("150364^MDC_TEMP_BODY^MDC", "", "unit"),  # Cel or degF? not guessed
    ],
)
def test_unusable_observations_are_listed(code: str, unit: str, reason: str) -> None:
    m = parse_oru(message(obx(1, code, "120", unit)))
    assert m.readings == ()
    ignored = m.info["ignored"]
    assert isinstance(ignored, list) and len(ignored) == 1
    assert reason in ignored[0]["reason"]


def test_missing_unit_defaults_only_when_the_vital_has_one_unit() -> None:
    m = parse_oru(message(obx(1, "150456^MDC_PULS_OXIM_SAT_O2^MDC", "97", "")))
    assert values(m) == {SPO2: (97, "%")}


def test_site_table() -> None:
    parse = make_parser({("EHC", "393216"): SYSTOLIC}, hl7.UNIT_CODES)
    m = parse(message(obx(1, "393216^NIBP_SYS^EHC", "125", "mmHg")))
    assert values(m) == {SYSTOLIC: (125, "mm[Hg]")}


def test_first_of_a_vital_wins_and_duplicates_are_listed() -> None:
    m = parse_oru(
        message(
            obx(1, "149530^MDC_PULS_OXIM_PULS_RATE^MDC", "72", "bpm"),
            obx(2, "147842^MDC_ECG_HEART_RATE^MDC", "74", "bpm"),
        )
    )
    assert values(m) == {PULSE: (72, "/min")}
    assert m.info["duplicates"][0]["code"] == "147842"  # type: ignore[index]


# --- value types, statuses, no-value marker -------------------------------------------------


def test_non_numeric_types_are_listed() -> None:
    m = parse_oru(
        message(
            obx(1, "150456^MDC_PULS_OXIM_SAT_O2^MDC", "97", "%"),
            obx(2, "184327^MDC_ECG_STAT_RHY^MDC", "Sinus", "", vt="ST"),
            obx(3, "68480^MDC_ATTR_ALARM^MDC", "x^y", "", vt="CWE"),
        )
    )
    assert values(m) == {SPO2: (97, "%")}
    assert [i["reason"] for i in m.info["ignored"]] == ["value type ST", "value type CWE"]  # type: ignore[attr-defined]


@pytest.mark.parametrize("status", ["F", "R", "C", "P", "", "f"])
def test_used_statuses(status: str) -> None:
    m = parse_oru(message(obx(1, "150456^MDC_PULS_OXIM_SAT_O2^MDC", "97", "%", status=status)))
    assert values(m) == {SPO2: (97, "%")}


@pytest.mark.parametrize("status", ["X", "W", "D", "N", "I", "Q"])
def test_skipped_statuses(status: str) -> None:
    # X often comes with a non-number: it must not be read at all
    m = parse_oru(message(obx(1, "150456^MDC_PULS_OXIM_SAT_O2^MDC", "---", "%", status=status)))
    assert m.readings == ()
    assert m.info["ignored"][0]["reason"] == f"result status {status}"  # type: ignore[index]


@pytest.mark.parametrize("value", ["-100", ""])
def test_no_value_never_becomes_a_number(value: str) -> None:
    m = parse_oru(message(obx(1, "150456^MDC_PULS_OXIM_SAT_O2^MDC", value, "%")))
    assert m.readings == ()
    assert "value" in m.info["ignored"][0]["reason"]  # type: ignore[index]


@pytest.mark.parametrize("value", ["9 7", "97%", "1e2", "abc", "0x61", "1" * 40, "NaN", "--1"])
def test_malformed_number(value: str) -> None:
    with pytest.raises(DecodeError, match=r"OBX 1: value .* is not an NM number"):
        parse_oru(message(obx(1, "150456^MDC_PULS_OXIM_SAT_O2^MDC", value, "%")))


def test_repeated_numeric_value() -> None:
    with pytest.raises(DecodeError, match="repeated"):
        parse_oru(message(obx(1, "150456^MDC_PULS_OXIM_SAT_O2^MDC", "97~98", "%")))


@pytest.mark.parametrize(("value", "exact"), [("+97", "97"), ("97.", "97"), (".5", "0.5"),
                                               ("-0", "0"), ("036.80", "36.80")])  # fmt: skip
def test_nm_forms(value: str, exact: str) -> None:
    m = parse_oru(message(obx(1, "150364^MDC_TEMP_BODY^MDC", value, "Cel")))
    assert m.reading(TEMPERATURE).exact == Decimal(exact)  # type: ignore[union-attr]


# --- times ----------------------------------------------------------------------------------


def test_obx14_wins_over_obr7_and_latest_is_taken_at() -> None:
    m = parse_oru(
        message(
            obx(1, "150456^MDC_PULS_OXIM_SAT_O2^MDC", "97", "%", when="20240315103005"),
            obx(2, "150021^MDC_PRESS_BLD_NONINV_SYS^MDC", "120", "mmHg", when="202403151025"),
            obx(3, "150022^MDC_PRESS_BLD_NONINV_DIA^MDC", "80", "mmHg", when=""),
            obr_time="20240315102000",
        )
    )
    assert m.info["observed_at"] == {
        SPO2: datetime(2024, 3, 15, 10, 30, 5),
        SYSTOLIC: datetime(2024, 3, 15, 10, 25),
        DIASTOLIC: datetime(2024, 3, 15, 10, 20),
    }
    assert m.taken_at == datetime(2024, 3, 15, 10, 30, 5)


def test_time_zone_offset_is_kept_in_info_not_applied() -> None:
    m = parse_oru(message(obx(1, "150456^X^MDC", "97", "%", when="20240315103000.25+0530")))
    assert m.taken_at == datetime(2024, 3, 15, 10, 30, 0, 250000)
    assert m.info["time_offset"] == "+0530"


@pytest.mark.parametrize("when", ["20240315", "2024031510", "2024"])
def test_coarse_times_are_not_used(when: str) -> None:
    m = parse_oru(message(obx(1, "150456^X^MDC", "97", "%", when=when), obr_time=""))
    assert m.taken_at is None and values(m) == {SPO2: (97, "%")}


@pytest.mark.parametrize("when", ["20241315103000", "20240230103000", "20240315250000",
                                  "2024-03-15", "202403151030001", "yesterday"])  # fmt: skip
def test_bad_times(when: str) -> None:
    with pytest.raises(DecodeError, match="date/time"):
        parse_oru(message(obx(1, "150456^X^MDC", "97", "%", when=when)))


def test_no_time_at_all() -> None:
    m = parse_oru(message(obx(1, "150456^X^MDC", "97", "%", when=""), obr_time=""))
    assert m.taken_at is None and m.info["observed_at"] == {}


# --- refused messages -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (b"", "empty"),
        (b"\r\n\r\n", "empty"),
        (b"PID|||X\r", "does not start with an MSH"),
        (b"MSH|^~\\&\r", "is not ORU\\^R01"),
        (VECTOR1.replace(b"ORU^R01^ORU_R01", b"ADT^A01^ADT_A01"), "'ADT\\^A01\\^ADT_A01'"),
        (VECTOR1.replace(b"ORU^R01^ORU_R01", b"ACK"), "is not ORU"),
        (VECTOR1.replace(b"ORU^R01^ORU_R01", b"ORU^R30"), "is not ORU"),
        (b"\x0b" + VECTOR1 + b"\x1c\r", "MLLP"),
        (VECTOR1 + VECTOR1, "second MSH"),
        (VECTOR1.replace(b"MSH|^~\\&", b"MSH|^~\\"), "encoding characters"),
        (VECTOR1.replace(b"MSH|^~\\&", b"MSH|^^\\&"), "encoding characters"),
        (VECTOR1.replace(b"MSH|", b"MSHA", 1), "field separator"),
        (VECTOR1 + b"obx|1\r", "segment name"),
        (VECTOR1 + b"PID|||OTHER\r", "more than one patient"),
        (b"MSH|^~\\&" + b"|" * (hl7.MAX_MESSAGE), "more than"),
    ],
)
def test_refused_messages(data: bytes, match: str) -> None:
    with pytest.raises(DecodeError, match=match):
        parse_oru(data)


@pytest.mark.parametrize("n", range(0, len(VECTOR1), 7))
def test_truncations_decode_or_raise_decode_error(n: int) -> None:
    try:
        m = parse_oru(VECTOR1[:n])
    except DecodeError:
        return
    assert len(m.readings) <= 5


def test_registry_and_decode() -> None:
    assert set(hl7.PARSERS) == {"hl7v2:oru"}
    from app.devices import decode

    assert decode("hl7v2:oru", VECTOR2).reading(SPO2).value == 96  # type: ignore[union-attr]


# --- properties -----------------------------------------------------------------------------


@settings(max_examples=2000)
@given(st.binary(max_size=200))
def test_random_bytes_only_decode_error(data: bytes) -> None:
    try:
        parse_oru(data)
    except DecodeError as exc:
        assert str(exc).startswith("hl7v2:oru: ")


@settings(max_examples=2000)
@given(st.binary(max_size=120))
def test_random_bytes_after_msh_only_decode_error(tail: bytes) -> None:
    for head in (b"MSH|^~\\&|A|B|C|D|20240315||ORU^R01|1|P|2.6\r", b"MSH|^~\\&"):
        with contextlib.suppress(DecodeError):
            parse_oru(head + tail)
        with contextlib.suppress(DecodeError):
            build_ack(head + tail)


@settings(max_examples=1000)
@given(st.data())
def test_mutated_messages_only_decode_error(data: st.DataObject) -> None:
    msg = bytearray(data.draw(st.sampled_from([VECTOR1, VECTOR2])))
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(msg) - 1))
        msg[i] = data.draw(st.sampled_from(b"|^~\\&\r\nX0-+.\xc3\x00"))
    try:
        m = parse_oru(bytes(msg))
    except DecodeError:
        return
    for r in m.readings:
        assert r.exact is not None and float(r.exact) == r.value


@settings(max_examples=500)
@given(st.text(max_size=30))
def test_any_text_in_fields_only_decode_error(text: str) -> None:
    for where in (b"PAT123", b"97", b"20240315103000", b"262688", b"150456"):
        with contextlib.suppress(DecodeError):
            parse_oru(VECTOR1.replace(where, text.encode("utf-8", "surrogatepass"), 1))
