"""Printing a prescription: A4 or A5, to PDF or a real printer (docs/PRESCRIPTIONS.md,
"Printing").

``print_prescription(detail, device_or_path, page_size)`` lays one prescription out in the
order of the Telemedicine Practice Guidelines' sample format: the practitioner (name,
qualification, registration number and council, specialty) and the facility, the patient
(name as stored, so Devanagari stays Devanagari; age; sex), date and time, complaint, findings,
provisional diagnosis, the medicines (generic name in capitals, strength, form, dose,
frequency, route, duration, quantity; brand and substitution when given), advice,
investigations, follow-up, referral, the teleconsultation note, who signed it, and the QR code
a pharmacist scans. A long prescription flows onto more pages; the header is repeated on each
and every page says "page n of N"; the code comes once, at the end of the last page. A5 is laid
out compactly (``_SPACING``): short sections put their label on the line they label, so a
typical three-item prescription and its code fit on one A5 page.

``facility`` is the clinic's name (the one this PC was enrolled as, from
``PrescriptionService.facility_name``); it is printed under the practitioner, and left out when
empty (a PC that is not enrolled).

The PDF also carries the QR text in its XMP metadata (``XMP_ELEMENT``), so ``main.py
verify-rx`` can check a PDF without decoding an image; Qt writes that stream uncompressed.

A prescription that may not be dispensed from (``printable_as_valid`` false: its signature did
not verify, or it was superseded) is printed with "NOT VALID — DO NOT DISPENSE" across every
page and level in every page's footer, the reason at the top, and no QR code or embedded
payload: the clinic still gets its paper record (to file, or to query the hub with), and
nothing on it can pass a pharmacist's check.

Layout is measured in the target device's own pixels from millimetres, with fonts in points,
so the same code draws a 1200 dpi PDF, a printer and a preview image. Everything here runs on
the GUI thread: one A4 page renders in tens of milliseconds (docs give the figure).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import segno
from PySide6.QtCore import QCoreApplication, QMarginsF, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPaintDevice,
    QPainter,
    QPdfWriter,
    QPen,
    QTextLayout,
    QTextLine,
)
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QWidget

from app.domain.prescriptions import IST, Prescription, PrescriptionItem
from app.security import rx_signatures
from app.services.prescriptions import PrescriptionDetail
from app.ui.application import FONT_FAMILIES, register_fonts
from app.ui.case_form import specialty_name
from app.ui.clinical_text import sex_long

# The XMP property that carries the QR text in a printed PDF. Base45 has no character XML
# must escape, so the payload is the element's text exactly; main.py reads it back.
XMP_NAMESPACE = "urn:hwc-spoke:rx:1"
XMP_ELEMENT = "hwcrx:qrPayload"

MARGIN_MM = 12.0
# Module size: at least the ~0.4 mm a phone camera resolves on a laser print. A5 takes the
# smallest that still scans, so a three-item prescription and its code share one page; the
# largest code the payload allows (version 30, 137 modules + quiet zone) is then 58 mm.
QR_MODULE_MM = {"A4": 0.5, "A5": 0.4}
QR_QUIET_MODULES = 4
WATERMARK_COLOUR = QColor(200, 0, 0, 70)
WARNING_COLOUR = QColor(170, 0, 0)
RULE_COLOUR = QColor(120, 120, 120)
MUTED_COLOUR = QColor(70, 70, 70)


class PageSize(StrEnum):
    A4 = "A4"
    A5 = "A5"


_PAGE_IDS = {PageSize.A4: QPageSize.PageSizeId.A4, PageSize.A5: QPageSize.PageSizeId.A5}
# Body text in points: A5 is read at the same distance as A4, so it shrinks only a little, and
# never below 8 pt (the smallest text, 0.85 of the body, is then 6.8 pt: dates and captions).
_BODY_PT = {PageSize.A4: 10.0, PageSize.A5: 8.5}


@dataclass(frozen=True, slots=True)
class _Spacing:
    """Vertical space in millimetres. A5 is compact: a typical three-item prescription (with
    advice, investigations and a follow-up) and its code must share one A5 page, so short
    sections there put their label on the same line as their text."""

    compact: bool
    title_scale: float
    line_mm: float  # after an ordinary line
    header_mm: float  # after each header line
    section_gap_mm: float  # after a section
    item_gap_mm: float  # between medicines
    rule_mm: float


_SPACING = {
    PageSize.A4: _Spacing(False, 1.45, 0.6, 0.2, 1.2, 0.8, 1.5),
    PageSize.A5: _Spacing(True, 1.3, 0.2, 0.0, 0.6, 0.5, 1.2),
}


def qr_payload(detail: PrescriptionDetail) -> str | None:
    """The QR text for a printable prescription: exactly the signed bytes, the signature and
    the certificate it arrived with. None when it may not be printed as valid, or when it is too
    long for a code (``QrPayloadTooLarge``: the print then says so)."""
    if not detail.printable_as_valid:
        return None
    stored = detail.stored
    try:
        certificate = rx_signatures.decode_certificate(stored.certificate)
        return rx_signatures.encode_qr_payload(stored.canonical, stored.signature, certificate)
    except (rx_signatures.CertificateError, rx_signatures.QrPayloadTooLarge, ValueError):
        return None


def xmp_packet(payload: str) -> bytes:
    """An XMP packet holding ``payload`` in ``XMP_ELEMENT`` (a QR text is base45: no escaping)."""
    if not payload.startswith(rx_signatures.QR_PREFIX) or any(c in payload for c in "<>&\"'"):
        raise ValueError("not a prescription QR payload")
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        f'<rdf:Description rdf:about="" xmlns:hwcrx="{XMP_NAMESPACE}">\n'
        f"<{XMP_ELEMENT}>{payload}</{XMP_ELEMENT}>\n"
        "</rdf:Description>\n</rdf:RDF>\n</x:xmpmeta>\n"
        '<?xpacket end="r"?>'
    ).encode()


# --- layout -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Block:
    height: float
    paint: Callable[[QPainter, float], None]  # draws with its top at y
    keep_with_next: bool = False  # a section title stays with its first line


class _Fonts:
    def __init__(self, body_pt: float, title_scale: float) -> None:
        register_fonts()
        self.body = self._font(body_pt)
        self.small = self._font(body_pt * 0.85)
        self.bold = self._font(body_pt, bold=True)
        self.title = self._font(body_pt * title_scale, bold=True)
        self.label = self._font(body_pt * 0.85, bold=True)
        self.watermark = self._font(body_pt * 4.2, bold=True)

    @staticmethod
    def _font(points: float, *, bold: bool = False) -> QFont:
        font = QFont()
        # Latin first for digits and English; Devanagari names fall through to the second.
        font.setFamilies(list(FONT_FAMILIES))
        font.setPointSizeF(points)
        font.setBold(bold)
        return font


class _Layout:
    """Blocks measured for one device; ``paginate`` splits them under a repeated header."""

    def __init__(self, device: QPaintDevice, page_size: PageSize, width_px: float) -> None:
        self.device = device
        self.mm = device.logicalDpiX() / 25.4
        self.qr_module_mm = QR_MODULE_MM[page_size.value]
        self.width = width_px
        self.space = _SPACING[page_size]
        self.fonts = _Fonts(_BODY_PT[page_size], self.space.title_scale)

    def metrics(self, font: QFont) -> QFontMetricsF:
        return QFontMetricsF(font, self.device)

    def text(
        self,
        text: str,
        font: QFont,
        *,
        indent_mm: float = 0.0,
        colour: QColor | None = None,
        align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft,
        keep_with_next: bool = False,
        space_after_mm: float | None = None,
    ) -> _Block:
        if space_after_mm is None:
            space_after_mm = self.space.line_mm
        x = indent_mm * self.mm
        width = self.width - x
        flags = int(align | Qt.AlignmentFlag.AlignTop) | int(Qt.TextFlag.TextWordWrap)
        box = self.metrics(font).boundingRect(QRectF(0, 0, width, 1e7), flags, text)
        height = box.height() + space_after_mm * self.mm

        def paint(p: QPainter, y: float) -> None:
            p.setFont(font)
            p.setPen(colour or QColor(Qt.GlobalColor.black))
            p.drawText(QRectF(x, y, width, box.height() + 1), flags, text)

        return _Block(height, paint, keep_with_next)

    def labelled(self, label: str, text: str) -> _Block | None:
        """``label`` in bold and ``text`` after it on one line, or None when they do not fit
        on one line (the caller then stacks them)."""
        first, first_line = self._one_line(label, self.fonts.bold)
        second, second_line = self._one_line(text, self.fonts.body)
        label_w = first_line.naturalTextWidth()
        if label_w + second_line.naturalTextWidth() > self.width:
            return None
        # A Devanagari label and a Latin text have different ascents (each line takes its own
        # script's font): sharing one baseline keeps them level.
        base = max(first_line.ascent(), second_line.ascent())
        height = base + max(first_line.descent(), second_line.descent())
        height += max(first_line.leading(), second_line.leading())

        def paint(p: QPainter, y: float) -> None:
            p.setPen(QColor(Qt.GlobalColor.black))
            first.draw(p, QPointF(0, y + base - first_line.ascent()))
            second.draw(p, QPointF(label_w, y + base - second_line.ascent()))

        return _Block(height + self.space.line_mm * self.mm, paint)

    def _one_line(self, text: str, font: QFont) -> tuple[QTextLayout, QTextLine]:
        layout = QTextLayout(text, font, self.device)
        layout.beginLayout()
        line = layout.createLine()
        line.setLineWidth(1e7)
        layout.endLayout()
        return layout, line

    def rule(self, *, space_mm: float | None = None) -> _Block:
        if space_mm is None:
            space_mm = self.space.rule_mm

        def paint(p: QPainter, y: float) -> None:
            p.setPen(QPen(RULE_COLOUR, max(1.0, 0.25 * self.mm)))
            mid = y + space_mm * self.mm / 2
            p.drawLine(QPointF(0, mid), QPointF(self.width, mid))

        return _Block(space_mm * self.mm, paint)

    def gap(self, mm: float) -> _Block:
        return _Block(mm * self.mm, lambda p, y: None)

    def section(self, title: str, body: str) -> list[_Block]:
        """A labelled section; each paragraph is its own block so long text can flow."""
        if not body:
            return []
        lines = body.split("\n")
        inline = None
        if self.space.compact:
            label = QCoreApplication.translate("RxPrint", "{title}: ").format(title=title)
            inline = self.labelled(label, lines[0])
        if inline is not None:
            blocks = [inline]
            lines = lines[1:]
        else:
            blocks = [self.text(title, self.fonts.label, keep_with_next=True, space_after_mm=0.3)]
        for line in lines:
            blocks.append(self.text(line or " ", self.fonts.body, indent_mm=2))
        blocks.append(self.gap(self.space.section_gap_mm))
        return blocks


def _age(rx: Prescription) -> str:
    p = rx.patient
    if p.age_years == 0 and p.age_months:
        return QCoreApplication.translate("RxPrint", "{months} months").format(months=p.age_months)
    if p.age_months:
        return QCoreApplication.translate("RxPrint", "{years} years {months} months").format(
            years=p.age_years, months=p.age_months
        )
    return QCoreApplication.translate("RxPrint", "{years} years").format(years=p.age_years)


def _issued(rx: Prescription) -> str:
    # The Indian date and time, as the domain dates a prescription.
    return rx.issued_at.astimezone(IST).strftime("%Y-%m-%d %H:%M IST")


def _mode(rx: Prescription) -> str:
    names = {
        "video": QCoreApplication.translate("RxPrint", "video"),
        "audio": QCoreApplication.translate("RxPrint", "audio"),
        "text": QCoreApplication.translate("RxPrint", "text"),
    }
    visit = (
        QCoreApplication.translate("RxPrint", "first consultation")
        if rx.visit.value == "first"
        else QCoreApplication.translate("RxPrint", "follow-up")
    )
    return QCoreApplication.translate("RxPrint", "Teleconsultation by {mode}, {visit}").format(
        mode=names.get(rx.mode.value, rx.mode.value), visit=visit
    )


def _header_blocks(lay: _Layout, detail: PrescriptionDetail, facility: str) -> list[_Block]:
    rx, f = detail.prescription, lay.fonts
    d = rx.practitioner
    line_mm = lay.space.header_mm
    blocks = [lay.text(d.name, f.title, space_after_mm=2 * line_mm)]
    line = d.qualification
    if d.specialty:
        line += " · " + specialty_name(d.specialty)
    blocks.append(lay.text(line, f.body, space_after_mm=line_mm))
    blocks.append(
        lay.text(
            QCoreApplication.translate("RxPrint", "Reg. No. {number}, {council}").format(
                number=d.registration_number, council=d.registration_council
            ),
            f.bold,
            space_after_mm=line_mm,
        )
    )
    if facility:
        blocks.append(lay.text(facility, f.bold, colour=MUTED_COLOUR, space_after_mm=line_mm))
    blocks.append(lay.rule())
    patient = QCoreApplication.translate("RxPrint", "Patient: {name}").format(name=rx.patient.name)
    blocks.append(lay.text(patient, f.bold, space_after_mm=line_mm))
    blocks.append(
        lay.text(
            QCoreApplication.translate("RxPrint", "Age: {age}    Sex: {sex}").format(
                age=_age(rx), sex=sex_long(rx.patient.sex)
            ),
            f.body,
            space_after_mm=line_mm,
        )
    )
    blocks.append(
        lay.text(
            QCoreApplication.translate("RxPrint", "Date: {issued}    Prescription: {id}").format(
                issued=_issued(rx), id=rx.id
            ),
            f.small,
            space_after_mm=line_mm,
        )
    )
    blocks.append(lay.rule(space_mm=lay.space.rule_mm + 0.5))
    return blocks


def _item_blocks(lay: _Layout, index: int, item: PrescriptionItem) -> list[_Block]:
    f = lay.fonts
    head = f"{index}. {item.generic_name}  {item.strength}  {item.dosage_form}"
    how = QCoreApplication.translate(
        "RxPrint", "{dose}, {frequency}, {route}, for {days} days. Quantity: {quantity} {unit}"
    ).format(
        dose=item.dose,
        frequency=item.frequency,
        route=item.route,
        days=item.duration_days,
        quantity=item.quantity,
        unit=item.quantity_unit,
    )
    extra: list[str] = []
    if item.instructions:
        extra.append(item.instructions)
    if item.brand:
        substitution = (
            QCoreApplication.translate("RxPrint", "substitution allowed")
            if item.substitution_allowed
            else QCoreApplication.translate("RxPrint", "do not substitute")
        )
        extra.append(
            QCoreApplication.translate("RxPrint", "Brand: {brand} ({substitution})").format(
                brand=item.brand, substitution=substitution
            )
        )
    elif not item.substitution_allowed:
        extra.append(QCoreApplication.translate("RxPrint", "do not substitute"))
    if item.continuation:
        extra.append(QCoreApplication.translate("RxPrint", "Continuation of current treatment"))
    if item.off_formulary_reason:
        extra.append(
            QCoreApplication.translate("RxPrint", "Not in formulary: {reason}").format(
                reason=item.off_formulary_reason
            )
        )
    if lay.space.compact and extra:
        # One line of notes instead of one per note: what keeps three items on an A5 page.
        extra = [" · ".join(extra)]
    blocks = [lay.text(head, f.bold, keep_with_next=True, space_after_mm=lay.space.header_mm)]
    blocks.append(lay.text(how, f.body, indent_mm=5, keep_with_next=bool(extra)))
    for n, line in enumerate(extra):
        last = n == len(extra) - 1
        blocks.append(lay.text(line, f.small, indent_mm=5, keep_with_next=not last))
    blocks.append(lay.gap(lay.space.item_gap_mm))
    return blocks


def _qr_block(lay: _Layout, detail: PrescriptionDetail, payload: str | None) -> list[_Block]:
    f = lay.fonts
    signer = detail.signer
    if not detail.printable_as_valid:
        return []
    signed = QCoreApplication.translate("RxPrint", "Digitally signed by {name} (key {key_id})")
    name = signer.name if signer is not None else detail.prescription.practitioner.name
    signed = signed.format(name=name, key_id=detail.stored.key_id)
    if payload is None:
        return [
            lay.text(signed, f.bold),
            lay.text(
                QCoreApplication.translate(
                    "RxPrint",
                    "This prescription is too long for a printed code: "
                    "check it in the clinic's app.",
                ),
                f.small,
                colour=WARNING_COLOUR,
            ),
        ]
    qr = segno.make(payload, error="m", micro=False)
    matrix = qr.matrix
    modules = len(matrix)
    module = lay.qr_module_mm * lay.mm
    side = (modules + 2 * QR_QUIET_MODULES) * module
    caption_x = side + 4 * lay.mm
    caption_w = lay.width - caption_x
    flags = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop) | int(
        Qt.TextFlag.TextWordWrap
    )
    caption = QCoreApplication.translate("RxPrint", "Scan to verify (main.py verify-rx)")
    narrow = caption_w < 35 * lay.mm  # A5 with a big code: the words go under it

    def paint(p: QPainter, y: float) -> None:
        p.save()
        p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        p.fillRect(QRectF(0, y, side, side), QColor(Qt.GlobalColor.white))
        origin = QR_QUIET_MODULES * module
        for r, row in enumerate(matrix):
            c = 0
            # One rectangle per run of dark modules: fewer PDF paths, no seams between them.
            while c < modules:
                if not row[c]:
                    c += 1
                    continue
                start = c
                while c < modules and row[c]:
                    c += 1
                p.fillRect(
                    QRectF(origin + start * module, y + origin + r * module,
                           (c - start) * module, module),
                    QColor(Qt.GlobalColor.black),
                )  # fmt: skip
        p.restore()
        text = signed + "\n" + caption
        if narrow:
            p.setFont(f.small)
            p.setPen(QColor(Qt.GlobalColor.black))
            p.drawText(QRectF(0, y + side, lay.width, 12 * lay.mm), flags, text)
        else:
            p.setFont(f.bold)
            p.setPen(QColor(Qt.GlobalColor.black))
            p.drawText(QRectF(caption_x, y + origin, caption_w, side), flags, signed)
            fm = lay.metrics(f.bold)
            used = fm.boundingRect(QRectF(0, 0, caption_w, 1e7), flags, signed).height()
            p.setFont(f.small)
            p.drawText(
                QRectF(caption_x, y + origin + used + 2 * lay.mm, caption_w, side), flags, caption
            )

    height = side + (12 * lay.mm if narrow else 0) + 2 * lay.mm
    return [_Block(height, paint)]


def _body_blocks(lay: _Layout, detail: PrescriptionDetail, payload: str | None) -> list[_Block]:
    rx, f = detail.prescription, lay.fonts
    blocks: list[_Block] = []
    if not detail.printable_as_valid:
        reason = (
            QCoreApplication.translate("RxPrint", "Superseded by prescription {id}.").format(
                id=detail.stored.superseded_by
            )
            if detail.superseded
            else QCoreApplication.translate(
                "RxPrint", "Its signature did not verify: {reason}."
            ).format(reason=detail.stored.verification_reason or detail.stored.verification.value)
        )
        title = QCoreApplication.translate("RxPrint", "NOT VALID — DO NOT DISPENSE")
        blocks.append(lay.text(title, f.title, colour=WARNING_COLOUR))
        blocks.append(lay.text(reason, f.bold, colour=WARNING_COLOUR, space_after_mm=2))
    after_mode = lay.space.section_gap_mm + 0.3
    blocks.append(lay.text(_mode(rx), f.small, colour=MUTED_COLOUR, space_after_mm=after_mode))
    blocks += lay.section(
        QCoreApplication.translate("RxPrint", "Chief complaints"), rx.chief_complaint
    )
    blocks += lay.section(QCoreApplication.translate("RxPrint", "Relevant findings"), rx.findings)
    blocks += lay.section(
        QCoreApplication.translate("RxPrint", "Provisional diagnosis"), rx.provisional_diagnosis
    )
    if rx.items:
        blocks.append(lay.text("℞", f.title, keep_with_next=True, space_after_mm=0.5))
        for n, item in enumerate(rx.items, 1):
            blocks += _item_blocks(lay, n, item)
        blocks.append(lay.gap(lay.space.item_gap_mm))
    blocks += lay.section(QCoreApplication.translate("RxPrint", "Advice"), rx.advice)
    blocks += lay.section(
        QCoreApplication.translate("RxPrint", "Investigations advised"),
        "\n".join(rx.investigations),
    )
    if rx.follow_up is not None:
        blocks += lay.section(
            QCoreApplication.translate("RxPrint", "Follow-up"), rx.follow_up.isoformat()
        )
    blocks += lay.section(QCoreApplication.translate("RxPrint", "Referral"), rx.referral)
    if rx.supersedes:
        blocks += lay.section(
            QCoreApplication.translate("RxPrint", "Correction"),
            QCoreApplication.translate(
                "RxPrint", "This prescription replaces prescription {id}."
            ).format(id=rx.supersedes),
        )
    blocks.append(lay.rule())
    after_note = 1.0 if lay.space.compact else 2.0
    blocks.append(lay.text(rx.note, f.small, colour=MUTED_COLOUR, space_after_mm=after_note))
    blocks += _qr_block(lay, detail, payload)
    return blocks


def _paginate(blocks: list[_Block], room: float) -> list[list[_Block]]:
    pages: list[list[_Block]] = [[]]
    used = 0.0
    n = 0
    while n < len(blocks):
        # A title moves with what it introduces: measure the run it heads.
        run = [blocks[n]]
        while run[-1].keep_with_next and n + len(run) < len(blocks):
            run.append(blocks[n + len(run)])
        height = sum(b.height for b in run)
        if used + height > room and pages[-1]:
            pages.append([])
            used = 0.0
        if used + height > room:
            run = run[:1]  # larger than a page: place it alone and let the page clip it
            height = run[0].height
        pages[-1].extend(run)
        used += height
        n += len(run)
    return pages


# --- drawing onto pages ------------------------------------------------------------------


class _Pages:
    """Where pages come from: one painter on a paged device, or one image per page."""

    def begin(self) -> QPainter:
        raise NotImplementedError

    def next_page(self, painter: QPainter) -> QPainter:
        raise NotImplementedError

    def end(self, painter: QPainter) -> None:
        painter.end()


def _draw(
    detail: PrescriptionDetail,
    page_size: PageSize,
    device: QPaintDevice,
    width: float,
    height: float,
    pages: _Pages,
    facility: str,
) -> int:
    lay = _Layout(device, page_size, width)
    payload = qr_payload(detail)
    header = _header_blocks(lay, detail, facility)
    footer_h = 6 * lay.mm
    header_h = sum(b.height for b in header)
    split = _paginate(_body_blocks(lay, detail, payload), height - header_h - footer_h)
    total = len(split)
    painter = pages.begin()
    for number, body in enumerate(split, 1):
        if number > 1:
            painter = pages.next_page(painter)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        y = 0.0
        for block in [*header, *body]:
            block.paint(painter, y)
            y += block.height
        footer = QCoreApplication.translate("RxPrint", "Page {n} of {total} · {id}").format(
            n=number, total=total, id=detail.prescription.id
        )
        painter.setFont(lay.fonts.small)
        painter.setPen(MUTED_COLOUR)
        painter.drawText(
            QRectF(0, height - footer_h, width, footer_h),
            int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom),
            footer,
        )
        if not detail.printable_as_valid:
            # Also level, in the footer: the slanted watermark can be lost to a pale toner, a
            # photocopy or a text extractor; the footer line reads on every page regardless.
            painter.setPen(WARNING_COLOUR)
            painter.setFont(lay.fonts.label)
            painter.drawText(
                QRectF(0, height - footer_h, width, footer_h),
                int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom),
                QCoreApplication.translate("RxPrint", "NOT VALID — DO NOT DISPENSE"),
            )
            _watermark(painter, lay, width, height)
    pages.end(painter)
    return total


def _watermark(p: QPainter, lay: _Layout, width: float, height: float) -> None:
    p.save()
    p.translate(width / 2, height / 2)
    p.rotate(-50)
    p.setFont(lay.fonts.watermark)
    p.setPen(WATERMARK_COLOUR)
    text = QCoreApplication.translate("RxPrint", "NOT VALID — DO NOT DISPENSE")
    diagonal = (width**2 + height**2) ** 0.5
    p.drawText(
        QRectF(-diagonal / 2, -height / 4, diagonal, height / 2),
        int(Qt.AlignmentFlag.AlignCenter) | int(Qt.TextFlag.TextWordWrap),
        text,
    )
    p.restore()


class _DevicePages(_Pages):
    def __init__(self, device: QPagedPaintDevice) -> None:
        self.device = device

    def begin(self) -> QPainter:
        painter = QPainter()
        if not painter.begin(self.device):
            raise OSError(
                QCoreApplication.translate("RxPrint", "The printer or file could not be opened.")
            )
        return painter

    def next_page(self, painter: QPainter) -> QPainter:
        self.device.newPage()
        return painter


class _ImagePages(_Pages):
    def __init__(self, width_px: int, height_px: int, dpi: float, margin_px: float) -> None:
        self.size = (width_px, height_px)
        self.dpm = round(dpi / 0.0254)
        self.margin = margin_px
        self.images: list[QImage] = []

    def new_image(self) -> QImage:
        image = QImage(self.size[0], self.size[1], QImage.Format.Format_RGB32)
        image.setDotsPerMeterX(self.dpm)
        image.setDotsPerMeterY(self.dpm)
        image.fill(QColor(Qt.GlobalColor.white))
        return image

    def begin(self) -> QPainter:
        image = self.new_image()
        self.images.append(image)
        painter = QPainter(image)
        painter.translate(self.margin, self.margin)
        return painter

    def next_page(self, painter: QPainter) -> QPainter:
        painter.end()
        return self.begin()


def render(
    detail: PrescriptionDetail,
    device: QPagedPaintDevice,
    page_size: PageSize | str = PageSize.A4,
    *,
    facility: str = "",
) -> int:
    """Draw ``detail`` onto a PDF writer or printer at ``page_size``; returns the page count."""
    page_size = PageSize(page_size)
    device.setPageSize(QPageSize(_PAGE_IDS[page_size]))
    device.setPageOrientation(QPageLayout.Orientation.Portrait)
    margins = QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM)
    device.setPageMargins(margins, QPageLayout.Unit.Millimeter)
    # After the margins: width() and height() are the area inside them, in device pixels.
    return _draw(
        detail,
        page_size,
        device,
        float(device.width()),
        float(device.height()),
        _DevicePages(device),
        facility,
    )


def render_images(
    detail: PrescriptionDetail,
    page_size: PageSize | str = PageSize.A4,
    *,
    dpi: float = 150.0,
    facility: str = "",
) -> list[QImage]:
    """The pages as images (a preview, and what tests scan): the same drawing as ``render``."""
    page_size = PageSize(page_size)
    size_mm = QPageSize(_PAGE_IDS[page_size]).size(QPageSize.Unit.Millimeter)
    px = dpi / 25.4
    pages = _ImagePages(round(size_mm.width() * px), round(size_mm.height() * px), dpi,
                        MARGIN_MM * px)  # fmt: skip
    probe = pages.new_image()
    inner_w = (size_mm.width() - 2 * MARGIN_MM) * px
    inner_h = (size_mm.height() - 2 * MARGIN_MM) * px
    _draw(detail, page_size, probe, inner_w, inner_h, pages, facility)
    return pages.images


def print_prescription(
    detail: PrescriptionDetail,
    device_or_path: QPagedPaintDevice | Path | str,
    page_size: PageSize | str = PageSize.A4,
    *,
    facility: str = "",
) -> int:
    """Print ``detail`` to a printer or PDF writer, or to a PDF file at a path; returns the
    number of pages. A PDF file also carries the QR text in its XMP metadata."""
    size = PageSize(page_size)
    if isinstance(device_or_path, QPagedPaintDevice):
        return render(detail, device_or_path, size, facility=facility)
    writer = QPdfWriter(str(device_or_path))
    writer.setResolution(600)
    writer.setTitle(
        QCoreApplication.translate("RxPrint", "Prescription {id}").format(id=detail.prescription.id)
    )
    writer.setCreator("HWC Spoke")
    payload = qr_payload(detail)
    if payload is not None:
        writer.setDocumentXmpMetadata(xmp_packet(payload))
    return render(detail, writer, size, facility=facility)


def make_print_dialog(
    parent: QWidget | None, page_size: PageSize | str = PageSize.A4
) -> tuple[QPrinter, QPrintDialog]:
    """A printer set to ``page_size`` and the system's print dialog for it."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageSize(QPageSize(_PAGE_IDS[PageSize(page_size)]))
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle(QCoreApplication.translate("RxPrint", "Print prescription"))
    return printer, dialog


def print_with_dialog(
    parent: QWidget | None,
    detail: PrescriptionDetail,
    page_size: PageSize | str = PageSize.A4,
    *,
    facility: str = "",
) -> bool:
    """Ask where to print, then print; False when the person cancelled."""
    printer, dialog = make_print_dialog(parent, page_size)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return False
    # The dialog may have changed the paper; the prescription keeps the size asked for.
    print_prescription(detail, printer, page_size, facility=facility)
    return True
