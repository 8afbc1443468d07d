"""`chitieu web`: the dashboard in a browser, served by textual-serve (the `web` extra)."""

from __future__ import annotations

import argparse
import ipaddress
import shlex
import sys
from pathlib import Path
from typing import Any

from chitieu_tui import install_hint
from chitieu_tui.core.errors import UsageError
from chitieu_tui.i18n import t

PAGE = Path(__file__).resolve().parent / "web_page"
"""Our copy of textual-serve's page: the font from this server, not the internet; our words."""


def is_loopback(host: str) -> bool:
    """True for `127.0.0.1`, `::1` and `localhost` (this computer only)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def dashboard_command(args: argparse.Namespace) -> str:
    """The shell command each browser session runs: this Python, the dashboard, the options."""
    parts = [sys.executable, "-m", "chitieu_tui", "--lang", args.lang]
    for name in ("config", "api", "unit", "snapshots"):
        value = getattr(args, name, None)
        if value:
            parts += [f"--{name}", str(value)]
    if getattr(args, "insecure_http", False):
        parts.append("--insecure-http")
    if getattr(args, "offline", False):
        parts.append("--offline")
    if getattr(args, "period", None) is not None:
        parts += ["--period", str(args.period)]
    return shlex.join(parts)


def serve_web(args: argparse.Namespace) -> int:
    """Serve until Ctrl+C; a host beyond this computer needs --yes-public (no password)."""
    if not is_loopback(args.host) and not args.yes_public:
        raise UsageError("err.web.public", host=args.host)
    try:
        # lazy: textual-serve is the optional `web` extra
        from textual_serve.server import Server
    except ImportError:
        raise UsageError("err.extra_missing", command="web", how=install_hint("web")) from None
    server = local_server(Server, dashboard_command(args), args)
    print(t("web.listening", url=server.public_url), file=sys.stderr, flush=True)
    server.serve()
    return 0


def local_server(base: Any, command: str, args: argparse.Namespace) -> Any:
    """textual-serve's Server with our page (web_page/app_index.html) and the page's words.

    The stock page links a font on the internet; ours declares the same Roboto Mono from the
    server's own static folder, so the page loads nothing from outside the server.
    """
    # lazy: aiohttp_jinja2 comes with textual-serve (the optional `web` extra)
    import aiohttp_jinja2

    class LocalServer(base):  # type: ignore[misc, valid-type]
        @aiohttp_jinja2.template("app_index.html")
        async def handle_index(self, request: Any) -> dict[str, Any]:
            context: dict[str, Any] = await base.handle_index.__wrapped__(self, request)
            context["page"] = {
                "lang": args.lang,
                "start": t("web.page.start"),
                "ended": t("web.page.ended"),
                "restart": t("web.page.restart"),
            }
            return context

    return LocalServer(
        command, host=args.host, port=args.port, title="chitieu", templates_path=PAGE
    )
