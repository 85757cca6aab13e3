"""Shared helpers for the benchmarks: the cached seeded database, timing statistics, the
machine description and the results file.

The seeded database is built once per size into ``bench/out/db-<size>`` (git-ignored) with
``app.services.seed`` and the demo accounts, and reused while it exists: delete the folder
to rebuild it. Run from the project root with the project's virtual environment.
"""

from __future__ import annotations

import json
import os
import platform
import sqlite3
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# The demo paramedic created by seed_demo_users: signs in for the memory probe.
DEMO_USER = ("asha.paramedic", "demo-pass-1")
BUILT_MARK = "built.json"


def size_label(patients: int) -> str:
    if patients % 1_000_000 == 0:
        return f"{patients // 1_000_000}m"
    if patients % 1000 == 0:
        return f"{patients // 1000}k"
    return str(patients)


def seeded_db(patients: int, *, rng_seed: int = 42) -> Path:
    """The data folder holding ``patients`` seeded patients; built on first use."""
    from app.services.container import Services
    from app.services.seed import seed, seed_demo_users

    folder = OUT / f"db-{size_label(patients)}"
    mark = folder / BUILT_MARK
    if mark.exists():
        return folder
    if folder.exists():  # an interrupted build: start again
        for path in sorted(folder.rglob("*"), reverse=True):
            path.unlink() if path.is_file() else path.rmdir()
    cases = max(60, patients // 50)
    print(f"building {folder} ({patients:,} patients, {cases:,} cases) ...", flush=True)
    started = time.perf_counter()
    with Services.open(folder) as services:
        seed_demo_users(services)

        def show(done: int, total: int) -> None:
            if done == total or done % 100_000 == 0:
                print(f"  {done:,} / {total:,}  {time.perf_counter() - started:.0f} s", flush=True)

        report = seed(services, patients=patients, cases=cases, rng_seed=rng_seed, progress=show)
    seconds = time.perf_counter() - started
    size = (folder / "spoke.sqlite3").stat().st_size
    mark.write_text(
        json.dumps(
            {"patients": report.patients, "cases": report.cases, "seconds": round(seconds, 1),
             "db_bytes": size, "rng_seed": rng_seed},
            indent=2,
        )
    )  # fmt: skip
    print(f"  {report} in {seconds:.1f} s, database {size / 1e6:.0f} MB", flush=True)
    return folder


def build_info(folder: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((folder / BUILT_MARK).read_text())
    return data


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (p in 0-100) of ``values``."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def summary_ms(samples_s: Sequence[float]) -> dict[str, float]:
    ms = [s * 1000 for s in samples_s]
    return {
        "n": len(ms),
        "p50": round(statistics.median(ms), 3),
        "p95": round(percentile(ms, 95), 3),
        "p99": round(percentile(ms, 99), 3),
        "max": round(max(ms), 3),
    }


def machine() -> dict[str, Any]:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory_gb": mem_gb,
        "os": platform.platform(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
    }


def write_results(results: dict[str, Any], name: str = "results.json") -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / name
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
