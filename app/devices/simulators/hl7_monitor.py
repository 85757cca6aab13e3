"""A simulated bedside monitor: pushes HL7 v2 ORU^R01 over MLLP to the app's listener.

It behaves like the monitors of devices reference §3: it is the TCP client, keeps one
connection open, sends an ORU^R01 with MDC-coded OBX every ``interval_s`` seconds, waits for
each ACK (recording its MSA-1 code) and reconnects with backoff when the connection drops.
For tests it can also re-send the last message with the same control id, send raw or
malformed bytes, and cut a message into small random writes or merge two in one write.

``build_oru`` is the pure message builder (no clock: the caller passes the time).

Threading: the simulator runs on its own daemon thread with plain blocking sockets, so it
never touches the app's event loop. ``start``, ``stop``, ``send_now``, ``resend_last``,
``send_raw`` and the recorded ``acks`` are safe from any thread.
"""

from __future__ import annotations

# isort: off
import app.devices.simulators  # noqa: F401  (first: refuses to load outside demo mode and tests)

# isort: on
import contextlib
import itertools
import logging
import queue
import random
import socket
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from app.devices.framing import MllpFramer, mllp_wrap

__all__ = ["DEFAULT_VALUES", "OBSERVATIONS", "Ack", "MonitorSimulator", "build_oru", "parse_ack"]

log = logging.getLogger(__name__)

# key -> (OBX-3 code^mnemonic^MDC, OBX-6 unit-code^unit^MDC); codes as app.devices.parsers.hl7
# maps them (devices reference §3).
OBSERVATIONS: dict[str, tuple[str, str]] = {
    "spo2": ("150456^MDC_PULS_OXIM_SAT_O2^MDC", "262688^MDC_DIM_PERCENT^MDC"),
    "pulse": ("149530^MDC_PULS_OXIM_PULS_RATE^MDC", "264864^MDC_DIM_BEAT_PER_MIN^MDC"),
    "systolic": ("150021^MDC_PRESS_BLD_NONINV_SYS^MDC", "266016^MDC_DIM_MMHG^MDC"),
    "diastolic": ("150022^MDC_PRESS_BLD_NONINV_DIA^MDC", "266016^MDC_DIM_MMHG^MDC"),
    "temperature": ("150364^MDC_TEMP_BODY^MDC", "268192^MDC_DIM_DEGC^MDC"),
    "resp_rate": ("151562^MDC_RESP_RATE^MDC", "264928^MDC_DIM_RESP_PER_MIN^MDC"),
}

DEFAULT_VALUES: dict[str, str] = {
    "spo2": "97",
    "pulse": "72",
    "systolic": "120",
    "diastolic": "80",
    "temperature": "36.8",
    "resp_rate": "16",
}

_HL7_SPECIALS = set("|^~\\&\r\n")
_CONNECT_DELAYS = (0.2, 0.5, 1.0, 2.0)  # seconds between connection attempts; last repeats


def build_oru(
    *,
    control_id: str,
    now: datetime,
    sender: str = "SIM-MONITOR",
    facility: str = "BED01",
    patient_id: str = "",
    values: Mapping[str, str | int | float | Decimal] = DEFAULT_VALUES,
) -> bytes:
    """One ORU^R01 (no MLLP framing), CR-separated, as a monitor sends it at ``now``.

    ``values`` maps keys of ``OBSERVATIONS`` to the number sent in OBX-5; unknown keys are a
    ``ValueError``. The equipment id (OBX-18) is derived from ``sender``.
    """
    fields = {"control_id": control_id, "sender": sender, "facility": facility,
              "patient_id": patient_id}  # fmt: skip
    for label, text in fields.items():
        if _HL7_SPECIALS & set(text):
            raise ValueError(f"{label} {text!r} must not hold HL7 separators")
    unknown = sorted(set(values) - set(OBSERVATIONS))
    if unknown:
        raise ValueError(f"unknown observation keys {unknown}; known: {sorted(OBSERVATIONS)}")
    stamp = now.strftime("%Y%m%d%H%M%S")
    eui64 = uuid.uuid5(uuid.NAMESPACE_OID, sender).hex[:16].upper()  # stable per sender
    equipment = f"{eui64}^^{eui64}^EUI-64"
    segments = [
        f"MSH|^~\\&|{sender}|{facility}|HWC_SPOKE|HWC|{stamp}||ORU^R01^ORU_R01|{control_id}|P|2.6",
        f"PID|||{patient_id}^^^HWC^MR" if patient_id else "PID|||",
        f"OBR|1|{control_id}^{sender}||182777000^monitoring of patient^SCT|||{stamp}",
    ]
    for n, (key, value) in enumerate(values.items(), start=1):
        code, unit = OBSERVATIONS[key]
        mdc = code.split("^", 1)[0]
        segments.append(
            f"OBX|{n}|NM|{code}|1.1.1.{mdc}|{_number(value)}|{unit}|||||F|||{stamp}||||{equipment}"
        )
    return ("\r".join(segments) + "\r").encode("ascii")


def _number(value: str | int | float | Decimal) -> str:
    if isinstance(value, float):
        return f"{value:.1f}".removesuffix(".0")
    return str(value)


@dataclass(frozen=True, slots=True)
class Ack:
    code: str  # MSA-1: AA, AE, AR ...
    control_id: str  # MSA-2: the control id of the message it answers
    text: str = ""  # MSA-3


def parse_ack(message: bytes) -> Ack:
    """MSA of an ACK (without MLLP framing). ``ValueError`` when there is no MSA."""
    text = message.decode("utf-8", errors="replace")
    if not text.startswith("MSH") or len(text) < 4:
        raise ValueError("ACK does not start with MSH")
    fs = text[3]
    for segment in text.replace("\n", "\r").split("\r"):
        if segment.startswith("MSA" + fs):
            fields = [*segment.split(fs), "", "", ""]
            return Ack(fields[1], fields[2], fields[3])
    raise ValueError("ACK has no MSA segment")


@dataclass(frozen=True, slots=True)
class _Send:
    data: bytes  # what goes on the wire (framed or not)
    expect: int  # ACKs to wait for
    chunked: bool = False


class _Stop:
    pass


class MonitorSimulator:
    def __init__(
        self,
        host: str,
        port: int,
        *,
        interval_s: float | None = 5.0,
        sender: str = "SIM-MONITOR",
        facility: str = "BED01",
        patient_id: str = "",
        values: Mapping[str, str | int | float | Decimal] = DEFAULT_VALUES,
        split_and_merge: bool = False,
        ack_timeout_s: float = 3.0,
        now: Callable[[], datetime] = datetime.now,
        seed: int | None = None,
    ) -> None:
        """``interval_s=None`` sends only on ``send_now``. ``split_and_merge`` alternates
        between writing a message in random 1-7 byte pieces and writing two messages at once."""
        self.host = host
        self.port = port
        self.interval_s = interval_s
        self.sender = sender
        self.facility = facility
        self.patient_id = patient_id
        self.values = dict(values)
        # Fail here, on the caller's thread, rather than later on the simulator's.
        build_oru(control_id="0", now=datetime(2000, 1, 1), sender=sender, facility=facility,
                  patient_id=patient_id, values=self.values)  # fmt: skip
        self.split_and_merge = split_and_merge
        self.ack_timeout_s = ack_timeout_s
        self._now = now
        self._rng = random.Random(seed)
        self._prefix = uuid.uuid4().hex[:8].upper()
        self._counter = itertools.count(1)
        self._merge_next = False
        self._commands: queue.Queue[_Send | _Stop | Callable[[], _Send]] = queue.Queue()
        self._lock = threading.Lock()
        self._acks: list[Ack] = []
        self._sent: list[bytes] = []
        self._missing = 0
        self._connects = 0
        self._last: bytes | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._sock: socket.socket | None = None
        self._framer = MllpFramer()
        self._pending_acks: list[bytes] = []

    # --- any thread -------------------------------------------------------------------------

    @property
    def acks(self) -> list[Ack]:
        with self._lock:
            return list(self._acks)

    @property
    def ack_codes(self) -> list[str]:
        return [a.code for a in self.acks]

    @property
    def sent(self) -> list[bytes]:
        """Every framed message sent, without its framing, in order (re-sends included)."""
        with self._lock:
            return list(self._sent)

    @property
    def missing_acks(self) -> int:
        """Messages sent that got no ACK within ``ack_timeout_s`` (or before a drop)."""
        with self._lock:
            return self._missing

    @property
    def connects(self) -> int:
        with self._lock:
            return self._connects

    def start(self) -> None:
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return
            self._stop.clear()
            # A _Stop left by an earlier stop() would end the new thread at once.
            kept: list[_Send | _Stop | Callable[[], _Send]] = []
            while True:
                try:
                    item = self._commands.get_nowait()
                except queue.Empty:
                    break
                if not isinstance(item, _Stop):
                    kept.append(item)
            for item in kept:
                self._commands.put(item)
            self._thread = threading.Thread(
                target=self._run, name=f"sim-monitor-{self.sender}", daemon=True
            )
            self._thread.start()

    def stop(self, timeout: float = 2.0) -> None:
        with self._lock:
            thread = self._thread
        self._stop.set()
        self._commands.put(_Stop())
        sock = self._sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)  # wakes a recv waiting for an ACK
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def send_now(self) -> None:
        """Send a fresh message now (two, merged, on the merge turn of ``split_and_merge``)."""
        self._commands.put(self._next_send)

    def resend_last(self) -> None:
        """Send the last ORU again, same control id: what a monitor does after a lost ACK."""

        def resend() -> _Send:
            last = self._last if self._last is not None else self._new_message()
            return _Send(mllp_wrap(last), 1, chunked=self.split_and_merge)

        self._commands.put(resend)

    def send_raw(self, data: bytes, *, frame: bool = True) -> None:
        """Send ``data`` as is; ``frame=True`` wraps it in MLLP and waits for one ACK."""
        self._commands.put(_Send(mllp_wrap(data) if frame else bytes(data), 1 if frame else 0))

    # --- the simulator thread ---------------------------------------------------------------

    def _new_message(self) -> bytes:
        control_id = f"{self._prefix}{next(self._counter):06d}"
        message = build_oru(
            control_id=control_id,
            now=self._now(),
            sender=self.sender,
            facility=self.facility,
            patient_id=self.patient_id,
            values=self.values,
        )
        self._last = message
        return message

    def _next_send(self) -> _Send:
        if not self.split_and_merge:
            return _Send(mllp_wrap(self._new_message()), 1)
        self._merge_next = not self._merge_next
        if self._merge_next:
            return _Send(mllp_wrap(self._new_message()), 1, chunked=True)
        first, second = self._new_message(), self._new_message()
        return _Send(mllp_wrap(first) + mllp_wrap(second), 2)

    def _run(self) -> None:
        attempt = 0
        next_tick = time.monotonic()
        while not self._stop.is_set():
            if self._sock is None:
                if self._connect():
                    attempt = 0
                else:
                    delay = _CONNECT_DELAYS[min(attempt, len(_CONNECT_DELAYS) - 1)]
                    attempt += 1
                    self._stop.wait(delay)
                    continue
            try:
                if self.interval_s is None:
                    command = self._commands.get()
                else:
                    wait = max(0.0, next_tick - time.monotonic())
                    command = self._commands.get(timeout=wait)
            except queue.Empty:
                next_tick = time.monotonic() + (self.interval_s or 0.0)
                command = self._next_send
            if isinstance(command, _Stop) or self._stop.is_set():
                break
            send = command if isinstance(command, _Send) else command()
            try:
                self._send(send)
            except OSError as exc:
                log.info("simulated monitor lost the connection: %s", exc)
                self._disconnect()
        self._disconnect()

    def _connect(self) -> bool:
        try:
            sock = socket.create_connection((self.host, self.port), timeout=2.0)
        except OSError as exc:
            log.debug("simulated monitor cannot connect to %s:%s: %s", self.host, self.port, exc)
            return False
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # small pieces stay small
        self._sock = sock
        self._framer = MllpFramer()
        self._pending_acks = []
        with self._lock:
            self._connects += 1
        return True

    def _disconnect(self) -> None:
        sock, self._sock = self._sock, None
        if sock is not None:
            sock.close()

    def _send(self, send: _Send) -> None:
        sock = self._sock
        assert sock is not None
        with self._lock:
            self._sent.extend(_unframed(send.data))
        if send.chunked:
            data, i = send.data, 0
            while i < len(data):
                n = self._rng.randint(1, 7)
                sock.sendall(data[i : i + n])
                i += n
        else:
            sock.sendall(send.data)
        self._await_acks(sock, send.expect)

    def _await_acks(self, sock: socket.socket, expected: int) -> None:
        deadline = time.monotonic() + self.ack_timeout_s
        got = 0
        try:
            while got < expected:
                while self._pending_acks and got < expected:
                    self._record(self._pending_acks.pop(0))
                    got += 1
                if got >= expected:
                    break
                left = deadline - time.monotonic()
                if left <= 0 or self._stop.is_set():
                    break
                sock.settimeout(left)
                try:
                    chunk = sock.recv(4096)
                except TimeoutError:
                    break
                if not chunk:
                    raise ConnectionResetError("listener closed the connection")
                self._pending_acks.extend(self._framer.feed(chunk))
        finally:
            if got < expected:
                with self._lock:
                    self._missing += expected - got

    def _record(self, frame: bytes) -> None:
        try:
            ack = parse_ack(frame)
        except ValueError as exc:
            log.warning("simulated monitor got a reply that is not an ACK: %s", exc)
            ack = Ack("", "", str(exc))
        with self._lock:
            self._acks.append(ack)


def _unframed(data: bytes) -> list[bytes]:
    return MllpFramer().feed(data)
