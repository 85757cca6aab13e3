"""Duplicate check at registration: is the person being registered already on the register?

Rural registers spell the same name many ways (Kumaar/Kumar, Suneeta/Sunita, Laxmi/Lakshmi),
ages are estimates ("about 45"), and people share common names. So a match needs a similar
name plus something that ties it to the same person (village or phone), a compatible sex and a
close age; a shared ABHA number is always a match. ``score`` orders the matches (0 to 1).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from difflib import SequenceMatcher

from app.domain.models import Patient, PatientDraft, Sex
from app.domain.patients import age_years, normalise_phone
from app.domain.text import fold

# Order matters: longer spellings first. Each pair folds a common spelling variant.
_LATIN_RULES: tuple[tuple[str, str], ...] = (
    ("ksh", "x"),
    ("ks", "x"),
    ("aa", "a"),
    ("ee", "i"),
    ("ii", "i"),
    ("oo", "u"),
    ("uu", "u"),
    ("ph", "f"),
    ("sh", "s"),
    ("kh", "k"),
    ("gh", "g"),
    ("th", "t"),
    ("dh", "d"),
    ("bh", "b"),
    ("ch", "c"),
    ("jh", "j"),
    ("w", "v"),
    ("z", "j"),
    ("q", "k"),
    ("y", "i"),
)
# Devanagari: nukta dropped, long vowels and their signs folded to short, chandrabindu to
# anusvara, so "सुनीता" and "सुनिता" meet.
_DEVANAGARI_MAP = str.maketrans(
    {
        "\u093c": None,  # nukta
        "\u0940": "\u093f",  # ी -> ि
        "\u0942": "\u0941",  # ू -> ु
        "\u0908": "\u0907",  # ई -> इ
        "\u090a": "\u0909",  # ऊ -> उ
        "\u0901": "\u0902",  # ँ -> ं
    }
)
_NOT_LETTER = re.compile(r"[^\w\s]|\d|_")
_REPEAT = re.compile(r"(.)\1+")
AGE_TOLERANCE = 3
AGE_TOLERANCE_ESTIMATED = 5


@dataclass(frozen=True, slots=True)
class PatientMatch:
    patient: Patient
    score: float
    reasons: tuple[str, ...]  # "abha", "phone", "name", "village", "age", "sex"


def _word_key(word: str) -> str:
    if word.isascii():
        for a, b in _LATIN_RULES:
            word = word.replace(a, b)
        word = _REPEAT.sub(r"\1", word)
        if len(word) > 3 and word.endswith("a"):
            word = word[:-1]
        return word
    return _REPEAT.sub(r"\1", word.translate(_DEVANAGARI_MAP))


def name_key(name: str) -> str:
    """A folded spelling key: "Ramesh Kumaar" and "ramesh kumar" give the same key."""
    words = _NOT_LETTER.sub(" ", fold(name)).split()
    return " ".join(_word_key(w) for w in words)


def name_similarity(a: str, b: str) -> float:
    ka, kb = name_key(a), name_key(b)
    if not ka or not kb:
        return 0.0
    if ka == kb:
        return 1.0
    whole = SequenceMatcher(None, ka, kb).ratio()
    # Word order varies ("Devi Sunita"); compare the sorted words too.
    ordered = SequenceMatcher(None, " ".join(sorted(ka.split())), " ".join(sorted(kb.split())))
    return max(whole, ordered.ratio())


def _best_name(draft: PatientDraft, p: Patient) -> float:
    ours = [n for n in (draft.name, draft.name_alt) if n.strip()]
    theirs = [n for n in (p.name, p.name_alt) if n.strip()]
    return max((name_similarity(a, b) for a in ours for b in theirs), default=0.0)


def _draft_age(draft: PatientDraft, today: date) -> tuple[int | None, bool]:
    if draft.birth_date is not None:
        return age_years(draft.birth_date, today), draft.age_years is not None
    return draft.age_years, True


def match(draft: PatientDraft, p: Patient, today: date) -> PatientMatch | None:
    reasons: list[str] = []
    abha = bool(draft.abha_number) and draft.abha_number.replace("-", "") == p.abha_number
    if abha:
        reasons.append("abha")
    phone = normalise_phone(draft.phone)
    same_phone = bool(phone) and phone == p.phone
    if same_phone:
        reasons.append("phone")
    name = _best_name(draft, p)
    if name >= 0.8:
        reasons.append("name")
    village = fold(draft.address.village)
    same_village = bool(village) and village == fold(p.address.village)
    if same_village:
        reasons.append("village")
    sex_known = Sex.UNKNOWN not in (draft.sex, p.sex)
    same_sex = not sex_known or draft.sex == p.sex
    if sex_known and same_sex:
        reasons.append("sex")

    age, estimated = _draft_age(draft, today)
    close_age = True
    if age is not None and p.birth_date is not None:
        tolerance = (
            AGE_TOLERANCE_ESTIMATED if estimated or p.birth_date_estimated else AGE_TOLERANCE
        )
        close_age = abs(age - age_years(p.birth_date, today)) <= tolerance
        if close_age:
            reasons.append("age")

    likely = abha or (
        same_sex
        and close_age
        and ((name >= 0.8 and (same_village or same_phone)) or (same_phone and name >= 0.6))
    )
    if not likely:
        return None
    score = 0.55 * name + 0.2 * same_phone + 0.15 * same_village + 0.1 * close_age
    score = 1.0 if abha else min(score, 0.99)
    return PatientMatch(p, round(score, 3), tuple(reasons))


def likely_duplicates(
    draft: PatientDraft,
    candidates: Iterable[Patient],
    today: date,
    threshold: float = 0.6,
) -> list[PatientMatch]:
    """Candidates that are probably the same person, best first."""
    found = [m for p in candidates if (m := match(draft, p, today)) and m.score >= threshold]
    found.sort(key=lambda m: (-m.score, m.patient.name))
    return found
