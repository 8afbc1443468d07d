"""The dashboard: open it, or render it once to SVG (screenshot)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from chitieu_tui import cli
from chitieu_tui.cli import settle
from chitieu_tui.cli.console import warn
from chitieu_tui.cli.sources import load_collection, make_collection, make_source
from chitieu_tui.core.tomlfile import hand_over
from chitieu_tui.i18n import t
from chitieu_tui.settings import app_settings

if TYPE_CHECKING:
    from chitieu_tui.core.collection import Collection
    from chitieu_tui.core.periods import Period
    from chitieu_tui.core.rowcache import Frame


def _theme(args: argparse.Namespace) -> str | None:
    """`--light`: the light theme, for a printed page."""
    if not getattr(args, "light", False):
        return None
    # lazy: textual; this module also serves TERM=dumb, which prints the report instead
    from chitieu_tui.app import LIGHT_THEME

    return LIGHT_THEME


def cmd_screenshot(args: argparse.Namespace) -> int:
    """Render the dashboard once, headless, and save it as SVG."""
    collection = make_collection(args)
    if collection is not None:
        # lazy: the roll-up's cache, only for a roll-up
        from chitieu_tui.core.rowcache import FrameCheck, unchecked_frame

        frame = unchecked_frame(collection, args.period)
        # its units' files checked in a thread while Textual is imported and started
        # apart (a forked child) in chitieu's own process, which ends with the command
        apart = cli.own_process()
        check = FrameCheck(collection, frame, apart=apart) if frame is not None else None
        if frame is None:
            frame = cold_open(collection, args.period, bool(args.press.split()))
        if frame is None:
            load_collection(collection, args.period)
        # lazy: textual; this module also serves TERM=dumb, which prints the report instead
        from chitieu_tui.app import save_rollup_screenshot

        settle()  # the imports done, Textual's too
        path = save_rollup_screenshot(
            collection,
            Path(args.output),
            args.size,
            theme=_theme(args),
            press=args.press.split(),
            frame=frame,
            asked=args.period,
            opened=True,
            check=check,
        )
        print(path)
        return 0
    source = make_source(args)
    # a large unit opened cold: read in a worker while Textual is imported (or, larger, its
    # files parsed in part by one while Textual is imported and chitieu.toml read)
    # lazy: the cold read's worker, only for one unit's screenshot
    from chitieu_tui.present.coldunit import parse_ahead, read_apart

    parse_ahead(source)
    worker = None
    try:
        worker = read_apart(source, args.period, meanwhile=_import_app)
        # lazy: textual, as above
        from chitieu_tui.app import save_screenshot

        settle()
        width, height = args.size
        path = save_screenshot(
            source,
            Path(args.output),
            (width, height),
            args.period,
            theme=_theme(args),
            press=args.press.split(),
        )
    finally:
        hand_over(None)  # what was parsed ahead let go of (the read took it), its worker reaped
        if worker is not None:  # the cache file written by then: the command leaves it whole
            worker.wait()
    print(path)
    return 0


def _import_app() -> None:
    # lazy: textual, for the screenshot; this module also serves TERM=dumb
    import chitieu_tui.app  # noqa: F401


def cold_open(collection: Collection, period: Period | None, parsed: bool) -> Frame | None:
    """The roll-up's first frame of a cold open made in workers (present/coldframe.py), its
    units' errors and warnings said as after a serial load; None: read serially. `parsed`:
    the units are read after the frame (keys pressed): what the workers parsed is kept.
    Textual is imported while the workers read (the main process would wait for them)."""
    # lazy: the cold frame's workers, only for a roll-up without a cached frame
    from chitieu_tui.present.coldframe import cold_frame

    cold = cold_frame(collection, period, parsed=parsed, meanwhile=_import_app)
    if cold is None:
        return None
    for error in cold.said:
        warn(error)
    return cold.frame


def cmd_tui(args: argparse.Namespace) -> int:
    """Open the dashboard; on a terminal that cannot draw one (`TERM=dumb`), print the report
    instead, after one line saying why."""
    if os.environ.get("TERM") == "dumb":
        settle()
        print(t("tui.dumb_terminal"), file=sys.stderr)
        from chitieu_tui.cli.read import cmd_report  # lazy: the report, only for TERM=dumb

        return cmd_report(argparse.Namespace(**{**vars(args), "format": "table", "output": None}))
    collection = make_collection(args)
    if collection is not None:
        # lazy: textual; not loaded when TERM=dumb prints the report instead
        from chitieu_tui.app import run_rollup

        settle()  # the imports done, Textual's too
        settings = app_settings()  # read once, here, never on the app's UI thread
        return run_rollup(collection, args.period, settings, apart=cli.own_process())
    source = make_source(args)
    # a large unit opened cold: read in a worker while Textual is imported
    # lazy: the cold read's worker, only for one unit
    from chitieu_tui.present.coldunit import parse_ahead, read_apart

    parse_ahead(source)  # larger: its files parsed in part by a worker (see screenshot)
    worker = None
    try:  # the worker that parses ahead let go of whatever happens from here (as screenshot)
        worker = read_apart(source, args.period, meanwhile=_import_app)
        # lazy: textual, as above
        from chitieu_tui.app import run_app

        settle()
        settings = app_settings()
        return run_app(source, args.period, settings)
    finally:
        hand_over(None)
        if worker is not None:
            worker.wait()
