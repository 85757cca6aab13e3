"""A spoke's health report (``POST /v1/status``, docs/SYNC.md "Health report") as the hub
keeps it: the known fields, each checked on its own.

The report is advice for field IT, never a reason to refuse a round, so a bad field costs only
itself: a value of the wrong type is dropped, a number out of range is clamped to the range,
text is cut to its length, and a field this hub does not know is dropped (a newer spoke may
send more). Each is named in ``problems`` for the hub's log and in the answer's ``ignored``.
A body that is not a JSON object, or over ``MAX_BODY_BYTES``, is refused whole by the API.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

MAX_BODY_BYTES: Final = 4 * 1024  # a real report is about 250 bytes
MAX_TEXT: Final = 64
_MAX_PROBLEMS: Final = 10  # named in the log and the answer; a flood of junk keys is cut
_MAX_NAME: Final = 40  # of a field name quoted back

_YEAR_S: Final = 366 * 24 * 3600
_INTS: Final[dict[str, tuple[int, int]]] = {
    "pending_ops": (0, 10**9),
    "oldest_pending_s": (0, 20 * _YEAR_S),
    "pending_blob_bytes": (0, 2**53),
    "needs_attention": (0, 10**9),
    "free_disk_bytes": (0, 2**53),
}
_NUMBERS: Final[dict[str, tuple[float, float]]] = {
    # Spoke clock minus hub clock: a PC reset to 1970 is about -57 years.
    "clock_offset_s": (-100.0 * _YEAR_S, 100.0 * _YEAR_S),
}
_TEXTS: Final = ("app_version", "os")
FIELDS: Final = frozenset({*_INTS, *_NUMBERS, *_TEXTS})


@dataclass(slots=True)
class CheckedReport:
    """The fields to store, and what was wrong with the rest ("field: why")."""

    fields: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # the field names, for the answer

    def note(self, name: str, why: str) -> None:
        if len(self.ignored) < _MAX_PROBLEMS:
            shown = name[:_MAX_NAME]
            self.ignored.append(shown)
            self.problems.append(f"{shown!r} {why}")
        elif len(self.ignored) == _MAX_PROBLEMS:
            self.ignored.append("...")
            self.problems.append("more fields dropped")


def check(body: Mapping[str, Any]) -> CheckedReport:
    """``body`` (a JSON object) reduced to the fields this hub keeps; see the module
    docstring."""
    out = CheckedReport()
    for raw_name, value in body.items():
        name = str(raw_name)
        if name in _INTS:
            low, high = _INTS[name]
            if not _is_int(value):
                out.note(name, "not an integer; dropped")
                continue
            out.fields[name] = _clamp(out, name, value, low, high)
        elif name in _NUMBERS:
            low_f, high_f = _NUMBERS[name]
            if not _is_number(value):
                out.note(name, "not a number; dropped")
                continue
            # Clamped before float(): a 400-digit JSON integer does not fit a float.
            out.fields[name] = round(float(_clamp(out, name, value, low_f, high_f)), 1) + 0.0
        elif name in _TEXTS:
            if not isinstance(value, str) or not value.isprintable():
                out.note(name, "not printable text; dropped")
                continue
            if len(value) > MAX_TEXT:
                out.note(name, f"longer than {MAX_TEXT} characters; cut")
                value = value[:MAX_TEXT]
            out.fields[name] = value.strip()
        else:
            out.note(name, "unknown field; dropped")
    return out


def _clamp(out: CheckedReport, name: str, value: Any, low: Any, high: Any) -> Any:
    if value < low or value > high:
        out.note(name, f"out of range [{low}, {high}]; clamped")
        return min(max(value, low), high)
    return value


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return not isinstance(value, float) or math.isfinite(value)
