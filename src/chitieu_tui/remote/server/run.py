"""`serve()`: bind host:port and run the API under uvicorn."""

from __future__ import annotations

import errno
import logging
import os
import socket
import ssl
from pathlib import Path

import uvicorn

from chitieu_tui.core.datadir import DEFINITIONS
from chitieu_tui.core.errors import ChitieuError, DataError, Place, UsageError
from chitieu_tui.i18n import Msg
from chitieu_tui.remote.client import check_token
from chitieu_tui.remote.server.app import TOKEN_ENV, accounts_file, create_app
from chitieu_tui.remote.server.guard import (
    BACKLOG,
    STALL_TIMEOUT,
    RateLimit,
    connection_limit,
    guarded_protocol,
)
from chitieu_tui.remote.server.problems import _LOG_LANG, _log_text, log
from chitieu_tui.remote.server.units import Units
from chitieu_tui.web import is_loopback


def _bind(host: str, port: int, backlog: int) -> socket.socket:
    """A listening socket on host:port; a ChitieuError naming them when that fails."""
    address = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    try:
        info = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError):
        raise ChitieuError("err.server.bad_host", address=address) from None
    family, kind, proto, _, sockaddr = info[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(sockaddr)
        sock.listen(backlog)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise ChitieuError("err.server.port_in_use", address=address) from None
        reason = exc.strerror or type(exc).__name__
        raise ChitieuError("err.server.cannot_bind", address=address, reason=reason) from None
    sock.set_inheritable(True)
    return sock


def check_tls(cert: Path | None, key: Path | None) -> bool:
    """True when both files are given and make a usable certificate chain; False for
    neither. UsageError (exit 2) for only one of them; ChitieuError naming the file (exit 1)
    for a missing, unreadable or invalid one, before anything listens."""
    if cert is None and key is None:
        return False
    if cert is None or key is None:
        raise UsageError("err.server.tls_pair")
    for path in (cert, key):
        try:
            with open(path, "rb") as handle:
                handle.read(1)
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            raise ChitieuError("err.server.tls_file", Place(str(path)), reason=reason) from None
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    try:
        context.load_cert_chain(certfile=str(cert), keyfile=str(key))
    except (ssl.SSLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or type(exc).__name__
        where = _tls_culprit(cert, key)
        raise ChitieuError("err.server.tls_invalid", Place(str(where)), reason=reason) from None
    return True


def _tls_culprit(cert: Path, key: Path) -> Path:
    """The file a failed load_cert_chain is about: the certificate when it alone does not
    load; else the key (wrong format, or not the certificate's key)."""
    try:
        ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).load_verify_locations(cafile=str(cert))
    except (ssl.SSLError, OSError, ValueError):
        return cert
    return key


def serve(
    root: Path,
    host: str = "127.0.0.1",
    port: int = 8765,
    lang: str = "vi",
    *,
    yes_public: bool = False,
    stall_timeout: float = STALL_TIMEOUT,
    users: Path | None = None,
    tls_cert: Path | None = None,
    tls_key: Path | None = None,
) -> int:
    """Run the API under uvicorn until interrupted; return the exit status.

    Raises ChitieuError (exit 1) when no folder holds data or host:port cannot be used,
    UsageError (exit 2) for a token no client could send (the client's own rule) and for a
    host beyond this computer without a token unless `yes_public`. `port=0`: any free port
    (the log line names it). `stall_timeout`: seconds a response may wait for a client that
    reads nothing (guard.STALL_TIMEOUT). `users`: the accounts file (`serve --users`; default
    ROOT/users.toml when it exists), read now: a broken one stops the start (exit 1, naming
    file:line:col); with accounts every request needs an account's token and the shared
    token is ignored. `tls_cert`/`tls_key` (`serve --tls-cert/--tls-key`): serve HTTPS;
    both or neither (else UsageError), each file checked before listening (check_tls).
    """
    _LOG_LANG[0] = lang
    tls = check_tls(tls_cert, tls_key)
    token = os.environ.get(TOKEN_ENV) or None
    accounts = accounts_file(root, users)
    if token is not None and accounts is None:
        check_token(token)
    if token is None and accounts is None and not is_loopback(host) and not yes_public:
        raise UsageError("err.server.public", host=host, env=TOKEN_ENV)
    app = create_app(root, token, users=users)  # reads the accounts: broken, exit 1
    units = Units(root)
    good = units.units()
    broken = units.broken()
    if not good and not broken:
        raise DataError("err.server.no_data", Place(str(root)))
    limit = connection_limit(BACKLOG)
    sock = _bind(host, port, BACKLOG)
    port = sock.getsockname()[1]
    scheme = "https" if tls else "http"
    logging.basicConfig(level=logging.INFO, format="%(levelname)s:     %(message)s")
    limiter = RateLimit()
    for name in ("asyncio", "uvicorn.error", "chitieu.serve"):
        logging.getLogger(name).addFilter(limiter)
    auth: Msg | str = Msg("server.log.token_on" if token else "server.log.token_off")
    if accounts is not None:
        count = len(app.state.accounts.current().users)
        auth = Msg("server.log.accounts_on", file=accounts, count=count)
        if token:
            log.warning(_log_text("server.log.token_ignored", env=TOKEN_ENV, file=accounts))
    log.info(
        _log_text(
            "server.log.serving",
            count=len(good),
            units=", ".join(uid for uid, _ in good) or Msg("server.log.none_valid"),
            root=root,
            url=f"{scheme}://[{host}]:{port}" if ":" in host else f"{scheme}://{host}:{port}",
            auth=auth,
        )
    )
    for name in broken:
        log.warning(_log_text("server.log.broken_folder", folder=name, file=DEFINITIONS))
    if token is None and accounts is None and not is_loopback(host):
        log.warning(_log_text("server.log.no_token_public", host=host, env=TOKEN_ENV))
    config = uvicorn.Config(
        app,
        log_level="info",
        server_header=False,
        proxy_headers=False,
        http=guarded_protocol(limit, stall_timeout=stall_timeout),
        limit_concurrency=limit + 16,
        backlog=BACKLOG,
        timeout_keep_alive=5,
        ssl_certfile=str(tls_cert) if tls else None,
        ssl_keyfile=str(tls_key) if tls else None,
    )
    try:
        uvicorn.Server(config).run(sockets=[sock])
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1
    except KeyboardInterrupt:
        return 0
    finally:
        sock.close()
    return 0
