"""Run every benchmark and hold the figures against the budgets.

    .venv/bin/python bench/run_all.py [--patients 1000000] [--quick]

Builds (once) and reuses the seeded database in ``bench/out/db-<size>``, then measures patient
search, case saving, cold start, memory, a day's cases over emulated 2G and checking 1,000
signed prescriptions; prints each figure
with its budget and the ratio (measured / budget: below 1 is within budget) and writes
``bench/out/results.json``.
``--quick`` runs fewer repetitions (same database) for a fast check; the figures in
docs/PERFORMANCE.md come from a full run. Exit code 1 when a budget is missed.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime
from typing import Any

import bench_2g
import bench_app
import bench_devices
import bench_rx_verify
import bench_save
import bench_search
import common
from common import build_info, machine, seeded_db, write_results

# (key, label, unit, budget): the project's performance budgets.
BUDGETS: tuple[tuple[str, str, str, float], ...] = (
    ("search_p95_ms", "patient search p95 (service, as you type)", "ms", 20.0),
    ("save_case_p95_ms", "save case + 8 obs + outbox p95 (Store.write)", "ms", 10.0),
    ("cold_start_s", "cold start to login window (median)", "s", 1.5),
    ("peak_rss_mb", "peak memory, signed in + searching", "MB", 250.0),
    ("seed_1m_s", "seed 1,000,000 patients", "s", 120.0),
    ("frame_to_screen_p95_ms", "device frame to value on screen p95", "ms", 100.0),
    # A throughput: the ratio is budget / measured (below 1 is within budget, as elsewhere).
    ("parser_min_per_s", "slowest device parser (frames/s, at least)", "/s", 50_000.0),
    ("sync_2g_50_cases_s", "a day's 50 cases over emulated 2G (median)", "s", 60.0),
    ("rx_verify_1000_s", "check 1,000 prescription QR codes (median)", "s", 1.0),
)
AT_LEAST = frozenset({"parser_min_per_s"})


def main() -> int:
    parser = argparse.ArgumentParser(description="HWC Spoke benchmarks")
    parser.add_argument("--patients", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    args = parser.parse_args()
    quick = args.quick
    started = time.perf_counter()

    folder = seeded_db(args.patients)
    built = build_info(folder)
    print(f"database: {folder} ({built['patients']:,} patients, {built['cases']:,} cases)")

    print("search ...", flush=True)
    search = bench_search.run(args.patients, queries=400 if quick else 3000)
    print("save ...", flush=True)
    save = bench_save.run(cases=80 if quick else 500, service_cases=20 if quick else 150)
    print("app start-up and memory ...", flush=True)
    app = bench_app.run(args.patients, runs=3 if quick else 7, searches=30 if quick else 200)
    print("devices ...", flush=True)
    devices = bench_devices.measure(quick)
    print("sync over emulated 2G ...", flush=True)
    sync_2g = bench_2g.run(cases=50, runs=1 if quick else 3)
    print("prescription signatures ...", flush=True)
    rx_verify = bench_rx_verify.measure(quick)

    figures: dict[str, Any] = {
        "search_p95_ms": search["all"]["p95"],
        "save_case_p95_ms": save["store_write"]["p95"],
        "cold_start_s": app["startup"].get("spawn_to_ready_s", {}).get("median"),
        "peak_rss_mb": app["memory"].get("max_rss_mb"),
        "frame_to_screen_p95_ms": round(devices["frame_to_screen_p95_ms"], 1),
        "parser_min_per_s": round(devices["parser_min_per_s"]),
        "sync_2g_50_cases_s": sync_2g["seconds"],
        "rx_verify_1000_s": rx_verify["qr_cold_s"],
    }
    if built["patients"] == 1_000_000:
        figures["seed_1m_s"] = built["seconds"]
    rows = []
    failed = False
    for key, label, unit, budget in BUDGETS:
        value = figures.get(key)
        if value is None:
            continue
        ratio = budget / value if key in AT_LEAST else value / budget
        ok = ratio < 1
        failed |= not ok
        rows.append({"key": key, "label": label, "unit": unit, "measured": value,
                     "budget": budget, "ratio": round(ratio, 3), "ok": ok})  # fmt: skip

    print()
    print(f"{'figure':<48} {'measured':>10} {'budget':>10} {'ratio':>7}")
    for r in rows:
        mark = "ok" if r["ok"] else "OVER"
        print(
            f"{r['label']:<48} {r['measured']:>8g} {r['unit']:<2}"
            f"{r['budget']:>8g} {r['unit']:<2} {r['ratio']:>6.2f} {mark}"
        )
    print()
    print(
        f"search p50 {search['all']['p50']} ms, p99 {search['all']['p99']} ms; "
        f"save via services p95 {save['service_path']['p95']} ms for "
        f"{save['service_calls_per_case']} calls; "
        f"GUI search p95 {app['memory'].get('gui_search_ms', {}).get('p95')} ms"
    )
    for kind, s in search["by_kind"].items():
        print(f"  search {kind:<16} p50 {s['p50']:>7} ms  p95 {s['p95']:>7} ms  p99 {s['p99']:>7}")

    results = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join([".venv/bin/python", *sys.argv]),
        "quick": quick,
        "machine": machine(),
        "database": {"folder": str(folder.relative_to(common.ROOT)), **built},
        "budgets": rows,
        "search": search,
        "save": save,
        "app": app,
        "devices": devices,
        "sync_2g": sync_2g,
        "rx_verify": rx_verify,
        "seconds": round(time.perf_counter() - started, 1),
    }
    path = write_results(results)
    print(f"\nwritten {path.relative_to(common.ROOT)} in {results['seconds']} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
