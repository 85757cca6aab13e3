"""HL7 v2 ORU^R01 from bedside monitors (devices reference §3), and the ACK to send back.

``hl7v2:oru`` - one ORU^R01 message WITHOUT MLLP framing (``app.devices.framing.MllpFramer``
removes it). Segments are separated by CR (LF and CRLF are accepted too); the field separator
and encoding characters come from MSH. The text may be UTF-8 or, failing that, Latin-1.

* Only OBX with value type ``NM`` become readings; other types are listed in ``info["ignored"]``.
* OBX-11 result status: F, C, R (IHE PCD-01 "unverified", normal for monitors), P, S, U and
  empty are used; D, I, N, W, X and anything else are skipped (listed in ``info["ignored"]``).
* OBX-5 ``-100`` is the "invalid or no value" marker of some monitors: never a number.
* OBX-3 is mapped to our LOINC codes through a data table keyed by (coding system, code):
  MDC numeric codes (``150456^MDC_PULS_OXIM_SAT_O2^MDC``), Philips MDIL hex codes
  (``0002-4bb8^SpO2^MDIL``, converted to MDC) and LOINC (``LN``). OBX-6 is mapped to UCUM the
  same way (MDC/MDIL unit codes, or a unit text such as ``mmHg``, ``bpm``, ``%``, ``Cel``).
  Unknown codes and units are not guessed: they are listed in ``info["ignored"]``.
* The first OBX of each vital is kept; later ones (an ECG heart rate after the oximeter's pulse
  rate, both LOINC 8867-4) are listed in ``info["duplicates"]``.
* ``taken_at``: each reading's OBX-14, else the OBR-7 of its OBR; when the readings disagree,
  the latest. Times less precise than minutes are not used; a zone offset is dropped (the time
  stays as the device wrote it) and kept in ``info``. Per-reading times: ``info["observed_at"]``.
* Patient identifier (PID-3, first repetition) in ``info["patient_id"]``. A message that holds
  results for two different patients is refused.

``build_ack(message, code)`` builds the MLLP-framed ACK (MSH + MSA) for a received message.
Pure: no clock, so MSH-7 echoes the received message's time unless a timestamp is given.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from app.devices.framing import mllp_wrap
from app.devices.measurement import DecodeError, Measurement, Reading
from app.domain.vitals import (
    BMI,
    DIASTOLIC,
    GLUCOSE_RANDOM,
    HEIGHT,
    PULSE,
    RESP_RATE,
    SPO2,
    SYSTOLIC,
    TEMPERATURE,
    VITALS,
    WEIGHT,
)

__all__ = [
    "ACK_CODES",
    "CODE_TO_LOINC",
    "PARSERS",
    "UNIT_CODES",
    "UNIT_TEXTS",
    "build_ack",
    "make_parser",
    "mdil_to_mdc",
    "parse_oru",
]

ORU = "hl7v2:oru"
MAX_MESSAGE = 1 << 20  # bytes; a monitor's ORU is a few kB

# (coding system, code) -> LOINC. Devices reference §3: MDC = partition * 65536 + term code.
# A site can pass its own table to make_parser(). MDIL hex codes are converted to MDC first.
CODE_TO_LOINC: dict[tuple[str, str], str] = {
    ("MDC", "150456"): SPO2,  # MDC_PULS_OXIM_SAT_O2 2::19384
    ("MDC", "149530"): PULSE,  # MDC_PULS_OXIM_PULS_RATE 2::18458
    ("MDC", "149546"): PULSE,  # MDC_PULS_RATE_NON_INV 2::18474
    ("MDC", "147842"): PULSE,  # MDC_ECG_HEART_RATE 2::16770
    ("MDC", "150021"): SYSTOLIC,  # MDC_PRESS_BLD_NONINV_SYS 2::18949
    ("MDC", "150022"): DIASTOLIC,  # MDC_PRESS_BLD_NONINV_DIA 2::18950
    ("MDC", "150301"): SYSTOLIC,  # MDC_PRESS_CUFF_SYS (variant seen in real feeds)
    ("MDC", "150302"): DIASTOLIC,  # MDC_PRESS_CUFF_DIA
    ("MDC", "150364"): TEMPERATURE,  # MDC_TEMP_BODY 2::19292
    ("MDC", "150344"): TEMPERATURE,  # MDC_TEMP (variant)
    ("MDC", "188496"): TEMPERATURE,  # MDC_TEMP_AXIL (variant, axillary)
    ("MDC", "151562"): RESP_RATE,  # MDC_RESP_RATE 2::20490 (verify against the monitor)
    ("MDC", "188736"): WEIGHT,  # MDC_MASS_BODY_ACTUAL 2::57664
    ("MDC", "188740"): HEIGHT,  # MDC_LEN_BODY_ACTUAL 2::57668
    ("MDC", "188752"): BMI,  # MDC_RATIO_MASS_BODY_LEN_SQ 2::57680
    ("MDC", "160184"): GLUCOSE_RANDOM,  # MDC_CONC_GLU_CAPILLARY_WHOLEBLOOD 2::29112
    # NOT mapped on purpose: 150017/150018 are invasive arterial pressures, 150457 is not a
    # standard pulse-rate code, and 150023 (NIBP mean) has no vital in app.domain.vitals.
    ("LN", "59408-5"): SPO2,  # SpO2 by pulse oximetry
    **{("LN", code): code for code in VITALS},
}

# (coding system, unit code) -> UCUM, for MDC numeric unit codes (partition 4, DIM).
UNIT_CODES: dict[tuple[str, str], str] = {
    ("MDC", "262688"): "%",  # MDC_DIM_PERCENT 4::544
    ("MDC", "264864"): "/min",  # MDC_DIM_BEAT_PER_MIN 4::2720
    ("MDC", "264928"): "/min",  # MDC_DIM_RESP_PER_MIN 4::2784
    ("MDC", "266016"): "mm[Hg]",  # MDC_DIM_MMHG 4::3872
    ("MDC", "268192"): "Cel",  # MDC_DIM_DEGC 4::6048
    ("MDC", "266560"): "[degF]",  # MDC_DIM_FAHR 4::4416
    ("MDC", "263875"): "kg",  # MDC_DIM_KILO_G 4::1731
    ("MDC", "263441"): "cm",  # MDC_DIM_CENTI_M 4::1297
    ("MDC", "264096"): "kg/m2",  # MDC_DIM_KG_PER_M_SQ 4::1952
    ("MDC", "264274"): "mg/dL",  # MDC_DIM_MILLI_G_PER_DL 4::2130
    ("MDC", "266866"): "mmol/L",  # MDC_DIM_MILLI_MOLE_PER_L 4::4722
}

# Unit texts (compared case-insensitively) -> UCUM: UCUM itself, ISO+, common labels, MDC names.
UNIT_TEXTS: dict[str, str] = {
    text.lower(): ucum
    for ucum, texts in {
        "%": ("%", "percent", "MDC_DIM_PERCENT"),
        "/min": ("/min", "1/min", "bpm", "{beats}/min", "{beat}/min", "beats/min",
                 "{breaths}/min", "brpm", "rpm", "MDC_DIM_BEAT_PER_MIN",
                 "MDC_DIM_RESP_PER_MIN"),
        "mm[Hg]": ("mm[Hg]", "mmHg", "mm(hg)", "MDC_DIM_MMHG"),
        "Cel": ("Cel", "°C", "degC", "MDC_DIM_DEGC"),
        "[degF]": ("[degF]", "°F", "degF", "MDC_DIM_FAHR"),
        "kg": ("kg", "MDC_DIM_KILO_G"),
        "g": ("g",),
        "[lb_av]": ("[lb_av]", "lb", "lbs"),
        "cm": ("cm", "MDC_DIM_CENTI_M"),
        "[in_i]": ("[in_i]", "in"),
        "kg/m2": ("kg/m2", "kg/m^2", "MDC_DIM_KG_PER_M_SQ"),
        "mg/dL": ("mg/dL", "MDC_DIM_MILLI_G_PER_DL"),
        "mmol/L": ("mmol/L", "MDC_DIM_MILLI_MOLE_PER_L"),
    }.items()
    for text in texts
}  # fmt: skip

USED_STATUSES = frozenset({"F", "C", "R", "P", "S", "U", ""})
NO_VALUE_MARKERS = frozenset({"-100"})
ACK_CODES = frozenset({"AA", "AE", "AR", "CA", "CE", "CR"})

_SEGMENT_SPLIT = re.compile(r"\r\n|\r|\n")
_SEGMENT_NAME = re.compile(r"[A-Z][A-Z0-9]{2}")
_NM = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_MDIL = re.compile(r"([0-9A-Fa-f]{4})-([0-9A-Fa-f]{4})")
_DTM = re.compile(
    r"([0-9]{4})([0-9]{2})?([0-9]{2})?([0-9]{2})?([0-9]{2})?([0-9]{2})?"
    r"(?:\.([0-9]{1,4}))?([+-][0-9]{4})?"
)
_MAX_NM = 32  # characters of an NM value; more is not a measurement


# --- the message skeleton -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Seps:
    field: str
    component: str
    repetition: str
    escape: str
    subcomponent: str


@dataclass(frozen=True, slots=True)
class _Msg:
    segments: tuple[tuple[str, list[str]], ...]  # (name, fields); fields[n] is SEG-n
    seps: _Seps
    codec: str


def _decode_text(data: bytes) -> tuple[str, str]:
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def _split_message(data: bytes, what: str) -> _Msg:
    if len(data) > MAX_MESSAGE:
        raise DecodeError(f"{what}: message is {len(data)} bytes, more than {MAX_MESSAGE}")
    if data[:1] == b"\x0b" or data.endswith(b"\x1c\r") or data.endswith(b"\x1c"):
        raise DecodeError(f"{what}: MLLP framing bytes present; de-frame the message first")
    text, codec = _decode_text(data)
    text = text.removeprefix("\ufeff").lstrip("\r\n\t ")
    lines = [s for s in _SEGMENT_SPLIT.split(text) if s.strip()]
    if not lines:
        raise DecodeError(f"{what}: empty message")
    msh = lines[0]
    if not msh.startswith("MSH") or len(msh) < 8:
        raise DecodeError(f"{what}: message does not start with an MSH segment: {msh[:20]!r}")
    fs = msh[3]
    end = msh.find(fs, 4)
    enc = msh[4:] if end < 0 else msh[4:end]
    if fs.isalnum() or fs.isspace():
        raise DecodeError(f"{what}: bad field separator {fs!r} in MSH")
    if len(enc) not in (4, 5):
        raise DecodeError(f"{what}: MSH-2 encoding characters {enc!r} must be 4 (or 5) long")
    if len(set(enc + fs)) != len(enc) + 1 or any(c.isalnum() or c.isspace() for c in enc):
        raise DecodeError(f"{what}: bad MSH-2 encoding characters {enc!r}")
    seps = _Seps(fs, enc[0], enc[1], enc[2], enc[3])
    segments: list[tuple[str, list[str]]] = []
    for line in lines:
        parts = line.split(fs)
        name = parts[0]
        if _SEGMENT_NAME.fullmatch(name) is None:
            raise DecodeError(f"{what}: bad segment name {name[:10]!r}")
        if name == "MSH" and segments:
            raise DecodeError(f"{what}: a second MSH: more than one message (a batch?)")
        # MSH-1 is the separator itself, so MSH fields shift by one; MSH-2 the encoding chars.
        fields = ["MSH", fs, *parts[1:]] if name == "MSH" else parts
        segments.append((name, fields))
    return _Msg(tuple(segments), seps, codec)


def _field(fields: list[str], n: int) -> str:
    return fields[n] if n < len(fields) else ""


def _unescape(text: str, seps: _Seps) -> str:
    esc = seps.escape
    if esc not in text:
        return text
    out: list[str] = []
    i = 0
    while i < len(text):
        c = text[i]
        if c != esc:
            out.append(c)
            i += 1
            continue
        j = text.find(esc, i + 1)
        if j < 0:  # no closing escape: keep the rest as it is
            out.append(text[i:])
            break
        seq = text[i + 1 : j]
        simple = {
            "F": seps.field,
            "S": seps.component,
            "T": seps.subcomponent,
            "R": seps.repetition,
            "E": esc,
            ".br": "\n",
        }
        if seq in simple:
            out.append(simple[seq])
        elif (
            seq[:1] == "X"
            and len(seq) % 2 == 1
            and all(ch in "0123456789abcdefABCDEF" for ch in seq[1:])
        ):
            out.append(bytes.fromhex(seq[1:]).decode("latin-1"))
        # anything else (highlighting \H\ \N\, charset switches) carries no text
        i = j + 1
    return "".join(out)


def _plain(value: str, seps: _Seps) -> bool:
    # Most fields of a monitor's message are one bare component: skip the splitting.
    return (
        seps.component not in value
        and seps.repetition not in value
        and seps.subcomponent not in value
        and seps.escape not in value
    )


def _components(value: str, seps: _Seps) -> list[str]:
    """Components of the first repetition, each its first subcomponent, unescaped."""
    if _plain(value, seps):
        return [value.strip()]
    first = value.split(seps.repetition, 1)[0]
    return [
        _unescape(c.split(seps.subcomponent, 1)[0], seps).strip()
        for c in first.split(seps.component)
    ]


def _component(value: str, seps: _Seps, n: int) -> str:
    if _plain(value, seps):
        return value.strip() if n == 1 else ""
    comps = _components(value, seps)
    return comps[n - 1] if n <= len(comps) else ""


# --- codes, units, numbers, times -----------------------------------------------------------


def mdil_to_mdc(code: str) -> int:
    """Philips IntelliVue ``pppp-cccc`` (hex) -> MDC numeric code (pppp << 16 | cccc)."""
    match = _MDIL.fullmatch(code.strip())
    if match is None:
        raise DecodeError(f"MDIL code {code[:20]!r} is not 'pppp-cccc' in hex")
    return int(match[1], 16) << 16 | int(match[2], 16)


def _normalise_code(code: str, text: str, system: str) -> tuple[str, str]:
    """(system, code) as the tables key them: MDIL hex -> MDC numeric; bare MDC numbers."""
    system = system.upper()
    if _MDIL.fullmatch(code) and system in ("MDIL", "MDC", ""):
        return "MDC", str(mdil_to_mdc(code))
    numeric = code.isascii() and code.isdigit() and len(code) <= 10
    if numeric and (system in ("99MDC", "MDC") or (not system and text.startswith("MDC_"))):
        return "MDC", code
    if system == "LOINC":
        system = "LN"
    return system, code


def _identifier(value: str, seps: _Seps) -> tuple[tuple[str, str], str, list[tuple[str, str]]]:
    """OBX-3 -> (primary key, label, all keys to try: primary then alternate)."""
    comps = _components(value, seps) + [""] * 6
    primary = _normalise_code(comps[0], comps[1], comps[2])
    keys = [primary]
    if comps[3]:
        keys.append(_normalise_code(comps[3], comps[4], comps[5]))
    return primary, comps[1], keys


def _unit(value: str, seps: _Seps, units: Mapping[tuple[str, str], str]) -> str | None:
    comps = _components(value, seps) + [""] * 3
    code, text, system = comps[0], comps[1], comps[2]
    key = _normalise_code(code, text, system)
    if key in units:
        return units[key]
    for candidate in (code, text):
        ucum = UNIT_TEXTS.get(candidate.lower()) if candidate else None
        if ucum is not None:
            return ucum
    return None


def _number(raw: str, where: str) -> Decimal:
    if len(raw) > _MAX_NM or _NM.fullmatch(raw) is None:
        raise DecodeError(f"{where}: value {raw[:40]!r} is not an NM number")
    exact = Decimal(raw)
    return exact.copy_abs() if exact.is_zero() else exact


def _time(raw: str, where: str) -> tuple[datetime | None, str]:
    """HL7 DTM -> (naive datetime or None when coarser than minutes, zone offset text)."""
    raw = raw.strip()
    if not raw:
        return None, ""
    match = _DTM.fullmatch(raw)
    if match is None:
        raise DecodeError(f"{where}: {raw[:40]!r} is not an HL7 date/time")
    year, month, day, hour, minute, second, frac, offset = match.groups()
    if minute is None:
        return None, offset or ""  # a date, or date and hour: too coarse for a vital sign
    micro = int((frac or "0").ljust(6, "0")[:6])
    try:
        when = datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second or 0), micro
        )
    except ValueError as exc:
        raise DecodeError(f"{where}: impossible date/time {raw!r} ({exc})") from None
    return when, offset or ""


# --- ORU^R01 --------------------------------------------------------------------------------


def parse_oru(
    data: bytes,
    codes: Mapping[tuple[str, str], str] = CODE_TO_LOINC,
    units: Mapping[tuple[str, str], str] = UNIT_CODES,
) -> Measurement:
    msg = _split_message(data, ORU)
    seps = msg.seps
    msh = msg.segments[0][1]
    msh9 = [*_components(_field(msh, 9), seps), "", ""]
    if (msh9[0], msh9[1]) != ("ORU", "R01"):
        shown = seps.component.join(c for c in msh9 if c)
        raise DecodeError(f"{ORU}: message type {shown!r} is not ORU^R01")
    info: dict[str, object] = {
        "message_type": "ORU^R01",
        "control_id": _component(_field(msh, 10), seps, 1),
        "sending_application": _component(_field(msh, 3), seps, 1),
        "sending_facility": _component(_field(msh, 4), seps, 1),
        "version": _component(_field(msh, 12), seps, 1),
        "encoding": msg.codec,
    }
    patient_ids: list[str] = []
    obr_time: datetime | None = None
    offsets: set[str] = set()
    readings: dict[str, Reading] = {}
    times: dict[str, datetime] = {}
    sources: dict[str, str] = {}
    ignored: list[dict[str, str]] = []
    duplicates: list[dict[str, str]] = []
    equipment: list[str] = []

    for name, fields in msg.segments[1:]:
        if name == "PID":
            pid = _component(_field(fields, 3), seps, 1)
            if pid and pid not in patient_ids:
                patient_ids.append(pid)
            if len(patient_ids) > 1:
                raise DecodeError(
                    f"{ORU}: message holds results for more than one patient "
                    f"({', '.join(patient_ids)})"
                )
        elif name == "OBR":
            obr_time, offset = _time(_field(fields, 7), f"{ORU}: OBR-7")
            if offset:
                offsets.add(offset)
        elif name == "OBX":
            where = f"{ORU}: OBX {_component(_field(fields, 1), seps, 1) or '?'}"
            key, label, keys = _identifier(_field(fields, 3), seps)
            described = {"system": key[0], "code": key[1], "label": label}
            value_type = _component(_field(fields, 2), seps, 1).upper()
            if value_type != "NM":
                ignored.append({**described, "reason": f"value type {value_type or 'missing'}"})
                continue
            status = _component(_field(fields, 11), seps, 1).upper()
            if status not in USED_STATUSES:
                ignored.append({**described, "reason": f"result status {status}"})
                continue
            raw_values = _field(fields, 5).split(seps.repetition)
            if len(raw_values) > 1:
                raise DecodeError(f"{where}: NM value is repeated ({len(raw_values)} times)")
            raw = _unescape(raw_values[0], seps).strip()
            if not raw:
                ignored.append({**described, "reason": "no value"})
                continue
            exact = _number(raw, where)
            obx_time, offset = _time(_field(fields, 14), f"{where}: OBX-14")
            if offset:
                offsets.add(offset)
            equipment_id = _component(_field(fields, 18), seps, 1)
            if raw in NO_VALUE_MARKERS:
                ignored.append({**described, "reason": f"no-value marker {raw}"})
                continue
            loinc = next((codes[k] for k in keys if k in codes), None)
            if loinc is None or loinc not in VITALS:
                ignored.append({**described, "reason": "unmapped code", "value": raw})
                continue
            vital = VITALS[loinc]
            unit_field = _field(fields, 6)
            ucum = _unit(unit_field, seps, units)
            if ucum is None and not _components(unit_field, seps)[0] and len(vital.units) == 1:
                ucum = vital.canonical_unit  # no unit sent, and the vital has only one
            if ucum is None or ucum not in vital.units:
                unit_text = seps.component.join(c for c in _components(unit_field, seps) if c)
                ignored.append({**described, "reason": f"unit {unit_text or 'missing'} not usable"})
                continue
            if loinc in readings:
                duplicates.append({**described, "loinc": loinc, "value": raw})
                continue
            readings[loinc] = Reading(loinc, float(exact), ucum, exact)
            sources[loinc] = f"{key[0]} {key[1]}".strip()
            when = obx_time or obr_time
            if when is not None:
                times[loinc] = when
            if equipment_id and equipment_id not in equipment:
                equipment.append(equipment_id)

    if patient_ids:
        info["patient_id"] = patient_ids[0]
    info["sources"] = sources
    info["observed_at"] = times
    if ignored:
        info["ignored"] = ignored
    if duplicates:
        info["duplicates"] = duplicates
    if equipment:
        info["equipment_id"] = equipment[0] if len(equipment) == 1 else equipment
    if offsets:
        info["time_offset"] = sorted(offsets)[0] if len(offsets) == 1 else sorted(offsets)
    taken_at = max(times.values()) if times else None
    return Measurement(ORU, tuple(readings.values()), taken_at, frozenset(), info)


def make_parser(
    codes: Mapping[tuple[str, str], str] = CODE_TO_LOINC,
    units: Mapping[tuple[str, str], str] = UNIT_CODES,
) -> Callable[[bytes], Measurement]:
    """An ``hl7v2:oru`` parser with a site's own code and unit tables."""

    def parse(data: bytes) -> Measurement:
        return parse_oru(data, codes, units)

    return parse


# --- ACK ------------------------------------------------------------------------------------


def _escape(text: str, seps: _Seps) -> str:
    out: list[str] = []
    table = {
        seps.escape: "E",
        seps.field: "F",
        seps.component: "S",
        seps.subcomponent: "T",
        seps.repetition: "R",
    }
    for c in text:
        if c in table:
            out.append(f"{seps.escape}{table[c]}{seps.escape}")
        elif c in "\r\n":
            out.append(" ")
        else:
            out.append(c)
    return "".join(out)


def build_ack(
    message: bytes,
    code: str = "AA",
    *,
    control_id: str | None = None,
    timestamp: datetime | None = None,
    text: str = "",
    framed: bool = True,
) -> bytes:
    """The ACK (MSH + MSA) for a received HL7 v2 message, MLLP-framed unless ``framed=False``.

    MSA-1 is ``code``; MSA-2 echoes MSH-10. Sender and receiver are swapped, the separators,
    processing id and version are the received ones, MSH-9 is ``ACK^<trigger>^ACK``. The ACK's
    own control id defaults to ``"ACK" + MSH-10``; MSH-7 is ``timestamp`` or, since this
    function reads no clock, the received MSH-7. Only MSH must be readable: the ACK of a message
    whose body is broken (``code="AE"``/``"AR"``, with ``text``) can still be built.
    """
    if code not in ACK_CODES:
        raise ValueError(f"ACK code must be one of {', '.join(sorted(ACK_CODES))}, not {code!r}")
    msg = _split_message(message, "hl7v2 ACK")
    seps = msg.seps
    msh = msg.segments[0][1]
    trigger = _component(_field(msh, 9), seps, 2)
    msh9 = seps.component.join(("ACK", trigger, "ACK")) if trigger else "ACK"
    received_id = _field(msh, 10)  # kept escaped: it is echoed with the same separators
    own_id = (
        _escape(control_id, seps)
        if control_id is not None
        else "ACK" + received_id.split(seps.component, 1)[0]
    )
    when = timestamp.strftime("%Y%m%d%H%M%S") if timestamp is not None else _field(msh, 7)
    enc = seps.component + seps.repetition + seps.escape + seps.subcomponent
    header = [
        "MSH",
        enc,
        _field(msh, 5),
        _field(msh, 6),
        _field(msh, 3),
        _field(msh, 4),
        when,
        "",
        msh9,
        own_id,
        _field(msh, 11) or "P",
        _field(msh, 12) or "2.6",
    ]
    msa = ["MSA", code, received_id]
    if text:
        msa.append(_escape(text, seps))
    body = seps.field.join(header) + "\r" + seps.field.join(msa) + "\r"
    encoded = body.encode(msg.codec, errors="replace")
    return mllp_wrap(encoded) if framed else encoded


PARSERS: dict[str, Callable[[bytes], Measurement]] = {ORU: parse_oru}
