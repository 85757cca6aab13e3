"""The Sync page and the status bar's sync texts, against a real hub on loopback
(tests/sync/conftest.py) and real Services: not enrolled, Sync now, offline, refused changes
and Send again."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.domain.models import User
from app.services.container import Services
from app.services.seed import seed
from app.store import outbox
from app.sync import credentials
from app.sync.credentials import HubCredentials
from app.ui import navigation as nav
from app.ui.main_window import MainWindow
from app.ui.session import Session
from app.ui.sync_page import SyncPage
from tests.navigator import RecordingNavigator
from tests.sync.conftest import Hub, hub  # noqa: F401  (the fixture, used by name)

WAIT_MS = 20_000


@pytest.fixture
def seeded(services: Services) -> Services:
    seed(services, patients=3, cases=2, queued=True)
    return services


def enrol(services: Services, admin: User, hub: Hub) -> None:  # noqa: F811
    # The test hub speaks plain HTTP; enrolment by token (HTTPS only) has its own tests.
    credentials.save(services.store, HubCredentials(hub.url, hub.spoke_id, hub.secret))


def make_page(qtbot: QtBot, session: Session, navigator: RecordingNavigator) -> SyncPage:
    page = SyncPage(session, navigator)
    qtbot.addWidget(page)
    page.resize(1000, 700)
    page.show()
    qtbot.waitExposed(page)
    page.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is page)
    loaded(qtbot, page)
    return page


def loaded(qtbot: QtBot, page: SyncPage) -> None:
    qtbot.waitUntil(lambda: page.status is not None and not page.is_loading(), timeout=WAIT_MS)


def sync_now(qtbot: QtBot, page: SyncPage) -> None:
    qtbot.waitUntil(page.sync_button.isEnabled, timeout=WAIT_MS)
    rounds = page.rounds_started
    # The mnemonic: the button's animated click lands ~100 ms later.
    qtbot.keyClick(page, Qt.Key.Key_S, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: page.rounds_started == rounds + 1, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not page.is_syncing(), timeout=WAIT_MS)
    loaded(qtbot, page)


def poison(services: Services) -> str:
    return services.store.write(
        lambda db: outbox.enqueue(
            db, entity="case", entity_id="nope", op="bogus.kind", payload={}, priority=0
        )
    )


def test_not_enrolled_says_so_and_what_to_do(
    qtbot: QtBot, seeded: Services, session: Session
) -> None:
    page = make_page(qtbot, session, RecordingNavigator())
    assert page.connection_value.text() == "Not enrolled with a hub"
    assert page.enrol_help.isVisible()
    assert "field IT" in page.enrol_help.text()
    assert not page.sync_button.isEnabled()
    assert page.pending_value.text() == "5 record(s), 0 photo(s)"
    assert page.last_sync_value.text() == "Never"
    assert not page.table.isVisible()
    assert page.attention_help.text() == "Nothing needs attention."


def test_sync_now_sends_everything_then_offline_since_when_the_hub_is_gone(
    qtbot: QtBot,
    seeded: Services,
    session: Session,
    admin: User,
    hub: Hub,  # noqa: F811
) -> None:
    navigator = RecordingNavigator()
    page = make_page(qtbot, session, navigator)
    enrol(seeded, admin, hub)
    page.page_activated()
    loaded(qtbot, page)
    assert page.hub_value.text() == hub.url
    assert not page.clinic_value.isVisible()  # enrolled without a facility name: no row
    assert not page.enrol_help.isVisible()

    sync_now(qtbot, page)
    assert page.status is not None and page.status.pending_total == 0
    assert page.pending_value.text() == "0 record(s), 0 photo(s)"
    assert page.connection_value.text().startswith("Online — last sync ")
    assert page.last_sync_value.text() not in ("Never", "…")
    assert "hub time" in page.last_sync_value.text()
    assert navigator.messages[-1] == "Sync finished."
    assert not page.problem_label.isVisible()

    hub.server.stop()
    sync_now(qtbot, page)
    assert page.connection_value.text().startswith("Offline since ")
    assert page.problem_label.isVisible()
    assert "could not be reached" in page.problem_label.text()
    assert page.last_sync_value.text() not in ("Never", "…")  # the last success stays


def test_a_refused_change_is_listed_with_its_reason_and_sent_again(
    qtbot: QtBot,
    seeded: Services,
    session: Session,
    admin: User,
    hub: Hub,  # noqa: F811
) -> None:
    enrol(seeded, admin, hub)
    op_id = poison(seeded)
    navigator = RecordingNavigator()
    page = make_page(qtbot, session, navigator)
    sync_now(qtbot, page)
    qtbot.waitUntil(lambda: page.table.rowCount() == 1, timeout=WAIT_MS)
    assert page.table.isVisible()
    assert [i.op_id for i in page.items] == [op_id]
    assert page.table.item(0, 0).text() == "bogus.kind"  # unknown kinds show as they are
    reason = page.table.item(0, 2).text()
    assert page.items[0].reason_code in reason and page.items[0].reason in reason
    assert page.retry_button.isVisible() and not page.retry_button.isEnabled()

    # Keyboard only: into the table, choose the row, Enter sends it again.
    page.table.setFocus()
    page.table.selectRow(0)
    assert page.retry_button.isEnabled()
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.table.rowCount() == 0 and not page.is_loading(), timeout=WAIT_MS)
    assert "back in the queue" in navigator.messages[-1]
    assert page.status is not None and page.status.pending_records == 1
    assert seeded.store.read(lambda db: outbox.get(db, op_id)).state == "pending"  # type: ignore[union-attr]


def test_administrators_see_the_list_but_cannot_send_again(
    qtbot: QtBot,
    seeded: Services,
    admin: User,
    hub: Hub,  # noqa: F811
) -> None:
    enrol(seeded, admin, hub)
    poison(seeded)
    seeded.sync.run_once()
    page = make_page(qtbot, Session(admin, seeded), RecordingNavigator())
    qtbot.waitUntil(lambda: page.table.rowCount() == 1, timeout=WAIT_MS)
    assert not page.retry_button.isVisible()
    assert "Clinical staff" in page.attention_help.text()


def test_a_round_run_elsewhere_refreshes_the_page(
    qtbot: QtBot,
    seeded: Services,
    session: Session,
    admin: User,
    hub: Hub,  # noqa: F811
) -> None:
    enrol(seeded, admin, hub)
    page = make_page(qtbot, session, RecordingNavigator())
    assert page.status is not None and page.status.pending_total == 5
    assert seeded.sync.start_worker(first_delay_s=0.0)
    try:
        qtbot.waitUntil(
            lambda: page.status is not None and page.status.pending_total == 0, timeout=WAIT_MS
        )
    finally:
        assert seeded.sync.stop_worker()
    assert page.connection_value.text().startswith("Online")


def test_status_bar_tells_the_truth(
    qtbot: QtBot,
    seeded: Services,
    session: Session,
    admin: User,
    hub: Hub,  # noqa: F811
) -> None:
    window = MainWindow(session)
    qtbot.addWidget(window)
    window.resize(1200, 800)
    window.show()
    assert type(window.pages[nav.SYNC]).__name__ == "SyncPage"
    qtbot.waitUntil(lambda: window.sync_status is not None, timeout=WAIT_MS)
    assert window.sync_state_label.text() == "Not enrolled with a hub"
    assert window.pending_label.text() == "Waiting to sync: 5 record(s), 0 photo(s)"

    enrol(seeded, admin, hub)
    seeded.sync.run_once()  # a round anywhere refreshes the status bar (SyncEvents)
    qtbot.waitUntil(
        lambda: window.sync_state_label.text().startswith("Online — last sync "),
        timeout=WAIT_MS,
    )
    assert window.pending_label.text() == "Waiting to sync: 0 record(s), 0 photo(s)"

    hub.server.stop()
    seeded.sync.run_once()
    qtbot.waitUntil(
        lambda: window.sync_state_label.text().startswith("Offline since "), timeout=WAIT_MS
    )


def test_screenshots(
    qtbot: QtBot,
    seeded: Services,
    session: Session,
    admin: User,
    hub: Hub,  # noqa: F811
    tmp_path: Path,
) -> None:
    """Not a check of looks: the page renders whole with a refused change listed."""
    enrol(seeded, admin, hub)
    poison(seeded)
    seeded.sync.run_once()
    hub.server.stop()
    seeded.sync.run_once()
    page = make_page(qtbot, session, RecordingNavigator())
    qtbot.waitUntil(lambda: page.table.rowCount() == 1, timeout=WAIT_MS)
    assert page.grab().save(str(tmp_path / "sync_page.png"))
