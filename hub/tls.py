"""The hub's TLS identity: its own CA and server certificate, or the operator's.

By default the hub is its own certificate authority. On first start it creates a CA (ECDSA
P-256, 20 years) and a server certificate signed by it, and keeps both in its database
(``meta``), so every hub process on one database presents the same identity and a backup
carries it. Spokes pin the CA's public key at enrolment (the pin travels in the enrolment
token, ``app.domain.enrolment``), so the server certificate can be re-issued (new names, near
expiry) without touching any spoke. An operator who has a certificate of their own passes the
chain and key files instead; the last certificate of the chain is then the anchor spokes pin.

The CA key in the database is no weaker than the data beside it: whoever can read the hub's
database can read every patient in it already.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import os
import shutil
import socket
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Final

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from app.domain import enrolment
from hub.storage import HubStore

KEY_CA: Final = "tls.ca"  # JSON {cert, key}: the hub's own CA
KEY_LEAF: Final = "tls.leaf"  # JSON {cert, key}: the server certificate it issued
KEY_ANCHOR: Final = "tls.anchor"  # PEM: what spokes pin (the own CA, or the operator's)
KEY_PUBLIC_ADDRESS: Final = "public_address"  # HOST:PORT, the address enrolment tokens carry

CA_YEARS: Final = 20
LEAF_DAYS: Final = 825
# A server certificate with less than this left is re-issued when the hub starts.
RENEW_BEFORE: Final = timedelta(days=60)
_ORG: Final = "HWC Spoke hub"


class TlsError(ValueError):
    """The operator's certificate or key cannot be used; the message says why."""


@dataclass(frozen=True, slots=True)
class HubIdentity:
    cert_chain_pem: str  # the server certificate, then its issuers
    key_pem: str = field(repr=False)
    anchor_pem: str  # the certificate spokes pin

    @property
    def pin(self) -> bytes:
        return anchor_pin(self.anchor_pem)


def anchor_pin(anchor_pem: str) -> bytes:
    cert = x509.load_pem_x509_certificate(anchor_pem.encode())
    spki = cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return enrolment.pin_of(spki)


# -- the hub's own CA ---------------------------------------------------------------------------


def own_identity(
    store: HubStore, names: Iterable[str], *, now: datetime | None = None
) -> HubIdentity:
    """The hub's own CA (created once) and a server certificate for ``names`` (re-issued when
    a name is missing from it or it is near expiry); recorded as the anchor spokes pin."""
    now = now or datetime.now(UTC)
    ca_cert, ca_key = _own_ca(store, now)
    wanted = sorted({n.strip().lower().strip("[]") for n in names if n.strip()})
    leaf_pem, leaf_key_pem = _current_leaf(store, wanted, now)
    if leaf_pem is None:
        leaf_pem, leaf_key_pem = _issue_leaf(ca_cert, ca_key, wanted, now)
        store.meta_put(KEY_LEAF, json.dumps({"cert": leaf_pem, "key": leaf_key_pem}))
    ca_pem = ca_cert.public_bytes(serialization.Encoding.PEM).decode()
    store.meta_put(KEY_ANCHOR, ca_pem)
    return HubIdentity(leaf_pem + ca_pem, leaf_key_pem, ca_pem)


def _own_ca(store: HubStore, now: datetime) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    stored = store.meta_get(KEY_CA)
    if stored is None:
        new_cert, new_key = _new_ca(now)
        proposal = json.dumps({"cert": _pem(new_cert), "key": _key_pem(new_key)})
        # Two hub processes starting at once on one database: the first CA written wins.
        stored = store.meta_put(KEY_CA, proposal, replace=False)
    doc = json.loads(stored)
    key = serialization.load_pem_private_key(doc["key"].encode(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise TlsError("the hub's stored CA key is not an EC key")
    return x509.load_pem_x509_certificate(doc["cert"].encode()), key


def _new_ca(now: datetime) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, _ORG),
            x509.NameAttribute(NameOID.COMMON_NAME, f"{_ORG} CA {now:%Y-%m-%d %H:%M:%S}"),
        ]
    )
    public = key.public_key()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))  # a spoke's clock a little behind still works
        .not_valid_after(now + timedelta(days=365 * CA_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )
    return cert, key


def _current_leaf(store: HubStore, names: Sequence[str], now: datetime) -> tuple[str | None, str]:
    stored = store.meta_get(KEY_LEAF)
    if stored is None:
        return None, ""
    doc = json.loads(stored)
    cert = x509.load_pem_x509_certificate(doc["cert"].encode())
    if cert.not_valid_after_utc - now < RENEW_BEFORE:
        return None, ""
    covered = {str(n).lower() for n in _san_values(cert)}
    if not set(names) <= covered:
        return None, ""
    return str(doc["cert"]), str(doc["key"])


def _issue_leaf(
    ca_cert: x509.Certificate,
    ca_key: ec.EllipticCurvePrivateKey,
    names: Sequence[str],
    now: datetime,
) -> tuple[str, str]:
    key = ec.generate_private_key(ec.SECP256R1())
    sans: list[x509.GeneralName] = []
    for name in names:
        try:
            sans.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            sans.append(x509.DNSName(name))
    cert = (
        x509.CertificateBuilder()
        .subject_name(
            x509.Name(
                [
                    x509.NameAttribute(NameOID.ORGANIZATION_NAME, _ORG),
                    x509.NameAttribute(NameOID.COMMON_NAME, names[0] if names else "hub"),
                ]
            )
        )
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(min(now + timedelta(days=LEAF_DAYS), ca_cert.not_valid_after_utc))
        .add_extension(x509.SubjectAlternativeName(sans), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    return _pem(cert), _key_pem(key)


def _san_values(cert: x509.Certificate) -> list[object]:
    try:
        ext = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    except x509.ExtensionNotFound:
        return []
    return [
        *ext.value.get_values_for_type(x509.DNSName),
        *ext.value.get_values_for_type(x509.IPAddress),
    ]


def _pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def _key_pem(key: ec.EllipticCurvePrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


# -- the operator's certificate ---------------------------------------------------------------


def operator_identity(store: HubStore, cert_file: Path, key_file: Path) -> HubIdentity:
    """The operator's chain (server certificate first) and key; its last certificate becomes
    the anchor that new enrolment tokens pin."""
    try:
        chain_pem = Path(cert_file).read_text(encoding="ascii")
        key_pem = Path(key_file).read_text(encoding="ascii")
        chain = x509.load_pem_x509_certificates(chain_pem.encode())
        serialization.load_pem_private_key(key_pem.encode(), password=None)
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise TlsError(f"cannot use the certificate {cert_file} and key {key_file}: {exc}") from exc
    anchor_pem = _pem(chain[-1])
    store.meta_put(KEY_ANCHOR, anchor_pem)
    return HubIdentity(chain_pem, key_pem, anchor_pem)


# -- names and files ---------------------------------------------------------------------------


def this_machines_names(*extra: str) -> list[str]:
    """Names a spoke may reach this hub by: loopback, the host name, its main address, and
    ``extra`` (the public address, names the operator adds)."""
    names = ["localhost", "127.0.0.1", "::1", *extra]
    with contextlib.suppress(OSError):
        names += [socket.gethostname(), socket.getfqdn()]
    main = main_address()
    if main:
        names.append(main)
    return [n for n in dict.fromkeys(n.strip().lower() for n in names) if n]


def main_address() -> str | None:
    """This machine's address on the network that leads to the outside, or None. A UDP
    socket's ``connect`` only chooses a route; it sends nothing."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: never answered, never needed
            address = str(probe.getsockname()[0])
    except OSError:
        return None
    return None if address.startswith("127.") or address == "0.0.0.0" else address


@contextlib.contextmanager
def files_for(identity: HubIdentity) -> Iterator[tuple[Path, Path]]:
    """The chain and key as files (what ``ssl`` loads), in a private folder removed on exit:
    keep the block open only until the server has loaded them."""
    folder = Path(tempfile.mkdtemp(prefix="hwc-hub-tls-"))  # mode 0700
    try:
        cert = folder / "cert.pem"
        key = folder / "key.pem"
        cert.write_text(identity.cert_chain_pem, encoding="ascii")
        fd = os.open(key, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(identity.key_pem)
        yield cert, key
    finally:
        shutil.rmtree(folder, ignore_errors=True)
