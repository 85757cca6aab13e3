"""The real app as a process: cold start to the login window, and memory with 1M patients.

- Start-up: spawn ``main.py --data-dir DIR --startup-probe`` (Qt offscreen) and time from the
  spawn to the line the app prints once the login window is shown and usable ("startup:
  login window ready after N ms"; "STARTUP_READY <s>" is also understood). Python's own
  start-up and every import count. One untimed run first (so the OS file cache is as on a PC
  that has run the app before), then the median of ``runs``.
- Memory: spawn ``main.py --data-dir DIR --startup-probe --probe-search N`` with the demo
  paramedic's credentials: it signs in, opens the patients page and types N searches, then
  exits. Peak resident memory of that process comes from ``wait4``'s rusage (the kernel's
  own high-water mark), so the app needs no instrumentation for it; the GUI search timings
  the app prints are reported alongside.

    .venv/bin/python bench/bench_app.py [--patients 1000000]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import common  # noqa: F401  (puts the project root on sys.path)
from common import DEMO_USER, ROOT, seeded_db

READY = re.compile(r"startup: login window ready after (\d+(?:\.\d+)?) ms|STARTUP_READY (\S+)")
PROBE = re.compile(r"probe-search: (\d+) searches, median ([\d.]+) ms, p95 ([\d.]+) ms")
TIMEOUT_S = 300


def _python() -> str:
    venv = ROOT / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", **extra)
    env.pop("SPOKE_DATA_DIR", None)
    return env


def _spawn(args: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Run the app; returns its output lines with arrival times, exit code and peak RSS."""
    with tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(
            [_python(), "main.py", *args], cwd=ROOT, env=env,
            stdout=subprocess.PIPE, stderr=err, text=True,
        )  # fmt: skip
        lines: list[tuple[float, str]] = []
        assert proc.stdout is not None
        deadline = started + TIMEOUT_S
        for line in proc.stdout:
            lines.append((time.perf_counter() - started, line.rstrip("\n")))
            if time.perf_counter() > deadline:
                proc.kill()
                break
        # wait4, not wait(): it also returns the child's resource usage (peak RSS).
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    return {
        "lines": lines,
        "code": proc.returncode,
        "max_rss_mb": round(usage.ru_maxrss / 1024, 1),  # Linux reports KiB
        "stderr": stderr[-2000:],
    }


def startup(folder: Path, runs: int) -> dict[str, Any]:
    args = ["--data-dir", str(folder), "--startup-probe"]
    spawned: list[float] = []
    reported: list[float] = []
    rss: list[float] = []
    for i in range(runs + 1):
        result = _spawn(args, _env())
        ready = [(t, READY.search(line)) for t, line in result["lines"]]
        hit = next(((t, m) for t, m in ready if m), None)
        if hit is None:
            return {"error": "no start-up line", "code": result["code"],
                    "stderr": result["stderr"]}  # fmt: skip
        if i == 0:
            continue  # warm-up
        t, m = hit
        spawned.append(t)
        reported.append(float(m.group(1)) / 1000 if m.group(1) else float(m.group(2)))
        rss.append(result["max_rss_mb"])
    return {
        "runs": runs,
        "spawn_to_ready_s": {"median": round(statistics.median(spawned), 3),
                             "min": round(min(spawned), 3), "max": round(max(spawned), 3)},
        "app_reported_s": {"median": round(statistics.median(reported), 3)},
        "login_window_max_rss_mb": max(rss),
    }  # fmt: skip


def memory(folder: Path, searches: int) -> dict[str, Any]:
    args = ["--data-dir", str(folder), "--startup-probe", "--probe-search", str(searches)]
    env = _env(SPOKE_SCREENSHOT_USER=DEMO_USER[0], SPOKE_SCREENSHOT_PASSWORD=DEMO_USER[1])
    result = _spawn(args, env)
    out: dict[str, Any] = {
        "searches": searches,
        "max_rss_mb": result["max_rss_mb"],
        "exit_code": result["code"],
    }
    probe = next((PROBE.search(line) for _, line in result["lines"] if PROBE.search(line)), None)
    if probe is None:
        out["error"] = "the app did not report its searches"
        out["stdout"] = [line for _, line in result["lines"]][-10:]
        out["stderr"] = result["stderr"]
    else:
        out["gui_search_ms"] = {"n": int(probe.group(1)), "p50": float(probe.group(2)),
                                "p95": float(probe.group(3))}  # fmt: skip
    return out


def run(patients: int, runs: int, searches: int) -> dict[str, Any]:
    folder = seeded_db(patients)
    return {"startup": startup(folder, runs), "memory": memory(folder, searches)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--searches", type=int, default=200)
    args = parser.parse_args()
    print(json.dumps(run(args.patients, args.runs, args.searches), indent=2))


if __name__ == "__main__":
    main()
