"""Preferences of this PC: for now, the interface language.

The language is chosen by whoever sits at the desk, on the login window, before anyone has
signed in; so it needs no account and no permission. It is a preference of the PC, not of a
person: the next person sees the language the last one chose (and can change it back there).
Nothing here is clinical and nothing is synced.

Where it is kept: in ``preferences.json`` beside the database when the service is given that
path (the app): the login window needs it before anyone has signed in, which on an encrypted
PC is before the database can be read. A language is not patient data. A PC that saved it in
the database's settings (``ui.language``) before keeps it: that is read when the file has none
and the database is open. Without a path (tests of the store alone), the settings hold it.

Threading: safe from any thread; the file is written atomically, settings through the store's
writer thread.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from app.store import settings
from app.store.db import Store
from app.store.errors import StoreError

LANGUAGE_KEY = "ui.language"
LANGUAGES = ("en", "hi")  # the interface languages with a catalogue (English is the source)
FILE_NAME = "preferences.json"


class PreferencesService:
    def __init__(self, store: Store, path: Path | None = None) -> None:
        self._store = store
        self._path = path

    def language(self) -> str | None:
        """The interface language saved on this PC, or None when none has been chosen.

        A value this version does not know (written by a newer one, or edited by hand), or a
        file that cannot be read, counts as none, so start-up falls back to the default rather
        than failing.
        """
        if self._path is not None:
            value = _read(self._path).get("language")
            if value in LANGUAGES:
                return str(value)
        try:
            value = self._store.read(lambda db: settings.get(db, LANGUAGE_KEY))
        except StoreError:  # locked until someone signs in: the file is what counts then
            return None
        return value if value in LANGUAGES else None

    def set_language(self, language: str) -> str:
        """Save ``language`` (one of ``LANGUAGES``) as this PC's interface language.

        Raises ``ValueError`` for any other code: the UI offers only these, so another value
        is a programming error, not something to tell the person.
        """
        code = language.strip().lower()
        if code not in LANGUAGES:
            raise ValueError(f"unknown interface language {language!r}")
        if self._path is None:
            self._store.write(lambda db: settings.put(db, LANGUAGE_KEY, code))
        else:
            _write(self._path, {**_read(self._path), "language": code})
        return code


def _read(path: Path) -> dict[str, object]:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def _write(path: Path, values: dict[str, object]) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(values, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
