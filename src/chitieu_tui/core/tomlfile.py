"""Read a TOML file defensively, and find the line of a key for error messages."""

from __future__ import annotations

import datetime as dt
import errno
import os
import re
import stat
from collections.abc import Callable, Iterator
from dataclasses import field
from pathlib import Path
from typing import Any, NoReturn, Protocol

from chitieu_tui.core.errors import DataError, Place
from chitieu_tui.core.oserrors import os_reason
from chitieu_tui.core.records import FACTORY, plain
from chitieu_tui.core.text import clean
from chitieu_tui.i18n import Msg


def _judge() -> Any:
    """tomli (tomllib's parser, compiled: about 3× faster; tomllib without it), the reference
    of what TOML reads as and how a refusal is worded: imported when first asked."""
    # tomli judges only what rtoml refuses (and reads alone without rtoml): imported at the
    # top, it cost every start 1.5 ms (BENCHMARKS.md, "Issue 23, ninth session: start-up")
    try:
        import tomli as judge  # lazy: only for a file rtoml refuses (or without rtoml)
    except ImportError:  # pragma: no cover - tomli is a dependency; tomllib says the same
        import tomllib as judge  # type: ignore[no-redef]  # lazy: as tomli, where it is missing
    return judge


_fast: Callable[[str], dict[str, Any]] | None
try:  # a parser in Rust: 2-4× faster than tomli; tomli still judges every file it refuses
    from rtoml import loads as _fast
except ImportError:  # pragma: no cover - rtoml is a dependency where it has a wheel
    _fast = None
_OFFSET = re.compile(r":\d\d(?:\.\d+)?[Zz+-]")
"""Where a time may carry an offset (rtoml gives those its own, unpicklable tzinfo)."""

MAX_BYTES = 32 * 1024 * 1024
"""A cap against absurd files, not a limit of real ones: a 50,000-indicator definitions
file is about 8.5 MB (docs/formats.md)."""
_AT_RE = r"\s*\(at line (\d+), column (\d+)\)\s*$"
_AT_END_RE = r"\s*\(at end of document\)\s*$"
"""Where tomllib says a syntax error is (compiled by `re` when one is met, not at start)."""
# compiled when a locator first indexes a text (a broken file's: re's own cache keeps them)
_HEADER_RE = r"^\s*(\[\[?)\s*([A-Za-z0-9_.\"' -]+?)\s*\]\]?\s*(#.*)?$"
_KEY_RE = r"^\s*(\"[^\"]*\"|'[^']*'|[A-Za-z0-9_-]+)\s*="
_LONG_INT_RE = re.compile(r"\d{4000,}")
_TOML_FIXED = {
    "Invalid statement": "toml.invalid_statement",
    "Expected newline or end of document after a statement": "toml.expected_newline",
    "Cannot overwrite a value": "toml.overwrite",
    "Expected ']' at the end of a table declaration": "toml.table_bracket",
    "Expected ']]' at the end of an array declaration": "toml.array_table_bracket",
    "Expected '=' after a key in a key/value pair": "toml.expected_equals",
    "Invalid initial character for a key part": "toml.key_start",
    "Unclosed array": "toml.unclosed_array",
    "Unclosed inline table": "toml.unclosed_inline_table",
    "Unescaped '\\' in a string": "toml.unescaped_backslash",
    "Invalid hex value": "toml.invalid_hex",
    "Escaped character is not a Unicode scalar value": "toml.not_scalar",
    "Unterminated string": "toml.unterminated_string",
    "Invalid date or datetime": "toml.invalid_date",
    "Invalid value": "toml.invalid_value",
}
"""tomllib's fixed messages (Python 3.11 `tomllib/_parser.py`; tomli ≥ 2.0 words them the same)
and their catalog keys."""


def _key_name(text: str) -> str:
    """`('unit', 'x')` (how tomllib names a key) as `unit.x`."""
    import ast  # lazy: only a refused file's message names a key (1.5 ms of every start)

    try:
        parts = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return clean(text)
    if isinstance(parts, tuple) and all(isinstance(p, str) for p in parts):
        return clean(".".join(parts))
    return clean(text)


_TOML_PATTERNS: list[tuple[str, str, str, Callable[[str], str]]] = [
    (r"Expected (.+)", "toml.expected", "what", clean),
    (r"Found invalid character (.+)", "toml.invalid_char", "char", clean),
    (r"Illegal character (.+)", "toml.illegal_char", "char", clean),
    (r"Cannot declare (.+) twice", "toml.declared_twice", "name", _key_name),
    (r"Cannot mutate immutable namespace (.+)", "toml.immutable", "name", _key_name),
    (r"Cannot redefine namespace (.+)", "toml.redefine", "name", _key_name),
    (r"Duplicate inline table key (.+)", "toml.duplicate_inline_key", "name", clean),
]
"""tomllib's messages with a parameter: pattern, catalog key, parameter name, how to show it
(patterns compiled by `re` when a syntax error is met: every start paid them otherwise)."""


@plain
class Locator:
    """Line numbers of tables and keys in a TOML text, for error messages."""

    path: str
    tables: dict[tuple[str, int], int] = field(default_factory=dict)
    keys: dict[tuple[str, int, str], int] = field(default_factory=dict)
    _text: str | None = field(default=None, repr=False, compare=False)
    _source: str = field(default="", repr=False, compare=False)

    def __init__(
        self,
        path: str,
        tables: dict[tuple[str, int], int] = FACTORY,
        keys: dict[tuple[str, int, str], int] = FACTORY,
        _text: str | None = None,
        _source: str = "",
    ) -> None:
        self.path = path
        self.tables = {} if tables is FACTORY else tables
        self.keys = {} if keys is FACTORY else keys
        self._text = _text
        self._source = _source

    @classmethod
    def scan(cls, path: str, text: str) -> Locator:
        """A locator of `text`'s headers and `key =` lines, indexed when first asked.

        Valid files never ask, so a 5,000-indicator file is not scanned line by line.
        """
        return cls(path, _text=text, _source=text)

    def within(self, place: Place, needle: str, offset: int) -> Place:
        """`place` (a `key =` line) with the column of `offset` inside the string `needle`
        written on that line after its `=` (the place as it is when it is not there as
        written, e.g. with escapes)."""
        if place.line is None or not needle:
            return place
        lines = self._source.splitlines()
        if place.line > len(lines):
            return place
        line = lines[place.line - 1]
        start = line.find(needle, line.find("=") + 1)
        if start < 0:
            return place
        return Place(place.where, place.line, start + offset + 1)

    def _index(self) -> None:
        """Index the headers and `key =` lines (a cheap line scan, not a parser)."""
        text, self._text = self._text, None
        if text is None:
            return
        loc = self
        counts: dict[str, int] = {}
        current = ("", 0)
        header_re, key_re = re.compile(_HEADER_RE), re.compile(_KEY_RE)
        for lineno, line in enumerate(text.splitlines(), start=1):
            header = header_re.match(line)
            if header:
                name = header.group(2).replace('"', "").replace("'", "").strip()
                if header.group(1) == "[[":
                    counts[name] = counts.get(name, -1) + 1
                    current = (name, counts[name])
                else:
                    current = (name, 0)
                loc.tables.setdefault(current, lineno)
                continue
            key = key_re.match(line)
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


def link_problem(path: Path, where: str) -> DataError | None:
    """A symlink that leads to no file (dangling, or looping) as a coded error; else None."""
    try:
        if not os.path.islink(path):
            return None
        target = os.readlink(path)
        os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return DataError("err.file.link_loop", Place(where))
        if exc.errno in (errno.ENOENT, errno.ENOTDIR):
            return DataError("err.file.dangling_link", Place(where), target=clean(target))
        return None
    return None


def _read_bounded(path: Path, where: str) -> bytes:
    """The first `MAX_BYTES + 1` bytes of a regular file; anything else is refused, unblocked.

    Opening with O_NONBLOCK means a FIFO without a writer cannot hang us; a symlink to a
    regular file is followed as usual.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise link_problem(path, where) or DataError("err.file.not_found", Place(where)) from None
    except IsADirectoryError:
        raise DataError("err.file.is_folder", Place(where)) from None
    except OSError as exc:
        if exc.errno == errno.ENXIO:  # a socket, or a device with nothing behind it
            raise DataError("err.file.not_regular", Place(where)) from None
        found = link_problem(path, where)
        if found is not None:
            raise found from None
        raise DataError("err.file.unreadable", Place(where), reason=os_reason(exc)) from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise DataError("err.file.is_folder", Place(where))
        if not stat.S_ISREG(mode):
            raise DataError("err.file.not_regular", Place(where))
        chunks: list[bytes] = []
        left = MAX_BYTES + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1024 * 1024))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    except IsADirectoryError:
        raise DataError("err.file.is_folder", Place(where)) from None
    except OSError as exc:
        raise DataError("err.file.unreadable", Place(where), reason=os_reason(exc)) from None
    finally:
        os.close(fd)


class Handed(Protocol):
    """TOML files another process parsed for this one (present/coldunit.py `parse_ahead`)."""

    def text(self, path: Path) -> str | None:
        """`path`'s text, when it was read here before (for the other process to share) and
        the file is as it was then (None: read it now)."""

    def parsed(self, path: Path, text: str) -> dict[str, Any] | None:
        """What `loads(text)` gives, when `path` was parsed elsewhere with this very text
        (None: parse it here)."""

    def piece(self, n: int, text: str) -> tuple[dict[str, Any], Converted] | None:
        """Piece `n` of `array_items` (`text`), when it was parsed elsewhere: what else it
        holds than its items, and its items converted to the reader's types (None: parse
        it here)."""

    def close(self) -> None:
        """Let go of what was not asked for (and of the process that parsed it)."""


class Converted(list[Any]):
    """Items of an array of tables another process already converted (`Handed.piece`): the
    reader takes them as they are."""


_handed: Handed | None = None


def hand_over(handed: Handed | None) -> None:
    """Files parsed by another process, taken by `read_toml` instead of parsing them (a
    file it did not parse cleanly, or whose text changed since, is parsed here as ever: every
    error is this process's own); None: the ones handed before let go of (`close`)."""
    global _handed
    old, _handed = _handed, handed
    if old is not None and old is not handed:
        old.close()


def read_toml(path: Path, shown: str | None = None) -> tuple[dict[str, Any], str]:
    """Parse a TOML file; every failure becomes a DataError naming the file and place."""
    text = read_toml_text(path, shown)
    handed = _handed
    if handed is not None:
        data = handed.parsed(path, text)
        if data is not None:
            return data, text
    return parse_toml_text(text, shown or str(path)), text


def read_toml_text(path: Path, shown: str | None = None) -> str:
    """A TOML file's text, not parsed yet (`read_toml`'s checks of the bytes: size, UTF-8,
    something in it; a byte-order mark left out)."""
    handed = _handed
    early = handed.text(path) if handed is not None else None
    if early is not None:
        return early
    where = shown or str(path)
    raw = _read_bounded(path, where)
    if len(raw) > MAX_BYTES:
        raise DataError("err.file.too_large", Place(where), mib=MAX_BYTES // (1024 * 1024))
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        bad = raw[exc.start : exc.start + 1].hex()
        raise DataError("err.file.not_utf8", Place(where, line, col), byte=bad) from None
    if not text.strip():
        raise DataError("err.file.empty", Place(where))
    return text


def _syntax_detail(msg: str) -> Msg | None:
    """tomllib's English message as a catalog message, or None when it is not one we know."""
    key = _TOML_FIXED.get(msg)
    if key is not None:
        return Msg(key)
    for pattern, pkey, param, convert in _TOML_PATTERNS:
        match = re.fullmatch(pattern, msg)
        if match:
            return Msg(pkey, **{param: convert(match.group(1))})
    return None


def _plain_tz(obj: Any) -> Any:
    """`obj` with every time offset as the standard library's `timezone`, as tomli gives it."""
    if isinstance(obj, dict):
        for key, value in obj.items():
            if isinstance(value, dict | list | dt.datetime):
                obj[key] = _plain_tz(value)
    elif isinstance(obj, list):
        for i, value in enumerate(obj):
            if isinstance(value, dict | list | dt.datetime):
                obj[i] = _plain_tz(value)
    elif isinstance(obj, dt.datetime) and obj.tzinfo is not None:
        offset = obj.utcoffset()
        tz = dt.UTC if not offset else dt.timezone(offset)
        return obj.replace(tzinfo=tz)
    return obj


def loads(text: str) -> dict[str, Any]:
    """TOML text as tomli reads it: by rtoml where it has no doubt, by tomli otherwise.

    Any document rtoml refuses (or one starting with a byte-order mark, which rtoml skips
    and tomli refuses) is read again by tomli, whose verdict and message are the reference.
    """
    if _fast is not None and not text.startswith("\ufeff"):
        try:
            data = _fast(text)
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException:  # any refusal (or a Rust panic): tomli says what, or reads it
            pass
        else:
            return _plain_tz(data) if _OFFSET.search(text) else data
    judged: dict[str, Any] = _judge().loads(text)
    return judged


def parse_toml_text(text: str, where: str) -> dict[str, Any]:
    """Parse TOML text, turning parser failures into DataErrors with line and column."""
    try:
        return loads(text)
    except RecursionError:
        raise DataError("err.toml.nesting", Place(where)) from None
    except ValueError as exc:
        if not isinstance(exc, _judge().TOMLDecodeError):  # tomli itself said it: imported
            _number_too_long(text, where)
        msg = str(exc)
        at = re.search(_AT_RE, msg)
        at_end = re.search(_AT_END_RE, msg)
        if at:
            place = Place(where, int(at.group(1)), int(at.group(2)))
            msg = msg[: at.start()]
        else:
            place = Place(where)
            if at_end:
                msg = msg[: at_end.start()]
        detail = _syntax_detail(msg)
        if detail is None:
            raise DataError("err.toml.syntax_unknown", place) from None
        key = "err.toml.syntax_end" if at is None and at_end else "err.toml.syntax"
        raise DataError(key, place, detail=detail) from None


def _number_too_long(text: str, where: str) -> NoReturn:
    """A ValueError of the parser that is no syntax error: Python's limit of an integer's
    digits (4,300) met by a number of `text`; else a refusal without words."""
    long_int = _LONG_INT_RE.search(text)
    if long_int is None:
        raise DataError("err.toml.syntax_unknown", Place(where)) from None
    line = text.count("\n", 0, long_int.start()) + 1
    col = long_int.start() - (text.rfind("\n", 0, long_int.start()) + 1) + 1
    raise DataError("err.toml.number_too_long", Place(where, line, col)) from None


class Uncut(Exception):  # noqa: N818 - a verdict, not an error shown to anyone
    """A text not read piece by piece (`array_items`): the caller reads it whole."""


def array_cuts(text: str, table: str, size: int) -> list[int] | None:
    """Where `text` is cut for `array_items`: its start, before the first line `[[table]]`
    (an array of tables written one by one, as chitieu.toml's `[[indicator]]`), then before
    the first such line at least `size` characters after the last cut, and its end; None
    when no such line is found or the text has a carriage return (read whole). Cut where the
    lines say, not where a parser would: `array_items` proves the cuts."""
    if "\r" in text:
        return None
    header = f"\n[[{table}]]\n"
    at = text.find(header)
    if at < 0:
        return None
    cuts = [0, at + 1]
    while (at := text.find(header, cuts[-1] + max(size, 1) - 1)) >= 0:
        cuts.append(at + 1)
    cuts.append(len(text))
    return cuts


def array_items(text: str, table: str, size: int, rest: dict[str, Any]) -> Iterator[list[Any]]:
    """`text` parsed piece by piece (cut by `array_cuts`): yields each piece's items of the
    array of tables `table`, in order, and fills `rest` with the document's other top-level
    names (`table` among them, an empty list in its place), so that `rest` with the items
    joined is what parsing the whole text gives. Raises `Uncut` when that is not proved (the
    caller parses the whole text, whose verdict, error or reading, is the reference).

    Why equal: the head (what comes before the first cut) parses, so the whole text is at a
    statement's start at the first cut (a prefix that parses ends at one; a cut inside a
    multi-line string or array leaves it unterminated); each piece, starting at a statement's
    start as the whole text's parse does there, parses to its end, so the next cut is at one
    too. Each piece starts with `[[table]]`: its statements land in the array of tables or in
    its last item (the piece's own), as in the whole text. Any other top-level name must
    appear in one piece only, and `table` not in the head, and be an array of tables in each
    piece: two pieces writing into one name are judged by the whole parse alone."""
    cuts = array_cuts(text, table, size)
    if cuts is None:
        raise Uncut
    for n, (start, end) in enumerate(zip(cuts, cuts[1:], strict=False)):
        piece = text[start:end]
        handed = _handed.piece(n, piece) if _handed is not None and n else None
        if handed is not None:  # parsed (and its items converted) by another process
            part, items = handed
        else:
            try:
                part = loads(piece)
            except Exception:  # noqa: BLE001 - whatever it is, the whole parse says it
                raise Uncut from None
        del piece
        if n == 0:
            if table in part:
                raise Uncut
            rest.update(part)
            rest[table] = []
            continue
        if handed is None:
            items = part.pop(table, None)
        if not isinstance(items, list) or any(name in rest for name in part):
            raise Uncut
        rest.update(part)
        del part
        yield items
