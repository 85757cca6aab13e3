"""The update service: checks the hub for a new version in the background and stages it for
the next start; tells the start-up dispatch when a trial start reached its login window
(docs/UPDATES.md).

``after_sync_round(report)`` is a sync report listener (called on the sync worker's thread):
after a successful round, at most every ``interval_s``, it starts one check on a thread of
its own, so a long download on a 2G link never holds up the next sync round and never runs on
the GUI thread. A failed check is logged with its code and kept for diagnostics; the app goes
on as it was.

Only the frozen program updates itself (a source checkout has nothing to replace), or any
program when ``HWC_SPOKE_UPDATES=1`` (tests).

Threading: every method may be called from any thread; one check runs at a time.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from app.sync import credentials
from app.updates import launch

if TYPE_CHECKING:
    from app.store.db import Store
    from app.updates.client import Staged

log = logging.getLogger(__name__)

DEFAULT_INTERVAL_S = 6 * 3600.0


class _Report(Protocol):
    @property
    def ok(self) -> bool: ...


@dataclass(frozen=True)
class UpdateStatus:
    enabled: bool
    running_version: str
    staged: str | None  # a version waiting for the next start
    last_error_code: str | None
    last_error: str | None


def updates_enabled() -> bool:
    return bool(getattr(sys, "frozen", False)) or os.environ.get(launch.ENV_ENABLE) == "1"


class UpdateService:
    def __init__(
        self,
        store: Store,
        *,
        root: Path | None = None,
        running_version: str | None = None,
        installed_dir: Path | None = None,
        trusted_root: Path | None = None,
        interval_s: float = DEFAULT_INTERVAL_S,
        enabled: bool | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        from app import __version__

        self._store = store
        self._root = root
        self.running_version = running_version or __version__
        if installed_dir is None and getattr(sys, "frozen", False):
            installed_dir = Path(sys.executable).parent
        self._installed_dir = installed_dir
        self._trusted_root = trusted_root
        self._interval_s = interval_s
        self._enabled = updates_enabled() if enabled is None else enabled
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._last_check: float | None = None
        self._thread: threading.Thread | None = None
        self._last_error: tuple[str, str] | None = None
        self._marked = False

    def root(self) -> Path | None:
        return self._root if self._root is not None else launch.default_root()

    # -- the background check ------------------------------------------------------------------

    def after_sync_round(self, report: _Report) -> None:
        """Sync report listener: start a check when one is due (never blocks)."""
        if not self._enabled or not report.ok:
            return
        with self._lock:
            now = self._monotonic()
            due = self._last_check is None or now - self._last_check >= self._interval_s
            if not due or (self._thread is not None and self._thread.is_alive()):
                return
            self._last_check = now
            self._thread = threading.Thread(
                target=self._check_quietly, name="update-check", daemon=True
            )
            self._thread.start()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for a check in progress (tests, shutdown); True when none is running."""
        with self._lock:
            thread = self._thread
        if thread is not None:
            thread.join(timeout)
            return not thread.is_alive()
        return True

    def _check_quietly(self) -> None:
        try:
            self.check_now()
        except Exception as exc:  # a failed check never ends the app: logged and kept
            code = getattr(exc, "code", None)
            if isinstance(code, str) and code.startswith("update."):
                log.warning("update check failed [%s]: %s", code, exc)
                self._last_error = (code, str(exc))
                return
            log.exception("update check crashed")
            self._last_error = ("update.failed", f"{type(exc).__name__}: {exc}")

    def check_now(self) -> Staged | None:
        """One check (blocking: network and disk). Raises UpdateError."""
        from app.updates.client import (
            Layout,
            UpdateError,
            check_and_stage,
            trusted_root_path,
        )

        root = self.root()
        creds = credentials.load(self._store)
        if root is None or creds is None:
            return None  # not enrolled: no hub to ask
        verify: bool | str = True
        if creds.anchor_pem:
            root.mkdir(parents=True, exist_ok=True)
            anchor = root / "hub-anchor.pem"  # the pinned hub certificate (public)
            anchor.write_text(creds.anchor_pem, encoding="ascii")
            verify = str(anchor)
        try:
            skip = frozenset(launch.read_state(root).bad)
        except launch.StateError as exc:
            raise UpdateError("update.state", f"The update state cannot be read: {exc}") from exc
        staged = check_and_stage(
            hub_url=creds.hub_url,
            layout=Layout(root),
            running_version=self.running_version,
            trusted_root=self._trusted_root or trusted_root_path(),
            verify=verify,
            installed_dir=self._installed_dir,
            skip=skip,
        )
        self._last_error = None
        if staged is not None:
            self._prune(root)
        return staged

    def _prune(self, root: Path) -> None:
        """Keep the versions the dispatch may run (and the running one); drop the rest."""
        import shutil

        state = launch.read_state(root)
        keep = {state.current, state.previous, state.candidate, self.running_version}
        folder = root / launch.VERSIONS_DIR
        for entry in folder.iterdir() if folder.is_dir() else ():
            if entry.name not in keep:
                shutil.rmtree(entry, ignore_errors=True)
        cache = root / "cache"
        for entry in cache.iterdir() if cache.is_dir() else ():
            version = entry.name.removeprefix("hwc-spoke-").split(".tar.gz")[0]
            if entry.name.endswith(".tar.gz") and version not in keep:
                entry.unlink(missing_ok=True)

    # -- the trial start -----------------------------------------------------------------------

    def mark_started(self) -> bool:
        """The login window is showing: a trial start of a new version worked (the dispatch
        then keeps it). Once per process; never raises."""
        trial = os.environ.get(launch.ENV_TRIAL)
        root = self.root()
        if self._marked or not trial or root is None:
            return False
        self._marked = True
        try:
            done = launch.mark_good(root, trial)
        except Exception:
            log.exception("could not mark version %s good", trial)
            return False
        if done:
            log.info("version %s started and is kept", trial)
        return done

    def status(self) -> UpdateStatus:
        root = self.root()
        staged: str | None = None
        if root is not None:
            try:
                staged = launch.read_state(root).candidate
            except launch.StateError:
                staged = None
        error = self._last_error
        return UpdateStatus(
            enabled=self._enabled,
            running_version=self.running_version,
            staged=staged,
            last_error_code=None if error is None else error[0],
            last_error=None if error is None else error[1],
        )
