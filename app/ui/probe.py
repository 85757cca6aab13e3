"""Time patient search as a person sees it: from the query to the results on screen.

Used by ``main.py --probe-search N`` (through ``run_gui``) on a seeded data folder: it types
N different queries into the patients page one after another, waits for each query's results
to be shown, and prints the median and 95th percentile. The figures belong in
docs/PERFORMANCE.md; the tests never time anything. GUI thread only.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from app.ui import navigation as nav
from app.ui.main_window import MainWindow

# Prefixes in both scripts, names, villages and phone digits, as typed at a real desk.
QUERIES = (
    "ram", "sun", "kum", "sit", "dev", "pri", "moh", "ani", "raj", "san",
    "राम", "सुन", "देव", "98", "9876", "ramesh k", "sunita d", "kheri", "pur", "sha",
)  # fmt: skip
POLL_MS = 1


def probe_searches(
    app: QApplication, window: MainWindow, count: int, screenshot: Path | None
) -> None:
    window.show_page(nav.PATIENTS)
    page = window.pages[nav.PATIENTS]
    if not hasattr(page, "run_search") or not hasattr(page, "shown_query"):
        print("probe-search: the patients page is not available", file=sys.stderr)
        app.exit(1)
        return
    timings: list[float] = []
    state = {"i": 0, "query": "", "start": 0.0}
    timer = QTimer(window)
    timer.setInterval(POLL_MS)

    def start_next() -> None:
        i = state["i"]
        if i >= count:
            timer.stop()
            finish()
            return
        query = QUERIES[i % len(QUERIES)]
        if i >= len(QUERIES):
            query = f"{query}{'a' * (i // len(QUERIES))}"[:12]  # keep later rounds distinct
        state.update(query=query, start=time.perf_counter())
        page.search_edit.setText(query)  # type: ignore[attr-defined]
        page.run_search()  # type: ignore[attr-defined]

    def poll() -> None:
        if page.shown_query() == state["query"]:  # type: ignore[attr-defined]
            timings.append((time.perf_counter() - float(state["start"])) * 1000)
            state["i"] = int(state["i"]) + 1
            start_next()

    def finish() -> None:
        ordered = sorted(timings)
        p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
        print(
            f"probe-search: {len(ordered)} searches, median {statistics.median(ordered):.1f} ms, "
            f"p95 {p95:.1f} ms, max {ordered[-1]:.1f} ms (query to results on screen)",
            flush=True,
        )
        if screenshot is not None:
            window.grab().save(str(screenshot), "PNG")
        app.exit(0)

    timer.timeout.connect(poll)
    timer.start()
    start_next()
