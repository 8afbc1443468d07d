"""One error family: a catalog message (key and parameters) and the place it refers to."""

from __future__ import annotations

from typing import Any

from chitieu_tui.core.records import plain
from chitieu_tui.i18n import Msg


@plain
class Place:
    """Where a problem is: a file (or URL), optionally a line and column."""

    where: str
    line: int | None = None
    col: int | None = None

    def __init__(self, where: str, line: int | None = None, col: int | None = None) -> None:
        self.where = where
        self.line = line
        self.col = col

    def __str__(self) -> str:
        if self.line is None:
            return self.where
        if self.col is None:
            return f"{self.where}:{self.line}"
        return f"{self.where}:{self.line}:{self.col}"


class ChitieuError(Exception):
    """Base of every error an official may see: a catalog message and a place.

    `ChitieuError("err.file.not_found", Place("config/chitieu.toml"))`, or with
    parameters `DataError("err.key.unknown", place, key="colour")`. The reader's edge
    (CLI, TUI) words it with `render()` in the current language, the server with
    `render(lang)` in each request's; `str()` is the English form.
    """

    index: int | None = None
    """Which request of one write (core/writer.py) was refused, when one was: a bulk write
    over the API names it (and the import its sheet and cell)."""

    def __init__(self, key: str | Msg, place: Place | None = None, /, **params: Any) -> None:
        self.msg = key if isinstance(key, Msg) else Msg(key, **params)
        self.place = place
        super().__init__(self.msg.key)

    @property
    def code(self) -> str:
        """The catalog key: stable, for programs and tests."""
        return self.msg.key

    def text(self, lang: str | None = None) -> str:
        """The message alone, in `lang` (the current language when None)."""
        return self.msg.text(lang)

    @property
    def message(self) -> str:
        """The message alone, in English."""
        return self.text("en")

    def render(self, lang: str | None = None) -> str:
        """`place: message` in `lang` (the current language when None)."""
        text = self.text(lang)
        return text if self.place is None else f"{self.place}: {text}"

    def __str__(self) -> str:
        return self.render("en")


class DataError(ChitieuError):
    """A definitions, progress or snapshot file that cannot be used."""


class WriteError(ChitieuError):
    """A file that could not be written (permissions, lock, disk)."""


class EntryError(ChitieuError):
    """A typed value that cannot be entered (not a number, out of bounds, closed quarter)."""


class SourceError(ChitieuError):
    """A remote source that failed (unreachable, bad status, bad body)."""


class AuthError(SourceError):
    """The server refused us (401): an offline copy would hide a configuration mistake."""


class UsageError(ChitieuError):
    """A command line that does not make sense (exit status 2)."""


class ToolError(ChitieuError):
    """A program a command needs (LibreOffice for a PDF) is missing, failed or took too long
    (exit status 1)."""


class InternalError(ChitieuError):
    """A bug, not bad input: shown as such, never disguised as a network or file failure."""


class ErrorList(DataError):
    """Several problems found at once (e.g. by `chitieu check`)."""

    def __init__(self, errors: list[ChitieuError]) -> None:
        first = errors[0]
        super().__init__(first.msg, first.place)
        self.errors = errors

    def render(self, lang: str | None = None) -> str:
        """Every problem, one per line."""
        return "\n".join(e.render(lang) for e in self.errors)


def flatten(error: ChitieuError) -> list[ChitieuError]:
    """The individual errors inside `error`."""
    return list(error.errors) if isinstance(error, ErrorList) else [error]
