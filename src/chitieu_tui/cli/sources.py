"""The source or collection the options name, and loading it for one-shot commands."""

from __future__ import annotations

import argparse
import datetime as dt
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from chitieu_tui.cli.console import warn
from chitieu_tui.core.datadir import BUNDLED, DEFINITIONS, resolve_data_dir
from chitieu_tui.core.errors import AuthError, ChitieuError, DataError, Place, UsageError
from chitieu_tui.core.filesource import FileSource
from chitieu_tui.core.paths import shown_path
from chitieu_tui.core.periods import Period
from chitieu_tui.core.source import CachingSource
from chitieu_tui.present.time import age_since, stamp_text

if TYPE_CHECKING:
    from chitieu_tui.core.collection import Collection, Member
    from chitieu_tui.core.source import Source, View


def make_source(args: argparse.Namespace) -> Source:
    """A FileSource for --config (or the default folder), an ApiSource for --api, the
    snapshot archive for --offline."""
    snapshots = Path(args.snapshots) if args.snapshots else None
    if args.api and args.config:
        raise UsageError("err.usage.config_and_api")
    if getattr(args, "offline", False):
        if not args.unit:
            raise UsageError("err.usage.offline_needs_unit")
        # lazy: the snapshot archive, only for --offline
        from chitieu_tui.core.archive import ArchiveSource
        from chitieu_tui.core.snapshots import default_snapshot_root

        return ArchiveSource(snapshots or default_snapshot_root(args.unit), args.unit)
    if args.api:
        if not args.unit:
            raise UsageError("err.usage.api_needs_unit")
        _plain_http(args)
        # lazy: httpx only for --api
        from chitieu_tui.remote.source import ApiSource

        return ApiSource(args.api, args.unit, snapshots=snapshots)
    root = _data_dir(args)
    if args.config is not None and not root.exists():  # before any screen opens: exit 1
        raise DataError("err.datadir.not_found", Place(shown_path(root)))
    return FileSource(root, snapshots=snapshots, own_cache=True)  # its own parse cache


def _plain_http(args: argparse.Namespace) -> None:
    """`--insecure-http` for every client of this run; then refuse, before any connection,
    a token that would go over plain http:// beyond this computer (UsageError)."""
    # lazy: httpx (through remote.client) only for --api
    from chitieu_tui.remote.client import TOKEN_ENV, allow_plain_http, check_transport

    allow_plain_http(bool(getattr(args, "insecure_http", False)))
    check_transport(args.api, os.environ.get(TOKEN_ENV) or None)


def _data_dir(args: argparse.Namespace) -> Path:
    """The data folder of `--config` (or ./config, or the bundled sample); a one-shot command
    that falls back to the bundled sample says so on stderr."""
    root = resolve_data_dir(args.config)
    if args.config is None and args.command is not None and root == BUNDLED:
        warn(ChitieuError("warn.bundled_sample"))
    return root


def _load_view(source: Source, period: Period | None, history: int = 0) -> View:
    """One View, for the one-shot commands (API sources within 30 s in all); `history`
    earlier quarters too (the official reports' quarter and same-quarter-last-year columns)."""
    view = source.load(period, history=history)
    if isinstance(source, CachingSource):  # its own parse cache, saved right after the read
        source.save_cache()
    if view.stale and view.stale_since is not None:
        since = view.stale_since
        age = age_since(since, dt.datetime.now(dt.UTC))
        when = f"{age} ({stamp_text(since)})"
        warn(ChitieuError("warn.stale_copy", Place(source.label), since=when))
    return view


def make_collection(args: argparse.Namespace) -> Collection | None:
    """A collection for `--api URL` without `--unit`, or `--config ROOT` where ROOT holds data
    folders (or collection.toml) and no chitieu.toml; else None (one unit)."""
    if getattr(args, "offline", False) or (args.api and args.config):
        return None
    snapshots = Path(args.snapshots) if args.snapshots else None
    if args.api and not args.unit:
        _plain_http(args)
        # lazy: httpx only for --api
        from chitieu_tui.remote.collection import api_collection

        return api_collection(args.api, snapshots=snapshots)
    if args.config and not args.api:
        root = Path(args.config)
        if os.path.isfile(root / DEFINITIONS):  # a data folder: no collection (`is_collection`)
            return None
        # lazy: core.collection pulls asyncio; only when --config names a folder
        from chitieu_tui.core.collection import is_collection, open_folder

        if is_collection(root):
            return open_folder(root, snapshots=snapshots)
    return None


def load_collection(collection: Collection, period: Period | None) -> None:
    """Read every unit (servers: concurrently, bounded, within the one-shot deadline); a
    broken unit is warned about and kept; a refused token is an error."""
    if collection.discover is None and collection.bulk is None:
        collection.load(period)
    else:
        # lazy: asyncio only for a server's collection (a one-shot command runs no loop otherwise)
        import asyncio

        async def fetch() -> None:
            try:
                await collection.aload(period)
            finally:
                await collection.aclose()

        asyncio.run(fetch())
        for m in collection.members:
            last = getattr(m.source, "last_error", None)
            if isinstance(last, AuthError):
                raise last
    for _ in warned_members(collection.members):
        pass


def warned_members(members: Iterable[Member]) -> Iterator[Member]:
    """`members`, each one's error (else its view's warnings) said as it passes."""
    for m in members:
        if m.error is not None:
            warn(m.error)
        elif m.view is not None:
            for w in m.view.warnings:
                warn(w)
        yield m
