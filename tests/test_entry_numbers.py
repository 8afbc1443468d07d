"""Numbers as typed: what the screen shows reads back the same; garbage is only ever EntryError."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from chitieu_tui.core.errors import EntryError
from chitieu_tui.core.numbers import parse_number
from chitieu_tui.i18n import use
from chitieu_tui.present import fmt

LANGS = st.sampled_from(["vi", "en"])


@given(st.integers(min_value=-(10**15), max_value=10**15), LANGS)
def test_whole_numbers_round_trip(n: int, lang: str) -> None:
    use(lang)
    assert parse_number(fmt.number(n), lang) == n


@given(st.integers(min_value=-(10**13), max_value=10**13), LANGS)
def test_two_decimal_numbers_round_trip(cents: int, lang: str) -> None:
    x = cents / 100
    use(lang)
    assert parse_number(fmt.number(x), lang) == x


@settings(max_examples=300)
@given(st.text(max_size=50), LANGS)
def test_garbage_raises_only_entry_errors(text: str, lang: str) -> None:
    try:
        parse_number(text, lang)
    except EntryError:
        pass


@settings(max_examples=300)
@given(st.text(alphabet="0123456789.,- +\u00a0", max_size=20), LANGS)
def test_digit_soup_raises_only_entry_errors(text: str, lang: str) -> None:
    try:
        value = parse_number(text, lang)
    except EntryError:
        return
    assert abs(value) <= 1e15
