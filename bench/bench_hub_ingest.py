"""Hub ingest on PostgreSQL: how many cases a second ``PostgresHubStore.apply_ops`` stores.

A case is what a spoke pushes for a new patient seen once: ``patient.create`` and
``case.queue`` with 8 observations (payloads made by the spoke's own code,
``tests.hub.spoke_ops``). The ops are built before the clock starts (building them is the
spoke's work); then ``--threads`` threads, one spoke each, push them through ``apply_ops`` in
batches of ``--batch-ops`` ops, as the hub's request handlers would. Reported: cases/s over
the whole run (median of ``--runs``, each on a fresh database), the per-batch latency, and the
ratio budget / measured (below 1 is within budget, as in run_all.py).

The server is a private cluster (``hub.testing.pg_cluster``) with PostgreSQL's default
durability (fsync on, synchronous commit): the figure a real hub can promise. Server and
client share the machine's cores, as on a small hub.

    .venv/bin/python bench/bench_hub_ingest.py [--cases 20000] [--batch-ops 200] [--threads 2]
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
from typing import Any

import common  # noqa: F401  (puts the project root on sys.path)
from common import machine, summary_ms, write_results

BUDGET_CASES_PER_S = 2000.0


def build_ops(cases: int, batch_ops: int, threads: int) -> list[list[list[dict[str, Any]]]]:
    """Per thread, its batches: ``cases`` split evenly, 2 ops per case."""
    from tests.hub.spoke_ops import SpokeOps

    per_thread: list[list[list[dict[str, Any]]]] = []
    for t in range(threads):
        spoke = SpokeOps()
        ops: list[dict[str, Any]] = []
        for _ in range(cases // threads + (1 if t < cases % threads else 0)):
            create, patient = spoke.patient_create()
            ops += [create, spoke.case_queue(patient.id, observations=8)[0]]
        per_thread.append([ops[i : i + batch_ops] for i in range(0, len(ops), batch_ops)])
    return per_thread


def one_run(dsn: str, work: list[list[list[dict[str, Any]]]]) -> dict[str, Any]:
    from hub.storage.postgres import PostgresHubStore

    store = PostgresHubStore(dsn, min_size=len(work), max_size=len(work) + 2)
    try:
        store.migrate()
        spokes = [store.register_spoke(f"HWC {i}")[0] for i in range(len(work))]
        latencies: list[float] = []
        errors: list[BaseException] = []
        bad: list[str] = []
        lock = threading.Lock()
        start = threading.Barrier(len(work) + 1)

        def push(spoke_id: str, batches: list[list[dict[str, Any]]]) -> None:
            mine: list[float] = []
            try:
                start.wait()
                for batch in batches:
                    t0 = time.perf_counter()
                    results = store.apply_ops(spoke_id, batch)
                    mine.append(time.perf_counter() - t0)
                    bad.extend(r.op_id for r in results if r.status != "applied")
            except BaseException as exc:
                errors.append(exc)
            with lock:
                latencies.extend(mine)

        threads = [
            threading.Thread(target=push, args=(sid, batches))
            for sid, batches in zip(spokes, work, strict=True)
        ]
        for t in threads:
            t.start()
        start.wait()
        t0 = time.perf_counter()
        for t in threads:
            t.join()
        seconds = time.perf_counter() - t0
        if errors:
            raise errors[0]
        stats = store.stats()
    finally:
        store.close()
    cases = sum(len(b) for batches in work for b in batches) // 2
    if bad or stats["cases"] != cases or stats["observations"] != 8 * cases:
        raise SystemExit(f"ingest went wrong: {len(bad)} ops not applied, stats {stats}")
    return {"seconds": seconds, "cases_per_s": cases / seconds, "batch": summary_ms(latencies)}


def run(
    cases: int = 20_000, batch_ops: int = 200, threads: int = 2, runs: int = 3
) -> dict[str, Any]:
    from hub.testing.pg_cluster import PgCluster

    print(f"building {cases:,} cases of ops ...", flush=True)
    work = build_ops(cases, batch_ops, threads)
    measured: list[dict[str, Any]] = []
    with PgCluster.start(fast=False) as cluster:
        for i in range(runs):
            name = f"ingest_{i}"
            dsn = cluster.create_database(name)
            try:
                got = one_run(dsn, work)
            finally:
                cluster.drop_database(name)
            print(
                f"  run {i + 1}: {got['cases_per_s']:,.0f} cases/s "
                f"({got['seconds']:.2f} s; batch p50 {got['batch']['p50']:.1f} ms, "
                f"p95 {got['batch']['p95']:.1f} ms)",
                flush=True,
            )
            measured.append(got)
    best = statistics.median(m["cases_per_s"] for m in measured)
    return {
        "cases": cases,
        "batch_ops": batch_ops,
        "threads": threads,
        "runs": measured,
        "cases_per_s": round(best, 1),
        "budget_cases_per_s": BUDGET_CASES_PER_S,
        "ratio": round(BUDGET_CASES_PER_S / best, 3),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--batch-ops", type=int, default=200, help="ops per apply_ops call")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    result = run(args.cases, args.batch_ops, args.threads, args.runs)
    result["machine"] = machine()
    path = write_results(result, "hub_ingest.json")
    ok = result["ratio"] < 1
    print(
        f"hub ingest: {result['cases_per_s']:,.0f} cases/s (median of {args.runs}), "
        f"budget {BUDGET_CASES_PER_S:,.0f} cases/s, ratio {result['ratio']:.2f} "
        f"({'within' if ok else 'OVER'} budget); {path}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
