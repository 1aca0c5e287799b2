"""What `damrongdham provision rotate` / `disable` do to the case store (provisioning itself
never touches it): the account's dashboard web sessions end at once, and a disabled agent's
open cases go back to their centre's queue.

The case database is ``$DAMRONGDHAM_DATABASE_URL``, else the stack's in ``--data-dir``; with
neither (provisioning a remote server only) there is nothing to do and it says so.
"""

from __future__ import annotations

import argparse
import logging
import os
from pathlib import Path

from casestore import CaseStore
from casestore.web_sessions import WebSessions

log = logging.getLogger(__name__)

#: the note of the audit events of cases taken from a disabled agent
DISABLED_NOTE = "returned: account disabled ({jid})"


def database_url(args: argparse.Namespace) -> str | None:
    url = os.environ.get("DAMRONGDHAM_DATABASE_URL", "").strip()
    if url:
        return url
    data_dir = getattr(args, "data_dir", None)
    if not isinstance(data_dir, Path) or getattr(args, "server", None):
        return None
    from kernel.config_file import load_settings

    try:
        return load_settings(data_dir.expanduser().resolve()).db_url
    except (FileNotFoundError, ValueError):
        return None


def lock_out(url: str, jids: list[str], *, disabled: bool, actor: str) -> list[str]:
    """End the dashboard sessions of `jids`; when `disabled`, release their open cases too.
    One line per account that had something to undo."""
    lines: list[str] = []
    store = CaseStore(url)
    try:
        sessions = WebSessions(store)
        for jid in jids:
            ended = sessions.end_all(jid)
            released = (
                store.release_all(jid, actor, DISABLED_NOTE.format(jid=jid)) if disabled else []
            )
            if ended or released:
                refs = ", ".join(c.ref for c in released)
                lines.append(
                    f"{jid}: {ended} dashboard session(s) ended"
                    + (f"; back in the queue: {refs}" if refs else "")
                )
    finally:
        store.close()
    return lines


def after_provision(args: argparse.Namespace, action: str, jids: list[str]) -> None:
    """The hook `provisioning.cli.run` calls after a rotate or disable."""
    if action not in ("rotate", "disable") or not jids:
        return
    url = database_url(args)
    if url is None:
        print("note: no case database here: dashboard sessions were not ended "
              "(set DAMRONGDHAM_DATABASE_URL)")
        return
    domain = jids[0].partition("@")[2]
    for line in lock_out(url, jids, disabled=action == "disable", actor=f"admin@{domain}"):
        print(line)
