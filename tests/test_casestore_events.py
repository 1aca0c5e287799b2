"""Audit event kinds: one enum whose values are the strings stored before it existed, and
the case store's unit of work as the only way into its sessions."""

from __future__ import annotations

import os
import re
from pathlib import Path

from casestore import CaseStore, EventKind
from casestore.events import SLA_EVENTS

ROOT = Path(__file__).resolve().parents[1]

#: The kinds as rows in deployed databases hold them: a member's value never changes.
STORED = {
    "OPENED": "opened",
    "ASSIGNED": "assigned",
    "CLAIMED": "claimed",
    "STATUS": "status",
    "NOTE": "note",
    "TRANSFERRED": "transferred",
    "FORWARDED": "forwarded",
    "DELIVERED": "delivered",
    "MERGED": "merged",
    "MERGED_IN": "merged_in",
    "RATED": "rated",
    "RELEASED": "released",
    "PIN_REISSUED": "pin_reissued",
    "PURGED": "purged",
    "QUEUED": "queued",
    "REATTACHED": "reattached",
    "ANNOUNCED": "announced",
    "SLA_FIRST_RESPONSE": "sla_first_response",
    "SLA_RESOLUTION": "sla_resolution",
    "SLA_ESCALATION_1": "sla_escalation_1",
    "SLA_ESCALATION_2": "sla_escalation_2",
    "HELP": "help",
    "HISTORY": "history",
    "REPLY_LIST": "reply_list",
}


def test_every_kind_keeps_its_stored_string() -> None:
    assert {k.name: k.value for k in EventKind} == STORED
    assert all(len(k) <= 32 for k in EventKind)  # the column's width
    assert tuple(k for k in EventKind if k.startswith("sla_")) == SLA_EVENTS


def test_a_kind_is_stored_as_its_string_and_reads_back_equal(db_store: CaseStore) -> None:
    store = db_store
    ref = store.open_case(
        centre="phrae", province="TH-54", citizen_jid="a@citizens.example", body="ถนนพัง"
    ).case.ref
    store.record(ref, "bot.example", EventKind.QUEUED, "phrae")
    store.record(ref, "phrae@example", "history")  # a plain string still works
    with store.engine.connect() as conn:
        raw = [r[0] for r in conn.exec_driver_sql("SELECT kind FROM case_events ORDER BY id")]
    assert raw == ["opened", "queued", "history"]
    kinds = [e.kind for e in store.events(ref)]
    assert kinds == [EventKind.OPENED, EventKind.QUEUED, EventKind.HISTORY]
    assert {"opened": 1}[EventKind.OPENED] == 1  # hashes as its string


def test_only_the_store_opens_its_private_sessions() -> None:
    """Everything else uses the public unit of work, ``store.reading()`` / ``writing()``."""
    private = re.compile(r"\._(read|write|reader|writer|core_writer)\b")
    found = []
    for top in ("bots", "bridge", "casestore", "damrongdham", "provisioning", "scripts",
                "tests", "web"):  # fmt: skip
        for folder, dirs, files in os.walk(ROOT / top):
            dirs[:] = [d for d in dirs if d not in ("node_modules", "__pycache__")]
            here = Path(folder)
            if here.relative_to(ROOT).parts[:2] == ("casestore", "store"):
                continue
            for name in files:
                if name.endswith(".py") and private.search((here / name).read_text("utf-8")):
                    found.append(str((here / name).relative_to(ROOT)))
    assert found == []
