"""A careful HTTP client for the chitieu API: timeouts, body cap, retries, conditional GETs."""

from __future__ import annotations

import asyncio
import hashlib
import random
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx
import msgspec

from chitieu_tui.core.errors import AuthError, Place, SourceError
from chitieu_tui.core.text import clean

MiB = 1024 * 1024
RETRY_STATUSES = frozenset({429, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 3
_USER_AGENT = "chitieu-tui/0.1"


@dataclass(frozen=True)
class Settings:
    """Timeouts and limits of one API source (seconds, bytes)."""

    connect_timeout: float = 5.0
    read_timeout: float = 10.0
    deadline: float = 20.0
    """Overall limit of one refresh (all requests, retries and waits)."""
    once_deadline: float = 25.0
    """Overall network limit of a one-shot command (`report`, `snapshot`), under 30 s."""
    retries: int = 3
    backoff: float = 0.5
    """First retry waits about this long; each further one twice as long (with jitter)."""
    backoff_max: float = 8.0
    max_retry_after: float = 10.0
    """Cap on a server's Retry-After."""
    max_body: int = 5 * MiB


@dataclass
class Cached:
    """The last 200 of one URL: its ETag, a digest of the body and the decoded JSON."""

    etag: str | None
    digest: str
    data: Any


@dataclass
class Fetched:
    """One answer: the decoded JSON (from the body or the cache on 304) and its digest."""

    status: int
    data: Any = None
    digest: str = ""
    not_modified: bool = False
    problem: str = ""

    @property
    def ok(self) -> bool:
        """True for a document (200, or 304 from the cache)."""
        return self.status in (200, 304)


def public_url(url: str) -> str:
    """The URL without user info, query or fragment (what messages and snapshots may show)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path.rstrip("/"), "", ""))


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    default = {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), parts.port or default


def _same_host_ok(current: str, target: str) -> bool:
    """Redirects are followed only to the same origin, or from http to https on the same host."""
    scheme, host, port = _origin(current)
    t_scheme, t_host, t_port = _origin(target)
    if t_host != host or t_scheme not in ("http", "https"):
        return False
    if (t_scheme, t_port) == (scheme, port):
        return True
    return scheme == "http" and t_scheme == "https"


def _problem_detail(body: bytes) -> str:
    """The `detail` (or `title`) of a problem document, cleaned and short; else ''."""
    try:
        doc = msgspec.json.decode(body)
    except (msgspec.DecodeError, RecursionError):
        return ""
    if not isinstance(doc, dict):
        return ""
    text = doc.get("detail") or doc.get("title") or ""
    if not isinstance(text, str):
        return ""
    text = clean(text)
    return text if len(text) <= 200 else text[:200] + "…"


def status_words(status: int) -> str:
    """`500 Internal Server Error`."""
    try:
        from http import HTTPStatus

        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


class ApiClient:
    """One httpx.AsyncClient with the policies of docs/api.md; never follows other hosts.

    `fetch` raises SourceError with plain words and the URL; the token never appears in them.
    """

    def __init__(self, base_url: str, token: str | None, settings: Settings) -> None:
        self.base_url = base_url
        self.settings = settings
        self._token = token
        self._client: httpx.AsyncClient | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.cache: dict[str, Cached] = {}
        self.deadline_at: float = float("inf")

    def _http(self) -> httpx.AsyncClient:
        loop = asyncio.get_running_loop()
        if self._client is None or self._loop is not loop or self._client.is_closed:
            s = self.settings
            timeout = httpx.Timeout(
                connect=s.connect_timeout, read=s.read_timeout, write=s.read_timeout, pool=5.0
            )
            headers = {"Accept": "application/json", "User-Agent": _USER_AGENT}
            self._client = httpx.AsyncClient(
                timeout=timeout,
                follow_redirects=False,
                verify=True,  # always; SSL_CERT_FILE / SSL_CERT_DIR may add a private CA
                trust_env=True,  # honours HTTPS_PROXY / NO_PROXY of the ward's network
                headers=headers,
                limits=httpx.Limits(max_connections=8, max_keepalive_connections=8),
            )
            self._loop = loop
        return self._client

    async def aclose(self) -> None:
        """Close the connection pool."""
        client, self._client = self._client, None
        if client is not None and not client.is_closed:
            try:
                await client.aclose()
            except RuntimeError:  # the loop it was made in is gone
                pass

    def url(self, path: str) -> str:
        """The full URL of an API path."""
        return self.base_url + path

    def _error(self, url: str, message: str) -> SourceError:
        return SourceError(message, Place(public_url(url)))

    def _remaining(self) -> float:
        return self.deadline_at - time.monotonic()

    async def _sleep_before_retry(
        self, url: str, attempt: int, wait: float | None, why: str
    ) -> None:
        s = self.settings
        if wait is None:
            ceiling = min(s.backoff_max, s.backoff * (2**attempt))
            wait = random.uniform(ceiling / 2, ceiling)
        if wait > self._remaining():
            raise self._error(url, f"{why}; gave up (no time left to retry)")
        await asyncio.sleep(wait)

    def _retry_after(self, response: httpx.Response) -> float | None:
        raw = response.headers.get("retry-after", "").strip()
        if not raw:
            return None
        try:
            seconds = float(raw)
        except ValueError:
            from email.utils import parsedate_to_datetime

            try:
                when = parsedate_to_datetime(raw)
            except (TypeError, ValueError):
                return None
            seconds = when.timestamp() - time.time()
        if seconds != seconds:  # NaN
            return None
        return max(0.0, min(seconds, self.settings.max_retry_after))

    async def fetch(self, path: str, *, missing_ok: bool = False) -> Fetched:
        """GET one API path (conditionally when cached); decoded JSON or SourceError.

        With `missing_ok`, a 404 is returned as `Fetched(404)` instead of raised.
        """
        url = self.url(path)
        s = self.settings
        attempt = 0
        while True:
            try:
                response, body = await self._get(url, path)
            except httpx.TimeoutException as exc:
                why = self._timeout_words(exc)
                if attempt >= s.retries:
                    raise self._error(url, why) from None
                await self._sleep_before_retry(url, attempt, None, why)
                attempt += 1
                continue
            except (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError) as exc:
                why = self._transport_words(exc)
                if "CERTIFICATE_VERIFY_FAILED" in str(exc):
                    raise self._error(
                        url, f"the server's TLS certificate is not trusted ({self._exc_words(exc)})"
                    ) from None
                if attempt >= s.retries:
                    raise self._error(url, why) from None
                await self._sleep_before_retry(url, attempt, None, why)
                attempt += 1
                continue
            except httpx.HTTPError as exc:
                raise self._error(url, f"request failed: {self._exc_words(exc)}") from None
            status = response.status_code
            if status in RETRY_STATUSES:
                why = f"the server answered {status_words(status)}"
                if attempt >= s.retries:
                    raise self._error(url, why) from None
                wait = self._retry_after(response) if status in (429, 503) else None
                await self._sleep_before_retry(url, attempt, wait, why)
                attempt += 1
                continue
            return self._interpret(url, path, response, body, missing_ok)

    async def _get(self, url: str, path: str) -> tuple[httpx.Response, bytes]:
        """One GET (following same-host redirects), the body read under the size cap."""
        client = self._http()
        cached = self.cache.get(path)
        for _ in range(MAX_REDIRECTS + 1):
            headers: dict[str, str] = {}
            if self._token and _same_host_ok(self.base_url, url):
                headers["Authorization"] = f"Bearer {self._token}"
            if cached is not None and cached.etag:
                headers["If-None-Match"] = cached.etag
            request = client.build_request("GET", url, headers=headers)
            response = await client.send(request, stream=True)
            try:
                if response.status_code in REDIRECT_STATUSES:
                    location = response.headers.get("location", "")
                    target = urljoin(url, location)
                    if not location or not _same_host_ok(self.base_url, target):
                        shown = clean(urlsplit(target).hostname or "?")[:80]
                        raise self._error(
                            url, f"the server redirected to another host ({shown}); not followed"
                        )
                    url = target
                    continue
                body = await self._read_capped(url, response)
                return response, body
            finally:
                await response.aclose()
        raise self._error(url, f"more than {MAX_REDIRECTS} redirects; not followed")

    async def _read_capped(self, url: str, response: httpx.Response) -> bytes:
        cap = self.settings.max_body
        too_big = self._error(
            url, f"the answer is larger than {_size_words(cap)}; refused (not a chitieu server?)"
        )
        length = response.headers.get("content-length", "")
        if length.isdigit() and int(length) > cap:
            raise too_big
        chunks: list[bytes] = []
        total = 0
        async for chunk in response.aiter_bytes():
            total += len(chunk)
            if total > cap:
                raise too_big
            chunks.append(chunk)
        return b"".join(chunks)

    def _interpret(
        self, url: str, path: str, response: httpx.Response, body: bytes, missing_ok: bool
    ) -> Fetched:
        status = response.status_code
        if status == 304:
            cached = self.cache.get(path)
            if cached is None:
                raise self._error(url, "the server answered 304 Not Modified to a fresh request")
            return Fetched(304, cached.data, cached.digest, not_modified=True)
        if status == 200:
            data = self._decode(url, response, body)
            digest = hashlib.sha256(body).hexdigest()
            etag = response.headers.get("etag")
            self.cache[path] = Cached(etag if etag and len(etag) < 200 else None, digest, data)
            return Fetched(200, data, digest)
        detail = _problem_detail(body) if _is_json(response) else ""
        if status == 404 and missing_ok:
            return Fetched(404, problem=detail)
        if status == 401:
            if self._token:
                why = "the server refused the token in CHITIEU_API_TOKEN (401 Unauthorized)"
            else:
                why = "the server needs a token: set CHITIEU_API_TOKEN (401 Unauthorized)"
            raise AuthError(why, Place(public_url(url)))
        why = f"the server answered {status_words(status)}"
        raise self._error(url, f"{why}: {detail}" if detail else why)

    def _decode(self, url: str, response: httpx.Response, body: bytes) -> Any:
        ctype = response.headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype in ("text/html", "application/xhtml+xml") or body.lstrip()[:1] == b"<":
            raise self._error(
                url, "the server sent a web page (HTML), not JSON: is this a chitieu API URL?"
            )
        if not body.strip():
            raise self._error(url, "the server sent an empty answer")
        try:
            return msgspec.json.decode(body)
        except msgspec.DecodeError as exc:
            what = "cut short" if "truncated" in str(exc) else "invalid"
            raise self._error(url, f"the server sent {what} JSON") from None
        except (msgspec.ValidationError, RecursionError):
            raise self._error(url, "the server sent JSON this app cannot use") from None

    def _timeout_words(self, exc: httpx.TimeoutException) -> str:
        s = self.settings
        if isinstance(exc, httpx.ConnectTimeout):
            return f"no connection within {s.connect_timeout:g} s"
        if isinstance(exc, httpx.PoolTimeout):
            return "too many requests waiting for a connection"
        return f"the server stopped answering for {s.read_timeout:g} s"

    def _transport_words(self, exc: httpx.HTTPError) -> str:
        if isinstance(exc, httpx.ConnectError):
            return f"cannot connect to the server ({self._exc_words(exc)})"
        if isinstance(exc, httpx.RemoteProtocolError):
            return "the server closed the connection without a complete answer"
        return f"the connection broke ({self._exc_words(exc)})"

    def _exc_words(self, exc: Exception) -> str:
        text = clean(str(exc)) or type(exc).__name__
        if self._token:
            text = text.replace(self._token, "***")
        return text[:200]


def _is_json(response: httpx.Response) -> bool:
    ctype: str = response.headers.get("content-type", "").split(";")[0].strip().lower()
    return ctype == "application/json" or ctype.endswith("+json")


def _size_words(n: int) -> str:
    return f"{n / MiB:g} MiB" if n >= MiB else f"{n} bytes"
