"""The sync worker: one background thread that runs sync rounds when they are due.

A round runs
- on a timer: ``interval_s`` after a successful round, after a jittered exponential backoff
  (``Backoff``: 2 s doubling to 15 min) after a failed one, so a stuck queue is retried without
  waiting for a new local write, and never sooner than a ``Retry-After`` the hub sent;
- on demand: ``sync_now()`` (a person pressed "Sync now") runs one as soon as the thread is free,
  backoff or not;
- after a case is queued: ``nudge()`` runs one soon, but waits out a hub's ``Retry-After``
  (two hundred spokes must not answer an overloaded hub's "later" with a burst).

Single flight: one round at a time. ``sync_now()`` while a round is running or already requested
is absorbed by that round (returns False): the round's push re-reads the outbox until it is
empty. ``nudge()`` during a round asks for one more round afterwards, because the op it stands
for may have been written after that round's push finished.

No Qt here: ``on_report(report)`` and ``on_progress(phase, done, total)`` are called on the
worker thread, and the UI layer hands them to the GUI thread itself.

Threading rule: ``start``, ``sync_now``, ``nudge`` and ``stop`` may be called from any thread.
``stop(timeout)`` sets the round's cancel event (checked between requests) and waits at most
``timeout``; a request already on the wire can only end by its own timeout, and the thread is a
daemon, so a stuck request never keeps the program from exiting.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Protocol

from app.sync.backoff import Backoff
from app.sync.engine import Progress, SyncReport

log = logging.getLogger(__name__)

DEFAULT_INTERVAL_S = 5 * 60.0
DEFAULT_FIRST_DELAY_S = 3.0  # let the program finish starting before the first round


class RoundRunner(Protocol):
    """What the worker needs of an engine (``SyncEngine`` is one)."""

    def run_once(
        self,
        cancel: threading.Event | None = None,
        progress: Progress | None = None,
    ) -> SyncReport: ...


class SyncWorker:
    """See the module docstring. ``engine_factory()`` is called before every round (so a new
    enrolment takes effect at once); it returns None while the spoke is not enrolled."""

    def __init__(
        self,
        engine_factory: Callable[[], RoundRunner | None],
        *,
        on_report: Callable[[SyncReport], None],
        on_progress: Progress | None = None,
        interval_s: float = DEFAULT_INTERVAL_S,
        first_delay_s: float = DEFAULT_FIRST_DELAY_S,
        backoff: Backoff | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._factory = engine_factory
        self._on_report = on_report
        self._on_progress = on_progress
        self._interval_s = interval_s
        self._first_delay_s = first_delay_s
        self._backoff = backoff if backoff is not None else Backoff()
        self._monotonic = monotonic
        self._cond = threading.Condition()
        self._requested: str | None = None  # "now" or "nudge"
        self._running = False
        self._stopping = False
        self._cancel = threading.Event()
        self._next_due = 0.0
        self._busy_until = 0.0  # the hub's Retry-After, on the monotonic clock
        self._rounds = 0
        self._thread: threading.Thread | None = None

    # -- control (any thread) ----------------------------------------------------------------

    def start(self) -> None:
        with self._cond:
            if self._thread is not None:
                raise RuntimeError("the sync worker was already started")
            self._next_due = self._monotonic() + self._first_delay_s
            self._thread = threading.Thread(target=self._loop, name="sync-worker", daemon=True)
            self._thread.start()

    def sync_now(self) -> bool:
        """Run a round as soon as possible; False when one is running or requested already."""
        with self._cond:
            if self._stopping or self._running or self._requested == "now":
                return False
            self._requested = "now"  # also upgrades a pending nudge
            self._cond.notify_all()
            return True

    def nudge(self) -> bool:
        """Something was queued: run a round soon (after the current one, if any)."""
        with self._cond:
            if self._stopping or self._requested is not None:
                return False
            self._requested = "nudge"
            self._cond.notify_all()
            return True

    def stop(self, timeout: float = 5.0) -> bool:
        """Cancel the round in progress and end the thread; True when it has ended."""
        with self._cond:
            self._stopping = True
            self._cancel.set()
            self._cond.notify_all()
            thread = self._thread
        if thread is None:
            return True
        thread.join(timeout)
        return not thread.is_alive()

    @property
    def rounds(self) -> int:
        """Rounds started so far (for status displays and tests)."""
        with self._cond:
            return self._rounds

    @property
    def running(self) -> bool:
        """Whether a round is in progress right now."""
        with self._cond:
            return self._running

    # -- the thread --------------------------------------------------------------------------

    def _loop(self) -> None:
        while self._wait_for_round():
            try:
                self._one_round()
            finally:
                with self._cond:
                    self._running = False
                    self._cond.notify_all()

    def _wait_for_round(self) -> bool:
        """Block until a round is due (True) or the worker is stopping (False)."""
        with self._cond:
            while not self._stopping:
                now = self._monotonic()
                due = self._requested == "now" or now >= self._next_due
                if self._requested == "nudge" and now >= self._busy_until:
                    due = True
                if due:
                    self._requested = None
                    self._running = True
                    self._rounds += 1
                    return True
                wake = self._next_due
                if self._requested == "nudge":
                    wake = min(wake, self._busy_until)
                self._cond.wait(timeout=max(0.0, wake - now))
            return False

    def _one_round(self) -> None:
        report: SyncReport | None
        try:
            engine = self._factory()
            report = (
                None
                if engine is None
                else engine.run_once(cancel=self._cancel, progress=self._on_progress)
            )
        except Exception as exc:  # a bug or a store failure: report it, keep the thread alive
            log.exception("sync round failed")
            report = SyncReport(error=f"{type(exc).__name__}: {exc}", error_code="sync.crashed")
        now = self._monotonic()
        with self._cond:
            if report is None or report.already_running:
                # Not enrolled, or another caller's round is on: neither success nor failure.
                self._next_due = now + self._interval_s
            elif report.ok:
                self._backoff.success()
                self._busy_until = 0.0
                self._next_due = now + self._interval_s
            else:
                wait = self._backoff.failure(report.retry_after_s)
                if report.retry_after_s is not None:
                    self._busy_until = now + report.retry_after_s
                self._next_due = now + wait
        if report is not None:
            try:
                self._on_report(report)
            except Exception:
                log.exception("sync on_report callback failed")
