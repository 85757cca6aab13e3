"""Duplicate check at registration: is the person being registered already on the register?

Rural registers spell the same name many ways (Kumaar/Kumar, Suneeta/Sunita, Laxmi/Lakshmi),
ages are estimates ("about 45"), families share one phone, and many people share a name. So a
match needs a similar name plus something that ties it to the same person (same village or
same phone), a compatible sex and an age within ``AGE_TOLERANCE`` years; a shared ABHA number
is always a match. ``score`` (0 to 1) orders the matches; ``reasons`` say what agreed.

Names are compared through ``name_key`` (a phonetic-ish spelling key) word by word, with an
edit distance per word, so "Ramesh Kumaar" meets "Ramesh Kumar" while "Sunita Devi" does not
meet "Anita Devi" on the name alone. Latin is compared with Latin and Devanagari with
Devanagari (the draft's ``name``/``name_alt`` against the candidate's).

Contract: pure and thread-safe (the caches are ``functools.lru_cache``). Runs on a worker
thread after each keystroke pause over up to ~200 candidates, so the per-candidate work is a
handful of short edit distances over cached keys.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from app.domain.abha import normalise_abha_number
from app.domain.errors import DomainError
from app.domain.models import Patient, PatientDraft, Sex
from app.domain.patients import age_years, normalise_phone
from app.domain.text import ascii_digits, fold, has_devanagari

AGE_TOLERANCE = 3  # years; both ages are often estimates ("about 45")
NAME_LIKELY = 0.8  # name similarity that, with village or phone, makes a match
NAME_WITH_PHONE = 0.7  # a shared phone needs less of the name (a spelling the register lacks)
NAME_SEX_MISKEYED = 0.9  # same phone, near-identical name, other sex: the sex was mis-keyed

# Applied in order to each Latin word. Aspirates lose their "h" afterwards (see _AFTER_CONSONANT).
_LATIN_RULES: tuple[tuple[str, str], ...] = (
    ("ksh", "x"),  # Lakshmi -> Laxmi
    ("ks", "x"),
    ("ph", "f"),
    ("ee", "i"),  # Suneeta -> Sunita
    ("oo", "u"),  # Pooja -> Puja
    ("w", "v"),
    ("z", "j"),
    ("q", "k"),
    ("y", "i"),  # Priya / Pria
)
_AFTER_CONSONANT = re.compile(r"(?<=[bcdfgjklmnprstvx])h")  # Sunitha, Ramesh, Bharat, Singh
_REPEAT = re.compile(r"(.)\1+")  # Kumaar, Mohammad, Lalitta
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


@dataclass(frozen=True, slots=True)
class PatientMatch:
    patient: Patient
    score: float
    reasons: tuple[str, ...]  # "abha", "phone", "name", "village", "age", "sex"


def _letters_only(s: str) -> str:
    # Letters and combining marks (Devanagari vowel signs and virama are marks, not letters).
    return "".join(ch if unicodedata.category(ch)[0] in "LM" else " " for ch in s)


def _word_key(word: str) -> str:
    if word.isascii():
        for a, b in _LATIN_RULES:
            word = word.replace(a, b)
        word = _REPEAT.sub(r"\1", _AFTER_CONSONANT.sub("", word))
        if len(word) > 3 and word.endswith("a"):
            word = word[:-1]  # Sunita / Sunit, Rama / Ram: the final schwa is written or not
        return word
    # NFD first: NFC has already merged some nukta letters into one code point (U+0929).
    return _REPEAT.sub(r"\1", unicodedata.normalize("NFD", word).translate(_DEVANAGARI_MAP))


# Words so common in names that sharing them says little (a shared one is weighted half):
# Sunita Devi and Anita Devi are two people.
_COMMON_WORDS = frozenset(
    _word_key(w)
    for w in (
        "devi", "kumar", "kumari", "bai", "ben", "singh", "lal", "prasad", "chand", "das",
        "begum", "bibi", "khatun", "mohd", "md",
        "देवी", "कुमार", "कुमारी", "बाई", "बेन", "सिंह", "लाल", "प्रसाद", "चंद", "दास", "बेगम",
    )
)  # fmt: skip


@lru_cache(maxsize=8192)
def name_key(name: str) -> str:
    """A folded spelling key: "Ramesh Kumaar" and "ramesh kumar" give the same key."""
    return " ".join(_word_key(w) for w in _letters_only(fold(name)).split())


def _edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (short strings; plain dynamic programming over two rows)."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


@lru_cache(maxsize=32768)
def _word_similarity(a: str, b: str) -> float:
    if a == b:
        return 1.0
    if min(len(a), len(b)) == 1:
        return 0.8 if a[0] == b[0] else 0.0  # an initial: "Ramesh K." / "Ramesh Kumar"
    longest = max(len(a), len(b))
    if not a or not b or abs(len(a) - len(b)) * 2 > longest:
        return 0.0
    similarity = 1.0 - _edit_distance(a, b) / longest
    if a[0] != b[0]:
        similarity *= 0.7  # Mohan/Sohan, Anita/Sunita: a different first sound is another name
    return similarity


def _key_similarity(ka: str, kb: str) -> float:
    if not ka or not kb:
        return 0.0
    if ka == kb:
        return 1.0
    wa, wb = ka.split(), kb.split()
    if len(wa) > len(wb):
        wa, wb = wb, wa
    # Pair words one to one, best pairs first (word order varies: "Devi Sunita").
    pairs = sorted(
        ((_word_similarity(x, y), i, j) for i, x in enumerate(wa) for j, y in enumerate(wb)),
        reverse=True,
    )
    used_a: set[int] = set()
    used_b: set[int] = set()
    weighted = total = 0.0
    for sim, i, j in pairs:
        if i not in used_a and j not in used_b:
            used_a.add(i)
            used_b.add(j)
            # Longer words say more. Sharing "Devi" or "Kumar" says little, but differing
            # in them ("Kumar" / "Singh") still counts in full.
            weight = float(len(wa[i]) + len(wb[j]))
            if sim == 1.0 and wa[i] in _COMMON_WORDS:
                weight /= 2
            weighted += sim * weight
            total += weight
    words = weighted / total
    if len(wa) != len(wb):
        words *= 0.85  # "Sunita" vs "Sunita Devi": likely, not certain
        if all(w in _COMMON_WORDS for w in wa):
            words *= 0.6  # only "Devi" typed so far
    # Written together or apart: "Ramkumar" / "Ram Kumar".
    joined = _word_similarity("".join(wa), "".join(wb)) if len(wa) + len(wb) > 2 else 0.0
    return max(words, joined)


def name_similarity(a: str, b: str) -> float:
    """0 to 1: how alike two names are once spelling variants are folded (same script only)."""
    if has_devanagari(a) != has_devanagari(b):
        return 0.0
    return _key_similarity(name_key(a), name_key(b))


@dataclass(frozen=True, slots=True)
class _Probe:
    """The draft's side, computed once per check rather than once per candidate."""

    names: tuple[tuple[bool, str], ...]  # (is Devanagari, key)
    abha: str
    phone: str
    village: str
    sex: Sex
    age: int | None


def _loose_abha(s: str) -> str:
    try:
        return normalise_abha_number(s)
    except DomainError:
        return ""


def _probe(draft: PatientDraft, today: date) -> _Probe:
    names = tuple(
        (has_devanagari(n), key) for n in (draft.name, draft.name_alt) if (key := name_key(n))
    )
    phone = normalise_phone(draft.phone)
    if draft.birth_date is not None:
        age: int | None = age_years(draft.birth_date, today)
    else:
        age = draft.age_years
    return _Probe(
        names=names,
        abha=_loose_abha(draft.abha_number),
        phone=phone if len(phone) == 10 and phone.isdigit() else "",
        village=name_key(draft.address.village),
        sex=draft.sex,
        age=age,
    )


def _name_score(probe: _Probe, p: Patient) -> float:
    best = 0.0
    for theirs in (p.name, p.name_alt):
        key = name_key(theirs)
        if not key:
            continue
        devanagari = has_devanagari(theirs)
        for our_script, ours in probe.names:
            if our_script == devanagari:
                best = max(best, _key_similarity(ours, key))
    return best


def _match(probe: _Probe, p: Patient, today: date) -> PatientMatch | None:
    reasons: list[str] = []
    same_abha = bool(probe.abha) and probe.abha == p.abha_number
    if same_abha:
        reasons.append("abha")
    same_phone = bool(probe.phone) and probe.phone == ascii_digits(p.phone)
    if same_phone:
        reasons.append("phone")
    name = _name_score(probe, p)
    if name >= NAME_LIKELY or (same_phone and name >= NAME_WITH_PHONE):
        reasons.append("name")
    same_village = bool(probe.village) and probe.village == name_key(p.address.village)
    if same_village:
        reasons.append("village")
    sex_known = Sex.UNKNOWN not in (probe.sex, p.sex)
    same_sex = not sex_known or probe.sex == p.sex
    if sex_known and same_sex:
        reasons.append("sex")
    age_known = probe.age is not None and p.birth_date is not None
    close_age = True
    if probe.age is not None and p.birth_date is not None:
        close_age = abs(probe.age - age_years(p.birth_date, today)) <= AGE_TOLERANCE
        if close_age:
            reasons.append("age")

    if same_abha:
        return PatientMatch(p, 1.0, tuple(reasons))
    likely = close_age and (
        (same_sex and name >= NAME_LIKELY and (same_village or same_phone))
        or (same_sex and same_phone and name >= NAME_WITH_PHONE)
        or (same_phone and name >= NAME_SEX_MISKEYED)
    )
    if not likely:
        return None
    score = 0.55 * name + 0.2 * same_phone + 0.15 * same_village
    score += 0.1 if age_known else 0.05
    if not same_sex:
        score -= 0.1
    return PatientMatch(p, round(min(score, 0.99), 3), tuple(reasons))


def match(draft: PatientDraft, p: Patient, today: date) -> PatientMatch | None:
    """``p`` as a likely duplicate of ``draft``, or None."""
    return _match(_probe(draft, today), p, today)


def likely_duplicates(
    draft: PatientDraft,
    candidates: Iterable[Patient],
    today: date,
    threshold: float = 0.6,
) -> list[PatientMatch]:
    """Candidates that are probably the same person, best first."""
    probe = _probe(draft, today)
    found = [m for p in candidates if (m := _match(probe, p, today)) and m.score >= threshold]
    found.sort(key=lambda m: (-m.score, m.patient.name, m.patient.id))
    return found
