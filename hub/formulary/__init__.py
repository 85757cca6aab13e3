"""The formulary the hub prescribes from: ``formulary.csv`` shipped with the hub.

A DRAFT that clinicians must verify row by row before clinical use (README.md here). Every row
names its ``source`` (the published list it was read from, or that it is a starter row written
from the guideline's examples) and a ``confidence``.

Format: UTF-8 CSV. Lines starting with ``#`` are comments and blank lines are skipped; the
first other line is the header (``COLUMNS``, in that order); every row is one physical line
(no line breaks inside quoted fields, so that a reported line number is the line an editor
shows). Each row is validated:

- ``generic_name`` is already normalised (CAPITALS, single spaces, combinations joined by
  " + "), so that the file reads as it prints;
- ``dosage_form`` and ``source`` are required (every row says where it came from);
- ``route`` is one of ``ROUTES``; ``telemedicine_list`` is O, A, B or PROHIBITED;
- ``confidence`` is one of ``CONFIDENCE`` (high, medium, low);
- ``level_of_care`` is empty or the NLEM levels in order, e.g. ``P``, ``S,T``, ``P,S,T``;
- no two rows share generic name, strength and dosage form;
- all rows of one generic name share one telemedicine list, because the prescription rules
  look a medicine up by its generic name alone.

``load_formulary`` reports every bad row at once (``FormularyError.problems``: line number and
reason). A ``Formulary`` is immutable and safe to share between threads.
"""

from __future__ import annotations

import csv
import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from types import MappingProxyType

from app.domain.prescriptions import DrugList, normalise_generic_name

COLUMNS = (
    "generic_name",
    "strength",
    "dosage_form",
    "route",
    "telemedicine_list",
    "nlem_section",
    "level_of_care",
    "source",
    "confidence",
    "notes",
)
ROUTES = frozenset(
    {
        "oral",
        "sublingual",
        "topical",
        "ophthalmic",
        "otic",
        "nasal",
        "inhalation",
        "vaginal",
        "rectal",
        "subcutaneous",
        "parenteral",
        "device",  # e.g. condoms: not taken by any route
    }
)
LEVELS = ("P", "S", "T")  # NLEM levels of care: primary, secondary, tertiary
CONFIDENCE = ("high", "medium", "low")  # how far the row has been checked against its source
FILE_NAME = "formulary.csv"


class FormularyError(ValueError):
    """The formulary file is not valid; ``problems`` holds (line number, reason) pairs."""

    def __init__(self, source: str, problems: list[tuple[int, str]]) -> None:
        self.source = source
        self.problems = problems
        super().__init__("; ".join(f"{source} line {line}: {reason}" for line, reason in problems))


@dataclass(frozen=True, slots=True)
class FormularyEntry:
    generic_name: str
    strength: str
    dosage_form: str
    route: str
    drug_list: DrugList
    nlem_section: str
    level_of_care: tuple[str, ...]  # () when not yet read from the NLEM
    source: str  # the published list the row was read from, or "starter row ..."
    confidence: str  # one of CONFIDENCE
    notes: str  # the reason for the list, and what to verify; may be empty
    line: int  # where the row is in the file, for people correcting it


@dataclass(frozen=True, slots=True)
class Formulary:
    entries: tuple[FormularyEntry, ...]
    _by_name: Mapping[str, tuple[FormularyEntry, ...]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        by_name: dict[str, list[FormularyEntry]] = {}
        for e in self.entries:
            by_name.setdefault(e.generic_name, []).append(e)
        frozen = MappingProxyType({k: tuple(v) for k, v in by_name.items()})
        object.__setattr__(self, "_by_name", frozen)

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[FormularyEntry]:
        return iter(self.entries)

    def lookup(self, generic_name: str) -> tuple[FormularyEntry, ...]:
        """Every strength and form of ``generic_name`` (any case or spacing); () if absent."""
        return self._by_name.get(normalise_generic_name(generic_name), ())

    def drug_list(self, generic_name: str) -> DrugList | None:
        rows = self.lookup(generic_name)
        return rows[0].drug_list if rows else None

    def drug_lists(self) -> Mapping[str, DrugList]:
        """Generic name -> telemedicine list: what ``prescriptions.check`` takes."""
        return MappingProxyType({k: v[0].drug_list for k, v in self._by_name.items()})

    def names(self) -> list[str]:
        return sorted(self._by_name)

    def primary_care(self) -> Formulary:
        """The rows whose NLEM level of care includes P (primary care): the default list for a
        Health & Wellness Centre's picker. Rows whose level is not yet known are left out. The
        prescription rules take the whole formulary's ``drug_lists()``, never this view: a
        medicine missing from it would be treated as unlisted, and a prohibited one refused
        only by name matching."""
        return Formulary(tuple(e for e in self.entries if "P" in e.level_of_care))


def _levels(raw: str) -> tuple[str, ...] | None:
    if not raw:
        return ()
    parts = tuple(p.strip() for p in raw.split(","))
    if not set(parts) <= set(LEVELS) or list(parts) != [lv for lv in LEVELS if lv in parts]:
        return None
    return parts


def _row(values: list[str], line: int) -> tuple[FormularyEntry | None, list[str]]:
    if len(values) != len(COLUMNS):
        return None, [f"{len(values)} columns, expected {len(COLUMNS)}"]
    raw = dict(zip(COLUMNS, (v.strip() for v in values), strict=True))
    problems: list[str] = []
    name = raw["generic_name"]
    if not name:
        problems.append("generic_name is empty")
    elif normalise_generic_name(name) != name:
        problems.append(f"generic_name {name!r} should be {normalise_generic_name(name)!r}")
    for required in ("dosage_form", "source"):
        if not raw[required]:
            problems.append(f"{required} is empty")
    if raw["confidence"] not in CONFIDENCE:
        problems.append(f"confidence {raw['confidence']!r} is not one of {', '.join(CONFIDENCE)}")
    if raw["route"] not in ROUTES:
        problems.append(f"route {raw['route']!r} is not one of {', '.join(sorted(ROUTES))}")
    try:
        drug_list = DrugList(raw["telemedicine_list"])
    except ValueError:
        problems.append(
            f"telemedicine_list {raw['telemedicine_list']!r} is not O, A, B or PROHIBITED"
        )
        drug_list = DrugList.PROHIBITED
    levels = _levels(raw["level_of_care"])
    if levels is None:
        problems.append(f"level_of_care {raw['level_of_care']!r} is not like P or P,S,T")
    if problems or levels is None:
        return None, problems
    entry = FormularyEntry(
        generic_name=name,
        strength=raw["strength"],
        dosage_form=raw["dosage_form"],
        route=raw["route"],
        drug_list=drug_list,
        nlem_section=raw["nlem_section"],
        level_of_care=levels,
        source=raw["source"],
        confidence=raw["confidence"],
        notes=raw["notes"],
        line=line,
    )
    return entry, []


def parse_formulary(text: str, source: str = FILE_NAME) -> Formulary:
    """A validated ``Formulary`` from CSV text, or ``FormularyError`` naming every bad line."""
    problems: list[tuple[int, str]] = []
    entries: list[FormularyEntry] = []
    header_seen = False
    first_of: dict[tuple[str, str, str], int] = {}
    list_of: dict[str, FormularyEntry] = {}
    for line, physical in enumerate(text.splitlines(), start=1):
        if not physical.strip() or physical.startswith("#"):
            continue
        values = next(csv.reader([physical]))
        if not header_seen:
            header_seen = True
            if tuple(v.strip() for v in values) != COLUMNS:
                problems.append((line, f"header must be {','.join(COLUMNS)}"))
                break
            continue
        entry, row_problems = _row(values, line)
        problems += [(line, p) for p in row_problems]
        if entry is None:
            continue
        key = (entry.generic_name, entry.strength.casefold(), entry.dosage_form.casefold())
        if key in first_of:
            problems.append((line, f"duplicate of line {first_of[key]}"))
            continue
        first_of[key] = line
        earlier = list_of.setdefault(entry.generic_name, entry)
        if earlier.drug_list is not entry.drug_list:
            problems.append(
                (
                    line,
                    f"{entry.generic_name} is list {entry.drug_list.value} here but "
                    f"{earlier.drug_list.value} on line {earlier.line}",
                )
            )
            continue
        entries.append(entry)
    if not header_seen:
        problems.append((1, "no header row"))
    if problems:
        raise FormularyError(source, problems)
    return Formulary(tuple(entries))


def load_formulary(path: Path | None = None) -> Formulary:
    """The shipped formulary (package data), or the CSV at ``path`` (a clinic's own list)."""
    if path is not None:
        return parse_formulary(path.read_text(encoding="utf-8-sig"), str(path.name))
    return _shipped()


@functools.cache
def _shipped() -> Formulary:
    text = resources.files(__name__).joinpath(FILE_NAME).read_text(encoding="utf-8-sig")
    return parse_formulary(text)
