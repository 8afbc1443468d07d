"""Approving and returning a quarter (DESIGN section 12 "Approval"): `chitieu approve` and
`chitieu return` on a unit of a collection folder, through the unit's FileSource.write, or
over `--api URL --unit U` through the unit's ApiSource.write (an approver's token in
CHITIEU_API_TOKEN; `GET /api/v1/me` is asked before anything is sent)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from chitieu_tui.core.errors import DataError, Place, UsageError, WriteError
from chitieu_tui.core.periods import Period
from chitieu_tui.core.requests import Approve, Return
from chitieu_tui.i18n import t
from chitieu_tui.present.journal import approved_text, returned_text

if TYPE_CHECKING:
    from chitieu_tui.core.filesource import FileSource
    from chitieu_tui.remote.source import ApiSource


def api_source(args: argparse.Namespace) -> ApiSource:
    """`--api URL --unit U`: the server's unit, once `GET /api/v1/me` says the account is an
    approver (else WriteError naming its role, before anything is sent)."""
    if args.config:
        raise UsageError("err.usage.config_and_api")
    if not args.unit:
        raise UsageError("err.usage.api_needs_unit")
    # lazy: httpx and the client only for --api
    from chitieu_tui.cli.sources import _plain_http
    from chitieu_tui.remote.source import ApiSource
    from chitieu_tui.remote.writing import APPROVER_ROLE

    _plain_http(args)
    source = ApiSource(args.api, args.unit)
    if source.writer.ask_role() != APPROVER_ROLE:
        raise WriteError(source.writer.refusal(APPROVER_ROLE), Place(args.api))
    return source


def unit_source(args: argparse.Namespace) -> FileSource | ApiSource:
    """The FileSource of `--unit` in the collection folder `--config` (its folder's name or
    its unit id), or of `--config` itself when it is a unit's data folder."""
    # lazy: the folders and their readers only when the command runs (start-up stays small)
    from chitieu_tui.core.collection import is_collection, open_folder
    from chitieu_tui.core.datadir import resolve_data_dir
    from chitieu_tui.core.filesource import FileSource
    from chitieu_tui.core.paths import shown_path

    if args.api:
        return api_source(args)
    if args.config is not None and is_collection(Path(args.config)):
        if not args.unit:
            raise UsageError("err.usage.approve_needs_unit")
        collection = open_folder(Path(args.config))
        for m in collection.members:
            if m.key == args.unit:
                return FileSource(Path(args.config) / m.key)
        for m in collection.members:
            source = m.source
            if isinstance(source, FileSource) and source.data.definitions().unit.id == args.unit:
                return source
        raise DataError("err.approve.unknown_unit", Place(collection.label), unit=args.unit)
    root = resolve_data_dir(args.config)
    source = FileSource(root)
    if args.unit and source.data.definitions().unit.id != args.unit:
        raise DataError("err.approve.unknown_unit", Place(shown_path(root)), unit=args.unit)
    return source


def _period(args: argparse.Namespace) -> Period:
    if args.period is None:
        raise UsageError("err.usage.close_needs_period")
    period: Period = args.period
    return period


def cmd_approve(args: argparse.Namespace) -> int:
    """Approve a submitted (closed) quarter: `[closed].approved` with the values' digest."""
    source = unit_source(args)
    period = _period(args)
    written = source.write([Approve(period=period, note=args.note or "", by=args.by)])
    closed = written.progress.closed
    assert closed is not None and closed.approved is not None
    detail = approved_text(closed.approved)
    print(t("cli.approved", period=period.label(), detail=detail))
    return 0


def cmd_return(args: argparse.Namespace) -> int:
    """Return a submitted or approved quarter to the ward with a reason (it reopens)."""
    source = unit_source(args)
    period = _period(args)
    written = source.write([Return(period=period, reason=args.reason, by=args.by)])
    returned = written.progress.returned
    assert returned is not None
    detail = returned_text(returned)
    print(t("cli.returned", period=period.label(), detail=detail))
    return 0
