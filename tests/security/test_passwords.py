"""Password hashing: round trip, format, tampering, malformed values, rehash policy."""

from __future__ import annotations

import base64

import pytest

from app.security.passwords import (
    DEFAULT_LOG_N,
    hash_password,
    needs_rehash,
    verify_password,
)

FAST = 4  # tests use a tiny cost through the parameter; the default is never weakened


def test_round_trip_and_wrong_password() -> None:
    stored = hash_password("correct horse", log_n=FAST)
    assert verify_password("correct horse", stored)
    assert not verify_password("correct horsE", stored)
    assert not verify_password("", stored)


def test_format_carries_cost_and_salt() -> None:
    stored = hash_password("pässwörd-हिंदी", log_n=FAST)
    scheme, log_n, r, p, salt, digest = stored.split("$")
    assert (scheme, log_n, r, p) == ("scrypt", str(FAST), "8", "1")
    assert len(base64.b64decode(salt)) == 16
    assert len(base64.b64decode(digest)) == 32
    assert verify_password("pässwörd-हिंदी", stored)


def test_same_password_gets_a_fresh_salt() -> None:
    a = hash_password("same-password", log_n=FAST)
    b = hash_password("same-password", log_n=FAST)
    assert a != b
    assert verify_password("same-password", a) and verify_password("same-password", b)


def test_default_cost_is_2_to_the_15() -> None:
    stored = hash_password("default-cost")
    assert stored.startswith(f"scrypt${DEFAULT_LOG_N}$8$1$")
    assert DEFAULT_LOG_N == 15
    assert verify_password("default-cost", stored)
    assert not needs_rehash(stored)


def test_tampered_digest_is_rejected() -> None:
    stored = hash_password("secret-1", log_n=FAST)
    head, digest = stored.rsplit("$", 1)
    raw = bytearray(base64.b64decode(digest))
    raw[0] ^= 0x01
    assert not verify_password("secret-1", head + "$" + base64.b64encode(bytes(raw)).decode())


@pytest.mark.parametrize(
    "stored",
    [
        "",
        "plaintext",
        "bcrypt$12$8$1$AAAA$BBBB",
        "scrypt$4$8$1$not-base64!$AAAA",
        "scrypt$x$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAA==",
        "scrypt$40$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAA==",  # absurd cost
        "scrypt$4$8$1$$AAAAAAAAAAAAAAAAAAAAAA==",  # empty salt
        "scrypt$4$8$1$AAAAAAAAAAAAAAAAAAAAAA==",  # missing field
        "scrypt$4$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAA$extra",
    ],
)
def test_malformed_stored_value_is_false_not_an_exception(stored: str) -> None:
    assert verify_password("anything", stored) is False
    assert needs_rehash(stored)


def test_weaker_hash_needs_rehash() -> None:
    assert needs_rehash(hash_password("pw-weak-one", log_n=FAST))


def test_out_of_range_parameters_are_refused_when_hashing() -> None:
    with pytest.raises(ValueError):
        hash_password("pw", log_n=0)
