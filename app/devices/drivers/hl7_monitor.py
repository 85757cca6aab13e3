"""Bedside monitors pushing HL7 v2 ORU^R01 over MLLP (devices reference §3) to our listener.

The paired device's ``address`` is where we listen: ``"host:port"`` (``"[::1]:2575"`` for
IPv6); a bare ``"2575"`` or ``":2575"`` binds 127.0.0.1 only. Clinics put the spoke's LAN
address here so that only the ward network can reach the listener.

What each received message becomes, and what the monitor is told:

* decodes, comes from the expected sender, holds vital signs -> one FINAL ``DeviceReading``
  (``raw`` is the message without MLLP framing, so it can be re-parsed after a parser fix;
  ``dedupe_key`` is ``(sender, MSH-10)``, so a monitor re-sending a message it got no ACK for
  is one reading) and ACK ``AA``.
* decodes but holds no usable vital (alarm or waveform messages, all values invalid) ->
  ``AA`` and the problem "no vital signs in message".
* from another sender than ``options["sender"]`` -> ``AA`` but no reading, and a problem.
  Vitals from an unexpected monitor may belong to another patient, so they are never offered
  for the open case; yet the monitor is not at fault, and a negative ACK would only make it
  re-send the same message forever and fill its queue. The problem tells staff to check which
  monitor is configured to send to this port.
* an ORU that does not decode -> ``AE`` with the reason in MSA-3, and a problem.
* another message type (ADT, QRY ...) -> ``AR`` (rejected: we only take ORU^R01), a problem.
* not HL7 at all (no MSH, so no ACK can be addressed) -> no reply, a problem.

``options["sender"]`` is ``"APP"`` (MSH-3 must match), ``"APP^FACILITY"`` (both must match)
or ``"^FACILITY"`` (MSH-4 only), compared without regard to case; empty accepts any sender.
A problem repeated with the same text within ``PROBLEM_REPEAT_S`` is logged, not re-reported:
a misconfigured monitor sends every few seconds and the operator needs to hear it once.

Threading: everything here runs on the shared device loop thread (the listener's thread); sink
calls come from that thread. ``start``/``stop`` are safe from any thread.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Hashable
from datetime import datetime

from app.devices import DecodeError, Measurement, decode
from app.devices.driver import ConnectionState, DeviceReading, DeviceSpec, DriverSink, Now
from app.devices.parsers.hl7 import build_ack
from app.devices.transports.aio import LoopThread, shared_loop
from app.devices.transports.mllp_server import MllpServer

__all__ = ["DEFAULT_HOST", "PROBLEM_REPEAT_S", "Hl7MonitorDriver", "parse_listen_address"]

log = logging.getLogger(__name__)

PROTOCOL = "hl7v2:oru"
DEFAULT_HOST = "127.0.0.1"
PROBLEM_REPEAT_S = 60.0
NO_VITALS = "no vital signs in message"
MAX_ACK_TEXT = 80  # MSA-3 is an ST of 80 characters in HL7 v2.5+

_ADDRESS = re.compile(r"(?:(?:\[(?P<v6>[^\]]+)\]|(?P<host>[^:\[\]]*)):)?(?P<port>[0-9]{1,5})")


def parse_listen_address(address: str) -> tuple[str, int]:
    """``"host:port"``, ``"[v6]:port"``, ``":port"`` or ``"port"`` -> (host, port)."""
    text = address.strip()
    match = _ADDRESS.fullmatch(text)
    if match is None:
        raise ValueError(f"listen address {address!r} is not host:port")
    port = int(match["port"])
    if not 0 <= port <= 65535:
        raise ValueError(f"port {port} in {address!r} is not between 0 and 65535")
    host = match["v6"] or match["host"] or DEFAULT_HOST
    return host, port


class Hl7MonitorDriver:
    def __init__(
        self, spec: DeviceSpec, sink: DriverSink, now: Now, *, loop: LoopThread | None = None
    ) -> None:
        self.spec = spec
        self._sink = sink
        self._now = now
        self._expected = _expected_sender(spec.options.get("sender", ""))
        self._last_problem: dict[str, float] = {}
        self._problem_lock = threading.Lock()
        self._address_error = ""
        self._loop = loop
        try:
            host, port = parse_listen_address(spec.address)
        except ValueError as exc:
            self._address_error = str(exc)
            host, port = DEFAULT_HOST, 0
        self._server = MllpServer(host, port, self._on_message, self._on_state, loop=loop)

    @property
    def port(self) -> int:
        """The port listened on (the real one once bound, when the address asked for 0)."""
        return self._server.port

    def start(self) -> None:
        if self._address_error:  # reported from the loop thread, like every other sink call
            loop = self._loop or shared_loop()
            loop.loop.call_soon_threadsafe(
                self._on_state, ConnectionState.ERROR, self._address_error
            )
            return
        self._server.start()

    def stop(self, timeout: float = 2.0) -> None:
        self._server.stop(timeout)

    # --- on the loop thread -----------------------------------------------------------------

    def _on_state(self, state: ConnectionState, detail: str) -> None:
        try:
            self._sink.state(self.spec.device_id, state, detail)
        except Exception:
            log.exception("sink.state failed for %s", self.spec.device_id)

    def _problem(self, message: str) -> None:
        stamp = time.monotonic()
        with self._problem_lock:
            last = self._last_problem.get(message)
            if last is not None and stamp - last < PROBLEM_REPEAT_S:
                log.info("%s: %s (repeated)", self.spec.device_id, message)
                return
            if len(self._last_problem) > 256:  # many distinct texts: forget the stale ones
                self._last_problem = {
                    text: t
                    for text, t in self._last_problem.items()
                    if stamp - t < PROBLEM_REPEAT_S
                }
            self._last_problem[message] = stamp
        try:
            self._sink.problem(self.spec.device_id, message)
        except Exception:
            log.exception("sink.problem failed for %s", self.spec.device_id)

    def _on_message(self, message: bytes, peer: tuple[str, int]) -> bytes | None:
        received_at = self._now()
        try:
            measurement = decode(PROTOCOL, message)
        except DecodeError as exc:
            return self._refuse(message, str(exc), peer)
        app = str(measurement.info.get("sending_application", ""))
        facility = str(measurement.info.get("sending_facility", ""))
        sender = f"{app}^{facility}"
        if not self._sender_ok(app, facility):
            self._problem(
                f"message from monitor {sender!r} at {peer[0]} ignored: this device expects "
                f"{self.spec.options.get('sender', '')!r} (check which monitor sends to "
                f"{self.spec.address})"
            )
            return _ack(message, "AA")
        if not measurement.readings:
            self._problem(NO_VITALS)
            return _ack(message, "AA")
        self._emit(measurement, message, received_at, sender)
        return _ack(message, "AA")

    def _emit(self, m: Measurement, message: bytes, received_at: datetime, sender: str) -> None:
        control_id = str(m.info.get("control_id", ""))
        # Without a control id a message has no identity: the manager then compares values.
        key: Hashable | None = (sender, control_id) if control_id else None
        reading = DeviceReading(
            device_id=self.spec.device_id,
            measurement=m,
            raw=bytes(message),
            received_at=received_at,
            final=True,
            dedupe_key=key,
        )
        try:
            self._sink.reading(reading)
        except Exception:
            log.exception("sink.reading failed for %s", self.spec.device_id)

    def _refuse(self, message: bytes, reason: str, peer: tuple[str, int]) -> bytes | None:
        message_type = _message_type(message)
        if message_type is None:
            self._problem(f"data from {peer[0]} is not an HL7 message: {reason}")
            return None
        if message_type != "ORU^R01":
            self._problem(f"message type {message_type or '(none)'} refused: only ORU^R01 is read")
            return _ack(message, "AR", f"only ORU^R01 is accepted, not {message_type or 'none'}")
        self._problem(reason)
        return _ack(message, "AE", reason)

    def _sender_ok(self, app: str, facility: str) -> bool:
        want_app, want_facility = self._expected
        if want_app and want_app != app.casefold():
            return False
        return not (want_facility and want_facility != facility.casefold())


def _expected_sender(option: str) -> tuple[str, str]:
    app, _, facility = option.strip().partition("^")
    return app.strip().casefold(), facility.strip().casefold()


def _ack(message: bytes, code: str, text: str = "") -> bytes | None:
    if len(text) > MAX_ACK_TEXT:
        text = text[: MAX_ACK_TEXT - 3] + "..."
    try:
        return build_ack(message, code, text=text)
    except DecodeError as exc:  # MSH itself unreadable: no ACK can be addressed
        log.info("no %s ACK sent: %s", code, exc)
        return None


def _message_type(message: bytes) -> str | None:
    """MSH-9 as ``TYPE^TRIGGER`` when the message starts with a usable MSH, else None."""
    text = message.decode("utf-8", errors="replace").lstrip("\ufeff\r\n\t ")
    if not text.startswith("MSH") or len(text) < 8:
        return None
    fs, component = text[3], text[4]
    if fs.isalnum() or fs.isspace() or component.isalnum() or component.isspace():
        return None
    first_segment = re.split(r"\r|\n", text, maxsplit=1)[0]
    fields = first_segment.split(fs)
    msh9 = fields[8] if len(fields) > 8 else ""
    parts = [p.strip().upper() for p in msh9.split(component)[:2]]
    return "^".join(p for p in parts if p)
