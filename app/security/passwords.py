"""Password hashing for offline staff login: scrypt (memory-hard) from ``cryptography``.

Stored format: ``scrypt$<log2 n>$<r>$<p>$<salt b64>$<hash b64>`` (standard base64, no
newlines). The cost travels with the hash, so raising the default later only needs
``needs_rehash`` at the next successful login; old hashes keep verifying.

``verify_password`` never raises on a malformed stored value (a damaged row must not crash the
login screen): it returns False. Comparison is constant-time.

Threading: pure functions, safe from any thread. Each call costs ~32 MiB and tens of
milliseconds at the default cost: run it off the GUI thread.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import os

from cryptography.exceptions import InvalidKey
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

SCHEME = "scrypt"
DEFAULT_LOG_N = 15
DEFAULT_R = 8
DEFAULT_P = 1
SALT_BYTES = 16
HASH_BYTES = 32

# Refuse absurd parameters from a stored value rather than allocate gigabytes for them.
_MAX_LOG_N = 20
_MAX_R = 32
_MAX_P = 16


def _kdf(password: str, salt: bytes, log_n: int, r: int, p: int, length: int) -> bytes:
    return Scrypt(salt=salt, length=length, n=2**log_n, r=r, p=p).derive(password.encode("utf-8"))


def hash_password(
    password: str,
    *,
    log_n: int = DEFAULT_LOG_N,
    r: int = DEFAULT_R,
    p: int = DEFAULT_P,
) -> str:
    """A new salted hash of ``password``. Tests pass a small ``log_n``; the app never does."""
    if not 1 <= log_n <= _MAX_LOG_N or not 1 <= r <= _MAX_R or not 1 <= p <= _MAX_P:
        raise ValueError("scrypt parameters out of range")
    salt = os.urandom(SALT_BYTES)
    digest = _kdf(password, salt, log_n, r, p, HASH_BYTES)
    return "$".join(
        (
            SCHEME,
            str(log_n),
            str(r),
            str(p),
            base64.b64encode(salt).decode("ascii"),
            base64.b64encode(digest).decode("ascii"),
        )
    )


def _parse(stored: str) -> tuple[int, int, int, bytes, bytes] | None:
    parts = stored.split("$")
    if len(parts) != 6 or parts[0] != SCHEME:
        return None
    try:
        log_n, r, p = int(parts[1]), int(parts[2]), int(parts[3])
        salt = base64.b64decode(parts[4], validate=True)
        digest = base64.b64decode(parts[5], validate=True)
    except (ValueError, binascii.Error):
        return None
    if not (1 <= log_n <= _MAX_LOG_N and 1 <= r <= _MAX_R and 1 <= p <= _MAX_P):
        return None
    if not salt or len(digest) < 16:
        return None
    return log_n, r, p, salt, digest


def verify_password(password: str, stored: str) -> bool:
    """True when ``password`` matches ``stored``; False for a wrong password or a bad value."""
    parsed = _parse(stored)
    if parsed is None:
        return False
    log_n, r, p, salt, digest = parsed
    try:
        candidate = _kdf(password, salt, log_n, r, p, len(digest))
    except (ValueError, InvalidKey, MemoryError):
        return False
    return hmac.compare_digest(candidate, digest)


def needs_rehash(stored: str, *, log_n: int = DEFAULT_LOG_N) -> bool:
    """True when ``stored`` is unreadable or weaker than the cost wanted now (``log_n``)."""
    parsed = _parse(stored)
    if parsed is None:
        return True
    stored_log_n, r, p, salt, digest = parsed
    return (
        stored_log_n < log_n
        or r < DEFAULT_R
        or p < DEFAULT_P
        or len(salt) < SALT_BYTES
        or len(digest) < HASH_BYTES
    )
