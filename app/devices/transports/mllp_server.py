"""A TCP listener for HL7 v2 over MLLP: bedside monitors connect to us and push messages.

Monitors are the TCP *client* (devices reference §3): they open a socket to a configured
IP and port, keep it open for hours, push one ORU^R01 per measurement and wait for an ACK
before sending the next. ``MllpServer`` accepts any number of such connections, runs one
``MllpFramer`` per connection (a message may arrive in many reads and one read may hold many
messages), hands every whole message to ``on_message`` and writes back the bytes it returns
(the MLLP-framed ACK). Garbage between blocks is dropped by the framer and never costs the
monitor its connection; idle connections are never timed out.

States: ERROR (with a sentence such as "port 2575 is already in use") while binding fails,
retried with backoff; CONNECTED "listening on host:port", repeated with the monitors connected
whenever one connects or leaves; DISCONNECTED "stopped" once ``stop`` has closed everything.

Threading: all socket work runs on the shared device loop (``transports.aio.shared_loop``).
``on_message`` and ``on_state`` are called on that loop's thread, so they must be quick and
must not block. ``start``, ``stop`` and ``port`` are safe from any thread; ``start`` returns at
once and ``stop`` waits at most its timeout.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import socket
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import CancelledError, Future
from concurrent.futures import TimeoutError as FutureTimeout

from app.devices.driver import ConnectionState
from app.devices.framing import MllpFramer
from app.devices.transports.aio import LoopThread, shared_loop

__all__ = ["MllpServer", "OnMessage", "OnState", "bind_error_text"]

log = logging.getLogger(__name__)

OnMessage = Callable[[bytes, tuple[str, int]], bytes | None]
OnState = Callable[[ConnectionState, str], None]

READ_SIZE = 64 * 1024
RETRY_DELAYS = (1.0, 2.0, 5.0, 10.0, 30.0)  # seconds between bind attempts; the last repeats
CLOSE_GRACE = 0.5  # seconds a closing client gets to flush before its socket is aborted


def bind_error_text(exc: OSError, host: str, port: int) -> str:
    """A sentence an operator can act on, for a failed bind of ``host:port``."""
    if isinstance(exc, socket.gaierror):
        return f"{host!r} is not a known address of this computer"
    code = exc.errno
    if code == errno.EADDRINUSE:
        return f"port {port} is already in use (another program is listening on it)"
    if code in (errno.EACCES, errno.EPERM):
        return f"not allowed to listen on port {port} (ports below 1024 need admin rights)"
    if code == errno.EADDRNOTAVAIL:
        return f"{host} is not an address of this computer (check the network settings)"
    reason = exc.strerror or str(exc) or type(exc).__name__
    return f"cannot listen on {host}:{port}: {reason}"


class MllpServer:
    def __init__(
        self,
        host: str,
        port: int,
        on_message: OnMessage,
        on_state: OnState,
        *,
        max_frame: int = 1 << 20,
        retry_delays: Sequence[float] = RETRY_DELAYS,
        loop: LoopThread | None = None,
    ) -> None:
        if not retry_delays:
            raise ValueError("retry_delays must not be empty")
        self.host = host
        self._requested_port = port
        self._on_message = on_message
        self._on_state = on_state
        self._max_frame = max_frame
        self._retry_delays = tuple(retry_delays)
        self._loop_thread = loop
        self._lock = threading.Lock()
        self._future: Future[None] | None = None
        self._stop_event: asyncio.Event | None = None
        self._bound_port: int | None = None
        self._stop_requested = False

    @property
    def port(self) -> int:
        """The bound port while listening (the real one when asked for port 0), else the
        requested one."""
        bound = self._bound_port
        return self._requested_port if bound is None else bound

    @property
    def listening(self) -> bool:
        return self._bound_port is not None

    def start(self) -> None:
        with self._lock:
            running = self._future is not None and not self._future.done()
            if running and not self._stop_requested:
                return
            # A stop still finishing: the new run waits for it, so the port is free again.
            previous = self._future if running else None
            self._stop_requested = False
            loop_thread = self._loop_thread or shared_loop()
            self._loop_thread = loop_thread
            # asyncio.Event binds to a loop on first wait (3.10+), so creating it here is safe;
            # it is only ever set through call_soon_threadsafe.
            stop_event = asyncio.Event()
            self._stop_event = stop_event
            self._future = loop_thread.submit(self._run(stop_event, previous))

    def stop(self, timeout: float = 2.0) -> None:
        with self._lock:
            self._stop_requested = True
            future, stop_event, loop_thread = self._future, self._stop_event, self._loop_thread
        if future is None or stop_event is None or loop_thread is None:
            return
        with contextlib.suppress(RuntimeError):  # the loop is already closed: nothing to stop
            loop_thread.loop.call_soon_threadsafe(stop_event.set)
        if loop_thread.in_loop_thread():
            return  # called from a callback: waiting here would deadlock the loop
        try:
            future.result(timeout)
        except (FutureTimeout, CancelledError):
            if not future.done():
                log.warning(
                    "MLLP listener on %s:%s did not stop in %.1f s", self.host, self.port, timeout
                )
        except Exception:
            log.exception("MLLP listener on %s:%s failed", self.host, self.port)

    # --- on the loop thread -----------------------------------------------------------------

    def _state(self, state: ConnectionState, detail: str) -> None:
        try:
            self._on_state(state, detail)
        except Exception:
            log.exception("on_state callback failed")

    def _announce(self, clients: _Clients) -> None:
        """CONNECTED with who is connected: "is the monitor talking to us?" is the first thing
        staff ask when no readings come."""
        if self._bound_port is None or clients.closing:
            return
        detail = f"listening on {self.host}:{self._bound_port}"
        hosts = sorted({host for host, _ in clients.peers.values()})
        if hosts:
            count = len(clients.peers)
            noun = "monitor" if count == 1 else "monitors"
            detail += f"; {count} {noun} connected ({', '.join(hosts)})"
        self._state(ConnectionState.CONNECTED, detail)

    async def _run(self, stop_event: asyncio.Event, previous: Future[None] | None) -> None:
        if previous is not None:
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await asyncio.wrap_future(previous)
        clients = _Clients()
        attempt = 0
        listener: socket.socket | None = None
        accepting: asyncio.Task[None] | None = None
        try:
            while not stop_event.is_set():
                try:
                    listener = await _listen(self.host, self._requested_port)
                    break
                except OSError as exc:
                    delay = self._retry_delays[min(attempt, len(self._retry_delays) - 1)]
                    attempt += 1
                    detail = bind_error_text(exc, self.host, self._requested_port)
                    log.warning("MLLP bind failed: %s (%s)", detail, exc)
                    self._state(ConnectionState.ERROR, f"{detail}; retrying in {delay:g} s")
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop_event.wait(), delay)
            if listener is None:
                return
            self._bound_port = int(listener.getsockname()[1])
            accepting = asyncio.create_task(self._accept(listener, clients))
            self._announce(clients)
            await stop_event.wait()
        finally:
            clients.closing = True  # from here on a connection that comes in is closed at once
            self._bound_port = None
            if listener is not None:
                await _stop_accepting(listener, accepting)
            await self._close_clients(clients)
            self._state(ConnectionState.DISCONNECTED, "stopped")

    async def _accept(self, listener: socket.socket, clients: _Clients) -> None:
        loop = asyncio.get_running_loop()
        while not clients.closing:
            try:
                conn, _ = await loop.sock_accept(listener)
            except OSError as exc:  # e.g. too many open files: keep the listener, try again
                log.warning("MLLP accept failed: %s", exc)
                await asyncio.sleep(0.5)
                continue
            if clients.closing:
                conn.close()
                return
            # Registered before it runs, so a stop can never miss a connection.
            clients.sockets[loop.create_task(self._serve_client(clients, conn))] = conn

    async def _close_clients(self, clients: _Clients) -> None:
        tasks = list(clients.sockets)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=CLOSE_GRACE * 2)
        for task, conn in clients.sockets.items():  # a client that would not close in time
            writer = clients.writers.get(task)
            if writer is not None:
                writer.transport.abort()
            else:
                conn.close()
        clients.sockets.clear()
        clients.writers.clear()
        clients.peers.clear()

    async def _serve_client(self, clients: _Clients, conn: socket.socket) -> None:
        task = asyncio.current_task()
        assert task is not None
        writer: asyncio.StreamWriter | None = None
        peer = _peer(conn)
        framer = MllpFramer(self._max_frame)
        try:
            reader, writer = await asyncio.open_connection(sock=conn, limit=READ_SIZE)
            clients.writers[task] = writer
            clients.peers[task] = peer
            log.info("monitor connected from %s:%s", *peer)
            self._announce(clients)
            while True:
                chunk = await reader.read(READ_SIZE)
                if not chunk:
                    break
                replies = [r for m in framer.feed(chunk) if (r := self._handle(m, peer))]
                if replies:
                    writer.write(b"".join(replies))
                    await writer.drain()  # a monitor that never reads its ACKs is slowed down
        except (ConnectionError, OSError) as exc:
            log.info("monitor %s:%s connection lost: %s", *peer, exc)
        finally:
            clients.sockets.pop(task, None)
            clients.writers.pop(task, None)
            if clients.peers.pop(task, None) is not None:
                log.info("monitor %s:%s left (%d stray bytes dropped)", *peer, framer.discarded)
                self._announce(clients)
            await _close(writer, conn)

    def _handle(self, message: bytes, peer: tuple[str, int]) -> bytes | None:
        try:
            return self._on_message(message, peer)
        except Exception:
            log.exception("on_message failed for a %d-byte message from %s:%s", len(message), *peer)
            return None


class _Clients:
    """The connections of one run of the listener; only touched on the loop thread."""

    def __init__(self) -> None:
        self.sockets: dict[asyncio.Task[None], socket.socket] = {}
        self.writers: dict[asyncio.Task[None], asyncio.StreamWriter] = {}
        self.peers: dict[asyncio.Task[None], tuple[str, int]] = {}
        self.closing = False


async def _listen(host: str, port: int) -> socket.socket:
    """A non-blocking listening socket on the first address ``host`` resolves to."""
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(
        host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )
    family, _, _, _, address = infos[0]
    # create_server sets SO_REUSEADDR on POSIX only, so a restart can rebind a port whose
    # old connections linger in TIME_WAIT, while Windows still refuses a port in real use.
    listener = socket.create_server(address, family=family, backlog=16)
    listener.setblocking(False)
    return listener


async def _stop_accepting(listener: socket.socket, accepting: asyncio.Task[None] | None) -> None:
    """Stop accepting without losing a connection accepted at the last moment.

    Cancelling a task whose ``sock_accept`` has just completed would drop the accepted socket
    unclosed (asyncio.Server.close has the same race). So on selector loops the listener's
    reader goes first: after one loop turn the accept task has either been resumed with its
    connection (and closed it, seeing ``closing``) or is still waiting and safe to cancel. The
    proactor loop (Windows) has no readers, and closes an accepted socket when cancelled.
    """
    loop = asyncio.get_running_loop()
    with contextlib.suppress(NotImplementedError, ValueError, OSError):
        loop.remove_reader(listener.fileno())
    await asyncio.sleep(0)
    if accepting is not None:
        accepting.cancel()
        await asyncio.wait({accepting})
    listener.close()  # connections still in the backlog are reset by the OS


async def _close(writer: asyncio.StreamWriter | None, conn: socket.socket) -> None:
    if writer is None:
        conn.close()
        return
    writer.close()
    try:
        await asyncio.wait_for(writer.wait_closed(), CLOSE_GRACE)
    except (Exception, asyncio.CancelledError):
        writer.transport.abort()  # unsent bytes to a peer that stopped reading


def _peer(conn: socket.socket) -> tuple[str, int]:
    try:
        info = conn.getpeername()
    except OSError:
        return "?", 0
    if isinstance(info, tuple) and len(info) >= 2:
        return str(info[0]), int(info[1])
    return str(info), 0
