"""Hub specialties."""

from __future__ import annotations

from app.domain.specialties import SPECIALTIES, specialty

KEYS = [
    "general_medicine",
    "cardiology",
    "dermatology",
    "paediatrics",
    "obstetrics_gynaecology",
    "ophthalmology",
    "ent",
    "orthopaedics",
    "psychiatry",
    "pulmonology",
    "endocrinology",
    "neurology",
    "surgery",
    "dental",
]


def test_keys_are_the_contract_list_in_order() -> None:
    assert [s.key for s in SPECIALTIES] == KEYS


def test_every_specialty_has_an_english_name() -> None:
    assert all(s.name and s.name[0].isupper() for s in SPECIALTIES)
    assert specialty("obstetrics_gynaecology") is not None


def test_lookup() -> None:
    found = specialty("cardiology")
    assert found is not None
    assert found.name == "Cardiology"
    assert specialty("astrology") is None
    assert specialty("") is None
