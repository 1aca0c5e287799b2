"""`damrongdham retention` and `damrongdham subject-export`: the PDPA commands.

    damrongdham retention [--older-than-days N] [--dry-run]
    damrongdham subject-export <citizen JID> [--out FILE]

N defaults to ``$DAMRONGDHAM_RETENTION_DAYS``, else 365. The database is ``--database-url``,
else ``$DAMRONGDHAM_DATABASE_URL``, else the one of the stack in ``--data-dir`` (default
``./data``). What a purge erases and what an export holds: `casestore.pdpa`. Bad input is one
``error:`` line on stderr, exit code 1 (nothing found) or 2 (unusable input), nothing changed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from casestore import CaseStore
from casestore.pdpa import (
    PURGED_JID,
    RETENTION_ENV,
    PdpaError,
    export_json,
    purge,
    retention_days,
    subject_export,
)
from damrongdham.apikeys_cli import database_url


def _database_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=Path("data"),
        help="data directory of `damrongdham up` (default ./data)",
    )
    parser.add_argument(
        "--database-url",
        default=None,
        help="SQLAlchemy URL (default $DAMRONGDHAM_DATABASE_URL, else the data dir's)",
    )


def add_parser(sub: argparse._SubParsersAction) -> None:
    ret = sub.add_parser(
        "retention",
        help="PDPA: erase transcripts of cases done more than N days ago",
        description="Erase the transcripts, citizen address, PIN and audit notes of cases "
        "resolved, closed or merged more than N days ago; the case rows stay for statistics. "
        f"N defaults to ${RETENTION_ENV}, else 365.",
    )
    ret.add_argument("--older-than-days", type=int, default=None, metavar="N")
    ret.add_argument("--dry-run", action="store_true", help="list what would go, change nothing")
    _database_options(ret)
    exp = sub.add_parser(
        "subject-export",
        help="PDPA: a citizen's own data as JSON (access request)",
        description="Every case of one citizen JID with its messages, status history and "
        "rating, as JSON; officers' accounts and internal notes are left out.",
    )
    exp.add_argument("jid", help="the citizen's bare JID, e.g. name@citizens.<domain>")
    exp.add_argument("--out", type=Path, default=None, help="write to FILE (default stdout)")
    _database_options(exp)


def _open_store(args: argparse.Namespace, err: TextIO) -> CaseStore | None:
    try:
        url = database_url(args)
    except FileNotFoundError as exc:
        err.write(f"error: {exc} (or pass --database-url)\n")
        return None
    store = CaseStore(url)
    store.migrate()
    return store


def _retention(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    try:
        days = retention_days() if args.older_than_days is None else args.older_than_days
        if days < 0:
            raise PdpaError("--older-than-days must be 0 or more")
    except PdpaError as exc:
        err.write(f"error: {exc}\n")
        return 2
    store = _open_store(args, err)
    if store is None:
        return 2
    with store:
        report = purge(store, days, dry_run=args.dry_run)
    verb = "would purge" if report.dry_run else "purged"
    out.write(
        f"{verb} {len(report.refs)} case(s) done before {report.cutoff:%Y-%m-%d %H:%M} UTC "
        f"({report.messages} message(s)); case rows kept for statistics, citizen now "
        f"{PURGED_JID}\n"
    )
    for ref in report.refs:
        out.write(f"  {ref}\n")
    return 0


def _export(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    target: Path | None = args.out
    if target is not None:
        target = target.expanduser()
        if target.is_dir() or not target.parent.is_dir():
            err.write(f"error: cannot write {target}: not a file in an existing directory\n")
            return 2
    store = _open_store(args, err)
    if store is None:
        return 2
    with store:
        try:
            data = subject_export(store, args.jid)
        except PdpaError as exc:
            err.write(f"error: {exc}\n")
            return 1
    text = export_json(data)
    if target is None:
        out.write(text)
        return 0
    try:
        with target.open("x", encoding="utf-8") as fh:  # never overwrite an earlier export
            fh.write(text)
        target.chmod(0o600)
    except OSError as exc:
        err.write(f"error: cannot write {target}: {exc.strerror or exc}\n")
        return 2
    err.write(f"wrote {len(data['cases'])} case(s) of {data['subject']} to {target} (mode 0600)\n")
    return 0


def run(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Entry point for both commands (`args.command` says which)."""
    out, err = out or sys.stdout, err or sys.stderr
    if args.command == "retention":
        return _retention(args, out, err)
    if args.command == "subject-export":
        return _export(args, out, err)
    err.write(f"error: unknown command {args.command}\n")
    return 2
