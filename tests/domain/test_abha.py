"""ABHA number (Luhn) and ABHA address checks, with the sample numbers of standards.md §1.1."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.abha import (
    abha_number_ok,
    format_abha_number,
    luhn_check_digit,
    luhn_ok,
    normalise_abha_address,
    normalise_abha_number,
)
from app.domain.errors import DomainError

# Real-looking numbers from public ABDM material (standards.md §1.1): all pass Luhn.
SAMPLES = [
    "22-7225-4829-5255",
    "91-3670-8272-5162",
    "91-6166-8803-1734",
    "91-3171-3025-3881",
    "91-1130-8436-0800",
    "91-4281-1522-0611",
    "91178386156891",
    "43-4221-5105-6749",
    "25-8180-3683-5375",
]
# Made-up numbers the reference says fail.
MADE_UP = ["12-3456-7890-1234", "91-7561-4088-0001"]


@pytest.mark.parametrize("number", SAMPLES)
def test_sample_numbers_pass(number: str) -> None:
    assert abha_number_ok(number)
    assert normalise_abha_number(number) == number.replace("-", "")


@pytest.mark.parametrize("number", MADE_UP)
def test_made_up_numbers_fail(number: str) -> None:
    assert not abha_number_ok(number)
    with pytest.raises(DomainError) as info:
        normalise_abha_number(number)
    assert info.value.code == "abha.checksum"
    assert info.value.field == "abha_number"


def test_one_digit_wrong_fails_the_checksum() -> None:
    good = "91-3670-8272-5162"
    typo = "91-3670-8272-5163"  # last digit off by one
    assert abha_number_ok(good)
    assert not abha_number_ok(typo)
    with pytest.raises(DomainError) as info:
        normalise_abha_number(typo)
    assert info.value.code == "abha.checksum"


def test_old_health_ids_need_no_91_prefix() -> None:
    assert normalise_abha_number("22-7225-4829-5255") == "22722548295255"
    assert normalise_abha_number("43 4221 5105 6749") == "43422151056749"


@pytest.mark.parametrize(
    "typed",
    [
        "91-3670-8272-5162",
        "91367082725162",
        "91 3670 8272 5162",
        " 91-3670 8272-5162 ",
        "91–3670–8272–5162",  # en dashes from a word processor
        "९१-३६७०-८२७२-५१६२",  # Devanagari digits
    ],
)
def test_accepts_hyphens_spaces_and_devanagari_digits(typed: str) -> None:
    assert normalise_abha_number(typed) == "91367082725162"


def test_blank_is_no_number() -> None:
    assert normalise_abha_number("") == ""
    assert normalise_abha_number("  -  ") == ""
    assert not abha_number_ok("")


def test_wrong_length() -> None:
    with pytest.raises(DomainError) as info:
        normalise_abha_number("91-3670-8272-516")
    assert info.value.code == "abha.length"
    assert info.value.params["length"] == 13
    assert info.value.field == "abha_number"


def test_letters_are_refused_before_length() -> None:
    with pytest.raises(DomainError) as info:
        normalise_abha_number("91-3670-8272-51A2")
    assert info.value.code == "abha.characters"
    with pytest.raises(DomainError) as info:
        normalise_abha_number("ramesh@abdm")
    assert info.value.code == "abha.characters"


def test_format() -> None:
    assert format_abha_number("91367082725162") == "91-3670-8272-5162"
    assert format_abha_number("91-3670-8272-5162") == "91-3670-8272-5162"
    assert format_abha_number("1234") == "1234"  # not 14 digits: shown as typed


def test_luhn_check_digit_completes_samples() -> None:
    for number in SAMPLES:
        digits = number.replace("-", "")
        assert luhn_check_digit(digits[:13]) == digits[13]


def test_luhn_check_digit_refuses_non_digits() -> None:
    with pytest.raises(DomainError):
        luhn_check_digit("91-36")


def test_luhn_ok_is_false_for_non_digits() -> None:
    assert not luhn_ok("")
    assert not luhn_ok("9136708272516x")


thirteen_digits = st.text(alphabet="0123456789", min_size=13, max_size=13)


@given(thirteen_digits, st.integers(0, 13), st.integers(1, 9))
def test_luhn_detects_every_single_digit_change(first: str, position: int, delta: int) -> None:
    number = first + luhn_check_digit(first)
    assert abha_number_ok(number)
    changed = str((int(number[position]) + delta) % 10)
    typo = number[:position] + changed + number[position + 1 :]
    assert not abha_number_ok(typo)


@given(thirteen_digits)
def test_format_then_normalise_round_trips(first: str) -> None:
    number = first + luhn_check_digit(first)
    assert normalise_abha_number(format_abha_number(number)) == number


# --- ABHA address (§1.2) ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("ramesh.kumar@abdm", "ramesh.kumar@abdm"),
        ("  Ramesh_K45@SBX ", "ramesh_k45@sbx"),
        ("_sunita@abdm", "_sunita@abdm"),
        ("abcd@abdm", "abcd@abdm"),
        ("91367082725162@abdm", "91367082725162@abdm"),  # the default address
        ("22722548295255@sbx", "22722548295255@sbx"),
    ],
)
def test_valid_addresses(typed: str, stored: str) -> None:
    assert normalise_abha_address(typed) == stored


@pytest.mark.parametrize(
    "typed",
    [
        "abc@abdm",  # 3 characters before @
        "1ramesh@abdm",  # starts with a digit
        ".ramesh@abdm",
        "ramesh.@abdm",  # ends with a dot
        "ramesh@gmail.com",
        "ramesh",
        "ramesh kumar@abdm",
        "91367082725163@abdm",  # 14 digits that are not an ABHA number
        "12345678@abdm",  # all digits but not the default address
        "91367082725162@x@abdm",
        "ramesh@abdm\n",
    ],
)
def test_invalid_addresses(typed: str) -> None:
    if typed.strip() != typed:
        # Surrounding white space is trimmed; test something with the newline inside.
        typed = typed.strip() + "\nx"
    with pytest.raises(DomainError) as info:
        normalise_abha_address(typed)
    assert info.value.code == "abha_address.invalid"
    assert info.value.field == "abha_address"


def test_blank_address() -> None:
    assert normalise_abha_address("   ") == ""
