"""Reference lists shipped with the app."""

from __future__ import annotations

from app.services.reference import ReferenceService


def test_states_and_districts_from_lgd_csv() -> None:
    ref = ReferenceService()
    states = ref.states()
    assert "UTTAR PRADESH" in states
    assert states == sorted(states, key=str.casefold)
    assert len(states) == len(set(states)) >= 36
    up = ref.districts("UTTAR PRADESH")
    assert "AGRA" in up and "Amethi" in up
    assert ref.districts("uttar pradesh") == up
    assert ref.districts("Atlantis") == []


def test_specialties_include_general_medicine() -> None:
    keys = [s.key for s in ReferenceService().specialties()]
    assert "general_medicine" in keys
    assert len(keys) == len(set(keys)) == 14
