"""Text normalisation shared by storage, search, matching and validation.

Contract: every function is pure and thread-safe.

- ``nfc``: Unicode NFC. Indic text has two spellings of the same nukta letter (precomposed
  U+0929 or base U+0928 + nukta U+093C), so text is NFC-normalised before it is stored or
  compared.
- ``clean``: how names and places are stored: NFC, invisible paste debris (zero-width space,
  BOM, soft hyphen) removed, white space collapsed and trimmed, case kept. ZWJ/ZWNJ are kept:
  in Indic scripts they choose how a conjunct is drawn.
- ``fold``: how text is compared and searched: ``clean`` plus case folding, and ZWJ/ZWNJ
  removed (they change the drawing, not the word).
- ``ascii_digits``: Devanagari (and every other Unicode decimal digit) to ASCII, for numeric
  fields; nothing else changes.
"""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
# Zero-width space, word joiner, BOM and soft hyphen: invisible, arrive by copy and paste.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u2060\ufeff\u00ad"))
_JOINERS = dict.fromkeys(map(ord, "\u200c\u200d"))


def nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


def clean(s: str) -> str:
    """NFC without invisible debris, white space collapsed and trimmed, case kept."""
    return _SPACES.sub(" ", nfc(s).translate(_INVISIBLE)).strip()


def fold(s: str) -> str:
    """NFC, case-folded, joiners dropped, white space collapsed to one space and trimmed."""
    # casefold() can leave a decomposed sequence ("İ" -> "i" + U+0307): normalise again.
    return nfc(clean(s).translate(_JOINERS).casefold())


def ascii_digits(s: str) -> str:
    """Map every Unicode decimal digit (Devanagari ०-९, Bengali, ...) to its ASCII digit."""
    if s.isascii():
        return s
    return "".join(
        str(unicodedata.decimal(ch)) if ch.isdecimal() and not ch.isascii() else ch for ch in s
    )


def has_devanagari(s: str) -> bool:
    """True when ``s`` holds any Devanagari (including the Devanagari Extended block)."""
    return any("\u0900" <= ch <= "\u097f" or "\ua8e0" <= ch <= "\ua8ff" for ch in s)
