"""A stand-in for ``app.ui.navigation.Navigator`` that records where the pages sent the user,
for the tests of the pages."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.domain.ids import CaseId, PatientId


@dataclass
class RecordingNavigator:
    """Implements ``app.ui.navigation.Navigator`` and remembers every call."""

    calls: list[tuple[str, str]] = field(default_factory=list)

    def open_patient(self, pid: PatientId) -> None:
        self.calls.append(("open_patient", str(pid)))

    def open_case(self, cid: CaseId) -> None:
        self.calls.append(("open_case", str(cid)))

    def show_page(self, key: str) -> None:
        self.calls.append(("show_page", key))

    def register_patient(self) -> None:
        self.calls.append(("register_patient", ""))

    def status_message(self, text: str) -> None:
        self.calls.append(("status_message", text))

    @property
    def messages(self) -> list[str]:
        """The status messages, oldest first."""
        return [arg for name, arg in self.calls if name == "status_message"]

    def last(self, kind: str) -> str | None:
        found = [arg for name, arg in self.calls if name == kind]
        return found[-1] if found else None
