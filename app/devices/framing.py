"""Stream framers: turn the bytes of a serial port or TCP socket into whole frames.

Each framer is a small stateful object: ``feed(chunk) -> list[frame]``. A framer is defined
byte by byte, so the frames (and its ``discarded`` / ``pending`` counters) are the same however
the stream is cut into chunks. Garbage is dropped, never raised; the buffer never holds more
than the framer's maximum, so a noisy line cannot grow memory without bound. Pure: no I/O.

* ``Cms50Framer``  - Contec CMS50 legacy live data: 5-byte frames, sync bit 7 on byte 0 only.
* ``Cms50V46Framer`` - Contec CMS50 v4.6+ live data: 9-byte frames, 0x01 then 8 bytes with bit 7.
* ``LineFramer``   - ASCII lines ended by CR, LF or CRLF (serial scales).
* ``MllpFramer``   - HL7 MLLP blocks ``0x0B message 0x1C 0x0D`` (bedside monitors).
"""

from __future__ import annotations

__all__ = [
    "MLLP_END",
    "MLLP_START",
    "Cms50Framer",
    "Cms50V46Framer",
    "LineFramer",
    "MllpFramer",
    "mllp_wrap",
]

MLLP_START = 0x0B  # VT, start block
MLLP_FS = 0x1C  # FS, end block (followed by CR)
MLLP_CR = 0x0D
MLLP_END = bytes((MLLP_FS, MLLP_CR))


def mllp_wrap(message: bytes) -> bytes:
    """One MLLP block: ``0x0B message 0x1C 0x0D``."""
    return bytes((MLLP_START,)) + bytes(message) + MLLP_END


class Cms50Framer:
    """5-byte CMS50 live frames: byte 0 has bit 7 set, bytes 1-4 have it clear.

    Bytes before a sync byte are discarded; a sync byte arriving before a frame is complete
    drops the partial frame and starts a new one (re-synchronisation). The buffer holds at most
    4 bytes between calls.
    """

    FRAME_LEN = 5

    def __init__(self) -> None:
        self._buf = bytearray()
        self.discarded = 0  # bytes dropped as garbage or as parts of broken frames

    @property
    def pending(self) -> int:
        return len(self._buf)

    def feed(self, chunk: bytes) -> list[bytes]:
        frames: list[bytes] = []
        buf = self._buf
        for byte in bytes(chunk):
            if byte & 0x80:
                self.discarded += len(buf)  # an unfinished frame, if any
                buf.clear()
                buf.append(byte)
            elif buf:
                buf.append(byte)
                if len(buf) == self.FRAME_LEN:
                    frames.append(bytes(buf))
                    buf.clear()
            else:
                self.discarded += 1  # no sync byte yet
        return frames


class Cms50V46Framer:
    """9-byte CMS50 v4.6+ live frames (reference §2.1 b): ``0x01``, then 8 bytes with bit 7 set.

    ``0x01`` is the only byte with bit 7 clear that may start a frame, so it re-synchronises:
    arriving before a frame is complete it drops the partial frame and starts a new one. Any
    other byte with bit 7 clear ends a partial frame as garbage, and bytes before a ``0x01``
    are discarded. The buffer holds at most 8 bytes between calls.
    """

    FRAME_LEN = 9
    START = 0x01  # the live-data packet type

    def __init__(self) -> None:
        self._buf = bytearray()
        self.discarded = 0  # bytes dropped as garbage or as parts of broken frames

    @property
    def pending(self) -> int:
        return len(self._buf)

    def feed(self, chunk: bytes) -> list[bytes]:
        frames: list[bytes] = []
        buf = self._buf
        for byte in bytes(chunk):
            if byte == self.START:
                self.discarded += len(buf)  # an unfinished frame, if any
                buf.clear()
                buf.append(byte)
            elif byte & 0x80 and buf:
                buf.append(byte)
                if len(buf) == self.FRAME_LEN:
                    frames.append(bytes(buf))
                    buf.clear()
            else:
                # no frame started yet, or bit 7 clear inside one: that frame is broken
                self.discarded += len(buf) + 1
                buf.clear()
        return frames


class LineFramer:
    """Lines ended by CR, LF or CRLF, without the terminator; empty lines are skipped.

    A line longer than ``max_line`` bytes is dropped whole (up to its terminator), so the
    buffer never holds more than ``max_line`` bytes.
    """

    def __init__(self, max_line: int = 256) -> None:
        if max_line < 1:
            raise ValueError("max_line must be at least 1")
        self.max_line = max_line
        self._buf = bytearray()
        self._overflow = False  # inside a line that is already too long
        self.discarded = 0  # bytes of overlong lines dropped

    @property
    def pending(self) -> int:
        return len(self._buf)

    def feed(self, chunk: bytes) -> list[bytes]:
        data = bytes(chunk)
        lines: list[bytes] = []
        i, n = 0, len(data)
        while i < n:
            j = _find_any(data, i, b"\r", b"\n")
            end = n if j < 0 else j
            piece = data[i:end]
            if self._overflow:
                self.discarded += len(piece)
            else:
                self._buf += piece
                if len(self._buf) > self.max_line:
                    self.discarded += len(self._buf)
                    self._buf.clear()
                    self._overflow = True
            if j < 0:
                break
            if self._buf:
                lines.append(bytes(self._buf))
                self._buf.clear()
            self._overflow = False
            i = j + 1
        return lines


class MllpFramer:
    """HL7 MLLP: yields each message between ``0x0B`` and ``0x1C 0x0D`` (delimiters removed).

    Bytes outside a block are discarded. A ``0x0B`` inside a block means the previous block was
    cut off: it is dropped and a new block starts. A block whose message grows beyond
    ``max_frame`` bytes is dropped and the framer waits for the next ``0x0B``. Empty blocks are
    dropped. ``pending`` counts the bytes of an unfinished block, its ``0x0B`` included.
    """

    def __init__(self, max_frame: int = 1 << 20) -> None:
        if max_frame < 1:
            raise ValueError("max_frame must be at least 1")
        self.max_frame = max_frame
        self._in_frame = False
        self._buf = bytearray()  # message bytes after 0x0B (a trailing 0x1C may be the end)
        self.discarded = 0  # bytes outside blocks, and of dropped blocks

    @property
    def pending(self) -> int:
        return 1 + len(self._buf) if self._in_frame else 0

    def _drop_frame(self) -> None:
        self.discarded += 1 + len(self._buf)
        self._buf.clear()
        self._in_frame = False

    def feed(self, chunk: bytes) -> list[bytes]:
        data = bytes(chunk)
        frames: list[bytes] = []
        buf = self._buf
        i, n = 0, len(data)
        while i < n:
            if not self._in_frame:
                j = data.find(MLLP_START, i)
                if j < 0:
                    self.discarded += n - i
                    break
                self.discarded += j - i
                self._in_frame = True
                i = j + 1
                continue
            j = _find_any(data, i, b"\x0b", b"\r")
            end = n if j < 0 else j
            buf += data[i:end]
            # A message of max_frame bytes plus the 0x1C that may end it is still allowed.
            if len(buf) > self.max_frame + 1:
                self._drop_frame()  # the delimiter at j, if any, is read outside a block
                i = end
                continue
            if j < 0:
                break
            if data[j] == MLLP_START:  # a new block before this one ended: drop this one
                self._drop_frame()
                self._in_frame = True
                i = j + 1
                continue
            # CR: the end of the block when it follows 0x1C, else a segment separator
            if buf and buf[-1] == MLLP_FS:
                message = bytes(buf[:-1])
                if message and len(message) <= self.max_frame:
                    frames.append(message)
                    buf.clear()
                    self._in_frame = False
                else:
                    buf.append(MLLP_CR)  # counted by _drop_frame
                    self._drop_frame()
            else:
                buf.append(MLLP_CR)
                if len(buf) > self.max_frame + 1:
                    self._drop_frame()
            i = j + 1
        return frames


def _find_any(data: bytes, start: int, a: bytes, b: bytes) -> int:
    """Index of the first ``a`` or ``b`` in ``data`` from ``start``; -1 if neither."""
    ia = data.find(a, start)
    ib = data.find(b, start)
    if ia < 0:
        return ib
    if ib < 0:
        return ia
    return min(ia, ib)
