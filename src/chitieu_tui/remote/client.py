"""A careful HTTP client for the chitieu API: timeouts, body cap, retries, conditional GETs."""

from __future__ import annotations

import asyncio
import hashlib
import os
import random
import re
import ssl
import sys
import time
import zlib
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import msgspec

from chitieu_tui.core.errors import AuthError, ChitieuError, Place, SourceError, UsageError
from chitieu_tui.core.text import clean
from chitieu_tui.i18n import Msg, current


def _import_httpx() -> Any:
    """Import httpx without its command-line client (click, pygments, rich.syntax…).

    `httpx/__init__.py` imports `httpx._main` inside `try/except ImportError` and falls
    back to a stub; a `None` entry in `sys.modules` makes that import fail, so the CLI's
    dependencies (about 40 ms) are never loaded. The entry is removed again at once.
    """
    if "httpx" in sys.modules:
        return sys.modules["httpx"]
    blocked = "httpx._main" not in sys.modules
    if blocked:
        sys.modules["httpx._main"] = None  # type: ignore[assignment]
    try:
        import httpx  # lazy: here, so that its command-line client is blocked first
    finally:
        if blocked and sys.modules.get("httpx._main", 0) is None:
            del sys.modules["httpx._main"]
    return httpx


if TYPE_CHECKING:
    import httpx
else:
    httpx = _import_httpx()

MiB = 1024 * 1024
RETRY_STATUSES = frozenset({429, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 3
MAX_TOKEN = 4096
TOKEN_ENV = "CHITIEU_API_TOKEN"
CA_ENV = "CHITIEU_CA_BUNDLE"
"""A PEM file of the CA(s) an https:// server's certificate is checked against instead of
the system's (a ward's or province's own CA)."""
_PLAIN_HTTP_OK = [False]
"""`--insecure-http`: a token may go over plain http:// to any host (process-wide, set by
the command line once, like the language)."""
_USER_AGENT = "chitieu-tui/0.1"
_TOKEN_RE = re.compile(r"[A-Za-z0-9\-._~+/]+=*")
"""RFC 6750 `b64token`: what may follow `Bearer ` in an Authorization header."""
_BEARER_RE = re.compile(r"(?i)bearer\s+\S+")
_DECODERS = {"gzip": "gzip", "x-gzip": "gzip", "deflate": "deflate"}
"""Content-Encodings the client decodes itself, under the body cap (one layer only)."""


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
    """Cap on an answer's body, counted after decompression (and before)."""


@dataclass
class Cached:
    """The last 200 of one URL: its ETag, a digest of the body and the decoded JSON."""

    etag: str | None
    digest: str
    data: Any


@dataclass
class Fetched:
    """One answer: the decoded JSON (from the body or the cache on 304) and its digest.

    For a 404 with `missing_ok`: `problem` is the server's detail (as sent) and `error`
    the error `fetch` would have raised.
    """

    status: int
    data: Any = None
    digest: str = ""
    not_modified: bool = False
    problem: str = ""
    error: ChitieuError | None = None

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


def check_token(token: str) -> str:
    """The token if it can be sent as `Authorization: Bearer <token>`; else UsageError.

    Only RFC 6750 b64token characters, not empty, at most MAX_TOKEN characters. The
    message says what is wrong without ever showing the token.
    """
    if not token:
        raise UsageError("err.api.token_empty", env=TOKEN_ENV)
    if len(token) > MAX_TOKEN:
        raise UsageError("err.api.token_long", env=TOKEN_ENV, max=MAX_TOKEN)
    if _TOKEN_RE.fullmatch(token):
        return token
    for index, char in enumerate(token):
        if _TOKEN_RE.fullmatch(char) or (char == "=" and index > 0):
            continue
        if char in "\r\n":
            what = "api.char.newline"
        elif char in " \t":
            what = "api.char.space"
        elif not char.isascii():
            what = "api.char.non_ascii"
        elif not char.isprintable():
            what = "api.char.control"
        else:
            what = "api.char.other"
        if index == len(token) - 1:
            where = "api.where.end"
        elif index == 0:
            where = "api.where.start"
        else:
            where = "api.where.middle"
        raise UsageError("err.api.token_char", env=TOKEN_ENV, what=Msg(what), where=Msg(where))
    # every character is allowed, but '=' is followed by something other than '='
    raise UsageError("err.api.token_padding", env=TOKEN_ENV)


def allow_plain_http(allowed: bool) -> None:
    """`--insecure-http`: let every client of this process send a token over plain http://
    to a host beyond this computer (a trusted network)."""
    _PLAIN_HTTP_OK[0] = allowed


def check_transport(url: str, token: str | None, insecure_http: bool | None = None) -> None:
    """UsageError when `token` would travel in clear text: an http:// URL to a host other
    than loopback (127.0.0.0/8, ::1, localhost), unless `--insecure-http` (`insecure_http`,
    by default the process-wide `allow_plain_http`). Checked before any connection."""
    if not token:
        return
    if insecure_http is None:
        insecure_http = _PLAIN_HTTP_OK[0]
    parts = urlsplit(url)
    if parts.scheme != "http" or insecure_http:
        return
    # lazy: chitieu_tui.web only for this check (its is_loopback is the one rule)
    from chitieu_tui.web import is_loopback

    host = parts.hostname or ""
    if not is_loopback(host):
        shown = clean(host)[:80]
        raise UsageError("err.api.plain_http", host=shown, env=TOKEN_ENV)


def _https_verify() -> ssl.SSLContext | bool:
    """`verify=` of the https client: the CA file of CHITIEU_CA_BUNDLE when it is set (a
    missing, unreadable or broken file is a ChitieuError naming it), else True (the
    system's CAs; SSL_CERT_FILE / SSL_CERT_DIR honoured through trust_env)."""
    bundle = os.environ.get(CA_ENV)
    if not bundle:
        return True
    try:
        return ssl.create_default_context(cafile=bundle)
    except (OSError, ssl.SSLError, ValueError) as exc:
        reason = clean(getattr(exc, "strerror", None) or str(exc) or type(exc).__name__)[:200]
        raise ChitieuError("err.api.ca_bundle", Place(bundle), env=CA_ENV, reason=reason) from None


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
    """`500 Internal Server Error` (the protocol's own words, the same in every language)."""
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


def status_key(status: int) -> str:
    """The catalog key of an HTTP error status."""
    if status == 400:
        return "err.api.bad_request"
    if status == 403:
        return "err.api.forbidden"
    if status == 404:
        return "err.api.not_found"
    if status == 429:
        return "err.api.busy"
    if status >= 500:
        return "err.api.server_error"
    return "err.api.status"


def _plain_http_context() -> ssl.SSLContext:
    """A TLS context for an http:// server: no CA loaded (cheap), and it verifies, so a
    TLS connection through it fails closed. https:// URLs use their own client."""
    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


def _causes(exc: BaseException) -> list[BaseException]:
    """`exc` and the exceptions it was raised from (httpx wraps httpcore wraps OSError)."""
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen and len(seen) < 10:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


class ApiClient:
    """One httpx.AsyncClient per scheme with the policies of docs/api.md; never follows
    other hosts.

    `fetch` raises SourceError (a catalog message, with the URL as its place); the token
    never appears in them. The current language is sent as Accept-Language, so the server words its
    problem details in the reader's language.
    """

    def __init__(
        self,
        base_url: str,
        token: str | None,
        settings: Settings | None = None,
        *,
        insecure_http: bool | None = None,
    ) -> None:
        self.base_url = base_url
        self.settings = settings if settings is not None else Settings()
        self._token = check_token(token) if token is not None else None
        self._insecure_http = _PLAIN_HTTP_OK[0] if insecure_http is None else insecure_http
        check_transport(base_url, self._token, self._insecure_http)
        self._clients: dict[bool, httpx.AsyncClient] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self.cache: dict[str, Cached] = {}
        self.deadline_at: float = float("inf")

    def __repr__(self) -> str:
        return f"ApiClient({self.base_url!r})"

    def _http(self, url: str | None = None) -> httpx.AsyncClient:
        """The httpx.AsyncClient for `url`'s scheme (made in the running loop)."""
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            self._clients = {}  # those of a finished loop cannot be used (nor closed) here
            self._loop = loop
        secure = urlsplit(url or self.base_url).scheme == "https"
        client = self._clients.get(secure)
        if client is None or client.is_closed:
            s = self.settings
            timeout = httpx.Timeout(
                connect=s.connect_timeout, read=s.read_timeout, write=s.read_timeout, pool=5.0
            )
            headers = {
                "Accept": "application/json",
                "Accept-Encoding": "gzip",
                "Accept-Language": current(),
                "User-Agent": _USER_AGENT,
            }
            client = httpx.AsyncClient(
                timeout=timeout,
                follow_redirects=False,
                # https: always verified (CHITIEU_CA_BUNDLE, or SSL_CERT_FILE / SSL_CERT_DIR,
                # may name a private CA);
                # http: no CA bundle is loaded (35 ms saved) and TLS through it fails closed
                verify=_https_verify() if secure else _plain_http_context(),
                trust_env=True,  # honours HTTPS_PROXY / NO_PROXY of the ward's network
                headers=headers,
                limits=httpx.Limits(max_connections=8, max_keepalive_connections=8),
            )
            self._clients[secure] = client
        return client

    async def aclose(self) -> None:
        """Close the connection pools."""
        clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            if not client.is_closed:
                try:
                    await client.aclose()
                except RuntimeError:  # the loop it was made in is gone
                    pass

    def url(self, path: str) -> str:
        """The full URL of an API path."""
        return self.base_url + path

    def _error(self, url: str, key: str | Msg, **params: Any) -> SourceError:
        return SourceError(key, Place(public_url(url)), **params)

    def _remaining(self) -> float:
        return self.deadline_at - time.monotonic()

    async def _sleep_before_retry(
        self, url: str, attempt: int, wait: float | None, why: Msg
    ) -> None:
        s = self.settings
        if wait is None:
            ceiling = min(s.backoff_max, s.backoff * (2**attempt))
            wait = random.uniform(ceiling / 2, ceiling)
        if wait > self._remaining():
            raise self._error(url, "err.api.gave_up", reason=why)
        await asyncio.sleep(wait)

    def _retry_after(self, response: httpx.Response) -> float | None:
        raw = response.headers.get("retry-after", "").strip()
        if not raw:
            return None
        try:
            seconds = float(raw)
        except ValueError:
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
                if any(isinstance(e, ssl.SSLCertVerificationError) for e in _causes(exc)) or (
                    "CERTIFICATE_VERIFY_FAILED" in str(exc)
                ):
                    raise self._error(
                        url, "err.api.tls_untrusted", reason=self._exc_words(exc)
                    ) from None
                why = self._transport_words(exc)
                if attempt >= s.retries:
                    raise self._error(url, why) from None
                await self._sleep_before_retry(url, attempt, None, why)
                attempt += 1
                continue
            except httpx.HTTPError as exc:
                raise self._error(
                    url, "err.api.request_failed", reason=self._exc_words(exc)
                ) from None
            status = response.status_code
            if status in RETRY_STATUSES:
                detail = _problem_detail(body) if _is_json(response) else ""
                why = _with_detail(Msg(status_key(status), status=status_words(status)), detail)
                if attempt >= s.retries:
                    raise self._error(url, why) from None
                wait = self._retry_after(response) if status in (429, 503) else None
                await self._sleep_before_retry(url, attempt, wait, why)
                attempt += 1
                continue
            return self._interpret(url, path, response, body, missing_ok)

    async def _get(self, url: str, path: str) -> tuple[httpx.Response, bytes]:
        """One GET (following same-host redirects), the body read under the size cap."""
        cached = self.cache.get(path)
        for _ in range(MAX_REDIRECTS + 1):
            client = self._http(url)
            headers: dict[str, str] = {}
            if self._token and _same_host_ok(self.base_url, url):
                check_transport(url, self._token, self._insecure_http)  # never in clear text
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
                        raise self._error(url, "err.api.redirect_away", host=shown)
                    url = target
                    continue
                body = await self._read_capped(url, response)
                return response, body
            finally:
                await response.aclose()
        raise self._error(url, "err.api.redirects", n=MAX_REDIRECTS)

    async def _read_capped(self, url: str, response: httpx.Response) -> bytes:
        """The body, decoded (identity, or one gzip/deflate layer) under `max_body`.

        Both the bytes on the wire and the decoded bytes are counted, chunk by chunk, so a
        decompression bomb is refused at the cap without ever being expanded beyond it.
        """
        cap = self.settings.max_body
        coding = self._content_coding(url, response)
        length = response.headers.get("content-length", "")
        if length.isdigit() and int(length) > cap:
            raise self._too_big(url, cap)
        decoder = _Decoder(coding) if coding else None
        chunks: list[bytes] = []
        raw_total = total = 0
        async for raw in response.aiter_raw():
            raw_total += len(raw)
            if raw_total > cap:
                raise self._too_big(url, cap)
            if decoder is None:
                total += len(raw)
                if total > cap:
                    raise self._too_big(url, cap)
                chunks.append(raw)
                continue
            try:
                for piece in decoder.feed(raw, cap - total + 1):
                    total += len(piece)
                    if total > cap:
                        raise self._too_big(url, cap)
                    chunks.append(piece)
            except zlib.error:
                raise self._error(url, "err.api.bad_compression", encoding=coding) from None
        if decoder is not None:
            try:
                tail = decoder.finish()
            except zlib.error:
                raise self._error(url, "err.api.bad_compression", encoding=coding) from None
            total += len(tail)
            if total > cap:
                raise self._too_big(url, cap)
            chunks.append(tail)
        return b"".join(chunks)

    def _content_coding(self, url: str, response: httpx.Response) -> str:
        """'' (identity), 'gzip' or 'deflate'; SourceError for anything else (br, zstd,
        stacked layers such as `gzip, gzip`)."""
        header = response.headers.get("content-encoding", "")
        layers = [c.strip().lower() for c in header.split(",")]
        layers = [c for c in layers if c and c != "identity"]
        if not layers:
            return ""
        if len(layers) == 1 and layers[0] in _DECODERS:
            return _DECODERS[layers[0]]
        shown = clean(header)[:60]
        raise self._error(url, "err.api.encoding", encoding=shown)

    def _too_big(self, url: str, cap: int) -> SourceError:
        return self._error(url, "err.api.too_large", cap=_size_words(cap))

    def _interpret(
        self, url: str, path: str, response: httpx.Response, body: bytes, missing_ok: bool
    ) -> Fetched:
        status = response.status_code
        if status == 304:
            cached = self.cache.get(path)
            if cached is None:
                raise self._error(url, "err.api.not_modified_fresh")
            return Fetched(304, cached.data, cached.digest, not_modified=True)
        if status == 200:
            data = self._decode(url, response, body)
            digest = hashlib.sha256(body).hexdigest()
            etag = response.headers.get("etag")
            self.cache[path] = Cached(etag if etag and len(etag) < 200 else None, digest, data)
            return Fetched(200, data, digest)
        detail = _problem_detail(body) if _is_json(response) else ""
        place = Place(public_url(url))
        if status == 401:
            key = "err.api.token_refused" if self._token else "err.api.token_needed"
            own = Msg(key, env=TOKEN_ENV, status=status_words(401))
            raise AuthError(_with_detail(own, detail), place)
        own = Msg(status_key(status), status=status_words(status))
        error = SourceError(_with_detail(own, detail), place)
        if status == 404 and missing_ok:
            return Fetched(404, problem=detail, error=error)
        raise error

    def _decode(self, url: str, response: httpx.Response, body: bytes) -> Any:
        ctype = response.headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype in ("text/html", "application/xhtml+xml") or body.lstrip()[:1] == b"<":
            raise self._error(url, "err.api.html")
        if not body.strip():
            raise self._error(url, "err.api.empty")
        try:
            return msgspec.json.decode(body)
        except msgspec.DecodeError as exc:
            key = "err.api.json_cut" if "truncated" in str(exc) else "err.api.json_invalid"
            raise self._error(url, key) from None
        except (msgspec.ValidationError, RecursionError):
            raise self._error(url, "err.api.json_unusable") from None

    def _timeout_words(self, exc: httpx.TimeoutException) -> Msg:
        s = self.settings
        if isinstance(exc, httpx.ConnectTimeout):
            return Msg("err.api.connect_timeout", seconds=f"{s.connect_timeout:g}")
        if isinstance(exc, httpx.PoolTimeout):
            return Msg("err.api.pool_timeout")
        return Msg("err.api.read_timeout", seconds=f"{s.read_timeout:g}")

    def _transport_words(self, exc: httpx.HTTPError) -> Msg:
        if isinstance(exc, httpx.ConnectError):
            causes = _causes(exc)
            text = str(exc)
            if any(isinstance(e, ConnectionRefusedError) for e in causes) or (
                "Connection refused" in text or "Errno 111" in text
            ):
                return Msg("err.api.refused")
            if any(isinstance(e, OSError) and e.__class__.__name__ == "gaierror" for e in causes):
                return Msg("err.api.no_host")
            return Msg("err.api.connect", reason=self._exc_words(exc))
        if isinstance(exc, httpx.RemoteProtocolError):
            return Msg("err.api.closed")
        return Msg("err.api.broken", reason=self._exc_words(exc))

    def _exc_words(self, exc: Exception) -> str:
        """The library's own words (English, technical), without the token or a header."""
        text = clean(str(exc)) or type(exc).__name__
        if self._token:
            text = text.replace(self._token, "***")
        text = _BEARER_RE.sub("Bearer ***", text)
        return text[:200]


class _Decoder:
    """One gzip or deflate layer, decoded incrementally with bounded output per call."""

    def __init__(self, coding: str) -> None:
        self.coding = coding
        self._zlib_tried = False
        wbits = zlib.MAX_WBITS | 16 if coding == "gzip" else zlib.MAX_WBITS
        self._obj = zlib.decompressobj(wbits)

    def feed(self, data: bytes, limit: int) -> list[bytes]:
        """Decode `data`, stopping once more than `limit` bytes came out (the caller refuses
        then: each call's output is at most `limit` bytes, so memory stays bounded)."""
        if self.coding == "deflate" and not self._zlib_tried:
            self._zlib_tried = True
            try:
                return self._feed(data, limit)
            except zlib.error:  # "deflate" sent as raw deflate (no zlib header)
                self._obj = zlib.decompressobj(-zlib.MAX_WBITS)
        return self._feed(data, limit)

    def _feed(self, data: bytes, limit: int) -> list[bytes]:
        out: list[bytes] = []
        produced = 0
        while data:
            piece = self._obj.decompress(data, max(1, limit - produced))
            out.append(piece)
            produced += len(piece)
            if produced >= limit:
                break  # over the cap: the caller refuses the body
            data = self._obj.unconsumed_tail
            if self._obj.eof:
                break
        return out

    def finish(self) -> bytes:
        """What remains buffered (small: every `feed` call consumed all its input)."""
        return self._obj.flush()


def _with_detail(own: Msg, detail: str) -> Msg:
    """The client's own sentence, then the server's problem detail when there is one."""
    return Msg("err.api.server_says", message=own, detail=detail) if detail else own


def _is_json(response: httpx.Response) -> bool:
    ctype: str = response.headers.get("content-type", "").split(";")[0].strip().lower()
    return ctype == "application/json" or ctype.endswith("+json")


def _size_words(n: int) -> str:
    if n >= MiB and n % MiB == 0:
        return f"{n // MiB} MiB"
    return f"{n} B"
