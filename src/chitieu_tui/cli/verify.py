"""`chitieu verify`: tamper evidence of a unit folder or of a collection (core/verify.py)."""

from __future__ import annotations

import argparse
import sys

from chitieu_tui.cli.sources import make_collection
from chitieu_tui.core.datadir import DataDir, resolve_data_dir
from chitieu_tui.core.filesource import FileSource
from chitieu_tui.core.verify import BROKEN, NOT_CHAINED, verify_folder
from chitieu_tui.i18n import t


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
    if broken:
        print(t("verify.failed", n=len(broken), total=len(findings)))
        return 1
    print(t("verify.ok", where=data.shown(data.root), n=len(findings)))
    loose = [str(f.period) for f in findings if f.state == NOT_CHAINED]
    if loose:
        print(t("verify.not_chained", periods=", ".join(loose)))
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    """Verify a unit folder, or every unit folder of a collection (each under a line naming
    it); exit 1 when anything does not verify."""
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
    if failed:
        print(t("verify.units_failed", n=failed, total=total))
        return 1
    print(t("verify.units_ok", total=total))
    return 0
