"""Writing over `--api` (DESIGN section 12): the write requests of core/requests.py sent to
the server's write routes with the account's token, blocking (the form and the CLI call
`write` from a worker thread or the command line).

The server answers each with the quarter as it now stands; a 412 is the file writer's
ConflictError (with the current entry, so the form's conflict choice works unchanged); a
write that timed out is read back and what the server now holds is said, never retried.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from chitieu_tui.core.approval import STATE_KEYS
from chitieu_tui.core.errors import ChitieuError, EntryError, Place, SourceError, WriteError
from chitieu_tui.core.model import Entry, Progress
from chitieu_tui.core.outliers import OutlierError
from chitieu_tui.core.periods import Period
from chitieu_tui.core.requests import (
    ANY,
    Approve,
    ClearFollowup,
    Close,
    Reopen,
    Request,
    Return,
    SetValue,
    Unset,
    Written,
)
from chitieu_tui.core.text import clean
from chitieu_tui.core.writer import ConflictError, ImplausibleError
from chitieu_tui.i18n import Msg, current
from chitieu_tui.remote.client import _USER_AGENT, _plain_http_context, _problem_detail
from chitieu_tui.remote.wire import API_PREFIX, definitions_from_json, progress_from_json

if TYPE_CHECKING:
    import httpx  # lazy: httpx only when writing over --api

    from chitieu_tui.core.model import Definitions

WRITER_ROLE = "editor"
APPROVER_ROLE = "approver"


def role_needed(requests: Sequence[Request]) -> str:
    """The role a write needs: approving and returning are the approver's, the rest the
    editor's (docs/api.md, the rights table)."""
    if requests and all(isinstance(r, Approve | Return) for r in requests):
        return APPROVER_ROLE
    return WRITER_ROLE


def entry_from_json(raw: Any) -> Entry | None:
    """A value as the API carries it (a value, or `{"value", "note", "by", "at", …}`)."""
    if raw is None:
        return None
    if isinstance(raw, dict):
        value = raw.get("value")
        texts = {
            k: clean(raw[k], multiline=k != "by")
            for k in ("note", "by", "cause", "remedy")
            if isinstance(raw.get(k), str)
        }
        at = None
        if isinstance(raw.get("at"), str):
            try:
                at = dt.datetime.fromisoformat(raw["at"])
            except ValueError:
                at = None
    else:
        value, texts, at = raw, {}, None
    if not isinstance(value, bool | int | float):
        return None
    return Entry(value if isinstance(value, bool) else float(value), at=at, **texts)


def _index_of(resp: httpx.Response, count: int) -> int | None:
    """The `index` a refused bulk write names (None when it names none)."""
    try:
        doc = resp.json()
    except ValueError:
        return None
    index = doc.get("index") if isinstance(doc, dict) else None
    if isinstance(index, int) and not isinstance(index, bool) and 0 <= index < count:
        return index
    return None


def _shown(value: float | bool) -> str:
    return str(value).lower() if isinstance(value, bool) else f"{value:g}"


def _expect_json(expect: Any) -> Any:
    if isinstance(expect, Entry):
        return {"value": expect.value, "note": expect.note}
    return None


class ApiWriter:
    """The blocking half of an ApiSource that writes (one httpx.Client per call)."""

    def __init__(self, base_url: str, unit: str, token: str | None, timeout: float) -> None:
        self.base_url = base_url
        self.unit = unit
        self._token = token
        self.timeout = timeout
        self.role: str | None = None
        """The account's role as `GET /me` said it (None: not asked yet)."""
        self.accounts = False
        """True when the server has accounts (`"auth": "account"`)."""
        self.units: tuple[str, ...] = ()
        """The account's units as `GET /me` said them (`*`: every unit)."""

    def _client(self) -> httpx.Client:
        import httpx  # lazy: httpx only when writing over --api

        headers = {
            "Accept": "application/json",
            "Accept-Language": current(),
            "User-Agent": _USER_AGENT,
        }
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        secure = self.base_url.startswith("https:")
        return httpx.Client(
            timeout=self.timeout,
            follow_redirects=False,
            verify=True if secure else _plain_http_context(),
            headers=headers,
        )

    def ask_role(self) -> str:
        """`GET /api/v1/me`: the account's role (`viewer` for a server without accounts,
        or one that does not know the route)."""
        import httpx  # lazy: httpx only when writing over --api

        if self.role is not None:
            return self.role
        url = f"{self.base_url}{API_PREFIX}/me"
        try:
            with self._client() as client:
                resp = client.get(url)
        except httpx.HTTPError:
            raise SourceError("err.api.write_unreachable", Place(url)) from None
        if resp.status_code == 401:
            raise SourceError(
                Msg("err.api.write_refused", detail=_problem_detail(resp.content)), Place(url)
            )
        data = None
        if resp.status_code == 200:
            try:
                data = resp.json()
            except ValueError:
                data = None
        return self.take_me(data)

    def take_me(self, data: Any) -> str:
        """Note the role of a `/me` answer (None: the server has no such route)."""
        role = "viewer"
        if isinstance(data, dict) and data.get("auth") == "account":
            self.accounts = True
            got = data.get("role")
            role = got if isinstance(got, str) and got.isascii() else "viewer"
            units = data.get("units")
            if isinstance(units, list):
                self.units = tuple(u for u in units if isinstance(u, str))
        self.role = role
        return role

    def refusal(self, needed: str = WRITER_ROLE) -> Msg:
        """Why this client cannot do what `needed` may: its role, or a server without
        accounts."""
        if not self.accounts:
            return Msg("err.read_only.api")
        key = "err.approve.role" if needed == APPROVER_ROLE else "err.read_only.role"
        return Msg(key, role=clean(self.role or ""))

    def may(self, needed: str, unit: str) -> bool:
        """True when `GET /me` said the account has role `needed` for `unit`."""
        return self.role == needed and ("*" in self.units or unit in self.units)

    def write(self, requests: Sequence[Request], defs: Definitions | None) -> Written:
        """Send each request in order (each its own transaction on the server); the quarter
        as the last answer has it."""
        needed = role_needed(requests)
        if self.ask_role() != needed:
            raise WriteError(self.refusal(needed))
        values = [r for r in requests if isinstance(r, SetValue)]
        if len(values) == len(requests) and (len(values) > 1 or values[0].via == "import"):
            return self._bulk(values, defs)
        written: Written | None = None
        for request in requests:
            written = self._one(request, defs)
        assert written is not None
        return written

    def _bulk(self, requests: list[SetValue], defs: Definitions | None) -> Written:
        """Many values of one quarter in one transaction on the server (`POST …/values`):
        all written or none; a refusal carries `index`, the request it names."""
        import httpx  # lazy: httpx only when writing over --api

        period = requests[0].period
        url = f"{self.base_url}{API_PREFIX}/units/{self.unit}/progress/{period}/values"
        items: list[dict[str, Any]] = []
        for r in requests:
            item: dict[str, Any] = {"id": r.id, "value": r.value}
            for key in ("note", "cause", "remedy"):
                if getattr(r, key) is not None:
                    item[key] = getattr(r, key)
            if r.expect is not ANY:
                item["expect"] = _expect_json(r.expect)
            items.append(item)
        via = requests[0].via if requests[0].via in ("set", "form", "import") else "set"
        body = {
            "values": items,
            "confirm": all(r.confirm for r in requests),
            "confirm_outlier": all(r.confirm_outlier for r in requests),
            "via": via,
        }
        try:
            with self._client() as client:
                resp = client.post(url, content=json.dumps(body).encode("utf-8"))
        except httpx.TimeoutException:
            raise self._unsure_bulk(requests, url) from None
        except httpx.HTTPError:
            raise SourceError("err.api.write_unreachable", Place(url)) from None
        try:
            return self._answer(resp, requests[0], defs, url)
        except ChitieuError as exc:
            index = _index_of(resp, len(requests))
            if index is not None:
                exc.index = index
            raise

    def _unsure_bulk(self, requests: list[SetValue], url: str) -> WriteError:
        """A bulk write that timed out: read the quarter back and say how many of the values
        sent it holds (all: written; none: not written; else another writer's too)."""

        where = url.rsplit("/", 1)[0]
        seconds = f"{self.timeout:g}"
        data = self._read_back(where)
        values = data.get("values") if isinstance(data, dict) else None
        if not isinstance(values, dict):
            return WriteError("err.api.write_unknown", Place(where), seconds=seconds)
        held = 0
        for r in requests:
            entry = entry_from_json(values.get(r.id))
            if entry is None:
                continue
            if isinstance(r.value, str):  # as typed: compared as the plain number it shows
                held += _shown(entry.value) == r.value.strip()
            else:
                held += isinstance(entry.value, bool) == isinstance(r.value, bool) and (
                    entry.value == r.value
                )
        state = Msg("api.state.bulk", n=held, total=len(requests))
        return WriteError("err.api.write_read_back", Place(where), seconds=seconds, state=state)

    def _one(self, request: Request, defs: Definitions | None) -> Written:
        import httpx  # lazy: httpx only when writing over --api

        base = f"{self.base_url}{API_PREFIX}/units/{self.unit}/progress/{request.period}"
        params: dict[str, str] = {}
        body: dict[str, Any] | None = None
        if isinstance(request, SetValue):
            method, url = "PUT", f"{base}/values/{quote(request.id, safe='')}"
            body = {
                "value": request.value,
                "confirm": request.confirm,
                "confirm_outlier": request.confirm_outlier,
            }
            body["via"] = request.via if request.via in ("set", "form", "import") else "set"
            for key in ("note", "cause", "remedy"):
                if getattr(request, key) is not None:
                    body[key] = getattr(request, key)
            if request.expect is not ANY:
                body["expect"] = _expect_json(request.expect)
        elif isinstance(request, Unset):
            method, url = "DELETE", f"{base}/values/{quote(request.id, safe='')}"
            if request.expect is not ANY:
                params["expect"] = json.dumps(_expect_json(request.expect))
        elif isinstance(request, Approve):
            method, url = "POST", f"{base}/approve"
            body = {"note": request.note} if request.note else {}
        elif isinstance(request, Return):
            method, url = "POST", f"{base}/return"
            body = {"reason": request.reason}
        elif isinstance(request, ClearFollowup):
            raise WriteError(Msg("err.followup.api"), Place(base))
        else:
            assert isinstance(request, Close | Reopen)
            method = "POST"
            url = f"{base}/{'reopen' if isinstance(request, Reopen) else 'close'}"
            body = {"reason": request.reason}
        content = None if body is None else json.dumps(body).encode("utf-8")
        try:
            with self._client() as client:
                resp = client.request(method, url, content=content, params=params)
        except httpx.TimeoutException:
            raise self._unsure(request, defs) from None
        except httpx.HTTPError:
            raise SourceError("err.api.write_unreachable", Place(url)) from None
        return self._answer(resp, request, defs, url)

    def _answer(
        self, resp: httpx.Response, request: Request, defs: Definitions | None, url: str
    ) -> Written:
        status = resp.status_code
        if status == 200:
            progress = self._progress(resp.content, request.period, defs, url)
            return Written(url, progress)
        try:
            doc = resp.json()
        except ValueError:
            doc = {}
        doc = doc if isinstance(doc, dict) else {}
        code = doc.get("code") if isinstance(doc.get("code"), str) else ""
        msg = Msg("err.api.write_refused", detail=_problem_detail(resp.content) or str(status))
        if status == 412:
            raise ConflictError(entry_from_json(doc.get("current")), Place(url))
        if code == "err.entry.implausible":
            raise ImplausibleError(msg)
        if code == "err.entry.outlier":
            raise OutlierError(msg)
        if status in (409, 422):
            raise EntryError(msg)
        raise WriteError(msg, Place(url))

    def _progress(
        self, body: bytes, period: Period, defs: Definitions | None, url: str
    ) -> Progress:
        if defs is None:
            defs = self.definitions()
        progress, _ = progress_from_json(
            json.loads(body), defs, url, period, f"api:{self.base_url}"
        )
        return progress

    def definitions(self) -> Definitions:
        """The unit's definitions (for the CLI, which writes without loading first)."""
        url = f"{self.base_url}{API_PREFIX}/units/{self.unit}"
        with self._client() as client:
            resp = client.get(url)
        if resp.status_code != 200:
            msg = Msg("err.api.write_refused", detail=_problem_detail(resp.content))
            raise SourceError(msg, Place(url))
        return definitions_from_json(resp.json(), url)

    def _read_back(self, url: str) -> Any:
        """The quarter's progress document after a write timed out (None: not readable)."""
        import httpx  # lazy: httpx only when writing over --api

        try:
            with self._client() as client:
                resp = client.get(url)
            return resp.json() if resp.status_code == 200 else None
        except (httpx.HTTPError, ValueError):
            return None

    def _unsure(self, request: Request, defs: Definitions | None) -> WriteError:
        """A write that timed out: read the quarter back and say what it holds now."""

        url = f"{self.base_url}{API_PREFIX}/units/{self.unit}/progress/{request.period}"
        seconds = f"{self.timeout:g}"
        data = self._read_back(url)
        if not isinstance(data, dict):
            return WriteError("err.api.write_unknown", Place(url), seconds=seconds)
        if isinstance(request, Approve | Return):
            state = Msg(STATE_KEYS.get(str(data.get("state")), "state.open"))
        elif isinstance(request, Close | Reopen):
            state = Msg("api.state.closed" if data.get("closed") else "api.state.open")
        else:
            values = data.get("values")
            entry = entry_from_json(values.get(request.id)) if isinstance(values, dict) else None
            if entry is None:
                state = Msg("api.state.no_value", id=clean(request.id))
            else:
                state = Msg("api.state.value", id=clean(request.id), value=_shown(entry.value))
        return WriteError("err.api.write_read_back", Place(url), seconds=seconds, state=state)
