"""Running the hub app under uvicorn: in the foreground (``serve``) or in a thread (tests, demo).

One process, one event loop; store calls run in the loop's thread pool (see ``hub.app``).
HTTPS by default, with the identity ``hub.tls`` gives (the hub's own CA, or the operator's
certificate). The key reaches uvicorn as a file in a private temporary folder that exists only
until the server has loaded it.
"""

from __future__ import annotations

import contextlib
import signal
import socket
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

import uvicorn
from starlette.types import ASGIApp

from hub import tls
from hub.app import create_app
from hub.storage import HubStore, open_store

DEFAULT_BIND = "0.0.0.0:8765"  # spokes come from the network; HTTPS guards the way
_WILDCARDS = frozenset({"0.0.0.0", "::", ""})
# Seconds uvicorn gives open requests to finish after a stop before it cancels them.
GRACEFUL_SECONDS = 5


def parse_bind(bind: str) -> tuple[str, int]:
    """``HOST:PORT`` (``[::1]:8765`` for IPv6) -> (host, port); ValueError when malformed."""
    host, sep, port_text = bind.rpartition(":")
    if not sep or not host or not port_text.isdigit() or not 0 <= int(port_text) <= 65535:
        raise ValueError(f"bind address must be HOST:PORT, not {bind!r}")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    return host, int(port_text)


def _config(
    app: ASGIApp,
    host: str,
    port: int,
    *,
    identity: tls.HubIdentity | None,
    configure_logging: bool,
) -> uvicorn.Config:
    """uvicorn's configuration, loaded (the TLS key read from its file, which is gone again
    when this returns)."""
    if identity is None:
        config = _uvicorn_config(app, host, port, None, None, configure_logging)
        config.load()
        return config
    with tls.files_for(identity) as (certfile, keyfile):
        config = _uvicorn_config(app, host, port, certfile, keyfile, configure_logging)
        config.load()
    return config


def _uvicorn_config(
    app: ASGIApp,
    host: str,
    port: int,
    ssl_certfile: Path | None,
    ssl_keyfile: Path | None,
    configure_logging: bool,
) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        lifespan="off",  # the app has no startup work; the caller owns the store
        # In a thread (tests, demo) the host process owns logging: uvicorn must not replace it.
        log_config=uvicorn.config.LOGGING_CONFIG if configure_logging else None,
        access_log=configure_logging,
        server_header=False,
        proxy_headers=False,  # the hub faces spokes directly; no proxy's headers are trusted
        timeout_graceful_shutdown=GRACEFUL_SECONDS,
        ssl_certfile=ssl_certfile,
        ssl_keyfile=ssl_keyfile,
    )


def _ignore_signal(signum: int, frame: FrameType | None) -> None:
    """Stands under uvicorn's handlers in ``serve`` (see ``_signals_end_serving``)."""


@contextlib.contextmanager
def _signals_end_serving() -> Iterator[None]:
    """Make SIGINT/SIGTERM end ``serve`` by returning, after a graceful shutdown.

    uvicorn catches these signals itself, shuts down gracefully, and then raises the signal
    again for the handler that was there before it. With Python's defaults that is a
    KeyboardInterrupt traceback (SIGINT) or an abrupt death (SIGTERM), both before the store is
    closed; a no-op handler underneath lets ``serve`` return and close the store instead.
    """
    if threading.current_thread() is not threading.main_thread():
        yield  # signals only reach the main thread; uvicorn does not install handlers here
        return
    previous = {sig: signal.signal(sig, _ignore_signal) for sig in uvicorn.server.HANDLED_SIGNALS}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def public_address(bind_host: str, port: int, address: str | None = None) -> str:
    """``HOST:PORT`` that spokes reach the hub at: ``address`` when the operator gave one, the
    bind host when it is a real address, else this machine's main address."""
    if address:
        return address
    host = bind_host
    if host in _WILDCARDS:
        host = tls.main_address() or socket.gethostname()
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def hub_identity(
    store: HubStore,
    address: str,
    *,
    names: Sequence[str] = (),
    cert_file: Path | None = None,
    key_file: Path | None = None,
) -> tls.HubIdentity:
    """The identity to serve with (the operator's files, else the hub's own CA with a server
    certificate for this machine's names, ``address`` and ``names``); ``address`` is recorded
    as the one enrolment tokens carry."""
    store.meta_put(tls.KEY_PUBLIC_ADDRESS, address)
    if cert_file is not None and key_file is not None:
        return tls.operator_identity(store, cert_file, key_file)
    host = address.rpartition(":")[0].strip("[]")
    return tls.own_identity(store, tls.this_machines_names(host, *names))


def serve(
    store_url: str,
    bind: str = DEFAULT_BIND,
    *,
    name: str = "HWC Hub",
    address: str | None = None,
    names: Sequence[str] = (),
    cert_file: Path | None = None,
    key_file: Path | None = None,
    insecure_http: bool = False,
    updates_dir: Path | None = None,
) -> None:
    """Open (and migrate) the store at ``store_url`` and serve it until SIGINT/SIGTERM.
    ``updates_dir``: also serve that update repository at ``/v1/updates/`` (docs/UPDATES.md).

    HTTPS unless ``insecure_http`` (see ``hub_identity``). Blocks in the calling (main)
    thread; uvicorn installs its own signal handlers there and shuts down gracefully, then
    ``serve`` returns. The store is closed on the way out, also after a failure.
    """
    host, port = parse_bind(bind)
    store = open_store(store_url)
    try:
        identity = None
        if not insecure_http:
            identity = hub_identity(
                store,
                public_address(host, port, address),
                names=names,
                cert_file=cert_file,
                key_file=key_file,
            )
        app = create_app(store, name=name, updates_dir=updates_dir)
        config = _config(app, host, port, identity=identity, configure_logging=True)
        with _signals_end_serving():
            uvicorn.Server(config).run()
    finally:
        store.close()


@dataclass
class RunningHub:
    """A hub serving from a background thread; ``stop()`` (or leaving ``with``) ends it."""

    url: str
    host: str
    port: int
    _server: uvicorn.Server = field(repr=False)
    _thread: threading.Thread = field(repr=False)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop accepting, let open requests finish (bounded), and join the thread.

        uvicorn looks at ``should_exit`` every 0.1 s; an idle hub stops in well under a second.
        If the thread is still alive after ``timeout`` it is told to drop open requests, and
        RuntimeError says that it did not stop.
        """
        self._server.should_exit = True
        self._thread.join(timeout)
        if self._thread.is_alive():
            self._server.force_exit = True
            self._thread.join(2.0)
            if self._thread.is_alive():
                raise RuntimeError(f"the hub at {self.url} did not stop within {timeout} s")

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def __enter__(self) -> RunningHub:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_in_thread(
    app: ASGIApp,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    identity: tls.HubIdentity | None = None,
    startup_timeout: float = 10.0,
) -> RunningHub:
    """Serve ``app`` from a daemon thread (HTTPS with ``identity``, else plain HTTP); return
    once it accepts connections.

    The listening socket is bound here, before the thread starts, so ``port=0`` gets a free
    port that is known at once (no race to discover it) and a bind error is raised in the
    caller's thread. uvicorn leaves signal handlers alone outside the main thread.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.create_server((host, port), family=family)
    try:
        bound_port = int(sock.getsockname()[1])
        config = _config(app, host, bound_port, identity=identity, configure_logging=False)
        server = uvicorn.Server(config)
        thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name=f"hub:{bound_port}", daemon=True
        )
        thread.start()
    except BaseException:
        sock.close()
        raise
    deadline = time.monotonic() + startup_timeout
    while not server.started:
        if not thread.is_alive():
            sock.close()
            raise RuntimeError("the hub thread ended during startup")
        if time.monotonic() > deadline:
            server.should_exit = True
            thread.join(GRACEFUL_SECONDS)
            sock.close()
            raise RuntimeError(f"the hub did not start within {startup_timeout} s")
        time.sleep(0.01)  # polling a flag uvicorn sets; there is no event to wait on
    scheme = "https" if identity else "http"
    url_host = f"[{host}]" if family == socket.AF_INET6 else host
    return RunningHub(f"{scheme}://{url_host}:{bound_port}", host, bound_port, server, thread)
