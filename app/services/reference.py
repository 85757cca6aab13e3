"""Reference lists the forms offer: states and districts (LGD codes, shipped CSV) and the hub
specialties.

Not patient data and needed before anyone signs in, so these methods take no acting user.

Threading: the CSV is read once under ``functools.cache`` (thread-safe) and never changed;
every method returns a fresh list, safe from any thread.
"""

from __future__ import annotations

import csv
import functools
import io
from importlib import resources

from app.domain.specialties import SPECIALTIES, Specialty

_CSV = "lgd_states_districts.csv"


@functools.cache
def _districts_by_state() -> dict[str, tuple[str, ...]]:
    text = resources.files("app").joinpath("data", _CSV).read_text(encoding="utf-8")
    table: dict[str, set[str]] = {}
    for row in csv.DictReader(io.StringIO(text)):
        state = row["state_name"].strip()
        district = row["district_name"].strip()
        if state and district:
            table.setdefault(state, set()).add(district)
    return {s: tuple(sorted(d, key=str.casefold)) for s, d in table.items()}


class ReferenceService:
    def states(self) -> list[str]:
        return sorted(_districts_by_state(), key=str.casefold)

    def districts(self, state: str) -> list[str]:
        """Districts of ``state`` (matched case-insensitively); [] for an unknown state."""
        table = _districts_by_state()
        if state in table:
            return list(table[state])
        wanted = state.strip().casefold()
        for name, districts in table.items():
            if name.casefold() == wanted:
                return list(districts)
        return []

    def specialties(self) -> list[Specialty]:
        return list(SPECIALTIES)
