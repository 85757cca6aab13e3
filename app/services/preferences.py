"""Preferences of this PC kept in the local settings: for now, the interface language.

The language is chosen by whoever sits at the desk, on the login window, before anyone has
signed in; so it needs no account and no permission. It is a preference of the PC, not of a
person: the next person sees the language the last one chose (and can change it back there).
Nothing here is clinical and nothing is synced.

Keys (``app.store.settings``): ``ui.language`` — a code from ``LANGUAGES``.

Threading: safe from any thread; reads run on the caller's thread, writes go through the
store's writer thread.
"""

from __future__ import annotations

from app.store import settings
from app.store.db import Store

LANGUAGE_KEY = "ui.language"
LANGUAGES = ("en", "hi")  # the interface languages with a catalogue (English is the source)


class PreferencesService:
    def __init__(self, store: Store) -> None:
        self._store = store

    def language(self) -> str | None:
        """The interface language saved on this PC, or None when none has been chosen.

        A value this version does not know (written by a newer one, or edited by hand) counts
        as none, so start-up falls back to the default rather than failing.
        """
        value = self._store.read(lambda db: settings.get(db, LANGUAGE_KEY))
        return value if value in LANGUAGES else None

    def set_language(self, language: str) -> str:
        """Save ``language`` (one of ``LANGUAGES``) as this PC's interface language.

        Raises ``ValueError`` for any other code: the UI offers only these, so another value
        is a programming error, not something to tell the person.
        """
        code = language.strip().lower()
        if code not in LANGUAGES:
            raise ValueError(f"unknown interface language {language!r}")
        self._store.write(lambda db: settings.put(db, LANGUAGE_KEY, code))
        return code
