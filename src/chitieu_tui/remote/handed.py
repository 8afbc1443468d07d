"""The targets handed down read over the API (DESIGN 13): `GET /api/v1/targets/{year}`, asked
conditionally like every read; a 404 means the year has no assignment (or a server from
before issue 21), never an error."""

from __future__ import annotations

from typing import Any

import msgspec
from msgspec import UNSET

from chitieu_tui.core.targets import BASIS_MAX, Assignment, Targets
from chitieu_tui.core.text import clean
from chitieu_tui.remote import schema
from chitieu_tui.remote.client import ApiClient, public_url
from chitieu_tui.remote.wire import API_PREFIX


def targets_from_json(data: Any, year: int, where: str) -> Targets | None:
    """`{"year", "indicators"}` as the server sends it, checked against its wire shape
    (unknown fields ignored); None when it is not the year's or off the shape (as a broken
    targets file is to the roll-up: no marks)."""
    try:
        doc = msgspec.convert(data, schema.TargetsDocument)
    except msgspec.ValidationError:
        return None
    if doc.year != year:
        return None
    items = [
        Assignment(
            id=item.id,
            target=None if item.target is UNSET else float(item.target),
            basis=clean(item.basis)[:BASIS_MAX],
            units={unit: float(value) for unit, value in item.units.items()},
        )
        for item in doc.indicators
    ]
    return Targets(year, where, items)


class TargetsReader:
    """Reads one year's assignment through an ApiClient (its ETag cache: an unchanged poll
    is a 304), decoding it again only when the body changed."""

    def __init__(self, client: ApiClient) -> None:
        self.client = client
        self._last: tuple[int, str, Targets | None] | None = None

    def where(self, year: int) -> str:
        """The route's public URL (how the roll-up's note names where the assignment is)."""
        return public_url(self.client.url(f"{API_PREFIX}/targets/{year}"))

    async def read(self, year: int) -> Targets | None:
        """The year's assignment; None on 404. SourceError when the server cannot answer."""
        fetched = await self.client.fetch(f"{API_PREFIX}/targets/{year}", missing_ok=True)
        if fetched.status == 404:
            self._last = None
            return None
        last = self._last
        if last is not None and last[0] == year and last[1] == fetched.digest:
            return last[2]
        targets = targets_from_json(fetched.data, year, self.where(year))
        self._last = (year, fetched.digest, targets)
        return targets
