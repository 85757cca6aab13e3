"""Services are called from worker threads at once: reads beside writes, writes serialised."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from app.domain.models import CaseStatus, Sex
from app.services.container import Services
from app.store import patients as patients_repo
from tests.services.helpers import Staff, draft

NAMES = ["Asha", "Bharat", "Chandni", "Deepak", "Esha", "Farhan", "Gita", "Harish"]


def test_concurrent_registrations_searches_and_autosaves(services: Services, staff: Staff) -> None:
    user = staff.paramedic
    anchor = services.patients.register(user, draft("Sita Devi", sex=Sex.FEMALE))
    case = services.cases.start(user, anchor.id)

    def work(i: int) -> tuple[str, int]:
        # Different villages so no registration is refused as a duplicate of another.
        p = services.patients.register(user, draft(f"{NAMES[i]} Verma", village=f"Gaon {i}"))
        for n in range(5):
            services.cases.save_draft(user, case.id, history=f"thread {i} save {n}")
            assert services.patients.search(user, "sita")[0].id == anchor.id
        return p.id, len(services.cases.detail(user, case.id).observations)

    with ThreadPoolExecutor(max_workers=len(NAMES)) as pool:
        results = list(pool.map(work, range(len(NAMES))))

    assert len({pid for pid, _ in results}) == len(NAMES)
    assert services.store.read(patients_repo.count) == len(NAMES) + 1
    final = services.cases.detail(user, case.id).case
    assert final.status == CaseStatus.DRAFT
    assert final.history.startswith("thread ")
    assert services.pending_sync_count() == len(NAMES) + 1  # one patient.create each
