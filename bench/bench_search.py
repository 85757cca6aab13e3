"""Patient search as you type, through ``PatientService.search``, on the seeded database.

The queries are what a person types into the search box at the desk: 2-6 letter Latin
prefixes of common given names, surnames and villages (sometimes two words, "ramesh k"),
Devanagari prefixes of the same, 4-8 digit mobile prefixes and ABHA number prefixes (some
with hyphens, as printed on the card). Each is timed from the call to the returned list,
after a warm-up (the OS file cache holds the database, as it does on a PC in use).

    .venv/bin/python bench/bench_search.py [--patients 1000000] [--queries 2000]
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections import defaultdict
from typing import Any

import common  # noqa: F401  (puts the project root on sys.path)
from common import DEMO_USER, seeded_db, summary_ms


def typed_queries(count: int, rng: random.Random) -> list[tuple[str, str]]:
    """(kind, text) pairs in a realistic mix."""
    from app.services import seed_data as data

    given = [*data.MALE_GIVEN, *data.FEMALE_GIVEN, *data.MALE_GIVEN_MUSLIM]
    family = [*data.SURNAMES, *data.MALE_SURNAMES, *data.FEMALE_SURNAMES]
    villages = [(lat, dev) for lat, dev, _ in data.VILLAGES]
    words = given + family + villages
    out: list[tuple[str, str]] = []
    while len(out) < count:
        r = rng.random()
        if r < 0.40:
            latin = rng.choice(words)[0].lower()
            out.append(("latin", latin[: rng.randint(2, 6)]))
        elif r < 0.50:
            first, last = rng.choice(given)[0].lower(), rng.choice(family)[0].lower()
            out.append(("latin_two_words", f"{first} {last[: rng.randint(1, 3)]}"))
        elif r < 0.70:
            deva = rng.choice(words)[1]
            out.append(("devanagari", deva[: rng.randint(2, min(5, len(deva)))]))
        elif r < 0.85:
            digits = rng.choice("6789") + "".join(rng.choice("0123456789") for _ in range(7))
            out.append(("phone", digits[: rng.randint(4, 8)]))
        else:
            digits = "91" + "".join(rng.choice("0123456789") for _ in range(12))
            prefix = digits[: rng.randint(4, 10)]
            if rng.random() < 0.3 and len(prefix) > 6:
                prefix = f"{prefix[:2]}-{prefix[2:6]}-{prefix[6:]}"
            out.append(("abha", prefix))
    return out


def run(patients: int, queries: int, warmup: int = 200) -> dict[str, Any]:
    from app.services.container import Services

    folder = seeded_db(patients)
    rng = random.Random(2026)
    mix = typed_queries(queries + warmup, rng)
    with Services.open(folder) as services:
        user = services.auth.login(*DEMO_USER)
        for _, text in mix[:warmup]:
            services.patients.search(user, text)
        timings: list[float] = []
        by_kind: dict[str, list[float]] = defaultdict(list)
        hits = 0
        for kind, text in mix[warmup:]:
            started = time.perf_counter()
            found = services.patients.search(user, text)
            elapsed = time.perf_counter() - started
            timings.append(elapsed)
            by_kind[kind].append(elapsed)
            hits += bool(found)
    return {
        "patients": patients,
        "all": summary_ms(timings),
        "by_kind": {k: summary_ms(v) for k, v in sorted(by_kind.items())},
        "queries_with_results": round(hits / len(timings), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=2000)
    args = parser.parse_args()
    print(json.dumps(run(args.patients, args.queries), indent=2))


if __name__ == "__main__":
    main()
