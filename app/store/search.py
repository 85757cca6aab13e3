"""Search keys and safe FTS5 queries for patient search. Pure functions: any thread.

Stored search columns (``*_fold``) and typed queries go through the same ``fold`` so that they
meet; the FTS5 tokenizer (``unicode61 remove_diacritics 0 categories 'L* N* Co M*'``, see
migration 0002) splits on everything that is not a letter, digit, private-use character or
combining mark, and ``tokens`` splits typed text the same way. Each token is then quoted, so
nothing a person types ("Ram*", quotes, AND, hyphens) can be read as FTS5 query syntax.
Changing ``fold`` changes stored keys: it needs a migration that rebuilds them.
"""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """NFC, casefold, whitespace collapsed (the contract of ``app.domain.text.fold``)."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def ascii_digits(text: str) -> str:
    """Devanagari and other Unicode decimal digits as ASCII digits."""
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in text)


#: Matches scanned before sorting: sorting every match of a short prefix at 1M rows costs
#: 100-500 ms, the newest 500 cost ~1 ms (shared/reference/sqlite-measurements.md).
MATCH_BOUND = 500

#: Typed digit runs at least this long are looked up as phone / ABHA prefixes.
MIN_DIGITS = 4


def _is_token_char(ch: str) -> bool:
    category = unicodedata.category(ch)
    return category[0] in "LNM" or category == "Co"


def tokens(text: str) -> list[str]:
    """The folded words of ``text``, split as the FTS5 tokenizer splits them."""
    out: list[str] = []
    current: list[str] = []
    for ch in fold(text):
        if _is_token_char(ch):
            current.append(ch)
        elif current:
            out.append("".join(current))
            current = []
    if current:
        out.append("".join(current))
    return out


def quote(token: str) -> str:
    """An FTS5 string literal: inside double quotes nothing is an operator."""
    return '"' + token.replace('"', '""') + '"'


def prefix_query(words: list[str]) -> str:
    """Every word as a prefix, all required: ``"ram"* AND "kum"*``."""
    return " AND ".join(quote(w) + "*" for w in words)


def prefix_upper_bound(prefix: str) -> str:
    """The smallest string greater than every string that starts with ``prefix``.

    ``col >= prefix AND col < prefix_upper_bound(prefix)`` is a prefix match that an ordinary
    (BINARY) index answers; ``LIKE`` would need ``case_sensitive_like`` or a NOCASE index.
    """
    return prefix + "\U0010ffff"


def digits_of(text: str) -> str:
    """ASCII digits of a phone or ABHA number as typed ("98765 43210", "91-2345-...")."""
    return "".join(ch for ch in ascii_digits(text) if ch.isascii() and ch.isdigit())
