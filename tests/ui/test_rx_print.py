"""Printing a prescription (app.ui.rx_print): A4 and A5 PDFs laid out for the pharmacist, the
QR code that scans back to the signed payload, the payload embedded in the PDF for
``main.py verify-rx``, and an invalid prescription that never prints as valid."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from app.domain.ids import CaseId
from app.domain.models import Sex
from app.domain.prescriptions import (
    ConsultationMode,
    PatientSnapshot,
    PractitionerSnapshot,
    Prescription,
    PrescriptionId,
    PrescriptionItem,
    VisitType,
    canonical_bytes,
    from_canonical,
)
from app.security import rx_signatures as rx
from app.services.prescriptions import PrescriptionDetail
from app.store.prescriptions import StoredPrescription, Verification
from app.ui import rx_print
from tests.security.rx_samples import Signer, signer

ROOT = Path(__file__).resolve().parents[2]
DEVANAGARI_NAME = "सीता देवी"

MEDICINES = [
    ("amoxicillin", "500 mg", "capsule", "1 capsule", "1-1-1", 5, 15, "capsule"),
    ("paracetamol", "650 mg", "tablet", "1 tablet", "when needed", 3, 10, "tablet"),
    ("amlodipine", "5 mg", "tablet", "1 tablet", "1-0-0", 30, 30, "tablet"),
    ("metformin", "500 mg", "tablet", "1 tablet", "1-0-1", 30, 60, "tablet"),
    ("salbutamol", "100 mcg", "inhaler", "2 puffs", "when breathless", 30, 1, "inhaler"),
    ("omeprazole", "20 mg", "capsule", "1 capsule", "before breakfast", 14, 14, "capsule"),
    ("cetirizine", "10 mg", "tablet", "1 tablet", "0-0-1", 7, 7, "tablet"),
    ("azithromycin", "500 mg", "tablet", "1 tablet", "1-0-0", 3, 3, "tablet"),
    ("ibuprofen", "400 mg", "tablet", "1 tablet", "1-1-1", 5, 15, "tablet"),
    ("zinc sulphate", "20 mg", "tablet", "1 tablet", "1-0-0", 14, 14, "tablet"),
    ("atenolol", "50 mg", "tablet", "1 tablet", "1-0-0", 30, 30, "tablet"),
    ("enalapril", "5 mg", "tablet", "1 tablet", "1-0-1", 30, 60, "tablet"),
    ("calamine", "8%", "lotion", "thin layer", "twice a day", 7, 1, "bottle"),
    ("clotrimazole", "1%", "cream", "thin layer", "twice a day", 14, 1, "tube"),
]


def make_detail(
    s: Signer,
    items: int,
    *,
    patient: str = "Sita Devi",
    verification: Verification = Verification.VALID,
    superseded_by: str | None = None,
) -> PrescriptionDetail:
    cert = s.certificate.certificate
    prescription = Prescription(
        id=PrescriptionId(f"rx-print-{items}"),
        case_id=CaseId("case-print-1"),
        patient=PatientSnapshot(patient, 42, Sex.FEMALE),
        practitioner=PractitionerSnapshot(
            cert.name,
            "MBBS, MD (Medicine)",
            cert.registration_no,
            cert.council,
            "general_medicine",
        ),
        mode=ConsultationMode.VIDEO,
        visit=VisitType.FOLLOW_UP,
        issued_at=datetime(2026, 11, 20, 5, 8, tzinfo=UTC),
        chief_complaint="Fever and cough for 4 days",
        provisional_diagnosis="Community-acquired pneumonia, mild",
        findings="Temp 38.4 °C, SpO2 95 %",
        items=tuple(
            PrescriptionItem(
                name,
                strength,
                form,
                dose,
                freq,
                "oral",
                days,
                qty,
                unit,
                instructions="after food" if n % 2 else "",
                brand="Crocin" if name == "paracetamol" else "",
            )
            for n, (name, strength, form, dose, freq, days, qty, unit) in enumerate(
                MEDICINES[:items]
            )
        ),
        advice="Plenty of fluids.\nReturn if breathless.",
        investigations=("Chest X-ray", "CBC"),
        follow_up=date(2026, 11, 27),
    )
    canonical = canonical_bytes(prescription)
    stored = StoredPrescription(
        id=prescription.id,
        case_id=prescription.case_id,
        patient_id=None,
        patient_name=patient,
        prescriber_name=cert.name,
        item_count=items,
        canonical=canonical,
        signature=s.sign(canonical),
        key_id=s.key_id,
        certificate=s.certificate.text(),
        verification=verification,
        verification_reason="" if verification is Verification.VALID else "tampered",
        superseded_by=superseded_by,
    )
    return PrescriptionDetail(
        stored=stored,
        prescription=from_canonical(canonical),
        signer=cert,
        dispensing=[None] * items,
        thread=[],
        patient_display=patient,
        case_status=None,
    )


def pdf_pages(data: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b", data))


def embedded_fonts(data: bytes) -> set[str]:
    # Subset fonts are named "ABCDEF+Family-Style" or plainly; either way the family shows.
    return {m.decode() for m in re.findall(rb"/BaseFont\s*/(?:[A-Z]{6}\+)?([\w-]+)", data)}


def scan(image_path: Path) -> str | None:
    zbarimg = shutil.which("zbarimg")
    if zbarimg is None:
        pytest.skip("zbarimg (zbar-tools) is not installed")
    done = subprocess.run(
        [zbarimg, "--raw", "-q", "-Sbinary", str(image_path)],
        capture_output=True,
        timeout=60,
        check=False,
    )
    return done.stdout.decode("utf-8").rstrip("\n") if done.returncode == 0 else None


@pytest.mark.parametrize(
    ("items", "size", "pages"),
    [(3, "A4", 1), (3, "A5", 1), (14, "A4", 2), (14, "A5", 2)],
)
def test_pdf_pages_fonts_and_embedded_payload(
    tmp_path: Path, items: int, size: str, pages: int
) -> None:
    s = signer()
    detail = make_detail(s, items, patient=f"Sita Devi {DEVANAGARI_NAME}")
    out = tmp_path / "rx.pdf"
    assert rx_print.print_prescription(detail, out, size) == pages
    data = out.read_bytes()
    assert pdf_pages(data) == pages
    # The Hindi name is drawn with the bundled Devanagari face, not a platform fallback.
    fonts = embedded_fonts(data)
    assert "NotoSansDevanagari-Regular" in fonts or "NotoSansDevanagari-Bold" in fonts, fonts
    assert any(f.startswith("NotoSans-") for f in fonts), fonts
    media = re.search(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)", data)
    assert media is not None
    width_mm = float(media.group(1)) / 72 * 25.4
    assert abs(width_mm - {"A4": 210, "A5": 148}[size]) < 1
    payload = verify_rx_module().read_rx_pdf(data)
    assert payload == rx_print.qr_payload(detail)
    decoded = rx.decode_qr_payload(payload)
    assert decoded.payload == detail.stored.canonical
    assert rx.check_qr_payload(payload, s.hub_public).verdict.valid


def verify_rx_module():  # type: ignore[no-untyped-def]
    # What main.py verify-rx runs (app.cli.records).
    from app.cli import records

    return records


@pytest.mark.parametrize(("items", "size"), [(3, "A5"), (14, "A4"), (14, "A5")])
def test_the_printed_code_scans_back_to_the_signed_payload(
    tmp_path: Path, items: int, size: str
) -> None:
    s = signer()
    detail = make_detail(s, items, patient=DEVANAGARI_NAME)
    images = rx_print.render_images(detail, size, dpi=300)
    # The code comes last: on the last page, and nowhere else.
    last = tmp_path / "last.png"
    assert images[-1].save(str(last))
    assert scan(last) == rx_print.qr_payload(detail)
    if len(images) > 1:
        first = tmp_path / "first.png"
        assert images[0].save(str(first))
        assert scan(first) is None


def test_an_invalid_prescription_prints_without_code_or_payload(tmp_path: Path) -> None:
    s = signer()
    for detail in (
        make_detail(s, 3, verification=Verification.TAMPERED),
        make_detail(s, 3, superseded_by="rx-print-4"),
    ):
        assert not detail.printable_as_valid
        assert rx_print.qr_payload(detail) is None
        out = tmp_path / "invalid.pdf"
        rx_print.print_prescription(detail, out, "A4")
        data = out.read_bytes()
        assert b"hwcrx:qrPayload" not in data
        with pytest.raises(ValueError, match="no prescription code"):
            verify_rx_module().read_rx_pdf(data)
        page = tmp_path / "invalid.png"
        image = rx_print.render_images(detail, "A4", dpi=300)[0]
        assert image.save(str(page))
        assert scan(page) is None
        # The watermark is drawn in red across the page: count clearly red pixels.
        reds = sum(
            1
            for x in range(0, image.width(), 8)
            for y in range(0, image.height(), 8)
            if (c := image.pixelColor(x, y)).red() > 200 and c.green() < 200 and c.blue() < 200
        )
        assert reds > 500


def test_pdf_payload_reader_is_strict() -> None:
    m = verify_rx_module()
    packet = rx_print.xmp_packet("RX1:ABC")
    assert m.read_rx_pdf(b"%PDF-1.4\n" + packet) == "RX1:ABC"
    with pytest.raises(ValueError, match="more than one"):
        m.read_rx_pdf(b"%PDF-1.4\n" + packet + packet)
    with pytest.raises(ValueError, match="outside its metadata"):
        m.read_rx_pdf(b"%PDF-1.4\n<hwcrx:qrPayload>RX1:ABC</hwcrx:qrPayload>")  # no packet
    with pytest.raises(ValueError):
        rx_print.xmp_packet("RX1:<evil/>")


def test_print_dialog_is_built_for_the_page_size(qtbot: object) -> None:
    printer, dialog = rx_print.make_print_dialog(None, "A5")
    page = printer.pageLayout().pageSize()
    assert page.id() == rx_print.QPageSize.PageSizeId.A5
    assert dialog.printer() is printer
    dialog.deleteLater()
