"""Screens whose key descriptions are worded from the catalog, with public Textual API only."""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

from textual.binding import Binding

from chitieu_tui.i18n import current, t


class LocalizedBindings:
    """A screen made in a language (`current()`) is an instance of a subclass (one per class and language)
    whose `BINDINGS` descriptions are the catalog's words: Textual's footer, key panel and
    our KeyBar all read them, and nothing private of Textual is touched."""

    _localized: ClassVar[dict[tuple[type, str], type]] = {}

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        lang = current()
        if getattr(cls, "_words_lang", None) is None:
            key = (cls, lang)
            sub = LocalizedBindings._localized.get(key)
            if sub is None:
                bindings = [
                    b if not isinstance(b, Binding) else _worded(b)
                    for b in getattr(cls, "BINDINGS", [])
                ]
                namespace = {
                    "BINDINGS": bindings,
                    "_words_lang": lang,
                    "__module__": cls.__module__,
                }
                sub = type(cls.__name__, (cls,), namespace)
                LocalizedBindings._localized[key] = sub
            cls = sub
        return super().__new__(cls)  # type: ignore[misc]


def _worded(binding: Binding) -> Binding:
    if not binding.description:
        return binding
    return dataclasses.replace(binding, description=t(binding.description))
