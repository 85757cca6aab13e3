"""``main.py audit verify`` and ``audit show`` on a real data folder: exit 0 and "intact" for
an untouched trail, exit 1 and where it breaks for an edited or deleted entry."""

from __future__ import annotations

import sqlite3
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

from app.domain.ids import UserId
from app.domain.models import Role, User
from app.services.container import DB_FILE
from app.store import audit
from app.store.db import Store
from tests.cli import run_main

T0 = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
ASHA = User(UserId("u-asha"), "asha", "Asha Verma", Role.PARAMEDIC, "scrypt$x", created_at=T0)


def run(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    return run_main("audit", *args, "--data-dir", str(data_dir))


def make_folder(tmp_path: Path, entries: int = 4) -> Path:
    data_dir = tmp_path / "clinic"
    with Store.open(data_dir / DB_FILE) as store:
        audit.record(store, ASHA, audit.Action.LOGIN, now=T0)
        for i in range(1, entries):
            audit.record(
                store, ASHA, audit.Action.VIEW, "patient", f"p-{i}", now=T0 + timedelta(minutes=i)
            )
    return data_dir


def tamper(data_dir: Path, sql: str) -> None:
    conn = sqlite3.connect(data_dir / DB_FILE)
    try:
        conn.execute("DROP TRIGGER audit_log_no_update")
        conn.execute("DROP TRIGGER audit_log_no_delete")
        conn.execute(sql)
        conn.commit()
    finally:
        conn.close()


def test_an_intact_trail(tmp_path: Path) -> None:
    data_dir = make_folder(tmp_path)
    result = run("verify", data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "intact: 4 entries, last at 2026-11-25T09:33:00+00:00"


def test_an_edited_entry(tmp_path: Path) -> None:
    data_dir = make_folder(tmp_path)
    tamper(data_dir, "UPDATE audit_log SET actor_id = 'u-someone' WHERE seq = 2")
    result = run("verify", data_dir=data_dir)
    assert result.returncode == 1
    assert result.stdout.splitlines()[0] == "BROKEN at entry 2: edited"


def test_a_deleted_entry(tmp_path: Path) -> None:
    data_dir = make_folder(tmp_path)
    tamper(data_dir, "DELETE FROM audit_log WHERE seq = 3")
    result = run("verify", data_dir=data_dir)
    assert result.returncode == 1
    assert result.stdout.splitlines()[0] == "BROKEN at entry 3: missing"


def test_show_lists_the_newest_entries_oldest_first(tmp_path: Path) -> None:
    data_dir = make_folder(tmp_path)
    result = run("show", "--last", "2", data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].split()[:3] == ["3", "2026-11-25T09:32:00+00:00", "view"]
    assert "p-3" in lines[1] and "u-asha (paramedic)" in lines[1]


def test_no_database_is_exit_2_and_creates_nothing(tmp_path: Path) -> None:
    nowhere = tmp_path / "none"
    result = run("verify", data_dir=nowhere)
    assert result.returncode == 2
    assert not nowhere.exists()
