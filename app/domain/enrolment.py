"""The enrolment token: everything a spoke needs to join a hub, short enough to type.

The hub prints it (``hub enrol-token``); field IT types or pastes it on the clinic PC. It
carries the hub's address, a one-time secret the hub exchanges for the spoke's own
credentials, and the pin of the hub's TLS trust anchor (docs/SYNC.md, "Enrolment"). Form::

    hub.example.org:8765/K7QM-2XPD-9RTA-4HVW-3F8N-Q2KD-0C1E-7RVB-MN4P-XT6A-JH9W

The address is ``HOST:PORT`` (an IPv6 host in brackets); the scheme is always https. The
groups are Crockford base32 (digits and capitals without I, L, O, U; read case-insensitively,
with I and L read as 1 and O as 0, and dashes and spaces ignored), 44 characters of:

- 16: the one-time secret, 80 random bits;
- 24: the pin, the first 120 bits of the SHA-256 of the anchor certificate's
  SubjectPublicKeyInfo (a second preimage of 120 bits is out of anyone's reach);
- 4: a check of 20 bits over the address and the 40 characters before it, so a typing slip
  reads as "mistyped" and never as a wrong certificate (which would suggest interception).

Pure: no I/O, no clock; ``secrets`` supplies the randomness of ``new_secret``.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import Any, Final

from app.domain.errors import DomainError

ALPHABET: Final = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
SECRET_CHARS: Final = 16
PIN_CHARS: Final = 24
CHECK_CHARS: Final = 4
PIN_BYTES: Final = PIN_CHARS * 5 // 8  # 15
DEFAULT_PORT: Final = 8765
_GROUP: Final = 4
_READ_AS: Final = str.maketrans({"I": "1", "L": "1", "O": "0"})
_HOST_RE: Final = re.compile(r"\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]{0,252})")


class TokenError(DomainError):
    """The text is not an enrolment token. Codes (params): ``token.shape``, ``token.address``
    (address), ``token.port`` (port), ``token.length`` (has, needs), ``token.characters``
    (bad), ``token.mistyped``; the message says the same in English."""

    def __init__(self, code: str, message: str, **params: Any) -> None:
        super().__init__(code, message, params)


@dataclass(frozen=True, slots=True)
class EnrolmentToken:
    host: str  # a name, an IPv4 address, or an IPv6 address in brackets
    port: int
    secret: str  # SECRET_CHARS characters of ALPHABET
    pin: bytes = b""  # PIN_BYTES bytes

    def __repr__(self) -> str:  # the secret never lands in a log or a traceback
        return f"EnrolmentToken(host={self.host!r}, port={self.port})"

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def url(self) -> str:
        return f"https://{self.address}"


def new_secret() -> str:
    """A fresh one-time secret (80 random bits)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(SECRET_CHARS))


def pin_of(spki_der: bytes) -> bytes:
    """The pin of a public key, given its DER SubjectPublicKeyInfo."""
    return hashlib.sha256(spki_der).digest()[:PIN_BYTES]


def encode(token: EnrolmentToken) -> str:
    """The token as people see it: ``HOST:PORT/XXXX-XXXX-...``."""
    _check_address(token.host, token.port)
    secret = _normalise(token.secret)
    if len(secret) != SECRET_CHARS:
        raise ValueError(f"the secret must be {SECRET_CHARS} characters")
    if len(token.pin) != PIN_BYTES:
        raise ValueError(f"the pin must be {PIN_BYTES} bytes")
    body = secret + _b32(token.pin)
    body += _check(token.address, body)
    groups = [body[i : i + _GROUP] for i in range(0, len(body), _GROUP)]
    return f"{token.address}/{'-'.join(groups)}"


def decode(text: str) -> EnrolmentToken:
    """Read a token as typed or pasted; ``TokenError`` says what is wrong with it."""
    address, slash, rest = text.strip().rpartition("/")
    if not slash or not address:
        raise TokenError("token.shape", "an enrolment token looks like HOST:PORT/XXXX-XXXX-…")
    address = address.removeprefix("https://")
    host, port = split_address(address)
    body = _normalise(rest)
    expected = SECRET_CHARS + PIN_CHARS + CHECK_CHARS
    if len(body) != expected:
        raise TokenError(
            "token.length",
            f"the part after the address has {len(body)} letters and digits; it needs {expected}",
            has=len(body),
            needs=expected,
        )
    bad = " ".join(sorted(set(body) - set(ALPHABET)))
    if bad:
        raise TokenError("token.characters", f"the token cannot contain {bad}", bad=bad)
    data, check = body[:-CHECK_CHARS], body[-CHECK_CHARS:]
    if not secrets.compare_digest(check, _check(f"{host}:{port}", data)):
        raise TokenError(
            "token.mistyped", "the token is mistyped: its check letters do not match the rest"
        )
    secret, pin = data[:SECRET_CHARS], data[SECRET_CHARS:]
    return EnrolmentToken(host, port, secret, _unb32(pin, PIN_BYTES))


def _normalise(text: str) -> str:
    return re.sub(r"[\s-]", "", text).upper().translate(_READ_AS)


def split_address(address: str) -> tuple[str, int]:
    """``HOST[:PORT]`` -> (host in lower case, port); ``TokenError`` when it is not one."""
    if address.endswith("]") or ":" not in address:
        host, port_text = address, str(DEFAULT_PORT)
    else:
        host, _, port_text = address.rpartition(":")
    if not port_text.isdigit():
        raise TokenError(
            "token.address", f"the hub address {address!r} must be HOST:PORT", address=address
        )
    port = int(port_text)
    _check_address(host, port)
    return host.lower(), port


def _check_address(host: str, port: int) -> None:
    if not _HOST_RE.fullmatch(host):
        raise TokenError("token.address", f"{host!r} is not a host name or address", address=host)
    if not 0 < port < 65536:
        raise TokenError("token.port", f"the port {port} is out of range", port=port)


def _check(address: str, body: str) -> str:
    digest = hashlib.sha256(f"{address.lower()}/{body}".encode()).digest()
    value = int.from_bytes(digest[:3], "big") >> 4  # 20 bits
    return "".join(ALPHABET[(value >> shift) & 31] for shift in (15, 10, 5, 0))


def _b32(data: bytes) -> str:
    value = int.from_bytes(data, "big")
    bits = len(data) * 8
    chars = -(-bits // 5)
    value <<= chars * 5 - bits
    return "".join(ALPHABET[(value >> (5 * i)) & 31] for i in reversed(range(chars)))


def _unb32(text: str, nbytes: int) -> bytes:
    value = 0
    for char in text:
        value = value * 32 + ALPHABET.index(char)
    value >>= len(text) * 5 - nbytes * 8
    return value.to_bytes(nbytes, "big")
