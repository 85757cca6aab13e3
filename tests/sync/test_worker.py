"""The sync worker with scripted engines: on demand, single flight, backoff, prompt stop."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from app.sync.backoff import Backoff
from app.sync.engine import Progress, SyncReport
from app.sync.worker import SyncWorker

HOUR = 3600.0


def wait_for(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.005)


class ScriptedEngine:
    """Counts rounds; each round can block until released (or cancelled)."""

    def __init__(self, reports: list[SyncReport] | None = None, *, block: bool = False) -> None:
        self.reports = list(reports or [])
        self.calls = 0
        self.active = 0
        self.max_active = 0
        self.release = threading.Event()
        self.entered = threading.Event()
        self.block = block
        self._lock = threading.Lock()

    def run_once(
        self, cancel: threading.Event | None = None, progress: Progress | None = None
    ) -> SyncReport:
        with self._lock:
            self.calls += 1
            self.active += 1
            self.max_active = max(self.max_active, self.active)
        self.entered.set()
        try:
            if self.block:
                while not self.release.wait(0.01):
                    if cancel is not None and cancel.is_set():
                        return SyncReport(error="cancelled", error_code="sync.cancelled")
            return self.reports.pop(0) if self.reports else SyncReport()
        finally:
            with self._lock:
                self.active -= 1


@pytest.fixture
def reports() -> list[SyncReport]:
    return []


def make_worker(
    engine: ScriptedEngine | None,
    reports: list[SyncReport],
    *,
    backoff: Backoff | None = None,
    interval_s: float = HOUR,
) -> SyncWorker:
    return SyncWorker(
        lambda: engine,
        on_report=reports.append,
        interval_s=interval_s,
        first_delay_s=HOUR,
        backoff=backoff,
    )


@pytest.fixture
def stoppers() -> Iterator[list[SyncWorker]]:
    started: list[SyncWorker] = []
    yield started
    for w in started:
        w.stop(2.0)


def test_sync_now_runs_a_round_and_reports_it(
    reports: list[SyncReport], stoppers: list[SyncWorker]
) -> None:
    engine = ScriptedEngine()
    worker = make_worker(engine, reports)
    stoppers.append(worker)
    worker.start()
    time.sleep(0.05)
    assert engine.calls == 0  # nothing is due for an hour

    assert worker.sync_now()
    wait_for(lambda: len(reports) == 1)
    assert engine.calls == 1 and reports[0].ok


def test_two_sync_now_at_once_run_one_round(
    reports: list[SyncReport], stoppers: list[SyncWorker]
) -> None:
    engine = ScriptedEngine(block=True)
    worker = make_worker(engine, reports)
    stoppers.append(worker)
    worker.start()
    barrier = threading.Barrier(2)
    accepted: list[bool] = []

    def press() -> None:
        barrier.wait()
        accepted.append(worker.sync_now())

    presses = [threading.Thread(target=press) for _ in range(2)]
    for t in presses:
        t.start()
    for t in presses:
        t.join(5)
    wait_for(engine.entered.is_set)
    assert worker.sync_now() is False  # a third press while it runs is absorbed too
    engine.release.set()
    wait_for(lambda: len(reports) == 1)
    time.sleep(0.1)  # give a wrongly queued second round the chance to show up

    assert sorted(accepted) == [False, True]
    assert engine.calls == 1 and engine.max_active == 1
    assert worker.rounds == 1


def test_a_nudge_during_a_round_runs_one_more_round_after_it(
    reports: list[SyncReport], stoppers: list[SyncWorker]
) -> None:
    engine = ScriptedEngine(block=True)
    worker = make_worker(engine, reports)
    stoppers.append(worker)
    worker.start()
    worker.sync_now()
    wait_for(engine.entered.is_set)
    assert worker.nudge()
    assert not worker.nudge()  # one follow-up is enough
    engine.release.set()
    wait_for(lambda: len(reports) == 2)
    time.sleep(0.05)
    assert engine.calls == 2 and engine.max_active == 1


def test_a_failed_round_is_retried_by_the_backoff_without_a_trigger(
    reports: list[SyncReport], stoppers: list[SyncWorker]
) -> None:
    engine = ScriptedEngine([SyncReport(error="down", error_code="hub.unreachable")])
    backoff = Backoff(base_s=0.02, cap_s=0.05, rng=random.Random(1))
    worker = make_worker(engine, reports, backoff=backoff)
    stoppers.append(worker)
    worker.start()
    worker.sync_now()
    wait_for(lambda: len(reports) == 2)
    assert not reports[0].ok and reports[1].ok
    assert backoff.failures == 0  # reset by the success


def test_a_nudge_waits_out_the_hubs_retry_after_but_sync_now_does_not(
    reports: list[SyncReport], stoppers: list[SyncWorker]
) -> None:
    busy = SyncReport(error="busy", error_code="hub.unavailable", retry_after_s=HOUR)
    engine = ScriptedEngine([busy])
    worker = make_worker(engine, reports)
    stoppers.append(worker)
    worker.start()
    worker.sync_now()
    wait_for(lambda: len(reports) == 1)

    assert worker.nudge()
    time.sleep(0.15)
    assert engine.calls == 1  # the hub asked for an hour's peace
    assert worker.sync_now()  # a person asking is another matter
    wait_for(lambda: len(reports) == 2)


def test_stop_is_prompt_even_during_a_round(
    reports: list[SyncReport], stoppers: list[SyncWorker]
) -> None:
    engine = ScriptedEngine(block=True)
    worker = make_worker(engine, reports)
    worker.start()
    worker.sync_now()
    wait_for(engine.entered.is_set)

    started = time.monotonic()
    assert worker.stop(timeout=2.0)
    assert time.monotonic() - started < 1.0
    assert reports[-1].error_code == "sync.cancelled"
    assert worker.sync_now() is False and worker.nudge() is False


def test_stop_when_idle_or_never_started(reports: list[SyncReport]) -> None:
    idle = make_worker(ScriptedEngine(), reports)
    assert idle.stop(0.1)  # never started
    idle2 = make_worker(ScriptedEngine(), reports)
    idle2.start()
    started = time.monotonic()
    assert idle2.stop(timeout=2.0)
    assert time.monotonic() - started < 1.0


def test_not_enrolled_runs_nothing_and_a_crash_is_reported(
    reports: list[SyncReport], stoppers: list[SyncWorker]
) -> None:
    nobody = make_worker(None, reports)
    stoppers.append(nobody)
    nobody.start()
    nobody.sync_now()
    wait_for(lambda: nobody.rounds == 1 and not nobody.running)
    assert reports == []

    def broken() -> ScriptedEngine:
        raise RuntimeError("store gone")

    crashing = SyncWorker(broken, on_report=reports.append, interval_s=HOUR, first_delay_s=HOUR)
    stoppers.append(crashing)
    crashing.start()
    crashing.sync_now()
    wait_for(lambda: len(reports) == 1)
    assert reports[0].error_code == "sync.crashed" and "store gone" in (reports[0].error or "")


def test_the_timer_runs_rounds_on_its_own(
    reports: list[SyncReport], stoppers: list[SyncWorker]
) -> None:
    engine = ScriptedEngine()
    worker = SyncWorker(lambda: engine, on_report=reports.append, interval_s=0.02, first_delay_s=0)
    stoppers.append(worker)
    worker.start()
    wait_for(lambda: len(reports) >= 3)
