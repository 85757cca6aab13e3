"""Saving a case with 8 observations, two ways, on a fresh seeded data folder.

- ``store``: the one ``Store.write`` transaction that stores a queued case, its 8
  observations and its ``case.queue`` outbox row (payload built inside, as the service does).
  This is the figure held against the 10 ms budget: what the person waits for on "Save".
- ``service``: the whole path through ``CaseService`` as the form drives it: start, consent,
  complaint/history/examination, blood pressure pair, 6 more vitals, queue (11 write
  transactions, each synced to disk). Reported per case and per call.

Durability is the app's own (WAL, ``synchronous=FULL``): every commit waits for the disk.

    .venv/bin/python bench/bench_save.py [--cases 300]
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from datetime import timedelta
from typing import Any

import common  # noqa: F401  (puts the project root on sys.path)
from common import DEMO_USER, OUT, summary_ms


def _readings() -> list[tuple[str, float, str]]:
    from app.domain import vitals

    return [
        (vitals.SYSTOLIC, 132.0, "mm[Hg]"), (vitals.DIASTOLIC, 84.0, "mm[Hg]"),
        (vitals.PULSE, 88.0, "/min"), (vitals.RESP_RATE, 18.0, "/min"),
        (vitals.SPO2, 97.0, "%"), (vitals.TEMPERATURE, 101.3, "[degF]"),
        (vitals.WEIGHT, 61.5, "kg"), (vitals.GLUCOSE_RANDOM, 142.0, "mg/dL"),
    ]  # fmt: skip


def timed_case_saves(services: Any, user: Any, patient_ids: list[str], cases: int) -> list[float]:
    """Seconds of each of ``cases`` ``Store.write`` transactions storing a queued case, its 8
    observations and its ``case.queue`` outbox row, as the service does (``store`` above)."""
    from app.domain import news2
    from app.domain.ids import CaseId, ObservationId, new_id
    from app.domain.models import Case, CaseStatus, Consent, ConsentMethod, Observation, Priority
    from app.services.cases import queue_payload
    from app.store import cases as cases_repo
    from app.store import observations as observations_repo
    from app.store import outbox

    readings = _readings()
    store_times: list[float] = []
    for i in range(cases):
        now = services.clock()
        cid = CaseId(new_id())
        case = Case(
            id=cid, patient_id=patient_ids[i % len(patient_ids)], created_by=user.id,
            created_at=now, updated_at=now, status=CaseStatus.QUEUED,
            consent=Consent("Patient", "self", ConsentMethod.VERBAL, user.display_name, now),
            chief_complaint="Chest pain since 2 days", history="Smoker.",
            examination="Conscious, oriented.", specialty="cardiology",
            priority=Priority.URGENT, queued_at=now,
        )  # fmt: skip
        observations = [
            Observation(
                id=ObservationId(new_id()),
                case_id=cid,
                code=code,
                value=value,
                unit=unit,
                taken_at=now + timedelta(seconds=n),
                recorded_by=user.id,
            )
            for n, (code, value, unit) in enumerate(readings)
        ]
        score = news2.news2(news2.inputs_from_observations(observations, False, "alert"), 44)

        def save(
            db: Any,
            case: Case = case,
            obs: list[Observation] = observations,
            score: news2.News2Result = score,
        ) -> None:
            cases_repo.insert(db, case)
            for o in obs:
                observations_repo.insert(db, o, outbox=False)
            outbox.enqueue(
                db, entity="case", entity_id=case.id, op="case.queue",
                payload=queue_payload(case, obs, score), priority=outbox.PRIORITY_RECORD,
            )  # fmt: skip

        started = time.perf_counter()
        services.store.write(save)
        store_times.append(time.perf_counter() - started)
    return store_times


def run(cases: int, service_cases: int) -> dict[str, Any]:
    from app.domain.models import (
        ConsentMethod,
    )
    from app.services.container import Services
    from app.services.seed import seed, seed_demo_users

    folder = OUT / "save-tmp"
    shutil.rmtree(folder, ignore_errors=True)
    readings = _readings()
    with Services.open(folder) as services:
        seed_demo_users(services)
        seed(services, patients=2000, cases=0)
        user = services.auth.login(*DEMO_USER)
        patient_ids = services.store.read(
            lambda db: [r[0] for r in db.execute("SELECT id FROM patients LIMIT 400").fetchall()]
        )

        # -- one transaction ------------------------------------------------------------------
        store_times = timed_case_saves(services, user, patient_ids, cases)

        # -- the service path -----------------------------------------------------------------
        service_times: list[float] = []
        for i in range(service_cases):
            pid = patient_ids[(i * 7) % len(patient_ids)]
            started = time.perf_counter()
            case = services.cases.start(user, pid)
            services.cases.record_consent(
                user, case.id, given_by="Patient", relationship="self",
                method=ConsentMethod.VERBAL, witness="",
            )  # fmt: skip
            services.cases.save_draft(
                user, case.id, chief_complaint="Chest pain since 2 days",
                history="Smoker.", examination="Conscious, oriented.",
            )  # fmt: skip
            services.cases.add_blood_pressure(user, case.id, 132, 84)
            for code, value, unit in readings[2:]:
                services.cases.add_observation(user, case.id, code, value, unit)
            services.cases.queue(user, case.id, specialty="cardiology", priority="routine")
            service_times.append(time.perf_counter() - started)
    shutil.rmtree(folder, ignore_errors=True)
    calls = 11
    service = summary_ms(service_times)
    return {
        "store_write": summary_ms(store_times),
        "service_path": service,
        "service_calls_per_case": calls,
        "service_p50_per_call_ms": round(service["p50"] / calls, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=300)
    parser.add_argument("--service-cases", type=int, default=100)
    args = parser.parse_args()
    print(json.dumps(run(args.cases, args.service_cases), indent=2))


if __name__ == "__main__":
    main()
