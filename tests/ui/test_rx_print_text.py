"""What a printed prescription says, read back from the PDF's text (pypdf) rather than its
pixels: the facts a pharmacist reads (the clinic, the practitioner and registration number, the
patient, each medicine by generic name in capitals with how to take it, the follow-up, the
teleconsultation note) on A4 and A5; an A5 page that holds a typical three-item prescription;
a long one that repeats its header and keeps its code for the last page; and an invalid one
that says NOT VALID on every page."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.services.container import Services
from app.store.prescriptions import Verification
from app.sync import credentials
from app.ui import rx_print
from tests.security.rx_samples import signer
from tests.ui.test_rx_print import DEVANAGARI_NAME, MEDICINES, make_detail, scan

FACILITY = "HWC Rampur Sub-Centre"
NOT_VALID = "NOT VALID — DO NOT DISPENSE"


def _normal(text: str) -> str:
    # Qt writes word gaps as tabs and ligatures ("fi", "fl") as single glyphs; NFKC splits the
    # ligatures and one space per gap makes a wrapped line read like an unwrapped one.
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()


def pdf_page_texts(path: Path) -> list[str]:
    return [_normal(page.extract_text()) for page in PdfReader(path).pages]


def pdf_text(path: Path) -> str:
    return " ".join(pdf_page_texts(path))


@pytest.mark.parametrize("size", ["A4", "A5"])
def test_the_pdf_text_carries_what_a_pharmacist_reads(tmp_path: Path, size: str) -> None:
    detail = make_detail(signer(), 3, patient=f"Sita Devi {DEVANAGARI_NAME}")
    out = tmp_path / "rx.pdf"
    assert rx_print.print_prescription(detail, out, size, facility=FACILITY) == 1
    text = pdf_text(out)
    rx = detail.prescription
    doctor = rx.practitioner
    expected = [
        FACILITY,
        doctor.name,
        f"Reg. No. {doctor.registration_number}, {doctor.registration_council}",
        "Patient: Sita Devi",
        # Qt maps the shaped Devanagari glyphs back to their characters (ToUnicode), so the
        # Hindi name is searchable text, not only pixels.
        DEVANAGARI_NAME,
        "Age: 42 years Sex: Female",
        "Date: 2026-11-20 10:38 IST",
        "Follow-up",
        "2026-11-27",
        _normal(rx.note),
        "Teleconsultation by video, follow-up",
    ]
    for name, strength, form, dose, freq, days, qty, unit in MEDICINES[:3]:
        expected.append(f"{name.upper()} {strength} {form}")
        expected.append(f"{dose}, {freq}, oral, for {days} days. Quantity: {qty} {unit}")
    missing = [fact for fact in expected if fact not in text]
    assert not missing, (missing, text)
    # The generic name is printed in capitals only: never as typed.
    assert "amoxicillin" not in text
    assert "Digitally signed by" in text


def test_without_enrolment_there_is_no_facility_line(tmp_path: Path) -> None:
    detail = make_detail(signer(), 1)
    out = tmp_path / "rx.pdf"
    rx_print.print_prescription(detail, out, "A5")
    text = pdf_text(out)
    assert FACILITY not in text
    # The practitioner block runs straight into the patient.
    assert re.search(r"Council Patient: Sita Devi", text), text


def test_a_typical_three_item_prescription_fits_one_a5_page(tmp_path: Path) -> None:
    # Three medicines, advice, two investigations, a follow-up date, no referral: the clinic's
    # everyday prescription, on the clinic's everyday paper.
    detail = make_detail(signer(), 3, patient=DEVANAGARI_NAME)
    rx = detail.prescription
    assert len(rx.items) == 3 and rx.advice and len(rx.investigations) == 2
    assert rx.follow_up is not None and not rx.referral
    out = tmp_path / "rx.pdf"
    assert rx_print.print_prescription(detail, out, "A5", facility=FACILITY) == 1
    assert len(PdfReader(out).pages) == 1
    (page,) = rx_print.render_images(detail, "A5", dpi=300, facility=FACILITY)
    image = tmp_path / "page.png"
    assert page.save(str(image))
    assert scan(image) == rx_print.qr_payload(detail)


def test_a_long_a5_prescription_repeats_its_header_and_ends_with_the_code(
    tmp_path: Path,
) -> None:
    detail = make_detail(signer(), 12, patient=f"Sita Devi {DEVANAGARI_NAME}")
    out = tmp_path / "rx.pdf"
    total = rx_print.print_prescription(detail, out, "A5", facility=FACILITY)
    assert total > 1
    pages = pdf_page_texts(out)
    assert len(pages) == total
    doctor = detail.prescription.practitioner
    for n, text in enumerate(pages, 1):
        for header in (FACILITY, doctor.name, doctor.registration_number, "Patient: Sita Devi"):
            assert header in text, (n, header)
        assert f"Page {n} of {total} · {detail.prescription.id}" in text
        assert ("Digitally signed by" in text) == (n == total), n
    # Every medicine is printed once, in order, across the pages.
    joined = " ".join(pages)
    positions = [joined.find(f"{n}. {m[0].upper()} ") for n, m in enumerate(MEDICINES[:12], 1)]
    assert all(p >= 0 for p in positions) and positions == sorted(positions), positions
    # The code is on the last page and nowhere else.
    images = rx_print.render_images(detail, "A5", dpi=300, facility=FACILITY)
    assert len(images) == total
    for n, page in enumerate(images, 1):
        path = tmp_path / f"page{n}.png"
        assert page.save(str(path))
        assert scan(path) == (rx_print.qr_payload(detail) if n == total else None), n


@pytest.mark.parametrize("size", ["A4", "A5"])
def test_an_invalid_prescription_says_not_valid_on_every_page(tmp_path: Path, size: str) -> None:
    for detail in (
        make_detail(signer(), 14, verification=Verification.TAMPERED),
        make_detail(signer(), 14, superseded_by="rx-print-15"),
    ):
        out = tmp_path / "invalid.pdf"
        total = rx_print.print_prescription(detail, out, size, facility=FACILITY)
        pages = pdf_page_texts(out)
        assert total == len(pages) > 1
        for n, text in enumerate(pages, 1):
            assert NOT_VALID in text, (n, text)
            assert "Digitally signed by" not in text
            assert "Scan to verify" not in text


def test_the_facility_name_comes_from_the_enrolment(services: Services) -> None:
    assert services.prescriptions.facility_name() == ""
    credentials.save(
        services.store,
        credentials.HubCredentials(
            "https://hub.example.org", "spoke-7", "secret", facility=f" {FACILITY} "
        ),
    )
    assert services.prescriptions.facility_name() == FACILITY
    credentials.forget(services.store)
    assert services.prescriptions.facility_name() == ""
