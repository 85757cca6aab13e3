"""Prescriptions, keys and certificates for the signature tests: realistic canonical JSON
(the shape of a primary-care prescription with N items), never the domain's own code, so the
signature layer is tested on bytes alone."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.security import rx_signatures as rx

DRUGS = (
    ("AMOXICILLIN", "capsule", "500 mg", "1 capsule", "1-1-1", 5, 15, "capsule"),
    ("PARACETAMOL", "tablet", "650 mg", "1 tablet", "when needed, up to 4 a day", 3, 10, "tablet"),
    ("AMLODIPINE", "tablet", "5 mg", "1 tablet", "1-0-0", 30, 30, "tablet"),
    ("METFORMIN", "tablet", "500 mg", "1 tablet", "1-0-1 after food", 30, 60, "tablet"),
    ("SALBUTAMOL", "inhaler", "100 mcg/puff", "2 puffs", "when breathless", 30, 1, "inhaler"),
    ("OMEPRAZOLE", "capsule", "20 mg", "1 capsule", "before breakfast", 14, 14, "capsule"),
    ("ORAL REHYDRATION SALTS", "powder", "20.5 g/L", "1 sachet in 1 L water",
     "after each loose stool", 3, 6, "sachet"),
    ("CETIRIZINE", "tablet", "10 mg", "1 tablet", "0-0-1", 7, 7, "tablet"),
    ("AZITHROMYCIN", "tablet", "500 mg", "1 tablet", "1-0-0", 3, 3, "tablet"),
    ("FERROUS SULPHATE + FOLIC ACID", "tablet", "100 mg + 0.5 mg", "1 tablet", "1-0-0", 90, 90,
     "tablet"),
    ("IBUPROFEN", "tablet", "400 mg", "1 tablet", "1-1-1 after food", 5, 15, "tablet"),
    ("ZINC SULPHATE", "tablet", "20 mg", "1 tablet", "1-0-0", 14, 14, "tablet"),
)  # fmt: skip

PRACTITIONER = {
    "name": "Dr. Anil Sharma",
    "qualification": "MBBS, MD (Medicine)",
    "registration_council": "Uttar Pradesh Medical Council",
    "registration_number": "UPMC-45821",
    "specialty": "general_medicine",
}
NOTE = (
    "This prescription was issued through a teleconsultation under the Telemedicine Practice "
    "Guidelines 2020."
)


def prescription(items: int = 3, *, patient: str = "Sita Devi", serial: int = 0) -> bytes:
    """Canonical JSON bytes of a prescription with ``items`` medicines, in the documented
    version 1 form (docs/PRESCRIPTIONS.md, "The canonical form")."""
    doc: dict[str, Any] = {
        "v": 1,
        "id": f"0193a2b4-7c1d-7e3f-9a2b-{serial:012d}",
        "case_id": "0193a2b4-7c1d-7e3f-9a2b-4c5d6e7f0000",
        "supersedes": None,
        "issued_at": "2026-11-20T05:08:00Z",
        "mode": "video",
        "visit": "first",
        "patient": {"age_months": 0, "age_years": 42, "name": patient, "sex": "female"},
        "practitioner": PRACTITIONER,
        "chief_complaint": "Fever and cough for 4 days",
        "findings": "Temp 38.4 °C, SpO2 95 %, crepitations right base",
        "provisional_diagnosis": "Community-acquired pneumonia, mild; hypertension (known)",
        "advice": "Plenty of fluids.\nReturn if breathless or fever persists beyond 3 days.",
        "referral": "",
        "note": NOTE,
        "items": [
            {
                "brand": "",
                "continuation": False,
                "dosage_form": form,
                "dose": dose,
                "duration_days": days,
                "frequency": frequency,
                "generic_name": name,
                "instructions": "after food" if n % 2 else "",
                "off_formulary_reason": "",
                "quantity": quantity,
                "quantity_unit": unit,
                "route": "oral",
                "strength": strength,
                "substitution_allowed": True,
            }
            for n, (name, form, strength, dose, frequency, days, quantity, unit) in enumerate(
                DRUGS[:items]
            )
        ],
        "investigations": ["Chest X-ray", "CBC"],
        "follow_up": "2026-11-27",
    }
    text = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")


VALID_FROM = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass
class Signer:
    hub_key: Ed25519PrivateKey
    key: Ed25519PrivateKey
    key_id: str
    certificate: rx.SignedCertificate

    @property
    def hub_public(self) -> Any:
        return self.hub_key.public_key()

    def sign(self, payload: bytes) -> bytes:
        return rx.sign(self.key, self.key_id, payload)

    def qr(self, payload: bytes) -> str:
        return rx.encode_qr_payload(payload, self.sign(payload), self.certificate)


def signer(hub_key: Ed25519PrivateKey | None = None, **cert: Any) -> Signer:
    """A specialist key certified by ``hub_key`` (a new hub key by default)."""
    hub_key = hub_key or rx.new_hub_key()
    key = Ed25519PrivateKey.generate()
    public = rx.public_bytes(key)
    fields: dict[str, Any] = {
        "user_id": "0193a2b4-7c1d-7e3f-9a2b-4c5d6e7f2222",
        "name": PRACTITIONER["name"],
        "registration_no": PRACTITIONER["registration_number"],
        "council": PRACTITIONER["registration_council"],
        "specialty": "General Medicine",
        "valid_from": VALID_FROM,
        **cert,
    }
    certificate = rx.issue_certificate(hub_key, public_key=public, **fields)
    return Signer(hub_key, key, rx.key_id_of(public), certificate)
