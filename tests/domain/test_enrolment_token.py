"""The enrolment token's text form: what the hub prints is what the spoke reads, however it
was typed, and a slip of the keyboard reads as mistyped rather than as a different hub."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain import enrolment
from app.domain.enrolment import EnrolmentToken, TokenError

secrets_ = st.text(alphabet=enrolment.ALPHABET, min_size=16, max_size=16)
pins = st.binary(min_size=enrolment.PIN_BYTES, max_size=enrolment.PIN_BYTES)
hosts = st.sampled_from(["127.0.0.1", "hub.example.org", "[::1]", "10.2.3.4", "kheri-hub"])
ports = st.integers(min_value=1, max_value=65535)


@given(hosts, ports, secrets_, pins)
def test_a_printed_token_reads_back_however_it_is_typed(
    host: str, port: int, secret: str, pin: bytes
) -> None:
    token = EnrolmentToken(host, port, secret, pin)
    text = enrolment.encode(token)
    assert enrolment.decode(text) == token
    address, _, body = text.partition("/")
    sloppy = f"  https://{address.upper()}/{body.lower().replace('-', ' ').replace('1', 'l')}  "
    assert enrolment.decode(sloppy) == EnrolmentToken(host.lower(), port, secret, pin)


@given(hosts, ports, secrets_, pins, st.data())
def test_one_wrong_character_is_caught_as_a_typing_slip(
    host: str, port: int, secret: str, pin: bytes, data: st.DataObject
) -> None:
    text = enrolment.encode(EnrolmentToken(host, port, secret, pin))
    address, _, body = text.partition("/")
    positions = [i for i, c in enumerate(body) if c != "-"]
    i = data.draw(st.sampled_from(positions))
    other = data.draw(st.sampled_from([c for c in enrolment.ALPHABET if c != body[i]]))
    with pytest.raises(TokenError, match="mistyped"):
        enrolment.decode(f"{address}/{body[:i]}{other}{body[i + 1 :]}")


def test_the_token_is_short_and_carries_the_default_port() -> None:
    token = EnrolmentToken("10.2.3.4", 8765, "0" * 16, bytes(15))
    text = enrolment.encode(token)
    assert len(text) < 75 and text.count("-") == 10
    assert enrolment.decode(text.replace(":8765", "")) == token
    assert repr(token).count("0" * 16) == 0  # the secret stays out of logs


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("nothing", "looks like"),
        ("hub:8765/" + "0" * 43, "needs 44"),
        ("hub:0/" + "0" * 44, "out of range"),
        ("hub:port/" + "0" * 44, "HOST:PORT"),
        ("bad_host!:8765/" + "0" * 44, "not a host"),
        ("hub:8765/" + "U" * 44, "cannot contain U"),
    ],
)
def test_what_is_wrong_is_said(text: str, fragment: str) -> None:
    with pytest.raises(TokenError, match=fragment):
        enrolment.decode(text)
