"""UUIDv7 record ids: layout bits, strict ordering, embedded timestamp."""

from __future__ import annotations

import time
import uuid
from itertools import pairwise

import pytest

from app.domain import ids
from app.domain.ids import id_time_ms, new_id, uuid7

MS_2025 = 1_750_000_000_000  # 2025-06-15, a plausible "now"


@pytest.fixture
def fresh_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reset the generator's memory (restored after the test, so other tests are unaffected)."""
    monkeypatch.setattr(ids, "_last_ms", 0)
    monkeypatch.setattr(ids, "_counter", 0)


def test_version_and_variant_bits() -> None:
    for _ in range(200):
        u = uuid7()
        assert u.version == 7
        assert u.variant == uuid.RFC_4122
        assert (u.int >> 76) & 0xF == 0x7
        assert (u.int >> 62) & 0b11 == 0b10


def test_new_id_is_canonical_string() -> None:
    s = new_id()
    assert len(s) == 36
    assert s == str(uuid.UUID(s))
    assert s[14] == "7"
    assert s[19] in "89ab"


def test_strictly_increasing_in_tight_loop() -> None:
    values = [uuid7() for _ in range(10_000)]
    assert all(a.int < b.int for a, b in pairwise(values))
    strings = [str(v) for v in values]
    assert strings == sorted(strings)
    assert len(set(strings)) == 10_000


def test_new_id_strings_sort_in_creation_order() -> None:
    made = [new_id() for _ in range(2_000)]
    assert made == sorted(made)


@pytest.mark.usefixtures("fresh_clock")
def test_strictly_increasing_with_same_millisecond() -> None:
    values = [uuid7(now_ms=MS_2025) for _ in range(10_000)]
    assert all(a.int < b.int for a, b in pairwise(values))
    # Counter overflow moves the timestamp on, never back.
    assert id_time_ms(str(values[0])) == MS_2025
    assert all(id_time_ms(str(v)) >= MS_2025 for v in values)


@pytest.mark.usefixtures("fresh_clock")
def test_clock_stepping_back_keeps_order() -> None:
    first = uuid7(now_ms=MS_2025)
    earlier = uuid7(now_ms=MS_2025 - 5_000)
    much_earlier = uuid7(now_ms=MS_2025 - 86_400_000)
    assert first.int < earlier.int < much_earlier.int
    assert id_time_ms(str(earlier)) == MS_2025


@pytest.mark.usefixtures("fresh_clock")
def test_id_time_ms_round_trip() -> None:
    for ms in (MS_2025, MS_2025 + 1, MS_2025 + 999, MS_2025 + 123_456_789):
        assert id_time_ms(str(uuid7(now_ms=ms))) == ms


def test_id_time_ms_of_new_id_is_now() -> None:
    before = time.time_ns() // 1_000_000
    made = new_id()
    after = time.time_ns() // 1_000_000
    # The generator may run a few ms ahead after a burst in another test, never behind.
    assert before <= id_time_ms(made) <= after + 100
