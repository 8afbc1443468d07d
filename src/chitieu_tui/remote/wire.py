"""JSON <-> model conversion shared by the API server and the API client."""

from __future__ import annotations

from typing import Any

import msgspec

from chitieu_tui.core.errors import ChitieuError, DataError
from chitieu_tui.core.loader import definitions_from_dict, progress_from_dict
from chitieu_tui.core.model import Definitions, Progress, drop_none
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


def progress_to_json(progress: Progress) -> dict[str, Any]:
    """`{"unit", "period", "as_of", "values"}`; a value with a note is `{"value", "note"}`."""
    values: dict[str, Any] = {}
    for key, entry in progress.values.items():
        values[key] = {"value": entry.value, "note": entry.note} if entry.note else entry.value
    return {
        "unit": progress.unit,
        "period": str(progress.period),
        "as_of": progress.as_of.isoformat() if progress.as_of is not None else None,
        "values": values,
    }


def progress_from_json(
    data: Any, defs: Definitions, where: str, period: Period, source: str
) -> tuple[Progress, list[ChitieuError]]:
    """Validate a progress document from the server against the definitions."""
    if not isinstance(data, dict):
        raise ShapeError("err.wire.not_object", got=_kind(data))
    for key in ("unit", "period", "values"):
        if key not in data:
            raise ShapeError("err.wire.missing", field=key)
    toml_like = {k: v for k, v in data.items() if k in ("unit", "period", "as_of", "values")}
    toml_like["schema"] = SCHEMA
    if toml_like.get("as_of") is None:
        toml_like.pop("as_of", None)
    return progress_from_dict(toml_like, defs, Locator(where), expect_period=period, source=source)


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
