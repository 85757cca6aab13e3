"""ABHA number and ABHA address checks (standards reference, section 1.1 and 1.2).

The ABHA number is 14 digits whose last digit is a Luhn check digit over the first 13 (the ABHA
enrolment service's generator; Verhoeff is Aadhaar's). Older Health IDs do not start with 91,
so no prefix is required. Passing Luhn does not prove the number exists: only ABDM can say.

Contract: pure functions, thread-safe. ``normalise_abha_number`` accepts hyphens, spaces and
Indic digits and returns 14 ASCII digits ("" for a blank field) or raises ``DomainError``
(``abha.characters``, ``abha.length``, ``abha.checksum``; field ``abha_number``).
``normalise_abha_address`` returns the address in lower case or raises ``abha_address.invalid``.
"""

from __future__ import annotations

import re

from app.domain.errors import DomainError
from app.domain.text import ascii_digits, nfc

# Hyphens as typed or pasted: ASCII, Unicode hyphens and dashes, minus sign; and any space.
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212]")
# Loose on purpose: ABDM's own policy is not settled (standards reference 1.2); it decides.
_ADDRESS = re.compile(r"[a-z_][a-z0-9._]{3,}@(abdm|sbx)")
_DEFAULT_ADDRESS = re.compile(r"[0-9]{14}@(abdm|sbx)")


def luhn_ok(digits: str) -> bool:
    """Luhn (mod 10) over ASCII digits: double every second digit from the right."""
    if not (digits.isascii() and digits.isdigit()):
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2 == 1:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def luhn_check_digit(first_digits: str) -> str:
    """The digit that completes ``first_digits`` (ASCII digits) to a Luhn-valid number."""
    if not (first_digits.isascii() and first_digits.isdigit()):
        raise DomainError(
            "abha.characters",
            "The ABHA number may contain only digits (and hyphens).",
            {"value": first_digits},
            field="abha_number",
        )
    for d in "0123456789":
        if luhn_ok(first_digits + d):
            return d
    raise AssertionError("unreachable: one of ten digits always completes a Luhn number")


def normalise_abha_number(s: str) -> str:
    """14 ASCII digits, or "" for a blank field; raises DomainError for anything else."""
    raw = _SEPARATORS.sub("", ascii_digits(s))
    if not raw:
        return ""
    if not (raw.isascii() and raw.isdigit()):
        raise DomainError(
            "abha.characters",
            "The ABHA number may contain only digits (and hyphens).",
            {"value": s},
            field="abha_number",
        )
    if len(raw) != 14:
        raise DomainError(
            "abha.length",
            f"The ABHA number has 14 digits; this one has {len(raw)}.",
            {"value": s, "length": len(raw)},
            field="abha_number",
        )
    if not luhn_ok(raw):
        raise DomainError(
            "abha.checksum",
            "This ABHA number is not valid: a digit is probably mistyped.",
            {"value": s},
            field="abha_number",
        )
    return raw


def abha_number_ok(s: str) -> bool:
    try:
        return normalise_abha_number(s) != ""
    except DomainError:
        return False


def format_abha_number(digits: str) -> str:
    """``XX-XXXX-XXXX-XXXX``, the way the card prints it (anything else comes back as given)."""
    d = _SEPARATORS.sub("", ascii_digits(digits))
    if len(d) != 14 or not d.isdigit():
        return digits
    return f"{d[:2]}-{d[2:6]}-{d[6:10]}-{d[10:]}"


def normalise_abha_address(s: str) -> str:
    """``name@abdm`` / ``name@sbx`` in lower case, "" for blank; loose check (reference 1.2)."""
    value = nfc(s).strip().lower()
    if not value:
        return ""
    chosen = _ADDRESS.fullmatch(value) is not None and not value.split("@", 1)[0].endswith(".")
    # All digits is allowed only as the default address: the ABHA number itself + suffix.
    default = _DEFAULT_ADDRESS.fullmatch(value) is not None and luhn_ok(value[:14])
    if not (chosen or default):
        raise DomainError(
            "abha_address.invalid",
            "An ABHA address looks like name@abdm (at least 4 characters before @).",
            {"value": s},
            field="abha_address",
        )
    return value
