"""Stream framers: same frames for every chunking, garbage dropped, buffers bounded."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.devices.framing import Cms50Framer, LineFramer, MllpFramer, mllp_wrap
from app.devices.parsers.cms50 import parse_live
from app.devices.parsers.hl7 import parse_oru
from app.devices.parsers.scale import parse_ascii
from app.domain.vitals import SPO2, WEIGHT
from tests.devices.test_hl7 import VECTOR1, VECTOR2, message, obx

Framer = Cms50Framer | LineFramer | MllpFramer


def run(framer: Framer, chunks: list[bytes]) -> tuple[list[bytes], int, int]:
    frames: list[bytes] = []
    for chunk in chunks:
        frames += framer.feed(chunk)
    return frames, framer.discarded, framer.pending


def chunked(stream: bytes, size: int) -> list[bytes]:
    return [stream[i : i + size] for i in range(0, len(stream), size)]


def split_at(stream: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(stream) + 1) for c in cuts})
    bounds = [0, *points, len(stream)]
    return [stream[a:b] for a, b in itertools.pairwise(bounds)]


def assert_chunking_invariant(make: Callable[[], Framer], stream: bytes) -> None:
    whole = run(make(), [stream])
    for size in range(1, len(stream) + 1):
        assert run(make(), chunked(stream, size)) == whole, f"chunk size {size}"


# --- CMS50 ----------------------------------------------------------------------------------

F1 = bytes.fromhex("C5 40 06 48 62")
F2 = bytes.fromhex("83 10 43 16 5F")
CMS50_STREAM = (
    b"\x01\x02\x7f"  # garbage before the first sync byte: 3
    + F1
    + bytes.fromhex("C5 40 06")  # a frame cut short by the next sync byte: 3
    + F2
    + F1
    + b"\x00\x11"  # stray bytes after a frame: 2
    + F2
    + bytes.fromhex("83 10")  # unfinished at the end: pending 2
)


def test_cms50_stream_with_garbage_and_resync() -> None:
    frames, discarded, pending = run(Cms50Framer(), [CMS50_STREAM])
    assert frames == [F1, F2, F1, F2]
    assert discarded == 3 + 3 + 2
    assert pending == 2
    assert [parse_live(f).info["pleth"] for f in frames] == [64, 16, 64, 16]


def test_cms50_every_chunk_size() -> None:
    assert_chunking_invariant(Cms50Framer, CMS50_STREAM)


def test_cms50_sync_in_the_middle_restarts() -> None:
    frames = Cms50Framer().feed(bytes.fromhex("C5 40 C5 40 06 48 62"))
    assert frames == [F1]


def test_cms50_all_sync_bytes_keep_one_byte() -> None:
    framer = Cms50Framer()
    assert framer.feed(b"\xff" * 1000) == []
    assert framer.pending == 1 and framer.discarded == 999


# --- lines ----------------------------------------------------------------------------------

LINES_STREAM = b"".join(
    [
        b"ST,GS,+0072.50kg\r\n",
        b"US,GS,+0071.95kg\r",
        b"\n\n\r\r",  # empty lines are skipped
        b"ST,NT,+0012.40kg\n",
        b"X" * 300 + b"TAIL\r\n",  # overlong: dropped whole
        b"ST,GS,+  62.35kg\r\n",
        b"partial",
    ]
)


def test_line_stream() -> None:
    framer = LineFramer(max_line=64)
    frames, discarded, pending = run(framer, [LINES_STREAM])
    assert frames == [
        b"ST,GS,+0072.50kg",
        b"US,GS,+0071.95kg",
        b"ST,NT,+0012.40kg",
        b"ST,GS,+  62.35kg",
    ]
    assert discarded == 304
    assert pending == len(b"partial")
    assert [parse_ascii(f).reading(WEIGHT).value for f in frames] == [72.5, 71.95, 12.4, 62.35]  # type: ignore[union-attr]


def test_line_every_chunk_size() -> None:
    assert_chunking_invariant(lambda: LineFramer(max_line=64), LINES_STREAM)


def test_line_exactly_max_is_kept() -> None:
    framer = LineFramer(max_line=4)
    assert framer.feed(b"abcd\nabcde\nxy\n") == [b"abcd", b"xy"]
    assert framer.discarded == 5


def test_line_crlf_split_across_chunks() -> None:
    framer = LineFramer()
    assert framer.feed(b"A\r") == [b"A"]
    assert framer.feed(b"\nB\r") == [b"B"]
    assert framer.feed(b"\n") == []


# --- MLLP -----------------------------------------------------------------------------------

MSG2 = message(
    obx(1, "150456^MDC_PULS_OXIM_SAT_O2^MDC", "95", "262688^MDC_DIM_PERCENT^MDC"),
    control_id="MSG00002",
)
MLLP_STREAM = b"noise" + mllp_wrap(VECTOR1) + b"\r\nxx" + mllp_wrap(MSG2)  # 5 + 4 = 9 outside


def test_mllp_noise_frame_noise_frame() -> None:
    frames, discarded, pending = run(MllpFramer(), [MLLP_STREAM])
    assert frames == [VECTOR1, MSG2]
    assert discarded == 9 and pending == 0
    parsed = [parse_oru(f) for f in frames]
    assert [m.info["control_id"] for m in parsed] == ["MSG00001", "MSG00002"]
    assert [m.reading(SPO2).value for m in parsed] == [97, 95]  # type: ignore[union-attr]


def test_mllp_every_chunk_size() -> None:
    assert_chunking_invariant(MllpFramer, MLLP_STREAM)


def test_mllp_frame_without_end_block_is_pending() -> None:
    framer = MllpFramer()
    data = b"\x0b" + VECTOR1
    assert framer.feed(data) == []
    assert framer.pending == len(data) and framer.discarded == 0
    assert framer.feed(b"\x1c") == []
    assert framer.feed(b"\r") == [VECTOR1]
    assert framer.pending == 0


def test_mllp_fs_without_cr_is_data() -> None:
    assert MllpFramer().feed(b"\x0bA\x1cB\x1c\r") == [b"A\x1cB"]


def test_mllp_new_start_block_drops_the_cut_frame() -> None:
    framer = MllpFramer()
    assert framer.feed(b"\x0bHALF\x0b" + VECTOR2 + b"\x1c\r") == [VECTOR2]
    assert framer.discarded == 5


def test_mllp_empty_frame_is_dropped() -> None:
    framer = MllpFramer()
    assert framer.feed(b"\x0b\x1c\r" + mllp_wrap(b"MSH|x")) == [b"MSH|x"]
    assert framer.discarded == 3


def test_mllp_max_frame() -> None:
    framer = MllpFramer(max_frame=10)
    stream = mllp_wrap(b"0123456789") + mllp_wrap(b"0123456789A") + mllp_wrap(b"ok\rok")
    assert framer.feed(stream) == [b"0123456789", b"ok\rok"]
    assert framer.discarded == 14
    assert_chunking_invariant(lambda: MllpFramer(max_frame=10), stream)


def test_framer_limits_must_be_positive() -> None:
    with pytest.raises(ValueError):
        LineFramer(max_line=0)
    with pytest.raises(ValueError):
        MllpFramer(max_frame=0)


# --- properties -----------------------------------------------------------------------------

FRAMERS: dict[str, tuple[Callable[[], Framer], int]] = {
    "cms50": (Cms50Framer, 5),
    "line": (lambda: LineFramer(max_line=32), 32),
    "mllp": (lambda: MllpFramer(max_frame=64), 64 + 2),
}

streams = st.lists(
    st.sampled_from([F1, F2, b"ST,GS,+0072.50kg\r\n", mllp_wrap(b"MSH|a\rOBX|1"), b"\r", b"\n",
                     b"\x0b", b"\x1c", b"\x1c\r", b"\x80", b"\x7f"])
    | st.binary(max_size=40),
    max_size=25,
).map(b"".join)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(stream=streams, cuts=st.lists(st.integers(0, 10_000), max_size=30),
       kind=st.sampled_from(sorted(FRAMERS)))  # fmt: skip
def test_random_splits_give_identical_output(stream: bytes, cuts: list[int], kind: str) -> None:
    make, _ = FRAMERS[kind]
    assert run(make(), split_at(stream, cuts)) == run(make(), [stream])


@settings(max_examples=200, deadline=None)
@given(stream=streams, kind=st.sampled_from(sorted(FRAMERS)))
def test_every_chunk_size_on_random_streams(stream: bytes, kind: str) -> None:
    make, _ = FRAMERS[kind]
    whole = run(make(), [stream])
    for size in range(1, min(len(stream), 64) + 1):
        assert run(make(), chunked(stream, size)) == whole


@settings(max_examples=300, deadline=None)
@given(chunks=st.lists(st.binary(max_size=200), max_size=40),
       kind=st.sampled_from(sorted(FRAMERS)))  # fmt: skip
def test_garbage_never_raises_and_buffers_stay_bounded(chunks: list[bytes], kind: str) -> None:
    make, bound = FRAMERS[kind]
    framer = make()
    total = 0
    for chunk in chunks:
        frames = framer.feed(chunk)
        assert framer.pending <= bound
        assert all(0 < len(f) <= bound for f in frames)
        total += sum(map(len, frames))
    assert total + framer.discarded + framer.pending <= sum(map(len, chunks))


@settings(max_examples=100, deadline=None)
@given(garbage=st.binary(max_size=100).filter(lambda b: 0x0B not in b))
def test_mllp_frames_survive_surrounding_garbage(garbage: bytes) -> None:
    framer = MllpFramer()
    frames = framer.feed(garbage + mllp_wrap(VECTOR1) + garbage + mllp_wrap(VECTOR2))
    assert frames == [VECTOR1, VECTOR2]
    assert framer.discarded == 2 * len(garbage)
