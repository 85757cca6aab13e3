"""How the clinical screens word things: vital names, units, sex/age, masked phone, ABHA.

Display only: these helpers never decide anything clinical (the domain and the services do),
they turn the values the services return into translated text. Import-time strings are
wrapped in ``QT_TRANSLATE_NOOP`` and translated when called. Any thread, no widgets.
"""

from __future__ import annotations

from datetime import date, datetime

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from app.domain.models import Patient, Sex
from app.domain.vitals import (
    BMI,
    DIASTOLIC,
    GLUCOSE_FASTING,
    GLUCOSE_RANDOM,
    HEIGHT,
    MEAN_BP,
    MUAC,
    PULSE,
    RESP_RATE,
    SPO2,
    SYSTOLIC,
    TEMPERATURE,
    UNIT_SYMBOLS,
    WEIGHT,
)

_CTX = "clinical"

# Unit symbols and LOINC codes come from the domain, so the screens cannot drift from it.
UNIT_LABELS = UNIT_SYMBOLS

_VITAL_NAMES: dict[str, str] = {
    SYSTOLIC: QT_TRANSLATE_NOOP("clinical", "Systolic BP"),
    DIASTOLIC: QT_TRANSLATE_NOOP("clinical", "Diastolic BP"),
    PULSE: QT_TRANSLATE_NOOP("clinical", "Pulse"),
    RESP_RATE: QT_TRANSLATE_NOOP("clinical", "Respiratory rate"),
    SPO2: QT_TRANSLATE_NOOP("clinical", "SpO₂"),
    TEMPERATURE: QT_TRANSLATE_NOOP("clinical", "Temperature"),
    WEIGHT: QT_TRANSLATE_NOOP("clinical", "Weight"),
    HEIGHT: QT_TRANSLATE_NOOP("clinical", "Height"),
    BMI: QT_TRANSLATE_NOOP("clinical", "BMI"),
    GLUCOSE_RANDOM: QT_TRANSLATE_NOOP("clinical", "Glucose (random)"),
    GLUCOSE_FASTING: QT_TRANSLATE_NOOP("clinical", "Glucose (fasting)"),
    MUAC: QT_TRANSLATE_NOOP("clinical", "MUAC"),
    MEAN_BP: QT_TRANSLATE_NOOP("clinical", "Mean BP"),
}

# Decimals shown per unit: what a person reads off the instrument.
_DECIMALS: dict[str, int] = {
    "Cel": 1,
    "[degF]": 1,
    "kg": 1,
    "[lb_av]": 1,
    "g": 0,
    "cm": 1,
    "[in_i]": 1,
    "mmol/L": 1,
    "kg/m2": 1,
}

_SEX_SHORT: dict[Sex, str] = {
    Sex.MALE: QT_TRANSLATE_NOOP("clinical", "M"),
    Sex.FEMALE: QT_TRANSLATE_NOOP("clinical", "F"),
    Sex.OTHER: QT_TRANSLATE_NOOP("clinical", "O"),
    Sex.UNKNOWN: QT_TRANSLATE_NOOP("clinical", "?"),
}

_SEX_LONG: dict[Sex, str] = {
    Sex.MALE: QT_TRANSLATE_NOOP("clinical", "Male"),
    Sex.FEMALE: QT_TRANSLATE_NOOP("clinical", "Female"),
    Sex.OTHER: QT_TRANSLATE_NOOP("clinical", "Other"),
    Sex.UNKNOWN: QT_TRANSLATE_NOOP("clinical", "Not recorded"),
}

_MATCH_REASONS: dict[str, str] = {
    "name": QT_TRANSLATE_NOOP("clinical", "similar name"),
    "phone": QT_TRANSLATE_NOOP("clinical", "same phone"),
    "village": QT_TRANSLATE_NOOP("clinical", "same village"),
    "age": QT_TRANSLATE_NOOP("clinical", "similar age"),
    "sex": QT_TRANSLATE_NOOP("clinical", "same sex"),
    "abha": QT_TRANSLATE_NOOP("clinical", "same ABHA number"),
    "guardian": QT_TRANSLATE_NOOP("clinical", "same guardian"),
}


def tr(text: str) -> str:
    return QCoreApplication.translate(_CTX, text)


def vital_name(code: str) -> str:
    return tr(_VITAL_NAMES[code]) if code in _VITAL_NAMES else code


def unit_label(unit: str) -> str:
    return UNIT_LABELS.get(unit, unit)


def format_number(value: float, unit: str) -> str:
    decimals = _DECIMALS.get(unit, 0)
    if decimals == 0 and abs(value - round(value)) > 1e-9:
        decimals = 1  # never hide a typed decimal
    return f"{value:.{decimals}f}"


def format_quantity(value: float, unit: str) -> str:
    return f"{format_number(value, unit)} {unit_label(unit)}".strip()


def sex_short(sex: Sex | str) -> str:
    try:
        return tr(_SEX_SHORT[Sex(sex)])
    except ValueError:
        return str(sex)


def sex_long(sex: Sex | str) -> str:
    try:
        return tr(_SEX_LONG[Sex(sex)])
    except ValueError:
        return str(sex)


def age_text(birth_date: date | None, estimated: bool, today: date) -> str:
    if birth_date is None:
        return ""
    months = (today.year - birth_date.year) * 12 + today.month - birth_date.month
    if today.day < birth_date.day:
        months -= 1
    months = max(months, 0)
    if months < 24 and not estimated:
        # Short unit labels ("7 m", "45 y") need no plural forms; plain %1 keeps the
        # catalogue simple for every language.
        text = QCoreApplication.translate("clinical", "%1 m").replace("%1", str(months))
    else:
        years = months // 12  # kept out of the call: lupdate reads "//" as a comment
        text = QCoreApplication.translate("clinical", "%1 y").replace("%1", str(years))
    return f"~{text}" if estimated else text


def sex_age(patient: Patient, today: date) -> str:
    age = age_text(patient.birth_date, patient.birth_date_estimated, today)
    return f"{sex_short(patient.sex)} · {age}" if age else sex_short(patient.sex)


def mask_phone(phone: str) -> str:
    """Show enough of a number to recognise it on a shared screen, not to dial it."""
    if len(phone) < 6:
        return "•" * len(phone)
    return phone[:2] + "•" * (len(phone) - 4) + phone[-2:]


def format_abha(digits: str) -> str:
    if len(digits) != 14 or not digits.isdigit():
        return digits
    return f"{digits[:2]}-{digits[2:6]}-{digits[6:10]}-{digits[10:]}"


def match_reasons(reasons: tuple[str, ...] | list[str]) -> str:
    return ", ".join(tr(_MATCH_REASONS[r]) if r in _MATCH_REASONS else r for r in reasons)


def local_time(moment: datetime | None, with_date: bool = False) -> str:
    if moment is None:
        return ""
    local = moment.astimezone()
    return local.strftime("%d %b %Y %H:%M" if with_date else "%H:%M")
