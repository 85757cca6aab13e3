"""Text normalisation: NFC, folding, Indic digits."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from app.domain.text import ascii_digits, clean, fold, has_devanagari, nfc

# "ऩ" (NNNA) precomposed U+0929 and decomposed न + nukta; "क़" (QA) U+0958 is a composition
# exclusion, so its NFC form is the decomposed pair.
NNNA_PRECOMPOSED = "\u0929"
NNNA_DECOMPOSED = "\u0928\u093c"


def test_nfc_composes_decomposed_nukta() -> None:
    assert nfc(NNNA_DECOMPOSED) == NNNA_PRECOMPOSED
    assert nfc("मु" + NNNA_DECOMPOSED + "ा") == "मु" + NNNA_PRECOMPOSED + "ा"


def test_nfc_keeps_composition_exclusions_decomposed() -> None:
    # U+0958 QA is excluded from composition: both spellings meet at the decomposed one.
    assert nfc("\u0958") == "\u0915\u093c"
    assert nfc("\u0915\u093c") == "\u0915\u093c"


def test_fold_makes_both_nukta_spellings_equal() -> None:
    assert fold("  मु" + NNNA_DECOMPOSED + "ी ") == fold("मु" + NNNA_PRECOMPOSED + "ी")


def test_fold_casefolds_collapses_and_trims() -> None:
    assert fold("  Ramesh \t  KUMAR\n") == "ramesh kumar"
    assert fold("Ram\u00a0Kumar") == "ram kumar"  # no-break space from a paste


def test_fold_drops_joiners_and_invisible_characters() -> None:
    assert fold("क्\u200dष") == "क्ष"
    assert fold("Ra\u200bmesh\ufeff") == "ramesh"


def test_clean_keeps_case_and_joiners() -> None:
    assert clean("  Ramesh   Kumar ") == "Ramesh Kumar"
    assert clean("क्\u200dष") == "क्\u200dष"  # ZWJ chooses the half form: keep it
    assert clean("Sun\u00adita") == "Sunita"


def test_fold_output_is_nfc() -> None:
    folded = fold("İstanbul")  # casefold gives i + combining dot above
    assert unicodedata.is_normalized("NFC", folded)


def test_ascii_digits_maps_devanagari_digits() -> None:
    assert ascii_digits("९८७६५४३२१०") == "9876543210"
    assert ascii_digits("फ़ोन: ९८-७६") == "फ़ोन: 98-76"


def test_ascii_digits_maps_other_scripts() -> None:
    assert ascii_digits("১২৩") == "123"  # Bengali
    assert ascii_digits("௪௫") == "45"  # Tamil
    assert ascii_digits("٣") == "3"  # Arabic-Indic


def test_ascii_digits_leaves_non_digits_alone() -> None:
    # Superscript two is a digit but not a decimal digit: it must not become "2".
    assert ascii_digits("x²") == "x²"
    assert ascii_digits("abc-12") == "abc-12"


def test_has_devanagari() -> None:
    assert has_devanagari("सुनीता")
    assert has_devanagari("Sunita सुनीता")
    assert not has_devanagari("Sunita")
    assert not has_devanagari("সুনীতা")  # Bengali is another block
    assert not has_devanagari("")


@given(st.lists(st.integers(0, 9), min_size=1, max_size=12))
def test_ascii_digits_round_trip_from_devanagari(digits: list[int]) -> None:
    devanagari = "".join(chr(0x0966 + d) for d in digits)
    assert ascii_digits(devanagari) == "".join(map(str, digits))


@given(st.text())
def test_fold_is_idempotent(s: str) -> None:
    assert fold(fold(s)) == fold(s)


@given(st.text())
def test_clean_is_idempotent_and_nfc(s: str) -> None:
    once = clean(s)
    assert clean(once) == once
    assert unicodedata.is_normalized("NFC", once)
