"""A collection read from a server with many units: each unit an ApiSource with its own ETag."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from chitieu_tui.core.collection import Collection, Member
from chitieu_tui.core.errors import Place, SourceError
from chitieu_tui.core.text import clean
from chitieu_tui.remote.client import TOKEN_ENV, ApiClient, Settings
from chitieu_tui.remote.source import ApiSource, normalize_base_url
from chitieu_tui.remote.wire import API_PREFIX

LIST_DEADLINE = 20.0


def parse_units(data: Any, where: str) -> list[tuple[str, str]]:
    """`[{"id", "name"}]` from `GET /api/v1/units`, checked."""
    if not isinstance(data, list):
        raise SourceError("err.collection.units_shape", Place(where))
    units: list[tuple[str, str]] = []
    for item in data:
        if not isinstance(item, dict):
            raise SourceError("err.collection.units_shape", Place(where))
        uid, name = item.get("id"), item.get("name")
        if not isinstance(uid, str) or not isinstance(name, str):
            raise SourceError("err.collection.units_shape", Place(where))
        units.append((uid, clean(name)))
    if not units:
        raise SourceError("err.collection.no_units", Place(where))
    return units


def api_collection(
    base_url: str,
    snapshots: Path | None = None,
    lang: str = "vi",
    token: str | None = None,
    **source_options: Any,
) -> Collection:
    """A collection whose members are found on the server when it is first loaded."""
    url = normalize_base_url(base_url)
    token = token if token is not None else (os.environ.get(TOKEN_ENV) or None)

    async def discover() -> list[Member]:
        client = ApiClient(url, token, Settings(), lang=lang)
        client.deadline_at = time.monotonic() + LIST_DEADLINE
        try:
            fetched = await client.fetch(f"{API_PREFIX}/units")
        finally:
            await client.aclose()
        units = parse_units(fetched.data, client.url(f"{API_PREFIX}/units"))
        return [
            Member(
                uid,
                ApiSource(
                    url,
                    uid,
                    snapshots=snapshots / uid if snapshots is not None else None,
                    token=token,
                    lang=lang,
                    **source_options,
                ),
                title=name,
            )
            for uid, name in units
        ]

    return Collection(url, [], [], label=f"api:{url}", kind="api", discover=discover)
