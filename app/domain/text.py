"""Text normalisation shared by storage, search and validation.

Indic text has several spellings of the same letters (a nukta letter precomposed or as base +
nukta), so everything is NFC-normalised before it is stored or compared. Digits may be typed in
Devanagari or another Indic script; numeric fields map them to ASCII before validating.
"""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


def fold(s: str) -> str:
    """NFC, case-folded, runs of white space collapsed to one space, trimmed."""
    return _SPACES.sub(" ", nfc(s).casefold()).strip()


def ascii_digits(s: str) -> str:
    """Map every Unicode decimal digit (Devanagari ०-९, Bengali, ...) to its ASCII digit."""
    out = []
    for ch in s:
        if ch.isdecimal() and not ch.isascii():
            out.append(str(unicodedata.decimal(ch)))
        else:
            out.append(ch)
    return "".join(out)


def has_devanagari(s: str) -> bool:
    return any("\u0900" <= ch <= "\u097f" or "\ua8e0" <= ch <= "\ua8ff" for ch in s)


def clean(s: str) -> str:
    """NFC with white space collapsed and trimmed, case kept: how names are stored."""
    return _SPACES.sub(" ", nfc(s)).strip()
