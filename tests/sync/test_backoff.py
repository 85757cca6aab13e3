"""The backoff is pure: exponential ceilings, full jitter under them, reset on success."""

from __future__ import annotations

import random

import pytest

from app.sync.backoff import BASE_S, CAP_S, Backoff


def test_ceilings_double_from_2_s_up_to_15_min() -> None:
    b = Backoff(rng=random.Random(1))
    ceilings = []
    for _ in range(12):
        ceilings.append(b.ceiling())
        b.failure()
    assert ceilings[:5] == [2.0, 4.0, 8.0, 16.0, 32.0]
    assert ceilings[-1] == CAP_S == 900.0
    assert max(ceilings) == CAP_S


def test_waits_are_full_jitter_under_the_ceiling() -> None:
    b = Backoff(rng=random.Random(7))
    for _ in range(200):
        ceiling = b.ceiling()
        wait = b.failure()
        assert 0.0 <= wait <= ceiling
    # Full jitter spreads over the whole window, including near zero.
    spread = Backoff(rng=random.Random(3))
    samples = []
    for _ in range(300):
        spread.success()
        for _ in range(5):
            spread.failure()
        samples.append(spread.failure())  # ceiling 64 s
    assert min(samples) < 8 and max(samples) > 56


def test_success_resets_the_count() -> None:
    b = Backoff(rng=random.Random(1))
    for _ in range(6):
        b.failure()
    assert b.failures == 6
    b.success()
    assert b.failures == 0 and b.ceiling() == BASE_S


def test_retry_after_is_a_floor_bounded_by_the_cap() -> None:
    b = Backoff(rng=random.Random(1))
    assert b.failure(retry_after_s=60.0) == 60.0
    assert Backoff(rng=random.Random(1)).failure(retry_after_s=5000.0) == CAP_S


def test_same_seed_same_waits_and_no_overflow_after_many_failures() -> None:
    a, b = Backoff(rng=random.Random(42)), Backoff(rng=random.Random(42))
    assert [a.failure() for _ in range(2000)] == [b.failure() for _ in range(2000)]
    assert a.ceiling() == CAP_S


def test_bad_parameters_are_refused() -> None:
    with pytest.raises(ValueError):
        Backoff(base_s=0)
    with pytest.raises(ValueError):
        Backoff(base_s=10, cap_s=5)
