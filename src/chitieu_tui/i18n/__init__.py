"""The catalog: every string an official reads, one module per language (`vi`, `en`).

Code never writes a user-facing sentence inline: it names a catalog key (a `Msg`, or
`t(key)` at the edge) and the reader's language words it. Errors raised in the
core carry a `Msg`; the CLI, the TUI and the server render it in the reader's language.

The language lives in one place: `use(lang)` sets it for the process (the CLI once, at
start; the TUI's language switch), `current()` reads it, and `t(key)` words in it. One
process shows one language at a time, so it is a module-level value (thread workers see
it too; a ContextVar would not reach Textual's thread workers). `t_in(lang, key)` is for
the few callers that really word two languages at once: the HTTP server (each request's
Accept-Language), the switch that names the other language, tests comparing catalogs.
"""

from __future__ import annotations

import os
import re
import unicodedata
from typing import Any

LANGS = ("vi", "en")
DEFAULT_LANG = "vi"
LANG_ENV = "CHITIEU_LANG"


_LOADED: dict[str, dict[str, str]] = {}
"""The catalogs imported so far (asked for on every `t`: a dict lookup, not an import)."""


def _catalog(lang: str) -> dict[str, str]:
    found = _LOADED.get(lang)
    if found is not None:
        return found
    if lang == "en":
        # lazy: only the catalog of the language spoken is loaded
        from chitieu_tui.i18n.en import MESSAGES as EN

        found = EN
    else:
        # lazy: only the catalog of the language spoken is loaded
        from chitieu_tui.i18n.vi import MESSAGES as VI

        found = VI
    _LOADED[lang] = found
    return found


_current = DEFAULT_LANG


def use(lang: str) -> None:
    """Word everything from now on in `lang` (one of `LANGS`)."""
    global _current
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; one of {', '.join(LANGS)}")
    _current = lang


def current() -> str:
    """The language the process words in (`use`); Vietnamese until set."""
    return _current


def t(key: str, /, **values: Any) -> str:
    """The string `key` in the current language, formatted with `values`."""
    return t_in(_current, key, **values)


def t_in(lang: str, key: str, /, **values: Any) -> str:
    """The string `key` in `lang` (Vietnamese when unknown), formatted with `values`.

    Only for a caller that words two languages at once (see the module's note). A value
    that is a `Msg` is worded in the same language first.
    """
    text = _catalog(lang).get(key)
    if text is None:
        text = _catalog(DEFAULT_LANG).get(key, key)
    if not values:
        return text
    shown = {k: v.text(lang) if isinstance(v, Msg) else v for k, v in values.items()}
    return text.format(**shown)


class Msg:
    """A message still to be worded: a catalog key and its parameters (data, or `Msg`s)."""

    __slots__ = ("key", "params")

    def __init__(self, key: str, /, **params: Any) -> None:
        self.key = key
        self.params = params

    def text(self, lang: str | None = None) -> str:
        """The message in `lang` (the current language when None)."""
        return t_in(lang or _current, self.key, **self.params)

    def render(self, lang: str | None = None) -> str:
        """The message in `lang` (the current language when None); the same as `text`."""
        return self.text(lang)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Msg) and (self.key, self.params) == (other.key, other.params)

    def __hash__(self) -> int:
        return hash(self.key)

    def __repr__(self) -> str:
        return f"Msg({self.key!r}, **{self.params!r})"


def resolve_lang(arg: str | None = None) -> str:
    """`--lang`, else `CHITIEU_LANG`, else the locale (English only for an `en` locale),
    else Vietnamese."""
    for candidate in (arg, os.environ.get(LANG_ENV)):
        if candidate:
            code = candidate.strip().lower()[:2]
            if code in LANGS:
                return code
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name)
        if value:
            return "en" if value.lower().startswith("en") else DEFAULT_LANG
    return DEFAULT_LANG


def fold(text: str) -> str:
    """Lower case without diacritics (`Đảng` → `dang`), for forgiving search."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


_DIGITS = re.compile(r"(\d+)")


def order_key(text: str) -> tuple[str | tuple[int, str], ...]:
    """How names are put in order: folded, and a run of digits by its number (`Phường 2`
    before `Phường 10`, `Xã số 329` before `Xã số 3289`): by its length without leading
    zeros, then its digits (no `int()`: a run of any length is a number, never an error)."""
    parts: list[str | tuple[int, str]] = list(_DIGITS.split(fold(text)))
    for i in range(1, len(parts), 2):  # odd places: the digits' runs
        digits = str(parts[i]).lstrip("0")
        parts[i] = (len(digits), digits)
    return tuple(parts)


def search_text(text: str) -> str:
    """`text` folded as words for `matches`: each word, and the parts of a word joined by
    punctuation (`thu-ngan-sach`: also `thu`, `ngan`, `sach`), each after a space."""
    words = fold(text).split()
    parts = [p for w in words for p in re.split(r"[^\w]+", w) if p and p != w]
    return " " + " ".join(words + parts)


def matches(query: str, haystack: str) -> bool:
    """True when every word of `query` starts a word of `haystack` (a `search_text`), in any
    order, accents and case ignored: `cong an` finds `Công an`, not `cộng` … `thanh`."""
    return all(f" {word}" in haystack for word in fold(query).split())
