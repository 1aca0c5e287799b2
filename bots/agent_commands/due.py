"""``/due`` (``/กำหนดเวลา``): the case's service targets — by when the centre must first
answer and resolve it (working days after the day it opened, holidays skipped, Thai time;
the centre's targets from ``bots/data/sla.json``), and whether each is done, not yet due or
overdue."""

from __future__ import annotations

from datetime import datetime, timedelta

from bots import sla
from bots.agent_commands.base import AgentCommand, Context
from bots.agent_commands.common import THAI_TIME
from bots.catalogue import entry, render
from casestore.lifecycle import DONE
from casestore.refs import utcnow
from kernel.addresses import Outgoing

entry("agent.due_title", "กำหนดเวลาของเรื่องนี้", "service targets of this case", "⏱ {th} · {en}")
entry("agent.due_first", "ตอบครั้งแรกภายในวันที่ {day}", "first answer by the end of {day}",
      "{th} · {en}: {state}")  # fmt: skip
entry("agent.due_resolution", "แก้ไขให้เสร็จภายในวันที่ {day}", "resolved by the end of {day}",
      "{th} · {en}: {state}")  # fmt: skip
entry("agent.due_done", "ทำแล้ว", "done", "✅ {th} · {en}")
entry("agent.due_pending", "ยังไม่ถึงกำหนด", "not yet due", "{th} · {en}")
entry("agent.due_overdue", "เลยกำหนดแล้ว", "overdue", "⚠️ {th} · {en}")


def _day(due: datetime) -> str:
    """The last day of a target (`sla.due_at` is midnight after it), in Thai time."""
    return (due - timedelta(seconds=1)).astimezone(THAI_TIME).strftime("%Y-%m-%d")


def _state(done: bool, due: datetime, now: datetime) -> str:
    if done:
        return render("agent.due_done")
    return render("agent.due_overdue" if now >= due else "agent.due_pending")


class Due(AgentCommand):
    name, thai, aliases = "due", "กำหนดเวลา", ("sla",)
    help_en = "by when this case must be answered and resolved"
    help_th = "กำหนดเวลาตอบและแก้ไขเรื่องนี้"
    order = 125

    def run(self, ctx: Context) -> list[Outgoing]:
        case, now = ctx.current(), utcnow()
        try:
            targets = sla.load_targets().of(case.centre)
        except (OSError, ValueError):  # a broken local file: the shipped targets
            targets = sla.load_targets(sla.TARGETS).of(case.centre)
        holidays = sla.load_holidays()
        first = sla.due_at(case.created_at, targets.first_response_days, holidays)
        solved = sla.due_at(case.created_at, targets.resolution_days, holidays)
        answered = sla.responded(ctx.store.events(case.ref), ctx.store.transcript(case.ref))
        resolved = _state(case.status in DONE, solved, now)
        lines = [
            render("agent.due_title"),
            render("agent.due_first", day=_day(first), state=_state(answered, first, now)),
            render("agent.due_resolution", day=_day(solved), state=resolved),
        ]
        return [ctx.tell("\n".join(lines))]
