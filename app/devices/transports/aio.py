"""One asyncio event loop on a daemon thread, shared by the BLE and TCP transports.

bleak and asyncio servers need a running loop; the GUI thread must never wait on one. Callers
hand coroutines over with ``submit`` (any thread) and get a ``concurrent.futures.Future``.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from concurrent.futures import Future
from typing import Any, TypeVar

T = TypeVar("T")

_lock = threading.Lock()
_shared: LoopThread | None = None


class LoopThread:
    def __init__(self, name: str = "hwc-devices-aio") -> None:
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()
        self._ready.wait()

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        self._loop = loop
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            loop.close()

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        assert self._loop is not None
        return self._loop

    def submit(self, coro: Coroutine[Any, Any, T]) -> Future[T]:
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def in_loop_thread(self) -> bool:
        return threading.current_thread() is self._thread

    def stop(self, timeout: float = 2.0) -> None:
        if self._loop is not None and self._loop.is_running():
            self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout)


def shared_loop() -> LoopThread:
    """The process-wide device loop, started on first use."""
    global _shared
    with _lock:
        if _shared is None or not _shared._thread.is_alive():
            _shared = LoopThread()
        return _shared
