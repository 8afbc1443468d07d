"""One error family: a message and the place it refers to."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Place:
    """Where a problem is: a file (or URL), optionally a line and column."""

    where: str
    line: int | None = None
    col: int | None = None

    def __str__(self) -> str:
        if self.line is None:
            return self.where
        if self.col is None:
            return f"{self.where}:{self.line}"
        return f"{self.where}:{self.line}:{self.col}"


class ChitieuError(Exception):
    """Base of every error an official may see: a message and a place."""

    def __init__(self, message: str, place: Place | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.place = place

    def __str__(self) -> str:
        if self.place is None:
            return self.message
        return f"{self.place}: {self.message}"


class DataError(ChitieuError):
    """A definitions, progress or snapshot file that cannot be used."""


class WriteError(ChitieuError):
    """A file that could not be written (permissions, lock, disk)."""


class SourceError(ChitieuError):
    """A remote source that failed (unreachable, bad status, bad body)."""


class AuthError(SourceError):
    """The server refused us (401): an offline copy would hide a configuration mistake."""


class UsageError(ChitieuError):
    """A command line that does not make sense (exit status 2)."""


class ErrorList(DataError):
    """Several problems found at once (e.g. by `chitieu check`)."""

    def __init__(self, errors: list[ChitieuError]) -> None:
        first = errors[0]
        super().__init__(first.message, first.place)
        self.errors = errors

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors)


def flatten(error: ChitieuError) -> list[ChitieuError]:
    """The individual errors inside `error`."""
    return list(error.errors) if isinstance(error, ErrorList) else [error]
