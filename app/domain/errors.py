"""Errors the domain raises, carrying a stable code and parameters so that the UI can show a
translated message (see ``app.ui.messages``) and the CLI an English one.

``code`` is a dotted key such as ``"vital.above_limit"``; ``params`` hold the values the
message needs (``{"name": "Systolic BP", "value": 350, "limit": 300, "unit": "mm[Hg]"}``);
``field`` names the form field at fault, when there is one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class DomainError(ValueError):
    def __init__(
        self,
        code: str,
        message: str,
        params: Mapping[str, Any] | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.params: dict[str, Any] = dict(params or {})
        self.field = field


class ValidationFailed(DomainError):
    """Several problems found at once (a form): one ``DomainError`` per field."""

    def __init__(self, issues: list[DomainError]) -> None:
        super().__init__(
            "validation.failed",
            "; ".join(i.message for i in issues),
            {"count": len(issues)},
        )
        self.issues = issues

    def for_field(self, name: str) -> list[DomainError]:
        return [i for i in self.issues if i.field == name]


class ImplausibleValue(DomainError):
    """A vital outside the hard limits: a keying or unit mistake, never stored."""


class InvalidTransition(DomainError):
    """A case cannot move from its status to the one asked for."""


class PermissionDenied(DomainError):
    """The signed-in role may not do this."""
