"""Sync over an emulated 2G link: a day's 50 cases, then their photos.

Budget (ARCHITECTURE.md §7): a day's 50 cases over emulated 2G (100 kbit/s, 700 ms RTT, 2 %
loss) under 60 s.

1. ``records``: a fresh spoke seeded with ``--cases`` queued cases (8 observations each) and as
   many patients (``app.services.seed``, ``queued=True``, as ``main.py seed ... --queued``
   makes them) runs one ``SyncEngine.run_once`` (meta, push, pull) through the link to a hub
   in its own process (SQLite store). ``--runs`` runs, each with a fresh spoke, a fresh hub
   database and another loss pattern. Reported: the round's wall time (median and worst),
   requests, bytes each way and segments lost. No photos.
2. ``photos``: a fresh spoke with ``--cases`` cases of which ``--photos`` carry one photo
   (``--photo-side`` px of noise, about 300 KB after the app's re-encoding), one round.
   Reported: when the records were all at the hub (the first blob announced) and how long the
   photos took after that.

The link is emulated in user space, by a TCP relay on 127.0.0.1 between the spoke and the hub
(``Link``). Kernel netem would be the first choice (``ip netns`` + ``tc qdisc ... netem``), but
it needs the ``sch_netem`` qdisc, which not every kernel has (the machine of the recorded
figures lacks it: ``tc`` answers "Specified qdisc kind is unknown"). The model:

- each direction is a serial line of 100 kbit/s shared by every connection: a segment of up
  to 1,460 B payload plus 40 B of TCP/IP header holds the line for its bits / rate;
- 350 ms one-way delay each way (700 ms RTT);
- a new connection pays one RTT (SYN, SYN-ACK) before its first byte can leave;
- loss: each segment is lost with probability 1 % in each direction (about 2 % for a round
  trip). A lost segment is sent again one retransmission timeout after it left (RTT + 200 ms,
  Linux's minimum RTO margin), holds the line again, and holds up everything behind it on its
  connection (TCP delivers in order). A lost SYN costs the initial 1 s RTO.

Left out, so the figures lean optimistic: TCP's congestion window (at 100 kbit/s and 700 ms
the bandwidth-delay product, 8.75 KB, is under the initial window of 10 segments, 14.6 KB, so
slow start does not bind; the halving after a loss would, a little), fast retransmit (which
would make some losses cheaper than the RTO used here), and the ACKs' own bandwidth.

    .venv/bin/python bench/bench_2g.py [--cases 50] [--runs 3] [--photos 5] [--photo-side 680]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import queue
import random
import shlex
import shutil
import socket
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import common  # noqa: F401  (puts the project root on sys.path)
from bench_sync import hub_process
from common import machine, write_results

BUDGET_S = 60.0
RATE_BPS = 100_000
ONE_WAY_S = 0.350
LOSS = 0.01  # per segment, per direction
MSS = 1460
HEADER = 40  # TCP/IP header bytes charged per segment
RTO_MARGIN_S = 0.200
SYN_RTO_S = 1.0


# -- the emulated link ---------------------------------------------------------------------------


@dataclass
class _Line:
    """One direction of the link: a serial line shared by every connection."""

    rate_bps: float
    delay_s: float
    loss: float
    rng: random.Random
    free_at: float = 0.0
    segments: int = 0
    lost: int = 0
    nbytes: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def send(self, size: int, ready: float) -> float:
        """Put one segment of ``size`` payload bytes on the line no sooner than ``ready``;
        return when it has arrived whole at the far end (retransmissions included)."""
        rtt = 2 * self.delay_s
        with self.lock:
            self.segments += 1
            self.nbytes += size
            wire = (size + HEADER) * 8 / self.rate_bps
            start = max(ready, self.free_at)
            self.free_at = start + wire
            while self.rng.random() < self.loss:
                self.lost += 1
                # The sender hears nothing and sends it again one RTO after it left.
                start = max(self.free_at, start + wire + rtt + RTO_MARGIN_S)
                self.free_at = start + wire
            return self.free_at + self.delay_s

    def syn_penalty(self) -> float:
        with self.lock:
            penalty = 0.0
            while self.rng.random() < self.loss:
                self.lost += 1
                penalty += SYN_RTO_S
            return penalty


class Link:
    """127.0.0.1:port -> the hub, through the emulated 2G link (see the module docstring)."""

    def __init__(self, target_port: int, *, seed: int, loss: float = LOSS) -> None:
        rng = random.Random(seed)
        self.up = _Line(RATE_BPS, ONE_WAY_S, loss, random.Random(rng.random()))
        self.down = _Line(RATE_BPS, ONE_WAY_S, loss, random.Random(rng.random()))
        self.connections = 0
        self._target = target_port
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._listener.getsockname()[1])
        self._socks: list[socket.socket] = []
        threading.Thread(target=self._accept, name="link", daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self._listener.close()
        for sock in self._socks:
            with contextlib.suppress(OSError):
                sock.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self._target))
            for s in (client, upstream):
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._socks += [client, upstream]
            self.connections += 1
            # The handshake: the client's first byte leaves one RTT after its SYN did.
            opened = time.monotonic() + 2 * ONE_WAY_S + self.up.syn_penalty()
            for src, dst, line, ready in (
                (client, upstream, self.up, opened),
                (upstream, client, self.down, 0.0),
            ):
                q: queue.Queue[tuple[float, bytes | None]] = queue.Queue()
                threading.Thread(target=self._read, args=(src, line, ready, q), daemon=True).start()
                threading.Thread(target=self._deliver, args=(dst, q), daemon=True).start()

    @staticmethod
    def _read(
        src: socket.socket, line: _Line, ready: float, q: queue.Queue[tuple[float, bytes | None]]
    ) -> None:
        last = 0.0  # in-order delivery: nothing arrives before what was sent ahead of it
        try:
            while data := src.recv(65536):
                now = max(time.monotonic(), ready)
                for i in range(0, len(data), MSS):
                    segment = data[i : i + MSS]
                    last = max(last, line.send(len(segment), now))
                    q.put((last, segment))
        except OSError:
            pass
        q.put((max(last, time.monotonic() + line.delay_s), None))

    @staticmethod
    def _deliver(dst: socket.socket, q: queue.Queue[tuple[float, bytes | None]]) -> None:
        while True:
            due, data = q.get()
            wait = due - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            try:
                if data is None:
                    dst.shutdown(socket.SHUT_WR)
                    return
                dst.sendall(data)
            except OSError:
                return


# -- spokes ----------------------------------------------------------------------------------------


def noise_jpeg(path: Path, side: int, rng_seed: int) -> Path:
    """A photo JPEG cannot shrink (noise): its size after the app's re-encoding is predictable."""
    from PIL import Image

    rng = random.Random(rng_seed)
    image = Image.frombytes("RGB", (side, side), rng.randbytes(side * side * 3))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    path.write_bytes(buffer.getvalue())
    return path


def make_spoke(folder: Path, cases: int, photos: int, photo_side: int) -> Any:
    """A spoke with ``cases`` queued cases (8 observations each) and their patients; the last
    ``photos`` of them made as a paramedic makes one, each with one photo."""
    from app.domain.ids import PatientId
    from app.domain.models import ConsentMethod, Role
    from app.services.container import Services
    from app.services.seed import seed

    services = Services.open(folder, password_log_n=4)
    seed(services, patients=cases, cases=cases - photos, queued=True)
    if photos:
        admin = services.auth.create_first_admin("admin", "Field IT", "bench-pass-1")
        actor = services.auth.create_user(admin, "asha", "Asha", Role.PARAMEDIC, "bench-pass-1")
        pids = services.store.read(
            lambda db: [r[0] for r in db.execute("SELECT id FROM patients ORDER BY id")]
        )
        for i in range(photos):
            case = services.cases.start(actor, PatientId(pids[i]))
            services.cases.record_consent(
                actor, case.id, given_by="Patient", relationship="self",
                method=ConsentMethod.VERBAL, witness="",
            )  # fmt: skip
            services.cases.save_draft(
                actor, case.id, chief_complaint="Non-healing wound", specialty="general_medicine"
            )
            photo = noise_jpeg(folder.parent / f"photo{i}.jpg", photo_side, i)
            services.cases.add_attachment(actor, case.id, photo, caption="wound")
            services.cases.queue(actor, case.id, specialty="general_medicine", priority="routine")
    return services


# -- one round through the link --------------------------------------------------------------


def one_round(work: Path, cases: int, photos: int, photo_side: int, seed: int) -> dict[str, Any]:
    from app.store import outbox
    from app.sync.engine import SyncEngine
    from app.sync.transport import HubClient, HubReply
    from hub.storage import open_store

    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    db_url = f"sqlite:///{work / 'hub.sqlite3'}"
    store = open_store(db_url)
    try:
        spoke_id, secret = store.register_spoke("HWC Bench 2G")
    finally:
        store.close()
    services = make_spoke(work / "spoke", cases, photos, photo_side)
    blob_bytes = services.store.read(
        lambda db: db.execute("SELECT COALESCE(SUM(size), 0) FROM attachments").fetchone()[0]
    )
    try:
        with hub_process(db_url) as url:
            link = Link(int(url.rsplit(":", 1)[1]), seed=seed)
            marks: dict[str, float] = {}
            calls: dict[str, int] = {}

            class Timed(HubClient):
                def _call(self, method: str, path: str, **kw: Any) -> HubReply:
                    key = f"{method} {'/blobs/{sha}' if path.startswith('/blobs/') else path}"
                    calls[key] = calls.get(key, 0) + 1
                    if method == "POST" and path == "/blobs":
                        marks.setdefault("records_done", time.perf_counter())
                    return super()._call(method, path, **kw)

            client = Timed(link.url, spoke_id, secret)
            engine = SyncEngine(services.store, services.blobs, client)
            t0 = time.perf_counter()
            report = engine.run_once()
            seconds = time.perf_counter() - t0
            client.close()
            link.close()
            left = services.store.read(outbox.counts)
    finally:
        services.close()
        shutil.rmtree(work, ignore_errors=True)
    if not report.ok or left["pending"] or left["rejected"] or report.blobs_uploaded != photos:
        raise SystemExit(f"the round went wrong: {report} outbox {left}")
    records_s = marks.get("records_done", t0 + seconds) - t0
    return {
        "seconds": round(seconds, 2),
        "records_s": round(records_s, 2),
        "photos_s": round(seconds - records_s, 2) if photos else 0.0,
        "ops": left["acked"],
        "photo_bytes": int(blob_bytes),
        "requests": calls,
        "bytes_up": link.up.nbytes,
        "bytes_down": link.down.nbytes,
        "segments": link.up.segments + link.down.segments,
        "lost": link.up.lost + link.down.lost,
        "tcp_connections": link.connections,
    }


def run(cases: int = 50, runs: int = 3, photos: int = 0, photo_side: int = 680) -> dict[str, Any]:
    """``runs`` rounds of ``cases`` cases without photos, then (``photos`` > 0) one with."""
    tmp = Path(tempfile.mkdtemp(prefix="bench-2g-"))
    try:
        records = []
        for i in range(runs):
            got = one_round(tmp / f"r{i}", cases, 0, photo_side, seed=i + 1)
            print(f"  records run {i + 1}: {got['seconds']:.1f} s, {got['requests']}, "
                  f"{got['bytes_up']:,} B up, {got['bytes_down']:,} B down, "
                  f"{got['lost']} of {got['segments']} segments lost", flush=True)  # fmt: skip
            records.append(got)
        with_photos = None
        if photos:
            with_photos = one_round(tmp / "photos", cases, photos, photo_side, seed=100)
            print(f"  with {photos} photos: records at the hub after "
                  f"{with_photos['records_s']:.1f} s, photos {with_photos['photos_s']:.1f} s "
                  f"more ({with_photos['photo_bytes']:,} B)", flush=True)  # fmt: skip
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    median = statistics.median(r["seconds"] for r in records)
    return {
        "cases": cases,
        "runs": records,
        "seconds": round(median, 2),
        "worst_s": max(r["seconds"] for r in records),
        "ratio_budget": round(median / BUDGET_S, 3),
        "with_photos": with_photos,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--cases", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--photos", type=int, default=5)
    parser.add_argument("--photo-side", type=int, default=680)
    args = parser.parse_args()
    command = " ".join(shlex.quote(a) for a in [".venv/bin/python", "bench/bench_2g.py",
                                                *sys.argv[1:]])  # fmt: skip
    link = f"{RATE_BPS // 1000} kbit/s, {2 * ONE_WAY_S * 1000:.0f} ms RTT, {LOSS:.0%} loss each way"
    print(f"{args.cases} cases over emulated 2G (user-space link: {link}) ...", flush=True)
    got = run(args.cases, args.runs, args.photos, args.photo_side)
    results = {"command": command, "machine": machine(), **got}
    path = write_results(results, "sync_2g.json")

    m = results["machine"]
    mark = "ok" if got["ratio_budget"] < 1 else "OVER"
    first = got["runs"][0]
    print()
    print(f"command: {command}")
    print(f"machine: {m['cpus']} CPUs, {m['cpu']}, Python {m['python']}")
    print()
    print("| what | ops | requests | B up | B down | lost segments | s (median) | runs s "
          "| budget s | ratio |")  # fmt: skip
    print("|---|---:|---|---:|---:|---:|---:|---|---:|---:|")
    req = ", ".join(f"{k} x{v}" for k, v in first["requests"].items())
    print(f"| {args.cases} cases, one round, no photos | {first['ops']} | {req} | "
          f"{first['bytes_up']:,} | {first['bytes_down']:,} | "
          f"{' / '.join(str(r['lost']) for r in got['runs'])} | {got['seconds']:.1f} | "
          f"{' / '.join(format(r['seconds'], '.1f') for r in got['runs'])} | {BUDGET_S:.0f} | "
          f"{got['ratio_budget']:.2f} {mark} |")  # fmt: skip
    p = got["with_photos"]
    if p:
        req = ", ".join(f"{k} x{v}" for k, v in p["requests"].items())
        print(f"| {args.cases} cases, {args.photos} with a photo ({p['photo_bytes']:,} B of "
              f"photos), one round | {p['ops']} | {req} | {p['bytes_up']:,} | "
              f"{p['bytes_down']:,} | {p['lost']} | {p['seconds']:.1f} (records "
              f"{p['records_s']:.1f}, then photos {p['photos_s']:.1f}) | | | |")  # fmt: skip
    print(f"\nresults: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
