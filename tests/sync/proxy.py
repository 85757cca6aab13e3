"""A fault-injecting TCP proxy on loopback, placed between a spoke and a real hub in tests.

Modes (``set_mode`` closes the connections already open, so the next request sees the new
mode on a fresh connection):
- ``pass_through()``: bytes flow untouched both ways;
- ``drop_responses(path_prefix, count)``: HTTP-aware. Each request is read whole, forwarded on
  its own upstream connection, and the hub's complete response is read; for the next ``count``
  requests whose path starts with ``path_prefix`` that response is then thrown away and the
  client's connection closed: "the hub committed, the answer was lost";
- ``reset_after(n)``: a raw pump that forwards the first ``n`` bytes a client sends on a
  connection, then resets both sides (RST): a link that dies every ``n`` bytes.

The hook (drop mode, so that it sees each request's method and path) is called at four
stages of every request: ``request`` before it goes to the hub, ``sent`` once the hub has all
of it but before its answer is read, ``answered`` once the hub's whole answer is in the
proxy's hands (a true return throws that answer away and closes the client's connection: the
hub committed and its answer was lost), and ``response`` after the answer reached the client.
An answer the hub never gave (it died) closes the client's connection at once rather than
leaving the client to its read timeout.

Threading: one accept thread plus one thread per client connection, all daemons; the mode and
counters are guarded by a lock; ``stop()`` closes every socket and joins the threads.
"""

from __future__ import annotations

import contextlib
import select
import socket
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass

_RECV = 65536


@dataclass(frozen=True)
class _Mode:
    kind: str = "pass"  # "pass" | "drop" | "reset"
    path_prefix: str = ""
    reset_after: int = 0


def _rst(sock: socket.socket) -> None:
    """Close with SO_LINGER 0: the peer sees ECONNRESET, not a clean end of stream."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(OSError):
        sock.close()


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(OSError):
        sock.close()


class FaultProxy:
    def __init__(
        self,
        target_host: str,
        target_port: int,
        *,
        hook: Callable[[str, str, str], bool | None] | None = None,
    ) -> None:
        # hook(stage, method, path) in drop mode; see the module docstring for the stages.
        self._hook = hook
        self._target = (target_host, target_port)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.port = int(self._listener.getsockname()[1])
        self._lock = threading.Lock()
        self._mode = _Mode()
        self._drops_left = 0
        self._live: set[socket.socket] = set()
        self._threads: list[threading.Thread] = []
        self._stopped = threading.Event()
        self.dropped = 0  # responses thrown away
        self.resets = 0  # connections reset by reset_after
        self.requests: list[tuple[str, str]] = []  # (method, path) seen in drop mode
        self._accepter = threading.Thread(target=self._accept_loop, name="proxy", daemon=True)
        self._accepter.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # -- modes -------------------------------------------------------------------------------

    def pass_through(self) -> None:
        self._set_mode(_Mode())

    def drop_responses(self, path_prefix: str, count: int = 1) -> None:
        with self._lock:
            self._drops_left = count
        self._set_mode(_Mode("drop", path_prefix=path_prefix))

    def reset_after(self, nbytes: int) -> None:
        self._set_mode(_Mode("reset", reset_after=nbytes))

    def _set_mode(self, mode: _Mode) -> None:
        with self._lock:
            self._mode = mode
            live, self._live = self._live, set()
        for sock in live:  # keep-alive connections would otherwise keep the old behaviour
            _close(sock)

    # -- lifecycle ---------------------------------------------------------------------------

    def stop(self) -> None:
        self._stopped.set()
        with contextlib.suppress(OSError):
            self._listener.close()
        with self._lock:
            live, self._live = self._live, set()
        for sock in live:
            _close(sock)
        self._accepter.join(5)
        for thread in list(self._threads):
            thread.join(5)

    def __enter__(self) -> FaultProxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- connections -------------------------------------------------------------------------

    def _accept_loop(self) -> None:
        while not self._stopped.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            client.settimeout(None)
            with self._lock:
                mode = self._mode
                self._live.add(client)
            thread = threading.Thread(
                target=self._serve, args=(client, mode), name="proxy-conn", daemon=True
            )
            self._threads.append(thread)
            thread.start()

    def _serve(self, client: socket.socket, mode: _Mode) -> None:
        try:
            if mode.kind == "drop":
                self._serve_http(client, mode)
            else:
                self._pump(client, mode.reset_after if mode.kind == "reset" else 0)
        except OSError:
            pass  # a peer went away; the test looks at what the spoke and the hub saw
        finally:
            with self._lock:
                self._live.discard(client)
            _close(client)

    def _pump(self, client: socket.socket, limit: int) -> None:
        upstream = socket.create_connection(self._target, timeout=10)
        upstream.settimeout(None)
        sent = 0
        try:
            while not self._stopped.is_set():
                readable, _, _ = select.select([client, upstream], [], [], 0.2)
                for sock in readable:
                    data = sock.recv(_RECV)
                    if not data:
                        return
                    if sock is upstream:
                        client.sendall(data)
                        continue
                    if limit and sent + len(data) >= limit:
                        upstream.sendall(data[: limit - sent])
                        with self._lock:
                            self.resets += 1
                        _rst(upstream)
                        _rst(client)
                        return
                    upstream.sendall(data)
                    sent += len(data)
        finally:
            _close(upstream)

    def _serve_http(self, client: socket.socket, mode: _Mode) -> None:
        buffer = b""
        while not self._stopped.is_set():
            request, buffer = _read_request(client, buffer)
            if request is None:
                return
            head, body = request
            request_line, _, header_block = head.partition(b"\r\n")
            method, path, _version = request_line.decode("latin-1").split(" ", 2)
            headers = [
                line
                for line in header_block.split(b"\r\n")
                if line and line.split(b":", 1)[0].strip().lower() not in (b"connection",)
            ]
            # One upstream connection per request, closed by the hub after its answer, so
            # "the full response" is simply everything up to the end of the stream.
            forwarded = b"\r\n".join([request_line, *headers, b"Connection: close", b"", b""])
            if self._hook is not None:
                self._hook("request", method, path)
            upstream = socket.create_connection(self._target, timeout=30)
            try:
                upstream.sendall(forwarded + body)
                if self._hook is not None:
                    self._hook("sent", method, path)
                response = _read_all(upstream)
            finally:
                _close(upstream)
            lost = self._hook is not None and bool(self._hook("answered", method, path))
            with self._lock:
                self.requests.append((method, path))
                drop = lost or (path.startswith(mode.path_prefix) and self._drops_left > 0)
                if drop:
                    if not lost:
                        self._drops_left -= 1
                    self.dropped += 1
            if drop or not response:
                return  # the caller closes the client socket: the answer never arrives
            client.sendall(response)
            if self._hook is not None:
                self._hook("response", method, path)


def _read_request(sock: socket.socket, buffer: bytes) -> tuple[tuple[bytes, bytes] | None, bytes]:
    """One HTTP/1.1 request (head without the blank line, body) from ``sock``; None at EOF."""
    while b"\r\n\r\n" not in buffer:
        data = sock.recv(_RECV)
        if not data:
            return None, b""
        buffer += data
    head, _, rest = buffer.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        lowered = name.strip().lower()
        if lowered == b"content-length":
            length = int(value.strip())
        elif lowered == b"transfer-encoding":
            raise ValueError("the proxy's drop mode expects Content-Length bodies")
    while len(rest) < length:
        data = sock.recv(_RECV)
        if not data:
            return None, b""
        rest += data
    return (head, rest[:length]), rest[length:]


def _read_all(sock: socket.socket) -> bytes:
    chunks: list[bytes] = []
    while True:
        data = sock.recv(_RECV)
        if not data:
            return b"".join(chunks)
        chunks.append(data)
