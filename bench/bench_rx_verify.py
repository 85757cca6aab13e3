"""Prescription verification speed: 1,000 signed prescriptions checked, budget under 1 s.

    .venv/bin/python bench/bench_rx_verify.py [--quick]

The prescriptions are canonical JSON of 2-4 KB (4 to 9 medicines, in the documented form),
signed by 20 specialists whose keys one hub key certified (``app.security.rx_signatures``).
Three figures, each the median of several runs over all 1,000:

* ``verify``: the spoke's check on arrival: signature and certificate against the hub key
  it pinned (the 20 certificates held, as a spoke holds them).
* ``qr``: the pharmacist's check of each printed code's text: base45, inflate, the
  certificate it carries, the signature (``check_qr_payload``).
* ``qr_cold``: the same with the certificate check remembered for nothing (every code by a
  different specialist): two Ed25519 verifications each. This is the figure held against the
  budget.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402

from app.security import rx_signatures as rx  # noqa: E402

BUDGET_S = 1.0  # 1,000 prescriptions
COUNT = 1000
SPECIALISTS = 20

_DRUGS = (
    ("AMOXICILLIN", "capsule", "500 mg"), ("PARACETAMOL", "tablet", "650 mg"),
    ("AMLODIPINE", "tablet", "5 mg"), ("METFORMIN", "tablet", "500 mg"),
    ("SALBUTAMOL", "inhaler", "100 mcg/puff"), ("OMEPRAZOLE", "capsule", "20 mg"),
    ("ORAL REHYDRATION SALTS", "powder", "20.5 g/L"), ("CETIRIZINE", "tablet", "10 mg"),
    ("AZITHROMYCIN", "tablet", "500 mg"), ("FERROUS SULPHATE + FOLIC ACID", "tablet", "100 mg"),
    ("IBUPROFEN", "tablet", "400 mg"), ("ZINC SULPHATE", "tablet", "20 mg"),
    ("ATORVASTATIN", "tablet", "10 mg"), ("LOSARTAN", "tablet", "50 mg"),
    ("GLIMEPIRIDE", "tablet", "1 mg"), ("ALBENDAZOLE", "tablet", "400 mg"),
)  # fmt: skip
_FREQ = ("1-0-0", "1-0-1", "1-1-1", "0-0-1", "when needed, at most 4 times a day",
         "before breakfast")  # fmt: skip
_NOTES = ("after food", "with a full glass of water", "avoid driving if drowsy",
          "stop and return if a rash appears", "do not crush", "")  # fmt: skip
_NOTE = ("This prescription was issued through a teleconsultation under the Telemedicine "
         "Practice Guidelines 2020.")  # fmt: skip


def prescription(rng: random.Random, serial: int, specialist: dict[str, str]) -> bytes:
    """Canonical JSON in the documented version 1 form (docs/PRESCRIPTIONS.md)."""
    items = rng.randint(4, 9)
    doc: dict[str, Any] = {
        "v": 1,
        "id": f"0193a2b4-7c1d-7e3f-9a2b-{serial:012d}",
        "case_id": f"0193a2b4-7c1d-7e3f-{rng.getrandbits(16):04x}-{rng.getrandbits(48):012x}",
        "supersedes": None,
        "issued_at": f"2026-11-{rng.randint(1, 28):02d}T0{rng.randint(0, 9)}:08:00Z",
        "mode": rng.choice(("video", "audio")), "visit": rng.choice(("first", "follow_up")),
        "patient": {"age_months": 0, "age_years": rng.randint(1, 90),
                    "name": rng.choice(("Sita Devi", "Ramesh Kumar", "Anjali Yadav", "Irfan")),
                    "sex": rng.choice(("female", "male"))},
        "practitioner": specialist,
        "chief_complaint": "Fever and cough for 4 days; increased thirst for a month",
        "findings": "Temp 38.4 °C, SpO2 95 %, BP 152/94, random glucose 262 mg/dL",
        "provisional_diagnosis": "Type 2 diabetes with hypertension; lower respiratory tract "
                                 "infection",
        "advice": "Plenty of fluids.\nCheck blood sugar weekly at the HWC.\nReturn at once if "
                  "breathless, confused or the fever lasts beyond 3 days.",
        "referral": "", "note": _NOTE,
        "items": [
            {"brand": "", "continuation": False, "dosage_form": form,
             "dose": rng.choice(("1 tablet", "2 tablets", "1 capsule", "half a tablet")),
             "duration_days": rng.randint(3, 30), "frequency": rng.choice(_FREQ),
             "generic_name": drug, "instructions": rng.choice(_NOTES),
             "off_formulary_reason": "", "quantity": rng.randint(5, 90), "quantity_unit": form,
             "route": "oral", "strength": strength, "substitution_allowed": True}
            for drug, form, strength in rng.sample(_DRUGS, items)
        ],
        "investigations": ["HbA1c", "Chest X-ray", "Urine albumin"],
        "follow_up": "2026-12-10",
    }  # fmt: skip
    text = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")


def corpus(seed: int = 7) -> dict[str, Any]:
    rng = random.Random(seed)
    hub = rx.new_hub_key()
    signers = []
    for n in range(SPECIALISTS):
        key = Ed25519PrivateKey.generate()
        who = {
            "name": f"Dr Specialist {n}",
            "qualification": "MBBS, MD (Medicine)",
            "registration_council": "Uttar Pradesh Medical Council",
            "registration_number": f"UPMC-{45000 + n}",
            "specialty": "general_medicine",
        }
        cert = rx.issue_certificate(
            hub, public_key=rx.public_bytes(key), user_id=f"user-{n:04d}", name=who["name"],
            registration_no=who["registration_number"], council=who["registration_council"],
            specialty="General Medicine", valid_from=datetime(2026, 1, 1, tzinfo=UTC),
        )  # fmt: skip
        signers.append((key, cert, who))
    items = []
    for serial in range(COUNT):
        key, cert, who = signers[serial % SPECIALISTS]
        payload = prescription(rng, serial, who)
        signature = rx.sign(key, cert.key_id, payload)
        qr = rx.encode_qr_payload(payload, signature, cert, max_chars=10_000)
        items.append((payload, signature, cert.key_id, qr))
    return {"hub": hub.public_key(), "certs": [c for _, c, _ in signers], "items": items}


def _timed(run: Any, repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return times


def measure(quick: bool = False) -> dict[str, Any]:
    data = corpus()
    hub, certs, items = data["hub"], data["certs"], data["items"]
    repeats = 3 if quick else 7
    sizes = [len(p) for p, *_ in items]
    qr_sizes = [len(q) for *_, q in items]

    def verify_all() -> None:
        for payload, signature, key_id, _ in items:
            if not rx.verify(payload, signature, key_id, certs, hub).valid:
                raise AssertionError("a genuine prescription did not verify")

    def qr_all() -> None:
        for *_, text in items:
            if not rx.check_qr_payload(text, hub).verdict.valid:
                raise AssertionError("a genuine code did not verify")

    def qr_cold() -> None:
        for *_, text in items:
            rx._hub_signed.cache_clear()  # as if every code came from another specialist
            if not rx.check_qr_payload(text, hub).verdict.valid:
                raise AssertionError("a genuine code did not verify")

    figures = {
        "verify_s": statistics.median(_timed(verify_all, repeats)),
        "qr_s": statistics.median(_timed(qr_all, repeats)),
        "qr_cold_s": statistics.median(_timed(qr_cold, repeats)),
    }
    return {
        **{k: round(v, 4) for k, v in figures.items()},
        "count": COUNT,
        "payload_bytes": {"min": min(sizes), "median": int(statistics.median(sizes)),
                          "max": max(sizes)},
        "qr_chars": {"min": min(qr_sizes), "median": int(statistics.median(qr_sizes)),
                     "max": max(qr_sizes)},
        "budget_s": BUDGET_S,
        "ratio": round(figures["qr_cold_s"] / BUDGET_S, 3),
    }  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    args = parser.parse_args()
    result = measure(args.quick)
    p, q = result["payload_bytes"], result["qr_chars"]
    print(f"{COUNT:,} prescriptions, canonical JSON {p['min']:,}-{p['max']:,} B "
          f"(median {p['median']:,}); QR text {q['min']:,}-{q['max']:,} characters")  # fmt: skip
    print(f"  verify (spoke, 20 certificates held)   {result['verify_s']:.3f} s")
    print(f"  check QR text (pharmacist)             {result['qr_s']:.3f} s")
    print(f"  check QR text, no certificate cached   {result['qr_cold_s']:.3f} s"
          f"   budget {BUDGET_S:g} s   ratio {result['ratio']:.3f}")  # fmt: skip
    return 0 if result["ratio"] < 1 else 1


if __name__ == "__main__":
    sys.exit(main())
