"""JSON <-> model conversion shared by the API server and the API client."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from typing import Any

import msgspec

from chitieu_tui.core.approval import closed_to_json, quarter_state, returned_to_json
from chitieu_tui.core.chain import tamper_mark
from chitieu_tui.core.errors import ChitieuError, DataError
from chitieu_tui.core.journal import Change, change_from_raw
from chitieu_tui.core.loader import definitions_from_dict, progress_from_dict
from chitieu_tui.core.model import Definitions, Entry, Progress, drop_none
from chitieu_tui.core.numbers import whole
from chitieu_tui.core.outliers import followup_to_toml
from chitieu_tui.core.periods import Period
from chitieu_tui.core.text import clean
from chitieu_tui.core.tomlfile import Locator
from chitieu_tui.i18n import Msg
from chitieu_tui.remote import schema

API_PREFIX = "/api/v1"
SCHEMA = 1


class ShapeError(DataError):
    """A JSON document that does not have the shape of the API (docs/api.md)."""


def encode_as(data: Any, shape: Any) -> bytes:
    """The JSON body of `data` made through its wire shape (remote/schema.py): only the
    documented fields, in their order, each checked against its type and pattern, so the
    server cannot send what its OpenAPI document does not describe. A mismatch is a bug of
    the server (msgspec.ValidationError, answered 500 and logged)."""
    return msgspec.json.encode(msgspec.convert(data, shape))


def checked(data: Any, shape: Any) -> Any:
    """`data` (decoded JSON from the server) checked against its wire shape, the one the
    server encodes through and its OpenAPI document describes: ShapeError naming the first
    mismatch and where; unknown fields are left out (a newer server may add some)."""
    try:
        return msgspec.to_builtins(msgspec.convert(data, shape))
    except msgspec.ValidationError as exc:
        detail = schema_words(_located(str(exc), data))
        raise ShapeError(
            Msg("err.wire.schema", detail=detail, openapi=f"{API_PREFIX}/openapi.json")
        ) from None


def _located(text: str, data: Any) -> str:
    """msgspec's message with `$.values[...]` naming the first value that does not fit."""
    marker = "`$.values[...]"
    if marker not in text or not isinstance(data, dict) or not isinstance(data["values"], dict):
        return text
    for key, value in data["values"].items():
        try:
            msgspec.convert(value, schema.Value)
        except msgspec.ValidationError:
            return text.replace(marker, f"`$.values[{clean(str(key))[:60]!r}]")
    return text


_EXPECTED_RE = re.compile(r"Expected `([^`]*)`, got `([^`]*)`")
_PATTERN_RE = re.compile(r"Expected `str` matching regex '(.*)'")
_MISSING_RE = re.compile(r"Object missing required field `([^`]*)`")
_AT_RE = re.compile(r" - at `([^`]*)`$")


def schema_words(text: str) -> Msg:
    """msgspec's validation error in the catalog's words (JSON types and paths as they are)."""
    place = _AT_RE.search(text)
    core = text[: place.start()] if place else text
    found: Msg
    if m := _PATTERN_RE.fullmatch(core):
        found = Msg("api.schema.pattern", pattern=clean(m.group(1))[:80])
    elif m := _EXPECTED_RE.fullmatch(core):
        found = Msg("api.schema.type", want=clean(m.group(1))[:60], got=clean(m.group(2))[:20])
    elif m := _MISSING_RE.fullmatch(core):
        found = Msg("api.schema.missing", field=clean(m.group(1))[:60])
    else:
        found = Msg("api.schema.other", text=clean(core)[:200])
    if place:
        return Msg("api.schema.at", detail=found, path=clean(place.group(1))[:120])
    return found


def definitions_to_json(defs: Definitions) -> dict[str, Any]:
    """`{"schema", "unit", "dashboard", "groups", "indicators", "report"?, "rules"?}`:
    chitieu.toml as JSON (`report` only when `[report]` is given, `rules` only when it has
    some)."""
    out: dict[str, Any] = {
        "schema": SCHEMA,
        "unit": msgspec.to_builtins(defs.unit),
        "dashboard": msgspec.to_builtins(defs.dashboard),
        "groups": [msgspec.to_builtins(g) for g in defs.groups],
        "indicators": [drop_none(msgspec.to_builtins(i)) for i in defs.indicators],
    }
    if defs.report is not None:
        out["report"] = msgspec.to_builtins(defs.report)
    if defs.rules:
        out["rules"] = [msgspec.to_builtins(r) for r in defs.rules]
    return out


def definitions_from_json(data: Any, where: str) -> Definitions:
    """Validate a unit document from the server (every string is cleaned by the loader)."""
    if not isinstance(data, dict):
        raise ShapeError("err.wire.not_object", got=_kind(data))
    for key in ("unit", "groups", "indicators"):
        if key not in data:
            raise ShapeError("err.wire.missing", field=key)
    data = checked(data, schema.UnitDocument)
    toml_like: dict[str, Any] = {
        "schema": data["schema"],
        "unit": data["unit"],
        "group": data["groups"],
        "indicator": data["indicators"],
    }
    if data.get("dashboard") is not None:
        toml_like["dashboard"] = data["dashboard"]
    if data.get("report") is not None:
        toml_like["report"] = data["report"]
    if data.get("rules"):
        toml_like["rule"] = data["rules"]
    return definitions_from_dict(toml_like, Locator(where))


def integer_ids(defs: Definitions | None) -> frozenset[str]:
    """The ids of the indicators that count whole things (`integer = true`): their whole
    values go on the wire as `6`, not `6.0` (none without definitions)."""
    if defs is None:
        return frozenset()
    return frozenset(i.id for i in defs.indicators if i.integer)


def _value_json(entry: Entry, integer: bool = False) -> Any:
    """A value alone, or `{"value", "note", "by", "at", "cause", "remedy", "followup"}` (those
    it has);
    a whole value of an integer indicator as an int."""
    extra: dict[str, Any] = {
        k: getattr(entry, k) for k in ("note", "by", "cause", "remedy") if getattr(entry, k)
    }
    if entry.at is not None:
        extra["at"] = entry.at.isoformat()
    if entry.followup is not None:
        extra["followup"] = followup_to_toml(entry.followup)
    value = whole(entry.value, integer)
    return {"value": value, **extra} if extra else value


def progress_to_json(progress: Progress, defs: Definitions | None = None) -> dict[str, Any]:
    """`{"unit", "period", "as_of", "closed", "values"}`; a value with a note, who or when is
    an object (`{"value", "note", "by", "at", "cause", "remedy"}`); whole values of the
    integer indicators of `defs` as ints."""
    integer = integer_ids(defs)
    values: dict[str, Any] = {}
    for key, entry in progress.values.items():
        values[key] = _value_json(entry, key in integer)
    return {
        "unit": progress.unit,
        "period": str(progress.period),
        "as_of": progress.as_of.isoformat() if progress.as_of is not None else None,
        "closed": closed_to_json(progress.closed),
        "state": quarter_state(progress),
        "returned": returned_to_json(progress.returned),
        "tamper": tamper_mark(progress),
        "values": values,
    }


def _when(value: Any) -> Any:
    """An ISO 8601 text as a datetime (anything else as it is, for the loader to refuse)."""
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    return value


def progress_from_json(
    data: Any, defs: Definitions, where: str, period: Period, source: str
) -> tuple[Progress, list[ChitieuError]]:
    """Validate a progress document from the server against the definitions."""
    if not isinstance(data, dict):
        raise ShapeError("err.wire.not_object", got=_kind(data))
    for key in ("unit", "period", "values"):
        if key not in data:
            raise ShapeError("err.wire.missing", field=key)
    data = checked(data, schema.ProgressDocument)
    keep = ("unit", "period", "as_of", "values", "closed", "returned")
    toml_like = {k: v for k, v in data.items() if k in keep}
    toml_like["schema"] = SCHEMA
    if toml_like.get("as_of") is None:
        toml_like.pop("as_of", None)
    if toml_like.get("closed") is None:
        toml_like.pop("closed", None)
    elif isinstance(toml_like["closed"], dict):
        toml_like["closed"] = {
            k: _when(v) if k == "at" else v for k, v in toml_like["closed"].items()
        }
        approved = toml_like["closed"].get("approved", None)
        if approved is None:
            toml_like["closed"].pop("approved", None)
        elif isinstance(approved, dict):
            toml_like["closed"]["approved"] = {
                k: _when(v) if k == "at" else v for k, v in approved.items()
            }
    if toml_like.get("returned") is None:
        toml_like.pop("returned", None)
    elif isinstance(toml_like["returned"], dict):
        toml_like["returned"] = {
            k: _when(v) if k == "at" else v for k, v in toml_like["returned"].items()
        }
    if isinstance(toml_like["values"], dict):
        toml_like["values"] = {
            k: {f: _when(x) if f == "at" else x for f, x in v.items()} if isinstance(v, dict) else v
            for k, v in toml_like["values"].items()
        }
    progress, warnings = progress_from_dict(
        toml_like, defs, Locator(where), expect_period=period, source=source
    )
    if "tamper" in data:  # the server's verdict ("" for none); absent from older servers
        progress = dataclasses.replace(progress, tamper=data["tamper"] or "")
    return progress, warnings


def journal_to_json(
    unit: str, period: Period, changes: list[Change], defs: Definitions | None = None
) -> dict[str, Any]:
    """`{"unit", "period", "changes": [{"at", "via", "by", "id", "old", "new", "note",
    "reason", "hand"}]}`, oldest first; whole values of the integer indicators of `defs` as
    ints."""
    integer = integer_ids(defs)
    return {
        "unit": unit,
        "period": str(period),
        "changes": [c.to_json(integer=c.id in integer) for c in changes],
    }


def journal_from_json(data: Any) -> list[Change]:
    """The changes of a journal document from the server (ShapeError when malformed)."""
    if not isinstance(data, dict) or not isinstance(data.get("changes"), list):
        raise ShapeError("err.wire.missing", field="changes")
    data = checked(data, schema.Journal)
    changes: list[Change] = []
    for i, raw in enumerate(data["changes"]):
        found = change_from_raw(raw)
        if isinstance(found, Msg):
            raise ShapeError(Msg("err.journal.in_change", n=i + 1, detail=found))
        changes.append(found)
    return changes


def periods_from_json(data: Any) -> list[Period]:
    """The `periods` list of `/units/{unit}/periods`, oldest first."""
    if not isinstance(data, dict) or not isinstance(data.get("periods"), list):
        raise ShapeError("err.wire.periods_shape")
    raw = data["periods"]
    if len(raw) > 10_000:
        raise ShapeError("err.wire.too_many_periods")
    bad = [p for p in raw if not isinstance(p, str) or not Period.is_valid(p)]
    if bad:
        raise ShapeError("err.wire.periods_format")
    checked(data, schema.PeriodList)
    return sorted({Period.parse(p) for p in raw})


def _kind(value: Any) -> Msg:
    """The word for the JSON type of `value`."""
    if isinstance(value, list):
        return Msg("type.array")
    if isinstance(value, str):
        return Msg("type.str")
    if isinstance(value, bool):
        return Msg("json.bool")
    if isinstance(value, (int, float)):
        return Msg("type.float")
    if value is None:
        return Msg("json.null")
    return Msg("json.other")
