"""The data folder's log file and crash reports, kept free of patient data.

The log is plaintext (field IT read it, and a support bundle carries it), so nothing a
patient could be recognised by may reach it. The code's own log calls name records by id and
errors by code (STYLE). What this module adds is the other way in: an exception's text. An
uncoded exception's message can quote whatever value it failed on (a ``ValueError`` about a
name, a ``KeyError`` holding a phone number), so exception reports in the log keep the
exception's type, its traceback (file, line, function and source line: code, never data) and
its chain, but not that message. Kept: the code of a coded error (``DomainError``,
``StoreError``, anything with a string ``code``), an ``OSError``'s errno and description
(the file names it mentions are ids or HMACs), and SQLite's own messages (they name tables
and constraints, never values).

``install_crash_handler`` sends exceptions nobody caught (on the main thread, in a Qt slot,
on any other thread) to the same log as a ``CRITICAL`` crash report in that form, so a crash
leaves a trace field IT can send without leaking anything.

Threading: logging is thread-safe; install once per process at start-up.
"""

from __future__ import annotations

import logging
import logging.handlers
import sys
import threading
import traceback
from pathlib import Path
from types import TracebackType

FILE_NAME = "spoke.log"
MAX_BYTES = 2_000_000
BACKUPS = 5
WITHHELD = "(message withheld: it may hold patient data)"
_SQLITE_MODULES = ("sqlite3", "sqlcipher3")
log = logging.getLogger("hwc_spoke.crash")


def safe_message(exc: BaseException) -> str:
    """What of ``exc``'s text may go into the log."""
    code = getattr(exc, "code", None)
    if isinstance(code, str) and code:
        return f"code {code}"
    if isinstance(exc, OSError):
        return f"errno {exc.errno}: {exc.strerror}" if exc.errno else WITHHELD
    if type(exc).__module__.split(".")[0] in _SQLITE_MODULES:
        return str(exc)
    return WITHHELD


def format_exception(exc: BaseException) -> str:
    """A traceback like Python's, chain included, with each message through
    ``safe_message``."""
    chain: list[tuple[BaseException, str]] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    link = ""
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append((current, link))
        if current.__cause__ is not None:
            current, link = current.__cause__, "The exception above was caused by this one:"
        elif current.__context__ is not None and not current.__suppress_context__:
            current, link = current.__context__, "The exception above happened while handling:"
        else:
            current = None
    parts = []
    for item, how in reversed(chain):
        kind = type(item)
        text = "".join(traceback.format_tb(item.__traceback__))
        parts.append(
            "Traceback (most recent call last):\n"
            f"{text}{kind.__module__}.{kind.__qualname__}: {safe_message(item)}"
        )
        if how:
            parts.append(how)
    return "\n".join(parts)


class SafeFormatter(logging.Formatter):
    """The log's formatter: exception reports through ``format_exception``."""

    def format(self, record: logging.LogRecord) -> str:
        # logging caches the first handler's exception text on the record (pytest's, a
        # console's): this file always writes its own.
        cached = record.exc_text
        record.exc_text = None
        try:
            return super().format(record)
        finally:
            record.exc_text = cached

    def formatException(self, ei: object) -> str:
        exc = ei[1] if isinstance(ei, tuple) and len(ei) == 3 else None
        if isinstance(exc, BaseException):
            return format_exception(exc)
        return WITHHELD


def setup(data_dir: Path, *, verbose: bool = False) -> Path:
    """One rotating log file per data folder (``logs/spoke.log``); returns its path."""
    log_dir = data_dir / "logs"
    log_dir.mkdir(exist_ok=True)
    path = log_dir / FILE_NAME
    handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8"
    )
    formatter = SafeFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    root.addHandler(handler)
    if verbose:
        console = logging.StreamHandler()
        console.setFormatter(formatter)
        root.addHandler(console)
    for noisy in ("PIL", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return path


def install_crash_handler() -> None:
    """Uncaught exceptions (any thread, Qt slots included) become crash reports in the log;
    Ctrl+C still ends a command as before."""
    previous = sys.excepthook

    def on_uncaught(
        kind: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        if issubclass(kind, KeyboardInterrupt):
            previous(kind, exc, tb)
            return
        log.critical("crash: an error nobody handled", exc_info=(kind, exc, tb))
        print(
            f"HWC Spoke: an unexpected error ({kind.__qualname__}); details are in the log.",
            file=sys.stderr,
        )

    def on_thread(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None or isinstance(args.exc_value, SystemExit):
            return
        name = args.thread.name if args.thread is not None else "?"
        log.critical(
            "crash: an error nobody handled on thread %s",
            name,
            exc_info=(args.exc_type, args.exc_value, args.exc_traceback),
        )

    sys.excepthook = on_uncaught
    threading.excepthook = on_thread
