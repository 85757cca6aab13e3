"""The synthetic data seeder: deterministic, valid under the domain's rules, realistic."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from app.domain import vitals
from app.domain.abha import abha_number_ok
from app.domain.errors import DomainError
from app.domain.models import Address, CaseStatus, PatientDraft, Sex
from app.domain.patients import age_years, validate_draft
from app.domain.text import has_devanagari, nfc
from app.domain.vitals import Flag
from app.services import seed_data
from app.services.container import Services
from app.services.seed import DEMO_ACCOUNTS, SeedReport, seed, seed_demo_users
from app.store import codec
from app.store import outbox as outbox_repo
from app.sync import credentials
from hub.app import create_app
from hub.server import start_in_thread
from hub.storage import open_store
from tests.services.helpers import FAST_LOG_N, PASSWORD, FakeClock

NOW = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
TODAY = NOW.date()
PATIENTS = 1500
CASES = 120


def open_services(folder: Path) -> Services:
    return Services.open(folder, clock=FakeClock(NOW), password_log_n=FAST_LOG_N)


@pytest.fixture
def services(data_dir: Path) -> Iterator[Services]:
    s = open_services(data_dir)
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def seeded(services: Services) -> tuple[Services, SeedReport]:
    report = seed(services, patients=PATIENTS, cases=CASES, rng_seed=7)
    return services, report


def content_hash(services: Services) -> str:
    """A digest of everything seeded except record ids (fresh UUIDs on every run)."""
    digest = hashlib.sha256()

    def collect(db: object) -> None:
        queries = (
            "SELECT * FROM patients ORDER BY rid",
            "SELECT c.*, p.rid AS patient_rid FROM cases c JOIN patients p ON p.id = c.patient_id"
            " ORDER BY c.created_at, p.rid",
            "SELECT o.*, c.created_at AS case_time, p.rid AS patient_rid FROM observations o"
            " JOIN cases c ON c.id = o.case_id JOIN patients p ON p.id = c.patient_id"
            " ORDER BY c.created_at, p.rid, o.taken_at, o.code",
        )
        skip = {"id", "rid", "patient_id", "case_id", "created_by", "recorded_by"}
        for sql in queries:
            for row in db.execute(sql).fetchall():  # type: ignore[attr-defined]
                # sqlite3.Row iterates over values, so the names come from keys().
                names = [k for k in row.keys() if k not in skip]  # noqa: SIM118
                digest.update(repr([row[k] for k in names]).encode())

    services.store.read(collect)
    return digest.hexdigest()


def all_patients(services: Services) -> list[codec.Patient]:
    rows = services.store.read(lambda db: db.execute("SELECT * FROM patients").fetchall())
    return [codec.patient_from_row(r) for r in rows]


def all_observations(services: Services) -> list[tuple[codec.Observation, int | None]]:
    """Every observation with the patient's age on the day of the visit."""

    def load(db: object) -> list[tuple[codec.Observation, int | None]]:
        rows = db.execute(  # type: ignore[attr-defined]
            "SELECT o.*, p.birth_date AS birth, c.created_at AS case_time FROM observations o "
            "JOIN cases c ON c.id = o.case_id JOIN patients p ON p.id = c.patient_id"
        ).fetchall()
        out = []
        for r in rows:
            day = codec.parse_dt(r["case_time"]).date()
            age = age_years(date.fromisoformat(r["birth"]), day) if r["birth"] else None
            out.append((codec.observation_from_row(r), age))
        return out

    return services.store.read(load)


# -- determinism ------------------------------------------------------------------------------


def test_same_seed_gives_the_same_data_and_another_seed_different_data(tmp_path: Path) -> None:
    hashes = []
    for name, rng_seed in (("a", 3), ("b", 3), ("c", 4)):
        with open_services(tmp_path / name) as s:
            report = seed(s, patients=400, cases=40, rng_seed=rng_seed)
            assert (report.patients, report.cases, report.observations) == (400, 40, 320)
            hashes.append(content_hash(s))
    assert hashes[0] == hashes[1]
    assert hashes[0] != hashes[2]


def test_the_counts_asked_for_are_the_counts_stored(seeded: tuple[Services, SeedReport]) -> None:
    services, report = seeded
    counts = services.store.read(
        lambda db: [
            db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
            for t in ("patients", "cases", "observations", "outbox")
        ]
    )
    assert counts == [PATIENTS, CASES, CASES * 8, 0]  # not queued: nothing to sync
    assert report == SeedReport(PATIENTS, CASES, CASES * 8, 0, cancelled=False)


# -- patients ---------------------------------------------------------------------------------


def test_names_come_in_both_scripts(seeded: tuple[Services, SeedReport]) -> None:
    patients = all_patients(seeded[0])
    devanagari_first = 0
    for p in patients:
        assert p.name and p.name_alt
        assert has_devanagari(p.name) != has_devanagari(p.name_alt), (p.name, p.name_alt)
        assert p.name == nfc(p.name) and p.name_alt == nfc(p.name_alt)
        devanagari_first += has_devanagari(p.name)
    # Both scripts are typed at the desk: a sizeable share of each.
    assert 0.2 * len(patients) < devanagari_first < 0.5 * len(patients)


def test_every_patient_passes_registration_rules(seeded: tuple[Services, SeedReport]) -> None:
    services = seeded[0]
    states = set(services.reference.states())
    for p in all_patients(services):
        assert p.birth_date is not None
        draft = PatientDraft(
            name=p.name,
            name_alt=p.name_alt,
            sex=p.sex,
            birth_date=p.birth_date,
            phone=p.phone,
            abha_number=p.abha_number,
            abha_address=p.abha_address,
            address=p.address,
            guardian_name=p.guardian_name,
        )
        clean = validate_draft(draft, p.created_at.date())  # raises ValidationFailed if not
        assert (clean.phone, clean.abha_number) == (p.phone, p.abha_number)
        assert p.address.state in states
        assert p.address.district in services.reference.districts(p.address.state)
        assert p.created_at < NOW


def test_ages_phones_and_estimates_are_realistic(seeded: tuple[Services, SeedReport]) -> None:
    patients = all_patients(seeded[0])
    n = len(patients)
    ages = [age_years(p.birth_date, TODAY) for p in patients if p.birth_date]
    assert min(ages) <= 5 and max(ages) >= 75
    assert 0.3 * n < sum(p.birth_date_estimated for p in patients) < 0.7 * n
    with_phone = [p.phone for p in patients if p.phone]
    assert 0.7 * n < len(with_phone) < 0.9 * n
    assert all(len(ph) == 10 and ph[0] in "6789" and ph.isdigit() for ph in with_phone)
    assert 0.4 * n < sum(p.sex is Sex.FEMALE for p in patients) < 0.65 * n


def test_abha_numbers_pass_luhn_and_are_unique(seeded: tuple[Services, SeedReport]) -> None:
    patients = all_patients(seeded[0])
    numbers = [p.abha_number for p in patients if p.abha_number]
    assert 0.3 * len(patients) < len(numbers) < 0.5 * len(patients)
    assert all(len(a) == 14 and abha_number_ok(a) for a in numbers)
    assert len(set(numbers)) == len(numbers)
    # One wrong digit breaks the check: these are real Luhn numbers, not luck.
    a = numbers[0]
    assert not abha_number_ok(a[:-1] + str((int(a[-1]) + 1) % 10))


def test_the_demo_personas_are_there_for_the_scenarios(
    seeded: tuple[Services, SeedReport],
) -> None:
    services = seeded[0]
    admin = services.auth.create_first_admin("admin", "Admin", PASSWORD)
    from app.domain.models import Role

    asha = services.auth.create_user(admin, "asha", "Asha", Role.PARAMEDIC, PASSWORD)
    for typed in ("सुनी", "Suni", "sunita devi"):
        found = services.patients.search(asha, typed)
        assert any(p.name == "Sunita Devi" and p.name_alt == "सुनीता देवी" for p in found), typed
    (sunita,) = services.patients.search(asha, "सुनीता देवी")  # nobody else has her name
    assert sunita.sex is Sex.FEMALE
    assert 25 <= (TODAY - sunita.created_at.date()).days <= 35
    assert len(services.patients.visits(asha, sunita.id)) == 2  # a BP trend to show
    # Scenario 3: registering "Ramesh Kumar, about 45, Kheri" finds the existing record.
    draft = PatientDraft(
        name="Ramesh Kumar",
        sex=Sex.MALE,
        age_years=45,
        address=Address(state="UTTAR PRADESH", district="KHERI", village="Kheri"),
    )
    matches = services.patients.find_duplicates(asha, draft)
    ramesh = next(m.patient for m in matches if m.patient.name == "Ramesh Kumaar")
    assert ramesh.sex is Sex.MALE and ramesh.address.village == "Kheri"
    assert ramesh.birth_date is not None and age_years(ramesh.birth_date, TODAY) == 44


def test_seeding_again_adds_no_second_persona(services: Services) -> None:
    seed(services, patients=50, cases=0)
    seed(services, patients=50, cases=0, rng_seed=9)
    names = [p.name for p in all_patients(services)]
    assert len(names) == 100
    assert names.count("Sunita Devi") == 1 and names.count("Ramesh Kumaar") == 1


# -- cases and vital signs ------------------------------------------------------------------


def test_every_observation_passes_the_hard_limits(seeded: tuple[Services, SeedReport]) -> None:
    observations = all_observations(seeded[0])
    assert len(observations) == CASES * 8
    per_case: dict[str, dict[str, float]] = {}
    for o, age in observations:
        vitals.assess(o.code, o.value, o.unit, age)  # raises ImplausibleValue if not
        per_case.setdefault(o.case_id, {})[o.code] = o.value
    wanted = {
        vitals.SYSTOLIC, vitals.DIASTOLIC, vitals.PULSE, vitals.RESP_RATE, vitals.SPO2,
        vitals.TEMPERATURE, vitals.WEIGHT, vitals.GLUCOSE_RANDOM,
    }  # fmt: skip
    for values in per_case.values():
        assert set(values) == wanted
        vitals.check_bp(values[vitals.SYSTOLIC], values[vitals.DIASTOLIC])


def test_a_realistic_share_of_readings_is_flagged(services: Services) -> None:
    seed(services, patients=600, cases=400, rng_seed=11)
    flags = [
        vitals.assess(o.code, o.value, o.unit, age).flag
        for o, age in all_observations(services)
        if age is None or age >= vitals.ADULT_AGE
    ]
    flagged = sum(f in (Flag.ABNORMAL, Flag.URGENT) for f in flags) / len(flags)
    urgent = sum(f is Flag.URGENT for f in flags) / len(flags)
    assert 0.12 <= flagged <= 0.30, flagged
    assert 0.002 <= urgent <= 0.05, urgent


def test_cases_have_consent_complaint_and_a_fitting_priority(
    seeded: tuple[Services, SeedReport],
) -> None:
    services = seeded[0]
    admin = services.auth.create_first_admin("admin", "Admin", PASSWORD)
    from app.domain.models import Role

    doctor = services.auth.create_user(admin, "dr", "Dr", Role.GENERALIST, PASSWORD)
    summaries = services.cases.list(doctor, limit=1000)
    assert len(summaries) == CASES
    for s in summaries:
        case = s.case
        assert case.chief_complaint
        if case.status is not CaseStatus.DRAFT:
            assert case.consent is not None and case.specialty and case.queued_at
        detail = services.cases.detail(doctor, case.id)
        birth = detail.patient.birth_date
        if birth is not None:  # the history fits the patient's age (no child smokers)
            youngest = dict((text, age) for age, text in seed_data.HISTORIES)[case.history]
            assert age_years(birth, case.created_at.date()) >= youngest, case.history
        urgent_flag = any(r.assessment.flag is Flag.URGENT for r in detail.observations)
        if urgent_flag or (detail.news2.applicable and detail.news2.urgent):
            assert case.priority.value in ("urgent", "emergency")


def test_queued_leaves_every_case_queued_with_its_outbox_op(services: Services) -> None:
    report = seed(services, patients=200, cases=30, queued=True)
    assert report.outbox_ops == 230
    statuses = services.store.read(
        lambda db: {r[0] for r in db.execute("SELECT status FROM cases").fetchall()}
    )
    assert statuses == {CaseStatus.QUEUED.value}
    ops = services.store.read(lambda db: outbox_repo.pending(db, limit=1000))
    by_op = {op.op: 0 for op in ops}
    for op in ops:
        by_op[op.op] += 1
    assert by_op == {"patient.create": 200, "case.queue": 30}
    # Records before the cases that point at them.
    last_patient = max(op.seq for op in ops if op.op == "patient.create")
    assert all(op.seq > last_patient for op in ops if op.op == "case.queue")
    case_op = next(op for op in ops if op.op == "case.queue")
    assert len(case_op.payload["observations"]) == 8
    assert case_op.payload["case"]["status"] == "queued"


def test_sent_history_gives_a_fresh_hub_the_clinics_patients_and_queue(
    services: Services, tmp_path: Path
) -> None:
    """Demo mode: the statuses stay, and the first sync takes every patient and the cases
    that are with the hub to a hub that has never heard of the clinic."""
    report = seed(services, patients=120, cases=40, sent_history=True)

    def statuses(db: Any) -> dict[str, str]:
        return {r[0]: r[1] for r in db.execute("SELECT id, status FROM cases").fetchall()}

    before = services.store.read(statuses)
    with_hub = {cid for cid, st in before.items() if st in ("sent", "at_hub")}
    assert with_hub and len(with_hub) < len(before)  # drafts and closed cases stay home
    ops = services.store.read(lambda db: outbox_repo.pending(db, limit=1000))
    assert sorted(op.op for op in ops) == sorted(
        ["patient.create"] * 120 + ["case.queue"] * len(with_hub)
    )
    assert {op.entity_id for op in ops if op.op == "case.queue"} == with_hub
    assert report.outbox_ops == len(ops)

    store = open_store(f"sqlite:///{tmp_path / 'hub.sqlite3'}")
    server = start_in_thread(create_app(store))
    try:
        spoke_id, secret = store.register_spoke("Demo HWC")
        credentials.save(services.store, credentials.HubCredentials(server.url, spoke_id, secret))
        first = services.sync.run_once()
        assert first.ok and first.pushed.rejected == 0, first
        assert store.queue_count(None) == len(with_hub)
        after = services.store.read(statuses)
        # Sent cases are now at the hub; nothing else moved.
        assert {cid: st for cid, st in after.items() if cid not in with_hub} == {
            cid: st for cid, st in before.items() if cid not in with_hub
        }
        assert {after[cid] for cid in with_hub} == {"at_hub"}
    finally:
        server.stop()
        store.close()


# -- progress and cancel ----------------------------------------------------------------------


def test_progress_is_reported_up_to_the_total(services: Services) -> None:
    calls: list[tuple[int, int]] = []
    seed(services, patients=25_000, cases=10, progress=lambda d, t: calls.append((d, t)))
    assert len(calls) >= 3  # one per chunk of patients, then the cases
    assert all(t == 25_010 for _, t in calls)
    done = [d for d, _ in calls]
    assert done == sorted(done) and done[-1] == 25_010


def test_cancel_stops_early_and_keeps_what_was_written(services: Services) -> None:
    cancel = threading.Event()

    def progress(done: int, total: int) -> None:
        cancel.set()  # after the first chunk

    report = seed(services, patients=50_000, cases=100, progress=progress, cancel=cancel)
    assert report.cancelled
    assert 0 < report.patients < 50_000 and report.cases == 0
    stored = services.store.read(lambda db: db.execute("SELECT COUNT(*) FROM patients").fetchone())
    assert stored[0] == report.patients


def test_cancel_before_start_writes_nothing(services: Services) -> None:
    cancel = threading.Event()
    cancel.set()
    report = seed(services, patients=100, cases=10, cancel=cancel)
    assert report == SeedReport(0, 0, 0, 0, cancelled=True)


def test_nonsense_counts_are_refused(services: Services) -> None:
    with pytest.raises(ValueError):
        seed(services, patients=-1, cases=0)
    with pytest.raises(ValueError):
        seed(services, patients=0, cases=5)


# -- demo accounts ----------------------------------------------------------------------------


def test_demo_users_can_sign_in_and_are_created_once(services: Services) -> None:
    accounts = seed_demo_users(services)
    assert accounts == [(u, p, str(r)) for u, p, r, _ in DEMO_ACCOUNTS]
    assert {r for _, _, r in accounts} == {"paramedic", "generalist", "admin"}
    for username, password, role in accounts:
        assert services.auth.login(username, password).role.value == role
    assert seed_demo_users(services) == accounts
    assert len(services.store.read(lambda db: db.execute("SELECT id FROM users").fetchall())) == 3


def test_demo_users_are_not_added_to_a_real_clinic(services: Services) -> None:
    services.auth.create_first_admin("clinic.admin", "Clinic admin", PASSWORD)
    with pytest.raises(RuntimeError):
        seed_demo_users(services)
    with pytest.raises(DomainError):
        services.auth.login("asha.paramedic", "demo-pass-1")
