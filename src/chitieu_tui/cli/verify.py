"""`chitieu verify`: tamper evidence of a unit folder or of a collection (core/verify.py), or
of a server's unit(s) with `--api` (run on the server, remote/verifying.py)."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from chitieu_tui.cli.sources import _plain_http, make_collection
from chitieu_tui.core.datadir import DataDir, resolve_data_dir
from chitieu_tui.core.errors import UsageError
from chitieu_tui.core.filesource import FileSource
from chitieu_tui.core.verify import BROKEN, NOT_CHAINED, verify_folder
from chitieu_tui.i18n import t

if TYPE_CHECKING:
    from chitieu_tui.remote.writing import ApiWriter


def _verify_folder(args: argparse.Namespace, root: str | None) -> int:
    """One data folder: each quarter that does not verify named (file:line and why), then one
    line: OK (with the quarters not chained yet) or how many failed. 1 when any failed."""
    data = DataDir(resolve_data_dir(root))
    data.definitions()  # a folder that cannot be read: the red panel, exit 1
    findings = verify_folder(data, args.period)
    broken = [f for f in findings if f.state == BROKEN]
    for f in broken:
        assert f.problem is not None
        print(f.problem.render())
    return _said(
        len(broken),
        len(findings),
        data.shown(data.root),
        [str(f.period) for f in findings if f.state == NOT_CHAINED],
    )


def _said(broken: int, total: int, where: str, loose: list[str]) -> int:
    """The closing line of one unit: how many failed (1), or OK and those not chained (0)."""
    if broken:
        print(t("verify.failed", n=broken, total=total))
        return 1
    print(t("verify.ok", where=where, n=total))
    if loose:
        print(t("verify.not_chained", periods=", ".join(loose)))
    return 0


def _verify_remote(args: argparse.Namespace, writer: ApiWriter) -> int:
    """One unit of a server: the server verifies, each broken quarter is named as for a
    folder (`unit/file:line: why`), then the same closing line."""
    from chitieu_tui.remote.verifying import verify_unit  # lazy: httpx only for --api

    findings = verify_unit(writer, args.period)
    broken = [f for f in findings if f.state == BROKEN]
    for f in broken:
        print(f.text)
    where = f"{writer.base_url} {writer.unit}"
    return _said(
        len(broken), len(findings), where, [f.period for f in findings if f.state == NOT_CHAINED]
    )


def _verify_api(args: argparse.Namespace) -> int:
    """`--api URL --unit U`: that unit; `--api URL`: every unit the account may read."""
    from chitieu_tui.remote.verifying import served_units, verifier  # lazy: httpx for --api

    if args.config:
        raise UsageError("err.usage.config_and_api")
    _plain_http(args)  # --insecure-http; no token over plain http beyond loopback
    if args.unit:
        return _verify_remote(args, verifier(args.api, args.unit))
    listing = verifier(args.api)
    units = served_units(listing)
    failed = 0
    for unit in units:
        print(t("check.unit", where=f"{listing.base_url} {unit}"), flush=True)
        if _verify_remote(args, verifier(args.api, unit)) != 0:
            failed += 1
        sys.stdout.flush()
    return _units_said(failed, len(units))


def _units_said(failed: int, total: int) -> int:
    if failed:
        print(t("verify.units_failed", n=failed, total=total))
        return 1
    print(t("verify.units_ok", total=total))
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    """Verify a unit folder, or every unit folder of a collection (each under a line naming
    it), or a server's unit(s) with --api; exit 1 when anything does not verify."""
    if args.api:
        return _verify_api(args)
    collection = make_collection(args)
    if collection is None:
        return _verify_folder(args, args.config)
    failed = 0
    total = 0
    for m in collection.members:
        if not isinstance(m.source, FileSource):
            continue
        total += 1
        data = m.source.data
        print(t("check.unit", where=data.shown(data.root)), flush=True)
        if _verify_folder(args, str(data.root)) != 0:
            failed += 1
        sys.stdout.flush()
    return _units_said(failed, total)
