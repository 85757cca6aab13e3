"""Hub specialties a case can be queued to. Keys are stable (sent to the hub); names are
English and translated by the UI. Immutable tables: thread-safe."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Specialty:
    key: str
    name: str


SPECIALTIES: tuple[Specialty, ...] = (
    Specialty("general_medicine", "General Medicine"),
    Specialty("cardiology", "Cardiology"),
    Specialty("dermatology", "Dermatology"),
    Specialty("paediatrics", "Paediatrics"),
    Specialty("obstetrics_gynaecology", "Obstetrics & Gynaecology"),
    Specialty("ophthalmology", "Ophthalmology"),
    Specialty("ent", "ENT"),
    Specialty("orthopaedics", "Orthopaedics"),
    Specialty("psychiatry", "Psychiatry"),
    Specialty("pulmonology", "Pulmonology"),
    Specialty("endocrinology", "Endocrinology"),
    Specialty("neurology", "Neurology"),
    Specialty("surgery", "General Surgery"),
    Specialty("dental", "Dental"),
)

_BY_KEY = {s.key: s for s in SPECIALTIES}


def specialty(key: str) -> Specialty | None:
    return _BY_KEY.get(key)
