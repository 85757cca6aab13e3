"""The log file and crash reports keep no patient data (app.logfile): real files, real
processes for the process-wide hooks."""

from __future__ import annotations

import logging
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from app import logfile
from app.domain.errors import DomainError

ROOT = Path(__file__).resolve().parents[1]
NAME = "Sunita Kumari"
PHONE = "9876543210"


def _fail_with_patient_data() -> None:
    try:
        {}[PHONE]
    except KeyError as exc:
        raise ValueError(f"cannot match {NAME}") from exc


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[Path]:
    root = logging.getLogger()
    before = list(root.handlers)
    path = logfile.setup(tmp_path)
    yield path
    for handler in root.handlers[len(before) :]:
        handler.close()
        root.removeHandler(handler)


def test_an_exception_report_keeps_the_traceback_but_not_the_message(log_file: Path) -> None:
    try:
        _fail_with_patient_data()
    except ValueError:
        logging.getLogger("hwc_spoke.test").exception("matching failed")
    text = log_file.read_text(encoding="utf-8")
    assert "matching failed" in text
    assert "_fail_with_patient_data" in text  # where it happened
    assert "builtins.ValueError: " + logfile.WITHHELD in text
    assert "builtins.KeyError: " + logfile.WITHHELD in text  # the chain, too
    assert "caused by" in text
    assert NAME not in text and PHONE not in text


def test_codes_errno_and_sqlite_messages_are_kept() -> None:
    coded = DomainError("patient.name_required", f"Enter the name ({NAME}).")
    assert logfile.safe_message(coded) == "code patient.name_required"
    missing = FileNotFoundError(2, "No such file or directory", f"/x/{NAME}.jpg")
    assert logfile.safe_message(missing) == "errno 2: No such file or directory"
    import sqlite3

    with sqlite3.connect(":memory:") as db:
        db.execute("CREATE TABLE t (x UNIQUE)")
        db.execute("INSERT INTO t VALUES (?)", [NAME])
        with pytest.raises(sqlite3.IntegrityError) as err:
            db.execute("INSERT INTO t VALUES (?)", [NAME])
    assert logfile.safe_message(err.value) == "UNIQUE constraint failed: t.x"


CRASH = textwrap.dedent(
    f"""
    import sys, threading
    from pathlib import Path
    from app import logfile
    logfile.setup(Path(sys.argv[1]))
    logfile.install_crash_handler()
    def worker():
        raise RuntimeError("{NAME} on a thread")
    t = threading.Thread(target=worker, name="device-reader")
    t.start(); t.join()
    raise LookupError("{PHONE} in the main thread")
    """
)


def test_a_crash_on_any_thread_is_reported_in_the_log_without_patient_data(
    tmp_path: Path,
) -> None:
    done = subprocess.run(
        [sys.executable, "-c", CRASH, str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert "details are in the log" in done.stderr
    assert NAME not in done.stderr and PHONE not in done.stderr
    text = (tmp_path / "logs" / logfile.FILE_NAME).read_text(encoding="utf-8")
    assert "CRITICAL" in text
    assert "on thread device-reader" in text and "builtins.RuntimeError" in text
    assert "builtins.LookupError" in text
    assert NAME not in text and PHONE not in text
