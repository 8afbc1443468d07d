"""The fast TOML parser (rtoml) reads exactly what tomli reads, and tomli judges every refusal."""

from __future__ import annotations

import datetime as dt
import math
import pickle
from pathlib import Path
from typing import Any

import pytest
import tomli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chitieu_tui.core import tomlfile
from chitieu_tui.core.errors import DataError
from chitieu_tui.core.tomlfile import loads, parse_toml_text, read_toml

pytestmark = pytest.mark.skipif(tomlfile._fast is None, reason="rtoml has no wheel here")

_PIECES = [
    *["a", "b", "ct-1", '"q"', "'l'", "é", "Ạ", "x = ", "a.b = ", "ct-1 = ", "[t]\n", "[[r]]\n"],
    *["=", " ", "\t", "\n", "\r\n", "\r", "[", "]", "[[", "]]", "{", "}", ",", ".", "#"],
    *["1", "0", "-", "+", "_", "e", "E", "inf", "nan", "true", "false", "0x1f", "0o7", "0b1"],
    *["1979-05-27", "T", "t", "07:32", "07:32:00", ":00", ".5", ".999999999", "Z", "z"],
    *["+07:00", "-00:00", '"""', "'''", "\\", "\\n", "\\u00e9", "\\U0001F600", "\\x41"],
    *["\\e", "\x00", "\x7f", "\x1f", "\x0c", "\u2028", "\ufeff", "\\\n", '"', "'"],
]
_DOCS = st.lists(st.sampled_from(_PIECES), max_size=25).map("".join)


def _typed(obj: Any) -> Any:
    """`obj` with every value's type and tzinfo's type spelled out (== alone misses both)."""
    if isinstance(obj, dict):
        return {k: _typed(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_typed(v) for v in obj]
    if isinstance(obj, float):
        return ("float", "nan" if math.isnan(obj) else obj, math.copysign(1, obj))
    if isinstance(obj, dt.datetime | dt.time):
        return (type(obj).__name__, repr(obj), type(obj.tzinfo).__name__)
    return (type(obj).__name__, obj)


def _verdict(parse: Any, text: str) -> Any:
    try:
        return ("data", _typed(parse(text)))
    except tomli.TOMLDecodeError as exc:
        return ("refused", str(exc))
    except (ValueError, RecursionError) as exc:
        return ("refused", type(exc).__name__)


@settings(max_examples=1500, suppress_health_check=list(HealthCheck), deadline=None)
@given(_DOCS)
def test_any_text_is_read_or_refused_as_tomli_does(text: str) -> None:
    assert _verdict(loads, text) == _verdict(tomli.loads, text)


@pytest.mark.parametrize(
    "text",
    [
        "\ufeffa = 1\n",  # rtoml skips a byte-order mark; tomli refuses it
        "a = 1979-05-27T07:32:00Z\nb = [{c = 1979-05-27T07:32:00.5+07:00}]\n",
        "[t]\nd = 1979-05-27 07:32:00-00:00\ne = 1979-05-27T07:32:00\nf = 07:32:00\n",
        "a = 1e400\n",  # rtoml refuses the overflow, tomli reads inf: tomli wins
        "a = 99999999999999999999999\n",
        "a = " + "9" * 5000 + "\n",  # Python's own digit limit, through tomli
        "a = " + "[" * 5000 + "]" * 5000 + "\n",
    ],
)
def test_the_cases_where_the_parsers_differ_end_as_tomli_ends(text: str) -> None:
    assert _verdict(loads, text) == _verdict(tomli.loads, text)


def test_times_with_an_offset_are_the_standard_librarys_and_pickle() -> None:
    data = loads("a = 2026-04-02T08:30:00+07:00\n[t]\nb = [2026-04-02T01:30:00Z]\n")
    assert data["a"].tzinfo == dt.timezone(dt.timedelta(hours=7))
    assert type(data["a"].tzinfo) is dt.timezone
    assert data["t"]["b"][0].tzinfo is dt.UTC
    assert pickle.loads(pickle.dumps(data)) == data  # the roll-up's workers pickle views


def test_a_refused_file_names_tomlis_place_and_words(tmp_path: Path) -> None:
    path = tmp_path / "chitieu.toml"
    path.write_text('[unit]\nname = "Phường Mỹ Thới"\nname = "x"\n', encoding="utf-8")
    with pytest.raises(DataError) as info:
        read_toml(path, "chitieu.toml")
    assert info.value.render("en") == (
        "chitieu.toml:3:11: TOML syntax error: Cannot overwrite a value"
    )
    assert "chitieu.toml:3:11" in info.value.render("vi")


def test_without_rtoml_tomli_reads_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tomlfile, "_fast", None)
    assert parse_toml_text("a = 2026-04-02T01:30:00Z\n", "x.toml") == {
        "a": dt.datetime(2026, 4, 2, 1, 30, tzinfo=dt.UTC)
    }


def test_a_panic_in_the_fast_parser_is_a_refusal_not_a_crash(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class Panic(BaseException):  # what a Rust panic becomes in Python (pyo3)
        pass

    def panic(_: str) -> dict[str, Any]:
        raise Panic("boom")

    monkeypatch.setattr(tomlfile, "_fast", panic)
    assert loads("a = 1\n") == {"a": 1}
    with pytest.raises(DataError):
        parse_toml_text("a = \n", "x.toml")
