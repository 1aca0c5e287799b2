"""`damrongdham apikey`: agencies' keys for the Open311 POST endpoint.

    damrongdham apikey add <agency> [--label TEXT]   # prints the key once
    damrongdham apikey list
    damrongdham apikey revoke <id>

The database is ``--database-url``, else ``$DAMRONGDHAM_DATABASE_URL``, else the one of the
stack in ``--data-dir`` (default ``./data``). Only the key's SHA-256 is stored: a lost key
cannot be shown again; revoke it and add another.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import datetime
from pathlib import Path
from typing import TextIO

from casestore import CaseStore
from casestore.api_keys import ApiKeyView, create_key, list_keys, revoke_key
from casestore.refs import BANGKOK


def _database_options(parser: argparse.ArgumentParser, suppress: bool) -> None:
    """--data-dir and --database-url, before or after the action (`apikey --data-dir D add`
    and `apikey add … --data-dir D` alike)."""
    parser.add_argument("--data-dir", type=Path,
                        default=argparse.SUPPRESS if suppress else Path("data"),
                        help="data directory of `damrongdham up` (default ./data)")
    parser.add_argument("--database-url", default=argparse.SUPPRESS if suppress else None,
                        help="SQLAlchemy URL (default $DAMRONGDHAM_DATABASE_URL, else the "
                        "data dir's)")


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "apikey",
        help="agencies' API keys for the Open311 POST endpoint",
        description="Add, list and revoke the keys agencies use to open cases through "
        "Open311 (POST /open311/v2/requests.json).",
    )
    _database_options(p, suppress=False)
    actions = p.add_subparsers(dest="apikey_action", required=True)
    add = actions.add_parser("add", help="make a key for an agency and print it (once)")
    add.add_argument("agency", help="short id: a-z, 0-9, '.', '_', '-' (e.g. pwa-chiangrai)")
    add.add_argument("--label", default="", help="what the key is for, who holds it")
    lst = actions.add_parser("list", help="every key: id, agency, label, created, last used, "
                             "revoked")
    revoke = actions.add_parser("revoke", help="revoke a key for good")
    revoke.add_argument("id", type=int)
    for action in (add, lst, revoke):
        _database_options(action, suppress=True)


def database_url(args: argparse.Namespace) -> str:
    """The case database: flag, environment, then the stack's settings in the data dir."""
    url = args.database_url or os.environ.get("DAMRONGDHAM_DATABASE_URL", "").strip()
    if url:
        return url
    from kernel.config_file import load_settings

    return load_settings(args.data_dir.expanduser().resolve()).db_url


def _when(at: datetime | None) -> str:
    return "-" if at is None else at.astimezone(BANGKOK).strftime("%Y-%m-%d %H:%M")


def _table(keys: list[ApiKeyView], out: TextIO) -> None:
    if not keys:
        out.write("no API keys yet: `damrongdham apikey add <agency>` makes one\n")
        return
    rows = [("id", "agency", "label", "created", "last used", "revoked")]
    rows += [
        (str(k.id), k.agency, k.label or "-", _when(k.created_at), _when(k.last_used_at),
         _when(k.revoked_at))
        for k in keys
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        out.write("  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip())
        out.write("\n")


def run(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    try:
        url = database_url(args)
    except FileNotFoundError as exc:
        err.write(f"error: {exc} (or pass --database-url)\n")
        return 2
    with CaseStore(url) as store:
        store.migrate()
        if args.apikey_action == "add":
            try:
                view, key = create_key(store, args.agency, args.label)
            except ValueError as exc:
                err.write(f"error: {exc}\n")
                return 2
            out.write(f"API key {view.id} for agency {view.agency}:\n\n    {key}\n\n")
            out.write(
                "It is shown only now: give it to the agency over a safe channel. It is sent\n"
                "as the api_key field of POST /open311/v2/requests.json (never in a URL).\n"
                f"Cases it opens belong to {view.agency}@open311.invalid.\n"
            )
            return 0
        if args.apikey_action == "list":
            _table(list_keys(store), out)
            return 0
        if args.apikey_action == "revoke":
            view = revoke_key(store, args.id)
            if view is None:
                err.write(f"error: no API key {args.id} (see `damrongdham apikey list`)\n")
                return 1
            out.write(f"API key {view.id} ({view.agency}) revoked at {_when(view.revoked_at)}\n")
            return 0
    return 2
