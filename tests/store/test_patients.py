"""Patient repository: records, outbox rows, and search that never chokes on what is typed."""

from __future__ import annotations

import unicodedata
from dataclasses import replace
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.domain.ids import PatientId
from app.store import codec, outbox, patients
from app.store.db import Store
from app.store.errors import StoreError
from app.store.search import MATCH_BOUND
from tests.store.conftest import T0, USER_ID, make_patient


def _names(found: list[object]) -> list[str]:
    return [p.name for p in found]  # type: ignore[attr-defined]


def _search(store: Store, text: str, limit: int = 50) -> list[str]:
    return _names(store.read(lambda db: patients.search(db, text, limit)))


@pytest.fixture
def village(store: Store) -> Store:
    records = [
        make_patient(
            "Ramesh Kumar",
            name_alt="रमेश कुमार",
            phone="9876543210",
            abha_number="91234567890123",
            guardian_name="Mohan Lal",
        ),
        make_patient("सीता देवी", name_alt="Sita Devi", phone="9123456780", village="खेड़ी कलां"),
        make_patient("Ram-Prasad O'Neil", village="Rampur"),
        make_patient('Suresh "Sonu" Yadav', phone="8000012345", village="Kheri Kalan"),
        make_patient("Kamla Devi", guardian_name="Ramesh Kumar", village="Dighal"),
    ]
    for p in records:
        store.write(lambda db, p=p: patients.insert(db, p, USER_ID))
    return store


def test_insert_reads_back_equal_and_queues_create(store: Store) -> None:
    p = make_patient(name_alt="रमेश कुमार", phone="9876543210", abha_number="91234567890123")
    store.write(lambda db: patients.insert(db, p, USER_ID))
    assert store.read(lambda db: patients.get(db, p.id)) == p
    ops = store.read(lambda db: outbox.for_entity(db, p.id))
    assert [(o.op, o.entity, o.priority, o.state) for o in ops] == [
        ("patient.create", "patient", outbox.PRIORITY_RECORD, "pending")
    ]
    assert ops[0].payload["patient"] == codec.patient_to_dict(p)
    assert ops[0].payload["actor"] == USER_ID
    assert ops[0].payload["patient"]["created_at"] == "2026-11-25T09:30:00.000000+00:00"


def test_get_unknown_is_none(store: Store) -> None:
    assert store.read(lambda db: patients.get(db, PatientId("nope"))) is None


def test_update_moves_the_search_entry_and_queues_the_change(village: Store) -> None:
    [kamla] = village.read(lambda db: patients.search(db, "kamla"))
    later = T0 + timedelta(hours=1)
    renamed = replace(kamla, name="Kamala Devi", version=2, updated_at=later)
    changed = {"name": "Kamala Devi"}
    village.write(lambda db: patients.update(db, renamed, changed, USER_ID))
    assert village.read(lambda db: patients.get(db, kamla.id)) == renamed
    assert _search(village, "kamala") == ["Kamala Devi"]
    assert _search(village, "kamla") == []
    assert _search(village, "dighal") == ["Kamala Devi"]  # other columns still indexed once
    [create, update] = village.read(lambda db: outbox.for_entity(db, kamla.id))
    assert update.op == "patient.update"
    assert update.payload["changed"] == changed
    assert (update.payload["base_version"], update.payload["version"]) == (1, 2)
    assert update.seq > create.seq


def test_update_from_a_stale_version_is_refused_with_nothing_written(village: Store) -> None:
    [kamla] = village.read(lambda db: patients.search(db, "kamla"))
    stale = replace(kamla, name="Kamala", version=5)
    with pytest.raises(StoreError) as info:
        village.write(lambda db: patients.update(db, stale, {"name": "Kamala"}, USER_ID))
    assert info.value.code == "store.conflict"
    assert village.read(lambda db: patients.get(db, kamla.id)) == kamla
    assert len(village.read(lambda db: outbox.for_entity(db, kamla.id))) == 1


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ramesh", ["Kamla Devi", "Ramesh Kumar"]),  # Kamla's guardian is Ramesh Kumar
        ("RAMESH ku", ["Kamla Devi", "Ramesh Kumar"]),
        ("ramesh mohan", ["Ramesh Kumar"]),
        ("r", ["Kamla Devi", "Ram-Prasad O'Neil", "Ramesh Kumar"]),
        ("रमे", ["Ramesh Kumar"]),
        ("सीता", ["सीता देवी"]),
        ("sita", ["सीता देवी"]),
        ("खेड़ी", ["सीता देवी"]),
        ("कलां", ["सीता देवी"]),
        ("kheri", ["Ramesh Kumar", 'Suresh "Sonu" Yadav']),
        ("kheri kal", ['Suresh "Sonu" Yadav']),
        ("o'neil", ["Ram-Prasad O'Neil"]),
        ("ram-prasad", ["Ram-Prasad O'Neil"]),
        ("sonu", ['Suresh "Sonu" Yadav']),
        ("devi", ["Kamla Devi", "सीता देवी"]),
        ("9876", ["Ramesh Kumar"]),
        ("98765 43210", ["Ramesh Kumar"]),
        ("+91 98765 43210", ["Ramesh Kumar"]),
        ("९८७६", ["Ramesh Kumar"]),  # Devanagari digits
        ("9123", ["Ramesh Kumar", "सीता देवी"]),  # Sita's phone, Ramesh's ABHA both start so
        ("91-2345-6789", ["Ramesh Kumar"]),  # ABHA typed with its hyphens
        ("ramesh 9876", ["Ramesh Kumar"]),
        ("kamla 9876", []),
        ("123", []),  # short digit runs are words, and no name or village holds them
        ("zzz", []),
    ],
)
def test_search(village: Store, query: str, expected: list[str]) -> None:
    assert sorted(_search(village, query)) == sorted(expected)


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        "!!",
        "*",
        '"',
        "''",
        "-",
        "()",
        "AND",
        "OR",
        "NOT",
        "NEAR",
        "NEAR(",
        "Ram*",
        '"ram',
        "ram OR",
        "^ram",
        "{name}:",
        "name_fold:ram",
        "ram AND",
        "a:b",
        "\x00",
        "ॐ",
    ],
)
def test_search_never_raises_on_typed_syntax(village: Store, query: str) -> None:
    village.read(lambda db: patients.search(db, query))


@pytest.mark.parametrize("query", ["", " ", "!!", "-", "()", "*", "'\"", "।"])
def test_empty_or_punctuation_only_query_returns_nothing(village: Store, query: str) -> None:
    assert _search(village, query) == []


def test_query_syntax_words_are_searched_as_words(store: Store) -> None:
    store.write(lambda db: patients.insert(db, make_patient("Anand Orkut"), USER_ID))
    assert _search(store, "and") == []
    assert _search(store, "AND") == []  # a word prefix, not the operator... and no "and" word
    assert _search(store, "or") == ["Anand Orkut"]
    assert _search(store, "Anand*") == ["Anand Orkut"]


def test_search_folds_case_and_normalises_the_query(store: Store) -> None:
    nfd_name = unicodedata.normalize("NFD", "Zoë Müller")
    store.write(lambda db: patients.insert(db, make_patient("Zoë Müller"), USER_ID))
    assert _search(store, nfd_name) == ["Zoë Müller"]
    assert _search(store, "ZOË") == ["Zoë Müller"]
    # A Devanagari nukta letter typed precomposed or decomposed is the same word.
    store.write(lambda db: patients.insert(db, make_patient("\u095c\u093e\u0939\u093e"), USER_ID))
    assert _search(store, "\u0921\u093c\u093e") == ["\u095c\u093e\u0939\u093e"]


def test_search_is_bounded_to_the_newest_matches_sorted_by_name(store: Store) -> None:
    n = MATCH_BOUND + 100
    people = [make_patient(f"Raju {i:04d}") for i in range(n)]
    store.write(lambda db: patients.bulk_insert(db, people, batch=128))
    found = _search(store, "raj", limit=1000)
    assert len(found) == MATCH_BOUND
    assert found == sorted(found)
    assert "Raju 0000" not in found  # the oldest fell outside the bound
    assert found[-1] == f"Raju {n - 1:04d}"
    assert _search(store, "raju", limit=3) == ["Raju 0100", "Raju 0101", "Raju 0102"]


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=30))
def test_any_text_can_be_searched(village: Store, text: str) -> None:
    result = village.read(lambda db: patients.search(db, text))
    assert isinstance(result, list)


def test_candidates_find_spelling_variants_in_the_same_village(village: Store) -> None:
    def cands(**kw: str) -> list[str]:
        args = {"name": "", "name_alt": "", "phone": "", "abha_number": "", "village": ""}
        args.update(kw)
        return _names(village.read(lambda db: patients.candidates(db, **args)))

    assert "Ramesh Kumar" in cands(name="Ramesh Kumaar", village="Kheri")
    assert "Ramesh Kumar" in cands(name="Rameshwar", village="kheri")
    assert "Ramesh Kumar" not in cands(name="Ramu", village="Dighal")  # another village
    assert cands(phone="98765 43210") == ["Ramesh Kumar"]
    assert cands(abha_number="91-2345-6789-0123") == ["Ramesh Kumar"]
    assert "सीता देवी" in cands(name="सीता", village="खेड़ी कलां")
    assert "सीता देवी" in cands(name="Sita D", village="elsewhere")  # name prefix anywhere
    assert cands(name="Zed", village="Kheri") == []
    assert cands() == []


def test_bulk_insert_indexes_and_queues_every_patient(store: Store) -> None:
    people = [make_patient(f"Person {i}", phone=f"99999{i:05d}") for i in range(250)]
    assert store.write(lambda db: patients.bulk_insert(db, people, batch=100)) == 250
    assert store.read(patients.count) == 250
    assert len(_search(store, "person", limit=1000)) == 250
    assert _search(store, "9999900042") == ["Person 42"]
    ops = store.read(lambda db: outbox.pending(db, 1000))
    assert len(ops) == 250
    assert [o.seq for o in ops] == list(range(1, 251))
    assert {o.entity_id for o in ops} == {p.id for p in people}
    store.write(lambda db: patients.insert(db, make_patient("After"), USER_ID))
    assert store.read(patients.count) == 251
    assert _search(store, "after") == ["After"]


def test_bulk_insert_without_outbox_queues_nothing(store: Store) -> None:
    people = [make_patient(f"Hub {i}") for i in range(10)]
    store.write(lambda db: patients.bulk_insert(db, people, with_outbox=False))
    assert store.read(outbox.counts)["pending"] == 0
    assert len(_search(store, "hub")) == 10


def test_recent_lists_the_newest_registrations_first(store: Store) -> None:
    names = ["Asha", "Bhola", "Chandni"]
    for name in names:
        store.write(lambda db, n=name: patients.insert(db, make_patient(n), USER_ID))
    assert [p.name for p in store.read(lambda db: patients.recent(db, 2))] == ["Chandni", "Bhola"]
