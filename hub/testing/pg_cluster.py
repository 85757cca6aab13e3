"""A private, throwaway PostgreSQL cluster for tests and benchmarks.

``PgCluster.start()`` runs ``initdb`` into a new temporary folder and starts a server on a free
port of 127.0.0.1, with its unix socket in that same folder; ``stop()`` stops it (``pg_ctl stop
-m fast``) and deletes the folder. It never touches another server: it only ever talks to the
data directory it created. Trust authentication is safe enough for a cluster that lives in a
private folder for the length of a test run and holds only test data.

``initdb`` refuses to run as root, so as root (CI) every server command runs as the
``postgres`` OS user through ``runuser`` and the folder is handed to that user.

``fast=True`` (tests) turns off fsync and synchronous commit: a crash loses nothing a test
needs. Benchmarks pass ``fast=False`` to measure with the durability a hub really runs with.

Not thread-safe: start and stop from one thread; connections to the cluster are the caller's.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import re
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Final

_SEARCH: Final = "/usr/lib/postgresql/*/bin"
_SERVER_USER: Final = "postgres"  # the OS user servers run as when we are root
_DB_NAME_RE: Final = re.compile(r"[a-z_][a-z0-9_]{0,62}")


class PgClusterError(RuntimeError):
    """The cluster could not be created, started or stopped (the message says why)."""


def find_bindir() -> Path | None:
    """The newest PostgreSQL server ``bin`` folder (with initdb and pg_ctl), or None.

    ``HWC_PG_BINDIR`` overrides the search; then ``/usr/lib/postgresql/*/bin`` (Debian and
    Ubuntu), then the ``PATH``.
    """
    candidates: list[Path] = []
    if os.environ.get("HWC_PG_BINDIR"):
        candidates.append(Path(os.environ["HWC_PG_BINDIR"]))

    def version(path: Path) -> tuple[int, ...]:
        digits = re.findall(r"\d+", path.parent.name)
        return tuple(int(d) for d in digits)

    candidates += sorted(Path("/").glob(_SEARCH.lstrip("/")), key=version, reverse=True)
    on_path = shutil.which("pg_ctl")
    if on_path:
        candidates.append(Path(on_path).resolve().parent)
    for folder in candidates:
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class PgCluster:
    """One running private cluster; see the module docstring. Use ``start()``."""

    def __init__(self, root: Path, bindir: Path, port: int, run_as: str | None) -> None:
        self.root = root
        self.bindir = bindir
        self.port = port
        self.run_as = run_as
        self._running = False

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        return self.root

    # -- start and stop ------------------------------------------------------------------

    @classmethod
    def start(cls, *, fast: bool = True, bindir: Path | None = None) -> PgCluster:
        """Create and start a cluster; ``PgClusterError`` when that is impossible."""
        bindir = bindir or find_bindir()
        if bindir is None:
            raise PgClusterError(
                f"no PostgreSQL server binaries (initdb, pg_ctl) under {_SEARCH} or on PATH; "
                "install them (Debian: apt-get install postgresql) or set HWC_PG_BINDIR"
            )
        run_as = _SERVER_USER if os.geteuid() == 0 else None
        root = Path(tempfile.mkdtemp(prefix="hwc-pg-"))
        cluster = cls(root, bindir, 0, run_as)
        try:
            if run_as is not None:
                cluster._hand_over(root)
            cluster._initdb(fast=fast)
            cluster._start_server()
        except BaseException:
            cluster._remove()
            raise
        atexit.register(cluster.stop)  # a last resort if the caller never gets to stop()
        return cluster

    def _hand_over(self, folder: Path) -> None:
        import pwd

        try:
            user = pwd.getpwnam(_SERVER_USER)
        except KeyError:
            raise PgClusterError(
                f"running as root, and there is no {_SERVER_USER!r} OS user to run the "
                "server as (initdb refuses root); install the postgresql package"
            ) from None
        os.chown(folder, user.pw_uid, user.pw_gid)

    def _run(self, args: Sequence[str], *, what: str, timeout: float = 60.0) -> str:
        cmd = list(args)
        if self.run_as is not None:
            cmd = ["runuser", "-u", self.run_as, "--", *cmd]
        try:
            done = subprocess.run(
                cmd, capture_output=True, text=True, timeout=timeout, cwd=self.root, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise PgClusterError(f"{what} failed: {exc}") from exc
        if done.returncode != 0:
            raise PgClusterError(
                f"{what} failed (exit {done.returncode}):\n{done.stdout}\n{done.stderr}"
                + self._log_tail()
            )
        return done.stdout

    def _initdb(self, *, fast: bool) -> None:
        self._run(
            [
                str(self.bindir / "initdb"),
                "-D", str(self.data),
                "-U", "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C",
                *(["--no-sync"] if fast else []),
            ],
            what="initdb",
        )  # fmt: skip
        settings = [
            "listen_addresses = '127.0.0.1'",
            f"unix_socket_directories = '{self.socket_dir}'",
            "max_connections = 100",
            "logging_collector = off",
        ]
        if fast:
            settings += ["fsync = off", "synchronous_commit = off", "full_page_writes = off"]
        conf = self.data / "postgresql.conf"
        # initdb made the file as the server user; appending as root keeps its owner.
        with conf.open("a", encoding="utf-8") as f:
            f.write("\n# hwc private test cluster\n" + "\n".join(settings) + "\n")

    def _start_server(self) -> None:
        # The free port can be taken between the probe and the bind: try a few.
        last: PgClusterError | None = None
        for _ in range(5):
            self.port = _free_port()
            try:
                self._run(
                    [
                        str(self.bindir / "pg_ctl"), "-D", str(self.data),
                        "-l", str(self.root / "server.log"),
                        "-o", f"-p {self.port}",
                        "-w", "-t", "60", "start",
                    ],
                    what="pg_ctl start",
                    timeout=90.0,
                )  # fmt: skip
            except PgClusterError as exc:
                last = exc
                if "could not bind" in str(exc) or "Address already in use" in str(exc):
                    continue
                raise
            self._running = True
            return
        assert last is not None
        raise last

    def stop(self) -> None:
        """Stop the server (fast shutdown) and delete its folder. Idempotent."""
        if self._running:
            self._running = False
            try:
                self._run(
                    [str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w",
                     "-t", "60", "stop"],
                    what="pg_ctl stop",
                    timeout=90.0,
                )  # fmt: skip
            finally:
                self._remove()
        else:
            self._remove()
        atexit.unregister(self.stop)

    def _remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def _log_tail(self) -> str:
        with contextlib.suppress(OSError):
            lines = (self.root / "server.log").read_text(errors="replace").splitlines()
            return "\n--- server.log ---\n" + "\n".join(lines[-20:])
        return ""

    def __enter__(self) -> PgCluster:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- databases -----------------------------------------------------------------------

    def dsn(self, dbname: str = "postgres") -> str:
        """A libpq URL for ``dbname`` over the private unix socket."""
        return f"postgresql://postgres@/{dbname}?host={self.socket_dir}&port={self.port}"

    def create_database(self, name: str) -> str:
        """Create an empty database; returns its DSN."""
        self._admin(f"CREATE DATABASE {_db_name(name)} TEMPLATE template0")
        return self.dsn(name)

    def drop_database(self, name: str) -> None:
        """Drop a database, ending any session still connected to it."""
        self._admin(f"DROP DATABASE IF EXISTS {_db_name(name)} WITH (FORCE)")

    def _admin(self, statement: str) -> None:
        import psycopg

        with psycopg.connect(self.dsn(), autocommit=True) as conn:
            conn.execute(statement.encode())


def _db_name(name: str) -> str:
    if not _DB_NAME_RE.fullmatch(name):
        raise ValueError(f"not a plain database name: {name!r}")
    return name
