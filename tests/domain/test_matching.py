"""Duplicate matching over realistic rural registrations."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from app.domain.ids import PatientId
from app.domain.matching import likely_duplicates, match, name_key, name_similarity
from app.domain.models import Address, Patient, PatientDraft, Sex

TODAY = date(2025, 3, 15)
NOW = datetime(2025, 1, 1, tzinfo=UTC)


def patient(
    pid: str,
    name: str,
    *,
    name_alt: str = "",
    sex: Sex = Sex.MALE,
    age: int | None = 45,
    estimated: bool = True,
    village: str = "Kheri",
    phone: str = "",
    abha: str = "",
) -> Patient:
    born = None if age is None else date(TODAY.year - age, 1, 1)
    return Patient(
        id=PatientId(pid),
        name=name,
        name_alt=name_alt,
        sex=sex,
        birth_date=born,
        birth_date_estimated=estimated,
        phone=phone,
        abha_number=abha,
        abha_address="",
        address=Address(state="Haryana", district="Jind", village=village),
        created_at=NOW,
        updated_at=NOW,
    )


def draft(
    name: str,
    *,
    name_alt: str = "",
    sex: Sex = Sex.MALE,
    age: int | None = 44,
    village: str = "Kheri",
    phone: str = "",
    abha: str = "",
) -> PatientDraft:
    return PatientDraft(
        name=name,
        name_alt=name_alt,
        sex=sex,
        age_years=age,
        phone=phone,
        abha_number=abha,
        address=Address(village=village),
    )


RAMESH = patient("p-ramesh", "Ramesh Kumar", name_alt="रमेश कुमार")


# --- name keys ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Ramesh Kumaar", "Ramesh Kumar"),
        ("Sunita", "Suneeta"),
        ("Sunita", "Sunitha"),
        ("Laxmi", "Lakshmi"),
        ("Lakshmee", "LAXMI"),
        ("Pooja", "Puja"),
        ("Priya", "Pria"),
        ("Geeta", "Gita"),
        ("Jyoti", "Jyothi"),
        ("Rama", "Ram"),
        ("Mohd.  Salim", "mohd salim"),
        ("सुनीता", "सुनिता"),  # long and short i sign
        ("मुन\u093cा", "मुना"),  # nukta dropped
    ],
)
def test_spelling_variants_share_a_key(a: str, b: str) -> None:
    assert name_key(a) == name_key(b)
    assert name_similarity(a, b) == 1.0


def test_devanagari_vowel_signs_survive_in_the_key() -> None:
    # Vowel signs and the virama are combining marks; dropping them would make सुनीता "स न त".
    assert name_key("सुनीता") == "सुनिता"
    assert name_key("लक्ष्मी") == "लक्ष्मि"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Sunita Devi", "Anita Devi"),
        ("Mohan", "Sohan"),
        ("Ramesh Kumar", "Ramesh Singh"),
        ("सुनीता", "अनीता"),
        ("Ramesh Kumar", "रमेश कुमार"),  # different scripts are compared only via name_alt
    ],
)
def test_different_names_stay_apart(a: str, b: str) -> None:
    assert name_similarity(a, b) < 0.8


def test_word_order_and_joined_words() -> None:
    assert name_similarity("Devi Sunita", "Sunita Devi") == 1.0
    assert name_similarity("Ramkumar", "Ram Kumar") == 1.0


def test_missing_second_name_is_likely_not_certain() -> None:
    similarity = name_similarity("Sunita", "Sunita Devi")
    assert 0.8 <= similarity < 1.0


def test_repeated_word_is_not_counted_twice() -> None:
    assert name_similarity("Ram Ram", "Ram Kumar") < 0.8


# --- matching ----------------------------------------------------------------------------------


def test_the_scenario_kumaar_44_matches_kumar_about_45() -> None:
    found = likely_duplicates(draft("Ramesh Kumaar", age=44), [RAMESH], TODAY)
    assert [m.patient.id for m in found] == ["p-ramesh"]
    assert set(found[0].reasons) >= {"name", "village", "sex", "age"}
    assert 0.6 <= found[0].score < 1.0


def test_devanagari_draft_matches_via_name_alt() -> None:
    found = likely_duplicates(draft("रमेश कुमार"), [RAMESH], TODAY)
    assert [m.patient.id for m in found] == ["p-ramesh"]


def test_same_abha_is_always_a_match() -> None:
    other = patient(
        "p-x", "Sita Ram", sex=Sex.FEMALE, age=20, village="Dhani", abha="91367082725162"
    )
    found = likely_duplicates(draft("Ramesh Kumar", abha="91-3670-8272-5162"), [other], TODAY)
    assert len(found) == 1
    assert found[0].score == 1.0
    assert "abha" in found[0].reasons


def test_unfinished_abha_does_not_match_or_raise() -> None:
    other = patient("p-x", "Sita Ram", sex=Sex.FEMALE, village="Dhani", abha="91367082725162")
    assert likely_duplicates(draft("Ramesh", abha="91-3670"), [other], TODAY) == []


def test_same_phone_and_similar_name_is_a_match_in_another_village() -> None:
    registered = patient("p-s", "Sunita Devi", sex=Sex.FEMALE, village="Kheri", phone="9876543210")
    typed = draft("Suneeta", sex=Sex.FEMALE, age=45, village="Jind", phone="+91 98765 43210")
    found = likely_duplicates(typed, [registered], TODAY)
    assert len(found) == 1
    assert "phone" in found[0].reasons
    assert "village" not in found[0].reasons


def test_shared_family_phone_with_other_name_is_not_a_match() -> None:
    wife = patient("p-w", "Sunita Devi", sex=Sex.FEMALE, age=40, phone="9876543210")
    typed = draft("Anita Devi", sex=Sex.FEMALE, age=38, phone="9876543210")
    assert likely_duplicates(typed, [wife], TODAY) == []


def test_different_sex_without_phone_or_abha_is_not_a_match() -> None:
    assert likely_duplicates(draft("Ramesh Kumar", sex=Sex.FEMALE), [RAMESH], TODAY) == []


def test_same_phone_and_same_name_with_mis_keyed_sex_is_a_match() -> None:
    registered = replace(RAMESH, phone="9876543210")
    typed = draft("Ramesh Kumar", sex=Sex.FEMALE, phone="9876543210")
    found = likely_duplicates(typed, [registered], TODAY)
    assert len(found) == 1
    assert "sex" not in found[0].reasons


def test_unknown_sex_while_typing_does_not_block() -> None:
    found = likely_duplicates(draft("Ramesh Kumar", sex=Sex.UNKNOWN), [RAMESH], TODAY)
    assert len(found) == 1
    assert "sex" not in found[0].reasons


@pytest.mark.parametrize(("age", "expected"), [(42, 1), (48, 1), (41, 0), (49, 0)])
def test_age_tolerance_is_three_years(age: int, expected: int) -> None:
    assert len(likely_duplicates(draft("Ramesh Kumar", age=age), [RAMESH], TODAY)) == expected


def test_unknown_age_while_typing_still_matches() -> None:
    found = likely_duplicates(draft("Ramesh Kumar", age=None), [RAMESH], TODAY)
    assert len(found) == 1
    assert "age" not in found[0].reasons


def test_exact_birth_date_on_the_draft_is_used() -> None:
    typed = replace(draft("Ramesh Kumar"), age_years=None, birth_date=date(1981, 6, 1))
    assert len(likely_duplicates(typed, [RAMESH], TODAY)) == 1
    typed = replace(typed, birth_date=date(1995, 6, 1))
    assert likely_duplicates(typed, [RAMESH], TODAY) == []


def test_same_name_in_another_village_without_phone_is_not_a_match() -> None:
    assert likely_duplicates(draft("Ramesh Kumar", village="Dhani"), [RAMESH], TODAY) == []


def test_village_spelling_variants_match() -> None:
    assert len(likely_duplicates(draft("Ramesh Kumar", village="KHEREE"), [RAMESH], TODAY)) == 1


def test_best_first_and_threshold() -> None:
    exact = replace(RAMESH, id=PatientId("p-exact"), phone="9876543210")
    near = patient("p-near", "Rajesh Kumar")
    other = patient("p-other", "Mahesh Singh")
    typed = draft("Ramesh Kumar", phone="9876543210")
    found = likely_duplicates(typed, [other, near, exact], TODAY)
    assert [m.patient.id for m in found] == ["p-exact", "p-near"]
    assert found[0].score > found[1].score
    assert likely_duplicates(typed, [other, near, exact], TODAY, threshold=0.95) == [found[0]]


def test_empty_draft_matches_nothing() -> None:
    assert likely_duplicates(PatientDraft(), [RAMESH], TODAY) == []


def test_match_single_candidate() -> None:
    found = match(draft("Ramesh Kumaar"), RAMESH, TODAY)
    assert found is not None
    assert found.patient is RAMESH
    assert match(draft("Suresh Yadav"), RAMESH, TODAY) is None


def test_many_candidates() -> None:
    crowd = [patient(f"p{i}", f"Person{i} Kumar", age=20 + i % 50) for i in range(200)]
    crowd.append(RAMESH)
    found = likely_duplicates(draft("Ramesh Kumaar"), crowd, TODAY)
    assert [m.patient.id for m in found] == ["p-ramesh"]


def test_an_initial_stands_for_a_word() -> None:
    assert name_similarity("Ramesh K.", "Ramesh Kumar") >= 0.8
    assert name_similarity("Ramesh S.", "Ramesh Kumar") < 0.8
    registered = replace(RAMESH, phone="9876543210")
    typed = draft("Ramesh K.", village="Dhani", phone="9876543210")
    found = likely_duplicates(typed, [registered], TODAY)
    assert len(found) == 1
    assert {"phone", "name"} <= set(found[0].reasons)
