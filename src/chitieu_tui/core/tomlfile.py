"""Read a TOML file defensively, and find the line of a key for error messages."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chitieu_tui.core.errors import DataError, Place

MAX_BYTES = 8 * 1024 * 1024
_AT_RE = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_AT_END_RE = re.compile(r"\s*\(at end of document\)\s*$")
_HEADER_RE = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\"' -]+?)\s*\]\]?\s*(#.*)?$")
_KEY_RE = re.compile(r"^\s*(\"[^\"]*\"|'[^']*'|[A-Za-z0-9_-]+)\s*=")
_LONG_INT_RE = re.compile(r"\d{4000,}")


@dataclass
class Locator:
    """Line numbers of tables and keys in a TOML text, for error messages."""

    path: str
    tables: dict[tuple[str, int], int] = field(default_factory=dict)
    keys: dict[tuple[str, int, str], int] = field(default_factory=dict)
    _text: str | None = field(default=None, repr=False, compare=False)

    @classmethod
    def scan(cls, path: str, text: str) -> Locator:
        """A locator of `text`'s headers and `key =` lines, indexed when first asked.

        Valid files never ask, so a 5,000-indicator file is not scanned line by line.
        """
        return cls(path, _text=text)

    def _index(self) -> None:
        """Index the headers and `key =` lines (a cheap line scan, not a parser)."""
        text, self._text = self._text, None
        if text is None:
            return
        loc = self
        counts: dict[str, int] = {}
        current = ("", 0)
        for lineno, line in enumerate(text.splitlines(), start=1):
            header = _HEADER_RE.match(line)
            if header:
                name = header.group(2).replace('"', "").replace("'", "").strip()
                if header.group(1) == "[[":
                    counts[name] = counts.get(name, -1) + 1
                    current = (name, counts[name])
                else:
                    current = (name, 0)
                loc.tables.setdefault(current, lineno)
                continue
            key = _KEY_RE.match(line)
            if key:
                name = key.group(1).strip("\"'")
                loc.keys.setdefault((current[0], current[1], name), lineno)

    def place(self, table: str = "", index: int = 0, key: str | None = None) -> Place:
        """The place of `key` in the `index`-th `[table]` (or the table itself)."""
        if self._text is not None:
            self._index()
        if key is not None and (table, index, key) in self.keys:
            return Place(self.path, self.keys[(table, index, key)], 1)
        if (table, index) in self.tables:
            return Place(self.path, self.tables[(table, index)], 1)
        return Place(self.path)


def read_toml(path: Path, shown: str | None = None) -> tuple[dict[str, Any], str]:
    """Parse a TOML file; every failure becomes a DataError naming the file and place."""
    where = shown or str(path)
    try:
        with path.open("rb") as fh:
            raw = fh.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise DataError("file not found", Place(where)) from None
    except IsADirectoryError:
        raise DataError("is a folder, not a TOML file", Place(where)) from None
    except OSError as exc:
        raise DataError(f"cannot read: {exc.strerror or exc}", Place(where)) from None
    if len(raw) > MAX_BYTES:
        raise DataError(f"file is too large (over {MAX_BYTES // (1024 * 1024)} MiB)", Place(where))
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        bad = raw[exc.start : exc.start + 1].hex()
        msg = f"not UTF-8 text (byte 0x{bad}); save the file as UTF-8"
        raise DataError(msg, Place(where, line, col)) from None
    if not text.strip():
        raise DataError("file is empty", Place(where))
    return parse_toml_text(text, where), text


def parse_toml_text(text: str, where: str) -> dict[str, Any]:
    """Parse TOML text, turning parser failures into DataErrors with line and column."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        at = _AT_RE.search(msg)
        if at:
            place = Place(where, int(at.group(1)), int(at.group(2)))
            msg = msg[: at.start()]
        else:
            place = Place(where)
            msg = _AT_END_RE.sub(" at the end of the file", msg)
        raise DataError(f"TOML syntax error: {msg}", place) from None
    except RecursionError:
        raise DataError("nesting is too deep to be a chitieu file", Place(where)) from None
    except ValueError as exc:
        long_int = _LONG_INT_RE.search(text)
        if long_int is None:
            raise DataError(f"cannot parse: {exc}", Place(where)) from None
        line = text.count("\n", 0, long_int.start()) + 1
        col = long_int.start() - (text.rfind("\n", 0, long_int.start()) + 1) + 1
        raise DataError("number is too long", Place(where, line, col)) from None
