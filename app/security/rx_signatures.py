"""E-prescription signatures: specialists' keys, the hub's key certificates, signatures and
the QR payload a pharmacist checks offline (docs/SECURITY.md, "Signatures").

Shared by the hub and the spoke; pure functions over bytes and text (no files, no network, no
Qt), safe from any thread. What is signed is opaque here: the caller passes the exact bytes
(``app.domain.prescriptions.canonical_bytes``), so this module never depends on the
prescription's shape. Only ``prescription_facts`` looks inside, to show a pharmacist what to
compare with the paper, and it never fails on a shape it does not know.

**Specialist keys.** Ed25519. The 32-byte private seed is sealed with AES-256-GCM under a key
derived from the specialist's password with scrypt. Chosen over PKCS#8
``BestAvailableEncryption`` because that one picks its KDF and cost itself (PBKDF2, an
iteration count we can neither set nor raise), while here the cost is explicit, stored in the
blob and can be raised on the next password change, like ``app.security.passwords``. GCM's tag
makes a wrong password a clear failure (checked in constant time by OpenSSL), and the blob's
header (cost, salt, public key) is the associated data, so it cannot be edited either. Sealed
form, one line of ASCII::

    rxkey1$<log2 n>$<r>$<p>$<salt b64url>$<nonce b64url>$<public key b64url>$<ciphertext b64url>

Default cost scrypt n=2**17, r=8, p=1 (128 MiB, ~0.4 s): a copy of the blob is all an
attacker needs to try passwords offline, and a guessed one forges prescriptions, so this is
OWASP's recommended minimum, above the login hashes' 2**15.

**Key ids** are the first 8 bytes of SHA-256 of the raw public key, in hex (16 characters):
a key id names exactly one key, so a certificate cannot pair an id with another key.

**Key certificates.** The hub's Ed25519 key signs a small statement binding a specialist's
public key to who they are. The statement is canonical JSON (keys sorted, no spaces, UTF-8,
text NFC-normalised, optional fields left out when absent); a decoder re-encodes what it read
and refuses anything that is not byte for byte that form, so each certificate has exactly one
encoding. Encoded certificate: the statement bytes, then the hub's 64-byte signature over
``b"hwc-rx-cert/1\\n" + statement``.

**Prescription signatures.** Ed25519 over ``b"hwc-rx-sig/1\\n" + key_id + b"\\n" + payload``:
the prefixes keep a prescription signature and a certificate signature from ever being taken
for each other, and the key id is bound to the signature.

**QR payload.** ``RX1:`` then base45 (RFC 9285) of the zlib stream (level 9, with the
preset dictionary ``QR_ZDICT``, which is part of version 1 and never changes) of::

    signature (64 bytes) | certificate length (2 bytes, big-endian) | certificate | payload

The key id travels inside the certificate. Base45 uses only the QR code's alphanumeric
characters, 5.5 bits each, so a byte costs 8.25 bits against 10.7 for base64 in byte mode
(what EU health certificates chose for the same reason). The dictionary holds the JSON keys
(docs/PRESCRIPTIONS.md, "The canonical form"), the teleconsultation note and the words every
prescription and certificate repeats, which a stream too short to have seen them once cannot
otherwise compress: 1,000 bytes deflated instead of 1,440 for a median 3.2 KB prescription.

Budget: at most ``MAX_QR_CHARS`` (1,994) characters, the most QR version 30 holds at error
level M in alphanumeric mode: 137 modules, 65 mm square with its quiet zone at 0.45 mm a
module, on a 148 mm wide A5 sheet. Measured on the documented canonical form
(``tests/security``, ``bench/bench_rx_verify.py``): 1 item, 1.2 KB of JSON, 966 characters
(version 20); 3 items, 1.8 KB, 1,089 (version 22); 8 items, 3.4 KB, 1,428 (version 25);
12 items, 4.6 KB, 1,605 (version 27). The headroom is for text in Devanagari (3 UTF-8 bytes a
letter). About 300 characters are two signatures and a public key, which do not compress.
A longer prescription raises ``QrPayloadTooLarge`` rather than print a code phones struggle to
read.
"""

from __future__ import annotations

import base64
import binascii
import enum
import hashlib
import json
import os
import sys
import unicodedata
import zlib
from array import array
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, Final

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

# -- errors ------------------------------------------------------------------------------------


class RxKeyError(ValueError):
    """A sealed specialist key that cannot be read (damaged, or not one of ours)."""


class WrongPassword(RxKeyError):
    """The password does not open this key (or the sealed key was altered)."""


class CertificateError(ValueError):
    """Bytes that are not a well-formed key certificate; the message says what is wrong."""


class QrPayloadError(ValueError):
    """Text that is not a readable prescription QR payload; the message says why."""


class QrPayloadTooLarge(ValueError):
    """The prescription would not fit a QR code that prints legibly on A5."""


# -- small encodings ---------------------------------------------------------------------------


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Strict unpadded base64url; ValueError for anything else."""
    if not isinstance(text, str) or not text.isascii() or "=" in text:
        raise ValueError("not unpadded base64url")
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ValueError("not base64url") from exc
    if b64url(data) != text:  # stray characters or non-zero padding bits
        raise ValueError("not canonical base64url")
    return data


def key_id_of(public_key: bytes) -> str:
    return hashlib.sha256(public_key).digest()[:8].hex()


def public_bytes(key: Ed25519PublicKey | Ed25519PrivateKey) -> bytes:
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_key_text(key: Ed25519PublicKey | Ed25519PrivateKey) -> str:
    """The raw 32-byte public key in base64url: how the hub's key is published and typed."""
    return b64url(public_bytes(key))


def parse_public_key(text: str) -> Ed25519PublicKey:
    """The key ``public_key_text`` wrote; ValueError with a plain message otherwise."""
    try:
        raw = b64url_decode(text.strip())
    except ValueError:
        raise ValueError("the hub key must be 43 characters of base64url") from None
    if len(raw) != 32:
        raise ValueError("the hub key must be 32 bytes (43 characters of base64url)")
    return _public_key(raw)


@lru_cache(maxsize=1024)
def _public_key(raw: bytes) -> Ed25519PublicKey:
    # Parsed keys are immutable and a verifier meets the same few keys again and again.
    return Ed25519PublicKey.from_public_bytes(raw)


# -- specialist keys ---------------------------------------------------------------------------

SEAL_SCHEME: Final = "rxkey1"
DEFAULT_LOG_N: Final = 17
DEFAULT_R: Final = 8
DEFAULT_P: Final = 1
_SALT_BYTES: Final = 16
_NONCE_BYTES: Final = 12
# Refuse absurd costs read from a blob rather than allocate gigabytes for them.
_MAX_LOG_N: Final = 20
_MAX_R: Final = 32
_MAX_P: Final = 16


@dataclass(frozen=True, slots=True)
class SpecialistKey:
    """A specialist's key as stored: the public half in clear, the private half sealed."""

    key_id: str
    public_key: bytes
    sealed: str = field(repr=False)


def scrypt_kek(secret: bytes, salt: bytes, log_n: int, r: int, p: int) -> bytes:
    """A 32-byte key-encryption key from a secret (a password's UTF-8): what seals a
    specialist's key here and wraps the database key in ``app.security.keyslots``."""
    return Scrypt(salt=salt, length=32, n=2**log_n, r=r, p=p).derive(secret)


def check_scrypt_cost(log_n: int, r: int, p: int) -> None:
    """``ValueError`` for a cost outside what this program makes or accepts from a file."""
    if not (1 <= log_n <= _MAX_LOG_N and 1 <= r <= _MAX_R and 1 <= p <= _MAX_P):
        raise ValueError("scrypt parameters out of range")


def _seal_key(password: str, salt: bytes, log_n: int, r: int, p: int) -> bytes:
    return scrypt_kek(password.encode("utf-8"), salt, log_n, r, p)


def _seal(
    private: Ed25519PrivateKey, password: str, log_n: int, r: int, p: int
) -> tuple[str, bytes]:
    if not (1 <= log_n <= _MAX_LOG_N and 1 <= r <= _MAX_R and 1 <= p <= _MAX_P):
        raise ValueError("scrypt parameters out of range")
    if not password:
        raise ValueError("the password must not be empty")
    seed = private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    public = public_bytes(private)
    salt, nonce = os.urandom(_SALT_BYTES), os.urandom(_NONCE_BYTES)
    header = "$".join(
        (SEAL_SCHEME, str(log_n), str(r), str(p), b64url(salt), b64url(nonce), b64url(public))
    )
    box = AESGCM(_seal_key(password, salt, log_n, r, p))
    ciphertext = box.encrypt(nonce, seed, header.encode("ascii"))
    return f"{header}${b64url(ciphertext)}", public


def new_specialist_key(
    password: str, *, log_n: int = DEFAULT_LOG_N, r: int = DEFAULT_R, p: int = DEFAULT_P
) -> SpecialistKey:
    """A new Ed25519 key pair, its private half sealed under ``password``. Tests pass a small
    ``log_n``; the app never does. Slow (scrypt): not on the GUI thread."""
    sealed, public = _seal(Ed25519PrivateKey.generate(), password, log_n, r, p)
    return SpecialistKey(key_id_of(public), public, sealed)


def _parse_sealed(sealed: str) -> tuple[str, int, int, int, bytes, bytes, bytes, bytes]:
    parts = sealed.split("$") if isinstance(sealed, str) else []
    if len(parts) != 8 or parts[0] != SEAL_SCHEME:
        raise RxKeyError("not a sealed prescription-signing key")
    try:
        log_n, r, p = int(parts[1]), int(parts[2]), int(parts[3])
        salt, nonce, public, ciphertext = (b64url_decode(x) for x in parts[4:])
    except ValueError:
        raise RxKeyError("the sealed key is damaged") from None
    if not (1 <= log_n <= _MAX_LOG_N and 1 <= r <= _MAX_R and 1 <= p <= _MAX_P):
        raise RxKeyError("the sealed key's scrypt parameters are out of range")
    if len(salt) < 8 or len(nonce) != _NONCE_BYTES or len(public) != 32 or len(ciphertext) != 48:
        raise RxKeyError("the sealed key is damaged")
    header = sealed.rsplit("$", 1)[0]
    return header, log_n, r, p, salt, nonce, public, ciphertext


def sealed_public_key(sealed: str) -> bytes:
    """The raw public key a sealed key carries (no password needed); RxKeyError if damaged."""
    return _parse_sealed(sealed)[6]


def unlock(sealed: str, password: str) -> Ed25519PrivateKey:
    """The private key; ``WrongPassword`` when ``password`` does not open it, ``RxKeyError``
    when the blob is damaged. Slow (scrypt): not on the GUI thread."""
    header, log_n, r, p, salt, nonce, public, ciphertext = _parse_sealed(sealed)
    try:
        box = AESGCM(_seal_key(password, salt, log_n, r, p))
        seed = box.decrypt(nonce, ciphertext, header.encode("ascii"))
    except InvalidTag:
        raise WrongPassword("wrong password for the prescription-signing key") from None
    except (ValueError, MemoryError) as exc:
        raise RxKeyError(f"the sealed key cannot be opened: {exc}") from None
    private = Ed25519PrivateKey.from_private_bytes(seed)
    if public_bytes(private) != public:  # cannot happen unless sealed by something else
        raise RxKeyError("the sealed key does not match its public key")
    return private


def reseal(
    sealed: str,
    old_password: str,
    new_password: str,
    *,
    log_n: int = DEFAULT_LOG_N,
    r: int = DEFAULT_R,
    p: int = DEFAULT_P,
) -> str:
    """The same key sealed under ``new_password`` (fresh salt and nonce, today's cost): on a
    password change. ``WrongPassword`` if ``old_password`` does not open it."""
    return _seal(unlock(sealed, old_password), new_password, log_n, r, p)[0]


# -- the hub's key ---------------------------------------------------------------------------


def new_hub_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def hub_key_pem(key: Ed25519PrivateKey) -> str:
    """PKCS#8 PEM, unencrypted: kept where the hub keeps its TLS CA key (hub/tls.py says why)."""
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")


def load_hub_key_pem(pem: str) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(pem.encode("ascii"), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("the hub's signing key is not an Ed25519 key")
    return key


# -- key certificates --------------------------------------------------------------------------

_CERT_CONTEXT: Final = b"hwc-rx-cert/1\n"
_SIG_CONTEXT: Final = b"hwc-rx-sig/1\n"
SIGNATURE_BYTES: Final = 64
_MAX_CERT_BYTES: Final = 2048
_MAX_FIELD_CHARS: Final = 200


def _utc_text(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("certificate times must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_utc(text: str) -> datetime:
    moment = datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    if _utc_text(moment) != text:
        raise ValueError("not a canonical time")
    return moment


@dataclass(frozen=True, slots=True)
class KeyCertificate:
    """What the hub vouches for: this public key is this specialist's, from ``valid_from``
    (to ``not_after`` when set; never from ``revoked_at`` on). Times are whole UTC seconds."""

    public_key: bytes
    user_id: str
    name: str
    registration_no: str
    council: str
    specialty: str
    valid_from: datetime
    not_after: datetime | None = None
    revoked_at: datetime | None = None

    @property
    def key_id(self) -> str:
        return key_id_of(self.public_key)

    def statement(self) -> bytes:
        """The deterministic encoding the hub signs."""
        if len(self.public_key) != 32:
            raise ValueError("an Ed25519 public key is 32 bytes")
        doc: dict[str, Any] = {
            "v": 1,
            "kid": self.key_id,
            "pub": b64url(self.public_key),
            "uid": self.user_id,
            "name": self.name,
            "reg": self.registration_no,
            "council": self.council,
            "spec": self.specialty,
            "from": _utc_text(self.valid_from),
        }
        for key in ("uid", "name", "reg", "council", "spec"):
            value = doc[key]
            if not isinstance(value, str) or unicodedata.normalize("NFC", value) != value:
                raise ValueError(f"certificate field {key} must be NFC text")
            if len(value) > _MAX_FIELD_CHARS:
                raise ValueError(f"certificate field {key} is too long")
        if self.not_after is not None:
            doc["until"] = _utc_text(self.not_after)
        if self.revoked_at is not None:
            doc["revoked"] = _utc_text(self.revoked_at)
        text = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return text.encode("utf-8")


@dataclass(frozen=True, slots=True)
class SignedCertificate:
    certificate: KeyCertificate
    statement: bytes
    signature: bytes  # the hub's, over _CERT_CONTEXT + statement

    @property
    def key_id(self) -> str:
        return self.certificate.key_id

    def encode(self) -> bytes:
        return self.statement + self.signature

    def text(self) -> str:
        """base64url of ``encode()``: how the hub publishes certificates in JSON."""
        return b64url(self.encode())


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text.strip())


def issue_certificate(
    hub_key: Ed25519PrivateKey,
    *,
    public_key: bytes,
    user_id: str,
    name: str,
    registration_no: str,
    council: str,
    specialty: str,
    valid_from: datetime,
    not_after: datetime | None = None,
    revoked_at: datetime | None = None,
) -> SignedCertificate:
    """The hub's signed statement for a specialist's key (the hub calls it; to revoke, issue
    it again with ``revoked_at``)."""
    cert = KeyCertificate(
        public_key,
        _nfc(user_id),
        _nfc(name),
        _nfc(registration_no),
        _nfc(council),
        _nfc(specialty),
        valid_from.replace(microsecond=0),
        None if not_after is None else not_after.replace(microsecond=0),
        None if revoked_at is None else revoked_at.replace(microsecond=0),
    )
    statement = cert.statement()
    return SignedCertificate(cert, statement, hub_key.sign(_CERT_CONTEXT + statement))


def decode_certificate(data: bytes | str) -> SignedCertificate:
    """An encoded certificate (bytes, or the base64url ``text()``), its form checked but not
    its signature (``certificate_signed_by`` does that); ``CertificateError`` otherwise."""
    if isinstance(data, str):
        try:
            data = b64url_decode(data)
        except ValueError:
            raise CertificateError("a certificate's text must be base64url") from None
    if not isinstance(data, bytes | bytearray | memoryview):
        raise CertificateError("a certificate is bytes")
    data = bytes(data)
    if not SIGNATURE_BYTES < len(data) <= _MAX_CERT_BYTES:
        raise CertificateError("a certificate has the wrong length")
    statement, signature = data[:-SIGNATURE_BYTES], data[-SIGNATURE_BYTES:]
    cert = _parse_statement(statement)
    return SignedCertificate(cert, statement, signature)


def _parse_statement(statement: bytes) -> KeyCertificate:
    try:
        doc = json.loads(statement.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise CertificateError("a certificate's statement is not JSON") from None
    if not isinstance(doc, dict) or doc.get("v") != 1:
        raise CertificateError("not a version 1 key certificate")
    texts = ("kid", "pub", "uid", "name", "reg", "council", "spec", "from")
    if not all(isinstance(doc.get(k), str) for k in texts):
        raise CertificateError("a key certificate lacks a field")
    extra = set(doc) - {*texts, "v", "until", "revoked"}
    if extra:
        raise CertificateError(f"a key certificate has unknown fields: {sorted(extra)}")
    try:
        public = b64url_decode(doc["pub"])
        until, revoked = doc.get("until"), doc.get("revoked")
        cert = KeyCertificate(
            public,
            doc["uid"],
            doc["name"],
            doc["reg"],
            doc["council"],
            doc["spec"],
            _parse_utc(doc["from"]),
            None if until is None else _parse_utc(until),
            None if revoked is None else _parse_utc(revoked),
        )
        canonical = cert.statement()
    except (ValueError, TypeError) as exc:
        raise CertificateError(f"a key certificate is malformed: {exc}") from None
    if canonical != statement or doc["kid"] != cert.key_id:
        # One certificate, one encoding: anything else was not written by the hub.
        raise CertificateError("a key certificate is not in its canonical form")
    return cert


@lru_cache(maxsize=4096)
def _hub_signed(statement: bytes, signature: bytes, hub_public: bytes) -> bool:
    # A pure function of its arguments (the exact bytes), so remembering it is safe; a
    # verifier meets the same few certificates on most prescriptions.
    try:
        _public_key(hub_public).verify(signature, _CERT_CONTEXT + statement)
    except (InvalidSignature, ValueError):
        return False
    return True


def certificate_signed_by(signed: SignedCertificate, hub_public_key: Ed25519PublicKey) -> bool:
    return _hub_signed(signed.statement, signed.signature, public_bytes(hub_public_key))


# -- prescription signatures -------------------------------------------------------------------


def _signed_message(key_id: str, payload: bytes) -> bytes:
    return _SIG_CONTEXT + key_id.encode("ascii") + b"\n" + payload


def sign(private_key: Ed25519PrivateKey, key_id: str, payload: bytes) -> bytes:
    """The 64-byte signature of ``payload`` (the canonical prescription bytes)."""
    if key_id != key_id_of(public_bytes(private_key)):
        raise ValueError("the key id is not this key's")
    return private_key.sign(_signed_message(key_id, payload))


class Status(enum.Enum):
    VALID = "valid"
    TAMPERED = "tampered"  # the signature does not match these bytes
    UNKNOWN_SIGNER = "unknown signer"  # no certificate from this hub for the key
    REVOKED = "revoked"
    EXPIRED = "expired"  # signed outside the certificate's validity
    UNREADABLE = "unreadable"  # only from check_qr_payload: not a payload at all


@dataclass(frozen=True, slots=True)
class Verdict:
    status: Status
    reason: str
    certificate: KeyCertificate | None = None  # the hub-signed one the check used

    @property
    def valid(self) -> bool:
        return self.status is Status.VALID


def _certificates(
    certificates: Iterable[SignedCertificate | bytes | str] | Mapping[str, Any],
) -> Iterable[Any]:
    return certificates.values() if isinstance(certificates, Mapping) else certificates


def verify(
    payload: bytes,
    signature: bytes,
    key_id: str,
    certificates: Iterable[SignedCertificate | bytes | str] | Mapping[str, Any],
    hub_public_key: Ed25519PublicKey,
    *,
    at: datetime | None = None,
) -> Verdict:
    """Whether ``signature`` is ``key_id``'s over ``payload``, by a key the hub certified.

    ``certificates``: what the verifier holds (decoded or encoded; a mapping's values are
    used); only those the hub key signed count, and one that says revoked wins. ``at``: when
    the prescription says it was signed; with it, a signature outside the certificate's
    validity is EXPIRED and one from its revocation on is REVOKED. Without it, any revocation
    counts. Never raises: malformed input is a verdict with a reason.
    """
    try:
        return _verify(payload, signature, key_id, certificates, hub_public_key, at)
    except Exception as exc:  # a verifier must answer, whatever it is handed
        return Verdict(Status.TAMPERED, f"unusable input ({type(exc).__name__})")


def _verify(
    payload: bytes,
    signature: bytes,
    key_id: str,
    certificates: Iterable[SignedCertificate | bytes | str] | Mapping[str, Any],
    hub_public_key: Ed25519PublicKey,
    at: datetime | None,
) -> Verdict:
    if not isinstance(key_id, str) or not key_id.isascii() or len(key_id) > 64:
        return Verdict(Status.UNKNOWN_SIGNER, "the key id is malformed")
    certified: list[KeyCertificate] = []
    for item in _certificates(certificates):
        try:
            signed = item if isinstance(item, SignedCertificate) else decode_certificate(item)
        except CertificateError:
            continue
        if signed.key_id == key_id and certificate_signed_by(signed, hub_public_key):
            certified.append(signed.certificate)
    if not certified:
        return Verdict(Status.UNKNOWN_SIGNER, f"no certificate from this hub for key {key_id}")
    cert = next((c for c in certified if c.revoked_at is not None), certified[0])
    if not isinstance(payload, bytes | bytearray | memoryview):
        return Verdict(Status.TAMPERED, "the prescription is not bytes", cert)
    if not isinstance(signature, bytes | bytearray) or len(signature) != SIGNATURE_BYTES:
        return Verdict(Status.TAMPERED, "the signature is malformed", cert)
    try:
        _public_key(cert.public_key).verify(
            bytes(signature), _signed_message(key_id, bytes(payload))
        )
    except (InvalidSignature, ValueError):
        return Verdict(Status.TAMPERED, "the signature does not match the prescription", cert)
    if cert.revoked_at is not None and (at is None or at >= cert.revoked_at):
        return Verdict(Status.REVOKED, f"the key was revoked on {cert.revoked_at:%Y-%m-%d}", cert)
    if at is not None and at < cert.valid_from:
        return Verdict(Status.EXPIRED, "signed before the key was certified", cert)
    if at is not None and cert.not_after is not None and at >= cert.not_after:
        return Verdict(
            Status.EXPIRED, f"signed after the key expired ({cert.not_after:%Y-%m-%d})", cert
        )
    return Verdict(Status.VALID, "the signature matches, by a key the hub certified", cert)


# -- base45 (RFC 9285) -------------------------------------------------------------------------

_B45: Final = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_B45_BYTES: Final = _B45.encode("ascii")
# Each byte to its base45 value; anything outside the alphabet to 255.
_B45_VALUES: Final = bytes(_B45_BYTES.index(c) if c in _B45_BYTES else 255 for c in range(256))


def base45_encode(data: bytes) -> str:
    words = array("H")
    words.frombytes(data[: len(data) & ~1])
    if sys.byteorder == "little":
        words.byteswap()  # big-endian pairs: the first byte is the high one
    out = bytearray()
    alphabet = _B45_BYTES
    for n in words:
        e, rest = divmod(n, 2025)
        d, c = divmod(rest, 45)
        out += bytes((alphabet[c], alphabet[d], alphabet[e]))
    if len(data) % 2:
        d, c = divmod(data[-1], 45)
        out += bytes((alphabet[c], alphabet[d]))
    return out.decode("ascii")


def base45_decode(text: str) -> bytes:
    """ValueError for characters outside the alphabet, a dangling character, or a group
    that is out of range."""
    try:
        raw = text.encode("ascii")
    except UnicodeEncodeError:
        raise ValueError("characters outside base45") from None
    values = raw.translate(_B45_VALUES)
    if 255 in values:
        raise ValueError("characters outside base45")
    whole, left = divmod(len(values), 3)
    if left == 1:
        raise ValueError("base45 text of a length it cannot have")
    end = whole * 3
    try:
        words = array(
            "H",
            [
                c + 45 * d + 2025 * e
                for c, d, e in zip(values[0:end:3], values[1:end:3], values[2:end:3], strict=True)
            ],
        )
    except OverflowError:
        raise ValueError("a base45 group is out of range") from None
    if sys.byteorder == "little":
        words.byteswap()
    out = words.tobytes()
    if left == 2:
        last = values[end] + 45 * values[end + 1]
        if last > 255:
            raise ValueError("a base45 group is out of range")
        out += bytes((last,))
    return out


# -- the QR payload ----------------------------------------------------------------------------

QR_PREFIX: Final = "RX1:"
# What QR version 30 holds at error level M in alphanumeric mode: 65 mm square with 0.45 mm
# modules and the quiet zone, legible from a laser print on A5 (module docstring).
MAX_QR_CHARS: Final = 1994
# Part of format RX1: editing one byte makes every printed code unreadable. Deflate finds the
# nearest copy cheapest, so the most frequent strings are last.
QR_ZDICT: Final = (
    b"fever cough pain diabetes hypertension infection syrup drops ointment injection bottle"
    b" ml mcg weeks month when needed before food at bedtime 1-0-1 0-0-1 1-1-1 1-0-0 after food"
    b' "v":1}{"v":1,"visit":"first","follow_up","mode":"video","audio","text",'
    b'"investigations":["","supersedes":null,"referral":"","note":"This prescription was'
    b" issued through a teleconsultation under the Telemedicine Practice Guidelines 2020."
    b'","findings":"","chief_complaint":"","provisional_diagnosis":"","advice":"",'
    b'"patient":{"age_months":0,"age_years":,"name":"","sex":"female","male",'
    b'"practitioner":{"name":"Dr ","qualification":"MBBS, MD (Medicine)",'
    b'"registration_council":"Medical Council","registration_number":"","specialty":"'
    b'general_medicine","id":"","case_id":"","issued_at":"2026-T00:00:00Z",'
    b'{"council":"Medical Council","from":"2026-01-01T00:00:00Z","kid":"","name":"Dr. ",'
    b'"pub":"","reg":"","spec":"General Medicine","uid":"","until":"",'
    b'"items":[{"brand":"","continuation":false,"dosage_form":"tablet","capsule",'
    b'"dose":"1 tablet","duration_days":,"frequency":"","generic_name":"",'
    b'"instructions":"","off_formulary_reason":"","quantity":,"quantity_unit":"tablet",'
    b'"route":"oral","strength":" mg","substitution_allowed":true},{"brand":"",'
)
# The most a payload may inflate to: a few KB is a long prescription; anything bigger is not
# ours, and a small code must not become a big allocation.
_MAX_INFLATED: Final = 64 * 1024


@dataclass(frozen=True, slots=True)
class QrPayload:
    payload: bytes  # the canonical prescription bytes
    signature: bytes
    certificate: SignedCertificate

    @property
    def key_id(self) -> str:
        return self.certificate.key_id


def encode_qr_payload(
    payload: bytes,
    signature: bytes,
    certificate: SignedCertificate,
    *,
    max_chars: int = MAX_QR_CHARS,
) -> str:
    """The text to put in the printout's QR code; ``QrPayloadTooLarge`` past ``max_chars``."""
    if len(signature) != SIGNATURE_BYTES:
        raise ValueError("an Ed25519 signature is 64 bytes")
    cert = certificate.encode()
    inner = signature + len(cert).to_bytes(2, "big") + cert + payload
    deflate = zlib.compressobj(9, zdict=QR_ZDICT)
    text = QR_PREFIX + base45_encode(deflate.compress(inner) + deflate.flush())
    if len(text) > max_chars:
        raise QrPayloadTooLarge(
            f"the prescription makes {len(text)} QR characters, more than {max_chars}"
        )
    return text


def decode_qr_payload(text: str) -> QrPayload:
    """The parts of a QR payload (nothing verified yet); ``QrPayloadError`` saying what is
    wrong otherwise. Only line breaks around the text are ignored: a space is base45."""
    if not isinstance(text, str):
        raise QrPayloadError("a QR payload is text")
    text = text.strip("\r\n")
    if not text.startswith(QR_PREFIX):
        raise QrPayloadError(f"not a prescription code (it does not start with {QR_PREFIX})")
    if len(text) > 4 * MAX_QR_CHARS:
        raise QrPayloadError("far too long for a prescription code")
    try:
        packed = base45_decode(text[len(QR_PREFIX) :])
    except ValueError as exc:
        raise QrPayloadError(f"the code is damaged ({exc})") from None
    inflate = zlib.decompressobj(zdict=QR_ZDICT)
    try:
        inner = inflate.decompress(packed, _MAX_INFLATED)
    except zlib.error:
        raise QrPayloadError("the code is damaged (it does not decompress)") from None
    if inflate.unconsumed_tail:
        raise QrPayloadError("the code inflates to more than a prescription can be")
    if not inflate.eof or inflate.unused_data:
        raise QrPayloadError("the code is damaged (truncated or with extra bytes)")
    if len(inner) < SIGNATURE_BYTES + 2:
        raise QrPayloadError("the code is too short to hold a signature")
    signature = inner[:SIGNATURE_BYTES]
    cert_len = int.from_bytes(inner[SIGNATURE_BYTES : SIGNATURE_BYTES + 2], "big")
    start = SIGNATURE_BYTES + 2
    if start + cert_len > len(inner):
        raise QrPayloadError("the code's certificate is cut short")
    try:
        cert = decode_certificate(inner[start : start + cert_len])
    except CertificateError as exc:
        raise QrPayloadError(f"the code's key certificate is unreadable: {exc}") from None
    return QrPayload(inner[start + cert_len :], signature, cert)


@dataclass(frozen=True, slots=True)
class QrCheck:
    verdict: Verdict
    decoded: QrPayload | None  # None when unreadable

    @property
    def status(self) -> Status:
        return self.verdict.status


def check_qr_payload(
    text: str, hub_public_key: Ed25519PublicKey, *, at: datetime | None = None
) -> QrCheck:
    """What a pharmacist's check says of a scanned code: decoded, then ``verify`` against the
    certificate it carries and the hub key. Never raises (UNREADABLE for a damaged code)."""
    try:
        decoded = decode_qr_payload(text)
    except QrPayloadError as exc:
        return QrCheck(Verdict(Status.UNREADABLE, str(exc)), None)
    verdict = verify(
        decoded.payload,
        decoded.signature,
        decoded.key_id,
        [decoded.certificate],
        hub_public_key,
        at=at,
    )
    return QrCheck(verdict, decoded)


# -- what a pharmacist compares with the paper --------------------------------------------------

# Keys of the canonical form (docs/PRESCRIPTIONS.md) first, then others seen in the wild: the
# facts are shown, never relied on, so an unknown shape only shows less.
_DATE_KEYS: Final = ("issued_at", "signed_at", "date")
_ITEM_LISTS: Final = ("items", "medicines")
_ITEM_FIELDS: Final = (
    "generic_name", "drug", "name", "strength", "dosage_form", "form", "dose", "route",
    "frequency", "duration_days", "duration", "quantity", "instructions", "brand",
)  # fmt: skip


def _text(value: object) -> str:
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, str | int | float):
        return " ".join(str(value).split())[:160]
    return ""


def _item_line(item: dict[str, Any]) -> str:
    parts: list[str] = []
    for key in _ITEM_FIELDS:
        value = _text(item.get(key))
        if not value:
            continue
        if key == "duration_days":
            value = f"{value} days"
        elif key == "quantity":
            value = f"qty {value} {_text(item.get('quantity_unit'))}".rstrip()
        elif key == "brand":
            value = f"brand {value}"
        parts.append(value)
    if item.get("continuation") is True:
        parts.append("continuation")
    if item.get("substitution_allowed") is False:
        parts.append("no substitution")
    return ", ".join(parts)


def prescription_facts(payload: bytes, certificate: KeyCertificate | None) -> list[tuple[str, str]]:
    """(label, value) lines for the pharmacist: the signer from the certificate, and date,
    patient and items read from the prescription when it is JSON of a shape known here (a
    "warning" line when the prescriber it names is not the signer). Never raises."""
    facts: list[tuple[str, str]] = []
    if certificate is not None:
        facts.append(("signed by", certificate.name))
        facts.append(("registration", f"{certificate.registration_no} ({certificate.council})"))
        facts.append(("specialty", certificate.specialty))
        facts.append(("key", certificate.key_id))
    try:
        doc = json.loads(bytes(payload).decode("utf-8"))
    except (UnicodeDecodeError, ValueError, TypeError):
        doc = None
    if not isinstance(doc, dict):
        digest = hashlib.sha256(bytes(payload)).hexdigest()[:16]
        facts.append(("prescription", f"{len(payload)} bytes, sha256 {digest}…"))
        return facts
    prescriber = doc.get("practitioner")
    if isinstance(prescriber, dict):
        reg = _text(prescriber.get("registration_number"))
        facts.append(("prescriber", f"{_text(prescriber.get('name'))}, reg. no. {reg}"))
        if certificate is not None and reg and reg != certificate.registration_no:
            facts.append(("warning", "the prescriber named is not the one who signed"))
    if _text(doc.get("id")):
        facts.append(("prescription", _text(doc["id"])))
    date = next((_text(doc[k]) for k in _DATE_KEYS if _text(doc.get(k))), "")
    if date:
        facts.append(("date", date))
    patient = doc.get("patient")
    if isinstance(patient, dict):
        name, sex = _text(patient.get("name")), _text(patient.get("sex"))
        years, months = _text(patient.get("age_years", patient.get("age"))), ""
        if years in ("", "0") and _text(patient.get("age_months")) not in ("", "0"):
            years, months = "", f"{_text(patient.get('age_months'))} months"
        age = f"{years} y" if years else months
        line = ", ".join(x for x in (name, age, sex) if x)
        if line:
            facts.append(("patient", line))
    items: list[Any] = next((doc[k] for k in _ITEM_LISTS if isinstance(doc.get(k), list)), [])
    for n, item in enumerate(items, 1):
        line = _item_line(item) if isinstance(item, dict) else _text(item)
        facts.append((f"item {n}", line or "(unreadable item)"))
    return facts
