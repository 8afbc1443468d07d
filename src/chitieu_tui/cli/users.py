"""`chitieu user add|list|rotate|remove`: the accounts of the API server (users.toml)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from chitieu_tui.core.datadir import resolve_data_dir
from chitieu_tui.core.errors import UsageError
from chitieu_tui.core.users import USERS_FILE, add_user, load_users, remove_user, rotate_user
from chitieu_tui.i18n import t


def _users_path(args: argparse.Namespace) -> Path:
    """`--users FILE`, else users.toml in the `--config` folder; bad usage when neither."""
    if getattr(args, "users", None):
        return Path(args.users)
    if getattr(args, "config", None):
        return resolve_data_dir(args.config) / USERS_FILE
    raise UsageError("err.users.where")


def _print_token(name: str, token: str, where: str) -> None:
    """The explanation on stderr, the token alone on stdout (for a script to take)."""
    print(t("cli.user.token_once", name=name, file=where), file=sys.stderr)
    print(token)


def cmd_user(args: argparse.Namespace) -> int:
    """Add, list, rotate or remove an account; a token is printed once, never stored."""
    path = _users_path(args)
    where = str(path)
    action = args.user_command
    if action == "add":
        token = add_user(path, args.name, args.role, args.user_units, args.display, where)
        _print_token(args.name, token, where)
    elif action == "rotate":
        token = rotate_user(path, args.name, where)
        _print_token(args.name, token, where)
    elif action == "remove":
        remove_user(path, args.name, where)
        print(t("cli.user.removed", name=args.name, file=where))
    else:
        users = load_users(path, where).users if path.exists() else ()
        if not users:
            print(t("cli.user.none", file=where))
            return 0
        keys = ("cli.user.head_name", "cli.user.head_display", "cli.user.head_role")
        head = [t(k) for k in (*keys, "cli.user.head_units")]
        rows = [head] + [[u.name, u.shown, u.role, ", ".join(u.units)] for u in users]
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        for row in rows:
            cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
            print("  ".join([*cells, row[3]]).rstrip())
    return 0
