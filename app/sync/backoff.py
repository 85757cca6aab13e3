"""Exponential backoff with full jitter for failed sync rounds (2 s, doubling, at most 15 min).

After the n-th failure in a row the wait is drawn uniformly from ``[0, min(cap, base * 2**(n-1))]``
("full jitter"): after a hub outage, two hundred spokes spread their retries over the whole
window instead of arriving together. A success resets the count. A ``Retry-After`` from the
hub is a floor on the wait, never shortened by the jitter.

Pure: no clock, no sleeping; the random source is injectable for tests.
Threading rule: not thread-safe; one owner (the sync worker thread).
"""

from __future__ import annotations

import random

BASE_S = 2.0
CAP_S = 15 * 60.0


class Backoff:
    def __init__(
        self, *, base_s: float = BASE_S, cap_s: float = CAP_S, rng: random.Random | None = None
    ) -> None:
        if base_s <= 0 or cap_s < base_s:
            raise ValueError("need 0 < base_s <= cap_s")
        self.base_s = base_s
        self.cap_s = cap_s
        self._rng = rng if rng is not None else random.Random()
        self._failures = 0

    @property
    def failures(self) -> int:
        """Failures in a row since the last success."""
        return self._failures

    def ceiling(self) -> float:
        """The largest wait the next ``failure()`` can return."""
        # Capping the exponent keeps 2.0**n finite however long the hub stays away.
        return min(self.cap_s, self.base_s * 2.0 ** min(self._failures, 64))

    def failure(self, retry_after_s: float | None = None) -> float:
        """Count a failure; return how long to wait before the next round (seconds)."""
        ceiling = self.ceiling()
        self._failures += 1
        wait = self._rng.uniform(0.0, ceiling)
        if retry_after_s is not None and retry_after_s > wait:
            # The hub asked for this much; honour it, but never beyond our own cap.
            wait = min(retry_after_s, self.cap_s)
        return wait

    def success(self) -> None:
        """Reset after a successful round."""
        self._failures = 0
