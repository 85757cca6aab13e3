"""Migration 2: the FTS5 patient search index, filled from the rows already there.

External-content table over ``patients`` (``content_rowid='rid'``): it stores only the index,
and repository code keeps it in step (``app.store.patients``), one ``INSERT ... SELECT`` per
batch for bulk loads rather than per-row triggers (10x slower, sqlite-measurements.md).

Tokenizer: ``unicode61``'s default categories treat Devanagari vowel signs (category M) as
separators, indexing रमेश as रम + श; adding ``M*`` keeps words whole. ``remove_diacritics 0``
because in Indic scripts the "diacritics" are letters. Prefix indexes 1-6 characters keep
as-you-type prefixes fast. The ``*_fold`` key columns are recomputed first, so databases
written by any earlier code get keys that match today's queries.
"""

from __future__ import annotations

import sqlite3

from app.store.search import fold

VERSION = 2

TOKENIZE = "unicode61 remove_diacritics 0 categories 'L* N* Co M*'"

STATEMENTS: tuple[str, ...] = (
    """
    UPDATE patients SET
        name_fold = spoke_fold(name),
        name_alt_fold = spoke_fold(name_alt),
        guardian_name_fold = spoke_fold(guardian_name),
        village_fold = spoke_fold(village)
    """,
    f"""
    CREATE VIRTUAL TABLE patients_fts USING fts5(
        name_fold, name_alt_fold, guardian_name_fold, village_fold,
        content = 'patients', content_rowid = 'rid',
        tokenize = "{TOKENIZE}",
        prefix = '1 2 3 4 5 6'
    )
    """,
    "INSERT INTO patients_fts (patients_fts) VALUES ('rebuild')",
)


def apply(conn: sqlite3.Connection) -> None:
    conn.create_function("spoke_fold", 1, fold, deterministic=True)
    for statement in STATEMENTS:
        conn.execute(statement)
