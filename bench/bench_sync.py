"""Sync with the real hub over loopback HTTP: a spoke's first push, and 200 spokes polling.

1. ``push``: a fresh spoke seeded with ``--cases`` queued cases (8 observations each) and
   their patients (``app.services.seed``, ``queued=True``: one ``patient.create`` per patient
   and one ``case.queue`` per case in the outbox) runs one ``SyncEngine.run_once`` (meta, push,
   blobs, pull) against a hub on SQLite and on PostgreSQL. Reported: the round's wall time
   (median of ``--runs``, each a fresh spoke and a fresh hub database) and the bytes on the
   wire per case, counted on the TCP stream (request and response, HTTP headers included) by a
   small counting proxy on 127.0.0.1 that the byte run goes through. The timed runs go
   straight to the hub (the proxy's threads would share the spoke's GIL); the proxied run's
   time is shown too. Ratios: measured / budget (below 1 is within budget) and measured /
   PouchDB baseline (sync research §4: 1.14 s and 1,971 B a doc for 1,000 docs on loopback).
2. ``pull``: ``--spokes`` spokes, each with its own credentials, poll ``GET /v1/sync/pull``
   with nothing new, all at once (an asyncio client: one connection per spoke), against the
   PostgreSQL hub. Reported: latency percentiles per request (connect + request + answer),
   over ``--pull-rounds`` rounds after one warm-up round (the warm-up pays each spoke's first
   scrypt check and is shown apart as ``cold``). Run for each ``--workers`` count. Each poll
   is checked against the database as a spoke's real poll is (its 5-minute timer outlives
   any cache of the hub's), and the client's own CPU time per round is reported, to show
   that the load generator is not what the polls wait for.

The hub runs in its own process, as ``main.py hub serve`` runs it (uvicorn, same settings,
access log on and thrown away), started with ``uvicorn --workers N --factory`` so the worker
count can vary; N=1 is exactly the default single-process hub. PostgreSQL is a private
cluster (``hub.testing.pg_cluster``) with default durability (fsync on). Client, proxy, hub
and database share the machine's cores.

    .venv/bin/python bench/bench_sync.py [--cases 1000] [--runs 3] [--spokes 200] \
        [--pull-rounds 5] [--workers 1,2] [--profile]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import io
import json
import os
import pstats
import random
import re
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import common  # noqa: F401  (puts the project root on sys.path)
from common import ROOT, machine, percentile, summary_ms, write_results

BUDGET_PUSH_S = 2.0
BUDGET_BYTES_PER_CASE = 400.0
BUDGET_PULL_P99_MS = 100.0
POUCH_S = 1.1  # sync research §4: 1,000 docs, loopback, 2 vCPU (measured 1.14 s)
POUCH_BYTES_PER_CASE = 1970.0  # measured 1,971 B/doc
HUB_ENV = "HWC_BENCH_HUB_DB"
PROFILE_ENV = "HWC_BENCH_HUB_PROFILE"  # a path prefix: the hub process writes its profile there


# -- the hub in its own process ----------------------------------------------------------------


def hub_app() -> Any:
    """uvicorn ``--factory`` entry point: the hub app on the store named in ``HWC_BENCH_HUB_DB``
    (one store per worker process, as ``hub serve`` opens one)."""
    from hub.app import create_app
    from hub.storage import open_store

    out = os.environ.get(PROFILE_ENV)
    if out:  # cProfile the event loop thread (HTTP parsing, routing, JSON) until exit
        import atexit

        prof = cProfile.Profile()
        prof.enable()

        def dump() -> None:
            prof.disable()
            with open(f"{out}.{os.getpid()}.txt", "w") as f:
                pstats.Stats(prof, stream=f).sort_stats("tottime").print_stats(30)

        atexit.register(dump)
    return create_app(open_store(os.environ[HUB_ENV]), name="Bench Hub")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def hub_process(db_url: str, workers: int = 1) -> Iterator[str]:
    port = _free_port()
    cmd = [
        sys.executable, "-m", "uvicorn", "--factory", "bench_sync:hub_app",
        "--app-dir", str(ROOT / "bench"), "--host", "127.0.0.1", "--port", str(port),
        "--workers", str(workers), "--lifespan", "off", "--no-server-header",
        "--no-proxy-headers", "--timeout-graceful-shutdown", "5", "--log-level", "warning",
    ]  # fmt: skip
    env = {**os.environ, HUB_ENV: db_url, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, cwd=ROOT)
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"hub process exited with {proc.returncode}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("hub did not start") from None
                time.sleep(0.05)
        if workers > 1:
            time.sleep(1.5)  # let every worker import and open its store
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.send_signal(signal.SIGINT)  # uvicorn re-raises it after a graceful stop: atexit runs
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# -- a counting TCP proxy ----------------------------------------------------------------------


class CountingProxy:
    """127.0.0.1:port -> target; counts every byte in each direction (headers included)."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.up = 0  # spoke -> hub
        self.down = 0  # hub -> spoke
        self.connections = 0
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._listener.getsockname()[1])
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            for s in (client, upstream):
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                self.connections += 1
            threading.Thread(target=self._pump, args=(client, upstream, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, False), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket, up: bool) -> None:
        try:
            while data := src.recv(65536):
                # Counted before forwarding: once the client has its answer, every byte of
                # that exchange has been counted (the bench reads the counts per request).
                with self._lock:
                    if up:
                        self.up += len(data)
                    else:
                        self.down += len(data)
                dst.sendall(data)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                dst.shutdown(socket.SHUT_WR)

    def close(self) -> None:
        self._listener.close()


# -- push ----------------------------------------------------------------------------------------


def fresh_spoke(folder: Path, cases: int) -> Any:
    from app.services.container import Services
    from app.services.seed import seed
    from app.store import outbox

    services = Services.open(folder, password_log_n=4)
    report = seed(services, patients=cases, cases=cases, queued=True)
    if report.observations != 8 * cases:
        raise SystemExit(f"seed made {report.observations} observations for {cases} cases")
    ops = services.store.read(lambda db: db.execute(
        "SELECT op, COUNT(*), SUM(LENGTH(payload)) FROM outbox WHERE state='pending' GROUP BY op"
    ).fetchall())  # fmt: skip
    counts = services.store.read(outbox.counts)
    return services, {r[0]: (r[1], r[2]) for r in ops}, counts


def one_push(
    db_url: str, cases: int, work: Path, *, proxy: bool, profile: bool = False
) -> dict[str, Any]:
    from app.store import outbox
    from app.sync.engine import SyncEngine
    from app.sync.transport import HubClient
    from hub.storage import open_store

    store = open_store(db_url)  # migrates; registers the spoke
    try:
        spoke_id, secret = store.register_spoke("HWC Bench")
    finally:
        store.close()
    shutil.rmtree(work, ignore_errors=True)
    services, ops, _ = fresh_spoke(work, cases)
    try:
        with hub_process(db_url) as url:
            counter = CountingProxy(int(url.rsplit(":", 1)[1])) if proxy else None
            client = HubClient(counter.url if counter else url, spoke_id, secret)
            calls: dict[str, int] = {}
            by_path: dict[str, list[int]] = {}  # "METHOD path" -> [bytes up, bytes down]
            real_call = client._call

            def counted(method: str, path: str, **kw: Any) -> Any:
                key = f"{method} {path}"
                calls[key] = calls.get(key, 0) + 1
                before = (counter.up, counter.down) if counter else (0, 0)
                try:
                    return real_call(method, path, **kw)
                finally:
                    if counter:
                        sums = by_path.setdefault(key, [0, 0])
                        sums[0] += counter.up - before[0]
                        sums[1] += counter.down - before[1]

            client._call = counted  # type: ignore[method-assign]
            engine = SyncEngine(services.store, services.blobs, client)
            prof = cProfile.Profile() if profile else None
            t0 = time.perf_counter()
            if prof:
                prof.enable()
            report = engine.run_once()
            if prof:
                prof.disable()
            seconds = time.perf_counter() - t0
            client.close()
            time.sleep(0.05)  # let the proxy's pumps count the last bytes
            left = services.store.read(outbox.counts)
            if counter:
                counter.close()
    finally:
        services.close()
        shutil.rmtree(work, ignore_errors=True)
    total_ops = sum(n for n, _ in ops.values())
    if not report.ok or report.pushed.applied != total_ops or left["acked"] != total_ops:
        raise SystemExit(f"push went wrong: {report} outbox {left}")
    got: dict[str, Any] = {
        "seconds": seconds,
        "ops": total_ops,
        "ops_by_kind": {k: n for k, (n, _) in ops.items()},
        "payload_json_bytes": sum(b for _, b in ops.values()),
        "requests": calls,
    }
    if counter:
        got.update(
            bytes_up=counter.up,
            bytes_down=counter.down,
            bytes_total=counter.up + counter.down,
            bytes_per_case=(counter.up + counter.down) / cases,
            tcp_connections=counter.connections,
            bytes_by_request=by_path,
        )
    if prof:
        out = io.StringIO()
        pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(25)
        got["profile"] = out.getvalue()
    return got


def compression_check(cases: int, work: Path) -> dict[str, float]:
    """Push-body bytes per case, off the wire: the bodies the engine builds (500-op batches),
    raw and gzipped at levels 6 and 9, and the whole outbox in one xz stream (far beyond what
    gzip's 32 KB window can reach: a floor for what compression of this content can do)."""
    import gzip
    import lzma

    from app.store import outbox
    from app.sync.engine import _wire

    shutil.rmtree(work, ignore_errors=True)
    services, _, _ = fresh_spoke(work, cases)
    try:
        wires = [_wire(o) for o in services.store.read(lambda db: outbox.pending(db, limit=10**6))]
    finally:
        services.close()
        shutil.rmtree(work, ignore_errors=True)

    from app.sync.transport import encode_table

    def body(ops: list[dict[str, Any]]) -> bytes:
        # As HubClient.push builds it (docs/SYNC.md): the ops as one table.
        doc = {"spoke_id": "0" * 36, "epoch_seen": "0" * 36, "count": len(ops),
               "ops": encode_table(ops)}  # fmt: skip
        return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()

    rng = random.Random(1)

    def gzip9(ops: list[dict[str, Any]]) -> float:
        batches = [body(ops[i : i + 500]) for i in range(0, len(ops), 500)]
        return sum(len(gzip.compress(b, compresslevel=9)) for b in batches) / cases

    bodies = [body(wires[i : i + 500]) for i in range(0, len(wires), 500)]
    return {
        "json": sum(map(len, bodies)) / cases,
        "gzip6": sum(len(gzip.compress(b, compresslevel=6)) for b in bodies) / cases,
        "gzip9": gzip9(wires),
        # The seed's times fall on whole seconds in even steps, which the deltas compress
        # better than the clinic's own (typed and device readings carry microseconds).
        "gzip9_microsecond_times": gzip9([_with_microseconds(w, rng) for w in wires]),
        "xz_whole_outbox": len(lzma.compress(body(wires), preset=9 | lzma.PRESET_EXTREME)) / cases,
    }


_TIMESTAMP = re.compile(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?([+-]\d\d:\d\d)?")


def _with_microseconds(value: Any, rng: random.Random) -> Any:
    """``value`` with every timestamp's fraction replaced by random microseconds."""
    if isinstance(value, dict):
        return {k: _with_microseconds(v, rng) for k, v in value.items()}
    if isinstance(value, list):
        return [_with_microseconds(v, rng) for v in value]
    if isinstance(value, str) and (m := _TIMESTAMP.fullmatch(value)):
        return f"{m[1]}.{rng.randrange(10**6):06d}{m[3] or ''}"
    return value


def push_backend(name: str, make_db: Any, cases: int, runs: int, profile: bool) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="bench-sync-"))
    try:
        timed: list[dict[str, Any]] = []
        for i in range(runs):
            got = one_push(make_db(f"push_{i}"), cases, work / "spoke", proxy=False)
            print(f"  {name} run {i + 1}: {got['seconds']:.3f} s  requests {got['requests']}",
                  flush=True)  # fmt: skip
            timed.append(got)
        wire = one_push(make_db("push_wire"), cases, work / "spoke", proxy=True, profile=profile)
        print(
            f"  {name} proxied run: {wire['seconds']:.3f} s, {wire['bytes_up']:,} B up + "
            f"{wire['bytes_down']:,} B down = {wire['bytes_per_case']:.0f} B/case, "
            f"{wire['tcp_connections']} TCP connection(s)",
            flush=True,
        )
        if profile:
            print(wire.pop("profile"), flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    seconds = statistics.median(t["seconds"] for t in timed)
    return {
        "backend": name,
        "cases": cases,
        "ops": timed[0]["ops"],
        "ops_by_kind": timed[0]["ops_by_kind"],
        "payload_json_bytes_per_case": round(timed[0]["payload_json_bytes"] / cases, 1),
        "requests": timed[0]["requests"],
        "runs_s": [round(t["seconds"], 3) for t in timed],
        "seconds": round(seconds, 3),
        "proxied_seconds": round(wire["seconds"], 3),
        "bytes_up": wire["bytes_up"],
        "bytes_down": wire["bytes_down"],
        "bytes_per_case": round(wire["bytes_per_case"], 1),
        "tcp_connections": wire["tcp_connections"],
        "bytes_by_request": wire["bytes_by_request"],
        "ratio_time_budget": round(seconds / BUDGET_PUSH_S, 3),
        "ratio_bytes_budget": round(wire["bytes_per_case"] / BUDGET_BYTES_PER_CASE, 3),
        "ratio_time_pouchdb": round(seconds / POUCH_S, 3),
        "ratio_bytes_pouchdb": round(wire["bytes_per_case"] / POUCH_BYTES_PER_CASE, 3),
    }


# -- pull: many spokes at once ---------------------------------------------------------------


async def _poll(port: int, request: bytes, delay: float = 0.0) -> tuple[float, int]:
    if delay:
        await asyncio.sleep(delay)
    t0 = time.perf_counter()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(request)
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = 0
        for line in head.split(b"\r\n")[1:]:
            k, _, v = line.partition(b":")
            if k.strip().lower() == b"content-length":
                length = int(v)
        body = await reader.readexactly(length)
        elapsed = time.perf_counter() - t0
        if status != 200 or json.loads(body)["changes"] != []:
            raise RuntimeError(f"pull answered {status}: {body[:200]!r}")
        return elapsed, len(head) + len(body)
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()


def _pull_request(port: int, spoke_id: str, secret: str) -> bytes:
    # The headers HubClient sends (transport._call), on a connection of its own.
    return (
        f"GET /v1/sync/pull?since=0&limit=200 HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        "User-Agent: hwc-spoke/0.1\r\nAccept-Encoding: gzip\r\nAccept: application/json\r\n"
        f"Connection: close\r\nX-Client-Version: hwc-spoke/0.1\r\n"
        f"Authorization: Bearer {spoke_id}.{secret}\r\n\r\n"
    ).encode()


async def _round(
    port: int, requests: list[bytes], spread: float = 0.0
) -> tuple[list[float], float, int]:
    """Every spoke polls once: all at the same instant (``spread`` 0), or at evenly spaced
    moments over ``spread`` seconds (shuffled, so no spoke is always first)."""
    delays = [i * spread / len(requests) for i in range(len(requests))]
    random.shuffle(delays)
    t0 = time.perf_counter()
    got = await asyncio.gather(*(_poll(port, r, d) for r, d in zip(requests, delays, strict=True)))
    return [g[0] for g in got], time.perf_counter() - t0, got[0][1]


def pull_many(
    db_url: str, spokes: int, rounds: int, workers: int, spreads: list[float]
) -> dict[str, Any]:
    from hub.storage import open_store

    store = open_store(db_url)
    try:
        creds = [store.register_spoke(f"HWC {i}") for i in range(spokes)]
    finally:
        store.close()
    with hub_process(db_url, workers) as url:
        port = int(url.rsplit(":", 1)[1])
        reqs = [_pull_request(port, s, k) for s, k in creds]
        cold, cold_wall, size = asyncio.run(_round(port, reqs))
        # With several workers each process checks each secret once: warm them all.
        for _ in range(3 if workers > 1 else 0):
            asyncio.run(_round(port, reqs))
        by_spread: list[dict[str, Any]] = []
        for spread in spreads:
            samples: list[float] = []
            walls: list[float] = []
            client_cpu: list[float] = []  # is the load generator itself what is slow?
            for _ in range(rounds):
                cpu0 = time.process_time()
                lat, wall, _ = asyncio.run(_round(port, reqs, spread))
                client_cpu.append(time.process_time() - cpu0)
                samples += lat
                walls.append(wall)
                time.sleep(0.2)
            p99 = percentile([s * 1000 for s in samples], 99)
            by_spread.append({
                "spread_s": spread,
                "warm": summary_ms(samples),
                "round_wall_s": round(statistics.median(walls), 3),
                "client_cpu_s": round(statistics.median(client_cpu), 3),
                "ratio_p99_budget": round(p99 / BUDGET_PULL_P99_MS, 3),
            })  # fmt: skip
    return {
        "workers": workers,
        "spokes": spokes,
        "rounds": rounds,
        "cold": summary_ms(cold),
        "cold_round_s": round(cold_wall, 3),
        "answer_bytes": size,
        "by_spread": by_spread,
    }


def _gzip_level() -> int:
    from app.sync import transport

    return int(getattr(transport, "GZIP_LEVEL", 6))


# -- main --------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--spokes", type=int, default=200)
    parser.add_argument("--pull-rounds", type=int, default=5)
    parser.add_argument("--workers", default="1", help="comma-separated worker counts for pull")
    parser.add_argument(
        "--pull-spread", default="0,1",
        help="comma-separated seconds over which the spokes' polls are spread (0: all at once)",
    )  # fmt: skip
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--skip-pull", action="store_true")
    parser.add_argument("--profile", action="store_true", help="cProfile the proxied push run")
    args = parser.parse_args()
    command = " ".join(shlex.quote(a) for a in [".venv/bin/python", "bench/bench_sync.py",
                                                *sys.argv[1:]])  # fmt: skip
    from hub.testing.pg_cluster import PgCluster

    backends = args.backends.split(",")
    spreads = [float(x) for x in args.pull_spread.split(",")]
    results: dict[str, Any] = {"command": command, "push": [], "pull": []}
    tmp = Path(tempfile.mkdtemp(prefix="bench-sync-hub-"))
    try:
        if backends != ["none"]:
            results["push_body_bytes_per_case"] = compression_check(args.cases, tmp / "spoke")
        if "sqlite" in backends:
            print("push, SQLite hub ...", flush=True)
            results["push"].append(push_backend(
                "sqlite", lambda n: f"sqlite:///{tmp / (n + '.sqlite3')}", args.cases, args.runs,
                args.profile))  # fmt: skip
        if "postgres" in backends or not args.skip_pull:
            with PgCluster.start(fast=False) as cluster:
                if "postgres" in backends:
                    print("push, PostgreSQL hub ...", flush=True)
                    results["push"].append(push_backend(
                        "postgres", cluster.create_database, args.cases, args.runs,
                        args.profile))  # fmt: skip
                if not args.skip_pull:
                    for w in [int(x) for x in args.workers.split(",")]:
                        print(f"pull, {args.spokes} spokes at once, {w} worker(s) ...", flush=True)
                        got = pull_many(cluster.create_database(f"pull_w{w}"), args.spokes,
                                        args.pull_rounds, w, spreads)  # fmt: skip
                        for b in got["by_spread"]:
                            print(f"  spread {b['spread_s']} s: {b['warm']}", flush=True)
                        print(f"  cold (first poll after start) {got['cold']}", flush=True)
                        results["pull"].append(got)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    results["machine"] = machine()
    path = write_results(results, "sync.json")

    def mark(ratio: float) -> str:
        return "ok" if ratio < 1 else "OVER"

    print()
    print(f"command: {command}")
    m = results["machine"]
    print(f"machine: {m['cpus']} CPUs, {m['cpu']}, Python {m['python']}")
    print()
    if results["push"]:
        print(f"push: {args.cases:,} queued cases (8 observations each) + their patients, one "
              "SyncEngine.run_once, hub in its own process (1 uvicorn worker)")  # fmt: skip
        print(
            "| hub | ops | requests | wall s (median) | runs s | budget s | ratio "
            "| vs PouchDB 1.1 s | B/case on wire | budget | ratio | vs PouchDB 1,970 B |"
        )
        print("|---|---:|---|---:|---|---:|---:|---:|---:|---:|---:|---:|")
        for p in results["push"]:
            req = ", ".join(f"{k} x{v}" for k, v in p["requests"].items())
            print(
                f"| {p['backend']} | {p['ops']:,} | {req} | {p['seconds']:.3f} | "
                f"{' / '.join(f'{s:.2f}' for s in p['runs_s'])} | {BUDGET_PUSH_S:.0f} | "
                f"{p['ratio_time_budget']:.2f} {mark(p['ratio_time_budget'])} | "
                f"{p['ratio_time_pouchdb']:.2f}x | {p['bytes_per_case']:.0f} | "
                f"{BUDGET_BYTES_PER_CASE:.0f} | {p['ratio_bytes_budget']:.2f} "
                f"{mark(p['ratio_bytes_budget'])} | {p['ratio_bytes_pouchdb']:.3f}x |"
            )
        for p in results["push"]:
            print(f"  {p['backend']}: {p['bytes_up']:,} B up, {p['bytes_down']:,} B down, "
                  f"{p['tcp_connections']} TCP connection(s); outbox JSON "
                  f"{p['payload_json_bytes_per_case']:.0f} B/case; proxied run "
                  f"{p['proxied_seconds']:.3f} s")  # fmt: skip
            for key, (up, down) in p["bytes_by_request"].items():
                print(f"    {key} x{p['requests'][key]}: {up:,} B up, {down:,} B down "
                      f"({(up + down) / args.cases:.0f} B/case)")  # fmt: skip
        c = results.get("push_body_bytes_per_case")
        if c:
            print(f"  push bodies off the wire, B/case: JSON {c['json']:,.0f}, gzip-6 "
                  f"{c['gzip6']:.0f}, gzip-9 {c['gzip9']:.0f} (sent now: GZIP_LEVEL "
                  f"{_gzip_level()}), xz of the whole outbox in one stream "
                  f"{c['xz_whole_outbox']:.0f}; gzip-9 with every time at microsecond "
                  f"precision {c['gzip9_microsecond_times']:.0f}")  # fmt: skip
        print()
    if results["pull"]:
        print(
            f"pull: {args.spokes} spokes at once, GET /v1/sync/pull with nothing new, own "
            f"credentials, a new connection each, PostgreSQL hub; {args.pull_rounds} rounds"
        )
        print("| uvicorn workers | polls spread over | p50 ms | p95 ms | p99 ms | max ms "
              "| budget p99 ms | ratio | round s | client CPU s |")  # fmt: skip
        print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for g in results["pull"]:
            for b in g["by_spread"]:
                w = b["warm"]
                when = "all at once" if not b["spread_s"] else f"{b['spread_s']:g} s"
                print(f"| {g['workers']} | {when} | {w['p50']:.1f} | {w['p95']:.1f} | "
                      f"{w['p99']:.1f} | {w['max']:.1f} | {BUDGET_PULL_P99_MS:.0f} | "
                      f"{b['ratio_p99_budget']:.2f} {mark(b['ratio_p99_budget'])} | "
                      f"{b['round_wall_s']:.3f} | {b['client_cpu_s']:.3f} |")  # fmt: skip
        for g in results["pull"]:
            print(f"  {g['workers']} worker(s), first poll of each spoke after the hub started "
                  f"(scrypt check, all at once): p50 {g['cold']['p50']:.0f} ms, p99 "
                  f"{g['cold']['p99']:.0f} ms; answer {g['answer_bytes']} B")  # fmt: skip
    print(f"\nresults: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
