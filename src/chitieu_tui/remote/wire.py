"""JSON <-> model conversion shared by the API server and the API client."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec

from chitieu_tui.core.errors import ChitieuError, DataError
from chitieu_tui.core.journal import Change, change_from_raw
from chitieu_tui.core.loader import definitions_from_dict, progress_from_dict
from chitieu_tui.core.model import Closed, Definitions, Entry, Progress, drop_none
from chitieu_tui.core.periods import Period
from chitieu_tui.core.tomlfile import Locator
from chitieu_tui.i18n import Msg

API_PREFIX = "/api/v1"
SCHEMA = 1


class ShapeError(DataError):
    """A JSON document that does not have the shape of the API (docs/api.md)."""


def definitions_to_json(defs: Definitions) -> dict[str, Any]:
    """`{"schema", "unit", "dashboard", "groups", "indicators"}`: chitieu.toml as JSON."""
    return {
        "schema": SCHEMA,
        "unit": msgspec.to_builtins(defs.unit),
        "dashboard": msgspec.to_builtins(defs.dashboard),
        "groups": [msgspec.to_builtins(g) for g in defs.groups],
        "indicators": [drop_none(msgspec.to_builtins(i)) for i in defs.indicators],
    }


def definitions_from_json(data: Any, where: str) -> Definitions:
    """Validate a unit document from the server (every string is cleaned by the loader)."""
    if not isinstance(data, dict):
        raise ShapeError("err.wire.not_object", got=_kind(data))
    for key in ("unit", "groups", "indicators"):
        if key not in data:
            raise ShapeError("err.wire.missing", field=key)
    schema = data.get("schema", SCHEMA)
    toml_like: dict[str, Any] = {
        "schema": schema,
        "unit": data["unit"],
        "group": data["groups"],
        "indicator": data["indicators"],
    }
    if data.get("dashboard") is not None:
        toml_like["dashboard"] = data["dashboard"]
    return definitions_from_dict(toml_like, Locator(where))


def _value_json(entry: Entry) -> Any:
    """A value alone, or `{"value", "note", "by", "at", "cause", "remedy"}` (those it has)."""
    extra: dict[str, Any] = {
        k: getattr(entry, k) for k in ("note", "by", "cause", "remedy") if getattr(entry, k)
    }
    if entry.at is not None:
        extra["at"] = entry.at.isoformat()
    return {"value": entry.value, **extra} if extra else entry.value


def closed_to_json(closed: Closed | None) -> dict[str, Any] | None:
    """`{"at", "by", "reason"}` (at in ISO 8601), or None for an open quarter."""
    if closed is None:
        return None
    return {"at": closed.at.isoformat(), "by": closed.by, "reason": closed.reason}


def progress_to_json(progress: Progress) -> dict[str, Any]:
    """`{"unit", "period", "as_of", "closed", "values"}`; a value with a note, who or when is
    an object (`{"value", "note", "by", "at", "cause", "remedy"}`)."""
    values: dict[str, Any] = {}
    for key, entry in progress.values.items():
        values[key] = _value_json(entry)
    return {
        "unit": progress.unit,
        "period": str(progress.period),
        "as_of": progress.as_of.isoformat() if progress.as_of is not None else None,
        "closed": closed_to_json(progress.closed),
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
    keep = ("unit", "period", "as_of", "values", "closed")
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
    if isinstance(toml_like["values"], dict):
        toml_like["values"] = {
            k: {f: _when(x) if f == "at" else x for f, x in v.items()} if isinstance(v, dict) else v
            for k, v in toml_like["values"].items()
        }
    return progress_from_dict(toml_like, defs, Locator(where), expect_period=period, source=source)


def journal_to_json(unit: str, period: Period, changes: list[Change]) -> dict[str, Any]:
    """`{"unit", "period", "changes": [{"at", "via", "by", "id", "old", "new", "note",
    "reason", "hand"}]}`, oldest first."""
    return {"unit": unit, "period": str(period), "changes": [c.to_json() for c in changes]}


def journal_from_json(data: Any) -> list[Change]:
    """The changes of a journal document from the server (ShapeError when malformed)."""
    if not isinstance(data, dict) or not isinstance(data.get("changes"), list):
        raise ShapeError("err.wire.missing", field="changes")
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
