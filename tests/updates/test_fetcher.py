"""The update fetcher on a link that drops: a target cut off mid-way goes on with a Range
request where it stopped; metadata is never resumed (it is small, and may be gzip-encoded)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from tuf.api import exceptions as tuf_errors

from app.updates.client import HubFetcher

BODY = bytes(range(256)) * 4096  # 1 MiB
HUB_TIME = "2031-05-04T03:02:01+00:00"


class Flaky(BaseHTTPRequestHandler):
    cuts_left = 0
    ranges: list[str] = []  # noqa: RUF012  (shared by the test and the server thread)

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        wanted = self.headers.get("Range")
        type(self).ranges.append(wanted or "")
        start = int(wanted.removeprefix("bytes=").rstrip("-")) if wanted else 0
        self.send_response(206 if wanted else 200)
        self.send_header("Content-Length", str(len(BODY) - start))
        self.send_header("X-Hub-Time", HUB_TIME)
        self.end_headers()
        if type(self).cuts_left > 0:
            type(self).cuts_left -= 1
            self.wfile.write(BODY[start : start + 100_000])
            self.wfile.flush()
            self.connection.shutdown(2)  # the link drops mid-body
            return
        self.wfile.write(BODY[start:])


@pytest.fixture
def server() -> Iterator[str]:
    Flaky.ranges = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Flaky)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_a_target_cut_off_twice_is_resumed_with_range_requests(server: str) -> None:
    Flaky.cuts_left = 2
    seen: list[datetime] = []
    fetcher = HubFetcher(verify=True, on_hub_time=seen.append)
    data = fetcher.download_bytes(f"{server}/v1/updates/targets/hwc-spoke-1.0.1.tar.gz", len(BODY))
    assert data == BODY
    # Each resume starts where the bytes handed on so far end (a chunk broken off mid-way is
    # fetched again), further along each time.
    first, *resumes = Flaky.ranges
    offsets = [int(r.removeprefix("bytes=").rstrip("-")) for r in resumes]
    assert first == "" and len(offsets) == 2
    assert 0 < offsets[0] < offsets[1] < len(BODY)
    assert seen and seen[0].year == 2031  # the hub's clock, from every answer


def test_metadata_cut_off_is_not_resumed(server: str) -> None:
    Flaky.cuts_left = 1
    fetcher = HubFetcher(verify=True, on_hub_time=lambda _t: None)
    with pytest.raises(tuf_errors.DownloadError):
        fetcher.download_bytes(f"{server}/v1/updates/metadata/timestamp.json", len(BODY))
    assert Flaky.ranges == [""]
