"""The vitals table of a case page: this visit's readings with their flags, and the same vital
at the patient's earlier visits as a trend.

Values are judged by ``app.domain.vitals.assess`` (the standards reference's ranges, adults
only: a child's reading is shown but not flagged) and drawn as a small inline SVG line, one
point per visit, oldest on the left. A reading the domain refuses as impossible is shown as
it came, marked, never dropped: the clinic saw it too.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from markupsafe import Markup

from app.domain import vitals
from app.domain.errors import DomainError

FLAG_LABELS: Final = {
    vitals.Flag.NORMAL: "",
    vitals.Flag.ABNORMAL: "Abnormal",
    vitals.Flag.URGENT: "Urgent",
    vitals.Flag.NOT_ASSESSED: "",
}
_REASONS: Final = {"low": "low", "very_low": "very low", "high": "high", "very_high": "very high"}
_SPARK_W: Final = 120
_SPARK_H: Final = 28

Doc = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Reading:
    when: datetime | None
    text: str  # "142 mmHg"
    flag: str  # "normal", "abnormal", "urgent", "not_assessed", "impossible"
    flag_text: str  # "Abnormal (high)", "" for an unflagged reading
    canonical: float | None  # for the trend line


@dataclass(frozen=True, slots=True)
class VitalRow:
    code: str
    name: str
    now: tuple[Reading, ...]  # this visit, oldest first
    before: tuple[Reading, ...]  # the latest reading of each earlier visit, oldest first
    sparkline: Markup  # "" with fewer than two points


def _when(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def reading(doc: Doc, age_years: int | None) -> Reading | None:
    code, unit, value = doc.get("code"), doc.get("unit"), doc.get("value")
    if not isinstance(code, str) or code not in vitals.VITALS or not isinstance(unit, str):
        return None
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return None
    when = _when(doc.get("taken_at"))
    symbol = vitals.UNIT_SYMBOLS.get(unit, unit)
    try:
        text = f"{vitals.format_value(code, float(value), unit)} {symbol}"
        assessed = vitals.assess(code, float(value), unit, age_years)
    except DomainError as exc:
        return Reading(when, f"{value:g} {symbol}", "impossible", exc.message, None)
    label = FLAG_LABELS[assessed.flag]
    if label and assessed.reason:
        label = f"{label} ({_REASONS.get(assessed.reason, assessed.reason)})"
    return Reading(when, text, assessed.flag.value, label, assessed.canonical_value)


def _final(docs: Iterable[Doc]) -> list[Doc]:
    return [
        d for d in docs if not d.get("entered_in_error") and d.get("status") != "entered-in-error"
    ]


def vital_rows(
    observations: Sequence[Doc],
    earlier_visits: Sequence[Sequence[Doc]],
    age_years: int | None,
) -> list[VitalRow]:
    """One row per vital measured at this visit, in the order of ``vitals.VITALS``;
    ``earlier_visits`` newest first, as the store gives them."""
    now: dict[str, list[Reading]] = {}
    for doc in _final(observations):
        r = reading(doc, age_years)
        if r is not None:
            now.setdefault(str(doc["code"]), []).append(r)
    before: dict[str, list[Reading]] = {}
    for visit in reversed(earlier_visits):  # oldest first
        latest: dict[str, Reading] = {}
        for doc in _final(visit):
            r = reading(doc, age_years)
            if r is not None:
                latest[str(doc["code"])] = r  # the visit's last reading of each vital
        for code, r in latest.items():
            before.setdefault(code, []).append(r)
    rows = []
    for code, sign in vitals.VITALS.items():
        if code not in now:
            continue
        points = [r.canonical for r in (*before.get(code, ()), now[code][-1])]
        rows.append(
            VitalRow(
                code,
                sign.name,
                tuple(now[code]),
                tuple(before.get(code, ())),
                sparkline(points, f"{sign.name}, visit by visit"),
            )
        )
    return rows


def sparkline(points: Sequence[float | None], label: str) -> Markup:
    """An inline SVG line through ``points`` (None: a reading that could not be drawn)."""
    values = [p for p in points if p is not None and math.isfinite(p)]
    if len(values) < 2:
        return Markup("")
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    step = _SPARK_W / (len(values) - 1)
    coords = " ".join(
        f"{i * step:.1f},{_SPARK_H - 2 - (v - low) / span * (_SPARK_H - 4):.1f}"
        for i, v in enumerate(values)
    )
    return Markup(
        '<svg class="spark" role="img" aria-label="{label}" width="{w}" height="{h}" '
        'viewBox="0 0 {w} {h}"><polyline fill="none" stroke="#0b4fa0" stroke-width="2" '
        'points="{coords}"/></svg>'
    ).format(label=label, w=_SPARK_W, h=_SPARK_H, coords=coords)
