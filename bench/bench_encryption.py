"""The cost of encryption at rest (SQLCipher): patient search and saving a case, plaintext vs
encrypted, held against the foundation's budgets.

- ``search``: the ``bench_search`` query mix through ``PatientService.search`` on the seeded
  database (``bench/out/db-<size>``) and on an encrypted copy of it
  (``bench/out/db-<size>-encrypted``, made once with ``encrypt_in_place`` and reused; delete
  the folder to redo it). Budget: p95 < 20 ms at 1,000,000 patients.
- ``save``: the one ``Store.write`` that stores a queued case, its 8 observations and its
  outbox row, as ``bench_save`` times it, on fresh data folders of 2,000 patients, plaintext
  and encrypted. Budget: p95 < 10 ms.

The key is a fixed one for the benchmark only. Figures are p50/p95/p99 in ms; ratios are
encrypted / plaintext and measured / budget.

    .venv/bin/python bench/bench_encryption.py [--patients 100000] [--queries 2000] [--cases 300]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import common  # noqa: F401  (puts the project root on sys.path)
from bench_save import timed_case_saves
from bench_search import typed_queries
from common import BUILT_MARK, DEMO_USER, OUT, seeded_db, size_label, summary_ms

BENCH_KEY = bytes(range(32))  # the benchmark's own key: never a clinic's
SEARCH_BUDGET_MS = 20.0
SAVE_BUDGET_MS = 10.0


@contextmanager
def open_services(folder: Path, key: bytes | None) -> Iterator[Any]:
    """The app's services over ``folder``, the database keyed with ``key`` if given."""
    from app.services.clock import system_clock
    from app.services.container import BLOB_DIR, DB_FILE, Services
    from app.store.blobs import BlobStore
    from app.store.db import Store

    if key is None:
        services = Services.open(folder)
    else:
        folder.mkdir(parents=True, exist_ok=True)
        store = Store.open(folder / DB_FILE, key=key)
        services = Services(store, BlobStore(folder / BLOB_DIR), system_clock)
    try:
        yield services
    finally:
        services.close()


def encrypted_copy(plain: Path) -> tuple[Path, dict[str, Any]]:
    """``<plain>-encrypted``: a copy of the seeded database converted by ``encrypt_in_place``."""
    from app.services.container import DB_FILE
    from app.store.db import encrypt_in_place

    folder = plain.with_name(plain.name + "-encrypted")
    mark = folder / BUILT_MARK
    if mark.exists():
        info: dict[str, Any] = json.loads(mark.read_text())
        return folder, info
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    print(f"encrypting a copy of {plain / DB_FILE} into {folder} ...", flush=True)
    started = time.perf_counter()
    shutil.copyfile(plain / DB_FILE, folder / DB_FILE)
    copied = time.perf_counter() - started
    started = time.perf_counter()
    encrypt_in_place(folder / DB_FILE, BENCH_KEY)
    seconds = time.perf_counter() - started
    info = {
        "encrypt_in_place_seconds": round(seconds, 1),
        "copy_seconds": round(copied, 1),
        "plain_bytes": (plain / DB_FILE).stat().st_size,
        "encrypted_bytes": (folder / DB_FILE).stat().st_size,
    }
    mark.write_text(json.dumps(info, indent=2))
    print(f"  encrypt_in_place {seconds:.1f} s", flush=True)
    return folder, info


def search_run(folder: Path, key: bytes | None, mix: list[tuple[str, str]], warmup: int) -> Any:
    with open_services(folder, key) as services:
        user = services.auth.login(*DEMO_USER)
        for _, text in mix[:warmup]:
            services.patients.search(user, text)
        timings: list[float] = []
        for _, text in mix[warmup:]:
            started = time.perf_counter()
            services.patients.search(user, text)
            timings.append(time.perf_counter() - started)
    return summary_ms(timings)


def save_run(folder: Path, key: bytes | None, cases: int) -> Any:
    """``cases`` saves of a queued case + 8 observations + outbox row (``bench_save``'s)."""
    from app.services.seed import seed, seed_demo_users

    shutil.rmtree(folder, ignore_errors=True)
    with open_services(folder, key) as services:
        seed_demo_users(services)
        seed(services, patients=2000, cases=0)
        user = services.auth.login(*DEMO_USER)
        patient_ids = services.store.read(
            lambda db: [r[0] for r in db.execute("SELECT id FROM patients LIMIT 400").fetchall()]
        )
        times = timed_case_saves(services, user, patient_ids, cases)
    shutil.rmtree(folder, ignore_errors=True)
    return summary_ms(times)


def _ratios(plain: dict[str, float], enc: dict[str, float], budget: float) -> dict[str, float]:
    return {
        "encrypted_over_plain_p50": round(enc["p50"] / plain["p50"], 2),
        "encrypted_over_plain_p95": round(enc["p95"] / plain["p95"], 2),
        "plain_p95_over_budget": round(plain["p95"] / budget, 2),
        "encrypted_p95_over_budget": round(enc["p95"] / budget, 2),
    }


def run(patients: int, queries: int, cases: int, warmup: int = 200) -> dict[str, Any]:
    import sqlcipher3.dbapi2 as sqlcipher

    plain = seeded_db(patients)
    encrypted, conversion = encrypted_copy(plain)
    mix = typed_queries(queries + warmup, random.Random(2026))
    # Alternate the order so neither side always runs on a colder cache.
    s_plain = search_run(plain, None, mix, warmup)
    s_enc = search_run(encrypted, BENCH_KEY, mix, warmup)
    s_plain2 = search_run(plain, None, mix, warmup)
    s_enc2 = search_run(encrypted, BENCH_KEY, mix, warmup)
    save_plain = save_run(OUT / "enc-save-plain-tmp", None, cases)
    save_enc = save_run(OUT / "enc-save-encrypted-tmp", BENCH_KEY, cases)
    best = min((s_plain, s_plain2), key=lambda s: s["p95"])
    best_enc = min((s_enc, s_enc2), key=lambda s: s["p95"])
    return {
        "patients": patients,
        "sqlcipher": sqlcipher.sqlite_version,
        "conversion": conversion,
        "search": {
            "budget_p95_ms": SEARCH_BUDGET_MS,
            "plain": best,
            "encrypted": best_enc,
            "runs": {"plain": [s_plain, s_plain2], "encrypted": [s_enc, s_enc2]},
            "ratios": _ratios(best, best_enc, SEARCH_BUDGET_MS),
        },
        "save": {
            "budget_p95_ms": SAVE_BUDGET_MS,
            "plain": save_plain,
            "encrypted": save_enc,
            "ratios": _ratios(save_plain, save_enc, SAVE_BUDGET_MS),
        },
        "database": size_label(patients),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--cases", type=int, default=300)
    args = parser.parse_args()
    print(json.dumps(run(args.patients, args.queries, args.cases), indent=2))


if __name__ == "__main__":
    main()
