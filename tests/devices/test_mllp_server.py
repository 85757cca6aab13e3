"""MllpServer over real TCP on 127.0.0.1 (port 0 only): framing across reads, ACK write-back,
several monitors at once, garbage, bind failure and retry, and shutdown closing clients.

Waits poll with a deadline; nothing asserts on elapsed time.
"""

from __future__ import annotations

import errno
import socket
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from app.devices.driver import ConnectionState
from app.devices.framing import MllpFramer, mllp_wrap
from app.devices.transports.mllp_server import MllpServer, bind_error_text
from tests.polling import wait_until

DEADLINE = 5.0
CONNECTED, DISCONNECTED = ConnectionState.CONNECTED, ConnectionState.DISCONNECTED


class Recorder:
    """on_message / on_state for the server: records, and answers ``ACK:<message>``."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.messages: list[tuple[bytes, tuple[str, int]]] = []
        self.states: list[tuple[ConnectionState, str]] = []
        self.raise_on: bytes | None = None

    def on_message(self, message: bytes, peer: tuple[str, int]) -> bytes | None:
        with self.lock:
            self.messages.append((message, peer))
        if message == self.raise_on:
            raise RuntimeError("callback bug")
        if message.startswith(b"NOREPLY"):
            return None
        return mllp_wrap(b"ACK:" + message)

    def on_state(self, state: ConnectionState, detail: str) -> None:
        with self.lock:
            self.states.append((state, detail))

    def bodies(self) -> list[bytes]:
        with self.lock:
            return [m for m, _ in self.messages]

    def has_state(self, state: ConnectionState, text: str = "") -> bool:
        with self.lock:
            return any(s is state and text in d for s, d in self.states)


class Client:
    """A blocking MLLP client on loopback that collects the framed replies it receives."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=DEADLINE)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.framer = MllpFramer()
        self.replies: list[bytes] = []

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def replies_after(self, n: int) -> list[bytes]:
        """Read until ``n`` replies in all have arrived (or the deadline passes)."""
        end = time.monotonic() + DEADLINE
        while len(self.replies) < n and time.monotonic() < end:
            self.sock.settimeout(max(0.01, end - time.monotonic()))
            try:
                chunk = self.sock.recv(4096)
            except TimeoutError:
                break
            if not chunk:
                break
            self.replies.extend(self.framer.feed(chunk))
        return self.replies

    def sees_eof(self) -> bool:
        self.sock.settimeout(DEADLINE)
        try:
            while True:
                chunk = self.sock.recv(4096)
                if not chunk:
                    return True
        except ConnectionResetError:
            return True
        except TimeoutError:
            return False

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def rec() -> Recorder:
    return Recorder()


@pytest.fixture
def server(rec: Recorder) -> Iterator[MllpServer]:
    srv = MllpServer("127.0.0.1", 0, rec.on_message, rec.on_state, retry_delays=(0.05,))
    srv.start()
    assert wait_until(lambda: srv.listening), rec.states
    yield srv
    srv.stop(timeout=DEADLINE)


@pytest.fixture
def connect(server: MllpServer) -> Iterator[Callable[[], Client]]:
    clients: list[Client] = []

    def make() -> Client:
        client = Client(server.port)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


def test_listening_state_and_real_port(server: MllpServer, rec: Recorder) -> None:
    assert server.port != 0
    assert rec.has_state(ConnectionState.CONNECTED, f"listening on 127.0.0.1:{server.port}")


def test_message_in_one_byte_chunks(connect: Callable[[], Client], rec: Recorder) -> None:
    client = connect()
    for byte in mllp_wrap(b"MSH|one\rPID|x\r"):
        client.send(bytes((byte,)))
    assert client.replies_after(1) == [b"ACK:MSH|one\rPID|x\r"]
    assert rec.bodies() == [b"MSH|one\rPID|x\r"]
    peer = rec.messages[0][1]
    assert peer[0] == "127.0.0.1" and peer[1] == client.sock.getsockname()[1]


def test_two_messages_in_one_send(connect: Callable[[], Client], rec: Recorder) -> None:
    client = connect()
    client.send(mllp_wrap(b"first") + mllp_wrap(b"second"))
    assert client.replies_after(2) == [b"ACK:first", b"ACK:second"]
    assert rec.bodies() == [b"first", b"second"]


def test_garbage_outside_blocks_is_ignored_and_connection_kept(
    connect: Callable[[], Client], rec: Recorder
) -> None:
    client = connect()
    client.send(b"\x00\xffnoise\r\n\x1c\r")
    client.send(b"more noise" + mllp_wrap(b"good") + b"trailing")
    assert client.replies_after(1) == [b"ACK:good"]
    client.send(mllp_wrap(b"again"))
    assert client.replies_after(2)[1] == b"ACK:again"
    assert rec.bodies() == [b"good", b"again"]


def test_no_reply_and_a_failing_callback_keep_the_connection(
    connect: Callable[[], Client], rec: Recorder
) -> None:
    rec.raise_on = b"boom"
    client = connect()
    client.send(mllp_wrap(b"NOREPLY") + mllp_wrap(b"boom"))
    client.send(mllp_wrap(b"after"))
    assert client.replies_after(1) == [b"ACK:after"]
    assert rec.bodies() == [b"NOREPLY", b"boom", b"after"]


def test_two_monitors_at_once_keep_their_own_framing(
    connect: Callable[[], Client], rec: Recorder
) -> None:
    a, b = connect(), connect()
    a.send(b"\x0bfrom-a part 1 ")  # a's message is open while b sends a whole one
    b.send(mllp_wrap(b"from-b"))
    assert b.replies_after(1) == [b"ACK:from-b"]
    a.send(b"part 2\x1c\r")
    assert a.replies_after(1) == [b"ACK:from-a part 1 part 2"]
    peers = {peer for _, peer in rec.messages}
    assert len(peers) == 2


def test_idle_connection_is_kept(connect: Callable[[], Client]) -> None:
    client = connect()
    client.send(mllp_wrap(b"one"))
    assert client.replies_after(1) == [b"ACK:one"]
    client.sock.settimeout(0.3)  # no data and no EOF while the monitor is idle
    with pytest.raises(TimeoutError):
        client.sock.recv(1)
    client.send(mllp_wrap(b"two"))
    assert client.replies_after(2)[1] == b"ACK:two"


def test_stop_closes_clients_and_refuses_new_ones(
    server: MllpServer, connect: Callable[[], Client], rec: Recorder
) -> None:
    a, b = connect(), connect()
    a.send(mllp_wrap(b"a"))
    b.send(b"\x0bhalf a message")
    assert a.replies_after(1) == [b"ACK:a"]
    assert wait_until(lambda: len(rec.bodies()) == 1)
    port = server.port
    server.stop(timeout=DEADLINE)
    assert a.sees_eof()
    assert b.sees_eof()
    assert rec.has_state(ConnectionState.DISCONNECTED, "stopped")
    assert not server.listening
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=DEADLINE).close()


def test_start_and_stop_are_idempotent_and_restartable(rec: Recorder) -> None:
    srv = MllpServer("127.0.0.1", 0, rec.on_message, rec.on_state)
    srv.stop()  # never started: nothing to do
    srv.start()
    srv.start()
    assert wait_until(lambda: srv.listening)
    srv.stop(timeout=DEADLINE)
    srv.stop(timeout=DEADLINE)
    with rec.lock:
        kinds = [s for s, _ in rec.states]
    assert kinds == [ConnectionState.CONNECTED, ConnectionState.DISCONNECTED]
    srv.start()
    assert wait_until(lambda: srv.listening)
    client = Client(srv.port)
    try:
        client.send(mllp_wrap(b"back"))
        assert client.replies_after(1) == [b"ACK:back"]
    finally:
        client.close()
        srv.stop(timeout=DEADLINE)


def test_connected_monitors_are_announced(
    server: MllpServer, connect: Callable[[], Client], rec: Recorder
) -> None:
    a, b = connect(), connect()
    assert wait_until(lambda: rec.has_state(ConnectionState.CONNECTED, "2 monitors connected"))
    with rec.lock:
        rec.states.clear()
    a.close()
    assert wait_until(lambda: rec.has_state(ConnectionState.CONNECTED, "1 monitor connected"))
    b.close()
    listening = f"listening on 127.0.0.1:{server.port}"
    assert wait_until(lambda: rec.states[-1] == (ConnectionState.CONNECTED, listening))


def test_start_while_a_stop_is_finishing_listens_again(rec: Recorder) -> None:
    srv = MllpServer("127.0.0.1", 0, rec.on_message, rec.on_state)
    srv.start()
    assert wait_until(lambda: srv.listening)
    client = Client(srv.port)
    try:
        srv.stop(timeout=0)  # returns before the shutdown is done
        srv.start()
        assert client.sees_eof()
        assert wait_until(lambda: [s for s, _ in rec.states][-2:] == [DISCONNECTED, CONNECTED])
        assert srv.listening
    finally:
        client.close()
        srv.stop(timeout=DEADLINE)


def test_stop_right_after_start(rec: Recorder) -> None:
    srv = MllpServer("127.0.0.1", 0, rec.on_message, rec.on_state)
    srv.start()
    srv.stop(timeout=DEADLINE)
    assert wait_until(lambda: rec.has_state(ConnectionState.DISCONNECTED, "stopped"))
    assert not srv.listening


def test_port_in_use_is_an_error_then_retried(rec: Recorder) -> None:
    blocker = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    blocker.bind(("127.0.0.1", 0))
    blocker.listen(1)
    port = blocker.getsockname()[1]
    srv = MllpServer("127.0.0.1", port, rec.on_message, rec.on_state, retry_delays=(0.05,))
    try:
        srv.start()
        assert wait_until(lambda: rec.has_state(ConnectionState.ERROR, "already in use"))
        with rec.lock:
            detail = next(d for s, d in rec.states if s is ConnectionState.ERROR)
        assert detail.startswith(f"port {port} is already in use")
        assert "retrying" in detail
        assert not srv.listening
        blocker.close()  # the other program goes away: the retry binds
        assert wait_until(lambda: srv.listening)
        assert srv.port == port
        assert rec.has_state(ConnectionState.CONNECTED, f"listening on 127.0.0.1:{port}")
    finally:
        blocker.close()
        srv.stop(timeout=DEADLINE)


def test_stop_during_bind_retries(rec: Recorder) -> None:
    blocker = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    blocker.bind(("127.0.0.1", 0))
    blocker.listen(1)
    srv = MllpServer(
        "127.0.0.1", blocker.getsockname()[1], rec.on_message, rec.on_state, retry_delays=(60.0,)
    )
    try:
        srv.start()
        assert wait_until(lambda: rec.has_state(ConnectionState.ERROR))
        srv.stop(timeout=DEADLINE)  # wakes the 60 s backoff
        assert rec.has_state(ConnectionState.DISCONNECTED, "stopped")
    finally:
        blocker.close()


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (OSError(errno.EADDRINUSE, "Address already in use"), "port 2575 is already in use"),
        (OSError(errno.EACCES, "Permission denied"), "not allowed to listen on port 2575"),
        (OSError(errno.EADDRNOTAVAIL, "Cannot assign"), "is not an address of this computer"),
        (socket.gaierror(-2, "Name or service not known"), "is not a known address"),
        (OSError(errno.EIO, "I/O error"), "cannot listen on 10.0.0.5:2575: I/O error"),
    ],
)
def test_bind_error_texts(exc: OSError, expected: str) -> None:
    assert expected in bind_error_text(exc, "10.0.0.5", 2575)
