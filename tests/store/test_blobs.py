"""Content-addressed attachment files."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import pytest

from app.store.blobs import BlobStore
from app.store.errors import StoreError


def test_put_get_and_layout(tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path / "blobs")
    data = b"\xff\xd8 a small jpeg " * 100
    sha = blobs.put(data)
    assert sha == hashlib.sha256(data).hexdigest()
    assert blobs.path(sha) == tmp_path / "blobs" / sha[:2] / sha[2:4] / sha
    assert blobs.has(sha)
    assert blobs.get(sha) == data
    assert blobs.put(data) == sha  # idempotent
    leftovers = [p for p in (tmp_path / "blobs").rglob("*") if p.is_file() and p.name != sha]
    assert leftovers == []  # no temporary files left behind


def test_a_damaged_blob_is_reported_corrupt(tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path)
    sha = blobs.put(b"original bytes")
    blobs.path(sha).write_bytes(b"0riginal bytes")
    with pytest.raises(StoreError) as info:
        blobs.get(sha)
    assert info.value.code == "store.corrupt"


def test_a_truncated_blob_is_rewritten_by_put(tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path)
    sha = blobs.put(b"complete file")
    blobs.path(sha).write_bytes(b"compl")
    assert blobs.put(b"complete file") == sha
    assert blobs.get(sha) == b"complete file"


def test_missing_and_malformed_addresses(tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path)
    missing = "0" * 64
    assert not blobs.has(missing)
    with pytest.raises(StoreError) as info:
        blobs.get(missing)
    assert info.value.code == "store.blob_missing"
    for bad in ("../../etc/passwd", "AB" * 32, "0" * 63):
        with pytest.raises(ValueError):
            blobs.path(bad)


# -- keyed (encrypted at rest) ---------------------------------------------------------------

KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))
NOTE = b"Patient: Asha Devi, village Rampur. Diagnosis: pulmonary tuberculosis. " * 20


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def _blob_files(root: Path) -> list[Path]:
    return [p for p in _files(root) if p.name != ".encrypted"]


def test_keyed_round_trip_and_layout(tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path / "blobs", key=KEY)
    assert blobs.keyed
    sha = blobs.put(NOTE)
    assert sha == hashlib.sha256(NOTE).hexdigest()  # the address does not change
    assert blobs.has(sha)
    assert blobs.get(sha) == NOTE
    path = blobs.path(sha)
    assert path.is_file()
    assert path.name.endswith(".hwcb")
    assert sha not in str(path)
    assert path.parent.parent.parent == tmp_path / "blobs"
    assert _blob_files(tmp_path / "blobs") == [path]  # no temporary files left behind
    # A fresh store over the same folder with the same key reads it.
    assert BlobStore(tmp_path / "blobs", key=KEY).get(sha) == NOTE


def test_keyed_file_reveals_neither_content_nor_plain_hash(tmp_path: Path) -> None:
    root = tmp_path / "blobs"
    blobs = BlobStore(root, key=KEY)
    sha = blobs.put(NOTE)
    for p in _files(root):
        raw = p.read_bytes()
        assert NOTE not in raw
        for word in (b"Asha", b"Rampur", b"tuberculosis", b"Patient"):
            assert word not in raw
        assert sha.encode() not in raw
        assert sha not in p.name
    raw = blobs.path(sha).read_bytes()
    assert raw.startswith(b"HWCB1")
    assert len(raw) == 5 + 12 + len(NOTE) + 16
    # Nothing under the plaintext name, and the plaintext name's folders were not made.
    assert not (root / sha[:2] / sha[2:4] / sha).exists()


def test_keyed_names_and_nonces_depend_on_the_key(tmp_path: Path) -> None:
    a = BlobStore(tmp_path / "a", key=KEY)
    b = BlobStore(tmp_path / "b", key=OTHER_KEY)
    sha = a.put(NOTE)
    assert b.put(NOTE) == sha
    assert a.path(sha).relative_to(tmp_path / "a") != b.path(sha).relative_to(tmp_path / "b")


def test_same_data_twice_is_one_file(tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path, key=KEY)
    sha = blobs.put(NOTE)
    before = blobs.path(sha).read_bytes()
    assert blobs.put(NOTE) == sha
    assert blobs.path(sha).read_bytes() == before  # not even rewritten
    assert len(_blob_files(tmp_path)) == 1


def test_keyed_truncated_blob_is_rewritten_by_put(tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path, key=KEY)
    sha = blobs.put(NOTE)
    blobs.path(sha).write_bytes(blobs.path(sha).read_bytes()[:40])
    with pytest.raises(StoreError) as info:
        blobs.get(sha)
    assert info.value.code == "store.corrupt"
    assert blobs.put(NOTE) == sha
    assert blobs.get(sha) == NOTE


def test_a_wrong_key_fails_clearly(tmp_path: Path) -> None:
    BlobStore(tmp_path, key=KEY).put(NOTE)
    with pytest.raises(StoreError) as info:
        BlobStore(tmp_path, key=OTHER_KEY)
    assert info.value.code == "store.corrupt"
    assert "another key" in info.value.message


def test_a_foreign_file_is_reported_corrupt(tmp_path: Path) -> None:
    # Another PC's encrypted blob (another key) copied in under this store's name.
    mine = BlobStore(tmp_path / "mine", key=KEY)
    theirs = BlobStore(tmp_path / "theirs", key=OTHER_KEY)
    sha = theirs.put(NOTE)
    target = mine.path(sha)
    target.parent.mkdir(parents=True)
    target.write_bytes(theirs.path(sha).read_bytes())
    with pytest.raises(StoreError) as info:
        mine.get(sha)
    assert info.value.code == "store.corrupt"


def test_a_blob_moved_to_another_name_is_reported_corrupt(tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path, key=KEY)
    one = blobs.put(b"first photo")
    two = blobs.put(b"second photo")
    blobs.path(two).write_bytes(blobs.path(one).read_bytes())
    with pytest.raises(StoreError) as info:
        blobs.get(two)
    assert info.value.code == "store.corrupt"


@pytest.mark.parametrize("offset", [0, 4, 5, 16, 17, 100, -1])
def test_a_flipped_byte_is_reported_corrupt(tmp_path: Path, offset: int) -> None:
    blobs = BlobStore(tmp_path, key=KEY)
    sha = blobs.put(NOTE)
    raw = bytearray(blobs.path(sha).read_bytes())
    raw[offset] ^= 0x01
    blobs.path(sha).write_bytes(bytes(raw))
    with pytest.raises(StoreError) as info:
        blobs.get(sha)
    assert info.value.code == "store.corrupt"


def test_keyed_missing_and_bad_keys(tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path, key=KEY)
    missing = "0" * 64
    assert not blobs.has(missing)
    with pytest.raises(StoreError) as info:
        blobs.get(missing)
    assert info.value.code == "store.blob_missing"
    with pytest.raises(ValueError):
        blobs.path("../../etc/passwd")
    for bad in (b"", b"short", KEY + b"x"):
        with pytest.raises(ValueError):
            BlobStore(tmp_path / "bad", key=bad)


def test_a_keyless_store_cannot_read_or_add_to_keyed_blobs(tmp_path: Path) -> None:
    sha = BlobStore(tmp_path, key=KEY).put(NOTE)
    keyless = BlobStore(tmp_path)
    assert not keyless.has(sha)
    with pytest.raises(StoreError) as info:
        keyless.get(sha)
    assert "encrypted" in info.value.message
    assert "without" in info.value.message
    with pytest.raises(StoreError) as info:
        keyless.put(b"would be written in clear")
    assert "encrypted" in info.value.message
    assert not any(
        p.name == hashlib.sha256(b"would be written in clear").hexdigest() for p in _files(tmp_path)
    )


def test_a_large_blob_round_trips(tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path, key=KEY)
    data = os.urandom(5 * 1024 * 1024)
    sha = blobs.put(data)
    assert blobs.get(sha) == data


def _old_plaintext_store(root: Path, count: int = 3) -> dict[str, bytes]:
    old = BlobStore(root)
    datas = [NOTE + bytes([i]) for i in range(count)]
    return {old.put(d): d for d in datas}


def test_encrypt_existing_converts_old_plaintext_blobs(tmp_path: Path) -> None:
    root = tmp_path / "blobs"
    old = _old_plaintext_store(root)
    stale = root / "ab" / "cd" / ".tmp-leftover"
    stale.parent.mkdir(parents=True, exist_ok=True)
    stale.write_bytes(b"half of a plaintext photo")
    os.utime(stale, (time.time() - 7200, time.time() - 7200))
    blobs = BlobStore(root, key=KEY)
    for sha, data in old.items():  # readable before conversion (fallback to the old name)
        assert blobs.has(sha)
        assert blobs.get(sha) == data
    report = blobs.encrypt_existing()
    assert report.converted == 3
    assert report.damaged == ()
    assert report.stale_tmp_removed == 1
    for sha, data in old.items():
        assert blobs.get(sha) == data
        assert not (root / sha[:2] / sha[2:4] / sha).exists()
    for p in _files(root):
        assert b"Asha" not in p.read_bytes()
        assert not any(sha in p.name for sha in old)
    again = blobs.encrypt_existing()  # idempotent
    assert again == type(report)(0, (), 0)
    assert {p.read_bytes() for p in _blob_files(root)} == {
        blobs.path(sha).read_bytes() for sha in old
    }


def test_encrypt_existing_leaves_a_damaged_plaintext_blob_and_says_so(tmp_path: Path) -> None:
    old = BlobStore(tmp_path)
    sha = old.put(b"original bytes")
    old.path(sha).write_bytes(b"0riginal bytes")
    blobs = BlobStore(tmp_path, key=KEY)
    report = blobs.encrypt_existing()
    assert report.converted == 0
    assert report.damaged == (tmp_path / sha[:2] / sha[2:4] / sha,)
    with pytest.raises(StoreError) as info:
        blobs.get(sha)
    assert info.value.code == "store.corrupt"


def test_keyed_put_replaces_an_old_plaintext_copy(tmp_path: Path) -> None:
    old = _old_plaintext_store(tmp_path, 1)
    ((sha, data),) = old.items()
    blobs = BlobStore(tmp_path, key=KEY)
    assert blobs.put(data) == sha
    assert not (tmp_path / sha[:2] / sha[2:4] / sha).exists()
    assert blobs.get(sha) == data


@pytest.mark.parametrize("crash_in", ["_write", "_remove"])
def test_a_crash_half_way_leaves_every_blob_readable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, crash_in: str
) -> None:
    root = tmp_path / "blobs"
    old = _old_plaintext_store(root)
    blobs = BlobStore(root, key=KEY)
    real = getattr(BlobStore, crash_in)
    calls = 0

    def crashing(self: BlobStore, *args: object) -> None:
        nonlocal calls
        calls += 1
        if calls == 2:  # the first file went through; the power goes off during the second
            raise RuntimeError("power cut")
        real(self, *args)

    monkeypatch.setattr(BlobStore, crash_in, crashing)
    with pytest.raises(RuntimeError):
        blobs.encrypt_existing()
    monkeypatch.undo()

    reopened = BlobStore(root, key=KEY)
    for sha, data in old.items():
        assert reopened.has(sha)
        assert reopened.get(sha) == data
    report = reopened.encrypt_existing()
    assert report.converted == 2  # the rest; the first one is done
    for sha, data in old.items():
        assert reopened.get(sha) == data
        assert not (root / sha[:2] / sha[2:4] / sha).exists()
    assert len(_blob_files(root)) == 3
    assert reopened.encrypt_existing().converted == 0


def test_encrypt_existing_needs_a_key(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        BlobStore(tmp_path).encrypt_existing()


def test_unlock_keys_a_store_made_without_a_key(tmp_path: Path) -> None:
    old = _old_plaintext_store(tmp_path, 1)
    blobs = BlobStore(tmp_path)
    assert not blobs.keyed
    blobs.unlock(KEY)
    assert blobs.keyed
    for sha, data in old.items():
        assert blobs.get(sha) == data
    sha = blobs.put(NOTE)
    assert blobs.path(sha).name.endswith(".hwcb")
    blobs.unlock(KEY)  # the same key again: nothing to do
    with pytest.raises(ValueError):
        blobs.unlock(OTHER_KEY)
    with pytest.raises(StoreError) as info:
        BlobStore(tmp_path).unlock(OTHER_KEY)
    assert info.value.code == "store.corrupt"
    assert BlobStore(tmp_path, key=KEY).get(sha) == NOTE
