"""The formulary shipped with the hub: it loads, every row is valid and names its source, and
the Telemedicine Practice Guidelines' own examples are on the lists the guideline gives them."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import pytest

from app.domain.errors import ValidationFailed
from app.domain.ids import CaseId
from app.domain.models import Sex
from app.domain.prescriptions import (
    ConsultationMode,
    DrugList,
    PatientSnapshot,
    PractitionerSnapshot,
    Prescription,
    PrescriptionId,
    PrescriptionItem,
    VisitType,
    check,
    normalise_generic_name,
)
from hub.formulary import (
    COLUMNS,
    CONFIDENCE,
    ROUTES,
    FormularyError,
    load_formulary,
    parse_formulary,
)

HEADER = ",".join(COLUMNS)
GOOD = "PARACETAMOL,500 mg,tablet,oral,O,Analgesics,P,NLEM 2011,high,TPG List O example"

# Where a row may come from: a published list, or a starter row (always low confidence).
PUBLISHED_SOURCES = ("NLEM 2011 (", "WHO Model List of Essential Medicines ")
STARTER_SOURCES = ("TPG 2020 example (standards §4)", "starter row, unsourced — verify")

# Standards reference §4.1: the guideline's examples, by list.
TPG_EXAMPLES: dict[DrugList, list[str]] = {
    DrugList.O: [
        "PARACETAMOL",
        "ORAL REHYDRATION SALTS",
        "ZINC SULFATE",
        "FERROUS SULPHATE + FOLIC ACID",
        "CHOLECALCIFEROL",
        "CALCIUM CARBONATE",
        "ALUMINIUM HYDROXIDE + MAGNESIUM HYDROXIDE",
    ],
    DrugList.A: [
        "CLOTRIMAZOLE",
        "MUPIROCIN",
        "CALAMINE",
        "BENZYL BENZOATE",
        "CIPROFLOXACIN",
        "ENALAPRIL",
        "ATENOLOL",
        "METFORMIN",
        "GLIBENCLAMIDE",
        "SALBUTAMOL",
        "PHENOBARBITONE",
        "CLOBAZAM",
        "CLONAZEPAM",
    ],
    DrugList.B: ["HYDROCHLOROTHIAZIDE", "SITAGLIPTIN"],
    DrugList.PROHIBITED: ["MORPHINE", "CODEINE"],
}
# Every medicine on List O: the guideline's List O names it or its class (iron, vitamin D,
# antacids, cough/cold medicines); anything the guideline does not name is List A or stricter.
LIST_O = set(TPG_EXAMPLES[DrugList.O]) | {
    "FERROUS SALT (SULPHATE/FUMARATE)",
    "FERROUS SALT + FOLIC ACID",
    "VITAMIN D (ERGOCALCIFEROL)",
    "DEXTROMETHORPHAN",
}


def test_the_shipped_formulary_loads_the_merged_list() -> None:
    formulary = load_formulary()
    assert 200 <= len(formulary) <= 260
    assert load_formulary() is formulary  # read once, shared


def test_the_csv_is_package_data_next_to_the_loader() -> None:
    assert resources.files("hub.formulary").joinpath("formulary.csv").is_file()


def test_every_shipped_row_is_valid() -> None:
    for e in load_formulary():
        assert e.generic_name == normalise_generic_name(e.generic_name), e.line
        assert e.dosage_form and e.source, e.line
        assert e.route in ROUTES, e.line
        assert e.confidence in CONFIDENCE, e.line
        assert isinstance(e.drug_list, DrugList)


def test_every_shipped_row_names_its_source() -> None:
    published = starter = 0
    for e in load_formulary():
        if e.source.startswith(PUBLISHED_SOURCES):
            published += 1
        else:
            assert e.source in STARTER_SOURCES, e.line
            assert e.confidence == "low", e.line
            assert e.notes, e.line  # a starter row says why it is on its list
            starter += 1
    assert published > starter > 0  # the sourced rows are the bulk of the list


def test_a_list_that_differs_from_the_row_s_first_assignment_says_why() -> None:
    formulary = load_formulary()
    for row in formulary.lookup("PHENOBARBITONE"):
        assert row.drug_list is DrugList.A
        assert "later Board of Governors notice" in row.notes
    for name in ("CETIRIZINE", "POVIDONE IODINE", "FOLIC ACID"):
        for row in formulary.lookup(name):
            assert row.drug_list is DrugList.A
            assert "not O as this row first had it" in row.notes, row.line


def test_no_shipped_row_is_duplicated_and_each_name_has_one_list() -> None:
    entries = list(load_formulary())
    keys = [(e.generic_name, e.strength.casefold(), e.dosage_form.casefold()) for e in entries]
    assert len(keys) == len(set(keys))
    lists: dict[str, set[DrugList]] = {}
    for e in entries:
        lists.setdefault(e.generic_name, set()).add(e.drug_list)
    assert all(len(v) == 1 for v in lists.values())


@pytest.mark.parametrize(
    ("name", "expected"),
    [(name, lst) for lst, names in TPG_EXAMPLES.items() for name in names],
)
def test_guideline_examples_are_on_the_guideline_list(name: str, expected: DrugList) -> None:
    assert load_formulary().drug_list(name) is expected


def test_list_o_holds_only_what_the_guideline_names() -> None:
    # Conservative rule: when unsure, a medicine is not List O.
    formulary = load_formulary()
    on_o = {n for n in formulary.names() if formulary.drug_list(n) is DrugList.O}
    assert on_o == LIST_O


def test_the_primary_care_view_holds_the_level_p_rows() -> None:
    formulary = load_formulary()
    primary = formulary.primary_care()
    assert primary.entries == tuple(e for e in formulary if "P" in e.level_of_care)
    assert 80 <= len(primary) < len(formulary)
    assert primary.lookup("PARACETAMOL") and primary.lookup("METFORMIN")
    assert not primary.lookup("MORPHINE")  # level S,T: outside primary care
    assert not primary.lookup("SITAGLIPTIN")  # level not yet read from the NLEM
    assert formulary.drug_lists()["MORPHINE"] is DrugList.PROHIBITED  # the rules take all rows


def test_common_primary_care_medicines_are_present() -> None:
    formulary = load_formulary()
    for name in ("AMOXICILLIN", "METRONIDAZOLE", "ALBENDAZOLE", "CETIRIZINE", "AMLODIPINE"):
        assert formulary.lookup(name), name


def test_lookup_normalises_the_name_asked_for() -> None:
    formulary = load_formulary()
    rows = formulary.lookup("  ferrous sulphate+folic   acid ")
    assert {r.dosage_form for r in rows} == {"tablet", "syrup"}
    assert formulary.lookup("NOT A MEDICINE") == ()
    assert formulary.drug_list("not a medicine") is None


def test_the_shipped_lists_drive_the_prescription_rules() -> None:
    lists = load_formulary().drug_lists()
    rx = Prescription(
        id=PrescriptionId("rx-1"),
        case_id=CaseId("case-1"),
        patient=PatientSnapshot("Sita Devi", 52, Sex.FEMALE),
        practitioner=PractitionerSnapshot("Dr A Rao", "MBBS", "KMC-1", "Karnataka MC"),
        mode=ConsultationMode.AUDIO,
        visit=VisitType.FIRST,
        issued_at=datetime(2025, 3, 15, 9, 0, tzinfo=UTC),
        chief_complaint="Cough",
        provisional_diagnosis="Acute bronchitis",
        items=(
            PrescriptionItem("codeine", "15 mg/5 ml", "syrup", "5 ml", "1-0-1", "oral", 3, 1,
                             "bottle"),
        ),
    )  # fmt: skip
    with pytest.raises(ValidationFailed) as info:
        check(rx, lists)
    assert [i.code for i in info.value.issues] == ["rx.drug_prohibited"]
    paracetamol = replace(rx.items[0], generic_name="paracetamol", strength="500 mg")
    assert check(replace(rx, items=(paracetamol,)), lists).items[0].generic_name == "PARACETAMOL"


# --- malformed files ---------------------------------------------------------------------


def _problems(text: str) -> list[tuple[int, str]]:
    with pytest.raises(FormularyError) as info:
        parse_formulary(text)
    return info.value.problems


def test_a_good_minimal_file_parses_and_keeps_line_numbers() -> None:
    formulary = parse_formulary(f"# comment\n\n{HEADER}\n{GOOD}\n")
    (entry,) = formulary
    assert entry.line == 4
    assert entry.level_of_care == ("P",)
    assert (entry.source, entry.confidence, entry.notes) == (
        "NLEM 2011",
        "high",
        "TPG List O example",
    )
    assert formulary.primary_care().entries == (entry,)


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("paracetamol,500 mg,tablet,oral,O,,,src,low,", "should be 'PARACETAMOL'"),
        ("PARACETAMOL,500 mg,tablet,oral,X,,,src,low,", "telemedicine_list 'X'"),
        ("PARACETAMOL,500 mg,tablet,by mouth,O,,,src,low,", "route 'by mouth'"),
        ("PARACETAMOL,500 mg,tablet,oral,O,,T;S,src,low,", "level_of_care 'T;S'"),
        ('PARACETAMOL,500 mg,tablet,oral,O,,"S,P",src,low,', "level_of_care 'S,P'"),
        ("PARACETAMOL,500 mg,,oral,O,,,src,low,", "dosage_form is empty"),
        ("PARACETAMOL,500 mg,tablet,oral,O,,,,low,note", "source is empty"),
        ("PARACETAMOL,500 mg,tablet,oral,O,,,src,sure,", "confidence 'sure'"),
        ("PARACETAMOL,500 mg,tablet,oral,O,,,src,,", "confidence ''"),
        (",500 mg,tablet,oral,O,,,src,low,", "generic_name is empty"),
        ("PARACETAMOL,500 mg,tablet,oral,O", "5 columns, expected 10"),
    ],
)
def test_a_malformed_row_is_reported_with_its_line_number(row: str, reason: str) -> None:
    problems = _problems(f"# draft list\n{HEADER}\n{GOOD}\n{row}\n")
    assert len(problems) == 1
    line, message = problems[0]
    assert line == 4
    assert reason in message


def test_every_bad_line_is_reported_at_once_and_named_in_the_message() -> None:
    text = f"{HEADER}\nbad,row\n{GOOD}\nPARACETAMOL,500 mg,tablet,oral,Q,,,src,low,\n"
    with pytest.raises(FormularyError) as info:
        parse_formulary(text, "clinic.csv")
    assert [line for line, _ in info.value.problems] == [2, 4]
    assert "clinic.csv line 2:" in str(info.value)
    assert "clinic.csv line 4:" in str(info.value)


def test_a_duplicate_row_names_the_first_line() -> None:
    duplicate = "PARACETAMOL,500 MG,Tablet,oral,O,,,again,low,"
    assert _problems(f"{HEADER}\n{GOOD}\n{duplicate}\n") == [(3, "duplicate of line 2")]


def test_one_generic_name_may_not_sit_on_two_lists() -> None:
    syrup = "PARACETAMOL,125 mg/5 ml,syrup,oral,A,,,src,low,"
    ((line, message),) = _problems(f"{HEADER}\n{GOOD}\n{syrup}\n")
    assert line == 3
    assert "list A here but O on line 2" in message


def test_a_wrong_or_missing_header_is_refused() -> None:
    assert _problems("generic,strength\n" + GOOD)[0][0] == 1
    assert _problems("# only a comment\n") == [(1, "no header row")]


def test_load_formulary_reads_a_clinic_file(tmp_path: Path) -> None:
    path = tmp_path / "clinic.csv"
    path.write_text(f"\ufeff{HEADER}\n{GOOD}\n", encoding="utf-8")  # Excel writes a BOM
    assert load_formulary(path).drug_list("PARACETAMOL") is DrugList.O
