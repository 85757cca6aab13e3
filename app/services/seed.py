"""Deterministic synthetic patients, cases and vital signs for demos, tests and benchmarks.

``seed(services_or_store, patients=N, cases=M, rng_seed=42)`` adds N patients and M cases (8
observations each) to the data folder. The same ``rng_seed`` and ``now`` always give the same
people, visits and readings; only the record ids (fresh UUIDv7s, so two seeded spokes never
collide at the hub) and outbox bookkeeping differ. Everything goes through the store's bulk
paths (``patients.bulk_insert``, ``cases.bulk_insert``) in transactions of ``CHUNK`` records,
so a million patients take about a minute and a half on a 2-core PC (docs/PERFORMANCE.md);
a cancelled run keeps the whole chunks it wrote.

What is seeded:
- Patients: Latin and Devanagari names (``name`` in one script, ``name_alt`` in the other,
  with some Latin spelling variants), guardian, village/district/state from ``seed_data``,
  ages with many "about N" estimates, mobiles for most, Luhn-valid ABHA numbers for ~40%,
  registered over the last three years in clinic hours. The demo personas of
  ``shared/design/SCENARIOS.md`` are always among them (when ``patients >= 2``): "Sunita
  Devi / सुनीता देवी" registered a month ago with two recent visits, and "Ramesh Kumaar", 44,
  of Kheri.
- Cases: consent, complaint, history, examination, hub specialty, priority from the flags and
  NEWS2, and 8 observations (BP pair, pulse, respiratory rate, SpO2, temperature, weight,
  random glucose) that all pass ``vitals.assess`` (about a fifth flagged, a few urgent).
  Old cases are closed, recent ones sent, the latest drafts; ``queued=True`` leaves every
  seeded case QUEUED with its ``case.queue`` outbox op and every seeded patient with its
  ``patient.create`` op, as if the spoke had never synced. ``sent_history=True`` (demo mode)
  keeps the statuses but puts in the outbox what such a clinic's hub would hold: every
  patient's ``patient.create`` and the ``case.queue`` of each case that is with the hub now
  (sent, at the hub), so the first sync gives a fresh hub the clinic's patients and its
  queue; the closed and cancelled cases of earlier years stay on the PC.

Seeding twice with the same ``rng_seed`` adds the same people again (as new records, the
personas excepted): use another seed to add more. ``now`` (default: the services' clock) is
the moment the data is seeded "as of"; tests pass a fixed one. ``seed_demo_users`` creates
the demo accounts (demo mode only).

Threading: call from a worker thread (never the GUI thread): it blocks on the store's writer
for the whole run. ``progress(done, total)`` is called on that calling thread after every
chunk; ``cancel`` is checked between chunks.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import partial

from sqlite_utils import Database

from app.domain import news2, vitals
from app.domain.abha import luhn_check_digit
from app.domain.ids import CaseId, ObservationId, PatientId, UserId, new_id
from app.domain.models import (
    Address,
    Case,
    CaseStatus,
    Consent,
    ConsentMethod,
    Observation,
    ObservationSource,
    Patient,
    Priority,
    Role,
    Sex,
)
from app.domain.patients import age_years, birth_date_for_age
from app.domain.text import nfc
from app.domain.vitals import Assessment, Flag
from app.services import seed_data as data
from app.services.cases import queue_payload  # the exact payload a real queue() writes
from app.services.container import Services
from app.store import cases as cases_repo
from app.store import outbox
from app.store import patients as patients_repo
from app.store import users as users_repo
from app.store.db import Store
from app.store.search import fold

Progress = Callable[[int, int], None]
Pair = tuple[str, str]  # (Latin, Devanagari)

CHUNK = 10_000  # patients per write transaction (and per progress call)
CASE_CHUNK = 2_000
REGISTRATION_DAYS = 3 * 365  # seeded patients registered over the last three years
CASE_DAYS = 120  # seeded visits over the last four months
CLINIC_OPENS = time(3, 30, tzinfo=UTC)  # 09:00 IST
CLINIC_HOURS = 7.0

# Used as created_by / recorded_by when the data folder has no clinical account yet.
SEED_USER_ID = UserId("00000000-0000-7000-8000-000000000001")
SEED_USER_NAME = "ASHA worker"

SUNITA = ("Sunita Devi", "सुनीता देवी")
RAMESH = ("Ramesh Kumaar", "रमेश कुमार")
SUNITA_PHONE = "9415023417"
_PERSONA_NAMES = frozenset((SUNITA[0], RAMESH[0]))

# (username, password, role, display name): demo mode only; never on a real spoke.
DEMO_ACCOUNTS: tuple[tuple[str, str, Role, str], ...] = (
    ("asha.paramedic", "demo-pass-1", Role.PARAMEDIC, "Asha Kumari"),
    ("dr.generalist", "demo-pass-2", Role.GENERALIST, "Dr Neha Verma"),
    ("it.admin", "demo-pass-3", Role.ADMIN, "Field IT"),
)


@dataclass(frozen=True, slots=True)
class SeedReport:
    patients: int
    cases: int
    observations: int
    outbox_ops: int
    cancelled: bool = False

    def __str__(self) -> str:
        text = (
            f"seeded {self.patients:,} patients, {self.cases:,} cases, "
            f"{self.observations:,} observations"
        )
        if self.outbox_ops:
            text += f", {self.outbox_ops:,} outbox ops"
        return text + (" (cancelled)" if self.cancelled else "")


# -- public entry points ----------------------------------------------------------------------


def seed(
    target: Services | Store,
    *,
    patients: int,
    cases: int,
    rng_seed: int = 42,
    queued: bool = False,
    sent_history: bool = False,
    now: datetime | None = None,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> SeedReport:
    """Add ``patients`` patients and ``cases`` cases; see the module docstring."""
    if patients < 0 or cases < 0:
        raise ValueError("patients and cases must not be negative")
    if cases and not patients:
        raise ValueError("cases need patients to belong to")
    store = target.store if isinstance(target, Services) else target
    if now is None:
        now = target.clock() if isinstance(target, Services) else datetime.now(UTC)
    now = now.astimezone(UTC)
    author = store.read(_author)
    existing = store.read(_existing_personas)
    run = _Run(store, now, rng_seed, queued, author, progress, cancel, patients + cases)
    run.sent_history = sent_history
    run.seed_patients(patients, cases, existing)
    if not run.cancelled:
        run.seed_cases()
    run.report_progress()
    return SeedReport(run.patients, run.cases, run.observations, run.ops, run.cancelled)


def seed_demo_users(services: Services) -> list[tuple[str, str, str]]:
    """Create the demo accounts that are missing; returns (username, password, role) each.

    Meant for the demo data folder only: refuses a folder whose accounts are not the demo
    ones (it would otherwise add known passwords to a real clinic's database).
    """
    admin_name = next(a[0] for a in DEMO_ACCOUNTS if a[2] is Role.ADMIN)
    if services.auth.needs_first_admin():
        _, password, _, display = next(a for a in DEMO_ACCOUNTS if a[0] == admin_name)
        services.auth.create_first_admin(admin_name, display, password)
    admin = services.store.read(lambda db: users_repo.by_username(db, admin_name))
    if admin is None:
        raise RuntimeError("This data folder has real accounts: demo accounts are not added.")
    present = {u.username for u in services.store.read(users_repo.all)}
    for username, password, role, display in DEMO_ACCOUNTS:
        if username not in present:
            services.auth.create_user(admin, username, display, role, password)
    return [(username, password, str(role)) for username, password, role, _ in DEMO_ACCOUNTS]


# -- the run ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Author:
    id: UserId
    name: str


def _author(db: Database) -> _Author:
    users = users_repo.all(db)
    for role in (Role.PARAMEDIC, Role.GENERALIST):
        for u in users:
            if u.role is role and u.active:
                return _Author(u.id, u.display_name)
    return _Author(SEED_USER_ID, SEED_USER_NAME)


def _existing_personas(db: Database) -> frozenset[str]:
    found = set()
    for name, _ in (SUNITA, RAMESH):
        row = db.execute("SELECT 1 FROM patients WHERE name_fold = ? LIMIT 1", [fold(name)])
        if row.fetchone() is not None:
            found.add(name)
    return frozenset(found)


@dataclass(frozen=True, slots=True)
class _Visit:
    """A planned case: whose (generic patient index, or a persona's name), and when."""

    key: int | str
    at: datetime


class _Run:
    def __init__(
        self,
        store: Store,
        now: datetime,
        rng_seed: int,
        queued: bool,
        author: _Author,
        progress: Progress | None,
        cancel: threading.Event | None,
        total: int,
    ) -> None:
        self.store = store
        self.now = now
        self.rng_seed = rng_seed
        self.queued = queued
        self.author = author
        self.progress = progress
        self.cancel = cancel
        self.total = total
        self.patients = 0
        self.cases = 0
        self.observations = 0
        self.ops = 0
        self.cancelled = False
        self.visits: list[_Visit] = []
        self.visit_patients: dict[int | str, Patient] = {}
        self.sent_history = False
        self._last_reported = -1

    def _rng(self, stream: str) -> random.Random:
        # One generator per stream: changing the number of cases leaves the patients alone.
        return random.Random(f"hwc-seed:{self.rng_seed}:{stream}")

    def report_progress(self) -> None:
        done = self.patients + self.cases
        if self.progress is not None and done != self._last_reported:
            self._last_reported = done
            self.progress(done, self.total)

    def _stop(self) -> bool:
        if self.cancel is not None and self.cancel.is_set():
            self.cancelled = True
        return self.cancelled

    # -- patients ---------------------------------------------------------------------------

    def seed_patients(self, count: int, cases: int, existing: frozenset[str]) -> None:
        personas = [p for p in (SUNITA, RAMESH) if p[0] not in existing] if count >= 2 else []
        generic = count - len(personas)
        self.visits = _plan_visits(
            self._rng("visits"), self.now, generic, [p[0] for p in personas], cases
        )
        wanted = {v.key for v in self.visits}
        factory = _PatientFactory(self._rng("patients"))
        stream = _merged(factory, generic, personas, self.now)
        while not self._stop():
            chunk = self._next_chunk(stream, wanted)
            if not chunk:
                break
            write = partial(
                patients_repo.bulk_insert,
                patients=chunk,
                batch=CHUNK,
                with_outbox=self.queued or self.sent_history,
            )
            self._patients_written(self.store.write(write))

    def _next_chunk(
        self, stream: Iterator[tuple[int | str, Patient]], wanted: set[int | str]
    ) -> list[Patient]:
        chunk: list[Patient] = []
        for key, patient in stream:
            chunk.append(patient)
            if key in wanted:
                self.visit_patients[key] = patient
            if len(chunk) >= CHUNK:
                break
        return chunk

    def _patients_written(self, written: int) -> None:
        self.patients += written
        if self.queued or self.sent_history:
            self.ops += written
        self.report_progress()

    # -- cases ------------------------------------------------------------------------------

    def seed_cases(self) -> None:
        factory = _CaseFactory(self._rng("cases"), self.now, self.author)
        for start in range(0, len(self.visits), CASE_CHUNK):
            if self._stop():
                return
            made = [
                factory.make(self.visit_patients[v.key], v.at, queued=self.queued)
                for v in self.visits[start : start + CASE_CHUNK]
            ]
            self.store.write(partial(self._write_cases, made=made))
            self.cases += len(made)
            self.observations += sum(len(m.observations) for m in made)
            self.ops += sum(1 for m in made if self._sends(m.case))
            self.report_progress()

    def _sends(self, case: Case) -> bool:
        """Whether the case's ``case.queue`` goes in the outbox."""
        return self.queued or (self.sent_history and _with_hub(case))

    def _write_cases(self, db: Database, made: Sequence[_MadeCase]) -> None:
        cases_repo.bulk_insert(
            db, [m.case for m in made], [o for m in made for o in m.observations]
        )
        for m in made:
            if not self._sends(m.case):
                continue
            outbox.enqueue(
                db,
                entity="case",
                entity_id=m.case.id,
                op="case.queue",
                payload=queue_payload(m.case, list(m.observations), m.score),
                priority=outbox.PRIORITY_RECORD,
                now=m.case.queued_at,
            )


def _with_hub(case: Case) -> bool:
    return case.status in (CaseStatus.SENT, CaseStatus.AT_HUB)


def _merged(
    factory: _PatientFactory,
    generic: int,
    personas: list[Pair],
    now: datetime,
) -> Iterator[tuple[int | str, Patient]]:
    """Generic patients in registration order, with the personas at their own dates."""
    pending = sorted((_persona_registered(name, now), name) for name, _ in personas)
    for i in range(generic):
        at = _registration_time(i, generic, now)
        while pending and pending[0][0] <= at:
            when, name = pending.pop(0)
            yield name, _persona(name, when)
        yield i, factory.make(i, at)
    for when, name in pending:
        yield name, _persona(name, when)


# -- times ------------------------------------------------------------------------------------


def _clinic_time(first_day: date, day_position: float) -> datetime:
    """A moment in clinic hours: the integer part picks the day, the rest the time of day."""
    day = int(day_position)
    within = day_position - day
    opens = datetime.combine(first_day + timedelta(days=day), CLINIC_OPENS)
    return opens + timedelta(seconds=int(CLINIC_HOURS * 3600 * within))


def _day_position(first_day: date, at: datetime) -> float:
    """The inverse of ``_clinic_time`` for a moment in clinic hours."""
    day = (at.date() - first_day).days
    opens = datetime.combine(at.date(), CLINIC_OPENS)
    within = (at - opens).total_seconds() / 3600 / CLINIC_HOURS
    return day + min(max(within, 0.0), 0.999)


def _registration_time(i: int, count: int, now: datetime) -> datetime:
    # A function of the index alone, so visits can be planned before patients are made.
    first_day = now.date() - timedelta(days=REGISTRATION_DAYS)
    return _clinic_time(first_day, REGISTRATION_DAYS * (i + 0.5) / count)


def _persona_registered(name: str, now: datetime) -> datetime:
    days = 30 if name == SUNITA[0] else 240
    return datetime.combine(now.date() - timedelta(days=days), time(5, 10, tzinfo=UTC))


def _plan_visits(
    rng: random.Random, now: datetime, generic: int, personas: list[str], count: int
) -> list[_Visit]:
    """Who comes when: a few regulars come often (trends to show), the rest now and then."""
    visits: list[_Visit] = []
    if SUNITA[0] in personas and count >= 2:
        for days_ago, minute in ((20, 40), (6, 95)):
            day = now.date() - timedelta(days=days_ago)
            visits.append(
                _Visit(SUNITA[0], datetime.combine(day, CLINIC_OPENS) + timedelta(minutes=minute))
            )
    first_day = now.date() - timedelta(days=CASE_DAYS)
    regulars = [rng.randrange(generic) for _ in range(max(1, generic // 50))] if generic else []
    while len(visits) < count:
        if not generic:
            name = personas[rng.randrange(len(personas))]
            at = _persona_registered(name, now) + timedelta(days=rng.uniform(1, 29))
            visits.append(_Visit(name, at))
            continue
        regular = rng.random() < 0.35
        i = regulars[rng.randrange(len(regulars))] if regular else rng.randrange(generic)
        registered = _registration_time(i, generic, now)
        low = max(0.0, _day_position(first_day, registered + timedelta(minutes=10)))
        at = _clinic_time(first_day, rng.uniform(min(low, CASE_DAYS - 0.01), CASE_DAYS - 0.001))
        visits.append(_Visit(i, max(at, registered + timedelta(minutes=10))))
    visits.sort(key=lambda v: v.at)
    return visits


# -- patients ---------------------------------------------------------------------------------

_AGE_BANDS: tuple[tuple[float, int, int], ...] = (
    # (cumulative share, lowest age, highest age): a rural primary-care register
    (0.08, 0, 4),
    (0.22, 5, 14),
    (0.43, 15, 29),
    (0.65, 30, 44),
    (0.83, 45, 59),
    (0.96, 60, 74),
    (1.00, 75, 95),
)
_PHONE_FIRST = "9999888776"  # 9 the commonest first digit, then 8, 7, 6
_ABHA_STRIDE = 6_364_136_223  # odd and not a multiple of 5: a bijection modulo 10**11
_ABHA_SPACE = 10**11


class _PatientFactory:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.abha_offset = rng.randrange(_ABHA_SPACE)
        self.recent_phones: list[str] = []
        self.villages = [(nfc(lat), nfc(dev), dist) for lat, dev, dist in data.VILLAGES]
        self.state_of = {district: state for state, district in data.DISTRICTS}

    def make(self, i: int, registered: datetime) -> Patient:
        rng = self.rng
        r = rng.random()
        sex = Sex.FEMALE if r < 0.53 else Sex.MALE if r < 0.998 else Sex.OTHER
        age = _age(rng)
        muslim = rng.random() < 0.12
        given = self._given(sex, muslim)
        surname = self._surname(sex, muslim, age)
        guardian = self._guardian(muslim, given, surname) if rng.random() < 0.85 else None
        latin_name = f"{_variant(rng, given[0])} {_variant(rng, surname[0])}"
        if latin_name in _PERSONA_NAMES:  # keep the scenarios' people unambiguous
            surname = data.SURNAMES[0]
            latin_name = f"{given[0]} {surname[0]}"
        deva_name = nfc(f"{given[1]} {surname[1]}")
        village_lat, village_dev, district = self.villages[rng.randrange(len(self.villages))]
        hindi = rng.random() < 0.35  # registered in Devanagari
        if hindi:
            name, name_alt, village = deva_name, latin_name, village_dev
            guardian_name = nfc(guardian[1]) if guardian else ""
        else:
            name, name_alt, village = latin_name, deva_name, village_lat
            guardian_name = guardian[0] if guardian else ""
        birth, estimated = self._birth(age, registered.date())
        abha = self._abha(i) if rng.random() < 0.40 else ""
        abha_address = ""
        if abha and rng.random() < 0.35:
            abha_address = f"{given[0].lower()}.{surname[0].lower()}{abha[-5:]}@abdm"
        pincode = ""
        if rng.random() < 0.7:
            pincode = f"{data.PIN_PREFIXES[district]}{rng.randrange(1, 1000):03d}"
        return Patient(
            id=PatientId(new_id()),
            name=name,
            name_alt=name_alt,
            sex=sex,
            birth_date=birth,
            birth_date_estimated=estimated,
            phone=self._phone(),
            abha_number=abha,
            abha_address=abha_address,
            address=Address(
                state=self.state_of[district],
                district=district,
                village=village,
                pincode=pincode,
            ),
            created_at=registered,
            updated_at=registered,
            guardian_name=guardian_name,
        )

    def _given(self, sex: Sex, muslim: bool) -> Pair:
        rng = self.rng
        if sex is Sex.OTHER:
            sex = Sex.FEMALE if rng.random() < 0.5 else Sex.MALE
        if sex is Sex.FEMALE:
            table = data.FEMALE_GIVEN_MUSLIM if muslim else data.FEMALE_GIVEN
        else:
            table = data.MALE_GIVEN_MUSLIM if muslim else data.MALE_GIVEN
        return table[rng.randrange(len(table))]

    def _surname(self, sex: Sex, muslim: bool, age: int) -> Pair:
        rng = self.rng
        r = rng.random()
        if muslim:
            if sex is Sex.FEMALE and r < 0.4:
                return _pick(rng, data.MUSLIM_FEMALE_SURNAMES)
            return _pick(rng, data.MUSLIM_SURNAMES)
        if sex is Sex.FEMALE and age >= 15:
            if r < 0.30:
                return data.FEMALE_SURNAMES[0] if age >= 22 else data.FEMALE_SURNAMES[1]
            if r < 0.38:
                return data.FEMALE_SURNAMES[1]
            if r < 0.42:
                return data.FEMALE_SURNAMES[2]
        elif sex is Sex.MALE and r < 0.25:
            # "Kumar" far more than the rest.
            return data.MALE_SURNAMES[0] if r < 0.15 else _pick(rng, data.MALE_SURNAMES)
        return _pick(rng, data.SURNAMES)

    def _guardian(self, muslim: bool, patient_given: Pair, surname: Pair) -> Pair:
        rng = self.rng
        table = data.MALE_GIVEN_MUSLIM if muslim else data.MALE_GIVEN
        given = _pick(rng, table)
        if given == patient_given:  # a son is rarely named after his father
            given = table[(table.index(given) + 1) % len(table)]
        family = surname
        if surname in data.FEMALE_SURNAMES or surname in data.MUSLIM_FEMALE_SURNAMES:
            family = _pick(rng, data.MUSLIM_SURNAMES if muslim else data.SURNAMES)
        return f"{given[0]} {family[0]}", f"{given[1]} {family[1]}"

    def _birth(self, age: int, registered: date) -> tuple[date, bool]:
        rng = self.rng
        estimate_share = 0.0 if age < 5 else 0.25 if age < 15 else 0.6
        if rng.random() < estimate_share:
            if age >= 20 and rng.random() < 0.5:
                age = max(20, 5 * round(age / 5))  # age heaping: "about 40"
            return birth_date_for_age(age, registered), True
        exact = birth_date_for_age(age, registered) - timedelta(days=rng.randrange(365))
        return exact, False

    def _phone(self) -> str:
        rng = self.rng
        if rng.random() < 0.2:
            return ""
        if self.recent_phones and rng.random() < 0.06:  # a family shares one mobile
            return self.recent_phones[rng.randrange(len(self.recent_phones))]
        phone = _PHONE_FIRST[rng.randrange(10)] + f"{rng.randrange(10**9):09d}"
        self.recent_phones.append(phone)
        if len(self.recent_phones) > 50:
            del self.recent_phones[0]
        return phone

    def _abha(self, i: int) -> str:
        # Distinct for every index of one run: a clash would look like a duplicate person.
        body = "91" + f"{(i * _ABHA_STRIDE + self.abha_offset) % _ABHA_SPACE:011d}"
        return body + luhn_check_digit(body)


def _pick(rng: random.Random, table: Sequence[Pair]) -> Pair:
    return table[rng.randrange(len(table))]


def _variant(rng: random.Random, latin: str) -> str:
    variants = data.LATIN_VARIANTS.get(latin)
    if variants and rng.random() < 0.12:
        return variants[rng.randrange(len(variants))]
    return latin


def _age(rng: random.Random) -> int:
    r = rng.random()
    for share, low, high in _AGE_BANDS:
        if r < share:
            return rng.randint(low, high)
    return rng.randint(30, 44)


def _persona(name: str, registered: datetime) -> Patient:
    today = registered.date()
    if name == SUNITA[0]:
        village = next(v for v in data.VILLAGES if v[0] == "Rampur")  # in KHERI district
        return Patient(
            id=PatientId(new_id()),
            name=SUNITA[0],
            name_alt=nfc(SUNITA[1]),
            sex=Sex.FEMALE,
            birth_date=birth_date_for_age(38, today),
            birth_date_estimated=True,
            phone=SUNITA_PHONE,
            abha_number="",
            abha_address="",
            address=Address("UTTAR PRADESH", "KHERI", "", village[0], "", "262701"),
            created_at=registered,
            updated_at=registered,
            guardian_name="Ramlal Yadav",
        )
    return Patient(
        id=PatientId(new_id()),
        name=RAMESH[0],
        name_alt=nfc(RAMESH[1]),
        sex=Sex.MALE,
        # 44 on the day the scenario is run, as registered.
        birth_date=birth_date_for_age(44, today) - timedelta(days=100),
        birth_date_estimated=False,
        phone="",
        abha_number="",
        abha_address="",
        address=Address("UTTAR PRADESH", "KHERI", "", "Kheri", "", "262701"),
        created_at=registered,
        updated_at=registered,
        guardian_name="Shivcharan Kumar",
    )


# -- cases ------------------------------------------------------------------------------------

Reading = tuple[str, float, str]  # (LOINC code, value, UCUM unit)


@dataclass(frozen=True, slots=True)
class _MadeCase:
    case: Case
    observations: tuple[Observation, ...]
    score: news2.News2Result


_WOMEN_ONLY = "obstetrics_gynaecology"
_CHILDREN = "paediatrics"


class _CaseFactory:
    def __init__(self, rng: random.Random, now: datetime, author: _Author) -> None:
        self.rng = rng
        self.now = now
        self.author = author
        complaints = [(nfc(text), key) for text, key in data.COMPLAINTS]
        self.for_children = [c for c in complaints if c[1] == _CHILDREN]
        self.for_women = [c for c in complaints if c[1] == _WOMEN_ONLY]
        self.general = [c for c in complaints if c[1] not in (_CHILDREN, _WOMEN_ONLY)]

    def make(self, patient: Patient, at: datetime, *, queued: bool) -> _MadeCase:
        rng = self.rng
        age = age_years(patient.birth_date, at.date()) if patient.birth_date else None
        complaint, specialty = self._complaint(patient.sex, age)
        consciousness = "alert"
        if age is not None and age < vitals.ADULT_AGE:
            readings = _child_readings(rng, age)
        elif rng.random() < 0.035:
            readings, consciousness = _urgent_readings(rng)
        else:
            readings = _adult_readings(rng, patient.sex)
        cid = CaseId(new_id())
        observations, assessments = self._observations(cid, at, readings, age)
        inputs = news2.inputs_from_observations(observations, False, consciousness)
        score = news2.news2(inputs, age)
        priority = Priority.ROUTINE
        if any(a.flag is Flag.URGENT for a in assessments) or score.urgent:
            priority = Priority.URGENT
        if score.applicable and score.total >= 7:
            priority = Priority.EMERGENCY
        status = self._status(at, queued)
        sent = status is not CaseStatus.DRAFT
        queued_at = at + timedelta(minutes=15) if sent else None
        consent = None
        if sent or rng.random() < 0.7:
            consent = self._consent(patient, age, at)
        case = Case(
            id=cid,
            patient_id=patient.id,
            created_by=self.author.id,
            created_at=at,
            updated_at=queued_at or at + timedelta(minutes=12),
            status=status,
            consent=consent,
            chief_complaint=complaint,
            history=self._history(age),
            examination=data.EXAMINATIONS[rng.randrange(len(data.EXAMINATIONS))],
            specialty=specialty if sent or rng.random() < 0.5 else "",
            priority=priority,
            queued_at=queued_at,
            consciousness=consciousness,
        )
        return _MadeCase(case, tuple(observations), score)

    def _history(self, age: int | None) -> str:
        # An unknown age is taken as an adult's: most patients without a birth date are.
        fitting = [text for youngest, text in data.HISTORIES if youngest <= (age or 40)]
        return fitting[self.rng.randrange(len(fitting))]

    def _complaint(self, sex: Sex, age: int | None) -> Pair:
        rng = self.rng
        if age is not None and age < 12 and rng.random() < 0.5:
            table = self.for_children
        elif sex is Sex.FEMALE and age is not None and 15 <= age <= 49 and rng.random() < 0.2:
            table = self.for_women
        else:
            table = self.general
        return table[rng.randrange(len(table))]

    def _status(self, at: datetime, queued: bool) -> CaseStatus:
        if queued:
            return CaseStatus.QUEUED
        rng = self.rng
        age_days = (self.now - at).total_seconds() / 86400
        if age_days < 1.5:
            return CaseStatus.DRAFT if rng.random() < 0.5 else CaseStatus.SENT
        if age_days < 4:
            return CaseStatus.SENT if rng.random() < 0.6 else CaseStatus.AT_HUB
        return CaseStatus.CLOSED if rng.random() < 0.95 else CaseStatus.CANCELLED

    def _consent(self, patient: Patient, age: int | None, at: datetime) -> Consent:
        rng = self.rng
        if age is not None and age < 18 and patient.guardian_name:
            given_by, relationship = patient.guardian_name, "father"
        else:
            given_by, relationship = patient.name, "self"
        r = rng.random()
        method = (
            ConsentMethod.VERBAL
            if r < 0.7
            else ConsentMethod.THUMBPRINT
            if r < 0.85
            else ConsentMethod.WRITTEN
        )
        return Consent(given_by, relationship, method, self.author.name, at + timedelta(minutes=1))

    def _observations(
        self, cid: CaseId, at: datetime, readings: list[Reading], age: int | None
    ) -> tuple[list[Observation], list[Assessment]]:
        rng = self.rng
        bp_device = (
            data.BP_DEVICES[rng.randrange(len(data.BP_DEVICES))] if rng.random() < 0.3 else ""
        )
        oximeter = data.OXIMETER_DEVICES[0] if rng.random() < 0.3 else ""
        observations: list[Observation] = []
        assessments: list[Assessment] = []
        for n, (code, value, unit) in enumerate(readings):
            # Raises ImplausibleValue if a generator ever strays past the hard limits: a bug.
            assessment = vitals.assess(code, value, unit, age)
            taken = at + timedelta(minutes=3, seconds=40 * n)
            device = {
                vitals.SYSTOLIC: bp_device,
                vitals.DIASTOLIC: bp_device,
                vitals.PULSE: oximeter,
                vitals.SPO2: oximeter,
            }.get(code, "")
            if code == vitals.DIASTOLIC:
                taken = observations[-1].taken_at  # one cuff reading gives the pair
            observations.append(
                Observation(
                    id=ObservationId(new_id()),
                    case_id=cid,
                    code=code,
                    value=value,
                    unit=unit,
                    taken_at=taken,
                    recorded_by=self.author.id,
                    source=ObservationSource.DEVICE if device else ObservationSource.MANUAL,
                    device_id=device,
                    device_time=taken - timedelta(seconds=37) if device else None,
                    parser_version="seed-1" if device else "",
                    confirmed_abnormal=assessment.flag is Flag.URGENT,
                )
            )
            assessments.append(assessment)
        vitals.check_bp(readings[0][1], readings[1][1])
        return observations, assessments


def _u(rng: random.Random, low: float, high: float, decimals: int = 0) -> float:
    return float(round(rng.uniform(low, high), decimals))


def _temperature(rng: random.Random, celsius: float) -> Reading:
    # Many Indian clinics use Fahrenheit thermometers.
    if rng.random() < 0.4:
        return (vitals.TEMPERATURE, round(celsius * 9 / 5 + 32, 1), "[degF]")
    return (vitals.TEMPERATURE, round(celsius, 1), "Cel")


def _bp(systolic: float, diastolic: float) -> list[Reading]:
    diastolic = min(diastolic, systolic - 25)  # a plausible pulse pressure
    return [(vitals.SYSTOLIC, systolic, "mm[Hg]"), (vitals.DIASTOLIC, diastolic, "mm[Hg]")]


def _readings(
    bp: list[Reading],
    pulse: float,
    resp: float,
    spo2: float,
    temperature: Reading,
    weight: float,
    glucose: float,
) -> list[Reading]:
    return [
        *bp,
        (vitals.PULSE, pulse, "/min"),
        (vitals.RESP_RATE, resp, "/min"),
        (vitals.SPO2, spo2, "%"),
        temperature,
        (vitals.WEIGHT, weight, "kg"),
        (vitals.GLUCOSE_RANDOM, glucose, "mg/dL"),
    ]


def _adult_readings(rng: random.Random, sex: Sex) -> list[Reading]:
    """Each vital on its own: mostly normal, some abnormal (hypertension, fever, diabetes)."""
    u = partial(_u, rng)
    r = rng.random()
    if r < 0.66:
        bp = _bp(u(104, 138), u(64, 88))
    elif r < 0.88:
        bp = _bp(u(140, 172), u(88, 104))
    elif r < 0.96:
        bp = _bp(u(126, 138), u(90, 98))
    else:
        bp = _bp(u(88, 98), u(52, 60))
    r = rng.random()
    pulse = u(62, 90) if r < 0.82 else u(91, 118) if r < 0.97 else u(44, 50)
    r = rng.random()
    resp = u(12, 20) if r < 0.87 else u(21, 24) if r < 0.98 else u(9, 11)
    spo2 = u(96, 100) if rng.random() < 0.87 else u(92, 95)
    r = rng.random()
    celsius = u(36.2, 37.6, 1) if r < 0.8 else u(38.1, 39.0, 1) if r < 0.97 else u(35.4, 35.9, 1)
    weight = u(40, 82, 1) if sex is Sex.MALE else u(36, 74, 1)
    r = rng.random()
    glucose = u(78, 160) if r < 0.8 else u(200, 290) if r < 0.96 else u(60, 69)
    return _readings(bp, pulse, resp, spo2, _temperature(rng, celsius), weight, glucose)


def _urgent_readings(rng: random.Random) -> tuple[list[Reading], str]:
    """One of a few emergencies that do walk into a sub-centre; returns readings, ACVPU."""
    u = partial(_u, rng)
    weight = u(38, 80, 1)
    kind = rng.randrange(4)
    if kind == 0:  # hypertensive crisis
        readings = _readings(
            _bp(u(182, 212), u(110, 124)), u(80, 104), u(16, 22), u(95, 99),
            _temperature(rng, u(36.4, 37.4, 1)), weight, u(90, 180),
        )  # fmt: skip
        return readings, "alert"
    if kind == 1:  # sepsis
        readings = _readings(
            _bp(u(86, 100), u(50, 60)), u(131, 146), u(25, 30), u(91, 94),
            _temperature(rng, u(39.2, 40.1, 1)), weight, u(100, 190),
        )  # fmt: skip
        return readings, "confusion" if rng.random() < 0.3 else "alert"
    if kind == 2:  # hypoxia (pneumonia, asthma)
        readings = _readings(
            _bp(u(110, 140), u(70, 88)), u(104, 126), u(25, 32), u(84, 90),
            _temperature(rng, u(37.2, 38.8, 1)), weight, u(90, 170),
        )  # fmt: skip
        return readings, "alert"
    readings = _readings(  # severe hyperglycaemia
        _bp(u(112, 136), u(70, 86)), u(88, 110), u(18, 22), u(95, 99),
        _temperature(rng, u(36.4, 37.4, 1)), weight, u(310, 460),
    )  # fmt: skip
    return readings, "alert"


def _child_readings(rng: random.Random, age: int) -> list[Reading]:
    """Values for the child's age (flags are not assessed under 16, hard limits are)."""
    u = partial(_u, rng)
    if age < 1:
        pulse, resp, weight = u(110, 150), u(30, 45), u(3.2, 9.5, 1)
    elif age < 5:
        pulse, resp, weight = u(90, 130), u(22, 34), round((2 * age + 8) * u(0.8, 1.15, 2), 1)
    else:
        pulse, resp, weight = u(70, 110), u(16, 24), round((3 * age + 7) * u(0.8, 1.15, 2), 1)
    celsius = u(36.4, 37.5, 1) if rng.random() < 0.6 else u(37.8, 39.2, 1)
    return _readings(
        _bp(u(86, 110), u(50, 68)), pulse, resp, u(95, 100), _temperature(rng, celsius), weight,
        u(70, 130),
    )  # fmt: skip
