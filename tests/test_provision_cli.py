"""``python main.py provision FILE`` as field IT runs it, in a real subprocess against a real
hub over loopback HTTPS: a mistyped token is refused and nothing is written; on a new PC the
file is saved owner-only for the first sign-in; on a PC whose database opens, it enrols at
once (0), keeps the token when the hub is down (1), and refuses a used token (2)."""

from __future__ import annotations

import json
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.services import provisioning
from app.services.container import Services
from tests.cli import run_main
from tests.tls_hub import TlsHub, running_tls_hub

USER, PASSWORD = "admin", "admin-pass-1"


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[TlsHub]:
    with running_tls_hub(tmp_path) as running:
        yield running


@pytest.fixture
def clinic(tmp_path: Path) -> Path:
    """A clinic PC after its first sign-in: encrypted, with an administrator, closed."""
    data_dir = tmp_path / "clinic"
    with Services.open(data_dir, encrypted=True, password_log_n=4) as services:
        services.auth.create_first_admin(USER, "Field IT", PASSWORD)
        services.keys.recovery_key_shown()  # type: ignore[union-attr]
    return data_dir


def provision(source: Path, data_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return run_main("provision", str(source), "--data-dir", str(data_dir), **env)


def ini(path: Path, token: str) -> Path:
    path.write_text(f"[enrolment]\ntoken = {token}\n", encoding="utf-8")
    return path


def test_a_mistyped_token_is_refused_and_nothing_is_written(hub: TlsHub, tmp_path: Path) -> None:
    token = hub.token()
    mistyped = token[:-1] + ("0" if token[-1] != "0" else "1")
    data_dir = tmp_path / "new-pc"

    result = provision(ini(tmp_path / "p.ini", mistyped), data_dir)

    assert result.returncode == 2
    assert "mistyped" in result.stderr and "Traceback" not in result.stderr
    assert not data_dir.exists()


def test_a_new_pc_gets_the_file_owner_only_for_its_first_sign_in(
    hub: TlsHub, tmp_path: Path
) -> None:
    token = hub.token()
    data_dir = tmp_path / "new-pc"

    result = provision(ini(tmp_path / "p.ini", token), data_dir)

    assert result.returncode == 1, result.stderr
    assert "next sign-in" in result.stdout
    saved = data_dir / provisioning.FILE_NAME
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    assert provisioning.read(saved).url == hub.url
    assert not (data_dir / "spoke.sqlite3").exists()  # the first administrator makes it
    assert len(hub.store.stats()["per_spoke"]) == 0


def test_an_open_database_enrols_at_once_or_keeps_the_token_and_a_used_one_is_refused(
    hub: TlsHub, clinic: Path, tmp_path: Path
) -> None:
    creds = {"HWC_SPOKE_USER": USER, "HWC_SPOKE_PASSWORD": PASSWORD}
    token = hub.token("HWC Kheri")
    source = ini(tmp_path / "p.ini", token)

    locked = provision(source, clinic)  # no credentials: saved for the next sign-in
    assert locked.returncode == 1 and (clinic / provisioning.FILE_NAME).exists()

    hub.server.stop()
    down = provision(source, clinic, **creds)
    assert down.returncode == 1, down.stderr
    assert "tries again by itself" in down.stdout
    assert not (clinic / provisioning.FILE_NAME).exists()  # in the encrypted database now

    hub.restart()
    done = provision(source, clinic, **creds)
    assert done.returncode == 0, done.stderr
    assert f"Enrolled with the hub at {hub.url}" in done.stdout
    assert len(hub.store.stats()["per_spoke"]) == 1

    other = tmp_path / "other-clinic"
    with Services.open(other, encrypted=True, password_log_n=4) as services:
        services.auth.create_first_admin(USER, "Field IT", PASSWORD)
    refused = provision(source, other, **creds)
    assert refused.returncode == 2
    assert "used" in refused.stderr
    assert len(hub.store.stats()["per_spoke"]) == 1


def test_sync_once_takes_the_installers_file_and_enrols_first(
    hub: TlsHub, clinic: Path, tmp_path: Path
) -> None:
    (tmp_path / "programdata").mkdir()
    installer_file = ini(tmp_path / "programdata" / provisioning.FILE_NAME, hub.token())
    result = run_main(
        "sync",
        "--once",
        "--data-dir",
        str(clinic),
        **{
            provisioning.ENV_VAR: str(installer_file),
            "HWC_SPOKE_USER": USER,
            "HWC_SPOKE_PASSWORD": PASSWORD,
        },
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["ok"]
    assert not installer_file.exists()
    assert len(hub.store.stats()["per_spoke"]) == 1
