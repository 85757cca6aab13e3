"""Bluetooth LE GATT health characteristics: ``bytes -> Measurement`` (device reference 1.0-1.6).

Keys (``PARSERS``): ``ble:2a35`` blood pressure, ``ble:2a36`` intermediate cuff pressure,
``ble:2a1c`` temperature, ``ble:2a5e`` PLX spot-check, ``ble:2a5f`` PLX continuous,
``ble:2a9d`` weight, ``ble:2a18`` glucose, ``ble:2a37`` heart rate.

Rules every parser here follows:

* Little-endian; a field is read only after the whole length its flags need was checked, so a
  short payload raises ``DecodeError("ble:2a35: 7 bytes, but flags 0x1E need 19")``. Unknown
  trailing bytes and reserved flag/status bits are ignored.
* Values keep the decimal the device sent (``Reading.exact``) and the unit it sent, in UCUM.
* **Special values** (NaN, NRes, +/-INF, reserved, and 0xFFFF "weight unsuccessful") never
  become numbers: the reading is left out and a flag names it, e.g. ``"systolic_nan"``.
  Policy: a payload that follows the protocol is *not* a decode error even when every value
  is special (an oximeter sends NaN while the finger is out, a cuff sends NaN in the unused
  slots). The Measurement is returned with whatever readings remain, possibly none, and
  consumers must check ``readings``. ``DecodeError`` means only "these bytes do not follow
  the protocol" (empty, truncated).
* The device clock is kept as ``taken_at`` only when it is a real date: year/month/day 0 ("not
  known") or an impossible date gives ``None`` plus the flag ``device_time_unknown`` or
  ``device_time_invalid``; the raw fields are always in ``info["device_time"]``.
* Values that are not vitals the app stores (cuff pressure while inflating, PLX pulse amplitude
  index, fast/slow SpO2 averages, RR intervals, energy expended, ...) go into ``info``.
* Control-solution glucose is not patient data (reference 1.5): it is flagged
  ``control_solution`` and its value kept only in ``info``, never in ``readings``.

Pure functions: no I/O, no clock. Only ``DecodeError`` escapes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Context, Decimal

from app.devices.measurement import DecodeError, Measurement, Reading
from app.devices.parsers.ieee11073 import (
    DATE_TIME_SIZE,
    Special,
    date_time,
    date_time_known,
    read_date_time_fields,
    read_float32,
    read_sfloat,
)
from app.domain.vitals import (
    BMI,
    DIASTOLIC,
    GLUCOSE_RANDOM,
    HEIGHT,
    MEAN_BP,
    PULSE,
    SPO2,
    SYSTOLIC,
    TEMPERATURE,
    WEIGHT,
)

# LOINC 8478-0 "Mean blood pressure" (the MAP member of the BP panel). Shown, not stored: it
# is not one of the vitals a case records (app.domain.vitals.VITALS).
MEAN_ARTERIAL_PRESSURE = MEAN_BP

# Heart rate from a chest strap is LOINC 8867-4 "Heart rate", which is vitals.PULSE.
HEART_RATE = PULSE

_CTX = Context(prec=40)  # explicit, so a caller's decimal context cannot change results

_BP_UNITS = ("mm[Hg]", "kPa")

_BP_STATUS = {0: "body_movement", 1: "cuff_fit_loose", 2: "irregular_pulse", 5: "improper_position"}
_PULSE_RANGE = {0: "in_range", 1: "above_upper_limit", 2: "below_lower_limit", 3: "reserved"}

_TEMPERATURE_TYPES = {
    1: "armpit",
    2: "body",
    3: "ear",
    4: "finger",
    5: "gastrointestinal_tract",
    6: "mouth",
    7: "rectum",
    8: "toe",
    9: "tympanum",
}

_PLX_MEASUREMENT_STATUS = {
    5: "measurement_ongoing",
    6: "early_estimated_data",
    7: "validated_data",
    8: "fully_qualified_data",
    9: "data_from_storage",
    10: "data_for_demonstration",
    11: "data_for_testing",
    12: "calibration_ongoing",
    13: "measurement_unavailable",
    14: "questionable_measurement",
    15: "invalid_measurement",
}
_PLX_DEVICE_STATUS = {
    0: "extended_display_update_ongoing",
    1: "equipment_malfunction",
    2: "signal_processing_irregularity",
    3: "inadequate_signal",
    4: "poor_signal",
    5: "low_perfusion",
    6: "erratic_signal",
    7: "non_pulsatile_signal",
    8: "questionable_pulse",
    9: "signal_analysis_ongoing",
    10: "sensor_interference",
    11: "sensor_unconnected",
    12: "unknown_sensor_connected",
    13: "sensor_displaced",
    14: "sensor_malfunctioning",
    15: "sensor_disconnected",
}
# Reference 1.3: "Reject or flag a reading for the record when any of these is set".
_PLX_UNRELIABLE_MEASUREMENT = (13, 14, 15)
_PLX_UNRELIABLE_DEVICE = (1, 11, 13, 14, 15)

_GLUCOSE_TYPES = {
    1: "capillary_whole_blood",
    2: "capillary_plasma",
    3: "venous_whole_blood",
    4: "venous_plasma",
    5: "arterial_whole_blood",
    6: "arterial_plasma",
    7: "undetermined_whole_blood",
    8: "undetermined_plasma",
    9: "interstitial_fluid",
    10: "control_solution",
}
_GLUCOSE_LOCATIONS = {
    1: "finger",
    2: "alternate_site",
    3: "earlobe",
    4: "control_solution",
    15: "not_available",
}
_GLUCOSE_CONTROL_TYPE = 10
_GLUCOSE_CONTROL_LOCATION = 4
_GLUCOSE_SENSOR_STATUS = {
    0: "battery_low",
    1: "sensor_malfunction",
    2: "sample_size_insufficient",
    3: "strip_insertion_error",
    4: "wrong_strip_type",
    5: "result_above_range",
    6: "result_below_range",
    7: "temperature_too_high",
    8: "temperature_too_low",
    9: "strip_pulled_too_soon",
    10: "general_device_fault",
    11: "time_fault",
}

WEIGHT_UNSUCCESSFUL = 0xFFFF
USER_UNKNOWN = 255


class _Out:
    """Collects readings, flags and info while one payload is decoded."""

    def __init__(self, protocol: str) -> None:
        self.protocol = protocol
        self.readings: list[Reading] = []
        self.flags: set[str] = set()
        self.info: dict[str, object] = {}
        self.taken_at: datetime | None = None

    def value(self, name: str, raw: Decimal | Special) -> Decimal | None:
        """The number, or None with the flag ``<name>_<special>`` for a special value."""
        if isinstance(raw, Special):
            self.flags.add(f"{name}_{raw.value}")
            return None
        return raw

    def reading(self, name: str, code: str, raw: Decimal | Special, unit: str) -> bool:
        exact = self.value(name, raw)
        if exact is None:
            return False
        self.readings.append(Reading(code, float(exact), unit, exact))
        return True

    def bits(self, raw: int, names: dict[int, str]) -> None:
        self.flags.update(name for bit, name in names.items() if raw >> bit & 1)

    def device_time(self, data: bytes, offset: int) -> datetime | None:
        fields = read_date_time_fields(data, offset)
        self.info["device_time"] = fields
        when = date_time(fields)
        if when is None:
            self.flags.add(
                "device_time_invalid" if date_time_known(fields) else "device_time_unknown"
            )
        return when

    def done(self) -> Measurement:
        return Measurement(
            protocol=self.protocol,
            readings=tuple(self.readings),
            taken_at=self.taken_at,
            flags=frozenset(self.flags),
            info=self.info,
        )


def _flags_and_length(key: str, data: bytes, minimum: int, need: Callable[[int], int]) -> int:
    """The flags byte, after checking the payload is as long as those flags require."""
    if len(data) < minimum:
        raise DecodeError(f"{key}: {len(data)} bytes, but at least {minimum} are needed")
    flags = data[0]
    needed = need(flags)
    if len(data) < needed:
        raise DecodeError(f"{key}: {len(data)} bytes, but flags 0x{flags:02X} need {needed}")
    return flags


def _u16(data: bytes, offset: int) -> int:
    return int.from_bytes(data[offset : offset + 2], "little")


def _user(out: _Out, raw: int) -> None:
    out.info["user_id"] = None if raw == USER_UNKNOWN else raw


def _scaled(raw: int, exponent: int) -> Decimal:
    """``raw`` x 10^exponent as an exact decimal (``_scaled(1700, -1)`` is 170.0)."""
    return Decimal(raw).scaleb(exponent, _CTX)


# --- 0x2A35 Blood Pressure Measurement / 0x2A36 Intermediate Cuff Pressure (1.1) -------------


def _bp_length(flags: int) -> int:
    return (
        7
        + (DATE_TIME_SIZE if flags & 0x02 else 0)
        + (2 if flags & 0x04 else 0)
        + (1 if flags & 0x08 else 0)
        + (2 if flags & 0x10 else 0)
    )


def _parse_bp(key: str, data: bytes, intermediate: bool) -> Measurement:
    flags = _flags_and_length(key, data, 7, _bp_length)
    out = _Out(key)
    unit = _BP_UNITS[flags & 0x01]
    out.info["unit"] = unit
    if intermediate:
        # Progress while the cuff inflates: not a vital to store, so info only. The diastolic
        # and MAP slots are unused (NaN on real devices, 0 in Nordic's tests): ignored.
        out.flags.add("intermediate")
        cuff = out.value("cuff_pressure", read_sfloat(data, 1))
        if cuff is not None:
            out.info["cuff_pressure"] = cuff
    else:
        out.reading("systolic", SYSTOLIC, read_sfloat(data, 1), unit)
        out.reading("diastolic", DIASTOLIC, read_sfloat(data, 3), unit)
        out.reading("mean_arterial", MEAN_ARTERIAL_PRESSURE, read_sfloat(data, 5), unit)
    offset = 7
    if flags & 0x02:
        out.taken_at = out.device_time(data, offset)
        offset += DATE_TIME_SIZE
    if flags & 0x04:
        pulse = read_sfloat(data, offset)
        if intermediate:
            value = out.value("pulse_rate", pulse)
            if value is not None:
                out.info["pulse_rate"] = value
        else:
            out.reading("pulse_rate", PULSE, pulse, "/min")
        offset += 2
    if flags & 0x08:
        _user(out, data[offset])
        offset += 1
    if flags & 0x10:
        status = _u16(data, offset)
        out.info["measurement_status"] = status
        out.bits(status, _BP_STATUS)
        pulse_range = status >> 3 & 0x03
        out.info["pulse_rate_range"] = _PULSE_RANGE[pulse_range]
        if pulse_range in (1, 2):
            out.flags.add("pulse_rate_out_of_range")
    return out.done()


def parse_blood_pressure(data: bytes) -> Measurement:
    return _parse_bp("ble:2a35", data, intermediate=False)


def parse_intermediate_cuff_pressure(data: bytes) -> Measurement:
    return _parse_bp("ble:2a36", data, intermediate=True)


# --- 0x2A1C Temperature Measurement (1.2) -----------------------------------------------------


def _temperature_length(flags: int) -> int:
    return 5 + (DATE_TIME_SIZE if flags & 0x02 else 0) + (1 if flags & 0x04 else 0)


def parse_temperature(data: bytes) -> Measurement:
    key = "ble:2a1c"
    flags = _flags_and_length(key, data, 5, _temperature_length)
    out = _Out(key)
    unit = "[degF]" if flags & 0x01 else "Cel"
    out.info["unit"] = unit
    out.reading("temperature", TEMPERATURE, read_float32(data, 1), unit)
    offset = 5
    if flags & 0x02:
        out.taken_at = out.device_time(data, offset)
        offset += DATE_TIME_SIZE
    if flags & 0x04:
        code = data[offset]
        out.info["temperature_type"] = code
        out.info["temperature_site"] = _TEMPERATURE_TYPES.get(code, "reserved")
    return out.done()


# --- 0x2A5E PLX Spot-Check / 0x2A5F PLX Continuous (1.3) --------------------------------------


def _plx_status(out: _Out, data: bytes, offset: int) -> None:
    status = _u16(data, offset)
    out.info["measurement_status"] = status
    out.bits(status, _PLX_MEASUREMENT_STATUS)
    if any(status >> bit & 1 for bit in _PLX_UNRELIABLE_MEASUREMENT):
        out.flags.add("unreliable")


def _plx_device_status(out: _Out, data: bytes, offset: int) -> None:
    status = int.from_bytes(data[offset : offset + 3], "little")
    out.info["device_sensor_status"] = status
    out.bits(status, _PLX_DEVICE_STATUS)
    if any(status >> bit & 1 for bit in _PLX_UNRELIABLE_DEVICE):
        out.flags.add("unreliable")


def _plx_pai(out: _Out, data: bytes, offset: int) -> None:
    pai = out.value("pulse_amplitude_index", read_sfloat(data, offset))
    if pai is not None:
        out.info["pulse_amplitude_index"] = pai  # percent


def _plx_normal(out: _Out, data: bytes) -> None:
    spo2 = out.reading("spo2", SPO2, read_sfloat(data, 1), "%")
    pulse = out.reading("pulse_rate", PULSE, read_sfloat(data, 3), "/min")
    if not (spo2 and pulse):
        out.flags.add("unreliable")


def _spot_check_length(flags: int) -> int:
    return (
        5
        + (DATE_TIME_SIZE if flags & 0x01 else 0)
        + (2 if flags & 0x02 else 0)
        + (3 if flags & 0x04 else 0)
        + (2 if flags & 0x08 else 0)
    )


def parse_plx_spot_check(data: bytes) -> Measurement:
    key = "ble:2a5e"
    flags = _flags_and_length(key, data, 5, _spot_check_length)
    out = _Out(key)
    _plx_normal(out, data)
    clock_not_set = bool(flags & 0x10)
    if clock_not_set:
        out.flags.add("device_clock_not_set")
    offset = 5
    if flags & 0x01:
        when = out.device_time(data, offset)
        out.taken_at = None if clock_not_set else when  # the device says its clock is wrong
        offset += DATE_TIME_SIZE
    if flags & 0x02:
        _plx_status(out, data, offset)
        offset += 2
    if flags & 0x04:
        _plx_device_status(out, data, offset)
        offset += 3
    if flags & 0x08:
        _plx_pai(out, data, offset)
    return out.done()


def _continuous_length(flags: int) -> int:
    return (
        5
        + (4 if flags & 0x01 else 0)
        + (4 if flags & 0x02 else 0)
        + (2 if flags & 0x04 else 0)
        + (3 if flags & 0x08 else 0)
        + (2 if flags & 0x10 else 0)
    )


def parse_plx_continuous(data: bytes) -> Measurement:
    key = "ble:2a5f"
    flags = _flags_and_length(key, data, 5, _continuous_length)
    out = _Out(key)
    _plx_normal(out, data)
    offset = 5
    for bit, suffix in ((0x01, "fast"), (0x02, "slow")):
        if flags & bit:
            for name, at in ((f"spo2_{suffix}", offset), (f"pulse_rate_{suffix}", offset + 2)):
                value = out.value(name, read_sfloat(data, at))
                if value is not None:
                    out.info[name] = value
            offset += 4
    if flags & 0x04:
        _plx_status(out, data, offset)
        offset += 2
    if flags & 0x08:
        _plx_device_status(out, data, offset)
        offset += 3
    if flags & 0x10:
        _plx_pai(out, data, offset)
    return out.done()


# --- 0x2A9D Weight Measurement (1.4) ----------------------------------------------------------


def _weight_length(flags: int) -> int:
    return (
        3
        + (DATE_TIME_SIZE if flags & 0x02 else 0)
        + (1 if flags & 0x04 else 0)
        + (4 if flags & 0x08 else 0)
    )


def parse_weight(data: bytes) -> Measurement:
    """Weight with the FIXED field resolution (0.005 kg / 0.01 lb per LSB), never the Weight
    Scale Feature resolution (reference 1.4 and 6). Height in SI (0.001 m) is given in cm."""
    key = "ble:2a9d"
    flags = _flags_and_length(key, data, 3, _weight_length)
    out = _Out(key)
    imperial = bool(flags & 0x01)
    raw = _u16(data, 1)
    out.info["weight_raw"] = raw
    if raw == WEIGHT_UNSUCCESSFUL:
        out.flags.add("weight_unsuccessful")
    elif imperial:
        out.reading("weight", WEIGHT, _scaled(raw, -2), "[lb_av]")  # 0.01 lb
    else:
        out.reading("weight", WEIGHT, _scaled(raw * 5, -3), "kg")  # 0.005 kg
    offset = 3
    if flags & 0x02:
        out.taken_at = out.device_time(data, offset)
        offset += DATE_TIME_SIZE
    if flags & 0x04:
        _user(out, data[offset])
        offset += 1
    if flags & 0x08:
        out.reading("bmi", BMI, _scaled(_u16(data, offset), -1), "kg/m2")  # 0.1 kg/m2
        height = _u16(data, offset + 2)
        # SI 0.001 m = 0.1 cm; imperial 0.1 in: both are raw x 10^-1 in the stored unit.
        out.reading("height", HEIGHT, _scaled(height, -1), "[in_i]" if imperial else "cm")
    return out.done()


# --- 0x2A18 Glucose Measurement (1.5) ---------------------------------------------------------


def _glucose_length(flags: int) -> int:
    return 10 + (2 if flags & 0x01 else 0) + (3 if flags & 0x02 else 0) + (2 if flags & 0x08 else 0)


def parse_glucose(data: bytes) -> Measurement:
    """kg/L x 100 000 = mg/dL, mol/L x 1000 = mmol/L (exact). Recorded under
    ``GLUCOSE_RANDOM`` in either unit, as the domain accepts; whether it was fasting is in the
    separate Glucose Measurement Context (0x2A34), which this parser does not read."""
    key = "ble:2a18"
    flags = _flags_and_length(key, data, 10, _glucose_length)
    out = _Out(key)
    out.info["sequence_number"] = _u16(data, 1)
    out.info["context_follows"] = bool(flags & 0x10)
    base = out.device_time(data, 3)
    offset = 10
    if flags & 0x01:
        minutes = int.from_bytes(data[offset : offset + 2], "little", signed=True)
        out.info["time_offset_minutes"] = minutes
        if base is not None:
            try:
                base = base + timedelta(minutes=minutes)
            except OverflowError:  # base near year 1 or 9999 plus the offset
                base = None
                out.flags.add("device_time_invalid")
        offset += 2
    out.taken_at = base
    if flags & 0x02:
        molar = bool(flags & 0x04)
        unit = "mmol/L" if molar else "mg/dL"
        out.info["unit"] = unit
        concentration = out.value("glucose", read_sfloat(data, offset))
        if concentration is not None:  # as sent, in kg/L or mol/L
            out.info["concentration"] = concentration
            out.info["concentration_unit"] = "mol/L" if molar else "kg/L"
        nibbles = data[offset + 2]
        sample_type, location = nibbles & 0x0F, nibbles >> 4
        out.info["sample_type"] = sample_type
        out.info["sample_type_name"] = _GLUCOSE_TYPES.get(sample_type, "reserved")
        out.info["sample_location"] = location
        out.info["sample_location_name"] = _GLUCOSE_LOCATIONS.get(location, "reserved")
        control = sample_type == _GLUCOSE_CONTROL_TYPE or location == _GLUCOSE_CONTROL_LOCATION
        if concentration is not None:
            exact = concentration.scaleb(3 if molar else 5, _CTX)
            if control:
                out.info["control_solution_value"] = exact  # not patient data: never a reading
            else:
                out.readings.append(Reading(GLUCOSE_RANDOM, float(exact), unit, exact))
        if control:
            out.flags.add("control_solution")
        offset += 3
    if flags & 0x08:
        status = _u16(data, offset)
        out.info["sensor_status"] = status
        out.bits(status, _GLUCOSE_SENSOR_STATUS)
    return out.done()


# --- 0x2A37 Heart Rate Measurement (1.6) ------------------------------------------------------


def _heart_rate_length(flags: int) -> int:
    return (
        1
        + (2 if flags & 0x01 else 1)
        + (2 if flags & 0x08 else 0)
        + (2 if flags & 0x10 else 0)  # at least one RR interval
    )


def parse_heart_rate(data: bytes) -> Measurement:
    key = "ble:2a37"
    flags = _flags_and_length(key, data, 2, _heart_rate_length)
    out = _Out(key)
    if flags & 0x01:
        rate, offset = _u16(data, 1), 3
    else:
        rate, offset = data[1], 2
    out.readings.append(Reading(HEART_RATE, float(rate), "/min", Decimal(rate)))
    contact = flags >> 1 & 0x03
    out.info["sensor_contact"] = None if contact < 2 else contact == 3
    if contact == 2:
        out.flags.add("no_sensor_contact")
    if flags & 0x08:
        out.info["energy_expended_kj"] = _u16(data, offset)
        offset += 2
    if flags & 0x10:
        count = (len(data) - offset) // 2  # to the end; an odd trailing byte is ignored
        raw = tuple(_u16(data, offset + 2 * i) for i in range(count))
        out.info["rr_intervals_1024"] = raw  # units of 1/1024 s, as sent
        out.info["rr_intervals_s"] = tuple(_CTX.divide(Decimal(r), Decimal(1024)) for r in raw)
    return out.done()


PARSERS: dict[str, Callable[[bytes], Measurement]] = {
    "ble:2a35": parse_blood_pressure,
    "ble:2a36": parse_intermediate_cuff_pressure,
    "ble:2a1c": parse_temperature,
    "ble:2a5e": parse_plx_spot_check,
    "ble:2a5f": parse_plx_continuous,
    "ble:2a9d": parse_weight,
    "ble:2a18": parse_glucose,
    "ble:2a37": parse_heart_rate,
}
