"""Prescription signatures: sealed specialist keys, hub-signed key certificates, the verdicts,
and the QR payload a pharmacist checks offline."""

from __future__ import annotations

import hashlib
import json
import random
import zlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import segno
from hypothesis import given, settings
from hypothesis import strategies as st

from app.security import rx_signatures as rx
from app.security.rx_signatures import Status
from tests.security.rx_samples import VALID_FROM, prescription, signer

FAST = 4  # tests use a tiny scrypt cost through the parameter; the default is never weakened


def flipped(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1 :]


# -- specialist keys ---------------------------------------------------------------------------


def test_a_sealed_key_opens_with_its_password_only() -> None:
    made = rx.new_specialist_key("correct horse", log_n=FAST)
    assert made.key_id == rx.key_id_of(made.public_key) and len(made.key_id) == 16
    assert "correct horse" not in made.sealed and "sealed" not in repr(made)
    scheme, log_n, r, p, *_ = made.sealed.split("$")
    assert (scheme, log_n, r, p) == ("rxkey1", str(FAST), "8", "1")  # the cost travels with it
    assert rx.sealed_public_key(made.sealed) == made.public_key

    key = rx.unlock(made.sealed, "correct horse")
    assert rx.public_bytes(key) == made.public_key
    for wrong in ("correct horsE", "", "correct horse "):
        with pytest.raises(rx.WrongPassword, match="wrong password"):
            rx.unlock(made.sealed, wrong)


def test_the_default_cost_is_explicit_and_not_weaker_than_recommended() -> None:
    assert (rx.DEFAULT_LOG_N, rx.DEFAULT_R, rx.DEFAULT_P) == (17, 8, 1)


def test_a_password_change_reseals_the_same_key() -> None:
    made = rx.new_specialist_key("old pass", log_n=FAST)
    resealed = rx.reseal(made.sealed, "old pass", "new pässwörd", log_n=FAST + 1)
    assert resealed != made.sealed and resealed.split("$")[1] == str(FAST + 1)
    assert rx.sealed_public_key(resealed) == made.public_key
    assert rx.public_bytes(rx.unlock(resealed, "new pässwörd")) == made.public_key
    with pytest.raises(rx.WrongPassword):
        rx.unlock(resealed, "old pass")
    with pytest.raises(rx.WrongPassword):
        rx.reseal(made.sealed, "not it", "whatever")
    with pytest.raises(ValueError, match="empty"):
        rx.reseal(made.sealed, "old pass", "")


def test_an_edited_or_damaged_sealed_key_is_refused() -> None:
    made = rx.new_specialist_key("pw", log_n=FAST)
    parts = made.sealed.split("$")
    # The header is authenticated: a lowered cost or a swapped public key does not open.
    cheaper = "$".join([parts[0], str(FAST - 1), *parts[2:]])
    other_public = rx.new_specialist_key("pw", log_n=FAST).sealed.split("$")[6]
    swapped = "$".join([*parts[:6], other_public, parts[7]])
    for edited in (cheaper, swapped):
        with pytest.raises(rx.WrongPassword):
            rx.unlock(edited, "pw")
    damaged = (
        "",
        "rxkey1",
        made.sealed.replace("rxkey1", "rxkey2"),
        "$".join([parts[0], "99", *parts[2:]]),  # an absurd cost is not even tried
        "$".join([*parts[:7], parts[7][:-4]]),
        "$".join([*parts[:4], "!!", *parts[5:]]),
        made.sealed + "$x",
    )
    for bad in damaged:
        with pytest.raises(rx.RxKeyError):
            rx.unlock(bad, "pw")


# -- certificates ------------------------------------------------------------------------------


def test_a_certificate_has_one_encoding_and_round_trips() -> None:
    hub = rx.new_hub_key()
    s = signer(hub, name="Dr. Anil Sharma", not_after=VALID_FROM + timedelta(days=730))
    again = rx.issue_certificate(
        hub,
        public_key=s.certificate.certificate.public_key,
        user_id=s.certificate.certificate.user_id,
        name="  Dr. Anil Sharma ",  # trimmed
        registration_no="UPMC-45821",
        council="Uttar Pradesh Medical Council",
        specialty="General Medicine",
        valid_from=VALID_FROM.replace(microsecond=123),  # whole seconds
        not_after=VALID_FROM + timedelta(days=730),
    )
    assert again.statement == s.certificate.statement
    decoded = rx.decode_certificate(s.certificate.encode())
    assert decoded == s.certificate
    assert rx.decode_certificate(s.certificate.text()) == s.certificate
    doc = json.loads(s.certificate.statement)
    assert doc["kid"] == s.key_id and doc["until"] == "2028-01-01T00:00:00Z"
    assert "revoked" not in doc
    assert rx.certificate_signed_by(decoded, hub.public_key())
    assert not rx.certificate_signed_by(decoded, rx.new_hub_key().public_key())


def test_a_hub_signed_statement_not_in_canonical_form_is_refused() -> None:
    hub = rx.new_hub_key()
    s = signer(hub)
    doc = json.loads(s.certificate.statement)
    variants = [
        json.dumps(doc, sort_keys=True, indent=1).encode(),  # spaces
        json.dumps(dict(reversed(list(doc.items()))), separators=(",", ":")).encode(),
        s.certificate.statement[:-1] + b',"name":"Someone Else"}',  # a duplicate key
        json.dumps({**doc, "kid": "0" * 16}, sort_keys=True, separators=(",", ":")).encode(),
        json.dumps({**doc, "extra": 1}, sort_keys=True, separators=(",", ":")).encode(),
        json.dumps({**doc, "v": 2}, sort_keys=True, separators=(",", ":")).encode(),
        json.dumps({**doc, "from": "2026-01-01"}, sort_keys=True, separators=(",", ":")).encode(),
        json.dumps({**doc, "name": "Cafe\u0301"}, sort_keys=True, separators=(",", ":")).encode(),
    ]
    for statement in variants:
        # Signed by the real hub key, yet not what the hub writes: refused all the same.
        raw = statement + hub.sign(b"hwc-rx-cert/1\n" + statement)
        with pytest.raises(rx.CertificateError):
            rx.decode_certificate(raw)
    for junk in (b"", b"x" * 64, b"\xff" * 100, b"[]" + b"\0" * 64, "not base64url!", 42):
        with pytest.raises(rx.CertificateError):
            rx.decode_certificate(junk)  # type: ignore[arg-type]


# -- verdicts ------------------------------------------------------------------------------------


def test_a_signature_by_a_certified_key_is_valid() -> None:
    s = signer()
    payload = prescription(3)
    verdict = rx.verify(payload, s.sign(payload), s.key_id, [s.certificate], s.hub_public)
    assert verdict.status is Status.VALID and verdict.valid
    assert verdict.certificate is not None and verdict.certificate.registration_no == "UPMC-45821"
    # Certificates may come encoded, as text, or as a mapping by key id.
    for held in ([s.certificate.encode()], [s.certificate.text()], {s.key_id: s.certificate}):
        assert rx.verify(payload, s.sign(payload), s.key_id, held, s.hub_public).valid


def test_one_flipped_byte_anywhere_is_never_valid() -> None:
    s = signer()
    payload = prescription(3)
    signature = s.sign(payload)
    cert = s.certificate.encode()

    def status(p: bytes, sig: bytes, c: bytes) -> Status:
        return rx.verify(p, sig, s.key_id, [c], s.hub_public).status

    assert {status(flipped(payload, i), signature, cert) for i in range(len(payload))} == {
        Status.TAMPERED
    }
    assert {status(payload, flipped(signature, i), cert) for i in range(len(signature))} == {
        Status.TAMPERED
    }
    assert {status(payload, signature, flipped(cert, i)) for i in range(len(cert))} == {
        Status.UNKNOWN_SIGNER
    }
    assert status(payload + b" ", signature, cert) is Status.TAMPERED
    assert status(payload[:-1], signature, cert) is Status.TAMPERED


def test_a_certificate_from_another_hub_or_none_is_an_unknown_signer() -> None:
    ours = rx.new_hub_key()
    rogue = signer()  # certified by a hub key that is not ours
    payload = prescription(2)
    signature = rogue.sign(payload)
    verdict = rx.verify(payload, signature, rogue.key_id, [rogue.certificate], ours.public_key())
    assert verdict.status is Status.UNKNOWN_SIGNER and rogue.key_id in verdict.reason
    assert rx.verify(payload, signature, rogue.key_id, [], ours.public_key()).status is (
        Status.UNKNOWN_SIGNER
    )
    # Someone else's genuine certificate does not vouch for this key.
    other = signer(ours)
    held = [other.certificate]
    assert rx.verify(payload, signature, rogue.key_id, held, ours.public_key()).status is (
        Status.UNKNOWN_SIGNER
    )
    # ...and naming that certified key's id does not make a stranger's signature its.
    assert rx.verify(payload, signature, other.key_id, held, ours.public_key()).status is (
        Status.TAMPERED
    )


def test_revoked_and_expired_certificates() -> None:
    hub = rx.new_hub_key()
    revoked_on = datetime(2026, 6, 1, tzinfo=UTC)
    s = signer(hub, not_after=datetime(2027, 1, 1, tzinfo=UTC))
    revocation = rx.issue_certificate(
        hub,
        public_key=s.certificate.certificate.public_key,
        user_id=s.certificate.certificate.user_id,
        name="Dr. Anil Sharma",
        registration_no="UPMC-45821",
        council="Uttar Pradesh Medical Council",
        specialty="General Medicine",
        valid_from=VALID_FROM,
        not_after=datetime(2027, 1, 1, tzinfo=UTC),
        revoked_at=revoked_on,
    )
    payload = prescription(1)
    sig = s.sign(payload)

    def status(held: list[Any], at: datetime | None) -> Status:
        return rx.verify(payload, sig, s.key_id, held, hub.public_key(), at=at).status

    march, july = datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 7, 1, tzinfo=UTC)
    assert status([s.certificate], march) is Status.VALID
    assert status([s.certificate], datetime(2025, 12, 31, tzinfo=UTC)) is Status.EXPIRED
    assert status([s.certificate], datetime(2027, 1, 1, tzinfo=UTC)) is Status.EXPIRED
    # The revocation wins over the older certificate for the same key...
    assert status([s.certificate, revocation], july) is Status.REVOKED
    assert status([revocation, s.certificate], None) is Status.REVOKED
    # ...but a prescription signed before it stays valid.
    assert status([s.certificate, revocation], march) is Status.VALID
    # A tampered prescription is tampered whatever the certificate says.
    tampered = rx.verify(payload + b"!", sig, s.key_id, [revocation], hub.public_key())
    assert tampered.status is Status.TAMPERED


def test_verify_never_raises_on_malformed_input() -> None:
    s = signer()
    payload = prescription(1)
    sig = s.sign(payload)
    cases: list[tuple[Any, Any, Any, Any, Any]] = [
        (None, sig, s.key_id, [s.certificate], {}),
        ("text", sig, s.key_id, [s.certificate], {}),
        (payload, "sig", s.key_id, [s.certificate], {}),
        (payload, sig[:10], s.key_id, [s.certificate], {}),
        (payload, None, s.key_id, [s.certificate], {}),
        (payload, sig, None, [s.certificate], {}),
        (payload, sig, "é" * 16, [s.certificate], {}),
        (payload, sig, s.key_id, [None, b"", "!!", 3], {}),
        (payload, sig, s.key_id, None, {}),
        (payload, sig, s.key_id, [s.certificate], {"at": datetime(2026, 3, 1)}),  # naive
    ]
    for p, signature, key_id, certs, extra in cases:
        verdict = rx.verify(p, signature, key_id, certs, s.hub_public, **extra)
        assert verdict.status is not Status.VALID and verdict.reason
    # A broken hub key is not a reason to raise either.
    assert not rx.verify(payload, sig, s.key_id, [s.certificate], None).valid  # type: ignore[arg-type]
    # The good certificate among junk still counts.
    junk_too = [None, b"", "!!", 3, b"junk", s.certificate]
    assert rx.verify(payload, sig, s.key_id, junk_too, s.hub_public).valid


def test_sign_refuses_a_key_id_that_is_not_the_keys() -> None:
    s = signer()
    with pytest.raises(ValueError, match="key id"):
        rx.sign(s.key, "0" * 16, b"x")


def test_the_hub_key_text_round_trips_and_bad_text_says_so() -> None:
    hub = rx.new_hub_key()
    text = rx.public_key_text(hub)
    assert len(text) == 43
    assert rx.public_bytes(rx.parse_public_key(f" {text}\n")) == rx.public_bytes(hub)
    assert rx.load_hub_key_pem(rx.hub_key_pem(hub)).private_bytes_raw() == hub.private_bytes_raw()
    for bad in ("", text[:-1], text + "A", text[:-1] + "=", "+" * 43, "é" * 43):
        with pytest.raises(ValueError, match="hub key"):
            rx.parse_public_key(bad)


# -- base45 and the QR payload -----------------------------------------------------------------


def test_base45_matches_the_rfc_vectors() -> None:
    vectors = {
        b"AB": "BB8",
        b"Hello!!": "%69 VD92EX0",
        b"base-45": "UJCLQE7W581",
        b"ietf!": "QED8WEX0",
    }
    for raw, text in vectors.items():
        assert rx.base45_encode(raw) == text and rx.base45_decode(text) == raw
    assert rx.base45_decode("") == b""
    for bad in ("GGW", "A", "ABCD", "abc", "A_B", "ZZ"):  # out of range, dangling, alphabet
        with pytest.raises(ValueError):
            rx.base45_decode(bad)


@given(st.binary(max_size=300))
def test_base45_round_trips_any_bytes(data: bytes) -> None:
    assert rx.base45_decode(rx.base45_encode(data)) == data


def test_a_qr_payload_round_trips_and_checks_valid() -> None:
    s = signer()
    payload = prescription(3)
    text = s.qr(payload)
    assert text.startswith("RX1:") and set(text[4:]) <= set(rx._B45)
    decoded = rx.decode_qr_payload(text + "\r\n")  # a scanner's line break is harmless
    assert decoded.payload == payload and decoded.key_id == s.key_id
    assert decoded.certificate == s.certificate and decoded.signature == s.sign(payload)
    check = rx.check_qr_payload(text, s.hub_public)
    assert check.status is Status.VALID and check.decoded == decoded
    other_hub = rx.new_hub_key().public_key()
    assert rx.check_qr_payload(text, other_hub).status is Status.UNKNOWN_SIGNER


def test_a_re_encoded_code_with_an_edited_prescription_is_tampered() -> None:
    s = signer()
    payload = prescription(3)
    forged = payload.replace(b'"quantity":15', b'"quantity":90')
    assert forged != payload
    text = rx.encode_qr_payload(forged, s.sign(payload), s.certificate)
    assert rx.check_qr_payload(text, s.hub_public).status is Status.TAMPERED


def test_the_payload_fits_a_legible_qr_code_on_a5() -> None:
    s = signer()
    for items, version in ((1, 20), (3, 22), (8, 25), (12, 27)):
        text = s.qr(prescription(items))
        assert len(text) <= rx.MAX_QR_CHARS
        code = segno.make(text, error="m", boost_error=False)
        assert code.mode == "alphanumeric" and code.version <= version
    # The budget is what version 30-M holds in alphanumeric mode, no more.
    full = "RX1:" + "A" * (rx.MAX_QR_CHARS - 4)
    assert segno.make(full, error="m", boost_error=False).version == 30
    assert segno.make(full + "A", error="m", boost_error=False).version == 31
    with pytest.raises(rx.QrPayloadTooLarge, match="QR characters"):
        s.qr(prescription(3) + random.Random(1).randbytes(1200))  # incompressible: too much


def test_the_rx1_dictionary_is_frozen() -> None:
    # Part of the printed format: a code printed today must read with any later version.
    digest = hashlib.sha256(rx.QR_ZDICT).hexdigest()
    assert digest == "bedb27f4de9e6562afbaf14dc47d3c6435cc51c636bc5759c7ef84f9a11843b8"
    assert rx.QR_PREFIX == "RX1:"


def _framed(inner: bytes) -> str:
    deflate = zlib.compressobj(zdict=rx.QR_ZDICT)
    return "RX1:" + rx.base45_encode(deflate.compress(inner) + deflate.flush())


def test_malformed_qr_payloads_are_unreadable_never_a_crash() -> None:
    s = signer()
    good = s.qr(prescription(2))
    sig, cert = s.sign(prescription(2)), s.certificate.encode()
    deflate = zlib.compressobj(zdict=rx.QR_ZDICT)
    packed = deflate.compress(sig + len(cert).to_bytes(2, "big") + cert + prescription(2))
    packed += deflate.flush()
    cases: list[Any] = [
        "",
        "RX1:",
        "RX2:" + good[4:],
        "rx1:" + good[4:],
        good[4:],
        good[:-1],  # truncated
        good[:-2],
        good + "00",  # extra bytes after the stream
        good[:100] + "é" + good[101:],
        good.lower(),
        "RX1:GGW",  # a group out of range
        "RX1:" + "A" * 10,
        "RX1:" + rx.base45_encode(b"not zlib at all"),
        "RX1:" + rx.base45_encode(packed[:-4]),  # no checksum
        _framed(b"\0" * 2_000_000),  # a bomb
        "RX1:" + rx.base45_encode(zlib.compress(b"x" * 100)),  # deflated without the dictionary
        "RX1:" + "0" * (5 * rx.MAX_QR_CHARS),
        _framed(b""),
        _framed(sig),
        _framed(sig + b"\xff\xff" + cert),  # certificate longer than what follows
        _framed(sig + (5).to_bytes(2, "big") + b"12345" + b"{}"),  # certificate garbage
        _framed(sig + (0).to_bytes(2, "big")),
        None,
        b"RX1:",
        42,
    ]
    for text in cases:
        with pytest.raises(rx.QrPayloadError):
            rx.decode_qr_payload(text)
        check = rx.check_qr_payload(text, s.hub_public)
        assert check.status is Status.UNREADABLE and check.decoded is None and check.verdict.reason


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_an_edited_code_never_checks_valid_for_other_content(data: st.DataObject) -> None:
    s = _SIGNER
    at = data.draw(st.integers(0, len(_GOOD) - 1))
    char = data.draw(st.sampled_from(rx._B45 + "é\n"))
    edited = _GOOD[:at] + char + _GOOD[at + 1 :]
    check = rx.check_qr_payload(edited, s.hub_public)  # never raises
    if check.status is Status.VALID:  # only an edit that changes nothing that is signed
        assert check.decoded is not None and check.decoded.payload == _PAYLOAD


_SIGNER = signer()
_PAYLOAD = prescription(3)
_GOOD = _SIGNER.qr(_PAYLOAD)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200) | st.text(alphabet=rx._B45, max_size=400).map("RX1:".__add__))
def test_any_text_checks_without_raising(text: str) -> None:
    assert rx.check_qr_payload(text, _SIGNER.hub_public).status is not Status.VALID


# -- facts for the pharmacist --------------------------------------------------------------------


def test_the_facts_come_from_the_certificate_and_the_prescription() -> None:
    s = signer()
    facts = dict(rx.prescription_facts(prescription(3), s.certificate.certificate))
    assert facts["signed by"] == "Dr. Anil Sharma"
    assert facts["registration"] == "UPMC-45821 (Uttar Pradesh Medical Council)"
    assert facts["prescriber"] == "Dr. Anil Sharma, reg. no. UPMC-45821" and "warning" not in facts
    assert facts["date"] == "2026-11-20T05:08:00Z"
    assert facts["patient"] == "Sita Devi, 42 y, female"
    assert (
        facts["item 1"]
        == "AMOXICILLIN, 500 mg, capsule, 1 capsule, oral, 1-1-1, 5 days, qty 15 capsule"
    )
    assert "item 3" in facts and "item 4" not in facts
    # A prescription naming another prescriber than the key's owner says so.
    someone_else = signer(registration_no="UPMC-99999").certificate.certificate
    assert "warning" in dict(rx.prescription_facts(prescription(1), someone_else))
    infant = b'{"patient": {"name": "Baby of Sita", "age_years": 0, "age_months": 7}}'
    assert dict(rx.prescription_facts(infant, None))["patient"] == "Baby of Sita, 7 months"
    odd = dict(rx.prescription_facts(b"\xff not json", None))
    assert odd["prescription"].startswith("10 bytes, sha256 ")
    weird = dict(rx.prescription_facts(b'{"items": [1, {"x": {}}, null], "patient": 3}', None))
    assert weird["item 1"] == "1" and weird["item 2"] == "(unreadable item)"
