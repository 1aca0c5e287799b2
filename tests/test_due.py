"""``/due`` (``/กำหนดเวลา``, ``/sla``): by when a case must be answered and resolved — one
module, bots/agent_commands/due.py, as a chat command, in help, in the room and ad-hoc."""

from __future__ import annotations

from datetime import UTC, datetime

from catalogue_helpers import told

from bots import catalogue
from bots.agent_commands.room import parse_room
from bots.agent_commands.syntax import help_text, parse
from bots.relay import Relay
from bridge.adhoc import nodes
from casestore import CaseStore

D = "damrongdham.localhost"
AGENT = f"somchai.phrae@{D}"
STAFF = frozenset({f"phrae@{D}", AGENT})
# Monday 2 November 2026, 10:00 Thai time: no holiday in the weeks after.
OPENED = datetime(2026, 11, 2, 3, 0, tzinfo=UTC)


def ask(relay: Relay, ref: str, body: str = "!due") -> list[str]:
    (out,) = relay.from_case_address(AGENT, ref.lower(), body, None, True, STAFF)
    assert out.to == AGENT and out.sender == ref.lower()  # answered in the case chat
    return out.body.split("\n")


def states(lines: list[str]) -> tuple[dict[str, str], dict[str, str]]:
    first = told(lines[1], "agent.due_first") if lines[1].startswith("[") else None
    first = first or catalogue.values(lines[1], "agent.due_first")
    solved = catalogue.values(lines[2], "agent.due_resolution")
    return first, solved


def test_due_is_a_command_everywhere() -> None:
    for body in ("!due", "/due", "!กำหนดเวลา", "!sla"):
        cmd = parse(body)
        assert cmd is not None and cmd.name == "due"
    assert "/due" in help_text() and "/กำหนดเวลา" in help_text()
    room = parse_room("!due TH54-2569-000001")
    assert room is not None and room.name == "due" and room.ref == "TH54-2569-000001"
    assert "due" in nodes()


def test_an_old_unanswered_case_is_overdue_then_done(store: CaseStore, relay: Relay) -> None:
    ref = store.open_case(
        centre="phrae", province="TH-54", citizen_jid=f"nok@citizens.{D}",
        body="น้ำประปาไม่ไหลสามวันแล้ว", now=OPENED,
    ).case.ref  # fmt: skip
    lines = ask(relay, ref)
    assert catalogue.matches(lines[0].partition("] ")[2], "agent.due_title")
    first, solved = states(lines)
    assert first["day"] == "2026-11-03"  # one working day after the day it opened
    assert solved["day"] == "2026-11-23"  # fifteen working days, weekends skipped
    assert catalogue.matches(first["state"], "agent.due_overdue")
    assert catalogue.matches(solved["state"], "agent.due_overdue")

    relay.from_case_address(AGENT, ref.lower(), "สวัสดีค่ะ รับเรื่องแล้ว", None, True, STAFF)
    first, solved = states(ask(relay, ref, "!กำหนดเวลา"))
    assert catalogue.matches(first["state"], "agent.due_done")  # answered, if late
    assert catalogue.matches(solved["state"], "agent.due_overdue")

    relay.from_case_address(AGENT, ref.lower(), "!resolve ช่างซ่อมท่อแล้ว", None, True, STAFF)
    first, solved = states(ask(relay, ref))
    assert catalogue.matches(solved["state"], "agent.due_done")


def test_a_new_case_is_not_yet_due(store: CaseStore, relay: Relay) -> None:
    ref = store.open_case(
        centre="phrae", province="TH-54", citizen_jid=f"nok@citizens.{D}", body="ไฟถนนดับ"
    ).case.ref
    first, solved = states(ask(relay, ref))
    assert catalogue.matches(first["state"], "agent.due_pending")
    assert catalogue.matches(solved["state"], "agent.due_pending")
    assert solved["day"] > first["day"]
    events = [e.kind for e in store.events(ref)]
    assert "claimed" not in events  # asking is not answering: the SLA clock is not stopped
