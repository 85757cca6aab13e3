"""How pages ask the main window to go somewhere: the ``Navigator`` protocol.

Pages receive a navigator in their constructor instead of a reference to the main window, so
a page can be tested with a small stand-in and never reaches into the window's widgets.
GUI thread only.
"""

from __future__ import annotations

from typing import Final, Protocol

from app.domain.ids import CaseId, PatientId

# Keys of the pages in the navigation list, in their order (Alt+1 .. Alt+6).
PATIENTS: Final = "patients"
CASES: Final = "cases"
PRESCRIPTIONS: Final = "prescriptions"
DEVICES: Final = "devices"
SYNC: Final = "sync"
SETTINGS: Final = "settings"
PAGE_KEYS: Final = (PATIENTS, CASES, PRESCRIPTIONS, DEVICES, SYNC, SETTINGS)


class Navigator(Protocol):
    def open_patient(self, pid: PatientId) -> None:
        """Show the patient's page (details, visits, trends)."""

    def open_case(self, cid: CaseId) -> None:
        """Show the case form for this case (a draft to edit, or a sent case to read)."""

    def show_page(self, key: str) -> None:
        """Switch to one of the navigation pages (``PAGE_KEYS``)."""

    def register_patient(self) -> None:
        """Open the registration dialog."""

    def status_message(self, text: str) -> None:
        """Show a short, already translated note in the status bar."""
