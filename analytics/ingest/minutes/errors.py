"""The one error a minutes reading raises: a French message for the user, and the line when one is to blame."""

from __future__ import annotations


class MinutesError(Exception):
    """A document that cannot be read as minutes; `message` is French and shown as is."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message if line is None else f"{message} (ligne {line})")
        self.message = message
        self.line = line
