"""``main.py verify-rx FILE`` as a pharmacist runs it: the verdict, the facts to compare with
the paper, and the exit code (0 valid, 1 tampered or unknown signer, 2 unreadable)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from app.security import rx_signatures as rx
from app.store.db import Store
from app.sync import credentials
from tests.cli import run_main
from tests.security.rx_samples import prescription, signer


def verify_rx(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    return run_main("verify-rx", *args, "--data-dir", str(data_dir))


def test_valid_tampered_unknown_and_unreadable_codes(tmp_path: Path) -> None:
    hub = rx.new_hub_key()
    while not rx.public_key_text(hub).startswith("-"):  # the awkward case, every run
        hub = rx.new_hub_key()
    s = signer(hub)
    # Written with "=": base64url may begin with "-", which would read as an option.
    hub_key = rx.public_key_text(s.hub_key)
    payload = prescription(3, patient="Sita Devi")
    nowhere = tmp_path / "no-clinic"  # no enrolment: the key must come from --hub-key

    good = tmp_path / "good.txt"
    good.write_text(s.qr(payload) + "\n", encoding="utf-8")  # scanners add a line break
    valid = verify_rx(str(good), f"--hub-key={hub_key}", data_dir=nowhere)
    assert valid.returncode == 0, valid.stderr
    lines = valid.stdout.splitlines()
    assert lines[0] == "valid"
    assert "Dr. Anil Sharma" in valid.stdout and "UPMC-45821" in valid.stdout
    assert "Sita Devi, 42 y" in valid.stdout and "2026-11-20" in valid.stdout
    assert "AMOXICILLIN" in valid.stdout and "AMLODIPINE" in valid.stdout
    assert not nowhere.exists()  # checking a code creates no data folder

    forged = tmp_path / "forged.txt"
    edited = payload.replace(b"AMLODIPINE", b"ALPRAZOLAM")
    forged.write_text(rx.encode_qr_payload(edited, s.sign(payload), s.certificate))
    tampered = verify_rx(str(forged), f"--hub-key={hub_key}", data_dir=nowhere)
    assert tampered.returncode == 1
    assert tampered.stdout.splitlines()[0] == "tampered"
    assert "NOT verified" in tampered.stdout and "Do not dispense" in tampered.stdout

    stranger = signer()  # certified by some other hub key
    unknown_file = tmp_path / "unknown.txt"
    unknown_file.write_text(stranger.qr(payload))
    unknown = verify_rx(str(unknown_file), f"--hub-key={hub_key}", data_dir=nowhere)
    assert unknown.returncode == 1 and unknown.stdout.splitlines()[0] == "unknown signer"

    garbage = tmp_path / "garbage.txt"
    garbage.write_text("https://example.org/not-a-prescription")
    pdf = tmp_path / "rx.pdf"
    pdf.write_bytes(b"%PDF-1.7\n...")  # a PDF that is not a printed prescription
    binary = tmp_path / "photo.jpg"
    binary.write_bytes(b"\xff\xd8\xff\xe0\x00")
    for path in (garbage, pdf, binary, tmp_path / "missing.txt"):
        unreadable = verify_rx(str(path), f"--hub-key={hub_key}", data_dir=nowhere)
        assert unreadable.returncode == 2, path
        assert "unreadable" in unreadable.stdout + unreadable.stderr
    damaged = tmp_path / "damaged.txt"
    text = s.qr(payload)
    damaged.write_text(text[:200] + ("0" if text[200] != "0" else "1") + text[201:])
    assert verify_rx(str(damaged), f"--hub-key={hub_key}", data_dir=nowhere).returncode == 2

    no_key = verify_rx(str(good), data_dir=nowhere)
    assert no_key.returncode == 2 and "--hub-key" in no_key.stderr
    bad_key = verify_rx(str(good), "--hub-key=not-a-key", data_dir=nowhere)
    assert bad_key.returncode == 2 and "hub key" in bad_key.stderr


def test_an_enrolled_clinic_pc_uses_the_key_it_pinned(tmp_path: Path) -> None:
    s = signer()
    code = tmp_path / "code.txt"
    code.write_text(s.qr(prescription(2)))
    clinic = tmp_path / "clinic"
    store = Store.open(clinic / "spoke.sqlite3")
    try:
        credentials.save(
            store,
            credentials.HubCredentials(
                "https://hub.example.org:8765",
                "spoke1",
                "s" * 43,
                signing_key=rx.public_key_text(s.hub_key),
            ),
        )
    finally:
        store.close()

    pinned = verify_rx(str(code), data_dir=clinic)
    assert pinned.returncode == 0, pinned.stderr
    assert pinned.stdout.startswith("valid")
    # --hub-key wins over the enrolment: another hub's key does not know this signer.
    other = rx.public_key_text(rx.new_hub_key())
    overridden = verify_rx(str(code), f"--hub-key={other}", data_dir=clinic)
    assert overridden.returncode == 1 and overridden.stdout.startswith("unknown signer")


def test_a_printed_pdf_carries_its_code(tmp_path: Path, qapp: object) -> None:
    from app.ui import rx_print
    from app.ui.application import create_application
    from tests.ui.test_rx_print import DEVANAGARI_NAME, make_detail

    create_application(language="en", font_scale=1.0)
    s = signer()
    hub_key = rx.public_key_text(s.hub_key)
    nowhere = tmp_path / "no-clinic"
    detail = make_detail(s, 3, patient=DEVANAGARI_NAME)
    printed = tmp_path / "rx.pdf"
    rx_print.print_prescription(detail, printed, "A5")

    valid = verify_rx(str(printed), f"--hub-key={hub_key}", data_dir=nowhere)
    assert valid.returncode == 0, valid.stderr
    assert valid.stdout.splitlines()[0] == "valid"
    assert DEVANAGARI_NAME in valid.stdout and "AMOXICILLIN" in valid.stdout

    # Someone edits the PDF: a medicine swapped in the payload, the signature kept.
    code = rx_print.qr_payload(detail)
    assert code is not None
    original = rx.decode_qr_payload(code)
    edited = original.payload.replace(b"AMLODIPINE", b"ALPRAZOLAM")
    forged = rx.encode_qr_payload(edited, original.signature, original.certificate)
    tampered_pdf = tmp_path / "edited.pdf"
    tampered_pdf.write_bytes(printed.read_bytes().replace(code.encode(), forged.encode()))
    tampered = verify_rx(str(tampered_pdf), f"--hub-key={hub_key}", data_dir=nowhere)
    assert tampered.returncode == 1
    assert tampered.stdout.splitlines()[0] == "tampered"

    invalid = make_detail(s, 3, superseded_by="rx-print-9")
    not_valid_pdf = tmp_path / "superseded.pdf"
    rx_print.print_prescription(invalid, not_valid_pdf, "A4")
    unreadable = verify_rx(str(not_valid_pdf), f"--hub-key={hub_key}", data_dir=nowhere)
    assert unreadable.returncode == 2 and "no prescription code" in unreadable.stderr
