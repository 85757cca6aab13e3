"""ABHA number and ABHA address checks (standards reference, section 1.1 and 1.2).

The ABHA number is 14 digits whose last digit is a Luhn check digit over the first 13 (the ABHA
enrolment service's generator; Verhoeff is Aadhaar's). Older Health IDs do not start with 91,
so no prefix is required. Passing Luhn does not prove the number exists: only ABDM can say.
"""

from __future__ import annotations

import re

from app.domain.errors import DomainError
from app.domain.text import ascii_digits

_SEPARATORS = re.compile(r"[\s\-]")
# Loose on purpose: ABDM's own policy is not settled (standards reference 1.2); it decides.
_ADDRESS = re.compile(r"^[a-z_][a-z0-9._]{3,}@(abdm|sbx)$")


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2 == 1:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def luhn_check_digit(first_digits: str) -> str:
    """The digit that completes ``first_digits`` to a Luhn-valid number."""
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
    """``XX-XXXX-XXXX-XXXX``, the way the card prints it."""
    d = _SEPARATORS.sub("", digits)
    if len(d) != 14:
        return d
    return f"{d[:2]}-{d[2:6]}-{d[6:10]}-{d[10:]}"


def normalise_abha_address(s: str) -> str:
    value = s.strip().lower()
    if not value:
        return ""
    local = value.split("@", 1)[0]
    # A 14-digit local part is valid only as the default address of an ABHA number.
    default_address = local.isdigit() and len(local) == 14 and luhn_ok(local)
    default_address = default_address and value.endswith(("@abdm", "@sbx"))
    if (
        not _ADDRESS.match(value) or local.endswith(".") or local.isdigit()
    ) and not default_address:
        raise DomainError(
            "abha_address.invalid",
            "An ABHA address looks like name@abdm (at least 4 characters before @).",
            {"value": s},
            field="abha_address",
        )
    return value
